/*
 * Opening a CA directory: ca.cfg, then whatever the command needs of the
 * certificate, key and database. A key that does not match the installed
 * certificate is refused here, once, for every command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca.h"
#include "ecsig.h"
#include "err.h"
#include "util.h"
#include "x509.h"

char *
ca_path_in(const char *dir, const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

char *
ca_path(const struct ca *ca, const char *name)
{
	return ca_path_in(ca->dir, name);
}

int
ca_exists(const char *dir)
{
	char		*p = ca_path_in(dir, CA_CFG);
	struct stat	 st;
	int		 ok;

	ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

int
ca_chain_whole(const struct ca *ca, char **cause)
{
	if (!ca->chain_lost)
		return 0;
	return err_set(cause, "%s/%s: missing (an install cut short, or "
	    "removed), so the chain to the root is not known: run roleca "
	    "install-cert again with the CA's certificate and its chain",
	    ca->dir, CA_CHAIN);
}

/* Are a and b the same directory (device and inode)? */
static int
same_dir(const char *a, const struct stat *b)
{
	struct stat	 st;

	return stat(a, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_dev == b->st_dev && st.st_ino == b->st_ino;
}

/*
 * A CA directory: ca.cfg and the database, which init makes together (a
 * ca.cfg alone is as likely the file an init was given).
 */
static int
holds_ca(const char *dir)
{
	char		*db = ca_path_in(dir, CA_DB);
	struct stat	 st;
	int		 ok;

	ok = ca_exists(dir) && stat(db, &st) == 0 && S_ISREG(st.st_mode);
	free(db);
	return ok;
}

int
ca_refuse_output(const char *path, int is_dir, char **cause)
{
	struct stat	 d;
	const char	*what = NULL;
	char		*dir, *up = NULL, *crl = NULL;
	int		 rc = 0;

	dir = is_dir ? xstrdup(path) : ca_dir_of(path);
	/* a directory not made yet holds nothing of a CA's */
	if (stat(dir, &d) != 0 || !S_ISDIR(d.st_mode))
		goto out;
	xasprintf(&up, "%s/..", dir);
	crl = ca_path_in(up, CA_CRLDIR);
	if (holds_ca(dir))
		what = "a CA directory, where a CA keeps its certificate, key "
		    "and database";
	else if (holds_ca(up) && same_dir(crl, &d))
		what = "a CA's crl/, where it keeps its CRLs";
	if (what != NULL && is_dir)
		rc = err_usage(cause, "%s: is %s: write it elsewhere", path,
		    what);
	else if (what != NULL)
		rc = err_usage(cause, "%s: is in %s, %s: write it elsewhere",
		    path, dir, what);
out:
	free(crl);
	free(up);
	free(dir);
	return rc;
}

char *
ca_dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * The chain from chain.pem, whose first certificate must be the very
 * ca.crt that publish hands out; without chain.pem, ca.crt alone.
 */
static int
load_cert(struct ca *ca, char **cause)
{
	char			*crt = ca_path(ca, CA_CRT);
	char			*chain = ca_path(ca, CA_CHAIN);
	const char		*from;
	gnutls_x509_crt_t	*own = NULL;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	size_t			 nown = 0;
	int			 rc = ERR_FAIL;

	if (access(crt, F_OK) != 0) {
		rc = err_set(cause, "%s: no CA certificate installed yet "
		    "(finish with: roleca --dir %s install-cert FILE)", ca->dir,
		    ca->dir);
		goto out;
	}
	/*
	 * init and install-cert write it with ca.crt. Without it the CA
	 * still revokes and signs CRLs, with ca.crt alone; a subordinate
	 * signs no certificate (ca_chain_whole), which would go out with no
	 * way to its root.
	 */
	from = access(chain, F_OK) == 0 ? chain : crt;
	TRY(x509_load_cert_file(from, &ca->chain, &ca->nchain, cause));
	ca->crt = ca->chain[0];
	/* a root's chain is itself: nothing is lost */
	if (from == crt)
		ca->chain_lost = !x509_is_issuer(ca->crt, ca->crt);
	ca->chain_spki = xcalloc(ca->nchain, sizeof *ca->chain_spki);
	for (size_t i = 0; i < ca->nchain; i++)
		if (x509_crt_spki(ca->chain[i], &ca->chain_spki[i].der,
		    &ca->chain_spki[i].len, cause) != 0) {
			err_prefix(cause, "%s: ", from);
			goto out;
		}
	if (from == crt) {
		rc = 0;
		goto out;
	}
	TRY(x509_load_cert_file(crt, &own, &nown, cause));
	TRY(x509_export(own[0], 0, &a, cause));
	TRY(x509_export(ca->crt, 0, &b, cause));
	if (nown != 1 || a.size != b.size ||
	    memcmp(a.data, b.data, a.size) != 0) {
		rc = err_set(cause, "%s is not the first certificate of %s",
		    crt, chain);
		goto out;
	}
	rc = 0;
out:
	gnutls_free(a.data);
	gnutls_free(b.data);
	x509_free_certs(own, nown);
	free(chain);
	free(crt);
	return rc;
}

static int
load_key(struct ca *ca, char **cause)
{
	char	*path = ca_path(ca, CA_KEY);
	int	 rc = ERR_FAIL, match;

	if (ca->conf->key_uri != NULL)
		TRY(keys_load_pkcs11(ca->conf->pkcs11_module, ca->conf->key_uri,
		    &ca->key, cause));
	else
		TRY(keys_load_ask(path, 1, "CA key passphrase",
		    "ROLECA_CA_PASS", &ca->key, cause));
	if (ca->crt != NULL) {
		TRY(x509_matches_key(ca->crt, ca->key, &match, cause));
		if (!match && ca->conf->key_uri != NULL) {
			rc = err_set(cause, "the token key %s (key_uri in "
			    "%s/%s) does not match %s/%s", ca->conf->key_uri,
			    ca->dir, CA_CFG, ca->dir, CA_CRT);
			goto out;
		}
		if (!match) {
			rc = err_set(cause, "%s: does not match %s/%s", path,
			    ca->dir, CA_CRT);
			goto out;
		}
	}
	ca->own = ecsig_new(ca->key);
	rc = 0;
out:
	/* no key that does not match: loaded or not at all */
	if (rc != 0) {
		keys_free(ca->key);
		ca->key = NULL;
	}
	free(path);
	return rc;
}

int
ca_load_key(struct ca *ca, char **cause)
{
	return ca->key != NULL ? 0 : load_key(ca, cause);
}

int
ca_open(const char *dir, int want, struct ca **out, char **cause)
{
	struct ca	*ca = xcalloc(1, sizeof *ca);
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	ca->dir = xstrdup(dir);
	ca->crl_lock = -1;
	path = ca_path(ca, CA_CFG);
	if (!ca_exists(dir)) {
		struct stat	 st;

		/* not there, or there but out of reach: said which */
		if (stat(path, &st) != 0 && errno != ENOENT &&
		    errno != ENOTDIR)
			rc = err_set(cause, "%s: %s", path, strerror(errno));
		else
			rc = err_set(cause, "%s: not a CA directory (no %s; "
			    "create one with roleca init)", dir, CA_CFG);
		goto out;
	}
	TRY(conf_load(path, 0, &ca->conf, cause));
	if (want & CA_WANT_CERT)
		TRY(load_cert(ca, cause));
	if (want & CA_WANT_STORE) {
		free(path);
		path = ca_path(ca, CA_DB);
		TRY(store_open(path, 0, &ca->store, cause));
	}
	rc = 0;
	/* a key that will not load is a use of the CA, to be logged */
	if ((want & CA_WANT_KEY) && (rc = load_key(ca, cause)) != 0 &&
	    ca->store == NULL)
		goto out;
	*out = ca;
	ca = NULL;
out:
	free(path);
	ca_close(ca);
	return rc;
}

void
ca_close(struct ca *ca)
{
	if (ca == NULL)
		return;
	if (ca->crl_lock >= 0)
		close(ca->crl_lock);
	store_close(ca->store);
	ecsig_free(ca->own);
	keys_free(ca->key);
	for (size_t i = 0; ca->chain_spki != NULL && i < ca->nchain; i++)
		free(ca->chain_spki[i].der);
	free(ca->chain_spki);
	x509_free_certs(ca->chain, ca->nchain);
	free(ca->chain_pem);
	conf_free(ca->conf);
	free(ca->dir);
	free(ca);
}
