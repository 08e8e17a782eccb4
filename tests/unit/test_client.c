/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tao_client.h: the params parser, the errors that need no server (a closed port, missing
 * files), and whole sessions against an in-process TLS 1.3 server on 127.0.0.1 (OpenSSL in a
 * thread, a CA made here, software keys): the same binder on both ends, the evidence posted on
 * the connection the binder came from, and the refusals (TLS 1.2, a server from another CA, a
 * server that closes the connection between params and evidence, 413, an oversized response),
 * and the HTTP/1.1 of the client's own: chunked bodies, header and body limits, a body cut short,
 * a server that never answers (the timeout), a host name the certificate does not name, and a
 * name server that never answers (the timeout bounds the lookup too; in a private network and
 * mount namespace, so root only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tao_binder.h"
#include "tao_client.h"
#include "tao_devid.h"
#include "tao_evidence.h"
#include "tao_hex.h"

#define PARAMS_OK                                                                    \
	"{\"version\": 1, \"evidence\": {\"media_type\": "                           \
	"\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": " \
	"\"sha256:0-7,13\", \"max_body_bytes\": 9437184}"

static int parse(const char *text, struct tao_attest_params *p, char *err)
{
	return tao_attest_params_parse(text, strlen(text), p, err, 256);
}

static void test_params_valid(void **state)
{
	struct tao_attest_params p;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(PARAMS_OK, &p, err), 0);
	assert_int_equal(p.evidence_version, 1);
	assert_int_equal(p.max_body_bytes, 9437184);
	assert_int_equal(p.pcrs.n, 1);
	assert_int_equal(p.pcrs.banks[0].alg, 0x000b);
	assert_int_equal(p.pcrs.banks[0].mask, 0x20ff);
	/* Unknown members are ignored; several versions offered. */
	assert_int_equal(parse("{\"version\": 1, \"extra\": {\"x\": [1, 2]}, \"evidence\": "
			       "{\"media_type\": \"application/vnd.tao.tpm2-evidence+json\", "
			       "\"versions\": [3, 1, 2], \"later\": true}, \"pcrs\": "
			       "\"sha256:13+sha1:all\", \"max_body_bytes\": 1}",
			       &p, err),
			 0);
	assert_int_equal(p.pcrs.n, 2);
	assert_int_equal(p.max_body_bytes, 1);
}

static void expect(const char *text, int rc, const char *msg)
{
	struct tao_attest_params p;
	char err[256] = "";

	assert_int_equal(parse(text, &p, err), rc);
	if (!strstr(err, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err, msg);
}

static void test_params_bad(void **state)
{
	(void)state;
	/* Not JSON, not an object, trailing bytes, duplicates. */
	expect("", -EBADMSG, "not JSON");
	expect("{\"version\": 1,", -EBADMSG, "not JSON");
	expect("[1]", -EBADMSG, "not an object");
	expect(PARAMS_OK " x", -EBADMSG, "params: not JSON");
	expect("{\"version\": 1, \"version\": 1}", -EBADMSG, "appears twice");
	/* Missing members. */
	expect("{\"evidence\": {}, \"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}", -EBADMSG,
	       "\"version\" is missing");
	expect("{\"version\": 1, \"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}", -EBADMSG,
	       "\"evidence\" is missing");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, "
	       "\"max_body_bytes\": "
	       "5}",
	       -EBADMSG, "\"pcrs\" is missing");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:13\"}",
	       -EBADMSG, "\"max_body_bytes\" is missing");
	expect("{\"version\": 1, \"evidence\": {\"versions\": [1]}, \"pcrs\": \"sha256:13\", "
	       "\"max_body_bytes\": 5}",
	       -EBADMSG, "\"media_type\" is missing");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\"}, \"pcrs\": \"sha256:13\", "
	       "\"max_body_bytes\": 5}",
	       -EBADMSG, "\"versions\" is missing");
	/* Wrong types. */
	expect("{\"version\": \"1\", \"evidence\": {}, \"pcrs\": \"sha256:13\", "
	       "\"max_body_bytes\": "
	       "5}",
	       -EBADMSG, "params.version: not an integer");
	expect("{\"version\": 1, \"evidence\": [], \"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}",
	       -EBADMSG, "params.evidence: not an object");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": 1}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 5}",
	       -EBADMSG, "versions: not an array");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [\"1\"]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 5}",
	       -EBADMSG, "versions[0]: not a version number");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": 13, "
	       "\"max_body_bytes\": 5}",
	       -EBADMSG, "params.pcrs: not a string");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 5.5}",
	       -EBADMSG, "max_body_bytes: not an integer");
	/* Versions and media types this client does not make. */
	expect("{\"version\": 2, \"evidence\": {}, \"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}",
	       -EPROTONOSUPPORT, "API version 2");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [2, 3]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 5}",
	       -EPROTONOSUPPORT, "version 1 is not offered");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": \"application/json\", "
	       "\"versions\": "
	       "[1]}, \"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}",
	       -EPROTONOSUPPORT, "media_type");
	/* Bad PCR selections. */
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:24\", \"max_body_bytes\": 5}",
	       -EBADMSG, "params.pcrs: ");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": \"\", "
	       "\"max_body_bytes\": 5}",
	       -EBADMSG, "params.pcrs: ");
	/* Huge numbers, zero, negative. */
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 99999999999999999999999}",
	       -EBADMSG, "max_body_bytes");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": 0}",
	       -EBADMSG, "max_body_bytes: out of range");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [1]}, \"pcrs\": "
	       "\"sha256:13\", \"max_body_bytes\": -3}",
	       -EBADMSG, "max_body_bytes: out of range");
	expect("{\"version\": 99999999999999999999999, \"evidence\": {}, \"pcrs\": \"sha256:13\", "
	       "\"max_body_bytes\": 5}",
	       -EBADMSG, "params.version");
	expect("{\"version\": 1, \"evidence\": {\"media_type\": "
	       "\"application/vnd.tao.tpm2-evidence+json\", \"versions\": [99999999999999999999]}, "
	       "\"pcrs\": \"sha256:13\", \"max_body_bytes\": 5}",
	       -EBADMSG, "versions[0]");
}

