// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench/scim_bench.c: the helper of bench/scim_bench (docs/benchmarks.md, "The registrar's SCIM
 * service").
 *
 *   scim_bench load DB N OUT           N Devices into the registrar's store DB through the store
 *                                      API in one transaction; OUT/ids, OUT/macs: probe values
 *   scim_bench raw DB OUT REQS         the benchmark's queries straight on SQLite (C API, a
 *                                      statement per query), REQS rounds of one of each: p50/p99
 *   scim_bench http URL CA TOKEN OUT REQS
 *                                      the same over HTTPS on one kept-alive connection
 *                                      (libcurl), the TLS handshake and a no-database request;
 *                                      timed until the body has arrived, checked after
 *   scim_bench create URL CA TOKEN SECS CONNS BASE BLE_EVERY
 *                                      POST /Devices for SECS seconds on CONNS connections,
 *                                      numbered from BASE, every BLE_EVERY-th (0: none) BLE
 *
 * Output lines are "name p50_ms p99_ms" (or "create conns n per_s"), for the script.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "scim_resource.h"
#include "scim_schema.h"
#include "store.h"

#define BLE    "urn:ietf:params:scim:schemas:extension:ble:2.0:Device"
#define CORE   "urn:ietf:params:scim:schemas:core:2.0:Device"
#define ATTEST "urn:x-tao:scim:schemas:extension:attestation:1.0:Device"
#define JW     "urn:ietf:params:scim:schemas:extension:pairingJustWorks:2.0:Device"

static _Thread_local uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "name p50 p99" of n samples (ms); nearest-rank percentiles. */
static void report(const char *name, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_d);
	printf("%s %.3f %.3f\n", name, t[(n * 50 + 99) / 100 - 1], t[(n * 99 + 99) / 100 - 1]);
	fflush(stdout);
}

/* A Device as an operator would create it; i numbers it (displayName "Device i"). */
static struct json_object *device_in(uint32_t i, bool ble, uint32_t mac_prefix)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array();
	char buf[64];

	json_object_array_add(schemas, json_object_new_string(CORE));
	json_object_object_add(o, "schemas", schemas);
	snprintf(buf, sizeof(buf), "EXT-%08" PRIu32, i);
	json_object_object_add(o, "externalId", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "Device %" PRIu32, i);
	json_object_object_add(o, "displayName", json_object_new_string(buf));
	json_object_object_add(o, "active", json_object_new_boolean(rnd(10) < 7));
	if (rnd(3) == 0) {
		snprintf(buf, sizeof(buf), "https://mud.example.com/models/m%u.json", rnd(40));
		json_object_object_add(o, "mudUrl", json_object_new_string(buf));
	}
	if (ble) {
		struct json_object *e = json_object_new_object(), *v = json_object_new_array(),
				   *pm = json_object_new_array();

		json_object_array_add(schemas, json_object_new_string(BLE));
		snprintf(buf, sizeof(buf), "%02X:%02X:%02X:%02X:%02X:%02X", mac_prefix >> 8,
			 mac_prefix & 0xff, (i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff,
			 i & 0xff);
		json_object_object_add(e, "deviceMacAddress", json_object_new_string(buf));
		json_object_object_add(e, "isRandom", json_object_new_boolean(rnd(2)));
		json_object_array_add(v, json_object_new_string("5.3"));
		json_object_object_add(e, "versionSupport", v);
		json_object_array_add(pm, json_object_new_string(JW));
		json_object_object_add(e, "pairingMethods", pm);
		json_object_object_add(e, JW, json_object_new_object());
		json_object_object_add(o, BLE, e);
	}
	return o;
}

