// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Reference-value policies: the strict parser, the JSON form and the capture from evidence. */
#include "tao_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tao_cleanup.h"
#include "tao_evidence.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_json_strict.h"
#include "tao_names.h"
#include "tao_nla.h"

void tao_policy_free(struct tao_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->events && i < p->n_events; i++)
		free(p->events[i].name);
	free(p->events);
	memset(p, 0, sizeof(*p));
}

static int parse_pcrs(struct json_object *arr, struct tao_policy *p, struct tao_perr *e)
{
	static const char *const names[] = { "alg", "pcr", "digest" };
	size_t n;

	if (!json_object_is_type(arr, json_type_array))
		return tao_fail(e, -EBADMSG, "policy.pcrs: not an array");
	n = json_object_array_length(arr);
	if (n > TAO_MAX_PCR_VALUES)
		return tao_fail(e, -EBADMSG, "policy.pcrs: more than %d values",
				TAO_MAX_PCR_VALUES);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *d;
		struct tao_pcr_value *v = &p->pcrs.v[i];
		uint32_t alg, pcr;
		unsigned int size;
		char where[48];
		int got, rc;

		snprintf(where, sizeof(where), "policy.pcrs[%zu]", i);
		rc = tao_json_check_members(o, where, names, 3, e);
		if (!rc)
			rc = tao_json_get_u32(o, "alg", where, 0xffff, &alg, e);
		if (!rc)
			rc = tao_json_get_u32(o, "pcr", where, TAO_PCR_COUNT - 1, &pcr, e);
		if (rc)
			return rc;
		if (tao_pcr_values_find(&p->pcrs, (uint16_t)alg, pcr))
			return tao_fail(e, -EBADMSG, "%s: the PCR appears twice", where);
		d = json_object_object_get(o, "digest");
		size = tao_alg_digest_size((uint16_t)alg);
		got = json_object_is_type(d, json_type_string)
			      ? tao_hex_decode(json_object_get_string(d), v->digest,
					       TAO_MAX_DIGEST_SIZE)
			      : -EINVAL;
		if (got < 1 || (size && (unsigned int)got != size))
			return tao_fail(e, -EBADMSG,
					"%s.digest: not a hex digest of the bank's size", where);
		v->alg = (uint16_t)alg;
		v->index = (uint8_t)pcr;
		v->size = (uint8_t)got;
		p->pcrs.n++;
	}
	return 0;
}

/* The event's optional "digest": 64 hex digits (either case, as every hex input). */
static int parse_event_digest(struct json_object *d, const char *where, struct tao_policy_event *ev,
			      struct tao_perr *e)
{
	const char *s;

	if (!json_object_is_type(d, json_type_string))
		return tao_fail(e, -EBADMSG, "%s.digest: not a string", where);
	s = json_object_get_string(d);
	if (json_object_get_string_len(d) != 2 * TAO_POLICY_DIGEST_SIZE ||
	    strlen(s) != 2 * TAO_POLICY_DIGEST_SIZE ||
	    tao_hex_decode(s, ev->digest, sizeof(ev->digest)) != TAO_POLICY_DIGEST_SIZE)
		return tao_fail(e, -EBADMSG, "%s.digest: not a sha256 digest (%u hex digits)",
				where, 2 * TAO_POLICY_DIGEST_SIZE);
	ev->has_digest = true;
	return 0;
}

/*
 * ev against the events before it, of the same (type, name): a digest is allowed once, and a
 * (type, name) without a digest (any data) never alongside one with digests, which it would
 * make meaningless.
 */
static int check_event_twice(const struct tao_policy *p, size_t i, const char *name,
			     const char *where, struct tao_perr *e)
{
	const struct tao_policy_event *ev = &p->events[i];

	for (size_t k = 0; k < i; k++) {
		const struct tao_policy_event *o = &p->events[k];

		if (o->type != ev->type || strcmp(o->name, name) != 0)
			continue;
		if (o->has_digest != ev->has_digest)
			return tao_fail(e, -EBADMSG,
					"%s: the event is listed both with and without a digest "
					"(events[%zu])",
					where, k);
		if (!ev->has_digest)
			return tao_fail(e, -EBADMSG, "%s: the event appears twice", where);
		if (memcmp(o->digest, ev->digest, sizeof(ev->digest)) == 0)
			return tao_fail(
				e, -EBADMSG,
				"%s: the event appears twice with this digest (events[%zu])", where,
				k);
	}
	return 0;
}

