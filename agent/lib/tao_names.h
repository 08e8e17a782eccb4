/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Names for the numbers a TPM and the tao module report: algorithms, TPM states, vendors. */
#ifndef TAO_NAMES_H
#define TAO_NAMES_H

#include <stdint.h>

/* "sha256" for TPM_ALG_SHA256 (0x000b) etc.; NULL for an algorithm without a PCR-bank name. */
const char *tao_alg_name(uint16_t alg);

/* The TPM_ALG_ID of a hash named as tao_alg_name() names it: 0, or -ENOENT. */
int tao_alg_from_name(const char *name, uint16_t *alg);

/* The digest size in bytes of a hash tao_alg_name() knows; 0 for any other algorithm. */
unsigned int tao_alg_digest_size(uint16_t alg);

/* "iak", "idevid", "ldevid", "ak" for enum tao_key_role; NULL for other values. */
const char *tao_role_name(uint32_t role);

/* The enum tao_key_role of a tao_role_name(): 0, or -ENOENT. */
int tao_role_from_name(const char *name, uint32_t *role);

/* "ok", "mismatch", "missing", "unreadable" for enum tao_key_status; NULL for other values. */
const char *tao_key_status_name(uint32_t status);

/* "module_load", "key_bind" for the module's own event types; NULL for any other type. */
const char *tao_event_type_name(uint32_t type);

/* "none", "tpm12", "tpm2", "gone"; NULL for a value outside enum tao_tpm_state. */
const char *tao_tpm_state_name(int state);

/*
 * TPM_PT_MANUFACTURER as text: its four bytes most significant first, trailing NULs and
 * spaces trimmed, other non-printable bytes replaced by '?'. Returns buf.
 */
const char *tao_manufacturer_str(uint32_t manufacturer, char buf[5]);

#endif /* TAO_NAMES_H */
