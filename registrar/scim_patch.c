// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SCIM PATCH (RFC 7644 section 3.5.2) on a resource of a resource type: every operation is
 * applied to a deep copy of the stored resource, which is then checked as a PUT would be
 * (scim_resource_check, replace), so nothing is changed unless all operations succeed.
 *
 * Decisions where the RFC leaves room (each one tested in tests/unit/test_scim_patch.c):
 * - The PatchOp's member names ("schemas", "Operations", "op", "path", "value") are matched
 *   case-insensitively like attribute names (RFC 7643 section 2.1); "schemas" must be exactly
 *   one URN, the PatchOp one (compared case-insensitively), "Operations" a non-empty array of
 *   objects; any other member, or two members differing only in case, is invalidSyntax.
 * - remove without a path is noTarget (RFC 7644 section 3.5.2.2 says so explicitly); a "value"
 *   on remove is refused (invalidSyntax): the RFC defines none, a value filter selects values.
 * - add and replace need a "value"; a null value (or an empty array for a multi-valued
 *   attribute) unassigns the attribute like remove (RFC 7643 section 2.5: the same state).
 * - Removing an attribute that has no value is a no-op; noTarget is only for a value filter
 *   that matches nothing (RFC 7644 table 9), for remove, replace and add alike, except that add
 *   with a filter made of "sub eq literal" comparisons (joined by and) that matches nothing
 *   appends a new value made from those comparisons and the operation's value.
 * - replace of a complex attribute merges the given sub-attributes (3.5.2.3); replace through a
 *   value filter without a sub-attribute replaces each matching value whole (3.5.2.3: "all
 *   matching record values SHALL be replaced"); add through one merges into each.
 * - attr.sub on a multi-valued complex attribute addresses that sub-attribute of every value.
 * - A value filter on a multi-valued attribute of simple values compares each value as the
 *   sub-attribute "value" (tags[value eq "x"]).
 * - Adding to a multi-valued attribute appends the values not already there (equality by the
 *   attribute's types and caseExact); a single value is taken as a one-element array.
 * - A value whose "primary" becomes true makes the others false (3.5.2); two new primaries in
 *   one operation are invalidValue.
 * - In a value, an attribute the schema does not define is invalidSyntax (as for PUT); in a
 *   path it is invalidPath; a filter the attribute cannot be compared with is invalidFilter
 *   (table 9: PATCH path filters).
 * - readOnly targets (in a path or inside a value) are refused (mutability) even when the value
 *   is unchanged; an immutable attribute may be given when it had no value, and must otherwise
 *   end the PATCH with the value it had (mutability).
 * - Removing a required attribute (or a required extension) is invalidValue ("a required value
 *   was missing", table 9). "schemas" in a value without path is ignored: the server keeps
 *   "schemas" equal to the core schema plus the extensions that have attributes.
 */
#include "scim_resource.h"
#include "scim_value.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim_filter.h"

#define PATCHOP_URN "urn:ietf:params:scim:api:messages:2.0:PatchOp"

enum patch_op {
	OP_ADD,
	OP_REMOVE,
	OP_REPLACE,
};

static const char *const op_names[] = { "add", "remove", "replace" };

struct patch {
	const struct scim_resource_type *rt;
	struct json_object *res; /* the working copy */
	struct scim_error *e;
	size_t index; /* of the operation, for messages */
};

__attribute__((format(printf, 4, 5))) static int fail(struct patch *p, int status, const char *type,
						      const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	p->e->status = status;
	p->e->scim_type = type;
	if (p->index)
		n = snprintf(p->e->detail, sizeof(p->e->detail), "operation %zu: ", p->index);
	if (n < 0 || (size_t)n >= sizeof(p->e->detail))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(p->e->detail + n, sizeof(p->e->detail) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(struct patch *p)
{
	return fail(p, 500, NULL, "out of memory");
}

/* ---- JSON objects with case-insensitive member names ---- */

static struct json_object *obj_find(struct json_object *o, const char *name, const char **key)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, name) == 0) {
			if (key)
				*key = k;
			return v ? v : NULL;
		}
	}
	return NULL;
}

static bool obj_has(struct json_object *o, const char *name)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return false;
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		if (strcasecmp(k, name) == 0)
			return true;
	}
	return false;
}

static void obj_del(struct json_object *o, const char *name)
{
	const char *key;

	while (obj_has(o, name)) {
		key = NULL;
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			if (strcasecmp(k, name) == 0) {
				key = k;
				break;
			}
		}
		if (!key)
			break;
		json_object_object_del(o, key);
	}
}

/* Sets o[name] = v (v's reference is taken), removing other spellings of name first. */
static int obj_put(struct json_object *o, const char *name, struct json_object *v)
{
	obj_del(o, name);
	return json_object_object_add(o, name, v);
}

/* Two members of o whose names differ only in case? */
static const char *obj_dup_key(struct json_object *o)
{
	struct json_object_iterator it = json_object_iter_begin(o), end = json_object_iter_end(o);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		struct json_object_iterator jt = it;

		for (json_object_iter_next(&jt); !json_object_iter_equal(&jt, &end);
		     json_object_iter_next(&jt))
			if (strcasecmp(k, json_object_iter_peek_name(&jt)) == 0)
				return k;
	}
	return NULL;
}

static bool is_null(struct json_object *v)
{
	return v == NULL || json_object_is_type(v, json_type_null);
}

/* Unassigned in the sense of RFC 7643 section 2.5: absent, null or an empty array. */
static bool unassigned(struct json_object *v)
{
	return is_null(v) ||
	       (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0);
}

/* ---- values against attributes ---- */

static int norm_value(struct patch *p, const struct scim_attr *a, const char *where,
		      struct json_object *v, struct json_object **out);

