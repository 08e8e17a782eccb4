// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * scim_resource_patch (registrar/scim_patch.c): the shapes of RFC 7644 section 3.5.2 on a small
 * static resource type (scim_patch_rt.h), each error with its scimType and message, and the
 * stored resource unchanged after every call (all or nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "scim_resource.h"
#include "scim_patch_rt.h"

#define BASE                                                                            \
	"{\"schemas\":[\"" W_CORE "\",\"" W_EXT "\"],\"id\":\"w1\","                    \
	"\"meta\":{\"resourceType\":\"Widget\",\"version\":\"W/\\\"1\\\"\"},"           \
	"\"displayName\":\"One\",\"active\":true,\"serial\":\"S-1\",\"status\":\"ok\"," \
	"\"emails\":[{\"value\":\"a@x.org\",\"type\":\"work\",\"primary\":true},"       \
	"{\"value\":\"b@x.org\",\"type\":\"home\"}],"                                   \
	"\"tags\":[\"red\",\"blue\"],\"location\":{\"site\":\"lab\",\"rack\":\"r1\"},"  \
	"\"" W_EXT "\":{\"owner\":\"alice\",\"level\":3}}"

#define OPS(...)                                                            \
	"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]," \
	"\"Operations\":[" __VA_ARGS__ "]}"

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		fail_msg("bad JSON in the test: %s", text);
	return o;
}

/* Runs the patch on stored; the stored object must come out unchanged whatever happens. */
static int run(const char *stored_text, const char *patch_text, struct json_object **out,
	       struct scim_error *e)
{
	struct json_object *stored = parse(stored_text), *patch = parse(patch_text);
	char *before = strdup(json_object_to_json_string(stored));
	int r;

	r = scim_resource_patch(&w_rt, stored, patch, out, e);
	assert_string_equal(before, json_object_to_json_string(stored));
	free(before);
	json_object_put(stored);
	json_object_put(patch);
	if (r == 0)
		assert_non_null(*out);
	else
		assert_null(*out);
	return r;
}

/* "/a/0/b" in o: NULL when absent. */
static struct json_object *at(struct json_object *o, const char *ptr)
{
	char buf[512], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", ptr);
	for (tok = strtok_r(buf, "/", &save); tok && o; tok = strtok_r(NULL, "/", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long i = strtol(tok, &end, 10);

			o = *end ? NULL : json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, tok, &o)) {
			o = NULL;
		}
	}
	return o;
}

/* Checks "pointer=JSON" (or "pointer=!" for absent) pairs in out, NULL-terminated. */
static void expect(struct json_object *out, ...)
{
	va_list ap;
	const char *c;

	va_start(ap, out);
	while ((c = va_arg(ap, const char *))) {
		const char *eq = strchr(c, '=');
		char ptr[512];
		struct json_object *got, *want;

		assert_non_null(eq);
		snprintf(ptr, sizeof(ptr), "%.*s", (int)(eq - c), c);
		got = at(out, ptr);
		if (strcmp(eq + 1, "!") == 0) {
			if (got)
				fail_msg("%s: expected absent, got %s in %s", ptr,
					 json_object_to_json_string(got),
					 json_object_to_json_string(out));
			continue;
		}
		want = parse(eq + 1);
		if (!got || !json_object_equal(got, want))
			fail_msg("%s: expected %s, got %s in %s", ptr, eq + 1,
				 got ? json_object_to_json_string(got) : "(absent)",
				 json_object_to_json_string(out));
		json_object_put(want);
	}
	va_end(ap);
}

static struct json_object *ok(const char *patch)
{
	struct json_object *out = NULL;
	struct scim_error e;

	if (run(BASE, patch, &out, &e) != 0)
		fail_msg("patch failed: %d %s: %s\n  %s", e.status, e.scim_type ? e.scim_type : "-",
			 e.detail, patch);
	return out;
}

