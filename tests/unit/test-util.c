/*
 * util.c and err.c: string vectors, DN attribute lists and the bounds of
 * their values, EKU names, UTC times, hex, xasprintf, UTF-8, control
 * characters, host-name syntax; the first cause wins, the return codes
 * and their exit codes.
 */
#include <stdint.h>
#include <stdio.h>
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
	/* lines: the empty ones skipped, the last without its newline kept */
	strv_add_lines(&sv, "DNS:a\n\nIP:1\nlast");
	CU_ASSERT_EQUAL_FATAL(sv.n, 3);
	CU_ASSERT_STRING_EQUAL(sv.v[0], "DNS:a");
	CU_ASSERT_STRING_EQUAL(sv.v[1], "IP:1");
	CU_ASSERT_STRING_EQUAL(sv.v[2], "last");
	strv_add_lines(&sv, NULL);
	strv_add_lines(&sv, "");
	CU_ASSERT_EQUAL(sv.n, 3);
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
	/* at notAfter still valid (RFC 5280 4.1.2.5), a second later not */
	CU_ASSERT(!cert_expired(now, now));
	CU_ASSERT(!cert_expired(now + 1, now));
	CU_ASSERT(cert_expired(now - 1, now));
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

/* UTF-8 as RFC 3629 defines it, byte by byte. */
static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		size_t		 len;
		int		 ok;
	} cases[] = {
		{ "", 0, 1 },
		{ "plain ascii", 11, 1 },
		{ "caf\xc3\xa9", 5, 1 },	/* U+00E9 */
		{ "\xe2\x82\xac", 3, 1 },	/* U+20AC */
		{ "\xef\xbf\xbf", 3, 1 },	/* U+FFFF */
		{ "\xf0\x9f\x98\x80", 4, 1 },	/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },	/* U+10FFFF */
		{ "\xed\x9f\xbf", 3, 1 },	/* U+D7FF */
		{ "\xee\x80\x80", 3, 1 },	/* U+E000 */
		{ "a\0b", 3, 1 },	/* NUL is UTF-8 */
		{ "caf\xe9", 4, 0 },	/* Latin-1 */
		{ "\x80", 1, 0 },	/* stray */
		{ "\xbf", 1, 0 },
		{ "\xc0\xaf", 2, 0 },	/* overlong '/' */
		{ "\xc1\xbf", 2, 0 },
		{ "\xe0\x80\xaf", 3, 0 },
		{ "\xe0\x9f\xbf", 3, 0 },	/* overlong U+07FF */
		{ "\xf0\x80\x80\xaf", 4, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0 },	/* overlong U+FFFF */
		{ "\xed\xa0\x80", 3, 0 },	/* U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },	/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0 },	/* 5 bytes */
		{ "\xfe", 1, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3", 1, 0 },	/* truncated */
		{ "caf\xc3", 4, 0 },
		{ "\xe2\x82", 2, 0 },
		{ "\xf0\x9f\x98", 3, 0 },
		{ "\xc3(", 2, 0 },	/* not continued */
		{ "\xe2\x28\xa1", 3, 0 },
		{ "\xf0\x9f\x98\x28", 4, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CU_ASSERT_EQUAL(utf8_valid(cases[i].s, cases[i].len),
		    cases[i].ok);
		if (utf8_valid(cases[i].s, cases[i].len) != cases[i].ok)
			fprintf(stderr, "\n    case %zu", i);
	}
	/* the length given is what counts, not a NUL */
	CU_ASSERT(utf8_valid("caf\xc3\xa9", 4) == 0);
	CU_ASSERT_EQUAL(utf8_chars(""), 0);
	CU_ASSERT_EQUAL(utf8_chars("abc"), 3);
	CU_ASSERT_EQUAL(utf8_chars("caf\xc3\xa9"), 4);
	CU_ASSERT_EQUAL(utf8_chars("\xf0\x9f\x98\x80\xe2\x82\xac"), 2);
}

