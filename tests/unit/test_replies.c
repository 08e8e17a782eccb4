// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for the reply parsers of PCR_READ, MEASURE, LOG_GET, KEY_LIST, KEY_BIND, QUOTE and
 * GET_RANDOM (and the renderings of what they parse): good replies, forward compatibility, and
 * malformed replies refused with a precise message and the output untouched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "reply.h"
#include "tao_keys.h"
#include "tao_log.h"
#include "tao_pcr_values.h"
#include "tao_quote.h"
#include "tao_random.h"

#define SHA1   0x0004
#define SHA256 0x000b

static struct nl_msg *msg_new(int cmd)
{
	/* Room for 384 PCR values; nlmsg_alloc() gives a page, and nla_put() fails beyond. */
	struct nl_msg *msg = nlmsg_alloc_size(65536);

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, TEST_FAMILY, 0, 0, (uint8_t)cmd,
				    TAO_GENL_VERSION));
	return msg;
}

/* Run parse on msg (and free it); it must fail with rc and exactly want, out untouched. */
#define REFUSED(parse, type, msg, rc, want)                                           \
	do {                                                                          \
		struct nl_msg *m_ = (msg);                                            \
		type *out_ = malloc(sizeof(type)), *before_ = malloc(sizeof(type));   \
		char err_[TAO_ERRMSG_MAX];                                            \
		memset(out_, 0x5a, sizeof(type));                                     \
		memcpy(before_, out_, sizeof(type));                                  \
		assert_int_equal(parse(nlmsg_hdr(m_), out_, err_, sizeof(err_)), rc); \
		assert_string_equal(err_, want);                                      \
		assert_memory_equal(out_, before_, sizeof(type));                     \
		free(out_);                                                           \
		free(before_);                                                        \
		nlmsg_free(m_);                                                       \
	} while (0)

static char *printed(int (*print)(FILE *, const void *), const void *what)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(print(f, what), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void assert_json(struct json_object *obj, const char *want)
{
	assert_non_null(obj);
	assert_string_equal(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), want);
	json_object_put(obj);
}

/* ---- PCR_READ ---- */

/* One TAO_A_PCR_VALUES_ENTRY; a negative field is left out. */
static void put_value(struct nl_msg *msg, int alg, int index, int size, int fill)
{
	struct nlattr *e = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);
	uint8_t digest[80];

	memset(digest, fill, sizeof(digest));
	if (alg >= 0)
		nla_put_u16(msg, TAO_A_PCR_ALG, (uint16_t)alg);
	if (index >= 0)
		nla_put_u32(msg, TAO_A_PCR_INDEX, (uint32_t)index);
	if (size >= 0)
		nla_put(msg, TAO_A_PCR_DIGEST, size, digest);
	nla_nest_end(msg, e);
}

static struct nl_msg *pcr_reply(int n, const int (*v)[4])
{
	struct nl_msg *msg = msg_new(TAO_CMD_PCR_READ);
	struct nlattr *nest = nla_nest_start(msg, TAO_A_PCR_VALUES);

	for (int i = 0; i < n; i++)
		put_value(msg, v[i][0], v[i][1], v[i][2], v[i][3]);
	nla_nest_end_keep_empty(msg, nest);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 42);
	return msg;
}

static int print_pcrs(FILE *f, const void *v)
{
	return tao_pcr_values_print(f, v);
}

