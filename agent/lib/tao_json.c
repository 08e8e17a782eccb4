// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* json-c helpers shared by libtao's JSON renderers. */
#include "tao_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "tao_hex.h"
#include "tao_names.h"

bool tao_json_put(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

bool tao_json_append(struct json_object *arr, struct json_object *v)
{
	if (!v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

struct json_object *tao_json_hex32(uint32_t v, int digits)
{
	char buf[sizeof("0x") + 8];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx32, digits, v);
	return json_object_new_string(buf);
}

struct json_object *tao_json_hex_bytes(const uint8_t *buf, size_t len)
{
	char *hex = tao_hex_alloc(buf, len);
	struct json_object *v;

	if (!hex)
		return NULL;
	v = json_object_new_string_len(hex, (int)(2 * len));
	free(hex);
	return v;
}

const char *tao_json_bank_key(uint16_t alg, char buf[8])
{
	const char *name = tao_alg_name(alg);

	if (name)
		return name;
	snprintf(buf, 8, "0x%04x", alg);
	return buf;
}
