// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The verifier against real swtpm evidence (vectors/evidence/): the honest evidence is affirming,
 * and every kind of tampering is refused by the right check with the right reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/x509_vfy.h>

#include "evidence_vectors.h"
#include "tao_verifier.h"

/* 2030-01-01: inside every certificate's validity. */
#define AT_VALID ((time_t)1893456000)

struct fixture {
	struct tao_evidence ev;
	X509_STORE *trust, *other;
	struct tao_verdict v;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4096], err[256];

	assert_non_null(f);
	assert_int_equal(vec_evidence(vec_dir(), "a", &f->ev), 0);
	snprintf(path, sizeof(path), "%s/ca.pem", vec_dir());
	assert_int_equal(tao_trust_load(path, &f->trust, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/other-ca.pem", vec_dir());
	assert_int_equal(tao_trust_load(path, &f->other, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tao_evidence_free(&f->ev);
	X509_STORE_free(f->trust);
	X509_STORE_free(f->other);
	free(f);
	return 0;
}

static const struct tao_verdict *verify_at(struct fixture *f, const struct tao_policy *p, time_t at)
{
	struct tao_verify_opts o = { .trust = f->trust, .policy = p, .at = at };

	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	return &f->v;
}

static const struct tao_verdict *verify(struct fixture *f)
{
	return verify_at(f, NULL, AT_VALID);
}

/* Check id has result res and a reason containing what; the status follows. */
static void expect(const struct tao_verdict *v, enum tao_check_id id, enum tao_check_result res,
		   const char *what)
{
	if (v->checks[id].result != res || !strstr(v->checks[id].reason, what))
		fail_msg("%s: %s \"%s\", expected %s \"%s\"", tao_check_name(id),
			 tao_check_result_name(v->checks[id].result), v->checks[id].reason,
			 tao_check_result_name(res), what);
	if (res == TAO_RESULT_FAIL)
		assert_int_equal(v->status, TAO_STATUS_CONTRAINDICATED);
}

static void test_honest(void **state)
{
	struct fixture *f = *state;
	const struct tao_verdict *v = verify(f);

	for (int i = 0; i < TAO_CHECK_COUNT; i++)
		if (i != TAO_CHECK_POLICY_PCRS && i != TAO_CHECK_POLICY_EVENTS &&
		    i != TAO_CHECK_SESSION && i != TAO_CHECK_COUNTERS)
			expect(v, i, TAO_RESULT_PASS, "");
	expect(v, TAO_CHECK_POLICY_PCRS, TAO_RESULT_SKIP, "no policy");
	expect(v, TAO_CHECK_SESSION, TAO_RESULT_SKIP, "offline");
	expect(v, TAO_CHECK_COUNTERS, TAO_RESULT_SKIP, "no earlier attestation");
	assert_true(v->has_counters);
	assert_int_equal(v->status, TAO_STATUS_AFFIRMING);
	assert_string_equal(v->device_serial, "TAO-A-0001");
	expect(v, TAO_CHECK_LOG_REPLAY, TAO_RESULT_PASS, "4 entries replay to the quoted PCR 13");
}

/* Device b's module was reloaded: its log starts from a non-zero PCR 13. */
static void test_reloaded_is_warning(void **state)
{
	struct fixture *f = *state;
	const struct tao_verdict *v;

	tao_evidence_free(&f->ev);
	assert_int_equal(vec_evidence(vec_dir(), "b", &f->ev), 0);
	v = verify(f);
	expect(v, TAO_CHECK_LOG_ORIGIN, TAO_RESULT_WARN, "reloaded");
	expect(v, TAO_CHECK_LOG_REPLAY, TAO_RESULT_PASS, "");
	assert_int_equal(v->status, TAO_STATUS_WARNING);
	assert_string_equal(v->device_serial, "TAO-B-0002");
}

/* Every bit of every TPM structure matters: flip each byte in turn. */
static void flip_each(struct fixture *f, struct tao_blob *b, enum tao_check_id id)
{
	for (size_t i = 0; i < b->len; i++) {
		b->bytes[i] ^= 0x01;
		if (verify(f)->checks[id].result != TAO_RESULT_FAIL)
			fail_msg("%s: flipping byte %zu of %zu passed", tao_check_name(id), i,
				 b->len);
		assert_int_equal(f->v.status, TAO_STATUS_CONTRAINDICATED);
		b->bytes[i] ^= 0x01;
	}
	assert_int_equal(verify(f)->status, TAO_STATUS_AFFIRMING);
}

static void test_flip_quote(void **state)
{
	struct fixture *f = *state;

	flip_each(f, &f->ev.quote_attest, TAO_CHECK_QUOTE);
	flip_each(f, &f->ev.quote_signature, TAO_CHECK_QUOTE);
}

static void test_flip_certify(void **state)
{
	struct fixture *f = *state;

	flip_each(f, &f->ev.certify_attest, TAO_CHECK_CERTIFY);
	flip_each(f, &f->ev.certify_signature, TAO_CHECK_CERTIFY);
	flip_each(f, &f->ev.tls_key_public, TAO_CHECK_CERTIFY);
}

static void test_flip_certs(void **state)
{
	struct fixture *f = *state;

	flip_each(f, &f->ev.iak_certs[0], TAO_CHECK_IAK_CHAIN);
}

static void test_flip_values(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->ev.pcrs.n; i++) {
		f->ev.pcrs.v[i].digest[5] ^= 0x80;
		expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "pcrDigest is not the digest");
		f->ev.pcrs.v[i].digest[5] ^= 0x80;
	}
	f->ev.pcrs.n--;
	expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "not the quote's selection");
}

