/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Replaying the measurement log, independently of the module: the value the log PCR must have
 * in each bank after a number of entries, from its value when the log started. As the contract
 * says ("What is extended"), an entry of type T, name N and data digest D_b extends
 *
 *     E_b = H_b(be32(T) || be32(len(N)) || N || D_b)    as    PCR_b = H_b(PCR_b || E_b).
 *
 * Entries measured from data also have D_b checked against H_b(data).
 */
#ifndef TAO_REPLAY_H
#define TAO_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "tao_digest.h"
#include "tao_log.h"

/* A replay in progress. */
struct tao_replay {
	struct tao_digest_list pcrs; /* the PCR's value per bank so far */
	uint32_t entries;	     /* entries replayed: the seq expected next */
};

/*
 * Start from the log PCR's values when the log started (TAO_A_LOG_PCR_AT_LOAD). Returns 0, or
 * -EOPNOTSUPP (with a message in err) when a bank's hash is not one tao_md() has.
 */
int tao_replay_init(struct tao_replay *r, const struct tao_digest_list *pcr_at_load, char *err,
		    size_t errlen);

/*
 * Extend entry into every bank. The entry must be the next one (seq == r->entries) and have a
 * digest of the right size for every bank of the replay (others are ignored); an entry with data
 * must have D_b == H_b(data). Returns 0, or -EINVAL with a message in err, leaving r unchanged.
 */
int tao_replay_extend(struct tao_replay *r, const struct tao_log_entry *entry, char *err,
		      size_t errlen);

/*
 * The whole replay at once: the PCR's values after entries[0..n), which must be the log's first
 * n entries in order (seq 0..n-1). Replaying a prefix of the log is passing a smaller n. Returns
 * 0 and *out, or an error of the two functions above; *out is untouched on failure.
 */
int tao_log_replay(const struct tao_digest_list *pcr_at_load, const struct tao_log_entry *entries,
		   size_t n, struct tao_digest_list *out, char *err, size_t errlen);

#endif /* TAO_REPLAY_H */
