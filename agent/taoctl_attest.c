/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * taoctl attest: one attested session with the registrar (docs/registrar.md). The TLS key is the
 * one bound to the TLS role, used in the TPM; the evidence is made for this connection's binder
 * and the registrar's PCR selection, and sent on the same connection.
 */
#include "taoctl_attest.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include <linux/tao.h>

#include "tao_cleanup.h"
#include "tao_client.h"
#include "tao_collect.h"
#include "tao_evidence.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_verifier.h"
#include "taoctl_devid.h"
#include "tao_util.h"

enum { EXIT_RUNTIME = TAOCTL_EXIT_RUNTIME, EXIT_WARNING = 3 };

/* What the evidence callback needs, and what it reports back. */
struct make_ctx {
	struct tao_nl *nl;
	struct tao_esys *e;
	const struct tao_identity *id;
	uint32_t tls_role;
	struct tao_collect_info info;
	double encode_ms;
	size_t bytes;
};

static int make_evidence(void *arg, const uint8_t binder[32],
			 const struct tao_attest_params *params, char **text, char *err,
			 size_t errlen)
{
	struct make_ctx *m = arg;
	struct tao_evidence *ev = calloc(1, sizeof(*ev));
	char why[256];
	double t;
	int rc;

	if (!ev)
		return -ENOMEM;
	rc = tao_evidence_collect_for(m->nl, m->e, m->id, binder, &params->pcrs, ev, &m->info, err,
				      errlen);
	if (!rc) {
		t = tao_mono_ms();
		rc = tao_evidence_encode(ev, text, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "encoding the evidence: %s", why);
		else
			m->bytes = strlen(*text);
		m->encode_ms = tao_mono_ms() - t;
	}
	tao_evidence_free(ev);
	free(ev);
	return rc;
}

static void pkey_freep(EVP_PKEY **p)
{
	EVP_PKEY_free(*p);
}

static void identity_freep(struct tao_identity **id)
{
	tao_identity_free(*id);
}

static void outcome_freep(struct tao_attest_outcome **o)
{
	if (*o) {
		tao_attest_outcome_free(*o);
		free(*o);
	}
}

static const char *mark(const char *result)
{
	if (strcmp(result, "fail") == 0)
		return "✗";
	if (strcmp(result, "warn") == 0)
		return "!";
	return NULL;
}

/* The checks of the result that did not pass (submods.tpm."tao.checks"). */
static void print_findings(struct json_object *ear)
{
	struct json_object *sub, *tpm, *checks;

	if (!json_object_object_get_ex(ear, "submods", &sub) ||
	    !json_object_object_get_ex(sub, "tpm", &tpm) ||
	    !json_object_object_get_ex(tpm, "tao.checks", &checks) ||
	    !json_object_is_type(checks, json_type_object))
		return;
	json_object_object_foreach(checks, name, c)
	{
		struct json_object *r, *why;
		const char *m;

		if (!json_object_object_get_ex(c, "result", &r) ||
		    !json_object_is_type(r, json_type_string))
			continue;
		m = mark(json_object_get_string(r));
		if (!m)
			continue;
		printf("%s %-14s %s\n", m, name,
		       json_object_object_get_ex(c, "reason", &why) &&
				       json_object_is_type(why, json_type_string)
			       ? json_object_get_string(why)
			       : "");
	}
}

static struct json_object *timing_json(const struct tao_attest_outcome *o, const struct make_ctx *m)
{
	struct json_object *t = json_object_new_object();

	if (!t || !tao_json_put(t, "handshake", json_object_new_double(o->timing.handshake)) ||
	    !tao_json_put(t, "params", json_object_new_double(o->timing.params)) ||
	    !tao_json_put(t, "evidence", json_object_new_double(o->timing.evidence)) ||
	    !tao_json_put(t, "quote", json_object_new_double(m->info.quote)) ||
	    !tao_json_put(t, "log", json_object_new_double(m->info.log)) ||
	    !tao_json_put(t, "certify", json_object_new_double(m->info.certify)) ||
	    !tao_json_put(t, "post", json_object_new_double(o->timing.post)) ||
	    !tao_json_put(t, "total", json_object_new_double(o->timing.total))) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

static int print_json(const char *url, const struct tao_attest_outcome *o, const struct make_ctx *m)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *doc = json_object_new_object();

