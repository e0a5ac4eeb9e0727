/*
 * Build and sign certificates and CSRs with GnuTLS, and read them back.
 * Nothing here decides policy: it builds exactly what a request or a CA
 * config says, and policy.c judges the result.
 */
#ifndef ROLECA_X509_H
#define ROLECA_X509_H

#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "conf.h"
#include "keys.h"
#include "profile.h"

struct ecsig;

#define X509_SERIAL_LEN	16

/* 16 random bytes with the top bit cleared: positive, full length. */
int	 x509_serial_new(unsigned char serial[X509_SERIAL_LEN], char **cause);

/*
 * A leaf for request, for the public key pub, signed by ca, valid from now:
 * its DER (the caller frees out->data with gnutls_free), or the
 * certificate read back from it. Safe to call from several threads, each
 * with its own ca->crt.
 */
int	 x509_build_leaf_der(const struct request *, gnutls_pubkey_t pub,
	    const struct ca *ca, time_t now, gnutls_datum_t *out, char **cause);
int	 x509_build_leaf(const struct request *, gnutls_pubkey_t pub,
	    const struct ca *ca, time_t now, gnutls_x509_crt_t *out,
	    char **cause);

/*
 * A CA certificate from conf for the key subject_key: self-signed when
 * issuer is NULL, else signed by issuer (whose CDP/AIA it then carries).
 */
int	 x509_build_ca(const struct conf *, const struct key *subject_key,
	    const struct ca *issuer, time_t now, gnutls_x509_crt_t *out,
	    char **cause);

/* A PKCS#10 request for a CA key from conf (init --csr-out). */
int	 x509_build_ca_csr(const struct conf *, const struct key *,
	    gnutls_x509_crq_t *out, char **cause);

/* A CRLDistributionPoints value (also the Freshest CRL syntax) for urls. */
int	 x509_encode_cdp(const struct strv *urls, gnutls_datum_t *out,
	    char **cause);

/* A PKCS#10 request for a server key from a bound profile (roleca request). */
int	 x509_build_csr(const struct request *, const struct key *,
	    gnutls_digest_algorithm_t, gnutls_x509_crq_t *out, char **cause);

/*
 * Read a CSR: PEM ("CERTIFICATE REQUEST" or Windows' "NEW CERTIFICATE
 * REQUEST"), DER, or bare base64. Nothing is verified here.
 */
int	 x509_parse_csr(const unsigned char *data, size_t len, const char *what,
	    gnutls_x509_crq_t *out, char **cause);

/*
 * What a CSR asks for, after its self-signature verified (proof of
 * possession; SHA-1 signatures fail): the public key, the subject CN
 * (NULL if none), the requested DNS and IP names, and whether it asks to
 * be a CA. ERR_POLICY when the signature does not verify.
 */
struct csr_info {
	gnutls_pubkey_t	 pub;
	char		*cn;
	struct strv	 dns;
	struct strv	 ip;
	int		 wants_ca;
};
int	 x509_csr_info(gnutls_x509_crq_t, struct csr_info *, char **cause);
void	 x509_csr_info_free(struct csr_info *);

/*
 * Read one or more certificates from PEM (any number) or DER (one):
 * x509_load_certs from what a user gives (out_read), x509_load_cert_file
 * from a file roleca keeps, a regular file (out_read_file).
 */
int	 x509_load_certs(const char *path, gnutls_x509_crt_t **list, size_t *n,
	    char **cause);
int	 x509_load_cert_file(const char *path, gnutls_x509_crt_t **list,
	    size_t *n, char **cause);
int	 x509_parse_certs(const unsigned char *data, size_t len,
	    const char *what, gnutls_x509_crt_t **list, size_t *n,
	    char **cause);
void	 x509_free_certs(gnutls_x509_crt_t *list, size_t n);

/*
 * DER or PEM of a certificate / CSR; the caller frees out->data with
 * gnutls_free.
 */
int	 x509_export(gnutls_x509_crt_t, int pem, gnutls_datum_t *out,
	    char **cause);
/* A new certificate object holding the same certificate. */
int	 x509_dup(gnutls_x509_crt_t, gnutls_x509_crt_t *out, char **cause);
int	 x509_export_csr(gnutls_x509_crq_t, int pem, gnutls_datum_t *out,
	    char **cause);

/*
 * The AlgorithmIdentifier of the CA key's signature with the CA's digest,
 * appended to d (certificates and CRLs): PKCS#1 v1.5 for RSA, never PSS.
 */
struct der;
int	 x509_sig_alg(struct der *, const struct ca *,
	    gnutls_sign_algorithm_t *, char **cause);
