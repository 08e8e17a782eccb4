// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tlsprobe: a TLS 1.3 client whose key is the TPM key at a persistent handle (through libtao's
 * "tao-tpm" provider, tao_tls_key.h) or, for comparison, a software key from a PEM file. Runs in
 * the VM (tests/vm/tests/tls_tpm_key.sh).
 *
 *   tlsprobe --connect HOST:PORT --ca FILE --cert FILE [--handle H | --key FILE]
 *            [--count N] [--tls12]
 *
 * Per handshake it prints "key: value" lines: handshake, version, cipher, peer, binder, ekm,
 * tpm_signs (TPM2_Sign commands during this handshake), sw_digests, digest_provider, hashing,
 * ms; at the end "summary: N handshakes, mean MS ms". --tls12 only *allows* TLS 1.2 (to show
 * that the binder refuses it); by default anything below TLS 1.3 is refused. Exit 0 when every
 * handshake succeeded, 1 when one failed, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tao_binder.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"

static void hex(const char *what, const uint8_t *b, size_t n)
{
	printf("%s: ", what);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res))
		return -1;
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One connection: handshake, report, close. Returns 0 or 1; *ms is the handshake's time. */
static int one(SSL_CTX *ctx, const char *host, const char *port, bool tls12, double *ms)
{
	unsigned long signs0 = tao_tls_key_tpm_signs(), dig0 = tao_tls_key_sw_digests();
	unsigned long ns0 = tao_tls_key_tpm_ns();
	uint8_t binder[TAO_BINDER_LEN], ekm[TAO_BINDER_LEN];
	const char *dp;
	double t0 = now_ms();
	int fd = tcp_connect(host, port), r;
	SSL *ssl;

	if (fd < 0) {
		printf("handshake: failed (cannot connect to %s:%s)\n", host, port);
		return 1;
	}
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd))
		goto fail;
	/* The server's name (or address) must be in its certificate. */
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1 &&
	    (!SSL_set1_host(ssl, host) || !SSL_set_tlsext_host_name(ssl, host)))
		goto fail;
	if (SSL_connect(ssl) != 1)
		goto fail;
	*ms = now_ms() - t0;
	printf("handshake: ok\n");
	printf("version: %s\n", SSL_get_version(ssl));
	printf("cipher: %s\n", SSL_get_cipher_name(ssl));
	printf("peer: %s\n", SSL_get_verify_result(ssl) == X509_V_OK ? "verified" : "NOT verified");
	r = tao_binder_compute_cert(ssl, SSL_get_certificate(ssl), binder);
	if (r == 0 && tao_binder_ekm(ssl, ekm) == 0) {
		hex("binder", binder, sizeof(binder));
		hex("ekm", ekm, sizeof(ekm));
	} else {
		printf("binder: refused (%s)\n", strerror(-r));
	}
	printf("tpm_signs: %lu\n", tao_tls_key_tpm_signs() - signs0);
	printf("sw_digests: %lu\n", tao_tls_key_sw_digests() - dig0);
	dp = tao_tls_key_digest_provider();
	printf("digest_provider: %s\n", dp ? dp : "-");
	/* The provider implements no digest at all; what it hashes, the default provider does. */
	printf("hashing: %s\n", !dp || !strcmp(dp, "default") ? "software" : "NOT software");
	printf("tpm_ms: %.3f\n", (tao_tls_key_tpm_ns() - ns0) / 1e6);
	printf("ms: %.3f\n", *ms);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	/* The binder's refusal is the expected outcome when TLS 1.2 was allowed on purpose. */
	return r == 0 || tls12 ? 0 : 1;
fail:
	printf("handshake: failed\n");
	printf("tpm_signs: %lu\n", tao_tls_key_tpm_signs() - signs0);
	ERR_print_errors_fp(stdout);
	SSL_free(ssl);
	close(fd);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: tlsprobe --connect HOST:PORT --ca FILE --cert FILE "
			"[--handle H | --key FILE] [--count N] [--tls12]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'C' },
		{ "handle", required_argument, NULL, 'H' },
		{ "key", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' },
		{ "tls12", no_argument, NULL, '2' },
		{ NULL, 0, NULL, 0 },
	};
	const char *connect_to = NULL, *ca = NULL, *cert = NULL, *keyfile = NULL;
	char host[256], err[256] = "", *port;
	uint32_t handle = TAO_HANDLE_IDEVID;
	struct tao_esys *e = NULL;
	EVP_PKEY *key = NULL;
	SSL_CTX *ctx = NULL;
	bool tls12 = false;
	int count = 1, c, failed = 0;
	double total = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			connect_to = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'H':
			handle = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case '2':
			tls12 = true;
			break;
		default:
			return usage();
		}
	}
	if (!connect_to || !ca || !cert || count < 1 || strlen(connect_to) >= sizeof(host))
		return usage();
	strcpy(host, connect_to);
	port = strrchr(host, ':');
	if (!port)
		return usage();
	*port++ = '\0';

	if (keyfile) {
		FILE *f = fopen(keyfile, "r");

		key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (!key) {
			fprintf(stderr, "tlsprobe: cannot read the key %s\n", keyfile);
			return 1;
		}
	} else if (tao_esys_open(&e, err, sizeof(err)) ||
		   tao_tls_key_load(e, handle, &key, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe: %s\n", err);
		tao_esys_close(e);
		return 1;
	}
	printf("key: %s\n", tao_tls_key_is_tpm(key) ? "tpm" : "software");

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, tls12 ? TLS1_2_VERSION : TLS1_3_VERSION) ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "tlsprobe: cannot set up the TLS context (%s, %s)\n", ca, cert);
		ERR_print_errors_fp(stderr);
		failed = 1;
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* Full handshakes only: no session resumption. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	for (int i = 0; i < count; i++) {
		double ms = 0;

		if (one(ctx, host, port, tls12, &ms))
			failed = 1;
		total += ms;
	}
	printf("summary: %d handshakes, mean %.3f ms, TPM signing mean %.3f ms\n", count,
	       total / count, tao_tls_key_tpm_ns() / 1e6 / count);
out:
	SSL_CTX_free(ctx);
	EVP_PKEY_free(key);
	tao_esys_close(e);
	return failed;
}
