/*
 * Role profiles. Loading refuses anything doubtful (unknown keys, unknown
 * variables, an EKU without serverAuth) with file:line, so a typo can never
 * silently drop a name or a rule; binding fills the variables and yields
 * the concrete request the rest of the pipeline builds from.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <gnutls/x509.h>
#include <libconfig.h>

#include "cfg.h"
#include "conf.h"
#include "err.h"
#include "keys.h"
#include "profile.h"
#include "util.h"

#ifndef PROFILEDIR
#error "PROFILEDIR (the installed profile directory) must be defined"
#endif


static const char *const top_keys[] = {
	"description", "variables", "subject", "dns", "ip", "key",
	"validity_days", "eku", "key_usage", "cdp", "friendly_name",
	"allow_wildcard", "allow_ip", NULL
};
static const char *const var_keys[] = {
	"description", "required", "default", "list", NULL
};

/* keyCertSign and cRLSign are known so that the refusal can say why. */
static const struct {
	const char	*name;
	unsigned	 bit;
	int		 allowed;
} key_usages[] = {
	{ "digitalSignature", GNUTLS_KEY_DIGITAL_SIGNATURE, 1 },
	{ "keyEncipherment", GNUTLS_KEY_KEY_ENCIPHERMENT, 1 },
	{ "keyAgreement", GNUTLS_KEY_KEY_AGREEMENT, 1 },
	{ "nonRepudiation", GNUTLS_KEY_NON_REPUDIATION, 1 },
	{ "keyCertSign", GNUTLS_KEY_KEY_CERT_SIGN, 0 },
	{ "cRLSign", GNUTLS_KEY_CRL_SIGN, 0 },
};

static int	 fail_at(char **, int, const config_setting_t *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));

/* "FILE:LINE: message" located at a setting; returns rc. */
static int
fail_at(char **cause, int rc, const config_setting_t *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*where, *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	where = cfg_where(s);
	if (rc == ERR_POLICY)
		err_policy(cause, "%s: %s", where, msg);
	else
		err_set(cause, "%s: %s", where, msg);
	free(where);
	free(msg);
	return rc;
}

/*
 * [a-z_][a-z0-9_]*, spelled out so the locale cannot widen it (libconfig
 * itself refuses a leading '_').
 */
static int
var_name_ok(const char *s, size_t len)
{
	if (len == 0 || (s[0] != '_' && (s[0] < 'a' || s[0] > 'z')))
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] != '_' && (s[i] < 'a' || s[i] > 'z') &&
		    (s[i] < '0' || s[i] > '9'))
			return 0;
	}
	return 1;
}

/* [A-Za-z0-9_-]+: a profile name can never climb out of a directory. */
int
profile_name_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((*s < 'a' || *s > 'z') && (*s < 'A' || *s > 'Z') &&
		    (*s < '0' || *s > '9') && *s != '_' && *s != '-')
			return 0;
	}
	return 1;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * The A-label (xn--) form of an international host name, allocated, or
 * NULL when it has none. Only for the hint in a refusal: a host name is
 * never converted, since the server platform takes no IDNs in
 * certificates and a converted name would differ from the CN and from
 * what was asked for.
 */
static char *
alabel(const char *s)
{
	gnutls_datum_t	 a = { NULL, 0 };
	char		*out = NULL;

	if (gnutls_idna_map(s, (unsigned)strlen(s), &a, 0) >= 0 &&
	    is_ascii((const char *)a.data))
		out = xstrndup((const char *)a.data, a.size);
	gnutls_free(a.data);
	return out;
}

/* "'café.example' is not an ASCII host name; give its A-label ..." */
static char *
idn_refusal(const char *s)
{
	char	*q = quote_text(s, 64), *a = alabel(s), *msg;

	xasprintf(&msg, "'%s' is not an ASCII host name: roleca puts no "
	    "international names in certificates; give its A-label form%s%s%s",
	    q, a != NULL ? " '" : " (xn--...)", a != NULL ? a : "",
	    a != NULL ? "'" : "");
	free(a);
	free(q);
	return msg;
}