static int do_load(const char *db, uint32_t n, const char *out)
{
	const struct scim_resource_type *rt = scim_resource_type_find("Device");
	struct tao_store_resource *rs = calloc(n, sizeof(*rs));
	struct tao_store *s;
	char err[512], p[512];
	FILE *ids, *macs;
	double t0;
	int rc;

	if (!rs || !rt)
		return 1;
	if (tao_store_open(db, &s, err, sizeof(err))) {
		fprintf(stderr, "scim_bench: %s\n", err);
		return 1;
	}
	snprintf(p, sizeof(p), "%s/ids", out);
	ids = fopen(p, "w");
	snprintf(p, sizeof(p), "%s/macs", out);
	macs = fopen(p, "w");
	if (!ids || !macs)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		bool ble = rnd(5) == 0;
		struct json_object *in = device_in(i, ble, 0x0200), *ck = NULL, *ext, *x;
		struct scim_error e = { 0 };
		uint8_t b[16];

		if (scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &ck, &e) < 0) {
			fprintf(stderr, "scim_bench: device %u: %s\n", i, e.detail);
			return 1;
		}
		if (rnd(2)) { /* an enrolled device: what the registrar adds (set_attested) */
			ext = json_object_new_object();
			x = json_object_new_object();
			json_object_object_add(x, "status", json_object_new_string("affirming"));
			json_object_object_add(x, "reason",
					       json_object_new_string("all checks passed"));
			json_object_object_add(x, "attestationId", json_object_new_int64(i + 1));
			json_object_object_add(x, "time",
					       json_object_new_string("2026-11-20T10:00:00.000Z"));
			json_object_object_add(ext, "result", x);
			x = json_object_new_object();
			snprintf(p, sizeof(p), "SN-%08" PRIu32, i);
			json_object_object_add(x, "serialNumber", json_object_new_string(p));
			json_object_object_add(ext, "idevid", x);
			json_object_object_add(ck, ATTEST, ext);
			json_object_object_get_ex(ck, "schemas", &x);
			json_object_array_add(x, json_object_new_string(ATTEST));
			snprintf(rs[i].serial, sizeof(rs[i].serial), "SN-%08" PRIu32, i);
		}
		for (size_t k = 0; k < sizeof(b); k++)
			b[k] = (uint8_t)rnd(256);
		b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
		b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
		snprintf(rs[i].id, sizeof(rs[i].id),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			 b[12], b[13], b[14], b[15]);
		snprintf(rs[i].type, sizeof(rs[i].type), "Device");
		rs[i].created = 1760000000000 + (int64_t)i * 1000;
		rs[i].body = strdup(json_object_to_json_string_ext(ck, JSON_C_TO_STRING_PLAIN));
		/* And its default representation, as the registrar stores it with the body. */
		rs[i].rep = rs[i].body
				    ? scim_resource_rep(rt, rs[i].id, rs[i].body, &rs[i].rep_meta)
				    : NULL;
		rs[i].rep_tag = scim_rep_tag();
		fprintf(ids, "%s\n", rs[i].id);
		if (ble) {
			json_object_object_get_ex(ck, BLE, &x);
			json_object_object_get_ex(x, "deviceMacAddress", &x);
			fprintf(macs, "%s\n", json_object_get_string(x));
		}
		json_object_put(in);
		json_object_put(ck);
	}
	fclose(ids);
	fclose(macs);
	t0 = now_ms();
	rc = tao_store_resource_create_many(s, rs, n, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "scim_bench: %s\n", err);
		return 1;
	}
	fprintf(stderr, "loaded %u Devices in %.0f ms (one transaction)\n", n, now_ms() - t0);
	for (uint32_t i = 0; i < n; i++) {
		free(rs[i].body);
		free(rs[i].rep);
	}
	free(rs);
	tao_store_close(s);
	return 0;
}

/* The probe values: lines of OUT/name. */
static char **lines(const char *out, const char *name, size_t *n)
{
	char p[512], buf[256], **v = NULL;
	size_t cap = 0;
	FILE *f;

	*n = 0;
	snprintf(p, sizeof(p), "%s/%s", out, name);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = strdup(buf);
	}
	fclose(f);
	return v;
}

/* The queries, on the data as loaded: GET by id and three filters (see the script). */
#define Q_GET "SELECT body FROM scim_resources WHERE type = 'Device' AND id = ?1"
#define Q_NAME                                                           \
	"SELECT id, body FROM scim_resources WHERE type = 'Device' AND " \
	"json_extract(body, '$.\"displayName\"') = ?1 COLLATE NOCASE"
#define Q_MAC                                                            \
	"SELECT id, body FROM scim_resources WHERE type = 'Device' AND " \
	"json_extract(body, '$.\"" BLE "\".\"deviceMacAddress\"') = ?1 COLLATE NOCASE"
#define Q_PAGE                                                                             \
	"SELECT id, body, count(*) OVER () FROM scim_resources WHERE type = 'Device' AND " \
	"json_extract(body, '$.\"displayName\"') LIKE ?1 ESCAPE '\\' ORDER BY rowid "      \
	"LIMIT 20"

