/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Keys: the messages of TAO_CMD_KEY_LIST and the reply of TAO_CMD_KEY_BIND, their strict
 * parsers and renderings.
 */
#ifndef TAO_KEYS_H
#define TAO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tao_limits.h"

struct nlmsghdr;
struct json_object;

/* One KEY_LIST message: a persistent key, or a bound role whose key is gone. */
struct tao_key_entry {
	uint32_t handle; /* TAO_PERSISTENT_FIRST..TAO_PERSISTENT_LAST */
	uint32_t status; /* enum tao_key_status */
	bool has_role;	 /* a bound key (one message per role) */
	uint32_t role;	 /* enum tao_key_role */
	/* TPM2B_PUBLIC as the TPM returned it (with its size), and the TPM's Name: present for
	 * TAO_KEY_STATUS_OK and _MISMATCH (public_len, name_len 0 otherwise). */
	size_t public_len;
	uint8_t public_area[TAO_TPM2B_PUBLIC_MAX];
	size_t name_len;
	uint8_t name[TAO_TPM_NAME_MAX];
	/* The Name recorded at bind time: exactly when has_role. */
	size_t bound_name_len;
	uint8_t bound_name[TAO_TPM_NAME_MAX];
};

/*
 * Parse one TAO_CMD_KEY_LIST dump message; as tao_info_parse(). Besides each attribute, the
 * combination is checked: a key that is there (status ok or mismatch) has its public area (a
 * well-formed TPM2B) and Name, a missing or unreadable one has neither; a role comes with the
 * Name bound to it and vice versa; mismatch and missing need a role; for status ok the Names
 * agree, for mismatch they differ.
 */
int tao_key_entry_parse(struct nlmsghdr *nlh, struct tao_key_entry *out, char *err, size_t errlen);

/* The reply of TAO_CMD_KEY_BIND. */
struct tao_key_bind_reply {
	uint32_t role, handle;
	size_t name_len;
	uint8_t name[TAO_TPM_NAME_MAX];
	bool measured; /* the binding changed and was logged as entry seq */
	uint32_t seq;
};

/* Parse a TAO_CMD_KEY_BIND reply; as tao_info_parse(). */
int tao_key_bind_parse(struct nlmsghdr *nlh, struct tao_key_bind_reply *out, char *err,
		       size_t errlen);

/*
 * {"handle": "0x81000001", "status": "ok", "role": "iak", "key": "ecc nist_p256",
 *  "name": "hex", "bound_name": "hex", "public": "hex"}: role and bound_name for bound keys,
 * key, name and public when the key is there ("key" is null for a public area that is not an
 * RSA or ECC key). NULL without memory.
 */
struct json_object *tao_key_entry_to_json(const struct tao_key_entry *k);

/* The column headings matching tao_key_entry_print(). */
int tao_key_print_header(FILE *f);

/* One line: handle, status, role ("-" if none), key type, Name in hex. */
int tao_key_entry_print(FILE *f, const struct tao_key_entry *k);

/* {"role": "iak", "handle": "0x81000001", "name": "hex", "seq": 4}; seq only if measured. */
struct json_object *tao_key_bind_to_json(const struct tao_key_bind_reply *b);

#endif /* TAO_KEYS_H */
