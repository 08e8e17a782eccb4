/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The registrar's store in SQLite (store.h). One connection per handle, opened in WAL mode with
 * synchronous=FULL and foreign keys on; every write is one BEGIN IMMEDIATE transaction, so that
 * several processes on one file serialize on SQLite's write lock (and wait on it for up to
 * STORE_BUSY_TIMEOUT_MS) instead of failing when a read lock cannot be upgraded.
 *
 * The clock of a TPM is an unsigned 64-bit value and SQLite's integers are signed 64-bit: the
 * columns hold the clock's bit pattern as an int64 (values of 2^63 and above are negative in
 * SQL) and every comparison is made here, in C, on the uint64 read back.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"

#define STORE_BUSY_TIMEOUT_MS 5000

/*
 * The migrations: migrations[v] takes the schema from user_version v to v + 1. A new schema
 * version is one more entry here and TAO_STORE_SCHEMA_VERSION one higher; entries are never
 * changed once released.
 */
static const char *const migrations[] = {
	/* 0 -> 1: devices and the history of their attestations. */
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  issuer TEXT NOT NULL,"
	"  serial TEXT NOT NULL,"
	"  cert_sha256 TEXT," /* NULL until an accepted attestation */
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  last_status TEXT NOT NULL,"
	"  last_accepted INTEGER," /* NULL until an accepted attestation */
	"  reset_count INTEGER,"   /* the three NULL until an accepted one with counters */
	"  restart_count INTEGER,"
	"  clock INTEGER," /* the uint64's bit pattern */
	"  UNIQUE (issuer, serial)"
	");"
	"CREATE TABLE attestations ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused: ids are handed out */
	"  device_id INTEGER NOT NULL REFERENCES devices (id),"
	"  time INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),"
	"  reason TEXT,"
	"  result_json TEXT,"
	"  peer TEXT,"
	"  reset_count INTEGER," /* NULL when the quote did not authenticate */
	"  restart_count INTEGER,"
	"  clock INTEGER"
	");"
	"CREATE INDEX attestations_device ON attestations (device_id, id);",
	/* 1 -> 2: SCIM resources and the bearer tokens of operators and installers. */
	"CREATE TABLE scim_resources ("
	"  id TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  tenant TEXT NOT NULL DEFAULT '',"
	"  version INTEGER NOT NULL,"
	"  created INTEGER NOT NULL," /* unix milliseconds */
	"  modified INTEGER NOT NULL,"
	"  serial TEXT," /* the device identity a Device is bound to, or NULL */
	"  body TEXT NOT NULL"
	");"
	"CREATE UNIQUE INDEX scim_resources_serial ON scim_resources (type, serial) "
	"  WHERE serial IS NOT NULL;"
	"CREATE INDEX scim_resources_type ON scim_resources (type, tenant, created);"
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  hash BLOB NOT NULL UNIQUE," /* SHA-256 of the token */
	"  role TEXT NOT NULL,"
	"  tenant TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  revoked INTEGER" /* unix seconds, or NULL */
	");",
	/* 2 -> 3: the LDevID certificates the registrar issued, and their revocation. */
	"CREATE TABLE ldevid_certs ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL UNIQUE," /* the certificate's serial number, upper-case hex */
	"  device TEXT,"		 /* the device serial (subject serialNumber), or NULL */
	"  issued INTEGER,"		 /* unix seconds; NULL for one revoked without a record */
	"  not_after INTEGER,"
	"  revoked INTEGER" /* unix seconds, or NULL while valid */
	");"
	"CREATE INDEX ldevid_certs_device ON ldevid_certs (device);",
	/*
	 * 3 -> 4: expression indexes on the unique attributes of the Device extensions, written
	 * exactly as the SQL pre-selection of filters (and so the uniqueness check on create)
	 * spells them: without them every create of such a Device scans every body.
	 */
	"CREATE INDEX scim_ble_mac ON scim_resources (json_extract(body, "
	"'$.\"urn:ietf:params:scim:schemas:extension:ble:2.0:Device\".\"deviceMacAddress\"') "
	"COLLATE NOCASE);"
	"CREATE INDEX scim_ble_irk ON scim_resources (json_extract(body, "
	"'$.\"urn:ietf:params:scim:schemas:extension:ble:2.0:Device\".\"irk\"') "
	"COLLATE NOCASE);"
	"CREATE INDEX scim_dpp_mac ON scim_resources (json_extract(body, "
	"'$.\"urn:ietf:params:scim:schemas:extension:dpp:2.0:Device\".\"deviceMacAddress\"') "
	"COLLATE NOCASE);",
	/*
	 * 4 -> 5: each resource's default representation (what a GET without attributes or
	 * excludedAttributes answers, without meta, which depends on the request), made by the
	 * registrar when it writes the body; rep_meta is where meta goes in it, rep_tag the
	 * projection it was made under. NULL in rows of before: the registrar fills them on start.
	 */
	"ALTER TABLE scim_resources ADD COLUMN rep TEXT;"
	"ALTER TABLE scim_resources ADD COLUMN rep_meta INTEGER;"
	"ALTER TABLE scim_resources ADD COLUMN rep_tag INTEGER;",
	/*
	 * 5 -> 6: lists go in rowid order (the order of insertion) instead of (created, id). An
	 * index yields the rows of one key in rowid order, so an equality on a unique indexed
	 * attribute, or on (type, tenant), needs no sort; ordered by (created, id), every list
	 * sorted its matches in a temporary B-tree, even the one row of a MAC lookup. (An index
	 * on type alone would spare the operators' unfiltered lists their sort too, but without
	 * statistics SQLite then prefers it to the MAC index: a scan of every Device.)
	 */
	"DROP INDEX scim_resources_type;"
	"CREATE INDEX scim_resources_type ON scim_resources (type, tenant);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == TAO_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/* The prepared statements of a handle, kept for its life. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_DEVICE_GET,
	ST_DEVICE_INSERT,
	ST_DEVICE_SEEN,
	ST_DEVICE_ACCEPTED,
	ST_ATTESTATION_INSERT,
	ST_HISTORY,
	ST_STATS,
	ST_RES_INSERT,
	ST_RES_GET,
	ST_RES_GET_SERIAL,
	ST_RES_UPDATE,
	ST_RES_DELETE,
	ST_RES_LIST,
	ST_TOKEN_INSERT,
	ST_TOKEN_FIND,
	ST_TOKEN_REVOKE,
	ST_TOKEN_LIST,
	ST_LDEVID_ADD,
	ST_LDEVID_REVOKE_CERT,
	ST_LDEVID_REVOKE_DEVICE,
	ST_LDEVID_REVOKED,
	ST_COUNT,
};

