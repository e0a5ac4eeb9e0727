/*
 * revoke: mark a certificate revoked in the database, now, with an RFC
 * 5280 reason and optionally the date in the past since which it is known
 * or suspected to be invalid (the CRL entry's invalidityDate; its
 * revocationDate is when the revocation is recorded). The next CRL lists
 * it. An unknown serial, or an already revoked one but for a hold made final
 * or a final revocation found to be keyCompromise, changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_REASON = 'r',
	OPT_DATE = 'd'
};

static const struct option options[] = {
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "date", required_argument, NULL, OPT_DATE },
	{ NULL, 0, NULL, 0 }
};

/*
 * n decimal digits of s, exactly: no sign, no space, no fewer digits (so
 * strptime(3) is not used: it takes "2026-2-3" and "SS" up to 61).
 */
static int
digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC, and a day that exists: the
 * time, turned back into fields, must give the same fields (timegm(3)
 * would make February 30 a day of March).
 */
static int
parse_date(const char *s, time_t *out)
{
	struct tm	 tm, back;
	size_t		 len = strlen(s);
	int		 y, mo, d, h = 0, mi = 0, sec = 0;

	if (len != 10 && len != 20)
		return -1;
	if (digits(s, 4, &y) != 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) != 0)
		return -1;
	if (len == 20 && (s[10] != 'T' || digits(s + 11, 2, &h) != 0 ||
	    s[13] != ':' || digits(s + 14, 2, &mi) != 0 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) != 0 || s[19] != 'Z'))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((*out = timegm(&tm)) == (time_t)-1 ||
	    gmtime_r(out, &back) == NULL)
		return -1;
	if (back.tm_year != y - 1900 || back.tm_mon != mo - 1 ||
	    back.tm_mday != d || back.tm_hour != h || back.tm_min != mi ||
	    back.tm_sec != sec)
		return -1;
	return 0;
}

/*
 * The key is compromised: the other valid certificates of it (renew
 * without --new-key makes them) are named, for the operator to revoke.
 * A warning: the revocation itself is done.
 */
static void
other_certs(struct ca *ca, const struct store_cert *sc)
{
	struct store_filter	 f = { STORE_VALID, NULL, 0, 0, 1 };
	struct store_list	*l = NULL;
	struct store_cert	 row;
	const unsigned char	*key, *other;
	char			*cause = NULL, *list = xstrdup(""), *tmp;
	size_t			 n = 0, klen, olen;
	int			 ret;

	f.now = (int64_t)time(NULL);
	memset(&row, 0, sizeof row);
	if (x509_der_spki(sc->der, sc->der_len, &key, &klen) != 0 ||
	    store_list_open(ca->store, &f, &l, &cause) != 0)
		goto out;
	while ((ret = store_list_next(l, &row, &cause)) > 0) {
		if (x509_der_spki(row.der, row.der_len, &other, &olen) == 0 &&
		    olen == klen && memcmp(other, key, klen) == 0 &&
		    n++ < 10) {
			xasprintf(&tmp, "%s%s%s", list, n > 1 ? ", " : "",
			    row.serial);
			free(list);
			list = tmp;
		}
	}
	if (ret < 0)
		goto out;
	if (n > 0)
		fprintf(stderr, "roleca: revoke: warning: the key is also in "
		    "%zu valid certificate%s: %s%s; revoke %s too (roleca "
		    "revoke SERIAL --reason keyCompromise)\n", n,
		    n > 1 ? "s" : "", list, n > 10 ? ", ..." : "",
		    n > 1 ? "them" : "it");
out:
	if (cause != NULL)
		fprintf(stderr, "roleca: revoke: warning: the other "
		    "certificates of the key were not looked for: %s\n",
		    cause);
	store_list_close(l);
	free(list);
	free(cause);
}

/*
 * The audit row of a revocation says what was recorded, as the CRL will
 * carry it: the certificate's row keeps only its latest state, and a
 * revocation made final or found to be keyCompromise replaces what it
 * was. "ok: REASON[, invalid since DATE][ (was REASON)]".
 */