/* ---- keys, certificates and the server --------------------------------------------------- */

static char dir[64];
static char ca_file[128], ca2_file[128], client_file[128];
static EVP_PKEY *ca_key, *ca2_key, *srv_key, *client_key;
static X509 *ca_cert, *ca2_cert, *srv_cert, *srv2_cert, *client_cert;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	char err[256], cadir[128];
	bool created;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tao-client-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cadir, sizeof(cadir), "%s/ca", dir);
	if (tao_ca_load_or_create(cadir, &ca_key, &ca_cert, &created, err, sizeof(err)))
		goto fail;
	snprintf(cadir, sizeof(cadir), "%s/ca2", dir);
	if (tao_ca_load_or_create_named(cadir, "other", "Other CA", &ca2_key, &ca2_cert, &created,
					err, sizeof(err)))
		goto fail;
	srv_key = EVP_EC_gen("P-256");
	client_key = EVP_EC_gen("P-256");
	if (!srv_key || !client_key ||
	    tao_server_cert_issue(ca_key, ca_cert, srv_key, "registrar", "IP:127.0.0.1", 1,
				  &srv_cert, err, sizeof(err)) ||
	    tao_server_cert_issue(ca2_key, ca2_cert, srv_key, "registrar", "IP:127.0.0.1", 1,
				  &srv2_cert, err, sizeof(err)) ||
	    tao_devid_cert_issue(ca_key, ca_cert, client_key, TAO_DEVID_IDEVID, "SN-CLIENT",
				 &client_cert, err, sizeof(err)))
		goto fail;
	snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", dir);
	snprintf(ca2_file, sizeof(ca2_file), "%s/ca2.pem", dir);
	snprintf(client_file, sizeof(client_file), "%s/idevid.pem", dir);
	if (tao_pem_write_certs(ca_file, &ca_cert, 1, err, sizeof(err)) ||
	    tao_pem_write_certs(ca2_file, &ca2_cert, 1, err, sizeof(err)) ||
	    tao_pem_write_certs(client_file, (X509 *[]){ client_cert, ca_cert }, 2, err,
				sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", err);
	return -1;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(client_cert);
	X509_free(srv_cert);
	X509_free(srv2_cert);
	X509_free(ca_cert);
	X509_free(ca2_cert);
	EVP_PKEY_free(client_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ca2_key);
	return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

enum mode {
	MODE_OK,
	MODE_CLOSE_AFTER_PARAMS, /* "Connection: close" after params: the POST needs a new one */
	MODE_TLS12,		 /* TLS 1.2 at most */
	MODE_OTHER_CA,		 /* a server certificate from a CA the client does not pin */
	MODE_413,		 /* the POST is refused as too large */
	MODE_501,		 /* the POST asks for what this server does not do */
	MODE_BIG,		 /* params of 2 MiB */
	MODE_CONTRA,		 /* a contraindicated result */
	MODE_UNTRUSTED_CLIENT,	 /* the client certificate is not from a CA the server trusts */
	MODE_CLOSE_QUIET,	 /* closes after params without saying so */
	MODE_CHUNKED,		 /* every response chunked */
	MODE_BIG_CHUNKED,	 /* params of 2 MiB, chunked */
	MODE_BIG_HEADER,	 /* a header block of 20 KiB */
	MODE_TRUNCATED,		 /* params cut short: 10 of 100 bytes, then the end */
	MODE_BAD_STATUS,	 /* "HTTP/1.1 2x0" */
	MODE_NO_TLS,		 /* accepts, and never says a word */
	MODE_NO_ANSWER,		 /* the handshake, then no answer to GET params */
	MODE_CLIENT_REVOKED,	 /* the client certificate refused as revoked */
	MODE_CLIENT_EXPIRED,	 /* the client certificate refused as expired */
};

/* The server's verdict on a client certificate that verified: revoked, or expired. */
static int verify_revoked(int ok, X509_STORE_CTX *x)
{
	if (ok && X509_STORE_CTX_get_error_depth(x) == 0) {
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REVOKED);
		return 0;
	}
	return ok;
}

static int verify_expired(int ok, X509_STORE_CTX *x)
{
	if (ok && X509_STORE_CTX_get_error_depth(x) == 0) {
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_HAS_EXPIRED);
		return 0;
	}
	return ok;
}

