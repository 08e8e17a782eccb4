// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* TPM public areas of RSA and ECC keys: parser, Names, OpenSSL keys and PEM. */
#include "tao_tpm_public.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "tao_crypto.h"
#include "tao_names.h"
#include "tao_nla.h"
#include "tao_tpm_rd.h"

/* Signing and encryption schemes (TPM_ALG_ID). */
#define ALG_MGF1	   0x0007
#define ALG_RSASSA	   0x0014
#define ALG_RSAES	   0x0015
#define ALG_RSAPSS	   0x0016
#define ALG_OAEP	   0x0017
#define ALG_ECDSA	   0x0018
#define ALG_ECDH	   0x0019
#define ALG_ECDAA	   0x001a
#define ALG_SM2		   0x001b
#define ALG_ECSCHNORR	   0x001c
#define ALG_ECMQV	   0x001d
#define ALG_KDF1_SP800_56A 0x0020
#define ALG_KDF2	   0x0021
#define ALG_KDF1_SP800_108 0x0022

static const struct {
	uint16_t id;
	uint16_t bytes; /* field size */
	const char *name;
	const char *group; /* OpenSSL's name; NULL: not supported here */
} curves[] = {
	{ 0x0001, 24, "nist_p192", "prime192v1" }, { 0x0002, 28, "nist_p224", "secp224r1" },
	{ 0x0003, 32, "nist_p256", "prime256v1" }, { 0x0004, 48, "nist_p384", "secp384r1" },
	{ 0x0005, 66, "nist_p521", "secp521r1" },  { 0x0010, 32, "bn_p256", NULL },
	{ 0x0011, 80, "bn_p638", NULL },	   { 0x0020, 32, "sm2_p256", NULL },
};

#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

const char *tao_ecc_curve_name(uint16_t curve)
{
	for (size_t i = 0; i < N_CURVES; i++)
		if (curves[i].id == curve)
			return curves[i].name;
	return NULL;
}

/* TPMT_SYM_DEF_OBJECT: an algorithm, and unless TPM_ALG_NULL its key bits and mode. */
static int read_symmetric(struct tao_rd *r, struct tao_tpm_public *pub)
{
	int rc = tao_rd_u16(r, &pub->symmetric, "parameters.symmetric.algorithm");

	if (rc || pub->symmetric == TAO_TPM_ALG_NULL)
		return rc;
	if ((rc = tao_rd_u16(r, &pub->sym_bits, "parameters.symmetric.keyBits")))
		return rc;
	return tao_rd_u16(r, &pub->sym_mode, "parameters.symmetric.mode");
}

/* What read_scheme() returns for a scheme it does not know for the key's type. */
#define UNKNOWN_SCHEME 1

/* TPMT_RSA_SCHEME or TPMT_ECC_SCHEME: the scheme, then its details (a hash, for ECDAA a count). */
static int read_scheme(struct tao_rd *r, struct tao_tpm_public *pub)
{
	uint16_t count;
	int rc = tao_rd_u16(r, &pub->scheme, "parameters.scheme.scheme");

	if (rc)
		return rc;
	pub->scheme_hash = TAO_TPM_ALG_NULL;
	switch (pub->scheme) {
	case TAO_TPM_ALG_NULL:
		return 0;
	case ALG_RSAES:
		return pub->type == TAO_TPM_ALG_RSA ? 0 : UNKNOWN_SCHEME;
	case ALG_RSASSA:
	case ALG_RSAPSS:
	case ALG_OAEP:
		if (pub->type != TAO_TPM_ALG_RSA)
			return UNKNOWN_SCHEME;
		return tao_rd_u16(r, &pub->scheme_hash, "parameters.scheme.details.hashAlg");
	case ALG_ECDSA:
	case ALG_ECDH:
	case ALG_SM2:
	case ALG_ECSCHNORR:
	case ALG_ECMQV:
	case ALG_ECDAA:
		if (pub->type != TAO_TPM_ALG_ECC)
			return UNKNOWN_SCHEME;
		rc = tao_rd_u16(r, &pub->scheme_hash, "parameters.scheme.details.hashAlg");
		if (rc || pub->scheme != ALG_ECDAA)
			return rc;
		return tao_rd_u16(r, &count, "parameters.scheme.details.count");
	default:
		return UNKNOWN_SCHEME;
	}
}

