/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* struct tao_info: what TAO_CMD_GET_INFO reports, its validating parser and its two renderings. */
#ifndef TAO_INFO_H
#define TAO_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/tao.h>

#include "tao_digest.h"
#include "tao_limits.h"

struct nlmsghdr;
struct json_object;

struct tao_pcr_bank {
	uint16_t alg;	      /* TPM_ALG_ID */
	uint16_t digest_size; /* bytes, 1..TAO_MAX_DIGEST_SIZE */
};

struct tao_info {
	char module_version[TAO_NAME_MAX];
	uint8_t genl_version; /* version field of the reply's genl header */
	enum tao_tpm_state tpm_state;

	/* The rest is filled in only for TAO_TPM_STATE_TPM2. */
	char device[TAO_NAME_MAX]; /* "tpm0" */
	size_t n_banks;		   /* >= 1 */
	struct tao_pcr_bank banks[TAO_MAX_PCR_BANKS];

	bool has_rc;	 /* the TPM refused TPM2_GetCapability(TPM_PT_FIXED) */
	uint32_t tpm_rc; /* its response code, 0 for a transport error */

	bool has_props; /* the fixed properties below are valid */
	uint32_t manufacturer;
	char vendor[TAO_VENDOR_STRING_MAX + 1]; /* non-printable bytes replaced by '?' */
	uint32_t fw1, fw2;
	uint32_t spec_revision, spec_year, spec_day;

	/*
	 * The measurement log. Always there for a TPM 2.0; for the other states only if the
	 * module sent it (has_log).
	 */
	bool has_log;
	uint32_t log_pcr;     /* 0..23 */
	uint32_t log_entries; /* the next sequence number */
	uint64_t log_bytes, log_max_bytes;
	struct tao_stats {
		uint64_t measure, quote, tpm_errors, log_full, key_mismatch;
	} stats;
	/* Once the log has started: the log PCR's value in each bank when it did. */
	bool has_pcr_at_load;
	struct tao_digest_list pcr_at_load;
};

/*
 * Parse and validate a TAO_CMD_GET_INFO reply (a whole genl message). Returns 0, or -EPROTO
 * when the message is not a GET_INFO reply, -EBADMSG when an attribute is missing, malformed
 * or inconsistent; then a message naming the problem is written to err (if err != NULL) and
 * *out is left untouched. Attributes this version does not know are ignored.
 */
int tao_info_parse(struct nlmsghdr *nlh, struct tao_info *out, char *err, size_t errlen);

/* The JSON document described in docs/taoctl.md; NULL when out of memory. */
struct json_object *tao_info_to_json(const struct tao_info *info);

/* Human-readable "key: value" lines. Returns 0 or a negative errno from the stream. */
int tao_info_print(FILE *f, const struct tao_info *info);

#endif /* TAO_INFO_H */
