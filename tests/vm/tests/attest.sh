#!/bin/bash
# test: the attested session end to end in the guest: tao-registrar init + run, taoctl provision --factory, taoctl attest over TLS 1.3 with the IDevID in the TPM (/dev/tpmrm0) and the module's quote and log; affirming, stored; counters move forward; a reloaded module is a warning (exit 3); an unlisted event and a PCR outside policy are contraindicated and not accepted (exit 1); an unreachable registrar exits 4
# vm: own-boot
source "$(dirname "$0")/../lib.sh"

# The module loaded at boot, its log from a reset PCR 13: an honest device is affirming.
ip link set lo up
d=$(mktemp -d)
st=$d/state reg=$d/reg
rpid=

cleanup() {
	[[ -n $rpid ]] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
}
trap cleanup EXIT

sql() { sqlite3 -batch -noheader "$reg/registrar.db" "$1"; }

# start_registrar: tao-registrar -c $reg/registrar.conf in the background; sets $url. (Not
# through check: that runs its command in a subshell, which would wait for the server.)
start_registrar() {
	: >"$d/reg.log"
	tao-registrar -c "$reg/registrar.conf" >/dev/null 2>>"$d/reg.log" &
	rpid=$!
	local port=
	for _ in $(seq 150); do
		port=$(sed -n 's/.*event=listening .*address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$d/reg.log")
		[[ -n $port ]] && break
		sleep 0.1
	done
	url=https://127.0.0.1:$port
	[[ -n $port ]]
}
stop_registrar() {
	kill -TERM "$rpid" && wait "$rpid"
	local rc=$?
	rpid=
	return $rc
}

check "tao-registrar init" tao-registrar init "$reg" --listen 127.0.0.1:0
out=$(taoctl provision --factory --ca "$reg/factory-ca" --state-dir "$st" --serial SN-ATTEST \
	--force --json 2>&1)
check_eq "the simulated factory provisions the device from the registrar's factory CA" SN-ATTEST \
	"$(jq -r .serial <<<"$out" 2>/dev/null || echo "$out")"
cp "$reg/operator-ca/ca.pem" "$st/registrar-ca.pem"
start_registrar
check_eq "the registrar starts" 0 "$?"

# --- an honest device ---
out=$(taoctl attest --registrar "$url" --state-dir "$st" --json 2>"$d/attest.err")
rc=$?
check_eq "taoctl attest exits 0 (affirming)" 0 "$rc"
check_eq "the registrar's result is affirming" affirming \
	"$(jq -r '.result.submods.tpm["ear.status"]' <<<"$out" 2>/dev/null || echo "$out $(cat "$d/attest.err")")"
check_eq "the registrar names the device" SN-ATTEST "$(jq -r '.result["tao.device"]' <<<"$out" 2>/dev/null)"
check_eq "the session check passed (the evidence's TLS leaf is the connection's)" pass \
	"$(jq -r '.result.submods.tpm["tao.checks"].session.result' <<<"$out" 2>/dev/null)"
check_eq "the registrar stored one accepted attestation" "1|affirming" \
	"$(sql "SELECT count(*), max(status) FROM attestations WHERE accepted = 1")"
id1=$(jq -r '.result["tao.attestation_id"]' <<<"$out" 2>/dev/null)

# Human output, and a second session: counters move forward.
out=$(taoctl attest --registrar "$url" --state-dir "$st" 2>&1)
rc=$?
check_eq "a second attestation is affirming too" 0 "$rc"
check_match "the human output says affirming" "affirming" "$out"
check_eq "the second passed the counters check" \
	"pass" "$(sql "SELECT json_extract(result_json, '$.submods.tpm.\"tao.checks\".counters.result') FROM attestations ORDER BY id DESC LIMIT 1")"
check_eq "two accepted attestations, one device" "2|1" \
	"$(sql "SELECT (SELECT count(*) FROM attestations WHERE accepted = 1), (SELECT count(*) FROM devices)")"
check_match "the registrar logged the attestation" "event=attest .*serial=SN-ATTEST status=affirming" \
	"$(cat "$d/reg.log")"
check "the first attestation id was reported" test -n "$id1"

# --- the module reloaded: its log starts from a non-zero PCR (a warning, still accepted) ---
reload_module
check "bind the IAK again" taoctl bind iak 0x81020000
check "bind the IDevID again" taoctl bind idevid 0x81020001
out=$(taoctl attest --registrar "$url" --state-dir "$st" --json 2>/dev/null)
check_eq "a reloaded module: taoctl attest exits 3 (warning)" 3 "$?"
check_eq "the warning is log_origin's" "warning|warn" \
	"$(jq -r '[.result.submods.tpm["ear.status"], .result.submods.tpm["tao.checks"].log_origin.result] | join("|")' <<<"$out" 2>/dev/null)"
check_eq "a warning is accepted" "3" "$(sql "SELECT count(*) FROM attestations WHERE accepted = 1")"

# --- an event the policy does not allow ---
printf 'x' >"$d/app.bin"
check "measure an application event" taoctl measure --type 7 --name unlisted-app --data-file "$d/app.bin"
out=$(taoctl attest --registrar "$url" --state-dir "$st" --json 2>/dev/null)
rc=$?
check_eq "an unlisted event: taoctl attest exits 1" 1 "$rc"
check_eq "an unlisted event is contraindicated by policy_events" "contraindicated|fail" \
	"$(jq -r '[.result.submods.tpm["ear.status"], .result.submods.tpm["tao.checks"].policy_events.result] | join("|")' <<<"$out" 2>/dev/null)"
check_eq "and not accepted" "3" "$(sql "SELECT count(*) FROM attestations WHERE accepted = 1")"

# --- a PCR outside policy: a reference value for PCR 0 that is not the device's ---
stop_registrar
check_eq "SIGTERM stops the registrar" 0 "$?"
jq '.events += [{"type": 7, "name": "unlisted-app"}] | .pcrs = [{"alg": 11, "pcr": 0, "digest": "00000000000000000000000000000000000000000000000000000000000000ff"}]' \
	"$reg/policy.json" >"$d/policy.json" && cp "$d/policy.json" "$reg/policy.json"
start_registrar
check_eq "the registrar restarts with the new policy" 0 "$?"
out=$(taoctl attest --registrar "$url" --state-dir "$st" --json 2>/dev/null)
rc=$?
check_eq "a PCR outside policy: taoctl attest exits 1" 1 "$rc"
check_eq "a PCR outside policy is contraindicated by policy_pcrs" "contraindicated|fail" \
	"$(jq -r '[.result.submods.tpm["ear.status"], .result.submods.tpm["tao.checks"].policy_pcrs.result] | join("|")' <<<"$out" 2>/dev/null)"
check_eq "still three accepted attestations" "3" "$(sql "SELECT count(*) FROM attestations WHERE accepted = 1")"

# --- the registrar unreachable ---
stop_registrar
check_eq "SIGTERM stops the registrar again" 0 "$?"
taoctl attest --registrar "$url" --state-dir "$st" >"$d/down.out" 2>&1
check_eq "an unreachable registrar: exit 4" 4 "$?"
check_match "and says so" "cannot reach the registrar" "$(cat "$d/down.out")"
check_eq "no transient objects left in the TPM" "" "$(tpm2_getcap handles-transient 2>/dev/null)"