static int
var_index(const struct profile *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->nvars; i++) {
		if (strlen(p->vars[i].name) == len &&
		    strncmp(p->vars[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * The next ${name} in s: 1 with *ref at its '$' and the name in
 * [*name, *name + *len), 0 when there is none, -1 when a '$' does not
 * start a well-formed reference. There is no escape: no name roleca puts
 * in a certificate contains a '$'.
 */
static int
tmpl_next(const char *s, const char **ref, const char **name, size_t *len)
{
	const char	*d = strchr(s, '$'), *end;

	if (d == NULL)
		return 0;
	if (d[1] != '{' || (end = strchr(d + 2, '}')) == NULL ||
	    !var_name_ok(d + 2, (size_t)(end - d - 2)))
		return -1;
	*ref = d;
	*name = d + 2;
	*len = (size_t)(end - d - 2);
	return 1;
}

/* out gets prefix followed by the n bytes of s. */
static void
pat_add(struct strv *out, const char *prefix, const char *s, size_t n)
{
	char	*t;

	xasprintf(&t, "%s%.*s", prefix, (int)n, s);
	strv_add(out, t);
	free(t);
}

/* out gets prefix, the n bytes of s, then value. */
static void
pat_add_value(struct strv *out, const char *prefix, const char *s, size_t n,
    const char *value)
{
	char	*t;

	xasprintf(&t, "%s%.*s%s", prefix, (int)n, s, value);
	strv_add(out, t);
	free(t);
}

/* The list variable a (valid) template uses, -1 if none. */
static int
tmpl_listvar(const struct profile *p, const char *text)
{
	const char	*ref, *name;
	size_t		 len;
	int		 i;

	while (tmpl_next(text, &ref, &name, &len) == 1) {
		if ((i = var_index(p, name, len)) >= 0 && p->vars[i].list)
			return i;
		text = name + len + 1;
	}
	return -1;
}

/*
 * Load time: every reference well-formed and declared, and at most one
 * list variable, since expanding two would have to mean a cross product.
 */
static int
tmpl_check(const struct profile *p, const char *text,
    const config_setting_t *s, char **cause)
{
	const char	*t = text, *ref, *name;
	char		*q;
	size_t		 len;
	int		 r, i, list = -1;

	if (*text == '\0')
		return fail_at(cause, ERR_FAIL, s, "empty template");
	/* the text goes into certificates: UTF-8, one line */
	if (!utf8_valid(text, strlen(text)) || has_control(text)) {
		q = quote_text(text, 64);
		r = fail_at(cause, ERR_FAIL, s, "'%s' %s", q,
		    !utf8_valid(text, strlen(text)) ? "is not valid UTF-8" :
		    "contains a control character");
		free(q);
		return r;
	}
	while ((r = tmpl_next(t, &ref, &name, &len)) == 1) {
		if ((i = var_index(p, name, len)) < 0)
			return fail_at(cause, ERR_FAIL, s,
			    "undefined variable '%.*s'", (int)len, name);
		if (p->vars[i].list && list >= 0 && list != i)
			return fail_at(cause, ERR_FAIL, s, "'%s' uses two list "
			    "variables ('%s' and '%s'): a template may use at "
			    "most one", text, p->vars[list].name,
			    p->vars[i].name);
		if (p->vars[i].list)
			list = i;
		t = name + len + 1;
	}
	if (r < 0)
		return fail_at(cause, ERR_FAIL, s, "'%s': a '$' must start a "
		    "variable reference ${name}", text);
	return 0;
}

static void
append(char **s, size_t *n, const char *p, size_t len)
{
	*s = xreallocarray(*s, *n + len + 1, 1);
	memcpy(*s + *n, p, len);
	*n += len;
	(*s)[*n] = '\0';
}

/*
 * Expand a template with value k of its list variable (the first value of
 * any other variable): 1 with *out allocated, or 0 with *missing naming a
 * variable that has no value, so the caller drops the template.
 */
static int
tmpl_expand(const struct profile *p, const struct strv *vals,
    const char *text, size_t k, char **out, const char **missing)
{
	const char	*ref, *name;
	char		*s = NULL;
	size_t		 n = 0, len, j;
	int		 i;

	append(&s, &n, "", 0);
	while (tmpl_next(text, &ref, &name, &len) == 1) {
		i = var_index(p, name, len);
		if (i < 0 || vals[i].n == 0) {
			*missing = i < 0 ? "?" : p->vars[i].name;
			free(s);
			return 0;
		}
		j = p->vars[i].list && k < vals[i].n ? k : 0;
		append(&s, &n, text, (size_t)(ref - text));
		append(&s, &n, vals[i].v[j], strlen(vals[i].v[j]));
		text = name + len + 1;
	}
	append(&s, &n, text, strlen(text));
	*out = s;
	return 1;
}

/* A string or list member's element i, for cfg_where(). */
static const config_setting_t *
elem(const config_setting_t *group, const char *name, size_t i)
{
	config_setting_t	*s = config_setting_get_member(group, name);

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return s;
	return config_setting_get_elem(s, (unsigned)i);
}

static int
load_default(const config_setting_t *e, struct profile_var *v, char **cause)
{
	const char	*def = NULL;
	int		 rc = ERR_FAIL;

	TRY(cfg_string(e, "default", 0, &def, cause));
	if (def == NULL)
		return 0;
	e = config_setting_get_member(e, "default");
	if (strstr(def, "${") != NULL)
		return fail_at(cause, ERR_FAIL, e, "the default of '%s' must "
		    "be literal: defaults cannot refer to variables", v->name);
	if (*def == '\0' || !utf8_valid(def, strlen(def)) || has_control(def))
		return fail_at(cause, ERR_FAIL, e, "the default of '%s' must "
		    "be non-empty UTF-8 text, without control characters",
		    v->name);
	v->def = xstrdup(def);
	rc = 0;
out:
	return rc;
}

/*
 * A description, of the profile or of a variable: one line of UTF-8, since
 * roleca profiles prints it to a terminal as it is.
 */
static int
load_description(const config_setting_t *g, int required, char **out,
    char **cause)
{
	const char	*desc = NULL;
	char		*q;
	int		 rc = ERR_FAIL;

	TRY(cfg_string(g, "description", required, &desc, cause));
	if (desc == NULL)
		return 0;
	if (required && desc[strspn(desc, " ")] == '\0') {
		rc = fail_at(cause, ERR_FAIL, config_setting_get_member(g,
		    "description"), "description is empty (one line on the "
		    "role)");
		goto out;
	}
	if (!utf8_valid(desc, strlen(desc)) || has_control(desc) ||
	    has_format_char(desc)) {
		q = quote_text(desc, 64);
		rc = fail_at(cause, ERR_FAIL, config_setting_get_member(g,
		    "description"), "description '%s' %s (a description is one "
		    "line of text)", q, !utf8_valid(desc, strlen(desc)) ?
		    "is not valid UTF-8" : has_control(desc) ?
		    "contains a control character" : "contains a line "
		    "separator, an invisible or a bidirectional format "
		    "character");
		free(q);
		goto out;
	}
	*out = xstrdup(desc);
	rc = 0;
out:
	return rc;
}

static int
load_var(const config_setting_t *e, struct profile_var *v, char **cause)
{
	const char	*name = config_setting_name(e);
	char		*what = NULL;
	int		 rc = ERR_FAIL;

	if (!config_setting_is_group(e))
		return fail_at(cause, ERR_FAIL, e, "variable '%s' must be a "
		    "group: %s = { description = \"...\"; };", name, name);
	if (!var_name_ok(name, strlen(name)))
		return fail_at(cause, ERR_FAIL, e, "variable name '%s' must be "
		    "lower-case letters, digits and '_'", name);
	v->name = xstrdup(name);
	xasprintf(&what, "variable '%s'", name);
	TRY(cfg_check_keys(e, var_keys, what, cause));
	TRY(load_description(e, 0, &v->description, cause));
	TRY(load_default(e, v, cause));
	v->required = v->def == NULL;
	TRY(cfg_bool(e, "required", &v->required, cause));
	if (v->required && v->def != NULL) {
		rc = fail_at(cause, ERR_FAIL, e, "variable '%s' has a default, "
		    "so it cannot be required", name);
		goto out;
	}
	TRY(cfg_bool(e, "list", &v->list, cause));
	rc = 0;
out:
	free(what);
	return rc;
}

static int
load_vars(const config_setting_t *root, struct profile *p, char **cause)
{
	config_setting_t	*g = config_setting_get_member(root,
	    "variables");
	int			 rc = ERR_FAIL, n;

	if (g == NULL || !config_setting_is_group(g))
		return fail_at(cause, ERR_FAIL, g != NULL ? g : root,
		    "'variables' (a group, possibly empty) is required");
	n = config_setting_length(g);
	p->vars = xcalloc((size_t)n, sizeof *p->vars);
	for (int i = 0; i < n; i++) {
		/*
		 * Counted first so that profile_free() sees a half-loaded one.
		 */
		struct profile_var	*v = &p->vars[p->nvars++];

		TRY(load_var(config_setting_get_elem(g, (unsigned)i), v,
		    cause));
	}
	rc = 0;
out:
	return rc;
}

/*
 * A subject template, after tmpl_check: a literal is judged as the value
 * it is (RFC 5280's bounds, C, DC); the CN names the server, so it is
 * ASCII like every host name.
 */
static int
check_attr(const char *oid, const char *name, const char *text,
    const config_setting_t *e, char **cause)
{
	char	 why[128], *msg;
	int	 rc;

	if (strcmp(oid, dn_oid("CN")) == 0 && !is_ascii(text)) {
		msg = idn_refusal(text);
		rc = fail_at(cause, ERR_FAIL, e, "subject CN %s", msg);
		free(msg);
		return rc;
	}
	if (strchr(text, '$') == NULL &&
	    dn_value_check(oid, text, why, sizeof why) != 0)
		return fail_at(cause, ERR_FAIL, e, "subject %s %s", name, why);
	return 0;
}

static int
load_attr(const config_setting_t *e, struct profile *p, char **cause)
{
	const char	*name = config_setting_name(e), *oid, *text;
	int		 rc = ERR_FAIL;

	if ((oid = dn_oid(name)) == NULL)
		return fail_at(cause, ERR_FAIL, e, "unknown subject attribute "
		    "'%s' (use CN, O, OU, C, ST, L or DC)", name);
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return fail_at(cause, ERR_FAIL, e,
		    "subject %s must be a string", name);
	for (size_t i = 0; i < p->nsubject; i++)
		if (strcmp(p->subject[i].oid, oid) == 0)
			return fail_at(cause, ERR_FAIL, e, "subject attribute "
			    "'%s' given twice", name);
	text = config_setting_get_string(e);
	TRY(tmpl_check(p, text, e, cause));
	TRY(check_attr(oid, name, text, e, cause));
	p->subject[p->nsubject].oid = oid;
	p->subject[p->nsubject].text = xstrdup(text);
	p->subject[p->nsubject].line = (int)config_setting_source_line(e);
	p->nsubject++;
	rc = 0;
out:
	return rc;
}

static int
load_subject(const config_setting_t *root, struct profile *p, char **cause)
{
	config_setting_t	*g = config_setting_get_member(root, "subject");
	int			 rc = ERR_FAIL, n;

	if (g == NULL || !config_setting_is_group(g))
		return fail_at(cause, ERR_FAIL, g != NULL ? g : root,
		    "'subject' (a group with at least CN) is required");
	n = config_setting_length(g);
	p->subject = xcalloc((size_t)n, sizeof *p->subject);
	for (int i = 0; i < n; i++)
		TRY(load_attr(config_setting_get_elem(g, (unsigned)i), p,
		    cause));
	for (size_t i = 0; i < p->nsubject; i++)
		if (strcmp(p->subject[i].oid, dn_oid("CN")) == 0)
			return 0;
	rc = fail_at(cause, ERR_FAIL, g, "subject needs a CN");
out:
	return rc;
}

/*
 * What only the profile knows about a name: wildcard, IP, literal domain.
 * A literal (a template without variables) is judged as the name it is,
 * so that a profile no certificate could be made from is refused where
 * the mistake is, not by every issue.
 */
static int
check_name(const struct profile *p, int ip, const char *text,
    const config_setting_t *s, const struct ca_policy *policy, char **cause)
{
	unsigned char	 addr[16];
	int		 literal = strchr(text, '$') == NULL;

	if (ip && !p->allow_ip)
		return fail_at(cause, ERR_FAIL, s, "'%s': IP addresses need "
		    "allow_ip = true", text);
	if (ip && literal && inet_pton(AF_INET, text, addr) != 1 &&
	    inet_pton(AF_INET6, text, addr) != 1)
		return fail_at(cause, ERR_FAIL, s, "ip '%s' is not an IPv4 or "
		    "IPv6 address", text);
	if (ip)
		return 0;
	if (strncmp(text, "*.", 2) == 0 && !p->allow_wildcard)
		return fail_at(cause, ERR_FAIL, s, "'%s' is a wildcard: set "
		    "allow_wildcard = true to allow it", text);
	/* an international name has its own refusal, with its A-label */
	if (literal && is_ascii(text) && !host_name_valid(text, 1, 2))
		return fail_at(cause, ERR_FAIL, s, "name '%s' is not a valid "
		    "host name (labels of letters, digits and '-', at least "
		    "two, no trailing dot)", text);
	/* A name with variables is checked on the certificate by policy.c. */
	if (policy != NULL && strchr(text, '$') == NULL &&
	    !conf_domain_permitted(policy, text))
		return fail_at(cause, ERR_POLICY, s, "name '%s' is outside the "
		    "CA's permitted domains", text);
	return 0;
}

/* dns or ip: a string or a list of templates. */
static int
load_names(const config_setting_t *root, const char *key, struct profile *p,
    const struct ca_policy *policy, char **cause)
{
	struct strv		 sv = { NULL, 0 };
	struct profile_tmpl	**tp = key[0] == 'd' ? &p->dns : &p->ip;
	size_t			*np = key[0] == 'd' ? &p->ndns : &p->nip;
	const config_setting_t	*e;
	int			 rc = ERR_FAIL;

	TRY(cfg_strings(root, key, 0, &sv, NULL, 0, cause));
	*tp = xcalloc(sv.n, sizeof **tp);
	for (size_t i = 0; i < sv.n; i++) {
		e = elem(root, key, i);
		TRY(tmpl_check(p, sv.v[i], e, cause));
		TRY(check_name(p, key[0] == 'i', sv.v[i], e, policy, cause));
		if (!is_ascii(sv.v[i])) {
			char	*msg = idn_refusal(sv.v[i]);

			rc = fail_at(cause, ERR_FAIL, e, "%s", msg);
			free(msg);
			goto out;
		}
		(*tp)[*np].text = sv.v[i];
		(*tp)[*np].line = (int)config_setting_source_line(e);
		sv.v[i] = NULL;
		(*np)++;
	}
	rc = 0;
out:
	strv_free(&sv);
	return rc;
}

static int
load_key(const config_setting_t *root, struct profile *p, char **cause)
{
	const char	*spec = NULL;
	char		*where;
	int		 rc = ERR_FAIL;

	TRY(cfg_string(root, "key", 1, &spec, cause));
	if (keys_parse_spec(spec, &p->key, cause) < 0) {
		where = cfg_where(config_setting_get_member(root, "key"));
		err_prefix(cause, "%s: ", where);
		free(where);
		/* a broken profile, not a broken command line */
		rc = ERR_FAIL;
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/*
 * Digits and dots, at least two arcs, the first 0-2, no leading zeros; a
 * second arc below 40 under 0 and 1 (X.690 8.19.4: DER cannot encode
 * more), and no arc beyond 32 bits (GnuTLS reads arcs from 2^63 on back
 * as negative numbers), so that every OID loaded can go into a
 * certificate and be read back as written.
 */
static int
oid_ok(const char *s)
{
	unsigned long long	 arc;
	int			 arcs = 0, first = s[0] - '0';

	if (s[0] < '0' || s[0] > '2' || s[1] != '.')
		return 0;
	while (*s != '\0') {
		if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' &&
		    s[1] <= '9'))
			return 0;
		for (arc = 0; *s >= '0' && *s <= '9'; s++) {
			arc = arc * 10 + (unsigned)(*s - '0');
			if (arc > 0xffffffffULL)
				return 0;
		}
		if (++arcs == 2 && first < 2 && arc >= 40)
			return 0;
		if (*s == '.' && *++s == '\0')
			return 0;
	}
	return arcs >= 2;
}

/* A profile's eku: a name eku_oid knows, or a dotted OID. */
static const char *
profile_eku_oid(const char *name)
{
	const char	*oid = eku_oid(name);

	if (oid != NULL)
		return oid;
	return oid_ok(name) ? name : NULL;
}

/* One eku name: known, not anyExtendedKeyUsage, not listed before. */
static int
eku_add(const char *name, struct strv *oids, const config_setting_t *e,
    char **cause)
{
	const char	*oid = profile_eku_oid(name);

	if (oid == NULL && name[strspn(name, "0123456789.")] == '\0')
		return fail_at(cause, ERR_FAIL, e, "unknown eku '%s' (a dotted "
		    "OID: arcs without leading zeros, the first 0, 1 or 2, the "
		    "second below 40 under 0 and 1, none above 4294967295)",
		    name);
	if (oid == NULL)
		return fail_at(cause, ERR_FAIL, e, "unknown eku '%s' (use "
		    "serverAuth, clientAuth or a dotted OID)", name);
	if (strcmp(oid, OID_ANY_EKU) == 0)
		return fail_at(cause, ERR_FAIL, e, "eku anyExtendedKeyUsage "
		    "would make the certificate good for any purpose");
	if (strv_has(oids, oid))
		return fail_at(cause, ERR_FAIL, e, "eku '%s' listed twice",
		    name);
	strv_add(oids, oid);
	return 0;
}

static int
load_eku(const config_setting_t *root, struct profile *p, char **cause)
{
	struct strv	 names = { NULL, 0 }, oids = { NULL, 0 };
	int		 rc = ERR_FAIL;

	TRY(cfg_strings(root, "eku", 1, &names, NULL, 0, cause));
	for (size_t i = 0; i < names.n; i++)
		TRY(eku_add(names.v[i], &oids, elem(root, "eku", i), cause));
	if (!strv_has(&oids, OID_SERVER_AUTH)) {
		rc = fail_at(cause, ERR_FAIL, config_setting_get_member(root,
		    "eku"), "eku must include serverAuth (every server "
		    "certificate carries it)");
		goto out;
	}
	/* serverAuth first: it is the purpose every reader looks for. */
	strv_add(&p->eku, OID_SERVER_AUTH);
	for (size_t i = 0; i < oids.n; i++)
		if (strcmp(oids.v[i], OID_SERVER_AUTH) != 0)
			strv_add(&p->eku, oids.v[i]);
	rc = 0;
out:
	strv_free(&oids);
	strv_free(&names);
	return rc;
}

/* One key_usage name's bit; 0 (with a cause) when refused. */
static unsigned
key_usage_bit(const char *name, unsigned have, const config_setting_t *e,
    char **cause)
{
	for (size_t i = 0; i < sizeof key_usages / sizeof key_usages[0]; i++) {
		if (strcmp(key_usages[i].name, name) != 0)
			continue;
		if (!key_usages[i].allowed) {
			fail_at(cause, ERR_FAIL, e, "key_usage '%s' is for CA "
			    "certificates: a server certificate never signs "
			    "certificates or CRLs", name);
			return 0;
		}
		if (have & key_usages[i].bit) {
			fail_at(cause, ERR_FAIL, e, "key_usage '%s' listed "
			    "twice", name);
			return 0;
		}
		return key_usages[i].bit;
	}
	fail_at(cause, ERR_FAIL, e, "unknown key_usage '%s' (use "
	    "digitalSignature, keyEncipherment, keyAgreement or "
	    "nonRepudiation)", name);
	return 0;
}

static int
load_key_usage(const config_setting_t *root, struct profile *p, char **cause)
{
	struct strv		 names = { NULL, 0 };
	const config_setting_t	*s = config_setting_get_member(root,
	    "key_usage");
	unsigned		 bits = 0, bit;
	int			 rc = ERR_FAIL;

	if (s == NULL)
		return 0;
	TRY(cfg_strings(root, "key_usage", 0, &names, NULL, 0, cause));
	for (size_t i = 0; i < names.n; i++) {
		bit = key_usage_bit(names.v[i], bits,
		    elem(root, "key_usage", i), cause);
		if (bit == 0) {
			rc = ERR_FAIL;
			goto out;
		}
		bits |= bit;
	}
	if (!(bits & GNUTLS_KEY_DIGITAL_SIGNATURE))
		rc = fail_at(cause, ERR_FAIL, s, "key_usage must include "
		    "digitalSignature (TLS signs with the key)");
	else if ((bits & GNUTLS_KEY_KEY_ENCIPHERMENT) && p->key.alg == KEY_EC)
		rc = fail_at(cause, ERR_FAIL, s, "keyEncipherment needs an RSA "
		    "key: an EC key cannot encrypt");
	else if ((bits & GNUTLS_KEY_KEY_AGREEMENT) && p->key.alg == KEY_RSA)
		rc = fail_at(cause, ERR_FAIL, s, "keyAgreement needs an EC "
		    "key: an RSA key does not agree keys");
	else if (!(bits & GNUTLS_KEY_KEY_ENCIPHERMENT) && p->key.alg == KEY_RSA)
		rc = fail_at(cause, ERR_FAIL, s, "key_usage must include "
		    "keyEncipherment for an RSA key (the certificate rules "
		    "require it)");
	else {
		p->key_usage = bits;
		rc = 0;
	}
out:
	strv_free(&names);
	return rc;
}

static int
load_cdp(const config_setting_t *root, struct profile *p, char **cause)
{
	char		*q;
	int		 rc = ERR_FAIL;

	TRY(cfg_strings(root, "cdp", 0, &p->cdp, NULL, 0, cause));
	for (size_t i = 0; i < p->cdp.n; i++) {
		/* it would reach the certificate as written, ${ and all */
		if (strstr(p->cdp.v[i], "${") != NULL) {
			q = quote_text(p->cdp.v[i], 128);
			rc = fail_at(cause, ERR_FAIL, elem(root, "cdp", i),
			    "cdp '%s': a cdp URL is not a template (variables "
			    "are not expanded in it)", q);
			free(q);
			goto out;
		}
		if (!url_valid(p->cdp.v[i])) {
			q = quote_text(p->cdp.v[i], 128);
			rc = fail_at(cause, ERR_FAIL, elem(root, "cdp", i),
			    "cdp '%s' is not an http:// or https:// URL", q);
			free(q);
			goto out;
		}
		/* as eku and key_usage: a repeat is a slip, not a wish */
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->cdp.v[j], p->cdp.v[i]) == 0) {
				q = quote_text(p->cdp.v[i], 128);
				rc = fail_at(cause, ERR_FAIL, elem(root, "cdp",
				    i), "cdp '%s' is listed twice", q);
				free(q);
				goto out;
			}
	}
	rc = 0;
out:
	return rc;
}

static int
load_friendly_name(const config_setting_t *root, struct profile *p,
    char **cause)
{
	const char	*text = NULL;
	int		 rc = ERR_FAIL;

	TRY(cfg_string(root, "friendly_name", 0, &text, cause));
	if (text == NULL)
		return 0;
	TRY(tmpl_check(p, text, config_setting_get_member(root,
	    "friendly_name"), cause));
	p->friendly_name = xstrdup(text);
	rc = 0;
out:
	return rc;
}

static int	 tmpl_uses(const struct profile *, const char *, size_t);

/*
 * Every variable is used by a template: one that none uses would be asked
 * for (a required one) and its value left out of every certificate, as a
 * dns entry forgotten for it would drop a name unsaid.
 */
static int
vars_used(const config_setting_t *root, const struct profile *p,
    char **cause)
{
	const config_setting_t	*vars = config_setting_get_member(root,
	    "variables");
	int			 used;

	for (size_t i = 0; i < p->nvars; i++) {
		used = p->friendly_name != NULL &&
		    tmpl_uses(p, p->friendly_name, i);
		for (size_t k = 0; !used && k < p->nsubject; k++)
			used = tmpl_uses(p, p->subject[k].text, i);
		for (size_t k = 0; !used && k < p->ndns; k++)
			used = tmpl_uses(p, p->dns[k].text, i);
		for (size_t k = 0; !used && k < p->nip; k++)
			used = tmpl_uses(p, p->ip[k].text, i);
		if (!used)
			return fail_at(cause, ERR_FAIL,
			    config_setting_get_member(vars, p->vars[i].name),
			    "variable '%s' is used by no template (subject, "
			    "dns, ip or friendly_name): its value would be in "
			    "no certificate", p->vars[i].name);
	}
	return 0;
}

/* Everything after the variables, which the templates are checked against. */
static int
load_body(const config_setting_t *root, struct profile *p,
    const struct ca_policy *policy, char **cause)
{
	int		 rc = ERR_FAIL;

	TRY(load_description(root, 1, &p->description, cause));
	TRY(load_vars(root, p, cause));
	TRY(load_subject(root, p, cause));
	TRY(cfg_bool(root, "allow_wildcard", &p->allow_wildcard, cause));
	TRY(cfg_bool(root, "allow_ip", &p->allow_ip, cause));
	TRY(load_names(root, "dns", p, policy, cause));
	TRY(load_names(root, "ip", p, policy, cause));
	TRY(load_key(root, p, cause));
	TRY(cfg_uint(root, "validity_days", 1, 1, 3650, &p->validity_days,
	    cause));
	TRY(load_eku(root, p, cause));
	TRY(load_key_usage(root, p, cause));
	TRY(load_cdp(root, p, cause));
	TRY(load_friendly_name(root, p, cause));
	TRY(vars_used(root, p, cause));
	rc = 0;
out:
	return rc;
}

int
profile_load(const char *path, const struct ca_policy *policy,
    struct profile **out, char **cause)
{
	config_t	 cfg;
	struct profile	*p = xcalloc(1, sizeof *p);
	const char	*base = strrchr(path, '/');
	size_t		 len;
	int		 rc = ERR_FAIL;

	config_init(&cfg);
	p->path = xstrdup(path);
	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
		len -= 4;
	p->name = xstrndup(base, len);
	TRY(cfg_read(&cfg, path, cause));
	TRY(cfg_check_keys(config_root_setting(&cfg), top_keys, "profile",
	    cause));
	TRY(load_body(config_root_setting(&cfg), p, policy, cause));
	*out = p;
	p = NULL;
	rc = 0;
out:
	profile_free(p);
	config_destroy(&cfg);
	return rc;
}

static void
tmpls_free(struct profile_tmpl *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nvars; i++) {
		free(p->vars[i].name);
		free(p->vars[i].description);
		free(p->vars[i].def);
	}
	free(p->vars);
	tmpls_free(p->subject, p->nsubject);
	tmpls_free(p->dns, p->ndns);
	tmpls_free(p->ip, p->nip);
	strv_free(&p->eku);
	strv_free(&p->cdp);
	free(p->friendly_name);
	free(p->description);
	free(p->path);
	free(p->name);
	free(p);
}

int
profile_values_add(struct profile_values *vs, const char *arg, char **cause)
{
	const char		*eq = strchr(arg, '=');
	struct profile_value	*v;
	char			*name;

	if (eq == NULL || eq == arg)
		return err_usage(cause, "--set wants name=value, not '%s'",
		    arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	for (size_t i = 0; i < vs->n; i++) {
		if (strcmp(vs->v[i].name, name) == 0) {
			strv_add(&vs->v[i].values, eq + 1);
			free(name);
			return 0;
		}
	}
	vs->v = xreallocarray(vs->v, vs->n + 1, sizeof *vs->v);
	v = &vs->v[vs->n++];
	v->name = name;
	v->values.v = NULL;
	v->values.n = 0;
	strv_add(&v->values, eq + 1);
	return 0;
}

int
profile_values_parse(struct profile_values *vs, const char *text,
    char **cause)
{
	char	*copy = xstrdup(text != NULL ? text : ""), *line, *save = NULL;
	int	 rc = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL && rc == 0;
	    line = strtok_r(NULL, "\n", &save))
		rc = profile_values_add(vs, line, cause);
	free(copy);
	return rc;
}

void
profile_values_free(struct profile_values *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		strv_free(&vs->v[i].values);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->profile);
	dn_free(&r->subject);
	strv_free(&r->dns);
	strv_free(&r->ip);
	strv_free(&r->eku);
	strv_free(&r->cdp);
	free(r->friendly_name);
	free(r->vars);
	free(r->asked);
	free(r);
}

