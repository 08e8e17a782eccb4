// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The registrar's HTTPS server (docs/registrar.md): TLS 1.3 with client certificates over
 * bufferevent_openssl, evhttp for HTTP/1.1, and the attestation endpoint, which verifies evidence
 * against the binder of the connection it arrived on and records the result.
 *
 * Connections: a per-connection state hangs off the SSL object (ex_data), so its lifetime is
 * exactly the connection's (OpenSSL frees it with the SSL, which the bufferevent frees). It holds
 * a deadline: a whole request — TLS handshake, headers and body, or the next request on a
 * kept-alive connection — must arrive within request_timeout, however slowly its bytes trickle
 * in; then the socket is shut down and evhttp closes the connection. When max_connections are
 * open the listener pauses (the kernel's backlog holds new clients) until one closes.
 */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "ldevid.h"
#include "rlog.h"
#include "scim_http.h"
#include "store.h"
#include "tao_binder.h"
#include "tao_devid.h"
#include "tao_evidence.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_policy.h"
#include "tao_verifier.h"
#include "tao_util.h"

#define PARAMS_VERSION 1
#define EAR_PROFILE    "tag:tao,2026:ear-v1"

struct registrar {
	const struct reg_config *cfg;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *sig_term, *sig_int;
	SSL_CTX *ssl;
	X509_STORE *trust;	/* manufacturer CAs: the IAK (and IDevID) chains */
	X509_STORE *tls_trust;	/* manufacturer and operator CAs: the TLS leaf's chain */
	EVP_PKEY *operator_key; /* NULL: no LDevIDs are issued */
	X509 *operator_cert;
	struct tao_policy *policy; /* NULL: none */
	struct tao_chain_cache *cache;
	struct tao_store *store;
	char *params; /* the body of GET /attest/v1/params */
	struct scim_service scim;
	unsigned int conns;
	bool paused, stopping;
	uint64_t n_conns, n_attest, n_accepted;
};

struct conn {
	struct registrar *r;
	struct event *deadline;
	SSL *ssl;
	unsigned int requests;
};

static int conn_idx = -1;

static void listener_set(struct registrar *r, bool on)
{
	struct evconnlistener *l;

	if (!r->bound || r->stopping || r->paused == !on)
		return;
	l = evhttp_bound_socket_get_listener(r->bound);
	if (on)
		evconnlistener_enable(l);
	else
		evconnlistener_disable(l);
	r->paused = !on;
	rlog(on ? RLOG_INFO : RLOG_WARNING, on ? "accept_resumed" : "accept_paused",
	     on ? "accepting connections again" : "max_connections reached: not accepting", NULL);
}

static void arm_deadline(struct conn *c)
{
	struct timeval tv = { .tv_sec = c->r->cfg->request_timeout };

	evtimer_add(c->deadline, &tv);
}

static void peer_text(SSL *ssl, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0, fd = ssl ? SSL_get_fd(ssl) : -1;

	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
	}
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}

/* The deadline passed: shut the socket down, and evhttp closes the connection on the EOF. */
static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	char peer[64];

	(void)fd;
	(void)what;
	peer_text(c->ssl, peer, sizeof(peer));
	rlog(RLOG_NOTICE, "timeout",
	     c->requests ? "no complete request in time on a kept-alive connection: closed"
			 : "no complete TLS handshake and request in time: closed",
	     "peer", peer, NULL);
	if (SSL_get_fd(c->ssl) >= 0)
		shutdown(SSL_get_fd(c->ssl), SHUT_RDWR);
}

/* OpenSSL frees the connection's state with its SSL: the connection is gone. */
static void conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct conn *c = ptr;
	SSL *ssl = parent;

	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (!c)
		return;
	if (!SSL_is_init_finished(ssl) && SSL_get_fd(ssl) >= 0) {
		long v = SSL_get_verify_result(ssl);
		char peer[64];

		peer_text(ssl, peer, sizeof(peer));
		rlog(RLOG_NOTICE, "tls_failed",
		     "connection closed before the TLS handshake finished", "peer", peer, "verify",
		     v == X509_V_OK ? NULL : X509_verify_cert_error_string(v), NULL);
	}
	event_free(c->deadline);
	c->r->conns--;
	if (c->r->conns < c->r->cfg->max_connections)
		listener_set(c->r, true);
	free(c);
}

