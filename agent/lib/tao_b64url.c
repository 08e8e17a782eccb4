// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* base64url without padding: a strict decoder (one encoding per byte string) and the encoder. */
#include "tao_b64url.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *tao_b64url_encode(const uint8_t *buf, size_t len)
{
	char *out = malloc(len / 3 * 4 + 4 + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8 | buf[i + 2];

		*p++ = alphabet[v >> 18 & 63];
		*p++ = alphabet[v >> 12 & 63];
		*p++ = alphabet[v >> 6 & 63];
		*p++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		*p++ = alphabet[buf[i] >> 2];
		*p++ = alphabet[(buf[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)buf[i] << 8 | buf[i + 1];

		*p++ = alphabet[v >> 10 & 63];
		*p++ = alphabet[v >> 4 & 63];
		*p++ = alphabet[(v & 15) << 2];
	}
	*p = '\0';
	return out;
}

/* The value of each character, or 0xff for one outside the alphabet (built on first use). */
static uint8_t values[256];

static void values_init(void)
{
	memset(values, 0xff, sizeof(values));
	for (int i = 0; i < 64; i++)
		values[(unsigned char)alphabet[i]] = (uint8_t)i;
}

size_t tao_b64url_decoded_len(size_t slen)
{
	return slen / 4 * 3 + (slen % 4 ? slen % 4 - 1 : 0);
}

long tao_b64url_decode(const char *s, size_t slen, uint8_t *out, size_t max)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *u = (const unsigned char *)s;
	size_t n = tao_b64url_decoded_len(slen), o = 0, i = 0;
	uint32_t v, bad;

	if (slen % 4 == 1)
		return -EINVAL;
	if (n > max)
		return -E2BIG;
	pthread_once(&once, values_init);
	for (; i + 4 <= slen; i += 4) {
		bad = values[u[i]] | values[u[i + 1]] | values[u[i + 2]] | values[u[i + 3]];
		if (bad & 0x80)
			return -EINVAL;
		v = (uint32_t)values[u[i]] << 18 | (uint32_t)values[u[i + 1]] << 12 |
		    (uint32_t)values[u[i + 2]] << 6 | values[u[i + 3]];
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	if (slen - i == 2) {
		bad = values[u[i]] | values[u[i + 1]];
		v = (uint32_t)values[u[i]] << 6 | values[u[i + 1]];
		/* Unused bits must be zero: one spelling per byte string. */
		if ((bad & 0x80) || (v & 0xf))
			return -EINVAL;
		out[o++] = (uint8_t)(v >> 4);
	} else if (slen - i == 3) {
		bad = values[u[i]] | values[u[i + 1]] | values[u[i + 2]];
		v = (uint32_t)values[u[i]] << 12 | (uint32_t)values[u[i + 1]] << 6 |
		    values[u[i + 2]];
		if ((bad & 0x80) || (v & 0x3))
			return -EINVAL;
		out[o++] = (uint8_t)(v >> 10);
		out[o++] = (uint8_t)(v >> 2);
	}
	return (long)o;
}
