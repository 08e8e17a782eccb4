// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The evidence codec of docs/protocol.md: a CMW JSON record [media type, base64url(inner JSON)].
 * The decoder checks every member, type, length and bound and hands out complete evidence or
 * nothing; the encoder only emits what the decoder accepts.
 */
#include "tao_evidence.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/asn1.h>

#include "tao_attest.h"
#include "tao_b64url.h"
#include "tao_cleanup.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_json_strict.h"
#include "tao_nla.h"

int tao_blob_set(struct tao_blob *b, const void *buf, size_t len)
{
	b->bytes = malloc(len ? len : 1);
	if (!b->bytes)
		return -ENOMEM;
	if (len)
		memcpy(b->bytes, buf, len);
	b->len = len;
	return 0;
}

static void blob_free(struct tao_blob *b)
{
	free(b->bytes);
	b->bytes = NULL;
	b->len = 0;
}

void tao_evidence_free(struct tao_evidence *ev)
{
	if (!ev)
		return;
	blob_free(&ev->quote_attest);
	blob_free(&ev->quote_signature);
	for (size_t i = 0; ev->entries && i < ev->n_entries; i++) {
		free(ev->entries[i].name);
		blob_free(&ev->entries[i].data);
	}
	free(ev->entries);
	blob_free(&ev->certify_attest);
	blob_free(&ev->certify_signature);
	blob_free(&ev->tls_key_public);
	for (size_t i = 0; i < TAO_EVIDENCE_MAX_CERTS; i++) {
		blob_free(&ev->iak_certs[i]);
		blob_free(&ev->idevid_certs[i]);
	}
	memset(ev, 0, sizeof(*ev));
}

/* A base64url string of min..max bytes into a fresh blob. */
static int b64_value(struct json_object *v, const char *what, const char *key, size_t min,
		     size_t max, struct tao_blob *out, struct tao_perr *e)
{
	const char *s;
	size_t slen, n;
	uint8_t *buf;
	long got;

	if (!json_object_is_type(v, json_type_string))
		return tao_fail(e, -EBADMSG, "%s%s: not a string", what, key);
	s = json_object_get_string(v);
	slen = (size_t)json_object_get_string_len(v);
	n = tao_b64url_decoded_len(slen);
	if (n > max)
		return tao_fail(e, -E2BIG, "%s%s: %zu bytes, more than %zu", what, key, n, max);
	if (n < min)
		return tao_fail(e, -EBADMSG, "%s%s: %zu bytes, fewer than %zu", what, key, n, min);
	buf = malloc(n ? n : 1);
	if (!buf)
		return tao_fail(e, -ENOMEM, "%s%s: out of memory", what, key);
	got = tao_b64url_decode(s, slen, buf, n);
	if (got < 0) {
		free(buf);
		return tao_fail(e, -EBADMSG, "%s%s: not base64url without padding", what, key);
	}
	out->bytes = buf;
	out->len = (size_t)got;
	return 0;
}

static int get_b64(struct json_object *o, const char *key, const char *what, size_t min, size_t max,
		   struct tao_blob *out, struct tao_perr *e)
{
	char where[96];

	snprintf(where, sizeof(where), "%.*s.", (int)sizeof(where) - 2, what);
	return b64_value(json_object_object_get(o, key), where, key, min, max, out, e);
}

/* A digest of a known hash has exactly its size; others 1..64 bytes. */
static int digest_size_ok(uint16_t alg, size_t len)
{
	unsigned int want = tao_alg_digest_size(alg);

	return want ? len == want : len >= 1 && len <= TAO_MAX_DIGEST_SIZE;
}

/* [{"alg": N, "digest": B64}, ...]: 1..16 entries, no algorithm twice. */
static int get_digest_list(struct json_object *arr, const char *what, struct tao_digest_list *out,
			   struct tao_perr *e)
{
	static const char *const names[] = { "alg", "digest" };
	size_t n;

