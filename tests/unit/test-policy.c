/*
 * policy.c: every rule on a compliant certificate and on certificates
 * built (with GnuTLS directly) to break it, judged with and without a CA,
 * a profile and a request.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "conf.h"
#include "err.h"
#include "policy.h"
#include "profile.h"
#include "unit.h"
#include "util.h"

#define SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"

static gnutls_x509_privkey_t	 ca_key, ec_key, rsa_key, rsa1024;
static gnutls_x509_crt_t	 ca_crt;
static struct conf		 conf;
static time_t			 now;

/* What to break in a leaf. */
enum {
	NO_CDP = 1 << 0, HTTPS_CDP = 1 << 1, NO_EKU = 1 << 2, NO_SERVER = 1 << 3,
	ANY_EKU = 1 << 4, CA_TRUE = 1 << 5, NO_BC = 1 << 6, KEY_ENC = 1 << 7,
	NO_AKI = 1 << 8, WILDCARD = 1 << 9, IP = 1 << 10, OUTSIDE = 1 << 11,
	EXPIRED = 1 << 12, LONG = 1 << 13, CN_NOT_SAN = 1 << 14, NUL = 1 << 15,
	NO_SKI = 1 << 16, SHORT_SERIAL = 1 << 17, SELF = 1 << 18, CLIENT = 1 << 19
};

static gnutls_x509_crt_t
reparse(gnutls_x509_crt_t crt)
{
	gnutls_datum_t		 der;
	gnutls_x509_crt_t	 out;

	/* also called from the suite setup, where CUnit asserts cannot run */
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) != 0)
		abort();
	gnutls_x509_crt_init(&out);
	if (gnutls_x509_crt_import(out, &der, GNUTLS_X509_FMT_DER) != 0)
		abort();
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	return out;
}

static gnutls_x509_crt_t
make_ca(void)
{
	gnutls_x509_crt_t	 crt;
	unsigned char		 serial[16] = { 0x11, 1, 2, 3, 4, 5, 6, 7, 8 };
	unsigned char		 id[20];
	size_t			 idlen = sizeof id;

	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    "Policy Test CA", 14);
	gnutls_x509_crt_set_activation_time(crt, now - 3600);
	gnutls_x509_crt_set_expiration_time(crt, now + 3650L * 86400);
	gnutls_x509_crt_set_key(crt, ca_key);
	gnutls_x509_crt_set_basic_constraints(crt, 1, -1);
	gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN);
	gnutls_x509_crt_get_key_id(crt, 0, id, &idlen);
	gnutls_x509_crt_set_subject_key_id(crt, id, idlen);
	if (gnutls_x509_crt_sign2(crt, crt, ca_key, GNUTLS_DIG_SHA256, 0) != 0)
		abort();
	return reparse(crt);
}

static gnutls_x509_crt_t
make_leaf(unsigned flags, gnutls_x509_privkey_t key)
{
	gnutls_x509_crt_t	 crt;
	unsigned char		 serial[16] = { 0x22, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	unsigned char		 id[20];
	size_t			 idlen = sizeof id;
	const char		*cn = flags & OUTSIDE ? "www.evil.example" :
				    "web.lab.example";
	const char		*cdp = flags & HTTPS_CDP ?
				    "https://pki.lab.example/x.crl" :
				    "http://pki.lab.example/x.crl";

	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, flags & SHORT_SERIAL ? 4 : 16);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
	    strlen(cn));
	gnutls_x509_crt_set_activation_time(crt, flags & EXPIRED ?
	    now - 90L * 86400 : now - 60);
	gnutls_x509_crt_set_expiration_time(crt, flags & EXPIRED ?
	    now - 86400 : flags & LONG ? now + 2000L * 86400 : now + 90L * 86400);
	gnutls_x509_crt_set_key(crt, key);
	if (!(flags & NO_BC))
		gnutls_x509_crt_set_basic_constraints(crt, flags & CA_TRUE ? 1 :
		    0, -1);
	gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    (flags & KEY_ENC || key == rsa_key || key == rsa1024 ?
	    GNUTLS_KEY_KEY_ENCIPHERMENT : 0));
	if (!(flags & CN_NOT_SAN))
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, cn,
		    strlen(cn), GNUTLS_FSAN_APPEND);
	else
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
		    "other.lab.example", 17, GNUTLS_FSAN_APPEND);
	if (flags & WILDCARD)
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
		    "*.lab.example", 13, GNUTLS_FSAN_APPEND);
	if (flags & IP)
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
		    "\x0a\x00\x00\x01", 4, GNUTLS_FSAN_APPEND);
	if (flags & NUL)
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
		    "a\0b.lab.example", 15, GNUTLS_FSAN_APPEND);
	if (!(flags & NO_EKU)) {
		if (!(flags & NO_SERVER))
			gnutls_x509_crt_set_key_purpose_oid(crt, SERVER_AUTH, 0);
		if (flags & (NO_SERVER | CLIENT))
			gnutls_x509_crt_set_key_purpose_oid(crt, CLIENT_AUTH, 0);
		if (flags & ANY_EKU)
			gnutls_x509_crt_set_key_purpose_oid(crt, "2.5.29.37.0", 0);
	}
	if (!(flags & NO_CDP))
		gnutls_x509_crt_set_crl_dist_points2(crt, GNUTLS_SAN_URI, cdp,
		    strlen(cdp), 0);
	if (!(flags & NO_SKI)) {
		gnutls_x509_crt_get_key_id(crt, 0, id, &idlen);
		gnutls_x509_crt_set_subject_key_id(crt, id, idlen);
	}
	if (!(flags & NO_AKI)) {
		idlen = sizeof id;
		gnutls_x509_crt_get_subject_key_id(ca_crt, id, &idlen, NULL);
		gnutls_x509_crt_set_authority_key_id(crt, id, idlen);
	}
	CU_ASSERT_FATAL(gnutls_x509_crt_sign2(crt, flags & SELF ? crt : ca_crt,
	    flags & SELF ? key : ca_key, GNUTLS_DIG_SHA256, 0) == 0);
	return reparse(crt);
}

