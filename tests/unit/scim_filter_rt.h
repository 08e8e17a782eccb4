/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small SCIM resource type for the filter tests (unit, fuzz, differential): a core schema with
 * one attribute of each type and the multi-valued cases, and one extension. Not the registrar's.
 */
#ifndef TAO_TEST_SCIM_FILTER_RT_H
#define TAO_TEST_SCIM_FILTER_RT_H

#include "scim_schema.h"

#define TEST_CORE_URN "urn:example:params:scim:schemas:core:2.0:Widget"
#define TEST_EXT_URN  "urn:example:params:scim:schemas:extension:ble:2.0:Widget"

extern const struct scim_resource_type test_widget_rt;

/* The "emails" attribute (complex, multi-valued: value, type, primary). */
extern const struct scim_attr *const test_emails_attr;

/* A full resource and a sparse one (empty strings, empty arrays, nulls), as JSON text. */
extern const char test_widget_full[];
extern const char test_widget_sparse[];

#endif /* TAO_TEST_SCIM_FILTER_RT_H */
