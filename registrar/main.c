// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tao-registrar: the owner's onboarding service (docs/registrar.md).
 *
 *   tao-registrar init DIR [--manufacturer-ca FILE] [--policy FILE] [--listen ADDR:PORT]
 *                          [--server-name NAME]...
 *   tao-registrar [-c FILE] [run]
 *   tao-registrar check [-c FILE]
 */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "ldevid.h"
#include "rlog.h"
#include "scim_http.h"
#include "server.h"
#include "store.h"
#include "tao_devid.h"
#include "tao_policy.h"
#include "tao_util.h"
#include "tao_verifier.h"

#define DEFAULT_CONFIG "/etc/tao/registrar.conf"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"Usage: tao-registrar [-c FILE] [run]\n"
	"       tao-registrar check [-c FILE]\n"
	"       tao-registrar token create NAME [--role operator|installer] [--tenant T] [-c "
	"FILE]\n"
	"       tao-registrar token list [-c FILE] [--json]\n"
	"       tao-registrar token revoke NAME [-c FILE]\n"
	"       tao-registrar ldevid revoke DEVICE-SERIAL|CERT-SERIAL [-c FILE]\n"
	"       tao-registrar init DIR [--manufacturer-ca FILE] [--policy FILE]\n"
	"                              [--listen ADDR:PORT] [--server-name NAME]...\n"
	"\n"
	"The owner's onboarding service: verifies TPM evidence bound to the TLS session it\n"
	"arrives on, and keeps every device's state.\n"
	"\n"
	"Commands:\n"
	"  run     serve (the default) until SIGTERM or SIGINT\n"
	"  check   load the configuration and everything it names, then exit\n"
	"  init    make a working setup in DIR: registrar.conf, an operator CA, a server\n"
	"          certificate (for localhost unless --server-name), the manufacturer CAs, a\n"
	"          policy, the database\n"
	"  token   bearer tokens of the SCIM API: create prints a new token once (only its\n"
	"          hash is stored); an installer's token is limited to its --tenant\n"
	"  ldevid  revoke the LDevIDs issued to a device (by its serial number), or one\n"
	"          LDevID certificate (by its serial number in hex): the registrar refuses\n"
	"          it in the TLS handshake from then on\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE        the configuration (default " DEFAULT_CONFIG ")\n"
	"  -h, --help               this help\n"
	"  -V, --version            the version\n"
	"\n"
	"init options:\n"
	"  --manufacturer-ca FILE   the CA certificates (PEM) of device identities; without\n"
	"                           it, init makes a simulated factory CA in DIR/factory-ca\n"
	"                           for `taoctl provision --factory --ca DIR/factory-ca`\n"
	"  --policy FILE            the policy (docs/protocol.md section 4); default: the\n"
	"                           module's own events, no reference PCR values\n"
	"  --listen ADDR:PORT       where to listen (default 127.0.0.1:8443)\n"
	"  --server-name NAME       a name devices reach the registrar by, for the server\n"
	"                           certificate; repeatable, the first is its CN. An IPv4 or\n"
	"                           IPv6 address is an IP name, anything else a DNS name.\n"
	"                           Default: localhost, 127.0.0.1 and ::1 (a device in a\n"
	"                           qemu user-mode VM: --server-name 10.0.2.2)\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error. Documentation: docs/registrar.md.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tao-registrar: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'tao-registrar --help'.\n", stderr);
	return EXIT_USAGE;
}

static int die(const char *what, const char *err)
{
	fprintf(stderr, "tao-registrar: %s: %s\n", what, err);
	return EXIT_RUNTIME;
}

static int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -ENAMETOOLONG;
}

