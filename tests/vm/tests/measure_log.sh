#!/bin/bash
# test: MEASURE extends the PCR so that an independent replay of LOG_GET reproduces it
source "$(dirname "$0")/../lib.sh"

reload_module
pcr_before=$(tpm2_pcrread sha256:13 | awk '/13 *:/ { print tolower($NF) }')
out=$(taotest check-log 1)
rc=$?
check_eq "a fresh log holds only the module's load" "0 0" "$rc $(grep -c '^FAIL' <<<"$out")"
check_match "the load event is measured" 'tao: measurement log started in PCR 13' "$(dmesg)"

taotest fill 200 100 >/dev/null
check "200 MEASUREs with data" test $? -eq 0
taotest measure-digests by-digest >/dev/null
check "a MEASURE with digests" test $? -eq 0
out=$(taotest check-log 202)
rc=$?
echo "$out" | grep -v '^PASS'
check_eq "LOG_GET is complete, in order, and its replay equals the PCR" "0 0" \
	"$rc $(grep -c '^FAIL' <<<"$out")"
pcr_after=$(tpm2_pcrread sha256:13 | awk '/13 *:/ { print tolower($NF) }')
[[ $pcr_before != "$pcr_after" ]]
check "the TPM's PCR 13 moved (tpm2_pcrread)" test $? -eq 0

# Reloading starts a new log whose first entry records where the PCR stood.
reload_module
out=$(taotest check-log 1)
rc=$?
check_eq "after a reload the replay starts from the PCR value at load" "0 0" \
	"$rc $(grep -c '^FAIL' <<<"$out")"
check_eq "no kernel warnings" "" "$(kernel_problems)"
