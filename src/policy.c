/*
 * The rules. Each rule is one small function that reads the certificate
 * through GnuTLS and adds findings; policy_check runs them all, so a
 * report lists every broken rule, not only the first. Nothing here
 * modifies a certificate.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "err.h"
#include "policy.h"
#include "util.h"
#include "x509.h"

#define OID_SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define OID_ANY_EKU	"2.5.29.37.0"
#define OID_CN		"2.5.4.3"
#define DAY		86400

#define add findings_add

void
findings_add(struct findings *f, const char *rule, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
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
	size_t	 len = strlen(s), label = 0, labels = 1;

	if (len == 0 || len > 253)
		return 0;
	if (s[0] == '*') {
		if (!wildcard || s[1] != '.')
			return 0;
		s += 2;
		labels++;
		if (*s == '\0')
			return 0;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-' || p[1] == '\0')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
		if (*p == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[strlen(s) - 1] != '-' && labels >= 2;
}

/* What the certificate holds, read once. */
struct facts {
	struct strv	 dns;		/* dNSNames (valid text only) */
	struct strv	 ip;		/* as text */
	struct strv	 eku;
	struct strv	 cdp;
	struct dn	 subject;	/* in RDN order */
	int		 is_ca;
	int		 has_bc, bc_critical;
	unsigned	 ku;
	int		 has_ku;
	int		 pk;
	unsigned	 bits;
	int		 curve;
};

static void
facts_free(struct facts *fa)
{
	strv_free(&fa->dns);
	strv_free(&fa->ip);
	strv_free(&fa->eku);
	strv_free(&fa->cdp);
	dn_free(&fa->subject);
}

static void
read_subject(gnutls_x509_crt_t crt, struct facts *fa)
{
	gnutls_x509_dn_t	 dn;
	gnutls_x509_ava_st	 ava;

	if (gnutls_x509_crt_get_subject(crt, &dn) < 0)
		return;
	for (int r = 0;; r++) {
		int a;

		for (a = 0; gnutls_x509_dn_get_rdn_ava(dn, r, a, &ava) == 0;
		    a++) {
			char		*oid = xstrndup((char *)ava.oid.data,
					    ava.oid.size);
			const char	*known = NULL;
			char		*val = xstrndup((char *)ava.value.data,
					    ava.value.size);

			/* keep known OIDs as the static strings dn_oid() gives */
			for (const char *const *n = (const char *const[]){ "CN",
			    "C", "L", "ST", "O", "OU", "DC", NULL }; *n != NULL;
			    n++)
				if (strcmp(dn_oid(*n), oid) == 0)
					known = dn_oid(*n);
			if (known != NULL)
				dn_add(&fa->subject, known, val);
			else
				dn_add(&fa->subject, "unknown", val);
			free(oid);
			free(val);
		}
		if (a == 0)
			break;
	}
}

static void
read_sans(gnutls_x509_crt_t crt, struct facts *fa, struct findings *f)
{
	char		 buf[2048], addr[64];
	size_t		 len;
	unsigned	 critical;
	int		 type;

	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len,
		    &critical);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type < 0) {
			add(f, "names", "subjectAltName entry %u unreadable: %s",
			    i, gnutls_strerror(type));
			break;
		}
		if (type == GNUTLS_SAN_DNSNAME) {
			if (memchr(buf, '\0', len) != NULL) {
				add(f, "names", "a dNSName contains a NUL byte");
				continue;
			}
			buf[len] = '\0';
			strv_add(&fa->dns, buf);
		} else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 ||
		    len == 16)) {
			strv_add(&fa->ip, inet_ntop(len == 4 ? AF_INET :
			    AF_INET6, buf, addr, sizeof addr));
		} else
			add(f, "names", "subjectAltName of a type a server "
			    "certificate does not carry (only DNS and IP)");
	}
}

