#!/bin/bash
# The in-guest half of tests/e2e/run: small, bounded actions whose results are
# lines "E2E key=value" for the host to check. Runs as root in the test VM
# (tests/vm/run), under busybox stage 2 (factory) or under systemd.
set -uo pipefail

say() { echo "E2E $*"; }

# factory SERIAL CA_DIR REGISTRAR_CA: the simulated factory provisions the
# device's TPM (IAK, IDevID) and writes its certificates to its disk.
factory() {
	local serial=$1 ca=$2 regca=$3 out
	out=$(taoctl provision --factory --ca "$ca" --state-dir /var/lib/tao --serial "$serial" \
		--force --json 2>&1)
	say "factory_rc=$?"
	say "factory_serial=$(jq -r .serial <<<"$out" 2>/dev/null || echo "$out" | tr '\n' ' ')"
	cp "$regca" /var/lib/tao/registrar-ca.pem && sync
	say "factory_files=$(cd /var/lib/tao && ls | tr '\n' ' ')"
}

prop() {
	busctl --system get-property org.tao.Agent1 /org/tao/Agent1 org.tao.Agent1 "$1" 2>/dev/null |
		sed -E 's/^[a-z] //; s/^"(.*)"$/\1/'
}

# report: what taod and systemd say now.
report() {
	local pid
	say "state=$(prop State)"
	say "result=$(prop LastResult)"
	say "device_id=$(prop DeviceId)"
	say "status_text=$(prop StatusText)"
	say "unit_active=$(systemctl is-active taod.service)"
	say "unit_result=$(systemctl show -P Result taod.service)"
	say "restarts=$(systemctl show -P NRestarts taod.service)"
	say "taod_ready_us=$(systemctl show -P ActiveEnterTimestampMonotonic taod.service)"
	say "multiuser_us=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)"
	pid=$(systemctl show -P MainPID taod.service)
	if [[ -n $pid && $pid != 0 ]]; then
		say "taod_hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
		say "taod_rss_anon_kb=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status")"
		say "taod_rss_file_kb=$(awk '/^RssFile/ {print $2}' "/proc/$pid/status")"
		say "taod_pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")"
		say "taod_user=$(stat -c %U "/proc/$pid")"
	fi
	say "taod_cpu_ns=$(systemctl show -P CPUUsageNSec taod.service)"
	say "module=$(lsmod | awk '$1 == "tao" {print "loaded"}')"
	say "state_file_enrolled=$(jq -r .enrolled /var/lib/tao/taod.json 2>/dev/null)"
	say "ldevid_pem=$([[ -s /var/lib/tao/ldevid.pem ]] && echo yes || echo no)"
	taoctl status --json >/tmp/status.json 2>&1
	say "taoctl_status_rc=$?"
	say "taoctl_status_state=$(jq -r .state /tmp/status.json 2>/dev/null)"
	say "ldevid_expires_us=$(prop LDevIDExpires)"
	say "taoctl_ldevid_expires=$(jq -r '.ldevid_expires // "none"' /tmp/status.json 2>/dev/null)"
	say "guest_now=$(date +%s)"
}

# wait_state STATE... [--timeout S]: until taod's State is one of STATEs.
wait_state() {
	local timeout=180 want=() s i
	while [[ $# -gt 0 ]]; do
		case $1 in
		--timeout) timeout=$2; shift ;;
		*) want+=("$1") ;;
		esac
		shift
	done
	for ((i = 0; i < timeout * 2; i++)); do
		s=$(prop State)
		for w in "${want[@]}"; do
			if [[ $s == "$w" ]]; then
				say "waited_ms=$((i * 500)) reached=$s"
				return 0
			fi
		done
		sleep 0.5
	done
	say "reached=timeout last_state=$s"
	journalctl -u taod.service --no-pager -n 40 -o cat | sed 's/^/journal: /'
	return 1
}

# first-boot: the unit must have become active (READY=1) by itself.
firstboot() {
	wait_state ready refused --timeout "${1:-240}"
	report
	journalctl -u taod.service --no-pager -o cat | sed 's/^/journal: /' | tail -n 30
	# Non-root callers may read, not act (the bus policy and taod's own check).
	setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system call org.tao.Agent1 \
		/org/tao/Agent1 org.tao.Agent1 Reattest >/tmp/nobody.out 2>&1
	say "nobody_reattest_rc=$? nobody_reattest=$(tr '\n' ' ' </tmp/nobody.out | cut -c1-120)"
	setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system get-property \
		org.tao.Agent1 /org/tao/Agent1 org.tao.Agent1 State >/dev/null 2>&1
	say "nobody_read_rc=$?"
}

