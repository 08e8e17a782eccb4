#!/bin/bash
# test: MEASURE and KEY_BIND are announced on the "events" group, which nobody may not join
source "$(dirname "$0")/../lib.sh"

reload_module
out=$(mktemp)
taotest events 3 20 >"$out" &
pid=$!
for i in $(seq 1 50); do grep -q join=ok "$out" && break; sleep 0.1; done
taotest fill 1 >/dev/null
check "a key to bind" make_key 0x81010005
taotest bind 4 0x81010005
wait $pid
check_eq "the listener saw three events" 0 $?
check_match "a measurement event with its name" 'event measured seq=1 type=7 name=fill-0' "$(cat "$out")"
check_match "the binding's measurement" 'event measured seq=2 type=4294901762' "$(cat "$out")"
check_match "the key-bound event" 'event key-bound role=4 handle=0x81010005' "$(cat "$out")"
rm -f "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups taotest events 1 1 2>&1)
check_match "nobody may not join the events group" '^join=.*(ermission|ot permitted)' "$out"
tpm2_evictcontrol -C o -c 0x81010005 >/dev/null
check_eq "no kernel warnings" "" "$(kernel_problems)"
