// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Names for TPM algorithm ids, tao TPM states and TPM manufacturer codes. */
#include "tao_names.h"

#include <stddef.h>

#include <linux/tao.h>

const char *tao_alg_name(uint16_t alg)
{
	/* The TCG algorithm registry's ids for the hashes a PCR bank can use. */
	switch (alg) {
	case 0x0004:
		return "sha1";
	case 0x000b:
		return "sha256";
	case 0x000c:
		return "sha384";
	case 0x000d:
		return "sha512";
	case 0x0012:
		return "sm3_256";
	case 0x0027:
		return "sha3_256";
	case 0x0028:
		return "sha3_384";
	case 0x0029:
		return "sha3_512";
	default:
		return NULL;
	}
}

const char *tao_tpm_state_name(int state)
{
	switch (state) {
	case TAO_TPM_STATE_NONE:
		return "none";
	case TAO_TPM_STATE_TPM12:
		return "tpm12";
	case TAO_TPM_STATE_TPM2:
		return "tpm2";
	case TAO_TPM_STATE_GONE:
		return "gone";
	default:
		return NULL;
	}
}

const char *tao_manufacturer_str(uint32_t manufacturer, char buf[5])
{
	int len = 4;

	for (int i = 0; i < 4; i++)
		buf[i] = (char)(manufacturer >> (24 - 8 * i));
	/* Vendors pad short codes: "IBM\0", "STM ". */
	while (len > 0 && (buf[len - 1] == '\0' || buf[len - 1] == ' '))
		len--;
	for (int i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			buf[i] = '?';
	buf[len] = '\0';
	return buf;
}
