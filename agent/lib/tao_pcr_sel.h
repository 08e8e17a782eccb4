/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * PCR selections: which PCRs of which banks. The command-line syntax ("sha256:0,1,7+sha1:0-7"),
 * its text form, and the encoder of TAO_A_PCR_SELECTION.
 */
#ifndef TAO_PCR_SEL_H
#define TAO_PCR_SEL_H

#include <stddef.h>
#include <stdint.h>

#include "tao_limits.h"

struct nl_msg;

struct tao_pcr_bank_sel {
	uint16_t alg;  /* TPM_ALG_ID */
	uint32_t mask; /* bit n selects PCR n; only bits 0..23 */
};

struct tao_pcr_selection {
	size_t n; /* banks, in the order given; no bank twice */
	struct tao_pcr_bank_sel banks[TAO_MAX_PCR_BANKS];
};

/*
 * Parse a selection: banks separated by '+', each BANK:LIST where BANK is a hash name
 * ("sha256") or a TPM_ALG_ID in hex ("0x000b"), and LIST is "all" or comma-separated PCR
 * indices (0..23) and ranges ("0-7"). No bank twice, no PCR twice within a bank. Returns 0, or
 * -EINVAL with a message in err; *out is untouched on failure.
 */
int tao_pcr_selection_parse(const char *s, struct tao_pcr_selection *out, char *err, size_t errlen);

/*
 * The text form of sel in the syntax above, with ranges folded ("sha256:0-2,7"). Returns the
 * length it needs, like snprintf(); buf may be NULL if len is 0.
 */
int tao_pcr_selection_format(const struct tao_pcr_selection *sel, char *buf, size_t len);

/* The number of PCRs selected over all banks. */
size_t tao_pcr_selection_count(const struct tao_pcr_selection *sel);

/*
 * Append TAO_A_PCR_SELECTION: a nest of TAO_A_PCR_SELECTION_ENTRY, each with TAO_A_PCR_ALG (u16)
 * and TAO_A_PCR_MASK (u32). Returns 0 or -EMSGSIZE.
 */
int tao_pcr_selection_put(struct nl_msg *msg, const struct tao_pcr_selection *sel);

#endif /* TAO_PCR_SEL_H */
