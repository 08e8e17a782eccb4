// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SCIM resources against the attribute tables of scim_schema.c: what a client sends (create and
 * replace, RFC 7644 sections 3.3 and 3.5.1), the representation returned (RFC 7644 section 3.9,
 * RFC 7643 section 7 `returned`), and the discovery documents (RFC 7643 sections 5-7). The rules
 * and bounds are described in docs/scim.md.
 */
#include "scim_resource.h"
#include "scim_value.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CORE_ERROR_URN "urn:ietf:params:scim:api:messages:2.0:Error"

static int fail(struct scim_error *e, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct scim_error *e, int status, const char *type, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->status = status;
	e->scim_type = type;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(struct scim_error *e)
{
	return fail(e, 500, NULL, "out of memory");
}

static const struct scim_attr *attr_in(const struct scim_attr *attrs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(attrs[i].name, name) == 0)
			return &attrs[i];
	return NULL;
}

/* Nesting of v (1 for an object or array of scalars) exceeds max? Stops descending at max. */
static bool too_deep(const struct json_object *v, int depth)
{
	if (depth > SCIM_MAX_DEPTH)
		return true;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach((struct json_object *)v, k, val)
		{
			(void)k;
			if (val && too_deep(val, depth + 1))
				return true;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++) {
			struct json_object *el = json_object_array_get_idx(v, i);

			if (el && too_deep(el, depth + 1))
				return true;
		}
	}
	return false;
}

/* --- value checks --- */

struct ctx {
	struct scim_error *e;
};

static int check_attrs(struct ctx *c, const struct scim_attr *attrs, size_t n,
		       const struct json_object *in, struct json_object *out, const char *where);

/* One value (not an array element container) of a; *out a new value. */
static int check_single(struct ctx *c, const struct scim_attr *a, struct json_object *v,
			struct json_object **out, const char *where)
{
	const char *s = NULL;
	size_t len;

	*out = NULL;
	if (json_object_is_type(v, json_type_array))
		return fail(c->e, 400, "invalidValue", "'%s%s' is single-valued, not an array",
			    where, a->name);
	switch (a->type) {
	case SCIM_STRING:
	case SCIM_REFERENCE:
	case SCIM_DATETIME:
	case SCIM_BINARY:
		if (!json_object_is_type(v, json_type_string))
			return fail(c->e, 400, "invalidValue",
				    "'%s%s' must be a %s (a JSON string)", where, a->name,
				    scim_type_name(a->type));
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (len > SCIM_MAX_STRING)
			return fail(c->e, 400, "invalidValue", "'%s%s' is longer than %d bytes",
				    where, a->name, SCIM_MAX_STRING);
		if (strlen(s) != len)
			return fail(c->e, 400, "invalidValue", "'%s%s' contains a NUL character",
				    where, a->name);
		if (a->type == SCIM_DATETIME && !scim_datetime_parse(s, strlen(s), NULL))
			return fail(c->e, 400, "invalidValue",
				    "'%s%s' is not an xsd:dateTime (e.g. 2026-01-23T04:56:22Z)",
				    where, a->name);
		if (a->type == SCIM_BINARY && !scim_base64_valid(s, len))
			return fail(c->e, 400, "invalidValue",
				    "'%s%s' is not base64 (RFC 4648 section 4)", where, a->name);
		if (a->canonical_values) {
			const char *canon = NULL;

			for (const char *const *cv = a->canonical_values; *cv; cv++)
				if (a->case_exact ? strcmp(*cv, s) == 0 : strcasecmp(*cv, s) == 0)
					canon = *cv;
			if (!canon)
				return fail(c->e, 400, "invalidValue",
					    "'%s%s': '%.100s' is not one of its canonical values",
					    where, a->name, s);
			s = canon; /* stored with the canonical spelling */
		}
		break;
	case SCIM_BOOLEAN:
		if (!json_object_is_type(v, json_type_boolean))
			return fail(c->e, 400, "invalidValue", "'%s%s' must be a boolean", where,
				    a->name);
		break;
	case SCIM_INTEGER:
		if (!json_object_is_type(v, json_type_int))
			return fail(c->e, 400, "invalidValue", "'%s%s' must be an integer", where,
				    a->name);
		break;
	case SCIM_DECIMAL:
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return fail(c->e, 400, "invalidValue", "'%s%s' must be a number", where,
				    a->name);
		break;
	case SCIM_COMPLEX: {
		char sub_where[320];

		if (!json_object_is_type(v, json_type_object))
			return fail(c->e, 400, "invalidValue", "'%s%s' must be an object (complex)",
				    where, a->name);
		*out = json_object_new_object();
		if (!*out)
			return oom(c->e);
		snprintf(sub_where, sizeof(sub_where), "%s%.200s.", where, a->name);
		if (check_attrs(c, a->sub, a->n_sub, v, *out, sub_where) < 0) {
			json_object_put(*out);
			*out = NULL;
			return -1;
		}
		return 0;
	}
	}
	if (a->check && !a->check(v))
		return fail(c->e, 400, "invalidValue",
			    "'%s%s': the value is not in the required format", where, a->name);
	if (a->type == SCIM_STRING || a->type == SCIM_REFERENCE || a->type == SCIM_DATETIME ||
	    a->type == SCIM_BINARY)
		*out = json_object_new_string(s);
	else if (json_object_deep_copy(v, out, NULL) < 0)
		*out = NULL;
	if (!*out)
		return oom(c->e);
	return 0;
}

/* A value of a (multi-valued: an array); *out NULL when unassigned (null, empty array). */
static int check_value(struct ctx *c, const struct scim_attr *a, struct json_object *v,
		       struct json_object **out, const char *where)
{
	size_t n;

