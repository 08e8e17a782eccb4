/* taotest: in-guest load and consistency checks of tao.ko, independent of
 * libtao: it speaks netlink itself and replays the log with OpenSSL.
 *
 *   taotest fill N [SIZE]   N MEASUREs with SIZE (default 16) bytes of data
 *   taotest check-log [N]   dump the log, check sequence numbers 0.. in order
 *                           (exactly N entries when given), check each data
 *                           digest, replay the log and compare with the log
 *                           PCR read back in every bank
 *   taotest bind ROLE HANDLE  KEY_BIND (ROLE a number, HANDLE hex)
 *   taotest quote ROLE      one QUOTE; prints "quote=ok" or "quote=ERRNO-NAME"
 *   taotest pcrs            PCR_READ of every PCR: lines "ALG:INDEX HEX"
 *   taotest measure-digests NAME  one MEASURE with made-up digests per bank
 *   taotest events N SECONDS  joins the "events" group and prints up to N
 *                           events as "event CMD seq=S type=T name=N" lines
 *   taotest race M Q R      M threads MEASURE while Q threads QUOTE (role
 *                           IAK), R times each; every quote's PCR value and
 *                           pcrDigest must be the replay of exactly the log
 *                           prefix it names
 *
 * Prints PASS/FAIL lines and "key=value" figures; exits 1 on a failure. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <netlink/genl/ctrl.h>

#include "nltest.h"

#define MAX_BANKS  8
#define MAX_DIGEST 64

struct bank {
	uint16_t alg;
	unsigned int size;
	const EVP_MD *md;
	uint8_t at_load[MAX_DIGEST];
};

static struct bank banks[MAX_BANKS];
static unsigned int nbanks;
static uint32_t log_pcr;
static int failures;

static void check(int ok, const char *fmt, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "PASS" : "FAIL", fmt, detail ? " -- " : "",
	       detail ? detail : "");
	failures += !ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const EVP_MD *md_of(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return EVP_sha1();
	case 0x000b:
		return EVP_sha256();
	case 0x000c:
		return EVP_sha384();
	case 0x000d:
		return EVP_sha512();
	}
	return NULL;
}

static void hash(const EVP_MD *md, const void *a, size_t al, const void *b, size_t bl,
		 const void *c, size_t cl, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, a, al) ||
	    !EVP_DigestUpdate(ctx, b, bl) || !EVP_DigestUpdate(ctx, c, cl) ||
	    !EVP_DigestFinal_ex(ctx, out, NULL)) {
		fprintf(stderr, "taotest: OpenSSL digest failed\n");
		exit(2);
	}
	EVP_MD_CTX_free(ctx);
}

static int bank_index(uint16_t alg)
{
	for (unsigned int i = 0; i < nbanks; i++)
		if (banks[i].alg == alg)
			return (int)i;
	return -1;
}

static void on_info(struct nlattr **tb, void *arg)
{
	struct nlattr *e, *f;
	int rem, rem2;

	(void)arg;
	if (!tb[TAO_A_LOG_PCR] || !tb[TAO_A_PCR_BANKS] || !tb[TAO_A_LOG_PCR_AT_LOAD])
		return;
	log_pcr = nla_get_u32(tb[TAO_A_LOG_PCR]);
	nla_for_each_nested (e, tb[TAO_A_PCR_BANKS], rem) {
		struct bank *b = &banks[nbanks];

		nla_for_each_nested (f, e, rem2) {
			if (nla_type(f) == TAO_A_PCR_BANK_ALG)
				b->alg = nla_get_u16(f);
			else if (nla_type(f) == TAO_A_PCR_BANK_DIGEST_SIZE)
				b->size = nla_get_u16(f);
		}
		b->md = md_of(b->alg);
		if (nbanks < MAX_BANKS - 1 && b->md && b->size <= MAX_DIGEST)
			nbanks++;
	}
	nla_for_each_nested (e, tb[TAO_A_LOG_PCR_AT_LOAD], rem) {
		uint16_t alg = 0;
		struct nlattr *v = NULL;
		int i;

		nla_for_each_nested (f, e, rem2) {
			if (nla_type(f) == TAO_A_DIGEST_ALG)
				alg = nla_get_u16(f);
			else if (nla_type(f) == TAO_A_DIGEST_VALUE)
				v = f;
		}
		i = bank_index(alg);
		if (i >= 0 && v && (unsigned int)nla_len(v) == banks[i].size)
			memcpy(banks[i].at_load, nla_data(v), banks[i].size);
	}
}

static void load_info(struct nl_sock *sk)
{
	struct nlt_reply r =
		nlt_transact(sk, nlt_request(NLM_F_ACK, TAO_CMD_GET_INFO), on_info, NULL);

	if (r.error || !nbanks) {
		fprintf(stderr, "taotest: GET_INFO failed, or the measurement log is not running "
				"(see dmesg)\n");
		exit(2);
	}
}

static int measure(struct nl_sock *sk, const char *name, const void *data, size_t len)
{
	struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_MEASURE);
	struct nlt_reply r;

	nla_put_u32(msg, TAO_A_EVENT_TYPE, 7);
	nla_put_string(msg, TAO_A_EVENT_NAME, name);
	nla_put(msg, TAO_A_EVENT_DATA, (int)len, data);
	r = nlt_transact(sk, msg, NULL, NULL);
	if (r.error)
		fprintf(stderr, "taotest: MEASURE: %s %s\n", strerror(-r.error), r.extack);
	return r.error;
}

/* ---- the log, replayed ---- */

