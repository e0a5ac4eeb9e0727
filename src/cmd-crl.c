/*
 * crl: sign the CA's next CRL and write it (DER, the file the CDP URL
 * names, and PEM) into DIR/crl/. The outputs are checked first, so a bad
 * --out costs no CRL number; then the number is taken and committed before
 * the CRL is built, so it is never reused, even after a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"

enum {
	OPT_OUT = 'o',
	OPT_DELTA = 'd'
};

static const struct option options[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "delta", no_argument, NULL, OPT_DELTA },
	{ NULL, 0, NULL, 0 }
};

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	struct crl_info	 info;
	char		*cause = NULL, *path = NULL;
	int		 rc = ERR_FAIL;

	memset(&info, 0, sizeof info);
	if (args_has(a, OPT_DELTA) && args_has(a, OPT_OUT))
		return cmd_usage_error(cmd, "--out goes with a base CRL");
	/* before the CA is opened: a bad --out must not cost a CRL number */
	if (args_has(a, OPT_OUT) && *args_get(a, OPT_OUT) == '\0')
		return cmd_usage_error(cmd, "--out: empty file name");
	/* elsewhere "-" is standard input: not a file named so by surprise */
	if (args_has(a, OPT_OUT) && strcmp(args_get(a, OPT_OUT), "-") == 0)
		return cmd_usage_error(cmd, "--out -: the CRL is written to a "
		    "file, not standard output (a file named '-' is ./-)");
	TRY(ca_open(dir, CA_WANT_ALL, &ca, &cause));
	if (args_has(a, OPT_DELTA)) {
		TRY(crl_make_delta(ca, &info, &cause));
		path = crl_delta_path(ca);
	} else {
		TRY(crl_make(ca, args_get(a, OPT_OUT), &info, &cause));
		path = crl_path(ca);
	}
	printf("%s\n", path);
	fprintf(stderr, "roleca: crl: %s number %llu written\n",
	    info.base != 0 ? "delta CRL" : "CRL",
	    (unsigned long long)info.number);
	crl_warnings(cmd->name, &info);
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit(cmd, ca->store, NULL, NULL, rc, cause);
	free(path);
	crl_info_free(&info);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_crl = {
	"crl",
	"[--out FILE | --delta]",
	"Sign a new CRL (CRL number + 1) into DIR/crl/; print its path.",
	"  --out FILE   also write the DER CRL to FILE (replaced atomically)\n"
	"  --delta      sign a delta CRL instead: what was revoked since the\n"
	"               last base CRL (needs delta_cdp in ca.cfg)\n",
	options,
	0,
	0,
	run
};
