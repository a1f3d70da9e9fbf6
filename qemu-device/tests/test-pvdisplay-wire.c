/*
 * Unit tests of hw/display/pvdisplay-wire.c, the device's request decoder.
 *
 * Requests are built byte by byte in little-endian order, as a guest driver
 * would put them on the wire, and every malformed case checks the exact
 * status the protocol header prescribes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "pvdisplay-wire.h"

#define OK      PVDISPLAY_STATUS_OK
#define EINVAL  PVDISPLAY_STATUS_ERR_INVALID_PARAMETER
#define ERES    PVDISPLAY_STATUS_ERR_INVALID_RESOURCE
#define EHEAD   PVDISPLAY_STATUS_ERR_INVALID_HEAD
#define EUNSUP  PVDISPLAY_STATUS_ERR_UNSUPPORTED

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define PAGE PVDISPLAY_REGION_ALIGN

/* ------------------------------------------------------------------ */
/* Request builders */

static void st32(void *p, uint32_t v)
{
    uint8_t *b = p;

    b[0] = v;
    b[1] = v >> 8;
    b[2] = v >> 16;
    b[3] = v >> 24;
}

static void st64(void *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static uint32_t ld32(const void *p)
{
    const uint8_t *b = p;

    return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

static PvdWireLimits limits(void)
{
    PvdWireLimits lim = {
        .num_heads = 1,
        .max_width = 7680,
        .max_height = 4320,
        .edid = true,
        .extra_formats = true,
        .cursor = true,
        .cursor_max_width = 64,
        .cursor_max_height = 64,
        .crc = true,
    };
    return lim;
}

/* A SCANOUT_UPDATE in host order; upd_encode() puts it on the wire. */
typedef struct Upd {
    uint32_t head, resource_id, format, offset, stride;
    uint32_t fb_width, fb_height, src_x, src_y, src_width, src_height;
    uint32_t nr_rects, nr_regions, reserved;
    uint32_t flags;             /* header flags */
    PvdRect rects[PVDISPLAY_MAX_DAMAGE_RECTS + 1];
    PvdRegion regions[PVDISPLAY_MAX_DAMAGE_REGIONS + 1];
} Upd;

/* 640x480 XRGB8888, packed, whole framebuffer shown, no damage. */
static Upd upd_default(void)
{
    Upd u = {
        .resource_id = 1,
        .format = PVD_FORMAT_XRGB8888,
        .stride = 640 * 4,
        .fb_width = 640,
        .fb_height = 480,
        .src_width = 640,
        .src_height = 480,
    };
    return u;
}

/* Encode @u into @buf (PVD_WIRE_REQ_MAX_SIZE + room); returns the length. */
static size_t upd_encode(const Upd *u, uint8_t *buf)
{
    struct pvdisplay_cmd_scanout_update *c = (void *)buf;
    uint32_t nr = u->nr_rects < PVDISPLAY_MAX_DAMAGE_RECTS + 1 ?
                  u->nr_rects : PVDISPLAY_MAX_DAMAGE_RECTS + 1;
    uint32_t ng = u->nr_regions < PVDISPLAY_MAX_DAMAGE_REGIONS + 1 ?
                  u->nr_regions : PVDISPLAY_MAX_DAMAGE_REGIONS + 1;
    uint8_t *p = buf + sizeof(*c);
    uint32_t i;

    memset(buf, 0, sizeof(*c));
    st32(&c->hdr.type, PVDISPLAY_CMD_SCANOUT_UPDATE);
    st32(&c->hdr.flags, u->flags);
    st32(&c->head, u->head);
    st32(&c->resource_id, u->resource_id);
    st32(&c->format, u->format);
    st32(&c->offset, u->offset);
    st32(&c->stride, u->stride);
    st32(&c->fb_width, u->fb_width);
    st32(&c->fb_height, u->fb_height);
    st32(&c->src_x, u->src_x);
    st32(&c->src_y, u->src_y);
    st32(&c->src_width, u->src_width);
    st32(&c->src_height, u->src_height);
    st32(&c->nr_rects, u->nr_rects);
    st32(&c->nr_regions, u->nr_regions);
    st32(&c->reserved, u->reserved);
    for (i = 0; i < nr; i++, p += 16) {
        st32(p, u->rects[i].x);
        st32(p + 4, u->rects[i].y);
        st32(p + 8, u->rects[i].width);
        st32(p + 12, u->rects[i].height);
    }
    for (i = 0; i < ng; i++, p += 16) {
        st64(p, u->regions[i].offset);
        st64(p + 8, u->regions[i].length);
    }
    return p - buf;
}

#define BUFSZ (PVD_WIRE_REQ_MAX_SIZE + 64)

/* Stage 1 only. */
static uint32_t decode(const Upd *u, const PvdWireLimits *lim,
                       PvdScanoutUpdate *out)
{
    uint8_t buf[BUFSZ];
    size_t len = upd_encode(u, buf);
    const char *why = "untouched";
    uint32_t st;

    st = pvd_wire_decode_scanout_update(buf, len, lim, out, &why);
    if (st == OK) {
        assert_null(why);
    } else {
        assert_non_null(why);   /* every rejection names its rule */
    }
    return st;
}

/* Stage 1 then stage 2 against a resource of @size bytes. */
static uint32_t check(const Upd *u, uint64_t size)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    const char *why = NULL;
    uint32_t st = decode(u, &lim, &out);

    if (st != OK) {
        return st;
    }
    st = pvd_wire_check_scanout_resource(&out, size, &why);
    assert_true(st == OK ? why == NULL : why != NULL);
    return st;
}

static void add_rect(Upd *u, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    u->rects[u->nr_rects++] = (PvdRect){ x, y, w, h };
}

static void add_region(Upd *u, uint64_t off, uint64_t len)
{
    u->regions[u->nr_regions++] = (PvdRegion){ off, len };
}

/* Page-aligned region(s) covering rows [y0, y1) of the framebuffer. */
static void add_rows_region(Upd *u, uint32_t y0, uint32_t y1, uint64_t size)
{
    uint64_t start = u->offset + (uint64_t)y0 * u->stride;
    uint64_t end = u->offset + (uint64_t)y1 * u->stride;

    start &= ~(uint64_t)(PAGE - 1);
    end = (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    if (end > size) {
        end = size;
    }
    add_region(u, start, end - start);
}

/* ------------------------------------------------------------------ */
/* Header */

static size_t hdr_req(uint8_t *buf, uint32_t type, uint32_t flags)
{
    memset(buf, 0, BUFSZ);
    st32(buf, type);
    st32(buf + 4, flags);
    return pvd_wire_request_size(type) ? pvd_wire_request_size(type) : 8;
}

static void test_hdr_accepts_every_command(void **state)
{
    static const uint32_t types[] = {
        PVDISPLAY_CMD_GET_DISPLAY_INFO, PVDISPLAY_CMD_GET_EDID,
        PVDISPLAY_CMD_RESOURCE_CREATE, PVDISPLAY_CMD_RESOURCE_DESTROY,
        PVDISPLAY_CMD_SCANOUT_UPDATE, PVDISPLAY_CMD_GET_CRC,
        PVDISPLAY_CMD_CURSOR_SET,
        PVDISPLAY_CMD_CURSOR_MOVE,
    };
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t len = hdr_req(buf, types[i], 0);

        assert_int_equal(pvd_wire_decode_hdr(buf, len,
                                             pvd_wire_response_size(types[i]),
                                             &lim, &hdr, NULL), OK);
        assert_int_equal(hdr.type, types[i]);
        assert_int_equal(hdr.flags, 0);
        assert_string_not_equal(pvd_wire_cmd_name(types[i]), "unknown");
    }
}

static void test_hdr_short(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t len;

    hdr_req(buf, PVDISPLAY_CMD_GET_DISPLAY_INFO, 0);
    for (len = 0; len < 8; len++) {
        assert_int_equal(pvd_wire_decode_hdr(buf, len, 4096, &lim, &hdr,
                                             NULL), EINVAL);
    }
}

static void test_hdr_unknown_type(void **state)
{
    static const uint32_t bad[] = {
        0, 0xff, PVDISPLAY_CMD_GET_DISPLAY_INFO - 1,
        PVDISPLAY_CMD_GET_CRC + 1, PVDISPLAY_CMD_CURSOR_SET - 1,
        PVDISPLAY_CMD_CURSOR_MOVE + 1, PVDISPLAY_STATUS_ERR_UNSPEC,
        0xffffffff,
    };
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hdr_req(buf, bad[i], 0);
        assert_int_equal(pvd_wire_decode_hdr(buf, 8, 4096, &lim, &hdr, NULL),
                         EUNSUP);
        assert_int_equal(hdr.type, bad[i]);
        /* unknown wins over bad flags */
        hdr_req(buf, bad[i], 1);
        assert_int_equal(pvd_wire_decode_hdr(buf, 8, 4096, &lim, &hdr, NULL),
                         EUNSUP);
    }
    assert_string_equal(pvd_wire_cmd_name(0x1234), "unknown");
}

