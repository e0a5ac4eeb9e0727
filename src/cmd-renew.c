/*
 * renew: a new certificate for the same role, names and variables as a
 * recorded one. By default it certifies the same public key (taken from the
 * old certificate, so no private key is needed); --new-key makes a new
 * key. --revoke-old marks the old one superseded once the new one is
 * recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "keys.h"
#include "leaf.h"
#include "out.h"
#include "policy.h"
#include "profile.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_NEW_KEY = 'k',
	OPT_OUT = 'o',
	OPT_REVOKE_OLD = 'r',
	OPT_FORCE = 'f'
};

static const struct option options[] = {
	{ "new-key", no_argument, NULL, OPT_NEW_KEY },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "revoke-old", no_argument, NULL, OPT_REVOKE_OLD },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

struct renew {
	struct ca		*ca;
	struct store_cert	*old;
	gnutls_x509_crt_t	*oldcrt;
	size_t			 noldcrt;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	struct key		*key;		/* with --new-key */
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	struct findings		 findings;
	struct out_batch	*batch;
	char			*serial;	/* the new certificate's */
	char			*asked;		/* the one to renew, as kept */
	char			*paths[3];	/* crt, chain, key */
};

/*
 * Names the old certificate carries that the variables do not give (its
 * request asked for them, as the record says where it was kept), each where
 * the role's profile, as it is now, still leaves a place for it.
 */
static int
keep_names(struct renew *rn, char **cause)
{
	struct strv	 dns = { NULL, 0 }, ip = { NULL, 0 };
	char		*cn = NULL;
	const char	*cn_oid = dn_oid("CN");
	int		 rc = ERR_FAIL;

	TRY(x509_names(rn->oldcrt[0], &cn, &dns, &ip, cause));
	if (dn_get(&rn->req->subject, cn_oid) == NULL && cn != NULL)
		dn_add(&rn->req->subject, cn_oid, cn);
	TRY(leaf_keep_names(rn->req, rn->profile, &rn->values, &dns, &ip,
	    rn->old->asked, cause));
	if (rn->req->friendly_name == NULL && cn != NULL)
		rn->req->friendly_name = xstrdup(cn);
	rc = 0;
out:
	free(cn);
	strv_free(&dns);
	strv_free(&ip);
	return rc;
}

/*
 * Is every recorded variable one the role's profile, as it is now, still
 * declares? One it dropped gave the old certificate something the role no
 * longer gives: renewing would drop it unasked, so it is refused, as a
 * name the profile no longer gives is.
 */
static int
vars_declared(const struct renew *rn, char **cause)
{
	const struct profile	*p = rn->profile;

	for (size_t i = 0; i < rn->values.n; i++) {
		const struct profile_value	*v = &rn->values.v[i];
		size_t				 k;

		for (k = 0; k < p->nvars; k++)
			if (strcmp(p->vars[k].name, v->name) == 0)
				break;
		if (k == p->nvars)
			return err_policy(cause, "refused: the certificate "
			    "renewed was issued with %s=%s, a variable role %s "
			    "no longer declares (its profile changed): issue a "
			    "new certificate", v->name, v->values.n > 0 ?
			    v->values.v[0] : "", p->name);
	}
	return 0;
}

/*
 * PREFIX.crt, .chain.pem (and .key): DIR/ names the files after the CN, as
 * for issue and sign; all must be writable before anything is signed.
 */
static int
plan_outputs(struct renew *rn, const struct args *a, char **cause)
{
	static const char *const suffixes[] = { ".crt", ".chain.pem", ".key" };

	return leaf_out_paths(args_get(a, OPT_OUT), rn->req, suffixes,
	    args_has(a, OPT_NEW_KEY) ? 3 : 2, args_has(a, OPT_FORCE),
	    rn->paths, cause);
}