/* The default policy: the events the module itself writes, no reference PCR values. */
static const char default_policy[] =
	"{\n"
	"  \"tao_policy\": 1,\n"
	"  \"pcrs\": [],\n"
	"  \"events\": [\n"
	"    { \"type\": 4294901761, \"name\": \"tao\" },\n"
	"    { \"type\": 4294901762, \"name\": \"key-bind:iak\" },\n"
	"    { \"type\": 4294901762, \"name\": \"key-bind:idevid\" },\n"
	"    { \"type\": 4294901762, \"name\": \"key-bind:ldevid\" }\n"
	"  ]\n"
	"}\n";

static int write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc;

	if (!b || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(b);
		return snprintf(err, errlen, "encoding the server key"), -ENOMEM;
	}
	n = BIO_get_mem_data(b, &data);
	rc = tao_write_atomic(path, data, (size_t)n, 0600);
	if (rc < 0)
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	BIO_free(b);
	return rc;
}

/* The server certificate's names: --server-name, in order. */
#define MAX_SERVER_NAMES 16
#define MAX_CN_BYTES	 64 /* ub-common-name */

struct server_names {
	size_t n;
	const char *name[MAX_SERVER_NAMES];
	bool ip[MAX_SERVER_NAMES];
	uint8_t addr[MAX_SERVER_NAMES][16]; /* an IP name's address (4 or 16 bytes) */
	int family[MAX_SERVER_NAMES];
};

/* A DNS host name (RFC 1123): dot-separated labels of letters, digits and '-'. */
static int check_dns_name(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), start = 0;
	bool digits = true;

	if (len > 253)
		return snprintf(err, errlen, "'%.64s...': longer than 253 bytes", name), -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.' || c == '\0') {
			if (i == start)
				return snprintf(err, errlen, "'%s': an empty label", name), -EINVAL;
			if (i - start > 63)
				return snprintf(err, errlen, "'%s': a label longer than 63 bytes",
						name),
				       -EINVAL;
			if (name[start] == '-' || name[i - 1] == '-')
				return snprintf(err, errlen,
						"'%s': a label that starts or ends with '-'", name),
				       -EINVAL;
			digits = true;
			for (size_t k = start; k < i; k++)
				digits = digits && isdigit((unsigned char)name[k]);
			start = i + 1;
			continue;
		}
		if (!isalnum(c) && c != '-') {
			if (isprint(c))
				snprintf(
					err, errlen,
					"'%s': '%c' is not allowed in a DNS name (letters, digits, "
					"'-' and '.'; no wildcards)",
					name, c);
			else
				snprintf(err, errlen,
					 "'%s': byte 0x%02x is not allowed in a DNS name (letters, "
					 "digits, '-' and '.')",
					 name, c);
			return -EINVAL;
		}
	}
	/* The last label's digits: an IPv4 address gone wrong, never a host name. */
	if (digits)
		return snprintf(
			       err, errlen,
			       "'%s': not an IPv4 address (four decimal numbers 0..255), and not a "
			       "DNS name (its last label is numeric)",
			       name),
		       -EINVAL;
	return 0;
}

/* Add --server-name name to sn: an IP name for an address literal, or else a DNS name. */
static int add_server_name(struct server_names *sn, const char *name, char *err, size_t errlen)
{
	size_t i = sn->n;
	int rc;

	if (i == MAX_SERVER_NAMES)
		return snprintf(err, errlen, "'%s': more than %d names", name, MAX_SERVER_NAMES),
		       -EINVAL;
	if (!name[0])
		return snprintf(err, errlen, "'': an empty name"), -EINVAL;
	if (name[0] == '[')
		return snprintf(err, errlen, "'%s': give an IPv6 address without brackets", name),
		       -EINVAL;
	sn->name[i] = name;
	if (strchr(name, ':')) {
		if (inet_pton(AF_INET6, name, sn->addr[i]) != 1)
			return snprintf(err, errlen, "'%s': not an IPv6 address", name), -EINVAL;
		sn->family[i] = AF_INET6;
		sn->ip[i] = true;
	} else if (inet_pton(AF_INET, name, sn->addr[i]) == 1) {
		sn->family[i] = AF_INET;
		sn->ip[i] = true;
	} else if ((rc = check_dns_name(name, err, errlen)) < 0) {
		return rc;
	}
	if (i == 0 && strlen(name) > MAX_CN_BYTES)
		return snprintf(err, errlen,
				"'%.64s...': the first name is the certificate's CN, at most %d "
				"bytes",
				name, MAX_CN_BYTES),
		       -EINVAL;
	for (size_t k = 0; k < i; k++)
		if (sn->ip[k] == sn->ip[i] &&
		    (sn->ip[i] ? sn->family[k] == sn->family[i] &&
					 !memcmp(sn->addr[k], sn->addr[i],
						 sn->family[i] == AF_INET ? 4 : 16)
			       : !strcasecmp(sn->name[k], name)))
			return snprintf(err, errlen, "'%s' is given twice (as '%s')", name,
					sn->name[k]),
			       -EINVAL;
	sn->n++;
	return 0;
}

