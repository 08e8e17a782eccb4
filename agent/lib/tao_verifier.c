// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The verifier: one small function per named check (docs/protocol.md, "Verification"), each
 * recording pass / warn / fail / skip with a precise reason, and the EAR-like status they add up
 * to.
 */
#include "tao_verifier.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "tao_attest.h"
#include "tao_crypto.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_log.h"
#include "tao_names.h"
#include "tao_replay.h"
#include "tao_tpm_public.h"
#include "tao_verify.h"

/* TPMA_OBJECT bits the TLS key check looks at. */
#define TPMA_FIXED_TPM		   0x00000002u
#define TPMA_FIXED_PARENT	   0x00000010u
#define TPMA_SENSITIVE_DATA_ORIGIN 0x00000020u
#define TPMA_RESTRICTED		   0x00010000u
#define TPMA_SIGN		   0x00040000u

#define CACHE_SLOTS 64
#define SERIAL_MAX  64

static const char *const check_names[TAO_CHECK_COUNT] = {
	[TAO_CHECK_IAK_CHAIN] = "iak_chain",
	[TAO_CHECK_IDEVID_CHAIN] = "idevid_chain",
	[TAO_CHECK_SAME_DEVICE] = "same_device",
	[TAO_CHECK_CERTIFY] = "certify",
	[TAO_CHECK_TLS_KEY] = "tls_key",
	[TAO_CHECK_QUOTE] = "quote",
	[TAO_CHECK_CLOCK] = "clock",
	[TAO_CHECK_LOG_REPLAY] = "log_replay",
	[TAO_CHECK_LOG_ORIGIN] = "log_origin",
	[TAO_CHECK_POLICY_PCRS] = "policy_pcrs",
	[TAO_CHECK_POLICY_EVENTS] = "policy_events",
	[TAO_CHECK_SESSION] = "session",
	[TAO_CHECK_COUNTERS] = "counters",
};

const char *tao_check_name(enum tao_check_id id)
{
	return (unsigned int)id < TAO_CHECK_COUNT ? check_names[id] : NULL;
}

const char *tao_status_name(enum tao_status s)
{
	static const char *const names[] = { "none", "affirming", "warning", "contraindicated" };

	return (unsigned int)s < 4 ? names[s] : NULL;
}

const char *tao_check_result_name(enum tao_check_result r)
{
	static const char *const names[] = { "skip", "pass", "warn", "fail" };

	return (unsigned int)r < 4 ? names[r] : NULL;
}

/* What the chains give the other checks: the leaf keys and the devices they name. */
struct identity {
	EVP_PKEY *iak, *idevid; /* references held */
	bool iak_serial_ok, idevid_serial_ok;
	char iak_serial[SERIAL_MAX + 1], idevid_serial[SERIAL_MAX + 1];
	char serial_err[TAO_ERRMSG_MAX];
	/* A TPMT_PUBLIC already found to be the IDevID certificate's key (cached identities). */
	size_t tls_tpmt_len;
	uint8_t tls_tpmt[TAO_TPM2B_PUBLIC_MAX];
};

struct cache_slot {
	bool used;
	uint8_t key[32];
	time_t not_before, not_after; /* the intersection of every certificate's validity */
	struct identity id;
};

struct tao_chain_cache {
	struct cache_slot slot[CACHE_SLOTS];
};

struct run {
	const struct tao_evidence *ev;
	const uint8_t *binder;
	const struct tao_verify_opts *opts;
	struct tao_verdict *v;
	time_t at;
	struct cache_slot *slot; /* the cached identity of these chains, if any */
	bool internal;		 /* OpenSSL ran out of memory: the evidence was not evaluated */
};

__attribute__((format(printf, 4, 5))) static void
set(struct run *r, enum tao_check_id id, enum tao_check_result res, const char *fmt, ...)
{
	va_list ap;

	r->v->checks[id].result = res;
	va_start(ap, fmt);
	vsnprintf(r->v->checks[id].reason, sizeof(r->v->checks[id].reason), fmt, ap);
	va_end(ap);
}

static void identity_clear(struct identity *id)
{
	EVP_PKEY_free(id->iak);
	EVP_PKEY_free(id->idevid);
	memset(id, 0, sizeof(*id));
}

