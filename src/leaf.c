/*
 * Build, judge, record: the order is the point. Nothing is recorded that
 * the policy refused, and the command writes no file before the record is
 * committed.
 */
#include <stdlib.h>
#include <time.h>

#include "err.h"
#include "leaf.h"
#include "store.h"
#include "util.h"
#include "x509.h"

int
leaf_sign(struct ca *ca, const struct profile *p, const struct request *req,
    gnutls_pubkey_t pub, gnutls_x509_crt_t *out, struct findings *f,
    char **cause)
{
	gnutls_x509_crt_t	 crt = NULL;
	struct policy_ctx	 ctx = { 0 };
	int			 rc = ERR_FAIL;

	ctx.now = time(NULL);
	TRY(x509_build_leaf(req, pub, ca, ctx.now, &crt, cause));
	ctx.conf = ca->conf;
	ctx.issuer = ca->crt;
	ctx.profile = p;
	ctx.request = req;
	TRY(policy_check(crt, &ctx, f, cause));
	if (f->n > 0) {
		rc = err_policy(cause, "refused by policy");
		goto out;
	}
	*out = crt;
	crt = NULL;
	rc = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

int
leaf_record(struct ca *ca, const struct request *req, gnutls_x509_crt_t crt,
    char **serial, char **cause)
{
	struct store_cert	 sc = { 0 };
	gnutls_datum_t		 der = { NULL, 0 };
	int			 rc = ERR_FAIL;

	TRY(x509_export(crt, 0, &der, cause));
	TRY(x509_serial_hex(crt, &sc.serial, cause));
	TRY(x509_subject_text(crt, &sc.subject, cause));
	TRY(x509_san_text(crt, &sc.sans, cause));
	sc.profile = req->profile;
	sc.vars = req->vars;
	sc.not_before = gnutls_x509_crt_get_activation_time(crt);
	sc.not_after = gnutls_x509_crt_get_expiration_time(crt);
	sc.issued_at = time(NULL);
	sc.status = STORE_VALID;
	sc.reason = -1;
	sc.der = der.data;
	sc.der_len = der.size;
	TRY(store_record(ca->store, &sc, cause));
	*serial = sc.serial;
	sc.serial = NULL;
	rc = 0;
out:
	free(sc.serial);
	free(sc.subject);
	free(sc.sans);
	gnutls_free(der.data);
	return rc;
}
