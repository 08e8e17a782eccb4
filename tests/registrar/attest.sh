# SPDX-License-Identifier: GPL-2.0-only OR MIT
# Attested sessions against the running registrar, with devices simulated by tao-devsim on
# private swtpm instances (sourced by tests/registrar/run: $T, $URL, $CA, $DEVSIM, check, ...).
# The TLS key is the IDevID in the TPM, through libtao's provider and its HTTP/1.1 client on libssl.

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# start_swtpm NAME: a private swtpm on a free port pair below the ephemeral range; sets $tcti.
start_swtpm() {
	local name=$1 port pid
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 6000 * 2))
		listening "$port" || listening $((port + 1)) && continue
		mkdir -p "$T/$name-tpm"
		swtpm socket --tpm2 --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
			--ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
			--tpmstate "dir=$T/$name-tpm" --flags not-need-init,startup-clear \
			>"$T/$name-swtpm.log" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			if listening "$port"; then
				SWTPMS+=("$pid")
				tcti="swtpm:host=127.0.0.1,port=$port"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 1
}

accepted() { sql "SELECT count(*) FROM attestations a JOIN devices d ON d.id = a.device_id WHERE d.serial = '$1' AND a.accepted = 1"; }
# attest NAME OUT ARGS...: one session of device NAME (tao-devsim attest --json) into OUT.json
attest() {
	local name=$1 out=$2
	shift 2
	local tv=TCTI_$name
	"$DEVSIM" attest --tcti "${!tv}" --dir "$T/$name" --registrar "$URL" --ca "$CA" --json "$@" \
		>"$T/$out.json" 2>"$T/$out.err"
}

check "swtpm for device A" start_swtpm a
TCTI_a=$tcti
check "swtpm for device B" start_swtpm b
TCTI_b=$tcti
check "device A provisioned by the registrar's factory CA" "$DEVSIM" provision --tcti "$TCTI_a" \
	--ca-dir "$T/reg/factory-ca" --serial DEV-A --out "$T/a"
check "device B provisioned" "$DEVSIM" provision --tcti "$TCTI_b" --ca-dir "$T/reg/factory-ca" \
	--serial DEV-B --out "$T/b"

# --- an honest device ---
attest a honest --save-evidence "$T/a-session1.json"
check "an honest device: the session completes" test $? = 0
jqt "an honest device attests (affirming)" \
	'.submods.tpm["ear.status"] == "affirming" and .["tao.device"] == "DEV-A" and (.["tao.attestation_id"] | type == "number")' \
	"$T/honest.json"
jqt "the result says the session check passed" '.submods.tpm["tao.checks"].session.result == "pass"' "$T/honest.json"
jqt "the first attestation of a device skips the counters check" \
	'.submods.tpm["tao.checks"].counters.result == "skip"' "$T/honest.json"
check "the registrar stored one accepted attestation of A" test "$(accepted DEV-A)" = 1
attest a honest2
jqt "a second session: counters move forward" \
	'.submods.tpm["ear.status"] == "affirming" and .submods.tpm["tao.checks"].counters.result == "pass"' \
	"$T/honest2.json"
check "two accepted attestations of A" test "$(accepted DEV-A)" = 2

# --- the relay: evidence of one connection presented on another ---
attest a relay --evidence "$T/a-session1.json"
check "the relay: the session completes with a result" test $? = 0
jqt "the relay is contraindicated: the quote is not bound to this session" \
	'.submods.tpm["ear.status"] == "contraindicated" and (.submods.tpm["tao.checks"].quote.reason | test("extraData is not this session")) and (.submods.tpm["tao.checks"].certify.reason | test("extraData is not this session"))' \
	"$T/relay.json"
# --- the replay later: the first session's evidence again, after two newer ones ---
jqt "the replay is also caught by the TPM's counters" \
	'.submods.tpm["tao.checks"].counters.result == "fail" and (.submods.tpm["tao.checks"].counters.reason | test("replayed or stale"))' \
	"$T/relay.json"
check "the relay left no stored success" test "$(accepted DEV-A)" = 2
check "but is kept in the history" test \
	"$(sql "SELECT status FROM attestations ORDER BY id DESC LIMIT 1")" = contraindicated

# --- device A's evidence presented by device B (B's own TPM key and certificate) ---
attest b b-with-a --evidence "$T/a-session1.json"
jqt "A's evidence presented by B is contraindicated (session, binder)" \
	'.submods.tpm["ear.status"] == "contraindicated" and .submods.tpm["tao.checks"].session.result == "fail" and .submods.tpm["tao.checks"].quote.result == "fail"' \
	"$T/b-with-a.json"
check "B has no accepted attestation" test "$(accepted DEV-B)" = 0
check "A still has two" test "$(accepted DEV-A)" = 2
# The same with a software identity of the same factory.
"$DEVSIM" attest --registrar "$URL" --ca "$CA" --cert "$T/sw.pem" --key "$T/sw.key" \
	--evidence "$T/a-session1.json" --json >"$T/sw-with-a.json" 2>"$T/sw-with-a.err"
jqt "A's evidence presented by a software-key device is contraindicated" \
	'.submods.tpm["ear.status"] == "contraindicated" and .submods.tpm["tao.checks"].session.result == "fail"' \
	"$T/sw-with-a.json"