	*out = NULL;
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!a->multi_valued)
		return check_single(c, a, v, out, where);
	if (!json_object_is_type(v, json_type_array))
		return fail(c->e, 400, "invalidValue",
			    "'%s%s' is multi-valued: it must be an array", where, a->name);
	n = json_object_array_length(v);
	if (n > SCIM_MAX_VALUES)
		return fail(c->e, 400, "invalidValue", "'%s%s' has %zu values, more than %d", where,
			    a->name, n, SCIM_MAX_VALUES);
	if (n == 0)
		return 0;
	*out = json_object_new_array_ext((int)n);
	if (!*out)
		return oom(c->e);
	for (size_t i = 0; i < n; i++) {
		struct json_object *el = json_object_array_get_idx(v, i), *cv;

		if (!el || json_object_is_type(el, json_type_null)) {
			fail(c->e, 400, "invalidValue", "'%s%s': value %zu is null", where, a->name,
			     i);
			goto err;
		}
		if (json_object_is_type(el, json_type_array)) {
			fail(c->e, 400, "invalidValue", "'%s%s': value %zu is an array", where,
			     a->name, i);
			goto err;
		}
		if (check_single(c, a, el, &cv, where) < 0)
			goto err;
		if (json_object_array_add(*out, cv) < 0) {
			json_object_put(cv);
			oom(c->e);
			goto err;
		}
	}
	return 0;
err:
	json_object_put(*out);
	*out = NULL;
	return -1;
}

/* The members of in against attrs into out (canonical names); readOnly ones dropped. */
static int check_attrs(struct ctx *c, const struct scim_attr *attrs, size_t n,
		       const struct json_object *in, struct json_object *out, const char *where)
{
	json_object_object_foreach((struct json_object *)in, k, v)
	{
		const struct scim_attr *a = attr_in(attrs, n, k);
		struct json_object *cv;

		if (!a)
			return fail(c->e, 400, "invalidSyntax", "unknown attribute '%s%.200s'",
				    where, k);
		if (json_object_object_get_ex(out, a->name, NULL))
			return fail(c->e, 400, "invalidSyntax", "attribute '%s%s' is given twice",
				    where, a->name);
		if (a->mutability == SCIM_READ_ONLY)
			continue; /* RFC 7644 section 3.3: ignored */
		if (check_value(c, a, v, &cv, where) < 0)
			return -1;
		if (!cv)
			continue;
		if (json_object_object_add(out, a->name, cv) < 0) {
			json_object_put(cv);
			return oom(c->e);
		}
	}
	/* A name given twice with different case (both null or readOnly escape the check above). */
	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		json_object_object_foreach((struct json_object *)in, k2, v2)
		{
			(void)v2;
			if (strcasecmp(k2, attrs[i].name) == 0)
				seen++;
		}
		if (seen > 1)
			return fail(c->e, 400, "invalidSyntax", "attribute '%s%s' is given twice",
				    where, attrs[i].name);
	}
	return 0;
}

