/*
 * DER writing. A constructed value reserves one length byte when opened;
 * closing it either fills that byte (short form, < 128 bytes: the common
 * case for CRL entries, no copy) or shifts the content once to make room
 * for the long form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "der.h"
#include "util.h"

/*
 * A large buffer (a CRL's entries, 50 MB for a million) is mapped rather
 * than allocated: it then grows by moving page tables (mremap), never by
 * copying, and with transparent huge pages it faults in 2 MB at a time
 * instead of taking a fault per 4 KB page. A size known in advance is
 * populated in one system call.
 */
#define DER_MAP_MIN	(4UL * 1024 * 1024)
/* What a streaming buffer reserves at first: address space, not memory. */
#define DER_STREAM_RESERVE (64UL * 1024 * 1024)

static int
map_region(struct der *d, size_t cap, int populate)
{
	void	*p;

	p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0),
	    -1, 0);
	if (p == MAP_FAILED)
		return -1;
#ifdef MADV_HUGEPAGE
	if (!populate)
		(void)madvise(p, cap, MADV_HUGEPAGE);	/* a hint; may be off */
#endif
	d->p = p;
	d->cap = cap;
	d->mapped = 1;
	return 0;
}

void
der_init(struct der *d, size_t hint)
{
	d->len = 0;
	d->cap = hint > 64 ? hint : 64;
	d->mapped = 0;
	if (d->cap >= DER_MAP_MIN && map_region(d, d->cap, 1) == 0)
		return;
	d->p = xmalloc(d->cap);
}

void
der_init_stream(struct der *d)
{
	d->len = 0;
	d->mapped = 0;
	if (map_region(d, DER_STREAM_RESERVE, 0) == 0)
		return;
	d->cap = 8192;
	d->p = xmalloc(d->cap);
}

void
der_free(struct der *d)
{
	if (d->mapped)
		munmap(d->p, d->cap);
	else
		free(d->p);
	d->p = NULL;
	d->len = d->cap = 0;
	d->mapped = 0;
}

void
der_reserve(struct der *d, size_t more)
{
	size_t	 cap = d->cap;
	void	*p;

	if (d->len + more <= cap)
		return;
	if (d->mapped) {
		while (cap < d->len + more)
			cap *= 2;
		if ((p = mremap(d->p, d->cap, cap, MREMAP_MAYMOVE)) ==
		    MAP_FAILED) {
			p = xmalloc(cap);	/* aborts when out of memory */
			memcpy(p, d->p, d->len);
			munmap(d->p, d->cap);
			d->mapped = 0;
		}
#ifdef MADV_HUGEPAGE
		else
			(void)madvise(p, cap, MADV_HUGEPAGE);
#endif
		d->p = p;
	} else {
		while (cap < d->len + more)
			cap = cap < 4096 ? 8192 : cap + cap / 2;
		d->p = xreallocarray(d->p, cap, 1);
	}
	d->cap = cap;
}

void
der_raw(struct der *d, const void *p, size_t n)
{
	der_reserve(d, n);
	memcpy(d->p + d->len, p, n);
	d->len += n;
}

static size_t
len_size(size_t n)
{
	size_t	 k = 1;

	if (n < 128)
		return 1;
	while (n > 0) {
		k++;
		n >>= 8;
	}
	return k;
}

static void
put_len(unsigned char *p, size_t n)
{
	size_t	 k = len_size(n) - 1;

	if (k == 0) {
		p[0] = (unsigned char)n;
		return;
	}
	p[0] = (unsigned char)(0x80 | k);
	for (size_t i = k; i > 0; i--) {
		p[i] = (unsigned char)(n & 0xff);
		n >>= 8;
	}
}

void
der_tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
	size_t	 ls = len_size(n);

	der_reserve(d, 1 + ls + n);
	d->p[d->len] = tag;
	put_len(d->p + d->len + 1, n);
	if (n > 0)
		memcpy(d->p + d->len + 1 + ls, p, n);
	d->len += 1 + ls + n;
}

void
der_header(struct der *d, uint8_t tag, size_t n)
{
	size_t	 ls = len_size(n);

	der_reserve(d, 1 + ls);
	d->p[d->len] = tag;
	put_len(d->p + d->len + 1, n);
	d->len += 1 + ls;
}

size_t
der_open(struct der *d, uint8_t tag)
{
	der_reserve(d, 2);
	d->p[d->len] = tag;
	d->p[d->len + 1] = 0;
	d->len += 2;
	return d->len;
}

void
der_close(struct der *d, size_t mark)
{
	size_t	 n = d->len - mark, ls = len_size(n);

	if (ls > 1) {
		der_reserve(d, ls - 1);
		memmove(d->p + mark + ls - 1, d->p + mark, n);
		d->len += ls - 1;
	}
	put_len(d->p + mark - 1, n);
}