static int read_kdf(struct tao_rd *r, struct tao_tpm_public *pub)
{
	int rc = tao_rd_u16(r, &pub->ecc.kdf, "parameters.kdf.scheme");

	pub->ecc.kdf_hash = TAO_TPM_ALG_NULL;
	if (rc)
		return rc;
	switch (pub->ecc.kdf) {
	case TAO_TPM_ALG_NULL:
		return 0;
	case ALG_MGF1:
	case ALG_KDF1_SP800_56A:
	case ALG_KDF2:
	case ALG_KDF1_SP800_108:
		return tao_rd_u16(r, &pub->ecc.kdf_hash, "parameters.kdf.details.hashAlg");
	default:
		return tao_fail(r->e, -EOPNOTSUPP, "%s: unknown key derivation scheme 0x%04x",
				r->what, pub->ecc.kdf);
	}
}

static int read_rsa(struct tao_rd *r, struct tao_tpm_public *pub)
{
	int rc;

	if ((rc = tao_rd_u16(r, &pub->rsa.bits, "parameters.keyBits")) ||
	    (rc = tao_rd_u32(r, &pub->rsa.exponent, "parameters.exponent")) ||
	    (rc = tao_rd_tpm2b(r, pub->rsa.modulus, sizeof(pub->rsa.modulus), &pub->rsa.modulus_len,
			       "unique.rsa")))
		return rc;
	if (pub->rsa.bits == 0 || pub->rsa.bits % 8 || pub->rsa.bits > 8 * TAO_RSA_MAX_BYTES)
		return tao_fail(r->e, -EBADMSG, "%s: RSA key size of %u bits", r->what,
				pub->rsa.bits);
	if (pub->rsa.modulus_len != pub->rsa.bits / 8u)
		return tao_fail(r->e, -EBADMSG, "%s: a %u-bit RSA key has a modulus of %zu bytes",
				r->what, pub->rsa.bits, pub->rsa.modulus_len);
	return 0;
}

static int read_ecc(struct tao_rd *r, struct tao_tpm_public *pub)
{
	int rc;

	if ((rc = tao_rd_u16(r, &pub->ecc.curve, "parameters.curveID")) ||
	    (rc = read_kdf(r, pub)) ||
	    (rc = tao_rd_tpm2b(r, pub->ecc.x, sizeof(pub->ecc.x), &pub->ecc.x_len,
			       "unique.ecc.x")) ||
	    (rc = tao_rd_tpm2b(r, pub->ecc.y, sizeof(pub->ecc.y), &pub->ecc.y_len, "unique.ecc.y")))
		return rc;
	for (size_t i = 0; i < N_CURVES; i++)
		if (curves[i].id == pub->ecc.curve &&
		    (pub->ecc.x_len > curves[i].bytes || pub->ecc.y_len > curves[i].bytes))
			return tao_fail(r->e, -EBADMSG,
					"%s: a point on %s has coordinates of %zu and %zu bytes",
					r->what, curves[i].name, pub->ecc.x_len, pub->ecc.y_len);
	return 0;
}

