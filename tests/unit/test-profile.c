/*
 * Role profiles through profile.h: loading with every refusal (each must
 * name file:line), binding variables, and the search path. Every profile
 * is written into a fresh mkdtemp() directory by the test that uses it;
 * the shipped profiles are loaded and bound as the lab demo binds them.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/x509.h>

#include "err.h"
#include "profile.h"
#include "unit.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"

/* A profile whose lines are known: refusals point at them. */
#define HEAD \
	"description = \"test role\";\n"				\
	"variables = {\n"						\
	"	fqdn = { description = \"server FQDN\"; };\n"		\
	"	dom = { description = \"SIP domains\"; list = true; };\n" \
	"	web = { description = \"web FQDN\"; required = false; };\n" \
	"};\n"
#define SUBJ	"subject = { CN = \"${fqdn}\"; };\n"		/* line 7 */
#define KEY	"key = \"rsa:2048\";\n"				/* line 8 */
#define DAYS	"validity_days = 90;\n"				/* line 9 */
#define EKU	"eku = [ \"serverAuth\" ];\n"			/* line 10 */
/* extras: line 11 */
#define BASE	HEAD SUBJ KEY DAYS EKU
/*
 * Templates for HEAD's other variables: a profile that loads uses every
 * variable it declares.
 */
#define USES	"dns = [ \"sip.${dom}\", \"${web}\" ];\n"

struct fx {
	char	 dir[128];
};

