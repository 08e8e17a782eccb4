/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TAO_NETLINK_H
#define TAO_NETLINK_H

int tao_genl_init(void);
void tao_genl_exit(void);

#endif /* TAO_NETLINK_H */
