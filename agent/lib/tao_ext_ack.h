/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Decoding the kernel's extended ACK (NETLINK_EXT_ACK) from an NLMSG_ERROR message, or from the
 * NLMSG_DONE that ends a dump: its message and, per the tao contract, the TPM response code that
 * the cookie carries (NLMSGERR_ATTR_COOKIE, 4 bytes, most significant first).
 */
#ifndef TAO_EXT_ACK_H
#define TAO_EXT_ACK_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/*
 * Copy NLMSGERR_ATTR_MSG into buf and, if tpm_rc is not NULL, the cookie's response code into
 * *tpm_rc (0 when there is no 4-byte cookie). Returns the message's length, 0 when there is none
 * (or the message is no NLMSG_ERROR/NLMSG_DONE), -EBADMSG when it is malformed.
 */
int tao_ext_ack_parse(struct nlmsghdr *nlh, char *buf, size_t len, uint32_t *tpm_rc);

/* tao_ext_ack_parse() without the cookie. */
int tao_ext_ack_msg(struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* TAO_EXT_ACK_H */
