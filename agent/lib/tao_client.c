/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device side of the attested session (docs/registrar.md): libcurl over OpenSSL, TLS 1.3
 * only, the registrar's CA pinned, the client certificate and key installed in the SSL_CTX, the
 * binder taken from the live connection before each request is sent, and the evidence POSTed on
 * the very connection the binder came from.
 */
#include "tao_client.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tao_b64url.h"
#include "tao_binder.h"
#include "tao_cleanup.h"
#include "tao_evidence.h"
#include "tao_json_strict.h"
#include "tao_nla.h"
#include "tao_util.h"

/* The largest response this client reads (params, the result, an error). */
#define CLIENT_MAX_RESPONSE (1u << 20)
#define CLIENT_TIMEOUT_MS   30000L

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- params ---------------------------------------------------------------------------- */

static int get_string(struct json_object *o, const char *key, const char *what,
		      struct json_object **v, struct tao_perr *e)
{
	if (!json_object_object_get_ex(o, key, v))
		return tao_fail(e, -EBADMSG, "%s: member \"%s\" is missing", what, key);
	if (!json_object_is_type(*v, json_type_string))
		return tao_fail(e, -EBADMSG, "%s.%s: not a string", what, key);
	return 0;
}

int tao_attest_params_parse(const char *text, size_t len, struct tao_attest_params *out, char *err,
			    size_t errlen)
{
	static const char *const required[] = { "version", "evidence", "pcrs", "max_body_bytes" };
	struct tao_perr e = { err, errlen };
	TAO_CLEANUP(tao_json_putp) struct json_object *o = NULL;
	struct json_object *ev, *v, *versions;
	struct tao_attest_params p = { 0 };
	char perr[TAO_ERRMSG_MAX];
	uint32_t api;
	int64_t max;
	bool offered = false;
	int rc;

	rc = tao_json_parse_strict(text, len, "params", &o, &e);
	if (rc)
		return rc;
	if (!json_object_is_type(o, json_type_object))
		return tao_fail(&e, -EBADMSG, "params: not an object");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!json_object_object_get_ex(o, required[i], NULL))
			return tao_fail(&e, -EBADMSG, "params: member \"%s\" is missing",
					required[i]);
	rc = tao_json_get_u32(o, "version", "params", UINT32_MAX, &api, &e);
	if (rc)
		return rc;
	if (api != 1)
		return tao_fail(&e, -EPROTONOSUPPORT,
				"params: the registrar speaks API version %" PRIu32
				", this client version 1",
				api);

	ev = json_object_object_get(o, "evidence");
	if (!json_object_is_type(ev, json_type_object))
		return tao_fail(&e, -EBADMSG, "params.evidence: not an object");
	rc = get_string(ev, "media_type", "params.evidence", &v, &e);
	if (rc)
		return rc;
	if (strcmp(json_object_get_string(v), TAO_EVIDENCE_MEDIA_TYPE) != 0)
		return tao_fail(&e, -EPROTONOSUPPORT,
				"params.evidence.media_type: \"%.64s\", this client makes \"%s\"",
				json_object_get_string(v), TAO_EVIDENCE_MEDIA_TYPE);
	if (!json_object_object_get_ex(ev, "versions", &versions))
		return tao_fail(&e, -EBADMSG, "params.evidence: member \"versions\" is missing");
	if (!json_object_is_type(versions, json_type_array))
		return tao_fail(&e, -EBADMSG, "params.evidence.versions: not an array");
	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		struct json_object *x = json_object_array_get_idx(versions, i);

		if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 0 ||
		    json_object_get_int64(x) > UINT32_MAX)
			return tao_fail(&e, -EBADMSG,
					"params.evidence.versions[%zu]: not a version number", i);
		if (json_object_get_int64(x) == TAO_EVIDENCE_VERSION)
			offered = true;
	}
	if (!offered)
		return tao_fail(&e, -EPROTONOSUPPORT,
				"params.evidence.versions: version %d is not offered (this client "
				"makes only version %d)",
				TAO_EVIDENCE_VERSION, TAO_EVIDENCE_VERSION);
	p.evidence_version = TAO_EVIDENCE_VERSION;

	rc = get_string(o, "pcrs", "params", &v, &e);
	if (rc)
		return rc;
	if (tao_pcr_selection_parse(json_object_get_string(v), &p.pcrs, perr, sizeof(perr)) < 0)
		return tao_fail(&e, -EBADMSG, "params.pcrs: %s", perr);

	v = json_object_object_get(o, "max_body_bytes");
	if (!json_object_is_type(v, json_type_int))
		return tao_fail(&e, -EBADMSG, "params.max_body_bytes: not an integer");
	errno = 0;
	max = json_object_get_int64(v);
	/* json-c saturates what does not fit in an int64 */
	if (max <= 0 || max == INT64_MAX || errno == ERANGE)
		return tao_fail(&e, -EBADMSG,
				"params.max_body_bytes: out of range (1..9223372036854775806)");
	p.max_body_bytes = (uint64_t)max;
	*out = p;
	return 0;
}

