/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tao-devsim: the simulated device of devsim.h on the command line, for shell tests.
 *
 *   tao-devsim provision [--tcti CONF] --ca-dir DIR --serial S --out DIR
 *   tao-devsim evidence [--tcti CONF] --dir DIR --binder HEX [--pcrs SEL] --out FILE|-
 *   tao-devsim attest [--tcti CONF] --dir DIR --registrar URL --ca FILE [--cert F --key F]
 *                     [--evidence F] [--save-evidence F] [--count N] [--plain] [--json]
 *                     [--enroll [--ldevid [--ldevid-save F | --ldevid-from F]
 *                     [--ldevid-foreign-csr]]] [--tls-role idevid|ldevid]
 *
 * attest runs attested sessions with the registrar (tao_client_attest) with the IDevID in the
 * TPM as the TLS key; --evidence posts a file instead of fresh evidence and --save-evidence
 * keeps what was posted (relay and replay tests); --cert/--key use a software identity instead;
 * --plain makes plain mutual-auth GET /attest/v1/params requests (the benchmark's baseline);
 * --enroll sends the evidence to POST /scim/v2/Devices (SCIM enrollment) instead; with --ldevid
 * the enrollment asks for an LDevID (the key created under the SRK at 0x81020002 if missing, a
 * CSR signed in the TPM, the IAK's certification of the key for the session's binder) and the
 * issued certificate is written to DIR/ldevid.pem; --ldevid-save keeps the request sent (JSON),
 * --ldevid-from sends a saved one instead (replay tests), --ldevid-foreign-csr sends a CSR of a
 * software key that is not the certified one; --tls-role ldevid makes the LDevID (key and
 * DIR/ldevid.pem) the TLS identity and the key the evidence certifies;
 * --count N > 1 prints "session I id ID status S" per session as it completes and, when all
 * completed, one JSON line of timings.
 *
 * Exit status: 0 done, 1 failed (the message on stderr), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <stdbool.h>

#include <json-c/json.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "devsim.h"
#include "tao_b64url.h"
#include "tao_client.h"
#include "tao_evidence.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_devid.h"
#include "tao_hex.h"
#include "tao_limits.h"
#include "tao_pcr_sel.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* The selection quoted when --pcrs is not given: the log PCR, as `taoctl evidence` does. */
#define DEFAULT_PCRS "sha256:13"

struct command {
	const char *name;
	const char *usage;
	int (*run)(const struct command *cmd, int argc, char **argv);
};

__attribute__((format(printf, 2, 3))) static int usage(const struct command *cmd, const char *fmt,
						       ...)
{
	va_list ap;

	fprintf(stderr, "tao-devsim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: tao-devsim %s %s\n", cmd->name, cmd->usage);
	return EXIT_USAGE;
}

static int failed(const struct command *cmd, const char *err)
{
	fprintf(stderr, "tao-devsim %s: %s\n", cmd->name, err);
	return EXIT_FAILED;
}

/* getopt_long's complaint about argv[optind - 1], in this tool's words. */
static int option_error(const struct command *cmd, char **argv, int c)
{
	if (c == ':')
		return usage(cmd, "%s needs a value", argv[optind - 1]);
	return usage(cmd, "unknown option '%s'", argv[optind - 1]);
}

static int cmd_provision(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcti", required_argument, NULL, 't' },
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "serial", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tcti = NULL, *ca_dir = NULL, *serial = NULL, *out = NULL;
	char err[TAO_ERRMSG_MAX];
	int c;

	while ((c = getopt_long(argc, argv, "+:t:c:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tcti = optarg;
			break;
		case 'c':
			ca_dir = optarg;
			break;
		case 's':
			serial = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: tao-devsim %s %s\n", cmd->name, cmd->usage);
			return 0;
		default:
			return option_error(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (!ca_dir || !serial || !out)
		return usage(cmd, "--ca-dir, --serial and --out are required");
	if (devsim_provision(tcti, ca_dir, serial, out, err, sizeof(err)) < 0)
		return failed(cmd, err);
	printf("provisioned device %s: %s/%s, %s/%s (CA of %s)\n", serial, out, DEVSIM_IAK_PEM, out,
	       DEVSIM_IDEVID_PEM, ca_dir);
	return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

static int cmd_evidence(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcti", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "binder", required_argument, NULL, 'b' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tcti = NULL, *dir = NULL, *binder_hex = NULL, *pcrs = DEFAULT_PCRS, *out = NULL;
	struct tao_pcr_selection sel;
	struct devsim *d = NULL;
	uint8_t binder[32];
	char err[TAO_ERRMSG_MAX], serial[TAO_SERIAL_MAX + 1], *text = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+:t:d:b:p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tcti = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'b':
			binder_hex = optarg;
			break;
		case 'p':
			pcrs = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: tao-devsim %s %s\n", cmd->name, cmd->usage);
			return 0;
		default:
			return option_error(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (!dir || !binder_hex || !out)
		return usage(cmd, "--dir, --binder and --out are required");
	if (tao_hex_decode(binder_hex, binder, sizeof(binder)) != (int)sizeof(binder))
		return usage(cmd, "--binder wants 32 bytes in hex (64 hex digits)");
	if (tao_pcr_selection_parse(pcrs, &sel, err, sizeof(err)) < 0)
		return usage(cmd, "--pcrs: %s", err);

	if (devsim_open(tcti, dir, &d, err, sizeof(err)) < 0)
		return failed(cmd, err);
	snprintf(serial, sizeof(serial), "%s", devsim_serial(d));
	rc = devsim_evidence(d, binder, &sel, &text, err, sizeof(err));
	devsim_close(d);
	if (rc < 0)
		return failed(cmd, err);
	if (strcmp(out, "-") == 0) {
		rc = fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ? -EIO : 0;
	} else {
		rc = tao_write_atomic(out, text, strlen(text), 0644);
		if (!rc && printf("wrote %s (%zu bytes, evidence of device %s)\n", out,
				  strlen(text), serial) < 0)
			rc = -EIO;
	}
	if (!rc && fflush(stdout))
		rc = -EIO;
	free(text);
	if (rc < 0) {
		snprintf(err, sizeof(err), "writing %s: %s", strcmp(out, "-") ? out : "stdout",
			 strerror(-rc));
		return failed(cmd, err);
	}
	return 0;
}

/* The evidence of one session: fresh from the device, or a file's (relay and replay tests). */
struct attest_src {
	struct devsim *d;
	const char *file; /* post this instead */
	const char *save; /* keep a copy of what was posted */
	char err[TAO_ERRMSG_MAX];
};

static int attest_make(void *arg, const uint8_t binder[32], const struct tao_attest_params *params,
		       char **text, char *err, size_t errlen)
{
	struct attest_src *a = arg;
	int rc;

	if (a->file) {
		FILE *f = fopen(a->file, "re");
		size_t n;

		if (!f)
			return snprintf(err, errlen, "%s: %s", a->file, strerror(errno)), -errno;
		*text = malloc(TAO_EVIDENCE_MAX_BYTES + 1);
		n = *text ? fread(*text, 1, TAO_EVIDENCE_MAX_BYTES, f) : 0;
		fclose(f);
		if (!*text)
			return -ENOMEM;
		(*text)[n] = '\0';
		rc = 0;
	} else {
		rc = devsim_evidence_fn(a->d, binder, params, text, err, errlen);
	}
	if (rc == 0 && a->save) {
		rc = tao_write_atomic(a->save, *text, strlen(*text), 0644);
		if (rc < 0) {
			snprintf(err, errlen, "writing %s: %s", a->save, strerror(-rc));
			free(*text);
			*text = NULL;
		}
	}
	return rc;
}

/* The LDevID request of an enrollment: fresh from the device, or a saved one (replay tests). */
struct ldevid_src {
	struct devsim *d;
	bool foreign_csr;
	const char *save, *from;
};

static const char *const ldevid_keys[] = { "csr", "attest", "signature", "public" };

static int ldevid_load(const char *path, struct tao_ldevid_request *out, char *err, size_t errlen)
{
	struct json_object *o = json_object_from_file(path), *v;
	uint8_t *bufs[] = { NULL, out->attest, out->sig, out->public_area };
	size_t max[] = { 16384, sizeof(out->attest), sizeof(out->sig), sizeof(out->public_area) };
	size_t *lens[] = { &out->csr_len, &out->attest_len, &out->sig_len, &out->public_len };
	int rc = 0;

	if (!o)
		return snprintf(err, errlen, "%s: not a saved LDevID request", path), -EINVAL;
	out->csr_der = bufs[0] = malloc(max[0]);
	for (size_t i = 0; i < 4 && !rc; i++) {
		long n = -EINVAL;

		if (bufs[i] && json_object_object_get_ex(o, ldevid_keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			n = tao_b64url_decode(json_object_get_string(v),
					      (size_t)json_object_get_string_len(v), bufs[i],
					      max[i]);
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s is missing or malformed", path,
				 ldevid_keys[i]);
			rc = -EINVAL;
		} else
			*lens[i] = (size_t)n;
	}
	json_object_put(o);
	return rc;
}

static int ldevid_save(const char *path, const struct tao_ldevid_request *r, char *err,
		       size_t errlen)
{
	const uint8_t *bufs[] = { r->csr_der, r->attest, r->sig, r->public_area };
	size_t lens[] = { r->csr_len, r->attest_len, r->sig_len, r->public_len };
	struct json_object *o = json_object_new_object();
	int rc = o ? 0 : -ENOMEM;

	for (size_t i = 0; i < 4 && !rc; i++) {
		char *t = tao_b64url_encode(bufs[i], lens[i]);

		if (!t)
			rc = -ENOMEM;
		else
			json_object_object_add(o, ldevid_keys[i], json_object_new_string(t));
		free(t);
	}
	if (!rc) {
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

		rc = tao_write_atomic(path, text, strlen(text), 0644);
	}
	json_object_put(o);
	if (rc < 0)
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	return rc;
}

static int ldevid_make(void *arg, const uint8_t binder[32], struct tao_ldevid_request *out,
		       char *err, size_t errlen)
{
	struct ldevid_src *l = arg;
	int rc;

	if (l->from)
		rc = ldevid_load(l->from, out, err, errlen);
	else
		rc = devsim_ldevid_request(l->d, binder, l->foreign_csr, out, err, errlen);
	if (rc == 0 && l->save)
		rc = ldevid_save(l->save, out, err, errlen);
	return rc;
}

/* The issued LDevID into dir/ldevid.pem. */
static int ldevid_write(const char *dir, const uint8_t *der, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	char path[4096];
	int rc;

	if (!x)
		return snprintf(err, errlen, "the issued LDevID does not parse"), -EBADMSG;
	snprintf(path, sizeof(path), "%s/%s", dir, DEVSIM_LDEVID_PEM);
	rc = tao_pem_write_certs(path, &x, 1, err, errlen);
	X509_free(x);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmd_attest(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcti", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "registrar", required_argument, NULL, 'r' },
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "evidence", required_argument, NULL, 'e' },
		{ "save-evidence", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "plain", no_argument, NULL, 'p' },
		{ "enroll", no_argument, NULL, 'E' },
		{ "ldevid", no_argument, NULL, 'L' },
		{ "ldevid-save", required_argument, NULL, 'S' },
		{ "ldevid-from", required_argument, NULL, 'R' },
		{ "ldevid-foreign-csr", no_argument, NULL, 'F' },
		{ "tls-role", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tcti = NULL, *dir = NULL, *cert = NULL, *keyfile = NULL;
	struct tao_client_opts o = { 0 };
	struct attest_src src = { 0 };
	struct ldevid_src lsrc = { 0 };
	char err[TAO_ERRMSG_MAX], path[4096];
	bool plain = false, json = false, ldevid = false, tls_ldevid = false;
	long count = 1, affirming = 0, other = 0;
	double *ms = NULL;
	EVP_PKEY *key = NULL;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "+:t:d:r:a:C:K:e:s:n:pELS:R:FT:jh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 't':
			tcti = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'r':
			o.url = optarg;
			break;
		case 'a':
			o.ca_file = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			keyfile = optarg;
			break;
		case 'e':
			src.file = optarg;
			break;
		case 's':
			src.save = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			if (count < 1 || count > 1000000)
				return usage(cmd, "--count is 1 to 1000000");
			break;
		case 'p':
			plain = true;
			break;
		case 'E':
			o.enroll = true;
			break;
		case 'L':
			ldevid = true;
			break;
		case 'S':
			lsrc.save = optarg;
			break;
		case 'R':
			lsrc.from = optarg;
			break;
		case 'F':
			lsrc.foreign_csr = true;
			break;
		case 'T':
			if (strcmp(optarg, "ldevid") && strcmp(optarg, "idevid"))
				return usage(cmd, "--tls-role is idevid or ldevid");
			tls_ldevid = strcmp(optarg, "ldevid") == 0;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: tao-devsim %s %s\n", cmd->name, cmd->usage);
			return 0;
		default:
			return option_error(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o.url || !o.ca_file)
		return usage(cmd, "--registrar and --ca are required");
	if (!!cert != !!keyfile)
		return usage(cmd, "--cert and --key go together");
	if ((lsrc.save || lsrc.from || lsrc.foreign_csr) && !ldevid)
		return usage(cmd, "--ldevid-save, --ldevid-from and --ldevid-foreign-csr go with "
				  "--ldevid");
	if (ldevid && (!o.enroll || !dir || cert))
		return usage(cmd, "--ldevid goes with --enroll and --dir (the TPM's keys)");
	if (tls_ldevid && (!dir || cert))
		return usage(cmd, "--tls-role ldevid needs --dir (the TPM's LDevID)");
	if (!dir && !(cert && (src.file || plain)))
		return usage(cmd, "--dir is required (unless a software --cert/--key posts a file "
				  "or --plain)");
	if (dir && (rc = devsim_open(tcti, dir, &src.d, err, sizeof(err))) < 0)
		return failed(cmd, err);
	if (cert) {
		FILE *f = fopen(keyfile, "re");

		key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (!key) {
			devsim_close(src.d);
			snprintf(err, sizeof(err), "%s: not a PEM private key", keyfile);
			return failed(cmd, err);
		}
		o.cert_file = cert;
	} else {
		if (tls_ldevid && devsim_use_ldevid(src.d, dir, err, sizeof(err)) < 0) {
			devsim_close(src.d);
			return failed(cmd, err);
		}
		snprintf(path, sizeof(path), "%s/%s", dir,
			 tls_ldevid ? DEVSIM_LDEVID_PEM : DEVSIM_IDEVID_PEM);
		o.cert_file = path;
		if (tao_tls_key_load(devsim_esys(src.d),
				     tls_ldevid ? TAO_HANDLE_LDEVID : TAO_HANDLE_IDEVID, &key, err,
				     sizeof(err)) < 0) {
			devsim_close(src.d);
			return failed(cmd, err);
		}
	}
	o.key = key;
	if (ldevid) {
		lsrc.d = src.d;
		o.ldevid = ldevid_make;
		o.ldevid_arg = &lsrc;
	}
	ms = calloc((size_t)count, sizeof(*ms));
	if (!ms) {
		rc = -ENOMEM;
		goto out;
	}
	for (long i = 0; i < count; i++) {
		struct tao_attest_outcome res = { 0 };
		struct tao_client_timing t = { 0 };
		char *body = NULL;
		long st;

		if (plain) {
			st = tao_client_get(&o, "/attest/v1/params", &body, &t, err, sizeof(err));
			free(body);
			if (st != 200) {
				if (st >= 0)
					snprintf(err, sizeof(err), "HTTP status %ld", st);
				rc = -EIO;
				break;
			}
			ms[i] = t.total;
			affirming++;
			continue;
		}
		rc = tao_client_attest(&o, attest_make, &src, &res, err, sizeof(err));
		if (rc < 0) {
			tao_attest_outcome_free(&res);
			break;
		}
		ms[i] = res.timing.total;
		if (ldevid && !res.ldevid_der) {
			rc = -EBADMSG;
			snprintf(err, sizeof(err), "the enrolled Device carries no LDevID");
		}
		if (ldevid && res.ldevid_der)
			rc = ldevid_write(dir, res.ldevid_der, res.ldevid_len, err, sizeof(err));
		if (rc < 0) {
			tao_attest_outcome_free(&res);
			break;
		}
		if (res.status == TAO_STATUS_AFFIRMING)
			affirming++;
		else
			other++;
		if (count > 1) {
			/* One line per session as it completes (a test counts what it was told). */
			printf("session %ld id %" PRId64 " status %s\n", i, res.attestation_id,
			       tao_status_name(res.status));
			fflush(stdout);
		} else {
			if (json)
				puts(json_object_to_json_string_ext(res.ear,
								    JSON_C_TO_STRING_PLAIN));
			else if (o.enroll)
				printf("enrolled %s as %s, %s: %s (attestation %" PRId64 ")\n",
				       res.device[0] ? res.device : "?", res.resource_id,
				       tao_status_name(res.status), res.reason, res.attestation_id);
			else
				printf("%s %s: %s (attestation %" PRId64 ")\n",
				       res.device[0] ? res.device : "?",
				       tao_status_name(res.status), res.reason, res.attestation_id);
		}
		tao_attest_outcome_free(&res);
	}
	if (rc == 0 && count > 1) {
		qsort(ms, (size_t)count, sizeof(*ms), cmp_double);
		printf("{\"sessions\": %ld, \"affirming\": %ld, \"other\": %ld, \"plain\": %s, "
		       "\"ms_median\": %.3f, \"ms_p90\": %.3f, \"ms_min\": %.3f}\n",
		       count, affirming, other, plain ? "true" : "false", ms[count / 2],
		       ms[(count * 9) / 10], ms[0]);
	}
out:
	free(ms);
	EVP_PKEY_free(key);
	devsim_close(src.d);
	if (rc < 0)
		return failed(cmd, err);
	return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

static const struct command commands[] = {
	{ "provision", "[--tcti CONF] --ca-dir DIR --serial S --out DIR", cmd_provision },
	{ "evidence", "[--tcti CONF] --dir DIR --binder HEX [--pcrs SEL] --out FILE|-",
	  cmd_evidence },
	{ "attest",
	  "[--tcti CONF] --dir DIR --registrar URL --ca FILE [--cert F --key F] [--evidence F] "
	  "[--save-evidence F] [--count N] [--plain] [--enroll [--ldevid [--ldevid-save F | "
	  "--ldevid-from F] [--ldevid-foreign-csr]]] [--tls-role idevid|ldevid] [--json]",
	  cmd_attest },
};

static void help(FILE *f)
{
	fprintf(f, "usage: tao-devsim COMMAND [OPTIONS]\n\n"
		   "A simulated tao device on a TPM behind a TCTI (swtpm), without the module.\n"
		   "--tcti defaults to $TAO_TCTI, then $TPM2TOOLS_TCTI, then the device.\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  tao-devsim %s %s\n", commands[i].name, commands[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(&commands[i], argc - 1, argv + 1);
	fprintf(stderr, "tao-devsim: unknown command '%s'\n", argv[1]);
	help(stderr);
	return EXIT_USAGE;
}
