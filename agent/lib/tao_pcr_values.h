/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * PCR values as TAO_A_PCR_VALUES carries them (PCR_READ and QUOTE replies): the strict parser,
 * the TAO_CMD_PCR_READ reply, and their JSON and human renderings.
 */
#ifndef TAO_PCR_VALUES_H
#define TAO_PCR_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tao_limits.h"
#include "tao_pcr_sel.h"

struct nlattr;
struct nlmsghdr;
struct json_object;

struct tao_pcr_value {
	uint16_t alg;  /* TPM_ALG_ID of the bank */
	uint8_t index; /* 0..23 */
	uint8_t size;  /* digest bytes, 1..TAO_MAX_DIGEST_SIZE, the same for a whole bank */
	uint8_t digest[TAO_MAX_DIGEST_SIZE];
};

/* Sorted: banks in the order of their first appearance in the reply, then PCR index. */
struct tao_pcr_values {
	size_t n;
	struct tao_pcr_value v[TAO_MAX_PCR_VALUES];
};

/* What TAO_CMD_PCR_READ replies. */
struct tao_pcr_read {
	uint32_t update_counter;
	struct tao_pcr_values values;
};

/*
 * Parse a TAO_A_PCR_VALUES nest (TAO_A_PCR_VALUES_ENTRY nests of TAO_A_PCR_ALG, TAO_A_PCR_INDEX,
 * TAO_A_PCR_DIGEST): at least one entry, PCR indices 0..23, no PCR twice, at most 16 banks, one
 * digest size per bank (the hash's size when tao_alg_digest_size() knows it). Returns 0 or
 * -EBADMSG with a message; *out is untouched on failure.
 */
int tao_pcr_values_parse(struct nlattr *nest, struct tao_pcr_values *out, char *err, size_t errlen);

/* Parse a whole TAO_CMD_PCR_READ reply; as tao_info_parse(). */
int tao_pcr_read_parse(struct nlmsghdr *nlh, struct tao_pcr_read *out, char *err, size_t errlen);

/* The value of PCR index in bank alg, or NULL. */
const struct tao_pcr_value *tao_pcr_values_find(const struct tao_pcr_values *v, uint16_t alg,
						unsigned int index);

/* The selection that v covers, banks in v's order. */
void tao_pcr_values_selection(const struct tao_pcr_values *v, struct tao_pcr_selection *sel);

/*
 * Check that v holds exactly the PCRs of sel (same banks, same PCRs; order aside). Returns 0 or
 * -EBADMSG with a message naming the first difference.
 */
int tao_pcr_values_check(const struct tao_pcr_values *v, const struct tao_pcr_selection *sel,
			 char *err, size_t errlen);

/* {"sha256": {"0": "hex", "7": "hex"}, ...}: banks keyed as tao_json_bank_key(). */
struct json_object *tao_pcr_values_to_json(const struct tao_pcr_values *v);

/* One "BANK:" line per bank, then "  NN: hex" per PCR. Returns 0 or -EIO. */
int tao_pcr_values_print(FILE *f, const struct tao_pcr_values *v);

#endif /* TAO_PCR_VALUES_H */
