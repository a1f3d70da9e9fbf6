/*
 * virtio-pvdisplay: paravirtual display device
 *
 * The guest shares framebuffer memory once per resource (RESOURCE_CREATE,
 * a scatter-gather list of guest RAM that stays mapped), then sends one
 * SCANOUT_UPDATE per plane update naming the resource, the framebuffer
 * layout and what changed.  Each head has a QemuConsole.  When guest RAM is
 * shareable (a file the device can map: memfd, tmpfs, hugetlbfs) and the
 * format is XRGB8888/ARGB8888, the console's surface is a view of the guest
 * pages themselves (pvd_resource_view()): an update copies nothing and only
 * tells the UI what changed.  Otherwise the surface is a host-side copy of
 * the head's source rectangle, and only damaged pixels are copied into it,
 * converted to the surface format.
 *
 * Request decoding and validation live in pvdisplay-wire.c (pure, unit
 * tested); this file does what needs QEMU: virtqueue, guest memory,
 * consoles, EDID, migration, and the host memory budget.
 *
 * Wire protocol: include/standard-headers/drm/pvdisplay.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/iov.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-pvdisplay.h"
#include "hw/display/edid.h"
#include "migration/misc.h"
#include "migration/vmstate.h"
#include "exec/ramblock.h"
#include "system/dma.h"
#include "system/runstate.h"
#include "system/system.h"
#include "ui/console.h"
#include "ui/qemu-pixman.h"
#include "pvdisplay-crc.h"
#include "pvdisplay-cursor.h"
#include "pvdisplay-fault.h"
#include "pvdisplay-wire.h"
#include "trace.h"

/*
 * The queue sizes asked for.  Debian's QEMU 10.0.13 makes every queue
 * VIRTQUEUE_MAX_SIZE (1024) whatever a device asks (a stable-branch change
 * in virtio_add_queue()), so nothing here may rely on a queue holding no
 * more than these.
 */
#define PVD_CTRL_QUEUE_SIZE     256
/* At most a CURSOR_SET and a CURSOR_MOVE per head are in flight. */
#define PVD_CURSOR_QUEUE_SIZE   64
#define PVD_EVENT_QUEUE_SIZE    64
/* Requests handled per run before yielding to the main loop. */
#define PVD_BATCH               64
#define PVD_MAX_RESOURCES       4096
#define PVD_MAX_DIM             16384
#define PVD_DEFAULT_REFRESH_MHZ 60000
#define PVD_DEFAULT_DPI         100
/* EDID buffer: base block + CTA block, + DisplayID for modes >= 4096. */
#define PVD_EDID_BUF_SIZE       384
/* Memory entries read from a request per iov_to_buf(). */
#define PVD_ENTRY_CHUNK         256
/*
 * Work per run of the control queue before it yields to the main loop, in
 * bytes: a full 4K frame.  Copying a frame, hashing one for GET_CRC and
 * mapping or unmapping memory entries (PVD_ENTRY_WORK each, about what
 * copying a page costs) are charged.  One request copies or hashes at most
 * one frame (damage is merged into disjoint pieces first) and maps at most
 * PVDISPLAY_MAX_MEM_ENTRIES entries, so a run stays within this plus one
 * request.
 */
#define PVD_BATCH_BYTES         (32 * MiB)
#define PVD_ENTRY_WORK          4096
/* Placeholder of a head turned off when its own size does not fit. */
#define PVD_PLACEHOLDER_W       640
#define PVD_PLACEHOLDER_H       480
/* A view of our own is charged 1 byte per 2^9 bytes: a page table entry. */
#define PVD_VIEW_COST_SHIFT     9
/* Guest error log lines allowed per window; the rest are counted. */
#define PVD_LOG_BURST           10
#define PVD_LOG_WINDOW_MS       1000

/* Host memory charged per resource, see pvd_resource_cost(). */
#define PVD_RESOURCE_OVERHEAD   256
#define PVD_ENTRY_COST \
    (sizeof(struct iovec) + 2 * sizeof(uint64_t) + sizeof(uint32_t))

struct PvdResource {
    uint32_t id;
    uint64_t size;
    uint32_t nr_entries;
    uint64_t *addr;             /* [nr_entries] guest DMA addresses */
    uint32_t *len;              /* [nr_entries] entry lengths */

    /* not migrated, rebuilt on load */
    struct iovec *iov;          /* [nr_entries] host mappings */
    uint64_t *start;            /* [nr_entries] offset of entry in resource */
    uint32_t nr_mapped;         /* entries of @iov currently mapped */
    uint64_t hostmem;           /* bytes charged to max-hostmem */
    /*
     * The whole resource as one contiguous read-only host view, NULL if
     * none (see pvd_resource_view()).  @view_maps > 0: our own mappings of
     * the RAM files, @view_len bytes; 0: @view points into the RAM block.
     */
    uint8_t *view;
    size_t view_len;
    uint32_t view_maps;
    bool view_tried;            /* @view is final (NULL: copy instead) */
    QTAILQ_ENTRY(PvdResource) next;
};

struct PvdHead {
    /* guest side: the head's scanout, resource_id 0 = disabled (migrated) */
    PvdScanout sc;

    /* host side: what the host window asks for (migrated) */
    bool connected;
    bool pos_from_ui;           /* x/y set by the UI, else automatic layout */
    uint32_t pref_width;
    uint32_t pref_height;
    int32_t x;
    int32_t y;
    uint32_t refresh_mhz;       /* 0: default */
    uint16_t width_mm;          /* 0: derived from PVD_DEFAULT_DPI */
    uint16_t height_mm;

    /* not migrated */
    VirtIOPVDisplay *s;
    QemuConsole *con;
    PvdResource *res;           /* resource scanned out, NULL if disabled */
    DisplaySurface *ds;         /* the console's surface while enabled */
    bool view;                  /* @ds shows the resource's view: no copy */
    uint64_t surface_bytes;     /* charged to max-hostmem */

    /* migrated in a subsection */
    PvdCursor cursor;
};

/* ------------------------------------------------------------------ */
/* Guest errors */

static void pvd_log_flush_suppressed(VirtIOPVDisplay *s)
{
    if (s->log_suppressed) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "virtio-pvdisplay: %u more guest errors not logged\n",
                      s->log_suppressed);
    }
    s->log_count = 0;
    s->log_suppressed = 0;
}

/* The window in which lines were left out has ended: say how many. */
static void pvd_log_timer(void *opaque)
{
    pvd_log_flush_suppressed(opaque);
}

/* QEMU exits before the window ends (no unrealize then): say it now. */
static void pvd_log_exit(Notifier *n, void *data)
{
    pvd_log_flush_suppressed(container_of(n, VirtIOPVDisplay, log_at_exit));
}

/*
 * Log a guest error, at most PVD_LOG_BURST lines per PVD_LOG_WINDOW_MS;
 * the number of lines left out is logged when the window ends (a timer,
 * so that a burst followed by silence is counted too), or at exit.  A
 * device reset leaves the window alone: the guest resets the device at
 * will, and must not open a new window by doing so.
 */
static void G_GNUC_PRINTF(2, 3)
pvd_guest_error(VirtIOPVDisplay *s, const char *fmt, ...)
{
    int64_t now;
    va_list ap;
    char *msg;

    if (!qemu_loglevel_mask(LOG_GUEST_ERROR)) {
        return;
    }
    now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    if (now - s->log_window_start >= PVD_LOG_WINDOW_MS) {
        /* before the timer: it must not end the window that opens now */
        timer_del(s->log_timer);
        pvd_log_flush_suppressed(s);
        s->log_window_start = now;
    }
    if (s->log_count >= PVD_LOG_BURST) {
        if (!s->log_suppressed++) {
            timer_mod(s->log_timer, s->log_window_start + PVD_LOG_WINDOW_MS);
        }
        return;
    }
    s->log_count++;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_mask(LOG_GUEST_ERROR, "virtio-pvdisplay: %s\n", msg);
    g_free(msg);
}

static uint32_t pvd_reject(VirtIOPVDisplay *s, uint32_t type, uint32_t status,
                           const char *why)
{
    const char *name = pvd_wire_cmd_name(type);

    why = why ? why : "unspecified";
    trace_virtio_pvdisplay_reject(name, type, status, why);
    pvd_guest_error(s, "%s (0x%x) rejected with status 0x%x: %s",
                    name, type, status, why);
    return status;
}

/* ------------------------------------------------------------------ */
/* Host memory budget */

static bool pvd_hostmem_charge(VirtIOPVDisplay *s, uint64_t release,
                               uint64_t charge)
{
    uint64_t used = s->hostmem - MIN(release, s->hostmem);

    if (charge > s->conf.max_hostmem || used > s->conf.max_hostmem - charge) {
        return false;
    }
    s->hostmem = used + charge;
    trace_virtio_pvdisplay_hostmem(s->hostmem, s->conf.max_hostmem);
    return true;
}

static void pvd_hostmem_release(VirtIOPVDisplay *s, uint64_t bytes)
{
    if (!bytes) {
        return;
    }
    s->hostmem -= MIN(bytes, s->hostmem);
    trace_virtio_pvdisplay_hostmem(s->hostmem, s->conf.max_hostmem);
}

/* ------------------------------------------------------------------ */
/* Features and limits */

static uint32_t pvd_num_heads(VirtIOPVDisplay *s)
{
    if (virtio_vdev_has_feature(VIRTIO_DEVICE(s), PVDISPLAY_F_MULTI_HEAD)) {
        return s->conf.heads;
    }
    return 1;
}

static void pvd_limits(VirtIOPVDisplay *s, PvdWireLimits *lim)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    lim->num_heads = pvd_num_heads(s);
    lim->max_width = s->conf.max_xres;
    lim->max_height = s->conf.max_yres;
    lim->edid = virtio_vdev_has_feature(vdev, PVDISPLAY_F_EDID);
    lim->extra_formats = virtio_vdev_has_feature(vdev,
                                                 PVDISPLAY_F_EXTRA_FORMATS);
    lim->cursor = virtio_vdev_has_feature(vdev, PVDISPLAY_F_CURSOR);
    lim->crc = virtio_vdev_has_feature(vdev, PVDISPLAY_F_CRC);
    lim->cursor_max_width = s->conf.cursor_size;
    lim->cursor_max_height = s->conf.cursor_size;
}

/* ------------------------------------------------------------------ */
/* Resources */

static uint64_t pvd_resource_cost(uint32_t nr_entries)
{
    return PVD_RESOURCE_OVERHEAD + (uint64_t)nr_entries * PVD_ENTRY_COST;
}

static PvdResource *pvd_resource_find(VirtIOPVDisplay *s, uint32_t id)
{
    return g_hash_table_lookup(s->resource_table, GUINT_TO_POINTER(id));
}

