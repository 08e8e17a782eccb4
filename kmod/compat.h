/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tao builds for (6.1 to 6.12), in one
 * place, detected by feature in kmod/Kbuild rather than by version number.
 * The TPM calls themselves are kept to those all of them share.
 */
#ifndef TAO_COMPAT_H
#define TAO_COMPAT_H

/* 6.12 moved the unaligned helpers out of asm/ (detected in Kbuild). */
#ifdef TAO_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* TAO_COMPAT_H */
