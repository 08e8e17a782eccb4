/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The evidence a device presents (docs/protocol.md, "Evidence"): a quote with its PCR values and
 * the log snapshot it covers, a TPM2_Certify of the TLS key by the IAK, that key's public area and
 * the IAK and IDevID certificate chains. One in-memory form, one strict codec.
 */
#ifndef TAO_EVIDENCE_H
#define TAO_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_digest.h"
#include "tao_pcr_values.h"

/* The media type of the CMW record that carries the evidence. */
#define TAO_EVIDENCE_MEDIA_TYPE "application/vnd.tao.tpm2-evidence+json"
#define TAO_EVIDENCE_VERSION	1

/* Bounds the decoder enforces; anything larger is refused, never truncated. */
#define TAO_EVIDENCE_MAX_BYTES	    (8u << 20) /* the whole encoded record */
#define TAO_EVIDENCE_MAX_ENTRIES    200000u    /* log entries */
#define TAO_EVIDENCE_MAX_CERTS	    8u	       /* per chain, leaf first */
#define TAO_EVIDENCE_MAX_CERT_BYTES 16384u     /* one DER certificate */
#define TAO_EVIDENCE_MAX_TPM_BYTES  4096u      /* one TPM structure */

struct tao_blob {
	uint8_t *bytes; /* owned by the evidence */
	size_t len;
};

struct tao_evidence_entry {
	uint32_t seq;
	uint32_t type;
	char *name; /* NUL-terminated, owned */
	struct tao_digest_list digests;
	bool has_data;
	struct tao_blob data;
};

struct tao_evidence {
	uint32_t version;   /* TAO_EVIDENCE_VERSION */
	uint8_t binder[32]; /* the qualifying data of quote and certify */

	/* Platform: TAO_CMD_QUOTE's reply. */
	struct tao_blob quote_attest;	 /* TPMS_ATTEST */
	struct tao_blob quote_signature; /* TPMT_SIGNATURE */
	struct tao_pcr_values pcrs;	 /* the quoted PCR values, in selection order */
	uint32_t log_pcr;
	struct tao_digest_list log_pcr_at_load;
	size_t n_entries; /* the quote covers entries 0 .. n_entries - 1 */
	struct tao_evidence_entry *entries;

	/* Key: TPM2_Certify of the TLS key by the IAK. */
	struct tao_blob certify_attest;	   /* TPMS_ATTEST */
	struct tao_blob certify_signature; /* TPMT_SIGNATURE */
	struct tao_blob tls_key_public;	   /* TPMT_PUBLIC (no size prefix) */

	/* DER certificates, leaf first. */
	size_t n_iak_certs, n_idevid_certs;
	struct tao_blob iak_certs[TAO_EVIDENCE_MAX_CERTS];
	struct tao_blob idevid_certs[TAO_EVIDENCE_MAX_CERTS];
};

/* Frees everything the evidence owns and zeroes it. Accepts a zeroed struct. */
void tao_evidence_free(struct tao_evidence *ev);

/* Set b to a malloc()ed copy of len bytes of buf (one byte allocated for 0). 0 or -ENOMEM. */
int tao_blob_set(struct tao_blob *b, const void *buf, size_t len);

/*
 * Encode as the CMW record of docs/protocol.md (a NUL-terminated JSON text in *out, to free()).
 * Returns 0, -EINVAL for evidence that breaks a bound or is incomplete, -ENOMEM.
 */
int tao_evidence_encode(const struct tao_evidence *ev, char **out, char *err, size_t errlen);

/*
 * Decode strictly: the media type and version must be known, every field present with its
 * type, every length bounded, nothing unknown at the top level. Returns 0 and a complete *ev
 * (to tao_evidence_free), or -EBADMSG / -EPROTONOSUPPORT (an unknown version) / -E2BIG with a
 * message naming the field; *ev is then left zeroed.
 */
int tao_evidence_decode(const char *text, size_t len, struct tao_evidence *ev, char *err,
			size_t errlen);

#endif /* TAO_EVIDENCE_H */
