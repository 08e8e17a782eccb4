/* Shared libnl helpers of the in-guest test tools; see nltest.h. */
#include "nltest.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

int nlt_family = -1;

struct nlt_ctx {
	struct nlt_reply r;
	nlt_on_msg fn;
	void *arg;
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlt_reply *r = &((struct nlt_ctx *)arg)->r;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*err);

	(void)nla;
	r->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + off),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off), NULL) != 0)
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_COOKIE] && nla_len(tb[NLMSGERR_ATTR_COOKIE]) <= 20) {
		r->cookie_len = nla_len(tb[NLMSGERR_ATTR_COOKIE]);
		memcpy(r->cookie, nla_data(tb[NLMSGERR_ATTR_COOKIE]), (size_t)r->cookie_len);
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct nlt_ctx *)arg)->r.error = 0;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlt_ctx *c = arg;
	struct nlattr *tb[TAO_A_MAX + 1];

	c->r.replies++;
	if (c->fn && genlmsg_parse(nlmsg_hdr(msg), 0, tb, TAO_A_MAX, NULL) == 0)
		c->fn(tb, c->arg);
	return NL_OK;
}

struct nl_sock *nlt_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk || genl_connect(sk) < 0) {
		fprintf(stderr, "cannot open a generic netlink socket\n");
		_exit(2);
	}
	/* libnl 3.7 has no helper for extended ACKs. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl_socket_set_buffer_size(sk, 4 << 20, 0);
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
	if (nlt_family < 0)
		nlt_family = genl_ctrl_resolve(sk, TAO_GENL_NAME);
	if (nlt_family < 0) {
		fprintf(stderr, "family %s not found\n", TAO_GENL_NAME);
		_exit(2);
	}
	return sk;
}

struct nl_msg *nlt_request(int flags, uint8_t cmd)
{
	/* Room for the largest requests (4097 bytes of data). */
	struct nl_msg *msg = nlmsg_alloc_size(16384);

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nlt_family, 0, flags, cmd,
				 TAO_GENL_VERSION)) {
		fprintf(stderr, "out of memory\n");
		_exit(2);
	}
	return msg;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct nlt_ctx *)arg)->r.error = 0;
	return NL_STOP;
}

struct nlt_reply nlt_transact(struct nl_sock *sk, struct nl_msg *msg, nlt_on_msg fn, void *arg)
{
	struct nlt_ctx c = { .r = { .error = 999 }, .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int dump = (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &c);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
	if (nl_send_auto(sk, msg) < 0)
		c.r.error = 998;
	/* Replies and the ACK may come in separate reads; a dump in many. */
	for (long i = 0; i < (dump ? 10000000L : 4) && c.r.error == 999; i++)
		if (nl_recvmsgs(sk, cb) < 0 && c.r.error == 999)
			c.r.error = 997;
	nl_cb_put(cb);
	nlmsg_free(msg);
	return c.r;
}
