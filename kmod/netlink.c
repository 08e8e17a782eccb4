// SPDX-License-Identifier: GPL-2.0
/*
 * The "tao" generic netlink family: policies, request parsing, replies and
 * events. The contract is documented in include/uapi/linux/tao.h; the work
 * is done in core.c.
 */

#include <linux/slab.h>
#include <net/genetlink.h>
#include "compat.h"

#include <linux/tao.h>
#include "core.h"
#include "log.h"
#include "netlink.h"
#include "tpm.h"
#include "version.h"

static struct genl_family tao_genl_family;

enum tao_mcgrp { TAO_MCGRP_EVENTS_IDX };

/* No entry is set: strict validation rejects every attribute. */
static const struct nla_policy tao_no_attr_policy[TAO_A_MAX + 1];

static const struct nla_policy tao_pcr_sel_policy[TAO_A_PCR_MAX + 1] = {
	[TAO_A_PCR_ALG] = { .type = NLA_U16 },
	[TAO_A_PCR_MASK] = NLA_POLICY_MASK(NLA_U32, TAO_PCR_MASK_ALL),
};

static const struct nla_policy tao_pcr_sel_list_policy[TAO_A_PCR_SELECTION_MAX + 1] = {
	[TAO_A_PCR_SELECTION_ENTRY] = NLA_POLICY_NESTED(tao_pcr_sel_policy),
};

static const struct nla_policy tao_digest_policy[TAO_A_DIGEST_MAX + 1] = {
	[TAO_A_DIGEST_ALG] = { .type = NLA_U16 },
	[TAO_A_DIGEST_VALUE] = { .type = NLA_BINARY,
				 .len = TPM2_MAX_DIGEST_SIZE },
};

static const struct nla_policy tao_digests_policy[TAO_A_DIGESTS_MAX + 1] = {
	[TAO_A_DIGESTS_ENTRY] = NLA_POLICY_NESTED(tao_digest_policy),
};

static const struct nla_policy tao_pcr_read_policy[TAO_A_MAX + 1] = {
	[TAO_A_PCR_SELECTION] = NLA_POLICY_NESTED(tao_pcr_sel_list_policy),
};

static const struct nla_policy tao_measure_policy[TAO_A_MAX + 1] = {
	[TAO_A_EVENT_TYPE] = { .type = NLA_U32 },
	[TAO_A_EVENT_NAME] = { .type = NLA_NUL_STRING,
			       .len = TAO_EVENT_NAME_MAX },
	[TAO_A_EVENT_DATA] = { .type = NLA_BINARY,
			       .len = TAO_EVENT_DATA_MAX },
	[TAO_A_EVENT_DIGESTS] = NLA_POLICY_NESTED(tao_digests_policy),
};

static const struct nla_policy tao_log_get_policy[TAO_A_MAX + 1] = {
	[TAO_A_LOG_START] = { .type = NLA_U32 },
};

/* Not const: 6.1 declares the policy's range pointer without it. */
static struct netlink_range_validation tao_handle_range = {
	.min = TAO_PERSISTENT_FIRST,
	.max = TAO_PERSISTENT_LAST,
};

static const struct nla_policy tao_key_bind_policy[TAO_A_MAX + 1] = {
	[TAO_A_KEY_ROLE] = NLA_POLICY_RANGE(NLA_U32, 1, TAO_KEY_ROLE_MAX),
	[TAO_A_KEY_HANDLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &tao_handle_range),
};

static const struct nla_policy tao_quote_policy[TAO_A_MAX + 1] = {
	[TAO_A_KEY_ROLE] = NLA_POLICY_RANGE(NLA_U32, 1, TAO_KEY_ROLE_MAX),
	[TAO_A_QUOTE_NONCE] = { .type = NLA_BINARY,
				.len = TAO_QUOTE_NONCE_MAX },
	[TAO_A_PCR_SELECTION] = NLA_POLICY_NESTED(tao_pcr_sel_list_policy),
};

static const struct nla_policy tao_random_policy[TAO_A_MAX + 1] = {
	[TAO_A_RANDOM_LEN] = NLA_POLICY_RANGE(NLA_U32, 1, TAO_RANDOM_MAX),
};

/*
 * A TPM response code becomes an errno; the code itself travels in the
 * extended ACK's cookie, most significant byte first.
 */
