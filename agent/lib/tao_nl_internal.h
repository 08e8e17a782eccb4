/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* libtao internals shared with the unit tests; not part of the public API. */
#ifndef TAO_NL_INTERNAL_H
#define TAO_NL_INTERNAL_H

#include "tao_nl.h"

struct nl_sock;

/*
 * Wrap a socket whose family id is already known. Takes ownership of sk, also on failure.
 * tao_nl_open() uses it after resolving; tests pass a socket with overridden send/recv.
 */
int tao_nl_adopt(struct nl_sock *sk, int family, struct tao_nl **out);

#endif /* TAO_NL_INTERNAL_H */
