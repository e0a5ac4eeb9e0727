/*
 * The CA's own ECDSA signatures checked with its private scalar d. The
 * verification equation x(u1*G + u2*Q) = r with Q = d*G is the same as
 * x((u1 + u2*d)*G) = r: one fixed-base multiplication, which nettle does
 * with a precomputed table, where GnuTLS's verification does a second,
 * variable-base one for Q, about three times the cost of signing. Every
 * certificate roleca signs is verified before it is recorded, so with a
 * P-256 CA this check was the largest cost of issuing. It needs the key in
 * memory (not in a PKCS#11 token) and P-256 or P-384; otherwise there is
 * no struct ecsig and callers verify with the public key as before.
 *
 * The only nettle and GMP calls in roleca are here. Arithmetic on d and on
 * u1 + u2*d (which equals the signature's nonce) is constant-time; what
 * holds either is wiped when freed.
 */
#ifndef ROLECA_ECSIG_H
#define ROLECA_ECSIG_H

#include <gnutls/gnutls.h>

#include "keys.h"

struct ecsig;

/*
 * The checker for key's signatures: NULL (not an error) for a key in a
 * token, any other algorithm or curve, or a key whose scalar does not give
 * its own public point.
 */
struct ecsig	*ecsig_new(const struct key *);
void		 ecsig_free(struct ecsig *);

/*
 * Verify sig (DER ECDSA-Sig-Value) over tbs with algorithm sign, made by
 * the key whose public point is (x, y) on curve (as GnuTLS exports it).
 * 0 if it verifies; a GnuTLS error code if it does not; ECSIG_OTHER when
 * the point, curve or algorithm is not this checker's, so the caller
 * verifies with the public key.
 */
#define ECSIG_OTHER	1
int	 ecsig_verify(const struct ecsig *, gnutls_ecc_curve_t curve,
	    const gnutls_datum_t *x, const gnutls_datum_t *y, int sign,
	    const gnutls_datum_t *tbs, const gnutls_datum_t *sig);

#endif
