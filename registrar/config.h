/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * registrar.conf: INI (libinih), every key documented in docs/registrar.md. Relative paths are
 * taken from the configuration file's directory. Unknown sections or keys, a key set twice and
 * values out of range are errors naming file, line and key.
 */
#ifndef TAO_REGISTRAR_CONFIG_H
#define TAO_REGISTRAR_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tao_pcr_sel.h"

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
