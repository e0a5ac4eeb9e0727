/*
 * x509.c and keys.c: CA certificates, subordinates, leaves and CSRs built
 * from a struct conf and a struct request, each read back and verified
 * with the GnuTLS API (never with roleca's own readers alone); parsing and
 * text helpers; key specs, generation, export and loading. Keys are made
 * once: EC P-256 everywhere except the RSA CA, where RSA matters.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "ca.h"
#include "conf.h"
#include "err.h"
#include "keys.h"
#include "out.h"
#include "profile.h"
#include "unit.h"
#include "util.h"
#include "x509.h"

#define SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"
#define ROOT_CRL	"http://pki.lab.example/root.crl"
#define MIRROR_CRL	"http://mirror.lab.example/root.crl"
#define ROOT_CRT	"http://pki.lab.example/root.crt"
#define ROOT_OCSP	"http://ocsp.lab.example/"
#define SUB_CRL		"http://pki.lab.example/sub.crl"
#define RSA_CRL		"http://pki.lab.example/rsa.crl"
#define EXTRA_CRL	"http://extra.lab.example/web.crl"
#define OID_AIA		"1.3.6.1.5.5.7.1.1"
#define OID_CDP		"2.5.29.31"
#define OID_SHA256_RSA	"1.2.840.113549.1.1.11"

static char	 dir[] = "/tmp/roleca-test-x509.XXXXXX";

/* Made once in main(). */
static struct {
	time_t			 now;
	struct key		*ec_ca_key, *rsa_ca_key, *sub_key, *leaf_key,
				*other_key;
	struct conf		 ec_conf;	/* filled in code */
	struct conf		*rsa_conf;	/* loaded from a ca.cfg */
	gnutls_x509_crt_t	 ec_crt, rsa_crt;
	/* in memory: no directory, no store */
	struct ca		 ec, rsa;
} fx;

static char *
tmp_path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

static void
req_init(struct request *r, const char *cn)
{
	memset(r, 0, sizeof *r);
	dn_add(&r->subject, dn_oid("CN"), cn);
	dn_add(&r->subject, dn_oid("O"), "Lab");
	strv_add(&r->dns, "web.lab.example");
	strv_add(&r->dns, "www.lab.example");
	strv_add(&r->ip, "10.0.0.1");
	r->key.alg = KEY_EC;
	r->key.bits = 256;
	r->validity_days = 30;
	strv_add(&r->eku, SERVER_AUTH);
	strv_add(&r->eku, CLIENT_AUTH);
	r->key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	strv_add(&r->cdp, EXTRA_CRL);
}

static void
req_clear(struct request *r)
{
	dn_free(&r->subject);
	strv_free(&r->dns);
	strv_free(&r->ip);
	strv_free(&r->eku);
	strv_free(&r->cdp);
	free(r->profile);
	free(r->friendly_name);
	free(r->vars);
	memset(r, 0, sizeof *r);
}

/* A leaf for req on the leaf key, signed by ca; NULL (and a failure) if not. */
static gnutls_x509_crt_t
leaf_from(const struct request *req, const struct ca *ca)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	char			*cause = NULL;

	CU_ASSERT_EQUAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	if (pub == NULL)
		return NULL;
	if (x509_build_leaf(req, pub, ca, fx.now, &crt, &cause) != 0) {
		fprintf(stderr, "\n    x509_build_leaf: %s", cause);
		CU_FAIL("x509_build_leaf");
		crt = NULL;
	}
	free(cause);
	gnutls_pubkey_deinit(pub);
	return crt;
}

static unsigned
verify_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	unsigned	 status = 0xffff;

	if (gnutls_x509_crt_verify(crt, &issuer, 1, 0, &status) != 0)
		return 0xffff;
	return status;
}

/* The SKI of crt (or the AKI with aki) as hex; NULL if absent. */
static char *
key_id_hex(gnutls_x509_crt_t crt, int aki)
{
	unsigned char	 id[64];
	size_t		 len = sizeof id;
	unsigned	 critical;
	int		 ret;

	ret = aki ? gnutls_x509_crt_get_authority_key_id(crt, id, &len,
	    &critical) : gnutls_x509_crt_get_subject_key_id(crt, id, &len,
	    &critical);
	return ret < 0 ? NULL : hex_encode(id, len);
}

static int
same_id(gnutls_x509_crt_t a, int a_aki, gnutls_x509_crt_t b, int b_aki)
{
	char	*x = key_id_hex(a, a_aki), *y = key_id_hex(b, b_aki);
	int	 same = x != NULL && y != NULL && strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

/* The CRL distribution point URIs, in order, through GnuTLS. */
static void
cdp_uris(gnutls_x509_crt_t crt, struct strv *out)
{
	char		 buf[512];
	size_t		 len;
	unsigned	 reasons, critical;
	int		 ret;

	for (unsigned i = 0;; i++) {
		len = sizeof buf - 1;
		ret = gnutls_x509_crt_get_crl_dist_points(crt, i, buf, &len,
		    &reasons, &critical);
		if (ret < 0)
			break;
		CU_ASSERT_EQUAL(ret, GNUTLS_SAN_URI);
		CU_ASSERT(!critical);
		buf[len] = '\0';
		strv_add(out, buf);
	}
}

/* AIA entries as "ca:URL" / "ocsp:URL"; 0 if the extension is absent. */
static int
aia_entries(gnutls_x509_crt_t crt, struct strv *out)
{
	gnutls_datum_t		 der = { NULL, 0 }, oid, san;
	gnutls_x509_aia_t	 aia = NULL;
	unsigned		 critical, type;
	char			*s;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, OID_AIA, 0, &der,
	    &critical) < 0)
		return 0;
	CU_ASSERT(!critical);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_aia_init(&aia), 0);
	CU_ASSERT_EQUAL(gnutls_x509_ext_import_aia(&der, aia, 0), 0);
	for (unsigned i = 0;
	    gnutls_x509_aia_get(aia, i, &oid, &type, &san) >= 0; i++) {
		CU_ASSERT_EQUAL(type, GNUTLS_SAN_URI);
		xasprintf(&s, "%s:%.*s",
		    strcmp((char *)oid.data, GNUTLS_OID_AD_CAISSUERS) == 0 ?
		    "ca" : strcmp((char *)oid.data, GNUTLS_OID_AD_OCSP) == 0 ?
		    "ocsp" : "?",
		    (int)san.size, (char *)san.data);
		strv_add_take(out, s);
	}
	gnutls_x509_aia_deinit(aia);
	gnutls_free(der.data);
	return 1;
}

static int
has_ext(gnutls_x509_crt_t crt, const char *oid)
{
	gnutls_datum_t	 der = { NULL, 0 };
	unsigned	 critical;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, &der,
	    &critical) < 0)
		return 0;
	gnutls_free(der.data);
	return 1;
}

/*
 * Number of RDNs of the subject, their OIDs in oids; -1 if one has several
 * attributes.
 */
static int
subject_rdns(gnutls_x509_crt_t crt, char oids[][64], int max)
{
	gnutls_x509_dn_t	 dn;
	gnutls_x509_ava_st	 ava;
	int			 n;

	if (gnutls_x509_crt_get_subject(crt, &dn) != 0)
		return -1;
	for (n = 0; gnutls_x509_dn_get_rdn_ava(dn, n, 0, &ava) == 0; n++) {
		if (n < max)
			snprintf(oids[n], 64, "%.*s", (int)ava.oid.size,
			    (char *)ava.oid.data);
		if (gnutls_x509_dn_get_rdn_ava(dn, n, 1, &ava) == 0)
			return -1;
	}
	return n;
}

/* The value of the single attribute of RDN n, as stored (not escaped). */
static const char *
rdn_value(gnutls_x509_crt_t crt, int n)
{
	static char		 buf[256];
	gnutls_x509_dn_t	 dn;
	gnutls_x509_ava_st	 ava;

	if (gnutls_x509_crt_get_subject(crt, &dn) != 0 ||
	    gnutls_x509_dn_get_rdn_ava(dn, n, 0, &ava) != 0)
		return "";
	snprintf(buf, sizeof buf, "%.*s", (int)ava.value.size,
	    (char *)ava.value.data);
	return buf;
}

/*
 * Value of the idx-th attribute oid in the subject (RFC 4514-escaped), "" if
 * absent.
 */
static const char *
dn_value(gnutls_x509_crt_t crt, const char *oid, unsigned idx)
{
	static char	 buf[256];
	size_t		 len = sizeof buf - 1;

	if (gnutls_x509_crt_get_dn_by_oid(crt, oid, idx, 0, buf, &len) < 0)
		return "";
	buf[len] = '\0';
	return buf;
}

static int
same_pubkey(const struct key *a, const struct key *b)
{
	gnutls_pubkey_t	 pa = NULL, pb = NULL;
	unsigned char	 x[64], y[64];
	size_t		 xl = sizeof x, yl = sizeof y;
	int		 same = 0;

	if (keys_pubkey(a, &pa, NULL) == 0 && keys_pubkey(b, &pb, NULL) == 0 &&
	    gnutls_pubkey_get_key_id(pa, GNUTLS_KEYID_USE_SHA256, x,
	    &xl) == 0 &&
	    gnutls_pubkey_get_key_id(pb, GNUTLS_KEYID_USE_SHA256, y, &yl) == 0)
		same = xl == yl && memcmp(x, y, xl) == 0;
	if (pa != NULL)
		gnutls_pubkey_deinit(pa);
	if (pb != NULL)
		gnutls_pubkey_deinit(pb);
	return same;
}

/* ---- keys ---- */

