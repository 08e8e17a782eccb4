// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The "tao" generic netlink client: connect, resolve the family, send requests, collect replies. */
#include "tao_nl.h"
#include "tao_nl_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "tao_cleanup.h"
#include "tao_ext_ack.h"
#include "tao_nla.h"
#include "tao_random.h"

/* The read buffer (the largest dump datagram the kernel makes) and the socket's queue. */
#define TAO_NL_MSG_BUF 32768
#define TAO_NL_RCVBUF  (4 << 20)

struct tao_nl {
	struct nl_sock *sk;
	int family;
	char err[TAO_ERRMSG_MAX];
	uint32_t tpm_rc;
};

/*
 * One request and what comes back, as seen by libnl's callbacks: a "do" gets exactly one reply
 * and an ACK, a dump any number of messages and NLMSG_DONE; either may end in NLMSG_ERROR.
 */
#define STOPPED 1

struct exchange {
	struct tao_nl *nl;
	int cmd;
	bool dump;
	/* Each message of the family: 0, a negative errno (message in nl->err), or STOPPED when
	 * a dump's caller had enough (its value in stop). */
	int (*reply)(struct exchange *x, struct nlmsghdr *nlh);
	void *arg;
	size_t replies;
	bool done;
	int err;  /* the first failure wins */
	int stop; /* what the caller's callback returned */
	char ext_ack[TAO_ERRMSG_MAX];
	uint32_t tpm_rc;
};

__attribute__((format(printf, 2, 3))) static void set_error(struct tao_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
}

/*
 * libnl reports its own NLE_* codes. Map them back to errno; for the errnos libnl has no code
 * for (ECONNREFUSED, ...) it says NLE_FAILURE, and errno still holds the original.
 */
static int nle_to_errno(int nle, int saved_errno)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_INTR:
		return -EINTR;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
		return -EPROTO;
	default:
		return saved_errno > 0 ? -saved_errno : -EIO;
	}
}

int tao_nl_adopt(struct nl_sock *sk, int family, struct tao_nl **out)
{
	struct tao_nl *nl = calloc(1, sizeof(*nl));

	*out = NULL;
	if (!nl) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	nl->sk = sk;
	nl->family = family;
	*out = nl;
	return 0;
}

int tao_nl_open(struct tao_nl **out)
{
	/* Not nl_socket_alloc(): it honours NLCB=debug, which would print into --json output. */
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	TAO_CLEANUP(tao_nl_socket_freep) struct nl_sock *sk = NULL;
	int one = 1, rcvbuf = TAO_NL_RCVBUF;
	int rc;

	*out = NULL;
	if (!cb || !(sk = nl_socket_alloc_cb(cb)))
		return -ENOMEM;
	errno = 0;
	rc = genl_connect(sk);
	if (rc < 0)
		return nle_to_errno(rc, errno);
	/* Best effort: before Linux 4.12 there are no extended ACKs, errors just lack a text. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/*
	 * Dumps (a log of 100,000 entries) come fastest in large datagrams: the kernel sizes a
	 * dump's skb by the reader's buffer, up to 32 KiB. Read with that buffer, still peeking
	 * first so that nothing is ever cut, and let the socket queue a lot: SO_RCVBUFFORCE as
	 * root, else SO_RCVBUF up to net.core.rmem_max. All best effort.
	 */
	(void)nl_socket_set_msg_buf_size(sk, TAO_NL_MSG_BUF);
	nl_socket_enable_msg_peek(sk);
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		(void)setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof(rcvbuf));
	/* Any failure to resolve comes back as NLE_OBJ_NOTFOUND, i.e. -ENOENT. */
	errno = 0;
	rc = genl_ctrl_resolve(sk, TAO_GENL_NAME);
	if (rc < 0)
		return nle_to_errno(rc, errno);
	return tao_nl_adopt(tao_steal_ptr(&sk), rc, out);
}

void tao_nl_close(struct tao_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *tao_nl_last_error(const struct tao_nl *nl)
{
	return nl ? nl->err : "";
}

uint32_t tao_nl_last_tpm_rc(const struct tao_nl *nl)
{
	return nl ? nl->tpm_rc : 0;
}

/* libnl passes the error callback only the struct nlmsgerr; the ACK's TLVs need the message. */
static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
		tao_ext_ack_parse(nlh, x->ext_ack, sizeof(x->ext_ack), &x->tpm_rc);
	return NL_OK;
}

