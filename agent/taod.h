/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * taod, the device agent (taod(8)): its states, what the worker publishes to the main loop (the
 * D-Bus properties, sd_notify, the journal), and what the main loop asks of the worker.
 */
#ifndef TAOD_H
#define TAOD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "taod_conf.h"
#include "taod_state.h"

/* The log events taod writes (docs/protocol.md section 4): agent types, below the module's. */
#define TAOD_EVENT_CONFIG 0x00007a01u /* name: the file's path; digests: of its contents */
#define TAOD_EVENT_BINARY 0x00007a02u /* name: the executable's path; digests: of it */
#define TAOD_EVENT_FILE	  0x00007a03u /* [measure] files: name the path, digests of it */
#define TAOD_EVENT_STATE  0x00007a04u /* name "enrolled"; data: the Device's SCIM id */

enum taod_phase {
	TAOD_STARTING,
	TAOD_WAITING,	/* for the module and the TPM */
	TAOD_IDENTITY,	/* binding the keys, loading the certificates */
	TAOD_MEASURING, /* its configuration and itself */
	TAOD_ENROLLING, /* the attested session with SCIM enrollment */
	TAOD_ATTESTING, /* a re-attestation */
	TAOD_READY,	/* enrolled; waiting for the next re-attestation */
	TAOD_RETRYING,	/* a transient failure: waiting out the backoff */
	TAOD_REFUSED,	/* contraindicated or refused: waiting long, or for Enroll/Reattest */
	TAOD_FAILED,	/* a local failure (not provisioned, TPM): waiting out the backoff */
	TAOD_STOPPING,
};

const char *taod_phase_name(enum taod_phase p);

/* What the worker publishes; read by the main loop under taod.lock. */
struct taod_view {
	enum taod_phase phase;
	char status[256];	    /* one line for STATUS= and `taoctl status` */
	char device_id[64];	    /* the SCIM id, once enrolled */
	char last_result[32];	    /* affirming, warning, contraindicated, refused, or "" */
	uint64_t last_attest_us;    /* CLOCK_REALTIME of the last result, 0: none */
	uint64_t ldevid_expires_us; /* CLOCK_REALTIME of the LDevID's notAfter, 0: none in use */
	bool ready;		    /* READY=1 was sent */
};

struct taod {
	struct taod_conf conf;
	const char *conf_path;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	struct taod_view view;
	uint64_t heartbeat_ms; /* the worker's last sign of life (monotonic) */
	bool want_enroll, want_reattest, stop;
	int wake_fd; /* eventfd: the worker changed the view */
};

/* The worker thread: the state machine until taod.stop. */
void *taod_worker(void *arg);

/* Log a line with the journal fields of the current view (taod.c). */
void taod_log(struct taod *t, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* TAOD_H */
