// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The manufacturer CA, IAK/IDevID certificates and TPM-signed CSRs, with OpenSSL 3. */
#include "tao_devid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CLEANUP(fn) __attribute__((cleanup(fn)))

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
static void bio_freep(BIO **p)
{
	BIO_free(*p);
}
static void name_freep(X509_NAME **p)
{
	X509_NAME_free(*p);
}
static void cfreep(void *p)
{
	free(*(void **)p);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;
	unsigned long e = ERR_peek_last_error();
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (e && n + 3 < errlen) {
		snprintf(err + n, errlen - n, " (%s)", ERR_reason_error_string(e) ?: "openssl");
	}
	ERR_clear_error();
	return 0;
}

int tao_write_atomic(const char *path, const void *buf, size_t len, unsigned int mode)
{
	CLEANUP(cfreep) char *tmp = NULL;
	const char *p = buf;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, (mode_t)mode) < 0)
		r = -errno;
	while (len && !r) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno != EINTR)
			r = -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r) {
		unlink(tmp);
		return r;
	}
	/* The rename itself must reach the disk before anyone relies on it. */
	{
		char *slash = strrchr(tmp, '/');
		int dfd;

		if (slash == tmp)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		dfd = open(slash ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		if (fsync(dfd) < 0)
			r = -errno;
		close(dfd);
	}
	return r;
}

/* Write what a BIO collected to path, atomically. */
static int bio_to_file(BIO *b, const char *path, unsigned int mode, char *err, size_t errlen)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	int r;

	if (n < 0)
		return fail(err, errlen, "encoding %s", path), -ENOMEM;
	r = tao_write_atomic(path, data, (size_t)n, mode);
	if (r < 0)
		fail(err, errlen, "writing %s: %s", path, strerror(-r));
	return r;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/* A positive random 127-bit serial, as RFC 5280 wants (at most 20 octets, unpredictable). */
static int random_serial(X509 *cert)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[0] &= 0x7f;
	b[0] |= 0x40;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

static int write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	CLEANUP(bio_freep) BIO *b = BIO_new(BIO_s_mem());

	if (!b || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL))
		return fail(err, errlen, "encoding the CA key"), -ENOMEM;
	return bio_to_file(b, path, 0600, err, errlen);
}

static int ca_create(const char *dir, const char *org, const char *cn, const char *key_path,
		     const char *cert_path, EVP_PKEY **key, X509 **cert, char *err, size_t errlen)
{
	CLEANUP(pkey_freep) EVP_PKEY *k = NULL;
	CLEANUP(x509_freep) X509 *c = NULL;
	X509_NAME *name;
	int r;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return r = -errno,
		       fail(err, errlen, "creating the CA directory %s: %s", dir, strerror(errno)),
		       r;
	if (access(dir, W_OK) < 0)
		return r = -errno,
		       fail(err, errlen, "the CA directory %s is not writable: %s", dir,
			    strerror(errno)),
		       r;
	k = EVP_EC_gen("P-256");
	c = X509_new();
	if (!k || !c)
		return fail(err, errlen, "generating the CA key"), -ENOMEM;
	name = X509_get_subject_name(c);
	if (!X509_set_version(c, X509_VERSION_3) || random_serial(c) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), 20L * 366 * 24 * 3600) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_issuer_name(c, name) || !X509_set_pubkey(c, k) ||
	    add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:1") ||
	    add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    add_ext(c, c, NID_subject_key_identifier, "hash") || !X509_sign(c, k, EVP_sha256()))
		return fail(err, errlen, "building the CA certificate"), -EINVAL;
	if ((r = write_key(key_path, k, err, errlen)) < 0)
		return r;
	r = tao_pem_write_certs(cert_path, &c, 1, err, errlen);
	if (r < 0) {
		unlink(key_path);
		return r;
	}
	*key = k;
	*cert = c;
	k = NULL;
	c = NULL;
	return 0;
}

int tao_ca_load_or_create(const char *dir, EVP_PKEY **key, X509 **cert, bool *created, char *err,
			  size_t errlen)
{
	return tao_ca_load_or_create_named(dir, "tao simulated manufacturer", "tao manufacturer CA",
					   key, cert, created, err, errlen);
}

