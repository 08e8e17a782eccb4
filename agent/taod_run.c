// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * taod's worker thread: the first-boot state machine (taod(8), "STATES") and the re-attestation
 * schedule. Everything that touches the module, the TPM or the network runs here; the main loop
 * (taod.c) only reads the published view.
 */
#include "taod.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <systemd/sd-daemon.h>

#include <linux/tao.h>

#include "tao_client.h"
#include "tao_collect.h"
#include "tao_crypto.h"
#include "tao_devid.h"
#include "tao_digest.h"
#include "tao_evidence.h"
#include "tao_hex.h"
#include "tao_info.h"
#include "tao_keys.h"
#include "tao_ldevid_req.h"
#include "tao_names.h"
#include "tao_nl.h"
#include "tao_tls_key.h"
#include "tao_tpm_esys.h"
#include "tao_util.h"
#include "tao_verifier.h"

#define FILE_MAX     (64u << 20) /* a measured file */
#define LOCAL_MAX_MS 10000	 /* the longest wait for the module or the TPM */

struct run {
	struct taod *t;
	const struct taod_conf *c;
	struct taod_state st;
	struct tao_nl *nl;
	struct tao_esys *e;
	struct tao_info info;
	char serial[65];
	uint32_t iak_handle, idevid_handle;
	struct tao_identity *id; /* for st's TLS role */
	EVP_PKEY *key;
	struct tao_attest_params params; /* the registrar's last ask: the next session's expect */
	bool have_params;
	unsigned int attempt;	  /* failures in a row, for the backoff */
	bool measured;		  /* this start's measurements are in the log */
	int64_t ldevid_not_after; /* ldevid.pem's notAfter (Unix seconds) when in use; 0: none */
	char err[TAO_ERRMSG_MAX];
};

const char *taod_phase_name(enum taod_phase p)
{
	static const char *const names[] = {
		[TAOD_STARTING] = "starting",	[TAOD_WAITING] = "waiting",
		[TAOD_IDENTITY] = "identity",	[TAOD_MEASURING] = "measuring",
		[TAOD_ENROLLING] = "enrolling", [TAOD_ATTESTING] = "attesting",
		[TAOD_READY] = "ready",		[TAOD_RETRYING] = "retrying",
		[TAOD_REFUSED] = "refused",	[TAOD_FAILED] = "failed",
		[TAOD_STOPPING] = "stopping",
	};
	return (unsigned int)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}

static uint64_t mono_ms(void)
{
	return (uint64_t)tao_mono_ms();
}

static void wake_main(struct taod *t)
{
	uint64_t one = 1;

	if (write(t->wake_fd, &one, sizeof(one)) < 0) {
		/* The counter saturates only if the main loop is gone; nothing to do. */
	}
}

