/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device side of the attested session (docs/registrar.md): a small HTTP/1.1 client on
 * OpenSSL, for the one server and the fixed requests this client has. TLS 1.3 only, the
 * registrar's CA pinned (no system store), the host name or address checked against its
 * certificate, the client certificate and key (usually in the TPM) installed in the SSL_CTX,
 * the binder taken from the connection right after the handshake, and the evidence POSTed on
 * that very connection (kept alive; -EPIPE if the registrar closed it). Every connect,
 * handshake, read and write waits at most until the session's deadline (non-blocking socket and
 * poll()), and so does resolving the registrar's name (getaddrinfo in a thread of its own).
 */
#include "tao_client.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tao_b64url.h"
#include "tao_binder.h"
#include "tao_cleanup.h"
#include "tao_evidence.h"
#include "tao_json_strict.h"
#include "tao_nla.h"
#include "tao_util.h"

/* The largest response body this client reads (params, the result, an error). */
#define CLIENT_MAX_RESPONSE (1u << 20)
/* The largest status line and header block of a response. */
#define CLIENT_MAX_HEADER (16u << 10)
#define CLIENT_TIMEOUT_MS 30000L

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
	const struct tao_client_opts *opts;
	/* The registrar's URL: the host (an address without brackets), port, Host: and path. */
	char host[256], port[6], authority[300], prefix[256];
	bool host_is_ip;
	/* The connection, and the session's deadline (tao_mono_ms()). */
	int fd;
	bool eof;
	SSL_CTX *ctx;
	SSL *ssl;
	double t0, deadline;
	long timeout;
	bool closed; /* the registrar ends the connection after the last response */
	/* What was read and not yet consumed: rbuf[rpos, rlen). */
	char *rbuf;
	size_t rpos, rlen;
	/* The last response. */
	long status;
	char *body;
	size_t body_len;
	bool have_binder;
	uint8_t binder[TAO_BINDER_LEN];
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

/*
 * OpenSSL's error queue as one line (and emptied): each error's library and reason, with the
 * data it carries (a provider's own message, such as the TPM's, comes that way).
 */
static void ossl_errors(char *buf, size_t len)
{
	const char *data = NULL;
	unsigned long e;
	size_t n = 0;
	int flags = 0;

	buf[0] = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		const char *lib = ERR_lib_error_string(e), *reason = ERR_reason_error_string(e);
		char l[32], r[32];
		int k;

		if (n + 1 >= len)
			continue;
		if (!lib)
			snprintf(l, sizeof(l), "lib(%d)", ERR_GET_LIB(e));
		if (!reason)
			snprintf(r, sizeof(r), "reason(%d)", ERR_GET_REASON(e));
		k = snprintf(buf + n, len - n, "%s%s: %s", n ? "; " : "", lib ? lib : l,
			     reason ? reason : r);
		n = k < 0 ? len : n + (size_t)k;
		if (n < len && data && *data && (flags & ERR_TXT_STRING)) {
			k = snprintf(buf + n, len - n, " (%s)", data);
			n = k < 0 ? len : n + (size_t)k;
		}
	}
	if (!buf[0])
		snprintf(buf, len, "no OpenSSL error");
}

/* ---- the socket under OpenSSL: send() without SIGPIPE -------------------------------------- */

static pthread_once_t bio_once = PTHREAD_ONCE_INIT;
static BIO_METHOD *bio_method;

static int bio_sock_write(BIO *b, const char *buf, int len)
{
	struct session *s = BIO_get_data(b);
	ssize_t n = send(s->fd, buf, (size_t)len, MSG_NOSIGNAL);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int bio_sock_read(BIO *b, char *buf, int len)
{
	struct session *s = BIO_get_data(b);
	ssize_t n = recv(s->fd, buf, (size_t)len, 0);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	if (n == 0)
		s->eof = true;
	return (int)n;
}

static long bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct session *s = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return s && s->eof;
	default:
		return 0;
	}
}

static int bio_sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void bio_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tao socket");

	if (m && BIO_meth_set_write(m, bio_sock_write) && BIO_meth_set_read(m, bio_sock_read) &&
	    BIO_meth_set_ctrl(m, bio_sock_ctrl) && BIO_meth_set_create(m, bio_sock_create))
		bio_method = m;
	else
		BIO_meth_free(m);
}

/* ---- waiting, with the session's deadline ------------------------------------------------ */

