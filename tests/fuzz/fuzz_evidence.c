// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: the evidence decoder and, on whatever it accepts, the whole verifier (against
 * the test CA, with the evidence's own binder so the checks get past the binder comparison), and
 * the policy parser. Built with meson -Dfuzz=true and clang; see tests/fuzz/run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "tao_b64url.h"
#include "tao_evidence.h"
#include "tao_policy.h"
#include "tao_verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509_STORE *trust;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tao_evidence ev;
	struct tao_verdict v;
	const uint8_t *input = data;
	size_t input_size = size;
	struct tao_policy p;
	char err[256], *wrapped = NULL;

	if (!trust) {
		trust = X509_STORE_new();
		if (!trust || X509_STORE_load_file(trust, FUZZ_CA_FILE) != 1)
			abort();
	}
	/*
	 * An input that is a JSON object is taken as the inner document and wrapped into a record
	 * first, so that mutations reach the inner JSON without having to keep base64url intact.
	 */
	if (size && data[0] == '{') {
		char *b = tao_b64url_encode(data, size);

		if (!b || asprintf(&wrapped, "[\"%s\",\"%s\"]", TAO_EVIDENCE_MEDIA_TYPE, b) < 0)
			abort();
		free(b);
		data = (const uint8_t *)wrapped;
		size = strlen(wrapped);
	}
	if (tao_evidence_decode((const char *)data, size, &ev, err, sizeof(err)) == 0) {
		struct tao_verify_opts o = { .trust = trust, .at = 1893456000 };
		struct tao_policy cap;
		char *again = NULL;

		if (tao_verify_evidence(&ev, ev.binder, &o, &v) != 0)
			abort();
		/* A captured policy allows its own log, with or without (some) data digests. */
		if (tao_policy_capture(&ev, &cap) == 0) {
			o.policy = &cap;
			tao_verify_evidence(&ev, ev.binder, &o, &v);
			if (v.checks[TAO_CHECK_POLICY_EVENTS].result != TAO_RESULT_PASS)
				abort();
			tao_policy_free(&cap);
		}
		if (ev.n_entries &&
		    tao_policy_capture_digests(&ev, &ev.entries[0].type, 1, &cap) == 0) {
			o.policy = &cap;
			tao_verify_evidence(&ev, ev.binder, &o, &v);
			if (v.checks[TAO_CHECK_POLICY_EVENTS].result != TAO_RESULT_PASS)
				abort();
			tao_policy_free(&cap);
		}
		/* What decodes encodes again, and to text that decodes. */
		if (tao_evidence_encode(&ev, &again, err, sizeof(err)) != 0)
			abort();
		free(again);
		tao_evidence_free(&ev);
	}
	if (tao_policy_parse((const char *)input, input_size, &p, err, sizeof(err)) == 0)
		tao_policy_free(&p);
	free(wrapped);
	return 0;
}
