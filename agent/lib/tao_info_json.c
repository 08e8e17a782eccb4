// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* tao_info_to_json(): struct tao_info as the JSON document documented in docs/taoctl.md. */
#include "tao_info.h"

#include <inttypes.h>

#include "tao_cleanup.h"
#include "tao_json.h"
#include "tao_names.h"

#define put    tao_json_put
#define append tao_json_append
#define hex    tao_json_hex32

static struct json_object *bank_json(const struct tao_pcr_bank *bank)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	const char *name = tao_alg_name(bank->alg);
	struct json_object *alg = NULL;

	if (!obj || (name && !(alg = json_object_new_string(name))))
		return NULL;
	/* An algorithm this version cannot name is still reported, as "algorithm": null. */
	if (json_object_object_add(obj, "algorithm", alg) < 0) {
		json_object_put(alg);
		return NULL;
	}
	if (!put(obj, "alg_id", hex(bank->alg, 4)) ||
	    !put(obj, "digest_size", json_object_new_int(bank->digest_size)))
		return NULL;
	return tao_steal_ptr(&obj);
}

static struct json_object *banks_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *arr = json_object_new_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < info->n_banks; i++)
		if (!append(arr, bank_json(&info->banks[i])))
			return NULL;
	return tao_steal_ptr(&arr);
}

static struct json_object *spec_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj || !put(obj, "revision", json_object_new_int64(info->spec_revision)) ||
	    !put(obj, "year", json_object_new_int64(info->spec_year)) ||
	    !put(obj, "day_of_year", json_object_new_int64(info->spec_day)))
		return NULL;
	return tao_steal_ptr(&obj);
}

static struct json_object *tpm_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	bool present =
		info->tpm_state == TAO_TPM_STATE_TPM2 || info->tpm_state == TAO_TPM_STATE_TPM12;
	bool tpm2 = info->tpm_state == TAO_TPM_STATE_TPM2;
	const char *state = tao_tpm_state_name(info->tpm_state);
	char manufacturer[5];

	if (!obj || !state || !put(obj, "state", json_object_new_string(state)) ||
	    !put(obj, "present", json_object_new_boolean(present)))
		return NULL;
	if (tpm2 && !put(obj, "device", json_object_new_string(info->device)))
		return NULL;
	if (info->has_props &&
	    (!put(obj, "manufacturer",
		  json_object_new_string(tao_manufacturer_str(info->manufacturer, manufacturer))) ||
	     !put(obj, "manufacturer_id", hex(info->manufacturer, 8)) ||
	     !put(obj, "vendor_string", json_object_new_string(info->vendor)) ||
	     !put(obj, "firmware_version_1", hex(info->fw1, 8)) ||
	     !put(obj, "firmware_version_2", hex(info->fw2, 8)) ||
	     !put(obj, "spec", spec_json(info))))
		return NULL;
	if (tpm2 && !put(obj, "pcr_banks", banks_json(info)))
		return NULL;
	if (info->has_rc && !put(obj, "tpm_rc", hex(info->tpm_rc, 8)))
		return NULL;
	return tao_steal_ptr(&obj);
}

static struct json_object *module_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj || !put(obj, "version", json_object_new_string(info->module_version)) ||
	    !put(obj, "genl_family", json_object_new_string(TAO_GENL_NAME)) ||
	    !put(obj, "genl_version", json_object_new_int(info->genl_version)))
		return NULL;
	return tao_steal_ptr(&obj);
}

static struct json_object *stats_json(const struct tao_stats *st)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj || !put(obj, "measure", json_object_new_uint64(st->measure)) ||
	    !put(obj, "quote", json_object_new_uint64(st->quote)) ||
	    !put(obj, "tpm_errors", json_object_new_uint64(st->tpm_errors)) ||
	    !put(obj, "log_full", json_object_new_uint64(st->log_full)) ||
	    !put(obj, "key_mismatch", json_object_new_uint64(st->key_mismatch)))
		return NULL;
	return tao_steal_ptr(&obj);
}

static struct json_object *log_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj || !put(obj, "pcr", json_object_new_int64(info->log_pcr)) ||
	    !put(obj, "entries", json_object_new_int64(info->log_entries)) ||
	    !put(obj, "bytes", json_object_new_uint64(info->log_bytes)) ||
	    !put(obj, "max_bytes", json_object_new_uint64(info->log_max_bytes)))
		return NULL;
	if (info->has_pcr_at_load &&
	    !put(obj, "pcr_at_load", tao_digest_list_to_json(&info->pcr_at_load)))
		return NULL;
	if (!put(obj, "stats", stats_json(&info->stats)))
		return NULL;
	return tao_steal_ptr(&obj);
}

struct json_object *tao_info_to_json(const struct tao_info *info)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *root = json_object_new_object();

	if (!root || !put(root, "module", module_json(info)) || !put(root, "tpm", tpm_json(info)))
		return NULL;
	if (info->has_log && !put(root, "log", log_json(info)))
		return NULL;
	return tao_steal_ptr(&root);
}
