/*
 * ca.cfg: the configuration a CA is made from and keeps in its directory.
 * Loading validates everything (unknown keys, types, ranges, URLs) so the
 * rest of roleca can trust a struct conf.
 */
#ifndef ROLECA_CONF_H
#define ROLECA_CONF_H

#include <gnutls/gnutls.h>

#include "keys.h"
#include "util.h"

struct ca_policy {
	struct strv	domains;	/* permitted DNS domains; empty: any */
	unsigned	min_rsa_bits;	/* default 2048, never below 2048 */
	unsigned	max_validity_days; /* leaf lifetime cap; default 825 */
	/* CA-wide permission; a profile must also allow */
	int		allow_wildcard;
	int		allow_ip;
	/*
	 * the CA's own certificate (and CSR) carries nameConstraints: the
	 * domains permitted, and no IP address unless allow_ip
	 */
	int		name_constraints;
};

struct conf {
	char			*path;
	struct dn		 subject;
	struct keyspec		 key;
	/* pkcs11: URL of a token key, or NULL */
	char			*key_uri;
	/* the token's PKCS#11 library */
	char			*pkcs11_module;
	unsigned		 validity_days;
	gnutls_digest_algorithm_t digest;
	int			 path_len;	/* -1: unset */
	/* where this CA's CRL is published */
	struct strv		 cdp;
	/* AIA caIssuers URLs for leaves */
	struct strv		 ca_issuers;
	struct strv		 ocsp;		/* AIA OCSP URLs for leaves */
	/* CRL nextUpdate - thisUpdate */
	unsigned		 crl_days;
	/* publish re-signs past this share */
	unsigned		 crl_renew_percent;
	/* delta CRL URLs; empty: no deltas */
	struct strv		 delta_cdp;
	unsigned		 delta_crl_hours; /* a delta CRL's lifetime */
	struct strv		 publish;	/* publish directories */
	struct ca_policy	 policy;
	/*
	 * Without CONF_NEW: the first check CONF_NEW would have failed
	 * (file:line and what), else NULL.
	 */
	char			*flaw;
	/* with CONF_NEW: the file's bytes as checked, for init to copy */
	unsigned char		*text;
	size_t			 text_len;
};

/*
 * Every error names file:line. With CONF_NEW (a CA being made) these are
 * errors too: a subject value that fails dn_value_check() (UTF-8, RFC
 * 5280's bounds, C of two letters), a permitted domain that is no domain
 * name (empty, ".", a wildcard), an empty or repeated publish directory,
 * a delta CRL file name that is the CRL's, and a key_uri that carries its
 * PIN. An existing CA's ca.cfg
 * may predate them: its certificate already carries its subject, a domain
 * that is no domain name only ever refuses names, publish judges its
 * directories itself and the CRL commands refuse a delta name that is the
 * CRL's, so the CA keeps working and the first such finding is left in
 * conf->flaw.
 * With CONF_NEW the file may hold at most CONF_MAX bytes, the ca.cfg that
 * init copies into the CA directory.
 */
#define CONF_NEW	0x1
#define CONF_MAX	(256 * 1024)
int	 conf_load(const char *path, int flags, struct conf **, char **cause);
void	 conf_free(struct conf *);

/*
 * The file name a CRL whose URLs are urls is kept and published under:
 * the name its first http:// URL ends with (url_file_name()), else
 * fallback, CONF_CRL_NAME or CONF_DELTA_NAME (allocated).
 */
#define CONF_CRL_NAME	"ca.crl"
#define CONF_DELTA_NAME	"ca-delta.crl"
char	*conf_crl_name(const struct strv *urls, const char *fallback);
/*
 * The delta CRL's file name when it, or its .pem copy, is one of the
 * CRL's two (allocated); NULL when they differ or there are no deltas.
 */
char	*conf_delta_clash(const struct conf *);

/* Is host (a dNSName, "*." allowed) inside the policy's permitted domains? */
int	 conf_domain_permitted(const struct ca_policy *, const char *host);

#endif
