// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * "tao-tpm": an in-process OpenSSL 3 provider for a TPM-resident ECC P-256 signing key.
 *
 * Why it looks the way it does (OpenSSL 3.0, verified; docs/tls.md):
 * - The key management refuses every export. OpenSSL 3.0 first tries the signature of the
 *   preferred provider (the default one), which needs the key exported to it; only when that
 *   export fails does it fetch the signature from the key's own provider, i.e. this one.
 * - It imports a public point, so that SSL_CTX_use_PrivateKey() can compare the certificate's
 *   key with this one (OpenSSL exports the certificate's key *into* this key management).
 * - The signature has digest_sign_init/update/final (3.0 refuses a provider signature without
 *   them) and dupctx (EVP_DigestSignFinal duplicates the context). The digest is computed by
 *   the default provider; only the final 32-byte digest goes to the TPM, as one TPM2_Sign.
 *
 * The provider lives in a library context of its own that holds nothing else, so its "EC" key
 * management can never be picked by an unrelated fetch of "EC" in the application's default
 * library context (where the default provider's stays the only one).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "tao_limits.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"

#define P256_COORD	32
#define P256_POINT	(1 + 2 * P256_COORD) /* uncompressed: 04 || x || y */
#define P256_SIG_MAX	72		     /* DER ECDSA-Sig-Value of two 33-byte integers */
#define P256_GROUP	"prime256v1"
#define TPM_ECC_P256	0x0003
#define TPMA_RESTRICTED 0x00010000u
#define TPMA_SIGN	0x00040000u

/* Import parameters of this provider only: the TPM behind a key. */
#define PARAM_ESYS   "tao-esys"
#define PARAM_HANDLE "tao-handle"

#define PROPS "provider=" TAO_TLS_KEY_PROVIDER

struct tk_key {
	bool has_pub;
	uint8_t pub[P256_POINT];
	struct tao_esys *esys; /* non-NULL: the private half is the TPM key at handle */
	uint32_t handle;
};

struct tk_sig {
	const struct tk_key *key;
	EVP_MD_CTX *md;
};

static pthread_mutex_t tpm_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong n_signs, n_digests, tpm_ns;
static const char *_Atomic digest_provider;

/* An OpenSSL error with this provider's message (shown by ERR_print_errors()). */
#define tk_raise(...) ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, __VA_ARGS__)

static bool is_p256(const char *name)
{
	return name &&
	       (!strcmp(name, P256_GROUP) || !strcmp(name, "P-256") || !strcmp(name, "secp256r1"));
}

static bool is_sha256(const char *name)
{
	return !strcmp(name, "SHA256") || !strcmp(name, "SHA2-256") || !strcmp(name, "SHA-256") ||
	       !strcmp(name, "2.16.840.1.101.3.4.2.1");
}

/* Any encoding of a P-256 point (compressed or not) as the uncompressed one, checked. */
static bool p256_point(const uint8_t *in, size_t len, uint8_t out[P256_POINT])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	bool ok = p && EC_POINT_oct2point(g, p, in, len, NULL) &&
		  EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, out, P256_POINT, NULL) ==
			  P256_POINT;

	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok;
}

/* ---- key management ---- */

static void *km_new(void *provctx)
{
	(void)provctx;
	return OPENSSL_zalloc(sizeof(struct tk_key));
}

static void km_free(void *kd)
{
	OPENSSL_free(kd);
}

static int km_has(const void *kd, int selection)
{
	const struct tk_key *k = kd;

	if (!k)
		return 0;
	if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && !k->has_pub)
		return 0;
	if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !k->esys)
		return 0;
	return 1;
}

static int km_import(void *kd, int selection, const OSSL_PARAM params[])
{
	struct tk_key *k = kd;
	const OSSL_PARAM *p;
	const char *group;
	const void *v;
	size_t len;

	if (!k)
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
	if (!p || !OSSL_PARAM_get_utf8_string_ptr(p, &group) || !is_p256(group))
		return 0; /* only P-256 keys exist here */
	if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) {
		p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
		if (!p)
			p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
		if (!p || !OSSL_PARAM_get_octet_string_ptr(p, &v, &len) ||
		    !p256_point(v, len, k->pub))
			return 0;
		k->has_pub = true;
	}
	if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
		/* A software private key is never taken in: this key management is for the TPM. */
		if (OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY))
			return 0;
		p = OSSL_PARAM_locate_const(params, PARAM_ESYS);
		if (p) {
			const OSSL_PARAM *h = OSSL_PARAM_locate_const(params, PARAM_HANDLE);

			if (!OSSL_PARAM_get_octet_ptr(p, &v, &len) || !v || !h ||
			    !OSSL_PARAM_get_uint32(h, &k->handle))
				return 0;
			k->esys = (struct tao_esys *)v;
		}
	}
	return 1;
}

