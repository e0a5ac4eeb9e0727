/*
 * init: create a CA in DIR from a CA config. Three forms: a self-signed
 * root; a subordinate signed by the CA in --parent (recorded in the
 * parent's database first); or key + CSR for an external parent, finished
 * later by install-cert. Everything is built and checked in memory, then
 * the files are staged and placed together, so a failure leaves no CA
 * half made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "out.h"
#include "pass.h"
#include "policy.h"
#include "sig.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_CONFIG = 'c',
	OPT_PARENT = 'p',
	OPT_CSR_OUT = 'r',
	OPT_ENCRYPT_KEY = 'e',
	OPT_KEY_PASS_FILE = 'k'
};

static const struct option options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "csr-out", required_argument, NULL, OPT_CSR_OUT },
	{ "encrypt-key", no_argument, NULL, OPT_ENCRYPT_KEY },
	{ "key-pass-file", required_argument, NULL, OPT_KEY_PASS_FILE },
	{ NULL, 0, NULL, 0 }
};

struct init {
	char			*dir;		/* where the CA is built */
	struct conf		*conf;
	struct ca		*parent;
	struct key		*key;
	gnutls_x509_crt_t	 crt;
	gnutls_x509_crq_t	 csr;
	struct out_batch	*batch;
	char			*db;
	char			*pass;		/* encrypts ca.key when set */
	int			 sibling;	/* dir: a sibling, to be made */
	int			 staged;	/* dir: the sibling, made */
	int			 made_crl;	/* DIR/crl/, removed again */
};

/* Does dir hold nothing (or not exist)? */
static int
dir_empty(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 empty = 1;

	if (d == NULL)
		return errno == ENOENT;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/*
 * Refuse a directory that already holds (part of) a CA. A new or empty
 * one is built as a hidden sibling and renamed into place at the end, so
 * that a crash leaves no half-made CA under dir's name (at worst the
 * sibling, .NAME.init-XXXXXX); a directory that holds other files is
 * built in place, where a kill can leave some of the CA's files without
 * ca.cfg: those are named, for the user to move aside.
 */
static int
check_dir(struct init *in, const char *dir, char **cause)
{
	/* ca.cfg first; then the log and index, no new database's either */
	static const char *const names[] = { CA_CFG, CA_KEY, CA_CRT, CA_DB,
	    CA_DB "-wal", CA_DB "-shm", CA_CHAIN };
	char		*p, *parent, *base, *found = NULL, *tmp;
	size_t		 n = strlen(dir);
	int		 cfg = 0, rc;
	struct stat	 st;

	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return err_set(cause, "%s: not a directory", dir);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		p = ca_path_in(dir, names[i]);
		if (access(p, F_OK) == 0) {
			cfg |= i == 0;
			xasprintf(&tmp, "%s%s%s", found != NULL ? found : "",
			    found != NULL ? ", " : "", names[i]);
			free(found);
			found = tmp;
		}
		free(p);
	}
	if (found != NULL) {
		/*
		 * without ca.cfg, what an init killed while it built the CA
		 * in place left: no command can use it, and init needs the
		 * files gone
		 */
		if (cfg)
			rc = err_set(cause, "%s: already holds a CA (%s "
			    "exists)", dir, CA_CFG);
		else
			rc = err_set(cause, "%s: holds %s but no %s, as an "
			    "init that did not finish leaves them: move them "
			    "aside to run init again", dir, found, CA_CFG);
		free(found);
		return rc;
	}
	if (!dir_empty(dir)) {
		in->dir = xstrdup(dir);
		return 0;
	}
	while (n > 1 && dir[n - 1] == '/')
		n--;
	p = xstrndup(dir, n);
	parent = ca_dir_of(p);
	base = strrchr(p, '/') != NULL ? strrchr(p, '/') + 1 : p;
	xasprintf(&in->dir, "%s/.%s.init-XXXXXX", parent, base);
	/* made once the CA is built (make_dir), but refused now */
	rc = 0;
	if (access(parent, W_OK | X_OK) != 0)
		rc = err_set(cause, "%s: cannot create directory: %s", dir,
		    strerror(errno));
	free(parent);
	free(p);
	in->sibling = 1;
	return rc;
}

