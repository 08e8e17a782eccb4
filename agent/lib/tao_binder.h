/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The binder of docs/protocol.md section 1: what ties evidence to one TLS 1.3 session.
 *
 *   ekm    = TLS-Exporter("EXPORTER-tao-attestation-v1", context empty, 32 bytes)
 *   binder = SHA-256("tao attestation v1" || DER(SubjectPublicKeyInfo of the device's leaf) || ekm)
 */
#ifndef TAO_BINDER_H
#define TAO_BINDER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#define TAO_BINDER_LABEL  "EXPORTER-tao-attestation-v1"
#define TAO_BINDER_PREFIX "tao attestation v1"
#define TAO_BINDER_LEN	  32

/*
 * The exporter value of the session on ssl (label above, zero-length context). -EPROTO unless
 * the handshake is complete and the session is TLS 1.3; -EIO if OpenSSL fails.
 */
int tao_binder_ekm(SSL *ssl, uint8_t ekm[TAO_BINDER_LEN]);

/* The binder from an exporter value and the leaf's DER SubjectPublicKeyInfo (pure). */
int tao_binder_from_ekm(const uint8_t ekm[TAO_BINDER_LEN], const uint8_t *leaf_spki_der, size_t len,
			uint8_t out[TAO_BINDER_LEN]);

/* The binder of the session on ssl for the device leaf key given as DER SubjectPublicKeyInfo. */
int tao_binder_compute(SSL *ssl, const uint8_t *leaf_spki_der, size_t len,
		       uint8_t out[TAO_BINDER_LEN]);

/*
 * The same with the device's certificate: on the device, its own (SSL_get_certificate()); on
 * the verifier, the peer's (SSL_get0_peer_certificate()). -EINVAL for a NULL certificate.
 */
int tao_binder_compute_cert(SSL *ssl, X509 *leaf, uint8_t out[TAO_BINDER_LEN]);

#endif /* TAO_BINDER_H */
