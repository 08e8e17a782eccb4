/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Hexadecimal encoding and decoding of byte strings (lower-case out, either case in). */
#ifndef TAO_HEX_H
#define TAO_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2 * len lower-case hex digits and a NUL to out (2 * len + 1 bytes). Returns out. */
char *tao_hex_encode(const uint8_t *buf, size_t len, char *out);

/* The same into a malloc()ed string; NULL when out of memory. */
char *tao_hex_alloc(const uint8_t *buf, size_t len);

/*
 * Decode the hex digits of s (no prefix, no spaces, an even number of digits; "" is zero bytes)
 * into out[0..max). Returns the number of bytes, -EINVAL for a bad digit or an odd count, or
 * -E2BIG when s holds more than max bytes. out is untouched on failure.
 */
int tao_hex_decode(const char *s, uint8_t *out, size_t max);

#endif /* TAO_HEX_H */
