/*
 * Stand-in for QEMU's ui/console.h (test-pvdisplay-crc): a display surface
 * is its pixman image, as in QEMU; consoles are only named.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_CRC_CONSOLE_H
#define PVD_TEST_CRC_CONSOLE_H

#include "ui/qemu-pixman.h"

typedef struct QemuConsole QemuConsole;

typedef struct DisplaySurface {
    pixman_image_t *image;
} DisplaySurface;

static inline int surface_width(DisplaySurface *s)
{
    return pixman_image_get_width(s->image);
}

static inline int surface_height(DisplaySurface *s)
{
    return pixman_image_get_height(s->image);
}

#endif
