// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taoctl provision and taoctl ldevid: the device's identity keys in the TPM, their certificates
 * in the state directory, their roles in the module (docs/provisioning.md).
 */
#include "taoctl_devid.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <linux/tao.h>

#include "tao_cleanup.h"
#include "tao_collect.h"
#include "tao_devid.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_tpm_rc.h"

enum { EXIT_RUNTIME = TAOCTL_EXIT_RUNTIME };

#define TPMA_FIXEDTPM		 0x00000002u
#define TPMA_FIXEDPARENT	 0x00000010u
#define TPMA_SENSITIVEDATAORIGIN 0x00000020u
#define TPMA_RESTRICTED		 0x00010000u
#define TPMA_SIGN		 0x00040000u
#define TPMA_DEVID_REQUIRED \
	(TPMA_FIXEDTPM | TPMA_FIXEDPARENT | TPMA_SENSITIVEDATAORIGIN | TPMA_SIGN)

static void pkey_freep(EVP_PKEY **p)
{
	EVP_PKEY_free(*p);
}
static void x509_freep(X509 **p)
{
	X509_free(*p);
}
static void req_freep(X509_REQ **p)
{
	X509_REQ_free(*p);
}

/* A chain of certificates, leaf first. */
struct chain {
	size_t n;
	X509 *c[8];
};

static void chain_free(struct chain *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		X509_free(ch->c[i]);
	ch->n = 0;
}

bool taoctl_parse_handle(const char *s, uint32_t *h)
{
	char *end;
	unsigned long long v;

	if (strncmp(s, "0x", 2) != 0 || !s[2])
		return false;
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno || *end || v < 0x81000000ull || v > 0x81ffffffull)
		return false;
	*h = (uint32_t)v;
	return true;
}