static void test_hdr_edid_needs_feature(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t len = hdr_req(buf, PVDISPLAY_CMD_GET_EDID, 0);

    lim.edid = false;
    assert_int_equal(pvd_wire_decode_hdr(buf, len, 4096, &lim, &hdr, NULL),
                     EUNSUP);
}

static void test_hdr_flags(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    uint32_t bit;

    for (bit = 0; bit < 32; bit++) {
        size_t len = hdr_req(buf, PVDISPLAY_CMD_RESOURCE_DESTROY, 1u << bit);

        assert_int_equal(pvd_wire_decode_hdr(buf, len, 8, &lim, &hdr, NULL),
                         EINVAL);
        assert_int_equal(hdr.flags, 1u << bit);
    }
}

static void test_hdr_readable_too_short(void **state)
{
    static const uint32_t types[] = {
        PVDISPLAY_CMD_GET_EDID, PVDISPLAY_CMD_RESOURCE_CREATE,
        PVDISPLAY_CMD_RESOURCE_DESTROY, PVDISPLAY_CMD_SCANOUT_UPDATE,
    };
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t need = hdr_req(buf, types[i], 0);

        assert_int_equal(pvd_wire_decode_hdr(buf, need - 1, 4096, &lim, &hdr,
                                             NULL), EINVAL);
        assert_int_equal(pvd_wire_decode_hdr(buf, need, 4096, &lim, &hdr,
                                             NULL), OK);
        /* a longer readable part is fine */
        assert_int_equal(pvd_wire_decode_hdr(buf, need + 8, 4096, &lim, &hdr,
                                             NULL), OK);
    }
}

static void test_hdr_writable_too_small(void **state)
{
    static const struct {
        uint32_t type;
        size_t resp;
    } t[] = {
        { PVDISPLAY_CMD_GET_DISPLAY_INFO, 16 + 32 * PVDISPLAY_MAX_HEADS },
        { PVDISPLAY_CMD_GET_EDID, 16 + PVDISPLAY_EDID_MAX_SIZE },
        { PVDISPLAY_CMD_RESOURCE_CREATE, 8 },
        { PVDISPLAY_CMD_RESOURCE_DESTROY, 8 },
        { PVDISPLAY_CMD_SCANOUT_UPDATE, 8 },
    };
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t len = hdr_req(buf, t[i].type, 0);

        assert_int_equal(pvd_wire_response_size(t[i].type), t[i].resp);
        assert_int_equal(pvd_wire_decode_hdr(buf, len, t[i].resp - 1, &lim,
                                             &hdr, NULL), EINVAL);
        assert_int_equal(pvd_wire_decode_hdr(buf, len, t[i].resp, &lim,
                                             &hdr, NULL), OK);
    }
}

/* ------------------------------------------------------------------ */
/* GET_EDID, RESOURCE_DESTROY */

static void test_get_edid(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[16] = { 0 };
    uint32_t head = 99;

    lim.num_heads = 4;
    st32(buf, PVDISPLAY_CMD_GET_EDID);
    st32(buf + 8, 3);
    assert_int_equal(pvd_wire_decode_get_edid(buf, 16, &lim, &head, NULL), OK);
    assert_int_equal(head, 3);

    st32(buf + 8, 4);
    assert_int_equal(pvd_wire_decode_get_edid(buf, 16, &lim, &head, NULL),
                     EHEAD);
    st32(buf + 8, 0xffffffff);
    assert_int_equal(pvd_wire_decode_get_edid(buf, 16, &lim, &head, NULL),
                     EHEAD);

    st32(buf + 8, 0);
    st32(buf + 12, 1);
    assert_int_equal(pvd_wire_decode_get_edid(buf, 16, &lim, &head, NULL),
                     EINVAL);
    st32(buf + 12, 0);
    assert_int_equal(pvd_wire_decode_get_edid(buf, 15, &lim, &head, NULL),
                     EINVAL);
}

static void test_resource_destroy(void **state)
{
    uint8_t buf[16] = { 0 };
    uint32_t id = 0;

    st32(buf, PVDISPLAY_CMD_RESOURCE_DESTROY);
    st32(buf + 8, 0xffffffff);
    assert_int_equal(pvd_wire_decode_resource_destroy(buf, 16, &id, NULL), OK);
    assert_int_equal(id, 0xffffffff);

    st32(buf + 8, 0);
    assert_int_equal(pvd_wire_decode_resource_destroy(buf, 16, &id, NULL),
                     ERES);
    st32(buf + 8, 7);
    st32(buf + 12, 0x80000000);
    assert_int_equal(pvd_wire_decode_resource_destroy(buf, 16, &id, NULL),
                     EINVAL);
    st32(buf + 12, 0);
    assert_int_equal(pvd_wire_decode_resource_destroy(buf, 12, &id, NULL),
                     EINVAL);
}

/* ------------------------------------------------------------------ */
/* RESOURCE_CREATE */

static size_t create_req(uint8_t *buf, uint32_t id, uint32_t nr, uint64_t size)
{
    memset(buf, 0, 24);
    st32(buf, PVDISPLAY_CMD_RESOURCE_CREATE);
    st32(buf + 8, id);
    st32(buf + 12, nr);
    st64(buf + 16, size);
    return 24;
}

static uint32_t create(uint32_t id, uint32_t nr, uint64_t size,
                       uint64_t out_len)
{
    uint8_t buf[24];
    PvdResourceCreate rc;
    const char *why = NULL;
    uint32_t st;

    create_req(buf, id, nr, size);
    st = pvd_wire_decode_resource_create(buf, 24, out_len, &rc, &why);
    if (st == OK) {
        assert_int_equal(rc.resource_id, id);
        assert_int_equal(rc.nr_entries, nr);
        assert_true(rc.size == size);
    } else {
        assert_non_null(why);
    }
    return st;
}

static void test_create_header(void **state)
{
    const uint64_t max = PVDISPLAY_MAX_RESOURCE_SIZE;
    const uint32_t maxn = PVDISPLAY_MAX_MEM_ENTRIES;

    assert_int_equal(create(1, 1, 4096, 24 + 16), OK);
    assert_int_equal(create(0xffffffff, 2, 8192, 24 + 32), OK);
    assert_int_equal(create(0, 1, 4096, 40), ERES);

    assert_int_equal(create(1, 0, 4096, 40), EINVAL);
    assert_int_equal(create(1, maxn + 1, max, 24 + 16ULL * (maxn + 1)), EINVAL);
    assert_int_equal(create(1, 0xffffffff, max, SIZE_MAX), EINVAL);
    assert_int_equal(create(1, maxn, max, 24 + 16ULL * maxn), OK);

    assert_int_equal(create(1, 1, 0, 40), EINVAL);
    assert_int_equal(create(1, 1, max, 40), OK);
    assert_int_equal(create(1, 1, max + 1, 40), EINVAL);
    assert_int_equal(create(1, 1, UINT64_MAX, 40), EINVAL);
    /* every entry has at least one byte */
    assert_int_equal(create(1, 3, 2, 24 + 48), EINVAL);
    assert_int_equal(create(1, 3, 3, 24 + 48), OK);

    /* the readable part must hold every entry */
    assert_int_equal(create(1, 4, 16384, 24 + 64 - 1), EINVAL);
    assert_int_equal(create(1, 4, 16384, 24 + 64), OK);
    assert_int_equal(create(1, maxn, max, 24 + 16ULL * maxn - 1), EINVAL);
}

static void test_create_short_fixed_part(void **state)
{
    uint8_t buf[24];
    PvdResourceCreate rc;

    create_req(buf, 1, 1, 4096);
    assert_int_equal(pvd_wire_decode_resource_create(buf, 23, 40, &rc, NULL),
                     EINVAL);
}

static void entry(uint8_t *raw, uint64_t addr, uint32_t len, uint32_t rsv)
{
    st64(raw, addr);
    st32(raw + 8, len);
    st32(raw + 12, rsv);
}

static void walk_start(PvdMemWalk *w, uint32_t nr, uint64_t size)
{
    PvdResourceCreate rc = { .resource_id = 1, .nr_entries = nr,
                             .size = size };

    pvd_wire_mem_walk_init(w, &rc);
}

