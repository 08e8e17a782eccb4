// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Replaying the measurement log from the PCR's values at load: see tao_replay.h. */
#include "tao_replay.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "tao_crypto.h"
#include "tao_json.h"
#include "tao_nla.h"

int tao_replay_init(struct tao_replay *r, const struct tao_digest_list *pcr_at_load, char *err,
		    size_t errlen)
{
	struct tao_perr e = { err, errlen };
	char key[8];

	if (err && errlen)
		err[0] = '\0';
	if (pcr_at_load->n == 0)
		return tao_fail(&e, -EINVAL, "no PCR bank to replay");
	for (size_t i = 0; i < pcr_at_load->n; i++) {
		const struct tao_digest *d = &pcr_at_load->d[i];
		const EVP_MD *md = tao_md(d->alg);

		if (!md)
			return tao_fail(&e, -EOPNOTSUPP,
					"cannot replay bank %s: its hash is not supported",
					tao_json_bank_key(d->alg, key));
		if (EVP_MD_get_size(md) != d->size)
			return tao_fail(&e, -EINVAL, "bank %s has a PCR of %u bytes, expected %d",
					tao_json_bank_key(d->alg, key), d->size,
					EVP_MD_get_size(md));
		/* Sizes of the known hashes are checked by every parser; keep this safe anyway. */
		for (size_t j = 0; j < i; j++)
			if (pcr_at_load->d[j].alg == d->alg)
				return tao_fail(&e, -EINVAL, "bank %s is listed twice",
						tao_json_bank_key(d->alg, key));
	}
	memset(r, 0, sizeof(*r));
	r->pcrs = *pcr_at_load;
	return 0;
}

int tao_replay_extend(struct tao_replay *r, const struct tao_log_entry *entry, char *err,
		      size_t errlen)
{
	struct tao_perr e = { err, errlen };
	struct tao_digest_list next = r->pcrs;
	uint8_t hdr[8];
	char key[8];

	if (err && errlen)
		err[0] = '\0';
	if (entry->seq != r->entries)
		return tao_fail(&e, -EINVAL, "log entry %u comes where entry %u was expected",
				entry->seq, r->entries);
	hdr[0] = (uint8_t)(entry->type >> 24);
	hdr[1] = (uint8_t)(entry->type >> 16);
	hdr[2] = (uint8_t)(entry->type >> 8);
	hdr[3] = (uint8_t)entry->type;
	hdr[4] = (uint8_t)(entry->name_len >> 24);
	hdr[5] = (uint8_t)(entry->name_len >> 16);
	hdr[6] = (uint8_t)(entry->name_len >> 8);
	hdr[7] = (uint8_t)entry->name_len;
	for (size_t i = 0; i < next.n; i++) {
		struct tao_digest *pcr = &next.d[i];
		const struct tao_digest *d = tao_digest_list_find(&entry->digests, pcr->alg);
		uint8_t event[TAO_MAX_DIGEST_SIZE];
		int len;

		if (!d)
			return tao_fail(&e, -EINVAL, "log entry %u has no %s digest", entry->seq,
					tao_json_bank_key(pcr->alg, key));
		if (d->size != pcr->size)
			return tao_fail(&e, -EINVAL,
					"log entry %u has a %s digest of %u bytes, expected %u",
					entry->seq, tao_json_bank_key(pcr->alg, key), d->size,
					pcr->size);
		if (entry->has_data) {
			uint8_t want[TAO_MAX_DIGEST_SIZE];
			struct iovec data = { (void *)entry->data, entry->data_len };

			len = tao_hash(pcr->alg, &data, 1, want);
			if (len < 0)
				return tao_fail(&e, len, "hashing failed");
			if (len != d->size || memcmp(want, d->bytes, d->size) != 0)
				return tao_fail(
					&e, -EINVAL,
					"log entry %u: its %s digest is not the hash of its "
					"data",
					entry->seq, tao_json_bank_key(pcr->alg, key));
		}
		{
			struct iovec parts[] = {
				{ hdr, sizeof(hdr) },
				{ (void *)entry->name, entry->name_len },
				{ (void *)d->bytes, d->size },
			};

			len = tao_hash(pcr->alg, parts, 3, event);
		}
		if (len == pcr->size) {
			struct iovec parts[] = { { pcr->bytes, pcr->size },
						 { event, (size_t)len } };

			len = tao_hash(pcr->alg, parts, 2, pcr->bytes);
		}
		if (len != pcr->size)
			return tao_fail(&e, len < 0 ? len : -EINVAL, "hashing failed");
	}
	r->pcrs = next;
	r->entries++;
	return 0;
}

int tao_log_replay(const struct tao_digest_list *pcr_at_load, const struct tao_log_entry *entries,
		   size_t n, struct tao_digest_list *out, char *err, size_t errlen)
{
	struct tao_replay r;
	int rc;

	rc = tao_replay_init(&r, pcr_at_load, err, errlen);
	for (size_t i = 0; !rc && i < n; i++)
		rc = tao_replay_extend(&r, &entries[i], err, errlen);
	if (rc)
		return rc;
	*out = r.pcrs;
	return 0;
}