static void
fx_setup(struct fx *fx)
{
	const char	*tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 80)
		tmp = "/tmp";
	snprintf(fx->dir, sizeof fx->dir, "%s/test-profile.XXXXXX", tmp);
	if (mkdtemp(fx->dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static void
rm_tree(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*sub;

	if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
				abort();
			rm_tree(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

static void
fx_teardown(struct fx *fx)
{
	rm_tree(fx->dir);
}

/* fx->dir/rel, allocated. */
static char *
fx_path(const struct fx *fx, const char *rel)
{
	char	*p;

	if (asprintf(&p, "%s/%s", fx->dir, rel) < 0)
		abort();
	return p;
}

static void
fx_mkdir(const struct fx *fx, const char *rel)
{
	char	*p = fx_path(fx, rel);

	if (mkdir(p, 0700) != 0) {
		perror(p);
		exit(1);
	}
	free(p);
}

static char *
fx_write(const struct fx *fx, const char *rel, const char *text)
{
	char	*p = fx_path(fx, rel);
	FILE	*f;

	if ((f = fopen(p, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(p);
		exit(1);
	}
	return p;
}

/* Write text as fx->dir/t.cfg and load it. */
static int
load(struct fx *fx, const char *text, const struct ca_policy *policy,
    struct profile **p, char **cause)
{
	char	*path = fx_write(fx, "t.cfg", text);
	int	 rc;

	*p = NULL;
	rc = profile_load(path, policy, p, cause);
	free(path);
	return rc;
}

/*
 * The profile is refused with rc and a cause that starts with
 * "DIR/t.cfg:LINE: " followed by msg; line 0 (a key missing from the
 * whole file) is "DIR/t.cfg: ".
 */
static void
refused_rc(const char *text, const struct ca_policy *policy, int rc, int line,
    const char *msg)
{
	struct fx	 fx;
	struct profile	*p;
	char		*cause = NULL, *want;
	size_t		 n;

	fx_setup(&fx);
	CU_ASSERT_EQUAL(load(&fx, text, policy, &p, &cause), rc);
	CU_ASSERT_PTR_NULL(p);
	if ((line > 0 ? asprintf(&want, "%s/t.cfg:%d: %s", fx.dir, line, msg) :
	    asprintf(&want, "%s/t.cfg: %s", fx.dir, msg)) < 0)
		abort();
	n = strlen(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	if (strncmp(cause, want, n) != 0) {
		fprintf(stderr, "\n  want: %s...\n  got:  %s\n", want, cause);
		CU_FAIL("cause does not match");
	}
	free(want);
	free(cause);
	profile_free(p);
	fx_teardown(&fx);
}

static void
refused(const char *text, int line, const char *msg)
{
	refused_rc(text, NULL, ERR_FAIL, line, msg);
}

static struct profile *
loaded(struct fx *fx, const char *text, const struct ca_policy *policy)
{
	struct profile	*p;
	char		*cause = NULL;

	if (load(fx, text, policy, &p, &cause) != 0) {
		fprintf(stderr, "\n  load: %s\n", cause);
		CU_FAIL("profile did not load");
	}
	free(cause);
	return p;
}

/* Bind with the NULL-terminated "name=value" arguments. */
static int
bind_with(const struct profile *p, int partial, struct request **r,
    char **cause, ...)
{
	struct profile_values	 vs = { NULL, 0 };
	va_list			 ap;
	const char		*a;
	int			 rc = 0;

	*r = NULL;
	va_start(ap, cause);
	while (rc == 0 && (a = va_arg(ap, const char *)) != NULL)
		rc = profile_values_add(&vs, a, cause);
	va_end(ap);
	if (rc == 0)
		rc = (partial ? profile_bind_partial : profile_bind)(p, &vs, r,
		    cause);
	profile_values_free(&vs);
	return rc;
}

/* The strv holds exactly these strings, in order (NULL-terminated). */
static int
strv_is(const struct strv *sv, ...)
{
	va_list		 ap;
	const char	*s;
	size_t		 i = 0;
	int		 ok = 1;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (i >= sv->n || strcmp(sv->v[i], s) != 0)
			ok = 0;
		i++;
	}
	va_end(ap);
	if (i != sv->n)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "\n  got:");
		for (i = 0; i < sv->n; i++)
			fprintf(stderr, " %s", sv->v[i]);
		fprintf(stderr, "\n");
	}
	return ok;
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_load_minimal(void)
{
	struct fx	 fx;
	struct profile	*p;

	fx_setup(&fx);
	p = loaded(&fx, BASE USES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "t");
	CU_ASSERT(strstr(p->path, "/t.cfg") != NULL);
	CU_ASSERT_STRING_EQUAL(p->description, "test role");
	CU_ASSERT_EQUAL_FATAL(p->nvars, 3);
	CU_ASSERT_STRING_EQUAL(p->vars[0].name, "fqdn");
	CU_ASSERT_STRING_EQUAL(p->vars[0].description, "server FQDN");
	CU_ASSERT(p->vars[0].required && !p->vars[0].list);
	CU_ASSERT_PTR_NULL(p->vars[0].def);
	CU_ASSERT(p->vars[1].required && p->vars[1].list);
	CU_ASSERT(!p->vars[2].required && !p->vars[2].list);
	CU_ASSERT_EQUAL_FATAL(p->nsubject, 1);
	CU_ASSERT_STRING_EQUAL(p->subject[0].oid, dn_oid("CN"));
	CU_ASSERT_STRING_EQUAL(p->subject[0].text, "${fqdn}");
	CU_ASSERT_EQUAL(p->subject[0].line, 7);
	CU_ASSERT_EQUAL_FATAL(p->ndns, 2);
	CU_ASSERT_STRING_EQUAL(p->dns[1].text, "${web}");
	CU_ASSERT_EQUAL(p->nip, 0);
	CU_ASSERT_EQUAL(p->key.alg, KEY_RSA);
	CU_ASSERT_EQUAL(p->key.bits, 2048);
	CU_ASSERT_EQUAL(p->validity_days, 90);
	CU_ASSERT(strv_is(&p->eku, SERVER_AUTH, NULL));
	CU_ASSERT_EQUAL(p->key_usage, 0);
	CU_ASSERT_EQUAL(p->cdp.n, 0);
	CU_ASSERT_PTR_NULL(p->friendly_name);
	CU_ASSERT(!p->allow_wildcard && !p->allow_ip);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_load_full(void)
{
	struct fx	 fx;
	struct profile	*p;

	fx_setup(&fx);
	p = loaded(&fx, "description = \"everything\";\n"
	    "variables = {\n"
	    "	fqdn = { description = \"FQDN\"; };\n"
	    "	org = { default = \"Example\"; };\n"
	    "	addr = { required = false; list = true; };\n"
	    "};\n"
	    "subject = { O = \"${org}\"; OU = \"Servers\"; CN = \"${fqdn}\"; "
	    "DC = \"example\"; };\n"
	    "dns = [ \"${fqdn}\", \"*.apps.example.com\", \"www.example.com\" ];\n"
	    "ip = \"${addr}\";\n"
	    "key = \"ec:p384\";\n"
	    "validity_days = 3650;\n"
	    "eku = [ \"clientAuth\", \"1.3.6.1.4.1.311.10.3.4\", \"serverAuth\" ];\n"
	    "key_usage = [ \"keyAgreement\", \"digitalSignature\", "
	    "\"nonRepudiation\" ];\n"
	    "cdp = [ \"http://pki.example.com/x.crl\", \"https://p.example.com/y\" ];\n"
	    "friendly_name = \"${fqdn} (${org})\";\n"
	    "allow_wildcard = true;\n"
	    "allow_ip = true;\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(p->nvars, 3);
	CU_ASSERT_PTR_NULL(p->vars[1].description);
	CU_ASSERT_STRING_EQUAL(p->vars[1].def, "Example");
	CU_ASSERT(!p->vars[1].required);
	CU_ASSERT(!p->vars[2].required && p->vars[2].list);
	/* Subject attributes stay in file order. */
	CU_ASSERT_EQUAL_FATAL(p->nsubject, 4);
	CU_ASSERT_STRING_EQUAL(p->subject[0].oid, dn_oid("O"));
	CU_ASSERT_STRING_EQUAL(p->subject[1].text, "Servers");
	CU_ASSERT_STRING_EQUAL(p->subject[2].oid, dn_oid("CN"));
	CU_ASSERT_STRING_EQUAL(p->subject[3].oid, dn_oid("DC"));
	CU_ASSERT_EQUAL_FATAL(p->ndns, 3);
	CU_ASSERT_STRING_EQUAL(p->dns[1].text, "*.apps.example.com");
	CU_ASSERT_EQUAL(p->dns[2].line, 8);
	CU_ASSERT_EQUAL_FATAL(p->nip, 1);
	CU_ASSERT_STRING_EQUAL(p->ip[0].text, "${addr}");
	CU_ASSERT_EQUAL(p->ip[0].line, 9);
	CU_ASSERT_EQUAL(p->key.alg, KEY_EC);
	CU_ASSERT_EQUAL(p->key.bits, 384);
	CU_ASSERT_EQUAL(p->validity_days, 3650);
	/* serverAuth moved first, the others in file order. */
	CU_ASSERT(strv_is(&p->eku, SERVER_AUTH, CLIENT_AUTH,
	    "1.3.6.1.4.1.311.10.3.4", NULL));
	CU_ASSERT_EQUAL(p->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_AGREEMENT | GNUTLS_KEY_NON_REPUDIATION);
	CU_ASSERT(strv_is(&p->cdp, "http://pki.example.com/x.crl",
	    "https://p.example.com/y", NULL));
	CU_ASSERT_STRING_EQUAL(p->friendly_name, "${fqdn} (${org})");
	CU_ASSERT(p->allow_wildcard && p->allow_ip);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_load_names(void)
{
	struct fx	 fx;
	struct profile	*p;

	fx_setup(&fx);
	/* A single string for dns; an empty variables group. */
	p = loaded(&fx, "description = \"d\";\nvariables = {};\n"
	    "subject = { CN = \"a.example.com\"; };\ndns = \"a.example.com\";\n"
	    "key = \"rsa:4096\";\nvalidity_days = 1;\neku = \"serverAuth\";\n",
	    NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->nvars, 0);
	CU_ASSERT_EQUAL_FATAL(p->ndns, 1);
	CU_ASSERT_STRING_EQUAL(p->dns[0].text, "a.example.com");
	profile_free(p);
	/* The name is the file's base name without .cfg. */
	{
		char	*path, *cause = NULL;

		fx_mkdir(&fx, "sub");
		path = fx_write(&fx, "sub/edge-av.cfg", BASE USES);
		CU_ASSERT_EQUAL(profile_load(path, NULL, &p, &cause), 0);
		CU_ASSERT_STRING_EQUAL(p->name, "edge-av");
		CU_ASSERT_STRING_EQUAL(p->path, path);
		profile_free(p);
		free(path);
		free(cause);
	}
	fx_teardown(&fx);
}

static void
test_refuse_unknown_keys(void)
{
	refused(BASE "sanz = [ \"x\" ];\n", 11,
	    "unknown key 'sanz' in profile");
	refused(BASE "\n\nSubject = { CN = \"x\"; };\n", 13,
	    "unknown key 'Subject' in profile");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { description = \"x\"; requird = false; };\n};\n"
	    SUBJ KEY DAYS EKU, 3, "unknown key 'requird' in variable 'fqdn'");
}

static void
test_refuse_variables(void)
{
	refused("description = \"d\";\nvariables = {\n	fqdn = \"x\";\n};\n"
	    SUBJ KEY DAYS EKU, 3, "variable 'fqdn' must be a group");
	refused("description = \"d\";\nvariables = {\n	Fqdn = {};\n};\n"
	    "subject = { CN = \"x\"; };\n" KEY DAYS EKU, 3,
	    "variable name 'Fqdn' must be");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { default = \"${x}.example.com\"; };\n};\n"
	    SUBJ KEY DAYS EKU, 3, "the default of 'fqdn' must be literal");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { default = \"\"; };\n};\n" SUBJ KEY DAYS EKU, 3,
	    "the default of 'fqdn' must be non-empty");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { default = \"a\"; required = true; };\n};\n"
	    SUBJ KEY DAYS EKU, 3, "variable 'fqdn' has a default, so it "
	    "cannot be required");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { list = \"yes\"; };\n};\n" SUBJ KEY DAYS EKU, 3,
	    "'list' must be true or false");
	refused("description = \"d\";\nvariables = {\n"
	    "	fqdn = { description = 1; };\n};\n" SUBJ KEY DAYS EKU, 3,
	    "'description' must be a string");
	refused("description = \"d\";\nvariables = [];\n"
	    SUBJ KEY DAYS EKU, 2, "'variables' (a group, possibly empty) is "
	    "required");
	/* one no template uses: asked for, then left out of the certificate */
	refused(BASE, 4, "variable 'dom' is used by no template (subject, dns, "
	    "ip or friendly_name): its value would be in no certificate");
	refused(BASE "dns = [ \"sip.${dom}\" ];\n", 5, "variable 'web' is used "
	    "by no template");
	/* a friendly_name is a use */
	{
		struct fx	 fx;
		struct profile	*p;

		fx_setup(&fx);
		p = loaded(&fx, BASE "friendly_name = \"${web} ${dom}\";\n",
		    NULL);
		CU_ASSERT_PTR_NOT_NULL(p);
		profile_free(p);
		fx_teardown(&fx);
	}
}

static void
test_refuse_missing(void)
{
	refused(HEAD SUBJ KEY DAYS, 0, "missing required key 'eku'");
	refused(HEAD SUBJ KEY EKU, 0, "missing required key 'validity_days'");
	refused(HEAD SUBJ DAYS EKU, 0, "missing required key 'key'");
	refused(HEAD KEY DAYS EKU, 0, "'subject' (a group with at least CN) "
	    "is required");
	refused("description = \"d\";\n" SUBJ KEY DAYS EKU, 0,
	    "'variables' (a group, possibly empty) is required");
	refused("variables = {};\nsubject = { CN = \"x\"; };\n" KEY DAYS EKU,
	    0, "missing required key 'description'");
}

static void
test_refuse_subject(void)
{
	refused(HEAD "subject = {\n	CN = \"${fqdn}\";\n"
	    "	E = \"a@b\";\n};\n"
	    KEY DAYS EKU, 9, "unknown subject attribute 'E'");
	refused(HEAD "subject = { O = \"Example\"; };\n" KEY DAYS EKU, 7,
	    "subject needs a CN");
	refused(HEAD "subject = { CN = \"${fqdn}\";\n cn = \"x\"; };\n"
	    KEY DAYS EKU, 8, "subject attribute 'cn' given twice");
	refused(HEAD "subject = { CN = 5; };\n" KEY DAYS EKU, 7,
	    "subject CN must be a string");
	refused(HEAD "subject = { CN = \"\"; };\n" KEY DAYS EKU, 7,
	    "empty template");
	refused(HEAD "subject = \"CN=x\";\n" KEY DAYS EKU, 7,
	    "'subject' (a group with at least CN) is required");
}

/*
 * What goes into a certificate: UTF-8 without control characters,
 * RFC 5280's bounds for a literal, and the CN and dNSNames (host names)
 * in ASCII, an IDN refused with its A-label as the hint.
 */
static void
test_refuse_text(void)
{
	char	*text, v[70];

	refused(HEAD "subject = { CN = \"${fqdn}\"; O = \"caf\xe9\"; };\n"
	    KEY DAYS EKU, 7, "'caf\\xe9' is not valid UTF-8");
	refused(HEAD
	    "subject = { CN = \"${fqdn}\"; O = \"${web} \xed\xa0\x80\"; "
	    "};\n" KEY DAYS EKU, 7, "'${web} \\xed\\xa0\\x80' is not valid "
	    "UTF-8");
	refused(HEAD "subject = { CN = \"${fqdn}\"; OU = \"a\\tb\"; };\n"
	    KEY DAYS EKU, 7, "'a\\tb' contains a control character");
	/* a description is printed as it is: one line, no escape sequence */
	refused("description = \"esc \\x1b[31mRED\\x1b[0m nl\\nsecond\";\n"
	    "variables = { fqdn = { description = \"f\"; }; };\n"
	    SUBJ KEY DAYS EKU, 1, "description 'esc \\x1b[31mRED\\x1b[0m "
	    "nl\\nsecond' contains a control character");
	refused("description = \"bell\\x07\";\n", 1,
	    "description 'bell\\x07' contains a control character");
	refused("description = \" \";\n", 1, "description is empty");
	refused("description = \"a\xe2\x80\xae" "b\";\n", 1,
	    "description 'a\\xe2\\x80\\xaeb' contains a line separator, "
	    "an invisible or a bidirectional format character");
	refused(HEAD "subject = { CN = \"${fqdn}\"; "
	    "O = \"x\xe2\x80\xae" "y\"; };\n" KEY DAYS EKU, 7,
	    "subject O contains a line separator, an invisible or a "
	    "bidirectional format character");
	refused("description = \"caf\xe9\";\n", 1,
	    "description 'caf\\xe9' is not valid UTF-8");
	refused("description = \"test role\";\n"
	    "variables = {\n"
	    "	fqdn = { description = \"tab\\there\"; };\n"
	    "};\n" SUBJ KEY DAYS EKU, 3,
	    "description 'tab\\there' contains a control character");
	refused(HEAD "subject = { CN = \"${fqdn}\"; C = \"USA\"; };\n"
	    KEY DAYS EKU, 7, "subject C is not a two-letter country code");
	memset(v, 'a', 65);
	v[65] = '\0';
	if (asprintf(&text, HEAD "subject = { CN = \"%s\"; };\n" KEY DAYS EKU,
	    v) < 0)
		abort();
	refused(text, 7, "subject CN is 65 characters long (at most 64");
	free(text);
	refused(HEAD "subject = { CN = \"caf\xc3\xa9.example\"; };\n"
	    KEY DAYS EKU, 7, "subject CN 'caf\xc3\xa9.example' is not an ASCII "
	    "host name: roleca puts no international names in certificates; "
	    "give its A-label form 'xn--caf-dma.example'");
	refused(HEAD "subject = { CN = \"${fqdn}.caf\xc3\xa9\"; };\n"
	    KEY DAYS EKU, 7, "subject CN '${fqdn}.caf\xc3\xa9' is not an ASCII "
	    "host name");
	refused(BASE "dns = [ \"${fqdn}\",\n \"caf\xc3\xa9.example\" ];\n", 12,
	    "'caf\xc3\xa9.example' is not an ASCII host name");
	refused(HEAD "subject = { CN = \"${fqdn}\"; };\n" KEY DAYS EKU
	    "friendly_name = \"caf\xe9\";\n", 11, "'caf\\xe9' is not valid");
	refused("description = \"d\";\nvariables = {\n"
	    "	org = { default = \"caf\xe9\"; };\n};\n"
	    "subject = { CN = \"x\"; O = \"${org}\"; };\n" KEY DAYS EKU, 3,
	    "the default of 'org' must be non-empty UTF-8 text");
	refused(BASE "cdp = \"http://a.example/caf\xc3\xa9.crl\";\n", 11,
	    "cdp 'http://a.example/caf\xc3\xa9.crl' is not an http://");
	refused(BASE "cdp = \"http://a.example/caf\xe9.crl\";\n", 11,
	    "cdp 'http://a.example/caf\\xe9.crl' is not an http://");
	refused(BASE "cdp = [ \"http://a.example/x.crl\",\n"
	    " \"http://a.example/x.crl\" ];\n", 12,
	    "cdp 'http://a.example/x.crl' is listed twice");
}

static void
test_refuse_key_validity(void)
{
	refused(HEAD SUBJ "key = \"rsa:1024\";\n" DAYS EKU, 8,
	    "unknown key spec 'rsa:1024'");
	refused(HEAD SUBJ "key = 2048;\n" DAYS EKU, 8,
	    "'key' must be a string");
	refused(HEAD SUBJ KEY "validity_days = 0;\n" EKU, 9,
	    "'validity_days' must be between 1 and 3650");
	refused(HEAD SUBJ KEY "validity_days = 3651;\n" EKU, 9,
	    "'validity_days' must be between 1 and 3650");
	refused(HEAD SUBJ KEY "validity_days = \"90\";\n" EKU, 9,
	    "'validity_days' must be an integer");
}

static void
test_refuse_eku(void)
{
	struct fx	 fx;
	struct profile	*p;

	refused(HEAD SUBJ KEY DAYS "eku = [ \"clientAuth\" ];\n", 10,
	    "eku must include serverAuth (every server certificate carries it)");
	refused(HEAD SUBJ KEY DAYS "eku = [];\n", 10,
	    "eku must include serverAuth (every server certificate carries it)");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\",\n"
	    "	\"1.3.6.1.5.5.7.3.1\" ];\n", 11, "eku '1.3.6.1.5.5.7.3.1' "
	    "listed twice");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"clientAuth\", \"serverAuth\", "
	    "\"clientAuth\" ];\n", 10, "eku 'clientAuth' listed twice");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", "
	    "\"2.5.29.37.0\" ];\n", 10, "eku anyExtendedKeyUsage");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", "
	    "\"codeSigning\" ];\n", 10, "unknown eku 'codeSigning'");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"1..3\" ];\n",
	    10, "unknown eku '1..3'");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"1.3.\" ];\n",
	    10, "unknown eku '1.3.'");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"7.1\" ];\n",
	    10, "unknown eku '7.1'");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"1.03\" ];\n",
	    10, "unknown eku '1.03'");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"ServerAuth\" ];\n",
	    10, "unknown eku 'ServerAuth'");
	/* OIDs DER cannot encode, or GnuTLS cannot read back as written */
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"1.40.5\" ];\n",
	    10, "unknown eku '1.40.5' (a dotted OID");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", \"0.40\" ];\n",
	    10, "unknown eku '0.40' (a dotted OID");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\",\n"
	    "	\"1.2.18446744073709551615\" ];\n", 11,
	    "unknown eku '1.2.18446744073709551615' (a dotted OID");
	refused(HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\",\n"
	    "	\"1.2.4294967296\" ];\n", 11, "unknown eku '1.2.4294967296'");
	fx_setup(&fx);
	p = loaded(&fx, HEAD SUBJ KEY DAYS "eku = [ \"serverAuth\", "
	    "\"2.999.1\", \"1.39.4294967295\" ];\n" USES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(strv_is(&p->eku, SERVER_AUTH, "2.999.1", "1.39.4294967295",
	    NULL));
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_refuse_key_usage(void)
{
	refused(BASE "key_usage = [ \"digitalSignature\", \"keyCertSign\" ];\n",
	    11, "key_usage 'keyCertSign' is for CA certificates");
	refused(BASE "key_usage = [ \"digitalSignature\", \"cRLSign\" ];\n",
	    11, "key_usage 'cRLSign' is for CA certificates");
	refused(BASE "key_usage = [ \"digitalSignature\", "
	    "\"dataEncipherment\" ];\n", 11,
	    "unknown key_usage 'dataEncipherment'");
	refused(BASE "key_usage = [ \"keyEncipherment\" ];\n", 11,
	    "key_usage must include digitalSignature");
	refused(BASE "key_usage = [ \"digitalSignature\",\n"
	    "	\"digitalSignature\" ];\n", 12, "key_usage 'digitalSignature' "
	    "listed twice");
	refused(HEAD SUBJ "key = \"ec:p256\";\n" DAYS EKU
	    "key_usage = [ \"digitalSignature\", \"keyEncipherment\" ];\n", 11,
	    "keyEncipherment needs an RSA key");
	refused(BASE "key_usage = [ \"digitalSignature\",\n"
	    "\t\"keyEncipherment\", \"keyAgreement\" ];\n", 11,
	    "keyAgreement needs an EC key");
	refused(BASE "key_usage = [ \"digitalSignature\" ];\n", 11,
	    "key_usage must include keyEncipherment for an RSA key");
}

static void
test_refuse_cdp(void)
{
	refused(BASE "cdp = [ \"http://a.example/x.crl\",\n"
	    "	\"ftp://a.example/x.crl\" ];\n", 12,
	    "cdp 'ftp://a.example/x.crl' is not an http:// or https:// URL");
	refused(BASE "cdp = \"http://\";\n", 11, "cdp 'http://' is not");
	refused(BASE "cdp = \"https://\";\n", 11, "cdp 'https://' is not");
	/* a host, as ca.cfg's URLs need */
	refused(BASE "cdp = \"http:///x.crl\";\n", 11, "cdp 'http:///x.crl' "
	    "is not");
	refused(BASE "cdp = \"http://:80/x.crl\";\n", 11, "cdp "
	    "'http://:80/x.crl' is not");
	refused(BASE "cdp = \"pki.example.com/x.crl\";\n", 11, "cdp "
	    "'pki.example.com/x.crl' is not");
	refused(BASE "cdp = [ 1 ];\n", 11, "'cdp' must be a list of strings");
	refused(BASE "cdp = [ \"http://a.example/x.crl\",\n"
	    "	\"http://${fqdn}/x.crl\" ];\n", 12, "cdp "
	    "'http://${fqdn}/x.crl': a cdp URL is not a template");
}

static void
test_refuse_wildcard_ip(void)
{
	struct fx	 fx;
	struct profile	*p;

	refused(BASE "dns = [ \"${fqdn}\",\n	\"*.${fqdn}\" ];\n", 12,
	    "'*.${fqdn}' is a wildcard: set allow_wildcard = true");
	refused(BASE "dns = \"*.example.com\";\nallow_wildcard = false;\n", 11,
	    "'*.example.com' is a wildcard");
	refused(BASE "ip = \"192.0.2.1\";\n", 11,
	    "'192.0.2.1': IP addresses need allow_ip = true");
	refused(BASE "allow_ip = 1;\n", 11, "'allow_ip' must be true or false");
	/* a literal is judged as the name it is */
	refused(BASE "ip = [ \"${fqdn}\",\n	\"192.0.2.300\" ];\n"
	    "allow_ip = true;\n", 12,
	    "ip '192.0.2.300' is not an IPv4 or IPv6 address");
	refused(BASE "ip = \"2001:db8::1::2\";\nallow_ip = true;\n", 11,
	    "ip '2001:db8::1::2' is not");
	refused(BASE "dns = [ \"${fqdn}\",\n	\"www..example.com\" ];\n", 12,
	    "name 'www..example.com' is not a valid host name");
	refused(BASE "dns = \"www.example.com.\";\n", 11,
	    "name 'www.example.com.' is not a valid host name");
	refused(BASE "dns = \"web_int.example.com\";\n", 11,
	    "name 'web_int.example.com' is not a valid host name");
	refused(BASE "dns = \"localhost\";\n", 11,
	    "name 'localhost' is not a valid host name");
	refused(BASE "dns = \"192.0.2.1\";\n", 11,
	    "name '192.0.2.1' is not a valid host name");
	refused(BASE "dns = \"x.*.example.com\";\nallow_wildcard = true;\n",
	    11, "name 'x.*.example.com' is not a valid host name");
	fx_setup(&fx);
	p = loaded(&fx, BASE "dns = [ \"*.${fqdn}\", \"sip.${dom}\", "
	    "\"${web}\" ];\nip = \"192.0.2.1\";\n"
	    "allow_wildcard = true;\nallow_ip = true;\n", NULL);
	CU_ASSERT_PTR_NOT_NULL(p);
	profile_free(p);
	p = loaded(&fx, BASE "dns = [ \"*.apps.example.com\", "
	    "\"x-1.example\", \"sip.${dom}\", \"${web}\" ];\nip = [ \"2001:db8::1\", \"10.${fqdn}\" ];\n"
	    "allow_wildcard = true;\nallow_ip = true;\n", NULL);
	CU_ASSERT_PTR_NOT_NULL(p);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_refuse_templates(void)
{
	refused(BASE "dns = [ \"${fqdn}\", \"${nope}.example.com\" ];\n", 11,
	    "undefined variable 'nope'");
	refused(HEAD "subject = { CN = \"${pool}\"; };\n" KEY DAYS EKU, 7,
	    "undefined variable 'pool'");
	refused(BASE "friendly_name = \"${name}\";\n", 11,
	    "undefined variable 'name'");
	refused(BASE "dns = \"$fqdn\";\n", 11, "'$fqdn': a '$' must start");
	refused(BASE "dns = \"${fqdn\";\n", 11, "'${fqdn': a '$' must start");
	refused(BASE "dns = \"${}.example.com\";\n", 11,
	    "'${}.example.com': a");
	refused(BASE "dns = \"${Fqdn}\";\n", 11, "'${Fqdn}': a '$' must start");
	refused(BASE "dns = \"${fqdn}$\";\n", 11, "'${fqdn}$': a '$' must");
	refused(BASE "dns = \"${fqdn-x}\";\n", 11, "'${fqdn-x}': a '$' must");
	refused(BASE "dns = \"\";\n", 11, "empty template");
	refused(BASE "dns = [ 3 ];\n", 11, "'dns' must be a list of strings");
	refused(BASE "ip = { a = 1; };\n", 11,
	    "'ip' must be a string or a list");
	refused("description = \"d\";\nvariables = {\n"
	    "	a = { list = true; };\n	b = { list = true; };\n};\n"
	    "subject = { CN = \"x\"; };\n" KEY DAYS EKU
	    "dns = \"${a}.${b}\";\n", 10, "'${a}.${b}' uses two list variables "
	    "('a' and 'b')");
	refused("description = \"d\";\nvariables = {\n"
	    "	a = { list = true; };\n	b = { list = true; };\n};\n"
	    "subject = { CN = \"${a}${b}\"; };\n" KEY DAYS EKU, 6,
	    "'${a}${b}' uses two list variables");
}

static void
test_refuse_syntax(void)
{
	struct fx	 fx;
	struct profile	*p;
	char		*path, *cause = NULL;

	refused(BASE "dns = [ \"a\"\n", 12, "");
	refused("description = \"d\";\nvalidity_days = ;\n", 2, "");
	refused("\xef\xbb\xbf" BASE, 1, "the file starts with a UTF-8 byte "
	    "order mark, which libconfig cannot read (save it as UTF-8 "
	    "without BOM)");
	fx_setup(&fx);
	path = fx_path(&fx, "absent.cfg");
	CU_ASSERT_EQUAL(profile_load(path, NULL, &p, &cause), ERR_FAIL);
	CU_ASSERT(starts(cause, path));
	free(cause);
	free(path);
	fx_teardown(&fx);
}

static void
test_policy_domains(void)
{
	struct ca_policy	 pol;
	struct fx		 fx;
	struct profile		*p;

	memset(&pol, 0, sizeof pol);
	strv_add(&pol.domains, "example.com");
	refused_rc(BASE "dns = [ \"${fqdn}\", \"a.example.com\",\n"
	    "	\"www.example.org\" ];\n", &pol, ERR_POLICY, 12,
	    "name 'www.example.org' is outside the CA's permitted domains");
	refused_rc(BASE "dns = \"badexample.com\";\n", &pol, ERR_POLICY, 11,
	    "name 'badexample.com' is outside");
	fx_setup(&fx);
	/* Inside the domains; names with variables wait for policy.c. */
	p = loaded(&fx, BASE "dns = [ \"Example.COM\", \"a.example.com\", "
	    "\"${fqdn}\", \"x.${web}\", \"sip.${dom}\" ];\n", &pol);
	CU_ASSERT_PTR_NOT_NULL(p);
	profile_free(p);
	/* Without a policy nothing is checked against domains. */
	p = loaded(&fx, BASE "dns = [ \"www.example.org\", \"sip.${dom}\", "
	    "\"${web}\" ];\n", NULL);
	CU_ASSERT_PTR_NOT_NULL(p);
	profile_free(p);
	fx_teardown(&fx);
	strv_free(&pol.domains);
}

static void
test_values_add(void)
{
	struct profile_values	 vs = { NULL, 0 };
	char			*cause = NULL;

	CU_ASSERT_EQUAL(profile_values_add(&vs, "dom=a.example", &cause), 0);
	CU_ASSERT_EQUAL(profile_values_add(&vs, "fqdn=x=y", &cause), 0);
	CU_ASSERT_EQUAL(profile_values_add(&vs, "dom=b.example", &cause), 0);
	CU_ASSERT_EQUAL(profile_values_add(&vs, "web=", &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL_FATAL(vs.n, 3);
	CU_ASSERT_STRING_EQUAL(vs.v[0].name, "dom");
	CU_ASSERT(strv_is(&vs.v[0].values, "a.example", "b.example", NULL));
	CU_ASSERT_STRING_EQUAL(vs.v[1].name, "fqdn");
	CU_ASSERT(strv_is(&vs.v[1].values, "x=y", NULL));
	CU_ASSERT(strv_is(&vs.v[2].values, "", NULL));
	CU_ASSERT_EQUAL(profile_values_add(&vs, "fqdn", &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "'fqdn'") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(profile_values_add(&vs, "=x", &cause), ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(profile_values_add(&vs, "", &cause), ERR_USAGE);
	free(cause);
	CU_ASSERT_EQUAL(vs.n, 3);
	profile_values_free(&vs);
	CU_ASSERT_EQUAL(vs.n, 0);
	CU_ASSERT_PTR_NULL(vs.v);
}

#define NAMES_PROFILE \
	HEAD SUBJ KEY DAYS "eku = [ \"clientAuth\", \"serverAuth\" ];\n" \
	"dns = [ \"${fqdn}\", \"${web}\", \"sip.${dom}\", "		\
	"\"FE.example.com\",\n"						\
	"	\"lyncdiscover.${dom}\", \"fe.EXAMPLE.com\" ];\n"	\
	"cdp = \"http://pki.example.com/extra.crl\";\n"

static void
test_bind_expand(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, NAMES_PROFILE, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "dom=a.example",
	    "fqdn=fe.example.com", "dom=b.example,a.example", "web=web.example",
	    NULL), 0);
	CU_ASSERT_STRING_EQUAL(r->profile, "t");
	CU_ASSERT_EQUAL_FATAL(r->subject.n, 1);
	CU_ASSERT_STRING_EQUAL(dn_get(&r->subject, dn_oid("CN")),
	    "fe.example.com");
	/*
	 * Once per SIP domain, in order; case-insensitive duplicates dropped.
	 */
	CU_ASSERT(strv_is(&r->dns, "fe.example.com", "web.example",
	    "sip.a.example", "sip.b.example", "lyncdiscover.a.example",
	    "lyncdiscover.b.example", NULL));
	CU_ASSERT_EQUAL(r->ip.n, 0);
	CU_ASSERT(strv_is(&r->eku, SERVER_AUTH, CLIENT_AUTH, NULL));
	CU_ASSERT(strv_is(&r->cdp, "http://pki.example.com/extra.crl", NULL));
	CU_ASSERT_EQUAL(r->key.alg, KEY_RSA);
	CU_ASSERT_EQUAL(r->validity_days, 90);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT);
	CU_ASSERT_STRING_EQUAL(r->friendly_name, "fe.example.com");
	/* Declaration order; list values as bound, joined by commas. */
	CU_ASSERT_STRING_EQUAL(r->vars, "fqdn=fe.example.com\n"
	    "dom=a.example,b.example,a.example\nweb=web.example\n");
	request_free(r);
	free(cause);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_bind_optional_dropped(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, HEAD "subject = { CN = \"${fqdn}\"; OU = \"${web}\"; "
	    "O = \"Example\"; };\n" KEY DAYS EKU
	    "dns = [ \"${fqdn}\", \"${web}\", \"x.${web}.${fqdn}\", "
	    "\"sip.${dom}\" ];\n"
	    "friendly_name = \"${web} cert\";\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a.example",
	    "dom=example", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(r->subject.n, 2);
	CU_ASSERT_STRING_EQUAL(r->subject.v[0].value, "a.example");
	CU_ASSERT_STRING_EQUAL(r->subject.v[1].oid, dn_oid("O"));
	CU_ASSERT(strv_is(&r->dns, "a.example", "sip.example", NULL));
	/* The friendly name falls back to the CN. */
	CU_ASSERT_STRING_EQUAL(r->friendly_name, "a.example");
	CU_ASSERT_STRING_EQUAL(r->vars, "fqdn=a.example\ndom=example\n");
	request_free(r);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a.example",
	    "dom=example", "web=w", NULL), 0);
	CU_ASSERT_EQUAL(r->subject.n, 3);
	CU_ASSERT(strv_is(&r->dns, "a.example", "w", "x.w.a.example",
	    "sip.example", NULL));
	CU_ASSERT_STRING_EQUAL(r->friendly_name, "w cert");
	request_free(r);
	CU_ASSERT_PTR_NULL(cause);
	profile_free(p);
	/* A CN that needs an unset optional variable is a usage error. */
	p = loaded(&fx, HEAD "subject = { CN = \"${web}\"; };\n" KEY DAYS EKU
	    "dns = [ \"${fqdn}\", \"sip.${dom}\" ];\n", NULL);
	CU_ASSERT_EQUAL(bind_with(p, 0, &r, &cause, "fqdn=a", "dom=b", NULL),
	    ERR_USAGE);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(cause != NULL && strstr(cause, "'web'") != NULL);
	free(cause);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_bind_lists(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, "description = \"d\";\nvariables = {\n"
	    "	dom = { list = true; };\n"
	    "	addr = { list = true; default = \"192.0.2.1,192.0.2.2\"; };\n"
	    "};\n"
	    "subject = { CN = \"sip.${dom}\"; OU = \"${dom}\"; };\n"
	    "dns = [ \"sip.${dom}\", \"${dom}\" ];\n"
	    "ip = [ \"${addr}\", \"192.0.2.2\" ];\nallow_ip = true;\n"
	    KEY DAYS EKU "friendly_name = \"${dom}\";\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* Split on commas, empty elements dropped, repeated --set appended. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "dom=,a.example,,"
	    "b.example,", "dom=c.example", NULL), 0);
	CU_ASSERT_STRING_EQUAL(dn_get(&r->subject, dn_oid("CN")),
	    "sip.a.example");
	CU_ASSERT_STRING_EQUAL(dn_get(&r->subject, dn_oid("OU")), "a.example");
	CU_ASSERT(strv_is(&r->dns, "sip.a.example", "sip.b.example",
	    "sip.c.example", "a.example", "b.example", "c.example", NULL));
	/* The default is split too; ip duplicates dropped. */
	CU_ASSERT(strv_is(&r->ip, "192.0.2.1", "192.0.2.2", NULL));
	CU_ASSERT_STRING_EQUAL(r->friendly_name, "a.example");
	CU_ASSERT_STRING_EQUAL(r->vars, "dom=a.example,b.example,c.example\n"
	    "addr=192.0.2.1,192.0.2.2\n");
	request_free(r);
	/* Given values replace the default. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "dom=a.example",
	    "addr=198.51.100.7", NULL), 0);
	CU_ASSERT(strv_is(&r->ip, "198.51.100.7", "192.0.2.2", NULL));
	request_free(r);
	/* An address is one address however it is written. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "dom=a.example",
	    "addr=::1,0:0:0:0:0:0:0:1,2001:DB8::0:1,2001:db8::1,192.0.2.2",
	    NULL), 0);
	CU_ASSERT(strv_is(&r->ip, "::1", "2001:db8::1", "192.0.2.2", NULL));
	request_free(r);
	CU_ASSERT_PTR_NULL(cause);
	/* Only commas: no value at all. */
	CU_ASSERT_EQUAL(bind_with(p, 0, &r, &cause, "dom=,,", NULL), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "'dom'") != NULL);
	free(cause);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_bind_ec_key_usage(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	struct keyspec	 ec = { KEY_EC, 256 }, rsa = { KEY_RSA, 2048 };
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, HEAD SUBJ "key = \"ec:p256\";\n" DAYS EKU USES, NULL);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a", "dom=b",
	    NULL), 0);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
	CU_ASSERT_EQUAL(r->key.alg, KEY_EC);
	request_free(r);
	profile_free(p);
	/*
	 * keyEncipherment follows the certificate's key: an RSA role's
	 * usages fitted to an EC key lose it, an EC role's fitted to an RSA
	 * key gain it, and lose keyAgreement, which an RSA key cannot have;
	 * the others stay as listed
	 */
	p = loaded(&fx, BASE USES "key_usage = [ \"digitalSignature\", "
	    "\"keyEncipherment\", \"nonRepudiation\" ];\n", NULL);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a", "dom=b",
	    NULL), 0);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT | GNUTLS_KEY_NON_REPUDIATION);
	profile_fit_key(r, p, &ec);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_NON_REPUDIATION);
	request_free(r);
	profile_free(p);
	p = loaded(&fx, HEAD SUBJ "key = \"ec:p256\";\n" DAYS EKU USES
	    "key_usage = [ \"digitalSignature\", \"keyAgreement\" ];\n", NULL);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a", "dom=b",
	    NULL), 0);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_AGREEMENT);
	profile_fit_key(r, p, &rsa);
	CU_ASSERT_EQUAL(r->key_usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT);
	request_free(r);
	profile_free(p);
	CU_ASSERT_PTR_NULL(cause);
	fx_teardown(&fx);
}

