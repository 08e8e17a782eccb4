// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* TPMS_ATTEST and TPMT_SIGNATURE parsers, and a quote's pcrDigest. */
#include "tao_attest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tao_cleanup.h"
#include "tao_crypto.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nla.h"
#include "tao_tpm_rd.h"

#define ALG_NULL 0x0010

/* TPML_PCR_SELECTION. */
static int read_pcr_select(struct tao_rd *r, struct tao_attest *a)
{
	struct tao_pcr_selection *sel = &a->quote.pcr_select;
	uint32_t count;
	int rc;

	if ((rc = tao_rd_u32(r, &count, "attested.quote.pcrSelect.count")))
		return rc;
	if (count > TAO_MAX_PCR_BANKS)
		return tao_fail(r->e, -EBADMSG, "%s: pcrSelect has %" PRIu32 " banks, at most %d",
				r->what, count, TAO_MAX_PCR_BANKS);
	for (uint32_t i = 0; i < count; i++) {
		struct tao_pcr_bank_sel *b = &sel->banks[i];
		uint8_t size, byte;

		if ((rc = tao_rd_u16(r, &b->alg, "pcrSelections.hash")) ||
		    (rc = tao_rd_u8(r, &size, "pcrSelections.sizeofSelect")))
			return rc;
		if (size > 4)
			return tao_fail(r->e, -EBADMSG,
					"%s: bank %" PRIu32 " has sizeofSelect %u, at most 4",
					r->what, i + 1, size);
		b->mask = 0;
		for (unsigned int j = 0; j < size; j++) {
			if ((rc = tao_rd_u8(r, &byte, "pcrSelections.pcrSelect")))
				return rc;
			b->mask |= (uint32_t)byte << (8 * j);
		}
		if (b->mask & ~(uint32_t)TAO_PCR_MASK_ALL)
			return tao_fail(r->e, -EBADMSG, "%s: bank 0x%04x selects PCRs beyond %d",
					r->what, b->alg, TAO_PCR_COUNT - 1);
		for (uint32_t j = 0; j < i; j++)
			if (sel->banks[j].alg == b->alg)
				return tao_fail(r->e, -EBADMSG, "%s: bank 0x%04x is selected twice",
						r->what, b->alg);
		a->quote.size_of_select[i] = size;
	}
	sel->n = count;
	return 0;
}

int tao_attest_parse(const uint8_t *buf, size_t len, struct tao_attest *out, char *err,
		     size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_rd r = { buf, len, 0, "TPMS_ATTEST", &e };
	struct tao_attest a;
	uint8_t safe;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(&a, 0, sizeof(a));
	if ((rc = tao_rd_u32(&r, &a.magic, "magic")))
		return rc;
	if (a.magic != TAO_TPM_GENERATED_VALUE)
		return tao_fail(&e, -EBADMSG,
				"TPMS_ATTEST has magic 0x%08" PRIx32 ", not TPM_GENERATED_VALUE "
				"(0x%08x)",
				a.magic, TAO_TPM_GENERATED_VALUE);
	if ((rc = tao_rd_u16(&r, &a.type, "type")))
		return rc;
	if (a.type != TAO_TPM_ST_ATTEST_QUOTE && a.type != TAO_TPM_ST_ATTEST_CERTIFY)
		return tao_fail(&e, -EOPNOTSUPP,
				"TPMS_ATTEST has type 0x%04x, not a quote (0x%04x) or a "
				"certification (0x%04x)",
				a.type, TAO_TPM_ST_ATTEST_QUOTE, TAO_TPM_ST_ATTEST_CERTIFY);
	if ((rc = tao_rd_tpm2b(&r, a.qualified_signer, sizeof(a.qualified_signer),
			       &a.qualified_signer_len, "qualifiedSigner")) ||
	    (rc = tao_rd_tpm2b(&r, a.extra_data, sizeof(a.extra_data), &a.extra_data_len,
			       "extraData")) ||
	    (rc = tao_rd_u64(&r, &a.clock_info.clock, "clockInfo.clock")) ||
	    (rc = tao_rd_u32(&r, &a.clock_info.reset_count, "clockInfo.resetCount")) ||
	    (rc = tao_rd_u32(&r, &a.clock_info.restart_count, "clockInfo.restartCount")) ||
	    (rc = tao_rd_u8(&r, &safe, "clockInfo.safe")))
		return rc;
	if (safe > 1)
		return tao_fail(&e, -EBADMSG, "TPMS_ATTEST: clockInfo.safe is %u, not YES or NO",
				safe);
	a.clock_info.safe = safe;
	if ((rc = tao_rd_u64(&r, &a.firmware_version, "firmwareVersion")))
		return rc;
	if (a.type == TAO_TPM_ST_ATTEST_QUOTE) {
		if ((rc = read_pcr_select(&r, &a)) ||
		    (rc = tao_rd_tpm2b(&r, a.quote.pcr_digest, sizeof(a.quote.pcr_digest),
				       &a.quote.pcr_digest_len, "attested.quote.pcrDigest")))
			return rc;
	} else {
		if ((rc = tao_rd_tpm2b(&r, a.certify.name, sizeof(a.certify.name),
				       &a.certify.name_len, "attested.certify.name")) ||
		    (rc = tao_rd_tpm2b(
			     &r, a.certify.qualified_name, sizeof(a.certify.qualified_name),
			     &a.certify.qualified_name_len, "attested.certify.qualifiedName")))
			return rc;
	}
	if ((rc = tao_rd_end(&r)))
		return rc;
	*out = a;
	return 0;
}

