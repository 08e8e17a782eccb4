// SPDX-License-Identifier: GPL-2.0
/*
 * TPM access for tao: finding the chip, and every TPM2 command, built and
 * parsed here. This is the one file to change for kernels whose TPM API
 * differs (6.10 moved tpm_buf out of line and removed tpm_send(); the calls
 * used here exist unchanged from 6.1 to 6.12).
 *
 * A command runs between tpm_try_get_ops() and tpm_put_ops(); nothing in such
 * a span may call a self-locking tpm_* wrapper, since the chip's tpm_mutex is
 * not recursive. The module never creates transient objects or sessions (it
 * uses persistent keys and password sessions), so nothing needs flushing.
 */

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include "compat.h"

#include <linux/tao.h>
#include "tpm.h"

#define TAO_TPM2_CC_QUOTE		0x00000158
#define TAO_TPM2_CC_READ_PUBLIC		0x00000173
#define TAO_TPM2_CC_GET_CAPABILITY	0x0000017a
#define TAO_TPM2_CC_PCR_READ		0x0000017e
#define TAO_TPM2_CAP_HANDLES		0x00000001
#define TAO_TPM2_CAP_TPM_PROPERTIES	0x00000006
#define TAO_TPM2_PT_FIXED		0x00000100
#define TAO_TPM2_PT_REVISION		(TAO_TPM2_PT_FIXED + 2)
#define TAO_TPM2_PT_DAY_OF_YEAR		(TAO_TPM2_PT_FIXED + 3)
#define TAO_TPM2_PT_YEAR		(TAO_TPM2_PT_FIXED + 4)
#define TAO_TPM2_PT_MANUFACTURER	(TAO_TPM2_PT_FIXED + 5)
#define TAO_TPM2_PT_VENDOR_STRING_1	(TAO_TPM2_PT_FIXED + 6)
#define TAO_TPM2_PT_VENDOR_STRING_4	(TAO_TPM2_PT_FIXED + 9)
#define TAO_TPM2_PT_FIRMWARE_VERSION_1	(TAO_TPM2_PT_FIXED + 11)
#define TAO_TPM2_PT_FIRMWARE_VERSION_2	(TAO_TPM2_PT_FIXED + 12)
/* From TPM_PT_FAMILY_INDICATOR up to TPM_PT_FIRMWARE_VERSION_2. */
#define TAO_TPM2_PT_FIXED_COUNT		13
#define TAO_TPM2_ST_ATTEST_QUOTE	0x8018
#define TAO_TPM2_PCR_SELECT_BYTES	3
/* How often PCR_Read starts over when the PCRs change under it. */
#define TAO_PCR_READ_TRIES		3

/* Protects tao_chip, the chip the module holds a device reference on. */
static DEFINE_MUTEX(tao_chip_lock);
static struct tpm_chip *tao_chip;

/* A bounds-checked reader over a TPM response. */
struct tao_rd {
	const u8 *p;
	size_t left;
};

static bool tao_rd_u8(struct tao_rd *rd, u8 *v)
{
	if (rd->left < 1)
		return false;
	*v = *rd->p;
	rd->p++;
	rd->left--;
	return true;
}

static bool tao_rd_u16(struct tao_rd *rd, u16 *v)
{
	if (rd->left < 2)
		return false;
	*v = get_unaligned_be16(rd->p);
	rd->p += 2;
	rd->left -= 2;
	return true;
}

static bool tao_rd_u32(struct tao_rd *rd, u32 *v)
{
	if (rd->left < 4)
		return false;
	*v = get_unaligned_be32(rd->p);
	rd->p += 4;
	rd->left -= 4;
	return true;
}

static bool tao_rd_skip(struct tao_rd *rd, size_t n)
{
	if (rd->left < n)
		return false;
	rd->p += n;
	rd->left -= n;
	return true;
}

/* A TPM2B: u16 size, then that many bytes; *data points into the response. */
static bool tao_rd_tpm2b(struct tao_rd *rd, const u8 **data, u16 *len)
{
	if (!tao_rd_u16(rd, len) || rd->left < *len)
		return false;
	*data = rd->p;
	return tao_rd_skip(rd, *len);
}

/* Called with tao_chip_lock held. */
static void tao_tpm_probe(void)
{
	lockdep_assert_held(&tao_chip_lock);
	if (tao_chip)
		return;
	tao_chip = tpm_default_chip();
	if (tao_chip)
		pr_info("using TPM device %s\n", dev_name(&tao_chip->dev));
}

