// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* LDevID requests at enrollment: checked against the session, and issued (ldevid.h). */
#include "ldevid.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tao_attest.h"
#include "tao_b64url.h"
#include "tao_devid.h"
#include "tao_limits.h"
#include "tao_tpm_public.h"
#include "tao_verify.h"

/* TPMA_OBJECT bits of a TLS key (as the verifier's tls_key check). */
#define TPMA_FIXED_TPM		   0x00000002u
#define TPMA_FIXED_PARENT	   0x00000010u
#define TPMA_SENSITIVE_DATA_ORIGIN 0x00000020u
#define TPMA_RESTRICTED		   0x00010000u
#define TPMA_SIGN		   0x00040000u

/* The largest CSR taken (a P-256 request is about 300 bytes). */
#define CSR_MAX 16384

struct reg_ldevid {
	X509_REQ *csr;
	size_t attest_len, sig_len;
	uint8_t attest[TAO_ATTEST_MAX];
	uint8_t sig[TAO_SIGNATURE_MAX];
	struct tao_tpm_public pub;
};

__attribute__((format(printf, 3, 4))) static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct json_object *member(struct json_object *o, const char *name)
{
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, name) == 0)
			return v;
	}
	return NULL;
}

/* Padded base64 (RFC 4648 section 4) into a malloc()ed buffer; -EINVAL when it is not. */
static long b64_decode(const char *s, size_t n, size_t max, uint8_t **out)
{
	size_t pad = 0;
	uint8_t *buf;
	int len;

	if (n == 0 || n % 4 || n / 4 * 3 > max + 2)
		return n / 4 * 3 > max + 2 ? -E2BIG : -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '=') {
			if (i < n - 2)
				return -EINVAL;
			pad++;
		} else if (pad || !(isalnum((unsigned char)c) || c == '+' || c == '/')) {
			return -EINVAL;
		}
	}
	buf = malloc(n / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return len - (long)pad;
}

/* ldevidCertify.NAME: a base64url string of 1..max bytes into buf. */
static int certify_part(struct json_object *c, const char *name, uint8_t *buf, size_t max,
			size_t *len, char *err, size_t errlen)
{
	struct json_object *v = member(c, name);
	long n;

	if (!v)
		return bad(err, errlen, REG_LDEVID_CERTIFY ".%s is missing", name);
	if (!json_object_is_type(v, json_type_string))
		return bad(err, errlen, REG_LDEVID_CERTIFY ".%s is not a string", name);
	n = tao_b64url_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), buf,
			      max);
	if (n == -E2BIG)
		return bad(err, errlen, REG_LDEVID_CERTIFY ".%s is longer than %zu bytes", name,
			   max);
	if (n <= 0)
		return bad(err, errlen,
			   REG_LDEVID_CERTIFY ".%s is not base64url without padding (RFC 4648 "
					      "section 5) of at least one byte",
			   name);
	*len = (size_t)n;
	return 0;
}

