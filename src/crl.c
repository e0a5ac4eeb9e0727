/*
 * The CRL encoder. Entries are written in one pass into one buffer, where
 * they stay: the headers in front of them are encoded separately once the
 * lengths are known, the TBS is hashed piece by piece and the hash signed
 * with the CA key (PKCS#1 v1.5 for RSA, never PSS; ECDSA otherwise), and
 * the pieces are written out as they are, the PEM encoded on the way.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crl.h"
#include "der.h"
#include "out.h"
#include "pem.h"
#include "x509.h"
#include "store.h"
#include "err.h"
#include "util.h"

#define OID_CRL_NUMBER	"2.5.29.20"
#define OID_AKI		"2.5.29.35"
#define OID_DELTA	"2.5.29.27"
#define OID_FRESHEST	"2.5.29.46"

static const char *const reasons[] = {
	"unspecified", "keyCompromise", "caCompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
	"removeFromCRL", "privilegeWithdrawn", "aACompromise"
};

int
crl_reason_code(const char *name)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i] != NULL && strcasecmp(reasons[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
crl_reason_name(int code)
{
	if (code < 0 || (size_t)code >= sizeof reasons / sizeof reasons[0] ||
	    reasons[code] == NULL)
		return "unspecified";
	return reasons[code];
}

/* AlgorithmIdentifier of the CA key's signature with the CA's digest. */
static int
sig_alg(struct der *d, const struct ca *ca, gnutls_sign_algorithm_t *sign,
    char **cause)
{
	gnutls_pk_algorithm_t	 pk;
	const char		*oid;
	size_t			 mark;

	pk = gnutls_privkey_get_pk_algorithm(keys_privkey(ca->key), NULL);
	*sign = gnutls_pk_to_sign(pk, ca->conf->digest);
	if (*sign == GNUTLS_SIGN_UNKNOWN ||
	    (oid = gnutls_sign_get_oid(*sign)) == NULL)
		return err_set(cause, "CRL: no signature algorithm for this CA "
		    "key");
	mark = der_open(d, DER_SEQUENCE);
	if (der_oid(d, oid) != 0)
		return err_set(cause, "CRL: bad signature OID %s", oid);
	if (pk == GNUTLS_PK_RSA)
		der_tlv(d, DER_NULL, NULL, 0);
	der_close(d, mark);
	return 0;
}

/*
 * One revokedCertificates entry, written byte by byte: it is done a million
 * times. SEQUENCE { INTEGER serial, Time revocationDate, crlEntryExtensions
 * holding one reasonCode } is under 128 bytes (a serial has at most 20
 * octets), so every length is one byte. The extensions are constant but
 * for the reason's value: SEQUENCE { SEQUENCE { OID 2.5.29.21, OCTET STRING
 * { ENUMERATED code } } }.
 */
static void
entry(struct der *d, const struct crl_entry *e)
{
	static const unsigned char	 reason[] = {
		0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
		0x04, 0x03, 0x0a, 0x01, 0x00
	};
	const unsigned char		*s = e->serial;
	size_t				 n = e->serial_len;
	unsigned char			*start, *p;

	while (n > 1 && s[0] == 0) {
		s++;
		n--;
	}
	der_reserve(d, 2 + 3 + n + DER_TIME_MAX + sizeof reason);
	start = p = d->p + d->len;
	p += 2;
	*p++ = DER_INTEGER;
	if (n == 0 || (s[0] & 0x80)) {
		*p++ = (unsigned char)(n + 1);
		*p++ = 0;
	} else
		*p++ = (unsigned char)n;
	memcpy(p, s, n);
	p += n;
	p += der_time_bytes(p, e->revoked_at);
	/* RFC 5280: omit reasonCode rather than say "unspecified" */
	if (e->reason > 0) {
		memcpy(p, reason, sizeof reason);
		p[sizeof reason - 1] = (unsigned char)e->reason;
		p += sizeof reason;
	}
	start[0] = DER_SEQUENCE;
	start[1] = (unsigned char)(p - start - 2);
	d->len += (size_t)(p - start);
}