/*
 * One value (not an array) of a; *out is a new object (complex values with the schema's
 * member names, null sub-attributes dropped). readOnly sub-attributes are refused.
 */
static int norm_single(struct patch *p, const struct scim_attr *a, const char *where,
		       struct json_object *v, struct json_object **out)
{
	const char *s;
	bool ok = false;

	*out = NULL;
	switch (a->type) {
	case SCIM_STRING:
	case SCIM_REFERENCE:
		ok = json_object_is_type(v, json_type_string);
		break;
	case SCIM_BOOLEAN:
		ok = json_object_is_type(v, json_type_boolean);
		break;
	case SCIM_INTEGER:
		ok = json_object_is_type(v, json_type_int);
		break;
	case SCIM_DECIMAL:
		ok = json_object_is_type(v, json_type_int) ||
		     json_object_is_type(v, json_type_double);
		break;
	case SCIM_DATETIME:
		ok = json_object_is_type(v, json_type_string) &&
		     scim_datetime_parse(json_object_get_string(v),
					 (size_t)json_object_get_string_len(v), NULL);
		break;
	case SCIM_BINARY:
		ok = json_object_is_type(v, json_type_string) &&
		     scim_base64_valid(json_object_get_string(v),
				       (size_t)json_object_get_string_len(v));
		break;
	case SCIM_COMPLEX: {
		struct json_object *o;
		const char *dup;

		if (!json_object_is_type(v, json_type_object))
			break;
		dup = obj_dup_key(v);
		if (dup)
			return fail(p, 400, "invalidSyntax", "'%s': member '%s' given twice", where,
				    dup);
		o = json_object_new_object();
		if (!o)
			return oom(p);
		json_object_object_foreach(v, k, sv)
		{
			const struct scim_attr *sa = scim_sub_find(a, k);
			struct json_object *n;
			char w[256];

			if (!sa) {
				json_object_put(o);
				return fail(p, 400, "invalidSyntax",
					    "'%s' has no sub-attribute '%s'", where, k);
			}
			snprintf(w, sizeof(w), "%s.%s", where, sa->name);
			if (sa->mutability == SCIM_READ_ONLY) {
				json_object_put(o);
				return fail(p, 400, "mutability", "'%s' is readOnly", w);
			}
			if (unassigned(sv))
				continue;
			if (norm_value(p, sa, w, sv, &n) < 0 || obj_put(o, sa->name, n) < 0) {
				json_object_put(o);
				return p->e->status ? -1 : oom(p);
			}
		}
		*out = o;
		return 0;
	}
	}
	if (!ok) {
		s = json_object_is_type(v, json_type_array) ? "an array" : "the wrong type";
		return fail(p, 400, "invalidValue", "'%s' takes a %s value, %s given", where,
			    scim_type_name(a->type), s);
	}
	*out = json_object_get(v);
	return 0;
}

/* A value of a as a whole: an array for a multi-valued attribute. */
static int norm_value(struct patch *p, const struct scim_attr *a, const char *where,
		      struct json_object *v, struct json_object **out)
{
	struct json_object *arr, *n;

	if (!a->multi_valued) {
		if (json_object_is_type(v, json_type_array))
			return fail(p, 400, "invalidValue", "'%s' is single-valued, an array given",
				    where);
		return norm_single(p, a, where, v, out);
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(p, 400, "invalidValue", "'%s' is multi-valued, not an array", where);
	arr = json_object_new_array();
	if (!arr)
		return oom(p);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *el = json_object_array_get_idx(v, i);

		if (json_object_is_type(el, json_type_array)) {
			json_object_put(arr);
			return fail(p, 400, "invalidValue", "'%s': an array inside an array",
				    where);
		}
		if (is_null(el))
			continue;
		if (norm_single(p, a, where, el, &n) < 0) {
			json_object_put(arr);
			return -1;
		}
		if (json_object_array_add(arr, n) < 0) {
			json_object_put(n);
			json_object_put(arr);
			return oom(p);
		}
	}
	*out = arr;
	return 0;
}

/* Equal values of one (single) value of a: strings by caseExact, complex member by member. */
static bool value_equal(const struct scim_attr *a, struct json_object *x, struct json_object *y)
{
	if (a->type == SCIM_COMPLEX) {
		if (!json_object_is_type(x, json_type_object) ||
		    !json_object_is_type(y, json_type_object) ||
		    json_object_object_length(x) != json_object_object_length(y))
			return false;
		json_object_object_foreach(x, k, xv)
		{
			const struct scim_attr *sa = scim_sub_find(a, k);
			struct json_object *yv = obj_find(y, k, NULL);

			if (!obj_has(y, k))
				return false;
			if (!sa) {
				if (!json_object_equal(xv, yv))
					return false;
				continue;
			}
			if (sa->multi_valued || json_object_is_type(xv, json_type_array)) {
				if (!json_object_equal(xv, yv))
					return false;
			} else if (!value_equal(sa, xv, yv)) {
				return false;
			}
		}
		return true;
	}
	if ((a->type == SCIM_STRING || a->type == SCIM_REFERENCE) && !a->case_exact &&
	    json_object_is_type(x, json_type_string) && json_object_is_type(y, json_type_string))
		return strcasecmp(json_object_get_string(x), json_object_get_string(y)) == 0;
	return json_object_equal(x, y);
}

/* ---- writing one attribute into its container (the resource, an extension, a value) ---- */

static int check_writable(struct patch *p, const struct scim_attr *a, const char *where)
{
	if (a->mutability == SCIM_READ_ONLY)
		return fail(p, 400, "mutability", "'%s' is readOnly", where);
	return 0;
}

/*
 * op on attribute a of container o (an object): the rules of 3.5.2.1-3.5.2.3 for a target
 * without value filter. v is NULL for remove.
 */