static void pvd_resource_unmap(VirtIOPVDisplay *s, PvdResource *res)
{
    AddressSpace *as = VIRTIO_DEVICE(s)->dma_as;
    uint32_t i;

    for (i = 0; i < res->nr_mapped; i++) {
        dma_memory_unmap(as, res->iov[i].iov_base, res->iov[i].iov_len,
                         DMA_DIRECTION_TO_DEVICE, 0);
    }
    res->nr_mapped = 0;
}

/* What a view of our own of @len bytes is charged (pvd_resource_view()). */
static uint64_t pvd_view_cost(size_t len)
{
    return DIV_ROUND_UP(len, 1 << PVD_VIEW_COST_SHIFT);
}

static void pvd_resource_drop_view(VirtIOPVDisplay *s, PvdResource *res)
{
    if (res->view_maps) {
        munmap(res->view, res->view_len);
        s->view_maps -= MIN(res->view_maps, s->view_maps);
        pvd_hostmem_release(s, pvd_view_cost(res->view_len));
    }
    res->view = NULL;
    res->view_len = 0;
    res->view_maps = 0;
    res->view_tried = false;
}

/*
 * Callers make sure no console surface uses the view any more: every head
 * showing @res is disabled first (pvd_resource_destroy(), reset).
 */
static void pvd_resource_free(VirtIOPVDisplay *s, PvdResource *res)
{
    pvd_resource_drop_view(s, res);
    pvd_resource_unmap(s, res);
    g_free(res->addr);
    g_free(res->len);
    g_free(res->iov);
    g_free(res->start);
    g_free(res);
}

/*
 * Map one memory entry.  It must lie entirely in one guest RAM block: the
 * first section is checked before mapping, so MMIO is never read (no bounce
 * buffer), and a map shorter than the entry (the run leaves the RAM block)
 * is undone and refused.
 */
static bool pvd_map_entry(VirtIOPVDisplay *s, uint64_t addr, uint32_t len,
                          struct iovec *iov)
{
    AddressSpace *as = VIRTIO_DEVICE(s)->dma_as;
    MemoryRegion *mr;
    hwaddr xlat, plen = len;
    void *p;

    WITH_RCU_READ_LOCK_GUARD() {
        mr = address_space_translate(as, addr, &xlat, &plen, false,
                                     MEMTXATTRS_UNSPECIFIED);
        if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
            memory_region_is_rom(mr) || memory_region_is_romd(mr)) {
            return false;
        }
    }

    plen = len;
    p = dma_memory_map(as, addr, &plen, DMA_DIRECTION_TO_DEVICE,
                       MEMTXATTRS_UNSPECIFIED);
    if (!p) {
        return false;
    }
    if (plen != len) {
        dma_memory_unmap(as, p, plen, DMA_DIRECTION_TO_DEVICE, 0);
        return false;
    }
    iov->iov_base = p;
    iov->iov_len = len;
    return true;
}

/* Map every entry of @res, all or nothing.  @res->iov must be allocated. */
static bool pvd_resource_map(VirtIOPVDisplay *s, PvdResource *res,
                             uint32_t *bad)
{
    uint64_t off = 0;
    uint32_t i;

    for (i = 0; i < res->nr_entries; i++) {
        if (!pvd_map_entry(s, res->addr[i], res->len[i], &res->iov[i])) {
            *bad = i;
            pvd_resource_unmap(s, res);
            return false;
        }
        res->nr_mapped = i + 1;
        res->start[i] = off;
        off += res->len[i];
    }
    return true;
}

/*
 * Copy @n bytes at offset @off of the resource to @dst.  The caller has
 * checked that [off, off + n) lies inside the resource.  Every byte read
 * from guest memory is counted here, where it is read (x-stats-bytes-read).
 */
static void pvd_resource_read(VirtIOPVDisplay *s, const PvdResource *res,
                              uint64_t off, uint8_t *dst, size_t n)
{
    uint32_t lo = 0, hi = res->nr_mapped - 1, i;

    if (!res->nr_mapped) {
        return;
    }
    /* last entry starting at or before @off */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;

        if (res->start[mid] <= off) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    for (i = lo; n && i < res->nr_mapped; i++) {
        uint64_t in = off - res->start[i];
        size_t chunk;

        if (in >= res->iov[i].iov_len) {
            break;
        }
        chunk = MIN(n, res->iov[i].iov_len - in);
        memcpy(dst, (uint8_t *)res->iov[i].iov_base + in, chunk);
        s->stats_bytes_read += chunk;
        dst += chunk;
        off += chunk;
        n -= chunk;
    }
}


/*
 * Host views.  A console surface can show guest pages directly when they
 * are, in resource order, one contiguous range of host addresses.  That is
 * free when the entries happen to be adjacent in the RAM block's mapping;
 * otherwise, if every entry lies in a RAM block backed by a shared file
 * of host-sized pages (memory-backend-memfd share=on, a tmpfs file), an
 * address range is reserved and the entries' file ranges are mapped into
 * it in order, read-only, MAP_FIXED, adjacent file ranges joined into one
 * mapping.  This is done once per resource, the first time it is shown.
 * Each mapping is a VMA of QEMU's process, so the device holds at most
 * "max-view-maps" of them (vm.max_map_count is 65530 by default); beyond
 * that, or when anything does not fit (private RAM, an IOMMU, huge pages,
 * entries not aligned to host pages), the head copies instead.
 *
 * A view of our own costs the host page tables as the UI and GET_CRC read
 * through it, about one 8-byte entry per 4 KiB page, however few pages
 * the guest's frame covers (a guest can make a resource of all its RAM,
 * many times over): PVD_VIEW_COST_SHIFT charges that to max-hostmem up
 * front, and a view that does not fit is not built (the head copies).
 *
 * The view lives until the resource is destroyed or the device reset;
 * both turn off every head showing it first, which replaces (and frees)
 * its surface, so no UI reads an unmapped view.  The dma_memory_map()
 * mappings of the entries stay too: they keep the memory regions
 * referenced, as before.
 */
static bool pvd_view_map(uint8_t *base, size_t off, size_t len, int fd,
                         uint64_t fd_off)
{
    void *p = mmap(base + off, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
                   fd_off);

    return p == (void *)(base + off);
}

static uint8_t *pvd_resource_view(VirtIOPVDisplay *s, PvdResource *res)
{
    size_t hps = qemu_real_host_page_size(), len, off = 0, run_off = 0;
    uint64_t cost;
    size_t run_len = 0;
    uint64_t run_fd_off = 0;
    uint32_t i, maps = 0;
    int run_fd = -1;
    uint8_t *base;

    if (res->view_tried) {
        return res->view;
    }
    res->view_tried = true;
    if (!s->conf.zero_copy || res->nr_mapped != res->nr_entries ||
        virtio_vdev_has_feature(VIRTIO_DEVICE(s), VIRTIO_F_IOMMU_PLATFORM)) {
        return NULL;
    }

    /* Already contiguous in QEMU's mapping of guest RAM: use it as is. */
    for (i = 1; i < res->nr_entries; i++) {
        if ((uint8_t *)res->iov[i - 1].iov_base + res->iov[i - 1].iov_len !=
            res->iov[i].iov_base) {
            break;
        }
    }
    if (i == res->nr_entries) {
        res->view = res->iov[0].iov_base;
        return res->view;
    }

    /*
     * While an incoming postcopy migration fills guest RAM, only QEMU's own
     * mapping of it is registered with userfaultfd: reading a page that has
     * not arrived yet through a view would create it, zeroed, in the file
     * (the guest would see zeros, and the migration then fails to place the
     * page).  Copy until then; the next scanout of the resource tries again.
     */
    if (migration_in_incoming_postcopy()) {
        res->view_tried = false;
        return NULL;
    }
    len = ROUND_UP(res->size, hps);
    cost = pvd_view_cost(len);
    if (!pvd_hostmem_charge(s, 0, cost)) {
        /* the budget may free up: try again on the next scanout */
        res->view_tried = false;
        return NULL;
    }
    base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
                MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        pvd_hostmem_release(s, cost);
        return NULL;
    }
    for (i = 0; i <= res->nr_entries; i++) {
        RAMBlock *rb = NULL;
        ram_addr_t rb_off = 0;
        uint64_t fd_off = 0;
        size_t elen = 0;
        int fd = -1;

        if (i < res->nr_entries) {
            elen = res->iov[i].iov_len;
            rb = qemu_ram_block_from_host(res->iov[i].iov_base, false,
                                          &rb_off);
            fd = rb && qemu_ram_is_shared(rb) ? qemu_ram_get_fd(rb) : -1;
            if (fd < 0) {
                goto fail;
            }
            fd_off = rb->fd_offset + rb_off;
            /*
             * Host pages only: a hugetlbfs mapping spans whole huge pages,
             * so a run ending inside one would map past the reserved
             * range (over whatever QEMU mapped there) and could not be
             * unmapped with the view's length.  Only the last entry may
             * end inside a page.
             */
            if (qemu_ram_pagesize(rb) != hps || (fd_off | off) % hps ||
                (elen % hps && i != res->nr_entries - 1)) {
                goto fail;
            }
            if (run_len && fd == run_fd && fd_off == run_fd_off + run_len) {
                run_len += elen;
                off += elen;
                continue;
            }
        }
        if (run_len) {
            if (s->view_maps + maps >= s->conf.max_view_maps ||
                !pvd_view_map(base, run_off, ROUND_UP(run_len, hps), run_fd,
                              run_fd_off)) {
                goto fail;
            }
            maps++;
        }
        run_fd = fd;
        run_fd_off = fd_off;
        run_off = off;
        run_len = elen;
        off += elen;
    }
    res->view = base;
    res->view_len = len;
    res->view_maps = maps;
    s->view_maps += maps;
    return res->view;

fail:
    munmap(base, len);
    pvd_hostmem_release(s, cost);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Heads */

/*
 * Pixman format in which guest pixels of @format are read.  Alpha is not
 * shown, so alpha formats are read as their X variant; XRGB8888 and
 * ARGB8888 then match the console surface and are copied as they are.
 */
static pixman_format_code_t pvd_pixman_format(uint32_t format)
{
    switch (format) {
    case PVD_FORMAT_XRGB8888:
    case PVD_FORMAT_ARGB8888:
        return PIXMAN_LE_x8r8g8b8;
    case PVD_FORMAT_XBGR8888:
    case PVD_FORMAT_ABGR8888:
        return PIXMAN_LE_x8b8g8r8;
    case PVD_FORMAT_RGB565:
        return PIXMAN_r5g6b5;   /* little-endian only, see pvd_head_copy */
    default:
        return 0;
    }
}

/*
 * Copy the framebuffer rectangle @r (inside the source rectangle) into the
 * head's own surface.  Returns the bytes of guest memory read.
 */
