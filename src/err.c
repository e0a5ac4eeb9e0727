/*
 * Causes: the first failure below a command records one message; callers
 * above may put context in front of it. The command prints it once.
 * Messages quote paths and values as the user gave them, so their control
 * characters are escaped where the message is made: every cause is one
 * line, also in the audit log, whoever prints it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

/*
 * Backslashes are left alone so that escaping is idempotent: a cause that
 * quotes another cause is not escaped twice over.
 */
char *
err_escape(const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;

	/* at most four bytes out per byte in */
	o = out = xmalloc(4 * strlen(s) + 1);
	for (; *p != '\0'; p++) {
		/* C1 controls (U+0080-U+009F) in UTF-8 act on some terminals */
		int	 c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (*p >= 0x20 && *p != 0x7f && !c1) {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		if (*p == '\n')
			*o++ = 'n';
		else if (*p == '\r')
			*o++ = 'r';
		else if (*p == '\t')
			*o++ = 't';
		else {
			*o++ = 'x';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
		if (c1) {
			/* the second byte, as \xHH too */
			p++;
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* vasprintf, escaped. */
static char *
vformat(const char *fmt, va_list ap)
{
	char	*raw, *msg;

	if (vasprintf(&raw, fmt, ap) < 0)
		abort();
	msg = err_escape(raw);
	free(raw);
	return msg;
}

static int
vset(char **cause, int rc, const char *fmt, va_list ap)
{
	if (cause == NULL || *cause != NULL)
		return rc;
	*cause = vformat(fmt, ap);
	return rc;
}

int
err_set(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = vset(cause, ERR_FAIL, fmt, ap);
	va_end(ap);
	return rc;
}

int
err_usage(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = vset(cause, ERR_USAGE, fmt, ap);
	va_end(ap);
	return rc;
}

int
err_policy(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = vset(cause, ERR_POLICY, fmt, ap);
	va_end(ap);
	return rc;
}

void
err_prefix(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*pre, *msg;

	if (cause == NULL || *cause == NULL)
		return;
	va_start(ap, fmt);
	pre = vformat(fmt, ap);
	va_end(ap);
	xasprintf(&msg, "%s%s", pre, *cause);
	free(pre);
	free(*cause);
	*cause = msg;
}

int
err_exit_code(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_OK;
	case ERR_USAGE:
		return EXIT_USAGE;
	case ERR_POLICY:
		return EXIT_POLICY;
	default:
		return EXIT_ERROR;
	}
}
