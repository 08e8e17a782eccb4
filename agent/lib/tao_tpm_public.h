/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * TPM public areas (TPM2B_PUBLIC / TPMT_PUBLIC) of RSA and ECC keys: a strict parser, the
 * conversion to an OpenSSL EVP_PKEY and PEM, and TPM Names (nameAlg || H_nameAlg(TPMT_PUBLIC)).
 */
#ifndef TAO_TPM_PUBLIC_H
#define TAO_TPM_PUBLIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_limits.h"

typedef struct evp_pkey_st EVP_PKEY;

/* TPM_ALG_ID values of the TCG algorithm registry that public areas use. */
#define TAO_TPM_ALG_RSA	      0x0001
#define TAO_TPM_ALG_KEYEDHASH 0x0008
#define TAO_TPM_ALG_NULL      0x0010
#define TAO_TPM_ALG_ECC	      0x0023
#define TAO_TPM_ALG_SYMCIPHER 0x0025

/* The largest RSA modulus (4096 bits) and ECC coordinate (TPM2B_ECC_PARAMETER) a TPM has. */
#define TAO_RSA_MAX_BYTES 512
#define TAO_ECC_MAX_BYTES 128

struct tao_tpm_public {
	uint16_t type;	     /* TAO_TPM_ALG_RSA or TAO_TPM_ALG_ECC */
	uint16_t name_alg;   /* TPMI_ALG_HASH */
	uint32_t attributes; /* TPMA_OBJECT */
	size_t auth_policy_len;
	uint8_t auth_policy[TAO_MAX_DIGEST_SIZE];
	uint16_t symmetric; /* TAO_TPM_ALG_NULL, or the storage key's cipher */
	uint16_t sym_bits, sym_mode;
	uint16_t scheme;      /* TAO_TPM_ALG_NULL or a signing/decryption scheme */
	uint16_t scheme_hash; /* TAO_TPM_ALG_NULL when the scheme has none */
	union {
		struct {
			uint16_t bits;
			uint32_t exponent; /* as the TPM has it: 0 means 65537 */
			size_t modulus_len;
			uint8_t modulus[TAO_RSA_MAX_BYTES];
		} rsa;
		struct {
			uint16_t curve; /* TPM_ECC_CURVE */
			uint16_t kdf, kdf_hash;
			size_t x_len, y_len;
			uint8_t x[TAO_ECC_MAX_BYTES], y[TAO_ECC_MAX_BYTES];
		} ecc;
	};
	/* The marshalled TPMT_PUBLIC: what the Name hashes. */
	size_t tpmt_len;
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
};

/*
 * Parse a marshalled TPMT_PUBLIC of an RSA or ECC key: every field, its length and every
 * union selector checked, no trailing bytes. Returns 0, -EBADMSG for malformed bytes, or
 * -EOPNOTSUPP for another object type or a scheme this parser does not know, with a message in
 * err; *out is untouched on failure.
 */
int tao_tpmt_public_parse(const uint8_t *buf, size_t len, struct tao_tpm_public *out, char *err,
			  size_t errlen);

/* The same for a TPM2B_PUBLIC: a u16 size, then exactly that many bytes of TPMT_PUBLIC. */
int tao_tpm2b_public_parse(const uint8_t *buf, size_t len, struct tao_tpm_public *out, char *err,
			   size_t errlen);

/*
 * The TPM Name of the key: nameAlg (big-endian) then H_nameAlg(TPMT_PUBLIC). Returns its length
 * (2 + the digest size) or -EOPNOTSUPP for a nameAlg without a hash in tao_md().
 */
int tao_tpm_public_name(const struct tao_tpm_public *pub, uint8_t name[TAO_TPM_NAME_MAX]);

/*
 * Check that name[0..len) is a Name of a key: a nameAlg whose digest size libtao knows, then a
 * digest of that size. Returns 0 or -EBADMSG with a message about what.
 */
int tao_tpm_name_check(const uint8_t *name, size_t len, const char *what, char *err, size_t errlen);

/* "nist_p256" for TPM_ECC_NIST_P256 (0x0003) etc.; NULL for a curve without a name here. */
const char *tao_ecc_curve_name(uint16_t curve);

/*
 * The key as an OpenSSL public key (EVP_PKEY_fromdata: "EC" with the NIST curves P-192 to
 * P-521, a point that must be on the curve; "RSA"). Returns 0 and a key for EVP_PKEY_free(),
 * -EOPNOTSUPP for a curve OpenSSL is not given here, or -EINVAL for a key OpenSSL refuses.
 */
int tao_tpm_public_to_pkey(const struct tao_tpm_public *pub, EVP_PKEY **out, char *err,
			   size_t errlen);

/* The key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo), a malloc()ed string; errors as above. */
int tao_tpm_public_to_pem(const struct tao_tpm_public *pub, char **pem, char *err, size_t errlen);

/* A short description: "rsa2048", "ecc nist_p256". Returns buf. */
const char *tao_tpm_public_describe(const struct tao_tpm_public *pub, char *buf, size_t len);

#endif /* TAO_TPM_PUBLIC_H */
