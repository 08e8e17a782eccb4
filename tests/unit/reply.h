/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Test helpers: TAO_CMD_GET_INFO replies built in memory with libnl, as the kernel lays them out.
 */
#ifndef TAO_TEST_REPLY_H
#define TAO_TEST_REPLY_H

#include <stdint.h>

#include <netlink/msg.h>

#include "tao_info.h"

/* Any id will do: the parser does not look at it, the fake socket in test_nl.c uses it. */
#define TEST_FAMILY 0x1d

/* The reference TPM 2.0 (IBM's software TPM) that reply_tpm2() describes. */
#define REF_VERSION	 "0.1.0"
#define REF_DEVICE	 "tpm0"
#define REF_MANUFACTURER 0x49424d00u /* "IBM\0" */
#define REF_VENDOR	 "SW   TPM"
#define REF_FW1		 0x20191023u
#define REF_FW2		 0x00163636u
#define REF_REVISION	 164u
#define REF_YEAR	 2021u
#define REF_DAY		 299u
#define ALG_SHA1	 0x0004
#define ALG_SHA256	 0x000b
/* Its log: PCR 13, still at zero in both banks when the log started. */
#define REF_LOG_PCR	13u
#define REF_LOG_ENTRIES 2u
#define REF_LOG_BYTES	512u
#define REF_LOG_MAX	1048576u
/* Distinct counters, so that a mix-up shows. */
#define REF_STAT_MEASURE      1u
#define REF_STAT_QUOTE	      2u
#define REF_STAT_TPM_ERRORS   3u
#define REF_STAT_LOG_FULL     4u
#define REF_STAT_KEY_MISMATCH 5u

/* reply_tpm2(OMIT(TAO_A_X) | OMIT(TAO_A_Y)) leaves those attributes out. */
#define OMIT(attr) (1ull << (attr))
/* All the log's attributes of GET_INFO. */
#define OMIT_LOG                                                                 \
	(OMIT(TAO_A_LOG_PCR) | OMIT(TAO_A_LOG_ENTRIES) | OMIT(TAO_A_LOG_BYTES) | \
	 OMIT(TAO_A_LOG_MAX_BYTES) | OMIT(TAO_A_LOG_PCR_AT_LOAD) | OMIT(TAO_A_STATS))

/* An empty GET_INFO reply: netlink and genl headers only. */
struct nl_msg *reply_new(void);

/*
 * The reference reply: TPM 2.0, fixed properties, banks sha256 (32) then sha1 (20), the log
 * (PCR at load zero in both banks) and its counters.
 */
struct nl_msg *reply_tpm2(unsigned long long omit);

/* The reference TAO_A_STATS nest; omit as for reply_tpm2() but with TAO_A_STAT_* bits. */
void reply_put_stats(struct nl_msg *msg, unsigned long long omit);

/* A nest of type attr with one TAO_A_DIGESTS_ENTRY per (alg, size, fill byte) triple. */
void reply_put_digests(struct nl_msg *msg, int attr, int n, const int (*d)[3]);

/* One TAO_A_PCR_BANKS_ENTRY; a negative alg or digest_size leaves that attribute out. */
void reply_put_bank(struct nl_msg *msg, int alg, int digest_size);

/* Assert that info is exactly the reference reply. */
void assert_reference_tpm2(const struct tao_info *info);

/*
 * Parse msg (and free it); assert that it fails with rc and exactly errmsg, and that the output
 * struct is untouched.
 */
void expect_refusal(struct nl_msg *msg, int rc, const char *errmsg);

/* The bytes of tests/unit/vectors/NAME (malloc()ed, for free()); the test fails without it. */
uint8_t *vector_load(const char *name, size_t *len);

#endif /* TAO_TEST_REPLY_H */
