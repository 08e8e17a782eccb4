/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* __attribute__((cleanup)) helpers for the libnl and json-c objects libtao and taoctl hold. */
#ifndef TAO_CLEANUP_H
#define TAO_CLEANUP_H

#include <stdlib.h>

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <json-c/json_object.h>

#define TAO_CLEANUP(fn) __attribute__((cleanup(fn)))

/* All of these free functions accept NULL. */
static inline void tao_freep(void *p)
{
	free(*(void **)p);
}

static inline void tao_nlmsg_freep(struct nl_msg **p)
{
	nlmsg_free(*p);
}

static inline void tao_nl_cb_putp(struct nl_cb **p)
{
	nl_cb_put(*p);
}

static inline void tao_nl_socket_freep(struct nl_sock **p)
{
	nl_socket_free(*p);
}

static inline void tao_json_putp(struct json_object **p)
{
	json_object_put(*p);
}

/* Take ownership out of a cleanup variable: returns *pp and clears it. */
static inline void *tao_steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;

	*p = NULL;
	return v;
}

#endif /* TAO_CLEANUP_H */
