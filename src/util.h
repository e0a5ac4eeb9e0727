/*
 * Small helpers every module uses: allocation that cannot fail (an
 * out-of-memory CA aborts rather than half-signs), string vectors,
 * distinguished names as ordered (OID, value) lists, and wiping.
 */
#ifndef ROLECA_UTIL_H
#define ROLECA_UTIL_H

#include <stddef.h>
#include <stdio.h>

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
int	 strv_has_icase(const struct strv *, const char *);	/* ASCII case-insensitive */
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
/* Short name (CN, O, OU, C, ST, L, DC; case-insensitive) to OID, NULL if unknown. */
const char	*dn_oid(const char *);
/* Short name for an OID from dn_oid(), or the OID itself. */
const char	*dn_name(const char *);
/* The first value of an attribute, NULL if absent. */
const char	*dn_get(const struct dn *, const char *oid);
void		 dn_add(struct dn *, const char *, const char *);
void		 dn_free(struct dn *);

/* Write s as a JSON string (quoted, escaped; bytes >= 0x80 passed through). */
void	 json_string(FILE *, const char *);

/* Lower-case hex of a byte string; the result is allocated. */
char	*hex_encode(const unsigned char *, size_t);

#endif
