/*
 * Allocation that aborts on exhaustion, string vectors, DN attribute lists
 * and wiping.
 */
#include <arpa/inet.h>
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

void
strv_add_lines(struct strv *sv, const char *text)
{
	for (const char *s = text; s != NULL && *s != '\0'; ) {
		const char	*end = strchr(s, '\n');
		size_t		 len = end != NULL ? (size_t)(end - s) :
			    strlen(s);

		if (len > 0)
			strv_add_take(sv, xstrndup(s, len));
		s += len + (end != NULL);
	}
}

/*
 * Names for OIDs: the DN attributes roleca knows, with the most characters
 * a value may have (RFC 5280's ub-* bounds; C is exactly two; DC, which
 * RFC 4519 leaves unbounded, is one DNS label), and the EKUs.
 */
struct oid_name {
	const char	*name;
	const char	*oid;
	size_t		 max;
};

#define OID_C	"2.5.4.6"
#define OID_DC	"0.9.2342.19200300.100.1.25"

static const struct oid_name dn_attrs[] = {
	{ "CN", "2.5.4.3", 64 },
	{ "C", OID_C, 2 },
	{ "L", "2.5.4.7", 128 },
	{ "ST", "2.5.4.8", 128 },
	{ "O", "2.5.4.10", 64 },
	{ "OU", "2.5.4.11", 64 },
	{ "DC", OID_DC, 63 },
};

static const struct oid_name ekus[] = {
	{ "serverAuth", OID_SERVER_AUTH, 0 },
	{ "clientAuth", OID_CLIENT_AUTH, 0 },
	{ "anyExtendedKeyUsage", OID_ANY_EKU, 0 },
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

size_t
dn_max_chars(const char *oid)
{
	for (size_t i = 0; i < sizeof dn_attrs / sizeof dn_attrs[0]; i++)
		if (strcmp(dn_attrs[i].oid, oid) == 0)
			return dn_attrs[i].max;
	return 0;
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
dn_value_check(const char *oid, const char *value, char *buf, size_t len)
{
	size_t	 max = dn_max_chars(oid), n;

	buf[0] = '\0';
	if (*value == '\0')
		snprintf(buf, len, "is empty");
	else if (value[strspn(value, " ")] == '\0')
		snprintf(buf, len, "is blank");
	else if (!utf8_valid(value, strlen(value)))
		snprintf(buf, len, "is not valid UTF-8");
	else if (has_control(value))
		snprintf(buf, len, "contains a control character");
	else if (has_format_char(value))
		snprintf(buf, len, "contains a line separator, an invisible or "
		    "a bidirectional format character (it could make the name "
		    "read as another)");
	else if (strcmp(oid, OID_C) == 0 && (strlen(value) != 2 ||
	    value[0] < 'A' || value[0] > 'Z' || value[1] < 'A' ||
	    value[1] > 'Z'))
		snprintf(buf, len, "is not a two-letter country code "
		    "(ISO 3166, upper case, as RFC 5280 requires)");
	else if (strcmp(oid, OID_DC) == 0 && !ascii(value))
		snprintf(buf, len, "is not ASCII (a domain component is an "
		    "IA5String: use the xn-- form)");
	else if (strcmp(oid, OID_DC) == 0 && strchr(value, '.') != NULL)
		snprintf(buf, len, "holds a '.' (a domain component is one "
		    "DNS label)");
	else if (max > 0 && (n = utf8_chars(value)) > max)
		snprintf(buf, len, "is %zu characters long (at most %zu: %s)",
		    n, max, strcmp(oid, OID_DC) == 0 ? "a domain component is "
		    "one DNS label" : "RFC 5280's upper bound");
	return buf[0] == '\0' ? 0 : -1;
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

int
utf8_valid(const void *s, size_t len)
{
	const unsigned char	*p = s;
	size_t			 i = 0, n, k;
	unsigned long		 c, min;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else	/* a continuation byte, 0xc0/0xc1, > 0xf4 */
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
utf8_char_len(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	if (*p < 0x80)
		return *p != '\0';
	n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0;
	/* strnlen: a NUL cuts the sequence short, and utf8_valid sees it */
	return n != 0 && utf8_valid(p, strnlen(s, n)) ? n : 0;
}

size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
asn1_printable(const void *s, size_t len)
{
	const unsigned char	*p = s;

	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') ||
		    (p[i] != '\0' && strchr(" '()+,-./:=?", p[i]) != NULL)))
			return 0;
	return 1;
}

size_t
text_as_ascii(unsigned char *data, size_t len)
{
	int	 le;

	if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) {
		memmove(data, data + 3, len - 3);
		return len - 3;
	}
	if (len < 2 || len % 2 != 0 || !((data[0] == 0xff &&
	    data[1] == 0xfe) || (data[0] == 0xfe && data[1] == 0xff)))
		return len;
	le = data[0] == 0xff;
	/* every unit must be ASCII, as PEM and base64 are */
	for (size_t i = 2; i < len; i += 2)
		if (data[i + le] != 0 || data[i + !le] >= 0x80 ||
		    data[i + !le] == 0)
			return len;
	for (size_t i = 2; i < len; i += 2)
		data[i / 2 - 1] = data[i + !le];
	return len / 2 - 1;
}

int
has_control(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
		/* U+0080-U+009F: 0xc2 0x80-0x9f */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 1;
	}
	return 0;
}

