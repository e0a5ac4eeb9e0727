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
	struct store_cert *sc = NULL;
	char		*cause = NULL;
	int		 rc = ERR_FAIL, audited = 0;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	/* the release and its audit row in one transaction */
	TRY(store_begin(ca->store, &cause));
	TRY(store_unrevoke(ca->store, a->pos[0], &cause));
	TRY(store_get(ca->store, a->pos[0], &sc, &cause));
	if (sc == NULL) {
		rc = err_set(&cause, "certificate %s vanished", a->pos[0]);
		goto out;
	}
	TRY(store_audit(ca->store, cmd->name, sc->serial, sc->profile, "ok",
	    &cause));
	TRY(store_commit(ca->store, &cause));
	audited = 1;
	fprintf(stderr, "roleca: unrevoke: %s is valid again; the next CRL "
	    "drops it%s\n", sc->serial, ca->conf->delta_cdp.n > 0 ?
	    ", and the next delta CRL lists it as removeFromCRL" : "");
	rc = 0;
out:
	if (rc != 0 && ca != NULL)
		store_rollback(ca->store);
	if (ca != NULL && !audited)
		cmd_audit_cert(cmd, ca->store, a->pos[0], rc, cause);
	store_cert_free(sc);
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
