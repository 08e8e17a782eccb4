// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tpm2-tools 5.4 file formats: the serialized PCR values of tpm2_quote -o. */
#include "tao_tpm2_tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tao_json.h"
#include "tao_nla.h"

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

int tao_tpm2_tools_pcrs(const struct tao_pcr_selection *sel, const uint8_t *size_of_select,
			const struct tao_pcr_values *values, uint8_t **out, size_t *len, char *err,
			size_t errlen)
{
	struct tao_perr e = { err, errlen };
	size_t n = tao_pcr_selection_count(sel), lists = (n + 7) / 8, k = 0;
	uint8_t *buf, *p;
	char key[8];

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (sel->n > 16 || lists > TAO_TPM2_TOOLS_MAX_LISTS)
		return tao_fail(&e, -E2BIG, "tpm2-tools takes at most 16 banks and 256 PCR values");
	buf = calloc(1, TAO_TPM2_TOOLS_PCRS_SIZE(lists));
	if (!buf)
		return tao_fail(&e, -ENOMEM, "out of memory");
	le32(buf, (uint32_t)sel->n);
	for (size_t b = 0; b < sel->n; b++) {
		p = buf + 4 + 8 * b;
		le16(p, sel->banks[b].alg);
		p[2] = size_of_select ? size_of_select[b] : 3;
		le32(p + 3, sel->banks[b].mask);
	}
	le32(buf + 132, (uint32_t)lists);
	for (size_t b = 0; b < sel->n; b++)
		for (unsigned int pcr = 0; pcr < TAO_PCR_COUNT; pcr++) {
			const struct tao_pcr_value *v;
			uint8_t *list = buf + 136 + 532 * (k / 8);

			if (!(sel->banks[b].mask & (1u << pcr)))
				continue;
			v = tao_pcr_values_find(values, sel->banks[b].alg, pcr);
			if (!v) {
				free(buf);
				return tao_fail(&e, -ENOENT, "no value for PCR %u of bank %s", pcr,
						tao_json_bank_key(sel->banks[b].alg, key));
			}
			le32(list, (uint32_t)(k % 8 + 1));
			p = list + 4 + 66 * (k % 8);
			le16(p, v->size);
			memcpy(p + 2, v->digest, v->size);
			k++;
		}
	*out = buf;
	*len = TAO_TPM2_TOOLS_PCRS_SIZE(lists);
	return 0;
}
