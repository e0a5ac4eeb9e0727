/*
 * The rules. Each rule is one small function that reads the certificate
 * and adds findings; policy_check runs them all, so a report lists every
 * broken rule, not only the first. Rules read a private copy parsed from
 * the certificate's DER, so nothing here can modify the caller's.
 *
 * Where GnuTLS's readers hide what a rule needs, the extension is read
 * from its DER here: GnuTLS stops listing CRL distribution points at the
 * first one that is not a fullName (so a later https-only or relative
 * point would go unseen), and only raw subjectAltName bytes show a NUL
 * inside a dNSName.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "crl.h"
#include "der.h"
#include "err.h"
#include "policy.h"
#include "util.h"
#include "x509.h"

#define OID_CN		"2.5.4.3"
#define OID_SKI		"2.5.29.14"
#define OID_SAN		"2.5.29.17"
#define OID_CDP		"2.5.29.31"
#define OID_FRESHEST	"2.5.29.46"
#define OID_DELTA_IND	"2.5.29.27"
#define OID_AKI		"2.5.29.35"
#define OID_CRL_NUMBER	"2.5.29.20"
#define OID_IDP		"2.5.29.28"
#define OID_EKU		"2.5.29.37"
#define OID_AIA		"1.3.6.1.5.5.7.1.1"
#define OID_OCSP	"1.3.6.1.5.5.7.48.1"
#define OID_CA_ISSUERS	"1.3.6.1.5.5.7.48.2"
#define OID_RSA_PSS	"1.2.840.113549.1.1.10"

/* A lifetime may exceed the cap by a backdated notBefore (roleca: 5 min). */
#define SKEW		3600
#define MIN_RSA_BITS	2048
/* the RSA public exponents the key rule accepts (odd ones) */
#define RSA_E_MIN	65537
#define RSA_E_MAX	2147483647

/* Certificate text quoted in a message: at most QUOTE_IN bytes of it. */
#define QUOTE_IN	120
#define QUOTE_LEN	(QUOTE_IN * 4 + 8)

/* GeneralName tags (RFC 5280, implicitly tagged). */
#define GN_OTHER	0xa0
#define GN_EMAIL	0x81
#define GN_DNS		0x82
#define GN_X400		0xa3
#define GN_DIR		0xa4
#define GN_EDI		0xa5
#define GN_URI		0x86
#define GN_IP		0x87
#define GN_RID		0x88

/* A name template's glob: bytes, and what a ${var} becomes ("?*"). */
enum { TOK_ONE = 256, TOK_STAR };

/*
 * The certificate being judged, read once: a private copy parsed from
 * der; when framed, the signed bytes (tbs, header included), the algorithm
 * inside and outside them, and the signature's bits; the key (pk <= 0:
 * unreadable).
 */
struct cert {
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der;
	int			 framed;
	struct der_cur		 tbs;
	struct der_cur		 inner_alg;
	struct der_cur		 outer_alg;
	struct der_cur		 sig;
	int			 pk;
	unsigned		 bits;
	gnutls_ecc_curve_t	 curve;
	/* an RSA key's public exponent when it fits, else e_big */
	uint64_t		 e;
	int			 e_big;
};

/* A subject attribute as the certificate has it (value may hold NULs). */
struct attr {
	char		*oid;
	char		*value;		/* NUL-terminated copy */
	size_t		 len;		/* the real length */
	unsigned long	 tag;		/* its string type; 0: UTF-8 text */
};

/* The names a leaf carries. */
struct names {
	struct attr	*subject;
	size_t		 nsubject;
	struct strv	 dns;	/* printable ASCII dNSNames */
	struct strv	 ip;	/* as inet_ntop() text */
};

void
findings_add(struct findings *f, const char *rule, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	/* one line, whatever a caller passed in */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	f->v[f->n].rule = xstrdup(rule);
	f->v[f->n].msg = msg;
	f->n++;
}

void
findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].rule);
		free(f->v[i].msg);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

int
policy_dns_valid(const char *s, int wildcard)
{
	/* two labels at least, below a wildcard too: "*.com" is not a name */
	return host_name_valid(s, wildcard, 2);
}

/* s (len bytes) fit to quote: non-printable bytes as \xNN, long text cut. */
static const char *
quote(char *out, const void *s, size_t len)
{
	const unsigned char	*p = s;
	size_t			 o = 0;

	for (size_t i = 0; i < len && i < QUOTE_IN; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, QUOTE_LEN - o, "\\x%02x",
			    p[i]);
	}
	if (len > QUOTE_IN)
		o += (size_t)snprintf(out + o, QUOTE_LEN - o, "...");
	out[o] = '\0';
	return out;
}

static const char *
quote_str(char *out, const char *s)
{
	return quote(out, s, strlen(s));
}

/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signatureValue } */
static int
frame(struct cert *c)
{
	struct der_cur	 all = { c->der.data, c->der.size }, cert, tbs, bits;
	unsigned	 tag;

	if (der_expect(&all, 0x30, &cert, NULL) < 0 || all.len != 0 ||
	    der_expect(&cert, 0x30, &tbs, &c->tbs) < 0 ||
	    der_expect(&cert, 0x30, NULL, &c->outer_alg) < 0 ||
	    der_expect(&cert, 0x03, &bits, NULL) < 0 || cert.len != 0 ||
	    bits.len < 1 || bits.p[0] != 0)
		return -1;
	c->sig.p = bits.p + 1;
	c->sig.len = bits.len - 1;
	/* [0] version (optional), serialNumber, signature */
	if (der_take(&tbs, &tag, NULL, NULL) < 0)
		return -1;
	if (tag == 0xa0 && der_expect(&tbs, 0x02, NULL, NULL) < 0)
		return -1;
	if (der_expect(&tbs, 0x30, NULL, &c->inner_alg) < 0)
		return -1;
	return 0;
}

static void
cert_free(struct cert *c)
{
	if (c->crt != NULL)
		gnutls_x509_crt_deinit(c->crt);
	gnutls_free(c->der.data);
	memset(c, 0, sizeof *c);
}

/* An unsigned big-endian integer in *v; -1 when it does not fit. */
static int
be_uint(const gnutls_datum_t *d, uint64_t *v)
{
	size_t	 i = 0;

	while (i < d->size && d->data[i] == 0)
		i++;
	if (d->size - i > sizeof *v)
		return -1;
	for (*v = 0; i < d->size; i++)
		*v = *v << 8 | d->data[i];
	return 0;
}

/*
 * The algorithm, size and curve of pub, and an RSA key's exponent, as the
 * key rule reads them.
 */
static void
key_facts(gnutls_pubkey_t pub, struct cert *c)
{
	gnutls_datum_t	 e = { NULL, 0 };

	c->pk = gnutls_pubkey_get_pk_algorithm(pub, &c->bits);
	if (c->pk == GNUTLS_PK_ECDSA && gnutls_pubkey_export_ecc_raw2(pub,
	    &c->curve, NULL, NULL, 0) < 0)
		c->curve = GNUTLS_ECC_CURVE_INVALID;
	if (c->pk == GNUTLS_PK_RSA && gnutls_pubkey_export_rsa_raw2(pub, NULL,
	    &e, GNUTLS_EXPORT_FLAG_NO_LZ) >= 0) {
		c->e_big = be_uint(&e, &c->e) != 0;
		gnutls_free(e.data);
	}
}

/* Read the key once: the key, key-usage and signature rules share it. */
static void
read_key(struct cert *c)
{
	gnutls_pubkey_t	 pub = NULL;

	c->pk = -1;
	if (gnutls_pubkey_init(&pub) < 0)
		return;
	if (gnutls_pubkey_import_x509(pub, c->crt, 0) >= 0)
		key_facts(pub, c);
	gnutls_pubkey_deinit(pub);
}

/* Our own copy, parsed from the DER: the only internal error policy has. */
static int
cert_load_der(const unsigned char *der, size_t len, struct cert *c,
    char **cause)
{
	int	 ret;

	memset(c, 0, sizeof *c);
	if (der == NULL || len == 0 || len > UINT32_MAX)
		return err_set(cause, "policy: no certificate");
	if ((c->der.data = gnutls_malloc(len)) == NULL)
		return err_set(cause, "policy: out of memory");
	memcpy(c->der.data, der, len);
	c->der.size = (unsigned)len;
	if ((ret = gnutls_x509_crt_init(&c->crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(c->crt, &c->der,
	    GNUTLS_X509_FMT_DER)) < 0) {
		cert_free(c);
		return err_set(cause, "policy: cannot read the certificate: %s",
		    gnutls_strerror(ret));
	}
	c->framed = frame(c) == 0;
	read_key(c);
	return 0;
}

static int
cert_load(gnutls_x509_crt_t crt, struct cert *c, char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	int		 ret;

	memset(c, 0, sizeof *c);
	if (crt == NULL)
		return err_set(cause, "policy: no certificate");
	if ((ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der)) < 0)
		return err_set(cause, "policy: cannot read the certificate: %s",
		    gnutls_strerror(ret));
	ret = cert_load_der(der.data, der.size, c, cause);
	gnutls_free(der.data);
	return ret;
}

/* An extension's value: 1 present, 0 absent, < 0 unreadable. */
static int
ext_get(gnutls_x509_crt_t crt, const char *oid, gnutls_datum_t *d,
    unsigned *critical)
{
	unsigned	 crit = 0;
	int		 ret;

	d->data = NULL;
	d->size = 0;
	ret = gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, d, &crit);
	if (critical != NULL)
		*critical = crit;
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	return ret < 0 ? ret : 1;
}

static const char *
gn_type(unsigned tag)
{
	switch (tag) {
	case GN_OTHER:
		return "an otherName";
	case GN_EMAIL:
		return "an email address";
	case GN_DNS:
		return "a dNSName";
	case GN_X400:
		return "an x400Address";
	case GN_DIR:
		return "a directoryName";
	case GN_EDI:
		return "an ediPartyName";
	case GN_URI:
		return "a URI";
	case GN_IP:
		return "an iPAddress";
	case GN_RID:
		return "a registeredID";
	default:
		return "an unknown name type";
	}
}

/*
 * What is wrong with the bytes of a name, for a message, or NULL: a NUL or
 * a control byte always; with ascii, a byte outside ASCII too.
 */
static const char *
bad_bytes(const void *s, size_t len, int ascii)
{
	const unsigned char	*p = s;

	if (memchr(p, '\0', len) != NULL)
		return "contains a NUL byte";
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return "contains a non-printable byte";
	for (size_t i = 0; ascii && i < len; i++)
		if (p[i] >= 0x80)
			return "contains a byte outside ASCII (international "
			    "names go in their xn-- form)";
	return NULL;
}

/*
 * The CRL distribution points: every fullName URI into urls; with f, a
 * finding for each point that is not a fullName URI. The number of points.
 */
static size_t
cdp_parse(const gnutls_datum_t *d, struct strv *urls, struct findings *f)
{
	struct der_cur	 all, dps, dp, dpn, names, v;
	unsigned	 tag;
	size_t		 n = 0;
	char		 q[QUOTE_LEN];
	const char	*why;

	all.p = d->data;
	all.len = d->size;
	if (der_expect(&all, 0x30, &dps, NULL) < 0 || all.len != 0)
		goto bad;
	while (dps.len > 0) {
		int	 named = 0;

		if (der_expect(&dps, 0x30, &dp, NULL) < 0)
			goto bad;
		n++;
		while (dp.len > 0) {
			if (der_take(&dp, &tag, &dpn, NULL) < 0)
				goto bad;
			if (tag != 0xa0)	/* reasons, cRLIssuer */
				continue;
			named = 1;
			if (der_take(&dpn, &tag, &names, NULL) < 0 ||
			    dpn.len != 0)
				goto bad;
			if (tag != 0xa0) {
				if (f != NULL)
					findings_add(f, "cdp", "distribution "
					    "point %zu is a name relative to the "
					    "CRL issuer, not a fullName URI",
					    n);
				continue;
			}
			while (names.len > 0) {
				if (der_take(&names, &tag, &v, NULL) < 0)
					goto bad;
				if (tag != GN_URI) {
					if (f != NULL)
						findings_add(f, "cdp",
						    "distribution point %zu "
						    "names %s, not a URI", n,
						    gn_type(tag));
				} else if ((why = bad_bytes(v.p, v.len, 1))
				    != NULL || v.len == 0) {
					if (f != NULL)
						findings_add(f, "cdp",
						    "distribution point %zu: "
						    "URI '%s' %s", n, quote(q,
						    v.p, v.len), why != NULL ?
						    why : "is empty");
				} else
					strv_add_take(urls, xstrndup(
					    (const char *)v.p, v.len));
			}
		}
		if (!named && f != NULL)
			findings_add(f, "cdp", "distribution point %zu has no "
			    "name (it must be a fullName URI)", n);
	}
	return n;
bad:
	if (f != NULL)
		findings_add(f, "cdp", "the CRL distribution points extension "
		    "is malformed");
	return n;
}

