/*
 * PKCS#12 for Windows servers: one certificate bag (leaf first, then the
 * chain) and one shrouded key bag, the leaf and the key sharing a local key
 * ID and a friendly name, under a MAC. The legacy form exists only because
 * older Windows Server releases cannot read AES/PBKDF2.
 *
 * Two GnuTLS habits shape the checks here. It writes a friendly name as a
 * BMPString by making each byte of the string one character, so the name
 * goes in as Latin-1 and what Latin-1 cannot hold is refused. And it
 * normalizes the passphrase (RFC 8265 OpaqueString) for the encryption but
 * not for the MAC, so a passphrase that normalization changes is refused:
 * with it, no reader could open the file.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "err.h"
#include "keys.h"
#include "out.h"
#include "p12.h"
#include "util.h"

/* The MAC's key derivation takes at most 8192 bytes of UTF-16 and a NUL. */
#define P12_PASS_MAX	4095

static int
gerr(char **cause, const char *what, int ret)
{
	return err_set(cause, "PKCS#12 %s: %s", what, gnutls_strerror(ret));
}

/* The code point at *p (valid UTF-8), *p moved past it. */
static unsigned long
next_char(const unsigned char **p)
{
	const unsigned char	*s = *p;
	unsigned long		 c = *s++;
	int			 more = 0;

	if (c >= 0xf0) {
		c &= 0x07;
		more = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		more = 2;
	} else if (c >= 0xc0) {
		c &= 0x1f;
		more = 1;
	}
	while (more-- > 0 && (*s & 0xc0) == 0x80)
		c = c << 6 | (*s++ & 0x3f);
	*p = s;
	return c;
}

int
p12_friendly_name(const char *name, const char *what, char **cause)
{
	const unsigned char	*p = (const unsigned char *)name;
	unsigned long		 c;

	if (out_friendly_name(name, what, cause) != 0)
		return ERR_USAGE;
	while (*p != '\0')
		if ((c = next_char(&p)) > 0xff)
			return err_usage(cause, "%s: U+%04lX cannot be "
			    "stored: a PKCS#12 friendly name holds only the "
			    "characters U+0001 to U+00FF (Latin-1)", what, c);
	return 0;
}

int
p12_pass_check(const char *pass, char **cause)
{
	const unsigned char	*p;
	size_t			 units = 0;
	int			 rc;

	if ((rc = keys_pass_check(pass, "the file", cause)) < 0)
		return rc;
	/* four UTF-8 bytes make a surrogate pair, two UTF-16 code units */
	for (p = (const unsigned char *)pass; *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80)
			units += *p >= 0xf0 ? 2 : 1;
	if (units > P12_PASS_MAX)
		return err_usage(cause, "%zu characters, at most %d in a "
		    "PKCS#12 passphrase (one beyond U+FFFF counts as two)",
		    units, P12_PASS_MAX);
	return 0;
}

/* name as GnuTLS must get it to write it right: Latin-1 (allocated). */
static char *
latin1(const char *name)
{
	const unsigned char	*p = (const unsigned char *)name;
	char			*s = xmalloc(strlen(name) + 1);
	size_t			 n = 0;

	while (*p != '\0')
		s[n++] = (char)next_char(&p);
	s[n] = '\0';
	return s;
}

static int
cert_bag(gnutls_x509_crt_t leaf, const gnutls_x509_crt_t *chain, size_t n,
    const gnutls_datum_t *id, const char *name, const char *pass,
    unsigned flags, gnutls_pkcs12_bag_t *out, char **cause)
{
	gnutls_pkcs12_bag_t	 bag = NULL;
	int			 rc = ERR_FAIL, ret, idx;

	if ((ret = gnutls_pkcs12_bag_init(&bag)) < 0 ||
	    (ret = idx = gnutls_pkcs12_bag_set_crt(bag, leaf)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(bag, idx, id)) < 0 ||
	    (name != NULL &&
	    (ret = gnutls_pkcs12_bag_set_friendly_name(bag, idx, name)) < 0)) {
		rc = gerr(cause, "certificate", ret);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((ret = gnutls_pkcs12_bag_set_crt(bag, chain[i])) < 0) {
			rc = gerr(cause, "chain", ret);
			goto out;
		}
	}
	if ((ret = gnutls_pkcs12_bag_encrypt(bag, pass, flags)) < 0) {
		rc = gerr(cause, "encrypt certificates", ret);
		goto out;
	}
	*out = bag;
	bag = NULL;
	rc = 0;
out:
	if (bag != NULL)
		gnutls_pkcs12_bag_deinit(bag);
	return rc;
}

