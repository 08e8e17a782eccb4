#!/bin/bash
# test: the "tao" family is visible to independent tools (iproute2, libnl)
source "$(dirname "$0")/../lib.sh"

out=$(genl ctrl get name tao 2>&1)
check_match "iproute2 genl resolves family tao" 'Name: tao' "$out"
check_match "family version is 1" 'Version: 0x1[^0-9a-f]' "$out"
check_match "GET_INFO (command 1) is registered" 'ID-0x1[^0-9a-f]' "$out"

out=$(genl-ctrl-list 2>&1)
check_match "libnl genl-ctrl-list lists tao version 1" '0x[0-9a-f]+ tao version 1' "$out"

rmmod tao
check_fails "family disappears when the module unloads" genl ctrl get name tao
insmod "$TAO_KMOD"
check "family comes back on reload" genl ctrl get name tao
check_eq "no kernel warnings" "" "$(kernel_problems)"
