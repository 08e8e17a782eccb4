// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_info_print(): struct tao_info as aligned "key: value" lines for people. */
#include "tao_info.h"

#include <errno.h>
#include <inttypes.h>

#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"

#define KEY "%-16s"

static void print_tpm(FILE *f, const struct tao_info *info)
{
	switch (info->tpm_state) {
	case TAO_TPM_STATE_NONE:
		fprintf(f, KEY "none — no TPM 2.0 chip is registered with the kernel\n", "tpm:");
		break;
	case TAO_TPM_STATE_TPM12:
		fprintf(f, KEY "TPM 1.2 — not supported by tao, which needs a TPM 2.0\n", "tpm:");
		break;
	case TAO_TPM_STATE_GONE:
		fprintf(f, KEY "gone — the TPM's driver went away\n", "tpm:");
		break;
	case TAO_TPM_STATE_TPM2:
	default:
		fprintf(f, KEY "TPM 2.0 (%s)\n", "tpm:", info->device);
		break;
	}
}

static void print_props(FILE *f, const struct tao_info *info)
{
	char manufacturer[5];

	fprintf(f, KEY "%s (0x%08" PRIx32 ")\n",
		"manufacturer:", tao_manufacturer_str(info->manufacturer, manufacturer),
		info->manufacturer);
	fprintf(f, KEY "%s\n", "vendor:", info->vendor[0] ? info->vendor : "(none)");
	fprintf(f, KEY "0x%08" PRIx32 " 0x%08" PRIx32 "\n", "firmware:", info->fw1, info->fw2);
	/* TPM_PT_REVISION is the spec revision times 100: 164 is 1.64. */
	fprintf(f, KEY "revision %" PRIu32 ".%02" PRIu32 ", %" PRIu32 " day %" PRIu32 "\n",
		"spec:", info->spec_revision / 100, info->spec_revision % 100, info->spec_year,
		info->spec_day);
}

static void print_banks(FILE *f, const struct tao_info *info)
{
	fprintf(f, KEY, "pcr banks:");
	for (size_t i = 0; i < info->n_banks; i++) {
		const char *name = tao_alg_name(info->banks[i].alg);

		fputs(i ? ", " : "", f);
		if (name)
			fputs(name, f);
		else
			fprintf(f, "alg 0x%04x", info->banks[i].alg);
		fprintf(f, " (%u bytes)", info->banks[i].digest_size);
	}
	fputc('\n', f);
}

static void print_log(FILE *f, const struct tao_info *info)
{
	const struct tao_stats *st = &info->stats;

	fprintf(f, KEY "PCR %" PRIu32 ", %" PRIu32 " entries, %" PRIu64 " of %" PRIu64 " bytes\n",
		"log:", info->log_pcr, info->log_entries, info->log_bytes, info->log_max_bytes);
	if (info->has_pcr_at_load)
		for (size_t i = 0; i < info->pcr_at_load.n; i++) {
			const struct tao_digest *d = &info->pcr_at_load.d[i];
			char hex[2 * TAO_MAX_DIGEST_SIZE + 1], key[8];

			fprintf(f, KEY "%s %s\n",
				i ? "" : "pcr at load:", tao_json_bank_key(d->alg, key),
				tao_hex_encode(d->bytes, d->size, hex));
		}
	fprintf(f,
		KEY "measure %" PRIu64 ", quote %" PRIu64 ", tpm errors %" PRIu64
		    ", log full %" PRIu64 ", key mismatch %" PRIu64 "\n",
		"stats:", st->measure, st->quote, st->tpm_errors, st->log_full, st->key_mismatch);
}

int tao_info_print(FILE *f, const struct tao_info *info)
{
	fprintf(f, KEY "%s\n", "module version:", info->module_version);
	print_tpm(f, info);
	if (info->tpm_state == TAO_TPM_STATE_TPM2) {
		if (info->has_props)
			print_props(f, info);
		if (info->has_rc)
			fprintf(f, KEY "0x%08" PRIx32 " (%s; no fixed properties)\n",
				"tpm rc:", info->tpm_rc,
				info->tpm_rc ? "the TPM refused TPM2_GetCapability"
					     : "transport error");
		print_banks(f, info);
	}
	if (info->has_log)
		print_log(f, info);
	return ferror(f) ? -EIO : 0;
}
