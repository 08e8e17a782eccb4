/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SCIM 2.0 schemas as data (RFC 7643 section 7): the attribute characteristics that drive
 * validation, mutability, `returned`, filtering and PATCH — one table per schema, no special
 * cases elsewhere. The registrar's schemas: RFC 9944's Device and EndpointApp with their
 * extensions, and tao's attestation extension.
 */
#ifndef TAO_SCIM_SCHEMA_H
#define TAO_SCIM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/*
 * tao's attestation extension of Device (docs/scim.md). "urn:ietf:params:scim:..." is IANA's
 * and "urn:tao:" is no registered namespace, so the project uses an experimental ("x-") one.
 */
#define SCIM_TAO_ATTESTATION_URN "urn:x-tao:scim:schemas:extension:attestation:1.0:Device"

enum scim_type {
	SCIM_STRING,
	SCIM_BOOLEAN,
	SCIM_DECIMAL,
	SCIM_INTEGER,
	SCIM_DATETIME,
	SCIM_BINARY,
	SCIM_REFERENCE,
	SCIM_COMPLEX,
};

enum scim_mutability {
	SCIM_READ_WRITE = 0, /* the default */
	SCIM_READ_ONLY,
	SCIM_IMMUTABLE,
	SCIM_WRITE_ONLY,
};

enum scim_returned {
	SCIM_RETURNED_DEFAULT = 0,
	SCIM_RETURNED_ALWAYS,
	SCIM_RETURNED_NEVER,
	SCIM_RETURNED_REQUEST,
};

enum scim_uniqueness {
	SCIM_UNIQUE_NONE = 0,
	SCIM_UNIQUE_SERVER,
	SCIM_UNIQUE_GLOBAL,
};

struct scim_attr {
	const char *name;
	enum scim_type type;
	bool multi_valued;
	bool required;
	bool case_exact;
	enum scim_mutability mutability;
	enum scim_returned returned;
	enum scim_uniqueness uniqueness;
	const char *description;
	const char *const *canonical_values; /* NULL-terminated, or NULL */
	const char *const *reference_types;  /* NULL-terminated, or NULL */
	/*
	 * An extra value check beyond the type (RFC 9944 MAC address forms, passkey digits);
	 * NULL: none. Returns true when the value is acceptable.
	 */
	bool (*check)(const struct json_object *value);
	const struct scim_attr *sub; /* sub-attributes of a complex attribute */
	size_t n_sub;
};

struct scim_schema {
	const char *id; /* the URN */
	const char *name;
	const char *description;
	const struct scim_attr *attrs;
	size_t n_attrs;
};

struct scim_extension_ref {
	const struct scim_schema *schema;
	bool required;
};

struct scim_resource_type {
	const char *id;	      /* "Device" */
	const char *name;     /* "Device" */
	const char *endpoint; /* "/Devices" */
	const char *description;
	const struct scim_schema *schema; /* the core schema */
	const struct scim_extension_ref *extensions;
	size_t n_extensions;
};

/* The registrar's schemas and resource types (static data). */
const struct scim_schema *scim_schema_find(const char *urn); /* case-insensitive; NULL */
const struct scim_schema *const *scim_schemas(size_t *n);
const struct scim_resource_type *scim_resource_type_find(const char *id);
const struct scim_resource_type *const *scim_resource_types(size_t *n);

/*
 * (scim_attr.c) An attribute of a resource type by a path's parts: urn (NULL: the core schema's
 * attributes and the common ones, id, externalId, meta), name, and sub (NULL for the attribute
 * itself). Case-insensitive (RFC 7644 section 3.10). Returns the attribute (and its schema in
 * *schema, NULL for a common attribute) or NULL.
 */
const struct scim_attr *scim_attr_find(const struct scim_resource_type *rt, const char *urn,
				       const char *name, const char *sub,
				       const struct scim_schema **schema);

/* A sub-attribute of a complex attribute (case-insensitive), or NULL. */
const struct scim_attr *scim_sub_find(const struct scim_attr *complex, const char *name);

/* The schema of rt with this URN (the core one or an extension; case-insensitive), or NULL. */
const struct scim_schema *scim_rt_schema(const struct scim_resource_type *rt, const char *urn);

/* The common attributes of every resource (RFC 7643 section 3.1): id, externalId, meta. */
const struct scim_attr *scim_common_attrs(size_t *n);

#endif /* TAO_SCIM_SCHEMA_H */
