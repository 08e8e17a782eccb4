// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for tao_info_parse(): good replies, forward compatibility, and every refusal. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "reply.h"
#include "tao_info.h"

static int parse(struct nl_msg *msg, struct tao_info *out)
{
	char err[TAO_ERRMSG_MAX] = "untouched";
	int rc = tao_info_parse(nlmsg_hdr(msg), out, err, sizeof(err));

	if (rc == 0)
		assert_string_equal(err, "");
	nlmsg_free(msg);
	return rc;
}

/* A reply carrying only the version and the state. */
static struct nl_msg *reply_state(uint32_t state)
{
	struct nl_msg *msg = reply_new();

	assert_int_equal(nla_put_string(msg, TAO_A_MODULE_VERSION, REF_VERSION), 0);
	assert_int_equal(nla_put_u32(msg, TAO_A_TPM_STATE, state), 0);
	return msg;
}

/* The reference reply with other banks, an empty log and no PCR-at-load values. */
static struct nl_msg *reply_other_banks(unsigned long long omit)
{
	struct nl_msg *msg = reply_tpm2(omit | OMIT(TAO_A_PCR_BANKS) | OMIT(TAO_A_LOG_ENTRIES) |
					OMIT(TAO_A_LOG_PCR_AT_LOAD));

	assert_int_equal(nla_put_u32(msg, TAO_A_LOG_ENTRIES, 0), 0);
	return msg;
}

/* The reference reply with its banks replaced by n entries of distinct algorithms. */
static struct nl_msg *reply_n_banks(int n)
{
	struct nl_msg *msg = reply_other_banks(0);
	struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);

	for (int i = 0; i < n; i++)
		reply_put_bank(msg, 0x100 + i, 32);
	nla_nest_end(msg, banks);
	return msg;
}

static void test_full_tpm2(void **state)
{
	struct tao_info info;

	(void)state;
	assert_int_equal(parse(reply_tpm2(0), &info), 0);
	assert_reference_tpm2(&info);
}

static void test_no_tpm(void **state)
{
	struct tao_info info;

	(void)state;
	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(parse(reply_state(TAO_TPM_STATE_NONE), &info), 0);
	assert_string_equal(info.module_version, REF_VERSION);
	assert_int_equal(info.tpm_state, TAO_TPM_STATE_NONE);
	assert_string_equal(info.device, "");
	assert_int_equal(info.n_banks, 0);
	assert_false(info.has_rc);
	assert_false(info.has_props);
}

static void test_tpm_rc(void **state)
{
	struct nl_msg *msg =
		reply_tpm2(OMIT(TAO_A_TPM_MANUFACTURER) | OMIT(TAO_A_TPM_VENDOR_STRING) |
			   OMIT(TAO_A_TPM_FW_VERSION_1) | OMIT(TAO_A_TPM_FW_VERSION_2) |
			   OMIT(TAO_A_TPM_SPEC_REVISION) | OMIT(TAO_A_TPM_SPEC_YEAR) |
			   OMIT(TAO_A_TPM_SPEC_DAY));
	struct tao_info info;

	(void)state;
	assert_int_equal(nla_put_u32(msg, TAO_A_TPM_RC, 0x101), 0);
	assert_int_equal(parse(msg, &info), 0);
	assert_int_equal(info.tpm_state, TAO_TPM_STATE_TPM2);
	assert_string_equal(info.device, REF_DEVICE);
	assert_true(info.has_rc);
	assert_int_equal(info.tpm_rc, 0x101);
	assert_false(info.has_props);
	assert_int_equal(info.manufacturer, 0);
	assert_string_equal(info.vendor, "");
	assert_int_equal(info.n_banks, 2);
}

