/*
 * The CRL encoder. Entries are written in one pass into one buffer; only
 * the revokedCertificates SEQUENCE's header is fixed up (one shift of the
 * entries) when it is closed. The TBS is then signed with the CA key:
 * PKCS#1 v1.5 for RSA (never PSS), ECDSA otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crl.h"
#include "der.h"
#include "out.h"
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

static void
entry(struct der *d, const struct crl_entry *e)
{
	/*
	 * crlEntryExtensions holding one reasonCode: SEQUENCE { SEQUENCE {
	 * OID 2.5.29.21, OCTET STRING { ENUMERATED code } } }, constant but
	 * for its last byte, so it is written whole rather than encoded a
	 * million times.
	 */
	static const unsigned char	 reason[] = {
		0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
		0x04, 0x03, 0x0a, 0x01, 0x00
	};
	unsigned char			 ext[sizeof reason];
	size_t				 seq;

	seq = der_open(d, DER_SEQUENCE);
	der_uint(d, DER_INTEGER, e->serial, e->serial_len);
	der_time(d, e->revoked_at);
	/* RFC 5280: omit reasonCode rather than say "unspecified" */
	if (e->reason > 0) {
		memcpy(ext, reason, sizeof reason);
		ext[sizeof ext - 1] = (unsigned char)e->reason;
		der_raw(d, ext, sizeof ext);
	}
	der_close(d, seq);
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

static int
tbs(struct der *d, const struct ca *ca, const struct crl_info *info,
    crl_next_fn next, void *arg, gnutls_sign_algorithm_t *sign,
    char **cause)
{
	gnutls_datum_t		 dn = { NULL, 0 };
	struct crl_entry	 e;
	size_t			 seq, list;
	int			 rc = ERR_FAIL, ret, got;

	seq = der_open(d, DER_SEQUENCE);
	der_small_uint(d, DER_INTEGER, 1);	/* v2 */
	TRY(sig_alg(d, ca, sign, cause));
	if ((ret = gnutls_x509_crt_get_raw_dn(ca->crt, &dn)) < 0) {
		rc = err_set(cause, "CRL: CA subject: %s", gnutls_strerror(ret));
		goto out;
	}
	der_raw(d, dn.data, dn.size);
	der_time(d, info->this_update);
	der_time(d, info->next_update);
	list = der_open(d, DER_SEQUENCE);
	while ((got = next(arg, &e, cause)) > 0)
		entry(d, &e);
	if ((rc = got) < 0)
		goto out;
	if (d->len == list)
		d->len = list - 2;	/* no entries: the field is absent */
	else
		der_close(d, list);
	TRY(extensions(d, ca, info, cause));
	der_close(d, seq);
	rc = 0;
out:
	gnutls_free(dn.data);
	return rc;
}

int
crl_encode(const struct ca *ca, const struct crl_info *info, crl_next_fn next,
    void *arg, size_t hint, struct der *out, char **cause)
{
	struct der		 d, alg;
	gnutls_datum_t		 data, sig = { NULL, 0 };
	gnutls_sign_algorithm_t	 sign;
	size_t			 top, bits, start;
	int			 rc = ERR_FAIL, ret;

	/* about 40 bytes an entry: one buffer, no growth on the way */
	der_init(&d, 4096 + hint * 48);
	der_init(&alg, 64);
	top = der_open(&d, DER_SEQUENCE);
	start = d.len;
	TRY(tbs(&d, ca, info, next, arg, &sign, cause));
	data.data = d.p + start;
	data.size = (unsigned)(d.len - start);
	if ((ret = gnutls_privkey_sign_data2(keys_privkey(ca->key), sign, 0,
	    &data, &sig)) < 0) {
		rc = err_set(cause, "CRL: sign: %s", gnutls_strerror(ret));
		goto out;
	}
	TRY(sig_alg(&alg, ca, &sign, cause));
	der_raw(&d, alg.p, alg.len);
	bits = der_open(&d, DER_BIT_STRING);
	der_raw(&d, "", 1);	/* no unused bits */
	der_raw(&d, sig.data, sig.size);
	der_close(&d, bits);
	der_close(&d, top);
	*out = d;
	d.p = NULL;
	rc = 0;
out:
	gnutls_free(sig.data);
	der_free(&alg);
	der_free(&d);
	return rc;
}

/* Rows from the store, serials turned from hex into bytes. */
struct rows {
	struct store_revoked	*cur;
	unsigned char		 serial[20];
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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

/* Encode rows from r, sign, write path (DER) and path.pem, and extra. */
static int
write_crl(struct ca *ca, const struct crl_info *info, struct rows *r,
    long long count, const char *path, const char *extra, char **cause)
{
	struct out_batch	*b = out_batch_new(1);
	struct der		 der = { NULL, 0, 0 };
	gnutls_datum_t		 view, pem = { NULL, 0 };
	char			*pempath = NULL;
	int			 rc = ERR_FAIL, ret;

	TRY(crl_encode(ca, info, next_row, r, (size_t)count, &der, cause));
	view.data = der.p;
	view.size = (unsigned)der.len;
	if ((ret = gnutls_pem_base64_encode2("X509 CRL", &view, &pem)) < 0) {
		rc = err_set(cause, "CRL: PEM: %s", gnutls_strerror(ret));
		goto out;
	}
	xasprintf(&pempath, "%s.pem", path);
	TRY(out_batch_add(b, path, der.p, der.len, 0, cause));
	TRY(out_batch_add(b, pempath, pem.data, pem.size, 0, cause));
	if (extra != NULL)
		TRY(out_batch_add(b, extra, der.p, der.len, 0, cause));
	TRY(out_batch_commit(b, cause));
	rc = 0;
out:
	out_batch_free(b);
	der_free(&der);
	gnutls_free(pem.data);
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
