// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libtao's ESAPI layer: keys, public areas, TPM2_Certify and TPM2_Sign, every handle released. */
#include "tao_tpm_esys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "tao_names.h"
#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"
#include "tao_tpm_rc.h"

/*
 * ESYS_TRs of persistent keys, kept for the context's life: making one costs two TPM commands
 * (a handle lookup and a ReadPublic), which would otherwise be paid on every Sign and Certify.
 */
#define ESYS_TR_CACHE 8

struct tao_esys {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *ctx;
	uint32_t last_rc;
	size_t n_cached;
	struct {
		uint32_t handle;
		ESYS_TR tr;
	} cached[ESYS_TR_CACHE];
};

/*
 * An ESYS_TR and what releasing it means: flushing a transient object, closing a persistent one,
 * nothing for one the context's cache owns.
 */
struct esys_tr {
	ESYS_CONTEXT *ctx;
	ESYS_TR tr;
	bool transient;
	bool borrowed;
};

#define ESYS_TR_INIT(e)                                                                    \
	{                                                                                  \
		.ctx = (e)->ctx, .tr = ESYS_TR_NONE, .transient = false, .borrowed = false \
	}

static void esys_tr_release(struct esys_tr *t)
{
	if (t->tr == ESYS_TR_NONE || t->borrowed)
		return;
	if (t->transient)
		Esys_FlushContext(t->ctx, t->tr);
	else
		Esys_TR_Close(t->ctx, &t->tr);
	t->tr = ESYS_TR_NONE;
}

static void esys_freep(void *p)
{
	Esys_Free(*(void **)p);
}

#define ESYS_CLEANUP(fn) __attribute__((cleanup(fn)))

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A TPM (or TSS) failure: its response code in words. */
static int tpm_fail(struct tao_esys *e, TSS2_RC rc, const char *what, char *err, size_t errlen)
{
	char name[64];

	e->last_rc = rc;
	if ((rc & 0xff0000) == 0) /* from the TPM itself */
		set_err(err, errlen, "%s: TPM response code 0x%08" PRIx32 " (%s)", what, rc,
			tao_tpm_rc_str(rc, name, sizeof(name)));
	else
		set_err(err, errlen, "%s: TSS error 0x%08" PRIx32, what, rc);
	return -EIO;
}

const char *tao_esys_tcti_conf(void)
{
	const char *conf = getenv("TAO_TCTI");

	if (!conf || !*conf)
		conf = getenv("TPM2TOOLS_TCTI");
	if (!conf || !*conf)
		conf = "device:/dev/tpmrm0";
	return conf;
}

int tao_esys_open(struct tao_esys **out, char *err, size_t errlen)
{
	return tao_esys_open_tcti(tao_esys_tcti_conf(), out, err, errlen);
}

int tao_esys_open_tcti(const char *conf, struct tao_esys **out, char *err, size_t errlen)
{
	struct tao_esys *e = calloc(1, sizeof(*e));
	TSS2_RC rc;

	if (!e)
		return -ENOMEM;
	if (!conf)
		conf = tao_esys_tcti_conf();
	/* The TSS logs its own errors to stderr; the caller reports them once, precisely. */
	setenv("TSS2_LOG", "all+none", 0);
	rc = Tss2_TctiLdr_Initialize(conf, &e->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		set_err(err, errlen,
			"cannot reach a TPM through TCTI '%s' (no TPM, or no access; set TAO_TCTI "
			"to use another)",
			conf);
		free(e);
		return -ENODEV;
	}
	rc = Esys_Initialize(&e->ctx, e->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		set_err(err, errlen, "ESAPI over TCTI '%s': error 0x%08" PRIx32, conf, rc);
		Tss2_TctiLdr_Finalize(&e->tcti);
		free(e);
		return -EIO;
	}
	*out = e;
	return 0;
}

/* Forget the cached ESYS_TR of handle (closing it unless ESAPI already dropped it). */
static void cache_drop(struct tao_esys *e, uint32_t handle, bool close)
{
	for (size_t i = 0; i < e->n_cached; i++) {
		if (e->cached[i].handle != handle)
			continue;
		if (close)
			Esys_TR_Close(e->ctx, &e->cached[i].tr);
		e->cached[i] = e->cached[--e->n_cached];
		return;
	}
}

void tao_esys_close(struct tao_esys *e)
{
	if (!e)
		return;
	while (e->n_cached)
		cache_drop(e, e->cached[0].handle, true);
	Esys_Finalize(&e->ctx);
	Tss2_TctiLdr_Finalize(&e->tcti);
	free(e);
}