struct tao_chain_cache *tao_chain_cache_new(void)
{
	return calloc(1, sizeof(struct tao_chain_cache));
}

void tao_chain_cache_free(struct tao_chain_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		identity_clear(&c->slot[i].id);
	free(c);
}

int tao_trust_load(const char *cafile, X509_STORE **out, char *err, size_t errlen)
{
	X509_STORE *s = X509_STORE_new();

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (X509_STORE_load_file(s, cafile) != 1) {
		X509_STORE_free(s);
		snprintf(err, errlen, "%s: no PEM certificates could be loaded", cafile);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

/* Identity: certificate chains and the device serial number */

static X509 *cert_parse(const struct tao_blob *b)
{
	const unsigned char *p = b->bytes;

	return d2i_X509(NULL, &p, (long)b->len);
}

/* The subject's one serialNumber attribute as text. Returns 0 or -EBADMSG with a reason. */
static int subject_serial(X509 *x, const char *what, char *out, char *err, size_t errlen)
{
	const X509_NAME *name = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
	const ASN1_STRING *s;
	int len;

	if (i < 0) {
		snprintf(err, errlen, "the %s certificate's subject has no serialNumber", what);
		return -EBADMSG;
	}
	if (X509_NAME_get_index_by_NID(name, NID_serialNumber, i) >= 0) {
		snprintf(err, errlen, "the %s certificate's subject has two serialNumbers", what);
		return -EBADMSG;
	}
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	len = ASN1_STRING_length(s);
	if (len < 1 || len > SERIAL_MAX || memchr(ASN1_STRING_get0_data(s), '\0', (size_t)len)) {
		snprintf(err, errlen, "the %s certificate's serialNumber is empty or too long",
			 what);
		return -EBADMSG;
	}
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)len);
	out[len] = '\0';
	return 0;
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/*
 * Verify one chain (leaf first, the rest untrusted intermediates) to the trust store at r->at.
 * Narrows [*nb, *na] to the validity of every certificate of the verified chain.
 */
static void verify_chain(struct run *r, enum tao_check_id id, const char *what,
			 const struct tao_blob *certs, size_t n, X509 **leaf, time_t *nb,
			 time_t *na)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *x = n ? cert_parse(&certs[0]) : NULL;
	bool ok = untrusted && ctx;

	*leaf = x;
	if (!x) {
		set(r, id, TAO_RESULT_FAIL, "the %s certificate does not parse", what);
		goto out;
	}
	for (size_t i = 1; ok && i < n; i++) {
		X509 *c = cert_parse(&certs[i]);

		if (!c || !sk_X509_push(untrusted, c)) {
			X509_free(c);
			ok = false;
		}
	}
	/* The TLS leaf may have CAs of its own (the operator CA of LDevIDs); the IAK never. */
	if (!ok || X509_STORE_CTX_init(ctx,
				       id == TAO_CHECK_IDEVID_CHAIN && r->opts->tls_trust
					       ? r->opts->tls_trust
					       : r->opts->trust,
				       x, untrusted) != 1) {
		r->internal = true;
		set(r, id, TAO_RESULT_FAIL, "OpenSSL could not set up the verification");
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, r->at);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);

		set(r, id, TAO_RESULT_FAIL,
		    "the %s certificate chain does not verify: %s (depth %d)", what,
		    X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	{
		STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

		for (int i = 0; i < sk_X509_num(chain); i++) {
			time_t b = asn1_time(X509_get0_notBefore(sk_X509_value(chain, i)));
			time_t a = asn1_time(X509_get0_notAfter(sk_X509_value(chain, i)));

			if (b > *nb)
				*nb = b;
			if (a < *na)
				*na = a;
		}
		set(r, id, TAO_RESULT_PASS, "%d certificates to a trust anchor, valid at the time",
		    sk_X509_num(chain));
	}
out:
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_CTX_free(ctx);
}

