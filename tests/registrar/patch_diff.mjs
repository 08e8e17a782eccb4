// SPDX-License-Identifier: GPL-2.0-only OR MIT
// The reference side of tests/registrar/patch_diff.sh: reads "RESOURCE_JSON<TAB>PATCHOP_JSON"
// lines on stdin, applies each with the npm package scim-patch (patchBodyValidation, then
// scimPatch on a copy, replace of a missing filtered target not turned into add: RFC 7644
// section 3.5.2.3) and prints the result in the canonical form of scim_patch_apply.c (keys
// sorted, no white space, null members and empty arrays left out) or "error SCIMTYPE".
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const { scimPatch, patchBodyValidation } = require('./node/node_modules/scim-patch');

function absent(v) {
	return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

function canon(v) {
	if (Array.isArray(v))
		return '[' + v.map(canon).join(',') + ']';
	if (v !== null && typeof v === 'object') {
		const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
		const parts = [];
		for (const k of keys)
			if (!absent(v[k]))
				parts.push(JSON.stringify(k) + ':' + canon(v[k]));
		return '{' + parts.join(',') + '}';
	}
	return JSON.stringify(v === undefined ? null : v);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
	const tab = line.indexOf('\t');
	let out;
	try {
		const resource = JSON.parse(line.slice(0, tab));
		const body = JSON.parse(line.slice(tab + 1));
		patchBodyValidation(body);
		out = canon(scimPatch(resource, body.Operations,
				      { mutateDocument: false, treatMissingAsAdd: false }));
	} catch (e) {
		out = 'error ' + (e && e.scimCode ? e.scimCode : 'crash:' + (e && e.name));
	}
	process.stdout.write(out + '\n');
}
