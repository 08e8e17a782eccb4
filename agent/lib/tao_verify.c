// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Verifying ECDSA, RSASSA and RSAPSS signatures of a TPM with OpenSSL 3. */
#include "tao_verify.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "tao_crypto.h"
#include "tao_nla.h"

/* r and s as the DER ECDSA-Sig-Value OpenSSL verifies; returns its length, 0 on failure. */
static int ecdsa_der(const struct tao_signature *sig, unsigned char **der)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig->r, (int)sig->r_len, NULL);
	BIGNUM *ss = BN_bin2bn(sig->s, (int)sig->s_len, NULL);
	int len = 0;

	if (s && r && ss && ECDSA_SIG_set0(s, r, ss)) {
		r = ss = NULL; /* s owns them now */
		len = i2d_ECDSA_SIG(s, der);
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return len > 0 ? len : 0;
}

int tao_signature_verify(const struct tao_tpm_public *pub, const struct tao_signature *sig,
			 const uint8_t *msg, size_t len, char *err, size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = tao_tpm_public_to_pkey(pub, &pkey, err, errlen);
	if (rc)
		return rc;
	rc = tao_signature_verify_pkey(pkey, sig, msg, len, err, errlen);
	EVP_PKEY_free(pkey);
	return rc;
}

int tao_signature_verify_pkey(EVP_PKEY *pkey, const struct tao_signature *sig, const uint8_t *msg,
			      size_t len, char *err, size_t errlen)
{
	struct tao_perr e = { err, errlen };
	const EVP_MD *md = tao_md(sig->hash);
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *s;
	size_t slen;
	int rc = 0, ok;

	if (err && errlen)
		err[0] = '\0';
	switch (sig->sig_alg) {
	case TAO_TPM_ALG_ECDSA:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
			return tao_fail(&e, -EINVAL, "an ECDSA signature needs an ECC key");
		break;
	case TAO_TPM_ALG_RSASSA:
	case TAO_TPM_ALG_RSAPSS:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
			return tao_fail(&e, -EINVAL, "an RSA signature needs an RSA key");
		break;
	default:
		return tao_fail(&e, -EOPNOTSUPP, "signature scheme 0x%04x is not supported",
				sig->sig_alg);
	}
	if (!md)
		return tao_fail(&e, -EOPNOTSUPP, "signature hash 0x%04x is not supported",
				sig->hash);
	if (sig->sig_alg == TAO_TPM_ALG_ECDSA) {
		slen = (size_t)ecdsa_der(sig, &der);
		s = der;
	} else {
		slen = sig->sig_len;
		s = sig->sig;
	}
	ctx = EVP_MD_CTX_new();
	ok = slen && ctx && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) == 1;
	if (ok && sig->sig_alg == TAO_TPM_ALG_RSAPSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1;
	if (!ok)
		rc = tao_fail(&e, -ENOMEM, "OpenSSL failed to set up the verification");
	else if (EVP_DigestVerify(ctx, s, slen, msg, len) != 1)
		rc = tao_fail(&e, -EBADMSG, "the signature does not verify with the key");
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return rc;
}