/* The columns of a resource as resource_row() and tao_store_resource_query() read them. */
#define RES_COLUMNS \
	"id, type, tenant, version, created, modified, serial, body, rep, rep_meta, rep_tag"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_DEVICE_GET] = "SELECT id, serial, issuer, cert_sha256, first_seen, last_seen, "
			  "last_accepted, last_status, reset_count, restart_count, clock "
			  "FROM devices WHERE issuer = ?1 AND serial = ?2",
	[ST_DEVICE_INSERT] = "INSERT INTO devices (issuer, serial, first_seen, last_seen, "
			     "last_status) VALUES (?1, ?2, ?3, ?3, ?4)",
	[ST_DEVICE_SEEN] = "UPDATE devices SET last_seen = ?2, last_status = ?3 WHERE id = ?1",
	[ST_DEVICE_ACCEPTED] = "UPDATE devices SET last_seen = ?2, last_status = ?3, "
			       "last_accepted = ?2, cert_sha256 = ?4, reset_count = ?5, "
			       "restart_count = ?6, clock = ?7 WHERE id = ?1",
	[ST_ATTESTATION_INSERT] = "INSERT INTO attestations (device_id, time, status, accepted, "
				  "reason, result_json, peer, reset_count, restart_count, clock) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_HISTORY] = "SELECT id, time, status, accepted, reason, peer FROM attestations "
		       "WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2",
	[ST_STATS] = "SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM attestations), "
		     "(SELECT count(*) FROM attestations WHERE accepted)",
	[ST_RES_INSERT] = "INSERT INTO scim_resources (id, type, tenant, version, created, "
			  "modified, serial, body, rep, rep_meta, rep_tag) "
			  "VALUES (?1, ?2, ?3, 1, ?4, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_RES_GET] = "SELECT " RES_COLUMNS " FROM scim_resources WHERE type = ?1 AND id = ?2",
	[ST_RES_GET_SERIAL] =
		"SELECT " RES_COLUMNS " FROM scim_resources WHERE type = ?1 AND serial = ?2",
	[ST_RES_UPDATE] = "UPDATE scim_resources SET version = version + 1, modified = ?4, "
			  "body = ?5, serial = ?6, rep = ?7, rep_meta = ?8, rep_tag = ?9 "
			  "WHERE type = ?1 AND id = ?2 AND (?3 = 0 OR version = ?3)",
	[ST_RES_DELETE] = "DELETE FROM scim_resources WHERE type = ?1 AND id = ?2 AND "
			  "(?3 = 0 OR version = ?3)",
	[ST_RES_LIST] = "SELECT " RES_COLUMNS " FROM scim_resources "
			"WHERE type = ?1 AND (?2 IS NULL OR tenant = ?2) "
			"ORDER BY rowid",
	[ST_TOKEN_INSERT] = "INSERT INTO tokens (name, hash, role, tenant, created) "
			    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TOKEN_FIND] = "SELECT name, role, tenant, created, revoked FROM tokens WHERE hash = ?1",
	[ST_TOKEN_REVOKE] = "UPDATE tokens SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL",
	[ST_TOKEN_LIST] = "SELECT name, role, tenant, created, revoked FROM tokens ORDER BY name",
	[ST_LDEVID_ADD] = "INSERT INTO ldevid_certs (serial, device, issued, not_after) "
			  "VALUES (?1, ?2, ?3, ?4)",
	[ST_LDEVID_REVOKE_CERT] = "INSERT INTO ldevid_certs (serial, revoked) VALUES (?1, ?2) "
				  "ON CONFLICT (serial) DO UPDATE SET revoked = ?2 "
				  "WHERE revoked IS NULL",
	[ST_LDEVID_REVOKE_DEVICE] = "UPDATE ldevid_certs SET revoked = ?2 "
				    "WHERE device = ?1 AND revoked IS NULL",
	[ST_LDEVID_REVOKED] = "SELECT revoked FROM ldevid_certs WHERE serial = ?1",
};

/*
 * The statements tao_store_resource_query() generated last, kept prepared by their SQL text: a
 * list with a filter of one shape (the values are bound, never in the text) is prepared once.
 */
#define QUERY_CACHE 16

struct query_stmt {
	char *sql; /* sqlite3_malloc()ed; NULL: a free slot */
	sqlite3_stmt *st;
	uint64_t used; /* s->query_tick when last used: the least recent is replaced */
};

