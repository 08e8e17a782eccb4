// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The registrar's SCIM schemas and resources (registrar/scim_schema.c, scim_resource.c): RFC
 * 9944's example objects (tests/registrar/vectors/rfc9944, with their source) are accepted and
 * round-trip; what is refused, with which scimType and message; projection; discovery.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "scim_resource.h"
#include "scim_schema.h"

#define CORE	  "urn:ietf:params:scim:schemas:core:2.0:Device"
#define APP	  "urn:ietf:params:scim:schemas:core:2.0:EndpointApp"
#define BLE	  "urn:ietf:params:scim:schemas:extension:ble:2.0:Device"
#define DPP	  "urn:ietf:params:scim:schemas:extension:dpp:2.0:Device"
#define MAB	  "urn:ietf:params:scim:schemas:extension:ethernet-mab:2.0:Device"
#define FDO	  "urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device"
#define ZIGBEE	  "urn:ietf:params:scim:schemas:extension:zigbee:2.0:Device"
#define APPS	  "urn:ietf:params:scim:schemas:extension:endpointAppsExt:2.0:Device"
#define ATT	  "urn:x-tao:scim:schemas:extension:attestation:1.0:Device"
#define P_NULL	  "urn:ietf:params:scim:schemas:extension:pairingNull:2.0:Device"
#define P_JUST	  "urn:ietf:params:scim:schemas:extension:pairingJustWorks:2.0:Device"
#define P_PASSKEY "urn:ietf:params:scim:schemas:extension:pairingPassKey:2.0:Device"
#define P_OOB	  "urn:ietf:params:scim:schemas:extension:pairingOOB:2.0:Device"
#define BASE	  "https://registrar.example:8443/scim/v2"

static const struct scim_resource_type *device(void)
{
	const struct scim_resource_type *rt = scim_resource_type_find("Device");

	assert_non_null(rt);
	return rt;
}

static const struct scim_resource_type *app(void)
{
	const struct scim_resource_type *rt = scim_resource_type_find("EndpointApp");

	assert_non_null(rt);
	return rt;
}

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static struct json_object *vector(const char *name)
{
	char path[512];
	struct json_object *o;

	snprintf(path, sizeof(path), "%s/%s", RFC9944_DIR, name);
	o = json_object_from_file(path);
	if (!o)
		fail_msg("cannot read %s", path);
	return o;
}

static struct json_object *at(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

static void assert_json_equal(struct json_object *got, struct json_object *want)
{
	if (!json_object_equal(got, want))
		fail_msg("got\n%s\nwant\n%s",
			 json_object_to_json_string_ext(got, JSON_C_TO_STRING_PRETTY),
			 json_object_to_json_string_ext(want, JSON_C_TO_STRING_PRETTY));
}

/* got equals the JSON text want. */
static void assert_json_text(struct json_object *got, const char *want_text)
{
	struct json_object *want = parse(want_text);

	assert_json_equal(got, want);
	json_object_put(want);
}

/* check must fail with 400, scimType and exactly this detail. */
static void refused(const struct scim_resource_type *rt, enum scim_write how, const char *in_text,
		    const char *old_text, const char *scim_type, const char *detail)
{
	struct json_object *in = parse(in_text), *old = old_text ? parse(old_text) : NULL;
	struct json_object *out = (void *)1;
	struct scim_error e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(scim_resource_check(rt, how, in, old, &out, &e), -1);
	assert_null(out);
	assert_int_equal(e.status, 400);
	assert_non_null(e.scim_type);
	assert_string_equal(e.scim_type, scim_type);
	assert_string_equal(e.detail, detail);
	json_object_put(in);
	json_object_put(old);
}

static struct json_object *accepted(const struct scim_resource_type *rt, enum scim_write how,
				    struct json_object *in, struct json_object *old)
{
	struct json_object *out = NULL;
	struct scim_error e;

	memset(&e, 0, sizeof(e));
	if (scim_resource_check(rt, how, in, old, &out, &e) != 0)
		fail_msg("refused: %d %s %s\n%s", e.status, e.scim_type ? e.scim_type : "-",
			 e.detail, json_object_to_json_string(in));
	assert_non_null(out);
	return out;
}

static struct json_object *accepted_text(const struct scim_resource_type *rt, const char *text)
{
	struct json_object *in = parse(text), *out = accepted(rt, SCIM_WRITE_CREATE, in, NULL);

	json_object_put(in);
	return out;
}

static struct json_object *project(const struct scim_resource_type *rt, struct json_object *stored,
				   const char *attrs, const char *excl)
{
	struct scim_error e;
	struct json_object *p;

	memset(&e, 0, sizeof(e));
	p = scim_resource_project(rt, stored, attrs, excl, &e);
	if (!p)
		fail_msg("project: %d %s %s", e.status, e.scim_type ? e.scim_type : "-", e.detail);
	return p;
}

static void drop_schema(struct json_object *o, const char *urn)
{
	struct json_object *s = at(o, "schemas");

	for (size_t i = 0; i < json_object_array_length(s); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(s, i)), urn) == 0) {
			json_object_array_del_idx(s, i, 1);
			return;
		}
	fail_msg("no %s in schemas", urn);
}

/* --- the RFC 9944 examples --- */

/*
 * Each example: accepted (create), stored without the server's id/meta and readOnly values, and
 * returned (default projection) as the input minus what the server owns (readOnly: dropped on
 * input), never returns (writeOnly secrets) or holds as unassigned (nulls). The expected edits
 * are spelled out per example.
 */
static void round_trip(const char *file, const struct scim_resource_type *rt,
		       void (*expect)(struct json_object *want), const char *const *secrets)
{
	struct json_object *in = vector(file), *want = vector(file);
	struct json_object *stored = accepted(rt, SCIM_WRITE_CREATE, in, NULL);
	struct json_object *got;
	const char *text;

	/* The client's id and meta are ignored (readOnly). */
	assert_null(at(stored, "id"));
	assert_null(at(stored, "meta"));
	got = project(rt, stored, NULL, NULL);
	json_object_object_del(want, "id");
	json_object_object_del(want, "meta");
	if (expect)
		expect(want);
	assert_json_equal(got, want);
	text = json_object_to_json_string(got);
	for (; secrets && *secrets; secrets++) {
		/* Stored (write-only: the server needs it), never returned. */
		assert_non_null(strstr(json_object_to_json_string(stored), *secrets));
		assert_null(strstr(text, *secrets));
	}
	/* Checking what is stored again changes nothing (it is already canonical). */
	{
		struct json_object *again = accepted(rt, SCIM_WRITE_CREATE, stored, NULL);

		assert_json_equal(again, stored);
		json_object_put(again);
	}
	json_object_put(in);
	json_object_put(want);
	json_object_put(stored);
	json_object_put(got);
}

