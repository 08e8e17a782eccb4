// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SCIM filters and PATCH paths (scim_filter.h): a recursive-descent parser of RFC 7644 figure 1
 * (FILTER and PATH) into a tree, and its evaluation on json-c resources with the attribute
 * characteristics of the schemas. Every attribute a filter names is checked against the schemas
 * before any value is looked at, so that an invalid filter is refused whatever the resource.
 */
#include "scim_filter.h"

#include "scim_value.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

/* ---------------------------------------------------------------------------------------------
 * Parsing
 */

struct parser {
	const char *s;
	size_t len, pos;
	const char *what; /* "filter" or "path": the prefix of messages */
	int depth;
	bool in_valfilter;
	bool failed;
	char *err;
	size_t errlen;
};

static const char *const op_names[] = {
	[SCIM_OP_EQ] = "eq",   [SCIM_OP_NE] = "ne",	    [SCIM_OP_CO] = "co",
	[SCIM_OP_SW] = "sw",   [SCIM_OP_EW] = "ew",	    [SCIM_OP_GT] = "gt",
	[SCIM_OP_GE] = "ge",   [SCIM_OP_LT] = "lt",	    [SCIM_OP_LE] = "le",
	[SCIM_OP_PR] = "pr",   [SCIM_OP_AND] = "and",	    [SCIM_OP_OR] = "or",
	[SCIM_OP_NOT] = "not", [SCIM_OP_VALUE_PATH] = "[]",
};

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_namechar(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

/* The characters that end a word in a message and an attribute path's text. */
static bool is_delim(int c)
{
	return c == '\0' || c == ' ' || c == '(' || c == ')' || c == '[' || c == ']' || c == '"';
}

/* What is at off, for "found ...": 'word', '(' or "the end" (bounded, control bytes as hex). */
static void describe(const struct parser *p, size_t off, char *buf, size_t n)
{
	unsigned char c;
	size_t end, shown;

	if (off >= p->len) {
		snprintf(buf, n, "the end");
		return;
	}
	c = (unsigned char)p->s[off];
	if (c < 0x20 || c >= 0x7f) {
		snprintf(buf, n, "the byte 0x%02x", c);
		return;
	}
	if (is_delim(c)) {
		snprintf(buf, n, "'%c'", c);
		return;
	}
	end = off;
	/* printable ASCII only: the message goes into JSON as it is */
	while (end < p->len && !is_delim((unsigned char)p->s[end]) &&
	       (unsigned char)p->s[end] >= 0x20 && (unsigned char)p->s[end] < 0x7f)
		end++;
	shown = end - off > 32 ? 32 : end - off;
	snprintf(buf, n, "'%.*s%s'", (int)shown, p->s + off, end - off > shown ? "..." : "");
}

__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, size_t off,
						       const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "%s: offset %zu: %s", p->what, off, msg);
}

/* fail() with ", found X" appended, X being what is at off. */
__attribute__((format(printf, 3, 4))) static void fail_found(struct parser *p, size_t off,
							     const char *fmt, ...)
{
	char msg[256], found[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	describe(p, off, found, sizeof(found));
	fail(p, off, "%s, found %s", msg, found);
}

static size_t skip_spaces(struct parser *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] == ' ') {
		p->pos++;
		n++;
	}
	return n;
}

/* The length of the run of ASCII letters at off. */
static size_t word_len(const struct parser *p, size_t off)
{
	size_t n = 0;

	while (off + n < p->len && is_alpha((unsigned char)p->s[off + n]))
		n++;
	return n;
}

static bool word_is(const struct parser *p, size_t off, const char *w)
{
	size_t n = word_len(p, off);

	return n == strlen(w) && strncasecmp(p->s + off, w, n) == 0;
}

static void path_clear(struct scim_attr_path *a)
{
	free(a->urn);
	free(a->attr);
	free(a->sub);
	a->urn = a->attr = a->sub = NULL;
}

void scim_filter_free(struct scim_filter *f)
{
	if (!f)
		return;
	path_clear(&f->path);
	json_object_put(f->value);
	scim_filter_free(f->left);
	scim_filter_free(f->right);
	free(f);
}

static struct scim_filter *node(struct parser *p, enum scim_op op)
{
	struct scim_filter *f = calloc(1, sizeof(*f));

	if (!f)
		fail(p, p->pos, "out of memory");
	else
		f->op = op;
	return f;
}

static char *dup_range(struct parser *p, size_t off, size_t n)
{
	char *s = strndup(p->s + off, n);

	if (!s)
		fail(p, off, "out of memory");
	return s;
}

/* ATTRNAME = ALPHA *(nameChar), or "$ref"; the length at off, 0 when none. */
static size_t name_len(const struct parser *p, size_t off, size_t end)
{
	size_t n = 0;

	if (end - off >= 4 && strncmp(p->s + off, "$ref", 4) == 0)
		n = 4;
	else if (off < end && is_alpha((unsigned char)p->s[off]))
		for (n = 1; off + n < end && is_namechar((unsigned char)p->s[off + n]); n++)
			;
	/* "$refx" and the like are not names */
	if (n == 4 && p->s[off] == '$' && off + n < end &&
	    is_namechar((unsigned char)p->s[off + n]))
		return 0;
	return n;
}

