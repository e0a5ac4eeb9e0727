/*
 * policy.c: every rule on a compliant certificate and on certificates
 * built with GnuTLS directly to break it, one knob at a time, judged with
 * and without a CA config, an issuer, a profile and a request. Extensions
 * GnuTLS will not write as needed (a NUL inside a dNSName, odd CRL
 * distribution points) are written as raw DER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "conf.h"
#include "der.h"
#include "err.h"
#include "policy.h"
#include "profile.h"
#include "unit.h"
#include "util.h"
#include "x509.h"

#define SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"
#define ANY_EKU		"2.5.29.37.0"
#define CDP_URL		"http://pki.lab.example/x.crl"
#define DS		GNUTLS_KEY_DIGITAL_SIGNATURE
#define KE		GNUTLS_KEY_KEY_ENCIPHERMENT
#define CA_KU		(GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)

/* Keys and CAs, made once for the suite. */
struct fixture {
	time_t			 now;
	gnutls_x509_privkey_t	 ca_key, ec, ec2, p384, p521, ed25519;
	gnutls_x509_privkey_t	 rsa, rsa1024;
	/* the issuing CA: EC, 10 years */
	gnutls_x509_crt_t	 ca;
	gnutls_x509_crt_t	 other_ca;	/* another name, another key */
	gnutls_x509_crt_t	 twin_ca;	/* the CA's name, another key */
	gnutls_x509_crt_t	 short_ca;	/* the CA's key, 30 days */
	/* an RSA CA, for RSA signatures */
	gnutls_x509_crt_t	 rsa_ca;
	gnutls_x509_privkey_t	 rsa_ca_key;
	struct conf		 conf;		/* lab.example, CDP_URL */
};
static struct fixture	 fx;

/* One certificate to build: every knob a rule looks at. */
struct spec {
	gnutls_x509_privkey_t	 key;		/* the subject's */
	gnutls_x509_crt_t	 issuer;	/* NULL: self-signed with key */
	gnutls_x509_privkey_t	 signer;	/* the issuer's key */
	const char		*cn[2];		/* CNs, in order */
	const char		*country;	/* a C first */
	const char		*org;		/* an O before the CN */
	const char		*dns[4];
	const unsigned char	*ip;		/* ip_len octets */
	unsigned		 ip_len;	/* 0: 4 */
	const char		*email;
	const gnutls_datum_t	*raw_san;	/* instead of the above */
	const char		*cdp[3];
	const gnutls_datum_t	*raw_cdp;	/* instead of cdp */
	const char		*eku[3];
	/* 0: none, 1: CA:FALSE, 2: CA:TRUE, 3: CA:TRUE, pathlen 0 */
	int			 bc;
	int			 bc_critical;
	unsigned		 ku;		/* 0: no keyUsage */
	int			 no_ski, no_aki;
	/* instead of the issuer's SKI */
	const char		*aki;
	const char		*ca_issuers, *ocsp;
	time_t			 nb, na;
	unsigned char		 serial[24];
	size_t			 serial_len;
	gnutls_digest_algorithm_t dig;
	unsigned		 sign_flags;
};

static struct spec
leaf(void)
{
	struct spec	 s = { 0 };

	s.key = fx.ec;
	s.issuer = fx.ca;
	s.signer = fx.ca_key;
	s.cn[0] = "web.lab.example";
	s.dns[0] = "web.lab.example";
	s.cdp[0] = CDP_URL;
	s.eku[0] = SERVER_AUTH;
	s.bc = 1;
	s.bc_critical = 1;
	s.ku = DS;
	s.nb = fx.now - 300;
	s.na = fx.now + 90 * DAY;
	memcpy(s.serial, "\x3a\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
	    "\xcc\xdd\xee\xff", 16);
	s.serial_len = 16;
	s.dig = GNUTLS_DIG_SHA256;
	return s;
}

static struct spec
rsa_leaf(void)
{
	struct spec	 s = leaf();

	s.key = fx.rsa;
	s.ku = DS | KE;
	return s;
}

/* A self-signed root on key. */
static struct spec
root(gnutls_x509_privkey_t key, const char *cn)
{
	struct spec	 s = leaf();

	s.key = key;
	s.issuer = NULL;
	s.signer = key;
	s.cn[0] = cn;
	s.dns[0] = NULL;
	s.cdp[0] = NULL;
	s.eku[0] = NULL;
	s.bc = 2;
	s.ku = CA_KU;
	s.no_aki = 1;
	s.na = fx.now + 3650 * DAY;
	s.serial[0] = 0x11;
	return s;
}

static gnutls_x509_crt_t
reparse(gnutls_x509_crt_t crt)
{
	gnutls_datum_t		 der = { NULL, 0 };
	gnutls_x509_crt_t	 out = NULL;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) != 0 ||
	    gnutls_x509_crt_init(&out) != 0 ||
	    gnutls_x509_crt_import(out, &der, GNUTLS_X509_FMT_DER) != 0)
		abort();
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	return out;
}

/*
 * Build and sign s; aborts on a GnuTLS refusal (the suite setup uses it too).
 */
static gnutls_x509_crt_t
build(const struct spec *s)
{
	gnutls_x509_crt_t	 crt;
	gnutls_privkey_t	 signer;
	unsigned char		 id[64];
	size_t			 idlen = sizeof id;
	int			 ret = 0;

	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_privkey_init(&signer) < 0 ||
	    gnutls_privkey_import_x509(signer, s->signer, 0) < 0)
		abort();
	gnutls_x509_crt_set_version(crt, 3);
	if (gnutls_x509_crt_set_serial(crt, s->serial, s->serial_len) < 0)
		abort();
	if (s->country != NULL)
		gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COUNTRY_NAME,
		    0, s->country, strlen(s->country));
	if (s->org != NULL)
		gnutls_x509_crt_set_dn_by_oid(crt,
		    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, s->org,
		    strlen(s->org));
	for (int i = 0; i < 2 && s->cn[i] != NULL; i++)
		gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
		    0, s->cn[i], strlen(s->cn[i]));
	gnutls_x509_crt_set_activation_time(crt, s->nb);
	gnutls_x509_crt_set_expiration_time(crt, s->na);
	gnutls_x509_crt_set_key(crt, s->key);
	if (s->bc != 0)
		ret |= gnutls_x509_crt_set_basic_constraints(crt, s->bc >= 2,
		    s->bc == 3 ? 0 : -1);
	/* GnuTLS marks it critical; a raw copy to say otherwise */
	if (s->bc == 1 && !s->bc_critical)
		ret |= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.19",
		    "\x30\x00", 2, 0);
	if (s->bc == 2 && !s->bc_critical)
		ret |= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.19",
		    "\x30\x03\x01\x01\xff", 5, 0);
	if (s->ku != 0)
		ret |= gnutls_x509_crt_set_key_usage(crt, s->ku);
	if (s->raw_san != NULL)
		ret |= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.17",
		    s->raw_san->data, s->raw_san->size, 0);
	for (int i = 0; i < 4 && s->raw_san == NULL && s->dns[i] != NULL; i++)
		ret |= gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, s->dns[i], strlen(s->dns[i]),
		    GNUTLS_FSAN_APPEND);
	if (s->raw_san == NULL && s->ip != NULL)
		ret |= gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, s->ip, s->ip_len != 0 ? s->ip_len : 4,
		    GNUTLS_FSAN_APPEND);
	if (s->raw_san == NULL && s->email != NULL)
		ret |= gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_RFC822NAME, s->email, strlen(s->email),
		    GNUTLS_FSAN_APPEND);
	for (int i = 0; i < 3 && s->eku[i] != NULL; i++)
		ret |= gnutls_x509_crt_set_key_purpose_oid(crt, s->eku[i], 0);
	if (s->raw_cdp != NULL)
		ret |= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.31",
		    s->raw_cdp->data, s->raw_cdp->size, 0);
	for (int i = 0; i < 3 && s->cdp[i] != NULL; i++)
		ret |= gnutls_x509_crt_set_crl_dist_points2(crt, GNUTLS_SAN_URI,
		    s->cdp[i], strlen(s->cdp[i]), 0);
	if (s->ca_issuers != NULL)
		ret |= gnutls_x509_crt_set_authority_info_access(crt,
		    GNUTLS_IA_CAISSUERS_URI, &(gnutls_datum_t){
		    (unsigned char *)s->ca_issuers, strlen(s->ca_issuers) });
	if (s->ocsp != NULL)
		ret |= gnutls_x509_crt_set_authority_info_access(crt,
		    GNUTLS_IA_OCSP_URI, &(gnutls_datum_t){
		    (unsigned char *)s->ocsp, strlen(s->ocsp) });
	if (!s->no_ski) {
		ret |= gnutls_x509_crt_get_key_id(crt, 0, id, &idlen);
		ret |= gnutls_x509_crt_set_subject_key_id(crt, id, idlen);
	}
	if (s->aki != NULL)
		ret |= gnutls_x509_crt_set_authority_key_id(crt, s->aki,
		    strlen(s->aki));
	else if (!s->no_aki && s->issuer != NULL) {
		idlen = sizeof id;
		ret |= gnutls_x509_crt_get_subject_key_id(s->issuer, id, &idlen,
		    NULL);
		ret |= gnutls_x509_crt_set_authority_key_id(crt, id, idlen);
	}
	if (ret != 0 || gnutls_x509_crt_privkey_sign(crt, s->issuer != NULL ?
	    s->issuer : crt, signer, s->dig, s->sign_flags) < 0)
		abort();
	gnutls_privkey_deinit(signer);
	return reparse(crt);
}

