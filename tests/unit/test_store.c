/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Unit tests for the registrar's SQLite store (registrar/store.h), on files in a temporary dir. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"

#define ISSUER "CN=Tao Test Manufacturer CA,O=tao"
#define CERT_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CERT_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/tao-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/registrar.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	struct fixture *f = *state;
	char p[160];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	if (rmdir(f->dir))
		fprintf(stderr, "rmdir %s: %s\n", f->dir, strerror(errno));
	free(f);
	return 0;
}

static struct tao_store *open_ok(const char *path)
{
	struct tao_store *s = NULL;
	char err[512] = "";
	int ret = tao_store_open(path, &s, err, sizeof(err));

	if (ret)
		fail_msg("tao_store_open(%s): %d: %s", path, ret, err);
	assert_non_null(s);
	return s;
}

/* An attestation of device serial at time t; accepted when status is affirming or warning. */
static struct tao_store_attestation att(const char *serial, const char *status, int64_t t,
					uint32_t reset, uint32_t restart, uint64_t clock)
{
	struct tao_store_attestation a = {
		.issuer = ISSUER,
		.serial = serial,
		.cert_sha256 = CERT_A,
		.status = status,
		.accepted = !strcmp(status, "affirming") || !strcmp(status, "warning"),
		.reason = "every check passed",
		.result_json = "{\"ear.status\":\"affirming\"}",
		.peer = "127.0.0.1:40312",
		.time = t,
		.has_counters = true,
		.counters = { reset, restart, clock },
	};
	return a;
}

static int64_t record_ok(struct tao_store *s, struct tao_store_attestation a)
{
	char err[512] = "";
	int64_t id = -1;
	int ret = tao_store_record(s, &a, &id, err, sizeof(err));

	if (ret)
		fail_msg("tao_store_record(%s): %d: %s", a.serial, ret, err);
	assert_true(id > 0);
	return id;
}

static struct tao_store_stats stats(struct tao_store *s)
{
	struct tao_store_stats st;
	char err[512] = "";

	assert_int_equal(tao_store_stats(s, &st, err, sizeof(err)), 0);
	return st;
}

static struct tao_store_device device(struct tao_store *s, const char *serial)
{
	struct tao_store_device d;
	char err[512] = "";
	int ret = tao_store_device_get(s, ISSUER, serial, &d, err, sizeof(err));

	if (ret)
		fail_msg("tao_store_device_get(%s): %d: %s", serial, ret, err);
	return d;
}

/* The single integer a query of the file gives. */
static int64_t file_count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int64_t file_user_version(const char *path)
{
	return file_count(path, "PRAGMA user_version");
}

