// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Strict netlink attribute validation for libtao's reply parsers: see tao_nla.h. */
#include "tao_nla.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "tao_limits.h"

int tao_fail(struct tao_perr *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e && e->buf && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#define P(attr, k, lo, hi) [attr] = { .name = #attr, .kind = (k), .min = (lo), .max = (hi) }

const struct tao_nla_policy tao_attr_policy[TAO_A_MAX + 1] = {
	P(TAO_A_MODULE_VERSION, TAO_NLA_STRING, 0, TAO_NAME_MAX),
	P(TAO_A_TPM_STATE, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_DEVICE, TAO_NLA_STRING, 0, TAO_NAME_MAX),
	P(TAO_A_TPM_RC, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_MANUFACTURER, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_VENDOR_STRING, TAO_NLA_STRING, 0, TAO_VENDOR_STRING_MAX + 1),
	P(TAO_A_TPM_FW_VERSION_1, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_FW_VERSION_2, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_SPEC_REVISION, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_SPEC_YEAR, TAO_NLA_U32, 0, 0),
	P(TAO_A_TPM_SPEC_DAY, TAO_NLA_U32, 0, 0),
	P(TAO_A_PCR_BANKS, TAO_NLA_NESTED, 0, 0),
	P(TAO_A_PAD, TAO_NLA_UNCHECKED, 0, 0),
	P(TAO_A_LOG_PCR, TAO_NLA_U32, 0, 0),
	P(TAO_A_LOG_ENTRIES, TAO_NLA_U32, 0, 0),
	P(TAO_A_LOG_BYTES, TAO_NLA_U64, 0, 0),
	P(TAO_A_LOG_MAX_BYTES, TAO_NLA_U64, 0, 0),
	P(TAO_A_LOG_PCR_AT_LOAD, TAO_NLA_NESTED, 0, 0),
	P(TAO_A_LOG_START, TAO_NLA_UNCHECKED, 0, 0), /* requests only */
	P(TAO_A_STATS, TAO_NLA_NESTED, 0, 0),
	P(TAO_A_PCR_SELECTION, TAO_NLA_UNCHECKED, 0, 0), /* requests only */
	P(TAO_A_PCR_VALUES, TAO_NLA_NESTED, 0, 0),
	P(TAO_A_PCR_UPDATE_COUNTER, TAO_NLA_U32, 0, 0),
	P(TAO_A_EVENT_SEQ, TAO_NLA_U32, 0, 0),
	P(TAO_A_EVENT_TYPE, TAO_NLA_U32, 0, 0),
	P(TAO_A_EVENT_NAME, TAO_NLA_STRING, 0, TAO_EVENT_NAME_MAX + 1),
	P(TAO_A_EVENT_DATA, TAO_NLA_BINARY, 0, 0xffff),
	P(TAO_A_EVENT_DIGESTS, TAO_NLA_NESTED, 0, 0),
	P(TAO_A_KEY_ROLE, TAO_NLA_U32, 0, 0),
	P(TAO_A_KEY_HANDLE, TAO_NLA_U32, 0, 0),
	P(TAO_A_KEY_STATUS, TAO_NLA_U32, 0, 0),
	P(TAO_A_KEY_PUBLIC, TAO_NLA_BINARY, 2, TAO_TPM2B_PUBLIC_MAX),
	P(TAO_A_KEY_NAME, TAO_NLA_BINARY, 2, TAO_TPM_NAME_MAX),
	P(TAO_A_KEY_BOUND_NAME, TAO_NLA_BINARY, 2, TAO_TPM_NAME_MAX),
	P(TAO_A_QUOTE_NONCE, TAO_NLA_UNCHECKED, 0, 0), /* requests only */
	P(TAO_A_QUOTE_ATTEST, TAO_NLA_BINARY, 1, TAO_ATTEST_MAX),
	P(TAO_A_QUOTE_SIGNATURE, TAO_NLA_BINARY, 1, TAO_SIGNATURE_MAX),
	P(TAO_A_RANDOM_LEN, TAO_NLA_UNCHECKED, 0, 0), /* requests only */
	P(TAO_A_RANDOM, TAO_NLA_BINARY, 1, TAO_RANDOM_MAX),
};

/* Why attribute a does not fit policy p, or NULL. */
static const char *misfit(const struct nlattr *a, const struct tao_nla_policy *p, char *why,
			  size_t n)
{
	int len = nla_len(a);
	int want;

	switch (p->kind) {
	case TAO_NLA_U8:
	case TAO_NLA_U16:
	case TAO_NLA_U32:
	case TAO_NLA_U64:
		want = p->kind == TAO_NLA_U8	? 1
		       : p->kind == TAO_NLA_U16 ? 2
		       : p->kind == TAO_NLA_U32 ? 4
						: 8;
		if (len == want)
			return NULL;
		snprintf(why, n, "is %d bytes long, expected %d", len, want);
		return why;
	case TAO_NLA_STRING:
		if (len < 1)
			return "is empty (not even a NUL)";
		if (p->max && len > p->max) {
			snprintf(why, n, "is %d bytes long, at most %u allowed including the NUL",
				 len, (unsigned)p->max);
			return why;
		}
		if (((const char *)nla_data(a))[len - 1] != '\0')
			return "is not NUL-terminated";
		if (memchr(nla_data(a), '\0', (size_t)len - 1))
			return "has a NUL byte before its end";
		return NULL;
	case TAO_NLA_BINARY:
		if (len >= p->min && len <= p->max)
			return NULL;
		if (p->min == p->max)
			snprintf(why, n, "is %d bytes long, expected %u", len, (unsigned)p->min);
		else
			snprintf(why, n, "is %d bytes long, expected %u to %u", len,
				 (unsigned)p->min, (unsigned)p->max);
		return why;
	case TAO_NLA_NESTED:
	case TAO_NLA_UNCHECKED:
	default:
		return NULL;
	}
}

int tao_nla_parse(struct nlattr **tb, int maxtype, struct nlattr *head, int len,
		  const struct tao_nla_policy *policy, const char *where, struct tao_perr *e)
{
	struct nlattr *a;
	char why[96];
	int rem;

	memset(tb, 0, sizeof(*tb) * (size_t)(maxtype + 1));
	nla_for_each_attr (a, head, len, rem) {
		int type = nla_type(a);
		const struct tao_nla_policy *p;
		const char *m;

		if (type < 1 || type > maxtype || policy[type].kind == TAO_NLA_UNCHECKED)
			continue;
		p = &policy[type];
		m = misfit(a, p, why, sizeof(why));
		if (m)
			return tao_fail(e, -EBADMSG, "%s%s %s", where, p->name, m);
		if (tb[type])
			return tao_fail(e, -EBADMSG, "%s%s appears twice", where, p->name);
		tb[type] = a;
	}
	if (rem > 0)
		return tao_fail(e, -EBADMSG, "%s%d stray bytes after the last attribute", where,
				rem);
	return 0;
}

int tao_nla_parse_nested(struct nlattr **tb, int maxtype, struct nlattr *nest,
			 const struct tao_nla_policy *policy, const char *where, struct tao_perr *e)
{
	return tao_nla_parse(tb, maxtype, nla_data(nest), nla_len(nest), policy, where, e);
}

int tao_genl_parse(struct nlmsghdr *nlh, int cmd, struct nlattr **tb, struct tao_perr *e)
{
	struct genlmsghdr *gh;

	if (!genlmsg_valid_hdr(nlh, 0))
		return tao_fail(e, -EPROTO, "message is too short for a generic netlink header");
	gh = genlmsg_hdr(nlh);
	if (gh->cmd != cmd)
		return tao_fail(e, -EPROTO, "reply has command %u, expected %s (%d)", gh->cmd,
				tao_cmd_name(cmd), cmd);
	return tao_nla_parse(tb, TAO_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			     tao_attr_policy, "", e);
}

uint8_t tao_genl_version(struct nlmsghdr *nlh)
{
	return genlmsg_hdr(nlh)->version;
}

int tao_nla_for_each_entry(struct nlattr *nest, int entry_type, size_t max, const char *nest_name,
			   int (*fn)(struct nlattr *entry, size_t index, void *arg,
				     struct tao_perr *e),
			   void *arg, size_t *count, struct tao_perr *e)
{
	struct nlattr *entry;
	size_t n = 0;
	int rem, rc;

	nla_for_each_nested (entry, nest, rem) {
		if (nla_type(entry) != entry_type)
			continue; /* a later module version's addition */
		if (n == max)
			return tao_fail(e, -EBADMSG, "%s has more than %zu entries", nest_name,
					max);
		rc = fn(entry, n, arg, e);
		if (rc)
			return rc;
		n++;
	}
	if (rem > 0)
		return tao_fail(e, -EBADMSG, "%s has %d stray bytes after its last entry",
				nest_name, rem);
	if (count)
		*count = n;
	return 0;
}

int tao_nla_require(struct nlattr **tb, int type, const struct tao_nla_policy *policy,
		    const char *where, struct tao_perr *e)
{
	if (tb[type])
		return 0;
	return tao_fail(e, -EBADMSG, "%s%s is missing", where, policy[type].name);
}

const char *tao_cmd_name(int cmd)
{
	switch (cmd) {
	case TAO_CMD_GET_INFO:
		return "TAO_CMD_GET_INFO";
	case TAO_CMD_PCR_READ:
		return "TAO_CMD_PCR_READ";
	case TAO_CMD_MEASURE:
		return "TAO_CMD_MEASURE";
	case TAO_CMD_LOG_GET:
		return "TAO_CMD_LOG_GET";
	case TAO_CMD_KEY_LIST:
		return "TAO_CMD_KEY_LIST";
	case TAO_CMD_KEY_BIND:
		return "TAO_CMD_KEY_BIND";
	case TAO_CMD_QUOTE:
		return "TAO_CMD_QUOTE";
	case TAO_CMD_GET_RANDOM:
		return "TAO_CMD_GET_RANDOM";
	case TAO_CMD_EVENT_MEASURED:
		return "TAO_CMD_EVENT_MEASURED";
	case TAO_CMD_EVENT_KEY_BOUND:
		return "TAO_CMD_EVENT_KEY_BOUND";
	default:
		return "an unknown command";
	}
}