static int tao_nl_err(struct netlink_ext_ack *extack, int rc)
{
	if (rc <= 0)
		return rc;
	atomic64_inc(&tao_stats.tpm_errors);
	NL_SET_ERR_MSG(extack, "TPM refused the command");
	if (extack) {
		put_unaligned_be32(rc, extack->cookie);
		extack->cookie_len = 4;
	}
	return tao_tpm_rc_errno(rc);
}

static struct tpm_chip *tao_nl_chip(struct netlink_ext_ack *extack)
{
	struct tpm_chip *chip;
	u32 state;

	chip = tao_core_chip(&state);
	if (!chip)
		NL_SET_ERR_MSG(extack, "no TPM 2.0 is available");
	return chip;
}

/* Parses TAO_A_PCR_SELECTION, or makes the default from mask. */
static int tao_nl_selection(struct tpm_chip *chip, struct nlattr *attr,
			    u32 default_mask, struct tao_pcr_sel *sel,
			    unsigned int *nsel, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TAO_A_PCR_MAX + 1], *e;
	unsigned int i, j, n = 0;
	int rem, rc;

	if (!attr) {
		for (i = 0; i < chip->nr_allocated_banks; i++) {
			sel[i].alg = chip->allocated_banks[i].alg_id;
			sel[i].mask = default_mask;
		}
		*nsel = chip->nr_allocated_banks;
		return 0;
	}
	nla_for_each_nested(e, attr, rem) {
		if (n == TPM2_MAX_PCR_BANKS) {
			NL_SET_ERR_MSG_ATTR(extack, e, "too many banks selected");
			return -EINVAL;
		}
		rc = nla_parse_nested(tb, TAO_A_PCR_MAX, e, tao_pcr_sel_policy,
				      extack);
		if (rc)
			return rc;
		if (!tb[TAO_A_PCR_ALG] || !tb[TAO_A_PCR_MASK]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "a selection needs a bank and a mask");
			return -EINVAL;
		}
		sel[n].alg = nla_get_u16(tb[TAO_A_PCR_ALG]);
		sel[n].mask = nla_get_u32(tb[TAO_A_PCR_MASK]);
		if (!sel[n].mask) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_PCR_MASK],
					    "empty PCR mask");
			return -EINVAL;
		}
		for (j = 0; j < chip->nr_allocated_banks; j++)
			if (chip->allocated_banks[j].alg_id == sel[n].alg)
				break;
		if (j == chip->nr_allocated_banks) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_PCR_ALG],
					    "PCR bank is not active in this TPM");
			return -EINVAL;
		}
		for (j = 0; j < n; j++)
			if (sel[j].alg == sel[n].alg) {
				NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_PCR_ALG],
						    "PCR bank selected twice");
				return -EINVAL;
			}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "empty PCR selection");
		return -EINVAL;
	}
	*nsel = n;
	return 0;
}

static int tao_put_values(struct sk_buff *msg, const struct tao_pcr_val *v,
			  unsigned int n)
{
	struct nlattr *all, *one;
	unsigned int i;

	all = nla_nest_start(msg, TAO_A_PCR_VALUES);
	if (!all)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		one = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);
		if (!one || nla_put_u16(msg, TAO_A_PCR_ALG, v[i].alg) ||
		    nla_put_u32(msg, TAO_A_PCR_INDEX, v[i].index) ||
		    nla_put(msg, TAO_A_PCR_DIGEST, v[i].size, v[i].digest))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, all);
	return 0;
}

/* Digests in log bank order, as a TAO_A_DIGESTS_ENTRY nest. */
static int tao_put_digests(struct sk_buff *msg, int attr, const u8 *digests)
{
	const struct tao_bank *banks;
	struct nlattr *all, *one;
	unsigned int nb, i;

	nb = tao_log_banks(&banks);
	all = nla_nest_start(msg, attr);
	if (!all)
		return -EMSGSIZE;
	for (i = 0; i < nb; i++) {
		one = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);
		if (!one || nla_put_u16(msg, TAO_A_DIGEST_ALG, banks[i].alg) ||
		    nla_put(msg, TAO_A_DIGEST_VALUE, banks[i].size,
			    digests + tao_log_digest_offset(i)))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, all);
	return 0;
}

/*
 * A new event message for the multicast group, or NULL when nobody listens
 * (or memory is short: events are a courtesy, the log is the record).
 */
