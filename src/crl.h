/*
 * CRLs. GnuTLS's CRL writer cannot serve a CA: it writes no entry
 * extensions (no reason codes), has no setter for CRL extensions, and
 * appends entries in quadratic time. So roleca encodes the TBSCertList
 * itself with der.c, streaming revoked rows out of the database, signs it
 * with the CA key through GnuTLS, and wraps the signature.
 */
#ifndef ROLECA_CRL_H
#define ROLECA_CRL_H

#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "ca.h"
#include "der.h"

/* RFC 5280 CRLReason names <-> codes; -1 if unknown. */
int		 crl_reason_code(const char *name);
const char	*crl_reason_name(int code);

struct crl_entry {
	const unsigned char	*serial;	/* big-endian bytes */
	size_t			 serial_len;
	/* revocationDate: when the CA recorded the revocation */
	time_t			 revoked_at;
	/* -1 or 0: no reasonCode extension */
	int			 reason;
	/* invalidityDate, before revoked_at; 0: no such extension */
	time_t			 invalid_at;
};

struct crl_info {
	time_t			 this_update;
	time_t			 next_update;
	uint64_t		 number;
	/* a delta CRL's base CRL number; 0: a base CRL */
	uint64_t		 base;
	/* delta CRL URLs for a base CRL, or NULL */
	const struct strv	*freshest;
	/*
	 * a base CRL without delta CRLs: until when certificates the CA
	 * signed while they were on still name one (0: none unexpired)
	 */
	time_t			 stranded_until;
	/* a base CRL written but not recorded as the deltas' base: why */
	char			*unbased;
};

/* What info has to warn of, if anything, on stderr as cmd's. */
void	 crl_warnings(const char *cmd, const struct crl_info *);
void	 crl_info_free(struct crl_info *);

/*
 * Encode and sign a CRL over entries from a callback: next() returns 1
 * with *e filled, 0 at the end, or a negative code with *cause. The
 * caller der_free()s the result.
 */
typedef int	(*crl_next_fn)(void *arg, struct crl_entry *e, char **cause);
int	 crl_encode(const struct ca *, const struct crl_info *, crl_next_fn,
	    void *arg, struct der *out, char **cause);

/*
 * Make the CA's next CRL: check that every output could be written (a bad
 * one costs no number), take a new CRL number (committed before anything
 * is written, so it is never reused), encode every revoked, unexpired
 * certificate, sign, and write DIR/crl/NAME (DER) and DIR/crl/NAME.pem
 * atomically, NAME being conf_crl_name() of the CA's CDP URLs.
 * With extra, the DER is also written there.
 */
int	 crl_make(struct ca *, const char *extra, struct crl_info *info,
	    char **cause);
/*
 * The delta CRL (ca.cfg delta_cdp): what was revoked since the last base
 * CRL, with the Delta CRL Indicator naming it, written as DIR/crl/NAME for
 * the delta URL's file name. A base CRL must exist.
 */
int	 crl_make_delta(struct ca *, struct crl_info *info, char **cause);
/*
 * Hold crl/.lock, under which CRLs are numbered, signed and written (a
 * slower run with number N would otherwise replace a faster one's N+1),
 * until crl_unlock or ca_close: for publish, whose copies of them must
 * be placed before another run signs newer ones. crl_make and
 * crl_make_delta take it for themselves when it is not held.
 */
int	 crl_lock(struct ca *, char **cause);
void	 crl_unlock(struct ca *);
/*
 * Whether the delta CRL could be written (as crl_make_delta checks it
 * first): 0 without delta_cdp. For publish, which signs a base CRL before
 * the delta, so that a bad delta output costs no base CRL either.
 */
int	 crl_delta_check(const struct ca *, time_t now, char **cause);
/* DIR/crl/NAME of the delta CRL (allocated), NULL without delta_cdp. */
char	*crl_delta_path(const struct ca *);

/* DIR/crl/NAME for the CA: the file the CDP URL names (allocated). */
char	*crl_path(const struct ca *);

/*
 * thisUpdate, nextUpdate and CRL number of a CRL file, DER or PEM, and
 * whether its Freshest CRL extension is the one freshest (the delta CRL
 * URLs; NULL or none: no extension) encodes; found = 0 if it does not
 * exist. A CRL without a number, or one too large, is an error.
 */
struct crl_head {
	time_t		 this_update;
	time_t		 next_update;
	uint64_t	 number;
	int		 freshest_same;
};
int	 crl_read_head(const char *path, const struct strv *freshest,
	    int *found, struct crl_head *, char **cause);

#endif
