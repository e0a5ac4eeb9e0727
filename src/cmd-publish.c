/*
 * publish: put the CA's CRL and certificate where the URLs in its
 * certificates point. Every target is checked before a CRL is signed, so
 * a bad one changes nothing; the CRL is signed afresh when it is due (past
 * crl_renew_percent of its lifetime, missing, or older than a revocation);
 * then every file of every target is staged beside its final name and only
 * when all are staged are they renamed into place, so a web server never
 * serves half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "out.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_TO = 't',
	OPT_FORCE_CRL = 'f'
};

static const struct option options[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "new-crl", no_argument, NULL, OPT_FORCE_CRL },
	{ NULL, 0, NULL, 0 }
};

#define PUBLISH_MAX	(1024UL * 1024 * 1024)

/* CA certificate, base CRL and its PEM, delta CRL and its PEM */
#define PUBLISH_FILES	5

/*
 * The files every target receives, in the order they are renamed into
 * place. A set of renames cannot be atomic as a whole: between two of
 * them a reader sees some files new and some old. So the CA certificate
 * goes first, then the base CRL, then the delta: a reader never finds a
 * CRL whose issuer certificate is not there yet, nor a delta whose base
 * is not. A failed rename puts back the files already replaced.
 */
struct pubset {
	const struct ca	*ca;
	/* the file's name in a target */
	char	*name[PUBLISH_FILES];
	/* where it comes from; NULL: the CA certificate, DER */
	char	*from[PUBLISH_FILES];
	size_t	 n;
};

static const char *
base(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * The CA certificate's published name: the caIssuers URL's file, else
 * NAME.crt.
 */
static char *
cert_name(const struct ca *ca, const char *crl)
{
	size_t	 n;
	char	*name;

	for (size_t i = 0; i < ca->conf->ca_issuers.n; i++)
		if ((name = url_file_name(ca->conf->ca_issuers.v[i])) != NULL)
			return name;
	n = strlen(crl);
	if (n > 4 && strcmp(crl + n - 4, ".crl") == 0)
		n -= 4;
	xasprintf(&name, "%.*s.crt", (int)n, crl);
	return name;
}

/* name is taken over; from is copied (NULL: the CA certificate) */
static void
set_add(struct pubset *set, char *name, const char *from)
{
	set->name[set->n] = name;
	set->from[set->n++] = from != NULL ? xstrdup(from) : NULL;
}

static void
set_init(struct pubset *set, const struct ca *ca, const char *crl,
    const char *delta)
{
	char	*pem;

	memset(set, 0, sizeof *set);
	set->ca = ca;
	set_add(set, cert_name(ca, base(crl)), NULL);
	set_add(set, xstrdup(base(crl)), crl);
	xasprintf(&pem, "%s.pem", crl);
	set_add(set, xstrdup(base(pem)), pem);
	free(pem);
	if (delta != NULL) {
		set_add(set, xstrdup(base(delta)), delta);
		xasprintf(&pem, "%s.pem", delta);
		set_add(set, xstrdup(base(pem)), pem);
		free(pem);
	}
}

static void
set_free(struct pubset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->name[i]);
		free(set->from[i]);
	}
	set->n = 0;
}

/*
 * Whether the set could be placed in dir: nothing is written. given: dir
 * is --to's, so that the CA's own directory there is a usage error, as for
 * crl --out (from ca.cfg's publish list it is the configuration's).
 */