struct server {
	enum mode mode;
	int lfd, port;
	SSL_CTX *ctx;
	pthread_t thread;
	int connections, handshakes;
	bool have_binder;
	uint8_t binder[TAO_BINDER_LEN];
	char *posted;
	char content_type[64];
};

static const char ear_ok[] =
	"{\"eat_profile\": \"tag:tao,2026:ear-v1\", \"iat\": 1795740000, \"ear.verifier-id\": "
	"{\"developer\": \"tao\", \"build\": \"test\"}, \"submods\": {\"tpm\": {\"ear.status\": "
	"\"affirming\", \"tao.reason\": \"every check passed\", \"tao.checks\": {\"iak_chain\": "
	"{\"result\": \"pass\", \"reason\": \"fine\"}}}}, \"tao.device\": \"SN-CLIENT\", "
	"\"tao.attestation_id\": 42}";
static const char ear_contra[] =
	"{\"submods\": {\"tpm\": {\"ear.status\": \"contraindicated\", \"tao.reason\": \"quote: "
	"bad\", \"tao.checks\": {\"quote\": {\"result\": \"fail\", \"reason\": \"bad\"}}}}, "
	"\"tao.device\": null, \"tao.attestation_id\": 7}";

static int ssl_write_all(SSL *ssl, const char *buf, size_t len)
{
	while (len) {
		int n = SSL_write(ssl, buf, (int)(len > 65536 ? 65536 : len));

		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int respond(SSL *ssl, int status, const char *body, size_t len, bool close)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
		 status, len, close ? "Connection: close\r\n" : "");
	return ssl_write_all(ssl, head, strlen(head)) || ssl_write_all(ssl, body, len) ? -1 : 0;
}

/* A chunked response: the body in chunks of at most 1000 bytes, an extension, a trailer. */
static int respond_chunked(SSL *ssl, int status, const char *body, size_t len)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nTransfer-Encoding: "
		 "chunked\r\n\r\n",
		 status);
	if (ssl_write_all(ssl, head, strlen(head)))
		return -1;
	while (len) {
		size_t n = len > 1000 ? 1000 : len;

		snprintf(head, sizeof(head), "%zx;x=y\r\n", n);
		if (ssl_write_all(ssl, head, strlen(head)) || ssl_write_all(ssl, body, n) ||
		    ssl_write_all(ssl, "\r\n", 2))
			return -1;
		body += n;
		len -= n;
	}
	static const char end[] = "0\r\nX-Trailer: t\r\n\r\n";

	return ssl_write_all(ssl, end, strlen(end));
}

