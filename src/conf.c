/*
 * ca.cfg: the CA's name, key, lifetime, where its CRL is published, and
 * the policy for what it signs. Everything is validated on load, so a CA
 * without an http:// CDP cannot be created or used.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "cfg.h"
#include "conf.h"
#include "err.h"
#include "util.h"

static const char *const top_keys[] = {
	"subject", "key", "validity_days", "digest", "path_length", "cdp",
	"ca_issuers", "ocsp", "crl_days", "crl_renew_percent", "publish",
	"policy", "key_uri", "pkcs11_module", "delta_cdp", "delta_crl_hours",
	NULL
};
static const char *const policy_keys[] = {
	"permitted_domains", "min_rsa_bits", "max_validity_days",
	"allow_wildcard", "allow_ip", "name_constraints", NULL
};
static const char *const subject_keys[] = {
	"CN", "O", "OU", "C", "ST", "L", "DC", NULL
};

/*
 * *msg (from err_set) is the failure of a check only CONF_NEW makes an
 * error: it becomes *cause, else the first one becomes c->flaw and
 * loading goes on. Returns 0 or ERR_FAIL.
 */
static int
flaw(struct conf *c, int flags, char **msg, char **cause)
{
	int	 rc = 0;

	if (flags & CONF_NEW) {
		free(*cause);
		*cause = *msg;
		rc = ERR_FAIL;
	} else if (c->flaw == NULL)
		c->flaw = *msg;
	else
		free(*msg);
	*msg = NULL;
	return rc;
}

/* The first string of sv that is listed before it, or NULL. */
static const char *
repeated(const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(sv->v[i], sv->v[j]) == 0)
				return sv->v[i];
	return NULL;
}

static int
urls(const config_setting_t *root, struct conf *c, int flags,
    const char *name, int required, struct strv *out, char **cause)
{
	config_setting_t	*s;
	const char		*dup;
	char			*where, *msg = NULL;
	int			 rc = ERR_FAIL;

	TRY(cfg_strings(root, name, required, out, NULL, 0, cause));
	for (size_t i = 0; i < out->n; i++) {
		if (url_valid(out->v[i]))
			continue;
		s = config_setting_get_member(root, name);
		where = cfg_where(s);
		err_set(&msg, "%s: '%s' is not an http:// or https:// URL",
		    where, out->v[i]);
		free(where);
		if (!url_loose(out->v[i])) {
			*cause = msg;
			rc = ERR_FAIL;
			goto out;
		}
		/* so an existing CA can still revoke and sign CRLs */
		TRY(flaw(c, flags, &msg, cause));
	}
	/* a slip: a caIssuers or OCSP URL would be in certificates twice */
	if ((dup = repeated(out)) != NULL) {
		where = cfg_where(config_setting_get_member(root, name));
		err_set(&msg, "%s: '%s' lists '%s' twice", where, name, dup);
		free(where);
		TRY(flaw(c, flags, &msg, cause));
	}
	rc = 0;
out:
	return rc;
}

/*
 * A domain component is one DNS label (RFC 4519 2.4): letters, digits and
 * '-', neither first nor last. dn_value_check() has refused the rest.
 */
