/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * taod's configuration (taod.conf(5)): /etc/tao/taod.conf, then every *.conf of taod.conf.d/ in
 * lexical order, INI parsed with libinih. A later file overrides a key of an earlier one; within
 * one file a key may be set once. Errors name the file, the line and the key.
 */
#ifndef TAOD_CONF_H
#define TAOD_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define TAOD_CONF_DEFAULT   "/etc/tao/taod.conf"
#define TAOD_STATE_DEFAULT  "/var/lib/tao"
#define TAOD_CONF_MAX_FILES 32 /* the main file and its drop-ins */
#define TAOD_MEASURE_MAX    16 /* [measure] files */
#define TAOD_URL_MAX	    512

struct taod_conf {
	/* [registrar] */
	char url[TAOD_URL_MAX]; /* required: https://host[:port] */
	char ca[PATH_MAX];	/* the registrar's CA (PEM); default STATE/registrar-ca.pem */
	long timeout_ms;	/* one whole session; default 30 s */
	/* [device] */
	char state_dir[PATH_MAX]; /* default /var/lib/tao */
	char tcti[256];		  /* tpm2-tss TCTI; default "" (device:/dev/tpmrm0) */
	/* [enroll] */
	bool ldevid;	      /* ask for an LDevID at enrollment; default yes */
	long renew_before_ms; /* enroll again (renewal) this long before the LDevID expires; 30 d */
	/* [attest] */
	long interval_ms; /* re-attestation period once enrolled; default 1 h */
	/* [retry] */
	long initial_ms, max_ms; /* backoff: first delay 2 s, doubling, capped at 5 min */
	unsigned int jitter_pct; /* each delay drawn from [d - d*j/100, d]; default 50 */
	long refused_ms;	 /* after a contraindicated or refused result; default 1 h */
	/* [measure] */
	bool measure_config; /* the configuration files read; default yes */
	bool measure_self;   /* taod's own executable; default yes */
	size_t n_files;
	char files[TAOD_MEASURE_MAX][PATH_MAX];
	/* [bus] */
	bool bus; /* org.tao.Agent1 on the system bus; default yes */

	/* The files read, in order (the first is the main file). */
	size_t n_sources;
	char sources[TAOD_CONF_MAX_FILES][PATH_MAX];
};

/*
 * Load path and its drop-in directory path + ".d". A missing main file is an error (-ENOENT);
 * a missing drop-in directory is not. Returns 0 or a negative errno with "FILE:LINE: [section]
 * key: what is wrong" in err; *c is then unusable.
 */
int taod_conf_load(const char *path, struct taod_conf *c, char *err, size_t errlen);

/* "30s", "5min", "1h", "250ms", "2d", or a bare number of seconds, into *ms (> 0). */
int taod_duration_parse(const char *s, long *ms);

#endif /* TAOD_CONF_H */
