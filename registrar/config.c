// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* registrar.conf with libinih: strict keys, precise errors. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "rlog.h"
#include "tao_devid.h"
#include "tao_ini.h"

enum kind { K_PATH, K_PATH_OPT, K_UINT, K_SIZE, K_LISTEN, K_PCRS, K_LEVEL, K_BOOL, K_NAME };

struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
	unsigned long long min, max; /* K_UINT, K_SIZE */
};

#define F(m) offsetof(struct reg_config, m)
static const struct key keys[] = {
	{ "server", "listen", K_LISTEN, 0, 0, 0 },
	{ "server", "certificate", K_PATH, F(certificate), 0, 0 },
	{ "server", "key", K_PATH, F(key), 0, 0 },
	{ "server", "max_connections", K_UINT, F(max_connections), 1, 100000 },
	{ "server", "max_body_bytes", K_SIZE, F(max_body_bytes), 1024, 64ull << 20 },
	{ "server", "max_header_bytes", K_SIZE, F(max_header_bytes), 512, 1u << 20 },
	{ "server", "request_timeout", K_UINT, F(request_timeout), 1, 3600 },
	{ "server", "idle_timeout", K_UINT, F(idle_timeout), 1, 86400 },
	{ "trust", "manufacturer_ca", K_PATH, F(manufacturer_ca), 0, 0 },
	{ "trust", "operator_ca", K_PATH, F(operator_ca), 0, 0 },
	{ "trust", "operator_key", K_PATH, F(operator_key), 0, 0 },
	{ "attestation", "pcrs", K_PCRS, 0, 0, 0 },
	{ "attestation", "policy", K_PATH_OPT, F(policy), 0, 0 },
	{ "scim", "self_enroll", K_BOOL, F(self_enroll), 0, 0 },
	{ "scim", "self_enroll_tenant", K_NAME, F(self_enroll_tenant), 0, 63 },
	{ "scim", "ldevid_days", K_UINT, F(ldevid_days), 1, 36500 },
	{ "store", "database", K_PATH, F(database), 0, 0 },
	{ "log", "level", K_LEVEL, 0, 0, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* A CA certificate a [tenant] section named, kept until the whole file is read. */
struct tenant_ca {
	X509 *cert;
	size_t tenant;
	int line;
	char *path;
};

struct parse {
	struct reg_config *c;
	char dir[PATH_MAX];
	bool seen[NKEYS];
	char err[1024];
	int line;
	FILE *f;
	/* [tenant NAME] sections */
	int tenant_line[REG_MAX_TENANTS]; /* the line of each tenant's first key */
	bool tenant_self_enroll_seen[REG_MAX_TENANTS];
	struct tenant_ca *cas;
	size_t n_cas;
};

static int fail(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err[0])
		return 0; /* keep the first */
	n = snprintf(p->err, sizeof(p->err), "%s:%d: ", p->c->path, line);
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

static bool parse_ull(const char *v, unsigned long long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static int set_path(struct parse *p, int line, const struct key *k, const char *v, bool opt)
{
	char *dst = (char *)p->c + k->off;
	int n;

	if (!*v) {
		if (opt) {
			*dst = '\0';
			return 1;
		}
		return fail(p, line, "[%s] %s: a path is required", k->section, k->name);
	}
	n = v[0] == '/' ? snprintf(dst, PATH_MAX, "%s", v)
			: snprintf(dst, PATH_MAX, "%s/%s", p->dir, v);
	if (n >= PATH_MAX)
		return fail(p, line, "[%s] %s: the path is too long", k->section, k->name);
	return 1;
}

static int set_listen(struct parse *p, int line, const char *v)
{
	struct reg_config *c = p->c;
	const char *colon = strrchr(v, ':');
	unsigned long long port;
	unsigned char buf[16];
	size_t hl;

	if (!colon || !parse_ull(colon + 1, &port) || port > 65535)
		return fail(
			p, line,
			"[server] listen: '%s' is not ADDRESS:PORT (127.0.0.1:8443, [::1]:8443)",
			v);
	hl = (size_t)(colon - v);
	if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
		v++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(c->listen_host))
		return fail(p, line, "[server] listen: no address in '%s'", v);
	memcpy(c->listen_host, v, hl);
	c->listen_host[hl] = '\0';
	if (inet_pton(AF_INET, c->listen_host, buf) != 1 &&
	    inet_pton(AF_INET6, c->listen_host, buf) != 1)
		return fail(p, line, "[server] listen: '%s' is not an IPv4 or IPv6 address",
			    c->listen_host);
	c->listen_port = (uint16_t)port;
	return 1;
}

static void subject_of(X509 *x, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	if (b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* The tenant of that name, added when new; NULL (failed) when there are too many. */
static struct reg_tenant *tenant_get(struct parse *p, int line, const char *name, size_t *idx)
{
	struct reg_config *c = p->c;

	for (size_t i = 0; i < c->n_tenants; i++)
		if (strcmp(c->tenants[i].name, name) == 0)
			return *idx = i, &c->tenants[i];
	if (c->n_tenants == REG_MAX_TENANTS) {
		fail(p, line, "[tenant %s]: more than %d tenants", name, REG_MAX_TENANTS);
		return NULL;
	}
	*idx = c->n_tenants++;
	snprintf(c->tenants[*idx].name, sizeof(c->tenants[*idx].name), "%s", name);
	p->tenant_line[*idx] = line;
	return &c->tenants[*idx];
}

/* [tenant NAME] manufacturer_ca = FILE: every certificate of the PEM file. */
static int tenant_cas(struct parse *p, int line, size_t ti, const char *value)
{
	struct reg_tenant *t = &p->c->tenants[ti];
	char path[PATH_MAX], subject[256], *path_copy;
	unsigned char md[32];
	unsigned int mdlen;
	size_t found = 0;
	X509 *x;
	FILE *f;

	if (!*value)
		return fail(p, line, "[tenant %s] manufacturer_ca: a path is required", t->name);
	if ((value[0] == '/'
		     ? snprintf(path, sizeof(path), "%s", value)
		     : snprintf(path, sizeof(path), "%s/%s", p->dir, value)) >= (int)sizeof(path))
		return fail(p, line, "[tenant %s] manufacturer_ca: the path is too long", t->name);
	f = fopen(path, "re");
	if (!f)
		return fail(p, line, "[tenant %s] manufacturer_ca: %s: %s", t->name, path,
			    strerror(errno));
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		struct tenant_ca *n;
		bool dup = false;

		found++;
		if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32) {
			X509_free(x);
			fclose(f);
			return fail(p, line,
				    "[tenant %s] manufacturer_ca: %s: cannot hash a certificate",
				    t->name, path);
		}
		for (size_t i = 0; i < p->n_cas && !dup; i++) {
			unsigned char o[32];

			if (X509_digest(p->cas[i].cert, EVP_sha256(), o, &mdlen) != 1 ||
			    memcmp(o, md, 32) != 0)
				continue;
			if (p->cas[i].tenant != ti) {
				subject_of(x, subject, sizeof(subject));
				X509_free(x);
				fclose(f);
				return fail(
					p, line,
					"[tenant %s] manufacturer_ca: '%s' (%s) is tenant %s's "
					"already (line %d): a manufacturer CA maps to one tenant",
					t->name, subject, path,
					p->c->tenants[p->cas[i].tenant].name, p->cas[i].line);
			}
			dup = true; /* named twice for the same tenant: once is enough */
		}
		if (dup) {
			X509_free(x);
			continue;
		}
		if (t->n_cas == REG_TENANT_MAX_CAS) {
			X509_free(x);
			fclose(f);
			return fail(p, line,
				    "[tenant %s] manufacturer_ca: more than %d certificates",
				    t->name, REG_TENANT_MAX_CAS);
		}
		n = realloc(p->cas, (p->n_cas + 1) * sizeof(*n));
		if (n)
			p->cas = n;
		if (!n || !(path_copy = strdup(path))) {
			X509_free(x);
			fclose(f);
			return fail(p, line, "out of memory");
		}
		n[p->n_cas] = (struct tenant_ca){ x, ti, line, path_copy };
		p->n_cas++;
		memcpy(t->ca_sha256[t->n_cas++], md, 32);
	}
	fclose(f);
	ERR_clear_error();
	if (!found)
		return fail(p, line, "[tenant %s] manufacturer_ca: %s: no PEM certificate", t->name,
			    path);
	return 1;
}

/* A key of a [tenant NAME] section (section: the whole section name). */
static int tenant_key(struct parse *p, int line, const char *section, const char *name,
		      const char *value)
{
	const char *tn = section + strlen("tenant");
	struct reg_tenant *t;
	size_t ti, len;

	while (*tn == ' ' || *tn == '\t')
		tn++;
	len = strlen(tn);
	while (len && (tn[len - 1] == ' ' || tn[len - 1] == '\t'))
		len--;
	if (!len)
		return fail(p, line, "[%s] names no tenant: [tenant NAME]", section);
	if (len > REG_TENANT_NAME_MAX)
		return fail(p, line, "[%s]: a tenant name is at most %d characters", section,
			    REG_TENANT_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)tn[i] <= ' ' || tn[i] == 0x7f)
			return fail(p, line,
				    "[%s]: a tenant name has no spaces or control characters",
				    section);
	{
		char tname[REG_TENANT_NAME_MAX + 1];

		snprintf(tname, sizeof(tname), "%.*s", (int)len, tn);
		t = tenant_get(p, line, tname, &ti);
	}
	if (!t)
		return 0;
	if (strcmp(name, "manufacturer_ca") == 0)
		return tenant_cas(p, line, ti, value);
	if (strcmp(name, "self_enroll") == 0) {
		if (p->tenant_self_enroll_seen[ti])
			return fail(p, line, "[tenant %s] self_enroll is set twice", t->name);
		p->tenant_self_enroll_seen[ti] = true;
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
			t->self_enroll = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
			t->self_enroll = false;
		else
			return fail(p, line, "[tenant %s] self_enroll: '%s' is not yes or no",
				    t->name, value);
		return 1;
	}
	return fail(p, line, "[tenant %s] has no key '%s' (manufacturer_ca, self_enroll)", t->name,
		    name);
}

/*
 * After the whole file: every tenant names a CA, and every tenant CA is one the registrar
 * trusts ([trust] manufacturer_ca, or issued under it), else no device of it could connect.
 */
static void tenants_check(struct parse *p)
{
	struct reg_config *c = p->c;
	X509_STORE *st = NULL;
	STACK_OF(X509) *others = NULL;
	char subject[256];

	for (size_t i = 0; i < c->n_tenants; i++)
		if (!c->tenants[i].n_cas) {
			fail(p, p->tenant_line[i], "[tenant %s] names no manufacturer_ca",
			     c->tenants[i].name);
			return;
		}
	if (!p->n_cas)
		return;
	st = X509_STORE_new();
	others = sk_X509_new_null();
	if (!st || !others)
		goto out;
	/* An unreadable [trust] manufacturer_ca is the server's error (check, run). */
	if (X509_STORE_load_file(st, c->manufacturer_ca) != 1)
		goto out;
	for (size_t i = 0; i < p->n_cas; i++)
		sk_X509_push(others, p->cas[i].cert);
	for (size_t i = 0; i < p->n_cas && !p->err[0]; i++) {
		X509_STORE_CTX *ctx = X509_STORE_CTX_new();
		int ok = ctx && X509_STORE_CTX_init(ctx, st, p->cas[i].cert, others) == 1;

		if (ok) {
			X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
			ok = X509_verify_cert(ctx) == 1;
		}
		if (!ok) {
			int e = ctx ? X509_STORE_CTX_get_error(ctx) : 0;

			subject_of(p->cas[i].cert, subject, sizeof(subject));
			fail(p, p->cas[i].line,
			     "[tenant %s] manufacturer_ca: '%s' (%s) is not trusted: it does not "
			     "chain to [trust] manufacturer_ca %s (%s)",
			     c->tenants[p->cas[i].tenant].name, subject, p->cas[i].path,
			     c->manufacturer_ca, X509_verify_cert_error_string(e));
		}
		X509_STORE_CTX_free(ctx);
	}
out:
	sk_X509_free(others);
	X509_STORE_free(st);
	ERR_clear_error();
}

/* libinih as Debian builds it passes no line numbers: count them in the reader. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(str, num, p->f), why[96];

	if (!r || p->err[0])
		return NULL;
	p->line++;
	/* A line libinih would split, or a section name it would cut: refused (tao_ini.h). */
	if (tao_ini_line_check(r, num, p->f, why, sizeof(why)) < 0) {
		fail(p, p->line, "%s", why);
		return NULL;
	}
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	int line = p->line;
	struct reg_config *c = p->c;
	unsigned long long n;
	char err[256];
	size_t i;
	int lv;

	if (p->err[0])
		return 0;
	if (strncmp(section, "tenant", 6) == 0 &&
	    (section[6] == '\0' || section[6] == ' ' || section[6] == '\t'))
		return tenant_key(p, line, section, name, value);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			break;
	if (i == NKEYS) {
		for (size_t j = 0; j < NKEYS; j++)
			if (strcmp(keys[j].section, section) == 0)
				return fail(p, line, "[%s] has no key '%s'", section, name);
		return *section ? fail(p, line, "unknown section [%s]", section)
				: fail(p, line, "'%s' is outside any section", name);
	}
	if (p->seen[i])
		return fail(p, line, "[%s] %s is set twice", section, name);
	p->seen[i] = true;
	switch (keys[i].kind) {
	case K_PATH:
	case K_PATH_OPT:
		return set_path(p, line, &keys[i], value, keys[i].kind == K_PATH_OPT);
	case K_UINT:
	case K_SIZE:
		if (!parse_ull(value, &n) || n < keys[i].min || n > keys[i].max)
			return fail(p, line,
				    "[%s] %s: '%s' is not a whole number from %llu to %llu",
				    section, name, value, keys[i].min, keys[i].max);
		if (keys[i].kind == K_UINT)
			*(unsigned int *)((char *)c + keys[i].off) = (unsigned int)n;
		else
			*(size_t *)((char *)c + keys[i].off) = (size_t)n;
		return 1;
	case K_LISTEN:
		return set_listen(p, line, value);
	case K_PCRS:
		if (tao_pcr_selection_parse(value, &c->pcrs, err, sizeof(err)) < 0)
			return fail(p, line, "[attestation] pcrs: %s", err);
		snprintf(c->pcrs_text, sizeof(c->pcrs_text), "%s", value);
		return 1;
	case K_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
			*(bool *)((char *)c + keys[i].off) = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
			*(bool *)((char *)c + keys[i].off) = false;
		else
			return fail(p, line, "[%s] %s: '%s' is not yes or no", section, name,
				    value);
		return 1;
	case K_NAME:
		if (strlen(value) > keys[i].max)
			return fail(p, line, "[%s] %s: longer than %llu characters", section, name,
				    keys[i].max);
		snprintf((char *)c + keys[i].off, keys[i].max + 1, "%s", value);
		return 1;
	case K_LEVEL:
		lv = rlog_level_parse(value);
		if (lv < 0)
			return fail(p, line,
				    "[log] level: '%s' is not err, warning, notice, info or debug",
				    value);
		c->log_level = lv;
		return 1;
	}
	return 0;
}

