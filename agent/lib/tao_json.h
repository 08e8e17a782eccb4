/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* json-c helpers for libtao's JSON renderers: build a document as one chain of '&&'. */
#ifndef TAO_JSON_H
#define TAO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/*
 * Add v to obj under key / to the array arr. Both take ownership of v whatever happens and
 * report failure (false) for a NULL v or when json-c runs out of memory.
 */
bool tao_json_put(struct json_object *obj, const char *key, struct json_object *v);
bool tao_json_append(struct json_object *arr, struct json_object *v);

/* "0x" and v in exactly digits lower-case hex digits, as a JSON string; NULL without memory. */
struct json_object *tao_json_hex32(uint32_t v, int digits);

/* bytes as a lower-case hex JSON string ("" for none); NULL without memory. */
struct json_object *tao_json_hex_bytes(const uint8_t *buf, size_t len);

/* The key a PCR bank has in libtao's JSON objects: its hash name, or "0x%04x". Returns buf. */
const char *tao_json_bank_key(uint16_t alg, char buf[8]);

#endif /* TAO_JSON_H */
