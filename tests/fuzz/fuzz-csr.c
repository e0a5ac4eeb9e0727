/*
 * libFuzzer harness: CSR ingest as `roleca sign` does it, parse then
 * verify and extract names (x509_parse_csr, x509_csr_info).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "x509.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	gnutls_x509_crq_t	 crq = NULL;
	struct csr_info		 info;
	char			*cause = NULL;

	if (x509_parse_csr(data, len, "fuzz", &crq, &cause) == 0) {
		if (x509_csr_info(crq, &info, &cause) == 0)
			x509_csr_info_free(&info);
		gnutls_x509_crq_deinit(crq);
	}
	free(cause);
	return 0;
}
