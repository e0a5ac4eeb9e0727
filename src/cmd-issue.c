/*
 * issue: a new key and certificate for a server role, from a profile and
 * --set variables. Output paths are checked before the key is made, every
 * file is staged before the certificate is recorded, and the files appear
 * only after the record is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "leaf.h"
#include "out.h"
#include "p12.h"
#include "pass.h"
#include "policy.h"
#include "profile.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_SET = 's',
	OPT_OUT = 'o',
	OPT_P12 = 'p',
	OPT_P12_PASS_FILE = 'P',
	OPT_P12_LEGACY = 'L',
	OPT_FRIENDLY_NAME = 'n',
	OPT_FORCE = 'f'
};

static const struct option options[] = {
	{ "set", required_argument, NULL, OPT_SET },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "p12", no_argument, NULL, OPT_P12 },
	{ "p12-pass-file", required_argument, NULL, OPT_P12_PASS_FILE },
	{ "p12-legacy", no_argument, NULL, OPT_P12_LEGACY },
	{ "friendly-name", required_argument, NULL, OPT_FRIENDLY_NAME },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

struct issue {
	struct ca		*ca;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	struct key		*key;
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	struct findings		 findings;
	struct out_batch	*batch;
	char			*pass;
	char			*serial;
	char			*paths[4];	/* key, crt, chain, p12 */
};

static const char *const suffixes[] = { ".key", ".crt", ".chain.pem", ".p12" };

static int
want_p12(const struct args *a)
{
	return args_has(a, OPT_P12) || args_has(a, OPT_P12_PASS_FILE);
}

static int
bind(struct issue *is, const char *dir, const struct args *a, char **cause)
{
	const char	*v;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	for (size_t i = 0; (v = args_nth(a, OPT_SET, i)) != NULL; i++)
		TRY(profile_values_add(&is->values, v, cause));
	TRY(profile_find(a->pos[0], dir, &path, cause));
	TRY(profile_load(path, &is->ca->conf->policy, &is->profile, cause));
	TRY(profile_bind(is->profile, &is->values, &is->req, cause));
	rc = 0;
out:
	free(path);
	return rc;
}

/*
 * The friendly name the profile binds (or the CN, when it names none) is
 * held to the rules --friendly-name is, before any key exists.
 */
static int
bound_name(struct issue *is, const struct args *a, char **cause)
{
	char	*what = NULL;
	int	 rc;

	if (is->req->friendly_name == NULL)
		return 0;
	if (is->profile->friendly_name != NULL)
		xasprintf(&what, "profile %s: friendly_name, bound "
		    "(--friendly-name overrides it)", a->pos[0]);
	else
		what = xstrdup("the subject CN, the default friendly name "
		    "(--friendly-name overrides it)");
	rc = p12_friendly_name(is->req->friendly_name, what, cause);
	free(what);
	return rc;
}

/*
 * PREFIX.key, .crt, .chain.pem (and .p12): all must be writable before any key
 * exists.
 */
static int
plan_outputs(struct issue *is, const struct args *a, char **cause)
{
	return leaf_out_paths(args_get(a, OPT_OUT), is->req, suffixes,
	    want_p12(a) ? 4 : 3, args_has(a, OPT_FORCE), is->paths, cause);
}

static int
stage(struct issue *is, const struct args *a, char **cause)
{
	gnutls_datum_t	 key = { NULL, 0 }, crt = { NULL, 0 },
	    p12 = { NULL, 0 };
	const char	*fname = args_get(a, OPT_FRIENDLY_NAME);
	char		*chain = NULL;
	int		 rc = ERR_FAIL;

	TRY(keys_export_pem(is->key, &key, cause));
	TRY(out_batch_add(is->batch, is->paths[0], key.data, key.size, 1,
	    cause));
	TRY(x509_export(is->crt, 1, &crt, cause));
	TRY(out_batch_add(is->batch, is->paths[1], crt.data, crt.size, 0,
	    cause));
	TRY(leaf_chain_pem(is->ca, is->crt, &chain, cause));
	TRY(out_batch_add(is->batch, is->paths[2], chain, strlen(chain), 0,
	    cause));
	if (is->pass != NULL) {
		TRY(p12_build(is->crt, is->ca->chain, is->ca->nchain, is->key,
		    fname != NULL ? fname : is->req->friendly_name, is->pass,
		    args_has(a, OPT_P12_LEGACY), &p12, cause));
		TRY(out_batch_add(is->batch, is->paths[3], p12.data, p12.size,
		    1, cause));
	}
	rc = 0;
out:
	keys_datum_wipe(&key);
	keys_datum_wipe(&p12);
	gnutls_free(crt.data);
	free(chain);
	return rc;
}

