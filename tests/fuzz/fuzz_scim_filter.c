// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: SCIM filters and PATCH paths (registrar/scim_filter.h). The input is parsed
 * as a filter and as a path; what parses is evaluated on the fixed resources of the filter tests
 * (tests/unit/scim_filter_rt.c) and, as a value filter, on each of their "emails" values.
 * Built with meson -Dfuzz=true and clang; see tests/fuzz/run.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scim_filter.h"
#include "scim_filter_rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct json_object *resources[2];

static void check_rc(int rc, const char *err)
{
	/* 1, 0, or -EINVAL with a message */
	if (rc != 0 && rc != 1 && !(rc == -EINVAL && err[0]))
		abort();
}

static void match_values(const struct scim_filter *f)
{
	char err[256];

	for (size_t r = 0; r < 2; r++) {
		struct json_object *emails = json_object_object_get(resources[r], "emails");

		for (size_t i = 0; i < json_object_array_length(emails); i++)
			check_rc(scim_filter_match_value(f, test_emails_attr,
							 json_object_array_get_idx(emails, i), err,
							 sizeof(err)),
				 err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scim_patch_path path;
	struct scim_filter *f;
	char err[256], *text;

	if (!resources[0]) {
		resources[0] = json_tokener_parse(test_widget_full);
		resources[1] = json_tokener_parse(test_widget_sparse);
		if (!resources[0] || !resources[1])
			abort();
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (scim_filter_parse(text, &f, err, sizeof(err)) == 0) {
		for (size_t r = 0; r < 2; r++)
			check_rc(scim_filter_match(f, &test_widget_rt, resources[r], err,
						   sizeof(err)),
				 err);
		match_values(f);
		scim_filter_free(f);
	} else if (!err[0] || f) {
		abort();
	}
	if (scim_patch_path_parse(text, &path, err, sizeof(err)) == 0) {
		if (!path.attr.attr)
			abort();
		if (path.filter)
			match_values(path.filter);
		scim_patch_path_free(&path);
	} else if (!err[0] || path.attr.attr || path.filter || path.sub_after_filter) {
		abort();
	}
	free(text);
	return 0;
}