/* Wait until the socket is ready for events: 0, -ETIMEDOUT, or poll()'s error. */
static int wait_fd(struct session *s, short events)
{
	for (;;) {
		double left = s->deadline - tao_mono_ms();
		struct pollfd p = { .fd = s->fd, .events = events };
		int n, ms;

		if (left <= 0)
			return -ETIMEDOUT;
		ms = left > 1 ? (int)left : 1;
		n = poll(&p, 1, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			return 0; /* ready, or an error or hang-up the next call reports */
	}
}

/* The end of the data: the peer closed the connection (cleanly or not). */
#define EOF_RC (-ENODATA)

/*
 * After an SSL call on s->ssl returned r <= 0: 0 once it may be retried (having waited for the
 * socket), EOF_RC when the registrar closed the connection, -ECONNRESET, -ETIMEDOUT, -EPROTO
 * (OpenSSL's errors are left in its queue), or another negative errno.
 */
static int ssl_wait(struct session *s, int r)
{
	int sys = errno, e = SSL_get_error(s->ssl, r);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(s, POLLIN);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(s, POLLOUT);
	case SSL_ERROR_ZERO_RETURN:
		return EOF_RC;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (r == 0 || sys == 0)
			return EOF_RC;
		if (sys == ECONNRESET || sys == EPIPE || sys == ECONNABORTED)
			return -ECONNRESET;
		return sys == ETIMEDOUT ? -ETIMEDOUT : -sys;
	case SSL_ERROR_SSL:
		if (ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_SSL &&
		    ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return EOF_RC;
		}
		return -EPROTO;
	default:
		ERR_clear_error();
		return -EIO;
	}
}

/*
 * One SSL_read() that does not wait (what is in the socket already): > 0 bytes into rbuf, 0 for
 * nothing (or only a TLS record of its own), EOF_RC, -ECONNRESET, or -EPROTO (an alert; the
 * errors left in OpenSSL's queue).
 */
