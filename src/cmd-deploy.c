/*
 * deploy: certificates for every server of a site from a deployment file.
 * A server that already holds a valid certificate of its role with the
 * same names and key, which still meets the role's profile and the CA's
 * rules as they are now and is not due for renewal, is kept, so a second
 * run issues nothing; --reissue replaces them. With --csr-dir the servers
 * made their own keys: NAME.csr (or NAME.req) is signed instead. One
 * failing server does not stop the others; the exit status says whether
 * any failed.
 *
 * Servers are issued in groups: the group's certificates and audit rows are
 * committed to the database in one transaction, and only then are the
 * group's files placed (made durable together), so the order of issue and
 * its crash safety are those of a single issue at a fraction of the fsyncs.
 * The signing threads write each file ahead into an unnamed temporary
 * (out_prepare); it gets its name only when the group's batch is placed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "ca.h"
#include "cmd.h"
#include "deploy.h"
#include "err.h"
#include "keys.h"
#include "leaf.h"
#include "out.h"
#include "policy.h"
#include "profile.h"
#include "store.h"
#include "util.h"
#include "x509.h"

/* NAME.chain.pem is read back only to compare: a few KB, far below this */
#define CHAIN_MAX	(1024 * 1024)

enum {
	OPT_OUT = 'o',
	OPT_CSR_DIR = 'c',
	OPT_REISSUE = 'r',
	OPT_RENEW_DAYS = 'd'
};

static const struct option options[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "csr-dir", required_argument, NULL, OPT_CSR_DIR },
	{ "reissue", no_argument, NULL, OPT_REISSUE },
	{ "renew-days", required_argument, NULL, OPT_RENEW_DAYS },
	{ NULL, 0, NULL, 0 }
};

/*
 * Servers per database commit. The last groups get smaller (half of what
 * is left), so that the last one's record, which no group overlaps, is
 * short, but no smaller than DEPLOY_GROUP_MIN, nor leaving fewer than
 * that after them: a commit's syncs take about as long whatever its size,
 * and the workers wait through every one whose successor they prepare in
 * less time (with 16, the last four groups of 1,000 servers).
 */
#define DEPLOY_GROUP		128
#define DEPLOY_GROUP_MIN	64
/*
 * A kept certificate is renewed once it expires within this many days, or
 * within a third of its lifetime when that is shorter (a 7-day certificate
 * is not issued again at every run).
 */
#define DEPLOY_RENEW_DAYS	30
/* Signing threads at most (one per CPU). */
#define DEPLOY_THREADS	8

enum outcome { KEPT, ISSUED, FAILED };

/* Each role's profile, loaded once. */
struct profiles {
	char		**role;
	struct profile	**p;
	size_t		  n;
};

struct unit_result {
	enum outcome	 o;
	char		*serial;
	char		*cause;
	char		*old;	/* an issued unit's replaced certificate */
	char		*why;	/* and why it was replaced */
};

/* DIR/NAME.crt, the unit's certificate file. */
static char *
crt_path(const char *dir, const struct deploy_unit *u)
{
	char	*path;

	xasprintf(&path, "%s/%s.crt", dir, u->name);
	return path;
}

struct unit_run {
	const struct deploy_unit *u;
	const struct profile	*profile;
	struct request		*req;
	gnutls_x509_crq_t	 csr;
	struct csr_info		 info;
	struct key		*key;
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	struct findings		 findings;
	char			*serial;
	/* what sign_unit made: the files, written ahead, or why it failed */
	gnutls_datum_t		 key_pem;
	gnutls_datum_t		 crt_pem;
	char			*chain;
	struct out_pending	*files[3];
	size_t			 nfiles;
	int			 rc;
	char			*cause;
	int			 signed_ahead;	/* prepare_unit signed it */
	char			*held;	/* serial of the file unit_fits kept */
	/* else the serial of NAME.crt, if readable, and why it is replaced */
	char			*old;
	char			*why;
};

static void
unit_free(struct unit_run *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		out_pending_free(r->files[i]);
	free(r->serial);
	free(r->held);
	free(r->old);
	free(r->why);
	keys_datum_wipe(&r->key_pem);
	gnutls_free(r->crt_pem.data);
	free(r->chain);
	free(r->cause);
	findings_free(&r->findings);
	if (r->crt != NULL)
		gnutls_x509_crt_deinit(r->crt);
	if (r->pub != NULL)
		gnutls_pubkey_deinit(r->pub);
	keys_free(r->key);
	x509_csr_info_free(&r->info);
	if (r->csr != NULL)
		gnutls_x509_crq_deinit(r->csr);
	request_free(r->req);
}

static void
profiles_free(struct profiles *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->role[i]);
		profile_free(c->p[i]);
	}
	free(c->role);
	free(c->p);
}

static int
profile_cached(struct profiles *c, struct ca *ca, const char *dir,
    const char *role, const struct profile **out, char **cause)
{
	struct profile	*p = NULL;
	char		*path = NULL;
	int		 rc = ERR_FAIL;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->role[i], role) == 0) {
			*out = c->p[i];
			return 0;
		}
	TRY(profile_find(role, dir, &path, cause));
	TRY(profile_load(path, &ca->conf->policy, &p, cause));
	c->role = xreallocarray(c->role, c->n + 1, sizeof *c->role);
	c->p = xreallocarray(c->p, c->n + 1, sizeof *c->p);
	c->role[c->n] = xstrdup(role);
	c->p[c->n++] = p;
	*out = p;
	rc = 0;
out:
	free(path);
	return rc;
}

/*
 * What is wrong with the file's servers themselves (an unknown role, an
 * unknown, missing or malformed variable) is said before anything is
 * made, naming the line, as the file's other errors are; what depends on
 * the certificate (the policy) is judged per server as it is made.
 */
