// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * attestbench: the device side of the attested session against a plain TLS 1.3 mutual-auth
 * request with the same TPM key to the same registrar, in one process and one run, alternating
 * (bench/run, in the VM: the module's quote, /dev/tpmrm0).
 *
 *   attestbench --registrar URL --ca FILE --state-dir DIR [--count N]
 *
 * Both use one ESAPI context, one netlink socket and the device identity loaded once for the
 * whole run, as a daemon would; each iteration is one new TLS connection. Prints key=value medians
 * in milliseconds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/tao.h>

#include "tao_client.h"
#include "tao_collect.h"
#include "tao_evidence.h"
#include "tao_nl.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"

struct ctx {
	struct tao_nl *nl;
	struct tao_esys *e;
	const char *state_dir;
	struct tao_identity *id;
	struct tao_collect_info info; /* of the last collection */
	double encode;
};

static int make(void *arg, const uint8_t binder[32], const struct tao_attest_params *params,
		char **text, char *err, size_t errlen)
{
	struct ctx *c = arg;
	struct tao_evidence ev = { 0 };
	int rc;

	rc = tao_evidence_collect_for(c->nl, c->e, c->id, binder, &params->pcrs, &ev, &c->info, err,
				      errlen);
	if (rc == 0) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		rc = tao_evidence_encode(&ev, text, err, errlen);
		clock_gettime(CLOCK_MONOTONIC, &b);
		c->encode =
			(double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	tao_evidence_free(&ev);
	return rc;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "registrar", required_argument, NULL, 'r' },
		{ "ca", required_argument, NULL, 'a' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct tao_client_opts o = { 0 };
	struct ctx c = { 0 };
	double *plain, *att, *hs_p, *hs_a, *ev_ms, *post, *par;
	double *c_setup, *c_quote, *c_log, *c_certify, *c_encode;
	char err[512], cert[4096];
	EVP_PKEY *key = NULL;
	int n = 20, ch;
	unsigned long signs0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			o.url = optarg;
			break;
		case 'a':
			o.ca_file = optarg;
			break;
		case 'd':
			c.state_dir = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!o.url || !o.ca_file || !c.state_dir || n < 1 || n > 100000) {
		fprintf(stderr, "usage: attestbench --registrar URL --ca FILE --state-dir DIR "
				"[--count N]\n");
		return 2;
	}
	snprintf(cert, sizeof(cert), "%s/idevid.pem", c.state_dir);
	o.cert_file = cert;
	if (tao_nl_open(&c.nl) < 0 || tao_esys_open(&c.e, err, sizeof(err)) < 0 ||
	    tao_identity_load(c.nl, c.state_dir, TAO_KEY_ROLE_IDEVID, &c.id, err, sizeof(err)) <
		    0 ||
	    tao_tls_key_load(c.e, c.id->tls_handle, &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "attestbench: %s\n", err);
		return 1;
	}
	o.key = key;
	plain = calloc((size_t)n, sizeof(double));
	att = calloc((size_t)n, sizeof(double));
	hs_p = calloc((size_t)n, sizeof(double));
	hs_a = calloc((size_t)n, sizeof(double));
	ev_ms = calloc((size_t)n, sizeof(double));
	post = calloc((size_t)n, sizeof(double));
	par = calloc((size_t)n, sizeof(double));
	c_setup = calloc((size_t)n, sizeof(double));
	c_quote = calloc((size_t)n, sizeof(double));
	c_log = calloc((size_t)n, sizeof(double));
	c_certify = calloc((size_t)n, sizeof(double));
	c_encode = calloc((size_t)n, sizeof(double));
	if (!plain || !att || !hs_p || !hs_a || !ev_ms || !post || !par || !c_setup || !c_quote ||
	    !c_log || !c_certify || !c_encode)
		return 1;
	signs0 = tao_tls_key_tpm_signs();
	/* Like a daemon: the params of the last session are expected again
	 * (tao_client_opts.expect). */
	struct tao_attest_params last = { 0 };
	int early = 0;

	/* One warm-up of each, then alternate. */
	for (int i = -1; i < n; i++) {
		struct tao_attest_outcome res = { 0 };
		struct tao_client_timing t = { 0 };
		char *body = NULL;
		long st = tao_client_get(&o, "/attest/v1/params", &body, &t, err, sizeof(err));

		free(body);
		if (st != 200) {
			fprintf(stderr, "attestbench: plain request: %ld %s\n", st, err);
			return 1;
		}
		if (i >= 0) {
			plain[i] = t.total;
			hs_p[i] = t.handshake;
		}
		if (tao_client_attest(&o, make, &c, &res, err, sizeof(err)) < 0 ||
		    res.status != TAO_STATUS_AFFIRMING) {
			fprintf(stderr, "attestbench: attested session: %s %s\n", err, res.reason);
			return 1;
		}
		last = res.params;
		o.expect = &last;
		early += i >= 0 && res.timing.early;
		if (i >= 0) {
			att[i] = res.timing.total;
			hs_a[i] = res.timing.handshake;
			par[i] = res.timing.params;
			ev_ms[i] = res.timing.evidence;
			post[i] = res.timing.post;
			c_setup[i] = c.info.setup;
			c_quote[i] = c.info.quote;
			c_log[i] = c.info.log;
			c_certify[i] = c.info.certify;
			c_encode[i] = c.encode;
		}
		tao_attest_outcome_free(&res);
	}
	printf("attest_rounds=%d\n", n);
	printf("attest_tpm_signs_per_connection=%.2f\n",
	       (double)(tao_tls_key_tpm_signs() - signs0) / (2.0 * (n + 1)));
	printf("plain_median_ms=%.3f\n", median(plain, n));
	printf("plain_handshake_median_ms=%.3f\n", median(hs_p, n));
	printf("attested_median_ms=%.3f\n", median(att, n));
	printf("attested_handshake_median_ms=%.3f\n", median(hs_a, n));
	printf("attested_params_median_ms=%.3f\n", median(par, n));
	printf("attested_evidence_median_ms=%.3f\n", median(ev_ms, n));
	printf("attested_post_median_ms=%.3f\n", median(post, n));
	printf("evidence_setup_median_ms=%.3f\n", median(c_setup, n));
	printf("evidence_quote_median_ms=%.3f\n", median(c_quote, n));
	printf("evidence_log_median_ms=%.3f\n", median(c_log, n));
	printf("evidence_certify_median_ms=%.3f\n", median(c_certify, n));
	printf("evidence_encode_median_ms=%.3f\n", median(c_encode, n));
	printf("attested_over_plain=%.2f\n", median(att, n) / median(plain, n));
	printf("attested_early_evidence=%d of %d\n", early, n);
	EVP_PKEY_free(key);
	tao_esys_close(c.e);
	tao_nl_close(c.nl);
	tao_identity_free(c.id);
	free(plain);
	free(att);
	free(hs_p);
	free(hs_a);
	free(ev_ms);
	free(post);
	free(par);
	free(c_setup);
	free(c_quote);
	free(c_log);
	free(c_certify);
	free(c_encode);
	return 0;
}
