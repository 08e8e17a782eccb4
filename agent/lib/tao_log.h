/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Measurement log entries as TAO_CMD_LOG_GET dumps them: the strict parser of one dump message,
 * and the entry's JSON and one-line human renderings.
 */
#ifndef TAO_LOG_H
#define TAO_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tao_digest.h"

struct nlmsghdr;
struct json_object;

/*
 * One log entry. name and data point into the message that was parsed (or wherever the caller
 * built the entry from): they are valid as long as it is.
 */
struct tao_log_entry {
	uint32_t seq;
	uint32_t pcr;	  /* 0..23 */
	uint32_t type;	  /* from TAO_EVENT_MODULE_BASE up: the module's own */
	const char *name; /* NUL-terminated, 1..TAO_EVENT_NAME_MAX bytes, no control characters */
	size_t name_len;
	struct tao_digest_list digests; /* the data digest D_b of every bank */
	bool has_data;			/* measured from data, which the log kept */
	const uint8_t *data;
	size_t data_len; /* 0..TAO_EVENT_DATA_MAX for MEASURE's entries */
};

/*
 * Parse one TAO_CMD_LOG_GET dump message; as tao_info_parse(). *out is untouched on failure;
 * on success its pointers point into nlh.
 */
int tao_log_entry_parse(struct nlmsghdr *nlh, struct tao_log_entry *out, char *err, size_t errlen);

/* Parse the reply of TAO_CMD_MEASURE: the new entry's sequence number. As tao_info_parse(). */
int tao_measure_parse(struct nlmsghdr *nlh, uint32_t *seq, char *err, size_t errlen);

/*
 * {"seq": 0, "pcr": 13, "type": "0xffff0001", "type_name": "module_load", "name": "tao",
 *  "digests": {"sha256": "hex", ...}, "data": "base64"}; type_name only for the module's own
 * types, data only when the entry has data. NULL without memory.
 */
struct json_object *tao_log_entry_to_json(const struct tao_log_entry *entry);

/* The column headings matching tao_log_entry_print(). */
int tao_log_print_header(FILE *f);

/*
 * One line: seq, type (hex, and the name of the module's own types), name, the first bank's
 * digest (its first 8 bytes), and the data size or "-" for an entry measured from digests.
 */
int tao_log_entry_print(FILE *f, const struct tao_log_entry *entry);

#endif /* TAO_LOG_H */
