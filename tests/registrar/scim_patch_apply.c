// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The differential driver of tests/registrar/patch_diff.sh: reads lines
 * "RESOURCE_JSON<TAB>PATCHOP_JSON" on stdin, applies each with scim_resource_patch on the test
 * resource type of tests/unit/scim_patch_rt.h and prints one line per input: the result in the
 * canonical form patch_diff.mjs prints too (keys sorted, no white space, null members and empty
 * arrays left out: unassigned, RFC 7643 section 2.5), or "error SCIMTYPE".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scim_resource.h"
#include "scim_patch_rt.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool absent(struct json_object *v)
{
	return v == NULL ||
	       (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0);
}

static void canon(FILE *f, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(v), k = 0;
		const char **keys = calloc(n ? n : 1, sizeof(*keys));
		bool first = true;

		if (!keys)
			exit(2);
		json_object_object_foreach(v, key, val)
		{
			(void)val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof(*keys), cmp_str);
		fputc('{', f);
		for (size_t i = 0; i < k; i++) {
			struct json_object *m = json_object_object_get(v, keys[i]);
			struct json_object *s;

			if (absent(m))
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			s = json_object_new_string(keys[i]);
			fputs(json_object_to_json_string_ext(
				      s, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			      f);
			json_object_put(s);
			fputc(':', f);
			canon(f, m);
		}
		fputc('}', f);
		free(keys);
		break;
	}
	case json_type_array:
		fputc('[', f);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				fputc(',', f);
			canon(f, json_object_array_get_idx(v, i));
		}
		fputc(']', f);
		break;
	case json_type_null:
		fputs("null", f);
		break;
	default:
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE),
		      f);
		break;
	}
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		struct json_object *res, *patch, *out = NULL;
		struct scim_error e;
		char *tab;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		tab = strchr(line, '\t');
		if (!tab) {
			puts("error input");
			continue;
		}
		*tab = '\0';
		res = json_tokener_parse(line);
		patch = json_tokener_parse(tab + 1);
		if (!res || !patch) {
			puts("error input");
		} else if (scim_resource_patch(&w_rt, res, patch, &out, &e) < 0) {
			printf("error %s\n", e.scim_type ? e.scim_type : "none");
		} else {
			canon(stdout, out);
			putchar('\n');
			json_object_put(out);
		}
		json_object_put(res);
		json_object_put(patch);
		fflush(stdout);
	}
	free(line);
	return 0;
}
