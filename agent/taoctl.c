// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* taoctl: the command-line front end to the tao kernel module; one table entry per command. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tao_attest.h"
#include "tao_cleanup.h"
#include "tao_hex.h"
#include "tao_json.h"
#include "tao_info.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_replay.h"
#include "tao_tpm2_tools.h"
#include "tao_tpm_public.h"
#include "tao_tpm_rc.h"
#include "tao_verify.h"
#include "taoctl.h"
#include "taoctl_attest.h"
#include "taoctl_devid.h"
#include "taoctl_verify.h"

struct command {
	const char *name;
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line for taoctl --help */
	const char *help;    /* body of taoctl help NAME */
	int (*run)(const struct command *cmd, int argc, char **argv);
};

static int cmd_info(const struct command *cmd, int argc, char **argv);
static int cmd_pcrs(const struct command *cmd, int argc, char **argv);
static int cmd_log(const struct command *cmd, int argc, char **argv);
static int cmd_keys(const struct command *cmd, int argc, char **argv);
static int cmd_bind(const struct command *cmd, int argc, char **argv);
static int cmd_measure(const struct command *cmd, int argc, char **argv);
static int cmd_quote(const struct command *cmd, int argc, char **argv);
static int cmd_random(const struct command *cmd, int argc, char **argv);
static int cmd_help(const struct command *cmd, int argc, char **argv);

/* Option lines: the option in 24 columns, then its description. */
#define JSON_HELP "  -j, --json            Print JSON instead (see taoctl(1))\n"
#define HELP_HELP "  -h, --help            Show this help and exit\n"
#define SEL_HELP                                                                 \
	"                        SEL: banks separated by '+', each BANK:LIST,\n" \
	"                        LIST being 'all' or PCR indices (0-23) and\n"   \
	"                        ranges: sha256:0,1,7+sha1:0-7\n"