static int
extensions(struct der *d, const struct ca *ca, const struct crl_info *info,
    char **cause)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof id, ctx, seq, ext, oct, aki;
	unsigned	 critical;
	gnutls_datum_t	 fresh = { NULL, 0 };
	int		 ret;

	if ((ret = gnutls_x509_crt_get_subject_key_id(ca->crt, id, &idlen,
	    &critical)) < 0)
		return err_set(cause, "CRL: CA subject key identifier: %s",
		    gnutls_strerror(ret));
	ctx = der_open(d, DER_CONTEXT(0));
	seq = der_open(d, DER_SEQUENCE);
	ext = der_open(d, DER_SEQUENCE);
	der_oid(d, OID_AKI);
	oct = der_open(d, DER_OCTET_STRING);
	aki = der_open(d, DER_SEQUENCE);
	der_tlv(d, 0x80, id, idlen);	/* [0] keyIdentifier */
	der_close(d, aki);
	der_close(d, oct);
	der_close(d, ext);
	ext = der_open(d, DER_SEQUENCE);
	der_oid(d, OID_CRL_NUMBER);
	oct = der_open(d, DER_OCTET_STRING);
	der_small_uint(d, DER_INTEGER, info->number);
	der_close(d, oct);
	der_close(d, ext);
	if (info->base != 0) {
		ext = der_open(d, DER_SEQUENCE);
		der_oid(d, OID_DELTA);
		der_raw(d, "\x01\x01\xff", 3);	/* critical */
		oct = der_open(d, DER_OCTET_STRING);
		der_small_uint(d, DER_INTEGER, info->base);
		der_close(d, oct);
		der_close(d, ext);
	}
	if (info->freshest != NULL && info->freshest->n > 0) {
		if (x509_encode_cdp(info->freshest, &fresh, cause) != 0)
			return ERR_FAIL;
		ext = der_open(d, DER_SEQUENCE);
		der_oid(d, OID_FRESHEST);
		der_tlv(d, DER_OCTET_STRING, fresh.data, fresh.size);
		der_close(d, ext);
		gnutls_free(fresh.data);
	}
	der_close(d, seq);
	der_close(d, ctx);
	return 0;
}

/*
 * A CRL in three pieces, so that the entries are written once, where they
 * stay: head (the outer headers, the TBS fields before the entries and
 * the revokedCertificates header), body (the entries), tail (crlExtensions,
 * signatureAlgorithm, signature). The headers in front of the entries are
 * encoded once their lengths are known, the TBS is hashed piece by piece
 * and the hash signed.
 */
struct crl_parts {
	struct der	 head;
	struct der	 body;
	struct der	 tail;
};

static void
parts_free(struct crl_parts *c)
{
	der_free(&c->head);
	der_free(&c->body);
	der_free(&c->tail);
}

/* version, signature, issuer, thisUpdate, nextUpdate */
static int
tbs_fields(struct der *d, const struct ca *ca, const struct crl_info *info,
    gnutls_sign_algorithm_t *sign, char **cause)
{
	gnutls_datum_t	 dn = { NULL, 0 };
	int		 rc = ERR_FAIL, ret;

	der_small_uint(d, DER_INTEGER, 1);	/* v2 */
	TRY(sig_alg(d, ca, sign, cause));
	if ((ret = gnutls_x509_crt_get_raw_dn(ca->crt, &dn)) < 0) {
		rc = err_set(cause, "CRL: CA subject: %s", gnutls_strerror(ret));
		goto out;
	}
	der_raw(d, dn.data, dn.size);
	der_time(d, info->this_update);
	der_time(d, info->next_update);
	rc = 0;
out:
	gnutls_free(dn.data);
	return rc;
}

static int
hash_pieces(gnutls_digest_algorithm_t alg, const struct der *const *v,
    size_t n, unsigned char *out, char **cause)
{
	gnutls_hash_hd_t	 h;
	int			 ret;

	if ((ret = gnutls_hash_init(&h, alg)) < 0)
		return err_set(cause, "CRL: hash: %s", gnutls_strerror(ret));
	for (size_t i = 0; i < n; i++)
		if (v[i]->len > 0 &&
		    (ret = gnutls_hash(h, v[i]->p, v[i]->len)) < 0) {
			gnutls_hash_deinit(h, NULL);
			return err_set(cause, "CRL: hash: %s",
			    gnutls_strerror(ret));
		}
	gnutls_hash_deinit(h, out);
	return 0;
}