static int
dns_label(const char *s)
{
	size_t	 n = strlen(s);

	if (s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int
load_subject(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	config_setting_t	*g = config_setting_get_member(root, "subject");
	char			*where = NULL, *msg = NULL;
	int			 rc = ERR_FAIL;

	if (g == NULL || !config_setting_is_group(g)) {
		where = cfg_where(g != NULL ? g : root);
		rc = err_set(cause, "%s: 'subject' (a group with at least CN) "
		    "is required", where);
		goto out;
	}
	TRY(cfg_check_keys(g, subject_keys, "subject", cause));
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t	*e = config_setting_get_elem(g, i);
		const char		*v = config_setting_get_string(e);
		const char		*oid = dn_oid(config_setting_name(e));
		char			 why[128];

		if (v == NULL || *v == '\0') {
			where = cfg_where(e);
			rc = err_set(cause, "%s: subject %s must be a "
			    "non-empty string", where, config_setting_name(e));
			goto out;
		}
		/* what the CA's certificate and every issuer name carry */
		if (dn_value_check(oid, v, why, sizeof why) == 0 &&
		    strcmp(config_setting_name(e), "DC") == 0 && !dns_label(v))
			snprintf(why, sizeof why, "is not a DNS label "
			    "(letters, digits and '-', not first or last)");
		if (why[0] != '\0') {
			where = cfg_where(e);
			err_set(&msg, "%s: subject %s %s", where,
			    config_setting_name(e), why);
			free(where);
			where = NULL;
			TRY(flaw(c, flags, &msg, cause));
		}
		dn_add(&c->subject, oid, v);
	}
	if (config_setting_get_member(g, "CN") == NULL) {
		where = cfg_where(g);
		rc = err_set(cause, "%s: subject needs a CN", where);
		goto out;
	}
	rc = 0;
out:
	free(where);
	return rc;
}

/*
 * permitted_domains: each a domain name, matched as itself and every name
 * below it. A wildcard, "" or "." would make a CA that refuses every name
 * (or, were it read as the root, permits any), so each is refused here.
 */
static int
load_domains(const config_setting_t *g, struct conf *c, int flags,
    char **cause)
{
	struct ca_policy	*p = &c->policy;
	const config_setting_t	*s, *e;
	char			*where, *q, *msg = NULL;
	int			 rc = ERR_FAIL;

	TRY(cfg_strings(g, "permitted_domains", 0, &p->domains, NULL, 0,
	    cause));
	s = config_setting_get_member(g, "permitted_domains");
	for (size_t i = 0; i < p->domains.n; i++) {
		for (char *l = p->domains.v[i]; *l != '\0'; l++)
			*l = (char)tolower((unsigned char)*l);
		if (host_name_valid(p->domains.v[i], 0, 1))
			continue;
		/* kept without CONF_NEW: it matches no name, so only refuses */
		e = config_setting_type(s) == CONFIG_TYPE_STRING ? s :
		    config_setting_get_elem(s, (unsigned)i);
		where = cfg_where(e != NULL ? e : s);
		q = quote_text(p->domains.v[i], 64);
		err_set(&msg, "%s: permitted domain '%s' is not a domain "
		    "name (ASCII letters, digits, '-' and dots, an "
		    "international name in its xn-- form; no wildcard: "
		    "'lab.example' permits every name below it)", where, q);
		free(q);
		free(where);
		TRY(flaw(c, flags, &msg, cause));
	}
	rc = 0;
out:
	return rc;
}

static int
load_policy(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	config_setting_t	*g = config_setting_get_member(root, "policy");
	struct ca_policy	*p = &c->policy;
	int			 rc = ERR_FAIL;

	p->min_rsa_bits = 2048;
	p->max_validity_days = 825;
	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g)) {
		char *where = cfg_where(g);
		rc = err_set(cause, "%s: 'policy' must be a group", where);
		free(where);
		goto out;
	}
	TRY(cfg_check_keys(g, policy_keys, "policy", cause));
	TRY(load_domains(g, c, flags, cause));
	TRY(cfg_uint(g, "min_rsa_bits", 0, 2048, 16384, &p->min_rsa_bits,
	    cause));
	TRY(cfg_uint(g, "max_validity_days", 0, 1, 3650,
	    &p->max_validity_days, cause));
	TRY(cfg_bool(g, "allow_wildcard", &p->allow_wildcard, cause));
	TRY(cfg_bool(g, "allow_ip", &p->allow_ip, cause));
	TRY(cfg_bool(g, "name_constraints", &p->name_constraints, cause));
	if (p->name_constraints && p->domains.n == 0) {
		char	*msg = NULL, *where = cfg_where(
			    config_setting_get_member(g, "name_constraints"));

		/* an existing CA's certificate is made: it changes nothing */
		err_set(&msg, "%s: 'name_constraints' needs permitted_domains "
		    "(the domains the CA certificate permits)", where);
		free(where);
		TRY(flaw(c, flags, &msg, cause));
	}
	rc = 0;
