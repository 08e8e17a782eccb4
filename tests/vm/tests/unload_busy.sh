#!/bin/bash
# test: unloading the module with requests in flight is safe
source "$(dirname "$0")/../lib.sh"

reload_module
check "an IAK" make_key 0x81010006
for round in 1 2 3 4 5; do
	taotest bind 1 0x81010006 >/dev/null
	pids=()
	taotest fill 100000 >/dev/null 2>&1 & pids+=($!)
	taotest race 1 2 1000 >/dev/null 2>&1 & pids+=($!)
	(for i in $(seq 1 200); do taotest check-log >/dev/null 2>&1; done) & pids+=($!)
	sleep 1
	# rmmod waits for handlers in flight; a running dump holds a module
	# reference, so rmmod may have to try again.
	for try in $(seq 1 50); do rmmod tao 2>/dev/null && break; sleep 0.1; done
	[[ -d /sys/module/tao ]] && fail "round $round: the module would not unload"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	insmod "$TAO_KMOD" || fail "round $round: reload failed"
done
pass "5 rounds of rmmod under MEASURE, QUOTE and LOG_GET load"
check "the module works after" taotest check-log
tpm2_evictcontrol -C o -c 0x81010006 >/dev/null
check_eq "no kernel warnings" "" "$(kernel_problems)"