static void expect_ble_all(struct json_object *want)
{
	struct json_object *ble = at(want, BLE);

	/* pairingNull: null is unassigned; Just Works' "key": null likewise (an empty object). */
	json_object_object_del(ble, P_NULL);
	json_object_object_del(at(ble, P_JUST), "key");
}

static void expect_dpp(struct json_object *want)
{
	json_object_object_del(at(want, DPP), "bootstrapKey");
}

static void expect_fdo(struct json_object *want)
{
	/* fdoVoucher is the only attribute: nothing of the extension is returned. */
	json_object_object_del(want, FDO);
	drop_schema(want, FDO);
}

static void expect_endpoints(struct json_object *want)
{
	struct json_object *ext = at(want, APPS), *apps = at(ext, "applications");

	/* $ref and both enterprise endpoints are readOnly: the server sets them. */
	for (size_t i = 0; i < json_object_array_length(apps); i++)
		json_object_object_del(json_object_array_get_idx(apps, i), "$ref");
	json_object_object_del(ext, "deviceControlEnterpriseEndpoint");
	json_object_object_del(ext, "telemetryEnterpriseEndpoint");
}

static void test_rfc9944_examples(void **state)
{
	static const char *const dpp_secret[] = { "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgAD", NULL };
	static const char *const fdo_secret[] = { "{... voucher ...}", NULL };

	(void)state;
	round_trip("SCIM_device_core_schema_object.json", device(), NULL, NULL);
	round_trip("SCIM_device_ble_object.json", device(), expect_ble_all, NULL);
	round_trip("SCIM_device_ble_object_v1.json", device(), NULL, NULL);
	round_trip("SCIM_device_ble_object_v2.json", device(), NULL, NULL);
	round_trip("SCIM_device_ble_object_v3.json", device(), NULL, NULL);
	round_trip("SCIM_device_dpp_object.json", device(), expect_dpp, dpp_secret);
	round_trip("SCIM_device_mab_object.json", device(), NULL, NULL);
	round_trip("SCIM_device_zigbee_object.json", device(), NULL, NULL);
	round_trip("SCIM_device_fdo_object.json", device(), expect_fdo, fdo_secret);
	round_trip("SCIM_device_endpoints_with_ble_object.json", device(), expect_endpoints, NULL);
	round_trip("SCIM_endpointapp_schema_object.json", app(), NULL, NULL);
}

/* The irk (BLE) is stored and never returned, in any projection. */
static void test_irk_never_returned(void **state)
{
	struct json_object *in = vector("SCIM_device_ble_object_v1.json"), *stored, *p;

	(void)state;
	json_object_object_add(at(in, BLE), "irk", json_object_new_string("SECRETIRK0123456"));
	stored = accepted(device(), SCIM_WRITE_CREATE, in, NULL);
	assert_string_equal(json_object_get_string(at(at(stored, BLE), "irk")), "SECRETIRK0123456");
	p = project(device(), stored, NULL, NULL);
	assert_null(strstr(json_object_to_json_string(p), "SECRETIRK"));
	json_object_put(p);
	p = project(device(), stored, BLE, NULL);
	assert_null(strstr(json_object_to_json_string(p), "SECRETIRK"));
	json_object_put(p);
	p = project(device(), stored, BLE ":irk", NULL);
	assert_null(at(p, BLE));
	json_object_put(p);
	json_object_put(in);
	json_object_put(stored);
}

/* One stored body's default representation, spliced with meta, against the json-c path. */
static void rep_matches(const struct scim_resource_type *rt, struct json_object *stored,
			const char *location)
{
	static const char id[] = "0f0e0d0c-0b0a-4908-8706-050403020100";
	struct json_object *full, *meta, *p;
	struct scim_error e;
	char body[16384], metatext[4096], *rep, *spliced;
	int64_t at_ = -1;
	int n;

	/* What the store keeps: the checked resource without id and meta. */
	json_object_object_del(stored, "id");
	json_object_object_del(stored, "meta");
	snprintf(body, sizeof(body), "%s",
		 json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN));
	rep = scim_resource_rep(rt, id, body, &at_);
	assert_non_null(rep);
	assert_true(at_ > 0 && (size_t)at_ < strlen(rep));
	n = scim_rep_meta(metatext, sizeof(metatext), rt->name, "2026-11-27T04:00:00.123Z",
			  "2026-11-27T05:00:00.000Z", location, "W/\"7\"");
	assert_true(n > 0);
	spliced = malloc(strlen(rep) + (size_t)n + 1);
	assert_non_null(spliced);
	snprintf(spliced, strlen(rep) + (size_t)n + 1, "%.*s%s%s", (int)at_, rep, metatext,
		 rep + at_);
	/* The registrar's json-c path: body, id, meta; projected; printed. */
	full = parse(body);
	meta = json_object_new_object();
	json_object_object_add(full, "id", json_object_new_string(id));
	json_object_object_add(meta, "resourceType", json_object_new_string(rt->name));
	json_object_object_add(meta, "created", json_object_new_string("2026-11-27T04:00:00.123Z"));
	json_object_object_add(meta, "lastModified",
			       json_object_new_string("2026-11-27T05:00:00.000Z"));
	json_object_object_add(meta, "location", json_object_new_string(location));
	json_object_object_add(meta, "version", json_object_new_string("W/\"7\""));
	json_object_object_add(full, "meta", meta);
	memset(&e, 0, sizeof(e));
	p = scim_resource_project(rt, full, NULL, NULL, &e);
	assert_non_null(p);
	assert_string_equal(spliced, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	json_object_put(p);
	json_object_put(full);
	free(spliced);
	free(rep);
}

/*
 * The stored default representation (store schema 5): byte for byte what the projection prints,
 * for every RFC 9944 example and any host in meta.location; never a write-only attribute; the
 * escaping is json-c's for every byte.
 */
