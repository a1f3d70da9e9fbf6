/*
 * Stand-in for QEMU's qemu/osdep.h when hw/display/pvdisplay-wire.c is built
 * outside QEMU (unit tests, fuzzing).  The wire code needs only the C
 * library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_OSDEP_H
#define PVD_TEST_OSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#endif