static const OSSL_PARAM km_types[] = {
	OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *km_import_types(int selection)
{
	(void)selection;
	return km_types;
}

/* Every export is refused: see the top of this file. */
static int km_export(void *kd, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
	(void)kd;
	(void)selection;
	(void)cb;
	(void)cbarg;
	return 0;
}

static const OSSL_PARAM *km_export_types(int selection)
{
	(void)selection;
	return NULL;
}

static int km_get_params(void *kd, OSSL_PARAM params[])
{
	const struct tk_key *k = kd;
	OSSL_PARAM *p;

	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) && !OSSL_PARAM_set_int(p, 256))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) &&
	    !OSSL_PARAM_set_int(p, 128))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) &&
	    !OSSL_PARAM_set_int(p, P256_SIG_MAX))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) &&
	    !OSSL_PARAM_set_utf8_string(p, P256_GROUP))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) &&
	    !OSSL_PARAM_set_utf8_string(p, "SHA256"))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY)) &&
	    (!k->has_pub || !OSSL_PARAM_set_octet_string(p, k->pub, sizeof(k->pub))))
		return 0;
	if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY)) &&
	    (!k->has_pub || !OSSL_PARAM_set_octet_string(p, k->pub, sizeof(k->pub))))
		return 0;
	return 1;
}

static const OSSL_PARAM km_gettable[] = {
	OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
	OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
	OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
	OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *km_gettable_params(void *provctx)
{
	(void)provctx;
	return km_gettable;
}

static int km_match(const void *kd1, const void *kd2, int selection)
{
	const struct tk_key *a = kd1, *b = kd2;

	if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
		return a->has_pub && b->has_pub && !memcmp(a->pub, b->pub, sizeof(a->pub));
	if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
		return a->esys && a->esys == b->esys && a->handle == b->handle;
	return 1; /* the domain parameters: P-256 on both sides */
}

static const char *km_query_operation_name(int operation_id)
{
	return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" : NULL;
}

static const OSSL_DISPATCH km_functions[] = {
	{ OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))km_new },
	{ OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free },
	{ OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has },
	{ OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))km_import },
	{ OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))km_import_types },
	{ OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export },
	{ OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_export_types },
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params },
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_gettable_params },
	{ OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match },
	{ OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))km_query_operation_name },
	{ 0, NULL },
};

/* ---- signature ---- */

