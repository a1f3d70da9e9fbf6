/*
 * pvdisplay wire protocol: request decoding and validation
 *
 * Pure functions over request bytes; see pvdisplay-wire.h.  Every value read
 * from a request is treated as hostile: sizes are computed in 64 bits with
 * explicit overflow checks, loops are bounded by protocol constants, and no
 * memory is allocated.
 *
 * qemu/osdep.h comes first as in every QEMU source file; this file uses
 * nothing from it beyond the C library, and the standalone test build
 * supplies a stand-in that includes just that.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "pvdisplay-wire.h"

#define PVD_OK PVDISPLAY_STATUS_OK
#define PVD_EINVAL PVDISPLAY_STATUS_ERR_INVALID_PARAMETER

static inline uint32_t pvd_ld32(const void *p)
{
    const uint8_t *b = p;

    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
           ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline uint64_t pvd_ld64(const void *p)
{
    const uint8_t *b = p;

    return (uint64_t)pvd_ld32(b) | ((uint64_t)pvd_ld32(b + 4) << 32);
}

static inline void pvd_st32(void *p, uint32_t v)
{
    uint8_t *b = p;

    b[0] = v;
    b[1] = v >> 8;
    b[2] = v >> 16;
    b[3] = v >> 24;
}

#define PVD_LD32(buf, type, field) \
    pvd_ld32((const uint8_t *)(buf) + offsetof(type, field))
#define PVD_LD64(buf, type, field) \
    pvd_ld64((const uint8_t *)(buf) + offsetof(type, field))

static uint32_t pvd_fail(const char **why, uint32_t status, const char *reason)
{
    if (why) {
        *why = reason;
    }
    return status;
}

static uint32_t pvd_ok(const char **why)
{
    if (why) {
        *why = NULL;
    }
    return PVD_OK;
}

const char *pvd_wire_cmd_name(uint32_t type)
{
    switch (type) {
    case PVDISPLAY_CMD_GET_DISPLAY_INFO:
        return "GET_DISPLAY_INFO";
    case PVDISPLAY_CMD_GET_EDID:
        return "GET_EDID";
    case PVDISPLAY_CMD_RESOURCE_CREATE:
        return "RESOURCE_CREATE";
    case PVDISPLAY_CMD_RESOURCE_DESTROY:
        return "RESOURCE_DESTROY";
    case PVDISPLAY_CMD_SCANOUT_UPDATE:
        return "SCANOUT_UPDATE";
    case PVDISPLAY_CMD_GET_CRC:
        return "GET_CRC";
    case PVDISPLAY_CMD_CURSOR_SET:
        return "CURSOR_SET";
    case PVDISPLAY_CMD_CURSOR_MOVE:
        return "CURSOR_MOVE";
    default:
        return "unknown";
    }
}

uint32_t pvd_wire_format_cpp(uint32_t format, bool extra_formats)
{
    switch (format) {
    case PVD_FORMAT_XRGB8888:
    case PVD_FORMAT_ARGB8888:
        return 4;
    case PVD_FORMAT_XBGR8888:
    case PVD_FORMAT_ABGR8888:
        return extra_formats ? 4 : 0;
    case PVD_FORMAT_RGB565:
        return extra_formats ? 2 : 0;
    default:
        return 0;
    }
}

size_t pvd_wire_request_size(uint32_t type)
{
    switch (type) {
    case PVDISPLAY_CMD_GET_DISPLAY_INFO:
        return sizeof(struct pvdisplay_ctrl_hdr);
    case PVDISPLAY_CMD_GET_EDID:
        return sizeof(struct pvdisplay_cmd_get_edid);
    case PVDISPLAY_CMD_RESOURCE_CREATE:
        return sizeof(struct pvdisplay_cmd_resource_create);
    case PVDISPLAY_CMD_RESOURCE_DESTROY:
        return sizeof(struct pvdisplay_cmd_resource_destroy);
    case PVDISPLAY_CMD_SCANOUT_UPDATE:
        return sizeof(struct pvdisplay_cmd_scanout_update);
    case PVDISPLAY_CMD_GET_CRC:
        return sizeof(struct pvdisplay_cmd_get_crc);
    case PVDISPLAY_CMD_CURSOR_SET:
        return sizeof(struct pvdisplay_cmd_cursor_set);
    case PVDISPLAY_CMD_CURSOR_MOVE:
        return sizeof(struct pvdisplay_cmd_cursor_move);
    default:
        return 0;
    }
}

size_t pvd_wire_response_size(uint32_t type)
{
    switch (type) {
    case PVDISPLAY_CMD_GET_DISPLAY_INFO:
        return sizeof(struct pvdisplay_resp_display_info);
    case PVDISPLAY_CMD_GET_EDID:
        return sizeof(struct pvdisplay_resp_edid);
    case PVDISPLAY_CMD_GET_CRC:
        return sizeof(struct pvdisplay_resp_crc);
    default:
        return sizeof(struct pvdisplay_resp_hdr);
    }
}

uint32_t pvd_wire_decode_hdr(const void *buf, size_t len, size_t in_len,
                             const PvdWireLimits *lim, PvdCtrlHdr *hdr,
                             const char **why)
{
    size_t need;

    hdr->type = 0;
    hdr->flags = 0;
    if (len < sizeof(struct pvdisplay_ctrl_hdr)) {
        return pvd_fail(why, PVD_EINVAL, "request shorter than its header");
    }
    hdr->type = PVD_LD32(buf, struct pvdisplay_ctrl_hdr, type);
    hdr->flags = PVD_LD32(buf, struct pvdisplay_ctrl_hdr, flags);

    need = pvd_wire_request_size(hdr->type);
    if (!need) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_UNSUPPORTED,
                        "unknown request type");
    }
    if (hdr->type == PVDISPLAY_CMD_GET_EDID && !lim->edid) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_UNSUPPORTED,
                        "GET_EDID without PVDISPLAY_F_EDID");
    }
    if (hdr->type == PVDISPLAY_CMD_GET_CRC && !lim->crc) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_UNSUPPORTED,
                        "GET_CRC without PVDISPLAY_F_CRC");
    }
    if (pvd_wire_is_cursor_cmd(hdr->type) && !lim->cursor) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_UNSUPPORTED,
                        "cursor request without PVDISPLAY_F_CURSOR");
    }
    if (hdr->flags) {
        return pvd_fail(why, PVD_EINVAL, "header flags not zero");
    }
    if (len < need) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (in_len < pvd_wire_response_size(hdr->type)) {
        return pvd_fail(why, PVD_EINVAL,
                        "writable part too small for the response");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_decode_get_edid(const void *buf, size_t len,
                                  const PvdWireLimits *lim, uint32_t *head,
                                  const char **why)
{
    *head = 0;
    if (len < sizeof(struct pvdisplay_cmd_get_edid)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (PVD_LD32(buf, struct pvdisplay_cmd_get_edid, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    *head = PVD_LD32(buf, struct pvdisplay_cmd_get_edid, head);
    if (*head >= lim->num_heads) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_HEAD,
                        "head index out of range");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_decode_resource_destroy(const void *buf, size_t len,
                                          uint32_t *resource_id,
                                          const char **why)
{
    *resource_id = 0;
    if (len < sizeof(struct pvdisplay_cmd_resource_destroy)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (PVD_LD32(buf, struct pvdisplay_cmd_resource_destroy, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    *resource_id = PVD_LD32(buf, struct pvdisplay_cmd_resource_destroy,
                            resource_id);
    if (!*resource_id) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
                        "resource id 0");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_check_resource(const PvdResourceCreate *rc,
                                 const char **why)
{
    if (!rc->resource_id) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
                        "resource id 0");
    }
    if (rc->nr_entries == 0 || rc->nr_entries > PVDISPLAY_MAX_MEM_ENTRIES) {
        return pvd_fail(why, PVD_EINVAL, "nr_entries out of range");
    }
    if (rc->size == 0 || rc->size > PVDISPLAY_MAX_RESOURCE_SIZE) {
        return pvd_fail(why, PVD_EINVAL, "resource size out of range");
    }
    if (rc->nr_entries > rc->size) {
        /* every entry has at least one byte */
        return pvd_fail(why, PVD_EINVAL, "more entries than bytes");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_decode_resource_create(const void *buf, size_t len,
                                         size_t out_len,
                                         PvdResourceCreate *rc,
                                         const char **why)
{
    uint32_t status;
    uint64_t need;

    memset(rc, 0, sizeof(*rc));
    if (len < sizeof(struct pvdisplay_cmd_resource_create) || out_len < len) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    rc->resource_id = PVD_LD32(buf, struct pvdisplay_cmd_resource_create,
                               resource_id);
    rc->nr_entries = PVD_LD32(buf, struct pvdisplay_cmd_resource_create,
                              nr_entries);
    rc->size = PVD_LD64(buf, struct pvdisplay_cmd_resource_create, size);

    status = pvd_wire_check_resource(rc, why);
    if (status != PVD_OK) {
        return status;
    }
    /* nr_entries <= 2^18: no overflow */
    need = sizeof(struct pvdisplay_cmd_resource_create) +
           (uint64_t)rc->nr_entries * sizeof(struct pvdisplay_mem_entry);
    if ((uint64_t)out_len < need) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the memory entries");
    }
    return pvd_ok(why);
}

