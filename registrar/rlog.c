// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Structured logs: logfmt on stderr, or native journal fields under systemd. */
#include "rlog.h"
#include "tao_util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define MAX_FIELDS 24

static enum rlog_level min_level = RLOG_INFO;
static bool to_journal;

void rlog_init(enum rlog_level min, int journal)
{
	min_level = min;
	to_journal = journal < 0 ? tao_stderr_is_journal() : journal > 0;
}

int rlog_level_parse(const char *s)
{
	static const struct {
		const char *name;
		enum rlog_level level;
	} names[] = {
		{ "err", RLOG_ERR },	   { "error", RLOG_ERR }, { "warning", RLOG_WARNING },
		{ "notice", RLOG_NOTICE }, { "info", RLOG_INFO }, { "debug", RLOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return (int)names[i].level;
	return -1;
}

static const char *level_name(enum rlog_level l)
{
	switch (l) {
	case RLOG_ERR:
		return "err";
	case RLOG_WARNING:
		return "warning";
	case RLOG_NOTICE:
		return "notice";
	case RLOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* A logfmt value: bare when it is one plain word, else quoted with \" \\ \n escaped. */
static void put_value(FILE *f, const char *v)
{
	bool bare = *v != '\0';

	for (const char *p = v; *p && bare; p++)
		bare = *p > ' ' && *p != '"' && *p != '=' && *p != '\\' && *p != 0x7f;
	if (bare) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < ' ' || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void log_stderr(enum rlog_level level, const char *event, const char *msg,
		       const char *const *kv, int n)
{
	char ts[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "time=%s.%03ldZ level=%s event=%s msg=", ts, now.tv_nsec / 1000000,
		level_name(level), event);
	put_value(stderr, msg);
	for (int i = 0; i < n; i += 2) {
		fprintf(stderr, " %s=", kv[i]);
		put_value(stderr, kv[i + 1]);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
	fflush(stderr);
}

static void log_journal(enum rlog_level level, const char *event, const char *msg,
			const char *const *kv, int n)
{
	struct iovec iov[MAX_FIELDS / 2 + 4];
	char *texts[MAX_FIELDS / 2 + 4] = { 0 };
	int k = 0;

	if (asprintf(&texts[k++], "MESSAGE=%s", msg) < 0 ||
	    asprintf(&texts[k++], "PRIORITY=%d", (int)level) < 0 ||
	    asprintf(&texts[k++], "SYSLOG_IDENTIFIER=tao-registrar") < 0 ||
	    asprintf(&texts[k++], "TAO_EVENT=%s", event) < 0)
		goto out;
	for (int i = 0; i < n; i += 2) {
		char *t;

		if (asprintf(&t, "TAO_%s=%s", kv[i], kv[i + 1]) < 0)
			goto out;
		for (char *p = t + 4; *p && *p != '='; p++)
			*p = (char)(isalnum((unsigned char)*p) ? toupper((unsigned char)*p) : '_');
		texts[k++] = t;
	}
	for (int i = 0; i < k; i++) {
		iov[i].iov_base = texts[i];
		iov[i].iov_len = strlen(texts[i]);
	}
	sd_journal_sendv(iov, k);
out:
	for (int i = 0; i < k; i++)
		free(texts[i]);
}

void rlog(enum rlog_level level, const char *event, const char *msg, ...)
{
	const char *kv[MAX_FIELDS];
	int n = 0;
	va_list ap;

	if (level > min_level)
		return;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *), *v;

		if (!k)
			break;
		v = va_arg(ap, const char *);
		if (v && n < MAX_FIELDS) {
			kv[n++] = k;
			kv[n++] = v;
		}
	}
	va_end(ap);
	if (to_journal)
		log_journal(level, event, msg, kv, n);
	else
		log_stderr(level, event, msg, kv, n);
}