static void test_wrong_binder(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { .trust = f->trust, .at = AT_VALID };
	uint8_t binder[32];

	memcpy(binder, f->ev.binder, 32);
	binder[31] ^= 1;
	assert_int_equal(tao_verify_evidence(&f->ev, binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "extraData is not this session's binder");
	expect(&f->v, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL, "extraData is not this session's binder");
}

/* The quote and certification of device b, in device a's evidence. */
static void test_other_tpm(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "b-quote.msg", &f->ev.quote_attest), 0);
	assert_int_equal(vec_blob(vec_dir(), "b-quote.sig", &f->ev.quote_signature), 0);
	expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "not signed by the IAK");
	assert_int_equal(vec_blob(vec_dir(), "b-certify.msg", &f->ev.certify_attest), 0);
	assert_int_equal(vec_blob(vec_dir(), "b-certify.sig", &f->ev.certify_signature), 0);
	assert_int_equal(vec_blob(vec_dir(), "b-idevid.tpmt", &f->ev.tls_key_public), 0);
	expect(verify(f), TAO_CHECK_CERTIFY, TAO_RESULT_FAIL, "not signed by the IAK");
}

/* Device b's IDevID certificate: another device, and not the certified key. */
static void test_other_idevid(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "b-idevid.der", &f->ev.idevid_certs[0]), 0);
	expect(verify(f), TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL, "not the IDevID certificate's key");
	expect(&f->v, TAO_CHECK_SAME_DEVICE, TAO_RESULT_FAIL,
	       "the IAK names device \"TAO-A-0001\", the IDevID device \"TAO-B-0002\"");
	expect(&f->v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_PASS, "");
}

/* A key other than the one certified, handed over as the TLS key. */
static void test_not_certified_key(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "a-iak.tpmt", &f->ev.tls_key_public), 0);
	expect(verify(f), TAO_CHECK_CERTIFY, TAO_RESULT_FAIL,
	       "the certified Name is not the Name of the given TPMT_PUBLIC");
}

/* Honest certifications of keys that must not be TLS keys. */
static void test_duplicable_key(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "a-certify-dup.msg", &f->ev.certify_attest), 0);
	assert_int_equal(vec_blob(vec_dir(), "a-certify-dup.sig", &f->ev.certify_signature), 0);
	assert_int_equal(vec_blob(vec_dir(), "a-dup.tpmt", &f->ev.tls_key_public), 0);
	expect(verify(f), TAO_CHECK_CERTIFY, TAO_RESULT_PASS, "");
	expect(&f->v, TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL, "fixedTPM is clear");
}