int reg_ldevid_parse(struct json_object *ext, struct reg_ldevid **out, char *err, size_t errlen)
{
	struct json_object *csr = ext ? member(ext, REG_LDEVID_CSR) : NULL;
	struct json_object *cert = ext ? member(ext, REG_LDEVID_CERTIFY) : NULL;
	struct reg_ldevid *l;
	const unsigned char *p;
	uint8_t *der = NULL;
	EVP_PKEY *key;
	char why[TAO_ERRMSG_MAX];
	size_t tpmt_len = 0;
	uint8_t *tpmt;
	long n;
	int rc;

	*out = NULL;
	if (csr && json_object_is_type(csr, json_type_null))
		csr = NULL;
	if (cert && json_object_is_type(cert, json_type_null))
		cert = NULL;
	if (!csr && !cert)
		return 0;
	if (!csr)
		return bad(err, errlen,
			   REG_LDEVID_CERTIFY " is sent without " REG_LDEVID_CSR
					      " (the request it certifies the key of)");
	if (!cert)
		return bad(err, errlen,
			   REG_LDEVID_CSR " is sent without " REG_LDEVID_CERTIFY
					  " (the IAK's certification of its key)");
	if (!json_object_is_type(csr, json_type_string))
		return bad(err, errlen, REG_LDEVID_CSR " is not a string (base64 DER)");
	if (!json_object_is_type(cert, json_type_object))
		return bad(err, errlen,
			   REG_LDEVID_CERTIFY " is not an object {attest, signature, public}");
	json_object_object_foreach(cert, k, v)
	{
		(void)v;
		if (strcasecmp(k, "attest") && strcasecmp(k, "signature") &&
		    strcasecmp(k, "public"))
			return bad(err, errlen, REG_LDEVID_CERTIFY " has no member '%.64s'", k);
	}
	l = calloc(1, sizeof(*l));
	tpmt = malloc(TAO_TPM2B_PUBLIC_MAX);
	if (!l || !tpmt) {
		free(l);
		free(tpmt);
		bad(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = certify_part(cert, "attest", l->attest, sizeof(l->attest), &l->attest_len, err,
			  errlen);
	if (!rc)
		rc = certify_part(cert, "signature", l->sig, sizeof(l->sig), &l->sig_len, err,
				  errlen);
	if (!rc)
		rc = certify_part(cert, "public", tpmt, TAO_TPM2B_PUBLIC_MAX, &tpmt_len, err,
				  errlen);
	if (!rc && tao_tpmt_public_parse(tpmt, tpmt_len, &l->pub, why, sizeof(why)) < 0)
		rc = bad(err, errlen, REG_LDEVID_CERTIFY ".public: malformed TPMT_PUBLIC: %s", why);
	free(tpmt);
	if (rc)
		goto fail;
	n = b64_decode(json_object_get_string(csr), (size_t)json_object_get_string_len(csr),
		       CSR_MAX, &der);
	if (n == -ENOMEM) {
		bad(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	if (n <= 0) {
		if (n == -E2BIG)
			rc = bad(err, errlen, REG_LDEVID_CSR " is longer than %d bytes", CSR_MAX);
		else
			rc = bad(err, errlen,
				 REG_LDEVID_CSR " is not padded base64 (RFC 4648 section 4) of a "
						"DER request");
		goto fail;
	}
	p = der;
	l->csr = d2i_X509_REQ(NULL, &p, n);
	if (!l->csr || p != der + n) {
		rc = bad(err, errlen,
			 REG_LDEVID_CSR " is not one DER PKCS#10 CertificationRequest");
		goto fail;
	}
	key = X509_REQ_get0_pubkey(l->csr);
	if (!key) {
		rc = bad(err, errlen, REG_LDEVID_CSR ": the request's public key does not parse");
		goto fail;
	}
	if (X509_REQ_verify(l->csr, key) != 1) {
		rc = bad(err, errlen,
			 REG_LDEVID_CSR ": the request's self-signature does not verify with its "
					"own key");
		goto fail;
	}
	free(der);
	*out = l;
	return 0;
fail:
	free(der);
	reg_ldevid_free(l);
	return rc;
}

void reg_ldevid_free(struct reg_ldevid *l)
{
	if (!l)
		return;
	X509_REQ_free(l->csr);
	free(l);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int reg_ldevid_verify(const struct reg_ldevid *l, EVP_PKEY *iak, const uint8_t binder[32],
		      char *err, size_t errlen)
{
	static const struct {
		uint32_t bit;
		bool want;
		const char *why;
	} attrs[] = {
		{ TPMA_FIXED_TPM, true, "fixedTPM is clear: the key may be duplicated" },
		{ TPMA_FIXED_PARENT, true, "fixedParent is clear: the key may be duplicated" },
		{ TPMA_SENSITIVE_DATA_ORIGIN, true,
		  "sensitiveDataOrigin is clear: the key was imported, not made in the TPM" },
		{ TPMA_RESTRICTED, false, "restricted is set: not a TLS key" },
		{ TPMA_SIGN, true, "sign is clear: the key cannot sign" },
	};
	uint8_t name[TAO_TPM_NAME_MAX];
	struct tao_signature *s = NULL;
	struct tao_attest *a = NULL;
	char why[TAO_ERRMSG_MAX];
	EVP_PKEY *pkey = NULL;
	int n, rc = -EINVAL;

	if (l->attest_len < 6)
		return bad(err, errlen, REG_LDEVID_CERTIFY ".attest of %zu bytes is truncated",
			   l->attest_len);
	if (be32(l->attest) != TAO_TPM_GENERATED_VALUE)
		return bad(err, errlen,
			   REG_LDEVID_CERTIFY ": magic 0x%08x is not TPM_GENERATED_VALUE",
			   be32(l->attest));
	if ((l->attest[4] << 8 | l->attest[5]) != TAO_TPM_ST_ATTEST_CERTIFY)
		return bad(err, errlen,
			   REG_LDEVID_CERTIFY ": type 0x%04x is not TPM_ST_ATTEST_CERTIFY",
			   l->attest[4] << 8 | l->attest[5]);
	a = malloc(sizeof(*a));
	s = malloc(sizeof(*s));
	if (!a || !s) {
		bad(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (tao_attest_parse(l->attest, l->attest_len, a, why, sizeof(why)) < 0) {
		bad(err, errlen, REG_LDEVID_CERTIFY ": malformed TPMS_ATTEST: %s", why);
		goto out;
	}
	if (tao_signature_parse(l->sig, l->sig_len, s, why, sizeof(why)) < 0) {
		bad(err, errlen, REG_LDEVID_CERTIFY ": malformed TPMT_SIGNATURE: %s", why);
		goto out;
	}
	if (!iak) {
		bad(err, errlen, REG_LDEVID_CERTIFY ": no IAK key to check it with");
		goto out;
	}
	if (tao_signature_verify_pkey(iak, s, l->attest, l->attest_len, why, sizeof(why)) < 0) {
		bad(err, errlen, REG_LDEVID_CERTIFY ": not signed by the IAK: %s", why);
		goto out;
	}
	if (a->extra_data_len != 32 || CRYPTO_memcmp(a->extra_data, binder, 32) != 0) {
		bad(err, errlen,
		    REG_LDEVID_CERTIFY ": extraData is not this session's binder (a "
				       "certification made for another session)");
		goto out;
	}
	n = tao_tpm_public_name(&l->pub, name);
	if (n < 0) {
		bad(err, errlen, REG_LDEVID_CERTIFY ".public: nameAlg 0x%04x has no hash here",
		    l->pub.name_alg);
		goto out;
	}
	if (a->certify.name_len != (size_t)n || memcmp(a->certify.name, name, (size_t)n) != 0) {
		bad(err, errlen,
		    REG_LDEVID_CERTIFY ": the certified Name is not the Name of "
				       "ldevidCertify.public");
		goto out;
	}
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!!(l->pub.attributes & attrs[i].bit) != attrs[i].want) {
			bad(err, errlen, "the LDevID key: %s", attrs[i].why);
			goto out;
		}
	if (tao_tpm_public_to_pkey(&l->pub, &pkey, why, sizeof(why)) < 0) {
		bad(err, errlen, "the LDevID key is unusable: %s", why);
		goto out;
	}
	if (EVP_PKEY_eq(pkey, X509_REQ_get0_pubkey(l->csr)) != 1) {
		bad(err, errlen,
		    REG_LDEVID_CSR ": the request's key is not the key the IAK certified");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	free(a);
	free(s);
	return rc;
}

int reg_cert_serial_hex(const X509 *cert, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int rc = hex && strlen(hex) < len ? 0 : -ENOMEM;

	if (!rc)
		snprintf(buf, len, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

int reg_serial_hex_canon(const char *in, char *buf, size_t len)
{
	char tmp[130];
	BIGNUM *bn = NULL;
	char *hex;
	size_t n = 0;
	int rc;

	if (strncasecmp(in, "serial=", 7) == 0)
		in += 7;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n + 1 >= sizeof(tmp))
			return -EINVAL;
		tmp[n++] = *in;
	}
	tmp[n] = '\0';
	if (!n || BN_hex2bn(&bn, tmp) != (int)n) {
		BN_free(bn);
		return -EINVAL;
	}
	hex = BN_bn2hex(bn);
	rc = hex && strlen(hex) < len ? 0 : -ENOMEM;
	if (!rc)
		snprintf(buf, len, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

int reg_ldevid_issue(const struct reg_ldevid *l, EVP_PKEY *ca_key, X509 *ca_cert,
		     const char *serial, int days, X509 **out, char *serial_hex, size_t hex_len,
		     char *err, size_t errlen)
{
	X509 *c = NULL;
	int rc;

	rc = tao_ldevid_cert_issue(ca_key, ca_cert, X509_REQ_get0_pubkey(l->csr), serial, days, &c,
				   err, errlen);
	if (rc < 0)
		return rc;
	if (reg_cert_serial_hex(c, serial_hex, hex_len) < 0) {
		X509_free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = c;
	return 0;
}
