// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Test helpers: the reference GET_INFO reply, bank entries, and the refusal check. */
#include "reply.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

struct nl_msg *reply_new(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, TEST_FAMILY, 0, 0,
				    TAO_CMD_GET_INFO, TAO_GENL_VERSION));
	return msg;
}

void reply_put_bank(struct nl_msg *msg, int alg, int digest_size)
{
	struct nlattr *entry = nla_nest_start(msg, TAO_A_PCR_BANKS_ENTRY);

	assert_non_null(entry);
	if (alg >= 0)
		assert_int_equal(nla_put_u16(msg, TAO_A_PCR_BANK_ALG, (uint16_t)alg), 0);
	if (digest_size >= 0)
		assert_int_equal(
			nla_put_u16(msg, TAO_A_PCR_BANK_DIGEST_SIZE, (uint16_t)digest_size), 0);
	assert_int_equal(nla_nest_end(msg, entry), 0);
}

static void put_u32(struct nl_msg *msg, unsigned int omit, int attr, uint32_t v)
{
	if (!(omit & OMIT(attr)))
		assert_int_equal(nla_put_u32(msg, attr, v), 0);
}

static void put_str(struct nl_msg *msg, unsigned int omit, int attr, const char *s)
{
	if (!(omit & OMIT(attr)))
		assert_int_equal(nla_put_string(msg, attr, s), 0);
}

struct nl_msg *reply_tpm2(unsigned int omit)
{
	struct nl_msg *msg = reply_new();

	put_str(msg, omit, TAO_A_MODULE_VERSION, REF_VERSION);
	put_u32(msg, omit, TAO_A_TPM_STATE, TAO_TPM_STATE_TPM2);
	put_str(msg, omit, TAO_A_TPM_DEVICE, REF_DEVICE);
	put_u32(msg, omit, TAO_A_TPM_MANUFACTURER, REF_MANUFACTURER);
	put_str(msg, omit, TAO_A_TPM_VENDOR_STRING, REF_VENDOR);
	put_u32(msg, omit, TAO_A_TPM_FW_VERSION_1, REF_FW1);
	put_u32(msg, omit, TAO_A_TPM_FW_VERSION_2, REF_FW2);
	put_u32(msg, omit, TAO_A_TPM_SPEC_REVISION, REF_REVISION);
	put_u32(msg, omit, TAO_A_TPM_SPEC_YEAR, REF_YEAR);
	put_u32(msg, omit, TAO_A_TPM_SPEC_DAY, REF_DAY);
	if (!(omit & OMIT(TAO_A_PCR_BANKS))) {
		struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);

		assert_non_null(banks);
		reply_put_bank(msg, ALG_SHA256, 32);
		reply_put_bank(msg, ALG_SHA1, 20);
		assert_int_equal(nla_nest_end(msg, banks), 0);
	}
	return msg;
}

void assert_reference_tpm2(const struct tao_info *info)
{
	assert_string_equal(info->module_version, REF_VERSION);
	assert_int_equal(info->genl_version, TAO_GENL_VERSION);
	assert_int_equal(info->tpm_state, TAO_TPM_STATE_TPM2);
	assert_string_equal(info->device, REF_DEVICE);
	assert_false(info->has_rc);
	assert_int_equal(info->tpm_rc, 0);
	assert_true(info->has_props);
	assert_int_equal(info->manufacturer, REF_MANUFACTURER);
	assert_string_equal(info->vendor, REF_VENDOR);
	assert_int_equal(info->fw1, REF_FW1);
	assert_int_equal(info->fw2, REF_FW2);
	assert_int_equal(info->spec_revision, REF_REVISION);
	assert_int_equal(info->spec_year, REF_YEAR);
	assert_int_equal(info->spec_day, REF_DAY);
	assert_int_equal(info->n_banks, 2);
	assert_int_equal(info->banks[0].alg, ALG_SHA256);
	assert_int_equal(info->banks[0].digest_size, 32);
	assert_int_equal(info->banks[1].alg, ALG_SHA1);
	assert_int_equal(info->banks[1].digest_size, 20);
}

void expect_refusal(struct nl_msg *msg, int rc, const char *errmsg)
{
	struct tao_info out, before;
	char err[TAO_ERRMSG_MAX];

	memset(&out, 0x5a, sizeof(out));
	memcpy(&before, &out, sizeof(out));
	assert_int_equal(tao_info_parse(nlmsg_hdr(msg), &out, err, sizeof(err)), rc);
	assert_string_equal(err, errmsg);
	assert_memory_equal(&out, &before, sizeof(out));
	nlmsg_free(msg);
}
