/*
 * pem.c: the streamed PEM of data in pieces equals GnuTLS's PEM of the
 * same bytes in one piece, for every length around the line and chunk
 * boundaries and for every way of cutting the data.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "pem.h"
#include "unit.h"

/* All chunks of the writer, concatenated. */
static char *
drain(struct pem_writer *w, size_t *total)
{
	const void	*p;
	size_t		 len;
	char		*all = NULL, *cause = NULL;
	int		 got;

	*total = 0;
	while ((got = pem_writer_next(w, &p, &len, &cause)) > 0) {
		all = realloc(all, *total + len + 1);
		if (all == NULL)
			abort();
		memcpy(all + *total, p, len);
		*total += len;
	}
	CU_ASSERT_EQUAL(got, 0);
	CU_ASSERT_PTR_NULL(cause);
	/* the end stays the end */
	CU_ASSERT_EQUAL(pem_writer_next(w, &p, &len, &cause), 0);
	return all;
}

static int
same_as_gnutls(const unsigned char *data, size_t n, const struct iovec *v,
    size_t nv)
{
	gnutls_datum_t		 in = { (unsigned char *)data, (unsigned)n };
	gnutls_datum_t		 want = { NULL, 0 };
	struct pem_writer	*w = pem_writer_new("X509 CRL", v, nv);
	size_t			 len;
	char			*got = drain(w, &len);
	int			 ok;

	if (gnutls_pem_base64_encode2("X509 CRL", &in, &want) < 0)
		abort();
	ok = len == want.size && memcmp(got, want.data, len) == 0;
	gnutls_free(want.data);
	free(got);
	pem_writer_free(w);
	return ok;
}

static void
test_lengths(void)
{
	unsigned char	 data[200];
	struct iovec	 v;
	int		 ok = 1;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 1; n <= sizeof data; n++) {
		v.iov_base = data;
		v.iov_len = n;
		ok &= same_as_gnutls(data, n, &v, 1);
	}
	CU_ASSERT(ok);
}

/* Cut in three anywhere (empty pieces too): the same text. */
static void
test_pieces(void)
{
	unsigned char	 data[150];
	struct iovec	 v[3];
	int		 ok = 1;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(255 - i * 7);
	for (size_t a = 0; a <= sizeof data; a += 7)
		for (size_t b = a; b <= sizeof data; b += 5) {
			v[0].iov_base = data;
			v[0].iov_len = a;
			v[1].iov_base = data + a;
			v[1].iov_len = b - a;
			v[2].iov_base = data + b;
			v[2].iov_len = sizeof data - b;
			ok &= same_as_gnutls(data, sizeof data, v, 3);
		}
	CU_ASSERT(ok);
}

/* More than one chunk (64 Ki lines of 48 bytes each), cut off the line grid. */
static void
test_large(void)
{
	size_t		 n = 48 * 65536 * 2 + 1000;
	unsigned char	*data = malloc(n);
	struct iovec	 v[2];

	if (data == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i ^ i >> 8);
	v[0].iov_base = data;
	v[0].iov_len = 48 * 65536 + 17;
	v[1].iov_base = data + v[0].iov_len;
	v[1].iov_len = n - v[0].iov_len;
	CU_ASSERT(same_as_gnutls(data, n, v, 2));
	/* exactly one chunk of input: the END line comes alone */
	v[0].iov_len = 48 * 65536;
	CU_ASSERT(same_as_gnutls(data, v[0].iov_len, v, 1));
	free(data);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "every length from 1 to 200 bytes", test_lengths },
		{ "data cut in three pieces anywhere", test_pieces },
		{ "several chunks", test_large },
		CU_TEST_INFO_NULL
	};

	unit_suite("pem", tests);
	return unit_run();
}
