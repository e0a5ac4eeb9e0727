/*
 * Reading secrets. The terminal prompt turns echo off and restores it; a
 * file is read whole and wiped; nothing here prints a passphrase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "err.h"
#include "out.h"
#include "pass.h"
#include "sig.h"
#include "util.h"

#define PASS_FILE_MAX	4096
#define PASS_MIN	4

/* The characters of p: code points when it is UTF-8, else bytes. */
static size_t
chars(const char *p)
{
	return utf8_valid(p, strlen(p)) ? utf8_chars(p) : strlen(p);
}

/*
 * Is pass long enough, and does it pass check (NULL: none)? The error
 * names from, where the passphrase came from, as the check's cause does
 * not.
 */
static int
judge(const char *pass, const char *from, int (*check)(const char *,
    char **), char **cause)
{
	char	*why = NULL;
	int	 rc;

	if (chars(pass) < PASS_MIN)
		return err_usage(cause, "%s: the %s must be at least %d "
		    "characters", from, strstr(from, "PIN") != NULL ? "PIN" :
		    "passphrase", PASS_MIN);
	if (check != NULL && (rc = check(pass, &why)) < 0) {
		rc = (rc == ERR_USAGE ? err_usage : err_set)(cause, "%s: %s",
		    from, why != NULL ? why : "not usable");
		free(why);
		return rc;
	}
	return 0;
}

static int
from_file(const char *path, int (*check)(const char *, char **),
    char **pass, char **cause)
{
	static const char	 bom[] = "\xef\xbb\xbf";
	unsigned char		*data = NULL;
	char			*line = NULL, *from;
	size_t			 len = 0;
	int			 rc = ERR_FAIL;

	TRY(out_read(path, PASS_FILE_MAX, &data, &len, cause));
	/* Notepad starts a UTF-8 file with a byte order mark: not typed */
	line = (char *)data;
	if (len >= 3 && memcmp(line, bom, 3) == 0)
		line += 3;
	line[strcspn(line, "\r\n")] = '\0';
	xasprintf(&from, "%s (its first line)", path);
	rc = judge(line, from, check, cause);
	free(from);
	TRY(rc);
	*pass = xstrdup(line);
	rc = 0;
out:
	wipe_free(data, len);
	return rc;
}

/*
 * Ask on the terminal into buf: 0, -1 when there is none (or no line), -2
 * when the line does not fit (it is not cut: a cut passphrase would not
 * be the one typed).
 */
static int
prompt(const char *what, char *buf, size_t size)
{
	struct termios	 old, quiet;
	FILE		*tty;
	int		 ok;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return -1;
	/* unbuffered: a stdio buffer would keep the passphrase after fclose */
	setvbuf(tty, NULL, _IONBF, 0);
	fprintf(tty, "%s: ", what);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) != 0) {
		fclose(tty);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	/* an interrupt at the prompt must not leave the echo off */
	sig_tty_quiet(fileno(tty), &old);
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(buf, (int)size, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	sig_tty_done();
	fputc('\n', tty);
	fclose(tty);
	if (!ok)
		return -1;
	if (strchr(buf, '\n') == NULL && strlen(buf) == size - 1)
		return -2;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int
pass_get(const char *what, const char *file, const char *env, int confirm,
    char **pass, char **cause)
{
	return pass_get_checked(what, file, env, confirm, NULL, pass, cause);
}

int
pass_get_checked(const char *what, const char *file, const char *env,
    int confirm, int (*check)(const char *, char **), char **pass,
    char **cause)
{
	/* as long as a passphrase file's first line may be, and the newline */
	char		 a[PASS_FILE_MAX + 1] = "", b[PASS_FILE_MAX + 1] = "";
	char		*envfile, *from = NULL;
	const char	*v;
	int		 rc = ERR_FAIL, r;

	if (file != NULL)
		return from_file(file, check, pass, cause);
	xasprintf(&envfile, "%s_FILE", env);
	v = getenv(envfile);
	if (v != NULL && *v != '\0') {
		/* a path nobody typed here: say where it came from */
		if ((rc = from_file(v, check, pass, cause)) != 0)
			err_prefix(cause, "%s: ", envfile);
		free(envfile);
		return rc;
	}
	free(envfile);
	if ((v = getenv(env)) != NULL) {
		/* most often a variable left exported empty, not a choice */
		if (*v == '\0')
			return err_usage(cause, "%s is set but empty: put the "
			    "%s in it, or unset it to be asked", env,
			    strstr(env, "PIN") != NULL ? "PIN" : "passphrase");
		TRY(judge(v, env, check, cause));
		*pass = xstrdup(v);
		return 0;
	}
	if ((r = prompt(what, a, sizeof a)) == 0 && confirm)
		r = prompt("again", b, sizeof b);
	if (r == -2) {
		rc = err_usage(cause, "the %s is longer than %d bytes",
		    what, PASS_FILE_MAX - 1);
		goto out;
	}
	if (r != 0) {
		rc = err_usage(cause, "no %s: set %s_FILE to a file holding it "
		    "or %s to it, or run on a terminal", what, env, env);
		goto out;
	}
	if (confirm && strcmp(a, b) != 0) {
		rc = err_usage(cause, "the passphrases differ");
		goto out;
	}
	xasprintf(&from, "the %s typed", what);
	TRY(judge(a, from, check, cause));
	*pass = xstrdup(a);
	rc = 0;
out:
	free(from);
	wipe(a, sizeof a);
	wipe(b, sizeof b);
	return rc;
}

void
pass_free(char *p)
{
	if (p != NULL)
		wipe_free(p, strlen(p));
}
