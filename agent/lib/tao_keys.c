// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* KEY_LIST messages and KEY_BIND replies: parsers and renderings. */
#include "tao_keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>

#include "tao_cleanup.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"
#include "tao_tpm_public.h"

static int get_handle(struct nlattr **tb, uint32_t *handle, struct tao_perr *e)
{
	int rc = tao_nla_require(tb, TAO_A_KEY_HANDLE, tao_attr_policy, "", e);

	if (rc)
		return rc;
	*handle = nla_get_u32(tb[TAO_A_KEY_HANDLE]);
	if (*handle < TAO_PERSISTENT_FIRST || *handle > TAO_PERSISTENT_LAST)
		return tao_fail(e, -EBADMSG,
				"TAO_A_KEY_HANDLE 0x%08" PRIx32 " is not a persistent handle",
				*handle);
	return 0;
}

static int get_role(struct nlattr *a, uint32_t *role, struct tao_perr *e)
{
	*role = nla_get_u32(a);
	if (*role < 1 || *role > TAO_KEY_ROLE_MAX)
		return tao_fail(e, -EBADMSG, "TAO_A_KEY_ROLE has unknown value %" PRIu32, *role);
	return 0;
}

static int get_name(struct nlattr *a, const char *what, uint8_t *name, size_t *len,
		    struct tao_perr *e)
{
	int rc = tao_tpm_name_check(nla_data(a), (size_t)nla_len(a), what, e->buf, e->len);

	if (rc)
		return rc;
	*len = (size_t)nla_len(a);
	memcpy(name, nla_data(a), *len);
	return 0;
}

static int parse_present(struct nlattr **tb, struct tao_key_entry *k, struct tao_perr *e)
{
	const char *status = tao_key_status_name(k->status);
	const uint8_t *pub;
	size_t size;

	if (k->status == TAO_KEY_STATUS_OK || k->status == TAO_KEY_STATUS_MISMATCH) {
		if (!tb[TAO_A_KEY_PUBLIC] || !tb[TAO_A_KEY_NAME])
			return tao_fail(e, -EBADMSG, "%s is missing for a key with status %s",
					tb[TAO_A_KEY_PUBLIC] ? "TAO_A_KEY_NAME"
							     : "TAO_A_KEY_PUBLIC",
					status);
		pub = nla_data(tb[TAO_A_KEY_PUBLIC]);
		k->public_len = (size_t)nla_len(tb[TAO_A_KEY_PUBLIC]);
		size = (size_t)pub[0] << 8 | pub[1];
		if (size != k->public_len - 2)
			return tao_fail(
				e, -EBADMSG,
				"TAO_A_KEY_PUBLIC is a TPM2B_PUBLIC of %zu bytes whose size "
				"says %zu",
				k->public_len - 2, size);
		memcpy(k->public_area, pub, k->public_len);
		return get_name(tb[TAO_A_KEY_NAME], "TAO_A_KEY_NAME", k->name, &k->name_len, e);
	}
	if (tb[TAO_A_KEY_PUBLIC] || tb[TAO_A_KEY_NAME])
		return tao_fail(e, -EBADMSG, "a key with status %s has %s", status,
				tb[TAO_A_KEY_PUBLIC] ? "TAO_A_KEY_PUBLIC" : "TAO_A_KEY_NAME");
	return 0;
}

static int parse_binding(struct nlattr **tb, struct tao_key_entry *k, struct tao_perr *e)
{
	const char *status = tao_key_status_name(k->status);
	bool same;
	int rc;

	if (!tb[TAO_A_KEY_ROLE]) {
		if (tb[TAO_A_KEY_BOUND_NAME])
			return tao_fail(e, -EBADMSG, "TAO_A_KEY_BOUND_NAME comes without a role");
		if (k->status == TAO_KEY_STATUS_MISMATCH || k->status == TAO_KEY_STATUS_MISSING)
			return tao_fail(e, -EBADMSG,
					"TAO_A_KEY_ROLE is missing for a key with status %s",
					status);
		return 0;
	}
	k->has_role = true;
	if ((rc = get_role(tb[TAO_A_KEY_ROLE], &k->role, e)))
		return rc;
	if (!tb[TAO_A_KEY_BOUND_NAME])
		return tao_fail(e, -EBADMSG, "TAO_A_KEY_BOUND_NAME is missing for a bound key");
	if ((rc = get_name(tb[TAO_A_KEY_BOUND_NAME], "TAO_A_KEY_BOUND_NAME", k->bound_name,
			   &k->bound_name_len, e)))
		return rc;
	if (!k->name_len)
		return 0;
	same = k->name_len == k->bound_name_len && memcmp(k->name, k->bound_name, k->name_len) == 0;
	if (k->status == TAO_KEY_STATUS_OK && !same)
		return tao_fail(e, -EBADMSG,
				"status ok, but TAO_A_KEY_NAME differs from TAO_A_KEY_BOUND_NAME");
	if (k->status == TAO_KEY_STATUS_MISMATCH && same)
		return tao_fail(e, -EBADMSG,
				"status mismatch, but TAO_A_KEY_NAME is TAO_A_KEY_BOUND_NAME");
	return 0;
}

