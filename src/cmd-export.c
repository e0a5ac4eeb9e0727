/*
 * export: a PKCS#12 (.pfx) for Windows from a certificate in the database
 * and its key file: leaf, key, the CA chain and a friendly name. The key
 * must match the recorded certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "crl.h"
#include "cmd.h"
#include "err.h"
#include "keys.h"
#include "leaf.h"
#include "out.h"
#include "profile.h"
#include "p12.h"
#include "pass.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_KEY = 'k',
	OPT_OUT = 'o',
	OPT_PASS_FILE = 'P',
	OPT_LEGACY = 'L',
	OPT_FRIENDLY_NAME = 'n',
	OPT_FORCE = 'f'
};

static const struct option options[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "p12-pass-file", required_argument, NULL, OPT_PASS_FILE },
	{ "p12-legacy", no_argument, NULL, OPT_LEGACY },
	{ "friendly-name", required_argument, NULL, OPT_FRIENDLY_NAME },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

struct export {
	struct ca		*ca;
	struct store_cert	*sc;
	gnutls_x509_crt_t	*leaf;
	size_t			 nleaf;
	struct key		*key;
	char			*pass;
	char			*cn;
	gnutls_datum_t		 p12;
};

/*
 * The profile's friendly name, bound with the variables recorded at issue
 * time, as issue would have named it; NULL when the profile has none or
 * is gone (a friendly name is no reason to refuse an export).
 */
static char *
profile_friendly(const struct export *ex, const char *dir)
{
	struct profile		*p = NULL;
	struct profile_values	 vs = { NULL, 0 };
	struct request		*req = NULL;
	char			*path = NULL, *name = NULL, *ignored = NULL;

	if (ex->sc->profile == NULL ||
	    profile_find(ex->sc->profile, dir, &path, &ignored) != 0 ||
	    profile_load(path, NULL, &p, &ignored) != 0 ||
	    p->friendly_name == NULL ||
	    profile_values_parse(&vs, ex->sc->vars, &ignored) != 0 ||
	    profile_bind_partial(p, &vs, &req, &ignored) != 0)
		goto out;
	if (req->friendly_name != NULL)
		name = xstrdup(req->friendly_name);
out:
	free(ignored);
	request_free(req);
	profile_values_free(&vs);
	profile_free(p);
	free(path);
	return name;
}

/*
 * The friendly name: --friendly-name (checked already), else the
 * profile's, else the CN, else the serial; a name the PKCS#12 file cannot
 * carry is refused, saying where it came from.
 */
