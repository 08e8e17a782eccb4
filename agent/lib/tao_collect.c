/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The evidence for one binder: the module's quote and log snapshot, the IAK's certification of
 * the TLS key and the certificates of the state directory (docs/protocol.md section 2).
 */
#include "tao_collect.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <linux/tao.h>

#include "tao_cleanup.h"
#include "tao_devid.h"
#include "tao_evidence.h"
#include "tao_info.h"
#include "tao_keys.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_quote.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_tpm_rc.h"
#include "tao_util.h"

/* The module's error text, then the errno's: "DETAIL: ERROR" or "ERROR". */
static int nl_fail(struct tao_nl *nl, int rc, char *err, size_t errlen, const char *what)
{
	return tao_errf(err, errlen, rc, "%s: %s%s%s", what, tao_nl_last_error(nl),
			*tao_nl_last_error(nl) ? ": " : "", strerror(-rc));
}

struct bound_ctx {
	uint32_t role;
	bool found;
	struct tao_key_entry k;
};

static int bound_cb(const struct tao_key_entry *key, void *arg)
{
	struct bound_ctx *b = arg;

	if (!b->found && key->has_role && key->role == b->role) {
		b->found = true;
		b->k = *key;
	}
	return 0;
}

/* The log entries the quote covers, copied into the evidence as they stream in. */
struct log_snap {
	struct tao_evidence *ev;
	uint32_t limit, pcr;
	int rc;
	char err[256];
};

#define SNAP_DONE   1
#define SNAP_FAILED 2

static int snap_entry(const struct tao_log_entry *entry, void *arg)
{
	struct log_snap *s = arg;
	struct tao_evidence_entry *d;

	if (s->ev->n_entries == s->limit)
		return SNAP_DONE;
	if (entry->pcr != s->pcr) {
		snprintf(s->err, sizeof(s->err),
			 "log entry %" PRIu32 " extends PCR %" PRIu32 ", not the log PCR %" PRIu32,
			 entry->seq, entry->pcr, s->pcr);
		s->rc = -EBADMSG;
		return SNAP_FAILED;
	}
	d = &s->ev->entries[s->ev->n_entries];
	d->seq = entry->seq;
	d->type = entry->type;
	d->name = strndup(entry->name, entry->name_len);
	d->digests = entry->digests;
	d->has_data = entry->has_data;
	if (!d->name || (entry->has_data && tao_blob_set(&d->data, entry->data, entry->data_len))) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		s->rc = -ENOMEM;
		return SNAP_FAILED;
	}
	s->ev->n_entries++;
	return s->ev->n_entries == s->limit ? SNAP_DONE : 0;
}

/* The PEM chain of path as DER blobs; its leaf's key must be key. */
static int load_chain(const char *path, EVP_PKEY *key, const char *what, struct tao_blob *blobs,
		      size_t *n, char *err, size_t errlen)
{
	X509 *certs[TAO_EVIDENCE_MAX_CERTS] = { 0 };
	char perr[256];
	int count = tao_pem_read_certs(path, certs, TAO_EVIDENCE_MAX_CERTS, perr, sizeof(perr));
	int rc = 0;

	if (count < 0)
		return tao_errf(err, errlen, count,
				"the %s certificate: %s (run taoctl provision first)", what, perr);
	if (key && EVP_PKEY_eq(X509_get0_pubkey(certs[0]), key) != 1)
		rc = tao_errf(err, errlen, -EKEYREJECTED,
			      "%s is not the certificate of the key bound to %s", path, what);
	for (int i = 0; i < count; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(certs[i], &der);

		if (!rc && (len <= 0 || tao_blob_set(&blobs[i], der, (size_t)len)))
			rc = tao_errf(err, errlen, -ENOMEM, "%s: encoding certificate %d", path, i);
		OPENSSL_free(der);
		X509_free(certs[i]);
	}
	if (!rc)
		*n = (size_t)count;
	return rc;
}