/* Required attributes (not readOnly: the server sets those) present in obj, recursively. */
static int check_required(struct ctx *c, const struct scim_attr *attrs, size_t n,
			  const struct json_object *obj, const char *where)
{
	for (size_t i = 0; i < n; i++) {
		const struct scim_attr *a = &attrs[i];
		struct json_object *v = NULL;

		json_object_object_get_ex(obj, a->name, &v);
		if (!v) {
			if (a->required && a->mutability != SCIM_READ_ONLY)
				return fail(c->e, 400, "invalidValue",
					    "missing required attribute '%s%s'", where, a->name);
			continue;
		}
		if (a->type != SCIM_COMPLEX || a->mutability == SCIM_READ_ONLY)
			continue;
		char sub_where[320];

		snprintf(sub_where, sizeof(sub_where), "%s%.200s.", where, a->name);
		if (json_object_is_type(v, json_type_array)) {
			for (size_t j = 0; j < json_object_array_length(v); j++)
				if (check_required(c, a->sub, a->n_sub,
						   json_object_array_get_idx(v, j), sub_where) < 0)
					return -1;
		} else if (check_required(c, a->sub, a->n_sub, v, sub_where) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Values of a equal (strings by caseExact, complex values by their sub-attributes)? */
static bool value_equal(const struct scim_attr *a, struct json_object *x, struct json_object *y,
			bool element)
{
	if (!x || !y)
		return x == y;
	if (a->multi_valued && !element) {
		size_t n;

		if (!json_object_is_type(x, json_type_array) ||
		    !json_object_is_type(y, json_type_array))
			return false;
		n = json_object_array_length(x);
		if (n != json_object_array_length(y))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!value_equal(a, json_object_array_get_idx(x, i),
					 json_object_array_get_idx(y, i), true))
				return false;
		return true;
	}
	if (a->type == SCIM_COMPLEX) {
		if (!json_object_is_type(x, json_type_object) ||
		    !json_object_is_type(y, json_type_object))
			return false;
		for (size_t i = 0; i < a->n_sub; i++) {
			struct json_object *sx = NULL, *sy = NULL;

			json_object_object_get_ex(x, a->sub[i].name, &sx);
			json_object_object_get_ex(y, a->sub[i].name, &sy);
			if (!value_equal(&a->sub[i], sx, sy, false))
				return false;
		}
		return true;
	}
	if (json_object_is_type(x, json_type_string) && json_object_is_type(y, json_type_string) &&
	    !a->case_exact)
		return strcasecmp(json_object_get_string(x), json_object_get_string(y)) == 0;
	return json_object_equal(x, y);
}

static int put_copy(struct ctx *c, struct json_object *dst, const char *name, struct json_object *v)
{
	struct json_object *copy = NULL;

	if (json_object_deep_copy(v, &copy, NULL) < 0 || !copy)
		return oom(c->e);
	if (json_object_object_add(dst, name, copy) < 0) {
		json_object_put(copy);
		return oom(c->e);
	}
	return 0;
}

/*
 * PUT (RFC 7644 section 3.5.1) against old: readOnly values stay the server's; an immutable
 * value cannot change (an omitted one is kept); a writeOnly value the client cannot read is kept
 * when omitted from a schema the request carries.
 */
static int merge_replace(struct ctx *c, const struct scim_schema *s, struct json_object *dst,
			 struct json_object *old_obj, bool schema_sent, const char *where)
{
	if (!old_obj || !json_object_is_type(old_obj, json_type_object))
		return 0;
	for (size_t i = 0; i < s->n_attrs; i++) {
		const struct scim_attr *a = &s->attrs[i];
		struct json_object *ov = scim_get_ci(old_obj, a->name), *nv = NULL;

		if (!ov || json_object_is_type(ov, json_type_null))
			continue;
		json_object_object_get_ex(dst, a->name, &nv);
		switch (a->mutability) {
		case SCIM_READ_ONLY:
			json_object_object_del(dst, a->name);
			if (put_copy(c, dst, a->name, ov) < 0)
				return -1;
			break;
		case SCIM_IMMUTABLE:
			if (nv && !value_equal(a, ov, nv, false))
				return fail(c->e, 400, "mutability",
					    "attribute '%s%s' is immutable: it cannot be changed",
					    where, a->name);
			if (!nv && put_copy(c, dst, a->name, ov) < 0)
				return -1;
			break;
		case SCIM_WRITE_ONLY:
			if (!nv && schema_sent && put_copy(c, dst, a->name, ov) < 0)
				return -1;
			break;
		case SCIM_READ_WRITE:
			break;
		}
	}
	return 0;
}

/* A copy of obj's members in the order of attrs (for a stable representation). */
static struct json_object *ordered(const struct scim_attr *attrs, size_t n, struct json_object *obj)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;

		if (json_object_object_get_ex(obj, attrs[i].name, &v) &&
		    json_object_object_add(o, attrs[i].name, json_object_get(v)) < 0) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* The schemas' index: 0 the core one, 1 + i extension i. */
static const struct scim_schema *schema_at(const struct scim_resource_type *rt, size_t i)
{
	return i == 0 ? rt->schema : rt->extensions[i - 1].schema;
}

int scim_resource_check(const struct scim_resource_type *rt, enum scim_write how,
			const struct json_object *in, const struct json_object *old,
			struct json_object **out, struct scim_error *e)
{
	struct ctx c = { .e = e };
	size_t n_schemas = 1 + rt->n_extensions;
	bool listed[1 + 16] = { false }, sent[1 + 16] = { false };
	struct json_object *body[1 + 16] = { NULL };
	struct json_object *common_out = NULL, *result = NULL, *schemas = NULL, *sv;
	size_t n_common;
	const struct scim_attr *common = scim_common_attrs(&n_common);
	int rc = -1;

	*out = NULL;
	if (n_schemas > 1 + 16)
		return fail(e, 500, NULL, "too many extensions");
	if (!in || !json_object_is_type(in, json_type_object))
		return fail(e, 400, "invalidSyntax", "the resource must be a JSON object");
	if (too_deep(in, 1))
		return fail(e, 400, "invalidSyntax", "the resource is nested deeper than %d levels",
			    SCIM_MAX_DEPTH);

	/* schemas: the core one, then only this type's extensions, each once. */
	{
		int n_sv = 0;

		json_object_object_foreach((struct json_object *)in, k, v)
		{
			(void)v;
			n_sv += strcasecmp(k, "schemas") == 0;
		}
		if (n_sv > 1)
			return fail(e, 400, "invalidSyntax", "attribute 'schemas' is given twice");
	}
	sv = scim_get_ci(in, "schemas");
	if (!sv || json_object_is_type(sv, json_type_null))
		return fail(e, 400, "invalidSyntax", "'schemas' is missing");
	if (!json_object_is_type(sv, json_type_array))
		return fail(e, 400, "invalidSyntax", "'schemas' must be an array of URNs");
	for (size_t i = 0; i < json_object_array_length(sv); i++) {
		struct json_object *u = json_object_array_get_idx(sv, i);
		const char *urn;
		size_t j;

		if (!json_object_is_type(u, json_type_string))
			return fail(e, 400, "invalidSyntax", "'schemas' must be an array of URNs");
		urn = json_object_get_string(u);
		for (j = 0; j < n_schemas; j++)
			if (strcasecmp(schema_at(rt, j)->id, urn) == 0)
				break;
		if (j == n_schemas)
			return fail(e, 400, "invalidValue",
				    "'schemas': '%.200s' is not a schema of resource type %s", urn,
				    rt->id);
		if (listed[j])
			return fail(e, 400, "invalidValue", "'schemas' lists '%s' twice",
				    schema_at(rt, j)->id);
		listed[j] = true;
	}
	if (!listed[0])
		return fail(e, 400, "invalidValue", "'schemas' must list the core schema '%s'",
			    rt->schema->id);

	for (size_t j = 0; j < n_schemas; j++) {
		body[j] = json_object_new_object();
		if (!body[j]) {
			oom(e);
			goto out;
		}
	}
	common_out = json_object_new_object();
	if (!common_out) {
		oom(e);
		goto out;
	}

	/* Extension bodies, then the core and common attributes. */
	{
		struct json_object *core_in = json_object_new_object();

		if (!core_in) {
			oom(e);
			goto out;
		}
		json_object_object_foreach((struct json_object *)in, k, v)
		{
			size_t j;
			const struct scim_attr *ca;

			if (strcasecmp(k, "schemas") == 0)
				continue;
			for (j = 1; j < n_schemas; j++)
				if (strcasecmp(schema_at(rt, j)->id, k) == 0)
					break;
			if (j < n_schemas) {
				const struct scim_schema *s = schema_at(rt, j);
				char where[256];

				if (!v || json_object_is_type(v, json_type_null))
					continue; /* unassigned */
				if (sent[j]) {
					fail(e, 400, "invalidSyntax",
					     "extension '%s' is given twice", s->id);
					goto bad_core;
				}
				if (!listed[j]) {
					fail(e, 400, "invalidValue",
					     "extension '%s' is present but 'schemas' does not "
					     "list it",
					     s->id);
					goto bad_core;
				}
				if (!json_object_is_type(v, json_type_object)) {
					fail(e, 400, "invalidValue",
					     "extension '%s' must be an object", s->id);
					goto bad_core;
				}
				sent[j] = true;
				snprintf(where, sizeof(where), "%s:", s->id);
				if (check_attrs(&c, s->attrs, s->n_attrs, v, body[j], where) < 0)
					goto bad_core;
				continue;
			}
			ca = attr_in(common, n_common, k);
			if (ca) {
				struct json_object *cv;

				if (json_object_object_get_ex(common_out, ca->name, NULL)) {
					fail(e, 400, "invalidSyntax",
					     "attribute '%s' is given twice", ca->name);
					goto bad_core;
				}
				if (ca->mutability == SCIM_READ_ONLY)
					continue; /* id, meta: the server's */
				if (check_value(&c, ca, v, &cv, "") < 0)
					goto bad_core;
				if (cv && json_object_object_add(common_out, ca->name, cv) < 0) {
					json_object_put(cv);
					oom(e);
					goto bad_core;
				}
				continue;
			}
			if (json_object_object_add(core_in, k, json_object_get(v)) < 0) {
				json_object_put(v);
				oom(e);
				goto bad_core;
			}
		}
		for (size_t j = 1; j < n_schemas; j++)
			if (listed[j] && !sent[j]) {
				fail(e, 400, "invalidValue",
				     "'schemas' lists '%s' but the resource has no such extension",
				     schema_at(rt, j)->id);
				goto bad_core;
			}
		if (check_attrs(&c, rt->schema->attrs, rt->schema->n_attrs, core_in, body[0], "") <
		    0)
			goto bad_core;
		json_object_put(core_in);
		sent[0] = true;
		goto core_done;
	bad_core:
		json_object_put(core_in);
		goto out;
	}
core_done:

	if (how == SCIM_WRITE_REPLACE && old) {
		for (size_t i = 0; i < n_common; i++) {
			struct json_object *ov = scim_get_ci(old, common[i].name);

			if (common[i].mutability == SCIM_READ_ONLY && ov &&
			    put_copy(&c, common_out, common[i].name, ov) < 0)
				goto out;
		}
		for (size_t j = 0; j < n_schemas; j++) {
			const struct scim_schema *s = schema_at(rt, j);
			char where[256];

			snprintf(where, sizeof(where), "%s", j ? s->id : "");
			if (j)
				strncat(where, ":", sizeof(where) - strlen(where) - 1);
			if (merge_replace(&c, s, body[j], j ? scim_get_ci(old, s->id) : (void *)old,
					  sent[j], where) < 0)
				goto out;
		}
	}

	/*
	 * Required attributes of the core schema and of each extension the client sent (one only
	 * carried over from old, with the server's values, is not the client's to complete).
	 */
	for (size_t j = 0; j < n_schemas; j++) {
		const struct scim_schema *s = schema_at(rt, j);
		char where[256];

		if (!sent[j])
			continue;
		snprintf(where, sizeof(where), "%s%s", j ? s->id : "", j ? ":" : "");
		if (check_required(&c, s->attrs, s->n_attrs, body[j], where) < 0)
			goto out;
	}

	/* What is stored: schemas, the common attributes, the core ones, the extensions. */
	result = json_object_new_object();
	schemas = json_object_new_array();
	if (!result || !schemas || json_object_object_add(result, "schemas", schemas) < 0) {
		json_object_put(schemas);
		oom(e);
		goto out;
	}
	for (size_t i = 0; i < n_common; i++) {
		struct json_object *v;

		if (json_object_object_get_ex(common_out, common[i].name, &v) &&
		    json_object_object_add(result, common[i].name, json_object_get(v)) < 0) {
			json_object_put(v);
			oom(e);
			goto out;
		}
	}
	for (size_t j = 0; j < n_schemas; j++) {
		const struct scim_schema *s = schema_at(rt, j);
		struct json_object *o;

		if (j && json_object_object_length(body[j]) == 0)
			continue;
		if (json_object_array_add(schemas, json_object_new_string(s->id)) < 0) {
			oom(e);
			goto out;
		}
		o = ordered(s->attrs, s->n_attrs, body[j]);
		if (!o) {
			oom(e);
			goto out;
		}
		if (j == 0) {
			json_object_object_foreach(o, k, v)
			{
				if (json_object_object_add(result, k, json_object_get(v)) < 0) {
					json_object_put(v);
					json_object_put(o);
					oom(e);
					goto out;
				}
			}
			json_object_put(o);
		} else if (json_object_object_add(result, s->id, o) < 0) {
			json_object_put(o);
			oom(e);
			goto out;
		}
	}
	*out = result;
	result = NULL;
	rc = 0;
out:
	json_object_put(result);
	json_object_put(common_out);
	for (size_t j = 0; j < n_schemas; j++)
		json_object_put(body[j]);
	return rc;
}

/* --- the representation returned (RFC 7644 section 3.9) --- */

/* One path of an attributes / excludedAttributes list, resolved against the tables. */
struct sel {
	const struct scim_schema *schema; /* NULL: a common attribute (id, externalId, meta) */
	const struct scim_attr *attr;	  /* NULL: the whole schema (a bare URN) */
	const struct scim_attr *sub;	  /* NULL: the whole attribute */
};

struct sel_list {
	struct sel v[SCIM_MAX_ATTR_PATHS];
	size_t n;
};

/* The attribute of attrs whose name starts p and is followed by '\0' or '.': the longest. */
static const struct scim_attr *resolve_name(const struct scim_attr *attrs, size_t n, const char *p,
					    const char **rest)
{
	const struct scim_attr *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(attrs[i].name);

		if (l > best_len && strncasecmp(p, attrs[i].name, l) == 0 &&
		    (p[l] == '\0' || p[l] == '.')) {
			best = &attrs[i];
			best_len = l;
		}
	}
	if (best)
		*rest = p + best_len;
	return best;
}

/* [URN ":"] attr ["." sub], or a bare schema URN (names may themselves be URNs with dots). */
static int resolve_path(const struct scim_resource_type *rt, const char *p, struct sel *out,
			struct scim_error *e)
{
	const struct scim_attr *a = NULL;
	const char *rest = NULL;
	size_t n_common;
	const struct scim_attr *common = scim_common_attrs(&n_common);

	memset(out, 0, sizeof(*out));
	if (strncasecmp(p, "urn:", 4) == 0) {
		const struct scim_schema *best = NULL;
		size_t best_len = 0;

		for (size_t j = 0; j < 1 + rt->n_extensions; j++) {
			const struct scim_schema *s = schema_at(rt, j);
			size_t l = strlen(s->id);

			if (l > best_len && strncasecmp(p, s->id, l) == 0 &&
			    (p[l] == '\0' || p[l] == ':')) {
				best = s;
				best_len = l;
			}
		}
		if (!best)
			return fail(e, 400, "invalidValue",
				    "attribute path '%.200s': no schema of resource type %s", p,
				    rt->id);
		out->schema = best;
		if (p[best_len] == '\0')
			return 0;
		a = resolve_name(best->attrs, best->n_attrs, p + best_len + 1, &rest);
	} else {
		a = resolve_name(common, n_common, p, &rest);
		if (!a) {
			out->schema = rt->schema;
			a = resolve_name(rt->schema->attrs, rt->schema->n_attrs, p, &rest);
		}
	}
	if (!a)
		return fail(e, 400, "invalidValue", "attribute path '%.200s': unknown attribute",
			    p);
	out->attr = a;
	if (*rest == '.') {
		out->sub = scim_sub_find(a, rest + 1);
		if (!out->sub)
			return fail(e, 400, "invalidValue",
				    "attribute path '%.200s': unknown sub-attribute", p);
	}
	return 0;
}

static int parse_list(const struct scim_resource_type *rt, const char *text, struct sel_list *l,
		      struct scim_error *e)
{
	char buf[SCIM_MAX_ATTR_LIST + 1];
	char *save = NULL, *tok;
	size_t len = strlen(text);

	l->n = 0;
	if (len > SCIM_MAX_ATTR_LIST)
		return fail(e, 400, "invalidValue", "the attribute list is longer than %d bytes",
			    SCIM_MAX_ATTR_LIST);
	memcpy(buf, text, len + 1);
	/* Empty paths (",," or a trailing comma) are malformed. */
	if (len == 0 || buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
		return fail(e, 400, "invalidValue", "the attribute list has an empty path");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*tok)
			return fail(e, 400, "invalidValue", "the attribute list has an empty path");
		if (l->n == SCIM_MAX_ATTR_PATHS)
			return fail(e, 400, "invalidValue",
				    "the attribute list has more than %d paths",
				    SCIM_MAX_ATTR_PATHS);
		if (resolve_path(rt, tok, &l->v[l->n], e) < 0)
			return -1;
		l->n++;
	}
	return 0;
}

