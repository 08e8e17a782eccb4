// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taod.json: load and durable save.
 */
#include "taod_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tao_devid.h"
#include "tao_util.h"

static void state_empty(struct taod_state *s)
{
	memset(s, 0, sizeof(*s));
	s->attestation_id = -1;
}

int taod_write_durable(const char *dir, const char *name, const void *buf, size_t len,
		       unsigned int mode)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return tao_write_atomic(path, buf, len, mode);
}

static const char *str_member(struct json_object *o, const char *key, bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	if (!json_object_is_type(v, json_type_string)) {
		*ok = false;
		return "";
	}
	return json_object_get_string(v);
}

static int64_t int_member(struct json_object *o, const char *key, int64_t dflt, bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	if (!json_object_is_type(v, json_type_int)) {
		*ok = false;
		return dflt;
	}
	return json_object_get_int64(v);
}

static bool copy(char *dst, size_t size, const char *src)
{
	return snprintf(dst, size, "%s", src) < (int)size;
}

int taod_state_load(const char *dir, struct taod_state *s, char *err, size_t errlen)
{
	char path[4096];
	char *text = NULL;
	size_t len;
	struct json_object *o, *v;
	bool ok = true;
	int rc;

	state_empty(s);
	if (snprintf(path, sizeof(path), "%s/%s", dir, TAOD_STATE_FILE) >= (int)sizeof(path))
		return tao_errf(err, errlen, -ENAMETOOLONG, "%s: the path is too long", dir);
	rc = tao_read_file(path, 65536, &text, &len);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0)
		return tao_errf(err, errlen, rc, "%s: %s", path, strerror(-rc));
	o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return tao_errf(err, errlen, -EBADMSG, "%s: not a JSON object", path);
	}
	if (int_member(o, "version", 0, &ok) != TAOD_STATE_VERSION) {
		json_object_put(o);
		return tao_errf(err, errlen, -EPROTONOSUPPORT, "%s: not version %d", path,
				TAOD_STATE_VERSION);
	}
	if (json_object_object_get_ex(o, "enrolled", &v)) {
		if (json_object_is_type(v, json_type_boolean))
			s->enrolled = json_object_get_boolean(v);
		else
			ok = false;
	}
	if (json_object_object_get_ex(o, "ldevid", &v)) {
		if (json_object_is_type(v, json_type_boolean))
			s->ldevid = json_object_get_boolean(v);
		else
			ok = false;
	}
	ok = copy(s->registrar, sizeof(s->registrar), str_member(o, "registrar", &ok)) && ok;
	ok = copy(s->device_id, sizeof(s->device_id), str_member(o, "device_id", &ok)) && ok;
	ok = copy(s->serial, sizeof(s->serial), str_member(o, "serial", &ok)) && ok;
	ok = copy(s->last_result, sizeof(s->last_result), str_member(o, "last_result", &ok)) && ok;
	s->ldevid_handle = (uint32_t)int_member(o, "ldevid_handle", 0, &ok);
	s->enrolled_at = int_member(o, "enrolled_at", 0, &ok);
	s->last_attestation = int_member(o, "last_attestation", 0, &ok);
	s->attestation_id = int_member(o, "attestation_id", -1, &ok);
	json_object_put(o);
	if (!ok || (s->enrolled && (!s->device_id[0] || !s->registrar[0])) ||
	    (s->ldevid && !s->ldevid_handle)) {
		state_empty(s);
		return tao_errf(err, errlen, -EBADMSG, "%s: a member is missing or of a wrong type",
				path);
	}
	return 0;
}

int taod_state_save(const char *dir, const struct taod_state *s, char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	int rc = -ENOMEM;

	if (!o)
		goto fail;
	if (json_object_object_add(o, "version", json_object_new_int(TAOD_STATE_VERSION)) ||
	    json_object_object_add(o, "enrolled", json_object_new_boolean(s->enrolled)) ||
	    json_object_object_add(o, "registrar", json_object_new_string(s->registrar)) ||
	    json_object_object_add(o, "device_id", json_object_new_string(s->device_id)) ||
	    json_object_object_add(o, "serial", json_object_new_string(s->serial)) ||
	    json_object_object_add(o, "ldevid", json_object_new_boolean(s->ldevid)) ||
	    json_object_object_add(o, "ldevid_handle", json_object_new_int64(s->ldevid_handle)) ||
	    json_object_object_add(o, "enrolled_at", json_object_new_int64(s->enrolled_at)) ||
	    json_object_object_add(o, "last_result", json_object_new_string(s->last_result)) ||
	    json_object_object_add(o, "last_attestation",
				   json_object_new_int64(s->last_attestation)) ||
	    json_object_object_add(o, "attestation_id", json_object_new_int64(s->attestation_id)))
		goto fail;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
	if (!text)
		goto fail;
	rc = taod_write_durable(dir, TAOD_STATE_FILE, text, strlen(text), 0644);
	json_object_put(o);
	if (rc < 0)
		return tao_errf(err, errlen, rc, "writing %s/%s: %s", dir, TAOD_STATE_FILE,
				strerror(-rc));
	return 0;
fail:
	json_object_put(o);
	return tao_errf(err, errlen, rc, "out of memory");
}
