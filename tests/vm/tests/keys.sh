#!/bin/bash
# test: key binding is measured, idempotent, and a key swapped at a bound handle is refused
source "$(dirname "$0")/../lib.sh"

reload_module
H=0x81010003
check "a restricted signing key at $H" make_key $H
check "bind IAK" taotest bind 1 $H
n1=$(taotest check-log | sed -n 's/^entries=\([0-9]*\).*/\1/p')
check "bind IAK again to the same key" taotest bind 1 $H
n2=$(taotest check-log | sed -n 's/^entries=\([0-9]*\).*/\1/p')
check_eq "binding the same key again measures nothing" "$n1" "$n2"
check_eq "a quote with the bound key works" "quote=ok" "$(taotest quote 1 | cut -d' ' -f1)"

# Evict the key and put another at the same handle.
check "another key at the same handle" make_key $H
out=$(taotest quote 1)
check_match "QUOTE with the swapped key is refused" '^quote=EKEYREJECTED' "$out"
check_match "and says why" 'not the bound key' "$out"
check_match "the kernel log reports it" 'is not the one bound; refused' "$(dmesg)"

tpm2_evictcontrol -C o -c $H >/dev/null
check_match "QUOTE with the key gone is refused" '^quote=ENOKEY' "$(taotest quote 1)"

# Rebinding to the new key is allowed and measured.
check "a key at $H again" make_key $H
check "rebind IAK to the new key" taotest bind 1 $H
n3=$(taotest check-log | sed -n 's/^entries=\([0-9]*\).*/\1/p')
check_eq "the rebinding is measured" "$((n2 + 1))" "$n3"
check_eq "a quote with the rebound key works" "quote=ok" "$(taotest quote 1 | cut -d' ' -f1)"

# An unrestricted key without a scheme signs with ECDSA/SHA-256.
check "an unrestricted signing key at 0x81010004" make_key 0x81010004 'sign|fixedtpm|fixedparent|sensitivedataorigin|userwithauth'
check "bind it as AK" taotest bind 4 0x81010004
check_eq "it quotes" "quote=ok" "$(taotest quote 4 | cut -d' ' -f1)"
check_match "a role never bound is refused" '^quote=ENOKEY' "$(taotest quote 3)"
tpm2_evictcontrol -C o -c $H >/dev/null
tpm2_evictcontrol -C o -c 0x81010004 >/dev/null
left=$(TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap handles-transient 2>&1)
check_eq "no transient handles left" "" "$left"
check_eq "no kernel warnings" "" "$(kernel_problems)"