# reattest: once the boot's own re-attestation is done ("attested as ..."),
# ask for another over D-Bus and wait until LastAttestation moves.
reattest() {
	local before after i mpid
	for ((i = 0; i < 480; i++)); do
		[[ $(prop State) == ready && $(prop StatusText) == attested* ]] && break
		sleep 0.5
	done
	say "boot_reattested=$(prop StatusText | cut -d' ' -f1)"
	before=$(prop LastAttestation)
	# What a D-Bus client sees meanwhile: PropertiesChanged signals.
	timeout 120 stdbuf -o0 busctl --system monitor org.tao.Agent1 >/tmp/monitor.txt 2>&1 &
	mpid=$!
	sleep 1
	taoctl status --reattest >/dev/null 2>&1
	say "reattest_rc=$?"
	sleep 1
	kill "$mpid" 2>/dev/null
	wait "$mpid" 2>/dev/null
	say "props_changed=$(grep -c 'Member=PropertiesChanged' /tmp/monitor.txt)"
	say "props_changed_last=$(grep -c '"LastAttestation"' /tmp/monitor.txt)"
	for ((i = 0; i < 120; i++)); do
		after=$(prop LastAttestation)
		[[ $after != "$before" ]] && break
		sleep 0.5
	done
	say "reattest_moved=$([[ $after != "$before" ]] && echo yes || echo no)"
	report
}

# retrying: while the registrar is down, taod retries and says so.
retrying() {
	local i st=
	wait_state retrying --timeout 180
	# The status of a failed attempt (the next attempt's "enrolling ..." may be up meanwhile).
	for ((i = 0; i < 120; i++)); do
		st=$(prop StatusText)
		[[ $st == *"retry in"* ]] && break
		sleep 0.25
	done
	say "status_while_down=$st"
	say "unit_while_down=$(systemctl is-active taod.service)"
	echo "@@E2E-RETRYING" >/dev/kmsg
	wait_state ready --timeout 240
	report
}

# demo: what make demo shows of the first boot: how the device came up, taod's
# journal as it happens until it is ready (or refused), then taoctl status.
demo() {
	local jpid
	echo "udev: $(udevadm info -q property -n /dev/tpmrm0 2>/dev/null | grep -E '^SYSTEMD_WANTS=' || true)"
	echo "module: $(lsmod | awk '$1 == "tao"')"
	echo "systemd: multi-user.target reached at $(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target |
		awk '{ printf "%.1f s", $1 / 1e6 }') of uptime"
	echo "--- journalctl -u taod -f"
	journalctl -u taod.service -f -n all -o short-monotonic --no-hostname &
	jpid=$!
	wait_state ready refused --timeout 300 >/dev/null
	sleep 1
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
	echo "--- taoctl status"
	taoctl status
	echo "--- systemctl status taod"
	SYSTEMD_COLORS=0 systemctl status --no-pager -n 0 taod.service | head -n 12
}

# ldevid_serial: the serial number of the LDevID taod holds (ldevid.pem), or "none".
ldevid_serial() {
	openssl x509 -in /var/lib/tao/ldevid.pem -noout -serial 2>/dev/null | cut -d= -f2 |
		grep . || echo none
}

# ldevid_cycle: the host revoked the device's LDevID and made the registrar issue
# short ones (shorter than taod's renew_before): taod enrolls again with the IDevID
# at boot, then renews the new LDevID at the next session (Reattest).
ldevid_cycle() {
	local i
	say "ldevid_before=$(ldevid_serial)"
	wait_state ready refused --timeout 300
	# "enrolled as ID: RESULT" (the boot's first "enrolled as ID; re-attesting" is not it)
	for ((i = 0; i < 240; i++)); do
		[[ $(prop State) == ready && $(prop StatusText) == "enrolled as "*": "* ]] && break
		sleep 0.5
	done
	say "fallback_status=$(prop StatusText | cut -d' ' -f1)"
	say "ldevid_fallback=$(ldevid_serial)"
	say "fallback_logged=$(journalctl -u taod.service -o cat | grep -c 'enrolling again with the IDevID')"
	say "revoked_logged=$(journalctl -u taod.service -o cat | grep -c 'it is revoked')"
	taoctl status --reattest --wait 180 >/tmp/renew.out 2>&1
	say "renew_rc=$?"
	say "ldevid_renewed=$(ldevid_serial)"
	say "renew_logged=$(journalctl -u taod.service -o cat | grep -c 'renewing the LDevID')"
	journalctl -u taod.service --no-pager -o cat | sed 's/^/journal: /' | tail -n 20
	report
}

# hold SECONDS: stay up (so that a retry storm would show), then report.
hold() {
	sleep "$1"
	report
}

"$@"