/* Publish a phase and its one-line status: D-Bus (via the main loop), STATUS=, the journal. */
static void publish(struct run *r, enum taod_phase phase, int prio, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void publish(struct run *r, enum taod_phase phase, int prio, const char *fmt, ...)
{
	struct taod *t = r->t;
	char status[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&t->lock);
	t->view.phase = phase;
	snprintf(t->view.status, sizeof(t->view.status), "%s", status);
	snprintf(t->view.device_id, sizeof(t->view.device_id), "%s", r->st.device_id);
	snprintf(t->view.last_result, sizeof(t->view.last_result), "%s", r->st.last_result);
	t->view.last_attest_us = (uint64_t)r->st.last_attestation * 1000000u;
	t->view.ldevid_expires_us =
		r->ldevid_not_after > 0 ? (uint64_t)r->ldevid_not_after * 1000000u : 0;
	t->heartbeat_ms = mono_ms();
	pthread_mutex_unlock(&t->lock);
	sd_notifyf(0, "STATUS=%s", status);
	taod_log(t, prio, "%s", status);
	wake_main(t);
}

static void send_ready(struct run *r)
{
	struct taod *t = r->t;
	bool was;

	pthread_mutex_lock(&t->lock);
	was = t->view.ready;
	t->view.ready = true;
	pthread_mutex_unlock(&t->lock);
	if (!was)
		sd_notify(0, "READY=1");
}

/*
 * Tests only (taod(8), ENVIRONMENT): with TAOD_TEST_STOP_AT=point, log "@@TAOD-STOP point" and
 * stop right there, so that a test can cut the power at exactly that step.
 */
static void test_stop_point(struct run *r, const char *point)
{
	const char *at = getenv("TAOD_TEST_STOP_AT");

	if (!at || strcmp(at, point) != 0)
		return;
	taod_log(r->t, LOG_WARNING, "@@TAOD-STOP %s", point);
	for (;;) {
		pthread_mutex_lock(&r->t->lock);
		r->t->heartbeat_ms = mono_ms();
		if (r->t->stop) {
			pthread_mutex_unlock(&r->t->lock);
			return;
		}
		pthread_mutex_unlock(&r->t->lock);
		sleep(1);
	}
}

/*
 * Wait until ms from now, a request (Enroll, Reattest) or the stop. Returns true unless
 * stopping. The heartbeat goes on while waiting.
 */
static bool wait_for(struct run *r, uint64_t ms)
{
	struct taod *t = r->t;
	uint64_t end = mono_ms() + ms;
	bool go;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		uint64_t now = mono_ms(), until;
		struct timespec ts;

		t->heartbeat_ms = now;
		if (t->stop || t->want_enroll || t->want_reattest || now >= end)
			break;
		until = end - now > 5000 ? now + 5000 : end;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)((until - now) / 1000);
		ts.tv_nsec += (long)((until - now) % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&t->cond, &t->lock, &ts);
	}
	go = !t->stop;
	pthread_mutex_unlock(&t->lock);
	return go;
}

/* The next backoff delay: initial * 2^attempt, capped, minus up to jitter %. */
static uint64_t backoff(struct run *r, uint64_t cap)
{
	uint64_t d = (uint64_t)r->c->initial_ms, j;
	unsigned int rnd;

	for (unsigned int i = 0; i < r->attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	if (r->attempt < 64)
		r->attempt++;
	j = d * r->c->jitter_pct / 100;
	if (j && getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) == (ssize_t)sizeof(rnd))
		d -= (uint64_t)rnd % (j + 1);
	return d ? d : 1;
}

static void close_tpm(struct run *r)
{
	EVP_PKEY_free(r->key);
	r->key = NULL;
	tao_identity_free(r->id);
	r->id = NULL;
	tao_esys_close(r->e);
	r->e = NULL;
	tao_nl_close(r->nl);
	r->nl = NULL;
}

/* The module (its family, a TPM 2.0 behind it) and ESAPI. */
static int open_tpm(struct run *r)
{
	int rc;

	rc = tao_nl_open(&r->nl);
	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc,
				"the tao module is not loaded (its netlink family is absent: "
				"modprobe tao): %s",
				strerror(-rc));
	rc = tao_nl_get_info(r->nl, &r->info);
	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc, "asking the module: %s%s%s",
				tao_nl_last_error(r->nl), *tao_nl_last_error(r->nl) ? ": " : "",
				strerror(-rc));
	if (r->info.tpm_state != TAO_TPM_STATE_TPM2)
		return tao_errf(r->err, sizeof(r->err), -ENODEV,
				"the module has no TPM 2.0 (state %u)", r->info.tpm_state);
	if (r->c->tcti[0])
		rc = tao_esys_open_tcti(r->c->tcti, &r->e, r->err, sizeof(r->err));
	else
		rc = tao_esys_open(&r->e, r->err, sizeof(r->err));
	return rc;
}

