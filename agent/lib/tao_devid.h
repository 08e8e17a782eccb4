/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Device identity certificates (docs/provisioning.md): the simulated manufacturer CA, the IAK
 * and IDevID certificates it issues, and PKCS#10 requests signed by a key held elsewhere (the
 * TPM). Pure OpenSSL: no TPM here, so the unit tests can stand a software key in for it.
 */
#ifndef TAO_DEVID_H
#define TAO_DEVID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;
typedef struct X509_req_st X509_REQ;

/* TCG OIDs of the certificate profiles. */
#define TAO_OID_TCG_KP_AIK_CERTIFICATE "2.23.133.8.3"	 /* EKU: attestation key */
#define TAO_OID_TCG_CAP_TPM_RESIDENCY  "2.23.133.11.1.1" /* policy: key resides in a TPM */
#define TAO_OID_TCG_CAP_TPM_FIXED      "2.23.133.11.1.2" /* policy: fixedTPM */
#define TAO_OID_TCG_CAP_TPM_RESTRICTED "2.23.133.11.1.3" /* policy: restricted */

/* A device serial number: 1..64 printable ASCII characters (X.520 serialNumber). */
#define TAO_SERIAL_MAX 64

enum tao_devid_kind {
	TAO_DEVID_IAK,
	TAO_DEVID_IDEVID,
};

/*
 * The manufacturer CA in dir: dir/ca.key (PKCS#8 PEM, mode 0600) and dir/ca.pem (self-signed,
 * P-256). Loaded when both exist; created (with dir, mode 0700) when neither does; a CA with
 * one of the two files missing, or a key that does not match the certificate, is an error.
 * Returns 0 (*created tells which) or a negative errno with a message.
 */
int tao_ca_load_or_create(const char *dir, EVP_PKEY **key, X509 **cert, bool *created, char *err,
			  size_t errlen);

/* The same for any CA: subject O=org, CN=cn (the registrar's operator CA). */
int tao_ca_load_or_create_named(const char *dir, const char *org, const char *cn, EVP_PKEY **key,
				X509 **cert, bool *created, char *err, size_t errlen);

/*
 * A TLS server certificate for subject_key: CN=cn, subjectAltName san in OpenSSL's syntax
 * ("DNS:localhost,IP:127.0.0.1"), EKU serverAuth, valid for days, signed by the CA.
 */
int tao_server_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key, const char *cn,
			  const char *san, int days, X509 **out, char *err, size_t errlen);

/*
 * Issue the certificate of kind for subject_key, device serial number serial: subject
 * CN=<kind> <serial>, serialNumber=<serial>; notAfter 99991231235959Z (IEEE 802.1AR: no
 * expiration); CA:FALSE, keyUsage digitalSignature (critical); EKU clientAuth (IDevID) or
 * tcg-kp-AIKCertificate (IAK); TCG certificate policies; key identifiers. Signed with ca_key
 * (ECDSA/SHA-256).
 */
int tao_devid_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key,
			 enum tao_devid_kind kind, const char *serial, X509 **out, char *err,
			 size_t errlen);

/*
 * An LDevID certificate (docs/provisioning.md) for subject_key, issued by the operator CA:
 * subject CN=LDevID <serial>, serialNumber=<serial> (the device's IDevID serial), a random
 * serial number, valid from an hour ago for days days, CA:FALSE, keyUsage digitalSignature
 * (critical), EKU clientAuth, the TCG policies of a TPM-resident, fixedTPM key, key identifiers;
 * ECDSA/SHA-256.
 */
int tao_ldevid_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key,
			  const char *serial, int days, X509 **out, char *err, size_t errlen);

/* A valid serial (see TAO_SERIAL_MAX)? */
bool tao_serial_valid(const char *serial);

/* The subject's serialNumber of cert into buf; -ENOENT if it has none. */
int tao_cert_serial(X509 *cert, char *buf, size_t len);

/*
 * Signs a SHA-256 digest with the key of the request; the signature as a DER ECDSA-Sig-Value in
 * a malloc()ed *der. Returns 0 or a negative errno with a message.
 */
typedef int (*tao_sign_digest_fn)(void *arg, const uint8_t digest[32], uint8_t **der,
				  size_t *der_len, char *err, size_t errlen);

/*
 * A PKCS#10 request for pub (a P-256 key) with subject ("CN=name,O=org", ',' separating RDNs;
 * at least one), signed ecdsa-with-SHA256 by sign over the DER of its CertificationRequestInfo.
 * The request is checked with its own key before it is returned.
 */
int tao_csr_build(EVP_PKEY *pub, const char *subject, tao_sign_digest_fn sign, void *arg,
		  X509_REQ **out, char *err, size_t errlen);

/* Read every PEM certificate of path (leaf first) into certs[0..max); returns the count. */
int tao_pem_read_certs(const char *path, X509 **certs, size_t max, char *err, size_t errlen);

/* Write PEM certificates (or a request, when req is not NULL) to path, atomically. */
int tao_pem_write_certs(const char *path, X509 *const *certs, size_t n, char *err, size_t errlen);
int tao_pem_write_req(const char *path, X509_REQ *req, char *err, size_t errlen);

/*
 * Write len bytes to path atomically and durably: a temporary file in the same directory, fsync,
 * rename, fsync of the directory. mode as for open(2). Returns 0 or a negative errno.
 */
int tao_write_atomic(const char *path, const void *buf, size_t len, unsigned int mode);

#endif /* TAO_DEVID_H */
