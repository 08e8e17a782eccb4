// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for tao_info_to_json() and tao_info_print(): replies round-trip to exact output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <netlink/attr.h>

#include "reply.h"
#include "tao_info.h"

static void parse_ok(struct nl_msg *msg, struct tao_info *info)
{
	char err[TAO_ERRMSG_MAX];

	assert_int_equal(tao_info_parse(nlmsg_hdr(msg), info, err, sizeof(err)), 0);
	nlmsg_free(msg);
}

static void assert_json(const struct tao_info *info, int flags, const char *want)
{
	struct json_object *doc = tao_info_to_json(info);

	assert_non_null(doc);
	assert_string_equal(json_object_to_json_string_ext(doc, flags), want);
	json_object_put(doc);
}

static void assert_printed(const struct tao_info *info, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(tao_info_print(f, info), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, want);
	free(text);
}

static struct nl_msg *reply_state(uint32_t state)
{
	struct nl_msg *msg = reply_new();

	nla_put_string(msg, TAO_A_MODULE_VERSION, REF_VERSION);
	nla_put_u32(msg, TAO_A_TPM_STATE, state);
	return msg;
}

static void test_json_full_tpm2(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_tpm2(0), &info);
	assert_json(
		&info, JSON_C_TO_STRING_PLAIN,
		"{\"module\":{\"version\":\"0.1.0\",\"genl_family\":\"tao\",\"genl_version\":1},"
		"\"tpm\":{\"state\":\"tpm2\",\"present\":true,\"device\":\"tpm0\","
		"\"manufacturer\":\"IBM\",\"manufacturer_id\":\"0x49424d00\","
		"\"vendor_string\":\"SW   TPM\","
		"\"firmware_version_1\":\"0x20191023\",\"firmware_version_2\":\"0x00163636\","
		"\"spec\":{\"revision\":164,\"year\":2021,\"day_of_year\":299},"
		"\"pcr_banks\":[{\"algorithm\":\"sha256\",\"alg_id\":\"0x000b\",\"digest_size\":32}"
		","
		"{\"algorithm\":\"sha1\",\"alg_id\":\"0x0004\",\"digest_size\":20}]},"
		"\"log\":{\"pcr\":13,\"entries\":2,\"bytes\":512,\"max_bytes\":1048576,"
		"\"pcr_at_load\":{"
		"\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\","
		"\"sha1\":\"0000000000000000000000000000000000000000\"},"
		"\"stats\":{\"measure\":1,\"quote\":2,\"tpm_errors\":3,\"log_full\":4,"
		"\"key_mismatch\":5}}}");
}

/* What taoctl info --json prints, byte for byte. */
static void test_json_no_tpm_pretty(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_state(TAO_TPM_STATE_NONE), &info);
	assert_json(&info, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED,
		    "{\n"
		    "  \"module\": {\n"
		    "    \"version\": \"0.1.0\",\n"
		    "    \"genl_family\": \"tao\",\n"
		    "    \"genl_version\": 1\n"
		    "  },\n"
		    "  \"tpm\": {\n"
		    "    \"state\": \"none\",\n"
		    "    \"present\": false\n"
		    "  }\n"
		    "}");
}

static void test_json_other_states(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_state(TAO_TPM_STATE_TPM12), &info);
	assert_json(
		&info, JSON_C_TO_STRING_PLAIN,
		"{\"module\":{\"version\":\"0.1.0\",\"genl_family\":\"tao\",\"genl_version\":1},"
		"\"tpm\":{\"state\":\"tpm12\",\"present\":true}}");
	parse_ok(reply_state(TAO_TPM_STATE_GONE), &info);
	assert_json(
		&info, JSON_C_TO_STRING_PLAIN,
		"{\"module\":{\"version\":\"0.1.0\",\"genl_family\":\"tao\",\"genl_version\":1},"
		"\"tpm\":{\"state\":\"gone\",\"present\":false}}");
}

static void test_json_tpm_rc_and_unknown_alg(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_tpm2(0), &info);
	info.has_props = false;
	info.has_log = false;
	info.has_rc = true;
	info.tpm_rc = 0x101;
	info.banks[1].alg = 0xabcd;
	info.banks[1].digest_size = 48;
	assert_json(
		&info, JSON_C_TO_STRING_PLAIN,
		"{\"module\":{\"version\":\"0.1.0\",\"genl_family\":\"tao\",\"genl_version\":1},"
		"\"tpm\":{\"state\":\"tpm2\",\"present\":true,\"device\":\"tpm0\","
		"\"pcr_banks\":[{\"algorithm\":\"sha256\",\"alg_id\":\"0x000b\",\"digest_size\":32}"
		","
		"{\"algorithm\":null,\"alg_id\":\"0xabcd\",\"digest_size\":48}],"
		"\"tpm_rc\":\"0x00000101\"}}");
}