static void err(const char *stored, const char *patch, const char *type, const char *detail)
{
	struct json_object *out = NULL;
	struct scim_error e;

	if (run(stored, patch, &out, &e) == 0)
		fail_msg("patch succeeded, expected %s: %s\n  %s", type, patch,
			 json_object_to_json_string(out));
	assert_int_equal(e.status, 400);
	if (!e.scim_type || strcmp(e.scim_type, type) != 0)
		fail_msg("expected %s, got %s (%s)\n  %s", type, e.scim_type ? e.scim_type : "NULL",
			 e.detail, patch);
	if (!strstr(e.detail, detail))
		fail_msg("detail '%s' lacks '%s'", e.detail, detail);
}

#define ERR(patch, type, detail) err(BASE, patch, type, detail)

/* ---- RFC 7644 3.5.2.1 add ---- */

static void add_without_path_merges(void **state)
{
	struct json_object *out;

	(void)state;
	/* the RFC's example: emails appended, nickname-like single value set */
	out = ok(OPS("{\"op\":\"add\",\"value\":{\"emails\":[{\"value\":\"c@x.org\","
		     "\"type\":\"other\"}],\"count\":7,\"LOCATION\":{\"floor\":2}}}"));
	expect(out, "/emails/2/value=\"c@x.org\"", "/emails/0/value=\"a@x.org\"", "/count=7",
	       "/location={\"site\":\"lab\",\"rack\":\"r1\",\"floor\":2}", "/id=\"w1\"",
	       "/meta/version=\"W/\\\"1\\\"\"", NULL);
	json_object_put(out);
	/* extension by its URN inside the value, and a fully qualified member name */
	out = ok(OPS("{\"op\":\"add\",\"value\":{\"" W_EXT "\":{\"labels\":[\"x\"]},"
		     "\"" W_EXT ":level\":4,\"location.rack\":\"r9\"}}"));
	expect(out, "/" W_EXT "={\"owner\":\"alice\",\"level\":4,\"labels\":[\"x\"]}",
	       "/location/rack=\"r9\"", NULL);
	json_object_put(out);
	/* schemas in the value: ignored, the server keeps it */
	out = ok(OPS("{\"op\":\"add\",\"value\":{\"schemas\":[\"" W_CORE "\"],\"active\":false}}"));
	expect(out, "/schemas=[\"" W_CORE "\",\"" W_EXT "\"]", "/active=false", NULL);
	json_object_put(out);
}

static void add_with_path(void **state)
{
	struct json_object *out;

	(void)state;
	out = ok(OPS("{\"op\":\"add\",\"path\":\"displayName\",\"value\":\"Two\"},"
		     "{\"op\":\"Add\",\"path\":\"location.floor\",\"value\":3},"
		     "{\"op\":\"ADD\",\"path\":\"Weight\",\"value\":1.5},"
		     "{\"op\":\"add\",\"path\":\"seen\",\"value\":\"2026-11-27T01:02:03.5+01:00\"},"
		     "{\"op\":\"add\",\"path\":\"blob\",\"value\":\"AAEC/w==\"},"
		     "{\"op\":\"add\",\"path\":\"homepage\",\"value\":\"https://x.org/w1\"},"
		     "{\"op\":\"add\",\"path\":\"secret\",\"value\":\"s3cret\"}"));
	expect(out, "/displayName=\"Two\"", "/location/floor=3", "/location/site=\"lab\"",
	       "/weight=1.5", "/seen=\"2026-11-27T01:02:03.5+01:00\"", "/blob=\"AAEC/w==\"",
	       "/homepage=\"https://x.org/w1\"", "/secret=\"s3cret\"", NULL);
	json_object_put(out);
	/* an immutable attribute may be given when it has no value */
	out = ok(OPS("{\"op\":\"add\",\"path\":\"location.building\",\"value\":\"B1\"}"));
	expect(out, "/location/building=\"B1\"", NULL);
	json_object_put(out);
	/* ... and given its own value again */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"serial\",\"value\":\"S-1\"}"));
	expect(out, "/serial=\"S-1\"", NULL);
	json_object_put(out);
}

