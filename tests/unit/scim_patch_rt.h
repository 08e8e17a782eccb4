/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small static SCIM resource type for the PATCH tests (test_scim_patch.c and the differential
 * driver tests/registrar/scim_patch_apply.c): independent of the registrar's RFC 9944 tables.
 * Every attribute characteristic PATCH looks at has one attribute here.
 */
#ifndef TAO_TEST_SCIM_PATCH_RT_H
#define TAO_TEST_SCIM_PATCH_RT_H

#include "scim_schema.h"

#define W_CORE "urn:tao:params:scim:schemas:core:2.0:Widget"
#define W_EXT  "urn:tao:params:scim:schemas:extension:test:2.0:Widget"

#define W_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct scim_attr w_email_sub[] = {
	{ .name = "value", .type = SCIM_STRING },
	{ .name = "type", .type = SCIM_STRING },
	{ .name = "primary", .type = SCIM_BOOLEAN },
	{ .name = "verified", .type = SCIM_BOOLEAN, .mutability = SCIM_READ_ONLY },
};

static const struct scim_attr w_location_sub[] = {
	{ .name = "site", .type = SCIM_STRING },
	{ .name = "rack", .type = SCIM_STRING },
	{ .name = "floor", .type = SCIM_INTEGER },
	{ .name = "building", .type = SCIM_STRING, .mutability = SCIM_IMMUTABLE },
};

static const struct scim_attr w_core_attrs[] = {
	{ .name = "displayName", .type = SCIM_STRING, .required = true },
	{ .name = "active", .type = SCIM_BOOLEAN },
	{ .name = "serial", .type = SCIM_STRING, .case_exact = true, .mutability = SCIM_IMMUTABLE },
	{ .name = "status", .type = SCIM_STRING, .mutability = SCIM_READ_ONLY },
	{ .name = "secret",
	  .type = SCIM_STRING,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER },
	{ .name = "emails",
	  .type = SCIM_COMPLEX,
	  .multi_valued = true,
	  .sub = w_email_sub,
	  .n_sub = W_N(w_email_sub) },
	{ .name = "tags", .type = SCIM_STRING, .multi_valued = true },
	{ .name = "location",
	  .type = SCIM_COMPLEX,
	  .sub = w_location_sub,
	  .n_sub = W_N(w_location_sub) },
	{ .name = "count", .type = SCIM_INTEGER },
	{ .name = "weight", .type = SCIM_DECIMAL },
	{ .name = "seen", .type = SCIM_DATETIME },
	{ .name = "blob", .type = SCIM_BINARY },
	{ .name = "homepage", .type = SCIM_REFERENCE, .case_exact = true },
};

static const struct scim_attr w_port_sub[] = {
	{ .name = "name", .type = SCIM_STRING },
	{ .name = "number", .type = SCIM_INTEGER },
};

static const struct scim_attr w_ext_attrs[] = {
	{ .name = "owner", .type = SCIM_STRING },
	{ .name = "level", .type = SCIM_INTEGER },
	{ .name = "labels", .type = SCIM_STRING, .multi_valued = true },
	{ .name = "ports",
	  .type = SCIM_COMPLEX,
	  .multi_valued = true,
	  .sub = w_port_sub,
	  .n_sub = W_N(w_port_sub) },
};

static const struct scim_schema w_core = {
	.id = W_CORE,
	.name = "Widget",
	.description = "A test resource",
	.attrs = w_core_attrs,
	.n_attrs = W_N(w_core_attrs),
};

static const struct scim_schema w_ext = {
	.id = W_EXT,
	.name = "WidgetExtension",
	.description = "A test extension",
	.attrs = w_ext_attrs,
	.n_attrs = W_N(w_ext_attrs),
};

static const struct scim_extension_ref w_exts[] = { { .schema = &w_ext, .required = false } };

static const struct scim_resource_type w_rt = {
	.id = "Widget",
	.name = "Widget",
	.endpoint = "/Widgets",
	.description = "Widgets",
	.schema = &w_core,
	.extensions = w_exts,
	.n_extensions = 1,
};

#endif /* TAO_TEST_SCIM_PATCH_RT_H */
