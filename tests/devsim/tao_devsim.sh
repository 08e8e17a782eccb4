#!/bin/bash
# tao-devsim end to end on a private swtpm: provision, evidence that `taoctl verify` affirms
# (and refuses under another binder), usage errors and an unprovisioned directory.
# Usage: tao_devsim.sh TAO-DEVSIM TAOCTL
set -uo pipefail
devsim=$1 taoctl=$2
tmp=$(mktemp -d)
pid=
cleanup() {
	# Only the swtpm this script started, by its PID.
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0

# A port pair below the ephemeral range (no TIME_WAIT of client connections there); tried
# again when swtpm cannot bind it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_swtpm() {
	local port
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 6000 * 2)) # 20000..31998
		listening "$port" || listening $((port + 1)) && continue
		mkdir -p "$tmp/tpm"
		swtpm socket --tpm2 --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
			--ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
			--tpmstate "dir=$tmp/tpm" --flags not-need-init,startup-clear \
			>"$tmp/swtpm.log" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			listening "$port" && { tcti="swtpm:host=127.0.0.1,port=$port"; return 0; }
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	done
	echo "FAIL: swtpm did not start"
	cat "$tmp/swtpm.log"
	exit 1
}

expect() { # WANT-EXIT PATTERN PROGRAM ARGS...
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [[ $rc != "$want" ]] || ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL: $(basename "$1") ${*:2} exited $rc (want $want), output:"
		sed 's/^/    /' "$tmp/out"
		fails=$((fails + 1))
	else
		echo "ok: $(basename "$1") $2 ... -> $rc ($pat)"
	fi
}

start_swtpm
b1=$(printf '%064x' 1) b2=$(printf '%064x' 2)
expect 0 "^provisioned device SIM-1" "$devsim" provision --tcti "$tcti" --ca-dir "$tmp/ca" \
	--serial SIM-1 --out "$tmp/dev"
for f in iak.pem idevid.pem manufacturer-ca.pem; do
	[[ -s $tmp/dev/$f ]] || { echo "FAIL: no $f"; fails=$((fails + 1)); }
done
# The TCTI from the environment, as the other tools take it.
expect 0 "^provisioned device SIM-1" env TAO_TCTI="$tcti" "$devsim" provision \
	--ca-dir "$tmp/ca" --serial SIM-1 --out "$tmp/dev"
expect 0 "^wrote $tmp/ev.json (.* bytes, evidence of device SIM-1)" "$devsim" evidence --tcti "$tcti" --dir "$tmp/dev" --binder "$b1" \
	--pcrs sha256:0-7,13 --out "$tmp/ev.json"
expect 0 "^affirming device SIM-1: every check passed" "$taoctl" verify --evidence "$tmp/ev.json" \
	--binder "$b1" --trust "$tmp/ca/ca.pem"
expect 0 "^✓ log_replay     0 entries replay" "$taoctl" verify --evidence "$tmp/ev.json" \
	--binder "$b1" --trust "$tmp/dev/manufacturer-ca.pem"
expect 1 "extraData is not this session's binder" "$taoctl" verify --evidence "$tmp/ev.json" \
	--binder "$b2" --trust "$tmp/ca/ca.pem"
# The default selection (sha256:13), to stdout.
expect 0 '^\["application/vnd.tao.tpm2-evidence+json",' "$devsim" evidence --tcti "$tcti" \
	--dir "$tmp/dev" --binder "$b2" --out -
"$devsim" evidence --tcti "$tcti" --dir "$tmp/dev" --binder "$b2" --out - >"$tmp/ev2.json"
expect 0 "^affirming" "$taoctl" verify --evidence "$tmp/ev2.json" --binder "$b2" \
	--trust "$tmp/ca/ca.pem"
# Errors.
expect 1 "iak.pem" "$devsim" evidence --tcti "$tcti" --dir "$tmp/nothing" --binder "$b1" --out -
expect 1 "cannot reach a TPM" "$devsim" evidence --tcti swtpm:host=127.0.0.1,port=1 \
	--dir "$tmp/dev" --binder "$b1" --out -
expect 2 "are required" "$devsim" evidence --tcti "$tcti" --dir "$tmp/dev" --binder "$b1"
expect 2 "64 hex digits" "$devsim" evidence --dir "$tmp/dev" --binder 00 --out -
expect 2 "^tao-devsim evidence: --pcrs" "$devsim" evidence --dir "$tmp/dev" --binder "$b1" \
	--pcrs sha256:24 --out -
expect 2 "are required" "$devsim" provision --tcti "$tcti" --serial X
expect 1 "serial number" "$devsim" provision --tcti "$tcti" --ca-dir "$tmp/ca" --serial "" \
	--out "$tmp/dev"
expect 2 "unknown command 'nope'" "$devsim" nope
expect 0 "tao-devsim evidence" "$devsim" --help
echo "$fails failed"
[[ $fails == 0 ]]