size_t
format_char_len(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (p[0] == 0xd8 && p[1] == 0x9c)			/* U+061C */
		return 2;
	if (p[0] == 0xc2 && p[1] == 0xad)			/* U+00AD */
		return 2;
	if (p[0] == 0xe1 && p[1] == 0xa0 && p[2] == 0x8e)	/* U+180E */
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x8b)	/* U+200B */
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa0 && p[2] <= 0xa4)
		return 3;	/* U+2060-U+2064 */
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f ||
	    (p[2] >= 0xa8 && p[2] <= 0xae)))
		return 3;	/* U+200E, U+200F, U+2028-U+202E */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 3;	/* U+2066-U+2069 */
	if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) ||
	    (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))))
		return 3;	/* U+FEFF, U+FFFE, U+FFFF */
	return 0;
}

int
has_format_char(const char *s)
{
	for (; *s != '\0'; s++)
		if (format_char_len(s) != 0)
			return 1;
	return 0;
}

char *
quote_text(const char *s, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 plain = utf8_valid(s, strlen(s));
	char			*out = xmalloc(4 * max + 4), *o = out;
	size_t			 n = 0;

	/* the escaping is the message's (err_set): here only the cut */
	for (; *p != '\0' && n < max; p++) {
		*o++ = (char)*p;
		/* a character is its lead byte and what follows it */
		if (!plain || (p[1] & 0xc0) != 0x80)
			n++;
	}
	if (*p != '\0')
		o += snprintf(o, 4, "...");
	*o = '\0';
	return out;
}

int
host_name_valid(const char *s, int wildcard, size_t min_labels)
{
	size_t		 label = 0, labels = 0;
	const char	*p;
	int		 digits = 1;	/* the label so far is all digits */

	if (s == NULL || *s == '\0' || strlen(s) > 253)
		return 0;
	if (s[0] == '*') {
		if (!wildcard || s[1] != '.')
			return 0;
		s += 2;
	}
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || p[-1] == '-')
				return 0;
			labels++;
			if (*p == '\0')
				break;
			label = 0;
			digits = 1;
			continue;
		}
		/* spelled out so that no locale widens it */
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
		if (*p == '-' && label == 0)
			return 0;
		if (*p < '0' || *p > '9')
			digits = 0;
		if (++label > 63)
			return 0;
	}
	/* an all-numeric top label (RFC 3696 2): 10.0.0.1 is an address */
	return labels >= min_labels && !digits;
}

char *
serial_normalize(const char *s)
{
	char	*n = xmalloc(strlen(s) + 2);
	size_t	 len = 0, zeros = 0;

	/* a ':' only between hex digits: 0a:1b, not :0a, 0a: or 0a::1b */
	for (const char *p = s; *p != '\0'; p++)
		if (*p == ':' && (p == s || p[-1] == ':' || p[1] == '\0'))
			goto bad;
	for (; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s))
			goto bad;
		n[len++] = (char)tolower((unsigned char)*s);
	}
	if (len == 0)
		goto bad;
	n[len] = '\0';
	while (zeros + 1 < len && n[zeros] == '0')
		zeros++;
	/* whole bytes: one '0' back before an odd number of digits */
	if ((len - zeros) % 2 != 0) {
		if (zeros > 0)
			zeros--;
		else {
			memmove(n + 1, n, len + 1);
			n[0] = '0';
		}
	}
	memmove(n, n + zeros, len - zeros + 1);
	/* leading zeros do not count toward the 20 octets */
	if (strlen(n) > SERIAL_HEX_MAX)
		goto bad;
	return n;
bad:
	free(n);
	return NULL;
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

int
cert_expired(time_t not_after, time_t now)
{
	return now > not_after;
}

/*
 * The bytes at p that would move a terminal once decoded (jq -r): a
 * control character (C0, DEL, C1), a format character that reorders or
 * hides text, or a byte that is no UTF-8; 0 for anything else.
 */
static size_t
json_unsafe_len(const unsigned char *p)
{
	size_t	 n;

	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (*p < 0x80)
		return 0;
	if ((n = format_char_len((const char *)p)) > 0)
		return n;
	if ((n = utf8_char_len((const char *)p)) == 0)
		return 1;
	return n == 2 && p[0] == 0xc2 && p[1] <= 0x9f ? 2 : 0;
}