static int read_now(struct session *s)
{
	int n, e, sys;

	if (s->rlen == CLIENT_MAX_HEADER)
		return 0;
	ERR_clear_error();
	n = SSL_read(s->ssl, s->rbuf + s->rlen, (int)(CLIENT_MAX_HEADER - s->rlen));
	sys = errno;
	if (n > 0) {
		s->rlen += (size_t)n;
		return n;
	}
	e = SSL_get_error(s->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_SSL &&
	    !(ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_SSL &&
	      ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
		return -EPROTO;
	ERR_clear_error();
	return e == SSL_ERROR_SYSCALL && n < 0 && sys ? -ECONNRESET : EOF_RC;
}

/*
 * The registrar's verdict on this client certificate, when the TLS alert in OpenSSL's error
 * queue is one: -EKEYREVOKED (certificate_revoked), -EKEYEXPIRED (certificate_expired), else 0.
 * A device tells them from other TLS failures: its LDevID is no longer taken (taod(8)).
 */
static int cert_refusal(void)
{
	unsigned long e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return 0;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
		return -EKEYREVOKED;
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
		return -EKEYEXPIRED;
	default:
		return 0;
	}
}

/* The message of a failed connection step (phase: "the TLS handshake", ...). */
static int io_fail(struct session *s, int rc, const char *what, const char *phase, char *err,
		   size_t errlen)
{
	char why[512];

	switch (rc) {
	case -ETIMEDOUT:
		return tao_errf(err, errlen, -ETIMEDOUT, "%s: timed out after %ld ms (during %s)",
				what, s->timeout, phase);
	case -EPROTO: {
		long v = s->ssl ? SSL_get_verify_result(s->ssl) : X509_V_OK;
		int refused = cert_refusal();

		ossl_errors(why, sizeof(why));
		if (refused)
			return tao_errf(
				err, errlen, refused,
				"%s: TLS: %s (the registrar refused this client certificate: "
				"%s)",
				what, why,
				refused == -EKEYREVOKED ? "it is revoked" : "it has expired");
		if (v != X509_V_OK && !strstr(why, X509_verify_cert_error_string(v)))
			return tao_errf(err, errlen, -EPROTO,
					"%s: TLS: %s (the server certificate: %s)", what, why,
					X509_verify_cert_error_string(v));
		return tao_errf(err, errlen, -EPROTO, "%s: TLS: %s", what, why);
	}
	case EOF_RC:
	case -ECONNRESET:
		return tao_errf(err, errlen, -ECONNRESET,
				"%s: the registrar closed the connection during %s (did it refuse "
				"the client certificate?)%s",
				what, phase, rc == -ECONNRESET ? ": Connection reset by peer" : "");
	case -ENOMEM:
		return tao_errf(err, errlen, -ENOMEM, "%s: out of memory", what);
	default:
		return tao_errf(err, errlen, -EIO, "%s: %s: %s", what, phase, strerror(-rc));
	}
}

/* ---- connecting ------------------------------------------------------------------------ */

static bool host_char_ok(char c)
{
	return c > ' ' && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '@' && c != '[' &&
	       c != ']' && c != '\\';
}

/* https://host[:port][/prefix] into the session. */
static int parse_url(struct session *s, const char *url, char *err, size_t errlen)
{
	const char *a, *end, *h, *hend, *p, *tail;
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!url || strncmp(url, "https://", 8) != 0)
		return tao_errf(err, errlen, -EINVAL, "the registrar URL \"%s\" is not https://",
				url ? url : "");
	a = url + 8;
	end = a + strcspn(a, "/?#");
	if ((size_t)(end - a) >= sizeof(s->authority))
		goto bad;
	memcpy(s->authority, a, (size_t)(end - a));
	s->authority[end - a] = '\0';
	if (*a == '[') {
		h = a + 1;
		hend = memchr(h, ']', (size_t)(end - h));
		if (!hend)
			goto bad;
		p = hend + 1;
		if (p != end && *p != ':')
			goto bad;
	} else {
		h = a;
		hend = memchr(a, ':', (size_t)(end - a));
		if (!hend)
			hend = end;
		p = hend;
	}
	n = (size_t)(hend - h);
	if (!n || n >= sizeof(s->host))
		goto bad;
	memcpy(s->host, h, n);
	s->host[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!host_char_ok(s->host[i]) || (*a != '[' && s->host[i] == ':'))
			goto bad;
	if (*a == '[') {
		if (inet_pton(AF_INET6, s->host, &a6) != 1)
			goto bad;
		s->host_is_ip = true;
	} else {
		s->host_is_ip = inet_pton(AF_INET, s->host, &a4) == 1;
	}
	if (p == end) {
		snprintf(s->port, sizeof(s->port), "443");
	} else {
		unsigned long port = 0;

		n = (size_t)(end - p - 1);
		if (n < 1 || n > 5)
			goto bad;
		for (size_t i = 1; i <= n; i++) {
			if (p[i] < '0' || p[i] > '9')
				goto bad;
			port = port * 10 + (unsigned long)(p[i] - '0');
		}
		if (port < 1 || port > 65535)
			goto bad;
		snprintf(s->port, sizeof(s->port), "%lu", port);
	}
	/* A path under which the registrar's API lives, without its trailing '/'. */
	tail = end + strlen(end);
	while (tail > end && tail[-1] == '/')
		tail--;
	if ((size_t)(tail - end) >= sizeof(s->prefix) || memchr(end, '?', (size_t)(tail - end)) ||
	    memchr(end, '#', (size_t)(tail - end)))
		goto bad;
	for (const char *c = end; c < tail; c++)
		if (*c <= ' ' || *c >= 0x7f)
			goto bad;
	memcpy(s->prefix, end, (size_t)(tail - end));
	s->prefix[tail - end] = '\0';
	return 0;
bad:
	return tao_errf(err, errlen, -EINVAL,
			"the registrar URL \"%s\" is not https://host[:port][/path]", url);
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

/* The SSL_CTX and SSL of the session: TLS 1.3, the pinned CA, our certificate and key. */
static int tls_setup(struct session *s, const char *what, char *err, size_t errlen)
{
	const struct tao_client_opts *o = s->opts;
	X509_VERIFY_PARAM *vp;
	char why[512];
	BIO *bio;

	pthread_once(&bio_once, bio_init);
	if (!bio_method)
		return tao_errf(err, errlen, -ENOMEM, "OpenSSL: no BIO method (out of memory)");
	ERR_clear_error();
	s->ctx = SSL_CTX_new(TLS_client_method());
	if (!s->ctx || SSL_CTX_set_min_proto_version(s->ctx, TLS1_3_VERSION) != 1) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -ENOMEM, "OpenSSL: no TLS 1.3 context: %s", why);
	}
	/* Every attested connection is a full handshake (docs/registrar.md). */
	SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(s->ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(s->ctx, o->ca_file, NULL) != 1) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -EPROTO, "%s: TLS: the registrar CA file %s: %s", what,
				o->ca_file, why);
	}
	if (SSL_CTX_use_certificate_chain_file(s->ctx, o->cert_file) != 1) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -EINVAL, "%s: the client certificate %s: %s", what,
				o->cert_file, why);
	}
	if (SSL_CTX_use_PrivateKey(s->ctx, o->key) != 1 || SSL_CTX_check_private_key(s->ctx) != 1) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -EINVAL,
				"%s: the client key does not match the certificate %s: %s", what,
				o->cert_file, why);
	}
	s->ssl = SSL_new(s->ctx);
	bio = s->ssl ? BIO_new(bio_method) : NULL;
	if (!bio) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -ENOMEM, "OpenSSL: %s", why);
	}
	BIO_set_data(bio, s);
	SSL_set_bio(s->ssl, bio, bio);
	/* The registrar's name or address must be in its certificate; SNI for a name. */
	vp = SSL_get0_param(s->ssl);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (s->host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, s->host) != 1
			  : (SSL_set1_host(s->ssl, s->host) != 1 ||
			     SSL_set_tlsext_host_name(s->ssl, s->host) != 1)) {
		ossl_errors(why, sizeof(why));
		return tao_errf(err, errlen, -EINVAL, "%s: the host \"%s\": %s", what, s->host,
				why);
	}
	return 0;
}

static int connect_errno(int e)
{
	switch (e) {
	case ETIMEDOUT:
		return -ETIMEDOUT;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return -EHOSTUNREACH;
	default:
		return -ECONNREFUSED;
	}
}