int tao_tpm_init(void)
{
	mutex_lock(&tao_chip_lock);
	tao_tpm_probe();
	if (!tao_chip)
		pr_info("no TPM found; the module will look again when asked\n");
	mutex_unlock(&tao_chip_lock);
	return 0;
}

void tao_tpm_exit(void)
{
	mutex_lock(&tao_chip_lock);
	if (tao_chip)
		put_device(&tao_chip->dev);
	tao_chip = NULL;
	mutex_unlock(&tao_chip_lock);
}

struct tpm_chip *tao_tpm_get(u32 *state)
{
	struct tpm_chip *chip;
	int rc;

	mutex_lock(&tao_chip_lock);
	tao_tpm_probe();
	chip = tao_chip;
	if (chip)
		get_device(&chip->dev);
	mutex_unlock(&tao_chip_lock);

	if (!chip) {
		*state = TAO_TPM_STATE_NONE;
		return NULL;
	}

	rc = tpm_is_tpm2(chip);
	if (rc < 0) {
		/*
		 * The driver is gone. Forget the chip so that a chip that
		 * registers later is found.
		 */
		mutex_lock(&tao_chip_lock);
		if (tao_chip == chip) {
			pr_warn("TPM device %s went away\n",
				dev_name(&chip->dev));
			put_device(&chip->dev);
			tao_chip = NULL;
		}
		mutex_unlock(&tao_chip_lock);
		put_device(&chip->dev);
		*state = TAO_TPM_STATE_GONE;
		return NULL;
	}
	if (!rc) {
		put_device(&chip->dev);
		*state = TAO_TPM_STATE_TPM12;
		return NULL;
	}
	*state = TAO_TPM_STATE_TPM2;
	return chip;
}

void tao_tpm_put(struct tpm_chip *chip)
{
	if (chip)
		put_device(&chip->dev);
}

int tao_tpm_lock(struct tpm_chip *chip)
{
	return tpm_try_get_ops(chip);
}

void tao_tpm_unlock(struct tpm_chip *chip)
{
	tpm_put_ops(chip);
}

int tao_tpm_rc_errno(u32 rc)
{
	if (rc & 0x80) {		/* format one: error number in bits 0-5 */
		switch (rc & 0xbf) {
		case 0x8b:		/* TPM_RC_HANDLE */
			return -ENOENT;
		case 0x8e:		/* TPM_RC_AUTH_FAIL */
		case 0x9d:		/* TPM_RC_POLICY_FAIL */
		case 0xa2:		/* TPM_RC_BAD_AUTH */
			return -EACCES;
		default:
			return -EINVAL;
		}
	}
	switch (rc) {
	case 0x908:			/* TPM_RC_YIELDED */
	case 0x909:			/* TPM_RC_CANCELED */
	case 0x90a:			/* TPM_RC_TESTING */
	case 0x920:			/* TPM_RC_NV_RATE */
	case 0x922:			/* TPM_RC_RETRY */
		return -EAGAIN;
	case 0x921:			/* TPM_RC_LOCKOUT */
		return -EACCES;
	default:
		return -EIO;
	}
}

/*
 * Sends buf (ops held) and returns 0 with a reader over the response body
 * past the header, a negative errno, or the TPM's response code.
 */
static int tao_transmit(struct tpm_chip *chip, struct tpm_buf *buf,
			struct tao_rd *rd)
{
	ssize_t rc;
	u32 len;

	if (buf->flags & TPM_BUF_OVERFLOW)
		return -EINVAL;
	/* desc NULL: the caller reports TPM errors, the core stays quiet. */
	rc = tpm_transmit_cmd(chip, buf, 0, NULL);
	if (rc)
		return rc;
	len = tpm_buf_length(buf);
	if (len < TPM_HEADER_SIZE || len > PAGE_SIZE)
		return -EPROTO;
	rd->p = buf->data + TPM_HEADER_SIZE;
	rd->left = len - TPM_HEADER_SIZE;
	return 0;
}

/* For commands sent with sessions: the parameter area, without the auth area. */
static int tao_rd_params(struct tao_rd *rd)
{
	u32 size;

	if (!tao_rd_u32(rd, &size) || size > rd->left)
		return -EPROTO;
	rd->left = size;
	return 0;
}