static void
test_has_control(void)
{
	CU_ASSERT(!has_control(""));
	CU_ASSERT(!has_control("a b ~"));
	CU_ASSERT(!has_control("caf\xc3\xa9 \xc2\xa0"));	/* U+00A0 */
	CU_ASSERT(has_control("a\tb"));
	CU_ASSERT(has_control("a\nb"));
	CU_ASSERT(has_control("\x1f"));
	CU_ASSERT(has_control("\x7f"));
	CU_ASSERT(has_control("a\xc2\x80"));			/* U+0080 */
	CU_ASSERT(has_control("a\xc2\x9f"));			/* U+009F */
	CU_ASSERT(!has_format_char("caf\xc3\xa9 \xe2\x80\x94 \xef\xbb\xbe"));
	CU_ASSERT(has_format_char("a\xe2\x80\xaez"));		/* U+202E */
	CU_ASSERT(has_format_char("\xe2\x80\xa8"));		/* U+2028 */
	CU_ASSERT(has_format_char("a\xe2\x81\xa7"));		/* U+2067 */
	CU_ASSERT(has_format_char("a\xe2\x80\x8f"));		/* U+200F */
	CU_ASSERT(has_format_char("\xd8\x9c"));			/* U+061C */
	CU_ASSERT(has_format_char("a\xef\xbb\xbf"));		/* U+FEFF */
	CU_ASSERT(has_format_char("\xef\xbf\xbf"));		/* U+FFFF */
	CU_ASSERT(!has_format_char("\xe2\x80\x8d"));	/* U+200D (ZWJ) */
	CU_ASSERT(!has_format_char("\xe2\x80\x8c"));	/* U+200C (ZWNJ) */
	CU_ASSERT(has_format_char("a\xe2\x80\x8b" "b"));	/* U+200B */
	CU_ASSERT(has_format_char("a\xc2\xad" "b"));		/* U+00AD */
	CU_ASSERT(has_format_char("\xe2\x81\xa0"));		/* U+2060 */
	CU_ASSERT(has_format_char("\xe2\x81\xa4"));		/* U+2064 */
	CU_ASSERT(!has_format_char("\xe2\x81\xa5"));	/* U+2065 */
	CU_ASSERT(has_format_char("\xe1\xa0\x8e"));		/* U+180E */
	CU_ASSERT(!has_format_char("\xc2\xa0"));	/* U+00A0 */
	{
		unsigned char	 le[] = { 0xff, 0xfe, '-', 0, 'A', 0 };
		unsigned char	 be[] = { 0xfe, 0xff, 0, '-', 0, 'A' };
		unsigned char	 bom[] = { 0xef, 0xbb, 0xbf, 'M', 'I' };
		unsigned char	 wide[] = { 0xff, 0xfe, 0xe9, 0, 'A', 0 };
		unsigned char	 der[] = { 0x30, 0x82 };

		CU_ASSERT_EQUAL(text_as_ascii(le, sizeof le), 2);
		CU_ASSERT(memcmp(le, "-A", 2) == 0);
		CU_ASSERT_EQUAL(text_as_ascii(be, sizeof be), 2);
		CU_ASSERT(memcmp(be, "-A", 2) == 0);
		CU_ASSERT_EQUAL(text_as_ascii(bom, sizeof bom), 2);
		CU_ASSERT(memcmp(bom, "MI", 2) == 0);
		/* not all ASCII: left as it is */
		CU_ASSERT_EQUAL(text_as_ascii(wide, sizeof wide), sizeof wide);
		CU_ASSERT_EQUAL(text_as_ascii(der, sizeof der), sizeof der);
	}
	CU_ASSERT(asn1_printable("Lab (Test) 1+1=2, a-b/c.d:e?'", 29));
	CU_ASSERT(!asn1_printable("a*b", 3));
	CU_ASSERT(!asn1_printable("a&b", 3));
	CU_ASSERT(!asn1_printable("a\0b", 3));
	CU_ASSERT(!asn1_printable("caf\xc3\xa9", 5));
	CU_ASSERT(asn1_printable("", 0));
}

static void
test_quote_text(void)
{
	char	*q, *cause = NULL;

	q = quote_text("caf\xc3\xa9.lab", 64);
	CU_ASSERT_STRING_EQUAL(q, "caf\xc3\xa9.lab");
	free(q);
	/* only cut: the message it goes into escapes it, once */
	q = quote_text("caf\xe9\n\\", 64);
	CU_ASSERT_STRING_EQUAL(q, "caf\xe9\n\\");
	err_usage(&cause, "value '%s' is not valid UTF-8", q);
	CU_ASSERT(cause != NULL && strcmp(cause,
	    "value 'caf\\xe9\\n\\x5c' is not valid UTF-8") == 0);
	free(cause);
	free(q);
	q = quote_text("\xc3\xa9\xc3\xa9\xc3\xa9", 2);
	CU_ASSERT_STRING_EQUAL(q, "\xc3\xa9\xc3\xa9...");
	free(q);
	q = quote_text("\xff\xff\xff", 2);
	CU_ASSERT_STRING_EQUAL(q, "\xff\xff...");
	free(q);
	q = quote_text("ab", 2);
	CU_ASSERT_STRING_EQUAL(q, "ab");
	free(q);
}

