// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* PCR selections: parser of the command-line syntax, text form, TAO_A_PCR_SELECTION encoder. */
#include "tao_pcr_sel.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "tao_names.h"
#include "tao_nla.h"

/*
 * A decimal PCR index at *p, advancing p; -1 if there is none. Anything beyond the PCRs is
 * TAO_PCR_COUNT, however large.
 */
static int parse_index(const char **p, const char *end)
{
	const char *s = *p;
	int v = 0;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > TAO_PCR_COUNT)
			v = TAO_PCR_COUNT;
		s++;
	}
	*p = s;
	return v;
}

/* A bank name or "0x" and four hex digits, in [s, end). */
static int parse_bank(const char *s, const char *end, uint16_t *alg, struct tao_perr *e)
{
	char name[16];
	size_t len = (size_t)(end - s);

	if (len == 0)
		return tao_fail(e, -EINVAL, "a bank name is missing before ':'");
	if (len >= sizeof(name))
		return tao_fail(e, -EINVAL, "unknown PCR bank '%.*s'", (int)len, s);
	memcpy(name, s, len);
	name[len] = '\0';
	if (tao_alg_from_name(name, alg) == 0)
		return 0;
	if (len == 6 && name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
		unsigned int v = 0;
		int i;

		for (i = 2; i < 6; i++) {
			char c = name[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				break;
			v = v << 4 | (unsigned int)d;
		}
		if (i == 6) {
			*alg = (uint16_t)v;
			return 0;
		}
	}
	return tao_fail(e, -EINVAL, "unknown PCR bank '%s'", name);
}

/* The item of a PCR list that starts at item is not an index, a range or 'all'. */
static int bad_item(const char *item, const char *end, const char *bank, struct tao_perr *e)
{
	const char *stop = memchr(item, ',', (size_t)(end - item));
	int len = (int)((stop ? stop : end) - item);

	if (len == 0)
		return tao_fail(e, -EINVAL, "%s: empty item in the PCR list", bank);
	return tao_fail(e, -EINVAL, "%s: '%.*s' is not a PCR index (0..%d), a range (N-M) or 'all'",
			bank, len, item, TAO_PCR_COUNT - 1);
}

/* The PCR list of one bank, in [s, end). */
static int parse_list(const char *s, const char *end, const char *bank, uint32_t *mask,
		      struct tao_perr *e)
{
	uint32_t m = 0;

	if (s == end)
		return tao_fail(e, -EINVAL, "%s: no PCRs listed after ':'", bank);
	if ((size_t)(end - s) == 3 && memcmp(s, "all", 3) == 0) {
		*mask = TAO_PCR_MASK_ALL;
		return 0;
	}
	while (s < end) {
		const char *item = s;
		int lo, hi;

		lo = parse_index(&s, end);
		if (lo < 0)
			return bad_item(item, end, bank, e);
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			hi = parse_index(&s, end);
			if (hi < 0)
				return bad_item(item, end, bank, e);
		}
		if (s < end && *s != ',')
			return bad_item(item, end, bank, e);
		if (lo >= TAO_PCR_COUNT || hi >= TAO_PCR_COUNT) {
			const char *num = item;

			if (lo < TAO_PCR_COUNT)
				num = (const char *)memchr(item, '-', (size_t)(s - item)) + 1;
			return tao_fail(e, -EINVAL, "%s: PCR %.*s is out of range 0..%d", bank,
					(int)strspn(num, "0123456789"), num, TAO_PCR_COUNT - 1);
		}
		if (hi < lo)
			return tao_fail(e, -EINVAL, "%s: range %d-%d runs backwards", bank, lo, hi);
		for (int i = lo; i <= hi; i++) {
			if (m & (1u << i))
				return tao_fail(e, -EINVAL, "%s: PCR %d is selected twice", bank,
						i);
			m |= 1u << i;
		}
		if (s < end) {
			s++; /* the ',' */
			if (s == end)
				return tao_fail(e, -EINVAL, "%s: the PCR list ends with ','", bank);
		}
	}
	*mask = m;
	return 0;
}

