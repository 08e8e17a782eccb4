/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* base64url without padding (RFC 4648, section 5), as the evidence encoding uses it. */
#ifndef TAO_B64URL_H
#define TAO_B64URL_H

#include <stddef.h>
#include <stdint.h>

/* The encoding of buf[0..len) as a malloc()ed NUL-terminated string; NULL without memory. */
char *tao_b64url_encode(const uint8_t *buf, size_t len);

/*
 * Decode s[0..slen) strictly: only A-Z a-z 0-9 '-' '_', no padding, no length of 1 mod 4, unused
 * trailing bits zero (one encoding per byte string). Writes at most max bytes to out. Returns
 * the number of bytes, -EINVAL for a malformed string, or -E2BIG when it holds more than max.
 */
long tao_b64url_decode(const char *s, size_t slen, uint8_t *out, size_t max);

/* The number of bytes s of slen characters decodes to (no validation). */
size_t tao_b64url_decoded_len(size_t slen);

#endif /* TAO_B64URL_H */
