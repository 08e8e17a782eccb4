// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement log. Entries are packed records in 64 KiB chunks that only
 * ever grow: a record is written once, before it becomes visible, and never
 * changes. Per entry the log spends a 12-byte header and at most 3 bytes of
 * padding beyond the digests, the name and the data.
 *
 * Each entry of type T, name N and data digest D_b is extended into the log
 * PCR of every bank b as E_b = H_b(be32(T) || be32(len(N)) || N || D_b).
 */

#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include "compat.h"

#include <linux/tao.h>
#include "log.h"
#include "tpm.h"

#define TAO_CHUNK_SIZE		(64 * 1024)

struct tao_chunk {
	u32 first_seq;
	u32 count;
	u32 used;
	u32 reserved;
	u8 data[];
};

#define TAO_CHUNK_DATA		(TAO_CHUNK_SIZE - sizeof(struct tao_chunk))

struct tao_rec {
	u32 type;
	u16 name_len;
	u8 has_data;
	u8 reserved;
	u32 data_len;
	/* digests, name, data; the record is padded to 4 bytes */
};

static struct {
	/* Protects the chunk table and the counts; held briefly. */
	struct mutex lock;
	struct tao_chunk **chunks;
	u32 nr_chunks;
	u32 cap_chunks;
	u32 entries;
	u64 bytes;
	u64 max_bytes;
	u32 pcr;
	bool started;
	unsigned int nr_banks;
	struct tao_bank banks[TPM2_MAX_PCR_BANKS];
	unsigned int digest_off[TPM2_MAX_PCR_BANKS + 1];
	u8 *pcr_at_load;
} tao_log;

int tao_log_init(u32 pcr, u64 max_bytes)
{
	mutex_init(&tao_log.lock);
	tao_log.pcr = pcr;
	tao_log.max_bytes = max_bytes;
	return 0;
}

void tao_log_exit(void)
{
	unsigned int i;

	for (i = 0; i < tao_log.nr_chunks; i++)
		kvfree(tao_log.chunks[i]);
	kfree(tao_log.chunks);
	for (i = 0; i < tao_log.nr_banks; i++)
		if (tao_log.banks[i].tfm)
			crypto_free_shash(tao_log.banks[i].tfm);
	kfree(tao_log.pcr_at_load);
	memset(&tao_log, 0, sizeof(tao_log));
}

bool tao_log_started(void)
{
	return READ_ONCE(tao_log.started);
}

unsigned int tao_log_banks(const struct tao_bank **banks)
{
	*banks = tao_log.banks;
	return tao_log.nr_banks;
}

unsigned int tao_log_digest_offset(unsigned int i)
{
	return tao_log.digest_off[i];
}

int tao_log_bank_index(u16 alg)
{
	unsigned int i;

	for (i = 0; i < tao_log.nr_banks; i++)
		if (tao_log.banks[i].alg == alg)
			return i;
	return -ENOENT;
}

const u8 *tao_log_pcr_at_load(void)
{
	return tao_log.pcr_at_load;
}

u32 tao_log_pcr(void)
{
	return tao_log.pcr;
}

u32 tao_log_entries(void)
{
	return READ_ONCE(tao_log.entries);
}

u64 tao_log_bytes(void)
{
	return READ_ONCE(tao_log.bytes);
}

u64 tao_log_max_bytes(void)
{
	return tao_log.max_bytes;
}

void tao_log_read_lock(void)
{
	mutex_lock(&tao_log.lock);
}

void tao_log_read_unlock(void)
{
	mutex_unlock(&tao_log.lock);
}

static int tao_hashv(unsigned int i, const u8 *const *parts,
		     const size_t *lens, unsigned int n, u8 *out)
{
	struct crypto_shash *tfm = tao_log.banks[i].tfm;
	unsigned int j;
	int rc;

	if (!tfm)
		return -EOPNOTSUPP;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		rc = crypto_shash_init(desc);
		for (j = 0; !rc && j < n; j++)
			rc = crypto_shash_update(desc, parts[j], lens[j]);
		if (!rc)
			rc = crypto_shash_final(desc, out);
		shash_desc_zero(desc);
	}
	return rc;
}

static int tao_log_hash(unsigned int i, const u8 *data, size_t len, u8 *out)
{
	return tao_hashv(i, &data, &len, 1, out);
}

static size_t tao_rec_size(u16 name_len, u32 data_len)
{
	return ALIGN(sizeof(struct tao_rec) + tao_log.digest_off[tao_log.nr_banks] +
		     name_len + data_len, 4);
}

/*
 * Finds room for a record of size bytes: the current chunk, or a new one
 * that the limit allows. Returns where to write it; it becomes visible only
 * when tao_log_commit() counts it.
 */