/* Later module versions may add attributes anywhere; they must not disturb the parse. */
static void test_unknown_attributes_ignored(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	struct nlattr *banks, *entry;
	struct tao_info info;

	(void)state;
	assert_int_equal(nla_put_u64(msg, TAO_A_MAX + 1, 0x1122334455667788ull), 0);
	assert_int_equal(nla_put_string(msg, 200, "from the future"), 0);
	banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
	entry = nla_nest_start(msg, TAO_A_PCR_BANKS_ENTRY);
	nla_put_u16(msg, TAO_A_PCR_BANK_ALG, ALG_SHA256);
	nla_put_u16(msg, TAO_A_PCR_BANK_DIGEST_SIZE, 32);
	nla_put_u32(msg, TAO_A_PCR_BANK_MAX + 1, 7); /* unknown inside an entry */
	nla_nest_end(msg, entry);
	nla_put_u32(msg, TAO_A_PCR_BANKS_MAX + 1, 9); /* unknown inside the banks nest */
	reply_put_bank(msg, ALG_SHA1, 20);
	nla_nest_end(msg, banks);

	assert_int_equal(parse(msg, &info), 0);
	assert_reference_tpm2(&info);
}

/* Device, banks and properties are defined for a TPM 2.0 only; elsewhere they are ignored. */
static void test_tpm2_attributes_ignored_for_other_states(void **state)
{
	struct nl_msg *msg = reply_state(TAO_TPM_STATE_GONE);
	struct tao_info info;

	(void)state;
	nla_put_string(msg, TAO_A_TPM_DEVICE, "tpm0");
	nla_put_u32(msg, TAO_A_TPM_RC, 0x101);
	assert_int_equal(parse(msg, &info), 0);
	assert_int_equal(info.tpm_state, TAO_TPM_STATE_GONE);
	assert_string_equal(info.device, "");
	assert_false(info.has_rc);
}

static void test_limits_accepted(void **state)
{
	struct nl_msg *msg = reply_other_banks(OMIT(TAO_A_TPM_VENDOR_STRING));
	struct nlattr *banks;
	struct tao_info info;

	(void)state;
	/* 16 characters: the most four TPM words hold; a control byte is made printable. */
	nla_put_string(msg, TAO_A_TPM_VENDOR_STRING, "0123456789abc\tef");
	banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
	reply_put_bank(msg, 0x000d, 64); /* sha512: the largest digest */
	reply_put_bank(msg, 0x1234, 1);	 /* an algorithm we cannot name */
	nla_nest_end(msg, banks);
	assert_int_equal(parse(msg, &info), 0);
	assert_string_equal(info.vendor, "0123456789abc?ef");
	assert_int_equal(info.n_banks, 2);
	assert_int_equal(info.banks[0].digest_size, 64);
	assert_int_equal(info.banks[1].alg, 0x1234);
	assert_int_equal(info.banks[1].digest_size, 1);

	assert_int_equal(parse(reply_n_banks(TAO_MAX_PCR_BANKS), &info), 0);
	assert_int_equal(info.n_banks, TAO_MAX_PCR_BANKS);
	assert_int_equal(info.banks[TAO_MAX_PCR_BANKS - 1].alg, 0x100 + TAO_MAX_PCR_BANKS - 1);
}

static void test_error_buffer_optional(void **state)
{
	struct tao_info info, before;
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_TPM_STATE));

	(void)state;
	memset(&info, 0x5a, sizeof(info));
	memcpy(&before, &info, sizeof(info));
	assert_int_equal(tao_info_parse(nlmsg_hdr(msg), &info, NULL, 0), -EBADMSG);
	assert_memory_equal(&info, &before, sizeof(info));
	nlmsg_free(msg);
}

static void test_missing_state(void **state)
{
	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_TPM_STATE)), -EBADMSG, "TAO_A_TPM_STATE is missing");
}

static void test_missing_version(void **state)
{
	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_MODULE_VERSION)), -EBADMSG,
		       "TAO_A_MODULE_VERSION is missing");
}

static void test_wrong_length_u32(void **state)
{
	struct nl_msg *msg;

	(void)state;
	msg = reply_tpm2(OMIT(TAO_A_TPM_STATE));
	nla_put_u16(msg, TAO_A_TPM_STATE, TAO_TPM_STATE_TPM2);
	expect_refusal(msg, -EBADMSG, "TAO_A_TPM_STATE is 2 bytes long, expected 4");

	msg = reply_tpm2(OMIT(TAO_A_TPM_SPEC_YEAR));
	nla_put_u64(msg, TAO_A_TPM_SPEC_YEAR, REF_YEAR);
	expect_refusal(msg, -EBADMSG, "TAO_A_TPM_SPEC_YEAR is 8 bytes long, expected 4");
}