static const struct command commands[] = {
	{
		.name = "info",
		.args = "[--json]",
		.summary = "Show the tao module, the TPM it found and its log",
		.help = "Ask the tao kernel module what it found: its version and the TPM\n"
			"(state, device, manufacturer, vendor string, firmware versions,\n"
			"TPM specification level, active PCR banks), and the state of its\n"
			"measurement log (PCR, entries, size, the PCR's values when the log\n"
			"started, counters). Needs no privileges.\n"
			"\n"
			"Options:\n" JSON_HELP HELP_HELP,
		.run = cmd_info,
	},
	{
		.name = "pcrs",
		.args = "[--pcrs SEL] [--json]",
		.summary = "Read PCR values",
		.help = "Read PCRs through the module, all in one locked span of the TPM, and\n"
			"the TPM's PCR update counter. Needs no privileges.\n"
			"\n"
			"Options:\n"
			"  -p, --pcrs SEL        The PCRs to read (default: all of every active\n"
			"                        bank)\n" SEL_HELP JSON_HELP HELP_HELP,
		.run = cmd_pcrs,
	},
	{
		.name = "log",
		.args = "[--start N] [--count N] [--replay] [--json]",
		.summary = "Show the measurement log",
		.help = "Dump the module's measurement log, one line per entry: sequence\n"
			"number, type, name, the first bank's digest (its first 8 bytes) and\n"
			"the data size ('-' for an entry measured from digests). Needs no\n"
			"privileges.\n"
			"\n"
			"Options:\n"
			"  -s, --start N         Begin with entry N (default 0)\n"
			"  -c, --count N         Show at most N entries\n"
			"  -r, --replay          Replay the log (the first N entries with\n"
			"                        --count) from the PCR's values when it started,\n"
			"                        checking every data digest, and print the value\n"
			"                        the log PCR must have in each bank\n" JSON_HELP
				HELP_HELP,
		.run = cmd_log,
	},
	{
		.name = "keys",
		.args = "[--json]",
		.summary = "List persistent keys and the roles bound to them",
		.help = "List every persistent key in the TPM and every bound role whose key\n"
			"is gone: handle, status (ok, mismatch, missing, unreadable), role,\n"
			"key type and TPM Name. Needs no privileges.\n"
			"\n"
			"Options:\n" JSON_HELP HELP_HELP,
		.run = cmd_keys,
	},
	{
		.name = "bind",
		.args = "ROLE HANDLE [--json]",
		.summary = "Bind a role to a persistent key",
		.help = "Bind ROLE (iak, idevid, ldevid or ak) to the persistent key at HANDLE\n"
			"(hex, 0x81000000 to 0x81ffffff). The module records the key's Name and\n"
			"logs the binding, unless the role is already bound to that very key.\n"
			"Needs CAP_NET_ADMIN.\n"
			"\n"
			"Options:\n" JSON_HELP HELP_HELP,
		.run = cmd_bind,
	},
	{
		.name = "measure",
		.args = "--type T --name N (--data-file F | --data S | --digest BANK:HEX...) "
			"[--json]",
		.summary = "Append an entry to the measurement log",
		.help = "Extend the log PCR with an event, append it to the log and print its\n"
			"sequence number. Needs CAP_NET_ADMIN.\n"
			"\n"
			"Options:\n"
			"  -t, --type T          Event type, decimal or 0x hex; the module keeps\n"
			"                        0xffff0000 and up for itself\n"
			"  -n, --name N          Event name: 1 to 255 bytes, no control "
			"characters\n"
			"  -f, --data-file F     Measure the contents of file F ('-': standard\n"
			"                        input), at most 4096 bytes; the log keeps them\n"
			"  -d, --data S          Measure the string S (without a NUL)\n"
			"  -D, --digest BANK:HEX Measure a digest instead of data; give one for\n"
			"                        every active bank (repeat the option)\n" JSON_HELP
				HELP_HELP,
		.run = cmd_measure,
	},
	{
		.name = "quote",
		.args = "--nonce HEX [--pcrs SEL] [--role ROLE] --out DIR [--json]",
		.summary = "Quote PCRs with a bound key and write the evidence",
		.help = "Have the key bound to ROLE quote the PCRs, check the quote against the\n"
			"PCR values and the key, and write to DIR (created if missing):\n"
			"quote.msg (TPMS_ATTEST), quote.sig (TPMT_SIGNATURE), quote.pcrs (the\n"
			"PCR values as tpm2_quote -o writes them), ak.pub.pem (the key) and\n"
			"quote.json (all of it). tpm2_checkquote verifies them:\n"
			"  tpm2_checkquote -u DIR/ak.pub.pem -m DIR/quote.msg -s DIR/quote.sig \\\n"
			"      -f DIR/quote.pcrs -g sha256 -q HEX\n"
			"Needs CAP_NET_ADMIN.\n"
			"\n"
			"Options:\n"
			"  -n, --nonce HEX       The qualifying data in hex, 0 to 64 bytes\n"
			"  -p, --pcrs SEL        The PCRs to quote (default: the log PCR in\n"
			"                        every active bank)\n" SEL_HELP
			"  -r, --role ROLE       iak (default), idevid, ldevid or ak\n"
			"  -o, --out DIR         Where to write the files\n" JSON_HELP HELP_HELP,
		.run = cmd_quote,
	},
	{
		.name = "random",
		.args = "N [--hex] [--json]",
		.summary = "Get N random bytes from the TPM",
		.help = "Get N (1 to 128) random bytes from the TPM and write them to standard\n"
			"output as they are. Needs CAP_NET_ADMIN.\n"
			"\n"
			"Options:\n"
			"  -x, --hex             Print them in hex, with a newline\n" JSON_HELP
				HELP_HELP,
		.run = cmd_random,
	},
	{
		.name = "provision",
		.args = "(--factory --ca DIR [--serial S] [--force] | --existing --iak-cert F "
			"--idevid-cert F) [--iak-handle H] [--idevid-handle H] [--state-dir DIR] "
			"[--json]",
		.summary = "Provision the device identity keys (IAK, IDevID)",
		.help = "With --factory, simulate manufacturing: create an IAK (restricted\n"
			"signing) and an IDevID (unrestricted signing), ECC P-256 primaries of\n"
			"the endorsement hierarchy persisted at 0x81020000 and 0x81020001, have\n"
			"the manufacturer CA in DIR (created if absent) issue their certificates\n"
			"with the same device serial number, certify the IDevID with the IAK,\n"
			"write everything to the state directory and bind both roles. Keys at\n"
			"those handles are never replaced unless --force is given.\n"
			"With --existing, use factory keys already in the TPM: check that they\n"
			"match the given certificates, copy these and bind the roles; nothing\n"
			"is created. Needs root. See docs/provisioning.md.\n"
			"\n"
			"Options:\n"
			"  -F, --factory         Simulated manufacturing (needs --ca)\n"
			"  -c, --ca DIR          The manufacturer CA (ca.key, ca.pem)\n"
			"  -s, --serial S        Device serial number (default: TAO- and 16\n"
			"                        random hex digits)\n"
			"  -f, --force           Replace keys at the handles (destroys them)\n"
			"  -E, --existing        Use existing factory keys\n"
			"  -a, --iak-cert F      The IAK's certificate (PEM, chain leaf first)\n"
			"  -b, --idevid-cert F   The IDevID's certificate (PEM, chain leaf first)\n"
			"  -I, --iak-handle H    The IAK's handle (default 0x81020000)\n"
			"  -D, --idevid-handle H The IDevID's handle (default 0x81020001)\n"
			"  -d, --state-dir DIR   Where certificates go (default "
			"/var/lib/tao)\n" JSON_HELP HELP_HELP,
		.run = taoctl_cmd_provision,
	},
	{
		.name = "ldevid",
		.args = "create [--handle H] [--subject DN] --csr-out FILE [--certify-out DIR] "
			"[--state-dir DIR] [--force] [--json]",
		.summary = "Create an LDevID key and its certificate request",
		.help = "Create an unrestricted ECC P-256 signing key under the SRK, persist it\n"
			"(default 0x81020002), write a PKCS#10 request signed by it in the TPM,\n"
			"and its TPM2_Certify by the IAK (qualifying data: SHA-256 of the\n"
			"request's DER) as ldevid.certify.attest, ldevid.certify.sig,\n"
			"ldevid.tpmt and ldevid.pub.pem. The role is bound when the certificate\n"
			"arrives. Needs root.\n"
			"\n"
			"Options:\n"
			"  -H, --handle H        Persistent handle (default 0x81020002)\n"
			"  -s, --subject DN      Subject, e.g. 'CN=dev1,O=acme' (default:\n"
			"                        CN=LDevID SERIAL,serialNumber=SERIAL)\n"
			"  -o, --csr-out FILE    Where the request goes (PEM)\n"
			"  -C, --certify-out DIR Where the certification goes (default\n"
			"                        STATE-DIR/ldevid)\n"
			"  -d, --state-dir DIR   Default /var/lib/tao\n"
			"  -f, --force           Replace a key at the handle\n" JSON_HELP HELP_HELP,
		.run = taoctl_cmd_ldevid,
	},
	{
		.name = "evidence",
		.args = "--binder HEX [--pcrs SEL] --out FILE [--tls-role ROLE] [--state-dir DIR] "
			"[--json]",
		.summary = "Produce the device's evidence for a binder",
		.help = "Quote PCRs with the IAK through the module (qualifying data: the\n"
			"binder), take the log entries the quote covers, have the IAK certify\n"
			"the TLS key (TPM2_Certify, same binder), add the TLS key's public\n"
			"area, the PCR values and the IAK and TLS key certificates of the state\n"
			"directory, and write the evidence record of docs/protocol.md to FILE\n"
			"(atomically). Needs root.\n"
			"\n"
			"Options:\n"
			"  -b, --binder HEX      32 bytes in hex\n"
			"  -p, --pcrs SEL        The PCRs to quote (default: sha256 and the log\n"
			"                        PCR, sha256:13)\n" SEL_HELP
			"  -o, --out FILE        Where the evidence goes\n"
			"  -r, --tls-role ROLE   idevid (default) or ldevid: the key certified\n"
			"  -d, --state-dir DIR   Certificates (default /var/lib/tao)\n" JSON_HELP
				HELP_HELP,
		.run = taoctl_cmd_evidence,
	},
	{
		.name = "attest",
		.args = "--registrar URL [--ca FILE] [--tls-role ROLE] [--state-dir DIR] [--json]",
		.summary = "Attest to the registrar over one TLS 1.3 session",
		.help = "Connect to the registrar (TLS 1.3, its CA pinned, the TLS role's\n"
			"certificate and its key in the TPM), GET /attest/v1/params, make the\n"
			"evidence for this connection's binder and the PCRs the registrar asks\n"
			"for (as taoctl evidence does), POST it on the same connection and show\n"
			"the result: status, reason, device, attestation id, and the checks that\n"
			"did not pass. Exit status: 0 affirming, 3 warning, 1 contraindicated\n"
			"or none (or an error), 2 bad usage, 4 the registrar cannot be reached.\n"
			"Needs root.\n"
			"\n"
			"Options:\n"
			"  -u, --registrar URL   The registrar, https://HOST:PORT\n"
			"  -c, --ca FILE         The registrar's CA (PEM; default\n"
			"                        STATE-DIR/registrar-ca.pem)\n"
			"  -r, --tls-role ROLE   idevid (default) or ldevid: the TLS key and\n"
			"                        certificate (STATE-DIR/ROLE.pem)\n"
			"  -d, --state-dir DIR   Certificates (default /var/lib/tao)\n" JSON_HELP
				HELP_HELP,
		.run = taoctl_cmd_attest,
	},
	{
		.name = "status",
		.args = "[--enroll | --reattest [--wait SEC]] [--state-dir DIR] [--json]",
		.summary = "Show what the device agent taod reports",
		.help = "Read taod's properties on the system bus (org.tao.Agent1: State,\n"
			"StatusText, DeviceId, Registrar, LastResult, LastAttestation) and show\n"
			"them. With --enroll or --reattest, first ask taod to enroll again (a\n"
			"new LDevID) or to re-attest now (root or group tao), and wait for that\n"
			"session's result (at most --wait seconds, 120 by default). When taod is "
			"not\n"
			"on the bus, show its persisted state (STATE-DIR/taod.json) instead.\n"
			"Exit status: 0 ready with an affirming or warning result, 3 refused or\n"
			"contraindicated, 1 anything else (enrolling, retrying, an error), 2 bad\n"
			"usage, 4 taod is not running.\n"
			"\n"
			"Options:\n"
			"  -E, --enroll          Ask taod to enroll again\n"
			"  -R, --reattest        Ask taod to re-attest now\n"
			"  -w, --wait SEC        How long to wait for that result (default 120)\n"
			"  -d, --state-dir DIR   Where taod.json is (default "
			"/var/lib/tao)\n" JSON_HELP HELP_HELP,
		.run = taoctl_cmd_status,
	},
	{
		.name = "verify",
		.args = "--evidence FILE --binder HEX --trust CA.pem [--policy FILE] [--at TIME] "
			"[--json]",
		.summary = "Verify a device's evidence offline, as the registrar does",
		.help = "Decode the evidence record FILE (docs/protocol.md) and run every check\n"
			"of the verifier: certificate chains, same device, certify, TLS key,\n"
			"quote, clock, log replay, log origin and, with --policy, reference PCR\n"
			"values and allowed events. One line per check (✓ pass, ! warning,\n"
			"✗ failure, - skipped) with its reason, then the status: affirming,\n"
			"warning, contraindicated or none. Exit status: 0 affirming, 3 warning,\n"
			"1 contraindicated or none (or an error), 2 bad usage. Needs no module.\n"
			"\n"
			"Options:\n"
			"  -e, --evidence FILE   The evidence record\n"
			"  -b, --binder HEX      This session's binder, 32 bytes in hex\n"
			"  -t, --trust CA.pem    The manufacturer CA certificates (PEM)\n"
			"  -P, --policy FILE     A reference-value policy (taoctl policy capture)\n"
			"  -a, --at TIME         Verify at TIME instead of now: seconds since\n"
			"                        1970, YYYY-MM-DD or "
			"YYYY-MM-DDTHH:MM:SSZ\n" JSON_HELP HELP_HELP,
		.run = taoctl_cmd_verify,
	},
	{
		.name = "policy",
		.args = "capture --evidence FILE --binder HEX --trust CA.pem --out POLICY [--at "
			"TIME] [--digest-type TYPE]...",
		.summary = "Write a reference-value policy from a known-good device",
		.help = "Verify the evidence (every check but the policy ones must pass;\n"
			"warnings are shown) and write a policy (docs/protocol.md, \"Policy\"):\n"
			"the quoted PCR values except the log PCR, and every (type, name) of the\n"
			"log as an allowed event; for the types of --digest-type, each (type,\n"
			"name, sha256 data digest) instead, so that only that data is allowed.\n"
			"Written atomically. Needs no module.\n"
			"\n"
			"Options:\n"
			"  -e, --evidence FILE   The evidence record\n"
			"  -b, --binder HEX      The binder it was made for, 32 bytes in hex\n"
			"  -t, --trust CA.pem    The manufacturer CA certificates (PEM)\n"
			"  -o, --out POLICY      Where the policy goes\n"
			"  -a, --at TIME         Verify at TIME instead of now\n"
			"  -d, --digest-type TYPE  Capture the data digests of events of TYPE\n"
			"                        (decimal or 0x hex; repeatable)\n" HELP_HELP,
		.run = taoctl_cmd_policy,
	},
	{
		.name = "help",
		.args = "[COMMAND]",
		.summary = "Show help for taoctl or for COMMAND",
		.help = "Without COMMAND, the same as taoctl --help.\n",
		.run = cmd_help,
	},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	fputs("Usage: taoctl [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Query the tao kernel module (TPM-attested onboarding).\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		fprintf(f, "  %-11s%s\n", commands[i].name, commands[i].summary);
	}
	fputs("\n"
	      "Options:\n"
	      "  -h, --help        Show this help and exit\n"
	      "  -V, --version     Show the version and exit\n"
	      "\n"
	      "Run 'taoctl help COMMAND' for more on a command.\n",
	      f);
}