/*
 * The certificate s describes with the first n bytes from in its DER
 * replaced by out: for what GnuTLS will not write. The signature breaks.
 */
static gnutls_x509_crt_t
patched(const struct spec *s, const char *in, const char *out, size_t n)
{
	gnutls_x509_crt_t	 crt = build(s);
	gnutls_datum_t		 der = { NULL, 0 };
	unsigned char		*at = NULL;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		abort();
	gnutls_x509_crt_deinit(crt);
	for (size_t i = 0; at == NULL && i + n <= der.size; i++)
		if (memcmp(der.data + i, in, n) == 0)
			at = der.data + i;
	if (at == NULL)
		abort();
	memcpy(at, out, n);
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) < 0)
		abort();
	gnutls_free(der.data);
	return crt;
}

static struct policy_ctx
with_ca(void)
{
	struct policy_ctx	 ctx = { 0 };

	ctx.conf = &fx.conf;
	ctx.issuer = fx.ca;
	ctx.now = fx.now;
	return ctx;
}

static struct policy_ctx
bare(void)
{
	struct policy_ctx	 ctx = { 0 };

	ctx.now = fx.now;
	return ctx;
}

/* A request leaf() meets exactly; request_clear() frees what it holds. */
static void
request_for_leaf(struct request *r)
{
	memset(r, 0, sizeof *r);
	dn_add(&r->subject, dn_oid("CN"), "web.lab.example");
	strv_add(&r->dns, "web.lab.example");
	strv_add(&r->eku, SERVER_AUTH);
	r->key.alg = KEY_EC;
	r->key.bits = 256;
	r->key_usage = DS;
}

static void
request_clear(struct request *r)
{
	dn_free(&r->subject);
	strv_free(&r->dns);
	strv_free(&r->ip);
	strv_free(&r->eku);
	strv_free(&r->cdp);
}

static void
show(const char *what, const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		fprintf(stderr, "\n    %s: %s: %s", what, f->v[i].rule,
		    f->v[i].msg);
}

static int
has(const struct findings *f, const char *rule, const char *text)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule, rule) == 0 &&
		    strstr(f->v[i].msg, text) != NULL)
			return 1;
	return 0;
}

static int
has_rule(const struct findings *f, const char *rule)
{
	return has(f, rule, "");
}

/* Judge (as a CA when ca) the certificate s describes. */
static void
judge(const struct spec *s, const struct policy_ctx *ctx, int ca,
    struct findings *f)
{
	gnutls_x509_crt_t	 crt = build(s);
	char			*cause = NULL;

	memset(f, 0, sizeof *f);
	CU_ASSERT_EQUAL((ca ? policy_check_ca : policy_check)(crt, ctx, f,
	    &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	free(cause);
	gnutls_x509_crt_deinit(crt);
}

/* No finding at all. */
static int
clean(const struct spec *s, const struct policy_ctx *ctx, int ca)
{
	struct findings	 f;
	int		 ok;

	judge(s, ctx, ca, &f);
	ok = f.n == 0;
	if (!ok)
		show("unexpected", &f);
	findings_free(&f);
	return ok;
}

/* The finding (rule, text), and findings of that rule only. */
static int
only(const struct spec *s, const struct policy_ctx *ctx, int ca,
    const char *rule, const char *text)
{
	struct findings	 f;
	int		 ok;

	judge(s, ctx, ca, &f);
	ok = has(&f, rule, text);
	for (size_t i = 0; i < f.n; i++)
		ok &= strcmp(f.v[i].rule, rule) == 0;
	if (!ok) {
		fprintf(stderr, "\n    wanted %s: ...%s...", rule, text);
		show("got", &f);
	}
	findings_free(&f);
	return ok;
}

/* Raw DER of a SEQUENCE OF GeneralName holding one dNSName of len bytes. */
static gnutls_datum_t
san_one(const char *name, size_t len)
{
	struct der	 d;
	size_t		 m;
	gnutls_datum_t	 out;

	der_init(&d, 64);
	m = der_open(&d, DER_SEQUENCE);
	der_tlv(&d, 0x82, name, len);
	der_close(&d, m);
	out.data = d.p;
	out.size = (unsigned)d.len;
	return out;
}

static void
test_compliant(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct spec		 s = leaf(), r = rsa_leaf(), p = leaf();

	p.key = fx.p384;
	CU_ASSERT(clean(&s, &ctx, 0));
	CU_ASSERT(clean(&r, &ctx, 0));
	CU_ASSERT(clean(&p, &ctx, 0));
	CU_ASSERT(clean(&s, &b, 0));
	/* no context at all: only the CA-independent rules */
	CU_ASSERT(clean(&s, NULL, 0));
}

static void
test_cdp(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct request		 req;
	struct spec		 s = leaf();

	s.cdp[0] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "no CRL distribution point "
	    "(every server certificate must carry one)"));
	s.cdp[0] = "https://pki.lab.example/x.crl";
	CU_ASSERT(only(&s, &b, 0, "cdp", "no http:// CRL distribution point"));
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "the CA's CRL distribution point "
	    CDP_URL " is missing"));
	/* https first and http too: fine */
	s.cdp[1] = CDP_URL;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* a URL the profile adds */
	request_for_leaf(&req);
	strv_add(&req.cdp, "http://pki.lab.example/extra.crl");
	ctx.request = &req;
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "the profile's CRL distribution "
	    "point http://pki.lab.example/extra.crl is missing"));
	s.cdp[2] = "http://pki.lab.example/extra.crl";
	ctx.request = NULL;
	CU_ASSERT(clean(&s, &ctx, 0));
	ctx.request = &req;
	CU_ASSERT(clean(&s, &ctx, 0));
	request_clear(&req);
}

/*
 * CRL distribution points GnuTLS cannot write: its reader stops at the
 * first point without a fullName, so what follows is invisible to it.
 */
static gnutls_datum_t
odd_cdp(int kind)
{
	struct der	 d;
	size_t		 all, dp, dpn, fn, rdn, atv;
	gnutls_datum_t	 out;

	der_init(&d, 128);
	all = der_open(&d, DER_SEQUENCE);
	dp = der_open(&d, DER_SEQUENCE);
	dpn = der_open(&d, DER_CONTEXT(0));
	if (kind == 0) {	/* nameRelativeToCRLIssuer: CN=crl */
		rdn = der_open(&d, DER_CONTEXT(1));
		atv = der_open(&d, DER_SEQUENCE);
		der_oid(&d, "2.5.4.3");
		der_tlv(&d, 0x0c, "crl", 3);
		der_close(&d, atv);
		der_close(&d, rdn);
	} else {		/* fullName: a dNSName */
		fn = der_open(&d, DER_CONTEXT(0));
		der_tlv(&d, 0x82, "pki.lab.example", 15);
		der_close(&d, fn);
	}
	der_close(&d, dpn);
	der_close(&d, dp);
	if (kind == 2) {	/* reasons only, no name */
		dp = der_open(&d, DER_SEQUENCE);
		der_tlv(&d, 0x81, "\x07\x80", 2);
		der_close(&d, dp);
	}
	/* then the good one */
	dp = der_open(&d, DER_SEQUENCE);
	dpn = der_open(&d, DER_CONTEXT(0));
	fn = der_open(&d, DER_CONTEXT(0));
	der_tlv(&d, 0x86, CDP_URL, strlen(CDP_URL));
	der_close(&d, fn);
	der_close(&d, dpn);
	der_close(&d, dp);
	der_close(&d, all);
	out.data = d.p;
	out.size = (unsigned)d.len;
	return out;
}

static void
test_cdp_not_uri(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct spec		 s = leaf();
	struct strv		 urls = { NULL, 0 };
	gnutls_datum_t		 raw;
	gnutls_x509_crt_t	 crt;

	s.cdp[0] = NULL;
	raw = odd_cdp(0);
	s.raw_cdp = &raw;
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "distribution point 1 is a name "
	    "relative to the CRL issuer, not a fullName URI"));
	/* the http:// URL behind it is still found, for check --fetch-crl */
	crt = build(&s);
	policy_cdp_urls(crt, &urls);
	CU_ASSERT_EQUAL(urls.n, 1);
	CU_ASSERT(urls.n == 1 && strcmp(urls.v[0], CDP_URL) == 0);
	strv_free(&urls);
	gnutls_x509_crt_deinit(crt);
	free(raw.data);

	raw = odd_cdp(1);
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "distribution point 1 names a "
	    "dNSName, not a URI"));
	free(raw.data);
	raw = odd_cdp(2);
	CU_ASSERT(only(&s, &ctx, 0, "cdp", "distribution point 2 has no name"));
	free(raw.data);
}

