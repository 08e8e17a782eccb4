/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* taoctl attest: one attested session with the registrar (taoctl_attest.c). */
#ifndef TAOCTL_ATTEST_H
#define TAOCTL_ATTEST_H

#include "taoctl.h"

struct command;

/* Exit status of taoctl attest when the registrar cannot be reached (docs/taoctl.md). */
#define TAOCTL_EXIT_UNREACHABLE 4

int taoctl_cmd_attest(const struct command *cmd, int argc, char **argv);

/* taoctl status: taod's state over D-Bus (taoctl_status.c). */
int taoctl_cmd_status(const struct command *cmd, int argc, char **argv);

#endif /* TAOCTL_ATTEST_H */