static void print_command_help(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: taoctl %s %s\n\n%s.\n\n%s", cmd->name, cmd->args, cmd->summary,
		cmd->help);
}

static int finish_output(void);

int taoctl_show_help(const struct command *cmd)
{
	print_command_help(stdout, cmd);
	return finish_output();
}

void taoctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("taoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int taoctl_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("taoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'taoctl help %s'.\n", cmd);
	else
		fputs("\nTry 'taoctl --help'.\n", stderr);
	return TAOCTL_EXIT_USAGE;
}

int taoctl_tls_role(const char *cmd, const char *arg, uint32_t *role)
{
	if (strcmp(arg, "idevid") == 0)
		*role = TAO_KEY_ROLE_IDEVID;
	else if (strcmp(arg, "ldevid") == 0)
		*role = TAO_KEY_ROLE_LDEVID;
	else
		return taoctl_usage(cmd, "%s: --tls-role is idevid or ldevid", cmd), -EINVAL;
	return 0;
}

int taoctl_option_error(const char *cmd, char **argv, int c)
{
	const char *where = cmd ? cmd : "";
	const char *sep = cmd ? ": " : "";

	if (c == ':')
		return taoctl_usage(cmd, "%s%soption '%s' needs an argument", where, sep,
				    argv[optind - 1]);
	if (!optopt) /* an unknown or ambiguous long option */
		return taoctl_usage(cmd, "%s%sunknown option '%s'", where, sep, argv[optind - 1]);
	if (strncmp(argv[optind - 1], "--", 2) == 0) /* "--json=x" */
		return taoctl_usage(cmd, "%s%soption '%s' takes no argument", where, sep,
				    argv[optind - 1]);
	return taoctl_usage(cmd, "%s%sunknown option '-%c'", where, sep, optopt);
}