static int handle_member(struct json_object *doc, const char *role, uint32_t *out)
{
	struct json_object *k, *h;
	char *end;
	unsigned long v;

	if (!json_object_object_get_ex(doc, role, &k) ||
	    !json_object_object_get_ex(k, "handle", &h) ||
	    !json_object_is_type(h, json_type_string))
		return -EBADMSG;
	errno = 0;
	v = strtoul(json_object_get_string(h), &end, 16);
	if (errno || *end || v < 0x81000000ul || v > 0x81ffffff)
		return -EBADMSG;
	*out = (uint32_t)v;
	return 0;
}

/* device.json of the factory: the serial and the IAK's and IDevID's handles. */
static int read_device(struct run *r)
{
	char path[PATH_MAX + 16];
	char *text = NULL;
	size_t len;
	struct json_object *doc, *s;
	int rc;

	snprintf(path, sizeof(path), "%s/device.json", r->c->state_dir);
	rc = tao_read_file(path, 65536, &text, &len);
	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc,
				"%s: %s (the device is not provisioned: taoctl provision)", path,
				strerror(-rc));
	doc = json_tokener_parse(text);
	free(text);
	rc = -EBADMSG;
	if (doc && json_object_object_get_ex(doc, "serial", &s) &&
	    json_object_is_type(s, json_type_string) && json_object_get_string_len(s) > 0 &&
	    json_object_get_string_len(s) < (int)sizeof(r->serial) &&
	    !handle_member(doc, "iak", &r->iak_handle) &&
	    !handle_member(doc, "idevid", &r->idevid_handle)) {
		snprintf(r->serial, sizeof(r->serial), "%s", json_object_get_string(s));
		rc = 0;
	}
	json_object_put(doc);
	if (rc < 0)
		tao_errf(r->err, sizeof(r->err), rc,
			 "%s: no serial, or no iak/idevid handle of the form 0x81xxxxxx", path);
	return rc;
}

static int bind_role(struct run *r, uint32_t role, uint32_t handle)
{
	struct tao_key_bind_reply rep;
	int rc = tao_nl_key_bind(r->nl, role, handle, &rep);

	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc, "binding %s to 0x%08" PRIx32 ": %s%s%s",
				tao_role_name(role), handle, tao_nl_last_error(r->nl),
				*tao_nl_last_error(r->nl) ? ": " : "", strerror(-rc));
	return 0;
}

