#!/bin/bash
# test: a full log refuses MEASURE with ENOSPC and changes nothing; 100,000 entries dump complete
source "$(dirname "$0")/../lib.sh"

reload_module log_max_bytes=131072
out=$(taotest fill 100000 64 2>&1)
check_match "MEASURE into a full log fails with ENOSPC" 'No space left on device.*log is full' "$out"
n=$(sed -n 's/^filled=\([0-9]*\).*/\1/p' <<<"$out")
check_match "the log took entries until it was full" '^[0-9]{3,}$' "$n"
pcr=$(tpm2_pcrread sha256:13)
check_fails "another MEASURE of the same size is refused" taotest fill 1 64
check_eq "a refused MEASURE does not extend the PCR" "$pcr" "$(tpm2_pcrread sha256:13)"
out=$(taotest check-log $((n + 1)))
check_eq "the full log is intact and replays to the PCR" "0 0" "$? $(grep -c '^FAIL' <<<"$out")"

reload_module
t0=$(date +%s)
taotest fill 99999 16 >/dev/null
check "99,999 MEASUREs" test $? -eq 0
out=$(taotest check-log 100000)
rc=$?
echo "$out" | grep -v '^PASS'
echo "fill took $(($(date +%s) - t0)) s"
check_eq "a 100,000-entry log dumps complete, in order, and replays to the PCR" "0 0" \
	"$rc $(grep -c '^FAIL' <<<"$out")"
reload_module
check_eq "no kernel warnings" "" "$(kernel_problems)"
