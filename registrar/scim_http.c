// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The SCIM 2.0 service (RFC 7644) on the registrar's event loop. Resources are checked and
 * projected by scim_resource.c from the schema tables, filtered by scim_filter.c, and stored by
 * store.c; this file is the protocol: routes, authentication, ETags, lists and errors.
 */
#include "scim_http.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "config.h"
#include "ldevid.h"
#include "rlog.h"
#include "scim_filter.h"
#include "scim_resource.h"
#include "scim_schema.h"
#include "scim_sql.h"
#include "server.h"
#include "store.h"
#include "tao_b64url.h"
#include "tao_client.h"
#include "tao_json_strict.h"
#include "tao_nla.h"
#include "tao_util.h"

#define SCIM_PREFIX	"/scim/v2"
#define SCIM_MEDIA	"application/scim+json"
#define URN_ERROR	"urn:ietf:params:scim:api:messages:2.0:Error"
#define URN_LIST	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define BODY_DEPTH	16
#define BODY_MEMBERS	256
#define SCIM_BODY_LIMIT (1u << 20)

/* Who is asking: an operator (every tenant), an installer (one tenant), or a device. */
struct principal {
	struct tao_store_token token;
	bool is_operator;
	bool device;	 /* a client certificate and no token: the device itself */
	char serial[65]; /* the device's serialNumber */
};

#define URN_ATTEST TAO_SCIM_ATTEST_URN

struct request {
	struct scim_service *svc;
	struct evhttp_request *req;
	SSL *ssl;
	const char *peer;
	struct principal who;
	char base[512]; /* https://host/scim/v2 */
};

/* ---- answers --------------------------------------------------------------------------- */

/* Send the JSON text in b (NULL: no body). */
static void send_buffer(struct request *r, int status, const char *reason, struct evbuffer *b,
			const char *etag, const char *location)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(h, "Content-Type", SCIM_MEDIA);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (etag)
		evhttp_add_header(h, "ETag", etag);
	if (location)
		evhttp_add_header(h, "Location", location);
	reg_send_reply(r->req, status, reason, b);
}

static void send_json(struct request *r, int status, const char *reason, struct json_object *doc,
		      const char *etag, const char *location)
{
	struct evbuffer *b = evbuffer_new();
	const char *text = doc ? json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN) : NULL;

	if (b && text)
		evbuffer_add(b, text, strlen(text));
	send_buffer(r, status, reason, b, etag, location);
	if (b)
		evbuffer_free(b);
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 501:
		return "Not Implemented";
	default:
		return "Internal Server Error";
	}
}

/* The error document of RFC 7644 section 3.12 ("status" is a string there). */
__attribute__((format(printf, 4, 5))) static void
send_error(struct request *r, int status, const char *scim_type, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array();
	char detail[600], code[8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(code, sizeof(code), "%d", status);
	if (o && schemas) {
		json_object_array_add(schemas, json_object_new_string(URN_ERROR));
		json_object_object_add(o, "schemas", schemas);
		schemas = NULL;
		json_object_object_add(o, "status", json_object_new_string(code));
		if (scim_type)
			json_object_object_add(o, "scimType", json_object_new_string(scim_type));
		json_object_object_add(o, "detail", json_object_new_string(detail));
	}
	rlog(status >= 500 ? RLOG_ERR : RLOG_INFO, "scim_error", detail, "peer", r->peer, "status",
	     code, "scim_type", scim_type, "token", r->who.token.name[0] ? r->who.token.name : NULL,
	     NULL);
	send_json(r, status, reason_of(status), o, NULL, NULL);
	json_object_put(schemas);
	json_object_put(o);
}

static void send_scim_error(struct request *r, const struct scim_error *e)
{
	send_error(r, e->status ? e->status : 400, e->scim_type, "%s", e->detail);
}

/* ---- tokens ---------------------------------------------------------------------------- */

void scim_token_hash(const char *token, unsigned char hash[32])
{
	SHA256((const unsigned char *)token, strlen(token), hash);
}

int scim_token_new(char *token, size_t len, unsigned char hash[32])
{
	uint8_t raw[32];
	char *enc;
	int n;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	enc = tao_b64url_encode(raw, sizeof(raw));
	if (!enc)
		return -ENOMEM;
	n = snprintf(token, len, "tao_%s", enc);
	OPENSSL_cleanse(raw, sizeof(raw));
	free(enc);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	scim_token_hash(token, hash);
	return 0;
}

/* Authorization: Bearer TOKEN. Answers 401 itself and returns -1 when it is not a valid one. */
static int authenticate(struct request *r)
{
	const char *h =
		evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");
	unsigned char hash[32];
	char err[256];
	int rc;

	if (!h && r->ssl && SSL_get0_peer_certificate(r->ssl)) {
		/* A device on its own TLS identity: enrollment and its own record only. */
		X509 *cert = SSL_get0_peer_certificate(r->ssl);
		const X509_NAME *n = X509_get_subject_name(cert);
		int i = X509_NAME_get_index_by_NID(n, NID_serialNumber, -1);
		const ASN1_STRING *v =
			i >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)) : NULL;

		if (!v || ASN1_STRING_length(v) < 1 || ASN1_STRING_length(v) > 64) {
			send_error(r, 403, NULL,
				   "the client certificate names no device (no serialNumber), and "
				   "no bearer token was given");
			return -1;
		}
		snprintf(r->who.serial, sizeof(r->who.serial), "%.*s", ASN1_STRING_length(v),
			 (const char *)ASN1_STRING_get0_data(v));
		r->who.device = true;
		snprintf(r->who.token.name, sizeof(r->who.token.name), "device:%.50s",
			 r->who.serial);
		return 0;
	}
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
				  "Bearer realm=\"tao-registrar\"");
		send_error(r, 401, NULL, "a bearer token is required (Authorization: Bearer ...)");
		return -1;
	}
	scim_token_hash(h + 7, hash);
	rc = tao_store_token_find(r->svc->store, hash, &r->who.token, err, sizeof(err));
	if (rc == -EIO) {
		send_error(r, 500, NULL, "the store failed");
		return -1;
	}
	if (rc < 0) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
				  "Bearer realm=\"tao-registrar\", error=\"invalid_token\"");
		send_error(r, 401, NULL,
			   rc == -EKEYREVOKED ? "the token was revoked" : "the token is not known");
		memset(&r->who, 0, sizeof(r->who));
		return -1;
	}
	r->who.is_operator = strcmp(r->who.token.role, "operator") == 0;
	return 0;
}

/* ---- resources ------------------------------------------------------------------------- */

static void uuid4(char out[37])
{
	uint8_t b[16];

	RAND_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", s, (int)(ms % 1000));
}

static void etag_of(int64_t version, char *buf, size_t len)
{
	snprintf(buf, len, "W/\"%" PRId64 "\"", version);
}

/* The values of a resource's meta: from the columns, and the request's base URL. */
struct meta_text {
	char created[40], modified[40], etag[40], loc[700];
};

static void meta_of(const struct request *r, const struct scim_resource_type *rt,
		    const struct tao_store_resource *s, struct meta_text *m)
{
	iso_time(s->created, m->created, sizeof(m->created));
	iso_time(s->modified, m->modified, sizeof(m->modified));
	etag_of(s->version, m->etag, sizeof(m->etag));
	snprintf(m->loc, sizeof(m->loc), "%s%s/%s", r->base, rt->endpoint, s->id);
}

