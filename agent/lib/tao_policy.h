/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Reference-value policies (docs/protocol.md, "Policy"): PCR values a device must quote and the
 * log events it may have. The strict parser, the JSON form, and the capture from evidence.
 */
#ifndef TAO_POLICY_H
#define TAO_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "tao_pcr_values.h"

struct json_object;
struct tao_evidence;

#define TAO_POLICY_VERSION    1
#define TAO_POLICY_MAX_BYTES  (1u << 20)
#define TAO_POLICY_MAX_EVENTS 4096u

struct tao_policy_event {
	uint32_t type;
	char *name; /* owned, NUL-terminated */
};

struct tao_policy {
	struct tao_pcr_values pcrs; /* each must be quoted with exactly this value */
	size_t n_events;	    /* every log entry's (type, name) must be one of these */
	struct tao_policy_event *events;
};

void tao_policy_free(struct tao_policy *p);

/*
 * Parse a policy document: {"tao_policy": 1, "pcrs": [{"alg": 11, "pcr": 0, "digest": HEX}],
 * "events": [{"type": 1, "name": "app"}]}; every member required, nothing unknown, no PCR or
 * event twice. Returns 0 and a complete *p (to tao_policy_free()), -EPROTONOSUPPORT for another
 * version, or -EBADMSG with a message; *p is zeroed on failure.
 */
int tao_policy_parse(const char *text, size_t len, struct tao_policy *p, char *err, size_t errlen);

/* The policy in that form; NULL without memory. */
struct json_object *tao_policy_to_json(const struct tao_policy *p);

/*
 * The policy a known-good device's evidence implies: every quoted PCR except the log PCR (its
 * value changes with every measurement; the replay and the events cover it), and every distinct
 * (type, name) of its log. Returns 0 or -ENOMEM.
 */
int tao_policy_capture(const struct tao_evidence *ev, struct tao_policy *p);

#endif /* TAO_POLICY_H */
