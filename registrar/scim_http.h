/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The SCIM 2.0 service over the registrar's HTTPS (RFC 7644): discovery, /Devices and
 * /EndpointApps with create, read, replace, PATCH, delete, filtered and paged lists, ETags,
 * and bearer-token authentication of operators and installers (docs/scim.md).
 */
#ifndef TAO_REGISTRAR_SCIM_HTTP_H
#define TAO_REGISTRAR_SCIM_HTTP_H

#include <stddef.h>

#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct evhttp_request;
struct json_object;
struct tao_store;
struct reg_tenant;

#define SCIM_MAX_IAK_ISSUERS 8

/* What evaluating evidence on a connection gave (the registrar's reg_attest). */
struct scim_attest {
	bool evaluated; /* else: http_status, error, detail */
	int http_status;
	const char *error;
	char detail[256];
	bool accepted;	    /* affirming or warning */
	const char *status; /* "affirming", ... */
	char reason[256];
	char serial[65];  /* the client certificate's serialNumber */
	char issuer[512]; /* its issuer, RFC 2253 */
	int64_t attestation_id;
	int64_t time;		 /* unix seconds */
	struct json_object *ear; /* the result document (owned) */
	/* Evaluated: what an LDevID request of the enrollment is checked against. */
	EVP_PKEY *iak_key;  /* the evidence's IAK certificate key (owned), or NULL */
	uint8_t binder[32]; /* this connection's binder */
	/*
	 * Accepted: the SHA-256 (DER) of each certificate above the IAK in its verified chain,
	 * the issuer first, the trust anchor last: what maps an unknown device to a tenant.
	 */
	size_t n_iak_issuers;
	uint8_t iak_issuers_sha256[SCIM_MAX_IAK_ISSUERS][32];
};

struct scim_service {
	struct tao_store *store;
	size_t max_results; /* filter.maxResults (ServiceProviderConfig) */
	/* Evaluate and record evidence sent on ssl (the attested enrollment). */
	int (*attest)(void *ctx, SSL *ssl, const char *text, size_t len, const char *peer,
		      struct scim_attest *res);
	void *attest_ctx;
	/*
	 * Self-enrollment of a device nobody pre-provisioned: the tenant its IAK's chain maps it to
	 * (config [tenant NAME]) decides; a device of no tenant follows self_enroll and lands in
	 * self_enroll_tenant.
	 */
	const struct reg_tenant *tenants;
	size_t n_tenants;
	bool self_enroll;
	const char *self_enroll_tenant;
	/* LDevID issuance at enrollment: the operator CA (NULL key: none is issued). */
	EVP_PKEY *operator_key;
	X509 *operator_cert;
	int ldevid_days;
};

/*
 * Answer one request whose path starts with /scim/ (path: the decoded path, query: the raw
 * query string or NULL). peer names the client in logs.
 */
void scim_http_handle(struct scim_service *svc, struct evhttp_request *req, SSL *ssl,
		      const char *path, const char *query, const char *peer);

/*
 * Make the stored default representation of every resource that has none, or one made under
 * another projection (after the store's migration to schema 5, or a change of the schema
 * tables): called on the registrar's start. The number made, or a negative errno.
 */
int scim_fill_reps(struct tao_store *store, char *err, size_t errlen);

/*
 * Bring the read-only result of the enrolled Device of at->serial (the attestation extension's
 * result) up to the appraisal at, one that arrived outside SCIM (a re-attestation on
 * /attest/v1/evidence, accepted or not): a new version of the resource. Returns 1 when a Device
 * was updated, 0 when there is none to update (no Device of that serial, or one never
 * enrolled: a pre-provisioned record is claimed by enrollment only), or a negative errno with
 * a message in err.
 */
int scim_note_attestation(struct tao_store *store, const struct scim_attest *at, char *err,
			  size_t errlen);

/* A new bearer token: "tao_" and 43 base64url characters (256 random bits), and its hash. */
int scim_token_new(char *token, size_t len, unsigned char hash[32]);

/* The SHA-256 of a presented token (what the store keeps). */
void scim_token_hash(const char *token, unsigned char hash[32]);

#endif /* TAO_REGISTRAR_SCIM_HTTP_H */