struct tao_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	struct query_stmt query[QUERY_CACHE];
	uint64_t query_tick;
};

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int rc,
						      const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Reset a statement after use and drop its bindings (they may point into the caller's data). */
static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Step a statement that returns no rows, then reset it. Returns SQLite's result code. */
static int step_once(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	stmt_done(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void rollback(struct tao_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		step_once(s->stmt[ST_ROLLBACK]);
}

/* The errno for a failed open: the system's for a file that cannot be opened, else -EIO. */
static int open_errno(sqlite3 *db, int rc)
{
	int sys;

	if ((rc & 0xff) == SQLITE_NOMEM)
		return -ENOMEM;
	if ((rc & 0xff) == SQLITE_CANTOPEN) {
		sys = db ? sqlite3_system_errno(db) : 0;
		return sys > 0 ? -sys : -EIO;
	}
	return -EIO;
}

/* The database's message, with the system's error when the failure was an I/O one. */
static const char *db_msg(sqlite3 *db, char *buf, size_t len)
{
	int rc = sqlite3_extended_errcode(db);
	int sys = sqlite3_system_errno(db);

	if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) && sys > 0)
		snprintf(buf, len, "%s: %s", sqlite3_errmsg(db), strerror(sys));
	else if ((rc & 0xff) == SQLITE_BUSY)
		snprintf(buf, len, "%s (waited %d ms)", sqlite3_errmsg(db), STORE_BUSY_TIMEOUT_MS);
	else
		snprintf(buf, len, "%s", sqlite3_errmsg(db));
	return buf;
}

static int store_exec(struct tao_store *s, const char *sql, const char *what, char *err,
		      size_t errlen)
{
	char msg[512];
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return fail(err, errlen, open_errno(s->db, rc), "%s: %s: %s", s->path, what,
			    db_msg(s->db, msg, sizeof(msg)));
	return 0;
}

/* PRAGMA user_version, or a negative errno. */
static int64_t schema_version(struct tao_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char msg[512];
	int64_t v;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(err, errlen, open_errno(s->db, rc),
			    "%s: reading the schema version: %s", s->path,
			    db_msg(s->db, msg, sizeof(msg)));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		v = fail(err, errlen, open_errno(s->db, rc), "%s: reading the schema version: %s",
			 s->path, db_msg(s->db, msg, sizeof(msg)));
		sqlite3_finalize(st);
		return v;
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int refuse_newer(struct tao_store *s, int64_t v, char *err, size_t errlen)
{
	return fail(err, errlen, -EPROTONOSUPPORT,
		    "%s: the database's schema version is %" PRId64
		    ", newer than this build's %d: use a newer tao-registrar",
		    s->path, v, TAO_STORE_SCHEMA_VERSION);
}

/* Version 0 is a new, empty database: refuse another program's (tables but no version). */
static int check_empty(struct tao_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char msg[512];
	int64_t n = -1;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n < 0)
		return fail(err, errlen, open_errno(s->db, rc), "%s: reading the schema: %s",
			    s->path, db_msg(s->db, msg, sizeof(msg)));
	if (n > 0)
		return fail(err, errlen, -EIO,
			    "%s: an SQLite database of schema version 0 with %" PRId64
			    " tables, indexes or views: not a tao-registrar database",
			    s->path, n);
	return 0;
}

/* Bring the schema to TAO_STORE_SCHEMA_VERSION, in one IMMEDIATE transaction. */
static int migrate(struct tao_store *s, char *err, size_t errlen)
{
	char sql[64], what[64];
	int64_t v;
	int ret;

	v = schema_version(s, err, errlen);
	if (v < 0)
		return (int)v;
	if (v == TAO_STORE_SCHEMA_VERSION)
		return 0;
	if (v > TAO_STORE_SCHEMA_VERSION)
		return refuse_newer(s, v, err, errlen);

	ret = store_exec(s, "BEGIN IMMEDIATE", "starting the schema migration", err, errlen);
	if (ret)
		return ret;
	/* Another process may have migrated it meanwhile. */
	v = schema_version(s, err, errlen);
	if (v < 0) {
		ret = (int)v;
		goto out;
	}
	if (v > TAO_STORE_SCHEMA_VERSION) {
		ret = refuse_newer(s, v, err, errlen);
		goto out;
	}
	if (v == 0) {
		ret = check_empty(s, err, errlen);
		if (ret)
			goto out;
	}
	for (; v < TAO_STORE_SCHEMA_VERSION; v++) {
		snprintf(what, sizeof(what),
			 "migrating the schema from version %" PRId64 " to %" PRId64, v, v + 1);
		ret = store_exec(s, migrations[v], what, err, errlen);
		if (ret)
			goto out;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %" PRId64, v + 1);
		ret = store_exec(s, sql, what, err, errlen);
		if (ret)
			goto out;
	}
	ret = store_exec(s, "COMMIT", "committing the schema migration", err, errlen);
out:
	if (ret && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* Set the connection's pragmas; journal_mode must come out as "wal". */
static int configure(struct tao_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char msg[512], mode[16] = "";
	int rc, ret;

	rc = sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: setting the busy timeout: %s", s->path,
			    sqlite3_errmsg(s->db));

	/* The first statement to read the file: a file that is no database fails here. */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			snprintf(mode, sizeof(mode), "%s",
				 (const char *)sqlite3_column_text(st, 0));
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			ret = fail(err, errlen, -EIO, "%s: not an SQLite 3 database (%s)", s->path,
				   sqlite3_errmsg(s->db));
		else
			ret = fail(err, errlen, open_errno(s->db, rc),
				   "%s: setting journal_mode=WAL: %s", s->path,
				   db_msg(s->db, msg, sizeof(msg)));
		sqlite3_finalize(st);
		return ret;
	}
	sqlite3_finalize(st);
	if (strcmp(mode, "wal"))
		return fail(err, errlen, -EIO,
			    "%s: the journal mode is \"%s\" after setting WAL (a file system "
			    "without shared memory, or an in-memory database?)",
			    s->path, mode);

	ret = store_exec(s, "PRAGMA synchronous = FULL", "setting synchronous=FULL", err, errlen);
	if (!ret)
		ret = store_exec(s, "PRAGMA foreign_keys = ON", "setting foreign_keys=ON", err,
				 errlen);
	return ret;
}

static int prepare_all(struct tao_store *s, char *err, size_t errlen)
{
	int rc;

	for (int i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return fail(err, errlen, open_errno(s->db, rc), "%s: preparing \"%s\": %s",
				    s->path, stmt_sql[i], sqlite3_errmsg(s->db));
	}
	return 0;
}

int tao_store_open(const char *path, struct tao_store **out, char *err, size_t errlen)
{
	struct tao_store *s;
	char msg[512];
	int rc, ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	/* A handle is used by one thread at a time: no mutex inside SQLite. */
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
				     SQLITE_OPEN_EXRESCODE,
			     NULL);
	if (rc != SQLITE_OK) {
		if (s->db)
			ret = fail(err, errlen, open_errno(s->db, rc), "%s: cannot open: %s", path,
				   db_msg(s->db, msg, sizeof(msg)));
		else
			ret = fail(err, errlen, -ENOMEM, "%s: cannot open: %s", path,
				   sqlite3_errstr(rc));
		tao_store_close(s);
		return ret;
	}
	ret = configure(s, err, errlen);
	if (!ret)
		ret = migrate(s, err, errlen);
	if (!ret)
		ret = prepare_all(s, err, errlen);
	if (ret) {
		tao_store_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

void tao_store_close(struct tao_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (int i = 0; i < QUERY_CACHE; i++) {
		sqlite3_finalize(s->query[i].st);
		sqlite3_free(s->query[i].sql);
	}
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

bool tao_store_counters_backwards(const struct tao_store_counters *a,
				  const struct tao_store_counters *b)
{
	if (b->reset_count != a->reset_count)
		return b->reset_count < a->reset_count;
	if (b->restart_count != a->restart_count)
		return b->restart_count < a->restart_count;
	return b->clock <= a->clock;
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* The counters of a row at columns col..col+2; false when they are NULL. */
static bool column_counters(sqlite3_stmt *st, int col, struct tao_store_counters *c)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		memset(c, 0, sizeof(*c));
		return false;
	}
	c->reset_count = (uint32_t)sqlite3_column_int64(st, col);
	c->restart_count = (uint32_t)sqlite3_column_int64(st, col + 1);
	c->clock = (uint64_t)sqlite3_column_int64(st, col + 2); /* back from the bit pattern */
	return true;
}

static void bind_counters(sqlite3_stmt *st, int col, const struct tao_store_counters *c)
{
	int64_t clock;

	if (!c)
		return; /* left NULL */
	sqlite3_bind_int64(st, col, c->reset_count);
	sqlite3_bind_int64(st, col + 1, c->restart_count);
	/* The uint64's bit pattern (converting above INT64_MAX is implementation-defined in C). */
	memcpy(&clock, &c->clock, sizeof(clock));
	sqlite3_bind_int64(st, col + 2, clock);
}

/* The device's row into out; *has_counters: whether its counters are set. 0, -ENOENT or -EIO. */
static int device_read(struct tao_store *s, const char *issuer, const char *serial,
		       struct tao_store_device *out, bool *has_counters, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_DEVICE_GET];
	char msg[512];
	int rc;

	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		stmt_done(st);
		return fail(err, errlen, -ENOENT, "no device with serial \"%s\" from issuer \"%s\"",
			    serial, issuer);
	}
	if (rc != SQLITE_ROW) {
		fail(err, errlen, -EIO, "%s: looking up device \"%s\": %s", s->path, serial,
		     db_msg(s->db, msg, sizeof(msg)));
		stmt_done(st);
		return -EIO;
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	copy_text(out->serial, sizeof(out->serial), st, 1);
	copy_text(out->issuer, sizeof(out->issuer), st, 2);
	copy_text(out->cert_sha256, sizeof(out->cert_sha256), st, 3);
	out->first_seen = sqlite3_column_int64(st, 4);
	out->last_seen = sqlite3_column_int64(st, 5);
	out->has_accepted = sqlite3_column_type(st, 6) != SQLITE_NULL;
	out->last_accepted = sqlite3_column_int64(st, 6);
	copy_text(out->last_status, sizeof(out->last_status), st, 7);
	*has_counters = column_counters(st, 8, &out->counters);
	stmt_done(st);
	return 0;
}

int tao_store_device_get(struct tao_store *s, const char *issuer, const char *serial,
			 struct tao_store_device *out, char *err, size_t errlen)
{
	bool has_counters;

	return device_read(s, issuer, serial, out, &has_counters, err, errlen);
}

static bool valid_status(const char *status)
{
	static const char *const statuses[] = { "affirming", "warning", "contraindicated", "none" };

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(status, statuses[i]))
			return true;
	return false;
}