/* Serve the requests of one connection. */
static void serve(struct server *s, SSL *ssl)
{
	char buf[65536];
	size_t have = 0;

	for (;;) {
		char *end, *cl, method[8] = "", path[128] = "";
		size_t head, clen = 0;
		int n;

		buf[have] = '\0';
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			if (have == sizeof(buf) - 1)
				return;
			n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
			if (n <= 0)
				return;
			have += (size_t)n;
			buf[have] = '\0';
		}
		head = (size_t)(end - buf) + 4;
		sscanf(buf, "%7s %127s", method, path);
		cl = strcasestr(buf, "Content-Length:");
		if (cl && cl < end)
			clen = strtoul(cl + 15, NULL, 10);
		if (clen > sizeof(buf) - 1 - head)
			return;
		while (have < head + clen) {
			n = SSL_read(ssl, buf + have, (int)(head + clen - have));
			if (n <= 0)
				return;
			have += (size_t)n;
		}
		if (strcmp(method, "GET") == 0 && strcmp(path, "/attest/v1/params") == 0) {
			s->have_binder =
				tao_binder_compute_cert(ssl, SSL_get0_peer_certificate(ssl),
							s->binder) == 0;
			if (s->mode == MODE_NO_ANSWER) {
				while (SSL_read(ssl, buf, sizeof(buf)) > 0)
					;
				return;
			}
			if (s->mode == MODE_CHUNKED) {
				respond_chunked(ssl, 200, PARAMS_OK, strlen(PARAMS_OK));
				goto next;
			}
			if (s->mode == MODE_BIG_CHUNKED) {
				size_t big = 2u << 20;
				char *b = malloc(big);

				memset(b, ' ', big);
				respond_chunked(ssl, 200, b, big);
				free(b);
				return;
			}
			if (s->mode == MODE_BIG_HEADER) {
				static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
				char fill[1024];

				memset(fill, 'x', sizeof(fill));
				memcpy(fill, "X-Fill: ", 8);
				memcpy(fill + sizeof(fill) - 2, "\r\n", 2);
				ssl_write_all(ssl, h, strlen(h));
				for (int i = 0; i < 20; i++)
					ssl_write_all(ssl, fill, sizeof(fill));
				ssl_write_all(ssl, "\r\n{}", 4);
				return;
			}
			if (s->mode == MODE_TRUNCATED) {
				static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: "
							"100\r\n\r\n{\"version\":";

				ssl_write_all(ssl, h, strlen(h));
				return;
			}
			if (s->mode == MODE_BAD_STATUS) {
				static const char h[] =
					"HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}";

				ssl_write_all(ssl, h, strlen(h));
				return;
			}
			if (s->mode == MODE_BIG) {
				size_t big = 2u << 20;
				char *b = malloc(big);

				memset(b, ' ', big);
				respond(ssl, 200, b, big, false);
				free(b);
				return;
			}
			if (respond(ssl, 200, PARAMS_OK, strlen(PARAMS_OK),
				    s->mode == MODE_CLOSE_AFTER_PARAMS) ||
			    s->mode == MODE_CLOSE_AFTER_PARAMS || s->mode == MODE_CLOSE_QUIET)
				return;
		} else if (strcmp(method, "POST") == 0 &&
			   strcmp(path, "/attest/v1/evidence") == 0) {
			char *ct = strcasestr(buf, "Content-Type:");

			free(s->posted);
			s->posted = strndup(buf + head, clen);
			if (ct && ct < end)
				sscanf(ct + 13, " %63[^\r]", s->content_type);
			if (s->mode == MODE_413) {
				static const char e[] = "{\"error\": \"too_large\", \"detail\": "
							"\"the body exceeds 9437184 bytes\"}";

				respond(ssl, 413, e, strlen(e), true);
				return;
			}
			if (s->mode == MODE_501) {
				static const char e[] =
					"{\"schemas\": [\"urn:ietf:params:scim:api:"
					"messages:2.0:Error\"], \"status\": \"501\", "
					"\"detail\": \"this registrar issues no LDevIDs\"}";

				respond(ssl, 501, e, strlen(e), false);
				return;
			}
			if (s->mode == MODE_CHUNKED)
				respond_chunked(ssl, 200, ear_ok, strlen(ear_ok));
			else if (s->mode == MODE_CONTRA)
				respond(ssl, 200, ear_contra, strlen(ear_contra), false);
			else
				respond(ssl, 200, ear_ok, strlen(ear_ok), false);
		} else {
			static const char e[] = "{\"error\": \"not_found\", \"detail\": \"no such "
						"path\"}";

			respond(ssl, 404, e, strlen(e), false);
		}
	next:
		memmove(buf, buf + head + clen, have - head - clen);
		have -= head + clen;
	}
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd = accept(s->lfd, NULL, NULL);
		SSL *ssl;

		if (fd < 0)
			return NULL; /* shut down */
		s->connections++;
		if (s->mode == MODE_NO_TLS) {
			char b[256];

			while (read(fd, b, sizeof(b)) > 0)
				;
			close(fd);
			continue;
		}
		ssl = SSL_new(s->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			s->handshakes++;
			serve(s, ssl);
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
	}
}

static void server_start(struct server *s, enum mode mode)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	X509_STORE *store;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	if (mode == MODE_TLS12) {
		SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
		SSL_CTX_set_max_proto_version(s->ctx, TLS1_2_VERSION);
	} else {
		SSL_CTX_set_min_proto_version(s->ctx, TLS1_3_VERSION);
	}
	assert_int_equal(
		SSL_CTX_use_certificate(s->ctx, mode == MODE_OTHER_CA ? srv2_cert : srv_cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, srv_key), 1);
	store = SSL_CTX_get_cert_store(s->ctx);
	X509_STORE_add_cert(store, mode == MODE_UNTRUSTED_CLIENT ? ca2_cert : ca_cert);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   mode == MODE_CLIENT_REVOKED	 ? verify_revoked
			   : mode == MODE_CLIENT_EXPIRED ? verify_expired
							 : NULL);
	SSL_CTX_set_num_tickets(s->ctx, 0);
	SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
}

struct cb_state {
	int calls;
	uint8_t binder[TAO_BINDER_LEN];
	struct tao_attest_params params;
	int fail_with;
	int delay_ms; /* before the evidence is made */
	char text[128];
};

static int make_evidence(void *arg, const uint8_t binder[32],
			 const struct tao_attest_params *params, char **text, char *err,
			 size_t errlen)
{
	struct cb_state *c = arg;
	char hex[65];

	c->calls++;
	if (c->delay_ms)
		nanosleep(&(struct timespec){ .tv_nsec = c->delay_ms * 1000000L }, NULL);
	memcpy(c->binder, binder, sizeof(c->binder));
	c->params = *params;
	if (c->fail_with) {
		snprintf(err, errlen, "the test's evidence callback fails");
		return c->fail_with;
	}
	tao_hex_encode(binder, 32, hex);
	snprintf(c->text, sizeof(c->text), "{\"binder\": \"%s\"}", hex);
	*text = strdup(c->text);
	return *text ? 0 : -ENOMEM;
}

