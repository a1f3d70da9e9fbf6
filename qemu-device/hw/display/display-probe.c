/*
 * x-display-probe: measure when a console shows what the guest drew
 *
 * A benchmark instrument, not a device a guest would use.  It watches one
 * graphic console as a display change listener, exactly like a UI (VNC,
 * GTK) does, so it works the same whatever display device feeds the
 * console: pvdisplay, virtio-gpu, bochs-display.
 *
 * The guest benchmark writes a sequence number S, encoded as the colour
 * 0xRRGGBB = S & 0xffffff, into the pixels of an update and at some probe
 * points, then writes S to the MARK register right before the ioctl that
 * reports the update.  S counts as shown once every probe point has been
 * covered by a dpy_gfx_update() of the console while the surface held a
 * value >= S there: the UI was told, and the pixels were in the surface.
 * Latency = time shown - time marked, both on the host's monotonic clock,
 * so guest and host clocks never need to agree.
 *
 * Registers (32-bit, little endian, at "iobase" in I/O space):
 *   0x0  write: MARK S (S >= 1, increasing)   read: highest S shown
 *   0x4  write: RESET records, probes and counters
 *   0x8  write: ADD_PROBE x | y << 16 (at most PROBE_MAX_POINTS)
 *
 * QOM properties: "dump" (write a path: the records and counters are
 * written there as text), "resize" (write "WxH": asks the console's device
 * for that size as a UI would, through dpy_set_ui_info()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "exec/cpu-common.h"
#include "hw/isa/isa.h"
#include "hw/qdev-properties.h"
#include "ui/console.h"

#define TYPE_DISPLAY_PROBE "x-display-probe"
OBJECT_DECLARE_SIMPLE_TYPE(DisplayProbe, DISPLAY_PROBE)

#define PROBE_MAX_POINTS        8
#define PROBE_MAX_RECORDS       (1u << 17)
#define PROBE_REG_MARK          0x0
#define PROBE_REG_RESET         0x4
#define PROBE_REG_ADD_PROBE     0x8
#define PROBE_IO_SIZE           16

typedef struct ProbeRecord {
    uint32_t seq;
    int64_t marked;
    int64_t shown;              /* 0: not yet */
} ProbeRecord;

typedef struct ProbePoint {
    uint32_t x, y;
    uint32_t seen;              /* highest value seen under an update */
} ProbePoint;

struct DisplayProbe {
    ISADevice parent_obj;

    uint32_t iobase;
    char *display;
    uint32_t head;

    MemoryRegion io;
    DisplayChangeListener dcl;
    DisplaySurface *ds;

    ProbePoint points[PROBE_MAX_POINTS];
    uint32_t nr_points;
    ProbeRecord *rec;           /* [PROBE_MAX_RECORDS], by seq */
    uint32_t marked_max;        /* highest seq marked */
    uint32_t shown_max;         /* highest seq shown */
    uint32_t nr_marks;

    /* counters since RESET */
    int64_t reset_time;
    uint64_t updates;           /* dpy_gfx_update() calls */
    uint64_t update_pixels;     /* area they announced */
    uint64_t switches;          /* dpy_gfx_switch() calls */

    /* host resize request */
    uint32_t resize_w, resize_h;
    int64_t resize_req;         /* 0: none pending */
    int64_t resize_switch;
    int64_t resize_update;
};

static int64_t probe_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

static ProbeRecord *probe_rec(DisplayProbe *s, uint32_t seq)
{
    ProbeRecord *r = &s->rec[seq % PROBE_MAX_RECORDS];

    return r->seq == seq ? r : NULL;
}

/* Every probe has seen >= @upto: mark the records up to there shown. */
static void probe_shown(DisplayProbe *s, uint32_t upto, int64_t now)
{
    uint32_t seq, first;

    upto = MIN(upto, s->marked_max);
    if (upto <= s->shown_max) {
        return;
    }
    /* only the last PROBE_MAX_RECORDS marks can still be pending */
    first = MAX(s->shown_max + 1,
                upto >= PROBE_MAX_RECORDS ? upto - PROBE_MAX_RECORDS + 1 : 1);
    for (seq = first; seq <= upto; seq++) {
        ProbeRecord *r = probe_rec(s, seq);

        if (r && !r->shown) {
            r->shown = now;
        }
    }
    s->shown_max = upto;
}

static uint32_t probe_points_min(DisplayProbe *s)
{
    uint32_t i, lo = UINT32_MAX;

    for (i = 0; i < s->nr_points; i++) {
        lo = MIN(lo, s->points[i].seen);
    }
    return s->nr_points ? lo : 0;
}

