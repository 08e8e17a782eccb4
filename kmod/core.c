// SPDX-License-Identifier: GPL-2.0
/*
 * The module's operations and their locking. tao_op_lock serialises every
 * PCR extend and every quote, so no MEASURE can fall between a quote and
 * the log length it reports; the TPM's own lock (tao_tpm_lock) keeps other
 * TPM users out of a multi-command span such as ReadPublic + PCR_Read +
 * Quote. Order: tao_op_lock, then the TPM lock, then the log's lock.
 */

#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "compat.h"

#include <linux/tao.h>
#include "core.h"
#include "log.h"
#include "tpm.h"
#include "version.h"

struct tao_stats tao_stats;

static DEFINE_MUTEX(tao_op_lock);
/* Role bindings, indexed by enum tao_key_role; under tao_op_lock. */
static struct tao_binding tao_keys[TAO_KEY_ROLE_MAX + 1];

static const char *const tao_role_names[] = {
	[TAO_KEY_ROLE_IAK] = "iak",
	[TAO_KEY_ROLE_IDEVID] = "idevid",
	[TAO_KEY_ROLE_LDEVID] = "ldevid",
	[TAO_KEY_ROLE_AK] = "ak",
};

const char *tao_role_name(u32 role)
{
	if (role < ARRAY_SIZE(tao_role_names) && tao_role_names[role])
		return tao_role_names[role];
	return "?";
}

int tao_core_init(u32 pcr, u64 max_bytes)
{
	return tao_log_init(pcr, max_bytes);
}

void tao_core_exit(void)
{
	tao_log_exit();
	memset(tao_keys, 0, sizeof(tao_keys));
}

struct tpm_chip *tao_core_chip(u32 *state)
{
	struct tpm_chip *chip = tao_tpm_get(state);
	int rc;

	if (!chip || tao_log_started())
		return chip;
	mutex_lock(&tao_op_lock);
	rc = tao_log_start(chip, TAO_VERSION);
	mutex_unlock(&tao_op_lock);
	if (rc)
		pr_warn_ratelimited("cannot start the measurement log: %d\n", rc);
	return chip;
}

int tao_core_measure(struct tpm_chip *chip, u32 type, const char *name,
		     u16 name_len, const u8 *data, u32 data_len, bool has_data,
		     const u8 *digests, u32 *seq)
{
	int rc;

	mutex_lock(&tao_op_lock);
	if (!tao_log_started())
		rc = -EOPNOTSUPP;
	else
		rc = tao_log_append(chip, type, name, name_len, data, data_len,
				    has_data, digests, seq);
	mutex_unlock(&tao_op_lock);
	if (!rc)
		atomic64_inc(&tao_stats.measure);
	else if (rc == -ENOSPC)
		atomic64_inc(&tao_stats.log_full);
	return rc;
}

static const char *tao_hash_name(u16 alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return "sha1";
	case TPM_ALG_SHA256:
		return "sha256";
	case TPM_ALG_SHA384:
		return "sha384";
	case TPM_ALG_SHA512:
		return "sha512";
	default:
		return NULL;
	}
}

