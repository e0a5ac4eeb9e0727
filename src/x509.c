/*
 * Certificates and CSRs built with GnuTLS. Each multi-valued extension
 * (subjectAltName, EKU, CDP, AIA) is encoded once from its whole list and
 * set as one extension: GnuTLS's per-value setters re-encode the extension
 * on every call. One small function per extension, as certtool does well.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "der.h"
#include "ecsig.h"
#include "err.h"
#include "out.h"
#include "util.h"
#include "x509.h"

#define OID_SKI		"2.5.29.14"
#define OID_KU		"2.5.29.15"
#define OID_SAN		"2.5.29.17"
#define OID_BC		"2.5.29.19"
#define OID_AKI		"2.5.29.35"
#define OID_EKU		"2.5.29.37"
#define OID_CDP		"2.5.29.31"
#define OID_AIA		"1.3.6.1.5.5.7.1.1"
#define OID_FRESHEST	"2.5.29.46"
#define OID_NC		"2.5.29.30"
/* GeneralName tags (RFC 5280, implicitly tagged) */
#define GN_DNS		0x82
#define GN_URI		0x86
#define GN_IP		0x87
/*
 * seconds: tolerate peers' clock skew; the lifetime (validity_days) counts
 * from the backdated notBefore, so it never exceeds what the policy caps
 */
#define BACKDATE	300
#define CERTS_MAX	(1024 * 1024)
#define CSR_SUBJECT_MAX	4096	/* bytes of RFC 4514 text */

static int
gerr(char **cause, const char *what, int ret)
{
	return err_set(cause, "%s: %s", what, gnutls_strerror(ret));
}

int
x509_serial_new(unsigned char serial[X509_SERIAL_LEN], char **cause)
{
	int	 ret;

	if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, serial, X509_SERIAL_LEN)) < 0)
		return gerr(cause, "random serial", ret);
	/* positive, and no leading zero byte so DER keeps all 16 bytes */
	serial[0] &= 0x7f;
	if (serial[0] == 0)
		serial[0] = 0x40;
	return 0;
}

static int
set_ext(gnutls_x509_crt_t crt, const char *oid, const gnutls_datum_t *d,
    int critical, char **cause)
{
	int	 ret;

	ret = gnutls_x509_crt_set_extension_by_oid(crt, oid, d->data, d->size,
	    critical);
	if (ret < 0)
		return err_set(cause, "set extension %s: %s", oid,
		    gnutls_strerror(ret));
	return 0;
}

static int
ip_bytes(const char *text, unsigned char *buf, unsigned *len)
{
	if (inet_pton(AF_INET, text, buf) == 1) {
		*len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, buf) == 1) {
		*len = 16;
		return 0;
	}
	return -1;
}

/*
 * A dNSName goes in as it is given, printable ASCII. An international
 * name is refused, never converted to its A-label as GnuTLS's SAN setter
 * would: the certificate or CSR then carries exactly the request's names
 * and its CN, and the policy compares like with like.
 */
static int
dns_plain(const char *s, char **cause)
{
	char	*q;
	int	 rc;

	for (const char *c = s; *c != '\0'; c++) {
		if ((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f)
			continue;
		q = quote_text(s, 64);
		rc = err_usage(cause, "dNSName '%s' is not printable ASCII (an "
		    "international name goes in its xn-- form)", q);
		free(q);
		return rc;
	}
	return 0;
}

static int
ext_san(const struct strv *dns, const struct strv *ip, gnutls_datum_t *out,
    char **cause)
{
	gnutls_subject_alt_names_t	 sans = NULL;
	gnutls_datum_t			 d;
	unsigned char			 addr[16];
	unsigned			 alen;
	int				 rc = ERR_FAIL, ret;

	if ((ret = gnutls_subject_alt_names_init(&sans)) < 0) {
		rc = gerr(cause, "subjectAltName", ret);
		goto out;
	}
	for (size_t i = 0; i < dns->n; i++) {
		TRY(dns_plain(dns->v[i], cause));
		d.data = (unsigned char *)dns->v[i];
		d.size = (unsigned)strlen(dns->v[i]);
		if ((ret = gnutls_subject_alt_names_set(sans,
		    GNUTLS_SAN_DNSNAME, &d, NULL)) < 0) {
			rc = gerr(cause, "subjectAltName", ret);
			goto out;
		}
	}
	for (size_t i = 0; i < ip->n; i++) {
		if (ip_bytes(ip->v[i], addr, &alen) != 0) {
			rc = err_usage(cause, "'%s' is not an IP address",
			    ip->v[i]);
			goto out;
		}
		d.data = addr;
		d.size = alen;
		if ((ret = gnutls_subject_alt_names_set(sans,
		    GNUTLS_SAN_IPADDRESS, &d, NULL)) < 0) {
			rc = gerr(cause, "subjectAltName", ret);
			goto out;
		}
	}
	if ((ret = gnutls_x509_ext_export_subject_alt_names(sans, out)) < 0) {
		rc = gerr(cause, "subjectAltName", ret);
		goto out;
	}
	rc = 0;
out:
	if (sans != NULL)
		gnutls_subject_alt_names_deinit(sans);
	return rc;
}

static int
ext_eku(const struct strv *oids, gnutls_datum_t *out, char **cause)
{
	gnutls_x509_key_purposes_t	 p = NULL;
	int				 rc = ERR_FAIL, ret;

	if ((ret = gnutls_x509_key_purpose_init(&p)) < 0) {
		rc = gerr(cause, "extended key usage", ret);
		goto out;
	}
	for (size_t i = 0; i < oids->n; i++) {
		if ((ret = gnutls_x509_key_purpose_set(p, oids->v[i])) < 0) {
			rc = err_set(cause, "extended key usage %s: %s",
			    oids->v[i], gnutls_strerror(ret));
			goto out;
		}
	}
	if ((ret = gnutls_x509_ext_export_key_purposes(p, out)) < 0) {
		rc = gerr(cause, "extended key usage", ret);
		goto out;
	}
	rc = 0;
out:
	if (p != NULL)
		gnutls_x509_key_purpose_deinit(p);
	return rc;
}

/* Is the i-th URL of list l (of n lists) listed before it? */
static int
url_seen(const struct strv *const *lists, size_t l, size_t i)
{
	const char	*u = lists[l]->v[i];

	for (size_t a = 0; a <= l; a++)
		for (size_t k = 0; lists[a] != NULL && k < (a < l ?
		    lists[a]->n : i); k++)
			if (strcmp(lists[a]->v[k], u) == 0)
				return 1;
	return 0;
}

/*
 * CRLDistributionPoints (also Freshest CRL) as GnuTLS exports it: the
 * URLs, the CA's first and each once, as the fullName of one point.
 */
static void
cdp_value(struct der *d, const struct strv *urls, const struct strv *extra)
{
	const struct strv	*lists[2] = { urls, extra };
	size_t			 dps, dp, dpn, full;

	dps = der_open(d, DER_SEQUENCE);
	if (urls->n + (extra != NULL ? extra->n : 0) > 0) {
		dp = der_open(d, DER_SEQUENCE);
		dpn = der_open(d, DER_CONTEXT(0));	/* distributionPoint */
		full = der_open(d, DER_CONTEXT(0));	/* fullName */
		for (size_t l = 0; l < 2; l++)
			for (size_t i = 0; lists[l] != NULL &&
			    i < lists[l]->n; i++)
				if (!url_seen(lists, l, i))
					der_tlv(d, GN_URI, lists[l]->v[i],
					    strlen(lists[l]->v[i]));
		der_close(d, full);
		der_close(d, dpn);
		der_close(d, dp);
	}
	der_close(d, dps);
}

/* AuthorityInfoAccessSyntax: the caIssuers URLs, then the OCSP ones. */
static void
aia_value(struct der *d, const struct conf *c)
{
	size_t	 seq, ad;

	seq = der_open(d, DER_SEQUENCE);
	for (size_t i = 0; i < c->ca_issuers.n + c->ocsp.n; i++) {
		int		 issuers = i < c->ca_issuers.n;
		const char	*url = issuers ? c->ca_issuers.v[i] :
				    c->ocsp.v[i - c->ca_issuers.n];

		ad = der_open(d, DER_SEQUENCE);
		(void)der_oid(d, issuers ? GNUTLS_OID_AD_CAISSUERS :
		    GNUTLS_OID_AD_OCSP);
		der_tlv(d, GN_URI, url, strlen(url));
		der_close(d, ad);
	}
	der_close(d, seq);
}

int
x509_encode_cdp(const struct strv *urls, gnutls_datum_t *out, char **cause)
{
	struct der	 d;

	der_init(&d, 256);
	cdp_value(&d, urls, NULL);
	out->data = gnutls_malloc(d.len);
	if (out->data == NULL) {
		der_free(&d);
		return err_set(cause, "CRL distribution points: out of memory");
	}
	memcpy(out->data, d.p, d.len);
	out->size = (unsigned)d.len;
	der_free(&d);
	return 0;
}

/* An extension's value from d, which is emptied for the next one. */
static int
set_ext_der(gnutls_x509_crt_t crt, const char *oid, struct der *d,
    char **cause)
{
	gnutls_datum_t	 v = { d->p, (unsigned)d->len };
	int		 rc;

	rc = set_ext(crt, oid, &v, 0, cause);
	d->len = 0;
	return rc;
}

/*
 * CDP, then AIA when the issuing CA names URLs: what an issuer puts in
 * what it signs, encoded as in its leaves.
 */
static int
set_issuer_urls(gnutls_x509_crt_t crt, const struct conf *issuer,
    char **cause)
{
	struct der	 d;
	int		 rc = ERR_FAIL;

	der_init(&d, 256);
	cdp_value(&d, &issuer->cdp, NULL);
	TRY(set_ext_der(crt, OID_CDP, &d, cause));
	/* with delta CRLs, peers find the delta through Freshest CRL */
	if (issuer->delta_cdp.n > 0) {
		cdp_value(&d, &issuer->delta_cdp, NULL);
		TRY(set_ext_der(crt, OID_FRESHEST, &d, cause));
	}
	if (issuer->ca_issuers.n + issuer->ocsp.n > 0) {
		aia_value(&d, issuer);
		TRY(set_ext_der(crt, OID_AIA, &d, cause));
	}
	rc = 0;
out:
	der_free(&d);
	return rc;
}

static int
set_subject(gnutls_x509_crt_t crt, const struct dn *dn, char **cause)
{
	int	 ret;

	/* one call per attribute: each value is one RDN, never parsed */
	for (size_t i = 0; i < dn->n; i++) {
		ret = gnutls_x509_crt_set_dn_by_oid(crt, dn->v[i].oid, 0,
		    dn->v[i].value, (unsigned)strlen(dn->v[i].value));
		if (ret < 0)
			return err_set(cause, "subject %s: %s",
			    dn_name(dn->v[i].oid), gnutls_strerror(ret));
	}
	return 0;
}

/* Version, serial, validity, subject, key, SKI: what every certificate has. */
static int
set_common(gnutls_x509_crt_t crt, const struct dn *subject, unsigned days,
    gnutls_pubkey_t pub, time_t now, char **cause)
{
	unsigned char	 serial[X509_SERIAL_LEN], id[64];
	size_t		 idlen = sizeof id;
	int		 rc = ERR_FAIL, ret;

	TRY(x509_serial_new(serial, cause));
	if ((ret = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(crt, serial,
	    sizeof serial)) < 0 ||
	    (ret = gnutls_x509_crt_set_activation_time(crt,
	    now - BACKDATE)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt,
	    now - BACKDATE + (time_t)days * 86400)) < 0 ||
	    (ret = gnutls_x509_crt_set_pubkey(crt, pub)) < 0 ||
	    (ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id,
	    &idlen)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0) {
		rc = gerr(cause, "build certificate", ret);
		goto out;
	}
	TRY(set_subject(crt, subject, cause));
	rc = 0;
out:
	return rc;
}