/* ldevid.pem's notAfter in Unix seconds, or 0 when it cannot be read (no renewal then). */
static int64_t ldevid_not_after(struct run *r)
{
	char path[PATH_MAX + 16];
	int64_t t = 0;
	struct tm tm;
	FILE *f;
	X509 *x;

	snprintf(path, sizeof(path), "%s/ldevid.pem", r->c->state_dir);
	f = fopen(path, "re");
	x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (x && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		t = (int64_t)timegm(&tm);
	X509_free(x);
	return t;
}

/* Bind the roles and load the identity of the TLS role the state asks for. */
static int identity(struct run *r)
{
	uint32_t role = r->st.ldevid ? TAO_KEY_ROLE_LDEVID : TAO_KEY_ROLE_IDEVID;
	int rc;

	EVP_PKEY_free(r->key);
	r->key = NULL;
	tao_identity_free(r->id);
	r->id = NULL;
	if ((rc = read_device(r)) || (rc = bind_role(r, TAO_KEY_ROLE_IAK, r->iak_handle)) ||
	    (rc = bind_role(r, TAO_KEY_ROLE_IDEVID, r->idevid_handle)))
		return rc;
	if (r->st.ldevid && (rc = bind_role(r, TAO_KEY_ROLE_LDEVID, r->st.ldevid_handle)))
		return rc;
	rc = tao_identity_load(r->nl, r->c->state_dir, role, &r->id, r->err, sizeof(r->err));
	if (rc < 0)
		return rc;
	rc = tao_tls_key_load(r->e, r->id->tls_handle, &r->key, r->err, sizeof(r->err));
	if (rc < 0)
		return rc;
	r->ldevid_not_after = r->st.ldevid ? ldevid_not_after(r) : 0;
	return 0;
}

/*
 * The file's digest in every active bank, streamed in 16 KiB reads (a measured file is never
 * held in memory whole: taod's own binary would add its size to the agent's footprint).
 */
static int hash_file(struct run *r, const char *path, struct tao_digest_list *dl)
{
	EVP_MD_CTX *ctx[TAO_MAX_PCR_BANKS] = { NULL };
	unsigned char buf[16384];
	unsigned int len;
	size_t total = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return tao_errf(r->err, sizeof(r->err), -errno, "measuring %s: %s", path,
				strerror(errno));
	for (size_t i = 0; i < r->info.n_banks && !rc; i++) {
		const EVP_MD *md = tao_md(r->info.banks[i].alg);

		if (!md)
			continue; /* a bank OpenSSL cannot hash: the module refuses, below */
		dl->d[dl->n].alg = r->info.banks[i].alg;
		dl->d[dl->n].size = r->info.banks[i].digest_size;
		ctx[dl->n] = EVP_MD_CTX_new();
		if (!ctx[dl->n] || EVP_DigestInit_ex(ctx[dl->n], md, NULL) != 1)
			rc = tao_errf(r->err, sizeof(r->err), -ENOMEM, "out of memory");
		dl->n++;
	}
	while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tao_errf(r->err, sizeof(r->err), -errno, "measuring %s: %s", path,
				      strerror(errno));
			break;
		}
		total += (size_t)n;
		if (total > FILE_MAX) {
			rc = tao_errf(r->err, sizeof(r->err), -EFBIG,
				      "measuring %s: larger than %u bytes", path, FILE_MAX);
			break;
		}
		for (size_t i = 0; i < dl->n && !rc; i++)
			if (EVP_DigestUpdate(ctx[i], buf, (size_t)n) != 1)
				rc = tao_errf(r->err, sizeof(r->err), -EIO, "hashing %s", path);
	}
	for (size_t i = 0; i < dl->n; i++) {
		if (!rc &&
		    (EVP_DigestFinal_ex(ctx[i], dl->d[i].bytes, &len) != 1 || len != dl->d[i].size))
			rc = tao_errf(r->err, sizeof(r->err), -EIO, "hashing %s", path);
		EVP_MD_CTX_free(ctx[i]);
	}
	close(fd);
	return rc;
}

/* One file's digest in every active bank, measured as (type, name). */
static int measure_file(struct run *r, uint32_t type, const char *name, const char *path)
{
	struct tao_digest_list dl = { 0 };
	struct tao_measure m = { .type = type, .name = name, .digests = &dl };
	uint32_t seq;
	int rc;

	rc = hash_file(r, path, &dl);
	if (rc < 0)
		return rc;
	rc = tao_nl_measure(r->nl, &m, &seq);
	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc, "measuring %s: %s%s%s", path,
				tao_nl_last_error(r->nl), *tao_nl_last_error(r->nl) ? ": " : "",
				strerror(-rc));
	return 0;
}

/* Its configuration, itself and the configured files, once per start. */
static int measure(struct run *r)
{
	char exe[PATH_MAX];
	ssize_t n;
	int rc;

	if (r->c->measure_config)
		for (size_t i = 0; i < r->c->n_sources; i++)
			if ((rc = measure_file(r, TAOD_EVENT_CONFIG, r->c->sources[i],
					       r->c->sources[i])))
				return rc;
	if (r->c->measure_self) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return tao_errf(r->err, sizeof(r->err), -errno, "/proc/self/exe: %s",
					strerror(errno));
		exe[n] = '\0';
		if ((rc = measure_file(r, TAOD_EVENT_BINARY, exe, "/proc/self/exe")))
			return rc;
	}
	for (size_t i = 0; i < r->c->n_files; i++)
		if ((rc = measure_file(r, TAOD_EVENT_FILE, r->c->files[i], r->c->files[i])))
			return rc;
	return 0;
}

