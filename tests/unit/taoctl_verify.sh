#!/bin/bash
# taoctl verify and taoctl policy capture on the swtpm evidence of vectors/evidence: the exit
# status of each verdict, the check lines, and a captured policy that verifies.
# Usage: taoctl_verify.sh TAOCTL VECTORS-DIR
set -uo pipefail
taoctl=$1 v=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
binder() { od -An -v -tx1 "$v/$1.binder" | tr -d ' \n'; }
expect() { # WANT-EXIT PATTERN ARGS...
	local want=$1 pat=$2 rc
	shift 2
	"$taoctl" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [[ $rc != "$want" ]] || ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL: taoctl $* exited $rc (want $want), output:"
		sed 's/^/    /' "$tmp/out"
		fails=$((fails + 1))
	else
		echo "ok: taoctl ${1} ... -> $rc ($pat)"
	fi
}
A="--evidence $v/a.evidence.json --binder $(binder a) --trust $v/ca.pem"
B="--evidence $v/b.evidence.json --binder $(binder b) --trust $v/ca.pem"
expect 0 "^affirming device TAO-A-0001: every check passed" verify $A --at 2030-01-01
expect 0 "^✓ log_replay     4 entries replay" verify $A --at 2030-01-01
expect 3 "^! log_origin" verify $B --at 2030-01-01
expect 1 "^contraindicated.*certificate has expired" verify $A --at 2200-01-01
expect 1 "extraData is not this session's binder" verify $A --at 1893456000 --binder "$(binder b)"
expect 1 "^contraindicated.*unable to get local issuer" verify $A --at 2030-01-01 --trust "$v/other-ca.pem"
expect 0 '"status": "affirming"' verify $A --at 2030-01-01 --json
echo '["application/vnd.tao.tpm2-evidence+json","e30"]' >"$tmp/bad.json"
expect 1 "^none: the evidence does not decode" verify --evidence "$tmp/bad.json" --binder "$(binder a)" --trust "$v/ca.pem"
expect 2 "required" verify --evidence "$v/a.evidence.json"
expect 2 "32 bytes" verify $A --binder 00
expect 0 "^wrote .*1 reference PCR values, 3 allowed events" policy capture $A --at 2030-01-01 --out "$tmp/policy.json"
expect 0 "^✓ policy_events  all 4 log entries are allowed" verify $A --at 2030-01-01 --policy "$tmp/policy.json"
sed 's/"boot-config"/"other"/' "$tmp/policy.json" >"$tmp/p2.json"
expect 1 "^✗ policy_events  log entry 1" verify $A --at 2030-01-01 --policy "$tmp/p2.json"
expect 1 "no policy written" policy capture $A --at 2200-01-01 --out "$tmp/p3.json"
# --digest-type: the boot-config's data digest is captured; changed data is contraindicated.
expect 0 "^wrote .*1 reference PCR values, 3 allowed events, 1 with a data digest" policy capture \
	$A --at 2030-01-01 --digest-type 0x1 --out "$tmp/pd.json"
grep -q '"digest": "2b5f12a14ed6961493930520e78e4ec5be4d6c93d59d7d719ac027080e7d8d2e"' "$tmp/pd.json" ||
	{ echo "FAIL: no boot-config digest in the captured policy"; fails=$((fails + 1)); }
expect 0 "^✓ policy_events  all 4 log entries are allowed" verify $A --at 2030-01-01 --policy "$tmp/pd.json"
sed 's/2b5f12a14ed6961493930520e78e4ec5be4d6c93d59d7d719ac027080e7d8d2e/2b5f12a14ed6961493930520e78e4ec5be4d6c93d59d7d719ac027080e7d8d2f/' \
	"$tmp/pd.json" >"$tmp/pd2.json"
expect 1 '^✗ policy_events  log entry 1 (type 0x00000001, name "boot-config"): its sha256 data digest 2b5f12a14ed6961493930520e78e4ec5be4d6c93d59d7d719ac027080e7d8d2e is not an allowed one' \
	verify $A --at 2030-01-01 --policy "$tmp/pd2.json"
expect 2 "--digest-type wants an event type" policy capture $A --digest-type app --out "$tmp/p4.json"
[[ ! -e $tmp/p3.json ]] || { echo "FAIL: a policy was written"; fails=$((fails + 1)); }
echo "$fails failed"
[[ $fails == 0 ]]
