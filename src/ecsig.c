/*
 * The CA's own ECDSA signatures verified with its private scalar (see
 * ecsig.h). Public values (r, s, the hash, u1, u2) are handled with mpz;
 * the product u2*d and the sum t = u1 + u2*d with GMP's mpn_sec_*
 * functions, whose time does not depend on the values, and t*G with
 * nettle's ecc_point_mul_g, which is side-channel silent.
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <gnutls/crypto.h>

#include "ecsig.h"
#include "util.h"

struct ecsig {
	const struct ecc_curve	*ecc;
	gnutls_ecc_curve_t	 curve;
	size_t			 nl;	/* limbs of the group order */
	size_t			 nbytes;	/* its bytes */
	mp_limb_t		*n;	/* the group order */
	mp_limb_t		*d;	/* the private scalar */
	mpz_t			 x, y;	/* the public point */
};

/* The group orders (SEC 2 2.4.2, 2.5.1), checked against nettle's. */
static const struct {
	gnutls_ecc_curve_t	 curve;
	const char		*order;
} orders[] = {
	{ GNUTLS_ECC_CURVE_SECP256R1,
	  "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551" },
	{ GNUTLS_ECC_CURVE_SECP384R1,
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
	  "581A0DB248B0A77AECEC196ACCC52973" }
};

static void
wipe_limbs(mp_limb_t *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n * sizeof *p);
}

/*
 * Big-endian bytes into nl limbs, in time that depends on the lengths
 * only; -1 if a byte beyond the nl limbs is not zero.
 */
static int
bytes_limbs(mp_limb_t *rp, size_t nl, const unsigned char *p, size_t len)
{
	unsigned char	 over = 0;

	memset(rp, 0, nl * sizeof *rp);
	for (size_t i = 0; i < len; i++) {
		size_t	 bit = (len - 1 - i) * 8;

		if (bit / GMP_NUMB_BITS < nl)
			rp[bit / GMP_NUMB_BITS] |=
			    (mp_limb_t)p[i] << (bit % GMP_NUMB_BITS);
		else
			over |= p[i];
	}
	return over == 0 ? 0 : -1;
}

/* A public value below the order into nl limbs. */
static void
mpz_limbs_out(mp_limb_t *rp, size_t nl, const mpz_t z)
{
	size_t	 n = mpz_size(z);

	memset(rp, 0, nl * sizeof *rp);
	memcpy(rp, mpz_limbs_read(z), (n < nl ? n : nl) * sizeof *rp);
}

/* Does nettle's curve have exactly this order (n rejected, n - 1 not)? */
static int
order_ok(const struct ecsig *e)
{
	struct ecc_scalar	 s;
	mpz_t			 n, m;
	int			 ok;

	ecc_scalar_init(&s, e->ecc);
	mpz_roinit_n(n, e->n, (mp_size_t)e->nl);
	mpz_init_set(m, n);
	mpz_sub_ui(m, m, 1);
	ok = ecc_scalar_set(&s, n) == 0 && ecc_scalar_set(&s, m) == 1;
	mpz_clear(m);
	ecc_scalar_clear(&s);
	return ok;
}

/* t*G's x coordinate, or -1 when t is not in [1, n). */
static int
mul_g_x(const struct ecsig *e, const mp_limb_t *t, mpz_t x, mpz_t y)
{
	struct ecc_scalar	 s;
	struct ecc_point	 p;
	mpz_t			 z;
	int			 rc = -1;

	ecc_scalar_init(&s, e->ecc);
	ecc_point_init(&p, e->ecc);
	mpz_roinit_n(z, t, (mp_size_t)e->nl);
	if (ecc_scalar_set(&s, z) == 1) {
		ecc_point_mul_g(&p, &s);
		ecc_point_get(&p, x, y);
		rc = 0;
	}
	wipe_limbs(s.p, e->nl);	/* ecc_scalar_init: the order's limbs */
	ecc_scalar_clear(&s);
	ecc_point_clear(&p);
	return rc;
}