static void add_to_multi_valued(void **state)
{
	struct json_object *out;

	(void)state;
	/* appended; equal values not repeated (tags are caseExact=false: "RED" == "red") */
	out = ok(OPS("{\"op\":\"add\",\"path\":\"tags\",\"value\":[\"green\",\"RED\",\"green\"]},"
		     "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"b@x.org\","
		     "\"type\":\"home\"}]},"
		     "{\"op\":\"add\",\"path\":\"" W_EXT ":labels\",\"value\":\"solo\"}"));
	expect(out, "/tags=[\"red\",\"blue\",\"green\"]", "/emails/2=!",
	       "/" W_EXT "/labels=[\"solo\"]", NULL);
	json_object_put(out);
	/* a new primary value makes the others non-primary (RFC 7644 3.5.2) */
	out = ok(OPS("{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"c@x.org\","
		     "\"primary\":true}]}"));
	expect(out, "/emails/0/primary=false", "/emails/2/primary=true", NULL);
	json_object_put(out);
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].primary\","
		     "\"value\":true}"));
	expect(out, "/emails/0/primary=false", "/emails/1/primary=true", NULL);
	json_object_put(out);
	/* add through a filter that matches nothing: a value made from the filter */
	out = ok(OPS("{\"op\":\"add\",\"path\":\"emails[type eq \\\"other\\\"].value\","
		     "\"value\":\"o@x.org\"}"));
	expect(out, "/emails/2={\"type\":\"other\",\"value\":\"o@x.org\"}", NULL);
	json_object_put(out);
	out = ok(OPS("{\"op\":\"add\",\"path\":\"" W_EXT ":ports[name eq \\\"eth0\\\"]\","
		     "\"value\":{\"number\":1}}"));
	expect(out, "/" W_EXT "/ports=[{\"name\":\"eth0\",\"number\":1}]", NULL);
	json_object_put(out);
	/* add through a filter that matches: merged into each match */
	out = ok(OPS("{\"op\":\"add\",\"path\":\"emails[type eq \\\"work\\\"]\","
		     "\"value\":{\"value\":\"w@x.org\"}}"));
	expect(out, "/emails/0={\"value\":\"w@x.org\",\"type\":\"work\",\"primary\":true}", NULL);
	json_object_put(out);
}

/* ---- 3.5.2.3 replace ---- */

static void replace_shapes(void **state)
{
	struct json_object *out;

	(void)state;
	/* the RFC's example with a value filter and sub-attribute */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].value\","
		     "\"value\":\"new@x.org\"}"));
	expect(out, "/emails/0/value=\"new@x.org\"", "/emails/1/value=\"b@x.org\"", NULL);
	json_object_put(out);
	/* a whole matching value replaced */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"emails[value eq \\\"B@X.ORG\\\"]\","
		     "\"value\":{\"value\":\"h@x.org\",\"type\":\"home\"}}"));
	expect(out, "/emails/1={\"value\":\"h@x.org\",\"type\":\"home\"}", NULL);
	json_object_put(out);
	/* multi-valued without filter: all values replaced */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"z@x.org\"}]},"
		     "{\"op\":\"replace\",\"path\":\"tags\",\"value\":[\"one\"]}"));
	expect(out, "/emails=[{\"value\":\"z@x.org\"}]", "/tags=[\"one\"]", NULL);
	json_object_put(out);
	/* complex: the sub-attributes given replace, the others stay */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"location\",\"value\":{\"rack\":\"r2\"}}"));
	expect(out, "/location={\"site\":\"lab\",\"rack\":\"r2\"}", NULL);
	json_object_put(out);
	/* without path; a missing attribute is added */
	out = ok(OPS("{\"op\":\"replace\",\"value\":{\"active\":false,\"count\":1,"
		     "\"tags\":[\"t\"]}}"));
	expect(out, "/active=false", "/count=1", "/tags=[\"t\"]", NULL);
	json_object_put(out);
	/* an extension attribute by its URN path, and the extension as a whole */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"" W_EXT ":owner\",\"value\":\"bob\"},"
		     "{\"op\":\"replace\",\"path\":\"" W_EXT "\",\"value\":{\"level\":9}}"));
	expect(out, "/" W_EXT "={\"owner\":\"bob\",\"level\":9}", NULL);
	json_object_put(out);
	/* null unassigns */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"active\",\"value\":null}"));
	expect(out, "/active=!", NULL);
	json_object_put(out);
	/* attr.sub over every value of a multi-valued attribute */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"emails.type\",\"value\":\"x\"}"));
	expect(out, "/emails/0/type=\"x\"", "/emails/1/type=\"x\"", NULL);
	json_object_put(out);
	/* a multi-valued string by value filter */
	out = ok(OPS("{\"op\":\"replace\",\"path\":\"tags[value eq \\\"blue\\\"]\","
		     "\"value\":\"navy\"}"));
	expect(out, "/tags=[\"red\",\"navy\"]", NULL);
	json_object_put(out);
}