/* RFC 8141: "urn:" NID ":" NSS, NID 2-32 of alphanum and "-" (not first or last). */
static bool urn_valid(const char *s, size_t n)
{
	size_t i = 4, nid = 0;

	if (n < 4 || strncasecmp(s, "urn:", 4) != 0)
		return false;
	while (i < n && s[i] != ':') {
		if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) && s[i] != '-')
			return false;
		i++;
		nid++;
	}
	if (nid < 2 || nid > 32 || s[4] == '-' || s[i - 1] == '-' || i >= n)
		return false;
	if (++i >= n) /* an empty NSS */
		return false;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && !strchr("-._~%!$&'*+,;=:@/", c))
			return false;
	}
	return true;
}

/* "2.0": a SCIM schema URN's version segment, before the schema's name. */
static bool is_version(const char *s, size_t n)
{
	if (n == 0 || !is_digit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]) && s[i] != '.')
			return false;
	return true;
}

/*
 * attrPath = [URI ":"] ATTRNAME *1subAttr at p->pos, into *a. A URN runs to the next delimiter
 * and ends at its last ':'. allow_schema: a bare schema URN ("urn:...:2.0:Device", its last
 * segment after a version segment, nothing after it) is taken whole: urn set, attr "".
 */
static bool parse_attr_path(struct parser *p, struct scim_attr_path *a, bool allow_schema)
{
	size_t start = p->pos, end = p->pos, name_off, n;

	if (p->len - start >= 4 && strncasecmp(p->s + start, "urn:", 4) == 0) {
		size_t colon = 0, prev = 0;

		while (end < p->len && !is_delim((unsigned char)p->s[end]) &&
		       (unsigned char)p->s[end] > 0x20 && p->s[end] != 0x7f)
			end++;
		for (size_t i = start; i < end; i++)
			if (p->s[i] == ':') {
				prev = colon;
				colon = i;
			}
		/* a whole schema: urn:...:2.0:Name, a name after a version */
		if (prev > start + 3 && end > colon + 1 &&
		    is_version(p->s + prev + 1, colon - prev - 1) &&
		    name_len(p, colon + 1, end) == end - colon - 1 &&
		    urn_valid(p->s + start, end - start)) {
			if (!allow_schema) {
				fail(p, start,
				     "'%.*s' is a schema URN: expected an attribute name after it",
				     (int)(end - start), p->s + start);
				return false;
			}
			a->urn = dup_range(p, start, end - start);
			a->attr = dup_range(p, end, 0);
			p->pos = end;
			return !p->failed;
		}
		if (!urn_valid(p->s + start, colon - start)) {
			size_t shown = 0;

			while (start + shown < end && shown < 64 &&
			       (unsigned char)p->s[start + shown] < 0x7f)
				shown++;
			fail(p, start,
			     "invalid schema URN '%.*s%s' (expected urn:NID:NSS:attribute)",
			     (int)shown, p->s + start, start + shown < end ? "..." : "");
			return false;
		}
		a->urn = dup_range(p, start, colon - start);
		if (!a->urn)
			return false;
		name_off = colon + 1;
	} else {
		name_off = start;
	}
	n = name_len(p, name_off, p->len);
	if (n == 0) {
		fail_found(p, name_off, "expected an attribute name");
		return false;
	}
	a->attr = dup_range(p, name_off, n);
	if (!a->attr)
		return false;
	p->pos = name_off + n;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		size_t sub_off = p->pos + 1;

		n = name_len(p, sub_off, p->len);
		if (n == 0) {
			fail_found(p, sub_off, "expected a sub-attribute name after '.'");
			return false;
		}
		a->sub = dup_range(p, sub_off, n);
		if (!a->sub)
			return false;
		p->pos = sub_off + n;
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		fail(p, p->pos, "an attribute path has at most one sub-attribute");
		return false;
	}
	if (a->urn && p->pos < end) {
		fail_found(p, p->pos, "expected the end of the attribute path");
		return false;
	}
	return true;
}

/* A JSON string at p->pos (RFC 8259 section 7, UTF-8 checked). */
static struct json_object *parse_string(struct parser *p)
{
	size_t start = p->pos, i = p->pos + 1, cap = 64, n = 0;
	char *buf = malloc(cap);
	struct json_object *v;