static void test_stored_rep(void **state)
{
	static const char *const devices[] = {
		"SCIM_device_ble_object.json",
		"SCIM_device_ble_object_v1.json",
		"SCIM_device_ble_object_v2.json",
		"SCIM_device_ble_object_v3.json",
		"SCIM_device_core_schema_object.json",
		"SCIM_device_dpp_object.json",
		"SCIM_device_endpoints_with_ble_object.json",
		"SCIM_device_fdo_object.json",
		"SCIM_device_mab_object.json",
		"SCIM_device_zigbee_object.json",
	};
	struct json_object *in, *stored, *str;
	char s[8], esc[64], *rep;
	int64_t at_;

	(void)state;
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		in = vector(devices[i]);
		stored = accepted(device(), SCIM_WRITE_CREATE, in, NULL);
		rep_matches(device(), stored, BASE "/Devices/x");
		rep_matches(device(), stored,
			    "https://h\x01\x1f\x7f\xc3\xa9\"\\\t/scim/v2/Devices/x");
		json_object_put(stored);
		json_object_put(in);
	}
	in = vector("SCIM_endpointapp_schema_object.json");
	stored = accepted(app(), SCIM_WRITE_CREATE, in, NULL);
	rep_matches(app(), stored, BASE "/EndpointApps/x");
	json_object_put(stored);
	json_object_put(in);

	/* Write-only values (the BLE irk, the DPP bootstrapKey) are not in it. */
	in = vector("SCIM_device_ble_object_v1.json");
	json_object_object_add(at(in, BLE), "irk", json_object_new_string("SECRETIRK0123456"));
	stored = accepted(device(), SCIM_WRITE_CREATE, in, NULL);
	rep = scim_resource_rep(device(), "id-1",
				json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN),
				&at_);
	assert_non_null(rep);
	assert_non_null(strstr(json_object_to_json_string(stored), "SECRETIRK"));
	assert_null(strstr(rep, "SECRETIRK"));
	assert_null(strstr(rep, "irk"));
	free(rep);
	json_object_put(stored);
	json_object_put(in);
	in = vector("SCIM_device_dpp_object.json");
	stored = accepted(device(), SCIM_WRITE_CREATE, in, NULL);
	rep = scim_resource_rep(device(), "id-2",
				json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN),
				&at_);
	assert_non_null(rep);
	assert_non_null(strstr(json_object_to_json_string(stored), "bootstrapKey"));
	assert_null(strstr(rep, "bootstrapKey"));
	free(rep);
	json_object_put(stored);
	json_object_put(in);

	/* A body that is no object: none. */
	assert_null(scim_resource_rep(device(), "id-3", "[1]", &at_));
	assert_null(scim_resource_rep(device(), "id-3", "{", &at_));

	/* Every byte escaped as json-c does. */
	for (int c = 1; c < 256; c++) {
		snprintf(s, sizeof(s), "a%cb", c);
		str = json_object_new_string(s);
		assert_int_equal(
			scim_json_escape(esc, sizeof(esc), s),
			(int)strlen(json_object_to_json_string_ext(str, JSON_C_TO_STRING_PLAIN)) -
				2);
		assert_memory_equal(esc,
				    json_object_to_json_string_ext(str, JSON_C_TO_STRING_PLAIN) + 1,
				    strlen(esc));
		json_object_put(str);
	}
	assert_int_equal(scim_json_escape(esc, 3, "abc"), -1);

	/* The tag is stable, positive, and the same every call. */
	assert_true(scim_rep_tag() > 0);
	assert_int_equal(scim_rep_tag(), scim_rep_tag());
}

/* The server's id and meta in what it stores come back always, whatever is asked. */
static void test_id_meta_always(void **state)
{
	struct json_object *stored = vector("SCIM_device_core_schema_object.json"), *p;

	(void)state;
	p = project(device(), stored, "displayName", NULL);
	assert_non_null(at(p, "id"));
	assert_non_null(at(p, "meta"));
	assert_non_null(at(p, "schemas"));
	assert_non_null(at(p, "displayName"));
	assert_null(at(p, "active"));
	json_object_put(p);
	p = project(device(), stored, NULL, "id,meta,displayName");
	assert_non_null(at(p, "id"));
	assert_non_null(at(p, "meta"));
	assert_null(at(p, "displayName"));
	assert_non_null(at(p, "active"));
	json_object_put(p);
	json_object_put(stored);
}

/* --- refusals --- */

#define DEV(body)	"{\"schemas\":[\"" CORE "\"]," body "}"
#define DEV2(ext, body) "{\"schemas\":[\"" CORE "\",\"" ext "\"]," body "}"
#define BLE_BODY(extra)                                                            \
	"\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\"," \
	"\"versionSupport\":[\"5.3\"],\"pairingMethods\":[\"" P_PASSKEY "\"],"     \
	"\"" P_PASSKEY "\":{\"key\":123456}" extra "}"

static void test_refuse_structure(void **state)
{
	const struct scim_resource_type *d = device();

	(void)state;
	refused(d, SCIM_WRITE_CREATE, "[1]", NULL, "invalidSyntax",
		"the resource must be a JSON object");
	refused(d, SCIM_WRITE_CREATE, "{\"active\":true}", NULL, "invalidSyntax",
		"'schemas' is missing");
	refused(d, SCIM_WRITE_CREATE, "{\"schemas\":\"" CORE "\",\"active\":true}", NULL,
		"invalidSyntax", "'schemas' must be an array of URNs");
	refused(d, SCIM_WRITE_CREATE, "{\"schemas\":[\"" CORE "\",7],\"active\":true}", NULL,
		"invalidSyntax", "'schemas' must be an array of URNs");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"Schemas\":[\"" CORE "\"]"), NULL,
		"invalidSyntax", "attribute 'schemas' is given twice");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"color\":\"red\""), NULL,
		"invalidSyntax", "unknown attribute 'color'");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"ACTIVE\":false"), NULL,
		"invalidSyntax", "attribute 'active' is given twice");
	refused(d, SCIM_WRITE_CREATE, DEV2(BLE, BLE_BODY(",\"colour\":1")), NULL, "invalidSyntax",
		"unknown attribute '" BLE ":colour'");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE,
		     BLE_BODY("") ",\"urn:ietf:params:scim:schemas:extension:BLE:2.0:Device\":{}"),
		NULL, "invalidSyntax", "extension '" BLE "' is given twice");
	/* An unknown URN as a member (not listed in schemas) is an unknown attribute. */
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"urn:example:x:1.0:Device\":{}"), NULL,
		"invalidSyntax", "unknown attribute 'urn:example:x:1.0:Device'");
}

static void test_refuse_schemas(void **state)
{
	const struct scim_resource_type *d = device();

	(void)state;
	refused(d, SCIM_WRITE_CREATE,
		"{\"schemas\":[\"" CORE "\",\"urn:example:x:1.0:Device\"],\"active\":true}", NULL,
		"invalidValue",
		"'schemas': 'urn:example:x:1.0:Device' is not a schema of resource "
		"type Device");
	/* A known schema of another resource type. */
	refused(d, SCIM_WRITE_CREATE, "{\"schemas\":[\"" CORE "\",\"" APP "\"],\"active\":true}",
		NULL, "invalidValue",
		"'schemas': '" APP "' is not a schema of resource type Device");
	/* The RFC repository's plural FDO URN is not the RFC's. */
	refused(d, SCIM_WRITE_CREATE,
		"{\"schemas\":[\"" CORE "\",\"" FDO "s\"],\"active\":true,\"" FDO "s\":{"
		"\"fdoVoucher\":\"v\"}}",
		NULL, "invalidValue",
		"'schemas': '" FDO "s' is not a schema of resource type Device");
	refused(d, SCIM_WRITE_CREATE, "{\"schemas\":[\"" BLE "\"]," BLE_BODY("") "}", NULL,
		"invalidValue", "'schemas' must list the core schema '" CORE "'");
	refused(d, SCIM_WRITE_CREATE, "{\"schemas\":[\"" CORE "\",\"" CORE "\"],\"active\":true}",
		NULL, "invalidValue", "'schemas' lists '" CORE "' twice");
	/* An extension's body without its URN in schemas, and a URN without a body. */
	refused(d, SCIM_WRITE_CREATE, DEV(BLE_BODY("")), NULL, "invalidValue",
		"extension '" BLE "' is present but 'schemas' does not list it");
	refused(d, SCIM_WRITE_CREATE, DEV2(MAB, "\"active\":true"), NULL, "invalidValue",
		"'schemas' lists '" MAB "' but the resource has no such extension");
	refused(d, SCIM_WRITE_CREATE, DEV2(MAB, "\"active\":true,\"" MAB "\":[1]"), NULL,
		"invalidValue", "extension '" MAB "' must be an object");
}