static int write_attr(struct patch *p, enum patch_op op, struct json_object *o,
		      const struct scim_attr *a, const char *where, struct json_object *v)
{
	struct json_object *cur = obj_find(o, a->name, NULL), *n = NULL;

	if (check_writable(p, a, where) < 0)
		return -1;
	if (op != OP_REMOVE && !a->multi_valued && json_object_is_type(v, json_type_array))
		return fail(p, 400, "invalidValue", "'%s' is single-valued, an array given", where);
	if (op == OP_REMOVE || unassigned(v)) {
		if (op != OP_REMOVE && a->multi_valued && op == OP_ADD && v &&
		    json_object_is_type(v, json_type_array))
			return 0; /* adding no values */
		obj_del(o, a->name);
		return 0;
	}
	if (a->multi_valued && !json_object_is_type(v, json_type_array)) {
		/* a single value given for a multi-valued attribute: as a one-element array */
		struct json_object *one = json_object_new_array();
		int r;

		if (!one || json_object_array_add(one, json_object_get(v)) < 0) {
			json_object_put(one);
			return oom(p);
		}
		r = norm_value(p, a, where, one, &n);
		json_object_put(one);
		if (r < 0)
			return -1;
	} else if (norm_value(p, a, where, v, &n) < 0) {
		return -1;
	}

	if (a->multi_valued && op == OP_ADD && json_object_is_type(cur, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(n); i++) {
			struct json_object *nv = json_object_array_get_idx(n, i);
			bool dup = false;

			for (size_t j = 0; j < json_object_array_length(cur) && !dup; j++)
				dup = value_equal(a, json_object_array_get_idx(cur, j), nv);
			if (!dup && json_object_array_add(cur, json_object_get(nv)) < 0) {
				json_object_put(n);
				return oom(p);
			}
		}
		json_object_put(n);
		return 0;
	}
	if (a->multi_valued && op == OP_ADD) {
		/* no values yet: drop duplicates within the new ones */
		struct json_object *d = json_object_new_array();

		if (!d) {
			json_object_put(n);
			return oom(p);
		}
		for (size_t i = 0; i < json_object_array_length(n); i++) {
			struct json_object *nv = json_object_array_get_idx(n, i);
			bool dup = false;

			for (size_t j = 0; j < json_object_array_length(d) && !dup; j++)
				dup = value_equal(a, json_object_array_get_idx(d, j), nv);
			if (!dup)
				json_object_array_add(d, json_object_get(nv));
		}
		json_object_put(n);
		n = d;
	}
	if (!a->multi_valued && a->type == SCIM_COMPLEX &&
	    json_object_is_type(cur, json_type_object)) {
		/* add and replace both merge the given sub-attributes (3.5.2.1, 3.5.2.3) */
		json_object_object_foreach(n, k, sv)
		{
			if (obj_put(cur, k, json_object_get(sv)) < 0) {
				json_object_put(n);
				return oom(p);
			}
		}
		json_object_put(n);
		return 0;
	}
	if (json_object_is_type(n, json_type_array) && json_object_array_length(n) == 0) {
		json_object_put(n);
		obj_del(o, a->name);
		return 0;
	}
	if (obj_put(o, a->name, n) < 0)
		return oom(p);
	return 0;
}

/* ---- where an attribute lives ---- */

static bool is_extension(const struct patch *p, const struct scim_schema *s)
{
	return s && s != p->rt->schema;
}

/* The object holding the attributes of s (the resource, or its extension object). */
static struct json_object *container(struct patch *p, const struct scim_schema *s, bool create)
{
	struct json_object *o;

	if (!is_extension(p, s))
		return p->res;
	o = obj_find(p->res, s->id, NULL);
	if (json_object_is_type(o, json_type_object))
		return o;
	if (!create)
		return NULL;
	o = json_object_new_object();
	if (!o || obj_put(p->res, s->id, o) < 0)
		return NULL;
	return o;
}

/* ---- value filters ---- */

/* A simple multi-valued attribute seen as complex values {"value": v} (tags[value eq "x"]). */
struct wrapped {
	struct scim_attr complex;
	struct scim_attr value;
};

static const struct scim_attr *filter_attr(const struct scim_attr *a, struct wrapped *w)
{
	if (a->type == SCIM_COMPLEX)
		return a;
	w->value = *a;
	w->value.name = "value";
	w->value.multi_valued = false;
	w->complex = (struct scim_attr){ .name = a->name,
					 .type = SCIM_COMPLEX,
					 .multi_valued = true,
					 .mutability = a->mutability,
					 .sub = &w->value,
					 .n_sub = 1 };
	return &w->complex;
}

/* 1, 0, or -1 with *e (invalidFilter). */
static int match_one(struct patch *p, const struct scim_filter *f, const struct scim_attr *a,
		     const struct scim_attr *fa, struct json_object *v, const char *path)
{
	char err[256] = "";
	struct json_object *w = v;
	int r;

	if (a->type != SCIM_COMPLEX) {
		w = json_object_new_object();
		if (!w || json_object_object_add(w, "value", json_object_get(v)) < 0) {
			json_object_put(w);
			return oom(p);
		}
	}
	r = scim_filter_match_value(f, fa, w, err, sizeof(err));
	if (w != v)
		json_object_put(w);
	if (r < 0)
		return fail(p, 400, "invalidFilter", "path '%s': %s", path,
			    err[0] ? err : "filter not applicable");
	return r;
}

