// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taod.conf(5) and taod.json: defaults, drop-in order and override, every kind of bad value with
 * its file, line and key, durations, and the persisted state's round trip and refusals.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "taod_conf.h"
#include "taod_state.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char d[PATH_MAX];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/taod-conf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(d, sizeof(d), "%s/taod.conf.d", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int load(struct taod_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/taod.conf", dir);
	return taod_conf_load(path, c, err, errlen);
}

static void test_defaults(void **state)
{
	struct taod_conf *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	put("taod.conf", "# only the URL\n[registrar]\nurl = https://reg.example:8443/\n");
	assert_int_equal(load(c, err, sizeof(err)), 0);
	assert_string_equal(c->url, "https://reg.example:8443");
	assert_string_equal(c->ca, "/var/lib/tao/registrar-ca.pem");
	assert_string_equal(c->state_dir, "/var/lib/tao");
	assert_int_equal(c->timeout_ms, 30000);
	assert_int_equal(c->interval_ms, 3600000);
	assert_int_equal(c->renew_before_ms, 30L * 86400000);
	assert_int_equal(c->initial_ms, 2000);
	assert_int_equal(c->max_ms, 300000);
	assert_int_equal(c->jitter_pct, 50);
	assert_true(c->ldevid && c->measure_config && c->measure_self && c->bus);
	assert_int_equal(c->n_sources, 1);
	free(c);
}

static void test_dropins(void **state)
{
	struct taod_conf *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	put("taod.conf", "[registrar]\nurl = https://a:1\n[device]\nstate_dir = /srv/tao\n");
	put("taod.conf.d/20-b.conf",
	    "[registrar]\nurl = https://b:2\n[attest]\ninterval = 5min\n[enroll]\nrenew_before = "
	    "7d\n");
	put("taod.conf.d/10-a.conf", "[registrar]\nurl = https://c:3\n[retry]\njitter = 0\n");
	put("taod.conf.d/README", "not a drop-in: ignored\n");
	put("taod.conf.d/.hidden.conf", "garbage\n");
	assert_int_equal(load(c, err, sizeof(err)), 0);
	/* Lexical order: 10-a, then 20-b; the later one wins. */
	assert_string_equal(c->url, "https://b:2");
	assert_int_equal(c->interval_ms, 300000);
	assert_int_equal(c->renew_before_ms, 7L * 86400000);
	assert_int_equal(c->jitter_pct, 0);
	assert_string_equal(c->ca, "/srv/tao/registrar-ca.pem");
	assert_int_equal(c->n_sources, 3);
	assert_non_null(strstr(c->sources[1], "10-a.conf"));
	assert_non_null(strstr(c->sources[2], "20-b.conf"));
	free(c);
}

struct bad {
	const char *text, *file, *want;
};

