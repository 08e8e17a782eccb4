/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TAO_VERSION_H
#define TAO_VERSION_H
#define TAO_VERSION "0.1.0"
#endif
