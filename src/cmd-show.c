/*
 * show: one certificate's database record, or with --pem the certificate
 * itself, so a lost .crt can be recovered from the CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gnutls/x509.h>

#include "ca.h"
#include "cmd.h"
#include "err.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_PEM = 'p'
};

static const struct option options[] = {
	{ "pem", no_argument, NULL, OPT_PEM },
	{ NULL, 0, NULL, 0 }
};

static void
print_time(const char *label, int64_t t)
{
	char		 buf[64];
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	printf("%-12s %s\n", label, buf);
}

static int
print_pem(const struct store_cert *sc, char **cause)
{
	gnutls_x509_crt_t	*certs = NULL;
	size_t			 n = 0;
	gnutls_datum_t		 pem = { NULL, 0 };
	int			 rc = ERR_FAIL;

	TRY(x509_parse_certs(sc->der, sc->der_len, "database record", &certs,
	    &n, cause));
	TRY(x509_export(certs[0], 1, &pem, cause));
	fwrite(pem.data, 1, pem.size, stdout);
	rc = 0;
out:
	gnutls_free(pem.data);
	x509_free_certs(certs, n);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca		*ca = NULL;
	struct store_cert	*sc = NULL;
	char			*cause = NULL;
	int			 rc = ERR_FAIL;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_get(ca->store, a->pos[0], &sc, &cause));
	if (sc == NULL) {
		rc = err_set(&cause, "no certificate with serial %s in %s",
		    a->pos[0], dir);
		goto out;
	}
	if (args_has(a, OPT_PEM)) {
		TRY(print_pem(sc, &cause));
		rc = 0;
		goto out;
	}
	printf("%-12s %s\n", "serial", sc->serial);
	printf("%-12s %s\n", "status", sc->status == STORE_REVOKED ?
	    "revoked" : "valid");
	printf("%-12s %s\n", "subject", sc->subject);
	printf("%-12s %s\n", "names", sc->sans);
	printf("%-12s %s\n", "profile", sc->profile);
	print_time("not-before", sc->not_before);
	print_time("not-after", sc->not_after);
	print_time("issued", sc->issued_at);
	if (sc->status == STORE_REVOKED)
		print_time("revoked", sc->revoked_at);
	rc = 0;
out:
	store_cert_free(sc);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_show = {
	"show",
	"SERIAL [--pem]",
	"Show one certificate's record from the CA database.",
	"  SERIAL   hex, any case, ':' separators allowed\n"
	"  --pem    print the certificate itself, PEM\n",
	options,
	1,
	1,
	run
};
