/*
 * deploy.c: servers and shared groups as units, every name used once
 * (a server's or a group's), the errors with file:line, and a file of
 * thousands of servers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy.h"
#include "err.h"
#include "unit.h"
#include "util.h"

static char	 dir[] = "/tmp/roleca-test-deploy.XXXXXX";

static char *
write_cfg(const char *text)
{
	static int	 n;
	char		*path;
	FILE		*f;

	xasprintf(&path, "%s/dep%d.cfg", dir, n++);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

#define SERVER(name, extra) \
	"{ name = \"" name "\"; role = \"edge-av\";" extra \
	" set = { av_fqdn = \"av.lab.example\"; }; }"

static void
test_units(void)
{
	char			*path = write_cfg("servers = (\n"
	    SERVER("fe01", "") ",\n"
	    SERVER("e1", " shared = \"av\";") ",\n"
	    SERVER("e2", " shared = \"av\";") ",\n"
	    SERVER("fe02", "") "\n);\n");
	struct deployment	*d = NULL;
	char			*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(deploy_load(path, &d, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(d->n, 3);
	CU_ASSERT_STRING_EQUAL(d->v[0].name, "fe01");
	CU_ASSERT_EQUAL(d->v[0].members.n, 1);
	CU_ASSERT_STRING_EQUAL(d->v[1].name, "av");
	CU_ASSERT_EQUAL(d->v[1].line, 3);
	CU_ASSERT_EQUAL_FATAL(d->v[1].members.n, 2);
	CU_ASSERT_STRING_EQUAL(d->v[1].members.v[0], "e1");
	CU_ASSERT_STRING_EQUAL(d->v[1].members.v[1], "e2");
	CU_ASSERT_STRING_EQUAL(d->v[2].name, "fe02");
	CU_ASSERT_EQUAL(d->v[2].line, 5);
	deploy_free(d);
	unlink(path);
	free(path);
}

/*
 * text is refused, its cause "PATH:LINE: want" (line 0: "PATH: want"),
 * exactly or, with prefix, at its start.
 */
