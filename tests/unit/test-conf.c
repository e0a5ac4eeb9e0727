/*
 * conf.c: a full ca.cfg with every field, the defaults, every rejection
 * with its file:line, and permitted-domain matching.
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
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* Lines 1-3; a case's own line is then line 4. */
#define MINIMAL "subject = { CN = \"Test CA\"; };\n" \
		"key = \"ec:p256\";\n" \
		"cdp = \"http://pki.example/ca.crl\";\n"

static void
test_full(void)
{
	char		*path = write_cfg(
	    "subject = { CN = \"Test CA\"; O = \"Org\"; OU = \"PKI\"; C = \"US\";\n"
	    "  ST = \"State\"; L = \"City\"; DC = \"lab\"; };\n"
	    "key = \"rsa:3072\";\n"
	    "key_uri = \"pkcs11:token=ca;object=key\";\n"
	    "pkcs11_module = \"/usr/lib/softhsm/libsofthsm2.so\";\n"
	    "validity_days = 1000;\n"
	    "digest = \"sha384\";\n"
	    "path_length = 0;\n"
	    "cdp = [ \"http://pki.example/ca.crl\", \"https://pki.example/ca.crl\" ];\n"
	    "ca_issuers = \"http://pki.example/ca.crt\";\n"
	    "ocsp = [ \"http://ocsp.example/\", \"https://ocsp2.example/q\" ];\n"
	    "crl_days = 3;\n"
	    "crl_renew_percent = 80;\n"
	    "delta_cdp = [ \"http://pki.example/delta.crl\" ];\n"
	    "delta_crl_hours = 12;\n"
	    "publish = [ \"/var/www/pki\", \"/srv/pki\" ];\n"
	    "policy = { permitted_domains = [ \"Lab.Example\", \"corp.example\" ];\n"
	    "  min_rsa_bits = 3072;\n"
	    "  max_validity_days = 397; allow_wildcard = true; allow_ip = false; };\n");
	static const char *const	 names[] = { "CN", "O", "OU", "C", "ST",
	    "L", "DC" };
	static const char *const	 values[] = { "Test CA", "Org", "PKI",
	    "US", "State", "City", "lab" };
	struct conf			*c = NULL;
	char				*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_STRING_EQUAL(c->path, path);
	CU_ASSERT_EQUAL_FATAL(c->subject.n, 7);
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_STRING_EQUAL(c->subject.v[i].oid, dn_oid(names[i]));
		CU_ASSERT_STRING_EQUAL(c->subject.v[i].value, values[i]);
	}
	CU_ASSERT(c->key.alg == KEY_RSA && c->key.bits == 3072);
	CU_ASSERT(c->key_uri != NULL &&
	    strcmp(c->key_uri, "pkcs11:token=ca;object=key") == 0);
	CU_ASSERT(c->pkcs11_module != NULL &&
	    strcmp(c->pkcs11_module, "/usr/lib/softhsm/libsofthsm2.so") == 0);
	CU_ASSERT_EQUAL(c->validity_days, 1000);
	CU_ASSERT_EQUAL(c->digest, GNUTLS_DIG_SHA384);
	CU_ASSERT_EQUAL(c->path_len, 0);
	CU_ASSERT_EQUAL_FATAL(c->cdp.n, 2);
	CU_ASSERT_STRING_EQUAL(c->cdp.v[0], "http://pki.example/ca.crl");
	CU_ASSERT_STRING_EQUAL(c->cdp.v[1], "https://pki.example/ca.crl");
	CU_ASSERT_EQUAL_FATAL(c->ca_issuers.n, 1);
	CU_ASSERT_STRING_EQUAL(c->ca_issuers.v[0], "http://pki.example/ca.crt");
	CU_ASSERT_EQUAL_FATAL(c->ocsp.n, 2);
	CU_ASSERT_STRING_EQUAL(c->ocsp.v[0], "http://ocsp.example/");
	CU_ASSERT_STRING_EQUAL(c->ocsp.v[1], "https://ocsp2.example/q");
	CU_ASSERT_EQUAL(c->crl_days, 3);
	CU_ASSERT_EQUAL(c->crl_renew_percent, 80);
	CU_ASSERT_EQUAL_FATAL(c->delta_cdp.n, 1);
	CU_ASSERT_STRING_EQUAL(c->delta_cdp.v[0],
	    "http://pki.example/delta.crl");
	CU_ASSERT_EQUAL(c->delta_crl_hours, 12);
	CU_ASSERT_EQUAL_FATAL(c->publish.n, 2);
	CU_ASSERT_STRING_EQUAL(c->publish.v[0], "/var/www/pki");
	CU_ASSERT_STRING_EQUAL(c->publish.v[1], "/srv/pki");
	CU_ASSERT_EQUAL_FATAL(c->policy.domains.n, 2);
	/* lowered */
	CU_ASSERT_STRING_EQUAL(c->policy.domains.v[0], "lab.example");
	CU_ASSERT_STRING_EQUAL(c->policy.domains.v[1], "corp.example");
	CU_ASSERT_EQUAL(c->policy.min_rsa_bits, 3072);
	CU_ASSERT_EQUAL(c->policy.max_validity_days, 397);
	CU_ASSERT(c->policy.allow_wildcard);
	CU_ASSERT(!c->policy.allow_ip);
	conf_free(c);
	unlink(path);
	free(path);
}

