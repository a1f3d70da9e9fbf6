/*
 * Stand-in for QEMU's include/standard-headers/linux/types.h, which is
 * empty because qemu/osdep.h already provides <stdint.h>.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
