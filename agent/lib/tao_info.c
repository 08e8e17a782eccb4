// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_info_parse(): a TAO_CMD_GET_INFO reply into struct tao_info, refusing anything malformed. */
#include "tao_info.h"

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "tao_nla.h"

#define P(attr, k, lo, hi) [attr] = { .name = #attr, .kind = (k), .min = (lo), .max = (hi) }

static const struct tao_nla_policy bank_policy[TAO_A_PCR_BANK_MAX + 1] = {
	P(TAO_A_PCR_BANK_ALG, TAO_NLA_U16, 0, 0),
	P(TAO_A_PCR_BANK_DIGEST_SIZE, TAO_NLA_U16, 0, 0),
};

static const struct tao_nla_policy stat_policy[TAO_A_STAT_MAX + 1] = {
	P(TAO_A_STAT_PAD, TAO_NLA_UNCHECKED, 0, 0), P(TAO_A_STAT_MEASURE, TAO_NLA_U64, 0, 0),
	P(TAO_A_STAT_QUOTE, TAO_NLA_U64, 0, 0),	    P(TAO_A_STAT_TPM_ERRORS, TAO_NLA_U64, 0, 0),
	P(TAO_A_STAT_LOG_FULL, TAO_NLA_U64, 0, 0),  P(TAO_A_STAT_KEY_MISMATCH, TAO_NLA_U64, 0, 0),
};

/* The fixed properties (TPM2_GetCapability(TPM_PT_FIXED)): all of them or none. */
static const int prop_attrs[] = {
	TAO_A_TPM_MANUFACTURER, TAO_A_TPM_VENDOR_STRING, TAO_A_TPM_FW_VERSION_1,
	TAO_A_TPM_FW_VERSION_2, TAO_A_TPM_SPEC_REVISION, TAO_A_TPM_SPEC_YEAR,
	TAO_A_TPM_SPEC_DAY,
};

