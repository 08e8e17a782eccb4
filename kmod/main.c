// SPDX-License-Identifier: GPL-2.0
/*
 * tao: TPM-attested onboarding. Module entry and exit.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include <linux/tao.h>
#include "netlink.h"
#include "tpm.h"
#include "version.h"

static int __init tao_mod_init(void)
{
	int ret;

	ret = tao_tpm_init();
	if (ret)
		return ret;

	ret = tao_genl_init();
	if (ret)
		goto err_tpm;

	pr_info("version %s loaded\n", TAO_VERSION);
	return 0;

err_tpm:
	tao_tpm_exit();
	return ret;
}

static void __exit tao_mod_exit(void)
{
	tao_genl_exit();
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