static void test_mem_walk_good(void **state)
{
    PvdMemWalk w;
    PvdMemEntry e;
    uint8_t raw[16];

    walk_start(&w, 3, 3 * 4096 + 100);
    entry(raw, 0x100000, 4096, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    assert_true(e.addr == 0x100000);
    assert_int_equal(e.length, 4096);
    entry(raw, 0x80000000ULL, 8192, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    /* entries need not be aligned; the last one may be partial */
    entry(raw, 0x123, 100, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    assert_int_equal(pvd_wire_mem_walk_finish(&w, NULL), OK);
}

static void test_mem_walk_bad_entries(void **state)
{
    PvdMemWalk w;
    PvdMemEntry e;
    uint8_t raw[16];

    walk_start(&w, 2, 8192);
    entry(raw, 0x1000, 4096, 1);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);

    walk_start(&w, 2, 8192);
    entry(raw, 0x1000, 0, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);

    /* last byte at 2^64 - 1 is fine, one more wraps */
    walk_start(&w, 1, 4096);
    entry(raw, UINT64_MAX - 4095, 4096, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    walk_start(&w, 1, 4096);
    entry(raw, UINT64_MAX - 4094, 4096, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);
    walk_start(&w, 1, 0xffffffffULL);
    entry(raw, UINT64_MAX, 0xffffffff, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);

    /* running total above the announced size */
    walk_start(&w, 2, 8192);
    entry(raw, 0x1000, 4096, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    entry(raw, 0x9000, 4097, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);
    walk_start(&w, 1, PVDISPLAY_MAX_RESOURCE_SIZE);
    entry(raw, 0, 0xffffffff, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);
}

static void test_mem_walk_counts(void **state)
{
    PvdMemWalk w;
    PvdMemEntry e;
    uint8_t raw[16];

    /* fewer entries than announced */
    walk_start(&w, 2, 4096);
    entry(raw, 0x1000, 4096, 0);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    assert_int_equal(pvd_wire_mem_walk_finish(&w, NULL), EINVAL);

    /* more entries than announced */
    walk_start(&w, 1, 8192);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);

    /* lengths add up to less than the size */
    walk_start(&w, 1, 8192);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    assert_int_equal(pvd_wire_mem_walk_finish(&w, NULL), EINVAL);
}

static void test_mem_walk_max_entries(void **state)
{
    PvdMemWalk w;
    PvdMemEntry e;
    uint8_t raw[16];
    uint32_t i;

    walk_start(&w, PVDISPLAY_MAX_MEM_ENTRIES, PVDISPLAY_MAX_RESOURCE_SIZE);
    for (i = 0; i < PVDISPLAY_MAX_MEM_ENTRIES; i++) {
        entry(raw, (uint64_t)i * 8192, 4096, 0);
        assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), OK);
    }
    assert_int_equal(pvd_wire_mem_walk_finish(&w, NULL), OK);
    assert_int_equal(pvd_wire_mem_walk_next(&w, raw, &e, NULL), EINVAL);
}

/* ------------------------------------------------------------------ */
/* SCANOUT_UPDATE, stage 1 */

static void test_scanout_good(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd u = upd_default();

    add_rect(&u, 0, 0, 1, 1);
    add_rect(&u, 639, 479, 1, 1);
    add_region(&u, 0, PAGE);
    add_region(&u, 300 * PAGE, 2 * PAGE);
    assert_int_equal(decode(&u, &lim, &out), OK);
    assert_int_equal(out.head, 0);
    assert_int_equal(out.sc.resource_id, 1);
    assert_int_equal(out.sc.format, PVD_FORMAT_XRGB8888);
    assert_int_equal(out.sc.stride, 2560);
    assert_int_equal(out.sc.fb_width, 640);
    assert_int_equal(out.sc.src_height, 480);
    assert_int_equal(out.nr_rects, 2);
    assert_int_equal(out.nr_regions, 2);
    assert_int_equal(out.rects[1].x, 639);
    assert_int_equal(out.rects[1].y, 479);
    assert_true(out.regions[1].offset == 300 * PAGE);
    assert_true(out.regions[1].length == 2 * PAGE);
}

static void test_scanout_disable(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd z = { 0 };
    Upd u;

    assert_int_equal(decode(&z, &lim, &out), OK);
    assert_int_equal(out.sc.resource_id, 0);

    /* every field after resource_id must be zero */
#define DISABLE_FIELD(f, v) \
    do { u = z; u.f = (v); \
         assert_int_equal(decode(&u, &lim, &out), EINVAL); } while (0)
    DISABLE_FIELD(format, PVD_FORMAT_XRGB8888);
    DISABLE_FIELD(offset, 1);
    DISABLE_FIELD(stride, 4);
    DISABLE_FIELD(fb_width, 1);
    DISABLE_FIELD(fb_height, 1);
    DISABLE_FIELD(src_x, 1);
    DISABLE_FIELD(src_y, 1);
    DISABLE_FIELD(src_width, 1);
    DISABLE_FIELD(src_height, 1);
#undef DISABLE_FIELD
    u = z;
    add_rect(&u, 0, 0, 1, 1);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = z;
    add_region(&u, 0, PAGE);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);

    /* a disabling update still names a valid head */
    u = z;
    u.head = 1;
    assert_int_equal(decode(&u, &lim, &out), EHEAD);
}

static void test_scanout_reserved_and_flags(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd u = upd_default();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t len;

    u.reserved = 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.reserved = 0;
    u.flags = 0x100;
    len = upd_encode(&u, buf);
    assert_int_equal(pvd_wire_decode_hdr(buf, len, 8, &lim, &hdr, NULL),
                     EINVAL);
}

static void test_scanout_head(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd u = upd_default();

    u.head = 1;
    assert_int_equal(decode(&u, &lim, &out), EHEAD);
    lim.num_heads = PVDISPLAY_MAX_HEADS;
    u.head = PVDISPLAY_MAX_HEADS - 1;
    assert_int_equal(decode(&u, &lim, &out), OK);
    u.head = PVDISPLAY_MAX_HEADS;
    assert_int_equal(decode(&u, &lim, &out), EHEAD);
    u.head = 0xffffffff;
    assert_int_equal(decode(&u, &lim, &out), EHEAD);
}

static void test_scanout_counts(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    uint8_t buf[BUFSZ];
    Upd u = upd_default();
    size_t len;
    uint32_t i;

    for (i = 0; i < PVDISPLAY_MAX_DAMAGE_RECTS; i++) {
        add_rect(&u, i, i, 1, 1);
    }
    for (i = 0; i < PVDISPLAY_MAX_DAMAGE_REGIONS; i++) {
        add_region(&u, (uint64_t)i * 2 * PAGE, PAGE);
    }
    assert_int_equal(decode(&u, &lim, &out), OK);
    len = upd_encode(&u, buf);
    assert_int_equal(len, PVD_WIRE_REQ_MAX_SIZE);
    /* one byte short of the last region */
    assert_int_equal(pvd_wire_decode_scanout_update(buf, len - 1, &lim, &out,
                                                    NULL), EINVAL);

    u.nr_rects = PVDISPLAY_MAX_DAMAGE_RECTS + 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.nr_rects = 0xffffffff;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.nr_rects = PVDISPLAY_MAX_DAMAGE_RECTS;
    u.nr_regions = PVDISPLAY_MAX_DAMAGE_REGIONS + 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.nr_regions = 0x80000000;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);

    /* counts that fit the limits but not the readable part */
    u = upd_default();
    u.nr_rects = 2;
    len = upd_encode(&u, buf);
    assert_int_equal(pvd_wire_decode_scanout_update(buf, 64 + 16, &lim, &out,
                                                    NULL), EINVAL);
    assert_int_equal(pvd_wire_decode_scanout_update(buf, 63, &lim, &out,
                                                    NULL), EINVAL);

    /* regions only come with rectangles */
    u = upd_default();
    add_region(&u, 0, PAGE);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
}

static void test_scanout_formats(void **state)
{
    static const struct {
        uint32_t format, cpp;
        bool extra;
    } f[] = {
        { PVD_FORMAT_XRGB8888, 4, false },
        { PVD_FORMAT_ARGB8888, 4, false },
        { PVD_FORMAT_XBGR8888, 4, true },
        { PVD_FORMAT_ABGR8888, 4, true },
        { PVD_FORMAT_RGB565, 2, true },
    };
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd u = upd_default();
    size_t i;

    for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        assert_int_equal(pvd_wire_format_cpp(f[i].format, true), f[i].cpp);
        assert_int_equal(pvd_wire_format_cpp(f[i].format, false),
                         f[i].extra ? 0 : f[i].cpp);
        u.format = f[i].format;
        u.stride = 640 * f[i].cpp;
        lim.extra_formats = true;
        assert_int_equal(decode(&u, &lim, &out), OK);
        lim.extra_formats = false;
        assert_int_equal(decode(&u, &lim, &out), f[i].extra ? EINVAL : OK);
    }
    lim.extra_formats = true;
    u.stride = 2560;
    u.format = PVD_FOURCC('R', 'G', '2', '4');      /* RGB888: not offered */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.format = 0;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.format = 0xffffffff;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
}