/* ---- one session ----------------------------------------------------------------------- */

struct session {
	CURL *curl;
	const struct tao_client_opts *opts;
	int cb_rc; /* an error of a callback, with its message in cb_err */
	char cb_err[TAO_ERRMSG_MAX];
	bool binder_wanted, have_binder, check_binder;
	uint8_t binder[TAO_BINDER_LEN];
	char *body;
	size_t body_len;
	char curl_err[CURL_ERROR_SIZE];
	/* Early evidence: made on a thread of its own while GET params is under way. */
	tao_evidence_fn make;
	void *make_arg;
	struct tao_attest_params expect;
	bool early_started;
	pthread_t early;
	int early_rc;
	char *early_text;
	char early_err[TAO_ERRMSG_MAX];
	double early_ms;
};

static void *early_main(void *arg)
{
	struct session *s = arg;
	double t = tao_mono_ms();

	s->early_rc = s->make(s->make_arg, s->binder, &s->expect, &s->early_text, s->early_err,
			      sizeof(s->early_err));
	s->early_ms = tao_mono_ms() - t;
	return NULL;
}

/* Wait for the early evidence, if it was started. */
static void early_join(struct session *s)
{
	if (s->early_started) {
		pthread_join(s->early, NULL);
		s->early_started = false;
	}
}

static bool params_same(const struct tao_attest_params *a, const struct tao_attest_params *b)
{
	char x[256], y[256];

	tao_pcr_selection_format(&a->pcrs, x, sizeof(x));
	tao_pcr_selection_format(&b->pcrs, y, sizeof(y));
	return a->evidence_version == b->evidence_version && strcmp(x, y) == 0;
}

static void ossl_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, buf, len);
	else
		snprintf(buf, len, "no OpenSSL error");
	ERR_clear_error();
}