/* The stored resource with id and meta: what projections start from. */
static struct json_object *full_resource(struct request *r, const struct scim_resource_type *rt,
					 const struct tao_store_resource *s)
{
	struct json_object *o = json_tokener_parse(s->body), *meta;
	struct meta_text m;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	meta = json_object_new_object();
	if (!meta) {
		json_object_put(o);
		return NULL;
	}
	meta_of(r, rt, s, &m);
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(meta, "resourceType", json_object_new_string(rt->name));
	json_object_object_add(meta, "created", json_object_new_string(m.created));
	json_object_object_add(meta, "lastModified", json_object_new_string(m.modified));
	json_object_object_add(meta, "location", json_object_new_string(m.loc));
	json_object_object_add(meta, "version", json_object_new_string(m.etag));
	json_object_object_add(o, "meta", meta);
	return o;
}

/*
 * The stored default representation of s, if there is a usable one (made under this build's
 * projection, and the meta offset inside it): the length of its text, else -1.
 */
static ssize_t rep_usable(const struct tao_store_resource *s)
{
	size_t len;

	if (!s->rep || s->rep_tag != scim_rep_tag())
		return -1;
	len = strlen(s->rep);
	return s->rep_meta > 0 && (size_t)s->rep_meta < len ? (ssize_t)len : -1;
}

/*
 * Append s's default representation to b: the stored one with this request's meta spliced in
 * (no JSON parsed or printed), or, without a usable one, made as send_resource() does. 0, or
 * -1 when it cannot be made (the stored body does not parse, out of memory).
 */
static int append_rep(struct request *r, const struct scim_resource_type *rt,
		      const struct tao_store_resource *s, struct evbuffer *b)
{
	struct json_object *full, *out;
	struct scim_error e = { 0 };
	ssize_t len = rep_usable(s);
	struct meta_text m;
	char meta[2048];
	int n;

	if (len > 0) {
		meta_of(r, rt, s, &m);
		n = scim_rep_meta(meta, sizeof(meta), rt->name, m.created, m.modified, m.loc,
				  m.etag);
		if (n > 0) {
			size_t at = (size_t)s->rep_meta;

			if (evbuffer_add(b, s->rep, at) < 0 ||
			    evbuffer_add(b, meta, (size_t)n) < 0 ||
			    evbuffer_add(b, s->rep + at, (size_t)len - at) < 0)
				return -1;
			return 0;
		}
	}
	full = full_resource(r, rt, s);
	out = full ? scim_resource_project(rt, full, NULL, NULL, &e) : NULL;
	json_object_put(full);
	if (!out)
		return -1;
	n = evbuffer_add_printf(b, "%s",
				json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return n < 0 ? -1 : 0;
}

/* A representation to store with body (made under this build's projection). */
struct rep {
	struct tao_store_rep st;
	char *text;
};

static void rep_make(struct rep *p, const struct scim_resource_type *rt, const char *id,
		     const char *body)
{
	p->text = scim_resource_rep(rt, id, body, &p->st.meta);
	p->st.text = p->text;
	p->st.tag = scim_rep_tag();
}

/* The default representation of stored resource r, for tao_store_resource_fill_reps(). */
static char *fill_rep(const struct tao_store_resource *r, int64_t *meta, void *arg)
{
	const struct scim_resource_type *rt = scim_resource_type_find(r->type);

	(void)arg;
	return rt ? scim_resource_rep(rt, r->id, r->body, meta) : NULL;
}

int scim_fill_reps(struct tao_store *store, char *err, size_t errlen)
{
	return tao_store_resource_fill_reps(store, scim_rep_tag(), fill_rep, NULL, err, errlen);
}

static const char *query_get(struct evkeyvalq *q, const char *key)
{
	return q ? evhttp_find_header(q, key) : NULL;
}

/* Send one resource (200/201) projected by the request's attributes parameters. */
static void send_resource(struct request *r, const struct scim_resource_type *rt,
			  const struct tao_store_resource *s, int status, struct evkeyvalq *q)
{
	const char *attrs = query_get(q, "attributes"), *excl = query_get(q, "excludedAttributes");
	struct json_object *full, *out;
	struct scim_error e = { 0 };
	struct meta_text m;

	meta_of(r, rt, s, &m);
	/* The default representation (stored when usable: no JSON work; append_rep()). */
	if ((!attrs || !*attrs) && (!excl || !*excl)) {
		struct evbuffer *b = evbuffer_new();

		if (b && append_rep(r, rt, s, b) == 0) {
			send_buffer(r, status, reason_of(status), b, m.etag,
				    status == 201 ? m.loc : NULL);
			evbuffer_free(b);
			return;
		}
		if (b)
			evbuffer_free(b);
	}
	full = full_resource(r, rt, s);
	if (!full) {
		send_error(r, 500, NULL, "the stored %s %s does not parse", rt->name, s->id);
		return;
	}
	out = scim_resource_project(rt, full, attrs, excl, &e);
	json_object_put(full);
	if (!out) {
		if (!e.status) {
			e.status = 500;
			snprintf(e.detail, sizeof(e.detail), "out of memory");
		}
		send_scim_error(r, &e);
		return;
	}
	send_json(r, status, reason_of(status), out, m.etag, status == 201 ? m.loc : NULL);
	json_object_put(out);
}

/* The request body as JSON: the media type, the size and the nesting bounded. */
static struct json_object *read_body(struct request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	const char *ct =
		evhttp_find_header(evhttp_request_get_input_headers(r->req), "Content-Type");
	size_t len = evbuffer_get_length(in);
	struct json_object *o = NULL;
	char err[256];
	struct tao_perr e = { err, sizeof(err) };
	const char *text;
	int rc;

	if (!ct || (strncasecmp(ct, SCIM_MEDIA, strlen(SCIM_MEDIA)) != 0 &&
		    strncasecmp(ct, "application/json", 16) != 0)) {
		send_error(r, 415, NULL,
			   "the body is sent as " SCIM_MEDIA " (or application/json)");
		return NULL;
	}
	if (len > SCIM_BODY_LIMIT) {
		send_error(r, 413, NULL, "the body exceeds %u bytes", SCIM_BODY_LIMIT);
		return NULL;
	}
	text = (const char *)evbuffer_pullup(in, -1);
	rc = tao_json_parse_bounded(text ? text : "", len, "the body", BODY_DEPTH, BODY_MEMBERS, &o,
				    &e);
	if (rc < 0) {
		send_error(r, rc == -ENOMEM ? 500 : 400, rc == -ENOMEM ? NULL : "invalidSyntax",
			   "%s", err);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		send_error(r, 400, "invalidSyntax", "the body is not a JSON object");
		return NULL;
	}
	return o;
}

/* If-Match: the version it names (0 for "*" or none), -1 (answered) when it cannot match. */
static int64_t if_match(struct request *r, int64_t current)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "If-Match");
	char etag[40];

	if (!h || strcmp(h, "*") == 0)
		return 0;
	etag_of(current, etag, sizeof(etag));
	/* Weak comparison (RFC 7232 section 2.3.2): W/"3" and "3" name the same version. */
	if (strcmp(h, etag) == 0 || strcmp(h, etag + 2) == 0)
		return current;
	send_error(r, 412, NULL, "If-Match %s: the resource is at version %s", h, etag);
	return -1;
}

static bool visible(const struct request *r, const struct tao_store_resource *s)
{
	if (r->who.device)
		return s->serial[0] && strcmp(s->serial, r->who.serial) == 0;
	return r->who.is_operator || strcmp(s->tenant, r->who.token.tenant) == 0;
}

/* The device serial an installer's record names (attestation extension idevid.serialNumber). */
static void named_serial(struct json_object *o, char *out, size_t len)
{
	struct json_object *ext = NULL, *idv = NULL, *sn = NULL;

	out[0] = '\0';
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, URN_ATTEST) == 0)
			ext = v;
	}
	if (ext && json_object_object_get_ex(ext, "idevid", &idv) &&
	    json_object_object_get_ex(idv, "serialNumber", &sn) &&
	    json_object_is_type(sn, json_type_string))
		snprintf(out, len, "%s", json_object_get_string(sn));
}