/* The value made from a filter of "sub eq literal" comparisons (and), or NULL. */
static bool value_from_filter(struct patch *p, const struct scim_filter *f,
			      const struct scim_attr *a, struct json_object *o)
{
	const struct scim_attr *sa;
	struct json_object *n;

	if (!f)
		return false;
	if (f->op == SCIM_OP_AND)
		return value_from_filter(p, f->left, a, o) && value_from_filter(p, f->right, a, o);
	if (f->op != SCIM_OP_EQ || f->path.urn || f->path.sub || is_null(f->value))
		return false;
	sa = scim_sub_find(a, f->path.attr);
	if (!sa || sa->multi_valued || sa->mutability == SCIM_READ_ONLY)
		return false;
	if (norm_single(p, sa, sa->name, f->value, &n) < 0)
		return false;
	return obj_put(o, sa->name, n) == 0;
}

static void drop_empty_values(struct json_object *o, const struct scim_attr *a)
{
	struct json_object *arr = obj_find(o, a->name, NULL), *keep;

	if (!json_object_is_type(arr, json_type_array))
		return;
	keep = json_object_new_array();
	if (!keep)
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0)
			continue;
		json_object_array_add(keep, json_object_get(v));
	}
	if (json_object_array_length(keep) == 0) {
		json_object_put(keep);
		obj_del(o, a->name);
	} else {
		obj_put(o, a->name, keep);
	}
}

/*
 * op through a value filter: a[f] or a[f].sub (sub may be NULL) in container o.
 */
static int write_filtered(struct patch *p, enum patch_op op, struct json_object *o,
			  const struct scim_attr *a, const struct scim_filter *f,
			  const char *subname, const char *path, struct json_object *v)
{
	struct wrapped w;
	const struct scim_attr *fa, *sa = NULL;
	struct json_object *arr, *empty, *keep = NULL;
	size_t matched = 0, n;
	int r;

	if (!a->multi_valued)
		return fail(p, 400, "invalidPath",
			    "path '%s': a value filter needs a multi-valued attribute", path);
	if (check_writable(p, a, path) < 0)
		return -1;
	fa = filter_attr(a, &w);
	if (subname) {
		if (a->type != SCIM_COMPLEX)
			return fail(p, 400, "invalidPath", "path '%s': '%s' has no sub-attributes",
				    path, a->name);
		sa = scim_sub_find(a, subname);
		if (!sa)
			return fail(p, 400, "invalidPath",
				    "path '%s': '%s' has no sub-attribute '%s'", path, a->name,
				    subname);
		if (check_writable(p, sa, path) < 0)
			return -1;
	}
	/* a filter the attribute cannot take fails even when there are no values */
	empty = json_object_new_object();
	if (!empty)
		return oom(p);
	r = match_one(p, f, a, fa, a->type == SCIM_COMPLEX ? empty : NULL, path);
	json_object_put(empty);
	if (r < 0)
		return -1;

	arr = obj_find(o, a->name, NULL);
	n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	if (op == OP_REMOVE && !subname) {
		keep = json_object_new_array();
		if (!keep)
			return oom(p);
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *el = json_object_array_get_idx(arr, i), *nv;

		r = match_one(p, f, a, fa, el, path);
		if (r < 0) {
			json_object_put(keep);
			return -1;
		}
		if (!r) {
			if (keep)
				json_object_array_add(keep, json_object_get(el));
			continue;
		}
		matched++;
		if (keep)
			continue; /* removed */
		if (subname) {
			if (!json_object_is_type(el, json_type_object))
				continue;
			if (write_attr(p, op, el, sa, path, v) < 0)
				return -1;
			continue;
		}
		/* add or replace of a whole matching value */
		if (unassigned(v))
			return fail(p, 400, "invalidValue", "path '%s': no value given", path);
		if (norm_single(p, a, path, v, &nv) < 0)
			return -1;
		if (op == OP_ADD && a->type == SCIM_COMPLEX) {
			json_object_object_foreach(nv, k, sv)
			{
				obj_put(el, k, json_object_get(sv));
			}
			json_object_put(nv);
		} else if (json_object_array_put_idx(arr, i, nv) < 0) {
			json_object_put(nv);
			return oom(p);
		}
	}
	if (keep) {
		if (matched)
			obj_put(o, a->name, keep);
		else
			json_object_put(keep);
	}
	if (!matched) {
		struct json_object *nv;

		if (op != OP_ADD || a->type != SCIM_COMPLEX || unassigned(v))
			return fail(p, 400, "noTarget", "path '%s': the filter matches no value",
				    path);
		nv = json_object_new_object();
		if (!nv)
			return oom(p);
		if (!value_from_filter(p, f, a, nv)) {
			json_object_put(nv);
			if (p->e->status)
				return -1;
			return fail(p, 400, "noTarget", "path '%s': the filter matches no value",
				    path);
		}
		/* the new value: the filter's comparisons, then the operation's value */
		if (subname) {
			r = write_attr(p, OP_ADD, nv, sa, path, v);
		} else {
			struct json_object *given;

			r = norm_single(p, a, path, v, &given);
			if (r == 0) {
				json_object_object_foreach(given, k, sv)
				{
					obj_put(nv, k, json_object_get(sv));
				}
				json_object_put(given);
			}
		}
		if (r < 0) {
			json_object_put(nv);
			return -1;
		}
		if (!json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			if (!arr || obj_put(o, a->name, arr) < 0) {
				json_object_put(nv);
				return oom(p);
			}
		}
		if (json_object_array_add(arr, nv) < 0) {
			json_object_put(nv);
			return oom(p);
		}
		return 0;
	}
	if (subname || op == OP_REMOVE)
		drop_empty_values(o, a);
	return 0;
}

/* ---- one target: attr, attr.sub ---- */

static int write_path(struct patch *p, enum patch_op op, const struct scim_attr *a,
		      const struct scim_schema *s, const char *subname, const char *path,
		      struct json_object *v)
{
	struct json_object *o, *cur;
	const struct scim_attr *sa = NULL;

