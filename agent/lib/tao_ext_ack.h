/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Decoding the kernel's extended ACK (NETLINK_EXT_ACK) from an NLMSG_ERROR message. */
#ifndef TAO_EXT_ACK_H
#define TAO_EXT_ACK_H

#include <stddef.h>

struct nlmsghdr;

/*
 * Copy NLMSGERR_ATTR_MSG of an NLMSG_ERROR message into buf. Returns its length, 0 when the
 * message carries none (or is no NLMSG_ERROR), -EBADMSG when the message is malformed.
 */
int tao_ext_ack_msg(struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* TAO_EXT_ACK_H */
