/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The TPM from userspace through tpm2-tss ESAPI: what provisioning and evidence need besides the
 * module (creating and persisting keys, reading public areas, TPM2_Certify, TPM2_Sign). Every
 * transient object is flushed on every path.
 */
#ifndef TAO_TPM_ESYS_H
#define TAO_TPM_ESYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_limits.h"

struct tao_esys;

/* Persistent handles (docs/provisioning.md): the TCG DevID range 0x8102xxxx. */
#define TAO_HANDLE_IAK	  0x81020000u
#define TAO_HANDLE_IDEVID 0x81020001u
#define TAO_HANDLE_LDEVID 0x81020002u
/* The TCG's persistent SRK handle; used as the LDevID's parent when it holds a key. */
#define TAO_HANDLE_SRK 0x81000001u

/* The key templates libtao creates (all ECC NIST P-256, nameAlg SHA-256). */
enum tao_esys_template {
	TAO_TEMPLATE_IAK,   /* restricted signing, ECDSA/SHA-256 */
	TAO_TEMPLATE_DEVID, /* unrestricted signing, no scheme (IDevID, LDevID) */
};

/*
 * The TCTI configuration libtao uses: $TAO_TCTI, else $TPM2TOOLS_TCTI, else
 * "device:/dev/tpmrm0".
 */
const char *tao_esys_tcti_conf(void);

/*
 * Open ESAPI over tao_esys_tcti_conf(). Returns 0, or -ENODEV (no TPM behind the TCTI) / -EIO
 * with a message.
 */
int tao_esys_open(struct tao_esys **out, char *err, size_t errlen);

/* Accepts NULL. */
void tao_esys_close(struct tao_esys *e);

static inline void tao_esys_closep(struct tao_esys **e)
{
	tao_esys_close(*e);
}

/*
 * The TPM response code of the last TPM failure on e (0 if none): for callers that turn some
 * codes into their own messages.
 */
uint32_t tao_esys_last_rc(const struct tao_esys *e);

/* Is a key at the persistent handle? 1 yes, 0 no, or -EIO with a message. */
int tao_esys_exists(struct tao_esys *e, uint32_t handle, char *err, size_t errlen);

/*
 * Create a primary key of template tmpl in the endorsement hierarchy and persist it at handle
 * (which must be free). Returns 0 or -EIO / -EEXIST with a message.
 */
int tao_esys_create_primary_persist(struct tao_esys *e, enum tao_esys_template tmpl,
				    uint32_t handle, char *err, size_t errlen);

/*
 * Create a key of template tmpl under the storage root key — the key persisted at
 * TAO_HANDLE_SRK if there is one, else a primary of the TCG's ECC P-256 SRK template created
 * for the call and flushed — and persist it at handle (which must be free).
 */
int tao_esys_create_child_persist(struct tao_esys *e, enum tao_esys_template tmpl, uint32_t handle,
				  char *err, size_t errlen);

/* Remove the persistent key at handle (TPM2_EvictControl, owner authorization). */
int tao_esys_evict(struct tao_esys *e, uint32_t handle, char *err, size_t errlen);

/*
 * The marshalled TPMT_PUBLIC (no size prefix) of the key at handle, into tpmt
 * (TAO_TPM2B_PUBLIC_MAX bytes). Returns its length, -ENOENT when no key is there, or -EIO.
 */
int tao_esys_read_public(struct tao_esys *e, uint32_t handle, uint8_t *tpmt, char *err,
			 size_t errlen);

/*
 * TPM2_Certify of the key at object by the key at signer, with qualifying data qual. The
 * TPMS_ATTEST goes to attest (TAO_ATTEST_MAX bytes), the marshalled TPMT_SIGNATURE to sig
 * (TAO_SIGNATURE_MAX bytes), their lengths to *attest_len and *sig_len.
 */
int tao_esys_certify(struct tao_esys *e, uint32_t object, uint32_t signer, const uint8_t *qual,
		     size_t qual_len, uint8_t *attest, size_t *attest_len, uint8_t *sig,
		     size_t *sig_len, char *err, size_t errlen);

/*
 * TPM2_Sign of a SHA-256 digest with the unrestricted ECC key at handle (ECDSA/SHA-256); the
 * signature as a DER ECDSA-Sig-Value in a malloc()ed *der.
 */
int tao_esys_sign_sha256(struct tao_esys *e, uint32_t handle, const uint8_t digest[32],
			 uint8_t **der, size_t *der_len, char *err, size_t errlen);

struct tao_pcr_selection;
struct tao_pcr_values;

/*
 * Open ESAPI over the TCTI configuration conf ("swtpm:host=127.0.0.1,port=2321"; NULL:
 * tao_esys_tcti_conf()), so that one process can talk to several TPMs. Errors as tao_esys_open().
 */
int tao_esys_open_tcti(const char *conf, struct tao_esys **out, char *err, size_t errlen);

/*
 * TPM2_Quote of the PCRs of sel by the key at signer (with its own scheme), qualifying data
 * qual. Outputs as tao_esys_certify(). -EINVAL for a selection the TPM cannot be asked for (no
 * PCR at all, PCRs above 23).
 */
int tao_esys_quote(struct tao_esys *e, uint32_t signer, const uint8_t *qual, size_t qual_len,
		   const struct tao_pcr_selection *sel, uint8_t *attest, size_t *attest_len,
		   uint8_t *sig, size_t *sig_len, char *err, size_t errlen);

/*
 * The values of the PCRs of sel, in selection order (banks as listed, PCR indices ascending),
 * as struct tao_pcr_values holds them. TPM2_PCR_Read returns at most 8 digests at a time: the
 * reads are repeated until every PCR is read, and all over again (a few times) when the TPM's
 * PCR update counter moved in between, so that the values are one consistent snapshot.
 * -ENOENT when the TPM does not return a selected PCR (a bank it has not allocated).
 */
int tao_esys_pcr_read(struct tao_esys *e, const struct tao_pcr_selection *sel,
		      struct tao_pcr_values *out, char *err, size_t errlen);

/* TPM2_PCR_Extend of the SHA-256 bank of PCR pcr (0..23) with digest; other banks untouched. */
int tao_esys_pcr_extend_sha256(struct tao_esys *e, unsigned int pcr, const uint8_t digest[32],
			       char *err, size_t errlen);

#endif /* TAO_TPM_ESYS_H */