static void test_refuse_types(void **state)
{
	const struct scim_resource_type *d = device();

	(void)state;
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":\"yes\""), NULL, "invalidValue",
		"'active' must be a boolean");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":1"), NULL, "invalidValue",
		"'active' must be a boolean");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"displayName\":5"), NULL,
		"invalidValue", "'displayName' must be a string (a JSON string)");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"displayName\":[\"a\"]"), NULL,
		"invalidValue", "'displayName' is single-valued, not an array");
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"mudUrl\":{}"), NULL, "invalidValue",
		"'mudUrl' must be a reference (a JSON string)");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ZIGBEE, "\"active\":true,\"" ZIGBEE "\":{\"deviceEui64Address\":"
			     "\"50:32:5F:FF:FE:E7:67:28\",\"versionSupport\":\"3.0\"}"),
		NULL, "invalidValue",
		"'" ZIGBEE ":versionSupport' is multi-valued: it must be an array");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ZIGBEE, "\"active\":true,\"" ZIGBEE "\":{\"deviceEui64Address\":"
			     "\"50:32:5F:FF:FE:E7:67:28\",\"versionSupport\":[\"3.0\",null]}"),
		NULL, "invalidValue", "'" ZIGBEE ":versionSupport': value 1 is null");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ZIGBEE, "\"active\":true,\"" ZIGBEE "\":{\"deviceEui64Address\":"
			     "\"50:32:5F:FF:FE:E7:67:28\",\"versionSupport\":[[\"3.0\"]]}"),
		NULL, "invalidValue", "'" ZIGBEE ":versionSupport': value 0 is an array");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(APPS, "\"active\":true,\"" APPS "\":{\"applications\":[\"e9e30dba\"]}"), NULL,
		"invalidValue", "'" APPS ":applications' must be an object (complex)");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(DPP,
		     "\"active\":true,\"" DPP "\":{\"dppVersion\":\"2\",\"bootstrapKey\":\"k\"}"),
		NULL, "invalidValue", "'" DPP ":dppVersion' must be an integer");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(DPP,
		     "\"active\":true,\"" DPP "\":{\"dppVersion\":2.5,\"bootstrapKey\":\"k\"}"),
		NULL, "invalidValue", "'" DPP ":dppVersion' must be an integer");
	/* The passkey is an integer of at most six digits. */
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE, "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
			  "\"versionSupport\":[\"5.3\"],\"pairingMethods\":[\"" P_PASSKEY "\"],"
			  "\"" P_PASSKEY "\":{\"key\":\"123456\"}}"),
		NULL, "invalidValue", "'" BLE ":" P_PASSKEY ".key' must be an integer");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE, "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
			  "\"versionSupport\":[\"5.3\"],\"pairingMethods\":[\"" P_PASSKEY "\"],"
			  "\"" P_PASSKEY "\":{\"key\":1234567}}"),
		NULL, "invalidValue",
		"'" BLE ":" P_PASSKEY ".key': the value is not in the required format");
	/* binary: base64 with padding. */
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ATT, "\"active\":true,\"" ATT "\":{\"idevid\":{\"certificate\":\"MIIB*\"}}"),
		NULL, "invalidValue",
		"'" ATT ":idevid.certificate' is not base64 (RFC 4648 section 4)");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ATT, "\"active\":true,\"" ATT "\":{\"ldevidCsr\":\"abc\"}"), NULL,
		"invalidValue", "'" ATT ":ldevidCsr' is not base64 (RFC 4648 section 4)");
	refused(d, SCIM_WRITE_CREATE, DEV2(ATT, "\"active\":true,\"" ATT "\":{\"idevid\":\"x\"}"),
		NULL, "invalidValue", "'" ATT ":idevid' must be an object (complex)");
}

static void test_refuse_required(void **state)
{
	const struct scim_resource_type *d = device();

	(void)state;
	refused(d, SCIM_WRITE_CREATE, DEV("\"displayName\":\"x\""), NULL, "invalidValue",
		"missing required attribute 'active'");
	/* null is unassigned (RFC 7643 section 2.5). */
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":null"), NULL, "invalidValue",
		"missing required attribute 'active'");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE, "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
			  "\"versionSupport\":[],\"pairingMethods\":[\"" P_NULL "\"]}"),
		NULL, "invalidValue", "missing required attribute '" BLE ":versionSupport'");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE, "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
			  "\"versionSupport\":[\"5.3\"],\"pairingMethods\":[\"" P_OOB "\"],"
			  "\"" P_OOB "\":{\"key\":\"k\"}}"),
		NULL, "invalidValue",
		"missing required attribute '" BLE ":" P_OOB ".randomNumber'");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(FDO, "\"active\":true,\"" FDO "\":{\"fdoVoucher\":null}"), NULL,
		"invalidValue", "missing required attribute '" FDO ":fdoVoucher'");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(APPS, "\"active\":true,\"" APPS
			   "\":{\"applications\":[{\"$ref\":\"https://x/y\"}]}"),
		NULL, "invalidValue", "missing required attribute '" APPS ":applications.value'");
	refused(app(), SCIM_WRITE_CREATE, "{\"schemas\":[\"" APP "\"],\"applicationName\":\"a\"}",
		NULL, "invalidValue", "missing required attribute 'applicationType'");
}

