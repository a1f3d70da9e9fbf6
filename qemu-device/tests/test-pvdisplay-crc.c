/*
 * Unit tests of hw/display/pvdisplay-crc.c: the CRC GET_CRC answers, over
 * the head's surface with the cursor blended in.
 *
 * The cursor's position is the guest's (CURSOR_SET, CURSOR_MOVE: any
 * int32).  The whole-device fuzzer reaches this code but only notices a
 * crash; here the values are checked, for every position around a small
 * frame and at the extremes, against a model that blends pixel by pixel
 * with pixman's arithmetic and sums the rows the way the protocol header
 * says (x8r8g8b8, little-endian, the unused byte zero, zlib's crc32).
 * Built with ASan and UBSan, so an overflow in the clipping aborts the
 * test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <zlib.h>

#include "pvdisplay-crc.h"

/* A frame with odd sizes, so that no row or column is special by luck. */
#define FW 37
#define FH 23

typedef struct Frame {
    uint32_t px[FW * FH];       /* x8r8g8b8, the unused byte not zero */
    pixman_image_t *image;
    DisplaySurface ds;
} Frame;

static uint32_t rnd(void)
{
    static uint32_t s = 20261204;

    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

static void frame_init(Frame *f)
{
    int i;

    for (i = 0; i < FW * FH; i++) {
        f->px[i] = rnd();
    }
    f->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, FW, FH, f->px,
                                        FW * 4);
    f->ds.image = f->image;
}

static void frame_fini(Frame *f)
{
    pixman_image_unref(f->image);
}

/*
 * A w x h cursor image as the device keeps it (little-endian premultiplied
 * ARGB): transparent, opaque and half-transparent pixels.
 */
static void cursor_init(PvdCursor *c, uint32_t w, uint32_t h)
{
    uint32_t i;

    memset(c, 0, sizeof(*c));
    c->width = w;
    c->height = h;
    c->visible = true;
    c->image_size = w * h * 4;
    c->image = g_malloc(c->image_size);
    for (i = 0; i < w * h; i++) {
        uint32_t r = rnd(), a, px;

        switch (i % 3) {
        case 0:
            px = 0;
            break;
        case 1:
            px = 0xff000000 | (r & 0xffffff);
            break;
        default:
            a = 1 + r % 254;
            px = a << 24 | (r >> 8) % (a + 1) << 16 |
                 (r >> 16) % (a + 1) << 8 | (r >> 24) % (a + 1);
            break;
        }
        c->image[i * 4] = px;
        c->image[i * 4 + 1] = px >> 8;
        c->image[i * 4 + 2] = px >> 16;
        c->image[i * 4 + 3] = px >> 24;
    }
}

static uint32_t ld32le(const uint8_t *b)
{
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* pixman's x * y / 255, rounded */
static uint32_t mul_un8(uint32_t x, uint32_t y)
{
    uint32_t t = x * y + 0x80;

    return ((t >> 8) + t) >> 8;
}

/* src OVER dst, premultiplied, per channel and saturated as pixman does */
static uint32_t over(uint32_t src, uint32_t dst)
{
    uint32_t ia = 255 - (src >> 24), out = 0, sh;

    for (sh = 0; sh < 24; sh += 8) {
        uint32_t ch = (src >> sh & 0xff) + mul_un8(dst >> sh & 0xff, ia);

        out |= MIN(ch, 255u) << sh;
    }
    return out;
}

/* The model: @px (FW x FH, or black @w x @h if NULL) with @c over it. */
static uint32_t model_crc(const uint32_t *px, uint32_t w, uint32_t h,
                          const PvdCursor *c)
{
    g_autofree uint8_t *row = g_malloc(w * 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    uint32_t x, y;

    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            uint32_t v = px ? px[y * w + x] : 0;
            int64_t cx = (int64_t)x - c->x, cy = (int64_t)y - c->y;

            if (c->visible && c->image && cx >= 0 && cx < c->width &&
                cy >= 0 && cy < c->height) {
                v = over(ld32le(c->image + (cy * c->width + cx) * 4), v);
            }
            v &= 0xffffff;
            row[x * 4] = v;
            row[x * 4 + 1] = v >> 8;
            row[x * 4 + 2] = v >> 16;
            row[x * 4 + 3] = 0;
        }
        crc = crc32(crc, row, w * 4);
    }
    return crc;
}

