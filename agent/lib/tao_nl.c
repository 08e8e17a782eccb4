// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The "tao" generic netlink client: connect, resolve the family, send requests, collect replies. */
#include "tao_nl.h"
#include "tao_nl_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "tao_cleanup.h"
#include "tao_ext_ack.h"

struct tao_nl {
	struct nl_sock *sk;
	int family;
	char err[TAO_ERRMSG_MAX];
};

/* One GET_INFO exchange, as seen by libnl's callbacks. */
struct request {
	struct tao_nl *nl;
	struct tao_info info;
	bool have_reply;
	bool done;
	int err; /* negative errno; the first failure wins */
	char ext_ack[TAO_ERRMSG_MAX];
};

__attribute__((format(printf, 2, 3))) static void set_error(struct tao_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
}

/*
 * libnl reports its own NLE_* codes. Map them back to errno; for the errnos libnl has no code
 * for (ECONNREFUSED, ...) it says NLE_FAILURE, and errno still holds the original.
 */
static int nle_to_errno(int nle, int saved_errno)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_INTR:
		return -EINTR;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
		return -EPROTO;
	default:
		return saved_errno > 0 ? -saved_errno : -EIO;
	}
}

int tao_nl_adopt(struct nl_sock *sk, int family, struct tao_nl **out)
{
	struct tao_nl *nl = calloc(1, sizeof(*nl));

	*out = NULL;
	if (!nl) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	nl->sk = sk;
	nl->family = family;
	*out = nl;
	return 0;
}

int tao_nl_open(struct tao_nl **out)
{
	/* Not nl_socket_alloc(): it honours NLCB=debug, which would print into --json output. */
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	TAO_CLEANUP(tao_nl_socket_freep) struct nl_sock *sk = NULL;
	int one = 1;
	int rc;

	*out = NULL;
	if (!cb || !(sk = nl_socket_alloc_cb(cb)))
		return -ENOMEM;
	errno = 0;
	rc = genl_connect(sk);
	if (rc < 0)
		return nle_to_errno(rc, errno);
	/* Best effort: before Linux 4.12 there are no extended ACKs, errors just lack a text. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Any failure to resolve comes back as NLE_OBJ_NOTFOUND, i.e. -ENOENT. */
	errno = 0;
	rc = genl_ctrl_resolve(sk, TAO_GENL_NAME);
	if (rc < 0)
		return nle_to_errno(rc, errno);
	return tao_nl_adopt(tao_steal_ptr(&sk), rc, out);
}

void tao_nl_close(struct tao_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *tao_nl_last_error(const struct tao_nl *nl)
{
	return nl ? nl->err : "";
}

/* libnl passes the error callback only the struct nlmsgerr; the ACK's TLVs need the message. */
static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == NLMSG_ERROR)
		tao_ext_ack_msg(nlh, req->ext_ack, sizeof(req->ext_ack));
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int rc;

	if (nlh->nlmsg_type != req->nl->family || req->err)
		return NL_SKIP;
	if (req->have_reply) {
		req->err = -EPROTO;
		set_error(req->nl, "more than one reply to TAO_CMD_GET_INFO");
		return NL_SKIP;
	}
	rc = tao_info_parse(nlh, &req->info, req->nl->err, sizeof(req->nl->err));
	if (rc)
		req->err = rc;
	else
		req->have_reply = true;
	/* Either way read on to the ACK, so the socket stays in step for the next request. */
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	(void)who;
	req->done = true;
	if (!req->err) {
		req->err = e->error < 0 ? e->error : -EPROTO;
		set_error(req->nl, "%s", req->ext_ack);
	}
	return NL_STOP;
}

int tao_nl_get_info(struct tao_nl *nl, struct tao_info *info)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = nlmsg_alloc();
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *orig = nl_socket_get_cb(nl->sk);
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *cb = nl_cb_clone(orig);
	struct request req = { .nl = nl };
	int rc;

	nl->err[0] = '\0';
	if (!msg || !cb ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, NLM_F_REQUEST | NLM_F_ACK,
			 TAO_CMD_GET_INFO, TAO_GENL_VERSION))
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	errno = 0;
	rc = nl_send_auto(nl->sk, msg);
	if (rc < 0) {
		rc = nle_to_errno(rc, errno);
		set_error(nl, "sending TAO_CMD_GET_INFO failed");
		return rc;
	}
	while (!req.done) {
		errno = 0;
		rc = nl_recvmsgs_report(nl->sk, cb);
		if (req.done)
			break;
		if (rc < 0) {
			rc = nle_to_errno(rc, errno);
			set_error(nl, "receiving the TAO_CMD_GET_INFO reply failed");
			return rc;
		}
		if (rc == 0) {
			set_error(nl, "the kernel closed the exchange without an ACK");
			return -EPROTO;
		}
	}
	if (req.err)
		return req.err;
	if (!req.have_reply) {
		set_error(nl, "the kernel acknowledged TAO_CMD_GET_INFO without a reply");
		return -EPROTO;
	}
	*info = req.info;
	return 0;
}
