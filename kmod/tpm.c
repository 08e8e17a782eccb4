// SPDX-License-Identifier: GPL-2.0
/*
 * TPM access for tao: finding the chip, and TPM2 commands sent through the
 * in-kernel API. A command runs between tpm_try_get_ops() and tpm_put_ops();
 * nothing in such a span may call a self-locking tpm_* wrapper, since the
 * chip's tpm_mutex is not recursive.
 */

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include <asm/unaligned.h>

#include <linux/tao.h>
#include "tpm.h"

/*
 * TPM 2.0 constants the 6.1 <linux/tpm.h> lacks. They carry the module's
 * prefix: later kernels define some of the upstream names themselves.
 */
#define TAO_TPM2_CC_GET_CAPABILITY	0x0000017a
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

static bool tao_rd_u32(struct tao_rd *rd, u32 *v)
{
	if (rd->left < 4)
		return false;
	*v = get_unaligned_be32(rd->p);
	rd->p += 4;
	rd->left -= 4;
	return true;
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
	*state = rc ? TAO_TPM_STATE_TPM2 : TAO_TPM_STATE_TPM12;
	return chip;
}

void tao_tpm_put(struct tpm_chip *chip)
{
	if (chip)
		put_device(&chip->dev);
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
 * Parses a TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) response. Every
 * property tao reports must be present: they are all mandatory in
 * TPM_PT_FIXED, so a TPM that omits one answered something else.
 */
static int tao_parse_props(const u8 *rsp, size_t len,
			   struct tao_tpm_props *props)
{
	struct tao_tpm_props p = { };
	struct tao_rd rd;
	u32 cap, count, i, prop, value, seen = 0;
	size_t vlen = 0;
	u32 vwords[4] = { };
	u8 more;

	if (len < TPM_HEADER_SIZE)
		return -EPROTO;
	rd.p = rsp + TPM_HEADER_SIZE;
	rd.left = len - TPM_HEADER_SIZE;

	if (!tao_rd_u8(&rd, &more) || !tao_rd_u32(&rd, &cap) ||
	    !tao_rd_u32(&rd, &count))
		return -EPROTO;
	if (cap != TAO_TPM2_CAP_TPM_PROPERTIES || count > rd.left / 8)
		return -EPROTO;

	for (i = 0; i < count; i++) {
		if (!tao_rd_u32(&rd, &prop) || !tao_rd_u32(&rd, &value))
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
	ssize_t rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;

	rc = tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
			  TAO_TPM2_CC_GET_CAPABILITY);
	if (rc)
		goto out_ops;
	tpm_buf_append_u32(&buf, TAO_TPM2_CAP_TPM_PROPERTIES);
	tpm_buf_append_u32(&buf, TAO_TPM2_PT_FIXED);
	tpm_buf_append_u32(&buf, TAO_TPM2_PT_FIXED_COUNT);

	rc = tpm_transmit_cmd(chip, &buf, 0, "reading fixed properties");
	if (!rc)
		rc = tao_parse_props(buf.data,
				     min_t(size_t, tpm_buf_length(&buf),
					   PAGE_SIZE),
				     props);
	tpm_buf_destroy(&buf);
out_ops:
	tpm_put_ops(chip);
	return rc;
}
