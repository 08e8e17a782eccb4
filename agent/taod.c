// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taod, the device agent (taod(8)): at first boot it waits for the module and the TPM, binds the
 * device's keys, measures its configuration and itself, attests and enrolls with the registrar
 * over one attested TLS session, persists the result, and reports READY=1; after that it
 * re-attests on a schedule. The main thread runs sd-event: signals, the watchdog, and
 * org.tao.Agent1 on the system bus; the worker thread (taod_run.c) does the work.
 */
#include "taod.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "tao_util.h"

#define BUS_NAME  "org.tao.Agent1"
#define BUS_PATH  "/org/tao/Agent1"
#define BUS_IFACE "org.tao.Agent1"
#define TAO_GROUP "tao"

static struct taod g_taod;
static bool g_journal; /* stderr is the journal: structured entries instead of lines */

void taod_log(struct taod *t, int priority, const char *fmt, ...)
{
	char msg[1024], state[32], device[64], result[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&t->lock);
	snprintf(state, sizeof(state), "%s", taod_phase_name(t->view.phase));
	snprintf(device, sizeof(device), "%s", t->view.device_id);
	snprintf(result, sizeof(result), "%s", t->view.last_result);
	pthread_mutex_unlock(&t->lock);
	if (g_journal) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority, "TAOD_STATE=%s", state,
				"TAO_DEVICE_ID=%s", device, "TAO_RESULT=%s", result,
				"SYSLOG_IDENTIFIER=taod", NULL);
		return;
	}
	fprintf(stderr, "taod: %s\n", msg);
}

/* --- D-Bus: org.tao.Agent1 --- */

static int prop_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct taod *t = userdata;
	struct taod_view v;
	int rc;

	(void)bus;
	(void)path;
	(void)iface;
	(void)error;
	pthread_mutex_lock(&t->lock);
	v = t->view;
	pthread_mutex_unlock(&t->lock);
	if (!strcmp(prop, "State"))
		rc = sd_bus_message_append(reply, "s", taod_phase_name(v.phase));
	else if (!strcmp(prop, "StatusText"))
		rc = sd_bus_message_append(reply, "s", v.status);
	else if (!strcmp(prop, "DeviceId"))
		rc = sd_bus_message_append(reply, "s", v.device_id);
	else if (!strcmp(prop, "Registrar"))
		rc = sd_bus_message_append(reply, "s", t->conf.url);
	else if (!strcmp(prop, "LastResult"))
		rc = sd_bus_message_append(reply, "s", v.last_result);
	else if (!strcmp(prop, "LDevIDExpires"))
		rc = sd_bus_message_append(reply, "t", v.ldevid_expires_us);
	else
		rc = sd_bus_message_append(reply, "t", v.last_attest_us);
	return rc;
}

/* Root or a member of group tao (the bus policy says the same; this is the second lock). */
static int caller_allowed(sd_bus_message *m, sd_bus_error *error)
{
	sd_bus_creds *creds = NULL;
	const gid_t *gids = NULL;
	uid_t uid;
	gid_t tao_gid = (gid_t)-1, gid;
	struct group *g;
	int n, rc;

	rc = sd_bus_query_sender_creds(
		m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS, &creds);
	if (rc < 0)
		return sd_bus_error_set_errno(error, rc);
	rc = sd_bus_creds_get_euid(creds, &uid);
	if (rc >= 0 && uid == 0)
		goto allow;
	g = getgrnam(TAO_GROUP);
	if (g)
		tao_gid = g->gr_gid;
	if (tao_gid != (gid_t)-1) {
		if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == tao_gid)
			goto allow;
		n = sd_bus_creds_get_supplementary_gids(creds, &gids);
		for (int i = 0; i < n; i++)
			if (gids[i] == tao_gid)
				goto allow;
	}
	sd_bus_creds_unref(creds);
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				 "only root and members of group %s may ask taod to do this",
				 TAO_GROUP);
allow:
	sd_bus_creds_unref(creds);
	return 0;
}

static int method_request(sd_bus_message *m, void *userdata, sd_bus_error *error, bool enroll)
{
	struct taod *t = userdata;
	int rc = caller_allowed(m, error);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&t->lock);
	if (enroll)
		t->want_enroll = true;
	else
		t->want_reattest = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	taod_log(t, LOG_NOTICE, "%s requested over D-Bus", enroll ? "Enroll" : "Reattest");
	return sd_bus_reply_method_return(m, "");
}

static int method_enroll(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_request(m, userdata, error, true);
}

static int method_reattest(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_request(m, userdata, error, false);
}

