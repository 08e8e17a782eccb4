// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Test helpers: evidence assembled from the raw swtpm outputs of vectors/evidence/. */
#include "evidence_vectors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "tao_crypto.h"
#include "tao_hex.h"
#include "tao_names.h"

const char *vec_dir(void)
{
	return VECTORS_DIR "/evidence";
}

int vec_read(const char *dir, const char *name, uint8_t **out, size_t *len)
{
	char path[4096];
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -errno;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			uint8_t *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, 4096, f);

		n += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int vec_blob(const char *dir, const char *name, struct tao_blob *b)
{
	uint8_t *buf;
	size_t len;
	int rc = vec_read(dir, name, &buf, &len);

	if (rc)
		return rc;
	free(b->bytes);
	b->bytes = buf;
	b->len = len;
	return 0;
}

static int digest_line(const char *alg_name, const char *hex, struct tao_digest *d)
{
	uint16_t alg;
	int n;

	if (tao_alg_from_name(alg_name, &alg) < 0)
		return -EINVAL;
	n = tao_hex_decode(hex, d->bytes, sizeof(d->bytes));
	if (n <= 0)
		return -EINVAL;
	d->alg = alg;
	d->size = (uint16_t)n;
	return 0;
}

int vec_evidence(const char *dir, const char *prefix, struct tao_evidence *ev)
{
	char name[256], a[64], b[256], c[8300];
	uint8_t *text;
	size_t len;
	FILE *f;
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->version = TAO_EVIDENCE_VERSION;
	ev->log_pcr = 13;
#define BLOB(field, suffix)                                           \
	do {                                                          \
		snprintf(name, sizeof(name), "%s%s", prefix, suffix); \
		rc = vec_blob(dir, name, field);                      \
		if (rc)                                               \
			goto fail;                                    \
	} while (0)
	BLOB(&ev->quote_attest, "-quote.msg");
	BLOB(&ev->quote_signature, "-quote.sig");
	BLOB(&ev->certify_attest, "-certify.msg");
	BLOB(&ev->certify_signature, "-certify.sig");
	BLOB(&ev->tls_key_public, "-idevid.tpmt");
	BLOB(&ev->iak_certs[0], "-iak.der");
	BLOB(&ev->idevid_certs[0], "-idevid.der");
#undef BLOB
	ev->n_iak_certs = ev->n_idevid_certs = 1;

	snprintf(name, sizeof(name), "%s.binder", prefix);
	rc = vec_read(dir, name, &text, &len);
	if (rc)
		goto fail;
	if (len != 32) {
		free(text);
		rc = -EINVAL;
		goto fail;
	}
	memcpy(ev->binder, text, 32);
	free(text);

	rc = -EINVAL;
	snprintf(name, sizeof(name), "%s/%s.pcrs.txt", dir, prefix);
	f = fopen(name, "r");
	if (!f)
		goto fail;
	while (fscanf(f, "%63s %255s %8299s", a, b, c) == 3) {
		struct tao_pcr_value *v = &ev->pcrs.v[ev->pcrs.n++];
		struct tao_digest d;

		if (digest_line(a, c, &d)) {
			fclose(f);
			goto fail;
		}
		v->alg = d.alg;
		v->index = (uint8_t)atoi(b);
		v->size = (uint8_t)d.size;
		memcpy(v->digest, d.bytes, d.size);
	}
	fclose(f);

	snprintf(name, sizeof(name), "%s/%s.at_load.txt", dir, prefix);
	f = fopen(name, "r");
	if (!f)
		goto fail;
	while (fscanf(f, "%63s %255s", a, b) == 2)
		if (digest_line(a, b, &ev->log_pcr_at_load.d[ev->log_pcr_at_load.n++])) {
			fclose(f);
			goto fail;
		}
	fclose(f);

	snprintf(name, sizeof(name), "%s/%s.log.txt", dir, prefix);
	f = fopen(name, "r");
	if (!f)
		goto fail;
	ev->entries = calloc(16, sizeof(*ev->entries));
	while (ev->entries && ev->n_entries < 16 && fscanf(f, "%63s %255s %8299s", a, b, c) == 3) {
		struct tao_evidence_entry *en = &ev->entries[ev->n_entries];
		struct iovec iov;
		int n;

		en->seq = (uint32_t)ev->n_entries;
		en->type = (uint32_t)strtoul(a, NULL, 0);
		en->name = strdup(b);
		en->has_data = true;
		en->data.bytes = malloc(strlen(c) / 2 + 1);
		ev->n_entries++;
		if (!en->name || !en->data.bytes)
			break;
		n = tao_hex_decode(c, en->data.bytes, strlen(c) / 2);
		if (n < 0)
			break;
		en->data.len = (size_t)n;
		iov = (struct iovec){ en->data.bytes, en->data.len };
		en->digests.n = 1;
		en->digests.d[0].alg = 0x000b;
		en->digests.d[0].size = 32;
		if (tao_hash(0x000b, &iov, 1, en->digests.d[0].bytes) != 32)
			break;
	}
	rc = feof(f) ? 0 : -EINVAL;
	fclose(f);
	if (!rc)
		return 0;
fail:
	tao_evidence_free(ev);
	return rc;
}