static void test_scanout_geometry(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd d = upd_default();
    Upd u;

    u = d;
    u.fb_width = 0;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.fb_height = 0;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);

    /* stride */
    u = d;
    u.stride = 640 * 4 - 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.stride = 640 * 4 + 1;     /* any larger stride, aligned or not */
    assert_int_equal(decode(&u, &lim, &out), OK);
    /* fb_width * 4 == 2^32 wraps to 0 in 32 bits */
    u = d;
    u.fb_width = 0x40000000;
    u.stride = 0;
    u.src_width = 16;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u.stride = 0xffffffff;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);

    /* source rectangle */
    u = d;
    u.src_width = 0;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.src_height = 0;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.src_x = 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.src_y = 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.src_x = 0xffffffff;       /* src_x + src_width wraps in 32 bits */
    u.src_width = 1;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    u.src_y = 0xfffffe20;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);

    /* a sub-rectangle of a larger framebuffer */
    u = d;
    u.fb_width = 8000;
    u.fb_height = 5000;
    u.stride = 8000 * 4;
    u.src_x = 8000 - 7680;
    u.src_y = 5000 - 4320;
    u.src_width = 7680;
    u.src_height = 4320;
    assert_int_equal(decode(&u, &lim, &out), OK);
    u.src_x--;
    u.src_width++;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);       /* > max */
    u.src_width--;
    u.src_y--;
    u.src_height++;
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
}

static void test_scanout_rects(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd d = upd_default();
    Upd u;

    d.nr_regions = 0;
    u = d;
    add_rect(&u, 639, 0, 1, 480);               /* last column */
    add_rect(&u, 0, 479, 640, 1);               /* last row */
    add_rect(&u, 0, 0, 640, 480);               /* all */
    add_rect(&u, 10, 10, 100, 100);             /* overlaps the others */
    assert_int_equal(decode(&u, &lim, &out), OK);

    u = d;
    add_rect(&u, 0, 0, 0, 1);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 0, 0, 1, 0);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 639, 0, 2, 1);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 0, 479, 1, 2);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 640, 0, 1, 1);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 0xffffffff, 0, 2, 1);          /* x + width wraps */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 0, 0xfffffff0, 1, 0x20);       /* y + height wraps */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_rect(&u, 0, 0, 1, 1);
    add_rect(&u, 0, 0, 0xffffffff, 0xffffffff); /* the second one is bad */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
}

static void test_scanout_regions_stage1(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    Upd d = upd_default();
    Upd u;

    add_rect(&d, 0, 0, 1, 1);

    u = d;
    add_region(&u, 0, PAGE);
    add_region(&u, PAGE, PAGE);         /* touching is fine */
    add_region(&u, 5 * PAGE, 3);        /* unaligned length: checked later */
    assert_int_equal(decode(&u, &lim, &out), OK);

    u = d;
    add_region(&u, 1, PAGE);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, PAGE / 2, PAGE);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, 0, 0);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, 2 * PAGE, PAGE);
    add_region(&u, 0, PAGE);            /* not sorted */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, 0, 2 * PAGE);
    add_region(&u, PAGE, PAGE);         /* overlapping */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, PAGE, PAGE);
    add_region(&u, PAGE, PAGE);         /* duplicate */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, UINT64_MAX - PAGE + 1, PAGE);    /* ends at 2^64 */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, UINT64_MAX - PAGE + 1, UINT64_MAX);
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
    u = d;
    add_region(&u, PAGE, UINT64_MAX);
    add_region(&u, 0, PAGE);            /* wrapped end must not pass */
    assert_int_equal(decode(&u, &lim, &out), EINVAL);
}

/* ------------------------------------------------------------------ */
/* SCANOUT_UPDATE, stage 2: resource bounds and damage coverage */

static void test_fb_fits_resource(void **state)
{
    Upd u = upd_default();
    uint64_t fb = 640 * 4 * 480;

    assert_int_equal(check(&u, fb), OK);
    assert_int_equal(check(&u, fb - 1), EINVAL);
    u.offset = 100;
    assert_int_equal(check(&u, fb + 100), OK);
    assert_int_equal(check(&u, fb + 99), EINVAL);

    /* the last row needs only width * cpp bytes, not a whole stride */
    u = upd_default();
    u.stride = 4096;
    assert_int_equal(check(&u, 479 * 4096 + 2560), OK);
    assert_int_equal(check(&u, 479 * 4096 + 2559), EINVAL);

    /* (fb_height - 1) * stride == 2^32 wraps to 0 in 32 bits */
    u = upd_default();
    u.fb_width = 1;
    u.stride = 0x10000;
    u.fb_height = 0x10001;
    u.src_width = 1;
    u.src_height = 1;
    assert_int_equal(check(&u, PAGE), EINVAL);
    /* largest stride and height: no 64-bit wrap either */
    u.stride = 0xffffffff;
    u.fb_height = 0xffffffff;
    u.offset = 0xffffffff;
    assert_int_equal(check(&u, PVDISPLAY_MAX_RESOURCE_SIZE), EINVAL);
}

static void test_fits_alone(void **state)
{
    /* as used on migration load, without the stage 1 stride check */
    PvdScanout sc = {
        .resource_id = 1, .format = PVD_FORMAT_XRGB8888,
        .offset = 0xffffffff, .stride = 0xffffffff,
        .fb_width = 0xffffffff, .fb_height = 0xffffffff,
        .src_width = 1, .src_height = 1,
    };
    PvdScanout z = sc;

    assert_int_equal(pvd_wire_check_scanout_fits(&sc, UINT64_MAX, NULL),
                     EINVAL);
    z.fb_height = 0;
    assert_int_equal(pvd_wire_check_scanout_fits(&z, UINT64_MAX, NULL),
                     EINVAL);
    z = sc;
    z.format = 0;
    assert_int_equal(pvd_wire_check_scanout_fits(&z, UINT64_MAX, NULL),
                     EINVAL);
    sc.offset = 8;
    sc.stride = 16;
    sc.fb_width = 4;
    sc.fb_height = 2;
    assert_int_equal(pvd_wire_check_scanout_fits(&sc, 8 + 16 + 16, NULL), OK);
    assert_int_equal(pvd_wire_check_scanout_fits(&sc, 8 + 16 + 15, NULL),
                     EINVAL);
}

static void test_regions_inside_resource(void **state)
{
    uint64_t fb = 640 * 4 * 480;         /* 300 pages exactly */
    Upd d = upd_default();
    Upd u;

    add_rect(&d, 0, 0, 1, 1);
    u = d;
    add_region(&u, 0, PAGE);
    add_region(&u, 299 * PAGE, PAGE);
    assert_int_equal(check(&u, fb), OK);
    u = d;
    add_region(&u, 0, PAGE);
    add_region(&u, 300 * PAGE, PAGE);   /* past the end */
    assert_int_equal(check(&u, fb), EINVAL);
    u = d;
    add_region(&u, 0, fb + PAGE);
    assert_int_equal(check(&u, fb), EINVAL);
    /* an aligned region one byte past a resource end that is not */
    u = d;
    u.fb_height = 470;
    u.src_height = 470;
    add_region(&u, 0, PAGE);
    add_region(&u, 299 * PAGE, PAGE);
    assert_int_equal(check(&u, 300 * PAGE), OK);
    assert_int_equal(check(&u, 300 * PAGE - 1), EINVAL);

    /* unaligned length: only for the region ending at the resource end */
    u = d;
    add_region(&u, 0, PAGE);
    add_region(&u, 300 * PAGE, 100);
    assert_int_equal(check(&u, fb + 100), OK);
    assert_int_equal(check(&u, fb + 101), EINVAL);
    assert_int_equal(check(&u, fb + 99), EINVAL);       /* outside */
    u = d;
    add_region(&u, 0, PAGE + 4);
    assert_int_equal(check(&u, fb), EINVAL);
}

