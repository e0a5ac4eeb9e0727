/*
 * Causes: the first failure below a command records one message; callers
 * above may put context in front of it. The command prints it once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "util.h"

static int
vset(char **cause, int rc, const char *fmt, va_list ap)
{
	char	*msg;

	if (cause == NULL || *cause != NULL)
		return rc;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	*cause = msg;
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
	if (vasprintf(&pre, fmt, ap) < 0)
		abort();
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
