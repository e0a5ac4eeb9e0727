/*
 * rawsign: how fast GnuTLS alone signs with a key, for bench/bench.sh.
 *
 *   rawsign KEYFILE N
 *
 * Loads the unencrypted PEM private key KEYFILE (RSA or EC), signs a
 * fixed 1 KB buffer N times with SHA-256 (RSA: PKCS#1 v1.5, ECDSA as
 * usual), one thread, and prints "SIGNATURES_PER_SECOND SECONDS" on
 * standard output: the rate, and the time the N signatures took (key
 * loading and library start-up not counted). This is the ceiling for a
 * CA that signs certificates with the same key and library.
 *
 *   cc -O2 -o rawsign rawsign.c $(pkg-config --cflags --libs gnutls)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#define MSG_SIZE	1024
#define KEY_MAX		(1024 * 1024)

static void
fail(const char *what, int rc)
{
	fprintf(stderr, "rawsign: %s: %s\n", what, gnutls_strerror(rc));
	exit(1);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static unsigned char	 msg[MSG_SIZE], pem[KEY_MAX];
	gnutls_datum_t		 data = { msg, sizeof msg }, keydata, sig;
	gnutls_privkey_t	 key;
	FILE			*f;
	size_t			 len;
	char			*end;
	long			 n;
	double			 t0, t;
	int			 rc;

	if (argc != 3) {
		fprintf(stderr, "usage: rawsign KEYFILE N\n");
		return 2;
	}
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || n < 1) {
		fprintf(stderr, "rawsign: %s: not a positive count\n", argv[2]);
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "rawsign: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	len = fread(pem, 1, sizeof pem, f);
	if (ferror(f) || len == sizeof pem) {
		fprintf(stderr, "rawsign: %s: read error or too large\n",
		    argv[1]);
		return 1;
	}
	fclose(f);
	keydata.data = pem;
	keydata.size = len;

	if ((rc = gnutls_global_init()) < 0)
		fail("gnutls_global_init", rc);
	if ((rc = gnutls_privkey_init(&key)) < 0)
		fail("gnutls_privkey_init", rc);
	if ((rc = gnutls_privkey_import_x509_raw(key, &keydata,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		fail(argv[1], rc);

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 131 + 7);

	t0 = now();
	for (long i = 0; i < n; i++) {
		if ((rc = gnutls_privkey_sign_data(key, GNUTLS_DIG_SHA256, 0,
		    &data, &sig)) < 0)
			fail("gnutls_privkey_sign_data", rc);
		gnutls_free(sig.data);
	}
	t = now() - t0;
	if (t <= 0)
		t = 1e-9;
	printf("%.1f %.6f\n", n / t, t);

	gnutls_privkey_deinit(key);
	gnutls_global_deinit();
	return 0;
}