/* The certificate's extension oid (CDP or Freshest CRL), as cdp_parse. */
static size_t
read_cdp_oid(gnutls_x509_crt_t crt, const char *oid, struct strv *urls,
    struct findings *f)
{
	gnutls_datum_t	 d = { NULL, 0 };
	size_t		 n;
	int		 ret;

	if ((ret = ext_get(crt, oid, &d, NULL)) <= 0) {
		if (ret < 0 && f != NULL)
			findings_add(f, "cdp", "the CRL distribution points "
			    "are unreadable: %s", gnutls_strerror(ret));
		return 0;
	}
	n = cdp_parse(&d, urls, f);
	gnutls_free(d.data);
	return n;
}

static size_t
read_cdp(gnutls_x509_crt_t crt, struct strv *urls, struct findings *f)
{
	return read_cdp_oid(crt, OID_CDP, urls, f);
}

static void
rule_cdp(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	struct strv		 urls = { NULL, 0 };
	const struct strv	*extra;
	size_t			 n;
	int			 http = 0;

	n = read_cdp(c->crt, &urls, f);
	if (n == 0) {
		findings_add(f, "cdp", "no CRL distribution point (every "
		    "server certificate must carry one)");
		goto out;
	}
	for (size_t i = 0; i < urls.n; i++)
		http |= strncasecmp(urls.v[i], "http://", 7) == 0;
	if (!http)
		findings_add(f, "cdp", "no http:// CRL distribution point "
		    "(peers fetch CRLs over plain HTTP; an https-only CDP can "
		    "deadlock revocation checking)");
	if (ctx->conf != NULL)
		for (size_t i = 0; i < ctx->conf->cdp.n; i++)
			if (!strv_has(&urls, ctx->conf->cdp.v[i]))
				findings_add(f, "cdp", "the CA's CRL "
				    "distribution point %s is missing",
				    ctx->conf->cdp.v[i]);
	/* the profile's own, which no variable changes */
	extra = ctx->request != NULL ? &ctx->request->cdp :
	    ctx->profile != NULL ? &ctx->profile->cdp : NULL;
	for (size_t i = 0; extra != NULL && i < extra->n; i++)
		if (!strv_has(&urls, extra->v[i]))
			findings_add(f, "cdp", "the profile's CRL distribution "
			    "point %s is missing", extra->v[i]);
out:
	strv_free(&urls);
}

