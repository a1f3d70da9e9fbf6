/*
 * virtio-pvdisplay fault plan: a test-only hostile device
 *
 * The QOM property "x-fault" of virtio-pvdisplay-device takes a plan, a
 * list of "key[=value]" items separated by ';', that makes the device
 * answer the way a buggy or malicious device would, so that the guest
 * driver's handling of it can be tested.  Empty: a well-behaved device.
 * See docs/device.md ("Fault plan") for the keys.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DISPLAY_PVDISPLAY_FAULT_H
#define HW_DISPLAY_PVDISPLAY_FAULT_H

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-pvdisplay.h"
#include "qemu/timer.h"
#include "standard-headers/drm/pvdisplay.h"

typedef struct PvdFaultPlan {
    uint32_t cmd;               /* request type faulted, 0: every type */
    int64_t count;              /* requests left to fault, -1: no limit */
    int64_t resp_len;           /* reported used length, -1: the real one */
    int64_t status;             /* status written, -1: the real one */
    int64_t num_heads;          /* GET_DISPLAY_INFO num_heads, -1: real */
    int64_t head_width;         /* every head's width, -1: real */
    int64_t head_height;        /* every head's height, -1: real */
    bool garbage;               /* response body after the header: noise */
    uint32_t seed;              /* of the noise */
    bool edid_checksum;         /* GET_EDID: a wrong checksum */
    int64_t edid_size;          /* GET_EDID size field, -1: real */
    int64_t delay_ms;           /* answer this late, -1: at once */
    bool drop;                  /* never answer (until reset) */
    bool cursor_drop;           /* leave the cursor queue unserved */
    int64_t cfg_heads;          /* config num_heads, -1: real */
    int64_t cfg_max_width;      /* config max_width, -1: real */
    int64_t cfg_max_height;     /* config max_height, -1: real */
    uint32_t storm;             /* configuration-change interrupts to send */
} PvdFaultPlan;

struct PvdFault {
    char *text;                 /* the plan as set, "" for none */
    PvdFaultPlan plan;
    bool armed;                 /* a plan is set */
    uint64_t hits;              /* requests faulted ("x-fault-hits") */

    VirtIODevice *vdev;
    VirtQueue *vq;
    /* continue processing the queue after a held request was answered */
    void (*resume)(void *opaque);
    /* raise a display-change event and a configuration interrupt */
    void (*config_event)(void *opaque);
    void *opaque;

    VirtQueueElement *held;     /* answered request not yet handed back */
    size_t held_len;
    QEMUTimer *held_timer;      /* hands it back (delay) */
    QEMUTimer *storm_timer;
    uint32_t storm_left;
};

/* instance_init: adds the "x-fault" property to @owner */
void pvd_fault_init(PvdFault *f, Object *owner, void (*resume)(void *opaque),
                    void (*config_event)(void *opaque), void *opaque);
/* realize: the queue whose answers the plan rewrites */
void pvd_fault_attach(PvdFault *f, VirtIODevice *vdev, VirtQueue *vq);
/* instance_finalize */
void pvd_fault_cleanup(PvdFault *f);
bool pvd_fault_parse(const char *text, PvdFaultPlan *plan, Error **errp);

/* The queue waits behind a held request. */
bool pvd_fault_stalled(const PvdFault *f);
/*
 * The cursor queue is not served: its requests stay in the ring, unanswered,
 * until the plan is cleared and the guest notifies the queue again, or a
 * reset.  Not counted in "x-fault-hits".
 */
bool pvd_fault_cursor_stalled(const PvdFault *f);

/*
 * Called with a request whose answer is in @elem->in_sg, @len bytes long.
 * May rewrite the answer and @len.  Returns true if the fault plan keeps
 * @elem (answered later, or never): the caller must neither push nor free
 * it and must stop processing the queue.
 */
bool pvd_fault_answer(PvdFault *f, VirtQueueElement *elem, size_t *len);

/* Rewrites the configuration space the driver reads. */
void pvd_fault_config(const PvdFault *f, struct pvdisplay_config *cfg);

/* Device reset: a held request is dropped with the queue.  The plan stays. */
void pvd_fault_reset(PvdFault *f);

#endif /* HW_DISPLAY_PVDISPLAY_FAULT_H */
