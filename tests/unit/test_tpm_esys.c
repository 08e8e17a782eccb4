// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests of tao_tpm_esys.h against a private swtpm (no module needed): key creation and
 * persistence, refusal of occupied handles, TPM2_Certify checked with libtao's own parsers,
 * TPM2_Sign through a CSR, eviction, and no transient object left behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tao_attest.h"
#include "tao_devid.h"
#include "tao_hex.h"
#include "tao_names.h"
#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_verify.h"

#include "swtpm.h"

static struct swtpm tpm;

static int start_swtpm(void **state)
{
	(void)state;
	return swtpm_start(&tpm, "tao-esys");
}

static int stop_swtpm(void **state)
{
	(void)state;
	return swtpm_stop(&tpm);
}

static struct tao_esys *open_tpm(void)
{
	struct tao_esys *e = NULL;
	char err[256];

	assert_int_equal(tao_esys_open(&e, err, sizeof(err)), 0);
	return e;
}

static void read_pub(struct tao_esys *e, uint32_t handle, struct tao_tpm_public *pub)
{
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	char err[256];
	int n = tao_esys_read_public(e, handle, tpmt, err, sizeof(err));

	assert_true(n > 0);
	assert_int_equal(tao_tpmt_public_parse(tpmt, (size_t)n, pub, err, sizeof(err)), 0);
}

/* Transient objects in the TPM, through tpm2-tools: an independent count. */
static int transient_count(void)
{
	char cmd[160], line[128];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "TPM2TOOLS_TCTI='%s' tpm2_getcap handles-transient 2>&1",
		 tpm.tcti);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		n += strstr(line, "0x80") != NULL;
	return pclose(p) == 0 ? n : -1;
}

static void test_tcti_conf(void **state)
{
	char err[256];
	struct tao_esys *e = NULL;

	(void)state;
	assert_string_equal(tao_esys_tcti_conf(), tpm.tcti);
	setenv("TAO_TCTI", "", 1);
	setenv("TPM2TOOLS_TCTI", "swtpm:host=127.0.0.1,port=1", 1);
	assert_string_equal(tao_esys_tcti_conf(), "swtpm:host=127.0.0.1,port=1");
	/* Nothing listens there. */
	assert_int_equal(tao_esys_open(&e, err, sizeof(err)), -ENODEV);
	assert_non_null(
		strstr(err, "cannot reach a TPM through TCTI 'swtpm:host=127.0.0.1,port=1'"));
	unsetenv("TPM2TOOLS_TCTI");
	assert_string_equal(tao_esys_tcti_conf(), "device:/dev/tpmrm0");
	setenv("TAO_TCTI", tpm.tcti, 1);
}