check "the software-key device has no accepted attestation" test "$(accepted SW-0001)" = 0

# --- B honest: two devices side by side ---
attest b b-honest
jqt "device B attests honestly (affirming)" '.submods.tpm["ear.status"] == "affirming" and .["tao.device"] == "DEV-B"' "$T/b-honest.json"

# --- plain mutual-auth requests with the TPM key (the benchmark's baseline) ---
"$DEVSIM" attest --tcti "$TCTI_a" --dir "$T/a" --registrar "$URL" --ca "$CA" --plain --count 3 \
	>"$T/plain.json" 2>"$T/plain.err"
jqt "three plain TLS 1.3 requests with the TPM key" '.sessions == 3 and .plain == true' "$T/plain.json"

# --- PCRs outside policy: a reference value for PCR 0, then PCR 0 extended on device B ---
# (the registrar restarts with the policy; B's first attestation under it is affirming)
stop_registrar
cp "$T/reg/policy.json" "$T/policy-orig.json"
jq --arg d "$(printf '%064x' 0)" '.pcrs = [{"alg": 11, "pcr": 0, "digest": $d}]' "$T/reg/policy.json" \
	>"$T/policy.json" && cp "$T/policy.json" "$T/reg/policy.json"
check "the registrar restarts with a reference value for PCR 0" start_registrar
URL=https://127.0.0.1:$PORT
attest b b-policy-ok
jqt "B matches the policy (PCR 0 is zero on a fresh TPM)" \
	'.submods.tpm["ear.status"] == "affirming" and .submods.tpm["tao.checks"].policy_pcrs.result == "pass"' \
	"$T/b-policy-ok.json"
n_b=$(accepted DEV-B)
TPM2TOOLS_TCTI=$TCTI_b tpm2_pcrextend "0:sha256=$(printf '%064x' 7)" >/dev/null 2>&1
check "PCR 0 of device B extended" test $? = 0
attest b b-policy-bad
jqt "PCR values outside policy are contraindicated" \
	'.submods.tpm["ear.status"] == "contraindicated" and .submods.tpm["tao.checks"].policy_pcrs.result == "fail" and (.submods.tpm["tao.checks"].policy_pcrs.reason | test("PCR 0 differs"))' \
	"$T/b-policy-bad.json"
check "and not accepted" test "$(accepted DEV-B)" = "$n_b"
# Back to the policy without a reference for PCR 0 (at the next restart, below): B enrolls later.
cp "$T/policy-orig.json" "$T/reg/policy.json"

# --- a slow-loris client does not hold up attestations ---
$TLSC slowloris --port "$PORT" --ca "$CA" --cert "$T/sw.pem" --key "$T/sw.key" --interval 0.3 \
	--max 15 >"$T/loris2.out" &
loris=$!
attest a during-loris
jqt "an attestation completes while a slow-loris client trickles" \
	'.submods.tpm["ear.status"] == "affirming"' "$T/during-loris.json"
wait "$loris"
check "and the slow client is closed" test $? = 0

# --- SIGTERM under load loses nothing: every success a client saw is on disk ---
before=$(sql "SELECT count(*) FROM attestations")
"$DEVSIM" attest --tcti "$TCTI_a" --dir "$T/a" --registrar "$URL" --ca "$CA" --count 40 \
	>"$T/load.json" 2>"$T/load.err" &
load=$!
sleep 1.5
stop_registrar
wait "$load"
# The client stops at the first failure (the registrar went away); every session it completed
# is on disk, accepted.
after=$(sql "SELECT count(*) FROM attestations")
ids=$(sed -n 's/^session [0-9]* id \([0-9]*\) status affirming$/\1/p' "$T/load.json")
n=$(wc -w <<<"$ids")
check "sessions completed before the stop" test "$n" -gt 0
missing=0
for id in $ids; do
	[[ $(sql "SELECT accepted FROM attestations WHERE id = $id") == 1 ]] || missing=$((missing + 1))
done
check "every success a client saw ($n) is stored as accepted" test "$missing" = 0
check "nothing beyond them was recorded" test "$after" = $((before + n))
check "the database is intact after the stop under load" test "$(sql 'PRAGMA integrity_check')" = ok
start_registrar
URL=https://127.0.0.1:$PORT

# --- SCIM enrollment over the attested session (POST /scim/v2/Devices with the evidence) ---
URN_A=urn:x-tao:scim:schemas:extension:attestation:1.0:Device
scim pre "$INST" POST /scim/v2/Devices "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\",\"$URN_A\"],\"displayName\":\"Device A (pre-provisioned)\",\"active\":false,\"$URN_A\":{\"idevid\":{\"serialNumber\":\"DEV-A\"}}}"
check "an installer pre-provisions device A (inactive, by its IDevID serial)" test "$code" = 201
PRE=$(jq -r .id "$T/pre.json")
enroll() { # enroll NAME OUT ARGS...: tao-devsim attest --enroll --json
	attest "$@" --enroll
}
enroll a enrollA
check "device A enrolls" test $? = 0
jqt "device A claims its pre-provisioned record and activates it" \
	--arg id "$PRE" '.id == $id and .active == true and .displayName == "Device A (pre-provisioned)"' "$T/enrollA.json"