static int
set_aki_from(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, char **cause)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof id;
	unsigned	 critical;
	int		 ret;

	if ((ret = gnutls_x509_crt_get_subject_key_id(issuer, id, &idlen,
	    &critical)) < 0)
		return gerr(cause, "issuer's subject key identifier", ret);
	if ((ret = gnutls_x509_crt_set_authority_key_id(crt, id, idlen)) < 0)
		return gerr(cause, "authority key identifier", ret);
	return 0;
}

/*
 * Sign, then replace the certificate with one parsed from its own DER: a
 * certificate GnuTLS has just built keeps stale cached fields (its raw
 * names among them), so what the policy judges, what is recorded and what
 * is written must all be read back from the signed bytes.
 */
static int
sign(gnutls_x509_crt_t *crt, gnutls_x509_crt_t issuer, const struct key *key,
    gnutls_digest_algorithm_t digest, char **cause)
{
	gnutls_x509_crt_t	 parsed = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	int			 ret;

	/* RSA keys sign PKCS#1 v1.5: the target servers do not take PSS */
	ret = gnutls_x509_crt_privkey_sign(*crt, issuer != NULL ? issuer : *crt,
	    keys_privkey(key), digest, 0);
	if (ret >= 0 &&
	    (ret = gnutls_x509_crt_export2(*crt, GNUTLS_X509_FMT_DER,
	    &der)) >= 0 &&
	    (ret = gnutls_x509_crt_init(&parsed)) >= 0)
		ret = gnutls_x509_crt_import(parsed, &der, GNUTLS_X509_FMT_DER);
	gnutls_free(der.data);
	if (ret < 0) {
		if (parsed != NULL)
			gnutls_x509_crt_deinit(parsed);
		return gerr(cause, "sign certificate", ret);
	}
	gnutls_x509_crt_deinit(*crt);
	*crt = parsed;
	return 0;
}

/*
 * The leaf is encoded here, field by field, the way crl.c encodes a CRL:
 * GnuTLS's certificate setters re-encode the whole libtasn1 tree on every
 * call (about 250 us of CPU per certificate, five times a P-256
 * signature). The bytes are those GnuTLS's certificate API produces for
 * the same request (test-x509 builds both and compares them). Nothing
 * here keeps state: the signing threads call it concurrently.
 */

/* X.680 PrintableString characters, the test GnuTLS applies to a value. */
static int
printable(const char *s)
{
	return asn1_printable(s, strlen(s));
}

static int
ia5(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * One attribute per RDN, in order, as GnuTLS encodes them: C a
 * PrintableString, DC an IA5String, any other a PrintableString when its
 * text allows one, else a UTF8String.
 */
static int
leaf_subject(struct der *d, const struct dn *dn, char **cause)
{
	size_t		 name, rdn, atv;
	const char	*v;
	uint8_t		 tag;

	name = der_open(d, DER_SEQUENCE);
	for (size_t i = 0; i < dn->n; i++) {
		v = dn->v[i].value;
		if (strcmp(dn->v[i].oid, "2.5.4.6") == 0)
			tag = 0x13;
		else if (strcmp(dn->v[i].oid,
		    "0.9.2342.19200300.100.1.25") == 0)
			tag = 0x16;
		else
			tag = printable(v) ? 0x13 : 0x0c;
		if ((tag == 0x13 && !printable(v)) || (tag == 0x16 && !ia5(v)))
			return err_usage(cause, "subject %s: '%s' is not %s",
			    dn_name(dn->v[i].oid), v, tag == 0x13 ?
			    "a PrintableString" : "ASCII");
		rdn = der_open(d, 0x31);
		atv = der_open(d, DER_SEQUENCE);
		if (der_oid(d, dn->v[i].oid) != 0)
			return err_set(cause, "subject: bad OID %s",
			    dn->v[i].oid);
		der_tlv(d, tag, v, strlen(v));
		der_close(d, atv);
		der_close(d, rdn);
	}
	der_close(d, name);
	return 0;
}

/* der_time (UTCTime through 2049, GeneralizedTime after), in range. */
static int
leaf_time(struct der *d, time_t t, char **cause)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1950 ||
	    tm.tm_year + 1900 > 9999)
		return err_set(cause, "build certificate: date out of range");
	der_time(d, t);
	return 0;
}

/* Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue } */
static size_t
ext_open(struct der *d, const char *oid, int critical, size_t *value)
{
	size_t	 ext = der_open(d, DER_SEQUENCE);

	(void)der_oid(d, oid);		/* one of the constants above */
	if (critical)
		der_tlv(d, 0x01, "\xff", 1);
	*value = der_open(d, DER_OCTET_STRING);
	return ext;
}

static void
ext_close(struct der *d, size_t ext, size_t value)
{
	der_close(d, value);
	der_close(d, ext);
}

/* CRLDistributionPoints (or Freshest CRL) as an extension. */
static void
leaf_cdp(struct der *d, const char *oid, const struct strv *urls,
    const struct strv *extra)
{
	size_t	 ext, val;

	ext = ext_open(d, oid, 0, &val);
	cdp_value(d, urls, extra);
	ext_close(d, ext, val);
}

static void
leaf_aia(struct der *d, const struct conf *c)
{
	size_t	 ext, val;

	ext = ext_open(d, OID_AIA, 0, &val);
	aia_value(d, c);
	ext_close(d, ext, val);
}

/*
 * keyUsage, critical: GnuTLS's flags are the named bits in DER order
 * (digitalSignature 0x80 ... encipherOnly 0x01, decipherOnly 0x8000);
 * trailing zero bits are not encoded.
 */
static void
leaf_ku(struct der *d, unsigned ku)
{
	unsigned char	 b[3];
	size_t		 ext, val, n;
	unsigned	 last, unused = 0;

	b[1] = (unsigned char)(ku & 0xff);
	b[2] = (unsigned char)(ku >> 8 & 0xff);
	n = b[2] != 0 ? 2 : b[1] != 0 ? 1 : 0;
	for (last = n > 0 ? b[n] : 1; !(last & 1); last >>= 1)
		unused++;
	b[0] = (unsigned char)unused;
	ext = ext_open(d, OID_KU, 1, &val);
	der_tlv(d, DER_BIT_STRING, b, n + 1);
	ext_close(d, ext, val);
}