static void test_wrong_length_u16_in_bank(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
	struct nlattr *entry;

	(void)state;
	reply_put_bank(msg, ALG_SHA256, 32);
	entry = nla_nest_start(msg, TAO_A_PCR_BANKS_ENTRY);
	nla_put_u32(msg, TAO_A_PCR_BANK_ALG, ALG_SHA1);
	nla_put_u16(msg, TAO_A_PCR_BANK_DIGEST_SIZE, 20);
	nla_nest_end(msg, entry);
	nla_nest_end(msg, banks);
	expect_refusal(msg, -EBADMSG,
		       "PCR bank entry 2: TAO_A_PCR_BANK_ALG is 4 bytes long, expected 2");
}

static void test_unterminated_string(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_TPM_DEVICE));

	(void)state;
	nla_put(msg, TAO_A_TPM_DEVICE, 4, "tpm0");
	expect_refusal(msg, -EBADMSG, "TAO_A_TPM_DEVICE is not NUL-terminated");
}

static void test_empty_attribute_string(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_MODULE_VERSION));

	(void)state;
	nla_put(msg, TAO_A_MODULE_VERSION, 0, NULL);
	expect_refusal(msg, -EBADMSG, "TAO_A_MODULE_VERSION is empty (not even a NUL)");

	msg = reply_tpm2(OMIT(TAO_A_TPM_DEVICE));
	nla_put_string(msg, TAO_A_TPM_DEVICE, "");
	expect_refusal(msg, -EBADMSG, "TAO_A_TPM_DEVICE is empty");
}

static void test_bad_name_bytes(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_TPM_DEVICE));

	(void)state;
	nla_put_string(msg, TAO_A_TPM_DEVICE, "tpm\n0");
	expect_refusal(msg, -EBADMSG,
		       "TAO_A_TPM_DEVICE has byte 0x0a; want printable ASCII, no spaces");
}

static void test_overlong_strings(void **state)
{
	struct nl_msg *msg;
	char name[TAO_NAME_MAX + 1];

	(void)state;
	msg = reply_tpm2(OMIT(TAO_A_TPM_VENDOR_STRING));
	nla_put_string(msg, TAO_A_TPM_VENDOR_STRING, "0123456789abcdefX"); /* 17 characters */
	expect_refusal(
		msg, -EBADMSG,
		"TAO_A_TPM_VENDOR_STRING is 18 bytes long, at most 17 allowed including the NUL");

	memset(name, 'v', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	msg = reply_tpm2(OMIT(TAO_A_MODULE_VERSION));
	nla_put_string(msg, TAO_A_MODULE_VERSION, name);
	expect_refusal(
		msg, -EBADMSG,
		"TAO_A_MODULE_VERSION is 33 bytes long, at most 32 allowed including the NUL");
}

static void test_unknown_state(void **state)
{
	(void)state;
	expect_refusal(reply_state(TAO_TPM_STATE_MAX + 1), -EBADMSG,
		       "TAO_A_TPM_STATE has unknown value 4");
	expect_refusal(reply_state(0xffffffffu), -EBADMSG,
		       "TAO_A_TPM_STATE has unknown value 4294967295");
}

static void test_bank_missing_field(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);

	(void)state;
	reply_put_bank(msg, ALG_SHA256, 32);
	reply_put_bank(msg, ALG_SHA1, -1);
	nla_nest_end(msg, banks);
	expect_refusal(msg, -EBADMSG, "PCR bank entry 2: TAO_A_PCR_BANK_DIGEST_SIZE is missing");

	msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
	reply_put_bank(msg, -1, 32);
	nla_nest_end(msg, banks);
	expect_refusal(msg, -EBADMSG, "PCR bank entry 1: TAO_A_PCR_BANK_ALG is missing");
}

static void test_bad_digest_size(void **state)
{
	static const int sizes[] = { 0, TAO_MAX_DIGEST_SIZE + 1 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
		struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);
		char want[80];

		reply_put_bank(msg, ALG_SHA256, sizes[i]);
		nla_nest_end(msg, banks);
		snprintf(want, sizeof(want), "PCR bank entry 1: digest size %d is outside 1..64",
			 sizes[i]);
		expect_refusal(msg, -EBADMSG, want);
	}
}