void
ecsig_free(struct ecsig *e)
{
	if (e == NULL)
		return;
	wipe_limbs(e->d, e->nl);
	free(e->d);
	free(e->n);
	mpz_clear(e->x);
	mpz_clear(e->y);
	free(e);
}

struct ecsig *
ecsig_new(const struct key *k)
{
	struct ecsig	*e = NULL;
	gnutls_datum_t	 x = { NULL, 0 }, y = { NULL, 0 }, d = { NULL, 0 };
	mpz_t		 qx, qy, n;
	gnutls_ecc_curve_t curve;
	size_t		 i;

	mpz_inits(qx, qy, n, NULL);
	if (keys_ec_raw(k, &curve, &x, &y, &d) != 0)
		goto out;
	e = xcalloc(1, sizeof *e);
	mpz_inits(e->x, e->y, NULL);
	e->curve = curve;
	if (e->curve == GNUTLS_ECC_CURVE_SECP256R1)
		e->ecc = nettle_get_secp_256r1();
	else if (e->curve == GNUTLS_ECC_CURVE_SECP384R1)
		e->ecc = nettle_get_secp_384r1();
	for (i = 0; i < sizeof orders / sizeof orders[0] &&
	    orders[i].curve != e->curve; i++)
		continue;
	if (e->ecc == NULL || i == sizeof orders / sizeof orders[0] ||
	    mpz_set_str(n, orders[i].order, 16) != 0)
		goto fail;
	e->nl = mpz_size(n);
	e->nbytes = (mpz_sizeinbase(n, 2) + 7) / 8;
	e->n = xcalloc(e->nl, sizeof *e->n);
	mpz_limbs_out(e->n, e->nl, n);
	e->d = xcalloc(e->nl, sizeof *e->d);
	if (!order_ok(e) || bytes_limbs(e->d, e->nl, d.data, d.size) != 0)
		goto fail;
	/* the scalar must give the key's own point */
	mpz_import(e->x, x.size, 1, 1, 1, 0, x.data);
	mpz_import(e->y, y.size, 1, 1, 1, 0, y.data);
	if (mul_g_x(e, e->d, qx, qy) != 0 || mpz_cmp(qx, e->x) != 0 ||
	    mpz_cmp(qy, e->y) != 0)
		goto fail;
	goto out;
fail:
	ecsig_free(e);
	e = NULL;
out:
	keys_datum_wipe(&d);
	gnutls_free(x.data);
	gnutls_free(y.data);
	mpz_clears(qx, qy, n, NULL);
	return e;
}

/* Is (curve, x, y) this checker's key? */
static int
same_key(const struct ecsig *e, gnutls_ecc_curve_t curve,
    const gnutls_datum_t *x, const gnutls_datum_t *y)
{
	mpz_t	 a, b;
	int	 same;

	if (curve != e->curve)
		return 0;
	mpz_inits(a, b, NULL);
	mpz_import(a, x->size, 1, 1, 1, 0, x->data);
	mpz_import(b, y->size, 1, 1, 1, 0, y->data);
	same = mpz_cmp(a, e->x) == 0 && mpz_cmp(b, e->y) == 0;
	mpz_clears(a, b, NULL);
	return same;
}

/*
 * t = (u1 + u2*d) mod n in constant time; t and the scratch are the
 * caller's (t: nl limbs), wiped by it.
 */
static void
nonce(const struct ecsig *e, const mpz_t u1, const mpz_t u2, mp_limb_t *t,
    mp_limb_t *prod, mp_limb_t *tmp, mp_limb_t *scratch)
{
	mp_size_t	 nl = (mp_size_t)e->nl;
	mp_limb_t	 carry, borrow;

	mpz_limbs_out(tmp, e->nl, u2);
	mpn_sec_mul(prod, tmp, nl, e->d, nl, scratch);
	mpn_sec_div_r(prod, 2 * nl, e->n, nl, scratch);
	mpz_limbs_out(tmp, e->nl, u1);
	carry = mpn_add_n(t, prod, tmp, nl);
	borrow = mpn_sub_n(tmp, t, e->n, nl);
	/* both were below n: one subtraction of n at most */
	mpn_cnd_sub_n(carry | (borrow ^ 1), t, t, e->n, nl);
}