/* The cache key: SHA-256 over both chains, lengths included. */
static void chains_key(const struct tao_evidence *ev, uint8_t key[32])
{
	struct iovec iov[2 + 4 * TAO_EVIDENCE_MAX_CERTS];
	uint32_t lens[2 * TAO_EVIDENCE_MAX_CERTS],
		counts[2] = { (uint32_t)ev->n_iak_certs, (uint32_t)ev->n_idevid_certs };
	size_t n = 0, k = 0;

	iov[n++] = (struct iovec){ counts, sizeof(counts) };
	for (int c = 0; c < 2; c++) {
		const struct tao_blob *certs = c ? ev->idevid_certs : ev->iak_certs;
		size_t nc = c ? ev->n_idevid_certs : ev->n_iak_certs;

		for (size_t i = 0; i < nc && i < TAO_EVIDENCE_MAX_CERTS; i++) {
			lens[k] = (uint32_t)certs[i].len;
			iov[n++] = (struct iovec){ &lens[k++], 4 };
			iov[n++] = (struct iovec){ certs[i].bytes, certs[i].len };
		}
	}
	if (tao_hash(0x000b /* sha256 */, iov, n, key) != 32)
		memset(key, 0, 32);
}

static void check_identity(struct run *r, struct identity *id)
{
	const struct tao_evidence *ev = r->ev;
	struct tao_chain_cache *cache = r->opts->cache;
	struct cache_slot *slot = NULL;
	time_t nb = 0, na = (time_t)INT64_MAX;
	X509 *iak = NULL, *idevid = NULL;
	uint8_t key[32];

	if (cache) {
		chains_key(ev, key);
		slot = &cache->slot[key[0] % CACHE_SLOTS];
		if (slot->used && memcmp(slot->key, key, 32) == 0 && r->at >= slot->not_before &&
		    r->at <= slot->not_after) {
			*id = slot->id;
			r->slot = slot;
			EVP_PKEY_up_ref(id->iak);
			EVP_PKEY_up_ref(id->idevid);
			set(r, TAO_CHECK_IAK_CHAIN, TAO_RESULT_PASS,
			    "verified before (cached), valid at the time");
			set(r, TAO_CHECK_IDEVID_CHAIN, TAO_RESULT_PASS,
			    "verified before (cached), valid at the time");
			return;
		}
	}
	verify_chain(r, TAO_CHECK_IAK_CHAIN, "IAK", ev->iak_certs, ev->n_iak_certs, &iak, &nb, &na);
	verify_chain(r, TAO_CHECK_IDEVID_CHAIN, "IDevID", ev->idevid_certs, ev->n_idevid_certs,
		     &idevid, &nb, &na);
	if (iak) {
		id->iak = X509_get_pubkey(iak);
		id->iak_serial_ok = subject_serial(iak, "IAK", id->iak_serial, id->serial_err,
						   sizeof(id->serial_err)) == 0;
	}
	if (idevid) {
		id->idevid = X509_get_pubkey(idevid);
		id->idevid_serial_ok = subject_serial(idevid, "IDevID", id->idevid_serial,
						      id->serial_err, sizeof(id->serial_err)) == 0;
	}
	X509_free(iak);
	X509_free(idevid);
	if (slot && id->iak && id->idevid &&
	    r->v->checks[TAO_CHECK_IAK_CHAIN].result == TAO_RESULT_PASS &&
	    r->v->checks[TAO_CHECK_IDEVID_CHAIN].result == TAO_RESULT_PASS) {
		identity_clear(&slot->id);
		slot->used = true;
		memcpy(slot->key, key, 32);
		slot->not_before = nb;
		slot->not_after = na;
		slot->id = *id;
		r->slot = slot;
		EVP_PKEY_up_ref(id->iak);
		EVP_PKEY_up_ref(id->idevid);
	}
}

static void check_same_device(struct run *r, const struct identity *id)
{
	if (!id->iak_serial_ok || !id->idevid_serial_ok) {
		set(r, TAO_CHECK_SAME_DEVICE, TAO_RESULT_FAIL, "%s",
		    id->serial_err[0] ? id->serial_err : "a leaf certificate does not parse");
		return;
	}
	if (strcmp(id->iak_serial, id->idevid_serial) != 0) {
		set(r, TAO_CHECK_SAME_DEVICE, TAO_RESULT_FAIL,
		    "the IAK names device \"%s\", the IDevID device \"%s\"", id->iak_serial,
		    id->idevid_serial);
		return;
	}
	snprintf(r->v->device_serial, sizeof(r->v->device_serial), "%s", id->idevid_serial);
	set(r, TAO_CHECK_SAME_DEVICE, TAO_RESULT_PASS, "both name device \"%s\"", id->iak_serial);
}