/*
 * Where the CA is built, made (the sibling) and its crl/ in it: after
 * everything slow, with the signals held until the end, so that an
 * interrupt leaves no sibling holding a key.
 */
static int
make_dir(struct init *in, const char *dir, char **crl, char **cause)
{
	if (in->sibling) {
		if (mkdtemp(in->dir) == NULL)
			return err_set(cause, "%s: cannot create directory: "
			    "%s", dir, strerror(errno));
		in->staged = 1;
	}
	/* made first, so that nothing is placed when it cannot be */
	*crl = ca_path_in(in->dir, CA_CRLDIR);
	in->made_crl = access(*crl, F_OK) != 0;
	return out_mkdir(*crl, 0755, cause);
}

/* The staged directory, and everything init made in it, removed. */
static void
remove_staged(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		*p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = ca_path_in(dir, e->d_name);
		if (unlink(p) != 0)
			(void)rmdir(p);		/* crl/, empty */
		free(p);
	}
	if (d != NULL)
		closedir(d);
	(void)rmdir(dir);
}

/*
 * The staged CA under its name: dir must not exist or be empty (then it
 * is replaced), as when it was checked; its parent directory is synced.
 */
static int
place_staged(const struct init *in, const char *dir, char **cause)
{
	char	*parent;
	int	 fd;

	if (rename(in->dir, dir) != 0)
		return err_set(cause, "%s: %s", dir, errno == ENOTEMPTY ||
		    errno == EEXIST ? "already holds files (another init?)" :
		    strerror(errno));
	parent = ca_dir_of(dir);
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(parent);
	return 0;
}

/*
 * A parent whose policy permits only some domains makes a subordinate
 * held to them too: otherwise a root for lab.example would stand up an
 * issuing CA for any name. (The CA certificates carry no name
 * constraints, so this is roleca's own discipline, not a verifier's.)
 */
static int
domains_within(const struct init *in, char **cause)
{
	const struct ca_policy	*pp = &in->parent->conf->policy;
	const struct ca_policy	*sp = &in->conf->policy;

	if (pp->domains.n == 0)
		return 0;
	if (sp->domains.n == 0)
		return err_policy(cause, "refused: policy: the parent %s "
		    "permits only some domains, so the subordinate's "
		    "permitted_domains must list domains within them",
		    in->parent->dir);
	for (size_t i = 0; i < sp->domains.n; i++)
		if (!conf_domain_permitted(pp, sp->domains.v[i]))
			return err_policy(cause, "refused: policy: permitted "
			    "domain '%s' is outside the parent's (%s)",
			    sp->domains.v[i], in->parent->dir);
	return 0;
}

static int
judge(const struct init *in, char **cause)
{
	struct policy_ctx	 ctx = { 0 };
	struct findings		 f = { NULL, 0 };
	int			 rc = ERR_FAIL;

	ctx.conf = in->parent != NULL ? in->parent->conf : in->conf;
	ctx.issuer = in->parent != NULL ? in->parent->crt : NULL;
	ctx.now = time(NULL);
	if (in->parent != NULL)
		TRY(domains_within(in, cause));
	TRY(policy_check_ca(in->crt, &ctx, &f, cause));
	if (in->parent != NULL)
		policy_check_below(in->crt, in->parent->chain,
		    in->parent->nchain, &f);
	if (f.n > 0) {
		rc = cmd_refused(&cmd_init, &f, cause);
		goto out;
	}
	rc = 0;
out:
	findings_free(&f);
	return rc;
}

/*
 * With --csr-out there is no certificate yet: the key (a token's may not be
 * what ca.cfg's key names) is judged as the CA certificate's would be.
 */
static int
judge_key(const struct init *in, char **cause)
{
	struct findings	 f = { NULL, 0 };
	gnutls_pubkey_t	 pub = NULL;
	int		 rc = ERR_FAIL;

	TRY(keys_pubkey(in->key, &pub, cause));
	policy_check_ca_key(pub, &f);
	if (f.n > 0) {
		rc = cmd_refused(&cmd_init, &f, cause);
		goto out;
	}
	rc = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	findings_free(&f);
	return rc;
}

