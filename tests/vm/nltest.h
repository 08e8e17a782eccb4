/* Small libnl helpers shared by the in-guest test tools (nlprobe, taotest):
 * a socket with extended ACKs, requests, and a transaction that collects the
 * kernel's answer. Test code only; the product's client is agent/lib/tao_nl.c. */
#ifndef TAO_NLTEST_H
#define TAO_NLTEST_H

#include <stdint.h>

#include <linux/tao.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

struct nlt_reply {
	int error; /* 0 for an ACK or a finished dump, -errno for an error */
	int replies;
	char extack[256];
	uint8_t cookie[20];
	int cookie_len;
};

/* Called for each reply message with its parsed top-level attributes. */
typedef void (*nlt_on_msg)(struct nlattr **tb, void *arg);

extern int nlt_family;

/* Opens a socket with extended ACKs and resolves "tao"; exits 2 on failure. */
struct nl_sock *nlt_open(void);
struct nl_msg *nlt_request(int flags, uint8_t cmd);
/* Sends msg (and frees it), collects replies until the ACK or NLMSG_DONE. */
struct nlt_reply nlt_transact(struct nl_sock *sk, struct nl_msg *msg, nlt_on_msg fn, void *arg);

#endif