/* TPM attestations: the parts certify and quote share */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Parse and authenticate one TPMS_ATTEST of type want, signed by the IAK over the binder. The
 * order makes the reason precise: magic, type, structure, signature, extraData. Returns 0, -1, or
 * -2 when only extraData is wrong (a TPM's authentic statement made for another session).
 */
static int attestation(struct run *r, enum tao_check_id id, const char *what,
		       const struct tao_blob *attest, const struct tao_blob *sig, uint16_t want,
		       EVP_PKEY *iak, struct tao_attest *a, struct tao_signature *s)
{
	char err[TAO_ERRMSG_MAX];
	int rc;

	if (attest->len < 6) {
		set(r, id, TAO_RESULT_FAIL, "%s: TPMS_ATTEST of %zu bytes is truncated", what,
		    attest->len);
		return -1;
	}
	if (be32(attest->bytes) != TAO_TPM_GENERATED_VALUE) {
		set(r, id, TAO_RESULT_FAIL, "%s: magic 0x%08x is not TPM_GENERATED_VALUE", what,
		    be32(attest->bytes));
		return -1;
	}
	if ((attest->bytes[4] << 8 | attest->bytes[5]) != want) {
		set(r, id, TAO_RESULT_FAIL, "%s: type 0x%04x is not %s", what,
		    attest->bytes[4] << 8 | attest->bytes[5],
		    want == TAO_TPM_ST_ATTEST_QUOTE ? "TPM_ST_ATTEST_QUOTE"
						    : "TPM_ST_ATTEST_CERTIFY");
		return -1;
	}
	if (tao_attest_parse(attest->bytes, attest->len, a, err, sizeof(err)) < 0) {
		set(r, id, TAO_RESULT_FAIL, "%s: malformed TPMS_ATTEST: %s", what, err);
		return -1;
	}
	if (tao_signature_parse(sig->bytes, sig->len, s, err, sizeof(err)) < 0) {
		set(r, id, TAO_RESULT_FAIL, "%s: malformed TPMT_SIGNATURE: %s", what, err);
		return -1;
	}
	if (!iak) {
		set(r, id, TAO_RESULT_SKIP, "%s: no IAK key (its certificate does not parse)",
		    what);
		return -1;
	}
	rc = tao_signature_verify_pkey(iak, s, attest->bytes, attest->len, err, sizeof(err));
	if (rc == -ENOMEM)
		r->internal = true;
	if (rc < 0) {
		set(r, id, TAO_RESULT_FAIL, "%s: not signed by the IAK: %s", what, err);
		return -1;
	}
	if (a->extra_data_len != 32 || memcmp(a->extra_data, r->binder, 32) != 0) {
		set(r, id, TAO_RESULT_FAIL, "%s: extraData is not this session's binder", what);
		return -2; /* authentic, for another session */
	}
	return 0;
}

static void check_certify(struct run *r, const struct identity *id, struct tao_tpm_public *pub,
			  bool *pub_ok)
{
	const struct tao_evidence *ev = r->ev;
	uint8_t name[TAO_TPM_NAME_MAX];
	struct tao_signature s;
	struct tao_attest a;
	char err[TAO_ERRMSG_MAX];
	int n;

	*pub_ok = tao_tpmt_public_parse(ev->tls_key_public.bytes, ev->tls_key_public.len, pub, err,
					sizeof(err)) == 0;
	if (!*pub_ok) {
		set(r, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL,
		    "malformed TPMT_PUBLIC of the TLS key: %s", err);
		set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_SKIP, "no TLS key public area");
		return;
	}
	if (attestation(r, TAO_CHECK_CERTIFY, "certify", &ev->certify_attest,
			&ev->certify_signature, TAO_TPM_ST_ATTEST_CERTIFY, id->iak, &a, &s) < 0)
		return;
	n = tao_tpm_public_name(pub, name);
	if (n < 0) {
		set(r, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL,
		    "the TLS key's nameAlg 0x%04x has no hash here", pub->name_alg);
		return;
	}
	if (a.certify.name_len != (size_t)n || memcmp(a.certify.name, name, (size_t)n) != 0) {
		set(r, TAO_CHECK_CERTIFY, TAO_RESULT_FAIL,
		    "the certified Name is not the Name of the given TPMT_PUBLIC");
		return;
	}
	set(r, TAO_CHECK_CERTIFY, TAO_RESULT_PASS,
	    "signed by the IAK, bound to the binder, certifies the given key");
}

