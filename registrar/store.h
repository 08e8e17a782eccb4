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
#define TAO_STORE_SCHEMA_VERSION 6

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

/*
 * SCIM resources (schema 2). A resource is stored as its JSON body without `meta` (the registrar
 * adds meta from the columns) and with its write-only attributes; `version` starts at 1 and
 * grows by one per change (the ETag is W/"<version>"). Since schema 5 also with its default
 * representation (rep below), which never holds write-only attributes.
 */
struct tao_store_resource {
	char id[40];	  /* UUID */
	char type[32];	  /* "Device", "EndpointApp" */
	char tenant[64];  /* "" for none */
	int64_t version;  /* set by the store */
	int64_t created;  /* unix milliseconds; create: given */
	int64_t modified; /* set by the store from the caller's time */
	char serial[65];  /* the device identity a Device is bound to, or "" */
	char *body;	  /* malloc()ed on reads */
	/*
	 * The default representation (schema 5): what a read without attributes or
	 * excludedAttributes answers, as the registrar made it from body when it wrote it, but
	 * without meta (which names the request's host); rep_meta is the offset in rep where the
	 * meta member goes, rep_tag the projection rep was made under (the registrar uses rep only
	 * when that is its own). NULL (malloc()ed on reads) when there is none.
	 */
	char *rep;
	int64_t rep_meta;
	int64_t rep_tag;
};

/* A representation to store with a body (see struct tao_store_resource); text NULL: none. */
struct tao_store_rep {
	const char *text;
	int64_t meta;
	int64_t tag;
};
void tao_store_resource_clear(struct tao_store_resource *r);

/* Add r (id, type, tenant, created, serial, body, rep). -EEXIST: the serial is bound already. */
int tao_store_resource_create(struct tao_store *s, const struct tao_store_resource *r, char *err,
			      size_t errlen);
/*
 * Add r[0..n-1] (as tao_store_resource_create) in one IMMEDIATE transaction: all or none. For
 * loading many resources at once (benchmarks, imports).
 */
int tao_store_resource_create_many(struct tao_store *s, const struct tao_store_resource *r,
				   size_t n, char *err, size_t errlen);
/* Read one; -ENOENT when there is none. */
int tao_store_resource_get(struct tao_store *s, const char *type, const char *id,
			   struct tao_store_resource *out, char *err, size_t errlen);
int tao_store_resource_by_serial(struct tao_store *s, const char *type, const char *serial,
				 struct tao_store_resource *out, char *err, size_t errlen);
/*
 * Replace the body (and serial binding, and the representation: rep NULL is none) of a resource
 * whose version is expect_version (0: any); the version grows by one. -ESTALE: another version
 * (or gone); -EEXIST: serial bound elsewhere.
 */
int tao_store_resource_update(struct tao_store *s, const char *type, const char *id,
			      int64_t expect_version, const char *body, const char *serial,
			      const struct tao_store_rep *rep, int64_t modified, char *err,
			      size_t errlen);
/*
 * Make the representation of every resource whose rep_tag is not tag (none yet, as after the
 * migration to schema 5, or made under another projection): fn gives it for r (malloc()ed
 * text, and the meta offset in *meta), or NULL for none (rep stays NULL, marked with tag so
 * that it is not tried again). Versions and times stay. In IMMEDIATE transactions of some
 * hundred rows each; returns the number of rows done, or -EIO or -ENOMEM.
 */
int tao_store_resource_fill_reps(struct tao_store *s, int64_t tag,
				 char *(*fn)(const struct tao_store_resource *r, int64_t *meta,
					     void *arg),
				 void *arg, char *err, size_t errlen);
int tao_store_resource_delete(struct tao_store *s, const char *type, const char *id,
			      int64_t expect_version, char *err, size_t errlen);
/*
 * Every resource of type (of tenant, or all when NULL), oldest first (in the order they were
 * stored: rowid); returns the count.
 */
