/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A bounds-checked reader of TPM-marshalled (big-endian) structures, internal to libtao's TPM
 * parsers. Every read names the field it reads, so that a failure says where the bytes ran out.
 */
#ifndef TAO_TPM_RD_H
#define TAO_TPM_RD_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tao_nla.h"

struct tao_rd {
	const uint8_t *buf;
	size_t len, off;
	const char *what; /* the structure: "TPMS_ATTEST" */
	struct tao_perr *e;
};

static inline int tao_rd_need(struct tao_rd *r, size_t n, const char *field)
{
	if (r->len - r->off >= n)
		return 0;
	return tao_fail(r->e, -EBADMSG,
			"%s is truncated: %s needs %zu bytes at offset %zu, %zu left", r->what,
			field, n, r->off, r->len - r->off);
}

static inline int tao_rd_u8(struct tao_rd *r, uint8_t *v, const char *field)
{
	int rc = tao_rd_need(r, 1, field);

	if (rc)
		return rc;
	*v = r->buf[r->off++];
	return 0;
}

static inline int tao_rd_u16(struct tao_rd *r, uint16_t *v, const char *field)
{
	int rc = tao_rd_need(r, 2, field);

	if (rc)
		return rc;
	*v = (uint16_t)(r->buf[r->off] << 8 | r->buf[r->off + 1]);
	r->off += 2;
	return 0;
}

static inline int tao_rd_u32(struct tao_rd *r, uint32_t *v, const char *field)
{
	int rc = tao_rd_need(r, 4, field);
	const uint8_t *p = r->buf + r->off;

	if (rc)
		return rc;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	r->off += 4;
	return 0;
}

static inline int tao_rd_u64(struct tao_rd *r, uint64_t *v, const char *field)
{
	int rc = tao_rd_need(r, 8, field);

	if (rc)
		return rc;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v = *v << 8 | r->buf[r->off++];
	return 0;
}

/* A TPM2B: a u16 size, at most max, then that many bytes, copied to out (if not NULL). */
static inline int tao_rd_tpm2b(struct tao_rd *r, uint8_t *out, size_t max, size_t *len,
			       const char *field)
{
	uint16_t size;
	int rc = tao_rd_u16(r, &size, field);

	if (rc)
		return rc;
	if (size > max)
		return tao_fail(r->e, -EBADMSG, "%s: %s is %u bytes long, at most %zu allowed",
				r->what, field, size, max);
	rc = tao_rd_need(r, size, field);
	if (rc)
		return rc;
	if (out)
		memcpy(out, r->buf + r->off, size);
	r->off += size;
	*len = size;
	return 0;
}

/* Refuse bytes after the structure. */
static inline int tao_rd_end(struct tao_rd *r)
{
	if (r->off == r->len)
		return 0;
	return tao_fail(r->e, -EBADMSG, "%s has %zu trailing bytes after its end at offset %zu",
			r->what, r->len - r->off, r->off);
}

#endif /* TAO_TPM_RD_H */
