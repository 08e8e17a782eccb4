// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Digest lists (nests of TAO_A_DIGESTS_ENTRY): parser, encoder and command-line syntax. */
#include "tao_digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <json-c/json.h>

#include "tao_cleanup.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"

#define P(attr, k, lo, hi) [attr] = { .name = #attr, .kind = (k), .min = (lo), .max = (hi) }

static const struct tao_nla_policy digest_policy[TAO_A_DIGEST_MAX + 1] = {
	P(TAO_A_DIGEST_ALG, TAO_NLA_U16, 0, 0),
	P(TAO_A_DIGEST_VALUE, TAO_NLA_BINARY, 1, TAO_MAX_DIGEST_SIZE),
};

const struct tao_digest *tao_digest_list_find(const struct tao_digest_list *l, uint16_t alg)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->d[i].alg == alg)
			return &l->d[i];
	return NULL;
}

struct parse_ctx {
	const char *what;
	struct tao_digest_list *list;
};

static int parse_entry(struct nlattr *entry, size_t index, void *arg, struct tao_perr *e)
{
	struct parse_ctx *ctx = arg;
	struct nlattr *tb[TAO_A_DIGEST_MAX + 1];
	struct tao_digest *d = &ctx->list->d[index];
	unsigned int want;
	char where[64];
	int rc;

	snprintf(where, sizeof(where), "%s entry %zu: ", ctx->what, index + 1);
	rc = tao_nla_parse_nested(tb, TAO_A_DIGEST_MAX, entry, digest_policy, where, e);
	if (rc)
		return rc;
	for (int t = 1; t <= TAO_A_DIGEST_MAX; t++) {
		rc = tao_nla_require(tb, t, digest_policy, where, e);
		if (rc)
			return rc;
	}
	d->alg = nla_get_u16(tb[TAO_A_DIGEST_ALG]);
	d->size = (uint16_t)nla_len(tb[TAO_A_DIGEST_VALUE]);
	want = tao_alg_digest_size(d->alg);
	if (want && d->size != want)
		return tao_fail(e, -EBADMSG, "%s%s digest is %u bytes long, expected %u", where,
				tao_alg_name(d->alg), d->size, want);
	for (size_t i = 0; i < index; i++)
		if (ctx->list->d[i].alg == d->alg)
			return tao_fail(e, -EBADMSG, "%salgorithm 0x%04x is listed twice", where,
					d->alg);
	memcpy(d->bytes, nla_data(tb[TAO_A_DIGEST_VALUE]), d->size);
	return 0;
}

int tao_digest_list_parse(struct nlattr *nest, const char *what, struct tao_digest_list *out,
			  char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_digest_list list;
	struct parse_ctx ctx = { what, &list };
	int rc;

	memset(&list, 0, sizeof(list));
	rc = tao_nla_for_each_entry(nest, TAO_A_DIGESTS_ENTRY, TAO_MAX_PCR_BANKS, what, parse_entry,
				    &ctx, &list.n, &e);
	if (rc)
		return rc;
	if (list.n == 0)
		return tao_fail(&e, -EBADMSG, "%s has no entries", what);
	*out = list;
	return 0;
}

int tao_digest_list_put(struct nl_msg *msg, int attrtype, const struct tao_digest_list *l)
{
	struct nlattr *nest = nla_nest_start(msg, attrtype);

	if (!nest)
		return -EMSGSIZE;
	for (size_t i = 0; i < l->n; i++) {
		struct nlattr *entry = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);

		if (!entry || nla_put_u16(msg, TAO_A_DIGEST_ALG, l->d[i].alg) < 0 ||
		    nla_put(msg, TAO_A_DIGEST_VALUE, l->d[i].size, l->d[i].bytes) < 0)
			return -EMSGSIZE;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, nest);
	return 0;
}

int tao_digest_parse_arg(const char *arg, struct tao_digest *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	const char *colon = strchr(arg, ':');
	struct tao_digest d = { 0 };
	char bank[16];
	unsigned int want;
	int n;

	if (!colon)
		return tao_fail(&e, -EINVAL, "digest '%s' is not BANK:HEX", arg);
	if ((size_t)(colon - arg) >= sizeof(bank) || colon == arg)
		return tao_fail(&e, -EINVAL, "digest '%s' has no valid bank name before ':'", arg);
	memcpy(bank, arg, (size_t)(colon - arg));
	bank[colon - arg] = '\0';
	if (tao_alg_from_name(bank, &d.alg) < 0)
		return tao_fail(&e, -EINVAL, "unknown PCR bank '%s'", bank);
	want = tao_alg_digest_size(d.alg);
	n = tao_hex_decode(colon + 1, d.bytes, sizeof(d.bytes));
	if (n == -EINVAL)
		return tao_fail(&e, -EINVAL, "%s digest is not an even number of hex digits", bank);
	if (n < 0 || (unsigned int)n != want)
		return tao_fail(&e, -EINVAL, "%s digest must be %u bytes (%u hex digits)", bank,
				want, 2 * want);
	d.size = (uint16_t)n;
	*out = d;
	return 0;
}

struct json_object *tao_digest_list_to_json(const struct tao_digest_list *l)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		char key[8];

		if (!tao_json_put(obj, tao_json_bank_key(l->d[i].alg, key),
				  tao_json_hex_bytes(l->d[i].bytes, l->d[i].size)))
			return NULL;
	}
	return tao_steal_ptr(&obj);
}
