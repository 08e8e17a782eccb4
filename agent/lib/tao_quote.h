/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The reply of TAO_CMD_QUOTE: its strict parser and its JSON rendering. */
#ifndef TAO_QUOTE_H
#define TAO_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_attest.h"
#include "tao_digest.h"
#include "tao_limits.h"
#include "tao_pcr_values.h"

struct nlmsghdr;
struct json_object;

struct tao_quote {
	size_t attest_len; /* TPMS_ATTEST bytes, as signed */
	uint8_t attest[TAO_ATTEST_MAX];
	size_t signature_len; /* TPMT_SIGNATURE bytes */
	uint8_t signature[TAO_SIGNATURE_MAX];
	struct tao_attest parsed_attest; /* always a quote */
	struct tao_signature parsed_signature;
	struct tao_pcr_values values; /* exactly the PCRs the quote selects */
	uint32_t log_entries;	      /* the quote covers log entries 0..log_entries-1 */
	uint32_t role, handle;
	size_t key_name_len;
	uint8_t key_name[TAO_TPM_NAME_MAX];
	/* The log's origin (TAO_A_LOG_PCR, TAO_A_LOG_PCR_AT_LOAD), when the module sends it. */
	bool has_log_origin;
	uint32_t log_pcr;
	struct tao_digest_list pcr_at_load;
};

/*
 * Parse a TAO_CMD_QUOTE reply; as tao_info_parse(). Beyond each attribute: the attestation must
 * be a quote (tao_attest_parse()), the signature a TPMT_SIGNATURE, and the PCR values exactly
 * the PCRs the quote selects.
 */
int tao_quote_parse(struct nlmsghdr *nlh, struct tao_quote *out, char *err, size_t errlen);

/*
 * {"role": "iak", "handle": "0x81000001", "key_name": "hex", "log_entries": N,
 *  "nonce": "hex", "attest": {tao_attest_to_json()}, "signature": {"algorithm": "ecdsa",
 *  "hash": "sha256"}, "pcrs": {tao_pcr_values_to_json()}, "quote_msg": "hex",
 *  "quote_sig": "hex"}. NULL without memory.
 */
struct json_object *tao_quote_to_json(const struct tao_quote *q);

#endif /* TAO_QUOTE_H */
