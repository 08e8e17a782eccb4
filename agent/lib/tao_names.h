/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Names for the numbers a TPM and the tao module report: algorithms, TPM states, vendors. */
#ifndef TAO_NAMES_H
#define TAO_NAMES_H

#include <stdint.h>

/* "sha256" for TPM_ALG_SHA256 (0x000b) etc.; NULL for an algorithm without a PCR-bank name. */
const char *tao_alg_name(uint16_t alg);

/* "none", "tpm12", "tpm2", "gone"; NULL for a value outside enum tao_tpm_state. */
const char *tao_tpm_state_name(int state);

/*
 * TPM_PT_MANUFACTURER as text: its four bytes most significant first, trailing NULs and
 * spaces trimmed, other non-printable bytes replaced by '?'. Returns buf.
 */
const char *tao_manufacturer_str(uint32_t manufacturer, char buf[5]);

#endif /* TAO_NAMES_H */
