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
#include "tao_collect.h"
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
#include "tao_util.h"

enum { EXIT_RUNTIME = TAOCTL_EXIT_RUNTIME };

static void evidence_freep(struct tao_evidence **ev)
{
	if (*ev) {
		tao_evidence_free(*ev);
		free(*ev);
	}
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
	TAO_CLEANUP(tao_freep) char *text = NULL;
	const char *binder_hex = NULL, *out = NULL, *state_dir = TAOCTL_STATE_DIR;
	struct tao_pcr_selection sel;
	struct tao_collect_opts co = { 0 };
	struct tao_collect_info ci;
	uint32_t tls_role = TAO_KEY_ROLE_IDEVID;
	bool json = false, have_sel = false;
	char err[1024], sel_text[256];
	int c, rc, n;

	if (!ev)
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
			if (taoctl_tls_role(name, optarg, &tls_role) < 0)
				return TAOCTL_EXIT_USAGE;
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
	double t_start = tao_mono_ms(), t_open, t_encode;

	if ((rc = taoctl_open_module(name, &nl)) || (rc = taoctl_open_tpm(name, &e)))
		return rc;
	t_open = tao_mono_ms();
	co.state_dir = state_dir;
	co.tls_role = tls_role;
	memcpy(co.binder, ev->binder, sizeof(co.binder));
	co.pcrs = have_sel ? &sel : NULL;
	rc = tao_evidence_collect(nl, e, &co, ev, &ci, err, sizeof(err));
	if (rc < 0) {
		taoctl_err("%s: %s", name, err);
		return EXIT_RUNTIME;
	}

	t_encode = tao_mono_ms();
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
			t_open - t_start + ci.setup, ci.quote, ci.log, ci.certify,
			tao_mono_ms() - t_encode, tao_mono_ms() - t_start);
	tao_pcr_selection_format(&ci.quoted, sel_text, sizeof(sel_text));
	if (json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *doc = json_object_new_object();

		if (!doc || !tao_json_put(doc, "out", json_object_new_string(out)) ||
		    !tao_json_put(doc, "bytes", json_object_new_int64((int64_t)strlen(text))) ||
		    !tao_json_put(doc, "media_type",
				  json_object_new_string(TAO_EVIDENCE_MEDIA_TYPE)) ||
		    !tao_json_put(doc, "binder", tao_json_hex_bytes(ev->binder, 32)) ||
		    !tao_json_put(doc, "pcrs", json_object_new_string(sel_text)) ||
		    !tao_json_put(doc, "log_entries",
				  json_object_new_int64((int64_t)ev->n_entries)) ||
		    !tao_json_put(doc, "iak_handle", tao_json_hex32(ci.iak_handle, 8)) ||
		    !tao_json_put(doc, "tls_role",
				  json_object_new_string(tao_role_name(tls_role))) ||
		    !tao_json_put(doc, "tls_handle", tao_json_hex32(ci.tls_handle, 8)) ||
		    !tao_json_put(doc, "iak_certs",
				  json_object_new_int64((int64_t)ev->n_iak_certs)) ||
		    !tao_json_put(doc, "tls_certs",
				  json_object_new_int64((int64_t)ev->n_idevid_certs)))
			return EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED));
	} else {
		printf("quote of %s by the IAK (0x%08" PRIx32 "), covering log entries 0..%" PRId64
		       " (%zu entries)\n",
		       sel_text, ci.iak_handle, (int64_t)ev->n_entries - 1, ev->n_entries);
		printf("certification of the %s key (0x%08" PRIx32 ") by the IAK\n",
		       tao_role_name(tls_role), ci.tls_handle);
		printf("certificates: %zu for the IAK, %zu for the %s key\n", ev->n_iak_certs,
		       ev->n_idevid_certs, tao_role_name(tls_role));
		printf("wrote %s (%zu bytes, %s)\n", out, strlen(text), TAO_EVIDENCE_MEDIA_TYPE);
	}
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}