	if (!buf) {
		fail(p, start, "out of memory");
		return NULL;
	}
	for (;;) {
		unsigned char c;
		char enc[4];
		size_t m = 0;
		uint32_t cp;

		if (i >= p->len) {
			fail(p, start, "unterminated string (expected '\"')");
			goto bad;
		}
		c = (unsigned char)p->s[i];
		if (c == '"')
			break;
		if (c < 0x20) {
			fail(p, i, "control byte 0x%02x in a string (escape it)", c);
			goto bad;
		}
		if (c == '\\') {
			if (i + 1 >= p->len) {
				fail(p, i, "unterminated escape in a string");
				goto bad;
			}
			switch (p->s[i + 1]) {
			case '"':
			case '\\':
			case '/':
				enc[m++] = p->s[i + 1];
				i += 2;
				break;
			case 'b':
				enc[m++] = '\b';
				i += 2;
				break;
			case 'f':
				enc[m++] = '\f';
				i += 2;
				break;
			case 'n':
				enc[m++] = '\n';
				i += 2;
				break;
			case 'r':
				enc[m++] = '\r';
				i += 2;
				break;
			case 't':
				enc[m++] = '\t';
				i += 2;
				break;
			case 'u': {
				size_t esc = i;

				cp = 0;
				for (int k = 0; k < 4; k++) {
					int h = i + 2 + k < p->len ? p->s[i + 2 + k] : 0;

					cp <<= 4;
					if (is_digit(h))
						cp |= (uint32_t)(h - '0');
					else if (h >= 'a' && h <= 'f')
						cp |= (uint32_t)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						cp |= (uint32_t)(h - 'A' + 10);
					else {
						fail(p, esc,
						     "invalid \\u escape (expected 4 hex digits)");
						goto bad;
					}
				}
				i += 6;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo = 0;

					if (i + 6 > p->len || p->s[i] != '\\' ||
					    p->s[i + 1] != 'u') {
						fail(p, esc, "unpaired surrogate in a \\u escape");
						goto bad;
					}
					for (int k = 0; k < 4; k++) {
						int h = p->s[i + 2 + k];

						lo <<= 4;
						if (is_digit(h))
							lo |= (uint32_t)(h - '0');
						else if (h >= 'a' && h <= 'f')
							lo |= (uint32_t)(h - 'a' + 10);
						else if (h >= 'A' && h <= 'F')
							lo |= (uint32_t)(h - 'A' + 10);
						else {
							fail(p, i,
							     "invalid \\u escape (expected 4 hex "
							     "digits)");
							goto bad;
						}
					}
					if (lo < 0xdc00 || lo > 0xdfff) {
						fail(p, esc, "unpaired surrogate in a \\u escape");
						goto bad;
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				} else if (cp >= 0xdc00 && cp <= 0xdfff) {
					fail(p, esc, "unpaired surrogate in a \\u escape");
					goto bad;
				} else if (cp == 0) {
					fail(p, esc, "\\u0000 is not allowed in a string");
					goto bad;
				}
				if (cp < 0x80) {
					enc[m++] = (char)cp;
				} else if (cp < 0x800) {
					enc[m++] = (char)(0xc0 | (cp >> 6));
					enc[m++] = (char)(0x80 | (cp & 0x3f));
				} else if (cp < 0x10000) {
					enc[m++] = (char)(0xe0 | (cp >> 12));
					enc[m++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[m++] = (char)(0x80 | (cp & 0x3f));
				} else {
					enc[m++] = (char)(0xf0 | (cp >> 18));
					enc[m++] = (char)(0x80 | ((cp >> 12) & 0x3f));
					enc[m++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[m++] = (char)(0x80 | (cp & 0x3f));
				}
				break;
			}
			default:
				fail(p, i, "invalid escape '\\%c' in a string",
				     (unsigned char)p->s[i + 1] >= 0x20 ? p->s[i + 1] : '?');
				goto bad;
			}
		} else if (c < 0x80) {
			enc[m++] = (char)c;
			i++;
		} else {
			/* UTF-8: the shortest form, no surrogates, at most U+10FFFF */
			size_t k, need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

			if (c < 0xc2 || c > 0xf4 || i + need >= p->len)
				need = 0;
			cp = need == 1 ? c & 0x1f : need == 2 ? c & 0x0f : c & 0x07;
			for (k = 1; need && k <= need; k++) {
				unsigned char d = (unsigned char)p->s[i + k];

				if ((d & 0xc0) != 0x80)
					break;
				cp = (cp << 6) | (d & 0x3f);
			}
			if (!need || k <= need || (need == 2 && cp < 0x800) ||
			    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
			    (cp >= 0xd800 && cp <= 0xdfff)) {
				fail(p, i, "invalid UTF-8 in a string");
				goto bad;
			}
			memcpy(enc, p->s + i, need + 1);
			m = need + 1;
			i += need + 1;
		}
		if (n + m + 1 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				fail(p, start, "out of memory");
				goto bad;
			}
			buf = nb;
			cap *= 2;
		}
		memcpy(buf + n, enc, m);
		n += m;
	}
	buf[n] = '\0';
	p->pos = i + 1;
	v = json_object_new_string_len(buf, (int)n);
	free(buf);
	if (!v)
		fail(p, start, "out of memory");
	return v;
bad:
	free(buf);
	return NULL;
}

/* A JSON number at p->pos: an integer (int64) when it has no fraction or exponent and fits. */
static struct json_object *parse_number(struct parser *p)
{
	size_t start = p->pos, i = p->pos;
	bool is_int = true;
	struct json_object *v;
	char *text, *endp;

	if (i < p->len && p->s[i] == '-')
		i++;
	if (i < p->len && p->s[i] == '0') {
		i++;
	} else if (i < p->len && is_digit((unsigned char)p->s[i])) {
		while (i < p->len && is_digit((unsigned char)p->s[i]))
			i++;
	} else {
		fail_found(p, i, "invalid number: expected a digit");
		return NULL;
	}
	if (i < p->len && p->s[i] == '.') {
		is_int = false;
		i++;
		if (i >= p->len || !is_digit((unsigned char)p->s[i])) {
			fail_found(p, i, "invalid number: expected a digit after '.'");
			return NULL;
		}
		while (i < p->len && is_digit((unsigned char)p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		is_int = false;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit((unsigned char)p->s[i])) {
			fail_found(p, i, "invalid number: expected a digit in the exponent");
			return NULL;
		}
		while (i < p->len && is_digit((unsigned char)p->s[i]))
			i++;
	}
	if (i < p->len && !is_delim((unsigned char)p->s[i])) {
		fail_found(p, i, "invalid number: expected a space, ')', ']' or the end after it");
		return NULL;
	}
	text = dup_range(p, start, i - start);
	if (!text)
		return NULL;
	errno = 0;
	if (is_int) {
		long long ll = strtoll(text, &endp, 10);

		if (errno == 0) {
			free(text);
			p->pos = i;
			v = json_object_new_int64(ll);
			if (!v)
				fail(p, start, "out of memory");
			return v;
		}
		errno = 0; /* out of int64's range: a decimal */
	}
	double d = strtod(text, &endp);

	free(text);
	if (!isfinite(d)) {
		fail(p, start, "number out of range");
		return NULL;
	}
	p->pos = i;
	v = json_object_new_double(d);
	if (!v)
		fail(p, start, "out of memory");
	return v;
}

static struct scim_filter *parse_or(struct parser *p);

/* After a complete expression: a space then and/or, ')' or ']', or the end. */
static bool at_term_end(const struct parser *p)
{
	return p->pos >= p->len || strchr(" )]", p->s[p->pos]);
}

static bool enter(struct parser *p)
{
	if (++p->depth > SCIM_FILTER_MAX_DEPTH) {
		fail(p, p->pos, "nested deeper than %d levels", SCIM_FILTER_MAX_DEPTH);
		return false;
	}
	return true;
}

/* "(" FILTER ")" at p->pos (on the '('). */
static struct scim_filter *parse_group(struct parser *p)
{
	size_t open = p->pos;
	struct scim_filter *f;

