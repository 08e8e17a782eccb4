// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taoctl evidence: the module's quote and log snapshot, the IAK's certification of the TLS key
 * and the certificates of the state directory, as one encoded evidence record.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <linux/tao.h>

#include "taoctl_devid.h"
#include "tao_cleanup.h"
#include "tao_devid.h"
#include "tao_evidence.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_pcr_sel.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_tpm_rc.h"

enum { EXIT_RUNTIME = TAOCTL_EXIT_RUNTIME };

static void evidence_freep(struct tao_evidence **ev)
{
	if (*ev) {
		tao_evidence_free(*ev);
		free(*ev);
	}
}

static int blob_set(struct tao_blob *b, const void *buf, size_t len)
{
	b->bytes = malloc(len ? len : 1);
	if (!b->bytes)
		return -ENOMEM;
	memcpy(b->bytes, buf, len);
	b->len = len;
	return 0;
}

/* The log entries the quote covers, copied into the evidence as they stream in. */
struct log_snap {
	struct tao_evidence *ev;
	uint32_t limit, pcr;
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
		return SNAP_FAILED;
	}
	d = &s->ev->entries[s->ev->n_entries];
	d->seq = entry->seq;
	d->type = entry->type;
	d->name = strndup(entry->name, entry->name_len);
	d->digests = entry->digests;
	d->has_data = entry->has_data;
	if (!d->name || (entry->has_data && blob_set(&d->data, entry->data, entry->data_len))) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return SNAP_FAILED;
	}
	s->ev->n_entries++;
	return s->ev->n_entries == s->limit ? SNAP_DONE : 0;
}

/* The PEM chain of path as DER blobs; its leaf's key must be key. */
static int load_chain(const char *cmd, const char *path, EVP_PKEY *key, const char *what,
		      struct tao_blob *blobs, size_t *n)
{
	X509 *certs[TAO_EVIDENCE_MAX_CERTS] = { 0 };
	char err[256];
	int count = tao_pem_read_certs(path, certs, TAO_EVIDENCE_MAX_CERTS, err, sizeof(err));
	int rc = 0;

	if (count < 0) {
		taoctl_err("%s: the %s certificate: %s (run taoctl provision first)", cmd, what,
			   err);
		return EXIT_RUNTIME;
	}
	if (key && EVP_PKEY_eq(X509_get0_pubkey(certs[0]), key) != 1) {
		taoctl_err("%s: %s is not the certificate of the key bound to %s", cmd, path, what);
		rc = EXIT_RUNTIME;
	}
	for (int i = 0; i < count; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(certs[i], &der);

		if (!rc && (len <= 0 || blob_set(&blobs[i], der, (size_t)len)))
			rc = EXIT_RUNTIME;
		OPENSSL_free(der);
		X509_free(certs[i]);
	}
	if (!rc)
		*n = (size_t)count;
	return rc;
}

static int quote_error(const char *cmd, struct tao_nl *nl, int rc)
{
	uint32_t tpm_rc = tao_nl_last_tpm_rc(nl);
	char name[64];

	if (tpm_rc)
		taoctl_err("%s: quote: %s: TPM response code 0x%08" PRIx32 " (%s)", cmd,
			   tao_nl_last_error(nl), tpm_rc,
			   tao_tpm_rc_str(tpm_rc, name, sizeof(name)));
	else if (rc == -EPERM)
		taoctl_err("%s: quote: permission denied (needs CAP_NET_ADMIN: run as root)", cmd);
	else
		taoctl_err("%s: quote: %s%s%s", cmd, tao_nl_last_error(nl),
			   *tao_nl_last_error(nl) ? ": " : "", strerror(-rc));
	return EXIT_RUNTIME;
}