static void test_pcr_read(void **state)
{
	static const int v[][4] = { { SHA256, 13, 32, 0xaa },
				    { SHA1, 0, 20, 0x01 },
				    { SHA256, 0, 32, 0xbb } };
	struct nl_msg *msg = pcr_reply(3, v);
	struct tao_pcr_read *r = malloc(sizeof(*r));
	struct tao_pcr_selection sel;
	char err[TAO_ERRMSG_MAX], *text;

	(void)state;
	/* Something a later version may add, inside and outside the nest. */
	nla_put_u32(msg, TAO_A_MAX + 1, 1);
	assert_int_equal(tao_pcr_read_parse(nlmsg_hdr(msg), r, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(r->update_counter, 42);
	/* Banks in the order they came, PCRs ascending. */
	assert_int_equal(r->values.n, 3);
	assert_int_equal(r->values.v[0].alg, SHA256);
	assert_int_equal(r->values.v[0].index, 0);
	assert_int_equal(r->values.v[0].digest[0], 0xbb);
	assert_int_equal(r->values.v[1].alg, SHA256);
	assert_int_equal(r->values.v[1].index, 13);
	assert_int_equal(r->values.v[2].alg, SHA1);
	assert_int_equal(r->values.v[2].size, 20);
	assert_ptr_equal(tao_pcr_values_find(&r->values, SHA1, 0), &r->values.v[2]);
	assert_null(tao_pcr_values_find(&r->values, SHA1, 13));

	tao_pcr_values_selection(&r->values, &sel);
	assert_int_equal(sel.n, 2);
	assert_int_equal(sel.banks[0].mask, (1u << 13) | 1);
	assert_int_equal(sel.banks[1].mask, 1);
	assert_int_equal(tao_pcr_values_check(&r->values, &sel, err, sizeof(err)), 0);
	sel.banks[1].mask = 3;
	assert_int_equal(tao_pcr_values_check(&r->values, &sel, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "the reply lacks PCR 1 of bank sha1");
	sel.banks[1].mask = 1;
	sel.n = 1;
	assert_int_equal(tao_pcr_values_check(&r->values, &sel, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "the reply has PCR 0 of bank sha1, which was not selected");

	assert_json(tao_pcr_values_to_json(&r->values),
		    "{\"sha256\":{"
		    "\"0\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
		    "\"13\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
		    "\"sha1\":{\"0\":\"0101010101010101010101010101010101010101\"}}");
	text = printed(print_pcrs, &r->values);
	assert_string_equal(
		text, "sha256:\n"
		      "   0: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
		      "  13: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
		      "sha1:\n"
		      "   0: 0101010101010101010101010101010101010101\n");
	free(text);
	free(r);
}

static void test_pcr_read_refused(void **state)
{
	struct nl_msg *msg;

	(void)state;
	msg = msg_new(TAO_CMD_PCR_READ);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 1);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES is missing");
	msg = pcr_reply(1, (const int[][4]){ { SHA256, 0, 32, 0 } });
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 1);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_UPDATE_COUNTER appears twice");
	msg = msg_new(TAO_CMD_QUOTE);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EPROTO,
		"reply has command 7, expected TAO_CMD_PCR_READ (2)");
	msg = pcr_reply(0, NULL);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES has no entries");
	msg = pcr_reply(1, (const int[][4]){ { SHA256, 24, 32, 0 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 1: PCR index 24 is outside 0..23");
	msg = pcr_reply(1, (const int[][4]){ { SHA256, -1, 32, 0 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 1: TAO_A_PCR_INDEX is missing");
	msg = pcr_reply(2, (const int[][4]){ { SHA1, 0, 20, 0 }, { SHA256, 0, 20, 0 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 2: sha256 digest is 20 bytes long, expected 32");
	msg = pcr_reply(1, (const int[][4]){ { SHA1, 0, 65, 0 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 1: TAO_A_PCR_DIGEST is 65 bytes long, expected 1 to 64");
	msg = pcr_reply(2, (const int[][4]){ { 0x1234, 0, 32, 0 }, { 0x1234, 1, 20, 0 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 2: bank 0x1234 has digests of 32 and 20 bytes");
	msg = pcr_reply(2, (const int[][4]){ { SHA256, 13, 32, 0 }, { SHA256, 13, 32, 1 } });
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 2: PCR 13 of bank 0x000b is listed twice");
	msg = pcr_reply(0, NULL);
	{
		/* The nest holds one entry whose alg is a u32. */
		struct nlattr *nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
		struct nlattr *e = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);

		nla_put_u32(msg, TAO_A_PCR_ALG, SHA256);
		nla_nest_end(msg, e);
		nla_nest_end(msg, nest);
	}
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES appears twice");
}

static void test_pcr_read_bounds(void **state)
{
	struct nl_msg *msg = msg_new(TAO_CMD_PCR_READ);
	struct nlattr *nest;

	(void)state;
	/* 17 banks of one PCR each. */
	nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
	for (int b = 0; b < 17; b++)
		put_value(msg, 0x100 + b, 0, 8, 0);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 1);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES entry 17: more than 16 banks");
	/* All 384 PCRs of 16 banks are fine; one entry more is not. */
	msg = msg_new(TAO_CMD_PCR_READ);
	nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
	for (int b = 0; b < 16; b++)
		for (int i = 0; i < 24; i++)
			put_value(msg, 0x100 + b, i, 8, i);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 1);
	{
		struct tao_pcr_read *r = malloc(sizeof(*r));
		char err[TAO_ERRMSG_MAX];

		assert_int_equal(tao_pcr_read_parse(nlmsg_hdr(msg), r, err, sizeof(err)), 0);
		assert_int_equal(r->values.n, 384);
		assert_int_equal(r->values.v[383].alg, 0x10f);
		assert_int_equal(r->values.v[383].index, 23);
		free(r);
	}
	nlmsg_free(msg);
	msg = msg_new(TAO_CMD_PCR_READ);
	nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
	for (int i = 0; i < 385; i++)
		put_value(msg, 0x100 + i / 24, i % 24, 8, 0);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 1);
	REFUSED(tao_pcr_read_parse, struct tao_pcr_read, msg, -EBADMSG,
		"TAO_A_PCR_VALUES has more than 384 entries");
}

/* ---- MEASURE ---- */

static void test_measure(void **state)
{
	struct nl_msg *msg = msg_new(TAO_CMD_MEASURE);
	char err[TAO_ERRMSG_MAX];
	uint32_t seq = 0;

	(void)state;
	nla_put_u32(msg, TAO_A_EVENT_SEQ, 77);
	assert_int_equal(tao_measure_parse(nlmsg_hdr(msg), &seq, err, sizeof(err)), 0);
	assert_int_equal(seq, 77);
	nlmsg_free(msg);
	msg = msg_new(TAO_CMD_MEASURE);
	REFUSED(tao_measure_parse, uint32_t, msg, -EBADMSG, "TAO_A_EVENT_SEQ is missing");
	msg = msg_new(TAO_CMD_MEASURE);
	nla_put_u16(msg, TAO_A_EVENT_SEQ, 1);
	REFUSED(tao_measure_parse, uint32_t, msg, -EBADMSG,
		"TAO_A_EVENT_SEQ is 2 bytes long, expected 4");
}

/* ---- LOG_GET ---- */

#define OMIT_DATA (1ull << 63)

/* A log entry message: seq, PCR 13, type, name, sha256 + sha1 digests (fill), data. */
static struct nl_msg *log_msg(uint32_t seq, uint32_t type, const char *name, const char *data,
			      unsigned long long omit)
{
	struct nl_msg *msg = msg_new(TAO_CMD_LOG_GET);

	if (!(omit & OMIT(TAO_A_EVENT_SEQ)))
		nla_put_u32(msg, TAO_A_EVENT_SEQ, seq);
	if (!(omit & OMIT(TAO_A_LOG_PCR)))
		nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	if (!(omit & OMIT(TAO_A_EVENT_TYPE)))
		nla_put_u32(msg, TAO_A_EVENT_TYPE, type);
	if (!(omit & OMIT(TAO_A_EVENT_NAME)))
		nla_put_string(msg, TAO_A_EVENT_NAME, name);
	if (!(omit & OMIT(TAO_A_EVENT_DIGESTS)))
		reply_put_digests(msg, TAO_A_EVENT_DIGESTS, 2,
				  (const int[][3]){ { SHA256, 32, 0xab }, { SHA1, 20, 0xcd } });
	if (data && !(omit & OMIT_DATA))
		nla_put(msg, TAO_A_EVENT_DATA, (int)strlen(data), data);
	return msg;
}

static int print_entry(FILE *f, const void *e)
{
	return tao_log_entry_print(f, e);
}

static void test_log_entry(void **state)
{
	struct nl_msg *msg = log_msg(5, 0xffff0001, "tao", "version 0.1.0\n", 0);
	struct tao_log_entry e;
	char err[TAO_ERRMSG_MAX], *text;

	(void)state;
	assert_int_equal(tao_log_entry_parse(nlmsg_hdr(msg), &e, err, sizeof(err)), 0);
	assert_int_equal(e.seq, 5);
	assert_int_equal(e.pcr, 13);
	assert_int_equal(e.type, 0xffff0001);
	assert_string_equal(e.name, "tao");
	assert_int_equal(e.name_len, 3);
	assert_true(e.has_data);
	assert_int_equal(e.data_len, 14);
	assert_memory_equal(e.data, "version 0.1.0\n", 14);
	/* Parsed in place: the data is the message's, not a copy. */
	assert_true((const uint8_t *)e.data > (const uint8_t *)nlmsg_hdr(msg) &&
		    (const uint8_t *)e.data <
			    (const uint8_t *)nlmsg_hdr(msg) + nlmsg_hdr(msg)->nlmsg_len);
	assert_int_equal(e.digests.n, 2);
	assert_int_equal(e.digests.d[1].alg, SHA1);
	assert_json(
		tao_log_entry_to_json(&e),
		"{\"seq\":5,\"pcr\":13,\"type\":\"0xffff0001\",\"type_name\":\"module_load\","
		"\"name\":\"tao\",\"digests\":{"
		"\"sha256\":\"abababababababababababababababababababababababababababababababab\","
		"\"sha1\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"},"
		"\"data\":\"dmVyc2lvbiAwLjEuMAo=\"}");
	text = printed(print_entry, &e);
	assert_string_equal(text, "5       0xffff0001 module_load tao                      "
				  "sha256:abababababababab  14\n");
	free(text);
	nlmsg_free(msg);

	/* Digests only, a name with UTF-8, and what a later version may add. */
	msg = log_msg(6, 0x10, "caf\xc3\xa9", NULL, 0);
	nla_put_u32(msg, TAO_A_MAX + 5, 1);
	assert_int_equal(tao_log_entry_parse(nlmsg_hdr(msg), &e, err, sizeof(err)), 0);
	assert_false(e.has_data);
	assert_json(
		tao_log_entry_to_json(&e),
		"{\"seq\":6,\"pcr\":13,\"type\":\"0x00000010\",\"name\":\"caf\xc3\xa9\","
		"\"digests\":{"
		"\"sha256\":\"abababababababababababababababababababababababababababababababab\","
		"\"sha1\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"}}");
	text = printed(print_entry, &e);
	assert_string_equal(text, "6       0x00000010             caf\xc3\xa9                    "
				  "sha256:abababababababab  -\n");
	free(text);
	nlmsg_free(msg);

	/* Empty data is data. */
	msg = log_msg(7, 3, "e", "", 0);
	assert_int_equal(tao_log_entry_parse(nlmsg_hdr(msg), &e, err, sizeof(err)), 0);
	assert_true(e.has_data);
	assert_int_equal(e.data_len, 0);
	nlmsg_free(msg);
	{
		/* The header line. */
		char *hdr = NULL;
		size_t len;
		FILE *f = open_memstream(&hdr, &len);

		assert_int_equal(tao_log_print_header(f), 0);
		fclose(f);
		assert_string_equal(hdr, "SEQ     TYPE                   NAME                     "
					 "DIGEST                   DATA\n");
		free(hdr);
	}
}

static void test_log_entry_refused(void **state)
{
	static const int required[] = { TAO_A_EVENT_SEQ, TAO_A_LOG_PCR, TAO_A_EVENT_TYPE,
					TAO_A_EVENT_NAME, TAO_A_EVENT_DIGESTS };
	static const char *const missing[] = {
		"TAO_A_EVENT_SEQ is missing",	  "TAO_A_LOG_PCR is missing",
		"TAO_A_EVENT_TYPE is missing",	  "TAO_A_EVENT_NAME is missing",
		"TAO_A_EVENT_DIGESTS is missing",
	};
	char big[TAO_EVENT_DATA_MAX + 2];
	struct nl_msg *msg;

	(void)state;
	for (size_t i = 0; i < 5; i++)
		REFUSED(tao_log_entry_parse, struct tao_log_entry,
			log_msg(1, 1, "n", "d", OMIT(required[i])), -EBADMSG, missing[i]);
	msg = log_msg(1, 1, "n", NULL, OMIT(TAO_A_LOG_PCR));
	nla_put_u32(msg, TAO_A_LOG_PCR, 24);
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EBADMSG,
		"TAO_A_LOG_PCR 24 is outside 0..23");
	REFUSED(tao_log_entry_parse, struct tao_log_entry, log_msg(1, 1, "", NULL, 0), -EBADMSG,
		"TAO_A_EVENT_NAME is empty");
	REFUSED(tao_log_entry_parse, struct tao_log_entry, log_msg(1, 1, "a\tb", NULL, 0), -EBADMSG,
		"TAO_A_EVENT_NAME has control character 0x09 at byte 1");
	REFUSED(tao_log_entry_parse, struct tao_log_entry, log_msg(1, 1, "a\x7f", NULL, 0),
		-EBADMSG, "TAO_A_EVENT_NAME has control character 0x7f at byte 1");
	{
		char name[TAO_EVENT_NAME_MAX + 2];

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		REFUSED(tao_log_entry_parse, struct tao_log_entry, log_msg(1, 1, name, NULL, 0),
			-EBADMSG,
			"TAO_A_EVENT_NAME is 257 bytes long, at most 256 allowed including the "
			"NUL");
	}
	msg = log_msg(1, 1, "n", NULL, OMIT(TAO_A_EVENT_NAME));
	nla_put(msg, TAO_A_EVENT_NAME, 3, "a\0b");
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EBADMSG,
		"TAO_A_EVENT_NAME is not NUL-terminated");
	msg = log_msg(1, 1, "n", NULL, OMIT(TAO_A_EVENT_NAME));
	nla_put(msg, TAO_A_EVENT_NAME, 4, "a\0b");
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EBADMSG,
		"TAO_A_EVENT_NAME has a NUL byte before its end");
	/* Data beyond MEASURE's limit: refused for a caller's entry, fine for the module's. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	REFUSED(tao_log_entry_parse, struct tao_log_entry, log_msg(1, 1, "n", big, 0), -EBADMSG,
		"TAO_A_EVENT_DATA is 4097 bytes long, at most 4096 allowed");
	{
		struct tao_log_entry e;
		char err[TAO_ERRMSG_MAX];

		msg = log_msg(1, TAO_EVENT_MODULE_LOAD, "n", big, 0);
		assert_int_equal(tao_log_entry_parse(nlmsg_hdr(msg), &e, err, sizeof(err)), 0);
		assert_int_equal(e.data_len, TAO_EVENT_DATA_MAX + 1);
		nlmsg_free(msg);
	}
	msg = log_msg(1, 1, "n", NULL, OMIT(TAO_A_EVENT_DIGESTS));
	nla_nest_end_keep_empty(msg, nla_nest_start(msg, TAO_A_EVENT_DIGESTS));
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EBADMSG,
		"TAO_A_EVENT_DIGESTS has no entries");
	msg = log_msg(1, 1, "n", NULL, OMIT(TAO_A_EVENT_DIGESTS));
	reply_put_digests(msg, TAO_A_EVENT_DIGESTS, 1, (const int[][3]){ { SHA1, 32, 0 } });
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EBADMSG,
		"TAO_A_EVENT_DIGESTS entry 1: sha1 digest is 32 bytes long, expected 20");
	msg = msg_new(TAO_CMD_KEY_LIST);
	REFUSED(tao_log_entry_parse, struct tao_log_entry, msg, -EPROTO,
		"reply has command 5, expected TAO_CMD_LOG_GET (4)");
}

/* ---- KEY_LIST and KEY_BIND ---- */

#define OMIT_ALL_KEY ~0ull

struct key_args {
	uint32_t handle, status;
	int role; /* < 0: none */
	bool pub, name;
	const uint8_t *bound_name; /* NULL: none */
	size_t bound_name_len;
};

static uint8_t *ak_pub, *ak_name;
static size_t ak_pub_len, ak_name_len;

static int load_key(void **state)
{
	(void)state;
	ak_pub = vector_load("ak.pub", &ak_pub_len);
	ak_name = vector_load("ak.name", &ak_name_len);
	return 0;
}

static int free_key(void **state)
{
	(void)state;
	free(ak_pub);
	free(ak_name);
	return 0;
}

static struct nl_msg *key_msg(const struct key_args *a)
{
	struct nl_msg *msg = msg_new(TAO_CMD_KEY_LIST);

	nla_put_u32(msg, TAO_A_KEY_HANDLE, a->handle);
	nla_put_u32(msg, TAO_A_KEY_STATUS, a->status);
	if (a->pub)
		nla_put(msg, TAO_A_KEY_PUBLIC, (int)ak_pub_len, ak_pub);
	if (a->name)
		nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
	if (a->role >= 0)
		nla_put_u32(msg, TAO_A_KEY_ROLE, (uint32_t)a->role);
	if (a->bound_name)
		nla_put(msg, TAO_A_KEY_BOUND_NAME, (int)a->bound_name_len, a->bound_name);
	return msg;
}

static int print_key(FILE *f, const void *k)
{
	return tao_key_entry_print(f, k);
}

#define AK_NAME_HEX "000b74fa03f661e0d951daf8ee25cb82af84e67c60f192497ac4bd91f7c98ac7ca2f"

static void test_key_entries(void **state)
{
	struct tao_key_entry *k = malloc(sizeof(*k));
	uint8_t other[34];
	char err[TAO_ERRMSG_MAX], *text;
	struct nl_msg *msg;

	(void)state;
	/* An unbound key. */
	msg = key_msg(&(struct key_args){ 0x81000002, TAO_KEY_STATUS_OK, -1, true, true, NULL, 0 });
	assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(k->handle, 0x81000002);
	assert_int_equal(k->status, TAO_KEY_STATUS_OK);
	assert_false(k->has_role);
	assert_int_equal(k->public_len, ak_pub_len);
	assert_memory_equal(k->public_area, ak_pub, ak_pub_len);
	assert_int_equal(k->name_len, ak_name_len);
	assert_int_equal(k->bound_name_len, 0);
	text = printed(print_key, k);
	assert_string_equal(text,
			    "0x81000002  ok          -       ecc nist_p256   " AK_NAME_HEX "\n");
	free(text);

	/* Bound, as bound. */
	msg = key_msg(&(struct key_args){ 0x81000002, TAO_KEY_STATUS_OK, TAO_KEY_ROLE_IAK, true,
					  true, ak_name, ak_name_len });
	assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_true(k->has_role);
	assert_int_equal(k->role, TAO_KEY_ROLE_IAK);
	assert_memory_equal(k->bound_name, ak_name, ak_name_len);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "{\"handle\":\"0x81000002\",\"status\":\"ok\",\"role\":\"iak\","
			 "\"key\":\"ecc nist_p256\",\"name\":\"" AK_NAME_HEX "\","
			 "\"bound_name\":\"" AK_NAME_HEX "\",\"public\":\"%s\"}",
			 "00580023000b00050072000000100018000b000300100020c758f4e5d8c86805b1366523"
			 "c1cf2db68620faea67377bb858071334b43e6e810020b67934b524a8380f3c9caae509eb"
			 "8436cdd1cc866c6c9faff8bba8c3106f2bd2");
		assert_json(tao_key_entry_to_json(k), want);
	}

	/* Another key at the bound handle. */
	memcpy(other, ak_name, sizeof(other));
	other[33] ^= 1;
	msg = key_msg(&(struct key_args){ 0x81000002, TAO_KEY_STATUS_MISMATCH, TAO_KEY_ROLE_AK,
					  true, true, other, sizeof(other) });
	assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(k->status, TAO_KEY_STATUS_MISMATCH);

	/* A bound key that is gone: only its binding is left. */
	msg = key_msg(&(struct key_args){ 0x81000005, TAO_KEY_STATUS_MISSING, TAO_KEY_ROLE_LDEVID,
					  false, false, ak_name, ak_name_len });
	assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(k->public_len, 0);
	assert_int_equal(k->name_len, 0);
	assert_json(tao_key_entry_to_json(k),
		    "{\"handle\":\"0x81000005\",\"status\":\"missing\",\"role\":\"ldevid\","
		    "\"bound_name\":\"" AK_NAME_HEX "\"}");
	text = printed(print_key, k);
	assert_string_equal(text,
			    "0x81000005  missing     ldevid  -               " AK_NAME_HEX "\n");
	free(text);

	/* A key the TPM would not read. */
	msg = key_msg(&(struct key_args){ 0x81ffffff, TAO_KEY_STATUS_UNREADABLE, -1, false, false,
					  NULL, 0 });
	assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_json(tao_key_entry_to_json(k),
		    "{\"handle\":\"0x81ffffff\",\"status\":\"unreadable\"}");

	/* A public area that is not an RSA or ECC key: listed, its type unknown. */
	{
		static const uint8_t keyedhash[] = {
			0, 10, 0x00, 0x08, 0x00, 0x0b, 0, 0, 0, 0, 0, 0
		};

		msg = msg_new(TAO_CMD_KEY_LIST);
		nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
		nla_put_u32(msg, TAO_A_KEY_STATUS, TAO_KEY_STATUS_OK);
		nla_put(msg, TAO_A_KEY_PUBLIC, sizeof(keyedhash), keyedhash);
		nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
		assert_int_equal(tao_key_entry_parse(nlmsg_hdr(msg), k, err, sizeof(err)), 0);
		nlmsg_free(msg);
		text = printed(print_key, k);
		assert_string_equal(
			text, "0x81000001  ok          -       ?               " AK_NAME_HEX "\n");
		free(text);
	}
	free(k);
}

static void test_key_entries_refused(void **state)
{
	uint8_t other[34], short_name[5] = { 0, 0x0b, 1, 2, 3 };
	struct nl_msg *msg;

	(void)state;
	memcpy(other, ak_name, sizeof(other));
	other[33] ^= 1;
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x80000001, TAO_KEY_STATUS_OK, -1, true, true, NULL,
					    0 }),
		-EBADMSG, "TAO_A_KEY_HANDLE 0x80000001 is not a persistent handle");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, 4, -1, true, true, NULL, 0 }), -EBADMSG,
		"TAO_A_KEY_STATUS has unknown value 4");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, -1, false, true, NULL,
					    0 }),
		-EBADMSG, "TAO_A_KEY_PUBLIC is missing for a key with status ok");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, -1, true, false, NULL,
					    0 }),
		-EBADMSG, "TAO_A_KEY_NAME is missing for a key with status ok");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_MISSING, 1, true, true,
					    ak_name, ak_name_len }),
		-EBADMSG, "a key with status missing has TAO_A_KEY_PUBLIC");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_UNREADABLE, -1, false, true,
					    NULL, 0 }),
		-EBADMSG, "a key with status unreadable has TAO_A_KEY_NAME");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, 1, true, true, NULL,
					    0 }),
		-EBADMSG, "TAO_A_KEY_BOUND_NAME is missing for a bound key");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, -1, true, true, ak_name,
					    ak_name_len }),
		-EBADMSG, "TAO_A_KEY_BOUND_NAME comes without a role");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_MISSING, -1, false, false,
					    NULL, 0 }),
		-EBADMSG, "TAO_A_KEY_ROLE is missing for a key with status missing");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, 5, true, true, ak_name,
					    ak_name_len }),
		-EBADMSG, "TAO_A_KEY_ROLE has unknown value 5");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_OK, 1, true, true, other,
					    sizeof(other) }),
		-EBADMSG, "status ok, but TAO_A_KEY_NAME differs from TAO_A_KEY_BOUND_NAME");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_MISMATCH, 1, true, true,
					    ak_name, ak_name_len }),
		-EBADMSG, "status mismatch, but TAO_A_KEY_NAME is TAO_A_KEY_BOUND_NAME");
	REFUSED(tao_key_entry_parse, struct tao_key_entry,
		key_msg(&(struct key_args){ 0x81000001, TAO_KEY_STATUS_MISSING, 1, false, false,
					    short_name, sizeof(short_name) }),
		-EBADMSG, "TAO_A_KEY_BOUND_NAME is 5 bytes long; a sha256 Name has 34");
	/* TAO_A_KEY_PUBLIC must be a TPM2B_PUBLIC: with its size, as the TPM returned it. */
	msg = msg_new(TAO_CMD_KEY_LIST);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
	nla_put_u32(msg, TAO_A_KEY_STATUS, TAO_KEY_STATUS_OK);
	nla_put(msg, TAO_A_KEY_PUBLIC, (int)ak_pub_len - 2, ak_pub + 2);
	nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
	REFUSED(tao_key_entry_parse, struct tao_key_entry, msg, -EBADMSG,
		"TAO_A_KEY_PUBLIC is a TPM2B_PUBLIC of 86 bytes whose size says 35");
	msg = msg_new(TAO_CMD_KEY_LIST);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
	nla_put_u32(msg, TAO_A_KEY_STATUS, TAO_KEY_STATUS_OK);
	nla_put(msg, TAO_A_KEY_PUBLIC, 1, ak_pub);
	REFUSED(tao_key_entry_parse, struct tao_key_entry, msg, -EBADMSG,
		"TAO_A_KEY_PUBLIC is 1 bytes long, expected 2 to 1024");
}