/*
 * What was typed comes back escaped so that it can be told back: a typed
 * backslash-n and a newline differ, and bytes that are not UTF-8 are
 * \xHH; a message escaped again (to print it) stays as it is.
 */
static void
test_escape_text(void)
{
	char	*a = err_escape_text("ab\\ncd"), *b = err_escape_text("ab\ncd");
	char	*e, *again, *cause = NULL;

	CU_ASSERT_STRING_EQUAL(a, "ab\\x5cncd");
	CU_ASSERT_STRING_EQUAL(b, "ab\\ncd");
	CU_ASSERT(strcmp(a, b) != 0);
	e = err_escape_text("\xff\xfe caf\xc3\xa9 \xc3 \xe2\x82 "
	    "\xc2\x9b\x7f\x1b");
	CU_ASSERT_STRING_EQUAL(e,
	    "\\xff\\xfe caf\xc3\xa9 \\xc3 \\xe2\\x82 \\xc2\\x9b\\x7f\\x1b");
	CU_ASSERT(utf8_valid(e, strlen(e)) && !has_control(e));
	again = err_escape(e);
	CU_ASSERT_STRING_EQUAL(again, e);
	free(again);
	/* a message: its backslashes are escapes already */
	again = err_escape(a);
	CU_ASSERT_STRING_EQUAL(again, a);
	free(again);
	again = err_escape("p\xff\n");
	CU_ASSERT_STRING_EQUAL(again, "p\\xff\\n");
	free(again);
	CU_ASSERT_EQUAL(err_usage(&cause, "invalid serial '%s'", "\xff\\"),
	    ERR_USAGE);
	CU_ASSERT(cause != NULL &&
	    strcmp(cause, "invalid serial '\\xff\\x5c'") == 0);
	/* a message made already is not escaped twice */
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(err_message(&cause, ERR_POLICY, "dNSName 'a\\x5cb'"),
	    ERR_POLICY);
	CU_ASSERT(cause != NULL && strcmp(cause, "dNSName 'a\\x5cb'") == 0);
	free(cause);
	free(e);
	free(a);
	free(b);
}

/* A serial as typed, in the form the database keeps and commands print. */
static void
test_serial_normalize(void)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "00ABCDEF:0123", "abcdef0123" },
		{ "00394a", "394a" },
		{ "394a", "394a" },
		{ "abc", "0abc" },
		{ "000abc", "0abc" },
		{ "0", "00" },
		{ "00", "00" },
		{ "3A:1F", "3a1f" },
		{ "", NULL },
		{ ":3a", NULL },
		{ "3a:", NULL },
		{ "3a::1f", NULL },
		{ "xyz", NULL },
		{ "\xff\xfe", NULL },
	};
	char	 big[SERIAL_HEX_MAX + 2];
	char	*n;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		n = serial_normalize(t[i].in);
		CU_ASSERT(t[i].want == NULL ? n == NULL :
		    n != NULL && strcmp(n, t[i].want) == 0);
		free(n);
	}
	memset(big, 'a', SERIAL_HEX_MAX + 1);
	big[SERIAL_HEX_MAX + 1] = '\0';
	CU_ASSERT_PTR_NULL(serial_normalize(big));
	big[SERIAL_HEX_MAX] = '\0';
	n = serial_normalize(big);
	CU_ASSERT(n != NULL && strcmp(n, big) == 0);
	free(n);
	/* leading zeros do not count toward the 40 digits */
	{
		char	 zeros[SERIAL_HEX_MAX + 8];

		(void)snprintf(zeros, sizeof zeros, "000000%s", big);
		n = serial_normalize(zeros);
		CU_ASSERT(n != NULL && strcmp(n, big) == 0);
		free(n);
		zeros[5] = '1';		/* 41 significant digits */
		CU_ASSERT_PTR_NULL(serial_normalize(zeros));
	}
}

/* JSON stays JSON whatever a database row holds. */
static void
test_json_string(void)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	CU_ASSERT_FATAL(f != NULL);
	/* quote, backslash; newline, ESC, C1 CSI, RLO; é; bad bytes */
	json_string(f, "a\"\\\n\x1b\xc2\x9b\xe2\x80\xae"
	    " caf\xc3\xa9 p\xff \xc3");
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "\"a\\\"\\\\\\\\x0a\\\\x1b\\\\xc2\\\\x9b"
	    "\\\\xe2\\\\x80\\\\xae caf\xc3\xa9 p\\\\xff \\\\xc3\"");
	CU_ASSERT(utf8_valid(buf, len));
	free(buf);
}

