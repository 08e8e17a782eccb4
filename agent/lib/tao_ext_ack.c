// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_ext_ack_msg(): the human-readable message of a kernel extended ACK, via libnl parsing. */
#include "tao_ext_ack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

int tao_ext_ack_msg(struct nlmsghdr *nlh, char *buf, size_t len)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	int hdrlen = sizeof(*e);

	if (!len)
		return 0;
	buf[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!nlmsg_valid_hdr(nlh, hdrlen))
		return -EBADMSG;
	e = nlmsg_data(nlh);
	/* The TLVs follow the echoed request, which is cut to its header with NETLINK_CAP_ACK. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN || e->msg.nlmsg_len > nlh->nlmsg_len)
			return -EBADMSG;
		hdrlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	if (nlmsg_parse(nlh, hdrlen, tb, NLMSGERR_ATTR_MAX, policy) < 0)
		return -EBADMSG;
	if (!tb[NLMSGERR_ATTR_MSG])
		return 0;
	snprintf(buf, len, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return (int)strlen(buf);
}