static void test_coverage_basic(void **state)
{
    uint64_t size = 640 * 4 * 480;
    Upd d = upd_default();
    Upd u;

    /* rect rows 10..19: offsets 25600 .. 51200, pages 6..12 */
    u = d;
    add_rect(&u, 0, 10, 640, 10);
    add_region(&u, 6 * PAGE, 7 * PAGE);
    assert_int_equal(check(&u, size), OK);

    u = d;
    add_rect(&u, 0, 10, 640, 10);
    add_region(&u, 7 * PAGE, 6 * PAGE);         /* misses the first row */
    assert_int_equal(check(&u, size), EINVAL);

    u = d;
    add_rect(&u, 0, 10, 640, 10);
    add_region(&u, 6 * PAGE, 6 * PAGE);         /* misses the last bytes */
    assert_int_equal(check(&u, size), EINVAL);

    /* the same page range split in touching regions */
    u = d;
    add_rect(&u, 0, 10, 640, 10);
    add_region(&u, 6 * PAGE, PAGE);
    add_region(&u, 7 * PAGE, 3 * PAGE);
    add_region(&u, 10 * PAGE, 3 * PAGE);
    assert_int_equal(check(&u, size), OK);

    /* ... and with a hole in the middle */
    u = d;
    add_rect(&u, 0, 10, 640, 10);
    add_region(&u, 6 * PAGE, PAGE);
    add_region(&u, 8 * PAGE, 5 * PAGE);
    assert_int_equal(check(&u, size), EINVAL);

    /* full-frame damage: nr_rects 0 needs no regions */
    u = d;
    assert_int_equal(check(&u, size), OK);
}

static void test_coverage_last_pixel(void **state)
{
    /* 641 wide, stride 2564: the frame is 1230720 bytes, 300.47 pages */
    uint64_t size = 2564ULL * 480;
    Upd d = upd_default();
    Upd u;

    d.fb_width = 641;
    d.stride = 641 * 4;
    d.src_width = 641;

    u = d;
    add_rect(&u, 640, 479, 1, 1);
    add_region(&u, 300 * PAGE, size - 300 * PAGE);      /* ends at the end */
    assert_int_equal(check(&u, size), OK);

    u = d;
    add_rect(&u, 640, 479, 1, 1);
    add_region(&u, 299 * PAGE, PAGE);
    assert_int_equal(check(&u, size), EINVAL);

    /* first pixel */
    u = d;
    add_rect(&u, 0, 0, 1, 1);
    add_region(&u, 0, PAGE);
    assert_int_equal(check(&u, size), OK);
    u = d;
    add_rect(&u, 0, 0, 1, 1);
    add_region(&u, PAGE, PAGE);
    assert_int_equal(check(&u, size), EINVAL);

    /* a pixel straddling a page boundary needs both pages */
    u = d;
    u.offset = 2;
    add_rect(&u, 1023, 0, 1, 1);    /* bytes 4094..4097 */
    u.fb_width = 1100;
    u.stride = 4400;
    u.src_width = 1100;
    add_region(&u, 0, PAGE);
    assert_int_equal(check(&u, 2 + 4400ULL * 480), EINVAL);
    add_region(&u, PAGE, PAGE);
    assert_int_equal(check(&u, 2 + 4400ULL * 480), OK);

    /* last byte of the pixel is the first byte of the next page */
    u.offset = 1;               /* bytes 4093..4096 */
    u.nr_regions = 0;
    add_region(&u, 0, PAGE);
    assert_int_equal(check(&u, 1 + 4400ULL * 480), EINVAL);
    u.regions[0].length = 2 * PAGE;
    assert_int_equal(check(&u, 1 + 4400ULL * 480), OK);

    /* first byte of the pixel is the last byte of the previous page */
    u.offset = 3;               /* bytes 4095..4098 */
    u.nr_regions = 0;
    add_region(&u, PAGE, PAGE);
    assert_int_equal(check(&u, 3 + 4400ULL * 480), EINVAL);
    u.regions[0].offset = 0;
    assert_int_equal(check(&u, 3 + 4400ULL * 480), EINVAL);
    u.regions[0].length = 2 * PAGE;
    assert_int_equal(check(&u, 3 + 4400ULL * 480), OK);
}

static void test_coverage_sparse_rows(void **state)
{
    /*
     * stride of 4 pages: a 1-pixel-wide column touches one page per row;
     * the regions may skip the pages in between.
     */
    uint64_t size;
    Upd d = upd_default();
    Upd u;
    uint32_t y;

    d.stride = 4 * PAGE;
    d.offset = 64;
    size = d.offset + 479ULL * d.stride + 640 * 4;

    u = d;
    add_rect(&u, 5, 100, 1, 20);
    for (y = 100; y < 120; y++) {
        add_region(&u, (uint64_t)y * 4 * PAGE, PAGE);
    }
    assert_int_equal(check(&u, size), OK);

    /* drop one row's page */
    u = d;
    add_rect(&u, 5, 100, 1, 20);
    for (y = 100; y < 120; y++) {
        if (y != 107) {
            add_region(&u, (uint64_t)y * 4 * PAGE, PAGE);
        }
    }
    assert_int_equal(check(&u, size), EINVAL);
}

static void test_coverage_several_rects(void **state)
{
    uint64_t size = 640 * 4 * 480;
    Upd d = upd_default();
    Upd u;

    /* two far-apart rects, each covered by its own region */
    u = d;
    add_rect(&u, 0, 0, 16, 16);
    add_rect(&u, 600, 460, 40, 20);
    add_rows_region(&u, 0, 16, size);
    add_rows_region(&u, 460, 480, size);
    assert_int_equal(check(&u, size), OK);

    /* the second rect is left uncovered */
    u = d;
    add_rect(&u, 0, 0, 16, 16);
    add_rect(&u, 600, 460, 40, 20);
    add_rows_region(&u, 0, 16, size);
    assert_int_equal(check(&u, size), EINVAL);

    /* rects with damage outside the source rectangle are still checked */
    u = d;
    u.src_width = 320;
    u.src_height = 240;
    add_rect(&u, 400, 300, 8, 8);
    assert_int_equal(check(&u, size), EINVAL);
    add_rows_region(&u, 300, 308, size);
    assert_int_equal(check(&u, size), OK);
}

static void test_coverage_rgb565(void **state)
{
    Upd u = upd_default();
    uint64_t size;

    u.format = PVD_FORMAT_RGB565;
    u.fb_width = 2048;          /* one row == one page */
    u.stride = 4096;
    u.src_width = 2048;
    size = 4096ULL * 480;
    add_rect(&u, 2047, 3, 1, 2);
    add_region(&u, 3 * PAGE, 2 * PAGE);
    assert_int_equal(check(&u, size), OK);
    u.regions[0].length = PAGE;
    assert_int_equal(check(&u, size), EINVAL);
}

static void test_coverage_huge_is_fast(void **state)
{
    /*
     * 2^28 rows of 4 bytes fill a maximal resource; 16 full-height rects
     * against 32 regions must be decided without walking every row.
     */
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    uint64_t size = PVDISPLAY_MAX_RESOURCE_SIZE;
    uint64_t piece = size / PVDISPLAY_MAX_DAMAGE_REGIONS;
    Upd u = upd_default();
    clock_t t0;
    uint32_t i;

    u.fb_width = 1;
    u.stride = 4;
    u.fb_height = size / 4;
    u.src_width = 1;
    u.src_height = 4320;
    for (i = 0; i < PVDISPLAY_MAX_DAMAGE_RECTS; i++) {
        add_rect(&u, 0, 0, 1, u.fb_height);
    }
    for (i = 0; i < PVDISPLAY_MAX_DAMAGE_REGIONS; i++) {
        add_region(&u, i * piece, piece);
    }
    assert_int_equal(decode(&u, &lim, &out), OK);
    t0 = clock();
    assert_int_equal(pvd_wire_check_scanout_resource(&out, size, NULL), OK);
    out.regions[31].length -= PAGE;     /* last page missing */
    assert_int_equal(pvd_wire_check_scanout_resource(&out, size, NULL),
                     EINVAL);
    assert_true(clock() - t0 < CLOCKS_PER_SEC / 10);
}

/* ------------------------------------------------------------------ */
/* Helpers used by the device */

static void test_clip(void **state)
{
    PvdScanout sc = {
        .resource_id = 1, .format = PVD_FORMAT_XRGB8888, .stride = 4000,
        .fb_width = 1000, .fb_height = 1000,
        .src_x = 100, .src_y = 200, .src_width = 300, .src_height = 400,
    };
    PvdRect r, o;

    r = (PvdRect){ 150, 250, 10, 10 };
    assert_true(pvd_wire_clip_rect(&r, &sc, &o));
    assert_memory_equal(&r, &o, sizeof(r));

    r = (PvdRect){ 0, 0, 1000, 1000 };
    assert_true(pvd_wire_clip_rect(&r, &sc, &o));
    assert_int_equal(o.x, 100);
    assert_int_equal(o.y, 200);
    assert_int_equal(o.width, 300);
    assert_int_equal(o.height, 400);

    r = (PvdRect){ 390, 590, 50, 50 };          /* bottom-right corner */
    assert_true(pvd_wire_clip_rect(&r, &sc, &o));
    assert_int_equal(o.x, 390);
    assert_int_equal(o.y, 590);
    assert_int_equal(o.width, 10);
    assert_int_equal(o.height, 10);

    r = (PvdRect){ 0, 0, 100, 1000 };           /* left of the source */
    assert_false(pvd_wire_clip_rect(&r, &sc, &o));
    r = (PvdRect){ 400, 200, 10, 10 };          /* just right of it */
    assert_false(pvd_wire_clip_rect(&r, &sc, &o));
    r = (PvdRect){ 100, 600, 10, 10 };          /* just below it */
    assert_false(pvd_wire_clip_rect(&r, &sc, &o));
    r = (PvdRect){ 0xfffffff0, 0xfffffff0, 0x20, 0x20 };
    assert_false(pvd_wire_clip_rect(&r, &sc, &o));
}

