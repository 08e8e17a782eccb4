#!/bin/bash
# test: taoctl info agrees with tpm2_getcap in the same guest
source "$(dirname "$0")/../lib.sh"

json=$(taoctl info --json)
check_eq "taoctl info --json exits 0" 0 $?
check "output is a JSON object" test "$(jq -r type <<<"$json" 2>/dev/null)" = object
j() { jq -r "$1" <<<"$json"; }

caps=$(tpm2_getcap properties-fixed)
raw() { # raw PROPERTY -> lower-case 0x%08x
	local v
	v=$(awk -v p="$1:" '$1 == p { getline; print $2; exit }' <<<"$caps")
	printf '0x%08x' "$((v))"
}

check_eq "state is tpm2" "tpm2" "$(j .tpm.state)"
check_eq "present is true" "true" "$(j .tpm.present)"
check_eq "device is tpm0" "tpm0" "$(j .tpm.device)"
check_eq "module version matches modinfo" "$(modinfo -F version "$TAO_KMOD")" "$(j .module.version)"
check_eq "genl version 1" 1 "$(j .module.genl_version)"
check_eq "manufacturer id = TPM2_PT_MANUFACTURER" "$(raw TPM2_PT_MANUFACTURER)" "$(j .tpm.manufacturer_id)"
check_eq "firmware version 1 = TPM2_PT_FIRMWARE_VERSION_1" "$(raw TPM2_PT_FIRMWARE_VERSION_1)" "$(j .tpm.firmware_version_1)"
check_eq "firmware version 2 = TPM2_PT_FIRMWARE_VERSION_2" "$(raw TPM2_PT_FIRMWARE_VERSION_2)" "$(j .tpm.firmware_version_2)"
check_eq "spec revision = TPM2_PT_REVISION" "$(($(raw TPM2_PT_REVISION)))" "$(j .tpm.spec.revision)"
check_eq "spec year = TPM2_PT_YEAR" "$(($(raw TPM2_PT_YEAR)))" "$(j .tpm.spec.year)"
check_eq "spec day = TPM2_PT_DAY_OF_YEAR" "$(($(raw TPM2_PT_DAY_OF_YEAR)))" "$(j .tpm.spec.day_of_year)"

# The vendor string: the four words' bytes, most significant first, NULs dropped.
vendor=
for i in 1 2 3 4; do
	w=$(raw TPM2_PT_VENDOR_STRING_$i)
	for s in 24 16 8 0; do
		b=$(((w >> s) & 255))
		[[ $b != 0 ]] && vendor+=$(printf "\\x$(printf %02x "$b")")
	done
done
check_eq "vendor string = TPM2_PT_VENDOR_STRING_1..4" "$vendor" "$(j .tpm.vendor_string)"

# Active banks: those with at least one PCR selected.
active=$(tpm2_getcap pcrs | awk '/- [a-z0-9_]+: \[ [0-9]/ { sub(":", "", $2); print $2 }' | paste -sd, -)
check_eq "PCR banks = tpm2_getcap pcrs (active)" "$active" "$(j '[.tpm.pcr_banks[].algorithm] | join(",")')"
check_eq "sha256 digest size" 32 "$(j '.tpm.pcr_banks[] | select(.algorithm == "sha256") | .digest_size')"

human=$(taoctl info)
check_eq "taoctl info exits 0" 0 $?
check_match "human output names the TPM" 'TPM 2\.0' "$human"
check_match "human output names the manufacturer" 'IBM' "$human"
check_match "human output lists the PCR banks" 'sha256' "$human"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups taoctl info --json 2>&1)
check_eq "GET_INFO works unprivileged (nobody)" "tpm2" "$(jq -r .tpm.state <<<"$out" 2>&1)"
check_eq "no kernel warnings" "" "$(kernel_problems)"
