// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Strict JSON input for the evidence and the policy: no duplicate or escaped member names, a
 * bounded depth and member count, nothing after the value, exact member sets, bounded integers.
 */
#include "tao_json_strict.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tao_nla.h"

/*
 * json-c keeps the last of duplicate keys silently; the format has none, so refuse them (and any
 * escaped key, which could spell a known key twice) by scanning the text first. Also bounds the
 * members of an object, so the scan stays linear.
 */
struct scan_level {
	bool object, want_key;
	size_t n;
	const char **key; /* max_members each */
	size_t *key_len;
};

static int scan_keys(const char *s, size_t len, struct tao_perr *e, const char *what,
		     struct scan_level *stack, int max_depth, size_t max_members)
{
	int depth = -1;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return tao_fail(e, -EBADMSG, "%s: nested too deeply", what);
			stack[depth].object = c == '{';
			stack[depth].want_key = c == '{';
			stack[depth].n = 0;
		} else if (c == '}' || c == ']') {
			if (depth >= 0)
				depth--;
		} else if (c == ',') {
			if (depth >= 0 && stack[depth].object)
				stack[depth].want_key = true;
		} else if (c == '"') {
			size_t start = ++i;
			bool escaped = false;

			/* Strings are most of the text (base64url): find their end with memchr().
			 */
			for (;;) {
				const char *q = i < len ? memchr(s + i, '"', len - i) : NULL;
				const char *bs =
					i < len ? memchr(s + i, '\\',
							 q ? (size_t)(q - (s + i)) : len - i)
						: NULL;

				if (!bs) {
					if (!q)
						return 0; /* unterminated: the parser says so */
					i = (size_t)(q - s);
					break;
				}
				escaped = true;
				i = (size_t)(bs - s) + 2; /* skip the escaped character */
			}
			if (depth >= 0 && stack[depth].object && stack[depth].want_key) {
				size_t n = stack[depth].n, klen = i - start;

				if (escaped)
					return tao_fail(e, -EBADMSG, "%s: escaped member name",
							what);
				if (n == max_members)
					return tao_fail(e, -EBADMSG,
							"%s: an object with too many members",
							what);
				for (size_t k = 0; k < n; k++)
					if (stack[depth].key_len[k] == klen &&
					    memcmp(stack[depth].key[k], s + start, klen) == 0)
						return tao_fail(e, -EBADMSG,
								"%s: member \"%.*s\" appears twice",
								what, (int)klen, s + start);
				stack[depth].key[n] = s + start;
				stack[depth].key_len[n] = klen;
				stack[depth].n++;
				stack[depth].want_key = false;
			}
		}
	}
	return 0;
}

/* Parse exactly text[0..len) as one JSON value (whitespace around it allowed). */
int tao_json_parse_strict(const char *text, size_t len, const char *what, struct json_object **out,
			  struct tao_perr *e)
{
	return tao_json_parse_bounded(text, len, what, TAO_JSON_DEPTH, TAO_JSON_MAX_MEMBERS, out,
				      e);
}

int tao_json_parse_bounded(const char *text, size_t len, const char *what, int max_depth,
			   size_t max_members, struct json_object **out, struct tao_perr *e)
{
	struct scan_level *stack;
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;
	int rc;

	if (memchr(text, '\0', len))
		return tao_fail(e, -EBADMSG, "%s: a NUL byte in the text", what);
	if (max_depth < 1 || max_members < 1)
		return tao_fail(e, -EINVAL, "%s: no depth or members allowed", what);
	stack = calloc((size_t)max_depth + 1, sizeof(*stack));
	if (!stack)
		return tao_fail(e, -ENOMEM, "%s: out of memory", what);
	stack[0].key = calloc(((size_t)max_depth + 1) * max_members, sizeof(*stack[0].key));
	stack[0].key_len = calloc(((size_t)max_depth + 1) * max_members, sizeof(size_t));
	if (!stack[0].key || !stack[0].key_len) {
		free(stack[0].key);
		free(stack[0].key_len);
		free(stack);
		return tao_fail(e, -ENOMEM, "%s: out of memory", what);
	}
	for (int i = 1; i <= max_depth; i++) {
		stack[i].key = stack[0].key + (size_t)i * max_members;
		stack[i].key_len = stack[0].key_len + (size_t)i * max_members;
	}
	rc = scan_keys(text, len, e, what, stack, max_depth, max_members);
	free(stack[0].key);
	free(stack[0].key_len);
	free(stack);
	if (rc)
		return rc;
	tok = json_tokener_new_ex(max_depth);
	if (!tok)
		return tao_fail(e, -ENOMEM, "%s: out of memory", what);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1); /* end of input */
	if (!o) {
		rc = tao_fail(e, -EBADMSG, "%s: not JSON: %s", what,
			      json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		return rc;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++)
		if (!strchr(" \t\r\n", text[end])) {
			json_object_put(o);
			return tao_fail(e, -EBADMSG, "%s: trailing bytes after the JSON value",
					what);
		}
	*out = o;
	return 0;
}

/* o is an object with exactly the members names[0..n). */
int tao_json_check_members(struct json_object *o, const char *what, const char *const *names,
			   size_t n, struct tao_perr *e)
{
	if (!json_object_is_type(o, json_type_object))
		return tao_fail(e, -EBADMSG, "%s: not an object", what);
	for (size_t i = 0; i < n; i++)
		if (!json_object_object_get_ex(o, names[i], NULL))
			return tao_fail(e, -EBADMSG, "%s: member \"%s\" is missing", what,
					names[i]);
	json_object_object_foreach(o, key, val)
	{
		bool known = false;

		(void)val;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(key, names[i]) == 0;
		if (!known)
			return tao_fail(e, -EBADMSG, "%s: unknown member \"%s\"", what, key);
	}
	return 0;
}

int tao_json_get_u32(struct json_object *o, const char *key, const char *what, uint32_t max,
		     uint32_t *out, struct tao_perr *e)
{
	struct json_object *v = json_object_object_get(o, key);
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return tao_fail(e, -EBADMSG, "%s.%s: not an integer", what, key);
	x = json_object_get_int64(v);
	if (x < 0 || x > (int64_t)max)
		return tao_fail(e, -EBADMSG, "%s.%s: %lld is out of range (0..%u)", what, key,
				(long long)x, max);
	*out = (uint32_t)x;
	return 0;
}