int tao_pcr_digest(uint16_t hash_alg, const struct tao_pcr_selection *sel,
		   const struct tao_pcr_values *values, uint8_t *out, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	TAO_CLEANUP(tao_freep) struct iovec *parts = calloc(TAO_MAX_PCR_VALUES, sizeof(*parts));
	size_t n = 0;
	char key[8];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!parts)
		return tao_fail(&e, -ENOMEM, "out of memory");
	for (size_t b = 0; b < sel->n; b++)
		for (unsigned int pcr = 0; pcr < TAO_PCR_COUNT; pcr++) {
			const struct tao_pcr_value *v;

			if (!(sel->banks[b].mask & (1u << pcr)))
				continue;
			v = tao_pcr_values_find(values, sel->banks[b].alg, pcr);
			if (!v)
				return tao_fail(&e, -ENOENT, "no value for PCR %u of bank %s", pcr,
						tao_json_bank_key(sel->banks[b].alg, key));
			parts[n].iov_base = (void *)v->digest;
			parts[n++].iov_len = v->size;
		}
	rc = tao_hash(hash_alg, parts, n, out);
	if (rc == -EOPNOTSUPP)
		return tao_fail(&e, rc, "hash algorithm 0x%04x is not supported", hash_alg);
	if (rc < 0)
		return tao_fail(&e, rc, "hashing failed");
	return rc;
}

const char *tao_sig_alg_name(uint16_t alg)
{
	switch (alg) {
	case TAO_TPM_ALG_HMAC:
		return "hmac";
	case TAO_TPM_ALG_RSASSA:
		return "rsassa";
	case TAO_TPM_ALG_RSAPSS:
		return "rsapss";
	case TAO_TPM_ALG_ECDSA:
		return "ecdsa";
	case TAO_TPM_ALG_ECDAA:
		return "ecdaa";
	case TAO_TPM_ALG_SM2:
		return "sm2";
	case TAO_TPM_ALG_ECSCHNORR:
		return "ecschnorr";
	case ALG_NULL:
		return "null";
	default:
		return NULL;
	}
}

