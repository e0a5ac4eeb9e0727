/*
 * A small DER writer over a growable, length-carrying buffer, for what
 * GnuTLS cannot build (CRLs with entry extensions, at scale). Constructed
 * values are opened, filled and closed; the length is fixed up on close.
 * Allocation failure aborts (like the rest of roleca), so calls cannot fail
 * except through der_oid() on a malformed OID.
 *
 * And a bounds-checked reader, for the few structures roleca walks itself
 * (a certificate's frame and names, a CSR's subjectAltName): GnuTLS reads
 * the rest.
 */
#ifndef ROLECA_DER_H
#define ROLECA_DER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_ENUMERATED	0x0a
#define DER_UTCTIME	0x17
#define DER_GENTIME	0x18
#define DER_SEQUENCE	0x30
#define DER_CONTEXT(n)	(0xa0 | (n))	/* [n] constructed */

struct der {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
	int		 mapped;	/* p is an mmap'ed region */
};

void	 der_init(struct der *, size_t hint);
/* For a buffer of unknown, possibly large size, written front to back. */
void	 der_init_stream(struct der *);
void	 der_free(struct der *);
void	 der_reserve(struct der *, size_t more);
void	 der_raw(struct der *, const void *, size_t);
/* Tag, length and value in one. */
void	 der_tlv(struct der *, uint8_t tag, const void *, size_t);
/* A tag and a length alone, for a value written elsewhere. */
void	 der_header(struct der *, uint8_t tag, size_t len);
/* Open a constructed value; close it with the mark this returns. */
size_t	 der_open(struct der *, uint8_t tag);
void	 der_close(struct der *, size_t mark);
/*
 * An unsigned big-endian integer's bytes as a DER INTEGER (leading zeros
 * trimmed, sign byte added).
 */
void	 der_uint(struct der *, uint8_t tag, const unsigned char *, size_t);
void	 der_small_uint(struct der *, uint8_t tag, uint64_t);
/* RFC 5280 Time: UTCTime through 2049, GeneralizedTime after. */
void	 der_time(struct der *, time_t);
/* The same written to out (DER_TIME_MAX bytes room); returns its length. */
#define DER_TIME_MAX	17
size_t	 der_time_bytes(unsigned char *out, time_t);
/* GeneralizedTime always (DER_TIME_MAX bytes room); returns its length. */
size_t	 der_gentime_bytes(unsigned char *out, time_t);
/* A dotted OID; -1 if malformed. */
int	 der_oid(struct der *, const char *dotted);

/* A length-carrying view into DER bytes; every read is bounds-checked. */
struct der_cur {
	const unsigned char	*p;
	size_t			 len;
};

/*
 * Take one TLV off the front of c: its tag, its contents and, in whole,
 * the TLV itself (either may be NULL). -1 when malformed: a high tag
 * number, an indefinite or overlong length, or contents past the end;
 * c is then as it was.
 */
int	 der_take(struct der_cur *c, unsigned *tag, struct der_cur *val,
	    struct der_cur *whole);
/* The same, requiring the tag want (another leaves c as it was). */
int	 der_expect(struct der_cur *c, unsigned want, struct der_cur *val,
	    struct der_cur *whole);

#endif