static int check_attestation(const struct tao_store_attestation *a, char *err, size_t errlen)
{
	struct tao_store_device d;

	if (!a->issuer || !*a->issuer)
		return fail(err, errlen, -EINVAL, "the attestation has no device issuer");
	if (!a->serial || !*a->serial)
		return fail(err, errlen, -EINVAL, "the attestation has no device serial");
	if (strlen(a->issuer) >= sizeof(d.issuer))
		return fail(err, errlen, -EINVAL, "the device issuer is %zu bytes long, over %zu",
			    strlen(a->issuer), sizeof(d.issuer) - 1);
	if (strlen(a->serial) >= sizeof(d.serial))
		return fail(err, errlen, -EINVAL, "the device serial is %zu bytes long, over %zu",
			    strlen(a->serial), sizeof(d.serial) - 1);
	if (!a->status || !valid_status(a->status))
		return fail(err, errlen, -EINVAL,
			    "the attestation status \"%s\" is none of affirming, warning, "
			    "contraindicated, none",
			    a->status ? a->status : "(null)");
	if (a->accepted && strcmp(a->status, "affirming") && strcmp(a->status, "warning"))
		return fail(err, errlen, -EINVAL,
			    "an attestation of status %s cannot be accepted (only affirming or "
			    "warning)",
			    a->status);
	if (a->accepted && (!a->cert_sha256 || !*a->cert_sha256))
		return fail(err, errlen, -EINVAL,
			    "an accepted attestation needs the certificate's SHA-256");
	if (a->cert_sha256 && strlen(a->cert_sha256) >= sizeof(d.cert_sha256))
		return fail(err, errlen, -EINVAL,
			    "the certificate hash is %zu characters long, over %zu",
			    strlen(a->cert_sha256), sizeof(d.cert_sha256) - 1);
	return 0;
}

