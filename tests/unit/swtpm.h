/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* A private swtpm on loopback for host tests that talk to a TPM through ESAPI. */
#ifndef TAO_TEST_SWTPM_H
#define TAO_TEST_SWTPM_H

#include <sys/types.h>

struct swtpm {
	pid_t pid;
	int port;
	char dir[64];
	char tcti[96];
};

/*
 * Start swtpm with its state in a new directory /tmp/PREFIX-XXXXXX, on two free consecutive
 * loopback ports, wait until it listens, and set TAO_TCTI to it. Returns 0 or -1.
 */
int swtpm_start(struct swtpm *t, const char *prefix);

/* Stop the swtpm this process started (by its PID) and remove its state. Returns 0 or -1. */
int swtpm_stop(struct swtpm *t);

#endif
