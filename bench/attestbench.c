// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * attestbench: the device side of the attested session against a plain TLS 1.3 mutual-auth
 * request with the same TPM key to the same registrar, in one process and one run, alternating
 * (bench/run, in the VM: the module's quote, /dev/tpmrm0).
 *
 *   attestbench --registrar URL --ca FILE --state-dir DIR [--count N]
 *
 * Both use one ESAPI context and one netlink socket for the whole run, as a daemon would; each
 * iteration is one new TLS connection. Prints key=value medians in milliseconds.
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
};

static int make(void *arg, const uint8_t binder[32], const struct tao_attest_params *params,
		char **text, char *err, size_t errlen)
{
	struct ctx *c = arg;
	struct tao_collect_opts o = { .state_dir = c->state_dir,
				      .tls_role = TAO_KEY_ROLE_IDEVID,
				      .pcrs = &params->pcrs };
	struct tao_evidence ev = { 0 };
	int rc;

	memcpy(o.binder, binder, 32);
	rc = tao_evidence_collect(c->nl, c->e, &o, &ev, NULL, err, errlen);
	if (rc == 0)
		rc = tao_evidence_encode(&ev, text, err, errlen);
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
	struct tao_tpm_public *pub = malloc(sizeof(*pub));
	struct ctx c = { 0 };
	double *plain, *att, *hs_p, *hs_a, *ev_ms, *post, *par;
	char err[512], cert[4096];
	uint32_t handle;
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
	if (!o.url || !o.ca_file || !c.state_dir || n < 1 || n > 100000 || !pub) {
		fprintf(stderr, "usage: attestbench --registrar URL --ca FILE --state-dir DIR "
				"[--count N]\n");
		return 2;
	}
	snprintf(cert, sizeof(cert), "%s/idevid.pem", c.state_dir);
	o.cert_file = cert;
	if (tao_nl_open(&c.nl) < 0 || tao_esys_open(&c.e, err, sizeof(err)) < 0 ||
	    tao_collect_bound_key(c.nl, TAO_KEY_ROLE_IDEVID, &handle, pub, err, sizeof(err)) < 0 ||
	    tao_tls_key_load(c.e, handle, &key, err, sizeof(err)) < 0) {
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
	if (!plain || !att || !hs_p || !hs_a || !ev_ms || !post || !par)
		return 1;
	signs0 = tao_tls_key_tpm_signs();
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
		if (i >= 0) {
			att[i] = res.timing.total;
			hs_a[i] = res.timing.handshake;
			par[i] = res.timing.params;
			ev_ms[i] = res.timing.evidence;
			post[i] = res.timing.post;
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
	printf("attested_over_plain=%.2f\n", median(att, n) / median(plain, n));
	EVP_PKEY_free(key);
	tao_esys_close(c.e);
	tao_nl_close(c.nl);
	free(pub);
	free(plain);
	free(att);
	free(hs_p);
	free(hs_a);
	free(ev_ms);
	free(post);
	free(par);
	return 0;
}