	if (check_writable(p, a, path) < 0)
		return -1;
	if (subname) {
		sa = scim_sub_find(a, subname);
		if (!sa)
			return fail(p, 400, "invalidPath",
				    "path '%s': '%s' has no sub-attribute '%s'", path, a->name,
				    subname);
		if (check_writable(p, sa, path) < 0)
			return -1;
	}
	o = container(p, s, op != OP_REMOVE && !unassigned(v));
	if (!o)
		return op == OP_REMOVE || unassigned(v) ? 0 : oom(p);
	if (!subname)
		return write_attr(p, op, o, a, path, v);
	cur = obj_find(o, a->name, NULL);
	if (a->multi_valued) {
		size_t n = json_object_is_type(cur, json_type_array) ? json_object_array_length(cur)
								     : 0;

		if (n == 0) {
			if (op == OP_REMOVE || unassigned(v))
				return 0;
			return fail(p, 400, "noTarget", "path '%s': '%s' has no values", path,
				    a->name);
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *el = json_object_array_get_idx(cur, i);

			if (json_object_is_type(el, json_type_object) &&
			    write_attr(p, op, el, sa, path, v) < 0)
				return -1;
		}
		drop_empty_values(o, a);
		return 0;
	}
	if (!json_object_is_type(cur, json_type_object)) {
		if (op == OP_REMOVE || unassigned(v))
			return 0;
		cur = json_object_new_object();
		if (!cur || obj_put(o, a->name, cur) < 0)
			return oom(p);
	}
	if (write_attr(p, op, cur, sa, path, v) < 0)
		return -1;
	if (json_object_object_length(cur) == 0)
		obj_del(o, a->name);
	return 0;
}

/* Splits "urn:...:attr.sub" / "attr.sub" (a member name of a value without path). */
static int write_member(struct patch *p, enum patch_op op, const struct scim_schema *in,
			const char *key, struct json_object *v);

/* Each member of value (an object) as an operation on the attributes of s (NULL: the core). */
static int write_members(struct patch *p, enum patch_op op, const struct scim_schema *s,
			 struct json_object *v, const char *where)
{
	const char *dup;

	if (!json_object_is_type(v, json_type_object))
		return fail(p, 400, "invalidValue", "%s: the value must be an object", where);
	dup = obj_dup_key(v);
	if (dup)
		return fail(p, 400, "invalidSyntax", "%s: member '%s' given twice", where, dup);
	json_object_object_foreach(v, k, mv)
	{
		if (write_member(p, op, s, k, mv) < 0)
			return -1;
	}
	return 0;
}

static int write_member(struct patch *p, enum patch_op op, const struct scim_schema *in,
			const char *key, struct json_object *v)
{
	char buf[512], *name, *sub, *colon;
	const struct scim_schema *s = NULL, *ext;
	const struct scim_attr *a;
	const char *urn = NULL;

	if (!in) {
		if (strcasecmp(key, "schemas") == 0)
			return 0; /* kept by the server from the extensions present */
		ext = scim_rt_schema(p->rt, key);
		if (ext && is_extension(p, ext) && unassigned(v)) {
			obj_del(p->res, ext->id); /* the extension as a whole unassigned */
			return 0;
		}
		if (ext)
			return write_members(p, op, is_extension(p, ext) ? ext : NULL, v, key);
	}
	if (strlen(key) >= sizeof(buf))
		return fail(p, 400, "invalidSyntax", "member name too long");
	strcpy(buf, key);
	name = buf;
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = '\0';
		urn = buf;
		name = colon + 1;
	}
	sub = strchr(name, '.');
	if (sub)
		*sub++ = '\0';
	if (in && urn)
		return fail(p, 400, "invalidSyntax", "'%s' inside '%s'", key, in->id);
	a = scim_attr_find(p->rt, in ? in->id : urn, name, NULL, &s);
	if (!a || (in && s != in))
		return fail(p, 400, "invalidSyntax", "no attribute '%s'%s%s", key, in ? " in " : "",
			    in ? in->id : "");
	return write_path(p, op, a, s, sub, key, v);
}

/* ---- primary ---- */

struct primaries {
	struct json_object *was[64]; /* values whose primary was true before the operation */
	size_t n;
};

static const struct scim_attr *primary_sub(const struct scim_attr *a)
{
	const struct scim_attr *sa;

	if (!a->multi_valued || a->type != SCIM_COMPLEX)
		return NULL;
	sa = scim_sub_find(a, "primary");
	return sa && sa->type == SCIM_BOOLEAN && !sa->multi_valued ? sa : NULL;
}

static bool is_primary(struct json_object *v)
{
	struct json_object *pv = obj_find(v, "primary", NULL);

	return json_object_is_type(pv, json_type_boolean) && json_object_get_boolean(pv);
}

/*
 * Calls fn for each multi-valued complex attribute with a boolean "primary" sub-attribute, with
 * its array (NULL when it has no values) and its own struct primaries in args.
 */
static int each_primary_attr(struct patch *p,
			     int (*fn)(struct patch *p, const struct scim_attr *a,
				       struct json_object *arr, struct primaries *pr),
			     struct primaries *args)
{
	const struct scim_schema *s;
	size_t k = 0;

	for (size_t i = 0; i <= p->rt->n_extensions; i++) {
		struct json_object *o;

		s = i == 0 ? p->rt->schema : p->rt->extensions[i - 1].schema;
		o = container(p, s, false);
		for (size_t j = 0; j < s->n_attrs; j++) {
			const struct scim_attr *a = &s->attrs[j];
			struct json_object *arr = obj_find(o, a->name, NULL);

			if (!primary_sub(a))
				continue;
			if (fn(p, a, json_object_is_type(arr, json_type_array) ? arr : NULL,
			       &args[k++]) < 0)
				return -1;
		}
	}
	return 0;
}