/* ---- 3.5.2.2 remove ---- */

static void remove_shapes(void **state)
{
	struct json_object *out;

	(void)state;
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\"]\"}"));
	expect(out, "/emails=[{\"value\":\"b@x.org\",\"type\":\"home\"}]", NULL);
	json_object_put(out);
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"emails\"},"
		     "{\"op\":\"remove\",\"path\":\"tags\"},"
		     "{\"op\":\"remove\",\"path\":\"location.rack\"}"));
	expect(out, "/emails=!", "/tags=!", "/location={\"site\":\"lab\"}", NULL);
	json_object_put(out);
	/* the last value removed: the attribute is unassigned */
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\" or type eq "
		     "\\\"home\\\"]\"}"));
	expect(out, "/emails=!", NULL);
	json_object_put(out);
	/* a sub-attribute of the matching values */
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\"].primary\"}"));
	expect(out, "/emails/0={\"value\":\"a@x.org\",\"type\":\"work\"}", NULL);
	json_object_put(out);
	/* an extension attribute, then the extension as a whole: schemas follow */
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"" W_EXT ":owner\"}"));
	expect(out, "/" W_EXT "={\"level\":3}", "/schemas=[\"" W_CORE "\",\"" W_EXT "\"]", NULL);
	json_object_put(out);
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"" W_EXT "\"}"));
	expect(out, "/" W_EXT "=!", "/schemas=[\"" W_CORE "\"]", NULL);
	json_object_put(out);
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"" W_EXT ":owner\"},"
		     "{\"op\":\"remove\",\"path\":\"" W_EXT ":level\"}"));
	expect(out, "/" W_EXT "=!", "/schemas=[\"" W_CORE "\"]", NULL);
	json_object_put(out);
	/* the extension unassigned by null in a value without path */
	out = ok(OPS("{\"op\":\"replace\",\"value\":{\"" W_EXT "\":null}}"));
	expect(out, "/" W_EXT "=!", "/schemas=[\"" W_CORE "\"]", NULL);
	json_object_put(out);
	/* an absent attribute: nothing to do */
	out = ok(OPS("{\"op\":\"remove\",\"path\":\"count\"}"));
	expect(out, "/count=!", "/displayName=\"One\"", NULL);
	json_object_put(out);
	/* a writeOnly value can be removed (a PUT would keep it) */
	{
		struct json_object *o = NULL;
		struct scim_error e;

		assert_int_equal(run("{\"schemas\":[\"" W_CORE "\"],\"id\":\"w2\",\"displayName\":"
				     "\"d\",\"secret\":\"s\"}",
				     OPS("{\"op\":\"remove\",\"path\":\"secret\"}"), &o, &e),
				 0);
		expect(o, "/secret=!", "/displayName=\"d\"", NULL);
		json_object_put(o);
	}
}