struct replay {
	uint32_t next;	    /* expected sequence number */
	uint8_t *prefix;    /* PCR values after n entries, n = 0..count */
	size_t cap;	    /* entries prefix has room for */
	size_t stride;	    /* bytes per prefix row: every bank's digest */
	uint32_t bad_seq;   /* first out-of-order sequence number + 1 */
	uint32_t bad_data;  /* first entry whose data digest is wrong + 1 */
	uint32_t bad_shape; /* first entry lacking a field + 1 */
};

static void on_entry(struct nlattr **tb, void *arg)
{
	struct replay *rp = arg;
	uint8_t *row, *next;
	uint32_t seq, type, nlen, hdr[2];
	const char *name;
	struct nlattr *e, *f;
	int rem, rem2, seen = 0;

	if (!tb[TAO_A_EVENT_SEQ] || !tb[TAO_A_EVENT_TYPE] || !tb[TAO_A_EVENT_NAME] ||
	    !tb[TAO_A_EVENT_DIGESTS]) {
		if (!rp->bad_shape)
			rp->bad_shape = rp->next + 1;
		return;
	}
	seq = nla_get_u32(tb[TAO_A_EVENT_SEQ]);
	if (seq != rp->next && !rp->bad_seq)
		rp->bad_seq = rp->next + 1;
	if ((size_t)rp->next + 2 > rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 1024;
		rp->prefix = realloc(rp->prefix, rp->cap * rp->stride);
		if (!rp->prefix)
			exit(2);
	}
	row = rp->prefix + (size_t)rp->next * rp->stride;
	next = row + rp->stride;
	memcpy(next, row, rp->stride);
	type = nla_get_u32(tb[TAO_A_EVENT_TYPE]);
	name = nla_data(tb[TAO_A_EVENT_NAME]);
	nlen = (uint32_t)strnlen(name, (size_t)nla_len(tb[TAO_A_EVENT_NAME]));
	hdr[0] = htobe32(type);
	hdr[1] = htobe32(nlen);

	nla_for_each_nested (e, tb[TAO_A_EVENT_DIGESTS], rem) {
		uint16_t alg = 0;
		struct nlattr *v = NULL;
		uint8_t ev[MAX_DIGEST], dd[MAX_DIGEST];
		size_t off = 0;
		int i;

		nla_for_each_nested (f, e, rem2) {
			if (nla_type(f) == TAO_A_DIGEST_ALG)
				alg = nla_get_u16(f);
			else if (nla_type(f) == TAO_A_DIGEST_VALUE)
				v = f;
		}
		i = bank_index(alg);
		if (i < 0 || !v || (unsigned int)nla_len(v) != banks[i].size)
			continue;
		for (int j = 0; j < i; j++)
			off += banks[j].size;
		if (tb[TAO_A_EVENT_DATA]) {
			hash(banks[i].md, nla_data(tb[TAO_A_EVENT_DATA]),
			     (size_t)nla_len(tb[TAO_A_EVENT_DATA]), "", 0, "", 0, dd);
			if (memcmp(dd, nla_data(v), banks[i].size) && !rp->bad_data)
				rp->bad_data = seq + 1;
		}
		/* E = H(be32 type || be32 len(name) || name || D); PCR = H(PCR || E) */
		hash(banks[i].md, hdr, sizeof(hdr), name, nlen, nla_data(v), banks[i].size, ev);
		hash(banks[i].md, next + off, banks[i].size, ev, banks[i].size, "", 0, next + off);
		seen++;
	}
	if (seen != (int)nbanks && !rp->bad_shape)
		rp->bad_shape = seq + 1;
	rp->next++;
}

