/*
 * Private keys: generate per key spec, load, save as PEM, and wipe. Key
 * bytes live only inside struct key and in datums that callers wipe with
 * keys_datum_wipe(); nothing here prints them.
 */
#ifndef ROLECA_KEYS_H
#define ROLECA_KEYS_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

enum key_alg {
	KEY_RSA = 1,
	KEY_EC
};

/* "rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384". */
struct keyspec {
	enum key_alg	alg;
	unsigned	bits;	/* RSA modulus bits, or the curve's size */
};

struct key;

int	 keys_parse_spec(const char *, struct keyspec *, char **cause);
/* Canonical text of a spec, in a caller buffer of at least 16 bytes. */
const char *keys_spec_name(const struct keyspec *, char *buf, size_t len);
/*
 * Is have weaker than want? The same algorithm by size; RSA against EC
 * by security strength (NIST SP 800-57: RSA 2048 112 bits, 3072 128,
 * 7680 192; P-256 128, P-384 192).
 */
int	 keys_spec_weaker(const struct keyspec *have,
	    const struct keyspec *want);

int	 keys_generate(const struct keyspec *, struct key **, char **cause);
/*
 * Load a PEM or DER private key (PKCS#8 unencrypted, PKCS#1, SEC1). With
 * strict, a file that group or others can read is refused.
 */
int	 keys_load(const char *path, int strict, struct key **, char **cause);
/*
 * The same for a key file that may be encrypted (PKCS#8 under a
 * passphrase, PEM or DER). The file is read once; only when it is
 * encrypted is the passphrase asked for, through pass_get(what, NULL, env,
 * ...). With what NULL an encrypted key is refused, saying so.
 */
int	 keys_load_ask(const char *path, int strict, const char *what,
	    const char *env, struct key **, char **cause);
/*
 * A key that lives in a PKCS#11 token, named by a pkcs11: URL; module is
 * the PKCS#11 library (NULL: the system's p11-kit configuration). The PIN
 * comes from the file $ROLECA_PKCS11_PIN_FILE names, else
 * $ROLECA_PKCS11_PIN, else the terminal. The key never leaves
 * the token: keys_x509() is NULL and keys_export_pem() refuses.
 */
int	 keys_load_pkcs11(const char *module, const char *uri, struct key **,
	    char **cause);
/* PKCS#8 PEM; the caller owns *pem and must keys_datum_wipe() it. */
int	 keys_export_pem(const struct key *, gnutls_datum_t *pem, char **cause);
/*
 * A new passphrase for what (named in the cause) that every reader derives
 * the same key from: UTF-8 that RFC 8265 normalization accepts and leaves
 * as it is (GnuTLS normalizes, OpenSSL and Windows do not). A usage error.
 */
int	 keys_pass_check(const char *pass, const char *what, char **cause);
/* Encrypted PKCS#8 PEM (AES-256, PBKDF2) under pass. */
int	 keys_export_pem_encrypted(const struct key *, const char *pass,
	    gnutls_datum_t *pem, char **cause);
void	 keys_datum_wipe(gnutls_datum_t *);
void	 keys_free(struct key *);

gnutls_privkey_t	 keys_privkey(const struct key *);
gnutls_x509_privkey_t	 keys_x509(const struct key *);
/* The public half; caller frees with gnutls_pubkey_deinit(). */
int	 keys_pubkey(const struct key *, gnutls_pubkey_t *, char **cause);
/*
 * An EC key's curve, public point and private scalar (not for a key in a
 * token): -1 for any other key. The caller wipes *d with keys_datum_wipe()
 * and frees x and y with gnutls_free().
 */
int	 keys_ec_raw(const struct key *, gnutls_ecc_curve_t *,
	    gnutls_datum_t *x, gnutls_datum_t *y, gnutls_datum_t *d);
/* The spec the key actually has. */
int	 keys_spec_of(const struct key *, struct keyspec *, char **cause);
/* The spec of a public key (RSA of any size; EC P-256/P-384 only). */
int	 keys_spec_of_pubkey(gnutls_pubkey_t, struct keyspec *, char **cause);
/* The same for a certificate's public key. */
int	 keys_spec_of_crt(gnutls_x509_crt_t, struct keyspec *, char **cause);

#endif