static struct sk_buff *tao_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&tao_genl_family, &init_net,
				TAO_MCGRP_EVENTS_IDX))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &tao_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends a filled event, or drops it when filling failed (fill_rc). */
static void tao_event_send(struct sk_buff *msg, void *hdr, int fill_rc)
{
	if (fill_rc) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&tao_genl_family, msg, 0, TAO_MCGRP_EVENTS_IDX,
			  GFP_KERNEL);
}

static void tao_notify_measured(u32 seq, u32 type, const char *name)
{
	struct sk_buff *msg;
	void *hdr;

	msg = tao_event_new(TAO_CMD_EVENT_MEASURED, &hdr);
	if (msg)
		tao_event_send(msg, hdr,
			       nla_put_u32(msg, TAO_A_EVENT_SEQ, seq) ||
			       nla_put_u32(msg, TAO_A_EVENT_TYPE, type) ||
			       nla_put_string(msg, TAO_A_EVENT_NAME, name));
}

static void tao_notify_bound(u32 role, const struct tao_binding *b)
{
	struct sk_buff *msg;
	void *hdr;

	msg = tao_event_new(TAO_CMD_EVENT_KEY_BOUND, &hdr);
	if (msg)
		tao_event_send(msg, hdr,
			       nla_put_u32(msg, TAO_A_KEY_ROLE, role) ||
			       nla_put_u32(msg, TAO_A_KEY_HANDLE, b->handle) ||
			       nla_put(msg, TAO_A_KEY_NAME, b->name_len, b->name));
}

/* ---- GET_INFO ---- */

static int tao_put_banks(struct sk_buff *msg, struct tpm_chip *chip)
{
	struct nlattr *banks, *bank;
	u32 i;

	banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
	if (!banks)
		return -EMSGSIZE;
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		bank = nla_nest_start(msg, TAO_A_PCR_BANKS_ENTRY);
		if (!bank ||
		    nla_put_u16(msg, TAO_A_PCR_BANK_ALG,
				chip->allocated_banks[i].alg_id) ||
		    nla_put_u16(msg, TAO_A_PCR_BANK_DIGEST_SIZE,
				chip->allocated_banks[i].digest_size))
			return -EMSGSIZE;
		nla_nest_end(msg, bank);
	}
	nla_nest_end(msg, banks);
	return 0;
}

static int tao_put_props(struct sk_buff *msg, const struct tao_tpm_props *p)
{
	if (nla_put_u32(msg, TAO_A_TPM_MANUFACTURER, p->manufacturer) ||
	    nla_put_string(msg, TAO_A_TPM_VENDOR_STRING, p->vendor) ||
	    nla_put_u32(msg, TAO_A_TPM_FW_VERSION_1, p->fw1) ||
	    nla_put_u32(msg, TAO_A_TPM_FW_VERSION_2, p->fw2) ||
	    nla_put_u32(msg, TAO_A_TPM_SPEC_REVISION, p->revision) ||
	    nla_put_u32(msg, TAO_A_TPM_SPEC_YEAR, p->year) ||
	    nla_put_u32(msg, TAO_A_TPM_SPEC_DAY, p->day))
		return -EMSGSIZE;
	return 0;
}

