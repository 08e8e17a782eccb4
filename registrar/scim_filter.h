/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SCIM filters and PATCH paths (RFC 7644 sections 3.4.2.2 and 3.5.2, the ABNF of figure 1):
 * a strict parser into a small tree, and its evaluation against a resource (json-c) with the
 * attribute characteristics of the resource type's schemas (scim_schema.h).
 */
#ifndef TAO_SCIM_FILTER_H
#define TAO_SCIM_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "scim_schema.h"

struct json_object;

enum scim_op {
	SCIM_OP_EQ,
	SCIM_OP_NE,
	SCIM_OP_CO,
	SCIM_OP_SW,
	SCIM_OP_EW,
	SCIM_OP_GT,
	SCIM_OP_GE,
	SCIM_OP_LT,
	SCIM_OP_LE,
	SCIM_OP_PR,
	SCIM_OP_AND,
	SCIM_OP_OR,
	SCIM_OP_NOT,
	SCIM_OP_VALUE_PATH, /* attr[filter]: left is the filter, relative to attr */
};

/*
 * An attribute path: [URN ":"] attr ["." sub]. Names as written (compared case-insensitively).
 * A URN (text starting "urn:") runs to the next space, bracket, parenthesis or quote and ends at
 * its last ':' — so "urn:ietf:params:scim:schemas:extension:ble:2.0:Device:deviceMacAddress" is
 * urn "urn:...:ble:2.0:Device", attr "deviceMacAddress". A path that is a schema URN alone (its
 * last segment a name right after a version segment of digits and dots, as "...:2.0:Device" or
 * "...:1.0:Device", with nothing after it) names the whole extension: urn is the whole text and
 * attr is "" (a PATCH path only; a filter refuses it). ATTRNAME is ALPHA *(ALPHA / DIGIT / "-" /
 * "_") or "$ref".
 */
struct scim_attr_path {
	char *urn;  /* NULL when not given */
	char *attr; /* never NULL; "" for a whole schema */
	char *sub;  /* NULL when not given */
};

struct scim_filter {
	enum scim_op op;
	struct scim_attr_path path; /* comparisons, pr, value paths */
	struct json_object *value;  /* comparisons: the compValue (string, number, bool, null) */
	struct scim_filter *left, *right; /* and/or: both; not and value paths: left */
};

/* Bounds: longer filters or deeper nesting are refused (invalidFilter), never truncated. */
#define SCIM_FILTER_MAX_LEN   4096
#define SCIM_FILTER_MAX_DEPTH 32

/*
 * Parse text (the whole of it) into *out. Returns 0, or -EINVAL with a message naming the
 * offset and what was expected ("filter: offset 12: expected a comparison operator after
 * 'displayName', found 'eqq'"): the registrar answers 400 invalidFilter with it. Offsets count
 * bytes from 0. Operators, "and", "or" and "not" are case-insensitive; true, false and null are
 * JSON's (lower case); strings are JSON strings (escapes, UTF-8 checked, no \u0000); numbers are
 * JSON numbers (int64 when integral and in range, else double). Whitespace is one or more
 * spaces (no tabs) where figure 1 has SP, optional around the filter, inside ( ) and [ ], and
 * between "not" and "(". Also refused whatever the schema: ordering or co/sw/ew with true, false
 * or null, co/sw/ew with a number, a value filter inside a value filter, attr[filter].sub.
 */
int scim_filter_parse(const char *text, struct scim_filter **out, char *err, size_t errlen);
void scim_filter_free(struct scim_filter *f);

/*
 * Does resource (a resource type's JSON, core attributes at the top, extension attributes under
 * their URN) match f? Semantics of RFC 7644 section 3.4.2.2: attribute names case-insensitive;
 * strings compared by the attribute's caseExact; a multi-valued attribute matches when any value
 * does; a complex multi-valued attribute compared without a sub-attribute means its "value"
 * sub-attribute; gt/ge/lt/le on strings (lexical), numbers and dateTimes (chronological), refused
 * on booleans and binaries; pr is "present and not empty/null"; an attribute the schema does not
 * define is refused (-EINVAL, invalidFilter) rather than silently unmatched. Returns 1, 0 or
 * -EINVAL with a message.
 *
 * The whole filter is checked against the schemas before any value is looked at, so an error
 * does not depend on the resource: unknown attributes (an unqualified name is a common or core
 * one; extension attributes need their URN), a value of the wrong type for the attribute (a
 * string for string/reference/binary, true/false for boolean, a number for integer/decimal, an
 * RFC 3339 date-time string for dateTime), co/sw/ew on other than string/reference/binary, a
 * comparison on a single-valued complex attribute, a value filter on a non-complex one.
 * Details: case-insensitive means ASCII case folding; strings order by bytes (UTF-8: code
 * points); numbers compare as long double (exact for int64 and double); dateTimes with offsets
 * and any number of fraction digits. null and unassigned are the same (RFC 7643 section 2.5):
 * "eq null" holds when the attribute is absent, null or empty (exactly when pr does not), "ne
 * null" when pr does, and every other comparison needs a value — "ne" included, which for a
 * multi-valued attribute means "some value differs". pr on a complex attribute: some
 * sub-attribute has a value. attr[filter] holds when one value of attr satisfies all of filter.
 * Values of the wrong JSON type in the resource match nothing.
 */
int scim_filter_match(const struct scim_filter *f, const struct scim_resource_type *rt,
		      const struct json_object *resource, char *err, size_t errlen);

/*
 * The same for one value of a complex attribute (a value filter, attr[filter]): f's attribute
 * paths name sub-attributes of complex. Used by PATCH on multi-valued complex attributes.
 */
int scim_filter_match_value(const struct scim_filter *f, const struct scim_attr *complex,
			    const struct json_object *value, char *err, size_t errlen);

/* A PATCH operation's path: attrPath, or valuePath ["." subAttr] (RFC 7644 figure 1). */
struct scim_patch_path {
	struct scim_attr_path attr; /* with attr.sub when the path is attr.sub */
	struct scim_filter *filter; /* the value filter of attr[filter], or NULL */
	char *sub_after_filter;	    /* attr[filter].sub, or NULL */
};

/*
 * Parse a PATCH path; -EINVAL (invalidPath) with a message like scim_filter_parse ("path: offset
 * N: ..."). No spaces outside the brackets; attr.sub followed by [filter] is refused. On error
 * *out is all NULL; scim_patch_path_free may be called twice.
 */
int scim_patch_path_parse(const char *text, struct scim_patch_path *out, char *err, size_t errlen);
void scim_patch_path_free(struct scim_patch_path *p);

#endif /* TAO_SCIM_FILTER_H */
