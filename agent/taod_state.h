/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * taod's persisted state, STATE_DIR/taod.json (taod(8), "FILES"): whether and where the device
 * is enrolled, its SCIM id, its TLS identity, and the last result. Written atomically: a
 * temporary file in the directory, fsync, rename, fsync of the directory.
 */
#ifndef TAOD_STATE_H
#define TAOD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAOD_STATE_FILE	   "taod.json"
#define TAOD_STATE_VERSION 1

struct taod_state {
	bool enrolled;
	char registrar[512]; /* the URL it enrolled with */
	char device_id[64];  /* the SCIM id of its Device */
	char serial[65];     /* the device serial the registrar named */
	bool ldevid; /* the registrar issued an LDevID (ldevid.pem): later sessions use it */
	uint32_t ldevid_handle;
	int64_t enrolled_at;	  /* Unix seconds */
	char last_result[32];	  /* "affirming", "warning", "contraindicated", "refused", "" */
	int64_t last_attestation; /* Unix seconds of the last result; 0: none */
	int64_t attestation_id;	  /* the registrar's record of it; -1: none */
};

/*
 * Read dir/taod.json into *s. Returns 0, -ENOENT when there is none (a device that never
 * enrolled: *s is the empty state), or -EBADMSG / -EPROTONOSUPPORT with a message for a file
 * that is not one this taod wrote (*s is then the empty state too).
 */
int taod_state_load(const char *dir, struct taod_state *s, char *err, size_t errlen);

/* Write *s as dir/taod.json, durably (see above). Returns 0 or a negative errno. */
int taod_state_save(const char *dir, const struct taod_state *s, char *err, size_t errlen);

/* Write len bytes to dir/name durably (temporary file, fsync, rename, fsync of dir). */
int taod_write_durable(const char *dir, const char *name, const void *buf, size_t len,
		       unsigned int mode);

#endif /* TAOD_STATE_H */
