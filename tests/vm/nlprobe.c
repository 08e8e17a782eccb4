/* nlprobe: sends malformed and unexpected requests to the "tao" generic
 * netlink family and checks each gets the precise error the kernel should
 * give. Runs in the VM (tests/vm/tests/netlink_errors.sh); prints PASS/FAIL lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tao.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

struct reply {
	int error; /* 0 for an ACK, -errno for an error */
	int replies;
	char extack[256];
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct reply *r = arg;
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
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off), NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct reply *)arg)->error = 0;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct reply *)arg)->replies++;
	return NL_OK;
}

static int failures;

/* Sends msg and checks the kernel answers with -want_errno (and, when given,
 * an extended ACK message containing want_msg). */
static void expect(struct nl_sock *sk, struct nl_msg *msg, const char *what, int want_errno,
		   const char *want_msg)
{
	struct reply r = { .error = 999 };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	if (nl_send_auto(sk, msg) < 0) {
		printf("FAIL: %s -- send failed\n", what);
		failures++;
	} else {
		/* A reply and its ACK may come in separate reads. */
		for (int i = 0; i < 4 && r.error == 999; i++)
			nl_recvmsgs(sk, cb);
		if (r.error == -want_errno && (!want_msg || strstr(r.extack, want_msg)) &&
		    r.replies == (want_errno ? 0 : 1))
			printf("PASS: %s (%s%s%s)\n", what, strerror(want_errno),
			       r.extack[0] ? ": " : "", r.extack);
		else {
			printf("FAIL: %s -- want -%d \"%s\", got %d \"%s\" and %d replies\n", what,
			       want_errno, want_msg ? want_msg : "", r.error, r.extack, r.replies);
			failures++;
		}
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
}

static struct nl_msg *request(int family, int flags, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, TAO_GENL_VERSION)) {
		fprintf(stderr, "nlprobe: out of memory\n");
		_exit(2);
	}
	return msg;
}

int main(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg;
	struct genlmsghdr *gh;
	int family;

	if (!sk || genl_connect(sk) < 0) {
		fprintf(stderr, "nlprobe: cannot open a generic netlink socket\n");
		return 2;
	}
	int one = 1;

	/* libnl 3.7 has no helper for extended ACKs. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	family = genl_ctrl_resolve(sk, TAO_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "nlprobe: family %s not found\n", TAO_GENL_NAME);
		return 2;
	}

	msg = request(family, NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put_u32(msg, TAO_A_TPM_STATE, 2);
	expect(sk, msg, "GET_INFO refuses an attribute it does not take", EINVAL,
	       "Unsupported attribute");

	msg = request(family, NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put_u32(msg, TAO_A_MAX + 7, 1);
	expect(sk, msg, "GET_INFO refuses an unknown attribute type", EINVAL,
	       "Unknown attribute type");

	msg = request(family, NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put(msg, 0, 0, NULL);
	expect(sk, msg, "GET_INFO refuses attribute type 0", EINVAL, NULL);

	msg = request(family, NLM_F_ACK, TAO_CMD_MAX + 40);
	expect(sk, msg, "an unknown command is refused", EOPNOTSUPP, NULL);

	msg = request(family, NLM_F_DUMP, TAO_CMD_GET_INFO);
	expect(sk, msg, "GET_INFO has no dump form", EOPNOTSUPP, NULL);

	msg = request(family, NLM_F_ACK, TAO_CMD_GET_INFO);
	gh = nlmsg_data(nlmsg_hdr(msg));
	gh->reserved = 1;
	expect(sk, msg, "a non-zero reserved genl header field is refused", EINVAL, "reserved");

	msg = nlmsg_alloc_simple(family, NLM_F_REQUEST | NLM_F_ACK);
	expect(sk, msg, "a message without a genl header is refused", EINVAL, NULL);

	msg = request(family, NLM_F_ACK, TAO_CMD_GET_INFO);
	expect(sk, msg, "a well-formed GET_INFO gets a reply", 0, NULL);

	nl_socket_free(sk);
	return failures ? 1 : 0;
}
