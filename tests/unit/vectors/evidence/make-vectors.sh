#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# Regenerate the evidence test vectors (docs/protocol.md) on a host swtpm with tpm2-tools and the
# openssl CLI. Run once; the outputs are committed next to this script. Needs no tao module: the
# log is extended into PCR 13 here exactly as the module would ("What is extended").
#
#   make-vectors.sh            writes into the directory of this script
#
# Two TPMs: tpm A (the honest device, log from a zero PCR 13) and tpm B (another device, whose
# log starts from a non-zero PCR 13 as after a module reload). The binder of both is derived from
# a fixed EKM as docs/protocol.md says; the raw files are assembled into a.evidence.json and
# b.evidence.json by the test helper tests/unit/make_evidence (built by meson), see README.md.
set -euo pipefail

OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

hex() { xxd -p -c 1000 | tr -d '\n'; }
be32() { printf '%08x' "$1"; }

# The manufacturer CA (long validity) and a CA nobody trusts.
make_ca() { # NAME CN
	openssl ecparam -name prime256v1 -genkey -noout -out "$OUT/$1.key"
	openssl req -x509 -new -key "$OUT/$1.key" -subj "/O=tao test/CN=$2" -days 36500 \
		-sha256 -out "$OUT/$1.pem" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign
}
if [ ! -f "$OUT/ca.pem" ]; then
	make_ca ca "tao test manufacturer CA"
	make_ca other-ca "tao test untrusted CA"
fi

