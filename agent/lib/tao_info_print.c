// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_info_print(): struct tao_info as aligned "key: value" lines for people. */
#include "tao_info.h"

#include <errno.h>
#include <inttypes.h>

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
	return ferror(f) ? -EIO : 0;
}
