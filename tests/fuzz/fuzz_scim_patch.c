// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: arbitrary bytes as a SCIM PatchOp (and as a Device to create or replace,
 * and as an attributes list) against a stored RFC 9944 Device with the registrar's own schema
 * tables. Must never crash, leak or change the stored resource.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scim_resource.h"
#include "scim_schema.h"
#include "tao_json_strict.h"
#include "tao_nla.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char device[] =
	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\","
	"\"urn:ietf:params:scim:schemas:extension:ble:2.0:Device\"],"
	"\"displayName\":\"BLE Heart Monitor\",\"active\":true,"
	"\"urn:ietf:params:scim:schemas:extension:ble:2.0:Device\":{\"versionSupport\":[\"5.3\"],"
	"\"deviceMacAddress\":\"2C:54:91:88:C9:E2\",\"isRandom\":false,\"mobility\":true,"
	"\"pairingMethods\":[\"urn:ietf:params:scim:schemas:extension:pairingPassKey:2.0:Device\"],"
	"\"urn:ietf:params:scim:schemas:extension:pairingPassKey:2.0:Device\":{\"key\":123456}}}";

static const struct scim_resource_type *rt;
static struct json_object *stored;
static char *stored_text;

static void init(void)
{
	struct json_object *in = json_tokener_parse(device);
	struct scim_error e = { 0 };

	rt = scim_resource_type_find("Device");
	if (!rt || !in || scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &stored, &e) < 0)
		abort();
	json_object_object_add(stored, "id",
			       json_object_new_string("e9e30dba-f08f-4109-8486-d5c6a3316111"));
	stored_text = strdup(json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN));
	json_object_put(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *in = NULL, *out = NULL;
	struct scim_error e = { 0 };
	char err[256], *attrs;
	struct tao_perr pe = { err, sizeof(err) };

	if (!rt)
		init();
	/* As an attributes / excludedAttributes list. */
	attrs = malloc(size + 1);
	if (!attrs)
		return 0;
	memcpy(attrs, data, size);
	attrs[size] = '\0';
	out = scim_resource_project(rt, stored, attrs, NULL, &e);
	json_object_put(out);
	out = scim_resource_project(rt, stored, NULL, attrs, &e);
	json_object_put(out);
	free(attrs);

	if (tao_json_parse_bounded((const char *)data, size, "input", 16, 256, &in, &pe) < 0)
		return 0;
	out = NULL;
	if (scim_resource_patch(rt, stored, in, &out, &e) == 0)
		json_object_put(out);
	out = NULL;
	if (scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &out, &e) == 0)
		json_object_put(out);
	out = NULL;
	if (scim_resource_check(rt, SCIM_WRITE_REPLACE, in, stored, &out, &e) == 0)
		json_object_put(out);
	json_object_put(in);
	/* The stored resource is never touched. */
	if (strcmp(stored_text, json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN)))
		abort();
	return 0;
}
