#!/bin/bash
# test: taoctl's errors are precise (module missing, bad usage)
source "$(dirname "$0")/../lib.sh"

rmmod tao
# The module could be auto-loaded through its family alias; it is not
# installed under /lib/modules here, so resolving the family fails.
out=$(taoctl info 2>&1)
check_eq "taoctl info without the module exits 1" 1 $?
check_match "and says the module is not loaded" 'tao kernel module is not loaded' "$out"
out=$(taoctl info --json 2>&1 >/dev/null)
check_eq "--json without the module exits 1" 1 $?
check_match "--json error goes to stderr" 'not loaded' "$out"
insmod "$TAO_KMOD"

taoctl no-such-command >/dev/null 2>&1
check_eq "unknown command exits 2" 2 $?
taoctl info --no-such-option >/dev/null 2>&1
check_eq "unknown option exits 2" 2 $?
check_match "--help documents info" 'info' "$(taoctl --help 2>&1)"
check "taoctl --version" taoctl --version
