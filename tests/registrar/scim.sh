# SPDX-License-Identifier: GPL-2.0-only OR MIT
# The SCIM 2.0 service of the running registrar over real HTTPS (sourced by tests/registrar/run:
# $T, $URL, $CA, $REG, check, jqt, sql, ...). Bearer tokens; no client certificate.

# scim NAME TOKEN METHOD PATH [BODY [HEADER...]]: the response in $T/NAME.json, status in $code.
scim() {
	local name=$1 tok=$2 method=$3 path=$4 body=${5-} args=()
	shift 4
	[[ $# -gt 0 ]] && shift
	[[ -n $tok ]] && args+=(-H "Authorization: Bearer $tok")
	local ct=application/scim+json
	for h in "$@"; do
		if [[ ${h,,} == content-type:* ]]; then ct=${h#*: }; else args+=(-H "$h"); fi
	done
	[[ -n $body ]] && args+=(-H "Content-Type: $ct" --data-binary "$body")
	code=$(curl -sS --cacert "$CA" -X "$method" "${args[@]}" -D "$T/$name.hdr" \
		-o "$T/$name.json" -w '%{http_code}' "$URL$path" 2>"$T/$name.err")
}
# scim_err NAME STATUS SCIMTYPE: the last answer was an RFC 7644 error of that status and type.
scim_err() {
	local want_type=$3
	if [[ $code == "$2" ]] && [[ $(jq --arg s "$2" --arg t "$want_type" \
		'.schemas == ["urn:ietf:params:scim:api:messages:2.0:Error"] and .status == $s and (($t == "" and (.scimType == null)) or .scimType == $t) and (.detail | length > 0)' \
		"$T/$1.json" 2>/dev/null) == true ]]; then
		ok "$1: $2 ${want_type:-(no scimType)}"
	else
		bad "$1: $2 ${want_type:-(no scimType)}" "got $code: $(head -c 600 "$T/$1.json")"
	fi
}
header() { sed -n "s/^$2: \(.*\)\r$/\1/Ip" "$T/$1.hdr" | head -n1; }

C=$T/reg/registrar.conf
OPS=$("$REG" token create ops -c "$C")
check "token create prints a token" test "${#OPS}" -ge 40
INST=$("$REG" token create inst-acme --role installer --tenant acme -c "$C")
OLD=$("$REG" token create old -c "$C")
check "token revoke" "$REG" token revoke old -c "$C"
"$REG" token create ops -c "$C" >"$T/tok-dup.out" 2>&1
check "a token name is unique" test $? = 1
"$REG" token create x --role installer -c "$C" >"$T/tok-inst.out" 2>&1
check "an installer token needs a tenant" test $? = 2
"$REG" token list -c "$C" --json >"$T/tokens.json"
jqt "token list shows names, roles, revocation, and never a token or hash" \
	'length == 3 and (map(.name) | sort) == ["inst-acme", "old", "ops"] and (map(select(.revoked != null)) | map(.name)) == ["old"] and (map(keys) | add | unique) == ["created", "name", "revoked", "role", "tenant"]' \
	"$T/tokens.json"
check "the store keeps the token's SHA-256, not the token" test \
	"$(sql "SELECT lower(hex(hash)) FROM tokens WHERE name = 'ops'")" = "$(printf %s "$OPS" | sha256sum | cut -d' ' -f1)"
check "the token text is nowhere in the database files" test "$(cat "$T/reg/registrar.db"* | grep -a -c -F "$OPS")" = 0

# --- authentication ---
scim noauth "" GET /scim/v2/Devices
scim_err noauth 401 ""
check "401 carries WWW-Authenticate" test -n "$(header noauth WWW-Authenticate)"
scim badtok "tao_nope" GET /scim/v2/Devices
scim_err badtok 401 ""
scim revoked "$OLD" GET /scim/v2/Devices
scim_err revoked 401 ""
jqt "the revoked token is told as such" '.detail | test("revoked")' "$T/revoked.json"

# --- discovery ---
scim spc "$OPS" GET /scim/v2/ServiceProviderConfig
jqt "ServiceProviderConfig advertises patch, filter, sort, etag; no bulk" \
	'.patch.supported == true and .filter.supported == true and .filter.maxResults == 200 and .etag.supported == true and .sort.supported == true and .bulk.supported == false' \
	"$T/spc.json"
scim rts "$OPS" GET /scim/v2/ResourceTypes
jqt "ResourceTypes lists Device and EndpointApp" \
	'([.Resources[].id] | sort) == ["Device", "EndpointApp"] and (.Resources[] | select(.id == "Device") | .endpoint) == "/Devices"' \
	"$T/rts.json"
scim schemas "$OPS" GET /scim/v2/Schemas
jqt "Schemas has the core Device schema and the RFC 9944 extensions" \
	'[.Resources[].id] | (index("urn:ietf:params:scim:schemas:core:2.0:Device") != null) and (index("urn:ietf:params:scim:schemas:extension:ble:2.0:Device") != null) and (index("urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device") != null)' \
	"$T/schemas.json"
scim schema1 "$OPS" GET /scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device
jqt "one schema by URN" '.id == "urn:ietf:params:scim:schemas:core:2.0:Device" and (.attributes | map(.name) | index("active") != null)' "$T/schema1.json"
scim vers "$OPS" GET /scim/v1/Devices
scim_err vers 400 invalidVers

# --- create, read ---
DEV='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Device","urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device"],"displayName":"Sensor 1","active":true,"urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device":{"fdoVoucher":"-----BEGIN OWNERSHIP VOUCHER-----\nAAAA\n-----END OWNERSHIP VOUCHER-----"}}'
scim create "$OPS" POST /scim/v2/Devices "$DEV"
check "POST /Devices: 201" test "$code" = 201
ID=$(jq -r .id "$T/create.json")
jqt "the created Device has id, meta and no voucher (write-only)" \
	'.id as $id | ($id | length) == 36 and .meta.resourceType == "Device" and (.meta.version | startswith("W/\"")) and (.meta.location | endswith($id)) and .displayName == "Sensor 1" and (tostring | contains("fdoVoucher") | not)' \
	"$T/create.json"
check "Location is meta.location" test "$(header create Location)" = "$(jq -r .meta.location "$T/create.json")"
check "ETag is meta.version" test "$(header create ETag)" = "$(jq -r .meta.version "$T/create.json")"
check "the voucher is stored (write-only, not dropped)" test \
	"$(sql "SELECT count(*) FROM scim_resources WHERE body LIKE '%OWNERSHIP VOUCHER%'")" = 1
scim get "$OPS" GET "/scim/v2/Devices/$ID"
jqt "GET the Device" '.id and .active == true and (tostring | contains("fdoVoucher") | not)' "$T/get.json"
ETAG=$(header get ETag)

# --- the stored default representation (store schema 5) ---
TAG=$(sql "SELECT rep_tag FROM scim_resources WHERE id = '$ID'")
check "the Device's default representation is stored with it" test \
	"$(sql "SELECT rep IS NOT NULL AND rep_tag IS NOT NULL FROM scim_resources WHERE id = '$ID'")" = 1
check "and holds no write-only value (the voucher)" test \
	"$(sql "SELECT count(*) FROM scim_resources WHERE rep LIKE '%VOUCHER%' OR rep LIKE '%fdoVoucher%'")" = 0
scim get_host "$OPS" GET "/scim/v2/Devices/$ID" "" "Host: reg.example:8443"
jqt "meta.location names the request's host (spliced into the stored bytes)" \
	--arg id "$ID" '.meta.location == "https://reg.example:8443/scim/v2/Devices/" + $id' "$T/get_host.json"
jqt "a GET from the stored representation has no voucher" '.id and (tostring | contains("fdoVoucher") | not)' "$T/get_host.json"
scim list_host "$OPS" GET "/scim/v2/Devices?filter=displayName%20eq%20%22Sensor%201%22" "" "Host: reg.example:8443"
sql "UPDATE scim_resources SET rep = NULL WHERE id = '$ID'"
scim get_host_norep "$OPS" GET "/scim/v2/Devices/$ID" "" "Host: reg.example:8443"
check "GET from the stored representation is byte for byte the computed one" \
	cmp "$T/get_host.json" "$T/get_host_norep.json"
scim list_host_norep "$OPS" GET "/scim/v2/Devices?filter=displayName%20eq%20%22Sensor%201%22" "" "Host: reg.example:8443"
check "a list entry likewise" cmp "$T/list_host.json" "$T/list_host_norep.json"
jqt "(a list of one)" '.totalResults == 1 and .itemsPerPage == 1' "$T/list_host.json"
# One made under other schema tables (another tag) is not used: not even a forged one.
sql "UPDATE scim_resources SET rep = '{\"schemas\":[],\"id\":\"forged\"}', rep_meta = 13, rep_tag = 1 WHERE id = '$ID'"
scim get_stale "$OPS" GET "/scim/v2/Devices/$ID" "" "Host: reg.example:8443"
check "a representation of another tag is not used" cmp "$T/get_host.json" "$T/get_stale.json"
sql "UPDATE scim_resources SET rep_tag = $TAG WHERE id = '$ID'"
scim get_forged "$OPS" GET "/scim/v2/Devices/$ID"
jqt "(the test's forged one, under the current tag, is what is served: the path is taken)" '.id == "forged"' "$T/get_forged.json"
sql "UPDATE scim_resources SET rep = NULL, rep_meta = NULL, rep_tag = NULL WHERE id = '$ID'"
scim get304 "$OPS" GET "/scim/v2/Devices/$ID" "" "If-None-Match: $ETAG"
check "If-None-Match with the current version: 304" test "$code" = 304
scim attrs "$OPS" GET "/scim/v2/Devices/$ID?attributes=displayName"
jqt "attributes=displayName: that, plus id and schemas" '.displayName == "Sensor 1" and .id and (has("active") | not)' "$T/attrs.json"
scim excl "$OPS" GET "/scim/v2/Devices/$ID?excludedAttributes=displayName"
jqt "excludedAttributes=displayName" '(has("displayName") | not) and .active == true' "$T/excl.json"
scim missing "$OPS" GET /scim/v2/Devices/00000000-0000-4000-8000-000000000000
scim_err missing 404 ""

# --- bad input changes nothing ---
n0=$(sql "SELECT count(*) FROM scim_resources")
scim syntax "$OPS" POST /scim/v2/Devices '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Device"], "active": tru'
scim_err syntax 400 invalidSyntax
scim type "$OPS" POST /scim/v2/Devices '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Device"],"active":"yes"}'
scim_err type 400 invalidValue
scim noschema "$OPS" POST /scim/v2/Devices '{"schemas":["urn:example:unknown"],"active":true}'
scim_err noschema 400 invalidValue
scim required "$OPS" POST /scim/v2/Devices '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Device"],"displayName":"x"}'
scim_err required 400 invalidValue
deep=$(printf '{"a":%.0s' $(seq 40))1$(printf '}%.0s' $(seq 40))
scim deep "$OPS" POST /scim/v2/Devices "$deep"
scim_err deep 400 invalidSyntax
scim ctype "$OPS" POST /scim/v2/Devices 'x' 'Content-Type: text/plain'
check "a body that is not JSON gets 415" test "$code" = 415
check "none of it was stored" test "$(sql "SELECT count(*) FROM scim_resources")" = "$n0"

# --- replace and versions ---
REPL='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Device"],"displayName":"Sensor 1b","active":true}'
scim stale "$OPS" PUT "/scim/v2/Devices/$ID" "$REPL" 'If-Match: W/"99"'
scim_err stale 412 ""
scim put "$OPS" PUT "/scim/v2/Devices/$ID" "$REPL" "If-Match: $ETAG"
jqt "PUT with the current version: replaced, version 2" '.displayName == "Sensor 1b" and .meta.version == "W/\"2\""' "$T/put.json"
scim put2 "$OPS" PUT "/scim/v2/Devices/$ID" "$REPL" "If-Match: $ETAG"
scim_err put2 412 ""

# --- PATCH ---
PATCH='{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}'
scim patch "$OPS" PATCH "/scim/v2/Devices/$ID" "$PATCH"
jqt "PATCH replace active: false" '.active == false and .meta.version == "W/\"3\""' "$T/patch.json"
scim patchro "$OPS" PATCH "/scim/v2/Devices/$ID" '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"x"}]}'
scim_err patchro 400 mutability
scim patchpath "$OPS" PATCH "/scim/v2/Devices/$ID" '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nosuch","value":1}]}'
scim_err patchpath 400 invalidPath

# --- lists, filters, pages ---
for i in $(seq 2 6); do
	scim mk$i "$OPS" POST /scim/v2/Devices "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Device\"],\"displayName\":\"Sensor $i\",\"active\":$([[ $((i % 2)) == 0 ]] && echo true || echo false)}"
done
scim list "$OPS" GET "/scim/v2/Devices"
scim list_p "$OPS" GET "/scim/v2/Devices?filter=displayName%20sw%20%22sensor%22%20and%20not%20(active%20eq%20true)&startIndex=2&count=2"
jqt "list: a ListResponse of all six" '.schemas == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"] and .totalResults == 6 and .startIndex == 1 and .itemsPerPage == 6' "$T/list.json"
jqt "list: in the order the resources were created" '[.Resources[].displayName] == ["Sensor 1b", "Sensor 2", "Sensor 3", "Sensor 4", "Sensor 5", "Sensor 6"]' "$T/list.json"
# The answer (head, and a body of six stored representations) as one TLS record: s_client -msg
# shows each record the server sends; those of application data have no handshake or alert
# message after their inner content type.
(printf 'GET /scim/v2/Devices HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$OPS"
	sleep 2) | timeout 10 openssl s_client -quiet -msg -connect "${URL#https://}" -CAfile "$CA" \
	-servername localhost >"$T/records.out" 2>&1
awk '/^<<< .*RecordHeader/ { if (inner) n++; inner = 0 } /^<<< .*InnerContent/ { inner = 1 }
	/^<<< .*(Handshake|Alert)/ { inner = 0 } END { if (inner) n++; print n + 0 }' \
	"$T/records.out" >"$T/records.n"
check "a list answer goes out as one TLS record (head and body together)" \
	test "$(cat "$T/records.n")" = 1 -a "$(grep -ac '^HTTP/1.1 200' "$T/records.out")" = 1
scim flt "$OPS" GET "/scim/v2/Devices?filter=active%20eq%20true"
jqt "filter active eq true" '.totalResults == 3 and ([.Resources[].active] | all)' "$T/flt.json"
scim flt2 "$OPS" GET "/scim/v2/Devices?filter=displayName%20sw%20%22sensor%22%20and%20not%20(active%20eq%20true)"
jqt "filter with and/not/grouping (displayName is not caseExact)" '.totalResults == 3' "$T/flt2.json"
sql "UPDATE scim_resources SET rep = NULL"
scim list_norep "$OPS" GET "/scim/v2/Devices"
check "a list of stored representations is byte for byte the computed one" cmp "$T/list.json" "$T/list_norep.json"
scim list_p_norep "$OPS" GET "/scim/v2/Devices?filter=displayName%20sw%20%22sensor%22%20and%20not%20(active%20eq%20true)&startIndex=2&count=2"
check "a page of them too (a filter the C matcher decides)" cmp "$T/list_p.json" "$T/list_p_norep.json"
jqt "(that page)" '.totalResults == 3 and .startIndex == 2 and .itemsPerPage == 2' "$T/list_p.json"
scim page "$OPS" GET "/scim/v2/Devices?sortBy=displayName&sortOrder=descending&startIndex=2&count=2"
jqt "sorted, paged" '.totalResults == 6 and .startIndex == 2 and .itemsPerPage == 2 and ([.Resources[].displayName] == ["Sensor 5", "Sensor 4"])' "$T/page.json"
scim badflt "$OPS" GET "/scim/v2/Devices?filter=active%20eqq%20true"
scim_err badflt 400 invalidFilter
scim sens "$OPS" GET "/scim/v2/Devices?filter=urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device:fdoVoucher%20pr"
scim_err sens 403 sensitive

# --- installers see their tenant only ---
scim inst_list "$INST" GET /scim/v2/Devices
jqt "an installer sees no other tenant's devices" '.totalResults == 0' "$T/inst_list.json"
scim inst_get "$INST" GET "/scim/v2/Devices/$ID"
scim_err inst_get 404 ""
scim inst_make "$INST" POST /scim/v2/Devices '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Device"],"displayName":"Acme 1","active":false}'
check "an installer creates in its tenant" test "$code" = 201
check "stored under its tenant" test "$(sql "SELECT tenant FROM scim_resources WHERE id = '$(jq -r .id "$T/inst_make.json")'")" = acme
scim inst_list2 "$INST" GET /scim/v2/Devices
jqt "and sees it" '.totalResults == 1 and .Resources[0].displayName == "Acme 1"' "$T/inst_list2.json"

# --- delete ---
scim del_stale "$OPS" DELETE "/scim/v2/Devices/$ID" "" 'If-Match: W/"1"'
scim_err del_stale 412 ""
scim del "$OPS" DELETE "/scim/v2/Devices/$ID"
check "DELETE: 204" test "$code" = 204
scim gone "$OPS" GET "/scim/v2/Devices/$ID"
scim_err gone 404 ""
