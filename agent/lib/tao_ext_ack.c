// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The extended ACK of an NLMSG_ERROR or NLMSG_DONE: message and TPM response code (cookie). */
#include "tao_ext_ack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

int tao_ext_ack_parse(struct nlmsghdr *nlh, char *buf, size_t len, uint32_t *tpm_rc)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	int hdrlen;

	if (len)
		buf[0] = '\0';
	if (tpm_rc)
		*tpm_rc = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end: the int error, then the TLVs. */
		hdrlen = sizeof(int);
		if (!nlmsg_valid_hdr(nlh, hdrlen))
			return -EBADMSG;
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		hdrlen = sizeof(*e);
		if (!nlmsg_valid_hdr(nlh, hdrlen))
			return -EBADMSG;
		e = nlmsg_data(nlh);
		/* The TLVs follow the echoed request, cut to its header with NETLINK_CAP_ACK. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN || e->msg.nlmsg_len > nlh->nlmsg_len)
				return -EBADMSG;
			hdrlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
		}
	} else {
		return 0;
	}
	if (nlmsg_parse(nlh, hdrlen, tb, NLMSGERR_ATTR_MAX, policy) < 0)
		return -EBADMSG;
	if (tpm_rc && tb[NLMSGERR_ATTR_COOKIE] && nla_len(tb[NLMSGERR_ATTR_COOKIE]) == 4) {
		const uint8_t *c = nla_data(tb[NLMSGERR_ATTR_COOKIE]);

		*tpm_rc = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	}
	if (!tb[NLMSGERR_ATTR_MSG] || !len)
		return 0;
	snprintf(buf, len, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return (int)strlen(buf);
}

int tao_ext_ack_msg(struct nlmsghdr *nlh, char *buf, size_t len)
{
	return tao_ext_ack_parse(nlh, buf, len, NULL);
}
