// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The evidence codec (docs/protocol.md, "Evidence"): the round trip, the committed evidence files,
 * and everything the strict decoder refuses — with *ev left zeroed each time.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evidence_vectors.h"
#include "tao_b64url.h"
#include "tao_evidence.h"

static const uint8_t zero[sizeof(struct tao_evidence)];

/* Decode text; on failure the evidence must be all zero. Returns the decoder's result. */
static int decode(const char *text, size_t len, char *err, size_t errlen)
{
	struct tao_evidence ev;
	int rc;

	memset(&ev, 0xa5, sizeof(ev));
	rc = tao_evidence_decode(text, len, &ev, err, errlen);
	if (rc)
		assert_memory_equal(&ev, zero, sizeof(ev));
	tao_evidence_free(&ev);
	return rc;
}

static char *encode_a(void)
{
	struct tao_evidence ev;
	char err[256], *text;

	assert_int_equal(vec_evidence(vec_dir(), "a", &ev), 0);
	assert_int_equal(tao_evidence_encode(&ev, &text, err, sizeof(err)), 0);
	tao_evidence_free(&ev);
	return text;
}

/* The inner JSON of an encoded record. */
static char *inner_of(const char *text)
{
	const char *b = strstr(text, "\",\"") + 3, *end = strrchr(text, '"');
	size_t n = tao_b64url_decoded_len((size_t)(end - b));
	char *out = calloc(1, n + 1);

	assert_non_null(out);
	assert_true(tao_b64url_decode(b, (size_t)(end - b), (uint8_t *)out, n) >= 0);
	return out;
}

/* A record around inner JSON. */
static char *wrap(const char *inner, const char *media_type)
{
	char *b = tao_b64url_encode((const uint8_t *)inner, strlen(inner)), *out;

	assert_non_null(b);
	assert_true(asprintf(&out, "[\"%s\",\"%s\"]", media_type, b) > 0);
	free(b);
	return out;
}

/* The record of a's inner JSON with the first from replaced by to; the decoder's result. */
static int decode_edited(const char *from, const char *to, const char *expect_msg)
{
	char *text = encode_a(), *inner = inner_of(text), *p = strstr(inner, from), *edited, *rec;
	char err[256];
	int rc;

	if (!p)
		fail_msg("\"%s\" is not in the evidence", from);
	assert_true(asprintf(&edited, "%.*s%s%s", (int)(p - inner), inner, to, p + strlen(from)) >
		    0);
	rec = wrap(edited, TAO_EVIDENCE_MEDIA_TYPE);
	rc = decode(rec, strlen(rec), err, sizeof(err));
	if (rc && expect_msg && !strstr(err, expect_msg))
		fail_msg("\"%s\" instead of \"%s\"", err, expect_msg);
	free(text);
	free(inner);
	free(edited);
	free(rec);
	return rc;
}

static void test_b64url(void **state)
{
	static const uint8_t bytes[] = { 0xfb, 0xff, 0x00, 0x10, 0x83 };
	uint8_t out[8];

	(void)state;
	for (size_t n = 0; n <= sizeof(bytes); n++) {
		char *s = tao_b64url_encode(bytes, n);

		assert_non_null(s);
		assert_null(strchr(s, '='));
		assert_int_equal(tao_b64url_decode(s, strlen(s), out, sizeof(out)), (long)n);
		assert_memory_equal(out, bytes, n);
		free(s);
	}
	assert_int_equal(tao_b64url_decode("-_8", 3, out, 8), 2);
	assert_int_equal(tao_b64url_decode("-_9", 3, out, 8), -EINVAL); /* unused bits set */
	assert_int_equal(tao_b64url_decode("+/8", 3, out, 8), -EINVAL); /* plain base64 */
	assert_int_equal(tao_b64url_decode("AA==", 4, out, 8), -EINVAL);
	assert_int_equal(tao_b64url_decode("AAAAA", 5, out, 8), -EINVAL);
	assert_int_equal(tao_b64url_decode("AAAAAAAA", 8, out, 5), -E2BIG);
}