void pvd_wire_mem_walk_init(PvdMemWalk *w, const PvdResourceCreate *rc)
{
    w->size = rc->size;
    w->nr_entries = rc->nr_entries;
    w->total = 0;
    w->done = 0;
}

uint32_t pvd_wire_mem_walk_add(PvdMemWalk *w, const PvdMemEntry *ent,
                               const char **why)
{
    uint64_t last;

    if (w->done >= w->nr_entries) {
        return pvd_fail(why, PVD_EINVAL, "more memory entries than nr_entries");
    }
    if (ent->length == 0) {
        return pvd_fail(why, PVD_EINVAL, "memory entry of length 0");
    }
    if (__builtin_add_overflow(ent->addr, (uint64_t)ent->length - 1, &last)) {
        return pvd_fail(why, PVD_EINVAL,
                        "memory entry wraps around the address space");
    }
    /* total <= size <= 2^30 and length < 2^32: no overflow */
    if (w->total + ent->length > w->size) {
        return pvd_fail(why, PVD_EINVAL,
                        "memory entries longer than the resource");
    }
    w->total += ent->length;
    w->done++;
    return pvd_ok(why);
}

uint32_t pvd_wire_mem_walk_next(PvdMemWalk *w, const void *raw,
                                PvdMemEntry *ent, const char **why)
{
    ent->addr = PVD_LD64(raw, struct pvdisplay_mem_entry, addr);
    ent->length = PVD_LD32(raw, struct pvdisplay_mem_entry, length);

    if (PVD_LD32(raw, struct pvdisplay_mem_entry, reserved)) {
        return pvd_fail(why, PVD_EINVAL,
                        "memory entry reserved field not zero");
    }
    return pvd_wire_mem_walk_add(w, ent, why);
}