static int
prepare(struct renew *rn, const char *dir, const struct args *a, char **cause)
{
	struct keyspec	 spec;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	TRY(ca_open(dir, CA_WANT_ALL, &rn->ca, cause));
	TRY(store_get(rn->ca->store, a->pos[0], &rn->old, cause));
	if (rn->old == NULL) {
		/* store_get took it: a serial, shown as the database has it */
		rc = err_set(cause, "no certificate with serial %s in %s",
		    rn->asked != NULL ? rn->asked : a->pos[0], dir);
		goto out;
	}
	if (rn->old->status == STORE_REVOKED && rn->old->reason == 6) {
		rc = err_set(cause, "certificate %s is on hold: release it "
		    "first (roleca unrevoke %s), or issue a new one",
		    rn->old->serial, rn->old->serial);
		goto out;
	}
	if (rn->old->status == STORE_REVOKED) {
		rc = err_set(cause, "certificate %s is revoked: issue a new "
		    "one (roleca issue) rather than renew it", rn->old->serial);
		goto out;
	}
	if (strcmp(rn->old->profile, "subordinate-ca") == 0) {
		rc = err_usage(cause, "%s is a CA certificate: make a new "
		    "subordinate with roleca init --parent", rn->old->serial);
		goto out;
	}
	TRY(x509_parse_certs(rn->old->der, rn->old->der_len, "database record",
	    &rn->oldcrt, &rn->noldcrt, cause));
	TRY(profile_values_parse(&rn->values, rn->old->vars, cause));
	TRY(profile_find(rn->old->profile, dir, &path, cause));
	TRY(profile_load(path, &rn->ca->conf->policy, &rn->profile, cause));
	TRY(vars_declared(rn, cause));
	TRY(profile_bind_partial(rn->profile, &rn->values, &rn->req, cause));
	TRY(keep_names(rn, cause));
	TRY(plan_outputs(rn, a, cause));
	if (args_has(a, OPT_NEW_KEY)) {
		TRY(keys_generate(&rn->req->key, &rn->key, cause));
		TRY(keys_pubkey(rn->key, &rn->pub, cause));
	} else {
		TRY(x509_crt_pubkey(rn->oldcrt[0], &rn->pub, cause));
		TRY(leaf_key_not_compromised(rn->ca, rn->pub, cause));
		TRY(keys_spec_of_pubkey(rn->pub, &spec, cause));
		profile_fit_key(rn->req, rn->profile, &spec);
	}
	rc = 0;
out:
	free(path);
	return rc;
}

static int
stage(struct renew *rn, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 }, key = { NULL, 0 };
	char		*chain = NULL;
	int		 rc = ERR_FAIL;

	TRY(x509_export(rn->crt, 1, &d, cause));
	TRY(out_batch_add(rn->batch, rn->paths[0], d.data, d.size, 0, cause));
	TRY(leaf_chain_pem(rn->ca, rn->crt, &chain, cause));
	TRY(out_batch_add(rn->batch, rn->paths[1], chain, strlen(chain), 0,
	    cause));
	if (rn->key != NULL) {
		TRY(keys_export_pem(rn->key, &key, cause));
		TRY(out_batch_add(rn->batch, rn->paths[2], key.data, key.size,
		    1, cause));
	}
	rc = 0;
out:
	keys_datum_wipe(&key);
	gnutls_free(d.data);
	free(chain);
	return rc;
}