static void file_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_create_reopen(void **state)
{
	struct fixture *f = *state;
	struct tao_store_attestation a = att("TAO-A-0001", "affirming", 1000, 3, 1, 123456);
	struct tao_store_device d;
	struct tao_store *s;
	int64_t id;

	s = open_ok(f->path);
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	id = record_ok(s, a);
	tao_store_close(s);

	s = open_ok(f->path); /* an existing database of this version: no migration */
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	d = device(s, "TAO-A-0001");
	assert_string_equal(d.serial, "TAO-A-0001");
	assert_string_equal(d.issuer, ISSUER);
	assert_string_equal(d.cert_sha256, CERT_A);
	assert_int_equal(d.first_seen, 1000);
	assert_int_equal(d.last_seen, 1000);
	assert_true(d.has_accepted);
	assert_int_equal(d.last_accepted, 1000);
	assert_string_equal(d.last_status, "affirming");
	assert_int_equal(d.counters.reset_count, 3);
	assert_int_equal(d.counters.restart_count, 1);
	assert_int_equal(d.counters.clock, 123456);
	assert_true(record_ok(s, att("TAO-A-0001", "affirming", 1001, 3, 1, 123457)) > id);
	assert_int_equal(stats(s).attestations, 2);
	tao_store_close(s);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s;
	char err[512] = "";
	char want[64];

	tao_store_close(open_ok(f->path));
	char sql[64], have[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", TAO_STORE_SCHEMA_VERSION + 1);
	file_exec(f->path, sql);
	assert_int_equal(tao_store_open(f->path, &s, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_null(s);
	assert_non_null(strstr(err, f->path));
	snprintf(have, sizeof(have), "schema version is %d", TAO_STORE_SCHEMA_VERSION + 1);
	assert_non_null(strstr(err, have));
	snprintf(want, sizeof(want), "this build's %d", TAO_STORE_SCHEMA_VERSION);
	assert_non_null(strstr(err, want));
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION + 1); /* left alone */
}

static void test_unknown_device(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_device d;
	char err[512] = "";

	assert_int_equal(tao_store_device_get(s, ISSUER, "TAO-NOPE", &d, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "TAO-NOPE"));
	assert_int_equal(tao_store_history(s, ISSUER, "TAO-NOPE", 10, NULL, NULL, err, sizeof(err)),
			 -ENOENT);
	/* The same serial from another issuer is another device. */
	record_ok(s, att("TAO-A-0001", "affirming", 1, 0, 0, 1));
	assert_int_equal(tao_store_device_get(s, "CN=Other CA", "TAO-A-0001", &d, err, sizeof(err)),
			 -ENOENT);
	tao_store_close(s);
}

static void test_first_record_not_accepted(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_attestation a = att("TAO-A-0002", "contraindicated", 500, 1, 0, 10);
	struct tao_store_device d;
	struct tao_store_stats st;

	record_ok(s, a);
	d = device(s, "TAO-A-0002");
	assert_int_equal(d.first_seen, 500);
	assert_int_equal(d.last_seen, 500);
	assert_string_equal(d.last_status, "contraindicated");
	assert_false(d.has_accepted);
	assert_int_equal(d.last_accepted, 0);
	assert_string_equal(d.cert_sha256, "");
	assert_int_equal(d.counters.reset_count, 0);
	assert_int_equal(d.counters.restart_count, 0);
	assert_int_equal(d.counters.clock, 0);
	st = stats(s);
	assert_int_equal(st.devices, 1);
	assert_int_equal(st.attestations, 1);
	assert_int_equal(st.accepted, 0);
	tao_store_close(s);
}

static void test_accepted_and_not(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_attestation a;
	struct tao_store_device d;
	struct tao_store_stats st;

	a = att("TAO-A-0003", "affirming", 100, 2, 0, 5000);
	record_ok(s, a);

	/* A contraindicated attestation with any counters: history, last_seen, last_status only. */
	a = att("TAO-A-0003", "contraindicated", 200, 0, 0, 1);
	a.cert_sha256 = CERT_B;
	record_ok(s, a);
	d = device(s, "TAO-A-0003");
	assert_int_equal(d.first_seen, 100);
	assert_int_equal(d.last_seen, 200);
	assert_string_equal(d.last_status, "contraindicated");
	assert_true(d.has_accepted);
	assert_int_equal(d.last_accepted, 100);
	assert_string_equal(d.cert_sha256, CERT_A);
	assert_int_equal(d.counters.reset_count, 2);
	assert_int_equal(d.counters.restart_count, 0);
	assert_int_equal(d.counters.clock, 5000);

	/* "none" (the quote did not authenticate): no counters, nothing checked. */
	a = att("TAO-A-0003", "none", 250, 0, 0, 0);
	a.has_counters = false;
	record_ok(s, a);
	d = device(s, "TAO-A-0003");
	assert_string_equal(d.last_status, "none");
	assert_int_equal(d.last_seen, 250);
	assert_int_equal(d.counters.clock, 5000);

	/* A warning is accepted: everything moves. */
	a = att("TAO-A-0003", "warning", 300, 2, 1, 6000);
	a.cert_sha256 = CERT_B;
	record_ok(s, a);
	d = device(s, "TAO-A-0003");
	assert_int_equal(d.last_seen, 300);
	assert_int_equal(d.last_accepted, 300);
	assert_string_equal(d.last_status, "warning");
	assert_string_equal(d.cert_sha256, CERT_B);
	assert_int_equal(d.counters.reset_count, 2);
	assert_int_equal(d.counters.restart_count, 1);
	assert_int_equal(d.counters.clock, 6000);

	/* Accepted without counters: the stored counters stay. */
	a = att("TAO-A-0003", "affirming", 400, 0, 0, 0);
	a.has_counters = false;
	record_ok(s, a);
	d = device(s, "TAO-A-0003");
	assert_int_equal(d.last_accepted, 400);
	assert_string_equal(d.cert_sha256, CERT_A);
	assert_int_equal(d.counters.restart_count, 1);
	assert_int_equal(d.counters.clock, 6000);

	st = stats(s);
	assert_int_equal(st.devices, 1);
	assert_int_equal(st.attestations, 5);
	assert_int_equal(st.accepted, 3);
	tao_store_close(s);
}

static void test_invalid(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_attestation a;
	char err[512], serial[80];
	int64_t id = 77;

	a = att("TAO-A-0004", "affirming", 1, 0, 0, 1);
	a.status = "contraindicated"; /* but .accepted stays true */
	assert_int_equal(tao_store_record(s, &a, &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "contraindicated cannot be accepted"));
	a = att("TAO-A-0004", "affirming", 1, 0, 0, 1);
	a.status = "fine";
	assert_int_equal(tao_store_record(s, &a, &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"fine\""));
	a = att("TAO-A-0004", "affirming", 1, 0, 0, 1);
	a.cert_sha256 = NULL;
	assert_int_equal(tao_store_record(s, &a, &id, err, sizeof(err)), -EINVAL);
	memset(serial, 'S', sizeof(serial) - 1);
	serial[sizeof(serial) - 1] = '\0';
	a = att(serial, "affirming", 1, 0, 0, 1);
	assert_int_equal(tao_store_record(s, &a, &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "79 bytes long, over 64"));
	a = att("", "affirming", 1, 0, 0, 1);
	assert_int_equal(tao_store_record(s, &a, &id, err, sizeof(err)), -EINVAL);
	assert_int_equal(id, 77);
	assert_int_equal(stats(s).attestations, 0);
	assert_int_equal(stats(s).devices, 0);
	tao_store_close(s);
}

static void test_counters_backwards_rule(void **state)
{
	const struct tao_store_counters a = { 5, 3, 1000 };
	const struct tao_store_counters big = { 5, 3, (1ULL << 63) + 1 };

	(void)state;
	/* Backwards: each of the three ways. */
	assert_true(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 4, 9, 9999 }));
	assert_true(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 5, 2, 9999 }));
	assert_true(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 5, 3, 999 }));
	/* Equal: the same quote again. */
	assert_true(tao_store_counters_backwards(&a, &a));
	/* Forward. */
	assert_false(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 6, 0, 0 }));
	assert_false(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 5, 4, 0 }));
	assert_false(tao_store_counters_backwards(&a, &(struct tao_store_counters){ 5, 3, 1001 }));
	/* Unsigned 64-bit clocks. */
	assert_false(tao_store_counters_backwards(&a, &big));
	assert_true(tao_store_counters_backwards(&big, &a));
	assert_true(tao_store_counters_backwards(&big,
						 &(struct tao_store_counters){ 5, 3, INT64_MAX }));
	assert_false(tao_store_counters_backwards(
		&big, &(struct tao_store_counters){ 5, 3, UINT64_MAX }));
	assert_true(tao_store_counters_backwards(&(struct tao_store_counters){ UINT32_MAX, 0, 0 },
						 &(struct tao_store_counters){ 0, UINT32_MAX, 1 }));
}