static const char *cmd_name(const struct command *cmd)
{
	return cmd ? cmd->name : NULL;
}

/* Turn a libtao errno into the one line a user can act on. */
static int runtime_error(const struct command *cmd, int rc, const char *detail)
{
	const char *sep = detail && *detail ? ": " : "";

	if (!detail)
		detail = "";
	switch (-rc) {
	case ENOENT:
		taoctl_err("the tao kernel module is not loaded (try: modprobe tao)");
		break;
	case EPERM:
	case EACCES:
		taoctl_err("permission denied talking to the tao module: %s needs CAP_NET_ADMIN "
			   "(run as root)%s%s",
			   cmd->name, sep, detail);
		break;
	case ECONNREFUSED:
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		taoctl_err("generic netlink is not available on this system (%s)", strerror(-rc));
		break;
	case EBADMSG:
	case EPROTO:
		taoctl_err("%s: malformed reply from the tao module: %s", cmd->name,
			   *detail ? detail : strerror(-rc));
		break;
	default:
		taoctl_err("%s: %s%s%s", cmd->name, detail, sep, strerror(-rc));
		break;
	}
	return TAOCTL_EXIT_RUNTIME;
}

/* Output that never reached its destination (full disk, closed pipe) is a failure. */
static int finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		taoctl_err("writing to standard output: %s", strerror(errno));
		return TAOCTL_EXIT_RUNTIME;
	}
	return TAOCTL_EXIT_OK;
}

/* Print doc (pretty, two-space indent) and a newline; takes ownership of doc. */
static int print_json(const struct command *cmd, struct json_object *doc)
{
	TAO_CLEANUP(tao_json_putp) struct json_object *d = doc;
	const char *text = d ? json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_SPACED)
			     : NULL;

	if (!text)
		return runtime_error(cmd, -ENOMEM, "building the JSON document");
	puts(text);
	return TAOCTL_EXIT_OK;
}

/*
 * A request failed: the errno, the module's extended-ACK message or libtao's detail, and the
 * TPM's response code when the TPM refused.
 */
static int request_error(const struct command *cmd, struct tao_nl *nl, int rc)
{
	const char *detail = tao_nl_last_error(nl);
	uint32_t tpm_rc = tao_nl_last_tpm_rc(nl);
	char rc_name[64];

	if (tpm_rc) {
		taoctl_err("%s: %s%sTPM response code 0x%08" PRIx32 " (%s): %s", cmd->name, detail,
			   *detail ? ": " : "", tpm_rc,
			   tao_tpm_rc_str(tpm_rc, rc_name, sizeof(rc_name)), strerror(-rc));
		return TAOCTL_EXIT_RUNTIME;
	}
	if (rc == -ENOENT) { /* a missing key, not a missing module: the family was resolved */
		taoctl_err("%s: %s%s%s", cmd->name, detail, *detail ? ": " : "", strerror(-rc));
		return TAOCTL_EXIT_RUNTIME;
	}
	return runtime_error(cmd, rc, detail);
}

bool taoctl_parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	x = strtoull(s, &end, strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0 ? 16 : 10);
	if (errno || *end || x > UINT32_MAX ||
	    ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && !s[2]))
		return false;
	*v = (uint32_t)x;
	return true;
}

static int open_nl(const struct command *cmd, struct tao_nl **nl)
{
	int rc = tao_nl_open(nl);

	return rc < 0 ? runtime_error(cmd, rc, NULL) : 0;
}

