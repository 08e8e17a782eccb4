// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests for the tao_nl client (every request, do and dump) and the extended-ACK decoder,
 * against a scripted fake kernel: the socket's send and receive are libnl overrides.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "reply.h"
#include "tao_ext_ack.h"
#include "tao_nl.h"
#include "tao_nl_internal.h"
#include "tao_replay.h"

/* How the fake kernel answers the next request. */
enum script {
	ANSWER_OK,	      /* reply, ACK */
	ANSWER_FOREIGN_FIRST, /* a message of another family, reply, ACK */
	ANSWER_EPERM,	      /* error with an extended ACK, request echoed */
	ANSWER_EPERM_CAPPED,  /* the same with NETLINK_CAP_ACK */
	ANSWER_EINVAL,	      /* error without an extended ACK */
	ANSWER_BAD_REPLY,     /* a reply without TAO_A_TPM_STATE, ACK */
	ANSWER_ACK_ONLY,
	ANSWER_TWO_REPLIES,
	ANSWER_NOTHING, /* the socket reads end-of-file */
	SEND_FAILS,	/* sendmsg() says ECONNREFUSED */
	RESPOND,	/* fake.respond() answers */
};

#define EXT_ACK_TEXT "tao: GET_INFO needs CAP_NET_ADMIN"

static struct {
	enum script script;
	void (*respond)(void); /* RESPOND: queue the answer to fake.request */
	union {
		struct nlmsghdr hdr;
		unsigned char bytes[8192];
	} request;
	int sends;
	struct {
		unsigned char *buf;
		int len;
	} * queue;
	int head, tail, cap;
	/* Messages per read: the kernel packs a dump's messages into one skb. */
	int batch;
	/* A dump of log entries made as it is read, not all at once: the next and the end. */
	uint32_t gen_next, gen_end;
	int gen_error; /* NLMSG_DONE's error when the generated dump ends */
} fake;

/* Queue msg for fake_recv() as an answer to the last request; frees msg. */
static void queue_msg(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	unsigned char *buf = malloc(nlh->nlmsg_len);

	assert_non_null(buf);
	if (fake.tail == fake.cap) {
		fake.cap = fake.cap ? 2 * fake.cap : 16;
		fake.queue = realloc(fake.queue, (size_t)fake.cap * sizeof(*fake.queue));
		assert_non_null(fake.queue);
	}
	nlh->nlmsg_seq = fake.request.hdr.nlmsg_seq;
	nlh->nlmsg_pid = fake.request.hdr.nlmsg_pid;
	memcpy(buf, nlh, nlh->nlmsg_len);
	fake.queue[fake.tail].buf = buf;
	fake.queue[fake.tail++].len = (int)nlh->nlmsg_len;
	nlmsg_free(msg);
}

/* An NLMSG_ERROR as the kernel builds it; error 0 is the ACK. */
static void queue_error(int error, bool capped, const char *ext_ack)
{
	struct nl_msg *msg = nlmsg_alloc_simple(
		NLMSG_ERROR, (capped ? NLM_F_CAPPED : 0) | (ext_ack ? NLM_F_ACK_TLVS : 0));
	struct nlmsgerr e = { .error = error, .msg = fake.request.hdr };

	assert_int_equal(nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO), 0);
	if (!capped)
		assert_int_equal(nlmsg_append(msg, fake.request.bytes + NLMSG_HDRLEN,
					      fake.request.hdr.nlmsg_len - NLMSG_HDRLEN,
					      NLMSG_ALIGNTO),
				 0);
	if (ext_ack)
		assert_int_equal(nla_put_string(msg, NLMSGERR_ATTR_MSG, ext_ack), 0);
	queue_msg(msg);
}

/* An error with an extended ACK whose cookie carries a TPM response code, as tao sends it. */
static void queue_tpm_error(int error, const char *ext_ack, const void *cookie, int cookie_len)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	struct nlmsgerr e = { .error = error, .msg = fake.request.hdr };

	assert_int_equal(nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO), 0);
	assert_int_equal(nla_put_string(msg, NLMSGERR_ATTR_MSG, ext_ack), 0);
	assert_int_equal(nla_put(msg, NLMSGERR_ATTR_COOKIE, cookie_len, cookie), 0);
	queue_msg(msg);
}

