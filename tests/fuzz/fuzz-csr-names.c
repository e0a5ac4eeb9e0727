/*
 * libFuzzer harness: what CSR ingest reads past the signature check (the
 * subject and its CN, the subjectAltName names, basicConstraints, the key).
 * x509_csr_info verifies the signature before anything else and no public
 * function reads a CSR's names without it, so fuzz-csr's mutated inputs
 * almost never get that far. A sender holds the key of the CSR it sends,
 * so any content can arrive properly signed: each parsed request has its
 * key judged as leaf_csr_merge judges it (keys_spec_of_pubkey), then is
 * signed again with a fixed key (which replaces its public key, nothing
 * else) and read by x509_csr_info.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "keys.h"
#include "x509.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* a fixed P-256 key, so that a crashing input reproduces exactly */
static const char signer_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIBZFmfmyAmcvPH2ewAT17hcOYGN1gCdcuo41woa/YPbDoAoGCCqGSM49\n"
    "AwEHoUQDQgAE/K/TZNmixQ3YLghvN92cj6Z5s4/raQC6smU9SBs5nlY/9HDPhrOP\n"
    "x9eIwe2dxLgZjzAcaDivZCPLW0vCiFYu8w==\n"
    "-----END EC PRIVATE KEY-----\n";

/* libFuzzer calls the harness with no context to carry these in */
static gnutls_x509_privkey_t	 signer_x509;
static gnutls_privkey_t		 signer;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gnutls_datum_t	 pem = { (unsigned char *)signer_pem,
			    sizeof signer_pem - 1 };

	(void)argc;
	(void)argv;
	if (gnutls_x509_privkey_init(&signer_x509) < 0 ||
	    gnutls_x509_privkey_import(signer_x509, &pem,
	    GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_privkey_init(&signer) < 0 ||
	    gnutls_privkey_import_x509(signer, signer_x509, 0) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_pubkey_t		 pub = NULL;
	struct csr_info		 info;
	struct keyspec		 spec;
	char			*cause = NULL;

	if (x509_parse_csr(data, len, "fuzz", &crq, &cause) != 0)
		goto out;
	if (gnutls_pubkey_init(&pub) == 0 &&
	    gnutls_pubkey_import_x509_crq(pub, crq, 0) == 0) {
		keys_spec_of_pubkey(pub, &spec, &cause);
		free(cause);
		cause = NULL;
	}
	if (gnutls_x509_crq_set_key(crq, signer_x509) < 0 ||
	    gnutls_x509_crq_privkey_sign(crq, signer, GNUTLS_DIG_SHA256,
	    0) < 0)
		goto out;
	if (x509_csr_info(crq, &info, &cause) == 0)
		x509_csr_info_free(&info);
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	free(cause);
	return 0;
}