static int
stage_pem(struct init *in, const char *name, gnutls_x509_crt_t crt,
    const gnutls_x509_crt_t *chain, size_t nchain, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*path = ca_path_in(in->dir, name), *all = NULL, *tmp;
	int		 rc = ERR_FAIL;

	TRY(x509_export(crt, 1, &d, cause));
	all = xstrndup((char *)d.data, d.size);
	for (size_t i = 0; i < nchain; i++) {
		gnutls_free(d.data);
		d.data = NULL;
		TRY(x509_export(chain[i], 1, &d, cause));
		xasprintf(&tmp, "%s%.*s", all, (int)d.size, (char *)d.data);
		free(all);
		all = tmp;
	}
	TRY(out_batch_add(in->batch, path, all, strlen(all), 0, cause));
	rc = 0;
out:
	gnutls_free(d.data);
	free(all);
	free(path);
	return rc;
}

static int
stage(struct init *in, const char *csr_out, char **cause)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	/* a token key stays in the token: no ca.key */
	if (in->conf->key_uri == NULL) {
		if (in->pass != NULL)
			TRY(keys_export_pem_encrypted(in->key, in->pass, &pem,
			    cause));
		else
			TRY(keys_export_pem(in->key, &pem, cause));
		path = ca_path_in(in->dir, CA_KEY);
		TRY(out_batch_add(in->batch, path, pem.data, pem.size, 1,
		    cause));
		free(path);
		path = NULL;
	}
	/* the bytes conf_load checked (at most CONF_MAX), not read again */
	path = ca_path_in(in->dir, CA_CFG);
	TRY(out_batch_add(in->batch, path, in->conf->text,
	    in->conf->text_len, 0, cause));
	if (in->crt != NULL) {
		TRY(stage_pem(in, CA_CRT, in->crt, NULL, 0, cause));
		TRY(stage_pem(in, CA_CHAIN, in->crt, in->parent != NULL ?
		    in->parent->chain : NULL, in->parent != NULL ?
		    in->parent->nchain : 0, cause));
	}
	if (in->csr != NULL) {
		gnutls_datum_t	 d = { NULL, 0 };

		TRY(x509_export_csr(in->csr, 1, &d, cause));
		rc = out_batch_add(in->batch, csr_out, d.data, d.size, 0,
		    cause);
		gnutls_free(d.data);
		TRY(rc);
	}
	rc = 0;
out:
	keys_datum_wipe(&pem);
	free(path);
	return rc;
}

/*
 * The parent records its subordinate before any file holding it exists,
 * with its audit row in the same transaction: a crash cannot leave the
 * certificate recorded but not logged.
 */
static int
record_in_parent(struct init *in, char **cause)
{
	struct store_cert	 sc = { 0 };
	gnutls_datum_t		 der = { NULL, 0 };
	time_t			 nb, na;
	int			 rc = ERR_FAIL;

	TRY(x509_export(in->crt, 0, &der, cause));
	TRY(x509_serial_hex(in->crt, &sc.serial, cause));
	TRY(x509_subject_text(in->crt, &sc.subject, cause));
	sc.sans = xstrdup("");
	sc.profile = xstrdup("subordinate-ca");
	sc.vars = xstrdup("");
	/* nothing asked beyond ca.cfg: recorded as such, not as unknown */
	sc.asked = xstrdup("");
	x509_validity(in->crt, &nb, &na);
	sc.not_before = nb;
	sc.not_after = na;
	sc.issued_at = time(NULL);
	sc.status = STORE_VALID;
	sc.reason = -1;
	sc.der = der.data;
	sc.der_len = der.size;
	TRY(store_record(in->parent->store, &sc, cmd_init.name, cause));
	rc = 0;
out:
	free(sc.serial);
	free(sc.subject);
	free(sc.sans);
	free(sc.profile);
	free(sc.vars);
	free(sc.asked);
	gnutls_free(der.data);
	return rc;
}

static int
make_db(struct init *in, char **cause)
{
	struct store	*st = NULL;
	int		 rc = ERR_FAIL;

	in->db = ca_path_in(in->dir, CA_DB);
	TRY(store_open(in->db, 1, &st, cause));
	/* the new CA's log starts with its own creation */
	TRY(store_audit(st, "init", NULL, NULL, in->csr != NULL ?
	    "ok: key and CSR made" : in->parent != NULL ?
	    "ok: subordinate CA" : "ok: root CA", cause));
	rc = 0;
out:
	store_close(st);
	if (rc != 0) {
		free(in->db);
		in->db = NULL;
	}
	return rc;
}