static int fake_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_msg *other;

	(void)sk;
	fake.sends++;
	if (fake.script == SEND_FAILS) {
		errno = ECONNREFUSED;
		return -NLE_FAILURE; /* what libnl makes of an errno it has no code for */
	}
	if (nlh->nlmsg_len > sizeof(fake.request))
		return -NLE_MSGSIZE;
	memcpy(fake.request.bytes, nlh, nlh->nlmsg_len);
	assert_int_equal(fake.head, fake.tail); /* the last answer was all read */
	fake.head = fake.tail = 0;

	switch (fake.script) {
	case ANSWER_FOREIGN_FIRST:
		other = reply_tpm2(OMIT(TAO_A_TPM_STATE));
		nlmsg_hdr(other)->nlmsg_type = TEST_FAMILY + 1;
		queue_msg(other);
		/* fall through */
	case ANSWER_OK:
		queue_msg(reply_tpm2(0));
		queue_error(0, true, NULL);
		break;
	case ANSWER_EPERM:
		queue_error(-EPERM, false, EXT_ACK_TEXT);
		break;
	case ANSWER_EPERM_CAPPED:
		queue_error(-EPERM, true, EXT_ACK_TEXT);
		break;
	case ANSWER_EINVAL:
		queue_error(-EINVAL, false, NULL);
		break;
	case ANSWER_BAD_REPLY:
		queue_msg(reply_tpm2(OMIT(TAO_A_TPM_STATE)));
		queue_error(0, true, NULL);
		break;
	case ANSWER_ACK_ONLY:
		queue_error(0, true, NULL);
		break;
	case ANSWER_TWO_REPLIES:
		queue_msg(reply_tpm2(0));
		queue_msg(reply_tpm2(0));
		queue_error(0, true, NULL);
		break;
	case RESPOND:
		fake.respond();
		break;
	case ANSWER_NOTHING:
	case SEND_FAILS:
		break;
	}
	return (int)nlh->nlmsg_len;
}

static struct nl_msg *log_entry_msg(uint32_t seq);

/* The generated dump's next messages, as many as fit in 32 KiB, then its NLMSG_DONE. */
static void generate(void)
{
	size_t used = 0;

	while (fake.gen_next < fake.gen_end && used < 32000) {
		struct nl_msg *msg = log_entry_msg(fake.gen_next++);

		used += nlmsg_hdr(msg)->nlmsg_len;
		queue_msg(msg);
	}
	if (fake.gen_next == fake.gen_end) {
		struct nl_msg *done = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI);

		nlmsg_append(done, &fake.gen_error, sizeof(fake.gen_error), NLMSG_ALIGNTO);
		queue_msg(done);
		fake.gen_next = fake.gen_end = 0;
	}
}

/* One skb per recvmsg(): one message, or up to fake.batch of them packed together. */
static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *from, unsigned char **buf,
		     struct ucred **creds)
{
	int n = 0, len = 0;
	unsigned char *out;

	(void)sk;
	(void)creds;
	if (fake.head == fake.tail && fake.gen_next < fake.gen_end)
		generate();
	if (fake.head == fake.tail)
		return 0;
	from->nl_family = AF_NETLINK;
	from->nl_pid = 0; /* the kernel */
	if (fake.batch <= 1) {
		*buf = fake.queue[fake.head].buf; /* libnl frees it */
		fake.queue[fake.head].buf = NULL;
		return fake.queue[fake.head++].len;
	}
	while (fake.head + n < fake.tail && n < fake.batch)
		len += NLMSG_ALIGN(fake.queue[fake.head + n++].len);
	out = calloc(1, (size_t)len);
	assert_non_null(out);
	len = 0;
	for (int i = 0; i < n; i++, fake.head++) {
		memcpy(out + len, fake.queue[fake.head].buf, (size_t)fake.queue[fake.head].len);
		len += NLMSG_ALIGN(fake.queue[fake.head].len);
		free(fake.queue[fake.head].buf);
		fake.queue[fake.head].buf = NULL;
	}
	*buf = out;
	return len;
}

static int setup(void **state)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct nl_sock *sk;
	struct tao_nl *nl;

	memset(&fake, 0, sizeof(fake));
	if (!cb)
		return -1;
	nl_cb_overwrite_send(cb, fake_send);
	nl_cb_overwrite_recv(cb, fake_recv);
	sk = nl_socket_alloc_cb(cb);
	nl_cb_put(cb);
	if (!sk || tao_nl_adopt(sk, TEST_FAMILY, &nl) < 0)
		return -1;
	*state = nl;
	return 0;
}

static int teardown(void **state)
{
	tao_nl_close(*state);
	for (int i = 0; i < fake.tail; i++)
		free(fake.queue[i].buf);
	free(fake.queue);
	return 0;
}

/* Run one GET_INFO against the script; assert *info is untouched whenever it fails. */
static int get_info(struct tao_nl *nl, enum script script, struct tao_info *info)
{
	struct tao_info before;
	int rc;

	fake.script = script;
	memset(info, 0x5a, sizeof(*info));
	memcpy(&before, info, sizeof(before));
	rc = tao_nl_get_info(nl, info);
	if (rc)
		assert_memory_equal(info, &before, sizeof(before));
	/* Whatever happened, every queued message was read: the socket is in step. */
	assert_int_equal(fake.head, fake.tail);
	return rc;
}