static int raw_query(sqlite3 *db, const char *sql, const char *arg, int *rows, int64_t *total)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "scim_bench: %s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	*rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)sqlite3_column_text(st, sqlite3_column_count(st) > 1 ? 1 : 0);
		if (sqlite3_column_count(st) > 2)
			*total = sqlite3_column_int64(st, 2);
		(*rows)++;
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "scim_bench: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The kinds of query, timed interleaved: round i runs one of each, starting at kind i mod K and
 * going round, so every kind sees the same load (a block of one kind after another would show
 * load that changed between the blocks as a difference between the kinds). The http side adds
 * K_CONST (no probe value). The probe values are drawn up front, per round and kind in this
 * order, so both sides (separate processes, the same seed) send the same ones.
 */
enum { K_GET, K_NAME, K_MAC, K_PAGE, K_CONST, K_RAW = K_CONST, K_HTTP };

static const char *const kind_name[] = { "get", "name", "mac", "page", "constant" };

/*
 * Two phases, each interleaved as above: the point queries (and the constant), then the full
 * scans. A scan of 100,000 rows between two point queries would leave the registrar's and
 * SQLite's caches cold for the next one, on both sides, and the constant with them.
 */
static const int phase_kinds[2][3] = { { K_GET, K_MAC, K_CONST }, { K_NAME, K_PAGE, -1 } };

/* The kind of round i's j-th query of phase ph (the http side counts the constant), or -1. */
static int kind_at(int ph, size_t i, int j, bool http)
{
	int n = ph == 0 ? (http ? 3 : 2) : 2;

	return j < n ? phase_kinds[ph][(i + (size_t)j) % (size_t)n] : -1;
}

struct probe {
	const char *id, *mac;
	uint32_t name, page;
};

static struct probe *probes(char **ids, size_t nid, char **macs, size_t nmac, size_t reqs)
{
	struct probe *p = calloc(reqs, sizeof(*p));

	for (size_t i = 0; p && i < reqs; i++) {
		p[i].id = ids[rnd((uint32_t)nid)];
		p[i].name = rnd((uint32_t)nid);
		p[i].mac = macs[rnd((uint32_t)nmac)];
		p[i].page = 10 + rnd(90);
	}
	return p;
}

static int do_raw(const char *dbpath, const char *out, size_t reqs)
{
	size_t nid, nmac;
	char **ids = lines(out, "ids", &nid), **macs = lines(out, "macs", &nmac), arg[64];
	struct probe *pr = ids && macs ? probes(ids, nid, macs, nmac, reqs) : NULL;
	double *t[K_RAW], t0, dt;
	sqlite3 *db;
	int rows, bad;
	int64_t total = 0;

	for (int q = 0; q < K_RAW; q++)
		t[q] = calloc(reqs, sizeof(double));
	if (!pr || !t[K_GET] || !t[K_NAME] || !t[K_MAC] || !t[K_PAGE] ||
	    sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL))
		return 1;
	raw_query(db, Q_NAME, "warm", &rows, &total); /* the page cache */
	for (int ph = 0; ph < 2; ph++)
		for (size_t i = 0; i < reqs; i++) {
			for (int j = 0; j < 3; j++) {
				int q = kind_at(ph, i, j, false);

				if (q < 0)
					break;

				/* Timed: prepare, bind, step through the rows, finalize
				 * (raw_query). */
				switch (q) {
				case K_GET:
					t0 = now_ms();
					bad = raw_query(db, Q_GET, pr[i].id, &rows, &total);
					dt = now_ms() - t0;
					bad = bad || rows != 1;
					break;
				case K_NAME:
					snprintf(arg, sizeof(arg), "Device %u", pr[i].name);
					t0 = now_ms();
					bad = raw_query(db, Q_NAME, arg, &rows, &total);
					dt = now_ms() - t0;
					bad = bad || rows != 1;
					break;
				case K_MAC:
					t0 = now_ms();
					bad = raw_query(db, Q_MAC, pr[i].mac, &rows, &total);
					dt = now_ms() - t0;
					bad = bad || rows != 1;
					break;
				default: /* K_PAGE */
					snprintf(arg, sizeof(arg), "Device %u%%", pr[i].page);
					t0 = now_ms();
					bad = raw_query(db, Q_PAGE, arg, &rows, &total);
					dt = now_ms() - t0;
					bad = bad || rows != (total < 20 ? total : 20);
					break;
				}
				if (bad)
					return fprintf(stderr, "raw %s failed: %d rows\n",
						       kind_name[q], rows),
					       1;
				t[q][i] = dt;
			}
		}
	for (int q = 0; q < K_RAW; q++)
		report(kind_name[q], t[q], reqs);
	fprintf(stderr, "raw page: totalResults %" PRId64 " (last)\n", total);
	sqlite3_close(db);
	return 0;
}

