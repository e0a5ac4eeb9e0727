/*
 * Private keys. A struct key owns a GnuTLS x509 private key and the
 * abstract privkey that signs with it; GnuTLS clears its own key material
 * on deinit, and every buffer roleca holds key bytes in is wiped here or by
 * keys_datum_wipe() before it is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/pkcs11.h>

#include "err.h"
#include "keys.h"
#include "out.h"
#include "pass.h"
#include "util.h"

#define KEY_FILE_MAX	(64 * 1024)

struct key {
	gnutls_x509_privkey_t	x509;
	gnutls_privkey_t	priv;
};

static const struct {
	const char	*name;
	enum key_alg	 alg;
	unsigned	 bits;
} specs[] = {
	{ "rsa:2048", KEY_RSA, 2048 },
	{ "rsa:3072", KEY_RSA, 3072 },
	{ "rsa:4096", KEY_RSA, 4096 },
	{ "ec:p256", KEY_EC, 256 },
	{ "ec:p384", KEY_EC, 384 },
};

int
keys_parse_spec(const char *text, struct keyspec *ks, char **cause)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		if (strcmp(specs[i].name, text) == 0) {
			ks->alg = specs[i].alg;
			ks->bits = specs[i].bits;
			return 0;
		}
	}
	return err_usage(cause, "unknown key spec '%s' (use rsa:2048, "
	    "rsa:3072, rsa:4096, ec:p256 or ec:p384)", text);
}

const char *
keys_spec_name(const struct keyspec *ks, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s%u", ks->alg == KEY_RSA ? "rsa" : "ec",
	    ks->alg == KEY_RSA ? "" : "p", ks->bits);
	return buf;
}

/* Security strength in bits (NIST SP 800-57 Part 1, table 2). */
static unsigned
strength(const struct keyspec *ks)
{
	if (ks->alg == KEY_EC)
		return ks->bits / 2;
	if (ks->bits >= 15360)
		return 256;
	if (ks->bits >= 7680)
		return 192;
	if (ks->bits >= 3072)
		return 128;
	if (ks->bits >= 2048)
		return 112;
	return 80;
}

int
keys_spec_weaker(const struct keyspec *have, const struct keyspec *want)
{
	if (have->alg == want->alg)
		return have->bits < want->bits;
	return strength(have) < strength(want);
}

static int
wrap(struct key *k, char **cause)
{
	int	 ret;

	if ((ret = gnutls_privkey_init(&k->priv)) < 0 ||
	    (ret = gnutls_privkey_import_x509(k->priv, k->x509, 0)) < 0)
		return err_set(cause, "private key: %s", gnutls_strerror(ret));
	return 0;
}

int
keys_generate(const struct keyspec *ks, struct key **out, char **cause)
{
	struct key		*k = xcalloc(1, sizeof *k);
	gnutls_pk_algorithm_t	 pk = GNUTLS_PK_RSA;
	unsigned		 bits = ks->bits;
	int			 rc = ERR_FAIL, ret;

	if (ks->alg == KEY_EC) {
		pk = GNUTLS_PK_ECDSA;
		bits = GNUTLS_CURVE_TO_BITS(ks->bits == 384 ?
		    GNUTLS_ECC_CURVE_SECP384R1 : GNUTLS_ECC_CURVE_SECP256R1);
	}
	if ((ret = gnutls_x509_privkey_init(&k->x509)) < 0 ||
	    (ret = gnutls_x509_privkey_generate(k->x509, pk, bits, 0)) < 0) {
		rc = err_set(cause, "generate key: %s", gnutls_strerror(ret));
		goto out;
	}
	TRY(wrap(k, cause));
	*out = k;
	k = NULL;
	rc = 0;
out:
	keys_free(k);
	return rc;
}

/*
 * Read once: whether the key is encrypted is seen in the bytes that are
 * imported, and only then is the passphrase asked for (what NULL: never).
 */