/* A new connection: its TLS bufferevent (evhttp sets the socket on it). */
static struct bufferevent *new_conn(struct event_base *base, void *arg)
{
	struct registrar *r = arg;
	struct bufferevent *bev;
	struct conn *c = calloc(1, sizeof(*c));
	SSL *ssl = SSL_new(r->ssl);

	if (!c || !ssl || !(c->deadline = evtimer_new(base, deadline_cb, c)) ||
	    !SSL_set_ex_data(ssl, conn_idx, c)) {
		/*
		 * evhttp would make a plain socket of a NULL: give it one, which the handler
		 * refuses for having no TLS, and close it at once.
		 */
		if (c && c->deadline)
			event_free(c->deadline);
		free(c);
		SSL_free(ssl);
		rlog(RLOG_ERR, "oom", "out of memory for a new connection", NULL);
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	c->r = r;
	c->ssl = ssl;
	r->conns++;
	r->n_conns++;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl); /* frees c through conn_free */
		rlog(RLOG_ERR, "oom", "out of memory for a new connection", NULL);
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	arm_deadline(c);
	if (r->conns >= r->cfg->max_connections)
		listener_set(r, false);
	return bev;
}

/* The most a TLS record carries (RFC 8446 section 5.1). */
#define TLS_RECORD_MAX 16384

void reg_send_reply(struct evhttp_request *req, int code, const char *reason, struct evbuffer *body)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct evbuffer *out;
	size_t n;

	/* evhttp_send_reply only queues: bufferevent_openssl writes when the socket is ready. */
	evhttp_send_reply(req, code, reason, body);
	if (!bev)
		return;
	out = bufferevent_get_output(bev);
	n = evbuffer_get_length(out);
	/* Out of memory leaves the pieces as they were: more records, the same bytes. */
	evbuffer_pullup(out, (ev_ssize_t)(n < TLS_RECORD_MAX ? n : TLS_RECORD_MAX));
}

static void reply(struct evhttp_request *req, int code, const char *reason, const char *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (b)
		evbuffer_add(b, body, strlen(body));
	reg_send_reply(req, code, reason, b);
	if (b)
		evbuffer_free(b);
}