out:
	return rc;
}

/*
 * The digest; a new CA's ECDSA key's is the one of its size (P-256
 * SHA-256, P-384 SHA-384, as RFC 5480 pairs them and Mozilla's policy
 * requires), which is also the default; RSA's default is SHA-256.
 */
static int
load_digest(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	const char	*ec = NULL, *d;
	char		*where;
	int		 rc = ERR_FAIL;

	if (c->key.alg == KEY_EC)
		ec = c->key.bits == 384 ? "sha384" : "sha256";
	d = ec != NULL ? ec : "sha256";
	TRY(cfg_string(root, "digest", 0, &d, cause));
	if (strcmp(d, "sha256") == 0)
		c->digest = GNUTLS_DIG_SHA256;
	else if (strcmp(d, "sha384") == 0)
		c->digest = GNUTLS_DIG_SHA384;
	else if (strcmp(d, "sha512") == 0)
		c->digest = GNUTLS_DIG_SHA512;
	else {
		where = cfg_where(config_setting_get_member(root, "digest"));
		rc = err_set(cause, "%s: digest '%s' not allowed (use sha256, "
		    "sha384 or sha512)", where, d);
		free(where);
		goto out;
	}
	/* a CA made before the rule keeps the digest its ca.cfg gives */
	if (ec != NULL && strcmp(d, ec) != 0 && (flags & CONF_NEW)) {
		where = cfg_where(config_setting_get_member(root, "digest"));
		rc = err_set(cause, "%s: digest '%s' does not go with key "
		    "ec:p%u: an ECDSA key signs with the digest of its size "
		    "(%s)", where, d, c->key.bits, ec);
		free(where);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* key_uri and pkcs11_module: the CA key in a token instead of ca.key. */
static int
load_token(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	const char	*uri = NULL, *module = NULL;
	char		*where, *msg = NULL;
	int		 rc = ERR_FAIL;

	TRY(cfg_string(root, "key_uri", 0, &uri, cause));
	TRY(cfg_string(root, "pkcs11_module", 0, &module, cause));
	if (uri != NULL && strncmp(uri, "pkcs11:", 7) != 0) {
		where = cfg_where(config_setting_get_member(root, "key_uri"));
		rc = err_set(cause, "%s: key_uri must be a pkcs11: URL", where);
		free(where);
		goto out;
	}
	if (module != NULL && uri == NULL) {
		where = cfg_where(config_setting_get_member(root,
		    "pkcs11_module"));
		rc = err_set(cause, "%s: pkcs11_module needs key_uri", where);
		free(where);
		goto out;
	}
	if (uri != NULL)
		c->key_uri = xstrdup(uri);
	if (module != NULL)
		c->pkcs11_module = xstrdup(module);
	/* ca.cfg is copied into the CA directory, readable by all */
	if (uri != NULL && strcasestr(uri, "pin-value") != NULL) {
		where = cfg_where(config_setting_get_member(root, "key_uri"));
		err_set(&msg, "%s: key_uri carries the PIN (pin-value): give "
		    "it with ROLECA_PKCS11_PIN_FILE, not in ca.cfg", where);
		free(where);
		TRY(flaw(c, flags, &msg, cause));
	}
	rc = 0;
out:
	return rc;
}

static int
has_http(const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strncmp(sv->v[i], "http://", 7) == 0)
			return 1;
	return 0;
}

/* The length of directory d without its trailing slashes (but the root's). */
static size_t
dir_len(const char *d)
{
	size_t	 n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		n--;
	return n;
}

/*
 * publish: no empty directory name, none twice (trailing slashes aside),
 * none relative: publish runs from wherever it is started (a timer, cron).
 */
static int
check_publish(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	const struct strv	*dirs = &c->publish;
	const char		*what = NULL;
	char			*where, *msg = NULL;

	for (size_t i = 0; i < dirs->n && what == NULL; i++) {
		if (*dirs->v[i] == '\0')
			what = "an empty directory name";
		else if (*dirs->v[i] != '/')
			what = "a relative directory (publish may run from any "
			    "directory: give it from /)";
		for (size_t j = 0; j < i && what == NULL; j++)
			if (dir_len(dirs->v[i]) == dir_len(dirs->v[j]) &&
			    strncmp(dirs->v[i], dirs->v[j],
			    dir_len(dirs->v[i])) == 0)
				what = "a directory twice";
	}
	if (what == NULL)
		return 0;
	where = cfg_where(config_setting_get_member(root, "publish"));
	err_set(&msg, "%s: 'publish' lists %s", where, what);
	free(where);
	return flaw(c, flags, &msg, cause);
}

char *
conf_crl_name(const struct strv *urls, const char *fallback)
{
	char	*name;

	for (size_t i = 0; i < urls->n; i++)
		if (strncmp(urls->v[i], "http://", 7) == 0) {
			if ((name = url_file_name(urls->v[i])) != NULL)
				return name;
			break;
		}
	return xstrdup(fallback);
}

char *
conf_delta_clash(const struct conf *c)
{
	char	*n[4];
	int	 clash = 0;

	if (c->delta_cdp.n == 0)
		return NULL;
	n[0] = conf_crl_name(&c->cdp, CONF_CRL_NAME);
	n[2] = conf_crl_name(&c->delta_cdp, CONF_DELTA_NAME);
	xasprintf(&n[1], "%s.pem", n[0]);
	xasprintf(&n[3], "%s.pem", n[2]);
	for (int i = 0; i < 2; i++)
		for (int j = 2; j < 4; j++)
			clash |= strcmp(n[i], n[j]) == 0;
	free(n[0]);
	free(n[1]);
	free(n[3]);
	if (clash)
		return n[2];
	free(n[2]);
	return NULL;
}

/* Does the URL's file name hold a '/' or NUL byte, percent-encoded? */
static int
encodes_slash(const char *url)
{
	const char	*seg;
	size_t		 len;

	if ((seg = url_file_segment(url, &len)) == NULL)
		return 0;
	for (size_t i = 0; i + 2 < len; i++)
		if (seg[i] == '%' && ((seg[i + 1] == '2' &&
		    (seg[i + 2] | 0x20) == 'f') || (seg[i + 1] == '0' &&
		    seg[i + 2] == '0')))
			return 1;
	return 0;
}

/*
 * The URL of list key that names a file publish writes (the first http://
 * one, or for caIssuers the first with a name): its last path segment,
 * percent-decoded, is the file's name, and one that decodes to a '/' or
 * NUL byte (%2F, %00) would name another path or none. A CRL's name, and
 * its .pem copy's, must fit in a directory entry, as the certificate's
 * must, or crl could never write the file.
 */
static int
check_file_name(const config_setting_t *root, struct conf *c, int flags,
    const char *key, const struct strv *urls, char **cause)
{
	const char	*url = NULL;
	char		*name = NULL, *where, *q, *msg = NULL;
	size_t		 max = NAME_MAX;

	if (strcmp(key, "ca_issuers") != 0)
		max -= strlen(".pem");
	for (size_t i = 0; url == NULL && i < urls->n; i++) {
		if (strncmp(urls->v[i], "http://", 7) != 0)
			continue;
		name = url_file_name(urls->v[i]);
		if (strcmp(key, "ca_issuers") != 0 || name != NULL ||
		    encodes_slash(urls->v[i]))
			url = urls->v[i];
		else
			free(name);
	}
	if (url == NULL || (!encodes_slash(url) && (name == NULL ||
	    strlen(name) <= max))) {
		free(name);
		return 0;
	}
	where = cfg_where(config_setting_get_member(root, key));
	q = quote_text(url, 128);
	if (name == NULL)
		err_set(&msg, "%s: '%s' names its file with an encoded '/' or "
		    "NUL byte (%%2F, %%00), which no file name can hold: name "
		    "the file plainly", where, q);
	else
		err_set(&msg, "%s: '%s' names a file of %zu bytes, longer "
		    "than a file name may be (at most %zu here)", where, q,
		    strlen(name), max);
	free(q);
	free(where);
	free(name);
	return flaw(c, flags, &msg, cause);
}

/* Base and delta CRLs are files side by side: one must not be the other. */
static int
check_delta(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	char	*name, *where, *msg = NULL;

	if ((name = conf_delta_clash(c)) == NULL)
		return 0;
	where = cfg_where(config_setting_get_member(root, "delta_cdp"));
	err_set(&msg, "%s: 'delta_cdp' names the file '%s', as the CRL of "
	    "'cdp' or its .pem copy is named: give the delta CRL a file name "
	    "of its own", where, name);
	free(where);
	free(name);
	return flaw(c, flags, &msg, cause);
}

/*
 * publish names the CA certificate after the first caIssuers URL's file:
 * it must not be a CRL's name, and it is DER, as a .crt or .cer is (a .p7c
 * is a CMS certs-only message, RFC 2585, served as another type).
 */
static int
check_issuers(const config_setting_t *root, struct conf *c, int flags,
    char **cause)
{
	char	*name = NULL, *crl[4] = { NULL, NULL, NULL, NULL }, *where;
	char	*msg = NULL;
	size_t	 len;
	int	 clash = 0, rc = 0;

	for (size_t i = 0; name == NULL && i < c->ca_issuers.n; i++)
		name = url_file_name(c->ca_issuers.v[i]);
	if (name == NULL)
		return 0;
	crl[0] = conf_crl_name(&c->cdp, CONF_CRL_NAME);
	xasprintf(&crl[1], "%s.pem", crl[0]);
	if (c->delta_cdp.n > 0) {
		crl[2] = conf_crl_name(&c->delta_cdp, CONF_DELTA_NAME);
		xasprintf(&crl[3], "%s.pem", crl[2]);
	}
	for (int i = 0; i < 4; i++)
		clash |= crl[i] != NULL && strcmp(name, crl[i]) == 0;
	len = strlen(name);
	where = cfg_where(config_setting_get_member(root, "ca_issuers"));
	if (clash)
		err_set(&msg, "%s: 'ca_issuers' names the file '%s', which "
		    "publish writes a CRL to: give the CA certificate a file "
		    "name of its own", where, name);
	else if (len >= 4 && strcasecmp(name + len - 4, ".p7c") == 0)
		err_set(&msg, "%s: 'ca_issuers' names '%s', a CMS certs-only "
		    "file (RFC 2585), but publish writes the CA certificate "
		    "there as DER: name it .crt or .cer", where, name);
	if (msg != NULL)
		rc = flaw(c, flags, &msg, cause);
	free(where);
	for (int i = 0; i < 4; i++)
		free(crl[i]);
	free(name);
	return rc;
}

int
conf_load(const char *path, int flags, struct conf **out, char **cause)
{
	config_t		 cfg;
	config_setting_t	*root;
	struct conf		*c = xcalloc(1, sizeof *c);
	const char		*key = NULL;
	char			*where = NULL;
	unsigned		 pathlen;
	int			 rc = ERR_FAIL;

	config_init(&cfg);
	c->path = xstrdup(path);
	c->path_len = -1;
	c->validity_days = 3650;
	c->crl_days = 7;
	c->crl_renew_percent = 50;
	c->delta_crl_hours = 24;
	TRY(cfg_read_keep(&cfg, path, flags & CONF_NEW ? CONF_MAX : CFG_MAX,
	    flags & CONF_NEW ? &c->text : NULL, &c->text_len, cause));
	root = config_root_setting(&cfg);
	TRY(cfg_check_keys(root, top_keys, "CA config", cause));
	TRY(load_subject(root, c, flags, cause));
	TRY(cfg_string(root, "key", 1, &key, cause));
	if ((rc = keys_parse_spec(key, &c->key, cause)) < 0) {
		where = cfg_where(config_setting_get_member(root, "key"));
		err_prefix(cause, "%s: ", where);
		rc = ERR_FAIL;
		goto out;
	}
	TRY(load_token(root, c, flags, cause));
	TRY(cfg_uint(root, "validity_days", 0, 1, 36500, &c->validity_days,
	    cause));
	TRY(load_digest(root, c, flags, cause));
	pathlen = 0;
	if (config_setting_get_member(root, "path_length") != NULL) {
		TRY(cfg_uint(root, "path_length", 1, 0, 16, &pathlen, cause));
		c->path_len = (int)pathlen;
	}
	TRY(urls(root, c, flags, "cdp", 0, &c->cdp, cause));
	if (!has_http(&c->cdp)) {
		const config_setting_t	*at = config_setting_get_member(root,
		    "cdp");

		where = cfg_where(at != NULL ? at : root);
		rc = err_set(cause, "%s: 'cdp' must list at least one http:// "
		    "URL: every certificate this CA signs points peers at its "
		    "CRL there", where);
		goto out;
	}
	TRY(urls(root, c, flags, "ca_issuers", 0, &c->ca_issuers, cause));
	TRY(urls(root, c, flags, "ocsp", 0, &c->ocsp, cause));
	TRY(cfg_uint(root, "crl_days", 0, 1, 366, &c->crl_days, cause));
	TRY(cfg_uint(root, "crl_renew_percent", 0, 1, 100,
	    &c->crl_renew_percent, cause));
	TRY(urls(root, c, flags, "delta_cdp", 0, &c->delta_cdp, cause));
	if (c->delta_cdp.n > 0 && !has_http(&c->delta_cdp)) {
		where = cfg_where(config_setting_get_member(root, "delta_cdp"));
		rc = err_set(cause, "%s: 'delta_cdp' must list an http:// URL",
		    where);
		goto out;
	}
	TRY(check_file_name(root, c, flags, "cdp", &c->cdp, cause));
	TRY(check_file_name(root, c, flags, "delta_cdp", &c->delta_cdp,
	    cause));
	TRY(check_file_name(root, c, flags, "ca_issuers", &c->ca_issuers,
	    cause));
	TRY(check_delta(root, c, flags, cause));
	TRY(check_issuers(root, c, flags, cause));
	TRY(cfg_uint(root, "delta_crl_hours", 0, 1, 24 * 31,
	    &c->delta_crl_hours, cause));
	TRY(cfg_strings(root, "publish", 0, &c->publish, NULL, 0, cause));
	TRY(check_publish(root, c, flags, cause));
	TRY(load_policy(root, c, flags, cause));
	*out = c;
	c = NULL;
	rc = 0;
out:
	free(where);
	config_destroy(&cfg);
	conf_free(c);
	return rc;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->key_uri);
	free(c->pkcs11_module);
	dn_free(&c->subject);
	strv_free(&c->cdp);
	strv_free(&c->ca_issuers);
	strv_free(&c->ocsp);
	strv_free(&c->publish);
	strv_free(&c->delta_cdp);
	strv_free(&c->policy.domains);
	free(c->flaw);
	free(c->text);
	free(c);
}

int
conf_domain_permitted(const struct ca_policy *p, const char *host)
{
	size_t	 hl, dl;

	if (p->domains.n == 0)
		return 1;
	if (strncmp(host, "*.", 2) == 0)
		host += 2;
	hl = strlen(host);
	for (size_t i = 0; i < p->domains.n; i++) {
		const char *d = p->domains.v[i];

		dl = strlen(d);
		if (dl == 0)	/* an existing CA's flaw: permits nothing */
			continue;
		if (hl == dl && strcasecmp(host, d) == 0)
			return 1;
		if (hl > dl && host[hl - dl - 1] == '.' &&
		    strcasecmp(host + hl - dl, d) == 0)
			return 1;
	}
	return 0;
}
