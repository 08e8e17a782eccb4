// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taod.conf and taod.conf.d/ (taod.conf(5)).
 */
#include "taod_conf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "tao_ini.h"

enum kind { K_URL, K_PATH, K_STR, K_DURATION, K_BOOL, K_PCT, K_FILES };

struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
};

#define KEY(s, n, k, f)                                \
	{                                              \
		s, n, k, offsetof(struct taod_conf, f) \
	}
static const struct key keys[] = {
	KEY("registrar", "url", K_URL, url),
	KEY("registrar", "ca", K_PATH, ca),
	KEY("registrar", "timeout", K_DURATION, timeout_ms),
	KEY("device", "state_dir", K_PATH, state_dir),
	KEY("device", "tcti", K_STR, tcti),
	KEY("enroll", "ldevid", K_BOOL, ldevid),
	KEY("enroll", "renew_before", K_DURATION, renew_before_ms),
	KEY("attest", "interval", K_DURATION, interval_ms),
	KEY("retry", "initial", K_DURATION, initial_ms),
	KEY("retry", "max", K_DURATION, max_ms),
	KEY("retry", "jitter", K_PCT, jitter_pct),
	KEY("retry", "refused", K_DURATION, refused_ms),
	KEY("measure", "config", K_BOOL, measure_config),
	KEY("measure", "self", K_BOOL, measure_self),
	KEY("measure", "files", K_FILES, files),
	KEY("bus", "enable", K_BOOL, bus),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct parse {
	struct taod_conf *c;
	const char *file;
	FILE *f;
	int line;
	bool seen[NKEYS];
	char err[512];
};

static int fail(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, sizeof(p->err), "%s:%d: ", p->file, line);
	if (n < 0 || (size_t)n >= sizeof(p->err))
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

int taod_duration_parse(const char *s, long *ms)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = { { "ms", 1 },	   { "s", 1000 },     { "sec", 1000 },
		      { "min", 60000 },	   { "m", 60000 },    { "h", 3600000 },
		      { "hour", 3600000 }, { "d", 86400000 }, { "", 1000 } };
	char *end;
	unsigned long long n;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n == 0)
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		/* At most 30 days: a longer period is a mistake, and it keeps the sums in range. */
		if (n > 30ull * 86400000 / (unsigned long long)units[i].ms)
			return -ERANGE;
		*ms = (long)n * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

static int set_files(struct parse *p, int line, const char *v)
{
	struct taod_conf *c = p->c;
	const char *s = v;

	c->n_files = 0;
	while (*s) {
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		n = strcspn(s, " \t");
		if (*s != '/')
			return fail(p, line, "[measure] files: '%.*s' is not an absolute path",
				    (int)n, s);
		if (n >= PATH_MAX)
			return fail(p, line, "[measure] files: a path is too long");
		if (c->n_files == TAOD_MEASURE_MAX)
			return fail(p, line, "[measure] files: more than %d files",
				    TAOD_MEASURE_MAX);
		memcpy(c->files[c->n_files], s, n);
		c->files[c->n_files][n] = '\0';
		c->n_files++;
		s += n;
	}
	return 1;
}