int
keys_load_ask(const char *path, int strict, const char *what,
    const char *env, struct key **out, char **cause)
{
	static const char	 tag[] =
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----";
	static const char	 legacy[] = "Proc-Type: 4,ENCRYPTED";
	struct key		*k = xcalloc(1, sizeof *k);
	unsigned char		*data = NULL;
	char			*pass = NULL;
	size_t			 len = 0;
	gnutls_datum_t		 d;
	mode_t			 mode = 0;
	int			 rc = ERR_FAIL, ret, encrypted;

	/*
	 * strict: a key roleca keeps, a regular file that only its owner
	 * can read (the mode of the file read, not of a name looked at
	 * before); else one given
	 */
	TRY(strict ? out_read_file_mode(path, KEY_FILE_MAX, &data, &len,
	    &mode, cause) : out_read(path, KEY_FILE_MAX, &data, &len, cause));
	if (strict && (mode & 077) != 0) {
		rc = err_set(cause, "%s: private key is readable by group or "
		    "others (mode %03o); fix with: chmod 600 %s", path,
		    (unsigned)(mode & 0777), path);
		goto out;
	}
	encrypted = len >= sizeof tag - 1 &&
	    memcmp(data, tag, sizeof tag - 1) == 0;
	/* or in OpenSSL's traditional PEM form, which GnuTLS reads too */
	if (!encrypted && memmem(data, len, legacy, sizeof legacy - 1) != NULL)
		encrypted = 1;
	if (what != NULL && encrypted)
		TRY(pass_get(what, NULL, env, 0, &pass, cause));
	d.data = data;
	d.size = (unsigned)len;
	if ((ret = gnutls_x509_privkey_init(&k->x509)) < 0) {
		rc = err_set(cause, "%s: %s", path, gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_privkey_import2(k->x509, &d, GNUTLS_X509_FMT_PEM,
	    pass, pass != NULL ? 0 : GNUTLS_PKCS_PLAIN);
	if (ret < 0 && pass == NULL) {
		ret = gnutls_x509_privkey_import2(k->x509, &d,
		    GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN);
		/* encrypted DER, given no passphrase, "fails to decrypt" */
		if (ret == GNUTLS_E_DECRYPTION_FAILED) {
			encrypted = 1;
			if (what != NULL) {
				TRY(pass_get(what, NULL, env, 0, &pass, cause));
				ret = gnutls_x509_privkey_import2(k->x509, &d,
				    GNUTLS_X509_FMT_DER, pass, 0);
			}
		}
	}
	/* an encrypted key where none is asked for: say so, not "ASN1" */
	if (ret < 0 && what == NULL && encrypted) {
		rc = err_set(cause, "%s: the key is encrypted; roleca keeps "
		    "server keys unencrypted, mode 0600 (decrypt it with "
		    "openssl pkey)", path);
		goto out;
	}
	if (ret == GNUTLS_E_DECRYPTION_FAILED) {
		rc = err_set(cause, "%s: wrong passphrase", path);
		goto out;
	}
	if (ret < 0) {
		rc = err_set(cause, "%s: not a readable private key (%s)", path,
		    gnutls_strerror(ret));
		goto out;
	}
	TRY(wrap(k, cause));
	*out = k;
	k = NULL;
	rc = 0;
out:
	pass_free(pass);
	wipe_free(data, len);
	keys_free(k);
	return rc;
}

int
keys_load(const char *path, int strict, struct key **out, char **cause)
{
	return keys_load_ask(path, strict, NULL, NULL, out, cause);
}

/*
 * Why the PIN callback gave no PIN (no source had one), for the error of
 * the call that asked: GnuTLS reports only "Error in provided PIN".
 */
struct pin_failure {
	char	*cause;
	int	 rc;
	/* the token a PIN from the environment was given to, and its label */
	char	*token;
	char	*label;
};
static struct pin_failure	 pin_failure;

/* GnuTLS asks for the token PIN through this; it never prints it. */
static int
pin_cb(void *arg, int attempt, const char *url, const char *label,
    unsigned flags, char *pin, size_t max)
{
	struct pin_failure	*fail = arg;
	const char		*file;
	char			*p = NULL, *what;
	int			 rc;

	if (attempt > 0 || (flags & GNUTLS_PIN_WRONG))
		return -1;	/* never retry a wrong PIN: tokens lock */
	free(fail->cause);
	fail->cause = NULL;
	/*
	 * One PIN from the environment is for one token: tried on a second
	 * (init --parent with both keys in tokens) it would be a wrong PIN
	 * there, counted towards locking it.
	 */
	if (url != NULL && (getenv("ROLECA_PKCS11_PIN") != NULL ||
	    ((file = getenv("ROLECA_PKCS11_PIN_FILE")) != NULL &&
	    *file != '\0'))) {
		if (fail->token == NULL) {
			fail->token = xstrdup(url);
			fail->label = xstrdup(label != NULL ? label : "");
		} else if (strcmp(fail->token, url) != 0) {
			fail->rc = err_usage(&fail->cause, "PIN for token %s: "
			    "the PIN from ROLECA_PKCS11_PIN or "
			    "ROLECA_PKCS11_PIN_FILE is token %s's and is not "
			    "tried on another, which would count it as a "
			    "wrong PIN there; run on a terminal without them "
			    "to be asked for each token's PIN",
			    label != NULL ? label : "", fail->label);
			return -1;
		}
	}
	xasprintf(&what, "PIN for token %s", label != NULL ? label : "");
	if ((rc = pass_get(what, NULL, "ROLECA_PKCS11_PIN", 0, &p,
	    &fail->cause)) != 0 || strlen(p) >= max) {
		if (rc == 0)
			rc = err_set(&fail->cause, "the %s is longer than %zu "
			    "characters", what, max - 1);
		fail->rc = rc;
		free(what);
		pass_free(p);
		return -1;
	}
	free(what);
	memcpy(pin, p, strlen(p) + 1);
	pass_free(p);
	return 0;
}

int
keys_load_pkcs11(const char *module, const char *uri, struct key **out,
    char **cause)
{
	struct key	*k = xcalloc(1, sizeof *k);
	int		 rc = ERR_FAIL, ret;

	ret = gnutls_pkcs11_init(module != NULL ? GNUTLS_PKCS11_FLAG_MANUAL :
	    GNUTLS_PKCS11_FLAG_AUTO, NULL);
	if (ret >= 0 && module != NULL)
		ret = gnutls_pkcs11_add_provider(module, NULL);
	if (ret < 0) {
		rc = err_set(cause, "PKCS#11 module %s: %s", module != NULL ?
		    module : "(system)", gnutls_strerror(ret));
		goto out;
	}
	gnutls_pkcs11_set_pin_function(pin_cb, &pin_failure);
	if ((ret = gnutls_privkey_init(&k->priv)) < 0 ||
	    (ret = gnutls_privkey_import_url(k->priv, uri, 0)) < 0) {
		if (pin_failure.cause != NULL)
			rc = (pin_failure.rc == ERR_USAGE ? err_usage :
			    err_set)(cause, "%s: %s", uri, pin_failure.cause);
		else
			rc = err_set(cause, "%s: %s", uri,
			    gnutls_strerror(ret));
		goto out;
	}
	*out = k;
	k = NULL;
	rc = 0;
out:
	free(pin_failure.cause);
	pin_failure.cause = NULL;
	keys_free(k);
	return rc;
}

int
keys_export_pem(const struct key *k, gnutls_datum_t *pem, char **cause)
{
	int	 ret;

	if (k->x509 == NULL)
		return err_set(cause, "the key lives in a PKCS#11 token and "
		    "cannot be exported");
	ret = gnutls_x509_privkey_export2_pkcs8(k->x509, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, pem);
	if (ret < 0)
		return err_set(cause, "export key: %s", gnutls_strerror(ret));
	return 0;
}

int
keys_pass_check(const char *pass, const char *what, char **cause)
{
	gnutls_datum_t	 norm = { NULL, 0 };
	size_t		 len = strlen(pass);
	int		 rc = ERR_FAIL;

	/*
	 * GnuTLS derives the key from the passphrase normalized (RFC 8265,
	 * OpaqueString); OpenSSL and Windows from its bytes as typed: only a
	 * passphrase that normalization leaves alone opens the same for all.
	 */
	if (!utf8_valid(pass, len)) {
		rc = err_usage(cause, "not valid UTF-8 (a passphrase is text)");
		goto out;
	}
	if (gnutls_utf8_password_normalize((const unsigned char *)pass,
	    (unsigned)len, &norm, 0) < 0) {
		rc = err_usage(cause, "a character a passphrase cannot hold: a "
		    "control character such as a tab, a byte order mark, or "
		    "another that RFC 8265 (OpaqueString) disallows");
		goto out;
	}
	if (norm.size != len || memcmp(norm.data, pass, len) != 0) {
		rc = err_usage(cause, "Unicode normalization changes it (a "
		    "space other than U+0020, or an accent typed as a "
		    "combining mark), and %s would not open with it as typed "
		    "elsewhere: use plain spaces and precomposed letters",
		    what);
		goto out;
	}
	rc = 0;
out:
	keys_datum_wipe(&norm);
	return rc;
}

int
keys_export_pem_encrypted(const struct key *k, const char *pass,
    gnutls_datum_t *pem, char **cause)
{
	int	 ret;

	if (k->x509 == NULL)
		return err_set(cause, "the key lives in a PKCS#11 token and "
		    "cannot be exported");
	ret = gnutls_x509_privkey_export2_pkcs8(k->x509, GNUTLS_X509_FMT_PEM,
	    pass, GNUTLS_PKCS_PBES2_AES_256, pem);
	if (ret < 0)
		return err_set(cause, "export encrypted key: %s",
		    gnutls_strerror(ret));
	return 0;
}

void
keys_datum_wipe(gnutls_datum_t *d)
{
	if (d->data != NULL) {
		gnutls_memset(d->data, 0, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

int
keys_ec_raw(const struct key *k, gnutls_ecc_curve_t *curve, gnutls_datum_t *x,
    gnutls_datum_t *y, gnutls_datum_t *d)
{
	if (k == NULL || k->x509 == NULL ||
	    gnutls_x509_privkey_get_pk_algorithm(k->x509) != GNUTLS_PK_ECDSA ||
	    gnutls_x509_privkey_export_ecc_raw(k->x509, curve, x, y, d) < 0)
		return -1;
	return 0;
}

void
keys_free(struct key *k)
{
	if (k == NULL)
		return;
	if (k->priv != NULL)
		gnutls_privkey_deinit(k->priv);
	if (k->x509 != NULL)
		gnutls_x509_privkey_deinit(k->x509);
	free(k);
}

gnutls_privkey_t
keys_privkey(const struct key *k)
{
	return k->priv;
}

gnutls_x509_privkey_t
keys_x509(const struct key *k)
{
	return k->x509;
}

int
keys_pubkey(const struct key *k, gnutls_pubkey_t *out, char **cause)
{
	gnutls_pubkey_t	 pub = NULL;
	int		 ret;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, k->priv, 0, 0)) < 0) {
		if (pub != NULL)
			gnutls_pubkey_deinit(pub);
		return err_set(cause, "public key: %s", gnutls_strerror(ret));
	}
	*out = pub;
	return 0;
}

static int
spec_from(int pk, unsigned bits, struct keyspec *ks, char **cause)
{
	switch (pk) {
	case GNUTLS_PK_RSA:
		ks->alg = KEY_RSA;
		ks->bits = bits;
		return 0;
	case GNUTLS_PK_ECDSA:
		if (bits == 256 || bits == 384) {
			ks->alg = KEY_EC;
			ks->bits = bits;
			return 0;
		}
		break;
	default:
		break;
	}
	/* GnuTLS counts a P-521 key's bits as 528, whole bytes */
	if (pk == GNUTLS_PK_ECDSA && (bits == 521 || bits == 528))
		return err_policy(cause, "refused: key: ECDSA P-521 is not "
		    "supported (use RSA, or ECDSA P-256 or P-384)");
	return err_policy(cause, "refused: key: key type %s of %u bits is not "
	    "supported (use RSA, or ECDSA P-256 or P-384)",
	    gnutls_pk_get_name(pk) != NULL ? gnutls_pk_get_name(pk) : "?",
	    bits);
}

int
keys_spec_of(const struct key *k, struct keyspec *ks, char **cause)
{
	unsigned	 bits = 0;
	int		 pk;

	pk = gnutls_privkey_get_pk_algorithm(k->priv, &bits);
	return spec_from(pk, bits, ks, cause);
}

int
keys_spec_of_pubkey(gnutls_pubkey_t pub, struct keyspec *ks, char **cause)
{
	unsigned	 bits = 0;
	int		 pk;

	pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	return spec_from(pk, bits, ks, cause);
}

int
keys_spec_of_crt(gnutls_x509_crt_t crt, struct keyspec *ks, char **cause)
{
	unsigned	 bits = 0;
	int		 pk;

	pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	return spec_from(pk, bits, ks, cause);
}

