/* taobench: the module's TPM paths against tpm2-tss ESAPI on /dev/tpmrm0, in
 * the same boot and on the same TPM, and the cost of LOG_GET. Runs in the VM
 * (bench/run); prints "key=value" lines. Method: docs/benchmarks.md.
 *
 *   taobench pcr-read N          PCR_READ sha256:0-7, module vs Esys_PCR_Read
 *   taobench quote N HANDLE      QUOTE of sha256:13 by the key at HANDLE (bound
 *                                as IAK), module vs ESAPI
 *   taobench log-get RUNS        times LOG_GET dumps of the whole log; reports
 *                                kernel memory per entry beyond its payload
 *   taobench certify N OBJ SIGNER   TPM2_Certify of OBJ by SIGNER and TPM2_ReadPublic of
 *                                OBJ through ESAPI, each timed alone: the TPM commands
 *                                `taoctl evidence` adds to the module's QUOTE */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "../tests/vm/nltest.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int n)
{
	double sum = 0;

	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	for (int i = 0; i < n; i++)
		sum += t[i];
	printf("%s_median_ms=%.3f %s_mean_ms=%.3f %s_p90_ms=%.3f\n", name, t[n / 2] * 1e3, name,
	       sum / n * 1e3, name, t[n * 9 / 10] * 1e3);
}

static ESYS_CONTEXT *esys_open(void)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *ctx = NULL;

	if (Tss2_TctiLdr_Initialize("device:/dev/tpmrm0", &tcti) != TSS2_RC_SUCCESS ||
	    Esys_Initialize(&ctx, tcti, NULL) != TSS2_RC_SUCCESS) {
		fprintf(stderr, "taobench: cannot open ESAPI on /dev/tpmrm0\n");
		exit(2);
	}
	return ctx;
}

static void put_sel(struct nl_msg *msg, uint32_t mask)
{
	struct nlattr *all = nla_nest_start(msg, TAO_A_PCR_SELECTION);
	struct nlattr *one = nla_nest_start(msg, TAO_A_PCR_SELECTION_ENTRY);

	nla_put_u16(msg, TAO_A_PCR_ALG, TPM2_ALG_SHA256);
	nla_put_u32(msg, TAO_A_PCR_MASK, mask);
	nla_nest_end(msg, one);
	nla_nest_end(msg, all);
}

static TPML_PCR_SELECTION esys_sel(uint32_t mask)
{
	TPML_PCR_SELECTION s = { .count = 1 };

	s.pcrSelections[0].hash = TPM2_ALG_SHA256;
	s.pcrSelections[0].sizeofSelect = 3;
	s.pcrSelections[0].pcrSelect[0] = mask & 0xff;
	s.pcrSelections[0].pcrSelect[1] = (mask >> 8) & 0xff;
	s.pcrSelections[0].pcrSelect[2] = (mask >> 16) & 0xff;
	return s;
}

static int bench_pcr_read(struct nl_sock *sk, int n)
{
	ESYS_CONTEXT *ctx = esys_open();
	TPML_PCR_SELECTION sel = esys_sel(0xff);
	double *tm = calloc((size_t)n, sizeof(double)), *te = calloc((size_t)n, sizeof(double));

	/* Alternate the two paths so drift in the emulator hits both alike. */
	for (int i = 0; i < n; i++) {
		struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_PCR_READ);
		TPML_PCR_SELECTION *out_sel = NULL;
		TPML_DIGEST *values = NULL;
		UINT32 counter;
		double t0;

		put_sel(msg, 0xff);
		t0 = now();
		if (nlt_transact(sk, msg, NULL, NULL).error)
			return 1;
		tm[i] = now() - t0;

		t0 = now();
		if (Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter,
				  &out_sel, &values) != TSS2_RC_SUCCESS)
			return 1;
		te[i] = now() - t0;
		Esys_Free(out_sel);
		Esys_Free(values);
	}
	printf("op=pcr_read selection=sha256:0-7 n=%d\n", n);
	report("module", tm, n);
	report("esys", te, n);
	printf("ratio_median=%.3f\n", tm[n / 2] / te[n / 2]);
	Esys_Finalize(&ctx);
	return 0;
}