int tao_tpmt_public_parse(const uint8_t *buf, size_t len, struct tao_tpm_public *out, char *err,
			  size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_tpm_public *pub = calloc(1, sizeof(*pub));
	struct tao_rd r = { buf, len, 0, "TPMT_PUBLIC", &e };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!pub)
		return tao_fail(&e, -ENOMEM, "out of memory");
	if (len > sizeof(pub->tpmt)) {
		rc = tao_fail(&e, -EBADMSG, "TPMT_PUBLIC is %zu bytes long, at most %zu allowed",
			      len, sizeof(pub->tpmt));
		goto out;
	}
	if ((rc = tao_rd_u16(&r, &pub->type, "type")) ||
	    (rc = tao_rd_u16(&r, &pub->name_alg, "nameAlg")) ||
	    (rc = tao_rd_u32(&r, &pub->attributes, "objectAttributes")) ||
	    (rc = tao_rd_tpm2b(&r, pub->auth_policy, sizeof(pub->auth_policy),
			       &pub->auth_policy_len, "authPolicy")))
		goto out;
	if (pub->type != TAO_TPM_ALG_RSA && pub->type != TAO_TPM_ALG_ECC) {
		rc = tao_fail(&e, -EOPNOTSUPP,
			      "TPMT_PUBLIC has type 0x%04x%s, not an RSA or ECC key", pub->type,
			      pub->type == TAO_TPM_ALG_KEYEDHASH   ? " (keyedhash)"
			      : pub->type == TAO_TPM_ALG_SYMCIPHER ? " (symcipher)"
								   : "");
		goto out;
	}
	if ((rc = read_symmetric(&r, pub)))
		goto out;
	rc = read_scheme(&r, pub);
	if (rc == UNKNOWN_SCHEME) {
		rc = tao_fail(&e, -EOPNOTSUPP, "TPMT_PUBLIC: unknown %s scheme 0x%04x",
			      pub->type == TAO_TPM_ALG_RSA ? "RSA" : "ECC", pub->scheme);
		goto out;
	}
	if (rc)
		goto out;
	rc = pub->type == TAO_TPM_ALG_RSA ? read_rsa(&r, pub) : read_ecc(&r, pub);
	if (rc || (rc = tao_rd_end(&r)))
		goto out;
	memcpy(pub->tpmt, buf, len);
	pub->tpmt_len = len;
	*out = *pub;
out:
	free(pub);
	return rc;
}

int tao_tpm2b_public_parse(const uint8_t *buf, size_t len, struct tao_tpm_public *out, char *err,
			   size_t errlen)
{
	struct tao_perr e = { err, errlen };
	size_t size;

	if (len < 2)
		return tao_fail(&e, -EBADMSG,
				"TPM2B_PUBLIC is %zu bytes long, too short for its size", len);
	size = (size_t)buf[0] << 8 | buf[1];
	if (size != len - 2)
		return tao_fail(&e, -EBADMSG, "TPM2B_PUBLIC says %zu bytes but has %zu", size,
				len - 2);
	return tao_tpmt_public_parse(buf + 2, size, out, err, errlen);
}

int tao_tpm_public_name(const struct tao_tpm_public *pub, uint8_t name[TAO_TPM_NAME_MAX])
{
	struct iovec part = { (void *)pub->tpmt, pub->tpmt_len };
	int rc = tao_hash(pub->name_alg, &part, 1, name + 2);

	if (rc < 0)
		return rc;
	name[0] = (uint8_t)(pub->name_alg >> 8);
	name[1] = (uint8_t)pub->name_alg;
	return rc + 2;
}