static void test_restricted_key(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "a-certify-iak.msg", &f->ev.certify_attest), 0);
	assert_int_equal(vec_blob(vec_dir(), "a-certify-iak.sig", &f->ev.certify_signature), 0);
	assert_int_equal(vec_blob(vec_dir(), "a-iak.tpmt", &f->ev.tls_key_public), 0);
	expect(verify(f), TAO_CHECK_CERTIFY, TAO_RESULT_PASS, "");
	expect(&f->v, TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL, "restricted is set");
}

/* A quote of the right PCRs with the right binder, signed by the IDevID. */
static void test_wrong_signer(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vec_blob(vec_dir(), "a-quote-idevid.msg", &f->ev.quote_attest), 0);
	assert_int_equal(vec_blob(vec_dir(), "a-quote-idevid.sig", &f->ev.quote_signature), 0);
	expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL,
	       "not signed by the IAK: the signature does not verify");
}

static void test_magic_and_type(void **state)
{
	struct fixture *f = *state;
	uint8_t *q = f->ev.quote_attest.bytes, *c = f->ev.certify_attest.bytes;

	q[0] = 0xfe;
	expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL,
	       "magic 0xfe544347 is not TPM_GENERATED_VALUE");
	q[0] = 0xff;
	q[5] = 0x17;
	expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL,
	       "type 0x8017 is not TPM_ST_ATTEST_QUOTE");
	q[5] = 0x18;
	c[5] = 0x18;
	expect(verify(f), TAO_CHECK_CERTIFY, TAO_RESULT_FAIL,
	       "type 0x8018 is not TPM_ST_ATTEST_CERTIFY");
	c[5] = 0x17;
	/* A quote where the certification belongs, and the other way round. */
	{
		struct tao_blob t = f->ev.quote_attest;

		f->ev.quote_attest = f->ev.certify_attest;
		f->ev.certify_attest = t;
		expect(verify(f), TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "is not TPM_ST_ATTEST_QUOTE");
		expect(&f->v, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL, "is not TPM_ST_ATTEST_CERTIFY");
		f->ev.certify_attest = f->ev.quote_attest;
		f->ev.quote_attest = t;
	}
	assert_int_equal(verify(f)->status, TAO_STATUS_AFFIRMING);
}

static void test_truncated_and_oversized(void **state)
{
	struct fixture *f = *state;
	struct tao_blob *blobs[] = { &f->ev.quote_attest, &f->ev.quote_signature,
				     &f->ev.certify_attest, &f->ev.certify_signature,
				     &f->ev.tls_key_public };
	enum tao_check_id ids[] = { TAO_CHECK_QUOTE, TAO_CHECK_QUOTE, TAO_CHECK_CERTIFY,
				    TAO_CHECK_CERTIFY, TAO_CHECK_CERTIFY };

	for (size_t k = 0; k < 5; k++) {
		struct tao_blob *b = blobs[k];
		size_t len = b->len;
		uint8_t *grown = realloc(b->bytes, len + 1);

		assert_non_null(grown);
		b->bytes = grown;
		for (size_t n = 0; n < len; n++) {
			b->len = n;
			if (verify(f)->checks[ids[k]].result != TAO_RESULT_FAIL)
				fail_msg("blob %zu truncated to %zu bytes passed", k, n);
		}
		b->bytes[len] = 0;
		b->len = len + 1;
		expect(verify(f), ids[k], TAO_RESULT_FAIL, "malformed");
		b->len = len;
	}
	assert_int_equal(verify(f)->status, TAO_STATUS_AFFIRMING);
}

static void test_log_does_not_replay(void **state)
{
	struct fixture *f = *state;
	struct tao_evidence_entry *e = &f->ev.entries[2];

	e->name[0] = 'b';
	expect(verify(f), TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
	       "replaying 4 entries does not give the quoted sha256 PCR 13");
	e->name[0] = 'a';
	e->data.bytes[0] ^= 1;
	expect(verify(f), TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL, "the log does not replay");
	e->data.bytes[0] ^= 1;
	f->ev.n_entries--;
	expect(verify(f), TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
	       "replaying 3 entries does not give the quoted");
	f->ev.n_entries++;
	f->ev.log_pcr = 12;
	expect(verify(f), TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
	       "the quote does not cover the log PCR 12");
	f->ev.log_pcr = 13;
	f->ev.log_pcr_at_load.d[0].bytes[0] = 1;
	expect(verify(f), TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL, "does not give the quoted");
	expect(&f->v, TAO_CHECK_LOG_ORIGIN, TAO_RESULT_WARN, "non-zero");
}