/* tao_store_record refuses b after a with -ESTALE and writes nothing. */
static void expect_stale(struct tao_store *s, struct tao_store_attestation b)
{
	struct tao_store_stats before = stats(s), after;
	struct tao_store_device d0, d1;
	char err[512] = "";
	int64_t id = 77;

	d0 = device(s, b.serial);
	assert_int_equal(tao_store_record(s, &b, &id, err, sizeof(err)), -ESTALE);
	assert_int_equal(id, 77);
	assert_non_null(strstr(err, "do not move forward"));
	after = stats(s);
	assert_int_equal(after.attestations, before.attestations);
	assert_int_equal(after.accepted, before.accepted);
	d1 = device(s, b.serial);
	assert_memory_equal(&d0, &d1, sizeof(d0));
}

static void test_stale(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_attestation a = att("TAO-A-0005", "affirming", 100, 7, 4, 90000);
	struct tao_store_attestation b;
	char err[512];

	record_ok(s, a);
	expect_stale(s, att("TAO-A-0005", "affirming", 101, 6, 9, 99999));
	expect_stale(s, att("TAO-A-0005", "affirming", 101, 7, 3, 99999));
	expect_stale(s, att("TAO-A-0005", "warning", 101, 7, 4, 89999));
	/* The same counters again: the same quote replayed. */
	expect_stale(s, att("TAO-A-0005", "affirming", 101, 7, 4, 90000));
	b = att("TAO-A-0005", "affirming", 101, 7, 4, 90000);
	assert_int_equal(tao_store_record(s, &b, &(int64_t){ 0 }, err, sizeof(err)), -ESTALE);
	assert_non_null(strstr(err, "resetCount 7, restartCount 4, clock 90000"));
	/* Not accepted: not checked, recorded. */
	record_ok(s, att("TAO-A-0005", "contraindicated", 102, 0, 0, 0));
	/* The handle is still usable after the refusals (no transaction left open). */
	record_ok(s, att("TAO-A-0005", "affirming", 103, 8, 0, 5));
	assert_int_equal(device(s, "TAO-A-0005").counters.reset_count, 8);
	assert_int_equal(stats(s).attestations, 3);
	tao_store_close(s);
}

static void test_clock_above_2_63(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	const uint64_t big = (1ULL << 63) + 12345;
	struct tao_store_device d;

	record_ok(s, att("TAO-A-0006", "affirming", 1, 1, 0, INT64_MAX - 1));
	record_ok(s, att("TAO-A-0006", "affirming", 2, 1, 0, big));
	tao_store_close(s);
	s = open_ok(f->path);
	d = device(s, "TAO-A-0006");
	assert_true(d.counters.clock == big);
	/* Below 2^63 is backwards from above it (a signed comparison would say forward). */
	expect_stale(s, att("TAO-A-0006", "affirming", 3, 1, 0, INT64_MAX));
	expect_stale(s, att("TAO-A-0006", "affirming", 3, 1, 0, big - 1));
	record_ok(s, att("TAO-A-0006", "affirming", 4, 1, 0, UINT64_MAX));
	d = device(s, "TAO-A-0006");
	assert_true(d.counters.clock == UINT64_MAX);
	expect_stale(s, att("TAO-A-0006", "affirming", 5, 1, 0, UINT64_MAX));
	tao_store_close(s);
}

struct history {
	int n;
	int64_t ids[16];
	int64_t times[16];
	char status[16][24];
	int stop_at; /* return -EINTR at this row (0: never) */
};

static int history_row(const struct tao_store_history_row *row, void *arg)
{
	struct history *h = arg;

	if (h->stop_at && h->n + 1 == h->stop_at)
		return -EINTR;
	assert_true(h->n < 16);
	h->ids[h->n] = row->id;
	h->times[h->n] = row->time;
	snprintf(h->status[h->n], sizeof(h->status[0]), "%s", row->status);
	assert_string_equal(row->peer, "127.0.0.1:40312");
	assert_string_equal(row->reason, "every check passed");
	assert_int_equal(row->accepted, strcmp(row->status, "contraindicated") != 0);
	h->n++;
	return 0;
}