/* Weaker: by size within an algorithm, by security strength across. */
static void
test_key_spec_weaker(void)
{
	static const struct {
		struct keyspec	 have, want;
		int		 weaker;
	} cases[] = {
		{ { KEY_RSA, 2048 }, { KEY_RSA, 2048 }, 0 },
		{ { KEY_RSA, 2048 }, { KEY_RSA, 3072 }, 1 },
		{ { KEY_RSA, 4096 }, { KEY_RSA, 3072 }, 0 },
		{ { KEY_RSA, 3072 }, { KEY_RSA, 4096 }, 1 },
		{ { KEY_EC, 256 }, { KEY_EC, 384 }, 1 },
		{ { KEY_EC, 384 }, { KEY_EC, 256 }, 0 },
		{ { KEY_EC, 256 }, { KEY_RSA, 2048 }, 0 },
		{ { KEY_EC, 256 }, { KEY_RSA, 4096 }, 0 },
		{ { KEY_EC, 256 }, { KEY_RSA, 8192 }, 1 },
		{ { KEY_RSA, 2048 }, { KEY_EC, 256 }, 1 },
		{ { KEY_RSA, 3072 }, { KEY_EC, 256 }, 0 },
		{ { KEY_RSA, 4096 }, { KEY_EC, 384 }, 1 },
		{ { KEY_RSA, 7680 }, { KEY_EC, 384 }, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CU_ASSERT_EQUAL(keys_spec_weaker(&cases[i].have,
		    &cases[i].want), cases[i].weaker);
}

static void
test_key_specs(void)
{
	static const struct {
		const char	*text;
		enum key_alg	 alg;
		unsigned	 bits;
	} good[] = {
		{ "rsa:2048", KEY_RSA, 2048 }, { "rsa:3072", KEY_RSA, 3072 },
		{ "rsa:4096", KEY_RSA, 4096 }, { "ec:p256", KEY_EC, 256 },
		{ "ec:p384", KEY_EC, 384 },
	};
	static const char *const	 bad[] = { "rsa:1024", "rsa:8192",
	    "ec:p521", "ec:p224", "ed25519", "", "rsa", "ec", "RSA:2048",
	    "ec:P256", "rsa:2048 ", " ec:p256", "rsa:02048", "ec:256" };
	struct keyspec			 ks;
	char				 buf[16], *cause = NULL;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		memset(&ks, 0, sizeof ks);
		CU_ASSERT_EQUAL(keys_parse_spec(good[i].text, &ks, &cause), 0);
		CU_ASSERT(ks.alg == good[i].alg && ks.bits == good[i].bits);
		CU_ASSERT_STRING_EQUAL(keys_spec_name(&ks, buf, sizeof buf),
		    good[i].text);
	}
	CU_ASSERT_PTR_NULL(cause);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char	*quoted;

		ks.alg = KEY_EC;
		ks.bits = 256;
		CU_ASSERT_EQUAL(keys_parse_spec(bad[i], &ks, &cause),
		    ERR_USAGE);
		xasprintf(&quoted, "'%s'", bad[i]);
		CU_ASSERT(cause != NULL && strstr(cause, quoted) != NULL);
		free(quoted);
		free(cause);
		cause = NULL;
	}
}

