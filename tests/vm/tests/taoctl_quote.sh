#!/bin/bash
# test: taoctl quote writes files tpm2_checkquote verifies; log --replay explains the quoted PCR
# vm: pcr-banks=sha1,sha256
source "$(dirname "$0")/../lib.sh"

reload_module
d=$(mktemp -d)
check "an IAK (tpm2-tools)" make_key 0x81010002
out=$(taoctl bind iak 0x81010002 --json)
check_eq "taoctl bind iak logs the binding as entry 1" 1 "$(jq -r .seq <<<"$out")"
out=$(taoctl bind iak 0x81010002 --json)
check_eq "binding the same key again logs nothing" null "$(jq -r .seq <<<"$out")"
check "taoctl measure --data" taoctl measure --type 5 --name config --data 'hello'
printf 'some file\n' >"$d/f"
check "taoctl measure --data-file" taoctl measure --type 6 --name file --data-file "$d/f"
check "taoctl measure --digest (both banks)" taoctl measure --type 0x10 --name dig \
	--digest "sha1:$(printf %040d 1)" --digest "sha256:$(printf %064d 2)"
check_fails "taoctl measure --digest for one bank of two is refused" \
	taoctl measure --type 0x10 --name dig --digest "sha256:$(printf %064d 2)"

nonce=00112233445566778899aabbccddeeff
check "taoctl quote --out" taoctl quote --nonce $nonce --pcrs sha256:0,1,7,13+sha1:13 --out "$d/q"
for f in quote.msg quote.sig quote.pcrs ak.pub.pem quote.json; do
	check "quote wrote $f" test -s "$d/q/$f"
done
check "tpm2_checkquote verifies the quote and nonce" tpm2_checkquote -u "$d/q/ak.pub.pem" \
	-m "$d/q/quote.msg" -s "$d/q/quote.sig" -f "$d/q/quote.pcrs" -g sha256 -q $nonce
check_fails "tpm2_checkquote refuses another nonce" tpm2_checkquote -u "$d/q/ak.pub.pem" \
	-m "$d/q/quote.msg" -s "$d/q/quote.sig" -f "$d/q/quote.pcrs" -g sha256 -q 00112234
n=$(jq -r .log_entries "$d/q/quote.json")
check_eq "the quote covers the 5 entries logged so far" 5 "$n"
replay=$(taoctl log --replay --count "$n" --json | jq -r '.replay.pcrs.sha256')
check_eq "log --replay of those entries = the quoted sha256 PCR 13" \
	"$(jq -r '.pcrs.sha256["13"]' "$d/q/quote.json")" "$replay"
replay1=$(taoctl log --replay --json | jq -r '.replay.pcrs.sha1')
check_eq "log --replay = tpm2_pcrread sha1:13" \
	"$(tpm2_pcrread sha1:13 | awk '/13 *:/ { print tolower($NF) }' | sed 's/^0x//')" "$replay1"
check_eq "log JSON: entry 0 is the module's load" module_load \
	"$(taoctl log --json | jq -r '.entries[0].type_name')"
check_eq "log JSON: the data of entry 2 is 'hello' (base64)" aGVsbG8= \
	"$(taoctl log --json | jq -r '.entries[2].data')"

pcrs=$(taoctl pcrs --pcrs sha256:0-23 --json)
theirs=$(tpm2_pcrread sha256 | awk '/^    [0-9]+ *: 0x/ { v = $NF; sub("0x", "", v); print tolower(v) }')
check_eq "taoctl pcrs = tpm2_pcrread (sha256, 24 PCRs)" "$theirs" \
	"$(jq -r '.pcrs.sha256 | to_entries | sort_by(.key | tonumber) | .[].value' <<<"$pcrs")"

# A key swapped under the binding.
check "another key at 0x81010002" make_key 0x81010002
check_eq "taoctl keys shows the swap" mismatch \
	"$(taoctl keys --json | jq -r '.[] | select(.role == "iak") | .status')"
out=$(taoctl quote --nonce $nonce --out "$d/q2" 2>&1)
check_match "taoctl quote with the swapped key fails and says why" 'not the bound key' "$out"
check_fails "and writes nothing" test -e "$d/q2/quote.msg"
info=$(taoctl info --json)
check_eq "the mismatch is counted" 1 "$(jq -r .log.stats.key_mismatch <<<"$info")"

check_eq "taoctl random 32 --hex gives 64 hex digits" 64 "$(taoctl random 32 --hex | tr -d '\n' | wc -c)"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups taoctl measure --type 1 --name x --data y 2>&1)
check_match "taoctl measure as nobody: permission denied" '[Pp]ermission denied' "$out"
tpm2_evictcontrol -C o -c 0x81010002 >/dev/null
rm -rf "$d"
check_eq "no kernel warnings" "" "$(kernel_problems)"