/* The EKU purposes: 1 present, 0 absent, -1 unreadable (with a finding). */
static int
read_eku(gnutls_x509_crt_t crt, struct strv *out, struct findings *f)
{
	gnutls_x509_key_purposes_t	 kp = NULL;
	gnutls_datum_t			 d = { NULL, 0 }, oid;
	int				 ret, rc = -1;

	if ((ret = ext_get(crt, OID_EKU, &d, NULL)) == 0)
		return 0;
	if (ret < 0 || (ret = gnutls_x509_key_purpose_init(&kp)) < 0 ||
	    (ret = gnutls_x509_ext_import_key_purposes(&d, kp, 0)) < 0) {
		findings_add(f, "eku", "extended key usage is unreadable: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	for (unsigned i = 0; gnutls_x509_key_purpose_get(kp, i, &oid) >= 0;
	    i++)
		strv_add_take(out, xstrndup((const char *)oid.data, oid.size));
	rc = 1;
out:
	if (kp != NULL)
		gnutls_x509_key_purpose_deinit(kp);
	gnutls_free(d.data);
	return rc;
}

/* "clientAuth (1.3.6.1.5.5.7.3.2)", or the OID alone if it has no name. */
static void
eku_label(const char *oid, char *buf, size_t len)
{
	const char	*name = eku_name(oid);

	if (name == oid)
		snprintf(buf, len, "%s", oid);
	else
		snprintf(buf, len, "%s (%s)", name, oid);
}

static void
rule_eku(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	char			 label[160];
	struct strv		 eku = { NULL, 0 };
	const struct strv	*want = NULL;
	const char		*whose = NULL;
	int			 ret;

	if (ctx->request != NULL && ctx->request->eku.n > 0) {
		want = &ctx->request->eku;
		whose = "role";	/* the role as the values bind it */
	} else if (ctx->profile != NULL && ctx->profile->eku.n > 0) {
		want = &ctx->profile->eku;
		whose = "role";
	}
	if ((ret = read_eku(c->crt, &eku, f)) <= 0) {
		if (ret == 0)
			findings_add(f, "eku", "no extended key usage "
			    "(serverAuth %s is required)", OID_SERVER_AUTH);
		goto out;
	}
	if (!strv_has(&eku, OID_SERVER_AUTH))
		findings_add(f, "eku", "serverAuth (%s) missing",
		    OID_SERVER_AUTH);
	if (strv_has(&eku, OID_ANY_EKU))
		findings_add(f, "eku", "anyExtendedKeyUsage (%s) is not "
		    "allowed: the purposes must be explicit", OID_ANY_EKU);
	if (want == NULL)
		goto out;
	for (size_t i = 0; i < want->n; i++)
		if (!strv_has(&eku, want->v[i]) &&
		    strcmp(want->v[i], OID_SERVER_AUTH) != 0) {
			eku_label(want->v[i], label, sizeof label);
			findings_add(f, "eku", "the %s's purpose %s is missing",
			    whose, label);
		}
	for (size_t i = 0; i < eku.n; i++)
		if (!strv_has(want, eku.v[i]) &&
		    strcmp(eku.v[i], OID_ANY_EKU) != 0) {
			eku_label(eku.v[i], label, sizeof label);
			findings_add(f, "eku", "purpose %s is not one of the "
			    "%s's", label, whose);
		}
out:
	strv_free(&eku);
}

static void
ku_text(char *buf, size_t len, unsigned ku)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} bits[] = {
		{ GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" },
		{ GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
		{ GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },
		{ GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
		{ GNUTLS_KEY_CRL_SIGN, "cRLSign" },
		{ GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly" },
		{ GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly" }
	};
	size_t	 o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if ((ku & bits[i].bit) && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o > 0 ? ", " : "", bits[i].name);
	if (o == 0)
		snprintf(buf, len, "none");
}

/*
 * Basic constraints: 1 present (is_ca, critical set), 0 absent, -1 unreadable.
 */
static int
read_bc(gnutls_x509_crt_t crt, int *is_ca, int *critical)
{
	unsigned	 crit = 0, ca = 0;
	int		 ret, pathlen;

	ret = gnutls_x509_crt_get_basic_constraints(crt, &crit, &ca, &pathlen);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0)
		return -1;
	*is_ca = ret > 0;
	*critical = crit != 0;
	return 1;
}

static void
rule_bc(const struct cert *c, struct findings *f)
{
	int	 is_ca = 0, critical = 0, ret;

	ret = read_bc(c->crt, &is_ca, &critical);
	if (ret == 0)
		findings_add(f, "basic-constraints", "basicConstraints missing "
		    "(a server certificate needs it, critical, CA:FALSE)");
	else if (ret < 0)
		findings_add(f, "basic-constraints", "basicConstraints is "
		    "unreadable");
	else {
		if (!critical)
			findings_add(f, "basic-constraints", "basicConstraints "
			    "is not critical");
		if (is_ca)
			findings_add(f, "basic-constraints", "CA:TRUE on a "
			    "server certificate");
	}
}

static void
rule_ku(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	unsigned	 ku = 0, critical = 0;
	char		 have[160], want[160];
	int		 ret;

	ret = gnutls_x509_crt_get_key_usage(c->crt, &ku, &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		findings_add(f, "key-usage", "keyUsage missing");
		return;
	}
	if (ret < 0) {
		findings_add(f, "key-usage", "keyUsage is unreadable: %s",
		    gnutls_strerror(ret));
		return;
	}
	if (!(ku & GNUTLS_KEY_DIGITAL_SIGNATURE))
		findings_add(f, "key-usage", "digitalSignature missing");
	if (c->pk == GNUTLS_PK_RSA && !(ku & GNUTLS_KEY_KEY_ENCIPHERMENT))
		findings_add(f, "key-usage", "keyEncipherment missing for an "
		    "RSA key");
	if (c->pk == GNUTLS_PK_ECDSA && (ku & GNUTLS_KEY_KEY_ENCIPHERMENT))
		findings_add(f, "key-usage", "keyEncipherment set for an EC "
		    "key (an EC key cannot encipher)");
	if (c->pk == GNUTLS_PK_RSA && (ku & GNUTLS_KEY_KEY_AGREEMENT))
		findings_add(f, "key-usage", "keyAgreement set for an RSA key "
		    "(an RSA key does not agree keys)");
	if (ku & (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN))
		findings_add(f, "key-usage", "keyCertSign/cRLSign on a server "
		    "certificate");
	if (ctx->request != NULL && ku != ctx->request->key_usage) {
		ku_text(have, sizeof have, ku);
		ku_text(want, sizeof want, ctx->request->key_usage);
		findings_add(f, "key-usage", "keyUsage is %s; the role gives "
		    "%s", have, want);
	} else if (ctx->request == NULL && ctx->profile != NULL &&
	    (c->pk == GNUTLS_PK_RSA || c->pk == GNUTLS_PK_ECDSA)) {
		/* without variables, the profile's, fitted to the key */
		struct keyspec	 k = { c->pk == GNUTLS_PK_RSA ? KEY_RSA :
				    KEY_EC, 0 };
		unsigned	 bits = profile_key_usage(ctx->profile, &k);

		if (ku != bits) {
			ku_text(have, sizeof have, ku);
			ku_text(want, sizeof want, bits);
			findings_add(f, "key-usage", "keyUsage is %s; role "
			    "%s's is %s", have, ctx->profile->name, want);
		}
	}
}

/*
 * A key identifier extension's bytes (allocated): 1, 0 absent, -1 unreadable.
 */
static int
read_ski(gnutls_x509_crt_t crt, gnutls_datum_t *id)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 ret;

	id->data = NULL;
	id->size = 0;
	if ((ret = ext_get(crt, OID_SKI, &d, NULL)) <= 0)
		return ret < 0 ? -1 : 0;
	ret = gnutls_x509_ext_import_subject_key_id(&d, id);
	gnutls_free(d.data);
	if (ret < 0 || id->size == 0) {
		gnutls_free(id->data);
		id->data = NULL;
		return -1;
	}
	return 1;
}

/* The AKI's keyIdentifier: 1, 0 absent, -1 unreadable, -2 no keyIdentifier. */
static int
read_aki(gnutls_x509_crt_t crt, gnutls_datum_t *id)
{
	gnutls_x509_aki_t	 aki = NULL;
	gnutls_datum_t		 d = { NULL, 0 }, v;
	int			 ret, rc = -1;

	id->data = NULL;
	id->size = 0;
	if ((ret = ext_get(crt, OID_AKI, &d, NULL)) <= 0)
		return ret < 0 ? -1 : 0;
	if (gnutls_x509_aki_init(&aki) < 0 ||
	    gnutls_x509_ext_import_authority_key_id(&d, aki, 0) < 0)
		goto out;
	if (gnutls_x509_aki_get_id(aki, &v) < 0 || v.size == 0) {
		rc = -2;
		goto out;
	}
	id->data = gnutls_malloc(v.size);
	if (id->data == NULL)
		abort();
	memcpy(id->data, v.data, v.size);
	id->size = v.size;
	rc = 1;
out:
	if (aki != NULL)
		gnutls_x509_aki_deinit(aki);
	gnutls_free(d.data);
	return rc;
}

static void
rule_ski(const struct cert *c, struct findings *f)
{
	gnutls_datum_t	 id;
	int		 ret;

	if ((ret = read_ski(c->crt, &id)) == 0)
		findings_add(f, "ski", "subjectKeyIdentifier missing");
	else if (ret < 0)
		findings_add(f, "ski", "subjectKeyIdentifier is unreadable or "
		    "empty");
	gnutls_free(id.data);
}

/*
 * The AKI against the issuer's SKI; required unless optional (a self-signed
 * CA may leave it out, and then matches against its own SKI).
 */
static void
rule_aki(const struct cert *c, gnutls_x509_crt_t issuer, int optional,
    struct findings *f)
{
	gnutls_datum_t	 aki = { NULL, 0 }, ski = { NULL, 0 };
	int		 ret;

	ret = read_aki(c->crt, &aki);
	if (ret == 0) {
		if (!optional)
			findings_add(f, "aki",
			    "authorityKeyIdentifier missing");
		goto out;
	}
	if (ret == -2) {
		findings_add(f, "aki", "authorityKeyIdentifier has no "
		    "keyIdentifier");
		goto out;
	}
	if (ret < 0) {
		findings_add(f, "aki", "authorityKeyIdentifier is unreadable");
		goto out;
	}
	if (issuer == NULL)
		goto out;
	if (read_ski(issuer, &ski) <= 0) {
		findings_add(f, "aki", "the issuer has no subjectKeyIdentifier "
		    "to match the authorityKeyIdentifier against");
		goto out;
	}
	if (aki.size != ski.size || memcmp(aki.data, ski.data, aki.size) != 0)
		findings_add(f, "aki", "authorityKeyIdentifier is not the "
		    "issuer's subjectKeyIdentifier");
out:
	gnutls_free(aki.data);
	gnutls_free(ski.data);
}

/* The issuer's name and the signature, each judged on its own. */
static void
rule_issuer(const struct cert *c, gnutls_x509_crt_t issuer,
    const struct ecsig *own, struct findings *f)
{
	gnutls_datum_t	 a = { NULL, 0 }, b = { NULL, 0 };
	gnutls_datum_t	 at = { NULL, 0 }, bt = { NULL, 0 };
	gnutls_datum_t	 tbs, sig;
	char		 q1[QUOTE_LEN], q2[QUOTE_LEN];
	int		 ret;

	if (gnutls_x509_crt_get_raw_issuer_dn(c->crt, &a) < 0 ||
	    gnutls_x509_crt_get_raw_dn(issuer, &b) < 0 || a.size != b.size ||
	    memcmp(a.data, b.data, a.size) != 0) {
		gnutls_x509_crt_get_issuer_dn3(c->crt, &at, 0);
		gnutls_x509_crt_get_dn3(issuer, &bt, 0);
		findings_add(f, "issuer", "the issuer name '%s' is not the "
		    "CA's subject '%s'", quote(q1, at.data, at.size),
		    quote(q2, bt.data, bt.size));
	}
	if (!c->framed) {
		findings_add(f, "issuer", "the certificate's outer structure "
		    "is malformed, so its signature cannot be checked");
		goto out;
	}
	/*
	 * The signed bytes with the issuer's public key, by hand: a
	 * trust-list verification would stop at a name mismatch, and would
	 * accept a self-signed certificate that is its own anchor without
	 * looking at its signature; gnutls_x509_crt_verify_data2 also judges
	 * the issuer's dates, which are not the signature's fault
	 * ("validity" speaks of them). Weak hashes verify here: "signature"
	 * refuses them.
	 */
	tbs.data = (unsigned char *)c->tbs.p;
	tbs.size = (unsigned)c->tbs.len;
	sig.data = (unsigned char *)c->sig.p;
	sig.size = (unsigned)c->sig.len;
	if ((ret = x509_verify_issued(issuer, own,
	    gnutls_x509_crt_get_signature_algorithm(c->crt), c->outer_alg.p,
	    c->outer_alg.len, &tbs, &sig)) < 0)
		findings_add(f, "issuer", "the signature does not verify with "
		    "the issuer's key (%s)", gnutls_strerror(ret));
out:
	gnutls_free(a.data);
	gnutls_free(b.data);
	gnutls_free(at.data);
	gnutls_free(bt.data);
}

static void
rule_aia(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	const struct conf	*conf = ctx->conf;
	struct strv		 issuers = { NULL, 0 }, ocsp = { NULL, 0 };
	gnutls_x509_aia_t	 aia = NULL;
	gnutls_datum_t		 d = { NULL, 0 }, oid, san;
	unsigned		 type;
	int			 ret;

	if (conf == NULL || conf->ca_issuers.n + conf->ocsp.n == 0)
		return;
	if ((ret = ext_get(c->crt, OID_AIA, &d, NULL)) < 0 ||
	    (ret > 0 && (gnutls_x509_aia_init(&aia) < 0 ||
	    gnutls_x509_ext_import_aia(&d, aia, 0) < 0))) {
		findings_add(f, "aia", "authorityInfoAccess is unreadable");
		goto out;
	}
	for (unsigned i = 0; aia != NULL &&
	    gnutls_x509_aia_get(aia, i, &oid, &type, &san) >= 0; i++) {
		char	*url;

		if (type != GNUTLS_SAN_URI)
			continue;
		url = xstrndup((const char *)san.data, san.size);
		if (oid.size == strlen(OID_CA_ISSUERS) &&
		    memcmp(oid.data, OID_CA_ISSUERS, oid.size) == 0)
			strv_add(&issuers, url);
		else if (oid.size == strlen(OID_OCSP) &&
		    memcmp(oid.data, OID_OCSP, oid.size) == 0)
			strv_add(&ocsp, url);
		free(url);
	}
	for (size_t i = 0; i < conf->ca_issuers.n; i++)
		if (!strv_has(&issuers, conf->ca_issuers.v[i]))
			findings_add(f, "aia", "caIssuers %s missing from "
			    "authorityInfoAccess", conf->ca_issuers.v[i]);
	for (size_t i = 0; i < conf->ocsp.n; i++)
		if (!strv_has(&ocsp, conf->ocsp.v[i]))
			findings_add(f, "aia", "OCSP %s missing from "
			    "authorityInfoAccess", conf->ocsp.v[i]);
out:
	if (aia != NULL)
		gnutls_x509_aia_deinit(aia);
	gnutls_free(d.data);
	strv_free(&issuers);
	strv_free(&ocsp);
}

/* The key's strength; with the role's spec, not weaker than that. */
static void
rule_key(const struct cert *c, unsigned min, const struct keyspec *role,
    struct findings *f)
{
	struct keyspec	 have = { 0, 0 };
	const char	*name;
	char		 h[32], w[32];

	if (c->pk == GNUTLS_PK_RSA) {
		if (c->bits < min) {
			findings_add(f, "key", "RSA key of %u bits (at least "
			    "%u)", c->bits, min);
			return;
		}
		/*
		 * FIPS 186-5 wants an odd e above 2^16; Go's crypto/rsa
		 * refuses one above 2^31 - 1, which OpenSSL and GnuTLS
		 * accept.
		 */
		if (c->e_big)
			findings_add(f, "key", "RSA public exponent of more "
			    "than 64 bits (an odd number from 65537 to "
			    "2147483647)");
		else if (c->e < RSA_E_MIN || c->e > RSA_E_MAX ||
		    c->e % 2 == 0)
			findings_add(f, "key", "RSA public exponent %llu (an "
			    "odd number from 65537 to 2147483647)",
			    (unsigned long long)c->e);
		have.alg = KEY_RSA;
		have.bits = c->bits;
	} else if (c->pk == GNUTLS_PK_ECDSA) {
		if (c->curve == GNUTLS_ECC_CURVE_SECP256R1 ||
		    c->curve == GNUTLS_ECC_CURVE_SECP384R1) {
			have.alg = KEY_EC;
			have.bits = c->curve == GNUTLS_ECC_CURVE_SECP256R1 ?
			    256 : 384;
		} else {
			name = gnutls_ecc_curve_get_name(c->curve);
			findings_add(f, "key", "EC key on curve %s (P-256 or "
			    "P-384 only)", name != NULL ? name : "unknown");
		}
	} else if (c->pk < 0)
		findings_add(f, "key", "the public key is unreadable");
	else {
		name = gnutls_pk_get_name((gnutls_pk_algorithm_t)c->pk);
		findings_add(f, "key", "%s key (RSA or EC P-256/P-384 only)",
		    name != NULL ? name : "unknown");
	}
	/*
	 * The role's key spec is what roleca makes for it; a key made by the
	 * server (a CSR's) may differ, but not be weaker: sign and check
	 * judge it the same way.
	 */
	if (role != NULL && role->alg != 0 && have.alg != 0 &&
	    keys_spec_weaker(&have, role))
		findings_add(f, "key", "the key is %s, weaker than the role's "
		    "%s", keys_spec_name(&have, h, sizeof h),
		    keys_spec_name(role, w, sizeof w));
}

/*
 * A critical extension that a client does not process makes it refuse the
 * certificate (RFC 5280, 4.2): only those that TLS clients process may be
 * critical. RFC 5280 requires the identifiers and AIA non-critical, and
 * OpenSSL refuses them critical.
 */
static void
rule_critical(const struct cert *c, struct findings *f)
{
	static const struct {
		const char	*oid;
		const char	*name;
	} known[] = {
		{ "2.5.29.15", NULL },		/* keyUsage */
		{ OID_SAN, NULL },
		{ "2.5.29.19", NULL },		/* basicConstraints */
		{ OID_CDP, NULL },
		{ "2.5.29.32", NULL },		/* certificatePolicies */
		{ OID_EKU, NULL },
		{ OID_SKI, "subjectKeyIdentifier" },
		{ OID_AKI, "authorityKeyIdentifier" },
		{ OID_AIA, "authorityInfoAccess" },
		{ OID_FRESHEST, "freshestCRL" }
	};
	char		 oid[128];
	size_t		 len, k;
	unsigned	 critical;

	for (unsigned i = 0;; i++) {
		len = sizeof oid;
		if (gnutls_x509_crt_get_extension_info(c->crt, i, oid, &len,
		    &critical) < 0)
			break;
		if (!critical)
			continue;
		for (k = 0; k < sizeof known / sizeof known[0]; k++)
			if (strcmp(oid, known[k].oid) == 0)
				break;
		if (k == sizeof known / sizeof known[0])
			findings_add(f, "extensions", "extension %s is "
			    "critical: a TLS client that does not process it "
			    "refuses the certificate", oid);
		else if (known[k].name != NULL)
			findings_add(f, "extensions", "%s (%s) is critical "
			    "(RFC 5280 requires it non-critical; OpenSSL "
			    "refuses the certificate)", known[k].name, oid);
	}
}

static void
rule_signature(const struct cert *c, struct findings *f)
{
	int		 sign = gnutls_x509_crt_get_signature_algorithm(c->crt);
	int		 hash, pk;
	char		 oid[128];
	size_t		 len = sizeof oid;
	const char	*name;

	if (gnutls_x509_crt_get_signature_oid(c->crt, oid, &len) < 0)
		snprintf(oid, sizeof oid, "unreadable");
	if (c->framed && (c->inner_alg.len != c->outer_alg.len ||
	    memcmp(c->inner_alg.p, c->outer_alg.p, c->inner_alg.len) != 0))
		findings_add(f, "signature", "the signature algorithm inside "
		    "the certificate differs from the outer one");
	if (strcmp(oid, OID_RSA_PSS) == 0 || (sign > 0 &&
	    gnutls_sign_get_pk_algorithm((gnutls_sign_algorithm_t)sign) ==
	    GNUTLS_PK_RSA_PSS)) {
		findings_add(f, "signature", "RSASSA-PSS signature: Skype for "
		    "Business does not support it (RSA signatures must be "
		    "PKCS#1 v1.5)");
		return;
	}
	if (sign <= 0 || sign == GNUTLS_SIGN_UNKNOWN) {
		findings_add(f, "signature", "unknown signature algorithm %s",
		    oid);
		return;
	}
	name = gnutls_sign_get_name((gnutls_sign_algorithm_t)sign);
	hash = gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)sign);
	pk = gnutls_sign_get_pk_algorithm((gnutls_sign_algorithm_t)sign);
	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA)
		findings_add(f, "signature", "%s signature (RSA PKCS#1 v1.5 or "
		    "ECDSA only)", name != NULL ? name : oid);
	if (hash != GNUTLS_DIG_SHA256 && hash != GNUTLS_DIG_SHA384 &&
	    hash != GNUTLS_DIG_SHA512)
		findings_add(f, "signature", "signed with %s (SHA-256, SHA-384 "
		    "or SHA-512 required; SHA-1 and MD5 are refused)",
		    name != NULL ? name : oid);
}