static uint64_t pvd_head_copy(VirtIOPVDisplay *s, uint32_t idx,
                              const PvdRect *r)
{
    PvdHead *h = &s->heads[idx];
    const PvdScanout *sc = &h->sc;
    DisplaySurface *ds = h->ds;
    pixman_format_code_t fmt = pvd_pixman_format(sc->format);
    uint32_t cpp = pvd_wire_format_cpp(sc->format, true);
    uint32_t dx = r->x - sc->src_x;
    uint32_t dy = r->y - sc->src_y;
    size_t line = (size_t)r->width * cpp;
    uint32_t row, n;

    if (!ds || !h->res || !fmt) {
        return 0;
    }

    if (fmt == surface_format(ds)) {
        uint8_t *dst = surface_data(ds);
        size_t stride = surface_stride(ds);

        for (row = 0; row < r->height; row++) {
            pvd_resource_read(s, h->res,
                              pvd_wire_pixel_offset(sc, r->x, r->y + row),
                              dst + (dy + row) * stride + dx * 4, line);
        }
    } else {
        size_t bstride = ROUND_UP(line, 4);
        uint32_t band = s->bounce_size / bstride;

        for (row = 0; row < r->height; row += n) {
            pixman_image_t *src;
            uint32_t i;

            n = MIN(band, r->height - row);
            for (i = 0; i < n; i++) {
                pvd_resource_read(s, h->res,
                                  pvd_wire_pixel_offset(sc, r->x,
                                                        r->y + row + i),
                                  s->bounce + i * bstride, line);
            }
#if HOST_BIG_ENDIAN
            if (cpp == 2) {
                uint16_t *px = (uint16_t *)s->bounce;
                size_t k;

                for (k = 0; k < n * bstride / 2; k++) {
                    px[k] = bswap16(px[k]);
                }
            }
#endif
            src = pixman_image_create_bits(fmt, r->width, n,
                                           (uint32_t *)s->bounce, bstride);
            pixman_image_composite(PIXMAN_OP_SRC, src, NULL, ds->image,
                                   0, 0, 0, 0, dx, dy + row, r->width, n);
            pixman_image_unref(src);
        }
    }
    if (s->test_corrupt_copy) {
        /* a broken copy on purpose: the CRC test must notice */
        uint32_t *px = (uint32_t *)(surface_data(ds) + dy * surface_stride(ds)
                                    + dx * 4);

        *px ^= 0x00808080;
    }
    trace_virtio_pvdisplay_head_refresh(idx, r->width, r->height, dx, dy);
    return (uint64_t)line * r->height;
}

/*
 * Show the framebuffer rectangles @rects[@n] (clipped to the source
 * rectangle, possibly overlapping) on head @idx.  They are first cut into
 * disjoint pieces, so overlapping damage costs what its union costs.  A
 * head showing a view copies nothing.  The UI is then told once: the
 * bounding box when it is at most twice the damaged area (UIs redraw
 * boxes cheaply), else each piece.
 */
static void pvd_head_show(VirtIOPVDisplay *s, uint32_t idx,
                          const PvdRect *rects, uint32_t n)
{
    PvdHead *h = &s->heads[idx];
    uint64_t area = 0, bytes = 0;
    uint32_t i, k, x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;

    if (!h->ds || !h->res) {
        return;
    }
    k = pvd_wire_rect_union(rects, n, s->pieces);
    for (i = 0; i < k; i++) {
        const PvdRect *r = &s->pieces[i];

        if (!h->view) {
            bytes += pvd_head_copy(s, idx, r);
        }
        area += (uint64_t)r->width * r->height;
        x0 = MIN(x0, r->x);
        y0 = MIN(y0, r->y);
        x1 = MAX(x1, r->x + r->width);
        y1 = MAX(y1, r->y + r->height);
    }
    /* x-stats-bytes-read is counted in pvd_resource_read(). */
    s->batch_bytes += bytes;
    if (h->view) {
        s->stats_view_updates++;
    }
    if (!k) {
        return;
    }
    if ((uint64_t)(x1 - x0) * (y1 - y0) <= 2 * area) {
        dpy_gfx_update(h->con, x0 - h->sc.src_x, y0 - h->sc.src_y,
                       x1 - x0, y1 - y0);
        return;
    }
    for (i = 0; i < k; i++) {
        const PvdRect *r = &s->pieces[i];

        dpy_gfx_update(h->con, r->x - h->sc.src_x, r->y - h->sc.src_y,
                       r->width, r->height);
    }
}

static void pvd_head_show_all(VirtIOPVDisplay *s, uint32_t idx)
{
    const PvdScanout *sc = &s->heads[idx].sc;
    PvdRect r = {
        .x = sc->src_x,
        .y = sc->src_y,
        .width = sc->src_width,
        .height = sc->src_height,
    };

    pvd_head_show(s, idx, &r, 1);
}

/* Give the console @ds; it owns it from now on and frees the old one. */
static void pvd_head_set_surface(PvdHead *h, DisplaySurface *ds, bool view)
{
    dpy_gfx_replace_surface(h->con, ds);
    h->ds = ds;
    h->view = view;
}

static void pvd_head_disable(VirtIOPVDisplay *s, uint32_t idx)
{
    PvdHead *h = &s->heads[idx];
    uint32_t width, height;
    uint64_t bytes;

    if (h->ds || h->res) {
        trace_virtio_pvdisplay_head_disable(idx);
    }
    memset(&h->sc, 0, sizeof(h->sc));
    h->res = NULL;
    if (!h->ds) {
        /* off already: the placeholder shown stays, and so does its charge */
        return;
    }
    /*
     * A placeholder of the size the head showed: a UI sizes its window to
     * the surface and reports that size back (ui_info), so another size
     * would become the guest's next preferred mode (GTK: a guest that
     * turned its output off would come back at 640x480).  The mode's size
     * is the guest's, so the placeholder is charged in place of the
     * surface it replaces, as a surface of its own, until the head shows
     * something again; if it does not fit, a small one of a fixed size
     * instead.  The console frees the old surface, so a view is no longer
     * read after this.
     */
    width = surface_width(h->ds);
    height = surface_height(h->ds);
    bytes = (uint64_t)width * height * 4;
    if (!pvd_hostmem_charge(s, h->surface_bytes, bytes)) {
        pvd_hostmem_release(s, h->surface_bytes);
        width = PVD_PLACEHOLDER_W;
        height = PVD_PLACEHOLDER_H;
        bytes = 0;
    }
    h->surface_bytes = bytes;
    pvd_head_set_surface(h, qemu_create_placeholder_surface(
                             width, height, "Display output is not active."),
                         false);
    /* drawn by the host: work of the request that turned it off */
    s->batch_bytes += (uint64_t)width * height * 4;
    dpy_gfx_update_full(h->con);
    h->ds = NULL;
}

/*
 * A surface over the framebuffer's pixels in the resource's view, or NULL
 * if the head has to copy: a format the console cannot show as it is, no
 * view, or a layout pixman cannot describe.
 *
 * A surface is stride times height bytes as far as the UIs go: the D-Bus
 * display copies that much in one piece.  Only the last row's pixels have
 * to lie in the framebuffer, so the head showing the right-hand part of a
 * framebuffer (two heads sharing a wide one) would have its surface end
 * src_x pixels past it: such a surface must still end inside the
 * resource, or the head copies.  Pixman reads pixels as 32-bit words, so
 * the first one must be aligned in the host's address space, not only in
 * the resource (a view of guest RAM starts where the guest's entry does).
 */
static DisplaySurface *pvd_view_surface(VirtIOPVDisplay *s,
                                        const PvdScanout *sc, PvdResource *res)
{
    uint64_t first = pvd_wire_pixel_offset(sc, sc->src_x, sc->src_y);
    uint64_t span = (uint64_t)sc->stride * sc->src_height;
    uint8_t *view;

    if (pvd_pixman_format(sc->format) != PIXMAN_x8r8g8b8 ||
        sc->stride % 4 || span > INT32_MAX || first > res->size ||
        span > res->size - first) {
        return NULL;
    }
    view = pvd_resource_view(s, res);
    if (!view || (uintptr_t)(view + first) % 4) {
        return NULL;
    }
    return qemu_create_displaysurface_from(sc->src_width, sc->src_height,
                                           PIXMAN_x8r8g8b8, sc->stride,
                                           view + first);
}

/* A surface of its own for a head that copies; NULL if the host has none. */
static DisplaySurface *pvd_copy_surface(uint32_t width, uint32_t height,
                                        Error **errp)
{
    qemu_pixman_shareable handle;
    pixman_image_t *image;
    DisplaySurface *ds;

    if (!qemu_pixman_image_new_shareable(&image, &handle, "pvdisplay",
                                         PIXMAN_x8r8g8b8, width, height,
                                         width * 4, errp)) {
        return NULL;
    }
    ds = qemu_create_displaysurface_pixman(image);
    qemu_displaysurface_set_share_handle(ds, handle, 0);
    pixman_image_unref(image);
    return ds;
}

/*
 * Point head @idx at @res with configuration @sc: a surface over the
 * resource's view when possible, else a surface of its own (kept when its
 * size fits).  *@blank says whether the surface is a new one of its own,
 * which holds none of the previous frame.  Fails, changing nothing, when a
 * surface of its own does not fit in the host memory budget or cannot be
 * allocated.
 */
static uint32_t pvd_head_set_scanout(VirtIOPVDisplay *s, uint32_t idx,
                                     const PvdScanout *sc, PvdResource *res,
                                     bool *blank, const char **why)
{
    PvdHead *h = &s->heads[idx];
    DisplaySurface *ds = pvd_view_surface(s, sc, res);

    *blank = false;
    if (ds) {
        pvd_head_set_surface(h, ds, true);
        pvd_hostmem_release(s, h->surface_bytes);
        h->surface_bytes = 0;
        trace_virtio_pvdisplay_head_resize(idx, sc->src_width,
                                           sc->src_height);
    } else if (!h->ds || h->view || surface_width(h->ds) != sc->src_width ||
               surface_height(h->ds) != sc->src_height) {
        uint64_t bytes = (uint64_t)sc->src_width * sc->src_height * 4;
        uint64_t old = h->surface_bytes;
        Error *err = NULL;

        if (!pvd_hostmem_charge(s, old, bytes)) {
            *why = "surface exceeds the host memory budget";
            return PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY;
        }
        ds = pvd_copy_surface(sc->src_width, sc->src_height, &err);
        if (!ds) {
            pvd_hostmem_charge(s, bytes, old);
            pvd_guest_error(s, "head %u: no host memory for a %ux%u surface: "
                            "%s", idx, sc->src_width, sc->src_height,
                            error_get_pretty(err));
            error_free(err);
            *why = "host allocation of the surface failed";
            return PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY;
        }
        h->surface_bytes = bytes;
        pvd_head_set_surface(h, ds, false);
        *blank = true;
        trace_virtio_pvdisplay_head_resize(idx, sc->src_width,
                                           sc->src_height);
    }
    h->sc = *sc;
    h->res = res;
    return PVDISPLAY_STATUS_OK;
}

