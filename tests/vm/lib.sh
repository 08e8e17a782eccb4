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
