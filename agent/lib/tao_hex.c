// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Hexadecimal encoding and decoding of byte strings. */
#include "tao_hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *tao_hex_encode(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0xf];
	}
	out[2 * len] = '\0';
	return out;
}

char *tao_hex_alloc(const uint8_t *buf, size_t len)
{
	char *out = malloc(2 * len + 1);

	return out ? tao_hex_encode(buf, len, out) : NULL;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tao_hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t len = strlen(s);

	if (len % 2)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (nibble(s[i]) < 0)
			return -EINVAL;
	if (len / 2 > max)
		return -E2BIG;
	if (len / 2 > (size_t)INT32_MAX)
		return -E2BIG;
	for (size_t i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]));
	return (int)(len / 2);
}
