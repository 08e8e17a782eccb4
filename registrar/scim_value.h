/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* SCIM values the schema, filter and PATCH code all read: names, dateTimes, base64, types. */
#ifndef TAO_SCIM_VALUE_H
#define TAO_SCIM_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scim_schema.h"

struct json_object;

/* A member of o by name, case-insensitively (RFC 7644 section 3.10; exact match first). */
struct json_object *scim_get_ci(const struct json_object *o, const char *name);

/* An RFC 3339 date-time (RFC 7643 section 2.3.5): UTC seconds and the fraction's digits. */
struct scim_datetime {
	int64_t secs;
	const char *frac; /* digits, trailing zeros dropped */
	size_t frac_len;
};

/*
 * Parse s[0..n) as YYYY-MM-DDThh:mm:ss[.f+](Z|(+|-)hh:mm), days checked against the month (leap
 * years too), seconds up to 60; 't' and 'z' allowed. out may be NULL. Returns true when valid.
 */
bool scim_datetime_parse(const char *s, size_t n, struct scim_datetime *out);

/* Chronological order of two parsed date-times: <0, 0, >0. */
int scim_datetime_cmp(const struct scim_datetime *a, const struct scim_datetime *b);

/* Base64 of RFC 4648 section 4, padded, no white space (RFC 7643 section 2.3.6). */
bool scim_base64_valid(const char *s, size_t n);

/* "string", "boolean", ... (RFC 7643 section 2.3). */
const char *scim_type_name(enum scim_type t);

#endif /* TAO_SCIM_VALUE_H */