uint32_t tao_esys_last_rc(const struct tao_esys *e)
{
	return e->last_rc;
}

int tao_esys_exists(struct tao_esys *e, uint32_t handle, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_freep) TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = Esys_GetCapability(e->ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES,
				handle, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "listing persistent handles", err, errlen);
	return cap->data.handles.count >= 1 && cap->data.handles.handle[0] == handle;
}

/*
 * An ESYS_TR for the persistent key at handle: -ENOENT when none is there. It comes from the
 * context's cache when the handle was used before; a key evicted and replaced behind this
 * context's back is then caught by the TPM (a failed command) or by the verifier (the Name).
 */
static int load_persistent(struct tao_esys *e, uint32_t handle, struct esys_tr *t, char *err,
			   size_t errlen)
{
	TSS2_RC rc;
	int r;

	for (size_t i = 0; i < e->n_cached; i++)
		if (e->cached[i].handle == handle) {
			t->tr = e->cached[i].tr;
			t->transient = false;
			t->borrowed = true;
			return 0;
		}
	r = tao_esys_exists(e, handle, err, errlen);
	if (r < 0)
		return r;
	if (!r) {
		set_err(err, errlen, "no key at persistent handle 0x%08" PRIx32, handle);
		return -ENOENT;
	}
	rc = Esys_TR_FromTPMPublic(e->ctx, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   &t->tr);
	if (rc != TSS2_RC_SUCCESS) {
		char what[64];

		snprintf(what, sizeof(what), "reading the key at 0x%08" PRIx32, handle);
		return tpm_fail(e, rc, what, err, errlen);
	}
	t->transient = false;
	if (e->n_cached < ESYS_TR_CACHE) {
		e->cached[e->n_cached].handle = handle;
		e->cached[e->n_cached++].tr = t->tr;
		t->borrowed = true;
	}
	return 0;
}

static void template_public(enum tao_esys_template tmpl, TPM2B_PUBLIC *pub)
{
	TPMT_PUBLIC *p = &pub->publicArea;

	memset(pub, 0, sizeof(*pub));
	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	/*
	 * noDA: the keys have an empty authValue and no policy, so dictionary-attack protection
	 * guards nothing; but a TPM counts every non-orderly shutdown (a power cut) as a failed
	 * authorization, and once in lockout it refuses every DA-protected key: an unattended
	 * device would stop attesting after a few power cuts (swtpm locks out after three).
	 */
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
			      TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	if (tmpl == TAO_TEMPLATE_IAK) {
		/* A restricted signing key must name its scheme. */
		p->objectAttributes |= TPMA_OBJECT_RESTRICTED;
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
		p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	} else {
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	}
}

/* The TCG Provisioning Guidance's ECC P-256 SRK template. */
static void srk_public(TPM2B_PUBLIC *pub)
{
	TPMT_PUBLIC *p = &pub->publicArea;

	memset(pub, 0, sizeof(*pub));
	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
			      TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	p->parameters.eccDetail.symmetric.keyBits.aes = 128;
	p->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	p->unique.ecc.x.size = 32;
	p->unique.ecc.y.size = 32;
}

static int persist(struct tao_esys *e, ESYS_TR obj, uint32_t handle, char *err, size_t errlen)
{
	ESYS_TR out = ESYS_TR_NONE;
	TSS2_RC rc;
	char what[64];

	cache_drop(e, handle, true);
	rc = Esys_EvictControl(e->ctx, ESYS_TR_RH_OWNER, obj, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			       ESYS_TR_NONE, handle, &out);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(what, sizeof(what), "persisting the key at 0x%08" PRIx32, handle);
		return tpm_fail(e, rc, what, err, errlen);
	}
	Esys_TR_Close(e->ctx, &out);
	return 0;
}

static int check_free(struct tao_esys *e, uint32_t handle, char *err, size_t errlen)
{
	int r = tao_esys_exists(e, handle, err, errlen);

	if (r > 0) {
		set_err(err, errlen, "persistent handle 0x%08" PRIx32 " is already in use", handle);
		return -EEXIST;
	}
	return r;
}

