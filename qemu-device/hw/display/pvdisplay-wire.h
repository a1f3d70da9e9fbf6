/*
 * pvdisplay wire protocol: request decoding and validation
 *
 * Everything the device learns from the guest goes through the functions
 * declared here before it touches device state.  They are pure: no QEMU
 * APIs, no allocation, no global state, only the C library and the protocol
 * header.  That keeps them testable (qemu-device/tests/) and fuzzable outside
 * of QEMU.
 *
 * The functions take raw little-endian request bytes and return a
 * PVDISPLAY_STATUS_* value; on failure they also return a short static
 * string naming the rule that was broken, for logs and trace points.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DISPLAY_PVDISPLAY_WIRE_H
#define HW_DISPLAY_PVDISPLAY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "standard-headers/drm/pvdisplay.h"

/* DRM fourcc codes of the formats the device scans out. */
#define PVD_FOURCC(a, b, c, d) \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | \
     ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define PVD_FORMAT_XRGB8888 PVD_FOURCC('X', 'R', '2', '4')
#define PVD_FORMAT_ARGB8888 PVD_FOURCC('A', 'R', '2', '4')
#define PVD_FORMAT_XBGR8888 PVD_FOURCC('X', 'B', '2', '4')
#define PVD_FORMAT_ABGR8888 PVD_FOURCC('A', 'B', '2', '4')
#define PVD_FORMAT_RGB565   PVD_FOURCC('R', 'G', '1', '6')

/*
 * The longest fixed-layout request: a SCANOUT_UPDATE with all its
 * rectangles and regions.  The device stages at most this many bytes of a
 * request; only the memory entries of RESOURCE_CREATE are read separately.
 */
#define PVD_WIRE_REQ_MAX_SIZE \
    (sizeof(struct pvdisplay_cmd_scanout_update) + \
     PVDISPLAY_MAX_DAMAGE_RECTS * sizeof(struct pvdisplay_rect) + \
     PVDISPLAY_MAX_DAMAGE_REGIONS * sizeof(struct pvdisplay_region))

/*
 * What a request is checked against: the negotiated features and the
 * device configuration.
 */
typedef struct PvdWireLimits {
    uint32_t num_heads;         /* heads exposed to the driver, 1..16 */
    uint32_t max_width;         /* config max_width */
    uint32_t max_height;        /* config max_height */
    bool edid;                  /* PVDISPLAY_F_EDID negotiated */
    bool extra_formats;         /* PVDISPLAY_F_EXTRA_FORMATS negotiated */
    bool cursor;                /* PVDISPLAY_F_CURSOR negotiated */
    bool crc;                   /* PVDISPLAY_F_CRC negotiated */
    uint32_t cursor_max_width;  /* config cursor_max_width */
    uint32_t cursor_max_height; /* config cursor_max_height */
} PvdWireLimits;

typedef struct PvdCtrlHdr {
    uint32_t type;
    uint32_t flags;
} PvdCtrlHdr;

typedef struct PvdResourceCreate {
    uint32_t resource_id;
    uint32_t nr_entries;
    uint64_t size;
} PvdResourceCreate;

typedef struct PvdMemEntry {
    uint64_t addr;
    uint32_t length;
} PvdMemEntry;

/*
 * Walks the memory entries of a RESOURCE_CREATE one by one, so the caller
 * can stream them out of guest memory without staging the whole array.
 */
typedef struct PvdMemWalk {
    uint64_t size;              /* resource size announced by the request */
    uint64_t total;             /* sum of the lengths accepted so far */
    uint32_t nr_entries;        /* entries announced by the request */
    uint32_t done;              /* entries accepted so far */
} PvdMemWalk;

typedef struct PvdRect {
    uint32_t x;
    uint32_t y;
    uint32_t width;
    uint32_t height;
} PvdRect;

typedef struct PvdRegion {
    uint64_t offset;
    uint64_t length;
} PvdRegion;

/*
 * A head's scanout configuration: the fields of a SCANOUT_UPDATE from
 * resource_id to src_height.  resource_id == 0 means "disabled" and then
 * every other field is zero.
 */
