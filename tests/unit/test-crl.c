/*
 * crl.c: the hand-encoded CRL is byte for byte what GnuTLS's own CRL
 * builder makes when there are no reason codes; with reason codes, GnuTLS's
 * reader sees every entry, and the signature verifies.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "conf.h"
#include "crl.h"
#include "err.h"
#include "keys.h"
#include "unit.h"
#include "util.h"
#include "x509.h"

static struct ca	 the_ca;
static char		 tmpdir[] = "/tmp/roleca-test-crl.XXXXXX";

struct list {
	const struct crl_entry	*v;
	size_t			 n, i;
};

static int
next(void *arg, struct crl_entry *e, char **cause)
{
	struct list	*l = arg;

	(void)cause;
	if (l->i == l->n)
		return 0;
	*e = l->v[l->i++];
	return 1;
}

/* crl_encode into a gnutls datum, as the GnuTLS comparisons want. */
static int
encode_with(crl_next_fn fn, const struct crl_info *info, struct list *l,
    gnutls_datum_t *out, char **cause)
{
	struct der	 d = { NULL, 0, 0, 0 };
	int		 rc;

	out->data = NULL;
	out->size = 0;
	if ((rc = crl_encode(&the_ca, info, fn, l, &d, cause)) != 0)
		return rc;
	out->data = gnutls_malloc(d.len);
	memcpy(out->data, d.p, d.len);
	out->size = (unsigned)d.len;
	der_free(&d);
	return 0;
}

static int
encode(const struct crl_info *info, struct list *l, gnutls_datum_t *out,
    char **cause)
{
	return encode_with(next, info, l, out, cause);
}

