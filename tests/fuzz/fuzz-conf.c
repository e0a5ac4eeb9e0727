/* libFuzzer harness: ca.cfg loading. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"
#include "fuzz-file.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*path = fuzz_file(data, len);

	/* as init loads a new CA's, and as every other command an old one */
	for (int flags = 0; flags <= CONF_NEW; flags += CONF_NEW) {
		struct conf	*c = NULL;
		char		*cause = NULL;

		if (conf_load(path, flags, &c, &cause) == 0) {
			conf_domain_permitted(&c->policy, "a.lab.example");
			conf_free(c);
		}
		free(cause);
	}
	return 0;
}