static int
crl_build(const struct ca *ca, const struct crl_info *info, crl_next_fn next,
    void *arg, size_t hint, struct crl_parts *c, char **cause)
{
	struct der		 fields, list, tbs, exts, alg;
	const struct der	*signed_part[5];
	struct crl_entry	 e;
	gnutls_sign_algorithm_t	 sign;
	gnutls_digest_algorithm_t digest = ca->conf->digest;
	gnutls_datum_t		 hash, sig = { NULL, 0 };
	unsigned char		 md[64];
	size_t			 tbs_len;
	int			 rc = ERR_FAIL, ret, got;

	memset(c, 0, sizeof *c);
	der_init(&fields, 512);
	der_init(&list, 8);
	der_init(&tbs, 8);
	der_init(&exts, 512);
	der_init(&alg, 64);
	/* about 40 bytes an entry: one buffer, no growth on the way */
	der_init(&c->body, 64 + hint * 48);
	der_init(&c->head, 1024);
	der_init(&c->tail, 1024);
	while ((got = next(arg, &e, cause)) > 0)
		entry(&c->body, &e);
	if ((rc = got) < 0)
		goto out;
	TRY(tbs_fields(&fields, ca, info, &sign, cause));
	TRY(extensions(&exts, ca, info, cause));
	/* no entries: the revokedCertificates field is absent */
	if (c->body.len > 0)
		der_header(&list, DER_SEQUENCE, c->body.len);
	tbs_len = fields.len + list.len + c->body.len + exts.len;
	der_header(&tbs, DER_SEQUENCE, tbs_len);

	signed_part[0] = &tbs;
	signed_part[1] = &fields;
	signed_part[2] = &list;
	signed_part[3] = &c->body;
	signed_part[4] = &exts;
	if (gnutls_hash_get_len(digest) == 0 ||
	    (size_t)gnutls_hash_get_len(digest) > sizeof md) {
		rc = err_set(cause, "CRL: unsupported digest");
		goto out;
	}
	TRY(hash_pieces(digest, signed_part, 5, md, cause));
	hash.data = md;
	hash.size = gnutls_hash_get_len(digest);
	/* RSA keys sign PKCS#1 v1.5 (the algorithm says so), never PSS */
	if ((ret = gnutls_privkey_sign_hash2(keys_privkey(ca->key), sign, 0,
	    &hash, &sig)) < 0) {
		rc = err_set(cause, "CRL: sign: %s", gnutls_strerror(ret));
		goto out;
	}
	TRY(sig_alg(&alg, ca, &sign, cause));

	der_raw(&c->tail, exts.p, exts.len);
	der_raw(&c->tail, alg.p, alg.len);
	der_header(&c->tail, DER_BIT_STRING, 1 + (size_t)sig.size);
	der_raw(&c->tail, "", 1);	/* no unused bits */
	der_raw(&c->tail, sig.data, sig.size);
	der_header(&c->head, DER_SEQUENCE, tbs.len + tbs_len - exts.len +
	    c->tail.len);
	der_raw(&c->head, tbs.p, tbs.len);
	der_raw(&c->head, fields.p, fields.len);
	der_raw(&c->head, list.p, list.len);
	rc = 0;
out:
	if (rc != 0)
		parts_free(c);
	gnutls_free(sig.data);
	der_free(&fields);
	der_free(&list);
	der_free(&tbs);
	der_free(&exts);
	der_free(&alg);
	return rc;
}

int
crl_encode(const struct ca *ca, const struct crl_info *info, crl_next_fn next,
    void *arg, size_t hint, struct der *out, char **cause)
{
	struct crl_parts	 c;
	int			 rc = ERR_FAIL;

	TRY(crl_build(ca, info, next, arg, hint, &c, cause));
	der_init(out, c.head.len + c.body.len + c.tail.len);
	der_raw(out, c.head.p, c.head.len);
	der_raw(out, c.body.p, c.body.len);
	der_raw(out, c.tail.p, c.tail.len);
	parts_free(&c);
	rc = 0;
out:
	return rc;
}

/* Rows from the store, serials turned from hex into bytes. */
struct rows {
	struct store_revoked	*cur;
	unsigned char		 serial[20];
};

/* Hex digit values, -1 for anything else: a table, as it runs per digit. */
static signed char	 hexvals[256];

