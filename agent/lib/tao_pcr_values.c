// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* PCR values (TAO_A_PCR_VALUES): parser, the PCR_READ reply, JSON and human renderings. */
#include "tao_pcr_values.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>

#include "tao_cleanup.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"

#define P(attr, k, lo, hi) [attr] = { .name = #attr, .kind = (k), .min = (lo), .max = (hi) }

static const struct tao_nla_policy value_policy[TAO_A_PCR_MAX + 1] = {
	P(TAO_A_PCR_ALG, TAO_NLA_U16, 0, 0),
	P(TAO_A_PCR_MASK, TAO_NLA_UNCHECKED, 0, 0), /* selections only */
	P(TAO_A_PCR_INDEX, TAO_NLA_U32, 0, 0),
	P(TAO_A_PCR_DIGEST, TAO_NLA_BINARY, 1, TAO_MAX_DIGEST_SIZE),
};

static const int value_attrs[] = { TAO_A_PCR_ALG, TAO_A_PCR_INDEX, TAO_A_PCR_DIGEST };

/* The parse in progress: values as they come, and the banks seen so far. */
struct parse_ctx {
	struct tao_pcr_values *raw;
	size_t n_banks;
	struct {
		uint16_t alg;
		uint8_t size;
		uint32_t seen; /* PCRs already listed */
	} banks[TAO_MAX_PCR_BANKS];
};

static int parse_entry(struct nlattr *entry, size_t index, void *arg, struct tao_perr *e)
{
	struct parse_ctx *ctx = arg;
	struct nlattr *tb[TAO_A_PCR_MAX + 1];
	struct tao_pcr_value *v = &ctx->raw->v[index];
	unsigned int want;
	uint32_t pcr;
	char where[48];
	size_t b;
	int rc;

	snprintf(where, sizeof(where), "TAO_A_PCR_VALUES entry %zu: ", index + 1);
	rc = tao_nla_parse_nested(tb, TAO_A_PCR_MAX, entry, value_policy, where, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(value_attrs) / sizeof(value_attrs[0]); i++) {
		rc = tao_nla_require(tb, value_attrs[i], value_policy, where, e);
		if (rc)
			return rc;
	}
	v->alg = nla_get_u16(tb[TAO_A_PCR_ALG]);
	pcr = nla_get_u32(tb[TAO_A_PCR_INDEX]);
	if (pcr >= TAO_PCR_COUNT)
		return tao_fail(e, -EBADMSG, "%sPCR index %u is outside 0..%d", where, pcr,
				TAO_PCR_COUNT - 1);
	v->index = (uint8_t)pcr;
	v->size = (uint8_t)nla_len(tb[TAO_A_PCR_DIGEST]);
	want = tao_alg_digest_size(v->alg);
	if (want && v->size != want)
		return tao_fail(e, -EBADMSG, "%s%s digest is %u bytes long, expected %u", where,
				tao_alg_name(v->alg), v->size, want);
	for (b = 0; b < ctx->n_banks; b++)
		if (ctx->banks[b].alg == v->alg)
			break;
	if (b == ctx->n_banks) {
		if (b == TAO_MAX_PCR_BANKS)
			return tao_fail(e, -EBADMSG, "%smore than %d banks", where,
					TAO_MAX_PCR_BANKS);
		ctx->banks[b].alg = v->alg;
		ctx->banks[b].size = v->size;
		ctx->banks[b].seen = 0;
		ctx->n_banks++;
	}
	if (ctx->banks[b].size != v->size)
		return tao_fail(e, -EBADMSG, "%sbank 0x%04x has digests of %u and %u bytes", where,
				v->alg, ctx->banks[b].size, v->size);
	if (ctx->banks[b].seen & (1u << pcr))
		return tao_fail(e, -EBADMSG, "%sPCR %u of bank 0x%04x is listed twice", where, pcr,
				v->alg);
	ctx->banks[b].seen |= 1u << pcr;
	memcpy(v->digest, nla_data(tb[TAO_A_PCR_DIGEST]), v->size);
	return 0;
}

int tao_pcr_values_parse(struct nlattr *nest, struct tao_pcr_values *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	/* The values as they come, sorted into out once all is well. */
	TAO_CLEANUP(tao_freep) struct tao_pcr_values *raw = malloc(sizeof(*raw));
	struct parse_ctx ctx = { .raw = raw };
	size_t n;
	int rc;

	if (!raw)
		return tao_fail(&e, -ENOMEM, "out of memory");
	rc = tao_nla_for_each_entry(nest, TAO_A_PCR_VALUES_ENTRY, TAO_MAX_PCR_VALUES,
				    "TAO_A_PCR_VALUES", parse_entry, &ctx, &raw->n, &e);
	if (rc)
		return rc;
	if (raw->n == 0)
		return tao_fail(&e, -EBADMSG, "TAO_A_PCR_VALUES has no entries");
	/* Sort: banks in order of appearance, then index. */
	n = 0;
	for (size_t b = 0; b < ctx.n_banks; b++)
		for (unsigned int pcr = 0; pcr < TAO_PCR_COUNT; pcr++) {
			if (!(ctx.banks[b].seen & (1u << pcr)))
				continue;
			for (size_t i = 0; i < raw->n; i++)
				if (raw->v[i].alg == ctx.banks[b].alg && raw->v[i].index == pcr) {
					out->v[n++] = raw->v[i];
					break;
				}
		}
	out->n = n;
	return 0;
}

