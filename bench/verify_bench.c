// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * verify_bench [SECONDS] (default 7, in interleaved rounds): evidence verifications per second on
 * one core, against a baseline of the bare OpenSSL signature verifications the checks must do (the
 * quote's and the certification's ECDSA P-256 signatures with a ready key), in the same run. Uses
 * the swtpm evidence of tests/unit/vectors/evidence. Prints key=value lines (docs/benchmarks.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "tao_attest.h"
#include "tao_evidence.h"
#include "tao_verifier.h"

/*
 * The thread's CPU time, not the wall clock: "per core" is what is asked, and other load on the
 * machine (a VM test next door) then slows every kind alike instead of whichever runs at the time.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(TAO_EVIDENCE_MAX_BYTES + 1);

	if (!f || !buf) {
		perror(path);
		exit(1);
	}
	*len = fread(buf, 1, TAO_EVIDENCE_MAX_BYTES, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* TPMT_SIGNATURE (ECDSA) as the DER signature OpenSSL verifies. */
static unsigned char *der_sig(const struct tao_blob *b, int *len)
{
	struct tao_signature s;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	char err[256];

	if (tao_signature_parse(b->bytes, b->len, &s, err, sizeof(err)) < 0 || !sig ||
	    !ECDSA_SIG_set0(sig, BN_bin2bn(s.r, (int)s.r_len, NULL),
			    BN_bin2bn(s.s, (int)s.s_len, NULL))) {
		fprintf(stderr, "signature: %s\n", err);
		exit(1);
	}
	*len = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	return der;
}

/* SHA-256 fetched once: OpenSSL 3 would otherwise fetch it again for every verification. */
static EVP_MD *sha256;

static int bare_verify(EVP_PKEY *key, const struct tao_blob *msg, const unsigned char *sig,
		       int sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, sha256, NULL, key) == 1 &&
		 EVP_DigestVerify(ctx, sig, (size_t)sig_len, msg->bytes, msg->len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

struct ctx {
	struct tao_evidence ev;
	X509_STORE *trust;
	struct tao_chain_cache *cache;
	const char *text;
	size_t len;
	EVP_PKEY *iak;
	unsigned char *qs, *cs;
	int ql, cl;
};

enum kind { BASELINE, CACHED, DECODE_CACHED, UNCACHED, KINDS };

static const char *const names[KINDS] = { "baseline_two_signatures", "verify_cached",
					  "decode_verify_cached", "verify_uncached" };

/* One operation of kind k; 0 or -1. */
static int op(struct ctx *c, enum kind k)
{
	struct tao_verify_opts o = { .trust = c->trust, .at = 1893456000, .cache = c->cache };
	struct tao_verdict v;
	struct tao_evidence e2;
	char err[256];
	int rc;

	switch (k) {
	case BASELINE:
		return bare_verify(c->iak, &c->ev.quote_attest, c->qs, c->ql) &&
				       bare_verify(c->iak, &c->ev.certify_attest, c->cs, c->cl)
			       ? 0
			       : -1;
	case CACHED:
		return tao_verify_evidence(&c->ev, c->ev.binder, &o, &v) == 0 &&
				       v.status == TAO_STATUS_AFFIRMING
			       ? 0
			       : -1;
	case DECODE_CACHED:
		if (tao_evidence_decode(c->text, c->len, &e2, err, sizeof(err)) < 0)
			return -1;
		rc = tao_verify_evidence(&e2, e2.binder, &o, &v) == 0 &&
				     v.status == TAO_STATUS_AFFIRMING
			     ? 0
			     : -1;
		tao_evidence_free(&e2);
		return rc;
	default:
		o.cache = NULL;
		return tao_verify_evidence(&c->ev, c->ev.binder, &o, &v) == 0 &&
				       v.status == TAO_STATUS_AFFIRMING
			       ? 0
			       : -1;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define ROUNDS 7

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 7.0, us[KINDS][ROUNDS];
	struct ctx c = { .cache = tao_chain_cache_new() };
	char err[256], *text;
	const unsigned char *p;
	X509 *x;

	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	text = slurp(VECTORS "/a.evidence.json", &c.len);
	c.text = text;
	if (tao_trust_load(VECTORS "/ca.pem", &c.trust, err, sizeof(err)) < 0 ||
	    tao_evidence_decode(text, c.len, &c.ev, err, sizeof(err)) < 0 || !c.cache) {
		fprintf(stderr, "verify_bench: %s\n", err);
		return 1;
	}
	p = c.ev.iak_certs[0].bytes;
	x = d2i_X509(NULL, &p, (long)c.ev.iak_certs[0].len);
	c.iak = X509_get_pubkey(x);
	X509_free(x);
	c.qs = der_sig(&c.ev.quote_signature, &c.ql);
	c.cs = der_sig(&c.ev.certify_signature, &c.cl);

	/* Interleaved rounds, so that a noisy neighbour hits every kind alike; medians reported. */
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < KINDS; k++) {
			double t0 = now(), t;
			long n;

			for (n = 0; (t = now() - t0) < secs / ROUNDS / KINDS; n++)
				if (op(&c, k) < 0) {
					fprintf(stderr, "verify_bench: %s failed\n", names[k]);
					return 1;
				}
			us[k][r] = t / (double)n * 1e6;
		}
	for (int k = 0; k < KINDS; k++) {
		qsort(us[k], ROUNDS, sizeof(double), cmp);
		printf("%s_us=%.1f\n%s_per_s=%.0f\n", names[k], us[k][ROUNDS / 2], names[k],
		       1e6 / us[k][ROUNDS / 2]);
	}
	printf("verify_cached_vs_baseline=%.2f\n",
	       us[CACHED][ROUNDS / 2] / us[BASELINE][ROUNDS / 2]);
	printf("decode_verify_cached_vs_baseline=%.2f\n",
	       us[DECODE_CACHED][ROUNDS / 2] / us[BASELINE][ROUNDS / 2]);
	OPENSSL_free(c.qs);
	OPENSSL_free(c.cs);
	EVP_PKEY_free(c.iak);
	tao_evidence_free(&c.ev);
	X509_STORE_free(c.trust);
	tao_chain_cache_free(c.cache);
	EVP_MD_free(sha256);
	free(text);
	return 0;
}