static void test_request_and_reply(void **state)
{
	struct tao_nl *nl = *state;
	struct genlmsghdr *gh = nlmsg_data(&fake.request.hdr);
	struct tao_info info;
	uint32_t first_seq;

	assert_int_equal(get_info(nl, ANSWER_OK, &info), 0);
	assert_reference_tpm2(&info);
	assert_string_equal(tao_nl_last_error(nl), "");

	/* The request: GET_INFO, version 1, no attributes, asking for an ACK. */
	assert_int_equal(fake.sends, 1);
	assert_int_equal(fake.request.hdr.nlmsg_type, TEST_FAMILY);
	assert_int_equal(fake.request.hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(fake.request.hdr.nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
	assert_int_equal(gh->cmd, TAO_CMD_GET_INFO);
	assert_int_equal(gh->version, TAO_GENL_VERSION);
	assert_int_equal(gh->reserved, 0);
	first_seq = fake.request.hdr.nlmsg_seq;

	/* The handle is reusable, with the next sequence number. */
	assert_int_equal(get_info(nl, ANSWER_FOREIGN_FIRST, &info), 0);
	assert_reference_tpm2(&info);
	assert_int_equal(fake.request.hdr.nlmsg_seq, first_seq + 1);
}

static void test_kernel_error_with_ext_ack(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_info info;

	assert_int_equal(get_info(nl, ANSWER_EPERM, &info), -EPERM);
	assert_string_equal(tao_nl_last_error(nl), EXT_ACK_TEXT);
	assert_int_equal(get_info(nl, ANSWER_EPERM_CAPPED, &info), -EPERM);
	assert_string_equal(tao_nl_last_error(nl), EXT_ACK_TEXT);
}

static void test_kernel_error_without_ext_ack(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_info info;

	assert_int_equal(get_info(nl, ANSWER_EINVAL, &info), -EINVAL);
	assert_string_equal(tao_nl_last_error(nl), "");
}

static void test_bad_reply(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_info info;

	assert_int_equal(get_info(nl, ANSWER_BAD_REPLY, &info), -EBADMSG);
	assert_string_equal(tao_nl_last_error(nl), "TAO_A_TPM_STATE is missing");
	/* The ACK was drained, so the next exchange works. */
	assert_int_equal(get_info(nl, ANSWER_OK, &info), 0);
	assert_string_equal(tao_nl_last_error(nl), "");
}

static void test_protocol_violations(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_info info;

	assert_int_equal(get_info(nl, ANSWER_ACK_ONLY, &info), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl),
			    "the kernel acknowledged TAO_CMD_GET_INFO without a reply");
	assert_int_equal(get_info(nl, ANSWER_TWO_REPLIES, &info), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl), "more than one reply to TAO_CMD_GET_INFO");
	assert_int_equal(get_info(nl, ANSWER_NOTHING, &info), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl), "the kernel closed the exchange without an ACK");
}

static void test_send_fails(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_info info;

	assert_int_equal(get_info(nl, SEND_FAILS, &info), -ECONNREFUSED);
	assert_string_equal(tao_nl_last_error(nl), "sending TAO_CMD_GET_INFO failed");
}

static void test_ext_ack_decoder(void **state)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS);
	struct nlmsgerr e = { .error = -EINVAL };
	char buf[8];

	(void)state;
	/* The echoed request claims to be longer than the whole message. */
	e.msg.nlmsg_len = 4096;
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "x");
	assert_int_equal(tao_ext_ack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), -EBADMSG);
	nlmsg_free(msg);

	/* A long message is truncated to the buffer, NUL-terminated. */
	msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED);
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "attribute 7 is bogus");
	assert_int_equal(tao_ext_ack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), 7);
	assert_string_equal(buf, "attribu");
	nlmsg_free(msg);

	/* Not an error message at all. */
	msg = reply_tpm2(0);
	assert_int_equal(tao_ext_ack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	nlmsg_free(msg);
}

/* ---- The requests beyond GET_INFO ---- */

/* The request's genl header and attribute type of the last request, or NULL. */
static struct genlmsghdr *request_genl(void)
{
	return nlmsg_data(&fake.request.hdr);
}

static struct nlattr *request_attr(int type)
{
	return nlmsg_find_attr(&fake.request.hdr, GENL_HDRLEN, type);
}

/* A reply of the family for cmd; NLM_F_MULTI for a dump's messages. */
static struct nl_msg *reply_for(int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(65536);

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, TEST_FAMILY, 0, flags,
				    (uint8_t)cmd, TAO_GENL_VERSION));
	return msg;
}

/* A dump's end: NLMSG_DONE with its error and, if ext_ack, an extended ACK. */
static void queue_done(int error, const char *ext_ack)
{
	struct nl_msg *msg =
		nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | (ext_ack ? NLM_F_ACK_TLVS : 0));

	assert_int_equal(nlmsg_append(msg, &error, sizeof(error), NLMSG_ALIGNTO), 0);
	if (ext_ack)
		assert_int_equal(nla_put_string(msg, NLMSGERR_ATTR_MSG, ext_ack), 0);
	queue_msg(msg);
}

static void put_pcr(struct nl_msg *msg, uint16_t alg, uint32_t index, int size, int fill)
{
	struct nlattr *e = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);
	uint8_t digest[64];

	memset(digest, fill, sizeof(digest));
	nla_put_u16(msg, TAO_A_PCR_ALG, alg);
	nla_put_u32(msg, TAO_A_PCR_INDEX, index);
	nla_put(msg, TAO_A_PCR_DIGEST, size, digest);
	nla_nest_end(msg, e);
}