static void test_refuse_formats(void **state)
{
	const struct scim_resource_type *d = device();

	(void)state;
	static const char *const bad_macs[] = { "2C:54:91:88:C9",     "2C:54:91:88:C9:E2:00",
						"2C-54-91-88-C9-E2",  "2C:54:91:88:C9:G2",
						"2c:54:91:88:c9:e2 ", "" };
	for (size_t i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		char in[512];

		snprintf(in, sizeof(in),
			 DEV2(MAB, "\"active\":true,\"" MAB "\":{\"deviceMacAddress\":\"%s\"}"),
			 bad_macs[i]);
		refused(d, SCIM_WRITE_CREATE, in, NULL, "invalidValue",
			"'" MAB ":deviceMacAddress': the value is not in the required format");
	}
	refused(d, SCIM_WRITE_CREATE,
		DEV2(BLE,
		     BLE_BODY(",\"separateBroadcastAddress\":[\"AA:BB:88:77:22:11\",\"AA:BB\"]")),
		NULL, "invalidValue",
		"'" BLE ":separateBroadcastAddress': the value is not in the required format");
	refused(d, SCIM_WRITE_CREATE,
		DEV2(ZIGBEE, "\"active\":true,\"" ZIGBEE "\":{\"deviceEui64Address\":"
			     "\"50:32:5F:FF:FE:E7\",\"versionSupport\":[\"3.0\"]}"),
		NULL, "invalidValue",
		"'" ZIGBEE ":deviceEui64Address': the value is not in the required format");
	/* Lower-case hex is a MAC address too. */
	{
		struct json_object *o = accepted_text(d, DEV2(MAB, "\"active\":true,\"" MAB
								   "\":{\"deviceMacAddress\":"
								   "\"2c:54:91:88:c9:e2\"}"));
		json_object_put(o);
	}
}

static void test_canonical_values(void **state)
{
	struct json_object *o;

	(void)state;
	refused(app(), SCIM_WRITE_CREATE,
		"{\"schemas\":[\"" APP
		"\"],\"applicationType\":\"admin\",\"applicationName\":\"a\"}",
		NULL, "invalidValue",
		"'applicationType': 'admin' is not one of its canonical values");
	/* applicationType is not caseExact: stored with the canonical spelling. */
	o = accepted_text(app(), "{\"schemas\":[\"" APP "\"],\"applicationType\":\"TELEMETRY\","
				 "\"applicationName\":\"a\"}");
	assert_string_equal(json_object_get_string(at(o, "applicationType")), "telemetry");
	json_object_put(o);
	/* pairingMethods is caseExact: the URNs as RFC 9944 spells them. */
	refused(device(), SCIM_WRITE_CREATE,
		DEV2(BLE, "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
			  "\"versionSupport\":[\"5.3\"],\"pairingMethods\":["
			  "\"urn:ietf:params:scim:schemas:extension:pairingpasskey:2.0:Device\"]}"),
		NULL, "invalidValue",
		"'" BLE
		":pairingMethods': 'urn:ietf:params:scim:schemas:extension:pairingpasskey:2.0:"
		"Device' is not one of its canonical values");
	refused(device(), SCIM_WRITE_CREATE,
		DEV2(BLE,
		     "\"active\":true,\"" BLE "\":{\"deviceMacAddress\":\"2C:54:91:88:C9:E2\","
		     "\"versionSupport\":[\"5.3\"],\"pairingMethods\":[\"numericComparison\"]}"),
		NULL, "invalidValue",
		"'" BLE ":pairingMethods': 'numericComparison' is not one of its canonical values");
}

static void test_bounds(void **state)
{
	char *in, *p;
	size_t cap = 64 * 1024;
	const struct scim_resource_type *d = device();

	(void)state;
	/* 257 values of a multi-valued attribute. */
	in = malloc(cap);
	assert_non_null(in);
	p = in + sprintf(in, "{\"schemas\":[\"" CORE "\",\"" ZIGBEE "\"],\"active\":true,\"" ZIGBEE
			     "\":{\"deviceEui64Address\":\"50:32:5F:FF:FE:E7:67:28\","
			     "\"versionSupport\":[");
	for (int i = 0; i < SCIM_MAX_VALUES + 1; i++)
		p += sprintf(p, "%s\"%d.0\"", i ? "," : "", i);
	sprintf(p, "]}}");
	refused(d, SCIM_WRITE_CREATE, in, NULL, "invalidValue",
		"'" ZIGBEE ":versionSupport' has 257 values, more than 256");
	/* 256 are fine. */
	p = in + sprintf(in, "{\"schemas\":[\"" CORE "\",\"" ZIGBEE "\"],\"active\":true,\"" ZIGBEE
			     "\":{\"deviceEui64Address\":\"50:32:5F:FF:FE:E7:67:28\","
			     "\"versionSupport\":[");
	for (int i = 0; i < SCIM_MAX_VALUES; i++)
		p += sprintf(p, "%s\"%d.0\"", i ? "," : "", i);
	sprintf(p, "]}}");
	{
		struct json_object *o = accepted_text(d, in);

		json_object_put(o);
	}
	/* Nesting: 9 levels (the resource is level 1) anywhere is refused before the schema. */
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"displayName\":[[[[[[[[\"x\"]]]]]]]]"),
		NULL, "invalidSyntax", "the resource is nested deeper than 8 levels");
	/* 8 levels pass the nesting bound, then the schema refuses the array. */
	refused(d, SCIM_WRITE_CREATE, DEV("\"active\":true,\"displayName\":[[[[[[\"x\"]]]]]]"),
		NULL, "invalidValue", "'displayName' is single-valued, not an array");
	/* An over-long string. */
	{
		struct json_object *o = parse(DEV("\"active\":true"));
		char *big = malloc(SCIM_MAX_STRING + 2);
		struct json_object *out = NULL;
		struct scim_error e;

		assert_non_null(big);
		memset(big, 'a', SCIM_MAX_STRING + 1);
		big[SCIM_MAX_STRING + 1] = '\0';
		json_object_object_add(o, "displayName", json_object_new_string(big));
		assert_int_equal(scim_resource_check(d, SCIM_WRITE_CREATE, o, NULL, &out, &e), -1);
		assert_string_equal(e.scim_type, "invalidValue");
		assert_string_equal(e.detail, "'displayName' is longer than 1048576 bytes");
		free(big);
		json_object_put(o);
	}
	free(in);
}

/* --- what is dropped, kept and canonicalized --- */

static void test_read_only_dropped(void **state)
{
	struct json_object *o;

	(void)state;
	o = accepted_text(device(),
			  DEV("\"id\":\"mine\",\"meta\":{\"resourceType\":\"X\"},\"active\":true,"
			      "\"groups\":[{\"value\":\"g1\"}]"));
	assert_null(at(o, "id"));
	assert_null(at(o, "meta"));
	assert_null(at(o, "groups"));
	assert_true(json_object_get_boolean(at(o, "active")));
	json_object_put(o);
	/* Even a readOnly value of the wrong type is ignored, not refused. */
	o = accepted_text(app(), "{\"schemas\":[\"" APP "\"],\"applicationType\":\"deviceControl\","
				 "\"applicationName\":\"a\",\"clientToken\":42}");
	assert_null(at(o, "clientToken"));
	json_object_put(o);
	/* The tao attestation result is the registrar's: the extension is then empty, and gone. */
	o = accepted_text(device(), DEV2(ATT, "\"active\":true,\"" ATT "\":{\"result\":{\"status\":"
					      "\"affirming\"},\"ldevidCertificate\":\"AAAA\"}"));
	assert_null(at(o, ATT));
	assert_int_equal(json_object_array_length(at(o, "schemas")), 1);
	json_object_put(o);
}