static void
refused_at(const char *text, int line, const char *want, int prefix)
{
	char			*path = write_cfg(text), *cause = NULL, *full;
	struct deployment	*d = NULL;
	int			 ok;

	CU_ASSERT_EQUAL(deploy_load(path, &d, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(d);
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", path, line, want);
	else
		xasprintf(&full, "%s: %s", path, want);
	ok = cause != NULL && (prefix ? strncmp(cause, full,
	    strlen(full)) == 0 : strcmp(cause, full) == 0);
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n  want: %s\n  got:  %s\n", full, cause);
	free(full);
	free(cause);
	unlink(path);
	free(path);
}

/*
 * A name names a server or a group, once: however the two entries that
 * share it are listed, the second is refused at its line.
 */
static void
test_duplicates(void)
{
	static const struct {
		const char	*first, *second, *name;
	} cases[] = {
		{ SERVER("a", ""), SERVER("a", ""), "a" },
		{ SERVER("a", ""), SERVER("a", " shared = \"g\";"), "a" },
		{ SERVER("a", " shared = \"g\";"), SERVER("a", ""), "a" },
		{ SERVER("a", " shared = \"g\";"),
		    SERVER("a", " shared = \"g\";"), "a" },
		{ SERVER("a", " shared = \"g\";"),
		    SERVER("a", " shared = \"h\";"), "a" },
		{ SERVER("g", ""), SERVER("a", " shared = \"g\";"), "g" },
		{ SERVER("a", " shared = \"g\";"), SERVER("g", ""), "g" },
		{ SERVER("a", " shared = \"g\";"),
		    SERVER("g", " shared = \"h\";"), "g" },
		{ SERVER("a", " shared = \"g\";"),
		    SERVER("b", " shared = \"a\";"), "a" },
		{ SERVER("x", ""), SERVER("a", " shared = \"a\";"), "a" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char	*text, *want;

		xasprintf(&text, "servers = (\n%s,\n%s\n);\n", cases[i].first,
		    cases[i].second);
		xasprintf(&want, "duplicate server or group name %s",
		    cases[i].name);
		refused_at(text, 3, want, 0);
		free(want);
		free(text);
	}
}

/* An empty name or shared name is named as empty; a bad one is quoted. */
static void
test_bad_names(void)
{
	static const struct {
		const char	*server, *want;
	} cases[] = {
		{ SERVER("e1", " shared = \"\";"), "empty shared name" },
		{ SERVER("", ""), "empty server name" },
		{ SERVER("a b", ""), "server and shared names may hold "
		    "letters, digits, '.', '-' and '_' only, not starting "
		    "with '.': a b" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char			*text, *path, *cause = NULL, *want;
		struct deployment	*d = NULL;

		xasprintf(&text, "servers = (\n%s\n);\n", cases[i].server);
		path = write_cfg(text);
		CU_ASSERT_EQUAL(deploy_load(path, &d, &cause), ERR_FAIL);
		xasprintf(&want, "%s:2: %s", path, cases[i].want);
		CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
		if (cause == NULL || strcmp(cause, want) != 0)
			fprintf(stderr, "case %zu: %s\n", i, cause);
		free(want);
		free(cause);
		free(text);
		unlink(path);
		free(path);
	}
}

static void
test_disagree(void)
{
	char			*path = write_cfg("servers = (\n"
	    SERVER("e1", " shared = \"av\";") ",\n"
	    "{ name = \"e2\"; role = \"edge-av\"; shared = \"av\";"
	    " set = { av_fqdn = \"av2.lab.example\"; }; }\n);\n");
	struct deployment	*d = NULL;
	char			*cause = NULL, *want;

	CU_ASSERT_EQUAL(deploy_load(path, &d, &cause), ERR_FAIL);
	xasprintf(&want, "%s:3: members of a shared group need the same "
	    "role and variables: av", path);
	CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
	free(want);
	free(cause);
	unlink(path);
	free(path);
}

/* Names that differ only in case would name one file on Windows. */
static void
test_case_clash(void)
{
	static const struct {
		const char	*first, *second, *name, *other;
	} cases[] = {
		{ SERVER("A1", ""), SERVER("a1", ""), "a1", "A1" },
		{ SERVER("e1", " shared = \"Edge\";"),
		    SERVER("e2", " shared = \"edge\";"), "edge", "Edge" },
		{ SERVER("e1", " shared = \"av\";"), SERVER("AV", ""), "AV",
		    "av" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char	*text, *want;

		xasprintf(&text, "servers = (\n%s,\n%s\n);\n", cases[i].first,
		    cases[i].second);
		xasprintf(&want, "server or group name %s differs from %s "
		    "only in case", cases[i].name, cases[i].other);
		refused_at(text, 3, want, 1);
		free(want);
		free(text);
	}
}

/* servers is a list of groups: a group of groups, or none, is refused. */
static void
test_not_a_list(void)
{
	static const struct {
		const char	*text;
		int		 line;
	} cases[] = {
		{ "servers = {\na = " SERVER("a", "") ";\n};\n", 1 },
		{ "servers = ( );\n", 1 },
		{ "servers = [ \"a\" ];\n", 1 },
		{ "# none\n", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		refused_at(cases[i].text, cases[i].line,
		    "'servers' must list at least one server", 1);
}

/*
 * Members agree on the same variables in any order, and on a list written
 * as a list or as one comma-separated string, as --set reads it.
 */
static void
test_agree(void)
{
	char			*path = write_cfg("servers = (\n"
	    "{ name = \"x1\"; role = \"edge-external\"; shared = \"ext\";"
	    " set = { sip_domain = [ \"lab.example\", \"b.lab.example\" ];"
	    " webconf_fqdn = \"webconf.lab.example\"; }; },\n"
	    "{ name = \"x2\"; role = \"edge-external\"; shared = \"ext\";"
	    " set = { webconf_fqdn = \"webconf.lab.example\";"
	    " sip_domain = \"lab.example,b.lab.example\"; }; },\n"
	    "{ name = \"x3\"; role = \"edge-external\"; shared = \"ext\";"
	    " set = { webconf_fqdn = \"webconf.lab.example\";"
	    " sip_domain = \"b.lab.example,lab.example\"; }; }\n);\n");
	struct deployment	*d = NULL;
	char			*cause = NULL, *want;

	/* x3 lists the domains in another order: another certificate */
	CU_ASSERT_EQUAL(deploy_load(path, &d, &cause), ERR_FAIL);
	xasprintf(&want, "%s:4: members of a shared group need the same "
	    "role and variables: ext", path);
	CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
	if (cause == NULL || strcmp(cause, want) != 0)
		fprintf(stderr, "%s\n", cause);
	free(want);
	free(cause);
	cause = NULL;
	unlink(path);
	free(path);
	path = write_cfg("servers = (\n"
	    "{ name = \"x1\"; role = \"edge-external\"; shared = \"ext\";"
	    " set = { sip_domain = [ \"lab.example\", \"b.lab.example\" ];"
	    " webconf_fqdn = \"webconf.lab.example\"; }; },\n"
	    "{ name = \"x2\"; role = \"edge-external\"; shared = \"ext\";"
	    " set = { webconf_fqdn = \"webconf.lab.example\";"
	    " sip_domain = \"lab.example,b.lab.example\"; }; }\n);\n");
	CU_ASSERT_EQUAL_FATAL(deploy_load(path, &d, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(d->n, 1);
	CU_ASSERT_EQUAL(d->v[0].members.n, 2);
	deploy_free(d);
	free(cause);
	unlink(path);
	free(path);
}

/* Thousands of servers, in pools of ten; one listed twice at the end. */
static void
test_many(void)
{
	enum { N = 20000 };
	struct deployment	*d = NULL;
	char			*path, *cause = NULL, *want;
	FILE			*f;

	xasprintf(&path, "%s/many.cfg", dir);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs("servers = (\n", f);
	for (int i = 0; i < N; i++)
		fprintf(f, "{ name = \"s%d\"; role = \"edge-av\"; shared = "
		    "\"pool%d\"; set = { av_fqdn = \"av%d.lab.example\"; }; "
		    "},\n", i, i / 10, i / 10);
	fputs("{ name = \"last\"; role = \"edge-av\"; }\n);\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(deploy_load(path, &d, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(d->n, N / 10 + 1);
	for (size_t i = 0; i < d->n - 1; i++)
		CU_ASSERT_EQUAL(d->v[i].members.n, 10);
	CU_ASSERT_STRING_EQUAL(d->v[N / 10 - 1].name, "pool1999");
	CU_ASSERT_STRING_EQUAL(d->v[N / 10 - 1].members.v[9], "s19999");
	deploy_free(d);
	d = NULL;

	/* as many servers of their own, the last one's name used before */
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs("servers = (\n", f);
	for (int i = 0; i < N; i++)
		fprintf(f, "{ name = \"s%d\"; role = \"edge-av\"; },\n", i);
	fputs("{ name = \"s12345\"; role = \"edge-av\"; }\n);\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(deploy_load(path, &d, &cause), ERR_FAIL);
	xasprintf(&want, "%s:%d: duplicate server or group name s12345", path,
	    N + 2);
	CU_ASSERT(cause != NULL && strcmp(cause, want) == 0);
	free(want);
	free(cause);
	unlink(path);
	free(path);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "servers and shared groups", test_units },
		{ "every name once", test_duplicates },
		{ "a shared group's members agree", test_disagree },
		{ "empty and bad names", test_bad_names },
		{ "servers: a list, not a group", test_not_a_list },
		{ "names that differ only in case", test_case_clash },
		{ "... in any order, lists in either form", test_agree },
		{ "thousands of servers", test_many },
		CU_TEST_INFO_NULL
	};
	int				 rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	unit_suite("deploy", tests);
	rc = unit_run();
	if (rmdir(dir) != 0) {
		fprintf(stderr, "%s: not empty after the tests\n", dir);
		rc = 1;
	}
	return rc;
}
