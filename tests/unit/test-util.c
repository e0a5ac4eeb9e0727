/*
 * util.c and err.c: string vectors, DN attribute lists, EKU names, UTC
 * times, hex, xasprintf; the first cause wins, the return codes and their
 * exit codes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "unit.h"
#include "util.h"

static void
test_strv(void)
{
	struct strv	 sv = { NULL, 0 };
	char		 buf[] = "owned";

	CU_ASSERT(!strv_has(&sv, "a"));
	CU_ASSERT(!strv_has_icase(&sv, "a"));
	strv_add(&sv, "Alpha");
	strv_add(&sv, buf);
	buf[0] = 'X';		/* strv_add copies */
	strv_add_take(&sv, xstrdup("gamma"));
	CU_ASSERT_EQUAL_FATAL(sv.n, 3);
	CU_ASSERT_STRING_EQUAL(sv.v[0], "Alpha");
	CU_ASSERT_STRING_EQUAL(sv.v[1], "owned");
	CU_ASSERT_STRING_EQUAL(sv.v[2], "gamma");
	CU_ASSERT_PTR_NULL(sv.v[3]);	/* NULL-terminated */

	CU_ASSERT(strv_has(&sv, "Alpha"));
	CU_ASSERT(!strv_has(&sv, "alpha"));
	CU_ASSERT(!strv_has(&sv, "Alph"));
	CU_ASSERT(!strv_has(&sv, "Alphab"));
	CU_ASSERT(!strv_has(&sv, ""));
	CU_ASSERT(strv_has_icase(&sv, "alpha"));
	CU_ASSERT(strv_has_icase(&sv, "ALPHA"));
	CU_ASSERT(strv_has_icase(&sv, "GAMMA"));
	CU_ASSERT(!strv_has_icase(&sv, "alph"));
	CU_ASSERT(!strv_has_icase(&sv, "delta"));

	strv_free(&sv);
	CU_ASSERT_PTR_NULL(sv.v);
	CU_ASSERT_EQUAL(sv.n, 0);
	CU_ASSERT(!strv_has(&sv, "Alpha"));
	/* freeing twice (and freeing an empty vector) is harmless */
	strv_free(&sv);
	strv_add(&sv, "again");
	CU_ASSERT(sv.n == 1 && strv_has(&sv, "again"));
	strv_free(&sv);
}

static void
test_strv_many(void)
{
	struct strv	 sv = { NULL, 0 };
	char		 s[16];

	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof s, "item%d", i);
		strv_add(&sv, s);
	}
	CU_ASSERT_EQUAL(sv.n, 1000);
	CU_ASSERT(strv_has(&sv, "item0"));
	CU_ASSERT(strv_has(&sv, "item999"));
	CU_ASSERT(strv_has_icase(&sv, "ITEM500"));
	CU_ASSERT(!strv_has(&sv, "item1000"));
	CU_ASSERT_PTR_NULL(sv.v[1000]);
	strv_free(&sv);
}

static void
test_dn_oid(void)
{
	static const struct {
		const char	*name, *oid;
	} known[] = {
		{ "CN", "2.5.4.3" }, { "C", "2.5.4.6" }, { "L", "2.5.4.7" },
		{ "ST", "2.5.4.8" }, { "O", "2.5.4.10" }, { "OU", "2.5.4.11" },
		{ "DC", "0.9.2342.19200300.100.1.25" },
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const char	*oid = dn_oid(known[i].name);

		CU_ASSERT_PTR_NOT_NULL_FATAL(oid);
		CU_ASSERT_STRING_EQUAL(oid, known[i].oid);
		CU_ASSERT_STRING_EQUAL(dn_name(oid), known[i].name);
	}
	CU_ASSERT_PTR_EQUAL(dn_oid("cn"), dn_oid("CN"));
	CU_ASSERT_PTR_EQUAL(dn_oid("Ou"), dn_oid("OU"));
	CU_ASSERT_PTR_NULL(dn_oid("XX"));
	CU_ASSERT_PTR_NULL(dn_oid(""));
	CU_ASSERT_PTR_NULL(dn_oid("C "));
	CU_ASSERT_PTR_NULL(dn_oid("CNN"));
	CU_ASSERT_PTR_NULL(dn_oid("emailAddress"));
	CU_ASSERT_PTR_NULL(dn_oid("2.5.4.3"));
	/* an OID dn_oid() does not know comes back as itself */
	CU_ASSERT_STRING_EQUAL(dn_name("1.2.3.4"), "1.2.3.4");
	CU_ASSERT_STRING_EQUAL(dn_name("2.5.4.3.1"), "2.5.4.3.1");
}