static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *arg)
{
	struct session *s = arg;
	SSL_CTX *ctx = sslctx;
	char why[160];

	(void)curl;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, s->opts->cert_file) != 1) {
		ossl_error(why, sizeof(why));
		s->cb_rc = tao_errf(s->cb_err, sizeof(s->cb_err), -EINVAL,
				    "the client certificate %s: %s", s->opts->cert_file, why);
		return CURLE_SSL_CERTPROBLEM;
	}
	if (SSL_CTX_use_PrivateKey(ctx, s->opts->key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		ossl_error(why, sizeof(why));
		s->cb_rc = tao_errf(s->cb_err, sizeof(s->cb_err), -EINVAL,
				    "the client key does not match the certificate %s: %s",
				    s->opts->cert_file, why);
		return CURLE_SSL_CERTPROBLEM;
	}
	/* Every attested connection is a full handshake (docs/registrar.md). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return CURLE_OK;
}

/* Called on the connection a request is about to be sent on, after the handshake. */
static int prereq_cb(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct session *s = arg;
	struct curl_tlssessioninfo *ti = NULL;
	uint8_t b[TAO_BINDER_LEN];
	int rc;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (!s->binder_wanted)
		return CURL_PREREQFUNC_OK;
	if (curl_easy_getinfo(s->curl, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
	    ti->backend != CURLSSLBACKEND_OPENSSL || !ti->internals) {
		s->cb_rc =
			tao_errf(s->cb_err, sizeof(s->cb_err), -EPROTO,
				 "libcurl gives no OpenSSL connection to compute the binder from");
		return CURL_PREREQFUNC_ABORT;
	}
	rc = tao_binder_compute_cert(ti->internals, SSL_get_certificate(ti->internals), b);
	if (rc < 0) {
		s->cb_rc = tao_errf(s->cb_err, sizeof(s->cb_err), rc,
				    "computing the binder of the connection: %s",
				    rc == -EPROTO ? "not a finished TLS 1.3 handshake"
						  : strerror(-rc));
		return CURL_PREREQFUNC_ABORT;
	}
	if (s->check_binder) {
		if (!s->have_binder || memcmp(b, s->binder, sizeof(b)) != 0) {
			s->cb_rc = tao_errf(s->cb_err, sizeof(s->cb_err), -EPIPE,
					    "the connection changed between params and evidence "
					    "(the binder differs)");
			return CURL_PREREQFUNC_ABORT;
		}
		return CURL_PREREQFUNC_OK;
	}
	memcpy(s->binder, b, sizeof(b));
	s->have_binder = true;
	/* The binder is known: the evidence need not wait for the params' round trip. */
	if (s->make && !s->early_started)
		s->early_started = pthread_create(&s->early, NULL, early_main, s) == 0;
	return CURL_PREREQFUNC_OK;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct session *s = arg;
	size_t n = size * nmemb;
	char *p;

	if (n > CLIENT_MAX_RESPONSE - s->body_len) {
		s->cb_rc =
			tao_errf(s->cb_err, sizeof(s->cb_err), -EBADMSG,
				 "the registrar's response exceeds %u bytes", CLIENT_MAX_RESPONSE);
		return 0;
	}
	p = realloc(s->body, s->body_len + n + 1);
	if (!p) {
		s->cb_rc = tao_errf(s->cb_err, sizeof(s->cb_err), -ENOMEM, "out of memory");
		return 0;
	}
	memcpy(p + s->body_len, data, n);
	s->body = p;
	s->body_len += n;
	s->body[s->body_len] = '\0';
	return n;
}

static void body_reset(struct session *s)
{
	free(s->body);
	s->body = NULL;
	s->body_len = 0;
}

static void session_end(struct session *s)
{
	body_reset(s);
	curl_easy_cleanup(s->curl);
	s->curl = NULL;
}

static int check_file(const char *path, const char *what, char *err, size_t errlen)
{
	if (!path || !*path)
		return tao_errf(err, errlen, -EINVAL, "no %s file given", what);
	if (access(path, R_OK) != 0)
		return tao_errf(err, errlen, -errno, "the %s file %s: %s", what, path,
				strerror(errno));
	return 0;
}

static int session_start(struct session *s, const struct tao_client_opts *opts, char *err,
			 size_t errlen)
{
	long timeout = opts->timeout_ms > 0 ? opts->timeout_ms : CLIENT_TIMEOUT_MS;
	CURL *c;
	int rc;

	memset(s, 0, sizeof(*s));
	s->opts = opts;
	if (!opts->url || strncmp(opts->url, "https://", 8) != 0)
		return tao_errf(err, errlen, -EINVAL, "the registrar URL \"%s\" is not https://",
				opts->url ? opts->url : "");
	if ((rc = check_file(opts->ca_file, "registrar CA", err, errlen)) ||
	    (rc = check_file(opts->cert_file, "client certificate", err, errlen)))
		return rc;
	if (!opts->key)
		return tao_errf(err, errlen, -EINVAL, "no client key given");
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return tao_errf(err, errlen, -EIO, "libcurl does not initialize: %s",
				curl_easy_strerror(global_rc));
	c = curl_easy_init();
	if (!c)
		return tao_errf(err, errlen, -ENOMEM, "libcurl: no easy handle (out of memory)");
	s->curl = c;
	if (curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->curl_err) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") ||
	    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3) ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, opts->ca_file) ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb) ||
	    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, s) ||
	    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq_cb) ||
	    curl_easy_setopt(c, CURLOPT_PREREQDATA, s) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, s) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CLIENT_MAX_RESPONSE)) {
		session_end(s);
		return tao_errf(err, errlen, -EINVAL,
				"libcurl refuses an option this client needs (a libcurl older than "
				"7.85, or without OpenSSL?)");
	}
	return 0;
}

