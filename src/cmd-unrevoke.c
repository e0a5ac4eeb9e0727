/*
 * unrevoke: release a certificate put on hold. Only a certificateHold
 * revocation can be undone; any other is final (RFC 5280).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "store.h"

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	char		*cause = NULL, *serial = NULL;
	int		 rc = ERR_FAIL;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_unrevoke(ca->store, a->pos[0], &cause));
	serial = store_serial_canonical(a->pos[0]);
	fprintf(stderr, "roleca: unrevoke: %s is valid again; the next CRL "
	    "drops it\n", serial);
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit_cert(cmd, ca->store, a->pos[0], rc, cause);
	free(serial);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_unrevoke = {
	"unrevoke",
	"SERIAL",
	"Release a certificate revoked with reason certificateHold.",
	"",
	NULL,
	1,
	1,
	run
};
