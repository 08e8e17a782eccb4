// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for PCR selections: the command-line syntax, its text form and the encoder. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "tao_pcr_sel.h"

static void parse_ok(const char *s, struct tao_pcr_selection *sel)
{
	char err[TAO_ERRMSG_MAX] = "untouched";

	assert_int_equal(tao_pcr_selection_parse(s, sel, err, sizeof(err)), 0);
}

/* s is refused with exactly want, and the output is untouched. */
static void refused(const char *s, const char *want)
{
	struct tao_pcr_selection sel, before;
	char err[TAO_ERRMSG_MAX];

	memset(&sel, 0x5a, sizeof(sel));
	memcpy(&before, &sel, sizeof(sel));
	assert_int_equal(tao_pcr_selection_parse(s, &sel, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_memory_equal(&sel, &before, sizeof(sel));
}

static void test_good(void **state)
{
	struct tao_pcr_selection sel;

	(void)state;
	parse_ok("sha256:0,1,7+sha1:0-7", &sel);
	assert_int_equal(sel.n, 2);
	assert_int_equal(sel.banks[0].alg, 0x000b);
	assert_int_equal(sel.banks[0].mask, 0x83);
	assert_int_equal(sel.banks[1].alg, 0x0004);
	assert_int_equal(sel.banks[1].mask, 0xff);
	assert_int_equal(tao_pcr_selection_count(&sel), 11);

	parse_ok("sha384:23", &sel);
	assert_int_equal(sel.n, 1);
	assert_int_equal(sel.banks[0].alg, 0x000c);
	assert_int_equal(sel.banks[0].mask, 1u << 23);

	parse_ok("sha256:all", &sel);
	assert_int_equal(sel.banks[0].mask, TAO_PCR_MASK_ALL);
	assert_int_equal(tao_pcr_selection_count(&sel), 24);

	/* Ranges of one, leading zeros, banks by id, order kept as given. */
	parse_ok("0x1234:5-5,007,16-23+sha512:0+sha3_256:2", &sel);
	assert_int_equal(sel.n, 3);
	assert_int_equal(sel.banks[0].alg, 0x1234);
	assert_int_equal(sel.banks[0].mask, 0xff00a0);
	assert_int_equal(sel.banks[1].alg, 0x000d);
	assert_int_equal(sel.banks[2].alg, 0x0027);
	assert_int_equal(sel.banks[2].mask, 0x4);
}

static void test_bad(void **state)
{
	(void)state;
	refused("", "the PCR selection is empty");
	refused("sha256", "'sha256' is not BANK:PCRS");
	refused(":0", "a bank name is missing before ':'");
	refused("md5:0", "unknown PCR bank 'md5'");
	refused("sha256andmuchmorethanabankname:0",
		"unknown PCR bank 'sha256andmuchmorethanabankname'");
	refused("0x12:0", "unknown PCR bank '0x12'");
	refused("0x12345:0", "unknown PCR bank '0x12345'");
	refused("0xzzzz:0", "unknown PCR bank '0xzzzz'");
	refused("sha256:", "sha256: no PCRs listed after ':'");
	refused("sha256:24", "sha256: PCR 24 is out of range 0..23");
	refused("sha256:3-99999999999999999999",
		"sha256: PCR 99999999999999999999 is out of range 0..23");
	refused("sha256:7-3", "sha256: range 7-3 runs backwards");
	refused("sha256:1,,2", "sha256: empty item in the PCR list");
	refused("sha256:1,", "sha256: the PCR list ends with ','");
	refused("sha256:,1", "sha256: empty item in the PCR list");
	refused("sha256:x", "sha256: 'x' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256:1-", "sha256: '1-' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256:-1", "sha256: '-1' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256:1-2-3",
		"sha256: '1-2-3' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256: 1", "sha256: ' 1' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256:all,1", "sha256: 'all' is not a PCR index (0..23), a range (N-M) or 'all'");
	refused("sha256:0-3,2", "sha256: PCR 2 is selected twice");
	refused("sha256:0+sha256:1", "bank sha256 is selected twice");
	refused("sha256:0+0x000b:1", "bank sha256 is selected twice");
	refused("sha256:0+", "empty bank in the PCR selection (check the '+')");
	refused("+sha256:0", "empty bank in the PCR selection (check the '+')");
	refused("sha256:0++sha1:0", "empty bank in the PCR selection (check the '+')");
	refused("0x0100:0+0x0101:0+0x0102:0+0x0103:0+0x0104:0+0x0105:0+0x0106:0+0x0107:0+"
		"0x0108:0+0x0109:0+0x010a:0+0x010b:0+0x010c:0+0x010d:0+0x010e:0+0x010f:0+"
		"0x0110:0",
		"more than 16 banks selected");
}

static void test_format(void **state)
{
	struct tao_pcr_selection sel;
	char buf[128];

	(void)state;
	parse_ok("sha256:7,0,1,2+sha1:0-7,9,11-12,23+0x4321:all", &sel);
	assert_int_equal(tao_pcr_selection_format(&sel, buf, sizeof(buf)),
			 (int)strlen("sha256:0-2,7+sha1:0-7,9,11-12,23+0x4321:0-23"));
	assert_string_equal(buf, "sha256:0-2,7+sha1:0-7,9,11-12,23+0x4321:0-23");
	/* Truncated like snprintf(), still NUL-terminated, with the full length returned. */
	assert_int_equal(tao_pcr_selection_format(&sel, buf, 10), 44);
	assert_string_equal(buf, "sha256:0-");
	assert_int_equal(tao_pcr_selection_format(&sel, NULL, 0), 44);
}

static void test_put(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct tao_pcr_selection sel;
	struct nlattr *nest, *entry;
	int rem, i = 0;
	static const struct {
		uint16_t alg;
		uint32_t mask;
	} want[] = { { 0x000b, 0x2083 }, { 0x0004, TAO_PCR_MASK_ALL } };

	(void)state;
	parse_ok("sha256:0,1,7,13+sha1:all", &sel);
	assert_int_equal(tao_pcr_selection_put(msg, &sel), 0);
	nest = nlmsg_find_attr(nlmsg_hdr(msg), 0, TAO_A_PCR_SELECTION);
	assert_non_null(nest);
	nla_for_each_nested (entry, nest, rem) {
		struct nlattr *tb[TAO_A_PCR_MAX + 1];

		assert_int_equal(nla_type(entry), TAO_A_PCR_SELECTION_ENTRY);
		assert_int_equal(nla_parse_nested(tb, TAO_A_PCR_MAX, entry, NULL), 0);
		assert_int_equal(nla_len(tb[TAO_A_PCR_ALG]), 2);
		assert_int_equal(nla_len(tb[TAO_A_PCR_MASK]), 4);
		assert_null(tb[TAO_A_PCR_INDEX]);
		assert_int_equal(nla_get_u16(tb[TAO_A_PCR_ALG]), want[i].alg);
		assert_int_equal(nla_get_u32(tb[TAO_A_PCR_MASK]), want[i].mask);
		i++;
	}
	assert_int_equal(i, 2);
	assert_int_equal(rem, 0);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests_name("tao PCR selections", tests, NULL, NULL);
}