static void test_print_full_tpm2(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_tpm2(0), &info);
	assert_printed(&info, "module version: 0.1.0\n"
			      "tpm:            TPM 2.0 (tpm0)\n"
			      "manufacturer:   IBM (0x49424d00)\n"
			      "vendor:         SW   TPM\n"
			      "firmware:       0x20191023 0x00163636\n"
			      "spec:           revision 1.64, 2021 day 299\n"
			      "pcr banks:      sha256 (32 bytes), sha1 (20 bytes)\n"
			      "log:            PCR 13, 2 entries, 512 of 1048576 bytes\n"
			      "pcr at load:    sha256 "
			      "0000000000000000000000000000000000000000000000000000000000000000\n"
			      "                sha1 0000000000000000000000000000000000000000\n"
			      "stats:          measure 1, quote 2, tpm errors 3, log full 4, key "
			      "mismatch 5\n");
}

/* A log that has not started, with large counters and a bank libtao cannot name. */
static void test_log_not_started(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_tpm2(0), &info);
	info.has_pcr_at_load = false;
	info.log_entries = 0;
	info.log_bytes = 0;
	info.log_max_bytes = 18446744073709551615ull;
	info.stats.measure = 18446744073709551615ull;
	assert_json(
		&info, JSON_C_TO_STRING_PLAIN,
		"{\"module\":{\"version\":\"0.1.0\",\"genl_family\":\"tao\",\"genl_version\":1},"
		"\"tpm\":{\"state\":\"tpm2\",\"present\":true,\"device\":\"tpm0\","
		"\"manufacturer\":\"IBM\",\"manufacturer_id\":\"0x49424d00\","
		"\"vendor_string\":\"SW   TPM\","
		"\"firmware_version_1\":\"0x20191023\",\"firmware_version_2\":\"0x00163636\","
		"\"spec\":{\"revision\":164,\"year\":2021,\"day_of_year\":299},"
		"\"pcr_banks\":[{\"algorithm\":\"sha256\",\"alg_id\":\"0x000b\",\"digest_size\":32}"
		","
		"{\"algorithm\":\"sha1\",\"alg_id\":\"0x0004\",\"digest_size\":20}]},"
		"\"log\":{\"pcr\":13,\"entries\":0,\"bytes\":0,\"max_bytes\":18446744073709551615,"
		"\"stats\":{\"measure\":18446744073709551615,\"quote\":2,\"tpm_errors\":3,"
		"\"log_full\":4,\"key_mismatch\":5}}}");
	info.pcr_at_load.d[0].alg = 0x4321;
	info.pcr_at_load.d[0].size = 1;
	info.pcr_at_load.d[0].bytes[0] = 0xab;
	info.pcr_at_load.n = 1;
	info.has_pcr_at_load = true;
	info.has_props = false;
	assert_printed(&info,
		       "module version: 0.1.0\n"
		       "tpm:            TPM 2.0 (tpm0)\n"
		       "pcr banks:      sha256 (32 bytes), sha1 (20 bytes)\n"
		       "log:            PCR 13, 0 entries, 0 of 18446744073709551615 bytes\n"
		       "pcr at load:    0x4321 ab\n"
		       "stats:          measure 18446744073709551615, quote 2, tpm errors 3, log "
		       "full 4, key mismatch 5\n");
}

static void test_print_tpm_rc_and_unknown_alg(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_tpm2(0), &info);
	info.has_props = false;
	info.has_log = false;
	info.has_rc = true;
	info.tpm_rc = 0;
	info.banks[0].alg = 0x00ff;
	assert_printed(&info, "module version: 0.1.0\n"
			      "tpm:            TPM 2.0 (tpm0)\n"
			      "tpm rc:         0x00000000 (transport error; no fixed properties)\n"
			      "pcr banks:      alg 0x00ff (32 bytes), sha1 (20 bytes)\n");
}

static void test_print_no_tpm(void **state)
{
	struct tao_info info;

	(void)state;
	parse_ok(reply_state(TAO_TPM_STATE_NONE), &info);
	assert_printed(&info,
		       "module version: 0.1.0\n"
		       "tpm:            none — no TPM 2.0 chip is registered with the kernel\n");
	parse_ok(reply_state(TAO_TPM_STATE_TPM12), &info);
	assert_printed(&info,
		       "module version: 0.1.0\n"
		       "tpm:            TPM 1.2 — not supported by tao, which needs a TPM 2.0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_full_tpm2),
		cmocka_unit_test(test_json_no_tpm_pretty),
		cmocka_unit_test(test_json_other_states),
		cmocka_unit_test(test_json_tpm_rc_and_unknown_alg),
		cmocka_unit_test(test_print_full_tpm2),
		cmocka_unit_test(test_print_tpm_rc_and_unknown_alg),
		cmocka_unit_test(test_print_no_tpm),
		cmocka_unit_test(test_log_not_started),
	};

	return cmocka_run_group_tests_name("tao_info output", tests, NULL, NULL);
}