static void pvd_fill_head_info(VirtIOPVDisplay *s, uint32_t n,
                               PvdHeadInfo *info)
{
    uint32_t next_x = 0, i;

    memset(info, 0, sizeof(*info) * n);
    for (i = 0; i < n; i++) {
        PvdHead *h = &s->heads[i];

        if (!h->connected) {
            continue;
        }
        info[i].flags = PVDISPLAY_HEAD_CONNECTED;
        info[i].width = h->pref_width;
        info[i].height = h->pref_height;
        if (h->pos_from_ui) {
            info[i].x = MAX(h->x, 0);
            info[i].y = MAX(h->y, 0);
        } else {
            /* side by side, left to right */
            info[i].x = next_x;
            info[i].y = 0;
        }
        next_x = info[i].x + info[i].width;
        info[i].refresh_mhz = h->refresh_mhz ?: PVD_DEFAULT_REFRESH_MHZ;
        if (h->width_mm && h->height_mm) {
            info[i].width_mm = h->width_mm;
            info[i].height_mm = h->height_mm;
        } else {
            info[i].width_mm = qemu_edid_dpi_to_mm(PVD_DEFAULT_DPI,
                                                   h->pref_width);
            info[i].height_mm = qemu_edid_dpi_to_mm(PVD_DEFAULT_DPI,
                                                    h->pref_height);
        }
    }
}

/* Returns the EDID size: a multiple of 128, 0 if the head is disconnected. */
static uint32_t pvd_generate_edid(VirtIOPVDisplay *s, uint32_t idx,
                                  uint8_t *edid, size_t size)
{
    PvdHead *h = &s->heads[idx];
    char serial[16];
    qemu_edid_info info = {
        .name = "pvdisplay",
        .serial = serial,
        .prefx = h->pref_width,
        .prefy = h->pref_height,
        .maxx = s->conf.max_xres,
        .maxy = s->conf.max_yres,
        .width_mm = h->width_mm,
        .height_mm = h->height_mm,
        .refresh_rate = h->refresh_mhz ?: PVD_DEFAULT_REFRESH_MHZ,
    };

    memset(edid, 0, size);
    if (!h->connected) {
        return 0;
    }
    snprintf(serial, sizeof(serial), "%u", idx + 1);
    qemu_edid_generate(edid, size, &info);
    return qemu_edid_size(edid);
}

/* ------------------------------------------------------------------ */
/* Commands */

static void pvd_cmd_get_display_info(VirtIOPVDisplay *s,
                                     struct pvdisplay_resp_display_info *resp)
{
    PvdHeadInfo info[PVDISPLAY_MAX_HEADS];
    uint32_t n = pvd_num_heads(s);

    trace_virtio_pvdisplay_cmd_get_display_info(n);
    pvd_fill_head_info(s, n, info);
    pvd_wire_encode_display_info(resp, n, info);
}

