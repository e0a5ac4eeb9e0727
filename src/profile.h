/*
 * Role profiles: libconfig templates that say which names, key, lifetime
 * and extensions a server role gets. profile_load() validates a template;
 * profile_bind() fills its variables and yields a concrete request, the
 * value the rest of the pipeline builds a certificate or CSR from.
 */
#ifndef ROLECA_PROFILE_H
#define ROLECA_PROFILE_H

#include "conf.h"
#include "keys.h"
#include "util.h"

struct profile_var {
	char	*name;
	char	*description;
	char	*def;		/* default value, NULL if none */
	int	 required;
	int	 list;		/* takes several values */
};

/* A template string and where it came from, for file:line messages. */
struct profile_tmpl {
	const char	*oid;	/* subject attribute OID; NULL for names */
	char		*text;
	int		 line;
};

struct profile {
	char			*name;		/* file name without .cfg */
	char			*path;
	char			*description;
	struct profile_var	*vars;
	size_t			 nvars;
	struct profile_tmpl	*subject;	/* in RDN order */
	size_t			 nsubject;
	struct profile_tmpl	*dns;
	size_t			 ndns;
	struct profile_tmpl	*ip;
	size_t			 nip;
	struct keyspec		 key;
	unsigned		 validity_days;
	/* dotted OIDs, serverAuth first */
	struct strv		 eku;
	/* GNUTLS_KEY_* bits; 0: default for the key */
	unsigned		 key_usage;
	struct strv		 cdp;		/* URLs added to the CA's */
	/* template; NULL: the subject CN */
	char			*friendly_name;
	int			 allow_wildcard;
	int			 allow_ip;
};

/* Values given with --set, in order; a list variable may be set repeatedly. */
struct profile_value {
	char		*name;
	struct strv	 values;
};
struct profile_values {
	struct profile_value	*v;
	size_t			 n;
};
/* Parse "name=value" (value may be empty only for an error). */
int	 profile_values_add(struct profile_values *, const char *arg,
	    char **cause);
/* The values as a certificate's record keeps them: "name=value" lines. */
int	 profile_values_parse(struct profile_values *, const char *text,
	    char **cause);
void	 profile_values_free(struct profile_values *);

/* A certificate or CSR to make: everything concrete. */
struct request {
	char		*profile;	/* profile name */
	struct dn	 subject;
	struct strv	 dns;
	struct strv	 ip;
	struct keyspec	 key;
	unsigned	 validity_days;
	struct strv	 eku;
	unsigned	 key_usage;	/* resolved: never 0 */
	/* the profile's extra URLs (the CA adds its own) */
	struct strv	 cdp;
	char		*friendly_name;
	/* "name=value" lines as bound, for the database */
	char		*vars;
	/*
	 * the names asked for beyond what the variables give (a CSR's, or
	 * those a renewal keeps), "DNS:" and "IP:" lines, for the database
	 */
	char		*asked;
};
void	 request_free(struct request *);

/* Is s a profile name: [A-Za-z0-9_-]+? */
int	 profile_name_valid(const char *);

/*
 * Find a profile by name: NAME is [A-Za-z0-9_-]+ and is looked up as
 * NAME.cfg in ca_dir/profiles (if ca_dir), then each directory of
 * $ROLECA_PROFILE_PATH (colon-separated), then the installed data
 * directory. Any other NAME ("../x", "x.cfg") is a usage error, so a
 * profile name can never reach outside those directories. Only a missing
 * file (or directory) moves the search on: a place that cannot be looked
 * at (EACCES...), or a directory of the path that is something else (a
 * file), is an error naming it, never a fall back to the next.
 */
int	 profile_find(const char *name, const char *ca_dir, char **path,
	    char **cause);
/*
 * Every NAME.cfg on that search path, first occurrence wins, sorted; a
 * directory of the path as profile_find() has it.
 */
/*
 * The profile search path in order: DIR/profiles (ca_dir set),
 * $ROLECA_PROFILE_PATH's directories, PROFILEDIR; appended to dirs.
 */
void	 profile_search_path(const char *ca_dir, struct strv *dirs);
int	 profile_list(const char *ca_dir, struct strv *paths, char **cause);

/*
 * Load and validate. Templates are UTF-8 without control characters, the
 * CN's and the dNSNames' ASCII, literal subject attributes within
 * dn_value_check(). With policy, literal names (templates without
 * variables) outside the permitted domains are refused too.
 */