static int load(struct request *r, const struct scim_resource_type *rt, const char *id,
		struct tao_store_resource *s)
{
	char err[512];
	int rc = tao_store_resource_get(r->svc->store, rt->id, id, s, err, sizeof(err));

	if (rc == 0 && !visible(r, s)) {
		tao_store_resource_clear(s);
		rc = -ENOENT;
	}
	if (rc == -ENOENT)
		send_error(r, 404, NULL, "%s %s not found", rt->name, id);
	else if (rc < 0)
		send_error(r, 500, NULL, "the store failed");
	return rc;
}

/* The body to store: the checked resource without id and meta. */
static char *stored_text(struct json_object *o)
{
	json_object_object_del(o, "id");
	json_object_object_del(o, "meta");
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* The value of a top-level attribute of schema sch in o (extensions under their URN). */
static struct json_object *attr_value(struct json_object *o, const struct scim_resource_type *rt,
				      const struct scim_schema *sch, const char *name)
{
	struct json_object *base = o, *v = NULL;

	if (sch != rt->schema) {
		base = NULL;
		json_object_object_foreach(o, k, val)
		{
			if (strcasecmp(k, sch->id) == 0)
				base = val;
		}
		if (!base || !json_object_is_type(base, json_type_object))
			return NULL;
	}
	json_object_object_foreach(base, k2, val2)
	{
		if (strcasecmp(k2, name) == 0)
			v = val2;
	}
	return v;
}

struct unique_ctx {
	const struct scim_resource_type *rt;
	const struct scim_schema *sch;
	const struct scim_attr *a;
	struct json_object *value;
	const char *self; /* the resource's own id (replace), or NULL */
	char clash[40];
};

static int unique_cb(const struct tao_store_resource *s, void *arg)
{
	struct unique_ctx *u = arg;
	struct json_object *o, *v;
	bool same = false;

	if (u->self && strcmp(s->id, u->self) == 0)
		return 0;
	o = json_tokener_parse(s->body);
	v = o ? attr_value(o, u->rt, u->sch, u->a->name) : NULL;
	if (v && json_object_get_type(v) == json_object_get_type(u->value)) {
		if (json_object_is_type(v, json_type_string))
			same = u->a->case_exact ? !strcmp(json_object_get_string(v),
							  json_object_get_string(u->value))
						: !strcasecmp(json_object_get_string(v),
							      json_object_get_string(u->value));
		else
			same = json_object_equal(v, u->value);
	}
	json_object_put(o);
	if (same) {
		snprintf(u->clash, sizeof(u->clash), "%s", s->id);
		return 1;
	}
	return 0;
}

/*
 * The resources of the type (any tenant) that may hold u's value: an "eq" filter on the
 * attribute pushed down into SQL (scim_sql.h); unique_cb compares each as before.
 */
static int unique_scan(struct request *r, struct unique_ctx *u, char *err, size_t errlen)
{
	struct scim_filter eq = {
		.op = SCIM_OP_EQ,
		.path = { .urn = u->sch == u->rt->schema ? NULL : (char *)u->sch->id,
			  .attr = (char *)u->a->name },
		.value = u->value,
	};
	struct scim_sql sql;
	int rc;

	if (scim_sql_where(&eq, u->rt, &sql) < 0)
		return -ENOMEM;
	rc = tao_store_resource_query(r->svc->store, u->rt->id, NULL, sql.where, sql.params,
				      sql.n_params, unique_cb, u, err, errlen);
	scim_sql_free(&sql);
	return rc;
}

/*
 * RFC 7643 uniqueness: an attribute marked server or global may not have the value of another
 * resource of the type (any tenant). Answers 409 uniqueness itself and returns -1 on a clash.
 */
static int check_unique(struct request *r, const struct scim_resource_type *rt,
			struct json_object *o, const char *self)
{
	const struct scim_schema *schemas[16];
	size_t ns = 0;
	char err[512];

	schemas[ns++] = rt->schema;
	for (size_t i = 0; i < rt->n_extensions && ns < 16; i++)
		schemas[ns++] = rt->extensions[i].schema;
	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < schemas[k]->n_attrs; i++) {
			const struct scim_attr *a = &schemas[k]->attrs[i];
			struct unique_ctx u = { rt, schemas[k], a, NULL, self, "" };
			int rc;

			if (a->uniqueness == SCIM_UNIQUE_NONE || a->multi_valued ||
			    a->type == SCIM_COMPLEX)
				continue;
			u.value = attr_value(o, rt, schemas[k], a->name);
			if (!u.value || json_object_is_type(u.value, json_type_null))
				continue;
			rc = unique_scan(r, &u, err, sizeof(err));
			if (u.clash[0]) {
				send_error(r, 409, "uniqueness", "%s %s is already %s's", a->name,
					   json_object_get_string(u.value), u.clash);
				return -1;
			}
			if (rc < 0) {
				send_error(r, 500, NULL, "the store failed");
				return -1;
			}
		}
	return 0;
}

static void do_create(struct request *r, const struct scim_resource_type *rt)
{
	struct json_object *in = read_body(r), *checked = NULL;
	struct tao_store_resource s = { 0 };
	struct scim_error e = { 0 };
	char err[512];
	int rc;

	if (!in)
		return;
	if (scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &checked, &e) < 0) {
		json_object_put(in);
		send_scim_error(r, &e);
		return;
	}
	json_object_put(in);
	if (check_unique(r, rt, checked, NULL) < 0) {
		json_object_put(checked);
		return;
	}
	uuid4(s.id);
	snprintf(s.type, sizeof(s.type), "%s", rt->id);
	snprintf(s.tenant, sizeof(s.tenant), "%s", r->who.token.tenant);
	s.created = s.modified = now_ms();
	s.version = 1;
	/* Pre-provisioning: a Device that names its IDevID serial is claimed by that device. */
	if (strcmp(rt->id, "Device") == 0)
		named_serial(checked, s.serial, sizeof(s.serial));
	s.body = stored_text(checked);
	json_object_put(checked);
	if (!s.body) {
		send_error(r, 500, NULL, "out of memory");
		return;
	}
	s.rep = scim_resource_rep(rt, s.id, s.body, &s.rep_meta);
	s.rep_tag = scim_rep_tag();
	rc = tao_store_resource_create(r->svc->store, &s, err, sizeof(err));
	if (rc == -EEXIST)
		send_error(r, 409, "uniqueness", "%s", err);
	else if (rc < 0)
		send_error(r, 500, NULL, "the store failed");
	else {
		rlog(RLOG_INFO, "scim_create", "resource created", "type", rt->id, "id", s.id,
		     "token", r->who.token.name, NULL);
		send_resource(r, rt, &s, 201, NULL);
	}
	free(s.body);
	free(s.rep);
}

/* The attestation extension object of o (its URN matched case-insensitively), or NULL. */
static struct json_object *attest_ext(struct json_object *o)
{
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, URN_ATTEST) == 0 && json_object_is_type(v, json_type_object))
			return v;
	}
	return NULL;
}

/* Remove a member of o by name, matched case-insensitively (every spelling). */
static void del_member(struct json_object *o, const char *name)
{
	char key[64];
	bool found;

	do {
		found = false;
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			if (strcasecmp(k, name) == 0) {
				snprintf(key, sizeof(key), "%s", k);
				found = true;
				break;
			}
		}
		if (found)
			json_object_object_del(o, key);
	} while (found);
}