static void test_untrusted_ca(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { .trust = f->other, .at = AT_VALID };

	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_FAIL,
	       "unable to get local issuer certificate");
	expect(&f->v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_FAIL, "unable to get local issuer");
}

static void test_expired(void **state)
{
	struct fixture *f = *state;

	expect(verify_at(f, NULL, (time_t)7258118400 /* 2200 */), TAO_CHECK_IAK_CHAIN,
	       TAO_RESULT_FAIL, "certificate has expired");
	expect(&f->v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_FAIL, "certificate has expired");
	expect(verify_at(f, NULL, (time_t)946684800 /* 2000 */), TAO_CHECK_IAK_CHAIN,
	       TAO_RESULT_FAIL, "certificate is not yet valid");
}

static void test_policy(void **state)
{
	struct fixture *f = *state;
	struct tao_policy p, q;
	struct json_object *j;
	const char *text;
	char err[256];

	assert_int_equal(tao_policy_capture(&f->ev, &p), 0);
	assert_int_equal(p.pcrs.n, 1);	 /* PCR 0; the log PCR is left to the replay */
	assert_int_equal(p.n_events, 3); /* "app" twice is one allowed event */
	j = tao_policy_to_json(&p);
	assert_non_null(j);
	text = json_object_to_json_string(j);
	assert_int_equal(tao_policy_parse(text, strlen(text), &q, err, sizeof(err)), 0);
	json_object_put(j);
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_PCRS, TAO_RESULT_PASS, "");
	expect(&f->v, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_PASS, "all 4 log entries are allowed");
	assert_int_equal(f->v.status, TAO_STATUS_AFFIRMING);
	q.pcrs.v[0].digest[0] ^= 1;
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_PCRS, TAO_RESULT_FAIL,
	       "sha256 PCR 0 differs from the reference value");
	q.pcrs.v[0].digest[0] ^= 1;
	q.pcrs.v[0].index = 7;
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_PCRS, TAO_RESULT_FAIL,
	       "which the quote does not cover");
	q.pcrs.v[0].index = 0;
	q.events[2].name[0] = 'x';
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 2 (type 0x00000002, name \"app\") is not allowed");
	tao_policy_free(&p);
	tao_policy_free(&q);
}

static void test_policy_parse(void **state)
{
	static const char *const bad[] = {
		"{\"tao_policy\":2,\"pcrs\":[],\"events\":[]}",
		"{\"tao_policy\":1,\"pcrs\":[]}",
		"{\"tao_policy\":1,\"pcrs\":[],\"events\":[],\"x\":1}",
		"{\"tao_policy\":1,\"pcrs\":[{\"alg\":11,\"pcr\":0,\"digest\":\"00\"}],\"events\":["
		"]}",
		"{\"tao_policy\":1,\"pcrs\":[],\"events\":[{\"type\":1,\"name\":\"a\"},"
		"{\"type\":1,\"name\":\"a\"}]}",
		"{\"tao_policy\":1,\"pcrs\":[],\"pcrs\":[],\"events\":[]}",
	};
	struct tao_policy p;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = tao_policy_parse(bad[i], strlen(bad[i]), &p, err, sizeof(err));

		if (rc == 0)
			fail_msg("policy %zu parsed", i);
		assert_int_equal(p.n_events, 0);
	}
}

#define APP1 "96cc089b032fd167427dd1b4f4d6f7c2d97f23d00690cd0989639371710163fe"
#define APP2 "534c785192e6aea94ea31ef625a13d23509bea6890a67ff6ff1c47733170e851"
#define POLICY_EVENTS(ev)                                                                   \
	"{\"tao_policy\":1,\"pcrs\":[],\"events\":[{\"type\":4294901761,\"name\":\"tao\"}," \
	"{\"type\":1,\"name\":\"boot-config\"}," ev "]}"

