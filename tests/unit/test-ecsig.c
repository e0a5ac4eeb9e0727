/*
 * ecsig.c: the CA's own ECDSA signatures checked with its private scalar
 * must agree with GnuTLS's verification with the public key, signature by
 * signature: good ones, ones over other bytes, ones by another key, ones
 * with a bit changed, and (r, s) at and beyond the edges of the range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>

#include "ecsig.h"
#include "keys.h"
#include "unit.h"

#define ROUNDS	150

struct fixture {
	struct key		*key, *other;
	struct ecsig		*es;
	gnutls_pubkey_t		 pub;
	gnutls_ecc_curve_t	 curve;
	gnutls_datum_t		 x, y;
};

static struct key *
make_key(const char *spec)
{
	struct keyspec	 ks;
	struct key	*k = NULL;
	char		*cause = NULL;

	CU_ASSERT_FATAL(keys_parse_spec(spec, &ks, &cause) == 0);
	CU_ASSERT_FATAL(keys_generate(&ks, &k, &cause) == 0);
	free(cause);
	return k;
}

static void
fixture_init(struct fixture *fx, const char *spec)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*cause = NULL;

	memset(fx, 0, sizeof *fx);
	fx->key = make_key(spec);
	fx->other = make_key(spec);
	fx->es = ecsig_new(fx->key);
	CU_ASSERT_FATAL(fx->es != NULL);
	CU_ASSERT_FATAL(keys_pubkey(fx->key, &fx->pub, &cause) == 0);
	CU_ASSERT_FATAL(keys_ec_raw(fx->key, &fx->curve, &fx->x, &fx->y,
	    &d) == 0);
	keys_datum_wipe(&d);
}

static void
fixture_free(struct fixture *fx)
{
	ecsig_free(fx->es);
	gnutls_pubkey_deinit(fx->pub);
	gnutls_free(fx->x.data);
	gnutls_free(fx->y.data);
	keys_free(fx->key);
	keys_free(fx->other);
}

static gnutls_datum_t
sign(struct key *k, gnutls_digest_algorithm_t dig, const gnutls_datum_t *m)
{
	gnutls_datum_t	 sig = { NULL, 0 };

	CU_ASSERT_FATAL(gnutls_privkey_sign_data(keys_privkey(k), dig, 0, m,
	    &sig) >= 0);
	return sig;
}

/* ecsig's verdict and GnuTLS's agree; returns whether it verified. */
static int
agree(struct fixture *fx, int alg, const gnutls_datum_t *m,
    const gnutls_datum_t *sig)
{
	int	 mine, theirs;

	mine = ecsig_verify(fx->es, fx->curve, &fx->x, &fx->y, alg, m, sig);
	theirs = gnutls_pubkey_verify_data2(fx->pub,
	    (gnutls_sign_algorithm_t)alg, GNUTLS_VERIFY_ALLOW_BROKEN, m, sig);
	CU_ASSERT(mine != ECSIG_OTHER);
	CU_ASSERT((mine == 0) == (theirs >= 0));
	if ((mine == 0) != (theirs >= 0))
		fprintf(stderr, "ecsig %d, GnuTLS %d\n", mine, theirs);
	return mine == 0;
}

static void
rounds(const char *spec)
{
	static const struct {
		gnutls_digest_algorithm_t	dig;
		int				alg;
	} algs[] = {
		{ GNUTLS_DIG_SHA256, GNUTLS_SIGN_ECDSA_SHA256 },
		{ GNUTLS_DIG_SHA384, GNUTLS_SIGN_ECDSA_SHA384 },
		{ GNUTLS_DIG_SHA512, GNUTLS_SIGN_ECDSA_SHA512 }
	};
	struct fixture	 fx;
	unsigned char	 buf[300];
	gnutls_datum_t	 m = { buf, 0 }, sig, bad;

	fixture_init(&fx, spec);
	for (int i = 0; i < ROUNDS; i++) {
		int	 a = i % 3;

		m.size = 1 + (unsigned)i * 2 % (sizeof buf - 1);
		CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, buf, m.size) == 0);
		sig = sign(fx.key, algs[a].dig, &m);
		CU_ASSERT(agree(&fx, algs[a].alg, &m, &sig));
		/* other bytes */
		buf[i % m.size] ^= 1;
		CU_ASSERT(!agree(&fx, algs[a].alg, &m, &sig));
		buf[i % m.size] ^= 1;
		/* the same bytes under another hash */
		CU_ASSERT(!agree(&fx, algs[(a + 1) % 3].alg, &m, &sig));
		/* a bit changed anywhere in the signature */
		bad.size = sig.size;
		bad.data = malloc(sig.size);
		memcpy(bad.data, sig.data, sig.size);
		bad.data[(unsigned)i % sig.size] ^=
		    (unsigned char)(1 << (i % 8));
		CU_ASSERT(!agree(&fx, algs[a].alg, &m, &bad));
		free(bad.data);
		gnutls_free(sig.data);
		/* another key's signature over the same bytes */
		sig = sign(fx.other, algs[a].dig, &m);
		CU_ASSERT(!agree(&fx, algs[a].alg, &m, &sig));
		gnutls_free(sig.data);
	}
	fixture_free(&fx);
}

