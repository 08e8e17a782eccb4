/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* taoctl's verifier commands (verify, policy), kept out of taoctl.c; they share its table. */
#ifndef TAOCTL_VERIFY_H
#define TAOCTL_VERIFY_H

struct command;

/* taoctl verify's exit status for a warning verdict (0 affirming, 1 contraindicated or none). */
#define TAOCTL_EXIT_WARNING 3

int taoctl_cmd_verify(const struct command *cmd, int argc, char **argv);
int taoctl_cmd_policy(const struct command *cmd, int argc, char **argv);

#endif /* TAOCTL_VERIFY_H */
