/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Strict JSON input (the evidence codec, policies): parse, exact member sets, bounded integers. */
#ifndef TAO_JSON_STRICT_H
#define TAO_JSON_STRICT_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct tao_perr;

/* No document of the project nests deeper or has an object with more members. */
#define TAO_JSON_DEPTH	     8
#define TAO_JSON_MAX_MEMBERS 8

/*
 * Parse exactly text[0..len) as one JSON value (whitespace around it allowed): no NUL byte, no
 * member name twice in an object, no escaped member name, at most TAO_JSON_DEPTH levels and
 * TAO_JSON_MAX_MEMBERS members per object. what names the document in messages. Returns 0 and *out
 * (to json_object_put()), or -EBADMSG / -ENOMEM with a message.
 */
int tao_json_parse_strict(const char *text, size_t len, const char *what, struct json_object **out,
			  struct tao_perr *e);

/* The same with other bounds (SCIM bodies): at most max_depth levels, max_members per object. */
int tao_json_parse_bounded(const char *text, size_t len, const char *what, int max_depth,
			   size_t max_members, struct json_object **out, struct tao_perr *e);

/* o is an object with exactly the members names[0..n). Returns 0 or -EBADMSG. */
int tao_json_check_members(struct json_object *o, const char *what, const char *const *names,
			   size_t n, struct tao_perr *e);

/* o's member key is a JSON integer 0..max. Returns 0 or -EBADMSG. */
int tao_json_get_u32(struct json_object *o, const char *key, const char *what, uint32_t max,
		     uint32_t *out, struct tao_perr *e);

#endif /* TAO_JSON_STRICT_H */