static void check_tls_key(struct run *r, const struct identity *id,
			  const struct tao_tpm_public *pub)
{
	static const struct {
		uint32_t bit;
		bool want;
		const char *name;
	} attrs[] = {
		{ TPMA_FIXED_TPM, true, "fixedTPM is clear: the key may be duplicated" },
		{ TPMA_FIXED_PARENT, true, "fixedParent is clear: the key may be duplicated" },
		{ TPMA_SENSITIVE_DATA_ORIGIN, true,
		  "sensitiveDataOrigin is clear: the key was imported, not made in the TPM" },
		{ TPMA_RESTRICTED, false, "restricted is set: not a TLS key" },
		{ TPMA_SIGN, true, "sign is clear: the key cannot sign" },
	};
	char err[TAO_ERRMSG_MAX];
	EVP_PKEY *pkey = NULL;
	int rc;

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!!(pub->attributes & attrs[i].bit) != attrs[i].want) {
			set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL, "%s", attrs[i].name);
			return;
		}
	if (!id->idevid) {
		set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_SKIP, "no IDevID key");
		return;
	}
	if (id->tls_tpmt_len && id->tls_tpmt_len == pub->tpmt_len &&
	    memcmp(id->tls_tpmt, pub->tpmt, pub->tpmt_len) == 0)
		goto same;
	rc = tao_tpm_public_to_pkey(pub, &pkey, err, sizeof(err));
	if (rc == -ENOMEM)
		r->internal = true;
	if (rc < 0) {
		set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL, "the TLS key is unusable: %s", err);
		return;
	}
	rc = EVP_PKEY_eq(pkey, id->idevid);
	EVP_PKEY_free(pkey);
	if (rc != 1) {
		set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_FAIL,
		    "the certified key is not the IDevID certificate's key");
		return;
	}
	if (r->slot && pub->tpmt_len <= sizeof(r->slot->id.tls_tpmt)) {
		memcpy(r->slot->id.tls_tpmt, pub->tpmt, pub->tpmt_len);
		r->slot->id.tls_tpmt_len = pub->tpmt_len;
	}
same:
	set(r, TAO_CHECK_TLS_KEY, TAO_RESULT_PASS,
	    "the IDevID certificate's key; fixedTPM, fixedParent, sensitiveDataOrigin, not "
	    "restricted");
}

static void check_quote(struct run *r, const struct identity *id)
{
	const struct tao_evidence *ev = r->ev;
	uint8_t digest[TAO_MAX_DIGEST_SIZE];
	char err[TAO_ERRMSG_MAX];
	struct tao_signature s;
	struct tao_attest a;
	int n;

	n = attestation(r, TAO_CHECK_QUOTE, "quote", &ev->quote_attest, &ev->quote_signature,
			TAO_TPM_ST_ATTEST_QUOTE, id->iak, &a, &s);
	if (n == 0 || n == -2) {
		/* Authentic counters, even of a quote made for another session (a replay). */
		r->v->has_counters = true;
		r->v->counters.reset_count = a.clock_info.reset_count;
		r->v->counters.restart_count = a.clock_info.restart_count;
		r->v->counters.clock = a.clock_info.clock;
	}
	if (n < 0) {
		set(r, TAO_CHECK_CLOCK, TAO_RESULT_SKIP, "no authentic quote");
		return;
	}
	if (a.clock_info.safe)
		set(r, TAO_CHECK_CLOCK, TAO_RESULT_PASS, "clockInfo.safe");
	else
		set(r, TAO_CHECK_CLOCK, TAO_RESULT_WARN,
		    "clockInfo.safe is clear: the TPM's clock may have been set back since it was "
		    "last reported");
	if (tao_pcr_values_check(&ev->pcrs, &a.quote.pcr_select, err, sizeof(err)) < 0) {
		set(r, TAO_CHECK_QUOTE, TAO_RESULT_FAIL,
		    "the PCR values are not the quote's selection: %s", err);
		return;
	}
	n = tao_pcr_digest(s.hash, &a.quote.pcr_select, &ev->pcrs, digest, err, sizeof(err));
	if (n < 0) {
		set(r, TAO_CHECK_QUOTE, TAO_RESULT_FAIL, "pcrDigest: %s", err);
		return;
	}
	if (a.quote.pcr_digest_len != (size_t)n || memcmp(a.quote.pcr_digest, digest, (size_t)n)) {
		set(r, TAO_CHECK_QUOTE, TAO_RESULT_FAIL,
		    "pcrDigest is not the digest of the given PCR values");
		return;
	}
	set(r, TAO_CHECK_QUOTE, TAO_RESULT_PASS,
	    "signed by the IAK, bound to the binder, over the given PCR values");
}