static void reply_error(struct evhttp_request *req, int code, const char *reason, const char *error,
			const char *detail)
{
	struct json_object *o = json_object_new_object();

	if (o && tao_json_put(o, "error", json_object_new_string(error)) &&
	    tao_json_put(o, "detail", json_object_new_string(detail)))
		reply(req, code, reason, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		evhttp_send_error(req, 500, "Internal Server Error");
	json_object_put(o);
}

static char *build_params(const struct reg_config *c)
{
	struct json_object *o = json_object_new_object(), *ev = json_object_new_object();
	struct json_object *versions = json_object_new_array();
	char *text = NULL;

	if (o && ev && versions &&
	    !json_object_array_add(versions, json_object_new_int(TAO_EVIDENCE_VERSION)) &&
	    tao_json_put(ev, "media_type", json_object_new_string(TAO_EVIDENCE_MEDIA_TYPE)) &&
	    tao_json_put(ev, "versions", versions) && (versions = NULL, true) &&
	    tao_json_put(o, "version", json_object_new_int(PARAMS_VERSION)) &&
	    tao_json_put(o, "evidence", ev) && (ev = NULL, true) &&
	    tao_json_put(o, "pcrs", json_object_new_string(c->pcrs_text)) &&
	    tao_json_put(o, "max_body_bytes", json_object_new_int64((int64_t)c->max_body_bytes)))
		text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(versions);
	json_object_put(ev);
	json_object_put(o);
	return text;
}

/* The issuer as one RFC 2253 line. */
static int issuer_text(X509 *x, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (!b || X509_NAME_print_ex(b, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(b);
		return -ENOMEM;
	}
	n = BIO_get_mem_data(b, &data);
	snprintf(buf, len, "%.*s", (int)(n < 0 ? 0 : n), data);
	BIO_free(b);
	return 0;
}

static struct json_object *build_ear(const struct tao_verdict *v)
{
	struct json_object *ear = json_object_new_object(), *vid = json_object_new_object();
	struct json_object *sub = json_object_new_object(), *tpm = json_object_new_object();
	struct json_object *vj = tao_verdict_to_json(v), *checks = NULL;

	if (!ear || !vid || !sub || !tpm || !vj ||
	    !json_object_object_get_ex(vj, "checks", &checks))
		goto fail;
	json_object_get(checks);
	if (!tao_json_put(ear, "eat_profile", json_object_new_string(EAR_PROFILE)) ||
	    !tao_json_put(ear, "iat", json_object_new_int64((int64_t)time(NULL))) ||
	    !tao_json_put(vid, "developer", json_object_new_string("tao")) ||
	    !tao_json_put(vid, "build", json_object_new_string("tao-registrar " TAO_VERSION)) ||
	    !tao_json_put(ear, "ear.verifier-id", vid) || (vid = NULL) ||
	    !tao_json_put(tpm, "ear.status", json_object_new_string(tao_status_name(v->status))) ||
	    !tao_json_put(tpm, "tao.reason", json_object_new_string(v->reason)) ||
	    !tao_json_put(tpm, "tao.checks", checks) || (checks = NULL) ||
	    !tao_json_put(sub, "tpm", tpm) || (tpm = NULL) || !tao_json_put(ear, "submods", sub) ||
	    (sub = NULL) ||
	    (v->device_serial[0] &&
	     !tao_json_put(ear, "tao.device", json_object_new_string(v->device_serial))))
		goto fail;
	json_object_put(vj);
	return ear;
fail:
	json_object_put(checks);
	json_object_put(vj);
	json_object_put(tpm);
	json_object_put(sub);
	json_object_put(vid);
	json_object_put(ear);
	return NULL;
}

static bool is_json(struct evhttp_request *req)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void counters_to_store(const struct tao_tpm_counters *a, struct tao_store_counters *b)
{
	b->reset_count = a->reset_count;
	b->restart_count = a->restart_count;
	b->clock = a->clock;
}

/*
 * The certificates above an accepted device's IAK (its chain verified already): their SHA-256,
 * the issuer first, the trust anchor last, for the tenant of a self-enrolling device.
 */
static void iak_issuers(X509_STORE *trust, X509 *iak, const struct tao_evidence *ev,
			struct scim_attest *res)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null(), *chain;
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	unsigned int len;

	if (!iak || !untrusted || !ctx)
		goto out;
	for (size_t i = 1; i < ev->n_iak_certs; i++) {
		const unsigned char *p = ev->iak_certs[i].bytes;
		X509 *c = d2i_X509(NULL, &p, (long)ev->iak_certs[i].len);

		if (!c || !sk_X509_push(untrusted, c)) {
			X509_free(c);
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, trust, iak, untrusted) != 1)
		goto out;
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	if (X509_verify_cert(ctx) != 1)
		goto out;
	chain = X509_STORE_CTX_get0_chain(ctx);
	for (int i = 1; i < sk_X509_num(chain) && res->n_iak_issuers < SCIM_MAX_IAK_ISSUERS; i++)
		if (X509_digest(sk_X509_value(chain, i), EVP_sha256(),
				res->iak_issuers_sha256[res->n_iak_issuers], &len) == 1 &&
		    len == 32)
			res->n_iak_issuers++;
out:
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
}

/*
 * Evaluate evidence text that arrived on ssl (from peer) and record the result: what both the
 * attestation endpoint and SCIM enrollment do. Fills *res (scim_http.h); returns 0 when the
 * evidence was evaluated and recorded (res->ear holds the result, whatever its status), or -1
 * with res->http_status, res->error and res->detail for an answer without a result.
 */
static int reg_attest(void *ctx, SSL *ssl, const char *text, size_t len, const char *peer,
		      struct scim_attest *res)
{
	struct registrar *r = ctx;
	X509 *cert = SSL_get0_peer_certificate(ssl);
	struct tao_evidence *ev = NULL;
	struct tao_verdict *v = NULL;
	struct json_object *ear = NULL;
	struct tao_store_device dev;
	struct tao_tpm_counters prev;
	struct tao_verify_opts o = { 0 };
	struct tao_store_attestation a = { 0 };
	unsigned char *der = NULL, hash[32];
	char err[TAO_ERRMSG_MAX], hash_hex[65], id_text[24];
	uint8_t binder[TAO_BINDER_LEN];
	int64_t id = -1;
	double t0 = tao_mono_ms();
	int der_len = 0, rc, ret = -1;

	memset(res, 0, sizeof(*res));
	res->attestation_id = -1;
	res->http_status = 500;
	res->error = "internal";
	snprintf(res->detail, sizeof(res->detail), "out of memory");
	if (!cert || (der_len = i2d_X509(cert, &der)) <= 0) {
		res->http_status = 403;
		res->error = "forbidden";
		snprintf(res->detail, sizeof(res->detail),
			 "the attestation needs a client certificate (the device identity)");
		goto out;
	}
	if (tao_cert_serial(cert, res->serial, sizeof(res->serial)) < 0) {
		res->http_status = 403;
		res->error = "forbidden";
		snprintf(res->detail, sizeof(res->detail),
			 "the client certificate's subject has no serialNumber (not a device "
			 "identity)");
		goto out;
	}
	ev = calloc(1, sizeof(*ev));
	v = calloc(1, sizeof(*v));
	if (!ev || !v || issuer_text(cert, res->issuer, sizeof(res->issuer)) < 0 ||
	    tao_binder_compute_cert(ssl, cert, binder) < 0)
		goto out;
	rc = tao_evidence_decode(text ? text : "", len, ev, err, sizeof(err));
	if (rc < 0) {
		rlog(RLOG_NOTICE, "evidence_refused", "the evidence does not decode", "peer", peer,
		     "serial", res->serial, "reason", err, NULL);
		res->http_status = rc == -E2BIG ? 413 : 400;
		res->error = rc == -E2BIG ? "too_large" : "bad_request";
		snprintf(res->detail, sizeof(res->detail), "%s", err);
		goto out;
	}
	rc = tao_store_device_get(r->store, res->issuer, res->serial, &dev, err, sizeof(err));
	if (rc < 0 && rc != -ENOENT) {
		rlog(RLOG_ERR, "store_failed", "reading the device failed", "reason", err, NULL);
		snprintf(res->detail, sizeof(res->detail), "the store failed");
		goto out;
	}
	if (rc == 0 && dev.has_accepted) {
		prev.reset_count = dev.counters.reset_count;
		prev.restart_count = dev.counters.restart_count;
		prev.clock = dev.counters.clock;
		o.prev_counters = &prev;
	}
	o.trust = r->trust;
	o.tls_trust = r->tls_trust;
	o.policy = r->policy;
	o.cache = r->cache;
	o.peer_cert_der = der;
	o.peer_cert_len = (size_t)der_len;
	tao_verify_evidence(ev, binder, &o, v);

	SHA256(der, (size_t)der_len, hash);
	tao_hex_encode(hash, sizeof(hash), hash_hex);
	a.issuer = res->issuer;
	a.serial = res->serial;
	a.cert_sha256 = hash_hex;
	a.peer = peer;
	a.time = (int64_t)time(NULL);
	a.has_counters = v->has_counters;
	counters_to_store(&v->counters, &a.counters);
	for (int attempt = 0; attempt < 2; attempt++) {
		a.status = tao_status_name(v->status);
		a.accepted = v->status == TAO_STATUS_AFFIRMING || v->status == TAO_STATUS_WARNING;
		a.reason = v->reason;
		json_object_put(ear);
		ear = build_ear(v);
		if (!ear)
			goto out;
		a.result_json = json_object_to_json_string_ext(ear, JSON_C_TO_STRING_PLAIN);
		rc = tao_store_record(r->store, &a, &id, err, sizeof(err));
		if (rc != -ESTALE)
			break;
		/* Another connection of the device was accepted first, with later counters. */
		v->checks[TAO_CHECK_COUNTERS].result = TAO_RESULT_FAIL;
		snprintf(v->checks[TAO_CHECK_COUNTERS].reason,
			 sizeof(v->checks[TAO_CHECK_COUNTERS].reason),
			 "the TPM's counters go back against an attestation accepted meanwhile");
		v->status = TAO_STATUS_CONTRAINDICATED;
		snprintf(v->reason, sizeof(v->reason),
			 "counters: the TPM's counters go back against an attestation accepted "
			 "meanwhile");
	}
	if (rc < 0) {
		rlog(RLOG_ERR, "store_failed", "recording the attestation failed", "reason", err,
		     "peer", peer, "serial", res->serial, NULL);
		snprintf(res->detail, sizeof(res->detail),
			 "the store failed; nothing was recorded");
		goto out;
	}
	r->n_attest++;
	if (a.accepted)
		r->n_accepted++;
	snprintf(id_text, sizeof(id_text), "%" PRId64, id);
	if (!tao_json_put(ear, "tao.attestation_id", json_object_new_int64(id)))
		goto out;
	{
		char ms[32];

		snprintf(ms, sizeof(ms), "%.2f", tao_mono_ms() - t0);
		rlog(a.accepted ? RLOG_INFO : RLOG_NOTICE, "attest",
		     a.accepted ? "attestation accepted" : "attestation not accepted", "peer", peer,
		     "serial", res->serial, "status", a.status, "reason", v->reason, "id", id_text,
		     "ms", ms, NULL);
	}
	memcpy(res->binder, binder, sizeof(res->binder));
	if (a.accepted && ev->n_iak_certs) {
		/* The IAK's key, for an LDevID request of the enrollment (the chain verified). */
		const unsigned char *p = ev->iak_certs[0].bytes;
		X509 *iak = d2i_X509(NULL, &p, (long)ev->iak_certs[0].len);

		res->iak_key = iak ? X509_get_pubkey(iak) : NULL;
		iak_issuers(r->trust, iak, ev, res);
		X509_free(iak);
	}
	res->evaluated = true;
	res->accepted = a.accepted;
	res->status = a.status; /* a static name */
	snprintf(res->reason, sizeof(res->reason), "%s", v->reason);
	res->attestation_id = id;
	res->time = a.time;
	res->ear = ear;
	ear = NULL;
	res->http_status = 200;
	res->error = NULL;
	res->detail[0] = '\0';
	ret = 0;
out:
	json_object_put(ear);
	if (ev) {
		tao_evidence_free(ev);
		free(ev);
	}
	free(v);
	OPENSSL_free(der);
	return ret;
}

/* POST /attest/v1/evidence. */
static void handle_evidence(struct registrar *r, struct evhttp_request *req, SSL *ssl,
			    const char *peer)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body;
	struct scim_attest res;
	char err[512];
	int rc;

	if (!is_json(req)) {
		reply_error(req, 415, "Unsupported Media Type", "unsupported_media_type",
			    "the evidence is sent as application/json");
		return;
	}
	body = (const char *)evbuffer_pullup(in, -1);
	if (reg_attest(r, ssl, body, len, peer, &res) < 0) {
		reply_error(req, res.http_status,
			    res.http_status == 400   ? "Bad Request"
			    : res.http_status == 403 ? "Forbidden"
			    : res.http_status == 413 ? "Payload Too Large"
						     : "Internal Server Error",
			    res.error, res.detail);
		return;
	}
	/* The SCIM Device shows the latest appraisal; the answer does not wait on it. */
	rc = scim_note_attestation(r->store, &res, err, sizeof(err));
	if (rc < 0)
		rlog(RLOG_ERR, "scim_result_failed", "the Device's result was not updated",
		     "serial", res.serial, "reason", err, NULL);
	else if (rc > 0)
		rlog(RLOG_INFO, "scim_result", "the Device's result updated", "serial", res.serial,
		     "status", res.status, NULL);
	reply(req, 200, "OK", json_object_to_json_string_ext(res.ear, JSON_C_TO_STRING_PLAIN));
	json_object_put(res.ear);
	EVP_PKEY_free(res.iak_key);
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct registrar *r = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	struct conn *c = ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char peer[64];

	if (!c) {
		evhttp_send_error(req, 403, "TLS required");
		return;
	}
	evtimer_del(c->deadline);
	c->requests++;
	peer_text(ssl, peer, sizeof(peer));
	if (r->stopping) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		reply_error(req, 503, "Service Unavailable", "unavailable", "shutting down");
	} else if (path && strncmp(path, "/scim/", 6) == 0) {
		scim_http_handle(&r->scim, req, ssl, path, evhttp_uri_get_query(uri), peer);
	} else if (path && strncmp(path, "/attest/", 8) == 0 && !SSL_get0_peer_certificate(ssl)) {
		reply_error(req, 403, "Forbidden", "forbidden",
			    "the attestation API needs a client certificate (the device identity)");
	} else if (path && strcmp(path, "/attest/v1/params") == 0) {
		if (cmd != EVHTTP_REQ_GET) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
			reply_error(req, 405, "Method Not Allowed", "method_not_allowed",
				    "/attest/v1/params takes GET");
		} else {
			reply(req, 200, "OK", r->params);
		}
	} else if (path && strcmp(path, "/attest/v1/evidence") == 0) {
		if (cmd != EVHTTP_REQ_POST) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
			reply_error(req, 405, "Method Not Allowed", "method_not_allowed",
				    "/attest/v1/evidence takes POST");
		} else {
			handle_evidence(r, req, ssl, peer);
		}
	} else {
		reply_error(req, 404, "Not Found", "not_found", "no such resource");
	}
	arm_deadline(c);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	static const struct timeval drain = { .tv_sec = 1 };
	struct registrar *r = arg;

	(void)what;
	if (r->stopping)
		return;
	rlog(RLOG_NOTICE, "stopping", sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping",
	     NULL);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	if (r->bound) {
		evhttp_del_accept_socket(r->http, r->bound);
		r->bound = NULL;
	}
	r->stopping = true;
	/*
	 * Drain: answers already queued go out (what a device was told is what was stored); a new
	 * request meanwhile gets 503 and its connection is closed.
	 */
	event_base_loopexit(r->base, &drain);
}

