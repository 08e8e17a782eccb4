// SPDX-License-Identifier: GPL-2.0
/*
 * tao: TPM-attested onboarding. Module entry, exit and parameters.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include <linux/tao.h>
#include "core.h"
#include "netlink.h"
#include "tpm.h"
#include "version.h"

static unsigned int pcr = TAO_DEFAULT_PCR;
module_param(pcr, uint, 0444);
MODULE_PARM_DESC(pcr, "PCR the measurement log extends (0-15, not 10; default "
		 __stringify(TAO_DEFAULT_PCR) ")");

static unsigned long log_max_bytes = 16UL << 20;
module_param(log_max_bytes, ulong, 0444);
MODULE_PARM_DESC(log_max_bytes,
		 "Memory limit of the measurement log in bytes (default 16 MiB, at least 64 KiB)");

static int __init tao_mod_init(void)
{
	struct tpm_chip *chip;
	u32 state;
	int ret;

	/* 16-23 are resettable, 10 is IMA's: a replay could not hold. */
	if (pcr > 15 || pcr == 10) {
		pr_err("pcr=%u: choose a non-resettable PCR 0-15 other than IMA's 10\n",
		       pcr);
		return -EINVAL;
	}
	if (log_max_bytes < 65536) {
		pr_err("log_max_bytes=%lu: at least 65536\n", log_max_bytes);
		return -EINVAL;
	}

	ret = tao_tpm_init();
	if (ret)
		return ret;
	ret = tao_core_init(pcr, log_max_bytes);
	if (ret)
		goto err_tpm;
	ret = tao_genl_init();
	if (ret)
		goto err_core;

	/* The module's own load is the log's first entry. */
	chip = tao_core_chip(&state);
	tao_tpm_put(chip);

	pr_info("version %s loaded\n", TAO_VERSION);
	return 0;

err_core:
	tao_core_exit();
err_tpm:
	tao_tpm_exit();
	return ret;
}

static void __exit tao_mod_exit(void)
{
	/* Waits for requests in flight; nothing runs in the family after. */
	tao_genl_exit();
	tao_core_exit();
	tao_tpm_exit();
	pr_info("unloaded\n");
}

module_init(tao_mod_init);
module_exit(tao_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TPM-attested onboarding: measurement log, key roles and quotes over generic netlink");
MODULE_AUTHOR("The tao authors");
MODULE_VERSION(TAO_VERSION);
MODULE_ALIAS_GENL_FAMILY(TAO_GENL_NAME);
