/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The verifier of docs/protocol.md, "Verification": named checks of decoded evidence against
 * trust anchors, the session's binder and an optional policy, and an attestation result in the
 * spirit of EAR (affirming, warning, contraindicated, none) with every check's outcome.
 */
#ifndef TAO_VERIFIER_H
#define TAO_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tao_evidence.h"
#include "tao_limits.h"
#include "tao_policy.h"

typedef struct x509_store_st X509_STORE;
struct json_object;

enum tao_check_id {
	TAO_CHECK_IAK_CHAIN, /* the IAK certificate chains to a trust anchor, valid at the time */
	TAO_CHECK_IDEVID_CHAIN,	 /* the same for the IDevID certificate */
	TAO_CHECK_SAME_DEVICE,	 /* both leaf subjects carry the same serialNumber */
	TAO_CHECK_CERTIFY,	 /* TPM2_Certify by the IAK over the TLS key, bound to the binder */
	TAO_CHECK_TLS_KEY,	 /* that key is the IDevID's, fixedTPM|fixedParent|... */
	TAO_CHECK_QUOTE,	 /* the quote by the IAK, bound to the binder, over the values */
	TAO_CHECK_CLOCK,	 /* clockInfo.safe (soft) */
	TAO_CHECK_LOG_REPLAY,	 /* the log replays to the quoted log PCR in every quoted bank */
	TAO_CHECK_LOG_ORIGIN,	 /* the log started from a reset PCR (soft: module reloaded) */
	TAO_CHECK_POLICY_PCRS,	 /* reference PCR values */
	TAO_CHECK_POLICY_EVENTS, /* allowed log events */
	TAO_CHECK_SESSION,  /* the TLS leaf of the evidence is the session's client certificate */
	TAO_CHECK_COUNTERS, /* the quote's TPM counters do not go back (a known device) */
	TAO_CHECK_COUNT,
};

enum tao_check_result {
	TAO_RESULT_SKIP = 0, /* not run: no policy, or an input another check refused */
	TAO_RESULT_PASS,
	TAO_RESULT_WARN, /* a soft finding: the evidence holds, with a caveat */
	TAO_RESULT_FAIL,
};

enum tao_status {
	TAO_STATUS_NONE = 0,	    /* the evidence could not be evaluated */
	TAO_STATUS_AFFIRMING,	    /* every check passed */
	TAO_STATUS_WARNING,	    /* no failure, some soft finding */
	TAO_STATUS_CONTRAINDICATED, /* some check failed */
};

/*
 * A TPM's counters from an authenticated quote's clockInfo (not obfuscated: the IAK is in the
 * endorsement hierarchy).
 */
struct tao_tpm_counters {
	uint32_t reset_count;
	uint32_t restart_count;
	uint64_t clock;
};

/*
 * Do counters b go back against a, i.e. could b not come from a quote made after a? In order:
 * resetCount lower; or equal and restartCount lower; or both equal and clock not later (a later
 * quote of one TPM always has a later clock, so an equal clock is the same quote again).
 */
bool tao_tpm_counters_backwards(const struct tao_tpm_counters *a, const struct tao_tpm_counters *b);

struct tao_check {
	enum tao_check_result result;
	char reason[TAO_ERRMSG_MAX];
};

struct tao_verdict {
	enum tao_status status;
	char reason[TAO_ERRMSG_MAX]; /* why NONE, or the first failure / warning */
	struct tao_check checks[TAO_CHECK_COUNT];
	char device_serial[65]; /* the IDevID subject's serialNumber, when it has one */
	/* The quote's signature verified (its binder may still be another session's): its
	 * clockInfo. */
	bool has_counters;
	struct tao_tpm_counters counters;
};

/*
 * Certificate chains verified once per device: a small cache of successful chain verifications
 * (keyed by the SHA-256 of the certificates, valid while the time is inside every certificate's
 * validity) with the leaf keys and serial number. One cache belongs to one trust store and is
 * used by one thread at a time.
 */
struct tao_chain_cache;
struct tao_chain_cache *tao_chain_cache_new(void);
void tao_chain_cache_free(struct tao_chain_cache *c);

struct tao_verify_opts {
	X509_STORE *trust; /* the manufacturer CAs; required */
	/*
	 * The CAs of the TLS leaf's chain (certs.idevid): the manufacturer CAs and, at a
	 * registrar, its operator CA for LDevIDs; NULL: trust. The IAK always chains to trust
	 * alone, so an operator-issued IAK certificate is refused.
	 */
	X509_STORE *tls_trust;
	const struct tao_policy *policy; /* NULL: the policy checks are skipped */
	time_t at;			 /* the time to verify at; 0: now */
	struct tao_chain_cache *cache;	 /* NULL: verify every chain */
	/*
	 * The session (the registrar): the DER client certificate of the TLS connection the
	 * evidence came on, which must be the evidence's TLS leaf (certs.idevid[0]); NULL: the
	 * session check is skipped (offline verification).
	 */
	const uint8_t *peer_cert_der;
	size_t peer_cert_len;
	/* The counters of the device's last accepted quote; NULL: skipped (a new device). */
	const struct tao_tpm_counters *prev_counters;
};

/* Load the CA certificates of a PEM file into a new store. Returns 0 or -errno with a message. */
int tao_trust_load(const char *cafile, X509_STORE **out, char *err, size_t errlen);

/*
 * Run every check of ev against binder (what this end of the session computed) and opts.
 * Returns 0 with *out filled (its status says the outcome), or -EINVAL when opts lack the trust
 * store (*out then says NONE). Never fails on the evidence itself.
 */
int tao_verify_evidence(const struct tao_evidence *ev, const uint8_t binder[32],
			const struct tao_verify_opts *opts, struct tao_verdict *out);

/* "iak_chain", ...; "affirming", ...; "pass", ... */
const char *tao_check_name(enum tao_check_id id);
const char *tao_status_name(enum tao_status s);
const char *tao_check_result_name(enum tao_check_result r);

/*
 * {"status": "affirming", "reason": "...", "device": "SERIAL",
 *  "checks": {"iak_chain": {"result": "pass", "reason": "..."}, ...}}; NULL without memory.
 */
struct json_object *tao_verdict_to_json(const struct tao_verdict *v);

#endif /* TAO_VERIFIER_H */