static void test_case_insensitive_names(void **state)
{
	struct json_object *o;

	(void)state;
	o = accepted_text(device(),
			  "{\"SCHEMAS\":[\"urn:ietf:params:scim:schemas:core:2.0:DEVICE\","
			  "\"urn:ietf:params:scim:schemas:extension:ethernet-MAB:2.0:device\"],"
			  "\"Active\":false,\"DISPLAYNAME\":\"d\",\"externalID\":\"e1\","
			  "\"URN:ietf:params:scim:schemas:extension:ETHERNET-mab:2.0:Device\":"
			  "{\"devicemacaddress\":\"2C:54:91:88:C9:E2\"}}");
	assert_json_text(o, ("{\"schemas\":[\"" CORE "\",\"" MAB "\"],\"externalId\":\"e1\","
			     "\"displayName\":\"d\",\"active\":false,\"" MAB "\":{"
			     "\"deviceMacAddress\":\"2C:54:91:88:C9:E2\"}}"));
	json_object_put(o);
}

static void test_attestation_extension(void **state)
{
	struct json_object *o, *p;

	(void)state;
	o = accepted_text(device(),
			  DEV2(ATT, "\"active\":true,\"" ATT "\":{\"evidence\":\"EVIDENCE-RECORD\","
				    "\"idevid\":{\"certificate\":\"MIIBIjAN\",\"serialNumber\":"
				    "\"SN-1\"},\"ldevidCsr\":\"MIIC\"}"));
	p = project(device(), o, NULL, NULL);
	assert_json_text(p, (DEV2(ATT, "\"active\":true,\"" ATT "\":{\"idevid\":{"
				       "\"certificate\":\"MIIBIjAN\",\"serialNumber\":"
				       "\"SN-1\"}}")));
	json_object_put(p);
	json_object_put(o);
}

/* --- replace (PUT) --- */

static void test_replace(void **state)
{
	struct json_object *old, *in, *out;
	const struct scim_resource_type *a = app();

	(void)state;
	old = parse("{\"schemas\":[\"" APP "\"],\"id\":\"app1\",\"meta\":{\"resourceType\":"
		    "\"EndpointApp\"},\"applicationType\":\"deviceControl\",\"applicationName\":"
		    "\"a\",\"clientToken\":\"TOKEN\"}");
	/* immutable: a change is refused; the same value in another case is no change. */
	refused(a, SCIM_WRITE_REPLACE,
		"{\"schemas\":[\"" APP
		"\"],\"applicationType\":\"telemetry\",\"applicationName\":\"a\"}",
		json_object_to_json_string(old), "mutability",
		"attribute 'applicationType' is immutable: it cannot be changed");
	in = parse("{\"schemas\":[\"" APP "\"],\"applicationType\":\"DeviceControl\","
		   "\"applicationName\":\"b\",\"clientToken\":\"MINE\",\"id\":\"other\"}");
	out = accepted(a, SCIM_WRITE_REPLACE, in, old);
	/* readOnly values (id, meta, the server's clientToken) stay the server's. */
	assert_json_text(out, ("{\"schemas\":[\"" APP "\"],\"id\":\"app1\",\"meta\":{"
			       "\"resourceType\":\"EndpointApp\"},\"applicationType\":"
			       "\"deviceControl\",\"applicationName\":\"b\",\"clientToken\":"
			       "\"TOKEN\"}"));
	json_object_put(in);
	json_object_put(out);
	/* An immutable value omitted is kept (it cannot be removed). */
	in = parse("{\"schemas\":[\"" APP "\"],\"applicationName\":\"c\"}");
	out = accepted(a, SCIM_WRITE_REPLACE, in, old);
	assert_string_equal(json_object_get_string(at(out, "applicationType")), "deviceControl");
	json_object_put(in);
	json_object_put(out);
	json_object_put(old);

	/* Device: the immutable IDevID, writeOnly secrets kept, server endpoints kept. */
	old = parse(DEV2(ATT, "\"active\":true,\"" ATT "\":{\"idevid\":{\"certificate\":\"AAAA\"},"
			      "\"result\":{\"status\":\"affirming\"},\"evidence\":\"E1\"}"));
	refused(device(), SCIM_WRITE_REPLACE,
		DEV2(ATT, "\"active\":true,\"" ATT "\":{\"idevid\":{\"certificate\":\"BBBB\"}}"),
		json_object_to_json_string(old), "mutability",
		"attribute '" ATT ":idevid' is immutable: it cannot be changed");
	/* Without the extension: the readOnly result and the immutable idevid remain. */
	in = parse(DEV("\"active\":false"));
	out = accepted(device(), SCIM_WRITE_REPLACE, in, old);
	assert_json_text(out, (DEV2(ATT, "\"active\":false,\"" ATT "\":{\"result\":{"
					 "\"status\":\"affirming\"},\"idevid\":{"
					 "\"certificate\":\"AAAA\"}}")));
	json_object_put(in);
	json_object_put(out);
	/* With it: the writeOnly evidence the client cannot read back is kept too. */
	in = parse(
		DEV2(ATT, "\"active\":false,\"" ATT "\":{\"idevid\":{\"certificate\":\"AAAA\"}}"));
	out = accepted(device(), SCIM_WRITE_REPLACE, in, old);
	assert_string_equal(json_object_get_string(at(at(out, ATT), "evidence")), "E1");
	json_object_put(in);
	json_object_put(out);
	json_object_put(old);

	/* endpointAppsExt: the server's endpoints survive a PUT. */
	old = vector("SCIM_device_endpoints_with_ble_object.json");
	in = vector("SCIM_device_endpoints_with_ble_object.json");
	json_object_object_del(at(in, APPS), "deviceControlEnterpriseEndpoint");
	out = accepted(device(), SCIM_WRITE_REPLACE, in, old);
	assert_string_equal(
		json_object_get_string(at(at(out, APPS), "deviceControlEnterpriseEndpoint")),
		"https://example.com/device_control_app_endpoint/");
	assert_string_equal(json_object_get_string(at(out, "id")),
			    "e9e30dba-f08f-4109-8486-d5c6a3316111");
	json_object_put(in);
	json_object_put(out);
	json_object_put(old);
}

/* --- projection --- */