static int bench_quote(struct nl_sock *sk, int n, uint32_t handle)
{
	ESYS_CONTEXT *ctx = esys_open();
	TPML_PCR_SELECTION sel = esys_sel(1u << 13);
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_DATA nonce = { .size = 32 };
	ESYS_TR key;
	double *tm = calloc((size_t)n, sizeof(double)), *te = calloc((size_t)n, sizeof(double));
	double *tf = calloc((size_t)n, sizeof(double));

	if (Esys_TR_FromTPMPublic(ctx, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &key) !=
	    TSS2_RC_SUCCESS) {
		fprintf(stderr, "taobench: no key at 0x%08x\n", handle);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_QUOTE);
		TPM2B_ATTEST *quoted = NULL;
		TPMT_SIGNATURE *sig = NULL;
		TPM2B_PUBLIC *pub = NULL;
		TPM2B_NAME *name = NULL, *qname = NULL;
		TPML_PCR_SELECTION *out_sel = NULL;
		TPML_DIGEST *values = NULL;
		UINT32 counter;
		double t0;

		memset(nonce.buffer, i, 32);
		nla_put(msg, TAO_A_QUOTE_NONCE, 32, nonce.buffer);
		put_sel(msg, 1u << 13);
		t0 = now();
		if (nlt_transact(sk, msg, NULL, NULL).error)
			return 1;
		tm[i] = now() - t0;

		/* The quote alone. */
		t0 = now();
		if (Esys_Quote(ctx, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &nonce,
			       &scheme, &sel, &quoted, &sig) != TSS2_RC_SUCCESS)
			return 1;
		te[i] = now() - t0;
		Esys_Free(quoted);
		Esys_Free(sig);

		/* What the module does: check the key's Name, read the values, quote. */
		t0 = now();
		if (Esys_ReadPublic(ctx, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name,
				    &qname) != TSS2_RC_SUCCESS ||
		    Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter,
				  &out_sel, &values) != TSS2_RC_SUCCESS ||
		    Esys_Quote(ctx, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &nonce,
			       &scheme, &sel, &quoted, &sig) != TSS2_RC_SUCCESS)
			return 1;
		tf[i] = now() - t0;
		Esys_Free(pub);
		Esys_Free(name);
		Esys_Free(qname);
		Esys_Free(out_sel);
		Esys_Free(values);
		Esys_Free(quoted);
		Esys_Free(sig);
	}
	printf("op=quote selection=sha256:13 n=%d key=0x%08x\n", n, handle);
	report("module", tm, n);
	report("esys_quote", te, n);
	report("esys_equivalent", tf, n);
	printf("ratio_median_vs_equivalent=%.3f ratio_median_vs_quote_only=%.3f\n",
	       tm[n / 2] / tf[n / 2], tm[n / 2] / te[n / 2]);
	Esys_Finalize(&ctx);
	return 0;
}