/* The kernel's error: the errno, the extended ACK's text and TPM response code. */
static void kernel_error(struct exchange *x, int error)
{
	if (x->err)
		return;
	x->err = error < 0 ? error : -EPROTO;
	set_error(x->nl, "%s", x->ext_ack);
	x->nl->tpm_rc = x->tpm_rc;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int rc;

	if (nlh->nlmsg_type != x->nl->family || x->err)
		return NL_SKIP;
	if (!x->dump && x->replies) {
		x->err = -EPROTO;
		set_error(x->nl, "more than one reply to %s", tao_cmd_name(x->cmd));
		return NL_SKIP;
	}
	x->replies++;
	rc = x->reply(x, nlh);
	if (rc)
		x->err = rc;
	/* Either way read on to the end, so the socket stays in step for the next request. */
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int error = 0;

	x->done = true;
	/* NLMSG_DONE carries the dump's error, if it failed after it started. */
	if (nlmsg_datalen(nlh) >= (int)sizeof(error))
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0)
		kernel_error(x, error);
	else if (!x->dump && !x->err) {
		x->err = -EPROTO;
		set_error(x->nl, "NLMSG_DONE in reply to %s", tao_cmd_name(x->cmd));
	}
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	if (!x->err) {
		x->err = -EAGAIN;
		set_error(x->nl, "%s was interrupted by a change; try again", tao_cmd_name(x->cmd));
	}
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct exchange *x = arg;

	(void)who;
	x->done = true;
	kernel_error(x, e->error);
	return NL_STOP;
}

/* A request of cmd for the family, flags NLM_F_REQUEST and NLM_F_DUMP if dump; NULL: no memory. */
static struct nl_msg *new_request(struct tao_nl *nl, int cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg &&
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0), (uint8_t)cmd, TAO_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Send msg, then read until the ACK, NLMSG_DONE or an error, calling x->reply per message. */
static int exchange(struct tao_nl *nl, struct nl_msg *msg, struct exchange *x)
{
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *orig = nl_socket_get_cb(nl->sk);
	TAO_CLEANUP(tao_nl_cb_putp) struct nl_cb *cb = nl_cb_clone(orig);
	const char *what = tao_cmd_name(x->cmd);
	int rc;

	x->nl = nl;
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, x);

	/* A dump ends in NLMSG_DONE; an ACK asked for would never come. */
	nl_complete_msg(nl->sk, msg);
	if (x->dump)
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
	errno = 0;
	rc = nl_send(nl->sk, msg);
	if (rc < 0) {
		rc = nle_to_errno(rc, errno);
		set_error(nl, "sending %s failed", what);
		return rc;
	}
	while (!x->done) {
		errno = 0;
		rc = nl_recvmsgs_report(nl->sk, cb);
		if (x->done)
			break;
		if (rc < 0) {
			rc = nle_to_errno(rc, errno);
			set_error(nl, "receiving the %s reply failed", what);
			return rc;
		}
		if (rc == 0) {
			set_error(nl,
				  x->dump ? "the kernel closed %s before its end"
					  : "the kernel closed the exchange without an ACK",
				  what);
			return -EPROTO;
		}
	}
	if (x->err == STOPPED) {
		nl->err[0] = '\0';
		return x->stop;
	}
	if (x->err)
		return x->err;
	if (!x->dump && !x->replies) {
		set_error(nl, "the kernel acknowledged %s without a reply", what);
		return -EPROTO;
	}
	return 0;
}

/* Start a call: no error yet. */
static void reset(struct tao_nl *nl)
{
	nl->err[0] = '\0';
	nl->tpm_rc = 0;
}

static int info_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	return tao_info_parse(nlh, x->arg, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_get_info(struct tao_nl *nl, struct tao_info *info)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_GET_INFO, false);
	struct tao_info tmp;
	struct exchange x = { .cmd = TAO_CMD_GET_INFO, .reply = info_reply, .arg = &tmp };
	int rc;

	reset(nl);
	if (!msg)
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	*info = tmp;
	return 0;
}