static void test_too_many_banks(void **state)
{
	(void)state;
	expect_refusal(reply_n_banks(TAO_MAX_PCR_BANKS + 1), -EBADMSG,
		       "TAO_A_PCR_BANKS has more than 16 entries");
}

static void test_duplicate_bank(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);

	(void)state;
	reply_put_bank(msg, ALG_SHA256, 32);
	reply_put_bank(msg, ALG_SHA256, 32);
	nla_nest_end(msg, banks);
	expect_refusal(msg, -EBADMSG, "PCR bank entry 2: algorithm 0x000b is listed twice");
}

static void test_tpm2_without_banks(void **state)
{
	struct nl_msg *msg;

	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_PCR_BANKS)), -EBADMSG,
		       "TAO_A_PCR_BANKS is missing for a TPM 2.0");
	msg = reply_tpm2(OMIT(TAO_A_PCR_BANKS));
	/* The kernel keeps an empty nest; libnl drops one unless told not to. */
	nla_nest_end_keep_empty(msg, nla_nest_start(msg, TAO_A_PCR_BANKS));
	expect_refusal(msg, -EBADMSG, "TAO_A_PCR_BANKS has no entries; a TPM 2.0 has at least one");
}

static void test_tpm2_without_device(void **state)
{
	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_TPM_DEVICE)), -EBADMSG,
		       "TAO_A_TPM_DEVICE is missing for a TPM 2.0");
}

static void test_inconsistent_properties(void **state)
{
	struct nl_msg *msg;

	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_TPM_FW_VERSION_2)), -EBADMSG,
		       "fixed properties are incomplete: TAO_A_TPM_FW_VERSION_2 is missing");
	msg = reply_tpm2(0);
	nla_put_u32(msg, TAO_A_TPM_RC, 0x101);
	expect_refusal(msg, -EBADMSG, "TAO_A_TPM_RC comes with fixed properties");
}

static void test_stray_bytes(void **state)
{
	struct nl_msg *msg = reply_tpm2(0);
	static const unsigned char junk[4] = { 0xff, 0xff, 0x01, 0x00 }; /* nla_len 65535 */

	(void)state;
	assert_int_equal(nlmsg_append(msg, (void *)junk, sizeof(junk), NLMSG_ALIGNTO), 0);
	expect_refusal(msg, -EBADMSG, "4 stray bytes after the last attribute");
}

static void test_not_a_get_info_reply(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();

	(void)state;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, TEST_FAMILY, 0, 0, TAO_CMD_GET_INFO + 1, 1);
	expect_refusal(msg, -EPROTO, "reply has command 2, expected TAO_CMD_GET_INFO (1)");

	msg = nlmsg_alloc_simple(TEST_FAMILY, 0); /* no genl header at all */
	expect_refusal(msg, -EPROTO, "message is too short for a generic netlink header");
}

static void test_log_other_states(void **state)
{
	struct nl_msg *msg;
	struct tao_info info;

	(void)state;
	/* Without a TPM, no log: nothing to report. */
	assert_int_equal(parse(reply_state(TAO_TPM_STATE_NONE), &info), 0);
	assert_false(info.has_log);
	assert_false(info.has_pcr_at_load);

	/* A TPM that went away leaves its log behind. */
	msg = reply_state(TAO_TPM_STATE_GONE);
	nla_put_u32(msg, TAO_A_LOG_PCR, 16);
	nla_put_u32(msg, TAO_A_LOG_ENTRIES, 1);
	nla_put_u64(msg, TAO_A_LOG_BYTES, 100);
	nla_put_u64(msg, TAO_A_LOG_MAX_BYTES, 200);
	reply_put_stats(msg, 0);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { 0x000c, 48, 0xff } });
	assert_int_equal(parse(msg, &info), 0);
	assert_true(info.has_log);
	assert_int_equal(info.log_pcr, 16);
	assert_int_equal(info.log_entries, 1);
	assert_int_equal(info.log_bytes, 100);
	assert_int_equal(info.log_max_bytes, 200);
	assert_int_equal(info.stats.key_mismatch, REF_STAT_KEY_MISMATCH);
	assert_true(info.has_pcr_at_load);
	assert_int_equal(info.pcr_at_load.n, 1);
	assert_int_equal(info.pcr_at_load.d[0].alg, 0x000c);
	assert_int_equal(info.pcr_at_load.d[0].size, 48);
	assert_int_equal(info.pcr_at_load.d[0].bytes[47], 0xff);

	/* Counters but some missing: refused. */
	msg = reply_state(TAO_TPM_STATE_NONE);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_ENTRIES is missing from the log's counters");
}