static void
issue_free(struct issue *is)
{
	for (size_t i = 0; i < 4; i++)
		free(is->paths[i]);
	free(is->serial);
	pass_free(is->pass);
	out_batch_free(is->batch);
	findings_free(&is->findings);
	if (is->crt != NULL)
		gnutls_x509_crt_deinit(is->crt);
	if (is->pub != NULL)
		gnutls_pubkey_deinit(is->pub);
	keys_free(is->key);
	request_free(is->req);
	profile_values_free(&is->values);
	profile_free(is->profile);
	ca_close(is->ca);
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct issue	 is = { 0 };
	const char	*passfile = args_get(a, OPT_P12_PASS_FILE),
	    *fname = args_get(a, OPT_FRIENDLY_NAME),
	    *out = args_get(a, OPT_OUT);
	char		*cause = NULL;
	int		 rc = ERR_FAIL;

	if (args_has(a, OPT_P12_LEGACY) && !want_p12(a))
		return cmd_usage_error(cmd, "--p12-legacy needs --p12 or "
		    "--p12-pass-file");
	/* a name that goes nowhere is a mistake: said, not ignored */
	if (fname != NULL && !want_p12(a))
		return cmd_usage_error(cmd, "--friendly-name needs --p12 or "
		    "--p12-pass-file");
	if (fname != NULL && p12_friendly_name(fname, "--friendly-name",
	    &cause) != 0) {
		rc = cmd_usage_error(cmd, "%s", cause);
		free(cause);
		return rc;
	}
	/* "" would fall back to the CN: not what was asked */
	if (out != NULL && *out == '\0')
		return cmd_usage_error(cmd, "--out: empty prefix");
	is.batch = out_batch_new(args_has(a, OPT_FORCE));
	TRY(ca_open(dir, CA_WANT_ALL, &is.ca, &cause));
	TRY(bind(&is, dir, a, &cause));
	if (want_p12(a) && fname == NULL)
		TRY(bound_name(&is, a, &cause));
	TRY(plan_outputs(&is, a, &cause));
	if (want_p12(a))
		TRY(pass_get_checked("PKCS#12 passphrase", passfile,
		    "ROLECA_P12_PASS", 1, p12_pass_check, &is.pass, &cause));
	TRY(keys_generate(&is.req->key, &is.key, &cause));
	TRY(keys_pubkey(is.key, &is.pub, &cause));
	if ((rc = leaf_sign(is.ca, is.profile, is.req, is.pub, &is.crt,
	    &is.findings, &cause)) == ERR_POLICY) {
		rc = cmd_refused(cmd, &is.findings, &cause);
		goto out;
	}
	TRY(rc);
	TRY(stage(&is, a, &cause));
	/* the files' syncs overlap the record's commit */
	out_batch_sync_begin(is.batch);
	TRY(leaf_record(is.ca, is.req, is.crt, NULL, cmd->name, 0, &is.serial,
	    &cause));
	if ((rc = out_batch_commit(is.batch, &cause)) < 0) {
		err_prefix(&cause, "certificate %s is recorded but its files "
		    "could not be written (revoke it): ", is.serial);
		goto out;
	}
	printf("%s\n", is.serial);
	rc = 0;
out:
	/* success was logged with the record */
	if (is.ca != NULL && rc != 0)
		cmd_audit(cmd, is.ca->store, is.serial, a->pos[0], rc, cause);
	issue_free(&is);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_issue = {
	"issue",
	"PROFILE [--set NAME=VALUE ...] [--out PREFIX] [--p12] [--p12-pass-file "
	"FILE] [--p12-legacy] [--friendly-name NAME] [--force]",
	"Make a new key and a certificate for a server role; print its serial.",
	"  PROFILE               a role profile (see roleca profiles)\n"
	"  --set NAME=VALUE      a profile variable; repeat it, or separate\n"
	"                        values with commas, for a list variable\n"
	"  --out PREFIX          write PREFIX.key (0600), PREFIX.crt and\n"
	"                        PREFIX.chain.pem (default: the subject CN)\n"
	"  --p12                 also write PREFIX.p12 (leaf, key, chain),\n"
	"                        protected with AES-256/PBKDF2 and a SHA-256\n"
	"                        MAC; the passphrase comes from the file named\n"
	"                        by $ROLECA_P12_PASS_FILE, else\n"
	"                        $ROLECA_P12_PASS, else a terminal prompt\n"
	"  --p12-pass-file FILE  the same, the passphrase being FILE's first line\n"
	"                        (--p12 with it changes nothing)\n"
	"  --p12-legacy          with --p12 or --p12-pass-file: protect\n"
	"                        PREFIX.p12 with 3DES and a SHA-1 MAC instead,\n"
	"                        for Windows Server before 2019 1809\n"
	"  --friendly-name NAME  with --p12 or --p12-pass-file: the PKCS#12\n"
	"                        friendly name, 1 to 64 characters, each\n"
	"                        U+0001 to U+00FF (Latin-1) (default: the\n"
	"                        profile's, else the subject CN, held to the\n"
	"                        same rules)\n"
	"  --force               replace existing output files\n",
	options,
	1,
	1,
	run
};