static void respond_pcr_read(void)
{
	struct nl_msg *msg = reply_for(TAO_CMD_PCR_READ, 0);
	struct nlattr *nest = nla_nest_start(msg, TAO_A_PCR_VALUES);

	put_pcr(msg, ALG_SHA256, 13, 32, 0x13);
	put_pcr(msg, ALG_SHA256, 0, 32, 0x00);
	nla_nest_end(msg, nest);
	nla_put_u32(msg, TAO_A_PCR_UPDATE_COUNTER, 7);
	queue_msg(msg);
	queue_error(0, true, NULL);
}

static void test_pcr_read(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_pcr_read *out = malloc(sizeof(*out)), *before = malloc(sizeof(*before));
	struct tao_pcr_selection sel;
	struct nlattr *nest, *entry, *tb[TAO_A_PCR_MAX + 1];
	char err[TAO_ERRMSG_MAX];

	fake.script = RESPOND;
	fake.respond = respond_pcr_read;
	assert_int_equal(tao_pcr_selection_parse("sha256:0,13", &sel, err, sizeof(err)), 0);
	assert_int_equal(tao_nl_pcr_read(nl, &sel, out), 0);
	assert_int_equal(out->update_counter, 7);
	assert_int_equal(out->values.n, 2);
	assert_int_equal(out->values.v[0].index, 0);
	assert_int_equal(out->values.v[1].digest[31], 0x13);
	/* The request: PCR_READ, with an ACK, and the selection. */
	assert_int_equal(request_genl()->cmd, TAO_CMD_PCR_READ);
	assert_int_equal(fake.request.hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	nest = request_attr(TAO_A_PCR_SELECTION);
	assert_non_null(nest);
	entry = nla_data(nest);
	assert_int_equal(nla_type(entry), TAO_A_PCR_SELECTION_ENTRY);
	assert_int_equal(nla_parse_nested(tb, TAO_A_PCR_MAX, entry, NULL), 0);
	assert_int_equal(nla_get_u16(tb[TAO_A_PCR_ALG]), ALG_SHA256);
	assert_int_equal(nla_get_u32(tb[TAO_A_PCR_MASK]), (1u << 13) | 1);

	/* Without a selection, the request has none: the module's default. */
	assert_int_equal(tao_nl_pcr_read(nl, NULL, out), 0);
	assert_null(request_attr(TAO_A_PCR_SELECTION));

	/* A reply that is not what was asked for. */
	assert_int_equal(tao_pcr_selection_parse("sha256:0,1,13", &sel, err, sizeof(err)), 0);
	memset(out, 0x5a, sizeof(*out));
	memcpy(before, out, sizeof(*out));
	assert_int_equal(tao_nl_pcr_read(nl, &sel, out), -EBADMSG);
	assert_string_equal(tao_nl_last_error(nl), "the reply lacks PCR 1 of bank sha256");
	assert_memory_equal(out, before, sizeof(*out));
	assert_int_equal(fake.head, fake.tail);
	free(out);
	free(before);
}

static void respond_measure(void)
{
	struct nl_msg *msg = reply_for(TAO_CMD_MEASURE, 0);

	nla_put_u32(msg, TAO_A_EVENT_SEQ, 12);
	queue_msg(msg);
	queue_error(0, true, NULL);
}

static void respond_tpm_retry(void)
{
	static const uint8_t rc[4] = { 0x00, 0x00, 0x09, 0x22 }; /* TPM_RC_RETRY */

	queue_tpm_error(-EAGAIN, "TPM refused the command", rc, sizeof(rc));
}

static void test_measure(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_digest_list digests = { .n = 1 };
	struct tao_measure m = {
		.type = 5, .name = "boot", .data = (const uint8_t *)"abc", .data_len = 3
	};
	struct nlattr *a;
	uint32_t seq = 0;

	fake.script = RESPOND;
	fake.respond = respond_measure;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), 0);
	assert_int_equal(seq, 12);
	assert_int_equal(request_genl()->cmd, TAO_CMD_MEASURE);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_EVENT_TYPE)), 5);
	a = request_attr(TAO_A_EVENT_NAME);
	assert_int_equal(nla_len(a), 5); /* with the NUL */
	assert_string_equal(nla_data(a), "boot");
	a = request_attr(TAO_A_EVENT_DATA);
	assert_int_equal(nla_len(a), 3);
	assert_memory_equal(nla_data(a), "abc", 3);
	assert_null(request_attr(TAO_A_EVENT_DIGESTS));

	/* Empty data is data; digests instead of data. */
	m.data_len = 0;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), 0);
	assert_int_equal(nla_len(request_attr(TAO_A_EVENT_DATA)), 0);
	digests.d[0] = (struct tao_digest){ .alg = ALG_SHA1, .size = 20 };
	memset(digests.d[0].bytes, 0xee, 20);
	m.digests = &digests;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), 0);
	assert_null(request_attr(TAO_A_EVENT_DATA));
	a = request_attr(TAO_A_EVENT_DIGESTS);
	assert_non_null(a);
	{
		struct tao_digest_list back;
		char err[TAO_ERRMSG_MAX];

		assert_int_equal(tao_digest_list_parse(a, "sent", &back, err, sizeof(err)), 0);
		assert_memory_equal(&back, &digests, sizeof(back));
	}
}