	if (!doc || !tao_json_put(doc, "registrar", json_object_new_string(url)) ||
	    !tao_json_put(doc, "http_status", json_object_new_int64(o->http_status)) ||
	    !tao_json_put(doc, "status", json_object_new_string(tao_status_name(o->status))) ||
	    !tao_json_put(doc, "binder", tao_json_hex_bytes(o->binder, sizeof(o->binder))) ||
	    !tao_json_put(doc, "tls_role", json_object_new_string(tao_role_name(m->tls_role))) ||
	    !tao_json_put(doc, "evidence_bytes", json_object_new_int64((int64_t)m->bytes)) ||
	    !tao_json_put(doc, "timing_ms", timing_json(o, m)) ||
	    !tao_json_put(doc, "result", json_object_get(o->ear)))
		return EXIT_RUNTIME;
	puts(json_object_to_json_string_ext(doc,
					    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	return 0;
}

int taoctl_cmd_attest(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "registrar", required_argument, NULL, 'u' },
		{ "ca", required_argument, NULL, 'c' },
		{ "tls-role", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "attest";
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_esys_closep) struct tao_esys *e = NULL;
	TAO_CLEANUP(pkey_freep) EVP_PKEY *key = NULL;
	TAO_CLEANUP(outcome_freep) struct tao_attest_outcome *out = calloc(1, sizeof(*out));
	TAO_CLEANUP(identity_freep) struct tao_identity *id = NULL;
	TAO_CLEANUP(tao_freep) char *ca_default = NULL;
	TAO_CLEANUP(tao_freep) char *cert_file = NULL;
	const char *url = NULL, *ca = NULL, *state_dir = TAOCTL_STATE_DIR;
	struct make_ctx m = { 0 };
	struct tao_client_opts co = { 0 };
	uint32_t tls_role = TAO_KEY_ROLE_IDEVID;
	bool json = false;
	char err[512];
	int c, rc;

	if (!out)
		return EXIT_RUNTIME;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:u:c:r:d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'c':
			ca = optarg;
			break;
		case 'r':
			if (taoctl_tls_role(name, optarg, &tls_role) < 0)
				return TAOCTL_EXIT_USAGE;
			break;
		case 'd':
			state_dir = optarg;
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
	if (!url)
		return taoctl_usage(name, "%s: --registrar is required", name);
	if (strncmp(url, "https://", 8) != 0 || !url[8])
		return taoctl_usage(name, "%s: --registrar wants an https:// URL, not '%s'", name,
				    url);
	if (!ca) {
		if (asprintf(&ca_default, "%s/registrar-ca.pem", state_dir) < 0)
			return EXIT_RUNTIME;
		ca = ca_default;
	}
	if (asprintf(&cert_file, "%s/%s.pem", state_dir, tao_role_name(tls_role)) < 0)
		return EXIT_RUNTIME;

	double t_start = tao_mono_ms(), t_key;

	if ((rc = taoctl_open_module(name, &nl)) || (rc = taoctl_open_tpm(name, &e)))
		return rc;
	/* The device's identity (bound keys, certificates) once, before any network. */
	rc = tao_identity_load(nl, state_dir, tls_role, &id, err, sizeof(err));
	if (rc < 0) {
		taoctl_err("%s: %s", name, err);
		return EXIT_RUNTIME;
	}
	rc = tao_tls_key_load(e, id->tls_handle, &key, err, sizeof(err));
	if (rc < 0) {
		taoctl_err("%s: the %s key at 0x%08" PRIx32 " for TLS: %s", name,
			   tao_role_name(tls_role), id->tls_handle, err);
		return EXIT_RUNTIME;
	}
	t_key = tao_mono_ms();

	m.nl = nl;
	m.e = e;
	m.id = id;
	m.tls_role = tls_role;
	co.url = url;
	co.ca_file = ca;
	co.cert_file = cert_file;
	co.key = key;
	rc = tao_client_attest(&co, make_evidence, &m, out, err, sizeof(err));
	if (rc == -ECONNREFUSED || rc == -ETIMEDOUT || rc == -EHOSTUNREACH) {
		taoctl_err("cannot reach the registrar at %s: %s", url, err);
		return TAOCTL_EXIT_UNREACHABLE;
	}
	if (rc < 0) {
		taoctl_err("%s: %s", name, err);
		return EXIT_RUNTIME;
	}
	if (getenv("TAO_TIMING"))
		fprintf(stderr,
			"timing_ms identity=%.3f handshake=%.3f params=%.3f evidence=%.3f "
			"(setup=%.3f "
			"quote=%.3f log=%.3f certify=%.3f encode=%.3f) post=%.3f total=%.3f\n",
			t_key - t_start, out->timing.handshake, out->timing.params,
			out->timing.evidence, m.info.setup, m.info.quote, m.info.log,
			m.info.certify, m.encode_ms, out->timing.post, tao_mono_ms() - t_start);
	if (json) {
		if (print_json(url, out, &m))
			return EXIT_RUNTIME;
	} else {
		printf("%s%s%s: %s\n", tao_status_name(out->status),
		       out->device[0] ? " device " : "", out->device,
		       out->reason[0] ? out->reason : "(no reason given)");
		print_findings(out->ear);
		if (out->attestation_id >= 0)
			printf("attestation %" PRId64 " recorded by %s\n", out->attestation_id,
			       url);
	}
	if (fflush(stdout) != 0)
		return EXIT_RUNTIME;
	switch (out->status) {
	case TAO_STATUS_AFFIRMING:
		return 0;
	case TAO_STATUS_WARNING:
		return EXIT_WARNING;
	default:
		return EXIT_RUNTIME;
	}
}