static uint32_t pvd_cmd_get_edid(VirtIOPVDisplay *s, const uint8_t *buf,
                                 size_t len, const PvdWireLimits *lim,
                                 struct pvdisplay_resp_edid *resp,
                                 const char **why)
{
    uint8_t edid[PVD_EDID_BUF_SIZE];
    uint32_t head, status, size;

    QEMU_BUILD_BUG_ON(PVD_EDID_BUF_SIZE > PVDISPLAY_EDID_MAX_SIZE);

    status = pvd_wire_decode_get_edid(buf, len, lim, &head, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    size = pvd_generate_edid(s, head, edid, sizeof(edid));
    trace_virtio_pvdisplay_cmd_get_edid(head, size);
    pvd_wire_encode_edid(resp, edid, size);
    return PVDISPLAY_STATUS_OK;
}

static uint32_t pvd_cmd_resource_create(VirtIOPVDisplay *s,
                                        VirtQueueElement *elem,
                                        const uint8_t *buf, size_t len,
                                        size_t out_len, const char **why)
{
    uint8_t raw[PVD_ENTRY_CHUNK * sizeof(struct pvdisplay_mem_entry)];
    PvdResourceCreate rc;
    PvdResource *res;
    PvdMemWalk walk;
    uint64_t cost;
    uint32_t status, i, j, bad;

    status = pvd_wire_decode_resource_create(buf, len, out_len, &rc, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    trace_virtio_pvdisplay_cmd_resource_create(rc.resource_id,
                                               rc.nr_entries, rc.size);

    if (pvd_resource_find(s, rc.resource_id)) {
        *why = "resource id already in use";
        return PVDISPLAY_STATUS_ERR_INVALID_RESOURCE;
    }
    if (s->nr_resources >= PVD_MAX_RESOURCES) {
        *why = "too many resources";
        return PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY;
    }
    /* validated, mapped, and unmapped again on failure */
    s->batch_bytes += (uint64_t)rc.nr_entries * PVD_ENTRY_WORK;
    cost = pvd_resource_cost(rc.nr_entries);
    if (!pvd_hostmem_charge(s, 0, cost)) {
        *why = "resource bookkeeping exceeds the host memory budget";
        return PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY;
    }

    res = g_new0(PvdResource, 1);
    res->id = rc.resource_id;
    res->size = rc.size;
    res->nr_entries = rc.nr_entries;
    res->hostmem = cost;
    res->addr = g_new(uint64_t, rc.nr_entries);
    res->len = g_new(uint32_t, rc.nr_entries);
    res->iov = g_new0(struct iovec, rc.nr_entries);
    res->start = g_new(uint64_t, rc.nr_entries);

    /* validate every entry before mapping any */
    pvd_wire_mem_walk_init(&walk, &rc);
    for (i = 0; i < rc.nr_entries; i += PVD_ENTRY_CHUNK) {
        uint32_t n = MIN(PVD_ENTRY_CHUNK, rc.nr_entries - i);
        size_t want = n * sizeof(struct pvdisplay_mem_entry);
        size_t off = sizeof(struct pvdisplay_cmd_resource_create) +
                     (size_t)i * sizeof(struct pvdisplay_mem_entry);

        if (iov_to_buf(elem->out_sg, elem->out_num, off, raw, want) != want) {
            *why = "memory entries truncated";
            status = PVDISPLAY_STATUS_ERR_INVALID_PARAMETER;
            goto fail;
        }
        for (j = 0; j < n; j++) {
            PvdMemEntry ent;

            status = pvd_wire_mem_walk_next(&walk,
                        raw + j * sizeof(struct pvdisplay_mem_entry),
                        &ent, why);
            if (status != PVDISPLAY_STATUS_OK) {
                goto fail;
            }
            res->addr[i + j] = ent.addr;
            res->len[i + j] = ent.length;
        }
    }
    status = pvd_wire_mem_walk_finish(&walk, why);
    if (status != PVDISPLAY_STATUS_OK) {
        goto fail;
    }

    if (!pvd_resource_map(s, res, &bad)) {
        pvd_guest_error(s, "resource %u: entry %u (0x%" PRIx64 "+0x%x) "
                        "is not guest RAM", res->id, bad, res->addr[bad],
                        res->len[bad]);
        *why = "memory entry not in guest RAM";
        status = PVDISPLAY_STATUS_ERR_INVALID_PARAMETER;
        goto fail;
    }

    QTAILQ_INSERT_TAIL(&s->resources, res, next);
    g_hash_table_insert(s->resource_table, GUINT_TO_POINTER(res->id), res);
    s->nr_resources++;
    return PVDISPLAY_STATUS_OK;

fail:
    pvd_resource_free(s, res);
    pvd_hostmem_release(s, cost);
    return status;
}

static void pvd_resource_destroy(VirtIOPVDisplay *s, PvdResource *res)
{
    uint32_t i;

    for (i = 0; i < s->conf.heads; i++) {
        if (s->heads[i].res == res) {
            pvd_head_disable(s, i);
        }
    }
    QTAILQ_REMOVE(&s->resources, res, next);
    /* a resource whose migration load failed half way is not indexed */
    if (g_hash_table_lookup(s->resource_table, GUINT_TO_POINTER(res->id)) ==
        res) {
        g_hash_table_remove(s->resource_table, GUINT_TO_POINTER(res->id));
        s->nr_resources--;
    }
    pvd_hostmem_release(s, res->hostmem);
    pvd_resource_free(s, res);
}

static void pvd_process_cursor(VirtIOPVDisplay *s, bool drain);

/*
 * RESOURCE_DESTROY: the cursor queue is drained first, so a CURSOR_SET the
 * driver queued before this request (it does not wait for their answers)
 * still finds its image (header rule).
 */
static uint32_t pvd_cmd_resource_destroy(VirtIOPVDisplay *s,
                                         const uint8_t *buf, size_t len,
                                         const char **why)
{
    PvdResource *res;
    uint32_t id, status;

    status = pvd_wire_decode_resource_destroy(buf, len, &id, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    pvd_process_cursor(s, true);
    trace_virtio_pvdisplay_cmd_resource_destroy(id);
    res = pvd_resource_find(s, id);
    if (!res) {
        *why = "unknown resource id";
        return PVDISPLAY_STATUS_ERR_INVALID_RESOURCE;
    }
    s->batch_bytes += (uint64_t)res->nr_entries * PVD_ENTRY_WORK;
    pvd_resource_destroy(s, res);
    return PVDISPLAY_STATUS_OK;
}

static uint32_t pvd_cmd_scanout_update(VirtIOPVDisplay *s,
                                       const uint8_t *buf, size_t len,
                                       const PvdWireLimits *lim,
                                       const char **why)
{
    PvdRect rects[PVDISPLAY_MAX_DAMAGE_RECTS];
    PvdScanoutUpdate u;
    PvdResource *res;
    PvdHead *h;
    uint32_t status, i, n;
    bool full, flip, blank;

    status = pvd_wire_decode_scanout_update(buf, len, lim, &u, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    trace_virtio_pvdisplay_cmd_scanout_update(u.head, u.sc.resource_id,
                                              u.sc.format, u.sc.src_width,
                                              u.sc.src_height, u.sc.src_x,
                                              u.sc.src_y, u.nr_rects,
                                              u.nr_regions);
    h = &s->heads[u.head];

    if (!u.sc.resource_id) {
        pvd_head_disable(s, u.head);
        return PVDISPLAY_STATUS_OK;
    }

    res = pvd_resource_find(s, u.sc.resource_id);
    if (!res) {
        *why = "unknown resource id";
        return PVDISPLAY_STATUS_ERR_INVALID_RESOURCE;
    }
    status = pvd_wire_check_scanout_resource(&u, res->size, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }

    if (h->res != res || pvd_wire_scanout_changed(&u.sc, &h->sc)) {
        /*
         * New configuration: the damage is only informative, except for a
         * page flip with frame damage (PVDISPLAY_F_FRAME_DAMAGE): another
         * resource of the same layout, the rectangles saying what differs
         * from the frame shown, which the surface still holds unless it is
         * a new one of its own.
         */
        flip = h->res && u.nr_rects &&
               !pvd_wire_layout_changed(&u.sc, &h->sc) &&
               virtio_vdev_has_feature(VIRTIO_DEVICE(s),
                                       PVDISPLAY_F_FRAME_DAMAGE);
        status = pvd_head_set_scanout(s, u.head, &u.sc, res, &blank, why);
        if (status != PVDISPLAY_STATUS_OK) {
            return status;
        }
        full = !flip || blank;
    } else {
        full = u.nr_rects == 0;
    }

    if (full) {
        pvd_head_show_all(s, u.head);
        return PVDISPLAY_STATUS_OK;
    }
    for (i = 0, n = 0; i < u.nr_rects; i++) {
        if (pvd_wire_clip_rect(&u.rects[i], &h->sc, &rects[n])) {
            n++;
        }
    }
    pvd_head_show(s, u.head, rects, n);
    return PVDISPLAY_STATUS_OK;
}

/*
 * GET_CRC: the cursor queue is drained first, so the answer covers every
 * cursor request the driver made before this one (header rule).
 */
static uint32_t pvd_cmd_get_crc(VirtIOPVDisplay *s, const uint8_t *buf,
                                size_t len, const PvdWireLimits *lim,
                                struct pvdisplay_resp_crc *resp,
                                const char **why)
{
    uint32_t head, width, height, status, crc;
    PvdHead *h;

    status = pvd_wire_decode_get_crc(buf, len, lim, &head, &width, &height,
                                     why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    pvd_process_cursor(s, true);
    h = &s->heads[head];
    /* the frame hashed: the head's surface, or a black one of the size asked */
    if (h->res && h->ds) {
        width = surface_width(h->ds);
        height = surface_height(h->ds);
    }
    s->batch_bytes += (uint64_t)width * height * 4;
    crc = pvd_crc_frame(h->res ? h->ds : NULL, width, height, &h->cursor);
    trace_virtio_pvdisplay_cmd_get_crc(head, crc);
    pvd_wire_encode_crc(resp, crc);
    return PVDISPLAY_STATUS_OK;
}

/* ------------------------------------------------------------------ */
/* Control queue */

/* Handle one request, write its response; returns the bytes written. */
static size_t pvd_handle_request(VirtIOPVDisplay *s, VirtQueueElement *elem)
{
    uint8_t buf[PVD_WIRE_REQ_MAX_SIZE];
    union {
        struct pvdisplay_resp_hdr hdr;
        struct pvdisplay_resp_display_info info;
        struct pvdisplay_resp_edid edid;
        struct pvdisplay_resp_crc crc;
    } resp;
    size_t out_len = iov_size(elem->out_sg, elem->out_num);
    size_t in_len = iov_size(elem->in_sg, elem->in_num);
    size_t len, resp_len = 0;
    const char *why = NULL;
    PvdWireLimits lim;
    PvdCtrlHdr hdr;
    uint32_t status;

    len = iov_to_buf(elem->out_sg, elem->out_num, 0, buf, sizeof(buf));
    pvd_limits(s, &lim);

    status = pvd_wire_decode_hdr(buf, len, in_len, &lim, &hdr, &why);
    if (status == PVDISPLAY_STATUS_OK &&
        !virtio_vdev_has_feature(VIRTIO_DEVICE(s), VIRTIO_F_VERSION_1)) {
        /*
         * The virtio core only validates features when VERSION_1 was
         * negotiated, so a legacy-minded driver gets this far.
         */
        status = PVDISPLAY_STATUS_ERR_UNSUPPORTED;
        why = "VIRTIO_F_VERSION_1 not negotiated";
    }
    if (in_len < sizeof(resp.hdr)) {
        /* nowhere to put a status */
        pvd_reject(s, hdr.type, PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
                   "no room for the response header");
        return 0;
    }
    if (status == PVDISPLAY_STATUS_OK && pvd_wire_is_cursor_cmd(hdr.type)) {
        status = PVDISPLAY_STATUS_ERR_UNSUPPORTED;
        why = "cursor request on the control queue";
    }
    if (status == PVDISPLAY_STATUS_OK) {
        switch (hdr.type) {
        case PVDISPLAY_CMD_GET_DISPLAY_INFO:
            pvd_cmd_get_display_info(s, &resp.info);
            resp_len = sizeof(resp.info);
            break;
        case PVDISPLAY_CMD_GET_EDID:
            status = pvd_cmd_get_edid(s, buf, len, &lim, &resp.edid, &why);
            resp_len = sizeof(resp.edid);
            break;
        case PVDISPLAY_CMD_RESOURCE_CREATE:
            status = pvd_cmd_resource_create(s, elem, buf, len, out_len,
                                             &why);
            break;
        case PVDISPLAY_CMD_RESOURCE_DESTROY:
            status = pvd_cmd_resource_destroy(s, buf, len, &why);
            break;
        case PVDISPLAY_CMD_GET_CRC:
            status = pvd_cmd_get_crc(s, buf, len, &lim, &resp.crc, &why);
            resp_len = sizeof(resp.crc);
            break;
        case PVDISPLAY_CMD_SCANOUT_UPDATE:
            status = pvd_cmd_scanout_update(s, buf, len, &lim, &why);
            s->stats_updates += status == PVDISPLAY_STATUS_OK;
            break;
        default:
            status = PVDISPLAY_STATUS_ERR_UNSUPPORTED;
            why = "unknown request type";
            break;
        }
    }

    if (status != PVDISPLAY_STATUS_OK) {
        pvd_reject(s, hdr.type, status, why);
        resp_len = 0;
    }
    if (!resp_len) {
        pvd_wire_encode_resp_hdr(&resp.hdr, status);
        resp_len = sizeof(resp.hdr);
    }
    return iov_from_buf(elem->in_sg, elem->in_num, 0, &resp, resp_len);
}

static void pvd_process_ctrl(VirtIOPVDisplay *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    VirtQueueElement *elem;
    unsigned int n = 0;

    if (!virtio_queue_ready(s->ctrl_vq)) {
        return;
    }
    s->batch_bytes = 0;
    while (n < PVD_BATCH && s->batch_bytes < PVD_BATCH_BYTES &&
           !pvd_fault_stalled(s->fault)) {
        size_t len;

        elem = virtqueue_pop(s->ctrl_vq, sizeof(VirtQueueElement));
        if (!elem) {
            break;
        }
        len = pvd_handle_request(s, elem);
        n++;
        if (pvd_fault_answer(s->fault, elem, &len)) {
            break;      /* the fault plan answers it later, or never */
        }
        virtqueue_push(s->ctrl_vq, elem, len);
        g_free(elem);
    }
    if (n) {
        virtio_notify(vdev, s->ctrl_vq);
    }
    if (n == PVD_BATCH || s->batch_bytes >= PVD_BATCH_BYTES) {
        /* more may be queued: continue later, let the main loop run */
        qemu_bh_schedule(s->ctrl_bh);
    }
}

static void pvd_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    pvd_process_ctrl(VIRTIO_PVDISPLAY(vdev));
}

static void pvd_ctrl_bh(void *opaque)
{
    pvd_process_ctrl(opaque);
}

/* A held answer was handed back: continue where the queue stopped. */
static void pvd_fault_resume(void *opaque)
{
    VirtIOPVDisplay *s = opaque;

    qemu_bh_schedule(s->ctrl_bh);
}

static void pvd_display_event(VirtIOPVDisplay *s)
{
    s->events_pending |= PVDISPLAY_EVENT_DISPLAY;
    virtio_notify_config(VIRTIO_DEVICE(s));
}

static void pvd_fault_config_event(void *opaque)
{
    pvd_display_event(opaque);
}

/* ------------------------------------------------------------------ */
/* Cursor queue */

/*
 * What one run of the cursor queue changed, told to the consoles at its
 * end: per head, whether the image or the visibility changed (@defined),
 * whether the position did (@moved), and the resource and request of the
 * last image set (@image_res, @image_set).  Only that image is read, once
 * per head and run however many CURSOR_SETs the run handled: a run's work
 * is bounded by the number of heads, not by the number of requests.
 */
typedef struct PvdCursorRun {
    bool defined[PVDISPLAY_MAX_HEADS];
    bool moved[PVDISPLAY_MAX_HEADS];
    PvdResource *image_res[PVDISPLAY_MAX_HEADS];
    PvdCursorSet image_set[PVDISPLAY_MAX_HEADS];
} PvdCursorRun;

/*
 * CURSOR_SET: the head's cursor takes the request's shape, hotspot and
 * position now, its image at the end of the run (pvd_cursor_read_image()).
 * No resource goes away during a run: RESOURCE_DESTROY drains the cursor
 * queue before it destroys anything.
 */
static uint32_t pvd_cmd_cursor_set(VirtIOPVDisplay *s, const uint8_t *buf,
                                   size_t len, const PvdWireLimits *lim,
                                   PvdCursorRun *run, const char **why)
{
    PvdCursorSet set;
    PvdResource *res;
    PvdHead *h;
    uint32_t status;

    status = pvd_wire_decode_cursor_set(buf, len, lim, &set, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    trace_virtio_pvdisplay_cmd_cursor_set(set.head, set.resource_id,
                                          set.width, set.height,
                                          set.x, set.y);
    h = &s->heads[set.head];
    if (!set.resource_id) {
        run->defined[set.head] |= pvd_cursor_hide(&h->cursor);
        return PVDISPLAY_STATUS_OK;
    }
    res = pvd_resource_find(s, set.resource_id);
    if (!res) {
        *why = "unknown resource id";
        return PVDISPLAY_STATUS_ERR_INVALID_RESOURCE;
    }
    status = pvd_wire_check_cursor_fits(&set, res->size, why);
    if (status != PVDISPLAY_STATUS_OK) {
        return status;
    }
    pvd_cursor_set(&h->cursor, &set);
    run->image_res[set.head] = res;
    run->image_set[set.head] = set;
    run->defined[set.head] = true;
    s->stats_cursor_sets++;
    return PVDISPLAY_STATUS_OK;
}

/*
 * Copy the image of @set (the head's last CURSOR_SET, checked to lie
 * inside @res) out of the resource into the cursor's image, packed rows.
 * The copy is bounded by cursor-size squared, and counted as work of the
 * run; so is clearing the image first, and allocating it is done here
 * too, once per head and run, not once per request.
 */
static void pvd_cursor_read_image(VirtIOPVDisplay *s, PvdCursor *c,
                                  const PvdResource *res,
                                  const PvdCursorSet *set)
{
    size_t line = (size_t)set->width * 4;
    uint8_t *image = pvd_cursor_image(c);
    uint32_t row;

    /* pages the resource could not map read as transparent */
    memset(image, 0, line * set->height);
    s->batch_bytes += (uint64_t)line * set->height;
    for (row = 0; row < set->height; row++) {
        pvd_resource_read(s, res, (uint64_t)set->offset +
                          (uint64_t)row * set->stride,
                          image + row * line, line);
    }
}

/*
 * Handle one cursor request, write its response; returns the bytes
 * written.  Requests only record what the head's cursor is (in @run): the
 * console hears of it once per run, so queued moves and images coalesce,
 * and a UI (a VNC client is sent every image) gets at most one image per
 * head per run.
 */
static size_t pvd_handle_cursor_request(VirtIOPVDisplay *s,
                                        VirtQueueElement *elem,
                                        PvdCursorRun *run)
{
    uint8_t buf[sizeof(struct pvdisplay_cmd_cursor_set)];
    struct pvdisplay_resp_hdr resp;
    size_t in_len = iov_size(elem->in_sg, elem->in_num);
    size_t len;
    const char *why = NULL;
    PvdWireLimits lim;
    PvdCursorMove move;
    PvdCtrlHdr hdr;
    uint32_t status;

    len = iov_to_buf(elem->out_sg, elem->out_num, 0, buf, sizeof(buf));
    pvd_limits(s, &lim);

    status = pvd_wire_decode_hdr(buf, len, in_len, &lim, &hdr, &why);
    if (status == PVDISPLAY_STATUS_OK && !pvd_wire_is_cursor_cmd(hdr.type)) {
        status = PVDISPLAY_STATUS_ERR_UNSUPPORTED;
        why = "control request on the cursor queue";
    }
    if (in_len < sizeof(resp)) {
        pvd_reject(s, hdr.type, PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
                   "no room for the response header");
        return 0;
    }
    if (status == PVDISPLAY_STATUS_OK &&
        hdr.type == PVDISPLAY_CMD_CURSOR_SET) {
        status = pvd_cmd_cursor_set(s, buf, len, &lim, run, &why);
    } else if (status == PVDISPLAY_STATUS_OK) {
        status = pvd_wire_decode_cursor_move(buf, len, &lim, &move, &why);
        if (status == PVDISPLAY_STATUS_OK) {
            trace_virtio_pvdisplay_cmd_cursor_move(move.head, move.x, move.y);
            pvd_cursor_move(&s->heads[move.head].cursor, move.x, move.y);
            run->moved[move.head] = true;
            s->stats_cursor_moves++;
        }
    }
    if (status != PVDISPLAY_STATUS_OK) {
        pvd_reject(s, hdr.type, status, why);
    }
    pvd_wire_encode_resp_hdr(&resp, status);
    return iov_from_buf(elem->in_sg, elem->in_num, 0, &resp, sizeof(resp));
}

/*
 * A run of the cursor queue: at most PVD_BATCH requests, the rest from the
 * bottom half.  A control request that must come after the cursor
 * requests queued before it (RESOURCE_DESTROY, GET_CRC: header rule)
 * drains the queue instead, up to its size (a guest adding requests while
 * the device drains cannot keep it there); a request only records state,
 * and the images, one per head, count as work of the control queue's run.
 */
static void pvd_process_cursor(VirtIOPVDisplay *s, bool drain)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    PvdCursorRun run = { };
    VirtQueueElement *elem;
    unsigned int n = 0, max;
    bool more = false;
    uint32_t i;

    if (!s->cursor_vq || !virtio_queue_ready(s->cursor_vq) ||
        pvd_fault_cursor_stalled(s->fault)) {
        return;
    }
    max = drain ? virtio_queue_get_num(vdev,
                                       virtio_get_queue_index(s->cursor_vq))
                : PVD_BATCH;
    for (;;) {
        if (n == max) {
            more = true;
            break;
        }
        elem = virtqueue_pop(s->cursor_vq, sizeof(VirtQueueElement));
        if (!elem) {
            break;
        }
        /* answered once the images are read: see virtqueue_flush() below */
        virtqueue_fill(s->cursor_vq, elem,
                       pvd_handle_cursor_request(s, elem, &run), n);
        g_free(elem);
        n++;
    }
    for (i = 0; i < s->conf.heads; i++) {
        PvdHead *h = &s->heads[i];

        if (run.image_res[i]) {
            pvd_cursor_read_image(s, &h->cursor, run.image_res[i],
                                  &run.image_set[i]);
        }
        if (run.defined[i]) {
            /* the image, and the position of the last request */
            pvd_cursor_restore(&h->cursor, h->con);
        } else if (run.moved[i]) {
            pvd_cursor_show_position(&h->cursor, h->con);
        }
    }
    if (n) {
        /*
         * A CURSOR_SET's image is copied before its answer is published:
         * a driver may free the resource once it has the answer.
         */
        virtqueue_flush(s->cursor_vq, n);
        virtio_notify(vdev, s->cursor_vq);
    }
    if (more) {
        qemu_bh_schedule(s->cursor_bh);
    }
}

static void pvd_handle_cursor(VirtIODevice *vdev, VirtQueue *vq)
{
    pvd_process_cursor(VIRTIO_PVDISPLAY(vdev), false);
}

static void pvd_cursor_bh(void *opaque)
{
    pvd_process_cursor(opaque, false);
}

/* Virtqueue 1 exists for PVDISPLAY_F_PRESENT_EVENTS, not offered yet. */
static void pvd_handle_event(VirtIODevice *vdev, VirtQueue *vq)
{
}

/* ------------------------------------------------------------------ */
/* Console */

/* The console of one head asks for a redraw: its surface is current. */
static void pvd_gfx_invalidate(void *opaque)
{
    PvdHead *h = opaque;

    if (h->ds) {
        dpy_gfx_update_full(h->con);
    }
}

static void pvd_gfx_update(void *opaque)
{
    /* the surfaces are kept current by SCANOUT_UPDATE */
}

static void pvd_ui_info(void *opaque, uint32_t idx, QemuUIInfo *info)
{
    VirtIOPVDisplay *s = ((PvdHead *)opaque)->s;
    bool connected, pos_from_ui;
    uint32_t width, height;
    PvdHead *h;

    if (idx >= s->conf.heads) {
        return;
    }
    h = &s->heads[idx];
    connected = info->width && info->height;
    width = MIN(info->width, s->conf.max_xres);
    height = MIN(info->height, s->conf.max_yres);
    pos_from_ui = info->xoff || info->yoff;
    if (!connected) {
        /* keep the last size for when the window comes back */
        width = h->pref_width;
        height = h->pref_height;
    }
    trace_virtio_pvdisplay_ui_info(idx, width, height, connected);

    if (h->connected == connected && h->pref_width == width &&
        h->pref_height == height && h->pos_from_ui == pos_from_ui &&
        h->x == info->xoff && h->y == info->yoff &&
        h->refresh_mhz == info->refresh_rate &&
        h->width_mm == info->width_mm && h->height_mm == info->height_mm) {
        return;
    }
    h->connected = connected;
    h->pref_width = width;
    h->pref_height = height;
    h->pos_from_ui = pos_from_ui;
    h->x = info->xoff;
    h->y = info->yoff;
    h->refresh_mhz = info->refresh_rate;
    h->width_mm = info->width_mm;
    h->height_mm = info->height_mm;

    pvd_display_event(s);
}

static const GraphicHwOps pvd_gfx_ops = {
    .invalidate = pvd_gfx_invalidate,
    .gfx_update = pvd_gfx_update,
    .ui_info = pvd_ui_info,
};

/* ------------------------------------------------------------------ */
/* Virtio device */

static uint64_t pvd_get_features(VirtIODevice *vdev, uint64_t features,
                                 Error **errp)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(vdev);

    if (s->conf.edid) {
        virtio_add_feature(&features, PVDISPLAY_F_EDID);
    }
    if (s->conf.heads > 1) {
        virtio_add_feature(&features, PVDISPLAY_F_MULTI_HEAD);
    }
    virtio_add_feature(&features, PVDISPLAY_F_EXTRA_FORMATS);
    if (s->conf.cursor) {
        virtio_add_feature(&features, PVDISPLAY_F_CURSOR);
    }
    if (s->conf.crc) {
        virtio_add_feature(&features, PVDISPLAY_F_CRC);
    }
    virtio_add_feature(&features, PVDISPLAY_F_FRAME_DAMAGE);
    return features;
}

static void pvd_set_features(VirtIODevice *vdev, uint64_t features)
{
    trace_virtio_pvdisplay_features(features);
}

static void pvd_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(vdev);
    struct pvdisplay_config cfg;

    pvd_wire_encode_config(&cfg, s->events_pending, pvd_num_heads(s),
                           s->conf.max_xres, s->conf.max_yres);
    if (s->conf.cursor) {
        pvd_wire_encode_config_cursor(&cfg, s->conf.cursor_size,
                                      s->conf.cursor_size);
    }
    pvd_fault_config(s->fault, &cfg);
    memcpy(config, &cfg, sizeof(cfg));
}

static void pvd_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(vdev);
    struct pvdisplay_config cfg;

    memcpy(&cfg, config, sizeof(cfg));
    s->events_pending &= ~pvd_wire_config_events_clear(&cfg);
    /*
     * events_clear is write-only: forget the value, so that a later write
     * to another field does not clear events raised in between.
     */
    memset(vdev->config + offsetof(struct pvdisplay_config, events_clear),
           0, sizeof(cfg.events_clear));
}

static void pvd_reset(VirtIODevice *vdev)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(vdev);
    PvdResource *res, *tmp;
    uint32_t i;

    trace_virtio_pvdisplay_reset();
    pvd_fault_reset(s->fault);
    for (i = 0; i < s->conf.heads; i++) {
        pvd_head_disable(s, i);
        pvd_cursor_reset(&s->heads[i].cursor, s->heads[i].con);
    }
    QTAILQ_FOREACH_SAFE(res, &s->resources, next, tmp) {
        pvd_resource_destroy(s, res);
    }
    s->events_pending = 0;
}