static void test_history(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct history h = { 0 };
	char err[512] = "";
	int64_t ids[5];

	for (int i = 0; i < 5; i++)
		ids[i] = record_ok(s, att("TAO-A-0007", i == 2 ? "contraindicated" : "affirming",
					  1000 + i, 1, 0, 100 + (uint64_t)i));
	/* Another device's rows are not in this one's history. */
	record_ok(s, att("TAO-B-0001", "affirming", 2000, 1, 0, 1));

	assert_int_equal(
		tao_store_history(s, ISSUER, "TAO-A-0007", 3, history_row, &h, err, sizeof(err)),
		3);
	assert_int_equal(h.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(h.ids[i], ids[4 - i]);
		assert_int_equal(h.times[i], 1000 + 4 - i);
	}
	assert_string_equal(h.status[2], "contraindicated");

	memset(&h, 0, sizeof(h));
	assert_int_equal(
		tao_store_history(s, ISSUER, "TAO-A-0007", 100, history_row, &h, err, sizeof(err)),
		5);
	assert_int_equal(h.ids[4], ids[0]);

	memset(&h, 0, sizeof(h));
	assert_int_equal(
		tao_store_history(s, ISSUER, "TAO-A-0007", 0, history_row, &h, err, sizeof(err)),
		0);
	assert_int_equal(h.n, 0);

	memset(&h, 0, sizeof(h));
	h.stop_at = 2;
	assert_int_equal(tao_store_history(s, ISSUER, "TAO-A-0007", SIZE_MAX, history_row, &h, err,
					   sizeof(err)),
			 -EINTR);
	assert_int_equal(h.n, 1);
	/* The statement was reset: the handle writes again. */
	record_ok(s, att("TAO-A-0007", "affirming", 1005, 1, 0, 200));
	tao_store_close(s);
}

static void test_stats(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_stats st = stats(s);
	char serial[16];

	assert_int_equal(st.devices, 0);
	assert_int_equal(st.attestations, 0);
	assert_int_equal(st.accepted, 0);
	for (int i = 0; i < 4; i++) {
		snprintf(serial, sizeof(serial), "TAO-S-%04d", i);
		record_ok(s, att(serial, "affirming", 1, 0, 0, 1));
		record_ok(s, att(serial, "warning", 2, 0, 0, 2));
		record_ok(s, att(serial, "contraindicated", 3, 0, 0, 3));
	}
	st = stats(s);
	assert_int_equal(st.devices, 4);
	assert_int_equal(st.attestations, 12);
	assert_int_equal(st.accepted, 8);
	tao_store_close(s);
}

static void test_two_handles(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s1 = open_ok(f->path);
	struct tao_store *s2 = open_ok(f->path);
	struct tao_store *s;

	for (int i = 0; i < 50; i++) {
		s = i % 2 ? s2 : s1;
		record_ok(s, att("TAO-A-0008", "affirming", i, 1, 0, 10 + (uint64_t)i));
		/* Each handle sees the other's commit at once. */
		assert_int_equal(device(i % 2 ? s1 : s2, "TAO-A-0008").counters.clock,
				 10 + (uint64_t)i);
	}
	/* A quote older than the one the other handle recorded is refused. */
	expect_stale(s1, att("TAO-A-0008", "affirming", 99, 1, 0, 58));
	assert_int_equal(stats(s2).attestations, 50);
	tao_store_close(s1);
	tao_store_close(s2);
}

#define FORK_N 200

static int write_many(const char *path, const char *serial)
{
	struct tao_store_attestation a;
	struct tao_store *s;
	char err[512];
	int64_t id;
	int ret;

	ret = tao_store_open(path, &s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s: open: %s\n", serial, err);
		return 1;
	}
	for (int i = 0; i < FORK_N; i++) {
		a = att(serial, i % 3 ? "affirming" : "contraindicated", i, 1, 0, 1 + (uint64_t)i);
		ret = tao_store_record(s, &a, &id, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "%s: record %d: %s\n", serial, i, err);
			tao_store_close(s);
			return 1;
		}
	}
	tao_store_close(s);
	return 0;
}

static int count_rows(const struct tao_store_history_row *row, void *arg)
{
	(void)row;
	(void)arg;
	return 0;
}

static void test_fork(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s;
	char err[512];
	int status;
	pid_t pid;

	/* Create the database first, so both only open it (the migration race has its own lock). */
	tao_store_close(open_ok(f->path));
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(write_many(f->path, "TAO-CHILD"));
	assert_int_equal(write_many(f->path, "TAO-PARENT"), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	s = open_ok(f->path);
	assert_int_equal(stats(s).attestations, 2 * FORK_N);
	assert_int_equal(stats(s).devices, 2);
	assert_int_equal(tao_store_history(s, ISSUER, "TAO-CHILD", SIZE_MAX, count_rows, NULL, err,
					   sizeof(err)),
			 FORK_N);
	assert_int_equal(tao_store_history(s, ISSUER, "TAO-PARENT", SIZE_MAX, count_rows, NULL, err,
					   sizeof(err)),
			 FORK_N);
	assert_int_equal(device(s, "TAO-CHILD").counters.clock, FORK_N); /* i = 199, accepted */
	assert_int_equal(device(s, "TAO-PARENT").counters.clock, FORK_N);
	tao_store_close(s);
}

static void write_file(const char *path, const void *buf, size_t len, off_t off)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void test_corrupt(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = (struct tao_store *)1;
	unsigned char junk[8192];
	char err[512] = "";
	int ret;

	srand(42);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	write_file(f->path, junk, sizeof(junk), 0);
	ret = tao_store_open(f->path, &s, err, sizeof(err));
	assert_int_equal(ret, -EIO);
	assert_null(s);
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "not an SQLite 3 database (file is not a database)"));
	unlink(f->path);

	/* A real database whose first page (after the 100-byte header) is garbage. */
	s = open_ok(f->path);
	record_ok(s, att("TAO-A-0009", "affirming", 1, 0, 0, 1));
	tao_store_close(s);
	write_file(f->path, junk, 4096 - 100, 100);
	ret = tao_store_open(f->path, &s, err, sizeof(err));
	assert_int_equal(ret, -EIO);
	assert_null(s);
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "malformed"));
}

