/*
 * request: a new key and a PKCS#10 CSR from a role profile, for a public
 * CA or another CA. It needs no CA directory: without --dir or $ROLECA_DIR
 * and no ./ca, none applies; else DIR must be one, and its profiles and
 * permitted domains apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "keys.h"
#include "leaf.h"
#include "out.h"
#include "policy.h"
#include "profile.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_SET = 's',
	OPT_OUT = 'o',
	OPT_FORCE = 'f'
};

static const struct option options[] = {
	{ "set", required_argument, NULL, OPT_SET },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

struct reqctx {
	struct ca		*ca;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	struct key		*key;
	gnutls_x509_crq_t	 csr;
	struct findings		 findings;
	struct out_batch	*batch;
	char			*paths[2];	/* key, csr */
};

static int
bind(struct reqctx *r, const char *dir, const struct args *a, char **cause)
{
	const char	*v;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	/* a DIR that was named must be a CA: its rules are not dropped */
	if (!cmd_dir_is_default(dir) || cmd_dir_present(dir))
		TRY(ca_open(dir, 0, &r->ca, cause));
	for (size_t i = 0; (v = args_nth(a, OPT_SET, i)) != NULL; i++)
		TRY(profile_values_add(&r->values, v, cause));
	TRY(profile_find(a->pos[0], r->ca != NULL ? dir : NULL, &path, cause));
	TRY(profile_load(path, r->ca != NULL ? &r->ca->conf->policy : NULL,
	    &r->profile, cause));
	TRY(profile_bind(r->profile, &r->values, &r->req, cause));
	rc = 0;
out:
	free(path);
	return rc;
}

/*
 * The names the CSR will ask for, judged as issue judges a certificate's
 * (no CA signs here to do it): findings, and ERR_POLICY, when one is bad.
 */
static int
judge(struct reqctx *r)
{
	struct policy_ctx	 ctx = { 0 };

	ctx.conf = r->ca != NULL ? r->ca->conf : NULL;
	ctx.profile = r->profile;
	policy_check_names(r->req, &ctx, &r->findings);
	return r->findings.n > 0 ? ERR_POLICY : 0;
}

static int
stage(struct reqctx *r, const struct args *a, char **cause)
{
	static const char *const suffixes[] = { ".key", ".csr" };
	gnutls_datum_t	 key = { NULL, 0 }, csr = { NULL, 0 };
	int		 rc = ERR_FAIL;

	TRY(leaf_out_paths(args_get(a, OPT_OUT), r->req, suffixes, 2,
	    args_has(a, OPT_FORCE), r->paths, cause));
	TRY(keys_generate(&r->req->key, &r->key, cause));
	TRY(x509_build_csr(r->req, r->key, GNUTLS_DIG_SHA256, &r->csr, cause));
	TRY(keys_export_pem(r->key, &key, cause));
	TRY(out_batch_add(r->batch, r->paths[0], key.data, key.size, 1, cause));
	TRY(x509_export_csr(r->csr, 1, &csr, cause));
	TRY(out_batch_add(r->batch, r->paths[1], csr.data, csr.size, 0, cause));
	rc = 0;
out:
	keys_datum_wipe(&key);
	gnutls_free(csr.data);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct reqctx	 r = { 0 };
	char		*cause = NULL;
	int		 rc = ERR_FAIL;

	/* "" would fall back to the CN: not what was asked */
	if (args_get(a, OPT_OUT) != NULL && *args_get(a, OPT_OUT) == '\0')
		return cmd_usage_error(cmd, "--out: empty prefix");
	r.batch = out_batch_new(args_has(a, OPT_FORCE));
	TRY(bind(&r, dir, a, &cause));
	if ((rc = judge(&r)) == ERR_POLICY) {
		rc = cmd_refused(cmd, &r.findings, &cause);
		goto out;
	}
	TRY(stage(&r, a, &cause));
	TRY(out_batch_commit(r.batch, &cause));
	printf("%s\n", r.paths[1]);
	rc = 0;
out:
	free(r.paths[0]);
	free(r.paths[1]);
	out_batch_free(r.batch);
	findings_free(&r.findings);
	if (r.csr != NULL)
		gnutls_x509_crq_deinit(r.csr);
	keys_free(r.key);
	request_free(r.req);
	profile_values_free(&r.values);
	profile_free(r.profile);
	ca_close(r.ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_request = {
	"request",
	"PROFILE [--set NAME=VALUE ...] [--out PREFIX] [--force]",
	"Make a new key and a PKCS#10 CSR for a server role (for a public or "
	"another CA); print the CSR's path.",
	"  PROFILE            a role profile (see roleca profiles)\n"
	"  --set NAME=VALUE   a profile variable (see issue)\n"
	"  --out PREFIX       write PREFIX.key (0600) and PREFIX.csr (default:\n"
	"                     the subject CN)\n"
	"  --force            replace existing output files\n"
	"The CSR asks for the profile's subject, names, key usage and EKU;\n"
	"its names must pass the rules issue applies (exit 3 if not).\n"
	"No CA directory is needed: without --dir or $ROLECA_DIR and with no\n"
	"./ca, none applies; else DIR must be a CA, and its profiles and\n"
	"permitted domains apply.\n",
	options,
	1,
	1,
	run
};
