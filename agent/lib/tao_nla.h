/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Strict netlink attribute validation shared by libtao's reply parsers (internal to libtao and
 * its tests): every attribute's type and length checked, duplicates and stray bytes refused,
 * unknown attributes skipped, and a message that names the offending attribute.
 */
#ifndef TAO_NLA_H
#define TAO_NLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/tao.h>

struct nlattr;
struct nlmsghdr;

/* Where a parser writes the message of its failure; buf may be NULL. */
struct tao_perr {
	char *buf;
	size_t len;
};

/* Write the message (if e has a buffer) and return rc. */
__attribute__((format(printf, 3, 4))) int tao_fail(struct tao_perr *e, int rc, const char *fmt,
						   ...);

enum tao_nla_kind {
	TAO_NLA_UNCHECKED = 0, /* pads, request-only attributes: skipped like unknown ones */
	TAO_NLA_U8,
	TAO_NLA_U16,
	TAO_NLA_U32,
	TAO_NLA_U64,
	TAO_NLA_STRING, /* NUL-terminated; max counts the NUL (0: no limit) */
	TAO_NLA_BINARY, /* min..max bytes */
	TAO_NLA_NESTED,
};

struct tao_nla_policy {
	const char *name; /* "TAO_A_LOG_PCR", for messages */
	enum tao_nla_kind kind;
	uint16_t min, max;
};

/* The policy of every top-level TAO_A_* attribute of a reply. */
extern const struct tao_nla_policy tao_attr_policy[TAO_A_MAX + 1];

/*
 * Validate the attributes in [head, head + len) against policy[0..maxtype] and index them in
 * tb[0..maxtype] (unknown and unchecked ones are left NULL). Returns 0 or -EBADMSG with a message
 * prefixed by where ("" or "PCR bank entry 2: ").
 */
int tao_nla_parse(struct nlattr **tb, int maxtype, struct nlattr *head, int len,
		  const struct tao_nla_policy *policy, const char *where, struct tao_perr *e);

/* tao_nla_parse() on the payload of a nested attribute. */
int tao_nla_parse_nested(struct nlattr **tb, int maxtype, struct nlattr *nest,
			 const struct tao_nla_policy *policy, const char *where,
			 struct tao_perr *e);

/*
 * Check that nlh is a generic netlink message of command cmd, then tao_nla_parse() its
 * attributes against tao_attr_policy into tb[0..TAO_A_MAX]. -EPROTO for a message that is not
 * such a reply, -EBADMSG for bad attributes.
 */
int tao_genl_parse(struct nlmsghdr *nlh, int cmd, struct nlattr **tb, struct tao_perr *e);

/* The version field of nlh's genl header; nlh must have passed tao_genl_parse(). */
uint8_t tao_genl_version(struct nlmsghdr *nlh);

/*
 * Call fn for every attribute of type entry_type in nest, in order, with its 0-based index.
 * Other types are skipped (a later version's additions). More than max entries, or bytes after
 * the last attribute, fail with -EBADMSG. *count (if not NULL) gets the number of entries.
 */
int tao_nla_for_each_entry(struct nlattr *nest, int entry_type, size_t max, const char *nest_name,
			   int (*fn)(struct nlattr *entry, size_t index, void *arg,
				     struct tao_perr *e),
			   void *arg, size_t *count, struct tao_perr *e);

/* "TAO_A_KEY_ROLE is missing" unless tb[type]; where prefixes the message. */
int tao_nla_require(struct nlattr **tb, int type, const struct tao_nla_policy *policy,
		    const char *where, struct tao_perr *e);

/* "TAO_CMD_QUOTE" for TAO_CMD_QUOTE; "command N" for others (in a static buffer). */
const char *tao_cmd_name(int cmd);

#endif /* TAO_NLA_H */