static bool is_tls_error(CURLcode res)
{
	switch (res) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return true;
	default:
		return false;
	}
}

/* The errno and message of a failed curl_easy_perform(). */
static int perform_fail(struct session *s, CURLcode res, const char *what, char *err, size_t errlen)
{
	const char *why = *s->curl_err ? s->curl_err : curl_easy_strerror(res);

	/* libcurl keeps its first message; after a reset that is getpeername()'s, not the cause */
	if (strstr(why, "getpeername()"))
		why = curl_easy_strerror(res);

	if (s->cb_rc)
		return tao_errf(err, errlen, s->cb_rc, "%s: %s", what, s->cb_err);
	switch (res) {
	case CURLE_COULDNT_CONNECT:
		return tao_errf(err, errlen, -ECONNREFUSED, "%s: %s", what, why);
	case CURLE_OPERATION_TIMEDOUT:
		return tao_errf(err, errlen, -ETIMEDOUT, "%s: %s", what, why);
	case CURLE_COULDNT_RESOLVE_HOST:
		return tao_errf(err, errlen, -EHOSTUNREACH, "%s: %s", what, why);
	case CURLE_FILESIZE_EXCEEDED:
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the registrar's response exceeds %u bytes", what,
				CLIENT_MAX_RESPONSE);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return tao_errf(err, errlen, -EINVAL, "%s: %s", what, why);
	case CURLE_OUT_OF_MEMORY:
		return tao_errf(err, errlen, -ENOMEM, "%s: %s", what, why);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/* TLS 1.3: the server refuses our certificate after the client's handshake ended */
		if (strstr(why, "alert") || strstr(why, "SSL"))
			return tao_errf(err, errlen, -EPROTO, "%s: TLS: %s", what, why);
		/* fall through */
	case CURLE_GOT_NOTHING:
		return tao_errf(err, errlen, -ECONNRESET,
				"%s: the registrar closed the connection (did it refuse the client "
				"certificate?): %s",
				what, why);
	default:
		if (is_tls_error(res))
			return tao_errf(err, errlen, -EPROTO, "%s: TLS: %s", what, why);
		return tao_errf(err, errlen, -EIO, "%s: %s", what, why);
	}
}

/* The registrar's error document, {"error", "detail"}, as the message of a 4xx/5xx. */
static int http_fail(struct session *s, long status, const char *what, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *o = NULL;
	struct json_object *e = NULL, *d = NULL;
	int rc;

	if (status == 401 || status == 403)
		rc = -EACCES;
	else if (status == 413)
		rc = -E2BIG;
	else if (status >= 400 && status < 500)
		rc = -EINVAL;
	else
		rc = -EIO;
	if (s->body_len)
		o = json_tokener_parse(s->body);
	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "error", &e) && json_object_is_type(e, json_type_string)) {
		if (json_object_object_get_ex(o, "detail", &d) &&
		    json_object_is_type(d, json_type_string))
			return tao_errf(
				err, errlen, rc, "%s: the registrar answered %ld %.64s: %.160s",
				what, status, json_object_get_string(e), json_object_get_string(d));
		return tao_errf(err, errlen, rc, "%s: the registrar answered %ld %.64s", what,
				status, json_object_get_string(e));
	}
	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "detail", &d) && json_object_is_type(d, json_type_string))
		return tao_errf(err, errlen, rc, "%s: the registrar answered %ld: %.200s", what,
				status, json_object_get_string(d));
	return tao_errf(err, errlen, rc, "%s: the registrar answered HTTP %ld (no error document)",
			what, status);
}

