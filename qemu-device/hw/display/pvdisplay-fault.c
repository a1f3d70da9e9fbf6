/*
 * virtio-pvdisplay fault plan: a test-only hostile device
 *
 * Nothing here runs unless a test sets the "x-fault" property: the device
 * then rewrites its own well-formed answers (lengths, statuses, head counts
 * and sizes, EDIDs, configuration space), answers late or never, or raises
 * configuration-change interrupts in a burst.  The guest sees a device it
 * must not trust; the host side stays consistent (a rewritten answer never
 * changes what the device did).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qom/object.h"
#include "pvdisplay-fault.h"
#include "trace.h"

/* Interval of the configuration-change interrupts of "storm". */
#define PVD_FAULT_STORM_NS  (1 * SCALE_MS)
/* Longest answer a fault rewrites (GET_EDID's). */
#define PVD_FAULT_RESP_MAX  sizeof(struct pvdisplay_resp_edid)

static const struct {
    const char *name;
    uint32_t type;
} pvd_fault_cmds[] = {
    { "all", 0 },
    { "info", PVDISPLAY_CMD_GET_DISPLAY_INFO },
    { "edid", PVDISPLAY_CMD_GET_EDID },
    { "create", PVDISPLAY_CMD_RESOURCE_CREATE },
    { "destroy", PVDISPLAY_CMD_RESOURCE_DESTROY },
    { "update", PVDISPLAY_CMD_SCANOUT_UPDATE },
};

static bool pvd_fault_int(const char *key, const char *val, int64_t min,
                          int64_t max, int64_t *out, Error **errp)
{
    int64_t v;

    if (!val || qemu_strtoi64(val, NULL, 0, &v) || v < min || v > max) {
        error_setg(errp, "x-fault: %s needs a number in %" PRId64
                   "..%" PRId64, key, min, max);
        return false;
    }
    *out = v;
    return true;
}

static bool pvd_fault_size(const char *key, const char *val, int64_t *w,
                           int64_t *h, Error **errp)
{
    g_auto(GStrv) wh = val ? g_strsplit(val, "x", 2) : NULL;

    if (!wh || !wh[0] || !wh[1]) {
        error_setg(errp, "x-fault: %s needs WIDTHxHEIGHT", key);
        return false;
    }
    return pvd_fault_int(key, wh[0], 0, UINT32_MAX, w, errp) &&
           pvd_fault_int(key, wh[1], 0, UINT32_MAX, h, errp);
}

/**
 * pvd_fault_parse: parse a fault plan
 *
 * @text: "key[=value];..." (see docs/device.md), "" for none
 * @plan: the plan, on success
 */
bool pvd_fault_parse(const char *text, PvdFaultPlan *plan, Error **errp)
{
    g_auto(GStrv) items = g_strsplit(text, ";", 0);
    PvdFaultPlan p = {
        .count = -1, .resp_len = -1, .status = -1, .num_heads = -1,
        .head_width = -1, .head_height = -1, .edid_size = -1,
        .delay_ms = -1, .cfg_heads = -1, .cfg_max_width = -1,
        .cfg_max_height = -1,
    };
    int64_t v;
    size_t i, j;

    for (i = 0; items[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(g_strstrip(items[i]), "=", 2);
        const char *key = kv[0], *val = kv[0] ? kv[1] : NULL;

        if (!key || !*key) {
            continue;
        }
        if (!strcmp(key, "cmd")) {
            for (j = 0; j < ARRAY_SIZE(pvd_fault_cmds); j++) {
                if (val && !strcmp(val, pvd_fault_cmds[j].name)) {
                    break;
                }
            }
            if (j == ARRAY_SIZE(pvd_fault_cmds)) {
                error_setg(errp, "x-fault: cmd is one of all, info, edid, "
                           "create, destroy, update");
                return false;
            }
            p.cmd = pvd_fault_cmds[j].type;
        } else if (!strcmp(key, "count")) {
            if (!pvd_fault_int(key, val, 1, INT64_MAX, &p.count, errp)) {
                return false;
            }
        } else if (!strcmp(key, "len")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &p.resp_len, errp)) {
                return false;
            }
        } else if (!strcmp(key, "status")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &p.status, errp)) {
                return false;
            }
        } else if (!strcmp(key, "num-heads")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &p.num_heads, errp)) {
                return false;
            }
        } else if (!strcmp(key, "head-size")) {
            if (!pvd_fault_size(key, val, &p.head_width, &p.head_height,
                                errp)) {
                return false;
            }
        } else if (!strcmp(key, "garbage")) {
            p.garbage = true;
        } else if (!strcmp(key, "seed")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &v, errp)) {
                return false;
            }
            p.seed = v;
        } else if (!strcmp(key, "edid-checksum")) {
            p.edid_checksum = true;
        } else if (!strcmp(key, "edid-size")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &p.edid_size, errp)) {
                return false;
            }
        } else if (!strcmp(key, "delay")) {
            if (!pvd_fault_int(key, val, 0, 600000, &p.delay_ms, errp)) {
                return false;
            }
        } else if (!strcmp(key, "drop")) {
            p.drop = true;
        } else if (!strcmp(key, "cursor-drop")) {
            p.cursor_drop = true;
        } else if (!strcmp(key, "cfg-heads")) {
            if (!pvd_fault_int(key, val, 0, UINT32_MAX, &p.cfg_heads, errp)) {
                return false;
            }
        } else if (!strcmp(key, "cfg-max")) {
            if (!pvd_fault_size(key, val, &p.cfg_max_width,
                                &p.cfg_max_height, errp)) {
                return false;
            }
        } else if (!strcmp(key, "storm")) {
            if (!pvd_fault_int(key, val, 1, 100000, &v, errp)) {
                return false;
            }
            p.storm = v;
        } else {
            error_setg(errp, "x-fault: unknown key '%s'", key);
            return false;
        }
    }
    *plan = p;
    return true;
}