int tao_ca_load_or_create_named(const char *dir, const char *org, const char *cn, EVP_PKEY **key,
				X509 **cert, bool *created, char *err, size_t errlen)
{
	CLEANUP(cfreep) char *key_path = NULL;
	CLEANUP(cfreep) char *cert_path = NULL;
	CLEANUP(pkey_freep) EVP_PKEY *k = NULL;
	CLEANUP(x509_freep) X509 *c = NULL;
	bool have_key, have_cert;
	FILE *f;

	if (asprintf(&key_path, "%s/ca.key", dir) < 0 || asprintf(&cert_path, "%s/ca.pem", dir) < 0)
		return -ENOMEM;
	have_key = access(key_path, F_OK) == 0;
	have_cert = access(cert_path, F_OK) == 0;
	if (!have_key && !have_cert) {
		*created = true;
		return ca_create(dir, org, cn, key_path, cert_path, key, cert, err, errlen);
	}
	if (!have_key || !have_cert)
		return fail(err, errlen, "the CA in %s is incomplete: %s is missing", dir,
			    have_key ? cert_path : key_path),
		       -ENOENT;
	f = fopen(key_path, "r");
	if (!f)
		return fail(err, errlen, "reading %s: %s", key_path, strerror(errno)), -errno;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(cert_path, "r");
	if (!f)
		return fail(err, errlen, "reading %s: %s", cert_path, strerror(errno)), -errno;
	c = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || !c)
		return fail(err, errlen, "%s or %s is not a PEM key/certificate", key_path,
			    cert_path),
		       -EINVAL;
	if (X509_check_private_key(c, k) != 1)
		return fail(err, errlen, "%s does not hold the key of %s", key_path, cert_path),
		       -EINVAL;
	*created = false;
	*key = k;
	*cert = c;
	k = NULL;
	c = NULL;
	return 0;
}

/* The TCG certificate policies saying where the key lives and what it can do. */
static int add_policies(X509 *cert, bool restricted)
{
	static const char *const oids[] = {
		TAO_OID_TCG_CAP_TPM_RESIDENCY,
		TAO_OID_TCG_CAP_TPM_FIXED,
		TAO_OID_TCG_CAP_TPM_RESTRICTED,
	};
	CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
	size_t n = restricted ? 3 : 2;
	int r = pols ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && !r; i++) {
		POLICYINFO *pi = POLICYINFO_new();

		if (!pi || !(pi->policyid = OBJ_txt2obj(oids[i], 1)) ||
		    !sk_POLICYINFO_push(pols, pi)) {
			POLICYINFO_free(pi);
			r = -ENOMEM;
		}
	}
	if (!r &&
	    X509_add1_ext_i2d(cert, NID_certificate_policies, pols, 0, X509V3_ADD_APPEND) != 1)
		r = -ENOMEM;
	CERTIFICATEPOLICIES_free(pols);
	return r;
}

bool tao_serial_valid(const char *serial)
{
	size_t n = strlen(serial);

	if (n == 0 || n > TAO_SERIAL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) /* PrintableString */
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 "
			    "'()+,-./:=?",
			    serial[i]))
			return false;
	return true;
}

