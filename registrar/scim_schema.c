// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The registrar's SCIM schemas and resource types as static data (RFC 7643 section 7): RFC 9944's
 * Device and EndpointApp with the Device extensions, and tao's attestation extension. Where the
 * RFC's JSON files and tables disagree with its narrative text, the text is followed (see
 * docs/scim.md, "Deviations and choices").
 */
#include "scim_schema.h"

#include <json-c/json.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- value checks (the `check` pointers) --- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "xx:xx:...": n_octets hex pairs separated by colons. */
static bool colon_hex(const struct json_object *v, size_t n_octets)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string((struct json_object *)v);
	if (strlen(s) != n_octets * 3 - 1)
		return false;
	for (size_t i = 0; i < n_octets; i++) {
		if (!is_hex(s[3 * i]) || !is_hex(s[3 * i + 1]))
			return false;
		if (i + 1 < n_octets && s[3 * i + 2] != ':')
			return false;
	}
	return true;
}

/* RFC 9944: ^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$ */
static bool check_mac(const struct json_object *v)
{
	return colon_hex(v, 6);
}

/* An EUI-64 "in the same form" as the MAC address: eight colon-separated octets. */
static bool check_eui64(const struct json_object *v)
{
	return colon_hex(v, 8);
}

/* The passkey: ^[0-9]{6}$ as an integer, 0..999999. */
static bool check_passkey(const struct json_object *v)
{
	int64_t k;

	if (!json_object_is_type(v, json_type_int))
		return false;
	k = json_object_get_int64(v);
	return k >= 0 && k <= 999999;
}

/* clientToken: up to 500 characters. */
static bool check_token(const struct json_object *v)
{
	return json_object_is_type(v, json_type_string) && json_object_get_string_len(v) <= 500;
}

/* --- the common sub-attribute sets --- */

static const char *const ref_group[] = { "Group", NULL };
static const char *const ref_external[] = { "external", NULL };
static const char *const ref_endpoint_app[] = { "EndpointApp", NULL };
static const char *const group_types[] = { "direct", "indirect", NULL };

