/*
 * roleca: global options, the command table and dispatch. Commands are
 * declared in cmd-*.c; their options are parsed here, uniformly, so every
 * command has the same --help, usage errors and exit code 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "err.h"
#include "policy.h"
#include "sig.h"
#include "store.h"
#include "util.h"

static const struct command *const commands[] = {
	&cmd_init,
	&cmd_install_cert,
	&cmd_profiles,
	&cmd_issue,
	&cmd_request,
	&cmd_sign,
	&cmd_export,
	&cmd_renew,
	&cmd_deploy,
	&cmd_list,
	&cmd_show,
	&cmd_revoke,
	&cmd_unrevoke,
	&cmd_crl,
	&cmd_publish,
	&cmd_check,
	&cmd_log,
	NULL
};

const char *
args_get(const struct args *a, int code)
{
	const char	*v = NULL;

	for (size_t i = 0; i < a->nopt; i++)
		if (a->opt[i].code == code)
			v = a->opt[i].value;
	return v;
}

int
args_days(const struct args *a, int code, unsigned max, unsigned *days)
{
	const char	*v = args_get(a, code);
	char		*end;
	unsigned long	 n;

	if (v == NULL)
		return 0;
	/* digits only: strtoul would take a sign and leading blanks */
	if (*v < '0' || *v > '9')
		return -1;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n > max)
		return -1;
	*days = (unsigned)n;
	return 1;
}

int
args_has(const struct args *a, int code)
{
	for (size_t i = 0; i < a->nopt; i++)
		if (a->opt[i].code == code)
			return 1;
	return 0;
}

const char *
args_nth(const struct args *a, int code, size_t n)
{
	for (size_t i = 0; i < a->nopt; i++)
		if (a->opt[i].code == code && n-- == 0)
			return a->opt[i].value;
	return NULL;
}

/*
 * The audit failure of a failed operation, to be told in the failure's
 * own line by cmd_fail() rather than in one of its own. cmd_audit() gets
 * the cause read-only (its callers print it later), so the note waits
 * here; commands audit on their main thread only.
 */
static char	*audit_missed;

/*
 * A refusal's every finding, for its audit row: cmd_refused() prints all
 * but the last, which the cause carries to cmd_fail(), and keeps them all
 * here, with that last cause to know its own refusal by in cmd_audit().
 */
static struct {
	char	*last;
	char	*all;
} refusal;

static void
refusal_clear(void)
{
	free(refusal.last);
	free(refusal.all);
	refusal.last = refusal.all = NULL;
}

/* What follows the last ": " of a message (its innermost cause), else s. */
static const char *
innermost(const char *s)
{
	const char	*last = NULL;

	for (const char *p = strstr(s, ": "); p != NULL; p = strstr(p + 2,
	    ": "))
		last = p + 2;
	return last != NULL && *last != '\0' ? last : s;
}

int
cmd_fail(const struct command *cmd, int rc, char **cause)
{
	char		*msg = err_escape(*cause != NULL ? *cause : "failed");
	const char	*why;

	fprintf(stderr, "roleca: %s: %s", cmd->name, msg);
	if (audit_missed != NULL) {
		/* the audit's reason only when it is not the failure's own */
		why = innermost(audit_missed);
		if (*why != '\0' && strstr(msg, why) != NULL)
			fprintf(stderr, "; not in the audit log either");
		else
			fprintf(stderr, "; not in the audit log either (%s)",
			    audit_missed);
		free(audit_missed);
		audit_missed = NULL;
	}
	fputc('\n', stderr);
	free(msg);
	free(*cause);
	*cause = NULL;
	return err_exit_code(rc);
}

void
cmd_audit(const struct command *cmd, struct store *st, const char *serial,
    const char *profile, int rc, const char *cause)
{
	cmd_audit_for(cmd, st, serial, profile, NULL, rc, cause);
}

