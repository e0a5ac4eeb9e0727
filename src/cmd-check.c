/*
 * check: judge a certificate roleca did not necessarily make, with the
 * same rules that refuse a certificate before issuance. The CA in DIR is
 * used (permitted domains, CDP URLs, chain) only when it issued the
 * certificate; --chain supplies the issuer otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gnutls/x509.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "policy.h"
#include "profile.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_PROFILE = 'p',
	OPT_SET = 's',
	OPT_CHAIN = 'c'
};

static const struct option options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "set", required_argument, NULL, OPT_SET },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ NULL, 0, NULL, 0 }
};

struct check {
	gnutls_x509_crt_t	*certs;
	size_t			 ncerts;
	gnutls_x509_crt_t	*chain;
	size_t			 nchain;
	struct ca		*ca;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	struct findings		 findings;
};

/* The issuer: from --chain or the rest of CERT, else the CA in DIR if it issued it. */
static gnutls_x509_crt_t
find_issuer(struct check *ck)
{
	gnutls_x509_crt_t	 leaf = ck->certs[0];

	for (size_t i = 0; i < ck->nchain; i++)
		if (gnutls_x509_crt_check_issuer(leaf, ck->chain[i]))
			return ck->chain[i];
	for (size_t i = 1; i < ck->ncerts; i++)
		if (gnutls_x509_crt_check_issuer(leaf, ck->certs[i]))
			return ck->certs[i];
	if (ck->ca != NULL && gnutls_x509_crt_check_issuer(leaf, ck->ca->crt))
		return ck->ca->crt;
	return NULL;
}

static int
load_profile(struct check *ck, const char *dir, const struct args *a,
    char **cause)
{
	const char	*name = args_get(a, OPT_PROFILE), *v;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	if (name == NULL) {
		if (args_has(a, OPT_SET))
			return err_usage(cause, "--set needs --profile");
		return 0;
	}
	TRY(profile_find(name, ck->ca != NULL ? dir : NULL, &path, cause));
	TRY(profile_load(path, NULL, &ck->profile, cause));
	if (args_has(a, OPT_SET)) {
		for (size_t i = 0; (v = args_nth(a, OPT_SET, i)) != NULL; i++)
			TRY(profile_values_add(&ck->values, v, cause));
		TRY(profile_bind(ck->profile, &ck->values, &ck->req, cause));
	}
	rc = 0;
out:
	free(path);
	return rc;
}

static void
check_free(struct check *ck)
{
	findings_free(&ck->findings);
	request_free(ck->req);
	profile_values_free(&ck->values);
	profile_free(ck->profile);
	ca_close(ck->ca);
	x509_free_certs(ck->chain, ck->nchain);
	x509_free_certs(ck->certs, ck->ncerts);
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct check		 ck = { 0 };
	struct policy_ctx	 ctx = { 0 };
	const char		*file = a->pos[0], *chain = args_get(a, OPT_CHAIN);
	char			*cause = NULL;
	int			 rc = ERR_FAIL;

	TRY(x509_load_certs(file, &ck.certs, &ck.ncerts, &cause));
	if (chain != NULL)
		TRY(x509_load_certs(chain, &ck.chain, &ck.nchain, &cause));
	if (ca_exists(dir))
		TRY(ca_open(dir, CA_WANT_CERT, &ck.ca, &cause));
	TRY(load_profile(&ck, dir, a, &cause));
	ctx.issuer = find_issuer(&ck);
	if (ck.ca != NULL && ctx.issuer == ck.ca->crt)
		ctx.conf = ck.ca->conf;
	ctx.profile = ck.profile;
	ctx.request = ck.req;
	ctx.now = time(NULL);
	TRY(policy_check(ck.certs[0], &ctx, &ck.findings, &cause));
	for (size_t i = 0; i < ck.findings.n; i++)
		printf("%s: %s: %s\n", file, ck.findings.v[i].rule,
		    ck.findings.v[i].msg);
	if (ck.findings.n == 0)
		printf("%s: compliant%s\n", file, ctx.issuer == NULL ?
		    " (issuer not checked: give --chain)" : "");
	rc = ck.findings.n == 0 ? 0 : ERR_POLICY;
out:
	check_free(&ck);
	if (rc == ERR_POLICY && cause == NULL)
		return EXIT_POLICY;
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_check = {
	"check",
	"CERT [--profile PROFILE [--set NAME=VALUE ...]] [--chain FILE]",
	"Report every rule a server certificate breaks; exit 3 if any.",
	"  CERT              PEM or DER; certificates after the first are its chain\n"
	"  --profile PROFILE also check the names, EKU and key the role needs\n"
	"  --set NAME=VALUE  with --profile: the role's variables, so the exact\n"
	"                    names are checked instead of their patterns\n"
	"  --chain FILE      the issuer (and its chain), PEM\n"
	"The CA in DIR is used (permitted domains, CDP, AIA, chain) when it\n"
	"issued CERT.\n",
	options,
	1,
	1,
	run
};