/* RFC 7643 section 4.1.2 "groups" (of User), as RFC 9944 asks for Device and EndpointApp. */
static const struct scim_attr groups_sub[] = {
	{ .name = "value",
	  .type = SCIM_STRING,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The identifier of the Group" },
	{ .name = "$ref",
	  .type = SCIM_REFERENCE,
	  .mutability = SCIM_READ_ONLY,
	  .reference_types = ref_group,
	  .description = "The URI of the Group" },
	{ .name = "display",
	  .type = SCIM_STRING,
	  .mutability = SCIM_READ_ONLY,
	  .description = "A human-readable name of the Group" },
	{ .name = "type",
	  .type = SCIM_STRING,
	  .mutability = SCIM_READ_ONLY,
	  .canonical_values = group_types,
	  .description = "The membership: direct or indirect" },
};

#define GROUPS_ATTR                                                                           \
	{                                                                                     \
		.name = "groups", .type = SCIM_COMPLEX, .multi_valued = true,                 \
		.mutability = SCIM_READ_ONLY,                                                 \
		.description = "The groups the resource belongs to (RFC 7643 section 4.1.2)", \
		.sub = groups_sub, .n_sub = N(groups_sub)                                     \
	}

/* --- core Device (RFC 9944 section 3) --- */

static const struct scim_attr device_attrs[] = {
	{ .name = "displayName",
	  .type = SCIM_STRING,
	  .description = "A human-readable name of the device" },
	{ .name = "active",
	  .type = SCIM_BOOLEAN,
	  .required = true,
	  .description = "Whether the device is intended to be operational" },
	{ .name = "mudUrl",
	  .type = SCIM_REFERENCE,
	  .case_exact = true,
	  .reference_types = ref_external,
	  .description = "The URL of the device's MUD file (RFC 8520)" },
	GROUPS_ATTR,
};

static const struct scim_schema device_schema = {
	.id = "urn:ietf:params:scim:schemas:core:2.0:Device",
	.name = "Device",
	.description = "Device (RFC 9944)",
	.attrs = device_attrs,
	.n_attrs = N(device_attrs),
};

/* --- core EndpointApp (RFC 9944 section 5) --- */

static const char *const app_types[] = { "deviceControl", "telemetry", NULL };

static const struct scim_attr cert_info_sub[] = {
	{ .name = "rootCA",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .description = "The base64 DER trust anchor of the application's client certificates" },
	{ .name = "subjectName",
	  .type = SCIM_STRING,
	  .description = "The subject DN or dNSName of the application's client certificates" },
};

static const struct scim_attr app_attrs[] = {
	/* RFC 9944 says readOnly; immutable here, so that a client can say it (docs/scim.md). */
	{ .name = "applicationType",
	  .type = SCIM_STRING,
	  .required = true,
	  .mutability = SCIM_IMMUTABLE,
	  .canonical_values = app_types,
	  .description = "deviceControl or telemetry" },
	{ .name = "applicationName",
	  .type = SCIM_STRING,
	  .required = true,
	  .description = "A human-readable name of the application" },
	{ .name = "clientToken",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .check = check_token,
	  .description = "The token the application authenticates with (server-generated)" },
	{ .name = "certificateInfo",
	  .type = SCIM_COMPLEX,
	  .description = "How the application's client certificates are validated",
	  .sub = cert_info_sub,
	  .n_sub = N(cert_info_sub) },
	GROUPS_ATTR,
};

static const struct scim_schema app_schema = {
	.id = "urn:ietf:params:scim:schemas:core:2.0:EndpointApp",
	.name = "EndpointApp",
	.description =
		"An application that controls devices or receives their telemetry (RFC 9944)",
	.attrs = app_attrs,
	.n_attrs = N(app_attrs),
};

/* --- BLE (RFC 9944 section 4.1) with its pairing-method extensions nested as attributes --- */

#define PAIRING_NULL	  "urn:ietf:params:scim:schemas:extension:pairingNull:2.0:Device"
#define PAIRING_JUSTWORKS "urn:ietf:params:scim:schemas:extension:pairingJustWorks:2.0:Device"
#define PAIRING_PASSKEY	  "urn:ietf:params:scim:schemas:extension:pairingPassKey:2.0:Device"
#define PAIRING_OOB	  "urn:ietf:params:scim:schemas:extension:pairingOOB:2.0:Device"

static const char *const pairing_methods[] = { PAIRING_NULL, PAIRING_JUSTWORKS, PAIRING_PASSKEY,
					       PAIRING_OOB, NULL };

/* Just Works: "key" is always null, i.e. unassigned; so not required here (docs/scim.md). */
static const struct scim_attr pairing_justworks_sub[] = {
	{ .name = "key",
	  .type = SCIM_STRING,
	  .mutability = SCIM_IMMUTABLE,
	  .description = "Always null: Just Works pairing uses no key" },
};

static const struct scim_attr pairing_passkey_sub[] = {
	{ .name = "key",
	  .type = SCIM_INTEGER,
	  .required = true,
	  .check = check_passkey,
	  .description = "The 6-digit passkey (0..999999)" },
};

static const struct scim_attr pairing_oob_sub[] = {
	{ .name = "key",
	  .type = SCIM_STRING,
	  .required = true,
	  .case_exact = true,
	  .description = "The key received out of band (e.g. NFC)" },
	{ .name = "randomNumber",
	  .type = SCIM_INTEGER,
	  .required = true,
	  .description = "A nonce added to the key" },
	{ .name = "confirmationNumber",
	  .type = SCIM_INTEGER,
	  .description = "A confirmation number some solutions need" },
};

static const struct scim_attr ble_attrs[] = {
	{ .name = "deviceMacAddress",
	  .type = SCIM_STRING,
	  .required = true,
	  .uniqueness = SCIM_UNIQUE_GLOBAL,
	  .check = check_mac,
	  .description = "The device's public MAC address" },
	{ .name = "isRandom",
	  .type = SCIM_BOOLEAN,
	  .description = "Whether the address is random (default false)" },
	{ .name = "separateBroadcastAddress",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .check = check_mac,
	  .description = "Addresses used for advertisements" },
	{ .name = "irk",
	  .type = SCIM_STRING,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .uniqueness = SCIM_UNIQUE_GLOBAL,
	  .description = "The identity resolving key" },
	{ .name = "versionSupport",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .required = true,
	  .description = "The BLE versions the device supports" },
	{ .name = "mobility",
	  .type = SCIM_BOOLEAN,
	  .description = "Whether the device may roam between access points" },
	{ .name = "pairingMethods",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .required = true,
	  .case_exact = true,
	  .canonical_values = pairing_methods,
	  .description = "The URNs of the pairing-method extensions the device supports" },
	{ .name = PAIRING_NULL,
	  .type = SCIM_COMPLEX,
	  .description = "Pairing without a method (no attributes)",
	  .sub = NULL,
	  .n_sub = 0 },
	{ .name = PAIRING_JUSTWORKS,
	  .type = SCIM_COMPLEX,
	  .description = "Just Works pairing",
	  .sub = pairing_justworks_sub,
	  .n_sub = N(pairing_justworks_sub) },
	{ .name = PAIRING_PASSKEY,
	  .type = SCIM_COMPLEX,
	  .description = "Passkey pairing",
	  .sub = pairing_passkey_sub,
	  .n_sub = N(pairing_passkey_sub) },
	{ .name = PAIRING_OOB,
	  .type = SCIM_COMPLEX,
	  .description = "Out-of-band pairing",
	  .sub = pairing_oob_sub,
	  .n_sub = N(pairing_oob_sub) },
};

static const struct scim_schema ble_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:ble:2.0:Device",
	.name = "BLE",
	.description = "Bluetooth Low Energy devices (RFC 9944)",
	.attrs = ble_attrs,
	.n_attrs = N(ble_attrs),
};