int	 profile_load(const char *path, const struct ca_policy *policy,
	    struct profile **, char **cause);
void	 profile_free(struct profile *);

/*
 * Fill the variables: unknown names, a missing required variable, several
 * values for a non-list variable, a value that is not UTF-8 or holds a
 * control character, a value outside ASCII in a variable that makes a
 * host name (one a dNSName or the CN uses: an IDN is refused with its
 * A-label as the hint, never converted), and a subject attribute past
 * RFC 5280's bounds (dn_value_check) are usage errors. A template that
 * uses an optional variable left unset is dropped; a list variable
 * expands its template once per value. Host name syntax is not judged
 * here: policy.c judges the names (policy_check_names for a request).
 */
/*
 * The checks of the values alone, as profile_bind (partial:
 * profile_bind_partial) makes them, without building the request: for a
 * file of many servers, every one judged before anything is made.
 */
int	 profile_values_check(const struct profile *,
	    const struct profile_values *, int partial, char **cause);
int	 profile_bind(const struct profile *, const struct profile_values *,
	    struct request **, char **cause);
/*
 * The same for signing a CSR, whose own names complete the request:
 * required variables may be left unset (their templates are left out of
 * the request, for the CSR's names to fill) and the subject may end up
 * without a CN.
 */
int	 profile_bind_partial(const struct profile *,
	    const struct profile_values *, struct request **, char **cause);
/*
 * Fit a bound request to the key it certifies when that key was not made
 * for it (a CSR's, an old certificate's, a certificate being checked):
 * the key's own spec, and the keyUsage that follows from its type when the
 * profile names none. The policy then judges the key against the role's.
 */
void	 profile_fit_key(struct request *, const struct profile *,
	    const struct keyspec *);
/* The keyUsage bits a certificate of the role gets for a key like k. */
unsigned	 profile_key_usage(const struct profile *,
	    const struct keyspec *);
/*
 * For signing: is name template t (one of the profile's dns or ip) left
 * open by the values (a variable in it has neither a value nor a
 * default), so that a CSR's name may take its place? *list: it takes any
 * number of names (an open list variable); *literal: how many of its
 * characters are not variables.
 */
int	 profile_tmpl_open(const struct profile *,
	    const struct profile_values *, const struct profile_tmpl *t,
	    int *list, size_t *literal);
/*
 * May dNSName template i be left out? It may when it uses an optional
 * variable (one neither required nor with a default); every other
 * template names something the role needs.
 */
int	 profile_dns_optional(const struct profile *, size_t i);
/*
 * Template text as names must fit it: each variable the values bind
 * (given, or its default) replaced by its value, a list one giving one
 * pattern per value; the others left as ${name} (each standing for one or
 * more characters). Added to out, once each.
 */
void	 profile_tmpl_patterns(const struct profile *,
	    const struct profile_values *, const char *text, struct strv *out);
/*
 * A required variable no value binds (given, or a default) that a subject
 * attribute other than the CN uses, or NULL: binding loosely, as sign and
 * renew do, would drop that attribute.
 */
const struct profile_var *profile_subject_unbound(const struct profile *,
	    const struct profile_values *);
/* The role's subject CN template, or NULL. */
const char	*profile_cn_template(const struct profile *);
/* How many of a pattern's characters are literal, for the best fit. */
size_t	 profile_pattern_literal(const char *pattern);
/*
 * A variable no value binds takes its value from names: those of dNSName
 * template i are names[i] (p->ndns of them), and cn the subject's CN when
 * it was taken from a request or a certificate (else NULL). A variable
 * then has one value in every template that uses it; a list variable the
 * same set of values in each, its first (the CN's) among them
 * (sip.${sip_domain} and meet.${sip_domain} name the same domains): 0 when
 * they agree, else 1 with *gap saying which value of which variable is in
 * template in but not in template out, or, with other set, which two
 * values (both allocated, lower case) one variable has.
 */
struct list_gap {
	const char	*var;
	char		*value;
	char		*other;
	const char	*in;
	const char	*out;
};
int	 profile_values_agree(const struct profile *,
	    const struct profile_values *, const struct strv *names,
	    const char *cn, struct list_gap *gap);

#endif
