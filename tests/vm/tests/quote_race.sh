#!/bin/bash
# test: quotes taken while other threads MEASURE always match the log prefix they name
source "$(dirname "$0")/../lib.sh"

reload_module
check "an IAK at 0x81010002 (tpm2-tools)" make_key 0x81010002
check "bind it to role IAK" taotest bind 1 0x81010002
out=$(taotest race 4 4 50)
rc=$?
echo "$out"
check_eq "race: taotest succeeded and no check failed" "0 0" "$rc $(grep -c '^FAIL' <<<"$out")"
out=$(taotest check-log 202)
rc=$?
check_eq "the log after the race is intact (1 + bind + 200 entries)" "0 0" "$rc $(grep -c '^FAIL' <<<"$out")"
tpm2_evictcontrol -C o -c 0x81010002 >/dev/null
check_eq "no kernel warnings" "" "$(kernel_problems)"