static void test_open_tcti(void **state)
{
	struct tao_esys *e = NULL;
	char err[256];

	(void)state;
	/* The explicit configuration wins over the environment. */
	setenv("TAO_TCTI", "swtpm:host=127.0.0.1,port=1", 1);
	assert_int_equal(tao_esys_open_tcti(tpm.tcti, &e, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_exists(e, TAO_HANDLE_IAK, err, sizeof(err)), 0);
	tao_esys_close(e);
	e = NULL;
	/* NULL: the environment's. */
	assert_int_equal(tao_esys_open_tcti(NULL, &e, err, sizeof(err)), -ENODEV);
	assert_null(e);
	assert_non_null(
		strstr(err, "cannot reach a TPM through TCTI 'swtpm:host=127.0.0.1,port=1'"));
	setenv("TAO_TCTI", tpm.tcti, 1);
	assert_int_equal(tao_esys_open_tcti(NULL, &e, err, sizeof(err)), 0);
	tao_esys_close(e);
	assert_int_equal(tao_esys_open_tcti("swtpm:host=127.0.0.1,port=1", &e, err, sizeof(err)),
			 -ENODEV);
}

static void test_primaries(void **state)
{
	struct tao_esys *e = open_tpm();
	struct tao_tpm_public *iak = malloc(sizeof(*iak)), *dev = malloc(sizeof(*dev));
	uint8_t name1[TAO_TPM_NAME_MAX], name2[TAO_TPM_NAME_MAX];
	char err[256];
	int n1, n2;

	(void)state;
	assert_int_equal(tao_esys_exists(e, TAO_HANDLE_IAK, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_create_primary_persist(e, TAO_TEMPLATE_IAK, TAO_HANDLE_IAK, err,
							 sizeof(err)),
			 0);
	assert_int_equal(tao_esys_create_primary_persist(e, TAO_TEMPLATE_DEVID, TAO_HANDLE_IDEVID,
							 err, sizeof(err)),
			 0);
	assert_int_equal(tao_esys_exists(e, TAO_HANDLE_IAK, err, sizeof(err)), 1);
	/* An occupied handle is refused, never overwritten. */
	assert_int_equal(tao_esys_create_primary_persist(e, TAO_TEMPLATE_IAK, TAO_HANDLE_IAK, err,
							 sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "0x81020000 is already in use"));
	read_pub(e, TAO_HANDLE_IAK, iak);
	read_pub(e, TAO_HANDLE_IDEVID, dev);
	assert_int_equal(iak->type, TAO_TPM_ALG_ECC);
	assert_int_equal(iak->ecc.curve, 0x0003);
	assert_int_equal(iak->attributes, 0x00050472); /* restricted|sign|fixed*|sdo|uwa|noDA */
	assert_int_equal(iak->scheme, TAO_TPM_ALG_ECDSA);
	assert_int_equal(dev->attributes, 0x00040472);
	assert_int_equal(dev->scheme, TAO_TPM_ALG_NULL);
	/* Primaries: evicted and created again, the same key comes back. */
	n1 = tao_tpm_public_name(iak, name1);
	assert_int_equal(tao_esys_evict(e, TAO_HANDLE_IAK, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_exists(e, TAO_HANDLE_IAK, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_create_primary_persist(e, TAO_TEMPLATE_IAK, TAO_HANDLE_IAK, err,
							 sizeof(err)),
			 0);
	read_pub(e, TAO_HANDLE_IAK, iak);
	n2 = tao_tpm_public_name(iak, name2);
	assert_int_equal(n1, n2);
	assert_memory_equal(name1, name2, (size_t)n1);
	assert_int_equal(transient_count(), 0);
	free(iak);
	free(dev);
	tao_esys_close(e);
}

static void test_certify(void **state)
{
	struct tao_esys *e = open_tpm();
	struct tao_tpm_public *iak = malloc(sizeof(*iak)), *dev = malloc(sizeof(*dev));
	struct tao_attest *a = malloc(sizeof(*a));
	struct tao_signature *sig = malloc(sizeof(*sig));
	uint8_t *attest = malloc(TAO_ATTEST_MAX), *sigbuf = malloc(TAO_SIGNATURE_MAX);
	uint8_t qual[32], name[TAO_TPM_NAME_MAX];
	size_t attest_len, sig_len;
	char err[256];
	int n;

	(void)state;
	for (int i = 0; i < 32; i++)
		qual[i] = (uint8_t)(i * 7);
	read_pub(e, TAO_HANDLE_IAK, iak);
	read_pub(e, TAO_HANDLE_IDEVID, dev);
	assert_int_equal(tao_esys_certify(e, TAO_HANDLE_IDEVID, TAO_HANDLE_IAK, qual, 32, attest,
					  &attest_len, sigbuf, &sig_len, err, sizeof(err)),
			 0);
	assert_int_equal(tao_attest_parse(attest, attest_len, a, err, sizeof(err)), 0);
	assert_int_equal(a->type, TAO_TPM_ST_ATTEST_CERTIFY);
	assert_int_equal(a->extra_data_len, 32);
	assert_memory_equal(a->extra_data, qual, 32);
	n = tao_tpm_public_name(dev, name);
	assert_int_equal(a->certify.name_len, (size_t)n);
	assert_memory_equal(a->certify.name, name, (size_t)n);
	assert_int_equal(tao_signature_parse(sigbuf, sig_len, sig, err, sizeof(err)), 0);
	assert_int_equal(tao_signature_verify(iak, sig, attest, attest_len, err, sizeof(err)), 0);
	/* The signature is the IAK's: another message does not verify. */
	attest[attest_len - 1] ^= 1;
	assert_true(tao_signature_verify(iak, sig, attest, attest_len, err, sizeof(err)) < 0);
	/* A missing key is named. */
	assert_int_equal(tao_esys_certify(e, 0x81020077, TAO_HANDLE_IAK, qual, 32, attest,
					  &attest_len, sigbuf, &sig_len, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no key at persistent handle 0x81020077"));
	assert_int_equal(transient_count(), 0);
	free(iak);
	free(dev);
	free(a);
	free(sig);
	free(attest);
	free(sigbuf);
	tao_esys_close(e);
}

static void parse_sel(const char *text, struct tao_pcr_selection *sel)
{
	char err[256];

	assert_int_equal(tao_pcr_selection_parse(text, sel, err, sizeof(err)), 0);
}

/* PCR values through tpm2-tools, an independent reader: "sha256:0,13" -> the hex of each. */
static int tool_pcrs(const char *sel, char hex[][2 * TAO_MAX_DIGEST_SIZE + 1], size_t max)
{
	char cmd[256], line[256];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "TPM2TOOLS_TCTI='%s' tpm2_pcrread '%s' 2>&1", tpm.tcti, sel);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *x = strstr(line, ": 0x");

		if (!x || n == max)
			continue;
		x += 4;
		x[strcspn(x, "\n")] = '\0';
		for (char *c = x; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
		snprintf(hex[n++], sizeof(hex[0]), "%s", x);
	}
	return pclose(p) == 0 ? (int)n : -1;
}

static void assert_values_are(const struct tao_pcr_values *v, const char *sel_text)
{
	char(*hex)[2 * TAO_MAX_DIGEST_SIZE + 1] = calloc(TAO_MAX_PCR_VALUES, sizeof(*hex));
	char mine[2 * TAO_MAX_DIGEST_SIZE + 1];
	int n = tool_pcrs(sel_text, hex, TAO_MAX_PCR_VALUES);

	assert_int_equal(n, (int)v->n);
	for (size_t i = 0; i < v->n; i++)
		assert_string_equal(tao_hex_encode(v->v[i].digest, v->v[i].size, mine), hex[i]);
	free(hex);
}

static void test_pcr_read_extend(void **state)
{
	struct tao_esys *e = open_tpm();
	struct tao_pcr_values *v = malloc(sizeof(*v)), *w = malloc(sizeof(*w));
	struct tao_pcr_selection sel;
	const struct tao_pcr_value *p0, *q0;
	uint8_t d[32], want[32];
	unsigned int wlen;
	char err[256];
	size_t k = 0;

	(void)state;
	/* 24 + 9 + 1 PCRs: five TPM2_PCR_Read of at most 8, returned in selection order. */
	parse_sel("sha256:all+sha1:0-7,13+sha384:23", &sel);
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), 0);
	assert_int_equal(v->n, 34);
	for (unsigned int i = 0; i < 24; i++, k++) {
		assert_int_equal(v->v[k].alg, 0x000b);
		assert_int_equal(v->v[k].index, i);
		assert_int_equal(v->v[k].size, 32);
	}
	for (unsigned int i = 0; i < 9; i++, k++) {
		assert_int_equal(v->v[k].alg, 0x0004);
		assert_int_equal(v->v[k].index, i < 8 ? i : 13);
		assert_int_equal(v->v[k].size, 20);
	}
	assert_int_equal(v->v[k].alg, 0x000c);
	assert_int_equal(v->v[k].index, 23);
	assert_int_equal(v->v[k].size, 48);
	assert_int_equal(tao_pcr_values_check(v, &sel, err, sizeof(err)), 0);
	assert_values_are(v, "sha256:all+sha1:0,1,2,3,4,5,6,7,13+sha384:23");
	/* The banks in the order asked. */
	parse_sel("sha1:13+sha256:13", &sel);
	assert_int_equal(tao_esys_pcr_read(e, &sel, w, err, sizeof(err)), 0);
	assert_int_equal(w->n, 2);
	assert_int_equal(w->v[0].alg, 0x0004);
	assert_int_equal(w->v[1].alg, 0x000b);

	/* Extend sha256 PCR 0: new = SHA-256(old || d); the sha1 bank stays. */
	for (int i = 0; i < 32; i++)
		d[i] = (uint8_t)(0xa0 + i);
	parse_sel("sha256:0+sha1:0", &sel);
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_pcr_extend_sha256(e, 0, d, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_pcr_read(e, &sel, w, err, sizeof(err)), 0);
	{
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		p0 = tao_pcr_values_find(v, 0x000b, 0);
		assert_non_null(ctx);
		assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
		assert_int_equal(EVP_DigestUpdate(ctx, p0->digest, 32), 1);
		assert_int_equal(EVP_DigestUpdate(ctx, d, 32), 1);
		assert_int_equal(EVP_DigestFinal_ex(ctx, want, &wlen), 1);
		EVP_MD_CTX_free(ctx);
	}
	q0 = tao_pcr_values_find(w, 0x000b, 0);
	assert_memory_equal(q0->digest, want, 32);
	assert_memory_equal(tao_pcr_values_find(w, 0x0004, 0)->digest,
			    tao_pcr_values_find(v, 0x0004, 0)->digest, 20);
	assert_values_are(w, "sha256:0+sha1:0");
	assert_int_equal(tao_esys_pcr_extend_sha256(e, 24, d, err, sizeof(err)), -EINVAL);

	/* Selections the TPM cannot be asked for. */
	sel.n = 0;
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), -EINVAL);
	sel.n = 1;
	sel.banks[0].alg = 0x000b;
	sel.banks[0].mask = 0;
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), -EINVAL);
	sel.banks[0].mask = 1u << 24;
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), -EINVAL);
	assert_int_equal(v->n, 0);
	/* A hash the TPM has no bank of: refused by the TPM, named. */
	sel.banks[0].alg = 0x0012; /* SM3-256 */
	sel.banks[0].mask = 1;
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "TPM2_PCR_Read"));
	free(v);
	free(w);
	tao_esys_close(e);
}

