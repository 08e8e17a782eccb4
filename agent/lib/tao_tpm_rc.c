// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* TPM 2.0 response codes as text. */
#include "tao_tpm_rc.h"

#include <stdio.h>

struct rc_name {
	uint16_t n;
	const char *name;
};

/* Format-one errors: TPM_RC_FMT1 (0x080) + n, with a handle, session or parameter number. */
static const struct rc_name fmt1[] = {
	{ 0x01, "ASYMMETRIC" }, { 0x02, "ATTRIBUTES" }, { 0x03, "HASH" },
	{ 0x04, "VALUE" },	{ 0x05, "HIERARCHY" },	{ 0x07, "KEY_SIZE" },
	{ 0x08, "MGF" },	{ 0x09, "MODE" },	{ 0x0a, "TYPE" },
	{ 0x0b, "HANDLE" },	{ 0x0c, "KDF" },	{ 0x0d, "RANGE" },
	{ 0x0e, "AUTH_FAIL" },	{ 0x0f, "NONCE" },	{ 0x10, "PP" },
	{ 0x12, "SCHEME" },	{ 0x15, "SIZE" },	{ 0x16, "SYMMETRIC" },
	{ 0x17, "TAG" },	{ 0x18, "SELECTOR" },	{ 0x1a, "INSUFFICIENT" },
	{ 0x1b, "SIGNATURE" },	{ 0x1c, "KEY" },	{ 0x1d, "POLICY_FAIL" },
	{ 0x1f, "INTEGRITY" },	{ 0x20, "TICKET" },	{ 0x21, "RESERVED_BITS" },
	{ 0x22, "BAD_AUTH" },	{ 0x23, "EXPIRED" },	{ 0x24, "POLICY_CC" },
	{ 0x25, "BINDING" },	{ 0x26, "CURVE" },	{ 0x27, "ECC_POINT" },
};

/* Format-zero errors of TPM 2.0: TPM_RC_VER1 (0x100) + n. */
static const struct rc_name ver1[] = {
	{ 0x00, "INITIALIZE" },
	{ 0x01, "FAILURE" },
	{ 0x03, "SEQUENCE" },
	{ 0x0b, "PRIVATE" },
	{ 0x19, "HMAC" },
	{ 0x20, "DISABLED" },
	{ 0x21, "EXCLUSIVE" },
	{ 0x24, "AUTH_TYPE" },
	{ 0x25, "AUTH_MISSING" },
	{ 0x26, "POLICY" },
	{ 0x27, "PCR" },
	{ 0x28, "PCR_CHANGED" },
	{ 0x2d, "UPGRADE" },
	{ 0x2e, "TOO_MANY_CONTEXTS" },
	{ 0x2f, "AUTH_UNAVAILABLE" },
	{ 0x30, "REBOOT" },
	{ 0x31, "UNBALANCED" },
	{ 0x42, "COMMAND_SIZE" },
	{ 0x43, "COMMAND_CODE" },
	{ 0x44, "AUTHSIZE" },
	{ 0x45, "AUTH_CONTEXT" },
	{ 0x46, "NV_RANGE" },
	{ 0x47, "NV_SIZE" },
	{ 0x48, "NV_LOCKED" },
	{ 0x49, "NV_AUTHORIZATION" },
	{ 0x4a, "NV_UNINITIALIZED" },
	{ 0x4b, "NV_SPACE" },
	{ 0x4c, "NV_DEFINED" },
	{ 0x50, "BAD_CONTEXT" },
	{ 0x51, "CPHASH" },
	{ 0x52, "PARENT" },
	{ 0x53, "NEEDS_TEST" },
	{ 0x54, "NO_RESULT" },
	{ 0x55, "SENSITIVE" },
};

/* Warnings: TPM_RC_WARN (0x900) + n. */
static const struct rc_name warn[] = {
	{ 0x01, "CONTEXT_GAP" }, { 0x02, "OBJECT_MEMORY" },   { 0x03, "SESSION_MEMORY" },
	{ 0x04, "MEMORY" },	 { 0x05, "SESSION_HANDLES" }, { 0x06, "OBJECT_HANDLES" },
	{ 0x07, "LOCALITY" },	 { 0x08, "YIELDED" },	      { 0x09, "CANCELED" },
	{ 0x0a, "TESTING" },	 { 0x20, "NV_RATE" },	      { 0x21, "LOCKOUT" },
	{ 0x22, "RETRY" },	 { 0x23, "NV_UNAVAILABLE" },
};

static const char *lookup(const struct rc_name *t, size_t n, unsigned int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].n == code)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, code) lookup(t, sizeof(t) / sizeof(t[0]), code)

const char *tao_tpm_rc_str(uint32_t rc, char *buf, size_t len)
{
	const char *name;

	if (rc == 0) {
		snprintf(buf, len, "TPM_RC_SUCCESS");
	} else if (rc & 0x080) {
		unsigned int code = rc & 0x3f;
		char where[24] = "";

		if (rc & 0x040)
			snprintf(where, sizeof(where), " (parameter %u)", (rc >> 8) & 0xf);
		else if ((rc >> 8) & 0x7)
			snprintf(where, sizeof(where), " (%s %u)",
				 rc & 0x800 ? "session" : "handle", (rc >> 8) & 0x7);
		name = LOOKUP(fmt1, code);
		if (name)
			snprintf(buf, len, "TPM_RC_%s%s", name, where);
		else
			snprintf(buf, len, "format-one error 0x%02x%s", code, where);
	} else if (!(rc & 0x100)) {
		snprintf(buf, len, "a TPM 1.2 response code");
	} else if (rc & 0x400) {
		snprintf(buf, len, "vendor-defined response code");
	} else if (rc & 0x800) {
		unsigned int code = rc & 0x7f;

		name = LOOKUP(warn, code);
		if (name)
			snprintf(buf, len, "TPM_RC_%s", name);
		else if (code >= 0x10 && code <= 0x1e && code != 0x17)
			snprintf(buf, len, "TPM_RC_REFERENCE_%c%u", code < 0x18 ? 'H' : 'S',
				 code & 0x7);
		else
			snprintf(buf, len, "warning 0x%02x", code);
	} else {
		unsigned int code = rc & 0x7f;

		name = LOOKUP(ver1, code);
		if (name)
			snprintf(buf, len, "TPM_RC_%s", name);
		else
			snprintf(buf, len, "format-zero error 0x%02x", code);
	}
	return buf;
}
