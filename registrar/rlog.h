/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Structured logs of the registrar: one event per line with key=value fields (logfmt) on stderr,
 * or, when stderr is connected to the journal (systemd's $JOURNAL_STREAM), native journal
 * entries whose fields are TAO_EVENT, TAO_<KEY> (upper case) next to MESSAGE and PRIORITY.
 */
#ifndef TAO_REGISTRAR_RLOG_H
#define TAO_REGISTRAR_RLOG_H

#include <stdbool.h>

/* syslog priorities */
enum rlog_level {
	RLOG_ERR = 3,
	RLOG_WARNING = 4,
	RLOG_NOTICE = 5,
	RLOG_INFO = 6,
	RLOG_DEBUG = 7,
};

/* Events below min are dropped; journal: -1 detect from $JOURNAL_STREAM, 0 never, 1 always. */
void rlog_init(enum rlog_level min, int journal);

/* "err", "warning", "notice", "info", "debug" -> level; -1 for another word. */
int rlog_level_parse(const char *s);

/*
 * Log event (a short machine-readable name, "attest") with a human message and fields given as
 * key, value string pairs ending with NULL. A NULL value skips its key.
 */
void rlog(enum rlog_level level, const char *event, const char *msg, ...) __attribute__((sentinel));

#endif