static int
units_check(const struct deployment *d, struct ca *ca, const char *dir,
    int csrs, struct profiles *cache, char **cause)
{
	const struct profile	*p;

	for (size_t i = 0; i < d->n; i++) {
		const struct deploy_unit	*u = &d->v[i];
		int				 rc;

		if ((rc = profile_cached(cache, ca, dir, u->role, &p,
		    cause)) != 0 ||
		    (rc = profile_values_check(p, &u->values, csrs,
		    cause)) != 0) {
			err_prefix(cause, "%s:%d: %s: ", d->path, u->line,
			    u->name);
			/* an error of the file, as its others are */
			return rc == ERR_POLICY ? rc : ERR_FAIL;
		}
	}
	return 0;
}

/*
 * The request for a unit (its profile already loaded): from its variables,
 * completed by its CSR, whose signature is checked. Run by the worker
 * threads; the outcome goes to r->rc and r->cause.
 */
static void
bind_request(struct unit_run *r, struct ca *ca, const void *arg)
{
	const char	*csrdir = arg;
	char		*csr = NULL, *cause = NULL;
	int		 rc = ERR_FAIL;

	(void)ca;
	if (csrdir == NULL) {
		TRY(profile_bind(r->profile, &r->u->values, &r->req, &cause));
		rc = 0;
		goto out;
	}
	xasprintf(&csr, "%s/%s.csr", csrdir, r->u->name);
	if (access(csr, F_OK) != 0) {
		free(csr);
		xasprintf(&csr, "%s/%s.req", csrdir, r->u->name);
		/* both names are looked for: the message says so */
		if (access(csr, F_OK) != 0) {
			rc = err_set(&cause, "no CSR: neither %s/%s.csr nor "
			    "%s exists", csrdir, r->u->name, csr);
			goto out;
		}
	}
	TRY(leaf_csr_load(csr, &r->csr, &r->info, &cause));
	TRY(profile_bind_partial(r->profile, &r->u->values, &r->req, &cause));
	if ((rc = leaf_csr_merge(r->req, r->profile, &r->u->values,
	    &r->info, &cause)) < 0) {
		err_in_file(&cause, rc, "names", csr);
		goto out;
	}
	/* the CSR's key is the unit's (signed on another thread, in turn) */
	r->pub = r->info.pub;
	r->info.pub = NULL;
	rc = 0;
out:
	free(csr);
	r->rc = rc;
	r->cause = cause;
}

/* Stage the unit's files (written by sign_unit) in the group's batch. */
static int
stage(struct unit_run *r, struct out_batch *batch, char **cause)
{
	int	 rc = ERR_FAIL;

	for (size_t i = 0; i < r->nfiles; i++) {
		struct out_pending	*pf = r->files[i];

		r->files[i] = NULL;	/* the batch's, whatever happens */
		TRY(out_batch_add_pending(batch, pf, cause));
	}
	rc = 0;
out:
	return rc;
}

/* What the signing threads need besides the unit. */
struct signing {
	int		 makekey;
	const char	*outdir;
};

/*
 * Write one of the unit's files ahead, unnamed until the group's batch
 * places it (after the commit); force, as the batch replaces files.
 */
static int
write_ahead(struct unit_run *r, const char *outdir, const char *ext,
    const void *data, size_t len, int secret, char **cause)
{
	char	*path;
	int	 rc;

	xasprintf(&path, "%s/%s.%s", outdir, r->u->name, ext);
	rc = out_prepare(path, data, len, secret, 1, &r->files[r->nfiles],
	    cause);
	if (rc == 0)
		r->nfiles++;
	free(path);
	return rc;
}

/*
 * The CPU-bound part of a unit, run by the signing threads: its key (when
 * deploy makes keys), the certificate built, signed and judged by the
 * policy, and the PEM of its files. It touches nothing shared but
 * read-only state: ca is the thread's own copy with its own issuer
 * certificate object; the CA key is shared the way GnuTLS shares a
 * server's key between sessions on many threads.
 */
static void
sign_unit(struct unit_run *r, struct ca *ca, const void *arg)
{
	const struct signing	*sg = arg;
	char			*cause = NULL, *msg;
	int			 rc = ERR_FAIL;

	if (sg->makekey) {
		TRY(keys_generate(&r->req->key, &r->key, &cause));
		TRY(keys_pubkey(r->key, &r->pub, &cause));
	}
	if ((rc = leaf_sign(ca, r->profile, r->req, r->pub, &r->crt,
	    &r->findings, &cause)) == ERR_POLICY) {
		free(cause);
		cause = NULL;
		/* a finding quotes its values itself: not escaped twice */
		xasprintf(&msg, "refused: %s: %s",
		    r->findings.v[r->findings.n - 1].rule,
		    r->findings.v[r->findings.n - 1].msg);
		rc = err_message(&cause, ERR_POLICY, msg);
		free(msg);
		goto out;
	}
	TRY(rc);
	if (r->key != NULL) {
		TRY(keys_export_pem(r->key, &r->key_pem, &cause));
		TRY(write_ahead(r, sg->outdir, "key", r->key_pem.data,
		    r->key_pem.size, 1, &cause));
		keys_datum_wipe(&r->key_pem);
	}
	TRY(x509_export(r->crt, 1, &r->crt_pem, &cause));
	TRY(write_ahead(r, sg->outdir, "crt", r->crt_pem.data,
	    r->crt_pem.size, 0, &cause));
	TRY(leaf_chain_pem(ca, r->crt, &r->chain, &cause));
	TRY(write_ahead(r, sg->outdir, "chain.pem", r->chain,
	    strlen(r->chain), 0, &cause));
	rc = 0;
out:
	r->rc = rc;
	r->cause = cause;
}

/*
 * The worker threads: each takes the next unit until none is left and
 * runs the job on it with its own copy of the ca.
 */
typedef void	(*unit_job)(struct unit_run *, struct ca *, const void *);

struct pool {
	struct unit_run	**v;
	size_t		  n;
	size_t		  next;
	pthread_mutex_t	  lock;
	unit_job	  job;
	const void	 *arg;
};

struct worker {
	struct pool	*pool;
	struct ca	 ca;	/* a copy with the thread's own issuer object */
};