static void check_log(struct run *r)
{
	const struct tao_evidence *ev = r->ev;
	struct tao_log_entry *entries = NULL;
	struct tao_digest_list out;
	char err[TAO_ERRMSG_MAX];
	size_t banks = 0;
	bool zero = true;

	for (size_t b = 0; b < ev->log_pcr_at_load.n; b++)
		for (size_t i = 0; i < ev->log_pcr_at_load.d[b].size; i++)
			zero &= ev->log_pcr_at_load.d[b].bytes[i] == 0;
	if (zero)
		set(r, TAO_CHECK_LOG_ORIGIN, TAO_RESULT_PASS, "the log starts from a reset PCR %u",
		    ev->log_pcr);
	else
		set(r, TAO_CHECK_LOG_ORIGIN, TAO_RESULT_WARN,
		    "the log starts from a non-zero PCR %u (the module was reloaded): what was "
		    "measured before is not in it",
		    ev->log_pcr);

	if (ev->n_entries) {
		entries = calloc(ev->n_entries, sizeof(*entries));
		if (!entries) {
			r->internal = true;
			set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL, "out of memory");
			return;
		}
	}
	for (size_t i = 0; i < ev->n_entries; i++) {
		const struct tao_evidence_entry *en = &ev->entries[i];

		entries[i] = (struct tao_log_entry){
			.seq = en->seq,
			.pcr = ev->log_pcr,
			.type = en->type,
			.name = en->name,
			.name_len = strlen(en->name),
			.digests = en->digests,
			.has_data = en->has_data,
			.data = en->data.bytes,
			.data_len = en->data.len,
		};
	}
	if (tao_log_replay(&ev->log_pcr_at_load, entries, ev->n_entries, &out, err, sizeof(err)) <
	    0) {
		free(entries);
		set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL, "the log does not replay: %s", err);
		return;
	}
	free(entries);
	for (size_t i = 0; i < ev->pcrs.n; i++) {
		const struct tao_pcr_value *q = &ev->pcrs.v[i];
		const struct tao_digest *d;
		const char *bank;
		char buf[8];

		if (q->index != ev->log_pcr)
			continue;
		bank = tao_json_bank_key(q->alg, buf);
		d = tao_digest_list_find(&out, q->alg);
		if (!d) {
			set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
			    "the log has no %s bank, which the quote covers", bank);
			return;
		}
		if (d->size != q->size || memcmp(d->bytes, q->digest, q->size) != 0) {
			set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
			    "replaying %zu entries does not give the quoted %s PCR %u",
			    ev->n_entries, bank, ev->log_pcr);
			return;
		}
		banks++;
	}
	if (!banks) {
		set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_FAIL,
		    "the quote does not cover the log PCR %u", ev->log_pcr);
		return;
	}
	set(r, TAO_CHECK_LOG_REPLAY, TAO_RESULT_PASS,
	    "%zu entries replay to the quoted PCR %u in %zu bank%s", ev->n_entries, ev->log_pcr,
	    banks, banks == 1 ? "" : "s");
}

