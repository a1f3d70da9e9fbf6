/*
 * Stand-in for QEMU's migration/vmstate.h (test-pvdisplay-crc): only named
 * by pvdisplay-cursor.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_CRC_VMSTATE_H
#define PVD_TEST_CRC_VMSTATE_H

typedef struct VMStateDescription VMStateDescription;

#endif
