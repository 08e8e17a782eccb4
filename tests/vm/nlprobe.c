/* nlprobe: sends malformed, unexpected and unprivileged requests to the "tao"
 * generic netlink family and checks that each gets the precise error the
 * kernel should give and changes nothing. Runs in the VM
 * (tests/vm/tests/netlink_errors.sh); prints PASS/FAIL lines.
 *
 *   nlprobe              the malformed-request cases (as root)
 *   nlprobe --as-nobody  drops to uid/gid 65534 and checks that every
 *                        privileged command is refused with EPERM */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nltest.h"

static int failures;

/* Sends msg and checks the kernel answers with -want_errno (and, when given,
 * an extended ACK message containing want_msg). */
static struct nlt_reply expect(struct nl_sock *sk, struct nl_msg *msg, const char *what,
			       int want_errno, const char *want_msg)
{
	struct nlt_reply r = nlt_transact(sk, msg, NULL, NULL);

	if (r.error == -want_errno && (!want_msg || strstr(r.extack, want_msg)) &&
	    r.replies == (want_errno ? 0 : 1)) {
		printf("PASS: %s (%s%s%s)\n", what, strerror(want_errno), r.extack[0] ? ": " : "",
		       r.extack);
	} else {
		printf("FAIL: %s -- want -%d \"%s\", got %d \"%s\" and %d replies\n", what,
		       want_errno, want_msg ? want_msg : "", r.error, r.extack, r.replies);
		failures++;
	}
	return r;
}

static struct nl_msg *request(int flags, uint8_t cmd)
{
	return nlt_request(flags, cmd);
}

static void on_info(struct nlattr **tb, void *arg)
{
	if (tb[TAO_A_LOG_ENTRIES])
		*(uint32_t *)arg = nla_get_u32(tb[TAO_A_LOG_ENTRIES]);
}

static uint32_t log_entries(struct nl_sock *sk)
{
	uint32_t n = UINT32_MAX;

	nlt_transact(sk, request(NLM_F_ACK, TAO_CMD_GET_INFO), on_info, &n);
	return n;
}

/* A PCR selection with one entry; a zero field is left out. */
static void put_sel(struct nl_msg *msg, uint16_t alg, uint32_t mask, int with_mask)
{
	struct nlattr *all = nla_nest_start(msg, TAO_A_PCR_SELECTION);
	struct nlattr *one = nla_nest_start(msg, TAO_A_PCR_SELECTION_ENTRY);

	if (alg)
		nla_put_u16(msg, TAO_A_PCR_ALG, alg);
	if (with_mask)
		nla_put_u32(msg, TAO_A_PCR_MASK, mask);
	nla_nest_end(msg, one);
	nla_nest_end(msg, all);
}

static struct nl_msg *measure(uint32_t type, const char *name)
{
	struct nl_msg *msg = request(NLM_F_ACK, TAO_CMD_MEASURE);

	nla_put_u32(msg, TAO_A_EVENT_TYPE, type);
	if (name)
		nla_put_string(msg, TAO_A_EVENT_NAME, name);
	return msg;
}

static void put_digest(struct nl_msg *msg, uint16_t alg, size_t len)
{
	static const uint8_t zero[80];
	struct nlattr *all = nla_nest_start(msg, TAO_A_EVENT_DIGESTS);
	struct nlattr *one = nla_nest_start(msg, TAO_A_DIGESTS_ENTRY);

	nla_put_u16(msg, TAO_A_DIGEST_ALG, alg);
	nla_put(msg, TAO_A_DIGEST_VALUE, (int)len, zero);
	nla_nest_end(msg, one);
	nla_nest_end(msg, all);
}

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

