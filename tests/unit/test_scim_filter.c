// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SCIM filters and PATCH paths (registrar/scim_filter.h): the parser's trees and its messages,
 * and evaluation on the test resource type of scim_filter_rt.c (every operator on every type,
 * precedence, value paths, URNs, caseExact, multi-valued attributes, pr, dateTimes, numbers).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "scim_filter.h"
#include "scim_filter_rt.h"

#define EXT  TEST_EXT_URN
#define CORE TEST_CORE_URN

static struct json_object *full, *sparse;

static int setup(void **state)
{
	(void)state;
	full = json_tokener_parse(test_widget_full);
	sparse = json_tokener_parse(test_widget_sparse);
	return full && sparse ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_object_put(full);
	json_object_put(sparse);
	return 0;
}

/* Expected results on the full and the sparse resource (E: an error, message in err). */
#define E (-1)
struct mcase {
	const char *filter;
	int on_full, on_sparse;
	const char *err;
};

static const struct mcase matches[] = {
	/* strings, caseExact false: every operator */
	{ "displayName eq \"Front Door Lock\"", 1, 0, NULL },
	{ "displayName eq \"front door lock\"", 1, 0, NULL },
	{ "displayName eq \"Front Door\"", 0, 0, NULL },
	{ "displayName ne \"front door lock\"", 0, 1, NULL },
	{ "displayName ne \"Back Door\"", 1, 1, NULL },
	{ "displayName co \"DOOR\"", 1, 0, NULL },
	{ "displayName co \"\"", 1, 1, NULL },
	{ "displayName co \"window\"", 0, 0, NULL },
	{ "displayName sw \"front\"", 1, 0, NULL },
	{ "displayName sw \"Door\"", 0, 0, NULL },
	{ "displayName ew \"LOCK\"", 1, 0, NULL },
	{ "displayName ew \"Front Door Lock and more\"", 0, 0, NULL },
	{ "displayName gt \"front\"", 1, 0, NULL },
	{ "displayName gt \"FRONT DOOR LOCK\"", 0, 0, NULL },
	{ "displayName ge \"FRONT DOOR LOCK\"", 1, 0, NULL },
	{ "displayName lt \"g\"", 1, 1, NULL },
	{ "displayName lt \"front door lock\"", 0, 1, NULL },
	{ "displayName le \"front door lock\"", 1, 1, NULL },
	/* caseExact true */
	{ "serialNumber eq \"SN-0042-ab\"", 1, 0, NULL },
	{ "serialNumber eq \"sn-0042-ab\"", 0, 0, NULL },
	{ "serialNumber ne \"sn-0042-ab\"", 1, 0, NULL },
	{ "serialNumber co \"0042-a\"", 1, 0, NULL },
	{ "serialNumber co \"0042-A\"", 0, 0, NULL },
	{ "serialNumber sw \"SN\"", 1, 0, NULL },
	{ "serialNumber sw \"sn\"", 0, 0, NULL },
	{ "serialNumber ew \"ab\"", 1, 0, NULL },
	{ "serialNumber ew \"AB\"", 0, 0, NULL },
	{ "serialNumber gt \"SN-0042-AB\"", 1, 0, NULL }, /* 'a' > 'A' */
	{ "serialNumber lt \"sn\"", 1, 0, NULL },
	{ "serialNumber ge \"SN-0042-ab\"", 1, 0, NULL },
	{ "serialNumber le \"SN-0042-aa\"", 0, 0, NULL },
	/* booleans */
	{ "active eq true", 1, 0, NULL },
	{ "active eq false", 0, 0, NULL },
	{ "active ne false", 1, 0, NULL },
	{ "active ne true", 0, 0, NULL },
	{ "active co \"t\"", E, E, "filter: 'active' is a boolean: 'co' is not defined on it" },
	{ "active gt \"x\"", E, E, "filter: 'active' is a boolean: 'gt' is not defined on it" },
	{ "active eq \"true\"", E, E,
	  "filter: 'active' is a boolean: compared with a value that is not true or false" },
	{ "active eq 1", E, E,
	  "filter: 'active' is a boolean: compared with a value that is not true or false" },
	/* integers and decimals, numerically */
	{ "count eq 42", 1, 0, NULL },
	{ "count eq 42.0", 1, 0, NULL },
	{ "count eq 4.2e1", 1, 0, NULL },
	{ "count ne 42", 0, 0, NULL },
	{ "count ne 41", 1, 0, NULL },
	{ "count gt 41.5", 1, 0, NULL },
	{ "count gt 42", 0, 0, NULL },
	{ "count ge 42", 1, 0, NULL },
	{ "count lt 100", 1, 0, NULL },
	{ "count lt -1", 0, 0, NULL },
	{ "count le 42", 1, 0, NULL },
	{ "count le 41.999", 0, 0, NULL },
	{ "count gt 9223372036854775807", 0, 0, NULL },
	{ "count gt -99999999999999999999", 1, 0, NULL },
	{ "ratio eq 0.75", 1, 0, NULL },
	{ "ratio eq 75e-2", 1, 0, NULL },
	{ "ratio gt 0", 1, 0, NULL },
	{ "ratio lt 1", 1, 0, NULL },
	{ "ratio ge 0.75", 1, 0, NULL },
	{ "ratio le 0.7", 0, 0, NULL },
	{ "count co \"4\"", E, E, "filter: 'count' is an integer: 'co' is only for strings" },
	{ "ratio sw \"0\"", E, E, "filter: 'ratio' is a decimal: 'sw' is only for strings" },
	{ "count eq \"42\"", E, E,
	  "filter: 'count' is an integer: compared with a value that is not a number" },
	/* dateTime, chronologically (created is 2026-01-15T09:30:00.5Z) */
	{ "created eq \"2026-01-15T09:30:00.5Z\"", 1, 0, NULL },
	{ "created eq \"2026-01-15T09:30:00.500Z\"", 1, 0, NULL },
	{ "created eq \"2026-01-15T04:30:00.5-05:00\"", 1, 0, NULL },
	{ "created eq \"2026-01-15t09:30:00.5z\"", 1, 0, NULL },
	{ "created eq \"2026-01-15T10:30:00+01:00\"", 0, 0, NULL },
	{ "created ne \"2026-01-15T10:30:00+01:00\"", 1, 0, NULL },
	{ "created gt \"2026-01-15T10:30:00+01:00\"", 1, 0, NULL },
	{ "created gt \"2026-01-15T09:30:00.50001Z\"", 0, 0, NULL },
	{ "created ge \"2026-01-15T09:30:00.5Z\"", 1, 0, NULL },
	{ "created lt \"2026-01-15T10:00:00Z\"", 1, 0, NULL },
	{ "created lt \"2026-01-15T09:30:00.4999+00:00\"", 0, 0, NULL },
	{ "created le \"2025-12-31T23:59:59Z\"", 0, 0, NULL },
	{ "created gt \"2024-02-29T00:00:00Z\"", 1, 0, NULL },
	{ "meta.created lt \"2026-01-15T10:30:00.5+01:00\"", 1, 0, NULL },
	{ "meta.lastModified gt \"2026-02-01T00:00:00.123456788Z\"", 1, 0, NULL },
	{ "meta.lastModified eq \"2026-02-01T01:00:00.1234567890+01:00\"", 1, 0, NULL },
	{ "created co \"2026\"", E, E,
	  "filter: 'created' is a dateTime: 'co' is only for strings" },
	{ "created gt \"2026-01-15\"", E, E,
	  "filter: 'created' is a dateTime: compared with a value that is not an RFC 3339 "
	  "date-time (like \"2026-01-31T12:00:00Z\")" },
	{ "created gt \"2025-02-29T00:00:00Z\"", E, E,
	  "filter: 'created' is a dateTime: compared with a value that is not an RFC 3339 "
	  "date-time (like \"2026-01-31T12:00:00Z\")" },
	{ "created eq 2026", E, E,
	  "filter: 'created' is a dateTime: compared with a value that is not an RFC 3339 "
	  "date-time (like \"2026-01-31T12:00:00Z\")" },
	/* binary and reference: strings; binary has no order */
	{ "photo eq \"aGVsbG8=\"", 1, 0, NULL },
	{ "photo eq \"AGVSBG8=\"", 0, 0, NULL },
	{ "photo sw \"aGVs\"", 1, 0, NULL },
	{ "photo co \"bG8\"", 1, 0, NULL },
	{ "photo ew \"=\"", 1, 0, NULL },
	{ "photo gt \"a\"", E, E, "filter: 'photo' is a binary: 'gt' is not defined on it" },
	{ "photo le \"a\"", E, E, "filter: 'photo' is a binary: 'le' is not defined on it" },
	{ "profile sw \"https://example.com/\"", 1, 0, NULL },
	{ "profile ew \"/ABC\"", 0, 0, NULL },
	{ "profile gt \"https://a\"", 1, 0, NULL },
	{ "profile eq \"https://example.com/Widgets/abc\"", 1, 0, NULL },
	{ "profile eq \"HTTPS://example.com/Widgets/abc\"", 0, 0, NULL },
	{ "profile ne \"https://example.com/\"", 1, 0, NULL },
	{ "profile co \"/Widgets/\"", 1, 0, NULL },
	{ "profile ge \"https://example.com/Widgets/abc\"", 1, 0, NULL },
	{ "profile lt \"https://example.com/Widgets/abd\"", 1, 0, NULL },
	{ "profile le \"https://example.com/Widgets/ab\"", 0, 0, NULL },
	{ "photo ne \"aGVsbG8=\"", 0, 0, NULL },
	{ "photo eq null", 0, 1, NULL },
	{ "profile eq 1", E, E,
	  "filter: 'profile' is a reference: compared with a value that is not a string" },
	{ "displayName eq true", E, E,
	  "filter: 'displayName' is a string: compared with a value that is not a string" },
	/* multi-valued: any value */
	{ "tags eq \"blue\"", 1, 0, NULL },
	{ "tags eq \"RED\"", 1, 0, NULL },
	{ "tags eq \"green\"", 0, 0, NULL },
	{ "tags ne \"blue\"", 1, 0, NULL },
	{ "tags sw \"bl\"", 1, 0, NULL },
	{ "tags eq \"\"", 1, 0, NULL },
	{ "emails.type eq \"home\"", 1, 0, NULL },
	{ "emails.value ew \"@example.com\"", 1, 0, NULL },
	{ "emails.primary eq true", 1, 0, NULL },
	{ "emails.primary eq false", 0, 0, NULL },
	/* complex multi-valued without a sub-attribute: "value" */
	{ "emails eq \"alice@example.com\"", 1, 0, NULL },
	{ "emails co \"bob\"", 1, 0, NULL },
	{ "emails ew \"example\"", 1, 0, NULL },
	{ "emails eq \"work\"", 0, 0, NULL },
	{ "name eq \"Ada\"", E, E, "filter: 'name' is complex: compare one of its sub-attributes" },
	{ "name.givenName eq \"ada\"", 1, 0, NULL },
	{ "name.familyName sw \"Love\"", 1, 0, NULL },
	/* pr */
	{ "displayName pr", 1, 0, NULL },
	{ "tags pr", 1, 0, NULL },
	{ "emails pr", 1, 0, NULL },
	{ "emails.primary pr", 1, 0, NULL },
	{ "count pr", 1, 0, NULL },
	{ "active pr", 1, 0, NULL },
	{ "name pr", 1, 0, NULL },
	{ "name.givenName pr", 1, 0, NULL },
	{ "externalId pr", 1, 0, NULL },
	{ "photo pr", 1, 0, NULL },
	{ "meta pr", 1, 0, NULL },
	{ "meta.version pr", 1, 0, NULL },
	{ "id pr", 1, 1, NULL },
	{ EXT ":macAddress pr", 1, 0, NULL },
	/* eq null: absent or null; ne null: present */
	{ "count eq null", 0, 1, NULL },
	{ "count ne null", 1, 0, NULL },
	{ "displayName eq null", 0, 1, NULL },
	{ "tags eq null", 0, 1, NULL },
	{ "ratio eq null", 0, 1, NULL },
	{ "name.givenName eq null", 0, 1, NULL },
	{ "active ne null", 1, 0, NULL },
	{ "emails.primary ne null", 1, 0, NULL },
	/* absent attributes match no comparison, ne included */
	{ "ratio ne 1", 1, 0, NULL },
	{ "active ne true", 0, 0, NULL },
	/* URN-qualified names, the extension under its URN, case-insensitive */
	{ EXT ":macAddress eq \"aa:bb:cc:dd:ee:ff\"", 1, 0, NULL },
	{ "URN:EXAMPLE:params:scim:schemas:extension:BLE:2.0:widget:MACADDRESS sw \"AA:BB\"", 1, 0,
	  NULL },
	{ CORE ":displayName sw \"Front\"", 1, 0, NULL },
	{ CORE ":name.givenName eq \"Ada\"", 1, 0, NULL },
	{ CORE ":tags eq \"red\"", 1, 0, NULL },
	{ "DISPLAYNAME EQ \"front door lock\"", 1, 0, NULL },
	{ "Emails.TYPE Eq \"work\"", 1, 0, NULL },
	{ "META.RESOURCETYPE EQ \"Widget\"", 1, 0, NULL },
	{ "meta.resourceType eq \"widget\"", 0, 0, NULL }, /* caseExact */
	{ "id eq \"abc-123\"", 1, 0, NULL },
	{ "id eq \"ABC-123\"", 0, 0, NULL },
	{ "externalId eq \"EXT-1\"", 1, 0, NULL },
	/* logic: and binds tighter than or; not; groups */
	{ "active eq false and count eq 42 or id eq \"abc-123\"", 1, 0, NULL },
	{ "id eq \"abc-123\" or active eq false and count eq 1", 1, 0, NULL },
	{ "(id eq \"abc-123\" or active eq false) and count eq 1", 0, 0, NULL },
	{ "count eq 1 and active eq false or count eq 42", 1, 0, NULL },
	{ "count eq 1 and (active eq false or count eq 42)", 0, 0, NULL },
	{ "id pr and not (count eq 42)", 0, 1, NULL },
	{ "not (displayName pr)", 0, 1, NULL },
	{ "NOT (displayName pr) OR id eq \"abc-123\"", 1, 1, NULL },
	{ "not (not (displayName pr))", 1, 0, NULL },
	{ "not(displayName pr)", 0, 1, NULL },
	{ "((displayName pr))", 1, 0, NULL },
	{ "  displayName   pr   and   ( id   pr )  ", 1, 0, NULL },
	{ "displayName pr and id pr and count pr and tags pr", 1, 0, NULL },
	{ "displayName eq \"x\" or id eq \"y\" or count eq 42", 1, 0, NULL },
	/* value paths: all conditions on one value */
	{ "emails[type eq \"work\"]", 1, 0, NULL },
	{ "emails[type eq \"work\" and value co \"@example.com\"]", 1, 0, NULL },
	{ "emails[type eq \"home\" and value co \"Alice\"]", 0, 0, NULL },
	{ "emails.type eq \"home\" and emails.value co \"Alice\"", 1, 0, NULL },
	{ "emails[type eq \"home\" or primary eq true]", 1, 0, NULL },
	{ "emails[not (primary pr)]", 1, 0, NULL },
	{ "emails[(type eq \"x\" or type eq \"home\") and not (value sw \"alice\")]", 1, 0, NULL },
	{ "emails[TYPE EQ \"WORK\"] and tags eq \"red\"", 1, 0, NULL },
	{ CORE ":emails[primary eq true]", 1, 0, NULL },
	{ "name[givenName eq \"Ada\"]", 1, 0, NULL },
	{ "emails[ type eq \"work\" ]", 1, 0, NULL },
	{ "emails[foo eq 1]", E, E, "filter: unknown sub-attribute 'foo' of 'emails'" },
	{ "emails[emails.type eq \"work\"]", E, E,
	  "filter: unknown sub-attribute 'emails.type' of 'emails'" },
	{ "emails[primary gt true]", E, E,
	  "filter: offset 15: 'gt' cannot compare with a boolean (only 'eq' and 'ne' can)" },
	{ "tags[value eq \"red\"]", E, E,
	  "filter: 'tags' is a string, not complex: a value filter needs a complex attribute" },
	/* unknown attributes: refused, whatever the resource */
	{ "nosuch eq 1", E, E, "filter: unknown attribute 'nosuch'" },
	{ "displayName pr or nosuch pr", E, E, "filter: unknown attribute 'nosuch'" },
	{ "name.middleName eq \"x\"", E, E, "filter: unknown attribute 'name.middleName'" },
	{ "macAddress eq \"x\"", E, E, "filter: unknown attribute 'macAddress'" },
	{ EXT ":displayName pr", E, E, "filter: unknown attribute '" EXT ":displayName'" },
	{ "urn:example:nope:2.0:X:displayName pr", E, E,
	  "filter: unknown attribute 'urn:example:nope:2.0:X:displayName'" },
	{ "displayName.sub pr", E, E, "filter: unknown attribute 'displayName.sub'" },
};