static void *
work(void *arg)
{
	struct worker	*me = arg;
	struct pool	*p = me->pool;
	size_t		 i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		p->job(p->v[i], &me->ca, p->arg);
	}
	return NULL;
}

/* A pool at work: started by pool_start, finished by pool_wait. */
struct pool_run {
	struct pool	 p;
	struct worker	 me[DEPLOY_THREADS + 1];
	pthread_t	 t[DEPLOY_THREADS + 1];
	size_t		 first, nt;
};

/*
 * Start job on the n units on one thread per CPU (at most DEPLOY_THREADS),
 * each with its own copy of the issuer certificate, made here: GnuTLS
 * objects are not shared between threads. The calling thread is free
 * until pool_wait, where it takes what is left; with helps it calls that
 * at once, so one thread fewer is started. With a CA key in a PKCS#11
 * token, or a single unit, no thread is started and pool_wait does
 * everything on the calling thread.
 */
static void
pool_start(struct pool_run *pr, struct ca *ca, struct unit_run **v, size_t n,
    unit_job job, const void *arg, int helps)
{
	long		 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		 want;
	char		*cause = NULL;

	memset(pr, 0, sizeof *pr);
	pr->p.v = v;
	pr->p.n = n;
	pr->p.job = job;
	pr->p.arg = arg;
	pthread_mutex_init(&pr->p.lock, NULL);
	want = cpus > 1 ? (size_t)cpus : 1;
	if (want > DEPLOY_THREADS)
		want = DEPLOY_THREADS;
	if (keys_x509(ca->key) == NULL || n < 2)
		want = 1;
	/* slot 0 is the calling thread's, with the ca as it is */
	pr->me[0].pool = &pr->p;
	pr->me[0].ca = *ca;
	pr->first = want > 1 && !helps ? 1 : 2;
	for (pr->nt = pr->first; pr->nt <= want; pr->nt++) {
		struct worker	*w = &pr->me[pr->nt];

		w->pool = &pr->p;
		w->ca = *ca;
		w->ca.store = NULL;
		if (x509_dup(ca->crt, &w->ca.crt, &cause) != 0)
			break;
		if (pthread_create(&pr->t[pr->nt], NULL, work, w) != 0) {
			gnutls_x509_crt_deinit(w->ca.crt);
			break;
		}
	}
	free(cause);	/* fewer threads, not a failure */
}

/* Wait for the pool's units, the calling thread taking what is left. */
static void
pool_wait(struct pool_run *pr)
{
	work(&pr->me[0]);
	for (size_t i = pr->first; i < pr->nt; i++) {
		pthread_join(pr->t[i], NULL);
		gnutls_x509_crt_deinit(pr->me[i].ca.crt);
	}
	pthread_mutex_destroy(&pr->p.lock);
}

/*
 * A refused unit's cause is its last finding: the others go before it,
 * one line each, for the report to print each as the server's.
 */
static void
with_findings(const struct unit_run *r, char **cause)
{
	char	*all = xstrdup(""), *tmp;

	for (size_t i = 0; i + 1 < r->findings.n; i++) {
		xasprintf(&tmp, "%srefused: %s: %s\n", all,
		    r->findings.v[i].rule, r->findings.v[i].msg);
		free(all);
		all = tmp;
	}
	xasprintf(&tmp, "%s%s", all, *cause != NULL ? *cause : "refused");
	free(all);
	free(*cause);
	*cause = tmp;
}

/* Every finding of a refused unit in one line, as its audit row keeps it. */
static char *
all_findings(const struct unit_run *r)
{
	char	*all = xstrdup("refused: "), *tmp;

	for (size_t i = 0; i < r->findings.n; i++) {
		xasprintf(&tmp, "%s%s%s: %s", all, i > 0 ? "; " : "",
		    r->findings.v[i].rule, r->findings.v[i].msg);
		free(all);
		all = tmp;
	}
	return all;
}

/*
 * After signing: record the unit (joining the group's transaction) and
 * stage its files in the group's batch. A failure leaves nothing of the
 * unit in either.
 */
static enum outcome
finish_unit(const struct command *cmd, struct ca *ca, struct unit_run *r,
    struct out_batch *batch, char **serial, char **cause)
{
	size_t	 mark = out_batch_size(batch);
	char	*audited;
	int	 rc = r->rc;

	if (rc != 0) {
		*cause = r->cause;
		r->cause = NULL;
		goto out;
	}
	TRY(stage(r, batch, cause));
	/* the compromised keys were read once, at the start */
	TRY(leaf_record(ca, r->req, r->crt, r->old, cmd->name, 0, &r->serial,
	    cause));
	*serial = r->serial;
	r->serial = NULL;
	rc = 0;
out:
	if (rc != 0) {
		out_batch_drop(batch, mark);
		audited = r->rc == ERR_POLICY && r->findings.n > 1 ?
		    all_findings(r) : NULL;
		cmd_audit_for(cmd, ca->store, NULL, r->u->role, r->u->name,
		    rc, audited != NULL ? audited : *cause);
		free(audited);
		if (r->rc == ERR_POLICY)
			with_findings(r, cause);
	}
	return rc == 0 ? ISSUED : FAILED;
}

/* What prepare_unit needs besides the unit. */
struct preparing {
	const char	*csrdir;
	const char	*outdir;
	int		 reissue;
	int		 renew_set;	/* --renew-days given */
	unsigned	 renew_days;
	struct signing	 sg;
	/* with csrdir: the keys never certified again, sorted */
	struct strv	 compromised;
};

/*
 * Does DIR/NAME.chain.pem still hold crt and the CA's chain, as it was
 * written? 0 if so, else -1 with r->why (a server installed from DIR takes
 * its chain from there).
 */
