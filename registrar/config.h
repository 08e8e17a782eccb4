/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * registrar.conf: INI (libinih), every key documented in docs/registrar.md. Relative paths are
 * taken from the configuration file's directory. Unknown sections or keys, a key set twice and
 * values out of range are errors naming file, line and key.
 *
 * [tenant NAME] sections map manufacturer CAs to tenants with a self-enrollment policy each
 * (docs/scim.md, "Tenants and self-enrollment"); their certificates are read at load time, so
 * a CA that is unreadable, not trusted by [trust] manufacturer_ca, or another tenant's already
 * is an error naming file, line and key too.
 */
#ifndef TAO_REGISTRAR_CONFIG_H
#define TAO_REGISTRAR_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_pcr_sel.h"

#define REG_MAX_TENANTS	    32
#define REG_TENANT_MAX_CAS  16
#define REG_TENANT_NAME_MAX 63

/* A [tenant NAME] section: the manufacturer CAs that map unknown devices to it, its policy. */
struct reg_tenant {
	char name[REG_TENANT_NAME_MAX + 1];
	bool self_enroll; /* may its unknown devices enroll themselves (default no) */
	size_t n_cas;
	uint8_t ca_sha256[REG_TENANT_MAX_CAS][32]; /* SHA-256 of each CA certificate (DER) */
};

struct reg_config {
	char path[PATH_MAX]; /* the file itself */

	/* [server] */
	char listen_host[256]; /* an IP address; "127.0.0.1" */
	uint16_t listen_port;  /* 8443; 0: any free port (tests) */
	char certificate[PATH_MAX];
	char key[PATH_MAX];
	unsigned int max_connections;
	size_t max_body_bytes;
	size_t max_header_bytes;
	unsigned int request_timeout; /* seconds for a whole request, headers and body */
	unsigned int idle_timeout;    /* seconds without a byte */

	/* [trust] */
	char manufacturer_ca[PATH_MAX];
	char operator_ca[PATH_MAX];
	char operator_key[PATH_MAX];

	/* [attestation] */
	char pcrs_text[256];
	struct tao_pcr_selection pcrs;
	char policy[PATH_MAX]; /* "": no policy */

	/* [scim] */
	bool self_enroll;	     /* may an unknown device enroll itself (default yes) */
	char self_enroll_tenant[64]; /* the tenant self-enrolled Devices land in ("") */
	unsigned int ldevid_days;    /* validity of the LDevIDs issued at enrollment (365) */

	/* [tenant NAME] sections, in the order of the file */
	size_t n_tenants;
	struct reg_tenant tenants[REG_MAX_TENANTS];

	/* [store] */
	char database[PATH_MAX];

	/* [log] */
	int log_level; /* enum rlog_level */
};

/* Defaults, then the file. Returns 0 or a negative errno with "FILE:LINE: ..." in err. */
int reg_config_load(const char *path, struct reg_config *c, char *err, size_t errlen);

/* The text of a configuration file for a new setup (tao-registrar init). */
int reg_config_write_default(const char *path, const char *listen, char *err, size_t errlen);

#endif
