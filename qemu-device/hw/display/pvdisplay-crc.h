/*
 * virtio-pvdisplay: CRC of what the host shows on a head
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DISPLAY_PVDISPLAY_CRC_H
#define HW_DISPLAY_PVDISPLAY_CRC_H

#include "ui/console.h"
#include "pvdisplay-cursor.h"

/*
 * The CRC GET_CRC answers (see struct pvdisplay_cmd_get_crc): over @ds,
 * in whatever format it has, or over a black @width x @height frame if @ds
 * is NULL, with @cursor blended over it when visible.  Work and memory are
 * bounded by the frame size: one row buffer, one cursor image.
 */
uint32_t pvd_crc_frame(DisplaySurface *ds, uint32_t width, uint32_t height,
                       const PvdCursor *cursor);

#endif /* HW_DISPLAY_PVDISPLAY_CRC_H */