static void replay_log(struct nl_sock *sk, struct replay *rp, double *seconds)
{
	double t0;
	struct nlt_reply r;
	size_t off = 0;

	memset(rp, 0, sizeof(*rp));
	for (unsigned int i = 0; i < nbanks; i++)
		rp->stride += banks[i].size;
	rp->cap = 1024;
	rp->prefix = malloc(rp->cap * rp->stride);
	if (!rp->prefix)
		exit(2);
	for (unsigned int i = 0; i < nbanks; i++) {
		memcpy(rp->prefix + off, banks[i].at_load, banks[i].size);
		off += banks[i].size;
	}
	t0 = now();
	r = nlt_transact(sk, nlt_request(NLM_F_DUMP, TAO_CMD_LOG_GET), on_entry, rp);
	*seconds = now() - t0;
	if (r.error) {
		fprintf(stderr, "taotest: LOG_GET: %s %s\n", strerror(-r.error), r.extack);
		failures++;
	}
}

static void on_pcrs(struct nlattr **tb, void *arg)
{
	uint8_t *out = arg;
	struct nlattr *e, *f;
	int rem, rem2;

	if (!tb[TAO_A_PCR_VALUES])
		return;
	nla_for_each_nested (e, tb[TAO_A_PCR_VALUES], rem) {
		uint16_t alg = 0;
		struct nlattr *v = NULL;
		size_t off = 0;
		int i;

		nla_for_each_nested (f, e, rem2) {
			if (nla_type(f) == TAO_A_PCR_ALG)
				alg = nla_get_u16(f);
			else if (nla_type(f) == TAO_A_PCR_DIGEST)
				v = f;
		}
		i = bank_index(alg);
		if (i < 0 || !v || (unsigned int)nla_len(v) != banks[i].size)
			continue;
		for (int j = 0; j < i; j++)
			off += banks[j].size;
		memcpy(out + off, nla_data(v), banks[i].size);
	}
}

static void put_log_selection(struct nl_msg *msg)
{
	struct nlattr *all = nla_nest_start(msg, TAO_A_PCR_SELECTION);

	for (unsigned int i = 0; i < nbanks; i++) {
		struct nlattr *one = nla_nest_start(msg, TAO_A_PCR_SELECTION_ENTRY);

		nla_put_u16(msg, TAO_A_PCR_ALG, banks[i].alg);
		nla_put_u32(msg, TAO_A_PCR_MASK, 1u << log_pcr);
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, all);
}