static void test_scanout_changed(void **state)
{
    PvdScanout a = {
        .resource_id = 1, .format = PVD_FORMAT_XRGB8888, .offset = 2,
        .stride = 3, .fb_width = 4, .fb_height = 5, .src_x = 6,
        .src_y = 7, .src_width = 8, .src_height = 9,
    };
    uint32_t *f;
    size_t i;

    assert_false(pvd_wire_scanout_changed(&a, &a));
    for (i = 0; i < sizeof(a) / sizeof(uint32_t); i++) {
        PvdScanout b = a;

        f = (uint32_t *)&b + i;
        (*f)++;
        assert_true(pvd_wire_scanout_changed(&a, &b));
        /* every field but the resource is layout */
        assert_true(pvd_wire_layout_changed(&a, &b) ==
                    (f != &b.resource_id));
    }
    assert_false(pvd_wire_layout_changed(&a, &a));
}

static void test_pixel_offset(void **state)
{
    PvdScanout sc = {
        .resource_id = 1, .format = PVD_FORMAT_RGB565, .offset = 0xffffffff,
        .stride = 0xffffffff, .fb_width = 10, .fb_height = 10,
    };

    assert_true(pvd_wire_pixel_offset(&sc, 0, 0) == 0xffffffffULL);
    assert_true(pvd_wire_pixel_offset(&sc, 3, 2) ==
                0xffffffffULL + 2 * 0xffffffffULL + 6);
}

static void test_encode_display_info(void **state)
{
    struct pvdisplay_resp_display_info r;
    PvdHeadInfo h[2] = {
        { PVDISPLAY_HEAD_CONNECTED, 1920, 1080, 0, 0, 60000, 508, 286 },
        { 0, 0, 0, 1920, 0, 0, 0, 0 },
    };
    const uint8_t *b = (const uint8_t *)&r;
    size_t i;

    memset(&r, 0xaa, sizeof(r));
    pvd_wire_encode_display_info(&r, 2, h);
    assert_int_equal(ld32(b + 0), OK);
    assert_int_equal(ld32(b + 4), 0);           /* reserved */
    assert_int_equal(ld32(b + 8), 2);
    assert_int_equal(ld32(b + 12), 0);          /* reserved */
    assert_int_equal(ld32(b + 16), PVDISPLAY_HEAD_CONNECTED);
    assert_int_equal(ld32(b + 20), 1920);
    assert_int_equal(ld32(b + 24), 1080);
    assert_int_equal(ld32(b + 36), 60000);
    assert_int_equal(ld32(b + 40), 508);
    assert_int_equal(ld32(b + 44), 286);
    assert_int_equal(ld32(b + 48 + 12), 1920);  /* heads[1].x */
    /* entries >= num_heads are zero */
    for (i = 16 + 2 * 32; i < sizeof(r); i++) {
        assert_int_equal(b[i], 0);
    }
}

static void test_encode_misc(void **state)
{
    struct pvdisplay_resp_edid e;
    struct pvdisplay_resp_hdr h;
    struct pvdisplay_config c;
    uint8_t edid[256];
    size_t i;

    for (i = 0; i < sizeof(edid); i++) {
        edid[i] = i;
    }
    memset(&e, 0xaa, sizeof(e));
    pvd_wire_encode_edid(&e, edid, 256);
    assert_int_equal(ld32(&e.hdr.status), OK);
    assert_int_equal(ld32(&e.size), 256);
    assert_memory_equal(e.edid, edid, 256);
    assert_int_equal(e.edid[256], 0);
    assert_int_equal(e.edid[PVDISPLAY_EDID_MAX_SIZE - 1], 0);
    pvd_wire_encode_edid(&e, edid, 100);        /* not a multiple of 128 */
    assert_int_equal(ld32(&e.size), 0);
    pvd_wire_encode_edid(&e, edid, 0);
    assert_int_equal(ld32(&e.size), 0);

    memset(&h, 0xaa, sizeof(h));
    pvd_wire_encode_resp_hdr(&h, EHEAD);
    assert_int_equal(ld32(&h.status), EHEAD);
    assert_int_equal(ld32(&h.reserved), 0);

    memset(&c, 0xaa, sizeof(c));
    pvd_wire_encode_config(&c, PVDISPLAY_EVENT_DISPLAY, 4, 7680, 4320);
    assert_int_equal(ld32(&c.events_pending), PVDISPLAY_EVENT_DISPLAY);
    assert_int_equal(ld32(&c.events_clear), 0);
    assert_int_equal(ld32(&c.num_heads), 4);
    assert_int_equal(ld32(&c.max_width), 7680);
    assert_int_equal(ld32(&c.max_height), 4320);
    assert_int_equal(ld32(&c.reserved), 0);
    st32(&c.events_clear, 0x80000001);
    assert_int_equal(pvd_wire_config_events_clear(&c), 0x80000001);
}

/* ------------------------------------------------------------------ */
/* Random input: never crash, and what is accepted obeys the rules */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mostly small or boundary values, so that checks are reached. */
static uint32_t rnd_val(void)
{
    static const uint32_t edge[] = {
        0, 1, 2, 3, 4, 15, 16, 17, 479, 480, 640, 2560, 4095, 4096, 4097,
        7680, 7681, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    };

    switch (rnd() % 4) {
    case 0:
        return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
    case 1:
        return rnd() % 64;
    case 2:
        return rnd() % 8192;
    default:
        return (uint32_t)rnd();
    }
}

static void test_random_scanout_updates(void **state)
{
    PvdWireLimits lim = limits();
    PvdScanoutUpdate out;
    uint32_t n, accepted = 0, accepted2 = 0;

    lim.num_heads = 2;
    for (n = 0; n < 200000; n++) {
        Upd u = upd_default();
        uint64_t size;
        uint32_t i, st;
        uint32_t *fields[] = {
            &u.head, &u.format, &u.offset, &u.stride, &u.fb_width,
            &u.fb_height, &u.src_x, &u.src_y, &u.src_width, &u.src_height,
        };
        /* Ten draws in twelve break one field; two keep all defaults. */
        uint32_t pick = rnd() % 12;

        if (pick < sizeof(fields) / sizeof(fields[0])) {
            *fields[pick] = rnd_val();
        }
        u.nr_rects = rnd() % (PVDISPLAY_MAX_DAMAGE_RECTS + 2);
        u.nr_regions = u.nr_rects ? rnd() % 4 : 0;
        for (i = 0; i < u.nr_rects && i <= PVDISPLAY_MAX_DAMAGE_RECTS; i++) {
            u.rects[i] = (PvdRect){ rnd() % 700, rnd() % 500,
                                    rnd() % 80, rnd() % 80 };
        }
        for (i = 0; i < u.nr_regions; i++) {
            u.regions[i] = (PvdRegion){ (rnd() % 400) * PAGE,
                                        (rnd() % 400) * PAGE };
        }
        st = decode(&u, &lim, &out);
        assert_true(st == OK || st == EINVAL || st == EHEAD);
        if (st != OK) {
            continue;
        }
        accepted++;
        /* invariants of an accepted request */
        assert_true(out.head < lim.num_heads);
        assert_true(out.nr_rects <= PVDISPLAY_MAX_DAMAGE_RECTS);
        for (i = 0; i < out.nr_rects; i++) {
            assert_true(out.rects[i].width && out.rects[i].height);
            assert_true((uint64_t)out.rects[i].x + out.rects[i].width <=
                        out.sc.fb_width);
            assert_true((uint64_t)out.rects[i].y + out.rects[i].height <=
                        out.sc.fb_height);
        }
        size = (rnd() % 2) ? 640 * 4 * 480 : rnd() % (2 * MIB);
        if (pvd_wire_check_scanout_resource(&out, size, NULL) == OK) {
            uint32_t cpp = pvd_wire_format_cpp(out.sc.format, true);

            accepted2++;
            /* the device may read every pixel of the source rectangle */
            assert_true(pvd_wire_pixel_offset(&out.sc,
                            out.sc.src_x + out.sc.src_width - 1,
                            out.sc.src_y + out.sc.src_height - 1) + cpp <=
                        size);
            for (i = 0; i < out.nr_regions; i++) {
                assert_true(out.regions[i].offset + out.regions[i].length <=
                            size);
            }
        }
    }
    assert_true(accepted > 1000);
    assert_true(accepted2 > 100);
}