static void
test_key_roundtrip(void)
{
	struct key	*k = NULL, *back = NULL;
	gnutls_datum_t	 pem = { NULL, 0 };
	struct keyspec	 ks, want;
	char		*path = tmp_path("roundtrip.key"), *cause = NULL;
	char		*rsa = tmp_path("rsa.key");

	want.alg = KEY_EC;
	want.bits = 384;
	CU_ASSERT_EQUAL_FATAL(keys_generate(&want, &k, &cause), 0);
	CU_ASSERT_EQUAL(keys_spec_of(k, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_EC && ks.bits == 384);
	CU_ASSERT_PTR_NOT_NULL(keys_x509(k));
	CU_ASSERT_PTR_NOT_NULL(keys_privkey(k));
	CU_ASSERT_EQUAL_FATAL(keys_export_pem(k, &pem, &cause), 0);
	CU_ASSERT(pem.size > 0 && strncmp((char *)pem.data,
	    "-----BEGIN PRIVATE KEY-----", 27) == 0);	/* PKCS#8 */
	CU_ASSERT_EQUAL(out_write(path, pem.data, pem.size, 1, 0, &cause), 0);
	keys_datum_wipe(&pem);
	CU_ASSERT(pem.data == NULL && pem.size == 0);
	CU_ASSERT_EQUAL_FATAL(keys_load(path, 1, &back, &cause), 0);
	CU_ASSERT(same_pubkey(k, back));
	CU_ASSERT(!same_pubkey(back, fx.leaf_key));
	CU_ASSERT_EQUAL(keys_spec_of(back, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_EC && ks.bits == 384);
	keys_free(back);
	back = NULL;

	/* the RSA key of the fixture, through a file and back */
	CU_ASSERT_EQUAL(keys_spec_of(fx.rsa_ca_key, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_RSA && ks.bits == 2048);
	CU_ASSERT_EQUAL_FATAL(keys_export_pem(fx.rsa_ca_key, &pem, &cause), 0);
	CU_ASSERT_EQUAL(out_write(rsa, pem.data, pem.size, 1, 0, &cause), 0);
	keys_datum_wipe(&pem);
	CU_ASSERT_EQUAL_FATAL(keys_load(rsa, 1, &back, &cause), 0);
	CU_ASSERT(same_pubkey(fx.rsa_ca_key, back));
	CU_ASSERT_EQUAL(keys_spec_of(back, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_RSA && ks.bits == 2048);
	CU_ASSERT_EQUAL(keys_spec_of(fx.leaf_key, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_EC && ks.bits == 256);
	CU_ASSERT_PTR_NULL(cause);
	keys_free(back);
	keys_free(k);
	keys_free(NULL);
	unlink(path);
	unlink(rsa);
	free(path);
	free(rsa);
}

static void
test_key_strict(void)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	struct key	*k = NULL;
	char		*path = tmp_path("open.key"), *cause = NULL;

	CU_ASSERT_EQUAL_FATAL(keys_export_pem(fx.leaf_key, &pem, &cause), 0);
	CU_ASSERT_EQUAL(out_write(path, pem.data, pem.size, 0, 0, &cause), 0);
	keys_datum_wipe(&pem);
	CU_ASSERT_EQUAL(keys_load(path, 1, &k, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT(cause != NULL && strstr(cause, "chmod 600") != NULL &&
	    strstr(cause, path) != NULL);
	free(cause);
	cause = NULL;
	chmod(path, 0640);
	CU_ASSERT_EQUAL(keys_load(path, 1, &k, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "chmod 600") != NULL);
	free(cause);
	cause = NULL;
	/* not strict: loads; strict and 0600 (or 0400): loads */
	CU_ASSERT_EQUAL(keys_load(path, 0, &k, &cause), 0);
	CU_ASSERT(k != NULL && same_pubkey(k, fx.leaf_key));
	keys_free(k);
	k = NULL;
	chmod(path, 0400);
	CU_ASSERT_EQUAL(keys_load(path, 1, &k, &cause), 0);
	keys_free(k);
	CU_ASSERT_PTR_NULL(cause);
	unlink(path);
	free(path);
}

/* keys_load_ask with the tests' passphrase variable, TEST_KEY_PASS. */
static int
load_asking(const char *path, struct key **k, char **cause)
{
	return keys_load_ask(path, 1, "key passphrase", "TEST_KEY_PASS", k,
	    cause);
}

/* A load that fails, saying want, and gives no key. */
static void
load_refused(const char *path, const char *want)
{
	struct key	*k = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL(load_asking(path, &k, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, want) != NULL);
	CU_ASSERT_PTR_NULL(k);
	keys_free(k);
	free(cause);
}

static void
test_key_formats(void)
{
	gnutls_x509_privkey_t	 raw = NULL;
	gnutls_datum_t		 d = { NULL, 0 };
	struct key		*k = NULL;
	struct keyspec		 ks;
	char			*der = tmp_path("der.key"),
	    *junk = tmp_path("junk.key");
	char			*p521 = tmp_path("p521.key"),
	    *enc = tmp_path("enc.key");
	char			*cause = NULL;

	/* DER (SEC1) */
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_privkey_export2(
	    keys_x509(fx.leaf_key), GNUTLS_X509_FMT_DER, &d), 0);
	CU_ASSERT_EQUAL(out_write(der, d.data, d.size, 1, 0, &cause), 0);
	keys_datum_wipe(&d);
	CU_ASSERT_EQUAL(keys_load(der, 1, &k, &cause), 0);
	CU_ASSERT(k != NULL && same_pubkey(k, fx.leaf_key));
	keys_free(k);
	k = NULL;

	/* not a key, no file */
	CU_ASSERT_EQUAL(out_write(junk, "not a key\n", 10, 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(keys_load(junk, 1, &k, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, junk) != NULL &&
	    strstr(cause, "not a readable private key") != NULL);
	CU_ASSERT_PTR_NULL(k);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(keys_load(dir, 0, &k, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(keys_load("/nonexistent/ca.key", 1, &k, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "/nonexistent/ca.key") != NULL);
	free(cause);
	cause = NULL;

	/* a key roleca does not make: loads, but has no spec */
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_privkey_init(&raw), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_privkey_generate(raw, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), 0), 0);
	CU_ASSERT_EQUAL(gnutls_x509_privkey_export2_pkcs8(raw,
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	gnutls_x509_privkey_deinit(raw);
	CU_ASSERT_EQUAL(out_write(p521, d.data, d.size, 1, 0, &cause), 0);
	keys_datum_wipe(&d);
	CU_ASSERT_EQUAL_FATAL(keys_load(p521, 1, &k, &cause), 0);
	CU_ASSERT_EQUAL(keys_spec_of(k, &ks, &cause), ERR_POLICY);
	CU_ASSERT(cause != NULL && strcmp(cause, "refused: key: ECDSA P-521 "
	    "is not supported (use RSA, or ECDSA P-256 or P-384)") == 0);
	free(cause);
	cause = NULL;
	keys_free(k);
	k = NULL;

	/* encrypted PKCS#8: the passphrase is needed and checked */
	CU_ASSERT_EQUAL_FATAL(keys_export_pem_encrypted(fx.leaf_key,
	    "correct horse", &d, &cause), 0);
	CU_ASSERT_EQUAL(out_write(enc, d.data, d.size, 1, 0, &cause), 0);
	keys_datum_wipe(&d);
	/* a plain key is loaded without asking: a source that fails */
	setenv("TEST_KEY_PASS_FILE", "/nonexistent", 1);
	CU_ASSERT_EQUAL(load_asking(der, &k, &cause), 0);
	keys_free(k);
	k = NULL;
	/* an encrypted one asks, and a failed source is the error */
	load_refused(enc, "/nonexistent");
	unsetenv("TEST_KEY_PASS_FILE");
	setenv("TEST_KEY_PASS", "correct horse", 1);
	CU_ASSERT_EQUAL(load_asking(enc, &k, &cause), 0);
	CU_ASSERT(k != NULL && same_pubkey(k, fx.leaf_key));
	keys_free(k);
	k = NULL;
	setenv("TEST_KEY_PASS", "wrong horse", 1);
	load_refused(enc, "wrong passphrase");
	unsetenv("TEST_KEY_PASS");
	CU_ASSERT_EQUAL(keys_load(enc, 1, &k, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(k);
	free(cause);

	unlink(der);
	unlink(junk);
	unlink(p521);
	unlink(enc);
	free(der);
	free(junk);
	free(p521);
	free(enc);
}

static void
test_key_pubkeys(void)
{
	gnutls_pubkey_t	 pub = NULL;
	struct keyspec	 ks;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(keys_pubkey(fx.rsa_ca_key, &pub, &cause), 0);
	CU_ASSERT_EQUAL(keys_spec_of_pubkey(pub, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_RSA && ks.bits == 2048);
	gnutls_pubkey_deinit(pub);
	CU_ASSERT_EQUAL_FATAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	CU_ASSERT_EQUAL(keys_spec_of_pubkey(pub, &ks, &cause), 0);
	CU_ASSERT(ks.alg == KEY_EC && ks.bits == 256);
	gnutls_pubkey_deinit(pub);
	CU_ASSERT_PTR_NULL(cause);
}

/* ---- CA certificates ---- */

static void
check_ca_common(gnutls_x509_crt_t crt, int want_pathlen)
{
	unsigned	 critical = 0, ca = 0, usage = 0;
	int		 pathlen = -2;
	char		 oid[128];
	size_t		 len = sizeof oid;

	CU_ASSERT_EQUAL(gnutls_x509_crt_get_version(crt), 3);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_basic_constraints(crt, &critical,
	    &ca, &pathlen), 1);
	CU_ASSERT(ca);
	CU_ASSERT(critical);
	CU_ASSERT_EQUAL(pathlen, want_pathlen);
	critical = 0;
	CU_ASSERT(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0);
	CU_ASSERT_EQUAL(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
	CU_ASSERT(critical);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_purpose_oid(crt, 0, oid, &len,
	    &critical), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);	/* no EKU */
}

static void
test_ca_ec(void)
{
	gnutls_x509_crt_t	 crt = fx.ec_crt;
	char			 oids[4][64];
	char			*hex = NULL, *cause = NULL;
	int			 match = -1;

	check_ca_common(crt, 1);
	CU_ASSERT_EQUAL(verify_by(crt, crt), 0);	/* self-signed */
	CU_ASSERT(gnutls_x509_crt_check_issuer(crt, crt));
	CU_ASSERT(same_id(crt, 1, crt, 0));		/* AKI = own SKI */
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(crt),
	    GNUTLS_SIGN_ECDSA_SHA256);
	CU_ASSERT_EQUAL(subject_rdns(crt, oids, 4), 2);
	CU_ASSERT_STRING_EQUAL(oids[0], GNUTLS_OID_X520_COMMON_NAME);
	CU_ASSERT_STRING_EQUAL(oids[1], GNUTLS_OID_X520_ORGANIZATION_NAME);
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_COMMON_NAME, 0),
	    "Test Root");
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_activation_time(crt), fx.now - 300);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_expiration_time(crt),
	    fx.now - 300 + 3650L * DAY);
	CU_ASSERT_EQUAL(x509_serial_hex(crt, &hex, &cause), 0);
	CU_ASSERT(hex != NULL && strlen(hex) == 32);
	free(hex);
	CU_ASSERT_EQUAL(x509_matches_key(crt, fx.ec_ca_key, &match, &cause), 0);
	CU_ASSERT_EQUAL(match, 1);
	CU_ASSERT_PTR_NULL(cause);
}

static void
test_ca_rsa(void)
{
	gnutls_x509_crt_t	 crt = fx.rsa_crt;
	char			 oid[128];
	size_t			 len = sizeof oid;

	/* path_length absent from ca.cfg: no pathLenConstraint */
	check_ca_common(crt, -1);
	CU_ASSERT_EQUAL(verify_by(crt, crt), 0);
	CU_ASSERT(same_id(crt, 1, crt, 0));
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(crt),
	    GNUTLS_SIGN_RSA_SHA256);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_oid(crt, oid, &len), 0);
	/* PKCS#1 v1.5, not PSS */
	CU_ASSERT_STRING_EQUAL(oid, OID_SHA256_RSA);
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_COMMON_NAME, 0),
	    "RSA Root");
	CU_ASSERT_NOT_EQUAL(verify_by(crt, fx.ec_crt), 0);
}

/* ---- leaves ---- */

static void
test_leaf(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	unsigned char		 serial[64];
	size_t			 len = sizeof serial;
	unsigned		 critical = 0, ca = 1, usage = 0;
	int			 pathlen, ret;
	char			 buf[256];
	struct strv		 sv = { NULL, 0 };
	char			 oids[4][64];
	static const char *const cdp[] = { ROOT_CRL, MIRROR_CRL, EXTRA_CRL };

	req_init(&req, "web.lab.example");
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);

	CU_ASSERT_EQUAL(verify_by(crt, fx.ec_crt), 0);
	CU_ASSERT_NOT_EQUAL(verify_by(crt, fx.rsa_crt), 0);
	CU_ASSERT(gnutls_x509_crt_check_issuer(crt, fx.ec_crt));
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_version(crt), 3);

	/* serial: 16 bytes, positive, no leading zero */
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_serial(crt, serial, &len), 0);
	CU_ASSERT_EQUAL(len, X509_SERIAL_LEN);
	CU_ASSERT_EQUAL(serial[0] & 0x80, 0);
	CU_ASSERT_NOT_EQUAL(serial[0], 0);

	/* subject: CN then O, one attribute per RDN */
	CU_ASSERT_EQUAL(subject_rdns(crt, oids, 4), 2);
	CU_ASSERT_STRING_EQUAL(oids[0], GNUTLS_OID_X520_COMMON_NAME);
	CU_ASSERT_STRING_EQUAL(oids[1], GNUTLS_OID_X520_ORGANIZATION_NAME);
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_COMMON_NAME, 0),
	    "web.lab.example");
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_ORGANIZATION_NAME,
	    0), "Lab");

	/* subjectAltName: the DNS names in order, then the IP */
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_subject_alt_name(crt, 0, buf, &len,
	    &critical), GNUTLS_SAN_DNSNAME);
	CU_ASSERT(len == 15 && memcmp(buf, "web.lab.example", 15) == 0);
	CU_ASSERT(!critical);
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_subject_alt_name(crt, 1, buf, &len,
	    &critical), GNUTLS_SAN_DNSNAME);
	CU_ASSERT(len == 15 && memcmp(buf, "www.lab.example", 15) == 0);
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_subject_alt_name(crt, 2, buf, &len,
	    &critical), GNUTLS_SAN_IPADDRESS);
	CU_ASSERT(len == 4 && memcmp(buf, "\x0a\x00\x00\x01", 4) == 0);
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_subject_alt_name(crt, 3, buf, &len,
	    &critical), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

	/* EKU, in order */
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_purpose_oid(crt, 0, buf, &len,
	    &critical), 0);
	CU_ASSERT_STRING_EQUAL(buf, SERVER_AUTH);
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_purpose_oid(crt, 1, buf, &len,
	    &critical), 0);
	CU_ASSERT_STRING_EQUAL(buf, CLIENT_AUTH);
	len = sizeof buf;
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_purpose_oid(crt, 2, buf, &len,
	    &critical), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	x509_eku_list(crt, &sv);
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], SERVER_AUTH) == 0 &&
	    strcmp(sv.v[1], CLIENT_AUTH) == 0);
	strv_free(&sv);

	/* CDP: the CA's URLs first, then the request's */
	cdp_uris(crt, &sv);
	CU_ASSERT_EQUAL(sv.n, 3);
	for (size_t i = 0; i < 3 && i < sv.n; i++)
		CU_ASSERT_STRING_EQUAL(sv.v[i], cdp[i]);
	strv_free(&sv);
	x509_cdp_list(crt, &sv);
	CU_ASSERT(sv.n == 3 && strcmp(sv.v[2], EXTRA_CRL) == 0);
	strv_free(&sv);

	/* AIA from the CA's ca_issuers and ocsp */
	CU_ASSERT(aia_entries(crt, &sv));
	CU_ASSERT_EQUAL(sv.n, 2);
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], "ca:" ROOT_CRT) == 0 &&
	    strcmp(sv.v[1], "ocsp:" ROOT_OCSP) == 0);
	strv_free(&sv);

	/* basicConstraints CA:FALSE critical, keyUsage as asked */
	ret = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pathlen);
	CU_ASSERT_EQUAL(ret, 0);	/* the CA flag: false */
	CU_ASSERT(!ca);
	CU_ASSERT(critical);
	CU_ASSERT(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0);
	CU_ASSERT_EQUAL(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
	CU_ASSERT(critical);

	/* AKI = the CA's SKI; SKI present */
	CU_ASSERT(same_id(crt, 1, fx.ec_crt, 0));
	CU_ASSERT(!same_id(crt, 1, fx.rsa_crt, 0));
	{
		char	*ski = key_id_hex(crt, 0);

		CU_ASSERT(ski != NULL && strlen(ski) == 40);
		free(ski);
	}

	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(crt),
	    GNUTLS_SIGN_ECDSA_SHA256);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_activation_time(crt), fx.now - 300);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_expiration_time(crt),
	    fx.now - 300 + 30L * DAY);
	gnutls_x509_crt_deinit(crt);
}

/* Values are never parsed as DN syntax. */
/*
 * The oracle for the hand-encoded leaf: the same certificate built with
 * GnuTLS's certificate API (one setter per field, each multi-valued
 * extension exported from its whole list, as x509.c did before it encoded
 * leaves itself), with the serial and dates of the one under test.
 */