/* The serial as lower-case hex (allocated). */
int	 x509_serial_hex(gnutls_x509_crt_t, char **hex, char **cause);
/* RFC 4514 subject text (allocated). */
int	 x509_subject_text(gnutls_x509_crt_t, char **text, char **cause);
/*
 * Is the certificate's subject the name dn encodes, as roleca would write
 * it (the same attributes, in order, each its own RDN)?
 */
int	 x509_subject_is(gnutls_x509_crt_t, const struct dn *, int *same,
	    char **cause);
/* A CA certificate's pathLenConstraint; -1: none (or no CA). */
int	 x509_path_len(gnutls_x509_crt_t);
/* Does the certificate carry a nameConstraints extension? */
int	 x509_has_name_constraints(gnutls_x509_crt_t);
/* The subjectAltName entries as "DNS:x,IP:y" text (allocated, "" if none). */
int	 x509_san_text(gnutls_x509_crt_t, char **text, char **cause);
/* The subject CN as its text, not RFC 4514-escaped; -1 if none. */
int	 x509_cn(gnutls_x509_crt_t, char **cn);
/*
 * The subject CN (NULL if none) and the DNS and IP names a certificate carries.
 */
int	 x509_names(gnutls_x509_crt_t, char **cn, struct strv *dns,
	    struct strv *ip, char **cause);

/* The EKU purposes (dotted OIDs) and the CDP URIs a certificate carries. */
void	 x509_eku_list(gnutls_x509_crt_t, struct strv *);
void	 x509_cdp_list(gnutls_x509_crt_t, struct strv *);
/* The caIssuers and OCSP URLs of its authorityInfoAccess. */
void	 x509_aia_list(gnutls_x509_crt_t, struct strv *issuers,
	    struct strv *ocsp);

/* Are two certificates the same (the same DER)? */
int	 x509_same(gnutls_x509_crt_t, gnutls_x509_crt_t);

/* Does crt name ca's subject as its issuer, byte for byte (keys aside)? */
int	 x509_issuer_named(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca);
/*
 * Is issuer crt's issuer, as GnuTLS judges it when it builds a chain (the
 * names, and the key identifiers where both certificates carry them)?
 * The signature is not checked.
 */
int	 x509_is_issuer(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer);
/* The subject, or with issuer set the issuer, as RFC 4514 text; "" if none. */
char	*x509_dn(gnutls_x509_crt_t, int issuer);
/* The validity period's bounds. */
void	 x509_validity(gnutls_x509_crt_t, time_t *not_before,
	    time_t *not_after);
/* The certified public key (a new one the caller frees). */
int	 x509_crt_pubkey(gnutls_x509_crt_t, gnutls_pubkey_t *pub,
	    char **cause);
/*
 * The SHA-256 key identifier, in hex (allocated), of pub or of the key the
 * certificate der certifies: what x509_matches_pubkey() compares.
 */
/*
 * Whether tbs's signature sig, by algorithm sign whose AlgorithmIdentifier
 * (DER, header included) is alg, verifies with issuer's key, an RSA-PSS one
 * with the salt its parameters name; weak hashes verify. 0, or a GnuTLS
 * error code. Neither the issuer's dates nor its key usage are judged.
 * With own (may be NULL) the ECDSA signatures of its key are checked with
 * its private scalar.
 */
int	 x509_verify_issued(gnutls_x509_crt_t issuer, const struct ecsig *own,
	    int sign,
	    const void *alg, size_t alglen, const gnutls_datum_t *tbs,
	    const gnutls_datum_t *sig);
int	 x509_pubkey_id(gnutls_pubkey_t, char **hex, char **cause);
/*
 * The subjectPublicKeyInfo (header included) inside a certificate's DER,
 * found by the DER alone (cheap over a whole database); -1 if malformed.
 */
int	 x509_der_spki(const unsigned char *der, size_t len,
	    const unsigned char **spki, size_t *spki_len);
/* The same, copied out of a parsed certificate (free it with free()). */
int	 x509_crt_spki(gnutls_x509_crt_t, unsigned char **spki, size_t *len,
	    char **cause);
int	 x509_der_key_id(const unsigned char *der, size_t len, char **hex,
	    char **cause);
/* Does crt certify pub (the same SHA-256 key identifier)? */
int	 x509_matches_pubkey(gnutls_x509_crt_t, gnutls_pubkey_t, int *match,
	    char **cause);
/* Does the certificate hold the public half of key? */
int	 x509_matches_key(gnutls_x509_crt_t, const struct key *, int *match,
	    char **cause);

#endif
