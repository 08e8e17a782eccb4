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

#include "tao_pcr_sel.h"

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
 * The handle and public area of the key bound to role (its status must be ok). Returns 0,
 * -ENOENT (nothing bound), -ENOKEY (the bound key is missing or replaced), -EBADMSG (its public
 * area does not parse) or the module's error, with a message.
 */
int tao_collect_bound_key(struct tao_nl *nl, uint32_t role, uint32_t *handle,
			  struct tao_tpm_public *pub, char *err, size_t errlen);

#endif /* TAO_COLLECT_H */
