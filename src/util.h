/*
 * Small helpers every module uses: allocation that cannot fail (an
 * out-of-memory CA aborts rather than half-signs), string vectors,
 * distinguished names as ordered (OID, value) lists with the bounds of
 * their values, UTF-8 and host-name syntax, and wiping.
 */
#ifndef ROLECA_UTIL_H
#define ROLECA_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define DAY	86400L	/* seconds */

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Overwrite then free: for anything that held key material or a passphrase. */
void	 wipe_free(void *, size_t);
void	 wipe(void *, size_t);

/* A growable vector of owned strings. */
struct strv {
	char	**v;
	size_t	  n;
};
void	 strv_add(struct strv *, const char *);
void	 strv_add_take(struct strv *, char *);
int	 strv_has(const struct strv *, const char *);		/* exact */
/* ASCII case-insensitive */
int	 strv_has_icase(const struct strv *, const char *);
void	 strv_free(struct strv *);
/* Each non-empty line of text (NULL: none) added. */
void	 strv_add_lines(struct strv *, const char *text);

/*
 * A distinguished name kept as its attributes in order, one RDN each: values
 * are never parsed out of a DN string, so "a,O=Evil" stays one CN.
 */
struct dn_attr {
	const char	*oid;	/* static string from dn_oid() */
	char		*value;
};
struct dn {
	struct dn_attr	*v;
	size_t		 n;
};
/*
 * Short name (CN, O, OU, C, ST, L, DC; case-insensitive) to OID, NULL if
 * unknown.
 */
const char	*dn_oid(const char *);
/*
 * The most characters a value of the attribute may have (RFC 5280's
 * upper bounds; DC one DNS label), 0 for an OID dn_oid() does not give.
 */
size_t		 dn_max_chars(const char *oid);
/*
 * Can value be attribute oid's in a certificate: valid UTF-8, no control
 * character, not empty or only spaces, within dn_max_chars(), C two
 * upper-case ASCII letters, DC ASCII without a '.'? 0, or -1 with why
 * ("is not valid UTF-8") in buf.
 */
int		 dn_value_check(const char *oid, const char *value, char *buf,
		    size_t len);
/* Short name for an OID from dn_oid(), or the OID itself. */
const char	*dn_name(const char *);
/* The first value of an attribute, NULL if absent. */
const char	*dn_get(const struct dn *, const char *oid);
void		 dn_add(struct dn *, const char *, const char *);
void		 dn_free(struct dn *);

/* Extended key usages: the OIDs roleca names, and the names. */
#define OID_SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define OID_CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"
#define OID_ANY_EKU	"2.5.29.37.0"
/* serverAuth, clientAuth, anyExtendedKeyUsage to OID, NULL if unknown. */
const char	*eku_oid(const char *);
/* The name of an EKU OID, or the OID itself. */
const char	*eku_name(const char *);

/*
 * Is s (len bytes) well-formed UTF-8 (RFC 3629): no overlong form, no
 * surrogate (U+D800-U+DFFF), nothing above U+10FFFF, no truncated or
 * stray continuation byte?
 */
int	 utf8_valid(const void *s, size_t len);
/*
 * The bytes of the well-formed UTF-8 character s starts with (1 to 4), 0
 * when s starts with a byte that begins none, or with NUL.
 */
size_t	 utf8_char_len(const char *s);
/* The characters (code points) of a valid UTF-8 string. */
size_t	 utf8_chars(const char *);
/*
 * Are the len bytes all X.680 PrintableString characters (letters, digits,
 * space and '()+,-./:=?)?
 */
int	 asn1_printable(const void *, size_t len);
/*
 * Text as Windows tools may save it: without a leading UTF-8 byte order
 * mark, and UTF-16 (with its BOM, as PowerShell writes) narrowed to ASCII
 * when every character is ASCII. data is changed in place; returns its
 * new length (len when it is neither).
 */
size_t	 text_as_ascii(unsigned char *data, size_t len);
/* Does s hold a C0 control, DEL or a C1 control (U+0080-U+009F)? */
int	 has_control(const char *);
/*
 * Does s (valid UTF-8) hold a character that turns text around, breaks its
 * line or hides: a line or paragraph separator, a bidirectional mark,
 * embedding, override or isolate (U+061C, U+200E, U+200F, U+2028-U+202E,
 * U+2066-U+2069), an invisible one that no script needs (U+00AD soft
 * hyphen, U+180E, U+200B zero width space, U+2060-U+2064 word joiner and
 * invisible operators), the byte order mark U+FEFF, or U+FFFE, U+FFFF?
 * The zero width (non-)joiner, U+200C and U+200D, are not: scripts such
 * as Persian and Devanagari spell words with them.
 */
