/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Small helpers every part of libtao and its programs share. */
#ifndef TAO_UTIL_H
#define TAO_UTIL_H

#include <stddef.h>

/* Format a message into err (when err and errlen are given) and return rc. */
__attribute__((format(printf, 4, 5))) int tao_errf(char *err, size_t errlen, int rc,
						   const char *fmt, ...);

/* CLOCK_MONOTONIC in milliseconds (for phase timings). */
double tao_mono_ms(void);

#endif /* TAO_UTIL_H */