/*
 * Each time the VM (re)starts, look at both queues.  A run that yields
 * (PVD_BATCH requests or PVD_BATCH_BYTES of work) continues from a bottom
 * half, which neither migration nor a snapshot carries: the destination
 * finds those requests in the ring and nothing scheduled to take them, and
 * the guest, which with VIRTIO_RING_F_EVENT_IDX only notifies past the last
 * request the device took, never notifies again.  An empty queue costs a
 * look.  Likewise a display event raised while loading (a preferred size
 * clamped to this host's limits) has had no configuration interrupt yet;
 * one more for events already announced is harmless.
 */
static void pvd_vm_state_change(void *opaque, bool running, RunState state)
{
    VirtIOPVDisplay *s = opaque;

    if (!running) {
        return;
    }
    if (s->events_pending) {
        virtio_notify_config(VIRTIO_DEVICE(s));
    }
    qemu_bh_schedule(s->ctrl_bh);
    if (s->cursor_bh) {
        qemu_bh_schedule(s->cursor_bh);
    }
}

static void pvd_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(dev);
    uint32_t i;

    if (s->conf.heads < 1 || s->conf.heads > PVDISPLAY_MAX_HEADS) {
        error_setg(errp, "heads must be between 1 and %d",
                   PVDISPLAY_MAX_HEADS);
        return;
    }
    if (s->conf.max_xres < 1 || s->conf.max_xres > PVD_MAX_DIM ||
        s->conf.max_yres < 1 || s->conf.max_yres > PVD_MAX_DIM) {
        error_setg(errp, "max-xres and max-yres must be between 1 and %d",
                   PVD_MAX_DIM);
        return;
    }
    if (s->conf.xres < 1 || s->conf.xres > s->conf.max_xres ||
        s->conf.yres < 1 || s->conf.yres > s->conf.max_yres) {
        error_setg(errp, "xres and yres must be between 1 and "
                   "max-xres/max-yres (%ux%u)",
                   s->conf.max_xres, s->conf.max_yres);
        return;
    }
    if (s->conf.cursor_size < PVDISPLAY_CURSOR_MIN_SIZE ||
        s->conf.cursor_size > PVDISPLAY_CURSOR_MAX_SIZE) {
        error_setg(errp, "cursor-size must be between %d and %d",
                   PVDISPLAY_CURSOR_MIN_SIZE, PVDISPLAY_CURSOR_MAX_SIZE);
        return;
    }

    virtio_init(vdev, PVDISPLAY_VIRTIO_ID, sizeof(struct pvdisplay_config));
    s->ctrl_vq = virtio_add_queue(vdev, PVD_CTRL_QUEUE_SIZE, pvd_handle_ctrl);
    s->ctrl_bh = virtio_bh_new_guarded(dev, pvd_ctrl_bh, s);
    pvd_fault_attach(s->fault, vdev, s->ctrl_vq);
    if (s->conf.cursor) {
        /* fixed indices: the event queue comes first, see the header */
        s->event_vq = virtio_add_queue(vdev, PVD_EVENT_QUEUE_SIZE,
                                       pvd_handle_event);
        s->cursor_vq = virtio_add_queue(vdev, PVD_CURSOR_QUEUE_SIZE,
                                        pvd_handle_cursor);
        s->cursor_bh = virtio_bh_new_guarded(dev, pvd_cursor_bh, s);
    }
    s->vmstate_change = qemu_add_vm_change_state_handler(pvd_vm_state_change,
                                                         s);
    s->log_timer = timer_new_ms(QEMU_CLOCK_REALTIME, pvd_log_timer, s);
    s->log_at_exit.notify = pvd_log_exit;
    qemu_add_exit_notifier(&s->log_at_exit);

    QTAILQ_INIT(&s->resources);
    s->resource_table = g_hash_table_new(NULL, NULL);
    s->bounce_size = MAX(64 * KiB, (size_t)s->conf.max_xres * 4);
    s->bounce = g_malloc(s->bounce_size);
    s->pieces = g_new(PvdRect, PVD_WIRE_UNION_MAX);

    s->heads = g_new0(PvdHead, s->conf.heads);
    for (i = 0; i < s->conf.heads; i++) {
        PvdHead *h = &s->heads[i];

        h->connected = true;
        h->pref_width = s->conf.xres;
        h->pref_height = s->conf.yres;
        h->s = s;
        /* each console's callbacks get its own head */
        h->con = graphic_console_init(dev, i, &pvd_gfx_ops, h);
        /*
         * Until the guest shows something, a placeholder of the size the
         * head asks the guest for: a UI opens its window at the console's
         * size and reports that size back (ui_info), so with QEMU's 640x480
         * default the guest would be asked for 640x480.
         */
        dpy_gfx_replace_surface(h->con,
            qemu_create_placeholder_surface(s->conf.xres, s->conf.yres,
                                            "The guest has not shown "
                                            "anything on this head yet."));
    }
}