static int tao_put_stats(struct sk_buff *msg)
{
	struct nlattr *nest = nla_nest_start(msg, TAO_A_STATS);

	if (!nest ||
	    nla_put_u64_64bit(msg, TAO_A_STAT_MEASURE,
			      atomic64_read(&tao_stats.measure), TAO_A_STAT_PAD) ||
	    nla_put_u64_64bit(msg, TAO_A_STAT_QUOTE,
			      atomic64_read(&tao_stats.quote), TAO_A_STAT_PAD) ||
	    nla_put_u64_64bit(msg, TAO_A_STAT_TPM_ERRORS,
			      atomic64_read(&tao_stats.tpm_errors),
			      TAO_A_STAT_PAD) ||
	    nla_put_u64_64bit(msg, TAO_A_STAT_LOG_FULL,
			      atomic64_read(&tao_stats.log_full),
			      TAO_A_STAT_PAD) ||
	    nla_put_u64_64bit(msg, TAO_A_STAT_KEY_MISMATCH,
			      atomic64_read(&tao_stats.key_mismatch),
			      TAO_A_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int tao_put_log_info(struct sk_buff *msg)
{
	if (nla_put_u32(msg, TAO_A_LOG_PCR, tao_log_pcr()) ||
	    nla_put_u32(msg, TAO_A_LOG_ENTRIES, tao_log_entries()) ||
	    nla_put_u64_64bit(msg, TAO_A_LOG_BYTES, tao_log_bytes(),
			      TAO_A_PAD) ||
	    nla_put_u64_64bit(msg, TAO_A_LOG_MAX_BYTES, tao_log_max_bytes(),
			      TAO_A_PAD))
		return -EMSGSIZE;
	if (tao_log_started() &&
	    tao_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, tao_log_pcr_at_load()))
		return -EMSGSIZE;
	return tao_put_stats(msg);
}

static int tao_fill_info(struct sk_buff *msg, struct tpm_chip *chip,
			 u32 state)
{
	struct tao_tpm_props props;
	int rc;

	if (nla_put_string(msg, TAO_A_MODULE_VERSION, TAO_VERSION) ||
	    nla_put_u32(msg, TAO_A_TPM_STATE, state))
		return -EMSGSIZE;
	rc = tao_put_log_info(msg);
	if (rc || state != TAO_TPM_STATE_TPM2)
		return rc;

	if (nla_put_string(msg, TAO_A_TPM_DEVICE, dev_name(&chip->dev)))
		return -EMSGSIZE;
	rc = tao_put_banks(msg, chip);
	if (rc)
		return rc;

	rc = tao_tpm_get_props(chip, &props);
	if (!rc)
		return tao_put_props(msg, &props);

	/* A TPM that will not answer is reported, not a failed request. */
	pr_warn_ratelimited("reading TPM properties failed: %d\n", rc);
	return nla_put_u32(msg, TAO_A_TPM_RC, rc > 0 ? rc : 0) ? -EMSGSIZE : 0;
}

static int tao_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct tpm_chip *chip;
	struct sk_buff *msg;
	void *hdr;
	u32 state;
	int rc;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0,
				TAO_CMD_GET_INFO);
	if (!hdr) {
		rc = -EMSGSIZE;
		goto err_msg;
	}

	chip = tao_core_chip(&state);
	rc = tao_fill_info(msg, chip, state);
	tao_tpm_put(chip);
	if (rc) {
		GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		goto err_msg;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return rc;
}

/* ---- PCR_READ ---- */

static int tao_nl_pcr_read(struct sk_buff *skb, struct genl_info *info)
{
	struct tao_pcr_sel sel[TPM2_MAX_PCR_BANKS];
	struct tao_pcr_val *vals = NULL;
	unsigned int nsel, nvals = 0;
	struct tpm_chip *chip;
	struct sk_buff *msg;
	u32 counter;
	void *hdr;
	int rc;

	chip = tao_nl_chip(info->extack);
	if (!chip)
		return -ENODEV;
	rc = tao_nl_selection(chip, info->attrs[TAO_A_PCR_SELECTION],
			      TAO_PCR_MASK_ALL, sel, &nsel, info->extack);
	if (!rc)
		rc = tao_nl_err(info->extack,
				tao_core_pcr_read(chip, sel, nsel, &vals,
						  &nvals, &counter));
	tao_tpm_put(chip);
	if (rc)
		return rc;

	msg = genlmsg_new(nvals * 96 + 256, GFP_KERNEL);
	rc = -ENOMEM;
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0,
				TAO_CMD_PCR_READ);
	rc = -EMSGSIZE;
	if (!hdr || tao_put_values(msg, vals, nvals) ||
	    nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, counter)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out:
	kfree(vals);
	return rc;
}

/* ---- MEASURE ---- */

static int tao_nl_digests(struct nlattr *attr, u8 *out,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TAO_A_DIGEST_MAX + 1], *e;
	const struct tao_bank *banks;
	unsigned int nb, seen = 0;
	int rem, rc, i;

	nb = tao_log_banks(&banks);
	nla_for_each_nested(e, attr, rem) {
		rc = nla_parse_nested(tb, TAO_A_DIGEST_MAX, e,
				      tao_digest_policy, extack);
		if (rc)
			return rc;
		if (!tb[TAO_A_DIGEST_ALG] || !tb[TAO_A_DIGEST_VALUE]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "a digest needs a bank and a value");
			return -EINVAL;
		}
		i = tao_log_bank_index(nla_get_u16(tb[TAO_A_DIGEST_ALG]));
		if (i < 0) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_DIGEST_ALG],
					    "PCR bank is not active in this TPM");
			return -EINVAL;
		}
		if (seen & BIT(i)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_DIGEST_ALG],
					    "digest given twice for a bank");
			return -EINVAL;
		}
		if (nla_len(tb[TAO_A_DIGEST_VALUE]) != banks[i].size) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TAO_A_DIGEST_VALUE],
					    "digest size does not match its bank");
			return -EINVAL;
		}
		memcpy(out + tao_log_digest_offset(i),
		       nla_data(tb[TAO_A_DIGEST_VALUE]), banks[i].size);
		seen |= BIT(i);
	}
	if (seen != BIT(nb) - 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a digest is needed for every active bank");
		return -EINVAL;
	}
	return 0;
}

