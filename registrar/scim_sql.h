/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SQL pre-selection for SCIM filters: the parts of a filter (scim_filter.h) that SQLite can
 * evaluate on a stored body (store.h: scim_resources.body, JSON) become a WHERE expression over
 * json_extract(body, '$."name"') (extension attributes under their URN key:
 * '$."urn:...:Device"."deviceMacAddress"'); the rest becomes 1 (true). The result selects a
 * superset of the resources the filter matches, so the caller still runs scim_filter_match on
 * every row; when `exact` is set it selects exactly those resources.
 *
 * Pushed down: single-valued, non-complex attributes (core, extension, externalId; id as the
 * column) with eq, ne, co, sw, ew, gt, ge, lt, le and pr on strings, references and binaries
 * (caseExact: BINARY comparisons and GLOB; otherwise COLLATE NOCASE and LIKE, both of which
 * fold ASCII only, as the C matcher does), eq/ne on booleans (json_type), eq/ne/gt/ge/lt/le on
 * integers and decimals, "eq null"/"ne null"; and, or, and not of an exact part. Not pushed
 * down (true in SQL): multi-valued and complex attributes, sub-attributes, value filters,
 * dateTimes, meta.
 *
 * Exactness rests on what scim_resource_check stores: attribute names in the schema's
 * spelling, extension objects under the schema's URN, values of the attribute's JSON type,
 * single-valued attributes never arrays, strings without NUL. The SQL never makes a result
 * wrong, whatever the body: it only decides which rows the C matcher sees.
 */
#ifndef TAO_SCIM_SQL_H
#define TAO_SCIM_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "scim_filter.h"
#include "scim_schema.h"
#include "store.h"

struct scim_sql {
	char *where;			/* an SQL expression; "1" when nothing is pushed down */
	struct tao_store_param *params; /* params[i] is ?(TAO_STORE_QUERY_PARAM0 + i) in where */
	size_t n_params;
	bool exact; /* where holds for exactly the resources f matches */
};

/*
 * Translate f (checked: scim_filter_match succeeded on it for rt) into *out. Returns 0, or
 * -ENOMEM (then *out is empty). Free with scim_sql_free (also after an error).
 */
int scim_sql_where(const struct scim_filter *f, const struct scim_resource_type *rt,
		   struct scim_sql *out);
void scim_sql_free(struct scim_sql *q);

#endif /* TAO_SCIM_SQL_H */