static int
leaf_san(struct der *d, const struct strv *dns, const struct strv *ip,
    char **cause)
{
	unsigned char	 addr[16];
	unsigned	 alen;
	size_t		 ext, val, seq;
	int		 rc = ERR_FAIL;

	ext = ext_open(d, OID_SAN, 0, &val);
	seq = der_open(d, DER_SEQUENCE);
	for (size_t i = 0; i < dns->n; i++) {
		TRY(dns_plain(dns->v[i], cause));
		der_tlv(d, GN_DNS, dns->v[i], strlen(dns->v[i]));
	}
	for (size_t i = 0; i < ip->n; i++) {
		if (ip_bytes(ip->v[i], addr, &alen) != 0) {
			rc = err_usage(cause, "'%s' is not an IP address",
			    ip->v[i]);
			goto out;
		}
		der_tlv(d, GN_IP, addr, alen);
	}
	der_close(d, seq);
	ext_close(d, ext, val);
	rc = 0;
out:
	return rc;
}

static int
leaf_eku(struct der *d, const struct strv *oids, char **cause)
{
	size_t	 ext, val, seq;

	ext = ext_open(d, OID_EKU, 0, &val);
	seq = der_open(d, DER_SEQUENCE);
	for (size_t i = 0; i < oids->n; i++)
		if (der_oid(d, oids->v[i]) != 0)
			return err_set(cause, "extended key usage %s: not an "
			    "OID", oids->v[i]);
	der_close(d, seq);
	ext_close(d, ext, val);
	return 0;
}

/*
 * The key's SubjectPublicKeyInfo, and its identifier as GnuTLS computes
 * it (GNUTLS_KEYID_USE_SHA1): SHA-1 over the whole SubjectPublicKeyInfo.
 */
static int
leaf_spki(gnutls_pubkey_t pub, gnutls_datum_t *spki, unsigned char id[20],
    char **cause)
{
	int	 ret;

	if ((ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, spki)) < 0)
		return gerr(cause, "build certificate: public key", ret);
	if ((ret = gnutls_hash_fast(GNUTLS_DIG_SHA1, spki->data, spki->size,
	    id)) < 0)
		return gerr(cause, "subject key identifier", ret);
	return 0;
}

int
x509_sig_alg(struct der *d, const struct ca *ca,
    gnutls_sign_algorithm_t *sign, char **cause)
{
	gnutls_pk_algorithm_t	 pk;
	const char		*oid;
	size_t			 mark;

	pk = gnutls_privkey_get_pk_algorithm(keys_privkey(ca->key), NULL);
	*sign = gnutls_pk_to_sign(pk, ca->conf->digest);
	/* PSS would need parameters, and the policy refuses it anyway */
	if (pk == GNUTLS_PK_RSA_PSS || *sign == GNUTLS_SIGN_UNKNOWN ||
	    (oid = gnutls_sign_get_oid(*sign)) == NULL)
		return err_set(cause, "no signature algorithm for this CA "
		    "key");
	mark = der_open(d, DER_SEQUENCE);
	if (der_oid(d, oid) != 0)
		return err_set(cause, "bad signature algorithm OID %s", oid);
	if (pk == GNUTLS_PK_RSA)
		der_tlv(d, DER_NULL, NULL, 0);
	der_close(d, mark);
	return 0;
}

/* TBSCertificate, the fields in the order the GnuTLS builder set them. */
static int
leaf_tbs(struct der *d, const struct request *req, gnutls_pubkey_t pub,
    const struct ca *ca, time_t now, const struct der *alg, char **cause)
{
	gnutls_datum_t	 spki = { NULL, 0 }, issuer = { NULL, 0 };
	unsigned char	 serial[X509_SERIAL_LEN], id[20], aki[64];
	size_t		 akilen = sizeof aki, tbs, m, exts, list, ext, val;
	unsigned	 critical;
	int		 rc = ERR_FAIL, ret;

	TRY(x509_serial_new(serial, cause));
	TRY(leaf_spki(pub, &spki, id, cause));
	if ((ret = gnutls_x509_crt_get_raw_dn(ca->crt, &issuer)) < 0) {
		rc = gerr(cause, "issuer's name", ret);
		goto out;
	}
	if ((ret = gnutls_x509_crt_get_subject_key_id(ca->crt, aki, &akilen,
	    &critical)) < 0) {
		rc = gerr(cause, "issuer's subject key identifier", ret);
		goto out;
	}
	tbs = der_open(d, DER_SEQUENCE);
	m = der_open(d, DER_CONTEXT(0));
	der_small_uint(d, DER_INTEGER, 2);		/* v3 */
	der_close(d, m);
	der_uint(d, DER_INTEGER, serial, sizeof serial);
	der_raw(d, alg->p, alg->len);
	der_raw(d, issuer.data, issuer.size);
	m = der_open(d, DER_SEQUENCE);
	TRY(leaf_time(d, now - BACKDATE, cause));
	TRY(leaf_time(d, now - BACKDATE + (time_t)req->validity_days * 86400,
	    cause));
	der_close(d, m);
	TRY(leaf_subject(d, &req->subject, cause));
	der_raw(d, spki.data, spki.size);

	exts = der_open(d, DER_CONTEXT(3));
	list = der_open(d, DER_SEQUENCE);
	ext = ext_open(d, OID_SKI, 0, &val);
	der_tlv(d, DER_OCTET_STRING, id, sizeof id);
	ext_close(d, ext, val);
	ext = ext_open(d, OID_BC, 1, &val);
	der_tlv(d, DER_SEQUENCE, NULL, 0);		/* cA FALSE */
	ext_close(d, ext, val);
	leaf_ku(d, req->key_usage);
	if (req->dns.n + req->ip.n > 0)
		TRY(leaf_san(d, &req->dns, &req->ip, cause));
	TRY(leaf_eku(d, &req->eku, cause));
	leaf_cdp(d, OID_CDP, &ca->conf->cdp, &req->cdp);
	/* with delta CRLs, peers find the delta through Freshest CRL */
	if (ca->conf->delta_cdp.n > 0)
		leaf_cdp(d, OID_FRESHEST, &ca->conf->delta_cdp, NULL);
	if (ca->conf->ca_issuers.n + ca->conf->ocsp.n > 0)
		leaf_aia(d, ca->conf);
	ext = ext_open(d, OID_AKI, 0, &val);
	m = der_open(d, DER_SEQUENCE);
	der_tlv(d, 0x80, aki, akilen);			/* [0] keyIdentifier */
	der_close(d, m);
	ext_close(d, ext, val);
	der_close(d, list);
	der_close(d, exts);
	der_close(d, tbs);
	rc = 0;
out:
	gnutls_free(spki.data);
	gnutls_free(issuer.data);
	return rc;
}

int
x509_build_leaf_der(const struct request *req, gnutls_pubkey_t pub,
    const struct ca *ca, time_t now, gnutls_datum_t *out, char **cause)
{
	struct der		 tbs, alg, all;
	gnutls_datum_t		 sig = { NULL, 0 }, data;
	gnutls_sign_algorithm_t	 sign;
	int			 rc = ERR_FAIL, ret;

	out->data = NULL;
	out->size = 0;
	der_init(&tbs, 2048);
	der_init(&alg, 32);
	der_init(&all, 0);
	TRY(x509_sig_alg(&alg, ca, &sign, cause));
	TRY(leaf_tbs(&tbs, req, pub, ca, now, &alg, cause));
	data.data = tbs.p;
	data.size = (unsigned)tbs.len;
	/* the algorithm names PKCS#1 v1.5 for RSA: never PSS */
	if ((ret = gnutls_privkey_sign_data2(keys_privkey(ca->key), sign, 0,
	    &data, &sig)) < 0) {
		rc = gerr(cause, "sign certificate", ret);
		goto out;
	}
	/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, BIT STRING } */
	der_header(&alg, DER_BIT_STRING, 1 + (size_t)sig.size);
	der_raw(&alg, "", 1);			/* no unused bits */
	der_raw(&alg, sig.data, sig.size);
	der_reserve(&all, tbs.len + alg.len + 8);
	der_header(&all, DER_SEQUENCE, tbs.len + alg.len);
	der_raw(&all, tbs.p, tbs.len);
	der_raw(&all, alg.p, alg.len);
	if ((out->data = gnutls_malloc(all.len)) == NULL) {
		rc = err_set(cause, "sign certificate: out of memory");
		goto out;
	}
	memcpy(out->data, all.p, all.len);
	out->size = (unsigned)all.len;
	rc = 0;
out:
	gnutls_free(sig.data);
	der_free(&all);
	der_free(&alg);
	der_free(&tbs);
	return rc;
}

int
x509_build_leaf(const struct request *req, gnutls_pubkey_t pub,
    const struct ca *ca, time_t now, gnutls_x509_crt_t *out, char **cause)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	int			 rc = ERR_FAIL, ret;

	*out = NULL;
	TRY(x509_build_leaf_der(req, pub, ca, now, &der, cause));
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &der,
	    GNUTLS_X509_FMT_DER)) < 0) {
		rc = gerr(cause, "read back the certificate", ret);
		goto out;
	}
	*out = crt;
	crt = NULL;
	rc = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	gnutls_free(der.data);
	return rc;
}

/*
 * A CA's nameConstraints (RFC 5280 4.2.1.10), when its policy asks for
 * them: each permitted domain a permitted dNSName subtree (the domain and
 * every name below it), and, unless the policy allows IP addresses, every
 * IPv4 and IPv6 address excluded. *out is empty when there are none.
 */