/* "https://host:port" + path, without a doubled '/'. */
static char *make_url(const char *base, const char *path)
{
	size_t n = strlen(base);
	char *u;

	while (n > 8 && base[n - 1] == '/')
		n--;
	if (asprintf(&u, "%.*s%s", (int)n, base, path) < 0)
		return NULL;
	return u;
}

static double info_ms(CURL *c, CURLINFO what)
{
	curl_off_t us = 0;

	if (curl_easy_getinfo(c, what, &us) != CURLE_OK)
		return 0;
	return (double)us / 1e3;
}

long tao_client_get(const struct tao_client_opts *opts, const char *path, char **body,
		    struct tao_client_timing *timing, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) char *url = NULL;
	struct session s;
	double t0 = tao_mono_ms();
	CURLcode res;
	long status = 0;
	int rc;

	*body = NULL;
	if (timing)
		memset(timing, 0, sizeof(*timing));
	rc = session_start(&s, opts, err, errlen);
	if (rc)
		return rc;
	url = make_url(opts->url, path);
	if (!url || curl_easy_setopt(s.curl, CURLOPT_URL, url) != CURLE_OK) {
		session_end(&s);
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	}
	res = curl_easy_perform(s.curl);
	if (res != CURLE_OK) {
		char what[300];

		snprintf(what, sizeof(what), "GET %s", url);
		rc = perform_fail(&s, res, what, err, errlen);
		session_end(&s);
		return rc;
	}
	curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &status);
	if (timing) {
		timing->handshake = info_ms(s.curl, CURLINFO_APPCONNECT_TIME_T);
		timing->params = info_ms(s.curl, CURLINFO_TOTAL_TIME_T);
		timing->total = tao_mono_ms() - t0;
	}
	*body = s.body ? s.body : strdup("");
	s.body = NULL;
	session_end(&s);
	if (!*body)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	return status;
}

void tao_attest_outcome_free(struct tao_attest_outcome *o)
{
	if (!o)
		return;
	json_object_put(o->ear);
	o->ear = NULL;
	free(o->ldevid_der);
	o->ldevid_der = NULL;
	o->ldevid_len = 0;
}

static enum tao_status status_from_name(const char *s, bool *ok)
{
	*ok = true;
	if (strcmp(s, "affirming") == 0)
		return TAO_STATUS_AFFIRMING;
	if (strcmp(s, "warning") == 0)
		return TAO_STATUS_WARNING;
	if (strcmp(s, "contraindicated") == 0)
		return TAO_STATUS_CONTRAINDICATED;
	*ok = strcmp(s, "none") == 0;
	return TAO_STATUS_NONE;
}