static void
rule_serial(const struct cert *c, struct findings *f)
{
	unsigned char	 buf[64];
	size_t		 len = sizeof buf, start = 0;
	int		 ret;

	ret = gnutls_x509_crt_get_serial(c->crt, buf, &len);
	if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER) {
		findings_add(f, "serial", "serial number longer than 20 "
		    "octets");
		return;
	}
	if (ret < 0 || len == 0) {
		findings_add(f, "serial", "serial number unreadable");
		return;
	}
	if (buf[0] & 0x80) {
		findings_add(f, "serial", "negative serial number");
		return;
	}
	while (start < len && buf[start] == 0)
		start++;
	if (start == len) {
		findings_add(f, "serial", "serial number zero");
		return;
	}
	if (len - start < 8)
		findings_add(f, "serial", "serial number of %zu octets (8 to "
		    "20, random)", len - start);
	if (len > 20)
		findings_add(f, "serial", "serial number of %zu octets (at "
		    "most 20)", len);
}

/*
 * max_days: the CA's lifetime cap, role_days the request's (else the
 * profile's) lifetime, 0 for none; issuer: notAfter's bound, or NULL.
 */
static void
rule_validity(const struct cert *c, time_t now, unsigned max_days,
    unsigned role_days, gnutls_x509_crt_t issuer, struct findings *f)
{
	time_t	 nb = gnutls_x509_crt_get_activation_time(c->crt);
	time_t	 na = gnutls_x509_crt_get_expiration_time(c->crt);
	time_t	 ina;
	char	 t1[48], t2[48];

	if (nb == (time_t)-1 || na == (time_t)-1) {
		findings_add(f, "validity", "the validity dates are "
		    "unreadable");
		return;
	}
	if (nb >= na) {
		utc_text(t1, sizeof t1, UTC_TEXT, nb);
		utc_text(t2, sizeof t2, UTC_TEXT, na);
		findings_add(f, "validity", "notBefore %s is not before "
		    "notAfter %s", t1, t2);
		return;
	}
	/*
	 * now == 0: no clock given, nothing to compare with. notAfter is
	 * inside the validity (RFC 5280, 4.1.2.5): expired once it is past.
	 */
	if (now != 0 && na < now) {
		utc_text(t1, sizeof t1, UTC_TEXT, na);
		findings_add(f, "validity", "expired on %s", t1);
	}
	if (now != 0 && nb > now + DAY) {
		utc_text(t1, sizeof t1, UTC_TEXT, nb);
		findings_add(f, "validity", "not valid until %s (more than a "
		    "day from now)", t1);
	}
	if (max_days > 0 && na - nb > (time_t)max_days * DAY + SKEW)
		findings_add(f, "validity", "lifetime of %lld days exceeds "
		    "the CA's maximum of %u days", (long long)((na - nb) / DAY),
		    max_days);
	if (role_days > 0 && na - nb > (time_t)role_days * DAY + SKEW)
		findings_add(f, "validity", "lifetime of %lld days exceeds "
		    "the role's %u days", (long long)((na - nb) / DAY),
		    role_days);
	if (issuer != NULL &&
	    (ina = gnutls_x509_crt_get_expiration_time(issuer)) != (time_t)-1 &&
	    na > ina) {
		utc_text(t1, sizeof t1, UTC_TEXT, na);
		utc_text(t2, sizeof t2, UTC_TEXT, ina);
		findings_add(f, "validity", "notAfter %s is beyond the issuing "
		    "CA's notAfter %s", t1, t2);
	}
}

static void
names_free(struct names *n)
{
	for (size_t i = 0; i < n->nsubject; i++) {
		free(n->subject[i].oid);
		free(n->subject[i].value);
	}
	free(n->subject);
	strv_free(&n->dns);
	strv_free(&n->ip);
}

static void
read_subject(gnutls_x509_crt_t crt, struct names *n)
{
	gnutls_x509_dn_t	 dn;
	gnutls_x509_ava_st	 ava;

	if (gnutls_x509_crt_get_subject(crt, &dn) < 0)
		return;
	for (int r = 0;; r++) {
		int	 a;

		for (a = 0; gnutls_x509_dn_get_rdn_ava(dn, r, a, &ava) == 0;
		    a++) {
			struct attr	*at;

			n->subject = xreallocarray(n->subject, n->nsubject + 1,
			    sizeof *n->subject);
			at = &n->subject[n->nsubject++];
			at->oid = xstrndup((const char *)ava.oid.data,
			    ava.oid.size);
			at->value = xmalloc(ava.value.size + 1);
			memcpy(at->value, ava.value.data, ava.value.size);
			at->value[ava.value.size] = '\0';
			at->len = ava.value.size;
			at->tag = ava.value_tag;
		}
		if (a == 0)
			break;
	}
}

/* A dNSName of len bytes into n, or a finding when its bytes are unfit. */
static void
add_dns(struct names *n, const void *p, size_t len, struct findings *f)
{
	char		 q[QUOTE_LEN];
	const char	*why;

	if (len == 0)
		findings_add(f, "names", "an empty dNSName");
	else if ((why = bad_bytes(p, len, 1)) != NULL)
		findings_add(f, "names", "dNSName '%s' %s", quote(q, p, len),
		    why);
	else
		strv_add_take(&n->dns, xstrndup(p, len));
}

/* The subjectAltName from its DER, with a finding for each unfit entry. */
static void
read_sans(gnutls_x509_crt_t crt, struct names *n, struct findings *f)
{
	gnutls_datum_t	 d = { NULL, 0 };
	struct der_cur	 all, sans, v;
	unsigned	 tag;
	char		 q[QUOTE_LEN], addr[INET6_ADDRSTRLEN];
	int		 ret;

	if ((ret = ext_get(crt, OID_SAN, &d, NULL)) <= 0) {
		if (ret < 0)
			findings_add(f, "names", "subjectAltName is "
			    "unreadable: %s", gnutls_strerror(ret));
		return;
	}
	all.p = d.data;
	all.len = d.size;
	if (der_expect(&all, 0x30, &sans, NULL) < 0 || all.len != 0)
		goto bad;
	while (sans.len > 0) {
		if (der_take(&sans, &tag, &v, NULL) < 0)
			goto bad;
		if (tag == GN_DNS)
			add_dns(n, v.p, v.len, f);
		else if (tag == GN_IP && (v.len == 4 || v.len == 16))
			strv_add(&n->ip, inet_ntop(v.len == 4 ? AF_INET :
			    AF_INET6, v.p, addr, sizeof addr));
		else if (tag == GN_IP)
			findings_add(f, "names", "an iPAddress of %zu octets "
			    "(4 or 16)", v.len);
		else if (tag == GN_EMAIL || tag == GN_URI)
			findings_add(f, "names", "subjectAltName carries %s "
			    "'%s' (a server certificate names hosts: dNSName "
			    "or iPAddress)", gn_type(tag), quote(q, v.p,
			    v.len));
		else
			findings_add(f, "names", "subjectAltName carries %s (a "
			    "server certificate names hosts: dNSName or "
			    "iPAddress)", gn_type(tag));
	}
	gnutls_free(d.data);
	return;
bad:
	findings_add(f, "names", "subjectAltName is malformed");
	gnutls_free(d.data);
}

/*
 * Does name s match template t, where each ${var} stands for one or more
 * characters? The template becomes a glob ("?*" per variable, matched
 * case-insensitively) and the glob is matched backtracking only to the
 * last star: O(|t| * |s|), never exponential.
 */
static int
tmpl_match(const char *t, const char *s)
{
	int		*tok;
	size_t		 nt = 0, ti = 0, si = 0, slen = strlen(s);
	size_t		 star = SIZE_MAX, mark = 0;
	const char	*e;
	int		 match;

	tok = xcalloc(2 * strlen(t) + 1, sizeof *tok);
	while (*t != '\0') {
		if (t[0] == '$' && t[1] == '{' &&
		    (e = strchr(t, '}')) != NULL) {
			tok[nt++] = TOK_ONE;
			tok[nt++] = TOK_STAR;
			t = e + 1;
		} else
			tok[nt++] = tolower((unsigned char)*t++);
	}
	while (si < slen) {
		if (ti < nt && (tok[ti] == TOK_ONE ||
		    tok[ti] == tolower((unsigned char)s[si]))) {
			ti++;
			si++;
		} else if (ti < nt && tok[ti] == TOK_STAR) {
			star = ti++;
			mark = si;
		} else if (star != SIZE_MAX) {
			ti = star + 1;
			si = ++mark;
		} else
			break;
	}
	while (ti < nt && tok[ti] == TOK_STAR)
		ti++;
	match = si == slen && ti == nt;
	free(tok);
	return match;
}

int
policy_name_matches(const char *tmpl, const char *name)
{
	return tmpl_match(tmpl, name);
}

/* Is s an IP address among ips (inet_ntop() text), in whatever spelling? */
static int
ip_listed(const struct strv *ips, const char *s)
{
	char		 buf[INET6_ADDRSTRLEN];
	const char	*ip = ip_text(s, buf);

	return ip != NULL && strv_has(ips, ip);
}

static void
names_exact(const struct names *n, const struct request *req,
    struct findings *f)
{
	struct strv	 want_ip = { NULL, 0 };
	char		 buf[INET6_ADDRSTRLEN], q1[QUOTE_LEN], q2[QUOTE_LEN];
	const char	*ip;

