// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for tao_alg_name(), tao_tpm_state_name() and tao_manufacturer_str(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/tao.h>

#include "tao_names.h"

static void test_alg_name(void **state)
{
	(void)state;
	assert_string_equal(tao_alg_name(0x0004), "sha1");
	assert_string_equal(tao_alg_name(0x000b), "sha256");
	assert_string_equal(tao_alg_name(0x000c), "sha384");
	assert_string_equal(tao_alg_name(0x000d), "sha512");
	assert_string_equal(tao_alg_name(0x0012), "sm3_256");
	assert_string_equal(tao_alg_name(0x0027), "sha3_256");
	assert_string_equal(tao_alg_name(0x0028), "sha3_384");
	assert_string_equal(tao_alg_name(0x0029), "sha3_512");
	/* Not hashes of a PCR bank (RSA, NULL) or not assigned. */
	assert_null(tao_alg_name(0x0000));
	assert_null(tao_alg_name(0x0001));
	assert_null(tao_alg_name(0x0010));
	assert_null(tao_alg_name(0xffff));
}

static void test_tpm_state_name(void **state)
{
	(void)state;
	assert_string_equal(tao_tpm_state_name(TAO_TPM_STATE_NONE), "none");
	assert_string_equal(tao_tpm_state_name(TAO_TPM_STATE_TPM12), "tpm12");
	assert_string_equal(tao_tpm_state_name(TAO_TPM_STATE_TPM2), "tpm2");
	assert_string_equal(tao_tpm_state_name(TAO_TPM_STATE_GONE), "gone");
	assert_null(tao_tpm_state_name(TAO_TPM_STATE_MAX + 1));
	assert_null(tao_tpm_state_name(-1));
}

static void test_manufacturer_str(void **state)
{
	char buf[5];

	(void)state;
	assert_string_equal(tao_manufacturer_str(0x49424d00, buf), "IBM");
	assert_ptr_equal(tao_manufacturer_str(0x49424d00, buf), buf);
	assert_string_equal(tao_manufacturer_str(0x494e5443, buf), "INTC");
	assert_string_equal(tao_manufacturer_str(0x4d534654, buf), "MSFT");
	assert_string_equal(tao_manufacturer_str(0x53544d20, buf), "STM");  /* space padded */
	assert_string_equal(tao_manufacturer_str(0x4e540000, buf), "NT");   /* two NULs */
	assert_string_equal(tao_manufacturer_str(0x41004200, buf), "A?B");  /* NUL inside */
	assert_string_equal(tao_manufacturer_str(0x0a414243, buf), "?ABC"); /* control byte */
	assert_string_equal(tao_manufacturer_str(0x41ff4380, buf), "A?C?"); /* high bytes */
	assert_string_equal(tao_manufacturer_str(0x00000000, buf), "");
	assert_string_equal(tao_manufacturer_str(0x20202020, buf), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_name),
		cmocka_unit_test(test_tpm_state_name),
		cmocka_unit_test(test_manufacturer_str),
	};

	return cmocka_run_group_tests_name("tao names", tests, NULL, NULL);
}