static int parse_events(struct json_object *arr, struct tao_policy *p, struct tao_perr *e)
{
	static const char *const names[] = { "type", "name", "digest" };
	size_t n;

	if (!json_object_is_type(arr, json_type_array))
		return tao_fail(e, -EBADMSG, "policy.events: not an array");
	n = json_object_array_length(arr);
	if (n > TAO_POLICY_MAX_EVENTS)
		return tao_fail(e, -EBADMSG, "policy.events: more than %u events",
				TAO_POLICY_MAX_EVENTS);
	if (n) {
		p->events = calloc(n, sizeof(*p->events));
		if (!p->events)
			return tao_fail(e, -ENOMEM, "policy.events: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *name, *d = NULL;
		struct tao_policy_event *ev = &p->events[i];
		bool has_digest;
		char where[48];
		size_t len;
		int rc;

		snprintf(where, sizeof(where), "policy.events[%zu]", i);
		/* "digest" is optional (a JSON null is there, and not a string). */
		has_digest = json_object_is_type(o, json_type_object) &&
			     json_object_object_get_ex(o, "digest", &d);
		rc = tao_json_check_members(o, where, names, has_digest ? 3 : 2, e);
		if (!rc)
			rc = tao_json_get_u32(o, "type", where, UINT32_MAX, &ev->type, e);
		if (!rc && has_digest)
			rc = parse_event_digest(d, where, ev, e);
		if (rc)
			return rc;
		name = json_object_object_get(o, "name");
		if (!json_object_is_type(name, json_type_string))
			return tao_fail(e, -EBADMSG, "%s.name: not a string", where);
		len = (size_t)json_object_get_string_len(name);
		if (len < 1 || len > TAO_EVENT_NAME_MAX ||
		    strlen(json_object_get_string(name)) != len)
			return tao_fail(e, -EBADMSG, "%s.name: 1..%d bytes without NUL", where,
					TAO_EVENT_NAME_MAX);
		rc = check_event_twice(p, i, json_object_get_string(name), where, e);
		if (rc)
			return rc;
		ev->name = strdup(json_object_get_string(name));
		if (!ev->name)
			return tao_fail(e, -ENOMEM, "%s: out of memory", where);
		p->n_events = i + 1;
	}
	return 0;
}

int tao_policy_parse(const char *text, size_t len, struct tao_policy *p, char *err, size_t errlen)
{
	static const char *const top[] = { "tao_policy", "pcrs", "events" };
	struct tao_perr e = { err, errlen };
	TAO_CLEANUP(tao_json_putp) struct json_object *o = NULL;
	struct json_object *v;
	int rc;

	memset(p, 0, sizeof(*p));
	if (err && errlen)
		err[0] = '\0';
	if (len > TAO_POLICY_MAX_BYTES)
		return tao_fail(&e, -E2BIG, "the policy is larger than %u bytes",
				TAO_POLICY_MAX_BYTES);
	rc = tao_json_parse_strict(text, len, "policy", &o, &e);
	if (rc)
		return rc;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "tao_policy", &v) ||
	    !json_object_is_type(v, json_type_int))
		return tao_fail(&e, -EBADMSG, "policy: not an object with \"tao_policy\": version");
	if (json_object_get_int64(v) != TAO_POLICY_VERSION)
		return tao_fail(&e, -EPROTONOSUPPORT, "policy: version %lld is not supported",
				(long long)json_object_get_int64(v));
	rc = tao_json_check_members(o, "policy", top, 3, &e);
	if (!rc)
		rc = parse_pcrs(json_object_object_get(o, "pcrs"), p, &e);
	if (!rc)
		rc = parse_events(json_object_object_get(o, "events"), p, &e);
	if (rc)
		tao_policy_free(p);
	return rc;
}

struct json_object *tao_policy_to_json(const struct tao_policy *p)
{
	struct json_object *o = json_object_new_object(), *pcrs, *events;
	char hex[2 * TAO_POLICY_DIGEST_SIZE + 1];