void
json_string(FILE *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	fputc('"', f);
	while (*p != '\0') {
		/* as a message writes them: the text \xHH for each byte */
		if ((n = json_unsafe_len(p)) > 0) {
			for (size_t i = 0; i < n; i++)
				fprintf(f, "\\\\x%02x", p[i]);
			p += n;
		} else if (*p >= 0x80) {
			n = utf8_char_len((const char *)p);
			fwrite(p, 1, n, f);
			p += n;
		} else {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p++, f);
		}
	}
	fputc('"', f);
}

static int
hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

const char *
url_file_segment(const char *url, size_t *len)
{
	const char	*path, *end, *slash;

	if (strncmp(url, "http://", 7) != 0)
		return NULL;
	/* the query or fragment first: a '/' in it is not the path's */
	path = url + 7;
	end = path + strcspn(path, "?#");
	for (slash = NULL; path < end; path++)
		if (*path == '/')
			slash = path;
	if (slash == NULL)
		return NULL;
	*len = (size_t)(end - slash - 1);
	return slash + 1;
}

static unsigned
hex_value(char c)
{
	return c <= '9' ? (unsigned)(c - '0') :
	    (unsigned)((c | 0x20) - 'a' + 10);
}

char *
url_file_name(const char *url)
{
	const char	*seg;
	char		*name, *o;
	size_t		 len;

	if ((seg = url_file_segment(url, &len)) == NULL || len == 0)
		return NULL;
	/* a web server looks the file up percent-decoded (RFC 3986 2.1) */
	o = name = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		if (seg[i] == '%' && i + 2 < len && hex_digit(seg[i + 1]) &&
		    hex_digit(seg[i + 2])) {
			*o++ = (char)(hex_value(seg[i + 1]) * 16 +
			    hex_value(seg[i + 2]));
			i += 2;
		} else
			*o++ = seg[i];
	}
	*o = '\0';
	/* "." or "..", and what no file is named: an encoded '/' or NUL */
	if (name[0] == '.' || name[0] == '\0' || strlen(name) !=
	    (size_t)(o - name) || strchr(name, '/') != NULL) {
		free(name);
		return NULL;
	}
	return name;
}

const char *
ip_text(const char *s, char *buf)
{
	unsigned char	 bin[16];
	int		 af = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, s, bin) != 1)
		return NULL;
	return inet_ntop(af, bin, buf, INET6_ADDRSTRLEN);
}

char *
ip_canonical(char *s)
{
	char	 buf[INET6_ADDRSTRLEN];

	if (ip_text(s, buf) == NULL)
		return s;
	free(s);
	return xstrdup(buf);
}

/* A character RFC 3986 allows in a path, query or fragment, '%' aside. */
static int
url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~!$&'()*+,;=:@/?", c) != NULL);
}

/* The host of [p, end): a host name, an IPv4 address or [IPv6]. */
static int
url_host(const char *p, const char *end)
{
	unsigned char	 bin[16];
	char		 buf[254];
	size_t		 n = (size_t)(end - p);

	if (n >= 2 && p[0] == '[' && end[-1] == ']') {
		p++;
		n -= 2;
		if (n >= INET6_ADDRSTRLEN)
			return 0;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return inet_pton(AF_INET6, buf, bin) == 1;
	}
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return host_name_valid(buf, 0, 1) || inet_pton(AF_INET, buf, bin) == 1;
}

/* What follows http:// or https://, or NULL for another scheme. */
static const char *
url_rest(const char *url)
{
	if (strncmp(url, "http://", 7) == 0)
		return url + 7;
	if (strncmp(url, "https://", 8) == 0)
		return url + 8;
	return NULL;
}

int
url_loose(const char *url)
{
	const char	*p = url_rest(url);

	if (p == NULL || *p == '\0' || *p == '/' || *p == ':')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

int
url_valid(const char *url)
{
	const char	*p, *auth, *colon, *end;
	unsigned long	 port;
	int		 fragment = 0;

	if ((p = url_rest(url)) == NULL)
		return 0;
	/* the authority: a host and a port, no user name (RFC 3986 3.2) */
	auth = p;
	end = p + strcspn(p, "/?#");
	colon = NULL;
	for (const char *q = auth; q < end; q++)
		if (*q == ':')
			colon = q;
	if (colon != NULL && memchr(colon, ']', (size_t)(end - colon)) != NULL)
		colon = NULL;		/* inside [IPv6] */
	if (!url_host(auth, colon != NULL ? colon : end))
		return 0;
	if (colon != NULL) {
		if (colon + 1 == end || end - colon > 6)
			return 0;
		port = 0;
		for (const char *q = colon + 1; q < end; q++) {
			if (*q < '0' || *q > '9')
				return 0;
			port = port * 10 + (unsigned long)(*q - '0');
		}
		if (port == 0 || port > 65535)
			return 0;
	}
	/* the path, query and fragment: RFC 3986's characters */
	for (p = end; *p != '\0'; p++) {
		if (*p == '%') {
			if (!hex_digit(p[1]) || !hex_digit(p[2]))
				return 0;
			p += 2;
		} else if (*p == '#') {
			if (fragment++)
				return 0;
		} else if (!url_char(*p))
			return 0;
	}
	return 1;
}
