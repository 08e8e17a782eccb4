// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The filter tests' resource type (scim_filter_rt.h). */
#include "scim_filter_rt.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct scim_attr email_sub[] = {
	{ .name = "value", .type = SCIM_STRING },
	{ .name = "type", .type = SCIM_STRING },
	{ .name = "primary", .type = SCIM_BOOLEAN },
};

static const struct scim_attr name_sub[] = {
	{ .name = "givenName", .type = SCIM_STRING },
	{ .name = "familyName", .type = SCIM_STRING },
};

static const struct scim_attr core_attrs[] = {
	{ .name = "displayName", .type = SCIM_STRING },
	{ .name = "active", .type = SCIM_BOOLEAN },
	{ .name = "serialNumber", .type = SCIM_STRING, .case_exact = true },
	{ .name = "created", .type = SCIM_DATETIME },
	{ .name = "count", .type = SCIM_INTEGER },
	{ .name = "ratio", .type = SCIM_DECIMAL },
	{ .name = "photo", .type = SCIM_BINARY, .case_exact = true },
	{ .name = "profile", .type = SCIM_REFERENCE, .case_exact = true },
	{ .name = "emails",
	  .type = SCIM_COMPLEX,
	  .multi_valued = true,
	  .sub = email_sub,
	  .n_sub = N(email_sub) },
	{ .name = "tags", .type = SCIM_STRING, .multi_valued = true },
	{ .name = "name", .type = SCIM_COMPLEX, .sub = name_sub, .n_sub = N(name_sub) },
};

static const struct scim_attr ext_attrs[] = {
	{ .name = "macAddress", .type = SCIM_STRING },
};

static const struct scim_schema core = {
	.id = TEST_CORE_URN,
	.name = "Widget",
	.attrs = core_attrs,
	.n_attrs = N(core_attrs),
};

static const struct scim_schema ext = {
	.id = TEST_EXT_URN,
	.name = "WidgetBle",
	.attrs = ext_attrs,
	.n_attrs = N(ext_attrs),
};

static const struct scim_extension_ref exts[] = { { .schema = &ext } };

const struct scim_resource_type test_widget_rt = {
	.id = "Widget",
	.name = "Widget",
	.endpoint = "/Widgets",
	.schema = &core,
	.extensions = exts,
	.n_extensions = N(exts),
};

const struct scim_attr *const test_emails_attr = &core_attrs[8];

const char test_widget_full[] =
	"{\"schemas\":[\"" TEST_CORE_URN "\",\"" TEST_EXT_URN "\"],"
	"\"id\":\"abc-123\",\"externalId\":\"EXT-1\","
	"\"displayName\":\"Front Door Lock\",\"active\":true,\"serialNumber\":\"SN-0042-ab\","
	"\"created\":\"2026-01-15T10:30:00.5+01:00\",\"count\":42,\"ratio\":0.75,"
	"\"photo\":\"aGVsbG8=\",\"profile\":\"https://example.com/Widgets/abc\","
	"\"emails\":[{\"value\":\"Alice@Example.com\",\"type\":\"work\",\"primary\":true},"
	"{\"value\":\"bob@home.example\",\"type\":\"home\"}],"
	"\"tags\":[\"Blue\",\"red\",\"\"],"
	"\"name\":{\"givenName\":\"Ada\",\"familyName\":\"Lovelace\"},"
	"\"meta\":{\"resourceType\":\"Widget\",\"created\":\"2026-01-15T09:30:00Z\","
	"\"lastModified\":\"2026-02-01T00:00:00.123456789Z\",\"version\":\"W/\\\"1\\\"\"},"
	"\"" TEST_EXT_URN "\":{\"macAddress\":\"AA:BB:CC:DD:EE:FF\"}}";

const char test_widget_sparse[] = "{\"schemas\":[\"" TEST_CORE_URN "\"],\"id\":\"xyz\","
				  "\"displayName\":\"\",\"tags\":[],\"emails\":[],\"count\":null,"
				  "\"name\":{\"givenName\":null}}";