/* ca.key's new passphrase: one OpenSSL opens the key with too. */
static int
key_pass_check(const char *pass, char **cause)
{
	return keys_pass_check(pass, "ca.key", cause);
}

/*
 * A path in a form two spellings of one path share, without asking the
 * file system (neither need exist yet): no "." component, no doubled or
 * trailing '/'. In place.
 */
static void
path_plain(char *p)
{
	char	*r = p, *w = p;
	int	 abs = *p == '/';

	while (*r != '\0') {
		size_t	 n = strcspn(r, "/");

		if (n > 0 && !(n == 1 && *r == '.')) {
			if (w != p || abs)
				*w++ = '/';
			memmove(w, r, n);
			w += n;
		}
		r += n;
		while (*r == '/')
			r++;
	}
	if (w == p)
		*w++ = abs ? '/' : '.';
	*w = '\0';
}

/*
 * The request's file, judged before a key is made or a passphrase or PIN
 * asked for: not in a CA directory (the new one's included: init makes
 * that directory whole, from a staging one), and not there already.
 */
static int
check_csr_out(const char *dir, const char *csr_out, char **cause)
{
	struct stat	 a, b;
	char		*in = ca_dir_of(csr_out), *d = xstrdup(dir);
	char		*x = xstrdup(in);
	int		 rc = ERR_FAIL;

	path_plain(x);
	path_plain(d);
	if (strcmp(x, d) == 0 || (stat(in, &a) == 0 && stat(dir, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
		rc = err_usage(cause, "--csr-out %s: is in %s, the new CA's "
		    "directory: write it elsewhere", csr_out, dir);
		goto out;
	}
	if ((rc = ca_refuse_output(csr_out, 0, cause)) != 0) {
		err_prefix(cause, "--csr-out ");
		goto out;
	}
	rc = out_check(csr_out, OUT_NO_FORCE, cause);
out:
	free(x);
	free(d);
	free(in);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct init	 in = { 0 };
	const char	*config = args_get(a, OPT_CONFIG);
	const char	*parent = args_get(a, OPT_PARENT);
	const char	*csr_out = args_get(a, OPT_CSR_OUT);
	char		*cause = NULL, *p = NULL;
	int		 rc = ERR_FAIL, recorded = 0, held = 0;

	if (config == NULL)
		return cmd_usage_error(cmd, "--config FILE is required");
	if (parent != NULL && csr_out != NULL)
		return cmd_usage_error(cmd, "--parent and --csr-out exclude "
		    "each other");
	if (args_has(a, OPT_KEY_PASS_FILE) && !args_has(a, OPT_ENCRYPT_KEY))
		return cmd_usage_error(cmd, "--key-pass-file goes with "
		    "--encrypt-key");
	in.batch = out_batch_new(OUT_NO_FORCE);
	TRY(conf_load(config, CONF_NEW, &in.conf, &cause));
	if (args_has(a, OPT_ENCRYPT_KEY) && in.conf->key_uri != NULL) {
		rc = err_usage(&cause, "--encrypt-key: the key lives in a "
		    "token (key_uri)");
		goto out;
	}
	if (parent != NULL && ((rc = ca_open(parent, CA_WANT_ALL, &in.parent,
	    &cause)) != 0 || (rc = ca_chain_whole(in.parent, &cause)) != 0)) {
		/* the parent's fault, not the new CA's: say which was meant */
		err_prefix(&cause, "--parent: ");
		/* its key would not load, or its chain is not whole: logged */
		if (in.parent != NULL)
			cmd_audit(cmd, in.parent->store, NULL,
			    "subordinate-ca", rc, cause);
		goto out;
	}
	TRY(check_dir(&in, dir, &cause));
	if (csr_out != NULL)
		TRY(check_csr_out(dir, csr_out, &cause));
	if (args_has(a, OPT_ENCRYPT_KEY))
		TRY(pass_get_checked("new CA key passphrase", args_get(a,
		    OPT_KEY_PASS_FILE), "ROLECA_CA_PASS", 1, key_pass_check,
		    &in.pass, &cause));
	if (in.conf->key_uri != NULL)
		TRY(keys_load_pkcs11(in.conf->pkcs11_module, in.conf->key_uri,
		    &in.key, &cause));
	else
		TRY(keys_generate(&in.conf->key, &in.key, &cause));
	if (csr_out != NULL) {
		TRY(judge_key(&in, &cause));
		TRY(x509_build_ca_csr(in.conf, in.key, &in.csr, &cause));
	} else {
		TRY(x509_build_ca(in.conf, in.key, in.parent, time(NULL),
		    &in.crt, &cause));
		TRY(judge(&in, &cause));
	}
	/* made, recorded at the parent and placed: one step to a signal */
	sig_hold();
	held = 1;
	TRY(make_dir(&in, dir, &p, &cause));
	TRY(stage(&in, csr_out, &cause));
	TRY(make_db(&in, &cause));
	if (in.parent != NULL) {
		TRY(record_in_parent(&in, &cause));
		recorded = 1;
	}
	TRY(out_batch_commit(in.batch, &cause));
	if (in.staged && (rc = place_staged(&in, dir, &cause)) != 0) {
		/* the request would name a CA that is not there */
		if (csr_out != NULL)
			(void)unlink(csr_out);
		goto out;
	}
	if (csr_out != NULL)
		fprintf(stderr, "roleca: init: key and CSR made; send %s to "
		    "the parent CA, then run: "
		    "roleca --dir %s install-cert FILE\n", csr_out, dir);
	else
		fprintf(stderr, "roleca: init: %s CA created in %s\n",
		    in.parent != NULL ? "subordinate" : "root", dir);
	rc = 0;
out:
	/* success was logged with the record */
	if (in.parent != NULL && in.crt != NULL && rc != 0) {
		char	*serial = NULL, *ignored = NULL, *tmp;

		(void)x509_serial_hex(in.crt, &serial, &ignored);
		/* a certificate no CA directory holds, valid at the parent */
		if (recorded && serial != NULL) {
			xasprintf(&tmp, "%s (%s has recorded the new CA's "
			    "certificate %s: revoke it there)", cause != NULL ?
			    cause : "failed", in.parent->dir, serial);
			free(cause);
			cause = tmp;
		}
		cmd_audit(cmd, in.parent->store, serial, "subordinate-ca", rc,
		    cause);
		free(serial);
		free(ignored);
	}
	if (rc != 0 && in.db != NULL)
		store_remove(in.db);
	free(in.db);
	pass_free(in.pass);
	if (rc != 0 && in.made_crl && !in.staged)
		rmdir(p);
	free(p);
	out_batch_free(in.batch);
	if (rc != 0 && in.staged)
		remove_staged(in.dir);
	free(in.dir);
	if (in.csr != NULL)
		gnutls_x509_crq_deinit(in.csr);
	if (in.crt != NULL)
		gnutls_x509_crt_deinit(in.crt);
	keys_free(in.key);
	ca_close(in.parent);
	conf_free(in.conf);
	if (held)
		sig_release();
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_init = {
	"init",
	"--config FILE [--parent PDIR | --csr-out FILE] [--encrypt-key "
	"[--key-pass-file FILE]]",
	"Create a CA in DIR: a root, a subordinate of PDIR, or a key and CSR "
	"for an external parent.",
	"  --config FILE    the CA config (see roleca.conf(5)); copied to DIR/ca.cfg\n"
	"  --parent PDIR    sign the new CA with the CA in PDIR (a subordinate)\n"
	"  --csr-out FILE   write a CSR for an external parent instead; finish\n"
	"                   with: roleca --dir DIR install-cert CERT\n"
	"  --encrypt-key    store ca.key encrypted (PKCS#8, AES-256, PBKDF2);\n"
	"                   every later use asks for the passphrase, or reads\n"
	"                   $ROLECA_CA_PASS or the file $ROLECA_CA_PASS_FILE\n"
	"  --key-pass-file FILE  the new passphrase: FILE's first line\n",
	options,
	0,
	0,
	run
};
