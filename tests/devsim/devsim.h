/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A simulated device: valid evidence (docs/protocol.md section 2) from a TPM reached through a
 * TCTI (swtpm on the host), without the kernel module. For host tests and the registrar
 * benchmark: one process can drive several devices, each on its own TPM.
 *
 * The keys and certificates are the real thing (docs/provisioning.md: IAK and IDevID as
 * endorsement primaries at their persistent handles, certificates from the simulated
 * manufacturer CA). What is simulated is the module's log: the evidence carries an empty log of
 * PCR 13 (TAO_DEFAULT_PCR) that started from all-zero values, quoted directly with TPM2_Quote.
 * On a TPM where nothing extended PCR 13 (a fresh swtpm) that log replays to the quoted value,
 * and the verifier affirms the evidence.
 */
#ifndef TAO_DEVSIM_H
#define TAO_DEVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct devsim;
struct tao_ldevid_request;
struct tao_attest_params;
struct tao_esys;
struct tao_pcr_selection;

/* The files of a device's directory. */
#define DEVSIM_IAK_PEM	  "iak.pem"		/* the IAK certificate (the leaf) */
#define DEVSIM_IDEVID_PEM "idevid.pem"		/* the IDevID certificate (the leaf) */
#define DEVSIM_CA_PEM	  "manufacturer-ca.pem" /* a copy of the CA certificate */
#define DEVSIM_LDEVID_PEM "ldevid.pem"		/* the LDevID the registrar issued */

/*
 * Provision the device on the TPM behind tcti (NULL: tao_esys_tcti_conf()): the IAK
 * (TAO_TEMPLATE_IAK) at TAO_HANDLE_IAK and the IDevID (TAO_TEMPLATE_DEVID) at TAO_HANDLE_IDEVID,
 * created as endorsement primaries unless a key of that kind is already there (a primary comes
 * back the same, so provisioning twice gives the same keys); the manufacturer CA of ca_dir
 * loaded, or created when ca_dir has none (tao_ca_load_or_create()); both certificates issued
 * for serial and written to out_dir (created, mode 0755, if missing) with a copy of the CA
 * certificate. Returns 0 or a negative errno with a message: -EINVAL (a bad serial), -ENODEV
 * (no TPM there), -EEXIST (a handle holds a key of the other kind), -EIO, ...
 */
int devsim_provision(const char *tcti, const char *ca_dir, const char *serial, const char *out_dir,
		     char *err, size_t errlen);

/*
 * Open the device provisioned into dir on the TPM behind tcti (NULL: tao_esys_tcti_conf()): the
 * TPM connection stays open for the device's life, the certificates and the IDevID's public
 * area are read once. Returns 0, -ENOENT (a key or a certificate missing: not provisioned),
 * -EKEYREJECTED (a certificate that is not the key's in the TPM), or another negative errno,
 * with a message.
 */
int devsim_open(const char *tcti, const char *dir, struct devsim **out, char *err, size_t errlen);

/* Close the TPM connection and free the device. Accepts NULL. */
void devsim_close(struct devsim *d);

/* The device's TPM connection (to extend PCRs in tests, or to load the TLS key). */
struct tao_esys *devsim_esys(struct devsim *d);

/* The device's serial number (the certificates' subject serialNumber). */
const char *devsim_serial(const struct devsim *d);

/*
 * The encoded evidence (tao_evidence_encode(), a malloc()ed *text) for binder: TPM2_PCR_Read and
 * TPM2_Quote of sel by the IAK, TPM2_Certify of the IDevID by the IAK, both with binder as
 * qualifying data; the IDevID's TPMT_PUBLIC; the IAK and IDevID certificates; an empty log of
 * PCR 13 starting from zeros in every bank of sel that selects PCR 13 (sha256 if none does: the
 * verifier wants sel to cover sha256 PCR 13). The PCR values are read again if a PCR changed
 * between the read and the quote. Returns 0 or a negative errno with a message.
 */
int devsim_evidence(struct devsim *d, const uint8_t binder[32], const struct tao_pcr_selection *sel,
		    char **text, char *err, size_t errlen);

/*
 * devsim_evidence() as a tao_evidence_fn (agent/lib/tao_client.h): arg is the struct devsim,
 * params->pcrs the selection. -EPROTONOSUPPORT when params ask for another evidence version.
 */
int devsim_evidence_fn(void *arg, const uint8_t binder[32], const struct tao_attest_params *params,
		       char **text, char *err, size_t errlen);

/*
 * The LDevID request of an enrollment (tao_ldevid_fn, agent/lib/tao_client.h) for binder: the
 * LDevID key — created under the SRK at TAO_HANDLE_LDEVID when no key is there — a PKCS#10
 * request for it signed in the TPM (subject CN=LDevID <serial>, serialNumber=<serial>), and
 * TPM2_Certify of it by the IAK with binder as qualifying data. With foreign_csr the request is
 * for (and signed by) a software key instead, which is not the certified one (a test of the
 * registrar). Returns 0 or a negative errno with a message.
 */
int devsim_ldevid_request(struct devsim *d, const uint8_t binder[32], bool foreign_csr,
			  struct tao_ldevid_request *out, char *err, size_t errlen);

/*
 * From now on, the device's TLS identity is the LDevID: the key at TAO_HANDLE_LDEVID and the
 * certificate dir/DEVSIM_LDEVID_PEM (which must be that key's); evidence certifies that key and
 * carries that certificate as the TLS leaf. Returns 0, -ENOENT (no LDevID), -EKEYREJECTED, ...
 */
int devsim_use_ldevid(struct devsim *d, const char *dir, char *err, size_t errlen);

#endif /* TAO_DEVSIM_H */