static void tao_put_selection(struct tpm_buf *buf,
			      const struct tao_pcr_sel *sel, unsigned int nsel)
{
	unsigned int i;

	tpm_buf_append_u32(buf, nsel);
	for (i = 0; i < nsel; i++) {
		tpm_buf_append_u16(buf, sel[i].alg);
		tpm_buf_append_u8(buf, TAO_TPM2_PCR_SELECT_BYTES);
		tpm_buf_append_u8(buf, sel[i].mask & 0xff);
		tpm_buf_append_u8(buf, (sel[i].mask >> 8) & 0xff);
		tpm_buf_append_u8(buf, (sel[i].mask >> 16) & 0xff);
	}
}

/* Parses a TPML_PCR_SELECTION into sel (room for max entries). */
static int tao_rd_selection(struct tao_rd *rd, struct tao_pcr_sel *sel,
			    unsigned int max, unsigned int *nsel)
{
	u32 count, i;
	u8 size, b;
	unsigned int j;

	if (!tao_rd_u32(rd, &count) || count > max)
		return -EPROTO;
	for (i = 0; i < count; i++) {
		if (!tao_rd_u16(rd, &sel[i].alg) || !tao_rd_u8(rd, &size))
			return -EPROTO;
		sel[i].mask = 0;
		for (j = 0; j < size; j++) {
			if (!tao_rd_u8(rd, &b))
				return -EPROTO;
			if (j >= TAO_TPM2_PCR_SELECT_BYTES) {
				if (b)
					return -EPROTO;
				continue;
			}
			sel[i].mask |= (u32)b << (8 * j);
		}
	}
	*nsel = count;
	return 0;
}

static void tao_vendor_append(char *vendor, size_t *len, u32 word)
{
	int shift;

	for (shift = 24; shift >= 0; shift -= 8) {
		char c = (word >> shift) & 0xff;

		if (c && *len < TAO_VENDOR_STRING_MAX)
			vendor[(*len)++] = c;
	}
	vendor[*len] = '\0';
}

/*
 * Parses the body of a TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) response.
 * Every property tao reports must be present: they are all mandatory in
 * TPM_PT_FIXED, so a TPM that omits one answered something else.
 */
static int tao_parse_props(struct tao_rd *rd, struct tao_tpm_props *props)
{
	struct tao_tpm_props p = { };
	u32 cap, count, i, prop, value, seen = 0;
	size_t vlen = 0;
	u32 vwords[4] = { };
	u8 more;

	if (!tao_rd_u8(rd, &more) || !tao_rd_u32(rd, &cap) ||
	    !tao_rd_u32(rd, &count))
		return -EPROTO;
	if (cap != TAO_TPM2_CAP_TPM_PROPERTIES || count > rd->left / 8)
		return -EPROTO;

	for (i = 0; i < count; i++) {
		if (!tao_rd_u32(rd, &prop) || !tao_rd_u32(rd, &value))
			return -EPROTO;
		if (prop < TAO_TPM2_PT_FIXED ||
		    prop >= TAO_TPM2_PT_FIXED + TAO_TPM2_PT_FIXED_COUNT)
			continue;
		seen |= BIT(prop - TAO_TPM2_PT_FIXED);
		switch (prop) {
		case TAO_TPM2_PT_REVISION:
			p.revision = value;
			break;
		case TAO_TPM2_PT_DAY_OF_YEAR:
			p.day = value;
			break;
		case TAO_TPM2_PT_YEAR:
			p.year = value;
			break;
		case TAO_TPM2_PT_MANUFACTURER:
			p.manufacturer = value;
			break;
		case TAO_TPM2_PT_VENDOR_STRING_1 ... TAO_TPM2_PT_VENDOR_STRING_4:
			vwords[prop - TAO_TPM2_PT_VENDOR_STRING_1] = value;
			break;
		case TAO_TPM2_PT_FIRMWARE_VERSION_1:
			p.fw1 = value;
			break;
		case TAO_TPM2_PT_FIRMWARE_VERSION_2:
			p.fw2 = value;
			break;
		}
	}

	/* Revision up to firmware version 2, all of them. */
	if ((seen & GENMASK(12, 2)) != GENMASK(12, 2))
		return -EPROTO;

	for (i = 0; i < ARRAY_SIZE(vwords); i++)
		tao_vendor_append(p.vendor, &vlen, vwords[i]);
	*props = p;
	return 0;
}