/* The TPM's response code comes in the extended ACK's cookie. */
static void test_tpm_rc_from_cookie(void **state)
{
	struct tao_nl *nl = *state;
	struct tao_measure m = {
		.type = 5, .name = "boot", .data = (const uint8_t *)"x", .data_len = 1
	};
	uint32_t seq = 99;

	fake.script = RESPOND;
	fake.respond = respond_tpm_retry;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), -EAGAIN);
	assert_int_equal(seq, 99);
	assert_string_equal(tao_nl_last_error(nl), "TPM refused the command");
	assert_int_equal(tao_nl_last_tpm_rc(nl), 0x922);
	/* The next call starts afresh. */
	fake.respond = respond_measure;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), 0);
	assert_int_equal(tao_nl_last_tpm_rc(nl), 0);
	assert_string_equal(tao_nl_last_error(nl), "");
	/* An error without a cookie has no response code. */
	fake.script = ANSWER_EINVAL;
	assert_int_equal(tao_nl_measure(nl, &m, &seq), -EINVAL);
	assert_int_equal(tao_nl_last_tpm_rc(nl), 0);
}

/* ---- LOG_GET ---- */

static uint32_t log_first = 5, log_count = 3;
static int log_gap = -1;       /* this entry's seq is one more than it should be */
static int log_malformed = -1; /* this entry has no name */

static struct nl_msg *log_entry_msg(uint32_t seq)
{
	struct nl_msg *msg = reply_for(TAO_CMD_LOG_GET, NLM_F_MULTI);
	uint8_t d[32];
	struct nlattr *nest, *e;

	memset(d, (int)(seq & 0xff), sizeof(d));
	nla_put_u32(msg, TAO_A_EVENT_SEQ, seq);
	nla_put_u32(msg, TAO_A_LOG_PCR, 13);
	nla_put_u32(msg, TAO_A_EVENT_TYPE, 1);
	if ((int)seq != log_malformed)
		nla_put_string(msg, TAO_A_EVENT_NAME, "entry");
	nest = nla_nest_start(msg, TAO_A_EVENT_DIGESTS);
	e = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);
	nla_put_u16(msg, TAO_A_DIGEST_ALG, ALG_SHA256);
	nla_put(msg, TAO_A_DIGEST_VALUE, sizeof(d), d);
	nla_nest_end(msg, e);
	nla_nest_end(msg, nest);
	return msg;
}

static void respond_log(void)
{
	for (uint32_t i = 0; i < log_count; i++) {
		uint32_t seq = log_first + i;

		queue_msg(log_entry_msg(seq + ((int)seq == log_gap)));
	}
	queue_done(0, NULL);
}

static void respond_log_done_error(void)
{
	queue_msg(log_entry_msg(log_first));
	queue_done(-EIO, "tao: the log dump failed");
}

static void respond_log_start_error(void)
{
	queue_error(-ENODEV, true, "no TPM 2.0");
}

struct seen {
	uint32_t seqs[16];
	size_t n;
	int stop_at; /* return 42 for this entry */
	struct tao_replay r;
	bool replay;
};

static int on_entry(const struct tao_log_entry *e, void *arg)
{
	struct seen *s = arg;
	char err[TAO_ERRMSG_MAX];

	if (s->replay) {
		assert_int_equal(tao_replay_extend(&s->r, e, err, sizeof(err)), 0);
		s->n++;
		return 0;
	}
	assert_true(s->n < 16);
	assert_string_equal(e->name, "entry");
	s->seqs[s->n++] = e->seq;
	return (int)e->seq == s->stop_at ? 42 : 0;
}

static void test_log_dump(void **state)
{
	struct tao_nl *nl = *state;
	struct seen s = { .stop_at = -1 };

	fake.script = RESPOND;
	fake.respond = respond_log;
	fake.batch = 2;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seqs[0], 5);
	assert_int_equal(s.seqs[2], 7);
	/* A dump: no ACK asked for, the start given. */
	assert_int_equal(request_genl()->cmd, TAO_CMD_LOG_GET);
	assert_int_equal(fake.request.hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_LOG_START)), 5);
	assert_int_equal(fake.head, fake.tail);

	/* An empty dump. */
	log_count = 0;
	s.n = 0;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), 0);
	assert_int_equal(s.n, 0);
	log_count = 3;
}