static int cmd_fill(struct nl_sock *sk, long n, long size)
{
	char name[64];
	uint8_t *data = calloc(1, (size_t)size + 1);
	double t0 = now(), dt;

	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "fill-%ld", i);
		memcpy(data, &i, size < (long)sizeof(i) ? (size_t)size : sizeof(i));
		if (measure(sk, name, data, (size_t)size)) {
			printf("filled=%ld\n", i);
			free(data);
			return 1;
		}
	}
	dt = now() - t0;
	printf("filled=%ld seconds=%.3f per_second=%.0f\n", n, dt, (double)n / dt);
	free(data);
	return 0;
}

static int cmd_check_log(struct nl_sock *sk, long want)
{
	struct replay rp;
	double dt;
	uint8_t now_pcr[MAX_BANKS * MAX_DIGEST];
	struct nl_msg *msg;
	char detail[128];

	replay_log(sk, &rp, &dt);
	printf("entries=%" PRIu32 " dump_seconds=%.3f entries_per_second=%.0f\n", rp.next, dt,
	       (double)rp.next / dt);
	snprintf(detail, sizeof(detail), "entry %" PRIu32, rp.bad_seq - 1);
	check(!rp.bad_seq, "the dump is complete and in order", rp.bad_seq ? detail : NULL);
	snprintf(detail, sizeof(detail), "got %" PRIu32 ", expected %ld", rp.next, want);
	if (want >= 0)
		check(rp.next == (uint32_t)want, "the dump holds every entry", detail);
	check(!rp.bad_shape, "every entry has sequence, type, name and a digest per bank", NULL);
	snprintf(detail, sizeof(detail), "entry %" PRIu32, rp.bad_data - 1);
	check(!rp.bad_data, "each data digest is the hash of the entry's data",
	      rp.bad_data ? detail : NULL);

	msg = nlt_request(NLM_F_ACK, TAO_CMD_PCR_READ);
	put_log_selection(msg);
	memset(now_pcr, 0, sizeof(now_pcr));
	if (nlt_transact(sk, msg, on_pcrs, now_pcr).error)
		failures++;
	check(!memcmp(now_pcr, rp.prefix + (size_t)rp.next * rp.stride, rp.stride),
	      "an independent replay of the log gives the PCR in every bank", NULL);
	free(rp.prefix);
	return failures ? 1 : 0;
}

/* ---- the race ---- */

struct quote {
	uint8_t attest[1024];
	size_t attest_len;
	uint8_t values[MAX_BANKS * MAX_DIGEST];
	uint32_t entries;
	uint8_t nonce[16];
	int ok;
};

struct worker {
	pthread_t thread;
	int id;
	long rounds;
	int quoter;
	struct quote *quotes;
	int errors;
};

static void on_quote(struct nlattr **tb, void *arg)
{
	struct quote *q = arg;

	if (!tb[TAO_A_QUOTE_ATTEST] || !tb[TAO_A_LOG_ENTRIES] ||
	    (size_t)nla_len(tb[TAO_A_QUOTE_ATTEST]) > sizeof(q->attest))
		return;
	q->attest_len = (size_t)nla_len(tb[TAO_A_QUOTE_ATTEST]);
	memcpy(q->attest, nla_data(tb[TAO_A_QUOTE_ATTEST]), q->attest_len);
	q->entries = nla_get_u32(tb[TAO_A_LOG_ENTRIES]);
	on_pcrs(tb, q->values);
	q->ok = 1;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct nl_sock *sk = nlt_open();
	char name[64];

	for (long i = 0; i < w->rounds; i++) {
		if (w->quoter) {
			struct quote *q = &w->quotes[i];
			struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_QUOTE);

			snprintf((char *)q->nonce, sizeof(q->nonce), "q%d-%ld", w->id, i);
			nla_put(msg, TAO_A_QUOTE_NONCE, sizeof(q->nonce), q->nonce);
			put_log_selection(msg);
			if (nlt_transact(sk, msg, on_quote, q).error || !q->ok)
				w->errors++;
		} else {
			snprintf(name, sizeof(name), "race-%d-%ld", w->id, i);
			if (measure(sk, name, &i, sizeof(i)))
				w->errors++;
		}
	}
	nl_socket_free(sk);
	return NULL;
}