static void test_crc_without_cursor(void **state)
{
    PvdCursor none = { 0 };
    Frame f;

    frame_init(&f);
    assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &none),
                     model_crc(f.px, FW, FH, &none));
    /* the size asked is ignored when the head shows something */
    assert_int_equal(pvd_crc_frame(&f.ds, 640, 480, &none),
                     model_crc(f.px, FW, FH, &none));
    /* a dark head: a black frame of the size asked */
    assert_int_equal(pvd_crc_frame(NULL, FW, FH, &none),
                     model_crc(NULL, FW, FH, &none));
    assert_int_equal(pvd_crc_frame(NULL, 1, 1, &none),
                     model_crc(NULL, 1, 1, &none));
    frame_fini(&f);
}

/* Every position from fully off the left/top to fully off the right/bottom. */
static void test_crc_cursor_every_position(void **state)
{
    static const uint32_t sizes[][2] = { { 1, 1 }, { 8, 5 }, { 64, 64 } };
    PvdCursor c;
    Frame f;
    uint32_t i, n = 0;
    int32_t x, y;

    frame_init(&f);
    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        int32_t w = sizes[i][0], h = sizes[i][1];
        int32_t step = w > 8 ? 7 : 1;

        cursor_init(&c, w, h);
        for (y = -h - 1; y <= FH + 1; y += step) {
            for (x = -w - 1; x <= FW + 1; x += step) {
                c.x = x;
                c.y = y;
                assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c),
                                 model_crc(f.px, FW, FH, &c));
                n++;
            }
        }
        g_free(c.image);
    }
    assert_true(n > 1500);
    frame_fini(&f);
}

/* The cursor changes the CRC only where it shows. */
static void test_crc_cursor_changes_what_it_covers(void **state)
{
    PvdCursor none = { 0 }, c;
    uint32_t bare;
    Frame f;

    frame_init(&f);
    cursor_init(&c, 8, 5);
    bare = pvd_crc_frame(&f.ds, 0, 0, &none);
    c.x = 3;
    c.y = 2;
    assert_int_not_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    c.x = FW;
    assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    c.x = 3;
    c.y = -5;
    assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    c.y = 2;
    c.visible = false;
    assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    g_free(c.image);
    /* visible, but no image defined */
    c.visible = true;
    c.image = NULL;
    assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    frame_fini(&f);
}

/* Positions at the ends of int32: off the frame, no overflow (UBSan). */
static void test_crc_cursor_extreme_positions(void **state)
{
    static const int32_t pos[] = {
        INT32_MIN, INT32_MIN + 1, -65, -64, INT32_MAX - 64, INT32_MAX - 1,
        INT32_MAX,
    };
    PvdCursor none = { 0 }, c;
    uint32_t bare, i, j;
    Frame f;

    frame_init(&f);
    cursor_init(&c, 64, 64);
    bare = pvd_crc_frame(&f.ds, 0, 0, &none);
    for (i = 0; i < G_N_ELEMENTS(pos); i++) {
        for (j = 0; j < G_N_ELEMENTS(pos); j++) {
            c.x = pos[i];
            c.y = pos[j];
            assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
        }
        c.x = pos[i];
        c.y = 0;
        assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
        c.x = 0;
        c.y = pos[i];
        assert_int_equal(pvd_crc_frame(&f.ds, 0, 0, &c), bare);
    }
    g_free(c.image);
    frame_fini(&f);
}

/* A dark head shows the cursor over black, clipped to the size asked. */
static void test_crc_cursor_on_dark_head(void **state)
{
    PvdCursor c;
    int32_t x, y;

    cursor_init(&c, 16, 16);
    for (y = -17; y <= FH + 1; y += 3) {
        for (x = -17; x <= FW + 1; x += 3) {
            c.x = x;
            c.y = y;
            assert_int_equal(pvd_crc_frame(NULL, FW, FH, &c),
                             model_crc(NULL, FW, FH, &c));
        }
    }
    g_free(c.image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_without_cursor),
        cmocka_unit_test(test_crc_cursor_every_position),
        cmocka_unit_test(test_crc_cursor_changes_what_it_covers),
        cmocka_unit_test(test_crc_cursor_extreme_positions),
        cmocka_unit_test(test_crc_cursor_on_dark_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
