/*
 * The rules every server certificate roleca signs must meet (CDP,
 * serverAuth, names, chain, strength, validity), and those for CA
 * certificates. The same code judges a certificate roleca just built and
 * one it did not make (`check`): it reports, it never repairs.
 */
#ifndef ROLECA_POLICY_H
#define ROLECA_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "conf.h"
#include "profile.h"

struct ca_spki;
struct ecsig;

struct finding {
	char	*rule;	/* short rule name: "cdp", "eku", "names", ... */
	char	*msg;	/* one line saying what is wrong */
};

struct findings {
	struct finding	*v;
	size_t		 n;
};

/*
 * What the certificate is judged against. Every member may be NULL/0:
 * without a CA only the CA-independent rules run; with a profile the role's
 * names, EKU and key are checked; with a request the exact names too.
 */
struct policy_ctx {
	const struct conf	*conf;		/* the issuing CA's config */
	/* the issuing CA's certificate */
	gnutls_x509_crt_t	 issuer;
	const struct profile	*profile;
	const struct request	*request;
	time_t			 now;
	/* the issuer's key's own ECDSA signatures checked fast, or NULL */
	const struct ecsig	*own;
	/*
	 * The issuing CA's chain (itself first) with each one's key; without
	 * it the issuer alone. A leaf may certify none of these keys.
	 */
	const gnutls_x509_crt_t	*chain;
	const struct ca_spki	*chain_spki;
	size_t			 nchain;
};

/* Judge a server (leaf) certificate; 0 when judged, findings may be empty. */
int	 policy_check(gnutls_x509_crt_t, const struct policy_ctx *,
	    struct findings *, char **cause);
/*
 * The same for a certificate's DER. With judged, the copy the rules read
 * (parsed from der here) is handed over, so a caller that signed der holds
 * exactly what was judged without parsing it a second time.
 */
int	 policy_check_der(const unsigned char *der, size_t len,
	    const struct policy_ctx *, struct findings *,
	    gnutls_x509_crt_t *judged, char **cause);
/*
 * The name rules alone, on a bound request before anything is made from
 * it: the subject attributes, every dNSName's syntax, wildcards, IP
 * addresses and the permitted domains (with ctx->conf), the role's name
 * templates (with ctx->profile), as policy_check judges a certificate's.
 * For a CSR (request), which no later check sees. ctx->request is unused.
 */
void	 policy_check_names(const struct request *, const struct policy_ctx *,
	    struct findings *);
/* Judge a CA certificate roleca is about to sign or install. */
int	 policy_check_ca(gnutls_x509_crt_t, const struct policy_ctx *,
	    struct findings *, char **cause);
/*
 * A CA's key, before there is a certificate to judge (init --csr-out): the
 * key rule for CA certificates.
 */
void	 policy_check_ca_key(gnutls_pubkey_t, struct findings *);
/*
 * A CA certificate crt below the CA whose chain is chain[0..n) (itself
 * first, up to its root): a subject and a key other than its parent's (a
 * CA named as its parent makes CRLs no client can tell apart), and room
 * for it and its own pathLenConstraint (none is more than any) under
 * every pathLenConstraint above, each counting the CAs below it (RFC 5280
 * 4.2.1.9). The issuing CA's own 0 is policy_check_ca's finding.
 */
void	 policy_check_below(gnutls_x509_crt_t crt,
	    const gnutls_x509_crt_t *chain, size_t n, struct findings *);
/*
 * The issuers of a CA certificate as a file gives them, chain[1..n): each
 * a CA certificate (CA:TRUE, keyCertSign when it has a keyUsage) whose key
 * signed the one before it (chain[0]'s signature is policy_check_ca's).
 */
int	 policy_check_issuers(const gnutls_x509_crt_t *chain, size_t n,
	    struct findings *, char **cause);
void	 findings_free(struct findings *);

/*
 * Live checks for `check`: the chain up to one of the trust anchors cas;
 * expiry within warn_days; and a CRL fetched from the certificate's CDP
 * (url), which must verify with the issuer, be current and not list it.
 */
int	 policy_check_chain(const gnutls_x509_crt_t *chain, size_t n,
	    const gnutls_x509_crt_t *cas, size_t ncas, time_t now,
	    struct findings *, char **cause);
/*
 * Does the certificate name host (a DNS name or an address), as a TLS
 * client matches it?
 */
void	 policy_check_host(gnutls_x509_crt_t, const char *host,
	    struct findings *);
void	 policy_check_expiry(gnutls_x509_crt_t, time_t now, unsigned warn_days,
	    struct findings *);
/*
 * A CRL read for the certificate: signed by the issuer (when given),
 * current, a full CRL or, with delta, a delta CRL (Delta CRL Indicator);
 * findings for what is not. seen says what it holds: ok when it could be
 * judged, listed -1 or the certificate's entry's reason (0 none, 8
 * removeFromCRL), its CRL number, and base, the base CRL number a delta
 * names (-1: not a delta).
 */
struct crl_seen {
	int		 ok;
	int		 listed;
	uint64_t	 number;
	int64_t		 base;
};
void	 policy_check_crl(gnutls_x509_crt_t, gnutls_x509_crt_t issuer,
	    const unsigned char *crl, size_t len, const char *url, int delta,
	    time_t now, struct crl_seen *, struct findings *);
/* Is it a CRL at all (DER or PEM)? One given as a file must be. */
int	 policy_crl_parses(const unsigned char *crl, size_t len);
/*
 * Is the certificate revoked, by the CRL at url and the delta CRL at durl
 * (NULL: none) as policy_check_crl saw them? A delta listing it revokes
 * it, unless with removeFromCRL, which releases a hold the base lists; a
 * delta whose number is not above the base's is stale and not applied.
 */
void	 policy_check_revoked(const char *url, const struct crl_seen *base,
	    const char *durl, const struct crl_seen *delta, struct findings *);
/* The certificate's http:// delta CRL URLs (Freshest CRL). */
void	 policy_delta_urls(gnutls_x509_crt_t, struct strv *);
/* The same of a CRL, DER or PEM: where its delta CRLs are. */
void	 policy_crl_delta_urls(const unsigned char *crl, size_t len,
	    struct strv *);
/*
 * Does a name fit a profile's name template (each ${var} one or more
 * characters)?
 */
int	 policy_name_matches(const char *tmpl, const char *name);
/*
 * The template of t[0..n) a name fits best, as sign places a request's
 * names: the variables vs binds written in, the most literal characters
 * first; a template of no list variable is left once used[] counts a
 * name in it, and with open_only one whose variables vs all bind is too.
 * -1 when none is left for it.
 */
int	 policy_best_template(const struct profile *,
	    const struct profile_values *, const struct profile_tmpl *t,
	    size_t n, const unsigned *used, int open_only, const char *name);
/*
 * Does the role need dNSName template i (it uses no optional variable)
 * while none of dns matches it? What sign refuses and check reports.
 */
int	 policy_template_unmet(const struct profile *, size_t i,
	    const struct strv *dns);
/* The certificate's http:// CDP URLs. */
void	 policy_cdp_urls(gnutls_x509_crt_t, struct strv *);
/* Add one finding. */
void	 findings_add(struct findings *, const char *rule, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Is s a syntactically valid dNSName ("*." first label only if wildcard)? */
int	 policy_dns_valid(const char *s, int wildcard);

#endif
