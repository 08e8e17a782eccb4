#!/bin/bash
# test: with no TPM device the module loads, says so, and reports state none
# vm: no-tpm
source "$(dirname "$0")/../lib.sh"

check_fails "the VM really has no TPM" test -e /dev/tpm0
check "module is loaded" test -d /sys/module/tao
check_match "dmesg says no TPM was found" 'tao: no TPM found' "$(dmesg)"

json=$(taoctl info --json)
check_eq "taoctl info --json exits 0" 0 $?
check_eq "state is none" none "$(jq -r .tpm.state <<<"$json")"
check_eq "present is false" false "$(jq -r .tpm.present <<<"$json")"
check_eq "no device, no banks" "null null" "$(jq -r '"\(.tpm.device) \(.tpm.pcr_banks)"' <<<"$json")"

human=$(taoctl info)
check_eq "taoctl info exits 0" 0 $?
check_match "human output says there is no TPM" '[Nn]o TPM' "$human"
for i in 1 2 3; do taoctl info >/dev/null; done
check "reload without a TPM" sh -c "rmmod tao && insmod '$TAO_KMOD'"
check_eq "no kernel warnings" "" "$(kernel_problems)"