int	 has_format_char(const char *);
/* The bytes of such a character at the start of s, or 0. */
size_t	 format_char_len(const char *);

/*
 * s cut for quoting in a message (allocated): after max characters (bytes,
 * when s is not valid UTF-8), with "...". It is not escaped: err_set()
 * escapes the message it goes into, once.
 */
char	*quote_text(const char *s, size_t max);

/*
 * Is s a host name: ASCII letters, digits and '-' in labels of 1 to 63
 * characters, no label starting or ending in '-', at most 253 characters,
 * at least min_labels labels, the last not all digits (192.0.2.1 is an
 * address); "*." first only with wildcard (the labels below it still
 * counted)? International names are valid only in their
 * A-label (xn--) form.
 */
int	 host_name_valid(const char *s, int wildcard, size_t min_labels);

/*
 * Write s as a JSON string (quoted, escaped; UTF-8 characters passed
 * through; each byte of a control or format character, and a byte that
 * is not UTF-8, written as the text \xHH, as messages write them, so that
 * the line stays JSON whatever the database holds and its decoded text
 * moves no terminal).
 */
void	 json_string(FILE *, const char *);

/* A serial is at most 20 octets (RFC 5280 4.1.2.2): 40 hex digits. */
#define SERIAL_HEX_MAX	40
/*
 * A serial as typed (hex, any case, ':' between bytes allowed) in the form
 * the database keeps it and commands print it: lower case, no ':', whole
 * bytes without a leading zero byte (00394a and 394a are one serial;
 * roleca's serials never start with a zero byte). Allocated; NULL when the
 * text is not a serial (SERIAL_RULE says what one is).
 */
#define SERIAL_RULE	"hex digits, at most 40 past leading zeros, ':' " \
			"only between them"
char	*serial_normalize(const char *);

/* Lower-case hex of a byte string; the result is allocated. */
char	*hex_encode(const unsigned char *, size_t);

/* How utc_text writes a time. */
enum utc_form {
	UTC_DAY,	/* 2026-12-02 */
	UTC_ISO,	/* 2026-12-02T17:05:00Z */
	UTC_TEXT	/* 2026-12-02 17:05:00 UTC */
};
/*
 * t in UTC, into buf; a time gmtime cannot represent (a damaged record)
 * comes out as its number of seconds instead.
 */
void	 utc_text(char *buf, size_t len, enum utc_form, time_t t);

/*
 * Whole days from now until t, a started day counted as a day: a
 * certificate issued now for 730 days has 730 left, one that expires in an
 * hour has 1, one that expired an hour ago has -1. Zero only when t is now.
 */
long long	 days_left(time_t t, time_t now);
/*
 * Has a certificate whose notAfter is not_after expired at now? Only once
 * notAfter has passed: RFC 5280 4.1.2.5 counts notAfter itself in the
 * validity, so at not_after it is still valid (with 0 days left).
 */
int		 cert_expired(time_t not_after, time_t now);

/*
 * The file an http:// URL names, as the CRL and the CA certificate are
 * published under: the last segment of its path, the query and fragment
 * stripped first, percent-decoded as a web server decodes it (allocated);
 * NULL when that is empty, starts with '.' or holds a '/' or NUL byte
 * (%2F, %00), or the URL is not http://. url_file_segment is that segment
 * as written (*len bytes, not terminated), NULL when there is no path.
 */
char		*url_file_name(const char *url);
const char	*url_file_segment(const char *url, size_t *len);

/*
 * s as inet_ntop() writes the address it is, into buf (INET6_ADDRSTRLEN
 * bytes): buf, or NULL when s is no IPv4 or IPv6 address.
 */
const char	*ip_text(const char *s, char *buf);
/*
 * s (allocated) as inet_ntop() writes the address it spells, s freed; s
 * itself when it is no IP address.
 */
char		*ip_canonical(char *s);

/*
 * Is url one roleca puts in a certificate (a CDP, AIA or OCSP URL):
 * http:// or https://, then a host (a host name, an IPv4 address or an
 * [IPv6] one; no user name), an optional :port (1 to 65535), and a path,
 * query and fragment of RFC 3986's characters, each '%' followed by two
 * hex digits?
 */
int	 url_valid(const char *url);
/*
 * The check before URLs were held to RFC 3986: http:// or https://, a
 * host that is not empty, printable ASCII. An existing CA keeps working
 * with a URL only url_valid() refuses.
 */
int	 url_loose(const char *url);

#endif