/* Inside the transaction: the device's id, inserting the device when it is new. */
static int record_device(struct tao_store *s, const struct tao_store_attestation *a, int64_t *id,
			 bool *has_stored, struct tao_store_counters *stored, char *err,
			 size_t errlen)
{
	struct tao_store_device d;
	sqlite3_stmt *st;
	char msg[512];
	int ret;

	ret = device_read(s, a->issuer, a->serial, &d, has_stored, err, errlen);
	if (ret == 0) {
		*id = d.id;
		*stored = d.counters;
		return 0;
	}
	if (ret != -ENOENT)
		return ret;
	*has_stored = false;
	st = s->stmt[ST_DEVICE_INSERT];
	sqlite3_bind_text(st, 1, a->issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->time);
	sqlite3_bind_text(st, 4, a->status, -1, SQLITE_STATIC);
	if (step_once(st) != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: adding device \"%s\": %s", s->path, a->serial,
			    db_msg(s->db, msg, sizeof(msg)));
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int record_locked(struct tao_store *s, const struct tao_store_attestation *a,
			 int64_t *attestation_id, char *err, size_t errlen)
{
	struct tao_store_counters stored = { 0 };
	const struct tao_store_counters *c;
	bool has_stored = false;
	sqlite3_stmt *st;
	int64_t device_id = 0;
	char msg[512];
	int ret;

	ret = record_device(s, a, &device_id, &has_stored, &stored, err, errlen);
	if (ret)
		return ret;

	if (a->accepted && a->has_counters && has_stored &&
	    tao_store_counters_backwards(&stored, &a->counters))
		return fail(err, errlen, -ESTALE,
			    "device \"%s\": the quote's counters (resetCount %" PRIu32
			    ", restartCount %" PRIu32 ", clock %" PRIu64
			    ") do not move forward from the last accepted ones (resetCount %" PRIu32
			    ", restartCount %" PRIu32 ", clock %" PRIu64 ")",
			    a->serial, a->counters.reset_count, a->counters.restart_count,
			    a->counters.clock, stored.reset_count, stored.restart_count,
			    stored.clock);

	st = s->stmt[ST_ATTESTATION_INSERT];
	sqlite3_bind_int64(st, 1, device_id);
	sqlite3_bind_int64(st, 2, a->time);
	sqlite3_bind_text(st, 3, a->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->accepted);
	sqlite3_bind_text(st, 5, a->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->result_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->peer, -1, SQLITE_STATIC);
	bind_counters(st, 8, a->has_counters ? &a->counters : NULL);
	if (step_once(st) != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: adding device \"%s\"'s attestation: %s",
			    s->path, a->serial, db_msg(s->db, msg, sizeof(msg)));
	*attestation_id = sqlite3_last_insert_rowid(s->db);

	if (a->accepted) {
		/* Without counters, the stored ones stay (or stay NULL). */
		c = a->has_counters ? &a->counters : has_stored ? &stored : NULL;
		st = s->stmt[ST_DEVICE_ACCEPTED];
		sqlite3_bind_text(st, 4, a->cert_sha256, -1, SQLITE_STATIC);
		bind_counters(st, 5, c);
	} else {
		st = s->stmt[ST_DEVICE_SEEN];
	}
	sqlite3_bind_int64(st, 1, device_id);
	sqlite3_bind_int64(st, 2, a->time);
	sqlite3_bind_text(st, 3, a->status, -1, SQLITE_STATIC);
	if (step_once(st) != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: updating device \"%s\": %s", s->path, a->serial,
			    db_msg(s->db, msg, sizeof(msg)));
	return 0;
}

int tao_store_record(struct tao_store *s, const struct tao_store_attestation *a,
		     int64_t *attestation_id, char *err, size_t errlen)
{
	char msg[512];
	int64_t id = 0;
	int ret;

	ret = check_attestation(a, err, errlen);
	if (ret)
		return ret;
	if (step_once(s->stmt[ST_BEGIN]) != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: starting a transaction: %s", s->path,
			    db_msg(s->db, msg, sizeof(msg)));
	ret = record_locked(s, a, &id, err, errlen);
	if (!ret && step_once(s->stmt[ST_COMMIT]) != SQLITE_OK)
		ret = fail(err, errlen, -EIO, "%s: committing device \"%s\"'s attestation: %s",
			   s->path, a->serial, db_msg(s->db, msg, sizeof(msg)));
	if (ret) {
		rollback(s);
		return ret;
	}
	*attestation_id = id;
	return 0;
}

int tao_store_stats(struct tao_store *s, struct tao_store_stats *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_STATS];
	char msg[512];

	if (sqlite3_step(st) != SQLITE_ROW) {
		fail(err, errlen, -EIO, "%s: counting devices and attestations: %s", s->path,
		     db_msg(s->db, msg, sizeof(msg)));
		stmt_done(st);
		return -EIO;
	}
	out->devices = sqlite3_column_int64(st, 0);
	out->attestations = sqlite3_column_int64(st, 1);
	out->accepted = sqlite3_column_int64(st, 2);
	stmt_done(st);
	return 0;
}

