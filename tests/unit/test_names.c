// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for the names of tao_names.h, tao_tpm_rc_str() and the hex codec. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/tao.h>

#include "tao_hex.h"
#include "tao_names.h"
#include "tao_tpm_rc.h"

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

static void test_alg_by_name_and_size(void **state)
{
	static const struct {
		const char *name;
		uint16_t alg;
		unsigned int size;
	} algs[] = {
		{ "sha1", 0x0004, 20 },	    { "sha256", 0x000b, 32 },	{ "sha384", 0x000c, 48 },
		{ "sha512", 0x000d, 64 },   { "sm3_256", 0x0012, 32 },	{ "sha3_256", 0x0027, 32 },
		{ "sha3_384", 0x0028, 48 }, { "sha3_512", 0x0029, 64 },
	};
	uint16_t alg = 0x5a5a;

	(void)state;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		assert_int_equal(tao_alg_from_name(algs[i].name, &alg), 0);
		assert_int_equal(alg, algs[i].alg);
		assert_int_equal(tao_alg_digest_size(algs[i].alg), algs[i].size);
	}
	alg = 0x5a5a;
	assert_int_equal(tao_alg_from_name("SHA256", &alg), -ENOENT);
	assert_int_equal(tao_alg_from_name("sha", &alg), -ENOENT);
	assert_int_equal(tao_alg_from_name("", &alg), -ENOENT);
	assert_int_equal(alg, 0x5a5a);
	assert_int_equal(tao_alg_digest_size(0x0001), 0);
	assert_int_equal(tao_alg_digest_size(0x0010), 0);
}

static void test_roles_statuses_events(void **state)
{
	uint32_t role = 99;

	(void)state;
	assert_string_equal(tao_role_name(TAO_KEY_ROLE_IAK), "iak");
	assert_string_equal(tao_role_name(TAO_KEY_ROLE_IDEVID), "idevid");
	assert_string_equal(tao_role_name(TAO_KEY_ROLE_LDEVID), "ldevid");
	assert_string_equal(tao_role_name(TAO_KEY_ROLE_AK), "ak");
	assert_null(tao_role_name(0));
	assert_null(tao_role_name(TAO_KEY_ROLE_MAX + 1));
	assert_int_equal(tao_role_from_name("ldevid", &role), 0);
	assert_int_equal(role, TAO_KEY_ROLE_LDEVID);
	assert_int_equal(tao_role_from_name("IAK", &role), -ENOENT);
	assert_int_equal(role, TAO_KEY_ROLE_LDEVID);

	assert_string_equal(tao_key_status_name(TAO_KEY_STATUS_OK), "ok");
	assert_string_equal(tao_key_status_name(TAO_KEY_STATUS_MISMATCH), "mismatch");
	assert_string_equal(tao_key_status_name(TAO_KEY_STATUS_MISSING), "missing");
	assert_string_equal(tao_key_status_name(TAO_KEY_STATUS_UNREADABLE), "unreadable");
	assert_null(tao_key_status_name(TAO_KEY_STATUS_MAX + 1));

	assert_string_equal(tao_event_type_name(TAO_EVENT_MODULE_LOAD), "module_load");
	assert_string_equal(tao_event_type_name(TAO_EVENT_KEY_BIND), "key_bind");
	assert_null(tao_event_type_name(TAO_EVENT_MODULE_BASE));
	assert_null(tao_event_type_name(1));
}

