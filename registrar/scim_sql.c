// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SCIM filters as SQL pre-selection (scim_sql.h). Each node becomes an SQL expression and a flag
 * saying whether it is exact (true for exactly the resources the node matches) or a superset;
 * what cannot be expressed is "1", a superset. A leaf yields NULL where the C matcher says
 * false (the attribute is absent), which AND, OR and WHERE treat as false; NOT turns NULL into
 * 0 first, and is only pushed down over an exact part (the complement of a superset is not
 * one).
 */
#include "scim_sql.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
}

struct tr {
	const struct scim_resource_type *rt;
	struct scim_sql *q;
	size_t cap;
	bool oom;
};

/* A new parameter (text copied); its placeholder number, or 0 when out of memory. */
static int param(struct tr *t, enum tao_store_param_type type, const char *text, int64_t i,
		 double d)
{
	struct tao_store_param *p;

	if (t->q->n_params == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;

		p = realloc(t->q->params, cap * sizeof(*p));
		if (!p)
			goto oom;
		t->q->params = p;
		t->cap = cap;
	}
	p = &t->q->params[t->q->n_params];
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->i = i;
	p->d = d;
	if (text && !(p->text = strdup(text)))
		goto oom;
	return (int)(TAO_STORE_QUERY_PARAM0 + t->q->n_params++);
oom:
	t->oom = true;
	return 0;
}

/* Names go into a JSON path inside an SQL string literal: only plain characters. */
static bool plain_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":._-$", *s)))
			return false;
	return true;
}

/*
 * The SQL value of f's attribute into col (the id column, or json_extract of the canonical
 * path); false when f's attribute is not pushed down.
 */
static bool column_of(const struct tr *t, const struct scim_filter *f, const struct scim_attr **a,
		      char *col, size_t len, char *path, size_t plen)
{
	const struct scim_schema *sch = NULL;
	int n;

	if (f->path.sub || !f->path.attr[0])
		return false;
	*a = scim_attr_find(t->rt, f->path.urn, f->path.attr, NULL, &sch);
	if (!*a || (*a)->multi_valued || (*a)->type == SCIM_COMPLEX ||
	    (*a)->type == SCIM_DATETIME || !plain_name((*a)->name) || (sch && !plain_name(sch->id)))
		return false;
	if (!sch && strcmp((*a)->name, "id") == 0) {
		snprintf(col, len, "id");
		path[0] = '\0';
		return true;
	}
	if (sch && sch != t->rt->schema)
		n = snprintf(path, plen, "$.\"%s\".\"%s\"", sch->id, (*a)->name);
	else
		n = snprintf(path, plen, "$.\"%s\"", (*a)->name);
	if (n < 0 || (size_t)n >= plen)
		return false;
	n = snprintf(col, len, "json_extract(body, '%s')", path);
	return n > 0 && (size_t)n < len;
}

/* A LIKE (case-insensitive) or GLOB (case-exact) pattern: v with its wildcards escaped. */
static char *pattern(const char *v, bool glob, bool lead, bool trail)
{
	size_t n = strlen(v);
	char *p = malloc(n * 3 + 3), *o = p;

	if (!p)
		return NULL;
	if (lead)
		*o++ = glob ? '*' : '%';
	for (; *v; v++) {
		if (glob && (*v == '*' || *v == '?' || *v == '[')) {
			*o++ = '[';
			*o++ = *v;
			*o++ = ']';
		} else if (!glob && (*v == '%' || *v == '_' || *v == '\\')) {
			*o++ = '\\';
			*o++ = *v;
		} else {
			*o++ = *v;
		}
	}
	if (trail)
		*o++ = glob ? '*' : '%';
	*o = '\0';
	return p;
}

static const char *sql_op(enum scim_op op)
{
	switch (op) {
	case SCIM_OP_EQ:
		return "=";
	case SCIM_OP_NE:
		return "<>";
	case SCIM_OP_GT:
		return ">";
	case SCIM_OP_GE:
		return ">=";
	case SCIM_OP_LT:
		return "<";
	case SCIM_OP_LE:
		return "<=";
	default:
		return NULL;
	}
}