static void test_random_bytes(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    uint32_t n;

    for (n = 0; n < 100000; n++) {
        size_t len = rnd() % (sizeof(buf) + 1);
        PvdScanoutUpdate u;
        PvdResourceCreate rc;
        PvdCursorSet cs;
        PvdCursorMove cm;
        PvdCtrlHdr hdr;
        PvdMemWalk w;
        PvdMemEntry e;
        uint32_t x, st;
        size_t i;

        for (i = 0; i < len; i++) {
            buf[i] = (rnd() % 3) ? 0 : rnd();
        }
        lim.num_heads = 1 + rnd() % PVDISPLAY_MAX_HEADS;
        lim.extra_formats = rnd() & 1;
        lim.edid = rnd() & 1;
        st = pvd_wire_decode_hdr(buf, len, rnd() % 2048, &lim, &hdr, NULL);
        assert_true(st == OK || st == EINVAL || st == EUNSUP);
        st = pvd_wire_decode_scanout_update(buf, len, &lim, &u, NULL);
        if (st == OK && u.sc.resource_id) {
            st = pvd_wire_check_scanout_resource(&u, rnd() % (64 * MIB),
                                                 NULL);
            assert_true(st == OK || st == EINVAL);
        }
        pvd_wire_decode_get_edid(buf, len, &lim, &x, NULL);
        pvd_wire_decode_resource_destroy(buf, len, &x, NULL);
        if (pvd_wire_decode_cursor_set(buf, len, &lim, &cs, NULL) == OK &&
            cs.resource_id) {
            assert_true(cs.width >= 1 && cs.width <= lim.cursor_max_width);
            assert_true(cs.hot_x < cs.width && cs.hot_y < cs.height);
            pvd_wire_check_cursor_fits(&cs, rnd(), NULL);
        }
        pvd_wire_decode_cursor_move(buf, len, &lim, &cm, NULL);
        if (pvd_wire_decode_resource_create(buf, len, len + rnd() % 256, &rc,
                                            NULL) == OK) {
            pvd_wire_mem_walk_init(&w, &rc);
            for (i = 24; i + 16 <= len; i += 16) {
                if (pvd_wire_mem_walk_next(&w, buf + i, &e, NULL) != OK) {
                    break;
                }
            }
            pvd_wire_mem_walk_finish(&w, NULL);
        }
    }
}

/*
 * pvd_wire_rect_union: pieces are disjoint, cover exactly the union (checked
 * on a pixel bitmap), and stay within PVD_WIRE_UNION_MAX; identical and
 * nested rectangles collapse to one piece.
 */
static void check_union(const PvdRect *in, uint32_t n)
{
    static uint8_t want[64][64], got[64][64];
    PvdRect out[PVD_WIRE_UNION_MAX];
    uint32_t k, i, x, y;

    memset(want, 0, sizeof(want));
    memset(got, 0, sizeof(got));
    for (i = 0; i < n; i++) {
        for (y = in[i].y; y < in[i].y + in[i].height; y++) {
            for (x = in[i].x; x < in[i].x + in[i].width; x++) {
                want[y][x] = 1;
            }
        }
    }
    k = pvd_wire_rect_union(in, n, out);
    assert_true(k <= PVD_WIRE_UNION_MAX);
    for (i = 0; i < k; i++) {
        assert_true(out[i].width > 0 && out[i].height > 0);
        for (y = out[i].y; y < out[i].y + out[i].height; y++) {
            for (x = out[i].x; x < out[i].x + out[i].width; x++) {
                assert_int_equal(got[y][x], 0);     /* disjoint */
                got[y][x] = 1;
            }
        }
    }
    assert_memory_equal(want, got, sizeof(want));
}

static void test_rect_union(void **state)
{
    PvdRect same[16], nested[3] = {
        { 0, 0, 40, 40 }, { 10, 10, 5, 5 }, { 0, 0, 40, 40 },
    };
    PvdRect in[16], out[PVD_WIRE_UNION_MAX];
    uint32_t i, round;

    (void)state;
    for (i = 0; i < 16; i++) {
        same[i] = (PvdRect){ 3, 4, 50, 20 };
    }
    assert_int_equal(pvd_wire_rect_union(same, 16, out), 1);
    assert_int_equal(out[0].width * out[0].height, 50 * 20);
    assert_int_equal(pvd_wire_rect_union(nested, 3, out), 1);
    check_union(nested, 3);

    srand(7);
    for (round = 0; round < 3000; round++) {
        uint32_t n = 1 + rand() % 16;

        for (i = 0; i < n; i++) {
            in[i].x = rand() % 60;
            in[i].y = rand() % 60;
            in[i].width = 1 + rand() % (64 - in[i].x);
            in[i].height = 1 + rand() % (64 - in[i].y);
        }
        check_union(in, n);
    }
}

/* ------------------------------------------------------------------ */
/* Cursor queue */

/* A CURSOR_SET in host order; cset_encode() puts it on the wire. */
typedef struct CSet {
    uint32_t head, resource_id, format, offset, stride, width, height;
    uint32_t hot_x, hot_y;
    int32_t x, y;
    uint32_t reserved;
} CSet;

static CSet cset_default(void)
{
    CSet c = {
        .resource_id = 5, .format = PVD_FORMAT_ARGB8888, .offset = 4096,
        .stride = 256, .width = 64, .height = 64, .hot_x = 3, .hot_y = 4,
        .x = -10, .y = 700,
    };
    return c;
}

static size_t cset_encode(const CSet *c, uint8_t *buf)
{
    struct pvdisplay_cmd_cursor_set *w = (void *)buf;

    memset(buf, 0, sizeof(*w));
    st32(&w->hdr.type, PVDISPLAY_CMD_CURSOR_SET);
    st32(&w->head, c->head);
    st32(&w->resource_id, c->resource_id);
    st32(&w->format, c->format);
    st32(&w->offset, c->offset);
    st32(&w->stride, c->stride);
    st32(&w->width, c->width);
    st32(&w->height, c->height);
    st32(&w->hot_x, c->hot_x);
    st32(&w->hot_y, c->hot_y);
    st32(&w->x, (uint32_t)c->x);
    st32(&w->y, (uint32_t)c->y);
    st32(&w->reserved, c->reserved);
    return sizeof(*w);
}

static uint32_t cset_decode(const CSet *c, PvdCursorSet *out)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    size_t len = cset_encode(c, buf);

    lim.num_heads = 2;
    return pvd_wire_decode_cursor_set(buf, len, &lim, out, NULL);
}

static void test_hdr_cursor_needs_feature(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t len;

    lim.cursor = false;
    len = hdr_req(buf, PVDISPLAY_CMD_CURSOR_SET, 0);
    assert_int_equal(pvd_wire_decode_hdr(buf, len, 8, &lim, &hdr, NULL),
                     EUNSUP);
    len = hdr_req(buf, PVDISPLAY_CMD_CURSOR_MOVE, 0);
    assert_int_equal(pvd_wire_decode_hdr(buf, len, 8, &lim, &hdr, NULL),
                     EUNSUP);
    assert_true(pvd_wire_is_cursor_cmd(PVDISPLAY_CMD_CURSOR_SET));
    assert_true(pvd_wire_is_cursor_cmd(PVDISPLAY_CMD_CURSOR_MOVE));
    assert_false(pvd_wire_is_cursor_cmd(PVDISPLAY_CMD_SCANOUT_UPDATE));
    assert_false(pvd_wire_is_cursor_cmd(PVDISPLAY_CMD_GET_DISPLAY_INFO));
}

static void test_cursor_set_good(void **state)
{
    CSet c = cset_default();
    PvdCursorSet out;

    assert_int_equal(cset_decode(&c, &out), OK);
    assert_int_equal(out.head, 0);
    assert_int_equal(out.resource_id, 5);
    assert_int_equal(out.offset, 4096);
    assert_int_equal(out.stride, 256);
    assert_int_equal(out.width, 64);
    assert_int_equal(out.height, 64);
    assert_int_equal(out.hot_x, 3);
    assert_int_equal(out.hot_y, 4);
    assert_int_equal(out.x, -10);       /* signed on the wire */
    assert_int_equal(out.y, 700);

    /* extremes that are still fine */
    c.width = c.height = 1;
    c.hot_x = c.hot_y = 0;
    c.stride = 4;
    c.x = INT32_MIN;
    c.y = INT32_MAX;
    c.head = 1;
    assert_int_equal(cset_decode(&c, &out), OK);
    assert_int_equal(out.x, INT32_MIN);
    c = cset_default();
    c.width = 64;
    c.height = 17;
    c.hot_x = 63;
    c.hot_y = 16;
    assert_int_equal(cset_decode(&c, &out), OK);
}

