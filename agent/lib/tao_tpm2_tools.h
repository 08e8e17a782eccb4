/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Files in the formats of tpm2-tools 5.4 (Debian 12), for verifying tao's quotes with
 * tpm2_checkquote.
 */
#ifndef TAO_TPM2_TOOLS_H
#define TAO_TPM2_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"

/* The most TPML_DIGEST lists tpm2_checkquote reads (TPM2_MAX_PCRS), each of up to 8 values. */
#define TAO_TPM2_TOOLS_MAX_LISTS	32
#define TAO_TPM2_TOOLS_PCRS_SIZE(lists) (132 + 4 + 532 * (size_t)(lists))

/*
 * The PCR values of sel in the "serialized" format that `tpm2_quote -o FILE` writes and
 * `tpm2_checkquote -f FILE` reads: the in-memory structs of tpm2-tss on a little-endian 64-bit
 * machine, every integer little-endian:
 *
 *   TPML_PCR_SELECTION  132 bytes: count (u32), then 16 TPMS_PCR_SELECTION of 8 bytes each:
 *                       hash (u16), sizeofSelect (u8), pcrSelect[4], one padding byte (0);
 *                       unused entries are zero
 *   count               u32: the number of TPML_DIGEST lists that follow
 *   TPML_DIGEST[count]  532 bytes each: count (u32), then 8 TPM2B_DIGEST of 66 bytes each:
 *                       size (u16), buffer[64] (unused bytes zero)
 *
 * The values are in selection order (banks as listed, PCR indices ascending), 8 to a list, as
 * tpm2_quote gets them from TPM2_PCR_Read. size_of_select gives each bank's sizeofSelect (NULL:
 * 3, as tpm2_quote writes). Returns 0 and a malloc()ed buffer, or -ENOENT (a selected PCR has no
 * value), -E2BIG (more than 16 banks or 256 values), -ENOMEM, with a message.
 */
int tao_tpm2_tools_pcrs(const struct tao_pcr_selection *sel, const uint8_t *size_of_select,
			const struct tao_pcr_values *values, uint8_t **out, size_t *len, char *err,
			size_t errlen);

#endif /* TAO_TPM2_TOOLS_H */