static void
read_facts(gnutls_x509_crt_t crt, struct facts *fa, struct findings *f)
{
	char		 buf[1024];
	size_t		 len;
	unsigned	 critical = 0, ca = 0, reasons;
	int		 pathlen, ret;

	memset(fa, 0, sizeof *fa);
	read_subject(crt, fa);
	read_sans(crt, fa, f);
	for (unsigned i = 0;; i++) {
		len = sizeof buf;
		if (gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &len,
		    &critical) < 0)
			break;
		strv_add(&fa->eku, buf);
	}
	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		ret = gnutls_x509_crt_get_crl_dist_points(crt, i, buf, &len,
		    &reasons, &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0 || ret != GNUTLS_SAN_URI) {
			add(f, "cdp", "distribution point %u is not a URI "
			    "fullName", i + 1);
			if (ret < 0)
				break;
			continue;
		}
		buf[len] = '\0';
		strv_add(&fa->cdp, buf);
	}
	ret = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pathlen);
	fa->has_bc = ret >= 0;
	fa->bc_critical = (int)critical;
	fa->is_ca = ret > 0;
	critical = 0;
	fa->has_ku = gnutls_x509_crt_get_key_usage(crt, &fa->ku,
	    &critical) >= 0;
	fa->pk = gnutls_x509_crt_get_pk_algorithm(crt, &fa->bits);
	if (fa->pk == GNUTLS_PK_ECDSA) {
		gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

		gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, NULL, NULL);
		fa->curve = (int)curve;
	}
}

static void
rule_cdp(const struct facts *fa, const struct policy_ctx *ctx,
    struct findings *f)
{
	int	 http = 0;

	if (fa->cdp.n == 0) {
		add(f, "cdp", "no CRL distribution point (every server "
		    "certificate must carry one)");
		return;
	}
	for (size_t i = 0; i < fa->cdp.n; i++)
		http |= strncmp(fa->cdp.v[i], "http://", 7) == 0;
	if (!http)
		add(f, "cdp", "no http:// CRL distribution point (peers fetch "
		    "CRLs over plain HTTP)");
	if (ctx->conf != NULL)
		for (size_t i = 0; i < ctx->conf->cdp.n; i++)
			if (!strv_has(&fa->cdp, ctx->conf->cdp.v[i]))
				add(f, "cdp", "the CA's CRL distribution point "
				    "%s is missing", ctx->conf->cdp.v[i]);
	if (ctx->request != NULL)
		for (size_t i = 0; i < ctx->request->cdp.n; i++)
			if (!strv_has(&fa->cdp, ctx->request->cdp.v[i]))
				add(f, "cdp", "the profile's CRL distribution "
				    "point %s is missing",
				    ctx->request->cdp.v[i]);
}

static void
rule_eku(const struct facts *fa, const struct policy_ctx *ctx,
    struct findings *f)
{
	const struct strv	*want = ctx->request != NULL ?
				    &ctx->request->eku : ctx->profile != NULL ?
				    &ctx->profile->eku : NULL;

	if (fa->eku.n == 0) {
		add(f, "eku", "no extended key usage (serverAuth is required)");
		return;
	}
	if (!strv_has(&fa->eku, OID_SERVER_AUTH))
		add(f, "eku", "serverAuth (%s) missing", OID_SERVER_AUTH);
	if (strv_has(&fa->eku, OID_ANY_EKU))
		add(f, "eku", "anyExtendedKeyUsage is not allowed");
	if (want == NULL)
		return;
	for (size_t i = 0; i < want->n; i++)
		if (!strv_has(&fa->eku, want->v[i]) &&
		    strcmp(want->v[i], OID_SERVER_AUTH) != 0)
			add(f, "eku", "purpose %s the role needs is missing",
			    want->v[i]);
	for (size_t i = 0; i < fa->eku.n; i++)
		if (!strv_has(want, fa->eku.v[i]))
			add(f, "eku", "purpose %s is not the role's",
			    fa->eku.v[i]);
}