/*
 * Issue the LDevID of a verified request for device serial with the operator CA, record it in
 * the store (so that it can be revoked), and give it as base64 DER in *b64. Answers 500 itself
 * and returns -1 on failure.
 */
static int ldevid_issue(struct request *r, const struct reg_ldevid *l, const char *serial,
			char **b64)
{
	X509 *cert = NULL;
	unsigned char *der = NULL;
	char err[512], hex[130];
	int len, rc;

	rc = reg_ldevid_issue(l, r->svc->operator_key, r->svc->operator_cert, serial,
			      r->svc->ldevid_days, &cert, hex, sizeof(hex), err, sizeof(err));
	if (rc < 0) {
		send_error(r, 500, NULL, "issuing the LDevID: %s", err);
		return -1;
	}
	len = i2d_X509(cert, &der);
	*b64 = len > 0 ? malloc((size_t)(len + 2) / 3 * 4 + 1) : NULL;
	if (!*b64) {
		X509_free(cert);
		OPENSSL_free(der);
		send_error(r, 500, NULL, "out of memory");
		return -1;
	}
	EVP_EncodeBlock((unsigned char *)*b64, der, len);
	OPENSSL_free(der);
	{
		struct tm tm;
		int64_t not_after = 0;

		if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
			not_after = (int64_t)timegm(&tm);
		rc = tao_store_ldevid_add(r->svc->store, hex, serial, (int64_t)time(NULL),
					  not_after, err, sizeof(err));
	}
	X509_free(cert);
	if (rc < 0) {
		free(*b64);
		*b64 = NULL;
		send_error(r, 500, NULL, "the store failed");
		return -1;
	}
	rlog(RLOG_NOTICE, "ldevid_issued", "an LDevID was issued", "serial", serial, "certificate",
	     hex, NULL);
	return 0;
}

/*
 * A Device an operator deactivated: active false on a record that was enrolled before (it has
 * a result). A pre-provisioned record is inactive too, but has no result: its device claims
 * and activates it. An enrollment never activates a deactivated one again.
 */