static void opts_for(struct tao_client_opts *o, char *url, size_t len, int port)
{
	snprintf(url, len, "https://127.0.0.1:%d", port);
	o->url = url;
	o->ca_file = ca_file;
	o->cert_file = client_file;
	o->key = client_key;
	o->timeout_ms = 10000;
}

/* ---- sessions ----------------------------------------------------------------------------- */

static void test_refused(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char url[64], err[512] = "", *body = (char *)"x";
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* A port that was just free: nobody listens there. */
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	opts_for(&o, url, sizeof(url), ntohs(a.sin_port));
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
			 -ECONNREFUSED);
	print_message("%s\n", err);
	assert_non_null(strstr(err, "GET https://127.0.0.1:"));
	assert_int_equal(cb.calls, 0);
	assert_null(out.ear);
	assert_int_equal(out.http_status, 0);
	assert_int_equal(tao_client_get(&o, "/attest/v1/params", &body, NULL, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_null(body);
	/* An IPv6 literal: refused too (or unreachable where the host has no IPv6). */
	snprintf(url, sizeof(url), "https://[::1]:%d/", ntohs(a.sin_port));
	fd = tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err));
	print_message("%s\n", err);
	assert_true(fd == -ECONNREFUSED || fd == -EHOSTUNREACH);
	assert_non_null(strstr(err, "connecting to ::1 port "));
}

static void test_bad_opts(void **state)
{
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char url[64], err[512] = "", missing[160], *body;

	(void)state;
	opts_for(&o, url, sizeof(url), 1);
	snprintf(missing, sizeof(missing), "%s/no-such-ca.pem", dir);
	o.ca_file = missing;
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "the registrar CA file "));
	assert_non_null(strstr(err, "no-such-ca.pem: No such file or directory"));
	o.ca_file = ca_file;
	o.cert_file = missing;
	assert_int_equal(tao_client_get(&o, "/", &body, NULL, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "the client certificate file "));
	o.cert_file = client_file;
	o.url = "http://127.0.0.1:1";
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "is not https://"));
	/* OpenSSL's error data reaches the message (as a TPM provider's own message would). */
	{
		char junk[160];
		FILE *f;

		snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
		f = fopen(junk, "w");
		assert_non_null(f);
		fputs("not a certificate\n", f);
		fclose(f);
		o.url = url;
		o.cert_file = junk;
		assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
				 -EINVAL);
		print_message("junk certificate: %s\n", err);
		assert_non_null(strstr(err, "the client certificate "));
		assert_non_null(strstr(err, "(Expecting: "));
		o.cert_file = client_file;
	}
	/* URLs this client does not follow. */
	for (const char *const *u =
		     (const char *const[]){ "https://[::1:8443", "https://:8443", "https://h:0",
					    "https://h:99999", "https://h:84x", "https://u@h:1",
					    "https://[zz]:1", "https://h:1/p?q", NULL };
	     *u; u++) {
		o.url = *u;
		assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "is not https://host[:port][/path]"));
	}
	assert_int_equal(cb.calls, 0);
}

static void test_attest_ok(void **state)
{
	struct server s;
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char url[64], err[512] = "";

	(void)state;
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), 0);
	server_stop(&s);
	/* One connection, one handshake; both ends computed the same binder. */
	assert_int_equal(s.connections, 1);
	assert_int_equal(s.handshakes, 1);
	assert_true(s.have_binder);
	assert_memory_equal(out.binder, s.binder, 32);
	assert_int_equal(cb.calls, 1);
	assert_memory_equal(cb.binder, s.binder, 32);
	assert_int_equal(cb.params.pcrs.banks[0].mask, 0x20ff);
	/* The evidence arrived as it was made, as JSON. */
	assert_non_null(s.posted);
	assert_string_equal(s.posted, cb.text);
	assert_string_equal(s.content_type, "application/json");
	/* The result. */
	assert_int_equal(out.http_status, 200);
	assert_int_equal(out.status, TAO_STATUS_AFFIRMING);
	assert_string_equal(out.reason, "every check passed");
	assert_string_equal(out.device, "SN-CLIENT");
	assert_int_equal(out.attestation_id, 42);
	assert_non_null(out.ear);
	assert_non_null(json_object_object_get(out.ear, "eat_profile"));
	assert_true(out.timing.handshake > 0);
	assert_true(out.timing.total >= out.timing.post);
	tao_attest_outcome_free(&out);
	assert_null(out.ear);
	free(s.posted);
}

/*
 * Early evidence (tao_client_opts.expect): made during GET params when the registrar asks for
 * the expected params, made again for what it asks otherwise; the posted evidence is always for
 * this connection's binder and the registrar's params.
 */
