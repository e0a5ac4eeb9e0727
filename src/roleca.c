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
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "err.h"
#include "policy.h"
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
	n = strtoul(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n > max)
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

int
cmd_fail(const struct command *cmd, int rc, char **cause)
{
	fprintf(stderr, "roleca: %s: %s\n", cmd->name,
	    *cause != NULL ? *cause : "failed");
	free(*cause);
	*cause = NULL;
	return err_exit_code(rc);
}

void
cmd_audit(const struct command *cmd, struct store *st, const char *serial,
    const char *profile, int rc, const char *cause)
{
	char	*err = NULL, *outcome = NULL;

	if (st == NULL)
		return;
	if (rc == 0)
		outcome = xstrdup("ok");
	else if (cause != NULL && strncmp(cause, "refused: ", 9) == 0)
		outcome = xstrdup(cause);
	else
		xasprintf(&outcome, "%s: %s", rc == ERR_POLICY ? "refused" :
		    rc == ERR_USAGE ? "usage" : "error",
		    cause != NULL ? cause : "failed");
	if (store_audit(st, cmd->name, serial, profile, outcome, &err) != 0) {
		fprintf(stderr, "roleca: %s: warning: not in the audit log: "
		    "%s\n", cmd->name, err);
		free(err);
	}
	free(outcome);
}

int
cmd_refused(const struct command *cmd, const struct findings *f, char **cause)
{
	free(*cause);
	*cause = NULL;
	if (f->n == 0)
		return err_policy(cause, "refused by policy");
	for (size_t i = 0; i + 1 < f->n; i++)
		fprintf(stderr, "roleca: %s: refused: %s: %s\n", cmd->name,
		    f->v[i].rule, f->v[i].msg);
	return err_policy(cause, "refused: %s: %s", f->v[f->n - 1].rule,
	    f->v[f->n - 1].msg);
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

	/* one line: the problem, and where the usage is */
	fprintf(stderr, "roleca: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see roleca help %s)\n", cmd->name);
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
	fprintf(f, "usage: roleca [--dir DIR] COMMAND [ARGS...]\n"
	    "       roleca help COMMAND | roleca COMMAND --help\n\n"
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
	if (matches == 0) {
		fprintf(stderr, "roleca: unknown command '%s' (see roleca "
		    "help)\n", name);
		return NULL;
	}
	fprintf(stderr, "roleca: ambiguous command '%s', could be:", name);
	for (size_t i = 0; commands[i] != NULL; i++)
		if (strncmp(commands[i]->name, name, len) == 0)
			fprintf(stderr, " %s", commands[i]->name);
	fputc('\n', stderr);
	return NULL;
}

#define OPT_HELP	0x1000
#define PARSE_HELP	(-1)

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
	while ((c = getopt_long(argc, argv, ":", longopts, &idx)) != -1) {
		if (c == OPT_HELP) {
			free(longopts);
			return PARSE_HELP;
		}
		if (c == '?' || c == ':') {
			const char	*bad = argv[optind - 1];

			free(longopts);
			return cmd_usage_error(cmd, c == ':' ?
			    "option '%s' needs a value" : "unknown option '%s'",
			    bad);
		}
		a->opt = xreallocarray(a->opt, a->nopt + 1, sizeof *a->opt);
		a->opt[a->nopt].code = c;
		a->opt[a->nopt].value = optarg;
		a->nopt++;
	}
	free(longopts);
	a->pos = argv + optind;
	a->npos = argc - optind;
	if (a->npos < cmd->min_pos)
		return cmd_usage_error(cmd, "missing argument");
	if (cmd->max_pos >= 0 && a->npos > cmd->max_pos)
		return cmd_usage_error(cmd, "unexpected argument '%s'",
		    a->pos[cmd->max_pos]);
	return 0;
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
	int				 c, rc;

	if (dir == NULL || *dir == '\0')
		dir = "ca";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:hV", global, NULL)) != -1) {
		switch (c) {
		case 'd':
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
			fprintf(stderr, "roleca: unknown or incomplete option "
			    "'%s'\n", argv[optind - 1]);
			help_all(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help_all(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
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
	free(a.opt);
	return rc;
}