static void
test_eku(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct spec		 s = leaf();

	s.eku[0] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "no extended key usage"));
	s.eku[0] = CLIENT_AUTH;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "serverAuth (1.3.6.1.5.5.7.3.1) "
	    "missing"));
	s.eku[0] = SERVER_AUTH;
	s.eku[1] = ANY_EKU;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "anyExtendedKeyUsage"));
	/* more purposes may follow serverAuth */
	s.eku[1] = CLIENT_AUTH;
	CU_ASSERT(clean(&s, &ctx, 0));
}

static void
test_eku_of_role(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct profile		 p = { 0 };
	struct request		 req;
	struct spec		 s = leaf();

	strv_add(&p.eku, SERVER_AUTH);
	p.key.alg = KEY_EC;
	p.key.bits = 256;
	ctx.profile = &p;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.eku[1] = CLIENT_AUTH;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "purpose clientAuth "
	    "(1.3.6.1.5.5.7.3.2) is not one of the role's"));
	strv_add(&p.eku, CLIENT_AUTH);
	CU_ASSERT(clean(&s, &ctx, 0));
	s.eku[1] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "the role's purpose clientAuth "
	    "(1.3.6.1.5.5.7.3.2) is missing"));
	/* a request's list wins over its profile's */
	request_for_leaf(&req);
	ctx.request = &req;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.eku[1] = CLIENT_AUTH;
	CU_ASSERT(only(&s, &ctx, 0, "eku", "purpose clientAuth "
	    "(1.3.6.1.5.5.7.3.2) is not one of the role's"));
	strv_free(&p.eku);
	request_clear(&req);
}

static void
test_basic_constraints(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct spec		 s = leaf();

	s.bc = 2;
	CU_ASSERT(only(&s, &ctx, 0, "basic-constraints", "CA:TRUE on a server "
	    "certificate"));
	s.bc = 1;
	s.bc_critical = 0;
	CU_ASSERT(only(&s, &ctx, 0, "basic-constraints", "not critical"));
	s.bc = 0;
	CU_ASSERT(only(&s, &ctx, 0, "basic-constraints", "basicConstraints "
	    "missing"));
}

static void
test_key_usage(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct request		 req;
	struct spec		 s = leaf(), r = rsa_leaf();

	s.ku = DS | KE;
	CU_ASSERT(only(&s, &ctx, 0, "key-usage", "keyEncipherment set for an "
	    "EC key"));
	r.ku = DS;
	CU_ASSERT(only(&r, &ctx, 0, "key-usage", "keyEncipherment missing for "
	    "an RSA key"));
	r.ku = KE;
	CU_ASSERT(only(&r, &ctx, 0, "key-usage", "digitalSignature missing"));
	r.ku = DS | KE | GNUTLS_KEY_KEY_AGREEMENT;
	CU_ASSERT(only(&r, &ctx, 0, "key-usage", "keyAgreement set for an RSA "
	    "key"));
	s.ku = DS | GNUTLS_KEY_KEY_CERT_SIGN;
	CU_ASSERT(only(&s, &ctx, 0, "key-usage", "keyCertSign/cRLSign on a "
	    "server certificate"));
	s.ku = 0;
	CU_ASSERT(only(&s, &ctx, 0, "key-usage", "keyUsage missing"));
	/* with a request, exactly the request's bits */
	s.ku = DS;
	request_for_leaf(&req);
	req.key_usage = DS | GNUTLS_KEY_NON_REPUDIATION;
	ctx.request = &req;
	CU_ASSERT(only(&s, &ctx, 0, "key-usage", "keyUsage is "
	    "digitalSignature; the role gives digitalSignature, "
	    "nonRepudiation"));
	req.key_usage = DS;
	CU_ASSERT(clean(&s, &ctx, 0));
	request_clear(&req);
}

static void
test_key_identifiers(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct spec		 s = leaf();

	s.no_ski = 1;
	CU_ASSERT(only(&s, &ctx, 0, "ski", "subjectKeyIdentifier missing"));
	s.no_ski = 0;
	s.no_aki = 1;
	CU_ASSERT(only(&s, &ctx, 0, "aki", "authorityKeyIdentifier missing"));
	CU_ASSERT(only(&s, &b, 0, "aki", "authorityKeyIdentifier missing"));
	s.no_aki = 0;
	s.aki = "not the CA's key id";
	CU_ASSERT(only(&s, &ctx, 0, "aki", "not the issuer's "
	    "subjectKeyIdentifier"));
	/* without the issuer there is nothing to compare it with */
	CU_ASSERT(clean(&s, &b, 0));
}

static void
test_issuer(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct findings		 f;
	struct spec		 s = leaf();

	/* signed by another CA: its name, its key id and its signature */
	s.issuer = fx.other_ca;
	s.signer = fx.ec2;
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has(&f, "issuer", "the issuer name 'CN=Other CA' is not the "
	    "CA's subject 'CN=Policy Test CA'"));
	CU_ASSERT(has(&f, "issuer", "the signature does not verify with the "
	    "issuer's key"));
	CU_ASSERT(has(&f, "aki", "not the issuer's"));
	findings_free(&f);
	/*
	 * The CA's very name on another key: the name matches, the signature
	 * does not (checked on its own, not through a trust list that stops
	 * at the first mismatch).
	 */
	s.issuer = fx.twin_ca;
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(!has(&f, "issuer", "issuer name"));
	CU_ASSERT(has(&f, "issuer", "the signature does not verify"));
	findings_free(&f);
	/* judged against that other CA, it is fine */
	s.issuer = fx.other_ca;
	ctx.issuer = fx.other_ca;
	CU_ASSERT(clean(&s, &ctx, 0));
}

static void
test_aia(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct spec		 s = leaf();

	strv_add(&fx.conf.ca_issuers, "http://pki.lab.example/ca.crt");
	strv_add(&fx.conf.ocsp, "http://ocsp.lab.example/");
	CU_ASSERT(only(&s, &ctx, 0, "aia", "caIssuers "
	    "http://pki.lab.example/ca.crt missing"));
	CU_ASSERT(only(&s, &ctx, 0, "aia", "OCSP http://ocsp.lab.example/ "
	    "missing"));
	s.ca_issuers = "http://pki.lab.example/ca.crt";
	CU_ASSERT(only(&s, &ctx, 0, "aia", "OCSP"));
	s.ocsp = "http://ocsp.lab.example/";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.ca_issuers = "http://elsewhere.lab.example/ca.crt";
	CU_ASSERT(only(&s, &ctx, 0, "aia", "caIssuers"));
	strv_free(&fx.conf.ca_issuers);
	strv_free(&fx.conf.ocsp);
}

static void
test_key(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct profile		 p = { 0 };
	struct spec		 s = rsa_leaf(), r;

	s.key = fx.rsa1024;
	CU_ASSERT(only(&s, &b, 0, "key", "RSA key of 1024 bits (at least "
	    "2048)"));
	s.key = fx.rsa;
	fx.conf.policy.min_rsa_bits = 3072;
	CU_ASSERT(only(&s, &ctx, 0, "key", "RSA key of 2048 bits (at least "
	    "3072)"));
	fx.conf.policy.min_rsa_bits = 2048;
	s = leaf();
	s.key = fx.p521;
	CU_ASSERT(only(&s, &ctx, 0, "key", "EC key on curve SECP521R1"));
	s.key = fx.ed25519;
	CU_ASSERT(only(&s, &ctx, 0, "key", "(RSA or EC P-256/P-384 only)"));
	/*
	 * A role's key spec: another key (a CSR's) may be used if it is not
	 * weaker, by size within an algorithm, by strength across them.
	 */
	p.key.alg = KEY_RSA;
	p.key.bits = 2048;
	ctx.profile = &p;
	s.key = fx.ec;
	CU_ASSERT(clean(&s, &ctx, 0));
	p.key.bits = 3072;
	CU_ASSERT(clean(&s, &ctx, 0));
	r = rsa_leaf();
	CU_ASSERT(only(&r, &ctx, 0, "key", "the key is rsa:2048, weaker than "
	    "the role's rsa:3072"));
	p.key.alg = KEY_EC;
	p.key.bits = 256;
	CU_ASSERT(only(&r, &ctx, 0, "key", "the key is rsa:2048, weaker than "
	    "the role's ec:p256"));
	p.key.bits = 384;
	CU_ASSERT(only(&s, &ctx, 0, "key", "the key is ec:p256, weaker than "
	    "the role's ec:p384"));
	s.key = fx.p384;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* below the CA's minimum: that finding alone */
	p.key.alg = KEY_RSA;
	p.key.bits = 3072;
	r.key = fx.rsa1024;
	CU_ASSERT(only(&r, &ctx, 0, "key", "RSA key of 1024 bits (at least "
	    "2048)"));
}

/*
 * The RSA public exponent, on fx.rsa's modulus with e set by hand: odd,
 * from 65537 to 2^31 - 1, at both ends and one past them; larger than 64
 * bits said so; leading zero bytes do not count.
 */