typedef struct PvdScanout {
    uint32_t resource_id;
    uint32_t format;
    uint32_t offset;
    uint32_t stride;
    uint32_t fb_width;
    uint32_t fb_height;
    uint32_t src_x;
    uint32_t src_y;
    uint32_t src_width;
    uint32_t src_height;
} PvdScanout;

typedef struct PvdScanoutUpdate {
    uint32_t head;
    PvdScanout sc;
    uint32_t nr_rects;
    uint32_t nr_regions;
    PvdRect rects[PVDISPLAY_MAX_DAMAGE_RECTS];
    PvdRegion regions[PVDISPLAY_MAX_DAMAGE_REGIONS];
} PvdScanoutUpdate;

/*
 * A CURSOR_SET request.  resource_id == 0 hides the cursor and then every
 * other field but head is zero.
 */
typedef struct PvdCursorSet {
    uint32_t head;
    uint32_t resource_id;
    uint32_t format;
    uint32_t offset;
    uint32_t stride;
    uint32_t width;
    uint32_t height;
    uint32_t hot_x;
    uint32_t hot_y;
    int32_t x;
    int32_t y;
} PvdCursorSet;

typedef struct PvdCursorMove {
    uint32_t head;
    int32_t x;
    int32_t y;
} PvdCursorMove;

/* Host-order view of one pvdisplay_head_info. */
typedef struct PvdHeadInfo {
    uint32_t flags;
    uint32_t width;
    uint32_t height;
    uint32_t x;
    uint32_t y;
    uint32_t refresh_mhz;
    uint32_t width_mm;
    uint32_t height_mm;
} PvdHeadInfo;

/* Name of a request type for logs ("GET_EDID"), "unknown" otherwise. */
const char *pvd_wire_cmd_name(uint32_t type);

/*
 * Bytes per pixel of @format, or 0 if the device does not scan it out
 * (with @extra_formats false only XRGB8888 and ARGB8888 are accepted).
 */
uint32_t pvd_wire_format_cpp(uint32_t format, bool extra_formats);

/*
 * Conventions of the decoders below: @buf holds @len bytes, the start of the
 * readable part of the request, truncated to PVD_WIRE_REQ_MAX_SIZE; @why,
 * if not NULL, receives NULL on success or the broken rule on failure.
 * The checks run in the order documented and the first failure decides the
 * status.
 */

/*
 * Decode the request header and check, in this order: the header is there
 * (ERR_INVALID_PARAMETER), the type is known and its feature negotiated
 * (ERR_UNSUPPORTED), flags is zero, the readable part holds the fixed part
 * of the request, and @in_len, the size of the writable part, holds the
 * response (all ERR_INVALID_PARAMETER).
 *
 * @hdr is filled in whenever the first 8 bytes are present, even on error,
 * so the caller can trace the type.
 */
uint32_t pvd_wire_decode_hdr(const void *buf, size_t len, size_t in_len,
                             const PvdWireLimits *lim, PvdCtrlHdr *hdr,
                             const char **why);

/* Size of the fixed part of a request of @type, 0 for unknown types. */
size_t pvd_wire_request_size(uint32_t type);

/* Size of the success response to a request of @type. */
size_t pvd_wire_response_size(uint32_t type);

/* GET_EDID: reserved field zero, then head index (ERR_INVALID_HEAD). */
uint32_t pvd_wire_decode_get_edid(const void *buf, size_t len,
                                  const PvdWireLimits *lim, uint32_t *head,
                                  const char **why);

/* RESOURCE_DESTROY: reserved field zero, resource id not zero. */
uint32_t pvd_wire_decode_resource_destroy(const void *buf, size_t len,
                                          uint32_t *resource_id,
                                          const char **why);

/*
 * A resource's header fields: id not zero (ERR_INVALID_RESOURCE),
 * nr_entries in 1..PVDISPLAY_MAX_MEM_ENTRIES, size in
 * 1..PVDISPLAY_MAX_RESOURCE_SIZE, no more entries than bytes.  Also used to
 * re-check resources loaded from a migration stream.
 */