static void test_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		const struct mcase *c = &matches[i];
		struct scim_filter *f;
		char err[512];
		int rc = scim_filter_parse(c->filter, &f, err, sizeof(err));

		if (rc) {
			if (c->on_full != E || !c->err || strcmp(err, c->err) != 0)
				fail_msg("%s: parse: %s", c->filter, err);
			continue;
		}
		for (int which = 0; which < 2; which++) {
			int want = which ? c->on_sparse : c->on_full;

			rc = scim_filter_match(f, &test_widget_rt, which ? sparse : full, err,
					       sizeof(err));
			if (want == E) {
				if (rc != -EINVAL || !c->err || strcmp(err, c->err) != 0)
					fail_msg("%s (%s): %d '%s', want error '%s'", c->filter,
						 which ? "sparse" : "full", rc, err, c->err);
			} else if (rc != want) {
				fail_msg("%s (%s): %d '%s', want %d", c->filter,
					 which ? "sparse" : "full", rc, err, want);
			}
		}
		scim_filter_free(f);
	}
}

struct pcase {
	const char *text, *err;
};

static const struct pcase parse_errors[] = {
	{ "", "filter: offset 0: empty filter" },
	{ "   ", "filter: offset 3: empty filter" },
	{ "displayName eqq \"x\"",
	  "filter: offset 12: expected a comparison operator after 'displayName', found 'eqq'" },
	{ "displayName is \"x\"",
	  "filter: offset 12: expected a comparison operator after 'displayName', found 'is'" },
	{ "displayName", "filter: offset 11: expected a space and an operator after 'displayName', "
			 "found the end" },
	{ "displayName eq", "filter: offset 14: expected a space and a value after 'eq', found the "
			    "end" },
	{ "displayName eq ", "filter: offset 15: expected a value after 'eq' (a JSON string, "
			     "number, true, false or null), found the end" },
	{ "displayName eq   and id pr", "filter: offset 17: expected a value after 'eq' (a JSON "
					"string, number, true, false or null), found 'and'" },
	{ "displayName eq x", "filter: offset 15: expected a value after 'eq' (a JSON string, "
			      "number, true, false or null), found 'x'" },
	{ "active eq TRUE", "filter: offset 10: expected a value after 'eq' (a JSON string, "
			    "number, true, false or null), found 'TRUE'" },
	{ "active eq nul", "filter: offset 10: expected a value after 'eq' (a JSON string, "
			   "number, true, false or null), found 'nul'" },
	{ "active gt true", "filter: offset 7: 'gt' cannot compare with a boolean (only 'eq' and "
			    "'ne' can)" },
	{ "count le false", "filter: offset 6: 'le' cannot compare with a boolean (only 'eq' and "
			    "'ne' can)" },
	{ "count lt null", "filter: offset 6: 'lt' cannot compare with null (only 'eq' and 'ne' "
			   "can)" },
	{ "displayName co null", "filter: offset 12: 'co' cannot compare with null (only 'eq' and "
				 "'ne' can)" },
	{ "count sw 4", "filter: offset 6: 'sw' compares strings: expected a string value" },
	{ "displayName pr x", "filter: offset 15: expected 'and', 'or' or the end, found 'x'" },
	{ "displayName pr )", "filter: offset 15: expected 'and', 'or' or the end, found ')'" },
	{ "displayName eq \"x\" extra",
	  "filter: offset 19: expected 'and', 'or' or the end, found 'extra'" },
	{ "displayName eq \"x\"and id pr",
	  "filter: offset 18: expected a space after the value, found 'and'" },
	{ "displayName pr and", "filter: offset 18: expected a space after 'and', found the end" },
	{ "displayName pr and ", "filter: offset 19: expected an attribute, 'not' or '(', found "
				 "the end" },
	{ "displayName pr or (id pr", "filter: offset 24: expected 'and', 'or' or ')' closing the "
				      "'(' at offset 18, found the end" },
	{ "(displayName pr", "filter: offset 15: expected 'and', 'or' or ')' closing the '(' at "
			     "offset 0, found the end" },
	{ "((displayName pr)", "filter: offset 17: expected 'and', 'or' or ')' closing the '(' at "
			       "offset 0, found the end" },
	{ "displayName pr)", "filter: offset 14: expected 'and', 'or' or the end, found ')'" },
	{ "()", "filter: offset 1: expected an attribute, 'not' or '(', found ')'" },
	{ "not displayName pr", "filter: offset 4: expected a comparison operator after 'not', "
				"found 'displayName'" },
	{ "not ()", "filter: offset 5: expected an attribute, 'not' or '(', found ')'" },
	{ "and pr or", "filter: offset 9: expected a space after 'or', found the end" },
	{ "1abc pr", "filter: offset 0: expected an attribute name, found '1abc'" },
	{ "_x pr", "filter: offset 0: expected an attribute name, found '_x'" },
	{ "emails..type pr", "filter: offset 7: expected a sub-attribute name after '.', found "
			     "'.type'" },
	{ "name.givenName.x pr", "filter: offset 14: an attribute path has at most one "
				 "sub-attribute" },
	{ "displayName\teq \"x\"", "filter: offset 11: expected a space and an operator after "
				   "'displayName', found the byte 0x09" },
	{ "emails[type eq \"work\"", "filter: offset 21: expected 'and', 'or' or ']' closing the "
				     "'[' at offset 6, found the end" },
	{ "emails[type eq \"work\")", "filter: offset 21: expected 'and', 'or' or ']' closing the "
				      "'[' at offset 6, found ')'" },
	{ "emails[]", "filter: offset 7: expected an attribute, 'not' or '(', found ']'" },
	{ "emails[a[b eq 1]]", "filter: offset 8: a value filter cannot contain another value "
			       "filter ('a[')" },
	{ "emails[x pr or (y[z pr])]", "filter: offset 17: a value filter cannot contain another "
				       "value filter ('y[')" },
	{ "emails[type eq \"work\"].value eq \"x\"",
	  "filter: offset 22: expected 'and', 'or' or the end, found '.value'" },
	{ "name.givenName[x pr]", "filter: offset 14: a value filter applies to an attribute, not "
				  "to 'name.givenName'" },
	{ "displayName eq \"x", "filter: offset 15: unterminated string (expected '\"')" },
	{ "displayName eq \"\\q\"", "filter: offset 16: invalid escape '\\q' in a string" },
	{ "displayName eq \"\\u12g4\"", "filter: offset 16: invalid \\u escape (expected 4 hex "
					"digits)" },
	{ "displayName eq \"\\ud800\"", "filter: offset 16: unpaired surrogate in a \\u escape" },
	{ "displayName eq \"\\udc00x\"", "filter: offset 16: unpaired surrogate in a \\u escape" },
	{ "displayName eq \"\\ud800\\u0041\"", "filter: offset 16: unpaired surrogate in a \\u "
					       "escape" },
	{ "displayName eq \"\\u0000\"", "filter: offset 16: \\u0000 is not allowed in a string" },
	{ "displayName eq \"a\tb\"", "filter: offset 17: control byte 0x09 in a string (escape "
				     "it)" },
	{ "displayName eq \"\xc3\x28\"", "filter: offset 16: invalid UTF-8 in a string" },
	{ "displayName eq \"\xc0\xaf\"", "filter: offset 16: invalid UTF-8 in a string" },
	{ "displayName eq \"\xed\xa0\x80\"", "filter: offset 16: invalid UTF-8 in a string" },
	{ "displayName eq \"\xe2\x82\"", "filter: offset 16: invalid UTF-8 in a string" },
	{ "displayName eq \"\\", "filter: offset 16: unterminated escape in a string" },
	{ "displayName eq \"x\"\"y\"", "filter: offset 18: expected a space after the value, "
				       "found '\"'" },
	{ "count eq 01", "filter: offset 10: invalid number: expected a space, ')', ']' or the end "
			 "after it, found '1'" },
	{ "count eq 1.", "filter: offset 11: invalid number: expected a digit after '.', found the "
			 "end" },
	{ "count eq .5", "filter: offset 9: expected a value after 'eq' (a JSON string, number, "
			 "true, false or null), found '.5'" },
	{ "count eq -", "filter: offset 10: invalid number: expected a digit, found the end" },
	{ "count eq 1e", "filter: offset 11: invalid number: expected a digit in the exponent, "
			 "found the end" },
	{ "count eq +1", "filter: offset 9: expected a value after 'eq' (a JSON string, number, "
			 "true, false or null), found '+1'" },
	{ "count eq 1x", "filter: offset 10: invalid number: expected a space, ')', ']' or the end "
			 "after it, found 'x'" },
	{ "count eq 1e999", "filter: offset 9: number out of range" },
	{ "urn:x pr", "filter: offset 0: invalid schema URN 'urn:x' (expected urn:NID:NSS:"
		      "attribute)" },
	{ "urn:a:b\xc3\xa9:x pr", "filter: offset 0: invalid schema URN 'urn:a:b...' (expected "
				  "urn:NID:NSS:attribute)" },
	{ "urn:a:bcdefghijklmnopqrstuvwxyzbcdefghijklmnopqrstuvwxyzbcdefghijklmnopqrstuvwxyz:x pr",
	  "filter: offset 0: invalid schema URN "
	  "'urn:a:bcdefghijklmnopqrstuvwxyzbcdefghijklmnopqrstuvwxyzbcdefghi...' (expected "
	  "urn:NID:NSS:attribute)" },
	{ "displayName \xc3\xa9q \"x\"", "filter: offset 12: expected a comparison operator after "
					 "'displayName', found the byte 0xc3" },
	{ "displayName eq \"x\" and\xc3\xa9",
	  "filter: offset 22: expected a space after 'and', found the byte 0xc3" },
	{ "urn:a:b pr", "filter: offset 0: invalid schema URN 'urn:a:b' (expected urn:NID:NSS:"
			"attribute)" },
	{ EXT " pr", "filter: offset 0: '" EXT "' is a schema URN: expected an attribute name "
		     "after it" },
	{ EXT ": pr", "filter: offset 57: expected an attribute name, found ' '" },
	{ EXT ":mac#x pr", "filter: offset 60: expected the end of the attribute path, found "
			   "'#x'" },
};