/*
 * A name lookup in a thread of its own, so that the session's deadline bounds it: getaddrinfo
 * has no timeout of its own (the resolver's is resolv.conf's, times every server and attempt).
 * A lookup still running at the deadline is left to finish alone; whichever of the caller and
 * the thread lets go of it last frees it.
 */
struct lookup {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	int refs;	     /* the caller's and the thread's, under lock */
	bool done;
	int rc, sys_errno; /* getaddrinfo's result, and errno for EAI_SYSTEM */
	struct addrinfo hints, *res;
	char *host, *port;
};

/* Let go of l, whose lock the caller holds (and which this releases). */
static void lookup_put(struct lookup *l)
{
	bool last = --l->refs == 0;

	pthread_mutex_unlock(&l->lock);
	if (!last)
		return;
	if (l->res)
		freeaddrinfo(l->res);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l->host);
	free(l->port);
	free(l);
}

static void *lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(l->host, l->port, &l->hints, &res), e = errno;

	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->sys_errno = e;
	l->res = res;
	l->done = true;
	pthread_cond_signal(&l->cond);
	lookup_put(l);
	return NULL;
}

/*
 * getaddrinfo(s->host, s->port, hints) by the session's deadline: 0 with *res (the caller's to
 * free), -ETIMEDOUT at the deadline, -ENOMEM or -EAGAIN (no thread), or -EHOSTUNREACH for a
 * failed lookup; err says which.
 */
static int resolve(struct session *s, const struct addrinfo *hints, struct addrinfo **res,
		   const char *what, char *err, size_t errlen)
{
	struct lookup *l;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t t;
	int rc = 0, g, e;

	*res = NULL;
	if (s->host_is_ip) {
		g = getaddrinfo(s->host, s->port, hints, res);
		e = errno;
		goto answer;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->host = strdup(s->host)) || !(l->port = strdup(s->port))) {
		if (l)
			free(l->host);
		free(l);
		return tao_errf(err, errlen, -ENOMEM, "%s: resolving %s: out of memory", what,
				s->host);
	}
	l->hints = *hints;
	l->refs = 2;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &ta, lookup_run, l);
	pthread_attr_destroy(&ta);
	pthread_mutex_lock(&l->lock);
	if (rc) {
		l->refs--; /* the thread's: it never ran */
		lookup_put(l);
		return tao_errf(err, errlen, -rc, "%s: resolving %s: no thread for it: %s", what,
				s->host, strerror(rc));
	}
	while (!l->done) {
		double left = s->deadline - tao_mono_ms();
		long ms = (long)left + 1;
		struct timespec ts;

		if (left <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->cond, &l->lock, &ts);
	}
	if (!l->done) {
		lookup_put(l);
		return tao_errf(err, errlen, -ETIMEDOUT,
				"%s: resolving %s: no answer within the %ld ms timeout", what,
				s->host, s->timeout);
	}
	g = l->rc;
	e = l->sys_errno;
	*res = l->res;
	l->res = NULL;
	lookup_put(l);
answer:
	if (g)
		return tao_errf(err, errlen, -EHOSTUNREACH, "%s: resolving %s: %s", what, s->host,
				g == EAI_SYSTEM ? strerror(e) : gai_strerror(g));
	return 0;
}

/* TCP to the registrar (each of its addresses in turn), by the deadline. */
static int tcp_connect(struct session *s, const char *what, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags =
					  AI_NUMERICSERV | (s->host_is_ip ? AI_NUMERICHOST : 0) };
	struct addrinfo *res = NULL;
	int g, last = ECONNREFUSED, one = 1;

	g = resolve(s, &hints, &res, what, err, errlen);
	if (g)
		return g;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;
		socklen_t len = sizeof(last);

		if (fd < 0) {
			last = errno;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(res);
			return 0;
		}
		if (errno == EINPROGRESS) {
			rc = wait_fd(s, POLLOUT);
			if (rc == -ETIMEDOUT) {
				freeaddrinfo(res);
				return tao_errf(err, errlen, -ETIMEDOUT,
						"%s: connecting to %s port %s: timed out after %ld "
						"ms",
						what, s->host, s->port, s->timeout);
			}
			if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &last, &len) == 0 &&
			    last == 0) {
				freeaddrinfo(res);
				return 0;
			}
			if (rc)
				last = -rc;
		} else {
			last = errno;
		}
		close(fd);
		s->fd = -1;
	}
	freeaddrinfo(res);
	return tao_errf(err, errlen, connect_errno(last), "%s: connecting to %s port %s: %s", what,
			s->host, s->port, strerror(last));
}

/*
 * A new connection: TCP, the TLS 1.3 handshake, and (want_binder) the binder of the connection,
 * which starts the early evidence when there is one to make.
 */
