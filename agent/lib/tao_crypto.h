/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* TPM hash algorithms through OpenSSL's EVP interface. */
#ifndef TAO_CRYPTO_H
#define TAO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

typedef struct evp_md_st EVP_MD;

/*
 * OpenSSL's implementation of the TPM hash alg: SHA-1, SHA-256, SHA-384, SHA-512 and
 * SHA3-256/384/512; NULL for any other algorithm.
 */
const EVP_MD *tao_md(uint16_t alg);

/*
 * out = H_alg(iov[0] || iov[1] || ...). out must have room for the digest (64 bytes do for
 * all). Returns the digest size, -EOPNOTSUPP for an algorithm tao_md() does not know, or -ENOMEM
 * when OpenSSL fails.
 */
int tao_hash(uint16_t alg, const struct iovec *iov, size_t n, uint8_t *out);

#endif /* TAO_CRYPTO_H */