static int cmd_info(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	struct tao_info info;
	bool json = false;
	int c, rc;

	optind = 0; /* restart getopt on the command's own arguments */
	while ((c = getopt_long(argc, argv, "+:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			print_command_help(stdout, cmd);
			return finish_output();
		default:
			return taoctl_option_error(cmd_name(cmd), argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);

	rc = tao_nl_open(&nl);
	if (rc < 0)
		return runtime_error(cmd, rc, NULL);
	rc = tao_nl_get_info(nl, &info);
	if (rc < 0)
		return runtime_error(cmd, rc, tao_nl_last_error(nl));

	if (json) {
		rc = print_json(cmd, tao_info_to_json(&info));
		if (rc)
			return rc;
	} else {
		tao_info_print(stdout, &info);
	}
	return finish_output();
}

/*
 * The options every command has, --json and --help, and getopt_long()'s complaints: returns -1
 * to go on parsing, or the exit status (help shown, usage error).
 */
static int common_option(const struct command *cmd, char **argv, int c, bool *json)
{
	switch (c) {
	case 'j':
		*json = true;
		return -1;
	case 'h':
		print_command_help(stdout, cmd);
		return finish_output();
	default: /* '?', ':' */
		return taoctl_option_error(cmd_name(cmd), argv, c);
	}
}

#define COMMON_OPTION(cmd, argv, c, json)                   \
	do {                                                \
		int r_ = common_option(cmd, argv, c, json); \
		if (r_ >= 0)                                \
			return r_;                          \
	} while (0)

/* Print doc as print_json() does, then check that standard output took it. */
static int json_out(const struct command *cmd, struct json_object *doc)
{
	int rc = print_json(cmd, doc);

	return rc ? rc : finish_output();
}

static int cmd_pcrs(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcrs", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_freep) struct tao_pcr_read *pcrs = malloc(sizeof(*pcrs));
	struct tao_pcr_selection sel;
	bool json = false, have_sel = false;
	char err[TAO_ERRMSG_MAX];
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:p:jh", opts, NULL)) != -1) {
		if (c == 'p') {
			if (tao_pcr_selection_parse(optarg, &sel, err, sizeof(err)) < 0)
				return taoctl_usage(cmd_name(cmd), "%s: --pcrs: %s", cmd->name,
						    err);
			have_sel = true;
			continue;
		}
		COMMON_OPTION(cmd, argv, c, &json);
	}
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);
	if (!pcrs)
		return runtime_error(cmd, -ENOMEM, NULL);
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_pcr_read(nl, have_sel ? &sel : NULL, pcrs);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (json) {
		struct json_object *doc = json_object_new_object();

		if (doc && (!tao_json_put(doc, "update_counter",
					  json_object_new_int64(pcrs->update_counter)) ||
			    !tao_json_put(doc, "pcrs", tao_pcr_values_to_json(&pcrs->values)))) {
			json_object_put(doc);
			doc = NULL;
		}
		return json_out(cmd, doc);
	}
	printf("update counter: %" PRIu32 "\n", pcrs->update_counter);
	tao_pcr_values_print(stdout, &pcrs->values);
	return finish_output();
}

/* What the log dump's callback needs. */
struct log_ctx {
	bool json, replay;
	bool limited;
	uint32_t limit; /* --count: entries to show at most */
	uint32_t pcr;	/* the log PCR, for --replay */
	struct tao_replay r;
	size_t count;
	char err[TAO_ERRMSG_MAX];
};

/* Positive: the callback's own failures, with their message in ctx->err; or enough entries. */
#define LOG_CB_FAILED 1
#define LOG_CB_ENOUGH 2

static int log_entry(const struct tao_log_entry *entry, void *arg)
{
	struct log_ctx *ctx = arg;

	if (ctx->limited && ctx->count == ctx->limit)
		return LOG_CB_ENOUGH;
	if (ctx->replay) {
		if (entry->pcr != ctx->pcr) {
			snprintf(ctx->err, sizeof(ctx->err),
				 "log entry %" PRIu32 " extends PCR %" PRIu32
				 ", not the log PCR %" PRIu32,
				 entry->seq, entry->pcr, ctx->pcr);
			return LOG_CB_FAILED;
		}
		if (tao_replay_extend(&ctx->r, entry, ctx->err, sizeof(ctx->err)) < 0)
			return LOG_CB_FAILED;
	}
	if (ctx->json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *obj = tao_log_entry_to_json(entry);

		if (!obj) {
			snprintf(ctx->err, sizeof(ctx->err), "out of memory");
			return LOG_CB_FAILED;
		}
		fputs(ctx->count ? ",\n" : "\n", stdout);
		fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), stdout);
	} else {
		tao_log_entry_print(stdout, entry);
	}
	ctx->count++;
	/* A closed pipe or a full disk: stop at once rather than dump 100,000 entries into it. */
	if (ferror(stdout)) {
		snprintf(ctx->err, sizeof(ctx->err), "writing to standard output: %s",
			 strerror(errno));
		return LOG_CB_FAILED;
	}
	return 0;
}

static int cmd_log(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "replay", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_freep) struct log_ctx *ctx = calloc(1, sizeof(*ctx));
	struct tao_info info;
	uint32_t start = 0;
	bool json = false;
	int c, rc;

	if (!ctx)
		return runtime_error(cmd, -ENOMEM, NULL);
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:s:c:rjh", opts, NULL)) != -1) {
		if (c == 's') {
			if (!taoctl_parse_u32(optarg, &start))
				return taoctl_usage(cmd_name(cmd),
						    "%s: --start wants a sequence number, not '%s'",
						    cmd->name, optarg);
			continue;
		}
		if (c == 'c') {
			if (!taoctl_parse_u32(optarg, &ctx->limit))
				return taoctl_usage(cmd_name(cmd),
						    "%s: --count wants a number, not '%s'",
						    cmd->name, optarg);
			ctx->limited = true;
			continue;
		}
		if (c == 'r') {
			ctx->replay = true;
			continue;
		}
		COMMON_OPTION(cmd, argv, c, &json);
	}
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);
	if (ctx->replay && start)
		return taoctl_usage(cmd_name(cmd),
				    "%s: --replay needs the log from its start, not from %" PRIu32,
				    cmd->name, start);
	ctx->json = json;
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	if (ctx->replay) {
		rc = tao_nl_get_info(nl, &info);
		if (rc < 0)
			return request_error(cmd, nl, rc);
		if (!info.has_pcr_at_load) {
			taoctl_err("%s: the module's log has not started; nothing to replay",
				   cmd->name);
			return TAOCTL_EXIT_RUNTIME;
		}
		ctx->pcr = info.log_pcr;
		if (tao_replay_init(&ctx->r, &info.pcr_at_load, ctx->err, sizeof(ctx->err)) < 0) {
			taoctl_err("%s: %s", cmd->name, ctx->err);
			return TAOCTL_EXIT_RUNTIME;
		}
	}
	if (json)
		fputs("{\"entries\":[", stdout);
	else
		tao_log_print_header(stdout);
	rc = tao_nl_log_get(nl, start, log_entry, ctx);
	if (rc == LOG_CB_ENOUGH)
		rc = 0;
	if (rc == LOG_CB_FAILED) {
		fflush(stdout);
		taoctl_err("%s: %s", cmd->name, ctx->err);
		return TAOCTL_EXIT_RUNTIME;
	}
	if (rc < 0) {
		fflush(stdout);
		return request_error(cmd, nl, rc);
	}
	if (json) {
		fputs(ctx->count ? "\n]" : "]", stdout);
		if (ctx->replay) {
			TAO_CLEANUP(tao_json_putp) struct json_object *r = json_object_new_object();

			if (!r ||
			    !tao_json_put(r, "entries", json_object_new_int64(ctx->r.entries)) ||
			    !tao_json_put(r, "pcr", json_object_new_int64(ctx->pcr)) ||
			    !tao_json_put(r, "pcrs", tao_digest_list_to_json(&ctx->r.pcrs)))
				return runtime_error(cmd, -ENOMEM, "building the JSON document");
			printf(",\"replay\":%s",
			       json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
		}
		fputs("}\n", stdout);
	} else if (ctx->replay) {
		printf("replayed %" PRIu32 " entries; PCR %" PRIu32 " must be:\n", ctx->r.entries,
		       ctx->pcr);
		for (size_t i = 0; i < ctx->r.pcrs.n; i++) {
			const struct tao_digest *d = &ctx->r.pcrs.d[i];
			char hex[2 * TAO_MAX_DIGEST_SIZE + 1], key[8];

			printf("  %s: %s\n", tao_json_bank_key(d->alg, key),
			       tao_hex_encode(d->bytes, d->size, hex));
		}
	}
	return finish_output();
}

/* The keys of a KEY_LIST dump: printed as they come, or gathered into a JSON array. */
struct keys_ctx {
	struct json_object *arr;
	size_t count;
};

