// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The reply of TAO_CMD_GET_RANDOM. */
#include "tao_random.h"

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>

#include "tao_nla.h"

int tao_random_parse(struct nlmsghdr *nlh, uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if ((rc = tao_genl_parse(nlh, TAO_CMD_GET_RANDOM, tb, &e)) ||
	    (rc = tao_nla_require(tb, TAO_A_RANDOM, tao_attr_policy, "", &e)))
		return rc;
	if ((size_t)nla_len(tb[TAO_A_RANDOM]) != len)
		return tao_fail(&e, -EBADMSG, "TAO_A_RANDOM has %d bytes, %zu were asked for",
				nla_len(tb[TAO_A_RANDOM]), len);
	memcpy(buf, nla_data(tb[TAO_A_RANDOM]), len);
	return 0;
}