int tao_pcr_read_parse(struct nlmsghdr *nlh, struct tao_pcr_read *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = tao_genl_parse(nlh, TAO_CMD_PCR_READ, tb, &e);
	if (rc)
		return rc;
	if ((rc = tao_nla_require(tb, TAO_A_PCR_VALUES, tao_attr_policy, "", &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_PCR_UPDATE_COUNTER, tao_attr_policy, "", &e)))
		return rc;
	rc = tao_pcr_values_parse(tb[TAO_A_PCR_VALUES], &out->values, err, errlen);
	if (rc)
		return rc;
	out->update_counter = nla_get_u32(tb[TAO_A_PCR_UPDATE_COUNTER]);
	return 0;
}

const struct tao_pcr_value *tao_pcr_values_find(const struct tao_pcr_values *v, uint16_t alg,
						unsigned int index)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].alg == alg && v->v[i].index == index)
			return &v->v[i];
	return NULL;
}

void tao_pcr_values_selection(const struct tao_pcr_values *v, struct tao_pcr_selection *sel)
{
	memset(sel, 0, sizeof(*sel));
	for (size_t i = 0; i < v->n; i++) {
		size_t b;

		for (b = 0; b < sel->n; b++)
			if (sel->banks[b].alg == v->v[i].alg)
				break;
		if (b == sel->n) {
			if (b == TAO_MAX_PCR_BANKS)
				continue; /* the parser allows no more */
			sel->banks[b].alg = v->v[i].alg;
			sel->n++;
		}
		sel->banks[b].mask |= 1u << v->v[i].index;
	}
}

int tao_pcr_values_check(const struct tao_pcr_values *v, const struct tao_pcr_selection *sel,
			 char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_pcr_selection have;
	char key[8];

	tao_pcr_values_selection(v, &have);
	for (size_t i = 0; i < sel->n; i++) {
		uint32_t got = 0;

		for (size_t j = 0; j < have.n; j++)
			if (have.banks[j].alg == sel->banks[i].alg)
				got = have.banks[j].mask;
		for (unsigned int pcr = 0; pcr < 32; pcr++)
			if ((sel->banks[i].mask & (1u << pcr)) && !(got & (1u << pcr)))
				return tao_fail(&e, -EBADMSG, "the reply lacks PCR %u of bank %s",
						pcr, tao_json_bank_key(sel->banks[i].alg, key));
	}
	for (size_t j = 0; j < have.n; j++) {
		uint32_t want = 0;

		for (size_t i = 0; i < sel->n; i++)
			if (sel->banks[i].alg == have.banks[j].alg)
				want = sel->banks[i].mask;
		for (unsigned int pcr = 0; pcr < 32; pcr++)
			if ((have.banks[j].mask & (1u << pcr)) && !(want & (1u << pcr)))
				return tao_fail(&e, -EBADMSG,
						"the reply has PCR %u of bank %s, which was not "
						"selected",
						pcr, tao_json_bank_key(have.banks[j].alg, key));
	}
	return 0;
}

struct json_object *tao_pcr_values_to_json(const struct tao_pcr_values *v)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *root = json_object_new_object();
	struct json_object *bank = NULL;
	uint16_t bank_alg = 0;

	if (!root)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		char key[8], idx[4];

		if (!bank || v->v[i].alg != bank_alg) {
			bank = json_object_new_object();
			bank_alg = v->v[i].alg;
			if (!tao_json_put(root, tao_json_bank_key(bank_alg, key), bank))
				return NULL;
		}
		snprintf(idx, sizeof(idx), "%u", v->v[i].index);
		if (!tao_json_put(bank, idx, tao_json_hex_bytes(v->v[i].digest, v->v[i].size)))
			return NULL;
	}
	return tao_steal_ptr(&root);
}

int tao_pcr_values_print(FILE *f, const struct tao_pcr_values *v)
{
	for (size_t i = 0; i < v->n; i++) {
		char hex[2 * TAO_MAX_DIGEST_SIZE + 1], key[8];

		if (i == 0 || v->v[i].alg != v->v[i - 1].alg)
			fprintf(f, "%s:\n", tao_json_bank_key(v->v[i].alg, key));
		fprintf(f, "  %2u: %s\n", v->v[i].index,
			tao_hex_encode(v->v[i].digest, v->v[i].size, hex));
	}
	return ferror(f) ? -EIO : 0;
}