uint32_t pvd_wire_check_resource(const PvdResourceCreate *rc,
                                 const char **why);

/*
 * RESOURCE_CREATE, fixed part: pvd_wire_check_resource(), then @out_len,
 * the size of the whole readable part, must also hold the nr_entries
 * memory entries that follow.
 */
uint32_t pvd_wire_decode_resource_create(const void *buf, size_t len,
                                         size_t out_len,
                                         PvdResourceCreate *rc,
                                         const char **why);

void pvd_wire_mem_walk_init(PvdMemWalk *w, const PvdResourceCreate *rc);

/*
 * Accept one decoded entry: not more entries than announced, non-zero
 * length, no wrap-around of addr + length - 1, running total not above the
 * resource size.
 */
uint32_t pvd_wire_mem_walk_add(PvdMemWalk *w, const PvdMemEntry *ent,
                               const char **why);

/*
 * Decode the next raw struct pvdisplay_mem_entry (16 bytes at @raw) into
 * @ent, check its reserved field is zero, then pvd_wire_mem_walk_add().
 */
uint32_t pvd_wire_mem_walk_next(PvdMemWalk *w, const void *raw,
                                PvdMemEntry *ent, const char **why);

/* All entries seen and their lengths add up to the resource size. */
uint32_t pvd_wire_mem_walk_finish(const PvdMemWalk *w, const char **why);

/*
 * An enabled scanout configuration on its own: format supported (extra
 * formats only if negotiated), framebuffer not empty, stride >= fb_width *
 * bytes per pixel, source rectangle not empty, within max_width x
 * max_height and inside the framebuffer.  Also used on migration load.
 */
uint32_t pvd_wire_check_scanout(const PvdScanout *sc,
                                const PvdWireLimits *lim, const char **why);

/*
 * SCANOUT_UPDATE, first stage: everything that does not depend on the
 * resource, in this order: reserved field zero, head index
 * (ERR_INVALID_HEAD), nr_rects and nr_regions in range, the readable part
 * holds the rectangles and regions, a disabling request (resource_id 0)
 * has every other field zero; otherwise pvd_wire_check_scanout(), then
 * nr_rects == 0 implies nr_regions == 0, rectangles non-empty and inside
 * the framebuffer, regions with aligned offset, non-zero length, no
 * wrap-around, sorted and non-overlapping (touching is fine).  All failures
 * but the head index are ERR_INVALID_PARAMETER.
 */
uint32_t pvd_wire_decode_scanout_update(const void *buf, size_t len,
                                        const PvdWireLimits *lim,
                                        PvdScanoutUpdate *u,
                                        const char **why);

/*
 * Check a scanout configuration against the size of its resource: the
 * framebuffer extent must lie inside it.  Also used on migration load.
 */
uint32_t pvd_wire_check_scanout_fits(const PvdScanout *sc,
                                     uint64_t resource_size,
                                     const char **why);

/*
 * SCANOUT_UPDATE, second stage, once the resource is known (@u must have
 * passed pvd_wire_decode_scanout_update with a non-zero resource_id):
 * framebuffer extent and regions inside the resource, a region whose
 * length is not a multiple of PVDISPLAY_REGION_ALIGN ends at the end of
 * the resource, and every byte of every damaged pixel lies in a region.
 */
uint32_t pvd_wire_check_scanout_resource(const PvdScanoutUpdate *u,
                                         uint64_t resource_size,
                                         const char **why);

/* True if two scanout configurations differ in any field. */
bool pvd_wire_scanout_changed(const PvdScanout *a, const PvdScanout *b);

/*
 * True if two scanout configurations differ in any field but the resource:
 * a page flip between buffers of the same layout changes none of these.
 */
bool pvd_wire_layout_changed(const PvdScanout *a, const PvdScanout *b);

/*
 * Clip @r (framebuffer coordinates) to the source rectangle of @sc.
 * Returns false if nothing is left.
 */
bool pvd_wire_clip_rect(const PvdRect *r, const PvdScanout *sc, PvdRect *out);