static int tao_nl_measure(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name_attr, *data = info->attrs[TAO_A_EVENT_DATA];
	struct nlattr *digests = info->attrs[TAO_A_EVENT_DIGESTS];
	struct netlink_ext_ack *extack = info->extack;
	struct tpm_chip *chip;
	u8 *dig = NULL;
	struct sk_buff *msg;
	const char *name;
	size_t name_len, i;
	u32 type, seq;
	void *hdr;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, TAO_A_EVENT_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, TAO_A_EVENT_NAME))
		return -EINVAL;
	type = nla_get_u32(info->attrs[TAO_A_EVENT_TYPE]);
	if (type >= TAO_EVENT_MODULE_BASE) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TAO_A_EVENT_TYPE],
				    "event types from 0xffff0000 are the module's own");
		return -EINVAL;
	}
	name_attr = info->attrs[TAO_A_EVENT_NAME];
	name = nla_data(name_attr);
	name_len = strlen(name);
	for (i = 0; i < name_len; i++)
		if (name[i] < 0x20 || name[i] == 0x7f)
			break;
	if (!name_len || i < name_len) {
		NL_SET_ERR_MSG_ATTR(extack, name_attr,
				    "event name must be 1..255 printable bytes");
		return -EINVAL;
	}
	if (!!data == !!digests) {
		NL_SET_ERR_MSG(extack, "give either event data or digests");
		return -EINVAL;
	}

	chip = tao_nl_chip(extack);
	if (!chip)
		return -ENODEV;
	if (!tao_log_started()) {
		NL_SET_ERR_MSG(extack, "the measurement log is not running (see dmesg)");
		rc = -EOPNOTSUPP;
		goto out_chip;
	}
	if (digests) {
		const struct tao_bank *banks;

		dig = kmalloc(tao_log_digest_offset(tao_log_banks(&banks)),
			      GFP_KERNEL);
		rc = -ENOMEM;
		if (!dig)
			goto out_chip;
		rc = tao_nl_digests(digests, dig, extack);
		if (rc)
			goto out_chip;
	}
	rc = tao_core_measure(chip, type, name, name_len,
			      data ? nla_data(data) : NULL,
			      data ? nla_len(data) : 0, !!data, dig, &seq);
	if (rc == -ENOSPC)
		NL_SET_ERR_MSG(extack, "the measurement log is full");
	rc = tao_nl_err(extack, rc);
	if (rc)
		goto out_chip;
	tao_notify_measured(seq, type, name);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	rc = -ENOMEM;
	if (!msg)
		goto out_chip;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0,
				TAO_CMD_MEASURE);
	if (!hdr || nla_put_u32(msg, TAO_A_EVENT_SEQ, seq)) {
		nlmsg_free(msg);
		rc = -EMSGSIZE;
		goto out_chip;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out_chip:
	kfree(dig);
	tao_tpm_put(chip);
	return rc;
}

/* ---- LOG_GET ---- */

struct tao_log_dump {
	struct tao_log_cursor cur;
};

static int tao_nl_log_start(struct netlink_callback *cb)
{
	struct tao_log_dump *ctx = (void *)cb->ctx;
	struct nlattr *attrs[TAO_A_MAX + 1];
	struct tpm_chip *chip;
	u32 state;
	int rc;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	memset(ctx, 0, sizeof(*ctx));
	/*
	 * The core validated the request already; parsing it here again
	 * keeps this file free of the 6.2 change to struct genl_dumpit_info.
	 */
	rc = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, TAO_A_MAX,
			 tao_log_get_policy, cb->extack);
	if (rc)
		return rc;
	if (attrs[TAO_A_LOG_START])
		ctx->cur.seq = nla_get_u32(attrs[TAO_A_LOG_START]);
	chip = tao_core_chip(&state);
	tao_tpm_put(chip);
	if (!tao_log_started()) {
		NL_SET_ERR_MSG(cb->extack, "the measurement log is not running");
		return -ENODEV;
	}
	/* The largest entry must fit in one message. */
	cb->min_dump_alloc = TAO_EVENT_DATA_MAX + TAO_EVENT_NAME_MAX + 1024;
	return 0;
}