static void test_hex(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0xab, 0xff, 0x7f };
	uint8_t out[8];
	char hex[11];
	char *alloc;

	(void)state;
	assert_ptr_equal(tao_hex_encode(bytes, sizeof(bytes), hex), hex);
	assert_string_equal(hex, "0001abff7f");
	assert_string_equal(tao_hex_encode(bytes, 0, hex), "");
	alloc = tao_hex_alloc(bytes, 2);
	assert_string_equal(alloc, "0001");
	free(alloc);

	memset(out, 0x5a, sizeof(out));
	assert_int_equal(tao_hex_decode("0001ABff7F", out, sizeof(out)), 5);
	assert_memory_equal(out, bytes, sizeof(bytes));
	assert_int_equal(out[5], 0x5a);
	assert_int_equal(tao_hex_decode("", out, sizeof(out)), 0);
	/* Refused, with out untouched: odd length, a bad digit, a prefix, too long. */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(tao_hex_decode("abc", out, sizeof(out)), -EINVAL);
	assert_int_equal(tao_hex_decode("0g", out, sizeof(out)), -EINVAL);
	assert_int_equal(tao_hex_decode("0x00", out, sizeof(out)), -EINVAL);
	assert_int_equal(tao_hex_decode("00 11", out, sizeof(out)), -EINVAL);
	assert_int_equal(tao_hex_decode("000102030405060708", out, sizeof(out)), -E2BIG);
	assert_int_equal(tao_hex_decode("0001020304050607", out, sizeof(out)), 8);
	assert_int_equal(out[7], 0x07);
}

static void test_tpm_rc(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(tao_tpm_rc_str(0, buf, sizeof(buf)), "TPM_RC_SUCCESS");
	/* Format one: error, and the handle, session or parameter it is about. */
	assert_string_equal(tao_tpm_rc_str(0x18b, buf, sizeof(buf)), "TPM_RC_HANDLE (handle 1)");
	assert_string_equal(tao_tpm_rc_str(0x9a2, buf, sizeof(buf)), "TPM_RC_BAD_AUTH (session 1)");
	assert_string_equal(tao_tpm_rc_str(0x2c4, buf, sizeof(buf)), "TPM_RC_VALUE (parameter 2)");
	assert_string_equal(tao_tpm_rc_str(0x08e, buf, sizeof(buf)), "TPM_RC_AUTH_FAIL");
	assert_string_equal(tao_tpm_rc_str(0x0bf, buf, sizeof(buf)), "format-one error 0x3f");
	/* Format zero: TPM 2.0 errors, warnings, vendor codes, TPM 1.2 codes. */
	assert_string_equal(tao_tpm_rc_str(0x101, buf, sizeof(buf)), "TPM_RC_FAILURE");
	assert_string_equal(tao_tpm_rc_str(0x128, buf, sizeof(buf)), "TPM_RC_PCR_CHANGED");
	assert_string_equal(tao_tpm_rc_str(0x17f, buf, sizeof(buf)), "format-zero error 0x7f");
	assert_string_equal(tao_tpm_rc_str(0x902, buf, sizeof(buf)), "TPM_RC_OBJECT_MEMORY");
	assert_string_equal(tao_tpm_rc_str(0x922, buf, sizeof(buf)), "TPM_RC_RETRY");
	assert_string_equal(tao_tpm_rc_str(0x921, buf, sizeof(buf)), "TPM_RC_LOCKOUT");
	assert_string_equal(tao_tpm_rc_str(0x912, buf, sizeof(buf)), "TPM_RC_REFERENCE_H2");
	assert_string_equal(tao_tpm_rc_str(0x91b, buf, sizeof(buf)), "TPM_RC_REFERENCE_S3");
	assert_string_equal(tao_tpm_rc_str(0x97f, buf, sizeof(buf)), "warning 0x7f");
	assert_string_equal(tao_tpm_rc_str(0x501, buf, sizeof(buf)),
			    "vendor-defined response code");
	assert_string_equal(tao_tpm_rc_str(0x01e, buf, sizeof(buf)), "a TPM 1.2 response code");
	/* A short buffer still gets a NUL-terminated beginning. */
	assert_string_equal(tao_tpm_rc_str(0x18b, buf, 8), "TPM_RC_");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_name),
		cmocka_unit_test(test_tpm_state_name),
		cmocka_unit_test(test_manufacturer_str),
		cmocka_unit_test(test_alg_by_name_and_size),
		cmocka_unit_test(test_roles_statuses_events),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_tpm_rc),
	};

	return cmocka_run_group_tests_name("tao names", tests, NULL, NULL);
}
