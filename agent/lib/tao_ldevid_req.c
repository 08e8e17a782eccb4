// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The LDevID request of an enrollment: key, CSR and the IAK's certification for a binder.
 */
#include "tao_ldevid_req.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "tao_client.h"
#include "tao_devid.h"
#include "tao_limits.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_util.h"

/* The request's signer: the LDevID in the TPM, or a software key (tests). */
struct signer {
	struct tao_esys *e;
	uint32_t handle;
	EVP_PKEY *soft;
};

static int sign_digest(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len,
		       char *err, size_t errlen)
{
	struct signer *s = arg;
	EVP_PKEY_CTX *ctx;
	size_t n = 0;
	int ok;

	if (!s->soft)
		return tao_esys_sign_sha256(s->e, s->handle, digest, der, der_len, err, errlen);
	ctx = EVP_PKEY_CTX_new(s->soft, NULL);
	ok = ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_sign(ctx, NULL, &n, digest, 32) == 1 &&
	     (*der = malloc(n)) && EVP_PKEY_sign(ctx, *der, &n, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return tao_errf(err, errlen, -EIO, "signing the request with the software key");
	*der_len = n;
	return 0;
}

/* Prefix err with what (the step that failed). */
static int step_fail(int rc, const char *what, char *err, size_t errlen)
{
	char tmp[TAO_ERRMSG_MAX];

	snprintf(tmp, sizeof(tmp), "%s", err);
	return tao_errf(err, errlen, rc, "%s: %s", what, tmp);
}

int tao_ldevid_request_make(struct tao_esys *e, const struct tao_ldevid_req_opts *o,
			    const uint8_t binder[32], struct tao_ldevid_request *out, bool *created,
			    char *err, size_t errlen)
{
	struct tao_tpm_public *pub = NULL;
	struct signer s = { e, o->ldevid_handle, o->foreign };
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	EVP_PKEY *pkey = NULL;
	X509_REQ *req = NULL;
	unsigned char *der = NULL;
	char subject[2 * TAO_SERIAL_MAX + 40];
	int rc, n;

	if (created)
		*created = false;
	if (strlen(o->serial) > TAO_SERIAL_MAX)
		return tao_errf(err, errlen, -EINVAL, "the device serial is too long");
	rc = tao_esys_exists(e, o->ldevid_handle, err, errlen);
	if (rc == 0) {
		rc = tao_esys_create_child_persist(e, TAO_TEMPLATE_DEVID, o->ldevid_handle, err,
						   errlen);
		if (rc < 0)
			return step_fail(rc, "creating the LDevID under the SRK", err, errlen);
		if (created)
			*created = true;
	}
	if (rc < 0)
		return rc;
	n = tao_esys_read_public(e, o->ldevid_handle, tpmt, err, errlen);
	if (n < 0)
		return step_fail(n, "reading the LDevID", err, errlen);
	pub = malloc(sizeof(*pub));
	if (!pub)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	rc = tao_tpmt_public_parse(tpmt, (size_t)n, pub, err, errlen);
	if (!rc)
		rc = tao_tpm_public_to_pkey(pub, &pkey, err, errlen);
	if (rc < 0) {
		step_fail(rc, "the LDevID", err, errlen);
		goto out;
	}
	if (pub->attributes & 0x00010000u) { /* TPMA_OBJECT restricted */
		rc = tao_errf(err, errlen, -EKEYREJECTED,
			      "the key at 0x%08x is restricted; an LDevID must not be",
			      o->ldevid_handle);
		goto out;
	}
	if (pub->tpmt_len > sizeof(out->public_area)) {
		rc = tao_errf(err, errlen, -E2BIG, "the LDevID's public area is too large");
		goto out;
	}
	memcpy(out->public_area, pub->tpmt, pub->tpmt_len);
	out->public_len = pub->tpmt_len;
	snprintf(subject, sizeof(subject), "CN=LDevID %s,serialNumber=%s", o->serial, o->serial);
	rc = tao_csr_build(o->foreign ? o->foreign : pkey, subject, sign_digest, &s, &req, err,
			   errlen);
	if (rc < 0) {
		step_fail(rc, "the LDevID request", err, errlen);
		goto out;
	}
	n = i2d_X509_REQ(req, &der);
	if (n <= 0 || !(out->csr_der = malloc((size_t)n))) {
		rc = tao_errf(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(out->csr_der, der, (size_t)n);
	out->csr_len = (size_t)n;
	rc = tao_esys_certify(e, o->ldevid_handle, o->iak_handle, binder, 32, out->attest,
			      &out->attest_len, out->sig, &out->sig_len, err, errlen);
	if (rc < 0)
		step_fail(rc, "certifying the LDevID with the IAK", err, errlen);
out:
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
	free(pub);
	return rc;
}