static int
chain_kept(struct unit_run *r, struct ca *ca, const char *outdir,
    gnutls_x509_crt_t crt)
{
	unsigned char	*data = NULL;
	size_t		 len;
	char		*path, *want = NULL, *cause = NULL;
	int		 rc = -1;

	xasprintf(&path, "%s/%s.chain.pem", outdir, r->u->name);
	if (access(path, F_OK) != 0)
		xasprintf(&r->why, "%s.chain.pem is gone", r->u->name);
	else if (leaf_chain_pem(ca, crt, &want, &cause) != 0 ||
	    out_read_file(path, CHAIN_MAX, &data, &len, &cause) != 0)
		r->why = cause;
	else if (len != strlen(want) || memcmp(data, want, len) != 0)
		xasprintf(&r->why, "%s.chain.pem holds another chain",
		    r->u->name);
	else
		rc = 0;
	free(data);
	free(want);
	free(path);
	return rc;
}

/* The first of have in neither a nor b (b may be NULL), else NULL. */
static const char *
url_extra(const struct strv *have, const struct strv *a, const struct strv *b)
{
	for (size_t i = 0; i < have->n; i++)
		if (!strv_has(a, have->v[i]) && (b == NULL ||
		    !strv_has(b, have->v[i])))
			return have->v[i];
	return NULL;
}

/*
 * A URL the certificate carries that the CA's configuration and the role
 * no longer name, or a delta CRL URL the CA added, as r->why (policy_check
 * finds the CRL distribution points and AIA URLs missing, not those left
 * over): a server whose CA moved its CRL or certificate is issued again,
 * as the manual says, rather than pointing peers at the old place.
 */
static int
urls_moved(struct unit_run *r, const struct conf *conf, gnutls_x509_crt_t crt)
{
	struct strv	 cdp = { NULL, 0 }, delta = { NULL, 0 };
	struct strv	 want = { NULL, 0 }, issuers = { NULL, 0 };
	struct strv	 ocsp = { NULL, 0 };
	const char	*u, *what = NULL, *tail = " is no longer the CA's";
	char		*esc;

	x509_cdp_list(crt, &cdp);
	policy_delta_urls(crt, &delta);
	x509_aia_list(crt, &issuers, &ocsp);
	for (size_t i = 0; i < conf->delta_cdp.n; i++)
		if (strncasecmp(conf->delta_cdp.v[i], "http://", 7) == 0)
			strv_add(&want, conf->delta_cdp.v[i]);
	if ((u = url_extra(&cdp, &conf->cdp, &r->req->cdp)) != NULL) {
		what = "cdp: CRL distribution point ";
		tail = " is no longer the CA's or the role's";
	} else if ((u = url_extra(&delta, &conf->delta_cdp, NULL)) != NULL)
		what = "cdp: delta CRL ";
	else if ((u = url_extra(&want, &delta, NULL)) != NULL) {
		what = "cdp: the CA's delta CRL ";
		tail = " is missing";
	} else if ((u = url_extra(&issuers, &conf->ca_issuers, NULL)) != NULL)
		what = "aia: caIssuers ";
	else if ((u = url_extra(&ocsp, &conf->ocsp, NULL)) != NULL)
		what = "aia: OCSP ";
	if (what != NULL) {
		esc = err_escape(u);
		xasprintf(&r->why, "%s%s%s", what, esc, tail);
		free(esc);
	}
	strv_free(&cdp);
	strv_free(&delta);
	strv_free(&want);
	strv_free(&issuers);
	strv_free(&ocsp);
	return what != NULL ? -1 : 0;
}

/*
 * Is crt, found as the unit's NAME.crt, this server's certificate: does it
 * name the unit's subject CN (as its CN or a dNSName)? A file copied from
 * another server's must not be reported as the one replaced, nor revoked
 * as superseded on that word.
 */
static int
own_cert(const struct unit_run *r, gnutls_x509_crt_t crt)
{
	struct strv	 dns = { NULL, 0 }, ip = { NULL, 0 };
	const char	*want = dn_get(&r->req->subject, dn_oid("CN"));
	char		*cn = NULL, *cause = NULL;
	int		 own = 1;

	if (want != NULL && x509_names(crt, &cn, &dns, &ip, &cause) == 0)
		own = (cn != NULL && strcasecmp(cn, want) == 0) ||
		    strv_has_icase(&dns, want) || strv_has(&ip, want);
	free(cn);
	free(cause);
	strv_free(&dns);
	strv_free(&ip);
	return own;
}

/*
 * Does DIR/NAME.crt still fit the unit: not due for renewal (expiring
 * within --renew-days, else DEPLOY_RENEW_DAYS or a third of its lifetime),
 * for the server's key (its CSR's with --csr-dir, else the one in
 * DIR/NAME.key), and meeting, with no finding, the rules sign would apply
 * to it today: the role's current profile and the unit's variables (names,
 * EKU, keyUsage, key, lifetime, the profile's CDP), the CA's CDP and AIA,
 * its key and the policy's limits. Then its serial goes to r->held and the
 * calling thread looks whether it is recorded (unit_recorded); anything
 * else (a new key, a changed profile or CA; --reissue) is issued again,
 * and r->old and r->why say which certificate it replaces and why. No
 * file at all is a server's first issue; a NAME.chain.pem that is gone or
 * holds another chain is issued again too. A NAME.key that is there but
 * cannot be used (readable by others, unreadable, not a key) fails the
 * unit (r->rc) rather than being replaced unasked, unless --reissue. Run
 * by the workers.
 */