static bool join(char *dst, const char *dir, const char *name)
{
	return snprintf(dst, PATH_MAX, "%s/%s", dir, name) < PATH_MAX;
}

int reg_config_load(const char *path, struct reg_config *c, char *err, size_t errlen)
{
	struct parse *p = calloc(1, sizeof(*p));
	const char *slash;
	char e[64];
	int rc;

	if (!p)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(p->dir, sizeof(p->dir), ".");
	else if (slash == path)
		snprintf(p->dir, sizeof(p->dir), "/");
	else
		snprintf(p->dir, sizeof(p->dir), "%.*s", (int)(slash - path), path);
	p->c = c;
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->listen_port = 8443;
	c->max_connections = 1024;
	c->max_body_bytes = (9u << 20);
	c->max_header_bytes = 16384;
	c->request_timeout = 30;
	c->idle_timeout = 60;
	c->log_level = RLOG_INFO;
	c->self_enroll = true;
	c->ldevid_days = 365;
	snprintf(c->pcrs_text, sizeof(c->pcrs_text), "sha256:0-7,13");
	tao_pcr_selection_parse(c->pcrs_text, &c->pcrs, e, sizeof(e));
	/* Defaults of the paths: the names tao-registrar init writes, next to the file. */
	if (!join(c->certificate, p->dir, "server.pem") || !join(c->key, p->dir, "server.key") ||
	    !join(c->manufacturer_ca, p->dir, "manufacturer-ca.pem") ||
	    !join(c->operator_ca, p->dir, "operator-ca/ca.pem") ||
	    !join(c->operator_key, p->dir, "operator-ca/ca.key") ||
	    !join(c->database, p->dir, "registrar.db")) {
		snprintf(err, errlen, "%s: the path is too long", path);
		free(p);
		return -ENAMETOOLONG;
	}

	p->f = fopen(path, "re");
	if (!p->f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(p);
		return rc;
	}
	rc = ini_parse_stream(reader, p, handler, p);
	fclose(p->f);
	if (rc == 0 && !p->err[0])
		tenants_check(p);
	for (size_t i = 0; i < p->n_cas; i++) {
		X509_free(p->cas[i].cert);
		free(p->cas[i].path);
	}
	free(p->cas);
	if (rc == -2) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
	} else if (p->err[0]) {
		snprintf(err, errlen, "%s", p->err);
		rc = -EINVAL;
	} else if (rc > 0) {
		snprintf(err, errlen, "%s:%d: not a section header, key = value or comment", path,
			 rc);
		rc = -EINVAL;
	}
	free(p);
	return rc;
}