int tao_tpm_name_check(const uint8_t *name, size_t len, const char *what, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	uint16_t alg;
	unsigned int size;

	if (len < 2)
		return tao_fail(&e, -EBADMSG, "%s is %zu bytes long, too short for a Name", what,
				len);
	alg = (uint16_t)(name[0] << 8 | name[1]);
	size = tao_alg_digest_size(alg);
	if (!size)
		return tao_fail(&e, -EBADMSG, "%s has unknown nameAlg 0x%04x", what, alg);
	if (len != 2 + size)
		return tao_fail(&e, -EBADMSG, "%s is %zu bytes long; a %s Name has %u", what, len,
				tao_alg_name(alg), 2 + size);
	return 0;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static int ecc_pkey(const struct tao_tpm_public *pub, EVP_PKEY **out, struct tao_perr *e)
{
	uint8_t point[1 + 2 * TAO_ECC_MAX_BYTES];
	const char *group = NULL;
	size_t n = 0;
	OSSL_PARAM_BLD *bld;
	EVP_PKEY_CTX *check;
	int ok;

	for (size_t i = 0; i < N_CURVES; i++)
		if (curves[i].id == pub->ecc.curve) {
			group = curves[i].group;
			n = curves[i].bytes;
		}
	if (!group)
		return tao_fail(e, -EOPNOTSUPP, "ECC curve 0x%04x is not supported",
				pub->ecc.curve);
	/* Uncompressed point: 04 || X || Y, each left-padded to the field size. */
	memset(point, 0, sizeof(point));
	point[0] = 0x04;
	memcpy(point + 1 + n - pub->ecc.x_len, pub->ecc.x, pub->ecc.x_len);
	memcpy(point + 1 + 2 * n - pub->ecc.y_len, pub->ecc.y, pub->ecc.y_len);
	bld = OSSL_PARAM_BLD_new();
	ok = bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * n);
	*out = ok ? from_params("EC", bld) : NULL;
	OSSL_PARAM_BLD_free(bld);
	if (!*out)
		return tao_fail(e, -EINVAL, "OpenSSL refuses the ECC public key");
	/* fromdata decodes the point; check it explicitly all the same. */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	ok = check && EVP_PKEY_public_check(check) == 1;
	EVP_PKEY_CTX_free(check);
	if (!ok) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return tao_fail(e, -EINVAL, "the ECC public key is not a point on %s",
				tao_ecc_curve_name(pub->ecc.curve));
	}
	return 0;
}

static int rsa_pkey(const struct tao_tpm_public *pub, EVP_PKEY **out, struct tao_perr *e)
{
	BIGNUM *n = BN_bin2bn(pub->rsa.modulus, (int)pub->rsa.modulus_len, NULL);
	BIGNUM *exp = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int ok;

	ok = n && exp && bld && BN_set_word(exp, pub->rsa.exponent ? pub->rsa.exponent : 65537) &&
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, exp);
	*out = ok ? from_params("RSA", bld) : NULL;
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(exp);
	if (!*out)
		return tao_fail(e, -EINVAL, "OpenSSL refuses the RSA public key");
	return 0;
}

int tao_tpm_public_to_pkey(const struct tao_tpm_public *pub, EVP_PKEY **out, char *err,
			   size_t errlen)
{
	struct tao_perr e = { err, errlen };

	*out = NULL;
	if (pub->type == TAO_TPM_ALG_ECC)
		return ecc_pkey(pub, out, &e);
	if (pub->type == TAO_TPM_ALG_RSA)
		return rsa_pkey(pub, out, &e);
	return tao_fail(&e, -EOPNOTSUPP, "type 0x%04x is not an RSA or ECC key", pub->type);
}

int tao_tpm_public_to_pem(const struct tao_tpm_public *pub, char **pem, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	EVP_PKEY *pkey;
	BIO *bio;
	char *data;
	long len;
	int rc;

	*pem = NULL;
	rc = tao_tpm_public_to_pkey(pub, &pkey, err, errlen);
	if (rc)
		return rc;
	bio = BIO_new(BIO_s_mem());
	if (bio && PEM_write_bio_PUBKEY(bio, pkey) == 1 && (len = BIO_get_mem_data(bio, &data)) > 0)
		*pem = strndup(data, (size_t)len);
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return *pem ? 0 : tao_fail(&e, -ENOMEM, "writing the PEM failed");
}

const char *tao_tpm_public_describe(const struct tao_tpm_public *pub, char *buf, size_t len)
{
	const char *curve;

	if (pub->type == TAO_TPM_ALG_RSA) {
		snprintf(buf, len, "rsa%u", pub->rsa.bits);
	} else {
		curve = tao_ecc_curve_name(pub->ecc.curve);
		if (curve)
			snprintf(buf, len, "ecc %s", curve);
		else
			snprintf(buf, len, "ecc 0x%04x", pub->ecc.curve);
	}
	return buf;
}