int tao_esys_create_primary_persist(struct tao_esys *e, enum tao_esys_template tmpl,
				    uint32_t handle, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr key = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPM2B_PUBLIC *out_pub = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_CREATION_DATA *cdata = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_DIGEST *chash = NULL;
	ESYS_CLEANUP(esys_freep) TPMT_TK_CREATION *ticket = NULL;
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC pub;
	TSS2_RC rc;
	int r;

	if ((r = check_free(e, handle, err, errlen)))
		return r;
	template_public(tmpl, &pub);
	rc = Esys_CreatePrimary(e->ctx, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &pub, &outside, &pcrs, &key.tr, &out_pub,
				&cdata, &chash, &ticket);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "creating the key (TPM2_CreatePrimary, endorsement)", err,
				errlen);
	key.transient = true;
	return persist(e, key.tr, handle, err, errlen);
}

int tao_esys_create_child_persist(struct tao_esys *e, enum tao_esys_template tmpl, uint32_t handle,
				  char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr parent = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_tr_release) struct esys_tr key = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPM2B_PUBLIC *ppub = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_CREATION_DATA *pcdata = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_DIGEST *pchash = NULL;
	ESYS_CLEANUP(esys_freep) TPMT_TK_CREATION *pticket = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_PRIVATE *priv = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_PUBLIC *kpub = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_CREATION_DATA *cdata = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_DIGEST *chash = NULL;
	ESYS_CLEANUP(esys_freep) TPMT_TK_CREATION *ticket = NULL;
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC tmpl_pub;
	TSS2_RC rc;
	int r;

	if ((r = check_free(e, handle, err, errlen)))
		return r;
	r = tao_esys_exists(e, TAO_HANDLE_SRK, err, errlen);
	if (r < 0)
		return r;
	if (r) {
		if ((r = load_persistent(e, TAO_HANDLE_SRK, &parent, err, errlen)))
			return r;
	} else {
		srk_public(&tmpl_pub);
		rc = Esys_CreatePrimary(e->ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE, &sens, &tmpl_pub, &outside, &pcrs, &parent.tr,
					&ppub, &pcdata, &pchash, &pticket);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(e, rc, "creating the SRK (TPM2_CreatePrimary, owner)", err,
					errlen);
		parent.transient = true;
	}
	template_public(tmpl, &tmpl_pub);
	rc = Esys_Create(e->ctx, parent.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
			 &tmpl_pub, &outside, &pcrs, &priv, &kpub, &cdata, &chash, &ticket);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "creating the key (TPM2_Create)", err, errlen);
	rc = Esys_Load(e->ctx, parent.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, kpub,
		       &key.tr);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "loading the key (TPM2_Load)", err, errlen);
	key.transient = true;
	return persist(e, key.tr, handle, err, errlen);
}

int tao_esys_evict(struct tao_esys *e, uint32_t handle, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr key = ESYS_TR_INIT(e);
	ESYS_TR out = ESYS_TR_NONE;
	TSS2_RC rc;
	int r;

	if ((r = load_persistent(e, handle, &key, err, errlen)))
		return r;
	rc = Esys_EvictControl(e->ctx, ESYS_TR_RH_OWNER, key.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			       ESYS_TR_NONE, handle, &out);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "evicting the key (TPM2_EvictControl)", err, errlen);
	/* EvictControl invalidated the object; ESAPI has dropped its ESYS_TR. */
	if (key.borrowed)
		cache_drop(e, handle, false);
	key.tr = ESYS_TR_NONE;
	return 0;
}

int tao_esys_read_public(struct tao_esys *e, uint32_t handle, uint8_t *tpmt, char *err,
			 size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr key = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPM2B_PUBLIC *pub = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_NAME *name = NULL;
	ESYS_CLEANUP(esys_freep) TPM2B_NAME *qname = NULL;
	size_t off = 0;
	TSS2_RC rc;
	int r;

	if ((r = load_persistent(e, handle, &key, err, errlen)))
		return r;
	rc = Esys_ReadPublic(e->ctx, key.tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name,
			     &qname);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_ReadPublic", err, errlen);
	rc = Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, tpmt, TAO_TPM2B_PUBLIC_MAX, &off);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "marshalling the public area", err, errlen);
	return (int)off;
}

