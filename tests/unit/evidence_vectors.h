/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Test helpers: evidence assembled from the raw swtpm outputs of vectors/evidence/. */
#ifndef TAO_TEST_EVIDENCE_VECTORS_H
#define TAO_TEST_EVIDENCE_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "tao_evidence.h"

/* tests/unit/vectors/evidence in the source tree. */
const char *vec_dir(void);

/* Read dir/name into a malloc()ed buffer (NUL-terminated too). Returns 0 or -errno. */
int vec_read(const char *dir, const char *name, uint8_t **out, size_t *len);

/* Replace *b by the contents of dir/name. Returns 0 or -errno. */
int vec_blob(const char *dir, const char *name, struct tao_blob *b);

/*
 * Assemble the evidence of device prefix ("a", "b") from the raw files in dir, as
 * make-vectors.sh wrote them. Returns 0 or -errno; *ev to tao_evidence_free().
 */
int vec_evidence(const char *dir, const char *prefix, struct tao_evidence *ev);

#endif