static int quote_fail(struct tao_nl *nl, int rc, char *err, size_t errlen)
{
	uint32_t tpm_rc = tao_nl_last_tpm_rc(nl);
	char name[64];

	if (tpm_rc)
		return tao_errf(
			err, errlen, -EIO, "quote: %s: TPM response code 0x%08" PRIx32 " (%s)",
			tao_nl_last_error(nl), tpm_rc, tao_tpm_rc_str(tpm_rc, name, sizeof(name)));
	if (rc == -EPERM)
		return tao_errf(err, errlen, rc,
				"quote: permission denied (needs CAP_NET_ADMIN: run as root)");
	return nl_fail(nl, rc, err, errlen, "quote");
}

/* Both bound keys in one KEY_LIST dump. */
struct bound2_ctx {
	struct bound_ctx b[2];
};

static int bound2_cb(const struct tao_key_entry *key, void *arg)
{
	struct bound2_ctx *c = arg;

	bound_cb(key, &c->b[0]);
	bound_cb(key, &c->b[1]);
	return 0;
}

static int bound_check(const struct bound_ctx *b, uint32_t *handle, struct tao_tpm_public *pub,
		       char *err, size_t errlen)
{
	char perr[256];

	if (!b->found)
		return tao_errf(err, errlen, -ENOENT,
				"no key is bound to role %s (run taoctl provision first)",
				tao_role_name(b->role));
	if (b->k.status != TAO_KEY_STATUS_OK)
		return tao_errf(
			err, errlen, -ENOKEY, "the key bound to role %s at 0x%08" PRIx32 " is %s",
			tao_role_name(b->role), b->k.handle, tao_key_status_name(b->k.status));
	if (tao_tpm2b_public_parse(b->k.public_area, b->k.public_len, pub, perr, sizeof(perr)) < 0)
		return tao_errf(err, errlen, -EBADMSG, "the public area of the %s key: %s",
				tao_role_name(b->role), perr);
	*handle = b->k.handle;
	return 0;
}

int tao_collect_bound_key(struct tao_nl *nl, uint32_t role, uint32_t *handle,
			  struct tao_tpm_public *pub, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) struct bound_ctx *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	b->role = role;
	rc = tao_nl_key_list(nl, bound_cb, b);
	if (rc < 0)
		return nl_fail(nl, rc, err, errlen, "listing the module's keys");
	return bound_check(b, handle, pub, err, errlen);
}

void tao_identity_free(struct tao_identity *id)
{
	if (!id)
		return;
	for (size_t i = 0; i < TAO_EVIDENCE_MAX_CERTS; i++) {
		free(id->iak_certs[i].bytes);
		free(id->tls_certs[i].bytes);
	}
	free(id);
}

int tao_identity_load(struct tao_nl *nl, const char *state_dir, uint32_t tls_role,
		      struct tao_identity **out, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) struct bound2_ctx *c = calloc(1, sizeof(*c));
	struct tao_identity *id = calloc(1, sizeof(*id));
	EVP_PKEY *iak_key = NULL, *tls_key = NULL;
	char perr[256], path[4096];
	int rc;

	*out = NULL;
	if (!c || !id) {
		free(id);
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	}
	if (tls_role != TAO_KEY_ROLE_IDEVID && tls_role != TAO_KEY_ROLE_LDEVID) {
		free(id);
		return tao_errf(err, errlen, -EINVAL, "the TLS role is idevid or ldevid, not %s",
				tao_role_name(tls_role));
	}
	id->tls_role = tls_role;
	c->b[0].role = TAO_KEY_ROLE_IAK;
	c->b[1].role = tls_role;
	rc = tao_nl_key_list(nl, bound2_cb, c);
	if (rc < 0) {
		rc = nl_fail(nl, rc, err, errlen, "listing the module's keys");
		goto out;
	}
	if ((rc = bound_check(&c->b[0], &id->iak_handle, &id->iak_pub, err, errlen)) ||
	    (rc = bound_check(&c->b[1], &id->tls_handle, &id->tls_pub, err, errlen)))
		goto out;

	/* The certificates: nothing is asked of the TPM for a device that is not provisioned. */
	if (tao_tpm_public_to_pkey(&id->iak_pub, &iak_key, perr, sizeof(perr)) < 0 ||
	    tao_tpm_public_to_pkey(&id->tls_pub, &tls_key, perr, sizeof(perr)) < 0) {
		rc = tao_errf(err, errlen, -EBADMSG, "the bound keys: %s", perr);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/iak.pem", state_dir);
	rc = load_chain(path, iak_key, "iak", id->iak_certs, &id->n_iak_certs, err, errlen);
	snprintf(path, sizeof(path), "%s/%s.pem", state_dir, tao_role_name(tls_role));
	if (!rc)
		rc = load_chain(path, tls_key, tao_role_name(tls_role), id->tls_certs,
				&id->n_tls_certs, err, errlen);
out:
	EVP_PKEY_free(iak_key);
	EVP_PKEY_free(tls_key);
	if (rc) {
		tao_identity_free(id);
		return rc;
	}
	*out = id;
	return 0;
}

