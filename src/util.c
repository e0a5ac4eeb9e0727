/*
 * Allocation that aborts on exhaustion, string vectors, DN attribute lists
 * and wiping.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

static void
oom(void)
{
	fputs("roleca: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	p = realloc(p, n * size != 0 ? n * size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return n;
}

void
wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}

void
wipe_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	free(p);
}

void
strv_add_take(struct strv *sv, char *s)
{
	sv->v = xreallocarray(sv->v, sv->n + 2, sizeof *sv->v);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_add(struct strv *sv, const char *s)
{
	strv_add_take(sv, xstrdup(s));
}

int
strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

int
strv_has_icase(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcasecmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void
strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* Names for OIDs: the DN attributes roleca knows, and the EKUs. */
struct oid_name {
	const char	*name;
	const char	*oid;
};

static const struct oid_name dn_attrs[] = {
	{ "CN", "2.5.4.3" },
	{ "C", "2.5.4.6" },
	{ "L", "2.5.4.7" },
	{ "ST", "2.5.4.8" },
	{ "O", "2.5.4.10" },
	{ "OU", "2.5.4.11" },
	{ "DC", "0.9.2342.19200300.100.1.25" },
};

static const struct oid_name ekus[] = {
	{ "serverAuth", OID_SERVER_AUTH },
	{ "clientAuth", OID_CLIENT_AUTH },
	{ "anyExtendedKeyUsage", OID_ANY_EKU },
};

/* The OID of a name in t (case-insensitive if icase), NULL if none. */
static const char *
oid_of(const struct oid_name *t, size_t n, const char *name, int icase)
{
	for (size_t i = 0; i < n; i++)
		if ((icase ? strcasecmp(t[i].name, name) :
		    strcmp(t[i].name, name)) == 0)
			return t[i].oid;
	return NULL;
}

/* The name of an OID in t, or the OID itself. */
static const char *
name_of(const struct oid_name *t, size_t n, const char *oid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].oid, oid) == 0)
			return t[i].name;
	return oid;
}

const char *
dn_oid(const char *name)
{
	return oid_of(dn_attrs, sizeof dn_attrs / sizeof dn_attrs[0], name, 1);
}

const char *
dn_name(const char *oid)
{
	return name_of(dn_attrs, sizeof dn_attrs / sizeof dn_attrs[0], oid);
}

const char *
eku_oid(const char *name)
{
	return oid_of(ekus, sizeof ekus / sizeof ekus[0], name, 0);
}

const char *
eku_name(const char *oid)
{
	return name_of(ekus, sizeof ekus / sizeof ekus[0], oid);
}

const char *
dn_get(const struct dn *dn, const char *oid)
{
	for (size_t i = 0; i < dn->n; i++)
		if (strcmp(dn->v[i].oid, oid) == 0)
			return dn->v[i].value;
	return NULL;
}

void
dn_add(struct dn *dn, const char *oid, const char *value)
{
	dn->v = xreallocarray(dn->v, dn->n + 1, sizeof *dn->v);
	dn->v[dn->n].oid = oid;
	dn->v[dn->n].value = xstrdup(value);
	dn->n++;
}

void
dn_free(struct dn *dn)
{
	for (size_t i = 0; i < dn->n; i++)
		free(dn->v[i].value);
	free(dn->v);
	dn->v = NULL;
	dn->n = 0;
}

char *
hex_encode(const unsigned char *p, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	char			*s = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0xf];
	}
	s[2 * n] = '\0';
	return s;
}

void
utc_text(char *buf, size_t len, enum utc_form form, time_t t)
{
	struct tm	 tm;
	size_t		 n = 0;

	if (gmtime_r(&t, &tm) != NULL)
		switch (form) {
		case UTC_DAY:
			n = strftime(buf, len, "%Y-%m-%d", &tm);
			break;
		case UTC_ISO:
			n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
			break;
		case UTC_TEXT:
			n = strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
			break;
		}
	if (n == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

long long
days_left(time_t t, time_t now)
{
	long long	 d = (long long)t - (long long)now;

	if (d >= 0)
		return (d + DAY - 1) / DAY;
	return -((-d + DAY - 1) / DAY);
}

void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