static void test_errors(void **state)
{
	static const struct bad cases[] = {
		{ "[registrar]\nurl = http://x\n", NULL,
		  "taod.conf:2: [registrar] url: 'http://x' is not an https:// URL" },
		{ "[registrar]\nurl = https://\n", NULL, "names no host" },
		{ "[registrar]\nurl = https://x\nurl = https://y\n", NULL,
		  "taod.conf:3: [registrar] url is set twice" },
		{ "[registrar]\nurl = https://x\n[retry]\nmax = soon\n", NULL,
		  "taod.conf:4: [retry] max: 'soon' is not a duration" },
		{ "[registrar]\nurl = https://x\n[retry]\nmax = 31d\n", NULL,
		  "longer than 30 days" },
		{ "[registrar]\nurl = https://x\n[retry]\ninitial = 0s\n", NULL,
		  "is not a duration" },
		{ "[registrar]\nurl = https://x\n[retry]\ninitial = 10min\nmax = 1min\n", NULL,
		  "[retry] initial (600000 ms) is longer than max (60000 ms)" },
		{ "[registrar]\nurl = https://x\n[enroll]\nldevid = maybe\n", NULL,
		  "taod.conf:4: [enroll] ldevid: 'maybe' is not yes or no" },
		{ "[registrar]\nurl = https://x\n[enroll]\nrenew_before = 31d\n", NULL,
		  "taod.conf:4: [enroll] renew_before:" },
		{ "[registrar]\nurl = https://x\n[device]\nstate_dir = var/lib\n", NULL,
		  "not an absolute path" },
		{ "[registrar]\nurl = https://x\n[measure]\nfiles = /a rel\n", NULL,
		  "[measure] files: 'rel' is not an absolute path" },
		{ "[registrar]\nurl = https://x\n[nonsense]\nk = v\n", NULL,
		  "taod.conf:4: unknown section [nonsense]" },
		{ "[registrar]\nurl = https://x\nport = 1\n", NULL,
		  "taod.conf:3: [registrar] has no key 'port'" },
		{ "url = https://x\n", NULL, "taod.conf:1: 'url' is outside any section" },
		{ "[registrar]\nurl = https://x\nthis line is nothing\n", NULL,
		  "taod.conf:3: not a section header" },
		{ "[device]\nstate_dir = /x\n", NULL, "[registrar] url is required" },
		{ "[registrar]\nurl = https://x\n", "[retry]\njitter = -1\n",
		  "10-bad.conf:2: [retry] jitter: '-1' is not a percentage" },
	};
	struct taod_conf *c = calloc(1, sizeof(*c));
	char err[512], longline[400], d[PATH_MAX];

	(void)state;
	/* A line longer than libinih's buffer is refused, not split (and the count stays right). */
	memset(longline, 0, sizeof(longline));
	strcpy(longline, "[registrar]\nurl = https://");
	memset(longline + strlen(longline), 'x', 300);
	strcat(longline, "\n");
	put("taod.conf", longline);
	assert_int_equal(load(c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "taod.conf:2: the line is longer than 198 characters"))
		fail_msg("got \"%s\"", err);
	/* A section name libinih would cut is refused, not cut (tao_ini.h). */
	memset(longline, 0, sizeof(longline));
	strcpy(longline, "[registrar]\nurl = https://x\n[");
	memset(longline + strlen(longline), 'r', 60);
	strcat(longline, "]\nkey = 1\n");
	put("taod.conf", longline);
	assert_int_equal(load(c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "taod.conf:3: a section name is longer than 49 characters"))
		fail_msg("got \"%s\"", err);
	/* A drop-in that is not a regular file. */
	put("taod.conf", "[registrar]\nurl = https://x\n");
	snprintf(d, sizeof(d), "%s/taod.conf.d/30-dir.conf", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(load(c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "30-dir.conf: not a regular file"));
	assert_int_equal(rmdir(d), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("taod.conf", cases[i].text);
		if (cases[i].file)
			put("taod.conf.d/10-bad.conf", cases[i].file);
		err[0] = '\0';
		assert_int_equal(load(c, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
		if (cases[i].file) {
			char p[PATH_MAX];

			snprintf(p, sizeof(p), "%s/taod.conf.d/10-bad.conf", dir);
			unlink(p);
		}
	}
	free(c);
}

static void test_missing(void **state)
{
	struct taod_conf *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_int_equal(taod_conf_load("/nonexistent/taod.conf", c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/taod.conf: No such file"));
	free(c);
}

static void test_durations(void **state)
{
	long ms;

	(void)state;
	assert_int_equal(taod_duration_parse("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(taod_duration_parse("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(taod_duration_parse("5min", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(taod_duration_parse("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(taod_duration_parse("30d", &ms), 0);
	assert_int_equal(taod_duration_parse("31d", &ms), -ERANGE);
	assert_int_equal(taod_duration_parse("-1s", &ms), -EINVAL);
	assert_int_equal(taod_duration_parse("1 fortnight", &ms), -EINVAL);
	assert_int_equal(taod_duration_parse("", &ms), -EINVAL);
	assert_int_equal(taod_duration_parse("99999999999999999999", &ms), -EINVAL);
}

static void test_state(void **state)
{
	struct taod_state s = { 0 }, t;
	char err[512] = "";

	(void)state;
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), -ENOENT);
	assert_false(t.enrolled);
	assert_int_equal(t.attestation_id, -1);
	s.enrolled = true;
	snprintf(s.registrar, sizeof(s.registrar), "https://reg:8443");
	snprintf(s.device_id, sizeof(s.device_id), "4a7c1f0e-0000-4000-8000-000000000001");
	snprintf(s.serial, sizeof(s.serial), "SN-1");
	s.ldevid = true;
	s.ldevid_handle = 0x81020002;
	s.enrolled_at = 1700000000;
	snprintf(s.last_result, sizeof(s.last_result), "affirming");
	s.last_attestation = 1700000001;
	s.attestation_id = 42;
	assert_int_equal(taod_state_save(dir, &s, err, sizeof(err)), 0);
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), 0);
	assert_memory_equal(&s, &t, sizeof(s));

	/* Files taod did not write: refused, and the state is the empty one. */
	put("taod.json", "{\"version\": 2}");
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_false(t.enrolled);
	put("taod.json", "{\"version\": 1, \"enrolled\": true, \"registrar\": \"https://x\"}");
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), -EBADMSG);
	assert_false(t.enrolled);
	put("taod.json", "{\"version\": 1, \"enrolled\": \"yes\"}");
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), -EBADMSG);
	put("taod.json", "{\"version\": 1, \"enrolled\": tr");
	assert_int_equal(taod_state_load(dir, &t, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a JSON object"));
	/* No temporary files are left behind. */
	assert_int_equal(system("test -z \"$(ls -A /tmp/taod-conf.* | grep '\\.tmp\\.')\""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test(test_durations),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