static void
rule_bc_ku(const struct facts *fa, const struct policy_ctx *ctx,
    struct findings *f)
{
	if (!fa->has_bc)
		add(f, "basic-constraints", "basicConstraints missing");
	else {
		if (!fa->bc_critical)
			add(f, "basic-constraints", "basicConstraints is not "
			    "critical");
		if (fa->is_ca)
			add(f, "basic-constraints", "CA:TRUE on a server "
			    "certificate");
	}
	if (!fa->has_ku) {
		add(f, "key-usage", "keyUsage missing");
		return;
	}
	if (!(fa->ku & GNUTLS_KEY_DIGITAL_SIGNATURE))
		add(f, "key-usage", "digitalSignature missing");
	if (fa->pk == GNUTLS_PK_RSA && !(fa->ku & GNUTLS_KEY_KEY_ENCIPHERMENT))
		add(f, "key-usage", "keyEncipherment missing for an RSA key");
	if (fa->pk == GNUTLS_PK_ECDSA && (fa->ku & GNUTLS_KEY_KEY_ENCIPHERMENT))
		add(f, "key-usage", "keyEncipherment set for an EC key");
	if (fa->ku & (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN))
		add(f, "key-usage", "keyCertSign/cRLSign on a server "
		    "certificate");
	if (ctx->request != NULL && fa->ku != ctx->request->key_usage)
		add(f, "key-usage", "keyUsage differs from the profile's");
}

static int
get_id(int (*fn)(gnutls_x509_crt_t, void *, size_t *, unsigned *),
    gnutls_x509_crt_t crt, unsigned char *buf, size_t *len)
{
	unsigned	 critical;

	*len = 64;
	return fn(crt, buf, len, &critical);
}

static void
rule_ids(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, int self)
{
	unsigned char	 ski[64], aki[64], iski[64];
	size_t		 skilen, akilen, iskilen;

	if (get_id(gnutls_x509_crt_get_subject_key_id, crt, ski, &skilen) < 0)
		add(f, "ski", "subjectKeyIdentifier missing");
	if (self)
		return;
	if (get_id(gnutls_x509_crt_get_authority_key_id, crt, aki,
	    &akilen) < 0) {
		add(f, "aki", "authorityKeyIdentifier missing");
		return;
	}
	if (ctx->issuer != NULL && get_id(gnutls_x509_crt_get_subject_key_id,
	    ctx->issuer, iski, &iskilen) >= 0 &&
	    (akilen != iskilen || memcmp(aki, iski, akilen) != 0))
		add(f, "aki", "authorityKeyIdentifier is not the issuer's "
		    "subjectKeyIdentifier");
}

static void
rule_issuer(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    struct findings *f)
{
	gnutls_datum_t	 a = { NULL, 0 }, b = { NULL, 0 };
	unsigned	 status = 0;

	if (gnutls_x509_crt_get_raw_issuer_dn(crt, &a) < 0 ||
	    gnutls_x509_crt_get_raw_dn(issuer, &b) < 0 || a.size != b.size ||
	    memcmp(a.data, b.data, a.size) != 0)
		add(f, "issuer", "the issuer name is not the CA's subject");
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (gnutls_x509_crt_verify(crt, &issuer, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
	    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
	    GNUTLS_VERIFY_ALLOW_BROKEN, &status) < 0 ||
	    (status & (GNUTLS_CERT_SIGNATURE_FAILURE |
	    GNUTLS_CERT_SIGNER_NOT_FOUND)) != 0)
		add(f, "issuer", "the signature does not verify with the "
		    "issuer's key");
}

static void
rule_key(const struct facts *fa, const struct policy_ctx *ctx,
    struct findings *f)
{
	unsigned	 min = ctx->conf != NULL &&
			    ctx->conf->policy.min_rsa_bits > 2048 ?
			    ctx->conf->policy.min_rsa_bits : 2048;