static bool deactivated(struct json_object *dev)
{
	struct json_object *ext = attest_ext(dev), *v;

	return ext && json_object_object_get_ex(ext, "result", &v) &&
	       json_object_object_get_ex(dev, "active", &v) &&
	       json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

/* The attestation extension's read-only result: the appraisal at (scim_schema.c result_sub). */
static int set_result(struct json_object *ext, const struct scim_attest *at)
{
	struct json_object *result = json_object_new_object();
	char t[40];

	if (!result)
		return -ENOMEM;
	json_object_object_add(result, "status", json_object_new_string(at->status));
	json_object_object_add(result, "reason", json_object_new_string(at->reason));
	json_object_object_add(result, "attestationId", json_object_new_int64(at->attestation_id));
	iso_time(at->time * 1000, t, sizeof(t));
	json_object_object_add(result, "time", json_object_new_string(t));
	json_object_object_add(ext, "result", result);
	return 0;
}

/*
 * Put the registrar's view of an accepted attestation into a Device (read-only attributes),
 * and the LDevID issued with it (base64 DER), if any.
 */
static int set_attested(struct json_object *dev, const struct scim_attest *at, const char *ldevid)
{
	struct json_object *ext = attest_ext(dev), *idevid, *schemas;

	if (!ext) {
		ext = json_object_new_object();
		if (!ext)
			return -ENOMEM;
		json_object_object_add(dev, URN_ATTEST, ext);
		if (json_object_object_get_ex(dev, "schemas", &schemas) &&
		    json_object_is_type(schemas, json_type_array))
			json_object_array_add(schemas, json_object_new_string(URN_ATTEST));
	}
	json_object_object_del(ext, "evidence");
	del_member(ext, REG_LDEVID_CSR);
	del_member(ext, REG_LDEVID_CERTIFY);
	if (ldevid) {
		del_member(ext, REG_LDEVID_CERT);
		json_object_object_add(ext, REG_LDEVID_CERT, json_object_new_string(ldevid));
	}
	if (set_result(ext, at) < 0)
		return -ENOMEM;
	if (!json_object_object_get_ex(ext, "idevid", &idevid) ||
	    !json_object_is_type(idevid, json_type_object)) {
		idevid = json_object_new_object();
		if (!idevid)
			return -ENOMEM;
		json_object_object_add(ext, "idevid", idevid);
	}
	json_object_object_add(idevid, "serialNumber", json_object_new_string(at->serial));
	json_object_object_add(dev, "active", json_object_new_boolean(1));
	return 0;
}

/*
 * The tenant an accepted device belongs to by its manufacturer: the [tenant] one of whose CAs
 * is in the device's verified IAK chain, the one nearest the IAK when several are (a tenant of
 * an intermediate CA before one of its root). NULL: no tenant names any CA of the chain.
 */
static const struct reg_tenant *tenant_of(const struct scim_service *svc,
					  const struct scim_attest *at)
{
	for (size_t i = 0; i < at->n_iak_issuers; i++)
		for (size_t t = 0; t < svc->n_tenants; t++)
			for (size_t k = 0; k < svc->tenants[t].n_cas; k++)
				if (memcmp(svc->tenants[t].ca_sha256[k], at->iak_issuers_sha256[i],
					   32) == 0)
					return &svc->tenants[t];
	return NULL;
}

/*
 * Store dev, the JSON of stored resource s with changes, as s's next version together with its
 * default representation: 0, -ENOMEM, -ESTALE (s changed since it was read), or the store's
 * error, with a message in err.
 */
static int replace_body(struct tao_store *store, const struct scim_resource_type *rt,
			const struct tao_store_resource *s, struct json_object *dev, char *err,
			size_t errlen)
{
	struct rep rep = { 0 };
	char *body = stored_text(dev);
	int rc;

	if (!body)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	rep_make(&rep, rt, s->id, body);
	rc = tao_store_resource_update(store, rt->id, s->id, s->version, body, s->serial, &rep.st,
				       now_ms(), err, errlen);
	free(rep.text);
	free(body);
	return rc;
}

/* One try of scim_note_attestation: its values, or -ESTALE when the Device changed meanwhile. */
static int note_once(struct tao_store *store, const struct scim_resource_type *rt,
		     const struct scim_attest *at, char *err, size_t errlen)
{
	struct tao_store_resource s = { 0 };
	struct json_object *dev, *ext, *old;
	int rc = tao_store_resource_by_serial(store, rt->id, at->serial, &s, err, errlen);

	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	dev = json_tokener_parse(s.body);
	ext = dev ? attest_ext(dev) : NULL;
	if (!dev)
		rc = tao_errf(err, errlen, -ENOMEM, "out of memory");
	else if (!ext || !json_object_object_get_ex(ext, "result", &old))
		rc = 0; /* only an enrolled Device has a result to bring up to date */
	else if (set_result(ext, at) < 0)
		rc = tao_errf(err, errlen, -ENOMEM, "out of memory");
	else if ((rc = replace_body(store, rt, &s, dev, err, errlen)) == 0)
		rc = 1;
	json_object_put(dev);
	tao_store_resource_clear(&s);
	return rc;
}

int scim_note_attestation(struct tao_store *store, const struct scim_attest *at, char *err,
			  size_t errlen)
{
	const struct scim_resource_type *rt = scim_resource_type_find("Device");
	int rc = -ESTALE;

	if (!rt)
		return 0;
	/* A write between the read and the update (version check): read it again, a few times. */
	for (int tries = 0; tries < 3 && rc == -ESTALE; tries++)
		rc = note_once(store, rt, at, err, errlen);
	if (rc == -ESTALE)
		snprintf(err, errlen,
			 "the Device of device %s kept changing; its result was not updated",
			 at->serial);
	return rc;
}

/*
 * POST /Devices by a device on its own TLS identity: the evidence in the attestation extension
 * is verified against this connection's binder before anything is stored; an accepted device
 * claims the record that names its serial (pre-provisioned, 200) or, where self-enrollment is
 * allowed, gets a new one (201). Repeating it changes the same record (200), never a second.
 */
static void do_enroll(struct request *r, const struct scim_resource_type *rt)
{
	struct json_object *in = read_body(r), *ext, *ev, *checked = NULL, *old = NULL;
	struct tao_store_resource s = { 0 };
	struct scim_attest at = { 0 };
	struct scim_error e = { 0 };
	struct reg_ldevid *ldv = NULL;
	const struct reg_tenant *tenant;
	char err[512], *ldevid = NULL;
	int rc;

	if (!in)
		return;
	ext = attest_ext(in);
	if (!ext || !json_object_object_get_ex(ext, "evidence", &ev) ||
	    !json_object_is_type(ev, json_type_string)) {
		send_error(r, 400, "invalidValue",
			   "an enrolling device sends its evidence as " URN_ATTEST ":evidence");
		goto out;
	}
	/* An LDevID request: its form and the CSR's self-signature before anything else. */
	rc = reg_ldevid_parse(ext, &ldv, err, sizeof(err));
	if (rc < 0) {
		send_error(r, rc == -ENOMEM ? 500 : 400, rc == -ENOMEM ? NULL : "invalidValue",
			   "%s", err);
		goto out;
	}
	if (ldv && !r->svc->operator_key) {
		send_error(r, 501, NULL,
			   "this registrar issues no LDevIDs (it has no [trust] operator_key)");
		goto out;
	}
	rc = r->svc->attest(r->svc->attest_ctx, r->ssl, json_object_get_string(ev),
			    (size_t)json_object_get_string_len(ev), r->peer, &at);
	if (rc < 0) {
		send_error(r, at.http_status, at.http_status == 400 ? "invalidValue" : NULL,
			   "the evidence: %s", at.detail);
		goto out;
	}
	if (!at.accepted) {
		send_error(r, 403, NULL, "the attestation is %s: %s (attestation %" PRId64 ")",
			   at.status, at.reason, at.attestation_id);
		goto out;
	}
	/* The certification: by this device's IAK, for this very session, of the CSR's key. */
	if (ldv && reg_ldevid_verify(ldv, at.iak_key, at.binder, err, sizeof(err)) < 0) {
		send_error(r, 400, "invalidValue", "%s", err);
		goto out;
	}
	rc = tao_store_resource_by_serial(r->svc->store, rt->id, at.serial, &s, err, sizeof(err));
	if (rc < 0 && rc != -ENOENT) {
		send_error(r, 500, NULL, "the store failed");
		goto out;
	}
	if (rc == 0) {
		/* Claim (or enroll again): the record keeps its attributes, gains the result. */
		old = json_tokener_parse(s.body);
		if (old && deactivated(old)) {
			send_error(
				r, 403, NULL,
				"Device %s of device %s is deactivated (active: false, after its "
				"enrollment): an operator may activate it again",
				s.id, at.serial);
			rlog(RLOG_NOTICE, "scim_enroll_refused",
			     "enrollment refused: the Device is deactivated", "serial", at.serial,
			     "id", s.id, "policy", "inactive", NULL);
			goto out;
		}
		if (old && ldv && ldevid_issue(r, ldv, at.serial, &ldevid) < 0)
			goto out;
		if (!old || set_attested(old, &at, ldevid) < 0) {
			send_error(r, 500, NULL, "out of memory");
			goto out;
		}
		rc = replace_body(r->svc->store, rt, &s, old, err, sizeof(err));
		if (rc == -ENOMEM) {
			send_error(r, 500, NULL, "out of memory");
			goto out;
		}
		if (rc < 0) {
			send_error(r, rc == -ESTALE ? 412 : 500, NULL, "%s",
				   rc == -ESTALE ? "the Device changed meanwhile; enroll again"
						 : "the store failed");
			goto out;
		}
		tao_store_resource_clear(&s);
		if (tao_store_resource_by_serial(r->svc->store, rt->id, at.serial, &s, err,
						 sizeof(err)) == 0) {
			rlog(RLOG_NOTICE, "scim_enroll", "device enrolled into its record",
			     "serial", at.serial, "id", s.id, NULL);
			send_resource(r, rt, &s, 200, NULL);
		} else {
			send_error(r, 500, NULL, "the store failed");
		}
		goto out;
	}
	/* Nobody pre-provisioned it: its manufacturer's tenant decides, else [scim]. */
	tenant = tenant_of(r->svc, &at);
	if (tenant ? !tenant->self_enroll : !r->svc->self_enroll) {
		if (tenant)
			send_error(r, 403, NULL,
				   "device %s is not pre-provisioned, and its tenant %s (by the "
				   "manufacturer CA of its IAK) does not allow self-enrollment",
				   at.serial, tenant->name);
		else
			send_error(r, 403, NULL,
				   "device %s is not pre-provisioned, and self-enrollment is off",
				   at.serial);
		rlog(RLOG_NOTICE, "scim_enroll_refused",
		     "self-enrollment refused: not pre-provisioned", "serial", at.serial, "tenant",
		     tenant ? tenant->name : NULL, "policy", tenant ? "tenant" : "scim", NULL);
		goto out;
	}
	json_object_object_del(ext, "evidence");
	del_member(ext, REG_LDEVID_CSR);
	del_member(ext, REG_LDEVID_CERTIFY);
	if (scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &checked, &e) < 0) {
		send_scim_error(r, &e);
		goto out;
	}
	if (ldv && ldevid_issue(r, ldv, at.serial, &ldevid) < 0)
		goto out;
	if (set_attested(checked, &at, ldevid) < 0) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	uuid4(s.id);
	snprintf(s.type, sizeof(s.type), "%s", rt->id);
	snprintf(s.tenant, sizeof(s.tenant), "%s",
		 tenant			      ? tenant->name
		 : r->svc->self_enroll_tenant ? r->svc->self_enroll_tenant
					      : "");
	snprintf(s.serial, sizeof(s.serial), "%s", at.serial);
	s.created = s.modified = now_ms();
	s.version = 1;
	s.body = stored_text(checked);
	if (!s.body) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	s.rep = scim_resource_rep(rt, s.id, s.body, &s.rep_meta);
	s.rep_tag = scim_rep_tag();
	rc = tao_store_resource_create(r->svc->store, &s, err, sizeof(err));
	if (rc < 0) {
		send_error(r, rc == -EEXIST ? 409 : 500, rc == -EEXIST ? "uniqueness" : NULL, "%s",
			   rc == -EEXIST ? err : "the store failed");
		goto out;
	}
	rlog(RLOG_NOTICE, "scim_enroll", "device self-enrolled", "serial", at.serial, "id", s.id,
	     "tenant", s.tenant, "policy", tenant ? "tenant" : "scim", NULL);
	send_resource(r, rt, &s, 201, NULL);
out:
	json_object_put(at.ear);
	EVP_PKEY_free(at.iak_key);
	reg_ldevid_free(ldv);
	free(ldevid);
	tao_store_resource_clear(&s);
	json_object_put(in);
	json_object_put(old);
	json_object_put(checked);
}

static void do_get(struct request *r, const struct scim_resource_type *rt, const char *id,
		   struct evkeyvalq *q)
{
	struct tao_store_resource s;
	const char *inm;
	char etag[40];