static gnutls_x509_crt_t
gnutls_leaf(const struct request *req, gnutls_pubkey_t pub,
    const struct ca *ca, gnutls_x509_crt_t like)
{
	gnutls_x509_crt_t		 crt = NULL;
	gnutls_subject_alt_names_t	 sans = NULL;
	gnutls_x509_key_purposes_t	 kp = NULL;
	gnutls_x509_crl_dist_points_t	 cdp = NULL;
	gnutls_x509_aia_t		 aia = NULL;
	gnutls_datum_t			 d, v;
	unsigned char			 buf[64], ip[16];
	size_t				 len = sizeof buf;
	unsigned			 critical;
	int				 ok = 1;

	ok &= gnutls_x509_crt_init(&crt) == 0;
	ok &= gnutls_x509_crt_set_version(crt, 3) == 0;
	ok &= gnutls_x509_crt_get_serial(like, buf, &len) == 0;
	ok &= gnutls_x509_crt_set_serial(crt, buf, len) == 0;
	ok &= gnutls_x509_crt_set_activation_time(crt,
	    gnutls_x509_crt_get_activation_time(like)) == 0;
	ok &= gnutls_x509_crt_set_expiration_time(crt,
	    gnutls_x509_crt_get_expiration_time(like)) == 0;
	ok &= gnutls_x509_crt_set_pubkey(crt, pub) == 0;
	len = sizeof buf;
	ok &= gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, buf,
	    &len) == 0;
	ok &= gnutls_x509_crt_set_subject_key_id(crt, buf, len) == 0;
	for (size_t i = 0; i < req->subject.n; i++)
		ok &= gnutls_x509_crt_set_dn_by_oid(crt, req->subject.v[i].oid,
		    0, req->subject.v[i].value,
		    (unsigned)strlen(req->subject.v[i].value)) == 0;
	ok &= gnutls_x509_crt_set_basic_constraints(crt, 0, -1) == 0;
	ok &= gnutls_x509_crt_set_key_usage(crt, req->key_usage) == 0;
	if (req->dns.n + req->ip.n > 0) {
		ok &= gnutls_subject_alt_names_init(&sans) == 0;
		for (size_t i = 0; i < req->dns.n; i++) {
			v.data = (unsigned char *)req->dns.v[i];
			v.size = (unsigned)strlen(req->dns.v[i]);
			ok &= gnutls_subject_alt_names_set(sans,
			    GNUTLS_SAN_DNSNAME, &v, NULL) == 0;
		}
		for (size_t i = 0; i < req->ip.n; i++) {
			v.data = ip;
			v.size = strchr(req->ip.v[i], ':') != NULL ? 16 : 4;
			ok &= inet_pton(v.size == 4 ? AF_INET : AF_INET6,
			    req->ip.v[i], ip) == 1;
			ok &= gnutls_subject_alt_names_set(sans,
			    GNUTLS_SAN_IPADDRESS, &v, NULL) == 0;
		}
		ok &= gnutls_x509_ext_export_subject_alt_names(sans, &d) == 0;
		ok &= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.17",
		    d.data, d.size, 0) == 0;
		gnutls_free(d.data);
		gnutls_subject_alt_names_deinit(sans);
	}
	ok &= gnutls_x509_key_purpose_init(&kp) == 0;
	for (size_t i = 0; i < req->eku.n; i++)
		ok &= gnutls_x509_key_purpose_set(kp, req->eku.v[i]) == 0;
	ok &= gnutls_x509_ext_export_key_purposes(kp, &d) == 0;
	ok &= gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.37", d.data,
	    d.size, 0) == 0;
	gnutls_free(d.data);
	gnutls_x509_key_purpose_deinit(kp);
	for (int delta = 0; delta < 2; delta++) {
		const struct strv	*urls = delta ? &ca->conf->delta_cdp :
					    &ca->conf->cdp;
		struct strv		 seen = { NULL, 0 };

		if (delta && urls->n == 0)
			break;
		ok &= gnutls_x509_crl_dist_points_init(&cdp) == 0;
		for (size_t l = 0; l < 2; l++) {
			const struct strv *s = l == 0 ? urls : &req->cdp;

			for (size_t i = 0; (l == 0 || !delta) && i < s->n;
			    i++) {
				if (strv_has(&seen, s->v[i]))
					continue;
				strv_add(&seen, s->v[i]);
				v.data = (unsigned char *)s->v[i];
				v.size = (unsigned)strlen(s->v[i]);
				ok &= gnutls_x509_crl_dist_points_set(cdp,
				    GNUTLS_SAN_URI, &v, 0) == 0;
			}
		}
		strv_free(&seen);
		ok &= gnutls_x509_ext_export_crl_dist_points(cdp, &d) == 0;
		ok &= gnutls_x509_crt_set_extension_by_oid(crt, delta ?
		    "2.5.29.46" : OID_CDP, d.data, d.size, 0) == 0;
		gnutls_free(d.data);
		gnutls_x509_crl_dist_points_deinit(cdp);
	}
	if (ca->conf->ca_issuers.n + ca->conf->ocsp.n > 0) {
		ok &= gnutls_x509_aia_init(&aia) == 0;
		for (size_t i = 0; i < ca->conf->ca_issuers.n +
		    ca->conf->ocsp.n; i++) {
			int	 is = i < ca->conf->ca_issuers.n;
			char	*u = is ? ca->conf->ca_issuers.v[i] :
			    ca->conf->ocsp.v[i - ca->conf->ca_issuers.n];

			v.data = (unsigned char *)u;
			v.size = (unsigned)strlen(u);
			ok &= gnutls_x509_aia_set(aia, is ?
			    GNUTLS_OID_AD_CAISSUERS : GNUTLS_OID_AD_OCSP,
			    GNUTLS_SAN_URI, &v) == 0;
		}
		ok &= gnutls_x509_ext_export_aia(aia, &d) == 0;
		ok &= gnutls_x509_crt_set_extension_by_oid(crt, OID_AIA,
		    d.data, d.size, 0) == 0;
		gnutls_free(d.data);
		gnutls_x509_aia_deinit(aia);
	}
	len = sizeof buf;
	ok &= gnutls_x509_crt_get_subject_key_id(ca->crt, buf, &len,
	    &critical) == 0;
	ok &= gnutls_x509_crt_set_authority_key_id(crt, buf, len) == 0;
	ok &= gnutls_x509_crt_privkey_sign(crt, ca->crt, keys_privkey(ca->key),
	    ca->conf->digest, 0) == 0;
	CU_ASSERT(ok);
	if (!ok) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	return crt;
}

/* The TBSCertificate of a DER certificate: the first element inside it. */
static int
tbs_of(const gnutls_datum_t *der, const unsigned char **p, size_t *n)
{
	const unsigned char	*q = der->data;
	size_t			 len, k;

	if (der->size < 8 || q[0] != 0x30 || q[1] != 0x82 || q[4] != 0x30)
		return -1;
	q += 4;
	len = q[1];
	k = 2;
	if (len & 0x80) {
		size_t nb = len & 0x7f;

		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = len << 8 | q[2 + i];
		k += nb;
	}
	*p = q;
	*n = k + len;
	return 0;
}

static void
same_as_gnutls(const struct request *req, const struct ca *ca, int whole)
{
	gnutls_x509_crt_t	 ours = NULL, theirs;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	const unsigned char	*ta, *tb;
	size_t			 na = 0, nb = 0;
	char			*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(x509_build_leaf_der(req, pub, ca, fx.now, &a,
	    &cause), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_init(&ours), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_import(ours, &a,
	    GNUTLS_X509_FMT_DER), 0);
	theirs = gnutls_leaf(req, pub, ca, ours);
	CU_ASSERT_PTR_NOT_NULL_FATAL(theirs);
	CU_ASSERT_EQUAL(gnutls_x509_crt_export2(theirs, GNUTLS_X509_FMT_DER,
	    &b), 0);
	CU_ASSERT_EQUAL(tbs_of(&a, &ta, &na), 0);
	CU_ASSERT_EQUAL(tbs_of(&b, &tb, &nb), 0);
	CU_ASSERT(na == nb && na > 0 && memcmp(ta, tb, na) == 0);
	if (na != nb || memcmp(ta, tb, na) != 0) {
		fprintf(stderr, "\n    TBS differs from GnuTLS's:\n"
		    "    ours   ");
		for (size_t i = 0; i < na; i++)
			fprintf(stderr, "%02x", ta[i]);
		fprintf(stderr, "\n    theirs ");
		for (size_t i = 0; i < nb; i++)
			fprintf(stderr, "%02x", tb[i]);
		fputc('\n', stderr);
	}
	/* PKCS#1 v1.5 is deterministic: the whole certificate is the same */
	if (whole)
		CU_ASSERT(a.size == b.size && memcmp(a.data, b.data,
		    a.size) == 0);
	CU_ASSERT_EQUAL(verify_by(ours, ca->crt), 0);
	gnutls_free(a.data);
	gnutls_free(b.data);
	gnutls_x509_crt_deinit(ours);
	gnutls_x509_crt_deinit(theirs);
	gnutls_pubkey_deinit(pub);
	free(cause);
}

/* The encoder's bytes are GnuTLS's, across the fields' variants. */
static void
test_leaf_as_gnutls(void)
{
	/* shallow: only delta_cdp is ours */
	struct conf	 c = fx.ec_conf;
	struct ca	 ca = fx.ec;
	struct request	 req;
	gnutls_datum_t	 der = { NULL, 0 };
	gnutls_pubkey_t	 pub = NULL;
	char		*cause = NULL;
	static const unsigned	 kus[] = { GNUTLS_KEY_DIGITAL_SIGNATURE,
		GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT,
		GNUTLS_KEY_KEY_AGREEMENT, GNUTLS_KEY_DECIPHER_ONLY |
		GNUTLS_KEY_DIGITAL_SIGNATURE, GNUTLS_KEY_ENCIPHER_ONLY };

	req_init(&req, "web.lab.example");
	same_as_gnutls(&req, &fx.ec, 0);
	same_as_gnutls(&req, &fx.rsa, 1);
	for (size_t i = 0; i < sizeof kus / sizeof kus[0]; i++) {
		req.key_usage = kus[i];
		same_as_gnutls(&req, &fx.rsa, 1);
	}
	req_clear(&req);

	/* UTF-8 and non-printable text, C and DC; IPv6; no SAN; no extra CDP */
	memset(&req, 0, sizeof req);
	dn_add(&req.subject, dn_oid("C"), "DE");
	dn_add(&req.subject, dn_oid("DC"), "lab");
	dn_add(&req.subject, dn_oid("O"), "Lab & Co");
	dn_add(&req.subject, dn_oid("OU"), "Zentrale M\xc3\xbcnchen");
	dn_add(&req.subject, dn_oid("CN"), "web.lab.example");
	strv_add(&req.dns, "xn--caf-dma.lab.example");	/* an A-label */
	strv_add(&req.ip, "2001:db8::1");
	strv_add(&req.ip, "192.0.2.7");
	strv_add(&req.eku, SERVER_AUTH);
	req.key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	req.validity_days = 825;
	same_as_gnutls(&req, &fx.rsa, 1);
	strv_free(&req.ip);
	same_as_gnutls(&req, &fx.ec, 0);
	strv_free(&req.dns);

	/* Freshest CRL; a long validity (GeneralizedTime after 2049) */
	memset(&c.delta_cdp, 0, sizeof c.delta_cdp);
	strv_add(&c.delta_cdp, "http://pki.lab.example/root-delta.crl");
	strv_add(&c.delta_cdp, "http://mirror.lab.example/root-delta.crl");
	ca.conf = &c;
	strv_add(&req.cdp, EXTRA_CRL);
	strv_add(&req.cdp, ROOT_CRL);
	same_as_gnutls(&req, &ca, 0);
	req.validity_days = 40 * 365;
	same_as_gnutls(&req, &ca, 0);
	strv_free(&c.delta_cdp);

	/*
	 * A name outside ASCII is refused, never converted to its A-label
	 * (GnuTLS's setter would): an IDN, and text that is not UTF-8.
	 */
	CU_ASSERT_EQUAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	strv_add(&req.dns, "caf\xc3\xa9.lab.example");
	CU_ASSERT_EQUAL(x509_build_leaf_der(&req, pub, &fx.ec, fx.now, &der,
	    &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "xn--") != NULL);
	CU_ASSERT_PTR_NULL(der.data);
	free(cause);
	cause = NULL;
	strv_free(&req.dns);
	strv_add(&req.dns, "caf\xe9.lab.example");
	CU_ASSERT_EQUAL(x509_build_leaf_der(&req, pub, &fx.ec, fx.now, &der,
	    &cause), ERR_USAGE);
	CU_ASSERT_PTR_NULL(der.data);
	gnutls_pubkey_deinit(pub);
	free(cause);
	cause = NULL;
	strv_free(&req.dns);

	/* a C that is no PrintableString is refused, not mis-encoded */
	dn_free(&req.subject);
	dn_add(&req.subject, dn_oid("C"), "D*");
	dn_add(&req.subject, dn_oid("CN"), "web.lab.example");
	CU_ASSERT_EQUAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	CU_ASSERT_EQUAL(x509_build_leaf_der(&req, pub, &fx.ec, fx.now, &der,
	    &cause), ERR_USAGE);
	CU_ASSERT_PTR_NULL(der.data);
	gnutls_pubkey_deinit(pub);
	free(cause);
	req_clear(&req);
}

