/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The generic netlink client for the "tao" family: one handle, one request per call. */
#ifndef TAO_NL_H
#define TAO_NL_H

#include <stddef.h>
#include <stdint.h>

#include "tao_digest.h"
#include "tao_info.h"
#include "tao_keys.h"
#include "tao_log.h"
#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"
#include "tao_quote.h"

struct tao_nl;

/*
 * Connect to generic netlink and resolve the "tao" family. Returns 0 and a handle, or a negative
 * errno: -ENOENT when the family does not exist (module not loaded, or not the initial network
 * namespace), -EPROTONOSUPPORT/-EAFNOSUPPORT/-ECONNREFUSED without generic netlink, -ENOMEM.
 */
int tao_nl_open(struct tao_nl **out);

/*
 * Every request below returns 0, or a negative errno: the kernel's (-EPERM, -ENOENT, -EINVAL,
 * ...; see include/uapi/linux/tao.h), -EBADMSG/-EPROTO for a reply that does not parse or breaks
 * the protocol, or a socket error. Outputs are untouched on failure; tao_nl_last_error() and
 * tao_nl_last_tpm_rc() then have the details.
 */

/* TAO_CMD_GET_INFO. */
int tao_nl_get_info(struct tao_nl *nl, struct tao_info *info);

/*
 * TAO_CMD_PCR_READ of sel, or of every PCR of every active bank when sel is NULL. With a
 * selection, the reply must hold exactly the selected PCRs (-EBADMSG otherwise).
 */
int tao_nl_pcr_read(struct tao_nl *nl, const struct tao_pcr_selection *sel,
		    struct tao_pcr_read *out);

/* What TAO_CMD_MEASURE is to log: data (data_len bytes, maybe 0) or, if not NULL, digests. */
struct tao_measure {
	uint32_t type;
	const char *name;
	const uint8_t *data;
	size_t data_len;
	const struct tao_digest_list *digests;
};

/* TAO_CMD_MEASURE; *seq is the new entry's sequence number. */
int tao_nl_measure(struct tao_nl *nl, const struct tao_measure *m, uint32_t *seq);

/*
 * Called for each log entry of a dump, in order. The entry's pointers are valid during the call
 * only. Return 0 to go on; anything else stops the callbacks, and tao_nl_log_get() returns it
 * once the rest of the dump has been read and dropped.
 */
typedef int (*tao_log_cb)(const struct tao_log_entry *entry, void *arg);

/*
 * TAO_CMD_LOG_GET from sequence number start: cb for every entry, which must come with
 * consecutive sequence numbers from start on (-EPROTO otherwise). Each message is parsed in
 * place, as libnl received it. Returns 0 (after the last entry), cb's non-zero value, or an
 * error.
 */
int tao_nl_log_get(struct tao_nl *nl, uint32_t start, tao_log_cb cb, void *arg);

/* Called for each message of a KEY_LIST dump; as tao_log_cb. */
typedef int (*tao_key_cb)(const struct tao_key_entry *key, void *arg);

/* TAO_CMD_KEY_LIST: cb for every key (and every bound role whose key is gone). */
int tao_nl_key_list(struct tao_nl *nl, tao_key_cb cb, void *arg);

/*
 * TAO_CMD_KEY_BIND of role (enum tao_key_role) to the persistent handle. The reply must name
 * the same role and handle.
 */
int tao_nl_key_bind(struct tao_nl *nl, uint32_t role, uint32_t handle,
		    struct tao_key_bind_reply *out);

/*
 * TAO_CMD_QUOTE with the key of role (0: the module's default, the IAK), the nonce (0 to
 * TAO_QUOTE_NONCE_MAX bytes) and sel (NULL: the module's default, the log PCR in every bank).
 * The reply must be a quote of that nonce (extraData), of that role, and of sel if given; out is
 * large (see struct tao_quote), so allocate it rather than put it on a small stack.
 */
int tao_nl_quote(struct tao_nl *nl, uint32_t role, const uint8_t *nonce, size_t nonce_len,
		 const struct tao_pcr_selection *sel, struct tao_quote *out);

/* TAO_CMD_GET_RANDOM: len (1..TAO_RANDOM_MAX) bytes from the TPM into buf. */
int tao_nl_get_random(struct tao_nl *nl, uint8_t *buf, size_t len);

/*
 * Details of the last failure on nl: the kernel's extended-ACK message, the parser's message or
 * libnl's description; "" when the errno says it all. Valid until the next call on nl.
 */
const char *tao_nl_last_error(const struct tao_nl *nl);

/*
 * The TPM response code of the last failure on nl, from the extended ACK's cookie; 0 when the
 * failure did not come from the TPM.
 */
uint32_t tao_nl_last_tpm_rc(const struct tao_nl *nl);

/* Accepts NULL. */
void tao_nl_close(struct tao_nl *nl);

/* For TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL; */
static inline void tao_nl_closep(struct tao_nl **nl)
{
	tao_nl_close(*nl);
}

#endif /* TAO_NL_H */