/* One TPM2_Sign of digest by the key; the DER ECDSA-Sig-Value into sig (sigsize bytes). */
static int tpm_sign(const struct tk_key *k, const uint8_t digest[32], unsigned char *sig,
		    size_t *siglen, size_t sigsize)
{
	char err[256] = "";
	struct timespec t0, t1;
	uint8_t *der = NULL;
	size_t len = 0;
	int r;

	if (!k || !k->esys) {
		tk_raise("%s", "tao-tpm: no TPM key to sign with");
		return 0;
	}
	pthread_mutex_lock(&tpm_lock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = tao_esys_sign_sha256(k->esys, k->handle, digest, &der, &len, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_unlock(&tpm_lock);
	atomic_fetch_add(&tpm_ns, (unsigned long)((t1.tv_sec - t0.tv_sec) * 1000000000L +
						  (t1.tv_nsec - t0.tv_nsec)));
	if (r) {
		tk_raise("tao-tpm: %s", err[0] ? err : "TPM2_Sign failed");
		return 0;
	}
	atomic_fetch_add(&n_signs, 1);
	if (len > sigsize) {
		free(der);
		tk_raise("%s", "tao-tpm: signature buffer too small");
		return 0;
	}
	memcpy(sig, der, len);
	*siglen = len;
	free(der);
	return 1;
}

static void *sig_newctx(void *provctx, const char *propq)
{
	(void)provctx;
	(void)propq;
	return OPENSSL_zalloc(sizeof(struct tk_sig));
}

static void sig_freectx(void *ctx)
{
	struct tk_sig *c = ctx;

	if (c)
		EVP_MD_CTX_free(c->md);
	OPENSSL_free(c);
}

static void *sig_dupctx(void *ctx)
{
	const struct tk_sig *src = ctx;
	struct tk_sig *dst = OPENSSL_zalloc(sizeof(*dst));

	if (!dst)
		return NULL;
	dst->key = src->key;
	if (src->md && (!(dst->md = EVP_MD_CTX_new()) || !EVP_MD_CTX_copy_ex(dst->md, src->md))) {
		sig_freectx(dst);
		return NULL;
	}
	return dst;
}

static int sig_init_key(struct tk_sig *c, void *kd)
{
	const struct tk_key *k = kd;

	if (!k || !k->esys) {
		tk_raise("%s", "tao-tpm: the key has no TPM private half");
		return 0;
	}
	c->key = k;
	return 1;
}

static int sig_sign_init(void *ctx, void *kd, const OSSL_PARAM params[])
{
	(void)params;
	return sig_init_key(ctx, kd);
}

/* The one-shot form: tbs is already the SHA-256 digest. */
static int sig_sign(void *ctx, unsigned char *sig, size_t *siglen, size_t sigsize,
		    const unsigned char *tbs, size_t tbslen)
{
	struct tk_sig *c = ctx;

	if (!sig) {
		*siglen = P256_SIG_MAX;
		return 1;
	}
	if (tbslen != 32) {
		tk_raise("%s", "tao-tpm: only a 32-byte (SHA-256) digest can be signed");
		return 0;
	}
	return tpm_sign(c->key, tbs, sig, siglen, sigsize);
}

static int sig_digest_sign_init(void *ctx, const char *mdname, void *kd, const OSSL_PARAM params[])
{
	struct tk_sig *c = ctx;
	EVP_MD *md;
	int ok;

	(void)params;
	if (mdname && mdname[0] && !is_sha256(mdname)) {
		tk_raise("tao-tpm: digest %s is not supported (SHA-256 only)", mdname);
		return 0;
	}
	if (!sig_init_key(c, kd))
		return 0;
	/* The hashing stays in software: OpenSSL's default provider when it is there. */
	md = EVP_MD_fetch(NULL, "SHA2-256", "?provider=default");
	if (!md)
		return 0;
	if (!c->md)
		c->md = EVP_MD_CTX_new();
	ok = c->md && EVP_DigestInit_ex2(c->md, md, NULL);
	EVP_MD_free(md);
	return ok;
}

static int sig_digest_sign_update(void *ctx, const unsigned char *data, size_t len)
{
	struct tk_sig *c = ctx;

	return c->md && EVP_DigestUpdate(c->md, data, len);
}

static int sig_digest_sign_final(void *ctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
	struct tk_sig *c = ctx;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const OSSL_PROVIDER *prov;

	if (!sig) {
		*siglen = P256_SIG_MAX;
		return 1;
	}
	if (!c->md || !EVP_DigestFinal_ex(c->md, digest, &n) || n != 32)
		return 0;
	atomic_fetch_add(&n_digests, 1);
	prov = EVP_MD_get0_provider(EVP_MD_CTX_get0_md(c->md));
	atomic_store(&digest_provider, prov ? OSSL_PROVIDER_get0_name(prov) : NULL);
	return tpm_sign(c->key, digest, sig, siglen, sigsize);
}

static const OSSL_DISPATCH sig_functions[] = {
	{ OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))sig_newctx },
	{ OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))sig_freectx },
	{ OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))sig_dupctx },
	{ OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_sign_init },
	{ OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_sign },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))sig_digest_sign_init },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))sig_digest_sign_update },
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))sig_digest_sign_final },
	{ 0, NULL },
};

/* ---- the provider ---- */

static const OSSL_ALGORITHM km_algs[] = {
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", PROPS, km_functions, "TPM-resident ECC key" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM sig_algs[] = {
	{ "ECDSA", PROPS, sig_functions, "ECDSA by TPM2_Sign" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM *prov_query(void *provctx, int operation_id, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (operation_id) {
	case OSSL_OP_KEYMGMT:
		return km_algs;
	case OSSL_OP_SIGNATURE:
		return sig_algs;
	default:
		return NULL; /* no digests, no ciphers: those stay in the default provider */
	}
}

static const OSSL_DISPATCH prov_functions[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))prov_query },
	{ 0, NULL },
};