static void extension_added(void **state)
{
	struct json_object *out = NULL;
	struct scim_error e;

	(void)state;
	assert_int_equal(run("{\"schemas\":[\"" W_CORE "\"],\"id\":\"w3\",\"displayName\":\"d\"}",
			     OPS("{\"op\":\"add\",\"path\":\"" W_EXT ":owner\",\"value\":\"eve\"}"),
			     &out, &e),
			 0);
	expect(out, "/schemas=[\"" W_CORE "\",\"" W_EXT "\"]", "/" W_EXT "={\"owner\":\"eve\"}",
	       NULL);
	json_object_put(out);
}

/* The PatchOp's own names: case-insensitive like attribute names; the URN too. */
static void document_names(void **state)
{
	struct json_object *out;

	(void)state;
	out = ok("{\"SCHEMAS\":[\"URN:ietf:params:scim:api:messages:2.0:patchop\"],"
		 "\"operations\":[{\"OP\":\"Replace\",\"Path\":\"DISPLAYNAME\","
		 "\"VALUE\":\"Cased\"},{\"op\":\"REMOVE\",\"path\":\"EMAILS[TYPE eq "
		 "\\\"home\\\"]\"}]}");
	expect(out, "/displayName=\"Cased\"", "/DISPLAYNAME=!",
	       "/emails=[{\"value\":\"a@x.org\",\"type\":\"work\",\"primary\":true}]", NULL);
	json_object_put(out);
	/* values of each type that are accepted */
	out = ok(OPS("{\"op\":\"add\",\"value\":{\"weight\":3,\"count\":-2,"
		     "\"seen\":\"2024-02-29T23:59:60z\",\"blob\":\"\",\"homepage\":\"urn:x:y\"}}"));
	expect(out, "/weight=3", "/count=-2", "/seen=\"2024-02-29T23:59:60z\"", "/blob=\"\"", NULL);
	json_object_put(out);
}

/* ---- errors ---- */

static void errors_document(void **state)
{
	(void)state;
	ERR("[]", "invalidSyntax", "must be an object");
	ERR("{\"Operations\":[{\"op\":\"remove\",\"path\":\"active\"}]}", "invalidSyntax",
	    "\"schemas\" must be");
	ERR("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\",\"" W_CORE "\"],"
	    "\"Operations\":[{\"op\":\"remove\",\"path\":\"active\"}]}",
	    "invalidSyntax", "\"schemas\" must be");
	ERR("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[]}",
	    "invalidSyntax", "non-empty array");
	ERR("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":{}}",
	    "invalidSyntax", "non-empty array");
	ERR("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{"
	    "\"op\":\"remove\",\"path\":\"active\"}],\"extra\":1}",
	    "invalidSyntax", "unknown member 'extra'");
	ERR(OPS("{\"op\":\"move\",\"path\":\"active\"}"), "invalidSyntax",
	    "operation 1: \"op\" must be \"add\", \"remove\" or \"replace\"");
	ERR(OPS("{\"op\":true,\"path\":\"active\"}"), "invalidSyntax", "\"op\" must be a string");
	ERR(OPS("{\"path\":\"active\"}"), "invalidSyntax", "\"op\" must be a string");
	ERR(OPS("\"add\""), "invalidSyntax", "not an object");
	ERR(OPS("{\"op\":\"add\",\"path\":\"active\"}"), "invalidSyntax", "add needs a \"value\"");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"active\"}"), "invalidSyntax",
	    "replace needs a \"value\"");
	ERR(OPS("{\"op\":\"add\",\"path\":5,\"value\":1}"), "invalidSyntax",
	    "\"path\" must be a string");
	ERR(OPS("{\"op\":\"add\",\"path\":\"active\",\"value\":true,\"from\":\"x\"}"),
	    "invalidSyntax", "unknown member 'from'");
	ERR(OPS("{\"op\":\"add\",\"path\":\"active\",\"value\":true,\"Value\":false}"),
	    "invalidSyntax", "given twice");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"tags\",\"value\":[\"red\"]}"), "invalidSyntax",
	    "remove takes no \"value\"");
	/* RFC 7644 3.5.2.2: remove without path is noTarget */
	ERR(OPS("{\"op\":\"remove\"}"), "noTarget", "remove needs a \"path\"");
	/* a syntax error in a later operation wins, nothing applied */
	ERR(OPS("{\"op\":\"replace\",\"path\":\"serial\",\"value\":\"S-2\"},"
		"{\"op\":\"nop\"}"),
	    "invalidSyntax", "operation 2:");
}