void
der_uint(struct der *d, uint8_t tag, const unsigned char *p, size_t n)
{
	size_t	 mark;

	while (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	mark = der_open(d, tag);
	if (n == 0 || (p[0] & 0x80))
		der_raw(d, "", 1);
	der_raw(d, p, n);
	der_close(d, mark);
}

void
der_small_uint(struct der *d, uint8_t tag, uint64_t v)
{
	unsigned char	 b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	der_uint(d, tag, b, sizeof b);
}

/*
 * Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no locale, no
 * locks.
 */
static void
civil(int64_t days, int *y, int *m, int *d)
{
	int64_t		 z = days + 719468, era, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *
two(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/*
 * Called once per CRL entry, so it formats by hand rather than through
 * strftime, into the caller's bytes: 15 (UTCTime) or 17 (GeneralizedTime).
 */
size_t
der_time_bytes(unsigned char *out, time_t t)
{
	int64_t		 days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
	char		*p = (char *)out + 2;
	int		 y, m, dd;
	/*
	 * A CRL's entries often come in runs of one day: keep the last, one
	 * per thread (the CRL's shares are encoded on several at once).
	 */
	static _Thread_local int64_t	 last_day = INT64_MIN;
	static _Thread_local char	 last_date[8];
	static _Thread_local int	 last_date_len, last_year;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (days != last_day) {
		char	*q = last_date;

		civil(days, &y, &m, &dd);
		if (y >= 2050)
			q = two(two(q, y / 100), y % 100);
		else
			q = two(q, y % 100);
		q = two(q, m);
		q = two(q, dd);
		last_date_len = (int)(q - last_date);
		last_year = y;
		last_day = days;
	}
	y = last_year;
	memcpy(p, last_date, (size_t)last_date_len);
	p += last_date_len;
	p = two(p, (int)(secs / 3600));
	p = two(p, (int)(secs / 60 % 60));
	p = two(p, (int)(secs % 60));
	*p++ = 'Z';
	out[0] = y >= 2050 ? DER_GENTIME : DER_UTCTIME;
	out[1] = (unsigned char)((unsigned char *)p - out - 2);
	return (size_t)((unsigned char *)p - out);
}

/*
 * GeneralizedTime whatever the year, for the fields RFC 5280 types so
 * (invalidityDate): rare enough per CRL not to need der_time_bytes' cache.
 */
size_t
der_gentime_bytes(unsigned char *out, time_t t)
{
	int64_t		 days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
	char		*p = (char *)out + 2;
	int		 y, m, dd;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil(days, &y, &m, &dd);
	p = two(two(p, y / 100), y % 100);
	p = two(p, m);
	p = two(p, dd);
	p = two(p, (int)(secs / 3600));
	p = two(p, (int)(secs / 60 % 60));
	p = two(p, (int)(secs % 60));
	*p++ = 'Z';
	out[0] = DER_GENTIME;
	out[1] = (unsigned char)((unsigned char *)p - out - 2);
	return (size_t)((unsigned char *)p - out);
}

void
der_time(struct der *d, time_t t)
{
	der_reserve(d, DER_TIME_MAX);
	d->len += der_time_bytes(d->p + d->len, t);
}

/* One base-128 arc. */
static void
put_arc(unsigned char *out, size_t *n, unsigned long v)
{
	unsigned char	 tmp[10];
	size_t		 k = 0;

	do {
		tmp[k++] = (unsigned char)(v & 0x7f);
		v >>= 7;
	} while (v > 0);
	while (k > 0) {
		k--;
		out[(*n)++] = (unsigned char)(tmp[k] | (k > 0 ? 0x80 : 0));
	}
}

int
der_oid(struct der *d, const char *dotted)
{
	unsigned char	 out[128];
	unsigned long	 arcs[32];
	size_t		 narcs = 0, n = 0;
	const char	*s = dotted;
	char		*end;

	while (*s != '\0') {
		if (narcs == 32 || *s < '0' || *s > '9')
			return -1;
		arcs[narcs++] = strtoul(s, &end, 10);
		s = end;
		if (*s == '.' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			return -1;
	}
	if (narcs < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return -1;
	put_arc(out, &n, arcs[0] * 40 + arcs[1]);
	for (size_t i = 2; i < narcs; i++) {
		if (n + 10 > sizeof out)
			return -1;
		put_arc(out, &n, arcs[i]);
	}
	der_tlv(d, DER_OID, out, n);
	return 0;
}

int
der_take(struct der_cur *c, unsigned *tag, struct der_cur *val,
    struct der_cur *whole)
{
	size_t	 hdr = 2, len, n;

	if (c->len < 2 || (c->p[0] & 0x1f) == 0x1f)
		return -1;
	len = c->p[1];
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || c->len < 2 + n)
			return -1;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | c->p[2 + i];
		hdr += n;
	}
	if (len > c->len - hdr)
		return -1;
	if (tag != NULL)
		*tag = c->p[0];
	if (val != NULL) {
		val->p = c->p + hdr;
		val->len = len;
	}
	if (whole != NULL) {
		whole->p = c->p;
		whole->len = hdr + len;
	}
	c->p += hdr + len;
	c->len -= hdr + len;
	return 0;
}

int
der_expect(struct der_cur *c, unsigned want, struct der_cur *val,
    struct der_cur *whole)
{
	struct der_cur	 at = *c;
	unsigned	 tag;

	if (der_take(c, &tag, val, whole) < 0)
		return -1;
	if (tag != want) {
		*c = at;
		return -1;
	}
	return 0;
}