static int tao_put_name(struct sk_buff *skb, const struct tao_log_entry *e)
{
	struct nlattr *a = nla_reserve(skb, TAO_A_EVENT_NAME, e->name_len + 1);

	if (!a)
		return -EMSGSIZE;
	memcpy(nla_data(a), e->name, e->name_len);
	((char *)nla_data(a))[e->name_len] = '\0';
	return 0;
}

static int tao_put_entry(struct sk_buff *skb, struct netlink_callback *cb,
			 const struct tao_log_entry *e)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tao_genl_family, NLM_F_MULTI, TAO_CMD_LOG_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TAO_A_EVENT_SEQ, e->seq) ||
	    nla_put_u32(skb, TAO_A_LOG_PCR, tao_log_pcr()) ||
	    nla_put_u32(skb, TAO_A_EVENT_TYPE, e->type) ||
	    tao_put_name(skb, e) ||
	    tao_put_digests(skb, TAO_A_EVENT_DIGESTS, e->digests) ||
	    (e->has_data &&
	     nla_put(skb, TAO_A_EVENT_DATA, e->data_len, e->data))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tao_nl_log_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tao_log_dump *ctx = (void *)cb->ctx;
	struct tao_log_cursor next;
	struct tao_log_entry e;
	int rc = 0, n = 0;

	tao_log_read_lock();
	for (;;) {
		next = ctx->cur;
		if (tao_log_read(&next, &e))
			break;
		rc = tao_put_entry(skb, cb, &e);
		if (rc)
			break;
		ctx->cur = next;
		n++;
	}
	tao_log_read_unlock();
	if (rc && !n)
		return rc;
	return skb->len;
}

/* ---- KEY_BIND, KEY_LIST ---- */

