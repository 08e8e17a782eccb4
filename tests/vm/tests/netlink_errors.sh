#!/bin/bash
# test: malformed, unexpected and unprivileged requests get precise errors and change nothing
source "$(dirname "$0")/../lib.sh"

pcr_before=$(tpm2_pcrread sha256:13)
nlprobe
check_eq "nlprobe (malformed requests) finished" 0 $?
nlprobe --as-nobody
check_eq "nlprobe --as-nobody (privileged commands refused) finished" 0 $?
check_eq "the log PCR did not change" "$pcr_before" "$(tpm2_pcrread sha256:13)"
check_eq "module still answers" tpm2 "$(taoctl info --json | jq -r .tpm.state)"
check_eq "no kernel warnings" "" "$(kernel_problems)"