int tao_esys_certify(struct tao_esys *e, uint32_t object, uint32_t signer, const uint8_t *qual,
		     size_t qual_len, uint8_t *attest, size_t *attest_len, uint8_t *sig,
		     size_t *sig_len, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr obj = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_tr_release) struct esys_tr sign = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPM2B_ATTEST *info = NULL;
	ESYS_CLEANUP(esys_freep) TPMT_SIGNATURE *signature = NULL;
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_DATA data = { 0 };
	size_t off = 0;
	TSS2_RC rc;
	int r;

	if (qual_len > sizeof(data.buffer)) {
		set_err(err, errlen, "qualifying data of %zu bytes is too long", qual_len);
		return -EINVAL;
	}
	data.size = (UINT16)qual_len;
	memcpy(data.buffer, qual, qual_len);
	if ((r = load_persistent(e, object, &obj, err, errlen)) ||
	    (r = load_persistent(e, signer, &sign, err, errlen)))
		return r;
	rc = Esys_Certify(e->ctx, obj.tr, sign.tr, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			  &data, &scheme, &info, &signature);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_Certify", err, errlen);
	if (info->size > TAO_ATTEST_MAX) {
		set_err(err, errlen, "TPM2_Certify returned %u bytes of attestation", info->size);
		return -EIO;
	}
	memcpy(attest, info->attestationData, info->size);
	*attest_len = info->size;
	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(signature, sig, TAO_SIGNATURE_MAX, &off);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "marshalling the signature", err, errlen);
	*sig_len = off;
	return 0;
}

int tao_esys_sign_sha256(struct tao_esys *e, uint32_t handle, const uint8_t digest[32],
			 uint8_t **der, size_t *der_len, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr key = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPMT_SIGNATURE *signature = NULL;
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_ECDSA,
				   .details.ecdsa.hashAlg = TPM2_ALG_SHA256 };
	TPMT_TK_HASHCHECK ticket = { .tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL };
	TPM2B_DIGEST d = { .size = 32 };
	ECDSA_SIG *es;
	BIGNUM *r_bn, *s_bn;
	unsigned char *p = NULL;
	TSS2_RC rc;
	int r, n;

	memcpy(d.buffer, digest, 32);
	if ((r = load_persistent(e, handle, &key, err, errlen)))
		return r;
	rc = Esys_Sign(e->ctx, key.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &d, &scheme,
		       &ticket, &signature);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_Sign", err, errlen);
	es = ECDSA_SIG_new();
	r_bn = BN_bin2bn(signature->signature.ecdsa.signatureR.buffer,
			 signature->signature.ecdsa.signatureR.size, NULL);
	s_bn = BN_bin2bn(signature->signature.ecdsa.signatureS.buffer,
			 signature->signature.ecdsa.signatureS.size, NULL);
	if (!es || !r_bn || !s_bn || !ECDSA_SIG_set0(es, r_bn, s_bn)) {
		BN_free(r_bn);
		BN_free(s_bn);
		ECDSA_SIG_free(es);
		return -ENOMEM;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	p = n > 0 ? malloc((size_t)n) : NULL;
	*der = p;
	if (!p || i2d_ECDSA_SIG(es, &p) != n) {
		ECDSA_SIG_free(es);
		free(*der);
		*der = NULL;
		return -ENOMEM;
	}
	ECDSA_SIG_free(es);
	*der_len = (size_t)n;
	return 0;
}

/*
 * A selection as the TPM takes it: every bank with at least one PCR, PCRs 0..23 only (three
 * select bytes), no bank twice.
 */