static void
test_eku_names(void)
{
	CU_ASSERT_STRING_EQUAL(eku_oid("serverAuth"), "1.3.6.1.5.5.7.3.1");
	CU_ASSERT_STRING_EQUAL(eku_oid("clientAuth"), "1.3.6.1.5.5.7.3.2");
	CU_ASSERT_STRING_EQUAL(eku_oid("anyExtendedKeyUsage"), "2.5.29.37.0");
	CU_ASSERT_PTR_NULL(eku_oid("serverauth"));	/* names are exact */
	CU_ASSERT_PTR_NULL(eku_oid("codeSigning"));
	CU_ASSERT_PTR_NULL(eku_oid("1.3.6.1.5.5.7.3.1"));
	CU_ASSERT_STRING_EQUAL(eku_name(OID_SERVER_AUTH), "serverAuth");
	CU_ASSERT_STRING_EQUAL(eku_name(OID_CLIENT_AUTH), "clientAuth");
	CU_ASSERT_STRING_EQUAL(eku_name(OID_ANY_EKU), "anyExtendedKeyUsage");
	/* one it does not name comes back as itself */
	{
		const char	*oid = "1.3.6.1.5.5.7.3.3";

		CU_ASSERT_PTR_EQUAL(eku_name(oid), oid);
	}
}

static void
test_utc_text(void)
{
	char	 buf[64];

	utc_text(buf, sizeof buf, UTC_DAY, 1796083200);
	CU_ASSERT_STRING_EQUAL(buf, "2026-12-01");
	utc_text(buf, sizeof buf, UTC_ISO, 1796083200 + 3723);
	CU_ASSERT_STRING_EQUAL(buf, "2026-12-01T01:02:03Z");
	utc_text(buf, sizeof buf, UTC_TEXT, 0);
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01 00:00:00 UTC");
	/* a time gmtime cannot represent: its seconds, not a crash */
	utc_text(buf, sizeof buf, UTC_DAY, (time_t)INT64_MAX);
	CU_ASSERT_STRING_EQUAL(buf, "9223372036854775807");
	/* too small a buffer: the seconds, cut to fit and terminated */
	utc_text(buf, 8, UTC_TEXT, 0);
	CU_ASSERT_EQUAL(strlen(buf), 1);
}

static void
test_days_left(void)
{
	time_t	 now = 1796083200;

	CU_ASSERT_EQUAL(days_left(now + 730 * DAY, now), 730);
	/* a second later it still has 730 days, the last one started */
	CU_ASSERT_EQUAL(days_left(now + 730 * DAY, now + 1), 730);
	CU_ASSERT_EQUAL(days_left(now + 730 * DAY, now + DAY - 1), 730);
	CU_ASSERT_EQUAL(days_left(now + 730 * DAY, now + DAY), 729);
	CU_ASSERT_EQUAL(days_left(now + 3600, now), 1);
	CU_ASSERT_EQUAL(days_left(now, now), 0);
	CU_ASSERT_EQUAL(days_left(now - 3600, now), -1);
	CU_ASSERT_EQUAL(days_left(now - DAY, now), -1);
	CU_ASSERT_EQUAL(days_left(now - DAY - 1, now), -2);
}

