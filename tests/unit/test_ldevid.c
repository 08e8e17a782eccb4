/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Unit tests for the registrar's LDevID requests (registrar/ldevid.h): a software "IAK" signs
 * hand-built TPM2_Certify structures over a software "LDevID" key, so that every check and its
 * message can be hit; the issued certificate is checked against the operator CA.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ldevid.h"
#include "tao_b64url.h"
#include "tao_devid.h"

#define ATTR_DEFAULT 0x00040072u /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}
static void u16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(b, x, 2);
}
static void u32(struct buf *b, uint32_t v)
{
	u16(b, v >> 16);
	u16(b, v & 0xffff);
}
static void tpm2b(struct buf *b, const void *p, size_t n)
{
	u16(b, (unsigned)n);
	put(b, p, n);
}

/* TPMT_PUBLIC of an ECC P-256 signing key with attributes attrs. */
static void tpmt_public(EVP_PKEY *k, uint32_t attrs, struct buf *out)
{
	uint8_t pt[65];
	size_t n = 0;

	assert_int_equal(
		EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n), 1);
	assert_int_equal(n, 65);
	out->n = 0;
	u16(out, 0x0023); /* ECC */
	u16(out, 0x000b); /* nameAlg SHA-256 */
	u32(out, attrs);
	u16(out, 0);	  /* authPolicy */
	u16(out, 0x0010); /* symmetric NULL */
	u16(out, 0x0010); /* scheme NULL */
	u16(out, 0x0003); /* NIST P-256 */
	u16(out, 0x0010); /* kdf NULL */
	tpm2b(out, pt + 1, 32);
	tpm2b(out, pt + 33, 32);
}

/* TPMS_ATTEST of a certification of the key whose TPMT_PUBLIC is pub, extraData nonce. */
static void certify_attest(const struct buf *pub, const uint8_t nonce[32], uint16_t type,
			   struct buf *out)
{
	uint8_t name[34] = { 0x00, 0x0b };

	EVP_Digest(pub->b, pub->n, name + 2, NULL, EVP_sha256(), NULL);
	out->n = 0;
	u32(out, 0xff544347);
	u16(out, type);
	tpm2b(out, name, sizeof(name)); /* qualifiedSigner: any Name */
	tpm2b(out, nonce, 32);
	u32(out, 0);
	u32(out, 1000); /* clock */
	u32(out, 1);	/* resetCount */
	u32(out, 0);	/* restartCount */
	put(out, "\x01", 1);
	u32(out, 0);
	u32(out, 0); /* firmwareVersion */
	tpm2b(out, name, sizeof(name));
	tpm2b(out, name, sizeof(name)); /* qualifiedName */
}

/* TPMT_SIGNATURE: ECDSA/SHA-256 by key over msg. */
static void sign_tpm(EVP_PKEY *key, const struct buf *msg, struct buf *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[128], r[32], s[32];
	const unsigned char *p = der;
	size_t n = sizeof(der);
	ECDSA_SIG *sig;

	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &n, msg->b, msg->n), 1);
	EVP_MD_CTX_free(ctx);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	assert_non_null(sig);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), r, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), s, 32);
	ECDSA_SIG_free(sig);
	out->n = 0;
	u16(out, 0x0018);
	u16(out, 0x000b);
	tpm2b(out, r, 32);
	tpm2b(out, s, 32);
}

static int soft_sign(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len, char *err,
		     size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(arg, NULL);
	size_t n = 0;

	(void)err;
	(void)errlen;
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, NULL, &n, digest, 32), 1);
	*der = malloc(n);
	assert_int_equal(EVP_PKEY_sign(ctx, *der, &n, digest, 32), 1);
	*der_len = n;
	EVP_PKEY_CTX_free(ctx);
	return 0;
}

/* The base64 DER of a CSR of key. */
static char *csr_b64(EVP_PKEY *key)
{
	X509_REQ *req = NULL;
	unsigned char *der = NULL;
	char err[256], *b64;
	int n;

	assert_int_equal(tao_csr_build(key, "CN=LDevID T-1,serialNumber=T-1", soft_sign, key, &req,
				       err, sizeof(err)),
			 0);
	n = i2d_X509_REQ(req, &der);
	b64 = malloc((size_t)(n + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)b64, der, n);
	OPENSSL_free(der);
	X509_REQ_free(req);
	return b64;
}

static char *url(const struct buf *b)
{
	return tao_b64url_encode(b->b, b->n);
}

struct ctx {
	EVP_PKEY *iak, *ldevid, *other;
	uint8_t binder[32];
};

