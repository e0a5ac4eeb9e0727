/*
 * libFuzzer harness: profile loading (with a CA policy) and binding with a
 * fixed set of variables.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-file.h"
#include "profile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ca_policy	 policy = { { NULL, 0 }, 2048, 825, 0, 0 };
	struct profile_values	 vals = { NULL, 0 };
	struct profile		*p = NULL;
	struct request		*req = NULL;
	char			*cause = NULL, *domains[] = { "lab.example",
	    NULL };

	policy.domains.v = domains;
	policy.domains.n = 1;
	if (profile_load(fuzz_file(data, len), &policy, &p, &cause) == 0) {
		free(cause);
		cause = NULL;
		profile_values_add(&vals, "fqdn=a.lab.example", &cause);
		profile_values_add(&vals,
		    "sip_domain=lab.example,x.lab.example", &cause);
		free(cause);
		cause = NULL;
		if (profile_bind_partial(p, &vals, &req, &cause) == 0)
			request_free(req);
		profile_values_free(&vals);
		profile_free(p);
	}
	free(cause);
	return 0;
}