/* TPMS_ATTEST of a quote: extraData and pcrDigest, every length checked. */
static int parse_quote(const uint8_t *p, size_t n, const uint8_t **extra, size_t *extra_len,
		       const uint8_t **digest, size_t *digest_len)
{
	size_t off = 0, len;
	uint32_t count;

#define NEED(k)                    \
	do {                       \
		if (n - off < (k)) \
			return -1; \
	} while (0)
	NEED(6);
	if (p[0] != 0xff || p[1] != 0x54 || p[2] != 0x43 || p[3] != 0x47 || p[4] != 0x80 ||
	    p[5] != 0x18)
		return -1;
	off = 6;
	NEED(2); /* qualifiedSigner */
	len = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	NEED(len);
	off += len;
	NEED(2); /* extraData */
	len = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	NEED(len);
	*extra = p + off;
	*extra_len = len;
	off += len;
	NEED(17 + 8); /* clockInfo, firmwareVersion */
	off += 17 + 8;
	NEED(4);
	count = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
		p[off + 3];
	off += 4;
	for (uint32_t i = 0; i < count; i++) {
		NEED(3);
		len = p[off + 2];
		off += 3;
		NEED(len);
		off += len;
	}
	NEED(2);
	len = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	NEED(len);
	*digest = p + off;
	*digest_len = len;
	off += len;
#undef NEED
	return off == n ? 0 : -1;
}

static int cmd_race(struct nl_sock *sk, int m, int q, long rounds)
{
	struct worker *w = calloc((size_t)(m + q), sizeof(*w));
	struct replay rp;
	double dt;
	long bad_value = 0, bad_digest = 0, bad_nonce = 0, total = 0, errors = 0;
	uint32_t lo = UINT32_MAX, hi = 0;
	char detail[160];

	for (int i = 0; i < m + q; i++) {
		w[i].id = i;
		w[i].rounds = rounds;
		w[i].quoter = i >= m;
		if (w[i].quoter)
			w[i].quotes = calloc((size_t)rounds, sizeof(struct quote));
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (int i = 0; i < m + q; i++) {
		pthread_join(w[i].thread, NULL);
		errors += w[i].errors;
	}
	check(errors == 0, "every MEASURE and QUOTE of the race succeeded", NULL);

	replay_log(sk, &rp, &dt);
	for (int i = m; i < m + q; i++) {
		for (long j = 0; j < rounds; j++) {
			struct quote *qu = &w[i].quotes[j];
			const uint8_t *extra, *digest, *want;
			size_t extra_len, digest_len;
			uint8_t d[32];

			if (!qu->ok)
				continue;
			total++;
			if (qu->entries < lo)
				lo = qu->entries;
			if (qu->entries > hi)
				hi = qu->entries;
			if (qu->entries > rp.next) {
				bad_value++;
				continue;
			}
			want = rp.prefix + (size_t)qu->entries * rp.stride;
			if (memcmp(qu->values, want, rp.stride))
				bad_value++;
			if (parse_quote(qu->attest, qu->attest_len, &extra, &extra_len, &digest,
					&digest_len) ||
			    extra_len != sizeof(qu->nonce) ||
			    memcmp(extra, qu->nonce, sizeof(qu->nonce))) {
				bad_nonce++;
				continue;
			}
			/* pcrDigest: SHA-256 of the selected values, in selection order. */
			hash(EVP_sha256(), want, rp.stride, "", 0, "", 0, d);
			if (digest_len != 32 || memcmp(digest, d, 32))
				bad_digest++;
		}
		free(w[i].quotes);
	}
	printf("quotes=%ld measures=%ld log_entries=%" PRIu32 " quoted_prefixes=%" PRIu32
	       "..%" PRIu32 "\n",
	       total, (long)m * rounds, rp.next, lo, hi);
	snprintf(detail, sizeof(detail), "%ld of %ld", bad_value, total);
	check(total > 0 && bad_value == 0,
	      "every quote's PCR values equal the replay of the log prefix it names", detail);
	snprintf(detail, sizeof(detail), "%ld of %ld", bad_nonce, total);
	check(bad_nonce == 0, "every quote is a TPMS_ATTEST quote carrying its own nonce", detail);
	snprintf(detail, sizeof(detail), "%ld of %ld", bad_digest, total);
	check(bad_digest == 0, "every quote's pcrDigest is the hash of that replayed prefix",
	      detail);
	check(hi > lo, "the quotes fell between measurements (the race really raced)", NULL);
	free(rp.prefix);
	free(w);
	return failures ? 1 : 0;
}

static const char *alg_name(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return "sha1";
	case 0x000b:
		return "sha256";
	case 0x000c:
		return "sha384";
	case 0x000d:
		return "sha512";
	}
	return "unknown";
}