static void errors_path(void **state)
{
	(void)state;
	ERR(OPS("{\"op\":\"add\",\"path\":\"nosuch\",\"value\":1}"), "invalidPath",
	    "no attribute 'nosuch'");
	ERR(OPS("{\"op\":\"add\",\"path\":\"location.nosuch\",\"value\":1}"), "invalidPath",
	    "has no sub-attribute 'nosuch'");
	ERR(OPS("{\"op\":\"add\",\"path\":\"active.x\",\"value\":1}"), "invalidPath",
	    "has no sub-attributes");
	ERR(OPS("{\"op\":\"add\",\"path\":\"urn:ietf:params:scim:schemas:extension:other:2.0:Thing:"
		"owner\",\"value\":1}"),
	    "invalidPath", "is not a schema of Widget");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"location[site eq \\\"lab\\\"]\",\"value\":{}}"),
	    "invalidPath", "needs a multi-valued attribute");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq "
		"\\\"work\\\"].nosuch\",\"value\":1}"),
	    "invalidPath", "has no sub-attribute 'nosuch'");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"" W_CORE "\"}"), "invalidPath",
	    "cannot remove the resource");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\"\"}"), "invalidPath", "");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"\"}"), "invalidPath", "");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"emails[nosuch eq 1]\"}"), "invalidFilter",
	    "path 'emails[nosuch eq 1]'");
}

static void errors_no_target(void **state)
{
	(void)state;
	ERR(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"other\\\"].value\","
		"\"value\":\"x\"}"),
	    "noTarget", "the filter matches no value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"other\\\"]\","
		"\"value\":{\"value\":\"x\"}}"),
	    "noTarget", "the filter matches no value");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"other\\\"]\"}"), "noTarget",
	    "the filter matches no value");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"" W_EXT ":ports[name eq \\\"x\\\"]\"}"), "noTarget",
	    "the filter matches no value");
	/* add through a filter that is not made of eq comparisons */
	ERR(OPS("{\"op\":\"add\",\"path\":\"emails[type co \\\"oth\\\"].value\",\"value\":\"x\"}"),
	    "noTarget", "the filter matches no value");
}

static void errors_mutability(void **state)
{
	(void)state;
	ERR(OPS("{\"op\":\"replace\",\"path\":\"status\",\"value\":\"x\"}"), "mutability",
	    "'status' is readOnly");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"status\"}"), "mutability", "'status' is readOnly");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"id\",\"value\":\"w1\"}"), "mutability",
	    "'id' is readOnly");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"meta.version\",\"value\":\"x\"}"), "mutability",
	    "is readOnly");
	ERR(OPS("{\"op\":\"replace\",\"value\":{\"meta\":{}}}"), "mutability", "is readOnly");
	ERR(OPS("{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"v@x.org\","
		"\"verified\":true}]}"),
	    "mutability", "'emails.verified' is readOnly");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"serial\",\"value\":\"S-2\"}"), "mutability",
	    "'serial' is immutable");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"serial\"}"), "mutability", "'serial' is immutable");
	ERR(OPS("{\"op\":\"replace\",\"value\":{\"serial\":\"S-3\"}}"), "mutability",
	    "'serial' is immutable");
	err("{\"schemas\":[\"" W_CORE "\"],\"id\":\"w4\",\"displayName\":\"d\",\"location\":{"
	    "\"building\":\"B1\"}}",
	    OPS("{\"op\":\"replace\",\"path\":\"location.building\",\"value\":\"B2\"}"),
	    "mutability", "'location.building' is immutable");
}