/* Judge a leaf built with flags; is rule among the findings? */
static int
broken(unsigned flags, gnutls_x509_privkey_t key, const struct policy_ctx *ctx,
    const char *rule, size_t *nfind)
{
	gnutls_x509_crt_t	 crt = make_leaf(flags, key);
	struct findings		 f = { NULL, 0 };
	char			*cause = NULL;
	int			 hit = 0;

	CU_ASSERT_EQUAL(policy_check(crt, ctx, &f, &cause), 0);
	for (size_t i = 0; i < f.n; i++)
		if (rule != NULL && strcmp(f.v[i].rule, rule) == 0)
			hit = 1;
	if (nfind != NULL)
		*nfind = f.n;
	findings_free(&f);
	free(cause);
	gnutls_x509_crt_deinit(crt);
	return hit;
}

static struct policy_ctx
with_ca(void)
{
	struct policy_ctx	 ctx = { &conf, ca_crt, NULL, NULL, now };

	return ctx;
}

static int
setup(void)
{
	now = time(NULL);
	gnutls_x509_privkey_init(&ca_key);
	gnutls_x509_privkey_init(&ec_key);
	gnutls_x509_privkey_init(&rsa_key);
	gnutls_x509_privkey_init(&rsa1024);
	if (gnutls_x509_privkey_generate(ca_key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) != 0 ||
	    gnutls_x509_privkey_generate(ec_key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) != 0 ||
	    gnutls_x509_privkey_generate(rsa_key, GNUTLS_PK_RSA, 2048, 0) != 0 ||
	    gnutls_x509_privkey_generate(rsa1024, GNUTLS_PK_RSA, 1024,
	    GNUTLS_PRIVKEY_FLAG_CA /* any flag: GnuTLS may refuse weak sizes */) < 0)
		if (gnutls_x509_privkey_generate(rsa1024, GNUTLS_PK_RSA, 1024, 0)
		    < 0)
			return 1;
	ca_crt = make_ca();
	memset(&conf, 0, sizeof conf);
	strv_add(&conf.cdp, "http://pki.lab.example/x.crl");
	strv_add(&conf.policy.domains, "lab.example");
	conf.policy.min_rsa_bits = 2048;
	conf.policy.max_validity_days = 825;
	return 0;
}

static int
teardown(void)
{
	strv_free(&conf.cdp);
	strv_free(&conf.policy.domains);
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_x509_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(ec_key);
	gnutls_x509_privkey_deinit(rsa_key);
	gnutls_x509_privkey_deinit(rsa1024);
	return 0;
}

static void
test_compliant(void)
{
	struct policy_ctx	 ctx = with_ca(), bare = { 0 };
	size_t			 n = 99;

	broken(0, ec_key, &ctx, NULL, &n);
	CU_ASSERT_EQUAL(n, 0);
	broken(0, rsa_key, &ctx, NULL, &n);
	CU_ASSERT_EQUAL(n, 0);
	broken(0, ec_key, &bare, NULL, &n);
	CU_ASSERT_EQUAL(n, 0);
}