bool tao_tpm_counters_backwards(const struct tao_tpm_counters *a, const struct tao_tpm_counters *b)
{
	if (b->reset_count != a->reset_count)
		return b->reset_count < a->reset_count;
	if (b->restart_count != a->restart_count)
		return b->restart_count < a->restart_count;
	return b->clock <= a->clock;
}

static void check_session(struct run *r)
{
	const struct tao_evidence *ev = r->ev;
	const struct tao_blob *leaf = ev->n_idevid_certs ? &ev->idevid_certs[0] : NULL;

	if (!r->opts->peer_cert_der) {
		set(r, TAO_CHECK_SESSION, TAO_RESULT_SKIP, "no TLS session (offline verification)");
		return;
	}
	if (!leaf || leaf->len != r->opts->peer_cert_len ||
	    memcmp(leaf->bytes, r->opts->peer_cert_der, leaf->len)) {
		set(r, TAO_CHECK_SESSION, TAO_RESULT_FAIL,
		    "the evidence's TLS certificate is not this connection's client certificate");
		return;
	}
	set(r, TAO_CHECK_SESSION, TAO_RESULT_PASS,
	    "the evidence's TLS certificate is this connection's client certificate");
}

static void check_counters(struct run *r)
{
	const struct tao_tpm_counters *p = r->opts->prev_counters, *c = &r->v->counters;

	if (!p) {
		set(r, TAO_CHECK_COUNTERS, TAO_RESULT_SKIP, "no earlier attestation of the device");
		return;
	}
	if (!r->v->has_counters) {
		set(r, TAO_CHECK_COUNTERS, TAO_RESULT_SKIP, "no authentic quote");
		return;
	}
	if (tao_tpm_counters_backwards(p, c)) {
		set(r, TAO_CHECK_COUNTERS, TAO_RESULT_FAIL,
		    "the TPM's counters go back (reset %" PRIu32 ", restart %" PRIu32
		    ", clock %" PRIu64 " after reset %" PRIu32 ", restart %" PRIu32
		    ", clock %" PRIu64 "): a replayed or stale quote",
		    c->reset_count, c->restart_count, c->clock, p->reset_count, p->restart_count,
		    p->clock);
		return;
	}
	set(r, TAO_CHECK_COUNTERS, TAO_RESULT_PASS,
	    "reset %" PRIu32 ", restart %" PRIu32 ", clock %" PRIu64 " after the last attestation",
	    c->reset_count, c->restart_count, c->clock);
}

static void check_policy(struct run *r)
{
	const struct tao_policy *p = r->opts->policy;
	const struct tao_evidence *ev = r->ev;
	const char *bank;
	char buf[8];

	if (!p) {
		set(r, TAO_CHECK_POLICY_PCRS, TAO_RESULT_SKIP, "no policy");
		set(r, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_SKIP, "no policy");
		return;
	}
	set(r, TAO_CHECK_POLICY_PCRS, TAO_RESULT_PASS, "%zu reference values match", p->pcrs.n);
	for (size_t i = 0; i < p->pcrs.n; i++) {
		const struct tao_pcr_value *want = &p->pcrs.v[i];
		const struct tao_pcr_value *have =
			tao_pcr_values_find(&ev->pcrs, want->alg, want->index);

		bank = tao_json_bank_key(want->alg, buf);
		if (!have) {
			set(r, TAO_CHECK_POLICY_PCRS, TAO_RESULT_FAIL,
			    "the policy has %s PCR %u, which the quote does not cover", bank,
			    want->index);
			break;
		}
		if (have->size != want->size || memcmp(have->digest, want->digest, want->size)) {
			set(r, TAO_CHECK_POLICY_PCRS, TAO_RESULT_FAIL,
			    "%s PCR %u differs from the reference value", bank, want->index);
			break;
		}
	}
	set(r, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_PASS, "all %zu log entries are allowed",
	    ev->n_entries);
	for (size_t i = 0; i < ev->n_entries; i++) {
		const struct tao_evidence_entry *en = &ev->entries[i];
		const struct tao_digest *d;
		char hex[2 * TAO_POLICY_DIGEST_SIZE + 1];

		switch (tao_policy_match_entry(p, en)) {
		case TAO_POLICY_MATCH:
			continue;
		case TAO_POLICY_UNKNOWN:
			set(r, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
			    "log entry %" PRIu32 " (type 0x%08x, name \"%.64s\") is not allowed",
			    en->seq, en->type, en->name);
			break;
		case TAO_POLICY_NO_DIGEST:
			set(r, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
			    "log entry %" PRIu32 " (type 0x%08x, name \"%.64s\") has no sha256 "
			    "data digest, which the policy requires",
			    en->seq, en->type, en->name);
			break;
		case TAO_POLICY_DIGEST_OTHER:
			d = tao_digest_list_find(&en->digests, TAO_POLICY_DIGEST_ALG);
			set(r, TAO_CHECK_POLICY_EVENTS, TAO_RESULT_FAIL,
			    "log entry %" PRIu32 " (type 0x%08x, name \"%.64s\"): its sha256 data "
			    "digest %s is not an allowed one",
			    en->seq, en->type, en->name,
			    tao_hex_encode(d->bytes, TAO_POLICY_DIGEST_SIZE, hex));
			break;
		}
		break;
	}
}