static void test_log_dump_refused(void **state)
{
	struct tao_nl *nl = *state;
	struct seen s = { .stop_at = -1 };

	fake.script = RESPOND;
	fake.respond = respond_log;
	/* Entries must come in order, without gaps; the rest of the dump is read and dropped. */
	log_gap = 6;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl),
			    "the dump sent log entry 7 where entry 6 was due");
	assert_int_equal(s.n, 1);
	assert_int_equal(fake.head, fake.tail);
	log_gap = -1;
	/* A malformed entry. */
	s.n = 0;
	log_malformed = 6;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), -EBADMSG);
	assert_string_equal(tao_nl_last_error(nl), "log entry 6: TAO_A_EVENT_NAME is missing");
	assert_int_equal(s.n, 1);
	log_malformed = -1;
	/* The callback stops the dump: its value comes back, the rest is dropped. */
	s.n = 0;
	s.stop_at = 6;
	fake.batch = 3;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), 42);
	assert_int_equal(s.n, 2);
	assert_string_equal(tao_nl_last_error(nl), "");
	assert_int_equal(fake.head, fake.tail);
	/* The dump fails midway: NLMSG_DONE carries the error and an extended ACK. */
	s.n = 0;
	s.stop_at = -1;
	fake.respond = respond_log_done_error;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), -EIO);
	assert_string_equal(tao_nl_last_error(nl), "tao: the log dump failed");
	assert_int_equal(s.n, 1);
	/* The dump does not start. */
	fake.respond = respond_log_start_error;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), -ENODEV);
	assert_string_equal(tao_nl_last_error(nl), "no TPM 2.0");
	/* The socket ends before NLMSG_DONE. */
	fake.script = ANSWER_NOTHING;
	assert_int_equal(tao_nl_log_get(nl, 5, on_entry, &s), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl),
			    "the kernel closed TAO_CMD_LOG_GET before its end");
}

static void respond_big_log(void)
{
	fake.gen_next = 0;
	fake.gen_end = 100000;
	fake.gen_error = 0;
}

/* 100,000 entries, 32 KiB of messages per read as the kernel sends them, replayed on the fly. */
static void test_log_dump_100k(void **state)
{
	struct tao_nl *nl = *state;
	struct seen *s = calloc(1, sizeof(*s));
	struct tao_digest_list at_load = { .n = 1 };
	char err[TAO_ERRMSG_MAX];

	at_load.d[0] = (struct tao_digest){ .alg = ALG_SHA256, .size = 32 };
	s->replay = true;
	assert_int_equal(tao_replay_init(&s->r, &at_load, err, sizeof(err)), 0);
	fake.script = RESPOND;
	fake.respond = respond_big_log;
	fake.batch = 100000;
	assert_int_equal(tao_nl_log_get(nl, 0, on_entry, s), 0);
	assert_int_equal(s->n, 100000);
	assert_int_equal(s->r.entries, 100000);
	free(s);
}

/* ---- KEY_LIST, KEY_BIND ---- */

static uint8_t *vec_pub, *vec_name;
static size_t vec_pub_len, vec_name_len;
static int bind_reply_role = TAO_KEY_ROLE_IAK;
static bool keys_malformed;

static void respond_keys(void)
{
	struct nl_msg *msg = reply_for(TAO_CMD_KEY_LIST, NLM_F_MULTI);

	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	nla_put_u32(msg, TAO_A_KEY_STATUS, TAO_KEY_STATUS_OK);
	nla_put(msg, TAO_A_KEY_PUBLIC, (int)vec_pub_len, vec_pub);
	nla_put(msg, TAO_A_KEY_NAME, (int)vec_name_len, vec_name);
	queue_msg(msg);
	msg = reply_for(TAO_CMD_KEY_LIST, NLM_F_MULTI);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000007);
	if (!keys_malformed)
		nla_put_u32(msg, TAO_A_KEY_STATUS, TAO_KEY_STATUS_MISSING);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_AK);
	nla_put(msg, TAO_A_KEY_BOUND_NAME, (int)vec_name_len, vec_name);
	queue_msg(msg);
	queue_done(0, NULL);
}

static void respond_bind(void)
{
	struct nl_msg *msg = reply_for(TAO_CMD_KEY_BIND, 0);

	nla_put_u32(msg, TAO_A_KEY_ROLE, (uint32_t)bind_reply_role);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	nla_put(msg, TAO_A_KEY_NAME, (int)vec_name_len, vec_name);
	nla_put_u32(msg, TAO_A_EVENT_SEQ, 3);
	queue_msg(msg);
	queue_error(0, true, NULL);
}

struct keys_seen {
	uint32_t handles[4];
	uint32_t status[4];
	size_t n;
};

static int on_key(const struct tao_key_entry *k, void *arg)
{
	struct keys_seen *s = arg;

	assert_true(s->n < 4);
	s->handles[s->n] = k->handle;
	s->status[s->n++] = k->status;
	return 0;
}

static int load_vectors(void **state)
{
	vec_pub = vector_load("ak.pub", &vec_pub_len);
	vec_name = vector_load("ak.name", &vec_name_len);
	return setup(state);
}

static int free_vectors(void **state)
{
	free(vec_pub);
	free(vec_name);
	return teardown(state);
}

