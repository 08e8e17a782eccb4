// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* taoctl: the command-line front end to the tao kernel module; one table entry per command. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tao_cleanup.h"
#include "tao_info.h"
#include "tao_nl.h"

enum {
	TAOCTL_EXIT_OK = 0,
	TAOCTL_EXIT_RUNTIME = 1, /* the command was understood but failed */
	TAOCTL_EXIT_USAGE = 2,	 /* bad command line */
};

struct command {
	const char *name;
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line for taoctl --help */
	const char *help;    /* body of taoctl help NAME */
	int (*run)(const struct command *cmd, int argc, char **argv);
};

static int cmd_info(const struct command *cmd, int argc, char **argv);
static int cmd_help(const struct command *cmd, int argc, char **argv);

static const struct command commands[] = {
	{
		.name = "info",
		.args = "[--json]",
		.summary = "Show the tao module and the TPM it found",
		.help = "Ask the tao kernel module what it found: its version and the TPM\n"
			"(state, device, manufacturer, vendor string, firmware versions,\n"
			"TPM specification level, active PCR banks). Needs no privileges.\n"
			"\n"
			"Options:\n"
			"  -j, --json   Print a JSON document instead (schema in taoctl(1))\n"
			"  -h, --help   Show this help and exit\n",
		.run = cmd_info,
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
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-18s%s\n", synopsis, commands[i].summary);
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

__attribute__((format(printf, 1, 2))) static void print_error(const char *fmt, ...)
{
	va_list ap;

	fputs("taoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A usage error, with a pointer to the help that would have avoided it. */
__attribute__((format(printf, 2, 3))) static int usage_error(const struct command *cmd,
							     const char *fmt, ...)
{
	va_list ap;

	fputs("taoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'taoctl help %s'.\n", cmd->name);
	else
		fputs("\nTry 'taoctl --help'.\n", stderr);
	return TAOCTL_EXIT_USAGE;
}

/* getopt_long() returned '?' or ':' (opterr is 0, so it printed nothing). */
static int option_error(const struct command *cmd, char **argv, int c)
{
	const char *where = cmd ? cmd->name : "";
	const char *sep = cmd ? ": " : "";

	if (c == ':')
		return usage_error(cmd, "%s%soption '%s' needs an argument", where, sep,
				   argv[optind - 1]);
	if (!optopt) /* an unknown or ambiguous long option */
		return usage_error(cmd, "%s%sunknown option '%s'", where, sep, argv[optind - 1]);
	if (strncmp(argv[optind - 1], "--", 2) == 0) /* "--json=x" */
		return usage_error(cmd, "%s%soption '%s' takes no argument", where, sep,
				   argv[optind - 1]);
	return usage_error(cmd, "%s%sunknown option '-%c'", where, sep, optopt);
}

/* Turn a libtao errno into the one line a user can act on. */
static int runtime_error(const struct command *cmd, int rc, const char *detail)
{
	const char *sep = detail && *detail ? ": " : "";

	if (!detail)
		detail = "";
	switch (-rc) {
	case ENOENT:
		print_error("the tao kernel module is not loaded (try: modprobe tao)");
		break;
	case EPERM:
	case EACCES:
		print_error("permission denied talking to the tao module: %s needs CAP_NET_ADMIN "
			    "(run as root)%s%s",
			    cmd->name, sep, detail);
		break;
	case ECONNREFUSED:
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		print_error("generic netlink is not available on this system (%s)", strerror(-rc));
		break;
	case EBADMSG:
	case EPROTO:
		print_error("%s: malformed reply from the tao module: %s", cmd->name,
			    *detail ? detail : strerror(-rc));
		break;
	default:
		print_error("%s: %s%s%s", cmd->name, detail, sep, strerror(-rc));
		break;
	}
	return TAOCTL_EXIT_RUNTIME;
}

/* Output that never reached its destination (full disk, closed pipe) is a failure. */
static int finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		print_error("writing to standard output: %s", strerror(errno));
		return TAOCTL_EXIT_RUNTIME;
	}
	return TAOCTL_EXIT_OK;
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
			return option_error(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "%s: unexpected argument '%s'", cmd->name, argv[optind]);

	rc = tao_nl_open(&nl);
	if (rc < 0)
		return runtime_error(cmd, rc, NULL);
	rc = tao_nl_get_info(nl, &info);
	if (rc < 0)
		return runtime_error(cmd, rc, tao_nl_last_error(nl));

	if (json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *doc = tao_info_to_json(&info);
		const char *text =
			doc ? json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
									  JSON_C_TO_STRING_SPACED)
			    : NULL;

		if (!text)
			return runtime_error(cmd, -ENOMEM, "building the JSON document");
		puts(text);
	} else {
		tao_info_print(stdout, &info);
	}
	return finish_output();
}

static int cmd_help(const struct command *cmd, int argc, char **argv)
{
	const struct command *topic;

	if (argc > 2)
		return usage_error(cmd, "help: takes at most one command name");
	if (argc < 2) {
		print_usage(stdout);
		return finish_output();
	}
	topic = find_command(argv[1]);
	if (!topic)
		return usage_error(NULL, "help: unknown command '%s'", argv[1]);
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
			return option_error(NULL, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "no command given");
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);
	return cmd->run(cmd, argc - optind, argv + optind);
}
