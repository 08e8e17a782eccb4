/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Checking a TPM signature (TPMT_SIGNATURE) over a message with the key's public area. */
#ifndef TAO_VERIFY_H
#define TAO_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "tao_attest.h"
#include "tao_tpm_public.h"

/*
 * Verify sig over msg[0..len) with pub, as a verifier would: ECDSA with an ECC key, RSASSA
 * (PKCS#1 v1.5) or RSAPSS with an RSA key, the digest being sig's hash of msg. Returns 0 when the
 * signature is good, -EBADMSG when it is not, -EOPNOTSUPP for another scheme or hash, -EINVAL for
 * a scheme that does not fit the key; with a message.
 */
int tao_signature_verify(const struct tao_tpm_public *pub, const struct tao_signature *sig,
			 const uint8_t *msg, size_t len, char *err, size_t errlen);

/* The same with an OpenSSL key (EC or RSA), such as a certificate's; errors as above. */
int tao_signature_verify_pkey(EVP_PKEY *pkey, const struct tao_signature *sig, const uint8_t *msg,
			      size_t len, char *err, size_t errlen);

#endif /* TAO_VERIFY_H */