static void
test_p256(void)
{
	rounds("ec:p256");
}

static void
test_p384(void)
{
	rounds("ec:p384");
}

/* (r, s) given as big-endian bytes, encoded as an ECDSA-Sig-Value. */
static gnutls_datum_t
rs(const unsigned char *r, size_t rlen, const unsigned char *s, size_t slen)
{
	gnutls_datum_t	 rd = { (unsigned char *)r, (unsigned)rlen };
	gnutls_datum_t	 sd = { (unsigned char *)s, (unsigned)slen };
	gnutls_datum_t	 out = { NULL, 0 };

	CU_ASSERT_FATAL(gnutls_encode_rs_value(&out, &rd, &sd) >= 0);
	return out;
}

/* r or s of 0, n, n + 1 and 2^256 - 1, next to a good signature's. */
static void
test_edges(void)
{
	static const unsigned char n[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
	};
	unsigned char	 n1[32], ones[32], zero[1] = { 0 }, msg[] = "tbs";
	gnutls_datum_t	 m = { msg, sizeof msg }, sig, r, s, bad;
	const unsigned char *vals[4];
	size_t		 lens[4];
	struct fixture	 fx;

	memcpy(n1, n, sizeof n1);
	n1[31]++;
	memset(ones, 0xff, sizeof ones);
	vals[0] = zero;
	lens[0] = 1;
	vals[1] = n;
	lens[1] = sizeof n;
	vals[2] = n1;
	lens[2] = sizeof n1;
	vals[3] = ones;
	lens[3] = sizeof ones;
	fixture_init(&fx, "ec:p256");
	sig = sign(fx.key, GNUTLS_DIG_SHA256, &m);
	CU_ASSERT(agree(&fx, GNUTLS_SIGN_ECDSA_SHA256, &m, &sig));
	CU_ASSERT_FATAL(gnutls_decode_rs_value(&sig, &r, &s) >= 0);
	for (int i = 0; i < 4; i++) {
		bad = rs(vals[i], lens[i], s.data, s.size);
		CU_ASSERT(!agree(&fx, GNUTLS_SIGN_ECDSA_SHA256, &m, &bad));
		gnutls_free(bad.data);
		bad = rs(r.data, r.size, vals[i], lens[i]);
		CU_ASSERT(!agree(&fx, GNUTLS_SIGN_ECDSA_SHA256, &m, &bad));
		gnutls_free(bad.data);
	}
	/* not a SEQUENCE of two INTEGERs */
	bad.data = msg;
	bad.size = sizeof msg;
	CU_ASSERT(!agree(&fx, GNUTLS_SIGN_ECDSA_SHA256, &m, &bad));
	gnutls_free(r.data);
	gnutls_free(s.data);
	gnutls_free(sig.data);
	fixture_free(&fx);
}

/*
 * Signatures made here with a small nonce k (below 2^200): then u1 + u2*d,
 * reduced term by term, is k + n, in [n, 2^256), which only a subtraction
 * of n without a carry brings back to k. Random nonces land there once in
 * 2^32.
 */