static int bench_certify(int n, uint32_t object, uint32_t signer)
{
	ESYS_CONTEXT *ctx = esys_open();
	ESYS_TR obj, sig;
	TPM2B_DATA qual = { .size = 32 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	double *tc = calloc((size_t)n, sizeof(double)), *tr = calloc((size_t)n, sizeof(double));

	if (Esys_TR_FromTPMPublic(ctx, object, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &obj) ||
	    Esys_TR_FromTPMPublic(ctx, signer, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sig)) {
		fprintf(stderr, "taobench: no key at 0x%08x or 0x%08x\n", object, signer);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		TPM2B_ATTEST *att = NULL;
		TPMT_SIGNATURE *s = NULL;
		TPM2B_PUBLIC *pub = NULL;
		TPM2B_NAME *name = NULL, *qname = NULL;
		double t0 = now();

		if (Esys_Certify(ctx, obj, sig, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 &qual, &scheme, &att, &s) != TSS2_RC_SUCCESS)
			return 1;
		tc[i] = now() - t0;
		t0 = now();
		if (Esys_ReadPublic(ctx, obj, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name,
				    &qname) != TSS2_RC_SUCCESS)
			return 1;
		tr[i] = now() - t0;
		Esys_Free(att);
		Esys_Free(s);
		Esys_Free(pub);
		Esys_Free(name);
		Esys_Free(qname);
	}
	printf("op=certify n=%d object=0x%08x signer=0x%08x\n", n, object, signer);
	report("esys_certify", tc, n);
	report("esys_read_public", tr, n);
	free(tc);
	free(tr);
	Esys_Finalize(&ctx);
	return 0;
}

struct tally {
	long entries;
	long payload; /* digests + name (with NUL) + data */
};

static void on_entry(struct nlattr **tb, void *arg)
{
	struct tally *t = arg;
	struct nlattr *e, *f;
	int rem, rem2;

	t->entries++;
	if (tb[TAO_A_EVENT_NAME])
		t->payload += nla_len(tb[TAO_A_EVENT_NAME]);
	if (tb[TAO_A_EVENT_DATA])
		t->payload += nla_len(tb[TAO_A_EVENT_DATA]);
	if (tb[TAO_A_EVENT_DIGESTS])
		nla_for_each_nested (e, tb[TAO_A_EVENT_DIGESTS], rem)
			nla_for_each_nested (f, e, rem2)
				if (nla_type(f) == TAO_A_DIGEST_VALUE)
					t->payload += nla_len(f);
}

static void on_info(struct nlattr **tb, void *arg)
{
	if (tb[TAO_A_LOG_BYTES])
		*(uint64_t *)arg = nla_get_u64(tb[TAO_A_LOG_BYTES]);
}

static int bench_log_get(struct nl_sock *sk, int runs)
{
	double *t = calloc((size_t)runs, sizeof(double));
	struct tally tl = { 0 };
	uint64_t bytes = 0;

	for (int i = 0; i < runs; i++) {
		double t0 = now();

		memset(&tl, 0, sizeof(tl));
		if (nlt_transact(sk, nlt_request(NLM_F_DUMP, TAO_CMD_LOG_GET), on_entry, &tl).error)
			return 1;
		t[i] = now() - t0;
	}
	nlt_transact(sk, nlt_request(NLM_F_ACK, TAO_CMD_GET_INFO), on_info, &bytes);
	printf("op=log_get entries=%ld runs=%d\n", tl.entries, runs);
	report("dump", t, runs);
	printf("entries_per_second=%.0f\n", (double)tl.entries / t[runs / 2]);
	/* The name's NUL is stored as a length in the kernel, not as a byte. */
	printf("log_bytes=%" PRIu64 " payload_bytes=%ld overhead_bytes_per_entry=%.1f\n", bytes,
	       tl.payload - tl.entries,
	       ((double)bytes - (double)(tl.payload - tl.entries)) / (double)tl.entries);
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: taobench pcr-read N | quote N HANDLE | log-get RUNS\n");
		return 2;
	}
	sk = nlt_open();
	if (!strcmp(argv[1], "pcr-read"))
		rc = bench_pcr_read(sk, atoi(argv[2]));
	else if (!strcmp(argv[1], "quote") && argc >= 4)
		rc = bench_quote(sk, atoi(argv[2]), (uint32_t)strtoul(argv[3], NULL, 0));
	else if (!strcmp(argv[1], "certify") && argc >= 5)
		rc = bench_certify(atoi(argv[2]), (uint32_t)strtoul(argv[3], NULL, 0),
				   (uint32_t)strtoul(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "log-get"))
		rc = bench_log_get(sk, atoi(argv[2]));
	else
		fprintf(stderr, "taobench: unknown command\n");
	nl_socket_free(sk);
	return rc;
}