	for (size_t i = 0; i < req->dns.n; i++)
		if (!strv_has_icase(&n->dns, req->dns.v[i]))
			findings_add(f, "names", "dNSName '%s', which the role "
			    "gives, is missing", quote_str(q1, req->dns.v[i]));
	for (size_t i = 0; i < n->dns.n; i++)
		if (!strv_has_icase(&req->dns, n->dns.v[i]))
			findings_add(f, "names", "dNSName '%s' is not one the "
			    "role gives", quote_str(q1, n->dns.v[i]));
	for (size_t i = 0; i < req->ip.n; i++) {
		ip = ip_text(req->ip.v[i], buf);
		strv_add(&want_ip, ip != NULL ? ip : req->ip.v[i]);
		if (ip == NULL || !strv_has(&n->ip, ip))
			findings_add(f, "names", "IP address %s, which the "
			    "role gives, is missing", quote_str(q1,
			    req->ip.v[i]));
	}
	for (size_t i = 0; i < n->ip.n; i++)
		if (!strv_has(&want_ip, n->ip.v[i]))
			findings_add(f, "names", "IP address %s is not one the "
			    "role gives", n->ip.v[i]);
	strv_free(&want_ip);
	if (n->nsubject != req->subject.n) {
		findings_add(f, "names", "the subject has %zu attributes; the "
		    "role gives %zu", n->nsubject, req->subject.n);
		return;
	}
	for (size_t i = 0; i < n->nsubject; i++) {
		const struct attr	*a = &n->subject[i];
		const struct dn_attr	*r = &req->subject.v[i];

		/* X.520's matching rules for these ignore ASCII case */
		if (strcmp(a->oid, r->oid) != 0 || a->len != strlen(r->value) ||
		    memchr(a->value, '\0', a->len) != NULL ||
		    strncasecmp(a->value, r->value, a->len) != 0)
			findings_add(f, "names", "subject attribute %zu is "
			    "%s='%s'; the role gives %s='%s'", i + 1,
			    dn_name(a->oid), quote(q1, a->value, a->len),
			    dn_name(r->oid), quote_str(q2, r->value));
	}
}

int
policy_template_unmet(const struct profile *p, size_t i,
    const struct strv *dns)
{
	/* a template with an optional variable may be left out */
	if (profile_dns_optional(p, i))
		return 0;
	for (size_t j = 0; j < dns->n; j++)
		if (tmpl_match(p->dns[i].text, dns->v[j]))
			return 0;
	return 1;
}

int
policy_best_template(const struct profile *p, const struct profile_values *vs,
    const struct profile_tmpl *t, size_t n, const unsigned *used,
    int open_only, const char *name)
{
	struct strv	 pats = { NULL, 0 };
	size_t		 best_len = 0, literal;
	int		 best = -1, list, open;

	for (size_t i = 0; i < n; i++) {
		open = profile_tmpl_open(p, vs, &t[i], &list, &literal);
		if ((open_only && !open) || (!list && used[i] > 0))
			continue;
		strv_free(&pats);
		profile_tmpl_patterns(p, vs, t[i].text, &pats);
		for (size_t k = 0; k < pats.n; k++) {
			if (!tmpl_match(pats.v[k], name))
				continue;
			literal = profile_pattern_literal(pats.v[k]);
			if (best < 0 || literal > best_len) {
				best = (int)i;
				best_len = literal;
			}
		}
	}
	strv_free(&pats);
	return best;
}

/* Place name as sign would, in per[] of the template it takes. */
static int
place_name(const struct profile *p, const struct profile_values *none,
    unsigned *used, struct strv *per, const char *name)
{
	int	 best = policy_best_template(p, none, p->dns, p->ndns, used, 0,
		    name);

	if (best < 0)
		return -1;
	used[best]++;
	strv_add(&per[best], name);
	return 0;
}

/*
 * The names judged by the role alone, as sign places a request's: each
 * template the role needs is filled, each name fits a template (the CN
 * the subject's), and each variable has one value, a list variable the
 * same values in every template that uses it.
 */
static void
names_pattern(const struct names *n, const struct profile *p, const char *cn,
    struct findings *f)
{
	struct profile_values	 none = { 0 };
	struct strv		*per = xcalloc(p->ndns + 1, sizeof *per);
	unsigned		*used = xcalloc(p->ndns + 1, sizeof *used);
	struct list_gap		 gap;
	const char		*ct = profile_cn_template(p);
	char			 q[QUOTE_LEN], q2[QUOTE_LEN], q3[QUOTE_LEN],
				 q4[QUOTE_LEN];
	int			 cn_fits = cn == NULL || ct == NULL ||
				    tmpl_match(ct, cn);

	if (!cn_fits)
		findings_add(f, "names", "the CN '%s' does not fit the role's "
		    "subject CN '%s'", quote_str(q, cn), quote_str(q2, ct));
	for (size_t i = 0; i < p->ndns; i++)
		if (policy_template_unmet(p, i, &n->dns))
			findings_add(f, "names", "no name for '%s' (the role "
			    "needs it)", quote_str(q, p->dns[i].text));
	/* the CN first, as sign places it: it names the server */
	if (cn != NULL && strv_has_icase(&n->dns, cn))
		(void)place_name(p, &none, used, per, cn);
	for (size_t j = 0; j < n->dns.n; j++) {
		if (cn != NULL && strcasecmp(n->dns.v[j], cn) == 0)
			continue;
		if (place_name(p, &none, used, per, n->dns.v[j]) != 0)
			findings_add(f, "names", "dNSName '%s' takes none of "
			    "the places role %s gives names", quote_str(q,
			    n->dns.v[j]), p->name);
	}
	if (profile_values_agree(p, &none, per, cn_fits ? cn : NULL, &gap)) {
		if (gap.other != NULL)
			findings_add(f, "names", "%s is '%s' in '%s' but "
			    "'%s' in '%s' (a variable has one value)", gap.var,
			    quote_str(q, gap.value), quote_str(q2, gap.in),
			    quote_str(q3, gap.other), quote_str(q4, gap.out));
		else
			findings_add(f, "names", "%s '%s' in '%s' but not in "
			    "'%s' (each value of a list variable goes in every "
			    "template that uses it)", gap.var, quote_str(q,
			    gap.value), quote_str(q2, gap.in), quote_str(q3,
			    gap.out));
	}
	for (size_t i = 0; i < p->ndns; i++)
		strv_free(&per[i]);
	free(per);
	free(used);
	free(gap.value);
	free(gap.other);
}

/* Why a wildcard or an IP address is not allowed, or NULL if it is. */
static const char *
refused_by(const struct policy_ctx *ctx, int ca_allows, int profile_allows)
{
	if (ctx->conf != NULL && !ca_allows)
		return "the CA's policy does not allow them";
	if (ctx->profile != NULL && !profile_allows)
		return "the profile does not allow them";
	return NULL;
}

static char *
domains_text(const struct ca_policy *p)
{
	char	*out = xstrdup(""), *tmp;

	for (size_t i = 0; i < p->domains.n; i++) {
		xasprintf(&tmp, "%s%s%s", out, i > 0 ? ", " : "",
		    p->domains.v[i]);
		free(out);
		out = tmp;
	}
	return out;
}

/* The bytes of an attribute fit its string type, or why not. */
static const char *
bad_string(const struct attr *a)
{
	switch (a->tag) {
	case 12:	/* UTF8String */
		if (!utf8_valid(a->value, a->len))
			return "is not valid UTF-8 (it is a UTF8String)";
		break;
	case 19:	/* PrintableString */
		if (!asn1_printable(a->value, a->len))
			return "holds characters a PrintableString cannot";
		break;
	case 22:	/* IA5String */
		for (size_t i = 0; i < a->len; i++)
			if ((unsigned char)a->value[i] >= 0x80)
				return "holds bytes outside ASCII (it is an "
				    "IA5String)";
		break;
	}
	return NULL;
}

/*
 * Every subject attribute: content valid for its string type (a
 * UTF8String that is not UTF-8 makes a certificate OpenSSL cannot read)
 * and, for the attributes roleca knows, RFC 5280's bounds, C's two
 * letters. The CN's NUL and control bytes are judged with the names.
 */
static void
rule_attrs(const struct names *n, struct findings *f)
{
	const struct attr	*a;
	const char		*why;
	char			 q[QUOTE_LEN], buf[128];

	for (size_t i = 0; i < n->nsubject; i++) {
		a = &n->subject[i];
		if ((why = bad_string(a)) != NULL) {
			findings_add(f, "names", "subject %s '%s' %s",
			    dn_name(a->oid), quote(q, a->value, a->len), why);
			continue;
		}
		/* other string types (BMPString...) are not text as stored */
		if (dn_max_chars(a->oid) == 0 || (a->tag != 0 && a->tag != 12 &&
		    a->tag != 19 && a->tag != 22))
			continue;
		if (strcmp(a->oid, OID_CN) == 0 &&
		    bad_bytes(a->value, a->len, 0) != NULL)
			continue;
		if (memchr(a->value, '\0', a->len) != NULL)
			findings_add(f, "names", "subject %s '%s' contains a "
			    "NUL byte", dn_name(a->oid), quote(q, a->value,
			    a->len));
		else if (dn_value_check(a->oid, a->value, buf, sizeof buf) != 0)
			findings_add(f, "names", "subject %s '%s' %s",
			    dn_name(a->oid), quote(q, a->value, a->len), buf);
	}
}

/* The name rules on names read from a certificate or a request. */
static void
judge_names(const struct names *n, const struct policy_ctx *ctx,
    struct findings *f)
{
	const struct ca_policy	*pol = ctx->conf != NULL ?
				    &ctx->conf->policy : NULL;
	const struct attr	*cn = NULL;
	const char		*why = NULL;
	char			*domains = NULL;
	char			 q[QUOTE_LEN];
	int			 ncn = 0;

	rule_attrs(n, f);
	if (pol != NULL)
		domains = domains_text(pol);
	for (size_t i = 0; i < n->nsubject; i++)
		if (strcmp(n->subject[i].oid, OID_CN) == 0) {
			cn = &n->subject[i];
			ncn++;
		}
	if (ncn == 0)
		findings_add(f, "names", "the subject has no CN");
	else if (ncn > 1)
		findings_add(f, "names", "the subject has %d CNs (exactly one)",
		    ncn);
	else if (cn->len == 0)
		findings_add(f, "names", "the subject CN is empty");
	else if ((why = bad_bytes(cn->value, cn->len, 0)) != NULL)
		findings_add(f, "names", "the subject CN '%s' %s",
		    quote(q, cn->value, cn->len), why);
	/* only a well-formed CN is compared with the names below */
	if (ncn != 1 || cn->len == 0 || why != NULL)
		cn = NULL;

	for (size_t i = 0; i < n->dns.n; i++) {
		const char *d = n->dns.v[i];

		if (!policy_dns_valid(d, 1))
			findings_add(f, "names", "dNSName '%s' is not a valid "
			    "host name", quote_str(q, d));
		else if (d[0] == '*' && (why = refused_by(ctx,
		    pol != NULL && pol->allow_wildcard, ctx->profile != NULL &&
		    ctx->profile->allow_wildcard)) != NULL)
			findings_add(f, "names", "wildcard dNSName '%s' is not "
			    "allowed (%s)", d, why);
		if (pol != NULL && !conf_domain_permitted(pol, d))
			findings_add(f, "names", "dNSName '%s' is outside the "
			    "permitted domains (%s)", quote_str(q, d), domains);
	}
	if (n->ip.n > 0 && (why = refused_by(ctx, pol != NULL && pol->allow_ip,
	    ctx->profile != NULL && ctx->profile->allow_ip)) != NULL)
		for (size_t i = 0; i < n->ip.n; i++)
			findings_add(f, "names", "IP address %s is not allowed "
			    "(%s)", n->ip.v[i], why);

