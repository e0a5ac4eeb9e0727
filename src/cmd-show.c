/*
 * show: one certificate's database record, or with --pem the certificate
 * itself, so a lost .crt can be recovered from the CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gnutls/x509.h>

#include <string.h>

#include "ca.h"
#include "crl.h"
#include "cmd.h"
#include "err.h"
#include "store.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_PEM = 'p',
	OPT_JSON = 'j'
};

static const struct option options[] = {
	{ "pem", no_argument, NULL, OPT_PEM },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/* What the stored certificate itself says. */
struct decoded {
	gnutls_x509_crt_t	*certs;
	size_t			 n;
	struct strv		 eku;
	struct strv		 cdp;
};

static int
decode(const struct store_cert *sc, struct decoded *d, char **cause)
{
	int	 rc = ERR_FAIL;

	TRY(x509_parse_certs(sc->der, sc->der_len, "database record", &d->certs,
	    &d->n, cause));
	x509_eku_list(d->certs[0], &d->eku);
	x509_cdp_list(d->certs[0], &d->cdp);
	rc = 0;
out:
	return rc;
}

static void
decoded_free(struct decoded *d)
{
	strv_free(&d->eku);
	strv_free(&d->cdp);
	x509_free_certs(d->certs, d->n);
}

static void
json_list(const char *name, const struct strv *sv, int eku)
{
	printf(",\"%s\":[", name);
	for (size_t i = 0; i < sv->n; i++) {
		if (i > 0)
			putchar(',');
		json_string(stdout, eku ? eku_name(sv->v[i]) : sv->v[i]);
	}
	putchar(']');
}

/* "DNS:a,IP:b" as a list: no name roleca records holds a comma. */
static void
json_names(const char *sans)
{
	struct strv	 names = { NULL, 0 };
	const char	*p = sans, *c;

	while (p != NULL && *p != '\0') {
		c = strchr(p, ',');
		strv_add_take(&names, c != NULL ? xstrndup(p, (size_t)(c - p)) :
		    xstrdup(p));
		p = c != NULL ? c + 1 : NULL;
	}
	json_list("names", &names, 0);
	strv_free(&names);
}

/* "name=value" lines as an object, each value as --set takes it. */
static void
json_variables(const char *vars)
{
	struct strv	 lines = { NULL, 0 };
	const char	*eq;

	strv_add_lines(&lines, vars);
	printf(",\"variables\":{");
	for (size_t i = 0; i < lines.n; i++) {
		char	*name;

		eq = strchr(lines.v[i], '=');
		name = eq != NULL ? xstrndup(lines.v[i],
		    (size_t)(eq - lines.v[i])) : xstrdup(lines.v[i]);
		if (i > 0)
			putchar(',');
		json_string(stdout, name);
		putchar(':');
		json_string(stdout, eq != NULL ? eq + 1 : "");
		free(name);
	}
	putchar('}');
	strv_free(&lines);
}

static void
print_json(const struct store_cert *sc, const struct decoded *d,
    const struct strv *asked, const struct strv *successors)
{
	char	 nb[32], na[32], is[32], rv[32], iv[32];

	utc_text(nb, sizeof nb, UTC_ISO, (time_t)sc->not_before);
	utc_text(na, sizeof na, UTC_ISO, (time_t)sc->not_after);
	utc_text(is, sizeof is, UTC_ISO, (time_t)sc->issued_at);
	printf("{\"serial\":");
	json_string(stdout, sc->serial);
	printf(",\"status\":\"%s\",\"subject\":",
	    sc->status == STORE_REVOKED ? "revoked" :
	    cert_expired((time_t)sc->not_after, time(NULL)) ? "expired" :
	    "valid");
	json_string(stdout, sc->subject);
	json_names(sc->sans);
	printf(",\"profile\":");
	json_string(stdout, sc->profile);
	json_variables(sc->vars);
	if (sc->asked == NULL)
		printf(",\"asked\":null");
	else
		json_list("asked", asked, 0);
	json_list("eku", &d->eku, 1);
	json_list("cdp", &d->cdp, 0);
	printf(",\"not_before\":\"%s\",\"not_after\":\"%s\",\"issued\":\"%s\"",
	    nb, na, is);
	/* the same members for every certificate: null where none */
	if (sc->status == STORE_REVOKED) {
		utc_text(rv, sizeof rv, UTC_ISO, (time_t)sc->revoked_at);
		printf(",\"revoked\":\"%s\",\"reason\":\"%s\"", rv,
		    crl_reason_name(sc->reason));
	} else
		printf(",\"revoked\":null,\"reason\":null");
	if (sc->status == STORE_REVOKED && sc->invalid_at != 0) {
		utc_text(iv, sizeof iv, UTC_ISO, (time_t)sc->invalid_at);
		printf(",\"invalidity\":\"%s\"", iv);
	} else
		printf(",\"invalidity\":null");
	printf(",\"replaces\":");
	if (sc->replaces == NULL)
		printf("null");
	else
		json_string(stdout, sc->replaces);
	json_list("replaced_by", successors, 0);
	printf("}\n");
}