enum pick {
	PICK_NONE,   /* not named */
	PICK_SCHEMA, /* its schema named as a whole */
	PICK_ATTR,   /* the attribute named */
	PICK_SUBS,   /* only sub-attributes named */
};

/* How l names attribute a of schema s (NULL: common). */
static enum pick picked(const struct sel_list *l, const struct scim_schema *s,
			const struct scim_attr *a)
{
	enum pick p = PICK_NONE;

	for (size_t i = 0; l && i < l->n; i++) {
		const struct sel *x = &l->v[i];

		if (x->schema != s)
			continue;
		if (!x->attr)
			return PICK_SCHEMA;
		if (x->attr == a && !x->sub)
			p = PICK_ATTR;
		else if (x->attr == a && p == PICK_NONE)
			p = PICK_SUBS;
	}
	return p;
}

static bool sub_named(const struct sel_list *l, const struct scim_schema *s,
		      const struct scim_attr *a, const struct scim_attr *sub)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i].schema == s && l->v[i].attr == a && l->v[i].sub == sub)
			return true;
	return false;
}

/*
 * One complex value projected: mode PICK_ATTR/SCHEMA keeps every sub-attribute but the never
 * returned ones; PICK_SUBS (with attributes) the named and always-returned ones; PICK_NONE
 * (default) the default and always ones minus those excluded.
 */
