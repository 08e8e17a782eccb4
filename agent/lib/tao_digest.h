/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Digest lists: one digest per PCR bank, as TAO_A_EVENT_DIGESTS and TAO_A_LOG_PCR_AT_LOAD carry
 * them (nests of TAO_A_DIGESTS_ENTRY), their strict parser and their encoder.
 */
#ifndef TAO_DIGEST_H
#define TAO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "tao_limits.h"

struct nlattr;
struct nl_msg;
struct json_object;

struct tao_digest {
	uint16_t alg;  /* TPM_ALG_ID */
	uint16_t size; /* 1..TAO_MAX_DIGEST_SIZE */
	uint8_t bytes[TAO_MAX_DIGEST_SIZE];
};

struct tao_digest_list {
	size_t n; /* no algorithm twice */
	struct tao_digest d[TAO_MAX_PCR_BANKS];
};

/* The digest of algorithm alg in l, or NULL. */
const struct tao_digest *tao_digest_list_find(const struct tao_digest_list *l, uint16_t alg);

/*
 * Parse a nest of TAO_A_DIGESTS_ENTRY (each TAO_A_DIGEST_ALG u16 and TAO_A_DIGEST_VALUE) into
 * *out: at least one entry, at most TAO_MAX_PCR_BANKS, no algorithm twice, and for a hash that
 * tao_alg_digest_size() knows, a value of exactly its size (1..64 bytes for others). what names
 * the nest in messages ("TAO_A_LOG_PCR_AT_LOAD"). Returns 0 or -EBADMSG; *out is untouched on
 * failure.
 */
int tao_digest_list_parse(struct nlattr *nest, const char *what, struct tao_digest_list *out,
			  char *err, size_t errlen);

/* Append l to msg as a nest of type attrtype. Returns 0 or -EMSGSIZE. */
int tao_digest_list_put(struct nl_msg *msg, int attrtype, const struct tao_digest_list *l);

/*
 * Parse "BANK:HEX" (BANK a hash name such as "sha256", HEX its digest, of exactly its size) into
 * *out. Returns 0 or -EINVAL with a message in err.
 */
int tao_digest_parse_arg(const char *arg, struct tao_digest *out, char *err, size_t errlen);

/* {"sha256": "hex", ...}: l keyed as tao_json_bank_key(), in l's order; NULL without memory. */
struct json_object *tao_digest_list_to_json(const struct tao_digest_list *l);

#endif /* TAO_DIGEST_H */
