/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device's half of an LDevID at enrollment (docs/protocol.md section 8): the LDevID key in
 * the TPM (created under the SRK unless one is there), a PKCS#10 request signed by it, and the
 * IAK's TPM2_Certify of it qualified by the session's binder. Used by taod and tao-devsim.
 */
#ifndef TAO_LDEVID_REQ_H
#define TAO_LDEVID_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct tao_esys;
struct tao_ldevid_request;

struct tao_ldevid_req_opts {
	uint32_t ldevid_handle; /* where the LDevID lives (TAO_HANDLE_LDEVID) */
	uint32_t iak_handle;	/* the certifier (TAO_HANDLE_IAK) */
	const char *serial;	/* the device serial: subject "CN=LDevID S,serialNumber=S" */
	/*
	 * Tests only: sign the request with this software key instead of the TPM key (a request
	 * whose key is not the certified one, which the registrar must refuse). NULL normally.
	 */
	EVP_PKEY *foreign;
};

/*
 * Fill *out (zeroed by the caller; out->csr_der is malloc()ed) for binder. The key at
 * o->ldevid_handle is used if there is one, else created and persisted there (*created is then
 * true; created may be NULL). Returns 0 or a negative errno with a message naming the step.
 */
int tao_ldevid_request_make(struct tao_esys *e, const struct tao_ldevid_req_opts *o,
			    const uint8_t binder[32], struct tao_ldevid_request *out, bool *created,
			    char *err, size_t errlen);

#endif /* TAO_LDEVID_REQ_H */
