/*
 * revoke: mark a certificate revoked in the database, with an RFC 5280
 * reason and optionally a revocation date in the past. The next CRL lists
 * it. An unknown or already-revoked serial changes nothing.
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

enum {
	OPT_REASON = 'r',
	OPT_DATE = 'd'
};

static const struct option options[] = {
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "date", required_argument, NULL, OPT_DATE },
	{ NULL, 0, NULL, 0 }
};

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC. */
static int
parse_date(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0') {
		memset(&tm, 0, sizeof tm);
		if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
		    *end != '\0')
			return -1;
	}
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	const char	*rname = args_get(a, OPT_REASON),
	    *date = args_get(a, OPT_DATE);
	time_t		 when = time(NULL);
	char		*cause = NULL;
	int		 rc = ERR_FAIL, reason = -1;

	if (rname != NULL && ((reason = crl_reason_code(rname)) < 0 ||
	    reason == 8))
		return cmd_usage_error(cmd, "unknown reason '%s' (use "
		    "keyCompromise, caCompromise, affiliationChanged, superseded, "
		    "cessationOfOperation, certificateHold, privilegeWithdrawn, "
		    "aACompromise or unspecified)", rname);
	if (reason == 0)
		reason = -1;	/* unspecified: no reasonCode on the CRL */
	if (date != NULL && (parse_date(date, &when) != 0 || when > time(NULL)))
		return cmd_usage_error(cmd, "--date '%s' is not a past date "
		    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", date);
	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_revoke(ca->store, a->pos[0], when, reason, &cause));
	fprintf(stderr, "roleca: revoke: %s revoked (%s); run roleca crl or "
	    "roleca publish to publish it\n", a->pos[0],
	    crl_reason_name(reason));
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit(cmd, ca->store, a->pos[0], NULL, rc, cause);
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
	"  --date DATE      when it was revoked: YYYY-MM-DD or\n"
	"                   YYYY-MM-DDTHH:MM:SSZ, UTC, not in the future nor\n"
	"                   before the certificate's notBefore (default: now)\n",
	options,
	1,
	1,
	run
};