int taoctl_open_module(const char *cmd, struct tao_nl **nl)
{
	struct tao_info info;
	int rc = tao_nl_open(nl);

	if (rc == -ENOENT) {
		taoctl_err("%s: the tao kernel module is not loaded (try: modprobe tao)", cmd);
		return EXIT_RUNTIME;
	}
	if (rc < 0) {
		taoctl_err("%s: cannot talk to the tao module: %s", cmd, strerror(-rc));
		return EXIT_RUNTIME;
	}
	rc = tao_nl_get_info(*nl, &info);
	if (rc < 0) {
		taoctl_err("%s: asking the tao module for its state: %s%s%s", cmd,
			   tao_nl_last_error(*nl), *tao_nl_last_error(*nl) ? ": " : "",
			   strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (info.tpm_state != TAO_TPM_STATE_TPM2) {
		taoctl_err("%s: the tao module has no usable TPM 2.0 (taoctl info tells more)",
			   cmd);
		return EXIT_RUNTIME;
	}
	return 0;
}

int taoctl_open_tpm(const char *cmd, struct tao_esys **e)
{
	char err[256];

	if (tao_esys_open(e, err, sizeof(err)) < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The lookup is libtao's (tao_collect.c); its messages are the ones taoctl always printed. */
int taoctl_bound_key(const char *cmd, struct tao_nl *nl, uint32_t role, uint32_t *handle,
		     struct tao_tpm_public *pub)
{
	char err[512];

	if (tao_collect_bound_key(nl, role, handle, pub, err, sizeof(err)) < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The key at handle: its TPMT_PUBLIC parsed, and as an OpenSSL key. */
static int read_key(const char *cmd, struct tao_esys *e, uint32_t handle, const char *what,
		    struct tao_tpm_public *pub, EVP_PKEY **pkey)
{
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	char err[256];
	int n = tao_esys_read_public(e, handle, tpmt, err, sizeof(err));

	if (n == -ENOENT) {
		taoctl_err("%s: no %s key at persistent handle 0x%08" PRIx32
			   " (nothing is created for existing keys: check the handle)",
			   cmd, what, handle);
		return EXIT_RUNTIME;
	}
	if (n < 0) {
		taoctl_err("%s: reading the %s key at 0x%08" PRIx32 ": %s", cmd, what, handle, err);
		return EXIT_RUNTIME;
	}
	if (tao_tpmt_public_parse(tpmt, (size_t)n, pub, err, sizeof(err)) < 0 ||
	    tao_tpm_public_to_pkey(pub, pkey, err, sizeof(err)) < 0) {
		taoctl_err("%s: the %s key at 0x%08" PRIx32 ": %s", cmd, what, handle, err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The attributes a DevID key must have: sign, fixedTPM etc., restricted exactly for an IAK. */
static int check_attrs(const char *cmd, const struct tao_tpm_public *pub, uint32_t handle,
		       const char *what, bool restricted)
{
	if ((pub->attributes & TPMA_DEVID_REQUIRED) != TPMA_DEVID_REQUIRED ||
	    !!(pub->attributes & TPMA_RESTRICTED) != restricted) {
		taoctl_err("%s: the key at 0x%08" PRIx32
			   " cannot be an %s: it must be a %s signing "
			   "key with fixedTPM, fixedParent and sensitiveDataOrigin (attributes "
			   "0x%08" PRIx32 ")",
			   cmd, handle, what, restricted ? "restricted" : "unrestricted",
			   pub->attributes);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -EINVAL;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return access(path, W_OK) < 0 ? -errno : 0;
}

static int state_dir_ready(const char *cmd, const char *dir)
{
	int r = mkdir_p(dir, 0755);

	if (r < 0) {
		taoctl_err("%s: the state directory %s cannot be created or written: %s", cmd, dir,
			   strerror(-r));
		return EXIT_RUNTIME;
	}
	return 0;
}

static int write_in(const char *cmd, const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = tao_write_atomic(path, buf, len, 0644);
	if (r < 0) {
		taoctl_err("%s: writing %s: %s", cmd, path, strerror(-r));
		return EXIT_RUNTIME;
	}
	return 0;
}

static int write_chain(const char *cmd, const char *dir, const char *name, const struct chain *ch)
{
	char path[4096], err[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (tao_pem_write_certs(path, ch->c, ch->n, err, sizeof(err)) < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * TPM2_Certify of the key at object by the IAK at iak, qualifying data qual, written to
 * dir/<prefix>.certify.attest, .certify.sig and <prefix>.tpmt (its TPMT_PUBLIC).
 */
static int certify_files(const char *cmd, struct tao_esys *e, uint32_t object, uint32_t iak,
			 const uint8_t qual[32], const struct tao_tpm_public *pub, const char *dir,
			 const char *prefix)
{
	TAO_CLEANUP(tao_freep) uint8_t *attest = malloc(TAO_ATTEST_MAX);
	TAO_CLEANUP(tao_freep) uint8_t *sig = malloc(TAO_SIGNATURE_MAX);
	size_t attest_len, sig_len;
	char name[256], err[256];
	int rc;

	if (!attest || !sig)
		return EXIT_RUNTIME;
	if (tao_esys_certify(e, object, iak, qual, 32, attest, &attest_len, sig, &sig_len, err,
			     sizeof(err)) < 0) {
		taoctl_err("%s: certifying the key at 0x%08" PRIx32 " with the IAK: %s", cmd,
			   object, err);
		return EXIT_RUNTIME;
	}
	snprintf(name, sizeof(name), "%s.certify.attest", prefix);
	if ((rc = write_in(cmd, dir, name, attest, attest_len)))
		return rc;
	snprintf(name, sizeof(name), "%s.certify.sig", prefix);
	if ((rc = write_in(cmd, dir, name, sig, sig_len)))
		return rc;
	snprintf(name, sizeof(name), "%s.tpmt", prefix);
	return write_in(cmd, dir, name, pub->tpmt, pub->tpmt_len);
}

static int sha256_der(X509 *cert, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	int ok = n > 0 && EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL);

	OPENSSL_free(der);
	return ok ? 0 : -ENOMEM;
}

static int bind_role(const char *cmd, struct tao_nl *nl, uint32_t role, uint32_t handle,
		     struct tao_key_bind_reply *reply)
{
	int rc = tao_nl_key_bind(nl, role, handle, reply);
	uint32_t tpm_rc;
	char rcname[64];

	if (rc >= 0)
		return 0;
	tpm_rc = tao_nl_last_tpm_rc(nl);
	if (rc == -EPERM || rc == -EACCES)
		taoctl_err("%s: binding %s: permission denied (needs CAP_NET_ADMIN: run as root)",
			   cmd, tao_role_name(role));
	else if (tpm_rc)
		taoctl_err("%s: binding %s to 0x%08" PRIx32 ": %s: TPM response code 0x%08" PRIx32
			   " (%s)",
			   cmd, tao_role_name(role), handle, tao_nl_last_error(nl), tpm_rc,
			   tao_tpm_rc_str(tpm_rc, rcname, sizeof(rcname)));
	else
		taoctl_err("%s: binding %s to 0x%08" PRIx32 ": %s%s%s", cmd, tao_role_name(role),
			   handle, tao_nl_last_error(nl), *tao_nl_last_error(nl) ? ": " : "",
			   strerror(-rc));
	return EXIT_RUNTIME;
}

/* device.json in the state directory: what was provisioned, for people and the agent. */
static int write_device_json(const char *cmd, const char *dir, const char *mode, const char *serial,
			     uint32_t iak, const struct tao_key_bind_reply *ib, uint32_t idevid,
			     const struct tao_key_bind_reply *db, struct json_object **doc_out)
{
	struct json_object *doc = json_object_new_object(), *k1 = json_object_new_object(),
			   *k2 = json_object_new_object();
	const char *text;

	if (!doc || !k1 || !k2 || !tao_json_put(doc, "version", json_object_new_int(1)) ||
	    !tao_json_put(doc, "mode", json_object_new_string(mode)) ||
	    !tao_json_put(doc, "serial", json_object_new_string(serial)) ||
	    !tao_json_put(doc, "iak", k1) || !tao_json_put(doc, "idevid", k2) ||
	    !tao_json_put(k1, "handle", tao_json_hex32(iak, 8)) ||
	    !tao_json_put(k1, "name", tao_json_hex_bytes(ib->name, ib->name_len)) ||
	    !tao_json_put(k1, "cert", json_object_new_string("iak.pem")) ||
	    !tao_json_put(k2, "handle", tao_json_hex32(idevid, 8)) ||
	    !tao_json_put(k2, "name", tao_json_hex_bytes(db->name, db->name_len)) ||
	    !tao_json_put(k2, "cert", json_object_new_string("idevid.pem")) ||
	    !tao_json_put(k2, "certify", json_object_new_string("idevid.certify.attest"))) {
		json_object_put(doc);
		taoctl_err("%s: out of memory", cmd);
		return EXIT_RUNTIME;
	}
	text = json_object_to_json_string_ext(doc,
					      JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
	if (write_in(cmd, dir, "device.json", text, strlen(text))) {
		json_object_put(doc);
		return EXIT_RUNTIME;
	}
	*doc_out = doc;
	return 0;
}

struct provision_opts {
	bool factory, existing, force, json;
	const char *ca_dir, *serial, *state_dir, *iak_cert, *idevid_cert;
	uint32_t iak, idevid;
};

/* Both handles free, or (--force) made free; refuses otherwise. */
static int factory_handles(const char *cmd, struct tao_esys *e, const struct provision_opts *o)
{
	const uint32_t handles[2] = { o->iak, o->idevid };
	const char *what[2] = { "IAK", "IDevID" };
	char err[256];

	for (int i = 0; i < 2; i++) {
		int r = tao_esys_exists(e, handles[i], err, sizeof(err));

		if (r < 0) {
			taoctl_err("%s: %s", cmd, err);
			return EXIT_RUNTIME;
		}
		if (!r)
			continue;
		if (!o->force) {
			taoctl_err("%s: persistent handle 0x%08" PRIx32
				   " (%s) already holds a key: this TPM looks provisioned. "
				   "Keys are never replaced unless --force is given (which "
				   "destroys them)",
				   cmd, handles[i], what[i]);
			return EXIT_RUNTIME;
		}
		if (tao_esys_evict(e, handles[i], err, sizeof(err)) < 0) {
			taoctl_err("%s: removing the old %s at 0x%08" PRIx32 ": %s", cmd, what[i],
				   handles[i], err);
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

static int factory_steps(const char *cmd, struct provision_opts *o, struct tao_nl *nl,
			 struct tao_esys *e, bool *made_keys)
{
	TAO_CLEANUP(pkey_freep) EVP_PKEY *ca_key = NULL;
	TAO_CLEANUP(x509_freep) X509 *ca_cert = NULL;
	TAO_CLEANUP(pkey_freep) EVP_PKEY *iak_key = NULL;
	TAO_CLEANUP(pkey_freep) EVP_PKEY *idevid_key = NULL;
	TAO_CLEANUP(x509_freep) X509 *iak_cert = NULL;
	TAO_CLEANUP(x509_freep) X509 *idevid_cert = NULL;
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *iak_pub = malloc(sizeof(*iak_pub));
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *idevid_pub = malloc(sizeof(*idevid_pub));
	TAO_CLEANUP(tao_json_putp) struct json_object *doc = NULL;
	struct tao_key_bind_reply ib, db;
	char serial[TAO_SERIAL_MAX + 1], err[256];
	uint8_t qual[32];
	bool created;
	int rc;

	if (!iak_pub || !idevid_pub)
		return EXIT_RUNTIME;
	if (o->serial) {
		snprintf(serial, sizeof(serial), "%s", o->serial);
	} else {
		uint8_t rnd[8];
		char hex[17];

		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return EXIT_RUNTIME;
		tao_hex_encode(rnd, sizeof(rnd), hex);
		for (char *p = hex; *p; p++)
			*p = (char)(*p >= 'a' ? *p - 32 : *p);
		snprintf(serial, sizeof(serial), "TAO-%s", hex);
	}
	/* Everything that can fail without touching the TPM comes first. */
	if (tao_ca_load_or_create(o->ca_dir, &ca_key, &ca_cert, &created, err, sizeof(err)) < 0) {
		taoctl_err("%s: manufacturer CA: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	if ((rc = state_dir_ready(cmd, o->state_dir)) || (rc = factory_handles(cmd, e, o)))
		return rc;
	*made_keys = true;
	if (tao_esys_create_primary_persist(e, TAO_TEMPLATE_IAK, o->iak, err, sizeof(err)) < 0 ||
	    tao_esys_create_primary_persist(e, TAO_TEMPLATE_DEVID, o->idevid, err, sizeof(err)) <
		    0) {
		taoctl_err("%s: creating the keys: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	if ((rc = read_key(cmd, e, o->iak, "IAK", iak_pub, &iak_key)) ||
	    (rc = read_key(cmd, e, o->idevid, "IDevID", idevid_pub, &idevid_key)))
		return rc;
	if (tao_devid_cert_issue(ca_key, ca_cert, iak_key, TAO_DEVID_IAK, serial, &iak_cert, err,
				 sizeof(err)) < 0 ||
	    tao_devid_cert_issue(ca_key, ca_cert, idevid_key, TAO_DEVID_IDEVID, serial,
				 &idevid_cert, err, sizeof(err)) < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	{
		struct chain a = { .n = 1, .c = { iak_cert } },
			     b = { .n = 1, .c = { idevid_cert } },
			     ca = { .n = 1, .c = { ca_cert } };

		if ((rc = write_chain(cmd, o->state_dir, "iak.pem", &a)) ||
		    (rc = write_chain(cmd, o->state_dir, "idevid.pem", &b)) ||
		    (rc = write_chain(cmd, o->state_dir, "manufacturer-ca.pem", &ca)))
			return rc;
	}
	/* The IAK vouches for the IDevID: qualifying data = SHA-256 of its certificate. */
	if (sha256_der(idevid_cert, qual) < 0)
		return EXIT_RUNTIME;
	if ((rc = certify_files(cmd, e, o->idevid, o->iak, qual, idevid_pub, o->state_dir,
				"idevid")))
		return rc;
	if ((rc = bind_role(cmd, nl, TAO_KEY_ROLE_IAK, o->iak, &ib)) ||
	    (rc = bind_role(cmd, nl, TAO_KEY_ROLE_IDEVID, o->idevid, &db)))
		return rc;
	if ((rc = write_device_json(cmd, o->state_dir, "factory", serial, o->iak, &ib, o->idevid,
				    &db, &doc)))
		return rc;
	if (o->json) {
		if (!tao_json_put(doc, "state_dir", json_object_new_string(o->state_dir)) ||
		    !tao_json_put(doc, "ca_created", json_object_new_boolean(created)))
			return EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED));
	} else {
		printf("%s manufacturer CA in %s\n", created ? "created the" : "used the",
		       o->ca_dir);
		printf("IAK    at 0x%08" PRIx32 " (ecc nist_p256, restricted), bound\n", o->iak);
		printf("IDevID at 0x%08" PRIx32 " (ecc nist_p256), bound, certified by the IAK\n",
		       o->idevid);
		printf("device serial number: %s\n", serial);
		printf("wrote %s/{iak.pem,idevid.pem,manufacturer-ca.pem,idevid.certify.attest,"
		       "idevid.certify.sig,idevid.tpmt,device.json}\n",
		       o->state_dir);
	}
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

/*
 * A failed run does not leave half a device behind: the keys it created (at handles that were
 * free, or that --force freed) are evicted again.
 */
static int provision_factory(const char *cmd, struct provision_opts *o, struct tao_nl *nl,
			     struct tao_esys *e)
{
	const uint32_t handles[2] = { o->iak, o->idevid };
	bool made_keys = false;
	char err[256];
	int rc = factory_steps(cmd, o, nl, e, &made_keys);

	if (!rc || !made_keys)
		return rc;
	for (int i = 0; i < 2; i++)
		if (tao_esys_exists(e, handles[i], err, sizeof(err)) > 0 &&
		    tao_esys_evict(e, handles[i], err, sizeof(err)) == 0)
			fprintf(stderr,
				"taoctl: %s: removed the key this run created at 0x%08" PRIx32 "\n",
				cmd, handles[i]);
	return rc;
}

static int load_chain(const char *cmd, const char *path, struct chain *ch)
{
	char err[256];
	int n = tao_pem_read_certs(path, ch->c, sizeof(ch->c) / sizeof(ch->c[0]), err, sizeof(err));

	if (n < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	ch->n = (size_t)n;
	return 0;
}

static int provision_existing(const char *cmd, struct provision_opts *o, struct tao_nl *nl,
			      struct tao_esys *e)
{
	TAO_CLEANUP(pkey_freep) EVP_PKEY *iak_key = NULL;
	TAO_CLEANUP(pkey_freep) EVP_PKEY *idevid_key = NULL;
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *iak_pub = malloc(sizeof(*iak_pub));
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *idevid_pub = malloc(sizeof(*idevid_pub));
	TAO_CLEANUP(tao_json_putp) struct json_object *doc = NULL;
	struct chain iak_chain = { 0 }, idevid_chain = { 0 };
	struct tao_key_bind_reply ib, db;
	char s1[TAO_SERIAL_MAX + 1] = "", s2[TAO_SERIAL_MAX + 1] = "";
	uint8_t qual[32];
	int rc;

	if (!iak_pub || !idevid_pub)
		return EXIT_RUNTIME;
	rc = read_key(cmd, e, o->iak, "IAK", iak_pub, &iak_key);
	if (!rc)
		rc = read_key(cmd, e, o->idevid, "IDevID", idevid_pub, &idevid_key);
	if (!rc)
		rc = check_attrs(cmd, iak_pub, o->iak, "IAK", true);
	if (!rc)
		rc = check_attrs(cmd, idevid_pub, o->idevid, "IDevID", false);
	if (!rc)
		rc = load_chain(cmd, o->iak_cert, &iak_chain);
	if (!rc)
		rc = load_chain(cmd, o->idevid_cert, &idevid_chain);
	if (!rc && EVP_PKEY_eq(X509_get0_pubkey(iak_chain.c[0]), iak_key) != 1) {
		taoctl_err("%s: the certificate in %s is not for the IAK at 0x%08" PRIx32
			   ": its public key differs",
			   cmd, o->iak_cert, o->iak);
		rc = EXIT_RUNTIME;
	}
	if (!rc && EVP_PKEY_eq(X509_get0_pubkey(idevid_chain.c[0]), idevid_key) != 1) {
		taoctl_err("%s: the certificate in %s is not for the IDevID at 0x%08" PRIx32
			   ": its public key differs",
			   cmd, o->idevid_cert, o->idevid);
		rc = EXIT_RUNTIME;
	}
	if (!rc) {
		tao_cert_serial(iak_chain.c[0], s1, sizeof(s1));
		tao_cert_serial(idevid_chain.c[0], s2, sizeof(s2));
		if (strcmp(s1, s2) != 0)
			fprintf(stderr,
				"taoctl: %s: warning: the IAK and IDevID certificates name "
				"different serial numbers ('%s', '%s')\n",
				cmd, s1, s2);
		rc = state_dir_ready(cmd, o->state_dir);
	}
	if (!rc)
		rc = write_chain(cmd, o->state_dir, "iak.pem", &iak_chain);
	if (!rc)
		rc = write_chain(cmd, o->state_dir, "idevid.pem", &idevid_chain);
	if (!rc && sha256_der(idevid_chain.c[0], qual) < 0)
		rc = EXIT_RUNTIME;
	chain_free(&iak_chain);
	chain_free(&idevid_chain);
	if (rc)
		return rc;
	if ((rc = certify_files(cmd, e, o->idevid, o->iak, qual, idevid_pub, o->state_dir,
				"idevid")) ||
	    (rc = bind_role(cmd, nl, TAO_KEY_ROLE_IAK, o->iak, &ib)) ||
	    (rc = bind_role(cmd, nl, TAO_KEY_ROLE_IDEVID, o->idevid, &db)) ||
	    (rc = write_device_json(cmd, o->state_dir, "existing", s2, o->iak, &ib, o->idevid, &db,
				    &doc)))
		return rc;
	if (o->json) {
		if (!tao_json_put(doc, "state_dir", json_object_new_string(o->state_dir)))
			return EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED));
	} else {
		printf("IAK    at 0x%08" PRIx32 " matches %s, bound\n", o->iak, o->iak_cert);
		printf("IDevID at 0x%08" PRIx32 " matches %s, bound, certified by the IAK\n",
		       o->idevid, o->idevid_cert);
		printf("device serial number: %s\n", *s2 ? s2 : "(none in the certificate)");
		printf("wrote %s/{iak.pem,idevid.pem,idevid.certify.attest,idevid.certify.sig,"
		       "idevid.tpmt,device.json}\n",
		       o->state_dir);
	}
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

int taoctl_cmd_provision(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "factory", no_argument, NULL, 'F' },
		{ "existing", no_argument, NULL, 'E' },
		{ "ca", required_argument, NULL, 'c' },
		{ "serial", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "iak-handle", required_argument, NULL, 'I' },
		{ "idevid-handle", required_argument, NULL, 'D' },
		{ "iak-cert", required_argument, NULL, 'a' },
		{ "idevid-cert", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "provision";
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_esys_closep) struct tao_esys *e = NULL;
	struct provision_opts o = { .state_dir = TAOCTL_STATE_DIR,
				    .iak = TAO_HANDLE_IAK,
				    .idevid = TAO_HANDLE_IDEVID };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:FEc:s:d:I:D:a:b:fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			o.factory = true;
			break;
		case 'E':
			o.existing = true;
			break;
		case 'c':
			o.ca_dir = optarg;
			break;
		case 's':
			if (!tao_serial_valid(optarg))
				return taoctl_usage(
					name,
					"%s: --serial wants 1 to %d printable "
					"characters (letters, digits, space, '()+,-./:=?)",
					name, TAO_SERIAL_MAX);
			o.serial = optarg;
			break;
		case 'd':
			o.state_dir = optarg;
			break;
		case 'I':
		case 'D':
			if (!taoctl_parse_handle(optarg, c == 'I' ? &o.iak : &o.idevid))
				return taoctl_usage(name,
						    "%s: '%s' is not a persistent handle "
						    "(0x81000000 to 0x81ffffff)",
						    name, optarg);
			break;
		case 'a':
			o.iak_cert = optarg;
			break;
		case 'b':
			o.idevid_cert = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			return taoctl_show_help(cmd);
		default:
			return taoctl_option_error(name, argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(name, "%s: unexpected argument '%s'", name, argv[optind]);
	if (o.factory == o.existing)
		return taoctl_usage(name, "%s: give exactly one of --factory and --existing", name);
	if (o.iak == o.idevid)
		return taoctl_usage(name, "%s: IAK and IDevID need two different handles", name);
	if (o.factory && !o.ca_dir)
		return taoctl_usage(name, "%s: --factory needs --ca DIR", name);
	if (o.factory && (o.iak_cert || o.idevid_cert))
		return taoctl_usage(name, "%s: --iak-cert/--idevid-cert go with --existing", name);
	if (o.existing && (!o.iak_cert || !o.idevid_cert))
		return taoctl_usage(name, "%s: --existing needs --iak-cert and --idevid-cert",
				    name);
	if (o.existing && (o.ca_dir || o.serial || o.force))
		return taoctl_usage(name, "%s: --ca, --serial and --force go with --factory", name);
	if ((rc = taoctl_open_module(name, &nl)) || (rc = taoctl_open_tpm(name, &e)))
		return rc;
	return o.factory ? provision_factory(name, &o, nl, e) : provision_existing(name, &o, nl, e);
}

/* TPM2_Sign through ESAPI, for tao_csr_build(). */
struct tpm_signer {
	struct tao_esys *e;
	uint32_t handle;
};

static int tpm_sign(void *arg, const uint8_t digest[32], uint8_t **der, size_t *der_len, char *err,
		    size_t errlen)
{
	struct tpm_signer *s = arg;

	return tao_esys_sign_sha256(s->e, s->handle, digest, der, der_len, err, errlen);
}

int taoctl_cmd_ldevid(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "handle", required_argument, NULL, 'H' },
		{ "subject", required_argument, NULL, 's' },
		{ "csr-out", required_argument, NULL, 'o' },
		{ "certify-out", required_argument, NULL, 'C' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "ldevid";
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_esys_closep) struct tao_esys *e = NULL;
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *iak_pub = malloc(sizeof(*iak_pub));
	TAO_CLEANUP(tao_freep) struct tao_tpm_public *pub = malloc(sizeof(*pub));
	TAO_CLEANUP(pkey_freep) EVP_PKEY *pkey = NULL;
	TAO_CLEANUP(req_freep) X509_REQ *req = NULL;
	TAO_CLEANUP(tao_freep) char *certify_dir = NULL;
	const char *subject = NULL, *csr_out = NULL, *state_dir = TAOCTL_STATE_DIR;
	char subj_buf[2 * TAO_SERIAL_MAX + 40], err[256], serial[TAO_SERIAL_MAX + 1];
	uint32_t handle = TAO_HANDLE_LDEVID, iak;
	struct tpm_signer signer;
	bool force = false, json = false;
	unsigned char *der = NULL;
	uint8_t qual[32];
	int c, rc, n;

	if (!iak_pub || !pub)
		return EXIT_RUNTIME;
	optind = 0;
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
			return taoctl_show_help(cmd);
		return taoctl_usage(name, "%s: the only subcommand is 'create'", name);
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "+:H:s:o:C:d:fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (!taoctl_parse_handle(optarg, &handle))
				return taoctl_usage(name,
						    "%s: '%s' is not a persistent handle "
						    "(0x81000000 to 0x81ffffff)",
						    name, optarg);
			break;
		case 's':
			subject = optarg;
			break;
		case 'o':
			csr_out = optarg;
			break;
		case 'C':
			free(certify_dir);
			certify_dir = strdup(optarg);
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return taoctl_show_help(cmd);
		default:
			return taoctl_option_error(name, argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(name, "%s: unexpected argument '%s'", name, argv[optind]);
	if (!csr_out)
		return taoctl_usage(name, "%s create: --csr-out FILE is required", name);
	if (!certify_dir && asprintf(&certify_dir, "%s/ldevid", state_dir) < 0) {
		certify_dir = NULL;
		return EXIT_RUNTIME;
	}
	if ((rc = taoctl_open_module(name, &nl)) || (rc = taoctl_open_tpm(name, &e)) ||
	    (rc = taoctl_bound_key(name, nl, TAO_KEY_ROLE_IAK, &iak, iak_pub)))
		return rc;
	if (!subject) {
		/* The device's serial from its IDevID certificate, if provisioning left one. */
		char path[4096];
		X509 *cert = NULL;

		snprintf(path, sizeof(path), "%s/idevid.pem", state_dir);
		strcpy(serial, "device");
		if (tao_pem_read_certs(path, &cert, 1, err, sizeof(err)) == 1) {
			tao_cert_serial(cert, serial, sizeof(serial));
			X509_free(cert);
		}
		snprintf(subj_buf, sizeof(subj_buf), "CN=LDevID %s,serialNumber=%s", serial,
			 serial);
		subject = subj_buf;
	}
	n = tao_esys_exists(e, handle, err, sizeof(err));
	if (n < 0) {
		taoctl_err("%s: %s", name, err);
		return EXIT_RUNTIME;
	}
	if (n && !force) {
		taoctl_err("%s: persistent handle 0x%08" PRIx32
			   " already holds a key; an LDevID is "
			   "never replaced unless --force is given (which destroys it)",
			   name, handle);
		return EXIT_RUNTIME;
	}
	if (n && tao_esys_evict(e, handle, err, sizeof(err)) < 0) {
		taoctl_err("%s: removing the old key at 0x%08" PRIx32 ": %s", name, handle, err);
		return EXIT_RUNTIME;
	}
	if (tao_esys_create_child_persist(e, TAO_TEMPLATE_DEVID, handle, err, sizeof(err)) < 0) {
		taoctl_err("%s: creating the LDevID: %s", name, err);
		return EXIT_RUNTIME;
	}
	if ((rc = read_key(name, e, handle, "LDevID", pub, &pkey)))
		return rc;
	signer.e = e;
	signer.handle = handle;
	if (tao_csr_build(pkey, subject, tpm_sign, &signer, &req, err, sizeof(err)) < 0 ||
	    tao_pem_write_req(csr_out, req, err, sizeof(err)) < 0) {
		taoctl_err("%s: the certificate request: %s", name, err);
		return EXIT_RUNTIME;
	}
	/* The IAK vouches for the key that signed this very request. */
	n = i2d_X509_REQ(req, &der);
	if (n <= 0 || !EVP_Digest(der, (size_t)n, qual, NULL, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		return EXIT_RUNTIME;
	}
	OPENSSL_free(der);
	if ((rc = state_dir_ready(name, certify_dir)) ||
	    (rc = certify_files(name, e, handle, iak, qual, pub, certify_dir, "ldevid")))
		return rc;
	{
		TAO_CLEANUP(tao_freep) char *pem = NULL;

		if (tao_tpm_public_to_pem(pub, &pem, err, sizeof(err)) < 0 ||
		    (rc = write_in(name, certify_dir, "ldevid.pub.pem", pem, strlen(pem))))
			return EXIT_RUNTIME;
	}
	if (json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *doc = json_object_new_object();

		if (!doc || !tao_json_put(doc, "handle", tao_json_hex32(handle, 8)) ||
		    !tao_json_put(doc, "subject", json_object_new_string(subject)) ||
		    !tao_json_put(doc, "csr", json_object_new_string(csr_out)) ||
		    !tao_json_put(doc, "certify_dir", json_object_new_string(certify_dir)) ||
		    !tao_json_put(doc, "iak_handle", tao_json_hex32(iak, 8)) ||
		    !tao_json_put(doc, "certify_qualifying_data", tao_json_hex_bytes(qual, 32)))
			return EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED));
	} else {
		printf("LDevID at 0x%08" PRIx32 " (ecc nist_p256), not bound until its certificate "
		       "arrives\n",
		       handle);
		printf("wrote %s (subject %s), signed in the TPM\n", csr_out, subject);
		printf("wrote %s/{ldevid.certify.attest,ldevid.certify.sig,ldevid.tpmt,"
		       "ldevid.pub.pem}: TPM2_Certify by the IAK (0x%08" PRIx32 ")\n",
		       certify_dir, iak);
	}
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}