int tao_signature_parse(const uint8_t *buf, size_t len, struct tao_signature *out, char *err,
			size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_rd r = { buf, len, 0, "TPMT_SIGNATURE", &e };
	struct tao_signature s;
	unsigned int size;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(&s, 0, sizeof(s));
	s.hash = ALG_NULL;
	if ((rc = tao_rd_u16(&r, &s.sig_alg, "sigAlg")))
		return rc;
	switch (s.sig_alg) {
	case ALG_NULL:
		break;
	case TAO_TPM_ALG_RSASSA:
	case TAO_TPM_ALG_RSAPSS:
		if ((rc = tao_rd_u16(&r, &s.hash, "signature.hash")) ||
		    (rc = tao_rd_tpm2b(&r, s.sig, sizeof(s.sig), &s.sig_len, "signature.sig")))
			return rc;
		break;
	case TAO_TPM_ALG_ECDSA:
	case TAO_TPM_ALG_ECDAA:
	case TAO_TPM_ALG_SM2:
	case TAO_TPM_ALG_ECSCHNORR:
		if ((rc = tao_rd_u16(&r, &s.hash, "signature.hash")) ||
		    (rc = tao_rd_tpm2b(&r, s.r, sizeof(s.r), &s.r_len, "signature.signatureR")) ||
		    (rc = tao_rd_tpm2b(&r, s.s, sizeof(s.s), &s.s_len, "signature.signatureS")))
			return rc;
		break;
	case TAO_TPM_ALG_HMAC:
		if ((rc = tao_rd_u16(&r, &s.hash, "signature.hashAlg")))
			return rc;
		size = tao_alg_digest_size(s.hash);
		if (!size)
			return tao_fail(&e, -EBADMSG, "TPMT_SIGNATURE: unknown HMAC hash 0x%04x",
					s.hash);
		if ((rc = tao_rd_need(&r, size, "signature.digest")))
			return rc;
		memcpy(s.sig, buf + r.off, size);
		r.off += size;
		s.sig_len = size;
		break;
	default:
		return tao_fail(&e, -EOPNOTSUPP, "TPMT_SIGNATURE has unknown sigAlg 0x%04x",
				s.sig_alg);
	}
	if ((rc = tao_rd_end(&r)))
		return rc;
	*out = s;
	return 0;
}

static struct json_object *select_json(const struct tao_pcr_selection *sel)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	for (size_t b = 0; b < sel->n; b++) {
		struct json_object *pcrs = json_object_new_array();
		char key[8];

		if (!tao_json_put(obj, tao_json_bank_key(sel->banks[b].alg, key), pcrs))
			return NULL;
		for (int pcr = 0; pcr < 32; pcr++)
			if ((sel->banks[b].mask & (1u << pcr)) &&
			    !tao_json_append(pcrs, json_object_new_int(pcr)))
				return NULL;
	}
	return tao_steal_ptr(&obj);
}

struct json_object *tao_attest_to_json(const struct tao_attest *a)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *obj = json_object_new_object();
	bool quote = a->type == TAO_TPM_ST_ATTEST_QUOTE;
	char fw[sizeof("0x") + 16];

	snprintf(fw, sizeof(fw), "0x%016" PRIx64, a->firmware_version);
	if (!obj ||
	    !tao_json_put(obj, "type", json_object_new_string(quote ? "quote" : "certify")) ||
	    !tao_json_put(obj, "qualified_signer",
			  tao_json_hex_bytes(a->qualified_signer, a->qualified_signer_len)) ||
	    !tao_json_put(obj, "extra_data",
			  tao_json_hex_bytes(a->extra_data, a->extra_data_len)) ||
	    !tao_json_put(obj, "clock", json_object_new_uint64(a->clock_info.clock)) ||
	    !tao_json_put(obj, "reset_count", json_object_new_int64(a->clock_info.reset_count)) ||
	    !tao_json_put(obj, "restart_count",
			  json_object_new_int64(a->clock_info.restart_count)) ||
	    !tao_json_put(obj, "safe", json_object_new_boolean(a->clock_info.safe)) ||
	    !tao_json_put(obj, "firmware_version", json_object_new_string(fw)))
		return NULL;
	if (quote) {
		if (!tao_json_put(obj, "pcr_select", select_json(&a->quote.pcr_select)) ||
		    !tao_json_put(obj, "pcr_digest",
				  tao_json_hex_bytes(a->quote.pcr_digest, a->quote.pcr_digest_len)))
			return NULL;
	} else if (!tao_json_put(obj, "name",
				 tao_json_hex_bytes(a->certify.name, a->certify.name_len)) ||
		   !tao_json_put(obj, "qualified_name",
				 tao_json_hex_bytes(a->certify.qualified_name,
						    a->certify.qualified_name_len))) {
		return NULL;
	}
	return tao_steal_ptr(&obj);
}