static void pvd_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(dev);
    uint32_t i;

    qemu_del_vm_change_state_handler(s->vmstate_change);
    pvd_reset(vdev);
    timer_free(s->log_timer);
    qemu_remove_exit_notifier(&s->log_at_exit);
    pvd_log_flush_suppressed(s);
    for (i = 0; i < s->conf.heads; i++) {
        graphic_console_close(s->heads[i].con);
    }
    if (s->cursor_vq) {
        qemu_bh_delete(s->cursor_bh);
        virtio_del_queue(vdev, PVDISPLAY_VQ_CURSOR);
        virtio_del_queue(vdev, PVDISPLAY_VQ_EVENT);
    }
    qemu_bh_delete(s->ctrl_bh);
    virtio_del_queue(vdev, PVDISPLAY_VQ_CONTROL);
    virtio_cleanup(vdev);
    g_hash_table_destroy(s->resource_table);
    g_free(s->heads);
    g_free(s->bounce);
    g_free(s->pieces);
}

/* ------------------------------------------------------------------ */
/* Migration */

/*
 * Migration load: what the stream says is checked in two ways.  Anything
 * the source itself could never have accepted (a resource breaking the
 * request rules, a duplicate id, a layout that does not fit its resource)
 * is an inconsistent stream and fails the migration.  Anything that only
 * this destination cannot take (its guest memory layout, its max-hostmem,
 * max-xres/max-yres, or features the guest has since renegotiated without)
 * costs the guest that resource or head, with a log line; the guest sees
 * INVALID_RESOURCE or a head that is off, as after a failed request, and
 * its next full update (or RESOURCE_CREATE) repairs what it can.
 */
static void G_GNUC_PRINTF(1, 2) pvd_load_drop(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    warn_report("virtio-pvdisplay: migration: %s", msg);
}

/*
 * Re-check and re-map one migrated resource.  Returns false on an
 * inconsistent stream (@why set); *@keep says whether it is usable here.
 */
static bool pvd_load_resource(VirtIOPVDisplay *s, PvdResource *res,
                              bool *keep, const char **why)
{
    PvdResourceCreate rc = {
        .resource_id = res->id,
        .nr_entries = res->nr_entries,
        .size = res->size,
    };
    PvdMemWalk walk;
    uint32_t i, bad;

    *keep = false;
    if (pvd_wire_check_resource(&rc, why) != PVDISPLAY_STATUS_OK) {
        return false;
    }
    if (pvd_resource_find(s, res->id)) {
        *why = "duplicate resource id";
        return false;
    }
    if (s->nr_resources >= PVD_MAX_RESOURCES) {
        *why = "too many resources";
        return false;
    }
    pvd_wire_mem_walk_init(&walk, &rc);
    for (i = 0; i < res->nr_entries; i++) {
        PvdMemEntry ent = { .addr = res->addr[i], .length = res->len[i] };

        if (pvd_wire_mem_walk_add(&walk, &ent, why) != PVDISPLAY_STATUS_OK) {
            return false;
        }
    }
    if (pvd_wire_mem_walk_finish(&walk, why) != PVDISPLAY_STATUS_OK) {
        return false;
    }

    res->hostmem = pvd_resource_cost(res->nr_entries);
    if (!pvd_hostmem_charge(s, 0, res->hostmem)) {
        res->hostmem = 0;
        pvd_load_drop("resource %u dropped: its bookkeeping exceeds "
                      "max-hostmem here", res->id);
        return true;
    }
    res->iov = g_new0(struct iovec, res->nr_entries);
    res->start = g_new(uint64_t, res->nr_entries);
    if (!pvd_resource_map(s, res, &bad)) {
        pvd_load_drop("resource %u dropped: entry %u (0x%" PRIx64
                      "+0x%x) is not guest RAM here", res->id, bad,
                      res->addr[bad], res->len[bad]);
        return true;
    }
    *keep = true;
    return true;
}

/* Re-check head @idx; a head this destination cannot show is turned off. */
static bool pvd_load_head(VirtIOPVDisplay *s, uint32_t idx,
                          const PvdWireLimits *lim, const char **why)
{
    PvdWireLimits any = {
        .num_heads = s->conf.heads,
        .max_width = PVD_MAX_DIM,
        .max_height = PVD_MAX_DIM,
        .edid = true,
        .extra_formats = true,
    };
    PvdHead *h = &s->heads[idx];
    PvdScanout sc = h->sc;
    const char *here = NULL;
    PvdResource *res;
    bool blank;

    /* What the host window asked for, within this destination's limits. */
    if (h->pref_width > s->conf.max_xres || h->pref_height >
        s->conf.max_yres || !h->pref_width || !h->pref_height) {
        h->pref_width = MAX(1, MIN(h->pref_width, s->conf.max_xres));
        h->pref_height = MAX(1, MIN(h->pref_height, s->conf.max_yres));
        s->events_pending |= PVDISPLAY_EVENT_DISPLAY;
    }

    memset(&h->sc, 0, sizeof(h->sc));
    if (!sc.resource_id) {
        return true;
    }
    /* Rules that hold whatever the destination and the features. */
    if (pvd_wire_check_scanout(&sc, &any, why) != PVDISPLAY_STATUS_OK) {
        return false;
    }
    res = pvd_resource_find(s, sc.resource_id);
    if (!res) {
        pvd_load_drop("head %u turned off: its resource %u is not "
                      "available here", idx, sc.resource_id);
        return true;
    }
    if (pvd_wire_check_scanout_fits(&sc, res->size, why) !=
        PVDISPLAY_STATUS_OK) {
        return false;
    }
    if (idx >= lim->num_heads) {
        here = "PVDISPLAY_F_MULTI_HEAD is not negotiated any more";
    }
    if (here ||
        pvd_wire_check_scanout(&sc, lim, &here) != PVDISPLAY_STATUS_OK ||
        pvd_head_set_scanout(s, idx, &sc, res, &blank,
                             &here) != PVDISPLAY_STATUS_OK) {
        pvd_load_drop("head %u turned off: %s", idx, here);
        pvd_head_disable(s, idx);
        return true;
    }
    pvd_head_show_all(s, idx);
    return true;
}