static struct json_object *project_complex(const struct scim_attr *a, struct json_object *v,
					   enum pick mode, const struct sel_list *incl,
					   const struct sel_list *excl, const struct scim_schema *s)
{
	struct json_object *o = NULL;

	if (!json_object_is_type(v, json_type_object)) {
		/* Not what check stores; returned as it is rather than lost. */
		if (json_object_deep_copy(v, &o, NULL) < 0)
			return NULL;
		return o;
	}
	o = json_object_new_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < a->n_sub; i++) {
		const struct scim_attr *sub = &a->sub[i];
		struct json_object *sv, *copy = NULL;
		bool keep;

		sv = scim_get_ci(v, sub->name);
		if (!sv)
			continue;
		if (sub->returned == SCIM_RETURNED_NEVER)
			keep = false;
		else if (sub->returned == SCIM_RETURNED_ALWAYS)
			keep = true;
		else if (mode == PICK_ATTR || mode == PICK_SCHEMA)
			keep = true;
		else if (mode == PICK_SUBS)
			keep = sub_named(incl, s, a, sub);
		else
			keep = sub->returned == SCIM_RETURNED_DEFAULT &&
			       !sub_named(excl, s, a, sub);
		if (!keep)
			continue;
		if (json_object_deep_copy(sv, &copy, NULL) < 0 ||
		    json_object_object_add(o, sub->name, copy) < 0) {
			json_object_put(copy);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* Attribute a (value v) of schema s into dst, or not; -1 out of memory. */
static int project_attr(const struct scim_attr *a, struct json_object *v,
			const struct scim_schema *s, const struct sel_list *incl,
			const struct sel_list *excl, struct json_object *dst)
{
	enum pick mode;
	struct json_object *r = NULL;

	if (a->returned == SCIM_RETURNED_NEVER)
		return 0;
	if (a->returned == SCIM_RETURNED_ALWAYS) {
		mode = PICK_ATTR;
	} else if (incl) {
		mode = picked(incl, s, a);
		if (mode == PICK_NONE)
			return 0;
	} else {
		enum pick x = picked(excl, s, a);

		if (a->returned == SCIM_RETURNED_REQUEST || x == PICK_SCHEMA || x == PICK_ATTR)
			return 0;
		mode = PICK_NONE;
	}
	if (a->type != SCIM_COMPLEX) {
		if (json_object_deep_copy(v, &r, NULL) < 0)
			return -1;
	} else if (json_object_is_type(v, json_type_array)) {
		r = json_object_new_array();
		if (!r)
			return -1;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *el = json_object_array_get_idx(v, i);
			struct json_object *p = project_complex(a, el, mode, incl, excl, s);

			if (!p || json_object_array_add(r, p) < 0) {
				json_object_put(p);
				json_object_put(r);
				return -1;
			}
			if (json_object_is_type(el, json_type_object) &&
			    json_object_object_length(p) == 0 && json_object_object_length(el) > 0)
				json_object_array_del_idx(r, json_object_array_length(r) - 1, 1);
		}
		if (json_object_array_length(r) == 0 && json_object_array_length(v) > 0) {
			json_object_put(r);
			return 0;
		}
	} else {
		r = project_complex(a, v, mode, incl, excl, s);
		if (!r)
			return -1;
		if (json_object_is_type(v, json_type_object) && json_object_object_length(r) == 0 &&
		    json_object_object_length(v) > 0) {
			json_object_put(r);
			return 0;
		}
	}
	if (json_object_object_add(dst, a->name, r) < 0) {
		json_object_put(r);
		return -1;
	}
	return 0;
}

struct json_object *scim_resource_project(const struct scim_resource_type *rt,
					  const struct json_object *stored, const char *attributes,
					  const char *excluded, struct scim_error *e)
{
	struct sel_list *incl = NULL, *excl = NULL;
	struct json_object *o = NULL, *schemas = NULL, *v;
	size_t n_common;
	const struct scim_attr *common = scim_common_attrs(&n_common);

	if (!stored || !json_object_is_type(stored, json_type_object)) {
		fail(e, 500, NULL, "the stored resource is not an object");
		return NULL;
	}
	if (attributes && !*attributes)
		attributes = NULL;
	if (excluded && !*excluded)
		excluded = NULL;
	if (attributes && excluded) {
		fail(e, 400, "invalidValue",
		     "give either attributes or excludedAttributes, not both");
		return NULL;
	}
	if (attributes || excluded) {
		struct sel_list *l = calloc(1, sizeof(*l));

		if (!l) {
			oom(e);
			return NULL;
		}
		if (parse_list(rt, attributes ? attributes : excluded, l, e) < 0) {
			free(l);
			return NULL;
		}
		if (attributes)
			incl = l;
		else
			excl = l;
	}

	o = json_object_new_object();
	schemas = json_object_new_array();
	if (!o || !schemas || json_object_object_add(o, "schemas", schemas) < 0) {
		json_object_put(schemas);
		goto nomem;
	}
	/* id and meta always (returned always / the header's promise), externalId by default. */
	for (size_t i = 0; i < n_common; i++) {
		const struct scim_attr *a = &common[i];
		struct json_object *copy = NULL;

		v = scim_get_ci(stored, a->name);
		if (!v)
			continue;
		if (a->returned != SCIM_RETURNED_ALWAYS && a->mutability != SCIM_READ_ONLY) {
			if (project_attr(a, v, NULL, incl, excl, o) < 0)
				goto nomem;
			continue;
		}
		if (json_object_deep_copy(v, &copy, NULL) < 0 ||
		    json_object_object_add(o, a->name, copy) < 0) {
			json_object_put(copy);
			goto nomem;
		}
	}
	for (size_t j = 0; j < 1 + rt->n_extensions; j++) {
		const struct scim_schema *s = schema_at(rt, j);
		struct json_object *src =
			j ? scim_get_ci(stored, s->id) : (struct json_object *)stored;
		struct json_object *dst;

		if (!src || !json_object_is_type(src, json_type_object))
			continue;
		dst = j ? json_object_new_object() : o;
		if (!dst)
			goto nomem;
		for (size_t i = 0; i < s->n_attrs; i++) {
			v = scim_get_ci(src, s->attrs[i].name);
			if (v && !json_object_is_type(v, json_type_null) &&
			    project_attr(&s->attrs[i], v, s, incl, excl, dst) < 0) {
				if (j)
					json_object_put(dst);
				goto nomem;
			}
		}
		if (j && json_object_object_length(dst) == 0) {
			json_object_put(dst);
			continue;
		}
		if (j && json_object_object_add(o, s->id, dst) < 0) {
			json_object_put(dst);
			goto nomem;
		}
		if (json_object_array_add(schemas, json_object_new_string(s->id)) < 0)
			goto nomem;
	}
	free(incl);
	free(excl);
	return o;
nomem:
	free(incl);
	free(excl);
	json_object_put(o);
	oom(e);
	return NULL;
}

/* --- the stored default representation (store schema 5) --- */

/*
 * Bump when the projection's code changes what it makes from the same tables: stored
 * representations of another tag are made again (scim_rep_tag()).
 */
#define SCIM_REP_FORMAT "scim-rep-1"

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* s escaped as json-c 0.16 prints a string (json_escape_str, '/' too), without the quotes. */
static void sb_escape(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char u[7];
		const char *esc = NULL;

		switch (c) {
		case '\b':
			esc = "\\b";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '/':
			esc = "\\/";
			break;
		default:
			if (c < ' ') {
				u[0] = '\\';
				u[1] = 'u';
				u[2] = '0';
				u[3] = '0';
				u[4] = hex[c >> 4];
				u[5] = hex[c & 0xf];
				u[6] = '\0';
				esc = u;
			}
		}
		if (esc) {
			sb_add(b, run, (size_t)(s - run));
			sb_str(b, esc);
			run = s + 1;
		}
	}
	sb_add(b, run, (size_t)(s - run));
}

