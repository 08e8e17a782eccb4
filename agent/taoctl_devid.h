/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * taoctl's device-identity commands (provision, ldevid, evidence), kept out of taoctl.c; they
 * share its command table and its help printer.
 */
#ifndef TAOCTL_DEVID_H
#define TAOCTL_DEVID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "taoctl.h"

struct command;
struct tao_nl;
struct tao_esys;
struct tao_tpm_public;

/* Where provisioning keeps certificates and state unless --state-dir says otherwise. */
#define TAOCTL_STATE_DIR "/var/lib/tao"

int taoctl_cmd_provision(const struct command *cmd, int argc, char **argv);
int taoctl_cmd_ldevid(const struct command *cmd, int argc, char **argv);
int taoctl_cmd_evidence(const struct command *cmd, int argc, char **argv);

/* Shared by the commands above (taoctl_devid.c). */
bool taoctl_parse_handle(const char *s, uint32_t *h);
/* Open the module's netlink family, and check that it has a TPM 2.0; exit status or 0. */
int taoctl_open_module(const char *cmd, struct tao_nl **nl);
int taoctl_open_tpm(const char *cmd, struct tao_esys **e);
/* The handle and public area of the key bound to role (status ok); exit status or 0. */
int taoctl_bound_key(const char *cmd, struct tao_nl *nl, uint32_t role, uint32_t *handle,
		     struct tao_tpm_public *pub);

#endif /* TAOCTL_DEVID_H */
