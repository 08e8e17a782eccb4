/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tao builds for (6.1 to 6.12), in one
 * place. The TPM calls themselves are kept to those all of them share.
 */
#ifndef TAO_COMPAT_H
#define TAO_COMPAT_H

#include <linux/version.h>

/* 6.12 moved the unaligned helpers out of asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.2 put a struct genl_info into struct genl_dumpit_info. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define tao_dump_attrs(cb) (genl_dumpit_info(cb)->info.attrs)
#else
#define tao_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

#endif /* TAO_COMPAT_H */