static void foundation_cases(struct nl_sock *sk)
{
	struct nl_msg *msg;
	struct genlmsghdr *gh;

	msg = request(NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put_u32(msg, TAO_A_TPM_STATE, 2);
	expect(sk, msg, "GET_INFO refuses an attribute it does not take", EINVAL,
	       "Unsupported attribute");

	msg = request(NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put_u32(msg, TAO_A_MAX + 7, 1);
	expect(sk, msg, "GET_INFO refuses an unknown attribute type", EINVAL,
	       "Unknown attribute type");

	msg = request(NLM_F_ACK, TAO_CMD_GET_INFO);
	nla_put(msg, 0, 0, NULL);
	expect(sk, msg, "GET_INFO refuses attribute type 0", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_MAX + 40);
	expect(sk, msg, "an unknown command is refused", EOPNOTSUPP, NULL);

	msg = request(NLM_F_DUMP, TAO_CMD_GET_INFO);
	expect(sk, msg, "GET_INFO has no dump form", EOPNOTSUPP, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_EVENT_MEASURED);
	expect(sk, msg, "a notification command is not a request", EOPNOTSUPP, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_INFO);
	gh = nlmsg_data(nlmsg_hdr(msg));
	gh->reserved = 1;
	expect(sk, msg, "a non-zero reserved genl header field is refused", EINVAL, "reserved");

	msg = nlmsg_alloc_simple(nlt_family, NLM_F_REQUEST | NLM_F_ACK);
	expect(sk, msg, "a message without a genl header is refused", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_INFO);
	expect(sk, msg, "a well-formed GET_INFO gets a reply", 0, NULL);
}

static void pcr_cases(struct nl_sock *sk, uint16_t inactive)
{
	struct nl_msg *msg;

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	put_sel(msg, inactive, 1, 1);
	expect(sk, msg, "PCR_READ: a bank the TPM does not have", EINVAL, "not active");

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	put_sel(msg, 0x000b, 1u << 24, 1);
	expect(sk, msg, "PCR_READ: PCR 24 does not exist", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	put_sel(msg, 0x000b, 0, 1);
	expect(sk, msg, "PCR_READ: an empty mask", EINVAL, "empty PCR mask");

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	put_sel(msg, 0x000b, 0, 0);
	expect(sk, msg, "PCR_READ: a selection without a mask", EINVAL, "bank and a mask");

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	{
		struct nlattr *all = nla_nest_start(msg, TAO_A_PCR_SELECTION);

		for (int i = 0; i < 2; i++) {
			struct nlattr *one = nla_nest_start(msg, TAO_A_PCR_SELECTION_ENTRY);

			nla_put_u16(msg, TAO_A_PCR_ALG, 0x000b);
			nla_put_u32(msg, TAO_A_PCR_MASK, 1);
			nla_nest_end(msg, one);
		}
		nla_nest_end(msg, all);
	}
	expect(sk, msg, "PCR_READ: the same bank twice", EINVAL, "twice");

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	nla_put_u32(msg, TAO_A_PCR_SELECTION, 1);
	expect(sk, msg, "PCR_READ: a selection that is not a nest", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_PCR_READ);
	nla_nest_end_keep_empty(msg, nla_nest_start(msg, TAO_A_PCR_SELECTION));
	expect(sk, msg, "PCR_READ: an empty selection", EINVAL, "empty PCR selection");
}

static void measure_cases(struct nl_sock *sk, uint16_t inactive)
{
	char longname[TAO_EVENT_NAME_MAX + 2];
	static uint8_t big[TAO_EVENT_DATA_MAX + 1];
	struct nl_msg *msg;
	uint32_t before = log_entries(sk);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	expect(sk, measure(1, NULL), "MEASURE: no name", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_MEASURE);
	nla_put_string(msg, TAO_A_EVENT_NAME, "x");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: no type", EINVAL, NULL);

	expect(sk, measure(1, "x"), "MEASURE: neither data nor digests", EINVAL,
	       "either event data or digests");

	msg = measure(1, "x");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	put_digest(msg, 0x000b, 32);
	expect(sk, msg, "MEASURE: both data and digests", EINVAL, "either event data or digests");

	msg = measure(1, longname);
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: a 256-byte name", EINVAL, NULL);

	msg = measure(1, "");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: an empty name", EINVAL, "printable");

	msg = measure(1, "bad\nname");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: a control character in the name", EINVAL, "printable");

	msg = request(NLM_F_ACK, TAO_CMD_MEASURE);
	nla_put_u32(msg, TAO_A_EVENT_TYPE, 1);
	nla_put(msg, TAO_A_EVENT_NAME, 3, "abc");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: a name without its NUL", EINVAL, NULL);

	msg = measure(TAO_EVENT_MODULE_LOAD, "x");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: the module's own event type", EINVAL, "module's own");

	msg = request(NLM_F_ACK, TAO_CMD_MEASURE);
	nla_put_u16(msg, TAO_A_EVENT_TYPE, 1);
	nla_put_string(msg, TAO_A_EVENT_NAME, "x");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE: a 2-byte type", EINVAL, NULL);

	msg = measure(1, "x");
	nla_put(msg, TAO_A_EVENT_DATA, sizeof(big), big);
	expect(sk, msg, "MEASURE: 4097 bytes of data", ERANGE, NULL);

	msg = measure(1, "x");
	put_digest(msg, 0x000b, 31);
	expect(sk, msg, "MEASURE: a digest of the wrong size", EINVAL, "does not match its bank");

	msg = measure(1, "x");
	put_digest(msg, 0x000b, 65);
	expect(sk, msg, "MEASURE: a digest longer than any bank's", ERANGE, NULL);

	msg = measure(1, "x");
	put_digest(msg, inactive, 48);
	expect(sk, msg, "MEASURE: a digest for a bank the TPM does not have", EINVAL, "not active");

	msg = measure(1, "x");
	nla_nest_end_keep_empty(msg, nla_nest_start(msg, TAO_A_EVENT_DIGESTS));
	expect(sk, msg, "MEASURE: digests missing a bank", EINVAL, "every active bank");

	check(log_entries(sk) == before, "no refused MEASURE added a log entry");
}

static void key_cases(struct nl_sock *sk)
{
	struct nl_msg *msg;
	struct nlt_reply r;

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, 0);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
	expect(sk, msg, "KEY_BIND: role 0", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_MAX + 1);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
	expect(sk, msg, "KEY_BIND: an unknown role", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_AK);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x80000000);
	expect(sk, msg, "KEY_BIND: a transient handle", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_AK);
	expect(sk, msg, "KEY_BIND: no handle", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_AK);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81fffff0);
	r = expect(sk, msg, "KEY_BIND: an empty persistent handle", ENOENT, "TPM refused");
	check(r.cookie_len == 4 && r.cookie[2] == 0x01 && r.cookie[3] == 0x8b,
	      "the extended ACK's cookie carries TPM_RC_HANDLE (0x018b)");

	msg = request(NLM_F_ACK, TAO_CMD_QUOTE);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_LDEVID);
	expect(sk, msg, "QUOTE: a role nothing is bound to", ENOKEY, "no key is bound");

	msg = request(NLM_F_ACK, TAO_CMD_QUOTE);
	{
		static const uint8_t nonce[TAO_QUOTE_NONCE_MAX + 1];

		nla_put(msg, TAO_A_QUOTE_NONCE, sizeof(nonce), nonce);
	}
	expect(sk, msg, "QUOTE: a 65-byte nonce", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_RANDOM);
	nla_put_u32(msg, TAO_A_RANDOM_LEN, 0);
	expect(sk, msg, "GET_RANDOM: 0 bytes", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_RANDOM);
	nla_put_u32(msg, TAO_A_RANDOM_LEN, TAO_RANDOM_MAX + 1);
	expect(sk, msg, "GET_RANDOM: 129 bytes", ERANGE, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_RANDOM);
	expect(sk, msg, "GET_RANDOM: no length", EINVAL, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_LOG_GET);
	nla_put_u32(msg, TAO_A_LOG_START, 0);
	expect(sk, msg, "LOG_GET is a dump only", EOPNOTSUPP, NULL);
}

