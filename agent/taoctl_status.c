// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taoctl status: what taod reports on the system bus (org.tao.Agent1), and its two methods,
 * Enroll and Reattest. When taod is not on the bus, the persisted state (STATE-DIR/taod.json).
 */
#include "taoctl_attest.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "tao_cleanup.h"
#include "tao_json.h"
#include "tao_util.h"
#include "taoctl.h"
#include "taoctl_devid.h"

#define BUS_NAME  "org.tao.Agent1"
#define BUS_PATH  "/org/tao/Agent1"
#define BUS_IFACE "org.tao.Agent1"

struct agent_props {
	char *state, *status, *device, *registrar, *result;
	uint64_t last_us;
	uint64_t ldevid_us; /* LDevIDExpires: 0 none in use */
	bool have_ldevid;   /* taod has the property (older ones do not) */
};

static void props_free(struct agent_props *p)
{
	free(p->state);
	free(p->status);
	free(p->device);
	free(p->registrar);
	free(p->result);
}

static int get_str(sd_bus *bus, const char *name, char **out, sd_bus_error *e)
{
	return sd_bus_get_property_string(bus, BUS_NAME, BUS_PATH, BUS_IFACE, name, e, out);
}

static int read_props(sd_bus *bus, struct agent_props *p, sd_bus_error *e)
{
	int rc;

	if ((rc = get_str(bus, "State", &p->state, e)) < 0 ||
	    (rc = get_str(bus, "StatusText", &p->status, e)) < 0 ||
	    (rc = get_str(bus, "DeviceId", &p->device, e)) < 0 ||
	    (rc = get_str(bus, "Registrar", &p->registrar, e)) < 0 ||
	    (rc = get_str(bus, "LastResult", &p->result, e)) < 0)
		return rc;
	rc = sd_bus_get_property_trivial(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "LastAttestation", e,
					 't', &p->last_us);
	if (rc < 0)
		return rc;
	p->have_ldevid =
		sd_bus_get_property_trivial(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "LDevIDExpires",
					    NULL, 't', &p->ldevid_us) >= 0;
	if (!p->have_ldevid)
		p->ldevid_us = 0;
	return 0;
}

/* A property's time (microseconds since the Unix epoch; 0: never) in UTC. */
static void iso_time(uint64_t us, char *buf, size_t len)
{
	if (!us)
		snprintf(buf, len, "never");
	else
		tao_utc_text((int64_t)(us / 1000000u), buf, len);
}

/*
 * After Enroll or Reattest: until the session's result is in (LastAttestation moved and taod is
 * no longer enrolling or attesting) or it failed without one (retrying, failed). Polls every
 * 200 ms for at most wait_s seconds. Returns 0 or -ETIMEDOUT.
 */
static int wait_result(sd_bus *bus, uint64_t before, unsigned int wait_s)
{
	for (unsigned int i = 0; i < wait_s * 5; i++) {
		char *state = NULL;
		uint64_t last = 0;
		bool done;

		if (get_str(bus, "State", &state, NULL) < 0 ||
		    sd_bus_get_property_trivial(bus, BUS_NAME, BUS_PATH, BUS_IFACE,
						"LastAttestation", NULL, 't', &last) < 0) {
			free(state);
			return -EIO;
		}
		done = !strcmp(state, "retrying") || !strcmp(state, "failed") ||
		       (last != before && strcmp(state, "enrolling") && strcmp(state, "attesting"));
		free(state);
		if (done)
			return 0;
		usleep(200000);
	}
	return -ETIMEDOUT;
}

/* Exit status: 0 ready (or enrolled) and affirming or warning; 3 refused; 1 otherwise. */
static int status_exit(const char *state, const char *result)
{
	if (!strcmp(state, "refused") || !strcmp(result, "contraindicated") ||
	    !strcmp(result, "refused"))
		return 3;
	if (!strcmp(state, "ready") && (!strcmp(result, "affirming") || !strcmp(result, "warning")))
		return 0;
	return 1;
}

static int print_props(const struct agent_props *p, bool json)
{
	char when[32], expires[32];

	iso_time(p->last_us, when, sizeof(when));
	iso_time(p->ldevid_us, expires, sizeof(expires));
	if (json) {
		TAO_CLEANUP(tao_json_putp) struct json_object *o = json_object_new_object();

		if (!o || !tao_json_put(o, "source", json_object_new_string("dbus")) ||
		    !tao_json_put(o, "state", json_object_new_string(p->state)) ||
		    !tao_json_put(o, "status", json_object_new_string(p->status)) ||
		    !tao_json_put(o, "device_id", json_object_new_string(p->device)) ||
		    !tao_json_put(o, "registrar", json_object_new_string(p->registrar)) ||
		    !tao_json_put(o, "last_result", json_object_new_string(p->result)) ||
		    (p->last_us &&
		     !tao_json_put(o, "last_attestation", json_object_new_string(when))) ||
		    (p->ldevid_us &&
		     !tao_json_put(o, "ldevid_expires", json_object_new_string(expires))))
			return TAOCTL_EXIT_RUNTIME;
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED));
	} else {
		printf("state:        %s\n", p->state);
		printf("status:       %s\n", p->status);
		printf("registrar:    %s\n", p->registrar);
		printf("device:       %s\n", *p->device ? p->device : "(not enrolled)");
		printf("last result:  %s%s%s\n", *p->result ? p->result : "(none)",
		       p->last_us ? " at " : "", p->last_us ? when : "");
		if (p->ldevid_us)
			printf("identity:     LDevID, expires %s\n", expires);
		else if (p->have_ldevid)
			printf("identity:     IDevID\n");
	}
	return fflush(stdout) ? TAOCTL_EXIT_RUNTIME : status_exit(p->state, p->result);
}