static void
unit_fits(struct unit_run *r, struct ca *ca, const struct preparing *pp)
{
	gnutls_x509_crt_t	*certs = NULL;
	struct findings		 f = { NULL, 0 };
	struct policy_ctx	 ctx = { 0 };
	struct key		*key = NULL;
	size_t			 n = 0;
	char			*path = NULL, *keyfile = NULL, *cause = NULL;
	char			 date[32];
	time_t			 nb, na, window;
	int			 match = 0;

	/*
	 * A key file that cannot be used fails the unit whatever becomes of
	 * the certificate: issuing again would replace it unasked.
	 */
	if (r->pub == NULL && !pp->reissue) {
		xasprintf(&keyfile, "%s/%s.key", pp->outdir, r->u->name);
		if (access(keyfile, F_OK) == 0 &&
		    (r->rc = keys_load(keyfile, 1, &key, &cause)) != 0) {
			r->cause = cause;
			cause = NULL;
			goto out;
		}
	}
	path = crt_path(pp->outdir, r->u);
	if (x509_load_cert_file(path, &certs, &n, &cause) != 0) {
		if (access(path, F_OK) == 0)
			r->why = cause;	/* else a first issue */
		else
			free(cause);
		cause = NULL;
		goto out;
	}
	if (x509_serial_hex(certs[0], &r->old, &cause) != 0) {
		r->why = cause;
		cause = NULL;
		goto out;
	}
	if (!own_cert(r, certs[0])) {
		xasprintf(&r->why, "%s.crt held %s, a certificate for other "
		    "names", r->u->name, r->old);
		free(r->old);
		r->old = NULL;
		goto out;
	}
	if (pp->reissue) {
		r->why = xstrdup("--reissue");
		goto out;
	}
	ctx.now = time(NULL);
	x509_validity(certs[0], &nb, &na);
	window = pp->renew_set ? (time_t)pp->renew_days * DAY :
	    (na - nb) / 3 < DEPLOY_RENEW_DAYS * DAY ? (na - nb) / 3 :
	    DEPLOY_RENEW_DAYS * DAY;
	if (nb == (time_t)-1 || na == (time_t)-1) {
		r->why = xstrdup("its validity cannot be read");
		goto out;
	}
	if (na - ctx.now <= window) {
		utc_text(date, sizeof date, UTC_DAY, na);
		xasprintf(&r->why, "%s %s", na < ctx.now ? "expired" :
		    "due for renewal, expires", date);
		goto out;
	}
	if (r->pub != NULL) {
		if (x509_matches_pubkey(certs[0], r->pub, &match, &cause) != 0)
			goto out;
	} else {
		if (key == NULL) {
			xasprintf(&r->why, "%s.key is gone", r->u->name);
			goto out;
		}
		if (x509_matches_key(certs[0], key, &match, &cause) != 0)
			goto out;
	}
	if (!match) {
		if (r->pub != NULL)
			r->why = xstrdup("the CSR is for another key");
		else
			xasprintf(&r->why, "%s.key holds another key",
			    r->u->name);
		goto out;
	}
	if (chain_kept(r, ca, pp->outdir, certs[0]) != 0)
		goto out;
	ctx.conf = ca->conf;
	ctx.issuer = ca->crt;
	ctx.own = ca->own;
	ctx.chain = ca->chain;
	ctx.chain_spki = ca->chain_spki;
	ctx.nchain = ca->nchain;
	ctx.profile = r->profile;
	ctx.request = r->req;
	if (policy_check(certs[0], &ctx, &f, &cause) != 0)
		goto out;
	if (f.n > 0) {
		xasprintf(&r->why, "%s: %s", f.v[0].rule, f.v[0].msg);
		goto out;
	}
	if (urls_moved(r, ca->conf, certs[0]) != 0)
		goto out;
	r->held = r->old;
	r->old = NULL;
out:
	if (r->why == NULL && cause != NULL) {
		r->why = cause;
		cause = NULL;
	}
	findings_free(&f);
	keys_free(key);
	free(keyfile);
	free(cause);
	x509_free_certs(certs, n);
	free(path);
}

/* The comma-separated names of text, each once, into sv. */
static void
names_of(const char *text, struct strv *sv)
{
	for (const char *s = text; *s != '\0'; ) {
		size_t	 len = strcspn(s, ",");

		if (len > 0) {
			char	*name = xstrndup(s, len);

			if (strv_has_icase(sv, name))
				free(name);
			else
				strv_add_take(sv, name);
		}
		s += len + (s[len] == ',');
	}
}

/*
 * Do two lists of names ("DNS:a,IP:b") hold the same names, in whatever
 * order? A list variable's values given in another order change nothing
 * a certificate says.
 */
static int
same_names(const char *a, const char *b)
{
	struct strv	 x = { NULL, 0 }, y = { NULL, 0 };
	int		 same;

	names_of(a, &x);
	names_of(b, &y);
	same = x.n == y.n;
	for (size_t i = 0; same && i < x.n; i++)
		same = strv_has_icase(&y, x.v[i]);
	strv_free(&x);
	strv_free(&y);
	return same;
}

/*
 * Is the certificate unit_fits found (unexpired, as it checked) recorded
 * as issued for this role with these names, and not revoked? Then the
 * unit is kept, with that serial in *serial; else r->old and r->why say
 * what is replaced, and why.
 */
static int
unit_recorded(struct ca *ca, struct unit_run *r, const char *sans,
    char **serial)
{
	struct store_cert	*sc = NULL;
	char			*cause = NULL;
	int			 yes = 0;

	if (store_get(ca->store, r->held, &sc, &cause) != 0) {
		r->why = cause;
		cause = NULL;
	} else if (sc == NULL)
		r->why = xstrdup("not in the CA's database");
	else if (sc->status != STORE_VALID)
		r->why = xstrdup("revoked");
	else if (strcmp(sc->profile, r->u->role) != 0)
		xasprintf(&r->why, "recorded for role %s", sc->profile);
	else if (!same_names(sc->sans, sans))
		r->why = xstrdup("recorded with other names");
	else {
		*serial = r->held;
		r->held = NULL;
		yes = 1;
	}
	if (!yes) {
		r->old = r->held;
		r->held = NULL;
	}
	free(cause);
	store_cert_free(sc);
	return yes;
}

/* A progress bar on a terminal, nothing otherwise. */
static void
progress(size_t done, size_t total, const char *name)
{
	int	 width = 30, filled;

	if (!isatty(STDERR_FILENO))
		return;
	filled = total > 0 ? (int)(done * (size_t)width / total) : width;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu %-24.24s", filled,
	    "##############################", width - filled, "", done, total,
	    name);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

/*
 * After the group's commit: a unit issued in a group whose commit failed
 * was not recorded; one whose files could not be placed is recorded
 * without files, which the audit log and the message say.
 */
