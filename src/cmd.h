/*
 * The command table. Each cmd-*.c defines one struct command: its name,
 * usage, options and positional-argument bounds are declared there, parsed
 * uniformly by roleca.c, and its run function does the work through the
 * library modules and returns an exit code.
 */
#ifndef ROLECA_CMD_H
#define ROLECA_CMD_H

#include <getopt.h>
#include <stddef.h>

/* Parsed options (in order, repeated ones kept) and positional arguments. */
struct args {
	struct {
		int	 code;
		char	*value;	/* NULL for flags */
	}		*opt;
	size_t		 nopt;
	char		**pos;
	int		 npos;
};

const char	*args_get(const struct args *, int code);	/* last value */
int		 args_has(const struct args *, int code);
/*
 * A whole number of days given with option code, 0 to max: 1 with *days
 * set, 0 when the option is absent, -1 when its value is no such number.
 */
int		 args_days(const struct args *, int code, unsigned max,
		    unsigned *days);
/* The i-th value of a repeated option, NULL past the end. */
const char	*args_nth(const struct args *, int code, size_t i);

struct command {
	const char		*name;
	const char		*usage;		/* arguments after the name */
	const char		*summary;	/* one line */
	const char		*help;		/* the options, one per line */
	/* getopt_long table, val = code */
	const struct option	*options;
	int			 min_pos;
	int			 max_pos;	/* -1: unbounded */
	int			(*run)(const struct command *, const char *dir,
				    const struct args *);
};

/*
 * Print "roleca: NAME: cause" once, free cause, and return the exit code for
 * rc.
 */
int	 cmd_fail(const struct command *, int rc, char **cause);
/* Print a one-line message for a usage error and return EXIT_USAGE. */
int	 cmd_usage_error(const struct command *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Is dir the default ./ca, which neither --dir nor $ROLECA_DIR named (an
 * explicit "ca" is not)? For a command that works without a CA too.
 */
int	 cmd_dir_is_default(const char *dir);
/*
 * For a command that works without a CA too: is dir there in any form, so
 * that it is opened (and refused when it is no CA)? A half-made CA or a
 * file in its place must not drop the CA's rules unnoticed.
 */
int	 cmd_dir_present(const char *dir);

struct findings;
struct store;
/*
 * Append the operation's outcome to the CA's audit log ("ok", or the
 * cause): when the log cannot be written, say so on stderr.
 */
void	 cmd_audit(const struct command *, struct store *, const char *serial,
	    const char *profile, int rc, const char *cause);
/*
 * The same for one of several things a command does (deploy: a server),
 * named after the outcome's kind: "refused: WHO: rule: message".
 */
void	 cmd_audit_for(const struct command *, struct store *,
	    const char *serial, const char *profile, const char *who, int rc,
	    const char *cause);
/* The same for an operation on a recorded certificate: its profile logged. */
void	 cmd_audit_cert(const struct command *, struct store *,
	    const char *serial, int rc, const char *cause);
/*
 * Print every finding as "roleca: NAME: refused: rule: message"; the last
 * goes into *cause so cmd_fail() prints it, and cmd_audit() logs them all
 * with it, "refused: rule: message; rule: message". Returns ERR_POLICY.
 */
int	 cmd_refused(const struct command *, const struct findings *,
	    char **cause);

extern const struct command cmd_init;
extern const struct command cmd_install_cert;
extern const struct command cmd_profiles;
extern const struct command cmd_issue;
extern const struct command cmd_check;
extern const struct command cmd_show;
extern const struct command cmd_list;
extern const struct command cmd_log;
extern const struct command cmd_request;
extern const struct command cmd_sign;
extern const struct command cmd_export;
extern const struct command cmd_renew;
extern const struct command cmd_deploy;
extern const struct command cmd_revoke;
extern const struct command cmd_unrevoke;
extern const struct command cmd_crl;
extern const struct command cmd_publish;



#endif