static void parse_ok(const char *text, struct tao_policy *p)
{
	char err[256];

	if (tao_policy_parse(text, strlen(text), p, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
}

/* The log's "app" entries are two versions (seq 2, 3): allowed by digest, one version, or none. */
static void test_policy_digests(void **state)
{
	struct fixture *f = *state;
	struct tao_policy p;

	/* Both versions allowed; the upper-case hex means the same digest. */
	parse_ok(POLICY_EVENTS("{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"},"
			       "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP2 "\"}"),
		 &p);
	assert_int_equal(p.n_events, 4);
	assert_true(p.events[2].has_digest && p.events[3].has_digest);
	assert_false(p.events[0].has_digest || p.events[1].has_digest);
	expect(verify_at(f, &p, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_PASS,
	       "all 4 log entries are allowed");
	assert_int_equal(f->v.status, TAO_STATUS_AFFIRMING);
	tao_policy_free(&p);

	/* Only the second version: entry 2 carries data the policy does not allow. */
	parse_ok(POLICY_EVENTS("{\"type\":2,\"name\":\"app\",\"digest\":\"" APP2 "\"}"), &p);
	expect(verify_at(f, &p, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 2 (type 0x00000002, name \"app\"): its sha256 data digest " APP1
	       " is not an allowed one");
	expect(&f->v, TAO_CHECK_POLICY_PCRS, TAO_RESULT_PASS, "");
	assert_non_null(strstr(f->v.reason, "policy_events: log entry 2"));
	tao_policy_free(&p);

	/* Only the first: entry 3 is the one refused. */
	parse_ok(POLICY_EVENTS("{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"}"), &p);
	expect(verify_at(f, &p, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 3 (type 0x00000002, name \"app\"): its sha256 data digest " APP2
	       " is not an allowed one");
	tao_policy_free(&p);

	/* A digest of another (type, name) does not stand in: the type is part of the match. */
	parse_ok(POLICY_EVENTS("{\"type\":3,\"name\":\"app\",\"digest\":\"" APP1 "\"}"), &p);
	expect(verify_at(f, &p, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 2 (type 0x00000002, name \"app\") is not allowed");
	tao_policy_free(&p);
}

/* tao_policy_match_entry on hand-made entries: the digest is the sha256 bank's, only. */
static void test_policy_match(void **state)
{
	static const uint8_t app1[32] = { 0x96, 0xcc, 0x08, 0x9b, 0x03, 0x2f, 0xd1, 0x67,
					  0x42, 0x7d, 0xd1, 0xb4, 0xf4, 0xd6, 0xf7, 0xc2,
					  0xd9, 0x7f, 0x23, 0xd0, 0x06, 0x90, 0xcd, 0x09,
					  0x89, 0x63, 0x93, 0x71, 0x71, 0x01, 0x63, 0xfe };
	struct tao_evidence_entry en = { .seq = 0, .type = 2, .name = (char *)"app" };
	struct tao_policy p;

	(void)state;
	parse_ok(POLICY_EVENTS("{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"}"), &p);
	en.digests.n = 1;
	en.digests.d[0].alg = 0x000b;
	en.digests.d[0].size = 32;
	memcpy(en.digests.d[0].bytes, app1, 32);
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_MATCH);
	en.digests.d[0].bytes[31] ^= 1;
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_DIGEST_OTHER);
	/* The same bytes in another bank are not the sha256 data digest. */
	memcpy(en.digests.d[0].bytes, app1, 32);
	en.digests.d[0].alg = 0x0012; /* sm3_256, 32 bytes too */
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_NO_DIGEST);
	en.digests.n = 2;
	en.digests.d[1].alg = 0x000b;
	en.digests.d[1].size = 32;
	memcpy(en.digests.d[1].bytes, app1, 32);
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_MATCH);
	en.name = (char *)"apps";
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_UNKNOWN);
	en.name = (char *)"boot-config";
	en.type = 1;
	en.digests.n = 0; /* no digest asked for: any data */
	assert_int_equal(tao_policy_match_entry(&p, &en), TAO_POLICY_MATCH);
	tao_policy_free(&p);
}

/* Capture with digests for some types, the JSON form, and the round trip. */
static void test_policy_capture_digests(void **state)
{
	struct fixture *f = *state;
	static const uint32_t types[] = { 2 };
	struct tao_policy p, q;
	struct json_object *j, *evs;
	const char *text;
	char err[256];

	assert_int_equal(tao_policy_capture_digests(&f->ev, types, 1, &p), 0);
	assert_int_equal(p.n_events, 4); /* tao, boot-config, and both versions of app */
	j = tao_policy_to_json(&p);
	assert_non_null(j);
	text = json_object_to_json_string(j);
	evs = json_object_object_get(j, "events");
	assert_null(json_object_object_get(json_object_array_get_idx(evs, 0), "digest"));
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_array_get_idx(evs, 2), "digest")),
			    APP1);
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_array_get_idx(evs, 3), "digest")),
			    APP2);
	assert_int_equal(tao_policy_parse(text, strlen(text), &q, err, sizeof(err)), 0);
	json_object_put(j);
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_PASS,
	       "all 4 log entries are allowed");
	q.events[3].digest[0] ^= 1;
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 3 (type 0x00000002, name \"app\"): its sha256 data digest " APP2
	       " is not an allowed one");
	tao_policy_free(&q);
	tao_policy_free(&p);

	/* A log without the sha256 bank has no digest to capture, nor to match. */
	parse_ok(POLICY_EVENTS("{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"}"), &q);
	f->ev.entries[2].digests.d[0].alg = 0x0012;
	assert_int_equal(tao_policy_capture_digests(&f->ev, types, 1, &p), -ENODATA);
	assert_int_equal(p.n_events, 0);
	expect(verify_at(f, &q, AT_VALID), TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
	       "log entry 2 (type 0x00000002, name \"app\") has no sha256 data digest, which "
	       "the policy requires");
	tao_policy_free(&q);
}

