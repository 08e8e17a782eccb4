/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SCIM resources against their schemas (RFC 7643/7644): validation of what a client sends,
 * PATCH, the representation returned (`returned`, attributes/excludedAttributes), and the
 * discovery documents. Every rule comes from the attribute tables of scim_schema.h.
 */
#ifndef TAO_SCIM_RESOURCE_H
#define TAO_SCIM_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scim_schema.h"

struct json_object;

/*
 * Bounds of scim_resource_check and scim_resource_project (docs/scim.md): beyond them a request
 * is refused (400), never truncated.
 */
#define SCIM_MAX_DEPTH	    8	      /* JSON nesting of a resource (objects and arrays) */
#define SCIM_MAX_VALUES	    256	      /* values of one multi-valued attribute */
#define SCIM_MAX_STRING	    (1 << 20) /* bytes of one string value */
#define SCIM_MAX_ATTR_LIST  4096      /* bytes of an attributes / excludedAttributes list */
#define SCIM_MAX_ATTR_PATHS 64	      /* paths in such a list */

/* The scimType of RFC 7644 section 3.12 an error maps to (NULL: none, e.g. 404). */
struct scim_error {
	int status;	       /* HTTP status: 400, 409, ... */
	const char *scim_type; /* "invalidValue", "mutability", ... or NULL */
	char detail[512];
};

enum scim_write {
	SCIM_WRITE_CREATE,  /* POST */
	SCIM_WRITE_REPLACE, /* PUT: old is the stored resource */
};

/*
 * Check a resource a client sent for rt and make what is stored: `schemas` must list rt's core
 * schema and only extensions rt has (an unknown URN: 400 invalidValue... see the code for each
 * case), each extension's attributes under its URN, no attribute the schemas do not define
 * (400 invalidSyntax), the types and multi-valuedness of every value (400 invalidValue),
 * required attributes present, canonical values and check functions. readOnly attributes sent
 * by the client are ignored (dropped), id/meta included; on replace an immutable attribute
 * that differs from old is refused (400 mutability). Returns 0 with *out (a new object), or -1
 * with *e filled; in is never changed.
 */
int scim_resource_check(const struct scim_resource_type *rt, enum scim_write how,
			const struct json_object *in, const struct json_object *old,
			struct json_object **out, struct scim_error *e);

/*
 * Apply a PatchOp request (urn:ietf:params:scim:api:messages:2.0:PatchOp; RFC 7644 section
 * 3.5.2) to a copy of stored and check the result as a replace would: add, remove and replace
 * with and without paths, value filters (attr[filter]), sub-attributes, extension URNs;
 * 400 invalidSyntax / invalidPath / noTarget / mutability / invalidValue as the RFC says.
 * Returns 0 with *out (the new resource, all operations applied) or -1 with *e; stored is never
 * changed (all or nothing).
 */
int scim_resource_patch(const struct scim_resource_type *rt, const struct json_object *stored,
			const struct json_object *patch, struct json_object **out,
			struct scim_error *e);

/*
 * The representation of stored to return: never returned=never attributes; returned=request
 * ones only when named in attributes; attributes / excludedAttributes (comma-separated paths,
 * either or none) as in RFC 7644 section 3.9; id, schemas and meta always. Returns a new object
 * or NULL (out of memory, or a malformed attribute list: *e then says invalidValue... ).
 */
struct json_object *scim_resource_project(const struct scim_resource_type *rt,
					  const struct json_object *stored, const char *attributes,
					  const char *excluded, struct scim_error *e);

/*
 * The default representation of a stored resource, kept with it in the store (schema 5) so that
 * a read without attributes or excludedAttributes is answered without JSON work. body is the
 * stored text (without id and meta), id the resource's; the result is exactly what json-c
 * prints (JSON_C_TO_STRING_PLAIN) for scim_resource_project(rt, full, NULL, NULL), where full
 * is body with id and meta, except that the meta member is left out: *meta_at is the byte
 * offset where scim_rep_meta()'s text goes (meta names the request's host). malloc()ed; NULL
 * when body does not parse as an object, or out of memory.
 */
char *scim_resource_rep(const struct scim_resource_type *rt, const char *id, const char *body,
			int64_t *meta_at);

/*
 * The meta member to put into a representation at its meta offset, as json-c prints it:
 * ,"meta":{"resourceType":...,"created":...,"lastModified":...,"location":...,"version":...}
 * (the values as given, escaped). Its length, or -1 when it does not fit in len bytes.
 */
int scim_rep_meta(char *buf, size_t len, const char *resource_type, const char *created,
		  const char *modified, const char *location, const char *version);

/*
 * What representations are made under: a fingerprint of the schema tables (attributes,
 * returned, mutability, the extensions of each type) and of the projection's format. A stored
 * representation of another tag is not used, and is made again on the registrar's start.
 */
int64_t scim_rep_tag(void);

/* s as json-c prints a string (JSON_C_TO_STRING_PLAIN: '/' too), without the quotes; -1: no room.
 */
int scim_json_escape(char *buf, size_t len, const char *s);

/* Discovery (RFC 7643 sections 5-7, RFC 7644 section 4); base is "https://host:port/scim/v2". */
struct json_object *scim_schema_json(const struct scim_schema *s, const char *base);
struct json_object *scim_resource_type_json(const struct scim_resource_type *rt, const char *base);
struct json_object *scim_service_provider_config_json(const char *base);

#endif /* TAO_SCIM_RESOURCE_H */
