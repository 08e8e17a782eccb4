#!/bin/bash
# test: taoctl provision --factory/--existing: TPM keys, CA-issued certificates, roles bound; ldevid create
source "$(dirname "$0")/../lib.sh"

reload_module
d=$(mktemp -d)
ca=$d/ca st=$d/state
IAK=0x81020000 IDEVID=0x81020001 LDEVID=0x81020002

out=$(taoctl provision --factory --ca "$ca" --state-dir "$st" --serial SN-0042 --json 2>&1)
check_eq "provision --factory succeeds" SN-0042 "$(jq -r .serial <<<"$out" 2>/dev/null || echo "$out")"
check_eq "provision reports the CA as created" true "$(jq -r .ca_created <<<"$out" 2>/dev/null)"
for f in ca/ca.key ca/ca.pem state/iak.pem state/idevid.pem state/manufacturer-ca.pem \
	state/idevid.certify.attest state/idevid.certify.sig state/idevid.tpmt state/device.json; do
	check "provision wrote $f" test -s "$d/$f"
done
check_eq "the CA key is private (0600)" 600 "$(stat -c %a "$ca/ca.key")"
check "openssl verify: IAK certificate chains to the CA" openssl verify -CAfile "$ca/ca.pem" "$st/iak.pem"
check "openssl verify: IDevID certificate chains to the CA" \
	openssl verify -CAfile "$ca/ca.pem" -purpose sslclient "$st/idevid.pem"
serial_of() { openssl x509 -noout -subject -nameopt multiline -in "$1" 2>&1 | awk -F' = ' '/serialNumber/ { print $2 }'; }
check_eq "IAK certificate names serial SN-0042" SN-0042 "$(serial_of "$st/iak.pem")"
check_eq "IDevID certificate names serial SN-0042" SN-0042 "$(serial_of "$st/idevid.pem")"
text=$(openssl x509 -noout -text -in "$st/iak.pem")
check_match "IAK certificate: EKU tcg-kp-AIKCertificate" '2\.23\.133\.8\.3' "$text"
check_match "IAK certificate: policy verifiedTPMRestricted" '2\.23\.133\.11\.1\.3' "$text"
check_match "IAK certificate: keyUsage digitalSignature" 'Digital Signature' "$text"
text=$(openssl x509 -noout -text -in "$st/idevid.pem")
check_match "IDevID certificate: EKU clientAuth" 'TLS Web Client Authentication' "$text"
check_match "IDevID certificate: no expiry (802.1AR)" 'Not After : Dec 31 23:59:59 9999 GMT' "$text"

keys=$(taoctl keys --json)
check_eq "taoctl keys: iak bound, ok" "$IAK ok" \
	"$(jq -r '.[] | select(.role == "iak") | "\(.handle) \(.status)"' <<<"$keys")"
check_eq "taoctl keys: idevid bound, ok" "$IDEVID ok" \
	"$(jq -r '.[] | select(.role == "idevid") | "\(.handle) \(.status)"' <<<"$keys")"