static void
test_rsa_exponent(void)
{
	static const struct {
		unsigned char	 e[10];
		size_t		 len;
		const char	*finding;	/* NULL: none */
	} cases[] = {
		{ { 3 }, 1, "RSA public exponent 3 (an odd number from 65537 "
		    "to 2147483647)" },
		{ { 0xff, 0xff }, 2, "RSA public exponent 65535 (" },
		{ { 1, 0, 1 }, 3, NULL },
		{ { 0, 0, 1, 0, 1 }, 5, NULL },
		{ { 1, 0, 2 }, 3, "RSA public exponent 65538 (" },
		{ { 1, 0, 3 }, 3, NULL },
		{ { 0x7f, 0xff, 0xff, 0xfd }, 4, NULL },
		{ { 0x7f, 0xff, 0xff, 0xff }, 4, NULL },
		{ { 0x80, 0, 0, 1 }, 4, "RSA public exponent 2147483649 (" },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8,
		    "RSA public exponent 18446744073709551615 (" },
		{ { 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 9, "RSA public exponent of "
		    "more than 64 bits (" },
		{ { 0, 0x7f, 0xff, 0xff, 0xff }, 5, NULL },
	};
	gnutls_datum_t	 m = { NULL, 0 }, e0 = { NULL, 0 };

	CU_ASSERT_FATAL(gnutls_x509_privkey_export_rsa_raw(fx.rsa, &m, &e0,
	    NULL, NULL, NULL, NULL) == 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gnutls_datum_t	 e = { (unsigned char *)cases[i].e,
		    (unsigned)cases[i].len };
		gnutls_pubkey_t	 pub = NULL;
		struct findings	 f = { NULL, 0 };
		int		 ok;

		CU_ASSERT_FATAL(gnutls_pubkey_init(&pub) == 0);
		CU_ASSERT_FATAL(gnutls_pubkey_import_rsa_raw(pub, &m, &e) ==
		    0);
		policy_check_ca_key(pub, &f);
		ok = cases[i].finding == NULL ? f.n == 0 : f.n == 1 &&
		    has(&f, "key", cases[i].finding);
		if (!ok) {
			fprintf(stderr, "\n    case %zu: wanted %s", i,
			    cases[i].finding != NULL ? cases[i].finding :
			    "none");
			show("got", &f);
		}
		CU_ASSERT(ok);
		findings_free(&f);
		gnutls_pubkey_deinit(pub);
	}
	gnutls_free(m.data);
	gnutls_free(e0.data);
}

static void
test_signature(void)
{
	struct policy_ctx	 ctx = with_ca(), rc = bare();
	struct spec		 s = leaf(), r = rsa_leaf();

	/* GnuTLS 3.7.9 still signs with SHA-1 and MD5 when told to */
	s.dig = GNUTLS_DIG_SHA1;
	CU_ASSERT(only(&s, &ctx, 0, "signature", "signed with ECDSA-SHA1"));
	s.dig = GNUTLS_DIG_SHA384;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* RSA signatures, by the RSA CA */
	rc.issuer = fx.rsa_ca;
	r.issuer = fx.rsa_ca;
	r.signer = fx.rsa_ca_key;
	CU_ASSERT(clean(&r, &rc, 0));
	r.dig = GNUTLS_DIG_SHA512;
	CU_ASSERT(clean(&r, &rc, 0));
	r.dig = GNUTLS_DIG_MD5;
	CU_ASSERT(only(&r, &rc, 0, "signature", "signed with RSA-MD5"));
	r.dig = GNUTLS_DIG_SHA1;
	CU_ASSERT(only(&r, &rc, 0, "signature", "signed with RSA-SHA1"));
	/* RSA-PSS verifies, and is refused all the same */
	r.dig = GNUTLS_DIG_SHA256;
	r.sign_flags = GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS;
	CU_ASSERT(only(&r, &rc, 0, "signature", "RSASSA-PSS"));
}

/* No leaf certifies the key of its issuer or of a CA above it. */
static void
test_ca_key(void)
{
	struct policy_ctx	 ctx = with_ca(), two = with_ca();
	struct spec		 s = leaf();
	gnutls_x509_crt_t	 chain[2] = { fx.ca, fx.other_ca };
	struct ca_spki		 keys[2] = { { NULL, 0 }, { NULL, 0 } };

	s.key = fx.ca_key;
	CU_ASSERT(only(&s, &ctx, 0, "key",
	    "the key is that of the CA 'CN=Policy Test CA'"));
	/* Other CA's key (ec2) is the leaf's: found in the chain given */
	s.key = fx.ec2;
	CU_ASSERT(clean(&s, &ctx, 0));
	two.chain = chain;
	two.nchain = 2;
	CU_ASSERT(only(&s, &two, 0, "key",
	    "the key is that of the CA 'CN=Other CA'"));
	/* the same with the chain's keys read beforehand, as a CA has them */
	for (size_t i = 0; i < 2; i++)
		CU_ASSERT_FATAL(x509_crt_spki(chain[i], &keys[i].der,
		    &keys[i].len, NULL) == 0);
	two.chain_spki = keys;
	CU_ASSERT(only(&s, &two, 0, "key",
	    "the key is that of the CA 'CN=Other CA'"));
	s.key = fx.ec;
	CU_ASSERT(clean(&s, &two, 0));
	for (size_t i = 0; i < 2; i++)
		free(keys[i].der);
}

static void
test_serial(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct findings		 f = { NULL, 0 };
	struct spec		 s = leaf();
	gnutls_x509_crt_t	 crt;
	char			*cause = NULL;

	s.serial_len = 4;
	CU_ASSERT(only(&s, &ctx, 0, "serial", "serial number of 4 octets"));
	s.serial_len = 8;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.serial_len = 20;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.serial_len = 21;
	CU_ASSERT(only(&s, &ctx, 0, "serial", "21 octets (at most 20)"));
	s.serial_len = 16;
	s.serial[0] = 0x80;
	CU_ASSERT(only(&s, &ctx, 0, "serial", "negative serial number"));
	/* a sign octet in front does not count toward the eight */
	memcpy(s.serial, "\x00\x80\x01\x02\x03\x04\x05\x06\x07", 9);
	s.serial_len = 9;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* GnuTLS will not write a zero serial: patch one in */
	s.serial[0] = 0x01;
	s.serial_len = 1;
	crt = patched(&s, "\x02\x01\x01", "\x02\x01\x00", 3);
	CU_ASSERT_EQUAL(policy_check(crt, &b, &f, &cause), 0);
	CU_ASSERT(has(&f, "serial", "serial number zero"));
	findings_free(&f);
	gnutls_x509_crt_deinit(crt);
}

static void
test_validity(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare(), noclock = bare();
	struct spec		 s = leaf();

	s.nb = fx.now - 90 * DAY;
	s.na = fx.now - DAY;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "expired on "));
	/* notAfter is inside the validity: expired only once it is past */
	s.na = fx.now;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.na = fx.now - 1;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "expired on "));
	noclock.now = 0;
	CU_ASSERT(clean(&s, &noclock, 0));
	s.nb = fx.now + 3 * DAY;
	s.na = fx.now + 90 * DAY;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "more than a day from now"));
	s.nb = fx.now + 3600;
	CU_ASSERT(clean(&s, &ctx, 0));
	s.nb = s.na;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "is not before notAfter"));
	s.nb = fx.now - 300;
	s.na = fx.now + 2000 * DAY;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "exceeds the CA's maximum of "
	    "825 days"));
	CU_ASSERT(clean(&s, &b, 0));
	s.na = fx.now + 825 * DAY - 300;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* 90 days from a CA that has 30 left */
	s.na = fx.now + 90 * DAY;
	s.issuer = fx.short_ca;
	ctx.issuer = fx.short_ca;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "is beyond the issuing CA's "
	    "notAfter"));
}

/* With a request, a lifetime longer than the role's (a changed profile). */
static void
test_validity_of_role(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct profile		 p = { 0 };
	struct request		 req;
	struct spec		 s = leaf();

	request_for_leaf(&req);
	ctx.request = &req;
	req.validity_days = 90;		/* leaf(): 90 days, backdated 300 s */
	CU_ASSERT(clean(&s, &ctx, 0));
	req.validity_days = 30;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "lifetime of 90 days exceeds "
	    "the role's 30 days"));
	req.validity_days = 0;		/* none given: no role bound */
	CU_ASSERT(clean(&s, &ctx, 0));
	/* a profile alone bounds it too; a request's days win over it */
	ctx.request = NULL;
	p.validity_days = 30;
	ctx.profile = &p;
	CU_ASSERT(only(&s, &ctx, 0, "validity", "lifetime of 90 days exceeds "
	    "the role's 30 days"));
	ctx.request = &req;
	req.validity_days = 90;
	CU_ASSERT(clean(&s, &ctx, 0));
	request_clear(&req);
}

