// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * scim_filter_eval: for tests/registrar/filter_diff.sh. Reads lines "FILTER<TAB>RESOURCE_JSON"
 * on standard input and prints, per line, 1 or 0 (scim_filter_match on the filter tests'
 * resource type, tests/unit/scim_filter_rt.c) or "error" (the filter or the resource refused;
 * the message goes to standard error as "line N: MESSAGE"). A line is split at its last TAB:
 * the JSON is on one line without TABs, the filter may have some. Not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scim_filter.h"
#include "scim_filter_rt.h"

int main(void)
{
	char *line = NULL, err[512];
	size_t cap = 0;
	ssize_t n;
	unsigned long no = 0;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct json_object *resource;
		struct scim_filter *f;
		char *tab;
		int rc;

		no++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		tab = strrchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "line %lu: no TAB between the filter and the resource\n",
				no);
			puts("error");
			continue;
		}
		*tab = '\0';
		resource = json_tokener_parse(tab + 1);
		if (!resource || !json_object_is_type(resource, json_type_object)) {
			fprintf(stderr, "line %lu: the resource is not a JSON object\n", no);
			puts("error");
			json_object_put(resource);
			continue;
		}
		rc = scim_filter_parse(line, &f, err, sizeof(err));
		if (rc == 0) {
			rc = scim_filter_match(f, &test_widget_rt, resource, err, sizeof(err));
			scim_filter_free(f);
		}
		if (rc < 0) {
			fprintf(stderr, "line %lu: %s\n", no, err);
			puts("error");
		} else {
			puts(rc ? "1" : "0");
		}
		json_object_put(resource);
	}
	free(line);
	return ferror(stdin) || fflush(stdout) ? 1 : 0;
}
