/*
 * Stand-in for QEMU's qemu/osdep.h when hw/display/pvdisplay-crc.c is built
 * outside QEMU (test-pvdisplay-crc): the C library and GLib (which has
 * MIN and MAX), as QEMU's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_CRC_OSDEP_H
#define PVD_TEST_CRC_OSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#endif