struct buf {
	char *p;
	size_t n;
};

static size_t sink(char *d, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->n + sz * n + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, d, sz * n);
	b->p = p;
	b->n += sz * n;
	p[b->n] = '\0';
	return sz * n;
}

struct conn {
	CURL *c;
	struct curl_slist *h;
	struct buf b;
	const char *url;
};

static void conn_init(struct conn *k, const char *url, const char *ca, const char *token)
{
	char auth[256];

	memset(k, 0, sizeof(*k));
	k->url = url;
	k->c = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	k->h = curl_slist_append(NULL, auth);
	k->h = curl_slist_append(k->h, "Content-Type: application/scim+json");
	curl_easy_setopt(k->c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(k->c, CURLOPT_HTTPHEADER, k->h);
	curl_easy_setopt(k->c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(k->c, CURLOPT_WRITEDATA, &k->b);
	curl_easy_setopt(k->c, CURLOPT_TCP_NODELAY, 1L);
}

/* One request on k's connection; the status, the body in k->b. */
static long req(struct conn *k, const char *path, const char *post)
{
	char url[1024];
	long code = 0;

	snprintf(url, sizeof(url), "%s%s", k->url, path);
	k->b.n = 0;
	curl_easy_setopt(k->c, CURLOPT_URL, url);
	if (post)
		curl_easy_setopt(k->c, CURLOPT_POSTFIELDS, post);
	else
		curl_easy_setopt(k->c, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(k->c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

static int64_t total_results(const struct buf *b, int *items)
{
	struct json_object *o = json_tokener_parse(b->p ? b->p : ""), *v;
	int64_t n = -1;

	*items = -1;
	if (o && json_object_object_get_ex(o, "totalResults", &v))
		n = json_object_get_int64(v);
	if (o && json_object_object_get_ex(o, "Resources", &v))
		*items = (int)json_object_array_length(v);
	json_object_put(o);
	return n;
}

static int do_http(const char *url, const char *ca, const char *token, const char *out, size_t reqs)
{
	size_t nid, nmac;
	char **ids = lines(out, "ids", &nid), **macs = lines(out, "macs", &nmac), path[512];
	struct probe *pr = ids && macs ? probes(ids, nid, macs, nmac, reqs) : NULL;
	double *t[K_HTTP], t0, dt;
	struct conn k;
	int items;
	int64_t tot = 0;
	long code;

	for (int q = 0; q < K_HTTP; q++)
		t[q] = calloc(reqs, sizeof(double));
	for (int q = 0; q < K_HTTP; q++)
		if (!pr || !t[q])
			return 1;
	/* The handshake: new connections (TCP + TLS 1.3), 50 of them. */
	for (size_t i = 0; i < 50 && i < reqs; i++) {
		curl_off_t ac = 0, tc = 0;

		conn_init(&k, url, ca, token);
		if (req(&k, "/scim/v2/ServiceProviderConfig", NULL) != 200)
			return fprintf(stderr, "scim_bench: ServiceProviderConfig failed\n"), 1;
		curl_easy_getinfo(k.c, CURLINFO_APPCONNECT_TIME_T, &ac);
		curl_easy_getinfo(k.c, CURLINFO_CONNECT_TIME_T, &tc);
		t[K_CONST][i] = (double)(ac - tc) / 1e3;
		curl_easy_cleanup(k.c);
		curl_slist_free_all(k.h);
		free(k.b.p);
	}
	report("tls_handshake", t[K_CONST], reqs < 50 ? reqs : 50);

	conn_init(&k, url, ca, token);
	req(&k, "/scim/v2/ServiceProviderConfig", NULL); /* the one connection, from here on */
	for (int ph = 0; ph < 2; ph++)
		for (size_t i = 0; i < reqs; i++) {
			for (int j = 0; j < 3; j++) {
				int q = kind_at(ph, i, j, true);

				if (q < 0)
					break;

				switch (q) {
				case K_CONST:
					snprintf(path, sizeof(path),
						 "/scim/v2/ServiceProviderConfig");
					break;
				case K_GET:
					snprintf(path, sizeof(path), "/scim/v2/Devices/%s",
						 pr[i].id);
					break;
				case K_NAME:
					snprintf(path, sizeof(path),
						 "/scim/v2/Devices?filter=displayName%%20eq%%20"
						 "%%22Device%%20%u%%22",
						 pr[i].name);
					break;
				case K_MAC:
					snprintf(path, sizeof(path),
						 "/scim/v2/Devices?filter=" BLE
						 ":deviceMacAddress%%20eq%%20%%22%s%%22",
						 pr[i].mac);
					break;
				default: /* K_PAGE */
					snprintf(path, sizeof(path),
						 "/scim/v2/Devices?filter=displayName%%20sw%%20"
						 "%%22Device%%20%u%%22&count=20",
						 pr[i].page);
					break;
				}
				/*
				 * Timed: the request until its whole body has arrived
				 * (curl_easy_perform returns then). The answer is checked after the
				 * clock stops: the raw side parses nothing either.
				 */
				t0 = now_ms();
				code = req(&k, path, NULL);
				dt = now_ms() - t0;
				if (code != 200)
					return fprintf(stderr,
						       "scim_bench: GET %s failed (%ld): %.300s\n",
						       path, code, k.b.p ? k.b.p : ""),
					       1;
				if (q == K_NAME || q == K_MAC) {
					if (total_results(&k.b, &items) != 1)
						return fprintf(stderr,
							       "scim_bench: %s failed: %.300s\n",
							       path, k.b.p),
						       1;
				} else if (q == K_PAGE) {
					if ((tot = total_results(&k.b, &items)) < 1 ||
					    items != (tot < 20 ? tot : 20))
						return fprintf(stderr,
							       "scim_bench: %s failed: %.300s\n",
							       path, k.b.p),
						       1;
				}
				t[q][i] = dt;
			}
		}
	report("constant", t[K_CONST], reqs);
	for (int q = 0; q < K_RAW; q++)
		report(kind_name[q], t[q], reqs);
	fprintf(stderr, "http page: totalResults %" PRId64 " (last)\n", tot);
	return 0;
}

struct worker {
	const char *url, *ca, *token;
	double until;
	uint32_t base, ble_every;
	long n, fail;
};

static void *create_worker(void *arg)
{
	struct worker *w = arg;
	struct conn k;

	conn_init(&k, w->url, w->ca, w->token);
	for (uint32_t i = w->base; now_ms() < w->until; i++) {
		/* every ble_every-th with the BLE extension (its MAC is unique: checked) */
		struct json_object *o = device_in(i, w->ble_every && i % w->ble_every == 0, 0x0600);
		long code = req(&k, "/scim/v2/Devices",
				json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

		json_object_put(o);
		if (code == 201)
			w->n++;
		else
			w->fail++;
	}
	curl_easy_cleanup(k.c);
	curl_slist_free_all(k.h);
	free(k.b.p);
	return NULL;
}

static int do_create(const char *url, const char *ca, const char *token, double secs, int conns,
		     uint32_t base, uint32_t ble_every)
{
	struct worker w[16];
	pthread_t th[16];
	double t0 = now_ms();
	long n = 0, fail = 0;

	if (conns < 1 || conns > 16)
		return 2;
	for (int i = 0; i < conns; i++) {
		w[i] = (struct worker){ .url = url,
					.ca = ca,
					.token = token,
					.until = t0 + secs * 1e3,
					.base = base + (uint32_t)i * 1000000u,
					.ble_every = ble_every };
		pthread_create(&th[i], NULL, create_worker, &w[i]);
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		n += w[i].n;
		fail += w[i].fail;
	}
	printf("create conns=%d ble=%s %ld %.1f\n", conns,
	       ble_every ? (ble_every == 5 ? "20%" : "some") : "none", n,
	       n / ((now_ms() - t0) / 1e3));
	if (fail)
		fprintf(stderr, "scim_bench: %ld creates failed\n", fail);
	return fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "load"))
		return do_load(argv[2], (uint32_t)strtoul(argv[3], NULL, 10), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "raw"))
		return do_raw(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 7 && !strcmp(argv[1], "http"))
		return do_http(argv[2], argv[3], argv[4], argv[5], strtoul(argv[6], NULL, 10));
	if (argc == 9 && !strcmp(argv[1], "create"))
		return do_create(argv[2], argv[3], argv[4], strtod(argv[5], NULL), atoi(argv[6]),
				 (uint32_t)strtoul(argv[7], NULL, 10),
				 (uint32_t)strtoul(argv[8], NULL, 10));
	fprintf(stderr, "usage: see bench/scim_bench.c\n");
	return 2;
}
