// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taoctl verify and taoctl policy capture: offline verification of an evidence record with the
 * registrar's code (tao_verifier), and reference-value policies from a known-good device.
 */
#include "taoctl_verify.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/x509_vfy.h>

#include "tao_cleanup.h"
#include "tao_evidence.h"
#include "tao_hex.h"
#include "tao_policy.h"
#include "tao_verifier.h"
#include "taoctl.h"
#include "tao_util.h"

enum { EXIT_OK = TAOCTL_EXIT_OK, EXIT_FAIL = TAOCTL_EXIT_RUNTIME };

/* Seconds since the epoch, or an ISO 8601 date/time in UTC: 2030-01-01, 2030-01-01T12:00:00Z. */
static bool parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;
	char *e;

	if (*s >= '0' && *s <= '9' && !strchr(s, '-')) {
		long long v;

		errno = 0;
		v = strtoll(s, &e, 10);
		if (errno || *e || v <= 0)
			return false;
		*out = (time_t)v;
		return true;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (!end || *end)
			return false;
	}
	*out = timegm(&tm);
	return *out > 0;
}

struct inputs {
	const char *evidence, *binder_hex, *trust, *policy;
	time_t at;
	uint8_t binder[32];
	X509_STORE *store;
	struct tao_evidence ev;
	struct tao_policy pol;
	bool have_policy;
	int decode_rc;
	char decode_err[TAO_ERRMSG_MAX];
};

static void inputs_free(struct inputs *in)
{
	X509_STORE_free(in->store);
	tao_evidence_free(&in->ev);
	tao_policy_free(&in->pol);
}

/*
 * Load what the options name. Evidence that does not decode is not an error here: it is
 * evidence that could not be evaluated (in->decode_rc), a verdict of its own.
 */
static int load_inputs(const char *cmd, struct inputs *in)
{
	TAO_CLEANUP(tao_freep) char *text = NULL;
	char err[TAO_ERRMSG_MAX];
	size_t len;
	int rc;

	if (!in->evidence || !in->binder_hex || !in->trust)
		return taoctl_usage(cmd, "%s: --evidence, --binder and --trust are required", cmd);
	if (tao_hex_decode(in->binder_hex, in->binder, sizeof(in->binder)) != 32)
		return taoctl_usage(cmd, "%s: --binder wants 32 bytes in hex", cmd);
	if (tao_trust_load(in->trust, &in->store, err, sizeof(err)) < 0) {
		taoctl_err("%s: %s", cmd, err);
		return EXIT_FAIL;
	}
	if (in->policy) {
		rc = tao_read_file(in->policy, TAO_POLICY_MAX_BYTES, &text, &len);
		if (rc < 0) {
			taoctl_err("%s: %s: %s", cmd, in->policy, strerror(-rc));
			return EXIT_FAIL;
		}
		if (tao_policy_parse(text, len, &in->pol, err, sizeof(err)) < 0) {
			taoctl_err("%s: %s: %s", cmd, in->policy, err);
			return EXIT_FAIL;
		}
		in->have_policy = true;
		free(tao_steal_ptr(&text));
	}
	rc = tao_read_file(in->evidence, TAO_EVIDENCE_MAX_BYTES, &text, &len);
	if (rc < 0) {
		taoctl_err("%s: %s: %s", cmd, in->evidence,
			   rc == -EFBIG ? "larger than the evidence bound" : strerror(-rc));
		return EXIT_FAIL;
	}
	in->decode_rc =
		tao_evidence_decode(text, len, &in->ev, in->decode_err, sizeof(in->decode_err));
	return EXIT_OK;
}

static int run_verify(struct inputs *in, bool with_policy, struct tao_verdict *v)
{
	struct tao_verify_opts o = {
		.trust = in->store,
		.policy = with_policy && in->have_policy ? &in->pol : NULL,
		.at = in->at,
	};

	if (in->decode_rc < 0) {
		memset(v, 0, sizeof(*v));
		v->status = TAO_STATUS_NONE;
		snprintf(v->reason, sizeof(v->reason), "the evidence does not decode: %.200s",
			 in->decode_err);
		return 0;
	}
	return tao_verify_evidence(&in->ev, in->binder, &o, v);
}

static const char *mark(enum tao_check_result r)
{
	switch (r) {
	case TAO_RESULT_PASS:
		return "✓";
	case TAO_RESULT_WARN:
		return "!";
	case TAO_RESULT_FAIL:
		return "✗";
	default:
		return "-";
	}
}

static void print_verdict(const struct tao_verdict *v)
{
	if (v->status != TAO_STATUS_NONE)
		for (int i = 0; i < TAO_CHECK_COUNT; i++)
			printf("%s %-14s %s\n", mark(v->checks[i].result), tao_check_name(i),
			       v->checks[i].reason);
	printf("%s%s%s: %s\n", tao_status_name(v->status), v->device_serial[0] ? " device " : "",
	       v->device_serial, v->reason);
}

static int exit_status(enum tao_status s)
{
	switch (s) {
	case TAO_STATUS_AFFIRMING:
		return EXIT_OK;
	case TAO_STATUS_WARNING:
		return TAOCTL_EXIT_WARNING;
	default:
		return EXIT_FAIL;
	}
}