static void print_pcr(struct nlattr **tb, void *arg)
{
	struct nlattr *e, *f;
	int rem, rem2;

	(void)arg;
	if (!tb[TAO_A_PCR_VALUES])
		return;
	nla_for_each_nested (e, tb[TAO_A_PCR_VALUES], rem) {
		uint16_t alg = 0;
		uint32_t index = 0;
		struct nlattr *v = NULL;

		nla_for_each_nested (f, e, rem2) {
			if (nla_type(f) == TAO_A_PCR_ALG)
				alg = nla_get_u16(f);
			else if (nla_type(f) == TAO_A_PCR_INDEX)
				index = nla_get_u32(f);
			else if (nla_type(f) == TAO_A_PCR_DIGEST)
				v = f;
		}
		if (!v)
			continue;
		printf("%s:%u ", alg_name(alg), index);
		for (int i = 0; i < nla_len(v); i++)
			printf("%02x", ((uint8_t *)nla_data(v))[i]);
		printf("\n");
	}
}

static int cmd_quote(struct nl_sock *sk, uint32_t role)
{
	struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_QUOTE);
	struct nlt_reply r;

	nla_put_u32(msg, TAO_A_KEY_ROLE, role);
	r = nlt_transact(sk, msg, NULL, NULL);
	if (!r.error)
		printf("quote=ok\n");
	else
		printf("quote=%s extack=\"%s\"\n",
		       strerrorname_np(-r.error) ? strerrorname_np(-r.error) : "?", r.extack);
	return r.error ? 1 : 0;
}

static int cmd_measure_digests(struct nl_sock *sk, const char *name)
{
	struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_MEASURE);
	struct nlattr *all = NULL;
	struct nlt_reply r;
	uint8_t d[MAX_DIGEST];

	nla_put_u32(msg, TAO_A_EVENT_TYPE, 8);
	nla_put_string(msg, TAO_A_EVENT_NAME, name);
	all = nla_nest_start(msg, TAO_A_EVENT_DIGESTS);
	for (unsigned int i = 0; i < nbanks; i++) {
		struct nlattr *one = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);

		for (unsigned int j = 0; j < banks[i].size; j++)
			d[j] = (uint8_t)(j * 7 + i + (uint8_t)name[0]);
		nla_put_u16(msg, TAO_A_DIGEST_ALG, banks[i].alg);
		nla_put(msg, TAO_A_DIGEST_VALUE, (int)banks[i].size, d);
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, all);
	r = nlt_transact(sk, msg, NULL, NULL);
	if (r.error)
		fprintf(stderr, "taotest: MEASURE: %s %s\n", strerror(-r.error), r.extack);
	return r.error ? 1 : 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TAO_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	long *left = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TAO_A_MAX, NULL))
		return NL_SKIP;
	printf("event %s", gh->cmd == TAO_CMD_EVENT_MEASURED	? "measured"
			   : gh->cmd == TAO_CMD_EVENT_KEY_BOUND ? "key-bound"
								: "other");
	if (tb[TAO_A_EVENT_SEQ])
		printf(" seq=%u", nla_get_u32(tb[TAO_A_EVENT_SEQ]));
	if (tb[TAO_A_EVENT_TYPE])
		printf(" type=%u", nla_get_u32(tb[TAO_A_EVENT_TYPE]));
	if (tb[TAO_A_EVENT_NAME])
		printf(" name=%s", (char *)nla_data(tb[TAO_A_EVENT_NAME]));
	if (tb[TAO_A_KEY_ROLE])
		printf(" role=%u", nla_get_u32(tb[TAO_A_KEY_ROLE]));
	if (tb[TAO_A_KEY_HANDLE])
		printf(" handle=0x%08x", nla_get_u32(tb[TAO_A_KEY_HANDLE]));
	printf("\n");
	fflush(stdout);
	(*left)--;
	return NL_OK;
}

