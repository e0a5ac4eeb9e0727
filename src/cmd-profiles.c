/*
 * profiles: list the role profiles on the search path (DIR/profiles,
 * $ROLECA_PROFILE_PATH, the installed ones) with their variables. A
 * profile that does not load is reported and makes the exit status 1, but
 * the others are still listed. In a CA directory its ca.cfg must load, as
 * for every command. Finding no profile at all is an error (exit 1) naming
 * the directories searched: every command that makes a certificate would
 * fail the same way, and silence hid a search path that missed them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "profile.h"
#include "util.h"

static void
print_profile(const struct profile *p)
{
	printf("%-18s %s\n", p->name, p->description);
	for (size_t i = 0; i < p->nvars; i++) {
		const struct profile_var	*v = &p->vars[i];
		char				*note = NULL;

		if (v->def != NULL)
			xasprintf(&note, " (default %s)", v->def);
		else if (!v->required)
			note = xstrdup(" (optional)");
		printf("    %-16s %s%s%s\n", v->name,
		    v->description != NULL ? v->description : "",
		    v->list ? " (list)" : "", note != NULL ? note : "");
		free(note);
	}
}

/* The search path as profile_list() walks it, for a message. Allocated. */
static char *
search_path_text(const char *ca_dir)
{
	const char	*env = getenv("ROLECA_PROFILE_PATH");
	struct strv	 dirs = { NULL, 0 };
	char		*text = xstrdup(""), *tmp;

	profile_search_path(ca_dir, &dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		xasprintf(&tmp, "%s%s%s", text, i > 0 ? ", " : "", dirs.v[i]);
		free(text);
		text = tmp;
	}
	strv_free(&dirs);
	if (env == NULL || *env == '\0') {
		xasprintf(&tmp, "%s ($ROLECA_PROFILE_PATH is %s)", text,
		    env == NULL ? "not set" : "empty");
		free(text);
		text = tmp;
	}
	return text;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct strv	 paths = { NULL, 0 };
	struct profile	*p;
	struct ca	*ca = NULL;
	char		*cause = NULL;
	int		 rc = ERR_FAIL, failed = 0;

	(void)a;
	if (cmd_dir_present(dir))
		TRY(ca_open(dir, 0, &ca, &cause));
	/* what init would refuse today; the CA goes on working with it */
	if (ca != NULL && ca->conf->flaw != NULL)
		fprintf(stderr, "roleca: profiles: warning: %s\n",
		    ca->conf->flaw);
	TRY(profile_list(ca != NULL ? dir : NULL, &paths, &cause));
	if (paths.n == 0) {
		char	*where = search_path_text(ca != NULL ? dir : NULL);

		rc = err_set(&cause, "no profile found in %s", where);
		free(where);
		goto out;
	}
	for (size_t i = 0; i < paths.n; i++) {
		if (profile_load(paths.v[i], NULL, &p, &cause) != 0) {
			fprintf(stderr, "roleca: profiles: %s\n", cause);
			free(cause);
			cause = NULL;
			failed = 1;
			continue;
		}
		print_profile(p);
		profile_free(p);
	}
	rc = failed ? ERR_FAIL : 0;
out:
	strv_free(&paths);
	ca_close(ca);
	if (rc != 0 && cause != NULL)
		return cmd_fail(cmd, rc, &cause);
	return err_exit_code(rc);
}

const struct command cmd_profiles = {
	"profiles",
	"",
	"List the role profiles with their descriptions and variables.",
	"Profiles are found in DIR/profiles, then in each directory of\n"
	"$ROLECA_PROFILE_PATH, then in the installed profile directory; none\n"
	"found is an error (exit 1) that names the directories searched.\n",
	NULL,
	0,
	0,
	run
};
