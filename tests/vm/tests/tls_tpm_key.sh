#!/bin/bash
# test: TLS 1.3 with the IDevID in the TPM (tlsprobe, libtao's provider): mutual auth with openssl s_server, 1 TPM2_Sign per handshake, hashing in software, binder = one derived from the keylog and s_server's exporter; TLS 1.2 and a wrong CA refused; handshake time TPM vs software key
source "$(dirname "$0")/../lib.sh"

reload_module
ip link set lo up # the guest's loopback starts down
d=$(mktemp -d)
ca=$d/ca st=$d/state
LABEL=EXPORTER-tao-attestation-v1
spid=

cleanup() {
	[[ -n $spid ]] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	exec 3>&- 2>/dev/null
}
trap cleanup EXIT

# The device: IDevID in the TPM at 0x81020001, its certificate from the manufacturer CA.
out=$(taoctl provision --factory --ca "$ca" --state-dir "$st" --serial SN-TLS --force --json 2>&1)
check_eq "provision --factory for the TLS test" SN-TLS "$(jq -r .serial <<<"$out" 2>/dev/null || echo "$out")"

# The server: its own CA, a certificate for 127.0.0.1; and a CA that did not issue it.
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$1.key" \
		-out "$d/$1.pem" -subj "/CN=$1" -days 2 >/dev/null 2>&1
}
mkca server-ca
mkca other-ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" \
	-subj /CN=localhost >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/srv.ext"
openssl x509 -req -in "$d/srv.csr" -CA "$d/server-ca.pem" -CAkey "$d/server-ca.key" -CAcreateserial \
	-out "$d/srv.pem" -days 2 -extfile "$d/srv.ext" >/dev/null 2>&1
check "the server certificate verifies against its CA" openssl verify -CAfile "$d/server-ca.pem" "$d/srv.pem"

# s_server's stdin: a FIFO this shell holds open, so that it never sees end of file.
mkfifo "$d/in"
exec 3<>"$d/in"

# start_server PORT NACCEPT ARGS...: s_server in the background (PID in $spid), once listening.
start_server() {
	local port=$1 n=$2
	shift 2
	openssl s_server -accept "127.0.0.1:$port" -naccept "$n" -cert "$d/srv.pem" -key "$d/srv.key" \
		"$@" <"$d/in" >"$d/server.$port.log" 2>&1 &
	spid=$!
	for _ in $(seq 100); do
		grep -q ACCEPT "$d/server.$port.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_server() {
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=
}

# --- TLS 1.3 mutual authentication, 3 handshakes ---
start_server 4433 3 -tls1_3 -Verify 1 -verify_return_error -CAfile "$st/manufacturer-ca.pem" \
	-keylogfile "$d/keylog" -keymatexport "$LABEL" -keymatexportlen 32
check "s_server (TLS 1.3, client certificate required) is listening" grep -q ACCEPT "$d/server.4433.log"
probe=$(tlsprobe --connect 127.0.0.1:4433 --ca "$d/server-ca.pem" --cert "$st/idevid.pem" \
	--handle 0x81020001 --count 3 2>&1)
rc=$?
echo "$probe" | sed 's/^/  | /'
check_eq "tlsprobe: three handshakes succeed (exit 0)" 0 "$rc"
check_eq "tlsprobe uses the TPM key (tao-tpm provider)" "key: tpm" "$(grep '^key:' <<<"$probe")"
check_eq "every handshake is TLS 1.3" "TLSv1.3 TLSv1.3 TLSv1.3" "$(awk '/^version:/ { printf "%s%s", s, $2; s=" " }' <<<"$probe")"
check_eq "the server was verified against its CA each time" "3" "$(grep -c '^peer: verified' <<<"$probe")"
check_eq "exactly one TPM signature per handshake" "1 1 1" "$(awk '/^tpm_signs:/ { printf "%s%s", s, $2; s=" " }' <<<"$probe")"
check_eq "one software digest per handshake" "1 1 1" "$(awk '/^sw_digests:/ { printf "%s%s", s, $2; s=" " }' <<<"$probe")"
check_eq "the digest came from OpenSSL's default provider" "default default default" \
	"$(awk '/^digest_provider:/ { printf "%s%s", s, $2; s=" " }' <<<"$probe")"