static size_t count_primary_attrs(const struct scim_resource_type *rt)
{
	size_t n = 0;

	for (size_t i = 0; i <= rt->n_extensions; i++) {
		const struct scim_schema *s = i == 0 ? rt->schema : rt->extensions[i - 1].schema;

		for (size_t j = 0; j < s->n_attrs; j++)
			n += primary_sub(&s->attrs[j]) != NULL;
	}
	return n;
}

static void primaries_release(struct primaries *pr)
{
	for (size_t j = 0; j < pr->n; j++)
		json_object_put(pr->was[j]);
	pr->n = 0;
}

/* Remembers (holding a reference, so that no new value can take the address) the primaries. */
static int primary_before(struct patch *p, const struct scim_attr *a, struct json_object *arr,
			  struct primaries *pr)
{
	(void)p;
	(void)a;
	primaries_release(pr);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (is_primary(v) && pr->n < sizeof(pr->was) / sizeof(pr->was[0]))
			pr->was[pr->n++] = json_object_get(v);
	}
	return 0;
}

static int primary_after(struct patch *p, const struct scim_attr *a, struct json_object *arr,
			 struct primaries *pr)
{
	struct json_object *newp = NULL;
	size_t total = 0, fresh = 0;
	int r = 0;

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		bool old = false;

		if (!is_primary(v))
			continue;
		total++;
		for (size_t j = 0; j < pr->n && !old; j++)
			old = pr->was[j] == v;
		if (!old) {
			fresh++;
			newp = v;
		}
	}
	if (total > 1 && fresh > 1)
		r = fail(p, 400, "invalidValue", "more than one value of '%s' is primary", a->name);
	else if (total > 1 && fresh == 1)
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *v = json_object_array_get_idx(arr, i);

			if (v != newp && is_primary(v))
				obj_put(v, "primary", json_object_new_boolean(0));
		}
	primaries_release(pr);
	return r;
}

/* ---- after all operations ---- */

/* "schemas": the core schema, then each extension that has an object (empty ones removed). */
static int sync_schemas(struct patch *p)
{
	struct json_object *schemas = obj_find(p->res, "schemas", NULL), *n;
	bool changed = !json_object_is_type(schemas, json_type_array);

	for (size_t i = 0; i < p->rt->n_extensions; i++) {
		const struct scim_schema *s = p->rt->extensions[i].schema;
		struct json_object *o = obj_find(p->res, s->id, NULL);
		bool listed = false;

		if (json_object_is_type(o, json_type_object) && json_object_object_length(o) == 0) {
			obj_del(p->res, s->id);
			o = NULL;
		}
		for (size_t j = 0; !changed && j < json_object_array_length(schemas); j++)
			listed |= strcasecmp(json_object_get_string(
						     json_object_array_get_idx(schemas, j)),
					     s->id) == 0;
		if (listed != (o != NULL))
			changed = true;
	}
	if (!changed)
		return 0;
	n = json_object_new_array();
	if (!n)
		return oom(p);
	json_object_array_add(n, json_object_new_string(p->rt->schema->id));
	for (size_t i = 0; i < p->rt->n_extensions; i++) {
		const struct scim_schema *s = p->rt->extensions[i].schema;

		if (obj_has(p->res, s->id))
			json_object_array_add(n, json_object_new_string(s->id));
	}
	return obj_put(p->res, "schemas", n) < 0 ? oom(p) : 0;
}