int
ecsig_verify(const struct ecsig *e, gnutls_ecc_curve_t curve,
    const gnutls_datum_t *x, const gnutls_datum_t *y, int sign,
    const gnutls_datum_t *tbs, const gnutls_datum_t *sig)
{
	gnutls_digest_algorithm_t dig;
	gnutls_datum_t		 rd = { NULL, 0 }, sd = { NULL, 0 };
	unsigned char		 h[64];
	mp_limb_t		*t = NULL, *prod = NULL, *tmp = NULL;
	mp_limb_t		*scratch = NULL;
	mp_size_t		 nl, itch = 0, itch2 = 0;
	mpz_t			 n, r, s, w, u1, u2, rx, ry;
	size_t			 hlen;
	int			 ret;

	if (e == NULL || sign < 0 ||
	    gnutls_sign_get_pk_algorithm((gnutls_sign_algorithm_t)sign) !=
	    GNUTLS_PK_ECDSA || !same_key(e, curve, x, y))
		return ECSIG_OTHER;
	dig = gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)sign);
	if (dig != GNUTLS_DIG_SHA256 && dig != GNUTLS_DIG_SHA384 &&
	    dig != GNUTLS_DIG_SHA512)
		return ECSIG_OTHER;
	if ((ret = gnutls_hash_fast(dig, tbs->data, tbs->size, h)) < 0)
		return ret;
	hlen = gnutls_hash_get_len(dig);
	if ((ret = gnutls_decode_rs_value(sig, &rd, &sd)) < 0)
		return ret;
	nl = (mp_size_t)e->nl;
	mpz_inits(r, s, w, u1, u2, rx, ry, NULL);
	mpz_roinit_n(n, e->n, nl);
	mpz_import(r, rd.size, 1, 1, 1, 0, rd.data);
	mpz_import(s, sd.size, 1, 1, 1, 0, sd.data);
	ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
	if (mpz_sgn(r) <= 0 || mpz_cmp(r, n) >= 0 || mpz_sgn(s) <= 0 ||
	    mpz_cmp(s, n) >= 0 || mpz_invert(w, s, n) == 0)
		goto out;
	/* the hash's leftmost bits, as many as the order has (bytes here) */
	mpz_import(u1, hlen < e->nbytes ? hlen : e->nbytes, 1, 1, 1, 0, h);
	mpz_mul(u1, u1, w);
	mpz_mod(u1, u1, n);
	mpz_mul(u2, r, w);
	mpz_mod(u2, u2, n);
	itch = mpn_sec_mul_itch(nl, nl);
	itch2 = mpn_sec_div_r_itch(2 * nl, nl);
	scratch = xcalloc((size_t)(itch > itch2 ? itch : itch2),
	    sizeof *scratch);
	t = xcalloc(e->nl, sizeof *t);
	prod = xcalloc(2 * e->nl, sizeof *prod);
	tmp = xcalloc(e->nl, sizeof *tmp);
	nonce(e, u1, u2, t, prod, tmp, scratch);
	if (mul_g_x(e, t, rx, ry) != 0)
		goto out;	/* t = 0: the point at infinity */
	mpz_mod(rx, rx, n);
	if (mpz_cmp(rx, r) == 0)
		ret = 0;
out:
	wipe_limbs(t, e->nl);
	wipe_limbs(prod, 2 * e->nl);
	wipe_limbs(tmp, e->nl);
	if (scratch != NULL)
		wipe_limbs(scratch, (size_t)(itch > itch2 ? itch : itch2));
	free(t);
	free(prod);
	free(tmp);
	free(scratch);
	mpz_clears(r, s, w, u1, u2, rx, ry, NULL);
	gnutls_free(rd.data);
	gnutls_free(sd.data);
	return ret;
}