/* A bind that must fail with a usage error whose cause starts with msg. */
static void
bind_refused(const struct profile *p, const char *msg, ...)
{
	struct profile_values	 vs = { NULL, 0 };
	struct request		*r = NULL;
	va_list			 ap;
	const char		*a;
	char			*cause = NULL;

	va_start(ap, msg);
	while ((a = va_arg(ap, const char *)) != NULL)
		CU_ASSERT_EQUAL(profile_values_add(&vs, a, &cause), 0);
	va_end(ap);
	CU_ASSERT_EQUAL(profile_bind(p, &vs, &r, &cause), ERR_USAGE);
	CU_ASSERT_PTR_NULL(r);
	if (!starts(cause, msg)) {
		fprintf(stderr, "\n  want: %s...\n  got:  %s\n", msg, cause);
		CU_FAIL("cause does not match");
	}
	free(cause);
	request_free(r);
	profile_values_free(&vs);
}

static void
test_bind_refusals(void)
{
	struct fx	 fx;
	struct profile	*p;

	fx_setup(&fx);
	p = loaded(&fx, BASE USES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	bind_refused(p, "unknown variable 'pool_fdqn' (profile t takes: fqdn, "
	    "dom, web)", "fqdn=a", "dom=b", "pool_fdqn=x", NULL);
	bind_refused(p, "missing variable 'fqdn' (server FQDN)", "dom=b", NULL);
	bind_refused(p, "missing variable 'dom' (SIP domains)", "fqdn=a", NULL);
	bind_refused(p, "variable 'fqdn' takes one value", "fqdn=a", "dom=b",
	    "fqdn=c", NULL);
	bind_refused(p, "variable 'fqdn' has an empty value", "fqdn=", "dom=b",
	    NULL);
	bind_refused(p, "variable 'web' has an empty value", "fqdn=a", "dom=b",
	    "web=", NULL);
	bind_refused(p, "variable 'fqdn': control characters", "fqdn=a\nb",
	    "dom=b", NULL);
	bind_refused(p, "variable 'dom': control characters", "fqdn=a",
	    "dom=b,c\x7f", NULL);
	bind_refused(p, "variable 'web': control characters", "fqdn=a",
	    "dom=b", "web=\t", NULL);
	profile_free(p);
	p = loaded(&fx, "description = \"d\";\nvariables = {};\n"
	    "subject = { CN = \"x\"; };\n" KEY DAYS EKU, NULL);
	bind_refused(p, "unknown variable 'a' (profile t takes: none)", "a=b",
	    NULL);
	profile_free(p);
	fx_teardown(&fx);
}

/* What a value may be once it is in the certificate. */
static void
test_bind_text(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL, *arg;
	char		 v[400];

	fx_setup(&fx);
	p = loaded(&fx, HEAD "subject = { CN = \"${fqdn}\"; O = \"${web}\"; "
	    "};\n" KEY DAYS EKU "dns = [ \"${fqdn}\", \"sip.${dom}\" ];\n",
	    NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* UTF-8 in an O is text, and fine */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=a.example",
	    "dom=b.example", "web=Caf\xc3\xa9 Lab", NULL), 0);
	CU_ASSERT_STRING_EQUAL(dn_get(&r->subject, dn_oid("O")),
	    "Caf\xc3\xa9 Lab");
	request_free(r);
	/* an A-label is ASCII, and fine */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause,
	    "fqdn=xn--caf-dma.example", "dom=b.example", NULL), 0);
	request_free(r);
	CU_ASSERT_PTR_NULL(cause);

	bind_refused(p, "variable 'web': 'caf\\xe9' is not valid UTF-8",
	    "fqdn=a", "dom=b", "web=caf\xe9", NULL);
	bind_refused(p, "variable 'web': 'a\\xc0\\xaf' is not valid UTF-8",
	    "fqdn=a", "dom=b", "web=a\xc0\xaf", NULL);
	bind_refused(p, "variable 'fqdn': 'caf\\xe9.example' is not valid",
	    "fqdn=caf\xe9.example", "dom=b", NULL);
	bind_refused(p, "variable 'web': control characters", "fqdn=a",
	    "dom=b", "web=a\xc2\x85", NULL);
	bind_refused(p, "variable 'fqdn': 'caf\xc3\xa9.example' is not an "
	    "ASCII host name: roleca puts no international names in "
	    "certificates; give its A-label form 'xn--caf-dma.example'",
	    "fqdn=caf\xc3\xa9.example", "dom=b.example", NULL);
	bind_refused(p, "variable 'dom': 'b\xc3\xbc" "cher.example' is not an "
	    "ASCII host name", "fqdn=a.example",
	    "dom=a.example,b\xc3\xbc" "cher.example", NULL);
	/* RFC 5280's bounds, naming the attribute and its template */
	memset(v, 'o', 65);
	v[65] = '\0';
	if (asprintf(&arg, "web=%s", v) < 0)
		abort();
	bind_refused(p, "subject O ('${web}') is 65 characters long (at most "
	    "64: RFC 5280's upper bound)", "fqdn=a.example", "dom=b.example",
	    arg, NULL);
	free(arg);
	memset(v, 'a', 300);
	strcpy(v + 300, ".lab.example");
	if (asprintf(&arg, "fqdn=%s", v) < 0)
		abort();
	bind_refused(p, "subject CN ('${fqdn}') is 312 characters long",
	    arg, "dom=b.example", NULL);
	free(arg);
	/* signing binds partially: the same refusals */
	CU_ASSERT_EQUAL(bind_with(p, 1, &r, &cause, "fqdn=caf\xc3\xa9.example",
	    NULL), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "xn--caf-dma.example"));
	free(cause);
	profile_free(p);

	/* a C from a variable */
	p = loaded(&fx, "description = \"d\";\nvariables = { c = {}; };\n"
	    "subject = { CN = \"x.example\"; C = \"${c}\"; };\n" KEY DAYS EKU,
	    NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	bind_refused(p, "subject C ('${c}') is not a two-letter country code",
	    "c=USA", NULL);
	cause = NULL;
	CU_ASSERT_EQUAL(bind_with(p, 0, &r, &cause, "c=DE", NULL), 0);
	request_free(r);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_bind_subject_literal(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, "description = \"d\";\nvariables = {\n"
	    "	fqdn = {};\n	org = {};\n};\n"
	    "subject = { CN = \"${fqdn}\"; O = \"${org}\"; };\n"
	    "dns = \"${fqdn}\";\n" KEY DAYS EKU, NULL);
	/* A non-list value keeps its commas; a DN string is never parsed. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=web.example",
	    "org=a,O=Evil", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(r->subject.n, 2);
	CU_ASSERT_STRING_EQUAL(r->subject.v[1].value, "a,O=Evil");
	CU_ASSERT_STRING_EQUAL(r->vars, "fqdn=web.example\norg=a,O=Evil\n");
	request_free(r);
	/* bind validates no DNS syntax: policy.c judges the certificate. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause, "fqdn=not a name!",
	    "org=x", NULL), 0);
	CU_ASSERT(strv_is(&r->dns, "not a name!", NULL));
	request_free(r);
	CU_ASSERT_PTR_NULL(cause);
	profile_free(p);
	fx_teardown(&fx);
}

static void
test_bind_partial(void)
{
	struct fx	 fx;
	struct profile	*p;
	struct request	*r;
	char		*cause = NULL;

	fx_setup(&fx);
	p = loaded(&fx, HEAD "subject = { CN = \"${fqdn}\"; O = \"Example\"; "
	    "};\n" KEY DAYS EKU "dns = [ \"${fqdn}\", \"sip.${dom}\", "
	    "\"static.example.com\", \"${web}\" ];\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* Required variables may stay unset; the CN may go. */
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 1, &r, &cause, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(r->subject.n, 1);
	CU_ASSERT_PTR_NULL(dn_get(&r->subject, dn_oid("CN")));
	CU_ASSERT(strv_is(&r->dns, "static.example.com", NULL));
	CU_ASSERT_PTR_NULL(r->friendly_name);
	CU_ASSERT_STRING_EQUAL(r->vars, "");
	CU_ASSERT_NOT_EQUAL(r->key_usage, 0);
	request_free(r);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 1, &r, &cause, "dom=a.example",
	    NULL), 0);
	CU_ASSERT(strv_is(&r->dns, "sip.a.example", "static.example.com",
	    NULL));
	request_free(r);
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 1, &r, &cause, "fqdn=x.example",
	    NULL), 0);
	CU_ASSERT_STRING_EQUAL(r->friendly_name, "x.example");
	request_free(r);
	CU_ASSERT_PTR_NULL(cause);
	/* The other refusals stand. */
	CU_ASSERT_EQUAL(bind_with(p, 1, &r, &cause, "nope=x", NULL), ERR_USAGE);
	CU_ASSERT(starts(cause, "unknown variable 'nope'"));
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(bind_with(p, 1, &r, &cause, "fqdn=a", "fqdn=b", NULL),
	    ERR_USAGE);
	free(cause);
	profile_free(p);
	fx_teardown(&fx);
}