static int selection_to_tpml(const struct tao_pcr_selection *sel, TPML_PCR_SELECTION *out,
			     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (sel->n == 0 || sel->n > TPM2_NUM_PCR_BANKS || sel->n > TAO_MAX_PCR_BANKS) {
		set_err(err, errlen, "a PCR selection of %zu banks (1..%d)", sel->n,
			TAO_MAX_PCR_BANKS);
		return -EINVAL;
	}
	for (size_t i = 0; i < sel->n; i++) {
		const struct tao_pcr_bank_sel *b = &sel->banks[i];
		TPMS_PCR_SELECTION *t = &out->pcrSelections[i];

		if (!b->mask || (b->mask & ~(uint32_t)TAO_PCR_MASK_ALL)) {
			set_err(err, errlen,
				"bank 0x%04x: PCR mask 0x%08" PRIx32 " (selects none, or above %d)",
				b->alg, b->mask, TAO_PCR_COUNT - 1);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (sel->banks[j].alg == b->alg) {
				set_err(err, errlen, "bank 0x%04x selected twice", b->alg);
				return -EINVAL;
			}
		t->hash = b->alg;
		t->sizeofSelect = 3;
		t->pcrSelect[0] = (BYTE)(b->mask & 0xff);
		t->pcrSelect[1] = (BYTE)((b->mask >> 8) & 0xff);
		t->pcrSelect[2] = (BYTE)((b->mask >> 16) & 0xff);
	}
	out->count = (UINT32)sel->n;
	return 0;
}

int tao_esys_quote(struct tao_esys *e, uint32_t signer, const uint8_t *qual, size_t qual_len,
		   const struct tao_pcr_selection *sel, uint8_t *attest, size_t *attest_len,
		   uint8_t *sig, size_t *sig_len, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_tr_release) struct esys_tr sign = ESYS_TR_INIT(e);
	ESYS_CLEANUP(esys_freep) TPM2B_ATTEST *info = NULL;
	ESYS_CLEANUP(esys_freep) TPMT_SIGNATURE *signature = NULL;
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL }; /* the key's own */
	TPML_PCR_SELECTION pcrs;
	TPM2B_DATA data = { 0 };
	size_t off = 0;
	TSS2_RC rc;
	int r;

	if (qual_len > sizeof(data.buffer)) {
		set_err(err, errlen, "qualifying data of %zu bytes is too long", qual_len);
		return -EINVAL;
	}
	data.size = (UINT16)qual_len;
	if (qual_len)
		memcpy(data.buffer, qual, qual_len);
	if ((r = selection_to_tpml(sel, &pcrs, err, errlen)))
		return r;
	if ((r = load_persistent(e, signer, &sign, err, errlen)))
		return r;
	rc = Esys_Quote(e->ctx, sign.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &data,
			&scheme, &pcrs, &info, &signature);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_Quote", err, errlen);
	if (info->size > TAO_ATTEST_MAX) {
		set_err(err, errlen, "TPM2_Quote returned %u bytes of attestation", info->size);
		return -EIO;
	}
	memcpy(attest, info->attestationData, info->size);
	*attest_len = info->size;
	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(signature, sig, TAO_SIGNATURE_MAX, &off);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "marshalling the signature", err, errlen);
	*sig_len = off;
	return 0;
}

/* How often a PCR read starts over because a PCR changed between two TPM2_PCR_Read. */
#define PCR_READ_TRIES 8

/* Where PCR pcr of bank i of sel goes in the values: selection order. */
static size_t pcr_slot(const struct tao_pcr_selection *sel, size_t bank, unsigned int pcr)
{
	size_t slot = 0;

	for (size_t i = 0; i < bank; i++)
		slot += (size_t)__builtin_popcount(sel->banks[i].mask);
	return slot + (size_t)__builtin_popcount(sel->banks[bank].mask & ((1u << pcr) - 1));
}

/*
 * One TPM2_PCR_Read of the PCRs still in left[]: the digests it returns go to their slots in
 * out, their bits leave left[]. Returns the number of digests read (0: the TPM returned none of
 * them), or -EIO. *counter gets the PCR update counter.
 */
static int pcr_read_once(struct tao_esys *e, const struct tao_pcr_selection *sel, uint32_t *left,
			 struct tao_pcr_values *out, uint32_t *counter, char *err, size_t errlen)
{
	ESYS_CLEANUP(esys_freep) TPML_PCR_SELECTION *got = NULL;
	ESYS_CLEANUP(esys_freep) TPML_DIGEST *digests = NULL;
	TPML_PCR_SELECTION ask = { 0 };
	UINT32 update = 0;
	size_t k = 0;
	TSS2_RC rc;

