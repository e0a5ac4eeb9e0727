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

/*
 * Build and sign a certificate for pub, then run the pre-issuance check.
 * When a rule is broken the certificate is not returned, *findings says
 * why, and the result is ERR_POLICY.
 */
int	 leaf_sign(struct ca *, const struct profile *, const struct request *,
	    gnutls_pubkey_t pub, gnutls_x509_crt_t *out, struct findings *,
	    char **cause);

/* Record the certificate (one transaction); *serial is its hex serial. */
int	 leaf_record(struct ca *, const struct request *, gnutls_x509_crt_t,
	    char **serial, char **cause);

#endif