static const char *column_str(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

int tao_store_history(struct tao_store *s, const char *issuer, const char *serial, size_t max,
		      int (*fn)(const struct tao_store_history_row *row, void *arg), void *arg,
		      char *err, size_t errlen)
{
	struct tao_store_history_row row;
	struct tao_store_device d;
	sqlite3_stmt *st;
	bool has_counters;
	char msg[512];
	int n = 0, rc, ret;

	/* A device is never deleted: its id stays valid between the two statements. */
	ret = device_read(s, issuer, serial, &d, &has_counters, err, errlen);
	if (ret)
		return ret;
	if (max > INT_MAX)
		max = INT_MAX; /* the count is returned as an int */
	st = s->stmt[ST_HISTORY];
	sqlite3_bind_int64(st, 1, d.id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.time = sqlite3_column_int64(st, 1);
		row.status = column_str(st, 2);
		row.accepted = sqlite3_column_int(st, 3) != 0;
		row.reason = column_str(st, 4);
		row.peer = column_str(st, 5);
		ret = fn(&row, arg);
		if (ret) {
			stmt_done(st);
			return ret;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		fail(err, errlen, -EIO, "%s: reading device \"%s\"'s history: %s", s->path, serial,
		     db_msg(s->db, msg, sizeof(msg)));
		stmt_done(st);
		return -EIO;
	}
	stmt_done(st);
	return n;
}

/* ---- SCIM resources ------------------------------------------------------------------------ */

void tao_store_resource_clear(struct tao_store_resource *r)
{
	free(r->body);
	free(r->rep);
	memset(r, 0, sizeof(*r));
}

/*
 * The resource in the current row of st (RES_COLUMNS), its body and representation pointing
 * into SQLite's buffer: valid until the statement steps or resets.
 */
static void row_view(sqlite3_stmt *st, struct tao_store_resource *r)
{
	memset(r, 0, sizeof(*r));
	copy_text(r->id, sizeof(r->id), st, 0);
	copy_text(r->type, sizeof(r->type), st, 1);
	copy_text(r->tenant, sizeof(r->tenant), st, 2);
	r->version = sqlite3_column_int64(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	r->modified = sqlite3_column_int64(st, 5);
	copy_text(r->serial, sizeof(r->serial), st, 6);
	r->body = (char *)column_str(st, 7);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		r->rep = (char *)column_str(st, 8);
		r->rep_meta = sqlite3_column_int64(st, 9);
		r->rep_tag = sqlite3_column_int64(st, 10);
	}
}

/* The same, owned: body and rep are copies (free with tao_store_resource_clear). */
static int resource_row(sqlite3_stmt *st, struct tao_store_resource *r)
{
	row_view(st, r);
	r->body = strdup(r->body);
	if (r->rep)
		r->rep = strdup(r->rep);
	if (!r->body || (sqlite3_column_type(st, 8) != SQLITE_NULL && !r->rep))
		return -ENOMEM;
	return 0;
}

/* Bind a representation (NULL, or text NULL: none) as ?k, ?k+1, ?k+2. */
static void bind_rep(sqlite3_stmt *st, int k, const char *text, int64_t meta, int64_t tag)
{
	if (!text)
		return;
	sqlite3_bind_text(st, k, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k + 1, meta);
	sqlite3_bind_int64(st, k + 2, tag);
}

/* Run a write statement as its own IMMEDIATE transaction; the number of rows it changed. */
static int write_one(struct tao_store *s, sqlite3_stmt *st, const char *what, char *err,
		     size_t errlen)
{
	char msg[512];
	int rc, changes;

	if (step_once(s->stmt[ST_BEGIN]) != SQLITE_OK) {
		stmt_done(st);
		return fail(err, errlen, -EIO, "%s: starting a transaction: %s", s->path,
			    db_msg(s->db, msg, sizeof(msg)));
	}
	rc = sqlite3_step(st);
	changes = sqlite3_changes(s->db);
	if (rc != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(s->db);

		fail(err, errlen, ext == SQLITE_CONSTRAINT_UNIQUE ? -EEXIST : -EIO, "%s: %s: %s",
		     s->path, what, db_msg(s->db, msg, sizeof(msg)));
		stmt_done(st);
		rollback(s);
		return ext == SQLITE_CONSTRAINT_UNIQUE ? -EEXIST : -EIO;
	}
	stmt_done(st);
	if (step_once(s->stmt[ST_COMMIT]) != SQLITE_OK) {
		fail(err, errlen, -EIO, "%s: committing (%s): %s", s->path, what,
		     db_msg(s->db, msg, sizeof(msg)));
		rollback(s);
		return -EIO;
	}
	return changes;
}

int tao_store_resource_create(struct tao_store *s, const struct tao_store_resource *r, char *err,
			      size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_INSERT];
	int rc;

	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->created);
	if (r->serial[0])
		sqlite3_bind_text(st, 5, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->body, -1, SQLITE_STATIC);
	bind_rep(st, 7, r->rep, r->rep_meta, r->rep_tag);
	rc = write_one(s, st, "adding a SCIM resource", err, errlen);
	if (rc == -EEXIST)
		return fail(err, errlen, -EEXIST, "a %s bound to device \"%s\" exists already",
			    r->type, r->serial);
	return rc < 0 ? rc : 0;
}

int tao_store_resource_create_many(struct tao_store *s, const struct tao_store_resource *r,
				   size_t n, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_INSERT];
	char msg[512];
	int rc, ret = 0;

	if (step_once(s->stmt[ST_BEGIN]) != SQLITE_OK)
		return fail(err, errlen, -EIO, "%s: starting a transaction: %s", s->path,
			    db_msg(s->db, msg, sizeof(msg)));
	for (size_t i = 0; i < n && !ret; i++) {
		sqlite3_bind_text(st, 1, r[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r[i].type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r[i].tenant, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, r[i].created);
		if (r[i].serial[0])
			sqlite3_bind_text(st, 5, r[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r[i].body, -1, SQLITE_STATIC);
		bind_rep(st, 7, r[i].rep, r[i].rep_meta, r[i].rep_tag);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			int ext = sqlite3_extended_errcode(s->db);

			ret = fail(err, errlen, ext == SQLITE_CONSTRAINT_UNIQUE ? -EEXIST : -EIO,
				   "%s: adding SCIM resource %zu of %zu: %s", s->path, i + 1, n,
				   db_msg(s->db, msg, sizeof(msg)));
		}
		stmt_done(st);
	}
	if (!ret && step_once(s->stmt[ST_COMMIT]) != SQLITE_OK)
		ret = fail(err, errlen, -EIO, "%s: committing %zu SCIM resources: %s", s->path, n,
			   db_msg(s->db, msg, sizeof(msg)));
	if (ret)
		rollback(s);
	return ret;
}

static int read_one(struct tao_store *s, sqlite3_stmt *st, struct tao_store_resource *out,
		    const char *what, char *err, size_t errlen)
{
	char msg[512];
	int rc = sqlite3_step(st), ret;

	if (rc == SQLITE_DONE) {
		stmt_done(st);
		return -ENOENT;
	}
	if (rc != SQLITE_ROW) {
		fail(err, errlen, -EIO, "%s: %s: %s", s->path, what,
		     db_msg(s->db, msg, sizeof(msg)));
		stmt_done(st);
		return -EIO;
	}
	ret = resource_row(st, out);
	stmt_done(st);
	return ret;
}

int tao_store_resource_get(struct tao_store *s, const char *type, const char *id,
			   struct tao_store_resource *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_GET];

	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return read_one(s, st, out, "reading a SCIM resource", err, errlen);
}

int tao_store_resource_by_serial(struct tao_store *s, const char *type, const char *serial,
				 struct tao_store_resource *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_GET_SERIAL];

	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	return read_one(s, st, out, "reading a SCIM resource by device", err, errlen);
}