static void test_quote(void **state)
{
	struct tao_esys *e = open_tpm();
	struct tao_tpm_public *iak = malloc(sizeof(*iak));
	struct tao_pcr_values *v = malloc(sizeof(*v));
	struct tao_attest *a = malloc(sizeof(*a));
	struct tao_signature *sig = malloc(sizeof(*sig));
	uint8_t *attest = malloc(TAO_ATTEST_MAX), *sigbuf = malloc(TAO_SIGNATURE_MAX);
	uint8_t qual[32], digest[TAO_MAX_DIGEST_SIZE];
	struct tao_pcr_selection sel, bad;
	size_t attest_len, sig_len;
	char err[256], text[128];
	int n;

	(void)state;
	for (int i = 0; i < 32; i++)
		qual[i] = (uint8_t)(0x55 ^ i);
	read_pub(e, TAO_HANDLE_IAK, iak);
	parse_sel("sha256:0-7,13+sha1:0,13", &sel);
	assert_int_equal(tao_esys_pcr_read(e, &sel, v, err, sizeof(err)), 0);
	assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IAK, qual, 32, &sel, attest, &attest_len,
					sigbuf, &sig_len, err, sizeof(err)),
			 0);
	assert_int_equal(tao_attest_parse(attest, attest_len, a, err, sizeof(err)), 0);
	assert_int_equal(a->type, TAO_TPM_ST_ATTEST_QUOTE);
	assert_int_equal(a->extra_data_len, 32);
	assert_memory_equal(a->extra_data, qual, 32);
	tao_pcr_selection_format(&a->quote.pcr_select, text, sizeof(text));
	assert_string_equal(text, "sha256:0-7,13+sha1:0,13");
	/* The pcrDigest is the digest of the values read (nothing extended in between). */
	n = tao_pcr_digest(0x000b, &a->quote.pcr_select, v, digest, err, sizeof(err));
	assert_int_equal(n, 32);
	assert_int_equal(a->quote.pcr_digest_len, 32);
	assert_memory_equal(a->quote.pcr_digest, digest, 32);
	/* Signed by the IAK with its own scheme, ECDSA/SHA-256. */
	assert_int_equal(tao_signature_parse(sigbuf, sig_len, sig, err, sizeof(err)), 0);
	assert_int_equal(sig->sig_alg, TAO_TPM_ALG_ECDSA);
	assert_int_equal(sig->hash, 0x000b);
	assert_int_equal(tao_signature_verify(iak, sig, attest, attest_len, err, sizeof(err)), 0);
	attest[attest_len - 1] ^= 1;
	assert_true(tao_signature_verify(iak, sig, attest, attest_len, err, sizeof(err)) < 0);
	/* No qualifying data is allowed too; too much is not. */
	assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IAK, NULL, 0, &sel, attest, &attest_len,
					sigbuf, &sig_len, err, sizeof(err)),
			 0);
	assert_int_equal(tao_attest_parse(attest, attest_len, a, err, sizeof(err)), 0);
	assert_int_equal(a->extra_data_len, 0);
	{
		uint8_t big[128] = { 0 };

		assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IAK, big, sizeof(big), &sel, attest,
						&attest_len, sigbuf, &sig_len, err, sizeof(err)),
				 -EINVAL);
	}
	/* The IDevID has no scheme and is not restricted: the TPM refuses it as a quoting key. */
	assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IDEVID, qual, 32, &sel, attest, &attest_len,
					sigbuf, &sig_len, err, sizeof(err)),
			 -EIO);
	assert_non_null(strstr(err, "TPM2_Quote: TPM response code"));
	assert_int_equal(tao_esys_quote(e, 0x81020077, qual, 32, &sel, attest, &attest_len, sigbuf,
					&sig_len, err, sizeof(err)),
			 -ENOENT);
	bad = sel;
	bad.banks[0].mask |= 1u << 24;
	assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IAK, qual, 32, &bad, attest, &attest_len,
					sigbuf, &sig_len, err, sizeof(err)),
			 -EINVAL);
	bad = sel;
	bad.banks[1].alg = bad.banks[0].alg;
	assert_int_equal(tao_esys_quote(e, TAO_HANDLE_IAK, qual, 32, &bad, attest, &attest_len,
					sigbuf, &sig_len, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "selected twice"));
	assert_int_equal(transient_count(), 0);
	free(iak);
	free(v);
	free(a);
	free(sig);
	free(attest);
	free(sigbuf);
	tao_esys_close(e);
}

