// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Log entries (TAO_CMD_LOG_GET dump messages): parser, JSON and one-line renderings. */
#include "tao_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <openssl/evp.h>

#include "tao_cleanup.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"

static const int entry_attrs[] = {
	TAO_A_EVENT_SEQ, TAO_A_LOG_PCR, TAO_A_EVENT_TYPE, TAO_A_EVENT_NAME, TAO_A_EVENT_DIGESTS,
};

/* An event name: 1..TAO_EVENT_NAME_MAX bytes (the policy bounded it), no control characters. */
static int check_name(const char *name, size_t len, struct tao_perr *e)
{
	if (len == 0)
		return tao_fail(e, -EBADMSG, "TAO_A_EVENT_NAME is empty");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return tao_fail(e, -EBADMSG,
					"TAO_A_EVENT_NAME has control character 0x%02x at byte %zu",
					c, i);
	}
	return 0;
}

int tao_log_entry_parse(struct nlmsghdr *nlh, struct tao_log_entry *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	struct tao_log_entry entry;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(&entry, 0, sizeof(entry));
	rc = tao_genl_parse(nlh, TAO_CMD_LOG_GET, tb, &e);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(entry_attrs) / sizeof(entry_attrs[0]); i++) {
		rc = tao_nla_require(tb, entry_attrs[i], tao_attr_policy, "", &e);
		if (rc)
			return rc;
	}
	entry.seq = nla_get_u32(tb[TAO_A_EVENT_SEQ]);
	entry.pcr = nla_get_u32(tb[TAO_A_LOG_PCR]);
	if (entry.pcr >= TAO_PCR_COUNT)
		return tao_fail(&e, -EBADMSG, "TAO_A_LOG_PCR %u is outside 0..%d", entry.pcr,
				TAO_PCR_COUNT - 1);
	entry.type = nla_get_u32(tb[TAO_A_EVENT_TYPE]);
	entry.name = nla_data(tb[TAO_A_EVENT_NAME]);
	entry.name_len = strlen(entry.name);
	rc = check_name(entry.name, entry.name_len, &e);
	if (rc)
		return rc;
	rc = tao_digest_list_parse(tb[TAO_A_EVENT_DIGESTS], "TAO_A_EVENT_DIGESTS", &entry.digests,
				   err, errlen);
	if (rc)
		return rc;
	if (tb[TAO_A_EVENT_DATA]) {
		entry.has_data = true;
		entry.data = nla_data(tb[TAO_A_EVENT_DATA]);
		entry.data_len = (size_t)nla_len(tb[TAO_A_EVENT_DATA]);
		/* MEASURE takes no more; only the module's own entries may carry more. */
		if (entry.type < TAO_EVENT_MODULE_BASE && entry.data_len > TAO_EVENT_DATA_MAX)
			return tao_fail(&e, -EBADMSG,
					"TAO_A_EVENT_DATA is %zu bytes long, at most %d allowed",
					entry.data_len, TAO_EVENT_DATA_MAX);
	}
	*out = entry;
	return 0;
}

int tao_measure_parse(struct nlmsghdr *nlh, uint32_t *seq, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if ((rc = tao_genl_parse(nlh, TAO_CMD_MEASURE, tb, &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_EVENT_SEQ, tao_attr_policy, "", &e)))
		return rc;
	*seq = nla_get_u32(tb[TAO_A_EVENT_SEQ]);
	return 0;
}

static struct json_object *base64(const uint8_t *buf, size_t len)
{
	TAO_CLEANUP(tao_freep) unsigned char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n;

	if (!out || len > INT32_MAX / 2)
		return NULL;
	n = EVP_EncodeBlock(out, buf, (int)len);
	return n < 0 ? NULL : json_object_new_string_len((const char *)out, n);
}

struct json_object *tao_log_entry_to_json(const struct tao_log_entry *entry)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	const char *type_name = tao_event_type_name(entry->type);

	if (!obj || !tao_json_put(obj, "seq", json_object_new_int64(entry->seq)) ||
	    !tao_json_put(obj, "pcr", json_object_new_int64(entry->pcr)) ||
	    !tao_json_put(obj, "type", tao_json_hex32(entry->type, 8)))
		return NULL;
	if (type_name && !tao_json_put(obj, "type_name", json_object_new_string(type_name)))
		return NULL;
	if (!tao_json_put(obj, "name",
			  json_object_new_string_len(entry->name, (int)entry->name_len)) ||
	    !tao_json_put(obj, "digests", tao_digest_list_to_json(&entry->digests)))
		return NULL;
	if (entry->has_data && !tao_json_put(obj, "data", base64(entry->data, entry->data_len)))
		return NULL;
	return tao_steal_ptr(&obj);
}

#define LINE_FMT "%-7s %-22s %-24s %-24s %s\n"

int tao_log_print_header(FILE *f)
{
	fprintf(f, LINE_FMT, "SEQ", "TYPE", "NAME", "DIGEST", "DATA");
	return ferror(f) ? -EIO : 0;
}

int tao_log_entry_print(FILE *f, const struct tao_log_entry *entry)
{
	const char *type_name = tao_event_type_name(entry->type);
	char seq[12], type[32], digest[48] = "-", size[24] = "-";

	snprintf(seq, sizeof(seq), "%" PRIu32, entry->seq);
	snprintf(type, sizeof(type), "0x%08" PRIx32 "%s%s", entry->type, type_name ? " " : "",
		 type_name ? type_name : "");
	if (entry->digests.n) {
		const struct tao_digest *d = &entry->digests.d[0];
		char hex[17], key[8];

		tao_hex_encode(d->bytes, d->size < 8 ? d->size : 8, hex);
		snprintf(digest, sizeof(digest), "%s:%s", tao_json_bank_key(d->alg, key), hex);
	}
	if (entry->has_data)
		snprintf(size, sizeof(size), "%zu", entry->data_len);
	fprintf(f, LINE_FMT, seq, type, entry->name, digest, size);
	return ferror(f) ? -EIO : 0;
}