sleep 0.5
stop_server
slog=$(cat "$d/server.4433.log")
# s_server prints the client certificate it verified: the IDevID, three times.
check_eq "s_server verified the IDevID (serial SN-TLS) as the client certificate 3 times" 3 \
	"$(grep -c "^subject=.*SN-TLS" <<<"$slog")"

# --- the binder, independently: (a) s_server's own exporter, (b) HKDF from the keylog ---
mapfile -t ekms < <(awk '/^ekm:/ { print $2 }' <<<"$probe")
mapfile -t binders < <(awk '/^binder:/ { print $2 }' <<<"$probe")
mapfile -t srv_ekms < <(awk '/Keying material:/ { print tolower($3) }' <<<"$slog")
mapfile -t ciphers < <(awk '/^cipher:/ { print $2 }' <<<"$probe")
mapfile -t secrets < <(awk '/^EXPORTER_SECRET/ { print $3 }' "$d/keylog")
check_eq "three exporter secrets in the keylog" 3 "${#secrets[@]}"
check_eq "s_server exported keying material three times" 3 "${#srv_ekms[@]}"
# RFC 8446 7.5 and 7.1: HKDF-Expand-Label(Secret, Label, Context, Length).
hkdf_expand_label() {
	local md=$1 secret=$2 label="tls13 $3" ctx=$4 len=$5 info
	info=$(printf '%04x%02x' "$len" "${#label}")$(printf '%s' "$label" | xxd -p -c 256)
	info+=$(printf '%02x' $((${#ctx} / 2)))$ctx
	openssl kdf -binary -keylen "$len" -kdfopt digest:"$md" -kdfopt mode:EXPAND_ONLY \
		-kdfopt hexkey:"$secret" -kdfopt hexinfo:"$info" HKDF | xxd -p -c 256
}
spki_hex=$(openssl x509 -in "$st/idevid.pem" -noout -pubkey | openssl pkey -pubin -outform der | xxd -p -c 4096)
for i in 0 1 2; do
	case ${ciphers[$i]} in
	*SHA384) md=SHA384 hlen=48 ;;
	*) md=SHA256 hlen=32 ;;
	esac
	empty=$(openssl dgst -"${md,,}" -binary </dev/null | xxd -p -c 256)
	# TLS-Exporter(label, context, 32) = HKDF-Expand-Label(Derive-Secret(EMS, label, ""),
	#                                                      "exporter", Hash(context), 32)
	tmp=$(hkdf_expand_label "$md" "${secrets[$i]}" "$LABEL" "$empty" "$hlen")
	ekm=$(hkdf_expand_label "$md" "$tmp" exporter "$empty" 32)
	binder=$( (printf 'tao attestation v1'; xxd -r -p <<<"$spki_hex$ekm") | sha256sum | cut -d' ' -f1)
	n=$((i + 1))
	check_eq "handshake $n: ekm = HKDF from the keylog's exporter secret (${ciphers[$i]})" "$ekm" "${ekms[$i]}"
	check_eq "handshake $n: ekm = s_server's -keymatexport (no context = empty context in TLS 1.3)" \
		"${srv_ekms[$i]:-none}" "${ekms[$i]:-missing}"
	check_eq "handshake $n: binder = SHA-256(prefix || IDevID SPKI || ekm), computed here" "$binder" "${binders[$i]}"
done
check "the three binders differ (one per session)" test "$(printf '%s\n' "${binders[@]}" | sort -u | wc -l)" = 3

# --- refusals ---
start_server 4434 1 -tls1_2 -Verify 1 -CAfile "$st/manufacturer-ca.pem"
out=$(tlsprobe --connect 127.0.0.1:4434 --ca "$d/server-ca.pem" --cert "$st/idevid.pem" 2>&1)
rc=$?
check_eq "a TLS 1.2-only server is refused by the client (exit 1)" 1 "$rc"
check_match "with a protocol version error" 'protocol version|unsupported protocol' "$out"
stop_server
start_server 4435 1 -tls1_2 -Verify 1 -CAfile "$st/manufacturer-ca.pem"
out=$(tlsprobe --tls12 --connect 127.0.0.1:4435 --ca "$d/server-ca.pem" --cert "$st/idevid.pem" 2>&1)
check_match "with TLS 1.2 allowed, the handshake succeeds but the binder is refused" \
	'version: TLSv1\.2.*binder: refused' "$(tr '\n' ' ' <<<"$out")"
stop_server
start_server 4436 1 -tls1_3 -Verify 1 -CAfile "$st/manufacturer-ca.pem"
out=$(tlsprobe --connect 127.0.0.1:4436 --ca "$d/other-ca.pem" --cert "$st/idevid.pem" 2>&1)
rc=$?
check_eq "a server from another CA is refused (exit 1)" 1 "$rc"
check_match "with a certificate verify failure" 'certificate verify failed' "$out"
check_eq "and no TPM signature was made for it" "tpm_signs: 0" "$(grep '^tpm_signs:' <<<"$out")"
stop_server

# --- cost: TPM key against a software key, same server, same run ---
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/soft.key" -out "$d/soft.csr" \
	-subj /CN=soft >/dev/null 2>&1
printf 'extendedKeyUsage=clientAuth\n' >"$d/soft.ext"
openssl x509 -req -in "$d/soft.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
	-out "$d/soft.pem" -days 2 -extfile "$d/soft.ext" >/dev/null 2>&1
N=${TLS_BENCH_N:-20}
start_server 4437 $((2 * N + 2)) -tls1_3 -Verify 1 -verify_return_error -CAfile "$st/manufacturer-ca.pem" -quiet
# one warm-up each
tlsprobe --connect 127.0.0.1:4437 --ca "$d/server-ca.pem" --cert "$st/idevid.pem" >/dev/null 2>&1
tlsprobe --connect 127.0.0.1:4437 --ca "$d/server-ca.pem" --cert "$d/soft.pem" --key "$d/soft.key" >/dev/null 2>&1
tpm=$(tlsprobe --connect 127.0.0.1:4437 --ca "$d/server-ca.pem" --cert "$st/idevid.pem" --count "$N" 2>&1)
check_eq "$N handshakes with the TPM key: $N TPM signatures" "$N" \
	"$(awk '/^tpm_signs:/ { s += $2 } END { print s }' <<<"$tpm")"
soft=$(tlsprobe --connect 127.0.0.1:4437 --ca "$d/server-ca.pem" --cert "$d/soft.pem" --key "$d/soft.key" \
	--count "$N" 2>&1)
check_eq "$N handshakes with a software key: none fails" 0 "$(grep -c '^handshake: failed' <<<"$soft")"
t_tpm=$(awk '/^summary:/ { print $5 }' <<<"$tpm")
t_soft=$(awk '/^summary:/ { print $5 }' <<<"$soft")
t_sign=$(awk '/^summary:/ { print $10 }' <<<"$tpm")
median() { awk "/^$1:/ { print \$2 }" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "  | handshake mean over $N: TPM key $t_tpm ms (of which TPM signing $t_sign ms), software key $t_soft ms"
echo "  | handshake median: TPM key $(median ms <<<"$tpm") ms (TPM signing $(median tpm_ms <<<"$tpm") ms)," \
	"software key $(median ms <<<"$soft") ms"
check_match "handshake times were measured (TPM $t_tpm ms, software $t_soft ms)" '^[0-9.]+ [0-9.]+$' "$t_tpm $t_soft"
stop_server
