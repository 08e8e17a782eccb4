/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The reply of TAO_CMD_GET_RANDOM. */
#ifndef TAO_RANDOM_H
#define TAO_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/*
 * Parse a TAO_CMD_GET_RANDOM reply that must carry exactly len bytes (what was asked for) into
 * buf; as tao_info_parse().
 */
int tao_random_parse(struct nlmsghdr *nlh, uint8_t *buf, size_t len, char *err, size_t errlen);

#endif /* TAO_RANDOM_H */
