// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for tao_devid.h: the manufacturer CA, the IAK/IDevID certificate profiles and CSRs
 * signed through a callback (a software P-256 key standing in for the TPM).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tao_devid.h"

struct fixture {
	char dir[64];
	EVP_PKEY *ca_key;
	X509 *ca_cert;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	bool created = false;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/tao-devid-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	strcat(f->dir, "/ca"); /* created by the CA code itself */
	if (tao_ca_load_or_create(f->dir, &f->ca_key, &f->ca_cert, &created, err, sizeof(err)) <
		    0 ||
	    !created) {
		fprintf(stderr, "CA: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	EVP_PKEY_free(f->ca_key);
	X509_free(f->ca_cert);
	snprintf(path, sizeof(path), "%s/ca.key", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ca.pem", f->dir);
	unlink(path);
	rmdir(f->dir);
	*strrchr(f->dir, '/') = '\0';
	rmdir(f->dir);
	free(f);
	return 0;
}

static bool chains(X509 *ca, X509 *leaf, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok;

	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	if (purpose)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

static bool has_eku(X509 *c, const char *oid)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(c, NID_ext_key_usage, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
	bool found = false;

	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0)
			found = true;
	EXTENDED_KEY_USAGE_free(eku);
	ASN1_OBJECT_free(want);
	return found;
}

static bool has_policy(X509 *c, const char *oid)
{
	CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(c, NID_certificate_policies, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
	bool found = false;

	for (int i = 0; pol && i < sk_POLICYINFO_num(pol); i++)
		if (OBJ_cmp(sk_POLICYINFO_value(pol, i)->policyid, want) == 0)
			found = true;
	CERTIFICATEPOLICIES_free(pol);
	ASN1_OBJECT_free(want);
	return found;
}

static void test_ca_reload(void **state)
{
	struct fixture *f = *state;
	EVP_PKEY *k = NULL;
	X509 *c = NULL;
	bool created = true;
	char err[256], path[128];
	struct stat st;

	assert_int_equal(tao_ca_load_or_create(f->dir, &k, &c, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_int_equal(X509_cmp(c, f->ca_cert), 0);
	assert_int_equal(EVP_PKEY_eq(k, f->ca_key), 1);
	snprintf(path, sizeof(path), "%s/ca.key", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Self-signed, a CA. */
	assert_true(chains(f->ca_cert, f->ca_cert, 0));
	assert_int_equal(X509_check_ca(f->ca_cert), 1);
	EVP_PKEY_free(k);
	X509_free(c);
}

static void test_ca_incomplete(void **state)
{
	char dir[] = "/tmp/tao-devid-XXXXXX", path[64], err[256];
	EVP_PKEY *k = NULL;
	X509 *c = NULL;
	bool created;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(tao_ca_load_or_create(dir, &k, &c, &created, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "ca.key is missing"));
	unlink(path);
	rmdir(dir);
	/* A directory that cannot be made. */
	assert_true(tao_ca_load_or_create("/proc/tao-no/ca", &k, &c, &created, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "creating the CA directory /proc/tao-no/ca"));
}

static void test_certs(void **state)
{
	struct fixture *f = *state;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *iak = NULL, *idevid = NULL;
	char err[256], serial[TAO_SERIAL_MAX + 1];
	ASN1_TIME *t;

	assert_non_null(key);
	assert_int_equal(tao_devid_cert_issue(f->ca_key, f->ca_cert, key, TAO_DEVID_IAK, "SN-1",
					      &iak, err, sizeof(err)),
			 0);
	assert_int_equal(tao_devid_cert_issue(f->ca_key, f->ca_cert, key, TAO_DEVID_IDEVID, "SN-1",
					      &idevid, err, sizeof(err)),
			 0);
	assert_true(chains(f->ca_cert, iak, 0));
	assert_true(chains(f->ca_cert, idevid, X509_PURPOSE_SSL_CLIENT));
	assert_int_equal(tao_cert_serial(iak, serial, sizeof(serial)), 0);
	assert_string_equal(serial, "SN-1");
	assert_int_equal(tao_cert_serial(idevid, serial, sizeof(serial)), 0);
	assert_string_equal(serial, "SN-1");
	assert_int_equal(tao_cert_serial(f->ca_cert, serial, sizeof(serial)), -ENOENT);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(iak), key), 1);
	/* Profiles. */
	assert_int_equal(X509_get_key_usage(iak), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_key_usage(idevid), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_check_ca(iak), 0);
	assert_true(has_eku(iak, TAO_OID_TCG_KP_AIK_CERTIFICATE));
	assert_false(has_eku(iak, "1.3.6.1.5.5.7.3.2"));
	assert_true(has_eku(idevid, "1.3.6.1.5.5.7.3.2"));
	assert_true(has_policy(iak, TAO_OID_TCG_CAP_TPM_RESTRICTED));
	assert_true(has_policy(iak, TAO_OID_TCG_CAP_TPM_FIXED));
	assert_false(has_policy(idevid, TAO_OID_TCG_CAP_TPM_RESTRICTED));
	assert_true(has_policy(idevid, TAO_OID_TCG_CAP_TPM_RESIDENCY));
	t = ASN1_TIME_new();
	assert_int_equal(ASN1_TIME_set_string(t, "99991231235959Z"), 1);
	assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(idevid), t), 0);
	ASN1_TIME_free(t);
	/* A bad serial is refused. */
	X509_free(iak);
	iak = NULL;
	assert_int_equal(tao_devid_cert_issue(f->ca_key, f->ca_cert, key, TAO_DEVID_IAK, "a\"b",
					      &iak, err, sizeof(err)),
			 -EINVAL);
	assert_null(iak);
	assert_false(tao_serial_valid(""));
	assert_true(tao_serial_valid("TAO-0123456789ABCDEF"));
	X509_free(idevid);
	EVP_PKEY_free(key);
}

/* The software stand-in for TPM2_Sign: ECDSA of a digest, DER, in malloc()ed memory. */
static int soft_sign(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len, char *err,
		     size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(arg, NULL);
	size_t n = 0;

	(void)err;
	(void)errlen;
	if (!ctx || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_sign(ctx, NULL, &n, digest, 32) != 1 ||
	    !(*der = malloc(n)) || EVP_PKEY_sign(ctx, *der, &n, digest, 32) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return -EIO;
	}
	EVP_PKEY_CTX_free(ctx);
	*der_len = n;
	return 0;
}

static int bad_sign(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len, char *err,
		    size_t errlen)
{
	uint8_t other[32];

	memcpy(other, digest, 32);
	other[0] ^= 1;
	return soft_sign(arg, other, der, der_len, err, errlen);
}

static void test_csr(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_REQ *req = NULL;
	char err[256], text[128];
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;

	(void)state;
	assert_int_equal(
		tao_csr_build(key, "CN=dev-1,O=tao tests", soft_sign, key, &req, err, sizeof(err)),
		0);
	assert_int_equal(X509_REQ_verify(req, key), 1);
	X509_REQ_get0_signature(req, NULL, &alg);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	assert_int_equal(OBJ_obj2nid(obj), NID_ecdsa_with_SHA256);
	X509_NAME_oneline(X509_REQ_get_subject_name(req), text, sizeof(text));
	assert_string_equal(text, "/CN=dev-1/O=tao tests");
	/* Round trip through DER: what openssl req -verify reads. */
	{
		unsigned char *der = NULL;
		const unsigned char *p;
		int n = i2d_X509_REQ(req, &der);
		X509_REQ *back;

		assert_true(n > 0);
		p = der;
		back = d2i_X509_REQ(NULL, &p, n);
		assert_non_null(back);
		assert_int_equal(X509_REQ_verify(back, key), 1);
		X509_REQ_free(back);
		OPENSSL_free(der);
	}
	X509_REQ_free(req);
	req = NULL;
	/* A signature over anything else is caught before the request is returned. */
	assert_int_equal(tao_csr_build(key, "CN=x", bad_sign, key, &req, err, sizeof(err)),
			 -EBADMSG);
	assert_null(req);
	assert_int_equal(tao_csr_build(key, "nonsense", soft_sign, key, &req, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(tao_csr_build(key, "XX=1", soft_sign, key, &req, err, sizeof(err)),
			 -EINVAL);
	EVP_PKEY_free(key);
}

static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/tao-devid-XXXXXX", path[64], buf[16];
	FILE *fp;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(tao_write_atomic(path, "one", 3, 0600), 0);
	assert_int_equal(tao_write_atomic(path, "two!", 4, 0644), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, sizeof(buf), fp), 4);
	fclose(fp);
	assert_memory_equal(buf, "two!", 4);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	unlink(path);
	rmdir(dir);
	assert_int_equal(tao_write_atomic("/proc/nope/f", "x", 1, 0644), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_reload),    cmocka_unit_test(test_ca_incomplete),
		cmocka_unit_test(test_certs),	     cmocka_unit_test(test_csr),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests_name("tao devid", tests, setup, teardown);
}