static void test_key_bind(void **state)
{
	struct tao_key_bind_reply b;
	char err[TAO_ERRMSG_MAX];
	struct nl_msg *msg = msg_new(TAO_CMD_KEY_BIND);

	(void)state;
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_IDEVID);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
	nla_put_u32(msg, TAO_A_EVENT_SEQ, 9);
	assert_int_equal(tao_key_bind_parse(nlmsg_hdr(msg), &b, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(b.role, TAO_KEY_ROLE_IDEVID);
	assert_int_equal(b.handle, 0x81000002);
	assert_memory_equal(b.name, ak_name, ak_name_len);
	assert_true(b.measured);
	assert_int_equal(b.seq, 9);
	assert_json(tao_key_bind_to_json(&b), "{\"role\":\"idevid\",\"handle\":\"0x81000002\","
					      "\"name\":\"" AK_NAME_HEX "\",\"seq\":9}");
	/* Bound already: nothing measured, no sequence number. */
	msg = msg_new(TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_IDEVID);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
	assert_int_equal(tao_key_bind_parse(nlmsg_hdr(msg), &b, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_false(b.measured);
	assert_json(tao_key_bind_to_json(&b), "{\"role\":\"idevid\",\"handle\":\"0x81000002\","
					      "\"name\":\"" AK_NAME_HEX "\"}");

	msg = msg_new(TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_IDEVID);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	REFUSED(tao_key_bind_parse, struct tao_key_bind_reply, msg, -EBADMSG,
		"TAO_A_KEY_NAME is missing");
	msg = msg_new(TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, 0);
	REFUSED(tao_key_bind_parse, struct tao_key_bind_reply, msg, -EBADMSG,
		"TAO_A_KEY_ROLE has unknown value 0");
	msg = msg_new(TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, 1);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x82000000);
	REFUSED(tao_key_bind_parse, struct tao_key_bind_reply, msg, -EBADMSG,
		"TAO_A_KEY_HANDLE 0x82000000 is not a persistent handle");
}

/* ---- QUOTE ---- */

struct quote_parts {
	uint8_t *attest, *sig, *vals;
	size_t attest_len, sig_len, vals_len;
};

/* quote.msg quotes sha256:0,1,7 and sha1:0-7; quote.vals has their values in that order. */
static struct nl_msg *quote_msg(const struct quote_parts *q, int drop_value, int extra_value,
				unsigned long long omit)
{
	struct nl_msg *msg = msg_new(TAO_CMD_QUOTE);
	struct nlattr *nest;
	static const int pcrs[][2] = { { SHA256, 0 }, { SHA256, 1 }, { SHA256, 7 }, { SHA1, 0 },
				       { SHA1, 1 },   { SHA1, 2 },   { SHA1, 3 },   { SHA1, 4 },
				       { SHA1, 5 },   { SHA1, 6 },   { SHA1, 7 } };
	size_t off = 0;

	if (!(omit & OMIT(TAO_A_QUOTE_ATTEST)))
		nla_put(msg, TAO_A_QUOTE_ATTEST, (int)q->attest_len, q->attest);
	if (!(omit & OMIT(TAO_A_QUOTE_SIGNATURE)))
		nla_put(msg, TAO_A_QUOTE_SIGNATURE, (int)q->sig_len, q->sig);
	nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
	/* In another order than the quote's: the parser sorts. */
	for (int i = 10; i >= 0; i--) {
		int size = pcrs[i][0] == SHA1 ? 20 : 32;
		struct nlattr *e;

		off = (size_t)(i < 3 ? 32 * i : 96 + 20 * (i - 3));
		if (i == drop_value)
			continue;
		e = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);
		nla_put_u16(msg, TAO_A_PCR_ALG, (uint16_t)pcrs[i][0]);
		nla_put_u32(msg, TAO_A_PCR_INDEX, (uint32_t)pcrs[i][1]);
		nla_put(msg, TAO_A_PCR_DIGEST, size, q->vals + off);
		nla_nest_end(msg, e);
	}
	if (extra_value >= 0)
		put_value(msg, SHA1, extra_value, 20, 0);
	nla_nest_end(msg, nest);
	if (!(omit & OMIT(TAO_A_LOG_ENTRIES)))
		nla_put_u32(msg, TAO_A_LOG_ENTRIES, 5);
	if (!(omit & OMIT(TAO_A_KEY_ROLE)))
		nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_IAK);
	if (!(omit & OMIT(TAO_A_KEY_HANDLE)))
		nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	if (!(omit & OMIT(TAO_A_KEY_NAME)))
		nla_put(msg, TAO_A_KEY_NAME, (int)ak_name_len, ak_name);
	return msg;
}