/* The TPM's Name of a key must be nameAlg || H_nameAlg(TPMT_PUBLIC). */
static int tao_check_name(const u8 *pub, u16 pub_len, const u8 *name,
			  u16 name_len)
{
	u8 digest[TPM2_MAX_DIGEST_SIZE];
	struct crypto_shash *tfm;
	const char *hname;
	u16 alg;
	int rc;

	alg = get_unaligned_be16(name);
	hname = tao_hash_name(alg);
	if (!hname)
		return -EOPNOTSUPP;
	tfm = crypto_alloc_shash(hname, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	rc = -EPROTO;
	if (name_len == 2 + crypto_shash_digestsize(tfm) && pub_len >= 4 &&
	    get_unaligned_be16(pub + 2) == alg &&
	    !crypto_shash_tfm_digest(tfm, pub, pub_len, digest) &&
	    !memcmp(digest, name + 2, name_len - 2))
		rc = 0;
	crypto_free_shash(tfm);
	return rc;
}

/* Binding text, measured: what the verifier reads from the log. */
static int tao_bind_text(char *buf, size_t cap, u32 role, u32 handle,
			 const u8 *name, u16 name_len,
			 const struct tao_binding *old)
{
	size_t len;
	u16 i;

	len = scnprintf(buf, cap, "role %s\nhandle 0x%08x\nname ",
			tao_role_name(role), handle);
	for (i = 0; i < name_len; i++)
		len += scnprintf(buf + len, cap - len, "%02x", name[i]);
	len += scnprintf(buf + len, cap - len, "\n");
	if (old->bound) {
		len += scnprintf(buf + len, cap - len,
				 "replaces 0x%08x ", old->handle);
		for (i = 0; i < old->name_len; i++)
			len += scnprintf(buf + len, cap - len, "%02x",
					 old->name[i]);
		len += scnprintf(buf + len, cap - len, "\n");
	}
	return len;
}

int tao_core_key_bind(struct tpm_chip *chip, u32 role, u32 handle,
		      struct tao_binding *out, bool *measured, u32 *seq)
{
	struct tao_binding *b = &tao_keys[role];
	struct tao_key_item *k;
	char ename[24], *text;
	int rc, len;

	*measured = false;
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	text = kmalloc(512, GFP_KERNEL);
	if (!k || !text) {
		rc = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&tao_op_lock);
	rc = tao_tpm_lock(chip);
	if (rc)
		goto out_unlock;
	rc = tao_tpm_read_public_locked(chip, handle, k->pub, &k->pub_len,
					k->name, &k->name_len);
	tao_tpm_unlock(chip);
	if (rc)
		goto out_unlock;
	rc = tao_check_name(k->pub, k->pub_len, k->name, k->name_len);
	if (rc) {
		pr_warn_ratelimited("key 0x%08x: the TPM's Name does not match its public area\n",
				    handle);
		goto out_unlock;
	}

	if (b->bound && b->handle == handle && b->name_len == k->name_len &&
	    !memcmp(b->name, k->name, k->name_len)) {
		*out = *b;		/* the same key again: nothing to do */
		goto out_unlock;
	}
	if (!tao_log_started()) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	len = tao_bind_text(text, 512, role, handle, k->name, k->name_len, b);
	snprintf(ename, sizeof(ename), "key-bind:%s", tao_role_name(role));
	rc = tao_log_append(chip, TAO_EVENT_KEY_BIND, ename, strlen(ename),
			    text, len, true, NULL, seq);
	if (rc)
		goto out_unlock;
	atomic64_inc(&tao_stats.measure);
	b->bound = true;
	b->handle = handle;
	b->name_len = k->name_len;
	memcpy(b->name, k->name, k->name_len);
	*out = *b;
	*measured = true;
out_unlock:
	mutex_unlock(&tao_op_lock);
out_free:
	kfree(text);
	kfree(k);
	return rc;
}

#define TAO_MAX_PERSISTENT 128

int tao_core_key_list(struct tpm_chip *chip, struct tao_key_item **items,
		      unsigned int *n)
{
	struct tao_binding keys[TAO_KEY_ROLE_MAX + 1];
	struct tao_key_item *it = NULL, *k = NULL;
	unsigned int nh = 0, i, cnt = 0, cap;
	u32 *handles = NULL, role;
	int rc;

	handles = kcalloc(TAO_MAX_PERSISTENT, sizeof(*handles), GFP_KERNEL);
	k = kmalloc(sizeof(*k), GFP_KERNEL);
	if (!handles || !k) {
		rc = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&tao_op_lock);
	memcpy(keys, tao_keys, sizeof(keys));
	rc = tao_tpm_lock(chip);
	if (rc)
		goto out_unlock;
	rc = tao_tpm_persistent_handles_locked(chip, handles,
					       TAO_MAX_PERSISTENT, &nh);
	if (rc)
		goto out_tpm;
	/* One item per handle and role, plus bound roles whose key is gone. */
	cap = nh + TAO_KEY_ROLE_MAX * 2;
	it = kvcalloc(cap, sizeof(*it), GFP_KERNEL);
	if (!it) {
		rc = -ENOMEM;
		goto out_tpm;
	}
	for (i = 0; i < nh; i++) {
		bool any = false;

		memset(k, 0, sizeof(*k));
		k->handle = handles[i];
		if (tao_tpm_read_public_locked(chip, handles[i], k->pub,
					       &k->pub_len, k->name,
					       &k->name_len))
			k->status = TAO_KEY_STATUS_UNREADABLE;
		for (role = 1; role <= TAO_KEY_ROLE_MAX && cnt < cap; role++) {
			if (!keys[role].bound || keys[role].handle != handles[i])
				continue;
			it[cnt] = *k;
			it[cnt].role = role;
			it[cnt].bound_name_len = keys[role].name_len;
			memcpy(it[cnt].bound_name, keys[role].name,
			       keys[role].name_len);
			if (k->status == TAO_KEY_STATUS_OK &&
			    (k->name_len != keys[role].name_len ||
			     memcmp(k->name, keys[role].name, k->name_len)))
				it[cnt].status = TAO_KEY_STATUS_MISMATCH;
			keys[role].bound = false;	/* seen */
			cnt++;
			any = true;
		}
		if (!any && cnt < cap)
			it[cnt++] = *k;
	}
	for (role = 1; role <= TAO_KEY_ROLE_MAX && cnt < cap; role++) {
		if (!keys[role].bound)
			continue;
		it[cnt].handle = keys[role].handle;
		it[cnt].role = role;
		it[cnt].status = TAO_KEY_STATUS_MISSING;
		it[cnt].bound_name_len = keys[role].name_len;
		memcpy(it[cnt].bound_name, keys[role].name,
		       keys[role].name_len);
		cnt++;
	}
	*items = it;
	*n = cnt;
	it = NULL;
out_tpm:
	tao_tpm_unlock(chip);
out_unlock:
	mutex_unlock(&tao_op_lock);
out_free:
	kvfree(it);
	kfree(k);
	kfree(handles);
	return rc;
}

/* Called with both locks held: the key at the role's handle must be the one bound. */
static int tao_check_key_locked(struct tpm_chip *chip,
				const struct tao_binding *b,
				struct tao_public_info *info)
{
	struct tao_key_item *k;
	int rc;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	rc = tao_tpm_read_public_locked(chip, b->handle, k->pub, &k->pub_len,
					k->name, &k->name_len);
	if (rc > 0 && tao_tpm_rc_errno(rc) == -ENOENT) {
		rc = -ENOKEY;
		goto out;
	}
	if (rc)
		goto out;
	if (k->name_len != b->name_len || memcmp(k->name, b->name, b->name_len)) {
		atomic64_inc(&tao_stats.key_mismatch);
		pr_warn_ratelimited("key at 0x%08x is not the one bound; refused\n",
				    b->handle);
		rc = -EKEYREJECTED;
		goto out;
	}
	rc = tao_tpm_parse_public(k->pub, k->pub_len, info);
	if (!rc && !(info->attributes & TAO_TPMA_OBJECT_SIGN))
		rc = -EKEYREJECTED;
out:
	kfree(k);
	return rc;
}

int tao_core_quote(struct tpm_chip *chip, u32 role, const u8 *nonce,
		   u16 nonce_len, const struct tao_pcr_sel *sel,
		   unsigned int nsel, struct tao_quote *q)
{
	struct tao_public_info info;
	unsigned int max = 0, i;
	u16 scheme, hash;
	u32 counter;
	int rc;

	for (i = 0; i < nsel; i++)
		max += hweight32(sel[i].mask);
	q->vals = kcalloc(max, sizeof(*q->vals), GFP_KERNEL);
	if (!q->vals)
		return -ENOMEM;

	mutex_lock(&tao_op_lock);
	q->key = tao_keys[role];
	if (!q->key.bound) {
		rc = -ENOKEY;
		goto out_unlock;
	}
	rc = tao_tpm_lock(chip);
	if (rc)
		goto out_unlock;
	rc = tao_check_key_locked(chip, &q->key, &info);
	if (rc)
		goto out_tpm;
	scheme = TAO_TPM2_ALG_NULL;
	hash = TAO_TPM2_ALG_NULL;
	if (info.scheme == TAO_TPM2_ALG_NULL) {
		scheme = info.type == TAO_TPM2_ALG_ECC ? TAO_TPM2_ALG_ECDSA :
							  TAO_TPM2_ALG_RSASSA;
		hash = TPM_ALG_SHA256;
	}
	/* Values and quote in one span: nothing can extend in between. */
	rc = tao_tpm_pcr_read_locked(chip, sel, nsel, q->vals, max, &q->nvals,
				     &counter);
	if (rc)
		goto out_tpm;
	rc = tao_tpm_quote_locked(chip, q->key.handle, nonce, nonce_len,
				  scheme, hash, sel, nsel, q->attest,
				  &q->attest_len, q->sig, &q->sig_len);
	if (rc)
		goto out_tpm;
	q->entries = tao_log_entries();
	atomic64_inc(&tao_stats.quote);
out_tpm:
	tao_tpm_unlock(chip);
out_unlock:
	mutex_unlock(&tao_op_lock);
	if (rc) {
		kfree(q->vals);
		q->vals = NULL;
	}
	return rc;
}

int tao_core_pcr_read(struct tpm_chip *chip, const struct tao_pcr_sel *sel,
		      unsigned int nsel, struct tao_pcr_val **vals,
		      unsigned int *nvals, u32 *counter)
{
	unsigned int max = 0, i;
	int rc;

	for (i = 0; i < nsel; i++)
		max += hweight32(sel[i].mask);
	*vals = kcalloc(max, sizeof(**vals), GFP_KERNEL);
	if (!*vals)
		return -ENOMEM;
	rc = tao_tpm_lock(chip);
	if (!rc) {
		rc = tao_tpm_pcr_read_locked(chip, sel, nsel, *vals, max,
					     nvals, counter);
		tao_tpm_unlock(chip);
	}
	if (rc) {
		kfree(*vals);
		*vals = NULL;
	}
	return rc;
}