static void test_projection(void **state)
{
	struct json_object *stored = vector("SCIM_device_endpoints_with_ble_object.json"), *p;
	struct scim_error e;

	(void)state;
	p = project(device(), stored, BLE ":deviceMacAddress", NULL);
	assert_json_text(p, ("{\"schemas\":[\"" CORE "\",\"" BLE "\"],\"id\":"
			     "\"e9e30dba-f08f-4109-8486-d5c6a3316111\",\"meta\":"
			     "{\"resourceType\":\"Device\",\"created\":\"2022-01-23T04:56:22Z\","
			     "\"lastModified\":\"2022-05-13T04:42:34Z\",\"version\":"
			     "\"W/\\\"a330bc54f0671c9\\\"\",\"location\":"
			     "\"https://example.com/v2/Devices/"
			     "e9e30dba-f08f-4109-8486-d5c6a3316111\"},\"" BLE "\":{"
			     "\"deviceMacAddress\":\"2C:54:91:88:C9:E2\"}}"));
	json_object_put(p);
	/* A pairing extension's sub-attribute, names in another case. */
	p = project(device(), stored,
		    "URN:ietf:params:scim:schemas:extension:ble:2.0:device:" P_PASSKEY
		    ".KEY, displayname",
		    NULL);
	assert_json_text(at(p, BLE), ("{\"" P_PASSKEY "\":{\"key\":123456}}"));
	assert_string_equal(json_object_get_string(at(p, "displayName")), "BLE Heart Monitor");
	assert_null(at(p, "active"));
	assert_null(at(p, APPS));
	json_object_put(p);
	/* A bare extension URN: the whole extension. */
	p = project(device(), stored, APPS, NULL);
	assert_json_equal(at(p, APPS), at(stored, APPS));
	assert_null(at(p, BLE));
	assert_null(at(p, "displayName"));
	json_object_put(p);
	/* A sub-attribute of a multi-valued complex attribute. */
	p = project(device(), stored, APPS ":applications.value", NULL);
	assert_json_text(at(p, APPS),
			 ("{\"applications\":[{\"value\":\"e9e30dba-f08f-4109-8486-d5c6a3316212"
			  "\"},{\"value\":\"e9e30dba-f08f-4109-8486-d5c6a3316333\"}]}"));
	json_object_put(p);
	/* excludedAttributes: attributes, sub-attributes, a whole extension. */
	p = project(device(), stored, NULL,
		    "displayName," BLE ":pairingMethods," APPS ":applications.$ref");
	assert_null(at(p, "displayName"));
	assert_non_null(at(p, "active"));
	assert_null(at(at(p, BLE), "pairingMethods"));
	assert_non_null(at(at(p, BLE), "deviceMacAddress"));
	assert_null(at(json_object_array_get_idx(at(at(p, APPS), "applications"), 0), "$ref"));
	assert_non_null(at(json_object_array_get_idx(at(at(p, APPS), "applications"), 0), "value"));
	json_object_put(p);
	p = project(device(), stored, NULL, BLE);
	assert_null(at(p, BLE));
	assert_int_equal(json_object_array_length(at(p, "schemas")), 2);
	json_object_put(p);
	/* The core schema URN names the core attributes. */
	p = project(device(), stored, CORE, NULL);
	assert_non_null(at(p, "displayName"));
	assert_non_null(at(p, "active"));
	assert_null(at(p, BLE));
	json_object_put(p);

	/* Malformed lists. */
	memset(&e, 0, sizeof(e));
	assert_null(scim_resource_project(device(), stored, "nosuch", NULL, &e));
	assert_string_equal(e.scim_type, "invalidValue");
	assert_string_equal(e.detail, "attribute path 'nosuch': unknown attribute");
	assert_null(scim_resource_project(device(), stored, NULL, "displayName.x", &e));
	assert_string_equal(e.detail, "attribute path 'displayName.x': unknown sub-attribute");
	assert_null(
		scim_resource_project(device(), stored, "urn:example:x:1.0:Device:a", NULL, &e));
	assert_string_equal(e.detail,
			    "attribute path 'urn:example:x:1.0:Device:a': no schema of resource "
			    "type Device");
	assert_null(scim_resource_project(device(), stored, "active,,displayName", NULL, &e));
	assert_string_equal(e.detail, "the attribute list has an empty path");
	assert_null(scim_resource_project(device(), stored, "active", "displayName", &e));
	assert_string_equal(e.detail, "give either attributes or excludedAttributes, not both");
	{
		char list[SCIM_MAX_ATTR_PATHS * 7 + 16] = "";

		for (int i = 0; i <= SCIM_MAX_ATTR_PATHS; i++)
			strcat(list, i ? ",active" : "active");
		assert_null(scim_resource_project(device(), stored, list, NULL, &e));
		assert_string_equal(e.detail, "the attribute list has more than 64 paths");
	}
	json_object_put(stored);
}

/* --- discovery --- */

static void check_attr_json(struct json_object *a)
{
	static const char *const keys[] = { "name",	   "type",     "multiValued",
					    "description", "required", "caseExact",
					    "mutability",  "returned", "uniqueness" };
	const char *type;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!at(a, keys[i]))
			fail_msg("attribute %s has no %s", json_object_to_json_string(a), keys[i]);
	type = json_object_get_string(at(a, "type"));
	assert_non_null(
		strstr(" string boolean decimal integer dateTime binary reference complex ", type));
	assert_non_null(strstr(" readOnly readWrite immutable writeOnly ",
			       json_object_get_string(at(a, "mutability"))));
	assert_non_null(strstr(" always never default request ",
			       json_object_get_string(at(a, "returned"))));
	assert_non_null(
		strstr(" none server global ", json_object_get_string(at(a, "uniqueness"))));
	assert_true(json_object_is_type(at(a, "multiValued"), json_type_boolean));
	assert_true(json_object_is_type(at(a, "required"), json_type_boolean));
	assert_true(json_object_is_type(at(a, "caseExact"), json_type_boolean));
	assert_true(json_object_get_string_len(at(a, "description")) > 0);
	if (strcmp(type, "reference") == 0)
		assert_true(json_object_is_type(at(a, "referenceTypes"), json_type_array));
	if (strcmp(type, "complex") == 0) {
		struct json_object *subs = at(a, "subAttributes");

		assert_true(json_object_is_type(subs, json_type_array));
		for (size_t i = 0; i < json_object_array_length(subs); i++)
			check_attr_json(json_object_array_get_idx(subs, i));
	} else {
		assert_null(at(a, "subAttributes"));
	}
}