static void
test_cdp(void)
{
	struct policy_ctx	 ctx = with_ca();

	CU_ASSERT(broken(NO_CDP, ec_key, &ctx, "cdp", NULL));
	CU_ASSERT(broken(HTTPS_CDP, ec_key, &ctx, "cdp", NULL));
	strv_add(&conf.cdp, "http://pki.lab.example/second.crl");
	CU_ASSERT(broken(0, ec_key, &ctx, "cdp", NULL));
	free(conf.cdp.v[--conf.cdp.n]);
	conf.cdp.v[conf.cdp.n] = NULL;
}

static void
test_eku(void)
{
	struct policy_ctx	 ctx = with_ca();

	CU_ASSERT(broken(NO_EKU, ec_key, &ctx, "eku", NULL));
	CU_ASSERT(broken(NO_SERVER, ec_key, &ctx, "eku", NULL));
	CU_ASSERT(broken(ANY_EKU, ec_key, &ctx, "eku", NULL));
	CU_ASSERT(!broken(CLIENT, ec_key, &ctx, "eku", NULL));
}

static void
test_constraints_and_usage(void)
{
	struct policy_ctx	 ctx = with_ca();

	CU_ASSERT(broken(CA_TRUE, ec_key, &ctx, "basic-constraints", NULL));
	CU_ASSERT(broken(NO_BC, ec_key, &ctx, "basic-constraints", NULL));
	CU_ASSERT(broken(KEY_ENC, ec_key, &ctx, "key-usage", NULL));
	CU_ASSERT(!broken(0, rsa_key, &ctx, "key-usage", NULL));
}

static void
test_ids_and_issuer(void)
{
	struct policy_ctx	 ctx = with_ca();

	CU_ASSERT(broken(NO_AKI, ec_key, &ctx, "aki", NULL));
	CU_ASSERT(broken(NO_SKI, ec_key, &ctx, "ski", NULL));
	CU_ASSERT(broken(SELF, ec_key, &ctx, "issuer", NULL));
}

static void
test_key_and_serial(void)
{
	struct policy_ctx	 ctx = with_ca();

	CU_ASSERT(broken(0, rsa1024, &ctx, "key", NULL));
	CU_ASSERT(broken(SHORT_SERIAL, ec_key, &ctx, "serial", NULL));
	conf.policy.min_rsa_bits = 3072;
	CU_ASSERT(broken(0, rsa_key, &ctx, "key", NULL));
	conf.policy.min_rsa_bits = 2048;
}

static void
test_validity(void)
{
	struct policy_ctx	 ctx = with_ca(), bare = { 0 };

	CU_ASSERT(broken(EXPIRED, ec_key, &ctx, "validity", NULL));
	CU_ASSERT(broken(LONG, ec_key, &ctx, "validity", NULL));
	bare.now = now;
	CU_ASSERT(!broken(LONG, ec_key, &bare, "validity", NULL));
}

static void
test_names(void)
{
	struct policy_ctx	 ctx = with_ca(), bare = { 0 };

	CU_ASSERT(broken(OUTSIDE, ec_key, &ctx, "names", NULL));
	CU_ASSERT(!broken(OUTSIDE, ec_key, &bare, "names", NULL));
	CU_ASSERT(broken(WILDCARD, ec_key, &ctx, "names", NULL));
	conf.policy.allow_wildcard = 1;
	CU_ASSERT(!broken(WILDCARD, ec_key, &ctx, "names", NULL));
	conf.policy.allow_wildcard = 0;
	CU_ASSERT(broken(IP, ec_key, &ctx, "names", NULL));
	CU_ASSERT(broken(CN_NOT_SAN, ec_key, &ctx, "names", NULL));
	CU_ASSERT(broken(NUL, ec_key, &ctx, "names", NULL));
}

static void
test_every_finding_reported(void)
{
	struct policy_ctx	 ctx = with_ca();
	size_t			 n = 0;

	broken(NO_CDP | NO_EKU | CA_TRUE | OUTSIDE, ec_key, &ctx, NULL, &n);
	CU_ASSERT(n >= 4);
}