jqt "the record carries the attestation result, not the evidence" \
	"(.[\"$URN_A\"].result.status == \"affirming\") and (.[\"$URN_A\"] | has(\"evidence\") | not) and .[\"$URN_A\"].idevid.serialNumber == \"DEV-A\"" \
	"$T/enrollA.json"
enroll a enrollA2
jqt "enrolling again: the same record" --arg id "$PRE" '.id == $id' "$T/enrollA2.json"
check "exactly one Device for DEV-A" test "$(sql "SELECT count(*) FROM scim_resources WHERE serial = 'DEV-A'")" = 1
check "still in the installer's tenant" test "$(sql "SELECT tenant FROM scim_resources WHERE serial = 'DEV-A'")" = acme
enroll b enrollB
jqt "device B, not pre-provisioned, self-enrolls" '.active == true and (.id | length) == 36' "$T/enrollB.json"
BID=$(jq -r .id "$T/enrollB.json")
enroll b enrollB2
jqt "and gets the same record again" --arg id "$BID" '.id == $id' "$T/enrollB2.json"
n_dev=$(sql "SELECT count(*) FROM scim_resources")
attest a enroll-relay --enroll --evidence "$T/a-session1.json"
check "a relayed evidence does not enroll" test $? != 0
grep -q 'the attestation is contraindicated' "$T/enroll-relay.err"
check "and is refused as contraindicated" test $? = 0
"$DEVSIM" attest --registrar "$URL" --ca "$CA" --cert "$T/sw.pem" --key "$T/sw.key" \
	--evidence "$T/a-session1.json" --enroll --json >"$T/enroll-sw.json" 2>"$T/enroll-sw.err"
check "A's evidence does not enroll a software-key device" test $? != 0
check "no Device was added by the refusals" test "$(sql "SELECT count(*) FROM scim_resources")" = "$n_dev"
code=$(curl -sS --cacert "$CA" --cert "$T/sw.pem" --key "$T/sw.key" -o "$T/sw-get.json" \
	-w '%{http_code}' "$URL/scim/v2/Devices/$PRE")
check "a device cannot read another device's record (404)" test "$code" = 404
code=$(curl -sS --cacert "$CA" --cert "$T/sw.pem" --key "$T/sw.key" -o "$T/sw-list.json" \
	-w '%{http_code}' "$URL/scim/v2/Devices")
check "a device cannot list Devices (403)" test "$code" = 403

# Self-enrollment off: a third device nobody pre-provisioned is refused.
check "swtpm for device C" start_swtpm c
TCTI_c=$tcti
check "device C provisioned" "$DEVSIM" provision --tcti "$TCTI_c" --ca-dir "$T/reg/factory-ca" \
	--serial DEV-C --out "$T/c"
stop_registrar
sed -i 's/^self_enroll = .*/self_enroll = no/' "$T/reg/registrar.conf"
check "the registrar restarts with self-enrollment off" start_registrar
URL=https://127.0.0.1:$PORT
attest c enrollC --enroll
check "an unknown device cannot self-enroll when it is off" test $? != 0
grep -q 'not pre-provisioned' "$T/enrollC.err"
check "and is told why" test $? = 0
enroll a enrollA3
jqt "a pre-provisioned device still enrolls" --arg id "$PRE" '.id == $id' "$T/enrollA3.json"

# --- LDevID: the operator CA issues it at enrollment (CSR + the IAK's certification) ---
stop_registrar
sed -i 's/^self_enroll = .*/self_enroll = yes/' "$T/reg/registrar.conf"
check "the registrar restarts with self-enrollment on" start_registrar
URL=https://127.0.0.1:$PORT
expect_in "the registrar loaded the operator key: it issues LDevIDs" "ldevid=issued" "$T/reg.log"
REGCONF=$T/reg/registrar.conf
ldev_count() { sql "SELECT count(*) FROM ldevid_certs WHERE device = '$1'"; }
dev_version() { sql "SELECT version FROM scim_resources WHERE serial = '$1'"; }
cert_serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

enroll a ldevA --ldevid --ldevid-save "$T/a-ldevid-req1.json"
check "device A enrolls asking for an LDevID" test $? = 0
jqt "the Device carries the issued LDevID, not the request" \
	"(.[\"$URN_A\"].ldevidCertificate | type == \"string\") and (.[\"$URN_A\"] | has(\"ldevidCsr\") or has(\"ldevidCertify\") | not) and .[\"$URN_A\"].result.status == \"affirming\"" \
	"$T/ldevA.json"
check "tao-devsim wrote the certificate to DIR/ldevid.pem" test -s "$T/a/ldevid.pem"
jq -r ".[\"$URN_A\"].ldevidCertificate" "$T/ldevA.json" | base64 -d >"$T/ldevA.der"
check "the returned certificate is the one written" \
	test "$(openssl x509 -inform DER -in "$T/ldevA.der" -noout -fingerprint -sha256)" = \
	"$(openssl x509 -in "$T/a/ldevid.pem" -noout -fingerprint -sha256)"
