/*
 * der.c: lengths at the short/long form boundaries, integers, OIDs and
 * times, each compared with hand-computed DER; the reader on what the
 * writer makes and on malformed input.
 */
#include <stdio.h>
#include <string.h>

#include "der.h"
#include "unit.h"

static void
test_lengths(void)
{
	static const size_t	 sizes[] = { 0, 1, 127, 128, 255, 256, 65535,
	    65536 };
	static const size_t	 heads[] = { 2, 2, 2, 3, 3, 4, 4, 5 };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct der	 d;
		size_t		 mark;

		der_init(&d, 0);
		mark = der_open(&d, DER_SEQUENCE);
		for (size_t j = 0; j < sizes[i]; j++)
			der_raw(&d, "x", 1);
		der_close(&d, mark);
		CU_ASSERT_EQUAL(d.len, sizes[i] + heads[i]);
		CU_ASSERT_EQUAL(d.p[0], 0x30);
		if (heads[i] == 2)
			CU_ASSERT_EQUAL(d.p[1], sizes[i]);
		if (sizes[i] == 128) {
			CU_ASSERT_EQUAL(d.p[1], 0x81);
			CU_ASSERT_EQUAL(d.p[2], 0x80);
		}
		if (sizes[i] == 65536) {
			CU_ASSERT_EQUAL(d.p[1], 0x83);
			CU_ASSERT(memcmp(d.p + 2, "\x01\x00\x00", 3) == 0);
		}
		CU_ASSERT_EQUAL(d.p[d.len - 1],
		    sizes[i] ? 'x' : d.p[d.len - 1]);
		der_free(&d);
	}
}

static void
test_nested(void)
{
	struct der	 d;
	size_t		 outer, inner;

	der_init(&d, 0);
	outer = der_open(&d, DER_SEQUENCE);
	inner = der_open(&d, DER_SEQUENCE);
	for (int i = 0; i < 200; i++)
		der_raw(&d, "y", 1);
	der_close(&d, inner);
	der_close(&d, outer);
	/* 30 81 CB | 30 81 C8 | 200 bytes */
	CU_ASSERT_EQUAL(d.len, 206);
	CU_ASSERT(memcmp(d.p, "\x30\x81\xcb\x30\x81\xc8y", 7) == 0);
	der_free(&d);
}

static void
test_integers(void)
{
	struct der		 d;
	static const unsigned char	 high[] = { 0x80, 0x01 };
	static const unsigned char	 zeros[] = { 0x00, 0x00, 0x05 };
	static const unsigned char	 zero[] = { 0x00 };

	der_init(&d, 0);
	der_uint(&d, DER_INTEGER, high, sizeof high);
	CU_ASSERT(d.len == 5 && memcmp(d.p, "\x02\x03\x00\x80\x01", 5) == 0);
	d.len = 0;
	der_uint(&d, DER_INTEGER, zeros, sizeof zeros);
	CU_ASSERT(d.len == 3 && memcmp(d.p, "\x02\x01\x05", 3) == 0);
	d.len = 0;
	der_uint(&d, DER_INTEGER, zero, sizeof zero);
	CU_ASSERT(d.len == 3 && memcmp(d.p, "\x02\x01\x00", 3) == 0);
	d.len = 0;
	der_small_uint(&d, DER_INTEGER, 1);
	CU_ASSERT(d.len == 3 && memcmp(d.p, "\x02\x01\x01", 3) == 0);
	d.len = 0;
	der_small_uint(&d, DER_INTEGER, 300);
	CU_ASSERT(d.len == 4 && memcmp(d.p, "\x02\x02\x01\x2c", 4) == 0);
	der_free(&d);
}

static void
test_oids(void)
{
	struct der	 d;

	der_init(&d, 0);
	CU_ASSERT_EQUAL(der_oid(&d, "2.5.29.21"), 0);
	CU_ASSERT(d.len == 5 && memcmp(d.p, "\x06\x03\x55\x1d\x15", 5) == 0);
	d.len = 0;
	CU_ASSERT_EQUAL(der_oid(&d, "1.2.840.113549.1.1.11"), 0);
	CU_ASSERT(d.len == 11 && memcmp(d.p,
	    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 11) == 0);
	d.len = 0;
	CU_ASSERT_EQUAL(der_oid(&d, "1.2.x"), -1);
	CU_ASSERT_EQUAL(der_oid(&d, "1"), -1);
	CU_ASSERT_EQUAL(der_oid(&d, "3.1"), -1);
	CU_ASSERT_EQUAL(der_oid(&d, "1.40"), -1);
	CU_ASSERT_EQUAL(der_oid(&d, "1.2."), -1);
	CU_ASSERT_EQUAL(d.len, 0);
	der_free(&d);
}

