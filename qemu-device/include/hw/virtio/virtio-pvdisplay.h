/*
 * virtio-pvdisplay: paravirtual display device
 *
 * Wire protocol: include/standard-headers/drm/pvdisplay.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_VIRTIO_PVDISPLAY_H
#define HW_VIRTIO_PVDISPLAY_H

#include "hw/virtio/virtio.h"
#include "qemu/queue.h"
#include "qom/object.h"

#define TYPE_VIRTIO_PVDISPLAY "virtio-pvdisplay-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOPVDisplay, VIRTIO_PVDISPLAY)

/* Private to hw/display/virtio-pvdisplay.c. */
typedef struct PvdHead PvdHead;
typedef struct PvdResource PvdResource;
/* hw/display/pvdisplay-fault.h */
typedef struct PvdFault PvdFault;

typedef struct VirtIOPVDisplayConf {
    uint32_t heads;             /* "heads", 1..PVDISPLAY_MAX_HEADS */
    uint32_t xres;              /* "xres", initial preferred width */
    uint32_t yres;              /* "yres", initial preferred height */
    uint32_t max_xres;          /* "max-xres", config max_width */
    uint32_t max_yres;          /* "max-yres", config max_height */
    bool edid;                  /* "edid", offer PVDISPLAY_F_EDID */
    bool cursor;                /* "cursor", offer PVDISPLAY_F_CURSOR */
    uint32_t cursor_size;       /* "cursor-size", config cursor_max_* */
    bool crc;                   /* "crc", offer PVDISPLAY_F_CRC */
    uint64_t max_hostmem;       /* "max-hostmem", guest-driven host memory */
    bool zero_copy;             /* "zero-copy", show guest pages directly */
    uint32_t max_view_maps;     /* "max-view-maps", mappings for views */
} VirtIOPVDisplayConf;

struct VirtIOPVDisplay {
    VirtIODevice parent_obj;

    VirtIOPVDisplayConf conf;
    VirtQueue *ctrl_vq;
    QEMUBH *ctrl_bh;
    VirtQueue *event_vq;        /* with conf.cursor: index 1, unused yet */
    VirtQueue *cursor_vq;       /* with conf.cursor: index 2 */
    QEMUBH *cursor_bh;
    VMChangeStateEntry *vmstate_change; /* restarts both queues' processing */

    uint32_t events_pending;    /* config events_pending */
    PvdHead *heads;             /* [conf.heads] */

    QTAILQ_HEAD(, PvdResource) resources;
    GHashTable *resource_table; /* resource id -> PvdResource */
    uint32_t nr_resources;
    uint64_t hostmem;           /* bytes charged against max_hostmem */

    uint8_t *bounce;            /* pixel format conversion buffer */
    size_t bounce_size;
    /* disjoint pieces of one update's damage, see pvd_head_show() */
    struct PvdRect *pieces;     /* [PVD_WIRE_UNION_MAX] */
    uint64_t batch_bytes;       /* copied in this run of the control queue */
    uint32_t view_maps;         /* host mappings held by resource views */

    /*
     * Read-only QOM properties "x-stats-updates", "x-stats-bytes-read",
     * "x-stats-cursor-sets" and "x-stats-cursor-moves", for tests and
     * benchmarks: what the guest asked for and what it cost.
     * Never reset and not migrated: a reader compares two samples.
     */
    uint64_t stats_updates;     /* SCANOUT_UPDATE requests completed */
    uint64_t stats_bytes_read;  /* guest memory read to refresh consoles */
    uint64_t stats_view_updates; /* updates shown without copying */
    uint64_t stats_cursor_sets; /* cursor images copied (CURSOR_SET shown) */
    uint64_t stats_cursor_moves; /* CURSOR_MOVE requests completed */

    /* test only: the "x-fault" plan, see hw/display/pvdisplay-fault.h */
    PvdFault *fault;

    /*
     * "x-test-corrupt-copy", settable at run time: damage what is copied,
     * so that tests can show the CRC notices.  Not migrated.
     */
    bool test_corrupt_copy;

    /* rate limit of guest error messages */
    int64_t log_window_start;
    uint32_t log_count;
    uint32_t log_suppressed;
    QEMUTimer *log_timer;       /* logs the count left out at window end */
    Notifier log_at_exit;       /* and when QEMU exits first */
};

#endif /* HW_VIRTIO_PVDISPLAY_H */
