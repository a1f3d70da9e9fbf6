/*
 * virtio-pvdisplay: a head's cursor on its host console
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DISPLAY_PVDISPLAY_CURSOR_H
#define HW_DISPLAY_PVDISPLAY_CURSOR_H

#include "migration/vmstate.h"
#include "ui/console.h"
#include "pvdisplay-wire.h"

/*
 * One head's cursor, as the guest last set it.  The image is a copy, taken
 * at the end of the run of cursor requests that set it, in wire byte order
 * (little-endian ARGB8888, premultiplied): the guest may free its resource
 * afterwards.
 * Everything is migrated; the console is told again on load.
 */
typedef struct PvdCursor {
    uint32_t width;             /* 0: no image defined */
    uint32_t height;
    uint32_t hot_x;
    uint32_t hot_y;
    int32_t x;                  /* image pixel (0, 0) on the head */
    int32_t y;
    bool visible;
    uint32_t image_size;        /* bytes in @image: width * height * 4 */
    uint8_t *image;             /* g_malloc'ed, NULL if none */
} PvdCursor;

/*
 * Record the cursor of @set (resource_id != 0, validated): its shape and
 * hotspot, shown at the position the request carries.  Its image is
 * filled in through pvd_cursor_image() before the console hears of it from
 * pvd_cursor_restore(), once per run of cursor requests however many
 * images the run set.
 */
void pvd_cursor_set(PvdCursor *c, const PvdCursorSet *set);

/*
 * The image buffer of the shape last recorded, width * height * 4 bytes
 * (reallocated if the size changed, contents undefined), for the caller
 * to copy the rows into, packed.
 */
uint8_t *pvd_cursor_image(PvdCursor *c);

/*
 * Record that the cursor is hidden (its position is kept); returns whether
 * it was visible, i.e. whether the console has to hear of it.
 */
bool pvd_cursor_hide(PvdCursor *c);

/* Record a new position; pvd_cursor_show_position() tells the console. */
void pvd_cursor_move(PvdCursor *c, int32_t x, int32_t y);

/* Tell the console where the pointer is (its hotspot) and if it shows. */
void pvd_cursor_show_position(PvdCursor *c, QemuConsole *con);

/*
 * Tell the console the cursor as recorded: its image (or a hidden one) and
 * position.  After a batch of cursor requests, migration load, invalidate.
 */
void pvd_cursor_restore(PvdCursor *c, QemuConsole *con);

/* Forget everything: device reset and unrealize. */
void pvd_cursor_reset(PvdCursor *c, QemuConsole *con);

/*
 * "W H HOT_X HOT_Y X Y VISIBLE" of @c, for the x-cursor property; the
 * caller frees it.
 */
char *pvd_cursor_describe(const PvdCursor *c);

/* Migration: a subsection of the head, present once a cursor was used. */
bool pvd_cursor_needed(const PvdCursor *c);
extern const VMStateDescription vmstate_pvd_cursor;

#endif /* HW_DISPLAY_PVDISPLAY_CURSOR_H */
