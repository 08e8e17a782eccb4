// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* A private swtpm on loopback for host tests (see swtpm.h). */
#include "swtpm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A port the kernel just gave out and took back: free, barring a race with another test. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool listening(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * Can a listening socket bind port now? Not while a connection of the port is in TIME_WAIT
 * (swtpm binds without SO_REUSEADDR), as many of the tests' short TCTI connections are.
 */
static bool bindable(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

int swtpm_start(struct swtpm *t, const char *prefix)
{
	char server[64], ctrl[64], statedir[96];

	snprintf(t->dir, sizeof(t->dir), "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(t->dir))
		return -1;
	/* Two consecutive ports: the TPM's and swtpm's control channel. */
	for (int tries = 0; tries < 20; tries++) {
		t->port = free_port();
		if (t->port > 0 && t->port < 65535 && !listening(t->port + 1) &&
		    bindable(t->port + 1))
			break;
	}
	snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port + 1);
	snprintf(statedir, sizeof(statedir), "dir=%s", t->dir);
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", server, "--ctrl", ctrl,
		       "--tpmstate", statedir, "--flags", "not-need-init,startup-clear",
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !listening(t->port); i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (!listening(t->port)) {
		fprintf(stderr, "swtpm did not start (is it installed?)\n");
		return -1;
	}
	snprintf(t->tcti, sizeof(t->tcti), "swtpm:host=127.0.0.1,port=%d", t->port);
	setenv("TAO_TCTI", t->tcti, 1);
	return 0;
}

int swtpm_stop(struct swtpm *t)
{
	char cmd[128];

	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}