static int measure_enrolled(struct run *r)
{
	struct tao_measure m = { .type = TAOD_EVENT_STATE,
				 .name = "enrolled",
				 .data = (const uint8_t *)r->st.device_id,
				 .data_len = strlen(r->st.device_id) };
	uint32_t seq;
	int rc = tao_nl_measure(r->nl, &m, &seq);

	if (rc < 0)
		return tao_errf(r->err, sizeof(r->err), rc, "measuring the enrollment: %s%s%s",
				tao_nl_last_error(r->nl), *tao_nl_last_error(r->nl) ? ": " : "",
				strerror(-rc));
	return 0;
}

/* The evidence callback of the session (may run on the client's early thread). */
static int make_evidence(void *arg, const uint8_t binder[32],
			 const struct tao_attest_params *params, char **text, char *err,
			 size_t errlen)
{
	struct run *r = arg;
	struct tao_evidence *ev = calloc(1, sizeof(*ev));
	char why[256];
	int rc;

	if (!ev)
		return -ENOMEM;
	rc = tao_evidence_collect_for(r->nl, r->e, r->id, binder, &params->pcrs, ev, NULL, err,
				      errlen);
	if (!rc) {
		rc = tao_evidence_encode(ev, text, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "encoding the evidence: %s", why);
	}
	tao_evidence_free(ev);
	free(ev);
	return rc;
}

static int make_ldevid(void *arg, const uint8_t binder[32], struct tao_ldevid_request *out,
		       char *err, size_t errlen)
{
	struct run *r = arg;
	struct tao_ldevid_req_opts o = { .ldevid_handle = TAO_HANDLE_LDEVID,
					 .iak_handle = r->iak_handle,
					 .serial = r->serial };

	return tao_ldevid_request_make(r->e, &o, binder, out, NULL, err, errlen);
}

/* The issued LDevID into ldevid.pem (durably), after checking it is the TPM key's. */
static int save_ldevid(struct run *r, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	long n;
	int rc = -EBADMSG;

	if (!x || p != der + len) {
		tao_errf(r->err, sizeof(r->err), rc, "the registrar's LDevID is not a certificate");
		goto out;
	}
	rc = -ENOMEM;
	if (!b || !PEM_write_bio_X509(b, x)) {
		tao_errf(r->err, sizeof(r->err), rc, "out of memory");
		goto out;
	}
	n = BIO_get_mem_data(b, &pem);
	test_stop_point(r, "before-ldevid");
	rc = taod_write_durable(r->c->state_dir, "ldevid.pem", pem, (size_t)n, 0644);
	if (rc < 0)
		tao_errf(r->err, sizeof(r->err), rc, "writing %s/ldevid.pem: %s", r->c->state_dir,
			 strerror(-rc));
out:
	BIO_free(b);
	X509_free(x);
	return rc;
}

/* CREDENTIAL: the registrar no longer takes the LDevID (revoked, or expired). */
enum outcome { OK, TRANSIENT, REFUSED, LOCAL, STOPPED, CREDENTIAL };

/* What an error of the session means for the schedule (taod(8), "RETRIES"). */
static enum outcome classify(int rc)
{
	switch (rc) {
	case -EACCES:	       /* 401/403: refused, or the attestation contraindicated */
	case -EINVAL:	       /* another 4xx: the registrar will not take this request */
	case -EPROTONOSUPPORT: /* params this taod cannot follow */
	case -EOPNOTSUPP:      /* 501: e.g. an LDevID from a registrar that issues none */
		return REFUSED;
	case -ECONNREFUSED:
	case -ETIMEDOUT:
	case -EHOSTUNREACH:
	case -ENETUNREACH:
	case -ECONNRESET:
	case -EIO:
	case -EPIPE:
	case -EBADMSG:
	case -EPROTO:
	case -EAGAIN:
	case -E2BIG:
		return TRANSIENT;
	default:
		return LOCAL;
	}
}

