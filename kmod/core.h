/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's operations: measure, bind keys, quote, read PCRs. One mutex
 * (the operation lock) serialises everything that extends the PCR or
 * quotes, so a quote and the log length it reports always agree.
 * Functions return 0, a negative errno, or a positive TPM response code.
 */
#ifndef TAO_CORE_H
#define TAO_CORE_H

#include <linux/atomic.h>
#include <linux/types.h>

#include <linux/tao.h>
#include "tpm.h"

struct tao_stats {
	atomic64_t measure;
	atomic64_t quote;
	atomic64_t tpm_errors;
	atomic64_t log_full;
	atomic64_t key_mismatch;
};

extern struct tao_stats tao_stats;

struct tao_binding {
	bool bound;
	u32 handle;
	u16 name_len;
	u8 name[TAO_NAME_BYTES_MAX];
};

struct tao_key_item {
	u32 handle;
	u32 status;		/* enum tao_key_status */
	u32 role;		/* 0: not bound */
	u16 pub_len;
	u16 name_len;
	u16 bound_name_len;
	u8 pub[TAO_PUBLIC_MAX];
	u8 name[TAO_NAME_BYTES_MAX];
	u8 bound_name[TAO_NAME_BYTES_MAX];
};

struct tao_quote {
	u8 attest[TAO_ATTEST_MAX];
	u8 sig[TAO_SIGNATURE_MAX];
	u16 attest_len;
	u16 sig_len;
	struct tao_pcr_val *vals;	/* kcalloc'ed; caller frees */
	unsigned int nvals;
	u32 entries;
	struct tao_binding key;
};

int tao_core_init(u32 pcr, u64 max_bytes);
void tao_core_exit(void);

/* The chip (reference held, or NULL) after starting the log if needed. */
struct tpm_chip *tao_core_chip(u32 *state);

int tao_core_measure(struct tpm_chip *chip, u32 type, const char *name,
		     u16 name_len, const u8 *data, u32 data_len, bool has_data,
		     const u8 *digests, u32 *seq);

int tao_core_key_bind(struct tpm_chip *chip, u32 role, u32 handle,
		      struct tao_binding *out, bool *measured, u32 *seq);

int tao_core_key_list(struct tpm_chip *chip, struct tao_key_item **items,
		      unsigned int *n);

int tao_core_quote(struct tpm_chip *chip, u32 role, const u8 *nonce,
		   u16 nonce_len, const struct tao_pcr_sel *sel,
		   unsigned int nsel, struct tao_quote *q);

int tao_core_pcr_read(struct tpm_chip *chip, const struct tao_pcr_sel *sel,
		      unsigned int nsel, struct tao_pcr_val **vals,
		      unsigned int *nvals, u32 *counter);

const char *tao_role_name(u32 role);

#endif /* TAO_CORE_H */
