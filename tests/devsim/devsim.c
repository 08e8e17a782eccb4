/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* A simulated device: provisioning and evidence over a TCTI, without the module (devsim.h). */
#include "devsim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tao_attest.h"
#include "tao_client.h"
#include "tao_devid.h"
#include "tao_evidence.h"
#include "tao_names.h"
#include "tao_pcr_sel.h"
#include "tao_pcr_values.h"
#include "tao_ldevid_req.h"
#include "tao_tpm_esys.h"
#include "tao_tpm_public.h"
#include "tao_util.h"

/* How often a quote is taken again when a PCR changed between the read and the quote. */
#define QUOTE_TRIES 4

struct der_chain {
	size_t n;
	struct tao_blob certs[TAO_EVIDENCE_MAX_CERTS];
};

struct devsim {
	struct tao_esys *e;
	char serial[TAO_SERIAL_MAX + 1];
	struct der_chain iak, idevid; /* idevid: the TLS identity's chain (or the LDevID's) */
	uint32_t tls_handle;	      /* TAO_HANDLE_IDEVID, or TAO_HANDLE_LDEVID */
	size_t idevid_tpmt_len;
	uint8_t idevid_tpmt[TAO_TPM2B_PUBLIC_MAX];
};

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Prefix err (which holds a message) with what was being done. */
static void err_prefix(char *err, size_t errlen, const char *what)
{
	char tmp[TAO_ERRMSG_MAX];

	snprintf(tmp, sizeof(tmp), "%s", err);
	snprintf(err, errlen, "%s: %s", what, tmp);
}

static void chain_free(struct der_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->certs[i].bytes);
	c->n = 0;
}

/* The key at handle: its parsed public area (into a malloc()ed *pub) and as an EVP_PKEY. */
static int read_key(struct tao_esys *e, uint32_t handle, const char *what,
		    struct tao_tpm_public **pub, EVP_PKEY **pkey, char *err, size_t errlen)
{
	uint8_t tpmt[TAO_TPM2B_PUBLIC_MAX];
	int n, rc;

	*pub = malloc(sizeof(**pub));
	if (!*pub)
		return -ENOMEM;
	n = tao_esys_read_public(e, handle, tpmt, err, errlen);
	if (n < 0) {
		rc = n;
		goto fail;
	}
	rc = tao_tpmt_public_parse(tpmt, (size_t)n, *pub, err, errlen);
	if (!rc && pkey)
		rc = tao_tpm_public_to_pkey(*pub, pkey, err, errlen);
	if (!rc)
		return 0;
fail:
	err_prefix(err, errlen, what);
	free(*pub);
	*pub = NULL;
	return rc;
}

/*
 * The key of kind at handle: created unless one is there; one that is there must be of the
 * kind (restricted for the IAK, unrestricted for the IDevID).
 */
static int ensure_key(struct tao_esys *e, enum tao_esys_template tmpl, uint32_t handle,
		      const char *what, char *err, size_t errlen)
{
	struct tao_tpm_public *pub = NULL;
	bool restricted;
	int rc = tao_esys_exists(e, handle, err, errlen);

	if (rc < 0)
		return rc;
	if (!rc) {
		rc = tao_esys_create_primary_persist(e, tmpl, handle, err, errlen);
		if (rc < 0)
			err_prefix(err, errlen, what);
		return rc;
	}
	rc = read_key(e, handle, what, &pub, NULL, err, errlen);
	if (rc < 0)
		return rc;
	restricted = pub->attributes & 0x00010000u; /* TPMA_OBJECT_RESTRICTED */
	free(pub);
	if (restricted != (tmpl == TAO_TEMPLATE_IAK)) {
		set_err(err, errlen, "%s: the key at 0x%08" PRIx32 " is %srestricted: not an %s",
			what, handle, restricted ? "" : "not ", what);
		return -EEXIST;
	}
	return 0;
}

static int issue(struct tao_esys *e, EVP_PKEY *ca_key, X509 *ca_cert, uint32_t handle,
		 enum tao_devid_kind kind, const char *what, const char *serial, const char *path,
		 char *err, size_t errlen)
{
	struct tao_tpm_public *pub = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	int rc = read_key(e, handle, what, &pub, &pkey, err, errlen);

	free(pub);
	if (rc < 0)
		return rc;
	rc = tao_devid_cert_issue(ca_key, ca_cert, pkey, kind, serial, &cert, err, errlen);
	if (!rc)
		rc = tao_pem_write_certs(path, &cert, 1, err, errlen);
	if (rc < 0)
		err_prefix(err, errlen, what);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return rc;
}

