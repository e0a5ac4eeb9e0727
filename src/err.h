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
 * ERR_POLICY.
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
 * s with its control characters written as escapes (\n, \t, \xHH), so
 * that it is one line and moves no terminal; allocated. Escaping twice
 * changes nothing more, and every cause is escaped as it is set.
 */
char	*err_escape(const char *);
/* Map a library return code to the process exit code. */
int	 err_exit_code(int);

#endif
