/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tao: TPM-attested onboarding -- the kernel/userspace contract.
 *
 * Copyright (C) 2026 The tao authors.
 *
 * The tao module speaks one generic netlink family, TAO_GENL_NAME ("tao"),
 * version TAO_GENL_VERSION. Resolve the family id through the generic
 * netlink controller (CTRL_CMD_GETFAMILY); resolving it loads the module on
 * demand (MODULE_ALIAS_GENL_FAMILY).
 *
 * The family exists in the initial network namespace only: the TPM is a
 * host-wide device, and a container must not reach it through a private
 * network namespace. Requests from any other namespace get -ENOENT.
 *
 * Attributes are validated strictly: unknown attributes, attributes of the
 * wrong type or length, and a non-zero reserved field in the genl header are
 * rejected with -EINVAL and an extended ACK message that names the problem.
 * Attribute and command numbers start at 1.
 *
 * Commands
 * --------
 *
 * TAO_CMD_GET_INFO (do)
 *   Unprivileged. Takes no attributes. Replies with one TAO_CMD_GET_INFO
 *   message carrying:
 *
 *     TAO_A_MODULE_VERSION       NUL-terminated string, e.g. "0.1.0"
 *     TAO_A_TPM_STATE            u32, enum tao_tpm_state; always present
 *
 *   When TAO_A_TPM_STATE is TAO_TPM_STATE_TPM2, also:
 *
 *     TAO_A_TPM_DEVICE           NUL-terminated string: the chip's device
 *                                name, e.g. "tpm0"
 *     TAO_A_PCR_BANKS            nest of TAO_A_PCR_BANKS_ENTRY nests, one
 *                                per active (allocated) PCR bank (at least
 *                                one), in the TPM's order:
 *         TAO_A_PCR_BANK_ALG         u16, TPM_ALG_ID of the bank's hash
 *                                    (0x000b = SHA-256, ...)
 *         TAO_A_PCR_BANK_DIGEST_SIZE u16, digest size in bytes
 *
 *   and, when the TPM answered TPM2_GetCapability(TPM_PT_FIXED), all of
 *   the following fixed properties together (never a part of them); the
 *   numbers are u32 exactly as the TPM reports them:
 *
 *     TAO_A_TPM_MANUFACTURER     TPM_PT_MANUFACTURER: four ASCII bytes,
 *                                most significant first ("IBM\0", "INTC")
 *     TAO_A_TPM_VENDOR_STRING    NUL-terminated string: TPM_PT_VENDOR_STRING_1
 *                                ..4 concatenated, NUL bytes dropped
 *     TAO_A_TPM_FW_VERSION_1     TPM_PT_FIRMWARE_VERSION_1
 *     TAO_A_TPM_FW_VERSION_2     TPM_PT_FIRMWARE_VERSION_2
 *     TAO_A_TPM_SPEC_REVISION    TPM_PT_REVISION (e.g. 164 for 1.64)
 *     TAO_A_TPM_SPEC_YEAR        TPM_PT_YEAR
 *     TAO_A_TPM_SPEC_DAY         TPM_PT_DAY_OF_YEAR
 *
 *   If the TPM refused that query, the reply still succeeds; it carries
 *   TAO_A_TPM_RC (u32, the raw TPM response code, or 0 for a transport
 *   error) and no fixed properties. GET_INFO fails only when the reply cannot
 *   be built (-ENOMEM, -EMSGSIZE).
 *
 * Userspace must ignore attributes it does not know: later minor versions of
 * the module may add attributes to replies, never change existing ones.
 */

#ifndef _UAPI_LINUX_TAO_H
#define _UAPI_LINUX_TAO_H

#define TAO_GENL_NAME "tao"
#define TAO_GENL_VERSION 1

/* Longest TAO_A_TPM_VENDOR_STRING, without the NUL: four 32-bit words. */
#define TAO_VENDOR_STRING_MAX 16
/* Longest TAO_A_MODULE_VERSION and TAO_A_TPM_DEVICE, with the NUL. */
#define TAO_NAME_MAX 32

enum tao_cmd {
	TAO_CMD_GET_INFO = 1,
	__TAO_CMD_MAX
};

#define TAO_CMD_MAX (__TAO_CMD_MAX - 1)

/*
 * What the module found when it looked for a TPM. The set is fixed for
 * TAO_GENL_VERSION 1: a new state would come with a new family version. The module looks again on
 * each GET_INFO while it has no usable chip, so a TPM driver that binds after
 * the module is loaded is picked up.
 */
enum tao_tpm_state {
	TAO_TPM_STATE_NONE = 0,		/* no TPM chip registered */
	TAO_TPM_STATE_TPM12 = 1,	/* a TPM 1.2: not supported by tao */
	TAO_TPM_STATE_TPM2 = 2,		/* a TPM 2.0, usable */
	TAO_TPM_STATE_GONE = 3,		/* the chip's driver went away */
	__TAO_TPM_STATE_MAX
};

#define TAO_TPM_STATE_MAX (__TAO_TPM_STATE_MAX - 1)

enum tao_attr {
	TAO_A_MODULE_VERSION = 1,
	TAO_A_TPM_STATE,
	TAO_A_TPM_DEVICE,
	TAO_A_TPM_RC,
	TAO_A_TPM_MANUFACTURER,
	TAO_A_TPM_VENDOR_STRING,
	TAO_A_TPM_FW_VERSION_1,
	TAO_A_TPM_FW_VERSION_2,
	TAO_A_TPM_SPEC_REVISION,
	TAO_A_TPM_SPEC_YEAR,
	TAO_A_TPM_SPEC_DAY,
	TAO_A_PCR_BANKS,
	__TAO_A_MAX
};

#define TAO_A_MAX (__TAO_A_MAX - 1)

/* Inside TAO_A_PCR_BANKS. */
enum tao_pcr_banks_attr {
	TAO_A_PCR_BANKS_ENTRY = 1,
	__TAO_A_PCR_BANKS_MAX
};

#define TAO_A_PCR_BANKS_MAX (__TAO_A_PCR_BANKS_MAX - 1)

/* Inside each TAO_A_PCR_BANKS_ENTRY. */
enum tao_pcr_bank_attr {
	TAO_A_PCR_BANK_ALG = 1,
	TAO_A_PCR_BANK_DIGEST_SIZE,
	__TAO_A_PCR_BANK_MAX
};

#define TAO_A_PCR_BANK_MAX (__TAO_A_PCR_BANK_MAX - 1)

#endif /* _UAPI_LINUX_TAO_H */