static void test_parse_errors(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++) {
		struct scim_filter *f = (struct scim_filter *)1;
		char err[512];
		int rc = scim_filter_parse(parse_errors[i].text, &f, err, sizeof(err));

		if (rc != -EINVAL || f != NULL || strcmp(err, parse_errors[i].err) != 0) {
			print_error("'%s': %d '%s', want '%s'\n", parse_errors[i].text, rc, err,
				    parse_errors[i].err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The trees: precedence, grouping, not, values. */
static void test_trees(void **state)
{
	struct scim_filter *f;
	char err[256];

	(void)state;
	/* a or b and c: or(a, and(b, c)) */
	assert_int_equal(scim_filter_parse("a pr or b pr and c pr", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_OR);
	assert_string_equal(f->left->path.attr, "a");
	assert_int_equal(f->right->op, SCIM_OP_AND);
	assert_string_equal(f->right->left->path.attr, "b");
	assert_string_equal(f->right->right->path.attr, "c");
	scim_filter_free(f);
	/* a and b or c: or(and(a, b), c) */
	assert_int_equal(scim_filter_parse("a pr AND b pr Or c pr", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_OR);
	assert_int_equal(f->left->op, SCIM_OP_AND);
	assert_string_equal(f->right->path.attr, "c");
	scim_filter_free(f);
	/* left-associative chains */
	assert_int_equal(scim_filter_parse("a pr and b pr and c pr", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_AND);
	assert_int_equal(f->left->op, SCIM_OP_AND);
	assert_string_equal(f->right->path.attr, "c");
	scim_filter_free(f);
	/* (a or b) and not (c) */
	assert_int_equal(
		scim_filter_parse("(a pr or b pr) and not (c eq -1.5e2)", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_AND);
	assert_int_equal(f->left->op, SCIM_OP_OR);
	assert_int_equal(f->right->op, SCIM_OP_NOT);
	assert_int_equal(f->right->left->op, SCIM_OP_EQ);
	assert_true(json_object_is_type(f->right->left->value, json_type_double));
	assert_true(json_object_get_double(f->right->left->value) == -150.0);
	scim_filter_free(f);
	/* values: string escapes, integers, booleans, null */
	assert_int_equal(
		scim_filter_parse("a eq \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", &f,
				  err, sizeof(err)),
		0);
	assert_string_equal(json_object_get_string(f->value),
			    "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("a eq -9223372036854775808", &f, err, sizeof(err)), 0);
	assert_true(json_object_is_type(f->value, json_type_int));
	assert_true(json_object_get_int64(f->value) == INT64_MIN);
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("a ne null", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_NE);
	assert_null(f->value);
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("a EQ false", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_EQ);
	assert_true(json_object_is_type(f->value, json_type_boolean));
	scim_filter_free(f);
	/* an attribute named like a keyword, $ref */
	assert_int_equal(scim_filter_parse("not pr and and pr or or eq 1", &f, err, sizeof(err)),
			 0);
	assert_int_equal(f->op, SCIM_OP_OR);
	assert_string_equal(f->left->left->path.attr, "not");
	assert_string_equal(f->left->right->path.attr, "and");
	assert_string_equal(f->right->path.attr, "or");
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("members[$ref sw \"https:\"]", &f, err, sizeof(err)), 0);
	assert_int_equal(f->op, SCIM_OP_VALUE_PATH);
	assert_string_equal(f->path.attr, "members");
	assert_string_equal(f->left->path.attr, "$ref");
	scim_filter_free(f);
	/* URNs with dots and colons */
	assert_int_equal(scim_filter_parse(EXT ":macAddress.x eq \"a\"", &f, err, sizeof(err)), 0);
	assert_string_equal(f->path.urn, EXT);
	assert_string_equal(f->path.attr, "macAddress");
	assert_string_equal(f->path.sub, "x");
	scim_filter_free(f);
}

static void test_bounds(void **state)
{
	char text[SCIM_FILTER_MAX_LEN + 64], err[256];
	struct scim_filter *f;
	size_t n = 0;

	(void)state;
	/* exactly the maximum length parses; one more byte is refused */
	memset(text, ' ', SCIM_FILTER_MAX_LEN);
	memcpy(text, "id pr", 5);
	text[SCIM_FILTER_MAX_LEN] = '\0';
	assert_int_equal(scim_filter_parse(text, &f, err, sizeof(err)), 0);
	scim_filter_free(f);
	text[SCIM_FILTER_MAX_LEN] = ' ';
	text[SCIM_FILTER_MAX_LEN + 1] = '\0';
	assert_int_equal(scim_filter_parse(text, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "filter: offset 4096: longer than 4096 bytes");
	/* 32 levels of parentheses parse; 33 do not */
	for (int i = 0; i < SCIM_FILTER_MAX_DEPTH; i++)
		text[n++] = '(';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "id pr");
	for (int i = 0; i < SCIM_FILTER_MAX_DEPTH; i++)
		text[n++] = ')';
	text[n] = '\0';
	assert_int_equal(scim_filter_parse(text, &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match(f, &test_widget_rt, full, err, sizeof(err)), 1);
	scim_filter_free(f);
	n = 0;
	for (int i = 0; i <= SCIM_FILTER_MAX_DEPTH; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "not (");
	text[n] = '\0';
	assert_int_equal(scim_filter_parse(text, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "filter: offset 164: nested deeper than 32 levels");
	/* a long and-chain is not nesting */
	n = 0;
	for (int i = 0; i < 400; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sid pr", i ? " and " : "");
	assert_int_equal(scim_filter_parse(text, &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match(f, &test_widget_rt, full, err, sizeof(err)), 1);
	scim_filter_free(f);
	/* a short err buffer is cut, not overrun */
	assert_int_equal(scim_filter_parse("x", &f, err, 8), -EINVAL);
	assert_string_equal(err, "filter:");
}

/* Resource keys match names case-insensitively, the extension's URN key too. */
static void test_resource_keys(void **state)
{
	struct json_object *r = json_tokener_parse(
		"{\"DISPLAYNAME\":\"x\",\"Emails\":[{\"VALUE\":\"a@b\",\"Type\":\"work\"}],"
		"\"URN:EXAMPLE:PARAMS:SCIM:SCHEMAS:EXTENSION:BLE:2.0:WIDGET\":{\"MacAddress\":"
		"\"1\"}}");
	static const char *const yes[] = {
		"displayName eq \"X\"",
		"emails[type eq \"work\" and value eq \"a@b\"]",
		"emails eq \"a@b\"",
		EXT ":macAddress eq \"1\"",
	};
	struct scim_filter *f;
	char err[256];

	(void)state;
	assert_non_null(r);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(scim_filter_parse(yes[i], &f, err, sizeof(err)), 0);
		if (scim_filter_match(f, &test_widget_rt, r, err, sizeof(err)) != 1)
			fail_msg("%s: no match (%s)", yes[i], err);
		scim_filter_free(f);
	}
	/* values of the wrong JSON type match nothing */
	json_object_put(r);
	r = json_tokener_parse("{\"displayName\":5,\"active\":\"true\",\"count\":\"42\","
			       "\"created\":\"yesterday\",\"tags\":\"red\"}");
	assert_non_null(r);
	static const char *const no[] = {
		"displayName eq \"5\"",
		"active eq true",
		"count eq 42",
		"created gt \"2000-01-01T00:00:00Z\"",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(scim_filter_parse(no[i], &f, err, sizeof(err)), 0);
		if (scim_filter_match(f, &test_widget_rt, r, err, sizeof(err)) != 0)
			fail_msg("%s: matched", no[i]);
		scim_filter_free(f);
	}
	/* a multi-valued attribute sent as one value is that one value */
	assert_int_equal(scim_filter_parse("tags eq \"RED\"", &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match(f, &test_widget_rt, r, err, sizeof(err)), 1);
	scim_filter_free(f);
	json_object_put(r);
}

static void test_match_value(void **state)
{
	struct json_object *emails = json_object_object_get(full, "emails");
	struct json_object *work = json_object_array_get_idx(emails, 0);
	struct json_object *home = json_object_array_get_idx(emails, 1);
	struct scim_filter *f;
	char err[256];

	(void)state;
	assert_int_equal(
		scim_filter_parse("type eq \"WORK\" and primary eq true", &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, work, err, sizeof(err)), 1);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, home, err, sizeof(err)), 0);
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("not (primary pr) and value ew \".example\"", &f, err,
					   sizeof(err)),
			 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, work, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, home, err, sizeof(err)), 1);
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("display eq \"x\"", &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, work, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "filter: unknown sub-attribute 'display' of 'emails'");
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("x[type pr]", &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, work, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "filter: a value filter cannot contain another value filter");
	scim_filter_free(f);
	assert_int_equal(scim_filter_parse("primary gt 1", &f, err, sizeof(err)), 0);
	assert_int_equal(scim_filter_match_value(f, test_emails_attr, work, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "filter: 'primary' is a boolean: 'gt' is not defined on it");
	scim_filter_free(f);
}

struct path_case {
	const char *text;
	const char *urn, *attr, *sub, *after; /* attr NULL: an error, message in urn */
	int filter_op;			      /* the value filter's op + 1, or 0: none */
};

static const struct path_case paths[] = {
	{ "displayName", NULL, "displayName", NULL, NULL, 0 },
	{ "name.givenName", NULL, "name", "givenName", NULL, 0 },
	{ "members.$ref", NULL, "members", "$ref", NULL, 0 },
	{ "x-y_z9", NULL, "x-y_z9", NULL, NULL, 0 },
	{ EXT ":macAddress", EXT, "macAddress", NULL, NULL, 0 },
	{ CORE ":name.familyName", CORE, "name", "familyName", NULL, 0 },
	{ EXT, EXT, "", NULL, NULL, 0 },
	{ "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "", NULL, NULL, 0 },
	{ "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "value", NULL,
	  0 },
	{ "emails[type eq \"work\"]", NULL, "emails", NULL, NULL, SCIM_OP_EQ + 1 },
	{ "emails[type eq \"work\"].value", NULL, "emails", NULL, "value", SCIM_OP_EQ + 1 },
	{ "emails[type eq \"work\" and not (primary pr)].display", NULL, "emails", NULL, "display",
	  SCIM_OP_AND + 1 },
	{ CORE ":emails[ value co \"@\" ]", CORE, "emails", NULL, NULL, SCIM_OP_CO + 1 },
	/* errors */
	{ "", "path: offset 0: empty path", NULL, NULL, NULL, 0 },
	{ " displayName", "path: offset 0: expected an attribute name, found ' '", NULL, NULL, NULL,
	  0 },
	{ "displayName ", "path: offset 11: expected '[', '.' or the end, found ' '", NULL, NULL,
	  NULL, 0 },
	{ "9lives", "path: offset 0: expected an attribute name, found '9lives'", NULL, NULL, NULL,
	  0 },
	{ "a.b.c", "path: offset 3: an attribute path has at most one sub-attribute", NULL, NULL,
	  NULL, 0 },
	{ "a.", "path: offset 2: expected a sub-attribute name after '.', found the end", NULL,
	  NULL, NULL, 0 },
	{ "a b", "path: offset 1: expected '[', '.' or the end, found ' '", NULL, NULL, NULL, 0 },
	{ "emails[type eq \"work\"",
	  "path: offset 21: expected 'and', 'or' or ']' closing the '[' "
	  "at offset 6, found the end",
	  NULL, NULL, NULL, 0 },
	{ "emails[]", "path: offset 7: expected an attribute, 'not' or '(', found ']'", NULL, NULL,
	  NULL, 0 },
	{ "emails[type eq \"work\"].",
	  "path: offset 23: expected a sub-attribute name after '.', "
	  "found the end",
	  NULL, NULL, NULL, 0 },
	{ "emails[type eq \"work\"].value.x",
	  "path: offset 28: expected '.' and a sub-attribute "
	  "or the end, found '.x'",
	  NULL, NULL, NULL, 0 },
	{ "emails[type eq \"work\"]x",
	  "path: offset 22: expected '.' and a sub-attribute or the "
	  "end, found 'x'",
	  NULL, NULL, NULL, 0 },
	{ "emails[a[b eq 1]]",
	  "path: offset 8: a value filter cannot contain another value "
	  "filter ('a[')",
	  NULL, NULL, NULL, 0 },
	{ "emails.type[value pr]",
	  "path: offset 11: a value filter applies to an attribute, not "
	  "to 'emails.type'",
	  NULL, NULL, NULL, 0 },
	{ "emails[type eqq 1]",
	  "path: offset 12: expected a comparison operator after 'type', "
	  "found 'eqq'",
	  NULL, NULL, NULL, 0 },
	{ EXT "[x pr]", "path: offset 56: expected the end after the schema URN, found '['", NULL,
	  NULL, NULL, 0 },
	{ EXT ":", "path: offset 57: expected an attribute name, found the end", NULL, NULL, NULL,
	  0 },
	{ "urn:x:y",
	  "path: offset 0: invalid schema URN 'urn:x:y' (expected urn:NID:NSS:"
	  "attribute)",
	  NULL, NULL, NULL, 0 },
	{ "(a)", "path: offset 0: expected an attribute name, found '('", NULL, NULL, NULL, 0 },
};

static void test_paths(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct path_case *c = &paths[i];
		struct scim_patch_path p;
		char err[512];
		int rc = scim_patch_path_parse(c->text, &p, err, sizeof(err));

		if (!c->attr) {
			if (rc != -EINVAL || strcmp(err, c->urn) != 0)
				fail_msg("'%s': %d '%s', want '%s'", c->text, rc, err, c->urn);
			assert_null(p.attr.attr);
			assert_null(p.filter);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s': %s", c->text, err);
		if (c->urn)
			assert_string_equal(p.attr.urn, c->urn);
		else
			assert_null(p.attr.urn);
		assert_string_equal(p.attr.attr, c->attr);
		if (c->sub)
			assert_string_equal(p.attr.sub, c->sub);
		else
			assert_null(p.attr.sub);
		if (c->after)
			assert_string_equal(p.sub_after_filter, c->after);
		else
			assert_null(p.sub_after_filter);
		if (c->filter_op)
			assert_int_equal(p.filter->op + 1, c->filter_op);
		else
			assert_null(p.filter);
		scim_patch_path_free(&p);
		scim_patch_path_free(&p); /* twice is harmless */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_trees),
		cmocka_unit_test(test_bounds),	     cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_value),  cmocka_unit_test(test_resource_keys),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