void
cmd_audit_for(const struct command *cmd, struct store *st,
    const char *serial, const char *profile, const char *who, int rc,
    const char *cause)
{
	char	*err = NULL, *outcome = NULL, *raw = NULL, *s = NULL,
	    *p = NULL, *why = NULL, *tmp;
	size_t	 n;

	if (st == NULL)
		return;
	if (rc == 0)
		raw = xstrdup("ok");
	else if (rc == ERR_POLICY && cause != NULL && refusal.last != NULL &&
	    strcmp(cause, refusal.last) == 0)
		raw = xstrdup(refusal.all);
	else if (cause != NULL && strncmp(cause, "refused: ", 9) == 0)
		raw = xstrdup(cause);
	else
		xasprintf(&raw, "%s: %s", rc == ERR_POLICY ? "refused" :
		    rc == ERR_USAGE ? "usage" : "error",
		    cause != NULL ? cause : "failed");
	/* "refused: WHO: ...": the outcome's kind stays first */
	if (who != NULL && rc != 0 && (n = strcspn(raw, ":")) < strlen(raw)) {
		xasprintf(&tmp, "%.*s: %s:%s", (int)n, raw, who, raw + n + 1);
		free(raw);
		raw = tmp;
	}
	/*
	 * The log is read line by line: the outcome is a message, escaped
	 * already; serial and profile may be as the user typed them.
	 */
	outcome = err_escape(raw);
	if (serial != NULL)
		s = err_escape_text(serial);
	if (profile != NULL)
		p = err_escape_text(profile);
	if (store_audit(st, cmd->name, s, p, outcome, &err) != 0) {
		why = err_escape(err != NULL ? err : "failed");
		if (rc == 0)
			fprintf(stderr, "roleca: %s: warning: not in the audit "
			    "log: %s\n", cmd->name, why);
		else if (audit_missed == NULL) {
			audit_missed = why;
			why = NULL;
		}
	}
	free(why);
	free(err);
	free(p);
	free(s);
	free(raw);
	free(outcome);
}

void
cmd_audit_cert(const struct command *cmd, struct store *st,
    const char *serial, int rc, const char *cause)
{
	struct store_cert	*sc = NULL;
	char			*ignored = NULL;

	/* an unknown or invalid serial is logged without a profile */
	if (st != NULL && store_get(st, serial, &sc, &ignored) != 0)
		sc = NULL;
	cmd_audit(cmd, st, serial, sc != NULL ? sc->profile : NULL, rc,
	    cause);
	store_cert_free(sc);
	free(ignored);
}

int
cmd_refused(const struct command *cmd, const struct findings *f, char **cause)
{
	char	*msg, *all = NULL, *tmp;

	free(*cause);
	*cause = NULL;
	if (f->n == 0)
		return err_policy(cause, "refused by policy");
	for (size_t i = 0; i < f->n; i++) {
		msg = err_escape(f->v[i].msg);
		if (i + 1 < f->n)
			fprintf(stderr, "roleca: %s: refused: %s: %s\n",
			    cmd->name, f->v[i].rule, msg);
		xasprintf(&tmp, "%s%s%s: %s", all != NULL ? all : "refused: ",
		    all != NULL ? "; " : "", f->v[i].rule, msg);
		free(all);
		all = tmp;
		free(msg);
	}
	/* a finding quotes its values itself: not escaped twice */
	xasprintf(&msg, "refused: %s: %s", f->v[f->n - 1].rule,
	    f->v[f->n - 1].msg);
	err_message(cause, ERR_POLICY, msg);
	free(msg);
	refusal_clear();
	refusal.last = xstrdup(*cause);
	refusal.all = all;
	return ERR_POLICY;
}

static void
print_usage(FILE *f, const struct command *cmd)
{
	fprintf(f, "usage: roleca [--dir DIR] %s%s%s\n", cmd->name,
	    *cmd->usage != '\0' ? " " : "", cmd->usage);
}

int
cmd_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	*raw, *msg;

	/* one line: the problem, and where the usage is */
	va_start(ap, fmt);
	if (vasprintf(&raw, fmt, ap) < 0)
		abort();
	va_end(ap);
	msg = err_escape_text(raw);
	fprintf(stderr, "roleca: %s: %s (see roleca help %s)\n", cmd->name,
	    msg, cmd->name);
	free(msg);
	free(raw);
	return EXIT_USAGE;
}

static void
help_command(const struct command *cmd)
{
	print_usage(stdout, cmd);
	printf("\n%s\n", cmd->summary);
	if (cmd->help != NULL && *cmd->help != '\0')
		printf("\n%s", cmd->help);
}

