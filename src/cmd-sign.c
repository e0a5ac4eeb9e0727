/*
 * sign: certify a key born on the server. The CSR (PEM, Windows .req, DER
 * or bare base64) must prove possession of its key before anything else
 * is looked at; then the profile decides every extension, and the CSR
 * contributes only its key, its CN and the names it asks for, each of
 * which the policy must allow. Nothing else it requests is copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "leaf.h"
#include "out.h"
#include "policy.h"
#include "profile.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_CSR = 'c',
	OPT_SET = 's',
	OPT_OUT = 'o',
	OPT_FORCE = 'f'
};

static const struct option options[] = {
	{ "csr", required_argument, NULL, OPT_CSR },
	{ "set", required_argument, NULL, OPT_SET },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

struct sign {
	struct ca		*ca;
	gnutls_x509_crq_t	 csr;
	struct csr_info		 info;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	gnutls_x509_crt_t	 crt;
	struct findings		 findings;
	struct out_batch	*batch;
	char			*serial;
	char			*paths[2];	/* crt, chain */
};

static int
bind(struct sign *sg, const char *dir, const struct args *a, char **cause)
{
	const char	*v;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	for (size_t i = 0; (v = args_nth(a, OPT_SET, i)) != NULL; i++)
		TRY(profile_values_add(&sg->values, v, cause));
	TRY(profile_find(a->pos[0], dir, &path, cause));
	TRY(profile_load(path, &sg->ca->conf->policy, &sg->profile, cause));
	TRY(profile_bind_partial(sg->profile, &sg->values, &sg->req, cause));
	if ((rc = leaf_csr_merge(sg->req, sg->profile, &sg->values,
	    &sg->info, cause)) < 0) {
		err_in_file(cause, rc, "names", args_get(a, OPT_CSR));
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

static int
plan_outputs(struct sign *sg, const struct args *a, char **cause)
{
	static const char *const suffixes[] = { ".crt", ".chain.pem" };

	return leaf_out_paths(args_get(a, OPT_OUT), sg->req, suffixes, 2,
	    args_has(a, OPT_FORCE), sg->paths, cause);
}

static int
stage(struct sign *sg, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*chain = NULL;
	int		 rc = ERR_FAIL;

	TRY(x509_export(sg->crt, 1, &d, cause));
	TRY(out_batch_add(sg->batch, sg->paths[0], d.data, d.size, 0, cause));
	TRY(leaf_chain_pem(sg->ca, sg->crt, &chain, cause));
	TRY(out_batch_add(sg->batch, sg->paths[1], chain, strlen(chain), 0,
	    cause));
	rc = 0;
out:
	gnutls_free(d.data);
	free(chain);
	return rc;
}

static void
sign_free(struct sign *sg)
{
	free(sg->paths[0]);
	free(sg->paths[1]);
	free(sg->serial);
	out_batch_free(sg->batch);
	findings_free(&sg->findings);
	if (sg->crt != NULL)
		gnutls_x509_crt_deinit(sg->crt);
	request_free(sg->req);
	profile_values_free(&sg->values);
	profile_free(sg->profile);
	x509_csr_info_free(&sg->info);
	if (sg->csr != NULL)
		gnutls_x509_crq_deinit(sg->csr);
	ca_close(sg->ca);
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct sign	 sg = { 0 };
	const char	*csr = args_get(a, OPT_CSR);
	char		*cause = NULL, *asked = NULL;
	int		 rc = ERR_FAIL;

	if (csr == NULL)
		return cmd_usage_error(cmd, "--csr FILE is required");
	/* "" would fall back to the CN: not what was asked */
	if (args_get(a, OPT_OUT) != NULL && *args_get(a, OPT_OUT) == '\0')
		return cmd_usage_error(cmd, "--out: empty prefix");
	sg.batch = out_batch_new(args_has(a, OPT_FORCE));
	TRY(ca_open(dir, CA_WANT_ALL, &sg.ca, &cause));
	TRY(leaf_csr_load(csr, &sg.csr, &sg.info, &cause));
	TRY(leaf_key_not_compromised(sg.ca, sg.info.pub, &cause));
	TRY(bind(&sg, dir, a, &cause));
	TRY(plan_outputs(&sg, a, &cause));
	if ((rc = leaf_sign(sg.ca, sg.profile, sg.req, sg.info.pub, &sg.crt,
	    &sg.findings, &cause)) == ERR_POLICY) {
		rc = cmd_refused(cmd, &sg.findings, &cause);
		goto out;
	}
	TRY(rc);
	TRY(stage(&sg, &cause));
	/* the files' syncs overlap the record's commit */
	out_batch_sync_begin(sg.batch);
	TRY(leaf_record(sg.ca, sg.req, sg.crt, NULL, cmd->name,
	    LEAF_KEY_AGAIN, &sg.serial, &cause));
	if ((rc = out_batch_commit(sg.batch, &cause)) < 0) {
		err_prefix(&cause, "certificate %s is recorded but its files "
		    "could not be written (revoke it): ", sg.serial);
		goto out;
	}
	printf("%s\n", sg.serial);
	/* the names the CSR chose: not signed unseen */
	if ((asked = leaf_asked_text(sg.req)) != NULL)
		fprintf(stderr, "roleca: sign: names taken from the CSR: %s\n",
		    asked);
	rc = 0;
out:
	/* success was logged with the record */
	if (sg.ca != NULL && rc != 0)
		cmd_audit(cmd, sg.ca->store, sg.serial, a->pos[0], rc, cause);
	sign_free(&sg);
	free(asked);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_sign = {
	"sign",
	"PROFILE --csr FILE [--set NAME=VALUE ...] [--out PREFIX] [--force]",
	"Sign a CSR made elsewhere (PEM, Windows .req, DER or base64) under a "
	"role profile; print the serial.",
	"  PROFILE           a role profile (see roleca profiles)\n"
	"  --csr FILE        the request; its signature must verify (proof of\n"
	"                    possession), SHA-1 and CA:TRUE requests are refused\n"
	"  --set NAME=VALUE  profile variables: their names are added to the\n"
	"                    names the CSR asks for; without them the CSR's CN\n"
	"                    and names are used, each in a name template of\n"
	"                    the role left unset (a name with no place left\n"
	"                    is refused), each checked by the policy; a name\n"
	"                    the role needs that neither gives is an error\n"
	"  --out PREFIX      write PREFIX.crt and PREFIX.chain.pem (default:\n"
	"                    the subject CN)\n"
	"  --force           replace existing output files\n"
	"The profile decides key usage, EKU, basic constraints, CDP and AIA;\n"
	"nothing else the CSR requests is copied (Microsoft attributes are\n"
	"ignored).\n",
	options,
	1,
	1,
	run
};
