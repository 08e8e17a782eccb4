/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The generic netlink client for the "tao" family: one handle, one request per call. */
#ifndef TAO_NL_H
#define TAO_NL_H

#include "tao_info.h"

struct tao_nl;

/*
 * Connect to generic netlink and resolve the "tao" family. Returns 0 and a handle, or a negative
 * errno: -ENOENT when the family does not exist (module not loaded, or not the initial network
 * namespace), -EPROTONOSUPPORT/-EAFNOSUPPORT/-ECONNREFUSED without generic netlink, -ENOMEM.
 */
int tao_nl_open(struct tao_nl **out);

/*
 * TAO_CMD_GET_INFO. Returns 0 and fills *info, or a negative errno: the kernel's (-EPERM, -ENOENT,
 * -EINVAL, ...), -EBADMSG/-EPROTO for a reply that does not parse, or a socket error. *info is
 * untouched on failure; tao_nl_last_error() then has the details.
 */
int tao_nl_get_info(struct tao_nl *nl, struct tao_info *info);

/*
 * Details of the last failure on nl: the kernel's extended-ACK message, the parser's message or
 * libnl's description; "" when the errno says it all. Valid until the next call on nl.
 */
const char *tao_nl_last_error(const struct tao_nl *nl);

/* Accepts NULL. */
void tao_nl_close(struct tao_nl *nl);

/* For TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL; */
static inline void tao_nl_closep(struct tao_nl **nl)
{
	tao_nl_close(*nl);
}

#endif /* TAO_NL_H */