int tao_tpm_get_props(struct tpm_chip *chip, struct tao_tpm_props *props)
{
	struct tpm_buf buf;
	struct tao_rd rd;
	int rc;

	rc = tao_tpm_lock(chip);
	if (rc)
		return rc;
	rc = tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
			  TAO_TPM2_CC_GET_CAPABILITY);
	if (rc)
		goto out_ops;
	tpm_buf_append_u32(&buf, TAO_TPM2_CAP_TPM_PROPERTIES);
	tpm_buf_append_u32(&buf, TAO_TPM2_PT_FIXED);
	tpm_buf_append_u32(&buf, TAO_TPM2_PT_FIXED_COUNT);
	rc = tao_transmit(chip, &buf, &rd);
	if (!rc)
		rc = tao_parse_props(&rd, props);
	tpm_buf_destroy(&buf);
out_ops:
	tao_tpm_unlock(chip);
	return rc;
}

static unsigned int tao_sel_count(const struct tao_pcr_sel *sel,
				  unsigned int nsel)
{
	unsigned int i, n = 0;

	for (i = 0; i < nsel; i++)
		n += hweight32(sel[i].mask);
	return n;
}

/*
 * One TPM2_PCR_Read. The TPM returns at most eight digests and says which
 * PCRs they are; those are taken out of *want.
 */
static int tao_pcr_read_once(struct tpm_chip *chip, struct tpm_buf *buf,
			     struct tao_pcr_sel *want, unsigned int nsel,
			     struct tao_pcr_val *vals, unsigned int max,
			     unsigned int *nvals, u32 *counter)
{
	struct tao_pcr_sel got[TPM2_MAX_PCR_BANKS];
	unsigned int ngot, i, j, k;
	struct tao_rd rd;
	const u8 *d;
	u32 count;
	u16 len;
	int rc;

	tpm_buf_reset(buf, TPM2_ST_NO_SESSIONS, TAO_TPM2_CC_PCR_READ);
	tao_put_selection(buf, want, nsel);
	rc = tao_transmit(chip, buf, &rd);
	if (rc)
		return rc;
	if (!tao_rd_u32(&rd, counter) ||
	    tao_rd_selection(&rd, got, ARRAY_SIZE(got), &ngot) ||
	    !tao_rd_u32(&rd, &count))
		return -EPROTO;
	if (count != tao_sel_count(got, ngot) || count == 0)
		return -EPROTO;

	/* The digests follow the returned selection's order. */
	for (i = 0; i < ngot; i++) {
		for (j = 0; j < nsel && want[j].alg != got[i].alg; j++)
			;
		if (j == nsel || (got[i].mask & ~want[j].mask))
			return -EPROTO;
		want[j].mask &= ~got[i].mask;
		for (k = 0; k < TAO_PCR_COUNT; k++) {
			if (!(got[i].mask & BIT(k)))
				continue;
			if (!tao_rd_tpm2b(&rd, &d, &len) ||
			    len > TPM2_MAX_DIGEST_SIZE || *nvals >= max)
				return -EPROTO;
			vals[*nvals].alg = got[i].alg;
			vals[*nvals].index = k;
			vals[*nvals].size = len;
			memcpy(vals[*nvals].digest, d, len);
			(*nvals)++;
		}
	}
	return rd.left ? -EPROTO : 0;
}

int tao_tpm_pcr_read_locked(struct tpm_chip *chip,
			    const struct tao_pcr_sel *sel, unsigned int nsel,
			    struct tao_pcr_val *vals, unsigned int max,
			    unsigned int *nvals, u32 *counter)
{
	struct tao_pcr_sel want[TPM2_MAX_PCR_BANKS];
	struct tao_pcr_val *tmp = NULL;
	unsigned int tries, n, i, j, k, total;
	struct tpm_buf buf;
	u32 first = 0, c;
	int rc;

	if (nsel > ARRAY_SIZE(want))
		return -EINVAL;
	total = tao_sel_count(sel, nsel);
	if (!total || total > max)
		return -EINVAL;
	tmp = kcalloc(total, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	rc = tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS, TAO_TPM2_CC_PCR_READ);
	if (rc)
		goto out_free;

	for (tries = 0; tries < TAO_PCR_READ_TRIES; tries++) {
		bool have = false;

		memcpy(want, sel, nsel * sizeof(*sel));
		n = 0;
		rc = 0;
		/* Each round returns at least one digest, or fails. */
		while (n < total) {
			rc = tao_pcr_read_once(chip, &buf, want, nsel, tmp,
					       total, &n, &c);
			if (rc)
				break;
			if (!have) {
				first = c;
				have = true;
			} else if (c != first) {
				rc = -EAGAIN;	/* a PCR changed: start over */
				break;
			}
		}
		if (rc != -EAGAIN)
			break;
	}
	if (rc)
		goto out_buf;

	/* Selection order: banks as requested, PCR indices ascending. */
	k = 0;
	for (i = 0; i < nsel; i++)
		for (j = 0; j < TAO_PCR_COUNT; j++) {
			unsigned int m;

			if (!(sel[i].mask & BIT(j)))
				continue;
			for (m = 0; m < n; m++)
				if (tmp[m].alg == sel[i].alg &&
				    tmp[m].index == j)
					break;
			if (m == n) {
				rc = -EPROTO;
				goto out_buf;
			}
			vals[k++] = tmp[m];
		}
	*nvals = k;
	*counter = first;
out_buf:
	tpm_buf_destroy(&buf);
out_free:
	kfree(tmp);
	return rc;
}