static void
group_failed(const struct command *cmd, struct ca *ca,
    const struct deployment *d, struct unit_result *res, size_t from,
    size_t to, int recorded, const char *why)
{
	for (size_t i = from; i < to; i++) {
		struct unit_result *r = &res[i - from];

		if (r->o != ISSUED)
			continue;
		r->o = FAILED;
		free(r->cause);
		if (recorded) {
			xasprintf(&r->cause, "certificate %s is recorded but "
			    "its files could not be written (revoke it): %s",
			    r->serial, why);
			cmd_audit_for(cmd, ca->store, r->serial, d->v[i].role,
			    d->v[i].name, ERR_FAIL, r->cause);
		} else
			xasprintf(&r->cause, "not recorded: %s", why);
		free(r->serial);
		r->serial = NULL;
	}
}

/*
 * One group of units, [from, to), issued in one transaction. Its units
 * are prepared on the workers (CSR read and checked, and, where the
 * server has no certificate file yet, signed) while the calling thread
 * records and commits the group before it: the commits wait for the
 * disk, the workers for the CPUs.
 */
struct group {
	size_t			 from, to;
	struct unit_run		 runs[DEPLOY_GROUP];
	struct unit_run		*bind[DEPLOY_GROUP];
	struct unit_run		*todo[DEPLOY_GROUP];
	struct unit_run		*again[DEPLOY_GROUP];
	size_t			 nbind, ntodo, nagain;
	struct unit_result	 res[DEPLOY_GROUP];
	struct out_batch	*batch;
	int			 open;	/* its transaction is open */
	struct pool_run		 preparing;
};

/*
 * A unit's request bound, then, unless its certificate file still fits it
 * (the calling thread then looks whether that one is recorded) or its key
 * file cannot be used, signed. Run by the workers.
 */
static void
prepare_unit(struct unit_run *r, struct ca *ca, const void *arg)
{
	const struct preparing	*pp = arg;

	bind_request(r, ca, pp->csrdir);
	if (r->rc == 0 && r->pub != NULL)
		r->rc = leaf_key_listed(&pp->compromised, r->pub, &r->cause);
	if (r->rc == 0)
		unit_fits(r, ca, pp);	/* sets r->held, or r->rc */
	if (r->rc != 0 || r->held != NULL)
		return;
	sign_unit(r, ca, &pp->sg);
	r->signed_ahead = 1;
}

/* Each unit bound to its profile (on this thread), prepared on the workers. */
static void
group_start(struct group *g, struct ca *ca, const char *dir,
    const struct deployment *d, const struct preparing *pp,
    struct profiles *cache)
{
	for (size_t i = g->from; i < g->to; i++) {
		struct unit_run		*r = &g->runs[i - g->from];

		r->u = &d->v[i];
		if ((r->rc = profile_cached(cache, ca, dir, r->u->role,
		    &r->profile, &r->cause)) == 0)
			g->bind[g->nbind++] = r;
	}
	pool_start(&g->preparing, ca, g->bind, g->nbind, prepare_unit, pp, 0);
}

/*
 * Once the group's units are prepared (this thread helping): in a
 * transaction, a unit whose file fits and is recorded is kept, one whose
 * fitting file is not recorded signed now, on every CPU, before the next
 * group starts. The transaction stays open for group_record and
 * group_commit.
 */
static void
group_check(const struct command *cmd, struct ca *ca,
    const struct deployment *d, const struct preparing *pp, struct group *g)
{
	char			*cause = NULL, *sans;
	struct pool_run		 signing;

	pool_wait(&g->preparing);
	g->batch = out_batch_new(1);
	if (store_begin(ca->store, &cause) != 0) {
		for (size_t i = g->from; i < g->to; i++) {
			g->res[i - g->from].o = FAILED;
			g->res[i - g->from].cause = xstrdup(cause);
		}
		goto out;
	}
	g->open = 1;
	for (size_t i = g->from; i < g->to; i++) {
		struct unit_run		*r = &g->runs[i - g->from];
		struct unit_result	*o = &g->res[i - g->from];

		progress(i, d->n, d->v[i].name);
		if (r->signed_ahead) {
			g->todo[g->ntodo++] = r;
			continue;
		}
		if (r->rc != 0) {
			o->o = FAILED;
			o->cause = r->cause;
			r->cause = NULL;
			cmd_audit_for(cmd, ca->store, NULL, r->u->role,
			    r->u->name, r->rc, o->cause);
			continue;
		}
		sans = leaf_sans_text(r->req);
		if (unit_recorded(ca, r, sans, &o->serial))
			o->o = KEPT;
		else {
			g->todo[g->ntodo++] = r;
			g->again[g->nagain++] = r;
		}
		free(sans);
	}
	if (g->nagain > 0) {
		pool_start(&signing, ca, g->again, g->nagain, sign_unit,
		    &pp->sg, 1);
		pool_wait(&signing);
	}
out:
	free(cause);
}

/* The signed units recorded and their files staged, in order. */
static void
group_record(const struct command *cmd, struct ca *ca,
    const struct deployment *d, struct group *g)
{
	for (size_t k = 0; g->open && k < g->ntodo; k++) {
		struct unit_run		*r = g->todo[k];
		size_t			 i = (size_t)(r - g->runs);
		struct unit_result	*o = &g->res[i];

		progress(g->from + i, d->n, r->u->name);
		o->o = finish_unit(cmd, ca, r, g->batch, &o->serial, &o->cause);
		if (o->o == ISSUED) {
			o->old = r->old;
			o->why = r->why;
			r->old = r->why = NULL;
		}
	}
}

/*
 * The group's transaction committed, then its files placed (their data
 * synced meanwhile); what failed is in its results.
 */
static void
group_commit(const struct command *cmd, struct ca *ca,
    const struct deployment *d, struct group *g)
{
	char	*cause = NULL;

	if (g->open) {
		/*
		 * the files' data synced on a thread while the record commits
		 */
		out_batch_sync_begin(g->batch);
		if (store_commit(ca->store, &cause) != 0)
			group_failed(cmd, ca, d, g->res, g->from, g->to, 0,
			    cause);
		else if (out_batch_commit(g->batch, &cause) != 0)
			group_failed(cmd, ca, d, g->res, g->from, g->to, 1,
			    cause);
	}
	free(cause);
}