static int key_entry(const struct tao_key_entry *key, void *arg)
{
	struct keys_ctx *ctx = arg;

	ctx->count++;
	if (ctx->arr)
		return tao_json_append(ctx->arr, tao_key_entry_to_json(key)) ? 0 : -ENOMEM;
	if (ctx->count == 1)
		tao_key_print_header(stdout);
	tao_key_entry_print(stdout, key);
	return 0;
}

static int cmd_keys(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_json_putp) struct json_object *arr = NULL;
	struct keys_ctx ctx = { 0 };
	bool json = false;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:jh", opts, NULL)) != -1)
		COMMON_OPTION(cmd, argv, c, &json);
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);
	if (json && !(arr = ctx.arr = json_object_new_array()))
		return runtime_error(cmd, -ENOMEM, NULL);
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_key_list(nl, key_entry, &ctx);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (json)
		return json_out(cmd, tao_steal_ptr(&arr));
	if (!ctx.count)
		puts("no persistent keys");
	return finish_output();
}

static int cmd_bind(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	struct tao_key_bind_reply reply;
	char name[2 * TAO_TPM_NAME_MAX + 1];
	uint32_t role, handle;
	bool json = false;
	int c, rc;

	optind = 0;
	/* Not '+': options may follow ROLE and HANDLE. */
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1)
		COMMON_OPTION(cmd, argv, c, &json);
	if (argc - optind != 2)
		return taoctl_usage(cmd_name(cmd), "%s: wants ROLE and HANDLE", cmd->name);
	if (tao_role_from_name(argv[optind], &role) < 0)
		return taoctl_usage(cmd_name(cmd),
				    "%s: unknown role '%s'; want iak, idevid, ldevid or ak",
				    cmd->name, argv[optind]);
	if (strncmp(argv[optind + 1], "0x", 2) != 0 || !taoctl_parse_u32(argv[optind + 1], &handle))
		return taoctl_usage(cmd_name(cmd),
				    "%s: HANDLE '%s' is not a 32-bit hex number like 0x81000001",
				    cmd->name, argv[optind + 1]);
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_key_bind(nl, role, handle, &reply);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (json)
		return json_out(cmd, tao_key_bind_to_json(&reply));
	tao_hex_encode(reply.name, reply.name_len, name);
	if (reply.measured)
		printf("bound %s to 0x%08" PRIx32 " (Name %s); logged as entry %" PRIu32 "\n",
		       tao_role_name(role), handle, name, reply.seq);
	else
		printf("%s was already bound to 0x%08" PRIx32 " (Name %s); nothing logged\n",
		       tao_role_name(role), handle, name);
	return finish_output();
}

/* Read all of path ("-": standard input) into a malloc()ed buffer of at most max bytes. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	int err;

	if (!f)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		if (f != stdin)
			fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	err = ferror(f) ? -EIO : 0;
	if (f != stdin)
		fclose(f);
	if (!err && n > max)
		err = -EFBIG;
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int cmd_measure(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "data-file", required_argument, NULL, 'f' },
		{ "data", required_argument, NULL, 'd' },
		{ "digest", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_freep) uint8_t *file_data = NULL;
	struct tao_measure m = { 0 };
	struct tao_digest_list digests = { 0 };
	const char *file = NULL, *data = NULL;
	bool json = false, have_type = false;
	char err[TAO_ERRMSG_MAX];
	int c, rc, sources = 0;
	uint32_t seq;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:t:n:f:d:D:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!taoctl_parse_u32(optarg, &m.type))
				return taoctl_usage(
					cmd_name(cmd),
					"%s: --type wants a 32-bit number (decimal or 0x "
					"hex), not '%s'",
					cmd->name, optarg);
			have_type = true;
			continue;
		case 'n':
			m.name = optarg;
			continue;
		case 'f':
			file = optarg;
			sources += 1;
			continue;
		case 'd':
			data = optarg;
			sources += 1;
			continue;
		case 'D':
			if (digests.n == 0)
				sources += 1;
			if (digests.n == TAO_MAX_PCR_BANKS)
				return taoctl_usage(cmd_name(cmd),
						    "%s: more than %d --digest options", cmd->name,
						    TAO_MAX_PCR_BANKS);
			if (tao_digest_parse_arg(optarg, &digests.d[digests.n], err, sizeof(err)))
				return taoctl_usage(cmd_name(cmd), "%s: --digest: %s", cmd->name,
						    err);
			if (tao_digest_list_find(&digests, digests.d[digests.n].alg))
				return taoctl_usage(
					cmd_name(cmd), "%s: --digest: bank %s is given twice",
					cmd->name, tao_alg_name(digests.d[digests.n].alg));
			digests.n++;
			continue;
		default:
			COMMON_OPTION(cmd, argv, c, &json);
		}
	}
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);
	if (!have_type || !m.name)
		return taoctl_usage(cmd_name(cmd), "%s: --type and --name are required", cmd->name);
	if (sources != 1)
		return taoctl_usage(cmd_name(cmd),
				    "%s: give exactly one of --data-file, --data and --digest",
				    cmd->name);
	if (file) {
		/* What one netlink attribute can carry; the module decides what it takes. */
		rc = read_file(file, 65000, &file_data, &m.data_len);
		if (rc < 0) {
			taoctl_err("%s: reading %s: %s", cmd->name, file,
				   rc == -EFBIG ? "larger than a netlink attribute can carry"
						: strerror(-rc));
			return TAOCTL_EXIT_RUNTIME;
		}
		m.data = file_data;
	} else if (data) {
		m.data = (const uint8_t *)data;
		m.data_len = strlen(data);
	} else {
		m.digests = &digests;
	}
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_measure(nl, &m, &seq);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (json) {
		struct json_object *doc = json_object_new_object();

		if (doc && !tao_json_put(doc, "seq", json_object_new_int64(seq))) {
			json_object_put(doc);
			doc = NULL;
		}
		return json_out(cmd, doc);
	}
	printf("logged as entry %" PRIu32 "\n", seq);
	return finish_output();
}

/* Write len bytes to dir/name, replacing it. Returns 0 or a negative errno. */
static int write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	const char *p = buf;
	int fd, err = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len && !err) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno != EINTR)
			err = -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* What the quote command looks for in the key list: the quoting key's public area. */
struct quote_key {
	const struct tao_quote *q;
	bool found;
	size_t public_len;
	uint8_t public_area[TAO_TPM2B_PUBLIC_MAX];
};

