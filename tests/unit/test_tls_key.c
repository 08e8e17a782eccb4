// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests of tao_tls_key.h and tao_binder.h against a private swtpm (no module needed): the
 * provider's key (parameters, refused export, match with its certificate), one EVP_DigestSign
 * = one TPM2_Sign with the hashing in the default provider, an in-memory TLS 1.3 mutual-auth
 * handshake with exactly one TPM signature, the same binder on both ends, and the binder's
 * refusal of TLS 1.2. The binder's hash is checked against a fixed vector.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tao_binder.h"
#include "tao_devid.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"

#include "swtpm.h"

static struct swtpm tpm;
static struct tao_esys *esys;
static EVP_PKEY *ca_key, *srv_key;
static X509 *ca_cert, *idevid_cert, *srv_cert;

static int setup(void **state)
{
	char err[256], cadir[96];
	EVP_PKEY *pub = NULL;
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	static struct tao_tpm_public tpub;
	bool created;
	int n;

	(void)state;
	if (swtpm_start(&tpm, "tao-tlskey") || tao_esys_open(&esys, err, sizeof(err)))
		return -1;
	if (tao_esys_create_primary_persist(esys, TAO_TEMPLATE_DEVID, TAO_HANDLE_IDEVID, err,
					    sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(cadir, sizeof(cadir), "%s/ca", tpm.dir);
	if (tao_ca_load_or_create(cadir, &ca_key, &ca_cert, &created, err, sizeof(err)))
		return -1;
	/* The IDevID certificate, for the TPM key's public half (as provisioning issues it). */
	n = tao_esys_read_public(esys, TAO_HANDLE_IDEVID, tpmt, err, sizeof(err));
	if (n < 0 || tao_tpmt_public_parse(tpmt, (size_t)n, &tpub, err, sizeof(err)) ||
	    tao_tpm_public_to_pkey(&tpub, &pub, err, sizeof(err)) ||
	    tao_devid_cert_issue(ca_key, ca_cert, pub, TAO_DEVID_IDEVID, "SN-TLS", &idevid_cert,
				 err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		EVP_PKEY_free(pub);
		return -1;
	}
	EVP_PKEY_free(pub);
	/* The server: a software key, a certificate from the same CA (not verified here). */
	srv_key = EVP_EC_gen("P-256");
	if (!srv_key || tao_devid_cert_issue(ca_key, ca_cert, srv_key, TAO_DEVID_IDEVID,
					     "SN-SERVER", &srv_cert, err, sizeof(err)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(srv_cert);
	X509_free(idevid_cert);
	X509_free(ca_cert);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(ca_key);
	tao_esys_close(esys);
	return swtpm_stop(&tpm);
}

static EVP_PKEY *load_key(void)
{
	EVP_PKEY *k = NULL;
	char err[256] = "";

	assert_int_equal(tao_tls_key_load(esys, TAO_HANDLE_IDEVID, &k, err, sizeof(err)), 0);
	assert_non_null(k);
	return k;
}

static void test_key(void **state)
{
	EVP_PKEY *k = load_key(), *none = NULL;
	OSSL_PARAM *params = NULL;
	char name[64], err[256] = "";
	size_t len = 0;

	(void)state;
	assert_true(tao_tls_key_is_tpm(k));
	assert_false(tao_tls_key_is_tpm(srv_key));
	assert_true(EVP_PKEY_is_a(k, "EC"));
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	assert_int_equal(EVP_PKEY_get_security_bits(k), 128);
	assert_int_equal(EVP_PKEY_get_size(k), 72);
	assert_true(EVP_PKEY_get_group_name(k, name, sizeof(name), &len));
	assert_string_equal(name, "prime256v1");
	/* 1: advisory (the TLS layer picks SHA-256 for P-256 anyway). */
	assert_int_equal(EVP_PKEY_get_default_digest_name(k, name, sizeof(name)), 1);
	assert_string_equal(name, "SHA256");
	/* The certificate's key matches (imported into this key management), another does not. */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(idevid_cert), k), 1);
	assert_int_not_equal(EVP_PKEY_eq(srv_key, k), 1);
	/* Nothing leaves: not even the public half is exported to another provider. */
	assert_true(EVP_PKEY_todata(k, EVP_PKEY_KEYPAIR, &params) <= 0);
	assert_true(EVP_PKEY_todata(k, EVP_PKEY_PUBLIC_KEY, &params) <= 0);
	assert_null(params);
	EVP_PKEY_free(k);
	/* Errors: no key at the handle; a restricted key (made here) refused. */
	assert_int_equal(tao_tls_key_load(esys, 0x81020077, &none, err, sizeof(err)), -ENOENT);
	assert_null(none);
	assert_int_equal(tao_esys_create_primary_persist(esys, TAO_TEMPLATE_IAK, TAO_HANDLE_IAK,
							 err, sizeof(err)),
			 0);
	assert_int_equal(tao_tls_key_load(esys, TAO_HANDLE_IAK, &none, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not an unrestricted signing key"));
	assert_int_equal(tao_esys_evict(esys, TAO_HANDLE_IAK, err, sizeof(err)), 0);
}

static void test_digest_sign(void **state)
{
	static const char msg[] = "the TLS 1.3 CertificateVerify content, more or less";
	unsigned long signs = tao_tls_key_tpm_signs(), digests = tao_tls_key_sw_digests();
	EVP_PKEY *k = load_key();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[80];
	size_t siglen = 0;

	(void)state;
	assert_int_equal(EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, k, NULL), 1);
	assert_int_equal(EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)msg, sizeof(msg)),
			 1);
	assert_int_equal(siglen, 72);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen, (const unsigned char *)msg, sizeof(msg)),
			 1);
	assert_int_equal(tao_tls_key_tpm_signs(), signs + 1);
	assert_int_equal(tao_tls_key_sw_digests(), digests + 1);
	assert_string_equal(tao_tls_key_digest_provider(), "default");
	EVP_MD_CTX_free(md);
	/* Verified in software with the certificate's key. */
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL,
						 X509_get0_pubkey(idevid_cert), NULL),
			 1);
	assert_int_equal(EVP_DigestVerify(md, sig, siglen, (const unsigned char *)msg, sizeof(msg)),
			 1);
	EVP_MD_CTX_free(md);
	/* SHA-384 cannot be signed by this key (the TPM signs a SHA-256 digest). */
	md = EVP_MD_CTX_new();
	assert_true(EVP_DigestSignInit_ex(md, NULL, "SHA384", NULL, NULL, k, NULL) <= 0);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
}