/* --- Wi-Fi Easy Connect (DPP) --- */

static const struct scim_attr dpp_attrs[] = {
	{ .name = "dppVersion",
	  .type = SCIM_INTEGER,
	  .required = true,
	  .description = "The DPP version the device supports" },
	{ .name = "bootstrapKey",
	  .type = SCIM_STRING,
	  .required = true,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "The base64 ECDH public bootstrapping key" },
	{ .name = "deviceMacAddress",
	  .type = SCIM_STRING,
	  .uniqueness = SCIM_UNIQUE_GLOBAL,
	  .check = check_mac,
	  .description = "The device's MAC address" },
	{ .name = "serialNumber",
	  .type = SCIM_STRING,
	  .description = "The device's serial number" },
	{ .name = "bootstrappingMethod",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .description = "The bootstrapping methods of the device (QR, NFC, ...)" },
	{ .name = "classChannel",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .description = "Global operating class and channel, as class/channel" },
};

static const struct scim_schema dpp_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:dpp:2.0:Device",
	.name = "DPP",
	.description = "Wi-Fi Easy Connect (DPP) devices (RFC 9944)",
	.attrs = dpp_attrs,
	.n_attrs = N(dpp_attrs),
};

/* --- Ethernet MAB --- */

static const struct scim_attr mab_attrs[] = {
	{ .name = "deviceMacAddress",
	  .type = SCIM_STRING,
	  .required = true,
	  .check = check_mac,
	  .description = "The Ethernet address to provision" },
};

static const struct scim_schema mab_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:ethernet-mab:2.0:Device",
	.name = "EthernetMAB",
	.description = "MAC Authenticated Bypass (RFC 9944)",
	.attrs = mab_attrs,
	.n_attrs = N(mab_attrs),
};

/* --- FIDO Device Onboard (the text's URN, singular Device) --- */

static const struct scim_attr fdo_attrs[] = {
	{ .name = "fdoVoucher",
	  .type = SCIM_STRING,
	  .required = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "The PEM-encoded FDO 1.1 ownership voucher" },
};