	if (fa->pk == GNUTLS_PK_RSA) {
		if (fa->bits < min)
			add(f, "key", "RSA key of %u bits (at least %u)",
			    fa->bits, min);
	} else if (fa->pk == GNUTLS_PK_ECDSA) {
		if (fa->curve != GNUTLS_ECC_CURVE_SECP256R1 &&
		    fa->curve != GNUTLS_ECC_CURVE_SECP384R1)
			add(f, "key", "EC key on curve %s (use P-256 or P-384)",
			    gnutls_ecc_curve_get_name(fa->curve) != NULL ?
			    gnutls_ecc_curve_get_name(fa->curve) : "unknown");
	} else
		add(f, "key", "%s key (use RSA or ECDSA P-256/P-384)",
		    gnutls_pk_get_name(fa->pk) != NULL ?
		    gnutls_pk_get_name(fa->pk) : "unknown");
	if (ctx->request != NULL && (fa->pk == GNUTLS_PK_RSA ?
	    ctx->request->key.alg != KEY_RSA : ctx->request->key.alg != KEY_EC))
		add(f, "key", "key type differs from the request's");
}

static void
rule_signature(gnutls_x509_crt_t crt, struct findings *f)
{
	int	 sign = gnutls_x509_crt_get_signature_algorithm(crt);
	int	 hash = gnutls_sign_get_hash_algorithm(sign);
	int	 pk = gnutls_sign_get_pk_algorithm(sign);

	if (sign < 0 || sign == GNUTLS_SIGN_UNKNOWN) {
		add(f, "signature", "unknown signature algorithm");
		return;
	}
	if (hash != GNUTLS_DIG_SHA256 && hash != GNUTLS_DIG_SHA384 &&
	    hash != GNUTLS_DIG_SHA512)
		add(f, "signature", "signed with %s (SHA-256 or stronger "
		    "required)", gnutls_sign_get_name(sign));
	if (pk == GNUTLS_PK_RSA_PSS)
		add(f, "signature", "RSASSA-PSS signature (the server platform "
		    "needs PKCS#1 v1.5)");
	else if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA)
		add(f, "signature", "signature algorithm %s is not RSA or "
		    "ECDSA", gnutls_sign_get_name(sign));
}

static void
rule_serial(gnutls_x509_crt_t crt, struct findings *f)
{
	unsigned char	 buf[64];
	size_t		 len = sizeof buf, start = 0;

	if (gnutls_x509_crt_get_serial(crt, buf, &len) < 0 || len == 0) {
		add(f, "serial", "serial number unreadable");
		return;
	}
	if (buf[0] & 0x80) {
		add(f, "serial", "negative serial number");
		return;
	}
	while (start + 1 < len && buf[start] == 0)
		start++;
	if (len - start < 8)
		add(f, "serial", "serial number of %zu octets (at least 8, "
		    "random)", len - start);
	if (len > 20)
		add(f, "serial", "serial number longer than 20 octets");
}

static void
rule_validity(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, int leaf)
{
	time_t	 nb = gnutls_x509_crt_get_activation_time(crt);
	time_t	 na = gnutls_x509_crt_get_expiration_time(crt);

	if (nb == (time_t)-1 || na == (time_t)-1 || nb >= na) {
		add(f, "validity", "notBefore is not before notAfter");
		return;
	}
	if (ctx->now > 0 && na <= ctx->now)
		add(f, "validity", "expired");
	if (ctx->now > 0 && nb > ctx->now + DAY)
		add(f, "validity", "not valid until more than a day from now");
	if (leaf && ctx->conf != NULL &&
	    (na - nb) > (time_t)ctx->conf->policy.max_validity_days * DAY +
	    DAY)
		add(f, "validity", "lifetime of %lld days exceeds the CA's "
		    "maximum of %u", (long long)((na - nb) / DAY),
		    ctx->conf->policy.max_validity_days);
	if (ctx->issuer != NULL &&
	    na > gnutls_x509_crt_get_expiration_time(ctx->issuer))
		add(f, "validity", "outlives the issuing CA's certificate");
}