static void test_policy_parse_digests(void **state)
{
	static const struct {
		const char *events, *err;
	} bad[] = {
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "0\"}",
		  "policy.events[2].digest: not a sha256 digest (64 hex digits)" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "00\"}",
		  "policy.events[2].digest: not a sha256 digest" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"abcd\"}",
		  "policy.events[2].digest: not a sha256 digest" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"\"}",
		  "policy.events[2].digest: not a sha256 digest" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":"
		  "\"g6cc089b032fd167427dd1b4f4d6f7c2d97f23d00690cd0989639371710163fe\"}",
		  "policy.events[2].digest: not a sha256 digest" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":"
		  "\"96cc089b032fd167427dd1b4f4d6f7c2d97f23d00690cd0989639371710163\\u0000e\"}",
		  "" /* a NUL, refused by the strict JSON parser or here */ },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":"
		  "\" 6cc089b032fd167427dd1b4f4d6f7c2d97f23d00690cd0989639371710163fe\"}",
		  "policy.events[2].digest: not a sha256 digest" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":12}",
		  "policy.events[2].digest: not a string" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":null}",
		  "policy.events[2].digest: not a string" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\",\"data\":\"x\"}",
		  "policy.events[2]: unknown member \"data\"" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"},"
		  "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"}",
		  "policy.events[3]: the event appears twice with this digest (events[2])" },
		/* Case does not make another digest. */
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1 "\"},"
		  "{\"type\":2,\"name\":\"app\",\"digest\":"
		  "\"96CC089B032FD167427DD1B4F4D6F7C2D97F23D00690CD0989639371710163FE\"}",
		  "policy.events[3]: the event appears twice with this digest (events[2])" },
		{ "{\"type\":2,\"name\":\"app\"},{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1
		  "\"}",
		  "policy.events[3]: the event is listed both with and without a digest "
		  "(events[2])" },
		{ "{\"type\":2,\"name\":\"app\",\"digest\":\"" APP1
		  "\"},{\"type\":2,\"name\":\"app\"}",
		  "policy.events[3]: the event is listed both with and without a digest "
		  "(events[2])" },
		{ "{\"type\":2,\"name\":\"app\"},{\"type\":2,\"name\":\"app\"}",
		  "policy.events[3]: the event appears twice" },
	};
	struct tao_policy p;
	struct json_object *j;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		int rc;

		snprintf(text, sizeof(text), POLICY_EVENTS("%s"), bad[i].events);
		rc = tao_policy_parse(text, strlen(text), &p, err, sizeof(err));
		if (rc != -EBADMSG || !strstr(err, bad[i].err))
			fail_msg("policy %zu: %d \"%s\", expected \"%s\"", i, rc, err, bad[i].err);
		assert_int_equal(p.n_events, 0);
		assert_null(p.events);
	}

	/* Upper case in, lower case out; other (type, name)s are free to have or not. */
	parse_ok(POLICY_EVENTS(
			 "{\"type\":2,\"name\":\"app\",\"digest\":"
			 "\"96CC089B032FD167427DD1B4F4D6F7C2D97F23D00690CD0989639371710163FE\"},"
			 "{\"type\":3,\"name\":\"app\"},"
			 "{\"type\":2,\"name\":\"app2\",\"digest\":\"" APP1 "\"}"),
		 &p);
	assert_int_equal(p.n_events, 5);
	j = tao_policy_to_json(&p);
	assert_non_null(j);
	assert_non_null(strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
			       "\"digest\":\"" APP1 "\""));
	assert_null(strstr(json_object_to_json_string(j), "96CC"));
	json_object_put(j);
	tao_policy_free(&p);
}

