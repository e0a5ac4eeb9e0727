/*
 * Causes: the first failure below a command records one message; callers
 * above may put context in front of it. The command prints it once.
 * Messages quote paths and values as the user gave them, so what was
 * typed is escaped where the message is made, once: every cause is one
 * line of UTF-8, also in the audit log, whoever prints it, and a backslash
 * in it always starts an escape, so the text typed can be told back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

/*
 * One byte or character of s at p, escaped into o if it must be: control
 * characters (C0, DEL, C1) as \n, \r, \t or \xHH, bytes that are not
 * UTF-8 as \xHH, a character that would turn the line around or break it
 * (has_format_char) as its bytes \xHH\xHH..., and with backslash set a
 * backslash as \x5c. Returns the bytes of s consumed; o advances past what
 * was written.
 */
static size_t
escape_one(const unsigned char *p, char **o, int backslash)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n = format_char_len((const char *)p);
	char			*w = *o;

	if (n != 0) {
		for (size_t i = 0; i < n; i++) {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[p[i] >> 4];
			*w++ = hex[p[i] & 15];
		}
		*o = w;
		return n;
	}
	n = 1;
	if (*p >= 0x80) {
		n = utf8_char_len((const char *)p);
		/* C1 controls (U+0080-U+009F) act on some terminals */
		if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
			n = 0;
		if (n != 0) {
			memcpy(w, p, n);
			*o = w + n;
			return n;
		}
		n = 1;
	} else if ((*p >= 0x20 && *p != 0x7f && *p != '\\') ||
	    (*p == '\\' && !backslash)) {
		*w++ = (char)*p;
		*o = w;
		return n;
	}
	*w++ = '\\';
	if (*p == '\n')
		*w++ = 'n';
	else if (*p == '\r')
		*w++ = 'r';
	else if (*p == '\t')
		*w++ = 't';
	else {
		*w++ = 'x';
		*w++ = hex[*p >> 4];
		*w++ = hex[*p & 15];
	}
	*o = w;
	return n;
}

static char *
escape(const char *s, int backslash)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;

	/* at most four bytes out per byte in */
	o = out = xmalloc(4 * strlen(s) + 1);
	while (*p != '\0')
		p += escape_one(p, &o, backslash);
	*o = '\0';
	return out;
}

/*
 * A message's backslashes are left alone: it is made of escaped text
 * already, so that escaping it again changes nothing.
 */
char *
err_escape(const char *s)
{
	return escape(s, 0);
}

char *
err_escape_text(const char *s)
{
	return escape(s, 1);
}

/* vasprintf, what was typed in it escaped. */
static char *
vformat(const char *fmt, va_list ap)
{
	char	*raw, *msg;

	if (vasprintf(&raw, fmt, ap) < 0)
		abort();
	msg = err_escape_text(raw);
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

int
err_message(char **cause, int rc, const char *msg)
{
	if (cause == NULL || *cause != NULL)
		return rc;
	*cause = err_escape(msg);
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

void
err_in_file(char **cause, int rc, const char *rule, const char *file)
{
	const char	*p, *colon;
	char		*w, *msg;

	if (cause == NULL || *cause == NULL)
		return;
	if (rc != ERR_POLICY) {
		err_prefix(cause, "%s: ", file);
		return;
	}
	p = *cause;
	w = err_escape_text(file);
	if (strncmp(p, "refused: ", 9) == 0 &&
	    (colon = strstr(p + 9, ": ")) != NULL)
		xasprintf(&msg, "%.*s%s: %s", (int)(colon + 2 - p), p, w,
		    colon + 2);
	else
		xasprintf(&msg, "refused: %s: %s: %s", rule, w, p);
	free(w);
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
