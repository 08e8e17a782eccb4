/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Unit tests for the SQL pre-selection of SCIM filters (registrar/scim_sql.h) on a real store:
 * 2,000 random Devices (checked by scim_resource_check, as the registrar stores them) in a
 * temporary database; for each filter, the rows the pushed-down query returns must include
 * every resource a full C scan matches, the C matcher on them must give exactly the full scan's
 * result (in the same order), and a translation marked exact must return exactly it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "scim_filter.h"
#include "scim_resource.h"
#include "scim_schema.h"
#include "scim_sql.h"
#include "store.h"

#define N_DEVICES 2000
#define BLE	  "urn:ietf:params:scim:schemas:extension:ble:2.0:Device"
#define DPP	  "urn:ietf:params:scim:schemas:extension:dpp:2.0:Device"
#define CORE	  "urn:ietf:params:scim:schemas:core:2.0:Device"

static char dir[64], path[128];
static struct tao_store *store;
static const struct scim_resource_type *rt;
static char first_id[40]; /* a stored id, for id filters */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Random ASCII case for a copy of s (non-ASCII bytes kept). */
static void recase(char *s)
{
	for (; *s; s++)
		if (rnd(3) == 0 && *s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
		else if (rnd(3) == 0 && *s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static const char *const odd_names[] = {
	"50%_off",     "a*b?[c]",   "\xc3\x84rger", "\xc3\xa4rger", "",
	"back\\slash", "Device 1x", "x_y",	    "device",
};

/* A Device as a client would send it, random in every attribute the filters below name. */
static struct json_object *random_device(int i)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array();
	char buf[128];

	json_object_array_add(schemas, json_object_new_string(CORE));
	json_object_object_add(o, "schemas", schemas);
	if (rnd(10) < 8) {
		if (rnd(10) == 0)
			snprintf(buf, sizeof(buf), "%s", odd_names[rnd(9)]);
		else
			snprintf(buf, sizeof(buf), "Device %u", rnd(300));
		recase(buf);
		json_object_object_add(o, rnd(8) ? "displayName" : "DISPLAYNAME",
				       json_object_new_string(buf));
	}
	json_object_object_add(o, "active", json_object_new_boolean(rnd(2)));
	if (rnd(2)) {
		snprintf(buf, sizeof(buf), "%s-%u%s", rnd(2) ? "EXT" : "ext", rnd(50),
			 rnd(10) ? "" : "*?[");
		json_object_object_add(o, "externalId", json_object_new_string(buf));
	}
	if (rnd(4) == 0) {
		snprintf(buf, sizeof(buf), "https://example.com/mud/%u.%s", rnd(20),
			 rnd(2) ? "json" : "JSON");
		json_object_object_add(o, "mudUrl", json_object_new_string(buf));
	}
	if (rnd(10) < 3) {
		struct json_object *ble = json_object_new_object(), *v = json_object_new_array(),
				   *pm = json_object_new_array();

		json_object_array_add(schemas, json_object_new_string(BLE));
		snprintf(buf, sizeof(buf),
			 rnd(2) ? "AA:BB:%02X:%02X:%02x:%02X" : "aa:bb:%02x:%02x:%02X:%02x",
			 (i >> 8) & 0xff, i & 0xff, rnd(256), rnd(256));
		json_object_object_add(ble, "deviceMacAddress", json_object_new_string(buf));
		if (rnd(3))
			json_object_object_add(ble, "isRandom", json_object_new_boolean(rnd(2)));
		if (rnd(3) == 0)
			json_object_object_add(ble, "mobility", json_object_new_boolean(rnd(2)));
		json_object_array_add(v, json_object_new_string(rnd(2) ? "5.0" : "4.2"));
		if (rnd(2))
			json_object_array_add(v, json_object_new_string("5.3"));
		json_object_object_add(ble, "versionSupport", v);
		json_object_array_add(
			pm, json_object_new_string("urn:ietf:params:scim:schemas:extension:"
						   "pairingJustWorks:2.0:Device"));
		json_object_object_add(ble, "pairingMethods", pm);
		json_object_object_add(o, BLE, ble);
	}
	if (rnd(10) < 2) {
		struct json_object *dpp = json_object_new_object();

		json_object_array_add(schemas, json_object_new_string(DPP));
		json_object_object_add(dpp, "dppVersion", json_object_new_int(1 + (int)rnd(3)));
		json_object_object_add(dpp, "bootstrapKey", json_object_new_string("MDkwEwYHKoZI"));
		if (rnd(2)) {
			snprintf(buf, sizeof(buf), "%u-SN", rnd(100));
			json_object_object_add(dpp, "serialNumber", json_object_new_string(buf));
		}
		json_object_object_add(o, DPP, dpp);
	}
	return o;
}

static int setup(void **state)
{
	struct tao_store_resource *rs = calloc(N_DEVICES, sizeof(*rs));
	char err[512] = "";
	int rc;

	(void)state;
	if (!rs)
		return -1;
	strcpy(dir, "/tmp/tao-scimsql-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/registrar.db", dir);
	if (tao_store_open(path, &store, err, sizeof(err))) {
		fprintf(stderr, "open: %s\n", err);
		return -1;
	}
	rt = scim_resource_type_find("Device");
	if (!rt)
		return -1;
	for (int i = 0; i < N_DEVICES; i++) {
		struct json_object *in = random_device(i), *out = NULL;
		struct scim_error e = { 0 };

		if (scim_resource_check(rt, SCIM_WRITE_CREATE, in, NULL, &out, &e) < 0) {
			fprintf(stderr, "device %d: %s\n%s\n", i, e.detail,
				json_object_to_json_string(in));
			return -1;
		}
		snprintf(rs[i].id, sizeof(rs[i].id), "%08x-0000-4000-8000-%012x", rnd(0xffffffff),
			 i);
		snprintf(rs[i].type, sizeof(rs[i].type), "Device");
		rs[i].created = 1700000000000 + rnd(N_DEVICES * 4); /* ties too: ordered by id */
		rs[i].body = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
		json_object_put(in);
		json_object_put(out);
		if (!rs[i].body)
			return -1;
	}
	snprintf(first_id, sizeof(first_id), "%s", rs[7].id);
	rc = tao_store_resource_create_many(store, rs, N_DEVICES, err, sizeof(err));
	for (int i = 0; i < N_DEVICES; i++)
		free(rs[i].body);
	free(rs);
	if (rc) {
		fprintf(stderr, "create_many: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[160];

	(void)state;
	tao_store_close(store);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* The ids a walk collected, in order. */
struct ids {
	const struct scim_filter *f; /* NULL: collect every row */
	char (*id)[40];
	size_t n, cap;
	int rc;
	char err[256];
};

static int collect(const struct tao_store_resource *r, void *arg)
{
	struct ids *c = arg;
	struct json_object *o;
	int m = 1;

	if (c->f) {
		/* The resource as the registrar filters it: the body, its id, meta's resourceType.
		 */
		o = json_tokener_parse(r->body);
		assert_non_null(o);
		json_object_object_add(o, "id", json_object_new_string(r->id));
		struct json_object *meta = json_object_new_object();
		json_object_object_add(meta, "resourceType", json_object_new_string("Device"));
		json_object_object_add(o, "meta", meta);
		m = scim_filter_match(c->f, rt, o, c->err, sizeof(c->err));
		json_object_put(o);
		if (m < 0) {
			c->rc = m;
			return m;
		}
	}
	if (!m)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->id = realloc(c->id, c->cap * sizeof(*c->id));
		assert_non_null(c->id);
	}
	snprintf(c->id[c->n++], 40, "%s", r->id);
	return 0;
}

static bool same(const struct ids *a, const struct ids *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->id[i], b->id[i]))
			return false;
	return true;
}

/* Is every id of sub in super (both in created order)? */
static bool subset(const struct ids *sub, const struct ids *super)
{
	size_t j = 0;

	for (size_t i = 0; i < sub->n; i++) {
		while (j < super->n && strcmp(super->id[j], sub->id[i]))
			j++;
		if (j == super->n)
			return false;
	}
	return true;
}

enum want { EXACT, SUPERSET, ANY };

struct fcase {
	const char *filter;
	enum want want; /* what the translation must be */
};

static size_t total_exact, total_sets;

static void check_one(const struct fcase *fc)
{
	struct scim_filter *f = NULL;
	struct ids full = { 0 }, pre = { 0 }, final = { 0 };
	struct scim_sql q;
	char err[512] = "", text[512];
	int rc;

	/* %ID% stands for a stored id, %ID8% for its first 8 characters. */
	snprintf(text, sizeof(text), "%s", fc->filter);
	for (char *p; (p = strstr(text, "%ID"));) {
		char rest[512];
		bool eight = strncmp(p, "%ID8%", 5) == 0;

		snprintf(rest, sizeof(rest), "%s", p + (eight ? 5 : 4));
		snprintf(p, sizeof(text) - (size_t)(p - text), "%.*s%s", eight ? 8 : 36, first_id,
			 rest);
	}
	rc = scim_filter_parse(text, &f, err, sizeof(err));
	if (rc)
		fail_msg("parse %s: %s", text, err);
	assert_int_equal(scim_sql_where(f, rt, &q), 0);

	full.f = f;
	rc = tao_store_resource_list(store, "Device", NULL, collect, &full, err, sizeof(err));
	if (rc < 0)
		fail_msg("%s: full scan: %d %s %s", text, rc, err, full.err);
	rc = tao_store_resource_query(store, "Device", NULL, q.where, q.params, q.n_params, collect,
				      &pre, err, sizeof(err));
	if (rc < 0)
		fail_msg("%s: query %s: %d %s", text, q.where, rc, err);
	final.f = f;
	rc = tao_store_resource_query(store, "Device", NULL, q.where, q.params, q.n_params, collect,
				      &final, err, sizeof(err));
	assert_true(rc >= 0);

	printf("  %-4s %4zu/%4zu rows  %-70s  WHERE %s\n", q.exact ? "=" : "sup", full.n, pre.n,
	       text, q.where);
	if (!subset(&full, &pre))
		fail_msg("%s: the SQL lost matches (WHERE %s)", text, q.where);
	if (!same(&full, &final))
		fail_msg("%s: SQL + C gives %zu, a full C scan %zu", text, final.n, full.n);
	if (q.exact && !same(&full, &pre))
		fail_msg("%s: marked exact, but SQL gives %zu rows, C %zu (WHERE %s)", text, pre.n,
			 full.n, q.where);
	if (fc->want == EXACT && !q.exact)
		fail_msg("%s: expected an exact translation, got WHERE %s", text, q.where);
	if (fc->want == SUPERSET && q.exact)
		fail_msg("%s: not expected to be exact in SQL (WHERE %s)", text, q.where);
	total_exact += q.exact;
	total_sets++;
	free(full.id);
	free(pre.id);
	free(final.id);
	scim_sql_free(&q);
	scim_filter_free(f);
}

static const struct fcase cases[] = {
	/* case-insensitive strings (displayName), names in any case */
	{ "displayName eq \"Device 7\"", EXACT },
	{ "displayName eq \"DEVICE 7\"", EXACT },
	{ "DISPLAYNAME eq \"device 7\"", EXACT },
	{ "urn:ietf:params:scim:schemas:core:2.0:Device:displayName eq \"device 42\"", EXACT },
	{ "displayName ne \"Device 7\"", EXACT },
	{ "displayName sw \"dev\"", EXACT },
	{ "displayName sw \"DEVICE 1\"", EXACT },
	{ "displayName ew \"9\"", EXACT },
	{ "displayName co \"ICE 2\"", EXACT },
	{ "displayName co \"%\"", EXACT },
	{ "displayName co \"_\"", EXACT },
	{ "displayName sw \"50%_\"", EXACT },
	{ "displayName co \"\\\\\"", EXACT },
	{ "displayName co \"*b?[\"", EXACT },
	{ "displayName eq \"\xc3\x84rger\"", EXACT },
	{ "displayName eq \"\xc3\xa4RGER\"", EXACT },
	{ "displayName co \"\"", EXACT },
	{ "displayName gt \"device 5\"", EXACT },
	{ "displayName le \"DEVICE 3\"", EXACT },
	{ "displayName pr", EXACT },
	{ "displayName eq null", EXACT },
	{ "not (displayName pr)", EXACT },
	/* caseExact: externalId, id, mudUrl */
	{ "externalId eq \"EXT-5\"", EXACT },
	{ "externalId eq \"ext-5\"", EXACT },
	{ "externalId sw \"EXT-1\"", EXACT },
	{ "externalId co \"*?[\"", EXACT },
	{ "externalId ew \"[\"", EXACT },
	{ "externalId lt \"EXT-3\"", EXACT },
	{ "externalId pr", EXACT },
	{ "externalId ne null", EXACT },
	{ "id eq \"%ID%\"", EXACT },
	{ "ID eq \"%ID%\"", EXACT },
	{ "id sw \"%ID8%\"", EXACT },
	{ "id co \"-4000-\"", EXACT },
	{ "mudUrl ew \".json\"", EXACT },
	{ "mudUrl co \"/MUD/\"", EXACT },
	{ "mudUrl co \"/mud/1\"", EXACT },
	/* booleans */
	{ "active eq true", EXACT },
	{ "active eq false", EXACT },
	{ "active ne true", EXACT },
	{ "not (active eq true)", EXACT },
	/* extension attributes */
	{ BLE ":deviceMacAddress eq \"AA:BB:00:07:1F:2e\"", EXACT },
	{ BLE ":deviceMacAddress sw \"aa:bb:00:0\"", EXACT },
	{ BLE ":DEVICEMACADDRESS co \":BB:01\"", EXACT },
	{ BLE ":deviceMacAddress pr", EXACT },
	{ BLE ":isRandom eq true", EXACT },
	{ BLE ":mobility ne false", EXACT },
	{ "not (" BLE ":isRandom eq false)", EXACT },
	{ DPP ":dppVersion eq 2", EXACT },
	{ DPP ":dppVersion gt 1", EXACT },
	{ DPP ":dppVersion le 2.5", EXACT },
	{ DPP ":dppVersion ne 3", EXACT },
	{ DPP ":serialNumber ew \"-sn\"", EXACT },
	/* multi-valued, complex, value filters, meta: not pushed down */
	{ BLE ":versionSupport eq \"5.3\"", SUPERSET },
	{ BLE ":pairingMethods co \"JustWorks\"", SUPERSET },
	{ "meta.resourceType eq \"Device\"", SUPERSET },
	{ "groups[value eq \"g\"]", SUPERSET },
	{ "not (" BLE ":versionSupport eq \"5.3\")", SUPERSET },
	/* and, or, not together */
	{ "displayName sw \"dev\" and active eq true", EXACT },
	{ "displayName sw \"dev\" or externalId pr", EXACT },
	{ "not (displayName sw \"dev\" and active eq true)", EXACT },
	{ "not (displayName sw \"dev\" or not (active eq false))", EXACT },
	{ "displayName sw \"Dev\" and " BLE ":versionSupport co \"5\"", SUPERSET },
	{ "displayName sw \"Dev\" or " BLE ":versionSupport co \"5\"", SUPERSET },
	{ "(active eq true and " BLE ":isRandom eq true) or (" DPP ":dppVersion ge 2 and "
	  "externalId co \"1\")",
	  EXACT },
	{ "active eq true and not (" BLE ":versionSupport eq \"4.2\") and displayName ew \"1\"",
	  SUPERSET },
	{ "not (" BLE ":deviceMacAddress pr) and (externalId sw \"ext\" or displayName eq null)",
	  EXACT },
};

static void test_filters(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_one(&cases[i]);
	printf("  %zu filters, %zu translated exactly\n", total_sets, total_exact);
}

/* No filter: everything, exact; values are bound, never in the SQL text. */
static void test_no_filter_and_binding(void **state)
{
	struct scim_filter *f = NULL;
	struct scim_sql q;
	char err[256];

	(void)state;
	assert_int_equal(scim_sql_where(NULL, rt, &q), 0);
	assert_true(q.exact);
	assert_string_equal(q.where, "1");
	scim_sql_free(&q);
	assert_int_equal(scim_filter_parse("displayName eq \"x' OR 1=1 --\"", &f, err, sizeof(err)),
			 0);
	assert_int_equal(scim_sql_where(f, rt, &q), 0);
	assert_null(strstr(q.where, "OR 1=1"));
	assert_int_equal(q.n_params, 1);
	assert_string_equal(q.params[0].text, "x' OR 1=1 --");
	assert_int_equal(tao_store_resource_query(store, "Device", NULL, q.where, q.params,
						  q.n_params, collect, &(struct ids){ 0 }, err,
						  sizeof(err)),
			 0);
	scim_sql_free(&q);
	scim_filter_free(f);
	/* a WHERE that does not compile is -EINVAL */
	assert_int_equal(tao_store_resource_query(store, "Device", NULL, "no_such_column = 1", NULL,
						  0, collect, &(struct ids){ 0 }, err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_no_filter_and_binding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