static void test_keys(void **state)
{
	struct tao_nl *nl = *state;
	struct keys_seen s = { 0 };
	struct tao_key_bind_reply b, before;

	fake.script = RESPOND;
	fake.respond = respond_keys;
	assert_int_equal(tao_nl_key_list(nl, on_key, &s), 0);
	assert_int_equal(fake.request.hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(request_genl()->cmd, TAO_CMD_KEY_LIST);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.handles[0], 0x81000002);
	assert_int_equal(s.status[1], TAO_KEY_STATUS_MISSING);
	keys_malformed = true;
	s.n = 0;
	assert_int_equal(tao_nl_key_list(nl, on_key, &s), -EBADMSG);
	assert_string_equal(tao_nl_last_error(nl),
			    "key list message 2: TAO_A_KEY_STATUS is missing");
	assert_int_equal(s.n, 1);
	assert_int_equal(fake.head, fake.tail);
	keys_malformed = false;

	fake.respond = respond_bind;
	assert_int_equal(tao_nl_key_bind(nl, TAO_KEY_ROLE_IAK, 0x81000002, &b), 0);
	assert_int_equal(request_genl()->cmd, TAO_CMD_KEY_BIND);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_KEY_ROLE)), TAO_KEY_ROLE_IAK);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_KEY_HANDLE)), 0x81000002);
	assert_true(b.measured);
	assert_int_equal(b.seq, 3);
	/* The reply must be about what was asked. */
	bind_reply_role = TAO_KEY_ROLE_IDEVID;
	memset(&b, 0x5a, sizeof(b));
	memcpy(&before, &b, sizeof(b));
	assert_int_equal(tao_nl_key_bind(nl, TAO_KEY_ROLE_IAK, 0x81000002, &b), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl),
			    "the reply binds role 2 to 0x81000002, not role 1 to 0x81000002");
	assert_memory_equal(&b, &before, sizeof(b));
	bind_reply_role = TAO_KEY_ROLE_IAK;
}

/* ---- QUOTE, GET_RANDOM ---- */

static void respond_quote(void)
{
	static const int pcrs[][2] = { { ALG_SHA256, 0 }, { ALG_SHA256, 1 }, { ALG_SHA256, 7 },
				       { ALG_SHA1, 0 },	  { ALG_SHA1, 1 },   { ALG_SHA1, 2 },
				       { ALG_SHA1, 3 },	  { ALG_SHA1, 4 },   { ALG_SHA1, 5 },
				       { ALG_SHA1, 6 },	  { ALG_SHA1, 7 } };
	struct nl_msg *msg = reply_for(TAO_CMD_QUOTE, 0);
	size_t mlen, slen, vlen, off = 0;
	uint8_t *m = vector_load("quote.msg", &mlen), *sg = vector_load("quote.sig", &slen),
		*v = vector_load("quote.vals", &vlen);
	struct nlattr *nest;

	nla_put(msg, TAO_A_QUOTE_ATTEST, (int)mlen, m);
	nla_put(msg, TAO_A_QUOTE_SIGNATURE, (int)slen, sg);
	nest = nla_nest_start(msg, TAO_A_PCR_VALUES);
	for (size_t i = 0; i < 11; i++) {
		struct nlattr *e = nla_nest_start(msg, TAO_A_PCR_VALUES_ENTRY);
		int size = pcrs[i][0] == ALG_SHA1 ? 20 : 32;

		nla_put_u16(msg, TAO_A_PCR_ALG, (uint16_t)pcrs[i][0]);
		nla_put_u32(msg, TAO_A_PCR_INDEX, (uint32_t)pcrs[i][1]);
		nla_put(msg, TAO_A_PCR_DIGEST, size, v + off);
		off += (size_t)size;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, nest);
	nla_put_u32(msg, TAO_A_LOG_ENTRIES, 4);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_IAK);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000002);
	nla_put(msg, TAO_A_KEY_NAME, (int)vec_name_len, vec_name);
	queue_msg(msg);
	queue_error(0, true, NULL);
	free(m);
	free(sg);
	free(v);
}