static void
test_leaf_dn_injection(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	char			 oids[4][64];
	char			*text = NULL, *cause = NULL;

	req_init(&req, "a,O=Evil");
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT_EQUAL(subject_rdns(crt, oids, 4), 2);
	CU_ASSERT_STRING_EQUAL(oids[0], GNUTLS_OID_X520_COMMON_NAME);
	CU_ASSERT_STRING_EQUAL(rdn_value(crt, 0), "a,O=Evil");
	CU_ASSERT_STRING_EQUAL(oids[1], GNUTLS_OID_X520_ORGANIZATION_NAME);
	CU_ASSERT_STRING_EQUAL(rdn_value(crt, 1), "Lab");
	/* GnuTLS's getter escapes the value: still one CN */
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_COMMON_NAME, 0),
	    "a\\,O=Evil");
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_COMMON_NAME, 1),
	    "");
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_ORGANIZATION_NAME,
	    0), "Lab");
	CU_ASSERT_STRING_EQUAL(dn_value(crt, GNUTLS_OID_X520_ORGANIZATION_NAME,
	    1), "");
	CU_ASSERT_EQUAL(x509_subject_text(crt, &text, &cause), 0);
	CU_ASSERT(text != NULL && strcmp(text, "O=Lab,CN=a\\,O=Evil") == 0);
	free(text);
	gnutls_x509_crt_deinit(crt);
}

/* An RSA CA signs PKCS#1 v1.5 with SHA-256; no AIA when the CA names none. */
static void
test_leaf_rsa_ca(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	struct strv		 sv = { NULL, 0 };
	char			 oid[128];
	size_t			 len = sizeof oid;

	req_init(&req, "web.lab.example");
	strv_free(&req.cdp);
	strv_add(&req.cdp, RSA_CRL);	/* the same as the CA's: once */
	strv_add(&req.cdp, EXTRA_CRL);
	crt = leaf_from(&req, &fx.rsa);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT_EQUAL(verify_by(crt, fx.rsa_crt), 0);
	CU_ASSERT_NOT_EQUAL(verify_by(crt, fx.ec_crt), 0);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(crt),
	    GNUTLS_SIGN_RSA_SHA256);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_oid(crt, oid, &len), 0);
	CU_ASSERT_STRING_EQUAL(oid, OID_SHA256_RSA);
	CU_ASSERT(same_id(crt, 1, fx.rsa_crt, 0));
	CU_ASSERT(!aia_entries(crt, &sv));
	cdp_uris(crt, &sv);
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], RSA_CRL) == 0 &&
	    strcmp(sv.v[1], EXTRA_CRL) == 0);
	strv_free(&sv);
	gnutls_x509_crt_deinit(crt);
}

static void
test_leaf_cdp(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	struct strv		 sv = { NULL, 0 };

	/* an extra URL equal to one of the CA's is not repeated */
	req_init(&req, "web.lab.example");
	strv_free(&req.cdp);
	strv_add(&req.cdp, MIRROR_CRL);
	strv_add(&req.cdp, EXTRA_CRL);
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	cdp_uris(crt, &sv);
	CU_ASSERT_EQUAL(sv.n, 3);
	CU_ASSERT(sv.n == 3 && strcmp(sv.v[0], ROOT_CRL) == 0 &&
	    strcmp(sv.v[1], MIRROR_CRL) == 0 &&
	    strcmp(sv.v[2], EXTRA_CRL) == 0);
	strv_free(&sv);
	gnutls_x509_crt_deinit(crt);

	/* no extra URL: the CA's only */
	req_init(&req, "web.lab.example");
	strv_free(&req.cdp);
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	cdp_uris(crt, &sv);
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], ROOT_CRL) == 0 &&
	    strcmp(sv.v[1], MIRROR_CRL) == 0);
	strv_free(&sv);
	gnutls_x509_crt_deinit(crt);
}

/* With delta CRLs, leaves and subordinates carry Freshest CRL; without, not. */
static void
test_freshest_crl(void)
{
	/* shallow: only delta_cdp is ours */
	struct conf		 c = fx.ec_conf;
	struct ca		 ca = fx.ec;
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der = { NULL, 0 }, san;
	gnutls_x509_crl_dist_points_t cdp = NULL;
	unsigned		 critical = 1, type, reasons;
	char			*s;

	memset(&c.delta_cdp, 0, sizeof c.delta_cdp);
	strv_add(&c.delta_cdp, "http://pki.lab.example/root-delta.crl");
	ca.conf = &c;
	req_init(&req, "web.lab.example");
	crt = leaf_from(&req, &ca);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_extension_by_oid2(crt, "2.5.29.46",
	    0, &der, &critical), 0);
	CU_ASSERT(!critical);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crl_dist_points_init(&cdp), 0);
	CU_ASSERT_EQUAL(gnutls_x509_ext_import_crl_dist_points(&der, cdp, 0),
	    0);
	CU_ASSERT_EQUAL(gnutls_x509_crl_dist_points_get(cdp, 0, &type, &san,
	    &reasons), 0);
	s = xstrndup((char *)san.data, san.size);
	CU_ASSERT(type == GNUTLS_SAN_URI &&
	    strcmp(s, "http://pki.lab.example/root-delta.crl") == 0);
	free(s);
	CU_ASSERT(gnutls_x509_crl_dist_points_get(cdp, 1, &type, &san,
	    &reasons) < 0);
	gnutls_x509_crl_dist_points_deinit(cdp);
	gnutls_free(der.data);
	CU_ASSERT(has_ext(crt, OID_CDP));
	gnutls_x509_crt_deinit(crt);
	strv_free(&c.delta_cdp);

	req_init(&req, "web.lab.example");
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT(!has_ext(crt, "2.5.29.46"));
	gnutls_x509_crt_deinit(crt);
}

/* The same extra URL twice (a profile may list it twice) is placed once. */
static void
test_leaf_cdp_extra_twice(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	struct strv		 sv = { NULL, 0 };

	req_init(&req, "web.lab.example");
	strv_add(&req.cdp, EXTRA_CRL);
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	cdp_uris(crt, &sv);
	CU_ASSERT_EQUAL(sv.n, 3);
	strv_free(&sv);
	gnutls_x509_crt_deinit(crt);
}

static void
test_leaf_names(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	struct strv		 dns = { NULL, 0 }, ip = { NULL, 0 };
	char			*text = NULL, *cn = NULL, *cause = NULL;

	req_init(&req, "web.lab.example");
	strv_add(&req.ip, "2001:db8::1");
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT_EQUAL(x509_san_text(crt, &text, &cause), 0);
	CU_ASSERT(text != NULL && strcmp(text, "DNS:web.lab.example,"
	    "DNS:www.lab.example,IP:10.0.0.1,IP:2001:db8::1") == 0);
	free(text);
	CU_ASSERT_EQUAL(x509_names(crt, &cn, &dns, &ip, &cause), 0);
	CU_ASSERT(cn != NULL && strcmp(cn, "web.lab.example") == 0);
	CU_ASSERT(dns.n == 2 && strcmp(dns.v[1], "www.lab.example") == 0);
	CU_ASSERT(ip.n == 2 && strcmp(ip.v[0], "10.0.0.1") == 0 &&
	    strcmp(ip.v[1], "2001:db8::1") == 0);
	free(cn);
	strv_free(&dns);
	strv_free(&ip);
	gnutls_x509_crt_deinit(crt);

	/* no names at all: no SAN extension, empty text */
	req_init(&req, "web.lab.example");
	strv_free(&req.dns);
	strv_free(&req.ip);
	crt = leaf_from(&req, &fx.ec);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT(!has_ext(crt, "2.5.29.17"));
	CU_ASSERT_EQUAL(x509_san_text(crt, &text, &cause), 0);
	CU_ASSERT(text != NULL && strcmp(text, "") == 0);
	free(text);
	gnutls_x509_crt_deinit(crt);
	CU_ASSERT_PTR_NULL(cause);
}

static void
test_leaf_refusals(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	char			*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(keys_pubkey(fx.leaf_key, &pub, &cause), 0);
	req_init(&req, "web.lab.example");
	strv_add(&req.ip, "10.0.0.300");
	CU_ASSERT_EQUAL(x509_build_leaf(&req, pub, &fx.ec, fx.now, &crt,
	    &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "'10.0.0.300'") != NULL);
	CU_ASSERT_PTR_NULL(crt);
	free(cause);
	cause = NULL;
	req_clear(&req);

	req_init(&req, "web.lab.example");
	strv_add(&req.eku, "not an oid");
	CU_ASSERT(x509_build_leaf(&req, pub, &fx.ec, fx.now, &crt, &cause) < 0);
	CU_ASSERT_PTR_NULL(crt);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	req_clear(&req);
	gnutls_pubkey_deinit(pub);
}

static void
test_serials_differ(void)
{
	unsigned char	 a[X509_SERIAL_LEN], b[X509_SERIAL_LEN];
	char		*cause = NULL;

	for (int i = 0; i < 200; i++) {
		CU_ASSERT_EQUAL(x509_serial_new(a, &cause), 0);
		CU_ASSERT_EQUAL(x509_serial_new(b, &cause), 0);
		CU_ASSERT(memcmp(a, b, sizeof a) != 0);
		CU_ASSERT(a[0] != 0 && (a[0] & 0x80) == 0);
		CU_ASSERT(b[0] != 0 && (b[0] & 0x80) == 0);
	}
	CU_ASSERT_PTR_NULL(cause);
}

/* ---- subordinate CAs ---- */