static void
help_all(FILE *f)
{
	fprintf(f, "usage: roleca [-d DIR | --dir DIR] COMMAND [ARGS...]\n"
	    "       roleca help COMMAND | roleca COMMAND --help\n"
	    "       roleca -h | --help | -V | --version\n\n"
	    "The CA directory is --dir, else $ROLECA_DIR, else ./ca.\n\n"
	    "Commands:\n");
	for (size_t i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(f, "\nExit status: 0 success, 1 error, 2 usage, 3 refused by "
	    "policy or not compliant.\n");
}

/*
 * Exact name, else a unique prefix; an ambiguous prefix lists the candidates.
 */
static const struct command *
find_command(const char *name)
{
	const struct command	*found = NULL;
	size_t			 len = strlen(name), matches = 0;
	char			*shown;

	for (size_t i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
		if (strncmp(commands[i]->name, name, len) == 0) {
			found = commands[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	shown = err_escape_text(name);
	if (matches == 0) {
		fprintf(stderr, "roleca: unknown command '%s' (see roleca "
		    "help)\n", shown);
		free(shown);
		return NULL;
	}
	fprintf(stderr, "roleca: ambiguous command '%s', could be:", shown);
	free(shown);
	for (size_t i = 0; commands[i] != NULL; i++)
		if (strncmp(commands[i]->name, name, len) == 0)
			fprintf(stderr, " %s", commands[i]->name);
	fputc('\n', stderr);
	return NULL;
}

#define OPT_HELP	0x1000
#define PARSE_HELP	(-1)

/*
 * What getopt_long(3) refused (c is its '?' or ':'), in one line. It
 * leaves the why to be found again: a long option has been stepped over,
 * so it is argv[optind - 1] (glibc sets optopt to its code when it was
 * given a value it takes none of, else to 0); a short option is optopt,
 * and argv[optind - 1] may then be an earlier argument or the command.
 */
static char *
option_problem(const struct option *opts, int c, char **argv)
{
	const char	*arg = argv[optind - 1], *name = NULL;
	size_t		 len = 0, matches = 0;
	char		*msg, *list = NULL, *tmp;

	if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		name = arg + 2;
		len = strcspn(name, "=");
	}
	if (c == ':') {
		if (name != NULL)
			xasprintf(&msg, "option '--%.*s' needs a value",
			    (int)len, name);
		else
			xasprintf(&msg, "option '-%c' needs a value", optopt);
		return msg;
	}
	for (size_t i = 0; name != NULL && opts[i].name != NULL; i++) {
		if (strncmp(opts[i].name, name, len) != 0)
			continue;
		if (optopt != 0 && name[len] == '=' &&
		    opts[i].has_arg == no_argument && opts[i].val == optopt) {
			xasprintf(&msg, "option '--%s' takes no value",
			    opts[i].name);
			free(list);
			return msg;
		}
		xasprintf(&tmp, "%s%s--%s", list != NULL ? list : "",
		    list != NULL ? ", " : "", opts[i].name);
		free(list);
		list = tmp;
		matches++;
	}
	if (optopt != 0)
		xasprintf(&msg, "unknown option '-%c'", optopt);
	else if (name != NULL && matches > 1)
		xasprintf(&msg, "option '--%.*s' is ambiguous (%s)", (int)len,
		    name, list);
	else if (name != NULL)
		xasprintf(&msg, "unknown option '--%.*s'", (int)len, name);
	else
		xasprintf(&msg, "unknown option '%s'", arg);
	free(list);
	return msg;
}

/*
 * Parse a command's arguments from its declared table: 0, PARSE_HELP for
 * --help, or EXIT_USAGE after printing the problem.
 */
static int
parse(const struct command *cmd, int argc, char **argv, struct args *a)
{
	struct option	*longopts;
	size_t		 n = 0;
	int		 c, idx;

	while (cmd->options != NULL && cmd->options[n].name != NULL)
		n++;
	longopts = xcalloc(n + 2, sizeof *longopts);
	if (n > 0)
		memcpy(longopts, cmd->options, n * sizeof *longopts);
	longopts[n].name = "help";
	longopts[n].val = OPT_HELP;
	optind = 0;
	opterr = 0;
	/*
	 * '-': operands come back in order as they stand (c == 1), so that
	 * options may follow them even where POSIXLY_CORRECT is set
	 */
	a->pos = xcalloc((size_t)argc + 1, sizeof *a->pos);
	while ((c = getopt_long(argc, argv, "-:", longopts, &idx)) != -1) {
		if (c == 1) {
			a->pos[a->npos++] = optarg;
			continue;
		}
		if (c == OPT_HELP) {
			free(longopts);
			return PARSE_HELP;
		}
		if (c == '?' || c == ':') {
			char	*msg = option_problem(longopts, c, argv);

			free(longopts);
			c = cmd_usage_error(cmd, "%s", msg);
			free(msg);
			return c;
		}
		a->opt = xreallocarray(a->opt, a->nopt + 1, sizeof *a->opt);
		a->opt[a->nopt].code = c;
		a->opt[a->nopt].value = optarg;
		a->nopt++;
	}
	free(longopts);
	/* what follows "--" */
	while (optind < argc)
		a->pos[a->npos++] = argv[optind++];
	if (a->npos < cmd->min_pos)
		return cmd_usage_error(cmd, "missing argument");
	if (cmd->max_pos >= 0 && a->npos > cmd->max_pos)
		return cmd_usage_error(cmd, "unexpected argument '%s'",
		    a->pos[cmd->max_pos]);
	return 0;
}

/* the very pointer main passes when no --dir or $ROLECA_DIR names one */
static const char	 default_dir[] = "ca";

int
cmd_dir_is_default(const char *dir)
{
	return dir == default_dir;
}

int
cmd_dir_present(const char *dir)
{
	struct stat	 st;

	return lstat(dir, &st) == 0;
}

int
main(int argc, char **argv)
{
	static const struct option	 global[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command		*cmd;
	struct args			 a = { NULL, 0, NULL, 0 };
	const char			*dir = getenv("ROLECA_DIR");
	char				*raw, *msg;
	int				 c, rc;

	if (dir == NULL || *dir == '\0')
		dir = default_dir;
	sig_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:hV", global, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (*optarg == '\0') {
				fprintf(stderr, "roleca: --dir: empty (roleca "
				    "--help)\n");
				return EXIT_USAGE;
			}
			dir = optarg;
			break;
		case 'h':
			help_all(stdout);
			return EXIT_OK;
		case 'V':
			/*
			 * like pkg-config --version: the number alone, for
			 * scripts
			 */
			printf("%s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			/* one line: the whole list hides the problem */
			raw = option_problem(global, c, argv);
			msg = err_escape_text(raw);
			fprintf(stderr, "roleca: %s (roleca --help lists "
			    "them)\n", msg);
			free(msg);
			free(raw);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		/* one line, as every message: the list is a --help away */
		fprintf(stderr, "roleca: no command given (roleca --help "
		    "lists them)\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 2 < argc) {
			msg = err_escape_text(argv[optind + 2]);
			fprintf(stderr, "roleca: help: unexpected argument "
			    "'%s' (roleca help COMMAND)\n", msg);
			free(msg);
			return EXIT_USAGE;
		}
		if (optind + 1 >= argc ||
		    strcmp(argv[optind + 1], "help") == 0) {
			help_all(stdout);
			return EXIT_OK;
		}
		if ((cmd = find_command(argv[optind + 1])) == NULL)
			return EXIT_USAGE;
		help_command(cmd);
		return EXIT_OK;
	}
	if ((cmd = find_command(argv[optind])) == NULL)
		return EXIT_USAGE;
	rc = parse(cmd, argc - optind, argv + optind, &a);
	if (rc == PARSE_HELP) {
		help_command(cmd);
		rc = EXIT_OK;
	} else if (rc == 0)
		rc = cmd->run(cmd, dir, &a);
	if (audit_missed != NULL) {
		/* a failure reported without cmd_fail() */
		fprintf(stderr, "roleca: %s: warning: not in the audit log: "
		    "%s\n", cmd->name, audit_missed);
		free(audit_missed);
	}
	refusal_clear();
	free(a.opt);
	free(a.pos);
	return rc;
}