int tao_verify_evidence(const struct tao_evidence *ev, const uint8_t binder[32],
			const struct tao_verify_opts *opts, struct tao_verdict *out)
{
	struct run r = { ev, binder, opts, out, 0, NULL, false };
	struct identity id = { 0 };
	struct tao_tpm_public *pub;
	bool pub_ok = false;

	memset(out, 0, sizeof(*out));
	if (!ev || !binder || !opts || !opts->trust) {
		snprintf(out->reason, sizeof(out->reason), "no evidence, binder or trust anchors");
		return -EINVAL;
	}
	pub = malloc(sizeof(*pub)); /* a TPMT_PUBLIC is large for the stack */
	if (!pub) {
		snprintf(out->reason, sizeof(out->reason), "out of memory");
		return 0;
	}
	r.at = opts->at ? opts->at : time(NULL);
	check_identity(&r, &id);
	check_same_device(&r, &id);
	check_certify(&r, &id, pub, &pub_ok);
	if (pub_ok)
		check_tls_key(&r, &id, pub);
	check_quote(&r, &id);
	check_log(&r);
	check_policy(&r);
	check_session(&r);
	check_counters(&r);
	identity_clear(&id);
	free(pub);

	if (r.internal) {
		out->status = TAO_STATUS_NONE;
		snprintf(out->reason, sizeof(out->reason),
			 "the evidence could not be evaluated (out of memory)");
		return 0;
	}
	out->status = TAO_STATUS_AFFIRMING;
	for (int want = TAO_RESULT_FAIL; want >= TAO_RESULT_WARN; want--)
		for (int i = 0; i < TAO_CHECK_COUNT; i++)
			if ((int)out->checks[i].result == want &&
			    out->status == TAO_STATUS_AFFIRMING) {
				out->status = want == TAO_RESULT_FAIL ? TAO_STATUS_CONTRAINDICATED
								      : TAO_STATUS_WARNING;
				/* The check's own reason, cut to leave room for its name. */
				snprintf(out->reason, sizeof(out->reason), "%s: %.200s",
					 check_names[i], out->checks[i].reason);
			}
	if (out->status == TAO_STATUS_AFFIRMING)
		snprintf(out->reason, sizeof(out->reason), "every check passed");
	return 0;
}

struct json_object *tao_verdict_to_json(const struct tao_verdict *v)
{
	struct json_object *o = json_object_new_object(), *checks;

	if (!o)
		return NULL;
	if (!tao_json_put(o, "status", json_object_new_string(tao_status_name(v->status))) ||
	    !tao_json_put(o, "reason", json_object_new_string(v->reason)) ||
	    (v->device_serial[0] &&
	     !tao_json_put(o, "device", json_object_new_string(v->device_serial))) ||
	    !tao_json_put(o, "checks", checks = json_object_new_object()))
		goto fail;
	for (int i = 0; i < TAO_CHECK_COUNT; i++) {
		struct json_object *c = json_object_new_object();

		if (!tao_json_put(checks, check_names[i], c) ||
		    !tao_json_put(
			    c, "result",
			    json_object_new_string(tao_check_result_name(v->checks[i].result))) ||
		    !tao_json_put(c, "reason", json_object_new_string(v->checks[i].reason)))
			goto fail;
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}