int tao_devid_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key,
			 enum tao_devid_kind kind, const char *serial, X509 **out, char *err,
			 size_t errlen)
{
	CLEANUP(x509_freep) X509 *c = X509_new();
	const bool iak = kind == TAO_DEVID_IAK;
	char cn[TAO_SERIAL_MAX + 16];
	X509_NAME *name;

	if (!tao_serial_valid(serial))
		return fail(err, errlen,
			    "serial number '%s' is not 1 to %d printable characters (letters, "
			    "digits, space, '()+,-./:=?)",
			    serial, TAO_SERIAL_MAX),
		       -EINVAL;
	if (!c)
		return -ENOMEM;
	snprintf(cn, sizeof(cn), "%s %s", iak ? "IAK" : "IDevID", serial);
	name = X509_get_subject_name(c);
	if (!X509_set_version(c, X509_VERSION_3) || random_serial(c) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
	    !ASN1_TIME_set_string(X509_getm_notAfter(c), "99991231235959Z") ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_serialNumber, V_ASN1_PRINTABLESTRING,
					(const unsigned char *)serial, -1, -1, 0) ||
	    !X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) ||
	    !X509_set_pubkey(c, subject_key) ||
	    add_ext(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(c, ca_cert, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(c, ca_cert, NID_ext_key_usage,
		    iak ? TAO_OID_TCG_KP_AIK_CERTIFICATE : "clientAuth") ||
	    add_policies(c, iak) || add_ext(c, ca_cert, NID_subject_key_identifier, "hash") ||
	    add_ext(c, ca_cert, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(c, ca_key, EVP_sha256()))
		return fail(err, errlen, "building the %s certificate", iak ? "IAK" : "IDevID"),
		       -EINVAL;
	*out = c;
	c = NULL;
	return 0;
}

int tao_ldevid_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key,
			  const char *serial, int days, X509 **out, char *err, size_t errlen)
{
	CLEANUP(x509_freep) X509 *c = X509_new();
	char cn[TAO_SERIAL_MAX + 16];
	X509_NAME *name;

	if (!tao_serial_valid(serial))
		return fail(err, errlen, "serial number '%s' is not 1 to %d printable characters",
			    serial, TAO_SERIAL_MAX),
		       -EINVAL;
	if (days < 1)
		return fail(err, errlen, "an LDevID is valid for at least one day, not %d", days),
		       -EINVAL;
	if (!c)
		return -ENOMEM;
	snprintf(cn, sizeof(cn), "LDevID %s", serial);
	name = X509_get_subject_name(c);
	if (!X509_set_version(c, X509_VERSION_3) || random_serial(c) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), (long)days * 24 * 3600) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_serialNumber, V_ASN1_PRINTABLESTRING,
					(const unsigned char *)serial, -1, -1, 0) ||
	    !X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) ||
	    !X509_set_pubkey(c, subject_key) ||
	    add_ext(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(c, ca_cert, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(c, ca_cert, NID_ext_key_usage, "clientAuth") || add_policies(c, false) ||
	    add_ext(c, ca_cert, NID_subject_key_identifier, "hash") ||
	    add_ext(c, ca_cert, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(c, ca_key, EVP_sha256()))
		return fail(err, errlen, "building the LDevID certificate"), -EINVAL;
	*out = c;
	c = NULL;
	return 0;
}

int tao_server_cert_issue(EVP_PKEY *ca_key, X509 *ca_cert, EVP_PKEY *subject_key, const char *cn,
			  const char *san, int days, X509 **out, char *err, size_t errlen)
{
	CLEANUP(x509_freep) X509 *c = X509_new();
	X509_NAME *name;

	if (!c)
		return -ENOMEM;
	name = X509_get_subject_name(c);
	if (!X509_set_version(c, X509_VERSION_3) || random_serial(c) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), (long)days * 24 * 3600) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) ||
	    !X509_set_pubkey(c, subject_key) ||
	    add_ext(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(c, ca_cert, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(c, ca_cert, NID_ext_key_usage, "serverAuth") ||
	    add_ext(c, ca_cert, NID_subject_alt_name, san) ||
	    add_ext(c, ca_cert, NID_subject_key_identifier, "hash") ||
	    add_ext(c, ca_cert, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(c, ca_key, EVP_sha256()))
		return fail(err, errlen, "building the server certificate for %s (%s)", cn, san),
		       -EINVAL;
	*out = c;
	c = NULL;
	return 0;
}

int tao_cert_serial(X509 *cert, char *buf, size_t len)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
	ASN1_STRING *s;
	int n;

	if (i < 0)
		return -ENOENT;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	n = ASN1_STRING_length(s);
	if (n < 0 || (size_t)n >= len)
		return -E2BIG;
	memcpy(buf, ASN1_STRING_get0_data(s), (size_t)n);
	buf[n] = '\0';
	return 0;
}

/* "CN=a,O=b" into a name; false for an empty one or an attribute OpenSSL does not know. */
static bool parse_subject(const char *subject, X509_NAME *name)
{
	CLEANUP(cfreep) char *copy = strdup(subject);
	char *save = NULL, *rdn;
	int n = 0;

	if (!copy)
		return false;
	for (rdn = strtok_r(copy, ",", &save); rdn; rdn = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(rdn, '=');

		while (*rdn == ' ' || *rdn == '/')
			rdn++;
		if (!eq || eq == rdn || !eq[1])
			return false;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, rdn, MBSTRING_UTF8,
						(const unsigned char *)eq + 1, -1, -1, 0))
			return false;
		n++;
	}
	return n > 0;
}