static void test_attest_early(void **state)
{
	struct tao_attest_params expect;
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	struct server s;
	char url[64], err[512] = "", perr[128];

	(void)state;
	/* The server asks for sha256:0-7,13 (mask 0x20ff), version 1. */
	memset(&expect, 0, sizeof(expect));
	expect.evidence_version = 1;
	assert_int_equal(tao_pcr_selection_parse("sha256:0-7,13", &expect.pcrs, perr, sizeof(perr)),
			 0);
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	o.expect = &expect;
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), 0);
	server_stop(&s);
	assert_true(out.timing.early);
	assert_int_equal(cb.calls, 1);
	assert_memory_equal(cb.binder, s.binder, 32);
	assert_string_equal(s.posted, cb.text);
	assert_int_equal(out.params.pcrs.banks[0].mask, 0x20ff);
	assert_int_equal(out.status, TAO_STATUS_AFFIRMING);
	tao_attest_outcome_free(&out);
	free(s.posted);

	/* Another expectation: the early evidence is dropped and made again. */
	assert_int_equal(tao_pcr_selection_parse("sha256:13", &expect.pcrs, perr, sizeof(perr)), 0);
	memset(&cb, 0, sizeof(cb));
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	o.expect = &expect;
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), 0);
	server_stop(&s);
	assert_false(out.timing.early);
	assert_int_equal(cb.calls, 2);
	assert_int_equal(cb.params.pcrs.banks[0].mask, 0x20ff); /* the last call: the server's */
	assert_memory_equal(cb.binder, s.binder, 32);
	assert_string_equal(s.posted, cb.text);
	tao_attest_outcome_free(&out);
	free(s.posted);

	/* A failing early callback is retried on the caller's thread, and its error reported. */
	memset(&cb, 0, sizeof(cb));
	cb.fail_with = -EIO;
	assert_int_equal(tao_pcr_selection_parse("sha256:0-7,13", &expect.pcrs, perr, sizeof(perr)),
			 0);
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	o.expect = &expect;
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), -EIO);
	server_stop(&s);
	assert_int_equal(cb.calls, 2);
	assert_non_null(strstr(err, "the test's evidence callback fails"));
	free(s.posted);
}

static void test_attest_contraindicated(void **state)
{
	struct server s;
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char url[64], err[512] = "";

	(void)state;
	server_start(&s, MODE_CONTRA);
	opts_for(&o, url, sizeof(url), s.port);
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), 0);
	server_stop(&s);
	assert_int_equal(out.status, TAO_STATUS_CONTRAINDICATED);
	assert_string_equal(out.reason, "quote: bad");
	assert_string_equal(out.device, "");
	assert_int_equal(out.attestation_id, 7);
	tao_attest_outcome_free(&out);
	free(s.posted);
}

static void expect_session(enum mode mode, int rc, const char *msg, int calls)
{
	struct server s;
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char url[64], err[512] = "";

	server_start(&s, mode);
	opts_for(&o, url, sizeof(url), s.port);
	if (mode == MODE_OTHER_CA)
		o.ca_file = ca_file; /* the server's certificate is from ca2 */
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), rc);
	server_stop(&s);
	print_message("mode %d: %s\n", (int)mode, err);
	if (!strstr(err, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err, msg);
	assert_int_equal(cb.calls, calls);
	assert_null(out.ear);
	free(s.posted);
}

static void test_attest_refusals(void **state)
{
	(void)state;
	/* The POST would go on a new connection: refused before anything is sent. */
	expect_session(MODE_CLOSE_AFTER_PARAMS, -EPIPE,
		       "the connection changed between params and evidence", 1);
	expect_session(MODE_TLS12, -EPROTO, "TLS: ", 0);
	expect_session(MODE_OTHER_CA, -EPROTO, "TLS: ", 0);
	expect_session(MODE_413, -E2BIG,
		       "the registrar answered 413 too_large: the body exceeds 9437184 bytes", 1);
	/* Not a server error to retry: the registrar does not do what was asked (taod: refused). */
	expect_session(MODE_501, -EOPNOTSUPP,
		       "the registrar answered 501: this registrar issues no LDevIDs", 1);
	expect_session(MODE_BIG, -EBADMSG, "exceeds 1048576 bytes", 0);
	/*
	 * TLS 1.3: the server's refusal of our certificate arrives after our handshake ended, as an
	 * alert (-EPROTO), or as a reset if the server's close overtakes it.
	 */
	{
		struct server s;
		struct tao_client_opts o = { 0 };
		struct tao_attest_outcome out;
		struct cb_state cb = { 0 };
		char url[64], err[512] = "";
		int rc;

		server_start(&s, MODE_UNTRUSTED_CLIENT);
		opts_for(&o, url, sizeof(url), s.port);
		rc = tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err));
		server_stop(&s);
		print_message("untrusted client: %s\n", err);
		assert_true(rc == -EPROTO || rc == -ECONNRESET);
		assert_int_equal(s.handshakes, 0);
		assert_int_equal(cb.calls, 0);
	}
	/*
	 * Refused as revoked or as expired (the registrar's alerts for an LDevID it no longer
	 * takes): errors of their own, so that a device knows to go back to its IDevID.
	 */
	for (int i = 0; i < 2; i++) {
		struct server s;
		struct tao_client_opts o = { 0 };
		struct tao_attest_outcome out;
		struct cb_state cb = { 0 };
		char url[64], err[512] = "", *body = NULL;
		int rc, want = i ? -EKEYEXPIRED : -EKEYREVOKED;

		server_start(&s, i ? MODE_CLIENT_EXPIRED : MODE_CLIENT_REVOKED);
		opts_for(&o, url, sizeof(url), s.port);
		rc = tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err));
		print_message("refused client: %s\n", err);
		assert_int_equal(rc, want);
		assert_non_null(strstr(err, i ? "certificate expired" : "certificate revoked"));
		assert_non_null(
			strstr(err, i ? "(the registrar refused this client certificate: it "
					"has expired)"
				      : "(the registrar refused this client certificate: it "
					"is revoked)"));
		assert_int_equal(cb.calls, 0);
		assert_null(out.ear);
		assert_int_equal(
			tao_client_get(&o, "/attest/v1/params", &body, NULL, err, sizeof(err)),
			want);
		assert_null(body);
		server_stop(&s);
		assert_int_equal(s.handshakes, 0);
	}
}