static uint32_t probe_pixel(DisplaySurface *ds, uint32_t x, uint32_t y)
{
    const uint8_t *row;

    if (x >= surface_width(ds) || y >= surface_height(ds) ||
        PIXMAN_FORMAT_BPP(surface_format(ds)) != 32) {
        return 0;
    }
    row = (const uint8_t *)surface_data(ds) + (size_t)y * surface_stride(ds);
    return ldl_he_p(row + x * 4) & 0xffffff;
}

static void probe_gfx_update(DisplayChangeListener *dcl,
                             int x, int y, int w, int h)
{
    DisplayProbe *s = container_of(dcl, DisplayProbe, dcl);
    int64_t now = probe_now();
    uint32_t i;

    s->updates++;
    s->update_pixels += (uint64_t)MAX(w, 0) * MAX(h, 0);
    if (s->resize_req && s->resize_switch && !s->resize_update) {
        s->resize_update = now;
    }
    if (!s->ds) {
        return;
    }
    for (i = 0; i < s->nr_points; i++) {
        ProbePoint *p = &s->points[i];
        uint32_t v;

        if (p->x < x || p->y < y || p->x >= (int64_t)x + w ||
            p->y >= (int64_t)y + h) {
            continue;
        }
        v = probe_pixel(s->ds, p->x, p->y);
        /* values beyond what was marked are pixels drawn ahead: keep them */
        p->seen = MAX(p->seen, v);
    }
    probe_shown(s, probe_points_min(s), now);
}

static void probe_gfx_switch(DisplayChangeListener *dcl,
                             DisplaySurface *new_surface)
{
    DisplayProbe *s = container_of(dcl, DisplayProbe, dcl);

    s->ds = new_surface;
    s->switches++;
    if (new_surface && s->resize_req && !s->resize_switch &&
        surface_width(new_surface) == s->resize_w &&
        surface_height(new_surface) == s->resize_h) {
        s->resize_switch = probe_now();
    }
}

static void probe_refresh(DisplayChangeListener *dcl)
{
    /* what a UI does on its refresh timer: devices that poll draw now */
    graphic_hw_update(dcl->con);
}

static const DisplayChangeListenerOps probe_dcl_ops = {
    .dpy_name = TYPE_DISPLAY_PROBE,
    .dpy_refresh = probe_refresh,
    .dpy_gfx_update = probe_gfx_update,
    .dpy_gfx_switch = probe_gfx_switch,
};

static void probe_reset_records(DisplayProbe *s)
{
    memset(s->rec, 0, sizeof(ProbeRecord) * PROBE_MAX_RECORDS);
    memset(s->points, 0, sizeof(s->points));
    s->nr_points = 0;
    s->marked_max = s->shown_max = s->nr_marks = 0;
    s->updates = s->update_pixels = s->switches = 0;
    s->reset_time = probe_now();
}

static uint64_t probe_read(void *opaque, hwaddr addr, unsigned size)
{
    DisplayProbe *s = opaque;

    return addr == PROBE_REG_MARK ? s->shown_max : 0;
}

static void probe_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    DisplayProbe *s = opaque;
    uint32_t seq = val;

    switch (addr) {
    case PROBE_REG_MARK:
        if (seq <= s->marked_max) {
            return;             /* sequence numbers only grow */
        }
        s->rec[seq % PROBE_MAX_RECORDS] = (ProbeRecord) {
            .seq = seq,
            .marked = probe_now(),
        };
        s->marked_max = seq;
        s->nr_marks++;
        /* pixels already announced before the ioctl: latency 0 */
        probe_shown(s, probe_points_min(s), s->rec[seq %
                    PROBE_MAX_RECORDS].marked);
        break;
    case PROBE_REG_RESET:
        probe_reset_records(s);
        break;
    case PROBE_REG_ADD_PROBE:
        if (s->nr_points < PROBE_MAX_POINTS) {
            s->points[s->nr_points++] = (ProbePoint) {
                .x = val & 0xffff,
                .y = (val >> 16) & 0xffff,
            };
        }
        break;
    }
}