static void
test_host_name(void)
{
	CU_ASSERT(host_name_valid("lab.example", 0, 2));
	CU_ASSERT(host_name_valid("corp", 0, 1));
	CU_ASSERT(!host_name_valid("corp", 0, 2));
	CU_ASSERT(host_name_valid("xn--caf-dma.example", 0, 1));
	CU_ASSERT(!host_name_valid("caf\xc3\xa9.example", 0, 1));
	CU_ASSERT(!host_name_valid("", 0, 1));
	CU_ASSERT(!host_name_valid(".", 0, 1));
	CU_ASSERT(!host_name_valid(".lab.example", 0, 1));
	CU_ASSERT(!host_name_valid("lab.example.", 0, 1));
	CU_ASSERT(!host_name_valid("*.lab.example", 0, 1));
	CU_ASSERT(host_name_valid("*.lab.example", 1, 2));
	CU_ASSERT(!host_name_valid("*.example", 1, 2));
	CU_ASSERT(!host_name_valid("a b.example", 0, 1));
	CU_ASSERT(!host_name_valid("-a.example", 0, 1));
	CU_ASSERT(!host_name_valid(NULL, 0, 1));
}

/* RFC 5280's upper bounds, and the rest of what a DN value must be. */
static void
test_dn_values(void)
{
	static const struct {
		const char	*attr;
		size_t		 max;
	} bounds[] = {
		{ "CN", 64 }, { "O", 64 }, { "OU", 64 }, { "L", 128 },
		{ "ST", 128 }, { "C", 2 }, { "DC", 63 },
	};
	char	 buf[128], v[200];

	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		const char	*oid = dn_oid(bounds[i].attr);

		CU_ASSERT_EQUAL(dn_max_chars(oid), bounds[i].max);
		if (strcmp(bounds[i].attr, "C") == 0)
			continue;
		memset(v, 'a', bounds[i].max);
		v[bounds[i].max] = '\0';
		CU_ASSERT_EQUAL(dn_value_check(oid, v, buf, sizeof buf), 0);
		v[bounds[i].max] = 'a';
		v[bounds[i].max + 1] = '\0';
		CU_ASSERT_EQUAL(dn_value_check(oid, v, buf, sizeof buf), -1);
		CU_ASSERT(strstr(buf, "characters long (at most") != NULL);
	}
	CU_ASSERT_EQUAL(dn_max_chars("1.2.3.4"), 0);
	/* characters, not bytes: 64 e-acutes are 128 bytes */
	for (size_t i = 0; i < 64; i++)
		memcpy(v + 2 * i, "\xc3\xa9", 2);
	v[128] = '\0';
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("O"), v, buf, sizeof buf), 0);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("CN"), "caf\xe9", buf,
	    sizeof buf), -1);
	CU_ASSERT_STRING_EQUAL(buf, "is not valid UTF-8");
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("O"), "a\x01", buf, sizeof buf),
	    -1);
	CU_ASSERT_STRING_EQUAL(buf, "contains a control character");
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("O"), "", buf, sizeof buf), -1);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "DE", buf, sizeof buf), 0);
	/* ISO 3166 codes are upper case (zlint's e_subject_country_not_iso) */
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "de", buf, sizeof buf),
	    -1);
	CU_ASSERT(strstr(buf, "upper case") != NULL);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("O"), "   ", buf, sizeof buf),
	    -1);
	CU_ASSERT_STRING_EQUAL(buf, "is blank");
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("O"), " a ", buf, sizeof buf),
	    0);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "USA", buf, sizeof buf),
	    -1);
	CU_ASSERT(strstr(buf, "two-letter country code") != NULL);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "D", buf, sizeof buf), -1);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "1A", buf, sizeof buf),
	    -1);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("C"), "\xc3\xa9", buf,
	    sizeof buf), -1);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("DC"), "lab", buf, sizeof buf),
	    0);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("DC"), "caf\xc3\xa9", buf,
	    sizeof buf), -1);
	CU_ASSERT(strstr(buf, "not ASCII") != NULL);
	CU_ASSERT_EQUAL(dn_value_check(dn_oid("DC"), "lab.example", buf,
	    sizeof buf), -1);
	CU_ASSERT(strstr(buf, "one DNS label") != NULL);
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
		{ "utf8_valid and utf8_chars", test_utf8 },
		{ "has_control, has_format_char, asn1_printable",
	    test_has_control },
		{ "quote_text", test_quote_text },
		{ "escaping what was typed", test_escape_text },
		{ "json_string", test_json_string },
		{ "serial_normalize", test_serial_normalize },
		{ "host_name_valid", test_host_name },
		{ "DN values: bounds, C, DC, UTF-8", test_dn_values },
		CU_TEST_INFO_NULL
	};

	unit_suite("util", tests);
	return unit_run();
}