	if (!json_object_is_type(arr, json_type_array))
		return tao_fail(e, -EBADMSG, "%s: not an array", what);
	n = json_object_array_length(arr);
	if (n < 1 || n > TAO_MAX_PCR_BANKS)
		return tao_fail(e, -EBADMSG, "%s: %zu digests (1..%d)", what, n, TAO_MAX_PCR_BANKS);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		struct tao_blob b = { 0 };
		char where[96];
		uint32_t alg;
		int rc;

		snprintf(where, sizeof(where), "%s[%zu]", what, i);
		rc = tao_json_check_members(d, where, names, 2, e);
		if (!rc)
			rc = tao_json_get_u32(d, "alg", where, 0xffff, &alg, e);
		if (rc)
			return rc;
		if (tao_digest_list_find(out, (uint16_t)alg))
			return tao_fail(e, -EBADMSG, "%s: algorithm 0x%04x twice", where, alg);
		rc = get_b64(d, "digest", where, 1, TAO_MAX_DIGEST_SIZE, &b, e);
		if (rc)
			return rc;
		if (!digest_size_ok((uint16_t)alg, b.len)) {
			blob_free(&b);
			return tao_fail(e, -EBADMSG, "%s: a digest of the wrong size for 0x%04x",
					where, alg);
		}
		out->d[i].alg = (uint16_t)alg;
		out->d[i].size = (uint16_t)b.len;
		memcpy(out->d[i].bytes, b.bytes, b.len);
		out->n++;
		blob_free(&b);
	}
	return 0;
}

/* [{"alg": N, "pcr": I, "digest": B64}, ...] grouped by bank, PCRs ascending within a bank. */
static int get_pcr_values(struct json_object *arr, struct tao_pcr_values *out, struct tao_perr *e)
{
	static const char *const names[] = { "alg", "pcr", "digest" };
	uint16_t banks[TAO_MAX_PCR_BANKS];
	size_t n, n_banks = 0;

	if (!json_object_is_type(arr, json_type_array))
		return tao_fail(e, -EBADMSG, "quote.pcrs: not an array");
	n = json_object_array_length(arr);
	if (n < 1 || n > TAO_MAX_PCR_VALUES)
		return tao_fail(e, -EBADMSG, "quote.pcrs: %zu values (1..%d)", n,
				TAO_MAX_PCR_VALUES);
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		struct tao_pcr_value *v = &out->v[i];
		struct tao_blob b = { 0 };
		uint32_t alg, pcr;
		char where[64];
		int rc;

		snprintf(where, sizeof(where), "quote.pcrs[%zu]", i);
		rc = tao_json_check_members(d, where, names, 3, e);
		if (!rc)
			rc = tao_json_get_u32(d, "alg", where, 0xffff, &alg, e);
		if (!rc)
			rc = tao_json_get_u32(d, "pcr", where, TAO_PCR_COUNT - 1, &pcr, e);
		if (!rc)
			rc = get_b64(d, "digest", where, 1, TAO_MAX_DIGEST_SIZE, &b, e);
		if (rc)
			return rc;
		if (!digest_size_ok((uint16_t)alg, b.len) ||
		    (i > 0 && out->v[i - 1].alg == alg && out->v[i - 1].size != b.len)) {
			blob_free(&b);
			return tao_fail(e, -EBADMSG, "%s: a digest of the wrong size for 0x%04x",
					where, alg);
		}
		if (i == 0 || out->v[i - 1].alg != alg) {
			for (size_t k = 0; k < n_banks; k++)
				if (banks[k] == alg) {
					blob_free(&b);
					return tao_fail(e, -EBADMSG,
							"%s: bank 0x%04x is not in one run", where,
							alg);
				}
			if (n_banks == TAO_MAX_PCR_BANKS) {
				blob_free(&b);
				return tao_fail(e, -EBADMSG, "%s: more than %d banks", where,
						TAO_MAX_PCR_BANKS);
			}
			banks[n_banks++] = (uint16_t)alg;
		} else if (out->v[i - 1].index >= pcr) {
			blob_free(&b);
			return tao_fail(e, -EBADMSG, "%s: PCR %u is out of order or repeated",
					where, pcr);
		}
		v->alg = (uint16_t)alg;
		v->index = (uint8_t)pcr;
		v->size = (uint8_t)b.len;
		memcpy(v->digest, b.bytes, b.len);
		out->n++;
		blob_free(&b);
	}
	return 0;
}