int tao_store_resource_update(struct tao_store *s, const char *type, const char *id,
			      int64_t expect_version, const char *body, const char *serial,
			      const struct tao_store_rep *rep, int64_t modified, char *err,
			      size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_UPDATE];
	int rc;

	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expect_version);
	sqlite3_bind_int64(st, 4, modified);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	if (serial && *serial)
		sqlite3_bind_text(st, 6, serial, -1, SQLITE_STATIC);
	if (rep)
		bind_rep(st, 7, rep->text, rep->meta, rep->tag);
	rc = write_one(s, st, "updating a SCIM resource", err, errlen);
	if (rc == -EEXIST)
		return fail(err, errlen, -EEXIST, "a %s bound to device \"%s\" exists already",
			    type, serial);
	if (rc == 0)
		return fail(err, errlen, -ESTALE, "%s %s changed meanwhile (or is gone)", type, id);
	return rc < 0 ? rc : 0;
}

int tao_store_resource_delete(struct tao_store *s, const char *type, const char *id,
			      int64_t expect_version, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_DELETE];
	int rc;

	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expect_version);
	rc = write_one(s, st, "deleting a SCIM resource", err, errlen);
	if (rc == 0)
		return fail(err, errlen, -ESTALE, "%s %s changed meanwhile (or is gone)", type, id);
	return rc < 0 ? rc : 0;
}

int tao_store_resource_list(struct tao_store *s, const char *type, const char *tenant,
			    int (*fn)(const struct tao_store_resource *r, void *arg), void *arg,
			    char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_RES_LIST];
	struct tao_store_resource r;
	char msg[512];
	int rc, n = 0, ret = 0;

	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if (tenant)
		sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = resource_row(st, &r);
		if (!ret)
			ret = fn(&r, arg);
		tao_store_resource_clear(&r);
		if (ret)
			break;
		n++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(err, errlen, -EIO, "%s: listing SCIM resources: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
	stmt_done(st);
	return ret ? ret : n;
}

/*
 * The prepared statement of sql (sqlite3_malloc()ed, taken over: kept or freed), from the cache
 * or prepared now and kept in place of the least recently used; NULL when it does not prepare
 * (the handle's error says why). Statements are reset after each use, never finalized here.
 */
static sqlite3_stmt *query_stmt(struct tao_store *s, char *sql)
{
	struct query_stmt *q = &s->query[0];
	sqlite3_stmt *st;

	s->query_tick++;
	for (int i = 0; i < QUERY_CACHE; i++) {
		if (s->query[i].sql && strcmp(s->query[i].sql, sql) == 0) {
			sqlite3_free(sql);
			s->query[i].used = s->query_tick;
			return s->query[i].st;
		}
		if (s->query[i].used < q->used)
			q = &s->query[i];
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		sqlite3_free(sql);
		return NULL;
	}
	sqlite3_finalize(q->st);
	sqlite3_free(q->sql);
	q->sql = sql;
	q->st = st;
	q->used = s->query_tick;
	return st;
}

