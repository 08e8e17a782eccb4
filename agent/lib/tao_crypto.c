// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* TPM hash algorithms through OpenSSL's EVP interface. */
#include "tao_crypto.h"

#include <errno.h>

#include <openssl/evp.h>

const EVP_MD *tao_md(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return EVP_sha1();
	case 0x000b:
		return EVP_sha256();
	case 0x000c:
		return EVP_sha384();
	case 0x000d:
		return EVP_sha512();
	case 0x0027:
		return EVP_sha3_256();
	case 0x0028:
		return EVP_sha3_384();
	case 0x0029:
		return EVP_sha3_512();
	default:
		return NULL;
	}
}

int tao_hash(uint16_t alg, const struct iovec *iov, size_t n, uint8_t *out)
{
	const EVP_MD *md = tao_md(alg);
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	int ok;

	if (!md)
		return -EOPNOTSUPP;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].iov_base, iov[i].iov_len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	return ok ? (int)len : -ENOMEM;
}
