/*
 * virtio-pvdisplay: CRC of what the host shows on a head
 *
 * GET_CRC lets the guest check, through the CRC alone, that the host shows
 * what the guest drew: the device computes the CRC over the head's console
 * surface (what a screendump returns) with the cursor composited, the way
 * a display controller computes it over the pixels it sends to the
 * monitor.  Rows are converted to x8r8g8b8 and the cursor blended with
 * pixman, so the result does not depend on the surface's format and the
 * cursor is composited exactly as pixman (and therefore cairo, which igt
 * draws its reference frames with) does it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include <zlib.h>
#include "ui/qemu-pixman.h"
#include "pvdisplay-crc.h"

/* The cursor as a premultiplied a8r8g8b8 image, or NULL if not shown. */
static pixman_image_t *pvd_crc_cursor_image(const PvdCursor *c,
                                            uint32_t **bits)
{
    uint32_t i, n;

    *bits = NULL;
    if (!c->visible || !c->image) {
        return NULL;
    }
    n = c->width * c->height;
    *bits = g_new(uint32_t, n);
    for (i = 0; i < n; i++) {
        (*bits)[i] = ldl_le_p(c->image + i * 4);
    }
    return pixman_image_create_bits(PIXMAN_a8r8g8b8, c->width, c->height,
                                    *bits, c->width * 4);
}

uint32_t pvd_crc_frame(DisplaySurface *ds, uint32_t width, uint32_t height,
                       const PvdCursor *cursor)
{
    g_autofree uint32_t *row = NULL;
    g_autofree uint32_t *cursor_bits = NULL;
    pixman_image_t *cur, *line;
    uLong crc = crc32(0L, Z_NULL, 0);
    int64_t x0 = 0, x1 = 0;
    uint32_t y, i;

    if (ds) {
        width = surface_width(ds);
        height = surface_height(ds);
    }
    row = g_new(uint32_t, width);
    line = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, 1, row,
                                    width * 4);
    cur = pvd_crc_cursor_image(cursor, &cursor_bits);
    if (cur) {
        /* the columns the cursor covers, clipped to the frame */
        x0 = MAX((int64_t)cursor->x, 0);
        x1 = MIN((int64_t)cursor->x + cursor->width, (int64_t)width);
    }

    for (y = 0; y < height; y++) {
        int64_t cy = (int64_t)y - cursor->y;

        if (ds) {
            pixman_image_composite(PIXMAN_OP_SRC, ds->image, NULL, line,
                                   0, y, 0, 0, 0, 0, width, 1);
        } else {
            memset(row, 0, width * 4);
        }
        if (cur && x0 < x1 && cy >= 0 && cy < cursor->height) {
            pixman_image_composite(PIXMAN_OP_OVER, cur, NULL, line,
                                   x0 - cursor->x, cy, 0, 0, x0, 0,
                                   x1 - x0, 1);
        }
        for (i = 0; i < width; i++) {
            row[i] = cpu_to_le32(row[i] & 0x00ffffff);
        }
        crc = crc32(crc, (const Bytef *)row, width * 4);
    }

    if (cur) {
        pixman_image_unref(cur);
    }
    pixman_image_unref(line);
    return crc;
}