static void
sub_conf(struct conf *c, int path_len)
{
	memset(c, 0, sizeof *c);
	dn_add(&c->subject, dn_oid("CN"), "Test Issuing CA");
	dn_add(&c->subject, dn_oid("O"), "Lab");
	c->key.alg = KEY_EC;
	c->key.bits = 256;
	c->validity_days = 1825;
	c->digest = GNUTLS_DIG_SHA256;
	c->path_len = path_len;
	strv_add(&c->cdp, SUB_CRL);
	c->crl_days = 7;
	c->policy.min_rsa_bits = 2048;
	c->policy.max_validity_days = 825;
}

static void
conf_clear(struct conf *c)
{
	dn_free(&c->subject);
	strv_free(&c->cdp);
	strv_free(&c->ca_issuers);
	strv_free(&c->ocsp);
	strv_free(&c->delta_cdp);
	strv_free(&c->publish);
	strv_free(&c->policy.domains);
}

/*
 * Does crt's extension oid hold exactly what GnuTLS's own exporter makes
 * of the CA's URLs (CRL distribution points, or AIA)?
 */
static int
ext_is_gnutls(gnutls_x509_crt_t crt, const char *oid, const struct conf *c)
{
	gnutls_x509_crl_dist_points_t	 cdp = NULL;
	gnutls_x509_aia_t		 aia = NULL;
	gnutls_datum_t			 ours = { NULL, 0 },
	    theirs = { NULL, 0 };
	gnutls_datum_t			 v;
	unsigned			 critical;
	int				 ok = 1;

	if (strcmp(oid, OID_CDP) == 0) {
		ok &= gnutls_x509_crl_dist_points_init(&cdp) == 0;
		for (size_t i = 0; ok && i < c->cdp.n; i++) {
			v.data = (unsigned char *)c->cdp.v[i];
			v.size = (unsigned)strlen(c->cdp.v[i]);
			ok &= gnutls_x509_crl_dist_points_set(cdp,
			    GNUTLS_SAN_URI, &v, 0) == 0;
		}
		ok &= ok && gnutls_x509_ext_export_crl_dist_points(cdp,
		    &theirs) == 0;
		gnutls_x509_crl_dist_points_deinit(cdp);
	} else {
		ok &= gnutls_x509_aia_init(&aia) == 0;
		for (size_t i = 0; ok && i < c->ca_issuers.n + c->ocsp.n; i++) {
			int	 is = i < c->ca_issuers.n;
			char	*u = is ? c->ca_issuers.v[i] :
				    c->ocsp.v[i - c->ca_issuers.n];

			v.data = (unsigned char *)u;
			v.size = (unsigned)strlen(u);
			ok &= gnutls_x509_aia_set(aia, is ?
			    GNUTLS_OID_AD_CAISSUERS : GNUTLS_OID_AD_OCSP,
			    GNUTLS_SAN_URI, &v) == 0;
		}
		ok &= ok && gnutls_x509_ext_export_aia(aia, &theirs) == 0;
		gnutls_x509_aia_deinit(aia);
	}
	ok &= ok && gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, &ours,
	    &critical) == 0;
	ok &= ok && ours.size == theirs.size &&
	    memcmp(ours.data, theirs.data, ours.size) == 0;
	gnutls_free(ours.data);
	gnutls_free(theirs.data);
	return ok;
}

static void
test_subordinate(void)
{
	struct conf		 sc;
	gnutls_x509_crt_t	 sub = NULL, leaf = NULL, chain[2];
	struct ca		 subca;
	struct request		 req;
	struct strv		 sv = { NULL, 0 };
	unsigned		 status = 0xffff;
	char			*cause = NULL;

	sub_conf(&sc, -1);
	CU_ASSERT_EQUAL_FATAL(x509_build_ca(&sc, fx.sub_key, &fx.ec, fx.now,
	    &sub, &cause), 0);
	/* a subordinate without path_length signs only leaves */
	check_ca_common(sub, 0);
	CU_ASSERT_EQUAL(verify_by(sub, fx.ec_crt), 0);
	CU_ASSERT_NOT_EQUAL(verify_by(sub, fx.rsa_crt), 0);
	CU_ASSERT(gnutls_x509_crt_check_issuer(sub, fx.ec_crt));
	CU_ASSERT(same_id(sub, 1, fx.ec_crt, 0));	/* AKI = parent SKI */
	CU_ASSERT(!same_id(sub, 1, sub, 0));
	cdp_uris(sub, &sv);				/* the parent's CDP */
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], ROOT_CRL) == 0 &&
	    strcmp(sv.v[1], MIRROR_CRL) == 0);
	CU_ASSERT(!strv_has(&sv, SUB_CRL));
	strv_free(&sv);
	CU_ASSERT(aia_entries(sub, &sv));		/* and its AIA */
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], "ca:" ROOT_CRT) == 0);
	strv_free(&sv);
	/* byte for byte what GnuTLS's exporters make of the same URLs */
	CU_ASSERT(ext_is_gnutls(sub, OID_CDP, fx.ec.conf));
	CU_ASSERT(ext_is_gnutls(sub, OID_AIA, fx.ec.conf));
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(sub),
	    GNUTLS_SIGN_ECDSA_SHA256);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_expiration_time(sub),
	    fx.now - 300 + 1825L * DAY);

	/* a leaf of the subordinate verifies through it to the root */
	memset(&subca, 0, sizeof subca);
	subca.conf = &sc;
	subca.crt = sub;
	subca.chain = &subca.crt;
	subca.nchain = 1;
	subca.key = fx.sub_key;
	req_init(&req, "web.lab.example");
	leaf = leaf_from(&req, &subca);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf);
	chain[0] = leaf;
	chain[1] = sub;
	CU_ASSERT_EQUAL(gnutls_x509_crt_list_verify(chain, 2, &fx.ec_crt, 1,
	    NULL, 0, 0, &status), 0);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT(same_id(leaf, 1, sub, 0));
	/* the issuing CA's CDP */
	cdp_uris(leaf, &sv);
	CU_ASSERT(sv.n == 2 && strcmp(sv.v[0], SUB_CRL) == 0 &&
	    strcmp(sv.v[1], EXTRA_CRL) == 0);
	strv_free(&sv);
	CU_ASSERT(!aia_entries(leaf, &sv));
	gnutls_x509_crt_deinit(leaf);
	gnutls_x509_crt_deinit(sub);
	sub = NULL;

	/* path_length as configured; an RSA parent signs with RSA-SHA256 */
	sc.path_len = 2;
	CU_ASSERT_EQUAL_FATAL(x509_build_ca(&sc, fx.sub_key, &fx.rsa, fx.now,
	    &sub, &cause), 0);
	check_ca_common(sub, 2);
	CU_ASSERT_EQUAL(verify_by(sub, fx.rsa_crt), 0);
	CU_ASSERT_EQUAL(gnutls_x509_crt_get_signature_algorithm(sub),
	    GNUTLS_SIGN_RSA_SHA256);
	CU_ASSERT(same_id(sub, 1, fx.rsa_crt, 0));
	cdp_uris(sub, &sv);
	CU_ASSERT(sv.n == 1 && strcmp(sv.v[0], RSA_CRL) == 0);
	strv_free(&sv);
	gnutls_x509_crt_deinit(sub);
	CU_ASSERT_PTR_NULL(cause);
	conf_clear(&sc);
}

/* ---- CSRs ---- */

static void
test_ca_csr(void)
{
	struct conf		 sc;
	gnutls_x509_crq_t	 crq = NULL, back = NULL;
	gnutls_datum_t		 pem = { NULL, 0 };
	struct csr_info		 ci;
	unsigned		 critical = 0, ca = 0;
	int			 pathlen = -2;
	char			 buf[128];
	size_t			 len = sizeof buf - 1;
	char			*cause = NULL;

	sub_conf(&sc, 0);
	CU_ASSERT_EQUAL_FATAL(x509_build_ca_csr(&sc, fx.sub_key, &crq, &cause),
	    0);
	CU_ASSERT_EQUAL(gnutls_x509_crq_verify(crq, 0), 0);
	CU_ASSERT_EQUAL(gnutls_x509_crq_get_dn_by_oid(crq,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &len), 0);
	buf[len] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "Test Issuing CA");
	CU_ASSERT(gnutls_x509_crq_get_basic_constraints(crq, &critical, &ca,
	    &pathlen) >= 0);
	CU_ASSERT(ca);
	CU_ASSERT_EQUAL(pathlen, 0);
	CU_ASSERT_EQUAL(gnutls_x509_crq_get_signature_algorithm(crq),
	    GNUTLS_SIGN_ECDSA_SHA256);

	/* through PEM and x509_parse_csr / x509_csr_info */
	CU_ASSERT_EQUAL_FATAL(x509_export_csr(crq, 1, &pem, &cause), 0);
	CU_ASSERT(strstr((char *)pem.data, "CERTIFICATE REQUEST-----") != NULL);
	CU_ASSERT_EQUAL_FATAL(x509_parse_csr(pem.data, pem.size, "ca.csr",
	    &back, &cause), 0);
	CU_ASSERT_EQUAL(x509_csr_info(back, &ci, &cause), 0);
	CU_ASSERT(ci.wants_ca);
	CU_ASSERT(ci.cn != NULL && strcmp(ci.cn, "Test Issuing CA") == 0);
	x509_csr_info_free(&ci);
	gnutls_free(pem.data);
	gnutls_x509_crq_deinit(back);
	gnutls_x509_crq_deinit(crq);
	CU_ASSERT_PTR_NULL(cause);

	CU_ASSERT_EQUAL(x509_parse_csr((const unsigned char *)"garbage!", 8,
	    "junk.csr", &back, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "junk.csr") != NULL);
	free(cause);
	conf_clear(&sc);
}

