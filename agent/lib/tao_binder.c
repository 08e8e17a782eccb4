// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The binder of docs/protocol.md section 1. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tao_binder.h"

int tao_binder_ekm(SSL *ssl, uint8_t ekm[TAO_BINDER_LEN])
{
	/*
	 * RFC 8446 7.5: TLS 1.3 distinguishes no context from an empty one; the protocol says
	 * empty, i.e. use_context = 1 with a zero length.
	 */
	static const unsigned char empty[1];

	if (!ssl || !SSL_is_init_finished(ssl) || SSL_version(ssl) != TLS1_3_VERSION)
		return -EPROTO;
	if (SSL_export_keying_material(ssl, ekm, TAO_BINDER_LEN, TAO_BINDER_LABEL,
				       strlen(TAO_BINDER_LABEL), empty, 0, 1) != 1)
		return -EIO;
	return 0;
}

int tao_binder_from_ekm(const uint8_t ekm[TAO_BINDER_LEN], const uint8_t *leaf_spki_der, size_t len,
			uint8_t out[TAO_BINDER_LEN])
{
	EVP_MD_CTX *md;
	unsigned int n = 0;
	int ok;

	if (!leaf_spki_der || !len)
		return -EINVAL;
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex2(md, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(md, TAO_BINDER_PREFIX, strlen(TAO_BINDER_PREFIX)) &&
	     EVP_DigestUpdate(md, leaf_spki_der, len) &&
	     EVP_DigestUpdate(md, ekm, TAO_BINDER_LEN) && EVP_DigestFinal_ex(md, out, &n) &&
	     n == TAO_BINDER_LEN;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}

int tao_binder_compute(SSL *ssl, const uint8_t *leaf_spki_der, size_t len,
		       uint8_t out[TAO_BINDER_LEN])
{
	uint8_t ekm[TAO_BINDER_LEN];
	int r;

	if (!leaf_spki_der || !len)
		return -EINVAL;
	if ((r = tao_binder_ekm(ssl, ekm)))
		return r;
	r = tao_binder_from_ekm(ekm, leaf_spki_der, len, out);
	OPENSSL_cleanse(ekm, sizeof(ekm));
	return r;
}

int tao_binder_compute_cert(SSL *ssl, X509 *leaf, uint8_t out[TAO_BINDER_LEN])
{
	X509_PUBKEY *pk = leaf ? X509_get_X509_PUBKEY(leaf) : NULL;
	unsigned char *der = NULL;
	int n, r;

	if (!pk)
		return -EINVAL;
	n = i2d_X509_PUBKEY(pk, &der);
	if (n <= 0)
		return -EIO;
	r = tao_binder_compute(ssl, der, (size_t)n, out);
	OPENSSL_free(der);
	return r;
}