static void test_cache(void **state)
{
	struct fixture *f = *state;
	struct tao_chain_cache *c = tao_chain_cache_new();
	struct tao_verify_opts o = { .trust = f->trust, .at = AT_VALID, .cache = c };

	assert_non_null(c);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
		assert_int_equal(f->v.status, TAO_STATUS_AFFIRMING);
		expect(&f->v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_PASS,
		       i ? "cached" : "to a trust anchor");
	}
	/* The cache never outlives a certificate. */
	o.at = (time_t)7258118400;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_FAIL, "expired");
	/* Another device's certificates are another entry. */
	o.at = AT_VALID;
	assert_int_equal(vec_blob(vec_dir(), "b-idevid.der", &f->ev.idevid_certs[0]), 0);
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_SAME_DEVICE, TAO_RESULT_FAIL, "TAO-B-0002");
	tao_chain_cache_free(c);
}

/* The registrar's session check: the evidence's TLS leaf must be the connection's certificate. */
static void test_session(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { .trust = f->trust, .at = AT_VALID };
	const struct tao_blob *leaf = &f->ev.idevid_certs[0];
	uint8_t *other = malloc(leaf->len);

	assert_non_null(other);
	o.peer_cert_der = leaf->bytes;
	o.peer_cert_len = leaf->len;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_SESSION, TAO_RESULT_PASS, "is this connection's");
	assert_int_equal(f->v.status, TAO_STATUS_AFFIRMING);

	/* Another certificate (one byte differs), and one of another length. */
	memcpy(other, leaf->bytes, leaf->len);
	other[leaf->len - 1] ^= 1;
	o.peer_cert_der = other;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_SESSION, TAO_RESULT_FAIL, "is not this connection's");
	o.peer_cert_der = leaf->bytes;
	o.peer_cert_len = leaf->len - 1;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_SESSION, TAO_RESULT_FAIL, "is not this connection's");
	free(other);
}

/* The TLS leaf's CAs are its own: the IAK never chains to them (an operator-issued IAK). */
static void test_tls_trust_separate(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { .trust = f->trust, .tls_trust = f->other, .at = AT_VALID };

	/* The TLS leaf checked against other CAs only: its chain fails, the IAK's passes. */
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_FAIL, "IDevID certificate chain");
	expect(&f->v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_PASS, "");
	/* The IAK's CAs are the other ones: the IAK fails even though tls_trust would pass it. */
	o.trust = f->other;
	o.tls_trust = f->trust;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_FAIL, "IAK certificate chain");
	expect(&f->v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_PASS, "");
	/* Both the manufacturer's: affirming. */
	o.trust = f->trust;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	assert_int_equal(f->v.status, TAO_STATUS_AFFIRMING);
}

