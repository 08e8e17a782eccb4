// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_info_parse(): a TAO_CMD_GET_INFO reply into struct tao_info, refusing anything malformed. */
#include "tao_info.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#define NAME(x) [x] = #x

static const char *const attr_names[TAO_A_MAX + 1] = {
	NAME(TAO_A_MODULE_VERSION),   NAME(TAO_A_TPM_STATE),	    NAME(TAO_A_TPM_DEVICE),
	NAME(TAO_A_TPM_RC),	      NAME(TAO_A_TPM_MANUFACTURER), NAME(TAO_A_TPM_VENDOR_STRING),
	NAME(TAO_A_TPM_FW_VERSION_1), NAME(TAO_A_TPM_FW_VERSION_2), NAME(TAO_A_TPM_SPEC_REVISION),
	NAME(TAO_A_TPM_SPEC_YEAR),    NAME(TAO_A_TPM_SPEC_DAY),	    NAME(TAO_A_PCR_BANKS),
};

static const char *const bank_attr_names[TAO_A_PCR_BANK_MAX + 1] = {
	NAME(TAO_A_PCR_BANK_ALG),
	NAME(TAO_A_PCR_BANK_DIGEST_SIZE),
};

/* Integers must have exactly their size; string lengths count the NUL. */
#define U32                                                 \
	{                                                   \
		.type = NLA_U32, .maxlen = sizeof(uint32_t) \
	}
#define U16                                                 \
	{                                                   \
		.type = NLA_U16, .maxlen = sizeof(uint16_t) \
	}

static const struct nla_policy info_policy[TAO_A_MAX + 1] = {
	[TAO_A_MODULE_VERSION] = { .type = NLA_STRING, .maxlen = TAO_NAME_MAX },
	[TAO_A_TPM_STATE] = U32,
	[TAO_A_TPM_DEVICE] = { .type = NLA_STRING, .maxlen = TAO_NAME_MAX },
	[TAO_A_TPM_RC] = U32,
	[TAO_A_TPM_MANUFACTURER] = U32,
	[TAO_A_TPM_VENDOR_STRING] = { .type = NLA_STRING, .maxlen = TAO_VENDOR_STRING_MAX + 1 },
	[TAO_A_TPM_FW_VERSION_1] = U32,
	[TAO_A_TPM_FW_VERSION_2] = U32,
	[TAO_A_TPM_SPEC_REVISION] = U32,
	[TAO_A_TPM_SPEC_YEAR] = U32,
	[TAO_A_TPM_SPEC_DAY] = U32,
	[TAO_A_PCR_BANKS] = { .type = NLA_NESTED },
};

static const struct nla_policy bank_policy[TAO_A_PCR_BANK_MAX + 1] = {
	[TAO_A_PCR_BANK_ALG] = U16,
	[TAO_A_PCR_BANK_DIGEST_SIZE] = U16,
};

/* The fixed properties (TPM2_GetCapability(TPM_PT_FIXED)): all of them or none. */
static const int prop_attrs[] = {
	TAO_A_TPM_MANUFACTURER, TAO_A_TPM_VENDOR_STRING, TAO_A_TPM_FW_VERSION_1,
	TAO_A_TPM_FW_VERSION_2, TAO_A_TPM_SPEC_REVISION, TAO_A_TPM_SPEC_YEAR,
	TAO_A_TPM_SPEC_DAY,
};

struct perr {
	char *buf;
	size_t len;
};

