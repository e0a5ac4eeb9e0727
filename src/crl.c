/*
 * The CRL encoder. Entries are written in one pass into one buffer; only
 * the revokedCertificates SEQUENCE's header is fixed up (one shift of the
 * entries) when it is closed. The TBS is then signed with the CA key:
 * PKCS#1 v1.5 for RSA (never PSS), ECDSA otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crl.h"
#include "der.h"
#include "err.h"
#include "util.h"

#define OID_REASON	"2.5.29.21"
#define OID_CRL_NUMBER	"2.5.29.20"
#define OID_AKI		"2.5.29.35"

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
	size_t		 seq, exts, ext, oct;
	unsigned char	 code;

	seq = der_open(d, DER_SEQUENCE);
	der_uint(d, DER_INTEGER, e->serial, e->serial_len);
	der_time(d, e->revoked_at);
	/* RFC 5280: omit reasonCode rather than say "unspecified" */
	if (e->reason > 0) {
		code = (unsigned char)e->reason;
		exts = der_open(d, DER_SEQUENCE);
		ext = der_open(d, DER_SEQUENCE);
		der_oid(d, OID_REASON);
		oct = der_open(d, DER_OCTET_STRING);
		der_tlv(d, DER_ENUMERATED, &code, 1);
		der_close(d, oct);
		der_close(d, ext);
		der_close(d, exts);
	}
	der_close(d, seq);
}

static int
extensions(struct der *d, const struct ca *ca, uint64_t number, char **cause)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof id, ctx, seq, ext, oct, aki;
	unsigned	 critical;
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
	der_small_uint(d, DER_INTEGER, number);
	der_close(d, oct);
	der_close(d, ext);
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
	TRY(extensions(d, ca, info->number, cause));
	der_close(d, seq);
	rc = 0;
out:
	gnutls_free(dn.data);
	return rc;
}

int
crl_encode(const struct ca *ca, const struct crl_info *info, crl_next_fn next,
    void *arg, gnutls_datum_t *out, char **cause)
{
	struct der		 d, alg;
	gnutls_datum_t		 data, sig = { NULL, 0 };
	gnutls_sign_algorithm_t	 sign;
	size_t			 top, bits, start;
	int			 rc = ERR_FAIL, ret;

	der_init(&d, 1 << 16);
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
	out->data = gnutls_malloc(d.len);
	if (out->data == NULL) {
		rc = err_set(cause, "CRL: out of memory");
		goto out;
	}
	memcpy(out->data, d.p, d.len);
	out->size = (unsigned)d.len;
	rc = 0;
out:
	gnutls_free(sig.data);
	der_free(&alg);
	der_free(&d);
	return rc;
}