/* A comparison or pr into b; returns whether it is exact (false: "1" was written). */
static bool leaf(struct tr *t, const struct scim_filter *f, struct sbuf *b)
{
	const struct scim_attr *a;
	char col[400], path[300];
	const char *op = sql_op(f->op);
	int k;

	if (!column_of(t, f, &a, col, sizeof(col), path, sizeof(path)))
		goto none;
	if (f->op == SCIM_OP_PR || !f->value) {
		/* present: not absent, null or "" (single-valued, not complex: nothing else). */
		bool want = f->op == SCIM_OP_PR || f->op == SCIM_OP_NE;

		if (f->op != SCIM_OP_PR && f->op != SCIM_OP_EQ && f->op != SCIM_OP_NE)
			goto none;
		put(b, "coalesce(%s, '') %s ''", col, want ? "<>" : "=");
		return true;
	}
	switch (a->type) {
	case SCIM_STRING:
	case SCIM_REFERENCE:
	case SCIM_BINARY: {
		const char *v = json_object_get_string(f->value);

		if (!json_object_is_type(f->value, json_type_string))
			goto none;
		if (op) {
			k = param(t, TAO_STORE_PARAM_TEXT, v, 0, 0);
			if (!k)
				goto none;
			put(b, "%s %s ?%d%s", col, op, k, a->case_exact ? "" : " COLLATE NOCASE");
			return true;
		}
		if (f->op == SCIM_OP_CO || f->op == SCIM_OP_SW || f->op == SCIM_OP_EW) {
			char *p =
				pattern(v, a->case_exact, f->op != SCIM_OP_SW, f->op != SCIM_OP_EW);

			if (!p) {
				t->oom = true;
				goto none;
			}
			k = param(t, TAO_STORE_PARAM_TEXT, p, 0, 0);
			free(p);
			if (!k)
				goto none;
			if (a->case_exact)
				put(b, "%s GLOB ?%d", col, k);
			else
				put(b, "%s LIKE ?%d ESCAPE '\\'", col, k);
			return true;
		}
		goto none;
	}
	case SCIM_BOOLEAN:
		if (!json_object_is_type(f->value, json_type_boolean) ||
		    (f->op != SCIM_OP_EQ && f->op != SCIM_OP_NE) || !path[0])
			goto none;
		/* json_type: 'true'/'false' only for JSON booleans (json_extract gives 1/0). */
		put(b, "json_type(body, '%s') = '%s'", path,
		    (json_object_get_boolean(f->value) != 0) == (f->op == SCIM_OP_EQ) ? "true"
										      : "false");
		return true;
	case SCIM_INTEGER:
	case SCIM_DECIMAL:
		if (!op)
			goto none;
		if (json_object_is_type(f->value, json_type_int)) {
			int64_t i = json_object_get_int64(f->value);

			if (i == INT64_MAX) /* perhaps a uint64 beyond it: leave it to C */
				goto none;
			k = param(t, TAO_STORE_PARAM_INT, NULL, i, 0);
		} else if (json_object_is_type(f->value, json_type_double)) {
			k = param(t, TAO_STORE_PARAM_REAL, NULL, 0,
				  json_object_get_double(f->value));
		} else {
			goto none;
		}
		if (!k)
			goto none;
		put(b, "%s %s ?%d", col, op, k);
		return true;
	default:
		break;
	}
none:
	put(b, "1");
	return false;
}

/* f into b; returns whether it is exact. *trivial: it is "1" (nothing pushed down). */
static bool node(struct tr *t, const struct scim_filter *f, struct sbuf *b, bool *trivial)
{
	struct sbuf l = { 0 }, r = { 0 };
	bool lt = false, rt = false, le, re, exact;

	*trivial = false;
	switch (f->op) {
	case SCIM_OP_AND:
	case SCIM_OP_OR:
		le = node(t, f->left, &l, &lt);
		re = node(t, f->right, &r, &rt);
		if (l.oom || r.oom) {
			b->oom = true;
			exact = false;
		} else if (f->op == SCIM_OP_AND && lt && rt) {
			put(b, "1");
			*trivial = true;
			exact = false;
		} else if (f->op == SCIM_OP_AND && (lt || rt)) {
			put(b, "%s", lt ? r.s : l.s);
			exact = false;
		} else if (f->op == SCIM_OP_OR && (lt || rt)) {
			put(b, "1");
			*trivial = true;
			exact = false;
		} else {
			put(b, "(%s %s %s)", l.s, f->op == SCIM_OP_AND ? "AND" : "OR", r.s);
			exact = le && re;
		}
		free(l.s);
		free(r.s);
		return exact;
	case SCIM_OP_NOT:
		le = node(t, f->left, &l, &lt);
		if (!l.oom && le) {
			put(b, "NOT coalesce(%s, 0)", l.s);
			exact = true;
		} else {
			if (l.oom)
				b->oom = true;
			put(b, "1");
			*trivial = true;
			exact = false;
		}
		free(l.s);
		return exact;
	default:
		exact = leaf(t, f, b);
		*trivial = !exact;
		return exact;
	}
}

int scim_sql_where(const struct scim_filter *f, const struct scim_resource_type *rt,
		   struct scim_sql *out)
{
	struct tr t = { .rt = rt, .q = out };
	struct sbuf b = { 0 };
	bool trivial;

	memset(out, 0, sizeof(*out));
	out->exact = f ? node(&t, f, &b, &trivial) : (put(&b, "1"), true);
	if (b.oom || t.oom) {
		free(b.s);
		scim_sql_free(out);
		return -ENOMEM;
	}
	out->where = b.s;
	return 0;
}

void scim_sql_free(struct scim_sql *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n_params; i++)
		free((char *)q->params[i].text);
	free(q->params);
	free(q->where);
	memset(q, 0, sizeof(*q));
}
