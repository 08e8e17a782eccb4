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

/* reply_tpm2(OMIT(TAO_A_X) | OMIT(TAO_A_Y)) leaves those attributes out. */
#define OMIT(attr) (1u << (attr))

/* An empty GET_INFO reply: netlink and genl headers only. */
struct nl_msg *reply_new(void);

/* The reference reply: TPM 2.0, fixed properties, banks sha256 (32) then sha1 (20). */
struct nl_msg *reply_tpm2(unsigned int omit);

/* One TAO_A_PCR_BANKS_ENTRY; a negative alg or digest_size leaves that attribute out. */
void reply_put_bank(struct nl_msg *msg, int alg, int digest_size);

/* Assert that info is exactly the reference reply. */
void assert_reference_tpm2(const struct tao_info *info);

/*
 * Parse msg (and free it); assert that it fails with rc and exactly errmsg, and that the output
 * struct is untouched.
 */
void expect_refusal(struct nl_msg *msg, int rc, const char *errmsg);

#endif /* TAO_TEST_REPLY_H */