static void
hex_init(void)
{
	memset(hexvals, -1, sizeof hexvals);
	for (int i = 0; i < 10; i++)
		hexvals['0' + i] = (signed char)i;
	for (int i = 0; i < 6; i++) {
		hexvals['a' + i] = (signed char)(10 + i);
		hexvals['A' + i] = (signed char)(10 + i);
	}
}

static int
hexval(char c)
{
	return hexvals[(unsigned char)c];
}

static int
next_row(void *arg, struct crl_entry *e, char **cause)
{
	struct rows	*r = arg;
	const char	*hex;
	int64_t		 when;
	size_t		 n, odd;
	int		 reason, got, hi, lo;

	if ((got = store_revoked_next(r->cur, &hex, &when, &reason, cause)) <= 0)
		return got;
	n = strlen(hex);
	odd = n % 2;
	if (n == 0 || (n + 1) / 2 > sizeof r->serial)
		return err_set(cause, "CRL: bad serial '%s' in the database",
		    hex);
	for (size_t i = 0; i < (n + 1) / 2; i++) {
		hi = i == 0 && odd ? 0 : hexval(hex[2 * i - odd]);
		lo = hexval(hex[2 * i + 1 - odd]);
		if (hi < 0 || lo < 0)
			return err_set(cause, "CRL: bad serial '%s' in the "
			    "database", hex);
		r->serial[i] = (unsigned char)(hi << 4 | lo);
	}
	e->serial = r->serial;
	e->serial_len = (n + 1) / 2;
	e->revoked_at = (time_t)when;
	e->reason = reason;
	return 1;
}

/* DIR/crl/ + the file name the first http:// URL of urls ends with. */
static char *
path_for(const struct ca *ca, const struct strv *urls, const char *fallback)
{
	const char	*url = NULL, *slash;
	char		*name, *path;

	for (size_t i = 0; i < urls->n && url == NULL; i++)
		if (strncmp(urls->v[i], "http://", 7) == 0)
			url = urls->v[i];
	slash = url != NULL ? strrchr(url + 7, '/') : NULL;
	if (slash == NULL || slash[1] == '\0' || slash[1] == '.')
		name = xstrdup(fallback);
	else
		name = xstrndup(slash + 1, strcspn(slash + 1, "?#"));
	xasprintf(&path, "%s/%s/%s", ca->dir, CA_CRLDIR, name);
	free(name);
	return path;
}

char *
crl_path(const struct ca *ca)
{
	return path_for(ca, &ca->conf->cdp, "ca.crl");
}

char *
crl_delta_path(const struct ca *ca)
{
	if (ca->conf->delta_cdp.n == 0)
		return NULL;
	return path_for(ca, &ca->conf->delta_cdp, "ca-delta.crl");
}

/*
 * Encode rows from r, sign, write path (DER), path.pem and extra (DER): the
 * DER straight from the encoder's pieces, the PEM encoded as it is written.
 */
static int
write_crl(struct ca *ca, const struct crl_info *info, struct rows *r,
    long long count, const char *path, const char *extra, char **cause)
{
	struct out_batch	*b = out_batch_new(1);
	struct crl_parts	 c;
	struct pem_writer	*pem = NULL;
	struct iovec		 v[3];
	char			*pempath = NULL;
	int			 rc = ERR_FAIL;

	memset(&c, 0, sizeof c);
	TRY(crl_build(ca, info, next_row, r, (size_t)count, &c, cause));
	v[0].iov_base = c.head.p;
	v[0].iov_len = c.head.len;
	v[1].iov_base = c.body.p;
	v[1].iov_len = c.body.len;
	v[2].iov_base = c.tail.p;
	v[2].iov_len = c.tail.len;
	xasprintf(&pempath, "%s.pem", path);
	TRY(out_batch_addv(b, path, v, 3, 0, cause));
	pem = pem_writer_new("X509 CRL", v, 3);
	TRY(out_batch_add_chunks(b, pempath, pem_writer_next, pem, 0, cause));
	if (extra != NULL)
		TRY(out_batch_addv(b, extra, v, 3, 0, cause));
	TRY(out_batch_commit(b, cause));
	rc = 0;
out:
	pem_writer_free(pem);
	out_batch_free(b);
	parts_free(&c);
	free(pempath);
	return rc;
}