static void load_quote(struct quote_parts *q)
{
	q->attest = vector_load("quote.msg", &q->attest_len);
	q->sig = vector_load("quote.sig", &q->sig_len);
	q->vals = vector_load("quote.vals", &q->vals_len);
}

static void free_quote(struct quote_parts *q)
{
	free(q->attest);
	free(q->sig);
	free(q->vals);
}

static void test_quote(void **state)
{
	struct tao_quote *out = malloc(sizeof(*out));
	struct quote_parts q;
	char err[TAO_ERRMSG_MAX];
	struct nl_msg *msg;
	struct json_object *json, *v;

	(void)state;
	load_quote(&q);
	msg = quote_msg(&q, -1, -1, 0);
	assert_int_equal(tao_quote_parse(nlmsg_hdr(msg), out, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_int_equal(out->attest_len, q.attest_len);
	assert_memory_equal(out->attest, q.attest, q.attest_len);
	assert_int_equal(out->signature_len, q.sig_len);
	assert_int_equal(out->parsed_attest.type, TAO_TPM_ST_ATTEST_QUOTE);
	assert_int_equal(out->parsed_signature.sig_alg, 0x0018);
	assert_int_equal(out->values.n, 11);
	/* Sorted into the quote's order. */
	assert_int_equal(out->values.v[0].alg, SHA1);
	assert_int_equal(out->values.v[7].index, 7);
	assert_int_equal(out->values.v[8].alg, SHA256);
	assert_int_equal(out->log_entries, 5);
	assert_int_equal(out->role, TAO_KEY_ROLE_IAK);
	assert_int_equal(out->handle, 0x81000002);
	assert_memory_equal(out->key_name, ak_name, ak_name_len);

	json = tao_quote_to_json(out);
	assert_non_null(json);
	assert_true(json_object_object_get_ex(json, "nonce", &v));
	assert_string_equal(json_object_get_string(v), "0123456789abcdef0011223344556677");
	assert_true(json_object_object_get_ex(json, "log_entries", &v));
	assert_int_equal(json_object_get_int(v), 5);
	assert_true(json_object_object_get_ex(json, "signature", &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			    "{\"algorithm\":\"ecdsa\",\"hash\":\"sha256\"}");
	assert_true(json_object_object_get_ex(json, "key_name", &v));
	assert_string_equal(json_object_get_string(v), AK_NAME_HEX);
	assert_true(json_object_object_get_ex(json, "attest", &v));
	assert_true(json_object_object_get_ex(json, "pcrs", &v));
	assert_true(json_object_object_get_ex(json, "quote_msg", &v));
	assert_int_equal(json_object_get_string_len(v), 2 * (int)q.attest_len);
	json_object_put(json);
	free(out);
	free_quote(&q);
}

/* The log's origin in the reply: both attributes or neither. */
static void test_quote_log_origin(void **state)
{
	struct tao_quote *out = malloc(sizeof(*out));
	struct quote_parts q;
	char err[TAO_ERRMSG_MAX];
	struct nl_msg *msg;

	(void)state;
	assert_non_null(out);
	load_quote(&q);
	msg = quote_msg(&q, -1, -1, 0);
	assert_int_equal(tao_quote_parse(nlmsg_hdr(msg), out, err, sizeof(err)), 0);
	assert_false(out->has_log_origin); /* an older module's reply */
	nlmsg_free(msg);

	msg = quote_msg(&q, -1, -1, 0);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 2,
			  (const int[][3]){ { SHA256, 32, 0 }, { SHA1, 20, 0x11 } });
	assert_int_equal(tao_quote_parse(nlmsg_hdr(msg), out, err, sizeof(err)), 0);
	nlmsg_free(msg);
	assert_true(out->has_log_origin);
	assert_int_equal(out->log_pcr, 13);
	assert_int_equal(out->pcr_at_load.n, 2);

	msg = quote_msg(&q, -1, -1, 0);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_LOG_PCR and TAO_A_LOG_PCR_AT_LOAD come together or not at all");
	msg = quote_msg(&q, -1, -1, 0);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { SHA256, 32, 0 } });
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_LOG_PCR and TAO_A_LOG_PCR_AT_LOAD come together or not at all");
	msg = quote_msg(&q, -1, -1, 0);
	nla_put_u32(msg, TAO_A_LOG_PCR, 24);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { SHA256, 32, 0 } });
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_LOG_PCR 24 is outside 0..23");
	msg = quote_msg(&q, -1, -1, 0);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	reply_put_digests(msg, TAO_A_LOG_PCR_AT_LOAD, 1, (const int[][3]){ { SHA256, 31, 0 } });
	assert_int_equal(tao_quote_parse(nlmsg_hdr(msg), out, err, sizeof(err)), -EBADMSG);
	nlmsg_free(msg);
	free(out);
	free_quote(&q);
}

