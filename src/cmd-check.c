/*
 * check: judge a certificate roleca did not necessarily make, with the
 * same rules that refuse a certificate before issuance: from a file, or as
 * a live TLS server presents it. The CA in DIR is the issuer (permitted
 * domains, CDP URLs, chain) when the certificate names it; --chain or the
 * server's own chain supplies the issuer otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/x509.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "keys.h"
#include "live.h"
#include "out.h"
#include "policy.h"
#include "profile.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_PROFILE = 'p',
	OPT_SET = 's',
	OPT_CHAIN = 'c',
	OPT_CONNECT = 'C',
	OPT_SERVERNAME = 'n',
	OPT_CA = 'a',
	OPT_FETCH_CRL = 'F',
	OPT_CRL = 'r',
	OPT_JSON = 'j',
	OPT_WARN_DAYS = 'w'
};

static const struct option options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "set", required_argument, NULL, OPT_SET },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "connect", required_argument, NULL, OPT_CONNECT },
	{ "servername", required_argument, NULL, OPT_SERVERNAME },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "fetch-crl", no_argument, NULL, OPT_FETCH_CRL },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "warn-days", required_argument, NULL, OPT_WARN_DAYS },
	{ NULL, 0, NULL, 0 }
};

#define TIMEOUT_MS	10000
#define CRL_MAX		(256UL * 1024 * 1024)

struct check {
	const char		*source;	/* file name or host:port */
	/* the certificate, then its chain */
	gnutls_x509_crt_t	*certs;
	size_t			 ncerts;
	gnutls_x509_crt_t	*chain;		/* --chain */
	size_t			 nchain;
	gnutls_x509_crt_t	*cas;		/* --ca */
	size_t			 ncas;
	struct ca		*ca;
	struct profile		*profile;
	struct profile_values	 values;
	struct request		*req;
	struct findings		 findings;
	unsigned		 warn_days;
	int			 verified;	/* the chain verified to --ca */
	/* --crl names a delta CRL, or the certificate does: not read */
	int			 delta_unread;
};

/*
 * The issuer: the CA in DIR when the certificate names it as its issuer
 * (so a server's own chain cannot stand in for it: an impostor of the
 * same name fails the signature check), else from --chain or the rest of
 * CERT, else --ca.
 */
static gnutls_x509_crt_t
find_issuer(struct check *ck)
{
	gnutls_x509_crt_t	 leaf = ck->certs[0];

	if (ck->ca != NULL && x509_issuer_named(leaf, ck->ca->crt))
		return ck->ca->crt;
	for (size_t i = 0; i < ck->nchain; i++)
		if (x509_is_issuer(leaf, ck->chain[i]))
			return ck->chain[i];
	for (size_t i = 1; i < ck->ncerts; i++)
		if (x509_is_issuer(leaf, ck->certs[i]))
			return ck->certs[i];
	for (size_t i = 0; i < ck->ncas; i++)
		if (x509_is_issuer(leaf, ck->cas[i]))
			return ck->cas[i];
	return NULL;
}

/*
 * Certificates came with it (--chain, the rest of CERT, the server's
 * chain), none of them its issuer, and no --ca to say so: the chain a
 * peer needs is missing its first link, which is a finding in itself.
 */
static void
check_issuer_given(struct check *ck, int live)
{
	const char	*where;
	char		*dn;

	if (ck->ncas > 0 || (ck->nchain == 0 && ck->ncerts < 2))
		return;
	if (ck->nchain == 0)
		where = live ? "not in the server's chain" :
		    "not in the rest of the file";
	else if (ck->ncerts < 2)
		where = "not in --chain";
	else
		where = live ? "neither in --chain nor in the server's chain" :
		    "neither in --chain nor in the rest of the file";
	dn = x509_dn(ck->certs[0], 1);
	findings_add(&ck->findings, "chain", "its issuer '%s' is %s (the "
	    "issuer name and signature could not be checked)", dn, where);
	free(dn);
}

/*
 * The certificates that came with it (the rest of CERT, the server's
 * chain) in order: each must be followed by its issuer, as TLS 1.2
 * requires (RFC 5246 7.4.2; TLS 1.3 asks the same, RFC 8446 4.4.2), and
 * as a server given the file sends it. Clients that do not sort a chain
 * fail on one out of order.
 */
