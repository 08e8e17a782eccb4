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

/* An attribute path: [URN ":"] attr ["." sub]. Names as written (compared case-insensitively). */
struct scim_attr_path {
	char *urn;  /* NULL when not given */
	char *attr; /* never NULL */
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
 * 'displayName', found 'eqq'"): the registrar answers 400 invalidFilter with it.
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

/* Parse a PATCH path; -EINVAL (invalidPath) with a message like scim_filter_parse. */
int scim_patch_path_parse(const char *text, struct scim_patch_path *out, char *err, size_t errlen);
void scim_patch_path_free(struct scim_patch_path *p);

#endif /* TAO_SCIM_FILTER_H */
