/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's only door to the TPM: finding the chip, holding it, and
 * running TPM2 commands through the in-kernel API.
 */
#ifndef TAO_TPM_H
#define TAO_TPM_H

#include <linux/types.h>
#include <linux/tpm.h>

struct tao_tpm_props {
	u32 manufacturer;
	char vendor[17];	/* four words, NUL bytes dropped, terminated */
	u32 fw1, fw2;
	u32 revision, year, day;
};

int tao_tpm_init(void);
void tao_tpm_exit(void);

/*
 * Returns the chip with a device reference held and stores its state
 * (enum tao_tpm_state) in *state; NULL when there is no chip. Release with
 * tao_tpm_put().
 */
struct tpm_chip *tao_tpm_get(u32 *state);
void tao_tpm_put(struct tpm_chip *chip);

/*
 * Reads the fixed properties. Returns 0, a negative errno for transport or
 * format errors, or a positive TPM response code.
 */
int tao_tpm_get_props(struct tpm_chip *chip, struct tao_tpm_props *props);

#endif /* TAO_TPM_H */