uint32_t pvd_wire_mem_walk_finish(const PvdMemWalk *w, const char **why)
{
    if (w->done != w->nr_entries) {
        return pvd_fail(why, PVD_EINVAL,
                        "fewer memory entries than nr_entries");
    }
    if (w->total != w->size) {
        return pvd_fail(why, PVD_EINVAL,
                        "memory entries shorter than the resource");
    }
    return pvd_ok(why);
}

static void pvd_decode_rect(const uint8_t *p, PvdRect *r)
{
    r->x = PVD_LD32(p, struct pvdisplay_rect, x);
    r->y = PVD_LD32(p, struct pvdisplay_rect, y);
    r->width = PVD_LD32(p, struct pvdisplay_rect, width);
    r->height = PVD_LD32(p, struct pvdisplay_rect, height);
}

static void pvd_decode_region(const uint8_t *p, PvdRegion *r)
{
    r->offset = PVD_LD64(p, struct pvdisplay_region, offset);
    r->length = PVD_LD64(p, struct pvdisplay_region, length);
}

uint32_t pvd_wire_check_scanout(const PvdScanout *sc,
                                const PvdWireLimits *lim, const char **why)
{
    uint32_t cpp;

    cpp = pvd_wire_format_cpp(sc->format, lim->extra_formats);
    if (!cpp) {
        return pvd_fail(why, PVD_EINVAL, "unsupported format");
    }
    if (sc->fb_width == 0 || sc->fb_height == 0) {
        return pvd_fail(why, PVD_EINVAL, "empty framebuffer");
    }
    if ((uint64_t)sc->stride < (uint64_t)sc->fb_width * cpp) {
        return pvd_fail(why, PVD_EINVAL,
                        "stride below width * bytes per pixel");
    }
    if (sc->src_width == 0 || sc->src_height == 0) {
        return pvd_fail(why, PVD_EINVAL, "empty source rectangle");
    }
    if (sc->src_width > lim->max_width || sc->src_height > lim->max_height) {
        return pvd_fail(why, PVD_EINVAL, "source rectangle above maximum size");
    }
    if ((uint64_t)sc->src_x + sc->src_width > sc->fb_width ||
        (uint64_t)sc->src_y + sc->src_height > sc->fb_height) {
        return pvd_fail(why, PVD_EINVAL,
                        "source rectangle outside the framebuffer");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_decode_scanout_update(const void *buf, size_t len,
                                        const PvdWireLimits *lim,
                                        PvdScanoutUpdate *u,
                                        const char **why)
{
    typedef struct pvdisplay_cmd_scanout_update W;
    const uint8_t *p = buf;
    PvdScanout *sc = &u->sc;
    uint64_t need, end, prev_end = 0;
    uint32_t status, i;

    memset(u, 0, sizeof(*u));
    if (len < sizeof(W)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    u->head = PVD_LD32(p, W, head);
    sc->resource_id = PVD_LD32(p, W, resource_id);
    sc->format = PVD_LD32(p, W, format);
    sc->offset = PVD_LD32(p, W, offset);
    sc->stride = PVD_LD32(p, W, stride);
    sc->fb_width = PVD_LD32(p, W, fb_width);
    sc->fb_height = PVD_LD32(p, W, fb_height);
    sc->src_x = PVD_LD32(p, W, src_x);
    sc->src_y = PVD_LD32(p, W, src_y);
    sc->src_width = PVD_LD32(p, W, src_width);
    sc->src_height = PVD_LD32(p, W, src_height);
    u->nr_rects = PVD_LD32(p, W, nr_rects);
    u->nr_regions = PVD_LD32(p, W, nr_regions);

    if (PVD_LD32(p, W, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    if (u->head >= lim->num_heads) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_HEAD,
                        "head index out of range");
    }
    if (u->nr_rects > PVDISPLAY_MAX_DAMAGE_RECTS) {
        return pvd_fail(why, PVD_EINVAL, "nr_rects out of range");
    }
    if (u->nr_regions > PVDISPLAY_MAX_DAMAGE_REGIONS) {
        return pvd_fail(why, PVD_EINVAL, "nr_regions out of range");
    }
    need = sizeof(W) + (uint64_t)u->nr_rects * sizeof(struct pvdisplay_rect) +
           (uint64_t)u->nr_regions * sizeof(struct pvdisplay_region);
    if ((uint64_t)len < need) {
        return pvd_fail(why, PVD_EINVAL,
                        "rectangles and regions beyond the readable part");
    }

    if (sc->resource_id == 0) {
        if (sc->format || sc->offset || sc->stride || sc->fb_width ||
            sc->fb_height || sc->src_x || sc->src_y || sc->src_width ||
            sc->src_height || u->nr_rects || u->nr_regions) {
            return pvd_fail(why, PVD_EINVAL,
                            "disabling update with non-zero fields");
        }
        return pvd_ok(why);
    }

    status = pvd_wire_check_scanout(sc, lim, why);
    if (status != PVD_OK) {
        return status;
    }
    if (u->nr_rects == 0 && u->nr_regions != 0) {
        return pvd_fail(why, PVD_EINVAL, "regions without rectangles");
    }

    p += sizeof(W);
    for (i = 0; i < u->nr_rects; i++, p += sizeof(struct pvdisplay_rect)) {
        PvdRect *r = &u->rects[i];

        pvd_decode_rect(p, r);
        if (r->width == 0 || r->height == 0) {
            return pvd_fail(why, PVD_EINVAL, "empty damage rectangle");
        }
        if ((uint64_t)r->x + r->width > sc->fb_width ||
            (uint64_t)r->y + r->height > sc->fb_height) {
            return pvd_fail(why, PVD_EINVAL,
                            "damage rectangle outside the framebuffer");
        }
    }
    for (i = 0; i < u->nr_regions; i++, p += sizeof(struct pvdisplay_region)) {
        PvdRegion *r = &u->regions[i];

        pvd_decode_region(p, r);
        if (r->offset % PVDISPLAY_REGION_ALIGN) {
            return pvd_fail(why, PVD_EINVAL, "region offset not aligned");
        }
        if (r->length == 0) {
            return pvd_fail(why, PVD_EINVAL, "region of length 0");
        }
        if (__builtin_add_overflow(r->offset, r->length, &end)) {
            return pvd_fail(why, PVD_EINVAL,
                            "region wraps around the address space");
        }
        if (i > 0 && r->offset < prev_end) {
            return pvd_fail(why, PVD_EINVAL,
                            "regions not sorted or overlapping");
        }
        prev_end = end;
    }
    return pvd_ok(why);
}

/* End of the framebuffer in the resource, false on overflow. */
static bool pvd_fb_end(const PvdScanout *sc, uint32_t cpp, uint64_t *end)
{
    uint64_t rows, line;

    if (sc->fb_height == 0) {
        return false;
    }
    /* (2^32 - 1)^2 < 2^64 and fb_width * 4 < 2^34: only the sums can wrap */
    rows = (uint64_t)(sc->fb_height - 1) * sc->stride;
    line = (uint64_t)sc->fb_width * cpp;
    return !__builtin_add_overflow(rows, line, end) &&
           !__builtin_add_overflow(*end, (uint64_t)sc->offset, end);
}

uint32_t pvd_wire_check_scanout_fits(const PvdScanout *sc,
                                     uint64_t resource_size,
                                     const char **why)
{
    uint32_t cpp = pvd_wire_format_cpp(sc->format, true);
    uint64_t end;

    if (!cpp) {
        return pvd_fail(why, PVD_EINVAL, "unsupported format");
    }
    if (!pvd_fb_end(sc, cpp, &end) || end > resource_size) {
        return pvd_fail(why, PVD_EINVAL,
                        "framebuffer does not fit in the resource");
    }
    return pvd_ok(why);
}

uint64_t pvd_wire_pixel_offset(const PvdScanout *sc, uint32_t x, uint32_t y)
{
    uint32_t cpp = pvd_wire_format_cpp(sc->format, true);

    return (uint64_t)sc->offset + (uint64_t)y * sc->stride +
           (uint64_t)x * cpp;
}

/*
 * Is every byte of every row of @r inside the union of the intervals @iv
 * (sorted, disjoint, not touching)?  Each pass of the loop either fails,
 * or skips all the rows that lie in interval i, after which the next row
 * ends beyond interval i and can only lie in a later one: at most
 * @niv + 1 passes, whatever the rectangle height.
 */
static bool pvd_rect_covered(const PvdScanout *sc, uint32_t cpp,
                             const PvdRect *r, const PvdRegion *iv,
                             uint32_t niv)
{
    uint64_t first = pvd_wire_pixel_offset(sc, r->x, r->y);
    uint64_t span = (uint64_t)r->width * cpp;
    uint64_t row = 0;
    uint32_t i = 0;

    if (sc->stride == 0) {
        return false; /* excluded by pvd_wire_decode_scanout_update */
    }
    while (row < r->height) {
        uint64_t start = first + row * sc->stride;
        uint64_t end = start + span;
        uint64_t iv_end;

        while (i < niv && iv[i].offset + iv[i].length <= start) {
            i++;
        }
        if (i == niv) {
            return false;
        }
        iv_end = iv[i].offset + iv[i].length;
        if (iv[i].offset > start || iv_end < end) {
            return false;
        }
        row += (iv_end - end) / sc->stride + 1;
    }
    return true;
}

uint32_t pvd_wire_check_scanout_resource(const PvdScanoutUpdate *u,
                                         uint64_t resource_size,
                                         const char **why)
{
    PvdRegion iv[PVDISPLAY_MAX_DAMAGE_REGIONS];
    uint32_t niv = 0, i, cpp;
    uint32_t status;

    status = pvd_wire_check_scanout_fits(&u->sc, resource_size, why);
    if (status != PVD_OK) {
        return status;
    }
    cpp = pvd_wire_format_cpp(u->sc.format, true);

    for (i = 0; i < u->nr_regions; i++) {
        const PvdRegion *r = &u->regions[i];
        uint64_t end = r->offset + r->length; /* no wrap: stage 1 */

        if (end > resource_size) {
            return pvd_fail(why, PVD_EINVAL, "region outside the resource");
        }
        if (r->length % PVDISPLAY_REGION_ALIGN && end != resource_size) {
            return pvd_fail(why, PVD_EINVAL, "region length not aligned");
        }
        /* merge touching regions, they are sorted and disjoint */
        if (niv && iv[niv - 1].offset + iv[niv - 1].length == r->offset) {
            iv[niv - 1].length += r->length;
        } else {
            iv[niv++] = *r;
        }
    }

    for (i = 0; i < u->nr_rects; i++) {
        if (!pvd_rect_covered(&u->sc, cpp, &u->rects[i], iv, niv)) {
            return pvd_fail(why, PVD_EINVAL,
                            "damage rectangle not covered by the regions");
        }
    }
    return pvd_ok(why);
}

bool pvd_wire_scanout_changed(const PvdScanout *a, const PvdScanout *b)
{
    return a->resource_id != b->resource_id || pvd_wire_layout_changed(a, b);
}

bool pvd_wire_layout_changed(const PvdScanout *a, const PvdScanout *b)
{
    return a->format != b->format ||
           a->offset != b->offset ||
           a->stride != b->stride ||
           a->fb_width != b->fb_width ||
           a->fb_height != b->fb_height ||
           a->src_x != b->src_x ||
           a->src_y != b->src_y ||
           a->src_width != b->src_width ||
           a->src_height != b->src_height;
}

bool pvd_wire_clip_rect(const PvdRect *r, const PvdScanout *sc, PvdRect *out)
{
    uint64_t x0 = r->x > sc->src_x ? r->x : sc->src_x;
    uint64_t y0 = r->y > sc->src_y ? r->y : sc->src_y;
    uint64_t x1 = (uint64_t)r->x + r->width;
    uint64_t y1 = (uint64_t)r->y + r->height;
    uint64_t sx1 = (uint64_t)sc->src_x + sc->src_width;
    uint64_t sy1 = (uint64_t)sc->src_y + sc->src_height;

    if (x1 > sx1) {
        x1 = sx1;
    }
    if (y1 > sy1) {
        y1 = sy1;
    }
    if (x0 >= x1 || y0 >= y1) {
        return false;
    }
    out->x = x0;
    out->y = y0;
    out->width = x1 - x0;
    out->height = y1 - y0;
    return true;
}

/* Sort @v[@n] ascending and drop duplicates; returns the new count. */
static uint32_t pvd_sort_unique(uint64_t *v, uint32_t n)
{
    uint32_t i, j, k = 0;

    for (i = 1; i < n; i++) {
        uint64_t x = v[i];

        for (j = i; j > 0 && v[j - 1] > x; j--) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
    for (i = 0; i < n; i++) {
        if (!k || v[k - 1] != v[i]) {
            v[k++] = v[i];
        }
    }
    return k;
}

/*
 * Cut the plane at every top and bottom edge into horizontal bands.  In a
 * band, the rectangles crossing it cover a union of x intervals; each
 * interval continues the previous band's piece with the same interval (that
 * piece grows downwards) or starts a new piece.
 */
uint32_t pvd_wire_rect_union(const PvdRect *in, uint32_t n, PvdRect *out)
{
    uint64_t ys[2 * PVDISPLAY_MAX_DAMAGE_RECTS];
    uint64_t lo[PVDISPLAY_MAX_DAMAGE_RECTS], hi[PVDISPLAY_MAX_DAMAGE_RECTS];
    uint32_t prev[PVDISPLAY_MAX_DAMAGE_RECTS], cur[PVDISPLAY_MAX_DAMAGE_RECTS];
    uint32_t nprev = 0, ny = 0, nout = 0, b, i, j;

    n = n < PVDISPLAY_MAX_DAMAGE_RECTS ? n : PVDISPLAY_MAX_DAMAGE_RECTS;
    for (i = 0; i < n; i++) {
        ys[ny++] = in[i].y;
        ys[ny++] = (uint64_t)in[i].y + in[i].height;
    }
    ny = pvd_sort_unique(ys, ny);

    for (b = 0; b + 1 < ny; b++) {
        uint64_t y0 = ys[b], y1 = ys[b + 1];
        uint32_t nint = 0, ncur = 0;

        /* intervals crossing the band, sorted by start */
        for (i = 0; i < n; i++) {
            uint64_t x0 = in[i].x, x1 = (uint64_t)in[i].x + in[i].width;

            if (in[i].y > y0 || (uint64_t)in[i].y + in[i].height < y1) {
                continue;
            }
            for (j = nint; j > 0 && lo[j - 1] > x0; j--) {
                lo[j] = lo[j - 1];
                hi[j] = hi[j - 1];
            }
            lo[j] = x0;
            hi[j] = x1;
            nint++;
        }
        /* join overlapping and touching intervals */
        for (i = 0, j = 0; i < nint; i++) {
            if (j && lo[i] <= hi[j - 1]) {
                hi[j - 1] = hi[i] > hi[j - 1] ? hi[i] : hi[j - 1];
            } else {
                lo[j] = lo[i];
                hi[j++] = hi[i];
            }
        }
        nint = j;

        for (i = 0; i < nint; i++) {
            PvdRect *r = NULL;

            for (j = 0; j < nprev; j++) {
                PvdRect *p = &out[prev[j]];

                if (p->x == lo[i] && p->x + (uint64_t)p->width == hi[i] &&
                    p->y + (uint64_t)p->height == y0) {
                    r = p;
                    break;
                }
            }
            if (r) {
                r->height += y1 - y0;
                cur[ncur++] = prev[j];
            } else {
                out[nout] = (PvdRect) {
                    .x = lo[i], .y = y0,
                    .width = hi[i] - lo[i], .height = y1 - y0,
                };
                cur[ncur++] = nout++;
            }
        }
        for (i = 0; i < ncur; i++) {
            prev[i] = cur[i];
        }
        nprev = ncur;
    }
    return nout;
}

void pvd_wire_encode_resp_hdr(struct pvdisplay_resp_hdr *resp,
                              uint32_t status)
{
    memset(resp, 0, sizeof(*resp));
    pvd_st32(&resp->status, status);
}

void pvd_wire_encode_display_info(struct pvdisplay_resp_display_info *resp,
                                  uint32_t num_heads,
                                  const PvdHeadInfo *heads)
{
    uint32_t i;

    memset(resp, 0, sizeof(*resp));
    pvd_st32(&resp->hdr.status, PVDISPLAY_STATUS_OK);
    if (num_heads > PVDISPLAY_MAX_HEADS) {
        num_heads = PVDISPLAY_MAX_HEADS;
    }
    pvd_st32(&resp->num_heads, num_heads);
    for (i = 0; i < num_heads; i++) {
        struct pvdisplay_head_info *o = &resp->heads[i];

        pvd_st32(&o->flags, heads[i].flags);
        pvd_st32(&o->width, heads[i].width);
        pvd_st32(&o->height, heads[i].height);
        pvd_st32(&o->x, heads[i].x);
        pvd_st32(&o->y, heads[i].y);
        pvd_st32(&o->refresh_mhz, heads[i].refresh_mhz);
        pvd_st32(&o->width_mm, heads[i].width_mm);
        pvd_st32(&o->height_mm, heads[i].height_mm);
    }
}

void pvd_wire_encode_edid(struct pvdisplay_resp_edid *resp,
                          const uint8_t *edid, uint32_t size)
{
    memset(resp, 0, sizeof(*resp));
    pvd_st32(&resp->hdr.status, PVDISPLAY_STATUS_OK);
    if (size > PVDISPLAY_EDID_MAX_SIZE || size % 128) {
        size = 0;
    }
    pvd_st32(&resp->size, size);
    if (size) {
        memcpy(resp->edid, edid, size);
    }
}

uint32_t pvd_wire_decode_get_crc(const void *buf, size_t len,
                                 const PvdWireLimits *lim, uint32_t *head,
                                 uint32_t *width, uint32_t *height,
                                 const char **why)
{
    *head = *width = *height = 0;
    if (len < sizeof(struct pvdisplay_cmd_get_crc)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (PVD_LD32(buf, struct pvdisplay_cmd_get_crc, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    *head = PVD_LD32(buf, struct pvdisplay_cmd_get_crc, head);
    *width = PVD_LD32(buf, struct pvdisplay_cmd_get_crc, width);
    *height = PVD_LD32(buf, struct pvdisplay_cmd_get_crc, height);
    if (*head >= lim->num_heads) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_HEAD,
                        "head index out of range");
    }
    if (!*width || *width > lim->max_width || !*height ||
        *height > lim->max_height) {
        return pvd_fail(why, PVD_EINVAL, "frame size out of range");
    }
    return pvd_ok(why);
}

void pvd_wire_encode_crc(struct pvdisplay_resp_crc *resp, uint32_t crc)
{
    memset(resp, 0, sizeof(*resp));
    pvd_st32(&resp->hdr.status, PVDISPLAY_STATUS_OK);
    pvd_st32(&resp->crc, crc);
}

bool pvd_wire_is_cursor_cmd(uint32_t type)
{
    return type == PVDISPLAY_CMD_CURSOR_SET ||
           type == PVDISPLAY_CMD_CURSOR_MOVE;
}

uint32_t pvd_wire_decode_cursor_set(const void *buf, size_t len,
                                    const PvdWireLimits *lim,
                                    PvdCursorSet *set, const char **why)
{
    memset(set, 0, sizeof(*set));
    if (len < sizeof(struct pvdisplay_cmd_cursor_set)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    set->head = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, head);
    set->resource_id = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set,
                                resource_id);
    set->format = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, format);
    set->offset = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, offset);
    set->stride = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, stride);
    set->width = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, width);
    set->height = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, height);
    set->hot_x = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, hot_x);
    set->hot_y = PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, hot_y);
    set->x = (int32_t)PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, x);
    set->y = (int32_t)PVD_LD32(buf, struct pvdisplay_cmd_cursor_set, y);

    if (set->head >= lim->num_heads) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_HEAD,
                        "head index out of range");
    }
    if (!set->resource_id) {
        if (set->format || set->offset || set->stride || set->width ||
            set->height || set->hot_x || set->hot_y || set->x || set->y) {
            return pvd_fail(why, PVD_EINVAL,
                            "hiding request with non-zero fields");
        }
        return pvd_ok(why);
    }
    if (set->format != PVD_FORMAT_ARGB8888) {
        return pvd_fail(why, PVD_EINVAL, "cursor format not ARGB8888");
    }
    if (!set->width || set->width > lim->cursor_max_width ||
        !set->height || set->height > lim->cursor_max_height) {
        return pvd_fail(why, PVD_EINVAL, "cursor size out of range");
    }
    if (set->hot_x >= set->width || set->hot_y >= set->height) {
        return pvd_fail(why, PVD_EINVAL, "hotspot outside the cursor");
    }
    if ((uint64_t)set->stride < (uint64_t)set->width * 4) {
        return pvd_fail(why, PVD_EINVAL, "cursor stride too small");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_check_cursor_fits(const PvdCursorSet *set,
                                    uint64_t resource_size, const char **why)
{
    /* each term below 2^32, so the sum cannot wrap in 64 bits */
    uint64_t end = (uint64_t)set->offset +
                   (uint64_t)(set->height - 1) * set->stride +
                   (uint64_t)set->width * 4;

    if (!set->width || !set->height || end > resource_size) {
        return pvd_fail(why, PVD_EINVAL,
                        "cursor image does not fit in the resource");
    }
    return pvd_ok(why);
}

uint32_t pvd_wire_decode_cursor_move(const void *buf, size_t len,
                                     const PvdWireLimits *lim,
                                     PvdCursorMove *move, const char **why)
{
    memset(move, 0, sizeof(*move));
    if (len < sizeof(struct pvdisplay_cmd_cursor_move)) {
        return pvd_fail(why, PVD_EINVAL,
                        "readable part shorter than the request");
    }
    if (PVD_LD32(buf, struct pvdisplay_cmd_cursor_move, reserved)) {
        return pvd_fail(why, PVD_EINVAL, "reserved field not zero");
    }
    move->head = PVD_LD32(buf, struct pvdisplay_cmd_cursor_move, head);
    move->x = (int32_t)PVD_LD32(buf, struct pvdisplay_cmd_cursor_move, x);
    move->y = (int32_t)PVD_LD32(buf, struct pvdisplay_cmd_cursor_move, y);
    if (move->head >= lim->num_heads) {
        return pvd_fail(why, PVDISPLAY_STATUS_ERR_INVALID_HEAD,
                        "head index out of range");
    }
    return pvd_ok(why);
}

void pvd_wire_encode_config_cursor(struct pvdisplay_config *cfg,
                                   uint32_t cursor_max_width,
                                   uint32_t cursor_max_height)
{
    pvd_st32(&cfg->cursor_max_width, cursor_max_width);
    pvd_st32(&cfg->cursor_max_height, cursor_max_height);
}

void pvd_wire_encode_config(struct pvdisplay_config *cfg,
                            uint32_t events_pending, uint32_t num_heads,
                            uint32_t max_width, uint32_t max_height)
{
    memset(cfg, 0, sizeof(*cfg));
    pvd_st32(&cfg->events_pending, events_pending);
    pvd_st32(&cfg->num_heads, num_heads);
    pvd_st32(&cfg->max_width, max_width);
    pvd_st32(&cfg->max_height, max_height);
}

uint32_t pvd_wire_config_events_clear(const struct pvdisplay_config *cfg)
{
    return pvd_ld32(&cfg->events_clear);
}
