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
 * rejected with -EINVAL (-ERANGE for a value or length outside its range)
 * and an extended ACK message that names the problem. Attribute and command
 * numbers start at 1.
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
 *   GET_INFO also reports the measurement log (see "The measurement log"):
 *
 *     TAO_A_LOG_PCR              u32, the PCR the module extends
 *     TAO_A_LOG_ENTRIES          u32, entries in the log (the next sequence
 *                                number)
 *     TAO_A_LOG_BYTES            u64, bytes of log memory in use
 *     TAO_A_LOG_MAX_BYTES        u64, the limit (module parameter
 *                                log_max_bytes); MEASURE fails with -ENOSPC
 *                                rather than go beyond it
 *     TAO_A_LOG_PCR_AT_LOAD      nest of TAO_A_DIGESTS_ENTRY: the PCR's value
 *                                in each bank when the log started (present
 *                                once the log has started)
 *     TAO_A_STATS                nest of u64 counters: TAO_A_STAT_MEASURE,
 *                                TAO_A_STAT_QUOTE, TAO_A_STAT_TPM_ERRORS,
 *                                TAO_A_STAT_LOG_FULL, TAO_A_STAT_KEY_MISMATCH
 *
 * TAO_CMD_PCR_READ (do)
 *   Unprivileged. Optional TAO_A_PCR_SELECTION (default: all 24 PCRs of
 *   every active bank). Replies with TAO_A_PCR_VALUES (a nest of
 *   TAO_A_PCR_VALUES_ENTRY nests, each TAO_A_PCR_ALG, TAO_A_PCR_INDEX,
 *   TAO_A_PCR_DIGEST) and TAO_A_PCR_UPDATE_COUNTER (u32). All values are
 *   read in one locked span of the TPM, so they belong to one moment.
 *
 * TAO_CMD_MEASURE (do)
 *   Needs CAP_NET_ADMIN in the initial user namespace. Takes
 *     TAO_A_EVENT_TYPE     u32, required; values from TAO_EVENT_MODULE_BASE
 *                          up are the module's own and refused here
 *     TAO_A_EVENT_NAME     string, required, 1..TAO_EVENT_NAME_MAX bytes
 *                          before the NUL, no control characters
 *     and exactly one of
 *     TAO_A_EVENT_DATA     binary, 0..TAO_EVENT_DATA_MAX bytes: the module
 *                          hashes it with every active bank's algorithm and
 *                          keeps it in the log
 *     TAO_A_EVENT_DIGESTS  nest of TAO_A_DIGESTS_ENTRY (TAO_A_DIGEST_ALG,
 *                          TAO_A_DIGEST_VALUE): one digest for every active
 *                          bank, of the bank's size, no bank twice; the
 *                          log keeps the digests only
 *   Extends the log PCR in every active bank (see "What is extended"),
 *   appends the entry and replies with TAO_A_EVENT_SEQ (u32). Errors:
 *   -ENOSPC when the entry would take the log past log_max_bytes, -ENODEV
 *   without a TPM 2.0, -EOPNOTSUPP when a bank's hash is unknown to the
 *   kernel's crypto API. On any error nothing is extended or logged.
 *   Subscribers of TAO_MCGRP_EVENTS get TAO_CMD_EVENT_MEASURED with the
 *   entry's TAO_A_EVENT_SEQ, TAO_A_EVENT_TYPE and TAO_A_EVENT_NAME.
 *
 * TAO_CMD_LOG_GET (dump)
 *   Unprivileged. Optional TAO_A_LOG_START (u32, default 0): the first
 *   sequence number to return. One message per entry, in order, each with
 *   TAO_A_EVENT_SEQ, TAO_A_LOG_PCR, TAO_A_EVENT_TYPE, TAO_A_EVENT_NAME,
 *   TAO_A_EVENT_DIGESTS (the data digest of every bank) and, when the entry
 *   was measured from data, TAO_A_EVENT_DATA. The log is append-only, so a
 *   dump never sees an entry change; entries appended while a dump runs
 *   are included when the dump reaches them.
 *
 * TAO_CMD_KEY_BIND (do)
 *   Needs CAP_NET_ADMIN in the initial user namespace. Takes
 *   TAO_A_KEY_ROLE (u32, enum tao_key_role) and TAO_A_KEY_HANDLE (u32, a
 *   persistent handle 0x81000000..0x81ffffff). The module reads the key's
 *   public area (TPM2_ReadPublic), checks that the TPM's Name is the hash of
 *   that public area, records handle and Name for the role and measures the
 *   binding (event TAO_EVENT_KEY_BIND). Binding a role again to the same
 *   handle and Name changes nothing and measures nothing; binding it to
 *   another key replaces the binding and is measured like the first one,
 *   so the log tells every key each role ever had. Replies with
 *   TAO_A_KEY_ROLE, TAO_A_KEY_HANDLE, TAO_A_KEY_NAME and TAO_A_EVENT_SEQ (only
 *   when something was measured). Subscribers get TAO_CMD_EVENT_KEY_BOUND.
 *
 * TAO_CMD_KEY_LIST (dump)
 *   Unprivileged. One message per persistent handle in the TPM and per
 *   bound role whose key is gone: TAO_A_KEY_HANDLE, TAO_A_KEY_STATUS (enum
 *   tao_key_status), and when the key exists TAO_A_KEY_PUBLIC (TPM2B_PUBLIC
 *   as the TPM returned it) and TAO_A_KEY_NAME (TPM2B_NAME contents: nameAlg
 *   then digest); for a bound key TAO_A_KEY_ROLE (one message per role when
 *   one key plays several) and TAO_A_KEY_BOUND_NAME (the Name recorded at
 *   bind time).
 *
 * TAO_CMD_QUOTE (do)
 *   Needs CAP_NET_ADMIN in the initial user namespace. Takes
 *   TAO_A_KEY_ROLE (default TAO_KEY_ROLE_IAK), TAO_A_QUOTE_NONCE (binary,
 *   0..TAO_QUOTE_NONCE_MAX bytes, the qualifying data) and
 *   TAO_A_PCR_SELECTION (default: the log PCR in every active bank). The
 *   key's Name is checked against the one recorded at bind time first: a
 *   different key at the bound handle is refused with -EKEYREJECTED, a
 *   missing one with -ENOKEY, an unbound role with -ENOKEY. Under the
 *   module's lock (no MEASURE can come between) and one locked span of the
 *   TPM, the module reads the selected PCRs and quotes them. Replies with
 *   TAO_A_QUOTE_ATTEST (the TPMS_ATTEST bytes), TAO_A_QUOTE_SIGNATURE (the
 *   TPMT_SIGNATURE bytes), TAO_A_PCR_VALUES (as PCR_READ), TAO_A_LOG_ENTRIES
 *   (the quote covers log entries 0 .. TAO_A_LOG_ENTRIES - 1), TAO_A_KEY_ROLE,
 *   TAO_A_KEY_HANDLE, TAO_A_KEY_NAME, and the log's origin as GET_INFO
 *   gives it, TAO_A_LOG_PCR and TAO_A_LOG_PCR_AT_LOAD, so that evidence
 *   needs no other command. The key signs with its own scheme;
 *   a key without one signs with ECDSA or RSASSA over SHA-256.
 *
 * TAO_CMD_GET_RANDOM (do)
 *   Needs CAP_NET_ADMIN in the initial user namespace. Takes
 *   TAO_A_RANDOM_LEN (u32, 1..TAO_RANDOM_MAX); replies with TAO_A_RANDOM
 *   (exactly that many bytes from the TPM).
 *
 * TPM errors
 *   A command the TPM refuses fails with an errno chosen from the response
 *   code (-ENOENT for a missing handle, -EACCES for an authorization
 *   failure, -EAGAIN for a TPM that asks to retry, -EINVAL for a parameter
 *   or key the TPM finds unsuitable, -EIO otherwise). The extended ACK then
 *   says "TPM refused the command" and its cookie (NLMSGERR_ATTR_COOKIE)
 *   carries the raw response code as 4 bytes, most significant first.
 *
 * PCR selections
 *   TAO_A_PCR_SELECTION is a nest of TAO_A_PCR_SELECTION_ENTRY nests, each
 *   with TAO_A_PCR_ALG (u16, an active bank) and TAO_A_PCR_MASK (u32, bit n
 *   selects PCR n; bits 24..31 are refused). No bank may appear twice and
 *   the selection may not be empty.
 *
 * The measurement log
 *   The module keeps an append-only log in kernel memory and extends one
 *   PCR (module parameter pcr, default TAO_DEFAULT_PCR) with every entry.
 *   Entry 0 is the module's own start (TAO_EVENT_MODULE_LOAD, name "tao"),
 *   whose data is text lines "key value": version, pcr, log_max_bytes and
 *   one "pcr_at_load ALG HEX" line per bank. The log starts when the module
 *   first finds a TPM 2.0, at load or later.
 *
 * What is extended
 *   For an entry of type T, name N (its bytes without the NUL) and data
 *   digest D_b in bank b with hash H_b, the module extends
 *
 *       E_b = H_b(be32(T) || be32(len(N)) || N || D_b)
 *
 *   into the log PCR of bank b, where D_b = H_b(data) for entries measured
 *   from data. Changing the type, the name, or the data of any entry thus
 *   breaks the replay: starting from the values in TAO_A_LOG_PCR_AT_LOAD,
 *   PCR_b = H_b(PCR_b || E_b) for every entry in order must give the quoted
 *   value.
 *
 * Events
 *   Multicast group TAO_MCGRP_EVENTS ("events"); joining it needs
 *   CAP_NET_ADMIN where the kernel supports restricting groups
 *   (GENL_MCAST_CAP_NET_ADMIN).
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