	if (cn != NULL && n->dns.n > 0 && !strv_has_icase(&n->dns, cn->value) &&
	    !ip_listed(&n->ip, cn->value))
		findings_add(f, "names", "the CN '%s' is not among the "
		    "dNSNames (clients match the subjectAltName only)",
		    quote(q, cn->value, cn->len));
	/*
	 * Beside IP addresses alone, a host name CN is a name that only some
	 * clients match (OpenSSL does; browsers and others read the
	 * subjectAltName only): it is to be a dNSName too.
	 */
	if (cn != NULL && n->dns.n == 0 && n->ip.n > 0 &&
	    !ip_listed(&n->ip, cn->value))
		findings_add(f, "names", "the CN '%s' is not in the "
		    "subjectAltName, which holds only IP addresses (clients "
		    "match the subjectAltName only): list it as a dNSName too",
		    quote(q, cn->value, cn->len));
	/*
	 * With no dNSName, clients match a host name against the CN (RFC
	 * 6125 6.4.4; OpenSSL and GnuTLS do), so it is judged as one: a
	 * valid host name, a wildcard only where allowed; its domain below.
	 */
	if (cn != NULL && n->dns.n == 0 && !ip_listed(&n->ip, cn->value)) {
		if (bad_bytes(cn->value, cn->len, 1) != NULL)
			findings_add(f, "names", "the CN '%s' is the only name "
			    "but holds bytes outside ASCII (an "
			    "international host name goes in its xn-- form)",
			    quote(q, cn->value, cn->len));
		else if (!policy_dns_valid(cn->value, 1))
			findings_add(f, "names", "the CN '%s' is not a valid "
			    "host name (with no dNSName, clients match the CN)",
			    quote(q, cn->value, cn->len));
		else if (cn->value[0] == '*' && (why = refused_by(ctx,
		    pol != NULL && pol->allow_wildcard, ctx->profile != NULL &&
		    ctx->profile->allow_wildcard)) != NULL)
			findings_add(f, "names", "wildcard CN '%s' is not "
			    "allowed (%s)", cn->value, why);
	}
	/* a CN that is a dNSName too was judged as one above */
	if (cn != NULL && pol != NULL && policy_dns_valid(cn->value, 1) &&
	    !strv_has_icase(&n->dns, cn->value) &&
	    !conf_domain_permitted(pol, cn->value))
		findings_add(f, "names", "the CN '%s' is outside the permitted "
		    "domains (%s)", cn->value, domains);

	if (ctx->request != NULL)
		names_exact(n, ctx->request, f);
	else if (ctx->profile != NULL)
		names_pattern(n, ctx->profile, cn != NULL && ncn == 1 ?
		    cn->value : NULL, f);
	free(domains);
}

static void
rule_names(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	struct names	 n;

	memset(&n, 0, sizeof n);
	read_subject(c->crt, &n);
	read_sans(c->crt, &n, f);
	judge_names(&n, ctx, f);
	names_free(&n);
}

void
policy_check_names(const struct request *req, const struct policy_ctx *ctx,
    struct findings *f)
{
	struct policy_ctx	 c = *ctx;
	struct names		 n;
	char			 buf[INET6_ADDRSTRLEN], q[QUOTE_LEN];
	const char		*ip;

	memset(&n, 0, sizeof n);
	n.subject = xcalloc(req->subject.n, sizeof *n.subject);
	for (size_t i = 0; i < req->subject.n; i++) {
		struct attr	*a = &n.subject[n.nsubject++];

		a->oid = xstrdup(req->subject.v[i].oid);
		a->value = xstrdup(req->subject.v[i].value);
		a->len = strlen(a->value);
		a->tag = 0;
	}
	for (size_t i = 0; i < req->dns.n; i++)
		add_dns(&n, req->dns.v[i], strlen(req->dns.v[i]), f);
	for (size_t i = 0; i < req->ip.n; i++) {
		if ((ip = ip_text(req->ip.v[i], buf)) != NULL)
			strv_add(&n.ip, ip);
		else
			findings_add(f, "names", "'%s' is not an IP address",
			    quote_str(q, req->ip.v[i]));
	}
	/* the request is what is judged, not what it is compared with */
	c.request = NULL;
	judge_names(&n, &c, f);
	names_free(&n);
}

static char	*subject_of(gnutls_x509_crt_t);

/*
 * The key of a CA above (the issuer, or any of its chain) certified for a
 * server would put that CA's private key on the server. Certificates
 * given without their keys read beforehand (check's) count when they are
 * CA certificates.
 */
static void
rule_ca_key(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	const gnutls_x509_crt_t	*chain = ctx->chain;
	const unsigned char	*mine, *theirs;
	unsigned char		*copy = NULL;
	size_t			 n = ctx->nchain, mlen, tlen;
	char			*who;
	int			 is_ca = 0, critical = 0;

	if (n == 0 && ctx->issuer != NULL) {
		chain = &ctx->issuer;
		n = 1;
	}
	if (x509_der_spki(c->der.data, c->der.size, &mine, &mlen) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (chain == ctx->chain && ctx->chain_spki != NULL) {
			theirs = ctx->chain_spki[i].der;
			tlen = ctx->chain_spki[i].len;
		} else if ((chain[i] == ctx->issuer || (read_bc(chain[i],
		    &is_ca, &critical) > 0 && is_ca)) && x509_crt_spki(chain[i],
		    &copy, &tlen, NULL) == 0)
			theirs = copy;
		else
			continue;
		if (tlen == mlen && memcmp(theirs, mine, mlen) == 0) {
			who = subject_of(chain[i]);
			findings_add(f, "key", "the key is that of the CA "
			    "'%s': a CA's key stays on the CA (give the server "
			    "a key of its own)", who);
			free(who);
			free(copy);
			return;
		}
		free(copy);
		copy = NULL;
	}
}

/* Every leaf rule, on the copy c. */
static void
judge_leaf(const struct cert *c, const struct policy_ctx *ctx,
    struct findings *f)
{
	unsigned	 min = MIN_RSA_BITS;

	if (ctx->conf != NULL && ctx->conf->policy.min_rsa_bits > min)
		min = ctx->conf->policy.min_rsa_bits;
	rule_cdp(c, ctx, f);
	rule_eku(c, ctx, f);
	rule_bc(c, f);
	rule_ku(c, ctx, f);
	rule_ski(c, f);
	rule_aki(c, ctx->issuer, 0, f);
	if (ctx->issuer != NULL)
		rule_issuer(c, ctx->issuer, ctx->own, f);
	rule_aia(c, ctx, f);
	rule_key(c, min, ctx->profile != NULL ? &ctx->profile->key : NULL, f);
	rule_ca_key(c, ctx, f);
	rule_signature(c, f);
	rule_critical(c, f);
	rule_serial(c, f);
	rule_validity(c, ctx->now, ctx->conf != NULL ?
	    ctx->conf->policy.max_validity_days : 0, ctx->request != NULL ?
	    ctx->request->validity_days : ctx->profile != NULL ?
	    ctx->profile->validity_days : 0, ctx->issuer, f);
	rule_names(c, ctx, f);
}

int
policy_check(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, char **cause)
{
	struct policy_ctx	 none = { 0 };
	struct cert		 c;
	int			 rc = ERR_FAIL;

	TRY(cert_load(crt, &c, cause));
	judge_leaf(&c, ctx != NULL ? ctx : &none, f);
	rc = 0;
out:
	cert_free(&c);
	return rc;
}

int
policy_check_der(const unsigned char *der, size_t len,
    const struct policy_ctx *ctx, struct findings *f,
    gnutls_x509_crt_t *judged, char **cause)
{
	struct policy_ctx	 none = { 0 };
	struct cert		 c;
	int			 rc = ERR_FAIL;

	if (judged != NULL)
		*judged = NULL;
	TRY(cert_load_der(der, len, &c, cause));
	judge_leaf(&c, ctx != NULL ? ctx : &none, f);
	if (judged != NULL) {
		*judged = c.crt;
		c.crt = NULL;
	}
	rc = 0;
out:
	cert_free(&c);
	return rc;
}

/* The same DER? */
static int
same_cert(const struct cert *c, gnutls_x509_crt_t other)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 same;

	same = gnutls_x509_crt_export2(other, GNUTLS_X509_FMT_DER, &d) >= 0 &&
	    d.size == c->der.size && memcmp(d.data, c->der.data, d.size) == 0;
	gnutls_free(d.data);
	return same;
}

/* Issuer and subject names the same bytes? */
static int
self_issued(const struct cert *c)
{
	gnutls_datum_t	 a = { NULL, 0 }, b = { NULL, 0 };
	int		 same;

	same = gnutls_x509_crt_get_raw_issuer_dn(c->crt, &a) >= 0 &&
	    gnutls_x509_crt_get_raw_dn(c->crt, &b) >= 0 && a.size == b.size &&
	    memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	return same;
}

int
policy_check_ca(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, char **cause)
{
	struct policy_ctx	 none = { 0 };
	struct cert		 c;
	struct names		 n;
	struct strv		 eku = { NULL, 0 };
	gnutls_x509_crt_t	 issuer;
	unsigned		 ku = 0, critical = 0, ica = 0;
	int			 is_ca = 0, bc_critical = 0, ret, self;
	int			 pathlen = -1, rc = ERR_FAIL;

	if (ctx == NULL)
		ctx = &none;
	memset(&n, 0, sizeof n);
	TRY(cert_load(crt, &c, cause));
	/* without an issuer, only a self-issued certificate can be verified */
	if (ctx->issuer != NULL)
		self = same_cert(&c, ctx->issuer);
	else
		self = self_issued(&c);
	issuer = ctx->issuer != NULL && !self ? ctx->issuer : NULL;

	if (issuer != NULL && gnutls_x509_crt_get_basic_constraints(issuer,
	    &critical, &ica, &pathlen) > 0 && pathlen == 0)
		findings_add(f, "basic-constraints", "the issuing CA's path "
		    "length is 0: it may not sign another CA");
	if ((ret = read_bc(c.crt, &is_ca, &bc_critical)) <= 0)
		findings_add(f, "basic-constraints", "basicConstraints %s (a "
		    "CA needs it, critical, CA:TRUE)", ret == 0 ? "missing" :
		    "unreadable");
	else {
		if (!is_ca)
			findings_add(f, "basic-constraints", "CA:TRUE missing: "
			    "not a CA certificate");
		if (!bc_critical)
			findings_add(f, "basic-constraints", "basicConstraints "
			    "is not critical");
	}
	ret = gnutls_x509_crt_get_key_usage(c.crt, &ku, &critical);
	if (ret < 0)
		findings_add(f, "key-usage", "keyUsage %s (a CA needs "
		    "keyCertSign and cRLSign)", ret ==
		    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE ? "missing" :
		    "unreadable");
	else {
		if (!(ku & GNUTLS_KEY_KEY_CERT_SIGN))
			findings_add(f, "key-usage", "keyCertSign missing");
		if (!(ku & GNUTLS_KEY_CRL_SIGN))
			findings_add(f, "key-usage", "cRLSign missing");
	}
	if (read_eku(c.crt, &eku, f) > 0)
		findings_add(f, "eku", "a CA certificate carries no EKU (an "
		    "EKU on a CA constrains every leaf below it)");
	rule_ski(&c, f);
	if (issuer != NULL) {
		rule_aki(&c, issuer, 0, f);
		rule_issuer(&c, issuer, ctx->own, f);
	} else if (self) {
		rule_aki(&c, c.crt, 1, f);
		rule_issuer(&c, c.crt, NULL, f);
	}
	rule_key(&c, MIN_RSA_BITS, NULL, f);
	rule_signature(&c, f);
	rule_serial(&c, f);
	rule_validity(&c, ctx->now, 0, 0, issuer, f);
	/* its subject is every leaf's issuer name: readable text too */
	read_subject(c.crt, &n);
	rule_attrs(&n, f);
	rc = 0;
out:
	names_free(&n);
	strv_free(&eku);
	cert_free(&c);
	return rc;
}

/* A subject and a key other than the parent's. */
static void
check_parent(gnutls_x509_crt_t crt, gnutls_x509_crt_t parent,
    struct findings *f)
{
	gnutls_datum_t	 a = { NULL, 0 }, b = { NULL, 0 };
	unsigned char	 k1[64], k2[64];
	size_t		 l1 = sizeof k1, l2 = sizeof k2;
	char		 q[QUOTE_LEN];