int tao_store_resource_query(struct tao_store *s, const char *type, const char *tenant,
			     const char *where_sql, const struct tao_store_param *params,
			     size_t n_params,
			     int (*fn)(const struct tao_store_resource *r, void *arg), void *arg,
			     char *err, size_t errlen)
{
	struct tao_store_resource r;
	sqlite3_stmt *st = NULL;
	char msg[512], *sql;
	int rc, n = 0, ret = 0, top;

	sql = sqlite3_mprintf("SELECT " RES_COLUMNS " FROM scim_resources WHERE type = ?1%s AND "
			      "(%s) ORDER BY rowid",
			      tenant ? " AND tenant = ?2" : "", where_sql ? where_sql : "1");
	if (!sql)
		return fail(err, errlen, -ENOMEM, "out of memory");
	st = query_stmt(s, sql);
	if (!st) {
		ret = fail(err, errlen,
			   (sqlite3_errcode(s->db) & 0xff) == SQLITE_ERROR ? -EINVAL : -EIO,
			   "%s: querying SCIM resources: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
		return ret;
	}
	top = sqlite3_bind_parameter_count(st);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if (tenant)
		sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
	/* Parameters the expression does not name (a part left out) are not bound. */
	for (size_t i = 0; i < n_params && (int)i + TAO_STORE_QUERY_PARAM0 <= top; i++) {
		int k = (int)i + TAO_STORE_QUERY_PARAM0;

		switch (params[i].type) {
		case TAO_STORE_PARAM_TEXT:
			sqlite3_bind_text(st, k, params[i].text, -1, SQLITE_STATIC);
			break;
		case TAO_STORE_PARAM_INT:
			sqlite3_bind_int64(st, k, params[i].i);
			break;
		case TAO_STORE_PARAM_REAL:
			sqlite3_bind_double(st, k, params[i].d);
			break;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_view(st, &r);
		ret = fn(&r, arg);
		if (ret)
			break;
		n++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(err, errlen, -EIO, "%s: querying SCIM resources: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
	stmt_done(st);
	return ret ? ret : n;
}

/* One batch of tao_store_resource_fill_reps: rows after *last (rowid) not made under tag. */
#define FILL_BATCH 512

static int fill_batch(struct tao_store *s, int64_t tag, int64_t *last,
		      char *(*fn)(const struct tao_store_resource *r, int64_t *meta, void *arg),
		      void *arg, char *err, size_t errlen)
{
	struct tao_store_resource *rows = calloc(FILL_BATCH, sizeof(*rows));
	int64_t *rowids = calloc(FILL_BATCH, sizeof(*rowids));
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char msg[512];
	int rc = SQLITE_DONE, n = 0, ret = 0;

	if (!rows || !rowids) {
		ret = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (step_once(s->stmt[ST_BEGIN]) != SQLITE_OK) {
		ret = fail(err, errlen, -EIO, "%s: starting a transaction: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
		goto out;
	}
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " RES_COLUMNS ", rowid FROM scim_resources WHERE rowid > ?1 "
			       "AND rep_tag IS NOT ?2 ORDER BY rowid LIMIT ?3",
			       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE scim_resources SET rep = ?2, rep_meta = ?3, rep_tag = ?4 "
			       "WHERE rowid = ?1",
			       -1, &upd, NULL) != SQLITE_OK) {
		ret = fail(err, errlen, -EIO, "%s: filling representations: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
		goto out;
	}
	sqlite3_bind_int64(sel, 1, *last);
	sqlite3_bind_int64(sel, 2, tag);
	sqlite3_bind_int(sel, 3, FILL_BATCH);
	while (n < FILL_BATCH && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		ret = resource_row(sel, &rows[n]);
		rowids[n++] = sqlite3_column_int64(sel, 11);
		if (ret)
			goto out;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = fail(err, errlen, -EIO, "%s: filling representations: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
		goto out;
	}
	sqlite3_reset(sel);
	for (int i = 0; i < n && !ret; i++) {
		int64_t meta = 0;
		char *text = fn(&rows[i], &meta, arg);

		/* None (the body does not parse): NULL, marked with tag so as not to try again. */
		sqlite3_bind_int64(upd, 1, rowids[i]);
		if (text) {
			sqlite3_bind_text(upd, 2, text, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(upd, 3, meta);
		}
		sqlite3_bind_int64(upd, 4, tag);
		if (sqlite3_step(upd) != SQLITE_DONE)
			ret = fail(err, errlen, -EIO, "%s: filling representations: %s", s->path,
				   db_msg(s->db, msg, sizeof(msg)));
		stmt_done(upd);
		free(text);
		*last = rowids[i];
	}
	if (!ret && step_once(s->stmt[ST_COMMIT]) != SQLITE_OK)
		ret = fail(err, errlen, -EIO, "%s: committing representations: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (ret)
		rollback(s);
	for (int i = 0; rows && i < FILL_BATCH; i++)
		tao_store_resource_clear(&rows[i]);
	free(rows);
	free(rowids);
	return ret ? ret : n;
}

int tao_store_resource_fill_reps(struct tao_store *s, int64_t tag,
				 char *(*fn)(const struct tao_store_resource *r, int64_t *meta,
					     void *arg),
				 void *arg, char *err, size_t errlen)
{
	int64_t last = 0;
	int n, total = 0;

	do {
		n = fill_batch(s, tag, &last, fn, arg, err, errlen);
		if (n < 0)
			return n;
		total += n;
	} while (n == FILL_BATCH && total < INT_MAX - FILL_BATCH);
	return total;
}

/* ---- bearer tokens ----------------------------------------------------------------------- */

int tao_store_token_add(struct tao_store *s, const char *name, const uint8_t hash[32],
			const char *role, const char *tenant, int64_t created, char *err,
			size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_TOKEN_INSERT];
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tenant ? tenant : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, created);
	rc = write_one(s, st, "adding a token", err, errlen);
	if (rc == -EEXIST)
		return fail(err, errlen, -EEXIST, "a token named \"%s\" exists already", name);
	return rc < 0 ? rc : 0;
}

static void token_row(sqlite3_stmt *st, struct tao_store_token *t)
{
	memset(t, 0, sizeof(*t));
	copy_text(t->name, sizeof(t->name), st, 0);
	copy_text(t->role, sizeof(t->role), st, 1);
	copy_text(t->tenant, sizeof(t->tenant), st, 2);
	t->created = sqlite3_column_int64(st, 3);
	t->revoked = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
}

int tao_store_token_find(struct tao_store *s, const uint8_t hash[32], struct tao_store_token *out,
			 char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_TOKEN_FIND];
	char msg[512];
	int rc;

	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_row(st, out);
	else if (rc != SQLITE_DONE)
		fail(err, errlen, -EIO, "%s: looking up a token: %s", s->path,
		     db_msg(s->db, msg, sizeof(msg)));
	stmt_done(st);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return -EIO;
	return out->revoked ? -EKEYREVOKED : 0;
}

int tao_store_token_revoke(struct tao_store *s, const char *name, int64_t when, char *err,
			   size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_TOKEN_REVOKE];
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	rc = write_one(s, st, "revoking a token", err, errlen);
	if (rc == 0)
		return fail(err, errlen, -ENOENT, "no active token named \"%s\"", name);
	return rc < 0 ? rc : 0;
}

int tao_store_token_list(struct tao_store *s, int (*fn)(const struct tao_store_token *t, void *arg),
			 void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_TOKEN_LIST];
	struct tao_store_token t;
	char msg[512];
	int rc, n = 0, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		token_row(st, &t);
		ret = fn(&t, arg);
		if (ret)
			break;
		n++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(err, errlen, -EIO, "%s: listing tokens: %s", s->path,
			   db_msg(s->db, msg, sizeof(msg)));
	stmt_done(st);
	return ret ? ret : n;
}

/* ---- LDevID certificates (schema 3) ---------------------------------------------------------- */

int tao_store_ldevid_add(struct tao_store *s, const char *cert_serial, const char *device,
			 int64_t issued, int64_t not_after, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_LDEVID_ADD];
	int rc;

	sqlite3_bind_text(st, 1, cert_serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, issued);
	sqlite3_bind_int64(st, 4, not_after);
	rc = write_one(s, st, "recording an LDevID certificate", err, errlen);
	if (rc == -EEXIST)
		return fail(err, errlen, -EEXIST,
			    "an LDevID certificate with serial number %s exists already",
			    cert_serial);
	return rc < 0 ? rc : 0;
}

int tao_store_ldevid_revoke_cert(struct tao_store *s, const char *cert_serial, int64_t when,
				 char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_LDEVID_REVOKE_CERT];
	int rc;

	sqlite3_bind_text(st, 1, cert_serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	rc = write_one(s, st, "revoking an LDevID certificate", err, errlen);
	if (rc == 0)
		return fail(err, errlen, -EALREADY,
			    "the certificate with serial number %s is revoked already",
			    cert_serial);
	return rc < 0 ? rc : 0;
}

int tao_store_ldevid_revoke_device(struct tao_store *s, const char *device, int64_t when, char *err,
				   size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_LDEVID_REVOKE_DEVICE];

	sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	return write_one(s, st, "revoking a device's LDevID certificates", err, errlen);
}

int tao_store_ldevid_revoked(struct tao_store *s, const char *cert_serial, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_LDEVID_REVOKED];
	char msg[512];
	int rc, ret = 0;

	sqlite3_bind_text(st, 1, cert_serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = sqlite3_column_type(st, 0) != SQLITE_NULL;
	else if (rc != SQLITE_DONE)
		ret = fail(err, errlen, -EIO, "%s: looking up certificate %s: %s", s->path,
			   cert_serial, db_msg(s->db, msg, sizeof(msg)));
	stmt_done(st);
	return ret;
}