static u8 *tao_log_reserve(size_t size)
{
	struct tao_chunk *c = NULL, **table;
	u32 cap;

	lockdep_assert_held(&tao_log.lock);
	if (tao_log.nr_chunks)
		c = tao_log.chunks[tao_log.nr_chunks - 1];
	if (c && c->used + size <= TAO_CHUNK_DATA)
		return c->data + c->used;

	if (tao_log.bytes + TAO_CHUNK_SIZE > tao_log.max_bytes)
		return ERR_PTR(-ENOSPC);
	if (tao_log.nr_chunks == tao_log.cap_chunks) {
		cap = max(16U, tao_log.cap_chunks * 2);
		table = krealloc_array(tao_log.chunks, cap, sizeof(*table),
				       GFP_KERNEL);
		if (!table)
			return ERR_PTR(-ENOMEM);
		tao_log.chunks = table;
		tao_log.cap_chunks = cap;
	}
	c = kvmalloc(TAO_CHUNK_SIZE, GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->first_seq = tao_log.entries;
	c->count = 0;
	c->used = 0;
	c->reserved = 0;
	/* An empty chunk is harmless if the extend then fails. */
	tao_log.chunks[tao_log.nr_chunks++] = c;
	tao_log.bytes += TAO_CHUNK_SIZE;
	return c->data;
}

static void tao_log_commit(size_t size)
{
	struct tao_chunk *c = tao_log.chunks[tao_log.nr_chunks - 1];

	lockdep_assert_held(&tao_log.lock);
	c->used += size;
	c->count++;
	WRITE_ONCE(tao_log.entries, tao_log.entries + 1);
}

int tao_log_append(struct tpm_chip *chip, u32 type, const char *name,
		   u16 name_len, const u8 *data, u32 data_len, bool has_data,
		   const u8 *digests, u32 *seq)
{
	unsigned int nb = tao_log.nr_banks, dsize, i;
	int rc = 0;
	struct tpm_digest *ext = NULL;
	u8 *dig = NULL, *dst;
	struct tao_rec rec = { };
	__be32 hdr[2];
	size_t size;

	if (!tao_log.started && type != TAO_EVENT_MODULE_LOAD)
		return -ENODEV;
	dsize = tao_log.digest_off[nb];
	dig = kmalloc(dsize, GFP_KERNEL);
	ext = kcalloc(nb, sizeof(*ext), GFP_KERNEL);
	if (!dig || !ext) {
		rc = -ENOMEM;
		goto out;
	}

	hdr[0] = cpu_to_be32(type);
	hdr[1] = cpu_to_be32(name_len);
	for (i = 0; i < nb; i++) {
		u8 *d = dig + tao_log.digest_off[i];
		const u8 *parts[3] = { (const u8 *)hdr, name, d };
		size_t lens[3] = { sizeof(hdr), name_len, tao_log.banks[i].size };

		if (digests)
			memcpy(d, digests + tao_log.digest_off[i],
			       tao_log.banks[i].size);
		else
			rc = tao_log_hash(i, data, data_len, d);
		if (!digests && rc)
			goto out;
		ext[i].alg_id = tao_log.banks[i].alg;
		rc = tao_hashv(i, parts, lens, ARRAY_SIZE(parts),
			       ext[i].digest);
		if (rc)
			goto out;
	}

	size = tao_rec_size(name_len, has_data ? data_len : 0);
	mutex_lock(&tao_log.lock);
	dst = tao_log_reserve(size);
	mutex_unlock(&tao_log.lock);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out;
	}

	/*
	 * The PCR first: an entry is never visible that the PCR does not
	 * hold. Only the caller's operation lock lets appends in, so dst
	 * stays ours while the TPM works.
	 */
	rc = tao_tpm_extend(chip, tao_log.pcr, ext);
	if (rc)
		goto out;

	rec.type = type;
	rec.name_len = name_len;
	rec.has_data = has_data;
	rec.data_len = has_data ? data_len : 0;
	memcpy(dst, &rec, sizeof(rec));
	memcpy(dst + sizeof(rec), dig, dsize);
	memcpy(dst + sizeof(rec) + dsize, name, name_len);
	if (has_data)
		memcpy(dst + sizeof(rec) + dsize + name_len, data, data_len);
	memset(dst + sizeof(rec) + dsize + name_len + rec.data_len, 0,
	       size - (sizeof(rec) + dsize + name_len + rec.data_len));

	mutex_lock(&tao_log.lock);
	*seq = tao_log.entries;
	tao_log_commit(size);
	mutex_unlock(&tao_log.lock);
out:
	kfree(ext);
	kfree(dig);
	return rc;
}

static int tao_log_init_banks(struct tpm_chip *chip)
{
	unsigned int i, off = 0;

	if (chip->nr_allocated_banks > TPM2_MAX_PCR_BANKS ||
	    !chip->nr_allocated_banks)
		return -EPROTO;
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		struct tao_bank *b = &tao_log.banks[i];
		u16 crypto_id = chip->allocated_banks[i].crypto_id;

		b->alg = chip->allocated_banks[i].alg_id;
		b->size = chip->allocated_banks[i].digest_size;
		b->tfm = NULL;
		if (b->size > TPM2_MAX_DIGEST_SIZE)
			return -EPROTO;
		if (crypto_id < HASH_ALGO__LAST) {
			b->tfm = crypto_alloc_shash(hash_algo_name[crypto_id],
						    0, 0);
			if (IS_ERR(b->tfm))
				b->tfm = NULL;
		}
		if (b->tfm && crypto_shash_digestsize(b->tfm) != b->size) {
			crypto_free_shash(b->tfm);
			b->tfm = NULL;
		}
		if (!b->tfm)
			pr_warn("PCR bank 0x%04x: no kernel hash; measurements disabled\n",
				b->alg);
		tao_log.digest_off[i] = off;
		off += b->size;
		tao_log.nr_banks = i + 1;
	}
	tao_log.digest_off[i] = off;
	return 0;
}