/*
 * Most rectangles pvd_wire_rect_union() returns for PVDISPLAY_MAX_DAMAGE_RECTS
 * inputs: at most 2n - 1 bands of at most n intervals each.
 */
#define PVD_WIRE_UNION_MAX \
    ((2 * PVDISPLAY_MAX_DAMAGE_RECTS - 1) * PVDISPLAY_MAX_DAMAGE_RECTS)

/*
 * The union of @n (<= PVDISPLAY_MAX_DAMAGE_RECTS) non-empty rectangles as
 * disjoint rectangles in @out (room for PVD_WIRE_UNION_MAX), so that no
 * pixel is copied twice and none outside the rectangles is touched.
 * Returns how many; their total area is the area of the union.
 */
uint32_t pvd_wire_rect_union(const PvdRect *in, uint32_t n, PvdRect *out);

/* Byte offset in the resource of pixel (@x, @y) of the framebuffer. */
uint64_t pvd_wire_pixel_offset(const PvdScanout *sc, uint32_t x, uint32_t y);

/*
 * GET_CRC: reserved field zero, head index (ERR_INVALID_HEAD), then
 * 1 <= width <= max_width and 1 <= height <= max_height.
 */
uint32_t pvd_wire_decode_get_crc(const void *buf, size_t len,
                                 const PvdWireLimits *lim, uint32_t *head,
                                 uint32_t *width, uint32_t *height,
                                 const char **why);
void pvd_wire_encode_crc(struct pvdisplay_resp_crc *resp, uint32_t crc);

/* True for the request types that belong on the cursor queue. */
bool pvd_wire_is_cursor_cmd(uint32_t type);

/*
 * CURSOR_SET (after pvd_wire_decode_hdr): reserved field zero, head index
 * (ERR_INVALID_HEAD); a hiding request (resource_id 0) has every other
 * field zero; otherwise format ARGB8888, 1 <= width <= cursor_max_width,
 * 1 <= height <= cursor_max_height, hotspot inside the image, stride >=
 * width * 4.  All failures but the head index are ERR_INVALID_PARAMETER.
 */
uint32_t pvd_wire_decode_cursor_set(const void *buf, size_t len,
                                    const PvdWireLimits *lim,
                                    PvdCursorSet *set, const char **why);

/*
 * The cursor image of @set (resource_id != 0, decoded) against the size of
 * its resource: [offset, offset + (height - 1) * stride + width * 4) must
 * lie inside it.  Also used on migration load.
 */
uint32_t pvd_wire_check_cursor_fits(const PvdCursorSet *set,
                                    uint64_t resource_size, const char **why);

/* CURSOR_MOVE: reserved field zero, then head index (ERR_INVALID_HEAD). */
uint32_t pvd_wire_decode_cursor_move(const void *buf, size_t len,
                                     const PvdWireLimits *lim,
                                     PvdCursorMove *move, const char **why);

/* Responses, encoded little-endian.  Reserved fields are zeroed. */
void pvd_wire_encode_resp_hdr(struct pvdisplay_resp_hdr *resp,
                              uint32_t status);
void pvd_wire_encode_display_info(struct pvdisplay_resp_display_info *resp,
                                  uint32_t num_heads,
                                  const PvdHeadInfo *heads);
/* @size must be a multiple of 128 and at most PVDISPLAY_EDID_MAX_SIZE. */
void pvd_wire_encode_edid(struct pvdisplay_resp_edid *resp,
                          const uint8_t *edid, uint32_t size);

/* Config space. */
void pvd_wire_encode_config(struct pvdisplay_config *cfg,
                            uint32_t events_pending, uint32_t num_heads,
                            uint32_t max_width, uint32_t max_height);
/* Config fields of PVDISPLAY_F_CURSOR (zero without it). */
void pvd_wire_encode_config_cursor(struct pvdisplay_config *cfg,
                                   uint32_t cursor_max_width,
                                   uint32_t cursor_max_height);
uint32_t pvd_wire_config_events_clear(const struct pvdisplay_config *cfg);

#endif /* HW_DISPLAY_PVDISPLAY_WIRE_H */
