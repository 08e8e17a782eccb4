/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Host tests of the simulated device (tests/devsim/devsim.h) on two private swtpms: its evidence
 * decodes and libtao's verifier affirms it; another binder, a PCR that moved against a captured
 * policy and another device's binder are contraindicated; two devices in one process.
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

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "tao_client.h"
#include "tao_evidence.h"
#include "tao_pcr_sel.h"
#include "tao_policy.h"
#include "tao_tpm_esys.h"
#include "tao_verifier.h"

#include "devsim.h"
#include "swtpm.h"

static struct swtpm tpm_a, tpm_b;
static char ca_dir[96], dir_a[96], dir_b[96], ca_pem[128];
static X509_STORE *trust;

/*
 * swtpm_start(), again when swtpm could not bind its ports (taken between the fixture's choice
 * and swtpm's bind, by the short TCTI connections of tests running in parallel). The swtpm
 * that exited is this process's child, reaped by swtpm_stop().
 */
static int start_tpm(struct swtpm *t, const char *prefix)
{
	for (int tries = 0; tries < 5; tries++) {
		memset(t, 0, sizeof(*t));
		if (swtpm_start(t, prefix) == 0)
			return 0;
		swtpm_stop(t);
	}
	return -1;
}

static int setup(void **state)
{
	char err[256], tmp[64] = "/tmp/tao-devsim-XXXXXX";

	(void)state;
	if (start_tpm(&tpm_a, "tao-devsim-a") || start_tpm(&tpm_b, "tao-devsim-b"))
		return -1;
	if (!mkdtemp(tmp))
		return -1;
	snprintf(ca_dir, sizeof(ca_dir), "%s/ca", tmp);
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", ca_dir);
	snprintf(dir_a, sizeof(dir_a), "%s/a", tmp);
	snprintf(dir_b, sizeof(dir_b), "%s/b", tmp);
	/* Device A now, the CA with it; device B in its own test. */
	if (devsim_provision(tpm_a.tcti, ca_dir, "SIM-A", dir_a, err, sizeof(err)) < 0 ||
	    tao_trust_load(ca_pem, &trust, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int rc = 0;

	(void)state;
	X509_STORE_free(trust);
	rc |= swtpm_stop(&tpm_a);
	rc |= swtpm_stop(&tpm_b);
	/* ca_dir is TMP/ca: remove TMP. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(ca_dir) - 3), ca_dir);
	rc |= system(cmd);
	return rc ? -1 : 0;
}

static void parse_sel(const char *text, struct tao_pcr_selection *sel)
{
	char err[256];

	assert_int_equal(tao_pcr_selection_parse(text, sel, err, sizeof(err)), 0);
}

static struct devsim *open_dev(const struct swtpm *t, const char *dir)
{
	struct devsim *d = NULL;
	char err[256];

	assert_int_equal(devsim_open(t->tcti, dir, &d, err, sizeof(err)), 0);
	return d;
}

/* Evidence of d for binder over sel, decoded into a malloc()ed struct. */
static struct tao_evidence *evidence(struct devsim *d, const uint8_t binder[32], const char *sel)
{
	struct tao_evidence *ev = calloc(1, sizeof(*ev));
	struct tao_pcr_selection s;
	char err[256], *text = NULL;
	int rc;

	assert_non_null(ev);
	parse_sel(sel, &s);
	rc = devsim_evidence(d, binder, &s, &text, err, sizeof(err));
	if (rc)
		fprintf(stderr, "devsim_evidence: %s\n", err);
	assert_int_equal(rc, 0);
	rc = tao_evidence_decode(text, strlen(text), ev, err, sizeof(err));
	if (rc)
		fprintf(stderr, "tao_evidence_decode: %s\n", err);
	assert_int_equal(rc, 0);
	free(text);
	return ev;
}

static void evidence_free(struct tao_evidence *ev)
{
	tao_evidence_free(ev);
	free(ev);
}

static void verify(const struct tao_evidence *ev, const uint8_t binder[32],
		   const struct tao_policy *policy, struct tao_verdict *v)
{
	struct tao_verify_opts opts = { .trust = trust, .policy = policy };

	assert_int_equal(tao_verify_evidence(ev, binder, &opts, v), 0);
}

static void random_binder(uint8_t binder[32])
{
	assert_int_equal(RAND_bytes(binder, 32), 1);
}

static void assert_check(const struct tao_verdict *v, enum tao_check_id id,
			 enum tao_check_result want)
{
	if (v->checks[id].result != want)
		fprintf(stderr, "%s: %s (%s)\n", tao_check_name(id),
			tao_check_result_name(v->checks[id].result), v->checks[id].reason);
	assert_int_equal(v->checks[id].result, want);
}

static void test_affirming(void **state)
{
	struct devsim *d = open_dev(&tpm_a, dir_a);
	struct tao_evidence *ev;
	struct tao_verdict v;
	uint8_t binder[32];

	(void)state;
	assert_string_equal(devsim_serial(d), "SIM-A");
	random_binder(binder);
	ev = evidence(d, binder, "sha256:0-7,13");
	assert_memory_equal(ev->binder, binder, 32);
	assert_int_equal(ev->log_pcr, 13);
	assert_int_equal(ev->n_entries, 0);
	assert_int_equal(ev->log_pcr_at_load.n, 1);
	assert_int_equal(ev->log_pcr_at_load.d[0].alg, 0x000b);
	assert_int_equal(ev->pcrs.n, 9);
	assert_int_equal(ev->n_iak_certs, 1);
	assert_int_equal(ev->n_idevid_certs, 1);
	verify(ev, binder, NULL, &v);
	if (v.status != TAO_STATUS_AFFIRMING)
		fprintf(stderr, "%s\n", v.reason);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	assert_string_equal(v.device_serial, "SIM-A");
	assert_check(&v, TAO_CHECK_LOG_REPLAY, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_LOG_ORIGIN, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_CLOCK, TAO_RESULT_PASS);
	evidence_free(ev);

	/* Several banks: the empty log starts from zeros in each bank that quotes PCR 13. */
	ev = evidence(d, binder, "sha1:13+sha256:0,13+sha384:13");
	assert_int_equal(ev->log_pcr_at_load.n, 3);
	verify(ev, binder, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	evidence_free(ev);
	devsim_close(d);
}

static void test_provision_again(void **state)
{
	struct devsim *d;
	struct tao_evidence *ev1, *ev2;
	uint8_t binder[32];
	char err[256];

	(void)state;
	random_binder(binder);
	d = open_dev(&tpm_a, dir_a);
	ev1 = evidence(d, binder, "sha256:13");
	devsim_close(d);
	/* The keys are there: kept (primaries would come back the same anyway), new certificates.
	 */
	assert_int_equal(devsim_provision(tpm_a.tcti, ca_dir, "SIM-A", dir_a, err, sizeof(err)), 0);
	d = open_dev(&tpm_a, dir_a);
	ev2 = evidence(d, binder, "sha256:13");
	assert_int_equal(ev1->tls_key_public.len, ev2->tls_key_public.len);
	assert_memory_equal(ev1->tls_key_public.bytes, ev2->tls_key_public.bytes,
			    ev1->tls_key_public.len);
	assert_false(ev1->iak_certs[0].len == ev2->iak_certs[0].len &&
		     memcmp(ev1->iak_certs[0].bytes, ev2->iak_certs[0].bytes,
			    ev1->iak_certs[0].len) == 0);
	evidence_free(ev1);
	evidence_free(ev2);
	devsim_close(d);
}

static void test_other_binder(void **state)
{
	struct devsim *d = open_dev(&tpm_a, dir_a);
	struct tao_evidence *ev;
	struct tao_verdict v;
	uint8_t binder[32], other[32];

	(void)state;
	random_binder(binder);
	memcpy(other, binder, 32);
	other[31] ^= 1;
	ev = evidence(d, binder, "sha256:0-7,13");
	verify(ev, other, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_CONTRAINDICATED);
	assert_check(&v, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL);
	assert_non_null(strstr(v.checks[TAO_CHECK_CERTIFY].reason, "extraData"));
	assert_check(&v, TAO_CHECK_QUOTE, TAO_RESULT_FAIL);
	assert_non_null(strstr(v.checks[TAO_CHECK_QUOTE].reason, "extraData"));
	/* Everything else about the device holds. */
	assert_check(&v, TAO_CHECK_IAK_CHAIN, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_SAME_DEVICE, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_TLS_KEY, TAO_RESULT_PASS);
	evidence_free(ev);
	devsim_close(d);
}

static void test_policy(void **state)
{
	struct devsim *d = open_dev(&tpm_a, dir_a);
	struct tao_evidence *ev;
	struct tao_policy policy = { 0 };
	struct tao_verdict v;
	uint8_t binder[32], digest[32];
	char err[256];

	(void)state;
	random_binder(binder);
	ev = evidence(d, binder, "sha256:0-7,13");
	assert_int_equal(tao_policy_capture(ev, &policy), 0);
	assert_int_equal(policy.pcrs.n, 8); /* not the log PCR */
	assert_int_equal(policy.n_events, 0);
	verify(ev, binder, &policy, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	assert_check(&v, TAO_CHECK_POLICY_PCRS, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_PASS);
	evidence_free(ev);

	/* Something measured into PCR 0 since: genuine evidence, but not the known-good state. */
	memset(digest, 0x42, sizeof(digest));
	assert_int_equal(tao_esys_pcr_extend_sha256(devsim_esys(d), 0, digest, err, sizeof(err)),
			 0);
	random_binder(binder);
	ev = evidence(d, binder, "sha256:0-7,13");
	verify(ev, binder, &policy, &v);
	assert_int_equal(v.status, TAO_STATUS_CONTRAINDICATED);
	assert_check(&v, TAO_CHECK_POLICY_PCRS, TAO_RESULT_FAIL);
	assert_non_null(strstr(v.checks[TAO_CHECK_POLICY_PCRS].reason, "PCR 0"));
	assert_check(&v, TAO_CHECK_QUOTE, TAO_RESULT_PASS);
	assert_check(&v, TAO_CHECK_LOG_REPLAY, TAO_RESULT_PASS);
	assert_non_null(strstr(v.reason, "policy_pcrs"));
	/* Without the policy it is affirming: only the policy knows what PCR 0 should be. */
	verify(ev, binder, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	evidence_free(ev);
	tao_policy_free(&policy);
	devsim_close(d);
}

static void test_two_devices(void **state)
{
	struct devsim *a, *b;
	struct tao_evidence *ev_a, *ev_b;
	struct tao_verdict v;
	uint8_t binder_a[32], binder_b[32];
	char err[256];

	(void)state;
	assert_int_equal(devsim_provision(tpm_b.tcti, ca_dir, "SIM-B", dir_b, err, sizeof(err)), 0);
	/* Both open at once in one process, each on its own TPM. */
	a = open_dev(&tpm_a, dir_a);
	b = open_dev(&tpm_b, dir_b);
	assert_string_equal(devsim_serial(b), "SIM-B");
	random_binder(binder_a);
	random_binder(binder_b);
	ev_a = evidence(a, binder_a, "sha256:0-7,13");
	ev_b = evidence(b, binder_b, "sha256:0-7,13");
	/* Two TPMs, two endorsement seeds: two different keys. */
	assert_false(ev_a->tls_key_public.len == ev_b->tls_key_public.len &&
		     memcmp(ev_a->tls_key_public.bytes, ev_b->tls_key_public.bytes,
			    ev_a->tls_key_public.len) == 0);
	verify(ev_a, binder_a, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	assert_string_equal(v.device_serial, "SIM-A");
	verify(ev_b, binder_b, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	assert_string_equal(v.device_serial, "SIM-B");
	/* A's evidence in B's session: A's certificates say A, but the binder is B's session's. */
	verify(ev_a, binder_b, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_CONTRAINDICATED);
	assert_string_equal(v.device_serial, "SIM-A");
	assert_check(&v, TAO_CHECK_QUOTE, TAO_RESULT_FAIL);
	assert_check(&v, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL);
	evidence_free(ev_a);
	evidence_free(ev_b);
	devsim_close(a);
	devsim_close(b);
}

static void test_evidence_fn(void **state)
{
	struct devsim *d = open_dev(&tpm_b, dir_b);
	struct tao_attest_params params = { .evidence_version = TAO_EVIDENCE_VERSION };
	struct tao_evidence ev;
	struct tao_verdict v;
	tao_evidence_fn make = devsim_evidence_fn;
	uint8_t binder[32];
	char err[256], *text = NULL;

	(void)state;
	random_binder(binder);
	parse_sel("sha256:0-7,13", &params.pcrs);
	assert_int_equal(make(d, binder, &params, &text, err, sizeof(err)), 0);
	assert_int_equal(tao_evidence_decode(text, strlen(text), &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.pcrs.n, 9);
	verify(&ev, binder, NULL, &v);
	assert_int_equal(v.status, TAO_STATUS_AFFIRMING);
	assert_string_equal(v.device_serial, "SIM-B");
	tao_evidence_free(&ev);
	free(text);
	text = NULL;
	params.evidence_version = 2;
	assert_int_equal(make(d, binder, &params, &text, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_null(text);
	devsim_close(d);
}

static void test_errors(void **state)
{
	struct devsim *d = NULL;
	struct tao_pcr_selection sel;
	uint8_t binder[32] = { 0 };
	char err[256], *text = NULL;

	(void)state;
	/* Not provisioned: no certificates there. */
	assert_int_equal(devsim_open(tpm_a.tcti, ca_dir, &d, err, sizeof(err)), -ENOENT);
	assert_null(d);
	/* A's certificates on B's TPM: not its keys. */
	assert_int_equal(devsim_open(tpm_b.tcti, dir_a, &d, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "not the certificate of the key in the TPM"));
	/* No TPM there. */
	assert_int_equal(devsim_open("swtpm:host=127.0.0.1,port=1", dir_a, &d, err, sizeof(err)),
			 -ENODEV);
	assert_int_equal(devsim_provision("swtpm:host=127.0.0.1,port=1", ca_dir, "SIM-C", dir_b,
					  err, sizeof(err)),
			 -ENODEV);
	assert_int_equal(
		devsim_provision(tpm_b.tcti, ca_dir, "bad\nserial", dir_b, err, sizeof(err)),
		-EINVAL);
	/* A selection the TPM cannot quote. */
	d = open_dev(&tpm_a, dir_a);
	parse_sel("sha256:13", &sel);
	sel.banks[0].mask |= 1u << 24;
	assert_true(devsim_evidence(d, binder, &sel, &text, err, sizeof(err)) < 0);
	assert_null(text);
	devsim_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_affirming),    cmocka_unit_test(test_provision_again),
		cmocka_unit_test(test_other_binder), cmocka_unit_test(test_policy),
		cmocka_unit_test(test_two_devices),  cmocka_unit_test(test_evidence_fn),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("tao devsim (two swtpms)", tests, setup, teardown);
}
