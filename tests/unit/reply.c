// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Test helpers: the reference GET_INFO reply, bank entries, and the refusal check. */
#include "reply.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
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

static void put_u32(struct nl_msg *msg, unsigned long long omit, int attr, uint32_t v)
{
	if (!(omit & OMIT(attr)))
		assert_int_equal(nla_put_u32(msg, attr, v), 0);
}

static void put_str(struct nl_msg *msg, unsigned long long omit, int attr, const char *s)
{
	if (!(omit & OMIT(attr)))
		assert_int_equal(nla_put_string(msg, attr, s), 0);
}

void reply_put_digests(struct nl_msg *msg, int attr, int n, const int (*d)[3])
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	assert_non_null(nest);
	for (int i = 0; i < n; i++) {
		struct nlattr *entry = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);
		unsigned char value[64];

		assert_true(d[i][1] <= (int)sizeof(value));
		memset(value, d[i][2], sizeof(value));
		assert_non_null(entry);
		assert_int_equal(nla_put_u16(msg, TAO_A_DIGEST_ALG, (uint16_t)d[i][0]), 0);
		assert_int_equal(nla_put(msg, TAO_A_DIGEST_VALUE, d[i][1], value), 0);
		assert_int_equal(nla_nest_end(msg, entry), 0);
	}
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

void reply_put_stats(struct nl_msg *msg, unsigned long long omit)
{
	struct nlattr *nest = nla_nest_start(msg, TAO_A_STATS);

	assert_non_null(nest);
	if (!(omit & OMIT(TAO_A_STAT_MEASURE)))
		assert_int_equal(nla_put_u64(msg, TAO_A_STAT_MEASURE, REF_STAT_MEASURE), 0);
	if (!(omit & OMIT(TAO_A_STAT_QUOTE)))
		assert_int_equal(nla_put_u64(msg, TAO_A_STAT_QUOTE, REF_STAT_QUOTE), 0);
	if (!(omit & OMIT(TAO_A_STAT_TPM_ERRORS)))
		assert_int_equal(nla_put_u64(msg, TAO_A_STAT_TPM_ERRORS, REF_STAT_TPM_ERRORS), 0);
	if (!(omit & OMIT(TAO_A_STAT_LOG_FULL)))
		assert_int_equal(nla_put_u64(msg, TAO_A_STAT_LOG_FULL, REF_STAT_LOG_FULL), 0);
	if (!(omit & OMIT(TAO_A_STAT_KEY_MISMATCH)))
		assert_int_equal(nla_put_u64(msg, TAO_A_STAT_KEY_MISMATCH, REF_STAT_KEY_MISMATCH),
				 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

struct nl_msg *reply_tpm2(unsigned long long omit)
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
	put_u32(msg, omit, TAO_A_LOG_PCR, REF_LOG_PCR);
	put_u32(msg, omit, TAO_A_LOG_ENTRIES, REF_LOG_ENTRIES);
	if (!(omit & OMIT(TAO_A_LOG_BYTES)))
		assert_int_equal(nla_put_u64(msg, TAO_A_LOG_BYTES, REF_LOG_BYTES), 0);
	if (!(omit & OMIT(TAO_A_LOG_MAX_BYTES)))
		assert_int_equal(nla_put_u64(msg, TAO_A_LOG_MAX_BYTES, REF_LOG_MAX), 0);
	if (!(omit & OMIT(TAO_A_LOG_PCR_AT_LOAD))) {
		static const int zeros[][3] = { { ALG_SHA256, 32, 0 }, { ALG_SHA1, 20, 0 } };

		reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 2, zeros);
	}
	if (!(omit & OMIT(TAO_A_STATS)))
		reply_put_stats(msg, 0);
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
	assert_true(info->has_log);
	assert_int_equal(info->log_pcr, REF_LOG_PCR);
	assert_int_equal(info->log_entries, REF_LOG_ENTRIES);
	assert_int_equal(info->log_bytes, REF_LOG_BYTES);
	assert_int_equal(info->log_max_bytes, REF_LOG_MAX);
	assert_int_equal(info->stats.measure, REF_STAT_MEASURE);
	assert_int_equal(info->stats.quote, REF_STAT_QUOTE);
	assert_int_equal(info->stats.tpm_errors, REF_STAT_TPM_ERRORS);
	assert_int_equal(info->stats.log_full, REF_STAT_LOG_FULL);
	assert_int_equal(info->stats.key_mismatch, REF_STAT_KEY_MISMATCH);
	assert_true(info->has_pcr_at_load);
	assert_int_equal(info->pcr_at_load.n, 2);
	assert_int_equal(info->pcr_at_load.d[0].alg, ALG_SHA256);
	assert_int_equal(info->pcr_at_load.d[0].size, 32);
	assert_int_equal(info->pcr_at_load.d[1].alg, ALG_SHA1);
	assert_int_equal(info->pcr_at_load.d[1].size, 20);
	for (int i = 0; i < 32; i++)
		assert_int_equal(info->pcr_at_load.d[0].bytes[i], 0);
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

uint8_t *vector_load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = malloc(65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open test vector %s", path);
	assert_non_null(buf);
	*len = fread(buf, 1, 65536, f);
	assert_false(ferror(f));
	assert_true(*len < 65536);
	fclose(f);
	return buf;
}