/* "DNS:a,IP:b" for OpenSSL, and "a, b" for people; the defaults without names. */
static int server_name_strings(const struct server_names *sn, char *san, size_t sanlen, char *list,
			       size_t listlen)
{
	size_t a = 0, b = 0;

	if (!sn->n) {
		snprintf(san, sanlen, "DNS:localhost,IP:127.0.0.1,IP:::1");
		snprintf(list, listlen, "localhost, 127.0.0.1, ::1");
		return 0;
	}
	san[0] = list[0] = '\0';
	for (size_t i = 0; i < sn->n; i++) {
		int x = snprintf(san + a, sanlen - a, "%s%s:%s", i ? "," : "",
				 sn->ip[i] ? "IP" : "DNS", sn->name[i]);
		int y = snprintf(list + b, listlen - b, "%s%s", i ? ", " : "", sn->name[i]);

		if (x < 0 || (size_t)x >= sanlen - a || y < 0 || (size_t)y >= listlen - b)
			return -ENAMETOOLONG;
		a += (size_t)x;
		b += (size_t)y;
	}
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manufacturer-ca", required_argument, NULL, 'm' },
		{ "policy", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "server-name", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *man = NULL, *policy = NULL, *listen = "127.0.0.1:8443", *dir;
	char path[PATH_MAX], ca_dir[PATH_MAX], err[PATH_MAX + 512];
	char san[MAX_SERVER_NAMES * 264], names[MAX_SERVER_NAMES * 256];
	struct server_names sn = { 0 };
	EVP_PKEY *ca_key = NULL, *srv_key = NULL;
	X509 *ca_cert = NULL, *srv_cert = NULL;
	struct tao_policy *pol = NULL;
	struct tao_store *store = NULL;
	X509_STORE *trust = NULL;
	char *text = NULL, *ptext = NULL;
	size_t len, plen = 0;
	bool created, factory = false;
	int c, rc = EXIT_RUNTIME;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			man = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			if (add_server_name(&sn, optarg, err, sizeof(err)) < 0)
				return usage_error("init: --server-name %s", err);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("init: %s needs an argument", argv[optind - 1]);
		default:
			return usage_error("init: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("init: give exactly one directory");
	dir = argv[optind];
	if (server_name_strings(&sn, san, sizeof(san), names, sizeof(names)) < 0)
		return usage_error("init: the --server-names are too long together");
	if (path_join(path, sizeof(path), dir, "registrar.conf") < 0)
		return die("init", "the directory name is too long");
	if (access(path, F_OK) == 0)
		return fprintf(stderr,
			       "tao-registrar: init: %s exists: %s is set up already (nothing "
			       "changed)\n",
			       path, dir),
		       EXIT_RUNTIME;

	/* Inputs first, so that a bad one changes (and creates) nothing. */
	if (man) {
		if ((rc = tao_trust_load(man, &trust, err, sizeof(err))) < 0)
			return die("init: --manufacturer-ca", err);
		if ((rc = tao_read_file(man, 1u << 20, &text, &len)) < 0)
			return die("init: --manufacturer-ca", strerror(-rc));
	}
	X509_STORE_free(trust);
	trust = NULL;
	if (policy) {
		pol = calloc(1, sizeof(*pol));
		if (!pol || (rc = tao_read_file(policy, 1u << 20, &ptext, &plen)) < 0) {
			free(text);
			free(pol);
			return die("init: --policy", rc < 0 ? strerror(-rc) : "out of memory");
		}
		rc = tao_policy_parse(ptext, plen, pol, err, sizeof(err));
		if (rc == 0)
			tao_policy_free(pol);
		free(pol);
		if (rc < 0) {
			free(ptext);
			free(text);
			return die("init: --policy", err);
		}
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		free(ptext);
		free(text);
		return fprintf(stderr, "tao-registrar: init: creating %s: %s\n", dir,
			       strerror(-rc)),
		       EXIT_RUNTIME;
	}
	path_join(path, sizeof(path), dir, "policy.json");
	if (policy) {
		rc = tao_write_atomic(path, ptext, plen, 0644);
		free(ptext);
	} else {
		rc = tao_write_atomic(path, default_policy, strlen(default_policy), 0644);
	}
	if (rc < 0) {
		free(text);
		return die("init: writing policy.json", strerror(-rc));
	}

	/* Manufacturer CAs: the given ones, or a simulated factory's. */
	path_join(path, sizeof(path), dir, "manufacturer-ca.pem");
	if (man) {
		rc = tao_write_atomic(path, text, len, 0644);
		free(text);
		if (rc < 0)
			return die("init: writing manufacturer-ca.pem", strerror(-rc));
	} else {
		factory = true;
		path_join(ca_dir, sizeof(ca_dir), dir, "factory-ca");
		if (tao_ca_load_or_create(ca_dir, &ca_key, &ca_cert, &created, err, sizeof(err)) <
			    0 ||
		    tao_pem_write_certs(path, &ca_cert, 1, err, sizeof(err)) < 0) {
			EVP_PKEY_free(ca_key);
			X509_free(ca_cert);
			return die("init: the simulated factory CA", err);
		}
		EVP_PKEY_free(ca_key);
		X509_free(ca_cert);
	}

	/* The operator CA and the server certificate it issues for the names (localhost). */
	path_join(ca_dir, sizeof(ca_dir), dir, "operator-ca");
	if (tao_ca_load_or_create_named(ca_dir, "tao registrar", "tao operator CA", &ca_key,
					&ca_cert, &created, err, sizeof(err)) < 0)
		return die("init: the operator CA", err);
	srv_key = EVP_EC_gen("P-256");
	if (!srv_key ||
	    tao_server_cert_issue(ca_key, ca_cert, srv_key, sn.n ? sn.name[0] : "localhost", san,
				  825, &srv_cert, err, sizeof(err)) < 0) {
		rc = -EINVAL;
		goto out;
	}
	path_join(path, sizeof(path), dir, "server.key");
	if (write_key(path, srv_key, err, sizeof(err)) < 0)
		goto out;
	path_join(path, sizeof(path), dir, "server.pem");
	if (tao_pem_write_certs(path, &srv_cert, 1, err, sizeof(err)) < 0)
		goto out;

	path_join(path, sizeof(path), dir, "registrar.db");
	if (tao_store_open(path, &store, err, sizeof(err)) < 0)
		goto out;
	tao_store_close(store);

	path_join(path, sizeof(path), dir, "registrar.conf");
	if (reg_config_write_default(path, listen, err, sizeof(err)) < 0)
		goto out;
	{
		struct reg_config *cfg = malloc(sizeof(*cfg));

		rc = cfg ? reg_config_load(path, cfg, err, sizeof(err)) : -ENOMEM;
		free(cfg);
		if (rc < 0) {
			unlink(path);
			goto out;
		}
	}
	printf("initialised %s\n", dir);
	printf("  configuration     %s/registrar.conf (listen %s)\n", dir, listen);
	printf("  operator CA       %s/operator-ca/ca.pem  <- devices pin this (--ca)\n", dir);
	printf("  server            %s/server.pem, server.key (%s)\n", dir, names);
	if (factory)
		printf("  manufacturer CA   %s/factory-ca (simulated factory: taoctl provision "
		       "--factory --ca %s/factory-ca)\n",
		       dir, dir);
	else
		printf("  manufacturer CA   %s/manufacturer-ca.pem (from %s)\n", dir, man);
	printf("  policy            %s/policy.json\n", dir);
	printf("  database          %s/registrar.db\n", dir);
	printf("run: tao-registrar -c %s/registrar.conf\n", dir);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "tao-registrar: init: %s\n", err);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	X509_free(ca_cert);
	X509_free(srv_cert);
	return rc ? EXIT_RUNTIME : 0;
}

static int print_token(const struct tao_store_token *t, void *arg)
{
	struct json_object *arr = arg, *o;

	if (!arr) {
		printf("%-24s %-10s %-16s %s\n", t->name, t->role, t->tenant[0] ? t->tenant : "-",
		       t->revoked ? "revoked" : "active");
		return 0;
	}
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "role", json_object_new_string(t->role));
	json_object_object_add(o, "tenant", json_object_new_string(t->tenant));
	json_object_object_add(o, "created", json_object_new_int64(t->created));
	json_object_object_add(o, "revoked", t->revoked ? json_object_new_int64(t->revoked) : NULL);
	json_object_array_add(arr, o);
	return 0;
}

