/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* TPM 2.0 response codes as text, for error messages. */
#ifndef TAO_TPM_RC_H
#define TAO_TPM_RC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode a response code (TPM 2.0 Part 2, 6.6): "TPM_RC_HANDLE (handle 1)", "TPM_RC_VALUE
 * (parameter 2)", "TPM_RC_RETRY", "TPM_RC_SUCCESS"; a code without a name here is described by
 * its format ("format-one error 0x3f (parameter 1)", "vendor-defined", ...). Returns buf.
 */
const char *tao_tpm_rc_str(uint32_t rc, char *buf, size_t len);

#endif /* TAO_TPM_RC_H */