	if (gnutls_x509_crt_get_raw_dn(crt, &a) >= 0 &&
	    gnutls_x509_crt_get_raw_dn(parent, &b) >= 0 && a.size == b.size &&
	    memcmp(a.data, b.data, a.size) == 0) {
		gnutls_free(a.data);
		a.data = NULL;
		gnutls_x509_crt_get_dn3(crt, &a, 0);
		findings_add(f, "subject", "'%s' is the parent CA's subject "
		    "too: the two CAs' certificates and CRLs could not be told "
		    "apart", quote(q, a.data, a.size));
	}
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, k1,
	    &l1) >= 0 && gnutls_x509_crt_get_key_id(parent,
	    GNUTLS_KEYID_USE_SHA256, k2, &l2) >= 0 && l1 == l2 &&
	    memcmp(k1, k2, l1) == 0)
		findings_add(f, "key", "the key is the parent CA's own: a "
		    "subordinate needs a key of its own");
	gnutls_free(a.data);
	gnutls_free(b.data);
}

void
policy_check_ca_key(gnutls_pubkey_t pub, struct findings *f)
{
	struct cert	 c;

	memset(&c, 0, sizeof c);
	key_facts(pub, &c);
	rule_key(&c, MIN_RSA_BITS, NULL, f);
}

/* The subject of crt as text, for a finding (allocated). */
static char *
subject_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		 q[QUOTE_LEN], *s;

	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0)
		return xstrdup("?");
	s = xstrdup(quote(q, d.data, d.size));
	gnutls_free(d.data);
	return s;
}

/* crt's pathLenConstraint; -1 when it has none. */
static int
path_len(gnutls_x509_crt_t crt)
{
	unsigned	 critical, ca;
	int		 pl = -1;

	if (gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pl) <= 0)
		return -1;
	return pl;
}

/* Room for a CA whose pathLenConstraint is pathlen (-1: none) below chain. */
static void
check_depth(const gnutls_x509_crt_t *chain, size_t n, int pathlen,
    struct findings *f)
{
	long		 room = -1;	/* CAs the new one may have below it */
	unsigned	 critical, ca;
	int		 pl;
	char		*who;

	for (size_t i = 0; i < n; i++) {
		pl = -1;
		if (gnutls_x509_crt_get_basic_constraints(chain[i], &critical,
		    &ca, &pl) <= 0 || pl < 0)
			continue;
		/* below chain[i]: chain[i-1] .. chain[0], then the new CA */
		if ((long)pl < (long)i + 1) {
			if (i > 0) {
				who = subject_of(chain[i]);
				findings_add(f, "basic-constraints", "'%s', "
				    "%zu above the issuing CA, has path length "
				    "%d: it allows no CA this far below it",
				    who, i, pl);
				free(who);
			}
			return;
		}
		if (room < 0 || pl - ((long)i + 1) < room)
			room = pl - ((long)i + 1);
	}
	if (room >= 0 && pathlen < 0)
		findings_add(f, "basic-constraints", "no path length (any "
		    "number of CAs below) is more than the CAs above allow (at "
		    "most %ld)", room);
	else if (room >= 0 && pathlen > room)
		findings_add(f, "basic-constraints", "path length %d is more "
		    "than the CAs above allow (at most %ld)", pathlen, room);
}

void
policy_check_below(gnutls_x509_crt_t crt, const gnutls_x509_crt_t *chain,
    size_t n, struct findings *f)
{
	if (n == 0)
		return;
	check_parent(crt, chain[0], f);
	check_depth(chain, n, path_len(crt), f);
}

int
policy_check_issuers(const gnutls_x509_crt_t *chain, size_t n,
    struct findings *f, char **cause)
{
	struct cert	 c;
	unsigned	 ku = 0, critical = 0;
	int		 is_ca = 0, bc_critical = 0, rc = ERR_FAIL;
	char		*who;

	memset(&c, 0, sizeof c);
	for (size_t i = 1; i < n; i++) {
		who = subject_of(chain[i]);
		if (read_bc(chain[i], &is_ca, &bc_critical) <= 0 || !is_ca)
			findings_add(f, "basic-constraints", "issuer %zu, "
			    "'%s', is not a CA certificate (CA:TRUE missing)",
			    i, who);
		if (gnutls_x509_crt_get_key_usage(chain[i], &ku,
		    &critical) >= 0 && !(ku & GNUTLS_KEY_KEY_CERT_SIGN))
			findings_add(f, "key-usage", "issuer %zu, '%s', may "
			    "not sign certificates (keyCertSign missing)", i,
			    who);
		free(who);
		if (i < 2)
			continue;
		TRY(cert_load(chain[i - 1], &c, cause));
		rule_issuer(&c, chain[i], NULL, f);
		cert_free(&c);
		memset(&c, 0, sizeof c);
	}
	rc = 0;
out:
	cert_free(&c);
	return rc;
}

int
policy_check_chain(const gnutls_x509_crt_t *chain, size_t n,
    const gnutls_x509_crt_t *cas, size_t ncas, time_t now,
    struct findings *f, char **cause)
{
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_x509_crt_t		*copies = NULL;
	gnutls_datum_t			 d = { NULL, 0 }, text = { NULL, 0 };
	unsigned			 status = 0;
	int				 rc = ERR_FAIL, ret;

	(void)now;
	if ((ret = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
		rc = err_set(cause, "trust list: %s", gnutls_strerror(ret));
		goto out;
	}
	/* the list takes ownership of its anchors: give it copies */
	copies = xcalloc(ncas + 1, sizeof *copies);
	for (size_t i = 0; i < ncas; i++) {
		if ((ret = gnutls_x509_crt_export2(cas[i], GNUTLS_X509_FMT_DER,
		    &d)) < 0 || (ret = gnutls_x509_crt_init(&copies[i])) < 0 ||
		    (ret = gnutls_x509_crt_import(copies[i], &d,
		    GNUTLS_X509_FMT_DER)) < 0) {
			rc = err_set(cause, "trust anchor: %s",
			    gnutls_strerror(ret));
			goto out;
		}
		gnutls_free(d.data);
		d.data = NULL;
	}
	if ((ret = gnutls_x509_trust_list_add_cas(tl, copies, (unsigned)ncas,
	    0)) < 0) {
		rc = err_set(cause, "trust anchors: %s", gnutls_strerror(ret));
		goto out;
	}
	free(copies);
	copies = NULL;
	ret = gnutls_x509_trust_list_verify_crt2(tl, (gnutls_x509_crt_t *)chain,
	    (unsigned)n, NULL, 0, 0, &status, NULL);
	if (ret < 0) {
		rc = err_set(cause, "verify chain: %s", gnutls_strerror(ret));
		goto out;
	}
	if (status != 0) {
		gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0);
		findings_add(f, "chain", "does not verify to the given CA: "
		    "%.*s", (int)text.size, (char *)text.data);
	}
	rc = 0;
out:
	gnutls_free(text.data);
	gnutls_free(d.data);
	if (copies != NULL) {
		for (size_t i = 0; i < ncas; i++)
			if (copies[i] != NULL)
				gnutls_x509_crt_deinit(copies[i]);
		free(copies);
	}
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	return rc;
}

void
policy_check_host(gnutls_x509_crt_t crt, const char *name, struct findings *f)
{
	char	 q[QUOTE_LEN];

	/* GnuTLS matches an address against the iPAddress entries */
	if (!gnutls_x509_crt_check_hostname2(crt, name, 0))
		findings_add(f, "names", "the certificate does not name '%s', "
		    "the name the client asked for", quote_str(q, name));
}

void
policy_check_expiry(gnutls_x509_crt_t crt, time_t now, unsigned warn_days,
    struct findings *f)
{
	time_t	 na = gnutls_x509_crt_get_expiration_time(crt);

	if (warn_days > 0 && na >= now && na - now < (time_t)warn_days * DAY)
		findings_add(f, "expiry", "expires in %lld days (warning at "
		    "%u)", days_left(na, now), warn_days);
}

/* The http:// URLs of all, which is freed. */
static void
http_only(struct strv *all, struct strv *out)
{
	for (size_t i = 0; i < all->n; i++)
		if (strncasecmp(all->v[i], "http://", 7) == 0)
			strv_add(out, all->v[i]);
	strv_free(all);
}

/* The http:// URLs of the extension oid (CDP or Freshest CRL). */
static void
http_urls(gnutls_x509_crt_t crt, const char *oid, struct strv *out)
{
	struct strv	 all = { NULL, 0 };

	read_cdp_oid(crt, oid, &all, NULL);
	http_only(&all, out);
}

void
policy_cdp_urls(gnutls_x509_crt_t crt, struct strv *out)
{
	http_urls(crt, OID_CDP, out);
}

void
policy_delta_urls(gnutls_x509_crt_t crt, struct strv *out)
{
	http_urls(crt, OID_FRESHEST, out);
}

/* An INTEGER's bytes without leading zero bytes (the sign byte among them). */
static void
trim_zeros(const unsigned char **p, size_t *len)
{
	while (*len > 1 && (*p)[0] == 0) {
		(*p)++;
		(*len)--;
	}
}

/*
 * Where the CRL (DER) lists serial: -1 when it does not, else the entry's
 * reason code (0 without one); -2 when the list is malformed. Walked by
 * hand: GnuTLS's iterator gives no entry extensions, and a delta CRL's
 * removeFromCRL (8) must not read as a revocation.
 */
static int
crl_listing(const unsigned char *der, size_t len, const unsigned char *serial,
    size_t slen)
{
	struct der_cur	 all = { der, len }, list, tbs, entries, e, sn;
	struct der_cur	 exts = { NULL, 0 }, ext, oid, val, en;
	unsigned	 tag;
	int		 reason;

	trim_zeros(&serial, &slen);
	if (der_expect(&all, DER_SEQUENCE, &list, NULL) < 0 ||
	    der_expect(&list, DER_SEQUENCE, &tbs, NULL) < 0)
		return -2;
	/* version?, signature, issuer, thisUpdate, nextUpdate? */
	if (tbs.len > 0 && tbs.p[0] == DER_INTEGER &&
	    der_take(&tbs, NULL, NULL, NULL) < 0)
		return -2;
	for (int i = 0; i < 3; i++)
		if (der_take(&tbs, NULL, NULL, NULL) < 0)
			return -2;
	if (tbs.len > 0 && (tbs.p[0] == DER_UTCTIME ||
	    tbs.p[0] == DER_GENTIME) && der_take(&tbs, NULL, NULL, NULL) < 0)
		return -2;
	if (tbs.len == 0 || tbs.p[0] != DER_SEQUENCE)
		return -1;			/* no entries */
	if (der_expect(&tbs, DER_SEQUENCE, &entries, NULL) < 0)
		return -2;
	while (entries.len > 0) {
		if (der_expect(&entries, DER_SEQUENCE, &e, NULL) < 0 ||
		    der_expect(&e, DER_INTEGER, &sn, NULL) < 0 ||
		    der_take(&e, NULL, NULL, NULL) < 0)
			return -2;
		trim_zeros(&sn.p, &sn.len);
		if (sn.len != slen || memcmp(sn.p, serial, slen) != 0)
			continue;
		reason = 0;
		if (e.len > 0 && der_expect(&e, DER_SEQUENCE, &exts, NULL) < 0)
			return -2;
		while (exts.len > 0) {
			if (der_expect(&exts, DER_SEQUENCE, &ext, NULL) < 0 ||
			    der_expect(&ext, DER_OID, &oid, NULL) < 0)
				return -2;
			if (ext.len > 0 && ext.p[0] == 0x01 &&
			    der_take(&ext, NULL, NULL, NULL) < 0)
				return -2;
			if (der_expect(&ext, DER_OCTET_STRING, &val, NULL) < 0)
				return -2;
			/* 2.5.29.21 */
			if (oid.len == 3 && memcmp(oid.p, "\x55\x1d\x15",
			    3) == 0 && der_take(&val, &tag, &en, NULL) == 0 &&
			    tag == DER_ENUMERATED && en.len == 1)
				reason = en.p[0];
		}
		return reason;
	}
	return -1;
}