	if (!enter(p))
		return NULL;
	p->pos++;
	skip_spaces(p);
	f = parse_or(p);
	if (!f)
		return NULL;
	skip_spaces(p);
	if (p->pos >= p->len || p->s[p->pos] != ')') {
		fail_found(p, p->pos, "expected 'and', 'or' or ')' closing the '(' at offset %zu",
			   open);
		scim_filter_free(f);
		return NULL;
	}
	p->pos++;
	p->depth--;
	return f;
}

static const char *path_text(const struct scim_attr_path *a, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", a->urn ? a->urn : "", a->urn ? ":" : "", a->attr,
		 a->sub ? "." : "", a->sub ? a->sub : "");
	return buf;
}

/* attrExp or valuePath, at p->pos. */
static struct scim_filter *parse_attr_exp(struct parser *p)
{
	struct scim_filter *f = node(p, SCIM_OP_PR);
	char name[160];
	size_t op_off, n;
	int op = -1;

	if (!f)
		return NULL;
	if (!parse_attr_path(p, &f->path, false))
		goto bad;
	path_text(&f->path, name, sizeof(name));
	if (p->pos < p->len && p->s[p->pos] == '[') {
		size_t open = p->pos;

		if (p->in_valfilter) {
			fail(p, open, "a value filter cannot contain another value filter ('%s[')",
			     name);
			goto bad;
		}
		if (f->path.sub) {
			fail(p, open, "a value filter applies to an attribute, not to '%s'", name);
			goto bad;
		}
		if (!enter(p))
			goto bad;
		f->op = SCIM_OP_VALUE_PATH;
		p->pos++;
		p->in_valfilter = true;
		skip_spaces(p);
		f->left = parse_or(p);
		if (!f->left)
			goto bad;
		skip_spaces(p);
		if (p->pos >= p->len || p->s[p->pos] != ']') {
			fail_found(p, p->pos,
				   "expected 'and', 'or' or ']' closing the '[' at offset %zu",
				   open);
			goto bad;
		}
		p->pos++;
		p->in_valfilter = false;
		p->depth--;
		return f;
	}
	if (skip_spaces(p) == 0) {
		fail_found(p, p->pos, "expected a space and an operator after '%s'", name);
		goto bad;
	}
	op_off = p->pos;
	n = word_len(p, op_off);
	for (int i = SCIM_OP_EQ; i <= SCIM_OP_PR && n == 2; i++)
		if (strncasecmp(p->s + op_off, op_names[i], 2) == 0)
			op = i;
	if (op < 0 || (op_off + n < p->len && !is_delim((unsigned char)p->s[op_off + n]))) {
		fail_found(p, op_off, "expected a comparison operator after '%s'", name);
		goto bad;
	}
	f->op = (enum scim_op)op;
	p->pos = op_off + n;
	if (op == SCIM_OP_PR)
		return f;
	if (skip_spaces(p) == 0) {
		fail_found(p, p->pos, "expected a space and a value after '%s'", op_names[op]);
		goto bad;
	}
	if (p->pos < p->len && p->s[p->pos] == '"') {
		f->value = parse_string(p);
	} else if (p->pos < p->len &&
		   (p->s[p->pos] == '-' || is_digit((unsigned char)p->s[p->pos]))) {
		f->value = parse_number(p);
	} else {
		size_t w = word_len(p, p->pos);
		bool end_ok = p->pos + w >= p->len || is_delim((unsigned char)p->s[p->pos + w]);

		if (end_ok && w == 4 && strncmp(p->s + p->pos, "true", 4) == 0) {
			f->value = json_object_new_boolean(1);
		} else if (end_ok && w == 5 && strncmp(p->s + p->pos, "false", 5) == 0) {
			f->value = json_object_new_boolean(0);
		} else if (end_ok && w == 4 && strncmp(p->s + p->pos, "null", 4) == 0) {
			f->value = NULL;
		} else {
			fail_found(
				p, p->pos,
				"expected a value after '%s' (a JSON string, number, true, false "
				"or null)",
				op_names[op]);
			goto bad;
		}
		p->pos += w;
	}
	if (p->failed)
		goto bad;
	/* what no attribute type allows, whatever the schema */
	if (!f->value && op != SCIM_OP_EQ && op != SCIM_OP_NE) {
		fail(p, op_off, "'%s' cannot compare with null (only 'eq' and 'ne' can)",
		     op_names[op]);
		goto bad;
	}
	if (f->value && json_object_is_type(f->value, json_type_boolean) && op != SCIM_OP_EQ &&
	    op != SCIM_OP_NE) {
		fail(p, op_off, "'%s' cannot compare with a boolean (only 'eq' and 'ne' can)",
		     op_names[op]);
		goto bad;
	}
	if (f->value && !json_object_is_type(f->value, json_type_string) &&
	    (op == SCIM_OP_CO || op == SCIM_OP_SW || op == SCIM_OP_EW)) {
		fail(p, op_off, "'%s' compares strings: expected a string value", op_names[op]);
		goto bad;
	}
	if (!at_term_end(p)) {
		fail_found(p, p->pos, "expected a space after the value");
		goto bad;
	}
	return f;
bad:
	scim_filter_free(f);
	return NULL;
}

/* not "(" FILTER ")", "(" FILTER ")", or an attrExp / valuePath. */
static struct scim_filter *parse_term(struct parser *p)
{
	size_t start = p->pos;