/* Drive both ends of an in-memory connection until both finish (1) or one fails (0). */
static int handshake(SSL *c, SSL *s)
{
	for (int i = 0; i < 100; i++) {
		int rc = SSL_do_handshake(c), rs = SSL_do_handshake(s);

		if (rc == 1 && rs == 1)
			return 1;
		if ((rc <= 0 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ) ||
		    (rs <= 0 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ))
			return 0;
	}
	return 0;
}

struct conn {
	SSL_CTX *cctx, *sctx;
	SSL *c, *s;
};

static void conn_setup(struct conn *cn, EVP_PKEY *client_key, int version)
{
	X509_STORE *store;
	BIO *bc, *bs;

	cn->cctx = SSL_CTX_new(TLS_client_method());
	cn->sctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(cn->cctx);
	assert_non_null(cn->sctx);
	assert_int_equal(SSL_CTX_set_min_proto_version(cn->cctx, version), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(cn->cctx, version), 1);
	assert_int_equal(SSL_CTX_use_certificate(cn->cctx, idevid_cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(cn->cctx, client_key), 1);
	assert_int_equal(SSL_CTX_check_private_key(cn->cctx), 1);
	assert_int_equal(SSL_CTX_use_certificate(cn->sctx, srv_cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(cn->sctx, srv_key), 1);
	store = SSL_CTX_get_cert_store(cn->sctx);
	assert_int_equal(X509_STORE_add_cert(store, ca_cert), 1);
	SSL_CTX_set_verify(cn->sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	cn->c = SSL_new(cn->cctx);
	cn->s = SSL_new(cn->sctx);
	assert_int_equal(BIO_new_bio_pair(&bc, 0, &bs, 0), 1);
	SSL_set_bio(cn->c, bc, bc);
	SSL_set_bio(cn->s, bs, bs);
	SSL_set_connect_state(cn->c);
	SSL_set_accept_state(cn->s);
}

static void conn_free(struct conn *cn)
{
	SSL_free(cn->c);
	SSL_free(cn->s);
	SSL_CTX_free(cn->cctx);
	SSL_CTX_free(cn->sctx);
}

static void test_handshake_tls13(void **state)
{
	EVP_PKEY *k = load_key();
	uint8_t bc[TAO_BINDER_LEN], bs[TAO_BINDER_LEN], ekm_c[32], ekm_s[32];
	unsigned long signs = tao_tls_key_tpm_signs();
	struct conn cn;

	(void)state;
	conn_setup(&cn, k, TLS1_3_VERSION);
	assert_int_equal(handshake(cn.c, cn.s), 1);
	assert_int_equal(SSL_version(cn.c), TLS1_3_VERSION);
	assert_int_equal(SSL_get_verify_result(cn.s), X509_V_OK);
	assert_non_null(SSL_get0_peer_certificate(cn.s));
	/* Exactly one TPM signature: the client's CertificateVerify. */
	assert_int_equal(tao_tls_key_tpm_signs(), signs + 1);
	/* Both ends compute the same binder: the device from its own certificate, the verifier
	 * from the peer's. */
	assert_int_equal(tao_binder_compute_cert(cn.c, SSL_get_certificate(cn.c), bc), 0);
	assert_int_equal(tao_binder_compute_cert(cn.s, SSL_get0_peer_certificate(cn.s), bs), 0);
	assert_memory_equal(bc, bs, sizeof(bc));
	/* The exporter itself agrees. RFC 8446 7.5: in TLS 1.3 no context and an empty context give
	 * the same value (what `openssl s_server -keymatexport`, which passes no context, relies on
	 * in the VM test). */
	assert_int_equal(tao_binder_ekm(cn.c, ekm_c), 0);
	assert_int_equal(tao_binder_ekm(cn.s, ekm_s), 0);
	assert_memory_equal(ekm_c, ekm_s, sizeof(ekm_c));
	assert_int_equal(SSL_export_keying_material(cn.s, ekm_s, 32, TAO_BINDER_LABEL,
						    strlen(TAO_BINDER_LABEL), NULL, 0, 0),
			 1);
	assert_memory_equal(ekm_c, ekm_s, sizeof(ekm_c));
	assert_int_equal(tao_binder_compute_cert(cn.c, NULL, bc), -EINVAL);
	conn_free(&cn);
	EVP_PKEY_free(k);
}

static void test_binder_refuses_tls12(void **state)
{
	EVP_PKEY *k = load_key();
	uint8_t b[TAO_BINDER_LEN];
	struct conn cn;

	(void)state;
	conn_setup(&cn, k, TLS1_2_VERSION);
	/* Not finished yet: refused. */
	assert_int_equal(tao_binder_compute_cert(cn.c, idevid_cert, b), -EPROTO);
	assert_int_equal(handshake(cn.c, cn.s), 1);
	assert_int_equal(SSL_version(cn.c), TLS1_2_VERSION);
	assert_int_equal(tao_binder_compute_cert(cn.c, idevid_cert, b), -EPROTO);
	assert_int_equal(tao_binder_compute_cert(cn.s, SSL_get0_peer_certificate(cn.s), b),
			 -EPROTO);
	conn_free(&cn);
	EVP_PKEY_free(k);
}

/* SHA-256("tao attestation v1" || 30 03 01 02 03 || 00 01 .. 1f), computed independently. */
static void test_binder_vector(void **state)
{
	static const uint8_t spki[] = { 0x30, 0x03, 0x01, 0x02, 0x03 };
	static const uint8_t want[32] = {
		0xe9, 0x94, 0xa9, 0xbe, 0x15, 0x1c, 0x5a, 0x39, 0xbd, 0xf1, 0x8d,
		0x02, 0x07, 0x12, 0x82, 0x99, 0xb1, 0x6c, 0x79, 0xdc, 0x1a, 0x27,
		0x3e, 0xcf, 0x82, 0xa3, 0xda, 0xb6, 0x95, 0xf0, 0x0f, 0x52,
	};
	uint8_t ekm[32], out[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		ekm[i] = (uint8_t)i;
	assert_int_equal(tao_binder_from_ekm(ekm, spki, sizeof(spki), out), 0);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(tao_binder_from_ekm(ekm, spki, 0, out), -EINVAL);
	assert_int_equal(tao_binder_compute(NULL, spki, sizeof(spki), out), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binder_vector),	     cmocka_unit_test(test_key),
		cmocka_unit_test(test_digest_sign),	     cmocka_unit_test(test_handshake_tls13),
		cmocka_unit_test(test_binder_refuses_tls12),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
