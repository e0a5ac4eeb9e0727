/*
 * list: the CA's inventory, oldest expiry first, as an aligned table or as
 * JSON lines. --expiring DAYS lists only what monitoring must act on and
 * still exits 0, so it can feed a check without being an alarm itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "profile.h"
#include "store.h"
#include "util.h"

enum {
	OPT_STATUS = 's',
	OPT_PROFILE = 'p',
	OPT_EXPIRING = 'e',
	OPT_JSON = 'j'
};

static const struct option options[] = {
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "expiring", required_argument, NULL, OPT_EXPIRING },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/* The CN out of RFC 4514 subject text (escaped commas stay inside). */
static char *
cn_of(const char *subject)
{
	const char	*p = subject;
	char		*out = xmalloc(strlen(subject) + 1), *o = out;
	int		 start = 1;	/* at an attribute's first byte */

	/* ',' and '+' separate attributes unless escaped: O=a\,CN=b is one */
	for (; *p != '\0'; p++) {
		if (start && strncmp(p, "CN=", 3) == 0)
			break;
		start = 0;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ',' || *p == '+')
			start = 1;
	}
	if (*p != '\0')
		for (p += 3; *p != '\0' && *p != ',' && *p != '+'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			*o++ = *p;
		}
	*o = '\0';
	return out;
}

static const char *
status_of(const struct store_cert *c, time_t now)
{
	if (c->status == STORE_REVOKED)
		return "revoked";
	return cert_expired((time_t)c->not_after, now) ? "expired" : "valid";
}

/*
 * One line per row whatever the database holds: a row edited outside
 * roleca may hold control characters or bytes that are not UTF-8, escaped
 * here as messages escape what they quote, a backslash too, so that no
 * stored text passes for an escape (json_string escapes for --json).
 */
static void
print_line(const struct store_cert *c, time_t now, const char *cn,
    const char *date, long long left)
{
	char	*serial = err_escape_text(c->serial);
	char	*profile = err_escape_text(c->profile);
	char	*shown = err_escape_text(cn);

	printf("%-32s  %-7s  %-16s  %-34s  %s  %5lld\n", serial,
	    status_of(c, now), profile, shown, date, left);
	free(shown);
	free(profile);
	free(serial);
}

static void
print_row(const struct store_cert *c, time_t now, int json)
{
	char		 date[32], *cn = cn_of(c->subject);
	long long	 left = days_left((time_t)c->not_after, now);

	utc_text(date, sizeof date, UTC_DAY, (time_t)c->not_after);
	if (!json) {
		print_line(c, now, cn, date, left);
		free(cn);
		return;
	}
	printf("{\"serial\":");
	json_string(stdout, c->serial);
	printf(",\"status\":\"%s\",\"profile\":", status_of(c, now));
	json_string(stdout, c->profile);
	printf(",\"cn\":");
	json_string(stdout, cn);
	printf(",\"subject\":");
	json_string(stdout, c->subject);
	printf(",\"not_after\":\"%s\",\"days_left\":%lld}\n", date, left);
	free(cn);
}

static int
parse_filter(const struct command *cmd, const struct args *a,
    struct store_filter *f)
{
	const char	*s = args_get(a, OPT_STATUS);
	unsigned	 days;
	int		 given;

	f->status = STORE_ANY;
	f->profile = args_get(a, OPT_PROFILE);
	f->now = time(NULL);
	if (f->profile != NULL && !profile_name_valid(f->profile))
		return cmd_usage_error(cmd, "--profile: invalid profile name "
		    "'%s': a profile is named by letters, digits, '-' and '_'",
		    f->profile);
	if (s != NULL) {
		if (strcmp(s, "valid") == 0)
			f->status = STORE_VALID;
		else if (strcmp(s, "revoked") == 0)
			f->status = STORE_REVOKED;
		else if (strcmp(s, "expired") == 0)
			f->status = STORE_EXPIRED;
		else
			return cmd_usage_error(cmd, "--status takes valid, "
			    "revoked or expired");
	}
	if ((given = args_days(a, OPT_EXPIRING, 36500, &days)) < 0)
		return cmd_usage_error(cmd, "--expiring takes a number of "
		    "days");
	if (given) {
		if (f->status == STORE_REVOKED || f->status == STORE_EXPIRED)
			return cmd_usage_error(cmd, "--expiring lists valid "
			    "certificates only");
		/* as DAYS counts: N days left is within N days */
		f->expiring_until = f->now + (time_t)days * DAY;
	}
	return 0;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct store_filter	 f = { 0 };
	struct store_list	*l = NULL;
	struct store_cert	 row;
	struct ca		*ca = NULL;
	char			*cause = NULL;
	int			 rc = ERR_FAIL, got,
	    json = args_has(a, OPT_JSON);

	if ((rc = parse_filter(cmd, a, &f)) != 0)
		return rc;
	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_list_open(ca->store, &f, &l, &cause));
	if (!json)
		printf("%-32s  %-7s  %-16s  %-34s  %-10s  %5s\n", "SERIAL",
		    "STATUS", "PROFILE", "CN", "NOT-AFTER", "DAYS");
	while ((got = store_list_next(l, &row, &cause)) > 0)
		print_row(&row, (time_t)f.now, json);
	TRY(got);
	rc = 0;
out:
	store_list_close(l);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_list = {
	"list",
	"[--status valid|revoked|expired] [--profile PROFILE] "
	"[--expiring DAYS] [--json]",
	"List the certificates in the CA database, oldest expiry first.",
	"  --status S        valid (neither revoked nor expired), revoked or\n"
	"                    expired\n"
	"  --profile P       only certificates issued under profile P\n"
	"  --expiring DAYS   only valid certificates that expire within DAYS\n"
	"                    (DAYS left at most; exit status stays 0: feed\n"
	"                    it to monitoring)\n"
	"  --json            one JSON object per line instead of the table\n",
	options,
	0,
	0,
	run
};