static void
test_names(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct findings		 f;
	struct spec		 s = leaf();

	s.cn[0] = s.dns[0] = "x.evil.com";
	judge(&s, &ctx, 0, &f);
	/* the CN is that dNSName: reported once */
	CU_ASSERT_EQUAL(f.n, 1);
	CU_ASSERT(has(&f, "names", "dNSName 'x.evil.com' is outside the "
	    "permitted domains (lab.example)"));
	findings_free(&f);
	CU_ASSERT(clean(&s, &b, 0));
	s.dns[0] = "web.lab.example";
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has(&f, "names", "the CN 'x.evil.com' is outside the "
	    "permitted domains"));
	CU_ASSERT(has(&f, "names", "the CN 'x.evil.com' is not among the "
	    "dNSNames"));
	findings_free(&f);

	s = leaf();
	s.dns[1] = "other.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.dns[0] = "other.lab.example";
	s.dns[1] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'web.lab.example' is not "
	    "among the dNSNames"));
	/* no SAN at all: the CN alone is not compared */
	s.dns[0] = NULL;
	CU_ASSERT(clean(&s, &ctx, 0));

	s = leaf();
	s.cn[0] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "names", "the subject has no CN"));
	s.cn[0] = s.cn[1] = "web.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the subject has 2 CNs"));
	s = leaf();
	s.dns[1] = "a_b.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "dNSName 'a_b.lab.example' is not "
	    "a valid host name"));
	s.dns[1] = NULL;
	s.email = "admin@lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "subjectAltName carries an email "
	    "address 'admin@lab.example'"));
}

static void
test_wildcard_and_ip(void)
{
	/* a role whose two names take any host */
	static struct profile_tmpl	 two[] = {
		{ NULL, (char *)"${a}", 1 }, { NULL, (char *)"${b}", 2 }
	};
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct profile		 p = { 0 };
	struct spec		 s = leaf();

	p.dns = two;
	p.ndns = 2;
	s.dns[1] = "*.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "wildcard dNSName '*.lab.example' "
	    "is not allowed (the CA's policy does not allow them)"));
	CU_ASSERT(clean(&s, &b, 0));
	fx.conf.policy.allow_wildcard = 1;
	CU_ASSERT(clean(&s, &ctx, 0));
	p.key.alg = KEY_EC;
	p.key.bits = 256;
	ctx.profile = &p;
	CU_ASSERT(only(&s, &ctx, 0, "names", "(the profile does not allow "
	    "them)"));
	p.allow_wildcard = 1;
	CU_ASSERT(clean(&s, &ctx, 0));
	fx.conf.policy.allow_wildcard = 0;
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CA's policy does not allow"));

	s = leaf();
	s.ip = (const unsigned char *)"\x0a\x00\x00\x01";
	ctx.profile = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "names", "IP address 10.0.0.1 is not "
	    "allowed (the CA's policy does not allow them)"));
	fx.conf.policy.allow_ip = 1;
	CU_ASSERT(clean(&s, &ctx, 0));
	ctx.profile = &p;
	CU_ASSERT(only(&s, &ctx, 0, "names", "IP address 10.0.0.1 is not "
	    "allowed (the profile does not allow them)"));
	p.allow_ip = 1;
	CU_ASSERT(clean(&s, &ctx, 0));
	fx.conf.policy.allow_ip = 0;
}

/*
 * With no dNSName, clients match the CN (OpenSSL and GnuTLS fall back to
 * it), so it is held to a dNSName's rules; and an IP address is never a
 * dNSName.
 */
static void
test_cn_only_name(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct findings		 f;
	struct spec		 s = leaf();

	s.dns[0] = NULL;
	s.cn[0] = "*.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "wildcard CN '*.lab.example' is "
	    "not allowed (the CA's policy does not allow them)"));
	CU_ASSERT(clean(&s, &b, 0));
	fx.conf.policy.allow_wildcard = 1;
	CU_ASSERT(clean(&s, &ctx, 0));
	fx.conf.policy.allow_wildcard = 0;
	s.cn[0] = "*.evil.com";
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has(&f, "names", "wildcard CN '*.evil.com' is not allowed"));
	CU_ASSERT(has(&f, "names", "the CN '*.evil.com' is outside the "
	    "permitted domains"));
	findings_free(&f);
	s.cn[0] = "x.evil.com";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'x.evil.com' is outside "
	    "the permitted domains (lab.example)"));
	s.cn[0] = "localhost";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'localhost' is not a "
	    "valid host name (with no dNSName, clients match the CN)"));
	CU_ASSERT(only(&s, &b, 0, "names", "the CN 'localhost' is not a valid "
	    "host name"));
	s.cn[0] = "evil_com.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'evil_com.lab.example' is "
	    "not a valid host name"));
	s.cn[0] = "web.lab.example.";
	CU_ASSERT(only(&s, &b, 0, "names", "is not a valid host name"));
	s.cn[0] = "10.0.0.1";
	CU_ASSERT(only(&s, &b, 0, "names", "the CN '10.0.0.1' is not a valid "
	    "host name"));
	/* the CN that is the certificate's IP address is that address */
	s.ip = (const unsigned char *)"\x0a\x00\x00\x01";
	CU_ASSERT(clean(&s, &b, 0));
	/* a CN that is no host name beside dNSNames names nothing */
	s = leaf();
	s.cn[0] = "Front End 21";
	s.dns[0] = "fe21.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'Front End 21' is not "
	    "among the dNSNames"));

	s = leaf();
	s.dns[1] = "192.168.1.10";
	CU_ASSERT(only(&s, &b, 0, "names", "dNSName '192.168.1.10' is not a "
	    "valid host name"));
	s.dns[1] = "a.123";
	CU_ASSERT(only(&s, &b, 0, "names", "dNSName 'a.123' is not a valid "
	    "host name"));
	s.dns[1] = "10.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.dns[1] = "123.example";
	CU_ASSERT(clean(&s, &b, 0));
}

static void
test_names_bytes(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct findings		 f;
	struct spec		 s = leaf();
	gnutls_datum_t		 raw;

	s.cn[0] = "b.lab.example";
	raw = san_one("a\0b.lab.example", 15);
	s.raw_san = &raw;
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has(&f, "names", "dNSName 'a\\x00b.lab.example' contains a "
	    "NUL byte"));
	/* not taken for "a", nor for anything else */
	CU_ASSERT(!has(&f, "names", "'a'"));
	findings_free(&f);
	free(raw.data);
	raw = san_one("a\nb.lab.example", 15);
	CU_ASSERT(only(&s, &ctx, 0, "names", "dNSName 'a\\x0ab.lab.example' "
	    "contains a non-printable byte"));
	free(raw.data);
	raw = san_one("b\xc3\xbc" "cher.lab.example", 19);
	CU_ASSERT(only(&s, &ctx, 0, "names", "contains a byte outside ASCII"));
	free(raw.data);

	/*
	 * GnuTLS's own setter, given the same 15 bytes, writes a dNSName of
	 * "a" only (it stops at the NUL); whatever it writes is caught.
	 */
	s.raw_san = NULL;
	s.dns[0] = "a\0b.lab.example";
	s.cn[0] = "a";
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has_rule(&f, "names"));
	findings_free(&f);
}

static void
test_profile_templates(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct profile		 p = { 0 };
	struct profile_var	 vars[4] = {
		{ (char *)"pool_fqdn", NULL, NULL, 1, 0 },
		{ (char *)"sip_domain", NULL, NULL, 1, 1 },
		{ (char *)"web_internal", NULL, NULL, 0, 0 },
		{ (char *)"n", NULL, NULL, 1, 0 }
	};
	struct profile_tmpl	 dns[5] = {
		{ NULL, (char *)"${pool_fqdn}", 1 },
		{ NULL, (char *)"sip.${sip_domain}", 2 },
		{ NULL, (char *)"lyncdiscoverinternal.${sip_domain}", 3 },
		{ NULL, (char *)"webint.${web_internal}", 4 },
		{ NULL, (char *)"fe${n}.lab.example", 5 }
	};
	struct spec		 s = leaf();

	p.vars = vars;
	p.nvars = 4;
	p.dns = dns;
	p.ndns = 3;
	strv_add(&p.eku, SERVER_AUTH);
	p.key.alg = KEY_EC;
	p.key.bits = 256;
	ctx.profile = &p;
	s.cn[0] = s.dns[0] = "pool01.lab.example";
	s.dns[1] = "sip.lab.example";
	s.dns[2] = "LyncDiscoverInternal.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));
	/* "lyncdiscover." is not "lyncdiscoverinternal." */
	s.dns[2] = "lyncdiscover.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "no name for "
	    "'lyncdiscoverinternal.${sip_domain}'"));
	/* "sip." and its variable are both needed */
	s.dns[1] = "sipx.lab.example";
	s.dns[2] = "lyncdiscoverinternal.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names",
	    "no name for 'sip.${sip_domain}'"));
	s.dns[1] = "sip.lab.example";

	/* an optional variable left unset drops its template (profile_bind) */
	p.ndns = 4;
	CU_ASSERT(clean(&s, &ctx, 0));
	/* not when it is required, or has a default */
	vars[2].required = 1;
	CU_ASSERT(only(&s, &ctx, 0, "names", "no name for "
	    "'webint.${web_internal}'"));
	vars[2].required = 0;
	vars[2].def = (char *)"lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "no name for "
	    "'webint.${web_internal}'"));
	vars[2].def = NULL;

	/* a variable stands for one character at least */
	p.ndns = 5;
	s.dns[3] = "fe.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "no name for "
	    "'fe${n}.lab.example'"));
	s.dns[3] = "fe01.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));

	s.dns[0] = s.dns[1] = s.dns[2] = s.dns[3] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "names", "no name for '${pool_fqdn}'"));
	strv_free(&p.eku);
}