static int
check_target(const struct pubset *set, const char *dir, int given,
    char **cause)
{
	struct stat	 st;
	char		*to = NULL;
	int		 rc = ERR_FAIL;

	if (*dir == '\0')
		return err_usage(cause, "empty publish directory name");
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			return err_set(cause, "%s: publish directory does not "
			    "exist", dir);
		return err_set(cause, "%s: publish directory: %s", dir,
		    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(cause, "%s: publish directory: not a directory",
		    dir);
	if (access(dir, W_OK | X_OK) != 0)
		return err_set(cause, "%s: publish directory: cannot write: %s",
		    dir, strerror(errno));
	/* its files would replace a CA's own (ca.crt, the CRLs) */
	if (ca_refuse_output(dir, 1, cause) != 0) {
		err_prefix(cause, "publish directory ");
		return given ? ERR_USAGE : ERR_FAIL;
	}
	for (size_t i = 0; i < set->n; i++) {
		free(to);
		xasprintf(&to, "%s/%s", dir, set->name[i]);
		TRY(out_check(to, 1, cause));
	}
	rc = 0;
out:
	free(to);
	return rc;
}

/* Stage the set for dir in b: temporaries beside the final names. */
static int
stage(struct out_batch *b, const struct pubset *set, const char *dir,
    const gnutls_datum_t *crt, char **cause)
{
	unsigned char	*data = NULL;
	size_t		 len;
	char		*to = NULL;
	int		 rc = ERR_FAIL;

	for (size_t i = 0; i < set->n; i++) {
		free(to);
		xasprintf(&to, "%s/%s", dir, set->name[i]);
		if (set->from[i] == NULL) {
			TRY(out_batch_add(b, to, crt->data, crt->size, 0,
			    cause));
			continue;
		}
		TRY(out_read(set->from[i], PUBLISH_MAX, &data, &len, cause));
		TRY(out_batch_add(b, to, data, len, 0, cause));
		free(data);
		data = NULL;
	}
	rc = 0;
out:
	free(data);
	free(to);
	return rc;
}

/*
 * Is the CRL at path due: missing or unreadable, dated ahead of the clock
 * (signed while it ran fast: verifiers refuse it until then), past
 * crl_renew_percent of its life, or, with no delta CRL to carry changes,
 * older than the last revocation, hold or release recorded (its number is
 * not above the one taken then)? Or is its PEM copy missing or another
 * CRL (a crash between the two)? Or does its Freshest CRL differ from
 * ca.cfg's delta_cdp (none while they are on, some while they are off,
 * other URLs: delta_cdp edited)? A delta that no base CRL names would
 * carry the changes to nobody.
 */
static int
due(struct ca *ca, const char *path, int delta, time_t now, int *yes,
    char **cause)
{
	const struct strv	*fresh = &ca->conf->delta_cdp;
	struct crl_head	 h, hp;
	int64_t		 changed;
	char		*pem;
	int		 found, pfound = 0, rc = ERR_FAIL;

	xasprintf(&pem, "%s.pem", path);
	if (crl_read_head(path, fresh, &found, &h, cause) != 0) {
		/* damaged (a disk error, a hand edit): signed again */
		fprintf(stderr, "roleca: publish: warning: %s; a new CRL is "
		    "signed\n", *cause);
		free(*cause);
		*cause = NULL;
		*yes = 1;
		rc = 0;
		goto out;
	}
	if (found && crl_read_head(pem, fresh, &pfound, &hp, cause) != 0) {
		free(*cause);		/* unreadable: made again */
		*cause = NULL;
		pfound = 0;
	}
	TRY(store_counter(ca->store, "revocations_changed", &changed, cause));
	if (found && h.this_update > now)
		fprintf(stderr, "roleca: publish: warning: %s is dated ahead "
		    "of this clock; a new CRL is signed\n", path);
	*yes = !found || !pfound || hp.number != h.number ||
	    h.this_update > now ||
	    now >= h.this_update + (h.next_update - h.this_update) *
	    (time_t)ca->conf->crl_renew_percent / 100 ||
	    !h.freshest_same ||
	    (!delta && h.number <= (uint64_t)changed);
	rc = 0;
out:
	free(pem);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	struct crl_info	 info, dinfo;
	struct pubset	 set;
	struct out_batch *b = out_batch_new(1);
	gnutls_datum_t	 crt = { NULL, 0 };
	const char	*to = args_get(a, OPT_TO);
	const char	*const *dirs;
	char		*cause = NULL, *crl = NULL, *delta = NULL;
	time_t		 now;
	size_t		 ndirs;
	int		 rc = ERR_FAIL, fresh = 0;

	memset(&set, 0, sizeof set);
	memset(&info, 0, sizeof info);
	memset(&dinfo, 0, sizeof dinfo);
	TRY(ca_open(dir, CA_WANT_ALL, &ca, &cause));
	if (to == NULL && ca->conf->publish.n == 0) {
		rc = err_usage(&cause, "%s/%s names no publish directories: "
		    "give --to DIR", dir, CA_CFG);
		goto out;
	}
	if (to != NULL) {
		dirs = &to;
		ndirs = 1;
	} else {
		dirs = (const char *const *)ca->conf->publish.v;
		ndirs = ca->conf->publish.n;
	}
	crl = crl_path(ca);
	delta = crl_delta_path(ca);
	set_init(&set, ca, crl, delta);
	/* a bad target must not cost a CRL number, nor replace a CRL */
	for (size_t i = 0; i < ndirs; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(dirs[i], dirs[j]) == 0) {
				rc = err_usage(&cause, "%s: publish directory "
				    "named twice", dirs[i]);
				goto out;
			}
		TRY(check_target(&set, dirs[i], to != NULL, &cause));
	}
	/* nor a bad delta output a base CRL */
	TRY(crl_delta_check(ca, time(NULL), &cause));
	/*
	 * Held until the copies are placed: a run that signed and read older
	 * CRLs must not place them over a faster run's newer ones.
	 */
	TRY(crl_lock(ca, &cause));
	now = time(NULL);
	if (args_has(a, OPT_FORCE_CRL))
		fresh = 1;
	else
		TRY(due(ca, crl, delta != NULL, now, &fresh, &cause));
	if (fresh)
		TRY(crl_make(ca, NULL, &info, &cause));
	/* deltas are short-lived: a fresh one goes out with every publish */
	if (delta != NULL)
		TRY(crl_make_delta(ca, &dinfo, &cause));
	TRY(x509_export(ca->crt, 0, &crt, &cause));
	for (size_t i = 0; i < ndirs; i++)
		TRY(stage(b, &set, dirs[i], &crt, &cause));
	TRY(out_batch_commit(b, &cause));
	for (size_t i = 0; i < ndirs; i++)
		for (size_t j = 0; j < set.n; j++)
			printf("%s/%s\n", dirs[i], set.name[j]);
	if (fresh) {
		fprintf(stderr, "roleca: publish: CRL number %llu signed and "
		    "published\n", (unsigned long long)info.number);
		crl_warnings(cmd->name, &info);
	}
	if (delta != NULL)
		fprintf(stderr, "roleca: publish: delta CRL number %llu (base "
		    "%llu) signed and published\n",
		    (unsigned long long)dinfo.number,
		    (unsigned long long)dinfo.base);
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit(cmd, ca->store, NULL, NULL, rc, cause);
	/* removes the temporaries of a set that was not placed */
	out_batch_free(b);
	gnutls_free(crt.data);
	set_free(&set);
	free(delta);
	free(crl);
	crl_info_free(&info);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_publish = {
	"publish",
	"[--to DIR] [--new-crl]",
	"Copy the CRL (signed afresh when due) and the CA certificate into the "
	"publish directories.",
	"  --to DIR    publish into DIR instead of ca.cfg's publish directories\n"
	"  --new-crl   sign a new CRL even if the current one is not due\n"
	"Files: the CRL as DER under the name its CDP URL ends with (NAME),\n"
	"the same as PEM (NAME.pem), and the CA certificate as DER under the\n"
	"name its caIssuers URL ends with (else NAME with a final .crl made\n"
	".crt). A CRL is due when it is missing or unreadable, dated ahead\n"
	"of the clock,\n"
	"crl_renew_percent (ca.cfg, default 50) of its lifetime has passed,\n"
	"or a certificate was revoked, held or released after it was signed.\n"
	"With delta_cdp in ca.cfg a new delta CRL is signed and published\n"
	"every time, and carries such changes until the CRL is due; a CRL\n"
	"whose Freshest CRL does not name delta_cdp's URLs (or names some\n"
	"without delta_cdp) is due too.\n",
	options,
	0,
	0,
	run
};