for k in iak:$IAK idevid:$IDEVID; do
	role=${k%%:*} h=${k#*:}
	tpm2_readpublic -c "$h" -f pem -o "$d/$role.tpm.pem" >/dev/null 2>&1
	check_eq "$role certificate key = tpm2_readpublic -f pem of $h" \
		"$(openssl pkey -pubin -in "$d/$role.tpm.pem" -outform der | sha256sum)" \
		"$(openssl x509 -in "$st/$role.pem" -noout -pubkey | openssl pkey -pubin -outform der | sha256sum)"
done
attrs=$(tpm2_readpublic -c $IAK)
check_match "the IAK is a restricted signing key" 'restricted' "$attrs"
check_match "the IAK is fixedtpm|fixedparent|sensitivedataorigin|userwithauth" \
	'fixedtpm\|fixedparent\|sensitivedataorigin\|userwithauth' "$attrs"
check_fails "the IDevID is not restricted" grep -q restricted <<<"$(tpm2_readpublic -c $IDEVID)"
# Power cuts count as failed authorizations; DA-protected keys would lock out (provisioning.md).
check_match "the IAK is noda" 'noda' "$attrs"
check_match "the IDevID is noda" 'noda' "$(tpm2_readpublic -c $IDEVID)"
# The IAK's certification of the IDevID: checked with tpm2-tools' own parser.
check_match "idevid.certify.attest is a TPMS_ATTEST of type certify" 'type: 8017|ATTEST_CERTIFY' \
	"$(tpm2_print -t TPMS_ATTEST "$st/idevid.certify.attest" 2>&1)"

out=$(taoctl provision --factory --ca "$ca" --state-dir "$st" 2>&1)
rc=$?
check_eq "a second provision --factory is refused (exit 1)" 1 "$rc"
check_match "and says the handle is in use and --force" '0x81020000.*already holds a key.*--force' "$out"
check_eq "the IAK is unchanged after the refusal" "$(jq -r .iak.name "$st/device.json")" \
	"$(taoctl keys --json | jq -r '.[] | select(.role == "iak") | .name')"
out=$(taoctl provision --factory --ca "$ca" --state-dir "$d/state2" --serial SN-0043 --force --json 2>&1)
check_eq "provision --factory --force replaces the keys, reuses the CA" "SN-0043 false" \
	"$(jq -r '"\(.serial) \(.ca_created)"' <<<"$out" 2>/dev/null || echo "$out")"
# Primaries of the endorsement hierarchy: the same template gives the same key back.
check_eq "the re-created IAK is the same key (same Name)" "$(jq -r .iak.name "$st/device.json")" \
	"$(jq -r .iak.name <<<"$out")"

# Existing factory keys: the right certificates are accepted, wrong ones and missing keys not.
out=$(taoctl provision --existing --iak-cert "$d/state2/iak.pem" --idevid-cert "$d/state2/idevid.pem" \
	--state-dir "$d/state3" --json 2>&1)
check_eq "provision --existing with the matching certificates" "existing SN-0043" \
	"$(jq -r '"\(.mode) \(.serial)"' <<<"$out" 2>/dev/null || echo "$out")"
check "--existing copied the IDevID certificate" cmp "$d/state2/idevid.pem" "$d/state3/idevid.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/other.key" \
	-out "$d/other.pem" -subj /CN=other -days 1 >/dev/null 2>&1
out=$(taoctl provision --existing --iak-cert "$d/other.pem" --idevid-cert "$d/state2/idevid.pem" \
	--state-dir "$d/state4" 2>&1)
check_match "--existing with another key's certificate is refused" 'is not for the IAK.*public key differs' "$out"
out=$(taoctl provision --existing --iak-cert "$d/state2/iak.pem" --idevid-cert "$d/state2/iak.pem" \
	--state-dir "$d/state4" 2>&1)
check_match "--existing with the IAK's certificate as the IDevID's is refused" 'not for the IDevID' "$out"
out=$(taoctl provision --existing --idevid-handle 0x81020077 --iak-cert "$d/state2/iak.pem" \
	--idevid-cert "$d/state2/idevid.pem" --state-dir "$d/state4" 2>&1)
check_match "--existing with a missing key is refused clearly" 'no IDevID key at persistent handle 0x81020077' "$out"
check_fails "nothing was written for the refused --existing" test -e "$d/state4/iak.pem"
check_fails "and nothing created at 0x81020077" tpm2_readpublic -c 0x81020077

# Errors: an unwritable CA directory, the module missing.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups taoctl provision --factory --ca /proc/nope 2>&1)
check_match "provision as nobody fails with a precise message" 'cannot reach a TPM through TCTI' "$out"
out=$(taoctl provision --factory --ca /proc/sys/tao-ca --state-dir "$d/s5" 2>&1)
check_match "an unwritable CA directory is named" "manufacturer CA: creating the CA directory /proc/sys/tao-ca" "$out"

# LDevID: a CSR signed in the TPM, certified by the IAK.
out=$(taoctl ldevid create --subject 'CN=dev-42,O=tao tests' --csr-out "$d/ldevid.csr" \
	--certify-out "$d/ld" --state-dir "$d/state2" --json 2>&1)
check_eq "ldevid create" "$LDEVID" "$(jq -r .handle <<<"$out" 2>/dev/null || echo "$out")"
check "openssl req -verify accepts the TPM-signed CSR" openssl req -verify -noout -in "$d/ldevid.csr"
check_match "the CSR has the subject asked for" 'CN ?= ?dev-42' \
	"$(openssl req -noout -subject -in "$d/ldevid.csr")"
tpm2_readpublic -c $LDEVID -f pem -o "$d/ld.tpm.pem" >/dev/null 2>&1
check_eq "the CSR's key is the TPM key at $LDEVID" \
	"$(openssl pkey -pubin -in "$d/ld.tpm.pem" -outform der | sha256sum)" \
	"$(openssl req -in "$d/ldevid.csr" -noout -pubkey | openssl pkey -pubin -outform der | sha256sum)"
for f in ldevid.certify.attest ldevid.certify.sig ldevid.tpmt ldevid.pub.pem; do
	check "ldevid wrote $f" test -s "$d/ld/$f"
done
qual=$(jq -r .certify_qualifying_data <<<"$out")
check_eq "the certification's qualifying data = SHA-256 of the CSR's DER" \
	"$(openssl req -in "$d/ldevid.csr" -outform der | sha256sum | cut -d' ' -f1)" "$qual"
check_fails "ldevid create refuses an occupied handle" taoctl ldevid create --csr-out "$d/x.csr" \
	--state-dir "$d/state2"
check_eq "the LDevID role is not bound yet" "" \
	"$(taoctl keys --json | jq -r '.[] | select(.role == "ldevid") | .handle')"

for h in $IAK $IDEVID $LDEVID; do tpm2_evictcontrol -C o -c $h >/dev/null 2>&1; done

# A run that fails after creating the keys (here: root without CAP_NET_ADMIN cannot bind) evicts them.
out=$(setpriv --bounding-set -net_admin --inh-caps -net_admin taoctl provision --factory --ca "$ca" \
	--state-dir "$d/s6" 2>&1)
check_match "provision without CAP_NET_ADMIN fails at binding, says so" 'binding iak: permission denied' "$out"
check_match "and removes the keys it created" 'removed the key this run created at 0x81020001' "$out"
check_fails "the IAK handle is free again" tpm2_readpublic -c $IAK
check_fails "the IDevID handle is free again" tpm2_readpublic -c $IDEVID
rm -rf "$d"
check_eq "no kernel warnings" "" "$(kernel_problems)"
