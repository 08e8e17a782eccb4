/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The line checks the configuration readers of taod (agent/taod_conf.c) and tao-registrar
 * (registrar/config.c) share. libinih, as Debian builds it, reads a line into a buffer of
 * INI_MAX_LINE (200) bytes and a section name into one of 50: a longer line it splits into two
 * (the rest read as a line of its own), a longer section name it cuts, both silently. Each
 * reader (ini_parse_stream's) checks every line it hands on and refuses such a file with the
 * line's number instead.
 */
#ifndef TAO_INI_H
#define TAO_INI_H

#include <stddef.h>
#include <stdio.h>

/* The longest section name libinih keeps whole. */
#define TAO_INI_SECTION_MAX 49

/*
 * line: what fgets(line, num, f) just read. 0 when libinih will read it as written, or -1 with
 * the reason in why: the line is longer than the buffer (it did not end before num - 1 bytes,
 * and f is not at its end), or it opens a section whose name is longer than TAO_INI_SECTION_MAX.
 */
int tao_ini_line_check(const char *line, int num, FILE *f, char *why, size_t whylen);

#endif /* TAO_INI_H */
