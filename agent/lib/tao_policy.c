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

static int parse_events(struct json_object *arr, struct tao_policy *p, struct tao_perr *e)
{
	static const char *const names[] = { "type", "name" };
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
		struct json_object *o = json_object_array_get_idx(arr, i), *name;
		struct tao_policy_event *ev = &p->events[i];
		char where[48];
		size_t len;
		int rc;

		snprintf(where, sizeof(where), "policy.events[%zu]", i);
		rc = tao_json_check_members(o, where, names, 2, e);
		if (!rc)
			rc = tao_json_get_u32(o, "type", where, UINT32_MAX, &ev->type, e);
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
		for (size_t k = 0; k < i; k++)
			if (p->events[k].type == ev->type &&
			    strcmp(p->events[k].name, json_object_get_string(name)) == 0)
				return tao_fail(e, -EBADMSG, "%s: the event appears twice", where);
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
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int tao_policy_capture(const struct tao_evidence *ev, struct tao_policy *p)
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
		bool seen = false;

		for (size_t k = 0; k < p->n_events && !seen; k++)
			seen = p->events[k].type == ev->entries[i].type &&
			       strcmp(p->events[k].name, ev->entries[i].name) == 0;
		if (seen)
			continue;
		p->events[p->n_events].type = ev->entries[i].type;
		p->events[p->n_events].name = strdup(ev->entries[i].name);
		if (!p->events[p->n_events].name) {
			tao_policy_free(p);
			return -ENOMEM;
		}
		p->n_events++;
	}
	return 0;
}
