/*
 * Streaming PEM encoder. Input is consumed 48 bytes at a time, one output
 * line each (64 characters and a newline); a line that straddles two
 * pieces is gathered into a small buffer first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pem.h"
#include "util.h"

#define PEM_LINE_IN	48		/* bytes per full line */
#define PEM_CHUNK	(64 * 1024)	/* lines per chunk: about 4 MB */

struct pem_writer {
	char			*label;
	const struct iovec	*v;
	size_t			 n;
	size_t			 piece;		/* current piece */
	size_t			 off;		/* offset in it */
	int			 state;		/* 0 header, 1 body, 2 done */
	char			*buf;
	size_t			 cap;
};

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Two base64 characters for every 12 bits: half the lookups, no shifts. */
static char	 b64_pairs[4096][2];

static void
pairs_init(void)
{
	if (b64_pairs[0][0] != 0)
		return;
	for (unsigned i = 0; i < 4096; i++) {
		b64_pairs[i][0] = b64[i >> 6];
		b64_pairs[i][1] = b64[i & 63];
	}
}

struct pem_writer *
pem_writer_new(const char *label, const struct iovec *v, size_t n)
{
	struct pem_writer	*w = xcalloc(1, sizeof *w);

	pairs_init();
	w->label = xstrdup(label);
	w->v = v;
	w->n = n;
	w->cap = PEM_CHUNK * 65 + 128 + 2 * strlen(label);
	w->buf = xmalloc(w->cap);
	return w;
}

void
pem_writer_free(struct pem_writer *w)
{
	if (w == NULL)
		return;
	free(w->label);
	free(w->buf);
	free(w);
}

/* One line of base64 for in[0..n), n <= 48, with its newline. */
static char *
encode_line(char *o, const unsigned char *in, size_t n)
{
	size_t	 i = 0;

	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];

		memcpy(o, b64_pairs[v >> 12], 2);
		memcpy(o + 2, b64_pairs[v & 4095], 2);
		o += 4;
	}
	if (n - i == 1) {
		*o++ = b64[in[i] >> 2];
		*o++ = b64[(in[i] & 3) << 4];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		*o++ = b64[in[i] >> 2];
		*o++ = b64[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*o++ = b64[(in[i + 1] & 15) << 2];
		*o++ = '=';
	}
	*o++ = '\n';
	return o;
}

/* Up to 48 bytes of input in a row: in place, or gathered across pieces. */
static size_t
take_line(struct pem_writer *w, unsigned char *tmp, const unsigned char **in)
{
	size_t	 got = 0, k;

	while (w->piece < w->n && w->off == w->v[w->piece].iov_len) {
		w->piece++;
		w->off = 0;
	}
	if (w->piece == w->n)
		return 0;
	if (w->v[w->piece].iov_len - w->off >= PEM_LINE_IN) {
		*in = (const unsigned char *)w->v[w->piece].iov_base + w->off;
		w->off += PEM_LINE_IN;
		return PEM_LINE_IN;
	}
	while (got < PEM_LINE_IN && w->piece < w->n) {
		k = w->v[w->piece].iov_len - w->off;
		if (k > PEM_LINE_IN - got)
			k = PEM_LINE_IN - got;
		memcpy(tmp + got, (const unsigned char *)w->v[w->piece].iov_base
		    + w->off, k);
		got += k;
		w->off += k;
		if (w->off == w->v[w->piece].iov_len) {
			w->piece++;
			w->off = 0;
		}
	}
	*in = tmp;
	return got;
}

int
pem_writer_next(void *arg, const void **p, size_t *len, char **cause)
{
	struct pem_writer	*w = arg;
	unsigned char		 tmp[PEM_LINE_IN];
	const unsigned char	*in;
	char			*o = w->buf;
	size_t			 n, lines = 0;

	(void)cause;
	if (w->state == 2)
		return 0;
	if (w->state == 0) {
		o += sprintf(o, "-----BEGIN %s-----\n", w->label);
		w->state = 1;
	}
	while (lines < PEM_CHUNK && (n = take_line(w, tmp, &in)) > 0) {
		o = encode_line(o, in, n);
		lines++;
	}
	if (lines < PEM_CHUNK) {
		o += sprintf(o, "-----END %s-----\n", w->label);
		w->state = 2;
	}
	*p = w->buf;
	*len = (size_t)(o - w->buf);
	return 1;
}