static int
key_bag(const struct key *key, const gnutls_datum_t *id, const char *name,
    const char *pass, unsigned flags, gnutls_pkcs12_bag_t *out, char **cause)
{
	gnutls_pkcs12_bag_t	 bag = NULL;
	int			 rc = ERR_FAIL, ret, idx;

	if ((ret = gnutls_pkcs12_bag_init(&bag)) < 0 ||
	    (ret = idx = gnutls_pkcs12_bag_set_privkey(bag, keys_x509(key),
	    pass, flags)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(bag, idx, id)) < 0 ||
	    (name != NULL &&
	    (ret = gnutls_pkcs12_bag_set_friendly_name(bag, idx, name)) < 0)) {
		rc = gerr(cause, "key", ret);
		goto out;
	}
	*out = bag;
	bag = NULL;
	rc = 0;
out:
	if (bag != NULL)
		gnutls_pkcs12_bag_deinit(bag);
	return rc;
}

int
p12_build(gnutls_x509_crt_t leaf, const gnutls_x509_crt_t *chain,
    size_t nchain, const struct key *key, const char *friendly_name,
    const char *pass, int legacy, gnutls_datum_t *out, char **cause)
{
	gnutls_pkcs12_t		 p12 = NULL;
	gnutls_pkcs12_bag_t	 cbag = NULL, kbag = NULL;
	unsigned char		 idbuf[20];
	size_t			 idlen = sizeof idbuf;
	gnutls_datum_t		 id;
	char			*name = NULL;
	unsigned		 flags = legacy ? GNUTLS_PKCS_PKCS12_3DES :
				    GNUTLS_PKCS_PBES2_AES_256;
	int			 rc = ERR_FAIL, ret;

	/* the local key ID ties the key to its certificate for Windows */
	if ((ret = gnutls_x509_crt_get_key_id(leaf, GNUTLS_KEYID_USE_SHA1,
	    idbuf, &idlen)) < 0) {
		rc = gerr(cause, "key id", ret);
		goto out;
	}
	id.data = idbuf;
	id.size = (unsigned)idlen;
	if (friendly_name != NULL) {
		TRY(p12_friendly_name(friendly_name, "friendly name", cause));
		name = latin1(friendly_name);
	}
	if ((rc = p12_pass_check(pass, cause)) < 0) {
		err_prefix(cause, "PKCS#12 passphrase: ");
		goto out;
	}
	TRY(cert_bag(leaf, chain, nchain, &id, name, pass, flags, &cbag,
	    cause));
	TRY(key_bag(key, &id, name, pass, flags, &kbag, cause));
	if ((ret = gnutls_pkcs12_init(&p12)) < 0 ||
	    (ret = gnutls_pkcs12_set_bag(p12, cbag)) < 0 ||
	    (ret = gnutls_pkcs12_set_bag(p12, kbag)) < 0 ||
	    (ret = gnutls_pkcs12_generate_mac2(p12, legacy ? GNUTLS_MAC_SHA1 :
	    GNUTLS_MAC_SHA256, pass)) < 0 ||
	    (ret = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, out)) < 0) {
		rc = gerr(cause, "build", ret);
		goto out;
	}
	rc = 0;
out:
	if (kbag != NULL)
		gnutls_pkcs12_bag_deinit(kbag);
	if (cbag != NULL)
		gnutls_pkcs12_bag_deinit(cbag);
	if (p12 != NULL)
		gnutls_pkcs12_deinit(p12);
	free(name);
	return rc;
}
