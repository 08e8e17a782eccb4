// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Names for TPM algorithm ids, tao TPM states and TPM manufacturer codes. */
#include "tao_names.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/tao.h>

/* The TCG algorithm registry's ids for the hashes a PCR bank can use, with digest sizes. */
static const struct {
	uint16_t alg;
	uint16_t size;
	const char *name;
} hashes[] = {
	{ 0x0004, 20, "sha1" },	    { 0x000b, 32, "sha256" },	{ 0x000c, 48, "sha384" },
	{ 0x000d, 64, "sha512" },   { 0x0012, 32, "sm3_256" },	{ 0x0027, 32, "sha3_256" },
	{ 0x0028, 48, "sha3_384" }, { 0x0029, 64, "sha3_512" },
};

#define N_HASHES (sizeof(hashes) / sizeof(hashes[0]))

const char *tao_alg_name(uint16_t alg)
{
	for (size_t i = 0; i < N_HASHES; i++)
		if (hashes[i].alg == alg)
			return hashes[i].name;
	return NULL;
}

int tao_alg_from_name(const char *name, uint16_t *alg)
{
	for (size_t i = 0; i < N_HASHES; i++)
		if (strcmp(hashes[i].name, name) == 0) {
			*alg = hashes[i].alg;
			return 0;
		}
	return -ENOENT;
}

unsigned int tao_alg_digest_size(uint16_t alg)
{
	for (size_t i = 0; i < N_HASHES; i++)
		if (hashes[i].alg == alg)
			return hashes[i].size;
	return 0;
}

const char *tao_role_name(uint32_t role)
{
	switch (role) {
	case TAO_KEY_ROLE_IAK:
		return "iak";
	case TAO_KEY_ROLE_IDEVID:
		return "idevid";
	case TAO_KEY_ROLE_LDEVID:
		return "ldevid";
	case TAO_KEY_ROLE_AK:
		return "ak";
	default:
		return NULL;
	}
}

int tao_role_from_name(const char *name, uint32_t *role)
{
	for (uint32_t r = 1; r <= TAO_KEY_ROLE_MAX; r++)
		if (strcmp(tao_role_name(r), name) == 0) {
			*role = r;
			return 0;
		}
	return -ENOENT;
}

const char *tao_key_status_name(uint32_t status)
{
	switch (status) {
	case TAO_KEY_STATUS_OK:
		return "ok";
	case TAO_KEY_STATUS_MISMATCH:
		return "mismatch";
	case TAO_KEY_STATUS_MISSING:
		return "missing";
	case TAO_KEY_STATUS_UNREADABLE:
		return "unreadable";
	default:
		return NULL;
	}
}

const char *tao_event_type_name(uint32_t type)
{
	switch (type) {
	case TAO_EVENT_MODULE_LOAD:
		return "module_load";
	case TAO_EVENT_KEY_BIND:
		return "key_bind";
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