static int tao_nl_key_bind(struct sk_buff *skb, struct genl_info *info)
{
	struct tao_binding b;
	struct tpm_chip *chip;
	struct sk_buff *msg;
	u32 role, handle, seq = 0;
	bool measured;
	void *hdr;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, TAO_A_KEY_ROLE) ||
	    GENL_REQ_ATTR_CHECK(info, TAO_A_KEY_HANDLE))
		return -EINVAL;
	role = nla_get_u32(info->attrs[TAO_A_KEY_ROLE]);
	handle = nla_get_u32(info->attrs[TAO_A_KEY_HANDLE]);

	chip = tao_nl_chip(info->extack);
	if (!chip)
		return -ENODEV;
	rc = tao_core_key_bind(chip, role, handle, &b, &measured, &seq);
	tao_tpm_put(chip);
	if (rc == -EPROTO)
		NL_SET_ERR_MSG(info->extack,
			       "the TPM's Name of the key does not match its public area");
	else if (rc == -EOPNOTSUPP)
		NL_SET_ERR_MSG(info->extack, "the measurement log is not running");
	rc = tao_nl_err(info->extack, rc);
	if (rc)
		return rc;
	if (measured) {
		tao_notify_measured(seq, TAO_EVENT_KEY_BIND, "key-bind");
		tao_notify_bound(role, &b);
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0,
				TAO_CMD_KEY_BIND);
	if (!hdr || nla_put_u32(msg, TAO_A_KEY_ROLE, role) ||
	    nla_put_u32(msg, TAO_A_KEY_HANDLE, b.handle) ||
	    nla_put(msg, TAO_A_KEY_NAME, b.name_len, b.name) ||
	    (measured && nla_put_u32(msg, TAO_A_EVENT_SEQ, seq))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct tao_key_dump {
	struct tao_key_item *items;
	unsigned int n;
	unsigned int next;
};

static int tao_nl_key_start(struct netlink_callback *cb)
{
	struct tao_key_dump *ctx = (void *)cb->ctx;
	struct tpm_chip *chip;
	int rc;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	memset(ctx, 0, sizeof(*ctx));
	chip = tao_nl_chip(cb->extack);
	if (!chip)
		return -ENODEV;
	rc = tao_core_key_list(chip, &ctx->items, &ctx->n);
	tao_tpm_put(chip);
	return tao_nl_err(cb->extack, rc);
}

/* TAO_A_KEY_PUBLIC is a whole TPM2B_PUBLIC: the size, then TPMT_PUBLIC. */
static int tao_put_public(struct sk_buff *skb, const struct tao_key_item *k)
{
	struct nlattr *a = nla_reserve(skb, TAO_A_KEY_PUBLIC, k->pub_len + 2);

	if (!a)
		return -EMSGSIZE;
	put_unaligned_be16(k->pub_len, nla_data(a));
	memcpy((u8 *)nla_data(a) + 2, k->pub, k->pub_len);
	return 0;
}

static int tao_nl_key_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tao_key_dump *ctx = (void *)cb->ctx;
	const struct tao_key_item *k;
	void *hdr;

	for (; ctx->next < ctx->n; ctx->next++) {
		k = &ctx->items[ctx->next];
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &tao_genl_family,
				  NLM_F_MULTI, TAO_CMD_KEY_LIST);
		if (!hdr)
			break;
		if (nla_put_u32(skb, TAO_A_KEY_HANDLE, k->handle) ||
		    nla_put_u32(skb, TAO_A_KEY_STATUS, k->status) ||
		    (k->pub_len && tao_put_public(skb, k)) ||
		    (k->name_len &&
		     nla_put(skb, TAO_A_KEY_NAME, k->name_len, k->name)) ||
		    (k->role && nla_put_u32(skb, TAO_A_KEY_ROLE, k->role)) ||
		    (k->role && nla_put(skb, TAO_A_KEY_BOUND_NAME,
					k->bound_name_len, k->bound_name))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	return skb->len;
}

static int tao_nl_key_done(struct netlink_callback *cb)
{
	struct tao_key_dump *ctx = (void *)cb->ctx;

	kvfree(ctx->items);
	ctx->items = NULL;
	return 0;
}

/* ---- QUOTE ---- */

static int tao_nl_quote(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nonce = info->attrs[TAO_A_QUOTE_NONCE];
	struct tao_pcr_sel sel[TPM2_MAX_PCR_BANKS];
	struct netlink_ext_ack *extack = info->extack;
	u32 role = TAO_KEY_ROLE_IAK;
	struct tao_quote *q = NULL;
	struct tpm_chip *chip;
	struct sk_buff *msg;
	unsigned int nsel;
	void *hdr;
	int rc;

	if (info->attrs[TAO_A_KEY_ROLE])
		role = nla_get_u32(info->attrs[TAO_A_KEY_ROLE]);
	chip = tao_nl_chip(extack);
	if (!chip)
		return -ENODEV;
	rc = tao_nl_selection(chip, info->attrs[TAO_A_PCR_SELECTION],
			      BIT(tao_log_pcr()), sel, &nsel, extack);
	if (rc)
		goto out;
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	rc = -ENOMEM;
	if (!q)
		goto out;
	rc = tao_core_quote(chip, role, nonce ? nla_data(nonce) : NULL,
			    nonce ? nla_len(nonce) : 0, sel, nsel, q);
	if (rc == -ENOKEY)
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TAO_A_KEY_ROLE],
				    "no key is bound to the role, or it was removed");
	else if (rc == -EKEYREJECTED)
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TAO_A_KEY_ROLE],
				    "the key at the bound handle is not the bound key, or cannot sign");
	rc = tao_nl_err(extack, rc);
	if (rc)
		goto out;

	msg = genlmsg_new(q->attest_len + q->sig_len + q->nvals * 96 +
			  TPM2_MAX_PCR_BANKS * (TPM2_MAX_DIGEST_SIZE + 16) + 512,
			  GFP_KERNEL);
	rc = -ENOMEM;
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0, TAO_CMD_QUOTE);
	if (!hdr ||
	    nla_put(msg, TAO_A_QUOTE_ATTEST, q->attest_len, q->attest) ||
	    nla_put(msg, TAO_A_QUOTE_SIGNATURE, q->sig_len, q->sig) ||
	    tao_put_values(msg, q->vals, q->nvals) ||
	    nla_put_u32(msg, TAO_A_LOG_ENTRIES, q->entries) ||
	    nla_put_u32(msg, TAO_A_KEY_ROLE, role) ||
	    nla_put_u32(msg, TAO_A_KEY_HANDLE, q->key.handle) ||
	    nla_put(msg, TAO_A_KEY_NAME, q->key.name_len, q->key.name) ||
	    nla_put_u32(msg, TAO_A_LOG_PCR, tao_log_pcr()) ||
	    (tao_log_started() &&
	     tao_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, tao_log_pcr_at_load()))) {
		nlmsg_free(msg);
		rc = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out:
	if (q)
		kfree(q->vals);
	kfree(q);
	tao_tpm_put(chip);
	return rc;
}

