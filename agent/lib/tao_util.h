/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Small helpers every part of libtao and its programs share. */
#ifndef TAO_UTIL_H
#define TAO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Format a message into err (when err and errlen are given) and return rc. */
__attribute__((format(printf, 4, 5))) int tao_errf(char *err, size_t errlen, int rc,
						   const char *fmt, ...);

/* CLOCK_MONOTONIC in milliseconds (for phase timings). */
double tao_mono_ms(void);

/*
 * All of the file at path into a malloc()ed, NUL-terminated *out of at most max bytes (*len
 * without the NUL). Returns 0, -EFBIG (larger than max), or the open/read error.
 */
int tao_read_file(const char *path, size_t max, char **out, size_t *len);

/* t (seconds since the Unix epoch) as "YYYY-MM-DDTHH:MM:SSZ" in buf; returns buf. */
const char *tao_utc_text(int64_t t, char *buf, size_t len);

/* Is stderr the journal stream systemd connected (its device and inode in $JOURNAL_STREAM)? */
bool tao_stderr_is_journal(void);

#endif /* TAO_UTIL_H */
