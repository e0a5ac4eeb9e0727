/*
 * Passphrases, never from argv: a file's first line, an environment
 * variable, or the terminal (asked twice when a new secret is set). The
 * caller wipes and frees what it gets.
 */
#ifndef ROLECA_PASS_H
#define ROLECA_PASS_H

/*
 * file if given, else the environment variable env (which may name the
 * passphrase itself, or with the suffix _FILE a file holding it), else a
 * prompt on /dev/tty saying what; confirm asks twice. A file's first line,
 * without a UTF-8 byte order mark before it. At least 4 characters (code
 * points when it is UTF-8).
 */
int	 pass_get(const char *what, const char *file, const char *env,
	    int confirm, char **pass, char **cause);
/*
 * The same, the passphrase also passing check, whose cause says what is
 * wrong; the usage error then names the file or the variable it came
 * from, when it is read and before it is used.
 */
int	 pass_get_checked(const char *what, const char *file,
	    const char *env, int confirm, int (*check)(const char *, char **),
	    char **pass, char **cause);
/* Wipe and free. */
void	 pass_free(char *);

#endif