static void
test_small_nonce(void)
{
	static const char n_hex[] =
	    "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
	struct fixture		 fx;
	struct ecc_scalar	 ks;
	struct ecc_point	 rp;
	gnutls_datum_t		 d = { NULL, 0 }, x, y, m, sig;
	unsigned char		 msg[32], h[32], rb[32], sb[32], kb[25];
	gnutls_ecc_curve_t	 curve;
	mpz_t			 n, k, dd, e, r, s, ry, t;
	size_t			 rl, sl;

	fixture_init(&fx, "ec:p256");
	CU_ASSERT_FATAL(keys_ec_raw(fx.key, &curve, &x, &y, &d) == 0);
	mpz_inits(n, k, dd, e, r, s, ry, t, NULL);
	mpz_set_str(n, n_hex, 16);
	mpz_import(dd, d.size, 1, 1, 1, 0, d.data);
	ecc_scalar_init(&ks, nettle_get_secp_256r1());
	ecc_point_init(&rp, nettle_get_secp_256r1());
	for (int i = 0; i < 20; i++) {
		CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, msg, sizeof msg)
		    == 0);
		CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, kb, sizeof kb)
		    == 0);
		kb[0] |= 1;
		mpz_import(k, sizeof kb, 1, 1, 1, 0, kb);
		m.data = msg;
		m.size = sizeof msg;
		CU_ASSERT_FATAL(gnutls_hash_fast(GNUTLS_DIG_SHA256, msg,
		    sizeof msg, h) == 0);
		mpz_import(e, sizeof h, 1, 1, 1, 0, h);
		/* r = x(kG) mod n, s = (e + r*d) / k mod n */
		CU_ASSERT_FATAL(ecc_scalar_set(&ks, k) == 1);
		ecc_point_mul_g(&rp, &ks);
		ecc_point_get(&rp, r, ry);
		mpz_mod(r, r, n);
		mpz_mul(s, r, dd);
		mpz_add(s, s, e);
		mpz_invert(t, k, n);
		mpz_mul(s, s, t);
		mpz_mod(s, s, n);
		/* and u1 + u2*d, term by term, is above n */
		mpz_invert(t, s, n);
		mpz_mul(e, e, t);
		mpz_mod(e, e, n);
		mpz_mul(t, t, r);
		mpz_mod(t, t, n);
		mpz_mul(t, t, dd);
		mpz_mod(t, t, n);
		mpz_add(t, t, e);
		CU_ASSERT(mpz_cmp(t, n) > 0);
		mpz_export(rb, &rl, 1, 1, 1, 0, r);
		mpz_export(sb, &sl, 1, 1, 1, 0, s);
		sig = rs(rb, rl, sb, sl);
		CU_ASSERT(agree(&fx, GNUTLS_SIGN_ECDSA_SHA256, &m, &sig));
		gnutls_free(sig.data);
	}
	ecc_scalar_clear(&ks);
	ecc_point_clear(&rp);
	mpz_clears(n, k, dd, e, r, s, ry, t, NULL);
	keys_datum_wipe(&d);
	gnutls_free(x.data);
	gnutls_free(y.data);
	fixture_free(&fx);
}

/* What is not this key's, or not ECDSA with SHA-2, is left to GnuTLS. */
static void
test_other(void)
{
	struct fixture		 fx;
	struct key		*rsa;
	gnutls_datum_t		 x, y, d, m = { (unsigned char *)"x", 1 }, sig;
	gnutls_ecc_curve_t	 curve;

	fixture_init(&fx, "ec:p256");
	sig = sign(fx.key, GNUTLS_DIG_SHA256, &m);
	CU_ASSERT(ecsig_verify(fx.es, fx.curve, &fx.x, &fx.y,
	    GNUTLS_SIGN_ECDSA_SHA256, &m, &sig) == 0);
	CU_ASSERT(ecsig_verify(fx.es, fx.curve, &fx.x, &fx.y,
	    GNUTLS_SIGN_ECDSA_SHA1, &m, &sig) == ECSIG_OTHER);
	CU_ASSERT(ecsig_verify(fx.es, fx.curve, &fx.x, &fx.y,
	    GNUTLS_SIGN_RSA_SHA256, &m, &sig) == ECSIG_OTHER);
	CU_ASSERT(ecsig_verify(fx.es, GNUTLS_ECC_CURVE_SECP384R1, &fx.x,
	    &fx.y, GNUTLS_SIGN_ECDSA_SHA256, &m, &sig) == ECSIG_OTHER);
	CU_ASSERT(ecsig_verify(NULL, fx.curve, &fx.x, &fx.y,
	    GNUTLS_SIGN_ECDSA_SHA256, &m, &sig) == ECSIG_OTHER);
	/* another key's point */
	CU_ASSERT_FATAL(keys_ec_raw(fx.other, &curve, &x, &y, &d) == 0);
	keys_datum_wipe(&d);
	CU_ASSERT(ecsig_verify(fx.es, curve, &x, &y,
	    GNUTLS_SIGN_ECDSA_SHA256, &m, &sig) == ECSIG_OTHER);
	gnutls_free(x.data);
	gnutls_free(y.data);
	gnutls_free(sig.data);
	/* no checker for an RSA key */
	rsa = make_key("rsa:2048");
	CU_ASSERT(ecsig_new(rsa) == NULL);
	CU_ASSERT(keys_ec_raw(rsa, &curve, &x, &y, &d) == -1);
	keys_free(rsa);
	fixture_free(&fx);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "P-256: agrees with GnuTLS", test_p256 },
		{ "P-384: agrees with GnuTLS", test_p384 },
		{ "r and s at the edges of the range", test_edges },
		{ "a nonce that needs the last reduction", test_small_nonce },
		{ "other keys and algorithms are left to GnuTLS", test_other },
		CU_TEST_INFO_NULL
	};

	if (gnutls_global_init() < 0)
		return 1;
	unit_suite("ecsig", tests);
	return unit_run();
}