static int session_connect(struct session *s, const char *what, bool want_binder, char *err,
			   size_t errlen)
{
	int rc;

	rc = tls_setup(s, what, err, errlen);
	if (rc)
		return rc;
	rc = tcp_connect(s, what, err, errlen);
	if (rc)
		return rc;
	for (;;) {
		int r;

		ERR_clear_error();
		r = SSL_connect(s->ssl);
		if (r == 1)
			break;
		rc = ssl_wait(s, r);
		if (rc)
			return io_fail(s, rc, what, "the TLS handshake", err, errlen);
	}
	if (!want_binder)
		return 0;
	rc = tao_binder_compute_cert(s->ssl, SSL_get_certificate(s->ssl), s->binder);
	if (rc < 0)
		return tao_errf(err, errlen, rc, "%s: computing the binder of the connection: %s",
				what,
				rc == -EPROTO ? "not a finished TLS 1.3 handshake" : strerror(-rc));
	s->have_binder = true;
	/* The binder is known: the evidence need not wait for the params' round trip. */
	if (s->make && !s->early_started)
		s->early_started = pthread_create(&s->early, NULL, early_main, s) == 0;
	return 0;
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
	if (s->ssl && !s->eof && s->fd >= 0) {
		/* A close_notify, without waiting for the registrar's. */
		ERR_clear_error();
		SSL_shutdown(s->ssl);
	}
	SSL_free(s->ssl);
	s->ssl = NULL;
	SSL_CTX_free(s->ctx);
	s->ctx = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->rbuf);
	s->rbuf = NULL;
	ERR_clear_error();
}