/*
 * A field of the record, escaped as messages escape what they quote (a
 * backslash too): the database may have been edited.
 */
static void
print_field(const char *label, const char *value)
{
	char	*shown = err_escape_text(value);

	printf("%-12s %s\n", label, shown);
	free(shown);
}

static void
print_time(const char *label, int64_t t)
{
	char	 buf[64];

	utc_text(buf, sizeof buf, UTC_ISO, (time_t)t);
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
	struct decoded		 d = { NULL, 0, { NULL, 0 }, { NULL, 0 } };
	struct strv		 asked = { NULL, 0 };
	struct strv		 successors = { NULL, 0 };
	char			*cause = NULL, *serial = NULL;
	int			 rc = ERR_FAIL;

	TRY(ca_open(dir, CA_WANT_STORE, &ca, &cause));
	TRY(store_get(ca->store, a->pos[0], &sc, &cause));
	if (sc == NULL) {
		/* store_get took it: a serial, shown as the database has it */
		serial = serial_normalize(a->pos[0]);
		rc = err_set(&cause, "no certificate with serial %s in %s",
		    serial != NULL ? serial : a->pos[0], dir);
		goto out;
	}
	if (args_has(a, OPT_PEM)) {
		TRY(print_pem(sc, &cause));
		rc = 0;
		goto out;
	}
	TRY(decode(sc, &d, &cause));
	/* the names the request asked for beyond its variables */
	strv_add_lines(&asked, sc->asked);
	TRY(store_replaced_by(ca->store, sc->serial, &successors, &cause));
	if (args_has(a, OPT_JSON)) {
		print_json(sc, &d, &asked, &successors);
		rc = 0;
		goto out;
	}
	print_field("serial", sc->serial);
	printf("%-12s %s\n", "status", sc->status == STORE_REVOKED ?
	    "revoked" : cert_expired((time_t)sc->not_after, time(NULL)) ?
	    "expired" : "valid");
	print_field("subject", sc->subject);
	print_field("names", sc->sans);
	print_field("profile", sc->profile);
	for (size_t i = 0; i < asked.n; i++)
		print_field(i == 0 ? "asked" : "", asked.v[i]);
	for (size_t i = 0; i < d.eku.n; i++)
		printf("%-12s %s\n", i == 0 ? "eku" : "", eku_name(d.eku.v[i]));
	for (size_t i = 0; i < d.cdp.n; i++)
		print_field(i == 0 ? "cdp" : "", d.cdp.v[i]);
	print_time("not-before", sc->not_before);
	print_time("not-after", sc->not_after);
	print_time("issued", sc->issued_at);
	if (sc->status == STORE_REVOKED) {
		print_time("revoked", sc->revoked_at);
		printf("%-12s %s\n", "reason", crl_reason_name(sc->reason));
		if (sc->invalid_at != 0)
			print_time("invalidity", sc->invalid_at);
	}
	if (sc->replaces != NULL)
		print_field("replaces", sc->replaces);
	for (size_t i = 0; i < successors.n; i++)
		print_field(i == 0 ? "replaced-by" : "", successors.v[i]);
	rc = 0;
out:
	free(serial);
	decoded_free(&d);
	strv_free(&asked);
	strv_free(&successors);
	store_cert_free(sc);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_show = {
	"show",
	"SERIAL [--pem | --json]",
	"Show one certificate's record from the CA database.",
	"  SERIAL   hex, any case, ':' separators allowed\n"
	"  --pem    print the certificate itself, PEM\n"
	"  --json   the record and the decoded certificate as one JSON object\n",
	options,
	1,
	1,
	run
};
