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
	struct conf	*c = NULL;
	char		*cause = NULL;

	if (conf_load(fuzz_file(data, len), CONF_NEW, &c, &cause) == 0) {
		conf_domain_permitted(&c->policy, "a.lab.example");
		conf_free(c);
	}
	free(cause);
	return 0;
}
