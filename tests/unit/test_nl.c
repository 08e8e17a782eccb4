// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Unit tests for tao_nl_get_info() and tao_ext_ack_msg(), against a scripted fake kernel. */
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
};

#define EXT_ACK_TEXT "tao: GET_INFO needs CAP_NET_ADMIN"

static struct {
	enum script script;
	union {
		struct nlmsghdr hdr;
		unsigned char bytes[256];
	} request;
	int sends;
	struct {
		unsigned char *buf;
		int len;
	} queue[4];
	int head, tail;
} fake;

/* Queue msg for fake_recv() as an answer to the last request; frees msg. */
static void queue_msg(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	unsigned char *buf = malloc(nlh->nlmsg_len);

	assert_non_null(buf);
	assert_true(fake.tail < (int)(sizeof(fake.queue) / sizeof(fake.queue[0])));
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
	fake.head = fake.tail = 0; /* get_info() checked that the last answer was all read */

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
	case ANSWER_NOTHING:
	case SEND_FAILS:
		break;
	}
	return (int)nlh->nlmsg_len;
}

/* One netlink message per read, like the kernel's one skb per recvmsg(). */
static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *from, unsigned char **buf,
		     struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (fake.head == fake.tail)
		return 0;
	from->nl_family = AF_NETLINK;
	from->nl_pid = 0;		  /* the kernel */
	*buf = fake.queue[fake.head].buf; /* libnl frees it */
	fake.queue[fake.head].buf = NULL;
	return fake.queue[fake.head++].len;
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
	};

	return cmocka_run_group_tests_name("tao_nl", tests, NULL, NULL);
}