static void
test_times(void)
{
	struct der	 d;

	der_init(&d, 0);
	der_time(&d, 1767323045);	/* 2026-01-02 03:04:05 UTC */
	CU_ASSERT(d.len == 15 &&
	    memcmp(d.p, "\x17\x0d" "260102030405Z", 15) == 0);
	d.len = 0;
	der_time(&d, 2524608000);	/* 2050-01-01 00:00:00 UTC */
	CU_ASSERT(d.len == 17 &&
	    memcmp(d.p, "\x18\x0f" "20500101000000Z", 17) == 0);
	der_free(&d);
}

/* GeneralizedTime whatever the year: before 2050, and a day's last second. */
static void
test_gentimes(void)
{
	unsigned char	 b[DER_TIME_MAX];

	CU_ASSERT(der_gentime_bytes(b, 1767323045) == 17 &&
	    memcmp(b, "\x18\x0f" "20260102030405Z", 17) == 0);
	CU_ASSERT(der_gentime_bytes(b, 946684799) == 17 &&
	    memcmp(b, "\x18\x0f" "19991231235959Z", 17) == 0);
	CU_ASSERT(der_gentime_bytes(b, 2524608000) == 17 &&
	    memcmp(b, "\x18\x0f" "20500101000000Z", 17) == 0);
}

/* What the writer makes, read back; every malformed form refused. */
static void
test_reader(void)
{
	static const struct {
		const char	*what;
		unsigned char	 in[8];
		size_t		 len;
	} bad[] = {
		{ "empty", { 0 }, 0 },
		{ "a tag alone", { 0x30 }, 1 },
		{ "contents past the end", { 0x04, 0x03, 'a', 'b' }, 4 },
		{ "indefinite length", { 0x30, 0x80, 0, 0 }, 4 },
		{ "a length of five bytes", { 0x04, 0x85, 0, 0, 0, 0, 1, 'a' },
		    8 },
		{ "length bytes past the end", { 0x04, 0x82, 0x01 }, 3 },
		{ "a high tag number", { 0x1f, 0x22, 0x01, 'a' }, 4 },
	};
	struct der	 d;
	struct der_cur	 c, val, whole, inner;
	unsigned	 tag;
	size_t		 mark;

	der_init(&d, 0);
	mark = der_open(&d, DER_SEQUENCE);
	der_small_uint(&d, DER_INTEGER, 5);
	der_tlv(&d, DER_OCTET_STRING, "hello", 5);
	der_close(&d, mark);
	c.p = d.p;
	c.len = d.len;
	CU_ASSERT_EQUAL_FATAL(der_expect(&c, DER_SEQUENCE, &val, &whole), 0);
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT(whole.p == d.p && whole.len == d.len);
	CU_ASSERT_EQUAL(der_take(&val, &tag, &inner, NULL), 0);
	CU_ASSERT(tag == DER_INTEGER && inner.len == 1 && inner.p[0] == 5);
	/* the wrong tag is refused and takes nothing */
	CU_ASSERT_EQUAL(der_expect(&val, DER_INTEGER, &inner, NULL), -1);
	CU_ASSERT_EQUAL(der_expect(&val, DER_OCTET_STRING, &inner, NULL), 0);
	CU_ASSERT(inner.len == 5 && memcmp(inner.p, "hello", 5) == 0);
	CU_ASSERT_EQUAL(val.len, 0);
	CU_ASSERT_EQUAL(der_take(&val, &tag, NULL, NULL), -1);
	der_free(&d);

	/* a long-form length (300 bytes of contents) */
	der_init(&d, 0);
	mark = der_open(&d, DER_OCTET_STRING);
	for (int i = 0; i < 300; i++)
		der_raw(&d, "z", 1);
	der_close(&d, mark);
	c.p = d.p;
	c.len = d.len;
	CU_ASSERT_EQUAL(der_take(&c, &tag, &val, NULL), 0);
	CU_ASSERT(tag == DER_OCTET_STRING && val.len == 300 && c.len == 0);
	der_free(&d);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c.p = bad[i].in;
		c.len = bad[i].len;
		CU_ASSERT_EQUAL(der_take(&c, &tag, &val, NULL), -1);
		if (c.len != bad[i].len)
			fprintf(stderr, "\n    %s: the cursor moved",
			    bad[i].what);
		CU_ASSERT(c.p == bad[i].in && c.len == bad[i].len);
	}
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "lengths at the form boundaries", test_lengths },
		{ "nested constructed values", test_nested },
		{ "integers", test_integers },
		{ "object identifiers", test_oids },
		{ "UTCTime and GeneralizedTime", test_times },
		{ "GeneralizedTime alone", test_gentimes },
		{ "the reader", test_reader },
		CU_TEST_INFO_NULL
	};

	unit_suite("der", tests);
	return unit_run();
}