static void
test_leaf_csr(void)
{
	struct request		 req;
	gnutls_x509_crq_t	 crq = NULL;
	struct csr_info		 ci;
	char			*cause = NULL;

	req_init(&req, "web.lab.example");
	CU_ASSERT_EQUAL_FATAL(x509_build_csr(&req, fx.leaf_key,
	    GNUTLS_DIG_SHA256, &crq, &cause), 0);
	req_clear(&req);
	CU_ASSERT_EQUAL(gnutls_x509_crq_verify(crq, 0), 0);
	CU_ASSERT_EQUAL(x509_csr_info(crq, &ci, &cause), 0);
	CU_ASSERT(!ci.wants_ca);
	CU_ASSERT(ci.cn != NULL && strcmp(ci.cn, "web.lab.example") == 0);
	CU_ASSERT(ci.dns.n == 2 && strcmp(ci.dns.v[0], "web.lab.example") == 0);
	CU_ASSERT(ci.ip.n == 1 && strcmp(ci.ip.v[0], "10.0.0.1") == 0);
	x509_csr_info_free(&ci);
	gnutls_x509_crq_deinit(crq);
	CU_ASSERT_PTR_NULL(cause);

	/* an IDN is refused, not written as its A-label under a UTF-8 CN */
	crq = NULL;
	req_init(&req, "web.lab.example");
	strv_add(&req.dns, "caf\xc3\xa9.lab.example");
	CU_ASSERT_EQUAL(x509_build_csr(&req, fx.leaf_key, GNUTLS_DIG_SHA256,
	    &crq, &cause), ERR_USAGE);
	CU_ASSERT_PTR_NULL(crq);
	CU_ASSERT(cause != NULL && strstr(cause, "xn--") != NULL);
	free(cause);
	cause = NULL;
	req_clear(&req);

	/* a CSR whose CN is an IDN (made elsewhere): refused when read */
	req_init(&req, "caf\xc3\xa9.lab.example");
	CU_ASSERT_EQUAL_FATAL(x509_build_csr(&req, fx.leaf_key,
	    GNUTLS_DIG_SHA256, &crq, &cause), 0);
	req_clear(&req);
	CU_ASSERT_EQUAL(x509_csr_info(crq, &ci, &cause), ERR_POLICY);
	CU_ASSERT(cause != NULL && strstr(cause, "CSR subject CN 'caf\xc3\xa9"
	    ".lab.example' is not an ASCII host name") != NULL);
	free(cause);
	gnutls_x509_crq_deinit(crq);
}

/*
 * A CSR whose subjectAltName is the given bytes, signed again; what
 * x509_csr_info makes of it (its cause in *cause, freed by the caller).
 */
static int
csr_with_san(const unsigned char *san, size_t len, struct csr_info *ci,
    char **cause)
{
	struct request		 req;
	gnutls_x509_crq_t	 crq = NULL;
	int			 rc;

	req_init(&req, "web.lab.example");
	rc = x509_build_csr(&req, fx.leaf_key, GNUTLS_DIG_SHA256, &crq, cause);
	req_clear(&req);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crq_set_extension_by_oid(crq,
	    "2.5.29.17", san, len, 0), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crq_privkey_sign(crq,
	    keys_privkey(fx.leaf_key), GNUTLS_DIG_SHA256, 0), 0);
	rc = x509_csr_info(crq, ci, cause);
	gnutls_x509_crq_deinit(crq);
	return rc;
}

/* The CSR's subjectAltName as roleca walks it: every malformed form refused. */
static void
test_csr_san_reader(void)
{
	/* a.lab.example and 10.0.0.2 */
	static const unsigned char good[] = {
		0x30, 0x15,
		0x82, 0x0d, 'a', '.', 'l', 'a', 'b', '.', 'e', 'x', 'a', 'm',
		'p', 'l', 'e',
		0x87, 0x04, 10, 0, 0, 2,
	};
	static const struct {
		const char	*what;
		unsigned char	 der[24];
		size_t		 len;
		const char	*cause;
	} bad[] = {
		{ "trailing byte", { 0x30, 0x03, 0x82, 0x01, 'a', 0x00 }, 6,
		    "malformed" },
		{ "name past the end", { 0x30, 0x03, 0x82, 0x05, 'a' }, 5,
		    "malformed" },
		{ "sequence past the end", { 0x30, 0x09, 0x82, 0x01, 'a' }, 5,
		    "malformed" },
		{ "not a sequence", { 0x31, 0x03, 0x82, 0x01, 'a' }, 5,
		    "malformed" },
		{ "indefinite length", { 0x30, 0x80, 0x82, 0x01, 'a', 0, 0 },
		    7, "malformed" },
		{ "high tag number", { 0x30, 0x04, 0x9f, 0x20, 0x01, 'a' }, 6,
		    "malformed" },
		{ "URI", { 0x30, 0x05, 0x86, 0x03, 'h', ':', 'x' }, 7,
		    "only DNS and IP" },
		{ "rfc822Name", { 0x30, 0x05, 0x81, 0x03, 'a', '@', 'b' }, 7,
		    "only DNS and IP" },
		{ "constructed dNSName", { 0x30, 0x05, 0xa2, 0x03, 0x16, 0x01,
		    'a' }, 7, "only DNS and IP" },
		{ "iPAddress of 8 bytes", { 0x30, 0x0a, 0x87, 0x08, 1, 2, 3, 4,
		    5, 6, 7, 8 }, 12, "only DNS and IP" },
		{ "NUL in a dNSName", { 0x30, 0x05, 0x82, 0x03, 'a', 0, 'b' },
		    7, "NUL" },
		{ "UTF-8 in a dNSName", { 0x30, 0x06, 0x82, 0x04, 'c', 'a',
		    0xc3, 0xa9 }, 8, "xn--" },
		{ "Latin-1 in a dNSName", { 0x30, 0x05, 0x82, 0x03, 'c', 'a',
		    0xe9 }, 7, "outside ASCII" },
	};
	struct csr_info		 ci;
	char			*cause = NULL;

	CU_ASSERT_EQUAL(csr_with_san(good, sizeof good, &ci, &cause), 0);
	CU_ASSERT(ci.dns.n == 1 && strcmp(ci.dns.v[0], "a.lab.example") == 0);
	CU_ASSERT(ci.ip.n == 1 && strcmp(ci.ip.v[0], "10.0.0.2") == 0);
	x509_csr_info_free(&ci);
	CU_ASSERT_PTR_NULL(cause);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int	 rc = csr_with_san(bad[i].der, bad[i].len, &ci, &cause);

		CU_ASSERT_EQUAL(rc, ERR_POLICY);
		CU_ASSERT(cause != NULL && strstr(cause, bad[i].cause) != NULL);
		if (rc != ERR_POLICY || cause == NULL ||
		    strstr(cause, bad[i].cause) == NULL)
			fprintf(stderr, "\n    %s: rc %d, %s", bad[i].what, rc,
			    cause != NULL ? cause : "(no cause)");
		if (rc == 0)
			x509_csr_info_free(&ci);
		free(cause);
		cause = NULL;
	}
}

/*
 * The CN that x509_names() and x509_csr_info() hand back is the value, not
 * its RFC 4514 text: sign and renew put it into a new subject as is.
 */
static void
test_cn_read_back(void)
{
	struct request		 req;
	gnutls_x509_crt_t	 crt;
	gnutls_x509_crq_t	 crq = NULL;
	struct csr_info		 ci;
	struct strv		 dns = { NULL, 0 }, ip = { NULL, 0 };
	char			*cn = NULL, *cause = NULL;

	req_init(&req, "Lab, Inc");
	crt = leaf_from(&req, &fx.ec);
	CU_ASSERT_EQUAL_FATAL(x509_build_csr(&req, fx.leaf_key,
	    GNUTLS_DIG_SHA256, &crq, &cause), 0);
	req_clear(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crt);
	CU_ASSERT_STRING_EQUAL(rdn_value(crt, 0), "Lab, Inc");

	CU_ASSERT_EQUAL(x509_names(crt, &cn, &dns, &ip, &cause), 0);
	CU_ASSERT(cn != NULL && strcmp(cn, "Lab, Inc") == 0);
	if (cn != NULL && strcmp(cn, "Lab, Inc") != 0)
		fprintf(stderr, "\n    x509_names: CN '%s'", cn);
	free(cn);
	strv_free(&dns);
	strv_free(&ip);

	CU_ASSERT_EQUAL(x509_csr_info(crq, &ci, &cause), 0);
	CU_ASSERT(ci.cn != NULL && strcmp(ci.cn, "Lab, Inc") == 0);
	if (ci.cn != NULL && strcmp(ci.cn, "Lab, Inc") != 0)
		fprintf(stderr, "\n    x509_csr_info: CN '%s'", ci.cn);
	x509_csr_info_free(&ci);
	gnutls_x509_crq_deinit(crq);
	gnutls_x509_crt_deinit(crt);
	CU_ASSERT_PTR_NULL(cause);
}

/* ---- reading certificates back ---- */