static void test_quote(void **state)
{
	static const uint8_t nonce[] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct tao_nl *nl = *state;
	struct tao_quote *q = malloc(sizeof(*q));
	struct tao_pcr_selection sel;
	char err[TAO_ERRMSG_MAX];
	struct nlattr *a;

	fake.script = RESPOND;
	fake.respond = respond_quote;
	assert_int_equal(tao_nl_quote(nl, 0, nonce, sizeof(nonce), NULL, q), 0);
	assert_int_equal(request_genl()->cmd, TAO_CMD_QUOTE);
	assert_null(request_attr(TAO_A_KEY_ROLE)); /* the module's default */
	assert_null(request_attr(TAO_A_PCR_SELECTION));
	a = request_attr(TAO_A_QUOTE_NONCE);
	assert_int_equal(nla_len(a), sizeof(nonce));
	assert_memory_equal(nla_data(a), nonce, sizeof(nonce));
	assert_int_equal(q->log_entries, 4);
	assert_int_equal(q->values.n, 11);

	/* With a role and the quote's own selection, in another bank order. */
	assert_int_equal(tao_pcr_selection_parse("sha1:0-7+sha256:0,1,7", &sel, err, sizeof(err)),
			 0);
	assert_int_equal(tao_nl_quote(nl, TAO_KEY_ROLE_IAK, nonce, sizeof(nonce), &sel, q), 0);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_KEY_ROLE)), TAO_KEY_ROLE_IAK);
	assert_non_null(request_attr(TAO_A_PCR_SELECTION));

	/* Not the nonce, not the role, not the selection. */
	assert_int_equal(tao_nl_quote(nl, 0, nonce, sizeof(nonce) - 1, NULL, q), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl), "the quote's extraData is not the nonce");
	assert_int_equal(tao_nl_quote(nl, TAO_KEY_ROLE_AK, nonce, sizeof(nonce), NULL, q), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl), "the quote comes from role 1, not 4");
	assert_int_equal(tao_pcr_selection_parse("sha256:0,1,7", &sel, err, sizeof(err)), 0);
	assert_int_equal(tao_nl_quote(nl, 0, nonce, sizeof(nonce), &sel, q), -EPROTO);
	assert_string_equal(tao_nl_last_error(nl),
			    "the quote is not of the selected PCRs: the reply has PCR 0 of bank "
			    "sha1, which was not selected");
	free(q);
}

static int random_reply_len = 16;

static void respond_random(void)
{
	struct nl_msg *msg = reply_for(TAO_CMD_GET_RANDOM, 0);
	uint8_t bytes[64];

	for (int i = 0; i < 64; i++)
		bytes[i] = (uint8_t)i;
	nla_put(msg, TAO_A_RANDOM, random_reply_len, bytes);
	queue_msg(msg);
	queue_error(0, true, NULL);
}

static void test_random(void **state)
{
	struct tao_nl *nl = *state;
	uint8_t buf[16];

	fake.script = RESPOND;
	fake.respond = respond_random;
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(tao_nl_get_random(nl, buf, 16), 0);
	assert_int_equal(nla_get_u32(request_attr(TAO_A_RANDOM_LEN)), 16);
	assert_int_equal(buf[15], 15);
	random_reply_len = 15;
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(tao_nl_get_random(nl, buf, 16), -EBADMSG);
	assert_string_equal(tao_nl_last_error(nl), "TAO_A_RANDOM has 15 bytes, 16 were asked for");
	assert_int_equal(buf[0], 0xff);
	random_reply_len = 16;
}

static void test_ext_ack_cookie_decoder(void **state)
{
	struct nlmsgerr e = { .error = -EIO };
	uint32_t rc = 7;
	char buf[64];
	struct nl_msg *msg;

	(void)state;
	/* A cookie of 4 bytes, most significant first. */
	msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED);
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "TPM refused the command");
	nla_put(msg, NLMSGERR_ATTR_COOKIE, 4, "\x80\x00\x01\x8b");
	assert_int_equal(tao_ext_ack_parse(nlmsg_hdr(msg), buf, sizeof(buf), &rc), 23);
	assert_string_equal(buf, "TPM refused the command");
	assert_int_equal(rc, 0x8000018b);
	nlmsg_free(msg);
	/* A cookie of another size is not a response code. */
	msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED);
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	nla_put(msg, NLMSGERR_ATTR_COOKIE, 8, "\x00\x00\x01\x8b\x00\x00\x00\x00");
	assert_int_equal(tao_ext_ack_parse(nlmsg_hdr(msg), buf, sizeof(buf), &rc), 0);
	assert_int_equal(rc, 0);
	assert_string_equal(buf, "");
	nlmsg_free(msg);
	/* NLMSG_DONE: the error, then the TLVs. */
	msg = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	nlmsg_append(msg, &e.error, sizeof(e.error), NLMSG_ALIGNTO);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "dump failed");
	assert_int_equal(tao_ext_ack_parse(nlmsg_hdr(msg), buf, sizeof(buf), &rc), 11);
	assert_string_equal(buf, "dump failed");
	nlmsg_free(msg);
	/* Without NLM_F_ACK_TLVS there is nothing to decode. */
	msg = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI);
	nlmsg_append(msg, &e.error, sizeof(e.error), NLMSG_ALIGNTO);
	rc = 5;
	assert_int_equal(tao_ext_ack_parse(nlmsg_hdr(msg), buf, sizeof(buf), &rc), 0);
	assert_int_equal(rc, 0);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_and_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_error_with_ext_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_error_without_ext_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_violations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_fails, setup, teardown),
		cmocka_unit_test(test_ext_ack_decoder),
		cmocka_unit_test_setup_teardown(test_pcr_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_rc_from_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_dump_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_dump_100k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, load_vectors, free_vectors),
		cmocka_unit_test_setup_teardown(test_quote, load_vectors, free_vectors),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
		cmocka_unit_test(test_ext_ack_cookie_decoder),
	};

	return cmocka_run_group_tests_name("tao_nl", tests, NULL, NULL);
}