static int
friendly(struct export *ex, const char *dir, const struct args *a,
    const char **name, char **cause)
{
	char	*what = NULL;
	int	 rc;

	*name = args_get(a, OPT_FRIENDLY_NAME);
	if (*name != NULL)
		return 0;
	if ((ex->cn = profile_friendly(ex, dir)) != NULL)
		xasprintf(&what, "profile %s: friendly_name, bound with the "
		    "recorded variables (--friendly-name overrides it)",
		    ex->sc->profile);
	else if (x509_cn(ex->leaf[0], &ex->cn) == 0)
		what = xstrdup("the subject CN, the default friendly name "
		    "(--friendly-name overrides it)");
	else {
		*name = ex->sc->serial;
		return 0;
	}
	*name = ex->cn;
	rc = p12_friendly_name(ex->cn, what, cause);
	free(what);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct export	 ex = { 0 };
	const char	*keyfile = args_get(a, OPT_KEY),
	    *out = args_get(a, OPT_OUT),
	    *fname = args_get(a, OPT_FRIENDLY_NAME), *name;
	char		*cause = NULL, *serial = NULL, *compromised = NULL;
	gnutls_pubkey_t	 pub = NULL;
	int		 rc = ERR_FAIL, match;

	if (keyfile == NULL || out == NULL)
		return cmd_usage_error(cmd, "--key KEYFILE and --out FILE are "
		    "required");
	if (*out == '\0')
		return cmd_usage_error(cmd, "--out: empty path");
	if (fname != NULL && p12_friendly_name(fname, "--friendly-name",
	    &cause) != 0) {
		rc = cmd_usage_error(cmd, "%s", cause);
		free(cause);
		return rc;
	}
	/* opened first, so that every failure from here on is logged */
	TRY(ca_open(dir, CA_WANT_CERT | CA_WANT_STORE, &ex.ca, &cause));
	TRY(ca_chain_whole(ex.ca, &cause));
	TRY(ca_refuse_output(out, 0, &cause));
	TRY(out_check(out, args_has(a, OPT_FORCE), &cause));
	TRY(store_get(ex.ca->store, a->pos[0], &ex.sc, &cause));
	if (ex.sc == NULL) {
		/* store_get took it: a serial, shown as the database has it */
		serial = serial_normalize(a->pos[0]);
		rc = err_set(&cause, "no certificate with serial %s in %s",
		    serial != NULL ? serial : a->pos[0], dir);
		goto out;
	}
	/* as renew refuses it: a revoked certificate is not handed out */
	if (ex.sc->status == STORE_REVOKED &&
	    ex.sc->reason == crl_reason_code("certificateHold")) {
		rc = err_set(&cause, "certificate %s is on hold "
		    "(certificateHold): release it first (roleca unrevoke %s)",
		    ex.sc->serial, ex.sc->serial);
		goto out;
	}
	if (ex.sc->status == STORE_REVOKED) {
		rc = err_set(&cause, "certificate %s is revoked: issue a new "
		    "one (roleca issue) rather than export it", ex.sc->serial);
		goto out;
	}
	TRY(x509_parse_certs(ex.sc->der, ex.sc->der_len, "database record",
	    &ex.leaf, &ex.nleaf, &cause));
	TRY(keys_load(keyfile, 0, &ex.key, &cause));
	TRY(x509_matches_key(ex.leaf[0], ex.key, &match, &cause));
	if (!match) {
		rc = err_set(&cause, "%s does not hold the key of "
		    "certificate %s", keyfile, ex.sc->serial);
		goto out;
	}
	/* as sign and renew refuse it: no new copy of a compromised key */
	TRY(x509_crt_pubkey(ex.leaf[0], &pub, &cause));
	TRY(leaf_key_compromised(ex.ca, pub, &compromised, &cause));
	if (compromised != NULL) {
		rc = err_policy(&cause, "refused: key: certificate %s for this "
		    "key was revoked for keyCompromise: a compromised key is "
		    "not exported (make a new key: roleca issue or renew "
		    "--new-key)", compromised);
		goto out;
	}
	TRY(friendly(&ex, dir, a, &name, &cause));
	TRY(pass_get_checked("PKCS#12 passphrase", args_get(a, OPT_PASS_FILE),
	    "ROLECA_P12_PASS", 1, p12_pass_check, &ex.pass, &cause));
	TRY(p12_build(ex.leaf[0], ex.ca->chain, ex.ca->nchain, ex.key, name,
	    ex.pass, args_has(a, OPT_LEGACY), &ex.p12, &cause));
	TRY(out_write(out, ex.p12.data, ex.p12.size, 1, args_has(a, OPT_FORCE),
	    &cause));
	printf("%s\n", out);
	rc = 0;
out:
	if (ex.ca != NULL)
		cmd_audit_cert(cmd, ex.ca->store, a->pos[0], rc, cause);
	keys_datum_wipe(&ex.p12);
	pass_free(ex.pass);
	free(ex.cn);
	free(serial);
	free(compromised);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	keys_free(ex.key);
	x509_free_certs(ex.leaf, ex.nleaf);
	store_cert_free(ex.sc);
	ca_close(ex.ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_export = {
	"export",
	"SERIAL --key KEYFILE --out FILE.p12 [--p12-pass-file FILE] "
	"[--p12-legacy] [--friendly-name NAME] [--force]",
	"Write a PKCS#12 (.pfx) for Windows: the certificate, its key and the "
	"CA chain.",
	"  SERIAL                the certificate, from the CA database\n"
	"  --key KEYFILE         its private key (PEM or DER)\n"
	"  --out FILE.p12        the PKCS#12 file to write (mode 0600)\n"
	"  --p12-pass-file FILE  the passphrase: the file's first line; else\n"
	"                        the file $ROLECA_P12_PASS_FILE names, else\n"
	"                        $ROLECA_P12_PASS, else a terminal prompt\n"
	"  --p12-legacy          3DES with a SHA-1 MAC, for Windows Server 2012\n"
	"                        R2, 2016 and 2019 before 1809 (default:\n"
	"                        AES-256/PBKDF2 with a SHA-256 MAC)\n"
	"  --friendly-name NAME  1 to 64 characters, each U+0001 to U+00FF\n"
	"                        (Latin-1); default: the profile's friendly\n"
	"                        name, bound with the recorded variables,\n"
	"                        else the CN, held to the same rules\n"
	"  --force               replace FILE\n"
	"A revoked certificate is not exported, nor one whose key was revoked\n"
	"for keyCompromise. The passphrase must be UTF-8 that Unicode\n"
	"normalization leaves as it is (see roleca(1)).\n",
	options,
	1,
	1,
	run
};
