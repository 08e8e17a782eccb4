/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device side of the attested session (docs/registrar.md, docs/protocol.md section 1): one
 * TLS 1.3 connection to the registrar with mutual authentication (HTTP/1.1 on OpenSSL's libssl,
 * the client key usually in the TPM through tao_tls_key), GET /attest/v1/params, the binder from
 * that connection's exporter, the evidence (made by a callback), POST /attest/v1/evidence on the
 * same connection, and the registrar's result.
 */
#ifndef TAO_CLIENT_H
#define TAO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tao_limits.h"
#include "tao_pcr_sel.h"
#include "tao_verifier.h"

struct json_object;
struct tao_ldevid_request;

/*
 * Fills *out (struct tao_ldevid_request below) for binder. Returns 0 or a negative errno with a
 * message.
 */
typedef int (*tao_ldevid_fn)(void *arg, const uint8_t binder[32], struct tao_ldevid_request *out,
			     char *err, size_t errlen);

struct tao_client_opts {
	const char *url;       /* the registrar's base URL, "https://127.0.0.1:8443" */
	const char *ca_file;   /* the pinned CA of the registrar's server certificate (PEM) */
	const char *cert_file; /* the client certificate chain, PEM, leaf first */
	EVP_PKEY *key;	       /* its key: tao_tls_key_load(), or a software key in tests */
	long timeout_ms;       /* the whole exchange; 0: 30 s */
	/*
	 * The params of an earlier session, or NULL. When given, the evidence is made on a thread
	 * of its own as soon as the handshake is done, for these params, while GET params is under
	 * way; it is used when the registrar asks for the same (else made again for what it asks).
	 * The callback must then be safe to run on another thread than the caller's (it is never
	 * run twice at once).
	 */
	const struct tao_attest_params *expect;
	/*
	 * Enroll instead of attesting: the evidence goes to POST /scim/v2/Devices inside a Device
	 * (docs/scim.md), and the answer is the Device (200 claimed or enrolled again, 201 new):
	 * out->ear is then that Device, out->status its attestation result.
	 */
	bool enroll;
	/*
	 * Enroll mode: ask for an LDevID too (docs/scim.md section 2.5). Called with the
	 * connection's binder once the evidence is made; what it returns goes into the Device's
	 * attestation extension (ldevidCsr, ldevidCertify), and the certificate the registrar
	 * issued comes back in tao_attest_outcome.ldevid_der. NULL: no LDevID is asked for.
	 */
	tao_ldevid_fn ldevid;
	void *ldevid_arg;
};

/* The project's SCIM extension that carries evidence and results (docs/scim.md). */
#define TAO_SCIM_ATTEST_URN "urn:x-tao:scim:schemas:extension:attestation:1.0:Device"

/*
 * An LDevID request of an enrollment: a PKCS#10 request for the LDevID key (DER) and the IAK's
 * TPM2_Certify of that key with qualifying data = the session's binder (TPMS_ATTEST,
 * TPMT_SIGNATURE, and the key's TPMT_PUBLIC). csr_der is malloc()ed (freed by the client).
 */
struct tao_ldevid_request {
	uint8_t *csr_der;
	size_t csr_len;
	size_t attest_len, sig_len, public_len;
	uint8_t attest[TAO_ATTEST_MAX];
	uint8_t sig[TAO_SIGNATURE_MAX];
	uint8_t public_area[TAO_TPM2B_PUBLIC_MAX];
};

/* What GET /attest/v1/params asked for. */
struct tao_attest_params {
	uint32_t evidence_version;     /* the version to produce (TAO_EVIDENCE_VERSION) */
	struct tao_pcr_selection pcrs; /* the PCRs to quote */
	uint64_t max_body_bytes;       /* the largest evidence the registrar takes */
};

/*
 * Makes the encoded evidence (tao_evidence_encode()) for binder and params, into a malloc()ed
 * *text. Returns 0 or a negative errno with a message in err.
 */
typedef int (*tao_evidence_fn)(void *arg, const uint8_t binder[32],
			       const struct tao_attest_params *params, char **text, char *err,
			       size_t errlen);

/* Wall-clock phases of one session (milliseconds), for TAO_TIMING and the benchmarks. */
struct tao_client_timing {
	double handshake; /* TCP connect to the end of the TLS handshake */
	double params;	  /* the whole GET /attest/v1/params */
	double evidence;  /* the callback */
	double post;	  /* the POST until the whole response */
	double total;
	bool early; /* the evidence was made during GET params (tao_client_opts.expect) */
};

struct tao_attest_outcome {
	long http_status;	/* of the POST; 0 if it was not sent */
	enum tao_status status; /* the registrar's "ear.status" */
	char reason[TAO_ERRMSG_MAX];
	char device[65];	 /* the device serial the registrar named, or "" */
	int64_t attestation_id;	 /* the registrar's record of this attestation, or -1 */
	struct json_object *ear; /* the whole result document (owned; tao_attest_outcome_free) */
	uint8_t binder[32];	 /* what this end computed */
	struct tao_attest_params params; /* what the registrar asked for (the next expect) */
	char resource_id[40];		 /* enroll: the Device's SCIM id */
	uint8_t *ldevid_der; /* enroll: the LDevID certificate the Device carries (DER), or NULL */
	size_t ldevid_len;
	struct tao_client_timing timing;
};

void tao_attest_outcome_free(struct tao_attest_outcome *o);

/*
 * One attested session. Returns 0 when the registrar evaluated the evidence (*out holds its
 * result, whatever the status), or a negative errno with a message: -ECONNREFUSED / -ETIMEDOUT /
 * -EHOSTUNREACH (network: worth retrying), -EPROTO (TLS: below 1.3, the server's certificate
 * not from the pinned CA, our certificate refused), -EKEYREVOKED / -EKEYEXPIRED (the registrar
 * refused our certificate with a certificate_revoked / certificate_expired alert: as revoked, or
 * as expired), -ECONNRESET (the registrar closed the
 * connection; in TLS 1.3 also how a refusal of our certificate may show), -EBADMSG (a response
 * that does not parse, or larger than 1 MiB), -EPROTONOSUPPORT (params this client cannot
 * follow), -EACCES (401, 403) / -E2BIG (413) / -EINVAL (other 4xx) / -EOPNOTSUPP (501) / -EIO
 * (other 5xx) for the registrar's errors (the message carries its "error" and "detail"), -E2BIG for
 * evidence over the registrar's max_body_bytes, -ENOENT / -EACCES for an unreadable CA or
 * certificate file, -EINVAL for a URL that is not https://, -ETIMEDOUT when the whole exchange
 * outlasts timeout_ms, or the callback's error. The POST is refused (-EPIPE) when the registrar
 * closed the connection the binder was computed on after params (it is never sent on another). On
 * failure out->ear is NULL.
 */
int tao_client_attest(const struct tao_client_opts *opts, tao_evidence_fn make, void *arg,
		      struct tao_attest_outcome *out, char *err, size_t errlen);

/*
 * A plain request on a new mutually authenticated TLS 1.3 connection (the benchmark's baseline,
 * and `params` alone): GET url + path, the body into a malloc()ed *body (NUL-terminated).
 * Returns the HTTP status or a negative errno as above.
 */
long tao_client_get(const struct tao_client_opts *opts, const char *path, char **body,
		    struct tao_client_timing *timing, char *err, size_t errlen);

/* Parse a params document (the body of GET /attest/v1/params). */
int tao_attest_params_parse(const char *text, size_t len, struct tao_attest_params *out, char *err,
			    size_t errlen);

#endif /* TAO_CLIENT_H */
