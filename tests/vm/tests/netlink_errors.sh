#!/bin/bash
# test: malformed and unexpected netlink requests get precise errors, change nothing
source "$(dirname "$0")/../lib.sh"

nlprobe
check_eq "nlprobe finished" 0 $?
check_eq "module still answers" tpm2 "$(taoctl info --json | jq -r .tpm.state)"
check_eq "no kernel warnings" "" "$(kernel_problems)"