/* The counters check against the last accepted quote of the device. */
static void test_counters(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { .trust = f->trust, .at = AT_VALID };
	struct tao_tpm_counters now, prev;

	now = verify(f)->counters;
	o.prev_counters = &prev;

	prev = now;
	prev.clock = now.clock - 1;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_PASS, "after the last attestation");

	prev = now; /* the same quote again */
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_FAIL, "replayed or stale");

	prev = now;
	prev.restart_count = now.restart_count + 1;
	prev.clock = 0;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_FAIL, "go back");

	prev = now;
	prev.reset_count = now.reset_count + 1;
	prev.restart_count = 0;
	prev.clock = 0;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_FAIL, "go back");

	/* A later reset with a lower clock is forward. */
	if (now.reset_count > 0) {
		prev.reset_count = now.reset_count - 1;
		prev.restart_count = UINT32_MAX;
		prev.clock = UINT64_MAX;
		assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
		expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_PASS, "");
	}

	/* Without an authentic quote there is nothing to compare. */
	f->ev.quote_signature.bytes[f->ev.quote_signature.len - 1] ^= 1;
	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), 0);
	expect(&f->v, TAO_CHECK_COUNTERS, TAO_RESULT_SKIP, "no authentic quote");
	assert_false(f->v.has_counters);
}

static void test_counters_rule(void **state)
{
	const struct tao_tpm_counters a = { 5, 3, 1000 };
	struct tao_tpm_counters b;

	(void)state;
	b = a;
	assert_true(tao_tpm_counters_backwards(&a, &b)); /* equal: the same quote */
	b.clock = 1001;
	assert_false(tao_tpm_counters_backwards(&a, &b));
	b = (struct tao_tpm_counters){ 5, 2, 99999 };
	assert_true(tao_tpm_counters_backwards(&a, &b));
	b = (struct tao_tpm_counters){ 5, 4, 0 };
	assert_false(tao_tpm_counters_backwards(&a, &b));
	b = (struct tao_tpm_counters){ 4, 9, 99999 };
	assert_true(tao_tpm_counters_backwards(&a, &b));
	b = (struct tao_tpm_counters){ 6, 0, 0 };
	assert_false(tao_tpm_counters_backwards(&a, &b));
}

static void test_verdict_json(void **state)
{
	struct fixture *f = *state;
	struct json_object *j = tao_verdict_to_json(verify(f)), *checks, *c, *r;

	assert_non_null(j);
	assert_string_equal(json_object_get_string(json_object_object_get(j, "status")),
			    "affirming");
	assert_true(json_object_object_get_ex(j, "checks", &checks));
	assert_int_equal(json_object_object_length(checks), TAO_CHECK_COUNT);
	assert_true(json_object_object_get_ex(checks, "quote", &c));
	assert_true(json_object_object_get_ex(c, "result", &r));
	assert_string_equal(json_object_get_string(r), "pass");
	json_object_put(j);
}

static void test_no_trust(void **state)
{
	struct fixture *f = *state;
	struct tao_verify_opts o = { 0 };

	assert_int_equal(tao_verify_evidence(&f->ev, f->ev.binder, &o, &f->v), -EINVAL);
	assert_int_equal(f->v.status, TAO_STATUS_NONE);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_honest),
		T(test_session),
		T(test_tls_trust_separate),
		T(test_counters),
		cmocka_unit_test(test_counters_rule),
		T(test_reloaded_is_warning),
		T(test_flip_quote),
		T(test_flip_certify),
		T(test_flip_certs),
		T(test_flip_values),
		T(test_wrong_binder),
		T(test_other_tpm),
		T(test_other_idevid),
		T(test_not_certified_key),
		T(test_duplicable_key),
		T(test_restricted_key),
		T(test_wrong_signer),
		T(test_magic_and_type),
		T(test_truncated_and_oversized),
		T(test_log_does_not_replay),
		T(test_untrusted_ca),
		T(test_expired),
		T(test_policy),
		cmocka_unit_test(test_policy_parse),
		T(test_policy_digests),
		cmocka_unit_test(test_policy_match),
		T(test_policy_capture_digests),
		cmocka_unit_test(test_policy_parse_digests),
		T(test_cache),
		T(test_verdict_json),
		T(test_no_trust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