static void set_result(struct run *r, const char *result, int64_t attestation_id)
{
	snprintf(r->st.last_result, sizeof(r->st.last_result), "%s", result);
	r->st.last_attestation = (int64_t)time(NULL);
	r->st.attestation_id = attestation_id;
}

/* "the attestation is contraindicated: ..." in a 403's detail: the registrar's verdict. */
static const char *refusal_result(const char *msg)
{
	static const char *const verdicts[] = { "contraindicated", "warning", "affirming" };
	const char *p = strstr(msg, "the attestation is ");

	if (!p)
		return "refused";
	p += strlen("the attestation is ");
	for (size_t i = 0; i < 3; i++)
		if (!strncmp(p, verdicts[i], strlen(verdicts[i])))
			return verdicts[i];
	return "refused";
}

/* One session: enrollment (SCIM) or re-attestation. */
static enum outcome session(struct run *r, bool enroll)
{
	struct tao_attest_outcome *o = calloc(1, sizeof(*o));
	struct tao_client_opts co = { 0 };
	char role_pem[PATH_MAX + 16];
	enum outcome res = OK;
	int rc;

	if (!o) {
		tao_errf(r->err, sizeof(r->err), -ENOMEM, "out of memory");
		return LOCAL;
	}
	snprintf(role_pem, sizeof(role_pem), "%s/%s.pem", r->c->state_dir,
		 tao_role_name(r->id->tls_role));
	co.url = r->c->url;
	co.ca_file = r->c->ca;
	co.cert_file = role_pem;
	co.key = r->key;
	co.timeout_ms = r->c->timeout_ms;
	co.expect = r->have_params ? &r->params : NULL;
	co.enroll = enroll;
	if (enroll && r->c->ldevid) {
		co.ldevid = make_ldevid;
		co.ldevid_arg = r;
	}
	if (enroll)
		test_stop_point(r, "before-enroll");
	rc = tao_client_attest(&co, make_evidence, r, o, r->err, sizeof(r->err));
	if (rc < 0) {
		res = classify(rc);
		/* The registrar's refusal of this certificate: the LDevID's end, the IDevID's
		 * refusal. */
		if (rc == -EKEYREVOKED || rc == -EKEYEXPIRED)
			res = r->id->tls_role == TAO_KEY_ROLE_LDEVID ? CREDENTIAL : REFUSED;
		if (res == REFUSED) {
			set_result(r, refusal_result(r->err), -1);
			/* The verdict is not worth a durable write; it is kept with the next one.
			 */
		}
		goto out;
	}
	r->params = o->params;
	r->have_params = true;
	if (enroll)
		test_stop_point(r, "after-enroll");
	set_result(r, tao_status_name(o->status), o->attestation_id);
	if (o->status != TAO_STATUS_AFFIRMING && o->status != TAO_STATUS_WARNING) {
		tao_errf(r->err, sizeof(r->err), -EACCES, "the registrar found the device %s: %s",
			 tao_status_name(o->status), o->reason[0] ? o->reason : "(no reason)");
		res = REFUSED;
		goto out;
	}
	if (enroll) {
		if (!o->resource_id[0]) {
			tao_errf(r->err, sizeof(r->err), -EBADMSG,
				 "the registrar's Device has no id");
			res = TRANSIENT;
			goto out;
		}
		if (o->ldevid_der) {
			if (save_ldevid(r, o->ldevid_der, o->ldevid_len) < 0) {
				res = LOCAL;
				goto out;
			}
			r->st.ldevid = true;
			r->st.ldevid_handle = TAO_HANDLE_LDEVID;
		}
		r->st.enrolled = true;
		snprintf(r->st.registrar, sizeof(r->st.registrar), "%s", r->c->url);
		snprintf(r->st.device_id, sizeof(r->st.device_id), "%s", o->resource_id);
		snprintf(r->st.serial, sizeof(r->st.serial), "%s",
			 o->device[0] ? o->device : r->serial);
		r->st.enrolled_at = (int64_t)time(NULL);
	}
	test_stop_point(r, "before-state");
	rc = taod_state_save(r->c->state_dir, &r->st, r->err, sizeof(r->err));
	if (rc < 0) {
		res = LOCAL;
		goto out;
	}
	if (enroll)
		test_stop_point(r, "after-state");
out:
	tao_attest_outcome_free(o);
	free(o);
	return res;
}