int tao_store_resource_list(struct tao_store *s, const char *type, const char *tenant,
			    int (*fn)(const struct tao_store_resource *r, void *arg), void *arg,
			    char *err, size_t errlen);

/* A value bound to a query's parameter. */
enum tao_store_param_type {
	TAO_STORE_PARAM_TEXT,
	TAO_STORE_PARAM_INT,
	TAO_STORE_PARAM_REAL,
};
struct tao_store_param {
	enum tao_store_param_type type;
	const char *text; /* TEXT */
	int64_t i;	  /* INT */
	double d;	  /* REAL */
};

/* The number of a query's first parameter in where_sql: params[i] is ?(3 + i). */
#define TAO_STORE_QUERY_PARAM0 3

/*
 * The resources of type (of tenant, or all when NULL) for which the SQL expression where_sql
 * holds (NULL: all), oldest first (rowid), like tao_store_resource_list; but the
 * row's body points into SQLite's buffer: valid until fn returns, not to be freed or kept.
 * where_sql is an expression over the columns of scim_resources (id, tenant, created, serial,
 * body, ...) that names params[i] as ?(TAO_STORE_QUERY_PARAM0 + i): values are always bound,
 * never pasted into the text. Returns the number of rows, fn's value when not 0 (which stops
 * the walk), -EINVAL (where_sql does not compile, with SQLite's message) or -EIO. The handle
 * keeps the statements of the last 16 distinct texts prepared (so a query of one shape is
 * prepared once); fn must not use s.
 */
int tao_store_resource_query(struct tao_store *s, const char *type, const char *tenant,
			     const char *where_sql, const struct tao_store_param *params,
			     size_t n_params,
			     int (*fn)(const struct tao_store_resource *r, void *arg), void *arg,
			     char *err, size_t errlen);

/* Bearer tokens of operators and installers, stored as SHA-256 hashes (schema 2). */
struct tao_store_token {
	char name[64];
	char role[16];		  /* "operator", "installer" */
	char tenant[64];	  /* installers: their tenant */
	int64_t created, revoked; /* unix seconds; revoked 0 while valid */
};
int tao_store_token_add(struct tao_store *s, const char *name, const uint8_t hash[32],
			const char *role, const char *tenant, int64_t created, char *err,
			size_t errlen);
/* 0, -ENOENT (unknown), -EKEYREVOKED (revoked: *out still filled) or -EIO. */
int tao_store_token_find(struct tao_store *s, const uint8_t hash[32], struct tao_store_token *out,
			 char *err, size_t errlen);
int tao_store_token_revoke(struct tao_store *s, const char *name, int64_t when, char *err,
			   size_t errlen);
int tao_store_token_list(struct tao_store *s, int (*fn)(const struct tao_store_token *t, void *arg),
			 void *arg, char *err, size_t errlen);

/*
 * LDevID certificates the registrar issued (schema 3), by serial number (upper-case hex, as
 * `openssl x509 -serial` prints it) with the device serial they name.
 */
/* Record an issued certificate. -EEXIST: that serial number is recorded already. */
int tao_store_ldevid_add(struct tao_store *s, const char *cert_serial, const char *device,
			 int64_t issued, int64_t not_after, char *err, size_t errlen);
/*
 * Revoke the certificate with this serial number (recorded as revoked even when the store has
 * no record of its issue). 0, -EALREADY (revoked before) or -EIO.
 */
int tao_store_ldevid_revoke_cert(struct tao_store *s, const char *cert_serial, int64_t when,
				 char *err, size_t errlen);
/* Revoke every valid LDevID certificate of a device; returns how many, or -EIO. */
int tao_store_ldevid_revoke_device(struct tao_store *s, const char *device, int64_t when, char *err,
				   size_t errlen);
/* Is the certificate with this serial number revoked? 1 yes, 0 no (or unknown), -EIO. */
int tao_store_ldevid_revoked(struct tao_store *s, const char *cert_serial, char *err,
			     size_t errlen);

#endif /* TAO_REGISTRAR_STORE_H */