static void
test_dn(void)
{
	struct dn	 dn = { NULL, 0 };
	char		 value[] = "Org";
	const char	*cn = dn_oid("CN"), *o = dn_oid("O");

	CU_ASSERT_PTR_NULL(dn_get(&dn, cn));
	dn_add(&dn, cn, "a,O=Evil");
	dn_add(&dn, o, value);
	value[0] = 'X';		/* dn_add copies the value */
	dn_add(&dn, dn_oid("OU"), "Unit 1");
	dn_add(&dn, dn_oid("OU"), "Unit 2");
	CU_ASSERT_EQUAL_FATAL(dn.n, 4);
	/* in order, one attribute each, the value never parsed */
	CU_ASSERT_PTR_EQUAL(dn.v[0].oid, cn);
	CU_ASSERT_STRING_EQUAL(dn.v[0].value, "a,O=Evil");
	CU_ASSERT_PTR_EQUAL(dn.v[1].oid, o);
	CU_ASSERT_STRING_EQUAL(dn.v[1].value, "Org");
	CU_ASSERT_STRING_EQUAL(dn.v[3].value, "Unit 2");
	CU_ASSERT_STRING_EQUAL(dn_get(&dn, cn), "a,O=Evil");
	CU_ASSERT_STRING_EQUAL(dn_get(&dn, o), "Org");
	/* the first value of a repeated attribute */
	CU_ASSERT_STRING_EQUAL(dn_get(&dn, dn_oid("OU")), "Unit 1");
	/* looked up by OID text, not by pointer */
	CU_ASSERT_STRING_EQUAL(dn_get(&dn, "2.5.4.10"), "Org");
	CU_ASSERT_PTR_NULL(dn_get(&dn, dn_oid("C")));
	CU_ASSERT_PTR_NULL(dn_get(&dn, "2.5.4"));
	dn_free(&dn);
	CU_ASSERT_PTR_NULL(dn.v);
	CU_ASSERT_EQUAL(dn.n, 0);
	CU_ASSERT_PTR_NULL(dn_get(&dn, cn));
	dn_free(&dn);
}