static bool token_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len < 1 || len > 63)
		return false;
	for (const char *p = n; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("-_.@", *p)))
			return false;
	return true;
}

static int cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "role", required_argument, NULL, 'r' },
		{ "tenant", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG, *role = "operator", *tenant = "", *sub, *name = NULL;
	struct reg_config *cfg = NULL;
	struct tao_store *store = NULL;
	struct json_object *arr = NULL;
	char err[1024], token[80];
	unsigned char hash[32];
	bool json = false;
	int c, rc = EXIT_RUNTIME;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:r:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 't':
			tenant = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("token: %s needs an argument", argv[optind - 1]);
		default:
			return usage_error("token: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("token: create, list or revoke?");
	sub = argv[optind++];
	if (strcmp(sub, "list") != 0) {
		if (optind >= argc)
			return usage_error("token %s: give the token's NAME", sub);
		name = argv[optind++];
		if (!token_name_ok(name))
			return usage_error("token: NAME '%s' is 1 to 63 letters, digits or -_.@",
					   name);
	}
	if (optind < argc)
		return usage_error("token: unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
		return usage_error("token: unknown command '%s' (create, list, revoke)", sub);
	if (strcmp(role, "operator") && strcmp(role, "installer"))
		return usage_error("token: --role is operator or installer, not '%s'", role);
	if (!strcmp(role, "installer") != !!*tenant)
		return usage_error("token: %s", *tenant ? "--tenant goes with --role installer"
							: "an installer's token needs --tenant");
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return EXIT_RUNTIME;
	if (reg_config_load(config, cfg, err, sizeof(err)) < 0 ||
	    tao_store_open(cfg->database, &store, err, sizeof(err)) < 0) {
		free(cfg);
		return die("token", err);
	}
	if (!strcmp(sub, "create")) {
		if (scim_token_new(token, sizeof(token), hash) < 0)
			snprintf(err, sizeof(err), "no randomness for a token");
		else if (tao_store_token_add(store, name, hash, role, tenant, (int64_t)time(NULL),
					     err, sizeof(err)) == 0) {
			if (json)
				printf("{\"name\": \"%s\", \"role\": \"%s\", \"tenant\": \"%s\", "
				       "\"token\": \"%s\"}\n",
				       name, role, tenant, token);
			else
				printf("%s\n", token);
			if (!json && isatty(1))
				fprintf(stderr,
					"tao-registrar: token %s (%s): shown once, store it "
					"now; only its hash is kept\n",
					name, role);
			rc = 0;
		}
		OPENSSL_cleanse(token, sizeof(token));
	} else if (!strcmp(sub, "revoke")) {
		if (tao_store_token_revoke(store, name, (int64_t)time(NULL), err, sizeof(err)) ==
		    0) {
			printf("revoked %s\n", name);
			rc = 0;
		}
	} else {
		arr = json ? json_object_new_array() : NULL;
		if (tao_store_token_list(store, print_token, arr, err, sizeof(err)) >= 0) {
			if (json)
				puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
			rc = 0;
		}
		json_object_put(arr);
	}
	tao_store_close(store);
	free(cfg);
	if (rc)
		return die("token", err);
	return 0;
}

static int cmd_ldevid(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG, *what;
	struct reg_config *cfg;
	struct tao_store *store = NULL;
	char err[1024], hex[130];
	int c, n, rc = EXIT_RUNTIME;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("ldevid: %s needs an argument", argv[optind - 1]);
		default:
			return usage_error("ldevid: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc || strcmp(argv[optind], "revoke") != 0)
		return usage_error("ldevid: the command is 'ldevid revoke SERIAL'");
	if (++optind >= argc)
		return usage_error("ldevid revoke: give a device serial or a certificate serial");
	what = argv[optind++];
	if (optind < argc)
		return usage_error("ldevid: unexpected argument '%s'", argv[optind]);
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return EXIT_RUNTIME;
	if (reg_config_load(config, cfg, err, sizeof(err)) < 0 ||
	    tao_store_open(cfg->database, &store, err, sizeof(err)) < 0) {
		free(cfg);
		return die("ldevid", err);
	}
	/* A device serial first (every valid LDevID of it), then a certificate's serial. */
	n = tao_store_ldevid_revoke_device(store, what, (int64_t)time(NULL), err, sizeof(err));
	if (n > 0) {
		printf("revoked %d LDevID certificate%s of device %s\n", n, n == 1 ? "" : "s",
		       what);
		rc = 0;
	} else if (n == 0 && reg_serial_hex_canon(what, hex, sizeof(hex)) == 0) {
		n = tao_store_ldevid_revoke_cert(store, hex, (int64_t)time(NULL), err, sizeof(err));
		if (n == 0) {
			printf("revoked LDevID certificate %s\n", hex);
			rc = 0;
		}
	} else if (n == 0) {
		snprintf(err, sizeof(err),
			 "'%s' is no device with a valid LDevID, nor a certificate serial number "
			 "(hex)",
			 what);
	}
	tao_store_close(store);
	free(cfg);
	if (rc)
		return die("ldevid revoke", err);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG, *cmd = "run";
	struct reg_config *cfg;
	char err[1024];
	int c, rc;

	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "token") == 0)
		return cmd_token(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "ldevid") == 0)
		return cmd_ldevid(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, ":c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			puts("tao-registrar " TAO_VERSION);
			return 0;
		case ':':
			return usage_error("%s needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0)
		return usage_error("unknown command '%s' (run, check, init)", cmd);
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return EXIT_RUNTIME;
	rc = reg_config_load(config, cfg, err, sizeof(err));
	if (rc < 0) {
		free(cfg);
		return die("configuration", err);
	}
	rlog_init((enum rlog_level)cfg->log_level, -1);
	if (strcmp(cmd, "check") == 0) {
		/* Everything run loads, without listening. */
		rc = reg_server_check(cfg, err, sizeof(err));
		free(cfg);
		if (rc < 0)
			return die(config, err);
		printf("%s: valid\n", config);
		return 0;
	}
	rc = reg_server_run(cfg, err, sizeof(err));
	free(cfg);
	if (rc < 0)
		return die("cannot start", err);
	return 0;
}