static void test_cursor_set_hide(void **state)
{
    CSet c = { .head = 1 };
    PvdCursorSet out;

    assert_int_equal(cset_decode(&c, &out), OK);
    assert_int_equal(out.resource_id, 0);
    /* every field of a hiding request must be zero */
    c.x = 1;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c.x = 0;
    c.format = PVD_FORMAT_ARGB8888;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c.format = 0;
    c.hot_y = 1;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
}

static void test_cursor_set_bad(void **state)
{
    PvdWireLimits lim = limits();
    uint8_t buf[BUFSZ];
    PvdCursorSet out;
    CSet c;
    size_t len;

    c = cset_default();
    c.reserved = 1;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.head = 2;
    assert_int_equal(cset_decode(&c, &out), EHEAD);
    c.resource_id = 0;          /* even when hiding */
    assert_int_equal(cset_decode(&c, &out), EHEAD);
    c = cset_default();
    c.format = PVD_FORMAT_XRGB8888;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.width = 65;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.height = 65;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.width = 0;
    c.hot_x = 0;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.height = 0;
    c.hot_y = 0;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.hot_x = 64;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.hot_y = 0xffffffff;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    c.stride = 255;
    assert_int_equal(cset_decode(&c, &out), EINVAL);
    c = cset_default();
    len = cset_encode(&c, buf);
    assert_int_equal(pvd_wire_decode_cursor_set(buf, len - 1, &lim, &out,
                                                NULL), EINVAL);
}

static void test_cursor_fits(void **state)
{
    PvdCursorSet set = {
        .resource_id = 1, .format = PVD_FORMAT_ARGB8888, .offset = 0,
        .stride = 256, .width = 64, .height = 64,
    };

    /* exactly 63 rows of stride plus one row of pixels */
    assert_int_equal(pvd_wire_check_cursor_fits(&set, 63 * 256 + 256, NULL),
                     OK);
    assert_int_equal(pvd_wire_check_cursor_fits(&set, 63 * 256 + 255, NULL),
                     EINVAL);
    set.offset = 100;
    assert_int_equal(pvd_wire_check_cursor_fits(&set, 16384 + 99, NULL),
                     EINVAL);
    assert_int_equal(pvd_wire_check_cursor_fits(&set, 16384 + 100, NULL), OK);
    /* terms near 2^32 must not wrap */
    set.offset = 0xffffffff;
    set.stride = 0xffffffff;
    assert_int_equal(pvd_wire_check_cursor_fits(&set, 1ULL << 30, NULL),
                     EINVAL);
    assert_int_equal(pvd_wire_check_cursor_fits(&set, UINT64_MAX, NULL), OK);
}

static void test_cursor_move(void **state)
{
    PvdWireLimits lim = limits();
    struct pvdisplay_cmd_cursor_move m;
    PvdCursorMove out;

    memset(&m, 0, sizeof(m));
    st32(&m.hdr.type, PVDISPLAY_CMD_CURSOR_MOVE);
    st32(&m.x, (uint32_t)-5);
    st32(&m.y, 0x80000000);
    assert_int_equal(pvd_wire_decode_cursor_move(&m, sizeof(m), &lim, &out,
                                                 NULL), OK);
    assert_int_equal(out.head, 0);
    assert_int_equal(out.x, -5);
    assert_int_equal(out.y, INT32_MIN);
    assert_int_equal(pvd_wire_decode_cursor_move(&m, sizeof(m) - 1, &lim,
                                                 &out, NULL), EINVAL);
    st32(&m.head, 1);
    assert_int_equal(pvd_wire_decode_cursor_move(&m, sizeof(m), &lim, &out,
                                                 NULL), EHEAD);
    st32(&m.head, 0);
    st32(&m.reserved, 1);
    assert_int_equal(pvd_wire_decode_cursor_move(&m, sizeof(m), &lim, &out,
                                                 NULL), EINVAL);
}

static void test_get_crc(void **state)
{
    PvdWireLimits lim = limits();
    struct pvdisplay_cmd_get_crc c;
    struct pvdisplay_resp_crc r;
    uint32_t head, w, h;
    uint8_t buf[BUFSZ];
    PvdCtrlHdr hdr;
    size_t len;

    memset(&c, 0, sizeof(c));
    st32(&c.hdr.type, PVDISPLAY_CMD_GET_CRC);
    st32(&c.width, 7680);
    st32(&c.height, 1);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c), &lim, &head, &w,
                                             &h, NULL), OK);
    assert_int_equal(w, 7680);
    assert_int_equal(h, 1);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c) - 1, &lim, &head,
                                             &w, &h, NULL), EINVAL);
    st32(&c.width, 7681);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c), &lim, &head, &w,
                                             &h, NULL), EINVAL);
    st32(&c.width, 1);
    st32(&c.height, 0);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c), &lim, &head, &w,
                                             &h, NULL), EINVAL);
    st32(&c.height, 4320);
    st32(&c.head, 1);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c), &lim, &head, &w,
                                             &h, NULL), EHEAD);
    st32(&c.head, 0);
    st32(&c.reserved, 1);
    assert_int_equal(pvd_wire_decode_get_crc(&c, sizeof(c), &lim, &head, &w,
                                             &h, NULL), EINVAL);

    lim.crc = false;
    len = hdr_req(buf, PVDISPLAY_CMD_GET_CRC, 0);
    assert_int_equal(pvd_wire_decode_hdr(buf, len, sizeof(r), &lim, &hdr,
                                         NULL), EUNSUP);
    lim.crc = true;
    assert_int_equal(pvd_wire_decode_hdr(buf, len, sizeof(r) - 1, &lim, &hdr,
                                         NULL), EINVAL);

    memset(&r, 0xaa, sizeof(r));
    pvd_wire_encode_crc(&r, 0x12345678);
    assert_int_equal(ld32(&r.hdr.status), OK);
    assert_int_equal(ld32(&r.hdr.reserved), 0);
    assert_int_equal(ld32(&r.crc), 0x12345678);
    assert_int_equal(ld32(&r.reserved), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdr_accepts_every_command),
        cmocka_unit_test(test_hdr_short),
        cmocka_unit_test(test_hdr_unknown_type),
        cmocka_unit_test(test_hdr_edid_needs_feature),
        cmocka_unit_test(test_hdr_flags),
        cmocka_unit_test(test_hdr_readable_too_short),
        cmocka_unit_test(test_hdr_writable_too_small),
        cmocka_unit_test(test_get_edid),
        cmocka_unit_test(test_resource_destroy),
        cmocka_unit_test(test_create_header),
        cmocka_unit_test(test_create_short_fixed_part),
        cmocka_unit_test(test_mem_walk_good),
        cmocka_unit_test(test_mem_walk_bad_entries),
        cmocka_unit_test(test_mem_walk_counts),
        cmocka_unit_test(test_mem_walk_max_entries),
        cmocka_unit_test(test_scanout_good),
        cmocka_unit_test(test_scanout_disable),
        cmocka_unit_test(test_scanout_reserved_and_flags),
        cmocka_unit_test(test_scanout_head),
        cmocka_unit_test(test_scanout_counts),
        cmocka_unit_test(test_scanout_formats),
        cmocka_unit_test(test_scanout_geometry),
        cmocka_unit_test(test_scanout_rects),
        cmocka_unit_test(test_scanout_regions_stage1),
        cmocka_unit_test(test_fb_fits_resource),
        cmocka_unit_test(test_fits_alone),
        cmocka_unit_test(test_regions_inside_resource),
        cmocka_unit_test(test_coverage_basic),
        cmocka_unit_test(test_coverage_last_pixel),
        cmocka_unit_test(test_coverage_sparse_rows),
        cmocka_unit_test(test_coverage_several_rects),
        cmocka_unit_test(test_coverage_rgb565),
        cmocka_unit_test(test_coverage_huge_is_fast),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_scanout_changed),
        cmocka_unit_test(test_pixel_offset),
        cmocka_unit_test(test_rect_union),
        cmocka_unit_test(test_encode_display_info),
        cmocka_unit_test(test_encode_misc),
        cmocka_unit_test(test_hdr_cursor_needs_feature),
        cmocka_unit_test(test_cursor_set_good),
        cmocka_unit_test(test_cursor_set_hide),
        cmocka_unit_test(test_cursor_set_bad),
        cmocka_unit_test(test_cursor_fits),
        cmocka_unit_test(test_cursor_move),
        cmocka_unit_test(test_get_crc),
        cmocka_unit_test(test_random_scanout_updates),
        cmocka_unit_test(test_random_bytes),
    };

    return cmocka_run_group_tests_name("pvdisplay-wire", tests, NULL, NULL);
}
