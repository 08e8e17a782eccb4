// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for the log replay (tao_replay_*, tao_log_replay) against vectors computed with
 * `openssl dgst` alone, outside libtao, as the contract's "What is extended" says:
 *
 *   E = H(be32(T) || be32(len(N)) || N || D);  PCR = H(PCR || E)
 *
 * e.g. for the first entry in sha256 (pcr: 32 zero bytes, d0: sha256 of the data):
 *   { printf '\xff\xff\x00\x01\x00\x00\x00\x03tao'; cat d0; } | openssl dgst -sha256 -binary >E
 *   cat pcr E | openssl dgst -sha256 -binary | xxd -p -c 64
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tao_hex.h"
#include "tao_replay.h"

#define SHA1   0x0004
#define SHA256 0x000b
#define SHA384 0x000c
#define SHA512 0x000d

/* printf 'version 0.1.0\n' | openssl dgst -sha256 / -sha1 */
#define D0_SHA256 "ca67e20e5463a3cf1100b586b478c28a551a5e214f000864ebc2341eb8e8b034"
#define D0_SHA1	  "ac660f60a4757828d50356275161f16f6ac079bb"
/* printf x | openssl dgst ... */
#define D1_SHA256 "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
#define D1_SHA1	  "11f6ad8ec52a2984abaafd7c3b516503785c2072"
/* The empty data. */
#define D2_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D2_SHA1	  "da39a3ee5e6b4b0d3255bfef95601890afd80709"

/* The PCR after 1, 2 and 3 of the entries below, from zero (openssl dgst, as above). */
static const char *const want_sha256[] = {
	"1dc310c0348786ea9eafdd1c2ecc092e1a55c94ecda40e52f8f2bf244b3e3a2f",
	"063a86d77787e9e448d18953768c4c2f922a55ee8a103955bffe25d5d8115170",
	"f93ef6ebfd3febdd311b44b16e10e6adf68e9995bfa008ca3c114a5aa82b8c5d",
};
static const char *const want_sha1[] = {
	"22eea4488adecc05a5ce144fad4c3711f8c62bb8",
	"d81e247cb4079377c71a248c90c8fca52f4a22c0",
	"88f0e3781f7db54bbdc12f25bbefe9e0cfcf4817",
};

static void digest(struct tao_digest *d, uint16_t alg, const char *hex)
{
	int n = tao_hex_decode(hex, d->bytes, sizeof(d->bytes));

	assert_true(n > 0);
	d->alg = alg;
	d->size = (uint16_t)n;
}

/* Both banks at zero: sha256 first, then sha1 (the TPM's order does not matter). */
static void zero_at_load(struct tao_digest_list *l)
{
	memset(l, 0, sizeof(*l));
	l->n = 2;
	l->d[0].alg = SHA256;
	l->d[0].size = 32;
	l->d[1].alg = SHA1;
	l->d[1].size = 20;
}

/*
 * 0: the module's load, from data; 1: digests only (of "x"), banks in the other order;
 * 2: empty data.
 */
static void entries(struct tao_log_entry e[3])
{
	static const uint8_t d0[] = "version 0.1.0\n";

	memset(e, 0, 3 * sizeof(*e));
	e[0] = (struct tao_log_entry){ .seq = 0,
				       .pcr = 13,
				       .type = 0xffff0001,
				       .name = "tao",
				       .name_len = 3,
				       .has_data = true,
				       .data = d0,
				       .data_len = sizeof(d0) - 1 };
	e[0].digests.n = 2;
	digest(&e[0].digests.d[0], SHA256, D0_SHA256);
	digest(&e[0].digests.d[1], SHA1, D0_SHA1);
	e[1] = (struct tao_log_entry){
		.seq = 1, .pcr = 13, .type = 1, .name = "boot-config", .name_len = 11
	};
	e[1].digests.n = 2;
	digest(&e[1].digests.d[0], SHA1, D1_SHA1);
	digest(&e[1].digests.d[1], SHA256, D1_SHA256);
	e[2] = (struct tao_log_entry){ .seq = 2,
				       .pcr = 13,
				       .type = 2,
				       .name = "file",
				       .name_len = 4,
				       .has_data = true,
				       .data = (const uint8_t *)"",
				       .data_len = 0 };
	e[2].digests.n = 2;
	digest(&e[2].digests.d[0], SHA256, D2_SHA256);
	digest(&e[2].digests.d[1], SHA1, D2_SHA1);
}

static void assert_pcr(const struct tao_digest_list *l, size_t i, uint16_t alg, const char *hex)
{
	char got[2 * TAO_MAX_DIGEST_SIZE + 1];

	assert_int_equal(l->d[i].alg, alg);
	assert_string_equal(tao_hex_encode(l->d[i].bytes, l->d[i].size, got), hex);
}

static void test_known_vectors(void **state)
{
	struct tao_digest_list at_load, out;
	struct tao_log_entry e[3];
	char err[TAO_ERRMSG_MAX];

	(void)state;
	zero_at_load(&at_load);
	entries(e);
	/* Every prefix of the log: its first n entries. */
	for (size_t n = 1; n <= 3; n++) {
		assert_int_equal(tao_log_replay(&at_load, e, n, &out, err, sizeof(err)), 0);
		assert_int_equal(out.n, 2);
		assert_pcr(&out, 0, SHA256, want_sha256[n - 1]);
		assert_pcr(&out, 1, SHA1, want_sha1[n - 1]);
	}
	/* No entries: the values at load. */
	assert_int_equal(tao_log_replay(&at_load, e, 0, &out, err, sizeof(err)), 0);
	assert_memory_equal(&out, &at_load, sizeof(out));
}

