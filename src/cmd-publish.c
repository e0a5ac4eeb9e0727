/*
 * publish: put the CA's CRL and certificate where the URLs in its
 * certificates point. The CRL is signed afresh first when it is due (past
 * crl_renew_percent of its lifetime, or missing); each file is replaced
 * atomically, so a web server never serves half a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "out.h"
#include "util.h"
#include "x509.h"

enum {
	OPT_TO = 't',
	OPT_FORCE_CRL = 'f'
};

static const struct option options[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "new-crl", no_argument, NULL, OPT_FORCE_CRL },
	{ NULL, 0, NULL, 0 }
};

#define PUBLISH_MAX	(1024UL * 1024 * 1024)

static const char *
base(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * The CA certificate's published name: the caIssuers URL's file, else NAME.crt.
 */
static char *
cert_name(const struct ca *ca, const char *crl)
{
	const char	*url, *s;
	size_t		 n;
	char		*name;

	for (size_t i = 0; i < ca->conf->ca_issuers.n; i++) {
		url = ca->conf->ca_issuers.v[i];
		if (strncmp(url, "http://", 7) != 0 ||
		    (s = strrchr(url + 7, '/')) == NULL || s[1] == '\0' ||
		    s[1] == '.')
			continue;
		return xstrndup(s + 1, strcspn(s + 1, "?#"));
	}
	n = strlen(crl);
	if (n > 4 && strcmp(crl + n - 4, ".crl") == 0)
		n -= 4;
	xasprintf(&name, "%.*s.crt", (int)n, crl);
	return name;
}

static int
copy(const char *from, const char *dir, const char *name, char **cause)
{
	unsigned char	*data = NULL;
	size_t		 len;
	char		*to;
	int		 rc = ERR_FAIL;

	xasprintf(&to, "%s/%s", dir, name);
	TRY(out_read(from, PUBLISH_MAX, &data, &len, cause));
	TRY(out_write(to, data, len, 0, 1, cause));
	printf("%s\n", to);
	rc = 0;
out:
	free(data);
	free(to);
	return rc;
}

static int
due(struct ca *ca, const char *path, time_t now, int *yes, char **cause)
{
	time_t	 tu, nu;
	int	 found, rc = ERR_FAIL;

	TRY(crl_read_times(path, &found, &tu, &nu, cause));
	*yes = !found || now >= tu + (nu - tu) *
	    (time_t)ca->conf->crl_renew_percent / 100;
	rc = 0;
out:
	return rc;
}

static int
publish_to(struct ca *ca, const char *dir, const char *crl, const char *delta,
    char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	char		*pem = NULL, *crt = NULL, *to = NULL, *dpem = NULL;
	int		 rc = ERR_FAIL;

	xasprintf(&pem, "%s.pem", crl);
	crt = cert_name(ca, base(crl));
	TRY(copy(crl, dir, base(crl), cause));
	TRY(copy(pem, dir, base(pem), cause));
	if (delta != NULL) {
		xasprintf(&dpem, "%s.pem", delta);
		TRY(copy(delta, dir, base(delta), cause));
		TRY(copy(dpem, dir, base(dpem), cause));
	}
	TRY(x509_export(ca->crt, 0, &der, cause));
	xasprintf(&to, "%s/%s", dir, crt);
	TRY(out_write(to, der.data, der.size, 0, 1, cause));
	printf("%s\n", to);
	rc = 0;
out:
	gnutls_free(der.data);
	free(dpem);
	free(to);
	free(crt);
	free(pem);
	return rc;
}

static int
run(const struct command *cmd, const char *dir, const struct args *a)
{
	struct ca	*ca = NULL;
	struct crl_info	 info, dinfo;
	const char	*to = args_get(a, OPT_TO);
	char		*cause = NULL, *crl = NULL, *delta = NULL;
	time_t		 now = time(NULL);
	int		 rc = ERR_FAIL, fresh = 0;

	TRY(ca_open(dir, CA_WANT_ALL, &ca, &cause));
	if (to == NULL && ca->conf->publish.n == 0) {
		rc = err_usage(&cause, "%s/%s names no publish directories: "
		    "give --to DIR", dir, CA_CFG);
		goto out;
	}
	crl = crl_path(ca);
	if (args_has(a, OPT_FORCE_CRL))
		fresh = 1;
	else
		TRY(due(ca, crl, now, &fresh, &cause));
	if (fresh)
		TRY(crl_make(ca, now, NULL, &info, &cause));
	/* deltas are short-lived: a fresh one goes out with every publish */
	if ((delta = crl_delta_path(ca)) != NULL)
		TRY(crl_make_delta(ca, now, &dinfo, &cause));
	if (to != NULL)
		TRY(publish_to(ca, to, crl, delta, &cause));
	else
		for (size_t i = 0; i < ca->conf->publish.n; i++)
			TRY(publish_to(ca, ca->conf->publish.v[i], crl, delta,
			    &cause));
	if (fresh)
		fprintf(stderr, "roleca: publish: CRL number %llu signed and "
		    "published\n", (unsigned long long)info.number);
	rc = 0;
out:
	if (ca != NULL)
		cmd_audit(cmd, ca->store, NULL, NULL, rc, cause);
	free(delta);
	free(crl);
	ca_close(ca);
	if (rc != 0)
		return cmd_fail(cmd, rc, &cause);
	return EXIT_OK;
}

const struct command cmd_publish = {
	"publish",
	"[--to DIR] [--new-crl]",
	"Copy the CRL (signed afresh when due) and the CA certificate into the "
	"publish directories.",
	"  --to DIR    publish into DIR instead of ca.cfg's publish directories\n"
	"  --new-crl   sign a new CRL even if the current one is not due\n"
	"Files: the CRL as DER under the name its CDP URL ends with, the same\n"
	"as PEM (NAME.pem), and the CA certificate as DER under the name its\n"
	"caIssuers URL ends with (else NAME.crt). A CRL is due when it is\n"
	"missing or crl_renew_percent (ca.cfg, default 50) of its lifetime\n"
	"has passed. With delta_cdp in ca.cfg a new delta CRL is signed and\n"
	"published every time.\n",
	options,
	0,
	0,
	run
};