static void pvd_fault_release_held(PvdFault *f, bool answer)
{
    VirtQueueElement *elem = f->held;

    if (!elem) {
        return;
    }
    f->held = NULL;
    timer_del(f->held_timer);
    if (answer) {
        virtqueue_push(f->vq, elem, f->held_len);
        virtio_notify(f->vdev, f->vq);
    } else {
        virtqueue_detach_element(f->vq, elem, 0);
    }
    g_free(elem);
}

static void pvd_fault_held_timer(void *opaque)
{
    PvdFault *f = opaque;

    trace_virtio_pvdisplay_fault("late answer", 0);
    pvd_fault_release_held(f, true);
    f->resume(f->opaque);
}

static void pvd_fault_storm_timer(void *opaque)
{
    PvdFault *f = opaque;

    if (!f->storm_left) {
        return;
    }
    f->storm_left--;
    f->config_event(f->opaque);
    if (f->storm_left) {
        timer_mod(f->storm_timer,
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + PVD_FAULT_STORM_NS);
    }
}

static void pvd_fault_get(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    PvdFault *f = opaque;
    char *text = g_strdup(f->text);

    visit_type_str(v, name, &text, errp);
    g_free(text);
}

static void pvd_fault_set(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    PvdFault *f = opaque;
    PvdFaultPlan plan;
    g_autofree char *text = NULL;

    if (!visit_type_str(v, name, &text, errp) ||
        !pvd_fault_parse(text, &plan, errp)) {
        return;
    }
    g_free(f->text);
    f->text = g_steal_pointer(&text);
    f->plan = plan;
    f->armed = *f->text != '\0';
    trace_virtio_pvdisplay_fault(f->text, plan.cmd);

    /* a request held before keeps its fate: late answer or none */
    f->storm_left = plan.storm;
    if (f->storm_left && f->storm_timer) {
        timer_mod(f->storm_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    }
}

/**
 * pvd_fault_init: add the "x-fault" property to @owner
 *
 * @resume: continues processing the queue once a held request was answered
 * @config_event: raises a display-change event with a config interrupt
 */
void pvd_fault_init(PvdFault *f, Object *owner, void (*resume)(void *opaque),
                    void (*config_event)(void *opaque), void *opaque)
{
    f->text = g_strdup("");
    pvd_fault_parse("", &f->plan, &error_abort);
    f->resume = resume;
    f->config_event = config_event;
    f->opaque = opaque;
    f->held_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, pvd_fault_held_timer, f);
    f->storm_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pvd_fault_storm_timer,
                                  f);
    object_property_add(owner, "x-fault", "str", pvd_fault_get,
                        pvd_fault_set, NULL, f);
    object_property_set_description(owner, "x-fault",
        "Test only: a fault plan that makes the device misbehave "
        "(docs/device.md)");
    object_property_add_uint64_ptr(owner, "x-fault-hits", &f->hits,
                                   OBJ_PROP_FLAG_READ);
}

void pvd_fault_attach(PvdFault *f, VirtIODevice *vdev, VirtQueue *vq)
{
    f->vdev = vdev;
    f->vq = vq;
}

