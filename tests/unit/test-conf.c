/*
 * conf.c: a full ca.cfg and its defaults, every rejection with its
 * file:line, and permitted-domain matching.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "unit.h"
#include "util.h"

static char	 dir[] = "/tmp/roleca-test-conf.XXXXXX";

static char *
write_cfg(const char *text)
{
	static int	 n;
	char		*path;
	FILE		*f;

	xasprintf(&path, "%s/ca%d.cfg", dir, n++);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define MINIMAL "subject = { CN = \"Test CA\"; };\n" \
		"key = \"ec:p256\";\n" \
		"cdp = \"http://pki.example/ca.crl\";\n"

static void
test_full(void)
{
	char		*path = write_cfg(
	    "subject = { CN = \"Test CA\"; O = \"Org\"; C = \"US\"; };\n"
	    "key = \"rsa:3072\";\n"
	    "validity_days = 1000;\n"
	    "digest = \"sha384\";\n"
	    "path_length = 0;\n"
	    "cdp = [ \"http://pki.example/ca.crl\", \"https://pki.example/ca.crl\" ];\n"
	    "ca_issuers = \"http://pki.example/ca.crt\";\n"
	    "ocsp = [ \"http://ocsp.example/\" ];\n"
	    "crl_days = 3;\n"
	    "publish = [ \"/var/www/pki\" ];\n"
	    "policy = { permitted_domains = [ \"Lab.Example\" ]; min_rsa_bits = 3072;\n"
	    "  max_validity_days = 397; allow_wildcard = true; allow_ip = false; };\n");
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, &c, &cause), 0);
	CU_ASSERT_EQUAL(c->subject.n, 3);
	CU_ASSERT_STRING_EQUAL(c->subject.v[0].value, "Test CA");
	CU_ASSERT_STRING_EQUAL(c->subject.v[2].oid, dn_oid("C"));
	CU_ASSERT(c->key.alg == KEY_RSA && c->key.bits == 3072);
	CU_ASSERT_EQUAL(c->validity_days, 1000);
	CU_ASSERT_EQUAL(c->digest, GNUTLS_DIG_SHA384);
	CU_ASSERT_EQUAL(c->path_len, 0);
	CU_ASSERT_EQUAL(c->cdp.n, 2);
	CU_ASSERT_EQUAL(c->ca_issuers.n, 1);
	CU_ASSERT_EQUAL(c->ocsp.n, 1);
	CU_ASSERT_EQUAL(c->crl_days, 3);
	CU_ASSERT_EQUAL(c->publish.n, 1);
	CU_ASSERT_STRING_EQUAL(c->policy.domains.v[0], "lab.example");
	CU_ASSERT_EQUAL(c->policy.min_rsa_bits, 3072);
	CU_ASSERT_EQUAL(c->policy.max_validity_days, 397);
	CU_ASSERT(c->policy.allow_wildcard && !c->policy.allow_ip);
	conf_free(c);
	unlink(path);
	free(path);
}

static void
test_defaults(void)
{
	char		*path = write_cfg(MINIMAL);
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, &c, &cause), 0);
	CU_ASSERT_EQUAL(c->validity_days, 3650);
	CU_ASSERT_EQUAL(c->digest, GNUTLS_DIG_SHA256);
	CU_ASSERT_EQUAL(c->path_len, -1);
	CU_ASSERT_EQUAL(c->crl_days, 7);
	CU_ASSERT_EQUAL(c->crl_renew_percent, 50);
	CU_ASSERT_EQUAL(c->policy.min_rsa_bits, 2048);
	CU_ASSERT_EQUAL(c->policy.max_validity_days, 825);
	CU_ASSERT_EQUAL(c->policy.domains.n, 0);
	CU_ASSERT_PTR_NULL(c->key_uri);
	conf_free(c);
	unlink(path);
	free(path);
}

/* Each broken config and what its one-line error must say. */
static void
test_rejections(void)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ MINIMAL "crl_dayz = 3;\n", ":4: unknown key 'crl_dayz' in CA config" },
		{ MINIMAL "policy = { domains = [ \"x\" ]; };\n",
		    ":4: unknown key 'domains' in policy" },
		{ "subject = { CN = \"x\"; };\nkey = \"ec:p256\";\n", "'cdp' must list at least one http://" },
		{ "subject = { CN = \"x\"; };\nkey = \"ec:p256\";\ncdp = \"https://pki.example/x.crl\";\n",
		    "at least one http://" },
		{ MINIMAL "ca_issuers = \"ldap://x\";\n", ":4: 'ldap://x' is not an http:// or https:// URL" },
		{ "subject = { CN = \"x\"; };\nkey = \"rsa:1024\";\ncdp = \"http://a/b\";\n",
		    ":2: unknown key spec 'rsa:1024'" },
		{ MINIMAL "digest = \"sha1\";\n", ":4: digest 'sha1' not allowed" },
		{ "subject = { O = \"x\"; };\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", "subject needs a CN" },
		{ "subject = { CN = \"x\"; XX = \"y\"; };\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n",
		    ":1: unknown key 'XX' in subject" },
		{ MINIMAL "validity_days = \"long\";\n", ":4: 'validity_days' must be an integer" },
		{ MINIMAL "policy = { min_rsa_bits = 1024; };\n", "'min_rsa_bits' must be between 2048" },
		{ MINIMAL "key_uri = \"file:/x\";\n", ":4: key_uri must be a pkcs11: URL" },
		{ "subject = { CN = \"x\" \n", ".cfg:2: syntax error" },
		{ MINIMAL "delta_cdp = \"https://a/b.crl\";\n", "'delta_cdp' must list an http:// URL" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char		*path = write_cfg(cases[i].text);
		struct conf	*c = NULL;
		char		*cause = NULL;

		CU_ASSERT_EQUAL(conf_load(path, &c, &cause), ERR_FAIL);
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT_PTR_NOT_NULL(cause);
		if (cause != NULL && strstr(cause, cases[i].want) == NULL) {
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, cause,
			    cases[i].want);
			CU_FAIL("error message");
		}
		if (cause != NULL)
			CU_ASSERT(strncmp(cause, path, strlen(path)) == 0);
		CU_ASSERT(cause == NULL || strchr(cause, '\n') == NULL);
		free(cause);
		unlink(path);
		free(path);
	}
}

static void
test_missing_file(void)
{
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL(conf_load("/nonexistent/ca.cfg", &c, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "/nonexistent/ca.cfg") != NULL);
	free(cause);
}

static void
test_domains(void)
{
	struct ca_policy	 p;

	memset(&p, 0, sizeof p);
	CU_ASSERT(conf_domain_permitted(&p, "anything.example"));
	strv_add(&p.domains, "lab.example");
	CU_ASSERT(conf_domain_permitted(&p, "lab.example"));
	CU_ASSERT(conf_domain_permitted(&p, "a.b.lab.example"));
	CU_ASSERT(conf_domain_permitted(&p, "A.LAB.Example"));
	CU_ASSERT(conf_domain_permitted(&p, "*.lab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "evillab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "lab.example.evil"));
	CU_ASSERT(!conf_domain_permitted(&p, "example"));
	strv_free(&p.domains);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "a full config", test_full },
		{ "defaults", test_defaults },
		{ "rejections name file:line", test_rejections },
		{ "a missing file", test_missing_file },
		{ "permitted domains", test_domains },
		CU_TEST_INFO_NULL
	};
	int				 rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	unit_suite("conf", tests);
	rc = unit_run();
	rmdir(dir);
	return rc;
}