/*
 * The client certificate's chain verified: refuse an LDevID (a leaf the operator CA issued)
 * whose serial number is revoked in the store, in the handshake (docs/registrar.md).
 */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct conn *c = ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
	char hex[130], err[512];
	int rc;

	if (!ok || !c || !cert || X509_STORE_CTX_get_error_depth(ctx) != 0 ||
	    !c->r->operator_cert || X509_check_issued(c->r->operator_cert, cert) != X509_V_OK)
		return ok;
	if (reg_cert_serial_hex(cert, hex, sizeof(hex)) < 0) {
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	rc = tao_store_ldevid_revoked(c->r->store, hex, err, sizeof(err));
	if (rc < 0) {
		rlog(RLOG_ERR, "store_failed", "looking up a revocation failed", "reason", err,
		     NULL);
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	if (rc > 0) {
		char peer[64];

		peer_text(ssl, peer, sizeof(peer));
		rlog(RLOG_NOTICE, "ldevid_revoked", "a revoked LDevID was refused", "peer", peer,
		     "certificate", hex, NULL);
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REVOKED);
		return 0;
	}
	return ok;
}

/* TLS: 1.3 only, client certificates from the configured CAs, no resumption. */
static int tls_setup(struct registrar *r, char *err, size_t errlen)
{
	const struct reg_config *c = r->cfg;
	STACK_OF(X509_NAME) * names;
	unsigned long e;

	r->ssl = SSL_CTX_new(TLS_server_method());
	if (!r->ssl)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	SSL_CTX_set_min_proto_version(r->ssl, TLS1_3_VERSION);
	SSL_CTX_set_options(r->ssl, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(r->ssl, 0);
	SSL_CTX_set_session_cache_mode(r->ssl, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(r->ssl, c->certificate) != 1) {
		e = ERR_get_error();
		snprintf(err, errlen, "[server] certificate %s: %s", c->certificate,
			 ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unreadable");
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(r->ssl, c->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(r->ssl) != 1) {
		e = ERR_get_error();
		snprintf(err, errlen, "[server] key %s: %s", c->key,
			 ERR_reason_error_string(e) ? ERR_reason_error_string(e)
						    : "not the certificate's key");
		return -EINVAL;
	}
	if (SSL_CTX_load_verify_locations(r->ssl, c->manufacturer_ca, NULL) != 1)
		return snprintf(err, errlen, "[trust] manufacturer_ca %s: no PEM certificate",
				c->manufacturer_ca),
		       -EINVAL;
	if (SSL_CTX_load_verify_locations(r->ssl, c->operator_ca, NULL) != 1)
		return snprintf(err, errlen, "[trust] operator_ca %s: no PEM certificate",
				c->operator_ca),
		       -EINVAL;
	names = SSL_load_client_CA_file(c->manufacturer_ca);
	if (!names || SSL_add_file_cert_subjects_to_stack(names, c->operator_ca) != 1) {
		sk_X509_NAME_pop_free(names, X509_NAME_free);
		return snprintf(err, errlen, "reading the CA names"), -EINVAL;
	}
	SSL_CTX_set_client_CA_list(r->ssl, names);
	/*
	 * A client certificate is asked for and, when sent, must chain to a configured CA (else
	 * the handshake fails); without one, only the SCIM API with a bearer token is open.
	 */
	SSL_CTX_set_verify(r->ssl, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_verify_depth(r->ssl, 4);
	ERR_clear_error();
	return 0;
}

/*
 * The operator CA's key, when [trust] operator_key names a file that exists: the registrar then
 * issues LDevIDs. It must be the key of the operator CA certificate.
 */
static int load_operator(struct registrar *r, char *err, size_t errlen)
{
	const struct reg_config *c = r->cfg;
	FILE *f;

	f = fopen(c->operator_ca, "re");
	r->operator_cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!r->operator_cert)
		return snprintf(err, errlen, "[trust] operator_ca %s: no PEM certificate",
				c->operator_ca),
		       -EINVAL;
	if (access(c->operator_key, F_OK) < 0) {
		ERR_clear_error();
		return 0;
	}
	f = fopen(c->operator_key, "re");
	if (!f)
		return snprintf(err, errlen, "[trust] operator_key %s: %s", c->operator_key,
				strerror(errno)),
		       -EACCES;
	r->operator_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (!r->operator_key)
		return snprintf(err, errlen, "[trust] operator_key %s: not a PEM private key",
				c->operator_key),
		       -EINVAL;
	if (X509_check_private_key(r->operator_cert, r->operator_key) != 1) {
		ERR_clear_error();
		return snprintf(err, errlen,
				"[trust] operator_key %s is not the key of operator_ca %s",
				c->operator_key, c->operator_ca),
		       -EINVAL;
	}
	return 0;
}

static int load_trust(struct registrar *r, char *err, size_t errlen)
{
	const struct reg_config *c = r->cfg;
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = tao_trust_load(c->manufacturer_ca, &r->trust, err, errlen);
	if (rc < 0)
		return rc;
	rc = tao_trust_load(c->manufacturer_ca, &r->tls_trust, err, errlen);
	if (rc < 0)
		return rc;
	if (X509_STORE_load_file(r->tls_trust, c->operator_ca) != 1)
		return snprintf(err, errlen, "%s: no PEM certificates could be loaded",
				c->operator_ca),
		       -EINVAL;
	r->cache = tao_chain_cache_new();
	if (!r->cache)
		return -ENOMEM;
	rc = load_operator(r, err, errlen);
	if (rc < 0)
		return rc;
	if (!c->policy[0])
		return 0;
	rc = tao_read_file(c->policy, 1u << 20, &text, &len);
	if (rc < 0)
		return snprintf(err, errlen, "[attestation] policy %s: %s", c->policy,
				strerror(-rc)),
		       rc;
	r->policy = calloc(1, sizeof(*r->policy));
	if (!r->policy) {
		free(text);
		return -ENOMEM;
	}
	{
		char perr[TAO_ERRMSG_MAX];

		rc = tao_policy_parse(text, len, r->policy, perr, sizeof(perr));
		if (rc < 0)
			snprintf(err, errlen, "[attestation] policy %s: %s", c->policy, perr);
	}
	free(text);
	return rc;
}

static void registrar_free(struct registrar *r)
{
	r->stopping = true;
	r->bound = NULL; /* evhttp_free closes it */
	if (r->http)
		evhttp_free(r->http); /* closes every connection */
	r->http = NULL;
	if (r->sig_term)
		event_free(r->sig_term);
	if (r->sig_int)
		event_free(r->sig_int);
	if (r->base)
		event_base_free(r->base);
	SSL_CTX_free(r->ssl);
	X509_STORE_free(r->trust);
	X509_STORE_free(r->tls_trust);
	EVP_PKEY_free(r->operator_key);
	X509_free(r->operator_cert);
	tao_chain_cache_free(r->cache);
	if (r->policy) {
		tao_policy_free(r->policy);
		free(r->policy);
	}
	if (r->store)
		tao_store_close(r->store);
	free(r->params);
}

int reg_server_check(const struct reg_config *c, char *err, size_t errlen)
{
	struct registrar r = { .cfg = c };
	int rc;

	if ((rc = tls_setup(&r, err, errlen)) == 0 && (rc = load_trust(&r, err, errlen)) == 0)
		rc = tao_store_open(c->database, &r.store, err, errlen);
	registrar_free(&r);
	return rc;
}

int reg_server_run(const struct reg_config *c, char *err, size_t errlen)
{
	struct registrar r = { .cfg = c };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN + 8], host[INET6_ADDRSTRLEN], stats[96];
	int rc, port = 0;

	signal(SIGPIPE, SIG_IGN);
	if (conn_idx < 0)
		conn_idx =
			SSL_get_ex_new_index(0, "tao-registrar connection", NULL, NULL, conn_free);
	if ((rc = tls_setup(&r, err, errlen)) < 0 || (rc = load_trust(&r, err, errlen)) < 0)
		goto out;
	rc = tao_store_open(c->database, &r.store, err, errlen);
	if (rc < 0)
		goto out;
	/* The SCIM resources' stored representations, where missing or made under other tables. */
	{
		struct timespec t0, t1;
		char n[24], ms[24];

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = scim_fill_reps(r.store, err, errlen);
		if (rc < 0)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc > 0) {
			snprintf(n, sizeof(n), "%d", rc);
			snprintf(ms, sizeof(ms), "%ld",
				 (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					(t1.tv_nsec - t0.tv_nsec) / 1000000));
			rlog(RLOG_NOTICE, "scim_reps", "SCIM representations made", "resources", n,
			     "ms", ms, NULL);
		}
		rc = 0;
	}
	r.params = build_params(c);
	r.scim.store = r.store;
	r.scim.max_results = 200;
	r.scim.attest = reg_attest;
	r.scim.attest_ctx = &r;
	r.scim.self_enroll = c->self_enroll;
	r.scim.self_enroll_tenant = c->self_enroll_tenant;
	r.scim.tenants = c->tenants;
	r.scim.n_tenants = c->n_tenants;
	r.scim.operator_key = r.operator_key;
	r.scim.operator_cert = r.operator_cert;
	r.scim.ldevid_days = (int)c->ldevid_days;
	r.base = event_base_new();
	r.http = r.base ? evhttp_new(r.base) : NULL;
	if (!r.params || !r.http) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	evhttp_set_bevcb(r.http, new_conn, &r);
	evhttp_set_gencb(r.http, handle, &r);
	evhttp_set_max_body_size(r.http, (ev_ssize_t)c->max_body_bytes);
	evhttp_set_max_headers_size(r.http, (ev_ssize_t)c->max_header_bytes);
	evhttp_set_timeout(r.http, (int)c->idle_timeout);
	evhttp_set_allowed_methods(r.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						   EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD |
						   EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	r.bound = evhttp_bind_socket_with_handle(r.http, c->listen_host, c->listen_port);
	if (!r.bound) {
		rc = -EADDRINUSE;
		snprintf(err, errlen, "[server] listen %s:%u: cannot listen there (%s)",
			 c->listen_host, c->listen_port, strerror(errno));
		goto out;
	}
	/*
	 * Accepted sockets inherit TCP_NODELAY: a response goes out as TLS records of its own
	 * (head, body), and Nagle would hold the second back for the client's delayed ACK.
	 */
	{
		int one = 1;

		setsockopt(evhttp_bound_socket_get_fd(r.bound), IPPROTO_TCP, TCP_NODELAY, &one,
			   sizeof(one));
	}
	if (getsockname(evhttp_bound_socket_get_fd(r.bound), (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
				  sizeof(host));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			snprintf(addr, sizeof(addr), "[%s]:%d", host, port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
				  sizeof(host));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			snprintf(addr, sizeof(addr), "%s:%d", host, port);
		}
	}
	r.sig_term = evsignal_new(r.base, SIGTERM, on_signal, &r);
	r.sig_int = evsignal_new(r.base, SIGINT, on_signal, &r);
	if (!r.sig_term || !r.sig_int || evsignal_add(r.sig_term, NULL) ||
	    evsignal_add(r.sig_int, NULL)) {
		rc = -ENOMEM;
		snprintf(err, errlen, "cannot handle signals");
		goto out;
	}
	rlog(RLOG_NOTICE, "listening", "tao-registrar " TAO_VERSION " is listening", "address",
	     addr, "pcrs", c->pcrs_text, "policy", c->policy[0] ? c->policy : "none", "database",
	     c->database, "ldevid", r.operator_key ? "issued" : "not issued (no operator_key)",
	     NULL);
	sd_notifyf(0, "READY=1\nSTATUS=listening on %s", addr);
	event_base_dispatch(r.base);
	rc = 0;
out:
	registrar_free(&r);
	if (rc == 0) {
		snprintf(stats, sizeof(stats), "%" PRIu64, r.n_attest);
		rlog(RLOG_NOTICE, "stopped", "stopped; the store is closed", "attestations", stats,
		     NULL);
	}
	return rc;
}
