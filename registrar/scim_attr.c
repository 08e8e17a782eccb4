// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Attribute lookup in a resource type's schemas, and the common attributes (RFC 7643 3.1). */
#include "scim_schema.h"

#include <strings.h>

static const char *const meta_resource_type[] = { NULL };

static const struct scim_attr meta_sub[] = {
	{ .name = "resourceType",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The name of the resource type of the resource" },
	{ .name = "created",
	  .type = SCIM_DATETIME,
	  .mutability = SCIM_READ_ONLY,
	  .description = "When the resource was added to the service provider" },
	{ .name = "lastModified",
	  .type = SCIM_DATETIME,
	  .mutability = SCIM_READ_ONLY,
	  .description = "When the resource was last changed" },
	{ .name = "location",
	  .type = SCIM_REFERENCE,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .reference_types = meta_resource_type,
	  .description = "The URI of the resource" },
	{ .name = "version",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The version (ETag) of the resource" },
};

static const struct scim_attr common[] = {
	{ .name = "id",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .returned = SCIM_RETURNED_ALWAYS,
	  .uniqueness = SCIM_UNIQUE_SERVER,
	  .description = "The service provider's unique identifier of the resource" },
	{ .name = "externalId",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .description = "An identifier of the resource defined by the client" },
	{ .name = "meta",
	  .type = SCIM_COMPLEX,
	  .mutability = SCIM_READ_ONLY,
	  .description = "Resource metadata",
	  .sub = meta_sub,
	  .n_sub = sizeof(meta_sub) / sizeof(meta_sub[0]) },
};

const struct scim_attr *scim_common_attrs(size_t *n)
{
	*n = sizeof(common) / sizeof(common[0]);
	return common;
}

const struct scim_attr *scim_sub_find(const struct scim_attr *complex, const char *name)
{
	if (!complex || complex->type != SCIM_COMPLEX)
		return NULL;
	for (size_t i = 0; i < complex->n_sub; i++)
		if (strcasecmp(complex->sub[i].name, name) == 0)
			return &complex->sub[i];
	return NULL;
}

const struct scim_schema *scim_rt_schema(const struct scim_resource_type *rt, const char *urn)
{
	if (strcasecmp(rt->schema->id, urn) == 0)
		return rt->schema;
	for (size_t i = 0; i < rt->n_extensions; i++)
		if (strcasecmp(rt->extensions[i].schema->id, urn) == 0)
			return rt->extensions[i].schema;
	return NULL;
}

static const struct scim_attr *in_schema(const struct scim_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n_attrs; i++)
		if (strcasecmp(s->attrs[i].name, name) == 0)
			return &s->attrs[i];
	return NULL;
}

const struct scim_attr *scim_attr_find(const struct scim_resource_type *rt, const char *urn,
				       const char *name, const char *sub,
				       const struct scim_schema **schema)
{
	const struct scim_schema *s = NULL;
	const struct scim_attr *a = NULL;

	if (schema)
		*schema = NULL;
	if (urn) {
		s = scim_rt_schema(rt, urn);
		if (!s)
			return NULL;
		a = in_schema(s, name);
	} else {
		for (size_t i = 0; i < sizeof(common) / sizeof(common[0]) && !a; i++)
			if (strcasecmp(common[i].name, name) == 0)
				a = &common[i];
		if (!a) {
			s = rt->schema;
			a = in_schema(s, name);
		}
	}
	if (!a)
		return NULL;
	if (sub) {
		a = scim_sub_find(a, sub);
		if (!a)
			return NULL;
	}
	if (schema)
		*schema = s;
	return a;
}