int tao_log_start(struct tpm_chip *chip, const char *version)
{
	unsigned int i, j;
	struct tpm_digest d;
	size_t len = 0, cap = 512;
	char *text = NULL;
	u32 seq;
	int rc;

	if (tao_log.started)
		return 0;
	if (tao_log.nr_banks == 0) {
		rc = tao_log_init_banks(chip);
		if (rc)
			return rc;
	}
	for (i = 0; i < tao_log.nr_banks; i++)
		if (!tao_log.banks[i].tfm)
			return -EOPNOTSUPP;

	if (!tao_log.pcr_at_load) {
		tao_log.pcr_at_load = kzalloc(tao_log.digest_off[tao_log.nr_banks],
					      GFP_KERNEL);
		if (!tao_log.pcr_at_load)
			return -ENOMEM;
	}
	text = kmalloc(cap, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	len += scnprintf(text + len, cap - len,
			 "version %s\npcr %u\nlog_max_bytes %llu\n", version,
			 tao_log.pcr, tao_log.max_bytes);
	for (i = 0; i < tao_log.nr_banks; i++) {
		u8 *at = tao_log.pcr_at_load + tao_log.digest_off[i];

		memset(&d, 0, sizeof(d));
		d.alg_id = tao_log.banks[i].alg;
		rc = tao_tpm_pcr_read_one(chip, tao_log.pcr, &d);
		if (rc)
			goto out;
		memcpy(at, d.digest, tao_log.banks[i].size);
		len += scnprintf(text + len, cap - len, "pcr_at_load 0x%04x ",
				 tao_log.banks[i].alg);
		for (j = 0; j < tao_log.banks[i].size; j++)
			len += scnprintf(text + len, cap - len, "%02x", at[j]);
		len += scnprintf(text + len, cap - len, "\n");
	}
	if (len >= cap - 1) {
		rc = -EOVERFLOW;
		goto out;
	}

	WRITE_ONCE(tao_log.started, true);
	rc = tao_log_append(chip, TAO_EVENT_MODULE_LOAD, "tao", 3, text, len,
			    true, NULL, &seq);
	if (rc) {
		WRITE_ONCE(tao_log.started, false);
		goto out;
	}
	pr_info("measurement log started in PCR %u\n", tao_log.pcr);
out:
	kfree(text);
	return rc;
}

/* Places c at c->seq: the chunk that holds it, then a walk inside. */
static int tao_log_place(struct tao_log_cursor *c)
{
	u32 lo = 0, hi = tao_log.nr_chunks, mid, i;
	struct tao_chunk *ch;
	struct tao_rec *r;
	u32 off = 0;

	if (c->seq >= tao_log.entries)
		return -ENOENT;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tao_log.chunks[mid]->first_seq <= c->seq)
			lo = mid;
		else
			hi = mid;
	}
	/* Skip empty chunks left by failed extends. */
	while (lo < tao_log.nr_chunks && !tao_log.chunks[lo]->count)
		lo++;
	if (lo == tao_log.nr_chunks)
		return -ENOENT;
	ch = tao_log.chunks[lo];
	for (i = ch->first_seq; i < c->seq; i++) {
		r = (struct tao_rec *)(ch->data + off);
		off += tao_rec_size(r->name_len, r->data_len);
	}
	c->chunk = lo;
	c->off = off;
	c->placed = true;
	return 0;
}

int tao_log_read(struct tao_log_cursor *c, struct tao_log_entry *e)
{
	struct tao_chunk *ch;
	struct tao_rec *r;
	const u8 *p;
	int rc;

	lockdep_assert_held(&tao_log.lock);
	if (c->seq >= tao_log.entries)
		return -ENOENT;
	if (!c->placed) {
		rc = tao_log_place(c);
		if (rc)
			return rc;
	}
	ch = tao_log.chunks[c->chunk];
	if (c->off >= ch->used) {
		do {
			c->chunk++;
		} while (c->chunk < tao_log.nr_chunks &&
			 !tao_log.chunks[c->chunk]->count);
		if (c->chunk >= tao_log.nr_chunks)
			return -ENOENT;
		ch = tao_log.chunks[c->chunk];
		c->off = 0;
	}
	r = (struct tao_rec *)(ch->data + c->off);
	p = (const u8 *)(r + 1);
	e->seq = c->seq;
	e->type = r->type;
	e->name_len = r->name_len;
	e->has_data = r->has_data;
	e->data_len = r->data_len;
	e->digests = p;
	e->name = (const char *)p + tao_log.digest_off[tao_log.nr_banks];
	e->data = (const u8 *)e->name + r->name_len;
	c->off += tao_rec_size(r->name_len, r->data_len);
	c->seq++;
	return 0;
}