static void
test_profile_patterns_and_request(void)
{
	struct policy_ctx	 ctx = with_ca();
	struct profile		 p;
	struct profile_tmpl	 dns[2];
	struct request		 req;

	memset(&p, 0, sizeof p);
	dns[0].oid = NULL;
	dns[0].text = (char *)"${fqdn}";
	dns[0].line = 1;
	dns[1].oid = NULL;
	dns[1].text = (char *)"sip.${sip_domain}";
	dns[1].line = 2;
	p.dns = dns;
	p.ndns = 1;
	strv_add(&p.eku, SERVER_AUTH);
	ctx.profile = &p;
	CU_ASSERT(!broken(0, ec_key, &ctx, "names", NULL));
	p.ndns = 2;
	CU_ASSERT(broken(0, ec_key, &ctx, "names", NULL));
	CU_ASSERT(broken(CLIENT, ec_key, &ctx, "eku", NULL));

	memset(&req, 0, sizeof req);
	dn_add(&req.subject, dn_oid("CN"), "web.lab.example");
	strv_add(&req.dns, "web.lab.example");
	strv_add(&req.eku, SERVER_AUTH);
	req.key.alg = KEY_EC;
	req.key.bits = 256;
	req.key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	ctx.request = &req;
	CU_ASSERT(!broken(0, ec_key, &ctx, "names", NULL));
	strv_add(&req.dns, "extra.lab.example");
	CU_ASSERT(broken(0, ec_key, &ctx, "names", NULL));
	CU_ASSERT(broken(0, rsa_key, &ctx, "key", NULL));
	dn_free(&req.subject);
	strv_free(&req.dns);
	strv_free(&req.eku);
	strv_free(&p.eku);
}

static void
test_ca_rules(void)
{
	struct policy_ctx	 ctx = { &conf, NULL, NULL, NULL, 0 };
	struct findings		 f = { NULL, 0 };
	gnutls_x509_crt_t	 leaf = make_leaf(0, ec_key);
	char			*cause = NULL;
	int			 eku = 0, bc = 0;

	ctx.now = now;
	CU_ASSERT_EQUAL(policy_check_ca(ca_crt, &ctx, &f, &cause), 0);
	CU_ASSERT_EQUAL(f.n, 0);
	findings_free(&f);
	/* a leaf is not a CA: CA:TRUE, keyCertSign missing, and it has an EKU */
	ctx.issuer = ca_crt;
	CU_ASSERT_EQUAL(policy_check_ca(leaf, &ctx, &f, &cause), 0);
	for (size_t i = 0; i < f.n; i++) {
		eku |= strcmp(f.v[i].rule, "eku") == 0;
		bc |= strcmp(f.v[i].rule, "basic-constraints") == 0;
	}
	CU_ASSERT(eku && bc);
	findings_free(&f);
	gnutls_x509_crt_deinit(leaf);
	free(cause);
}

static void
test_dns_syntax(void)
{
	CU_ASSERT(policy_dns_valid("a.lab.example", 0));
	CU_ASSERT(policy_dns_valid("xn--bcher-kva.example", 0));
	CU_ASSERT(!policy_dns_valid("example", 0));
	CU_ASSERT(!policy_dns_valid("-a.example", 0));
	CU_ASSERT(!policy_dns_valid("a-.example", 0));
	CU_ASSERT(!policy_dns_valid("a..example", 0));
	CU_ASSERT(!policy_dns_valid("a.example.", 0));
	CU_ASSERT(!policy_dns_valid("a_b.example", 0));
	CU_ASSERT(!policy_dns_valid("a,O=Evil", 0));
	CU_ASSERT(!policy_dns_valid("*.example.com", 0));
	CU_ASSERT(policy_dns_valid("*.example.com", 1));
	CU_ASSERT(!policy_dns_valid("a.*.example.com", 1));
	CU_ASSERT(!policy_dns_valid("", 0));
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "a compliant certificate", test_compliant },
		{ "CRL distribution points", test_cdp },
		{ "extended key usage", test_eku },
		{ "basic constraints and key usage", test_constraints_and_usage },
		{ "key identifiers and issuer", test_ids_and_issuer },
		{ "key strength and serial", test_key_and_serial },
		{ "validity", test_validity },
		{ "names", test_names },
		{ "every finding is reported", test_every_finding_reported },
		{ "profile patterns and exact request", test_profile_patterns_and_request },
		{ "CA certificates", test_ca_rules },
		{ "dNSName syntax", test_dns_syntax },
		CU_TEST_INFO_NULL
	};
	CU_SuiteInfo	 suites[] = {
		{ "policy", setup, teardown, NULL, NULL, (CU_TestInfo *)tests },
		CU_SUITE_INFO_NULL
	};

	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS)
		return 1;
	return unit_run();
}
