// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* SCIM value helpers shared by scim_resource.c, scim_filter.c and scim_patch.c. */
#include "scim_value.h"

#include <string.h>
#include <strings.h>

#include <json-c/json.h>

struct json_object *scim_get_ci(const struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (json_object_object_get_ex(o, name, &v))
		return v;
	json_object_object_foreach((struct json_object *)o, k, val)
	{
		if (strcasecmp(k, name) == 0)
			return val;
	}
	return NULL;
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool scim_datetime_parse(const char *s, size_t n, struct scim_datetime *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct scim_datetime local;
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (!out)
		out = &local;
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
	    se > 60)
		return false;
	if (d > mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return false;
	out->frac = s + i;
	out->frac_len = 0;
	if (s[i] == '.') {
		size_t f = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return false;
		out->frac = s + f;
		out->frac_len = i - f;
		while (out->frac_len && out->frac[out->frac_len - 1] == '0')
			out->frac_len--;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		oh = digits(s + i + 1, 2);
		om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	out->secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
		    sign * (oh * 3600 + om * 60);
	return true;
}

int scim_datetime_cmp(const struct scim_datetime *a, const struct scim_datetime *b)
{
	if (a->secs != b->secs)
		return a->secs < b->secs ? -1 : 1;
	for (size_t i = 0; i < a->frac_len || i < b->frac_len; i++) {
		char x = i < a->frac_len ? a->frac[i] : '0', y = i < b->frac_len ? b->frac[i] : '0';

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

bool scim_base64_valid(const char *s, size_t n)
{
	size_t pad = 0;

	if (n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return false; /* data after padding */
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return pad <= 2;
}

const char *scim_type_name(enum scim_type t)
{
	static const char *const names[] = { "string",	 "boolean", "decimal",	 "integer",
					     "dateTime", "binary",  "reference", "complex" };

	return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
