// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for TPMS_ATTEST and TPMT_SIGNATURE parsing, the quote's pcrDigest, tpm2-tools'
 * PCR file and signature verification, against real quotes of swtpm (vectors/README.md). The
 * expected field values are what `tpm2_print -t TPMS_ATTEST quote.msg` shows (but see
 * firmwareVersion).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "reply.h"
#include "tao_attest.h"
#include "tao_hex.h"
#include "tao_tpm2_tools.h"
#include "tao_tpm_public.h"
#include "tao_verify.h"

#define SHA1   0x0004
#define SHA256 0x000b

static void assert_hex(const uint8_t *buf, size_t len, const char *want)
{
	char *hex = tao_hex_alloc(buf, len);

	assert_string_equal(hex, want);
	free(hex);
}

/* Parse vector name; the test fails unless it parses. */
static void load_attest(const char *name, struct tao_attest *a)
{
	char err[TAO_ERRMSG_MAX];
	size_t len;
	uint8_t *buf = vector_load(name, &len);

	assert_int_equal(tao_attest_parse(buf, len, a, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	free(buf);
}

/* The values of the PCRs a quote selects, from `tpm2_pcrread -F values` (selection order). */
static void load_values(const char *name, const struct tao_attest *a, struct tao_pcr_values *v)
{
	size_t len, off = 0;
	uint8_t *buf = vector_load(name, &len);

	memset(v, 0, sizeof(*v));
	for (size_t b = 0; b < a->quote.pcr_select.n; b++)
		for (unsigned int pcr = 0; pcr < 24; pcr++) {
			struct tao_pcr_value *x = &v->v[v->n];

			if (!(a->quote.pcr_select.banks[b].mask & (1u << pcr)))
				continue;
			x->alg = a->quote.pcr_select.banks[b].alg;
			x->index = (uint8_t)pcr;
			x->size = x->alg == SHA1 ? 20 : 32;
			assert_true(off + x->size <= len);
			memcpy(x->digest, buf + off, x->size);
			off += x->size;
			v->n++;
		}
	assert_int_equal(off, len);
	free(buf);
}

static void test_quote_vector(void **state)
{
	struct tao_attest a;

	(void)state;
	load_attest("quote.msg", &a);
	assert_int_equal(a.magic, 0xff544347);
	assert_int_equal(a.type, TAO_TPM_ST_ATTEST_QUOTE);
	assert_hex(a.qualified_signer, a.qualified_signer_len,
		   "000bc90d2139ad96361a7d3cdaa7650096e83f7efa7f2781910482993c409f7b4aee");
	assert_hex(a.extra_data, a.extra_data_len, "0123456789abcdef0011223344556677");
	assert_int_equal(a.clock_info.clock, 18294);
	assert_int_equal(a.clock_info.reset_count, 1250377430u);
	assert_int_equal(a.clock_info.restart_count, 1092900681u);
	assert_true(a.clock_info.safe);
	/* tpm2_print shows "665615d2c5199dcc": the u64's bytes in (little-endian) memory order. */
	assert_int_equal(a.firmware_version, 0xcc9d19c5d2155666ull);
	assert_int_equal(a.quote.pcr_select.n, 2);
	assert_int_equal(a.quote.pcr_select.banks[0].alg, SHA256);
	assert_int_equal(a.quote.size_of_select[0], 3);
	assert_int_equal(a.quote.pcr_select.banks[0].mask, 0x83); /* 0, 1, 7 */
	assert_int_equal(a.quote.pcr_select.banks[1].alg, SHA1);
	assert_int_equal(a.quote.size_of_select[1], 3);
	assert_int_equal(a.quote.pcr_select.banks[1].mask, 0xff); /* 0..7 */
	assert_hex(a.quote.pcr_digest, a.quote.pcr_digest_len,
		   "be2d46575cf70b9cc57b328271941f07ac2663c85672e75167afb33509d9e581");
}

/* Every prefix of a valid TPMS_ATTEST is refused, and out stays untouched. */
static void test_truncations(void **state)
{
	static const char *const vectors[] = { "quote.msg", "quote2.msg", "quote3.msg" };

	(void)state;
	for (size_t v = 0; v < 3; v++) {
		size_t len;
		uint8_t *buf = vector_load(vectors[v], &len);

		for (size_t n = 0; n < len; n++) {
			struct tao_attest a, before;
			char err[TAO_ERRMSG_MAX];

			memset(&a, 0x5a, sizeof(a));
			memcpy(&before, &a, sizeof(a));
			assert_int_equal(tao_attest_parse(buf, n, &a, err, sizeof(err)), -EBADMSG);
			assert_memory_equal(&a, &before, sizeof(a));
			assert_true(strncmp(err, "TPMS_ATTEST is truncated: ", 26) == 0);
		}
		free(buf);
	}
}

static void expect_attest_refusal(const uint8_t *buf, size_t len, int rc, const char *want)
{
	struct tao_attest a, before;
	char err[TAO_ERRMSG_MAX];

	memset(&a, 0x5a, sizeof(a));
	memcpy(&before, &a, sizeof(a));
	assert_int_equal(tao_attest_parse(buf, len, &a, err, sizeof(err)), rc);
	assert_string_equal(err, want);
	assert_memory_equal(&a, &before, sizeof(a));
}

static void test_refusals(void **state)
{
	size_t len;
	uint8_t *orig = vector_load("quote.msg", &len);
	uint8_t buf[256];

	(void)state;
	assert_int_equal(len, 135);
	/* The message and one more byte. */
	memcpy(buf, orig, len);
	buf[len] = 0;
	expect_attest_refusal(buf, len + 1, -EBADMSG,
			      "TPMS_ATTEST has 1 trailing bytes after its end at offset 135");
	/* Not TPM_GENERATED_VALUE. */
	buf[3] = 0x48;
	expect_attest_refusal(
		buf, len, -EBADMSG,
		"TPMS_ATTEST has magic 0xff544348, not TPM_GENERATED_VALUE (0xff544347)");
	/* Another attestation type: TPM_ST_ATTEST_TIME. */
	memcpy(buf, orig, len);
	buf[5] = 0x19;
	expect_attest_refusal(
		buf, len, -EOPNOTSUPP,
		"TPMS_ATTEST has type 0x8019, not a quote (0x8018) or a certification "
		"(0x8017)");
	/* qualifiedSigner longer than any Name (offset 6). */
	memcpy(buf, orig, len);
	buf[6] = 0;
	buf[7] = 67;
	expect_attest_refusal(buf, len, -EBADMSG,
			      "TPMS_ATTEST: qualifiedSigner is 67 bytes long, at most 66 allowed");
	/* clockInfo.safe is TPMI_YES_NO (offset 8 + 34 + 2 + 16 + 16 = 76). */
	memcpy(buf, orig, len);
	assert_int_equal(buf[76], 1);
	buf[76] = 2;
	expect_attest_refusal(buf, len, -EBADMSG,
			      "TPMS_ATTEST: clockInfo.safe is 2, not YES or NO");
	/* pcrSelect.count (offset 85, after the 8-byte firmwareVersion) beyond 16 banks. */
	memcpy(buf, orig, len);
	assert_int_equal(buf[88], 2);
	buf[88] = 17;
	expect_attest_refusal(buf, len, -EBADMSG,
			      "TPMS_ATTEST: pcrSelect has 17 banks, at most 16");
	/* sizeofSelect (offset 91) of 5 bytes. */
	memcpy(buf, orig, len);
	assert_int_equal(buf[91], 3);
	buf[91] = 5;
	expect_attest_refusal(buf, len, -EBADMSG,
			      "TPMS_ATTEST: bank 1 has sizeofSelect 5, at most 4");
	/* The same bank twice (sha1's id at offset 95 made sha256's). */
	memcpy(buf, orig, len);
	assert_int_equal(buf[96], 0x04);
	buf[96] = 0x0b;
	expect_attest_refusal(buf, len, -EBADMSG, "TPMS_ATTEST: bank 0x000b is selected twice");
	/* pcrDigest longer than any digest (its size at offset 101). */
	memcpy(buf, orig, len);
	assert_int_equal(buf[102], 32);
	buf[102] = 65;
	expect_attest_refusal(buf, len, -EBADMSG,
			      "TPMS_ATTEST: attested.quote.pcrDigest is 65 bytes long, at most 64 "
			      "allowed");
	free(orig);
}

/* A PCR beyond 23: sizeofSelect 4 with a bit in its last byte. */
static void test_pcr_beyond_23(void **state)
{
	size_t len;
	uint8_t *orig = vector_load("quote3.msg", &len); /* sha256:13 */
	uint8_t buf[256];

	(void)state;
	/* ... count (85) = 1, hash (89), sizeofSelect (91) = 3, select (92..94), digest (95). */
	assert_int_equal(orig[91], 3);
	memcpy(buf, orig, 92);
	buf[91] = 4;
	memcpy(buf + 92, orig + 92, 3);
	buf[95] = 0x01; /* PCR 24 */
	memcpy(buf + 96, orig + 95, len - 95);
	expect_attest_refusal(buf, len + 1, -EBADMSG,
			      "TPMS_ATTEST: bank 0x000b selects PCRs beyond 23");
	/* With that bit clear, a 4-byte select is fine. */
	buf[95] = 0;
	{
		struct tao_attest a;
		char err[TAO_ERRMSG_MAX];

		assert_int_equal(tao_attest_parse(buf, len + 1, &a, err, sizeof(err)), 0);
		assert_int_equal(a.quote.size_of_select[0], 4);
		assert_int_equal(a.quote.pcr_select.banks[0].mask, 1u << 13);
	}
	free(orig);
}

/* A certification, built by hand: no TPM command of tao makes one, the parser knows it. */
static void test_certify(void **state)
{
	static const uint8_t buf[] = {
		0xff, 0x54, 0x43, 0x47, 0x80, 0x17, /* magic, TPM_ST_ATTEST_CERTIFY */
		0x00, 0x04, 0x40, 0x00, 0x00, 0x01, /* qualifiedSigner: a handle */
		0x00, 0x00,			    /* extraData: none */
		0,    0,    0,	  0,	0,    0,    0, 9, 0,
		0,    0,    1,	  0,	0,    0,    2, 0, /* clockInfo, safe NO */
		1,    2,    3,	  4,	5,    6,    7, 8, /* firmwareVersion */
		0x00, 0x03, 0x00, 0x0b, 0xaa,		  /* name (cut short, as bytes go) */
		0x00, 0x02, 0x00, 0x04,			  /* qualifiedName */
	};
	struct tao_attest a;
	char err[TAO_ERRMSG_MAX];
	struct json_object *json;

	(void)state;
	assert_int_equal(tao_attest_parse(buf, sizeof(buf), &a, err, sizeof(err)), 0);
	assert_int_equal(a.type, TAO_TPM_ST_ATTEST_CERTIFY);
	assert_hex(a.qualified_signer, a.qualified_signer_len, "40000001");
	assert_int_equal(a.extra_data_len, 0);
	assert_int_equal(a.clock_info.clock, 9);
	assert_int_equal(a.clock_info.reset_count, 1);
	assert_int_equal(a.clock_info.restart_count, 2);
	assert_false(a.clock_info.safe);
	assert_int_equal(a.firmware_version, 0x0102030405060708ull);
	assert_hex(a.certify.name, a.certify.name_len, "000baa");
	assert_hex(a.certify.qualified_name, a.certify.qualified_name_len, "0004");
	json = tao_attest_to_json(&a);
	assert_string_equal(
		json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN),
		"{\"type\":\"certify\",\"qualified_signer\":\"40000001\",\"extra_data\":"
		"\"\",\"clock\":9,\"reset_count\":1,\"restart_count\":2,\"safe\":false,"
		"\"firmware_version\":\"0x0102030405060708\",\"name\":\"000baa\","
		"\"qualified_name\":\"0004\"}");
	json_object_put(json);
}

static void test_json(void **state)
{
	struct tao_attest a;
	struct json_object *json;

	(void)state;
	load_attest("quote.msg", &a);
	json = tao_attest_to_json(&a);
	assert_string_equal(
		json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN),
		"{\"type\":\"quote\",\"qualified_signer\":"
		"\"000bc90d2139ad96361a7d3cdaa7650096e83f7efa7f2781910482993c409f7b4aee\","
		"\"extra_data\":\"0123456789abcdef0011223344556677\",\"clock\":18294,"
		"\"reset_count\":1250377430,\"restart_count\":1092900681,\"safe\":true,"
		"\"firmware_version\":\"0xcc9d19c5d2155666\","
		"\"pcr_select\":{\"sha256\":[0,1,7],\"sha1\":[0,1,2,3,4,5,6,7]},"
		"\"pcr_digest\":"
		"\"be2d46575cf70b9cc57b328271941f07ac2663c85672e75167afb33509d9e581\"}");
	json_object_put(json);
}