int scim_json_escape(char *buf, size_t len, const char *s)
{
	struct sbuf b = { 0 };
	int n = -1;

	sb_escape(&b, s);
	if (!b.oom && b.len < len && b.len < (size_t)INT32_MAX) {
		memcpy(buf, b.p ? b.p : "", b.len + 1);
		n = (int)b.len;
	}
	free(b.p);
	return n;
}

char *scim_resource_rep(const struct scim_resource_type *rt, const char *id, const char *body,
			int64_t *meta_at)
{
	struct json_object *full = json_tokener_parse(body), *p;
	struct scim_error e = { 0 };
	struct sbuf b = { 0 };
	bool first = true, have_meta = false;

	if (!full || !json_object_is_type(full, json_type_object)) {
		json_object_put(full);
		return NULL;
	}
	/* As the registrar's full resource: id and meta added (meta's value is not kept here). */
	json_object_object_add(full, "id", json_object_new_string(id));
	json_object_object_add(full, "meta", json_object_new_object());
	p = scim_resource_project(rt, full, NULL, NULL, &e);
	json_object_put(full);
	if (!p)
		return NULL;
	/* json-c's JSON_C_TO_STRING_PLAIN serialization of p, member by member, but meta. */
	sb_add(&b, "{", 1);
	json_object_object_foreach(p, k, v)
	{
		if (strcmp(k, "meta") == 0) {
			if (first) /* never: schemas comes first */
				b.oom = true;
			*meta_at = (int64_t)b.len;
			have_meta = true;
			continue;
		}
		if (!first)
			sb_add(&b, ",", 1);
		first = false;
		sb_add(&b, "\"", 1);
		sb_escape(&b, k);
		sb_add(&b, "\":", 2);
		sb_str(&b, v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null");
	}
	sb_add(&b, "}", 1);
	json_object_put(p);
	if (b.oom || !have_meta) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int scim_rep_meta(char *buf, size_t len, const char *resource_type, const char *created,
		  const char *modified, const char *location, const char *version)
{
	const char *names[] = { "resourceType", "created", "lastModified", "location", "version" };
	const char *values[] = { resource_type, created, modified, location, version };
	struct sbuf b = { 0 };
	int n = -1;

	sb_str(&b, ",\"meta\":{");
	for (size_t i = 0; i < 5; i++) {
		sb_str(&b, i ? ",\"" : "\"");
		sb_str(&b, names[i]);
		sb_str(&b, "\":\"");
		sb_escape(&b, values[i]);
		sb_str(&b, "\"");
	}
	sb_str(&b, "}");
	if (!b.oom && b.len < len && b.len < (size_t)INT32_MAX) {
		memcpy(buf, b.p, b.len + 1);
		n = (int)b.len;
	}
	free(b.p);
	return n;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t fnv1a_json(uint64_t h, struct json_object *o)
{
	h = fnv1a(h, o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "-");
	json_object_put(o);
	return h;
}

int64_t scim_rep_tag(void)
{
	static int64_t tag;
	size_t n, nc;
	const struct scim_attr *common;
	uint64_t h = 0xcbf29ce484222325ULL;
	char line[128];

	if (tag)
		return tag;
	/* The tables the projection reads: every schema (attributes with their returned and
	 * mutability, sub-attributes), every resource type (its extensions), the common ones. */
	h = fnv1a(h, SCIM_REP_FORMAT);
	{
		const struct scim_schema *const *sch = scim_schemas(&n);

		for (size_t i = 0; i < n; i++)
			h = fnv1a_json(h, scim_schema_json(sch[i], ""));
	}
	{
		const struct scim_resource_type *const *t = scim_resource_types(&n);

		for (size_t i = 0; i < n; i++)
			h = fnv1a_json(h, scim_resource_type_json(t[i], ""));
	}
	common = scim_common_attrs(&nc);
	for (size_t i = 0; i < nc; i++) {
		snprintf(line, sizeof(line), "%s/%d/%d/%d", common[i].name, (int)common[i].returned,
			 (int)common[i].mutability, (int)common[i].type);
		h = fnv1a(h, line);
	}
	tag = (int64_t)(h >> 1); /* positive, and never 0 */
	if (!tag)
		tag = 1;
	return tag;
}

/* --- discovery (RFC 7643 sections 5-7) --- */

static const char *mutability_name(enum scim_mutability m)
{
	switch (m) {
	case SCIM_READ_ONLY:
		return "readOnly";
	case SCIM_IMMUTABLE:
		return "immutable";
	case SCIM_WRITE_ONLY:
		return "writeOnly";
	case SCIM_READ_WRITE:
		break;
	}
	return "readWrite";
}

static const char *returned_name(enum scim_returned r)
{
	switch (r) {
	case SCIM_RETURNED_ALWAYS:
		return "always";
	case SCIM_RETURNED_NEVER:
		return "never";
	case SCIM_RETURNED_REQUEST:
		return "request";
	case SCIM_RETURNED_DEFAULT:
		break;
	}
	return "default";
}

static const char *uniqueness_name(enum scim_uniqueness u)
{
	switch (u) {
	case SCIM_UNIQUE_SERVER:
		return "server";
	case SCIM_UNIQUE_GLOBAL:
		return "global";
	case SCIM_UNIQUE_NONE:
		break;
	}
	return "none";
}

/* Adds (takes) v; false when v is NULL or the add failed. */
static bool add(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(o, k, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static struct json_object *string_list(const char *const *l)
{
	struct json_object *a = json_object_new_array();

	for (; a && l && *l; l++)
		if (json_object_array_add(a, json_object_new_string(*l)) < 0) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static struct json_object *attr_json(const struct scim_attr *a)
{
	struct json_object *o = json_object_new_object();
	bool ok = o != NULL;

	ok = ok && add(o, "name", json_object_new_string(a->name));
	ok = ok && add(o, "type", json_object_new_string(scim_type_name(a->type)));
	ok = ok && add(o, "multiValued", json_object_new_boolean(a->multi_valued));
	ok = ok &&
	     add(o, "description", json_object_new_string(a->description ? a->description : ""));
	ok = ok && add(o, "required", json_object_new_boolean(a->required));
	if (ok && a->canonical_values)
		ok = add(o, "canonicalValues", string_list(a->canonical_values));
	ok = ok && add(o, "caseExact", json_object_new_boolean(a->case_exact));
	ok = ok && add(o, "mutability", json_object_new_string(mutability_name(a->mutability)));
	ok = ok && add(o, "returned", json_object_new_string(returned_name(a->returned)));
	ok = ok && add(o, "uniqueness", json_object_new_string(uniqueness_name(a->uniqueness)));
	if (ok && a->type == SCIM_REFERENCE)
		ok = add(o, "referenceTypes", string_list(a->reference_types));
	if (ok && a->type == SCIM_COMPLEX) {
		struct json_object *subs = json_object_new_array();

		ok = add(o, "subAttributes", subs);
		for (size_t i = 0; ok && i < a->n_sub; i++) {
			struct json_object *s = attr_json(&a->sub[i]);

			if (!s || json_object_array_add(subs, s) < 0) {
				json_object_put(s);
				ok = false;
			}
		}
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *meta_json(const char *resource_type, const char *base, const char *path,
				     const char *id)
{
	struct json_object *m = json_object_new_object();
	char *loc = NULL;
	bool ok = m != NULL;

	ok = ok &&
	     asprintf(&loc, "%s%s%s%s", base ? base : "", path, id ? "/" : "", id ? id : "") >= 0;
	ok = ok && add(m, "resourceType", json_object_new_string(resource_type));
	ok = ok && add(m, "location", json_object_new_string(loc));
	free(loc);
	if (!ok) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

static struct json_object *schemas_of(const char *urn)
{
	const char *l[] = { urn, NULL };

	return string_list(l);
}

struct json_object *scim_schema_json(const struct scim_schema *s, const char *base)
{
	struct json_object *o = json_object_new_object(), *attrs = json_object_new_array();
	bool ok = o && attrs;

	if (!ok) {
		json_object_put(o);
		json_object_put(attrs);
		return NULL;
	}
	ok = add(o, "schemas", schemas_of("urn:ietf:params:scim:schemas:core:2.0:Schema"));
	ok = ok && add(o, "id", json_object_new_string(s->id));
	ok = ok && add(o, "name", json_object_new_string(s->name));
	ok = ok &&
	     add(o, "description", json_object_new_string(s->description ? s->description : ""));
	if (!add(o, "attributes", attrs))
		ok = false;
	for (size_t i = 0; ok && i < s->n_attrs; i++) {
		struct json_object *a = attr_json(&s->attrs[i]);

		if (!a || json_object_array_add(attrs, a) < 0) {
			json_object_put(a);
			ok = false;
		}
	}
	ok = ok && add(o, "meta", meta_json("Schema", base, "/Schemas", s->id));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *scim_resource_type_json(const struct scim_resource_type *rt, const char *base)
{
	struct json_object *o = json_object_new_object(), *ext = json_object_new_array();
	bool ok = o && ext;

	if (!ok) {
		json_object_put(o);
		json_object_put(ext);
		return NULL;
	}
	ok = add(o, "schemas", schemas_of("urn:ietf:params:scim:schemas:core:2.0:ResourceType"));
	ok = ok && add(o, "id", json_object_new_string(rt->id));
	ok = ok && add(o, "name", json_object_new_string(rt->name));
	ok = ok && add(o, "endpoint", json_object_new_string(rt->endpoint));
	ok = ok &&
	     add(o, "description", json_object_new_string(rt->description ? rt->description : ""));
	ok = ok && add(o, "schema", json_object_new_string(rt->schema->id));
	if (!add(o, "schemaExtensions", ext))
		ok = false;
	for (size_t i = 0; ok && i < rt->n_extensions; i++) {
		struct json_object *x = json_object_new_object();

		ok = x && add(x, "schema", json_object_new_string(rt->extensions[i].schema->id)) &&
		     add(x, "required", json_object_new_boolean(rt->extensions[i].required));
		if (!ok || json_object_array_add(ext, x) < 0) {
			json_object_put(x);
			ok = false;
		}
	}
	ok = ok && add(o, "meta", meta_json("ResourceType", base, "/ResourceTypes", rt->id));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *supported(bool yes)
{
	struct json_object *o = json_object_new_object();

	if (o && !add(o, "supported", json_object_new_boolean(yes))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *auth_scheme(const char *type, const char *name, const char *desc,
				       const char *spec, const char *doc, bool primary)
{
	struct json_object *o = json_object_new_object();
	bool ok = o != NULL;

	ok = ok && add(o, "type", json_object_new_string(type));
	ok = ok && add(o, "name", json_object_new_string(name));
	ok = ok && add(o, "description", json_object_new_string(desc));
	if (ok && spec)
		ok = add(o, "specUri", json_object_new_string(spec));
	if (ok && doc)
		ok = add(o, "documentationUri", json_object_new_string(doc));
	ok = ok && add(o, "primary", json_object_new_boolean(primary));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *scim_service_provider_config_json(const char *base)
{
	struct json_object *o = json_object_new_object(), *bulk = NULL, *filter = NULL,
			   *schemes = NULL, *s;
	bool ok = o != NULL;

	ok = ok && add(o, "schemas",
		       schemas_of("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"));
	ok = ok && add(o, "patch", supported(true));
	if (ok) {
		bulk = supported(false);
		ok = add(o, "bulk", bulk) && add(bulk, "maxOperations", json_object_new_int(0)) &&
		     add(bulk, "maxPayloadSize", json_object_new_int(0));
	}
	if (ok) {
		filter = supported(true);
		ok = add(o, "filter", filter) &&
		     add(filter, "maxResults", json_object_new_int(200));
	}
	ok = ok && add(o, "changePassword", supported(false));
	ok = ok && add(o, "sort", supported(true));
	ok = ok && add(o, "etag", supported(true));
	if (ok) {
		schemes = json_object_new_array();
		ok = add(o, "authenticationSchemes", schemes);
	}
	if (ok) {
		s = auth_scheme("oauthbearertoken", "OAuth Bearer Token",
				"Authentication with an OAuth 2.0 bearer token (RFC 6750)",
				"https://www.rfc-editor.org/info/rfc6750", NULL, true);
		ok = s && json_object_array_add(schemes, s) == 0;
		if (!ok)
			json_object_put(s);
	}
	if (ok) {
		s = auth_scheme("x-tao-attested-tls", "Attested TLS session",
				"A mutually authenticated TLS 1.3 session whose client key is in "
				"the device's TPM and whose evidence the registrar verified "
				"(tao docs/protocol.md section 6)",
				NULL, NULL, false);
		ok = s && json_object_array_add(schemes, s) == 0;
		if (!ok)
			json_object_put(s);
	}
	ok = ok && add(o, "meta",
		       meta_json("ServiceProviderConfig", base, "/ServiceProviderConfig", NULL));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
