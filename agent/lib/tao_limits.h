/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Bounds libtao puts on what it accepts: fixed-size buffers, bounded counts. */
#ifndef TAO_LIMITS_H
#define TAO_LIMITS_H

#include <linux/tao.h>

/* More banks than any TPM has algorithms for; a reply with more is refused. */
#define TAO_MAX_PCR_BANKS 16
/* SHA-512 and SHA3-512 are the largest digests a PCR bank can have. */
#define TAO_MAX_DIGEST_SIZE 64
/* Room for any message a libtao parser writes. */
#define TAO_ERRMSG_MAX 256
/* Every PCR of every bank: the most values a PCR_READ or QUOTE reply can carry. */
#define TAO_MAX_PCR_VALUES (TAO_PCR_COUNT * TAO_MAX_PCR_BANKS)

/* TPM2B_NAME contents: a nameAlg and a digest of at most 64 bytes (or a 4-byte handle). */
#define TAO_TPM_NAME_MAX (2 + TAO_MAX_DIGEST_SIZE)
/* A marshalled TPM2B_PUBLIC: a 4096-bit RSA key takes about 600 bytes. */
#define TAO_TPM2B_PUBLIC_MAX 1024
/* TPMS_ATTEST bytes: a quote over every PCR of 16 banks is well below 1 KiB. */
#define TAO_ATTEST_MAX 2048
/* TPMT_SIGNATURE bytes: an RSA-4096 signature is 518 bytes. */
#define TAO_SIGNATURE_MAX 1024

#endif /* TAO_LIMITS_H */