int reg_config_write_default(const char *path, const char *listen, char *err, size_t errlen)
{
	char *text = NULL;
	int n, rc;

	n = asprintf(
		&text,
		"# tao-registrar configuration; every key: docs/registrar.md.\n"
		"# Relative paths are taken from this file's directory.\n"
		"\n"
		"[server]\n"
		"listen = %s\n"
		"certificate = server.pem\n"
		"key = server.key\n"
		"max_connections = 1024\n"
		"max_body_bytes = 9437184\n"
		"max_header_bytes = 16384\n"
		"request_timeout = 30\n"
		"idle_timeout = 60\n"
		"\n"
		"[trust]\n"
		"# The CAs of device identities (IAK, IDevID), PEM; several may be concatenated.\n"
		"manufacturer_ca = manufacturer-ca.pem\n"
		"# The registrar's own CA: the server certificate and the LDevIDs it issues\n"
		"# (only when operator_key exists).\n"
		"operator_ca = operator-ca/ca.pem\n"
		"operator_key = operator-ca/ca.key\n"
		"\n"
		"[attestation]\n"
		"# The PCRs devices quote; must include the module's log PCR (13).\n"
		"pcrs = sha256:0-7,13\n"
		"# Reference values and allowed events (docs/protocol.md section 4); empty: none.\n"
		"policy = policy.json\n"
		"\n"
		"[scim]\n"
		"# May a device nobody pre-provisioned enroll itself (after an accepted\n"
		"# attestation)? Its Device then lands in self_enroll_tenant.\n"
		"self_enroll = yes\n"
		"self_enroll_tenant =\n"
		"# Days an LDevID issued at enrollment is valid (when operator_key exists).\n"
		"ldevid_days = 365\n"
		"\n"
		"# Tenants by manufacturer CA: an unknown device whose IAK chains to one of a\n"
		"# tenant's CAs lands in that tenant if it allows self-enrollment, else is "
		"refused\n"
		"# (403); devices of no tenant follow [scim] self_enroll. docs/scim.md.\n"
		"# [tenant acme]\n"
		"# manufacturer_ca = acme-ca.pem\n"
		"# self_enroll = yes\n"
		"\n"
		"[store]\n"
		"database = registrar.db\n"
		"\n"
		"[log]\n"
		"level = info\n",
		listen);
	if (n < 0)
		return -ENOMEM;
	rc = tao_write_atomic(path, text, (size_t)n, 0644);
	if (rc < 0)
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	free(text);
	return rc;
}