/* The refusal for a name the profile does not declare lists what it takes. */
static int
unknown_var(const struct profile *p, const char *name, char **cause)
{
	char	*list = NULL;
	size_t	 n = 0;
	int	 rc;

	append(&list, &n, "", 0);
	for (size_t i = 0; i < p->nvars; i++) {
		if (i > 0)
			append(&list, &n, ", ", 2);
		append(&list, &n, p->vars[i].name, strlen(p->vars[i].name));
	}
	rc = err_usage(cause, "unknown variable '%s' (profile %s takes: %s)",
	    name, p->name, p->nvars > 0 ? list : "none");
	free(list);
	return rc;
}

/* Add text to out as a value of v: a list's split on commas. */
static void
value_split(const struct profile_var *v, const char *text, struct strv *out)
{
	const char	*end;

	if (!v->list) {
		if (*text != '\0')
			strv_add(out, text);
		return;
	}
	for (; *text != '\0'; text = *end == ',' ? end + 1 : end) {
		end = text + strcspn(text, ",");
		if (end > text)
			strv_add_take(out, xstrndup(text,
			    (size_t)(end - text)));
	}
}

/*
 * One value, split on commas for a list variable (empty elements dropped,
 * so "a,,b," is a and b). Values end up in names and in the database
 * text, so control characters are refused outright.
 */