/* The digest a config with key and digest loads with (-1: refused). */
static int
digest_of(const char *key, const char *digest, int flags)
{
	struct conf	*c = NULL;
	char		*cause = NULL, *text, *path;
	int		 d = -1;

	xasprintf(&text, "subject = { CN = \"x\"; };\nkey = \"%s\";\n"
	    "cdp = \"http://a/b\";\ndigest = \"%s\";\n", key, digest);
	path = write_cfg(text);
	if (conf_load(path, flags, &c, &cause) == 0)
		d = (int)c->digest;
	conf_free(c);
	free(cause);
	unlink(path);
	free(path);
	free(text);
	return d;
}

static void
test_defaults(void)
{
	char		*path = write_cfg(MINIMAL);
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_EQUAL(c->subject.n, 1);
	CU_ASSERT(c->key.alg == KEY_EC && c->key.bits == 256);
	CU_ASSERT_EQUAL(c->validity_days, 3650);
	CU_ASSERT_EQUAL(c->digest, GNUTLS_DIG_SHA256);
	CU_ASSERT_EQUAL(c->path_len, -1);
	CU_ASSERT_EQUAL(c->cdp.n, 1);
	CU_ASSERT_EQUAL(c->ca_issuers.n, 0);
	CU_ASSERT_EQUAL(c->ocsp.n, 0);
	CU_ASSERT_EQUAL(c->crl_days, 7);
	CU_ASSERT_EQUAL(c->crl_renew_percent, 50);
	CU_ASSERT_EQUAL(c->delta_cdp.n, 0);
	CU_ASSERT_EQUAL(c->delta_crl_hours, 24);
	CU_ASSERT_EQUAL(c->publish.n, 0);
	CU_ASSERT_EQUAL(c->policy.min_rsa_bits, 2048);
	CU_ASSERT_EQUAL(c->policy.max_validity_days, 825);
	CU_ASSERT_EQUAL(c->policy.domains.n, 0);
	CU_ASSERT(!c->policy.allow_wildcard);
	CU_ASSERT(!c->policy.allow_ip);
	CU_ASSERT_PTR_NULL(c->key_uri);
	CU_ASSERT_PTR_NULL(c->pkcs11_module);
	conf_free(c);
	unlink(path);
	free(path);

	/*
	 * an empty policy group keeps the policy defaults; a P-384 key signs
	 * with SHA-384 unasked
	 */
	c = NULL;
	path = write_cfg("subject = { CN = \"x\"; };\nkey = \"ec:p384\";\n"
	    "cdp = \"http://a/b\";\npolicy = { };\n");
	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT(c->key.alg == KEY_EC && c->key.bits == 384);
	CU_ASSERT_EQUAL(c->digest, GNUTLS_DIG_SHA384);
	CU_ASSERT_EQUAL(c->policy.min_rsa_bits, 2048);
	CU_ASSERT_EQUAL(c->policy.max_validity_days, 825);
	conf_free(c);
	unlink(path);
	free(path);

	/* a CA made before the pairing rule keeps its digest */
	CU_ASSERT_EQUAL(digest_of("ec:p384", "sha256", 0), GNUTLS_DIG_SHA256);
	CU_ASSERT_EQUAL(digest_of("ec:p384", "sha256", CONF_NEW), -1);
	/* sha512 is taken with an RSA key */
	CU_ASSERT_EQUAL(digest_of("rsa:2048", "sha512", CONF_NEW),
	    GNUTLS_DIG_SHA512);
}

/*
 * Load text, expect ERR_FAIL and a one-line message that starts with
 * "path:line: " (line 0: with "path: ") and contains want.
 */
static void
reject(const char *what, const char *text, int line, const char *want)
{
	char		*path = write_cfg(text), *where;
	struct conf	*c = NULL;
	char		*cause = NULL;

	if (line > 0)
		xasprintf(&where, "%s:%d: ", path, line);
	else
		xasprintf(&where, "%s: ", path);
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(cause);
	if (cause != NULL && (strncmp(cause, where, strlen(where)) != 0 ||
	    strstr(cause, want) == NULL)) {
		fprintf(stderr, "\n    %s: '%s' lacks '%s' or '%s'", what,
		    cause, where, want);
		CU_FAIL("error message: file:line and text");
	}
	CU_ASSERT(cause == NULL || strchr(cause, '\n') == NULL);
	conf_free(c);
	free(cause);
	free(where);
	unlink(path);
	free(path);
}

