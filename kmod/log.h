/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measurement log: append-only records in large chunks, one PCR
 * extended with each, and the hashing that ties them together.
 */
#ifndef TAO_LOG_H
#define TAO_LOG_H

#include <linux/types.h>
#include <linux/tpm.h>

struct tao_bank {
	u16 alg;
	u16 size;
	struct crypto_shash *tfm;	/* NULL: the kernel cannot hash it */
};

/* A view of one record, valid while the log's read lock is held. */
struct tao_log_entry {
	u32 seq;
	u32 type;
	const char *name;	/* not NUL-terminated */
	u16 name_len;
	bool has_data;
	const u8 *data;
	u32 data_len;
	const u8 *digests;	/* each bank's data digest, in bank order */
};

/* Where a reader is; kept in a dump's context between calls. */
struct tao_log_cursor {
	u32 seq;
	u32 chunk;
	u32 off;
	bool placed;
};

int tao_log_init(u32 pcr, u64 max_bytes);
void tao_log_exit(void);

/*
 * Starts the log on chip (banks, PCR values at load, entry 0) unless it has
 * started. Called with the caller's operation lock held, as are the two
 * below: every append and every quote is serialised by it.
 */
int tao_log_start(struct tpm_chip *chip, const char *version);
bool tao_log_started(void);

/*
 * Appends an entry and extends the PCR with it. digests: each bank's data
 * digest in bank order, or NULL to hash data. Nothing is extended or
 * appended on error.
 */
int tao_log_append(struct tpm_chip *chip, u32 type, const char *name,
		   u16 name_len, const u8 *data, u32 data_len, bool has_data,
		   const u8 *digests, u32 *seq);

unsigned int tao_log_banks(const struct tao_bank **banks);
/* Offset of bank i's digest in an entry's digests; total size for i = n. */
unsigned int tao_log_digest_offset(unsigned int i);
int tao_log_bank_index(u16 alg);
const u8 *tao_log_pcr_at_load(void);	/* digests in bank order */

u32 tao_log_pcr(void);
u32 tao_log_entries(void);
u64 tao_log_bytes(void);
u64 tao_log_max_bytes(void);

void tao_log_read_lock(void);
void tao_log_read_unlock(void);
/* Reads the entry at c (placing c at c->seq first) and moves c on. */
int tao_log_read(struct tao_log_cursor *c, struct tao_log_entry *e);

#endif /* TAO_LOG_H */