/* The result document (EAR, docs/registrar.md) into out. */
static int parse_result(const char *text, size_t len, struct tao_attest_outcome *out, char *err,
			size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *o, *sub, *tpm, *v;
	bool ok;

	if (!tok)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	if (!o) {
		tao_errf(err, errlen, -EBADMSG, "the result: not JSON: %s",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	out->ear = o;
	if (!json_object_is_type(o, json_type_object))
		return tao_errf(err, errlen, -EBADMSG, "the result: not an object");
	if (!json_object_object_get_ex(o, "submods", &sub) ||
	    !json_object_is_type(sub, json_type_object))
		return tao_errf(err, errlen, -EBADMSG, "the result: no \"submods\" object");
	if (!json_object_object_get_ex(sub, "tpm", &tpm) ||
	    !json_object_is_type(tpm, json_type_object))
		return tao_errf(err, errlen, -EBADMSG, "the result: no \"submods.tpm\" object");
	if (!json_object_object_get_ex(tpm, "ear.status", &v) ||
	    !json_object_is_type(v, json_type_string))
		return tao_errf(
			err, errlen, -EBADMSG,
			"the result: submods.tpm.\"ear.status\" is missing or not a string");
	out->status = status_from_name(json_object_get_string(v), &ok);
	if (!ok)
		return tao_errf(err, errlen, -EBADMSG, "the result: unknown ear.status \"%.32s\"",
				json_object_get_string(v));
	if (json_object_object_get_ex(tpm, "tao.reason", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(out->reason, sizeof(out->reason), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "tao.device", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(out->device, sizeof(out->device), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "tao.attestation_id", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			return tao_errf(
				err, errlen, -EBADMSG,
				"the result: \"tao.attestation_id\" is not a record number");
		out->attestation_id = json_object_get_int64(v);
	}
	return 0;
}

/* The Device a SCIM enrollment answered with: its attestation result and identity. */
static int parse_device(const char *text, size_t len, struct tao_attest_outcome *out, char *err,
			size_t errlen)
{
	enum json_tokener_error jerr;
	struct json_object *o = json_tokener_parse_verbose(text, &jerr), *ext = NULL, *res, *v;
	bool ok;

	(void)len;
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return tao_errf(err, errlen, -EBADMSG,
				"the enrollment's answer is not a JSON object");
	}
	out->ear = o;
	json_object_object_foreach(o, k, val)
	{
		if (strcasecmp(k, TAO_SCIM_ATTEST_URN) == 0)
			ext = val;
	}
	if (!ext || !json_object_object_get_ex(ext, "result", &res) ||
	    !json_object_object_get_ex(res, "status", &v) ||
	    !json_object_is_type(v, json_type_string))
		return tao_errf(err, errlen, -EBADMSG,
				"the enrolled Device carries no attestation result");
	out->status = status_from_name(json_object_get_string(v), &ok);
	if (!ok)
		return tao_errf(err, errlen, -EBADMSG, "the Device's result status \"%.32s\"",
				json_object_get_string(v));
	if (json_object_object_get_ex(res, "reason", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(out->reason, sizeof(out->reason), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(res, "attestationId", &v) &&
	    json_object_is_type(v, json_type_int))
		out->attestation_id = json_object_get_int64(v);
	if (json_object_object_get_ex(ext, "idevid", &res) &&
	    json_object_object_get_ex(res, "serialNumber", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(out->device, sizeof(out->device), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "id", &v) && json_object_is_type(v, json_type_string))
		snprintf(out->resource_id, sizeof(out->resource_id), "%s",
			 json_object_get_string(v));
	if (json_object_object_get_ex(ext, "ldevidCertificate", &v)) {
		/* base64 DER (padded, RFC 4648 section 4) */
		const char *b = json_object_get_string(v);
		size_t n = json_object_is_type(v, json_type_string) ? strlen(b) : 0;
		int dlen;

		if (!n || n % 4)
			return tao_errf(err, errlen, -EBADMSG,
					"the Device's ldevidCertificate is not base64");
		out->ldevid_der = malloc(n / 4 * 3);
		if (!out->ldevid_der)
			return tao_errf(err, errlen, -ENOMEM, "out of memory");
		dlen = EVP_DecodeBlock(out->ldevid_der, (const unsigned char *)b, (int)n);
		if (dlen < 0)
			return tao_errf(err, errlen, -EBADMSG,
					"the Device's ldevidCertificate is not base64");
		dlen -= (b[n - 1] == '=') + (b[n - 2] == '=');
		out->ldevid_len = (size_t)dlen;
	}
	return 0;
}

static bool put_b64url(struct json_object *o, const char *key, const uint8_t *buf, size_t len)
{
	char *t = tao_b64url_encode(buf, len);

	if (!t)
		return false;
	json_object_object_add(o, key, json_object_new_string(t));
	free(t);
	return true;
}

/* The LDevID request in the attestation extension: ldevidCsr and ldevidCertify. */
static bool add_ldevid(struct json_object *ext, const struct tao_ldevid_request *ld)
{
	struct json_object *c = json_object_new_object();
	char *csr = malloc((ld->csr_len + 2) / 3 * 4 + 1);
	bool ok = c && csr;

	if (ok) {
		EVP_EncodeBlock((unsigned char *)csr, ld->csr_der, (int)ld->csr_len);
		json_object_object_add(ext, "ldevidCsr", json_object_new_string(csr));
		ok = put_b64url(c, "attest", ld->attest, ld->attest_len) &&
		     put_b64url(c, "signature", ld->sig, ld->sig_len) &&
		     put_b64url(c, "public", ld->public_area, ld->public_len);
	}
	if (ok) {
		json_object_object_add(ext, "ldevidCertify", c);
		c = NULL;
	}
	json_object_put(c);
	free(csr);
	return ok;
}

/* The SCIM enrollment body: the Device, its evidence in the attestation extension. */
static char *enroll_body(const char *evidence, const struct tao_ldevid_request *ld)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array(),
			   *ext = json_object_new_object();
	char *text = NULL;

	if (o && schemas && ext) {
		json_object_array_add(
			schemas,
			json_object_new_string("urn:ietf:params:scim:schemas:core:2.0:Device"));
		json_object_array_add(schemas, json_object_new_string(TAO_SCIM_ATTEST_URN));
		json_object_object_add(o, "schemas", schemas);
		schemas = NULL;
		json_object_object_add(o, "active", json_object_new_boolean(1));
		json_object_object_add(ext, "evidence", json_object_new_string(evidence));
		if (ld && !add_ldevid(ext, ld))
			goto out;
		json_object_object_add(o, TAO_SCIM_ATTEST_URN, ext);
		ext = NULL;
		text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	}
out:
	json_object_put(schemas);
	json_object_put(ext);
	json_object_put(o);
	return text;
}

/* GET params on the session's (new) connection; the binder is taken before it is sent. */
static int attest_params(struct session *s, const char *base, struct tao_attest_params *params,
			 struct tao_attest_outcome *out, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) char *url = make_url(base, "/attest/v1/params");
	char what[300];
	long status = 0;
	CURLcode res;

	if (!url || curl_easy_setopt(s->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L) != CURLE_OK)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	snprintf(what, sizeof(what), "GET %s", url);
	s->binder_wanted = true;
	res = curl_easy_perform(s->curl);
	if (res != CURLE_OK)
		return perform_fail(s, res, what, err, errlen);
	if (!s->have_binder)
		return tao_errf(err, errlen, -EPROTO,
				"%s: no binder was computed for the connection", what);
	memcpy(out->binder, s->binder, sizeof(out->binder));
	out->timing.handshake = info_ms(s->curl, CURLINFO_APPCONNECT_TIME_T);
	out->timing.params = info_ms(s->curl, CURLINFO_TOTAL_TIME_T);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return http_fail(s, status, what, err, errlen);
	return tao_attest_params_parse(s->body ? s->body : "", s->body_len, params, err, errlen);
}

/* POST the evidence on the same connection, refused if libcurl would use another. */
static int attest_post(struct session *s, const char *base, const char *text,
		       const struct tao_ldevid_request *ld, struct tao_attest_outcome *out,
		       char *err, size_t errlen)
{
	bool enroll = s->opts->enroll;
	TAO_CLEANUP(tao_freep)
	char *url = make_url(base, enroll ? "/scim/v2/Devices" : "/attest/v1/evidence");
	TAO_CLEANUP(tao_freep) char *scim_body = enroll ? enroll_body(text, ld) : NULL;
	struct curl_slist *hdr = NULL, *h;
	char what[300];
	long status = 0, conns = -1;
	CURLcode res;

	if (!url || (enroll && !scim_body))
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	if (enroll)
		text = scim_body;
	snprintf(what, sizeof(what), "POST %s", url);
	h = curl_slist_append(hdr, enroll ? "Content-Type: application/scim+json"
					  : "Content-Type: application/json");
	hdr = h;
	h = h ? curl_slist_append(hdr, "Accept: application/json") : NULL;
	h = h ? curl_slist_append(hdr, "Expect:") : NULL;
	if (!h || curl_easy_setopt(s->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text)) !=
		    CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, text) != CURLE_OK) {
		curl_slist_free_all(hdr);
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	}
	body_reset(s);
	s->check_binder = true;
	res = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (res != CURLE_OK)
		return perform_fail(s, res, what, err, errlen);
	curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &conns);
	if (conns != 0)
		return tao_errf(err, errlen, -EPIPE,
				"%s: the connection changed between params and evidence (%ld new "
				"connections)",
				what, conns);
	out->timing.post = info_ms(s->curl, CURLINFO_TOTAL_TIME_T);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	out->http_status = status;
	if (enroll) {
		if (status != 200 && status != 201)
			return http_fail(s, status, what, err, errlen);
		return parse_device(s->body ? s->body : "", s->body_len, out, err, errlen);
	}
	if (status != 200)
		return http_fail(s, status, what, err, errlen);
	return parse_result(s->body ? s->body : "", s->body_len, out, err, errlen);
}

int tao_client_attest(const struct tao_client_opts *opts, tao_evidence_fn make, void *arg,
		      struct tao_attest_outcome *out, char *err, size_t errlen)
{
	struct tao_attest_params params;
	struct tao_ldevid_request *ld = NULL;
	struct session s;
	char *text = NULL;
	double t0 = tao_mono_ms(), t;
	long timeout = opts->timeout_ms > 0 ? opts->timeout_ms : CLIENT_TIMEOUT_MS, left;
	int rc;

	memset(out, 0, sizeof(*out));
	out->attestation_id = -1;
	rc = session_start(&s, opts, err, errlen);
	if (rc)
		return rc;
	if (opts->expect) {
		s.make = make;
		s.make_arg = arg;
		s.expect = *opts->expect;
	}
	rc = attest_params(&s, opts->url, &params, out, err, errlen);
	early_join(&s);
	if (rc)
		goto done;
	out->params = params;

	if (s.early_text && s.early_rc == 0 && params_same(&params, &s.expect)) {
		/* The registrar asked for what was expected: the early evidence is this one. */
		text = s.early_text;
		s.early_text = NULL;
		out->timing.evidence = s.early_ms;
		out->timing.early = true;
	} else {
		t = tao_mono_ms();
		rc = make(arg, s.binder, &params, &text, err, errlen);
		out->timing.evidence = tao_mono_ms() - t;
		if (rc < 0)
			goto done;
	}
	if (!text) {
		rc = tao_errf(err, errlen, -EINVAL, "the evidence callback made no evidence");
		goto done;
	}
	if (strlen(text) > params.max_body_bytes) {
		rc = tao_errf(err, errlen, -E2BIG,
			      "the evidence is %zu bytes, the registrar takes at most %" PRIu64,
			      strlen(text), params.max_body_bytes);
		goto done;
	}
	left = timeout - (long)(tao_mono_ms() - t0);
	if (left <= 0) {
		rc = tao_errf(err, errlen, -ETIMEDOUT,
			      "the session took longer than %ld ms before the evidence was sent",
			      timeout);
		goto done;
	}
	if (opts->enroll && opts->ldevid) {
		/* The LDevID request, certified for this connection's binder. */
		ld = calloc(1, sizeof(*ld));
		if (!ld) {
			rc = tao_errf(err, errlen, -ENOMEM, "out of memory");
			goto done;
		}
		rc = opts->ldevid(opts->ldevid_arg, s.binder, ld, err, errlen);
		if (rc < 0)
			goto done;
		left = timeout - (long)(tao_mono_ms() - t0);
		if (left <= 0) {
			rc = tao_errf(err, errlen, -ETIMEDOUT,
				      "the session took longer than %ld ms before the evidence was "
				      "sent",
				      timeout);
			goto done;
		}
	}
	curl_easy_setopt(s.curl, CURLOPT_TIMEOUT_MS, left);
	rc = attest_post(&s, opts->url, text, ld, out, err, errlen);
done:
	if (ld) {
		free(ld->csr_der);
		free(ld);
	}
	early_join(&s);
	free(s.early_text);
	free(text);
	session_end(&s);
	out->timing.total = tao_mono_ms() - t0;
	if (rc)
		tao_attest_outcome_free(out);
	return rc;
}
