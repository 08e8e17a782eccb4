# Helpers for in-guest tests (sourced). Every check prints one line,
# "PASS: what" or "FAIL: what -- why", which the runner counts.

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# check WHAT CMD...: passes when CMD exits 0.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$what"
	else
		fail "$what -- '$*' exited $?: $(head -c 600 <<<"$out")"
	fi
}

# check_fails WHAT CMD...: passes when CMD exits non-zero.
check_fails() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$what -- '$*' succeeded: $(head -c 600 <<<"$out")"
	else
		pass "$what"
	fi
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1 -- expected '$2', got '$3'"
	fi
}

# check_match WHAT REGEX TEXT
check_match() {
	if [[ $3 =~ $2 ]]; then
		pass "$1"
	else
		fail "$1 -- '$(head -c 600 <<<"$3")' does not match /$2/"
	fi
}

# Kernel log lines that must never appear.
kernel_problems() {
	dmesg | grep -E 'BUG:|WARNING:|Oops|general protection fault|UBSAN:|Call Trace:' || true
}

# reload_module [PARAM=VALUE...]: a fresh tao.ko (empty log, no bindings).
reload_module() {
	rmmod tao 2>/dev/null
	insmod "$TAO_KMOD" "$@"
}

# make_key HANDLE [ATTRS]: a P-256 signing key persisted at HANDLE (evicting
# what was there), by tpm2-tools through the resource manager. Default: a
# restricted signing key fit to be an IAK.
make_key() {
	local handle=$1 attrs=${2:-restricted|sign|fixedtpm|fixedparent|sensitivedataorigin|userwithauth}
	local d
	d=$(mktemp -d)
	tpm2_evictcontrol -C o -c "$handle" >/dev/null 2>&1
	tpm2_createprimary -C o -g sha256 -G ecc -c "$d/p.ctx" >/dev/null &&
		tpm2_create -C "$d/p.ctx" -G ecc256:ecdsa-sha256:null -a "$attrs" \
			-u "$d/k.pub" -r "$d/k.priv" >/dev/null &&
		tpm2_load -C "$d/p.ctx" -u "$d/k.pub" -r "$d/k.priv" -c "$d/k.ctx" >/dev/null &&
		tpm2_evictcontrol -C o -c "$d/k.ctx" "$handle" >/dev/null
	local rc=$?
	rm -rf "$d"
	return $rc
}
