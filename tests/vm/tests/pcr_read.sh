#!/bin/bash
# test: PCR_READ equals tpm2_pcrread for every PCR of every active bank (three banks)
# vm: pcr-banks=sha1,sha256,sha384
source "$(dirname "$0")/../lib.sh"

reload_module
ours=$(taotest pcrs | sort)
theirs=$(tpm2_pcrread | awk '
	/^  [a-z0-9]+:$/ { alg = $1; sub(":", "", alg); next }
	/^    [0-9]+ *: 0x/ { i = $1; sub(":", "", i); v = $NF; sub("0x", "", v);
			      print alg ":" i " " tolower(v) }' | sort)
check_eq "72 values read (3 banks x 24 PCRs)" 72 "$(wc -l <<<"$ours")"
check_eq "PCR_READ = tpm2_pcrread, every PCR of every bank" "$theirs" "$ours"

taotest fill 20 >/dev/null
taotest measure-digests digests-entry >/dev/null
check "a MEASURE with digests for all three banks" test $? -eq 0
out=$(taotest check-log 22)
check_eq "replay of the log equals the log PCR in all three banks" "0 0" \
	"$? $(grep -c '^FAIL' <<<"$out")"
check_match "the log has entry 0, 20 data entries and 1 digest entry" 'entries=22 ' "$out"
check_eq "no kernel warnings" "" "$(kernel_problems)"