static int find_quote_key(const struct tao_key_entry *key, void *arg)
{
	struct quote_key *k = arg;

	if (k->found || key->handle != k->q->handle || !key->public_len ||
	    key->name_len != k->q->key_name_len ||
	    memcmp(key->name, k->q->key_name, key->name_len) != 0)
		return 0;
	k->found = true;
	k->public_len = key->public_len;
	memcpy(k->public_area, key->public_area, key->public_len);
	return 0;
}

/*
 * Everything the quote command checks and writes, besides the quote itself: the key, its PEM,
 * the tpm2-tools PCR file and the JSON document.
 */
struct quote_out {
	struct tao_tpm_public pub;
	char *pem;
	uint8_t *pcrs;
	size_t pcrs_len;
	struct json_object *doc;
	const char *hash; /* the signature's hash: tpm2_checkquote -g */
};

static void quote_out_free(struct quote_out *o)
{
	free(o->pem);
	free(o->pcrs);
	json_object_put(o->doc);
	free(o);
}

static void quote_out_freep(struct quote_out **o)
{
	if (*o)
		quote_out_free(*o);
}

/* Check the quote against its key and PCR values, and build the files' contents. */
static int quote_check(const struct command *cmd, struct tao_nl *nl, const struct tao_quote *q,
		       struct quote_out *o)
{
	const struct tao_attest *a = &q->parsed_attest;
	const struct tao_signature *sig = &q->parsed_signature;
	TAO_CLEANUP(tao_freep) struct quote_key *k = calloc(1, sizeof(*k));
	uint8_t name[TAO_TPM_NAME_MAX], digest[TAO_MAX_DIGEST_SIZE];
	char err[TAO_ERRMSG_MAX];
	struct json_object *files;
	int rc, len;

	if (!k)
		return runtime_error(cmd, -ENOMEM, NULL);
	k->q = q;
	rc = tao_nl_key_list(nl, find_quote_key, k);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (!k->found) {
		taoctl_err("%s: the key that signed the quote (0x%08" PRIx32
			   ") is not in the TPM's key list any more",
			   cmd->name, q->handle);
		return TAOCTL_EXIT_RUNTIME;
	}
	rc = tao_tpm2b_public_parse(k->public_area, k->public_len, &o->pub, err, sizeof(err));
	if (rc < 0) {
		taoctl_err("%s: the signing key's public area: %s", cmd->name, err);
		return TAOCTL_EXIT_RUNTIME;
	}
	len = tao_tpm_public_name(&o->pub, name);
	if (len < 0 || (size_t)len != q->key_name_len || memcmp(name, q->key_name, (size_t)len)) {
		taoctl_err("%s: the signing key's public area does not have the key's Name",
			   cmd->name);
		return TAOCTL_EXIT_RUNTIME;
	}
	o->hash = tao_alg_name(sig->hash);
	if (!o->hash) {
		taoctl_err("%s: the signature has hash 0x%04x, which taoctl does not know",
			   cmd->name, sig->hash);
		return TAOCTL_EXIT_RUNTIME;
	}
	len = tao_pcr_digest(sig->hash, &a->quote.pcr_select, &q->values, digest, err, sizeof(err));
	if (len < 0) {
		taoctl_err("%s: computing the PCR digest: %s", cmd->name, err);
		return TAOCTL_EXIT_RUNTIME;
	}
	if ((size_t)len != a->quote.pcr_digest_len ||
	    memcmp(digest, a->quote.pcr_digest, (size_t)len)) {
		taoctl_err("%s: the PCR values from the module do not give the quote's pcrDigest",
			   cmd->name);
		return TAOCTL_EXIT_RUNTIME;
	}
	if (tao_signature_verify(&o->pub, sig, q->attest, q->attest_len, err, sizeof(err)) < 0) {
		taoctl_err("%s: the quote's signature: %s", cmd->name, err);
		return TAOCTL_EXIT_RUNTIME;
	}
	if (tao_tpm_public_to_pem(&o->pub, &o->pem, err, sizeof(err)) < 0) {
		taoctl_err("%s: the signing key as PEM: %s", cmd->name, err);
		return TAOCTL_EXIT_RUNTIME;
	}
	if (tao_tpm2_tools_pcrs(&a->quote.pcr_select, a->quote.size_of_select, &q->values, &o->pcrs,
				&o->pcrs_len, err, sizeof(err)) < 0) {
		taoctl_err("%s: quote.pcrs: %s", cmd->name, err);
		return TAOCTL_EXIT_RUNTIME;
	}
	o->doc = tao_quote_to_json(q);
	files = json_object_new_object();
	if (!o->doc || !tao_json_put(o->doc, "ak_pub_pem", json_object_new_string(o->pem)) ||
	    !tao_json_put(o->doc, "checkquote_hash", json_object_new_string(o->hash)) ||
	    !tao_json_put(o->doc, "files", files) ||
	    !tao_json_put(files, "msg", json_object_new_string("quote.msg")) ||
	    !tao_json_put(files, "sig", json_object_new_string("quote.sig")) ||
	    !tao_json_put(files, "pcrs", json_object_new_string("quote.pcrs")) ||
	    !tao_json_put(files, "ak_pub_pem", json_object_new_string("ak.pub.pem")))
		return runtime_error(cmd, -ENOMEM, "building the JSON document");
	return 0;
}

static int quote_write(const struct command *cmd, const char *dir, const struct tao_quote *q,
		       const struct quote_out *o)
{
	const char *json = json_object_to_json_string_ext(o->doc, JSON_C_TO_STRING_PRETTY |
									  JSON_C_TO_STRING_SPACED);
	const struct {
		const char *name;
		const void *buf;
		size_t len;
	} files[] = {
		{ "quote.msg", q->attest, q->attest_len },
		{ "quote.sig", q->signature, q->signature_len },
		{ "quote.pcrs", o->pcrs, o->pcrs_len },
		{ "ak.pub.pem", o->pem, strlen(o->pem) },
	};
	TAO_CLEANUP(tao_freep) char *json_nl = NULL;
	int rc;

	if (!json || asprintf(&json_nl, "%s\n", json) < 0)
		return runtime_error(cmd, -ENOMEM, "building the JSON document");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		taoctl_err("%s: creating %s: %s", cmd->name, dir, strerror(errno));
		return TAOCTL_EXIT_RUNTIME;
	}
	for (size_t i = 0; i <= sizeof(files) / sizeof(files[0]); i++) {
		bool last = i == sizeof(files) / sizeof(files[0]);
		const char *name = last ? "quote.json" : files[i].name;

		rc = last ? write_file(dir, name, json_nl, strlen(json_nl))
			  : write_file(dir, name, files[i].buf, files[i].len);
		if (rc < 0) {
			taoctl_err("%s: writing %s/%s: %s", cmd->name, dir, name, strerror(-rc));
			return TAOCTL_EXIT_RUNTIME;
		}
	}
	return 0;
}

