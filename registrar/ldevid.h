/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * LDevID issuance at enrollment (docs/scim.md section 2.5, docs/protocol.md section 8): the
 * request a device sends in the attestation extension — a PKCS#10 CSR and the IAK's
 * TPM2_Certify of the CSR's key, qualified by the session's binder — checked, and the operator
 * CA's certificate for it.
 */
#ifndef TAO_REGISTRAR_LDEVID_H
#define TAO_REGISTRAR_LDEVID_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct json_object;
struct reg_ldevid;

/* The extension's member names. */
#define REG_LDEVID_CSR	   "ldevidCsr"
#define REG_LDEVID_CERTIFY "ldevidCertify"
#define REG_LDEVID_CERT	   "ldevidCertificate"

/*
 * Read the LDevID request of an attestation extension object (names matched
 * case-insensitively): ldevidCsr (base64 DER, padded), ldevidCertify.attest, .signature and
 * .public (base64url, as in the evidence). Checks the syntax, the CSR's self-signature and that
 * TPMT_PUBLIC parses. Returns 0 with *out NULL when the extension asks for no LDevID, 0 with a
 * request, or -EINVAL (-ENOMEM) with a message naming the member.
 */
int reg_ldevid_parse(struct json_object *ext, struct reg_ldevid **out, char *err, size_t errlen);

void reg_ldevid_free(struct reg_ldevid *l);

/*
 * The certification: magic, type TPM_ST_ATTEST_CERTIFY, signed by iak (the IAK certificate's
 * key of the accepted evidence), extraData == binder (this connection's), the certified Name ==
 * Name(TPMT_PUBLIC); the key fixedTPM, fixedParent, sensitiveDataOrigin, sign, not restricted;
 * and the CSR's public key is that key. Returns 0 or -EINVAL with a precise message.
 */
int reg_ldevid_verify(const struct reg_ldevid *l, EVP_PKEY *iak, const uint8_t binder[32],
		      char *err, size_t errlen);

/*
 * Issue the LDevID certificate of a verified request for device serial (tao_ldevid_cert_issue).
 * *serial_hex gets the certificate's serial number in upper-case hex (at least 41 bytes).
 */
int reg_ldevid_issue(const struct reg_ldevid *l, EVP_PKEY *ca_key, X509 *ca_cert,
		     const char *serial, int days, X509 **out, char *serial_hex, size_t hex_len,
		     char *err, size_t errlen);

/* A certificate's serial number in upper-case hex (as `openssl x509 -serial`): 0 or -ENOMEM. */
int reg_cert_serial_hex(const X509 *cert, char *buf, size_t len);

/*
 * A serial number as the user typed it ("4A3F...", "4a:3f:...", "serial=4A3F...") in the
 * canonical form; -EINVAL when it is not hex.
 */
int reg_serial_hex_canon(const char *in, char *buf, size_t len);

#endif /* TAO_REGISTRAR_LDEVID_H */