/* Another program's database (no user_version) is not migrated into. */
static void test_foreign(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s;
	char err[512] = "";

	file_exec(f->path, "CREATE TABLE devices (name TEXT)");
	assert_int_equal(tao_store_open(f->path, &s, err, sizeof(err)), -EIO);
	assert_null(s);
	assert_non_null(strstr(err, "schema version 0 with 1 tables"));
	assert_non_null(strstr(err, "not a tao-registrar database"));
	assert_int_equal(file_user_version(f->path), 0);
}

static void test_cannot_open(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s;
	char err[512] = "", path[160];

	snprintf(path, sizeof(path), "%s/no/such/dir/registrar.db", f->dir);
	assert_int_equal(tao_store_open(path, &s, err, sizeof(err)), -ENOENT);
	assert_null(s);
	assert_non_null(strstr(err, path));
}

/* SCIM resources: create, read, versioned update and delete, the serial binding. */
static int count_cb(const struct tao_store_resource *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void test_resources(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_resource r = { .id = "11111111-1111-4111-8111-111111111111",
					.type = "Device",
					.tenant = "t1",
					.created = 1000,
					.serial = "SN-1",
					.body = (char *)"{\"active\":true}" };
	struct tao_store_resource got, other = r;
	char err[512] = "";
	int n = 0;

	assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	assert_int_equal(tao_store_resource_get(s, "Device", r.id, &got, err, sizeof(err)), 0);
	assert_int_equal(got.version, 1);
	assert_int_equal(got.created, 1000);
	assert_string_equal(got.body, "{\"active\":true}");
	assert_string_equal(got.serial, "SN-1");
	tao_store_resource_clear(&got);
	/* Another type, another id: unknown. */
	assert_int_equal(tao_store_resource_get(s, "EndpointApp", r.id, &got, err, sizeof(err)),
			 -ENOENT);
	/* The serial binds one Device. */
	snprintf(other.id, sizeof(other.id), "22222222-2222-4222-8222-222222222222");
	assert_int_equal(tao_store_resource_create(s, &other, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "SN-1"));
	assert_int_equal(tao_store_resource_by_serial(s, "Device", "SN-1", &got, err, sizeof(err)),
			 0);
	assert_string_equal(got.id, r.id);
	tao_store_resource_clear(&got);
	/* Updates carry the version they expect. */
	assert_int_equal(tao_store_resource_update(s, "Device", r.id, 1, "{\"active\":false}",
						   "SN-1", NULL, 2000, err, sizeof(err)),
			 0);
	assert_int_equal(tao_store_resource_update(s, "Device", r.id, 1, "{}", "SN-1", NULL, 3000,
						   err, sizeof(err)),
			 -ESTALE);
	assert_int_equal(tao_store_resource_get(s, "Device", r.id, &got, err, sizeof(err)), 0);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.modified, 2000);
	assert_string_equal(got.body, "{\"active\":false}");
	tao_store_resource_clear(&got);
	/* Listing by tenant. */
	other.serial[0] = '\0';
	snprintf(other.tenant, sizeof(other.tenant), "t2");
	assert_int_equal(tao_store_resource_create(s, &other, err, sizeof(err)), 0);
	assert_int_equal(tao_store_resource_list(s, "Device", NULL, count_cb, &n, err, sizeof(err)),
			 2);
	n = 0;
	assert_int_equal(tao_store_resource_list(s, "Device", "t2", count_cb, &n, err, sizeof(err)),
			 1);
	assert_int_equal(n, 1);
	/* Delete: the version must match too. */
	assert_int_equal(tao_store_resource_delete(s, "Device", r.id, 1, err, sizeof(err)),
			 -ESTALE);
	assert_int_equal(tao_store_resource_delete(s, "Device", r.id, 2, err, sizeof(err)), 0);
	assert_int_equal(tao_store_resource_get(s, "Device", r.id, &got, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(tao_store_resource_delete(s, "Device", r.id, 0, err, sizeof(err)),
			 -ESTALE);
	tao_store_close(s);
}

static int token_cb(const struct tao_store_token *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_token t;
	uint8_t h1[32] = { 1 }, h2[32] = { 2 }, h3[32] = { 3 };
	char err[512] = "";
	int n = 0;

	assert_int_equal(tao_store_token_add(s, "ops", h1, "operator", "", 100, err, sizeof(err)),
			 0);
	assert_int_equal(tao_store_token_add(s, "ops", h2, "operator", "", 100, err, sizeof(err)),
			 -EEXIST);
	assert_int_equal(
		tao_store_token_add(s, "inst", h2, "installer", "acme", 101, err, sizeof(err)), 0);
	assert_int_equal(tao_store_token_find(s, h2, &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "inst");
	assert_string_equal(t.role, "installer");
	assert_string_equal(t.tenant, "acme");
	assert_int_equal(tao_store_token_find(s, h3, &t, err, sizeof(err)), -ENOENT);
	assert_int_equal(tao_store_token_revoke(s, "inst", 200, err, sizeof(err)), 0);
	assert_int_equal(tao_store_token_find(s, h2, &t, err, sizeof(err)), -EKEYREVOKED);
	assert_int_equal(t.revoked, 200);
	assert_int_equal(tao_store_token_revoke(s, "inst", 300, err, sizeof(err)), -ENOENT);
	assert_int_equal(tao_store_token_list(s, token_cb, &n, err, sizeof(err)), 2);
	tao_store_close(s);
}

/* A database of schema 1 migrates to the current one and keeps its data. */
static void test_migrate_from_1(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);

	record_ok(s, att("TAO-M-1", "affirming", 1000, 1, 0, 10));
	tao_store_close(s);
	file_exec(f->path, "DROP TABLE ldevid_certs; DROP TABLE tokens; DROP TABLE scim_resources; "
			   "PRAGMA user_version = 1");
	assert_int_equal(file_user_version(f->path), 1);
	s = open_ok(f->path);
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	assert_int_equal(stats(s).attestations, 1);
	tao_store_close(s);
}

/* A database of schema 2 gains the LDevID table and keeps its tokens. */
static void test_migrate_from_2(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_token t;
	uint8_t h[32] = { 7 };
	char err[512] = "";

	assert_int_equal(tao_store_token_add(s, "ops", h, "operator", "", 100, err, sizeof(err)),
			 0);
	tao_store_close(s);
	file_exec(f->path,
		  "DROP INDEX scim_ble_mac; DROP INDEX scim_ble_irk; DROP INDEX scim_dpp_mac; "
		  "ALTER TABLE scim_resources DROP COLUMN rep; "
		  "ALTER TABLE scim_resources DROP COLUMN rep_meta; "
		  "ALTER TABLE scim_resources DROP COLUMN rep_tag; "
		  "DROP TABLE ldevid_certs; PRAGMA user_version = 2");
	assert_int_equal(file_user_version(f->path), 2);
	s = open_ok(f->path);
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	assert_int_equal(tao_store_token_find(s, h, &t, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_add(s, "4A01", "TAO-M-2", 100, 200, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoked(s, "4A01", err, sizeof(err)), 0);
	tao_store_close(s);
	/* Schema 4: the unique MAC and IRK attributes are indexed. */
	assert_int_equal(file_count(f->path, "SELECT count(*) FROM sqlite_master WHERE type = "
					     "'index' AND name IN ('scim_ble_mac', 'scim_ble_irk', "
					     "'scim_dpp_mac')"),
			 3);
}

/* tao_store_resource_fill_reps' maker: "<id>:<version>" at meta offset 1, none for id "bad". */
static char *rep_of(const struct tao_store_resource *r, int64_t *meta, void *arg)
{
	char buf[80];

	(*(int *)arg)++;
	if (strcmp(r->id, "bad") == 0)
		return NULL;
	snprintf(buf, sizeof(buf), "{%s:%" PRId64 "}", r->id, r->version);
	*meta = 1;
	return strdup(buf);
}

static int stop_cb(const struct tao_store_resource *r, void *arg)
{
	(void)r;
	(void)arg;
	return 7;
}

static int rep_cb(const struct tao_store_resource *r, void *arg)
{
	char *seen = arg;

	strcat(seen, r->rep ? r->rep : "-");
	return 0;
}

/*
 * A database of schema 4 gains the representation columns (schema 5) and keeps its resources,
 * whose representations are NULL until filled; writes store them, and an update without one
 * drops the old.
 */
static void test_migrate_from_4(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_resource r = { .id = "a",
					.type = "Device",
					.created = 1000,
					.body = (char *)"{\"displayName\":\"A\"}" };
	struct tao_store_resource got;
	struct tao_store_rep rep = { "{x}", 1, 42 };
	char err[512] = "", seen[256] = "";
	int calls = 0;

	assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	snprintf(r.id, sizeof(r.id), "bad");
	r.created = 2000;
	assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	tao_store_close(s);
	file_exec(f->path,
		  "ALTER TABLE scim_resources DROP COLUMN rep; "
		  "ALTER TABLE scim_resources DROP COLUMN rep_meta; "
		  "ALTER TABLE scim_resources DROP COLUMN rep_tag; PRAGMA user_version = 4");
	assert_int_equal(file_user_version(f->path), 4);
	s = open_ok(f->path);
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	/* The data kept, the new columns NULL. */
	assert_int_equal(tao_store_resource_get(s, "Device", "a", &got, err, sizeof(err)), 0);
	assert_string_equal(got.body, "{\"displayName\":\"A\"}");
	assert_int_equal(got.version, 1);
	assert_int_equal(got.created, 1000);
	assert_null(got.rep);
	tao_store_resource_clear(&got);
	assert_int_equal(file_count(f->path,
				    "SELECT count(*) FROM scim_resources WHERE rep IS NULL "
				    "AND rep_meta IS NULL AND rep_tag IS NULL"),
			 2);
	/* Filled once under a tag; "bad" gets none but is not tried again; times stay. */
	assert_int_equal(tao_store_resource_fill_reps(s, 42, rep_of, &calls, err, sizeof(err)), 2);
	assert_int_equal(calls, 2);
	assert_int_equal(tao_store_resource_fill_reps(s, 42, rep_of, &calls, err, sizeof(err)), 0);
	assert_int_equal(calls, 2);
	assert_int_equal(tao_store_resource_get(s, "Device", "a", &got, err, sizeof(err)), 0);
	assert_string_equal(got.rep, "{a:1}");
	assert_int_equal(got.rep_meta, 1);
	assert_int_equal(got.rep_tag, 42);
	assert_int_equal(got.version, 1);
	assert_int_equal(got.modified, 1000);
	tao_store_resource_clear(&got);
	assert_int_equal(tao_store_resource_get(s, "Device", "bad", &got, err, sizeof(err)), 0);
	assert_null(got.rep);
	tao_store_resource_clear(&got);
	assert_int_equal(
		file_count(f->path, "SELECT count(*) FROM scim_resources WHERE rep_tag = 42"), 2);
	/* Another tag: made again. */
	assert_int_equal(tao_store_resource_fill_reps(s, 43, rep_of, &calls, err, sizeof(err)), 2);
	/* An update stores the one given, or none. */
	assert_int_equal(tao_store_resource_update(s, "Device", "a", 1, "{}", NULL, &rep, 3000, err,
						   sizeof(err)),
			 0);
	assert_int_equal(tao_store_resource_get(s, "Device", "a", &got, err, sizeof(err)), 0);
	assert_string_equal(got.rep, "{x}");
	assert_int_equal(got.rep_tag, 42);
	tao_store_resource_clear(&got);
	assert_int_equal(tao_store_resource_query(s, "Device", NULL, NULL, NULL, 0, rep_cb, seen,
						  err, sizeof(err)),
			 2);
	assert_string_equal(seen, "{x}-");
	assert_int_equal(tao_store_resource_update(s, "Device", "a", 2, "{}", NULL, NULL, 4000, err,
						   sizeof(err)),
			 0);
	assert_int_equal(tao_store_resource_get(s, "Device", "a", &got, err, sizeof(err)), 0);
	assert_null(got.rep);
	tao_store_resource_clear(&got);
	/* Created with one. */
	r = (struct tao_store_resource){ .id = "c",
					 .type = "Device",
					 .created = 5000,
					 .body = (char *)"{}",
					 .rep = (char *)"{c}",
					 .rep_meta = 1,
					 .rep_tag = 42 };
	assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	assert_int_equal(tao_store_resource_get(s, "Device", "c", &got, err, sizeof(err)), 0);
	assert_string_equal(got.rep, "{c}");
	tao_store_resource_clear(&got);
	tao_store_close(s);
}

static int id_cb(const struct tao_store_resource *r, void *arg)
{
	strcat(arg, r->id);
	return 0;
}

/* Whether a line of the plan (EXPLAIN QUERY PLAN sql, run on the file) contains what. */
static bool plan_uses(const char *path, const char *sql, const char *what)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	bool found = false;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		found = found || strstr((const char *)sqlite3_column_text(st, 3), what);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

/*
 * A database of schema 5 gets the (type, tenant) index of schema 6; lists go in the order the
 * resources were stored, whatever their created times, and a list by a unique indexed
 * attribute, or of a tenant's resources, is served by an index without a sort.
 */
static void test_migrate_from_5(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	struct tao_store_resource r = { .type = "Device" };
	struct tao_store_param p = { .type = TAO_STORE_PARAM_TEXT, .text = "AA:01" };
	const char *mac = "json_extract(body, '$.\"urn:ietf:params:scim:schemas:extension:ble:2.0:"
			  "Device\".\"deviceMacAddress\"') = ?3 COLLATE NOCASE";
	char err[512] = "", seen[256] = "", sql[512];
	const char *ids[] = { "z", "b", "m" };
	const int64_t created[] = { 3000, 1000, 2000 };

	tao_store_close(s);
	file_exec(f->path, "DROP INDEX scim_resources_type; CREATE INDEX scim_resources_type ON "
			   "scim_resources (type, tenant, created); PRAGMA user_version = 5");
	s = open_ok(f->path);
	assert_int_equal(file_user_version(f->path), TAO_STORE_SCHEMA_VERSION);
	assert_int_equal(file_count(f->path, "SELECT count(*) FROM pragma_index_info("
					     "'scim_resources_type')"),
			 2);
	for (size_t i = 0; i < 3; i++) {
		snprintf(r.id, sizeof(r.id), "%s", ids[i]);
		snprintf(r.tenant, sizeof(r.tenant), "t");
		r.created = created[i];
		r.body = (char *)(i == 1 ? "{\"urn:ietf:params:scim:schemas:extension:ble:2.0:"
					   "Device\""
					   ":{\"deviceMacAddress\":\"aa:01\"}}"
					 : "{}");
		assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	}
	assert_int_equal(tao_store_resource_query(s, "Device", NULL, NULL, NULL, 0, id_cb, seen,
						  err, sizeof(err)),
			 3);
	assert_string_equal(seen, "zbm");
	seen[0] = 0;
	assert_int_equal(tao_store_resource_list(s, "Device", "t", id_cb, seen, err, sizeof(err)),
			 3);
	assert_string_equal(seen, "zbm");
	seen[0] = 0;
	assert_int_equal(tao_store_resource_query(s, "Device", NULL, mac, &p, 1, id_cb, seen, err,
						  sizeof(err)),
			 1);
	assert_string_equal(seen, "b");
	/* The plans of the statements the store makes: an index, no temporary B-tree. */
	snprintf(sql, sizeof(sql),
		 "EXPLAIN QUERY PLAN SELECT id FROM scim_resources WHERE type = 'Device' AND "
		 "(%.*s'AA:01' COLLATE NOCASE) ORDER BY rowid",
		 (int)(strstr(mac, "?3") - mac), mac);
	assert_true(plan_uses(f->path, sql, "USING INDEX scim_ble_mac"));
	assert_false(plan_uses(f->path, sql, "TEMP B-TREE"));
	assert_true(plan_uses(f->path,
			      "EXPLAIN QUERY PLAN SELECT id FROM scim_resources WHERE type = "
			      "'Device' AND tenant = 't' AND (1) ORDER BY rowid",
			      "USING INDEX scim_resources_type"));
	assert_false(plan_uses(f->path,
			       "EXPLAIN QUERY PLAN SELECT id FROM scim_resources WHERE type = "
			       "'Device' AND tenant = 't' AND (1) ORDER BY rowid",
			       "TEMP B-TREE"));
	tao_store_close(s);
}

/*
 * Queries of one text reuse their prepared statement (values bound anew each time); more texts
 * than the handle keeps replace the least recently used; a stop in the middle leaves the
 * statement reset (no read transaction held: a write from another handle goes through).
 */
static void test_query_cache(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path), *w;
	struct tao_store_resource r = { .type = "Device", .body = (char *)"{\"n\":1}" };
	struct tao_store_param p = { .type = TAO_STORE_PARAM_INT };
	char err[512] = "", seen[256], where[64];

	for (int i = 0; i < 5; i++) {
		snprintf(r.id, sizeof(r.id), "r%d", i);
		r.created = i;
		assert_int_equal(tao_store_resource_create(s, &r, err, sizeof(err)), 0);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			/* 20 texts, each used twice per round, with other values each time. */
			snprintf(where, sizeof(where), "created >= ?3 AND %d = %d", i % 20, i % 20);
			p.i = i % 5;
			seen[0] = '\0';
			assert_int_equal(tao_store_resource_query(s, "Device", NULL, where, &p, 1,
								  id_cb, seen, err, sizeof(err)),
					 5 - i % 5);
			assert_string_equal(seen, &"r0r1r2r3r4"[2 * (i % 5)]);
		}
	/* A walk stopped by fn: the statement is reset, another handle can write. */
	assert_int_equal(tao_store_resource_query(s, "Device", NULL, "1", NULL, 0, stop_cb, NULL,
						  err, sizeof(err)),
			 7);
	w = open_ok(f->path);
	snprintf(r.id, sizeof(r.id), "r9");
	assert_int_equal(tao_store_resource_create(w, &r, err, sizeof(err)), 0);
	tao_store_close(w);
	assert_int_equal(tao_store_resource_query(s, "Device", NULL, "1", NULL, 0, count_cb,
						  &(int){ 0 }, err, sizeof(err)),
			 6);
	/* A text that does not compile is not kept, and says why each time. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(tao_store_resource_query(s, "Device", NULL, "nope = 1", NULL, 0,
							  count_cb, &(int){ 0 }, err, sizeof(err)),
				 -EINVAL);
	assert_non_null(strstr(err, "nope"));
	tao_store_close(s);
}

/* Issued LDevID certificates: recorded once, revoked by serial number or by device. */
static void test_ldevid(void **state)
{
	struct fixture *f = *state;
	struct tao_store *s = open_ok(f->path);
	char err[512] = "";

	assert_int_equal(tao_store_ldevid_add(s, "4A01", "DEV-1", 100, 200, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_add(s, "4A02", "DEV-1", 110, 210, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_add(s, "4B01", "DEV-2", 120, 220, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_add(s, "4A01", "DEV-3", 130, 230, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "4A01 exists already"));
	assert_int_equal(tao_store_ldevid_revoked(s, "4A01", err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoked(s, "FFFF", err, sizeof(err)), 0); /* unknown */

	/* By serial number: that one only; twice is -EALREADY. */
	assert_int_equal(tao_store_ldevid_revoke_cert(s, "4A01", 300, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoked(s, "4A01", err, sizeof(err)), 1);
	assert_int_equal(tao_store_ldevid_revoked(s, "4A02", err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoke_cert(s, "4A01", 301, err, sizeof(err)), -EALREADY);
	/* A serial number the store never issued is recorded as revoked all the same. */
	assert_int_equal(tao_store_ldevid_revoke_cert(s, "7777", 302, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoked(s, "7777", err, sizeof(err)), 1);

	/* By device: every valid one of it, no other device's. */
	assert_int_equal(tao_store_ldevid_revoke_device(s, "DEV-1", 400, err, sizeof(err)), 1);
	assert_int_equal(tao_store_ldevid_revoked(s, "4A02", err, sizeof(err)), 1);
	assert_int_equal(tao_store_ldevid_revoked(s, "4B01", err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoke_device(s, "DEV-1", 401, err, sizeof(err)), 0);
	assert_int_equal(tao_store_ldevid_revoke_device(s, "NOBODY", 402, err, sizeof(err)), 0);
	tao_store_close(s);

	/* Revocation is on disk: another handle sees it. */
	s = open_ok(f->path);
	assert_int_equal(tao_store_ldevid_revoked(s, "4A02", err, sizeof(err)), 1);
	tao_store_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_reopen),
		T(test_newer_schema_refused),
		T(test_unknown_device),
		T(test_first_record_not_accepted),
		T(test_accepted_and_not),
		T(test_invalid),
		cmocka_unit_test(test_counters_backwards_rule),
		T(test_stale),
		T(test_clock_above_2_63),
		T(test_history),
		T(test_stats),
		T(test_two_handles),
		T(test_fork),
		T(test_corrupt),
		T(test_foreign),
		T(test_cannot_open),
		T(test_resources),
		T(test_tokens),
		T(test_migrate_from_1),
		T(test_migrate_from_2),
		T(test_migrate_from_4),
		T(test_migrate_from_5),
		T(test_query_cache),
		T(test_ldevid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