/* Common options of verify and policy capture; returns -1 when c was one of them. */
static int common_opt(const char *cmd, int c, struct inputs *in)
{
	switch (c) {
	case 'e':
		in->evidence = optarg;
		return -1;
	case 'b':
		in->binder_hex = optarg;
		return -1;
	case 't':
		in->trust = optarg;
		return -1;
	case 'a':
		if (!parse_time(optarg, &in->at))
			return taoctl_usage(
				cmd, "%s: --at wants seconds since 1970 or YYYY-MM-DD[THH:MM:SSZ]",
				cmd);
		return -1;
	default:
		return 0;
	}
}

int taoctl_cmd_verify(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "evidence", required_argument, NULL, 'e' },
		{ "binder", required_argument, NULL, 'b' },
		{ "trust", required_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'P' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "verify";
	struct inputs in = { 0 };
	struct tao_verdict v;
	bool json = false;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:e:b:t:P:a:jh", opts, NULL)) != -1) {
		rc = common_opt(name, c, &in);
		if (rc < 0)
			continue;
		if (rc > 0)
			return rc;
		switch (c) {
		case 'P':
			in.policy = optarg;
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
	rc = load_inputs(name, &in);
	if (rc == EXIT_OK)
		rc = run_verify(&in, true, &v);
	if (rc == EXIT_OK) {
		if (json) {
			struct json_object *j = tao_verdict_to_json(&v);

			if (!j) {
				taoctl_err("%s: out of memory", name);
				rc = EXIT_FAIL;
			} else {
				puts(json_object_to_json_string_ext(
					j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
				json_object_put(j);
			}
		} else {
			print_verdict(&v);
		}
		if (rc == EXIT_OK)
			rc = exit_status(v.status);
		if (fflush(stdout) != 0) {
			taoctl_err("%s: writing to standard output: %s", name, strerror(errno));
			rc = EXIT_FAIL;
		}
	}
	inputs_free(&in);
	return rc;
}

/* Write text to path atomically: a temporary file next to it, then rename(). */
static int write_atomic(const char *path, const char *text)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		rc = -errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int taoctl_cmd_policy(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "evidence", required_argument, NULL, 'e' },
		{ "binder", required_argument, NULL, 'b' },
		{ "trust", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "digest-type", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "policy", *out = NULL;
	uint32_t types[64];
	size_t n_types = 0, n_digests = 0;
	struct inputs in = { 0 };
	struct tao_policy p = { 0 };
	struct json_object *j = NULL;
	struct tao_verdict v;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "capture") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return taoctl_show_help(cmd);
		return taoctl_usage(name, "%s: the only subcommand is 'capture'", name);
	}
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:e:b:t:a:o:d:h", opts, NULL)) != -1) {
		rc = common_opt(name, c, &in);
		if (rc < 0)
			continue;
		if (rc > 0)
			return rc;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'd':
			if (n_types == sizeof(types) / sizeof(types[0]))
				return taoctl_usage(name, "%s: at most %zu --digest-type", name,
						    sizeof(types) / sizeof(types[0]));
			if (!taoctl_parse_u32(optarg, &types[n_types++]))
				return taoctl_usage(
					name,
					"%s: --digest-type wants an event type (decimal "
					"or 0x hex), not '%s'",
					name, optarg);
			break;
		case 'h':
			return taoctl_show_help(cmd);
		default:
			return taoctl_option_error(name, argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(name, "%s: unexpected argument '%s'", name, argv[optind]);
	if (!out)
		return taoctl_usage(name, "%s capture: --out is required", name);
	rc = load_inputs(name, &in);
	if (rc == EXIT_OK)
		rc = run_verify(&in, false, &v);
	if (rc != EXIT_OK)
		goto done;
	/* A reference only from a device whose evidence holds (warnings are shown). */
	if (v.status != TAO_STATUS_AFFIRMING && v.status != TAO_STATUS_WARNING) {
		print_verdict(&v);
		taoctl_err("%s: the evidence does not verify; no policy written", name);
		rc = EXIT_FAIL;
		goto done;
	}
	for (int i = 0; i < TAO_CHECK_COUNT; i++)
		if (v.checks[i].result == TAO_RESULT_WARN)
			taoctl_err("%s: warning: %s: %s", name, tao_check_name(i),
				   v.checks[i].reason);
	rc = tao_policy_capture_digests(&in.ev, types, n_types, &p);
	if (rc == -ENODATA) {
		taoctl_err("%s: --digest-type: an event of the type has no sha256 data digest (the "
			   "log has no sha256 bank); no policy written",
			   name);
		rc = EXIT_FAIL;
		goto done;
	}
	if (rc < 0 || !(j = tao_policy_to_json(&p))) {
		taoctl_err("%s: out of memory", name);
		rc = EXIT_FAIL;
		goto done;
	}
	for (size_t i = 0; i < p.n_events; i++)
		n_digests += p.events[i].has_digest;
	rc = write_atomic(out, json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	if (rc < 0) {
		taoctl_err("%s: %s: %s", name, out, strerror(-rc));
		rc = EXIT_FAIL;
		goto done;
	}
	printf("wrote %s: %zu reference PCR values, %zu allowed events", out, p.pcrs.n, p.n_events);
	if (n_types)
		printf(", %zu with a data digest", n_digests);
	printf(" (device %s)\n", v.device_serial);
	rc = EXIT_OK;
done:
	json_object_put(j);
	tao_policy_free(&p);
	inputs_free(&in);
	return rc;
}