/*
 * CRLs are numbered, built and written under one lock per CA: without it
 * a slower run with number N could replace a faster run's N+1 on disk.
 */
static int
crl_lock(const struct ca *ca, int *fd, char **cause)
{
	char	*path;

	xasprintf(&path, "%s/%s/.lock", ca->dir, CA_CRLDIR);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0 || flock(*fd, LOCK_EX) != 0) {
		err_set(cause, "%s: cannot lock: %s", path, strerror(errno));
		free(path);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return ERR_FAIL;
	}
	free(path);
	return 0;
}

int
crl_make(struct ca *ca, time_t now, const char *extra, struct crl_info *info,
    char **cause)
{
	struct rows	 r = { NULL, { 0 } };
	char		*path = crl_path(ca);
	long long	 count = 0;
	int		 rc = ERR_FAIL, lock = -1;

	memset(info, 0, sizeof *info);
	hex_init();
	TRY(crl_lock(ca, &lock, cause));
	info->this_update = now;
	info->next_update = now + (time_t)ca->conf->crl_days * 86400;
	if (ca->conf->delta_cdp.n > 0)
		info->freshest = &ca->conf->delta_cdp;
	TRY(store_next_crl_number(ca->store, &info->number, cause));
	TRY(store_revoked_count(ca->store, now, &count, cause));
	TRY(store_revoked_open(ca->store, now, &r.cur, cause));
	TRY(write_crl(ca, info, &r, count, path, extra, cause));
	/* deltas from now on are relative to this base */
	TRY(store_set_counter(ca->store, "base_crl_number",
	    (int64_t)info->number, cause));
	TRY(store_set_counter(ca->store, "base_crl_time", (int64_t)now, cause));
	rc = 0;
out:
	store_revoked_close(r.cur);
	if (lock >= 0)
		close(lock);
	free(path);
	return rc;
}

int
crl_make_delta(struct ca *ca, time_t now, struct crl_info *info, char **cause)
{
	struct rows	 r = { NULL, { 0 } };
	char		*path = crl_delta_path(ca);
	int64_t		 base = 0, since = 0;
	int		 rc = ERR_FAIL, lock = -1;

	memset(info, 0, sizeof *info);
	if (path == NULL)
		return err_usage(cause, "%s/%s names no delta_cdp: delta CRLs "
		    "are off", ca->dir, CA_CFG);
	hex_init();
	TRY(crl_lock(ca, &lock, cause));
	TRY(store_counter(ca->store, "base_crl_number", &base, cause));
	TRY(store_counter(ca->store, "base_crl_time", &since, cause));
	if (base == 0) {
		rc = err_set(cause, "no base CRL yet: run roleca crl first");
		goto out;
	}
	info->this_update = now;
	info->next_update = now + (time_t)ca->conf->delta_crl_hours * 3600;
	info->base = (uint64_t)base;
	TRY(store_next_crl_number(ca->store, &info->number, cause));
	TRY(store_revoked_since(ca->store, now, since, &r.cur, cause));
	TRY(write_crl(ca, info, &r, 0, path, NULL, cause));
	rc = 0;
out:
	store_revoked_close(r.cur);
	if (lock >= 0)
		close(lock);
	free(path);
	return rc;
}

int
crl_read_times(const char *path, int *found, time_t *this_update,
    time_t *next_update, char **cause)
{
	gnutls_x509_crl_t	 crl = NULL;
	unsigned char		*data = NULL;
	size_t			 len;
	gnutls_datum_t		 d;
	int			 rc = ERR_FAIL, ret;

	*found = 0;
	if (access(path, F_OK) != 0)
		return 0;
	TRY(out_read(path, 1024 * 1024 * 1024, &data, &len, cause));
	d.data = data;
	d.size = (unsigned)len;
	if ((ret = gnutls_x509_crl_init(&crl)) < 0 ||
	    (ret = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER)) < 0) {
		rc = err_set(cause, "%s: not a DER CRL: %s", path,
		    gnutls_strerror(ret));
		goto out;
	}
	*this_update = gnutls_x509_crl_get_this_update(crl);
	*next_update = gnutls_x509_crl_get_next_update(crl);
	*found = 1;
	rc = 0;
out:
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	free(data);
	return rc;
}