static void test_incremental(void **state)
{
	struct tao_digest_list at_load;
	struct tao_log_entry e[3];
	struct tao_replay r;
	char err[TAO_ERRMSG_MAX];

	(void)state;
	zero_at_load(&at_load);
	entries(e);
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tao_replay_extend(&r, &e[i], err, sizeof(err)), 0);
		assert_int_equal(r.entries, i + 1);
		assert_pcr(&r.pcrs, 0, SHA256, want_sha256[i]);
		assert_pcr(&r.pcrs, 1, SHA1, want_sha1[i]);
	}
}

/* Non-zero values at load, and the larger hashes. */
static void test_sha384_sha512(void **state)
{
	struct tao_digest_list at_load = { 0 }, out;
	struct tao_log_entry e = { .seq = 0,
				   .type = 7,
				   .name = "n",
				   .name_len = 1,
				   .has_data = true,
				   .data = (const uint8_t *)"abc",
				   .data_len = 3 };
	char err[TAO_ERRMSG_MAX];

	(void)state;
	at_load.n = 2;
	at_load.d[0] = (struct tao_digest){ .alg = SHA384, .size = 48 };
	memset(at_load.d[0].bytes, 1, 48);
	at_load.d[1] = (struct tao_digest){ .alg = SHA512, .size = 64 };
	memset(at_load.d[1].bytes, 1, 64);
	e.digests.n = 2;
	/* printf abc | openssl dgst -sha384 / -sha512 */
	digest(&e.digests.d[0], SHA384,
	       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358b"
	       "aec"
	       "a134c825a7");
	digest(&e.digests.d[1], SHA512,
	       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836b"
	       "a3c"
	       "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	assert_int_equal(tao_log_replay(&at_load, &e, 1, &out, err, sizeof(err)), 0);
	/*
	 * head -c 48 /dev/zero | tr '\0' '\1' >pcr; printf abc | openssl dgst -sha384 -binary >d
	 * { printf '\x00\x00\x00\x07\x00\x00\x00\x01n'; cat d; } | openssl dgst -sha384 -binary >E
	 * cat pcr E | openssl dgst -sha384   (and the same with 64 bytes and -sha512)
	 */
	assert_pcr(
		&out, 0, SHA384,
		"281e6c0c4505fa6c6ad871f2a9d2107317329ad35c654cb6835ae4f7ac217f1a3fe90d3d75331e00"
		"119f94cd40e7c4b4");
	assert_pcr(
		&out, 1, SHA512,
		"90f28afda09008884c9c358054bc48187e1c767760dc2050ff93ecc6909c44bba186c79b0d2f83eb"
		"3e27ef89e40e64224b850be49b532b34f1900f8e4aed7da9");
}

/* A failing extend names the problem and leaves the replay as it was. */
static void extend_refused(struct tao_replay *r, const struct tao_log_entry *e, int rc,
			   const char *want)
{
	struct tao_replay before = *r;
	char err[TAO_ERRMSG_MAX];

	assert_int_equal(tao_replay_extend(r, e, err, sizeof(err)), rc);
	assert_string_equal(err, want);
	assert_memory_equal(r, &before, sizeof(before));
}

static void test_refusals(void **state)
{
	struct tao_digest_list at_load, out, before;
	struct tao_log_entry e[3], bad;
	struct tao_replay r;
	char err[TAO_ERRMSG_MAX];

	(void)state;
	zero_at_load(&at_load);
	entries(e);
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), 0);

	/* Out of order: the second entry first. */
	extend_refused(&r, &e[1], -EINVAL, "log entry 1 comes where entry 0 was expected");
	/* A bank's digest is missing. */
	bad = e[0];
	bad.digests.n = 1;
	extend_refused(&r, &bad, -EINVAL, "log entry 0 has no sha1 digest");
	/* A digest of the wrong size. */
	bad = e[0];
	bad.digests.d[1].size = 32;
	extend_refused(&r, &bad, -EINVAL, "log entry 0 has a sha1 digest of 32 bytes, expected 20");
	/* Data changed under its digest: the replay does not trust the module's digests. */
	bad = e[0];
	bad.data = (const uint8_t *)"version 0.1.1\n";
	extend_refused(&r, &bad, -EINVAL,
		       "log entry 0: its sha256 digest is not the hash of its data");

	/* The whole-log form stops at the first problem and leaves out untouched. */
	memset(&out, 0x5a, sizeof(out));
	memcpy(&before, &out, sizeof(out));
	e[1] = e[2];
	assert_int_equal(tao_log_replay(&at_load, e, 3, &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "log entry 2 comes where entry 1 was expected");
	assert_memory_equal(&out, &before, sizeof(out));
}

static void test_init_refusals(void **state)
{
	struct tao_digest_list at_load;
	struct tao_replay r;
	char err[TAO_ERRMSG_MAX];

	(void)state;
	zero_at_load(&at_load);
	at_load.d[1].alg = 0x0012; /* sm3_256: a real bank, but not in OpenSSL's EVP here */
	at_load.d[1].size = 32;
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, "cannot replay bank sm3_256: its hash is not supported");
	at_load.d[1].alg = 0x1234;
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, "cannot replay bank 0x1234: its hash is not supported");
	zero_at_load(&at_load);
	at_load.d[1].size = 32;
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bank sha1 has a PCR of 32 bytes, expected 20");
	zero_at_load(&at_load);
	at_load.d[1].alg = SHA256;
	at_load.d[1].size = 32;
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bank sha256 is listed twice");
	at_load.n = 0;
	assert_int_equal(tao_replay_init(&r, &at_load, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no PCR bank to replay");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors), cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_sha384_sha512), cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_init_refusals),
	};

	return cmocka_run_group_tests_name("tao log replay", tests, NULL, NULL);
}