start_tpm() { # DIR PORT
	mkdir -p "$1"
	swtpm_setup --tpm2 --tpmstate "$1" --create-ek-cert --overwrite >/dev/null
	swtpm socket --tpm2 --server type=tcp,port="$2",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$(($2 + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
		--tpmstate dir="$1" --daemon --pid file="$1/pid"
	sleep 0.5
	PIDS+=("$(cat "$1/pid")")
	export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$2"
}

# A certificate for a TPM-resident key: CSR of a throwaway key, then the TPM key forced in.
issue() { # KEYPEM CN SERIALNUMBER OUTDER CA SERIAL
	openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/throwaway.key"
	openssl req -new -key "$WORK/throwaway.key" -subj "/O=tao test/CN=$2/serialNumber=$3" \
		-out "$WORK/csr.pem"
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$WORK/ext"
	openssl x509 -req -in "$WORK/csr.pem" -CA "$OUT/$5.pem" -CAkey "$OUT/$5.key" \
		-force_pubkey "$1" -days 3650 -set_serial "$6" -sha256 -extfile "$WORK/ext" \
		-outform DER -out "$4"
}

ATTRS="fixedtpm|fixedparent|sensitivedataorigin|userwithauth"
make_key() { # HANDLE ATTRS PREFIX
	# No resource manager: every use of a context file leaves an object loaded; flush them.
	tpm2_create -Q -C "$WORK/primary.ctx" -G ecc256:ecdsa-sha256:null -a "$2" \
		-u "$WORK/$3.tpm2b" -r "$WORK/$3.priv"
	tpm2_flushcontext -t
	tpm2_load -Q -C "$WORK/primary.ctx" -u "$WORK/$3.tpm2b" -r "$WORK/$3.priv" -c "$WORK/$3.ctx"
	tpm2_flushcontext -t
	tpm2_evictcontrol -Q -C o -c "$WORK/$3.ctx" "$1" >/dev/null
	tpm2_flushcontext -t
	tpm2_readpublic -Q -c "$1" -f pem -o "$WORK/$3.pem"
}

# E = H(be32(T) || be32(len(N)) || N || H(data)), PCR13 = H(PCR13 || E); one line per entry in
# log.txt: TYPE NAME DATAHEX.
measure() { # PREFIX TYPE NAME DATA
	local d e
	d=$(printf '%s' "$4" | openssl dgst -sha256 -binary | hex)
	e=$( (be32 "$2"; be32 "${#3}"; printf '%s' "$3" | hex; echo "$d") | xxd -r -p |
		openssl dgst -sha256 -binary | hex)
	tpm2_pcrextend "13:sha256=$e"
	printf '%s %s %s\n' "$2" "$3" "$(printf '%s' "$4" | hex)" >>"$OUT/$1.log.txt"
}

# TPM2_Certify with qualifyingData (tpm2_certify 5.4 has no -q): the raw command through
# tpm2_send, both handles persistent, empty password sessions, the signing key's own scheme.
certify() { # KEYHANDLE SIGNHANDLE BINDERHEX OUTATTEST OUTSIG
	local params="0020$3""0010" auth="400000090000010000400000090000010000"
	local body="00000148${1#0x}${2#0x}$(be32 $((${#auth} / 2)))$auth$params"
	(printf '8002'; be32 $((${#body} / 2 + 6)); echo "$body") | xxd -r -p >"$WORK/cmd"
	tpm2_send <"$WORK/cmd" >"$WORK/rsp"
	local rc psize alen
	rc=$(xxd -p -s 6 -l 4 "$WORK/rsp")
	[ "$rc" = 00000000 ] || { echo "TPM2_Certify failed: rc 0x$rc" >&2; exit 1; }
	psize=$((0x$(xxd -p -s 10 -l 4 "$WORK/rsp")))
	alen=$((0x$(xxd -p -s 14 -l 2 "$WORK/rsp")))
	dd if="$WORK/rsp" of="$4" bs=1 skip=16 count="$alen" status=none
	dd if="$WORK/rsp" of="$5" bs=1 skip=$((16 + alen)) count=$((psize - 2 - alen)) status=none
}

pcr() { # PCR -> hex of sha256 PCR
	tpm2_pcrread "sha256:$1" | sed -n "s/^ *$1 *: 0x//p" | tr 'A-F' 'a-f'
}

device() { # PREFIX PORT SERIALNUMBER RELOADED
	local p=$1
	start_tpm "$WORK/tpm-$p" "$2"
	tpm2_createprimary -Q -C o -g sha256 -G ecc256 -c "$WORK/primary.ctx"
	tpm2_flushcontext -t
	make_key 0x81000001 "$ATTRS|restricted|sign" "$p-iak"
	make_key 0x81000002 "$ATTRS|sign" "$p-idevid"
	make_key 0x81000003 "sensitivedataorigin|userwithauth|sign" "$p-dup"
	tpm2_flushcontext -t
	issue "$WORK/$p-iak.pem" "tao device IAK" "$3" "$OUT/$p-iak.der" ca 1001
	issue "$WORK/$p-idevid.pem" "tao device IDevID" "$3" "$OUT/$p-idevid.der" ca 1002
	# TPMT_PUBLIC: the TPM2B_PUBLIC without its size.
	tail -c +3 "$WORK/$p-idevid.tpm2b" >"$OUT/$p-idevid.tpmt"
	tail -c +3 "$WORK/$p-iak.tpm2b" >"$OUT/$p-iak.tpmt"
	tail -c +3 "$WORK/$p-dup.tpm2b" >"$OUT/$p-dup.tpmt"

	# The binder: SHA-256("tao attestation v1" || SPKI(IDevID leaf) || ekm), ekm = 32 x 0x11.
	openssl x509 -inform DER -in "$OUT/$p-idevid.der" -pubkey -noout |
		openssl pkey -pubin -outform DER -out "$WORK/spki.der"
	(printf 'tao attestation v1'; cat "$WORK/spki.der"; printf '%064d' 0 | tr 0 1 | xxd -r -p) |
		openssl dgst -sha256 -binary >"$OUT/$p.binder"
	local binder
	binder=$(hex <"$OUT/$p.binder")

	rm -f "$OUT/$p.log.txt"
	if [ "$4" = reloaded ]; then
		measure "$p" 1 "before-reload" "a previous load of the module"
		rm -f "$OUT/$p.log.txt"
	fi
	echo "sha256 $(pcr 13)" >"$OUT/$p.at_load.txt"
	measure "$p" $((0xffff0001)) "tao" "tao 0.1.0"
	measure "$p" 1 "boot-config" "console=ttyS0 quiet"
	measure "$p" 2 "app" "/usr/bin/app sha256=0123"
	measure "$p" 2 "app" "/usr/bin/other sha256=4567"

	tpm2_quote -Q -c 0x81000001 -l sha256:0,13 -q "$binder" -g sha256 \
		-m "$OUT/$p-quote.msg" -s "$OUT/$p-quote.sig"
	{ echo "sha256 0 $(pcr 0)"; echo "sha256 13 $(pcr 13)"; } >"$OUT/$p.pcrs.txt"
	certify 0x81000002 0x81000001 "$binder" "$OUT/$p-certify.msg" "$OUT/$p-certify.sig"
	# Certifications of keys that must not pass as the TLS key: a duplicable one and the
	# (restricted) IAK itself.
	certify 0x81000003 0x81000001 "$binder" "$OUT/$p-certify-dup.msg" "$OUT/$p-certify-dup.sig"
	certify 0x81000001 0x81000001 "$binder" "$OUT/$p-certify-iak.msg" "$OUT/$p-certify-iak.sig"
	# A quote signed by the IDevID (an unrestricted key can sign a quote) — the wrong key.
	tpm2_quote -Q -c 0x81000002 -l sha256:0,13 -q "$binder" -g sha256 \
		-m "$OUT/$p-quote-idevid.msg" -s "$OUT/$p-quote-idevid.sig"
	kill "$(cat "$WORK/tpm-$p/pid")"
}

device a 23321 TAO-A-0001 fresh
device b 23331 TAO-B-0002 reloaded
echo "done: $(ls "$OUT" | wc -l) files in $OUT; now assemble the records:"
echo "  for p in a b; do BUILD/tests/unit/make_evidence $OUT \$p > $OUT/\$p.evidence.json; done"