/* "roleca: deploy: NAME (FILE:LINE): " before each line of cause. */
static void
report_cause(const struct deploy_unit *u, const char *path, const char *cause)
{
	const char	*p = cause != NULL ? cause : "failed", *nl;
	char		*line, *msg;

	do {
		nl = strchr(p, '\n');
		line = nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		msg = err_escape(line);
		fprintf(stderr, "roleca: deploy: %s (%s:%d): %s\n", u->name,
		    path, u->line, msg);
		free(msg);
		free(line);
		p = nl + 1;
	} while (nl != NULL);
}

/*
 * With --csr-dir a server's key is its own, never in DIR: a NAME.key left
 * there by an earlier run without it is not the key of NAME.crt, and would
 * be installed with it. Said, not removed: it is a private key.
 */
static void
stale_key(const struct preparing *pp, const struct deploy_unit *u)
{
	gnutls_x509_crt_t	*certs = NULL;
	struct key		*key = NULL;
	size_t			 n = 0;
	char			*keyfile, *crt = crt_path(pp->outdir, u);
	char			*cause = NULL;
	int			 match = 0;

	xasprintf(&keyfile, "%s/%s.key", pp->outdir, u->name);
	if (access(keyfile, F_OK) == 0 &&
	    x509_load_cert_file(crt, &certs, &n, &cause) == 0 &&
	    (keys_load(keyfile, 0, &key, &cause) != 0 ||
	    x509_matches_key(certs[0], key, &match, &cause) != 0 || !match))
		fprintf(stderr, "roleca: deploy: warning: %s: %s is not the "
		    "key of %s, which certifies the CSR's: remove it\n",
		    u->name, keyfile, crt);
	free(cause);
	keys_free(key);
	x509_free_certs(certs, n);
	free(keyfile);
	free(crt);
}

/* The group's lines on stdout, its failures on stderr; counted. */
static void
group_report(const struct deployment *d, const struct preparing *pp,
    struct group *g, size_t count[3])
{
	static const char *const words[] = { "kept", "issued", "FAILED" };
	char			*asked;

	for (size_t i = g->from; i < g->to; i++) {
		const struct deploy_unit *u = &d->v[i];
		struct unit_result	 *r = &g->res[i - g->from];

		count[r->o]++;
		if (r->o != FAILED && pp->csrdir != NULL)
			stale_key(pp, u);
		if (r->o == FAILED) {
			if (isatty(STDERR_FILENO))
				fputc('\n', stderr);
			report_cause(u, d->path, r->cause);
		}
		printf("%-24s %-18s %-6s %s", u->name, u->role, words[r->o],
		    r->serial != NULL ? r->serial : "-");
		if (r->o == ISSUED && r->old != NULL)
			printf("  (replaces %s: %s)", r->old, r->why != NULL ?
			    r->why : "it no longer fits");
		else if (r->o == ISSUED && r->why != NULL)
			printf("  (%s)", r->why);
		putchar('\n');
		/* as sign says them: a server's CSR chose these */
		if (r->o == ISSUED && g->runs[i - g->from].req != NULL &&
		    (asked = leaf_asked_text(g->runs[i - g->from].req)) !=
		    NULL) {
			fprintf(stderr, "roleca: deploy: %s: names taken from "
			    "the CSR: %s\n", u->name, asked);
			free(asked);
		}
	}
}

static void
group_free(struct group *g)
{
	if (g == NULL)
		return;
	for (size_t i = g->from; i < g->to; i++) {
		unit_free(&g->runs[i - g->from]);
		free(g->res[i - g->from].serial);
		free(g->res[i - g->from].cause);
		free(g->res[i - g->from].old);
		free(g->res[i - g->from].why);
	}
	out_batch_free(g->batch);
	free(g);
}

/*
 * Each unit's files wait as open unnamed temporaries until its group
 * commits, and two groups are in flight (one recorded, the next
 * prepared): 3 descriptors a unit, twice over, and room for the rest.
 * The soft limit is raised to the hard one; groups are made no larger
 * than what remains allows, so a low limit costs speed, never files.
 */
static size_t	 group_max = DEPLOY_GROUP;

/*
 * Make the descriptor table hold n descriptors now, while this is the only
 * thread. The kernel grows it by doubling, and once threads share it each
 * growth waits for an RCU grace period, during which every thread that
 * opens a file waits too: with groups of 128 in flight, that was several
 * milliseconds of every signing thread's time, several times a run. The
 * table never shrinks; on failure it grows as before.
 */
static void
fd_table_grow(size_t n)
{
	int	 fd;

	if (n < 2 || n > INT_MAX)
		return;
	fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, (int)n - 1);
	if (fd != -1)
		(void)close(fd);
}

static void
group_max_init(void)
{
	struct rlimit	 rl;
	rlim_t		 fds;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : rl.rlim_cur;
	group_max = fds > 64 + 6 ? (size_t)((fds - 64) / 6) : 1;
	if (group_max > DEPLOY_GROUP)
		group_max = DEPLOY_GROUP;
	fd_table_grow(64 + 6 * group_max);
}