static void test_log_not_started(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_LOG_ENTRIES) | OMIT(TAO_A_LOG_PCR_AT_LOAD));
	struct tao_info info;

	(void)state;
	nla_put_u32(msg, TAO_A_LOG_ENTRIES, 0);
	assert_int_equal(parse(msg, &info), 0);
	assert_true(info.has_log);
	assert_int_equal(info.log_entries, 0);
	assert_false(info.has_pcr_at_load);

	expect_refusal(reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD)), -EBADMSG,
		       "TAO_A_LOG_PCR_AT_LOAD is missing, but the log has 2 entries");
}

static void test_log_counters_refused(void **state)
{
	struct nl_msg *msg;

	(void)state;
	expect_refusal(reply_tpm2(OMIT(TAO_A_LOG_MAX_BYTES)), -EBADMSG,
		       "TAO_A_LOG_MAX_BYTES is missing for a TPM 2.0");
	expect_refusal(reply_tpm2(OMIT(TAO_A_STATS)), -EBADMSG,
		       "TAO_A_STATS is missing for a TPM 2.0");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR));
	nla_put_u32(msg, TAO_A_LOG_PCR, TAO_PCR_COUNT);
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR 24 is outside 0..23");

	msg = reply_tpm2(OMIT(TAO_A_LOG_BYTES));
	nla_put_u32(msg, TAO_A_LOG_BYTES, 512);
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_BYTES is 4 bytes long, expected 8");

	msg = reply_tpm2(0);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR appears twice");

	msg = reply_tpm2(OMIT(TAO_A_STATS));
	reply_put_stats(msg, OMIT(TAO_A_STAT_LOG_FULL));
	expect_refusal(msg, -EBADMSG, "TAO_A_STATS: TAO_A_STAT_LOG_FULL is missing");

	msg = reply_tpm2(OMIT(TAO_A_STATS));
	{
		struct nlattr *nest = nla_nest_start(msg, TAO_A_STATS);

		nla_put_u64(msg, TAO_A_STAT_MEASURE, 1);
		nla_put_u32(msg, TAO_A_STAT_QUOTE, 2);
		nla_nest_end(msg, nest);
	}
	expect_refusal(msg, -EBADMSG, "TAO_A_STATS: TAO_A_STAT_QUOTE is 4 bytes long, expected 8");
}

static void test_stats_pad_and_unknown(void **state)
{
	struct nl_msg *msg = reply_tpm2(OMIT(TAO_A_STATS));
	struct nlattr *nest = nla_nest_start(msg, TAO_A_STATS);
	struct tao_info info;

	(void)state;
	nla_put(msg, TAO_A_STAT_PAD, 0, NULL);
	nla_put_u64(msg, TAO_A_STAT_MEASURE, REF_STAT_MEASURE);
	nla_put_u64(msg, TAO_A_STAT_QUOTE, REF_STAT_QUOTE);
	nla_put_u64(msg, TAO_A_STAT_TPM_ERRORS, REF_STAT_TPM_ERRORS);
	nla_put_u32(msg, TAO_A_STAT_MAX + 1, 77); /* a later counter */
	nla_put_u64(msg, TAO_A_STAT_LOG_FULL, REF_STAT_LOG_FULL);
	nla_put_u64(msg, TAO_A_STAT_KEY_MISMATCH, REF_STAT_KEY_MISMATCH);
	nla_nest_end(msg, nest);
	assert_int_equal(parse(msg, &info), 0);
	assert_reference_tpm2(&info);
}