static int copy_chain(const struct tao_blob *from, size_t n, struct tao_blob *to, size_t *nto)
{
	for (size_t i = 0; i < n; i++)
		if (tao_blob_set(&to[i], from[i].bytes, from[i].len))
			return -ENOMEM;
	*nto = n;
	return 0;
}

/* The platform: the module's quote, and exactly the log entries it covers. */
static int module_info(struct tao_nl *nl, struct tao_info *mi, char *err, size_t errlen)
{
	int rc = tao_nl_get_info(nl, mi);

	if (rc < 0 || !mi->has_log || !mi->has_pcr_at_load)
		return tao_errf(err, errlen, rc < 0 ? rc : -ENODATA,
				"the module's log has not started (or GET_INFO failed)");
	return 0;
}

static int collect_quote(struct tao_nl *nl, const struct tao_pcr_selection *sel,
			 struct tao_evidence *ev, struct tao_collect_info *info, char *err,
			 size_t errlen)
{
	TAO_CLEANUP(tao_freep) struct tao_quote *q = malloc(sizeof(*q));
	struct log_snap snap = { 0 };
	double t;
	int rc;

	if (!q)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	t = tao_mono_ms();
	rc = tao_nl_quote(nl, TAO_KEY_ROLE_IAK, ev->binder, sizeof(ev->binder), sel, q);
	if (rc < 0)
		return quote_fail(nl, rc, err, errlen);
	if (tao_blob_set(&ev->quote_attest, q->attest, q->attest_len) ||
	    tao_blob_set(&ev->quote_signature, q->signature, q->signature_len))
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	ev->pcrs = q->values;
	if (q->has_log_origin) {
		/* The module names the log's origin in the quote's reply. */
		ev->log_pcr = q->log_pcr;
		ev->log_pcr_at_load = q->pcr_at_load;
	} else {
		struct tao_info mi;

		rc = module_info(nl, &mi, err, errlen);
		if (rc)
			return rc;
		ev->log_pcr = mi.log_pcr;
		ev->log_pcr_at_load = mi.pcr_at_load;
	}
	info->log_pcr = ev->log_pcr;
	info->quoted = q->parsed_attest.quote.pcr_select;
	if (q->log_entries > TAO_EVIDENCE_MAX_ENTRIES)
		return tao_errf(err, errlen, -E2BIG,
				"the quote covers %" PRIu32 " log entries, more than evidence "
				"carries (%u)",
				q->log_entries, TAO_EVIDENCE_MAX_ENTRIES);
	ev->entries = calloc(q->log_entries ? q->log_entries : 1, sizeof(*ev->entries));
	if (!ev->entries)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	info->quote = tao_mono_ms() - t;

	t = tao_mono_ms();
	snap.ev = ev;
	snap.limit = q->log_entries;
	snap.pcr = ev->log_pcr;
	rc = q->log_entries ? tao_nl_log_get(nl, 0, snap_entry, &snap) : SNAP_DONE;
	if (rc == SNAP_FAILED)
		return tao_errf(err, errlen, snap.rc, "the log: %s", snap.err);
	if (rc < 0)
		return nl_fail(nl, rc, err, errlen, "reading the log");
	if (ev->n_entries != q->log_entries)
		return tao_errf(err, errlen, -EBADMSG,
				"the log has %zu entries, the quote covers %" PRIu32, ev->n_entries,
				q->log_entries);
	info->log = tao_mono_ms() - t;
	return 0;
}