static void
test_hex(void)
{
	static const unsigned char	 bytes[] = { 0x00, 0x01, 0x7f, 0x80,
	    0xab, 0xcd, 0xef, 0xff, 0x10 };
	char				*s;

	s = hex_encode(bytes, sizeof bytes);
	CU_ASSERT_STRING_EQUAL(s, "00017f80abcdefff10");
	free(s);
	s = hex_encode(bytes, 1);
	CU_ASSERT_STRING_EQUAL(s, "00");
	free(s);
	s = hex_encode(bytes, 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	s = hex_encode(NULL, 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
}

static void
test_xasprintf(void)
{
	char	*s = NULL;
	char	 big[5000];

	CU_ASSERT_EQUAL(xasprintf(&s, "%s:%d: %c", "file.cfg", 12, 'x'), 14);
	CU_ASSERT_STRING_EQUAL(s, "file.cfg:12: x");
	free(s);
	CU_ASSERT_EQUAL(xasprintf(&s, "%s", ""), 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(xasprintf(&s, "<%s>", big), (int)sizeof big + 1);
	CU_ASSERT(s[0] == '<' && s[sizeof big] == '>' &&
	    s[sizeof big + 1] == '\0');
	free(s);
}

static void
test_xalloc(void)
{
	char		*s = xstrndup("abcdef", 3), *t = xstrdup("");
	unsigned char	*z = xcalloc(4, 4);
	int		*v = NULL;
	int		 zero = 1;

	CU_ASSERT_STRING_EQUAL(s, "abc");
	CU_ASSERT_STRING_EQUAL(t, "");
	for (size_t i = 0; i < 16; i++)
		zero &= z[i] == 0;
	CU_ASSERT(zero);
	v = xreallocarray(v, 10, sizeof *v);
	v[9] = 9;
	v = xreallocarray(v, 20, sizeof *v);
	CU_ASSERT_EQUAL(v[9], 9);
	wipe(s, strlen(s));
	CU_ASSERT(s[0] == '\0' && s[1] == '\0' && s[2] == '\0');
	wipe(NULL, 10);
	wipe_free(s, 4);
	wipe_free(NULL, 4);
	free(t);
	free(z);
	free(v);
}

static void
test_err_first_cause(void)
{
	char	*cause = NULL;

	CU_ASSERT_EQUAL(err_set(&cause, "first %d", 1), ERR_FAIL);
	CU_ASSERT_STRING_EQUAL(cause, "first 1");
	CU_ASSERT_EQUAL(err_set(&cause, "second"), ERR_FAIL);
	CU_ASSERT_EQUAL(err_usage(&cause, "third"), ERR_USAGE);
	CU_ASSERT_EQUAL(err_policy(&cause, "fourth"), ERR_POLICY);
	CU_ASSERT_STRING_EQUAL(cause, "first 1");
	free(cause);

	/* a NULL cause pointer still gives the code */
	CU_ASSERT_EQUAL(err_set(NULL, "x"), ERR_FAIL);
	CU_ASSERT_EQUAL(err_usage(NULL, "x"), ERR_USAGE);
	CU_ASSERT_EQUAL(err_policy(NULL, "x"), ERR_POLICY);
}

static void
test_err_codes(void)
{
	char	*cause = NULL;

	CU_ASSERT(ERR_FAIL < 0 && ERR_USAGE < 0 && ERR_POLICY < 0);
	CU_ASSERT(ERR_FAIL != ERR_USAGE && ERR_USAGE != ERR_POLICY &&
	    ERR_FAIL != ERR_POLICY);
	CU_ASSERT_EQUAL(err_usage(&cause, "bad %s", "option"), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(cause, "bad option");
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(err_policy(&cause, "refused: %s", "rule"), ERR_POLICY);
	CU_ASSERT_STRING_EQUAL(cause, "refused: rule");
	free(cause);
}

static void
test_err_prefix(void)
{
	char	*cause = NULL;

	/* nothing to prefix: stays NULL */
	err_prefix(&cause, "profile %s: ", "x.cfg");
	CU_ASSERT_PTR_NULL(cause);
	err_prefix(NULL, "ignored");

	err_set(&cause, "unknown key '%s'", "sanz");
	err_prefix(&cause, "profile %s:%d: ", "frontend.cfg", 12);
	CU_ASSERT_STRING_EQUAL(cause,
	    "profile frontend.cfg:12: unknown key 'sanz'");
	err_prefix(&cause, "sign: ");
	CU_ASSERT_STRING_EQUAL(cause,
	    "sign: profile frontend.cfg:12: unknown key 'sanz'");
	/* a prefixed cause still wins over later ones */
	CU_ASSERT_EQUAL(err_set(&cause, "later"), ERR_FAIL);
	CU_ASSERT_STRING_EQUAL(cause,
	    "sign: profile frontend.cfg:12: unknown key 'sanz'");
	free(cause);
}

static void
test_err_exit_code(void)
{
	CU_ASSERT_EQUAL(EXIT_OK, 0);
	CU_ASSERT_EQUAL(EXIT_ERROR, 1);
	CU_ASSERT_EQUAL(EXIT_USAGE, 2);
	CU_ASSERT_EQUAL(EXIT_POLICY, 3);
	CU_ASSERT_EQUAL(err_exit_code(0), EXIT_OK);
	CU_ASSERT_EQUAL(err_exit_code(ERR_FAIL), EXIT_ERROR);
	CU_ASSERT_EQUAL(err_exit_code(ERR_USAGE), EXIT_USAGE);
	CU_ASSERT_EQUAL(err_exit_code(ERR_POLICY), EXIT_POLICY);
	/* anything else negative is an error, never success */
	CU_ASSERT_EQUAL(err_exit_code(-4), EXIT_ERROR);
	CU_ASSERT_EQUAL(err_exit_code(-100), EXIT_ERROR);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "strv add/has/has_icase/free", test_strv },
		{ "strv grows", test_strv_many },
		{ "dn_oid and dn_name", test_dn_oid },
		{ "dn_add and dn_get", test_dn },
		{ "eku_oid and eku_name", test_eku_names },
		{ "utc_text", test_utc_text },
		{ "days_left", test_days_left },
		{ "hex_encode", test_hex },
		{ "xasprintf", test_xasprintf },
		{ "allocation and wiping", test_xalloc },
		{ "the first cause wins", test_err_first_cause },
		{ "err_usage and err_policy codes", test_err_codes },
		{ "err_prefix", test_err_prefix },
		{ "err_exit_code", test_err_exit_code },
		CU_TEST_INFO_NULL
	};

	unit_suite("util", tests);
	return unit_run();
}