static int get_entry(struct json_object *o, size_t i, struct tao_evidence_entry *ent,
		     struct tao_perr *e)
{
	static const char *const with_data[] = { "seq", "type", "name", "digests", "data" };
	bool has_data = json_object_is_type(o, json_type_object) &&
			json_object_object_get_ex(o, "data", NULL);
	struct json_object *name;
	const char *s;
	char where[64];
	size_t len;
	int rc;

	snprintf(where, sizeof(where), "log.entries[%zu]", i);
	rc = tao_json_check_members(o, where, with_data, has_data ? 5 : 4, e);
	if (!rc)
		rc = tao_json_get_u32(o, "seq", where, UINT32_MAX, &ent->seq, e);
	if (!rc && ent->seq != i)
		rc = tao_fail(e, -EBADMSG, "%s: seq %u where %zu was expected", where, ent->seq, i);
	if (!rc)
		rc = tao_json_get_u32(o, "type", where, UINT32_MAX, &ent->type, e);
	if (rc)
		return rc;
	name = json_object_object_get(o, "name");
	if (!json_object_is_type(name, json_type_string))
		return tao_fail(e, -EBADMSG, "%s.name: not a string", where);
	s = json_object_get_string(name);
	len = (size_t)json_object_get_string_len(name);
	if (len < 1 || len > TAO_EVENT_NAME_MAX)
		return tao_fail(e, -EBADMSG, "%s.name: %zu bytes (1..%d)", where, len,
				TAO_EVENT_NAME_MAX);
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return tao_fail(e, -EBADMSG, "%s.name: a control character", where);
	{
		char dwhere[80];

		snprintf(dwhere, sizeof(dwhere), "%s.digests", where);
		rc = get_digest_list(json_object_object_get(o, "digests"), dwhere, &ent->digests,
				     e);
	}
	if (!rc && has_data) {
		rc = get_b64(o, "data", where, 0, TAO_EVENT_DATA_MAX, &ent->data, e);
		ent->has_data = !rc;
	}
	if (rc)
		return rc;
	ent->name = strndup(s, len);
	if (!ent->name)
		return tao_fail(e, -ENOMEM, "%s: out of memory", where);
	return 0;
}

static int get_certs(struct json_object *o, const char *key, struct tao_blob *certs, size_t *n,
		     struct tao_perr *e)
{
	struct json_object *arr = json_object_object_get(o, key);
	size_t len;

	if (!json_object_is_type(arr, json_type_array))
		return tao_fail(e, -EBADMSG, "certs.%s: not an array", key);
	len = json_object_array_length(arr);
	if (len < 1 || len > TAO_EVIDENCE_MAX_CERTS)
		return tao_fail(e, -EBADMSG, "certs.%s: %zu certificates (1..%u)", key, len,
				TAO_EVIDENCE_MAX_CERTS);
	for (size_t i = 0; i < len; i++) {
		char where[48];
		const unsigned char *p;
		int rc, tag, cls;
		long clen;

		snprintf(where, sizeof(where), "certs.%s[%zu]", key, i);
		rc = b64_value(json_object_array_get_idx(arr, i), where, "", 1,
			       TAO_EVIDENCE_MAX_CERT_BYTES, &certs[i], e);
		if (rc)
			return rc;
		*n = i + 1;
		/*
		 * One DER SEQUENCE spanning the bytes; parsing the certificate is the chain
		 * checks' job (the verifier caches it per device, so decoding stays cheap).
		 */
		p = certs[i].bytes;
		if (ASN1_get_object(&p, &clen, &tag, &cls, (long)certs[i].len) !=
			    V_ASN1_CONSTRUCTED ||
		    tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL ||
		    p + clen != certs[i].bytes + certs[i].len)
			return tao_fail(e, -EBADMSG, "%s: not one DER SEQUENCE", where);
	}
	return 0;
}

