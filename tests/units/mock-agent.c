// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A stand-in for taod on the bus, for tests/units/run: owns org.tao.Agent1 on the bus at
 * ADDRESS and serves /org/tao/Agent1 with taod's properties and methods, so that the D-Bus
 * policy (dbus/org.tao.Agent1.conf) is tested against a real dbus-daemon. Enroll emits
 * PropertiesChanged (a signal every peer may receive).
 *
 *   mock-agent ADDRESS [probe]   prints "owned" once the name is owned, then serves for 60 s
 *                                (probe: exits 0 at once); exit 3 when the bus refuses the
 *                                name, 1 on another error
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#define PATH  "/org/tao/Agent1"
#define IFACE "org.tao.Agent1"

static const char *state = "ready";

static int get_str(sd_bus *bus, const char *path, const char *iface, const char *prop,
		   sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus, (void)path, (void)iface, (void)userdata, (void)error;
	if (!strcmp(prop, "State"))
		return sd_bus_message_append(reply, "s", state);
	return sd_bus_message_append(reply, "s", "");
}

static int get_time(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)error;
	return sd_bus_message_append(reply, "t", (uint64_t)0);
}

static int method(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	(void)userdata, (void)error;
	if (!strcmp(sd_bus_message_get_member(m), "Enroll")) {
		state = "enrolling";
		sd_bus_emit_properties_changed(sd_bus_message_get_bus(m), PATH, IFACE, "State",
					       NULL);
	}
	return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("State", "s", get_str, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("DeviceId", "s", get_str, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Registrar", "s", get_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("LastResult", "s", get_str, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LastAttestation", "t", get_time, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD("Enroll", "", "", method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reattest", "", "", method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	time_t end;
	int r;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "probe")))
		return fprintf(stderr, "usage: mock-agent ADDRESS [probe]\n"), 2;
	if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_address(bus, argv[1])) < 0 ||
	    (r = sd_bus_set_bus_client(bus, 1)) < 0 || (r = sd_bus_start(bus)) < 0)
		return fprintf(stderr, "mock-agent: connecting: %s\n", strerror(-r)), 1;
	if ((r = sd_bus_add_object_vtable(bus, NULL, PATH, IFACE, vtable, NULL)) < 0)
		return fprintf(stderr, "mock-agent: vtable: %s\n", strerror(-r)), 1;
	r = sd_bus_request_name(bus, IFACE, 0);
	if (r < 0) {
		fprintf(stderr, "mock-agent: owning %s: %s\n", IFACE, strerror(-r));
		return r == -EACCES || r == -EPERM ? 3 : 1;
	}
	printf("owned\n");
	fflush(stdout);
	if (argc == 3)
		return sd_bus_unref(bus), 0;
	for (end = time(NULL) + 60; time(NULL) < end;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return fprintf(stderr, "mock-agent: %s\n", strerror(-r)), 1;
		if (r == 0 && sd_bus_wait(bus, 1000000) < 0)
			return 1;
	}
	sd_bus_unref(bus);
	return 0;
}
