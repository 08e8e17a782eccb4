/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The TLS client key in the TPM: a minimal in-process OpenSSL 3 provider ("tao-tpm") for a
 * TPM-resident ECC P-256 key at a persistent handle (the IDevID, later the LDevID).
 *
 * Only the signature itself goes to the TPM: the message (the TLS 1.3 CertificateVerify
 * content) is hashed with SHA-256 by OpenSSL's default provider, and the final digest is signed
 * by one TPM2_Sign of the persistent key. The key management refuses every export, which is what
 * makes OpenSSL 3.0 use this provider's signature instead of the default provider's (see
 * docs/tls.md). The private key never leaves the TPM.
 */
#ifndef TAO_TLS_KEY_H
#define TAO_TLS_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct tao_esys;

/* The provider's name, and the property its algorithms carry ("provider=tao-tpm"). */
#define TAO_TLS_KEY_PROVIDER "tao-tpm"

/*
 * An EVP_PKEY for the ECC P-256 key at the persistent handle, usable with
 * SSL_CTX_use_PrivateKey() (next to its certificate) and EVP_DigestSign*() with SHA-256. Its
 * signatures are made by the TPM through e, which must stay open while the key is in use (the
 * key does not own it; calls on e are serialized by a lock of this module). Returns 0, -ENOENT
 * (no key at the handle), -EINVAL (not an ECC P-256 key), -EIO or -ENOMEM, with a message.
 */
int tao_tls_key_load(struct tao_esys *e, uint32_t handle, EVP_PKEY **out, char *err, size_t errlen);

/* Is pkey one of this provider's TPM keys? */
int tao_tls_key_is_tpm(const EVP_PKEY *pkey);

/*
 * Counters since the process started (for tests and benchmarks): TPM2_Sign commands issued by
 * the provider, and digests it computed in software (one per EVP_DigestSign).
 */
unsigned long tao_tls_key_tpm_signs(void);
unsigned long tao_tls_key_sw_digests(void);
/* Wall-clock time spent in the TPM signing calls (nanoseconds; TPM2_ReadPublic + TPM2_Sign). */
unsigned long tao_tls_key_tpm_ns(void);

/* The provider that computed the provider's last digest ("default"), or NULL if none yet. */
const char *tao_tls_key_digest_provider(void);

#endif /* TAO_TLS_KEY_H */