	if (load(r, rt, id, &s) < 0)
		return;
	inm = evhttp_find_header(evhttp_request_get_input_headers(r->req), "If-None-Match");
	etag_of(s.version, etag, sizeof(etag));
	if (inm &&
	    (strcmp(inm, etag) == 0 || strcmp(inm, etag + 2) == 0 || strcmp(inm, "*") == 0)) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "ETag", etag);
		reg_send_reply(r->req, 304, "Not Modified", NULL);
	} else {
		send_resource(r, rt, &s, 200, q);
	}
	tao_store_resource_clear(&s);
}

/* PUT and PATCH: the new body from the old one, then a versioned update. */
static void do_write(struct request *r, const struct scim_resource_type *rt, const char *id,
		     bool patch)
{
	struct json_object *in, *old = NULL, *checked = NULL;
	struct tao_store_resource s;
	struct scim_error e = { 0 };
	struct rep rep = { 0 };
	char err[512], *body;
	int64_t expect;
	int rc;

	if (load(r, rt, id, &s) < 0)
		return;
	expect = if_match(r, s.version);
	if (expect < 0 || !(in = read_body(r))) {
		tao_store_resource_clear(&s);
		return;
	}
	old = full_resource(r, rt, &s);
	if (!old) {
		send_error(r, 500, NULL, "the stored %s %s does not parse", rt->name, id);
		goto out;
	}
	rc = patch ? scim_resource_patch(rt, old, in, &checked, &e)
		   : scim_resource_check(rt, SCIM_WRITE_REPLACE, in, old, &checked, &e);
	if (rc < 0) {
		send_scim_error(r, &e);
		goto out;
	}
	if (check_unique(r, rt, checked, id) < 0)
		goto out;
	body = stored_text(checked);
	if (!body) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	rep_make(&rep, rt, s.id, body);
	rc = tao_store_resource_update(r->svc->store, rt->id, id, expect ? expect : s.version, body,
				       s.serial, &rep.st, now_ms(), err, sizeof(err));
	free(rep.text);
	free(body);
	if (rc == -ESTALE) {
		send_error(r, 412, NULL, "%s %s changed meanwhile; read it again", rt->name, id);
	} else if (rc < 0) {
		send_error(r, rc == -EEXIST ? 409 : 500, rc == -EEXIST ? "uniqueness" : NULL, "%s",
			   rc == -EEXIST ? err : "the store failed");
	} else {
		struct tao_store_resource now;

		tao_store_resource_clear(&s);
		if (load(r, rt, id, &now) == 0) {
			rlog(RLOG_INFO, patch ? "scim_patch" : "scim_replace", "resource changed",
			     "type", rt->id, "id", id, "token", r->who.token.name, NULL);
			send_resource(r, rt, &now, 200, NULL);
			tao_store_resource_clear(&now);
		}
	}
out:
	tao_store_resource_clear(&s);
	json_object_put(in);
	json_object_put(old);
	json_object_put(checked);
}

static void do_delete(struct request *r, const struct scim_resource_type *rt, const char *id)
{
	struct tao_store_resource s;
	char err[512];
	int64_t expect;
	int rc;

	if (load(r, rt, id, &s) < 0)
		return;
	expect = if_match(r, s.version);
	if (expect >= 0) {
		rc = tao_store_resource_delete(r->svc->store, rt->id, id,
					       expect ? expect : s.version, err, sizeof(err));
		if (rc == -ESTALE)
			send_error(r, 412, NULL, "%s %s changed meanwhile", rt->name, id);
		else if (rc < 0)
			send_error(r, 500, NULL, "the store failed");
		else {
			rlog(RLOG_INFO, "scim_delete", "resource deleted", "type", rt->id, "id", id,
			     "token", r->who.token.name, NULL);
			reg_send_reply(r->req, 204, "No Content", NULL);
		}
	}
	tao_store_resource_clear(&s);
}

/* ---- lists ------------------------------------------------------------------------------ */

struct list_ctx {
	struct request *r;
	const struct scim_resource_type *rt;
	struct scim_filter *filter;
	struct json_object **items; /* the matching resources kept, full */
	size_t n, cap;
	size_t matched;	      /* all matches: totalResults */
	bool keep_all;	      /* sorted: keep every match; else only the page */
	bool exact;	      /* the SQL selected exactly the matches */
	size_t skip, want;    /* the page: matches skip .. skip + want - 1 (not keep_all) */
	struct evbuffer *out; /* default representations: the page's, as text (not keep_all) */
	size_t n_out;
	int rc;
	char err[512];
};

/* Append s, a match in the page, to c->out. */
static int list_append(struct list_ctx *c, const struct tao_store_resource *s)
{
	if (c->n_out && evbuffer_add(c->out, ",", 1) < 0)
		return -ENOMEM;
	if (append_rep(c->r, c->rt, s, c->out) < 0)
		return -ENOMEM;
	c->n_out++;
	return 0;
}

/*
 * A row the SQL pre-selection returned: the C matcher decides. Without sortBy only the page's
 * matches are kept, the others counted; when the SQL was exact, rows outside the page are
 * counted without being parsed at all.
 */
static int list_cb(const struct tao_store_resource *s, void *arg)
{
	struct list_ctx *c = arg;
	struct json_object *full;
	bool in_page;
	int m = 1;

	if (!visible(c->r, s))
		return 0;
	in_page = c->keep_all || (c->matched >= c->skip && c->matched - c->skip < c->want);
	if (c->exact && !in_page) {
		c->matched++;
		return 0;
	}
	if (c->out && c->exact) {
		c->matched++;
		return list_append(c, s);
	}
	full = full_resource(c->r, c->rt, s);
	if (!full)
		return -ENOMEM;
	if (c->filter) {
		m = scim_filter_match(c->filter, c->rt, full, c->err, sizeof(c->err));
		if (m < 0) {
			json_object_put(full);
			c->rc = m;
			return m;
		}
	}
	c->matched += m > 0;
	if (!m || !in_page) {
		json_object_put(full);
		return 0;
	}
	if (c->out) {
		json_object_put(full);
		return list_append(c, s);
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct json_object **p = realloc(c->items, cap * sizeof(*p));

		if (!p) {
			json_object_put(full);
			return -ENOMEM;
		}
		c->items = p;
		c->cap = cap;
	}
	c->items[c->n++] = full;
	return 0;
}

/* Any attribute of f that is never returned (writeOnly): sensitive in a URI (RFC 7644 7.5.2). */
static const char *sensitive_attr(const struct scim_filter *f, const struct scim_resource_type *rt,
				  const struct scim_attr *parent)
{
	const struct scim_attr *a = NULL;
	const char *s;

	if (!f)
		return NULL;
	if (f->op == SCIM_OP_AND || f->op == SCIM_OP_OR)
		return (s = sensitive_attr(f->left, rt, parent))
			       ? s
			       : sensitive_attr(f->right, rt, parent);
	if (f->op == SCIM_OP_NOT)
		return sensitive_attr(f->left, rt, parent);
	if (parent)
		a = scim_sub_find(parent, f->path.attr);
	else
		a = scim_attr_find(rt, f->path.urn, f->path.attr, f->path.sub, NULL);
	if (a && (a->mutability == SCIM_WRITE_ONLY || a->returned == SCIM_RETURNED_NEVER))
		return a->name;
	if (f->op == SCIM_OP_VALUE_PATH)
		return sensitive_attr(f->left, rt,
				      scim_attr_find(rt, f->path.urn, f->path.attr, NULL, NULL));
	return NULL;
}

struct sort_ctx {
	const struct scim_attr *attr;
	const char *urn, *name, *sub;
	bool descending;
};

static struct sort_ctx sort_by; /* qsort has no argument: one list is sorted at a time */