static const struct scim_schema fdo_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device",
	.name = "FDO",
	.description = "FIDO Device Onboard (RFC 9944)",
	.attrs = fdo_attrs,
	.n_attrs = N(fdo_attrs),
};

/* --- Zigbee --- */

static const struct scim_attr zigbee_attrs[] = {
	{ .name = "deviceEui64Address",
	  .type = SCIM_STRING,
	  .required = true,
	  .check = check_eui64,
	  .description = "The device's EUI-64 address" },
	{ .name = "versionSupport",
	  .type = SCIM_STRING,
	  .multi_valued = true,
	  .required = true,
	  .description = "The Zigbee versions the device supports" },
};

static const struct scim_schema zigbee_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:zigbee:2.0:Device",
	.name = "Zigbee",
	.description = "Zigbee devices (RFC 9944)",
	.attrs = zigbee_attrs,
	.n_attrs = N(zigbee_attrs),
};

/* --- endpointAppsExt --- */

static const struct scim_attr applications_sub[] = {
	{ .name = "value",
	  .type = SCIM_STRING,
	  .required = true,
	  .description = "The id of the EndpointApp" },
	{ .name = "$ref",
	  .type = SCIM_REFERENCE,
	  .required = true,
	  .mutability = SCIM_READ_ONLY,
	  .reference_types = ref_endpoint_app,
	  .description = "The URI of the EndpointApp" },
};

static const struct scim_attr endpoint_apps_attrs[] = {
	{ .name = "applications",
	  .type = SCIM_COMPLEX,
	  .multi_valued = true,
	  .required = true,
	  .description = "The EndpointApps that reach the device through the gateway",
	  .sub = applications_sub,
	  .n_sub = N(applications_sub) },
	{ .name = "deviceControlEnterpriseEndpoint",
	  .type = SCIM_REFERENCE,
	  .required = true,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .uniqueness = SCIM_UNIQUE_SERVER,
	  .reference_types = ref_external,
	  .description = "The URL of the gateway's control endpoint (server-set)" },
	{ .name = "telemetryEnterpriseEndpoint",
	  .type = SCIM_REFERENCE,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .uniqueness = SCIM_UNIQUE_SERVER,
	  .reference_types = ref_external,
	  .description = "The URL of the gateway's telemetry endpoint (server-set)" },
};

static const struct scim_schema endpoint_apps_schema = {
	.id = "urn:ietf:params:scim:schemas:extension:endpointAppsExt:2.0:Device",
	.name = "EndpointAppsExt",
	.description = "The applications of a non-IP device behind a gateway (RFC 9944)",
	.attrs = endpoint_apps_attrs,
	.n_attrs = N(endpoint_apps_attrs),
};

/* --- tao's attestation extension (docs/scim.md; the evidence record of docs/protocol.md) --- */

static const char *const result_status[] = { "affirming", "warning", "contraindicated", "none",
					     NULL };

