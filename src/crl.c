/*
 * The CRL encoder. Entries are written in one pass into one buffer, where
 * they stay: the headers in front of them are encoded separately once the
 * lengths are known, the TBS is hashed piece by piece and the hash signed
 * with the CA key (PKCS#1 v1.5 for RSA, never PSS; ECDSA otherwise), and
 * the pieces are written out as they are, the PEM encoded on the way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <pthread.h>
#include <stdint.h>

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

/*
 * One revokedCertificates entry, written byte by byte: it is done a million
 * times. SEQUENCE { INTEGER serial, Time revocationDate, crlEntryExtensions }
 * is under 128 bytes (a serial has at most 20 octets), so every length is
 * one byte. The extensions are constant but for their values: a reasonCode,
 * SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED code } }, and an
 * invalidityDate, SEQUENCE { OID 2.5.29.24, OCTET STRING { GeneralizedTime
 * } } (RFC 5280 5.3.2: the date the key is known or suspected to have been
 * compromised, or the certificate to have become invalid, which the
 * revocationDate, when the CA processed it, may follow), both non-critical.
 */
static void
entry(struct der *d, const struct crl_entry *e)
{
	static const unsigned char	 reason[] = {
		0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
		0x04, 0x03, 0x0a, 0x01, 0x00
	};
	static const unsigned char	 invalid[] = {
		0x30, 0x18, 0x06, 0x03, 0x55, 0x1d, 0x18, 0x04, 0x11
	};
	const unsigned char		*s = e->serial;
	size_t				 n = e->serial_len;
	unsigned char			*start, *p, *exts;

	while (n > 1 && s[0] == 0) {
		s++;
		n--;
	}
	der_reserve(d, 2 + 3 + n + DER_TIME_MAX + 2 + sizeof reason +
	    sizeof invalid + DER_TIME_MAX);
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
	if (e->reason > 0 || e->invalid_at != 0) {
		exts = p;
		p += 2;
		if (e->reason > 0) {
			memcpy(p, reason, sizeof reason);
			p[sizeof reason - 1] = (unsigned char)e->reason;
			p += sizeof reason;
		}
		if (e->invalid_at != 0) {
			memcpy(p, invalid, sizeof invalid);
			p += sizeof invalid;
			p += der_gentime_bytes(p, e->invalid_at);
		}
		exts[0] = DER_SEQUENCE;
		exts[1] = (unsigned char)(p - exts - 2);
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
/* The entries may come in several bodies, read on as many threads. */
#define CRL_BODIES_MAX	4

struct crl_parts {
	struct der	 head;
	struct der	 body[CRL_BODIES_MAX];
	size_t		 nbody;
	struct der	 tail;
};

static void
parts_free(struct crl_parts *c)
{
	der_free(&c->head);
	for (size_t i = 0; i < c->nbody; i++)
		der_free(&c->body[i]);
	c->nbody = 0;
	der_free(&c->tail);
}

/* Entries from next() appended to d. */
static int
fill_body(struct der *d, crl_next_fn next, void *arg, char **cause)
{
	struct crl_entry	 e;
	int			 got;

	while ((got = next(arg, &e, cause)) > 0)
		entry(d, &e);
	return got;
}

/* version, signature, issuer, thisUpdate, nextUpdate */
static int
tbs_fields(struct der *d, const struct ca *ca, const struct crl_info *info,
    gnutls_sign_algorithm_t *sign, char **cause)
{
	gnutls_datum_t	 dn = { NULL, 0 };
	int		 rc = ERR_FAIL, ret;

	der_small_uint(d, DER_INTEGER, 1);	/* v2 */
	TRY(x509_sig_alg(d, ca, sign, cause));
	if ((ret = gnutls_x509_crt_get_raw_dn(ca->crt, &dn)) < 0) {
		rc = err_set(cause, "CRL: CA subject: %s",
		    gnutls_strerror(ret));
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

/* Headers, extensions and signature around the bodies already in c. */
static int
crl_build(const struct ca *ca, const struct crl_info *info,
    struct crl_parts *c, char **cause)
{
	struct der		 fields, list, tbs, exts, alg;
	const struct der	*signed_part[4 + CRL_BODIES_MAX];
	gnutls_sign_algorithm_t	 sign;
	gnutls_digest_algorithm_t digest = ca->conf->digest;
	gnutls_datum_t		 hash, sig = { NULL, 0 };
	unsigned char		 md[64];
	size_t			 tbs_len, entries = 0, n = 0;
	int			 rc = ERR_FAIL, ret;

	der_init(&fields, 512);
	der_init(&list, 8);
	der_init(&tbs, 8);
	der_init(&exts, 512);
	der_init(&alg, 64);
	der_init(&c->head, 1024);
	der_init(&c->tail, 1024);
	for (size_t i = 0; i < c->nbody; i++)
		entries += c->body[i].len;
	TRY(tbs_fields(&fields, ca, info, &sign, cause));
	TRY(extensions(&exts, ca, info, cause));
	/* no entries: the revokedCertificates field is absent */
	if (entries > 0)
		der_header(&list, DER_SEQUENCE, entries);
	tbs_len = fields.len + list.len + entries + exts.len;
	der_header(&tbs, DER_SEQUENCE, tbs_len);

	signed_part[n++] = &tbs;
	signed_part[n++] = &fields;
	signed_part[n++] = &list;
	for (size_t i = 0; i < c->nbody; i++)
		signed_part[n++] = &c->body[i];
	signed_part[n++] = &exts;
	if (gnutls_hash_get_len(digest) == 0 ||
	    (size_t)gnutls_hash_get_len(digest) > sizeof md) {
		rc = err_set(cause, "CRL: unsupported digest");
		goto out;
	}
	TRY(hash_pieces(digest, signed_part, n, md, cause));
	hash.data = md;
	hash.size = gnutls_hash_get_len(digest);
	/* RSA keys sign PKCS#1 v1.5 (the algorithm says so), never PSS */
	if ((ret = gnutls_privkey_sign_hash2(keys_privkey(ca->key), sign, 0,
	    &hash, &sig)) < 0) {
		rc = err_set(cause, "CRL: sign: %s", gnutls_strerror(ret));
		goto out;
	}
	TRY(x509_sig_alg(&alg, ca, &sign, cause));

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
    void *arg, struct der *out, char **cause)
{
	struct crl_parts	 c;
	int			 rc = ERR_FAIL;

	memset(&c, 0, sizeof c);
	c.nbody = 1;
	der_init_stream(&c.body[0]);
	TRY(fill_body(&c.body[0], next, arg, cause));
	TRY(crl_build(ca, info, &c, cause));
	der_init(out, c.head.len + c.body[0].len + c.tail.len);
	der_raw(out, c.head.p, c.head.len);
	der_raw(out, c.body[0].p, c.body[0].len);
	der_raw(out, c.tail.p, c.tail.len);
	rc = 0;
out:
	parts_free(&c);
	return rc;
}

/* Rows from the store, serials turned from hex into bytes. */
struct rows {
	struct store_revoked	*cur;
	unsigned char		 serial[20];
	int64_t			 n;		/* rows read */
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
	int64_t		 when, invalid;
	size_t		 n, odd;
	int		 reason, got, hi, lo;

	if ((got = store_revoked_next(r->cur, &hex, &when, &reason, &invalid,
	    cause)) <= 0)
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
	r->n++;
	e->revoked_at = (time_t)when;
	e->reason = reason;
	e->invalid_at = (time_t)invalid;
	return 1;
}

/* DIR/crl/ + the file name the first http:// URL of urls ends with. */
static char *
path_for(const struct ca *ca, const struct strv *urls, const char *fallback)
{
	char		*name = conf_crl_name(urls, fallback), *path;

	xasprintf(&path, "%s/%s/%s", ca->dir, CA_CRLDIR, name);
	free(name);
	return path;
}

char *
crl_path(const struct ca *ca)
{
	return path_for(ca, &ca->conf->cdp, CONF_CRL_NAME);
}

char *
crl_delta_path(const struct ca *ca)
{
	if (ca->conf->delta_cdp.n == 0)
		return NULL;
	return path_for(ca, &ca->conf->delta_cdp, CONF_DELTA_NAME);
}

/* The PEM copy, staged on a thread of its own beside the DER. */
struct pem_job {
	struct out_batch	*b;
	const char		*path;
	struct pem_writer	*pem;
	int			 rc;
	char			*cause;
};

static void *
stage_pem(void *arg)
{
	struct pem_job	*j = arg;

	j->rc = out_batch_add_chunks(j->b, j->path, pem_writer_next, j->pem, 0,
	    &j->cause);
	return NULL;
}

/*
 * Sign the entries in c and write path (DER), path.pem and extra (DER):
 * the DER straight from the encoder's pieces, the PEM encoded as it is
 * written. For a large CRL, encoding and writing the PEM takes as long as
 * everything after the rows are read, so it is staged on a second thread
 * while the DER is staged here; both are staged before either is renamed
 * into place.
 */
static int
write_crl(struct ca *ca, const struct crl_info *info, struct crl_parts *c,
    const char *path, const char *extra, char **cause)
{
	struct out_batch	*b = out_batch_new(1);
	struct pem_job		 pj = { out_batch_new(1), NULL, NULL, 0, NULL };
	struct iovec		 v[2 + CRL_BODIES_MAX];
	pthread_t		 t;
	char			*pempath = NULL;
	int			 rc = ERR_FAIL, n = 0, threaded;

	TRY(crl_build(ca, info, c, cause));
	v[n].iov_base = c->head.p;
	v[n++].iov_len = c->head.len;
	for (size_t i = 0; i < c->nbody; i++) {
		v[n].iov_base = c->body[i].p;
		v[n++].iov_len = c->body[i].len;
	}
	v[n].iov_base = c->tail.p;
	v[n++].iov_len = c->tail.len;
	xasprintf(&pempath, "%s.pem", path);
	pj.path = pempath;
	pj.pem = pem_writer_new("X509 CRL", v, n);
	threaded = pthread_create(&t, NULL, stage_pem, &pj) == 0;
	rc = out_batch_addv(b, path, v, n, 0, cause);
	if (rc == 0 && extra != NULL)
		rc = out_batch_addv(b, extra, v, n, 0, cause);
	if (threaded)
		pthread_join(t, NULL);
	else if (rc == 0)
		stage_pem(&pj);
	if (rc == 0 && (rc = pj.rc) != 0) {
		*cause = pj.cause;
		pj.cause = NULL;
	}
	TRY(rc);
	/* one batch: the DER and the PEM are placed together, or neither */
	TRY(out_batch_join(b, pj.b, cause));
	TRY(out_batch_commit(b, cause));
	rc = 0;
out:
	free(pj.cause);
	pem_writer_free(pj.pem);
	out_batch_free(pj.b);
	out_batch_free(b);
	free(pempath);
	return rc;
}

/*
 * A share of the base CRL's rows: those expiring in (after, until], read
 * on a connection and a thread of its own into a body of its own.
 */
struct share {
	struct store	*st;
	int64_t		 now;
	int64_t		 after;
	int64_t		 until;
	struct der	*body;
	int64_t		 rows;		/* read into body */
	int		 rc;
	char		*cause;
};

static void *
read_share(void *arg)
{
	struct share	*sh = arg;
	struct rows	 r = { NULL, { 0 }, 0 };
	int		 rc = ERR_FAIL;

	TRY(store_revoked_range(sh->st, sh->now, sh->after, sh->until, &r.cur,
	    &sh->cause));
	TRY(fill_body(sh->body, next_row, &r, &sh->cause));
	rc = 0;
out:
	store_revoked_close(r.cur);
	sh->rows = r.n;
	sh->rc = rc;
	return NULL;
}

/* The base CRL's rows counted through the other index, on its own thread. */
struct tally {
	struct store	*st;
	int64_t		 now;
	int64_t		 n;
	int		 rc;
	char		*cause;
};

static void *
count_rows(void *arg)
{
	struct tally	*ty = arg;

	ty->rc = store_revoked_count(ty->st, ty->now, &ty->n, &ty->cause);
	return NULL;
}

/*
 * How many shares: one per CPU, up to CRL_BODIES_MAX. Reading the rows is
 * most of the work for a large CRL and SQLite steps one statement on one
 * thread, so the rows are split by not_after across connections.
 */
static size_t
shares_wanted(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > CRL_BODIES_MAX ? CRL_BODIES_MAX : (size_t)n;
}

/*
 * The store lists what expires after a time; a certificate is unexpired
 * through its notAfter second (RFC 5280, 4.1.2.5), so a CRL made at now
 * lists those whose notAfter is after now - 1.
 */
static int64_t
unexpired_after(time_t now)
{
	return (int64_t)now - 1;
}

/*
 * Every revoked certificate unexpired after cut into c's bodies. With
 * several shares, every reader's snapshot is taken while the CA's own
 * connection holds the write lock, so they all see one and the same
 * database: the CRL is what one reader would have read. In that snapshot
 * the rows are also counted through the other index: a damaged index would
 * otherwise yield a CRL that silently leaves revoked certificates out.
 */
static int
read_base(struct ca *ca, int64_t cut, struct crl_parts *c, char **cause)
{
	struct share	 sh[CRL_BODIES_MAX];
	struct tally	 ty = { NULL, cut, 0, 0, NULL };
	pthread_t	 t[CRL_BODIES_MAX], tt;
	size_t		 n = shares_wanted(), started = 0;
	int64_t		 first = 0, last = 0, span, got = 0;
	char		*dbpath = NULL;
	int		 rc = ERR_FAIL, any, own = 0, counting = 0;

	memset(sh, 0, sizeof sh);
	TRY(store_revoked_span(ca->store, cut, &any, &first, &last, cause));
	span = last - first + 1;
	if (!any || span < (int64_t)n)
		n = 1;
	c->nbody = n;
	for (size_t i = 0; i < n; i++) {
		der_init_stream(&c->body[i]);
		sh[i].body = &c->body[i];
		sh[i].now = cut;
		sh[i].after = i == 0 ? cut : first - 1 + span * (int64_t)i /
		    (int64_t)n;
		sh[i].until = i == n - 1 ? INT64_MAX : first - 1 + span *
		    (int64_t)(i + 1) / (int64_t)n;
	}
	if (n == 1) {
		sh[0].st = ca->store;
		TRY(store_snapshot_begin(ca->store, cause));
		own = 1;
		ty.st = ca->store;
		count_rows(&ty);
		read_share(&sh[0]);
		goto joined;
	}
	dbpath = ca_path(ca, CA_DB);
	for (size_t i = 0; i < n; i++)
		TRY(store_open(dbpath, 0, &sh[i].st, cause));
	TRY(store_open(dbpath, 0, &ty.st, cause));
	TRY(store_hold_writes(ca->store, cause));
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = store_snapshot_begin(sh[i].st, cause);
	if (rc == 0)
		rc = store_snapshot_begin(ty.st, cause);
	store_release_writes(ca->store);
	if (rc != 0)
		goto out;
	if (pthread_create(&tt, NULL, count_rows, &ty) == 0)
		counting = 1;
	else
		count_rows(&ty);
	for (started = 1; started < n; started++)
		if (pthread_create(&t[started], NULL, read_share,
		    &sh[started]) != 0) {
			sh[started].rc = err_set(&sh[started].cause, "CRL: "
			    "cannot start a thread: %s", strerror(errno));
			break;
		}
	read_share(&sh[0]);
	for (size_t i = 1; i < started; i++)
		pthread_join(t[i], NULL);
	if (counting)
		pthread_join(tt, NULL);
joined:
	if (ty.rc != 0) {
		rc = ty.rc;
		*cause = ty.cause;
		ty.cause = NULL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (sh[i].rc != 0) {
			rc = sh[i].rc;
			*cause = sh[i].cause;
			sh[i].cause = NULL;
			goto out;
		}
		got += sh[i].rows;
	}
	if (got != ty.n) {
		rc = err_set(cause, "CRL: the database's indexes disagree on "
		    "the revoked certificates (%lld read, %lld counted): it is "
		    "damaged, nothing was signed (check it with sqlite3 "
		    "roleca.db 'PRAGMA integrity_check', then REINDEX)",
		    (long long)got, (long long)ty.n);
		goto out;
	}
	rc = 0;
out:
	if (own)
		store_snapshot_end(ca->store);
	if (ty.st != NULL && ty.st != ca->store) {
		store_snapshot_end(ty.st);
		store_close(ty.st);
	}
	free(ty.cause);
	for (size_t i = 0; i < n; i++) {
		free(sh[i].cause);
		if (sh[i].st != ca->store) {
			store_snapshot_end(sh[i].st);
			store_close(sh[i].st);
		}
	}
	free(dbpath);
	return rc;
}

int
crl_lock(struct ca *ca, char **cause)
{
	char	*path;
	int	 fd;

	if (ca->crl_lock >= 0)
		return 0;
	xasprintf(&path, "%s/%s/.lock", ca->dir, CA_CRLDIR);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		/* as crl says it when it writes there */
		err_set(cause, "directory %s/%s does not exist", ca->dir,
		    CA_CRLDIR);
		free(path);
		return ERR_FAIL;
	}
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		err_set(cause, "%s: cannot lock: %s", path, strerror(errno));
		free(path);
		if (fd >= 0)
			close(fd);
		return ERR_FAIL;
	}
	free(path);
	ca->crl_lock = fd;
	/* no other run writes in crl/ now: what a killed one left goes */
	path = ca_path(ca, CA_CRLDIR);
	out_sweep_temps(path);
	free(path);
	return 0;
}

void
crl_unlock(struct ca *ca)
{
	if (ca->crl_lock < 0)
		return;
	close(ca->crl_lock);
	ca->crl_lock = -1;
}

/* When the CA certificate expires, or -1 when that cannot be read. */
static time_t
ca_not_after(const struct ca *ca)
{
	return ca->crt != NULL ?
	    gnutls_x509_crt_get_expiration_time(ca->crt) : (time_t)-1;
}

/*
 * A nextUpdate no later than the CA certificate's notAfter, as Windows
 * CAs cut it: no CRL promises a successor its signer cannot sign.
 */
static time_t
until(const struct ca *ca, time_t next)
{
	time_t	 na = ca_not_after(ca);

	return na != (time_t)-1 && next > na ? na : next;
}

/*
 * Whether path, path.pem and extra could all be written, before a CRL
 * number is taken for them: a bad output must not cost a number.
 */
static int
check_outputs(const struct ca *ca, time_t now, const char *path,
    const char *extra, char **cause)
{
	char	*pem, *clash, date[32];
	time_t	 na = ca_not_after(ca);
	int	 rc = ERR_FAIL;

	/* a CRL is trusted only while its signer's certificate is valid */
	if (na != (time_t)-1 && now > na) {
		utc_text(date, sizeof date, UTC_TEXT, na);
		return err_set(cause, "%s/%s expired at %s: a CRL it signs is "
		    "not trusted (make a new CA, and revoke this one at its "
		    "parent)", ca->dir, CA_CRT, date);
	}

	/* each would replace the other: ca.cfg must be mended first */
	if ((clash = conf_delta_clash(ca->conf)) != NULL) {
		rc = err_set(cause, "%s/%s: the delta CRL's file name '%s' is "
		    "the CRL's or its .pem copy's: give delta_cdp a name of "
		    "its own", ca->dir, CA_CFG, clash);
		free(clash);
		return rc;
	}
	xasprintf(&pem, "%s.pem", path);
	if (extra != NULL && (strcmp(extra, path) == 0 ||
	    strcmp(extra, pem) == 0)) {
		rc = err_usage(cause, "%s: is the CRL's own file", extra);
		goto out;
	}
	/* a key, a database, CRLs (this CA's or another's): not replaced */
	if (extra != NULL && (rc = ca_refuse_output(extra, 0, cause)) != 0) {
		err_prefix(cause, "--out ");
		goto out;
	}
	TRY(out_check(path, 1, cause));
	TRY(out_check(pem, 1, cause));
	if (extra != NULL)
		TRY(out_check(extra, 1, cause));
	rc = 0;
out:
	free(pem);
	return rc;
}

int
crl_make(struct ca *ca, const char *extra, struct crl_info *info,
    char **cause)
{
	struct crl_parts c;
	char		*path = crl_path(ca);
	time_t		 now = time(NULL);
	int		 rc = ERR_FAIL, locked = ca->crl_lock >= 0;

	memset(info, 0, sizeof *info);
	memset(&c, 0, sizeof c);
	hex_init();
	/*
	 * The order keeps a number from ever being issued twice: the outputs
	 * are checked first (a bad one changes nothing, not even the lock
	 * file), then the number is taken and committed, and only then is
	 * the CRL built and written. A crash or a failed write after the
	 * commit skips that number; none is reused.
	 */
	TRY(check_outputs(ca, now, path, extra, cause));
	TRY(crl_lock(ca, cause));
	/* signed now, not when the command started or the lock was asked */
	now = time(NULL);
	info->this_update = now;
	info->next_update = until(ca, now + (time_t)ca->conf->crl_days * 86400);
	if (ca->conf->delta_cdp.n > 0)
		info->freshest = &ca->conf->delta_cdp;
	else {
		int64_t	 until_t = 0;

		TRY(store_counter(ca->store, "freshest_until", &until_t,
		    cause));
		if (until_t > (int64_t)now)
			info->stranded_until = (time_t)until_t;
	}
	TRY(store_next_crl_number(ca->store, &info->number, cause));
	TRY(read_base(ca, unexpired_after(now), &c, cause));
	TRY(write_crl(ca, info, &c, path, extra, cause));
	/*
	 * Deltas from now on are relative to this base: both, or neither.
	 * Neither (the database busy past the wait) leaves them relative to
	 * the base before, which a delta may be (RFC 5280 5.2.4: it lists
	 * every change since then, and any base CRL at least as new applies):
	 * the CRL stands, and a warning says so.
	 */
	if (store_begin(ca->store, cause) != 0 ||
	    store_set_counter(ca->store, "base_crl_number",
	    (int64_t)info->number, cause) != 0 ||
	    store_set_counter(ca->store, "base_crl_time", (int64_t)now,
	    cause) != 0 || store_commit(ca->store, cause) != 0) {
		store_rollback(ca->store);
		info->unbased = *cause;
		*cause = NULL;
	}
	rc = 0;
out:
	parts_free(&c);
	if (!locked)
		crl_unlock(ca);
	free(path);
	return rc;
}

void
crl_warnings(const char *cmd, const struct crl_info *info)
{
	char	 day[32];

	if (info->unbased != NULL)
		fprintf(stderr, "roleca: %s: warning: CRL number %llu is not "
		    "recorded as the delta CRLs' base (%s): they stay based on "
		    "the CRL before\n", cmd, (unsigned long long)info->number,
		    info->unbased);
	if (info->stranded_until == 0)
		return;
	utc_text(day, sizeof day, UTC_DAY, info->stranded_until);
	fprintf(stderr, "roleca: %s: warning: delta CRLs are off (no delta_cdp "
	    "in ca.cfg), but certificates expiring as late as %s name a "
	    "delta CRL (Freshest CRL): peers will find the last one expired; "
	    "put delta_cdp back, or reissue them\n", cmd, day);
}

void
crl_info_free(struct crl_info *info)
{
	free(info->unbased);
	info->unbased = NULL;
}

int
crl_delta_check(const struct ca *ca, time_t now, char **cause)
{
	char	*path = crl_delta_path(ca);
	int	 rc = 0;

	if (path != NULL)
		rc = check_outputs(ca, now, path, NULL, cause);
	free(path);
	return rc;
}

int
crl_make_delta(struct ca *ca, struct crl_info *info, char **cause)
{
	struct rows	 r = { NULL, { 0 }, 0 };
	struct crl_parts c;
	char		*path = crl_delta_path(ca);
	time_t		 now = time(NULL);
	int64_t		 base = 0, since = 0;
	int		 rc = ERR_FAIL, locked = ca->crl_lock >= 0;

	memset(info, 0, sizeof *info);
	memset(&c, 0, sizeof c);
	if (path == NULL)
		return err_usage(cause, "%s/%s names no delta_cdp: delta CRLs "
		    "are off", ca->dir, CA_CFG);
	hex_init();
	/* as in crl_make: checked before the number is taken */
	TRY(check_outputs(ca, now, path, NULL, cause));
	TRY(crl_lock(ca, cause));
	now = time(NULL);
	TRY(store_counter(ca->store, "base_crl_number", &base, cause));
	TRY(store_counter(ca->store, "base_crl_time", &since, cause));
	if (base == 0) {
		rc = err_set(cause, "no base CRL yet: run roleca crl first");
		goto out;
	}
	info->this_update = now;
	info->next_update = until(ca, now +
	    (time_t)ca->conf->delta_crl_hours * 3600);
	info->base = (uint64_t)base;
	TRY(store_next_crl_number(ca->store, &info->number, cause));
	TRY(store_revoked_since(ca->store, unexpired_after(now), since, &r.cur,
	    cause));
	c.nbody = 1;
	der_init_stream(&c.body[0]);
	TRY(fill_body(&c.body[0], next_row, &r, cause));
	TRY(write_crl(ca, info, &c, path, NULL, cause));
	rc = 0;
out:
	parts_free(&c);
	store_revoked_close(r.cur);
	if (!locked)
		crl_unlock(ca);
	free(path);
	return rc;
}

int
crl_read_head(const char *path, const struct strv *freshest, int *found,
    struct crl_head *h, char **cause)
{
	gnutls_datum_t		 want = { NULL, 0 }, have = { NULL, 0 };
	gnutls_x509_crl_t	 crl = NULL;
	unsigned char		*data = NULL, num[20];
	char			 oid[64];
	size_t			 len, nlen = sizeof num, olen;
	unsigned		 critical;
	gnutls_datum_t		 d;
	int			 rc = ERR_FAIL, ret;

	*found = 0;
	if (access(path, F_OK) != 0)
		return 0;
	TRY(out_read_file(path, 1024 * 1024 * 1024, &data, &len, cause));
	d.data = data;
	d.size = (unsigned)len;
	if ((ret = gnutls_x509_crl_init(&crl)) < 0 ||
	    ((ret = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER)) < 0 &&
	    (ret = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM)) < 0)) {
		rc = err_set(cause, "%s: not a CRL: %s", path,
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_x509_crl_get_number(crl, num, &nlen, NULL)) < 0) {
		rc = err_set(cause, "%s: no CRL number: %s", path,
		    gnutls_strerror(ret));
		goto out;
	}
	/* roleca's numbers are below 2^63; leading zero bytes are padding */
	h->number = 0;
	for (size_t i = 0; i < nlen; i++) {
		if (h->number >> 55 != 0) {
			rc = err_set(cause, "%s: CRL number too large", path);
			goto out;
		}
		h->number = h->number << 8 | num[i];
	}
	h->this_update = gnutls_x509_crl_get_this_update(crl);
	h->next_update = gnutls_x509_crl_get_next_update(crl);
	if (freshest != NULL && freshest->n > 0)
		TRY(x509_encode_cdp(freshest, &want, cause));
	for (unsigned i = 0; ; i++) {
		olen = sizeof oid;
		if (gnutls_x509_crl_get_extension_info(crl, (int)i, oid, &olen,
		    &critical) < 0)
			break;
		if (strcmp(oid, OID_FRESHEST) != 0)
			continue;
		if ((ret = gnutls_x509_crl_get_extension_data2(crl, i,
		    &have)) < 0) {
			rc = err_set(cause, "%s: Freshest CRL: %s", path,
			    gnutls_strerror(ret));
			goto out;
		}
		break;
	}
	h->freshest_same = have.size == want.size && (want.size == 0 ||
	    memcmp(have.data, want.data, want.size) == 0);
	*found = 1;
	rc = 0;
out:
	gnutls_free(want.data);
	gnutls_free(have.data);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	free(data);
	return rc;
}