/* A template's pattern: each ${var} stands for one or more characters. */
static int
pattern_match(const char *t, const char *s)
{
	while (*t != '\0') {
		if (t[0] == '$' && t[1] == '{') {
			const char *end = strchr(t, '}');

			if (end == NULL)
				return 0;
			for (const char *p = s + 1; ; p++) {
				if (pattern_match(end + 1, p))
					return 1;
				if (*p == '\0')
					return 0;
			}
		}
		if (*s == '\0' || tolower((unsigned char)*t) !=
		    tolower((unsigned char)*s))
			return 0;
		t++;
		s++;
	}
	return *s == '\0';
}

static int
wildcard_allowed(const struct policy_ctx *ctx)
{
	if (ctx->conf != NULL && !ctx->conf->policy.allow_wildcard)
		return 0;
	if (ctx->profile != NULL && !ctx->profile->allow_wildcard)
		return 0;
	return 1;
}

static int
ip_allowed(const struct policy_ctx *ctx)
{
	if (ctx->conf != NULL && !ctx->conf->policy.allow_ip)
		return 0;
	if (ctx->profile != NULL && !ctx->profile->allow_ip)
		return 0;
	return 1;
}

static void
names_exact(const struct facts *fa, const struct request *req,
    struct findings *f)
{
	for (size_t i = 0; i < req->dns.n; i++)
		if (!strv_has_icase(&fa->dns, req->dns.v[i]))
			add(f, "names", "dNSName %s missing", req->dns.v[i]);
	for (size_t i = 0; i < fa->dns.n; i++)
		if (!strv_has_icase(&req->dns, fa->dns.v[i]))
			add(f, "names", "dNSName %s was not requested",
			    fa->dns.v[i]);
	for (size_t i = 0; i < req->ip.n; i++)
		if (!strv_has(&fa->ip, req->ip.v[i]))
			add(f, "names", "IP address %s missing", req->ip.v[i]);
	for (size_t i = 0; i < fa->ip.n; i++)
		if (!strv_has(&req->ip, fa->ip.v[i]))
			add(f, "names", "IP address %s was not requested",
			    fa->ip.v[i]);
	if (fa->subject.n != req->subject.n)
		add(f, "names", "the subject has %zu attributes, the request "
		    "%zu", fa->subject.n, req->subject.n);
	else
		for (size_t i = 0; i < req->subject.n; i++)
			if (strcmp(fa->subject.v[i].oid,
			    req->subject.v[i].oid) != 0 ||
			    strcmp(fa->subject.v[i].value,
			    req->subject.v[i].value) != 0)
				add(f, "names", "subject %s differs from the "
				    "request", dn_name(req->subject.v[i].oid));
}

static void
names_pattern(const struct facts *fa, const struct profile *p,
    struct findings *f)
{
	for (size_t i = 0; i < p->ndns; i++) {
		size_t j;

		for (j = 0; j < fa->dns.n; j++)
			if (pattern_match(p->dns[i].text, fa->dns.v[j]))
				break;
		if (j == fa->dns.n)
			add(f, "names", "no name for '%s' (the role needs it)",
			    p->dns[i].text);
	}
}

static void
rule_names(const struct facts *fa, const struct policy_ctx *ctx,
    struct findings *f)
{
	const char	*cn = NULL;
	int		 ncn = 0;

	for (size_t i = 0; i < fa->subject.n; i++)
		if (strcmp(fa->subject.v[i].oid, OID_CN) == 0) {
			cn = fa->subject.v[i].value;
			ncn++;
		}
	if (ncn != 1 || *cn == '\0')
		add(f, "names", "the subject must have exactly one non-empty CN "
		    "(has %d)", ncn);
	for (size_t i = 0; i < fa->dns.n; i++) {
		const char *d = fa->dns.v[i];

		if (!policy_dns_valid(d, 1))
			add(f, "names", "dNSName '%s' is not a valid host name", d);
		else if (d[0] == '*' && !wildcard_allowed(ctx))
			add(f, "names", "wildcard dNSName '%s' is not allowed",
			    d);
		if (ctx->conf != NULL &&
		    !conf_domain_permitted(&ctx->conf->policy, d))
			add(f, "names", "dNSName '%s' is outside the permitted "
			    "domains", d);
	}
	if (fa->ip.n > 0 && !ip_allowed(ctx))
		add(f, "names", "IP address %s is not allowed", fa->ip.v[0]);
	if (cn != NULL && ncn == 1 && fa->dns.n > 0 &&
	    !strv_has_icase(&fa->dns, cn) && !strv_has(&fa->ip, cn))
		add(f, "names", "the CN '%s' is not among the dNSNames", cn);
	if (cn != NULL && ctx->conf != NULL && policy_dns_valid(cn, 1) &&
	    !conf_domain_permitted(&ctx->conf->policy, cn) &&
	    !strv_has_icase(&fa->dns, cn))
		add(f, "names", "the CN '%s' is outside the permitted domains",
		    cn);
	if (ctx->request != NULL)
		names_exact(fa, ctx->request, f);
	else if (ctx->profile != NULL)
		names_pattern(fa, ctx->profile, f);
}

