/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What every taoctl command file shares with the core (taoctl.c): the command table's type, the
 * help printer, and the one way to report errors and usage errors.
 */
#ifndef TAOCTL_H
#define TAOCTL_H

#include <stdbool.h>
#include <stdint.h>

struct command;

/* Exit statuses (docs/taoctl.md); "verify" adds 3 for a warning. */
enum { TAOCTL_EXIT_OK = 0, TAOCTL_EXIT_RUNTIME = 1, TAOCTL_EXIT_USAGE = 2 };

/* The command's help on standard output; returns the exit status. */
int taoctl_show_help(const struct command *cmd);

/* "taoctl: MESSAGE" on standard error. */
__attribute__((format(printf, 1, 2))) void taoctl_err(const char *fmt, ...);

/*
 * A usage error of command cmd (NULL: of taoctl itself), with a pointer to the help that would
 * have avoided it. Returns TAOCTL_EXIT_USAGE.
 */
__attribute__((format(printf, 2, 3))) int taoctl_usage(const char *cmd, const char *fmt, ...);

/* getopt_long() returned '?' or ':' (with opterr 0 it printed nothing). Returns the exit status. */
int taoctl_option_error(const char *cmd, char **argv, int c);

/* A u32 in decimal or 0x hex; false if s is not exactly one. */
bool taoctl_parse_u32(const char *s, uint32_t *v);

/* --tls-role: "idevid" or "ldevid" into *role; else a usage error (printed) and -EINVAL. */
int taoctl_tls_role(const char *cmd, const char *arg, uint32_t *role);

#endif /* TAOCTL_H */
