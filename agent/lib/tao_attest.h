/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What a TPM signs when it attests: a strict parser of TPMS_ATTEST (quotes and certifications),
 * of TPMT_SIGNATURE, and the computation of a quote's pcrDigest from PCR values.
 */
#ifndef TAO_ATTEST_H
#define TAO_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_limits.h"
#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"

struct json_object;

#define TAO_TPM_GENERATED_VALUE	  0xff544347u /* "\xffTCG" */
#define TAO_TPM_ST_ATTEST_CERTIFY 0x8017
#define TAO_TPM_ST_ATTEST_QUOTE	  0x8018
/* TPM2B_DATA holds at most a TPMT_HA: a hash algorithm and a 64-byte digest. */
#define TAO_TPM_DATA_MAX (2 + TAO_MAX_DIGEST_SIZE)

struct tao_attest {
	uint32_t magic; /* always TAO_TPM_GENERATED_VALUE */
	uint16_t type;	/* TAO_TPM_ST_ATTEST_QUOTE or TAO_TPM_ST_ATTEST_CERTIFY */
	size_t qualified_signer_len;
	uint8_t qualified_signer[TAO_TPM_NAME_MAX];
	size_t extra_data_len; /* the nonce */
	uint8_t extra_data[TAO_TPM_DATA_MAX];
	struct {
		uint64_t clock;
		uint32_t reset_count, restart_count;
		bool safe;
	} clock_info;
	uint64_t firmware_version;
	union {
		struct {
			/* Banks in the TPM's order; size_of_select[i] is bank i's sizeofSelect. */
			struct tao_pcr_selection pcr_select;
			uint8_t size_of_select[TAO_MAX_PCR_BANKS];
			size_t pcr_digest_len;
			uint8_t pcr_digest[TAO_MAX_DIGEST_SIZE];
		} quote;
		struct {
			size_t name_len;
			uint8_t name[TAO_TPM_NAME_MAX];
			size_t qualified_name_len;
			uint8_t qualified_name[TAO_TPM_NAME_MAX];
		} certify;
	};
};

/*
 * Parse TPMS_ATTEST bytes: the magic, a quote's or a certification's type, every TPM2B's size
 * within its bounds and within the buffer, TPMI_YES_NO values, at most 16 banks of at most 4
 * select bytes selecting PCRs 0..23, no bank twice, no trailing bytes. Returns 0, or -EBADMSG
 * (-EOPNOTSUPP for another attestation type) with a message; *out is untouched on failure.
 */
int tao_attest_parse(const uint8_t *buf, size_t len, struct tao_attest *out, char *err,
		     size_t errlen);

/*
 * A quote's pcrDigest: H_hash_alg of the PCR values concatenated in the selection's order
 * (banks as listed, then PCR indices ascending). Returns the digest's length in out (64 bytes
 * do), -ENOENT when values lacks a selected PCR, or -EOPNOTSUPP for an unknown hash_alg, with a
 * message.
 */
int tao_pcr_digest(uint16_t hash_alg, const struct tao_pcr_selection *sel,
		   const struct tao_pcr_values *values, uint8_t *out, char *err, size_t errlen);

/* TPM_ALG_ID of signature schemes. */
#define TAO_TPM_ALG_HMAC      0x0005
#define TAO_TPM_ALG_RSASSA    0x0014
#define TAO_TPM_ALG_RSAPSS    0x0016
#define TAO_TPM_ALG_ECDSA     0x0018
#define TAO_TPM_ALG_ECDAA     0x001a
#define TAO_TPM_ALG_SM2	      0x001b
#define TAO_TPM_ALG_ECSCHNORR 0x001c

struct tao_signature {
	uint16_t sig_alg; /* TAO_TPM_ALG_* above, or TPM_ALG_NULL */
	uint16_t hash;	  /* TPM_ALG_NULL for a NULL signature */
	size_t r_len, s_len;
	uint8_t r[128], s[128]; /* ECC schemes */
	size_t sig_len;
	uint8_t sig[512]; /* RSA schemes: the signature; HMAC: the digest */
};

/* Parse TPMT_SIGNATURE bytes, as strictly as tao_attest_parse(). */
int tao_signature_parse(const uint8_t *buf, size_t len, struct tao_signature *out, char *err,
			size_t errlen);

/* "ecdsa", "rsassa", ...; NULL for another scheme. */
const char *tao_sig_alg_name(uint16_t alg);

/*
 * {"type": "quote", "qualified_signer": "hex", "extra_data": "hex", "clock": N,
 *  "reset_count": N, "restart_count": N, "safe": true, "firmware_version": "0x...",
 *  "pcr_select": {"sha256": [13]}, "pcr_digest": "hex"} (a certification has "name" and
 * "qualified_name" instead of the last two). NULL without memory.
 */
struct json_object *tao_attest_to_json(const struct tao_attest *a);

#endif /* TAO_ATTEST_H */