static void errors_value(void **state)
{
	(void)state;
	ERR(OPS("{\"op\":\"replace\",\"path\":\"active\",\"value\":\"False\"}"), "invalidValue",
	    "'active' takes a boolean value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"count\",\"value\":1.5}"), "invalidValue",
	    "'count' takes a integer value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"weight\",\"value\":\"1\"}"), "invalidValue",
	    "takes a decimal value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"seen\",\"value\":\"2026-02-29T00:00:00Z\"}"),
	    "invalidValue", "takes a dateTime value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"seen\",\"value\":\"2026-01-01T00:00:00\"}"),
	    "invalidValue", "takes a dateTime value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"seen\",\"value\":\"2026-01-01 00:00:00Z\"}"),
	    "invalidValue", "takes a dateTime value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"blob\",\"value\":\"AAE\"}"), "invalidValue",
	    "takes a binary value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"blob\",\"value\":\"A=AA\"}"), "invalidValue",
	    "takes a binary value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"homepage\",\"value\":5}"), "invalidValue",
	    "takes a reference value");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":[\"a\"]}"), "invalidValue",
	    "is single-valued, an array given");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"location\",\"value\":\"lab\"}"), "invalidValue",
	    "takes a complex value");
	ERR(OPS("{\"op\":\"add\",\"path\":\"displayName\",\"value\":[]}"), "invalidValue",
	    "is single-valued, an array given");
	ERR(OPS("{\"op\":\"add\",\"path\":\"tags\",\"value\":[[\"a\"]]}"), "invalidValue",
	    "an array inside an array");
	ERR(OPS("{\"op\":\"add\",\"path\":\"tags\",\"value\":[1]}"), "invalidValue",
	    "'tags' takes a string value");
	ERR(OPS("{\"op\":\"add\",\"value\":\"x\"}"), "invalidValue", "the value must be an object");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"]\",\"value\":null}"),
	    "invalidValue", "no value given");
	/* unknown members inside values: as for PUT */
	ERR(OPS("{\"op\":\"add\",\"value\":{\"nosuch\":1}}"), "invalidSyntax",
	    "no attribute 'nosuch'");
	ERR(OPS("{\"op\":\"add\",\"path\":\"location\",\"value\":{\"nosuch\":1}}"), "invalidSyntax",
	    "has no sub-attribute 'nosuch'");
	ERR(OPS("{\"op\":\"add\",\"path\":\"location\",\"value\":{\"rack\":\"a\",\"RACK\":\"b\"}}"),
	    "invalidSyntax", "given twice");
	/* required attributes stay */
	ERR(OPS("{\"op\":\"remove\",\"path\":\"displayName\"}"), "invalidValue",
	    "'displayName' is required");
	ERR(OPS("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":null}"), "invalidValue",
	    "'displayName' is required");
	/* two primaries at once */
	ERR(OPS("{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"p@x.org\","
		"\"primary\":true},{\"value\":\"q@x.org\",\"primary\":true}]}"),
	    "invalidValue", "more than one value of 'emails' is primary");
}

/* All or nothing: a failing last operation leaves no trace of the earlier ones. */
static void all_or_nothing(void **state)
{
	(void)state;
	ERR(OPS("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"},"
		"{\"op\":\"remove\",\"path\":\"emails\"},"
		"{\"op\":\"replace\",\"path\":\"status\",\"value\":\"bad\"}"),
	    "mutability", "operation 3:");
	ERR(OPS("{\"op\":\"remove\",\"path\":\"" W_EXT "\"},"
		"{\"op\":\"replace\",\"path\":\"emails[type eq "
		"\\\"none\\\"].value\",\"value\":\"x\"}"),
	    "noTarget", "operation 2:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_without_path_merges),
		cmocka_unit_test(add_with_path),
		cmocka_unit_test(add_to_multi_valued),
		cmocka_unit_test(replace_shapes),
		cmocka_unit_test(remove_shapes),
		cmocka_unit_test(extension_added),
		cmocka_unit_test(document_names),
		cmocka_unit_test(errors_document),
		cmocka_unit_test(errors_path),
		cmocka_unit_test(errors_no_target),
		cmocka_unit_test(errors_mutability),
		cmocka_unit_test(errors_value),
		cmocka_unit_test(all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