/* An extension object with ldevidCsr (of csr_key) and ldevidCertify (of cert_key). */
static struct json_object *ext_of(struct ctx *c, EVP_PKEY *csr_key, EVP_PKEY *cert_key,
				  uint32_t attrs, const uint8_t *nonce, EVP_PKEY *signer,
				  uint16_t type)
{
	struct json_object *ext = json_object_new_object(), *cf = json_object_new_object();
	struct buf pub, att, sig;
	char *s;

	tpmt_public(cert_key, attrs, &pub);
	certify_attest(&pub, nonce ? nonce : c->binder, type, &att);
	sign_tpm(signer ? signer : c->iak, &att, &sig);
	s = csr_b64(csr_key);
	json_object_object_add(ext, REG_LDEVID_CSR, json_object_new_string(s));
	free(s);
	s = url(&att);
	json_object_object_add(cf, "attest", json_object_new_string(s));
	free(s);
	s = url(&sig);
	json_object_object_add(cf, "signature", json_object_new_string(s));
	free(s);
	s = url(&pub);
	json_object_object_add(cf, "public", json_object_new_string(s));
	free(s);
	json_object_object_add(ext, REG_LDEVID_CERTIFY, cf);
	return ext;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->iak = EVP_EC_gen("P-256");
	c->ldevid = EVP_EC_gen("P-256");
	c->other = EVP_EC_gen("P-256");
	memset(c->binder, 0x5a, sizeof(c->binder));
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	EVP_PKEY_free(c->iak);
	EVP_PKEY_free(c->ldevid);
	EVP_PKEY_free(c->other);
	free(c);
	return 0;
}

/* Parse and verify ext; returns the verification's value, err holds the message. */
static int check(struct ctx *c, struct json_object *ext, char *err, size_t errlen)
{
	struct reg_ldevid *l = NULL;
	int rc = reg_ldevid_parse(ext, &l, err, errlen);

	if (rc == 0) {
		assert_non_null(l);
		rc = reg_ldevid_verify(l, c->iak, c->binder, err, errlen);
	}
	reg_ldevid_free(l);
	json_object_put(ext);
	return rc;
}

static void expect_refused(struct ctx *c, struct json_object *ext, const char *why)
{
	char err[512] = "";

	assert_int_equal(check(c, ext, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("'%s' does not say '%s'", err, why);
}

static void test_good_and_issue(void **state)
{
	struct ctx *c = *state;
	struct json_object *ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	struct reg_ldevid *l = NULL;
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	X509 *ca = X509_new(), *cert = NULL;
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	char err[512] = "", hex[130], serial[65];

	assert_int_equal(reg_ldevid_parse(ext, &l, err, sizeof(err)), 0);
	assert_int_equal(reg_ldevid_verify(l, c->iak, c->binder, err, sizeof(err)), 0);

	/* A throwaway operator CA. */
	X509_set_version(ca, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(ca), 1);
	X509_gmtime_adj(X509_getm_notBefore(ca), -60);
	X509_gmtime_adj(X509_getm_notAfter(ca), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(ca), "CN", MBSTRING_ASC,
				   (const unsigned char *)"op CA", -1, -1, 0);
	X509_set_issuer_name(ca, X509_get_subject_name(ca));
	X509_set_pubkey(ca, ca_key);
	{
		static const int nids[] = { NID_basic_constraints, NID_key_usage,
					    NID_subject_key_identifier };
		static const char *const vals[] = { "critical,CA:TRUE", "critical,keyCertSign",
						    "hash" };
		X509V3_CTX v3;

		X509V3_set_ctx_nodb(&v3);
		X509V3_set_ctx(&v3, ca, ca, NULL, NULL, 0);
		for (size_t i = 0; i < 3; i++) {
			X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nids[i], vals[i]);

			assert_non_null(e);
			X509_add_ext(ca, e, -1);
			X509_EXTENSION_free(e);
		}
	}
	assert_true(X509_sign(ca, ca_key, EVP_sha256()) > 0);

	assert_int_equal(reg_ldevid_issue(l, ca_key, ca, "T-1", 30, &cert, hex, sizeof(hex), err,
					  sizeof(err)),
			 0);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(cert), c->ldevid), 1);
	assert_int_equal(tao_cert_serial(cert, serial, sizeof(serial)), 0);
	assert_string_equal(serial, "T-1");
	assert_true(strlen(hex) >= 30);
	X509_STORE_add_cert(st, ca);
	X509_STORE_CTX_init(vctx, st, cert, NULL);
	X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_CLIENT);
	assert_int_equal(X509_verify_cert(vctx), 1);
	/* valid for 30 days, not 31 */
	{
		time_t t29 = time(NULL) + 29 * 86400, t31 = time(NULL) + 31 * 86400;

		assert_true(X509_cmp_time(X509_get0_notAfter(cert), &t29) > 0);
		assert_true(X509_cmp_time(X509_get0_notAfter(cert), &t31) < 0);
	}

	X509_STORE_CTX_free(vctx);
	X509_STORE_free(st);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	reg_ldevid_free(l);
	json_object_put(ext);
}

