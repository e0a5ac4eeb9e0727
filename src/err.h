/*
 * Error reporting. Library code never prints or exits: it returns one of
 * the negative codes below and leaves one message with its context in
 * *cause. Commands add their name and print it once.
 */
#ifndef ROLECA_ERR_H
#define ROLECA_ERR_H

/* Return codes of library functions. */
#define ERR_FAIL	(-1)	/* I/O, crypto, database: exit 1 */
/* the caller asked for something malformed: exit 2 */
#define ERR_USAGE	(-2)
#define ERR_POLICY	(-3)	/* refused by a rule: exit 3 */

/* Exit codes of the program (the command-line contract). */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2
#define EXIT_POLICY	3

/*
 * The one guard: every function that can fail declares "int rc = ERR_FAIL;",
 * has one "out:" label that releases what it holds, and calls fallible
 * functions through TRY so the happy path reads straight down.
 */
#define TRY(x) do { if ((rc = (x)) < 0) goto out; } while (0)

/*
 * Set *cause (the first cause wins) and return ERR_FAIL / ERR_USAGE /
 * ERR_POLICY. The message is escaped as err_escape_text() does: the
 * arguments are text as it was given (a path, a value), never a cause.
 */
int	 err_set(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 err_usage(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 err_policy(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Put context in front of an existing cause: "profile x.cfg: " + cause. */
void	 err_prefix(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * The file a failure (rc) came from, put in its cause: in front of an
 * error's ("FILE: cause"), after a policy refusal's "refused: RULE: " so
 * that every refusal reads "refused: rule: message" (one without a rule
 * yet is given rule).
 */
void	 err_in_file(char **cause, int rc, const char *rule,
	    const char *file);
/*
 * Set *cause to msg, a message made already (a policy finding, whose
 * values are quoted), as err_escape() leaves it; returns rc.
 */
int	 err_message(char **, int rc, const char *msg);
/*
 * Text as it was given (typed, or read from a file), escaped so that it is
 * one line of UTF-8 that moves no terminal and can be told back: control
 * characters as \n, \r, \t or \xHH (a C1 control as its two bytes),
 * bytes that are not UTF-8 as \xHH, and a backslash as \x5c, so that
 * every backslash in the result starts an escape. Allocated.
 */
char	*err_escape_text(const char *);
/*
 * A message, whose text is escaped already, made safe to print: as
 * err_escape_text() but a backslash is left alone, so escaping twice
 * changes nothing more. Allocated.
 */
char	*err_escape(const char *);
/* Map a library return code to the process exit code. */
int	 err_exit_code(int);

#endif