int tao_tpm_read_public_locked(struct tpm_chip *chip, u32 handle,
			       u8 *pub, u16 *pub_len, u8 *name, u16 *name_len)
{
	const u8 *p, *n, *q;
	u16 plen, nlen, qlen;
	struct tpm_buf buf;
	struct tao_rd rd;
	int rc;

	rc = tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS, TAO_TPM2_CC_READ_PUBLIC);
	if (rc)
		return rc;
	tpm_buf_append_u32(&buf, handle);
	rc = tao_transmit(chip, &buf, &rd);
	if (rc)
		goto out;
	if (!tao_rd_tpm2b(&rd, &p, &plen) || !tao_rd_tpm2b(&rd, &n, &nlen) ||
	    !tao_rd_tpm2b(&rd, &q, &qlen) || rd.left ||
	    plen == 0 || plen > TAO_PUBLIC_MAX ||
	    nlen < 2 || nlen > TAO_NAME_BYTES_MAX) {
		rc = -EPROTO;
		goto out;
	}
	memcpy(pub, p, plen);
	*pub_len = plen;
	memcpy(name, n, nlen);
	*name_len = nlen;
out:
	tpm_buf_destroy(&buf);
	return rc;
}

/* TPMT_SYM_DEF_OBJECT: an algorithm, then key bits and mode unless NULL. */
static bool tao_rd_symdef(struct tao_rd *rd)
{
	u16 alg;

	if (!tao_rd_u16(rd, &alg))
		return false;
	return alg == TAO_TPM2_ALG_NULL || tao_rd_skip(rd, 4);
}

int tao_tpm_parse_public(const u8 *pub, u16 len, struct tao_public_info *info)
{
	struct tao_rd rd = { .p = pub, .left = len };
	const u8 *policy;
	u16 plen, hash;

	if (!tao_rd_u16(&rd, &info->type) || !tao_rd_u16(&rd, &info->name_alg) ||
	    !tao_rd_u32(&rd, &info->attributes) ||
	    !tao_rd_tpm2b(&rd, &policy, &plen))
		return -EPROTO;
	if (info->type != TAO_TPM2_ALG_ECC && info->type != TAO_TPM2_ALG_RSA)
		return -EOPNOTSUPP;
	/* RSA and ECC parameters both start with symmetric, then scheme. */
	if (!tao_rd_symdef(&rd) || !tao_rd_u16(&rd, &info->scheme))
		return -EPROTO;
	if (info->scheme != TAO_TPM2_ALG_NULL && !tao_rd_u16(&rd, &hash))
		return -EPROTO;
	return 0;
}

/* TPMT_SIGNATURE: checks its shape and that it fills the rest exactly. */
static int tao_check_signature(struct tao_rd rd)
{
	const u8 *d;
	u16 alg, hash, len;

	if (!tao_rd_u16(&rd, &alg))
		return -EPROTO;
	switch (alg) {
	case TAO_TPM2_ALG_ECDSA:
		if (!tao_rd_u16(&rd, &hash) || !tao_rd_tpm2b(&rd, &d, &len) ||
		    !tao_rd_tpm2b(&rd, &d, &len))
			return -EPROTO;
		break;
	case TAO_TPM2_ALG_RSASSA:
	case TAO_TPM2_ALG_RSAPSS:
		if (!tao_rd_u16(&rd, &hash) || !tao_rd_tpm2b(&rd, &d, &len))
			return -EPROTO;
		break;
	default:
		return -EPROTO;
	}
	return rd.left ? -EPROTO : 0;
}