static int decode_inner(struct json_object *in, struct tao_evidence *ev, struct tao_perr *e)
{
	static const char *const top[] = {
		"version", "binder", "quote", "log", "certify", "certs"
	};
	static const char *const quote[] = { "attest", "signature", "pcrs" };
	static const char *const log[] = { "pcr", "pcr_at_load", "entries" };
	static const char *const certify[] = { "attest", "signature", "public" };
	static const char *const certs[] = { "iak", "idevid" };
	struct json_object *v, *q, *l, *c, *entries;
	struct tao_blob binder = { 0 };
	size_t n;
	int rc;

	if (!json_object_is_type(in, json_type_object))
		return tao_fail(e, -EBADMSG, "evidence: not an object");
	/* The version first: a later version may have other members. */
	if (!json_object_object_get_ex(in, "version", &v) || !json_object_is_type(v, json_type_int))
		return tao_fail(e, -EBADMSG, "evidence.version: missing or not an integer");
	if (json_object_get_int64(v) != TAO_EVIDENCE_VERSION)
		return tao_fail(e, -EPROTONOSUPPORT,
				"evidence.version: %lld is not supported (%d is)",
				(long long)json_object_get_int64(v), TAO_EVIDENCE_VERSION);
	ev->version = TAO_EVIDENCE_VERSION;
	rc = tao_json_check_members(in, "evidence", top, 6, e);
	if (rc)
		return rc;
	rc = get_b64(in, "binder", "evidence", 32, 32, &binder, e);
	if (rc)
		return rc;
	memcpy(ev->binder, binder.bytes, 32);
	blob_free(&binder);

	q = json_object_object_get(in, "quote");
	rc = tao_json_check_members(q, "quote", quote, 3, e);
	if (!rc)
		rc = get_b64(q, "attest", "quote", 1, TAO_ATTEST_MAX, &ev->quote_attest, e);
	if (!rc)
		rc = get_b64(q, "signature", "quote", 1, TAO_SIGNATURE_MAX, &ev->quote_signature,
			     e);
	if (!rc)
		rc = get_pcr_values(json_object_object_get(q, "pcrs"), &ev->pcrs, e);
	if (rc)
		return rc;

	l = json_object_object_get(in, "log");
	rc = tao_json_check_members(l, "log", log, 3, e);
	if (!rc)
		rc = tao_json_get_u32(l, "pcr", "log", TAO_PCR_COUNT - 1, &ev->log_pcr, e);
	if (!rc)
		rc = get_digest_list(json_object_object_get(l, "pcr_at_load"), "log.pcr_at_load",
				     &ev->log_pcr_at_load, e);
	if (rc)
		return rc;
	entries = json_object_object_get(l, "entries");
	if (!json_object_is_type(entries, json_type_array))
		return tao_fail(e, -EBADMSG, "log.entries: not an array");
	n = json_object_array_length(entries);
	if (n > TAO_EVIDENCE_MAX_ENTRIES)
		return tao_fail(e, -E2BIG, "log.entries: %zu entries, more than %u", n,
				TAO_EVIDENCE_MAX_ENTRIES);
	if (n) {
		ev->entries = calloc(n, sizeof(*ev->entries));
		if (!ev->entries)
			return tao_fail(e, -ENOMEM, "log.entries: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		ev->n_entries = i + 1; /* so that tao_evidence_free() frees what this one holds */
		rc = get_entry(json_object_array_get_idx(entries, i), i, &ev->entries[i], e);
		if (rc)
			return rc;
	}

	c = json_object_object_get(in, "certify");
	rc = tao_json_check_members(c, "certify", certify, 3, e);
	if (!rc)
		rc = get_b64(c, "attest", "certify", 1, TAO_ATTEST_MAX, &ev->certify_attest, e);
	if (!rc)
		rc = get_b64(c, "signature", "certify", 1, TAO_SIGNATURE_MAX,
			     &ev->certify_signature, e);
	if (!rc)
		rc = get_b64(c, "public", "certify", 1, TAO_TPM2B_PUBLIC_MAX, &ev->tls_key_public,
			     e);
	if (rc)
		return rc;

	c = json_object_object_get(in, "certs");
	rc = tao_json_check_members(c, "certs", certs, 2, e);
	if (!rc)
		rc = get_certs(c, "iak", ev->iak_certs, &ev->n_iak_certs, e);
	if (!rc)
		rc = get_certs(c, "idevid", ev->idevid_certs, &ev->n_idevid_certs, e);
	return rc;
}

int tao_evidence_decode(const char *text, size_t len, struct tao_evidence *ev, char *err,
			size_t errlen)
{
	struct tao_perr e = { err, errlen };
	TAO_CLEANUP(tao_json_putp) struct json_object *outer = NULL;
	TAO_CLEANUP(tao_json_putp) struct json_object *inner = NULL;
	TAO_CLEANUP(tao_freep) char *inner_text = NULL;
	struct json_object *mt, *body;
	long n;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (err && errlen)
		err[0] = '\0';
	if (len > TAO_EVIDENCE_MAX_BYTES)
		return tao_fail(&e, -E2BIG, "the record is %zu bytes, more than %u", len,
				TAO_EVIDENCE_MAX_BYTES);
	rc = tao_json_parse_strict(text, len, "record", &outer, &e);
	if (rc)
		return rc;
	if (!json_object_is_type(outer, json_type_array) || json_object_array_length(outer) != 2)
		return tao_fail(&e, -EBADMSG, "record: not a CMW record [type, value]");
	mt = json_object_array_get_idx(outer, 0);
	body = json_object_array_get_idx(outer, 1);
	if (!json_object_is_type(mt, json_type_string) ||
	    strcmp(json_object_get_string(mt), TAO_EVIDENCE_MEDIA_TYPE) != 0)
		return tao_fail(&e, -EPROTONOSUPPORT, "record: the media type is not %s",
				TAO_EVIDENCE_MEDIA_TYPE);
	if (!json_object_is_type(body, json_type_string))
		return tao_fail(&e, -EBADMSG, "record: the value is not a string");
	inner_text = malloc(tao_b64url_decoded_len((size_t)json_object_get_string_len(body)) + 1);
	if (!inner_text)
		return tao_fail(&e, -ENOMEM, "record: out of memory");
	n = tao_b64url_decode(json_object_get_string(body),
			      (size_t)json_object_get_string_len(body), (uint8_t *)inner_text,
			      TAO_EVIDENCE_MAX_BYTES);
	if (n < 0)
		return tao_fail(&e, -EBADMSG, "record: the value is not base64url without padding");
	rc = tao_json_parse_strict(inner_text, (size_t)n, "evidence", &inner, &e);
	if (!rc)
		rc = decode_inner(inner, ev, &e);
	if (rc)
		tao_evidence_free(ev);
	return rc;
}

/* Encoding */

static struct json_object *b64(const uint8_t *buf, size_t len)
{
	char *s = tao_b64url_encode(buf, len);
	struct json_object *o = s ? json_object_new_string(s) : NULL;

	free(s);
	return o;
}

static struct json_object *digest_list_json(const struct tao_digest_list *l)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < l->n; i++) {
		struct json_object *d = json_object_new_object();

