// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The TAO_CMD_QUOTE reply: parser and JSON. */
#include "tao_quote.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>

#include "tao_cleanup.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"
#include "tao_tpm_public.h"

static const int quote_attrs[] = {
	TAO_A_QUOTE_ATTEST, TAO_A_QUOTE_SIGNATURE, TAO_A_PCR_VALUES, TAO_A_LOG_ENTRIES,
	TAO_A_KEY_ROLE,	    TAO_A_KEY_HANDLE,	   TAO_A_KEY_NAME,
};

int tao_quote_parse(struct nlmsghdr *nlh, struct tao_quote *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct nlattr *tb[TAO_A_MAX + 1];
	TAO_CLEANUP(tao_freep) struct tao_quote *q = calloc(1, sizeof(*q));
	char msg[TAO_ERRMSG_MAX];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!q)
		return tao_fail(&e, -ENOMEM, "out of memory");
	if ((rc = tao_genl_parse(nlh, TAO_CMD_QUOTE, tb, &e)))
		return rc;
	for (size_t i = 0; i < sizeof(quote_attrs) / sizeof(quote_attrs[0]); i++)
		if ((rc = tao_nla_require(tb, quote_attrs[i], tao_attr_policy, "", &e)))
			return rc;
	q->attest_len = (size_t)nla_len(tb[TAO_A_QUOTE_ATTEST]);
	memcpy(q->attest, nla_data(tb[TAO_A_QUOTE_ATTEST]), q->attest_len);
	q->signature_len = (size_t)nla_len(tb[TAO_A_QUOTE_SIGNATURE]);
	memcpy(q->signature, nla_data(tb[TAO_A_QUOTE_SIGNATURE]), q->signature_len);
	rc = tao_attest_parse(q->attest, q->attest_len, &q->parsed_attest, msg, sizeof(msg));
	if (rc == 0 && q->parsed_attest.type != TAO_TPM_ST_ATTEST_QUOTE)
		rc = tao_fail(&(struct tao_perr){ msg, sizeof(msg) }, -EBADMSG,
			      "the attestation is not a quote");
	if (rc)
		return tao_fail(&e, -EBADMSG, "TAO_A_QUOTE_ATTEST: %s", msg);
	rc = tao_signature_parse(q->signature, q->signature_len, &q->parsed_signature, msg,
				 sizeof(msg));
	if (rc)
		return tao_fail(&e, -EBADMSG, "TAO_A_QUOTE_SIGNATURE: %s", msg);
	if ((rc = tao_pcr_values_parse(tb[TAO_A_PCR_VALUES], &q->values, err, errlen)))
		return rc;
	rc = tao_pcr_values_check(&q->values, &q->parsed_attest.quote.pcr_select, msg, sizeof(msg));
	if (rc)
		return tao_fail(&e, -EBADMSG, "TAO_A_PCR_VALUES do not match the quote: %s", msg);
	q->log_entries = nla_get_u32(tb[TAO_A_LOG_ENTRIES]);
	q->role = nla_get_u32(tb[TAO_A_KEY_ROLE]);
	if (q->role < 1 || q->role > TAO_KEY_ROLE_MAX)
		return tao_fail(&e, -EBADMSG, "TAO_A_KEY_ROLE has unknown value %" PRIu32, q->role);
	q->handle = nla_get_u32(tb[TAO_A_KEY_HANDLE]);
	if (q->handle < TAO_PERSISTENT_FIRST || q->handle > TAO_PERSISTENT_LAST)
		return tao_fail(&e, -EBADMSG,
				"TAO_A_KEY_HANDLE 0x%08" PRIx32 " is not a persistent handle",
				q->handle);
	q->key_name_len = (size_t)nla_len(tb[TAO_A_KEY_NAME]);
	memcpy(q->key_name, nla_data(tb[TAO_A_KEY_NAME]), q->key_name_len);
	if ((rc = tao_tpm_name_check(q->key_name, q->key_name_len, "TAO_A_KEY_NAME", err, errlen)))
		return rc;
	if (!!tb[TAO_A_LOG_PCR] != !!tb[TAO_A_LOG_PCR_AT_LOAD])
		return tao_fail(
			&e, -EBADMSG,
			"TAO_A_LOG_PCR and TAO_A_LOG_PCR_AT_LOAD come together or not at all");
	if (tb[TAO_A_LOG_PCR]) {
		if ((rc = tao_nla_require(tb, TAO_A_LOG_PCR, tao_attr_policy, "", &e)))
			return rc;
		q->log_pcr = nla_get_u32(tb[TAO_A_LOG_PCR]);
		if (q->log_pcr >= TAO_PCR_COUNT)
			return tao_fail(&e, -EBADMSG, "TAO_A_LOG_PCR %" PRIu32 " is outside 0..%d",
					q->log_pcr, TAO_PCR_COUNT - 1);
		rc = tao_digest_list_parse(tb[TAO_A_LOG_PCR_AT_LOAD], "TAO_A_LOG_PCR_AT_LOAD",
					   &q->pcr_at_load, err, errlen);
		if (rc)
			return rc;
		q->has_log_origin = true;
	}
	memcpy(out, q, sizeof(*q));
	return 0;
}

static struct json_object *signature_json(const struct tao_signature *s)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	const char *alg = tao_sig_alg_name(s->sig_alg), *hash = tao_alg_name(s->hash);

	if (!obj ||
	    json_object_object_add(obj, "algorithm", alg ? json_object_new_string(alg) : NULL) <
		    0 ||
	    json_object_object_add(obj, "hash", hash ? json_object_new_string(hash) : NULL) < 0)
		return NULL;
	return tao_steal_ptr(&obj);
}

struct json_object *tao_quote_to_json(const struct tao_quote *q)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	const struct tao_attest *a = &q->parsed_attest;

	if (!obj || !tao_json_put(obj, "role", json_object_new_string(tao_role_name(q->role))) ||
	    !tao_json_put(obj, "handle", tao_json_hex32(q->handle, 8)) ||
	    !tao_json_put(obj, "key_name", tao_json_hex_bytes(q->key_name, q->key_name_len)) ||
	    !tao_json_put(obj, "log_entries", json_object_new_int64(q->log_entries)) ||
	    !tao_json_put(obj, "nonce", tao_json_hex_bytes(a->extra_data, a->extra_data_len)) ||
	    !tao_json_put(obj, "attest", tao_attest_to_json(a)) ||
	    !tao_json_put(obj, "signature", signature_json(&q->parsed_signature)) ||
	    !tao_json_put(obj, "pcrs", tao_pcr_values_to_json(&q->values)) ||
	    !tao_json_put(obj, "quote_msg", tao_json_hex_bytes(q->attest, q->attest_len)) ||
	    !tao_json_put(obj, "quote_sig", tao_json_hex_bytes(q->signature, q->signature_len)))
		return NULL;
	return tao_steal_ptr(&obj);
}