/* The HTTP/1.1 of the client: chunked bodies, the limits, a body cut short, a bad status line. */
static void test_http(void **state)
{
	struct cb_state cb = { 0 };
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct server s;
	char url[64], err[512] = "";

	(void)state;
	server_start(&s, MODE_CHUNKED);
	opts_for(&o, url, sizeof(url), s.port);
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), 0);
	server_stop(&s);
	assert_int_equal(s.connections, 1);
	assert_memory_equal(out.binder, s.binder, 32);
	assert_string_equal(s.posted, cb.text);
	assert_int_equal(out.status, TAO_STATUS_AFFIRMING);
	assert_int_equal(out.attestation_id, 42);
	tao_attest_outcome_free(&out);
	free(s.posted);

	expect_session(MODE_BIG_CHUNKED, -EBADMSG, "exceeds 1048576 bytes", 0);
	expect_session(MODE_BIG_HEADER, -EBADMSG, "header exceeds 16384 bytes", 0);
	expect_session(MODE_TRUNCATED, -EBADMSG, "the response is cut short", 0);
	expect_session(MODE_BAD_STATUS, -EBADMSG, "not an HTTP/1.x status line", 0);
	/* Closed after params without a word: seen before the POST (the evidence takes 100 ms). */
	{
		memset(&cb, 0, sizeof(cb));
		cb.delay_ms = 100;
		server_start(&s, MODE_CLOSE_QUIET);
		opts_for(&o, url, sizeof(url), s.port);
		assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
				 -EPIPE);
		server_stop(&s);
		print_message("close quiet: %s\n", err);
		assert_non_null(strstr(err, "the connection changed between params and evidence"));
		assert_null(s.posted);
		assert_int_equal(s.connections, 1);
	}
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A server that never answers: -ETIMEDOUT once opts->timeout_ms is over, not later. */
static void test_timeout(void **state)
{
	static const enum mode modes[] = { MODE_NO_TLS, MODE_NO_ANSWER };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct cb_state cb = { 0 };
		struct tao_client_opts o = { 0 };
		struct tao_attest_outcome out;
		struct server s;
		char url[64], err[512] = "", *body = NULL;
		double t;

		server_start(&s, modes[i]);
		opts_for(&o, url, sizeof(url), s.port);
		o.timeout_ms = 400;
		t = now_ms();
		assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
				 -ETIMEDOUT);
		t = now_ms() - t;
		print_message("timeout (%.0f ms): %s\n", t, err);
		/*
		 * Not a speed check: the deadline must not fire early, and must fire (the upper
		 * bound only tells "gave up" from "hung"; a loaded CI machine gets slack).
		 */
		assert_true(t >= 399 && t < 400 + 5000);
		assert_non_null(strstr(err, "timed out after 400 ms"));
		t = now_ms();
		assert_int_equal(
			tao_client_get(&o, "/attest/v1/params", &body, NULL, err, sizeof(err)),
			-ETIMEDOUT);
		t = now_ms() - t;
		assert_true(t >= 399 && t < 400 + 5000);
		assert_null(body);
		server_stop(&s);
		assert_int_equal(cb.calls, 0);
	}
}

/* The certificate names 127.0.0.1, not localhost: refused as TLS. */
static void test_host_mismatch(void **state)
{
	struct cb_state cb = { 0 };
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct server s;
	char url[64], err[512] = "";

	(void)state;
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	snprintf(url, sizeof(url), "https://localhost:%d/", s.port);
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)),
			 -EPROTO);
	server_stop(&s);
	print_message("localhost: %s\n", err);
	assert_non_null(strstr(err, "TLS: "));
	assert_non_null(strstr(err, "certificate verify failed"));
	assert_int_equal(s.handshakes, 0);
	assert_int_equal(cb.calls, 0);
}

static void test_attest_callback_fails(void **state)
{
	struct server s;
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { .fail_with = -EIO };
	char url[64], err[512] = "";

	(void)state;
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	assert_int_equal(tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err)), -EIO);
	server_stop(&s);
	assert_string_equal(err, "the test's evidence callback fails");
	assert_null(s.posted);
}

