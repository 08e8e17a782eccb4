// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include "tao_ini.h"

#include <string.h>

int tao_ini_line_check(const char *line, int num, FILE *f, char *why, size_t whylen)
{
	size_t n = strlen(line);
	const char *s = line, *end;

	if (n && line[n - 1] != '\n' && !feof(f)) {
		/* num - 1 bytes read, the last of them not the newline: num - 2 characters fit. */
		snprintf(why, whylen, "the line is longer than %d characters", num - 2);
		return -1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[' && (end = strchr(s, ']')) && end - s - 1 > TAO_INI_SECTION_MAX) {
		snprintf(why, whylen, "a section name is longer than %d characters",
			 TAO_INI_SECTION_MAX);
		return -1;
	}
	return 0;
}
