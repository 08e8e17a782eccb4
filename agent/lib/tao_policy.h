/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Reference-value policies (docs/protocol.md, "Policy"): PCR values a device must quote and the
 * log events it may have. The strict parser, the JSON form, and the capture from evidence.
 */
#ifndef TAO_POLICY_H
#define TAO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_pcr_values.h"

struct json_object;
struct tao_evidence;
struct tao_evidence_entry;

#define TAO_POLICY_VERSION    1
#define TAO_POLICY_MAX_BYTES  (1u << 20)
#define TAO_POLICY_MAX_EVENTS 4096u

/* An event's reference data digest: of the sha256 bank (TPM_ALG_SHA256) of its digests. */
#define TAO_POLICY_DIGEST_ALG  0x000b
#define TAO_POLICY_DIGEST_SIZE 32

struct tao_policy_event {
	uint32_t type;
	char *name; /* owned, NUL-terminated */
	bool has_digest;
	uint8_t digest[TAO_POLICY_DIGEST_SIZE]; /* the entry's sha256 data digest, if has_digest */
};

struct tao_policy {
	struct tao_pcr_values pcrs; /* each must be quoted with exactly this value */
	size_t n_events;	    /* every log entry must match one of these */
	struct tao_policy_event *events;
};

void tao_policy_free(struct tao_policy *p);

/*
 * Parse a policy document: {"tao_policy": 1, "pcrs": [{"alg": 11, "pcr": 0, "digest": HEX}],
 * "events": [{"type": 1, "name": "app"}, {"type": 2, "name": "cfg", "digest": HEX}]}; every
 * member required except an event's digest (sha256, 32 bytes of hex), nothing unknown, no PCR
 * twice. One (type, name) is either listed once without a digest, or once per allowed digest
 * (no digest twice); never both with and without one. Returns 0 and a complete *p (to
 * tao_policy_free()), -EPROTONOSUPPORT for another version, or -EBADMSG with a message; *p is
 * zeroed on failure.
 */
int tao_policy_parse(const char *text, size_t len, struct tao_policy *p, char *err, size_t errlen);

/* The policy in that form; NULL without memory. */
struct json_object *tao_policy_to_json(const struct tao_policy *p);

enum tao_policy_match {
	TAO_POLICY_MATCH,	 /* an allowed event */
	TAO_POLICY_UNKNOWN,	 /* no policy event has the entry's (type, name) */
	TAO_POLICY_NO_DIGEST,	 /* only with digests, and the entry has no sha256 digest */
	TAO_POLICY_DIGEST_OTHER, /* only with digests, and the entry's is none of them */
};

/*
 * Whether log entry en is an allowed event of p: a policy event with its type and name, and
 * without a digest or with the entry's sha256 data digest (its digests' TAO_POLICY_DIGEST_ALG
 * bank, D_sha256 = SHA-256(data) for an entry with data).
 */
enum tao_policy_match tao_policy_match_entry(const struct tao_policy *p,
					     const struct tao_evidence_entry *en);

/*
 * The policy a known-good device's evidence implies: every quoted PCR except the log PCR (its
 * value changes with every measurement; the replay and the events cover it), and every distinct
 * (type, name) of its log. Returns 0 or -ENOMEM.
 */
int tao_policy_capture(const struct tao_evidence *ev, struct tao_policy *p);

/*
 * The same, but for the events whose type is one of digest_types[0..n_types): one policy event
 * per distinct (type, name, sha256 data digest), so that other data is not allowed. Returns 0,
 * -ENOMEM, or -ENODATA when such an entry has no sha256 digest (a log without the bank).
 */
int tao_policy_capture_digests(const struct tao_evidence *ev, const uint32_t *digest_types,
			       size_t n_types, struct tao_policy *p);

#endif /* TAO_POLICY_H */