	if (p->pos >= p->len) {
		fail(p, p->pos, "expected an attribute, 'not' or '(', found the end");
		return NULL;
	}
	if (p->s[p->pos] == '(')
		return parse_group(p);
	if (word_is(p, start, "not")) {
		size_t save = p->pos;

		p->pos += 3;
		skip_spaces(p);
		if (p->pos < p->len && p->s[p->pos] == '(') {
			struct scim_filter *f = node(p, SCIM_OP_NOT);

			if (!f)
				return NULL;
			f->left = parse_group(p);
			if (!f->left) {
				free(f);
				return NULL;
			}
			return f;
		}
		p->pos = save; /* an attribute named "not" */
	}
	if (p->s[p->pos] == ')' || p->s[p->pos] == ']' || p->s[p->pos] == ' ') {
		fail_found(p, p->pos, "expected an attribute, 'not' or '('");
		return NULL;
	}
	return parse_attr_exp(p);
}

/* A logical word ("and", "or") after spaces at p->pos: consumed with its spaces. */
static bool logical(struct parser *p, const char *w)
{
	size_t save = p->pos, n = strlen(w);

	if (skip_spaces(p) == 0 || !word_is(p, p->pos, w)) {
		p->pos = save;
		return false;
	}
	p->pos += n;
	if (skip_spaces(p) == 0) {
		fail_found(p, p->pos, "expected a space after '%s'", w);
		return false;
	}
	return true;
}

/* operand (word operand)*: left-associative chains of one logical operator. */
static struct scim_filter *parse_chain(struct parser *p, const char *word, enum scim_op op,
				       struct scim_filter *(*operand)(struct parser *p))
{
	struct scim_filter *f = operand(p);