int tao_tpm_quote_locked(struct tpm_chip *chip, u32 handle,
			 const u8 *nonce, u16 nonce_len, u16 scheme, u16 hash,
			 const struct tao_pcr_sel *sel, unsigned int nsel,
			 u8 *attest, u16 *attest_len, u8 *sig, u16 *sig_len)
{
	struct tpm_buf buf;
	struct tao_rd rd;
	const u8 *a;
	u16 alen, type;
	u32 magic;
	int rc;

	rc = tpm_buf_init(&buf, TPM2_ST_SESSIONS, TAO_TPM2_CC_QUOTE);
	if (rc)
		return rc;
	tpm_buf_append_u32(&buf, handle);
	/* Authorization: an empty password session. */
	tpm_buf_append_u32(&buf, 9);
	tpm_buf_append_u32(&buf, TPM2_RS_PW);
	tpm_buf_append_u16(&buf, 0);
	tpm_buf_append_u8(&buf, 0);
	tpm_buf_append_u16(&buf, 0);
	tpm_buf_append_u16(&buf, nonce_len);
	tpm_buf_append(&buf, nonce, nonce_len);
	tpm_buf_append_u16(&buf, scheme);
	if (scheme != TAO_TPM2_ALG_NULL)
		tpm_buf_append_u16(&buf, hash);
	tao_put_selection(&buf, sel, nsel);

	rc = tao_transmit(chip, &buf, &rd);
	if (rc)
		goto out;
	rc = -EPROTO;
	if (tao_rd_params(&rd) || !tao_rd_tpm2b(&rd, &a, &alen) ||
	    alen < 6 || alen > TAO_ATTEST_MAX || rd.left > TAO_SIGNATURE_MAX)
		goto out;
	/* Enough of TPMS_ATTEST to know the TPM quoted. */
	magic = get_unaligned_be32(a);
	type = get_unaligned_be16(a + 4);
	if (magic != 0xff544347 || type != TAO_TPM2_ST_ATTEST_QUOTE)
		goto out;
	if (tao_check_signature(rd))
		goto out;
	memcpy(attest, a, alen);
	*attest_len = alen;
	memcpy(sig, rd.p, rd.left);
	*sig_len = rd.left;
	rc = 0;
out:
	tpm_buf_destroy(&buf);
	return rc;
}

int tao_tpm_persistent_handles_locked(struct tpm_chip *chip, u32 *handles,
				      unsigned int max, unsigned int *n)
{
	u32 next = TAO_PERSISTENT_FIRST, cap, count, i, h;
	struct tpm_buf buf;
	struct tao_rd rd;
	u8 more = 1;
	int rc;

	*n = 0;
	rc = tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
			  TAO_TPM2_CC_GET_CAPABILITY);
	if (rc)
		return rc;
	while (more) {
		tpm_buf_reset(&buf, TPM2_ST_NO_SESSIONS,
			      TAO_TPM2_CC_GET_CAPABILITY);
		tpm_buf_append_u32(&buf, TAO_TPM2_CAP_HANDLES);
		tpm_buf_append_u32(&buf, next);
		tpm_buf_append_u32(&buf, max - *n);
		rc = tao_transmit(chip, &buf, &rd);
		if (rc)
			break;
		rc = -EPROTO;
		if (!tao_rd_u8(&rd, &more) || !tao_rd_u32(&rd, &cap) ||
		    !tao_rd_u32(&rd, &count) || cap != TAO_TPM2_CAP_HANDLES ||
		    count > rd.left / 4 || count > max - *n)
			break;
		rc = 0;
		for (i = 0; i < count; i++) {
			tao_rd_u32(&rd, &h);
			/* Ascending and persistent, or the answer is wrong. */
			if (h < next || h > TAO_PERSISTENT_LAST) {
				rc = -EPROTO;
				break;
			}
			handles[(*n)++] = h;
			next = h + 1;
		}
		if (rc || !count || *n == max || next > TAO_PERSISTENT_LAST)
			break;
	}
	tpm_buf_destroy(&buf);
	return rc;
}

int tao_tpm_extend(struct tpm_chip *chip, u32 pcr, struct tpm_digest *digests)
{
	return tpm_pcr_extend(chip, pcr, digests);
}

int tao_tpm_pcr_read_one(struct tpm_chip *chip, u32 pcr,
			 struct tpm_digest *digest)
{
	return tpm_pcr_read(chip, pcr, digest);
}

int tao_tpm_random(struct tpm_chip *chip, u8 *buf, size_t len)
{
	size_t done = 0;
	int rc;

	while (done < len) {
		rc = tpm_get_random(chip, buf + done,
				    min_t(size_t, len - done, 128));
		if (rc < 0)
			return rc;
		if (rc == 0)
			return -EIO;
		done += rc;
	}
	return 0;
}