/* The log's counters: all of them or none, and always there for a TPM 2.0. */
static const int log_attrs[] = {
	TAO_A_LOG_PCR, TAO_A_LOG_ENTRIES, TAO_A_LOG_BYTES, TAO_A_LOG_MAX_BYTES, TAO_A_STATS,
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A kernel-made name (version, device): non-empty printable ASCII; the policy bounded it. */
static int get_name(const struct nlattr *a, const char *what, char *dst, size_t size,
		    struct tao_perr *e)
{
	const char *s = nla_data(a);
	size_t len = strlen(s);

	if (len == 0)
		return tao_fail(e, -EBADMSG, "%s is empty", what);
	if (len >= size) /* the policy makes this impossible; keep the copy safe regardless */
		return tao_fail(e, -EBADMSG, "%s is too long", what);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return tao_fail(e, -EBADMSG,
					"%s has byte 0x%02x; want printable ASCII, no spaces", what,
					(unsigned char)s[i]);
	memcpy(dst, s, len + 1);
	return 0;
}

static int parse_bank(struct nlattr *entry, size_t index, void *arg, struct tao_perr *e)
{
	struct tao_info *info = arg;
	struct nlattr *tb[TAO_A_PCR_BANK_MAX + 1];
	struct tao_pcr_bank bank;
	char where[40];
	int rc;

	snprintf(where, sizeof(where), "PCR bank entry %zu: ", index + 1);
	rc = tao_nla_parse_nested(tb, TAO_A_PCR_BANK_MAX, entry, bank_policy, where, e);
	if (rc)
		return rc;
	for (int t = 1; t <= TAO_A_PCR_BANK_MAX; t++) {
		rc = tao_nla_require(tb, t, bank_policy, where, e);
		if (rc)
			return rc;
	}
	bank.alg = nla_get_u16(tb[TAO_A_PCR_BANK_ALG]);
	bank.digest_size = nla_get_u16(tb[TAO_A_PCR_BANK_DIGEST_SIZE]);
	if (bank.digest_size < 1 || bank.digest_size > TAO_MAX_DIGEST_SIZE)
		return tao_fail(e, -EBADMSG, "%sdigest size %u is outside 1..%d", where,
				bank.digest_size, TAO_MAX_DIGEST_SIZE);
	for (size_t i = 0; i < index; i++)
		if (info->banks[i].alg == bank.alg)
			return tao_fail(e, -EBADMSG, "%salgorithm 0x%04x is listed twice", where,
					bank.alg);
	info->banks[index] = bank;
	return 0;
}

static int parse_banks(struct nlattr *banks, struct tao_info *info, struct tao_perr *e)
{
	int rc = tao_nla_for_each_entry(banks, TAO_A_PCR_BANKS_ENTRY, TAO_MAX_PCR_BANKS,
					"TAO_A_PCR_BANKS", parse_bank, info, &info->n_banks, e);

	if (rc)
		return rc;
	if (info->n_banks == 0)
		return tao_fail(e, -EBADMSG,
				"TAO_A_PCR_BANKS has no entries; a TPM 2.0 has at least one");
	return 0;
}

static int parse_props(struct nlattr **tb, struct tao_info *info, struct tao_perr *e)
{
	const char *vendor;
	size_t present = 0;

	for (size_t i = 0; i < N_ELEMS(prop_attrs); i++)
		present += tb[prop_attrs[i]] != NULL;
	if (present == 0)
		return 0;
	for (size_t i = 0; i < N_ELEMS(prop_attrs); i++)
		if (!tb[prop_attrs[i]])
			return tao_fail(e, -EBADMSG,
					"fixed properties are incomplete: %s is missing",
					tao_attr_policy[prop_attrs[i]].name);
	/* The module sends TAO_A_TPM_RC exactly when the TPM refused to give the properties. */
	if (info->has_rc)
		return tao_fail(e, -EBADMSG, "TAO_A_TPM_RC comes with fixed properties");

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

static int parse_tpm2(struct nlattr **tb, struct tao_info *info, struct tao_perr *e)
{
	int rc;

	if (!tb[TAO_A_TPM_DEVICE])
		return tao_fail(e, -EBADMSG, "TAO_A_TPM_DEVICE is missing for a TPM 2.0");
	rc = get_name(tb[TAO_A_TPM_DEVICE], "TAO_A_TPM_DEVICE", info->device, sizeof(info->device),
		      e);
	if (rc)
		return rc;
	if (!tb[TAO_A_PCR_BANKS])
		return tao_fail(e, -EBADMSG, "TAO_A_PCR_BANKS is missing for a TPM 2.0");
	rc = parse_banks(tb[TAO_A_PCR_BANKS], info, e);
	if (rc)
		return rc;
	if (tb[TAO_A_TPM_RC]) {
		info->has_rc = true;
		info->tpm_rc = nla_get_u32(tb[TAO_A_TPM_RC]);
	}
	return parse_props(tb, info, e);
}

static int parse_stats(struct nlattr *nest, struct tao_stats *stats, struct tao_perr *e)
{
	struct nlattr *tb[TAO_A_STAT_MAX + 1];
	int rc;

	rc = tao_nla_parse_nested(tb, TAO_A_STAT_MAX, nest, stat_policy, "TAO_A_STATS: ", e);
	if (rc)
		return rc;
	for (int t = TAO_A_STAT_MEASURE; t <= TAO_A_STAT_MAX; t++) {
		rc = tao_nla_require(tb, t, stat_policy, "TAO_A_STATS: ", e);
		if (rc)
			return rc;
	}
	stats->measure = nla_get_u64(tb[TAO_A_STAT_MEASURE]);
	stats->quote = nla_get_u64(tb[TAO_A_STAT_QUOTE]);
	stats->tpm_errors = nla_get_u64(tb[TAO_A_STAT_TPM_ERRORS]);
	stats->log_full = nla_get_u64(tb[TAO_A_STAT_LOG_FULL]);
	stats->key_mismatch = nla_get_u64(tb[TAO_A_STAT_KEY_MISMATCH]);
	return 0;
}

/* For a TPM 2.0, the PCR's value at load is known for exactly the active banks. */
static int check_at_load_banks(const struct tao_info *info, struct tao_perr *e)
{
	for (size_t i = 0; i < info->n_banks; i++) {
		const struct tao_digest *d =
			tao_digest_list_find(&info->pcr_at_load, info->banks[i].alg);

		if (!d)
			return tao_fail(e, -EBADMSG,
					"TAO_A_LOG_PCR_AT_LOAD lacks active bank 0x%04x",
					info->banks[i].alg);
		if (d->size != info->banks[i].digest_size)
			return tao_fail(e, -EBADMSG,
					"TAO_A_LOG_PCR_AT_LOAD has %u bytes for bank 0x%04x, whose "
					"digests are %u bytes",
					d->size, d->alg, info->banks[i].digest_size);
	}
	if (info->pcr_at_load.n != info->n_banks)
		for (size_t i = 0; i < info->pcr_at_load.n; i++) {
			bool active = false;

			for (size_t j = 0; j < info->n_banks; j++)
				active |= info->banks[j].alg == info->pcr_at_load.d[i].alg;
			if (!active)
				return tao_fail(e, -EBADMSG,
						"TAO_A_LOG_PCR_AT_LOAD has bank 0x%04x, which is "
						"not active",
						info->pcr_at_load.d[i].alg);
		}
	return 0;
}

static int parse_log(struct nlattr **tb, struct tao_info *info, struct tao_perr *e)
{
	bool tpm2 = info->tpm_state == TAO_TPM_STATE_TPM2;
	size_t present = 0;
	int rc;

	for (size_t i = 0; i < N_ELEMS(log_attrs); i++)
		present += tb[log_attrs[i]] != NULL;
	if (present || tpm2)
		for (size_t i = 0; i < N_ELEMS(log_attrs); i++)
			if (!tb[log_attrs[i]])
				return tao_fail(e, -EBADMSG, "%s is missing%s",
						tao_attr_policy[log_attrs[i]].name,
						tpm2 ? " for a TPM 2.0"
						     : " from the log's counters");
	if (present) {
		info->has_log = true;
		info->log_pcr = nla_get_u32(tb[TAO_A_LOG_PCR]);
		if (info->log_pcr >= TAO_PCR_COUNT)
			return tao_fail(e, -EBADMSG, "TAO_A_LOG_PCR %u is outside 0..%d",
					info->log_pcr, TAO_PCR_COUNT - 1);
		info->log_entries = nla_get_u32(tb[TAO_A_LOG_ENTRIES]);
		info->log_bytes = nla_get_u64(tb[TAO_A_LOG_BYTES]);
		info->log_max_bytes = nla_get_u64(tb[TAO_A_LOG_MAX_BYTES]);
		rc = parse_stats(tb[TAO_A_STATS], &info->stats, e);
		if (rc)
			return rc;
	}
	if (!tb[TAO_A_LOG_PCR_AT_LOAD]) {
		if (info->log_entries)
			return tao_fail(e, -EBADMSG,
					"TAO_A_LOG_PCR_AT_LOAD is missing, but the log has %u "
					"entries",
					info->log_entries);
		return 0;
	}
	if (!present)
		return tao_fail(e, -EBADMSG,
				"TAO_A_LOG_PCR_AT_LOAD comes without the log's counters");
	rc = tao_digest_list_parse(tb[TAO_A_LOG_PCR_AT_LOAD], "TAO_A_LOG_PCR_AT_LOAD",
				   &info->pcr_at_load, e->buf, e->len);
	if (rc)
		return rc;
	info->has_pcr_at_load = true;
	return tpm2 ? check_at_load_banks(info, e) : 0;
}

int tao_info_parse(struct nlmsghdr *nlh, struct tao_info *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	struct tao_info info;
	uint32_t state;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	/* Everything goes into a local first so that *out only ever sees a complete result. */
	memset(&info, 0, sizeof(info));
	rc = tao_genl_parse(nlh, TAO_CMD_GET_INFO, tb, &e);
	if (rc)
		return rc;
	info.genl_version = tao_genl_version(nlh);

	if (!tb[TAO_A_MODULE_VERSION])
		return tao_fail(&e, -EBADMSG, "TAO_A_MODULE_VERSION is missing");
	rc = get_name(tb[TAO_A_MODULE_VERSION], "TAO_A_MODULE_VERSION", info.module_version,
		      sizeof(info.module_version), &e);
	if (rc)
		return rc;
	if (!tb[TAO_A_TPM_STATE])
		return tao_fail(&e, -EBADMSG, "TAO_A_TPM_STATE is missing");
	state = nla_get_u32(tb[TAO_A_TPM_STATE]);
	if (state > TAO_TPM_STATE_MAX)
		return tao_fail(&e, -EBADMSG, "TAO_A_TPM_STATE has unknown value %u", state);
	info.tpm_state = (enum tao_tpm_state)state;

	/* The contract defines device, banks and properties for a TPM 2.0 only; else ignore. */
	if (info.tpm_state == TAO_TPM_STATE_TPM2) {
		rc = parse_tpm2(tb, &info, &e);
		if (rc)
			return rc;
	}
	rc = parse_log(tb, &info, &e);
	if (rc)
		return rc;
	*out = info;
	return 0;
}