static int
reload(gnutls_x509_crt_t *crt)
{
	gnutls_datum_t		 der = { NULL, 0 };
	gnutls_x509_crt_t	 fresh = NULL;
	int			 ret;

	if ((ret = gnutls_x509_crt_export2(*crt, GNUTLS_X509_FMT_DER,
	    &der)) < 0 ||
	    (ret = gnutls_x509_crt_init(&fresh)) < 0 ||
	    (ret = gnutls_x509_crt_import(fresh, &der,
	    GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_free(der.data);
		return ret;
	}
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(*crt);
	*crt = fresh;
	return 0;
}

static int
setup(void)
{
	char	*path, *cause = NULL;
	FILE	*f;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	xasprintf(&path, "%s/ca.cfg", tmpdir);
	f = fopen(path, "w");
	fputs("subject = { CN = \"CRL Test CA\"; O = \"roleca\"; };\n"
	    "key = \"rsa:2048\";\ncdp = \"http://pki.example/x.crl\";\n", f);
	fclose(f);
	if (conf_load(path, CONF_NEW, &the_ca.conf, &cause) != 0 ||
	    keys_generate(&the_ca.conf->key, &the_ca.key, &cause) != 0 ||
	    x509_build_ca(the_ca.conf, the_ca.key, NULL, time(NULL),
	    &the_ca.crt, &cause) != 0) {
		fprintf(stderr, "setup: %s\n", cause);
		return 1;
	}
	/* as ca_open() has it: parsed from its file, not freshly built */
	if (reload(&the_ca.crt) != 0)
		return 1;
	the_ca.chain = &the_ca.crt;
	the_ca.nchain = 1;
	unlink(path);
	free(path);
	return 0;
}

static int
teardown(void)
{
	gnutls_x509_crt_deinit(the_ca.crt);
	keys_free(the_ca.key);
	conf_free(the_ca.conf);
	rmdir(tmpdir);
	return 0;
}

/* The same CRL through GnuTLS's builder. */
static void
gnutls_crl(const struct crl_info *info, const struct crl_entry *v, size_t n,
    gnutls_datum_t *out)
{
	gnutls_x509_crl_t	 crl;
	unsigned char		 id[64];
	size_t			 idlen = sizeof id;
	unsigned		 crit;
	unsigned char		 num[8];

	for (int i = 7; i >= 0; i--)
		num[7 - i] = (unsigned char)(info->number >> (8 * i));
	gnutls_x509_crt_get_subject_key_id(the_ca.crt, id, &idlen, &crit);
	CU_ASSERT_FATAL(gnutls_x509_crl_init(&crl) == 0);
	gnutls_x509_crl_set_version(crl, 2);
	gnutls_x509_crl_set_this_update(crl, info->this_update);
	gnutls_x509_crl_set_next_update(crl, info->next_update);
	for (size_t i = 0; i < n; i++)
		gnutls_x509_crl_set_crt_serial(crl, v[i].serial,
		    v[i].serial_len, v[i].revoked_at);
	gnutls_x509_crl_set_authority_key_id(crl, id, idlen);
	gnutls_x509_crl_set_number(crl, num + 7, 1);
	CU_ASSERT(gnutls_x509_crl_privkey_sign(crl, the_ca.crt,
	    keys_privkey(the_ca.key), GNUTLS_DIG_SHA256, 0) == 0);
	CU_ASSERT(gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, out) == 0);
	gnutls_x509_crl_deinit(crl);
}

static const unsigned char s1[] = { 0x01, 0x23, 0x45 };
static const unsigned char s2[] = { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
/* positive, with its sign byte */
static const unsigned char s3[] = { 0x00, 0x80, 0x00 };

static void
test_same_as_gnutls(void)
{
	struct crl_entry	 v[] = {
		{ s1, sizeof s1, 1767323045, -1, 0 },
		{ s2, sizeof s2, 1767323046, 0, 0 },
		{ s3, sizeof s3, 1767323047, -1, 0 },
	};
	struct crl_info		 info = { 1767400000, 1767400000 + 7 * 86400, 5,
	    0, NULL, 0, NULL };
	struct list		 l = { v, 3, 0 };
	gnutls_datum_t		 ours = { NULL, 0 }, theirs = { NULL, 0 };
	char			*cause = NULL;

	CU_ASSERT_FATAL(encode(&info, &l, &ours, &cause) == 0);
	gnutls_crl(&info, v, 3, &theirs);
	CU_ASSERT_EQUAL(ours.size, theirs.size);
	CU_ASSERT(ours.size == theirs.size &&
	    memcmp(ours.data, theirs.data, ours.size) == 0);
	gnutls_free(ours.data);
	gnutls_free(theirs.data);
}

/*
 * RFC 5280 5.1.2.6: with no revoked certificates the list MUST be absent.
 * GnuTLS writes an empty SEQUENCE instead, so here the two differ by
 * exactly those two bytes, and GnuTLS and openssl read ours.
 */
/* A DER header's length at p: the header's size in *hdr. */
static size_t
der_len_at(const unsigned char *p, size_t *hdr)
{
	size_t	 n = 0, k;

	if ((p[1] & 0x80) == 0) {
		*hdr = 2;
		return p[1];
	}
	k = p[1] & 0x7f;
	for (size_t i = 0; i < k; i++)
		n = n << 8 | p[2 + i];
	*hdr = 2 + k;
	return n;
}

/* Where the TBSCertList starts in a CRL, and its whole length. */
static size_t
tbs_off(const gnutls_datum_t *d)
{
	size_t	 hdr;

	(void)der_len_at(d->data, &hdr);
	return hdr;
}

static size_t
tbs_len(const gnutls_datum_t *d)
{
	size_t	 hdr, len;

	len = der_len_at(d->data + tbs_off(d), &hdr);
	return hdr + len;
}

static void
test_empty_list_absent(void)
{
	struct crl_info		 info = { time(NULL), time(NULL) + 86400, 1, 0,
	    NULL, 0, NULL };
	struct list		 l = { NULL, 0, 0 };
	gnutls_datum_t		 ours = { NULL, 0 }, theirs = { NULL, 0 };
	char			*cause = NULL;

	gnutls_x509_crl_t	 crl;
	unsigned		 status = 1;

	CU_ASSERT_FATAL(encode(&info, &l, &ours, &cause) == 0);
	gnutls_crl(&info, NULL, 0, &theirs);
	CU_ASSERT_EQUAL(ours.size + 2, theirs.size);
	CU_ASSERT(memmem(theirs.data, theirs.size, "\x30\x00\xa0", 3) != NULL);
	/* no empty SEQUENCE in the TBS (the signature's bytes are random) */
	CU_ASSERT(memmem(ours.data + tbs_off(&ours), tbs_len(&ours),
	    "\x30\x00", 2) == NULL);
	CU_ASSERT_FATAL(gnutls_x509_crl_init(&crl) == 0);
	CU_ASSERT(gnutls_x509_crl_import(crl, &ours, GNUTLS_X509_FMT_DER) == 0);
	CU_ASSERT_EQUAL(gnutls_x509_crl_get_crt_count(crl), 0);
	CU_ASSERT(gnutls_x509_crl_verify(crl, &the_ca.crt, 1, 0, &status) == 0);
	CU_ASSERT_EQUAL(status, 0);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(ours.data);
	gnutls_free(theirs.data);
}

static void
test_reasons_read_back(void)
{
	struct crl_entry	 v[] = {
		{ s1, sizeof s1, 1767323045, 1, 0 },	/* keyCompromise */
		{ s2, sizeof s2, 1767323046, 6, 0 },	/* certificateHold */
		{ s3, sizeof s3, 1767323047, -1, 0 },
	};
	struct crl_info		 info = { time(NULL), time(NULL) + 86400, 300,
	    0, NULL, 0, NULL };
	struct list		 l = { v, 3, 0 };
	gnutls_datum_t		 der = { NULL, 0 };
	gnutls_x509_crl_t	 crl;
	gnutls_x509_crl_iter_t	 iter = NULL;
	unsigned char		 serial[32], num[16];
	size_t			 slen, nlen = sizeof num;
	time_t			 t;
	unsigned		 status = 1, crit;
	char			*cause = NULL;
	int			 count = 0;

	CU_ASSERT_FATAL(encode(&info, &l, &der, &cause) == 0);
	CU_ASSERT_FATAL(gnutls_x509_crl_init(&crl) == 0);
	CU_ASSERT_FATAL(gnutls_x509_crl_import(crl, &der,
	    GNUTLS_X509_FMT_DER) == 0);
	CU_ASSERT_EQUAL(gnutls_x509_crl_get_version(crl), 2);
	CU_ASSERT_EQUAL(gnutls_x509_crl_get_crt_count(crl), 3);
	CU_ASSERT(gnutls_x509_crl_verify(crl, &the_ca.crt, 1, 0, &status) == 0);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT(gnutls_x509_crl_get_number(crl, num, &nlen, &crit) == 0);
	CU_ASSERT(nlen == 2 && num[0] == 0x01 && num[1] == 0x2c);
	for (;;) {
		slen = sizeof serial;
		if (gnutls_x509_crl_iter_crt_serial(crl, &iter, serial, &slen,
		    &t) != 0)
			break;
		CU_ASSERT_EQUAL(t, v[count].revoked_at);
		CU_ASSERT(slen >= v[count].serial_len && memcmp(serial + slen -
		    v[count].serial_len, v[count].serial,
		    v[count].serial_len) == 0);
		count++;
	}
	CU_ASSERT_EQUAL(count, 3);
	gnutls_x509_crl_iter_deinit(iter);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
}

/* How many times n bytes occur in d. */
static int
occurrences(const gnutls_datum_t *d, const void *bytes, size_t n)
{
	const unsigned char	*p = d->data, *end = d->data + d->size;
	int			 k = 0;

	while ((p = memmem(p, (size_t)(end - p), bytes, n)) != NULL) {
		k++;
		p += n;
	}
	return k;
}

/*
 * An invalidity date (RFC 5280 5.3.2) is a non-critical entry extension
 * holding a GeneralizedTime, whatever the year, beside the reasonCode or
 * alone; the revocationDate stays the entry's own. GnuTLS reads every
 * entry and its revocation date, and the signature verifies.
 */
static void
test_invalidity_date(void)
{
	/* 2026-01-01T12:00:00Z, 2026-01-02T00:00:00Z */
	struct crl_entry	 v[] = {
		{ s1, sizeof s1, 1767323045, 1, 1767268800 },
		{ s2, sizeof s2, 1767323046, -1, 1767312000 },
		{ s3, sizeof s3, 1767323047, 1, 0 },
	};
	static const unsigned char	 ext1[] = {
		/* entry extensions: reasonCode keyCompromise, invalidityDate */
		0x30, 0x26,
		0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a,
		0x01, 0x01,
		0x30, 0x18, 0x06, 0x03, 0x55, 0x1d, 0x18, 0x04, 0x11, 0x18,
		0x0f, '2', '0', '2', '6', '0', '1', '0', '1', '1', '2', '0',
		'0', '0', '0', 'Z'
	};
	static const unsigned char	 ext2[] = {
		/* the invalidityDate alone (no reason code) */
		0x30, 0x1a,
		0x30, 0x18, 0x06, 0x03, 0x55, 0x1d, 0x18, 0x04, 0x11, 0x18,
		0x0f, '2', '0', '2', '6', '0', '1', '0', '2', '0', '0', '0',
		'0', '0', '0', 'Z'
	};
	struct crl_info		 info = { time(NULL), time(NULL) + 86400, 9,
	    0, NULL, 0, NULL };
	struct list		 l = { v, 3, 0 };
	gnutls_datum_t		 der = { NULL, 0 };
	gnutls_x509_crl_t	 crl;
	gnutls_x509_crl_iter_t	 iter = NULL;
	unsigned char		 serial[32];
	size_t			 slen;
	time_t			 t;
	unsigned		 status = 1;
	char			*cause = NULL;
	int			 count = 0;

	CU_ASSERT_FATAL(encode(&info, &l, &der, &cause) == 0);
	CU_ASSERT(memmem(der.data, der.size, ext1, sizeof ext1) != NULL);
	CU_ASSERT(memmem(der.data, der.size, ext2, sizeof ext2) != NULL);
	/* and no other: the third entry has none */
	CU_ASSERT_EQUAL(occurrences(&der, "\x06\x03\x55\x1d\x18", 5), 2);
	CU_ASSERT_FATAL(gnutls_x509_crl_init(&crl) == 0);
	CU_ASSERT_FATAL(gnutls_x509_crl_import(crl, &der,
	    GNUTLS_X509_FMT_DER) == 0);
	CU_ASSERT_EQUAL(gnutls_x509_crl_get_crt_count(crl), 3);
	CU_ASSERT(gnutls_x509_crl_verify(crl, &the_ca.crt, 1, 0, &status) == 0);
	CU_ASSERT_EQUAL(status, 0);
	for (;;) {
		slen = sizeof serial;
		if (gnutls_x509_crl_iter_crt_serial(crl, &iter, serial, &slen,
		    &t) != 0)
			break;
		CU_ASSERT_EQUAL(t, v[count].revoked_at);
		count++;
	}
	CU_ASSERT_EQUAL(count, 3);
	gnutls_x509_crl_iter_deinit(iter);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
}

static void
test_reason_names(void)
{
	CU_ASSERT_EQUAL(crl_reason_code("keyCompromise"), 1);
	CU_ASSERT_EQUAL(crl_reason_code("KEYCOMPROMISE"), 1);
	CU_ASSERT_EQUAL(crl_reason_code("certificateHold"), 6);
	CU_ASSERT_EQUAL(crl_reason_code("aACompromise"), 10);
	CU_ASSERT_EQUAL(crl_reason_code("bored"), -1);
	CU_ASSERT_STRING_EQUAL(crl_reason_name(4), "superseded");
	CU_ASSERT_STRING_EQUAL(crl_reason_name(7), "unspecified");
	CU_ASSERT_STRING_EQUAL(crl_reason_name(-1), "unspecified");
}

static int
fail_next(void *arg, struct crl_entry *e, char **cause)
{
	(void)arg;
	(void)e;
	return err_set(cause, "row source failed");
}

static void
test_source_error(void)
{
	struct crl_info	 info = { 1, 2, 3, 0, NULL, 0, NULL };
	gnutls_datum_t	 der = { NULL, 0 };
	char		*cause = NULL;

	CU_ASSERT(encode_with(fail_next, &info, NULL, &der, &cause) < 0);
	CU_ASSERT(cause != NULL && strcmp(cause, "row source failed") == 0);
	CU_ASSERT_PTR_NULL(der.data);
	free(cause);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "no reasons: bytes equal GnuTLS's builder",
		    test_same_as_gnutls },
		{ "no entries: the list is absent (RFC 5280)",
		    test_empty_list_absent },
		{ "reasons: GnuTLS reads every entry, signature verifies",
		    test_reasons_read_back },
		{ "invalidity dates: GeneralizedTime entry extensions",
		    test_invalidity_date },
		{ "reason names", test_reason_names },
		{ "a failing row source fails the CRL", test_source_error },
		CU_TEST_INFO_NULL
	};
	CU_SuiteInfo	 suites[] = {
		{ "crl", setup, teardown, NULL, NULL, (CU_TestInfo *)tests },
		CU_SUITE_INFO_NULL
	};

	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS)
		return 1;
	return unit_run();
}