int tao_key_entry_parse(struct nlmsghdr *nlh, struct tao_key_entry *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	TAO_CLEANUP(tao_freep) struct tao_key_entry *k = calloc(1, sizeof(*k));
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!k)
		return tao_fail(&e, -ENOMEM, "out of memory");
	if ((rc = tao_genl_parse(nlh, TAO_CMD_KEY_LIST, tb, &e)) ||
	    (rc = get_handle(tb, &k->handle, &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_KEY_STATUS, tao_attr_policy, "", &e)))
		return rc;
	k->status = nla_get_u32(tb[TAO_A_KEY_STATUS]);
	if (k->status > TAO_KEY_STATUS_MAX)
		return tao_fail(&e, -EBADMSG, "TAO_A_KEY_STATUS has unknown value %" PRIu32,
				k->status);
	if ((rc = parse_present(tb, k, &e)) || (rc = parse_binding(tb, k, &e)))
		return rc;
	*out = *k;
	return 0;
}

int tao_key_bind_parse(struct nlmsghdr *nlh, struct tao_key_bind_reply *out, char *err,
		       size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	struct tao_key_bind_reply b;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(&b, 0, sizeof(b));
	if ((rc = tao_genl_parse(nlh, TAO_CMD_KEY_BIND, tb, &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_KEY_ROLE, tao_attr_policy, "", &e)) ||
	    (rc = get_role(tb[TAO_A_KEY_ROLE], &b.role, &e)) ||
	    (rc = get_handle(tb, &b.handle, &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_KEY_NAME, tao_attr_policy, "", &e)) ||
	    (rc = get_name(tb[TAO_A_KEY_NAME], "TAO_A_KEY_NAME", b.name, &b.name_len, &e)))
		return rc;
	if (tb[TAO_A_EVENT_SEQ]) {
		b.measured = true;
		b.seq = nla_get_u32(tb[TAO_A_EVENT_SEQ]);
	}
	*out = b;
	return 0;
}

/* "ecc nist_p256", or NULL when the public area is no RSA or ECC key libtao can read. */
static const char *describe(const struct tao_key_entry *k, char *buf, size_t len)
{
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *pub = malloc(sizeof(*pub));

	if (!pub || tao_tpm2b_public_parse(k->public_area, k->public_len, pub, NULL, 0) < 0)
		return NULL;
	return tao_tpm_public_describe(pub, buf, len);
}

struct json_object *tao_key_entry_to_json(const struct tao_key_entry *k)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	char desc[32];
	const char *key;

	if (!obj || !tao_json_put(obj, "handle", tao_json_hex32(k->handle, 8)) ||
	    !tao_json_put(obj, "status", json_object_new_string(tao_key_status_name(k->status))))
		return NULL;
	if (k->has_role &&
	    !tao_json_put(obj, "role", json_object_new_string(tao_role_name(k->role))))
		return NULL;
	if (k->public_len) {
		key = describe(k, desc, sizeof(desc));
		if (json_object_object_add(obj, "key", key ? json_object_new_string(key) : NULL) <
			    0 ||
		    !tao_json_put(obj, "name", tao_json_hex_bytes(k->name, k->name_len)))
			return NULL;
	}
	if (k->has_role &&
	    !tao_json_put(obj, "bound_name", tao_json_hex_bytes(k->bound_name, k->bound_name_len)))
		return NULL;
	if (k->public_len &&
	    !tao_json_put(obj, "public", tao_json_hex_bytes(k->public_area, k->public_len)))
		return NULL;
	return tao_steal_ptr(&obj);
}

#define LINE_FMT "%-10s  %-10s  %-6s  %-14s  %s\n"

int tao_key_print_header(FILE *f)
{
	fprintf(f, LINE_FMT, "HANDLE", "STATUS", "ROLE", "KEY", "NAME");
	return ferror(f) ? -EIO : 0;
}

int tao_key_entry_print(FILE *f, const struct tao_key_entry *k)
{
	char handle[12], desc[32], name[2 * TAO_TPM_NAME_MAX + 1] = "-";
	const char *key = "-";

	snprintf(handle, sizeof(handle), "0x%08" PRIx32, k->handle);
	if (k->public_len) {
		key = describe(k, desc, sizeof(desc));
		if (!key)
			key = "?";
		tao_hex_encode(k->name, k->name_len, name);
	} else if (k->has_role) {
		tao_hex_encode(k->bound_name, k->bound_name_len, name);
	}
	fprintf(f, LINE_FMT, handle, tao_key_status_name(k->status),
		k->has_role ? tao_role_name(k->role) : "-", key, name);
	return ferror(f) ? -EIO : 0;
}

struct json_object *tao_key_bind_to_json(const struct tao_key_bind_reply *b)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj || !tao_json_put(obj, "role", json_object_new_string(tao_role_name(b->role))) ||
	    !tao_json_put(obj, "handle", tao_json_hex32(b->handle, 8)) ||
	    !tao_json_put(obj, "name", tao_json_hex_bytes(b->name, b->name_len)))
		return NULL;
	if (b->measured && !tao_json_put(obj, "seq", json_object_new_int64(b->seq)))
		return NULL;
	return tao_steal_ptr(&obj);
}