	if (!o || !tao_json_put(o, "tao_policy", json_object_new_int(TAO_POLICY_VERSION)) ||
	    !tao_json_put(o, "pcrs", pcrs = json_object_new_array()) ||
	    !tao_json_put(o, "events", events = json_object_new_array()))
		goto fail;
	for (size_t i = 0; i < p->pcrs.n; i++) {
		const struct tao_pcr_value *v = &p->pcrs.v[i];
		struct json_object *d = json_object_new_object();

		if (!tao_json_append(pcrs, d) ||
		    !tao_json_put(d, "alg", json_object_new_int(v->alg)) ||
		    !tao_json_put(d, "pcr", json_object_new_int(v->index)) ||
		    !tao_json_put(d, "digest", tao_json_hex_bytes(v->digest, v->size)))
			goto fail;
	}
	for (size_t i = 0; i < p->n_events; i++) {
		struct json_object *d = json_object_new_object();

		if (!tao_json_append(events, d) ||
		    !tao_json_put(d, "type", json_object_new_int64(p->events[i].type)) ||
		    !tao_json_put(d, "name", json_object_new_string(p->events[i].name)))
			goto fail;
		if (p->events[i].has_digest &&
		    !tao_json_put(d, "digest",
				  json_object_new_string(tao_hex_encode(
					  p->events[i].digest, TAO_POLICY_DIGEST_SIZE, hex))))
			goto fail;
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

enum tao_policy_match tao_policy_match_entry(const struct tao_policy *p,
					     const struct tao_evidence_entry *en)
{
	const struct tao_digest *have = NULL;
	bool named = false, looked = false;

	for (size_t k = 0; k < p->n_events; k++) {
		const struct tao_policy_event *ev = &p->events[k];

		if (ev->type != en->type || strcmp(ev->name, en->name) != 0)
			continue;
		if (!ev->has_digest)
			return TAO_POLICY_MATCH;
		named = true;
		if (!looked) {
			have = tao_digest_list_find(&en->digests, TAO_POLICY_DIGEST_ALG);
			looked = true;
		}
		if (have && have->size == TAO_POLICY_DIGEST_SIZE &&
		    memcmp(have->bytes, ev->digest, TAO_POLICY_DIGEST_SIZE) == 0)
			return TAO_POLICY_MATCH;
	}
	if (!named)
		return TAO_POLICY_UNKNOWN;
	return have ? TAO_POLICY_DIGEST_OTHER : TAO_POLICY_NO_DIGEST;
}

static bool type_in(uint32_t type, const uint32_t *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (types[i] == type)
			return true;
	return false;
}

int tao_policy_capture_digests(const struct tao_evidence *ev, const uint32_t *digest_types,
			       size_t n_types, struct tao_policy *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < ev->pcrs.n; i++)
		if (ev->pcrs.v[i].index != ev->log_pcr)
			p->pcrs.v[p->pcrs.n++] = ev->pcrs.v[i];
	if (ev->n_entries) {
		p->events = calloc(ev->n_entries, sizeof(*p->events));
		if (!p->events)
			return -ENOMEM;
	}
	for (size_t i = 0; i < ev->n_entries; i++) {
		const struct tao_evidence_entry *en = &ev->entries[i];
		struct tao_policy_event *to = &p->events[p->n_events];
		const struct tao_digest *d = NULL;
		bool seen = false;

		if (type_in(en->type, digest_types, n_types)) {
			d = tao_digest_list_find(&en->digests, TAO_POLICY_DIGEST_ALG);
			if (!d || d->size != TAO_POLICY_DIGEST_SIZE) {
				tao_policy_free(p);
				return -ENODATA;
			}
		}
		/* Every entry of one type either has a digest or not: no mixed (type, name). */
		for (size_t k = 0; k < p->n_events && !seen; k++)
			seen = p->events[k].type == en->type &&
			       strcmp(p->events[k].name, en->name) == 0 &&
			       (!d ||
				memcmp(p->events[k].digest, d->bytes, TAO_POLICY_DIGEST_SIZE) == 0);
		if (seen)
			continue;
		to->type = en->type;
		to->name = strdup(en->name);
		if (!to->name) {
			tao_policy_free(p);
			return -ENOMEM;
		}
		if (d) {
			to->has_digest = true;
			memcpy(to->digest, d->bytes, TAO_POLICY_DIGEST_SIZE);
		}
		p->n_events++;
	}
	return 0;
}

int tao_policy_capture(const struct tao_evidence *ev, struct tao_policy *p)
{
	return tao_policy_capture_digests(ev, NULL, 0, p);
}