static const struct json_object *sort_value(const struct json_object *o)
{
	struct json_object *v = (struct json_object *)o, *x;

	if (sort_by.urn) {
		bool found = false;

		json_object_object_foreach(v, k, val)
		{
			if (strcasecmp(k, sort_by.urn) == 0) {
				v = val;
				found = true;
				break;
			}
		}
		if (!found)
			return NULL;
	}
	x = NULL;
	json_object_object_foreach(v, k2, val2)
	{
		if (strcasecmp(k2, sort_by.name) == 0) {
			x = val2;
			break;
		}
	}
	if (x && sort_by.sub && json_object_is_type(x, json_type_object)) {
		struct json_object *y = NULL;

		json_object_object_foreach(x, k3, val3)
		{
			if (strcasecmp(k3, sort_by.sub) == 0) {
				y = val3;
				break;
			}
		}
		x = y;
	}
	if (x && json_object_is_type(x, json_type_array)) /* multi-valued: the first */
		x = json_object_array_length(x) ? json_object_array_get_idx(x, 0) : NULL;
	return x;
}

static int sort_cmp(const void *a, const void *b)
{
	const struct json_object *x = sort_value(*(struct json_object *const *)a);
	const struct json_object *y = sort_value(*(struct json_object *const *)b);
	int c;

	/* Missing values sort last in both orders (RFC 7644 section 3.4.2.3). */
	if (!x || !y)
		return !x - !y;
	switch (json_object_get_type((struct json_object *)x)) {
	case json_type_int:
	case json_type_double: {
		double p = json_object_get_double((struct json_object *)x),
		       q = json_object_get_double((struct json_object *)y);
		c = (p > q) - (p < q);
		break;
	}
	case json_type_boolean:
		c = json_object_get_boolean((struct json_object *)x) -
		    json_object_get_boolean((struct json_object *)y);
		break;
	default: {
		const char *p = json_object_get_string((struct json_object *)x),
			   *q = json_object_get_string((struct json_object *)y);
		c = sort_by.attr && sort_by.attr->case_exact ? strcmp(p, q) : strcasecmp(p, q);
	}
	}
	return sort_by.descending ? -c : c;
}

static bool parse_int(const char *s, long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && !*end;
}

static void do_list(struct request *r, const struct scim_resource_type *rt, struct evkeyvalq *q)
{
	struct list_ctx c = { .r = r, .rt = rt };
	const char *filter = query_get(q, "filter"), *sort = query_get(q, "sortBy"),
		   *order = query_get(q, "sortOrder"), *attrs = query_get(q, "attributes"),
		   *excl = query_get(q, "excludedAttributes"), *sens;
	struct json_object *doc = NULL, *res = NULL, *schemas = NULL;
	struct scim_patch_path sp = { 0 };
	struct scim_sql sql = { 0 };
	long start = 1, count = (long)r->svc->max_results;
	char err[512];
	int rc;

	if (query_get(q, "startIndex") && !parse_int(query_get(q, "startIndex"), &start)) {
		send_error(r, 400, "invalidValue", "startIndex is not an integer");
		return;
	}
	if (query_get(q, "count") && !parse_int(query_get(q, "count"), &count)) {
		send_error(r, 400, "invalidValue", "count is not an integer");
		return;
	}
	/* RFC 7644 section 3.4.2.4: below 1 means 1; a negative count means 0. */
	if (start < 1)
		start = 1;
	if (count < 0)
		count = 0;
	if (count > (long)r->svc->max_results)
		count = (long)r->svc->max_results;
	if (filter && scim_filter_parse(filter, &c.filter, err, sizeof(err)) < 0) {
		send_error(r, 400, "invalidFilter", "%s", err);
		return;
	}
	if ((sens = sensitive_attr(c.filter, rt, NULL))) {
		send_error(r, 403, "sensitive",
			   "the filter names %s, which is never returned: write-only values are "
			   "not searched in a URI",
			   sens);
		goto out;
	}
	if (sort) {
		if (scim_patch_path_parse(sort, &sp, err, sizeof(err)) < 0 || sp.filter ||
		    !(sort_by.attr =
			      scim_attr_find(rt, sp.attr.urn, sp.attr.attr, sp.attr.sub, NULL))) {
			send_error(r, 400, "invalidValue", "sortBy: '%s' is not an attribute of %s",
				   sort, rt->name);
			goto out;
		}
		if (order && strcmp(order, "ascending") && strcmp(order, "descending")) {
			send_error(r, 400, "invalidValue",
				   "sortOrder is ascending or descending, not '%s'", order);
			goto out;
		}
		sort_by.urn = sp.attr.urn;
		sort_by.name = sp.attr.attr;
		sort_by.sub = sp.attr.sub;
		sort_by.descending = order && strcmp(order, "descending") == 0;
	}
	if (c.filter) {
		/* Checked against the schemas once, whatever the store holds. */
		struct json_object *none = json_object_new_object();

		rc = none ? scim_filter_match(c.filter, rt, none, c.err, sizeof(c.err)) : -ENOMEM;
		json_object_put(none);
		if (rc < 0) {
			if (rc == -ENOMEM)
				send_error(r, 500, NULL, "out of memory");
			else
				send_error(r, 400, "invalidFilter", "%s", c.err);
			goto out;
		}
	}
	/* SQL pre-selects (scim_sql.h); the C matcher has the last word unless that is exact. */
	if (scim_sql_where(c.filter, rt, &sql) < 0) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	c.exact = sql.exact;
	c.keep_all = sort != NULL;
	c.skip = (size_t)start - 1;
	c.want = (size_t)count;
	/* Unsorted, default representations: the stored ones, as text (scim_resource_rep()). */
	if (!sort && (!attrs || !*attrs) && (!excl || !*excl) && !(c.out = evbuffer_new())) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	rc = tao_store_resource_query(r->svc->store, rt->id,
				      r->who.is_operator ? NULL : r->who.token.tenant, sql.where,
				      sql.params, sql.n_params, list_cb, &c, err, sizeof(err));
	if (rc < 0 && c.rc < 0) {
		send_error(r, 400, "invalidFilter", "%s", c.err);
		goto out;
	}
	if (rc < 0) {
		rlog(RLOG_ERR, "scim_list", err, "type", rt->id, NULL);
		send_error(r, 500, NULL, "the store failed");
		goto out;
	}
	if (c.out) {
		struct evbuffer *b = evbuffer_new();

		/* As json-c prints the document below. */
		if (!b ||
		    evbuffer_add_printf(
			    b,
			    "{\"schemas\":[\"%s\"],\"totalResults\":%zu,\"startIndex\":%ld,"
			    "\"itemsPerPage\":%zu,\"Resources\":[",
			    URN_LIST, c.matched, start, c.n_out) < 0 ||
		    evbuffer_add_buffer(b, c.out) < 0 || evbuffer_add(b, "]}", 2) < 0) {
			send_error(r, 500, NULL, "out of memory");
		} else {
			send_buffer(r, 200, "OK", b, NULL, NULL);
		}
		if (b)
			evbuffer_free(b);
		goto out;
	}
	if (sort && c.n > 1)
		qsort(c.items, c.n, sizeof(*c.items), sort_cmp);
	doc = json_object_new_object();
	res = json_object_new_array();
	schemas = json_object_new_array();
	if (!doc || !res || !schemas) {
		send_error(r, 500, NULL, "out of memory");
		goto out;
	}
	json_object_array_add(schemas, json_object_new_string(URN_LIST));
	json_object_object_add(doc, "schemas", schemas);
	schemas = NULL;
	json_object_object_add(doc, "totalResults", json_object_new_int64((int64_t)c.matched));
	for (size_t i = c.keep_all ? (size_t)start - 1 : 0;
	     i < c.n && (long)json_object_array_length(res) < count; i++) {
		struct scim_error e = { 0 };
		struct json_object *p =
			scim_resource_project(rt, c.items[i], query_get(q, "attributes"),
					      query_get(q, "excludedAttributes"), &e);

		if (!p) {
			if (!e.status)
				e.status = 500;
			send_scim_error(r, &e);
			goto out;
		}
		json_object_array_add(res, p);
	}
	json_object_object_add(doc, "startIndex", json_object_new_int64(start));
	json_object_object_add(doc, "itemsPerPage",
			       json_object_new_int64((int64_t)json_object_array_length(res)));
	json_object_object_add(doc, "Resources", res);
	res = NULL;
	send_json(r, 200, "OK", doc, NULL, NULL);
out:
	memset(&sort_by, 0, sizeof(sort_by));
	scim_sql_free(&sql);
	scim_patch_path_free(&sp);
	scim_filter_free(c.filter);
	for (size_t i = 0; i < c.n; i++)
		json_object_put(c.items[i]);
	free(c.items);
	if (c.out)
		evbuffer_free(c.out);
	json_object_put(schemas);
	json_object_put(res);
	json_object_put(doc);
}