static int check_immutable_in(struct patch *p, const struct scim_attr *attrs, size_t n,
			      struct json_object *before, struct json_object *after,
			      const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		const struct scim_attr *a = &attrs[i];
		struct json_object *b = obj_find(before, a->name, NULL);
		struct json_object *x = obj_find(after, a->name, NULL);

		if (unassigned(b))
			continue;
		if (a->mutability == SCIM_IMMUTABLE && (unassigned(x) || !json_object_equal(b, x)))
			return fail(p, 400, "mutability",
				    "'%s%s' is immutable: it can be added, not changed", prefix,
				    a->name);
		if (a->type == SCIM_COMPLEX && !a->multi_valued &&
		    json_object_is_type(b, json_type_object)) {
			char w[256];

			snprintf(w, sizeof(w), "%s%s.", prefix, a->name);
			if (check_immutable_in(p, a->sub, a->n_sub, b,
					       json_object_is_type(x, json_type_object) ? x : NULL,
					       w) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_result(struct patch *p, struct json_object *stored)
{
	size_t nc;
	const struct scim_attr *common = scim_common_attrs(&nc);

	if (check_immutable_in(p, common, nc, stored, p->res, "") < 0 ||
	    check_immutable_in(p, p->rt->schema->attrs, p->rt->schema->n_attrs, stored, p->res,
			       "") < 0)
		return -1;
	for (size_t i = 0; i < p->rt->n_extensions; i++) {
		const struct scim_schema *s = p->rt->extensions[i].schema;
		char w[256];

		snprintf(w, sizeof(w), "%s:", s->id);
		if (check_immutable_in(p, s->attrs, s->n_attrs, obj_find(stored, s->id, NULL),
				       obj_find(p->res, s->id, NULL), w) < 0)
			return -1;
	}
	for (size_t j = 0; j < p->rt->schema->n_attrs; j++) {
		const struct scim_attr *a = &p->rt->schema->attrs[j];

		if (a->required && unassigned(obj_find(p->res, a->name, NULL)))
			return fail(p, 400, "invalidValue", "'%s' is required", a->name);
	}
	for (size_t i = 0; i < p->rt->n_extensions; i++) {
		const struct scim_schema *s = p->rt->extensions[i].schema;
		struct json_object *o = obj_find(p->res, s->id, NULL);

		if (!o) {
			if (p->rt->extensions[i].required)
				return fail(p, 400, "invalidValue",
					    "the extension '%s' is required", s->id);
			continue;
		}
		for (size_t j = 0; j < s->n_attrs; j++)
			if (s->attrs[j].required && unassigned(obj_find(o, s->attrs[j].name, NULL)))
				return fail(p, 400, "invalidValue", "'%s:%s' is required", s->id,
					    s->attrs[j].name);
	}
	return 0;
}

/* Puts back what scim_resource_check drops (readOnly attributes, which PATCH cannot change). */
static int restore_read_only(struct json_object *from, struct json_object *to,
			     const struct scim_attr *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = obj_find(from, attrs[i].name, NULL), *c = NULL;

		if (attrs[i].mutability != SCIM_READ_ONLY || !v || obj_has(to, attrs[i].name))
			continue;
		if (json_object_deep_copy(v, &c, NULL) < 0 || obj_put(to, attrs[i].name, c) < 0)
			return -1;
	}
	return 0;
}

/*
 * A PUT keeps an omitted writeOnly value (the client cannot read it back); a PATCH that removed
 * one meant it.
 */
static void drop_removed_write_only(struct json_object *from, struct json_object *to,
				    const struct scim_attr *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (attrs[i].mutability == SCIM_WRITE_ONLY &&
		    unassigned(obj_find(from, attrs[i].name, NULL)))
			obj_del(to, attrs[i].name);
}

static int restore(struct patch *p, struct json_object *out)
{
	size_t nc;
	const struct scim_attr *common = scim_common_attrs(&nc);
	struct json_object *sch = obj_find(p->res, "schemas", NULL), *c = NULL;

	if (restore_read_only(p->res, out, common, nc) < 0 ||
	    restore_read_only(p->res, out, p->rt->schema->attrs, p->rt->schema->n_attrs) < 0)
		return -1;
	if (sch && !obj_has(out, "schemas") &&
	    (json_object_deep_copy(sch, &c, NULL) < 0 || obj_put(out, "schemas", c) < 0))
		return -1;
	drop_removed_write_only(p->res, out, p->rt->schema->attrs, p->rt->schema->n_attrs);
	for (size_t i = 0; i < p->rt->n_extensions; i++) {
		const struct scim_schema *s = p->rt->extensions[i].schema;
		struct json_object *src = obj_find(p->res, s->id, NULL);
		struct json_object *dst = obj_find(out, s->id, NULL);

		if (src && dst && restore_read_only(src, dst, s->attrs, s->n_attrs) < 0)
			return -1;
		if (dst)
			drop_removed_write_only(src, dst, s->attrs, s->n_attrs);
	}
	return 0;
}

/* ---- the PatchOp document ---- */

static int parse_op(struct patch *p, struct json_object *opj, enum patch_op *op,
		    struct json_object **path, struct json_object **value, bool *has_value)
{
	struct json_object *o = NULL;
	const char *dup, *s;

	if (!json_object_is_type(opj, json_type_object))
		return fail(p, 400, "invalidSyntax", "not an object");
	dup = obj_dup_key(opj);
	if (dup)
		return fail(p, 400, "invalidSyntax", "member '%s' given twice", dup);
	*path = *value = NULL;
	*has_value = false;
	json_object_object_foreach(opj, k, v)
	{
		if (strcasecmp(k, "op") == 0)
			o = v;
		else if (strcasecmp(k, "path") == 0)
			*path = v;
		else if (strcasecmp(k, "value") == 0) {
			*value = v;
			*has_value = true;
		} else
			return fail(p, 400, "invalidSyntax", "unknown member '%s'", k);
	}
	if (!json_object_is_type(o, json_type_string))
		return fail(p, 400, "invalidSyntax", "\"op\" must be a string");
	s = json_object_get_string(o);
	for (*op = OP_ADD; *op <= OP_REPLACE; (*op)++)
		if (strcasecmp(s, op_names[*op]) == 0)
			break;
	if (*op > OP_REPLACE)
		return fail(p, 400, "invalidSyntax",
			    "\"op\" must be \"add\", \"remove\" or \"replace\", not \"%.64s\"", s);
	if (*path && !json_object_is_type(*path, json_type_string))
		return fail(p, 400, "invalidSyntax", "\"path\" must be a string");
	if (*op == OP_REMOVE) {
		if (!*path)
			return fail(p, 400, "noTarget", "remove needs a \"path\"");
		if (*has_value)
			return fail(p, 400, "invalidSyntax",
				    "remove takes no \"value\" (select values with a filter)");
	} else if (!*has_value) {
		return fail(p, 400, "invalidSyntax", "%s needs a \"value\"", op_names[*op]);
	}
	return 0;
}

static int apply_op(struct patch *p, enum patch_op op, const char *path, struct json_object *v)
{
	struct scim_patch_path pp;
	const struct scim_schema *s = NULL;
	const struct scim_attr *a;
	char err[256] = "";
	int r;

	if (!path) /* the resource itself */
		return write_members(p, op, NULL, v, "the value");
	s = scim_rt_schema(p->rt, path);
	if (s) { /* a schema URN: the resource, or an extension object as a whole */
		if (op == OP_REMOVE) {
			if (!is_extension(p, s))
				return fail(p, 400, "invalidPath",
					    "path '%s': cannot remove the resource", path);
			obj_del(p->res, s->id);
			return 0;
		}
		if (unassigned(v)) {
			if (is_extension(p, s)) {
				obj_del(p->res, s->id);
				return 0;
			}
			return fail(p, 400, "invalidValue", "path '%s': no value given", path);
		}
		return write_members(p, op, is_extension(p, s) ? s : NULL, v, path);
	}
	memset(&pp, 0, sizeof(pp));
	if (scim_patch_path_parse(path, &pp, err, sizeof(err)) < 0)
		return fail(p, 400, "invalidPath", "%s", err[0] ? err : "malformed path");
	if (pp.filter && pp.attr.sub) {
		r = fail(p, 400, "invalidPath", "path '%s': a filter after a sub-attribute", path);
		goto out;
	}
	if (pp.attr.urn && !scim_rt_schema(p->rt, pp.attr.urn)) {
		r = fail(p, 400, "invalidPath", "path '%s': '%s' is not a schema of %s", path,
			 pp.attr.urn, p->rt->name);
		goto out;
	}
	a = scim_attr_find(p->rt, pp.attr.urn, pp.attr.attr, NULL, &s);
	if (!a) {
		r = fail(p, 400, "invalidPath", "path '%s': no attribute '%s'", path, pp.attr.attr);
		goto out;
	}
	if (pp.attr.sub && a->type != SCIM_COMPLEX) {
		r = fail(p, 400, "invalidPath", "path '%s': '%s' has no sub-attributes", path,
			 a->name);
		goto out;
	}
	if (pp.filter) {
		struct json_object *o = container(p, s, op != OP_REMOVE);

		if (!o) {
			if (op == OP_REMOVE) {
				struct json_object *tmp = json_object_new_object();

				/* no extension object: no values; still check the path */
				r = tmp ? write_filtered(p, op, tmp, a, pp.filter,
							 pp.sub_after_filter, path, v)
					: oom(p);
				json_object_put(tmp);
			} else {
				r = oom(p);
			}
			goto out;
		}
		r = write_filtered(p, op, o, a, pp.filter, pp.sub_after_filter, path, v);
	} else {
		r = write_path(p, op, a, s, pp.attr.sub, path, v);
	}
out:
	scim_patch_path_free(&pp);
	return r;
}

int scim_resource_patch(const struct scim_resource_type *rt, const struct json_object *stored,
			const struct json_object *patch, struct json_object **out,
			struct scim_error *e)
{
	struct json_object *doc = (struct json_object *)patch, *schemas = NULL, *ops = NULL;
	struct json_object *src = (struct json_object *)stored, *checked = NULL;
	struct patch p = { .rt = rt, .e = e };
	struct primaries *prim = NULL;
	size_t nprim = 0;
	const char *dup;
	int r = -1;

	*out = NULL;
	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(doc, json_type_object))
		return fail(&p, 400, "invalidSyntax", "the PatchOp request must be an object");
	dup = obj_dup_key(doc);
	if (dup)
		return fail(&p, 400, "invalidSyntax", "member '%s' given twice", dup);
	json_object_object_foreach(doc, k, v)
	{
		if (strcasecmp(k, "schemas") == 0)
			schemas = v;
		else if (strcasecmp(k, "Operations") == 0)
			ops = v;
		else
			return fail(&p, 400, "invalidSyntax", "unknown member '%s' in a PatchOp",
				    k);
	}
	if (!json_object_is_type(schemas, json_type_array) ||
	    json_object_array_length(schemas) != 1 ||
	    !json_object_is_type(json_object_array_get_idx(schemas, 0), json_type_string) ||
	    strcasecmp(json_object_get_string(json_object_array_get_idx(schemas, 0)),
		       PATCHOP_URN) != 0)
		return fail(&p, 400, "invalidSyntax", "\"schemas\" must be [\"" PATCHOP_URN "\"]");
	if (!json_object_is_type(ops, json_type_array) || json_object_array_length(ops) == 0)
		return fail(&p, 400, "invalidSyntax", "\"Operations\" must be a non-empty array");
	if (!json_object_is_type(src, json_type_object))
		return fail(&p, 500, NULL, "the stored resource is not an object");

	/* every operation is checked as a document first: syntax errors win over the others */
	for (size_t i = 0; i < json_object_array_length(ops); i++) {
		enum patch_op op;
		struct json_object *path, *value;
		bool hv;

		p.index = i + 1;
		if (parse_op(&p, json_object_array_get_idx(ops, i), &op, &path, &value, &hv) < 0)
			return -1;
	}

	if (json_object_deep_copy(src, &p.res, NULL) < 0 || !p.res)
		return oom(&p);
	nprim = count_primary_attrs(rt);
	prim = calloc(nprim ? nprim : 1, sizeof(*prim));
	if (!prim) {
		oom(&p);
		goto done;
	}
	for (size_t i = 0; i < json_object_array_length(ops); i++) {
		enum patch_op op;
		struct json_object *path, *value;
		bool hv;

		p.index = i + 1;
		parse_op(&p, json_object_array_get_idx(ops, i), &op, &path, &value, &hv);
		if (each_primary_attr(&p, primary_before, prim) < 0)
			goto done;
		if (apply_op(&p, op, path ? json_object_get_string(path) : NULL, value) < 0)
			goto done;
		if (each_primary_attr(&p, primary_after, prim) < 0)
			goto done;
		if (sync_schemas(&p) < 0)
			goto done;
	}
	p.index = 0;
	if (check_result(&p, src) < 0)
		goto done;
	/* the rules of PUT for the result: one rule set for both */
	if (scim_resource_check(rt, SCIM_WRITE_REPLACE, p.res, src, &checked, e) < 0)
		goto done;
	if (restore(&p, checked) < 0) {
		json_object_put(checked);
		oom(&p);
		goto done;
	}
	*out = checked;
	r = 0;
done:
	for (size_t i = 0; prim && i < nprim; i++)
		primaries_release(&prim[i]);
	free(prim);
	json_object_put(p.res);
	return r;
}