int tao_evidence_collect_for(struct tao_nl *nl, struct tao_esys *e, const struct tao_identity *id,
			     const uint8_t binder[32], const struct tao_pcr_selection *pcrs,
			     struct tao_evidence *ev, struct tao_collect_info *info, char *err,
			     size_t errlen)
{
	TAO_CLEANUP(tao_freep) uint8_t *attest = malloc(TAO_ATTEST_MAX);
	TAO_CLEANUP(tao_freep) uint8_t *sig = malloc(TAO_SIGNATURE_MAX);
	struct tao_collect_info local;
	struct tao_pcr_selection sel;
	struct tao_info mi;
	size_t attest_len, sig_len;
	char perr[256], sel_text[32];
	double t = tao_mono_ms();
	int rc;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (!attest || !sig)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	info->iak_handle = id->iak_handle;
	info->tls_handle = id->tls_handle;
	ev->version = TAO_EVIDENCE_VERSION;
	memcpy(ev->binder, binder, sizeof(ev->binder));
	if (copy_chain(id->iak_certs, id->n_iak_certs, ev->iak_certs, &ev->n_iak_certs) ||
	    copy_chain(id->tls_certs, id->n_tls_certs, ev->idevid_certs, &ev->n_idevid_certs))
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	if (!pcrs) {
		/* The default selection needs the log PCR first. */
		rc = module_info(nl, &mi, err, errlen);
		if (rc)
			return rc;
		snprintf(sel_text, sizeof(sel_text), "sha256:%" PRIu32, mi.log_pcr);
		if (tao_pcr_selection_parse(sel_text, &sel, perr, sizeof(perr)) < 0)
			return tao_errf(err, errlen, -EBADMSG,
					"the module's log PCR %" PRIu32 ": %s", mi.log_pcr, perr);
	}
	info->setup = tao_mono_ms() - t;

	rc = collect_quote(nl, pcrs ? pcrs : &sel, ev, info, err, errlen);
	if (rc)
		return rc;

	/* Key: the IAK certifies the TLS key, qualified by the same binder. */
	t = tao_mono_ms();
	if (tao_esys_certify(e, id->tls_handle, id->iak_handle, ev->binder, sizeof(ev->binder),
			     attest, &attest_len, sig, &sig_len, perr, sizeof(perr)) < 0)
		return tao_errf(err, errlen, -EIO,
				"certifying the %s key (0x%08" PRIx32 ") with the IAK: %s",
				tao_role_name(id->tls_role), id->tls_handle, perr);
	if (tao_blob_set(&ev->certify_attest, attest, attest_len) ||
	    tao_blob_set(&ev->certify_signature, sig, sig_len) ||
	    tao_blob_set(&ev->tls_key_public, id->tls_pub.tpmt, id->tls_pub.tpmt_len))
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	info->certify = tao_mono_ms() - t;
	return 0;
}

int tao_evidence_collect(struct tao_nl *nl, struct tao_esys *e, const struct tao_collect_opts *o,
			 struct tao_evidence *ev, struct tao_collect_info *info, char *err,
			 size_t errlen)
{
	struct tao_identity *id;
	double t = tao_mono_ms(), load;
	int rc;

	rc = tao_identity_load(nl, o->state_dir, o->tls_role, &id, err, errlen);
	if (rc) {
		if (info)
			memset(info, 0, sizeof(*info));
		return rc;
	}
	load = tao_mono_ms() - t;
	rc = tao_evidence_collect_for(nl, e, id, o->binder, o->pcrs, ev, info, err, errlen);
	if (info)
		info->setup += load;
	tao_identity_free(id);
	return rc;
}