openssl verify -CAfile "$CA" -purpose sslclient "$T/a/ldevid.pem" >"$T/ldevA.verify" 2>&1
check "the LDevID chains to the operator CA (purpose sslclient)" test $? = 0
openssl x509 -in "$T/a/ldevid.pem" -noout -subject -nameopt RFC2253 >"$T/ldevA.subject"
expect_in "its subject names the device (serialNumber of the IDevID)" "serialNumber=DEV-A" "$T/ldevA.subject"
expect_in "its CN is LDevID <serial>" "CN=LDevID DEV-A" "$T/ldevA.subject"
openssl x509 -in "$T/a/ldevid.pem" -noout -ext extendedKeyUsage >"$T/ldevA.eku" 2>&1
expect_in "its EKU is clientAuth" "TLS Web Client Authentication" "$T/ldevA.eku"
check "it is valid for ldevid_days (365)" \
	bash -c "openssl x509 -in '$T/a/ldevid.pem' -noout -checkend $((364 * 86400)) >/dev/null && ! openssl x509 -in '$T/a/ldevid.pem' -noout -checkend $((366 * 86400)) >/dev/null"
TPM2TOOLS_TCTI=$TCTI_a tpm2_readpublic -c 0x81020002 -f pem -o "$T/a-ldevid-tpm.pem" >/dev/null 2>&1
check "its key is the TPM's LDevID at 0x81020002" test \
	"$(openssl pkey -pubin -in "$T/a-ldevid-tpm.pem" 2>/dev/null)" = \
	"$(openssl x509 -in "$T/a/ldevid.pem" -noout -pubkey | openssl pkey -pubin 2>/dev/null)"
CERT1=$(cert_serial "$T/a/ldevid.pem")
check "the store records the issued certificate" \
	test "$(sql "SELECT device FROM ldevid_certs WHERE serial = '$CERT1' AND revoked IS NULL")" = DEV-A
cp "$T/a/ldevid.pem" "$T/a-ldevid1.pem"

attest a ldev-session --tls-role ldevid
check "a session with the LDevID as the TLS identity completes" test $? = 0
jqt "and is affirming, for the same device" \
	'.submods.tpm["ear.status"] == "affirming" and .["tao.device"] == "DEV-A" and .submods.tpm["tao.checks"].session.result == "pass" and .submods.tpm["tao.checks"].tls_key.result == "pass"' \
	"$T/ldev-session.json"

# Re-attestation outside SCIM (/attest/v1/evidence) brings the Device's read-only result up to
# date: a new version whose result is that attestation's, accepted or not.
a_last=$(sql "SELECT max(a.id) FROM attestations a JOIN devices d ON d.id = a.device_id WHERE d.serial = 'DEV-A'")
scim reatt "$OPS" GET "/scim/v2/Devices/$PRE"
jqt "after the LDevID session the Device shows its result (attestation $a_last)" \
	--argjson id "$a_last" ".[\"$URN_A\"].result.attestationId == \$id and .[\"$URN_A\"].result.status == \"affirming\" and .active == true" \
	"$T/reatt.json"
v_before=$(dev_version DEV-A)
attest a reatt-relay --tls-role ldevid --evidence "$T/a-session1.json"
a_last=$(sql "SELECT max(a.id) FROM attestations a JOIN devices d ON d.id = a.device_id WHERE d.serial = 'DEV-A'")
scim reatt2 "$OPS" GET "/scim/v2/Devices/$PRE"
jqt "a contraindicated re-attestation shows as such, the rest of the Device unchanged" \
	--argjson id "$a_last" ".[\"$URN_A\"].result.attestationId == \$id and .[\"$URN_A\"].result.status == \"contraindicated\" and .active == true and (.[\"$URN_A\"].ldevidCertificate | type == \"string\")" \
	"$T/reatt2.json"
