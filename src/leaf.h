/*
 * The signing pipeline shared by every command that makes a server
 * certificate: build from a bound request, judge with the policy, and
 * record in the database. Writing the files stays with the command.
 */
#ifndef ROLECA_LEAF_H
#define ROLECA_LEAF_H

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "policy.h"
#include "profile.h"
#include "x509.h"

/*
 * Build and sign a certificate for pub, then run the pre-issuance check.
 * When a rule is broken the certificate is not returned, *findings says
 * why, and the result is ERR_POLICY.
 */
int	 leaf_sign(struct ca *, const struct profile *, const struct request *,
	    gnutls_pubkey_t pub, gnutls_x509_crt_t *out, struct findings *,
	    char **cause);

/*
 * Record the certificate and op's audit entry (one transaction); *serial
 * is its hex serial. replaces, unless NULL, is the serial of the
 * certificate it was issued to replace, kept if recorded in this CA.
 * What was judged before signing and another roleca may have changed
 * since is judged again in the transaction, so that the revocation wins:
 * with LEAF_KEY_AGAIN, that the key is no compromised one; with
 * LEAF_OLD_VALID, that replaces is still valid (not revoked meanwhile).
 */
#define LEAF_KEY_AGAIN	0x1
#define LEAF_OLD_VALID	0x2
int	 leaf_record(struct ca *, const struct request *, gnutls_x509_crt_t,
	    const char *replaces, const char *op, int again, char **serial,
	    char **cause);

/*
 * The output prefix: arg, or the subject CN when arg is NULL, or DIR/CN
 * when arg ends in '/'. A usage error: a CN that cannot name a file, an
 * arg naming a directory without the '/', a prefix in a CA's own directory
 * (ca_refuse_output).
 */
int	 leaf_out_prefix(const char *arg, const struct request *, char **prefix,
	    char **cause);
/*
 * paths[0..n): the prefix (leaf_out_prefix) with each suffix, each one
 * writable (out_check with force): all are known good before anything is
 * made. Each path is allocated, even when a later one fails.
 */
int	 leaf_out_paths(const char *arg, const struct request *,
	    const char *const *suffixes, size_t n, int force, char **paths,
	    char **cause);

/* The names of a request as the database records them ("DNS:a,IP:b"). */
char	*leaf_sans_text(const struct request *);
/*
 * The names the request asked for beyond the variables' (req->asked), as
 * "DNS:a, DNS:b" (allocated), or NULL when there are none: said, so that
 * a requester's choice is not signed unseen.
 */
char	*leaf_asked_text(const struct request *);

/*
 * The CA's chain as PEM, made once and kept in the ca (call it before
 * sharing the ca between threads).
 */
int	 leaf_chain_prepare(struct ca *, char **cause);
/* The certificate's PEM followed by the CA chain's (allocated). */
int	 leaf_chain_pem(struct ca *, gnutls_x509_crt_t, char **pem,
	    char **cause);

/*
 * Read a CSR file (PEM, Windows .req, DER or base64) and check it: its
 * signature must verify, and it must not ask to be a CA (ERR_POLICY).
 */
int	 leaf_csr_load(const char *file, gnutls_x509_crq_t *, struct csr_info *,
	    char **cause);
/*
 * A key a certificate of this CA was revoked for (keyCompromise) is never
 * certified again: ERR_POLICY naming that certificate. For deploy, whose
 * workers keep off the database, load gives every such key identifier
 * (sorted) once and listed judges a key against them.
 */
int	 leaf_key_not_compromised(struct ca *, gnutls_pubkey_t, char **cause);
/* The serial (allocated) a key was revoked for keyCompromise with, or NULL. */
int	 leaf_key_compromised(struct ca *, gnutls_pubkey_t, char **serial,
	    char **cause);
int	 leaf_compromised_load(struct ca *, struct strv *ids, char **cause);
int	 leaf_key_listed(const struct strv *ids, gnutls_pubkey_t,
	    char **cause);
/*
 * The names of a certificate being renewed (dns, ips) into a request bound
 * from its record: each the values do not give must take a place the role
 * leaves open, as a CSR's names do (else ERR_POLICY), so that a name the
 * role's profile no longer gives is not carried on. With asked, the names
 * the record says its request asked for beyond its values (NULL: a record
 * from before they were kept), only those may take such a place: a name
 * the profile gave once is not moved into another open one (an unset
 * optional variable's). The names kept become the request's asked.
 */
int	 leaf_keep_names(struct request *, const struct profile *,
	    const struct profile_values *, const struct strv *dns,
	    const struct strv *ips, const char *asked, char **cause);
/*
 * Complete a request bound with profile_bind_partial() from a CSR: its key
 * type, its CN when the profile gave none, and the names it asks for. A
 * name the CSR asks for must be one the role leaves to it: the subject CN,
 * or a name that fits a dNSName template whose variables the values leave
 * unset (one name per template, any number for a list variable); anything
 * else is refused (ERR_POLICY). The policy judges the rest afterwards.
 * The names taken from the CSR become the request's asked, for renew.
 */
int	 leaf_csr_merge(struct request *, const struct profile *,
	    const struct profile_values *,
	    const struct csr_info *, char **cause);

#endif