	for (size_t i = 0; i < sel->n; i++) {
		TPMS_PCR_SELECTION *t;

		if (!left[i])
			continue;
		t = &ask.pcrSelections[ask.count++];
		t->hash = sel->banks[i].alg;
		t->sizeofSelect = 3;
		t->pcrSelect[0] = (BYTE)(left[i] & 0xff);
		t->pcrSelect[1] = (BYTE)((left[i] >> 8) & 0xff);
		t->pcrSelect[2] = (BYTE)((left[i] >> 16) & 0xff);
	}
	rc = Esys_PCR_Read(e->ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &ask, &update, &got,
			   &digests);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_PCR_Read", err, errlen);
	*counter = update;
	/* The digests come in the order of the returned selection: banks, then PCR indices. */
	for (UINT32 g = 0; g < got->count && g < TPM2_NUM_PCR_BANKS; g++) {
		const TPMS_PCR_SELECTION *t = &got->pcrSelections[g];
		size_t bank;

		for (bank = 0; bank < sel->n; bank++)
			if (sel->banks[bank].alg == t->hash)
				break;
		for (unsigned int pcr = 0;
		     pcr < 8u * t->sizeofSelect && pcr < 8u * TPM2_PCR_SELECT_MAX; pcr++) {
			struct tao_pcr_value *v;
			const TPM2B_DIGEST *d;
			unsigned int want;

			if (!(t->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
				continue;
			if (bank == sel->n || pcr >= TAO_PCR_COUNT || !(left[bank] & (1u << pcr))) {
				set_err(err, errlen,
					"TPM2_PCR_Read returned bank 0x%04x PCR %u, which was not "
					"asked for",
					t->hash, pcr);
				return -EIO;
			}
			if (k >= digests->count) {
				set_err(err, errlen, "TPM2_PCR_Read returned too few digests");
				return -EIO;
			}
			d = &digests->digests[k++];
			want = tao_alg_digest_size(t->hash);
			if (d->size == 0 || d->size > TAO_MAX_DIGEST_SIZE ||
			    (want && d->size != want)) {
				set_err(err, errlen,
					"TPM2_PCR_Read returned a %u-byte digest for bank 0x%04x",
					d->size, t->hash);
				return -EIO;
			}
			v = &out->v[pcr_slot(sel, bank, pcr)];
			v->alg = t->hash;
			v->index = (uint8_t)pcr;
			v->size = (uint8_t)d->size;
			memcpy(v->digest, d->buffer, d->size);
			left[bank] &= ~(1u << pcr);
		}
	}
	if (k != digests->count) {
		set_err(err, errlen, "TPM2_PCR_Read returned %u digests for %zu PCRs",
			digests->count, k);
		return -EIO;
	}
	return (int)k;
}

int tao_esys_pcr_read(struct tao_esys *e, const struct tao_pcr_selection *sel,
		      struct tao_pcr_values *out, char *err, size_t errlen)
{
	TPML_PCR_SELECTION check;
	size_t total;
	int r;

	out->n = 0;
	if ((r = selection_to_tpml(sel, &check, err, errlen)))
		return r;
	total = tao_pcr_selection_count(sel);
	if (total > TAO_MAX_PCR_VALUES) {
		set_err(err, errlen, "a selection of %zu PCRs", total);
		return -EINVAL;
	}
	for (int tries = 0; tries < PCR_READ_TRIES; tries++) {
		uint32_t left[TAO_MAX_PCR_BANKS], first = 0, counter = 0;
		bool moved = false, any = false;

		for (size_t i = 0; i < sel->n; i++)
			left[i] = sel->banks[i].mask;
		for (;;) {
			bool done = true;

			for (size_t i = 0; i < sel->n; i++)
				done = done && !left[i];
			if (done)
				break;
			r = pcr_read_once(e, sel, left, out, &counter, err, errlen);
			if (r < 0)
				return r;
			if (!any)
				first = counter;
			any = true;
			if (counter != first) {
				moved = true;
				break;
			}
			if (r == 0) {
				for (size_t i = 0; i < sel->n; i++)
					if (left[i]) {
						const char *name = tao_alg_name(sel->banks[i].alg);
						char bank[16];

						if (!name) {
							snprintf(bank, sizeof(bank), "bank 0x%04x",
								 sel->banks[i].alg);
							name = bank;
						}
						set_err(err, errlen,
							"the TPM does not return %s PCR %d (is the "
							"bank allocated?)",
							name, __builtin_ctz(left[i]));
						return -ENOENT;
					}
			}
		}
		if (!moved) {
			out->n = total;
			return 0;
		}
	}
	set_err(err, errlen, "the PCRs kept changing while they were read (%d tries)",
		PCR_READ_TRIES);
	return -EAGAIN;
}

int tao_esys_pcr_extend_sha256(struct tao_esys *e, unsigned int pcr, const uint8_t digest[32],
			       char *err, size_t errlen)
{
	TPML_DIGEST_VALUES values = { .count = 1 };
	TSS2_RC rc;

	if (pcr >= TAO_PCR_COUNT) {
		set_err(err, errlen, "PCR %u is outside 0..%d", pcr, TAO_PCR_COUNT - 1);
		return -EINVAL;
	}
	values.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(values.digests[0].digest.sha256, digest, 32);
	rc = Esys_PCR_Extend(e->ctx, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			     ESYS_TR_NONE, &values);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(e, rc, "TPM2_PCR_Extend", err, errlen);
	return 0;
}