static void test_round_trip(void **state)
{
	struct tao_evidence a, b;
	char err[256], *text, *again;

	(void)state;
	assert_int_equal(vec_evidence(vec_dir(), "a", &a), 0);
	assert_int_equal(tao_evidence_encode(&a, &text, err, sizeof(err)), 0);
	assert_int_equal(tao_evidence_decode(text, strlen(text), &b, err, sizeof(err)), 0);
	assert_int_equal(b.version, 1);
	assert_memory_equal(a.binder, b.binder, 32);
	assert_int_equal(a.quote_attest.len, b.quote_attest.len);
	assert_memory_equal(a.quote_attest.bytes, b.quote_attest.bytes, a.quote_attest.len);
	assert_int_equal(a.pcrs.n, b.pcrs.n);
	assert_memory_equal(&a.pcrs.v[1], &b.pcrs.v[1], sizeof(a.pcrs.v[1]));
	assert_int_equal(b.log_pcr, 13);
	assert_int_equal(b.n_entries, 4);
	assert_string_equal(b.entries[3].name, "app");
	assert_true(b.entries[3].has_data);
	assert_memory_equal(&a.entries[3].digests, &b.entries[3].digests,
			    sizeof(b.entries[3].digests));
	assert_int_equal(b.n_iak_certs, 1);
	assert_int_equal(b.idevid_certs[0].len, a.idevid_certs[0].len);
	/* One encoding per evidence. */
	assert_int_equal(tao_evidence_encode(&b, &again, err, sizeof(err)), 0);
	assert_string_equal(text, again);
	free(text);
	free(again);
	tao_evidence_free(&a);
	tao_evidence_free(&b);
}

static void test_committed_files(void **state)
{
	const char *names[] = { "a.evidence.json", "b.evidence.json" };
	char err[256];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		uint8_t *text;
		size_t len;

		assert_int_equal(vec_read(vec_dir(), names[i], &text, &len), 0);
		if (decode((const char *)text, len, err, sizeof(err)))
			fail_msg("%s: %s", names[i], err);
		free(text);
	}
}

static void test_encode_refuses_incomplete(void **state)
{
	struct tao_evidence ev;
	char err[256], *text;

	(void)state;
	assert_int_equal(vec_evidence(vec_dir(), "a", &ev), 0);
	ev.n_iak_certs = 0;
	assert_int_equal(tao_evidence_encode(&ev, &text, err, sizeof(err)), -EINVAL);
	ev.n_iak_certs = 1;
	ev.quote_attest.len = 0;
	assert_int_equal(tao_evidence_encode(&ev, &text, err, sizeof(err)), -EINVAL);
	tao_evidence_free(&ev);
}

static void test_version_and_type(void **state)
{
	char err[256], *inner, *text = encode_a(), *rec;

	(void)state;
	assert_int_equal(decode_edited("\"version\":1", "\"version\":2", "not supported"),
			 -EPROTONOSUPPORT);
	assert_int_equal(decode_edited("\"version\":1", "\"version\":\"1\"", "version"), -EBADMSG);
	assert_int_equal(decode_edited("\"version\":1", "\"version\":1.0", "version"), -EBADMSG);
	inner = inner_of(text);
	rec = wrap(inner, "application/vnd.tao.tpm2-evidence+cbor");
	assert_int_equal(decode(rec, strlen(rec), err, sizeof(err)), -EPROTONOSUPPORT);
	free(rec);
	free(inner);
	free(text);
}