static int cmd_events(long n, int seconds)
{
	struct nl_sock *sk = nlt_open();
	int grp = genl_ctrl_resolve_grp(sk, TAO_GENL_NAME, TAO_MCGRP_EVENTS);
	double end = now() + seconds;
	long left = n;
	int rc;

	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &left);
	rc = grp < 0 ? grp : nl_socket_add_membership(sk, grp);
	if (rc < 0) {
		printf("join=%s\n", nl_geterror(rc));
		nl_socket_free(sk);
		return 1;
	}
	printf("join=ok\n");
	fflush(stdout);
	nl_socket_set_nonblocking(sk);
	while (left > 0 && now() < end) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nl_recvmsgs_default(sk);
		nanosleep(&ts, NULL);
	}
	nl_socket_free(sk);
	return left > 0 ? 1 : 0;
}

static int dispatch(struct nl_sock *sk, int argc, char **argv)
{

	if (!strcmp(argv[1], "pcrs"))
		return nlt_transact(sk, nlt_request(NLM_F_ACK, TAO_CMD_PCR_READ), print_pcr, NULL)
				       .error
			       ? 1
			       : 0;
	if (!strcmp(argv[1], "quote") && argc >= 3)
		return cmd_quote(sk, (uint32_t)atoi(argv[2]));
	load_info(sk);
	if (!strcmp(argv[1], "measure-digests") && argc >= 3)
		return cmd_measure_digests(sk, argv[2]);
	if (!strcmp(argv[1], "fill") && argc >= 3)
		return cmd_fill(sk, atol(argv[2]), argc > 3 ? atol(argv[3]) : 16);
	if (!strcmp(argv[1], "check-log"))
		return cmd_check_log(sk, argc > 2 ? atol(argv[2]) : -1);
	if (!strcmp(argv[1], "bind") && argc >= 4) {
		struct nl_msg *msg = nlt_request(NLM_F_ACK, TAO_CMD_KEY_BIND);
		struct nlt_reply r;

		nla_put_u32(msg, TAO_A_KEY_ROLE, (uint32_t)atoi(argv[2]));
		nla_put_u32(msg, TAO_A_KEY_HANDLE, (uint32_t)strtoul(argv[3], NULL, 0));
		r = nlt_transact(sk, msg, NULL, NULL);
		if (r.error)
			fprintf(stderr, "taotest: KEY_BIND: %s %s\n", strerror(-r.error), r.extack);
		return r.error ? 1 : 0;
	}
	if (!strcmp(argv[1], "race") && argc >= 5)
		return cmd_race(sk, atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	fprintf(stderr, "taotest: unknown command\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: taotest fill N [SIZE] | check-log [N] | bind ROLE HANDLE | "
				"race M Q R | quote ROLE | pcrs | measure-digests NAME | "
				"events N SECONDS\n");
		return 2;
	}
	if (!strcmp(argv[1], "events") && argc >= 4)
		return cmd_events(atol(argv[2]), atoi(argv[3]));
	sk = nlt_open();
	rc = dispatch(sk, argc, argv);
	nl_socket_free(sk);
	return rc;
}