static int session_start(struct session *s, const struct tao_client_opts *opts, double t0,
			 char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->opts = opts;
	s->t0 = t0;
	s->timeout = opts->timeout_ms > 0 ? opts->timeout_ms : CLIENT_TIMEOUT_MS;
	s->deadline = t0 + (double)s->timeout;
	if ((rc = parse_url(s, opts->url, err, errlen)))
		return rc;
	if ((rc = check_file(opts->ca_file, "registrar CA", err, errlen)) ||
	    (rc = check_file(opts->cert_file, "client certificate", err, errlen)))
		return rc;
	if (!opts->key)
		return tao_errf(err, errlen, -EINVAL, "no client key given");
	s->rbuf = malloc(CLIENT_MAX_HEADER);
	if (!s->rbuf)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

/* ---- HTTP/1.1 -------------------------------------------------------------------------- */

/* Write all of buf by the deadline: 0 or as ssl_wait(). */
static int send_all(struct session *s, const char *buf, size_t len)
{
	while (len) {
		int n, rc;

		ERR_clear_error();
		n = SSL_write(s->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		rc = ssl_wait(s, n);
		if (rc)
			return rc;
	}
	return 0;
}

/* Read more into rbuf (after what is there): 0 or as ssl_wait(); -ENOBUFS when it is full. */
static int fill(struct session *s)
{
	if (s->rpos) {
		memmove(s->rbuf, s->rbuf + s->rpos, s->rlen - s->rpos);
		s->rlen -= s->rpos;
		s->rpos = 0;
	}
	if (s->rlen == CLIENT_MAX_HEADER)
		return -ENOBUFS;
	for (;;) {
		int n, rc;

		ERR_clear_error();
		n = SSL_read(s->ssl, s->rbuf + s->rlen, (int)(CLIENT_MAX_HEADER - s->rlen));
		if (n > 0) {
			s->rlen += (size_t)n;
			return 0;
		}
		rc = ssl_wait(s, n);
		if (rc)
			return rc;
	}
}

/* The next line of rbuf (without its CRLF, NUL-terminated in place), reading as needed. */
static int read_line(struct session *s, char **line)
{
	for (;;) {
		char *b = s->rbuf + s->rpos, *eol = memchr(b, '\n', s->rlen - s->rpos);
		int rc;

		if (eol) {
			if (eol == b || eol[-1] != '\r')
				return -EBADMSG;
			eol[-1] = '\0';
			*line = b;
			s->rpos = (size_t)(eol + 1 - s->rbuf);
			return 0;
		}
		rc = fill(s);
		if (rc)
			return rc;
	}
}

/* Append up to n bytes from rbuf, and then from the connection, to the body. */
static int body_add(struct session *s, size_t n, const char *what, char *err, size_t errlen)
{
	char *p;

	if (n > CLIENT_MAX_RESPONSE - s->body_len)
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the registrar's response exceeds %u bytes", what,
				CLIENT_MAX_RESPONSE);
	p = realloc(s->body, s->body_len + n + 1);
	if (!p)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	s->body = p;
	while (n) {
		size_t k = s->rlen - s->rpos;
		int rc;

		if (!k) {
			rc = fill(s);
			if (rc == EOF_RC)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response is cut short (the registrar "
						"closed the connection %zu bytes before its end)",
						what, n);
			if (rc)
				return io_fail(s, rc, what, "the response", err, errlen);
			continue;
		}
		if (k > n)
			k = n;
		memcpy(s->body + s->body_len, s->rbuf + s->rpos, k);
		s->rpos += k;
		s->body_len += k;
		n -= k;
	}
	s->body[s->body_len] = '\0';
	return 0;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Does the comma-separated list hold token (case-insensitive)? */
static bool list_has(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; *p;) {
		p += strspn(p, " \t,");
		if (strncasecmp(p, token, n) == 0 && strchr(" \t,", p[n]))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

/* A decimal number of at most 1 MiB + 1 (more is reported as that), or -1. */
static long parse_length(const char *v, size_t max)
{
	unsigned long n = 0;

	if (!*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (unsigned long)(*v - '0');
		if (n > max)
			n = max + 1;
	}
	return (long)n;
}

/* A read_line() of the chunked body failed. */
static int line_fail(struct session *s, int rc, const char *what, char *err, size_t errlen)
{
	if (rc == EOF_RC)
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the response: its chunked body is cut short (the registrar "
				"closed the connection)",
				what);
	if (rc == -EBADMSG || rc == -ENOBUFS)
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the response: a bad line in its chunked body", what);
	return io_fail(s, rc, what, "the response", err, errlen);
}

/* The chunked body (RFC 9112 section 7.1), its extensions and trailers ignored. */
static int read_chunked(struct session *s, const char *what, char *err, size_t errlen)
{
	int rc;

	for (;;) {
		unsigned long size = 0;
		char *line, *p;

		rc = read_line(s, &line);
		if (rc)
			goto fail;
		for (p = line; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
			int d = (*p >= '0' && *p <= '9')   ? *p - '0'
				: (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
				: (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10
							   : -1;

			if (d < 0)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: a bad chunk size", what);
			size = size * 16 + (unsigned long)d;
			if (size > CLIENT_MAX_RESPONSE)
				size = CLIENT_MAX_RESPONSE + 1;
		}
		if (p == line)
			return tao_errf(err, errlen, -EBADMSG, "%s: the response: a bad chunk size",
					what);
		if (!size)
			break;
		rc = body_add(s, size, what, err, errlen);
		if (rc)
			return rc;
		rc = read_line(s, &line);
		if (rc)
			goto fail;
		if (*line)
			return tao_errf(err, errlen, -EBADMSG,
					"%s: the response: a chunk longer than its size", what);
	}
	for (;;) { /* trailers, up to the empty line */
		char *line;

		rc = read_line(s, &line);
		if (rc)
			return line_fail(s, rc, what, err, errlen);
		if (!*line)
			return s->body || (s->body = strdup("")) ? 0 : -ENOMEM;
	}
fail:
	return line_fail(s, rc, what, err, errlen);
}

/*
 * The response to the request just sent: the status line and the header block (at most
 * CLIENT_MAX_HEADER bytes), then the body by Content-Length, chunked, or up to the end of the
 * connection, into s->status and s->body.
 */
static int read_response(struct session *s, const char *what, char *err, size_t errlen)
{
	for (;;) {
		long clen = -1;
		bool chunked = false, te = false, http10, keep = false, close = false;
		char *line;
		int rc;

		body_reset(s);
		s->status = 0;
		/* The whole header block must be in rbuf: read until its empty line. */
		for (;;) {
			char *b = s->rbuf + s->rpos;
			size_t have = s->rlen - s->rpos;

			if (have >= 4 && memmem(b, have, "\r\n\r\n", 4))
				break;
			if (have >= 2 && b[0] == '\r' && b[1] == '\n')
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: no status line", what);
			rc = fill(s);
			if (rc == -ENOBUFS)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response's header exceeds %u bytes", what,
						CLIENT_MAX_HEADER);
			if (rc == EOF_RC && s->rlen > s->rpos)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response is cut short in its header",
						what);
			if (rc)
				return io_fail(s, rc, what, "the response", err, errlen);
		}
		{
			char *b = s->rbuf + s->rpos,
			     *end = memmem(b, s->rlen - s->rpos, "\r\n\r\n", 4);

			if (memchr(b, '\0', (size_t)(end - b)))
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: a NUL in its header", what);
		}
		/* HTTP/1.x SP 3DIGIT [SP reason] */
		if (read_line(s, &line) || strncmp(line, "HTTP/1.", 7) != 0 ||
		    (line[7] != '0' && line[7] != '1') || line[8] != ' ' || line[9] < '1' ||
		    line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0' ||
		    line[11] > '9' || (line[12] != ' ' && line[12] != '\0'))
			return tao_errf(err, errlen, -EBADMSG,
					"%s: the response: not an HTTP/1.x "
					"status line",
					what);
		http10 = line[7] == '0';
		s->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		for (;;) {
			char *colon, *v, *e;

			if (read_line(s, &line))
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: a bad header line", what);
			if (!*line)
				break;
			colon = strchr(line, ':');
			if (!colon || colon == line)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: a bad header line", what);
			for (char *c = line; c < colon; c++)
				if (!is_tchar(*c))
					return tao_errf(err, errlen, -EBADMSG,
							"%s: the response: a bad header name",
							what);
			*colon = '\0';
			v = colon + 1 + strspn(colon + 1, " \t");
			for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
				;
			*e = '\0';
			for (char *c = v; *c; c++)
				if ((unsigned char)*c < ' ' && *c != '\t')
					return tao_errf(err, errlen, -EBADMSG,
							"%s: the response: a control character "
							"in header %.64s",
							what, line);
			if (strcasecmp(line, "Content-Length") == 0) {
				long n = parse_length(v, CLIENT_MAX_RESPONSE);

				if (n < 0 || (clen >= 0 && n != clen))
					return tao_errf(err, errlen, -EBADMSG,
							"%s: the response: a bad Content-Length",
							what);
				clen = n;
			} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
				if (te || strcasecmp(v, "chunked") != 0)
					return tao_errf(err, errlen, -EBADMSG,
							"%s: the response: Transfer-Encoding "
							"\"%.64s\" (only chunked is read)",
							what, v);
				te = chunked = true;
			} else if (strcasecmp(line, "Connection") == 0) {
				close |= list_has(v, "close");
				keep |= list_has(v, "keep-alive");
			}
		}
		if (chunked && clen >= 0)
			return tao_errf(err, errlen, -EBADMSG,
					"%s: the response has both Content-Length and "
					"Transfer-Encoding",
					what);
		if (s->status < 200) {
			if (s->status == 101 || clen > 0 || chunked)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the response: an unexpected %ld", what,
						s->status);
			continue; /* 100 Continue and the like: the response follows */
		}
		s->closed = close || (http10 && !keep);
		if (s->status == 204 || s->status == 304)
			clen = 0;
		if (chunked)
			return read_chunked(s, what, err, errlen);
		if (clen >= 0) {
			if (clen > (long)CLIENT_MAX_RESPONSE)
				return tao_errf(err, errlen, -EBADMSG,
						"%s: the registrar's response exceeds %u bytes",
						what, CLIENT_MAX_RESPONSE);
			rc = body_add(s, (size_t)clen, what, err, errlen);
			if (rc)
				return rc;
			if (!s->body && !(s->body = strdup("")))
				return tao_errf(err, errlen, -ENOMEM, "out of memory");
			return 0;
		}
		/* Neither: the body ends with the connection. */
		s->closed = true;
		for (;;) {
			size_t k = s->rlen - s->rpos;

			if (k) {
				rc = body_add(s, k, what, err, errlen);
				if (rc)
					return rc;
			}
			rc = fill(s);
			if (rc == EOF_RC)
				break;
			if (rc)
				return io_fail(s, rc, what, "the response", err, errlen);
		}
		if (!s->body && !(s->body = strdup("")))
			return tao_errf(err, errlen, -ENOMEM, "out of memory");
		return 0;
	}
}

/*
 * Is the connection still there for the next request? 0, -EPIPE if the registrar closed it
 * (or said it would), -EBADMSG for bytes nobody asked for, -EPROTO for a TLS alert.
 */
static int still_open(struct session *s, const char *what, char *err, size_t errlen)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	int n;

	if (s->closed || s->eof)
		goto closed;
	if (s->rpos < s->rlen)
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the registrar sent more than its response to params", what);
	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	n = read_now(s);
	if (n > 0)
		return tao_errf(err, errlen, -EBADMSG,
				"%s: the registrar sent more than its response to params", what);
	if (n == 0) /* nothing but a TLS record of its own */
		return 0;
	if (n == -EPROTO)
		return io_fail(s, -EPROTO, what, "the wait between params and evidence", err,
			       errlen);
closed:
	return tao_errf(err, errlen, -EPIPE,
			"%s: the connection changed between params and evidence (the registrar "
			"closed the connection after params; the POST would need a new one)",
			what);
}