static void unprivileged_cases(struct nl_sock *sk)
{
	uint32_t before = log_entries(sk);
	struct nl_msg *msg;

	msg = measure(1, "x");
	nla_put(msg, TAO_A_EVENT_DATA, 1, "d");
	expect(sk, msg, "MEASURE as nobody", EPERM, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_KEY_BIND);
	nla_put_u32(msg, TAO_A_KEY_ROLE, TAO_KEY_ROLE_AK);
	nla_put_u32(msg, TAO_A_KEY_HANDLE, 0x81000001);
	expect(sk, msg, "KEY_BIND as nobody", EPERM, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_QUOTE);
	expect(sk, msg, "QUOTE as nobody", EPERM, NULL);

	msg = request(NLM_F_ACK, TAO_CMD_GET_RANDOM);
	nla_put_u32(msg, TAO_A_RANDOM_LEN, 8);
	expect(sk, msg, "GET_RANDOM as nobody", EPERM, NULL);

	expect(sk, request(NLM_F_ACK, TAO_CMD_PCR_READ), "PCR_READ works as nobody", 0, NULL);
	check(log_entries(sk) == before, "nothing was logged for nobody");
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	int as_nobody = argc > 1 && !strcmp(argv[1], "--as-nobody");
	/* A bank swtpm leaves inactive by default (tests/vm/run --pcr-banks). */
	uint16_t inactive = 0x000c;

	if (as_nobody && (setgid(65534) || setuid(65534))) {
		perror("nlprobe: cannot become nobody");
		return 2;
	}
	sk = nlt_open();

	if (as_nobody) {
		unprivileged_cases(sk);
	} else {
		foundation_cases(sk);
		pcr_cases(sk, inactive);
		measure_cases(sk, inactive);
		key_cases(sk);
	}
	nl_socket_free(sk);
	return failures ? 1 : 0;
}