/* ---- GET_RANDOM ---- */

static int tao_nl_get_random(struct sk_buff *skb, struct genl_info *info)
{
	u8 buf[TAO_RANDOM_MAX];
	struct tpm_chip *chip;
	struct sk_buff *msg;
	void *hdr;
	u32 len;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, TAO_A_RANDOM_LEN))
		return -EINVAL;
	len = nla_get_u32(info->attrs[TAO_A_RANDOM_LEN]);
	chip = tao_nl_chip(info->extack);
	if (!chip)
		return -ENODEV;
	rc = tao_tpm_random(chip, buf, len);
	tao_tpm_put(chip);
	rc = tao_nl_err(info->extack, rc);
	if (rc)
		goto out;

	msg = genlmsg_new(len + 128, GFP_KERNEL);
	rc = -ENOMEM;
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tao_genl_family, 0,
				TAO_CMD_GET_RANDOM);
	if (!hdr || nla_put(msg, TAO_A_RANDOM, len, buf)) {
		nlmsg_free(msg);
		rc = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out:
	memzero_explicit(buf, sizeof(buf));
	return rc;
}

/*
 * Reads are open to every user; whatever extends the PCR, binds a key, or
 * spends the TPM's signing and RNG time needs CAP_NET_ADMIN in the initial
 * user namespace (GENL_ADMIN_PERM). See docs/kernel-module.md.
 */
static const struct genl_ops tao_genl_ops[] = {
	{
		.cmd = TAO_CMD_GET_INFO,
		.doit = tao_nl_get_info,
		.policy = tao_no_attr_policy,
		.maxattr = TAO_A_MAX,
	},
	{
		.cmd = TAO_CMD_PCR_READ,
		.doit = tao_nl_pcr_read,
		.policy = tao_pcr_read_policy,
		.maxattr = TAO_A_MAX,
	},
	{
		.cmd = TAO_CMD_MEASURE,
		.doit = tao_nl_measure,
		.policy = tao_measure_policy,
		.maxattr = TAO_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TAO_CMD_LOG_GET,
		.start = tao_nl_log_start,
		.dumpit = tao_nl_log_dump,
		.policy = tao_log_get_policy,
		.maxattr = TAO_A_MAX,
	},
	{
		.cmd = TAO_CMD_KEY_LIST,
		.start = tao_nl_key_start,
		.dumpit = tao_nl_key_dump,
		.done = tao_nl_key_done,
		.policy = tao_no_attr_policy,
		.maxattr = TAO_A_MAX,
	},
	{
		.cmd = TAO_CMD_KEY_BIND,
		.doit = tao_nl_key_bind,
		.policy = tao_key_bind_policy,
		.maxattr = TAO_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TAO_CMD_QUOTE,
		.doit = tao_nl_quote,
		.policy = tao_quote_policy,
		.maxattr = TAO_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TAO_CMD_GET_RANDOM,
		.doit = tao_nl_get_random,
		.policy = tao_random_policy,
		.maxattr = TAO_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tao_mcgrps[] = {
	[TAO_MCGRP_EVENTS_IDX] = {
		.name = TAO_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

static struct genl_family tao_genl_family __ro_after_init = {
	.name = TAO_GENL_NAME,
	.version = TAO_GENL_VERSION,
	.maxattr = TAO_A_MAX,
	/* The TPM is host-wide: no access from other network namespaces. */
	.netnsok = false,
	/* TPM commands can take seconds; never hold the global genl_mutex. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = tao_genl_ops,
	.n_ops = ARRAY_SIZE(tao_genl_ops),
	.mcgrps = tao_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tao_mcgrps),
};

int __init tao_genl_init(void)
{
	return genl_register_family(&tao_genl_family);
}

void tao_genl_exit(void)
{
	genl_unregister_family(&tao_genl_family);
}