int devsim_provision(const char *tcti, const char *ca_dir, const char *serial, const char *out_dir,
		     char *err, size_t errlen)
{
	struct tao_esys *e = NULL;
	EVP_PKEY *ca_key = NULL;
	X509 *ca_cert = NULL;
	char path[4096];
	bool created;
	int rc;

	if (!serial || !tao_serial_valid(serial)) {
		set_err(err, errlen, "the serial number must be 1..%d printable ASCII characters",
			TAO_SERIAL_MAX);
		return -EINVAL;
	}
	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		set_err(err, errlen, "creating %s: %s", out_dir, strerror(errno));
		return rc;
	}
	rc = tao_esys_open_tcti(tcti, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = ensure_key(e, TAO_TEMPLATE_IAK, TAO_HANDLE_IAK, "IAK", err, errlen);
	if (!rc)
		rc = ensure_key(e, TAO_TEMPLATE_DEVID, TAO_HANDLE_IDEVID, "IDevID", err, errlen);
	if (!rc) {
		rc = tao_ca_load_or_create(ca_dir, &ca_key, &ca_cert, &created, err, errlen);
		if (rc < 0)
			err_prefix(err, errlen, "the manufacturer CA");
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, DEVSIM_IAK_PEM);
		rc = issue(e, ca_key, ca_cert, TAO_HANDLE_IAK, TAO_DEVID_IAK, "IAK", serial, path,
			   err, errlen);
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, DEVSIM_IDEVID_PEM);
		rc = issue(e, ca_key, ca_cert, TAO_HANDLE_IDEVID, TAO_DEVID_IDEVID, "IDevID",
			   serial, path, err, errlen);
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, DEVSIM_CA_PEM);
		rc = tao_pem_write_certs(path, &ca_cert, 1, err, errlen);
	}
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	tao_esys_close(e);
	return rc;
}

/* The certificates of dir/file as DER, leaf first; the leaf's key must be key. */
static int load_chain(const char *dir, const char *file, EVP_PKEY *key, const char *what,
		      struct der_chain *c, char *serial, size_t serial_len, char *err,
		      size_t errlen)
{
	X509 *certs[TAO_EVIDENCE_MAX_CERTS] = { 0 };
	char path[4096];
	int count, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	count = tao_pem_read_certs(path, certs, TAO_EVIDENCE_MAX_CERTS, err, errlen);
	if (count < 0) {
		err_prefix(err, errlen, what);
		return count;
	}
	if (count == 0) {
		set_err(err, errlen, "%s: no certificate in %s", what, path);
		return -ENOENT;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(certs[0]), key) != 1) {
		set_err(err, errlen, "%s: %s is not the certificate of the key in the TPM", what,
			path);
		rc = -EKEYREJECTED;
	}
	if (!rc && tao_cert_serial(certs[0], serial, serial_len) < 0) {
		set_err(err, errlen, "%s: %s names no serialNumber", what, path);
		rc = -EBADMSG;
	}
	for (int i = 0; i < count; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(certs[i], &der);

		if (!rc && (len <= 0 || tao_blob_set(&c->certs[c->n], der, (size_t)len)))
			rc = -ENOMEM;
		if (!rc)
			c->n++;
		OPENSSL_free(der);
		X509_free(certs[i]);
	}
	return rc;
}