/*
 * Only "nothing there" (ENOENT, ENOTDIR) moves the search on: a place
 * that cannot be looked at is an error naming it, never a silent fall
 * back to the next directory's (the shipped) profile. p1/ on the path
 * holds local.cfg and one.cfg.
 */
static void
test_find_unreadable(struct fx *fx)
{
	struct strv	 paths = { NULL, 0 };
	char		*path = NULL, *cause = NULL, *ca, *link;

	/* a symlink loop: ELOOP, with a fallback in p1 */
	fx_mkdir(fx, "loop");
	fx_mkdir(fx, "loop/profiles");
	link = fx_path(fx, "loop/profiles/one.cfg");
	CU_ASSERT_EQUAL_FATAL(symlink("one.cfg", link), 0);
	ca = fx_path(fx, "loop");
	CU_ASSERT_EQUAL(profile_find("one", ca, &path, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(path);
	CU_ASSERT(cause != NULL && strstr(cause, link) == cause &&
	    strstr(cause, "search stops") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(profile_list(ca, &paths, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, link) != NULL);
	free(cause);
	cause = NULL;
	strv_free(&paths);
	/* another name is not there: the search goes on */
	CU_ASSERT_EQUAL(profile_find("local", ca, &path, &cause), 0);
	CU_ASSERT(path != NULL && strstr(path, "/p1/local.cfg") != NULL);
	free(path);
	path = NULL;
	free(ca);
	free(link);

	/*
	 * DIR/profiles a file: not the directory the path names, so an
	 * error, never a fall back to p1 (which would hide the CA's own)
	 */
	fx_mkdir(fx, "flat");
	free(fx_write(fx, "flat/profiles", "x"));
	ca = fx_path(fx, "flat");
	CU_ASSERT_EQUAL(profile_find("one", ca, &path, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(path);
	CU_ASSERT(cause != NULL && strstr(cause, "/flat/profiles: not a "
	    "directory") != NULL);
	free(cause);
	cause = NULL;
	free(ca);

	/* an unreadable directory (root reads any: only as a user) */
	if (geteuid() != 0) {
		ca = fx_path(fx, "ca");
		link = fx_path(fx, "ca/profiles");
		CU_ASSERT_EQUAL_FATAL(chmod(link, 0), 0);
		CU_ASSERT_EQUAL(profile_find("local", ca, &path, &cause),
		    ERR_FAIL);
		CU_ASSERT(cause != NULL && strstr(cause, link) == cause &&
		    strstr(cause, "Permission denied") != NULL);
		free(cause);
		CU_ASSERT_EQUAL(chmod(link, 0700), 0);
		free(link);
		free(ca);
	}
}

static void
test_find(void)
{
	struct fx	 fx;
	char		*path = NULL, *cause = NULL, *want, *env;
	const char	*bad[] = { "../frontend", "a/b", "x.cfg", "", "a b",
	    "/etc/passwd", "..", NULL };

	fx_setup(&fx);
	fx_mkdir(&fx, "ca");
	fx_mkdir(&fx, "ca/profiles");
	fx_mkdir(&fx, "p1");
	fx_mkdir(&fx, "p2");
	free(fx_write(&fx, "ca/profiles/local.cfg", BASE));
	free(fx_write(&fx, "p1/local.cfg", BASE));
	free(fx_write(&fx, "p1/one.cfg", BASE));
	free(fx_write(&fx, "p2/one.cfg", BASE));
	free(fx_write(&fx, "p2/two_2-x.cfg", BASE));
	fx_mkdir(&fx, "p2/dir.cfg");
	if (asprintf(&env, ":%s/p1::%s/p2:", fx.dir, fx.dir) < 0)
		abort();
	setenv("ROLECA_PROFILE_PATH", env, 1);
	want = fx_path(&fx, "ca");
	CU_ASSERT_EQUAL(profile_find("local", want, &path, &cause), 0);
	CU_ASSERT(path != NULL && strstr(path, "/ca/profiles/local.cfg"));
	free(path);
	free(want);
	CU_ASSERT_EQUAL(profile_find("local", NULL, &path, &cause), 0);
	CU_ASSERT(path != NULL && strstr(path, "/p1/local.cfg"));
	free(path);
	CU_ASSERT_EQUAL(profile_find("one", NULL, &path, &cause), 0);
	CU_ASSERT(path != NULL && strstr(path, "/p1/one.cfg"));
	free(path);
	CU_ASSERT_EQUAL(profile_find("two_2-x", NULL, &path, &cause), 0);
	CU_ASSERT(path != NULL && strstr(path, "/p2/two_2-x.cfg"));
	free(path);
	CU_ASSERT_PTR_NULL(cause);
	path = NULL;
	/* A directory named like a profile is not one. */
	CU_ASSERT_EQUAL(profile_find("dir", NULL, &path, &cause), ERR_USAGE);
	CU_ASSERT_PTR_NULL(path);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(profile_find("no-such-profile", NULL, &path, &cause),
	    ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(cause, "unknown profile 'no-such-profile' "
	    "(see roleca profiles)");
	free(cause);
	for (size_t i = 0; bad[i] != NULL; i++) {
		cause = NULL;
		CU_ASSERT_EQUAL(profile_find(bad[i], NULL, &path, &cause),
		    ERR_USAGE);
		CU_ASSERT_PTR_NULL(path);
		CU_ASSERT(cause != NULL &&
		    strstr(cause, "profile name") != NULL);
		free(cause);
	}
	test_find_unreadable(&fx);
	unsetenv("ROLECA_PROFILE_PATH");
	free(env);
	fx_teardown(&fx);
}

/* paths are sorted by base name, and each base name appears once. */
static int
sorted_unique(const struct strv *paths)
{
	for (size_t i = 1; i < paths->n; i++)
		if (strcmp(strrchr(paths->v[i - 1], '/'),
		    strrchr(paths->v[i], '/')) >= 0)
			return 0;
	return 1;
}

static const char *
listed(const struct strv *paths, const char *suffix)
{
	size_t	 n = strlen(suffix), len;

	for (size_t i = 0; i < paths->n; i++) {
		len = strlen(paths->v[i]);
		if (len >= n && strcmp(paths->v[i] + len - n, suffix) == 0)
			return paths->v[i];
	}
	return NULL;
}

/* Where a path ending in suffix stands in the list; paths->n if absent. */
static size_t
position(const struct strv *paths, const char *suffix)
{
	const char	*p = listed(paths, suffix);

	for (size_t i = 0; p != NULL && i < paths->n; i++)
		if (paths->v[i] == p)
			return i;
	return paths->n;
}

static void
test_list(void)
{
	struct fx	 fx;
	struct strv	 paths = { NULL, 0 };
	char		*cause = NULL, *ca, *env, *ca_path = NULL;

	fx_setup(&fx);
	fx_mkdir(&fx, "ca");
	fx_mkdir(&fx, "ca/profiles");
	fx_mkdir(&fx, "p1");
	free(fx_write(&fx, "ca/profiles/zeta.cfg", BASE));
	free(fx_write(&fx, "ca/profiles/alpha.cfg", BASE));
	free(fx_write(&fx, "p1/alpha.cfg", BASE));
	free(fx_write(&fx, "p1/mid.cfg", BASE));
	free(fx_write(&fx, "p1/notes.txt", "x"));
	free(fx_write(&fx, "p1/bad name.cfg", BASE));
	free(fx_write(&fx, "p1/.cfg", BASE));
	fx_mkdir(&fx, "p1/sub.cfg");
	if (asprintf(&env, "%s/p1:%s/missing", fx.dir, fx.dir) < 0)
		abort();
	setenv("ROLECA_PROFILE_PATH", env, 1);
	ca = fx_path(&fx, "ca");
	CU_ASSERT_EQUAL(profile_list(ca, &paths, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT(sorted_unique(&paths));
	CU_ASSERT(listed(&paths, "/ca/profiles/alpha.cfg") != NULL);
	CU_ASSERT(listed(&paths, "/p1/alpha.cfg") == NULL);
	CU_ASSERT(listed(&paths, "/p1/mid.cfg") != NULL);
	CU_ASSERT(listed(&paths, "/ca/profiles/zeta.cfg") != NULL);
	CU_ASSERT(listed(&paths, "/bad name.cfg") == NULL);
	CU_ASSERT(listed(&paths, "/.cfg") == NULL);
	CU_ASSERT(listed(&paths, "/sub.cfg") == NULL);
	CU_ASSERT(listed(&paths, "notes.txt") == NULL);
	CU_ASSERT(position(&paths, "/alpha.cfg") <
	    position(&paths, "/mid.cfg"));
	strv_free(&paths);
	/* a file where the path names a directory is an error, not skipped */
	free(env);
	if (asprintf(&env, "%s/p1/notes.txt:%s/p1", fx.dir, fx.dir) < 0)
		abort();
	setenv("ROLECA_PROFILE_PATH", env, 1);
	CU_ASSERT_EQUAL(profile_list(NULL, &paths, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "/p1/notes.txt: not a "
	    "directory") != NULL);
	free(cause);
	cause = NULL;
	strv_free(&paths);
	CU_ASSERT_EQUAL(profile_find("mid", NULL, &ca_path, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "/p1/notes.txt: not a "
	    "directory") != NULL);
	free(cause);
	cause = NULL;
	free(env);
	if (asprintf(&env, "%s/p1:%s/missing", fx.dir, fx.dir) < 0)
		abort();
	setenv("ROLECA_PROFILE_PATH", env, 1);
	/* Without a CA directory the next occurrence is found instead. */
	CU_ASSERT_EQUAL(profile_list(NULL, &paths, &cause), 0);
	CU_ASSERT(listed(&paths, "/p1/alpha.cfg") != NULL);
	CU_ASSERT(listed(&paths, "/zeta.cfg") == NULL ||
	    strstr(listed(&paths, "/zeta.cfg"), fx.dir) == NULL);
	strv_free(&paths);
	free(ca);
	free(ca_path);
	unsetenv("ROLECA_PROFILE_PATH");
	free(env);
	fx_teardown(&fx);
}

/* The shipped profiles, bound with the variables the lab demo uses. */
static const struct {
	const char	*name;
	const char	*vars[6];
	const char	*cn;
} shipped[] = {
	{ "frontend", { "pool_fqdn=pool01.lab.example",
	    "server_fqdn=fe01.lab.example", "sip_domain=lab.example",
	    "web_internal=webint.lab.example",
	    "web_external=webext.lab.example",
	    NULL }, "pool01.lab.example" },
	{ "standard-edition", { "server_fqdn=se01.lab.example",
	    "sip_domain=lab.example", "web_internal=se01.lab.example", NULL },
	    "se01.lab.example" },
	{ "director", { "pool_fqdn=dirpool.lab.example",
	    "server_fqdn=dir01.lab.example", "sip_domain=lab.example",
	    "web_internal=dirweb.lab.example",
	    "web_external=dirwebext.lab.example", NULL },
	    "dirpool.lab.example" },
	{ "edge-internal", { "pool_fqdn=edgepool-int.lab.example", NULL },
	    "edgepool-int.lab.example" },
	{ "edge-external", { "sip_domain=lab.example",
	    "webconf_fqdn=webconf.lab.example", "av_fqdn=av.lab.example",
	    NULL }, "sip.lab.example" },
	{ "edge-av", { "av_fqdn=av.lab.example", NULL }, "av.lab.example" },
	{ "mediation", { "pool_fqdn=medpool.lab.example",
	    "server_fqdn=med01.lab.example", NULL }, "medpool.lab.example" },
	{ "persistent-chat", { "server_fqdn=chat01.lab.example", NULL },
	    "chat01.lab.example" },
	{ "office-web-apps", { "farm_fqdn=owa.lab.example",
	    "farm_external=owaext.lab.example", NULL }, "owa.lab.example" },
	{ "reverse-proxy", { "web_external=webext.lab.example",
	    "sip_domain=lab.example", "farm_external=owaext.lab.example",
	    NULL }, "webext.lab.example" },
	{ "video-interop", { "pool_fqdn=vispool.lab.example",
	    "server_fqdn=vis01.lab.example", NULL }, "vispool.lab.example" },
	{ "oauth", { "sip_domain=lab.example", NULL }, "lab.example" },
};

static void
check_shipped(size_t i, const struct ca_policy *pol)
{
	struct profile_values	 vs = { NULL, 0 };
	struct profile		*p = NULL;
	struct request		*r = NULL;
	char			*path, *cause = NULL;

	if (asprintf(&path, "%s/profiles/%s.cfg", SRCDIR, shipped[i].name) < 0)
		abort();
	CU_ASSERT_EQUAL(profile_load(path, pol, &p, &cause), 0);
	for (size_t j = 0; shipped[i].vars[j] != NULL; j++)
		CU_ASSERT_EQUAL(profile_values_add(&vs, shipped[i].vars[j],
		    &cause), 0);
	if (p != NULL) {
		CU_ASSERT_EQUAL(p->key.alg, KEY_RSA);
		CU_ASSERT_EQUAL(p->key.bits, 2048);
		for (size_t j = 0; j < p->ndns; j++)
			CU_ASSERT(strncmp(p->dns[j].text, "*.", 2) != 0);
		CU_ASSERT(!p->allow_wildcard && !p->allow_ip);
		CU_ASSERT_EQUAL(profile_bind(p, &vs, &r, &cause), 0);
	}
	if (r != NULL)
		CU_ASSERT_STRING_EQUAL(dn_get(&r->subject, dn_oid("CN")),
		    shipped[i].cn);
	if (cause != NULL)
		fprintf(stderr, "\n  %s: %s\n", shipped[i].name, cause);
	free(cause);
	request_free(r);
	profile_free(p);
	profile_values_free(&vs);
	free(path);
}

static void
test_shipped(void)
{
	struct ca_policy	 pol;

	memset(&pol, 0, sizeof pol);
	strv_add(&pol.domains, "lab.example");
	for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
		check_shipped(i, &pol);
	strv_free(&pol.domains);
}

static void
test_shipped_frontend(void)
{
	struct profile	*p = NULL;
	struct request	*r = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(profile_load(SRCDIR "/profiles/frontend.cfg",
	    NULL, &p, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(p->nvars, 5);
	CU_ASSERT_STRING_EQUAL(p->vars[0].name, "pool_fqdn");
	CU_ASSERT_STRING_EQUAL(p->vars[1].name, "server_fqdn");
	CU_ASSERT_STRING_EQUAL(p->vars[2].name, "sip_domain");
	CU_ASSERT(p->vars[0].required && p->vars[1].required);
	CU_ASSERT(p->vars[2].required && p->vars[2].list);
	CU_ASSERT(!p->vars[3].required && !p->vars[4].required);
	CU_ASSERT(strv_is(&p->eku, SERVER_AUTH, CLIENT_AUTH, NULL));
	CU_ASSERT_EQUAL_FATAL(bind_with(p, 0, &r, &cause,
	    "pool_fqdn=pool01.lab.example", "server_fqdn=fe01.lab.example",
	    "sip_domain=lab.example,corp.lab.example", NULL), 0);
	CU_ASSERT(strv_is(&r->dns, "pool01.lab.example", "fe01.lab.example",
	    "sip.lab.example", "sip.corp.lab.example",
	    "lyncdiscoverinternal.lab.example",
	    "lyncdiscoverinternal.corp.lab.example",
	    "lyncdiscover.lab.example", "lyncdiscover.corp.lab.example",
	    "meet.lab.example", "meet.corp.lab.example",
	    "dialin.lab.example", "dialin.corp.lab.example",
	    "admin.lab.example", "admin.corp.lab.example", NULL));
	request_free(r);
	profile_free(p);
	free(cause);
}

/* The frontend's names per template: names[i] for p->dns[i]. */
static void
per_template(const struct profile *p, struct strv *names, ...)
{
	va_list		 ap;
	const char	*name;

	va_start(ap, names);
	while ((name = va_arg(ap, const char *)) != NULL) {
		for (size_t i = 0; i < p->ndns; i++)
			if (strncmp(p->dns[i].text, name,
			    strcspn(name, ".") + 1) == 0) {
				strv_add(&names[i], name);
				break;
			}
	}
	va_end(ap);
}

static void
test_list_values_agree(void)
{
	struct profile		*p = NULL;
	struct profile_values	 none = { 0 }, set = { 0 };
	struct strv		 names[16];
	struct list_gap		 gap;
	char			*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(profile_load(SRCDIR "/profiles/frontend.cfg",
	    NULL, &p, &cause), 0);
	CU_ASSERT_FATAL(p->ndns <= 16);
	memset(names, 0, sizeof names);
	/* one domain everywhere, another in some: which one and where */
	per_template(p, names, "sip.a.example", "meet.a.example",
	    "dialin.A.example", "admin.a.example", "lyncdiscover.a.example",
	    "lyncdiscoverinternal.a.example", "meet.b.example", NULL);
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, NULL, &gap), 1);
	CU_ASSERT_STRING_EQUAL(gap.var, "sip_domain");
	CU_ASSERT_STRING_EQUAL(gap.value, "b.example");
	CU_ASSERT_STRING_EQUAL(gap.in, "meet.${sip_domain}");
	CU_ASSERT_STRING_EQUAL(gap.out, "sip.${sip_domain}");
	free(gap.value);
	/* a variable --set gives is not taken from names */
	CU_ASSERT_EQUAL(profile_values_add(&set, "sip_domain=a.example",
	    &cause), 0);
	CU_ASSERT_EQUAL(profile_values_agree(p, &set, names, NULL, &gap), 0);
	CU_ASSERT_PTR_NULL(gap.value);
	for (size_t i = 0; i < 16; i++)
		strv_free(&names[i]);
	/* the same two domains in every template, case aside: they agree */
	per_template(p, names, "sip.a.example", "sip.b.example",
	    "meet.B.example", "meet.a.example", NULL);
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, NULL, &gap), 0);
	/* the CN's domain must be one of them */
	per_template(p, names, "sip.a.example", "meet.a.example", NULL);
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, NULL, &gap), 0);
	for (size_t i = 0; i < 16; i++)
		strv_free(&names[i]);
	profile_values_free(&set);
	profile_free(p);
	free(cause);
}

/* A variable that is no list has one value wherever it is used. */
static void
test_values_agree_single(void)
{
	const char	*text = "description = \"t\";\n"
	    "variables = { host = { description = \"h\"; }; };\n"
	    "subject = { CN = \"${host}\"; };\n"
	    "dns = [ \"${host}\", \"www.${host}\" ];\n" KEY DAYS EKU;
	struct fx		 fx;
	struct profile		*p = NULL;
	struct profile_values	 none = { 0 };
	struct strv		 names[2];
	struct list_gap		 gap;
	char			*cause = NULL;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(load(&fx, text, NULL, &p, &cause), 0);
	memset(names, 0, sizeof names);
	strv_add(&names[0], "a.example");
	strv_add(&names[1], "www.b.example");
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, NULL, &gap), 1);
	CU_ASSERT_STRING_EQUAL(gap.var, "host");
	CU_ASSERT_STRING_EQUAL(gap.value, "a.example");
	CU_ASSERT_STRING_EQUAL(gap.other, "b.example");
	CU_ASSERT_STRING_EQUAL(gap.in, "${host}");
	CU_ASSERT_STRING_EQUAL(gap.out, "www.${host}");
	free(gap.value);
	free(gap.other);
	strv_free(&names[1]);
	strv_add(&names[1], "WWW.A.example");
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, NULL, &gap), 0);
	/* the CN is a third place of the same value */
	CU_ASSERT_EQUAL(profile_values_agree(p, &none, names, "c.example",
	    &gap), 1);
	CU_ASSERT_STRING_EQUAL(gap.value, "c.example");
	CU_ASSERT_STRING_EQUAL(gap.other, "a.example");
	free(gap.value);
	free(gap.other);
	strv_free(&names[0]);
	strv_free(&names[1]);
	profile_free(p);
	fx_teardown(&fx);
	free(cause);
}

