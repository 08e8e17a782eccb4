# shellcheck shell=bash
# What tests/e2e/run and scripts/demo share: a registrar on the host that the
# VM reaches as 10.0.2.2, the project installed into a staging tree for the
# guest's root, and a policy that allows taod's own measurements.
#
# The caller sets: src (the repository), build (a meson build dir, prefix /usr),
# work (a scratch directory). Sets: REG, reg, stage, port, rpid, ops.

REG=$build/registrar/tao-registrar
reg=$work/reg
stage=$work/stage
rpid= port= ops=

# start_registrar: tao-registrar -c $reg/registrar.conf in the background; sets
# rpid and port (from its "listening" log line). Its log: $work/reg.log.
start_registrar() {
	: >"$work/reg.log"
	"$REG" -c "$reg/registrar.conf" >/dev/null 2>>"$work/reg.log" &
	rpid=$!
	local p=
	for _ in $(seq 100); do
		p=$(sed -n 's/.*event=listening .*address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/reg.log")
		[[ -n $p ]] && break
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.1
	done
	[[ -n $p ]] && port=$p
}

stop_registrar() {
	[[ -n $rpid ]] && kill -TERM "$rpid" && wait "$rpid" 2>/dev/null
	rpid=
}

# registrar_init: a new registrar in $reg whose certificate names 127.0.0.1 and
# 10.0.2.2, started once to get a port, which its configuration then keeps;
# an operator token in $ops.
registrar_init() {
	"$REG" init "$reg" --listen 127.0.0.1:0 --server-name 127.0.0.1 \
		--server-name 10.0.2.2 >"$work/init.log" 2>&1 || return 1
	start_registrar || return 1
	sed -i "s/^listen = .*/listen = 127.0.0.1:$port/" "$reg/registrar.conf"
	ops=$("$REG" token create operator -c "$reg/registrar.conf") || return 1
}

# stage_install: meson install into $stage, and /etc/tao/taod.conf for the host's
# registrar. Sets taod_bin (the staged binary) and taod_path (its path in the guest).
stage_install() {
	meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
		return 1
	taod_bin=$(find "$stage" -path '*/sbin/taod' -type f | head -n1)
	[[ -x $taod_bin ]] || return 1
	taod_path=${taod_bin#"$stage"}
	mkdir -p "$stage/etc/tao" "$stage/etc/systemd/system/taod.service.d"
	cat >"$stage/etc/tao/taod.conf" <<CONF
# The registrar on the host, as the VM sees it (user-mode network: 10.0.2.2)
[registrar]
url = https://10.0.2.2:$port
timeout = 30s

[retry]
initial = 1s
max = 4s
refused = 1h
CONF
}

# policy_allow_taod: the registrar's policy allows taod's events: its
# configuration and its binary with their digests as staged (taod(8),
# MEASUREMENTS), and "enrolled". Restarts the registrar.
policy_allow_taod() {
	jq --arg conf "$(sha256sum <"$stage/etc/tao/taod.conf" | cut -d' ' -f1)" \
		--arg bin "$(sha256sum <"$taod_bin" | cut -d' ' -f1)" --arg path "$taod_path" \
		'.events += [{"type": 31233, "name": "/etc/tao/taod.conf", "digest": $conf},
		             {"type": 31234, "name": $path, "digest": $bin},
		             {"type": 31236, "name": "enrolled"}]' "$reg/policy.json" \
		>"$work/policy.json" && cp "$work/policy.json" "$reg/policy.json" || return 1
	stop_registrar
	start_registrar
}

# devices: the registrar's Devices over SCIM, as the operator.
devices() {
	curl -sS --cacert "$reg/operator-ca/ca.pem" -H "Authorization: Bearer $ops" \
		"https://127.0.0.1:$port/scim/v2/Devices?count=100"
}