void pvd_fault_cleanup(PvdFault *f)
{
    pvd_fault_release_held(f, false);
    timer_free(f->held_timer);
    timer_free(f->storm_timer);
    f->held_timer = f->storm_timer = NULL;
    g_free(f->text);
    f->text = NULL;
}

bool pvd_fault_stalled(const PvdFault *f)
{
    return f->held != NULL;
}

bool pvd_fault_cursor_stalled(const PvdFault *f)
{
    return f->armed && f->plan.cursor_drop;
}

static void pvd_fault_put32(uint8_t *buf, size_t len, size_t off,
                            uint32_t val)
{
    if (off + 4 <= len) {
        stl_le_p(buf + off, val);
    }
}

bool pvd_fault_answer(PvdFault *f, VirtQueueElement *elem, size_t *len)
{
    const PvdFaultPlan *p = &f->plan;
    uint8_t resp[PVD_FAULT_RESP_MAX];
    struct pvdisplay_ctrl_hdr hdr = { 0 };
    size_t n;
    uint32_t type, i;

    if (!f->armed || !f->plan.count || !f->vq) {
        return false;
    }
    iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
    type = le32_to_cpu(hdr.type);
    if (p->cmd && p->cmd != type) {
        return false;
    }
    if (f->plan.count > 0) {
        f->plan.count--;
    }
    f->hits++;
    trace_virtio_pvdisplay_fault(f->text, type);

    /* rewrite the answer that was written (never beyond it) */
    n = MIN(*len, sizeof(resp));
    iov_to_buf(elem->in_sg, elem->in_num, 0, resp, n);
    if (p->garbage && n > sizeof(struct pvdisplay_resp_hdr)) {
        GRand *rand = g_rand_new_with_seed(p->seed + f->plan.count);

        for (i = sizeof(struct pvdisplay_resp_hdr); i < n; i++) {
            resp[i] = g_rand_int(rand);
        }
        g_rand_free(rand);
    }
    if (p->status >= 0) {
        pvd_fault_put32(resp, n, offsetof(struct pvdisplay_resp_hdr, status),
                        p->status);
    }
    if (type == PVDISPLAY_CMD_GET_DISPLAY_INFO) {
        if (p->num_heads >= 0) {
            pvd_fault_put32(resp, n,
                            offsetof(struct pvdisplay_resp_display_info,
                                     num_heads), p->num_heads);
        }
        for (i = 0; i < PVDISPLAY_MAX_HEADS; i++) {
            size_t head = offsetof(struct pvdisplay_resp_display_info, heads) +
                          i * sizeof(struct pvdisplay_head_info);

            if (p->head_width >= 0) {
                pvd_fault_put32(resp, n, head +
                                offsetof(struct pvdisplay_head_info, width),
                                p->head_width);
            }
            if (p->head_height >= 0) {
                pvd_fault_put32(resp, n, head +
                                offsetof(struct pvdisplay_head_info, height),
                                p->head_height);
            }
        }
    }
    if (type == PVDISPLAY_CMD_GET_EDID) {
        size_t sum = offsetof(struct pvdisplay_resp_edid, edid) + 127;

        if (p->edid_checksum && sum < n) {
            resp[sum] ^= 0x5a;
        }
        if (p->edid_size >= 0) {
            pvd_fault_put32(resp, n, offsetof(struct pvdisplay_resp_edid, size),
                            p->edid_size);
        }
    }
    iov_from_buf(elem->in_sg, elem->in_num, 0, resp, n);
    if (p->resp_len >= 0) {
        *len = p->resp_len;
    }

    if (p->drop || p->delay_ms >= 0) {
        f->held = elem;
        f->held_len = *len;
        if (!p->drop) {
            timer_mod(f->held_timer,
                      qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + p->delay_ms);
        }
        return true;
    }
    return false;
}

void pvd_fault_config(const PvdFault *f, struct pvdisplay_config *cfg)
{
    const PvdFaultPlan *p = &f->plan;

    if (!f->armed) {
        return;
    }
    if (p->cfg_heads >= 0) {
        cfg->num_heads = cpu_to_le32(p->cfg_heads);
    }
    if (p->cfg_max_width >= 0) {
        cfg->max_width = cpu_to_le32(p->cfg_max_width);
        cfg->max_height = cpu_to_le32(p->cfg_max_height);
    }
}

void pvd_fault_reset(PvdFault *f)
{
    pvd_fault_release_held(f, false);
    f->storm_left = 0;
    timer_del(f->storm_timer);
}