/* The accessors the commands read certificates through. */
static void
test_accessors(void)
{
	struct conf		 sc;
	gnutls_x509_crt_t	 sub = NULL;
	gnutls_pubkey_t		 a = NULL, b = NULL;
	time_t			 nb, na;
	char			*t, *ida = NULL, *idb = NULL, *cause = NULL;

	sub_conf(&sc, -1);
	CU_ASSERT_EQUAL_FATAL(x509_build_ca(&sc, fx.sub_key, &fx.ec, fx.now,
	    &sub, &cause), 0);
	t = x509_dn(sub, 0);
	CU_ASSERT_STRING_EQUAL(t, "O=Lab,CN=Test Issuing CA");
	free(t);
	t = x509_dn(sub, 1);
	CU_ASSERT_STRING_EQUAL(t, "O=Lab,CN=Test Root");
	free(t);
	/* by name and key identifier, either way round */
	CU_ASSERT(x509_is_issuer(sub, fx.ec_crt));
	CU_ASSERT(x509_is_issuer(fx.ec_crt, fx.ec_crt));
	CU_ASSERT(!x509_is_issuer(fx.ec_crt, sub));
	CU_ASSERT(!x509_is_issuer(sub, fx.rsa_crt));
	CU_ASSERT(!x509_is_issuer(sub, sub));
	x509_validity(sub, &nb, &na);
	CU_ASSERT(nb <= fx.now && nb > fx.now - 3600);
	CU_ASSERT_EQUAL(na - nb, 1825 * 86400);
	/* the certified key is the subordinate's own */
	CU_ASSERT_EQUAL_FATAL(x509_crt_pubkey(sub, &a, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(keys_pubkey(fx.sub_key, &b, &cause), 0);
	CU_ASSERT_EQUAL(x509_pubkey_id(a, &ida, &cause), 0);
	CU_ASSERT_EQUAL(x509_pubkey_id(b, &idb, &cause), 0);
	CU_ASSERT(ida != NULL && idb != NULL && strcmp(ida, idb) == 0);
	CU_ASSERT_PTR_NULL(cause);
	free(ida);
	free(idb);
	gnutls_pubkey_deinit(a);
	gnutls_pubkey_deinit(b);
	gnutls_x509_crt_deinit(sub);
	conf_clear(&sc);
}

static void
test_parse_certs(void)
{
	struct conf		 sc;
	gnutls_x509_crt_t	 sub = NULL, *list = NULL;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 },
	    der = { NULL, 0 };
	unsigned char		*pem2;
	size_t			 n = 0;
	char			*path = tmp_path("chain.pem"), *cause = NULL;

	sub_conf(&sc, -1);
	CU_ASSERT_EQUAL_FATAL(x509_build_ca(&sc, fx.sub_key, &fx.ec, fx.now,
	    &sub, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(x509_export(sub, 1, &a, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(x509_export(fx.ec_crt, 1, &b, &cause), 0);
	pem2 = xmalloc(a.size + b.size);
	memcpy(pem2, a.data, a.size);
	memcpy(pem2 + a.size, b.data, b.size);

	/* PEM with two certificates, in order */
	CU_ASSERT_EQUAL(x509_parse_certs(pem2, a.size + b.size, "chain.pem",
	    &list, &n, &cause), 0);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT(x509_same(list[0], sub));
		CU_ASSERT(x509_same(list[1], fx.ec_crt));
		CU_ASSERT(!x509_same(list[0], list[1]));
	}
	x509_free_certs(list, n);
	list = NULL;

	/* the same from a file */
	CU_ASSERT_EQUAL(out_write(path, pem2, a.size + b.size, 0, 0,
	    &cause), 0);
	CU_ASSERT_EQUAL(x509_load_certs(path, &list, &n, &cause), 0);
	CU_ASSERT_EQUAL(n, 2);
	x509_free_certs(list, n);
	list = NULL;

	/* DER: one */
	CU_ASSERT_EQUAL_FATAL(x509_export(sub, 0, &der, &cause), 0);
	CU_ASSERT_EQUAL(der.data[0], 0x30);
	CU_ASSERT_EQUAL(x509_parse_certs(der.data, der.size, "sub.der", &list,
	    &n, &cause), 0);
	CU_ASSERT_EQUAL(n, 1);
	if (n == 1)
		CU_ASSERT(x509_same(list[0], sub));
	x509_free_certs(list, n);
	list = NULL;
	CU_ASSERT_PTR_NULL(cause);

	/* garbage, truncated DER, nothing, a missing file */
	CU_ASSERT_EQUAL(x509_parse_certs((const unsigned char *)"garbage\n", 8,
	    "junk.pem", &list, &n, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "junk.pem") != NULL);
	CU_ASSERT_PTR_NULL(list);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(x509_parse_certs(der.data, der.size / 2, "half.der",
	    &list, &n, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(x509_parse_certs((const unsigned char *)"", 0, "empty",
	    &list, &n, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(x509_parse_certs(a.data, a.size / 2, "cut.pem", &list,
	    &n, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(x509_load_certs("/nonexistent/x.pem", &list, &n,
	    &cause), ERR_FAIL);
	free(cause);
	CU_ASSERT_PTR_NULL(list);
	x509_free_certs(NULL, 0);

	gnutls_free(der.data);
	gnutls_free(a.data);
	gnutls_free(b.data);
	free(pem2);
	gnutls_x509_crt_deinit(sub);
	conf_clear(&sc);
	unlink(path);
	free(path);
}

static void
test_text_helpers(void)
{
	unsigned char	 serial[64];
	size_t		 len = sizeof serial;
	char		*hex = NULL, *text = NULL, *want, *cause = NULL;
	int		 match = -1;

	CU_ASSERT_EQUAL(gnutls_x509_crt_get_serial(fx.rsa_crt, serial, &len),
	    0);
	want = hex_encode(serial, len);
	CU_ASSERT_EQUAL(x509_serial_hex(fx.rsa_crt, &hex, &cause), 0);
	CU_ASSERT(hex != NULL && strcmp(hex, want) == 0 && strlen(hex) == 32);
	for (const char *p = hex; p != NULL && *p != '\0'; p++)
		CU_ASSERT(strchr("0123456789abcdef", *p) != NULL);
	free(hex);
	free(want);

	CU_ASSERT_EQUAL(x509_subject_text(fx.ec_crt, &text, &cause), 0);
	CU_ASSERT(text != NULL && strcmp(text, "O=Lab,CN=Test Root") == 0);
	free(text);
	CU_ASSERT_EQUAL(x509_san_text(fx.ec_crt, &text, &cause), 0);
	CU_ASSERT(text != NULL && strcmp(text, "") == 0);
	free(text);

	CU_ASSERT_EQUAL(x509_matches_key(fx.ec_crt, fx.ec_ca_key, &match,
	    &cause), 0);
	CU_ASSERT_EQUAL(match, 1);
	CU_ASSERT_EQUAL(x509_matches_key(fx.ec_crt, fx.other_key, &match,
	    &cause), 0);
	CU_ASSERT_EQUAL(match, 0);
	CU_ASSERT_EQUAL(x509_matches_key(fx.rsa_crt, fx.rsa_ca_key, &match,
	    &cause), 0);
	CU_ASSERT_EQUAL(match, 1);
	CU_ASSERT_EQUAL(x509_matches_key(fx.rsa_crt, fx.ec_ca_key, &match,
	    &cause), 0);
	CU_ASSERT_EQUAL(match, 0);
	CU_ASSERT(x509_same(fx.ec_crt, fx.ec_crt));
	CU_ASSERT(!x509_same(fx.ec_crt, fx.rsa_crt));
	CU_ASSERT_PTR_NULL(cause);
}

/* ---- the fixture ---- */

static int
setup(void)
{
	struct keyspec	 ec = { KEY_EC, 256 }, rsa = { KEY_RSA, 2048 };
	struct conf	*c = &fx.ec_conf;
	char		*path = tmp_path("rsa-ca.cfg"), *cause = NULL;
	FILE		*f;
	int		 rc = -1;

	fx.now = time(NULL);
	if (keys_generate(&ec, &fx.ec_ca_key, &cause) != 0 ||
	    keys_generate(&rsa, &fx.rsa_ca_key, &cause) != 0 ||
	    keys_generate(&ec, &fx.sub_key, &cause) != 0 ||
	    keys_generate(&ec, &fx.leaf_key, &cause) != 0 ||
	    keys_generate(&ec, &fx.other_key, &cause) != 0)
		goto out;

	/* the EC root: a struct conf filled in code */
	dn_add(&c->subject, dn_oid("CN"), "Test Root");
	dn_add(&c->subject, dn_oid("O"), "Lab");
	c->key = ec;
	c->validity_days = 3650;
	c->digest = GNUTLS_DIG_SHA256;
	c->path_len = 1;
	strv_add(&c->cdp, ROOT_CRL);
	strv_add(&c->cdp, MIRROR_CRL);
	strv_add(&c->ca_issuers, ROOT_CRT);
	strv_add(&c->ocsp, ROOT_OCSP);
	c->crl_days = 7;
	c->crl_renew_percent = 50;
	c->policy.min_rsa_bits = 2048;
	c->policy.max_validity_days = 825;
	if (x509_build_ca(c, fx.ec_ca_key, NULL, fx.now, &fx.ec_crt,
	    &cause) != 0)
		goto out;
	fx.ec.conf = c;
	fx.ec.crt = fx.ec_crt;
	fx.ec.chain = &fx.ec.crt;
	fx.ec.nchain = 1;
	fx.ec.key = fx.ec_ca_key;

	/* the RSA root: from a ca.cfg, without AIA or path_length */
	if ((f = fopen(path, "w")) == NULL)
		goto out;
	fputs("subject = { CN = \"RSA Root\"; O = \"Lab\"; };\n"
	    "key = \"rsa:2048\";\n"
	    "cdp = \"" RSA_CRL "\";\n", f);
	fclose(f);
	if (conf_load(path, CONF_NEW, &fx.rsa_conf, &cause) != 0 ||
	    x509_build_ca(fx.rsa_conf, fx.rsa_ca_key, NULL, fx.now, &fx.rsa_crt,
	    &cause) != 0)
		goto out;
	fx.rsa.conf = fx.rsa_conf;
	fx.rsa.crt = fx.rsa_crt;
	fx.rsa.chain = &fx.rsa.crt;
	fx.rsa.nchain = 1;
	fx.rsa.key = fx.rsa_ca_key;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "test-x509: setup: %s\n",
		    cause != NULL ? cause : "cannot write the RSA CA config");
	free(cause);
	unlink(path);
	free(path);
	return rc;
}

static void
teardown(void)
{
	if (fx.ec_crt != NULL)
		gnutls_x509_crt_deinit(fx.ec_crt);
	if (fx.rsa_crt != NULL)
		gnutls_x509_crt_deinit(fx.rsa_crt);
	conf_clear(&fx.ec_conf);
	conf_free(fx.rsa_conf);
	keys_free(fx.ec_ca_key);
	keys_free(fx.rsa_ca_key);
	keys_free(fx.sub_key);
	keys_free(fx.leaf_key);
	keys_free(fx.other_key);
}

int
main(void)
{
	static const CU_TestInfo	 keys_tests[] = {
		{ "key specs", test_key_specs },
		{ "key spec weaker", test_key_spec_weaker },
		{ "generate, export, load", test_key_roundtrip },
		{ "strict mode refuses readable key files", test_key_strict },
		{ "DER, garbage, P-521, encrypted", test_key_formats },
		{ "public keys", test_key_pubkeys },
		CU_TEST_INFO_NULL
	};
	static const CU_TestInfo	 x509_tests[] = {
		{ "an EC root", test_ca_ec },
		{ "an RSA root from ca.cfg", test_ca_rsa },
		{ "a leaf, read back with GnuTLS", test_leaf },
		{ "a leaf's bytes are GnuTLS's", test_leaf_as_gnutls },
		{ "a CN is never parsed as a DN", test_leaf_dn_injection },
		{ "a leaf of the RSA CA", test_leaf_rsa_ca },
		{ "CDP order and duplicates", test_leaf_cdp },
		{ "CDP: an extra URL given twice", test_leaf_cdp_extra_twice },
		{ "Freshest CRL with delta CRLs", test_freshest_crl },
		{ "names and SAN text", test_leaf_names },
		{ "bad IP and EKU", test_leaf_refusals },
		{ "serials", test_serials_differ },
		{ "subordinate CAs", test_subordinate },
		{ "a CA CSR", test_ca_csr },
		{ "a leaf CSR", test_leaf_csr },
		{ "a CSR's subjectAltName, walked", test_csr_san_reader },
		{ "a CN read back is not RFC 4514-escaped", test_cn_read_back },
		{ "the accessors commands read certificates by",
		    test_accessors },
		{ "parsing certificates", test_parse_certs },
		{ "serial, subject and key helpers", test_text_helpers },
		CU_TEST_INFO_NULL
	};
	int				 rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	if (setup() != 0) {
		teardown();
		rmdir(dir);
		return 1;
	}
	unit_suite("keys", keys_tests);
	unit_suite("x509", x509_tests);
	rc = unit_run();
	teardown();
	if (rmdir(dir) != 0) {
		fprintf(stderr, "%s: not empty after the tests\n", dir);
		rc = 1;
	}
	return rc;
}