/* The PCR the module extends unless told otherwise (module parameter pcr). */
#define TAO_DEFAULT_PCR 13
/* Limits of MEASURE, QUOTE and GET_RANDOM. */
#define TAO_EVENT_NAME_MAX 255
#define TAO_EVENT_DATA_MAX 4096
#define TAO_QUOTE_NONCE_MAX 64
#define TAO_RANDOM_MAX 128
/* PCRs 0..23; TAO_A_PCR_MASK bits beyond are refused. */
#define TAO_PCR_COUNT 24
#define TAO_PCR_MASK_ALL 0x00ffffffU
/* Persistent handles, the only keys a role can be bound to. */
#define TAO_PERSISTENT_FIRST 0x81000000U
#define TAO_PERSISTENT_LAST 0x81ffffffU

#define TAO_MCGRP_EVENTS "events"

enum tao_cmd {
	TAO_CMD_GET_INFO = 1,
	TAO_CMD_PCR_READ,
	TAO_CMD_MEASURE,
	TAO_CMD_LOG_GET,
	TAO_CMD_KEY_LIST,
	TAO_CMD_KEY_BIND,
	TAO_CMD_QUOTE,
	TAO_CMD_GET_RANDOM,
	/* Notifications on TAO_MCGRP_EVENTS; never requests. */
	TAO_CMD_EVENT_MEASURED,
	TAO_CMD_EVENT_KEY_BOUND,
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

/* Key roles (TAO_A_KEY_ROLE). */
enum tao_key_role {
	TAO_KEY_ROLE_IAK = 1,	/* restricted signing key: quotes, certify */
	TAO_KEY_ROLE_IDEVID,	/* factory identity, TLS client key */
	TAO_KEY_ROLE_LDEVID,	/* operator identity, TLS client key */
	TAO_KEY_ROLE_AK,	/* a further attestation key */
	__TAO_KEY_ROLE_MAX
};

#define TAO_KEY_ROLE_MAX (__TAO_KEY_ROLE_MAX - 1)

/* TAO_A_KEY_STATUS in KEY_LIST. */
enum tao_key_status {
	TAO_KEY_STATUS_OK = 0,		/* present; Name as bound (if bound) */
	TAO_KEY_STATUS_MISMATCH = 1,	/* bound, but another key is there now */
	TAO_KEY_STATUS_MISSING = 2,	/* bound, but the handle is empty */
	TAO_KEY_STATUS_UNREADABLE = 3,	/* the TPM would not read it */
	__TAO_KEY_STATUS_MAX
};

#define TAO_KEY_STATUS_MAX (__TAO_KEY_STATUS_MAX - 1)

/*
 * Event types from TAO_EVENT_MODULE_BASE up are written by the module
 * itself; MEASURE refuses them.
 */
#define TAO_EVENT_MODULE_BASE 0xffff0000U
#define TAO_EVENT_MODULE_LOAD (TAO_EVENT_MODULE_BASE + 1)
#define TAO_EVENT_KEY_BIND (TAO_EVENT_MODULE_BASE + 2)

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
	TAO_A_PAD,		/* alignment of u64 attributes */
	TAO_A_LOG_PCR,
	TAO_A_LOG_ENTRIES,
	TAO_A_LOG_BYTES,
	TAO_A_LOG_MAX_BYTES,
	TAO_A_LOG_PCR_AT_LOAD,
	TAO_A_LOG_START,
	TAO_A_STATS,
	TAO_A_PCR_SELECTION,
	TAO_A_PCR_VALUES,
	TAO_A_PCR_UPDATE_COUNTER,
	TAO_A_EVENT_SEQ,
	TAO_A_EVENT_TYPE,
	TAO_A_EVENT_NAME,
	TAO_A_EVENT_DATA,
	TAO_A_EVENT_DIGESTS,
	TAO_A_KEY_ROLE,
	TAO_A_KEY_HANDLE,
	TAO_A_KEY_STATUS,
	TAO_A_KEY_PUBLIC,
	TAO_A_KEY_NAME,
	TAO_A_KEY_BOUND_NAME,
	TAO_A_QUOTE_NONCE,
	TAO_A_QUOTE_ATTEST,
	TAO_A_QUOTE_SIGNATURE,
	TAO_A_RANDOM_LEN,
	TAO_A_RANDOM,
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

/* Inside TAO_A_STATS: u64 counters since the module was loaded. */
enum tao_stat_attr {
	TAO_A_STAT_PAD = 1,
	TAO_A_STAT_MEASURE,	/* entries appended by MEASURE and KEY_BIND */
	TAO_A_STAT_QUOTE,	/* quotes returned */
	TAO_A_STAT_TPM_ERRORS,	/* TPM commands that failed */
	TAO_A_STAT_LOG_FULL,	/* MEASUREs refused with -ENOSPC */
	TAO_A_STAT_KEY_MISMATCH, /* uses refused: the key at a bound handle changed */
	__TAO_A_STAT_MAX
};

#define TAO_A_STAT_MAX (__TAO_A_STAT_MAX - 1)

/* Inside TAO_A_PCR_SELECTION. */
enum tao_pcr_selection_attr {
	TAO_A_PCR_SELECTION_ENTRY = 1,
	__TAO_A_PCR_SELECTION_MAX
};

#define TAO_A_PCR_SELECTION_MAX (__TAO_A_PCR_SELECTION_MAX - 1)

/* Inside TAO_A_PCR_VALUES. */
enum tao_pcr_values_attr {
	TAO_A_PCR_VALUES_ENTRY = 1,
	__TAO_A_PCR_VALUES_MAX
};

#define TAO_A_PCR_VALUES_MAX (__TAO_A_PCR_VALUES_MAX - 1)

/* Inside each TAO_A_PCR_SELECTION_ENTRY and TAO_A_PCR_VALUES_ENTRY. */
enum tao_pcr_attr {
	TAO_A_PCR_ALG = 1,	/* u16 TPM_ALG_ID */
	TAO_A_PCR_MASK,		/* u32, selection only */
	TAO_A_PCR_INDEX,	/* u32, values only */
	TAO_A_PCR_DIGEST,	/* binary, values only */
	__TAO_A_PCR_MAX
};

#define TAO_A_PCR_MAX (__TAO_A_PCR_MAX - 1)

/* Inside TAO_A_EVENT_DIGESTS and TAO_A_LOG_PCR_AT_LOAD. */
enum tao_digests_attr {
	TAO_A_DIGESTS_ENTRY = 1,
	__TAO_A_DIGESTS_MAX
};

#define TAO_A_DIGESTS_MAX (__TAO_A_DIGESTS_MAX - 1)

/* Inside each TAO_A_DIGESTS_ENTRY. */
enum tao_digest_attr {
	TAO_A_DIGEST_ALG = 1,	/* u16 TPM_ALG_ID */
	TAO_A_DIGEST_VALUE,	/* binary, the bank's digest size */
	__TAO_A_DIGEST_MAX
};

#define TAO_A_DIGEST_MAX (__TAO_A_DIGEST_MAX - 1)

#endif /* _UAPI_LINUX_TAO_H */