static void test_refused(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		/* duplicates and unknown members */
		{ "\"binder\":", "\"binder\":\"AAAA\",\"binder\":", "appears twice" },
		{ "\"version\":1,", "\"version\":1,\"extra\":1,", "unknown member \"extra\"" },
		{ "\"pcr\":13,", "\"pcr\":13,\"x\":0,", "unknown member \"x\"" },
		{ "\"binder\":", "\"b\\u0069nder\":", "escaped" },
		/* missing and mistyped */
		{ "\"binder\":", "\"binde\":", "missing" },
		{ "\"pcr\":13", "\"pcr\":\"13\"", "not an integer" },
		{ "\"pcr\":13", "\"pcr\":24", "out of range" },
		{ "\"pcr\":13", "\"pcr\":-1", "out of range" },
		{ "\"pcr\":13", "\"pcr\":4294967309", "out of range" },
		{ "\"seq\":1", "\"seq\":2", "seq 2 where 1" },
		{ "\"type\":1", "\"type\":4294967296", "out of range" },
		{ "\"name\":\"app\"", "\"name\":\"\"", "name" },
		{ "\"name\":\"app\"", "\"name\":\"a\\u0000p\"", "control" },
		{ "\"name\":\"app\"", "\"name\":\"a\\np\"", "control" },
		{ "\"iak\":[", "\"iak\":[]", NULL },
		{ "\"iak\":[", "\"iak\":[\"AAAA\",", "not one DER SEQUENCE" },
		/* base64url */
		{ "\"binder\":\"", "\"binder\":\"AA", "more than 32" },
		{ "\"binder\":\"", "\"binder\":\"=", "binder" },
		{ "\"attest\":\"", "\"attest\":\"+", "base64url" },
		{ "\"attest\":\"", "\"attest\":\"*", "base64url" },
		{ "\"digest\":\"", "\"digest\":\"AAAA", "wrong size" },
		/* PCR values */
		{ "\"pcr\":0,", "\"pcr\":13,", "out of order or repeated" },
		{ "\"pcrs\":[", "\"pcrs\":[],\"x\":[", NULL },
		/* not JSON, trailing */
		{ "\"version\":1", "\"version\":1,", "not JSON" },
		{ "{\"version\"", "{{\"version\"", "not JSON" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = decode_edited(cases[i].from, cases[i].to, cases[i].msg);

		if (rc != -EBADMSG && rc != -E2BIG)
			fail_msg("case %zu (%s) gave %d", i, cases[i].to, rc);
	}
}

static void test_record(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"[\"application/vnd.tao.tpm2-evidence+json\"]",
		"[\"application/vnd.tao.tpm2-evidence+json\",\"e30\",1]",
		"[\"application/vnd.tao.tpm2-evidence+json\",\"e30=\"]",
		"[\"application/vnd.tao.tpm2-evidence+json\",\"e30\"] x",
		"[\"application/vnd.tao.tpm2-evidence+json\",\"e30\"]", /* {} */
		"[\"application/vnd.tao.tpm2-evidence+json\",{}]",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"[[[[[",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decode(bad[i], strlen(bad[i]), err, sizeof(err)) == 0)
			fail_msg("record %zu decoded", i);
	assert_int_equal(decode("[\"x\"\0]", 6, err, sizeof(err)), -EBADMSG);
}

/* Every prefix of a good record is refused, and so are its bytes past the bound. */
static void test_truncated_and_oversized(void **state)
{
	char err[256], *text = encode_a(), *big;
	size_t len = strlen(text);

	(void)state;
	assert_int_equal(decode(text, len, err, sizeof(err)), 0);
	for (size_t n = 0; n < len; n++)
		if (decode(text, n, err, sizeof(err)) == 0 && n < len - 1)
			fail_msg("a prefix of %zu bytes decoded", n);
	big = malloc(TAO_EVIDENCE_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', TAO_EVIDENCE_MAX_BYTES + 1);
	memcpy(big, text, len);
	assert_int_equal(decode(big, TAO_EVIDENCE_MAX_BYTES + 1, err, sizeof(err)), -E2BIG);
	free(big);
	free(text);
	/* An oversized TPM structure. */
	{
		char *inner_big = malloc(8192), *p;

		assert_non_null(inner_big);
		p = inner_big + sprintf(inner_big, "\"attest\":\"");
		memset(p, 'A', 4000);
		strcpy(p + 4000, "AA");
		assert_int_equal(decode_edited("\"attest\":\"", inner_big, "more than"), -E2BIG);
		free(inner_big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_committed_files),
		cmocka_unit_test(test_encode_refuses_incomplete),
		cmocka_unit_test(test_version_and_type),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_truncated_and_oversized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
