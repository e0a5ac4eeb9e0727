/*
 * PKCS#12 (.pfx) files for Windows: leaf, key and chain under one
 * passphrase, with a friendly name. The modern form is AES-256/PBKDF2 with
 * a SHA-256 MAC; the legacy form (3DES, SHA-1 MAC) is for Windows Server
 * releases before 2019 1809, which cannot read the modern one.
 */
#ifndef ROLECA_P12_H
#define ROLECA_P12_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "keys.h"

/*
 * Can name be the friendly name of a PKCS#12 file: what out_friendly_name()
 * allows, and only characters U+0001 to U+00FF, the ones GnuTLS writes as
 * they are (it makes each byte of the string one BMPString character)?
 * 0, or a usage error naming what.
 */
int	 p12_friendly_name(const char *name, const char *what, char **cause);
/*
 * Can pass protect a PKCS#12 file that every reader opens with the
 * passphrase as typed: UTF-8 that Unicode normalization (the PRECIS
 * OpaqueString profile, which GnuTLS applies to the encryption's passphrase
 * but not to the MAC's) leaves as it is, within the MAC's 4095 UTF-16 code
 * units? 0, or a usage error saying what is wrong (not where the passphrase
 * came from); a pass_get_checked() check.
 */
int	 p12_pass_check(const char *pass, char **cause);
/*
 * friendly_name (NULL: none) must pass p12_friendly_name() and pass
 * p12_pass_check().
 */
int	 p12_build(gnutls_x509_crt_t leaf, const gnutls_x509_crt_t *chain,
	    size_t nchain, const struct key *, const char *friendly_name,
	    const char *pass, int legacy, gnutls_datum_t *out, char **cause);

#endif
