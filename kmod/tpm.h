/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's only door to the TPM: chip discovery and lifetime, and every
 * TPM2 command, built and parsed here. Functions named *_locked run inside a
 * tao_tpm_lock()/tao_tpm_unlock() span; the others lock by themselves and
 * must not be called inside one. Returns: 0, a negative errno, or a positive
 * TPM response code (see tao_tpm_rc_errno()).
 */
#ifndef TAO_TPM_H
#define TAO_TPM_H

#include <linux/types.h>
#include <linux/tpm.h>

/* TPM 2.0 constants the 6.1 <linux/tpm.h> lacks, under the module's prefix. */
#define TAO_TPM2_ALG_RSA	0x0001
#define TAO_TPM2_ALG_NULL	0x0010
#define TAO_TPM2_ALG_RSASSA	0x0014
#define TAO_TPM2_ALG_RSAPSS	0x0016
#define TAO_TPM2_ALG_ECDSA	0x0018
#define TAO_TPM2_ALG_ECC	0x0023
#define TAO_TPMA_OBJECT_RESTRICTED	BIT(16)
#define TAO_TPMA_OBJECT_SIGN		BIT(18)

/* TPMT_PUBLIC and TPMS_ATTEST are far smaller; TPMT_SIGNATURE too. */
#define TAO_PUBLIC_MAX		1024
#define TAO_NAME_BYTES_MAX	(2 + 64)
#define TAO_ATTEST_MAX		1024
#define TAO_SIGNATURE_MAX	1024

struct tao_tpm_props {
	u32 manufacturer;
	char vendor[17];	/* four words, NUL bytes dropped, terminated */
	u32 fw1, fw2;
	u32 revision, year, day;
};

struct tao_pcr_sel {
	u16 alg;
	u32 mask;		/* bit n selects PCR n, n < 24 */
};

struct tao_pcr_val {
	u16 alg;
	u8 index;
	u8 size;
	u8 digest[TPM2_MAX_DIGEST_SIZE];
};

/* The fields of a TPMT_PUBLIC the module acts on. */
struct tao_public_info {
	u16 type;
	u16 name_alg;
	u32 attributes;
	u16 scheme;		/* TAO_TPM2_ALG_NULL when the key has none */
};

int tao_tpm_init(void);
void tao_tpm_exit(void);

/*
 * Returns the chip with a device reference held and stores its state
 * (enum tao_tpm_state) in *state; NULL when there is no usable chip.
 * Release with tao_tpm_put().
 */
struct tpm_chip *tao_tpm_get(u32 *state);
void tao_tpm_put(struct tpm_chip *chip);

int tao_tpm_lock(struct tpm_chip *chip);
void tao_tpm_unlock(struct tpm_chip *chip);

int tao_tpm_get_props(struct tpm_chip *chip, struct tao_tpm_props *props);

/*
 * Reads the selected PCRs into vals (room for max), in selection order:
 * banks as listed, PCR indices ascending. All values come from one
 * pcrUpdateCounter, stored in *counter.
 */
int tao_tpm_pcr_read_locked(struct tpm_chip *chip,
			    const struct tao_pcr_sel *sel, unsigned int nsel,
			    struct tao_pcr_val *vals, unsigned int max,
			    unsigned int *nvals, u32 *counter);

/* TPM2_ReadPublic: the TPMT_PUBLIC bytes (TPM2B contents) and the Name. */
int tao_tpm_read_public_locked(struct tpm_chip *chip, u32 handle,
			       u8 *pub, u16 *pub_len, u8 *name, u16 *name_len);

int tao_tpm_parse_public(const u8 *pub, u16 len, struct tao_public_info *info);

/*
 * TPM2_Quote with an empty password session. scheme/hash: the signing
 * scheme to ask for, TAO_TPM2_ALG_NULL to use the key's own.
 */
int tao_tpm_quote_locked(struct tpm_chip *chip, u32 handle,
			 const u8 *nonce, u16 nonce_len, u16 scheme, u16 hash,
			 const struct tao_pcr_sel *sel, unsigned int nsel,
			 u8 *attest, u16 *attest_len, u8 *sig, u16 *sig_len);

/* The persistent handles in the TPM, ascending. */
int tao_tpm_persistent_handles_locked(struct tpm_chip *chip, u32 *handles,
				      unsigned int max, unsigned int *n);

int tao_tpm_extend(struct tpm_chip *chip, u32 pcr, struct tpm_digest *digests);
int tao_tpm_pcr_read_one(struct tpm_chip *chip, u32 pcr,
			 struct tpm_digest *digest);
int tao_tpm_random(struct tpm_chip *chip, u8 *buf, size_t len);

/* The errno for a positive TPM response code (see the uAPI header). */
int tao_tpm_rc_errno(u32 rc);

#endif /* TAO_TPM_H */