static int prov_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		     const OSSL_DISPATCH **out, void **provctx)
{
	(void)in;
	*out = prov_functions;
	*provctx = (void *)handle;
	return 1;
}

static OSSL_LIB_CTX *tk_libctx;
static pthread_once_t tk_once = PTHREAD_ONCE_INIT;

/* Process lifetime: the library context and the provider are never unloaded. */
static void tk_setup(void)
{
	OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();

	if (!lc)
		return;
	if (!OSSL_PROVIDER_add_builtin(lc, TAO_TLS_KEY_PROVIDER, prov_init) ||
	    !OSSL_PROVIDER_load(lc, TAO_TLS_KEY_PROVIDER)) {
		OSSL_LIB_CTX_free(lc);
		return;
	}
	tk_libctx = lc;
}

#define set_err(err, errlen, ...)                           \
	do {                                                \
		if ((err) && (errlen))                      \
			snprintf(err, errlen, __VA_ARGS__); \
	} while (0)

int tao_tls_key_load(struct tao_esys *e, uint32_t handle, EVP_PKEY **out, char *err, size_t errlen)
{
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX], point[P256_POINT];
	struct tao_tpm_public *pub = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	void *esys_ptr = e;
	int n, r = -EIO;

	*out = NULL;
	n = tao_esys_read_public(e, handle, tpmt, err, errlen);
	if (n < 0)
		return n;
	pub = malloc(sizeof(*pub));
	if (!pub)
		return -ENOMEM;
	if ((r = tao_tpmt_public_parse(tpmt, (size_t)n, pub, err, errlen)))
		goto out;
	r = -EINVAL;
	if (pub->type != TAO_TPM_ALG_ECC || pub->ecc.curve != TPM_ECC_P256 ||
	    pub->ecc.x_len > P256_COORD || pub->ecc.y_len > P256_COORD) {
		set_err(err, errlen, "the key at 0x%08x is not an ECC NIST P-256 key", handle);
		goto out;
	}
	if (!(pub->attributes & TPMA_SIGN) || (pub->attributes & TPMA_RESTRICTED)) {
		set_err(err, errlen, "the key at 0x%08x is not an unrestricted signing key",
			handle);
		goto out;
	}
	/* The TPM may drop leading zero bytes of a coordinate. */
	memset(point, 0, sizeof(point));
	point[0] = 0x04;
	memcpy(point + 1 + P256_COORD - pub->ecc.x_len, pub->ecc.x, pub->ecc.x_len);
	memcpy(point + 1 + 2 * P256_COORD - pub->ecc.y_len, pub->ecc.y, pub->ecc.y_len);

	r = -EIO;
	pthread_once(&tk_once, tk_setup);
	if (!tk_libctx) {
		set_err(err, errlen, "cannot load the OpenSSL provider for the TPM key 0x%08x",
			handle);
		goto out;
	}
	{
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							 (char *)P256_GROUP, 0),
			OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point,
							  sizeof(point)),
			OSSL_PARAM_construct_octet_ptr(PARAM_ESYS, &esys_ptr, sizeof(e)),
			OSSL_PARAM_construct_uint32(PARAM_HANDLE, &handle),
			OSSL_PARAM_construct_end(),
		};

		ctx = EVP_PKEY_CTX_new_from_name(tk_libctx, "EC", PROPS);
		if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) <= 0) {
			set_err(err, errlen, "OpenSSL refused the TPM key 0x%08x", handle);
			goto out;
		}
	}
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	free(pub);
	return r;
}

int tao_tls_key_is_tpm(const EVP_PKEY *pkey)
{
	return pkey && EVP_PKEY_get0_provider(pkey) &&
	       !strcmp(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(pkey)), TAO_TLS_KEY_PROVIDER);
}

unsigned long tao_tls_key_tpm_signs(void)
{
	return atomic_load(&n_signs);
}

unsigned long tao_tls_key_sw_digests(void)
{
	return atomic_load(&n_digests);
}

unsigned long tao_tls_key_tpm_ns(void)
{
	return atomic_load(&tpm_ns);
}

const char *tao_tls_key_digest_provider(void)
{
	return atomic_load(&digest_provider);
}