int tao_pcr_selection_parse(const char *s, struct tao_pcr_selection *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_pcr_selection sel;
	const char *p = s;

	memset(&sel, 0, sizeof(sel));
	if (!*s)
		return tao_fail(&e, -EINVAL, "the PCR selection is empty");
	for (;;) {
		const char *end = strchr(p, '+');
		const char *colon;
		struct tao_pcr_bank_sel b;
		char bank[16];
		int rc;

		if (!end)
			end = p + strlen(p);
		if (end == p)
			return tao_fail(&e, -EINVAL,
					"empty bank in the PCR selection (check the '+')");
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon)
			return tao_fail(&e, -EINVAL, "'%.*s' is not BANK:PCRS", (int)(end - p), p);
		rc = parse_bank(p, colon, &b.alg, &e);
		if (rc)
			return rc;
		if (tao_alg_name(b.alg))
			snprintf(bank, sizeof(bank), "%s", tao_alg_name(b.alg));
		else
			snprintf(bank, sizeof(bank), "0x%04x", b.alg);
		for (size_t i = 0; i < sel.n; i++)
			if (sel.banks[i].alg == b.alg)
				return tao_fail(&e, -EINVAL, "bank %s is selected twice", bank);
		if (sel.n == TAO_MAX_PCR_BANKS)
			return tao_fail(&e, -EINVAL, "more than %d banks selected",
					TAO_MAX_PCR_BANKS);
		rc = parse_list(colon + 1, end, bank, &b.mask, &e);
		if (rc)
			return rc;
		sel.banks[sel.n++] = b;
		if (!*end)
			break;
		p = end + 1;
	}
	*out = sel;
	return 0;
}

int tao_pcr_selection_format(const struct tao_pcr_selection *sel, char *buf, size_t len)
{
	size_t used = 0;

/* snprintf() at the end of what is written so far; count what did not fit. */
#define OUT(...)                                                                               \
	do {                                                                                   \
		int n_ = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, \
				  __VA_ARGS__);                                                \
		if (n_ > 0)                                                                    \
			used += (size_t)n_;                                                    \
	} while (0)

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sel->n; i++) {
		const char *name = tao_alg_name(sel->banks[i].alg);
		uint32_t m = sel->banks[i].mask;
		bool first = true;

		if (i)
			OUT("+");
		if (name)
			OUT("%s:", name);
		else
			OUT("0x%04x:", sel->banks[i].alg);
		for (int pcr = 0; pcr < 32; pcr++) {
			int last = pcr;

			if (!(m & (1u << pcr)))
				continue;
			while (last + 1 < 32 && (m & (1u << (last + 1))))
				last++;
			OUT(first ? "" : ",");
			if (last > pcr)
				OUT("%d-%d", pcr, last);
			else
				OUT("%d", pcr);
			first = false;
			pcr = last;
		}
	}
#undef OUT
	return (int)used;
}

size_t tao_pcr_selection_count(const struct tao_pcr_selection *sel)
{
	size_t n = 0;

	for (size_t i = 0; i < sel->n; i++)
		n += (size_t)__builtin_popcount(sel->banks[i].mask);
	return n;
}

int tao_pcr_selection_put(struct nl_msg *msg, const struct tao_pcr_selection *sel)
{
	struct nlattr *nest = nla_nest_start(msg, TAO_A_PCR_SELECTION);

	if (!nest)
		return -EMSGSIZE;
	for (size_t i = 0; i < sel->n; i++) {
		struct nlattr *entry = nla_nest_start(msg, TAO_A_PCR_SELECTION_ENTRY);

		if (!entry || nla_put_u16(msg, TAO_A_PCR_ALG, sel->banks[i].alg) < 0 ||
		    nla_put_u32(msg, TAO_A_PCR_MASK, sel->banks[i].mask) < 0)
			return -EMSGSIZE;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, nest);
	return 0;
}