static int set_url(struct parse *p, int line, const char *v)
{
	const char *host = v + 8;

	if (strncmp(v, "https://", 8) != 0)
		return fail(p, line, "[registrar] url: '%s' is not an https:// URL", v);
	if (!*host || *host == '/' || *host == ':')
		return fail(p, line, "[registrar] url: '%s' names no host", v);
	if (strlen(v) >= TAOD_URL_MAX)
		return fail(p, line, "[registrar] url: longer than %d characters",
			    TAOD_URL_MAX - 1);
	for (const char *s = v; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return fail(p, line, "[registrar] url: spaces or control characters");
	snprintf(p->c->url, sizeof(p->c->url), "%s", v);
	/* No trailing slash: the client appends its paths. */
	for (size_t n = strlen(p->c->url); n > 8 && p->c->url[n - 1] == '/'; n--)
		p->c->url[n - 1] = '\0';
	return 1;
}

/*
 * libinih as Debian builds it passes no line numbers: count them in the reader. A line it would
 * split or a section name it would cut is refused here (tao_ini.h).
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(str, num, p->f), why[96];

	if (!r || p->err[0])
		return NULL;
	p->line++;
	if (tao_ini_line_check(r, num, p->f, why, sizeof(why)) < 0) {
		fail(p, p->line, "%s", why);
		return NULL;
	}
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	int line = p->line;
	void *field;
	size_t i;

	if (p->err[0])
		return 0;
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			break;
	if (i == NKEYS) {
		for (size_t j = 0; j < NKEYS; j++)
			if (!strcmp(keys[j].section, section))
				return fail(p, line, "[%s] has no key '%s'", section, name);
		return *section ? fail(p, line, "unknown section [%s]", section)
				: fail(p, line, "'%s' is outside any section", name);
	}
	if (p->seen[i])
		return fail(p, line, "[%s] %s is set twice in this file", section, name);
	p->seen[i] = true;
	field = (char *)p->c + keys[i].off;
	switch (keys[i].kind) {
	case K_URL:
		return set_url(p, line, value);
	case K_PATH:
		if (*value != '/')
			return fail(p, line, "[%s] %s: '%s' is not an absolute path", section, name,
				    value);
		if (strlen(value) >= PATH_MAX)
			return fail(p, line, "[%s] %s: the path is too long", section, name);
		snprintf(field, PATH_MAX, "%s", value);
		return 1;
	case K_STR:
		if (strlen(value) >= sizeof(p->c->tcti))
			return fail(p, line, "[%s] %s: longer than %zu characters", section, name,
				    sizeof(p->c->tcti) - 1);
		snprintf(field, sizeof(p->c->tcti), "%s", value);
		return 1;
	case K_DURATION: {
		int rc = taod_duration_parse(value, field);

		if (rc == -ERANGE)
			return fail(p, line, "[%s] %s: '%s' is longer than 30 days", section, name,
				    value);
		if (rc < 0)
			return fail(p, line,
				    "[%s] %s: '%s' is not a duration (e.g. 500ms, 30s, 5min, 1h)",
				    section, name, value);
		return 1;
	}
	case K_BOOL:
		if (!parse_bool(value, field))
			return fail(p, line, "[%s] %s: '%s' is not yes or no", section, name,
				    value);
		return 1;
	case K_PCT: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(value, &end, 10);
		if (errno || end == value || *end || n > 100 || *value < '0' || *value > '9')
			return fail(p, line, "[%s] %s: '%s' is not a percentage from 0 to 100",
				    section, name, value);
		*(unsigned int *)field = (unsigned int)n;
		return 1;
	}
	case K_FILES:
		return set_files(p, line, value);
	}
	return 0;
}

static int load_one(struct taod_conf *c, const char *file, char *err, size_t errlen)
{
	struct parse p = { .c = c, .file = file };
	struct stat st;
	int rc;

	if (c->n_sources == TAOD_CONF_MAX_FILES) {
		snprintf(err, errlen, "%s: more than %d configuration files", file,
			 TAOD_CONF_MAX_FILES);
		return -E2BIG;
	}
	p.f = fopen(file, "re");
	if (!p.f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return rc;
	}
	if (fstat(fileno(p.f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(p.f);
		snprintf(err, errlen, "%s: not a regular file", file);
		return -EINVAL;
	}
	snprintf(c->sources[c->n_sources++], PATH_MAX, "%s", file);
	rc = ini_parse_stream(reader, &p, handler, &p);
	fclose(p.f);
	if (rc == -2) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	if (p.err[0]) {
		snprintf(err, errlen, "%s", p.err);
		return -EINVAL;
	}
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: not a section header, key = value or comment", file,
			 rc);
		return -EINVAL;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int taod_conf_load(const char *path, struct taod_conf *c, char *err, size_t errlen)
{
	char dir[PATH_MAX], file[PATH_MAX];
	char *names[TAOD_CONF_MAX_FILES];
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int rc;

	memset(c, 0, sizeof(*c));
	c->timeout_ms = 30000;
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", TAOD_STATE_DEFAULT);
	c->ldevid = true;
	c->renew_before_ms = 30L * 86400000;
	c->interval_ms = 3600000;
	c->initial_ms = 2000;
	c->max_ms = 300000;
	c->jitter_pct = 50;
	c->refused_ms = 3600000;
	c->measure_config = true;
	c->measure_self = true;
	c->bus = true;

	rc = load_one(c, path, err, errlen);
	if (rc < 0)
		return rc;
	if (snprintf(dir, sizeof(dir), "%s.d", path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: the path is too long", path);
		return -ENAMETOOLONG;
	}
	d = opendir(dir);
	if (!d && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (n + 1 == TAOD_CONF_MAX_FILES) {
			snprintf(err, errlen, "%s: more than %d drop-ins", dir,
				 TAOD_CONF_MAX_FILES - 1);
			rc = -E2BIG;
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			break;
		}
		n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (rc >= 0) {
			if (snprintf(file, sizeof(file), "%s/%s", dir, names[i]) >=
			    (int)sizeof(file)) {
				snprintf(err, errlen, "%s/%s: the path is too long", dir, names[i]);
				rc = -ENAMETOOLONG;
			} else {
				rc = load_one(c, file, err, errlen);
			}
		}
		free(names[i]);
	}
	if (rc < 0)
		return rc;
	if (!c->url[0]) {
		snprintf(err, errlen, "%s: [registrar] url is required (no file sets it)", path);
		return -EINVAL;
	}
	if (!c->ca[0] && snprintf(c->ca, sizeof(c->ca), "%s/registrar-ca.pem", c->state_dir) >=
				 (int)sizeof(c->ca)) {
		snprintf(err, errlen, "%s: [device] state_dir is too long", path);
		return -ENAMETOOLONG;
	}
	if (c->initial_ms > c->max_ms) {
		snprintf(err, errlen, "%s: [retry] initial (%ld ms) is longer than max (%ld ms)",
			 path, c->initial_ms, c->max_ms);
		return -EINVAL;
	}
	return 0;
}