static void test_quote_refused(void **state)
{
	static const int required[] = { TAO_A_QUOTE_ATTEST, TAO_A_QUOTE_SIGNATURE,
					TAO_A_LOG_ENTRIES,  TAO_A_KEY_ROLE,
					TAO_A_KEY_HANDLE,   TAO_A_KEY_NAME };
	static const char *const missing[] = {
		"TAO_A_QUOTE_ATTEST is missing", "TAO_A_QUOTE_SIGNATURE is missing",
		"TAO_A_LOG_ENTRIES is missing",	 "TAO_A_KEY_ROLE is missing",
		"TAO_A_KEY_HANDLE is missing",	 "TAO_A_KEY_NAME is missing",
	};
	struct quote_parts q;
	struct nl_msg *msg;

	(void)state;
	load_quote(&q);
	for (size_t i = 0; i < 6; i++)
		REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, -1, -1, OMIT(required[i])),
			-EBADMSG, missing[i]);
	/* The PCR values must be exactly those quoted. */
	REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, 10, -1, 0), -EBADMSG,
		"TAO_A_PCR_VALUES do not match the quote: the reply lacks PCR 7 of bank sha1");
	REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, -1, 9, 0), -EBADMSG,
		"TAO_A_PCR_VALUES do not match the quote: the reply has PCR 9 of bank sha1, which "
		"was not selected");
	/* A broken attestation or signature. */
	q.attest[0] = 0;
	REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, -1, -1, 0), -EBADMSG,
		"TAO_A_QUOTE_ATTEST: TPMS_ATTEST has magic 0x00544347, not TPM_GENERATED_VALUE "
		"(0xff544347)");
	q.attest[0] = 0xff;
	q.attest[5] = 0x17; /* certify: the bytes no longer fit */
	REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, -1, -1, 0), -EBADMSG,
		"TAO_A_QUOTE_ATTEST: TPMS_ATTEST has 44 trailing bytes after its end at offset "
		"91");
	q.attest[5] = 0x18;
	q.sig_len--;
	REFUSED(tao_quote_parse, struct tao_quote, quote_msg(&q, -1, -1, 0), -EBADMSG,
		"TAO_A_QUOTE_SIGNATURE: TPMT_SIGNATURE is truncated: signature.signatureS needs 32 "
		"bytes at offset 40, 31 left");
	q.sig_len++;
	/* Role, handle and Name. */
	msg = quote_msg(&q, -1, -1, OMIT(TAO_A_KEY_ROLE));
	nla_put_u32(msg, TAO_A_KEY_ROLE, 9);
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_KEY_ROLE has unknown value 9");
	msg = quote_msg(&q, -1, -1, OMIT(TAO_A_KEY_HANDLE));
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x80000000);
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_KEY_HANDLE 0x80000000 is not a persistent handle");
	msg = quote_msg(&q, -1, -1, OMIT(TAO_A_KEY_NAME));
	nla_put(msg, TAO_A_KEY_NAME, 3, "\x00\x0b\x01");
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_KEY_NAME is 3 bytes long; a sha256 Name has 34");
	msg = quote_msg(&q, -1, -1, OMIT(TAO_A_QUOTE_ATTEST));
	{
		uint8_t big[TAO_ATTEST_MAX + 1] = { 0 };

		nla_put(msg, TAO_A_QUOTE_ATTEST, sizeof(big), big);
	}
	REFUSED(tao_quote_parse, struct tao_quote, msg, -EBADMSG,
		"TAO_A_QUOTE_ATTEST is 2049 bytes long, expected 1 to 2048");
	free_quote(&q);
}