/* Take the main loop's requests. */
static void take_requests(struct run *r, bool *enroll, bool *reattest)
{
	pthread_mutex_lock(&r->t->lock);
	*enroll = r->t->want_enroll;
	*reattest = r->t->want_reattest;
	r->t->want_enroll = r->t->want_reattest = false;
	pthread_mutex_unlock(&r->t->lock);
}

static bool stopping(struct run *r)
{
	bool s;

	pthread_mutex_lock(&r->t->lock);
	s = r->t->stop;
	pthread_mutex_unlock(&r->t->lock);
	return s;
}

/* Set up the device: module and TPM, identity, measurements. Retries until done or stopped. */
static bool setup(struct run *r)
{
	int rc;

	for (;;) {
		if (stopping(r))
			return false;
		if (!r->nl) {
			publish(r, TAOD_WAITING, LOG_INFO,
				"waiting for the tao module and the TPM");
			rc = open_tpm(r);
			if (rc < 0) {
				close_tpm(r);
				publish(r, TAOD_WAITING, LOG_NOTICE, "waiting: %s", r->err);
				if (!wait_for(r, backoff(r, LOCAL_MAX_MS)))
					return false;
				continue;
			}
		}
		publish(r, TAOD_IDENTITY, LOG_INFO, "binding the device's keys");
		rc = identity(r);
		if (!rc && !r->measured) {
			publish(r, TAOD_MEASURING, LOG_INFO,
				"measuring the configuration and taod");
			rc = measure(r);
			r->measured = !rc;
		}
		if (!rc)
			return true;
		publish(r, TAOD_FAILED, LOG_ERR, "%s", r->err);
		close_tpm(r);
		if (!wait_for(r, backoff(r, (uint64_t)r->c->max_ms)))
			return false;
	}
}

/*
 * A local failure (r->err): state failed, the backoff, then the set-up again, since the module
 * or the TPM may have gone. false once taod stops.
 */
static bool local_failure(struct run *r)
{
	uint64_t delay = backoff(r, (uint64_t)r->c->max_ms);

	publish(r, TAOD_FAILED, LOG_ERR, "%s (retry in %.1f s)", r->err, (double)delay / 1000);
	close_tpm(r);
	return wait_for(r, delay) && setup(r);
}