/* One request on the session's connection, and its response. */
static int exchange(struct session *s, const char *method, const char *path,
		    const char *content_type, const char *body, const char *what, char *err,
		    size_t errlen)
{
	TAO_CLEANUP(tao_freep) char *req = NULL;
	size_t blen = body ? strlen(body) : 0;
	int n, rc;

	if (body)
		n = asprintf(&req,
			     "%s %s%s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n"
			     "Connection: keep-alive\r\nContent-Type: %s\r\nContent-Length: "
			     "%zu\r\n\r\n%s",
			     method, s->prefix, path, s->authority, content_type, blen, body);
	else
		n = asprintf(&req,
			     "%s %s%s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n"
			     "Connection: keep-alive\r\n\r\n",
			     method, s->prefix, path, s->authority);
	if (n < 0) {
		req = NULL;
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	}
	rc = send_all(s, req, (size_t)n);
	if (rc == -ECONNRESET || rc == EOF_RC) {
		/* TLS 1.3: a refusal of our certificate may wait in the socket as an alert */
		if (read_now(s) == -EPROTO)
			rc = -EPROTO;
		else
			ERR_clear_error();
	}
	if (rc)
		return io_fail(s, rc, what, "the request", err, errlen);
	return read_response(s, what, err, errlen);
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
	else if (status == 501)
		rc = -EOPNOTSUPP; /* what was asked is not something this registrar does */
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

/* "https://host:port" + path, without a doubled '/' (for messages). */
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

long tao_client_get(const struct tao_client_opts *opts, const char *path, char **body,
		    struct tao_client_timing *timing, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) char *url = NULL;
	struct session s;
	double t0 = tao_mono_ms(), handshake;
	char what[300];
	int rc;

	*body = NULL;
	if (timing)
		memset(timing, 0, sizeof(*timing));
	rc = session_start(&s, opts, t0, err, errlen);
	if (rc)
		goto out;
	url = make_url(opts->url, path);
	if (!url) {
		rc = tao_errf(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	snprintf(what, sizeof(what), "GET %s", url);
	rc = session_connect(&s, what, false, err, errlen);
	if (rc)
		goto out;
	handshake = tao_mono_ms() - t0;
	rc = exchange(&s, "GET", path, NULL, NULL, what, err, errlen);
	if (rc)
		goto out;
	if (timing) {
		timing->handshake = handshake;
		timing->params = tao_mono_ms() - t0;
		timing->total = tao_mono_ms() - t0;
	}
	*body = s.body;
	s.body = NULL;
out:
	session_end(&s);
	return rc ? rc : s.status;
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

/* The connection and GET params on it; the binder is taken right after the handshake. */
static int attest_params(struct session *s, const char *base, struct tao_attest_params *params,
			 struct tao_attest_outcome *out, char *err, size_t errlen)
{
	TAO_CLEANUP(tao_freep) char *url = make_url(base, "/attest/v1/params");
	char what[300];
	int rc;

	if (!url)
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	snprintf(what, sizeof(what), "GET %s", url);
	rc = session_connect(s, what, true, err, errlen);
	if (rc)
		return rc;
	memcpy(out->binder, s->binder, sizeof(out->binder));
	out->timing.handshake = tao_mono_ms() - s->t0;
	rc = exchange(s, "GET", "/attest/v1/params", NULL, NULL, what, err, errlen);
	if (rc)
		return rc;
	out->timing.params = tao_mono_ms() - s->t0;
	if (s->status != 200)
		return http_fail(s, s->status, what, err, errlen);
	return tao_attest_params_parse(s->body, s->body_len, params, err, errlen);
}

/* POST the evidence on the same connection: -EPIPE if the registrar closed it. */
static int attest_post(struct session *s, const char *base, const char *text,
		       const struct tao_ldevid_request *ld, struct tao_attest_outcome *out,
		       char *err, size_t errlen)
{
	bool enroll = s->opts->enroll;
	TAO_CLEANUP(tao_freep)
	char *url = make_url(base, enroll ? "/scim/v2/Devices" : "/attest/v1/evidence");
	TAO_CLEANUP(tao_freep) char *scim_body = enroll ? enroll_body(text, ld) : NULL;
	char what[300];
	double t;
	int rc;

	if (!url || (enroll && !scim_body))
		return tao_errf(err, errlen, -ENOMEM, "out of memory");
	if (enroll)
		text = scim_body;
	snprintf(what, sizeof(what), "POST %s", url);
	rc = still_open(s, what, err, errlen);
	if (rc)
		return rc;
	t = tao_mono_ms();
	rc = exchange(s, "POST", enroll ? "/scim/v2/Devices" : "/attest/v1/evidence",
		      enroll ? "application/scim+json" : "application/json", text, what, err,
		      errlen);
	if (rc)
		return rc;
	out->timing.post = tao_mono_ms() - t;
	out->http_status = s->status;
	if (enroll) {
		if (s->status != 200 && s->status != 201)
			return http_fail(s, s->status, what, err, errlen);
		return parse_device(s->body, s->body_len, out, err, errlen);
	}
	if (s->status != 200)
		return http_fail(s, s->status, what, err, errlen);
	return parse_result(s->body, s->body_len, out, err, errlen);
}

int tao_client_attest(const struct tao_client_opts *opts, tao_evidence_fn make, void *arg,
		      struct tao_attest_outcome *out, char *err, size_t errlen)
{
	struct tao_attest_params params;
	struct tao_ldevid_request *ld = NULL;
	struct session s;
	char *text = NULL;
	double t0 = tao_mono_ms(), t;
	int rc;

	memset(out, 0, sizeof(*out));
	out->attestation_id = -1;
	rc = session_start(&s, opts, t0, err, errlen);
	if (rc)
		goto done;
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
	if (tao_mono_ms() >= s.deadline) {
		rc = tao_errf(err, errlen, -ETIMEDOUT,
			      "the session took longer than %ld ms before the evidence was sent",
			      s.timeout);
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
		if (tao_mono_ms() >= s.deadline) {
			rc = tao_errf(err, errlen, -ETIMEDOUT,
				      "the session took longer than %ld ms before the evidence was "
				      "sent",
				      s.timeout);
			goto done;
		}
	}
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