static void test_get(void **state)
{
	struct server s;
	struct tao_client_opts o = { 0 };
	struct tao_client_timing t;
	struct tao_attest_params p;
	char url[64], err[512] = "", *body = NULL;

	(void)state;
	server_start(&s, MODE_OK);
	opts_for(&o, url, sizeof(url), s.port);
	assert_int_equal(tao_client_get(&o, "/attest/v1/params", &body, &t, err, sizeof(err)), 200);
	assert_non_null(body);
	assert_int_equal(tao_attest_params_parse(body, strlen(body), &p, err, sizeof(err)), 0);
	free(body);
	body = NULL;
	assert_int_equal(tao_client_get(&o, "/nothing", &body, &t, err, sizeof(err)), 404);
	assert_non_null(strstr(body, "not_found"));
	free(body);
	server_stop(&s);
	assert_int_equal(s.connections, 2);
	assert_true(t.handshake > 0);
}

/* Put file text at path (a new file), or fail. */
static int put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/*
 * The child of test_dns_timeout, in namespaces of its own: 0 passed, 77 no namespaces here, 1
 * failed (what, on stderr).
 */
static int dns_child(const char *tmp)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(53),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ifreq ifr = { .ifr_name = "lo" };
	struct tao_client_opts o = { 0 };
	struct tao_attest_outcome out;
	struct cb_state cb = { 0 };
	char resolv[256], nss[256], url[128], err[512] = "", *body = NULL;
	int ns, fd, rc;
	double t;

	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
		return 77;
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", tmp);
	snprintf(nss, sizeof(nss), "%s/nsswitch.conf", tmp);
	/* A name server that takes the query and never answers, asked once for 30 s. */
	ns = socket(AF_INET, SOCK_DGRAM, 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    put_file(resolv, "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n") ||
	    put_file(nss, "hosts: files dns\n") ||
	    mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0 ||
	    mount(nss, "/etc/nsswitch.conf", NULL, MS_BIND, NULL) < 0 || ns < 0 || fd < 0 ||
	    ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		fprintf(stderr, "dns_child: setting up the namespace: %s\n", strerror(errno));
		return 1;
	}
	ifr.ifr_flags |= IFF_UP; /* lo, for the name server on 127.0.0.1 */
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 || bind(ns, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "dns_child: lo and the name server: %s\n", strerror(errno));
		return 1;
	}
	snprintf(url, sizeof(url), "https://registrar.tao-dns-test:8443/");
	o.url = url;
	o.ca_file = ca_file;
	o.cert_file = client_file;
	o.key = client_key;
	o.timeout_ms = 400;
	t = now_ms();
	rc = tao_client_attest(&o, make_evidence, &cb, &out, err, sizeof(err));
	t = now_ms() - t;
	fprintf(stderr, "dns (%.0f ms): %s\n", t, err);
	/* As in test_timeout: not early, and given up (not hung for the resolver's 30 s). */
	if (rc != -ETIMEDOUT || t < 399 || t >= 400 + 5000 ||
	    !strstr(err, "resolving registrar.tao-dns-test: no answer within the 400 ms timeout") ||
	    cb.calls) {
		fprintf(stderr, "dns_child: attest: rc %d after %.0f ms\n", rc, t);
		return 1;
	}
	/* Again (the first lookup still hangs in its thread), through the GET. */
	t = now_ms();
	rc = tao_client_get(&o, "/attest/v1/params", &body, NULL, err, sizeof(err));
	t = now_ms() - t;
	if (rc != -ETIMEDOUT || t < 399 || t >= 400 + 5000 || body) {
		fprintf(stderr, "dns_child: get: rc %d after %.0f ms: %s\n", rc, t, err);
		return 1;
	}
	/* A name the resolver does answer (from the hosts file): the lookup's success path. */
	snprintf(url, sizeof(url), "https://localhost:1/");
	rc = tao_client_get(&o, "/attest/v1/params", &body, NULL, err, sizeof(err));
	if (rc != -ECONNREFUSED && rc != -EHOSTUNREACH) {
		fprintf(stderr, "dns_child: localhost: rc %d: %s\n", rc, err);
		return 1;
	}
	close(ns);
	close(fd);
	return 0;
}

/* A name server that never answers: the lookup ends at the session's deadline too. */
static void test_dns_timeout(void **state)
{
	char tmp[] = "/tmp/tao-test-dns.XXXXXX", path[64];
	int status = 0;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(dns_child(tmp));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	snprintf(path, sizeof(path), "%s/resolv.conf", tmp);
	unlink(path);
	snprintf(path, sizeof(path), "%s/nsswitch.conf", tmp);
	unlink(path);
	rmdir(tmp);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("no network and mount namespaces here (not root?)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_valid),
		cmocka_unit_test(test_params_bad),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_bad_opts),
		cmocka_unit_test(test_attest_ok),
		cmocka_unit_test(test_attest_early),
		cmocka_unit_test(test_attest_contraindicated),
		cmocka_unit_test(test_attest_refusals),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_host_mismatch),
		cmocka_unit_test(test_attest_callback_fails),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_dns_timeout),
	};

	/* The test server writes with SSL_write() on a plain socket: a client gone is EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