static int pcr_read_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	return tao_pcr_read_parse(nlh, x->arg, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_pcr_read(struct tao_nl *nl, const struct tao_pcr_selection *sel,
		    struct tao_pcr_read *out)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_PCR_READ, false);
	TAO_CLEANUP(tao_freep) struct tao_pcr_read *tmp = malloc(sizeof(*tmp));
	struct exchange x = { .cmd = TAO_CMD_PCR_READ, .reply = pcr_read_reply, .arg = tmp };
	int rc;

	reset(nl);
	if (!msg || !tmp || (sel && tao_pcr_selection_put(msg, sel) < 0))
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	if (sel && tao_pcr_values_check(&tmp->values, sel, nl->err, sizeof(nl->err)))
		return -EBADMSG;
	memcpy(out, tmp, sizeof(*tmp));
	return 0;
}

static int measure_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	return tao_measure_parse(nlh, x->arg, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_measure(struct tao_nl *nl, const struct tao_measure *m, uint32_t *seq)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_MEASURE, false);
	uint32_t tmp;
	struct exchange x = { .cmd = TAO_CMD_MEASURE, .reply = measure_reply, .arg = &tmp };
	int rc;

	reset(nl);
	if (!msg)
		return -ENOMEM;
	/* A netlink attribute holds less than 64 KiB; the module takes far less anyway. */
	if (strlen(m->name) > UINT16_MAX - 8 || (!m->digests && m->data_len > UINT16_MAX - 8)) {
		set_error(nl, "the %s is too large for a netlink attribute",
			  m->digests ? "name" : "name or the data");
		return -EMSGSIZE;
	}
	if (nla_put_u32(msg, TAO_A_EVENT_TYPE, m->type) < 0 ||
	    nla_put_string(msg, TAO_A_EVENT_NAME, m->name) < 0 ||
	    (m->digests ? tao_digest_list_put(msg, TAO_A_EVENT_DIGESTS, m->digests)
			: nla_put(msg, TAO_A_EVENT_DATA, (int)m->data_len, m->data)) < 0)
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	*seq = tmp;
	return 0;
}

/* The state of a LOG_GET dump. */
struct log_dump {
	uint32_t next; /* the sequence number the next entry must have */
	tao_log_cb cb;
	void *arg;
};

static int log_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	struct log_dump *d = x->arg;
	struct tao_log_entry entry;
	char msg[TAO_ERRMSG_MAX];
	int rc;

	rc = tao_log_entry_parse(nlh, &entry, msg, sizeof(msg));
	if (rc) {
		set_error(x->nl, "log entry %u: %s", d->next, msg);
		return rc;
	}
	if (entry.seq != d->next) {
		set_error(x->nl, "the dump sent log entry %u where entry %u was due", entry.seq,
			  d->next);
		return -EPROTO;
	}
	d->next++;
	x->stop = d->cb(&entry, d->arg);
	return x->stop ? STOPPED : 0;
}

int tao_nl_log_get(struct tao_nl *nl, uint32_t start, tao_log_cb cb, void *arg)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_LOG_GET, true);
	struct log_dump d = { start, cb, arg };
	struct exchange x = { .cmd = TAO_CMD_LOG_GET, .dump = true, .reply = log_reply, .arg = &d };

	reset(nl);
	if (!msg || nla_put_u32(msg, TAO_A_LOG_START, start) < 0)
		return -ENOMEM;
	return exchange(nl, msg, &x);
}

/* The state of a KEY_LIST dump. */
struct key_dump {
	size_t n;
	tao_key_cb cb;
	void *arg;
	struct tao_key_entry *key;
};

static int key_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	struct key_dump *d = x->arg;
	char msg[TAO_ERRMSG_MAX];
	int rc;

	rc = tao_key_entry_parse(nlh, d->key, msg, sizeof(msg));
	if (rc) {
		set_error(x->nl, "key list message %zu: %s", d->n + 1, msg);
		return rc;
	}
	d->n++;
	x->stop = d->cb(d->key, d->arg);
	return x->stop ? STOPPED : 0;
}

int tao_nl_key_list(struct tao_nl *nl, tao_key_cb cb, void *arg)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_KEY_LIST, true);
	TAO_CLEANUP(tao_freep) struct tao_key_entry *key = malloc(sizeof(*key));
	struct key_dump d = { 0, cb, arg, key };
	struct exchange x = {
		.cmd = TAO_CMD_KEY_LIST, .dump = true, .reply = key_reply, .arg = &d
	};

	reset(nl);
	if (!msg || !key)
		return -ENOMEM;
	return exchange(nl, msg, &x);
}