static struct group *
group_new(size_t from, size_t n)
{
	struct group	*g = xcalloc(1, sizeof *g);
	size_t		 left = n - from, size = (left + 1) / 2;

	if (size > group_max)
		size = group_max;
	if (size < DEPLOY_GROUP_MIN)
		size = DEPLOY_GROUP_MIN < group_max ? DEPLOY_GROUP_MIN :
		    group_max;
	/* no group after it smaller than the least, where one fits */
	if (left - (size < left ? size : left) < DEPLOY_GROUP_MIN)
		size = left < group_max ? left : group_max;
	g->from = from;
	g->to = left > size ? from + size : n;
	return g;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca		*ca = NULL;
	struct deployment	*d = NULL;
	struct profiles		 cache = { 0 };
	struct group		*g = NULL, *next = NULL;
	struct preparing	 pp = { 0 };
	const char		*outdir = args_get(a, OPT_OUT);
	const char		*csrdir = args_get(a, OPT_CSR_DIR);
	char			*cause = NULL;
	struct stat		 st;
	size_t			 count[3] = { 0, 0, 0 };
	int			 rc = ERR_FAIL, made = 0, lockfd = -1, ran = 0;

	if (outdir == NULL)
		return cmd_usage_error(cmd, "--out DIR is required");
	if (*outdir == '\0')
		return cmd_usage_error(cmd, "--out: empty path");
	pp.csrdir = csrdir;
	pp.outdir = outdir;
	pp.reissue = args_has(a, OPT_REISSUE);
	if ((pp.renew_set = args_days(a, OPT_RENEW_DAYS, 3650,
	    &pp.renew_days)) < 0)
		return cmd_usage_error(cmd, "--renew-days takes 0 to 3650");
	pp.sg.makekey = csrdir == NULL;
	pp.sg.outdir = outdir;
	TRY(deploy_load(a->pos[0], &d, &cause));
	/* before the CA's key is asked for: no passphrase for a typo */
	if ((rc = ca_refuse_output(outdir, 1, &cause)) != 0) {
		err_prefix(&cause, "--out ");
		goto out;
	}
	/* one mistyped --csr-dir is one error, not one per server */
	if (csrdir != NULL && stat(csrdir, &st) != 0) {
		rc = err_set(&cause, "--csr-dir %s: %s", csrdir,
		    strerror(errno));
		goto out;
	}
	if (csrdir != NULL && !S_ISDIR(st.st_mode)) {
		rc = err_set(&cause, "--csr-dir %s: not a directory", csrdir);
		goto out;
	}
	if (csrdir != NULL && access(csrdir, R_OK | X_OK) != 0) {
		rc = err_set(&cause, "--csr-dir %s: cannot read: %s", csrdir,
		    strerror(errno));
		goto out;
	}
	TRY(ca_open(dir, CA_WANT_ALL, &ca, &cause));
	TRY(ca_chain_whole(ca, &cause));
	TRY(units_check(d, ca, dir, csrdir != NULL, &cache, &cause));
	made = access(outdir, F_OK) != 0;
	TRY(out_mkdir(outdir, 0700, &cause));
	/*
	 * Two deploys into one directory would each find a server new and
	 * place its files over the other's: one at a time
	 */
	if ((rc = out_lock_dir(outdir, &lockfd, &cause)) == 1) {
		rc = err_set(&cause, "--out %s: another roleca deploy is "
		    "writing there: run again when it is done", outdir);
		goto out;
	}
	TRY(rc);
	/* what a killed deploy left half-placed there goes */
	out_sweep_temps(outdir);
	/*
	 * before the workers copy the ca: the chain every NAME.chain.pem ends
	 * with
	 */
	TRY(leaf_chain_prepare(ca, &cause));
	group_max_init();
	if (csrdir != NULL)
		TRY(leaf_compromised_load(ca, &pp.compromised, &cause));
	/* from here every server's outcome is logged as its own */
	ran = 1;
	g = group_new(0, d->n);
	group_start(g, ca, dir, d, &pp, &cache);
	while (g != NULL) {
		group_check(cmd, ca, d, &pp, g);
		/*
		 * the next group prepared while this one is recorded and
		 * commits
		 */
		if (g->to < d->n) {
			next = group_new(g->to, d->n);
			group_start(next, ca, dir, d, &pp, &cache);
		}
		group_record(cmd, ca, d, g);
		group_commit(cmd, ca, d, g);
		group_report(d, &pp, g, count);
		group_free(g);
		g = next;
		next = NULL;
	}
	progress(d->n, d->n, "");
	/* with a failure, the summary is the failure's one line */
	rc = count[FAILED] == 0 ? 0 : ERR_FAIL;
	xasprintf(&cause, "%zu issued, %zu kept, %zu failed", count[ISSUED],
	    count[KEPT], count[FAILED]);
	if (rc == 0) {
		fprintf(stderr, "roleca: deploy: %s\n", cause);
		free(cause);
		cause = NULL;
	}
out:
	if (ca != NULL && rc != 0 && !ran)
		cmd_audit(cmd, ca->store, NULL, NULL, rc, cause);
	/*
	 * a directory made for servers that all failed goes again, unless
	 * another deploy holds it (it may have made it first)
	 */
	if (made && lockfd >= 0 && count[ISSUED] == 0 && count[KEPT] == 0)
		(void)rmdir(outdir);
	if (lockfd >= 0)
		close(lockfd);
	profiles_free(&cache);
	strv_free(&pp.compromised);
	deploy_free(d);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_deploy = {
	"deploy",
	"FILE.cfg --out DIR [--csr-dir DIR] [--reissue] [--renew-days N]",
	"Issue (or sign) certificates for every server in a deployment file; "
	"servers whose certificate still fits (names, key, role, CA) are kept.",
	"  FILE.cfg       the deployment: servers = ( { name; role; [shared;]\n"
	"                 set = { variable = value; ... }; }, ... ) where\n"
	"                 servers with the same shared name (an Edge pool)\n"
	"                 share one certificate; see examples/deployment.cfg\n"
	"  --out DIR      write NAME.key (0600), NAME.crt, NAME.chain.pem\n"
	"  --csr-dir DIR  sign DIR/NAME.csr (or NAME.req) instead of making keys\n"
	"  --reissue      issue again even where a valid certificate exists,\n"
	"                 replacing the files\n"
	"  --renew-days N issue again a certificate that expires within N days\n"
	"                 (0 to 3650; default: 30, or a third of its lifetime\n"
	"                 if shorter)\n"
	"Prints one line per server or group: name, role, issued|kept|FAILED,\n"
	"serial, and for a server issued again \"(replaces SERIAL: why)\".\n"
	"A progress bar goes to a terminal.\n",
	options,
	1,
	1,
	run
};
