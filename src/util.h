/*
 * Small helpers every module uses: allocation that cannot fail (an
 * out-of-memory CA aborts rather than half-signs), string vectors,
 * distinguished names as ordered (OID, value) lists, and wiping.
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

/* Write s as a JSON string (quoted, escaped; bytes >= 0x80 passed through). */
void	 json_string(FILE *, const char *);

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

#endif