struct signer {
	struct tao_esys *e;
	uint32_t handle;
};

static int tpm_sign(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len, char *err,
		    size_t errlen)
{
	struct signer *s = arg;

	return tao_esys_sign_sha256(s->e, s->handle, digest, der, der_len, err, errlen);
}

static void test_ldevid_csr(void **state)
{
	struct tao_esys *e = open_tpm();
	struct tao_tpm_public *pub = malloc(sizeof(*pub));
	struct signer s = { e, TAO_HANDLE_LDEVID };
	EVP_PKEY *pkey = NULL;
	X509_REQ *req = NULL;
	char err[256];

	(void)state;
	/* Under a transient SRK (nothing at 0x81000001), flushed afterwards. */
	assert_int_equal(tao_esys_create_child_persist(e, TAO_TEMPLATE_DEVID, TAO_HANDLE_LDEVID,
						       err, sizeof(err)),
			 0);
	assert_int_equal(transient_count(), 0);
	assert_int_equal(tao_esys_create_child_persist(e, TAO_TEMPLATE_DEVID, TAO_HANDLE_LDEVID,
						       err, sizeof(err)),
			 -EEXIST);
	read_pub(e, TAO_HANDLE_LDEVID, pub);
	assert_int_equal(pub->attributes, 0x00040472);
	assert_int_equal(tao_tpm_public_to_pkey(pub, &pkey, err, sizeof(err)), 0);
	assert_int_equal(
		tao_csr_build(pkey, "CN=ldevid,O=tao tests", tpm_sign, &s, &req, err, sizeof(err)),
		0);
	assert_int_equal(X509_REQ_verify(req, pkey), 1);
	/* The IAK is restricted: TPM2_Sign of an outside digest is refused, with the code. */
	{
		uint8_t digest[32] = { 1 }, *der = NULL;
		size_t len;

		assert_int_equal(tao_esys_sign_sha256(e, TAO_HANDLE_IAK, digest, &der, &len, err,
						      sizeof(err)),
				 -EIO);
		assert_non_null(strstr(err, "TPM2_Sign: TPM response code"));
		assert_true(tao_esys_last_rc(e) != 0);
	}
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
	free(pub);
	tao_esys_close(e);
}

static void test_evict(void **state)
{
	struct tao_esys *e = open_tpm();
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	char err[256];
	const uint32_t handles[] = { TAO_HANDLE_IAK, TAO_HANDLE_IDEVID, TAO_HANDLE_LDEVID };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tao_esys_evict(e, handles[i], err, sizeof(err)), 0);
		assert_int_equal(tao_esys_exists(e, handles[i], err, sizeof(err)), 0);
		assert_int_equal(tao_esys_read_public(e, handles[i], tpmt, err, sizeof(err)),
				 -ENOENT);
	}
	assert_int_equal(tao_esys_evict(e, TAO_HANDLE_IAK, err, sizeof(err)), -ENOENT);
	assert_int_equal(transient_count(), 0);
	tao_esys_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcti_conf),	cmocka_unit_test(test_open_tcti),
		cmocka_unit_test(test_primaries),	cmocka_unit_test(test_certify),
		cmocka_unit_test(test_pcr_read_extend), cmocka_unit_test(test_quote),
		cmocka_unit_test(test_ldevid_csr),	cmocka_unit_test(test_evict),
	};

	return cmocka_run_group_tests_name("tao tpm esys (swtpm)", tests, start_swtpm, stop_swtpm);
}
