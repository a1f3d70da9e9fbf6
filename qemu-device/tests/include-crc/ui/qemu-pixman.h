/*
 * Stand-in for QEMU's ui/qemu-pixman.h (test-pvdisplay-crc).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_CRC_QEMU_PIXMAN_H
#define PVD_TEST_CRC_QEMU_PIXMAN_H

#include <pixman.h>

#endif