static int
add_value(const struct profile_var *v, const char *text, struct strv *out,
    char **cause)
{
	char		*q;
	size_t		 before = out->n;
	int		 rc;

	if (!utf8_valid(text, strlen(text))) {
		q = quote_text(text, 64);
		rc = err_usage(cause, "variable '%s': '%s' is not valid UTF-8 "
		    "(values go into certificates as UTF-8 text)", v->name, q);
		free(q);
		return rc;
	}
	if (has_control(text))
		return err_usage(cause, "variable '%s': control characters "
		    "are not allowed in values", v->name);
	value_split(v, text, out);
	if (out->n == before)
		return err_usage(cause, "variable '%s' has an empty value",
		    v->name);
	return 0;
}

static const struct profile_value *
given(const struct profile_values *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

int
profile_tmpl_open(const struct profile *p, const struct profile_values *vs,
    const struct profile_tmpl *t, int *list, size_t *literal)
{
	const char	*text = t->text, *ref, *name;
	size_t		 len;
	int		 k, open = 0;

	*list = 0;
	*literal = strlen(text);
	while (tmpl_next(text, &ref, &name, &len) == 1) {
		*literal -= len + 3;
		k = var_index(p, name, len);
		if (k >= 0 && p->vars[k].def == NULL &&
		    given(vs, p->vars[k].name) == NULL) {
			open = 1;
			if (p->vars[k].list)
				*list = 1;
		}
		text = name + len + 1;
	}
	return open;
}

int
profile_dns_optional(const struct profile *p, size_t i)
{
	const char	*text = p->dns[i].text, *ref, *name;
	size_t		 len;
	int		 k;

	while (tmpl_next(text, &ref, &name, &len) == 1) {
		k = var_index(p, name, len);
		if (k >= 0 && !p->vars[k].required && p->vars[k].def == NULL)
			return 1;
		text = name + len + 1;
	}
	return 0;
}

/*
 * The values that bind variable k, as bind takes them (given, else its
 * default), into out; 0 when none does: the variable is open.
 */
static int
bound(const struct profile *p, const struct profile_values *vs, int k,
    struct strv *out)
{
	const struct profile_value	*g = given(vs, p->vars[k].name);

	if (g != NULL)
		for (size_t i = 0; i < g->values.n; i++)
			value_split(&p->vars[k], g->values.v[i], out);
	else if (p->vars[k].def != NULL)
		value_split(&p->vars[k], p->vars[k].def, out);
	else
		return 0;
	return 1;
}

void
profile_tmpl_patterns(const struct profile *p, const struct profile_values *vs,
    const char *text, struct strv *out)
{
	struct strv	 cur = { NULL, 0 }, next, vals = { NULL, 0 };
	const char	*ref, *name;
	size_t		 len;
	int		 k, has;

	strv_add(&cur, "");
	while (tmpl_next(text, &ref, &name, &len) == 1) {
		k = var_index(p, name, len);
		strv_free(&vals);
		has = k >= 0 && bound(p, vs, k, &vals);
		next.v = NULL;
		next.n = 0;
		for (size_t i = 0; i < cur.n; i++) {
			if (!has) {
				pat_add(&next, cur.v[i], text,
				    (size_t)(name + len + 1 - text));
				continue;
			}
			for (size_t j = 0; j < vals.n; j++) {
				/* a value that reads as a reference: none */
				if (strchr(vals.v[j], '$') != NULL)
					continue;
				pat_add_value(&next, cur.v[i], text,
				    (size_t)(ref - text), vals.v[j]);
			}
		}
		strv_free(&cur);
		cur = next;
		text = name + len + 1;
	}
	for (size_t i = 0; i < cur.n; i++) {
		char	*t;

		xasprintf(&t, "%s%s", cur.v[i], text);
		if (!strv_has(out, t))
			strv_add(out, t);
		free(t);
	}
	strv_free(&vals);
	strv_free(&cur);
}

size_t
profile_pattern_literal(const char *pattern)
{
	const char	*ref, *name;
	size_t		 len, n = strlen(pattern);

	while (tmpl_next(pattern, &ref, &name, &len) == 1) {
		n -= len + 3;
		pattern = name + len + 1;
	}
	return n;
}

/*
 * The value name gives variable k in pattern, when the pattern is literal
 * text around one ${k}, and name fits it (case aside): allocated, lower
 * case; NULL otherwise.
 */
static char *
pattern_value(const struct profile *p, const char *pattern, int k,
    const char *name)
{
	const char	*ref, *var, *after;
	size_t		 len, pre, post, n = strlen(name);
	char		*v;

	if (tmpl_next(pattern, &ref, &var, &len) != 1 ||
	    var_index(p, var, len) != k)
		return NULL;
	after = var + len + 1;
	if (strchr(after, '$') != NULL)
		return NULL;
	pre = (size_t)(ref - pattern);
	post = strlen(after);
	if (n <= pre + post || strncasecmp(name, pattern, pre) != 0 ||
	    strcasecmp(name + n - post, after) != 0)
		return NULL;
	v = xstrndup(name + pre, n - pre - post);
	for (char *c = v; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return v;
}

/* The values of variable k that names give in template text. */
static void
tmpl_values(const struct profile *p, const struct profile_values *vs,
    const char *text, int k, const struct strv *names, struct strv *out)
{
	struct strv	 pats = { NULL, 0 };
	char		*v;

	profile_tmpl_patterns(p, vs, text, &pats);
	for (size_t j = 0; j < names->n; j++)
		for (size_t i = 0; i < pats.n; i++)
			if ((v = pattern_value(p, pats.v[i], k,
			    names->v[j])) != NULL) {
				if (!strv_has(out, v))
					strv_add(out, v);
				free(v);
				break;
			}
	strv_free(&pats);
}

/* The first value of a not in b, or NULL. */
static const char *
missing_from(const struct strv *a, const struct strv *b)
{
	for (size_t j = 0; j < a->n; j++)
		if (!strv_has(b, a->v[j]))
			return a->v[j];
	return NULL;
}

const struct profile_var *
profile_subject_unbound(const struct profile *p,
    const struct profile_values *vs)
{
	struct strv	 vals = { NULL, 0 };
	const char	*text, *ref, *name;
	size_t		 len;
	int		 k;

	for (size_t i = 0; i < p->nsubject; i++) {
		if (p->subject[i].oid == NULL ||
		    strcmp(p->subject[i].oid, dn_oid("CN")) == 0)
			continue;
		for (text = p->subject[i].text; tmpl_next(text, &ref, &name,
		    &len) == 1; text = name + len + 1) {
			k = var_index(p, name, len);
			if (k < 0 || !p->vars[k].required)
				continue;
			if (!bound(p, vs, k, &vals))
				return &p->vars[k];
			strv_free(&vals);
		}
	}
	return NULL;
}

const char *
profile_cn_template(const struct profile *p)
{
	for (size_t i = 0; i < p->nsubject; i++)
		if (p->subject[i].oid != NULL &&
		    strcmp(p->subject[i].oid, dn_oid("CN")) == 0)
			return p->subject[i].text;
	return NULL;
}

/*
 * Variable k's values in each template against the first template's
 * (a, from template first): a list variable has the same set in each, a
 * single one the same one value. 1 with gap set when they differ.
 */
static int
values_differ(const struct profile_var *v, const struct strv *a,
    const char *first, const struct strv *b, const char *in,
    struct list_gap *gap)
{
	const char	*m;

	if (!v->list && (a->n > 1 || b->n > 1 ||
	    (a->n == 1 && b->n == 1 && strcmp(a->v[0], b->v[0]) != 0))) {
		gap->var = v->name;
		gap->value = xstrdup(a->v[0]);
		gap->in = first;
		gap->other = xstrdup(a->n > 1 ? a->v[1] : b->v[0]);
		gap->out = a->n > 1 ? first : in;
		return 1;
	}
	if ((m = missing_from(a, b)) != NULL) {
		gap->in = first;
		gap->out = in;
	} else if ((m = missing_from(b, a)) != NULL) {
		gap->in = in;
		gap->out = first;
	}
	if (m == NULL)
		return 0;
	gap->var = v->name;
	gap->value = xstrdup(m);
	return 1;
}

/*
 * The CN's value of variable k (a), when the CN is given and its template
 * uses k: one of the values the dNSName templates give it (a, from
 * template first); a list variable's first, a single one's one. 1 with
 * gap set when it is not.
 */
static int
cn_differs(const struct profile *p, const struct profile_values *vs,
    const struct profile_var *v, int k, const char *cn, const struct strv *a,
    const char *first, struct list_gap *gap)
{
	const char	*ct = profile_cn_template(p);
	struct strv	 one = { (char **)&cn, 1 }, b = { NULL, 0 };
	int		 bad = 0;

	if (cn == NULL || ct == NULL || !tmpl_uses(p, ct, (size_t)k))
		return 0;
	tmpl_values(p, vs, ct, k, &one, &b);
	if (b.n > 0 && !strv_has(a, b.v[0])) {
		gap->var = v->name;
		gap->value = xstrdup(b.v[0]);
		gap->in = ct;
		gap->out = first;
		if (!v->list)
			gap->other = xstrdup(a->v[0]);
		bad = 1;
	}
	strv_free(&b);
	return bad;
}

int
profile_values_agree(const struct profile *p, const struct profile_values *vs,
    const struct strv *names, const char *cn, struct list_gap *gap)
{
	struct strv	 a = { NULL, 0 }, b = { NULL, 0 };
	const char	*first;
	int		 bad = 0;

	memset(gap, 0, sizeof *gap);
	for (size_t k = 0; k < p->nvars && !bad; k++) {
		const struct profile_var	*v = &p->vars[k];

		if (v->def != NULL || given(vs, v->name) != NULL)
			continue;
		strv_free(&a);
		first = NULL;
		for (size_t i = 0; i < p->ndns && !bad; i++) {
			if (!tmpl_uses(p, p->dns[i].text, k))
				continue;
			strv_free(&b);
			tmpl_values(p, vs, p->dns[i].text, (int)k, &names[i],
			    &b);
			if (b.n == 0)
				continue;	/* judged as a name missing */
			if (first == NULL) {
				first = p->dns[i].text;
				a = b;
				b.v = NULL;
				b.n = 0;
				if (!v->list && a.n > 1)
					bad = values_differ(v, &a, first, &a,
					    first, gap);
				continue;
			}
			bad = values_differ(v, &a, first, &b,
			    p->dns[i].text, gap);
		}
		if (!bad && first != NULL)
			bad = cn_differs(p, vs, v, (int)k, cn, &a, first, gap);
	}
	strv_free(&a);
	strv_free(&b);
	return bad;
}

/* Each variable's values from --set, else its default; vals[i] per variable. */
static int
bind_values(const struct profile *p, const struct profile_values *vs,
    int partial, struct strv *vals, char **cause)
{
	const struct profile_value	*g;
	const struct profile_var	*v;
	int				 rc = ERR_FAIL;

	for (size_t i = 0; i < vs->n; i++)
		if (var_index(p, vs->v[i].name, strlen(vs->v[i].name)) < 0)
			return unknown_var(p, vs->v[i].name, cause);
	for (size_t i = 0; i < p->nvars; i++) {
		v = &p->vars[i];
		if ((g = given(vs, v->name)) != NULL) {
			if (!v->list && g->values.n > 1)
				return err_usage(cause,
				    "variable '%s' takes one value, not %zu",
				    v->name, g->values.n);
			for (size_t j = 0; j < g->values.n; j++)
				TRY(add_value(v, g->values.v[j], &vals[i],
				    cause));
		} else if (v->def != NULL)
			TRY(add_value(v, v->def, &vals[i], cause));
		else if (v->required && !partial)
			return err_usage(cause, "missing variable '%s'%s%s%s",
			    v->name, v->description != NULL ? " (" : "",
			    v->description != NULL ? v->description : "",
			    v->description != NULL ? ")" : "");
	}
	rc = 0;
out:
	return rc;
}

/* Does template text refer to variable i? */
static int
tmpl_uses(const struct profile *p, const char *text, size_t i)
{
	const char	*ref, *name;
	size_t		 len;

	while (tmpl_next(text, &ref, &name, &len) == 1) {
		if (var_index(p, name, len) == (int)i)
			return 1;
		text = name + len + 1;
	}
	return 0;
}

/* Is variable i part of a host name: a dNSName's or the subject CN's? */
static int
var_names_host(const struct profile *p, size_t i)
{
	for (size_t k = 0; k < p->ndns; k++)
		if (tmpl_uses(p, p->dns[k].text, i))
			return 1;
	for (size_t k = 0; k < p->nsubject; k++)
		if (strcmp(p->subject[k].oid, dn_oid("CN")) == 0 &&
		    tmpl_uses(p, p->subject[k].text, i))
			return 1;
	return 0;
}

/*
 * A host name is ASCII: an international one is refused here, once, with
 * its A-label as the hint, so that the CN, the dNSNames, the request
 * and the policy never disagree about which form a name has.
 */
static int
bind_hosts(const struct profile *p, const struct strv *vals, char **cause)
{
	char	*msg;
	int	 rc;

	for (size_t i = 0; i < p->nvars; i++) {
		if (!var_names_host(p, i))
			continue;
		for (size_t j = 0; j < vals[i].n; j++) {
			if (is_ascii(vals[i].v[j]))
				continue;
			msg = idn_refusal(vals[i].v[j]);
			rc = err_usage(cause, "variable '%s': %s",
			    p->vars[i].name, msg);
			free(msg);
			return rc;
		}
	}
	return 0;
}

/*
 * Each attribute as it will be in the certificate: within RFC 5280's
 * bounds, a C of two letters (a literal was judged at load, so this names
 * the template and through it the variable).
 */
static int
bound_attr(const struct profile_tmpl *t, const char *value, char **cause)
{
	char	 why[128], *q;
	int	 rc;

	if (dn_value_check(t->oid, value, why, sizeof why) == 0)
		return 0;
	q = quote_text(t->text, 64);
	rc = err_usage(cause, "subject %s ('%s') %s", dn_name(t->oid), q, why);
	free(q);
	return rc;
}

static int
bind_subject(const struct profile *p, const struct strv *vals, int partial,
    struct request *r, char **cause)
{
	const char	*missing;
	char		*s;
	int		 rc;

	for (size_t i = 0; i < p->nsubject; i++) {
		const struct profile_tmpl	*t = &p->subject[i];

		if (tmpl_expand(p, vals, t->text, 0, &s, &missing)) {
			if ((rc = bound_attr(t, s, cause)) != 0) {
				free(s);
				return rc;
			}
			dn_add(&r->subject, t->oid, s);
			free(s);
		} else if (!partial && strcmp(t->oid, dn_oid("CN")) == 0)
			return err_usage(cause, "the subject CN needs variable "
			    "'%s', which is not set", missing);
	}
	return 0;
}

/* dns or ip: once per value of the list variable, duplicates dropped. */
static void
bind_names(const struct profile *p, const struct strv *vals,
    const struct profile_tmpl *t, size_t n, int ip, struct strv *out)
{
	const char	*missing;
	char		*s;
	size_t		 count;
	int		 lv;

	for (size_t i = 0; i < n; i++) {
		lv = tmpl_listvar(p, t[i].text);
		count = lv >= 0 ? vals[lv].n : 1;
		for (size_t k = 0; k < count; k++) {
			if (!tmpl_expand(p, vals, t[i].text, k, &s, &missing))
				break;
			/* one address, one form: ::1 is 0:0:0:0:0:0:0:1 */
			if (ip)
				s = ip_canonical(s);
			if (!ip ? strv_has_icase(out, s) : strv_has(out, s))
				free(s);
			else
				strv_add_take(out, s);
		}
	}
}

/* "name=value\n" per variable with a value, for the database record. */
static char *
bound_text(const struct profile *p, const struct strv *vals)
{
	char	*s = NULL;
	size_t	 n = 0;

	append(&s, &n, "", 0);
	for (size_t i = 0; i < p->nvars; i++) {
		if (vals[i].n == 0)
			continue;
		append(&s, &n, p->vars[i].name, strlen(p->vars[i].name));
		append(&s, &n, "=", 1);
		for (size_t j = 0; j < vals[i].n; j++) {
			if (j > 0)
				append(&s, &n, ",", 1);
			append(&s, &n, vals[i].v[j], strlen(vals[i].v[j]));
		}
		append(&s, &n, "\n", 1);
	}
	return s;
}

/* A server key's usage when the profile names none. */
static unsigned
default_ku(const struct keyspec *k)
{
	return GNUTLS_KEY_DIGITAL_SIGNATURE |
	    (k->alg == KEY_RSA ? GNUTLS_KEY_KEY_ENCIPHERMENT : 0);
}

/*
 * keyEncipherment follows the key the certificate gets (an RSA one has
 * it, an EC one cannot), whatever the role's own key: a P-256 CSR signed
 * under an RSA role, or the reverse; so does keyAgreement, which an RSA
 * key cannot have.
 */
unsigned
profile_key_usage(const struct profile *p, const struct keyspec *k)
{
	if (p->key_usage == 0)
		return default_ku(k);
	return (p->key_usage & ~(GNUTLS_KEY_KEY_ENCIPHERMENT |
	    (k->alg == KEY_RSA ? GNUTLS_KEY_KEY_AGREEMENT : 0))) |
	    (k->alg == KEY_RSA ? GNUTLS_KEY_KEY_ENCIPHERMENT : 0);
}

void
profile_fit_key(struct request *r, const struct profile *p,
    const struct keyspec *k)
{
	r->key = *k;
	r->key_usage = profile_key_usage(p, k);
}

static void
bind_rest(const struct profile *p, const struct strv *vals,
    struct request *r)
{
	const char	*missing, *cn;

	r->profile = xstrdup(p->name);
	r->key = p->key;
	r->validity_days = p->validity_days;
	for (size_t i = 0; i < p->eku.n; i++)
		strv_add(&r->eku, p->eku.v[i]);
	for (size_t i = 0; i < p->cdp.n; i++)
		strv_add(&r->cdp, p->cdp.v[i]);
	r->key_usage = p->key_usage != 0 ? p->key_usage : default_ku(&p->key);
	if (p->friendly_name == NULL || !tmpl_expand(p, vals,
	    p->friendly_name, 0, &r->friendly_name, &missing)) {
		cn = dn_get(&r->subject, dn_oid("CN"));
		r->friendly_name = cn != NULL ? xstrdup(cn) : NULL;
	}
	r->vars = bound_text(p, vals);
}

/*
 * A variable that is a whole ip template holds addresses: one that does not
 * parse is named here, with its variable, not later as a bare value.
 */
static int
bind_ips(const struct profile *p, const struct strv *vals, char **cause)
{
	unsigned char	 bin[16];
	char		*whole;
	int		 is_ip;

	for (size_t i = 0; i < p->nvars; i++) {
		xasprintf(&whole, "${%s}", p->vars[i].name);
		is_ip = 0;
		for (size_t k = 0; !is_ip && k < p->nip; k++)
			is_ip = strcmp(p->ip[k].text, whole) == 0;
		free(whole);
		for (size_t j = 0; is_ip && j < vals[i].n; j++)
			if (inet_pton(AF_INET, vals[i].v[j], bin) != 1 &&
			    inet_pton(AF_INET6, vals[i].v[j], bin) != 1)
				return err_usage(cause, "variable '%s': '%s' "
				    "is not an IP address (IPv4 dotted decimal "
				    "or IPv6)", p->vars[i].name, vals[i].v[j]);
	}
	return 0;
}

int
profile_values_check(const struct profile *p, const struct profile_values *vs,
    int partial, char **cause)
{
	struct strv	*vals = xcalloc(p->nvars + 1, sizeof *vals);
	int		 rc = ERR_FAIL;

	TRY(bind_values(p, vs, partial, vals, cause));
	TRY(bind_hosts(p, vals, cause));
	TRY(bind_ips(p, vals, cause));
	rc = 0;
out:
	for (size_t i = 0; i < p->nvars; i++)
		strv_free(&vals[i]);
	free(vals);
	return rc;
}

static int
bind_profile(const struct profile *p, const struct profile_values *vs,
    int partial, struct request **out, char **cause)
{
	struct request	*r = xcalloc(1, sizeof *r);
	struct strv	*vals = xcalloc(p->nvars, sizeof *vals);
	int		 rc = ERR_FAIL;

	TRY(bind_values(p, vs, partial, vals, cause));
	TRY(bind_hosts(p, vals, cause));
	TRY(bind_ips(p, vals, cause));
	TRY(bind_subject(p, vals, partial, r, cause));
	bind_names(p, vals, p->dns, p->ndns, 0, &r->dns);
	bind_names(p, vals, p->ip, p->nip, 1, &r->ip);
	bind_rest(p, vals, r);
	*out = r;
	r = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < p->nvars; i++)
		strv_free(&vals[i]);
	free(vals);
	request_free(r);
	return rc;
}

int
profile_bind(const struct profile *p, const struct profile_values *vs,
    struct request **out, char **cause)
{
	return bind_profile(p, vs, 0, out, cause);
}

int
profile_bind_partial(const struct profile *p, const struct profile_values *vs,
    struct request **out, char **cause)
{
	return bind_profile(p, vs, 1, out, cause);
}

void
profile_search_path(const char *ca_dir, struct strv *dirs)
{
	const char	*env = getenv("ROLECA_PROFILE_PATH"), *p, *end;
	char		*d;

	if (ca_dir != NULL) {
		xasprintf(&d, "%s/profiles", ca_dir);
		strv_add_take(dirs, d);
	}
	for (p = env; p != NULL && *p != '\0';
	    p = *end == ':' ? end + 1 : end) {
		end = p + strcspn(p, ":");
		if (end > p)
			strv_add_take(dirs, xstrndup(p, (size_t)(end - p)));
	}
	strv_add(dirs, PROFILEDIR);
}

/*
 * 1: path is a regular file; 0: no profile there (ENOENT, ENOTDIR, or
 * something that is not a file, such as a directory), so the search goes
 * on; < 0: stat failed otherwise (EACCES, ELOOP, EIO...), an error naming
 * the path. A directory roleca may not read must never hide the profile
 * in it: the next one on the path (the shipped default) would silently be
 * used instead of the CA's own.
 */
static int
find_file(const char *path, char **cause)
{
	struct stat	 sb;

	if (stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set(cause, "%s: %s (a profile there would take "
		    "precedence, so the search stops)", path, strerror(errno));
	}
	return S_ISREG(sb.st_mode) ? 1 : 0;
}

/*
 * 1: dir, on the search path, is a directory; 0: it does not exist, so
 * the search goes on; < 0: it is something else (a file in
 * ROLECA_PROFILE_PATH, say) or cannot be looked at, an error naming it.
 */
static int
search_dir(const char *dir, char **cause)
{
	struct stat	 sb;

	if (stat(dir, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(cause, "profile directory %s: %s", dir,
		    strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return err_set(cause, "profile directory %s: not a directory "
		    "(the profile search path names directories)", dir);
	return 1;
}

int
profile_find(const char *name, const char *ca_dir, char **path, char **cause)
{
	struct strv	 dirs = { NULL, 0 };
	char		*p;
	int		 rc = ERR_FAIL;

	if (!profile_name_valid(name))
		return err_usage(cause, "invalid profile name '%s': a profile "
		    "is named by letters, digits, '-' and '_' (see roleca "
		    "profiles)", name);
	profile_search_path(ca_dir, &dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		if ((rc = search_dir(dirs.v[i], cause)) < 0)
			goto out;
		if (rc == 0)
			continue;
		xasprintf(&p, "%s/%s.cfg", dirs.v[i], name);
		if ((rc = find_file(p, cause)) != 0) {
			if (rc > 0) {
				*path = p;
				rc = 0;
			} else
				free(p);
			goto out;
		}
		free(p);
	}
	rc = err_usage(cause, "unknown profile '%s' (see roleca profiles)",
	    name);
out:
	strv_free(&dirs);
	return rc;
}

struct found {
	char	*name;
	char	*path;
};

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->name,
	    ((const struct found *)b)->name);
}

/* Add dir's NAME.cfg files not found earlier; a missing dir is no error. */
static int
list_dir(const char *dir, struct found **f, size_t *n, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		*name, *path;
	size_t		 len, i;
	int		 rc;

	if ((rc = search_dir(dir, cause)) <= 0)
		return rc;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(cause, "%s: cannot read directory: %s", dir,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".cfg") != 0)
			continue;
		name = xstrndup(de->d_name, len - 4);
		for (i = 0; i < *n && strcmp((*f)[i].name, name) != 0; i++)
			;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		rc = i < *n || !profile_name_valid(name) ? 0 :
		    find_file(path, cause);
		if (rc <= 0) {
			free(name);
			free(path);
			if (rc < 0) {
				closedir(d);
				return rc;
			}
			continue;
		}
		*f = xreallocarray(*f, *n + 1, sizeof **f);
		(*f)[*n].name = name;
		(*f)[(*n)++].path = path;
	}
	closedir(d);
	return 0;
}

int
profile_list(const char *ca_dir, struct strv *paths, char **cause)
{
	struct strv	 dirs = { NULL, 0 };
	struct found	*f = NULL;
	size_t		 n = 0;
	int		 rc = ERR_FAIL;

	profile_search_path(ca_dir, &dirs);
	for (size_t i = 0; i < dirs.n; i++)
		TRY(list_dir(dirs.v[i], &f, &n, cause));
	if (n > 0)
		qsort(f, n, sizeof *f, found_cmp);
	for (size_t i = 0; i < n; i++) {
		strv_add_take(paths, f[i].path);
		f[i].path = NULL;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].path);
	}
	free(f);
	strv_free(&dirs);
	return rc;
}
