// SPDX-License-Identifier: GPL-2.0
/*
 * The "tao" generic netlink family: policies, handlers and replies. The
 * contract is documented in include/uapi/linux/tao.h.
 */

#include <net/genetlink.h>

#include <linux/tao.h>
#include "netlink.h"
#include "tpm.h"
#include "version.h"

static struct genl_family tao_genl_family;

/* No entry is set: strict validation rejects every attribute. */
static const struct nla_policy tao_no_attr_policy[TAO_A_MAX + 1];

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

static int tao_fill_info(struct sk_buff *msg, struct tpm_chip *chip,
			 u32 state)
{
	struct tao_tpm_props props;
	int rc;

	if (nla_put_string(msg, TAO_A_MODULE_VERSION, TAO_VERSION) ||
	    nla_put_u32(msg, TAO_A_TPM_STATE, state))
		return -EMSGSIZE;
	if (state != TAO_TPM_STATE_TPM2)
		return 0;

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

	chip = tao_tpm_get(&state);
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

static const struct genl_ops tao_genl_ops[] = {
	{
		.cmd = TAO_CMD_GET_INFO,
		.doit = tao_nl_get_info,
		.policy = tao_no_attr_policy,
		.maxattr = TAO_A_MAX,
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
};

int __init tao_genl_init(void)
{
	return genl_register_family(&tao_genl_family);
}

void tao_genl_exit(void)
{
	genl_unregister_family(&tao_genl_family);
}