static int cmd_quote(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_freep) struct tao_quote *q = malloc(sizeof(*q));
	TAO_CLEANUP(quote_out_freep) struct quote_out *o = calloc(1, sizeof(*o));
	struct tao_pcr_selection sel;
	const char *nonce_hex = NULL, *dir = NULL;
	uint8_t nonce[256];
	uint32_t role = TAO_KEY_ROLE_IAK;
	bool json = false, have_sel = false;
	char err[TAO_ERRMSG_MAX], sel_text[256];
	int c, rc, nonce_len;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:n:p:r:o:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nonce_hex = optarg;
			continue;
		case 'p':
			if (tao_pcr_selection_parse(optarg, &sel, err, sizeof(err)) < 0)
				return taoctl_usage(cmd_name(cmd), "%s: --pcrs: %s", cmd->name,
						    err);
			have_sel = true;
			continue;
		case 'r':
			if (tao_role_from_name(optarg, &role) < 0)
				return taoctl_usage(
					cmd_name(cmd),
					"%s: unknown role '%s'; want iak, idevid, ldevid "
					"or ak",
					cmd->name, optarg);
			continue;
		case 'o':
			dir = optarg;
			continue;
		default:
			COMMON_OPTION(cmd, argv, c, &json);
		}
	}
	if (optind < argc)
		return taoctl_usage(cmd_name(cmd), "%s: unexpected argument '%s'", cmd->name,
				    argv[optind]);
	if (!nonce_hex || !dir)
		return taoctl_usage(cmd_name(cmd), "%s: --nonce and --out are required", cmd->name);
	nonce_len = tao_hex_decode(nonce_hex, nonce, sizeof(nonce));
	if (nonce_len < 0)
		return taoctl_usage(cmd_name(cmd), "%s: --nonce wants %s", cmd->name,
				    nonce_len == -E2BIG ? "at most 256 bytes"
							: "hex digits, an even number of them");
	if (!q || !o)
		return runtime_error(cmd, -ENOMEM, NULL);
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_quote(nl, role, nonce, (size_t)nonce_len, have_sel ? &sel : NULL, q);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if ((rc = quote_check(cmd, nl, q, o)) || (rc = quote_write(cmd, dir, q, o)))
		return rc;
	if (json)
		return json_out(cmd, json_object_get(o->doc));
	tao_pcr_selection_format(&q->parsed_attest.quote.pcr_select, sel_text, sizeof(sel_text));
	printf("quote of %s by %s (0x%08" PRIx32 "), covering log entries 0..%" PRIu32 " (%" PRIu32
	       " entries)\n",
	       sel_text, tao_role_name(q->role), q->handle, q->log_entries - 1, q->log_entries);
	printf("checked: PCR digest and %s signature\n",
	       tao_sig_alg_name(q->parsed_signature.sig_alg));
	printf("wrote %s/{quote.msg,quote.sig,quote.pcrs,ak.pub.pem,quote.json}\n", dir);
	printf("verify: tpm2_checkquote -u %s/ak.pub.pem -m %s/quote.msg -s %s/quote.sig "
	       "-f %s/quote.pcrs -g %s -q %s\n",
	       dir, dir, dir, dir, o->hash, nonce_len ? nonce_hex : "\"\"");
	return finish_output();
}

static int cmd_random(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hex", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TAO_CLEANUP(tao_nl_closep) struct tao_nl *nl = NULL;
	TAO_CLEANUP(tao_freep) uint8_t *buf = NULL;
	TAO_CLEANUP(tao_freep) char *hex = NULL;
	bool json = false, as_hex = false;
	uint32_t n;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":xjh", opts, NULL)) != -1) {
		if (c == 'x') {
			as_hex = true;
			continue;
		}
		COMMON_OPTION(cmd, argv, c, &json);
	}
	if (argc - optind != 1)
		return taoctl_usage(cmd_name(cmd), "%s: wants the number of bytes N", cmd->name);
	if (!taoctl_parse_u32(argv[optind], &n))
		return taoctl_usage(cmd_name(cmd), "%s: N '%s' is not a number", cmd->name,
				    argv[optind]);
	buf = malloc(n ? n : 1);
	if (!buf)
		return runtime_error(cmd, -ENOMEM, NULL);
	if ((rc = open_nl(cmd, &nl)))
		return rc;
	rc = tao_nl_get_random(nl, buf, n);
	if (rc < 0)
		return request_error(cmd, nl, rc);
	if (json || as_hex) {
		hex = tao_hex_alloc(buf, n);
		if (!hex)
			return runtime_error(cmd, -ENOMEM, NULL);
	}
	if (json) {
		struct json_object *doc = json_object_new_object();

		if (doc && (!tao_json_put(doc, "bytes", json_object_new_int64(n)) ||
			    !tao_json_put(doc, "hex", json_object_new_string(hex)))) {
			json_object_put(doc);
			doc = NULL;
		}
		return json_out(cmd, doc);
	}
	if (as_hex)
		puts(hex);
	else
		fwrite(buf, 1, n, stdout);
	return finish_output();
}

static int cmd_help(const struct command *cmd, int argc, char **argv)
{
	const struct command *topic;

	if (argc > 2)
		return taoctl_usage(cmd_name(cmd), "help: takes at most one command name");
	if (argc < 2) {
		print_usage(stdout);
		return finish_output();
	}
	topic = find_command(argv[1]);
	if (!topic)
		return taoctl_usage(NULL, "help: unknown command '%s'", argv[1]);
	print_command_help(stdout, topic);
	return finish_output();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	int c;

	opterr = 0; /* option_error() words the complaints */
	/* '+': stop at the command name; what follows belongs to the command. */
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage(stdout);
			return finish_output();
		case 'V':
			printf("taoctl %s\n", TAO_VERSION);
			return finish_output();
		default:
			return taoctl_option_error(NULL, argv, c);
		}
	}
	if (optind >= argc)
		return taoctl_usage(NULL, "no command given");
	cmd = find_command(argv[optind]);
	if (!cmd)
		return taoctl_usage(NULL, "unknown command '%s'", argv[optind]);
	return cmd->run(cmd, argc - optind, argv + optind);
}