static int pvd_post_load(VirtIODevice *vdev)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(vdev);
    const char *why = NULL;
    PvdResource *res, *tmp;
    PvdWireLimits lim;
    uint32_t i;
    bool keep;

    pvd_limits(s, &lim);
    /*
     * The reset before a load freed every resource, not the placeholders
     * of the heads it turned off (a loadvm resets a running device): they
     * stay charged, and the loaded state is charged on top of them.
     */
    s->hostmem = 0;
    for (i = 0; i < s->conf.heads; i++) {
        s->hostmem += s->heads[i].surface_bytes;
    }
    s->nr_resources = 0;
    s->events_pending &= PVDISPLAY_EVENT_DISPLAY;

    QTAILQ_FOREACH_SAFE(res, &s->resources, next, tmp) {
        if (!pvd_load_resource(s, res, &keep, &why)) {
            goto fail;
        }
        if (!keep) {
            /* not indexed yet: pvd_resource_destroy() only unlinks it */
            pvd_resource_destroy(s, res);
            continue;
        }
        g_hash_table_insert(s->resource_table, GUINT_TO_POINTER(res->id),
                            res);
        s->nr_resources++;
    }

    for (i = 0; i < s->conf.heads; i++) {
        if (!pvd_load_head(s, i, &lim, &why)) {
            goto fail;
        }
    }
    for (i = 0; i < s->conf.heads; i++) {
        pvd_cursor_restore(&s->heads[i].cursor, s->heads[i].con);
    }
    return 0;

fail:
    error_report("virtio-pvdisplay: inconsistent migration stream: %s", why);
    return -EINVAL;
}

static int pvd_resource_pre_load(void *opaque)
{
    memset(opaque, 0, sizeof(PvdResource));
    return 0;
}

static bool pvd_resource_entries_valid(void *opaque, int version_id)
{
    PvdResource *res = opaque;

    return res->nr_entries >= 1 &&
           res->nr_entries <= PVDISPLAY_MAX_MEM_ENTRIES;
}

static const VMStateDescription vmstate_pvd_resource = {
    .name = "virtio-pvdisplay/resource",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = pvd_resource_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(id, PvdResource),
        VMSTATE_UINT64(size, PvdResource),
        VMSTATE_UINT32(nr_entries, PvdResource),
        VMSTATE_VALIDATE("nr_entries in range", pvd_resource_entries_valid),
        VMSTATE_VARRAY_UINT32_ALLOC(addr, PvdResource, nr_entries, 0,
                                    vmstate_info_uint64, uint64_t),
        VMSTATE_VARRAY_UINT32_ALLOC(len, PvdResource, nr_entries, 0,
                                    vmstate_info_uint32, uint32_t),
        VMSTATE_END_OF_LIST()
    },
};

static bool pvd_head_cursor_needed(void *opaque)
{
    PvdHead *h = opaque;

    return pvd_cursor_needed(&h->cursor);
}

static const VMStateDescription vmstate_pvd_head_cursor = {
    .name = "virtio-pvdisplay/head/cursor",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pvd_head_cursor_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(cursor, PvdHead, 1, vmstate_pvd_cursor, PvdCursor),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_pvd_head = {
    .name = "virtio-pvdisplay/head",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(sc.resource_id, PvdHead),
        VMSTATE_UINT32(sc.format, PvdHead),
        VMSTATE_UINT32(sc.offset, PvdHead),
        VMSTATE_UINT32(sc.stride, PvdHead),
        VMSTATE_UINT32(sc.fb_width, PvdHead),
        VMSTATE_UINT32(sc.fb_height, PvdHead),
        VMSTATE_UINT32(sc.src_x, PvdHead),
        VMSTATE_UINT32(sc.src_y, PvdHead),
        VMSTATE_UINT32(sc.src_width, PvdHead),
        VMSTATE_UINT32(sc.src_height, PvdHead),
        VMSTATE_BOOL(connected, PvdHead),
        VMSTATE_BOOL(pos_from_ui, PvdHead),
        VMSTATE_UINT32(pref_width, PvdHead),
        VMSTATE_UINT32(pref_height, PvdHead),
        VMSTATE_INT32(x, PvdHead),
        VMSTATE_INT32(y, PvdHead),
        VMSTATE_UINT32(refresh_mhz, PvdHead),
        VMSTATE_UINT16(width_mm, PvdHead),
        VMSTATE_UINT16(height_mm, PvdHead),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_pvd_head_cursor,
        NULL
    },
};

/* Device part, saved by virtio_save() after the virtio core state. */
static const VMStateDescription vmstate_pvd_device = {
    .name = "virtio-pvdisplay-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_EQUAL(conf.heads, VirtIOPVDisplay, NULL),
        VMSTATE_UINT32(events_pending, VirtIOPVDisplay),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(heads, VirtIOPVDisplay,
                                             conf.heads, vmstate_pvd_head,
                                             PvdHead),
        VMSTATE_QTAILQ_V(resources, VirtIOPVDisplay, 1, vmstate_pvd_resource,
                         PvdResource, next),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_virtio_pvdisplay = {
    .name = "virtio-pvdisplay",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_VIRTIO_DEVICE,
        VMSTATE_END_OF_LIST()
    },
};

/* ------------------------------------------------------------------ */

static const Property pvd_properties[] = {
    DEFINE_PROP_UINT32("heads", VirtIOPVDisplay, conf.heads, 1),
    DEFINE_PROP_UINT32("xres", VirtIOPVDisplay, conf.xres, 1280),
    DEFINE_PROP_UINT32("yres", VirtIOPVDisplay, conf.yres, 800),
    DEFINE_PROP_UINT32("max-xres", VirtIOPVDisplay, conf.max_xres, 7680),
    DEFINE_PROP_UINT32("max-yres", VirtIOPVDisplay, conf.max_yres, 4320),
    DEFINE_PROP_BOOL("edid", VirtIOPVDisplay, conf.edid, true),
    DEFINE_PROP_BOOL("cursor", VirtIOPVDisplay, conf.cursor, true),
    DEFINE_PROP_UINT32("cursor-size", VirtIOPVDisplay, conf.cursor_size, 64),
    DEFINE_PROP_BOOL("crc", VirtIOPVDisplay, conf.crc, true),
    DEFINE_PROP_SIZE("max-hostmem", VirtIOPVDisplay, conf.max_hostmem,
                     256 * MiB),
    DEFINE_PROP_BOOL("zero-copy", VirtIOPVDisplay, conf.zero_copy, true),
    DEFINE_PROP_UINT32("max-view-maps", VirtIOPVDisplay, conf.max_view_maps,
                       16384),
};

static void pvd_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    dc->desc = "paravirtual display (pvdisplay)";
    dc->hotpluggable = false;
    dc->vmsd = &vmstate_virtio_pvdisplay;
    device_class_set_props(dc, pvd_properties);
    object_class_property_set_description(klass, "heads",
        "Number of heads (outputs), 1-16");
    object_class_property_set_description(klass, "xres",
        "Initial preferred width of every head");
    object_class_property_set_description(klass, "yres",
        "Initial preferred height of every head");
    object_class_property_set_description(klass, "max-xres",
        "Largest scanout width the guest may use, up to 16384");
    object_class_property_set_description(klass, "max-yres",
        "Largest scanout height the guest may use, up to 16384");
    object_class_property_set_description(klass, "edid",
        "Offer EDID (PVDISPLAY_F_EDID)");
    object_class_property_set_description(klass, "cursor",
        "Offer a cursor per head (PVDISPLAY_F_CURSOR)");
    object_class_property_set_description(klass, "cursor-size",
        "Largest cursor image, square, 64-512");
    object_class_property_set_description(klass, "crc",
        "Offer CRCs of what a head shows (PVDISPLAY_F_CRC)");
    object_class_property_set_description(klass, "max-hostmem",
        "Host memory the guest can make the device allocate "
        "(surfaces and placeholders, resource bookkeeping, page tables "
        "of zero-copy views)");
    object_class_property_set_description(klass, "zero-copy",
        "Show guest pages directly when guest RAM is a shared file "
        "(off: always copy into a surface of the device's own)");
    object_class_property_set_description(klass, "max-view-maps",
        "Host mappings the device may hold for zero-copy views");

    vdc->realize = pvd_realize;
    vdc->unrealize = pvd_unrealize;
    vdc->get_features = pvd_get_features;
    vdc->set_features = pvd_set_features;
    vdc->get_config = pvd_get_config;
    vdc->set_config = pvd_set_config;
    vdc->reset = pvd_reset;
    vdc->post_load = pvd_post_load;
    vdc->vmsd = &vmstate_pvd_device;
}

/* "W H HOT_X HOT_Y X Y VISIBLE" per head, one line each, for tests. */
static char *pvd_get_x_cursor(Object *obj, Error **errp)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(obj);
    GString *out = g_string_new("");
    uint32_t i;

    for (i = 0; s->heads && i < s->conf.heads; i++) {
        g_autofree char *line = pvd_cursor_describe(&s->heads[i].cursor);

        g_string_append_printf(out, "%s\n", line);
    }
    return g_string_free(out, false);
}

static bool pvd_get_test_corrupt_copy(Object *obj, Error **errp)
{
    return VIRTIO_PVDISPLAY(obj)->test_corrupt_copy;
}

static void pvd_set_test_corrupt_copy(Object *obj, bool value, Error **errp)
{
    VIRTIO_PVDISPLAY(obj)->test_corrupt_copy = value;
}

static void pvd_instance_init(Object *obj)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(obj);

    object_property_add_uint64_ptr(obj, "x-stats-updates",
                                   &s->stats_updates, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-stats-bytes-read",
                                   &s->stats_bytes_read, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-stats-view-updates",
                                   &s->stats_view_updates,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-stats-cursor-sets",
                                   &s->stats_cursor_sets, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-stats-cursor-moves",
                                   &s->stats_cursor_moves, OBJ_PROP_FLAG_READ);
    object_property_add_str(obj, "x-cursor", pvd_get_x_cursor, NULL);
    object_property_add_bool(obj, "x-test-corrupt-copy",
                             pvd_get_test_corrupt_copy,
                             pvd_set_test_corrupt_copy);
    object_property_set_description(obj, "x-test-corrupt-copy",
        "Testing only: damage the first pixel of every copied rectangle");
    s->fault = g_new0(PvdFault, 1);
    pvd_fault_init(s->fault, obj, pvd_fault_resume, pvd_fault_config_event,
                   s);
}

static void pvd_instance_finalize(Object *obj)
{
    VirtIOPVDisplay *s = VIRTIO_PVDISPLAY(obj);

    pvd_fault_cleanup(s->fault);
    g_free(s->fault);
}

static const TypeInfo pvd_info = {
    .name = TYPE_VIRTIO_PVDISPLAY,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOPVDisplay),
    .instance_init = pvd_instance_init,
    .instance_finalize = pvd_instance_finalize,
    .class_init = pvd_class_init,
};

static void pvd_register_types(void)
{
    type_register_static(&pvd_info);
}

type_init(pvd_register_types)
