/*
 * virtio-pvdisplay: a head's cursor on its host console
 *
 * The guest defines a cursor with CURSOR_SET (an image read out of one of
 * its resources, a hotspot and a position) and moves it with CURSOR_MOVE
 * (a position only).  Both arrive on the cursor queue, decoded and checked
 * by pvdisplay-wire.c and read out of guest memory by virtio-pvdisplay.c;
 * this file keeps the result and tells the head's console, so that every
 * UI shows a native pointer: dpy_cursor_define() for the image (VNC sends
 * it with its cursor pseudo-encodings, GTK and D-Bus make a host cursor of
 * it) and dpy_mouse_set() for the position, which is where the hotspot is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "pvdisplay-cursor.h"
#include "trace.h"

/* Build a QEMUCursor (host-order ARGB words) from the wire-order image. */
static QEMUCursor *pvd_cursor_build(const PvdCursor *c)
{
    QEMUCursor *qc = cursor_alloc(c->width, c->height);
    uint32_t i;

    if (!qc) {
        return NULL;
    }
    for (i = 0; i < c->width * c->height; i++) {
        qc->data[i] = ldl_le_p(c->image + i * 4);
    }
    qc->hot_x = c->hot_x;
    qc->hot_y = c->hot_y;
    return qc;
}

/*
 * A hidden cursor is also defined as a transparent one: VNC clients have no
 * notion of a hidden cursor and keep showing the last image otherwise.
 */
static void pvd_cursor_define_hidden(QemuConsole *con)
{
    QEMUCursor *qc = cursor_alloc(1, 1);

    qc->data[0] = 0;
    dpy_cursor_define(con, qc);
    cursor_unref(qc);
}

void pvd_cursor_show_position(PvdCursor *c, QemuConsole *con)
{
    int64_t px = (int64_t)c->x + c->hot_x;
    int64_t py = (int64_t)c->y + c->hot_y;

    /* the hotspot is inside the image, so only the sum can leave int */
    px = MIN(MAX(px, INT_MIN), INT_MAX);
    py = MIN(MAX(py, INT_MIN), INT_MAX);
    trace_virtio_pvdisplay_cursor_position(px, py, c->visible);
    dpy_mouse_set(con, px, py, c->visible);
}

void pvd_cursor_restore(PvdCursor *c, QemuConsole *con)
{
    QEMUCursor *qc = NULL;

    if (c->visible && c->image) {
        qc = pvd_cursor_build(c);
    }
    if (qc) {
        dpy_cursor_define(con, qc);
        cursor_unref(qc);
    } else {
        c->visible = false;
        pvd_cursor_define_hidden(con);
    }
    pvd_cursor_show_position(c, con);
}

void pvd_cursor_set(PvdCursor *c, const PvdCursorSet *set)
{
    c->width = set->width;
    c->height = set->height;
    c->hot_x = set->hot_x;
    c->hot_y = set->hot_y;
    c->x = set->x;
    c->y = set->y;
    c->visible = true;
    trace_virtio_pvdisplay_cursor_define(set->width, set->height,
                                         set->hot_x, set->hot_y);
}

uint8_t *pvd_cursor_image(PvdCursor *c)
{
    uint32_t size = c->width * c->height * 4;

    if (c->image_size != size) {
        g_free(c->image);
        c->image = g_malloc(size);
        c->image_size = size;
    }
    return c->image;
}

bool pvd_cursor_hide(PvdCursor *c)
{
    bool was_visible = c->visible;

    c->visible = false;
    return was_visible;
}

void pvd_cursor_move(PvdCursor *c, int32_t x, int32_t y)
{
    c->x = x;
    c->y = y;
}

void pvd_cursor_reset(PvdCursor *c, QemuConsole *con)
{
    bool was_visible = c->visible;

    g_free(c->image);
    memset(c, 0, sizeof(*c));
    if (was_visible && con) {
        pvd_cursor_define_hidden(con);
        dpy_mouse_set(con, 0, 0, false);
    }
}

char *pvd_cursor_describe(const PvdCursor *c)
{
    return g_strdup_printf("%u %u %u %u %d %d %d", c->width, c->height,
                           c->hot_x, c->hot_y, c->x, c->y, c->visible);
}

bool pvd_cursor_needed(const PvdCursor *c)
{
    return c->image || c->visible || c->x || c->y;
}

static int pvd_cursor_pre_load(void *opaque)
{
    PvdCursor *c = opaque;

    g_free(c->image);
    memset(c, 0, sizeof(*c));
    return 0;
}

/* Checked before the image buffer is allocated. */
static bool pvd_cursor_size_valid(void *opaque, int version_id)
{
    PvdCursor *c = opaque;

    if (!c->width && !c->height) {
        return c->image_size == 0 && !c->visible && !c->hot_x && !c->hot_y;
    }
    return c->width >= 1 && c->width <= PVDISPLAY_CURSOR_MAX_SIZE &&
           c->height >= 1 && c->height <= PVDISPLAY_CURSOR_MAX_SIZE &&
           c->hot_x < c->width && c->hot_y < c->height &&
           c->image_size == c->width * c->height * 4;
}

const VMStateDescription vmstate_pvd_cursor = {
    .name = "virtio-pvdisplay/cursor",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = pvd_cursor_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(width, PvdCursor),
        VMSTATE_UINT32(height, PvdCursor),
        VMSTATE_UINT32(hot_x, PvdCursor),
        VMSTATE_UINT32(hot_y, PvdCursor),
        VMSTATE_INT32(x, PvdCursor),
        VMSTATE_INT32(y, PvdCursor),
        VMSTATE_BOOL(visible, PvdCursor),
        VMSTATE_UINT32(image_size, PvdCursor),
        VMSTATE_VALIDATE("cursor size in range", pvd_cursor_size_valid),
        VMSTATE_VBUFFER_ALLOC_UINT32(image, PvdCursor, 0, NULL, image_size),
        VMSTATE_END_OF_LIST()
    },
};