static void
test_request_names(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct request		 req;
	struct findings		 f;
	struct spec		 s = leaf();

	request_for_leaf(&req);
	ctx.request = &req;
	CU_ASSERT(clean(&s, &ctx, 0));
	strv_add(&req.dns, "extra.lab.example");
	CU_ASSERT(only(&s, &ctx, 0, "names", "dNSName 'extra.lab.example', "
	    "which the role gives, is missing"));
	s.dns[1] = "extra.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.dns[2] = "unasked.lab.example";
	CU_ASSERT(only(&s, &ctx, 0, "names", "dNSName 'unasked.lab.example' "
	    "is not one the role gives"));
	s.dns[2] = NULL;
	/* the subject, attribute by attribute and in order */
	s.org = "Lab";
	CU_ASSERT(only(&s, &ctx, 0, "names", "the subject has 2 attributes; "
	    "the role gives 1"));
	dn_free(&req.subject);
	dn_add(&req.subject, dn_oid("O"), "Other Lab");
	dn_add(&req.subject, dn_oid("CN"), "web.lab.example");
	CU_ASSERT(only(&s, &ctx, 0, "names", "subject attribute 1 is O='Lab'; "
	    "the role gives O='Other Lab'"));
	free(req.subject.v[0].value);
	req.subject.v[0].value = xstrdup("Lab");
	CU_ASSERT(clean(&s, &ctx, 0));
	/* IP addresses, compared as addresses */
	fx.conf.policy.allow_ip = 1;
	s.ip = (const unsigned char *)"\x0a\x00\x00\x01";
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has(&f, "names",
	    "IP address 10.0.0.1 is not one the role gives"));
	findings_free(&f);
	strv_add(&req.ip, "10.0.0.1");
	CU_ASSERT(clean(&s, &ctx, 0));
	strv_add(&req.ip, "2001:DB8::1");
	CU_ASSERT(only(&s, &ctx, 0, "names", "IP address 2001:DB8::1, which "
	    "the role gives, is missing"));
	strv_free(&req.ip);
	strv_add(&req.ip, "2001:DB8:0::1");
	s.ip = (const unsigned char *)"\x20\x01\x0d\xb8\0\0\0\0"
	    "\0\0\0\0\0\0\0\x01";
	s.ip_len = 16;
	CU_ASSERT(clean(&s, &ctx, 0));
	fx.conf.policy.allow_ip = 0;
	request_clear(&req);
}