static char *
revoked_outcome(const struct store_cert *sc, const struct store_cert *before)
{
	char	 since[64] = "", was[64] = "", when[32], *s;

	if (sc->invalid_at != 0) {
		utc_text(when, sizeof when, UTC_ISO, (time_t)sc->invalid_at);
		snprintf(since, sizeof since, ", invalid since %s", when);
	}
	if (before != NULL && before->status == STORE_REVOKED)
		snprintf(was, sizeof was, " (was %s)",
		    crl_reason_name(before->reason));
	xasprintf(&s, "ok: %s%s%s", crl_reason_name(sc->reason), since, was);
	return s;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	const char	*rname = args_get(a, OPT_REASON),
	    *date = args_get(a, OPT_DATE);
	time_t		 when = 0;
	int64_t		 invalid;
	struct store_cert *sc = NULL, *before = NULL;
	char		*cause = NULL, *key_id = NULL, *outcome = NULL;
	int		 rc = ERR_FAIL, reason = -1, audited = 0;

	if (rname != NULL && ((reason = crl_reason_code(rname)) < 0 ||
	    reason == 8))
		return cmd_usage_error(cmd, "unknown reason '%s' (use "
		    "keyCompromise, caCompromise, affiliationChanged, superseded, "
		    "cessationOfOperation, certificateHold, privilegeWithdrawn, "
		    "aACompromise or unspecified)", rname);
	if (reason == 0)
		reason = -1;	/* unspecified: no reasonCode on the CRL */
	if (date != NULL && parse_date(date, &when) != 0)
		return cmd_usage_error(cmd, "--date '%s' is not a date "
		    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", date);
	if (date != NULL && when > time(NULL))
		return cmd_usage_error(cmd, "--date '%s' is in the future",
		    date);
	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_begin(ca->store, &cause));
	/* a final revocation found to be keyCompromise: said so below */
	TRY(store_get(ca->store, a->pos[0], &before, &cause));
	invalid = (int64_t)when;
	TRY(store_revoke(ca->store, a->pos[0], reason, date != NULL ?
	    &invalid : NULL, &cause));
	TRY(store_get(ca->store, a->pos[0], &sc, &cause));
	if (sc == NULL) {
		rc = err_set(&cause, "certificate %s vanished", a->pos[0]);
		goto out;
	}
	/* the key is never certified again: recorded with the revocation */
	if (reason == 1) {
		TRY(x509_der_key_id(sc->der, sc->der_len, &key_id, &cause));
		TRY(store_compromised_add(ca->store, key_id, sc->serial,
		    &cause));
	}
	/* and its audit row with it: no revocation goes unlogged */
	outcome = revoked_outcome(sc, before);
	TRY(store_audit(ca->store, cmd->name, sc->serial, sc->profile, outcome,
	    &cause));
	TRY(store_commit(ca->store, &cause));
	audited = 1;
	/* a CRL lists unexpired certificates only (notAfter included) */
	if (sc->not_after < (int64_t)time(NULL))
		fprintf(stderr, "roleca: revoke: %s revoked (%s) in the "
		    "database; it has expired, so no CRL will list it\n",
		    sc->serial, crl_reason_name(reason));
	else if (before != NULL && before->status == STORE_REVOKED &&
	    before->reason != 6)
		fprintf(stderr, "roleca: revoke: %s revoked (%s, no longer %s, "
		    "its revocation date kept); run roleca crl or roleca "
		    "publish to publish it\n", sc->serial,
		    crl_reason_name(reason), crl_reason_name(before->reason));
	else
		fprintf(stderr, "roleca: revoke: %s revoked (%s); run roleca "
		    "crl or roleca publish to publish it\n", sc->serial,
		    crl_reason_name(reason));
	if (reason == 1)
		other_certs(ca, sc);
	rc = 0;
out:
	/* the revocation undone first: the audit row must outlive it */
	if (rc != 0 && ca != NULL)
		store_rollback(ca->store);
	if (ca != NULL && !audited)
		cmd_audit_cert(cmd, ca->store, a->pos[0], rc, cause);
	store_cert_free(sc);
	store_cert_free(before);
	free(key_id);
	free(outcome);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_revoke = {
	"revoke",
	"SERIAL [--reason REASON] [--date DATE]",
	"Mark a certificate revoked; the next CRL lists it.",
	"  SERIAL           hex, any case, ':' separators allowed\n"
	"  --reason REASON  keyCompromise, caCompromise, affiliationChanged,\n"
	"                   superseded, cessationOfOperation, certificateHold,\n"
	"                   privilegeWithdrawn, aACompromise, or unspecified\n"
	"                   (the default: no reason code on the CRL)\n"
	"  --date DATE      since when it is known or suspected to be invalid\n"
	"                   (the key compromised): YYYY-MM-DD or\n"
	"                   YYYY-MM-DDTHH:MM:SSZ, UTC, not in the future nor\n"
	"                   before the certificate's notBefore; the CRL entry\n"
	"                   carries it as its invalidity date, its revocation\n"
	"                   date being now, when roleca records it\n"
	"A certificate on hold may be revoked again for good; one revoked for\n"
	"good, again as keyCompromise only (its revocation date kept).\n",
	options,
	1,
	1,
	run
};