static void test_none(void **state)
{
	struct json_object *ext = json_object_new_object();
	struct reg_ldevid *l = (void *)1;
	char err[64];

	(void)state;
	assert_int_equal(reg_ldevid_parse(ext, &l, err, sizeof(err)), 0);
	assert_null(l);
	json_object_put(ext);
}

static void test_refusals(void **state)
{
	struct ctx *c = *state;
	uint8_t other[32];
	struct json_object *ext;

	memset(other, 0x11, sizeof(other));
	expect_refused(c, ext_of(c, c->other, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017),
		       "ldevidCsr: the request's key is not the key the IAK certified");
	expect_refused(c, ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, other, NULL, 0x8017),
		       "extraData is not this session's binder");
	expect_refused(c, ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, c->other, 0x8017),
		       "ldevidCertify: not signed by the IAK");
	expect_refused(c, ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8018),
		       "type 0x8018 is not TPM_ST_ATTEST_CERTIFY");
	expect_refused(
		c, ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT | 0x00010000u, NULL, NULL, 0x8017),
		"the LDevID key: restricted is set");
	expect_refused(c, ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT & ~0x2u, NULL, NULL, 0x8017),
		       "the LDevID key: fixedTPM is clear");
	expect_refused(c,
		       ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT & ~0x20u, NULL, NULL, 0x8017),
		       "sensitiveDataOrigin is clear");

	/* The certified Name is another key's than the public area given. */
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	{
		struct json_object *cf = json_object_object_get(ext, REG_LDEVID_CERTIFY);
		struct buf pub;
		char *s;

		tpmt_public(c->other, ATTR_DEFAULT, &pub);
		s = url(&pub);
		json_object_object_add(cf, "public", json_object_new_string(s));
		free(s);
	}
	expect_refused(c, ext, "the certified Name is not the Name of ldevidCertify.public");

	/* Syntax. */
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_del(ext, REG_LDEVID_CERTIFY);
	expect_refused(c, ext, "ldevidCsr is sent without ldevidCertify");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_del(ext, REG_LDEVID_CSR);
	expect_refused(c, ext, "ldevidCertify is sent without ldevidCsr");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_add(ext, REG_LDEVID_CSR, json_object_new_string("MIIB"));
	expect_refused(c, ext, "ldevidCsr is not one DER PKCS#10 CertificationRequest");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_add(ext, REG_LDEVID_CSR, json_object_new_string("not base64!"));
	expect_refused(c, ext, "ldevidCsr is not padded base64");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_add(json_object_object_get(ext, REG_LDEVID_CERTIFY), "attest",
			       json_object_new_string("AA=="));
	expect_refused(c, ext, "ldevidCertify.attest is not base64url");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_add(json_object_object_get(ext, REG_LDEVID_CERTIFY), "extra",
			       json_object_new_string("AA"));
	expect_refused(c, ext, "ldevidCertify has no member 'extra'");
	ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	json_object_object_add(json_object_object_get(ext, REG_LDEVID_CERTIFY), "public",
			       json_object_new_string("AAAA"));
	expect_refused(c, ext, "ldevidCertify.public: malformed TPMT_PUBLIC");
}

/* A CSR whose signature is not its key's. */
static void test_csr_signature(void **state)
{
	struct ctx *c = *state;
	struct json_object *ext = ext_of(c, c->ldevid, c->ldevid, ATTR_DEFAULT, NULL, NULL, 0x8017);
	const char *b = json_object_get_string(json_object_object_get(ext, REG_LDEVID_CSR));
	uint8_t der[1024];
	int n = EVP_DecodeBlock(der, (const unsigned char *)b, (int)strlen(b));
	size_t len = (size_t)n - (b[strlen(b) - 1] == '=') - (b[strlen(b) - 2] == '=');
	char out[2048];

	der[len - 5] ^= 0x01; /* inside the signature's s */
	EVP_EncodeBlock((unsigned char *)out, der, (int)len);
	json_object_object_add(ext, REG_LDEVID_CSR, json_object_new_string(out));
	expect_refused(c, ext, "self-signature does not verify");
}

static void test_serial_canon(void **state)
{
	char buf[130];

	(void)state;
	assert_int_equal(reg_serial_hex_canon("4a:3f:00", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4A3F00");
	assert_int_equal(reg_serial_hex_canon("serial=4A3F00", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4A3F00");
	assert_int_equal(reg_serial_hex_canon("DEV-A", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(reg_serial_hex_canon("", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_and_issue, setup, teardown),
		cmocka_unit_test(test_none),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csr_signature, setup, teardown),
		cmocka_unit_test(test_serial_canon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