static void test_discovery(void **state)
{
	size_t n;
	const struct scim_schema *const *s = scim_schemas(&n);
	const struct scim_resource_type *const *rts;
	struct json_object *o, *x;
	char loc[512];

	(void)state;
	assert_int_equal(n, 9);
	for (size_t i = 0; i < n; i++) {
		o = scim_schema_json(s[i], BASE);
		assert_non_null(o);
		assert_string_equal(
			json_object_get_string(json_object_array_get_idx(at(o, "schemas"), 0)),
			"urn:ietf:params:scim:schemas:core:2.0:Schema");
		assert_string_equal(json_object_get_string(at(o, "id")), s[i]->id);
		assert_non_null(at(o, "name"));
		snprintf(loc, sizeof(loc), BASE "/Schemas/%s", s[i]->id);
		assert_string_equal(json_object_get_string(at(at(o, "meta"), "location")), loc);
		assert_string_equal(json_object_get_string(at(at(o, "meta"), "resourceType")),
				    "Schema");
		x = at(o, "attributes");
		assert_int_equal(json_object_array_length(x), s[i]->n_attrs);
		for (size_t j = 0; j < json_object_array_length(x); j++)
			check_attr_json(json_object_array_get_idx(x, j));
		json_object_put(o);
	}
	/* Spot checks against RFC 9944's tables. */
	o = scim_schema_json(scim_schema_find(BLE), BASE);
	x = json_object_array_get_idx(at(o, "attributes"), 3);
	assert_string_equal(json_object_get_string(at(x, "name")), "irk");
	assert_string_equal(json_object_get_string(at(x, "mutability")), "writeOnly");
	assert_string_equal(json_object_get_string(at(x, "returned")), "never");
	x = json_object_array_get_idx(at(o, "attributes"), 9);
	assert_string_equal(json_object_get_string(at(x, "name")), P_PASSKEY);
	assert_string_equal(json_object_get_string(at(x, "type")), "complex");
	json_object_put(o);
	o = scim_schema_json(scim_schema_find(CORE), BASE);
	x = json_object_array_get_idx(at(o, "attributes"), 2);
	assert_string_equal(json_object_get_string(at(x, "name")), "mudUrl");
	assert_true(json_object_get_boolean(at(x, "caseExact")));
	assert_string_equal(json_object_get_string(at(x, "type")), "reference");
	json_object_put(o);

	rts = scim_resource_types(&n);
	assert_int_equal(n, 2);
	o = scim_resource_type_json(rts[0], BASE);
	assert_json_text(o, ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:"
			     "ResourceType\"],\"id\":\"Device\",\"name\":\"Device\","
			     "\"endpoint\":\"/Devices\",\"description\":\"Device Account\","
			     "\"schema\":\"" CORE "\",\"schemaExtensions\":["
			     "{\"schema\":\"" BLE "\",\"required\":false},"
			     "{\"schema\":\"" DPP "\",\"required\":false},"
			     "{\"schema\":\"" MAB "\",\"required\":false},"
			     "{\"schema\":\"" FDO "\",\"required\":false},"
			     "{\"schema\":\"" ZIGBEE "\",\"required\":false},"
			     "{\"schema\":\"" APPS "\",\"required\":false},"
			     "{\"schema\":\"" ATT "\",\"required\":false}],"
			     "\"meta\":{\"resourceType\":\"ResourceType\",\"location\":"
			     "\"" BASE "/ResourceTypes/Device\"}}"));
	json_object_put(o);
	o = scim_resource_type_json(rts[1], BASE);
	assert_string_equal(json_object_get_string(at(o, "endpoint")), "/EndpointApps");
	assert_int_equal(json_object_array_length(at(o, "schemaExtensions")), 0);
	json_object_put(o);

	o = scim_service_provider_config_json(BASE);
	assert_true(json_object_get_boolean(at(at(o, "patch"), "supported")));
	assert_false(json_object_get_boolean(at(at(o, "bulk"), "supported")));
	assert_non_null(at(at(o, "bulk"), "maxOperations"));
	assert_non_null(at(at(o, "bulk"), "maxPayloadSize"));
	assert_true(json_object_get_boolean(at(at(o, "filter"), "supported")));
	assert_int_equal(json_object_get_int(at(at(o, "filter"), "maxResults")), 200);
	assert_false(json_object_get_boolean(at(at(o, "changePassword"), "supported")));
	assert_true(json_object_get_boolean(at(at(o, "sort"), "supported")));
	assert_true(json_object_get_boolean(at(at(o, "etag"), "supported")));
	x = at(o, "authenticationSchemes");
	assert_int_equal(json_object_array_length(x), 2);
	assert_string_equal(json_object_get_string(at(json_object_array_get_idx(x, 0), "type")),
			    "oauthbearertoken");
	assert_string_equal(json_object_get_string(at(json_object_array_get_idx(x, 1), "name")),
			    "Attested TLS session");
	for (size_t i = 0; i < 2; i++) {
		assert_non_null(at(json_object_array_get_idx(x, i), "description"));
		assert_non_null(at(json_object_array_get_idx(x, i), "primary"));
	}
	assert_string_equal(json_object_get_string(at(at(o, "meta"), "location")),
			    BASE "/ServiceProviderConfig");
	assert_string_equal(json_object_get_string(at(at(o, "meta"), "resourceType")),
			    "ServiceProviderConfig");
	json_object_put(o);
}

static void test_lookup(void **state)
{
	const struct scim_schema *s;
	const struct scim_attr *a;

	(void)state;
	assert_non_null(scim_schema_find("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:DEVICE"));
	assert_non_null(scim_schema_find(FDO));
	assert_null(scim_schema_find(FDO "s"));
	assert_null(
		scim_schema_find("urn:tao:params:scim:schemas:extension:attestation:1.0:Device"));
	assert_non_null(scim_schema_find(ATT));
	assert_ptr_equal(scim_resource_type_find("device"), device());
	assert_null(scim_resource_type_find("Devices"));
	/* The nested pairing extensions are attributes of the BLE extension. */
	a = scim_attr_find(device(), BLE, P_OOB, "randomNumber", &s);
	assert_non_null(a);
	assert_int_equal(a->type, SCIM_INTEGER);
	assert_ptr_equal(s, scim_schema_find(BLE));
	a = scim_attr_find(device(), FDO, "fdoVoucher", NULL, NULL);
	assert_int_equal(a->mutability, SCIM_WRITE_ONLY);
	assert_int_equal(a->returned, SCIM_RETURNED_NEVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9944_examples),
		cmocka_unit_test(test_irk_never_returned),
		cmocka_unit_test(test_stored_rep),
		cmocka_unit_test(test_id_meta_always),
		cmocka_unit_test(test_refuse_structure),
		cmocka_unit_test(test_refuse_schemas),
		cmocka_unit_test(test_refuse_types),
		cmocka_unit_test(test_refuse_required),
		cmocka_unit_test(test_refuse_formats),
		cmocka_unit_test(test_canonical_values),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_read_only_dropped),
		cmocka_unit_test(test_case_insensitive_names),
		cmocka_unit_test(test_attestation_extension),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_projection),
		cmocka_unit_test(test_discovery),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