	while (f && !p->failed && logical(p, word)) {
		struct scim_filter *r = operand(p), *n;

		if (!r || !(n = node(p, op))) {
			scim_filter_free(f);
			scim_filter_free(r);
			return NULL;
		}
		n->left = f;
		n->right = r;
		f = n;
	}
	if (p->failed) {
		scim_filter_free(f);
		return NULL;
	}
	return f;
}

static struct scim_filter *parse_and(struct parser *p)
{
	return parse_chain(p, "and", SCIM_OP_AND, parse_term);
}

static struct scim_filter *parse_or(struct parser *p)
{
	return parse_chain(p, "or", SCIM_OP_OR, parse_and);
}

static bool parser_init(struct parser *p, const char *what, const char *text, char *err,
			size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->err = err;
	p->errlen = errlen;
	if (errlen)
		err[0] = '\0';
	if (!text) {
		fail(p, 0, "no text");
		return false;
	}
	p->s = text;
	p->len = strnlen(text, SCIM_FILTER_MAX_LEN + 1);
	if (p->len > SCIM_FILTER_MAX_LEN) {
		fail(p, SCIM_FILTER_MAX_LEN, "longer than %d bytes", SCIM_FILTER_MAX_LEN);
		return false;
	}
	return true;
}

int scim_filter_parse(const char *text, struct scim_filter **out, char *err, size_t errlen)
{
	struct parser p;
	struct scim_filter *f;

	*out = NULL;
	if (!parser_init(&p, "filter", text, err, errlen))
		return -EINVAL;
	skip_spaces(&p);
	if (p.pos >= p.len) {
		fail(&p, p.pos, "empty filter");
		return -EINVAL;
	}
	f = parse_or(&p);
	if (!f)
		return -EINVAL;
	skip_spaces(&p);
	if (p.pos < p.len) {
		size_t w = word_len(&p, p.pos);

		if (p.pos > 0 && p.s[p.pos - 1] != ' ' &&
		    ((w == 3 && strncasecmp(p.s + p.pos, "and", 3) == 0) ||
		     (w == 2 && strncasecmp(p.s + p.pos, "or", 2) == 0)))
			fail(&p, p.pos, "expected a space before '%.*s'", (int)w, p.s + p.pos);
		else
			fail_found(&p, p.pos, "expected 'and', 'or' or the end");
		scim_filter_free(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

void scim_patch_path_free(struct scim_patch_path *pp)
{
	if (!pp)
		return;
	path_clear(&pp->attr);
	scim_filter_free(pp->filter);
	free(pp->sub_after_filter);
	pp->filter = NULL;
	pp->sub_after_filter = NULL;
}

int scim_patch_path_parse(const char *text, struct scim_patch_path *out, char *err, size_t errlen)
{
	struct parser p;

	memset(out, 0, sizeof(*out));
	if (!parser_init(&p, "path", text, err, errlen))
		return -EINVAL;
	if (p.len == 0) {
		fail(&p, 0, "empty path");
		return -EINVAL;
	}
	if (!parse_attr_path(&p, &out->attr, true))
		goto bad;
	if (out->attr.attr[0] == '\0') { /* a whole schema */
		if (p.pos < p.len) {
			fail_found(&p, p.pos, "expected the end after the schema URN");
			goto bad;
		}
		return 0;
	}
	if (p.pos < p.len && p.s[p.pos] == '[') {
		size_t open = p.pos;

		if (out->attr.sub) {
			fail(&p, open, "a value filter applies to an attribute, not to '%s.%s'",
			     out->attr.attr, out->attr.sub);
			goto bad;
		}
		p.pos++;
		p.depth = 1;
		p.in_valfilter = true;
		skip_spaces(&p);
		out->filter = parse_or(&p);
		if (!out->filter)
			goto bad;
		skip_spaces(&p);
		if (p.pos >= p.len || p.s[p.pos] != ']') {
			fail_found(&p, p.pos,
				   "expected 'and', 'or' or ']' closing the '[' at offset %zu",
				   open);
			goto bad;
		}
		p.pos++;
		if (p.pos < p.len && p.s[p.pos] == '.') {
			size_t n = name_len(&p, p.pos + 1, p.len);

			if (n == 0) {
				fail_found(&p, p.pos + 1,
					   "expected a sub-attribute name after '.'");
				goto bad;
			}
			out->sub_after_filter = dup_range(&p, p.pos + 1, n);
			if (!out->sub_after_filter)
				goto bad;
			p.pos += 1 + n;
		}
	}
	if (p.pos < p.len) {
		fail_found(&p, p.pos,
			   out->filter ? "expected '.' and a sub-attribute or the end"
				       : "expected '[', '.' or the end");
		goto bad;
	}
	return 0;
bad:
	scim_patch_path_free(out);
	return -EINVAL;
}

/* ---------------------------------------------------------------------------------------------
 * Evaluation
 */

/* Where attribute paths resolve: a resource type (top level) or one complex attribute. */
struct ctx {
	const struct scim_resource_type *rt;
	const struct scim_attr *complex;
	char *err;
	size_t errlen;
};

/* What a comparison's path resolves to. */
struct target {
	const struct scim_attr *attr;	  /* the attribute named (top level or sub of complex) */
	const struct scim_attr *leaf;	  /* the attribute whose values are compared */
	const struct scim_schema *schema; /* extension: values under its URN; else top level */
	bool in_elements;		  /* leaf is a sub-attribute of attr's value(s) */
};

__attribute__((format(printf, 2, 3))) static int mfail(const struct ctx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->errlen)
		snprintf(c->err, c->errlen, "filter: %s", msg);
	return -EINVAL;
}

static const char *type_name(enum scim_type t)
{
	switch (t) {
	case SCIM_STRING:
		return "a string";
	case SCIM_BOOLEAN:
		return "a boolean";
	case SCIM_DECIMAL:
		return "a decimal";
	case SCIM_INTEGER:
		return "an integer";
	case SCIM_DATETIME:
		return "a dateTime";
	case SCIM_BINARY:
		return "a binary";
	case SCIM_REFERENCE:
		return "a reference";
	case SCIM_COMPLEX:
		return "complex";
	}
	return "?";
}

static int fold(int c, bool exact)
{
	return !exact && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int str_cmp(const char *a, size_t an, const char *b, size_t bn, bool exact)
{
	for (size_t i = 0; i < an && i < bn; i++) {
		int x = fold((unsigned char)a[i], exact), y = fold((unsigned char)b[i], exact);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return an == bn ? 0 : an < bn ? -1 : 1;
}

static bool str_at(const char *a, const char *b, size_t bn, bool exact)
{
	return str_cmp(a, bn, b, bn, exact) == 0;
}

static bool str_contains(const char *a, size_t an, const char *b, size_t bn, bool exact)
{
	for (size_t i = 0; i + bn <= an; i++)
		if (str_at(a + i, b, bn, exact))
			return true;
	return false;
}

static bool is_number(const struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static long double number(const struct json_object *v)
{
	if (json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	int64_t i = json_object_get_int64(v);

	if (i == INT64_MAX) /* json-c keeps larger values as uint64 */
		return (long double)json_object_get_uint64(v);
	return (long double)i;
}

/* A comparison operator's verdict on cmp (<0, 0, >0). */
static bool order_ok(enum scim_op op, int cmp)
{
	switch (op) {
	case SCIM_OP_EQ:
		return cmp == 0;
	case SCIM_OP_NE:
		return cmp != 0;
	case SCIM_OP_GT:
		return cmp > 0;
	case SCIM_OP_GE:
		return cmp >= 0;
	case SCIM_OP_LT:
		return cmp < 0;
	case SCIM_OP_LE:
		return cmp <= 0;
	default:
		return false;
	}
}

/* One value (not null, not an array) against the comparison f, by leaf's type. */
static bool compare_one(const struct scim_filter *f, const struct scim_attr *leaf,
			const struct json_object *v)
{
	const struct json_object *c = f->value;

	switch (leaf->type) {
	case SCIM_STRING:
	case SCIM_REFERENCE:
	case SCIM_BINARY: {
		const char *a, *b;
		size_t an, bn;

		if (!json_object_is_type(v, json_type_string))
			return false;
		a = json_object_get_string((struct json_object *)v);
		an = (size_t)json_object_get_string_len(v);
		b = json_object_get_string((struct json_object *)c);
		bn = (size_t)json_object_get_string_len(c);
		switch (f->op) {
		case SCIM_OP_CO:
			return str_contains(a, an, b, bn, leaf->case_exact);
		case SCIM_OP_SW:
			return an >= bn && str_at(a, b, bn, leaf->case_exact);
		case SCIM_OP_EW:
			return an >= bn && str_at(a + an - bn, b, bn, leaf->case_exact);
		default:
			return order_ok(f->op, str_cmp(a, an, b, bn, leaf->case_exact));
		}
	}
	case SCIM_BOOLEAN:
		if (!json_object_is_type(v, json_type_boolean))
			return false;
		return order_ok(f->op,
				json_object_get_boolean(v) == json_object_get_boolean(c) ? 0 : 1);
	case SCIM_INTEGER:
	case SCIM_DECIMAL: {
		long double a, b;

		if (!is_number(v))
			return false;
		a = number(v);
		b = number(c);
		return order_ok(f->op, a < b ? -1 : a > b ? 1 : 0);
	}
	case SCIM_DATETIME: {
		struct scim_datetime a, b;

		if (!json_object_is_type(v, json_type_string) ||
		    !scim_datetime_parse(json_object_get_string((struct json_object *)v),
					 (size_t)json_object_get_string_len(v), &a) ||
		    !scim_datetime_parse(json_object_get_string((struct json_object *)c),
					 (size_t)json_object_get_string_len(c), &b))
			return false;
		return order_ok(f->op, scim_datetime_cmp(&a, &b));
	}
	case SCIM_COMPLEX:
		break;
	}
	return false;
}

/* "Present": not null, not "", not an empty array or object (nor one of only such values). */
static bool present(const struct json_object *v)
{
	if (!v)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (present(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach((struct json_object *)v, key, val)
		{
			(void)key;
			if (present(val))
				return true;
		}
		return false;
	}
	default:
		return true;
	}
}

/* Resolve a comparison's path in c into *t (checked: types, operators, values). */
static int resolve(const struct scim_filter *f, const struct ctx *c, struct target *t)
{
	const struct scim_attr_path *p = &f->path;
	char name[200];

	memset(t, 0, sizeof(*t));
	path_text(p, name, sizeof(name));
	if (c->complex) {
		if (p->urn || p->sub || !(t->attr = scim_sub_find(c->complex, p->attr)))
			return mfail(c, "unknown sub-attribute '%s' of '%s'", name,
				     c->complex->name);
		t->leaf = t->attr;
	} else {
		if (p->attr[0] == '\0')
			return mfail(c, "'%s' is a schema, not an attribute", p->urn);
		t->attr = scim_attr_find(c->rt, p->urn, p->attr, NULL, &t->schema);
		if (!t->attr)
			return mfail(c, "unknown attribute '%s'", name);
		t->leaf = t->attr;
		if (p->sub) {
			t->leaf = scim_sub_find(t->attr, p->sub);
			if (!t->leaf)
				return mfail(c, "unknown attribute '%s'", name);
			t->in_elements = true;
		}
	}
	if (f->op == SCIM_OP_PR || f->op == SCIM_OP_VALUE_PATH)
		return 0;
	if (t->leaf->type == SCIM_COMPLEX) {
		if (!t->leaf->multi_valued)
			return mfail(c, "'%s' is complex: compare one of its sub-attributes", name);
		t->leaf = scim_sub_find(t->attr, "value");
		if (!t->leaf)
			return mfail(c,
				     "'%s' is complex and has no 'value': compare one of its "
				     "sub-attributes",
				     name);
		t->in_elements = true;
	}
	if (!f->value) /* eq null, ne null: any type */
		return 0;
	switch (t->leaf->type) {
	case SCIM_STRING:
	case SCIM_REFERENCE:
	case SCIM_BINARY:
		if (!json_object_is_type(f->value, json_type_string))
			return mfail(c, "'%s' is %s: compared with a value that is not a string",
				     name, type_name(t->leaf->type));
		if (t->leaf->type == SCIM_BINARY && f->op >= SCIM_OP_GT && f->op <= SCIM_OP_LE)
			return mfail(c, "'%s' is a binary: '%s' is not defined on it", name,
				     op_names[f->op]);
		break;
	case SCIM_BOOLEAN:
		if (f->op != SCIM_OP_EQ && f->op != SCIM_OP_NE)
			return mfail(c, "'%s' is a boolean: '%s' is not defined on it", name,
				     op_names[f->op]);
		if (!json_object_is_type(f->value, json_type_boolean))
			return mfail(c,
				     "'%s' is a boolean: compared with a value that is not true "
				     "or false",
				     name);
		break;
	case SCIM_INTEGER:
	case SCIM_DECIMAL:
		if (f->op == SCIM_OP_CO || f->op == SCIM_OP_SW || f->op == SCIM_OP_EW)
			return mfail(c, "'%s' is %s: '%s' is only for strings", name,
				     type_name(t->leaf->type), op_names[f->op]);
		if (!is_number(f->value))
			return mfail(c, "'%s' is %s: compared with a value that is not a number",
				     name, type_name(t->leaf->type));
		break;
	case SCIM_DATETIME: {
		struct scim_datetime dt;

		if (f->op == SCIM_OP_CO || f->op == SCIM_OP_SW || f->op == SCIM_OP_EW)
			return mfail(c, "'%s' is a dateTime: '%s' is only for strings", name,
				     op_names[f->op]);
		if (!json_object_is_type(f->value, json_type_string) ||
		    !scim_datetime_parse(json_object_get_string(f->value),
					 (size_t)json_object_get_string_len(f->value), &dt))
			return mfail(c,
				     "'%s' is a dateTime: compared with a value that is not an "
				     "RFC 3339 date-time (like \"2026-01-31T12:00:00Z\")",
				     name);
		break;
	}
	case SCIM_COMPLEX:
		break;
	}
	return 0;
}

/* Check the whole tree against the schemas, before any evaluation. */
static int check(const struct scim_filter *f, const struct ctx *c)
{
	struct target t;
	int rc;

	switch (f->op) {
	case SCIM_OP_AND:
	case SCIM_OP_OR:
		rc = check(f->left, c);
		return rc ? rc : check(f->right, c);
	case SCIM_OP_NOT:
		return check(f->left, c);
	case SCIM_OP_VALUE_PATH: {
		struct ctx inner = *c;
		char name[200];

		if (c->complex)
			return mfail(c, "a value filter cannot contain another value filter");
		rc = resolve(f, c, &t);
		if (rc)
			return rc;
		if (t.attr->type != SCIM_COMPLEX)
			return mfail(c,
				     "'%s' is %s, not complex: a value filter needs a complex "
				     "attribute",
				     path_text(&f->path, name, sizeof(name)),
				     type_name(t.attr->type));
		inner.complex = t.attr;
		return check(f->left, &inner);
	}
	default:
		return resolve(f, c, &t);
	}
}

/* Calls fn on each value: v's elements when v is an array, else v; nulls skipped. */
static bool any_of(const struct json_object *v, const struct scim_filter *f,
		   const struct scim_attr *leaf)
{
	if (!v || json_object_is_type(v, json_type_null))
		return false;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (any_of(json_object_array_get_idx(v, i), f, leaf))
				return true;
		return false;
	}
	return compare_one(f, leaf, v);
}

static int eval(const struct scim_filter *f, const struct ctx *c, const struct json_object *obj);

/* The value of t's attribute in obj (the resource, or a complex value). */
static const struct json_object *attr_value(const struct target *t, const struct ctx *c,
					    const struct json_object *obj)
{
	if (!c->complex && t->schema && t->schema != c->rt->schema)
		obj = scim_get_ci(obj, t->schema->id);
	return scim_get_ci(obj, t->attr->name);
}

/* Does the comparison, pr or value path f hold in obj? */
static int eval_attr(const struct scim_filter *f, const struct ctx *c,
		     const struct json_object *obj)
{
	const struct json_object *v;
	struct target t;
	int rc = resolve(f, c, &t);

	if (rc)
		return rc;
	v = attr_value(&t, c, obj);
	if (f->op == SCIM_OP_VALUE_PATH) {
		struct ctx inner = *c;
		size_t n;

		inner.complex = t.attr;
		if (!v || !json_object_is_type(v, json_type_array))
			return v && json_object_is_type(v, json_type_object)
				       ? eval(f->left, &inner, v)
				       : 0;
		n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			const struct json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_object))
				continue;
			rc = eval(f->left, &inner, e);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* the values compared: the attribute's, or those of a sub-attribute of its value(s) */
	if (t.in_elements) {
		struct json_object *subs = json_object_new_array();
		bool hit = false;

		if (!subs)
			return mfail(c, "out of memory");
		if (v && json_object_is_type(v, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				struct json_object *s =
					scim_get_ci(json_object_array_get_idx(v, i), t.leaf->name);

				if (s)
					json_object_array_add(subs, json_object_get(s));
			}
		} else {
			struct json_object *s = scim_get_ci(v, t.leaf->name);

			if (s)
				json_object_array_add(subs, json_object_get(s));
		}
		if (f->op == SCIM_OP_PR || !f->value)
			hit = present(subs) == (f->op == SCIM_OP_PR || f->op == SCIM_OP_NE);
		else
			hit = any_of(subs, f, t.leaf);
		json_object_put(subs);
		return hit;
	}
	if (f->op == SCIM_OP_PR || !f->value)
		return present(v) == (f->op == SCIM_OP_PR || f->op == SCIM_OP_NE);
	return any_of(v, f, t.leaf);
}

static int eval(const struct scim_filter *f, const struct ctx *c, const struct json_object *obj)
{
	int rc;

	switch (f->op) {
	case SCIM_OP_AND:
		rc = eval(f->left, c, obj);
		return rc == 1 ? eval(f->right, c, obj) : rc;
	case SCIM_OP_OR:
		rc = eval(f->left, c, obj);
		return rc == 0 ? eval(f->right, c, obj) : rc;
	case SCIM_OP_NOT:
		rc = eval(f->left, c, obj);
		return rc < 0 ? rc : !rc;
	default:
		return eval_attr(f, c, obj);
	}
}

int scim_filter_match(const struct scim_filter *f, const struct scim_resource_type *rt,
		      const struct json_object *resource, char *err, size_t errlen)
{
	struct ctx c = { .rt = rt, .err = err, .errlen = errlen };
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = check(f, &c);
	return rc ? rc : eval(f, &c, resource);
}

int scim_filter_match_value(const struct scim_filter *f, const struct scim_attr *complex,
			    const struct json_object *value, char *err, size_t errlen)
{
	struct ctx c = { .complex = complex, .err = err, .errlen = errlen };
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!complex || complex->type != SCIM_COMPLEX)
		return mfail(&c, "a value filter needs a complex attribute");
	rc = check(f, &c);
	return rc ? rc : eval(f, &c, value);
}
