/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The registrar's HTTPS server: libevent evhttp over bufferevent_openssl, one event loop. */
#ifndef TAO_REGISTRAR_SERVER_H
#define TAO_REGISTRAR_SERVER_H

#include <stddef.h>

struct evbuffer;
struct evhttp_request;
struct reg_config;

/*
 * evhttp_send_reply, with the response's first 16 KiB (the head and the start of the body)
 * made one piece in the connection's output: bufferevent_openssl makes a TLS record, and with
 * TCP_NODELAY a segment, of every piece it finds, so a head and a body built from several
 * evbuffer pieces would go out as that many records and writes instead of one.
 */
void reg_send_reply(struct evhttp_request *req, int code, const char *reason,
		    struct evbuffer *body);

/*
 * Run the registrar of c until SIGTERM or SIGINT: load the trust anchors, policy and store,
 * listen, serve, then stop accepting, close every connection and the store. Returns 0 after a
 * clean shutdown, or a negative errno (set-up failed) with a message in err.
 */
int reg_server_run(const struct reg_config *c, char *err, size_t errlen);

/* Load everything run would (TLS files, trust anchors, policy, store) and release it. */
int reg_server_check(const struct reg_config *c, char *err, size_t errlen);

#endif