/* taod is not on the bus: what it persisted, if anything. */
static int print_persisted(const char *state_dir, bool json)
{
	TAO_CLEANUP(tao_freep) char *text = NULL;
	TAO_CLEANUP(tao_json_putp) struct json_object *o = NULL;
	char path[4096];
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/taod.json", state_dir);
	rc = tao_read_file(path, 65536, &text, &len);
	if (rc < 0) {
		taoctl_err("status: taod is not running, and %s: %s", path, strerror(-rc));
		return TAOCTL_EXIT_UNREACHABLE;
	}
	o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object)) {
		taoctl_err("status: taod is not running, and %s is not JSON", path);
		return TAOCTL_EXIT_UNREACHABLE;
	}
	if (json) {
		struct json_object *w = json_object_new_object();

		if (!w || !tao_json_put(w, "source", json_object_new_string(path)) ||
		    !tao_json_put(w, "state", json_object_new_string("not running")) ||
		    !tao_json_put(w, "persisted", json_object_get(o))) {
			json_object_put(w);
			return TAOCTL_EXIT_RUNTIME;
		}
		puts(json_object_to_json_string_ext(w, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED));
		json_object_put(w);
	} else {
		struct json_object *v;

		printf("state:        not running (taod is not on the system bus)\n");
		printf("persisted:    %s\n", path);
		if (json_object_object_get_ex(o, "enrolled", &v))
			printf("enrolled:     %s\n", json_object_get_boolean(v) ? "yes" : "no");
		if (json_object_object_get_ex(o, "device_id", &v))
			printf("device:       %s\n", json_object_get_string(v));
		if (json_object_object_get_ex(o, "registrar", &v))
			printf("registrar:    %s\n", json_object_get_string(v));
		if (json_object_object_get_ex(o, "last_result", &v))
			printf("last result:  %s\n", json_object_get_string(v));
	}
	return fflush(stdout) ? TAOCTL_EXIT_RUNTIME : TAOCTL_EXIT_UNREACHABLE;
}

int taoctl_cmd_status(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "enroll", no_argument, NULL, 'E' },
		{ "reattest", no_argument, NULL, 'R' },
		{ "wait", required_argument, NULL, 'w' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "status", *method = NULL, *state_dir = TAOCTL_STATE_DIR;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct agent_props p = { 0 };
	sd_bus *bus = NULL;
	bool json = false;
	unsigned int wait_s = 120;
	char *end;
	unsigned long v;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:ERd:jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 3600)
				return taoctl_usage(name,
						    "%s: --wait wants 1 to 3600 seconds, not '%s'",
						    name, optarg);
			wait_s = (unsigned int)v;
			break;
		case 'E':
		case 'R':
			if (method)
				return taoctl_usage(
					name, "%s: give --enroll or --reattest, not both", name);
			method = c == 'E' ? "Enroll" : "Reattest";
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return taoctl_show_help(cmd);
		default:
			return taoctl_option_error(name, argv, c);
		}
	}
	if (optind < argc)
		return taoctl_usage(name, "%s: unexpected argument '%s'", name, argv[optind]);
	rc = sd_bus_open_system(&bus);
	if (rc < 0) {
		if (method) {
			taoctl_err("%s: the system bus: %s", name, strerror(-rc));
			return TAOCTL_EXIT_UNREACHABLE;
		}
		return print_persisted(state_dir, json);
	}
	if (method) {
		uint64_t before = 0;

		sd_bus_get_property_trivial(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "LastAttestation",
					    NULL, 't', &before);
		rc = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE, method, &e, NULL, "");
		if (rc < 0) {
			taoctl_err("%s: %s: %s", name, method,
				   e.message ? e.message : strerror(-rc));
			rc = sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED)
				     ? TAOCTL_EXIT_RUNTIME
				     : TAOCTL_EXIT_UNREACHABLE;
			sd_bus_error_free(&e);
			sd_bus_flush_close_unref(bus);
			return rc;
		}
		if (!json)
			printf("%s requested; waiting for its result (at most %u s)\n", method,
			       wait_s);
		rc = wait_result(bus, before, wait_s);
		if (rc < 0) {
			taoctl_err("%s: %s: no result after %u s (see journalctl -u taod)", name,
				   method, wait_s);
			sd_bus_flush_close_unref(bus);
			return TAOCTL_EXIT_RUNTIME;
		}
	}
	rc = read_props(bus, &p, &e);
	if (rc < 0) {
		bool absent = sd_bus_error_has_name(&e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
			      sd_bus_error_has_name(&e, SD_BUS_ERROR_NAME_HAS_NO_OWNER);

		if (!absent)
			taoctl_err("%s: reading taod's properties: %s", name,
				   e.message ? e.message : strerror(-rc));
		sd_bus_error_free(&e);
		props_free(&p);
		sd_bus_flush_close_unref(bus);
		return absent ? print_persisted(state_dir, json) : TAOCTL_EXIT_RUNTIME;
	}
	rc = print_props(&p, json);
	props_free(&p);
	sd_bus_flush_close_unref(bus);
	return rc;
}
