// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for TPM public areas: parsing, Names and PEM, against keys made in swtpm
 * (vectors/README.md): ak.pub/rsa.pub are `tpm2_create -u` output (TPM2B_PUBLIC), ak.name and
 * rsa.name what `tpm2_readpublic -n` wrote, ak.pem and rsa.pem what `tpm2_readpublic -f pem`
 * wrote.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reply.h"
#include "tao_hex.h"
#include "tao_tpm_public.h"

static struct tao_tpm_public *parse_vector(const char *name)
{
	struct tao_tpm_public *pub = malloc(sizeof(*pub));
	char err[TAO_ERRMSG_MAX];
	size_t len;
	uint8_t *buf = vector_load(name, &len);

	assert_int_equal(tao_tpm2b_public_parse(buf, len, pub, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	free(buf);
	return pub;
}

static void assert_hex(const uint8_t *buf, size_t len, const char *want)
{
	char *hex = tao_hex_alloc(buf, len);

	assert_string_equal(hex, want);
	free(hex);
}

static void test_ecc_fields(void **state)
{
	struct tao_tpm_public *pub = parse_vector("ak.pub");
	char desc[32];

	(void)state;
	assert_int_equal(pub->type, TAO_TPM_ALG_ECC);
	assert_int_equal(pub->name_alg, 0x000b);
	/* fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign */
	assert_int_equal(pub->attributes, 0x00050072);
	assert_int_equal(pub->auth_policy_len, 0);
	assert_int_equal(pub->symmetric, TAO_TPM_ALG_NULL);
	assert_int_equal(pub->scheme, 0x0018); /* ECDSA */
	assert_int_equal(pub->scheme_hash, 0x000b);
	assert_int_equal(pub->ecc.curve, 0x0003);
	assert_int_equal(pub->ecc.kdf, TAO_TPM_ALG_NULL);
	assert_hex(pub->ecc.x, pub->ecc.x_len,
		   "c758f4e5d8c86805b1366523c1cf2db68620faea67377bb858071334b43e6e81");
	assert_hex(pub->ecc.y, pub->ecc.y_len,
		   "b67934b524a8380f3c9caae509eb8436cdd1cc866c6c9faff8bba8c3106f2bd2");
	assert_int_equal(pub->tpmt_len, 88);
	assert_string_equal(tao_tpm_public_describe(pub, desc, sizeof(desc)), "ecc nist_p256");
	assert_string_equal(tao_ecc_curve_name(0x0004), "nist_p384");
	assert_null(tao_ecc_curve_name(0x0099));
	free(pub);
}

static void test_rsa_fields(void **state)
{
	struct tao_tpm_public *pub = parse_vector("rsa.pub");
	char desc[32];

	(void)state;
	assert_int_equal(pub->type, TAO_TPM_ALG_RSA);
	assert_int_equal(pub->name_alg, 0x000b);
	assert_int_equal(pub->scheme, 0x0014); /* RSASSA */
	assert_int_equal(pub->scheme_hash, 0x000b);
	assert_int_equal(pub->rsa.bits, 2048);
	assert_int_equal(pub->rsa.exponent, 0); /* the TPM's way of saying 65537 */
	assert_int_equal(pub->rsa.modulus_len, 256);
	assert_int_equal(pub->rsa.modulus[0], 0xb1);
	assert_string_equal(tao_tpm_public_describe(pub, desc, sizeof(desc)), "rsa2048");
	free(pub);
}

/* The Name is what tpm2_readpublic reported; the PEM is what it wrote. */
static void test_name_and_pem(void **state)
{
	static const char *const names[][3] = {
		{ "ak.pub", "ak.name", "ak.pem" },
		{ "rsa.pub", "rsa.name", "rsa.pem" },
	};
	char err[TAO_ERRMSG_MAX];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct tao_tpm_public *pub = parse_vector(names[i][0]);
		uint8_t name[TAO_TPM_NAME_MAX];
		size_t want_len, pem_len;
		uint8_t *want = vector_load(names[i][1], &want_len);
		uint8_t *want_pem = vector_load(names[i][2], &pem_len);
		char *pem;

		assert_int_equal(tao_tpm_public_name(pub, name), (int)want_len);
		assert_memory_equal(name, want, want_len);
		assert_int_equal(tao_tpm_name_check(name, want_len, "the Name", err, sizeof(err)),
				 0);
		assert_int_equal(tao_tpm_public_to_pem(pub, &pem, err, sizeof(err)), 0);
		assert_int_equal(strlen(pem), pem_len);
		assert_memory_equal(pem, want_pem, pem_len);
		free(pem);
		free(want);
		free(want_pem);
		free(pub);
	}
}

static void public_refused(const uint8_t *buf, size_t len, bool tpm2b, int rc, const char *want)
{
	struct tao_tpm_public *pub = malloc(sizeof(*pub)), *before = malloc(sizeof(*before));
	char err[TAO_ERRMSG_MAX];

	memset(pub, 0x5a, sizeof(*pub));
	memcpy(before, pub, sizeof(*pub));
	assert_int_equal(tpm2b ? tao_tpm2b_public_parse(buf, len, pub, err, sizeof(err))
			       : tao_tpmt_public_parse(buf, len, pub, err, sizeof(err)),
			 rc);
	if (want)
		assert_string_equal(err, want);
	assert_memory_equal(pub, before, sizeof(*pub));
	free(pub);
	free(before);
}

/* Every prefix of the TPMT_PUBLIC is refused, and so is a TPM2B whose size is not its length. */
static void test_truncations(void **state)
{
	static const char *const vectors[] = { "ak.pub", "rsa.pub" };

	(void)state;
	for (size_t v = 0; v < 2; v++) {
		size_t len;
		uint8_t *buf = vector_load(vectors[v], &len);

		for (size_t n = 0; n < len - 2; n++) {
			char err[TAO_ERRMSG_MAX];
			struct tao_tpm_public *pub = malloc(sizeof(*pub));

			assert_int_equal(tao_tpmt_public_parse(buf + 2, n, pub, err, sizeof(err)),
					 -EBADMSG);
			assert_true(strncmp(err, "TPMT_PUBLIC is truncated: ", 26) == 0);
			free(pub);
		}
		public_refused(buf, 1, true, -EBADMSG,
			       "TPM2B_PUBLIC is 1 bytes long, too short for its size");
		public_refused(buf, len - 1, true, -EBADMSG, NULL);
		free(buf);
	}
}

static void test_refusals(void **state)
{
	size_t len;
	uint8_t *ak = vector_load("ak.pub", &len);
	uint8_t buf[512];
	static const uint8_t keyedhash[] = { 0x00, 0x08, 0x00, 0x0b, 0, 0, 0, 0, 0, 0 };

	(void)state;
	/* One byte more, in the TPM2B's size too: trailing bytes. */
	memcpy(buf, ak, len);
	buf[1]++;
	buf[len] = 0;
	public_refused(buf, len + 1, true, -EBADMSG,
		       "TPMT_PUBLIC has 1 trailing bytes after its end at offset 88");
	/* The TPM2B's size says less than it has. */
	public_refused(buf, len, true, -EBADMSG, "TPM2B_PUBLIC says 89 bytes but has 88");
	/* Other object types are not keys. */
	public_refused(keyedhash, sizeof(keyedhash), false, -EOPNOTSUPP,
		       "TPMT_PUBLIC has type 0x0008 (keyedhash), not an RSA or ECC key");
	/* An unknown scheme (offset 14 of the TPM2B): its details' size is unknown. */
	memcpy(buf, ak, len);
	buf[15] = 0x99;
	public_refused(buf, len, true, -EOPNOTSUPP, "TPMT_PUBLIC: unknown ECC scheme 0x0099");
	/* An RSA scheme for an ECC key. */
	buf[15] = 0x14;
	public_refused(buf, len, true, -EOPNOTSUPP, "TPMT_PUBLIC: unknown ECC scheme 0x0014");
	/* An unknown key derivation scheme (offset 20). */
	memcpy(buf, ak, len);
	buf[21] = 0x77;
	public_refused(buf, len, true, -EOPNOTSUPP,
		       "TPMT_PUBLIC: unknown key derivation scheme 0x0077");
	/* A coordinate longer than P-256's field: x of 33 bytes. */
	memcpy(buf, ak, 22);
	buf[1]++;
	buf[22] = 0;
	buf[23] = 33;
	buf[24] = 0;
	memcpy(buf + 25, ak + 24, len - 24);
	public_refused(buf, len + 1, true, -EBADMSG,
		       "TPMT_PUBLIC: a point on nist_p256 has coordinates of 33 and 32 bytes");
	/* An authPolicy longer than any digest. */
	memcpy(buf, ak, len);
	buf[11] = 65;
	public_refused(buf, len, true, -EBADMSG,
		       "TPMT_PUBLIC: authPolicy is 65 bytes long, at most 64 allowed");
	free(ak);
}

static void test_rsa_refusals(void **state)
{
	size_t len;
	uint8_t *rsa = vector_load("rsa.pub", &len);
	uint8_t *buf = malloc(len);

	(void)state;
	/* keyBits (offset 18) that do not fit the modulus. */
	memcpy(buf, rsa, len);
	buf[18] = 0x04;
	public_refused(buf, len, true, -EBADMSG,
		       "TPMT_PUBLIC: a 1024-bit RSA key has a modulus of 256 bytes");
	buf[18] = 0;
	buf[19] = 7;
	public_refused(buf, len, true, -EBADMSG, "TPMT_PUBLIC: RSA key size of 7 bits");
	/* A storage key's symmetric definition: algorithm, key bits, mode (AES-128-CFB). */
	{
		uint8_t *sym = malloc(len + 4);
		struct tao_tpm_public *pub = malloc(sizeof(*pub));
		char err[TAO_ERRMSG_MAX];

		memcpy(sym, rsa, 12);
		sym[1] += 4;
		sym[12] = 0x00;
		sym[13] = 0x06; /* AES */
		sym[14] = 0x00;
		sym[15] = 0x80; /* 128 */
		sym[16] = 0x00;
		sym[17] = 0x43; /* CFB */
		memcpy(sym + 18, rsa + 14, len - 14);
		assert_int_equal(tao_tpm2b_public_parse(sym, len + 4, pub, err, sizeof(err)), 0);
		assert_int_equal(pub->symmetric, 0x0006);
		assert_int_equal(pub->sym_bits, 128);
		assert_int_equal(pub->sym_mode, 0x0043);
		assert_int_equal(pub->rsa.bits, 2048);
		free(pub);
		free(sym);
	}
	free(buf);
	free(rsa);
}

static void test_pkey_refusals(void **state)
{
	struct tao_tpm_public *pub = parse_vector("ak.pub");
	char err[TAO_ERRMSG_MAX];
	uint8_t name[TAO_TPM_NAME_MAX];
	char *pem = (char *)"untouched";

	(void)state;
	/* A point that is not on the curve. */
	pub->ecc.y[31] ^= 1;
	assert_int_equal(tao_tpm_public_to_pem(pub, &pem, err, sizeof(err)), -EINVAL);
	assert_null(pem);
	assert_true(strcmp(err, "the ECC public key is not a point on nist_p256") == 0 ||
		    strcmp(err, "OpenSSL refuses the ECC public key") == 0);
	/* A curve without an OpenSSL group here. */
	pub->ecc.y[31] ^= 1;
	pub->ecc.curve = 0x0010;
	assert_int_equal(tao_tpm_public_to_pem(pub, &pem, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, "ECC curve 0x0010 is not supported");
	/* A nameAlg without a hash. */
	pub->name_alg = 0x0012;
	assert_int_equal(tao_tpm_public_name(pub, name), -EOPNOTSUPP);
	free(pub);
}

static void test_name_check(void **state)
{
	static const uint8_t sha1_name[22] = { 0x00, 0x04 };
	static const uint8_t bad[] = { 0x00, 0x0b, 1, 2, 3 };
	static const uint8_t unknown[] = { 0x12, 0x34, 1, 2, 3 };
	char err[TAO_ERRMSG_MAX];

	(void)state;
	assert_int_equal(tao_tpm_name_check(sha1_name, 22, "N", err, sizeof(err)), 0);
	assert_int_equal(tao_tpm_name_check(sha1_name, 1, "N", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "N is 1 bytes long, too short for a Name");
	assert_int_equal(tao_tpm_name_check(bad, sizeof(bad), "N", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "N is 5 bytes long; a sha256 Name has 34");
	assert_int_equal(tao_tpm_name_check(unknown, sizeof(unknown), "N", err, sizeof(err)),
			 -EBADMSG);
	assert_string_equal(err, "N has unknown nameAlg 0x1234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecc_fields),    cmocka_unit_test(test_rsa_fields),
		cmocka_unit_test(test_name_and_pem),  cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_refusals),      cmocka_unit_test(test_rsa_refusals),
		cmocka_unit_test(test_pkey_refusals), cmocka_unit_test(test_name_check),
	};

	return cmocka_run_group_tests_name("tao TPM public areas", tests, NULL, NULL);
}