/* ---- GET_RANDOM ---- */

static void test_random(void **state)
{
	uint8_t buf[8] = { 0 };
	char err[TAO_ERRMSG_MAX];
	struct nl_msg *msg = msg_new(TAO_CMD_GET_RANDOM);
	uint8_t big[TAO_RANDOM_MAX + 1] = { 0 };

	(void)state;
	nla_put(msg, TAO_A_RANDOM, 4, "\x01\x02\x03\x04");
	assert_int_equal(tao_random_parse(nlmsg_hdr(msg), buf, 4, err, sizeof(err)), 0);
	assert_memory_equal(buf, "\x01\x02\x03\x04\x00", 5);
	/* Fewer or more bytes than asked for. */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(tao_random_parse(nlmsg_hdr(msg), buf, 5, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "TAO_A_RANDOM has 4 bytes, 5 were asked for");
	assert_int_equal(tao_random_parse(nlmsg_hdr(msg), buf, 3, err, sizeof(err)), -EBADMSG);
	assert_int_equal(buf[0], 0x5a);
	nlmsg_free(msg);
	msg = msg_new(TAO_CMD_GET_RANDOM);
	nla_put(msg, TAO_A_RANDOM, sizeof(big), big);
	assert_int_equal(tao_random_parse(nlmsg_hdr(msg), buf, 4, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "TAO_A_RANDOM is 129 bytes long, expected 1 to 128");
	nlmsg_free(msg);
	msg = msg_new(TAO_CMD_GET_RANDOM);
	assert_int_equal(tao_random_parse(nlmsg_hdr(msg), buf, 4, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "TAO_A_RANDOM is missing");
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcr_read),	cmocka_unit_test(test_pcr_read_refused),
		cmocka_unit_test(test_pcr_read_bounds), cmocka_unit_test(test_measure),
		cmocka_unit_test(test_log_entry),	cmocka_unit_test(test_log_entry_refused),
		cmocka_unit_test(test_key_entries),	cmocka_unit_test(test_key_entries_refused),
		cmocka_unit_test(test_key_bind),	cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_refused),	cmocka_unit_test(test_quote_log_origin),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests_name("tao replies", tests, load_key, free_key);
}