static void
rule_aia(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f)
{
	const struct conf	*c = ctx->conf;
	struct strv		 issuers = { NULL, 0 }, ocsp = { NULL, 0 };
	gnutls_datum_t		 d;

	if (c == NULL || c->ca_issuers.n + c->ocsp.n == 0)
		return;
	for (int i = 0;; i++) {
		if (gnutls_x509_crt_get_authority_info_access(crt, i,
		    GNUTLS_IA_CAISSUERS_URI, &d, NULL) >= 0) {
			strv_add_take(&issuers, xstrndup((char *)d.data, d.size));
			gnutls_free(d.data);
			continue;
		}
		if (gnutls_x509_crt_get_authority_info_access(crt, i,
		    GNUTLS_IA_OCSP_URI, &d, NULL) >= 0) {
			strv_add_take(&ocsp, xstrndup((char *)d.data, d.size));
			gnutls_free(d.data);
			continue;
		}
		if (gnutls_x509_crt_get_authority_info_access(crt, i,
		    GNUTLS_IA_ACCESSMETHOD_OID, &d, NULL) < 0)
			break;
		gnutls_free(d.data);
	}
	for (size_t i = 0; i < c->ca_issuers.n; i++)
		if (!strv_has(&issuers, c->ca_issuers.v[i]))
			add(f, "aia", "caIssuers %s missing", c->ca_issuers.v[i]);
	for (size_t i = 0; i < c->ocsp.n; i++)
		if (!strv_has(&ocsp, c->ocsp.v[i]))
			add(f, "aia", "OCSP %s missing", c->ocsp.v[i]);
	strv_free(&issuers);
	strv_free(&ocsp);
}

int
policy_check(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, char **cause)
{
	struct facts	 fa;

	(void)cause;
	read_facts(crt, &fa, f);
	rule_cdp(&fa, ctx, f);
	rule_eku(&fa, ctx, f);
	rule_bc_ku(&fa, ctx, f);
	rule_ids(crt, ctx, f, 0);
	if (ctx->issuer != NULL)
		rule_issuer(crt, ctx->issuer, f);
	rule_aia(crt, ctx, f);
	rule_key(&fa, ctx, f);
	rule_signature(crt, f);
	rule_serial(crt, f);
	rule_validity(crt, ctx, f, 1);
	rule_names(&fa, ctx, f);
	facts_free(&fa);
	return 0;
}

int
policy_check_ca(gnutls_x509_crt_t crt, const struct policy_ctx *ctx,
    struct findings *f, char **cause)
{
	struct facts		 fa;
	struct policy_ctx	 c = *ctx;
	unsigned		 critical, ca;
	int			 pathlen = -1;
	int			 self = ctx->issuer != NULL ?
				    x509_same(crt, ctx->issuer) :
				    (int)gnutls_x509_crt_check_issuer(crt, crt);
	/* issued by a CA we were not shown: its signature cannot be checked */
	int			 unknown = ctx->issuer == NULL && !self;

