/*
 * log: the CA's audit log, oldest first: every init, issue, sign, revoke,
 * unrevoke, crl, publish and export, with who ran it and how it ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "store.h"
#include "util.h"

enum {
	OPT_JSON = 'j'
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/*
 * One line per row whatever the database holds: rows written by hand, or
 * before roleca escaped what it logs, are escaped here.
 */
static void
print_line(const struct store_log_row *r, const char *when)
{
	char	*op = err_escape(r->operation), *serial = err_escape(r->serial);
	char	*profile = err_escape(r->profile);
	char	*outcome = err_escape(r->outcome);

	printf("%s  %-12s  %-32s  %-16s  uid %-6lld  %s\n", when, op,
	    *serial != '\0' ? serial : "-", *profile != '\0' ? profile : "-",
	    (long long)r->uid, outcome);
	free(op);
	free(serial);
	free(profile);
	free(outcome);
}

/* A field a row may lack (no serial, no profile): null, as show has it. */
static void
json_or_null(const char *s)
{
	if (s == NULL || *s == '\0')
		fputs("null", stdout);
	else
		json_string(stdout, s);
}

static void
print_row(const struct store_log_row *r, int json)
{
	char	 when[32];

	utc_text(when, sizeof when, UTC_ISO, (time_t)r->time);
	if (!json) {
		print_line(r, when);
		return;
	}
	printf("{\"id\":%lld,\"time\":\"%s\",\"operation\":", (long long)r->id,
	    when);
	json_string(stdout, r->operation);
	printf(",\"serial\":");
	json_or_null(r->serial);
	printf(",\"profile\":");
	json_or_null(r->profile);
	printf(",\"uid\":%lld,\"outcome\":", (long long)r->uid);
	json_string(stdout, r->outcome);
	printf("}\n");
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca		*ca = NULL;
	struct store_log	*l = NULL;
	struct store_log_row	 row;
	char			*cause = NULL;
	int			 rc = ERR_FAIL, got;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_log_open(ca->store, &l, &cause));
	while ((got = store_log_next(l, &row, &cause)) > 0)
		print_row(&row, args_has(a, OPT_JSON));
	TRY(got);
	rc = 0;
out:
	store_log_close(l);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_log = {
	"log",
	"[--json]",
	"Print the CA's audit log (append-only), oldest first.",
	"  --json   one JSON object per line\n",
	options,
	0,
	0,
	run
};