/* ---- discovery ------------------------------------------------------------------------- */

static struct json_object *list_of(struct json_object **items, size_t n)
{
	struct json_object *doc = json_object_new_object(), *res = json_object_new_array(),
			   *schemas = json_object_new_array();

	if (!doc || !res || !schemas) {
		json_object_put(doc);
		json_object_put(res);
		json_object_put(schemas);
		for (size_t i = 0; i < n; i++)
			json_object_put(items[i]);
		return NULL;
	}
	json_object_array_add(schemas, json_object_new_string(URN_LIST));
	json_object_object_add(doc, "schemas", schemas);
	json_object_object_add(doc, "totalResults", json_object_new_int64((int64_t)n));
	json_object_object_add(doc, "startIndex", json_object_new_int(1));
	json_object_object_add(doc, "itemsPerPage", json_object_new_int64((int64_t)n));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(res, items[i]);
	json_object_object_add(doc, "Resources", res);
	return doc;
}

static void do_discovery(struct request *r, const char *what, const char *id)
{
	struct json_object *doc = NULL, *items[32];
	size_t n = 0, count;

	if (strcmp(what, "ServiceProviderConfig") == 0 && !id) {
		doc = scim_service_provider_config_json(r->base);
	} else if (strcmp(what, "Schemas") == 0) {
		const struct scim_schema *const *s = scim_schemas(&count);

		for (size_t i = 0; i < count && n < 32; i++)
			if (!id || strcasecmp(id, s[i]->id) == 0)
				items[n++] = scim_schema_json(s[i], r->base);
		if (id && n == 1)
			doc = items[0];
		else if (!id)
			doc = list_of(items, n);
	} else if (strcmp(what, "ResourceTypes") == 0) {
		const struct scim_resource_type *const *t = scim_resource_types(&count);

		for (size_t i = 0; i < count && n < 32; i++)
			if (!id || strcmp(id, t[i]->id) == 0)
				items[n++] = scim_resource_type_json(t[i], r->base);
		if (id && n == 1)
			doc = items[0];
		else if (!id)
			doc = list_of(items, n);
	}
	if (!doc) {
		send_error(r, 404, NULL, "%s%s%s not found", what, id ? "/" : "", id ? id : "");
		return;
	}
	send_json(r, 200, "OK", doc, NULL, NULL);
	json_object_put(doc);
}

/* ---- routing ---------------------------------------------------------------------------- */

void scim_http_handle(struct scim_service *svc, struct evhttp_request *req, SSL *ssl,
		      const char *path, const char *query, const char *peer)
{
	struct request r = { .svc = svc, .req = req, .ssl = ssl, .peer = peer };
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	const struct scim_resource_type *rt = NULL;
	struct evkeyvalq q;
	bool have_q = false;
	char seg1[128] = "", seg2[300] = "", extra[8] = "";
	const char *rest;

	if (strncmp(path, "/scim/v", 7) == 0 && strncmp(path, SCIM_PREFIX, strlen(SCIM_PREFIX)) &&
	    isdigit((unsigned char)path[7])) {
		send_error(&r, 400, "invalidVers",
			   "this service speaks SCIM 2.0 (" SCIM_PREFIX "), not %.16s", path + 6);
		return;
	}
	rest = path + strlen(SCIM_PREFIX);
	if (strncmp(path, SCIM_PREFIX, strlen(SCIM_PREFIX)) != 0 || (*rest && *rest != '/')) {
		send_error(&r, 404, NULL, "no such resource");
		return;
	}
	snprintf(r.base, sizeof(r.base), "https://%.200s" SCIM_PREFIX,
		 host && !strpbrk(host, "\"\\ /") ? host : "localhost");
	if (authenticate(&r) < 0)
		return;
	if (query) {
		memset(&q, 0, sizeof(q));
		if (evhttp_parse_query_str(query, &q) != 0) {
			send_error(&r, 400, "invalidValue", "the query string does not parse");
			return;
		}
		have_q = true;
	}
	if (*rest == '/')
		sscanf(rest, "/%127[^/]/%299[^/]/%7s", seg1, seg2, extra);
	if (extra[0] || !seg1[0]) {
		send_error(&r, 404, NULL, "no such resource");
		goto out;
	}
	if (!strcmp(seg1, "ServiceProviderConfig") || !strcmp(seg1, "Schemas") ||
	    !strcmp(seg1, "ResourceTypes")) {
		if (cmd != EVHTTP_REQ_GET)
			send_error(&r, 405, NULL, "/%s is read-only", seg1);
		else
			do_discovery(&r, seg1, seg2[0] ? seg2 : NULL);
		goto out;
	}
	{
		size_t count;
		const struct scim_resource_type *const *t = scim_resource_types(&count);

		for (size_t i = 0; i < count; i++)
			if (strcmp(t[i]->endpoint + 1, seg1) == 0)
				rt = t[i];
	}
	if (!rt) {
		send_error(&r, 404, NULL, "no resource type at /%s", seg1);
		goto out;
	}
	if (r.who.device) {
		/* A device may enroll and read its own Device, nothing else. */
		if (strcmp(rt->id, "Device") == 0 && !seg2[0] && cmd == EVHTTP_REQ_POST)
			do_enroll(&r, rt);
		else if (strcmp(rt->id, "Device") == 0 && seg2[0] && cmd == EVHTTP_REQ_GET)
			do_get(&r, rt, seg2, have_q ? &q : NULL);
		else
			send_error(&r, 403, NULL,
				   "a device may enroll (POST /Devices) and read its own Device "
				   "only");
		goto out;
	}
	if (!seg2[0]) {
		if (cmd == EVHTTP_REQ_POST)
			do_create(&r, rt);
		else if (cmd == EVHTTP_REQ_GET)
			do_list(&r, rt, have_q ? &q : NULL);
		else
			send_error(&r, 405, NULL, "%s takes GET and POST", rt->endpoint);
	} else if (cmd == EVHTTP_REQ_GET) {
		do_get(&r, rt, seg2, have_q ? &q : NULL);
	} else if (cmd == EVHTTP_REQ_PUT) {
		do_write(&r, rt, seg2, false);
	} else if (cmd == EVHTTP_REQ_PATCH) {
		do_write(&r, rt, seg2, true);
	} else if (cmd == EVHTTP_REQ_DELETE) {
		do_delete(&r, rt, seg2);
	} else {
		send_error(&r, 405, NULL, "%s/{id} takes GET, PUT, PATCH and DELETE", rt->endpoint);
	}
out:
	if (have_q)
		evhttp_clear_headers(&q);
}