static int key_bind_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	return tao_key_bind_parse(nlh, x->arg, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_key_bind(struct tao_nl *nl, uint32_t role, uint32_t handle,
		    struct tao_key_bind_reply *out)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_KEY_BIND, false);
	struct tao_key_bind_reply tmp;
	struct exchange x = { .cmd = TAO_CMD_KEY_BIND, .reply = key_bind_reply, .arg = &tmp };
	int rc;

	reset(nl);
	if (!msg || nla_put_u32(msg, TAO_A_KEY_ROLE, role) < 0 ||
	    nla_put_u32(msg, TAO_A_KEY_HANDLE, handle) < 0)
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	if (tmp.role != role || tmp.handle != handle) {
		set_error(nl, "the reply binds role %u to 0x%08x, not role %u to 0x%08x", tmp.role,
			  tmp.handle, role, handle);
		return -EPROTO;
	}
	*out = tmp;
	return 0;
}

static int quote_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	return tao_quote_parse(nlh, x->arg, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_quote(struct tao_nl *nl, uint32_t role, const uint8_t *nonce, size_t nonce_len,
		 const struct tao_pcr_selection *sel, struct tao_quote *out)
{
	TAO_CLEANUP(tao_nlmsg_freep) struct nl_msg *msg = new_request(nl, TAO_CMD_QUOTE, false);
	TAO_CLEANUP(tao_freep) struct tao_quote *q = malloc(sizeof(*q));
	struct exchange x = { .cmd = TAO_CMD_QUOTE, .reply = quote_reply, .arg = q };
	const struct tao_attest *a;
	char msg_err[TAO_ERRMSG_MAX];
	int rc;

	reset(nl);
	if (!msg || !q || (role && nla_put_u32(msg, TAO_A_KEY_ROLE, role) < 0) ||
	    nla_put(msg, TAO_A_QUOTE_NONCE, (int)nonce_len, nonce) < 0 ||
	    (sel && tao_pcr_selection_put(msg, sel) < 0))
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	a = &q->parsed_attest;
	if (a->extra_data_len != nonce_len || memcmp(a->extra_data, nonce, nonce_len) != 0) {
		set_error(nl, "the quote's extraData is not the nonce");
		return -EPROTO;
	}
	if (q->role != (role ? role : TAO_KEY_ROLE_IAK)) {
		set_error(nl, "the quote comes from role %u, not %u", q->role,
			  role ? role : TAO_KEY_ROLE_IAK);
		return -EPROTO;
	}
	if (sel && tao_pcr_values_check(&q->values, sel, msg_err, sizeof(msg_err))) {
		set_error(nl, "the quote is not of the selected PCRs: %s", msg_err);
		return -EPROTO;
	}
	memcpy(out, q, sizeof(*q));
	return 0;
}

struct random_req {
	uint8_t *buf;
	size_t len;
};

static int random_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	struct random_req *r = x->arg;

	return tao_random_parse(nlh, r->buf, r->len, x->nl->err, sizeof(x->nl->err));
}

int tao_nl_get_random(struct tao_nl *nl, uint8_t *buf, size_t len)
{
	TAO_CLEANUP(tao_nlmsg_freep)
	struct nl_msg *msg = new_request(nl, TAO_CMD_GET_RANDOM, false);
	/* Any length is asked for: the module, not libtao, says what it refuses. */
	TAO_CLEANUP(tao_freep) uint8_t *tmp = malloc(len ? len : 1);
	struct random_req r = { tmp, len };
	struct exchange x = { .cmd = TAO_CMD_GET_RANDOM, .reply = random_reply, .arg = &r };
	int rc;

	reset(nl);
	if (!msg || !tmp)
		return -ENOMEM;
	if (len > UINT32_MAX) {
		set_error(nl, "%zu bytes are more than a request can ask for", len);
		return -EINVAL;
	}
	if (nla_put_u32(msg, TAO_A_RANDOM_LEN, (uint32_t)len) < 0)
		return -ENOMEM;
	rc = exchange(nl, msg, &x);
	if (rc)
		return rc;
	memcpy(buf, tmp, len);
	return 0;
}
