/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device's evidence for one binder (docs/protocol.md section 2): the keys bound in the
 * module, the certificate chains of the state directory, the module's quote and the log snapshot
 * it covers, and the IAK's TPM2_Certify of the TLS key. Used by `taoctl evidence` and by the
 * attested session (`taoctl attest`, tao_client).
 */
#ifndef TAO_COLLECT_H
#define TAO_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "tao_evidence.h"
#include "tao_pcr_sel.h"
#include "tao_tpm_public.h"

struct tao_nl;
struct tao_esys;
struct tao_evidence;
struct tao_tpm_public;

struct tao_collect_opts {
	const char *state_dir; /* iak.pem and <role>.pem (idevid.pem, ldevid.pem) */
	uint32_t tls_role;     /* TAO_KEY_ROLE_IDEVID or TAO_KEY_ROLE_LDEVID */
	uint8_t binder[32];    /* the qualifying data of the quote and the certification */
	const struct tao_pcr_selection *pcrs; /* what to quote; NULL: sha256:<the log PCR> */
};

/* What the collection used and where the time went (wall clock, milliseconds). */
struct tao_collect_info {
	uint32_t iak_handle, tls_handle;
	uint32_t log_pcr;
	struct tao_pcr_selection quoted; /* the selection the TPM reports it quoted */
	double setup;			 /* the bound keys, the module's state, the certificates */
	double quote, log, certify;
};

/*
 * Fill *ev (zeroed by the caller; tao_evidence_free() whatever happens) for o->binder. nl and e
 * are open (tao_nl_open(), tao_esys_open()). info may be NULL. Returns 0 or a negative errno
 * with a message in err that names the failing step: -ENOENT (no key bound to a role, a
 * certificate missing: the device is not provisioned), -EKEYREJECTED (a certificate that is not
 * the bound key's), -EPERM (the quote needs CAP_NET_ADMIN), -EIO (the module or the TPM
 * refused), -E2BIG (a log too long for the evidence), -ENOMEM.
 */
int tao_evidence_collect(struct tao_nl *nl, struct tao_esys *e, const struct tao_collect_opts *o,
			 struct tao_evidence *ev, struct tao_collect_info *info, char *err,
			 size_t errlen);

/*
 * What a device is, for as long as its module stays loaded and its keys bound: the handles and
 * public areas of the keys bound to the IAK and TLS roles, and their certificate chains (DER) from
 * the state directory. A long-running client loads it once and makes the evidence of each session
 * with tao_evidence_collect_for(); a swapped key is still caught, by the module's QUOTE (the IAK
 * Name) and by the verifier (every signature against the certificates).
 */
struct tao_identity {
	uint32_t tls_role;
	uint32_t iak_handle, tls_handle;
	struct tao_tpm_public iak_pub, tls_pub;
	size_t n_iak_certs, n_tls_certs;
	struct tao_blob iak_certs[TAO_EVIDENCE_MAX_CERTS], tls_certs[TAO_EVIDENCE_MAX_CERTS];
};

/*
 * Load the identity (one KEY_LIST, the two PEM chains, each leaf checked against its bound key).
 * Returns 0 with a new *out (tao_identity_free()), or the errors of tao_evidence_collect()'s
 * set-up with a message.
 */
int tao_identity_load(struct tao_nl *nl, const char *state_dir, uint32_t tls_role,
		      struct tao_identity **out, char *err, size_t errlen);
void tao_identity_free(struct tao_identity *id);

/*
 * The evidence of one session for a loaded identity: the module's QUOTE of pcrs (NULL:
 * sha256:<the log PCR>, which takes a GET_INFO first) with the log's origin and the log entries
 * it covers, and TPM2_Certify of the TLS key by the IAK, both qualified by binder. Same contract
 * as tao_evidence_collect(); info->setup is then the copying of the certificates (and the
 * GET_INFO).
 */
int tao_evidence_collect_for(struct tao_nl *nl, struct tao_esys *e, const struct tao_identity *id,
			     const uint8_t binder[32], const struct tao_pcr_selection *pcrs,
			     struct tao_evidence *ev, struct tao_collect_info *info, char *err,
			     size_t errlen);

/*
 * The handle and public area of the key bound to role (its status must be ok). Returns 0,
 * -ENOENT (nothing bound), -ENOKEY (the bound key is missing or replaced), -EBADMSG (its public
 * area does not parse) or the module's error, with a message.
 */
int tao_collect_bound_key(struct tao_nl *nl, uint32_t role, uint32_t *handle,
			  struct tao_tpm_public *pub, char *err, size_t errlen);

#endif /* TAO_COLLECT_H */