static void
renew_free(struct renew *rn)
{
	for (size_t i = 0; i < 3; i++)
		free(rn->paths[i]);
	free(rn->serial);
	free(rn->asked);
	out_batch_free(rn->batch);
	findings_free(&rn->findings);
	if (rn->crt != NULL)
		gnutls_x509_crt_deinit(rn->crt);
	if (rn->pub != NULL)
		gnutls_pubkey_deinit(rn->pub);
	keys_free(rn->key);
	request_free(rn->req);
	profile_values_free(&rn->values);
	profile_free(rn->profile);
	x509_free_certs(rn->oldcrt, rn->noldcrt);
	store_cert_free(rn->old);
	ca_close(rn->ca);
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct renew	 rn = { 0 };
	char		*cause = NULL, *outcome = NULL;
	int		 rc = ERR_FAIL;

	if (args_get(a, OPT_OUT) == NULL)
		return cmd_usage_error(cmd, "--out PREFIX is required");
	/* "" would write hidden ".crt" files in the working directory */
	if (*args_get(a, OPT_OUT) == '\0')
		return cmd_usage_error(cmd, "--out: empty prefix");
	rn.batch = out_batch_new(args_has(a, OPT_FORCE));
	rn.asked = serial_normalize(a->pos[0]);
	TRY(prepare(&rn, dir, a, &cause));
	if ((rc = leaf_sign(rn.ca, rn.profile, rn.req, rn.pub, &rn.crt,
	    &rn.findings, &cause)) == ERR_POLICY) {
		rc = cmd_refused(cmd, &rn.findings, &cause);
		goto out;
	}
	TRY(rc);
	TRY(stage(&rn, &cause));
	/* the files' syncs overlap the record's commit */
	out_batch_sync_begin(rn.batch);
	TRY(leaf_record(rn.ca, rn.req, rn.crt, rn.old->serial, cmd->name,
	    (rn.key == NULL ? LEAF_KEY_AGAIN : 0) | LEAF_OLD_VALID,
	    &rn.serial, &cause));
	if ((rc = out_batch_commit(rn.batch, &cause)) < 0) {
		err_prefix(&cause, "certificate %s is recorded but its files "
		    "could not be written (revoke it): ", rn.serial);
		goto out;
	}
	/* issued and placed, whatever follows */
	printf("%s\n", rn.serial);
	fflush(stdout);
	if (args_has(a, OPT_REVOKE_OLD)) {
		/*
		 * the old certificate's revocation has its own audit row, in
		 * its transaction: no revocation goes unlogged
		 */
		xasprintf(&outcome, "ok: superseded (renewed as %s)",
		    rn.serial);
		if ((rc = store_begin(rn.ca->store, &cause)) != 0 ||
		    (rc = store_revoke(rn.ca->store, rn.old->serial,
		    crl_reason_code("superseded"), NULL, &cause)) != 0 ||
		    (rc = store_audit(rn.ca->store, cmd_revoke.name,
		    rn.old->serial, rn.old->profile, outcome, &cause)) != 0 ||
		    (rc = store_commit(rn.ca->store, &cause)) != 0) {
			store_rollback(rn.ca->store);
			err_prefix(&cause, "certificate %s is issued and its "
			    "files written, but %s is not revoked (run roleca "
			    "revoke %s --reason superseded): ", rn.serial,
			    rn.old->serial, rn.old->serial);
			goto out;
		}
	}
	rc = 0;
out:
	/*
	 * Success was logged with the record. A failure names the new
	 * certificate when it was recorded, else the one asked for (as
	 * typed when it is no serial).
	 */
	if (rn.ca != NULL && rc != 0)
		cmd_audit(cmd, rn.ca->store, rn.serial != NULL ? rn.serial :
		    rn.asked != NULL ? rn.asked : a->pos[0], rn.old != NULL ?
		    rn.old->profile : NULL, rc, cause);
	free(outcome);
	renew_free(&rn);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_renew = {
	"renew",
	"SERIAL --out PREFIX [--new-key] [--revoke-old] [--force]",
	"Issue a new certificate with the same profile, names and variables as "
	"a recorded one; print its serial.",
	"  SERIAL        the certificate to renew\n"
	"  --out PREFIX  write PREFIX.crt and PREFIX.chain.pem (PREFIX ending\n"
	"                in /: a directory, the subject CN names the files)\n"
	"  --new-key     make a new key too (PREFIX.key, 0600); by default the\n"
	"                old certificate's public key is certified again\n"
	"  --revoke-old  then revoke the old certificate as superseded\n"
	"  --force       replace existing output files\n",
	options,
	1,
	1,
	run
};