static const sd_bus_vtable agent_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("State", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("StatusText", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("DeviceId", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Registrar", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("LastResult", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LastAttestation", "t", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LDevIDExpires", "t", prop_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD("Enroll", "", "", method_enroll, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reattest", "", "", method_reattest, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

struct loop {
	struct taod *t;
	sd_bus *bus;
	struct taod_view sent; /* what PropertiesChanged last announced */
	uint64_t watchdog_usec;
};

/* The worker changed its view: announce what changed. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct loop *l = userdata;
	struct taod_view v;
	const char *names[7];
	size_t n = 0;
	uint64_t cnt;

	(void)s;
	(void)revents;
	if (read(fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&l->t->lock);
	v = l->t->view;
	pthread_mutex_unlock(&l->t->lock);
	if (v.phase != l->sent.phase)
		names[n++] = "State";
	if (strcmp(v.status, l->sent.status))
		names[n++] = "StatusText";
	if (strcmp(v.device_id, l->sent.device_id))
		names[n++] = "DeviceId";
	if (strcmp(v.last_result, l->sent.last_result))
		names[n++] = "LastResult";
	if (v.last_attest_us != l->sent.last_attest_us)
		names[n++] = "LastAttestation";
	if (v.ldevid_expires_us != l->sent.ldevid_expires_us)
		names[n++] = "LDevIDExpires";
	names[n] = NULL;
	l->sent = v;
	if (l->bus && n)
		sd_bus_emit_properties_changed_strv(l->bus, BUS_PATH, BUS_IFACE, (char **)names);
	return 0;
}

/* WATCHDOG=1 only while the worker shows signs of life (its waits tick every 5 s). */
static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;
	uint64_t beat, now;

	pthread_mutex_lock(&l->t->lock);
	beat = l->t->heartbeat_ms;
	now = (uint64_t)tao_mono_ms();
	pthread_mutex_unlock(&l->t->lock);
	if (beat >= now || now - beat < l->watchdog_usec / 1000)
		sd_notify(0, "WATCHDOG=1");
	else
		taod_log(l->t, LOG_CRIT, "the worker has shown no sign of life for %" PRIu64 " ms",
			 now - beat);
	sd_event_source_set_time(s, usec + l->watchdog_usec / 2);
	return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct loop *l = userdata;

	(void)si;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	pthread_mutex_lock(&l->t->lock);
	l->t->stop = true;
	pthread_cond_signal(&l->t->cond);
	pthread_mutex_unlock(&l->t->lock);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int bus_setup(struct loop *l, sd_event *ev)
{
	int rc;

	rc = sd_bus_open_system(&l->bus);
	if (rc >= 0)
		rc = sd_bus_add_object_vtable(l->bus, NULL, BUS_PATH, BUS_IFACE, agent_vtable,
					      l->t);
	if (rc >= 0)
		rc = sd_bus_request_name(l->bus, BUS_NAME, 0);
	if (rc >= 0)
		rc = sd_bus_attach_event(l->bus, ev, SD_EVENT_PRIORITY_NORMAL);
	if (rc < 0) {
		taod_log(l->t, LOG_WARNING,
			 "the system bus: %s; going on without org.tao.Agent1 ([bus] enable = no "
			 "silences this)",
			 strerror(-rc));
		l->bus = sd_bus_flush_close_unref(l->bus);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: taod [-c FILE] [--check-config] [-h] [-V]\n"
		"\n"
		"The tao device agent: attests and enrolls this device with its owner's registrar\n"
		"at first boot, then re-attests on a schedule. Runs as taod.service; see taod(8)\n"
		"and taod.conf(5).\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  The configuration (default %s, and the drop-ins\n"
		"                     of FILE.d/*.conf)\n"
		"  -t, --check-config Check the configuration, print it as JSON and exit\n"
		"  -h, --help         Show this help and exit\n"
		"  -V, --version      Show the version and exit\n"
		"\n"
		"Exit status: 0 after SIGTERM, 1 on a start-up error, 2 for a usage error, 78\n"
		"(EX_CONFIG) for a configuration error.\n",
		TAOD_CONF_DEFAULT);
}

static int print_config(const struct taod_conf *c)
{
	struct json_object *o = json_object_new_object(), *src = json_object_new_array(),
			   *files = json_object_new_array();

	if (!o || !src || !files)
		return 1;
	for (size_t i = 0; i < c->n_sources; i++)
		json_object_array_add(src, json_object_new_string(c->sources[i]));
	for (size_t i = 0; i < c->n_files; i++)
		json_object_array_add(files, json_object_new_string(c->files[i]));
	json_object_object_add(o, "sources", src);
	json_object_object_add(o, "registrar.url", json_object_new_string(c->url));
	json_object_object_add(o, "registrar.ca", json_object_new_string(c->ca));
	json_object_object_add(o, "registrar.timeout_ms", json_object_new_int64(c->timeout_ms));
	json_object_object_add(o, "device.state_dir", json_object_new_string(c->state_dir));
	json_object_object_add(o, "device.tcti", json_object_new_string(c->tcti));
	json_object_object_add(o, "enroll.ldevid", json_object_new_boolean(c->ldevid));
	json_object_object_add(o, "enroll.renew_before_ms",
			       json_object_new_int64(c->renew_before_ms));
	json_object_object_add(o, "attest.interval_ms", json_object_new_int64(c->interval_ms));
	json_object_object_add(o, "retry.initial_ms", json_object_new_int64(c->initial_ms));
	json_object_object_add(o, "retry.max_ms", json_object_new_int64(c->max_ms));
	json_object_object_add(o, "retry.jitter", json_object_new_int(c->jitter_pct));
	json_object_object_add(o, "retry.refused_ms", json_object_new_int64(c->refused_ms));
	json_object_object_add(o, "measure.config", json_object_new_boolean(c->measure_config));
	json_object_object_add(o, "measure.self", json_object_new_boolean(c->measure_self));
	json_object_object_add(o, "measure.files", files);
	json_object_object_add(o, "bus.enable", json_object_new_boolean(c->bus));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct taod *t = &g_taod;
	struct loop l = { .t = t };
	const char *conf = TAOD_CONF_DEFAULT;
	bool check = false;
	sd_event *ev = NULL;
	sd_event_source *wd = NULL;
	pthread_condattr_t ca;
	pthread_t worker;
	sigset_t ss;
	char err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("taod %s\n", TAO_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'taod --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "taod: unexpected argument '%s'\nTry 'taod --help'.\n",
			argv[optind]);
		return 2;
	}
	g_journal = tao_stderr_is_journal();
	if (pthread_mutex_init(&t->lock, NULL) || pthread_condattr_init(&ca) ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) || pthread_cond_init(&t->cond, &ca))
		return 1;
	t->conf_path = conf;
	rc = taod_conf_load(conf, &t->conf, err, sizeof(err));
	if (rc < 0) {
		taod_log(t, LOG_ERR, "%s", err);
		sd_notifyf(0, "STATUS=configuration error: %s", err);
		/* EX_CONFIG: RestartPreventExitStatus in the unit; a restart cannot mend it. */
		return EX_CONFIG;
	}
	if (check)
		return print_config(&t->conf);

	t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	if (t->wake_fd < 0 || pthread_sigmask(SIG_BLOCK, &ss, NULL) || sd_event_default(&ev) < 0 ||
	    sd_event_add_signal(ev, NULL, SIGTERM, on_signal, &l) < 0 ||
	    sd_event_add_signal(ev, NULL, SIGINT, on_signal, &l) < 0 ||
	    sd_event_add_io(ev, NULL, t->wake_fd, EPOLLIN, on_wake, &l) < 0) {
		taod_log(t, LOG_ERR, "setting up the event loop failed");
		return 1;
	}
	if (sd_watchdog_enabled(0, &l.watchdog_usec) > 0) {
		uint64_t now;

		sd_event_now(ev, CLOCK_MONOTONIC, &now);
		if (sd_event_add_time(ev, &wd, CLOCK_MONOTONIC, now + l.watchdog_usec / 2, 0,
				      on_watchdog, &l) < 0 ||
		    sd_event_source_set_enabled(wd, SD_EVENT_ON) < 0) {
			taod_log(t, LOG_ERR, "setting up the watchdog failed");
			return 1;
		}
	}
	/* A session shows no sign of life until it ends: keep it well inside the watchdog. */
	if (l.watchdog_usec && (uint64_t)t->conf.timeout_ms > l.watchdog_usec / 2000) {
		taod_log(t, LOG_WARNING,
			 "[registrar] timeout %ld ms is longer than half the watchdog (%" PRIu64
			 " ms): using %" PRIu64 " ms",
			 t->conf.timeout_ms, l.watchdog_usec / 1000, l.watchdog_usec / 2000);
		t->conf.timeout_ms = (long)(l.watchdog_usec / 2000);
	}
	if (t->conf.bus)
		bus_setup(&l, ev);
	t->heartbeat_ms = (uint64_t)tao_mono_ms();
	taod_log(t, LOG_INFO, "taod %s starting: registrar %s, state %s", TAO_VERSION, t->conf.url,
		 t->conf.state_dir);
	if (pthread_create(&worker, NULL, taod_worker, t)) {
		taod_log(t, LOG_ERR, "cannot start the worker thread");
		return 1;
	}
	rc = sd_event_loop(ev);
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(worker, NULL);
	sd_bus_flush_close_unref(l.bus);
	sd_event_source_unref(wd);
	sd_event_unref(ev);
	close(t->wake_fd);
	return rc < 0 ? 1 : 0;
}