/* Judge s, built and then patched (in for out), without an issuer. */
static int
only_patched(const struct spec *s, const char *in, const char *out,
    size_t n, const char *text)
{
	struct policy_ctx	 b = bare();
	struct findings		 f = { NULL, 0 };
	gnutls_x509_crt_t	 crt = patched(s, in, out, n);
	char			*cause = NULL;
	int			 ok;

	CU_ASSERT_EQUAL(policy_check(crt, &b, &f, &cause), 0);
	ok = f.n == 1 && has(&f, "names", text);
	if (!ok) {
		fprintf(stderr, "\n    wanted names: ...%s...", text);
		show("got", &f);
	}
	findings_free(&f);
	free(cause);
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/*
 * Subject attributes: content valid for the string type they are (a
 * UTF8String that is not UTF-8 is a certificate OpenSSL cannot read),
 * RFC 5280's bounds, C of two letters; a CN that is the only name is a
 * host name, so ASCII.
 */
static void
test_subject_strings(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct spec		 s = leaf();
	char			 o65[66], cn[100];

	s.org = "Caf\xc3\xa9 Lab";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.org = "caf\xe9";
	CU_ASSERT(only(&s, &ctx, 0, "names", "subject O 'caf\\xe9' is not "
	    "valid UTF-8 (it is a UTF8String)"));
	s.org = "a\xed\xa0\x80";		/* a surrogate */
	CU_ASSERT(only(&s, &ctx, 0, "names", "is not valid UTF-8"));
	s.org = "\xc0\xaf";		/* an overlong '/' */
	CU_ASSERT(only(&s, &ctx, 0, "names", "is not valid UTF-8"));
	memset(o65, 'o', 65);
	o65[65] = '\0';
	s.org = o65;
	CU_ASSERT(only(&s, &ctx, 0, "names", "subject O 'ooo"));
	CU_ASSERT(only(&s, &ctx, 0, "names", "is 65 characters long (at most "
	    "64"));
	o65[64] = '\0';
	CU_ASSERT(clean(&s, &ctx, 0));
	s.org = NULL;
	s.country = "USA";
	CU_ASSERT(only(&s, &ctx, 0, "names", "subject C 'USA' is not a "
	    "two-letter country code"));
	s.country = "DE";
	CU_ASSERT(clean(&s, &ctx, 0));
	s.country = NULL;

	/* a CN of 65 characters or more, which is a valid dNSName */
	memset(cn, 'a', 40);
	cn[40] = '.';
	memset(cn + 41, 'b', 40);
	strcpy(cn + 81, ".lab.example");
	s.cn[0] = s.dns[0] = cn;
	CU_ASSERT(only(&s, &ctx, 0, "names", "is 93 characters long (at most "
	    "64: RFC 5280's upper bound)"));

	/* the bytes of other string types, as another encoder wrote them */
	s = leaf();
	s.org = "Lab";
	CU_ASSERT(only_patched(&s, "\x13\x03Lab", "\x13\x03La*", 5,
	    "subject O 'La*' holds characters a PrintableString cannot"));
	CU_ASSERT(only_patched(&s, "\x13\x03Lab", "\x16\x03L\xe9" "b", 5,
	    "subject O 'L\\xe9b' holds bytes outside ASCII (it is an "
	    "IA5String)"));
	CU_ASSERT(only_patched(&s, "\x13\x03Lab", "\x0c\x03L\xe9" "b", 5,
	    "subject O 'L\\xe9b' is not valid UTF-8"));

	/* the CN alone names the server: an IDN only as its A-label */
	s = leaf();
	s.cn[0] = "caf\xc3\xa9.lab.example";
	s.dns[0] = NULL;
	CU_ASSERT(only(&s, &ctx, 0, "names", "the CN 'caf\\xc3\\xa9.lab."
	    "example' is the only name but holds bytes outside ASCII"));
	s.cn[0] = "xn--caf-dma.lab.example";
	CU_ASSERT(clean(&s, &ctx, 0));
}

/* The name rules on a bound request, before any certificate exists. */
static void
test_check_names(void)
{
	struct policy_ctx	 ctx = with_ca(), b = bare();
	struct profile		 p = { 0 };
	struct request		 req;
	struct findings		 f = { NULL, 0 };
	static const struct {
		const char	*dns;
		const char	*finding;
	} bad[] = {
		{ "a b.lab.example", "dNSName 'a b.lab.example' is not a valid "
		    "host name" },
		{ "x;y.lab.example", "dNSName 'x;y.lab.example' is not a valid "
		    "host name" },
		{ "*", "dNSName '*' is not a valid host name" },
		{ "-rf", "dNSName '-rf' is not a valid host name" },
		{ "a,O=Evil", "is not a valid host name" },
		{ "*.lab.example", "wildcard dNSName '*.lab.example' is not "
		    "allowed" },
		{ "www.example.com", "dNSName 'www.example.com' is outside the "
		    "permitted domains (lab.example)" },
		{ "caf\xc3\xa9.lab.example", "contains a byte outside ASCII" },
	};

	request_for_leaf(&req);
	policy_check_names(&req, &ctx, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	show("unexpected", &f);
	findings_free(&f);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strv_add(&req.dns, bad[i].dns);
		policy_check_names(&req, &ctx, &f);
		CU_ASSERT(has(&f, "names", bad[i].finding));
		if (!has(&f, "names", bad[i].finding)) {
			fprintf(stderr, "\n    wanted: %s", bad[i].finding);
			show("got", &f);
		}
		findings_free(&f);
		strv_free(&req.dns);
		strv_add(&req.dns, "web.lab.example");
	}
	/* without a CA, no permitted domains; the syntax still counts */
	strv_add(&req.dns, "www.example.com");
	policy_check_names(&req, &b, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	findings_free(&f);
	strv_add(&req.dns, "a b");
	policy_check_names(&req, &b, &f);
	CU_ASSERT(f.n == 1 && has(&f, "names", "'a b' is not a valid"));
	findings_free(&f);
	strv_free(&req.dns);
	strv_add(&req.dns, "web.lab.example");
	/* IP addresses: text that is none, and the profile's permission */
	strv_add(&req.ip, "10.0.0.300");
	policy_check_names(&req, &b, &f);
	CU_ASSERT(has(&f, "names", "'10.0.0.300' is not an IP address"));
	findings_free(&f);
	strv_free(&req.ip);
	strv_add(&req.ip, "10.0.0.1");
	p.key.alg = KEY_EC;
	p.key.bits = 256;
	b.profile = &p;
	policy_check_names(&req, &b, &f);
	CU_ASSERT(has(&f, "names", "IP address 10.0.0.1 is not allowed (the "
	    "profile does not allow them)"));
	findings_free(&f);
	p.allow_ip = 1;
	policy_check_names(&req, &b, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	findings_free(&f);
	/* the subject's attributes, as a certificate's */
	dn_add(&req.subject, dn_oid("C"), "USA");
	policy_check_names(&req, &b, &f);
	CU_ASSERT(f.n == 1 && has(&f, "names", "subject C 'USA' is not a "
	    "two-letter country code"));
	findings_free(&f);
	request_clear(&req);
}

static void
test_every_finding_reported(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct findings		 f;
	struct spec		 s = leaf();

	s.cdp[0] = NULL;
	s.eku[0] = NULL;
	s.bc = 2;
	s.no_aki = 1;
	s.serial_len = 4;
	s.cn[0] = s.dns[0] = "x.evil.com";
	s.dig = GNUTLS_DIG_SHA1;
	judge(&s, &ctx, 0, &f);
	CU_ASSERT(has_rule(&f, "cdp"));
	CU_ASSERT(has_rule(&f, "eku"));
	CU_ASSERT(has_rule(&f, "basic-constraints"));
	CU_ASSERT(has_rule(&f, "aki"));
	CU_ASSERT(has_rule(&f, "serial"));
	CU_ASSERT(has_rule(&f, "names"));
	CU_ASSERT(has_rule(&f, "signature"));
	findings_free(&f);
}

static void
test_judging_changes_nothing(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct findings		 f = { NULL, 0 };
	struct spec		 s = leaf();
	gnutls_x509_crt_t	 crt, empty = NULL;
	gnutls_datum_t		 before = { NULL, 0 }, after = { NULL, 0 };
	char			*cause = NULL;

	s.cdp[0] = NULL;
	crt = build(&s);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &before);
	CU_ASSERT_EQUAL(policy_check(crt, &ctx, &f, &cause), 0);
	CU_ASSERT_EQUAL(policy_check_ca(crt, &ctx, &f, &cause), 0);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &after);
	CU_ASSERT(before.size == after.size &&
	    memcmp(before.data, after.data, before.size) == 0);
	findings_free(&f);
	findings_free(&f);
	findings_free(NULL);
	gnutls_free(before.data);
	gnutls_free(after.data);
	gnutls_x509_crt_deinit(crt);

	/* what cannot be read at all is an error, not a finding */
	CU_ASSERT_EQUAL(policy_check(NULL, &ctx, &f, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	cause = NULL;
	gnutls_x509_crt_init(&empty);
	CU_ASSERT_EQUAL(policy_check(empty, &ctx, &f, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NOT_NULL(cause);
	CU_ASSERT_EQUAL(f.n, 0);
	free(cause);
	gnutls_x509_crt_deinit(empty);

	/* the DER form finds the same and hands over what it judged */
	{
		struct findings		 g = { NULL, 0 };
		gnutls_x509_crt_t	 judged = NULL;
		gnutls_datum_t		 back = { NULL, 0 };
		static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01 };

		cause = NULL;
		s = leaf();
		s.cdp[0] = NULL;		/* one finding: no CDP */
		crt = build(&s);
		gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &before);
		CU_ASSERT_EQUAL(policy_check(crt, &ctx, &f, &cause), 0);
		CU_ASSERT_EQUAL(policy_check_der(before.data, before.size, &ctx,
		    &g, &judged, &cause), 0);
		CU_ASSERT(f.n > 0 && f.n == g.n);
		for (size_t i = 0; i < f.n && i < g.n; i++)
			CU_ASSERT_STRING_EQUAL(f.v[i].msg, g.v[i].msg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(judged);
		gnutls_x509_crt_export2(judged, GNUTLS_X509_FMT_DER, &back);
		CU_ASSERT(back.size == before.size &&
		    memcmp(back.data, before.data, back.size) == 0);
		findings_free(&f);
		findings_free(&g);
		gnutls_x509_crt_deinit(judged);
		judged = NULL;
		CU_ASSERT_EQUAL(policy_check_der(junk, sizeof junk, &ctx, &g,
		    &judged, &cause), ERR_FAIL);
		CU_ASSERT_PTR_NULL(judged);
		CU_ASSERT_EQUAL(g.n, 0);
		free(cause);
		cause = NULL;
		CU_ASSERT_EQUAL(policy_check_der(NULL, 0, &ctx, &g, NULL,
		    &cause), ERR_FAIL);
		free(cause);
		cause = NULL;
		gnutls_free(back.data);
		gnutls_free(before.data);
		before.data = NULL;
		gnutls_x509_crt_deinit(crt);
	}

	/* a message is one line whatever a caller puts in it */
	findings_add(&f, "crl", "fetch failed: %s", "bad\r\nline");
	CU_ASSERT_STRING_EQUAL(f.v[0].msg, "fetch failed: bad??line");
	findings_free(&f);
}

static void
test_ca(void)
{
	struct policy_ctx	 ctx = bare(), root_ctx = bare();
	struct spec		 s = root(fx.ca_key, "Policy Test CA");
	struct spec		 sub = root(fx.ec, "Policy Sub CA");
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der = { NULL, 0 };
	struct findings		 f = { NULL, 0 };
	char			*cause = NULL;

	/* the suite's root, as built, with and without itself as issuer */
	CU_ASSERT(clean(&s, &ctx, 1));
	ctx.issuer = fx.ca;
	CU_ASSERT_EQUAL(policy_check_ca(fx.ca, &ctx, &f, &cause), 0);
	CU_ASSERT_EQUAL(f.n, 0);
	ctx.issuer = NULL;
	s.eku[0] = SERVER_AUTH;
	CU_ASSERT(only(&s, &ctx, 1, "eku", "a CA certificate carries no EKU"));
	s.eku[0] = NULL;
	s.ku = GNUTLS_KEY_CRL_SIGN;
	CU_ASSERT(only(&s, &ctx, 1, "key-usage", "keyCertSign missing"));
	s.ku = CA_KU;
	s.bc = 1;
	CU_ASSERT(only(&s, &ctx, 1, "basic-constraints", "CA:TRUE missing"));
	s.bc = 2;
	s.bc_critical = 0;
	CU_ASSERT(only(&s, &ctx, 1, "basic-constraints", "not critical"));
	s.bc_critical = 1;
	s.no_ski = 1;
	CU_ASSERT(only(&s, &ctx, 1, "ski", "subjectKeyIdentifier missing"));
	s.no_ski = 0;
	s.key = s.signer = fx.rsa1024;
	CU_ASSERT(only(&s, &ctx, 1, "key", "RSA key of 1024 bits"));
	s.key = s.signer = fx.ca_key;
	s.dig = GNUTLS_DIG_SHA1;
	CU_ASSERT(only(&s, &ctx, 1, "signature", "SHA1"));
	s.dig = GNUTLS_DIG_SHA256;
	/* the CA's subject is its leaves' issuer name: text OpenSSL reads */
	s.org = "caf\xe9";
	CU_ASSERT(only(&s, &ctx, 1, "names", "subject O 'caf\\xe9' is not "
	    "valid UTF-8"));
	s.org = NULL;
	s.country = "USA";
	CU_ASSERT(only(&s, &ctx, 1, "names", "subject C 'USA' is not a "
	    "two-letter country code"));
	s.country = NULL;

	/*
	 * A root whose signature was tampered with: GnuTLS's own
	 * gnutls_x509_crt_verify() with the root as its only anchor passes
	 * it (it is its own anchor); the rule checks the signature itself.
	 */
	crt = build(&s);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
	gnutls_x509_crt_deinit(crt);
	der.data[der.size - 1] ^= 1;
	gnutls_x509_crt_init(&crt);
	CU_ASSERT_FATAL(gnutls_x509_crt_import(crt, &der,
	    GNUTLS_X509_FMT_DER) == 0);
	CU_ASSERT_EQUAL(policy_check_ca(crt, &ctx, &f, &cause), 0);
	CU_ASSERT(has(&f, "issuer", "the signature does not verify"));
	findings_free(&f);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(der.data);

	/* a subordinate under the suite's root */
	sub.issuer = fx.ca;
	sub.signer = fx.ca_key;
	sub.no_aki = 0;
	sub.na = fx.now + 365 * DAY;
	root_ctx.issuer = fx.ca;
	CU_ASSERT(clean(&sub, &root_ctx, 1));
	/* without its issuer, its chain cannot be judged: no finding */
	CU_ASSERT(clean(&sub, &ctx, 1));
	sub.issuer = fx.other_ca;
	sub.signer = fx.ec2;
	judge(&sub, &root_ctx, 1, &f);
	CU_ASSERT(has(&f, "issuer", "is not the CA's subject"));
	CU_ASSERT(has(&f, "issuer", "the signature does not verify"));
	CU_ASSERT(has(&f, "aki", "not the issuer's"));
	findings_free(&f);
	sub.issuer = fx.short_ca;
	sub.signer = fx.ca_key;
	root_ctx.issuer = fx.short_ca;
	CU_ASSERT(only(&sub, &root_ctx, 1, "validity", "beyond the issuing "
	    "CA's notAfter"));

	/* a CA with path length 0 signs leaves only */
	s = root(fx.ca_key, "Policy Test CA");
	s.bc = 3;
	crt = build(&s);
	CU_ASSERT(clean(&s, &ctx, 1));
	sub.issuer = crt;
	root_ctx.issuer = crt;
	CU_ASSERT(only(&sub, &root_ctx, 1, "basic-constraints", "the issuing "
	    "CA's path length is 0: it may not sign another CA"));
	gnutls_x509_crt_deinit(crt);
	free(cause);
}

static void
test_dns_syntax(void)
{
	char	 long_label[70], long_name[300];

	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com");
	memset(long_name, 0, sizeof long_name);
	for (int i = 0; i < 4; i++)
		memcpy(long_name + i * 64, i < 3 ?
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa." :
		    "example", i < 3 ? 64 : 7);
	CU_ASSERT(policy_dns_valid("a.lab.example", 0));
	CU_ASSERT(policy_dns_valid("A-1.Lab.Example", 0));
	CU_ASSERT(policy_dns_valid("xn--bcher-kva.example", 0));
	CU_ASSERT(policy_dns_valid(long_label + 1, 0));	/* 63 */
	CU_ASSERT(!policy_dns_valid(long_label, 0));	/* 64 */
	CU_ASSERT(policy_dns_valid(long_name, 0));	/* 199 */
	memset(long_name, 'a', 250);
	memcpy(long_name + 250, ".com", 5);
	CU_ASSERT(!policy_dns_valid(long_name, 0));	/* 254 */
	CU_ASSERT(!policy_dns_valid(NULL, 0));
	CU_ASSERT(!policy_dns_valid("", 0));
	CU_ASSERT(!policy_dns_valid("example", 0));
	CU_ASSERT(!policy_dns_valid("-a.example", 0));
	CU_ASSERT(!policy_dns_valid("a-.example", 0));
	CU_ASSERT(!policy_dns_valid("a.example-", 0));
	CU_ASSERT(!policy_dns_valid("a..example", 0));
	CU_ASSERT(!policy_dns_valid(".a.example", 0));
	CU_ASSERT(!policy_dns_valid("a.example.", 0));
	CU_ASSERT(!policy_dns_valid("a_b.example", 0));
	CU_ASSERT(!policy_dns_valid("a b.example", 0));
	CU_ASSERT(!policy_dns_valid("a,O=Evil", 0));
	CU_ASSERT(!policy_dns_valid("*.example.com", 0));
	CU_ASSERT(policy_dns_valid("*.example.com", 1));
	CU_ASSERT(!policy_dns_valid("*.com", 1));
	CU_ASSERT(!policy_dns_valid("*", 1));
	CU_ASSERT(!policy_dns_valid("*.", 1));
	CU_ASSERT(!policy_dns_valid("a.*.example.com", 1));
	CU_ASSERT(!policy_dns_valid("*a.example.com", 1));
	CU_ASSERT(!policy_dns_valid("**.example.com", 1));
}

static int
setup(void)
{
	struct spec	 s;

	fx.now = time(NULL);
	gnutls_x509_privkey_init(&fx.ca_key);
	gnutls_x509_privkey_init(&fx.ec);
	gnutls_x509_privkey_init(&fx.ec2);
	gnutls_x509_privkey_init(&fx.p384);
	gnutls_x509_privkey_init(&fx.p521);
	gnutls_x509_privkey_init(&fx.ed25519);
	gnutls_x509_privkey_init(&fx.rsa);
	gnutls_x509_privkey_init(&fx.rsa1024);
	gnutls_x509_privkey_init(&fx.rsa_ca_key);
	if (gnutls_x509_privkey_generate(fx.ca_key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.ec, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.ec2, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.p384, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.p521, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.ed25519, GNUTLS_PK_EDDSA_ED25519,
	    0, 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.rsa, GNUTLS_PK_RSA, 2048, 0) < 0 ||
	    gnutls_x509_privkey_generate(fx.rsa_ca_key, GNUTLS_PK_RSA, 2048,
	    0) < 0 ||
	    gnutls_x509_privkey_generate(fx.rsa1024, GNUTLS_PK_RSA, 1024,
	    0) < 0)
		return 1;
	s = root(fx.ca_key, "Policy Test CA");
	fx.ca = build(&s);
	s.na = fx.now + 30 * DAY;
	fx.short_ca = build(&s);
	s = root(fx.ec2, "Other CA");
	fx.other_ca = build(&s);
	s = root(fx.ec2, "Policy Test CA");
	fx.twin_ca = build(&s);
	s = root(fx.rsa_ca_key, "Policy RSA CA");
	fx.rsa_ca = build(&s);
	strv_add(&fx.conf.cdp, CDP_URL);
	strv_add(&fx.conf.policy.domains, "lab.example");
	fx.conf.policy.min_rsa_bits = 2048;
	fx.conf.policy.max_validity_days = 825;
	return 0;
}

static void
teardown(void)
{
	strv_free(&fx.conf.cdp);
	strv_free(&fx.conf.policy.domains);
	gnutls_x509_crt_deinit(fx.ca);
	gnutls_x509_crt_deinit(fx.other_ca);
	gnutls_x509_crt_deinit(fx.twin_ca);
	gnutls_x509_crt_deinit(fx.short_ca);
	gnutls_x509_crt_deinit(fx.rsa_ca);
	gnutls_x509_privkey_deinit(fx.ca_key);
	gnutls_x509_privkey_deinit(fx.ec);
	gnutls_x509_privkey_deinit(fx.ec2);
	gnutls_x509_privkey_deinit(fx.p384);
	gnutls_x509_privkey_deinit(fx.p521);
	gnutls_x509_privkey_deinit(fx.ed25519);
	gnutls_x509_privkey_deinit(fx.rsa);
	gnutls_x509_privkey_deinit(fx.rsa1024);
	gnutls_x509_privkey_deinit(fx.rsa_ca_key);
}

/*
 * A delta CRL's removeFromCRL releases a hold the base CRL lists; it does
 * not undo a final revocation there (RFC 5280 5.3.1).
 */
static void
test_remove_from_crl(void)
{
	struct crl_seen	 base = { 1, 6, 10, -1 }, delta = { 1, 8, 11, 10 };
	struct findings	 f = { NULL, 0 };

	policy_check_revoked("b.crl", &base, "d.crl", &delta, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	findings_free(&f);
	base.listed = 1;			/* keyCompromise */
	policy_check_revoked("b.crl", &base, "d.crl", &delta, &f);
	CU_ASSERT(has(&f, "crl", "revoked (keyCompromise; listed in b.crl)"));
	findings_free(&f);
	base.listed = -1;			/* not in the base */
	policy_check_revoked("b.crl", &base, "d.crl", &delta, &f);
	CU_ASSERT_EQUAL(f.n, 0);
	findings_free(&f);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "a compliant certificate", test_compliant },
		{ "CRL distribution points", test_cdp },
		{ "CRL distribution points that are not URIs",
		    test_cdp_not_uri },
		{ "extended key usage", test_eku },
		{ "extended key usage of a role or request", test_eku_of_role },
		{ "basic constraints", test_basic_constraints },
		{ "key usage", test_key_usage },
		{ "key identifiers", test_key_identifiers },
		{ "issuer name and signature", test_issuer },
		{ "authority information access", test_aia },
		{ "key strength and kind", test_key },
		{ "RSA public exponent", test_rsa_exponent },
		{ "signature algorithm", test_signature },
		{ "a CA's own key", test_ca_key },
		{ "serial number", test_serial },
		{ "validity", test_validity },
		{ "validity of the role", test_validity_of_role },
		{ "names", test_names },
		{ "wildcards and IP addresses", test_wildcard_and_ip },
		{ "the CN as the only host name", test_cn_only_name },
		{ "bytes inside a dNSName", test_names_bytes },
		{ "a role's name templates", test_profile_templates },
		{ "a request's exact names", test_request_names },
		{ "subject attributes' strings and bounds",
		    test_subject_strings },
		{ "the name rules on a request", test_check_names },
		{ "every finding is reported", test_every_finding_reported },
		{ "judging changes nothing; unreadable is an error",
		    test_judging_changes_nothing },
		{ "CA certificates", test_ca },
		{ "dNSName syntax", test_dns_syntax },
		{ "removeFromCRL releases holds only", test_remove_from_crl },
		CU_TEST_INFO_NULL
	};
	int	 rc;

	if (setup() != 0) {
		fprintf(stderr, "test-policy: cannot make the test keys\n");
		return 1;
	}
	unit_suite("policy", tests);
	rc = unit_run();
	teardown();
	return rc;
}