void *taod_worker(void *arg)
{
	struct run *r = calloc(1, sizeof(*r));
	struct taod *t = arg;
	bool enroll_req, reattest_req, renew, first = true;
	char when[32];
	uint64_t delay;
	enum outcome res;
	char err[TAO_ERRMSG_MAX];
	int rc;

	if (!r) {
		taod_log(t, LOG_CRIT, "out of memory");
		return NULL;
	}
	r->t = t;
	r->c = &t->conf;
	rc = taod_state_load(r->c->state_dir, &r->st, err, sizeof(err));
	if (rc < 0 && rc != -ENOENT)
		taod_log(t, LOG_WARNING, "%s; enrolling again (the registrar keeps one Device)",
			 err);
	if (r->st.enrolled && strcmp(r->st.registrar, r->c->url) != 0) {
		taod_log(t, LOG_NOTICE, "enrolled with %s, now configured for %s: enrolling again",
			 r->st.registrar, r->c->url);
		r->st.enrolled = false;
		r->st.device_id[0] = '\0';
	}
	if (!setup(r))
		goto out;
	for (;;) {
		bool enroll;

		take_requests(r, &enroll_req, &reattest_req);
		/*
		 * Enroll: a device never enrolled, on request, one that wants an LDevID and has
		 * none (the registrar stopped taking it), and one whose LDevID is due for renewal
		 * (at most once a session: the renewal's new one is checked at the next).
		 */
		renew = r->st.enrolled && r->st.ldevid && r->ldevid_not_after &&
			(int64_t)time(NULL) + r->c->renew_before_ms / 1000 >= r->ldevid_not_after;
		enroll = !r->st.enrolled || enroll_req || (r->c->ldevid && !r->st.ldevid) || renew;
		if (r->st.enrolled && first) {
			/* An enrolled device is ready at once; the boot's re-attestation follows.
			 */
			publish(r, TAOD_READY, LOG_INFO, "enrolled as %s; re-attesting",
				r->st.device_id);
			send_ready(r);
		}
		first = false;
		if (renew && !enroll_req)
			publish(r, TAOD_ENROLLING, LOG_NOTICE,
				"renewing the LDevID with %s (it expires %s)", r->c->url,
				tao_utc_text(r->ldevid_not_after, when, sizeof(when)));
		else if (enroll)
			publish(r, TAOD_ENROLLING, LOG_INFO, "enrolling with %s", r->c->url);
		else
			publish(r, TAOD_ATTESTING, LOG_INFO, "attesting to %s", r->c->url);
		res = session(r, enroll);
		if (stopping(r))
			break;
		switch (res) {
		case OK:
			r->attempt = 0;
			if (enroll) {
				bool had = r->id && r->id->tls_role == TAO_KEY_ROLE_LDEVID;

				/*
				 * Measure the enrollment; switch to the LDevID if one came (or to
				 * the renewed one: its notAfter).
				 */
				rc = measure_enrolled(r);
				if (!rc && r->st.ldevid && !had)
					rc = identity(r);
				else if (!rc && r->st.ldevid)
					r->ldevid_not_after = ldevid_not_after(r);
				if (rc < 0)
					taod_log(t, LOG_ERR, "after the enrollment: %s", r->err);
				test_stop_point(r, "enrolled");
			}
			publish(r, TAOD_READY, LOG_NOTICE, "%s as %s: %s",
				enroll ? "enrolled" : "attested", r->st.device_id,
				r->st.last_result);
			send_ready(r);
			delay = (uint64_t)r->c->interval_ms;
			break;
		case CREDENTIAL:
			/*
			 * The registrar refused the LDevID in the handshake (revoked, or expired):
			 * back to the IDevID, on disk first (a restart must not present the refused
			 * one again), then enroll with it at once; the enrollment is attested like
			 * the first, and brings a new LDevID.
			 */
			r->attempt = 0;
			snprintf(err, sizeof(err), "%s", r->err);
			r->st.ldevid = false;
			rc = taod_state_save(r->c->state_dir, &r->st, r->err, sizeof(r->err));
			if (!rc)
				rc = identity(r);
			if (rc < 0) {
				if (!local_failure(r))
					goto out;
				continue;
			}
			publish(r, TAOD_ENROLLING, LOG_WARNING,
				"%s; enrolling again with the IDevID", err);
			continue;
		case REFUSED:
			r->attempt = 0;
			publish(r, TAOD_REFUSED, LOG_ERR,
				"%s (next try in %ld s, or Enroll/Reattest)", r->err,
				r->c->refused_ms / 1000);
			delay = (uint64_t)r->c->refused_ms;
			break;
		case TRANSIENT:
			delay = backoff(r, (uint64_t)r->c->max_ms);
			publish(r, TAOD_RETRYING, LOG_WARNING, "%s (retry in %.1f s)", r->err,
				(double)delay / 1000);
			break;
		default:
			if (!local_failure(r))
				goto out;
			continue;
		}
		if (!wait_for(r, delay))
			break;
	}
out:
	publish(r, TAOD_STOPPING, LOG_INFO, "stopping");
	close_tpm(r);
	free(r);
	return NULL;
}