static void
check_order(struct check *ck, int live)
{
	char	*dn;

	for (size_t i = 1; i < ck->ncerts; i++) {
		if (x509_is_issuer(ck->certs[i - 1], ck->certs[i]))
			continue;
		dn = x509_dn(ck->certs[i], 0);
		findings_add(&ck->findings, "chain", "certificate %zu of %s "
		    "('%s') is not the issuer of the one before it: each "
		    "certificate must be followed by its issuer", i + 1,
		    live ? "the server's chain" : "the file", dn);
		free(dn);
		return;
	}
}

/*
 * A server must send the CA certificates between its own and the root: a
 * peer has the root, not the intermediates. An issuer found only in DIR
 * or --chain, and not self-signed, is one the server leaves out.
 */
static void
check_issuer_sent(struct check *ck, gnutls_x509_crt_t issuer)
{
	char	*dn;

	if (x509_is_issuer(issuer, issuer))
		return;
	for (size_t i = 1; i < ck->ncerts; i++)
		if (x509_same(ck->certs[i], issuer))
			return;
	dn = x509_dn(issuer, 0);
	findings_add(&ck->findings, "chain", "the server does not send its "
	    "issuer '%s', an intermediate CA: a peer that does not have it "
	    "cannot build the chain", dn);
	free(dn);
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
			return err_usage(cause, "--set needs --profile (see "
			    "roleca help check)");
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

static int
load(struct check *ck, const char *dir, const struct args *a, char **cause)
{
	const char	*connect = args_get(a, OPT_CONNECT);
	int		 rc = ERR_FAIL;

	ck->warn_days = 30;
	if (args_days(a, OPT_WARN_DAYS, 3650, &ck->warn_days) < 0)
		return err_usage(cause, "--warn-days takes 0 to 3650");
	if (connect != NULL) {
		ck->source = connect;
		TRY(live_tls_chain(connect, args_get(a, OPT_SERVERNAME),
		    TIMEOUT_MS, &ck->certs, &ck->ncerts, cause));
	} else
		TRY(x509_load_certs(ck->source, &ck->certs, &ck->ncerts,
		    cause));
	if (args_get(a, OPT_CHAIN) != NULL)
		TRY(x509_load_certs(args_get(a, OPT_CHAIN), &ck->chain,
		    &ck->nchain, cause));
	if (args_get(a, OPT_CA) != NULL)
		TRY(x509_load_certs(args_get(a, OPT_CA), &ck->cas, &ck->ncas,
		    cause));
	if (cmd_dir_present(dir))
		TRY(ca_open(dir, CA_WANT_CERT | CA_WANT_STORE, &ck->ca, cause));
	TRY(load_profile(ck, dir, a, cause));
	rc = 0;
out:
	return rc;
}

/*
 * The chain to --ca: the certificate, then whatever intermediates were
 * given, then, for one the CA in DIR issued, that CA's own chain.
 */
static int
check_chain(struct check *ck, time_t now, char **cause)
{
	gnutls_x509_crt_t	*list;
	size_t			 n = 0, n0, own = 0;
	int			 rc;

	if (ck->ca != NULL && find_issuer(ck) == ck->ca->crt)
		own = ck->ca->nchain;
	list = xcalloc(ck->ncerts + ck->nchain + own + 1, sizeof *list);
	for (size_t i = 0; i < ck->ncerts; i++)
		list[n++] = ck->certs[i];
	for (size_t i = 0; i < ck->nchain; i++)
		list[n++] = ck->chain[i];
	for (size_t i = 0; i < own; i++)
		list[n++] = ck->ca->chain[i];
	n0 = ck->findings.n;
	rc = policy_check_chain(list, n, ck->cas, ck->ncas, now,
	    &ck->findings, cause);
	ck->verified = rc == 0 && ck->findings.n == n0;
	free(list);
	return rc;
}

/*
 * Fetch url and judge it as a CRL (delta: a delta CRL); 0 if fetched.
 * With fresh, the delta CRL URLs the CRL names are added to it.
 */
static int
fetch_one(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const char *url,
    int delta, time_t now, struct crl_seen *seen, struct strv *fresh,
    struct findings *f)
{
	unsigned char	*body = NULL;
	size_t		 len;
	char		*cause = NULL;

	memset(seen, 0, sizeof *seen);
	if (live_http_get(url, CRL_MAX, TIMEOUT_MS, &body, &len,
	    &cause) != 0) {
		findings_add(f, "crl", "cannot fetch the %sCRL: %s",
		    delta ? "delta " : "", cause);
		free(cause);
		return -1;
	}
	policy_check_crl(crt, issuer, body, len, url, delta, now, seen, f);
	if (fresh != NULL && seen->ok)
		policy_crl_delta_urls(body, len, fresh);
	free(body);
	return 0;
}

/* The first delta CRL of urls that can be read stands for them all. */
static const char *
fetch_delta(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    const struct strv *urls, time_t now, struct crl_seen *delta,
    struct findings *f)
{
	for (size_t i = 0; i < urls->n; i++)
		if (fetch_one(crt, issuer, urls->v[i], 1, now, delta, NULL,
		    f) == 0 && delta->ok)
			return urls->v[i];
	return NULL;
}

/*
 * The CA in DIR issued it: what its database says, before any CRL does
 * (a revocation not yet published is one all the same).
 */
static int
check_recorded(struct check *ck, char **cause)
{
	struct store_cert	*sc = NULL;
	char			*serial = NULL, when[32], since[32];
	int			 rc = ERR_FAIL;

	TRY(x509_serial_hex(ck->certs[0], &serial, cause));
	TRY(store_get(ck->ca->store, serial, &sc, cause));
	if (sc == NULL)
		findings_add(&ck->findings, "database", "serial %s is not in "
		    "the CA's database (it did not record issuing it)",
		    serial);
	else if (sc->status == STORE_REVOKED) {
		utc_text(when, sizeof when, UTC_TEXT, (time_t)sc->revoked_at);
		if (sc->invalid_at != 0)
			utc_text(since, sizeof since, UTC_TEXT,
			    (time_t)sc->invalid_at);
		findings_add(&ck->findings, "database", "the CA's database has "
		    "it %s (%s) at %s%s%s", sc->reason == 6 ? "on hold" :
		    "revoked", crl_reason_name(sc->reason), when,
		    sc->invalid_at != 0 ? ", invalid since " : "",
		    sc->invalid_at != 0 ? since : "");
	}
	rc = 0;
out:
	store_cert_free(sc);
	free(serial);
	return rc;
}

/*
 * The CRL at each http:// CDP and the delta CRL: a revocation made since
 * the base CRL is only there. The delta CRL is where the certificate
 * names it (Freshest CRL) or, for one that names none (signed before
 * delta_cdp was set), where the first base CRL read names it, as Windows
 * looks for it.
 */
static void
fetch_crls(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, time_t now,
    struct findings *f)
{
	struct strv	 urls = { NULL, 0 }, durls = { NULL, 0 };
	struct crl_seen	 base, delta;
	const char	*durl = NULL;
	int		 ask;

	policy_cdp_urls(crt, &urls);
	policy_delta_urls(crt, &durls);
	durl = fetch_delta(crt, issuer, &durls, now, &delta, f);
	ask = durls.n == 0;
	for (size_t i = 0; i < urls.n; i++) {
		if (fetch_one(crt, issuer, urls.v[i], 0, now, &base, ask ?
		    &durls : NULL, f) != 0)
			continue;
		if (ask && durls.n > 0) {
			ask = 0;
			durl = fetch_delta(crt, issuer, &durls, now, &delta,
			    f);
		}
		policy_check_revoked(urls.v[i], &base, durl,
		    durl != NULL ? &delta : NULL, f);
	}
	strv_free(&urls);
	strv_free(&durls);
}

/* The issuer of ca among the certificates known (not ca itself), or NULL. */
static gnutls_x509_crt_t
parent_of(const struct check *ck, gnutls_x509_crt_t ca)
{
	const gnutls_x509_crt_t	*lists[4] = { ck->certs + 1, ck->chain,
	    ck->cas, ck->ca != NULL ? ck->ca->chain : NULL };
	size_t			 ns[4] = { ck->ncerts - 1, ck->nchain, ck->ncas,
	    ck->ca != NULL ? ck->ca->nchain : 0 };

	for (size_t l = 0; l < 4; l++)
		for (size_t i = 0; i < ns[l]; i++)
			if (!x509_same(lists[l][i], ca) &&
			    x509_is_issuer(ca, lists[l][i]))
				return lists[l][i];
	return NULL;
}

/*
 * Each CA above the certificate up to its root, against its own issuer's
 * CRL: a peer that checks the whole chain (Windows, openssl
 * -crl_check_all) refuses a certificate whose issuing CA is revoked.
 */
static void
fetch_issuer_crls(struct check *ck, gnutls_x509_crt_t ca, time_t now)
{
	struct findings		 sub = { NULL, 0 };
	gnutls_x509_crt_t	 up;
	char			*who;

	for (int depth = 0; ca != NULL && depth < 16; depth++, ca = up) {
		if (x509_is_issuer(ca, ca) || (up = parent_of(ck, ca)) == NULL)
			return;
		fetch_crls(ca, up, now, &sub);
		who = x509_dn(ca, 0);
		for (size_t i = 0; i < sub.n; i++)
			findings_add(&ck->findings, sub.v[i].rule, "issuing CA "
			    "'%s': %s", who, sub.v[i].msg);
		free(who);
		findings_free(&sub);
	}
}

/*
 * A CRL file: as one fetched from the CDP, its signature checked if it can be.
 */
static int
check_crl_file(struct check *ck, gnutls_x509_crt_t issuer, const char *path,
    time_t now, char **cause)
{
	struct crl_seen	 seen;
	struct strv	 deltas = { NULL, 0 };
	unsigned char	*body = NULL;
	size_t		 len;
	int		 rc = ERR_FAIL;

	if ((rc = out_read(path, CRL_MAX, &body, &len, cause)) != 0) {
		err_prefix(cause, "--crl ");
		goto out;
	}
	rc = ERR_FAIL;
	/* a wrong file given is an error, not a finding about the server */
	if (!policy_crl_parses(body, len)) {
		rc = err_set(cause, "--crl %s: not a CRL (DER or PEM)", path);
		goto out;
	}
	if (issuer == NULL)
		findings_add(&ck->findings, "crl", "%s: its signature cannot "
		    "be checked without the issuer (give --chain or --ca)",
		    path);
	policy_check_crl(ck->certs[0], issuer, body, len, path, 0, now,
	    &seen, &ck->findings);
	policy_check_revoked(path, &seen, NULL, NULL, &ck->findings);
	/* the file alone judges: a delta CRL it or the certificate names */
	policy_delta_urls(ck->certs[0], &deltas);
	if (deltas.n == 0)
		policy_crl_delta_urls(body, len, &deltas);
	ck->delta_unread = deltas.n > 0;
	rc = 0;
out:
	strv_free(&deltas);
	free(body);
	return rc;
}

/*
 * Is the issuer one the user trusts, not only one the certificate came
 * with: the CA in DIR, or (with --ca) a chain that verified to an anchor?
 */
static int
anchored(const struct check *ck, gnutls_x509_crt_t issuer)
{
	return issuer != NULL && ((ck->ca != NULL && issuer == ck->ca->crt) ||
	    ck->verified);
}

static void
report_text(const struct check *ck, gnutls_x509_crt_t issuer)
{
	const char	*sep = " (";

	for (size_t i = 0; i < ck->findings.n; i++)
		printf("%s: %s: %s\n", ck->source, ck->findings.v[i].rule,
		    ck->findings.v[i].msg);
	if (ck->findings.n > 0)
		return;
	/* every limit of the verdict, as the JSON has them all */
	printf("%s: compliant", ck->source);
	if (issuer == NULL) {
		printf("%sissuer not checked: give --chain or --ca", sep);
		sep = "; ";
	}
	if (ck->ca != NULL && issuer != ck->ca->crt) {
		printf("%snot issued by the CA in DIR, whose policy was not "
		    "applied", sep);
		sep = "; ";
	}
	if (issuer != NULL && !anchored(ck, issuer)) {
		printf("%sissuer not anchored: give --ca", sep);
		sep = "; ";
	}
	if (ck->delta_unread) {
		printf("%sthe delta CRL was not read: use --fetch-crl", sep);
		sep = "; ";
	}
	printf("%s\n", *sep == ';' ? ")" : "");
}

static void
report_json(const struct check *ck, gnutls_x509_crt_t issuer)
{
	char	*subject, *serial = NULL, *err = NULL;
	time_t	 nb, na;

	subject = x509_dn(ck->certs[0], 0);
	x509_serial_hex(ck->certs[0], &serial, &err);
	free(err);
	x509_validity(ck->certs[0], &nb, &na);
	printf("{\"source\":");
	json_string(stdout, ck->source);
	printf(",\"subject\":");
	json_string(stdout, subject);
	printf(",\"serial\":");
	json_string(stdout, serial != NULL ? serial : "");
	printf(",\"not_after\":%lld,\"issuer_checked\":%s,"
	    "\"issuer_anchored\":%s,\"issued_by_dir_ca\":%s,"
	    "\"delta_crl_unread\":%s,\"compliant\":%s,\"findings\":[",
	    (long long)na, issuer != NULL ? "true" : "false",
	    anchored(ck, issuer) ? "true" : "false", ck->ca == NULL ? "null" :
	    issuer == ck->ca->crt ? "true" : "false",
	    ck->delta_unread ? "true" : "false",
	    ck->findings.n == 0 ? "true" : "false");
	for (size_t i = 0; i < ck->findings.n; i++) {
		printf("%s{\"rule\":", i > 0 ? "," : "");
		json_string(stdout, ck->findings.v[i].rule);
		printf(",\"message\":");
		json_string(stdout, ck->findings.v[i].msg);
		printf("}");
	}
	printf("]}\n");
	free(subject);
	free(serial);
}

static void
check_free(struct check *ck)
{
	findings_free(&ck->findings);
	request_free(ck->req);
	profile_values_free(&ck->values);
	profile_free(ck->profile);
	ca_close(ck->ca);
	x509_free_certs(ck->cas, ck->ncas);
	x509_free_certs(ck->chain, ck->nchain);
	x509_free_certs(ck->certs, ck->ncerts);
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct check		 ck = { 0 };
	struct policy_ctx	 ctx = { 0 };
	gnutls_x509_crt_t	*given = NULL;
	size_t			 ngiven = 0;
	struct keyspec		 spec;
	char			*cause = NULL, *peer = NULL;
	int			 rc = ERR_FAIL;

	if ((a->npos == 1) == args_has(a, OPT_CONNECT))
		return cmd_usage_error(cmd, "give either CERT or --connect "
		    "HOST:PORT");
	if (args_has(a, OPT_SERVERNAME) && !args_has(a, OPT_CONNECT))
		return cmd_usage_error(cmd, "--servername goes with --connect");
	if (args_has(a, OPT_SERVERNAME) && *args_get(a, OPT_SERVERNAME) == '\0')
		return cmd_usage_error(cmd, "--servername: empty name (leave "
		    "it out to send HOST)");
	ck.source = a->npos == 1 ? a->pos[0] : NULL;
	TRY(load(&ck, dir, a, &cause));
	ctx.issuer = find_issuer(&ck);
	check_order(&ck, args_has(a, OPT_CONNECT));
	if (args_has(a, OPT_CONNECT) && ctx.issuer != NULL)
		check_issuer_sent(&ck, ctx.issuer);
	if (ctx.issuer == NULL)
		check_issuer_given(&ck, args_has(a, OPT_CONNECT));
	if (ck.ca != NULL && ctx.issuer != NULL &&
	    x509_same(ctx.issuer, ck.ca->crt)) {
		ctx.conf = ck.ca->conf;
		ctx.chain = ck.ca->chain;
		ctx.chain_spki = ck.ca->chain_spki;
		ctx.nchain = ck.ca->nchain;
	} else if (ctx.issuer != NULL) {
		/* no leaf may hold the key of a CA given with it, either */
		given = xcalloc(1 + ck.ncerts + ck.nchain + ck.ncas,
		    sizeof *given);
		given[ngiven++] = ctx.issuer;
		for (size_t i = 1; i < ck.ncerts; i++)
			given[ngiven++] = ck.certs[i];
		for (size_t i = 0; i < ck.nchain; i++)
			given[ngiven++] = ck.chain[i];
		for (size_t i = 0; i < ck.ncas; i++)
			given[ngiven++] = ck.cas[i];
		ctx.chain = given;
		ctx.nchain = ngiven;
	}
	/*
	 * Like sign with a CSR, the request is for the key the certificate
	 * has; the key rule judges it against the role's. An unsupported key
	 * keeps the role's spec, and the key rule says what it is.
	 */
	if (ck.req != NULL && keys_spec_of_crt(ck.certs[0], &spec, NULL) == 0)
		profile_fit_key(ck.req, ck.profile, &spec);
	ctx.profile = ck.profile;
	ctx.request = ck.req;
	ctx.now = time(NULL);
	TRY(policy_check(ck.certs[0], &ctx, &ck.findings, &cause));
	if (args_has(a, OPT_CONNECT)) {
		TRY(live_peer_name(ck.source, args_get(a, OPT_SERVERNAME),
		    &peer, &cause));
		policy_check_host(ck.certs[0], peer, &ck.findings);
	}
	policy_check_expiry(ck.certs[0], ctx.now, ck.warn_days, &ck.findings);
	if (ck.ncas > 0)
		TRY(check_chain(&ck, ctx.now, &cause));
	if (ck.ca != NULL && ctx.issuer == ck.ca->crt)
		TRY(check_recorded(&ck, &cause));
	if (args_has(a, OPT_FETCH_CRL)) {
		fetch_crls(ck.certs[0], ctx.issuer, ctx.now, &ck.findings);
		fetch_issuer_crls(&ck, ctx.issuer, ctx.now);
	}
	if (args_get(a, OPT_CRL) != NULL)
		TRY(check_crl_file(&ck, ctx.issuer, args_get(a, OPT_CRL),
		    ctx.now, &cause));
	if (args_has(a, OPT_JSON))
		report_json(&ck, ctx.issuer);
	else
		report_text(&ck, ctx.issuer);
	rc = ck.findings.n == 0 ? 0 : ERR_POLICY;
out:
	free(given);
	free(peer);
	check_free(&ck);
	if (rc == ERR_POLICY && cause == NULL)
		return EXIT_POLICY;
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_check = {
	"check",
	"CERT | --connect HOST:PORT [--servername NAME] [--profile PROFILE "
	"[--set NAME=VALUE ...]] [--chain FILE] [--ca FILE] [--fetch-crl] "
	"[--crl FILE] "
	"[--warn-days N] [--json]",
	"Report every rule a server certificate breaks; exit 3 if any.",
	"  CERT               PEM or DER; certificates after the first are its\n"
	"                     chain\n"
	"  --connect HOST:PORT  take the certificate and chain a TLS server\n"
	"                     presents (the handshake does not verify them:\n"
	"                     check reports)\n"
	"  --servername NAME  the SNI name to send, which the certificate must\n"
	"                     name (default: HOST; when HOST is an IP address\n"
	"                     no SNI is sent and the certificate must name\n"
	"                     the address)\n"
	"  --profile PROFILE  also check the names, EKU, key, keyUsage and CRL\n"
	"                     distribution points the role needs\n"
	"  --set NAME=VALUE   with --profile: the role's variables, so the exact\n"
	"                     names are checked instead of their patterns\n"
	"  --chain FILE       the issuer (and its chain), PEM or DER\n"
	"  --ca FILE          trust anchors: the chain must verify up to one\n"
	"  --fetch-crl        download the CRL from each http:// CDP, and the\n"
	"                     delta CRL (Freshest CRL of the certificate, else\n"
	"                     of the CRL): reachable, signed by the issuer,\n"
	"                     current, and not listing the certificate; then\n"
	"                     the same for each CA above it up to the root\n"
	"  --crl FILE         the same for a CRL file (DER or PEM): signed by\n"
	"                     the issuer, current, not listing the certificate\n"
	"  --warn-days N      report a certificate that expires within N days\n"
	"                     (default 30; 0: never)\n"
	"  --json             one JSON object instead of text lines\n"
	"The CA in DIR is the issuer (its permitted domains, CDP, AIA apply)\n"
	"when the certificate names it as its issuer.\n",
	options,
	0,
	1,
	run
};