/* tao_pcr_digest() of the values tpm2_pcrread read is the pcrDigest the TPM signed. */
static void test_pcr_digest(void **state)
{
	static const char *const names[][2] = {
		{ "quote.msg", "quote.vals" },
		{ "quote2.msg", "quote2.vals" },
		{ "quote3.msg", "quote3.vals" },
	};
	struct tao_pcr_values *v = malloc(sizeof(*v));
	uint8_t digest[64];
	char err[TAO_ERRMSG_MAX];
	struct tao_attest a;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		load_attest(names[i][0], &a);
		load_values(names[i][1], &a, v);
		assert_int_equal(
			tao_pcr_digest(SHA256, &a.quote.pcr_select, v, digest, err, sizeof(err)),
			32);
		assert_int_equal(a.quote.pcr_digest_len, 32);
		assert_memory_equal(digest, a.quote.pcr_digest, 32);
	}
	/* Order matters: the same values with the banks swapped give another digest. */
	load_attest("quote.msg", &a);
	load_values("quote.vals", &a, v);
	{
		struct tao_pcr_selection swapped = a.quote.pcr_select;

		swapped.banks[0] = a.quote.pcr_select.banks[1];
		swapped.banks[1] = a.quote.pcr_select.banks[0];
		assert_int_equal(tao_pcr_digest(SHA256, &swapped, v, digest, err, sizeof(err)), 32);
		assert_memory_not_equal(digest, a.quote.pcr_digest, 32);
	}
	/* A selected PCR without a value; an unknown hash. */
	v->n--;
	assert_int_equal(tao_pcr_digest(SHA256, &a.quote.pcr_select, v, digest, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "no value for PCR 7 of bank sha1");
	assert_int_equal(tao_pcr_digest(0x0012, &a.quote.pcr_select, v, digest, err, sizeof(err)),
			 -ENOENT);
	v->n++;
	assert_int_equal(tao_pcr_digest(0x0012, &a.quote.pcr_select, v, digest, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_string_equal(err, "hash algorithm 0x0012 is not supported");
	free(v);
}

/* The PCR file is byte for byte what `tpm2_quote -o` wrote for the same quote. */
static void test_tpm2_tools_pcrs(void **state)
{
	static const char *const names[][3] = {
		{ "quote.msg", "quote.vals", "quote.pcrs" },	/* 11 values: 2 lists */
		{ "quote2.msg", "quote2.vals", "quote2.pcrs" }, /* 19 values: 3 lists */
		{ "quote3.msg", "quote3.vals", "quote3.pcrs" }, /* 1 value */
	};
	struct tao_pcr_values *v = malloc(sizeof(*v));
	char err[TAO_ERRMSG_MAX];
	struct tao_attest a;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint8_t *out, *want;
		size_t len, want_len;

		load_attest(names[i][0], &a);
		load_values(names[i][1], &a, v);
		want = vector_load(names[i][2], &want_len);
		assert_int_equal(tao_tpm2_tools_pcrs(&a.quote.pcr_select, a.quote.size_of_select, v,
						     &out, &len, err, sizeof(err)),
				 0);
		assert_int_equal(len, want_len);
		assert_memory_equal(out, want, len);
		free(out);
		/* sizeofSelect defaults to the 3 that tpm2_quote writes. */
		assert_int_equal(tao_tpm2_tools_pcrs(&a.quote.pcr_select, NULL, v, &out, &len, err,
						     sizeof(err)),
				 0);
		assert_memory_equal(out, want, len);
		free(out);
		free(want);
	}
	/* A selected PCR without a value. */
	{
		uint8_t *out = (uint8_t *)"untouched";
		size_t len;

		v->n = 0;
		assert_int_equal(tao_tpm2_tools_pcrs(&a.quote.pcr_select, NULL, v, &out, &len, err,
						     sizeof(err)),
				 -ENOENT);
		assert_null(out);
		assert_string_equal(err, "no value for PCR 13 of bank sha256");
	}
	/* More than tpm2_checkquote reads: 11 banks of 24 PCRs are 264 values. */
	{
		struct tao_pcr_selection sel = { .n = 11 };
		uint8_t *out;
		size_t len;

		for (size_t b = 0; b < sel.n; b++)
			sel.banks[b] = (struct tao_pcr_bank_sel){ (uint16_t)(0x100 + b), 0xffffff };
		assert_int_equal(tao_tpm2_tools_pcrs(&sel, NULL, v, &out, &len, err, sizeof(err)),
				 -E2BIG);
		assert_string_equal(err, "tpm2-tools takes at most 16 banks and 256 PCR values");
	}
	free(v);
}

static void test_signatures(void **state)
{
	size_t len;
	uint8_t *ecdsa = vector_load("quote.sig", &len);
	uint8_t *rsa;
	struct tao_signature s, before;
	char err[TAO_ERRMSG_MAX];

	(void)state;
	assert_int_equal(tao_signature_parse(ecdsa, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s.sig_alg, TAO_TPM_ALG_ECDSA);
	assert_int_equal(s.hash, SHA256);
	assert_int_equal(s.r_len, 32);
	assert_int_equal(s.s_len, 32);
	assert_memory_equal(s.r, ecdsa + 6, 32);
	assert_memory_equal(s.s, ecdsa + 40, 32);
	assert_string_equal(tao_sig_alg_name(s.sig_alg), "ecdsa");
	/* Every truncation, and a trailing byte. */
	for (size_t n = 0; n < len; n++) {
		memset(&s, 0x5a, sizeof(s));
		memcpy(&before, &s, sizeof(s));
		assert_int_equal(tao_signature_parse(ecdsa, n, &s, err, sizeof(err)), -EBADMSG);
		assert_memory_equal(&s, &before, sizeof(s));
	}
	assert_int_equal(tao_signature_parse(ecdsa, len + 1, &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "TPMT_SIGNATURE has 1 trailing bytes after its end at offset 72");
	ecdsa[0] = 0x00;
	ecdsa[1] = 0x99;
	assert_int_equal(tao_signature_parse(ecdsa, len, &s, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, "TPMT_SIGNATURE has unknown sigAlg 0x0099");
	free(ecdsa);

	rsa = vector_load("quote3.sig", &len);
	assert_int_equal(tao_signature_parse(rsa, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s.sig_alg, TAO_TPM_ALG_RSASSA);
	assert_int_equal(s.hash, SHA256);
	assert_int_equal(s.sig_len, 256);
	assert_memory_equal(s.sig, rsa + 6, 256);
	free(rsa);
}

/* Each quote verifies with its key's public area, and not once a byte changed. */
static void test_verify(void **state)
{
	static const char *const names[][3] = {
		{ "ak.pub", "quote.msg", "quote.sig" },
		{ "ak.pub", "quote2.msg", "quote2.sig" },
		{ "rsa.pub", "quote3.msg", "quote3.sig" },
	};
	struct tao_tpm_public *pub = malloc(sizeof(*pub)), *other = malloc(sizeof(*other));
	char err[TAO_ERRMSG_MAX];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		size_t plen, mlen, slen;
		uint8_t *p = vector_load(names[i][0], &plen), *m = vector_load(names[i][1], &mlen),
			*sb = vector_load(names[i][2], &slen);
		struct tao_signature s;

		assert_int_equal(tao_tpm2b_public_parse(p, plen, pub, err, sizeof(err)), 0);
		assert_int_equal(tao_signature_parse(sb, slen, &s, err, sizeof(err)), 0);
		assert_int_equal(tao_signature_verify(pub, &s, m, mlen, err, sizeof(err)), 0);
		m[mlen - 1] ^= 1;
		assert_int_equal(tao_signature_verify(pub, &s, m, mlen, err, sizeof(err)),
				 -EBADMSG);
		assert_string_equal(err, "the signature does not verify with the key");
		free(p);
		free(m);
		free(sb);
	}
	/* An RSA signature with the ECC key. */
	{
		size_t plen, slen, mlen;
		uint8_t *p = vector_load("ak.pub", &plen), *sb = vector_load("quote3.sig", &slen),
			*m = vector_load("quote3.msg", &mlen);
		struct tao_signature s;

		assert_int_equal(tao_tpm2b_public_parse(p, plen, other, err, sizeof(err)), 0);
		assert_int_equal(tao_signature_parse(sb, slen, &s, err, sizeof(err)), 0);
		assert_int_equal(tao_signature_verify(other, &s, m, mlen, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "an RSA signature needs an RSA key");
		s.sig_alg = TAO_TPM_ALG_ECDAA;
		assert_int_equal(tao_signature_verify(other, &s, m, mlen, err, sizeof(err)),
				 -EOPNOTSUPP);
		assert_string_equal(err, "signature scheme 0x001a is not supported");
		free(p);
		free(sb);
		free(m);
	}
	free(pub);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_vector), cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_refusals),     cmocka_unit_test(test_pcr_beyond_23),
		cmocka_unit_test(test_certify),	     cmocka_unit_test(test_json),
		cmocka_unit_test(test_pcr_digest),   cmocka_unit_test(test_tpm2_tools_pcrs),
		cmocka_unit_test(test_signatures),   cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests_name("tao attestations", tests, NULL, NULL);
}