/* The CRL's Delta CRL Indicator (its base CRL number), or -1. */
static int64_t
delta_base(gnutls_x509_crl_t crl)
{
	char		 oid[64];
	size_t		 olen;
	unsigned	 critical;
	gnutls_datum_t	 d = { NULL, 0 };
	struct der_cur	 c, v;
	int64_t		 base = -1;

	for (unsigned i = 0;; i++) {
		olen = sizeof oid;
		if (gnutls_x509_crl_get_extension_info(crl, (int)i, oid, &olen,
		    &critical) < 0)
			break;
		if (strcmp(oid, OID_DELTA_IND) != 0 ||
		    gnutls_x509_crl_get_extension_data2(crl, i, &d) < 0)
			continue;
		c.p = d.data;
		c.len = d.size;
		if (der_expect(&c, DER_INTEGER, &v, NULL) == 0 && v.len <= 7) {
			base = 0;
			for (size_t k = 0; k < v.len; k++)
				base = base << 8 | v.p[k];
		}
		gnutls_free(d.data);
		break;
	}
	return base;
}

void
policy_crl_delta_urls(const unsigned char *data, size_t len,
    struct strv *out)
{
	gnutls_x509_crl_t	 crl = NULL;
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t		 ext = { NULL, 0 };
	struct strv		 all = { NULL, 0 };
	char			 oid[64];
	size_t			 olen;
	unsigned		 critical;

	if (gnutls_x509_crl_init(&crl) < 0)
		return;
	if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0 &&
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) < 0)
		goto out;
	for (unsigned i = 0; ext.data == NULL; i++) {
		olen = sizeof oid;
		if (gnutls_x509_crl_get_extension_info(crl, (int)i, oid, &olen,
		    &critical) < 0)
			break;
		if (strcmp(oid, OID_FRESHEST) == 0 &&
		    gnutls_x509_crl_get_extension_data2(crl, i, &ext) < 0)
			break;
	}
	if (ext.data != NULL)
		cdp_parse(&ext, &all, NULL);
	http_only(&all, out);
out:
	gnutls_free(ext.data);
	gnutls_x509_crl_deinit(crl);
}

int
policy_crl_parses(const unsigned char *data, size_t len)
{
	gnutls_x509_crl_t	 crl = NULL;
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	int			 ok;

	if (len > UINT32_MAX || gnutls_x509_crl_init(&crl) < 0)
		return 0;
	ok = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) >= 0 ||
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) >= 0;
	gnutls_x509_crl_deinit(crl);
	return ok;
}

/*
 * Does the CRL's issuingDistributionPoint (extension value v) cover crt
 * for every reason? NULL when it does, else why not (RFC 5280 5.2.5,
 * 6.3.3 (b)): a CRL of CA certificates only, of end-entity certificates
 * only, of attribute certificates, of some reasons only, an indirect CRL,
 * or the CRL of another distribution point than one crt names.
 */
static const char *
idp_gap(gnutls_x509_crt_t crt, const gnutls_datum_t *v)
{
	struct der_cur	 c = { v->data, v->size }, seq, dp, names, name;
	struct strv	 cdp = { NULL, 0 };
	unsigned	 tag, is_ca = 0;
	const char	*why = NULL;
	int		 named = 0, match = 0;

	if (der_expect(&c, DER_SEQUENCE, &seq, NULL) < 0 || c.len != 0)
		return "its issuingDistributionPoint is malformed";
	(void)gnutls_x509_crt_get_basic_constraints(crt, NULL, &is_ca, NULL);
	if (der_expect(&seq, DER_CONTEXT(0), &dp, NULL) == 0) {
		/* fullName [0] GeneralNames: its URIs [6] */
		if (der_expect(&dp, DER_CONTEXT(0), &names, NULL) < 0)
			return "its issuingDistributionPoint names no URL";
		policy_cdp_urls(crt, &cdp);
		while (names.len > 0 && der_take(&names, &tag, &name,
		    NULL) == 0) {
			char	*url;

			if (tag != 0x86)
				continue;
			named = 1;
			url = xstrndup((const char *)name.p, name.len);
			match |= strv_has(&cdp, url);
			free(url);
		}
		strv_free(&cdp);
		if (!named)
			return "its issuingDistributionPoint names no URL";
		if (!match)
			return "its issuingDistributionPoint is another "
			    "distribution point than the certificate's";
	}
	while (seq.len > 0 && why == NULL) {
		struct der_cur	 val;

		if (der_take(&seq, &tag, &val, NULL) < 0)
			return "its issuingDistributionPoint is malformed";
		/* the BOOLEANs are DEFAULT FALSE: present, they are TRUE */
		if (tag == 0x81 && is_ca)
			why = "it lists end-entity certificates only";
		else if (tag == 0x82 && !is_ca)
			why = "it lists CA certificates only";
		else if (tag == 0x83)
			why = "it lists some revocation reasons only";
		else if (tag == 0x84)
			why = "it is an indirect CRL";
		else if (tag == 0x85)
			why = "it lists attribute certificates only";
	}
	return why;
}

/*
 * Why the CRL may not be used to judge crt, or NULL: a critical extension
 * roleca does not process (RFC 5280 5.2: such a CRL is not used), or an
 * issuingDistributionPoint whose scope leaves crt out.
 */
static const char *
crl_unusable(gnutls_x509_crl_t crl, gnutls_x509_crt_t crt, char *oid_out,
    size_t oid_len)
{
	char		 oid[128];
	size_t		 olen;
	unsigned	 critical;
	gnutls_datum_t	 d = { NULL, 0 };
	const char	*why = NULL;

	for (unsigned i = 0; why == NULL; i++) {
		olen = sizeof oid;
		if (gnutls_x509_crl_get_extension_info(crl, (int)i, oid, &olen,
		    &critical) < 0)
			break;
		if (strcmp(oid, OID_IDP) == 0) {
			if (gnutls_x509_crl_get_extension_data2(crl, i,
			    &d) < 0)
				return "its issuingDistributionPoint cannot "
				    "be read";
			why = idp_gap(crt, &d);
			gnutls_free(d.data);
			d.data = NULL;
		} else if (critical && strcmp(oid, OID_DELTA_IND) != 0 &&
		    strcmp(oid, OID_CRL_NUMBER) != 0 &&
		    strcmp(oid, OID_AKI) != 0 &&
		    strcmp(oid, OID_FRESHEST) != 0) {
			snprintf(oid_out, oid_len, "%s", oid);
			why = "it has a critical extension roleca does not "
			    "process";
		}
	}
	return why;
}

void
policy_check_crl(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    const unsigned char *data, size_t len, const char *url, int delta,
    time_t now, struct crl_seen *seen, struct findings *f)
{
	gnutls_x509_crl_t	 crl = NULL;
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t		 der = { NULL, 0 };
	unsigned char		 mine[64], num[20];
	size_t			 mlen = sizeof mine, nlen = sizeof num;
	unsigned		 status = 0, dates;
	char			 oid[128] = "";
	const char		*why;

	seen->ok = 0;
	seen->listed = -1;
	seen->number = 0;
	seen->base = -1;
	if (gnutls_x509_crl_init(&crl) < 0)
		return;
	if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0 &&
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) < 0) {
		findings_add(f, "crl", "%s is not a CRL", url);
		goto out;
	}
	if (issuer != NULL && (gnutls_x509_crl_verify(crl, &issuer, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0 ||
	    (status & (GNUTLS_CERT_SIGNATURE_FAILURE |
	    GNUTLS_CERT_SIGNER_NOT_FOUND)) != 0)) {
		findings_add(f, "crl", "the CRL at %s is not signed by the "
		    "issuer", url);
		goto out;
	}
	/*
	 * signed by it, but not fit to be (RFC 5280 6.3.3 (f)); the dates
	 * are judged below, against now
	 */
	dates = status & (GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
	    GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE);
	status &= ~dates;
	if (dates != 0 && status == GNUTLS_CERT_INVALID)
		status = 0;
	if (status != 0) {
		findings_add(f, "crl", "the CRL at %s does not verify against "
		    "the issuer: %s", url,
		    (status & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE) != 0 ?
		    "the issuer's keyUsage does not permit CRL signing" :
		    (status & GNUTLS_CERT_SIGNER_NOT_CA) != 0 ?
		    "the issuer is not a CA" :
		    (status & GNUTLS_CERT_INSECURE_ALGORITHM) != 0 ?
		    "it is signed with an insecure algorithm" :
		    "GnuTLS refuses it");
		goto out;
	}
	/* a verifier refuses it until then (a CA clock set ahead) */
	if (gnutls_x509_crl_get_this_update(crl) > now)
		findings_add(f, "crl", "the CRL at %s is not yet valid (its "
		    "thisUpdate is in the future)", url);
	if (gnutls_x509_crl_get_next_update(crl) != (time_t)-1 &&
	    gnutls_x509_crl_get_next_update(crl) < now)
		findings_add(f, "crl", "the CRL at %s is stale (past its "
		    "nextUpdate)", url);
	if (gnutls_x509_crl_get_number(crl, num, &nlen, NULL) >= 0 &&
	    nlen <= 8)
		for (size_t i = 0; i < nlen; i++)
			seen->number = seen->number << 8 | num[i];
	seen->base = delta_base(crl);
	if (!delta && seen->base >= 0) {
		findings_add(f, "crl", "the CRL at %s is a delta CRL (for base "
		    "CRL %lld), not a full one", url, (long long)seen->base);
		goto out;
	}
	if (delta && seen->base < 0) {
		findings_add(f, "crl", "the delta CRL at %s has no Delta CRL "
		    "Indicator", url);
		goto out;
	}
	if ((why = crl_unusable(crl, crt, oid, sizeof oid)) != NULL) {
		findings_add(f, "crl", "the CRL at %s cannot be used: %s%s%s%s",
		    url, why, *oid != '\0' ? " (" : "", oid,
		    *oid != '\0' ? ")" : "");
		goto out;
	}
	if (gnutls_x509_crt_get_serial(crt, mine, &mlen) < 0 ||
	    gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	if ((seen->listed = crl_listing(der.data, der.size, mine,
	    mlen)) == -2) {
		findings_add(f, "crl", "the CRL at %s is malformed", url);
		goto out;
	}
	seen->ok = 1;
out:
	gnutls_free(der.data);
	gnutls_x509_crl_deinit(crl);
}

void
policy_check_revoked(const char *url, const struct crl_seen *base,
    const char *durl, const struct crl_seen *delta, struct findings *f)
{
	/* a delta for a base newer than the one read: that base is missed */
	if (delta != NULL && delta->ok && base->ok &&
	    (uint64_t)delta->base > base->number)
		findings_add(f, "crl", "the delta CRL at %s is for base CRL "
		    "%lld, newer than the CRL at %s (%llu)", durl,
		    (long long)delta->base, url,
		    (unsigned long long)base->number);
	/*
	 * A delta no newer than the base read is stale (RFC 5280 5.2.4):
	 * its removeFromCRL could release a hold the base put back.
	 */
	if (delta != NULL && delta->ok && base->ok &&
	    delta->number <= base->number) {
		findings_add(f, "crl", "the delta CRL at %s (number %llu) is "
		    "not newer than the CRL at %s (%llu): not applied", durl,
		    (unsigned long long)delta->number, url,
		    (unsigned long long)base->number);
		delta = NULL;
	}
	if (delta != NULL && delta->ok && delta->listed >= 0 &&
	    delta->listed != 8) {
		findings_add(f, "crl", "the certificate is %s (%s; listed in "
		    "the delta CRL at %s)", delta->listed == 6 ? "on hold" :
		    "revoked", crl_reason_name(delta->listed), durl);
		return;
	}
	/*
	 * removeFromCRL releases a hold the base lists, and nothing else: a
	 * final revocation stays (RFC 5280 5.3.1)
	 */
	if (delta != NULL && delta->ok && delta->listed == 8 &&
	    (!base->ok || base->listed < 0 || base->listed == 6))
		return;
	if (base->ok && base->listed >= 0)
		findings_add(f, "crl", "the certificate is %s (%s; listed in "
		    "%s)", base->listed == 6 ? "on hold" : "revoked",
		    crl_reason_name(base->listed), url);
}