__attribute__((format(printf, 3, 4))) static int fail(struct perr *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Why attribute a does not fit policy p, or NULL: libnl's own checks, but with a reason. */
static const char *misfit(const struct nlattr *a, const struct nla_policy *p, char *why, size_t n)
{
	int len = nla_len(a);
	int want;

	switch (p->type) {
	case NLA_U16:
	case NLA_U32:
		want = p->type == NLA_U16 ? 2 : 4;
		if (len == want)
			return NULL;
		snprintf(why, n, "is %d bytes long, expected %d", len, want);
		return why;
	case NLA_STRING:
		if (len < 1)
			return "is empty (not even a NUL)";
		if (len > p->maxlen) {
			snprintf(why, n, "is %d bytes long, at most %u allowed including the NUL",
				 len, (unsigned)p->maxlen);
			return why;
		}
		if (((const char *)nla_data(a))[len - 1] != '\0')
			return "is not NUL-terminated";
		return NULL;
	default:
		return NULL;
	}
}

/*
 * nla_parse() with a policy; libnl only says that some attribute failed it, so on failure find
 * the first offending one and name it. Also refuse bytes after the last attribute, which
 * nla_parse() silently skips.
 */
static int parse_attrs(struct nlattr **tb, int maxtype, struct nlattr *head, int len,
		       const struct nla_policy *policy, const char *const *names, const char *where,
		       struct perr *e)
{
	struct nlattr *a;
	char why[96];
	int rem;

	if (nla_parse(tb, maxtype, head, len, policy) < 0) {
		nla_for_each_attr (a, head, len, rem) {
			int type = nla_type(a);
			const char *m;

			if (type > maxtype)
				continue;
			m = misfit(a, &policy[type], why, sizeof(why));
			if (m)
				return fail(e, -EBADMSG, "%s%s %s", where, names[type], m);
		}
		return fail(e, -EBADMSG, "%sattributes fail validation", where);
	}
	nla_for_each_attr (a, head, len, rem)
		;
	if (rem > 0)
		return fail(e, -EBADMSG, "%s%d stray bytes after the last attribute", where, rem);
	return 0;
}

/* A kernel-made name (version, device): non-empty printable ASCII; the policy bounded it. */
static int get_name(const struct nlattr *a, const char *what, char *dst, size_t size,
		    struct perr *e)
{
	const char *s = nla_data(a);
	size_t len = strlen(s);

	if (len == 0)
		return fail(e, -EBADMSG, "%s is empty", what);
	if (len >= size) /* the policy makes this impossible; keep the copy safe regardless */
		return fail(e, -EBADMSG, "%s is too long", what);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return fail(e, -EBADMSG,
				    "%s has byte 0x%02x; want printable ASCII, no spaces", what,
				    (unsigned char)s[i]);
	memcpy(dst, s, len + 1);
	return 0;
}

static int parse_banks(struct nlattr *banks, struct tao_info *info, struct perr *e)
{
	struct nlattr *entry;
	size_t n = 0;
	int rem, rc;

	nla_for_each_nested (entry, banks, rem) {
		struct nlattr *tb[TAO_A_PCR_BANK_MAX + 1];
		struct tao_pcr_bank bank;
		char where[40];

		if (nla_type(entry) != TAO_A_PCR_BANKS_ENTRY)
			continue; /* a later module version's addition */
		if (n == TAO_MAX_PCR_BANKS)
			return fail(e, -EBADMSG, "TAO_A_PCR_BANKS has more than %d entries",
				    TAO_MAX_PCR_BANKS);
		snprintf(where, sizeof(where), "PCR bank entry %zu: ", n + 1);
		rc = parse_attrs(tb, TAO_A_PCR_BANK_MAX, nla_data(entry), nla_len(entry),
				 bank_policy, bank_attr_names, where, e);
		if (rc)
			return rc;
		for (int t = 1; t <= TAO_A_PCR_BANK_MAX; t++)
			if (!tb[t])
				return fail(e, -EBADMSG, "%s%s is missing", where,
					    bank_attr_names[t]);
		bank.alg = nla_get_u16(tb[TAO_A_PCR_BANK_ALG]);
		bank.digest_size = nla_get_u16(tb[TAO_A_PCR_BANK_DIGEST_SIZE]);
		if (bank.digest_size < 1 || bank.digest_size > TAO_MAX_DIGEST_SIZE)
			return fail(e, -EBADMSG, "%sdigest size %u is outside 1..%d", where,
				    bank.digest_size, TAO_MAX_DIGEST_SIZE);
		for (size_t i = 0; i < n; i++)
			if (info->banks[i].alg == bank.alg)
				return fail(e, -EBADMSG, "%salgorithm 0x%04x is listed twice",
					    where, bank.alg);
		info->banks[n++] = bank;
	}
	if (rem > 0)
		return fail(e, -EBADMSG, "TAO_A_PCR_BANKS has %d stray bytes after its last entry",
			    rem);
	if (n == 0)
		return fail(e, -EBADMSG,
			    "TAO_A_PCR_BANKS has no entries; a TPM 2.0 has at least one");
	info->n_banks = n;
	return 0;
}

static int parse_props(struct nlattr **tb, struct tao_info *info, struct perr *e)
{
	const char *vendor;
	size_t present = 0;

	for (size_t i = 0; i < sizeof(prop_attrs) / sizeof(prop_attrs[0]); i++)
		present += tb[prop_attrs[i]] != NULL;
	if (present == 0)
		return 0;
	for (size_t i = 0; i < sizeof(prop_attrs) / sizeof(prop_attrs[0]); i++)
		if (!tb[prop_attrs[i]])
			return fail(e, -EBADMSG, "fixed properties are incomplete: %s is missing",
				    attr_names[prop_attrs[i]]);
	/* The module sends TAO_A_TPM_RC exactly when the TPM refused to give the properties. */
	if (info->has_rc)
		return fail(e, -EBADMSG, "TAO_A_TPM_RC comes with fixed properties");

	info->has_props = true;
	info->manufacturer = nla_get_u32(tb[TAO_A_TPM_MANUFACTURER]);
	info->fw1 = nla_get_u32(tb[TAO_A_TPM_FW_VERSION_1]);
	info->fw2 = nla_get_u32(tb[TAO_A_TPM_FW_VERSION_2]);
	info->spec_revision = nla_get_u32(tb[TAO_A_TPM_SPEC_REVISION]);
	info->spec_year = nla_get_u32(tb[TAO_A_TPM_SPEC_YEAR]);
	info->spec_day = nla_get_u32(tb[TAO_A_TPM_SPEC_DAY]);
	/* Raw bytes from the TPM's firmware: keep them printable, never refuse them. */
	vendor = nla_data(tb[TAO_A_TPM_VENDOR_STRING]);
	for (size_t i = 0; vendor[i] && i < TAO_VENDOR_STRING_MAX; i++) {
		unsigned char c = (unsigned char)vendor[i];

		info->vendor[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	return 0;
}

static int parse_tpm2(struct nlattr **tb, struct tao_info *info, struct perr *e)
{
	int rc;

	if (!tb[TAO_A_TPM_DEVICE])
		return fail(e, -EBADMSG, "TAO_A_TPM_DEVICE is missing for a TPM 2.0");
	rc = get_name(tb[TAO_A_TPM_DEVICE], "TAO_A_TPM_DEVICE", info->device, sizeof(info->device),
		      e);
	if (rc)
		return rc;
	if (!tb[TAO_A_PCR_BANKS])
		return fail(e, -EBADMSG, "TAO_A_PCR_BANKS is missing for a TPM 2.0");
	rc = parse_banks(tb[TAO_A_PCR_BANKS], info, e);
	if (rc)
		return rc;
	if (tb[TAO_A_TPM_RC]) {
		info->has_rc = true;
		info->tpm_rc = nla_get_u32(tb[TAO_A_TPM_RC]);
	}
	return parse_props(tb, info, e);
}

int tao_info_parse(struct nlmsghdr *nlh, struct tao_info *out, char *err, size_t errlen)
{
	struct perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	struct genlmsghdr *gh;
	struct tao_info info;
	uint32_t state;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	/* Everything goes into a local first so that *out only ever sees a complete result. */
	memset(&info, 0, sizeof(info));
	if (!genlmsg_valid_hdr(nlh, 0))
		return fail(&e, -EPROTO, "message is too short for a generic netlink header");
	gh = genlmsg_hdr(nlh);
	if (gh->cmd != TAO_CMD_GET_INFO)
		return fail(&e, -EPROTO, "reply has command %u, expected TAO_CMD_GET_INFO (%d)",
			    gh->cmd, TAO_CMD_GET_INFO);
	rc = parse_attrs(tb, TAO_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			 info_policy, attr_names, "", &e);
	if (rc)
		return rc;
	info.genl_version = gh->version;

	if (!tb[TAO_A_MODULE_VERSION])
		return fail(&e, -EBADMSG, "TAO_A_MODULE_VERSION is missing");
	rc = get_name(tb[TAO_A_MODULE_VERSION], "TAO_A_MODULE_VERSION", info.module_version,
		      sizeof(info.module_version), &e);
	if (rc)
		return rc;
	if (!tb[TAO_A_TPM_STATE])
		return fail(&e, -EBADMSG, "TAO_A_TPM_STATE is missing");
	state = nla_get_u32(tb[TAO_A_TPM_STATE]);
	if (state > TAO_TPM_STATE_MAX)
		return fail(&e, -EBADMSG, "TAO_A_TPM_STATE has unknown value %u", state);
	info.tpm_state = (enum tao_tpm_state)state;

	/* The contract defines device, banks and properties for a TPM 2.0 only; else ignore. */
	if (info.tpm_state == TAO_TPM_STATE_TPM2) {
		rc = parse_tpm2(tb, &info, &e);
		if (rc)
			return rc;
	}
	*out = info;
	return 0;
}