/* Patterns: bound variables are text, a list one pattern per value. */
static void
test_tmpl_patterns(void)
{
	const char	*text = "description = \"t\";\n"
	    "variables = { sub = { description = \"s\"; };\n"
	    "  d = { description = \"d\"; list = true; };\n"
	    "  o = { description = \"o\"; default = \"x\"; }; };\n"
	    "subject = { CN = \"${o}.${d}\"; };\n"
	    "dns = [ \"${sub}.${d}\" ];\n" KEY DAYS EKU;
	struct fx		 fx;
	struct profile		*p = NULL;
	struct profile_values	 vs = { 0 }, none = { 0 };
	struct strv		 pats = { NULL, 0 };
	char			*cause = NULL;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(load(&fx, text, NULL, &p, &cause), 0);
	profile_tmpl_patterns(p, &none, "${sub}.${d}", &pats);
	CU_ASSERT(strv_is(&pats, "${sub}.${d}", NULL));
	strv_free(&pats);
	profile_tmpl_patterns(p, &none, "${o}.${d}", &pats);
	CU_ASSERT(strv_is(&pats, "x.${d}", NULL));
	strv_free(&pats);
	CU_ASSERT_EQUAL(profile_values_add(&vs, "d=a.example,b.example",
	    &cause), 0);
	profile_tmpl_patterns(p, &vs, "${sub}.${d}", &pats);
	CU_ASSERT(strv_is(&pats, "${sub}.a.example", "${sub}.b.example",
	    NULL));
	CU_ASSERT_EQUAL(profile_pattern_literal(pats.v[0]), 10);
	strv_free(&pats);
	profile_values_free(&vs);
	profile_free(p);
	fx_teardown(&fx);
	free(cause);
}



