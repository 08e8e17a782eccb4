#!/bin/bash
# tests/registrar/filter_diff.sh BUILDDIR: SCIM filters through tao (BUILDDIR's
# tests/unit/scim_filter_eval) and through the npm package scim2-parse-filter (filter_diff.mjs),
# compared; differences only as allowed there, with their reasons. Installs the package with
# `npm ci` (tests/registrar/node/package-lock.json) when node_modules is missing.
# The last line is "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: filter_diff.sh BUILDDIR}
eval_bin=$build/tests/unit/scim_filter_eval

fail() {
	echo "FAIL: $*"
	echo "0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null || fail "node is not installed (scripts/packages: nodejs)"
[[ -x $eval_bin ]] || fail "$eval_bin is not built"
if [[ ! -d $here/node/node_modules/scim2-parse-filter ]]; then
	command -v npm >/dev/null || fail "npm is not installed (scripts/packages: npm)"
	npm ci --prefix "$here/node" --no-audit --no-fund >&2 ||
		fail "npm ci --prefix $here/node"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$here/filter_diff.mjs" gen >"$tmp/cases" || fail "filter_diff.mjs gen"
"$eval_bin" <"$tmp/cases" >"$tmp/ours" 2>"$tmp/ours.err" ||
	fail "scim_filter_eval exited $? ($(tail -n 3 "$tmp/ours.err"))"
node "$here/filter_diff.mjs" compare "$tmp/cases" "$tmp/ours"