		if (!tao_json_append(arr, d) ||
		    !tao_json_put(d, "alg", json_object_new_int(l->d[i].alg)) ||
		    !tao_json_put(d, "digest", b64(l->d[i].bytes, l->d[i].size))) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *pcrs_json(const struct tao_pcr_values *v)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < v->n; i++) {
		struct json_object *d = json_object_new_object();

		if (!tao_json_append(arr, d) ||
		    !tao_json_put(d, "alg", json_object_new_int(v->v[i].alg)) ||
		    !tao_json_put(d, "pcr", json_object_new_int(v->v[i].index)) ||
		    !tao_json_put(d, "digest", b64(v->v[i].digest, v->v[i].size))) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *entries_json(const struct tao_evidence *ev)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < ev->n_entries; i++) {
		const struct tao_evidence_entry *en = &ev->entries[i];
		struct json_object *d = json_object_new_object();

		if (!tao_json_append(arr, d) ||
		    !tao_json_put(d, "seq", json_object_new_int64(en->seq)) ||
		    !tao_json_put(d, "type", json_object_new_int64(en->type)) ||
		    !tao_json_put(d, "name", json_object_new_string(en->name ? en->name : "")) ||
		    !tao_json_put(d, "digests", digest_list_json(&en->digests)) ||
		    (en->has_data && !tao_json_put(d, "data", b64(en->data.bytes, en->data.len)))) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *certs_json(const struct tao_blob *certs, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n && i < TAO_EVIDENCE_MAX_CERTS; i++)
		if (!tao_json_append(arr, b64(certs[i].bytes, certs[i].len))) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static struct json_object *inner_json(const struct tao_evidence *ev)
{
	struct json_object *o = json_object_new_object(), *q, *l, *c, *certs;

	if (!o)
		return NULL;
	if (tao_json_put(o, "version", json_object_new_int(TAO_EVIDENCE_VERSION)) &&
	    tao_json_put(o, "binder", b64(ev->binder, sizeof(ev->binder))) &&
	    tao_json_put(o, "quote", q = json_object_new_object()) &&
	    tao_json_put(q, "attest", b64(ev->quote_attest.bytes, ev->quote_attest.len)) &&
	    tao_json_put(q, "signature", b64(ev->quote_signature.bytes, ev->quote_signature.len)) &&
	    tao_json_put(q, "pcrs", pcrs_json(&ev->pcrs)) &&
	    tao_json_put(o, "log", l = json_object_new_object()) &&
	    tao_json_put(l, "pcr", json_object_new_int64(ev->log_pcr)) &&
	    tao_json_put(l, "pcr_at_load", digest_list_json(&ev->log_pcr_at_load)) &&
	    tao_json_put(l, "entries", entries_json(ev)) &&
	    tao_json_put(o, "certify", c = json_object_new_object()) &&
	    tao_json_put(c, "attest", b64(ev->certify_attest.bytes, ev->certify_attest.len)) &&
	    tao_json_put(c, "signature",
			 b64(ev->certify_signature.bytes, ev->certify_signature.len)) &&
	    tao_json_put(c, "public", b64(ev->tls_key_public.bytes, ev->tls_key_public.len)) &&
	    tao_json_put(o, "certs", certs = json_object_new_object()) &&
	    tao_json_put(certs, "iak", certs_json(ev->iak_certs, ev->n_iak_certs)) &&
	    tao_json_put(certs, "idevid", certs_json(ev->idevid_certs, ev->n_idevid_certs)))
		return o;
	json_object_put(o);
	return NULL;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

int tao_evidence_encode(const struct tao_evidence *ev, char **out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	TAO_CLEANUP(tao_json_putp) struct json_object *inner = inner_json(ev);
	TAO_CLEANUP(tao_json_putp) struct json_object *outer = NULL;
	TAO_CLEANUP(tao_freep) char *body = NULL;
	struct tao_evidence check;
	const char *text;
	char *res;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	text = inner ? json_object_to_json_string_ext(inner, JSON_FLAGS) : NULL;
	body = text ? tao_b64url_encode((const uint8_t *)text, strlen(text)) : NULL;
	outer = json_object_new_array();
	if (!body || !outer ||
	    !tao_json_append(outer, json_object_new_string(TAO_EVIDENCE_MEDIA_TYPE)) ||
	    !tao_json_append(outer, json_object_new_string(body)))
		return tao_fail(&e, -ENOMEM, "encoding the evidence: out of memory");
	text = json_object_to_json_string_ext(outer, JSON_FLAGS);
	res = text ? strdup(text) : NULL;
	if (!res)
		return tao_fail(&e, -ENOMEM, "encoding the evidence: out of memory");
	/* What the decoder would refuse is not evidence: incomplete, or past a bound. */
	rc = tao_evidence_decode(res, strlen(res), &check, err, errlen);
	tao_evidence_free(&check);
	if (rc) {
		free(res);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	*out = res;
	return 0;
}