static void
test_rejections(void)
{
	static const struct {
		const char	*what;
		const char	*text;
		int		 line;
		const char	*want;
	} cases[] = {
		{ "unknown top-level key", MINIMAL "crl_dayz = 3;\n", 4,
		    "unknown key 'crl_dayz' in CA config" },
		{ "policy key at top level", MINIMAL "allow_ip = true;\n", 4,
		    "unknown key 'allow_ip'" },
		{ "unknown key in policy", MINIMAL "policy = {\n"
		    "  min_rsa_bits = 2048;\n  domains = [ \"x\" ];\n};\n", 6,
		    "unknown key 'domains' in policy" },
		{ "unknown key in subject",
		    "subject = { CN = \"x\"; XX = \"y\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1,
		    "unknown key 'XX' in subject" },
		{ "subject attribute in lower case",
		    "subject = { cn = \"x\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1,
		    "unknown key 'cn' in subject" },
		{ "missing cdp",
		    "subject = { CN = \"x\"; };\nkey = \"ec:p256\";\n",
		    0, "'cdp' must list at least one http:// URL" },
		{ "ldap ca_issuers", MINIMAL "ca_issuers = \"ldap://x\";\n", 4,
		    "'ldap://x' is not an http:// or https:// URL" },
		{ "schemeless ca_issuers",
		    MINIMAL "ca_issuers = [ \"http://a/b\", "
		    "\"pki.example/ca.crt\" ];\n",
		    4, "'pki.example/ca.crt' is not an http://" },
		{ "ca_issuers without host",
		    MINIMAL "ca_issuers = \"http:///ca.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a port but no host",
		    MINIMAL "ca_issuers = \"http://:80/ca.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a space",
		    MINIMAL "ca_issuers = \"http://a/b c\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a user name",
		    MINIMAL "ca_issuers = \"http://u:pw@pki.example/a.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with an empty user name and host",
		    MINIMAL "ca_issuers = \"http://@/ca.crt\";\n",
		    4, "is not an http://" },
		{ "cdp with a port that is no number", "subject = { CN = "
		    "\"x\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://pki.example:http/ca.crl\";\n", 3,
		    "is not an http://" },
		{ "ocsp with port 65536",
		    MINIMAL "ocsp = \"http://ocsp.example:65536/\";\n",
		    4, "is not an http://" },
		{ "ocsp with port 0",
		    MINIMAL "ocsp = \"http://ocsp.example:0/\";\n", 4,
		    "is not an http://" },
		{ "ca_issuers with an unclosed IPv6 address",
		    MINIMAL "ca_issuers = \"http://[2001:db8::1/ca.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a bad IPv6 address",
		    MINIMAL "ca_issuers = \"http://[2001:db8::g]/ca.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with an underscore in the host",
		    MINIMAL "ca_issuers = \"http://pki_1.example/ca.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a quote",
		    MINIMAL "ca_issuers = \"http://a/b\\\"c.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with angle brackets",
		    MINIMAL "ca_issuers = \"http://a/<b>.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a backslash",
		    MINIMAL "ca_issuers = \"http://a/b\\\\c.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a bad percent escape",
		    MINIMAL "ca_issuers = \"http://a/b%zz.crt\";\n",
		    4, "is not an http://" },
		{ "ca_issuers with a cut percent escape",
		    MINIMAL "ca_issuers = \"http://a/b.crt%2\";\n",
		    4, "is not an http://" },
		{ "ocsp with two fragments",
		    MINIMAL "ocsp = \"http://ocsp.example/#a#b\";\n",
		    4, "is not an http://" },
		{ "bare scheme cdp",
		    "subject = { CN = \"x\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://\";\n", 3, "'http://' is not an http://" },
		{ "non-URL ocsp", MINIMAL "ocsp = \"ocsp.example\";\n", 4,
		    "'ocsp.example' is not an http://" },
		{ "rsa:1024",
		    "subject = { CN = \"x\"; };\nkey = \"rsa:1024\";\n"
		    "cdp = \"http://a/b\";\n", 2,
		    "unknown key spec 'rsa:1024'" },
		{ "ec:p521", "subject = { CN = \"x\"; };\nkey = \"ec:p521\";\n"
		    "cdp = \"http://a/b\";\n", 2,
		    "unknown key spec 'ec:p521'" },
		{ "key spec in upper case", "subject = { CN = \"x\"; };\n"
		    "key = \"RSA:2048\";\ncdp = \"http://a/b\";\n", 2,
		    "unknown key spec 'RSA:2048'" },
		{ "key as a number", "subject = { CN = \"x\"; };\nkey = 2048;\n"
		    "cdp = \"http://a/b\";\n", 2, "'key' must be a string" },
		{ "sha1", MINIMAL "digest = \"sha1\";\n", 4,
		    "digest 'sha1' not allowed" },
		{ "md5", MINIMAL "digest = \"md5\";\n", 4,
		    "digest 'md5' not allowed" },
		{ "a P-256 key with SHA-384", MINIMAL "digest = \"sha384\";\n",
		    4, "digest 'sha384' does not go with key ec:p256: an ECDSA "
		    "key signs with the digest of its size (sha256)" },
		{ "a P-384 key with SHA-256", "subject = { CN = \"x\"; };\n"
		    "key = \"ec:p384\";\ndigest = \"sha256\";\n"
		    "cdp = \"http://a/b\";\n", 3, "digest 'sha256' does not go "
		    "with key ec:p384" },
		{ "no CN", "subject = { O = \"x\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1, "subject needs a CN" },
		{ "empty CN", "subject = { CN = \"\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1,
		    "subject CN must be a non-empty string" },
		{ "CN as a number",
		    "subject = { CN = 5; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1,
		    "subject CN must be a non-empty string" },
		{ "subject as a string",
		    "subject = \"CN=x\";\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 1,
		    "'subject' (a group with at least CN)" },
		{ "validity_days as a string",
		    MINIMAL "validity_days = \"x\";\n", 4,
		    "'validity_days' must be an integer" },
		{ "validity_days as a float",
		    MINIMAL "validity_days = 3.5;\n", 4,
		    "'validity_days' must be an integer" },
		{ "validity_days 0", MINIMAL "validity_days = 0;\n", 4,
		    "'validity_days' must be between 1 and 36500" },
		{ "validity_days 64-bit",
		    MINIMAL "validity_days = 5000000000L;\n", 4,
		    "'validity_days' must be between 1 and 36500" },
		/* libconfig 1.5 would wrap these into range (to 1, 1, -1) */
		{ "validity_days 2^32 + 1",
		    MINIMAL "validity_days = 4294967297;\n", 4,
		    "integer 4294967297 is out of range" },
		{ "path_length 2^32 + 1, in hex",
		    MINIMAL "# 0x7fffffff is fine: 0x80000000 is not\n"
		    "path_length = 0x100000001;\n", 5,
		    "integer 0x100000001 is out of range" },
		{ "crl_days -2^32 + 1",
		    MINIMAL "crl_days = -4294967295;\n", 4,
		    "integer -4294967295 is out of range" },
		{ "a wrapped integer in a list",
		    MINIMAL "x = \"4294967297\";\n"
		    "y = [ 1, 99999999999999999999 ];\n", 5,
		    "integer 99999999999999999999 is out of range" },
		{ "min_rsa_bits 1024",
		    MINIMAL "policy = { min_rsa_bits = 1024; };\n",
		    4, "'min_rsa_bits' must be between 2048 and 16384" },
		{ "max_validity_days 0",
		    MINIMAL "policy = {\n max_validity_days = 0; };\n",
		    5, "'max_validity_days' must be between 1 and 3650" },
		{ "path_length -1", MINIMAL "path_length = -1;\n", 4,
		    "'path_length' must be between 0 and 16" },
		{ "path_length 17", MINIMAL "path_length = 17;\n", 4,
		    "'path_length' must be between 0 and 16" },
		{ "crl_days 0", MINIMAL "crl_days = 0;\n", 4,
		    "'crl_days' must be between" },
		{ "crl_renew_percent 101",
		    MINIMAL "crl_renew_percent = 101;\n", 4,
		    "'crl_renew_percent' must be between 1 and 100" },
		{ "delta_crl_hours 0", MINIMAL "delta_crl_hours = 0;\n", 4,
		    "'delta_crl_hours' must be between" },
		{ "allow_wildcard 1",
		    MINIMAL "policy = { allow_wildcard = 1; };\n", 4,
		    "'allow_wildcard' must be true or false" },
		{ "policy not a group", MINIMAL "policy = 3;\n", 4,
		    "'policy' must be a group" },
		{ "publish with a number",
		    MINIMAL "publish = ( \"/a\", 1 );\n", 4,
		    "'publish' must be a list of strings" },
		{ "permitted_domains as a group", MINIMAL
		    "policy = { permitted_domains = { a = 1; }; };\n", 4,
		    "'permitted_domains' must be a string "
		    "or a list of strings" },
		{ "key_uri not pkcs11", MINIMAL "key_uri = \"file:/x\";\n", 4,
		    "key_uri must be a pkcs11: URL" },
		{ "pkcs11_module alone",
		    MINIMAL "pkcs11_module = \"/x.so\";\n", 4,
		    "pkcs11_module needs key_uri" },
		{ "@include", MINIMAL "@include \"other.cfg\"\n", 4,
		    "@include is not supported" },
		{ "syntax error", "subject = { CN = \"x\" \n", 2,
		    "syntax error" },
		{ "syntax error later", MINIMAL "\n\ncrl_days = ;\n", 6,
		    "syntax error" },
		{ "duplicate key", MINIMAL "crl_days = 3;\ncrl_days = 4;\n", 5,
		    "duplicate setting name" },
		{ "non-UTF-8 O",
		    "subject = { CN = \"x\";\n O = \"caf\xe9\"; };\n"
		    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n", 2,
		    "subject O is not valid UTF-8" },
		{ "overlong UTF-8 in CN", "subject = { CN = \"a\xc0\xaf\"; };\n"
		    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject CN is not valid UTF-8" },
		{ "control character in OU", "subject = { CN = \"x\";\n"
		    " OU = \"a\\tb\"; };\nkey = \"ec:p256\";\n"
		    "cdp = \"http://a/b\";\n", 2,
		    "subject OU contains a control character" },
		{ "three-letter C", "subject = { CN = \"x\"; C = \"USA\"; };\n"
		    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject C is not a two-letter country code" },
		{ "digits as C", "subject = { CN = \"x\"; C = \"12\"; };\n"
		    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject C is not a two-letter country code" },
		{ "non-ASCII DC",
		    "subject = { CN = \"x\"; DC = \"caf\xc3\xa9\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject DC is not ASCII" },
		{ "DC with a space", "subject = { CN = \"x\";\n DC = \"a b\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 2,
		    "subject DC is not a DNS label" },
		{ "DC with an underscore",
		    "subject = { CN = \"x\"; DC = \"a_b\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject DC is not a DNS label" },
		{ "DC starting with '-'",
		    "subject = { CN = \"x\"; DC = \"-lab\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject DC is not a DNS label" },
		{ "DC ending with '-'",
		    "subject = { CN = \"x\"; DC = \"lab-\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject DC is not a DNS label" },
		{ "DC '*'", "subject = { CN = \"x\"; DC = \"*\"; "
		    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n", 1,
		    "subject DC is not a DNS label" },
		{ "empty permitted domain", MINIMAL
		    "policy = { permitted_domains = [ \"lab.example\", \"\" ]; };\n",
		    4, "permitted domain '' is not a domain name" },
		{ "permitted domain '.'", MINIMAL
		    "policy = { permitted_domains = \".\"; };\n", 4,
		    "permitted domain '.' is not a domain name" },
		{ "wildcard permitted domain", MINIMAL
		    "policy = {\n permitted_domains = [ \"*.lab.example\" ];\n"
		    "};\n", 5, "permitted domain '*.lab.example' is not a "
		    "domain name" },
		{ "permitted domain with a leading dot", MINIMAL
		    "policy = { permitted_domains = \".lab.example\"; };\n", 4,
		    "permitted domain '.lab.example' is not" },
		{ "permitted domain with a trailing dot", MINIMAL
		    "policy = { permitted_domains = \"lab.example.\"; };\n", 4,
		    "permitted domain 'lab.example.' is not" },
		{ "permitted domain with a space", MINIMAL
		    "policy = { permitted_domains = \"lab example\"; };\n", 4,
		    "permitted domain 'lab example' is not" },
		{ "IDN permitted domain", MINIMAL
		    "policy = { permitted_domains = \"caf\xc3\xa9.example\"; };\n",
		    4, "its xn-- form" },
		{ "permitted domain with a newline", MINIMAL
		    "policy = { permitted_domains = \"a\\nb\"; };\n", 4,
		    "permitted domain 'a\\nb' is not" },
		{ "a key_uri carrying its PIN", MINIMAL
		    "key_uri = \"pkcs11:token=t;object=k?pin-value=1234\";\n",
		    4, "key_uri carries the PIN (pin-value)" },
		{ "a cdp URL twice", "subject = { CN = \"x\"; };\n"
		    "key = \"ec:p256\";\ncdp = [ \"http://a/b.crl\",\n"
		    " \"https://a/b.crl\", \"http://a/b.crl\" ];\n", 3,
		    "'cdp' lists 'http://a/b.crl' twice" },
		{ "a ca_issuers URL twice", MINIMAL
		    "ca_issuers = [ \"http://a/ca.crt\", \"http://a/ca.crt\" ];\n",
		    4, "'ca_issuers' lists 'http://a/ca.crt' twice" },
		{ "an ocsp URL twice", MINIMAL
		    "ocsp = ( \"http://o/\", \"https://o/\", \"http://o/\" );\n",
		    4, "'ocsp' lists 'http://o/' twice" },
		{ "a delta_cdp URL twice", MINIMAL
		    "delta_cdp = [ \"http://a/d.crl\", \"http://a/d.crl\" ];\n",
		    4, "'delta_cdp' lists 'http://a/d.crl' twice" },
		{ "an empty publish directory", MINIMAL
		    "publish = [ \"/srv/pki\", \"\" ];\n", 4,
		    "'publish' lists an empty directory name" },
		{ "a publish directory twice", MINIMAL
		    "publish = [ \"/srv/pki\", \"/srv/pki\" ];\n", 4,
		    "'publish' lists a directory twice" },
		{ "a publish directory twice, once with a slash", MINIMAL
		    "publish = [ \"/srv/pki/\", \"/srv/pki\" ];\n", 4,
		    "'publish' lists a directory twice" },
		{ "a relative publish directory", MINIMAL
		    "publish = \"www/pki\";\n", 4,
		    "'publish' lists a relative directory" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		reject(cases[i].what, cases[i].text, cases[i].line,
		    cases[i].want);
}

/* Large numbers in comments and strings are no integers. */
static void
test_big_numbers_elsewhere(void)
{
	char		*path = write_cfg(MINIMAL "# 4294967297 in a comment\n"
	    "// 99999999999\n/* 0x100000001\n 4294967297 */\n"
	    "subject_note_unused_x = 1;\n");
	struct conf	*c = NULL;
	char		*cause = NULL;

	/* the unknown key is found, so every number before it was passed */
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "unknown key 'subject_note_unused_x'") != NULL);
	free(cause);
	unlink(path);
	free(path);
	path = write_cfg("subject = { CN = \"CA 4294967297\"; };\n"
	    "key = \"ec:p256\";\ncdp = \"http://pki.example/99999999999.crl\";"
	    "\nvalidity_days = 3650;\n");
	cause = NULL;
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	conf_free(c);
	free(cause);
	unlink(path);
	free(path);
}

/*
 * Rejections about a setting that is present name its line; the ones about
 * a setting that is absent name the file without a made-up line.
 */
static void
test_rejection_locations(void)
{
	reject("cdp with only https://", "subject = { CN = \"x\"; };\n"
	    "key = \"ec:p256\";\ncdp = [ \"https://pki.example/x.crl\",\n"
	    "  \"https://pki2.example/x.crl\" ];\n", 3,
	    "'cdp' must list at least one http:// URL");
	reject("an empty cdp list", "subject = { CN = \"x\"; };\n"
	    "key = \"ec:p256\";\ncdp = [ ];\n", 3,
	    "'cdp' must list at least one http:// URL");
	reject("delta_cdp with only https://", MINIMAL
	    "delta_cdp = \"https://a/b.crl\";\n", 4,
	    "'delta_cdp' must list an http:// URL");
	reject("missing subject", "key = \"ec:p256\";\n"
	    "cdp = \"http://a/b\";\n", 0,
	    "'subject' (a group with at least CN) is required");
	reject("missing key", "subject = { CN = \"x\"; };\n"
	    "cdp = \"http://a/b\";\n", 0, "missing required key 'key'");
	reject("an empty file", "", 0, "'subject'");
}

static void
test_missing_file(void)
{
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL(conf_load("/nonexistent/ca.cfg", CONF_NEW, &c, &cause),
	    ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "/nonexistent/ca.cfg") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(conf_load(dir, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	conf_free(NULL);
}

static void
test_domains(void)
{
	struct ca_policy	 p;

	memset(&p, 0, sizeof p);
	/* an empty list permits everything */
	CU_ASSERT(conf_domain_permitted(&p, "anything.example"));
	CU_ASSERT(conf_domain_permitted(&p, "*.anything.example"));

	strv_add(&p.domains, "lab.example");
	/* equal */
	CU_ASSERT(conf_domain_permitted(&p, "lab.example"));
	/* subdomain */
	CU_ASSERT(conf_domain_permitted(&p, "web.lab.example"));
	CU_ASSERT(conf_domain_permitted(&p, "a.b.lab.example"));
	/* wildcard */
	CU_ASSERT(conf_domain_permitted(&p, "*.lab.example"));
	CU_ASSERT(conf_domain_permitted(&p, "*.web.lab.example"));
	/* case */
	CU_ASSERT(conf_domain_permitted(&p, "A.LAB.Example"));
	CU_ASSERT(conf_domain_permitted(&p, "LAB.EXAMPLE"));
	CU_ASSERT(conf_domain_permitted(&p, "*.Lab.Example"));
	/* a suffix that is not a subdomain */
	CU_ASSERT(!conf_domain_permitted(&p, "evillab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "*.evillab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "web.evillab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "lab.example.evil"));
	CU_ASSERT(!conf_domain_permitted(&p, "lab.example.com"));
	CU_ASSERT(!conf_domain_permitted(&p, "example"));
	CU_ASSERT(!conf_domain_permitted(&p, "ab.example"));
	/* wider */
	CU_ASSERT(!conf_domain_permitted(&p, "*.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "*lab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "other.example"));
	CU_ASSERT(!conf_domain_permitted(&p, ""));
	CU_ASSERT(!conf_domain_permitted(&p, "*."));

	/* several domains: any one of them */
	strv_add(&p.domains, "Corp.Example");
	CU_ASSERT(conf_domain_permitted(&p, "mail.corp.example"));
	CU_ASSERT(conf_domain_permitted(&p, "web.lab.example"));
	CU_ASSERT(!conf_domain_permitted(&p, "evilcorp.example"));
	strv_free(&p.domains);
}

/* RFC 5280's upper bounds on the subject, counted in characters. */
static void
test_subject_bounds(void)
{
	static const struct {
		const char	*attr;
		size_t		 max;
	} bounds[] = {
		{ "CN", 64 }, { "O", 64 }, { "OU", 64 }, { "L", 128 },
		{ "ST", 128 }, { "DC", 63 },
	};
	struct conf	*c = NULL;
	char		*text, *path, *cause = NULL, want[64];
	char		 v[3001];

	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		memset(v, 'a', bounds[i].max + 1);
		v[bounds[i].max + 1] = '\0';
		if (strcmp(bounds[i].attr, "CN") == 0)
			xasprintf(&text, "subject = {\n CN = \"%s\"; };\n"
			    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n", v);
		else
			xasprintf(&text,
			    "subject = { CN = \"x\";\n %s = \"%s\"; "
			    "};\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n",
			    bounds[i].attr, v);
		snprintf(want, sizeof want, "subject %s is %zu characters long",
		    bounds[i].attr, bounds[i].max + 1);
		reject(bounds[i].attr, text, 2, want);
		free(text);
		/* at the bound: loads */
		v[bounds[i].max] = '\0';
		xasprintf(&text, "subject = { CN = \"x\"; %s = \"%s\"; };\n"
		    "key = \"ec:p256\";\ncdp = \"http://a/b\";\n",
		    strcmp(bounds[i].attr, "CN") == 0 ? "O" : bounds[i].attr,
		    v);
		path = write_cfg(text);
		CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), 0);
		if (cause != NULL)
			fprintf(stderr, "\n    %s: %s", bounds[i].attr, cause);
		conf_free(c);
		c = NULL;
		free(cause);
		cause = NULL;
		unlink(path);
		free(path);
		free(text);
	}
	/* the CN of the report: 3000 characters */
	memset(v, 'x', 3000);
	v[3000] = '\0';
	xasprintf(&text, "subject = { CN = \"%s\"; };\nkey = \"ec:p256\";\n"
	    "cdp = \"http://a/b\";\n", v);
	reject("3000-character CN", text, 1, "subject CN is 3000 characters "
	    "long (at most 64: RFC 5280's upper bound)");
	free(text);
}

/* Domain names, one label too, with international ones as A-labels. */
static void
test_domains_valid(void)
{
	char		*path = write_cfg(MINIMAL
	    "policy = { permitted_domains = [ \"corp\", \"xn--caf-dma.Example\","
	    " \"a-1.lab.example\" ]; };\n");
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(c->policy.domains.n, 3);
	CU_ASSERT_STRING_EQUAL(c->policy.domains.v[1], "xn--caf-dma.example");
	CU_ASSERT(conf_domain_permitted(&c->policy, "fe01.corp"));
	conf_free(c);
	unlink(path);
	free(path);
}

/*
 * An existing CA's ca.cfg (no CONF_NEW) with what init refuses: it loads,
 * the first such finding is in flaw, and the odd domains permit nothing.
 */
static void
test_existing_flaws(void)
{
	char		*path = write_cfg("subject = { CN = \"Old CA\";\n"
	    " C = \"USA\"; };\nkey = \"ec:p256\";\ncdp = \"http://a/b\";\n"
	    "publish = [ \"/srv/a\", \"/srv/a\", \"\" ];\n"
	    "policy = { permitted_domains = [ \"*.lab.example\", \"\", \".\" ];"
	    " };\n");
	struct conf	*c = NULL;
	char		*cause = NULL, *want = NULL;

	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL_FATAL(conf_load(path, 0, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->flaw);
	xasprintf(&want, "%s:2: subject C ", path);
	CU_ASSERT_NSTRING_EQUAL(c->flaw, want, strlen(want));
	CU_ASSERT_EQUAL(c->publish.n, 3);
	CU_ASSERT_EQUAL(c->policy.domains.n, 3);
	CU_ASSERT(!conf_domain_permitted(&c->policy, "fe.lab.example"));
	CU_ASSERT(!conf_domain_permitted(&c->policy, "evil.example."));
	CU_ASSERT(!conf_domain_permitted(&c->policy, "evil.example"));
	conf_free(c);
	free(want);
	unlink(path);
	free(path);
}

/* An existing CA listing a URL twice keeps working, the URLs as listed. */
static void
test_existing_repeated_url(void)
{
	char		*path = write_cfg(MINIMAL
	    "ocsp = [ \"http://o/\", \"http://o/\" ];\n");
	struct conf	*c = NULL;
	char		*cause = NULL, *want = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, 0, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(c->ocsp.n, 2);
	xasprintf(&want, "%s:4: 'ocsp' lists 'http://o/' twice", path);
	CU_ASSERT(c->flaw != NULL && strcmp(c->flaw, want) == 0);
	conf_free(c);
	free(want);
	unlink(path);
	free(path);
}

/*
 * An existing CA with a URL the RFC 3986 rule refuses but the looser check
 * before it took keeps working, the URL its flaw; one that is no URL at
 * all still stops it.
 */
static void
test_existing_loose_url(void)
{
	char		*path = write_cfg(MINIMAL
	    "ocsp = \"http://u:pw@o.example/\";\n");
	struct conf	*c = NULL;
	char		*cause = NULL, *want = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, 0, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	xasprintf(&want, "%s:4: 'http://u:pw@o.example/' is not an http:// or "
	    "https:// URL", path);
	CU_ASSERT(c->flaw != NULL && strcmp(c->flaw, want) == 0);
	conf_free(c);
	c = NULL;
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
	free(cause);
	cause = NULL;
	unlink(path);
	free(path);
	path = write_cfg(MINIMAL "ocsp = \"http://o.example/a b\";\n");
	CU_ASSERT_EQUAL(conf_load(path, 0, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	free(want);
	unlink(path);
	free(path);
}

/*
 * What is checked is what init copies: with CONF_NEW the bytes parsed
 * are kept; a NUL byte (after which the parse would stop) is refused at
 * its line.
 */
static void
test_text_kept(void)
{
	char		*path = write_cfg(MINIMAL), *cause = NULL, *want = NULL;
	struct conf	*c = NULL;
	FILE		*f;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_EQUAL(c->text_len, strlen(MINIMAL));
	CU_ASSERT(c->text != NULL && memcmp(c->text, MINIMAL,
	    strlen(MINIMAL)) == 0);
	conf_free(c);
	c = NULL;
	CU_ASSERT_EQUAL_FATAL(conf_load(path, 0, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(c->text);
	conf_free(c);
	c = NULL;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(MINIMAL, f);
	fputc('\0', f);
	fputs("policy = { permitted_domains = \"\"; };\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	xasprintf(&want, "%s:4: a NUL byte", path);
	CU_ASSERT(cause != NULL && strncmp(cause, want, strlen(want)) == 0);
	free(want);
	free(cause);
	unlink(path);
	free(path);
}

/*
 * A new CA's config is read no further than CONF_MAX bytes, the bound on
 * the ca.cfg init copies; an existing CA's config is read as any config.
 */
static void
test_text_bound(void)
{
	char		*path = write_cfg(MINIMAL), *cause = NULL, *want = NULL;
	struct conf	*c = NULL;
	FILE		*f;

	if ((f = fopen(path, "a")) == NULL)
		abort();
	/* a comment line that takes the file just past the bound */
	fputc('#', f);
	for (size_t n = strlen(MINIMAL) + 1; n < CONF_MAX; n++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(c);
	xasprintf(&want, "%s: larger than %d bytes", path, CONF_MAX);
	CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
	free(want);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(conf_load(path, 0, &c, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	conf_free(c);
	unlink(path);
	free(path);
}

/* URLs in every form a web server is reached by. */
static void
test_urls_valid(void)
{
	static const char *const	 good[] = {
		"http://pki.example/ca.crl",
		"http://pki/ca.crl",
		"http://PKI.Example:8080/crl/ca.crl",
		"http://192.0.2.1/ca.crl",
		"http://[2001:db8::1]/ca.crl",
		"http://[2001:db8::1]:65535/ca.crl",
		"https://pki.example",
		"http://pki.example/ca.crl?x=1&y=a/b",
		"http://pki.example/ca.crl#top",
		"http://pki.example/my%20ca.crl",
		"http://pki.example/~pki/(a);b=c,d*e+f!$'@:x.crl",
	};
	struct conf			*c = NULL;
	char				*text, *path, *cause = NULL;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		xasprintf(&text, "%socsp = \"%s\";\n", MINIMAL, good[i]);
		path = write_cfg(text);
		CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), 0);
		if (cause != NULL)
			fprintf(stderr, "\n    %s: %s", good[i], cause);
		conf_free(c);
		c = NULL;
		free(cause);
		cause = NULL;
		unlink(path);
		free(path);
		free(text);
	}
}

/*
 * The CRL's and the CA certificate's file names are what a web server
 * looks up for their URLs: percent-decoded. One that would decode to a '/'
 * or NUL byte names no file of the publish directory.
 */
static void
test_file_names(void)
{
	static const struct {
		const char	*url;
		const char	*name;
	} cases[] = {
		{ "http://pki.example/crl/ca.crl", "ca.crl" },
		{ "http://pki.example/my%20ca.crl", "my ca.crl" },
		{ "http://pki.example/caf%C3%A9%2ecrl?x=%2F",
		    "caf\xc3\xa9.crl" },
		{ "http://pki.example/100%25.crl", "100%.crl" },
		{ "http://pki.example/a%2F..%2Fx.crl", CONF_CRL_NAME },
		{ "http://pki.example/a%2f..%2fx.crl", CONF_CRL_NAME },
		{ "http://pki.example/a%00.crl", CONF_CRL_NAME },
		{ "http://pki.example/%2e%2e", CONF_CRL_NAME },
		{ "http://pki.example/", CONF_CRL_NAME },
	};
	struct strv	 urls = { NULL, 0 };
	char		*name;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strv_add(&urls, cases[i].url);
		name = conf_crl_name(&urls, CONF_CRL_NAME);
		CU_ASSERT_STRING_EQUAL(name, cases[i].name);
		free(name);
		strv_free(&urls);
	}
	reject("an encoded '/' in the CRL's file name",
	    "subject = { CN = \"x\"; };\nkey = \"ec:p256\";\n"
	    "cdp = [ \"https://a/x\",\n \"http://a/a%2F..%2Fx.crl\" ];\n",
	    3, "'http://a/a%2F..%2Fx.crl' names its file with an encoded '/'");
	reject("an encoded NUL in the delta CRL's file name", MINIMAL
	    "delta_cdp = \"http://a/d%00.crl\";\n", 4,
	    "'http://a/d%00.crl' names its file with an encoded '/' or NUL");
	reject("an encoded '/' in the CA certificate's file name", MINIMAL
	    "ca_issuers = [ \"http://a/\", \"http://a/x%2fca.crt\" ];\n", 4,
	    "'http://a/x%2fca.crt' names its file with");
}

/*
 * A file name longer than a directory entry takes (NAME_MAX, 255 bytes)
 * is one crl and publish could never write: the CRL's with room for its
 * .pem copy, the CA certificate's as it is.
 */
static void
test_file_name_length(void)
{
	static const struct {
		const char	*key;
		size_t		 max;
	} cases[] = {
		{ "cdp", 251 }, { "delta_cdp", 251 }, { "ca_issuers", 255 },
	};
	struct conf	*c = NULL;
	char		*text, *path, *cause = NULL, want[96], v[1024];
	size_t		 len;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* percent-encoded, each '%61' is one byte of the name */
		len = 0;
		for (size_t n = 0; n < cases[i].max - 4; n++)
			len += (size_t)snprintf(v + len, sizeof v - len, "%s",
			    n % 2 ? "a" : "%61");
		xasprintf(&text, "subject = { CN = \"x\"; };\n"
		    "key = \"ec:p256\";\n"
		    "%s = \"http://pki.example/%sz.crl\";\n%s", cases[i].key, v,
		    strcmp(cases[i].key, "cdp") == 0 ? "" :
		    "cdp = \"http://pki.example/ca.crl\";\n");
		snprintf(want, sizeof want, "names a file of %zu bytes, "
		    "longer than a file name may be (at most %zu here)",
		    cases[i].max + 1, cases[i].max);
		reject(cases[i].key, text, 3, want);
		free(text);
		/* one byte shorter: loads */
		xasprintf(&text, "subject = { CN = \"x\"; };\n"
		    "key = \"ec:p256\";\n"
		    "%s = \"http://pki.example/%s.crl\";\n%s", cases[i].key, v,
		    strcmp(cases[i].key, "cdp") == 0 ? "" :
		    "cdp = \"http://pki.example/ca.crl\";\n");
		path = write_cfg(text);
		CU_ASSERT_EQUAL(conf_load(path, CONF_NEW, &c, &cause), 0);
		if (cause != NULL)
			fprintf(stderr, "\n    %s: %s", cases[i].key, cause);
		conf_free(c);
		c = NULL;
		free(cause);
		cause = NULL;
		unlink(path);
		free(path);
		free(text);
	}
}

/* Domains from a file are matched the same way (and stored lower-case). */
static void
test_domains_loaded(void)
{
	char		*path = write_cfg(MINIMAL
	    "policy = { permitted_domains = \"LAB.Example\"; };\n");
	struct conf	*c = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(conf_load(path, CONF_NEW, &c, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(c->policy.domains.n, 1);
	CU_ASSERT_STRING_EQUAL(c->policy.domains.v[0], "lab.example");
	CU_ASSERT(conf_domain_permitted(&c->policy, "Web.Lab.Example"));
	CU_ASSERT(!conf_domain_permitted(&c->policy, "evillab.example"));
	conf_free(c);
	unlink(path);
	free(path);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "a full config", test_full },
		{ "defaults", test_defaults },
		{ "rejections name file:line", test_rejections },
		{ "numbers in comments, strings", test_big_numbers_elsewhere },
		{ "rejections name the right place", test_rejection_locations },
		{ "a missing file", test_missing_file },
		{ "permitted domains", test_domains },
		{ "permitted domains from a file", test_domains_loaded },
		{ "URLs that load", test_urls_valid },
		{ "file names from URLs", test_file_names },
		{ "file names that fit", test_file_name_length },
		{ "an existing CA keeps what init refuses",
		    test_existing_flaws },
		{ "an existing CA listing a URL twice",
		    test_existing_repeated_url },
		{ "an existing CA with a URL only the looser check took",
		    test_existing_loose_url },
		{ "the bytes checked are the bytes kept", test_text_kept },
		{ "a new CA's config is bounded", test_text_bound },
		{ "subject bounds (RFC 5280)", test_subject_bounds },
		{ "permitted domains that load", test_domains_valid },
		CU_TEST_INFO_NULL
	};
	int				 rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	unit_suite("conf", tests);
	rc = unit_run();
	if (rmdir(dir) != 0) {
		fprintf(stderr, "%s: not empty after the tests\n", dir);
		rc = 1;
	}
	return rc;
}