static const CU_TestInfo tests[] = {
	{ "load a minimal profile", test_load_minimal },
	{ "load every key", test_load_full },
	{ "load: single strings, the name", test_load_names },
	{ "refuse unknown keys", test_refuse_unknown_keys },
	{ "refuse bad variables", test_refuse_variables },
	{ "refuse missing keys", test_refuse_missing },
	{ "refuse bad subjects", test_refuse_subject },
	{ "refuse text unfit for a certificate", test_refuse_text },
	{ "refuse bad key and validity", test_refuse_key_validity },
	{ "refuse bad eku", test_refuse_eku },
	{ "refuse bad key_usage", test_refuse_key_usage },
	{ "refuse bad cdp", test_refuse_cdp },
	{ "wildcards and IPs need permission", test_refuse_wildcard_ip },
	{ "refuse bad templates", test_refuse_templates },
	{ "refuse syntax errors and missing files", test_refuse_syntax },
	{ "literal names and the permitted domains", test_policy_domains },
	{ "values_add", test_values_add },
	{ "bind expands variables", test_bind_expand },
	{ "bind drops unset optional templates", test_bind_optional_dropped },
	{ "bind list variables and defaults", test_bind_lists },
	{ "bind key usage by key type", test_bind_ec_key_usage },
	{ "bind refusals", test_bind_refusals },
	{ "bind: UTF-8, host names, bounds", test_bind_text },
	{ "bind never parses a DN", test_bind_subject_literal },
	{ "bind_partial", test_bind_partial },
	{ "find on the search path", test_find },
	{ "list the search path", test_list },
	{ "shipped profiles load and bind", test_shipped },
	{ "shipped frontend", test_shipped_frontend },
	{ "a list variable's values agree across templates",
	    test_list_values_agree },
	{ "a variable has one value across templates",
	    test_values_agree_single },
	{ "template patterns", test_tmpl_patterns },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	unsetenv("ROLECA_PROFILE_PATH");
	unit_suite("profile", tests);
	return unit_run();
}
