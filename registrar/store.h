/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The registrar's store: per-device state and the history of attestations, in SQLite (WAL,
 * synchronous=FULL: a commit that returned is on disk). One interface, so that another backend
 * (PostgreSQL) can stand behind it later. A store handle is used by one thread at a time;
 * several processes may open the same database (busy timeout, IMMEDIATE transactions).
 */
#ifndef TAO_REGISTRAR_STORE_H
#define TAO_REGISTRAR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tao_store;

/* The schema version this code writes (PRAGMA user_version). */
#define TAO_STORE_SCHEMA_VERSION 1

/*
 * Open (and create, or migrate up to TAO_STORE_SCHEMA_VERSION) the database at path. A database
 * of a newer schema is refused (-EPROTONOSUPPORT). Returns 0 or a negative errno with a message:
 * the system's errno when the file cannot be opened (-ENOENT, -EACCES, ...), -EPROTONOSUPPORT,
 * -ENOMEM, or -EIO (not an SQLite database, a corrupt one, locked past the busy timeout, ...).
 */
int tao_store_open(const char *path, struct tao_store **out, char *err, size_t errlen);
void tao_store_close(struct tao_store *s);

/* A TPM's counters from an authenticated quote's clockInfo. */
struct tao_store_counters {
	uint32_t reset_count;
	uint32_t restart_count;
	uint64_t clock;
};

/* What the store knows of a device (identified by issuer and serial of its TLS certificate). */
struct tao_store_device {
	int64_t id;
	char serial[65];
	char issuer[512];      /* the certificate issuer, RFC 2253 one-line form */
	char cert_sha256[65];  /* hex SHA-256 of the last accepted TLS certificate's DER */
	int64_t first_seen;    /* unix seconds */
	int64_t last_seen;     /* the last attestation, accepted or not */
	bool has_accepted;     /* any accepted attestation yet (then the fields below are set) */
	int64_t last_accepted; /* time of the last accepted attestation */
	char last_status[24];  /* "affirming", "warning", "contraindicated", "none" (last one) */
	struct tao_store_counters counters; /* of the last accepted attestation */
};

/*
 * Look up a device. Returns 0 with *out filled, -ENOENT when it is unknown, or -EIO. Fields the
 * device has no value for yet are "" or 0 (cert_sha256 and counters before an accepted
 * attestation; counters too when no accepted attestation had counters).
 */
int tao_store_device_get(struct tao_store *s, const char *issuer, const char *serial,
			 struct tao_store_device *out, char *err, size_t errlen);

/* One evaluated attestation to record. */
struct tao_store_attestation {
	const char *issuer; /* device identity: issuer and serial of the TLS certificate */
	const char *serial;
	const char *cert_sha256; /* hex */
	const char *status;	 /* "affirming", "warning", "contraindicated" or "none" */
	bool accepted;		 /* affirming or warning: update the device's state */
	const char *reason;	 /* the verdict's reason (may be NULL) */
	const char *result_json; /* the whole result document (may be NULL) */
	const char *peer;	 /* the client's address, "127.0.0.1:40312" (may be NULL) */
	int64_t time;		 /* unix seconds */
	bool has_counters;	 /* the quote authenticated: counters below are its clockInfo */
	struct tao_store_counters counters;
};

/*
 * Record a (in one IMMEDIATE transaction): create the device if unknown, append the history
 * row (with a's counters when it has them), set the device's last_seen and last_status, and
 * when a->accepted, set its last accepted time, certificate hash and counters — refusing
 * (-ESTALE, nothing written) counters that do not move forward from the stored ones (see
 * tao_store_counters_backwards()), which closes the race between two connections of one device.
 * An accepted attestation without counters keeps the stored counters; one that is not accepted
 * is not checked and changes no counters. Returns 0 with the history row's id in
 * *attestation_id (ids only grow), -ESTALE, -EINVAL (issuer or serial missing or too long for
 * struct tao_store_device, an unknown status, accepted with a status other than affirming or
 * warning, accepted without cert_sha256), or -EIO (nothing written), each with a message.
 */
int tao_store_record(struct tao_store *s, const struct tao_store_attestation *a,
		     int64_t *attestation_id, char *err, size_t errlen);

/*
 * Do counters b fail to move forward from a? True when b.reset_count is lower; or equal and
 * b.restart_count is lower; or both equal and b.clock is lower *or equal*. Equal counters in all
 * three are the same quote replayed (or a second use of it): a new quote always has a later
 * clock, as the TPM's Clock advances while it runs and a reset or restart bumps the counts.
 * The clock is compared as the unsigned 64-bit value it is.
 */
bool tao_store_counters_backwards(const struct tao_store_counters *a,
				  const struct tao_store_counters *b);

/* Statistics for tests and `tao-registrar status`. */
struct tao_store_stats {
	int64_t devices;
	int64_t attestations;
	int64_t accepted;
};
int tao_store_stats(struct tao_store *s, struct tao_store_stats *out, char *err, size_t errlen);

/*
 * The history of a device, newest first (by id), at most max rows: calls fn for each row; the
 * row's strings ("" for NULL) live until fn returns, and fn must not use s. Returns the number
 * of rows, -ENOENT when the device is unknown, -EIO, or fn's value when it is not 0 (which stops
 * the walk; so fn returns 0 or a negative errno).
 */
struct tao_store_history_row {
	int64_t id;
	int64_t time;
	const char *status;
	bool accepted;
	const char *reason;
	const char *peer;
};
int tao_store_history(struct tao_store *s, const char *issuer, const char *serial, size_t max,
		      int (*fn)(const struct tao_store_history_row *row, void *arg), void *arg,
		      char *err, size_t errlen);

#endif /* TAO_REGISTRAR_STORE_H */