static int
name_constraints(const struct ca_policy *p, gnutls_datum_t *out,
    char **cause)
{
	gnutls_x509_name_constraints_t	 nc = NULL;
	unsigned char			 any[32] = { 0 };	/* ::/0 */
	gnutls_datum_t			 d;
	int				 rc = ERR_FAIL, ret;

	out->data = NULL;
	out->size = 0;
	if (!p->name_constraints || p->domains.n == 0)
		return 0;
	if ((ret = gnutls_x509_name_constraints_init(&nc)) < 0)
		goto fail;
	for (size_t i = 0; i < p->domains.n; i++) {
		d.data = (unsigned char *)p->domains.v[i];
		d.size = (unsigned)strlen(p->domains.v[i]);
		if ((ret = gnutls_x509_name_constraints_add_permitted(nc,
		    GNUTLS_SAN_DNSNAME, &d)) < 0)
			goto fail;
	}
	if (!p->allow_ip) {
		/* address then mask: 0.0.0.0/0, then ::/0 */
		d.data = any;
		d.size = 8;
		if ((ret = gnutls_x509_name_constraints_add_excluded(nc,
		    GNUTLS_SAN_IPADDRESS, &d)) < 0)
			goto fail;
		d.size = 32;
		if ((ret = gnutls_x509_name_constraints_add_excluded(nc,
		    GNUTLS_SAN_IPADDRESS, &d)) < 0)
			goto fail;
	}
	if ((ret = gnutls_x509_ext_export_name_constraints(nc, out)) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = gerr(cause, "name constraints", ret);
out:
	if (nc != NULL)
		gnutls_x509_name_constraints_deinit(nc);
	return rc;
}

int
x509_build_ca(const struct conf *c, const struct key *subject_key,
    const struct ca *issuer, time_t now, gnutls_x509_crt_t *out, char **cause)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 nc = { NULL, 0 };
	int			 rc = ERR_FAIL, ret, pathlen = c->path_len;

	/* a subordinate defaults to issuing only leaves */
	if (issuer != NULL && pathlen < 0)
		pathlen = 0;
	if ((ret = gnutls_x509_crt_init(&crt)) < 0) {
		rc = gerr(cause, "build CA certificate", ret);
		goto out;
	}
	TRY(keys_pubkey(subject_key, &pub, cause));
	TRY(set_common(crt, &c->subject, c->validity_days, pub, now, cause));
	if ((ret = gnutls_x509_crt_set_basic_constraints(crt, 1,
	    pathlen)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_usage(crt,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0) {
		rc = gerr(cause, "build CA certificate", ret);
		goto out;
	}
	/* critical, as RFC 5280 requires of a CA */
	TRY(name_constraints(&c->policy, &nc, cause));
	if (nc.size > 0)
		TRY(set_ext(crt, OID_NC, &nc, 1, cause));
	if (issuer == NULL) {
		TRY(set_aki_from(crt, crt, cause));
		TRY(sign(&crt, NULL, subject_key, c->digest, cause));
	} else {
		TRY(set_issuer_urls(crt, issuer->conf, cause));
		TRY(set_aki_from(crt, issuer->crt, cause));
		TRY(sign(&crt, issuer->crt, issuer->key, issuer->conf->digest,
		    cause));
	}
	*out = crt;
	crt = NULL;
	rc = 0;
out:
	gnutls_free(nc.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

int
x509_build_ca_csr(const struct conf *c, const struct key *key,
    gnutls_x509_crq_t *out, char **cause)
{
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 nc = { NULL, 0 };
	int			 rc = ERR_FAIL, ret;

	if ((ret = gnutls_x509_crq_init(&crq)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	/* asked for: the parent CA decides what it signs */
	TRY(name_constraints(&c->policy, &nc, cause));
	if (nc.size > 0 && (ret = gnutls_x509_crq_set_extension_by_oid(crq,
	    OID_NC, nc.data, nc.size, 1)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	TRY(keys_pubkey(key, &pub, cause));
	for (size_t i = 0; i < c->subject.n; i++) {
		ret = gnutls_x509_crq_set_dn_by_oid(crq, c->subject.v[i].oid, 0,
		    c->subject.v[i].value,
		    (unsigned)strlen(c->subject.v[i].value));
		if (ret < 0) {
			rc = gerr(cause, "CSR subject", ret);
			goto out;
		}
	}
	if ((ret = gnutls_x509_crq_set_version(crq, 1)) < 0 ||
	    (ret = gnutls_x509_crq_set_pubkey(crq, pub)) < 0 ||
	    (ret = gnutls_x509_crq_set_basic_constraints(crq, 1,
	    c->path_len)) < 0 ||
	    (ret = gnutls_x509_crq_set_key_usage(crq,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0 ||
	    (ret = gnutls_x509_crq_privkey_sign(crq, keys_privkey(key),
	    c->digest, 0)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	*out = crq;
	crq = NULL;
	rc = 0;
out:
	gnutls_free(nc.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	return rc;
}

/*
 * Does DER data start as a PKCS#12 PFX does (RFC 7292): a SEQUENCE of
 * version 3 and a ContentInfo whose type is PKCS#7 data or signedData?
 * Only to say what a file that is no certificate is.
 */
static int
looks_pkcs12(const unsigned char *p, size_t len)
{
	static const unsigned char	 pkcs7[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07
	};
	size_t				 at = 2;

	if (len < 4 || p[0] != 0x30)
		return 0;
	if (p[1] & 0x80)
		at += p[1] & 0x7f;
	/* version INTEGER 3, then the ContentInfo SEQUENCE and its type */
	if (at + 4 > len || memcmp(p + at, "\x02\x01\x03\x30", 4) != 0)
		return 0;
	at += 4;
	at += (at < len && (p[at] & 0x80)) ? 1 + (p[at] & 0x7f) : 1;
	return at + sizeof pkcs7 + 1 <= len &&
	    memcmp(p + at, pkcs7, sizeof pkcs7) == 0 &&
	    (p[at + sizeof pkcs7] == 0x01 || p[at + sizeof pkcs7] == 0x02);
}

/*
 * The first PEM block of data whose label is none of ok[] (NULL-ended)
 * and, with like, holds like (a block GnuTLS would take for one of ok[]
 * and fail on; others it skips): its label, with its article ("a X", "an
 * X"), in buf and its number from 1, or 0 when there is none. *nok counts
 * the blocks labelled as in ok[]. A BEGIN line that does not end in
 * "-----" is no block. For an error that says which block of a file is
 * not what it should be.
 */
static size_t
pem_other_block(const unsigned char *data, size_t len,
    const char *const *ok, const char *like, char *buf, size_t size,
    size_t *nok)
{
	static const char	 begin[] = "-----BEGIN ";
	const unsigned char	*p = data, *end = data + len, *hit, *eol;
	const unsigned char	*stop;
	size_t			 n = 0, k, llen, found = 0;

	*nok = 0;
	while ((hit = memmem(p, (size_t)(end - p), begin,
	    sizeof begin - 1)) != NULL) {
		hit += sizeof begin - 1;
		p = hit;
		if ((eol = memchr(hit, '\n', (size_t)(end - hit))) == NULL)
			eol = end;
		if ((stop = memmem(hit, (size_t)(eol - hit), "-----", 5)) ==
		    NULL || stop == hit)
			continue;
		n++;
		llen = (size_t)(stop - hit);
		for (k = 0; ok[k] != NULL; k++)
			if (strlen(ok[k]) == llen && memcmp(ok[k], hit,
			    llen) == 0)
				break;
		if (ok[k] != NULL)
			(*nok)++;
		else if (found == 0 && (like == NULL || memmem(hit, llen, like,
		    strlen(like)) != NULL)) {
			found = n;
			(void)snprintf(buf, size, "%s %.*s", strchr("AEIOU",
			    *hit) != NULL ? "an" : "a", (int)(llen < 64 ?
			    llen : 64), (const char *)hit);
			for (char *c = buf; *c != '\0'; c++)
				if ((unsigned char)*c < 0x20 ||
				    (unsigned char)*c >= 0x7f)
					*c = '?';
		}
		p = stop + 5;
	}
	return found;
}

int
x509_parse_certs(const unsigned char *data, size_t len, const char *what,
    gnutls_x509_crt_t **list, size_t *n, char **cause)
{
	static const char *const crt_labels[] = { "CERTIFICATE",
	    "X509 CERTIFICATE", NULL };
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t	*certs = NULL;
	unsigned		 count = 0;
	size_t			 block, nok;
	char			 label[68];
	int			 ret;

	ret = gnutls_x509_crt_list_import2(&certs, &count, &d,
	    GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || count == 0) {
		certs = gnutls_malloc(sizeof *certs);
		if (certs == NULL)
			return err_set(cause, "%s: out of memory", what);
		if ((ret = gnutls_x509_crt_init(&certs[0])) < 0 ||
		    (ret = gnutls_x509_crt_import(certs[0], &d,
		    GNUTLS_X509_FMT_DER)) < 0) {
			if (certs[0] != NULL)
				gnutls_x509_crt_deinit(certs[0]);
			gnutls_free(certs);
			if (looks_pkcs12(data, len))
				return err_set(cause, "%s: a PKCS#12 file, not "
				    "an X.509 certificate (PEM or DER): give "
				    "the .crt, or take it out with openssl "
				    "pkcs12 -nokeys", what);
			/*
			 * a block GnuTLS took for a certificate, or, with
			 * none in the file, whatever it holds instead
			 */
			if ((block = pem_other_block(data, len, crt_labels,
			    "CERTIFICATE", label, sizeof label, &nok)) > 0 ||
			    (nok == 0 && (block = pem_other_block(data, len,
			    crt_labels, NULL, label, sizeof label,
			    &nok)) > 0))
				return err_set(cause, "%s: PEM block %zu is "
				    "%s, not a CERTIFICATE", what, block,
				    label);
			return err_set(cause, "%s: not an X.509 certificate "
			    "(PEM or DER)", what);
		}
		count = 1;
	}
	*list = certs;
	*n = count;
	return 0;
}

static int
load_certs(const char *path, int kept, gnutls_x509_crt_t **list, size_t *n,
    char **cause)
{
	unsigned char	*data = NULL;
	size_t		 len;
	int		 rc = ERR_FAIL;

	TRY(kept ? out_read_file(path, CERTS_MAX, &data, &len, cause) :
	    out_read(path, CERTS_MAX, &data, &len, cause));
	/* one a Windows tool saved: UTF-16, or a byte order mark */
	if (!kept)
		len = text_as_ascii(data, len);
	TRY(x509_parse_certs(data, len, path, list, n, cause));
	rc = 0;
out:
	free(data);
	return rc;
}

int
x509_load_certs(const char *path, gnutls_x509_crt_t **list, size_t *n,
    char **cause)
{
	return load_certs(path, 0, list, n, cause);
}

int
x509_load_cert_file(const char *path, gnutls_x509_crt_t **list, size_t *n,
    char **cause)
{
	return load_certs(path, 1, list, n, cause);
}

void
x509_free_certs(gnutls_x509_crt_t *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

int
x509_dup(gnutls_x509_crt_t crt, gnutls_x509_crt_t *out, char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	int		 ret;

	*out = NULL;
	if ((ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der)) < 0 ||
	    (ret = gnutls_x509_crt_init(out)) < 0 ||
	    (ret = gnutls_x509_crt_import(*out, &der,
	    GNUTLS_X509_FMT_DER)) < 0) {
		if (*out != NULL)
			gnutls_x509_crt_deinit(*out);
		*out = NULL;
		gnutls_free(der.data);
		return gerr(cause, "copy certificate", ret);
	}
	gnutls_free(der.data);
	return 0;
}

int
x509_export(gnutls_x509_crt_t crt, int pem, gnutls_datum_t *out, char **cause)
{
	int	 ret;

	ret = gnutls_x509_crt_export2(crt, pem ? GNUTLS_X509_FMT_PEM :
	    GNUTLS_X509_FMT_DER, out);
	if (ret < 0)
		return gerr(cause, "export certificate", ret);
	return 0;
}

int
x509_export_csr(gnutls_x509_crq_t crq, int pem, gnutls_datum_t *out,
    char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	int		 ret;

	out->data = NULL;
	out->size = 0;
	if ((ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER,
	    pem ? &der : out)) < 0)
		return gerr(cause, "export CSR", ret);
	if (!pem)
		return 0;
	/*
	 * GnuTLS's PEM says NEW CERTIFICATE REQUEST; RFC 7468 (7) has
	 * generators write CERTIFICATE REQUEST, which strict parsers want
	 */
	ret = gnutls_pem_base64_encode2("CERTIFICATE REQUEST", &der, out);
	gnutls_free(der.data);
	if (ret < 0)
		return gerr(cause, "export CSR", ret);
	return 0;
}

int
x509_serial_hex(gnutls_x509_crt_t crt, char **hex, char **cause)
{
	unsigned char	 buf[64];
	size_t		 len = sizeof buf;
	int		 ret;

	if ((ret = gnutls_x509_crt_get_serial(crt, buf, &len)) < 0)
		return gerr(cause, "certificate serial", ret);
	*hex = hex_encode(buf, len);
	return 0;
}

/* The subject, or the issuer, as RFC 4514 text; a GnuTLS error code. */
static int
dn_text(gnutls_x509_crt_t crt, int issuer, char **text)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 ret;

	ret = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) :
	    gnutls_x509_crt_get_dn3(crt, &d, 0);
	if (ret >= 0)
		*text = xstrndup(d.data != NULL ? (const char *)d.data : "",
		    d.size);
	gnutls_free(d.data);
	return ret < 0 ? ret : 0;
}

int
x509_subject_is(gnutls_x509_crt_t crt, const struct dn *dn, int *same,
    char **cause)
{
	gnutls_x509_crt_t	 want = NULL;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	int			 rc = ERR_FAIL, ret;

	*same = 0;
	if ((ret = gnutls_x509_crt_init(&want)) < 0) {
		rc = gerr(cause, "subject", ret);
		goto out;
	}
	TRY(set_subject(want, dn, cause));
	if ((ret = gnutls_x509_crt_get_raw_dn(crt, &a)) < 0 ||
	    (ret = gnutls_x509_crt_get_raw_dn(want, &b)) < 0) {
		rc = gerr(cause, "subject", ret);
		goto out;
	}
	*same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	rc = 0;
out:
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (want != NULL)
		gnutls_x509_crt_deinit(want);
	return rc;
}

int
x509_path_len(gnutls_x509_crt_t crt)
{
	unsigned	 critical = 0, is_ca = 0;
	int		 pathlen = -1;

	if (gnutls_x509_crt_get_basic_constraints(crt, &critical, &is_ca,
	    &pathlen) < 0 || !is_ca)
		return -1;
	return pathlen;
}

int
x509_has_name_constraints(gnutls_x509_crt_t crt)
{
	size_t	 len = 0;
	int	 ret;

	/* a buffer too short still says it is there */
	ret = gnutls_x509_crt_get_extension_by_oid(crt, "2.5.29.30", 0, NULL,
	    &len, NULL);
	return ret == 0 || ret == GNUTLS_E_SHORT_MEMORY_BUFFER;
}

int
x509_subject_text(gnutls_x509_crt_t crt, char **text, char **cause)
{
	int	 ret;

	if ((ret = dn_text(crt, 0, text)) < 0)
		return gerr(cause, "certificate subject", ret);
	return 0;
}

int
x509_san_text(gnutls_x509_crt_t crt, char **text, char **cause)
{
	struct strv	 parts = { NULL, 0 };
	char		 buf[1024], addr[64], *item;
	size_t		 len, total = 1;
	unsigned	 critical;
	int		 ret;

	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		ret = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len,
		    &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (ret < 0) {
			strv_free(&parts);
			return gerr(cause, "subjectAltName", ret);
		}
		buf[len] = '\0';
		if (ret == GNUTLS_SAN_DNSNAME)
			xasprintf(&item, "DNS:%s", buf);
		else if (ret == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16))
			xasprintf(&item, "IP:%s", inet_ntop(len == 4 ? AF_INET :
			    AF_INET6, buf, addr, sizeof addr));
		else if (ret == GNUTLS_SAN_URI || ret == GNUTLS_SAN_RFC822NAME)
			xasprintf(&item, "%s:%s", ret == GNUTLS_SAN_URI ?
			    "URI" : "email", buf);
		else
			continue;
		total += strlen(item) + 1;
		strv_add_take(&parts, item);
	}
	*text = xcalloc(1, total);
	for (size_t i = 0; i < parts.n; i++) {
		if (i > 0)
			strcat(*text, ",");
		strcat(*text, parts.v[i]);
	}
	strv_free(&parts);
	return 0;
}

int
x509_matches_pubkey(gnutls_x509_crt_t crt, gnutls_pubkey_t pub, int *match,
    char **cause)
{
	unsigned char	 a[64], b[64];
	size_t		 alen = sizeof a, blen = sizeof b;
	int		 ret;

	if ((ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a,
	    &alen)) < 0 ||
	    (ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, b,
	    &blen)) < 0)
		return gerr(cause, "compare keys", ret);
	*match = alen == blen && memcmp(a, b, alen) == 0;
	return 0;
}

int
x509_issuer_named(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca)
{
	gnutls_datum_t	 a = { NULL, 0 }, b = { NULL, 0 };
	int		 same;

	same = gnutls_x509_crt_get_raw_issuer_dn(crt, &a) >= 0 &&
	    gnutls_x509_crt_get_raw_dn(ca, &b) >= 0 && a.size == b.size &&
	    memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	return same;
}

int
x509_is_issuer(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	return gnutls_x509_crt_check_issuer(crt, issuer) != 0;
}

char *
x509_dn(gnutls_x509_crt_t crt, int issuer)
{
	char	*text;

	return dn_text(crt, issuer, &text) < 0 ? xstrdup("") : text;
}

void
x509_validity(gnutls_x509_crt_t crt, time_t *not_before, time_t *not_after)
{
	*not_before = gnutls_x509_crt_get_activation_time(crt);
	*not_after = gnutls_x509_crt_get_expiration_time(crt);
}

int
x509_crt_pubkey(gnutls_x509_crt_t crt, gnutls_pubkey_t *pub, char **cause)
{
	gnutls_pubkey_t	 p = NULL;
	int		 ret;

	if ((ret = gnutls_pubkey_init(&p)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(p, crt, 0)) < 0) {
		if (p != NULL)
			gnutls_pubkey_deinit(p);
		return gerr(cause, "the certificate's key", ret);
	}
	*pub = p;
	return 0;
}

int
x509_pubkey_id(gnutls_pubkey_t pub, char **hex, char **cause)
{
	unsigned char	 id[64];
	size_t		 len = sizeof id;
	int		 ret;

	if ((ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, id,
	    &len)) < 0)
		return gerr(cause, "key identifier", ret);
	*hex = hex_encode(id, len);
	return 0;
}

int
x509_der_spki(const unsigned char *der, size_t len,
    const unsigned char **spki, size_t *spki_len)
{
	struct der_cur	 all = { der, len }, crt, tbs, key;
	unsigned	 tag;

	/*
	 * Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version (optional),
	 * serial, signature, issuer, validity, subject, subjectPublicKeyInfo,
	 * ... }, ... }
	 */
	if (der_expect(&all, DER_SEQUENCE, &crt, NULL) < 0 ||
	    der_expect(&crt, DER_SEQUENCE, &tbs, NULL) < 0 ||
	    der_take(&tbs, &tag, NULL, NULL) < 0 ||
	    (tag == DER_CONTEXT(0) && der_take(&tbs, &tag, NULL, NULL) < 0))
		return -1;
	for (int k = 0; k < 4; k++)
		if (der_expect(&tbs, DER_SEQUENCE, NULL, NULL) < 0)
			return -1;
	if (der_expect(&tbs, DER_SEQUENCE, NULL, &key) < 0)
		return -1;
	*spki = key.p;
	*spki_len = key.len;
	return 0;
}

int
x509_crt_spki(gnutls_x509_crt_t crt, unsigned char **spki, size_t *len,
    char **cause)
{
	gnutls_datum_t		 d = { NULL, 0 };
	const unsigned char	*p;
	size_t			 n;
	int			 rc = ERR_FAIL;

	*spki = NULL;
	*len = 0;
	TRY(x509_export(crt, 0, &d, cause));
	if (x509_der_spki(d.data, d.size, &p, &n) != 0) {
		rc = err_set(cause, "certificate: malformed DER");
		goto out;
	}
	*spki = xmalloc(n);
	memcpy(*spki, p, n);
	*len = n;
	rc = 0;
out:
	gnutls_free(d.data);
	return rc;
}

int
x509_der_key_id(const unsigned char *der, size_t len, char **hex,
    char **cause)
{
	gnutls_x509_crt_t	*list = NULL;
	unsigned char		 id[64];
	size_t			 n = 0, idlen = sizeof id;
	int			 rc = ERR_FAIL, ret;

	TRY(x509_parse_certs(der, len, "certificate record", &list, &n,
	    cause));
	if ((ret = gnutls_x509_crt_get_key_id(list[0],
	    GNUTLS_KEYID_USE_SHA256, id, &idlen)) < 0) {
		rc = gerr(cause, "key identifier", ret);
		goto out;
	}
	*hex = hex_encode(id, idlen);
	rc = 0;
out:
	x509_free_certs(list, n);
	return rc;
}

int
x509_matches_key(gnutls_x509_crt_t crt, const struct key *key, int *match,
    char **cause)
{
	gnutls_pubkey_t	 pub = NULL;
	int		 rc = ERR_FAIL;

	TRY(keys_pubkey(key, &pub, cause));
	rc = x509_matches_pubkey(crt, pub, match, cause);
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return rc;
}

int
x509_build_csr(const struct request *req, const struct key *key,
    gnutls_digest_algorithm_t digest, gnutls_x509_crq_t *out, char **cause)
{
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 d = { NULL, 0 };
	int			 rc = ERR_FAIL, ret;

	if ((ret = gnutls_x509_crq_init(&crq)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	TRY(keys_pubkey(key, &pub, cause));
	for (size_t i = 0; i < req->subject.n; i++) {
		ret = gnutls_x509_crq_set_dn_by_oid(crq, req->subject.v[i].oid,
		    0, req->subject.v[i].value,
		    (unsigned)strlen(req->subject.v[i].value));
		if (ret < 0) {
			rc = gerr(cause, "CSR subject", ret);
			goto out;
		}
	}
	if ((ret = gnutls_x509_crq_set_version(crq, 1)) < 0 ||
	    (ret = gnutls_x509_crq_set_pubkey(crq, pub)) < 0 ||
	    (ret = gnutls_x509_crq_set_key_usage(crq, req->key_usage)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	if (req->dns.n + req->ip.n > 0) {
		TRY(ext_san(&req->dns, &req->ip, &d, cause));
		if ((ret = gnutls_x509_crq_set_extension_by_oid(crq, OID_SAN,
		    d.data, d.size, 0)) < 0) {
			rc = gerr(cause, "CSR subjectAltName", ret);
			goto out;
		}
		gnutls_free(d.data);
		d.data = NULL;
	}
	TRY(ext_eku(&req->eku, &d, cause));
	if ((ret = gnutls_x509_crq_set_extension_by_oid(crq, OID_EKU, d.data,
	    d.size, 0)) < 0 ||
	    (ret = gnutls_x509_crq_privkey_sign(crq, keys_privkey(key), digest,
	    0)) < 0) {
		rc = gerr(cause, "build CSR", ret);
		goto out;
	}
	*out = crq;
	crq = NULL;
	rc = 0;
out:
	gnutls_free(d.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	return rc;
}

/* Bare base64 (whitespace allowed) to DER, for CSRs pasted without headers. */
static int
unbase64(const unsigned char *data, size_t len, gnutls_datum_t *der)
{
	gnutls_datum_t	 b64;
	unsigned char	*clean = xmalloc(len + 1);
	size_t		 n = 0;
	int		 ret;

	for (size_t i = 0; i < len; i++) {
		if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
		    data[i] == '\n')
			continue;
		clean[n++] = data[i];
	}
	b64.data = clean;
	b64.size = (unsigned)n;
	ret = n == 0 ? GNUTLS_E_BASE64_DECODING_ERROR :
	    gnutls_base64_decode2(&b64, der);
	free(clean);
	return ret;
}

/* How many PEM certificate request blocks (either header GnuTLS reads). */
static size_t
csr_blocks(const unsigned char *data, size_t len)
{
	static const char	 tag[] = "CERTIFICATE REQUEST-----";
	const unsigned char	*p = data, *end = data + len, *hit;
	size_t			 n = 0;

	while ((hit = memmem(p, (size_t)(end - p), tag, sizeof tag - 1)) !=
	    NULL) {
		/* "-----BEGIN " or "-----BEGIN NEW " just before it */
		if ((hit - data >= 11 && memcmp(hit - 11, "-----BEGIN ",
		    11) == 0) || (hit - data >= 15 && memcmp(hit - 15,
		    "-----BEGIN NEW ", 15) == 0))
			n++;
		p = hit + sizeof tag - 1;
	}
	return n;
}

int
x509_parse_csr(const unsigned char *data, size_t len, const char *what,
    gnutls_x509_crq_t *out, char **cause)
{
	static const char *const csr_labels[] = { "CERTIFICATE REQUEST",
	    "NEW CERTIFICATE REQUEST", NULL };
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_datum_t		 d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t		 der = { NULL, 0 };
	size_t			 blocks, block, nok;
	char			 label[68];
	int			 rc = ERR_FAIL, ret;

	if (len == 0)
		return err_set(cause, "%s: empty (no certificate request)",
		    what);
	/* which one was meant cannot be guessed */
	if ((blocks = csr_blocks(data, len)) > 1)
		return err_set(cause, "%s: holds %zu certificate requests; "
		    "give one", what, blocks);
	if ((ret = gnutls_x509_crq_init(&crq)) < 0) {
		rc = gerr(cause, what, ret);
		goto out;
	}
	if (memmem(data, len, "-----BEGIN", 10) != NULL)
		ret = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM);
	else if (len > 0 && data[0] == 0x30)
		ret = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_DER);
	else if ((ret = unbase64(data, len, &der)) >= 0)
		ret = gnutls_x509_crq_import(crq, &der, GNUTLS_X509_FMT_DER);
	/* no request at all: say what the file holds instead */
	if (ret < 0 && blocks == 0 && (block = pem_other_block(data, len,
	    csr_labels, NULL, label, sizeof label, &nok)) > 0) {
		rc = err_set(cause, "%s: PEM block %zu is %s, not a "
		    "CERTIFICATE REQUEST", what, block, label);
		goto out;
	}
	if (ret < 0) {
		rc = err_set(cause, "%s: not a readable PKCS#10 request (PEM, "
		    "DER or base64): %s", what, gnutls_strerror(ret));
		goto out;
	}
	*out = crq;
	crq = NULL;
	rc = 0;
out:
	gnutls_free(der.data);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	return rc;
}

static int
ascii_bytes(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * The names a CSR asks for, from its subjectAltName decoded once (GnuTLS's
 * per-index getter decodes the extension again for every name).
 */
static int
csr_names(gnutls_x509_crq_t crq, struct csr_info *ci, char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	struct der_cur	 all, sans, v;
	char		 addr[64];
	unsigned	 tag, critical;
	int		 rc = ERR_FAIL, ret;

	ret = gnutls_x509_crq_get_extension_by_oid2(crq, OID_SAN, 0, &der,
	    &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0) {
		rc = err_policy(cause, "CSR subjectAltName: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	/*
	 * GeneralNames, walked here: GnuTLS's reader builds an ASN.1 tree
	 * per extension, which was a tenth of a deployment's time.
	 */
	all.p = der.data;
	all.len = der.size;
	if (der_expect(&all, DER_SEQUENCE, &sans, NULL) < 0 || all.len != 0)
		goto bad;
	while (sans.len > 0) {
		if (der_take(&sans, &tag, &v, NULL) < 0)
			goto bad;
		/* a name of 1 KB or more is no host name */
		if (v.len >= 1024) {
			rc = err_policy(cause, "CSR subjectAltName: a name of "
			    "%zu bytes", v.len);
			goto out;
		}
		if (tag == GN_DNS) {
			/* a NUL inside the name must not shorten it silently */
			if (memchr(v.p, '\0', v.len) != NULL) {
				rc = err_policy(cause, "CSR dNSName contains "
				    "a NUL byte");
				goto out;
			}
			/* an IA5String: an IDN only as its A-label */
			if (!ascii_bytes(v.p, v.len)) {
				rc = err_policy(cause, "CSR dNSName holds "
				    "bytes outside ASCII (an international "
				    "name goes in its xn-- form)");
				goto out;
			}
			strv_add_take(&ci->dns, xstrndup((const char *)v.p,
			    v.len));
		} else if (tag == GN_IP && (v.len == 4 || v.len == 16)) {
			strv_add(&ci->ip, inet_ntop(v.len == 4 ? AF_INET :
			    AF_INET6, v.p, addr, sizeof addr));
		} else {
			rc = err_policy(cause, "CSR asks for a subjectAltName "
			    "of a type roleca does not sign (only DNS and IP)");
			goto out;
		}
	}
	rc = 0;
	goto out;
bad:
	rc = err_policy(cause, "CSR subjectAltName: malformed DER");
out:
	gnutls_free(der.data);
	return rc;
}

/*
 * A DirectoryString from its DER, as GnuTLS returns it with raw_flag set:
 * the text itself, not RFC 4514-escaped ("Lab, Inc" stays as it is), with
 * a BMPString converted to UTF-8. -1 when it is no string or holds a NUL.
 */
static int
dir_string(const unsigned char *p, size_t len, char **out)
{
	size_t		 n, hdr = 2;
	unsigned char	 tag;
	char		*s, *o;

	if (len < 2)
		return -1;
	tag = p[0];
	n = p[1];
	if (n & 0x80) {
		size_t k = n & 0x7f;

		if (k == 0 || k > 2 || len < 2 + k)
			return -1;
		n = k == 1 ? p[2] : (size_t)p[2] << 8 | p[3];
		hdr += k;
	}
	if (hdr + n != len ||
	    memchr(p + hdr, '\0', tag == 0x1e ? 0 : n) != NULL)
		return -1;
	p += hdr;
	switch (tag) {
	case 0x0c:	/* UTF8String */
	case 0x13:	/* PrintableString */
	case 0x14:	/* TeletexString */
	case 0x16:	/* IA5String */
		*out = xstrndup((const char *)p, n);
		return 0;
	case 0x1e:	/* BMPString: UCS-2, big-endian */
		if (n % 2 != 0)
			return -1;
		o = s = xmalloc(n / 2 * 3 + 1);
		for (size_t i = 0; i < n; i += 2) {
			unsigned c = (unsigned)p[i] << 8 | p[i + 1];

			if (c == 0) {
				free(s);
				return -1;
			}
			if (c < 0x80)
				*o++ = (char)c;
			else if (c < 0x800) {
				*o++ = (char)(0xc0 | c >> 6);
				*o++ = (char)(0x80 | (c & 0x3f));
			} else {
				*o++ = (char)(0xe0 | c >> 12);
				*o++ = (char)(0x80 | (c >> 6 & 0x3f));
				*o++ = (char)(0x80 | (c & 0x3f));
			}
		}
		*o = '\0';
		*out = s;
		return 0;
	default:
		return -1;
	}
}

int
x509_cn(gnutls_x509_crt_t crt, char **cn)
{
	unsigned char	 buf[1024];
	size_t		 len = sizeof buf;

	*cn = NULL;
	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    1, buf, &len) < 0)
		return -1;
	return dir_string(buf, len, cn);
}

/*
 * Refuse before trusting anything: a weak signature hash (GnuTLS's own
 * verification accepts SHA-1 under some system policies) and an oversized
 * subject, which no server name needs.
 */
static int
csr_sanity(gnutls_x509_crq_t crq, char **cause)
{
	gnutls_datum_t	 dn = { NULL, 0 };
	const char	*name;
	char		 oid[128];
	size_t		 len = sizeof oid;
	int		 sign, hash, ret;

	sign = gnutls_x509_crq_get_signature_algorithm(crq);
	hash = gnutls_sign_get_hash_algorithm(sign);
	/* no digest of its own to judge: it is the key that is refused */
	if (sign == GNUTLS_SIGN_EDDSA_ED448)
		return err_policy(cause, "refused: key: key type EdDSA (Ed448) "
		    "is not supported (use RSA, or ECDSA P-256 or P-384)");
	if (sign < 0 || (hash != GNUTLS_DIG_SHA256 &&
	    hash != GNUTLS_DIG_SHA384 && hash != GNUTLS_DIG_SHA512 &&
	    hash != GNUTLS_DIG_SHA3_256 && hash != GNUTLS_DIG_SHA3_384 &&
	    hash != GNUTLS_DIG_SHA3_512)) {
		/* an algorithm GnuTLS has no name for is named by its OID */
		if (sign <= 0 || (name = gnutls_sign_get_name(sign)) == NULL)
			name = gnutls_x509_crq_get_signature_oid(crq, oid,
			    &len) == 0 ? oid : "an unknown algorithm";
		return err_policy(cause, "the CSR is signed with %s: SHA-256, "
		    "SHA-384, SHA-512 or SHA3 is required", name);
	}
	/* an empty subject (RFC 5280 allows one beside a subjectAltName) */
	if ((ret = gnutls_x509_crq_get_dn3(crq, &dn, 0)) ==
	    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0)
		return err_policy(cause, "CSR subject: %s",
		    gnutls_strerror(ret));
	len = dn.size;
	gnutls_free(dn.data);
	if (len > CSR_SUBJECT_MAX)
		return err_policy(cause, "the CSR's subject is %zu bytes "
		    "long (at most %d)", len, CSR_SUBJECT_MAX);
	return 0;
}

/* RSASSA-PSS-params' saltLength ([2], DEFAULT 20); -1 when malformed. */
static int
pss_salt(struct der_cur params, unsigned *salt)
{
	struct der_cur	 field, v;
	unsigned	 tag;

	*salt = 20;
	while (params.len > 0) {
		if (der_take(&params, &tag, &field, NULL) < 0)
			return -1;
		if (tag != DER_CONTEXT(2))
			continue;
		if (der_expect(&field, DER_INTEGER, &v, NULL) < 0 ||
		    field.len != 0 || v.len < 1 || v.len > 2 ||
		    (v.p[0] & 0x80) != 0)
			return -1;
		*salt = v.len == 1 ? v.p[0] : (unsigned)v.p[0] << 8 | v.p[1];
	}
	return 0;
}

/*
 * tbs's signature sig by pub, made with algorithm sign, whose
 * AlgorithmIdentifier (header included) is alg. An RSA-PSS signature is
 * checked with the salt length alg's parameters name: GnuTLS 3.7 checks
 * one only with a salt as long as the digest, while OpenSSL signs with the
 * longest salt the key allows unless told otherwise; the salt is set on
 * pub, so pub must be a copy of its own. A GnuTLS error code, or 0.
 */
static int
verify_signed(gnutls_pubkey_t pub, int sign, struct der_cur alg,
    const gnutls_datum_t *tbs, const gnutls_datum_t *sig, unsigned flags)
{
	gnutls_x509_spki_t	 spki = NULL;
	struct der_cur		 id, params;
	unsigned		 salt;
	int			 ret;

	if (sign < 0)
		return GNUTLS_E_UNKNOWN_ALGORITHM;
	if (gnutls_sign_get_pk_algorithm((gnutls_sign_algorithm_t)sign) ==
	    GNUTLS_PK_RSA_PSS) {
		if (der_expect(&alg, DER_SEQUENCE, &id, NULL) < 0 ||
		    alg.len != 0 || der_expect(&id, DER_OID, NULL, NULL) < 0 ||
		    der_expect(&id, DER_SEQUENCE, &params, NULL) < 0 ||
		    id.len != 0 || pss_salt(params, &salt) < 0)
			return GNUTLS_E_ASN1_DER_ERROR;
		if ((ret = gnutls_x509_spki_init(&spki)) < 0)
			goto out;
		gnutls_x509_spki_set_rsa_pss_params(spki,
		    gnutls_sign_get_hash_algorithm(
		    (gnutls_sign_algorithm_t)sign), salt);
		if ((ret = gnutls_pubkey_set_spki(pub, spki, 0)) < 0)
			goto out;
	}
	ret = gnutls_pubkey_verify_data2(pub, (gnutls_sign_algorithm_t)sign,
	    flags, tbs, sig);
out:
	if (spki != NULL)
		gnutls_x509_spki_deinit(spki);
	return ret < 0 ? ret : 0;
}

int
x509_verify_issued(gnutls_x509_crt_t issuer, const struct ecsig *own,
    int sign, const void *alg, size_t alglen, const gnutls_datum_t *tbs,
    const gnutls_datum_t *sig)
{
	gnutls_pubkey_t		 pub = NULL;
	gnutls_ecc_curve_t	 curve;
	gnutls_datum_t		 x = { NULL, 0 }, y = { NULL, 0 };
	struct der_cur		 a = { alg, alglen };
	int			 ret;

	if (own != NULL &&
	    gnutls_x509_crt_get_pk_ecc_raw(issuer, &curve, &x, &y) >= 0) {
		ret = ecsig_verify(own, curve, &x, &y, sign, tbs, sig);
		gnutls_free(x.data);
		gnutls_free(y.data);
		if (ret != ECSIG_OTHER)
			return ret;
	}

	if ((ret = gnutls_pubkey_init(&pub)) >= 0 &&
	    (ret = gnutls_pubkey_import_x509(pub, issuer, 0)) >= 0)
		ret = verify_signed(pub, sign, a, tbs, sig,
		    GNUTLS_VERIFY_ALLOW_BROKEN);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ret;
}

/*
 * A CSR's RSA-PSS signature, checked again with the salt length that its
 * parameters name (verify_signed). The key is a copy, so that the salt set
 * on it does not restrict the key the certificate carries. Any other
 * signature keeps GnuTLS's verdict, failed.
 */
static int
csr_verify_pss(gnutls_x509_crq_t crq, int failed)
{
	gnutls_datum_t		 der = { NULL, 0 }, tbs, sig;
	gnutls_pubkey_t		 pub = NULL;
	struct der_cur		 all, req, info, alg, bits;
	int			 sign, ret = failed;

	sign = gnutls_x509_crq_get_signature_algorithm(crq);
	if (sign < 0 || gnutls_sign_get_pk_algorithm(
	    (gnutls_sign_algorithm_t)sign) != GNUTLS_PK_RSA_PSS)
		return failed;
	if (gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	/* CertificationRequest ::= SEQUENCE { info, algorithm, signature } */
	all.p = der.data;
	all.len = der.size;
	if (der_expect(&all, DER_SEQUENCE, &req, NULL) < 0 ||
	    der_expect(&req, DER_SEQUENCE, NULL, &info) < 0 ||
	    der_expect(&req, DER_SEQUENCE, NULL, &alg) < 0 ||
	    der_expect(&req, DER_BIT_STRING, &bits, NULL) < 0 ||
	    req.len != 0 || bits.len < 1 || bits.p[0] != 0)
		goto out;
	tbs.data = (unsigned char *)info.p;
	tbs.size = (unsigned)info.len;
	sig.data = (unsigned char *)bits.p + 1;
	sig.size = (unsigned)bits.len - 1;
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509_crq(pub, crq, 0)) < 0)
		goto out;
	ret = verify_signed(pub, sign, alg, &tbs, &sig, 0);
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	gnutls_free(der.data);
	return ret < 0 ? failed : 0;
}

int
x509_csr_info(gnutls_x509_crq_t crq, struct csr_info *ci, char **cause)
{
	char		 cn[1024], *q;
	size_t		 len = sizeof cn - 1;
	unsigned	 critical = 0, ca = 0;
	int		 rc = ERR_FAIL, ret, pathlen;

	memset(ci, 0, sizeof *ci);
	TRY(csr_sanity(crq, cause));
	if ((ret = gnutls_x509_crq_verify(crq, 0)) < 0 &&
	    (ret = csr_verify_pss(crq, ret)) < 0 &&
	    ret == GNUTLS_E_ECC_UNSUPPORTED_CURVE) {
		/* no signature on such a curve can be checked: say why */
		rc = err_policy(cause, "refused: key: the CSR's key is on an "
		    "elliptic curve that is not supported (use RSA, or ECDSA "
		    "P-256 or P-384)");
		goto out;
	}
	if (ret < 0) {
		rc = err_policy(cause, "the CSR's signature does not verify "
		    "(no proof of possession of the key%s): %s",
		    ret == GNUTLS_E_INSUFFICIENT_SECURITY ?
		    "; SHA-1 is refused" : "", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_pubkey_init(&ci->pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509_crq(ci->pub, crq, 0)) < 0) {
		rc = err_policy(cause, "CSR public key: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME,
	    0, 1, cn, &len);
	if (ret >= 0) {
		if (dir_string((unsigned char *)cn, len, &ci->cn) != 0) {
			rc = err_policy(cause, "CSR subject CN is not a plain "
			    "string (or contains a NUL byte)");
			goto out;
		}
		/* it names the server: an IDN only as its A-label */
		if (!ascii_bytes((unsigned char *)ci->cn, strlen(ci->cn))) {
			q = quote_text(ci->cn, 64);
			rc = err_policy(cause, "CSR subject CN '%s' is not an "
			    "ASCII host name (an international name goes in "
			    "its xn-- form)", q);
			free(q);
			goto out;
		}
	} else if (ret != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		rc = err_policy(cause, "CSR subject CN cannot be read (empty "
		    "or malformed: %s)", gnutls_strerror(ret));
		goto out;
	}
	/* which CN names the server would be a guess: refuse, not guess */
	len = sizeof cn - 1;
	if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 1,
	    1, cn, &len) != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		rc = err_policy(cause, "CSR subject has more than one CN "
		    "(which one names the server?)");
		goto out;
	}
	TRY(csr_names(crq, ci, cause));
	ret = gnutls_x509_crq_get_basic_constraints(crq, &critical, &ca,
	    &pathlen);
	ci->wants_ca = ret >= 0 && ca;
	rc = 0;
out:
	if (rc != 0)
		x509_csr_info_free(ci);
	return rc;
}

void
x509_csr_info_free(struct csr_info *ci)
{
	if (ci->pub != NULL)
		gnutls_pubkey_deinit(ci->pub);
	free(ci->cn);
	strv_free(&ci->dns);
	strv_free(&ci->ip);
	memset(ci, 0, sizeof *ci);
}

void
x509_eku_list(gnutls_x509_crt_t crt, struct strv *out)
{
	char		 buf[256];
	size_t		 len;
	unsigned	 critical;

	for (unsigned i = 0;; i++) {
		len = sizeof buf;
		if (gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &len,
		    &critical) < 0)
			break;
		strv_add(out, buf);
	}
}

void
x509_cdp_list(gnutls_x509_crt_t crt, struct strv *out)
{
	char		 buf[1024];
	size_t		 len;
	unsigned	 reasons, critical;
	int		 ret;

	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		ret = gnutls_x509_crt_get_crl_dist_points(crt, i, buf, &len,
		    &reasons, &critical);
		if (ret < 0)
			break;
		buf[len] = '\0';
		if (ret == GNUTLS_SAN_URI)
			strv_add(out, buf);
	}
}

void
x509_aia_list(gnutls_x509_crt_t crt, struct strv *issuers, struct strv *ocsp)
{
	gnutls_datum_t	 u;
	unsigned	 critical;
	int		 ret;

	for (unsigned seq = 0;; seq++) {
		if ((ret = gnutls_x509_crt_get_authority_info_access(crt, seq,
		    GNUTLS_IA_CAISSUERS_URI, &u, &critical)) >= 0)
			strv_add_take(issuers, xstrndup((const char *)u.data,
			    u.size));
		else if (ret != GNUTLS_E_UNKNOWN_ALGORITHM)
			break;
		else if (gnutls_x509_crt_get_authority_info_access(crt, seq,
		    GNUTLS_IA_OCSP_URI, &u, &critical) >= 0)
			strv_add_take(ocsp, xstrndup((const char *)u.data,
			    u.size));
		else
			continue;
		gnutls_free(u.data);
	}
}

int
x509_names(gnutls_x509_crt_t crt, char **cn, struct strv *dns, struct strv *ip,
    char **cause)
{
	char		 buf[1024], addr[64];
	size_t		 len = sizeof buf - 1;
	unsigned	 critical;
	int		 ret;

	(void)x509_cn(crt, cn);
	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		ret = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len,
		    &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0) {
			free(*cn);
			*cn = NULL;
			return gerr(cause, "subjectAltName", ret);
		}
		buf[len] = '\0';
		if (ret == GNUTLS_SAN_DNSNAME)
			strv_add(dns, buf);
		else if (ret == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16))
			strv_add(ip, inet_ntop(len == 4 ? AF_INET : AF_INET6,
			    buf, addr, sizeof addr));
	}
	return 0;
}

int
x509_same(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	gnutls_datum_t	 x = { NULL, 0 }, y = { NULL, 0 };
	int		 same;

	same = gnutls_x509_crt_export2(a, GNUTLS_X509_FMT_DER, &x) >= 0 &&
	    gnutls_x509_crt_export2(b, GNUTLS_X509_FMT_DER, &y) >= 0 &&
	    x.size == y.size && memcmp(x.data, y.data, x.size) == 0;
	gnutls_free(x.data);
	gnutls_free(y.data);
	return same;
}