/* Milliseconds on the monotonic clock, for TAO_TIMING=1. */
static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int taoctl_cmd_evidence(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "binder", required_argument, NULL, 'b' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "tls-role", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "evidence";
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_esys_closep) struct tao_esys *e = NULL;
	TAO_CLEANUP(evidence_freep) struct tao_evidence *ev = calloc(1, sizeof(*ev));
	TAO_CLEANUP(tao_freep) struct tao_quote *q = malloc(sizeof(*q));
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *iak_pub = malloc(sizeof(*iak_pub));
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *tls_pub = malloc(sizeof(*tls_pub));
	TAO_CLEANUP(tao_freep) uint8_t *attest = malloc(TAO_ATTEST_MAX);
	TAO_CLEANUP(tao_freep) uint8_t *sig = malloc(TAO_SIGNATURE_MAX);
	TAO_CLEANUP(tao_freep) char *text = NULL;
	const char *binder_hex = NULL, *out = NULL, *state_dir = TAOCTL_STATE_DIR;
	struct tao_pcr_selection sel;
	struct tao_info info;
	struct log_snap snap = { 0 };
	uint32_t tls_role = TAO_KEY_ROLE_IDEVID, iak, tls;
	size_t attest_len, sig_len;
	bool json = false, have_sel = false;
	char err[256], sel_text[256], path[4096];
	EVP_PKEY *iak_key = NULL, *tls_key = NULL;
	int c, rc, n;

	if (!ev || !q || !iak_pub || !tls_pub || !attest || !sig)
		return EXIT_RUNTIME;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:b:p:o:d:r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			binder_hex = optarg;
			break;
		case 'p':
			if (tao_pcr_selection_parse(optarg, &sel, err, sizeof(err)) < 0)
				return taoctl_usage(name, "%s: --pcrs: %s", name, err);
			have_sel = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'r':
			if (strcmp(optarg, "idevid") == 0)
				tls_role = TAO_KEY_ROLE_IDEVID;
			else if (strcmp(optarg, "ldevid") == 0)
				tls_role = TAO_KEY_ROLE_LDEVID;
			else
				return taoctl_usage(name, "%s: --tls-role is idevid or ldevid",
						    name);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return taoctl_show_help(cmd);
		default:
			return taoctl_option_error(name, argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(name, "%s: unexpected argument '%s'", name, argv[optind]);
	if (!binder_hex || !out)
		return taoctl_usage(name, "%s: --binder and --out are required", name);
	if (tao_hex_decode(binder_hex, ev->binder, sizeof(ev->binder)) != (int)sizeof(ev->binder))
		return taoctl_usage(name, "%s: --binder wants 32 bytes in hex (64 hex digits)",
				    name);
	ev->version = TAO_EVIDENCE_VERSION;

	/* TAO_TIMING=1: where the time goes (bench/run compares it with the TPM commands). */
	double t_start = mono_ms(), t_quote, t_log, t_certify, t_encode;

	if ((rc = taoctl_open_module(name, &nl)) || (rc = taoctl_open_tpm(name, &e)) ||
	    (rc = taoctl_bound_key(name, nl, TAO_KEY_ROLE_IAK, &iak, iak_pub)) ||
	    (rc = taoctl_bound_key(name, nl, tls_role, &tls, tls_pub)))
		return rc;
	rc = tao_nl_get_info(nl, &info);
	if (rc < 0 || !info.has_log || !info.has_pcr_at_load) {
		taoctl_err("%s: the module's log has not started (or GET_INFO failed)", name);
		return EXIT_RUNTIME;
	}
	if (!have_sel) {
		snprintf(sel_text, sizeof(sel_text), "sha256:%" PRIu32, info.log_pcr);
		if (tao_pcr_selection_parse(sel_text, &sel, err, sizeof(err)) < 0)
			return EXIT_RUNTIME;
	}

	/* Certificates first: nothing is asked of the TPM for a device that is not provisioned. */
	if (tao_tpm_public_to_pkey(iak_pub, &iak_key, err, sizeof(err)) < 0 ||
	    tao_tpm_public_to_pkey(tls_pub, &tls_key, err, sizeof(err)) < 0) {
		EVP_PKEY_free(iak_key);
		taoctl_err("%s: the bound keys: %s", name, err);
		return EXIT_RUNTIME;
	}
	snprintf(path, sizeof(path), "%s/iak.pem", state_dir);
	rc = load_chain(name, path, iak_key, "iak", ev->iak_certs, &ev->n_iak_certs);
	snprintf(path, sizeof(path), "%s/%s.pem", state_dir, tao_role_name(tls_role));
	if (!rc)
		rc = load_chain(name, path, tls_key, tao_role_name(tls_role), ev->idevid_certs,
				&ev->n_idevid_certs);
	EVP_PKEY_free(iak_key);
	EVP_PKEY_free(tls_key);
	if (rc)
		return rc;

	/* Platform: the module's quote, and exactly the log entries it covers. */
	t_quote = mono_ms();
	rc = tao_nl_quote(nl, TAO_KEY_ROLE_IAK, ev->binder, sizeof(ev->binder), &sel, q);
	if (rc < 0)
		return quote_error(name, nl, rc);
	if (blob_set(&ev->quote_attest, q->attest, q->attest_len) ||
	    blob_set(&ev->quote_signature, q->signature, q->signature_len))
		return EXIT_RUNTIME;
	ev->pcrs = q->values;
	ev->log_pcr = info.log_pcr;
	ev->log_pcr_at_load = info.pcr_at_load;
	if (q->log_entries > TAO_EVIDENCE_MAX_ENTRIES) {
		taoctl_err("%s: the quote covers %" PRIu32 " log entries, more than evidence "
			   "carries (%u)",
			   name, q->log_entries, TAO_EVIDENCE_MAX_ENTRIES);
		return EXIT_RUNTIME;
	}
	ev->entries = calloc(q->log_entries ? q->log_entries : 1, sizeof(*ev->entries));
	if (!ev->entries)
		return EXIT_RUNTIME;
	t_log = mono_ms();
	snap.ev = ev;
	snap.limit = q->log_entries;
	snap.pcr = info.log_pcr;
	rc = q->log_entries ? tao_nl_log_get(nl, 0, snap_entry, &snap) : SNAP_DONE;
	if (rc == SNAP_FAILED) {
		taoctl_err("%s: the log: %s", name, snap.err);
		return EXIT_RUNTIME;
	}
	if (rc < 0) {
		taoctl_err("%s: reading the log: %s%s%s", name, tao_nl_last_error(nl),
			   *tao_nl_last_error(nl) ? ": " : "", strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (ev->n_entries != q->log_entries) {
		taoctl_err("%s: the log has %zu entries, the quote covers %" PRIu32, name,
			   ev->n_entries, q->log_entries);
		return EXIT_RUNTIME;
	}

	/* Key: the IAK certifies the TLS key, qualified by the same binder. */
	t_certify = mono_ms();
	if (tao_esys_certify(e, tls, iak, ev->binder, sizeof(ev->binder), attest, &attest_len, sig,
			     &sig_len, err, sizeof(err)) < 0) {
		taoctl_err("%s: certifying the %s key (0x%08" PRIx32 ") with the IAK: %s", name,
			   tao_role_name(tls_role), tls, err);
		return EXIT_RUNTIME;
	}
	if (blob_set(&ev->certify_attest, attest, attest_len) ||
	    blob_set(&ev->certify_signature, sig, sig_len) ||
	    blob_set(&ev->tls_key_public, tls_pub->tpmt, tls_pub->tpmt_len))
		return EXIT_RUNTIME;

	t_encode = mono_ms();
	rc = tao_evidence_encode(ev, &text, err, sizeof(err));
	if (rc < 0) {
		taoctl_err("%s: encoding the evidence: %s", name, err);
		return EXIT_RUNTIME;
	}
	n = tao_write_atomic(out, text, strlen(text), 0644);
	if (n < 0) {
		taoctl_err("%s: writing %s: %s", name, out, strerror(-n));
		return EXIT_RUNTIME;
	}
	if (getenv("TAO_TIMING"))
		fprintf(stderr,
			"timing_ms setup=%.3f quote=%.3f log=%.3f certify=%.3f encode_write=%.3f "
			"total=%.3f\n",
			t_quote - t_start, t_log - t_quote, t_certify - t_log, t_encode - t_certify,
			mono_ms() - t_encode, mono_ms() - t_start);
	tao_pcr_selection_format(&q->parsed_attest.quote.pcr_select, sel_text, sizeof(sel_text));
	if (json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *doc = json_object_new_object();

		if (!doc || !tao_json_put(doc, "out", json_object_new_string(out)) ||
		    !tao_json_put(doc, "bytes", json_object_new_int64((int64_t)strlen(text))) ||
		    !tao_json_put(doc, "media_type",
				  json_object_new_string(TAO_EVIDENCE_MEDIA_TYPE)) ||
		    !tao_json_put(doc, "binder", tao_json_hex_bytes(ev->binder, 32)) ||
		    !tao_json_put(doc, "pcrs", json_object_new_string(sel_text)) ||
		    !tao_json_put(doc, "log_entries", json_object_new_int64(q->log_entries)) ||
		    !tao_json_put(doc, "iak_handle", tao_json_hex32(iak, 8)) ||
		    !tao_json_put(doc, "tls_role",
				  json_object_new_string(tao_role_name(tls_role))) ||
		    !tao_json_put(doc, "tls_handle", tao_json_hex32(tls, 8)) ||
		    !tao_json_put(doc, "iak_certs",
				  json_object_new_int64((int64_t)ev->n_iak_certs)) ||
		    !tao_json_put(doc, "tls_certs",
				  json_object_new_int64((int64_t)ev->n_idevid_certs)))
			return EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED));
	} else {
		printf("quote of %s by the IAK (0x%08" PRIx32 "), covering log entries 0..%" PRId64
		       " (%" PRIu32 " entries)\n",
		       sel_text, iak, (int64_t)q->log_entries - 1, q->log_entries);
		printf("certification of the %s key (0x%08" PRIx32 ") by the IAK\n",
		       tao_role_name(tls_role), tls);
		printf("certificates: %zu for the IAK, %zu for the %s key\n", ev->n_iak_certs,
		       ev->n_idevid_certs, tao_role_name(tls_role));
		printf("wrote %s (%zu bytes, %s)\n", out, strlen(text), TAO_EVIDENCE_MEDIA_TYPE);
	}
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}