static void test_pcr_at_load_refused(void **state)
{
	struct nl_msg *msg;

	(void)state;
	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { ALG_SHA256, 32, 0 } });
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR_AT_LOAD lacks active bank 0x0004");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	reply_put_digests(
		msg, TAO_A_LOG_PCR_AT_LOAD, 3,
		(const int[][3]){ { ALG_SHA256, 32, 0 }, { ALG_SHA1, 20, 0 }, { 0x000c, 48, 0 } });
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR_AT_LOAD has bank 0x000c, which is not active");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 2,
			  (const int[][3]){ { ALG_SHA256, 20, 0 }, { ALG_SHA1, 20, 0 } });
	expect_refusal(
		msg, -EBADMSG,
		"TAO_A_LOG_PCR_AT_LOAD entry 1: sha256 digest is 20 bytes long, expected 32");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 2,
			  (const int[][3]){ { ALG_SHA1, 20, 0 }, { ALG_SHA1, 20, 0 } });
	expect_refusal(msg, -EBADMSG,
		       "TAO_A_LOG_PCR_AT_LOAD entry 2: algorithm 0x0004 is listed twice");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 2,
			  (const int[][3]){ { ALG_SHA1, 20, 0 }, { ALG_SHA256, 0, 0 } });
	expect_refusal(msg, -EBADMSG,
		       "TAO_A_LOG_PCR_AT_LOAD entry 2: TAO_A_DIGEST_VALUE is 0 bytes long, "
		       "expected 1 to 64");

	msg = reply_tpm2(OMIT(TAO_A_LOG_PCR_AT_LOAD));
	nla_nest_end_keep_empty(msg, nla_nest_start(msg, TAO_A_LOG_PCR_AT_LOAD));
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR_AT_LOAD has no entries");

	/* An algorithm libtao cannot name: its size must still be the bank's. */
	msg = reply_other_banks(0);
	{
		struct nlattr *banks = nla_nest_start(msg, TAO_A_PCR_BANKS);

		reply_put_bank(msg, 0x1234, 32);
		nla_nest_end(msg, banks);
	}
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { 0x1234, 20, 0 } });
	expect_refusal(msg, -EBADMSG,
		       "TAO_A_LOG_PCR_AT_LOAD has 20 bytes for bank 0x1234, whose digests are "
		       "32 bytes");

	/* Values at load without the counters. */
	msg = reply_state(TAO_TPM_STATE_NONE);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { ALG_SHA1, 20, 0 } });
	expect_refusal(msg, -EBADMSG, "TAO_A_LOG_PCR_AT_LOAD comes without the log's counters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_tpm2),
		cmocka_unit_test(test_no_tpm),
		cmocka_unit_test(test_tpm_rc),
		cmocka_unit_test(test_unknown_attributes_ignored),
		cmocka_unit_test(test_tpm2_attributes_ignored_for_other_states),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_error_buffer_optional),
		cmocka_unit_test(test_missing_state),
		cmocka_unit_test(test_missing_version),
		cmocka_unit_test(test_wrong_length_u32),
		cmocka_unit_test(test_wrong_length_u16_in_bank),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_empty_attribute_string),
		cmocka_unit_test(test_bad_name_bytes),
		cmocka_unit_test(test_overlong_strings),
		cmocka_unit_test(test_unknown_state),
		cmocka_unit_test(test_bank_missing_field),
		cmocka_unit_test(test_bad_digest_size),
		cmocka_unit_test(test_too_many_banks),
		cmocka_unit_test(test_duplicate_bank),
		cmocka_unit_test(test_tpm2_without_banks),
		cmocka_unit_test(test_tpm2_without_device),
		cmocka_unit_test(test_inconsistent_properties),
		cmocka_unit_test(test_stray_bytes),
		cmocka_unit_test(test_not_a_get_info_reply),
		cmocka_unit_test(test_log_other_states),
		cmocka_unit_test(test_log_not_started),
		cmocka_unit_test(test_log_counters_refused),
		cmocka_unit_test(test_stats_pad_and_unknown),
		cmocka_unit_test(test_pcr_at_load_refused),
	};

	return cmocka_run_group_tests_name("tao_info_parse", tests, NULL, NULL);
}