static const struct scim_attr result_sub[] = {
	{ .name = "status",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .canonical_values = result_status,
	  .description = "The verdict (docs/protocol.md section 3.1)" },
	{ .name = "reason",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The first failing (or warning) check's \"name: reason\"" },
	{ .name = "attestationId",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The registrar's identifier of the attestation" },
	{ .name = "time",
	  .type = SCIM_DATETIME,
	  .mutability = SCIM_READ_ONLY,
	  .description = "When the evidence was appraised" },
};

static const struct scim_attr idevid_sub[] = {
	{ .name = "certificate",
	  .type = SCIM_BINARY,
	  .case_exact = true,
	  .mutability = SCIM_IMMUTABLE,
	  .description = "The IDevID certificate (base64 DER)" },
	{ .name = "serialNumber",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_IMMUTABLE,
	  .description = "The device serial number of the IDevID" },
};

static const struct scim_attr ldevid_certify_sub[] = {
	{ .name = "attest",
	  .type = SCIM_STRING,
	  .required = true,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "TPMS_ATTEST of TPM2_Certify (base64url)" },
	{ .name = "signature",
	  .type = SCIM_STRING,
	  .required = true,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "TPMT_SIGNATURE of the certification (base64url)" },
	{ .name = "public",
	  .type = SCIM_STRING,
	  .required = true,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "The LDevID key's TPMT_PUBLIC (base64url)" },
};

static const struct scim_attr attestation_attrs[] = {
	{ .name = "evidence",
	  .type = SCIM_STRING,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "An evidence record (docs/protocol.md section 2)" },
	{ .name = "result",
	  .type = SCIM_COMPLEX,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The registrar's appraisal of the latest evidence",
	  .sub = result_sub,
	  .n_sub = N(result_sub) },
	{ .name = "idevid",
	  .type = SCIM_COMPLEX,
	  .mutability = SCIM_IMMUTABLE,
	  .description = "The device's IDevID",
	  .sub = idevid_sub,
	  .n_sub = N(idevid_sub) },
	{ .name = "ldevidCsr",
	  .type = SCIM_BINARY,
	  .case_exact = true,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "A PKCS#10 certificate signing request for an LDevID (base64 DER)" },
	{ .name = "ldevidCertify",
	  .type = SCIM_COMPLEX,
	  .mutability = SCIM_WRITE_ONLY,
	  .returned = SCIM_RETURNED_NEVER,
	  .description = "The IAK's TPM2_Certify of the LDevID key, qualified by the session's "
			 "binder",
	  .sub = ldevid_certify_sub,
	  .n_sub = N(ldevid_certify_sub) },
	{ .name = "ldevidCertificate",
	  .type = SCIM_BINARY,
	  .case_exact = true,
	  .mutability = SCIM_READ_ONLY,
	  .description = "The LDevID certificate the registrar issued (base64 DER)" },
};

static const struct scim_schema attestation_schema = {
	.id = SCIM_TAO_ATTESTATION_URN,
	.name = "TaoAttestation",
	.description = "TPM attestation of the device (tao)",
	.attrs = attestation_attrs,
	.n_attrs = N(attestation_attrs),
};

/* --- the lists and resource types --- */

static const struct scim_schema *const schemas[] = {
	&device_schema, &app_schema,	&ble_schema,	       &dpp_schema,	    &mab_schema,
	&fdo_schema,	&zigbee_schema, &endpoint_apps_schema, &attestation_schema,
};

static const struct scim_extension_ref device_extensions[] = {
	{ &ble_schema, false },		{ &dpp_schema, false },	   { &mab_schema, false },
	{ &fdo_schema, false },		{ &zigbee_schema, false }, { &endpoint_apps_schema, false },
	{ &attestation_schema, false },
};

static const struct scim_resource_type device_type = {
	.id = "Device",
	.name = "Device",
	.endpoint = "/Devices",
	.description = "Device Account",
	.schema = &device_schema,
	.extensions = device_extensions,
	.n_extensions = N(device_extensions),
};

static const struct scim_resource_type app_type = {
	.id = "EndpointApp",
	.name = "EndpointApp",
	.endpoint = "/EndpointApps",
	.description = "Endpoint application",
	.schema = &app_schema,
	.extensions = NULL,
	.n_extensions = 0,
};

static const struct scim_resource_type *const resource_types[] = { &device_type, &app_type };

const struct scim_schema *scim_schema_find(const char *urn)
{
	if (!urn)
		return NULL;
	for (size_t i = 0; i < N(schemas); i++)
		if (strcasecmp(schemas[i]->id, urn) == 0)
			return schemas[i];
	return NULL;
}

const struct scim_schema *const *scim_schemas(size_t *n)
{
	*n = N(schemas);
	return schemas;
}

const struct scim_resource_type *scim_resource_type_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < N(resource_types); i++)
		if (strcasecmp(resource_types[i]->id, id) == 0)
			return resource_types[i];
	return NULL;
}

const struct scim_resource_type *const *scim_resource_types(size_t *n)
{
	*n = N(resource_types);
	return resource_types;
}