check "as a new version of it" test "$(dev_version DEV-A)" = $((v_before + 1))
check "the ETag follows" test "$(header reatt2 ETag)" = "W/\"$((v_before + 1))\""
expect_in "the registrar logs the update" 'event=scim_result' "$T/reg.log"
scim reatt3 "$OPS" GET "/scim/v2/Devices/$BID"
v_b=$(dev_version "$(jq -r ".[\"$URN_A\"].idevid.serialNumber" "$T/reatt3.json")")
attest b reatt-b
check "device B re-attests on its IDevID" test $? = 0
scim reatt4 "$OPS" GET "/scim/v2/Devices/$BID"
jqt "and its Device shows that too" ".[\"$URN_A\"].result.status == \"affirming\" and .meta.version == \"W/\\\"$((v_b + 1))\\\"\"" "$T/reatt4.json"

# An operator deactivates an enrolled Device: its device cannot activate it again by enrolling
# (not even renewing its LDevID); a re-attestation still shows in its result; activated again,
# it enrolls.
PATCH_OFF='{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}'
scim off "$OPS" PATCH "/scim/v2/Devices/$PRE" "$PATCH_OFF"
jqt "an operator deactivates device A's Device" '.active == false' "$T/off.json"
v_off=$(dev_version DEV-A)
n_off=$(ldev_count DEV-A)
enroll a enroll-off --ldevid --tls-role ldevid
check "a deactivated Device is not enrolled into (nor its LDevID renewed)" test $? != 0
expect_in "with 403 and why" "is deactivated (active: false, after its enrollment): an operator may activate it again" "$T/enroll-off.err"
check "the Device stays inactive and unchanged, no LDevID issued" \
	test "$(dev_version DEV-A)|$(ldev_count DEV-A)" = "$v_off|$n_off"
expect_in "the refusal is logged" "policy=inactive" "$T/reg.log"
attest a off-attest --tls-role ldevid
scim off2 "$OPS" GET "/scim/v2/Devices/$PRE"
jqt "a re-attestation of it still shows, and it stays inactive" \
	".active == false and .[\"$URN_A\"].result.status == \"affirming\"" "$T/off2.json"
scim on "$OPS" PATCH "/scim/v2/Devices/$PRE" "${PATCH_OFF/false/true}"
enroll a enroll-on --tls-role ldevid
check "activated again, it enrolls" test $? = 0
jqt "(active, affirming)" ".active == true and .[\"$URN_A\"].result.status == \"affirming\"" "$T/enroll-on.json"

# Refusals: 400 invalidValue, no certificate issued, the Device unchanged.
n_a=$(ldev_count DEV-A)
v_a=$(dev_version DEV-A)
enroll a ldev-foreign --ldevid --ldevid-foreign-csr
check "a CSR whose key is not the certified one is refused" test $? != 0
expect_in "with 400 and why" "answered 400: ldevidCsr: the request's key is not the key the IAK certified" "$T/ldev-foreign.err"
enroll a ldev-replay --ldevid --ldevid-from "$T/a-ldevid-req1.json"
check "a certification made for another session (replayed) is refused" test $? != 0
expect_in "with 400 and why" "answered 400: ldevidCertify: extraData is not this session's binder" "$T/ldev-replay.err"
check "the refusals issued no certificate" test "$(ldev_count DEV-A)" = "$n_a"
check "and left the Device as it was" test "$(dev_version DEV-A)" = "$v_a"
code=$(curl -sS --cacert "$CA" --cert "$T/sw.pem" --key "$T/sw.key" -o "$T/ldev-bad.json" -w '%{http_code}' \
	-H 'Content-Type: application/scim+json' -X POST "$URL/scim/v2/Devices" \
	--data-binary "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\",\"$URN_A\"],\"active\":true,\"$URN_A\":{\"evidence\":\"x\",\"ldevidCsr\":\"MIIB\"}}")
check "a CSR without its certification is refused before the evidence (400)" test "$code" = 400
jqt "as invalidValue naming the missing member" '.scimType == "invalidValue" and (.detail | test("without ldevidCertify"))' "$T/ldev-bad.json"

# Renewal: a new enrollment with a new CSR, on a session authenticated by the current LDevID.
enroll a ldev-renew --ldevid --tls-role ldevid
check "device A renews its LDevID on an LDevID session" test $? = 0
CERT2=$(cert_serial "$T/a/ldevid.pem")
check "renewal issues a new certificate" test -n "$CERT2" -a "$CERT2" != "$CERT1"
openssl verify -CAfile "$CA" -purpose sslclient "$T/a/ldevid.pem" >/dev/null 2>&1
check "which chains to the operator CA" test $? = 0
check "both are recorded for DEV-A" test "$(ldev_count DEV-A)" = $((n_a + 1))
attest a ldev2-session --tls-role ldevid
jqt "a session with the renewed LDevID is affirming" '.submods.tpm["ear.status"] == "affirming"' "$T/ldev2-session.json"

# Revocation: refused in the TLS handshake from then on; the IDevID still works.
"$REG" ldevid revoke "$CERT2" -c "$REGCONF" >"$T/revoke2.out" 2>&1
check "tao-registrar ldevid revoke CERT-SERIAL" test $? = 0
expect_in "says what it revoked" "revoked LDevID certificate $CERT2" "$T/revoke2.out"
attest a ldev-revoked --tls-role ldevid
check "the next session with the revoked LDevID is refused" test $? != 0
sleep 0.2
expect_in "the refusal is logged" "event=ldevid_revoked" "$T/reg.log"
expect_in "as a handshake failure (certificate revoked)" 'verify="certificate revoked"' "$T/reg.log"
attest a idev-after-revoke
jqt "the IDevID still attests" '.submods.tpm["ear.status"] == "affirming"' "$T/idev-after-revoke.json"
cp "$T/a-ldevid1.pem" "$T/a/ldevid.pem"
attest a ldev1-still --tls-role ldevid
jqt "the first LDevID, not revoked, still works" '.submods.tpm["ear.status"] == "affirming"' "$T/ldev1-still.json"
"$REG" ldevid revoke DEV-A -c "$REGCONF" >"$T/revokeA.out" 2>&1
check "tao-registrar ldevid revoke DEVICE-SERIAL" test $? = 0
expect_in "revokes the device's remaining LDevID" "revoked 1 LDevID certificate of device DEV-A" "$T/revokeA.out"
attest a ldev1-revoked --tls-role ldevid
check "then the first LDevID is refused too" test $? != 0
"$REG" ldevid revoke "$CERT2" -c "$REGCONF" >"$T/revoke-again.out" 2>&1
check "revoking twice is an error" test $? = 1
expect_in "saying so" "revoked already" "$T/revoke-again.out"
"$REG" ldevid revoke 'no such thing!' -c "$REGCONF" >"$T/revoke-bad.out" 2>&1
check "an unknown device or a non-hex serial is an error" test $? = 1

# Self-enrollment with an LDevID (a new Device, 201).
enroll c ldevC --ldevid
check "device C self-enrolls asking for an LDevID" test $? = 0
jqt "its new Device carries the LDevID" "(.[\"$URN_A\"].ldevidCertificate | type == \"string\") and .active == true" "$T/ldevC.json"
openssl verify -CAfile "$CA" -purpose sslclient "$T/c/ldevid.pem" >/dev/null 2>&1
check "C's LDevID chains to the operator CA" test $? = 0
openssl x509 -in "$T/c/ldevid.pem" -noout -subject -nameopt RFC2253 >"$T/ldevC.subject"
expect_in "and names DEV-C" "serialNumber=DEV-C" "$T/ldevC.subject"
attest c ldevC-session --tls-role ldevid
jqt "C attests with its LDevID" '.submods.tpm["ear.status"] == "affirming" and .["tao.device"] == "DEV-C"' "$T/ldevC-session.json"

# Without the operator key the registrar runs, and issues no LDevID (501).
stop_registrar
mv "$T/reg/operator-ca/ca.key" "$T/operator-ca.key.aside"
check "the registrar starts without the operator key" start_registrar
URL=https://127.0.0.1:$PORT
expect_in "and says it issues no LDevIDs" 'ldevid="not issued' "$T/reg.log"
enroll c ldevC-nokey --ldevid
check "an enrollment asking for an LDevID is refused" test $? != 0
expect_in "with 501" "answered 501: this registrar issues no LDevIDs" "$T/ldevC-nokey.err"
enroll c enrollC-nokey
check "an enrollment without one still works" test $? = 0
stop_registrar
mv "$T/operator-ca.key.aside" "$T/reg/operator-ca/ca.key"
start_registrar
URL=https://127.0.0.1:$PORT

# --- self-enrollment as a per-tenant policy: [tenant NAME] by manufacturer CA ---
# Two more manufacturers: X's devices belong to tenant xcorp (self-enrollment allowed), Y's to
# ycorp (refused); the registrar's own factory CA maps to no tenant ([scim] decides).
mkca() { # mkca DIR ORG: a manufacturer CA of its own name, as tao-devsim would make it
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/O=$2/CN=$2 manufacturer CA" -keyout "$1/ca.key" -out "$1/ca.pem" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:1" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" 2>/dev/null
}
mkca "$T/mfr-x" "Maker X"
mkca "$T/mfr-y" "Maker Y"
check "two more manufacturer CAs" test -s "$T/mfr-x/ca.pem" -a -s "$T/mfr-y/ca.pem"
# A third with a root and a factory intermediate, in two tenants: zroot (refusing) and zfab
# (allowing); the one nearest the IAK decides.
mkca "$T/mfr-z" "Maker Z"
mkdir -p "$T/mfr-z1"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Maker Z/CN=Maker Z factory 1" \
	-keyout "$T/mfr-z1/ca.key" -out "$T/mfr-z1/ca.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/mfr-z1/ext"
openssl x509 -req -in "$T/mfr-z1/ca.csr" -CA "$T/mfr-z/ca.pem" -CAkey "$T/mfr-z/ca.key" -CAcreateserial \
	-days 3650 -extfile "$T/mfr-z1/ext" -out "$T/mfr-z1/ca.pem" 2>/dev/null
check "Maker Z's factory intermediate" openssl verify -CAfile "$T/mfr-z/ca.pem" "$T/mfr-z1/ca.pem"
for d in x1:mfr-x:DEV-X1 y1:mfr-y:DEV-Y1 d:factory-ca:DEV-D z1:mfr-z1:DEV-Z1; do
	IFS=: read -r name ca serial <<<"$d"
	check "swtpm for device $serial" start_swtpm "$name"
	printf -v "TCTI_$name" %s "$tcti"
	cadir=$T/$ca
	[[ $ca == factory-ca ]] && cadir=$T/reg/factory-ca
	check "device $serial provisioned by $ca" "$DEVSIM" provision --tcti "$tcti" --ca-dir "$cadir" \
		--serial "$serial" --out "$T/$name"
done
cp "$REGCONF" "$T/reg/registrar.conf.before-tenants"
cat "$T/mfr-x/ca.pem" "$T/mfr-y/ca.pem" "$T/mfr-z/ca.pem" "$T/mfr-z1/ca.pem" >>"$T/reg/manufacturer-ca.pem"
cp "$T/mfr-x/ca.pem" "$T/reg/maker-x.pem"
cp "$T/mfr-y/ca.pem" "$T/reg/maker-y.pem"
cp "$T/mfr-z/ca.pem" "$T/reg/maker-z.pem"
cp "$T/mfr-z1/ca.pem" "$T/reg/maker-z1.pem"
cat >>"$REGCONF" <<'CONF'

[tenant xcorp]
manufacturer_ca = maker-x.pem
self_enroll = yes

[tenant ycorp]
manufacturer_ca = maker-y.pem
self_enroll = no

[tenant zroot]
manufacturer_ca = maker-z.pem
self_enroll = no

[tenant zfab]
manufacturer_ca = maker-z1.pem
self_enroll = yes
CONF

# Bad tenant configurations: each names file, line and key; check refuses them.
badconf() { # badconf NAME TEXT-TO-APPEND EXPECTED
	cp "$REGCONF" "$T/reg/$1.conf"
	printf '%b' "$2" >>"$T/reg/$1.conf"
	"$REG" check -c "$T/reg/$1.conf" >"$T/$1.out" 2>&1
	local rc=$?
	if [[ $rc == 1 ]] && grep -qF -- "$3" "$T/$1.out"; then
		ok "config: $1"
	else
		bad "config: $1" "rc $rc, no '$3' in:" "$(cat "$T/$1.out")"
	fi
}
check "check accepts the tenant configuration" "$REG" check -c "$REGCONF"
nl=$(wc -l <"$REGCONF")
badconf tenant-dup '\n[tenant zcorp]\nmanufacturer_ca = maker-x.pem\nself_enroll = yes\n' \
	"tenant-dup.conf:$((nl + 3)): [tenant zcorp] manufacturer_ca: 'CN=Maker X manufacturer CA,O=Maker X' ($T/reg/maker-x.pem) is tenant xcorp's already (line"
cp "$T/rogue-ca/ca.pem" "$T/reg/rogue.pem"
badconf tenant-untrusted '\n[tenant rcorp]\nmanufacturer_ca = rogue.pem\n' \
	"tenant-untrusted.conf:$((nl + 3)): [tenant rcorp] manufacturer_ca: 'CN=rogue CA' ($T/reg/rogue.pem) is not trusted: it does not chain to [trust] manufacturer_ca"
badconf tenant-nofile '\n[tenant ncorp]\nself_enroll = yes\nmanufacturer_ca = nope.pem\n' \
	"tenant-nofile.conf:$((nl + 4)): [tenant ncorp] manufacturer_ca: $T/reg/nope.pem: No such file or directory"
badconf tenant-notpem '\n[tenant ncorp]\nmanufacturer_ca = registrar.conf\n' \
	"tenant-notpem.conf:$((nl + 3)): [tenant ncorp] manufacturer_ca: $T/reg/registrar.conf: no PEM certificate"
badconf tenant-noca '\n[tenant ncorp]\nself_enroll = yes\n' \
	"tenant-noca.conf:$((nl + 3)): [tenant ncorp] names no manufacturer_ca"
badconf tenant-twice '\n[tenant ycorp]\nself_enroll = maybe\n' \
	"tenant-twice.conf:$((nl + 3)): [tenant ycorp] self_enroll is set twice"
badconf tenant-bool2 '\n[tenant ncorp]\nself_enroll = maybe\n' \
	"tenant-bool2.conf:$((nl + 3)): [tenant ncorp] self_enroll: 'maybe' is not yes or no"
badconf tenant-key '\n[tenant ncorp]\nmanufacturer = maker-x.pem\n' \
	"tenant-key.conf:$((nl + 3)): [tenant ncorp] has no key 'manufacturer'"
badconf tenant-noname '\n[tenant]\nself_enroll = yes\n' \
	"tenant-noname.conf:$((nl + 3)): [tenant] names no tenant: [tenant NAME]"
badconf tenant-long "\n[tenant $(printf 'n%.0s' $(seq 50))]\nself_enroll = yes\n" \
	"tenant-long.conf:$((nl + 2)): a section name is longer than 49 characters"
badconf long-line "\n[tenant ncorp]\nmanufacturer_ca = $(printf 'x%.0s' $(seq 250)).pem\n" \
	"long-line.conf:$((nl + 3)): the line is longer than 198 characters"

INST_X=$("$REG" token create inst-x --role installer --tenant xcorp -c "$REGCONF")
INST_Y=$("$REG" token create inst-y --role installer --tenant ycorp -c "$REGCONF")
dev_tenant() { sql "SELECT tenant FROM scim_resources WHERE serial = '$1'"; }
dev_count() { sql "SELECT count(*) FROM scim_resources WHERE serial = '$1'"; }

# Phase 1: [scim] self_enroll = no; xcorp allows its devices all the same.
stop_registrar
sed -i '/^\[scim\]/,/^$/ s/^self_enroll = .*/self_enroll = no/' "$REGCONF"
check "the registrar restarts with tenants, [scim] self_enroll = no" start_registrar
URL=https://127.0.0.1:$PORT
enroll x1 enrollX1
check "device X1 (Maker X, not pre-provisioned) self-enrolls though [scim] says no" test $? = 0
jqt "with 201: a new, active Device" '.active == true and (.id | length) == 36' "$T/enrollX1.json"
check "in tenant xcorp, its manufacturer's" test "$(dev_tenant DEV-X1)" = xcorp
X1ID=$(jq -r .id "$T/enrollX1.json")
scim tx "$INST_X" GET "/scim/v2/Devices/$X1ID"
check "xcorp's installer sees it" test "$code" = 200
scim tx_list "$INST_X" GET "/scim/v2/Devices?filter=urn:x-tao:scim:schemas:extension:attestation:1.0:Device:idevid.serialNumber%20eq%20%22DEV-X1%22"
jqt "and finds it by its serial" --arg id "$X1ID" '.totalResults == 1 and .Resources[0].id == $id' "$T/tx_list.json"
scim ty "$INST_Y" GET "/scim/v2/Devices/$X1ID"
scim_err ty 404 ""
scim ta "$INST" GET "/scim/v2/Devices/$X1ID"
check "nor does acme's installer (404)" test "$code" = 404
expect_in "the log names the tenant and the policy" "serial=DEV-X1 id=$X1ID tenant=xcorp policy=tenant" "$T/reg.log"
n_dev=$(sql "SELECT count(*) FROM scim_resources")
enroll d enrollD
check "device D (the registrar's factory: no tenant) is refused by [scim] self_enroll = no" test $? != 0
expect_in "with the [scim] reason" "answered 403: device DEV-D is not pre-provisioned, and self-enrollment is off" "$T/enrollD.err"
check "and nothing stored" test "$(sql "SELECT count(*) FROM scim_resources")" = "$n_dev"

# Phase 2: [scim] self_enroll = yes into tenant fallbk; ycorp refuses all the same.
stop_registrar
sed -i -e '/^\[scim\]/,/^$/ s/^self_enroll = .*/self_enroll = yes/' \
	-e 's/^self_enroll_tenant =.*/self_enroll_tenant = fallbk/' "$REGCONF"
check "the registrar restarts with [scim] self_enroll = yes, self_enroll_tenant = fallbk" start_registrar
URL=https://127.0.0.1:$PORT
n_att=$(sql "SELECT count(*) FROM attestations")
n_dev=$(sql "SELECT count(*) FROM scim_resources")
enroll y1 enrollY1
check "device Y1 (Maker Y, not pre-provisioned) is refused though [scim] says yes" test $? != 0
expect_in "with 403 naming its tenant" "answered 403: device DEV-Y1 is not pre-provisioned, and its tenant ycorp (by the manufacturer CA of its IAK) does not allow self-enrollment" "$T/enrollY1.err"
check "no Device was stored" test "$(sql "SELECT count(*) FROM scim_resources")" = "$n_dev" -a "$(dev_count DEV-Y1)" = 0
check "the attestation itself is in the history (accepted)" test "$(accepted DEV-Y1)" = 1 -a \
	"$(sql "SELECT count(*) FROM attestations")" = $((n_att + 1))
expect_in "the refusal is logged with tenant and policy" "event=scim_enroll_refused" "$T/reg.log"
expect_in "(its fields)" "serial=DEV-Y1 tenant=ycorp policy=tenant" "$T/reg.log"
enroll d enrollD2
check "device D (no tenant) now self-enrolls by [scim]" test $? = 0
check "into self_enroll_tenant" test "$(dev_tenant DEV-D)" = fallbk
enroll z1 enrollZ1
check "device Z1 (Maker Z's factory 1, under Maker Z's root) self-enrolls" test $? = 0
check "into zfab, the tenant of the intermediate nearest its IAK, not zroot's refusal" \
	test "$(dev_tenant DEV-Z1)" = zfab
enroll x1 enrollX1b
jqt "X1 enrolls again into its record (200)" --arg id "$X1ID" '.id == $id' "$T/enrollX1b.json"
check "still one Device for X1, in xcorp" test "$(dev_count DEV-X1)" = 1 -a "$(dev_tenant DEV-X1)" = xcorp

# Pre-provisioned in the refusing tenant: the claim wins over the policy.
scim prey "$INST_Y" POST /scim/v2/Devices "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\",\"$URN_A\"],\"displayName\":\"Y1 (pre-provisioned)\",\"active\":false,\"$URN_A\":{\"idevid\":{\"serialNumber\":\"DEV-Y1\"}}}"
check "ycorp's installer pre-provisions Y1" test "$code" = 201
PREY=$(jq -r .id "$T/prey.json")
enroll y1 enrollY1b
check "Y1 then enrolls" test $? = 0
jqt "claiming ycorp's record and activating it (200)" --arg id "$PREY" \
	".id == \$id and .active == true and .displayName == \"Y1 (pre-provisioned)\" and .[\"$URN_A\"].result.status == \"affirming\"" "$T/enrollY1b.json"
check "one Device for Y1, in ycorp" test "$(dev_count DEV-Y1)" = 1 -a "$(dev_tenant DEV-Y1)" = ycorp
# A record pre-provisioned in another tenant than the manufacturer's is claimed too.
scim pred "$INST_Y" POST /scim/v2/Devices "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\",\"$URN_A\"],\"active\":false,\"$URN_A\":{\"idevid\":{\"serialNumber\":\"DEV-X2\"}}}"
check "ycorp's installer pre-provisions a Maker X device, X2" test "$code" = 201
check "swtpm for device X2" start_swtpm x2
TCTI_x2=$tcti
check "device X2 provisioned by Maker X" "$DEVSIM" provision --tcti "$TCTI_x2" --ca-dir "$T/mfr-x" \
	--serial DEV-X2 --out "$T/x2"
enroll x2 enrollX2
jqt "X2 claims ycorp's record, not a new one in xcorp" --arg id "$(jq -r .id "$T/pred.json")" \
	'.id == $id and .active == true' "$T/enrollX2.json"
check "one Device for X2, in ycorp" test "$(dev_count DEV-X2)" = 1 -a "$(dev_tenant DEV-X2)" = ycorp

# Back to the configuration without tenants: as before.
stop_registrar
cp "$T/reg/registrar.conf.before-tenants" "$REGCONF"
check "the registrar restarts without tenants" start_registrar
URL=https://127.0.0.1:$PORT
