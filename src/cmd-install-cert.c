/*
 * install-cert: finish a CA made with init --csr-out by installing the
 * certificate its external parent returned. The certificate must hold this
 * CA's key and be a CA certificate; certificates after it in the file are
 * kept as the chain. Refuses to replace an installed certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "out.h"
#include "policy.h"
#include "util.h"
#include "x509.h"

/*
 * The parent signs what it will: a subject, a path length shorter than
 * ca.cfg's path_length, or no nameConstraints where ca.cfg asks for them,
 * other than the request asked for, is installed, as the parent decided,
 * but said.
 */
static int
differs(const char *file, gnutls_x509_crt_t crt, const struct conf *c,
    char **cause)
{
	int		 same, pathlen;
	char		*subject = NULL;
	int		 rc = ERR_FAIL;

	TRY(x509_subject_is(crt, &c->subject, &same, cause));
	if (!same) {
		TRY(x509_subject_text(crt, &subject, cause));
		fprintf(stderr, "roleca: install-cert: warning: %s: the parent "
		    "named this CA '%s', not with the subject %s gives: what "
		    "it signs names it so\n", file, subject, c->path);
	}
	/* unset, a subordinate's is 0 (leaves only), as init --parent signs */
	if ((pathlen = x509_path_len(crt)) >= 0 && pathlen < c->path_len)
		fprintf(stderr, "roleca: install-cert: warning: %s: path "
		    "length %d, where %s asks for %d\n", file, pathlen,
		    c->path, c->path_len);
	/* roleca keeps to the domains still; a verifier is not told to */
	if (c->policy.name_constraints && !x509_has_name_constraints(crt))
		fprintf(stderr, "roleca: install-cert: warning: %s: no "
		    "nameConstraints, where %s asks for them "
		    "(name_constraints = true): verifiers will not hold this "
		    "CA to its permitted_domains\n", file, c->path);
	rc = 0;
out:
	free(subject);
	return rc;
}

static int
judge(const char *file, gnutls_x509_crt_t *certs, size_t n, struct ca *ca,
    char **cause)
{
	struct policy_ctx	 ctx = { 0 };
	struct findings		 f = { NULL, 0 };
	int			 rc = ERR_FAIL, match;

	TRY(x509_matches_key(certs[0], ca->key, &match, cause));
	if (!match) {
		if (ca->conf->key_uri != NULL)
			rc = err_policy(cause, "%s: its certificate does not "
			    "hold this CA's key (%s)", file,
			    ca->conf->key_uri);
		else
			rc = err_policy(cause, "%s: its certificate does not "
			    "hold this CA's key (%s/%s)", file, ca->dir,
			    CA_KEY);
		goto out;
	}
	ctx.conf = ca->conf;
	ctx.issuer = n > 1 ? certs[1] : NULL;
	ctx.now = time(NULL);
	TRY(policy_check_ca(certs[0], &ctx, &f, cause));
	TRY(policy_check_issuers(certs, n, &f, cause));
	policy_check_below(certs[0], certs + 1, n - 1, &f);
	if (f.n > 0) {
		rc = cmd_refused(&cmd_install_cert, &f, cause);
		goto out;
	}
	rc = 0;
out:
	findings_free(&f);
	return rc;
}

static int
pem_of(gnutls_x509_crt_t *certs, size_t n, char **out, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*all = xstrdup(""), *tmp;
	int		 rc = ERR_FAIL;

	for (size_t i = 0; i < n; i++) {
		TRY(x509_export(certs[i], 1, &d, cause));
		xasprintf(&tmp, "%s%.*s", all, (int)d.size, (char *)d.data);
		free(all);
		all = tmp;
		gnutls_free(d.data);
		d.data = NULL;
	}
	*out = all;
	all = NULL;
	rc = 0;
out:
	free(all);
	return rc;
}

/* Is the installed ca.crt the certificate leaf (PEM) is? */
static int
same_installed(const char *path, const char *leaf, char **cause)
{
	unsigned char	*data = NULL;
	size_t		 len;
	int		 rc = ERR_FAIL;

	TRY(out_read_file(path, 1024 * 1024, &data, &len, cause));
	if (len != strlen(leaf) || memcmp(data, leaf, len) != 0) {
		rc = err_set(cause, "%s: already exists", path);
		goto out;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca		*ca = NULL;
	struct out_batch	*batch = out_batch_new(OUT_NO_FORCE);
	gnutls_x509_crt_t	*certs = NULL;
	size_t			 n = 0;
	char			*cause = NULL, *leaf = NULL, *chain = NULL;
	char			*crt_path = NULL, *chain_path = NULL;
	int			 rc = ERR_FAIL, finish;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	crt_path = ca_path(ca, CA_CRT);
	chain_path = ca_path(ca, CA_CHAIN);
	/*
	 * A finished CA, before any passphrase or PIN is asked for. ca.crt
	 * without chain.pem is an install cut short between the two: the
	 * same certificate installs chain.pem.
	 */
	finish = access(crt_path, F_OK) == 0 && access(chain_path, F_OK) != 0;
	if (!finish)
		TRY(out_check(crt_path, OUT_NO_FORCE, &cause));
	TRY(out_check(chain_path, OUT_NO_FORCE, &cause));
	/* the file read first: a missing one costs no PIN attempt */
	TRY(x509_load_certs(a->pos[0], &certs, &n, &cause));
	TRY(ca_load_key(ca, &cause));
	TRY(judge(a->pos[0], certs, n, ca, &cause));
	TRY(differs(a->pos[0], certs[0], ca->conf, &cause));
	TRY(pem_of(certs, 1, &leaf, &cause));
	TRY(pem_of(certs, n, &chain, &cause));
	if (finish)
		TRY(same_installed(crt_path, leaf, &cause));
	else
		TRY(out_batch_add(batch, crt_path, leaf, strlen(leaf), 0,
		    &cause));
	TRY(out_batch_add(batch, chain_path, chain, strlen(chain), 0, &cause));
	TRY(out_batch_commit(batch, &cause));
	fprintf(stderr, "roleca: install-cert: CA certificate installed "
	    "in %s\n", dir);
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit(cmd, ca->store, NULL, NULL, rc, cause);
	free(leaf);
	free(chain);
	free(crt_path);
	free(chain_path);
	x509_free_certs(certs, n);
	out_batch_free(batch);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_install_cert = {
	"install-cert",
	"CERTFILE",
	"Install the CA certificate returned for a CA made with init --csr-out.",
	"  CERTFILE   PEM or DER: the CA's certificate, optionally followed by\n"
	"             its issuers up to the root (kept as DIR/chain.pem)\n",
	NULL,
	1,
	1,
	run
};