int tao_csr_build(EVP_PKEY *pub, const char *subject, tao_sign_digest_fn sign, void *arg,
		  X509_REQ **out, char *err, size_t errlen)
{
	CLEANUP(req_freep) X509_REQ *req = X509_REQ_new();
	CLEANUP(name_freep) X509_NAME *name = X509_NAME_new();
	CLEANUP(cfreep) uint8_t *sig = NULL;
	unsigned char *tbs = NULL;
	uint8_t digest[32];
	size_t sig_len;
	X509_ALGOR *alg;
	ASN1_BIT_STRING *bits;
	int n, r;

	if (!req || !name)
		return -ENOMEM;
	if (!parse_subject(subject, name))
		return fail(err, errlen,
			    "subject '%s' is not a list of ATTR=VALUE separated by ',' with "
			    "attributes OpenSSL knows (CN, O, OU, serialNumber, ...)",
			    subject),
		       -EINVAL;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, pub))
		return fail(err, errlen, "building the request"), -ENOMEM;
	/* What the signature covers: the DER of CertificationRequestInfo. */
	n = i2d_re_X509_REQ_tbs(req, &tbs);
	if (n <= 0)
		return fail(err, errlen, "encoding the request"), -ENOMEM;
	r = EVP_Digest(tbs, (size_t)n, digest, NULL, EVP_sha256(), NULL) ? 0 : -ENOMEM;
	OPENSSL_free(tbs);
	if (r)
		return fail(err, errlen, "hashing the request"), r;
	r = sign(arg, digest, &sig, &sig_len, err, errlen);
	if (r < 0)
		return r;
	alg = X509_ALGOR_new();
	if (!alg || !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, NULL) ||
	    !X509_REQ_set1_signature_algo(req, alg)) {
		X509_ALGOR_free(alg);
		return fail(err, errlen, "setting the signature algorithm"), -ENOMEM;
	}
	X509_ALGOR_free(alg);
	bits = ASN1_BIT_STRING_new();
	if (!bits || !ASN1_BIT_STRING_set(bits, sig, (int)sig_len)) {
		ASN1_BIT_STRING_free(bits);
		return -ENOMEM;
	}
	/* Exactly the signature's bytes: no unused bits, not whatever trailing zeros suggest. */
	bits->flags = (bits->flags & ~0x07L) | ASN1_STRING_FLAG_BITS_LEFT;
	X509_REQ_set0_signature(req, bits);
	if (X509_REQ_verify(req, pub) != 1)
		return fail(err, errlen, "the signed request does not verify with its own key"),
		       -EBADMSG;
	*out = req;
	req = NULL;
	return 0;
}

int tao_pem_read_certs(const char *path, X509 **certs, size_t max, char *err, size_t errlen)
{
	CLEANUP(bio_freep) BIO *b = BIO_new_file(path, "r");
	size_t n = 0;
	X509 *c;

	if (!b)
		return fail(err, errlen, "reading %s: %s", path, strerror(errno)), -ENOENT;
	while (n < max && (c = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		certs[n++] = c;
	ERR_clear_error();
	if (n == 0)
		return fail(err, errlen, "%s holds no PEM certificate", path), -EINVAL;
	return (int)n;
}

int tao_pem_write_certs(const char *path, X509 *const *certs, size_t n, char *err, size_t errlen)
{
	CLEANUP(bio_freep) BIO *b = BIO_new(BIO_s_mem());

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!PEM_write_bio_X509(b, certs[i]))
			return fail(err, errlen, "encoding %s", path), -ENOMEM;
	return bio_to_file(b, path, 0644, err, errlen);
}

int tao_pem_write_req(const char *path, X509_REQ *req, char *err, size_t errlen)
{
	CLEANUP(bio_freep) BIO *b = BIO_new(BIO_s_mem());

	if (!b || !PEM_write_bio_X509_REQ(b, req))
		return fail(err, errlen, "encoding %s", path), -ENOMEM;
	return bio_to_file(b, path, 0644, err, errlen);
}