static const MemoryRegionOps probe_io_ops = {
    .read = probe_read,
    .write = probe_write,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .impl.min_access_size = 4,
    .impl.max_access_size = 4,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static void probe_set_dump(Object *obj, const char *path, Error **errp)
{
    DisplayProbe *s = DISPLAY_PROBE(obj);
    uint32_t first, seq;
    FILE *f;

    f = fopen(path, "w");
    if (!f) {
        error_setg_errno(errp, errno, "cannot write %s", path);
        return;
    }
    fprintf(f, "reset_ns %" PRId64 "\n", s->reset_time);
    fprintf(f, "now_ns %" PRId64 "\n", probe_now());
    fprintf(f, "marks %u\nmarked_max %u\nshown_max %u\n", s->nr_marks,
            s->marked_max, s->shown_max);
    fprintf(f, "updates %" PRIu64 "\nupdate_pixels %" PRIu64 "\n",
            s->updates, s->update_pixels);
    fprintf(f, "switches %" PRIu64 "\n", s->switches);
    if (s->ds) {
        ram_addr_t off;
        bool in_guest = qemu_ram_block_from_host(surface_data(s->ds), false,
                                                 &off) != NULL;

        fprintf(f, "surface %dx%d stride %d guest_ram %d placeholder %d\n",
                surface_width(s->ds), surface_height(s->ds),
                surface_stride(s->ds), in_guest,
                surface_is_placeholder(s->ds) ? 1 : 0);
    }
    fprintf(f, "resize %ux%u req %" PRId64 " switch %" PRId64
            " update %" PRId64 "\n", s->resize_w, s->resize_h,
            s->resize_req, s->resize_switch, s->resize_update);
    first = s->marked_max >= PROBE_MAX_RECORDS ?
            s->marked_max - PROBE_MAX_RECORDS + 1 : 1;
    for (seq = first; seq && seq <= s->marked_max; seq++) {
        ProbeRecord *r = probe_rec(s, seq);

        if (r) {
            fprintf(f, "rec %u %" PRId64 " %" PRId64 "\n", r->seq, r->marked,
                    r->shown);
        }
    }
    fclose(f);
}

static void probe_set_resize(Object *obj, const char *value, Error **errp)
{
    DisplayProbe *s = DISPLAY_PROBE(obj);
    QemuUIInfo info;
    unsigned int w, h;

    if (!s->dcl.con) {
        error_setg(errp, "not realized");
        return;
    }
    if (sscanf(value, "%ux%u", &w, &h) != 2 || !w || !h) {
        error_setg(errp, "resize wants WxH");
        return;
    }
    info = *dpy_get_ui_info(s->dcl.con);
    info.width = w;
    info.height = h;
    s->resize_w = w;
    s->resize_h = h;
    s->resize_req = probe_now();
    s->resize_switch = s->resize_update = 0;
    if (dpy_set_ui_info(s->dcl.con, &info, false) < 0) {
        error_setg(errp, "the console's device takes no size from the UI");
        s->resize_req = 0;
    }
}

static void probe_realize(DeviceState *dev, Error **errp)
{
    DisplayProbe *s = DISPLAY_PROBE(dev);
    ISADevice *isa = ISA_DEVICE(dev);
    QemuConsole *con;

    if (!s->display) {
        error_setg(errp, "property 'display' (a display device id) needed");
        return;
    }
    con = qemu_console_lookup_by_device_name(s->display, s->head, errp);
    if (!con) {
        return;
    }
    s->rec = g_new0(ProbeRecord, PROBE_MAX_RECORDS);
    probe_reset_records(s);
    memory_region_init_io(&s->io, OBJECT(dev), &probe_io_ops, s,
                          TYPE_DISPLAY_PROBE, PROBE_IO_SIZE);
    isa_register_ioport(isa, &s->io, s->iobase);

    s->dcl.ops = &probe_dcl_ops;
    s->dcl.con = con;
    register_displaychangelistener(&s->dcl);
}

static const Property probe_properties[] = {
    DEFINE_PROP_UINT32("iobase", DisplayProbe, iobase, 0x5e0),
    DEFINE_PROP_STRING("display", DisplayProbe, display),
    DEFINE_PROP_UINT32("head", DisplayProbe, head, 0),
};

static void probe_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = probe_realize;
    dc->desc = "benchmark probe: when a console shows guest pixels";
    dc->hotpluggable = false;
    dc->user_creatable = true;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, probe_properties);
    object_class_property_add_str(klass, "dump", NULL, probe_set_dump);
    object_class_property_add_str(klass, "resize", NULL, probe_set_resize);
}

static const TypeInfo probe_info = {
    .name = TYPE_DISPLAY_PROBE,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DisplayProbe),
    .class_init = probe_class_init,
};

static void probe_register_types(void)
{
    type_register_static(&probe_info);
}

type_init(probe_register_types)