int devsim_open(const char *tcti, const char *dir, struct devsim **out, char *err, size_t errlen)
{
	struct devsim *d = calloc(1, sizeof(*d));
	struct tao_tpm_public *iak = NULL, *idevid = NULL;
	EVP_PKEY *iak_key = NULL, *idevid_key = NULL;
	char idevid_serial[TAO_SERIAL_MAX + 1];
	int rc;

	if (!d)
		return -ENOMEM;
	rc = tao_esys_open_tcti(tcti, &d->e, err, errlen);
	if (!rc)
		rc = read_key(d->e, TAO_HANDLE_IAK, "IAK", &iak, &iak_key, err, errlen);
	if (!rc)
		rc = read_key(d->e, TAO_HANDLE_IDEVID, "IDevID", &idevid, &idevid_key, err, errlen);
	if (!rc)
		rc = load_chain(dir, DEVSIM_IAK_PEM, iak_key, "IAK", &d->iak, d->serial,
				sizeof(d->serial), err, errlen);
	if (!rc)
		rc = load_chain(dir, DEVSIM_IDEVID_PEM, idevid_key, "IDevID", &d->idevid,
				idevid_serial, sizeof(idevid_serial), err, errlen);
	if (!rc && strcmp(d->serial, idevid_serial) != 0) {
		set_err(err, errlen, "the IAK certificate names device \"%s\", the IDevID \"%s\"",
			d->serial, idevid_serial);
		rc = -EKEYREJECTED;
	}
	if (!rc) {
		d->tls_handle = TAO_HANDLE_IDEVID;
		d->idevid_tpmt_len = idevid->tpmt_len;
		memcpy(d->idevid_tpmt, idevid->tpmt, idevid->tpmt_len);
	}
	EVP_PKEY_free(iak_key);
	EVP_PKEY_free(idevid_key);
	free(iak);
	free(idevid);
	if (rc < 0) {
		devsim_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

void devsim_close(struct devsim *d)
{
	if (!d)
		return;
	tao_esys_close(d->e);
	chain_free(&d->iak);
	chain_free(&d->idevid);
	free(d);
}

struct tao_esys *devsim_esys(struct devsim *d)
{
	return d->e;
}

const char *devsim_serial(const struct devsim *d)
{
	return d->serial;
}

static int chain_copy(const struct der_chain *c, struct tao_blob *blobs, size_t *n)
{
	for (size_t i = 0; i < c->n; i++) {
		if (tao_blob_set(&blobs[i], c->certs[i].bytes, c->certs[i].len))
			return -ENOMEM;
		*n = i + 1;
	}
	return 0;
}

/*
 * The PCR values and a quote of them that agree: the pcrDigest of the values read is the
 * quote's. A PCR that changed in between (another user of the TPM) makes another round.
 */
static int quote_pcrs(struct devsim *d, const uint8_t binder[32],
		      const struct tao_pcr_selection *sel, struct tao_evidence *ev, char *err,
		      size_t errlen)
{
	uint8_t attest[TAO_ATTEST_MAX], sig[TAO_SIGNATURE_MAX], digest[TAO_MAX_DIGEST_SIZE];
	struct tao_attest *a = malloc(sizeof(*a));
	size_t attest_len, sig_len;
	int rc = 0, n;

	if (!a)
		return -ENOMEM;
	for (int tries = 0; tries < QUOTE_TRIES; tries++) {
		rc = tao_esys_pcr_read(d->e, sel, &ev->pcrs, err, errlen);
		if (rc < 0) {
			err_prefix(err, errlen, "reading the PCRs");
			break;
		}
		rc = tao_esys_quote(d->e, TAO_HANDLE_IAK, binder, 32, sel, attest, &attest_len, sig,
				    &sig_len, err, errlen);
		if (rc < 0) {
			err_prefix(err, errlen, "quoting with the IAK");
			break;
		}
		rc = tao_attest_parse(attest, attest_len, a, err, errlen);
		if (rc < 0) {
			err_prefix(err, errlen, "the quote");
			break;
		}
		/* The IAK signs ECDSA/SHA-256: the pcrDigest is a SHA-256. */
		n = tao_pcr_digest(0x000b, &a->quote.pcr_select, &ev->pcrs, digest, err, errlen);
		if (n < 0) {
			err_prefix(err, errlen, "the quoted PCRs");
			rc = n;
			break;
		}
		if ((size_t)n == a->quote.pcr_digest_len &&
		    memcmp(digest, a->quote.pcr_digest, (size_t)n) == 0) {
			rc = tao_blob_set(&ev->quote_attest, attest, attest_len);
			if (!rc)
				rc = tao_blob_set(&ev->quote_signature, sig, sig_len);
			break;
		}
		set_err(err, errlen, "the PCRs kept changing between reading and quoting them");
		rc = -EAGAIN;
	}
	free(a);
	return rc;
}

/* log.pcr_at_load: zeros in every bank of sel that has PCR 13, or in sha256 if none has it. */
static void log_origin(const struct tao_pcr_selection *sel, struct tao_digest_list *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < sel->n && l->n < TAO_MAX_PCR_BANKS; i++) {
		unsigned int size = tao_alg_digest_size(sel->banks[i].alg);

		if (!(sel->banks[i].mask & (1u << TAO_DEFAULT_PCR)) || !size)
			continue;
		l->d[l->n].alg = sel->banks[i].alg;
		l->d[l->n++].size = (uint16_t)size;
	}
	if (!l->n) {
		l->d[0].alg = 0x000b; /* TPM_ALG_SHA256 */
		l->d[0].size = 32;
		l->n = 1;
	}
}

int devsim_evidence(struct devsim *d, const uint8_t binder[32], const struct tao_pcr_selection *sel,
		    char **text, char *err, size_t errlen)
{
	struct tao_evidence *ev = calloc(1, sizeof(*ev));
	uint8_t attest[TAO_ATTEST_MAX], sig[TAO_SIGNATURE_MAX];
	size_t attest_len, sig_len;
	int rc;

	if (!ev)
		return -ENOMEM;
	ev->version = TAO_EVIDENCE_VERSION;
	memcpy(ev->binder, binder, 32);
	rc = quote_pcrs(d, binder, sel, ev, err, errlen);
	if (!rc) {
		ev->log_pcr = TAO_DEFAULT_PCR;
		log_origin(sel, &ev->log_pcr_at_load);
		ev->n_entries = 0;
		rc = tao_esys_certify(d->e, d->tls_handle, TAO_HANDLE_IAK, binder, 32, attest,
				      &attest_len, sig, &sig_len, err, errlen);
		if (rc < 0)
			err_prefix(err, errlen, "certifying the TLS key with the IAK");
	}
	if (!rc && (tao_blob_set(&ev->certify_attest, attest, attest_len) ||
		    tao_blob_set(&ev->certify_signature, sig, sig_len) ||
		    tao_blob_set(&ev->tls_key_public, d->idevid_tpmt, d->idevid_tpmt_len) ||
		    chain_copy(&d->iak, ev->iak_certs, &ev->n_iak_certs) ||
		    chain_copy(&d->idevid, ev->idevid_certs, &ev->n_idevid_certs))) {
		set_err(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (!rc) {
		rc = tao_evidence_encode(ev, text, err, errlen);
		if (rc < 0)
			err_prefix(err, errlen, "encoding the evidence");
	}
	tao_evidence_free(ev);
	free(ev);
	return rc;
}

int devsim_evidence_fn(void *arg, const uint8_t binder[32], const struct tao_attest_params *params,
		       char **text, char *err, size_t errlen)
{
	if (params->evidence_version != TAO_EVIDENCE_VERSION) {
		set_err(err, errlen,
			"evidence version %" PRIu32 " is asked for; this device makes %d",
			params->evidence_version, TAO_EVIDENCE_VERSION);
		return -EPROTONOSUPPORT;
	}
	return devsim_evidence(arg, binder, &params->pcrs, text, err, errlen);
}

int devsim_ldevid_request(struct devsim *d, const uint8_t binder[32], bool foreign_csr,
			  struct tao_ldevid_request *out, char *err, size_t errlen)
{
	struct tao_ldevid_req_opts o = { .ldevid_handle = TAO_HANDLE_LDEVID,
					 .iak_handle = TAO_HANDLE_IAK,
					 .serial = d->serial };
	int rc;

	if (foreign_csr && !(o.foreign = EVP_EC_gen("P-256"))) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = tao_ldevid_request_make(d->e, &o, binder, out, NULL, err, errlen);
	EVP_PKEY_free(o.foreign);
	return rc;
}

int devsim_use_ldevid(struct devsim *d, const char *dir, char *err, size_t errlen)
{
	struct tao_tpm_public *pub = NULL;
	struct der_chain chain = { 0 };
	char serial[TAO_SERIAL_MAX + 1];
	EVP_PKEY *pkey = NULL;
	int rc;

	rc = read_key(d->e, TAO_HANDLE_LDEVID, "LDevID", &pub, &pkey, err, errlen);
	if (rc == -ENOENT)
		set_err(err, errlen, "no LDevID key at 0x%08x (enroll with --ldevid first)",
			TAO_HANDLE_LDEVID);
	if (!rc)
		rc = load_chain(dir, DEVSIM_LDEVID_PEM, pkey, "LDevID", &chain, serial,
				sizeof(serial), err, errlen);
	if (!rc && strcmp(serial, d->serial) != 0) {
		set_err(err, errlen, "the LDevID names device \"%s\", the IAK \"%s\"", serial,
			d->serial);
		rc = -EKEYREJECTED;
	}
	if (!rc) {
		chain_free(&d->idevid);
		d->idevid = chain;
		chain.n = 0;
		d->idevid_tpmt_len = pub->tpmt_len;
		memcpy(d->idevid_tpmt, pub->tpmt, pub->tpmt_len);
		d->tls_handle = TAO_HANDLE_LDEVID;
	}
	chain_free(&chain);
	EVP_PKEY_free(pkey);
	free(pub);
	return rc;
}