	(void)cause;
	read_facts(crt, &fa, f);
	if (!self && !unknown && gnutls_x509_crt_get_basic_constraints(
	    ctx->issuer, &critical, &ca, &pathlen) > 0 && pathlen == 0)
		add(f, "basic-constraints", "the issuing CA's path length is "
		    "0: it may not sign another CA");
	if (!fa.has_bc || !fa.is_ca)
		add(f, "basic-constraints", "not a CA certificate (CA:TRUE "
		    "missing)");
	else if (!fa.bc_critical)
		add(f, "basic-constraints", "basicConstraints is not critical");
	if (!fa.has_ku || (fa.ku & (GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN)) != (GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN))
		add(f, "key-usage", "a CA needs keyCertSign and cRLSign");
	if (fa.eku.n > 0)
		add(f, "eku", "a CA certificate carries no EKU (an EKU on a CA "
		    "constrains every leaf below it)");
	c.request = NULL;
	c.profile = NULL;
	rule_ids(crt, &c, f, self || unknown);
	if (self)
		rule_issuer(crt, crt, f);
	else if (!unknown)
		rule_issuer(crt, ctx->issuer, f);
	c.conf = NULL;	/* the CA's own key is held to the minimum only */
	rule_key(&fa, &c, f);
	rule_signature(crt, f);
	rule_serial(crt, f);
	c.issuer = self ? NULL : ctx->issuer;
	rule_validity(crt, &c, f, 0);
	facts_free(&fa);
	return 0;
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
		add(f, "chain", "does not verify to the given CA: %.*s",
		    (int)text.size, (char *)text.data);
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
policy_check_expiry(gnutls_x509_crt_t crt, time_t now, unsigned warn_days,
    struct findings *f)
{
	time_t	 na = gnutls_x509_crt_get_expiration_time(crt);

	if (warn_days > 0 && na > now && na - now < (time_t)warn_days * DAY)
		add(f, "expiry", "expires in %lld days (warning at %u)",
		    (long long)((na - now) / DAY), warn_days);
}

void
policy_cdp_urls(gnutls_x509_crt_t crt, struct strv *out)
{
	struct strv	 all = { NULL, 0 };

	x509_cdp_list(crt, &all);
	for (size_t i = 0; i < all.n; i++)
		if (strncmp(all.v[i], "http://", 7) == 0)
			strv_add(out, all.v[i]);
	strv_free(&all);
}

void
policy_check_crl(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    const unsigned char *data, size_t len, const char *url, time_t now,
    struct findings *f)
{
	gnutls_x509_crl_t	 crl = NULL;
	gnutls_x509_crl_iter_t	 iter = NULL;
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	unsigned char		 serial[64], mine[64];
	size_t			 slen, mlen = sizeof mine;
	unsigned		 status = 0;
	time_t			 when;

	if (gnutls_x509_crl_init(&crl) < 0)
		return;
	if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0 &&
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) < 0) {
		add(f, "crl", "%s is not a CRL", url);
		goto out;
	}
	if (issuer != NULL && (gnutls_x509_crl_verify(crl, &issuer, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0 ||
	    (status & (GNUTLS_CERT_SIGNATURE_FAILURE |
	    GNUTLS_CERT_SIGNER_NOT_FOUND)) != 0))
		add(f, "crl", "the CRL at %s is not signed by the issuer", url);
	if (gnutls_x509_crl_get_next_update(crl) != (time_t)-1 &&
	    gnutls_x509_crl_get_next_update(crl) < now)
		add(f, "crl", "the CRL at %s is stale (past its nextUpdate)",
		    url);
	if (gnutls_x509_crt_get_serial(crt, mine, &mlen) < 0)
		goto out;
	for (;;) {
		slen = sizeof serial;
		if (gnutls_x509_crl_iter_crt_serial(crl, &iter, serial, &slen,
		    &when) != 0)
			break;
		if (slen == mlen && memcmp(serial, mine, slen) == 0) {
			add(f, "crl", "the certificate is revoked (listed in %s)",
			    url);
			break;
		}
	}
out:
	if (iter != NULL)
		gnutls_x509_crl_iter_deinit(iter);
	gnutls_x509_crl_deinit(crl);
}
