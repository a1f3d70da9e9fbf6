/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pvdisplay: DRM/KMS driver for the paravirtual display device.
 */

#ifndef _PVDISPLAY_DRV_H_
#define _PVDISPLAY_DRV_H_

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_modes.h>
#include <drm/drm_plane.h>

#include <drm/pvdisplay.h>

#include "pvdisplay_damage.h"
#include "pvdisplay_proto.h"

#define DRIVER_NAME	"pvdisplay"
#define DRIVER_DESC	"paravirtual display"
#define DRIVER_MAJOR	0
#define DRIVER_MINOR	1

/* How long a request may stay unanswered before the caller gives up. */
#define PVDISPLAY_REQ_TIMEOUT	(5 * HZ)

struct drm_fb_helper;
struct drm_fb_helper_surface_size;
struct virtio_device;
struct virtqueue;

/**
 * DOC: locking
 *
 * Contexts.  The control queue's completion callback and the configuration
 * change callback run in hard interrupt context; so do the answer callbacks
 * of asynchronous requests (&pvdisplay_req.callback), which the completion
 * callback calls.  Everything else runs in process context: ioctls, the
 * atomic commit tail (ioctl or commit worker), GEM object release, the
 * configuration-change work, a head's retry and watchdog work, probe and
 * remove.
 *
 * Locks, outermost first:
 *
 * 0. The fbdev emulation's (pvdisplay_fbdev.c): the console lock, then the
 *    fb_info lock, then &drm_fb_helper.lock, then the fbdev client's
 *    modeset_mutex, the order in which FBIOPUT_VSCREENINFO and the helper
 *    take them; a commit made under them takes DRM's (1.).
 *    &pvdisplay_device.fbdev_fb and &pvdisplay_device.fbdev_retired are
 *    under the helper's lock, &pvdisplay_device.fbdev_redraw under the
 *    console lock.  The helper probes connectors under its lock, so
 *    &pvdisplay_device.info_lock (3.) is taken under it.  To look at the
 *    helper's fb_info before taking the console lock, the driver holds
 *    &drm_device.clientlist_mutex around the helper's lock, the order of
 *    DRM's client hotplug (pvdisplay_fbdev_registered_lock()), and lets
 *    both go before taking the console lock.
 *
 * 1. DRM's own: &drm_mode_config.mutex and the modeset locks.  The primary
 *    plane's hooks never wait for the device: a head's SCANOUT_UPDATE is
 *    queued without sleeping (6.).  The cursor plane's update may sleep,
 *    with no lock below held: for the head's previous CURSOR_SET answer,
 *    at most %PVDISPLAY_REQ_TIMEOUT (pvdisplay_cursor_send_set()), and to
 *    allocate its request.  The commit tail then waits for the commit's
 *    flip_done, with the modeset locks of a blocking commit held and no
 *    lock below; the event comes once the device answered, or from the
 *    head's watchdog after %PVDISPLAY_REQ_TIMEOUT.  Connector probing takes
 *    &pvdisplay_device.info_lock under &drm_mode_config.mutex, never the
 *    other way round.
 *
 * 2. &pvdisplay_bo.lock (mutex): serialises creating the device resource of
 *    one GEM object (fb_create).  Held while waiting for
 *    &pvdisplay_device.res_lock (4.), so behind other objects' creations,
 *    and across the RESOURCE_CREATE round trips: two at most (an "id in
 *    use" answer is retried once), each waiting for ring space and then for
 *    the answer, both bounded by %PVDISPLAY_REQ_TIMEOUT.  Nests outside the
 *    object's dma_resv lock (taken by drm_gem_shmem_get_pages_sgt()).
 *
 * 3. &pvdisplay_device.info_lock (mutex): the per-head display information
 *    and EDIDs in &struct pvdisplay_output.  Held only to copy or swap them;
 *    the device is queried before taking it, so it is never held across a
 *    request.
 *
 * 4. &pvdisplay_device.res_lock (mutex): the list of GEM objects that have
 *    a device resource.  Held across every RESOURCE_CREATE round trip: in
 *    fb_create under &pvdisplay_bo.lock, from before the request until the
 *    object is listed, so that a reset's pvdisplay_gem_restart() (which
 *    holds it across its own round trips and never takes
 *    &pvdisplay_bo.lock) either finds the object listed or ran before the
 *    request went to the device it brought back (a request that waited
 *    for ring space across the reset reached that device too: the restart
 *    then hears "id in use" and counts the object as shared).  Taken alone
 *    when an object is removed (GEM release).  So creating a framebuffer
 *    (a legacy cursor ioctl's included, under its modeset locks) or
 *    freeing an object may wait for another object's RESOURCE_CREATE
 *    round trip.
 *
 * 5. &pvdisplay_device.zombie_lock (spinlock, process context only): the
 *    list of GEM objects whose pages must outlive a device reset,
 *    &pvdisplay_device.reset_done and &pvdisplay_device.restarts.
 *
 * 6. &pvdisplay_output.lock (spinlock, interrupt safe): everything about
 *    one head's SCANOUT_UPDATEs (pvdisplay_update.c): the configuration
 *    commits set, pending damage, the head's request and whether it is in
 *    flight, the vblank event waiting for the device's answer.  Taken by
 *    the plane and CRTC hooks, the framebuffer's .dirty hook, the head's
 *    works (spin_lock_irq()) and the answer callback (spin_lock_irqsave()).
 *    Only &pvdisplay_vq.lock nests inside it (the head's request is queued
 *    under it, so the ring holds a head's requests in the order its
 *    configuration changed); &drm_device.event_lock is taken after
 *    dropping it.
 *
 * 7. &pvdisplay_cursorq.lock (spinlock, interrupt safe, innermost, never
 *    nested with a head's lock or the control queue's): every call into
 *    the cursor virtqueue, &pvdisplay_cursorq.dead and the move state of every head
 *    (&pvdisplay_output.cursor_move_busy and the fields next to it), which
 *    the cursor queue's completion callback updates when it sends the
 *    position that came in while a move was in flight.
 *
 * 8. &pvdisplay_vq.lock (spinlock, interrupt safe, innermost): every call
 *    into the virtqueue (add, kick preparation, notification, get_buf,
 *    detach), &pvdisplay_vq.dead and &pvdisplay_vq.broken.  Process context
 *    takes it with spin_lock_irq(), the completion callback and drm_panic
 *    with spin_lock_irqsave() (drm_panic only tries).  No other lock is
 *    taken under it, and completions are signalled and waiters woken after
 *    it is dropped.  Two things do run under it on purpose:
 *    virtqueue_add_sgs() (it DMA-maps the buffers, fine in atomic
 *    context, and allocates nothing: indirect descriptors are not
 *    negotiated, see pvdisplay_validate()) and virtqueue_notify() (a
 *    register write or eventfd signal that never sleeps).  The
 *    notification cannot move after the unlock: from then on remove() may
 *    kill and delete the queue it would write to.
 *
 * 9. &pvdisplay_output.crc_lock (spinlock, interrupt safe, taken alone):
 *    whether the head's CRC source is on and which vblank asked for a CRC
 *    (pvdisplay_crc.c).  Taken by the debugfs source setting and the CRC
 *    work (spin_lock_irq()) and by the vblank timer's handler in hard
 *    interrupt context (spin_lock_irqsave()), after DRM's vblank handling
 *    and never around another lock of the driver or DRM; only queueing the
 *    CRC work happens under it.
 *
 * Request lifetime.  A &struct pvdisplay_req is reference counted: one
 * reference for the submitter, one for the device while the request is in
 * the ring.  A submitter that times out drops only its own reference, so the
 * buffers stay valid for as long as the device may write them; the device's
 * reference goes when the request completes or when the queue is killed
 * after a device reset.  Synchronous requests (pvdisplay_req_send()) sleep
 * for the answer; asynchronous ones (pvdisplay_req_queue(), SCANOUT_UPDATE)
 * get their &pvdisplay_req.callback called with it, in the completion
 * callback, or by pvdisplay_vq_kill() with -ENODEV.
 *
 * A device that stops answering.  The first request left unanswered for
 * %PVDISPLAY_REQ_TIMEOUT (noticed by its sleeping submitter, or by the
 * head's watchdog for an asynchronous one) marks the queue broken: every
 * later request fails with -EIO at once, instead of costing another timeout
 * each, until the device is reset (remove and probe, a function-level reset,
 * resume).
 *
 * Device access.  KMS paths and the configuration work wrap device access in
 * drm_dev_enter()/drm_dev_exit(), so remove() can fence them off with
 * drm_dev_unplug().  GEM release does not: destroying a resource must still
 * reach the device until it is reset, because the pages may only be freed
 * once the device has let go of them.  Nor do a head's updates that only
 * follow earlier ones (turning the head off, the next update sent from an
 * answer, a retry): they may reach the device between drm_dev_unplug() and
 * its reset, which is harmless.  The virtqueue itself is gated by
 * &pvdisplay_vq.dead, set when the device is reset.
 */

/**
 * struct pvdisplay_vq - the control virtqueue
 * @vq: the virtqueue; NULL once deleted (set and cleared under @lock, only
 *	used while @dead is clear).
 * @lock: protects @vq operations, @dead, @broken, @completions and @queued
 *	(see DOC: locking).
 * @wq: submitters sleeping for free descriptors or for their answer.
 * @completions: count of completion callbacks; a submitter that found the
 *	ring full sleeps until it changes.
 * @queued: requests queued so far (see pvdisplay_requests_queued()).
 * @ring_size: number of descriptors in the ring.
 * @dead: the device was reset or is going away; nothing may be queued,
 *	and the completion callback leaves the ring to pvdisplay_vq_kill().
 * @broken: the device left a request unanswered (or the ring full) for
 *	%PVDISPLAY_REQ_TIMEOUT; every request fails at once until the device
 *	is reset (pvdisplay_vq_start() clears it).
 */
struct pvdisplay_vq {
	struct virtqueue *vq;
	/* Innermost lock, interrupt safe: see DOC: locking. */
	spinlock_t lock;
	wait_queue_head_t wq;
	unsigned long completions;
	unsigned long queued;
	unsigned int ring_size;
	bool dead;
	bool broken;
};

/**
 * struct pvdisplay_cursorq - the cursor virtqueue (%PVDISPLAY_F_CURSOR)
 * @vq: the virtqueue, NULL without the feature or once deleted.
 * @lock: protects @vq operations, @dead, @queued and every head's move
 *	state.
 * @dead: the device was reset or is going away; nothing may be queued,
 *	and the callback leaves the ring to pvdisplay_cursorq_kill().
 * @queued: requests queued so far (see pvdisplay_requests_queued()).
 * @wq: where a CURSOR_SET waits for the previous one's answer; woken by
 *	answers, by the queue's kill and when the device is marked broken.
 *
 * At most one CURSOR_SET (the next waits for its answer) and one
 * CURSOR_MOVE (see &pvdisplay_output.cursor_move_busy) per head are in the
 * ring, so it never fills up: nothing ever waits for space.
 */
struct pvdisplay_cursorq {
	struct virtqueue *vq;
	/* Innermost lock, interrupt safe: see DOC: locking. */
	spinlock_t lock;
	bool dead;
	unsigned long queued;
	wait_queue_head_t wq;
};

/**
 * struct pvdisplay_req - one control request and its response
 * @ref: one reference for the submitter, one while the device owns it.
 * @node: entry in the completion callback's list of answered requests.
 * @done: completed when the device answered or the queue was killed
 *	(requests without @callback).
 * @error: 0 if the device answered, -ENODEV if the queue was killed first,
 *	-EPROTO if the device claimed to write more than the response buffer.
 * @resp_len: bytes the device wrote into @resp.
 * @resp_size: size of @resp.
 * @resp: response buffer, a separate allocation so that device writes
 *	never share a cache line with fields the CPU updates.
 * @data: optional trailing payload (kvmalloc'ed), sent after @cmd.
 * @data_len: size of @data.
 * @cmd_len: size of @cmd.
 * @callback: for a request queued with pvdisplay_req_queue(): called once
 *	with the answer (@error, @resp_len), in interrupt context, or in process
 *	context with @error -ENODEV when the queue is killed.
 * @cb_data: for @callback.
 * @cmd: the request itself.
 */
struct pvdisplay_req {
	struct kref ref;
	struct list_head node;
	struct completion done;
	void (*callback)(struct pvdisplay_req *req);
	void *cb_data;
	int error;
	u32 resp_len;
	size_t resp_size;
	void *resp;
	void *data;
	size_t data_len;
	size_t cmd_len;
	u8 cmd[] __aligned(8);
};

/**
 * struct pvdisplay_output - one head: its KMS objects and host information
 * @pvd: the device.
 * @index: head index on the wire.
 * @primary: primary plane.
 * @cursor: cursor plane, initialised only with %PVDISPLAY_F_CURSOR.
 * @cursor_on: the device shows a cursor image on this head.  Used only by
 *	the cursor plane's commit hooks (synchronous and async), which never
 *	run at the same time for one plane, although a nonblocking commit's
 *	tail holds no modeset lock: the tail first waits for the previous
 *	commit on the plane to reach hw_done
 *	(drm_atomic_helper_wait_for_dependencies()), and an async update is
 *	refused while a commit on the plane has not
 *	(drm_atomic_helper_async_check()); the plane's update comes before
 *	hw_done.
 * @cursor_reset_seen: &pvdisplay_device.reset_count when @cursor_on was
 *	last valid; same serialisation as @cursor_on.
 * @cursor_set_req: the last CURSOR_SET queued, until the next one found it
 *	answered (our reference); same serialisation as @cursor_on.
 * @cursor_move_req: preallocated CURSOR_MOVE request, reused for every move.
 * @cursor_move_busy: @cursor_move_req is in the ring.  Under
 *	&pvdisplay_cursorq.lock, like the two fields below.
 * @cursor_move_pending: a position came in while @cursor_move_busy; it is
 *	sent when the move in flight completes (moves coalesce).
 * @cursor_x: the last position asked for (the image's top-left pixel).
 * @cursor_y: see @cursor_x.
 * @crtc: CRTC.
 * @crc_lock: protects @crc_enabled, @crc_frame and @crc_fresh (taken in
 *	the vblank timer's hard interrupt).
 * @crc_enabled: the debugfs CRC source is "auto" (%PVDISPLAY_F_CRC).
 * @crc_frame: vblank count of the last vblank that asked for a CRC.
 * @crc_fresh: the source was just turned on: @crc_work starts a new
 *	sequence.  Under @crc_lock.
 * @crc_work: fetches the CRC of the current frame from the device.
 * @crc_last_valid: @crc_last and the two fields below describe the last
 *	CRC of this sequence.  These four are used by @crc_work only (a work
 *	item never runs concurrently with itself).
 * @crc_last: the last CRC @crc_work reported.
 * @crc_last_frame: its frame.
 * @crc_last_queued: pvdisplay_requests_queued() before it was asked for.
 * @encoder: virtual encoder.
 * @connector: virtual connector.
 * @info: validated display information, under &pvdisplay_device.info_lock.
 * @edid: EDID from the device or NULL, under &pvdisplay_device.info_lock.
 * @panic_req: preallocated full update for drm_panic, NULL once used.
 * @panic_pages: drm_panic only: the pages of the shown framebuffer, when
 *	pvdisplay_plane_panic_set_pixel() writes the panic screen.  Set by
 *	the plane's get_scanout_buffer hook; drm_panic draws on one CPU, the
 *	others stopped, so these two need no lock.
 * @panic_origin: byte offset in @panic_pages of the shown area's first
 *	pixel.
 * @lock: protects every field below (see DOC: locking and
 *	pvdisplay_update.c).
 * @shown_fb: the framebuffer the last commit made the head show, NULL if
 *	off.  Referenced by the plane state for as long as it is set here: a
 *	commit replacing it sets this before the old state can be freed.
 * @shown: configuration of @shown_fb.
 * @shown_layout: layout of @shown_fb.
 * @shown_src: source rectangle of @shown_fb.
 * @pending: damage of @shown_fb not sent yet (rectangles only).
 * @need_full: the next update refreshes the whole head (new configuration,
 *	device reset, or a failed update).
 * @dev_on: the device may show something on the head: turning it off takes
 *	a request.
 * @reset_seen: &pvdisplay_device.reset_count when @dev_on and @need_full
 *	were last valid.
 * @req: the head's SCANOUT_UPDATE request, reused for every update.
 * @busy: @req is in the ring, its answer not yet handled.
 * @sent_at: when @req was queued (jiffies), for @watchdog.
 * @seq: count of configuration changes made by commits.
 * @sent_seq: @seq when @req was encoded.
 * @done_seq: @seq the device has answered for (or that failed); equal to
 *	@seq whenever nothing of a commit is outstanding.
 * @event: a commit's vblank event held until the device answered for the
 *	commit's change (@done_seq reaches @seq), then armed; NULL if none.
 * @event_async: @event belongs to an asynchronous flip: it is sent, not
 *	armed for a vblank, once the device answered.
 * @retries: full updates scheduled in a row after failures.
 * @ring_full: the last try to queue @req found the ring full.
 * @ring_full_since: when the ring was first found full (jiffies), valid
 *	while @ring_full: the event is held that long at most.
 * @damage: scratch space of the update being encoded (too big for the
 *	stack).
 * @retry_work: sends a full update after a failed one, or retries a request
 *	the ring had no room for.
 * @watchdog: notices a request left unanswered for %PVDISPLAY_REQ_TIMEOUT.
 */
struct pvdisplay_output {
	struct pvdisplay_device *pvd;
	unsigned int index;
	struct drm_plane primary;
	struct drm_plane cursor;
	bool cursor_on;
	int cursor_reset_seen;
	struct pvdisplay_req *cursor_set_req;
	struct pvdisplay_req *cursor_move_req;
	bool cursor_move_busy;
	bool cursor_move_pending;
	s32 cursor_x;
	s32 cursor_y;
	struct drm_crtc crtc;
	/* Vblank timer (hard irq) vs. debugfs and @crc_work. */
	spinlock_t crc_lock;
	bool crc_enabled;
	u32 crc_frame;
	bool crc_fresh;
	struct work_struct crc_work;
	bool crc_last_valid;
	u32 crc_last;
	u32 crc_last_frame;
	unsigned long crc_last_queued;
	struct drm_encoder encoder;
	struct drm_connector connector;
	struct pvdisplay_head_state info;
	const struct drm_edid *edid;
	struct pvdisplay_req *panic_req;
	struct page **panic_pages;
	size_t panic_origin;
	/* Interrupt safe, outer to pvdisplay_vq.lock: see DOC: locking. */
	spinlock_t lock;
	const struct drm_framebuffer *shown_fb;
	struct pvdisplay_scanout shown;
	struct pvdisplay_fb_layout shown_layout;
	struct pvdisplay_drect shown_src;
	struct pvdisplay_damage pending;
	bool need_full;
	bool dev_on;
	int reset_seen;
	struct pvdisplay_req *req;
	bool busy;
	unsigned long sent_at;
	u32 seq;
	u32 sent_seq;
	u32 done_seq;
	struct drm_pending_vblank_event *event;
	bool event_async;
	unsigned int retries;
	bool ring_full;
	unsigned long ring_full_since;
	struct pvdisplay_damage damage;
	struct delayed_work retry_work;
	struct delayed_work watchdog;
};

/**
 * struct pvdisplay_device - driver instance
 * @drm: the DRM device, embedded; the instance lives as long as it does
 *	(see pvdisplay_probe()).
 * @vdev: the virtio device; not to be touched after remove().
 * @ctrlq: control queue.
 * @cursorq: cursor queue (%PVDISPLAY_F_CURSOR).
 * @cfg_num_heads: head count in the configuration space, validated.
 * @num_heads: heads in use (1 without %PVDISPLAY_F_MULTI_HEAD).
 * @max_width: largest scanout width, validated.
 * @max_height: largest scanout height, validated.
 * @has_edid: %PVDISPLAY_F_EDID negotiated.
 * @has_multi_head: %PVDISPLAY_F_MULTI_HEAD negotiated.
 * @has_extra_formats: %PVDISPLAY_F_EXTRA_FORMATS negotiated.
 * @has_cursor: %PVDISPLAY_F_CURSOR negotiated.
 * @has_crc: %PVDISPLAY_F_CRC negotiated.
 * @cursor_max_width: largest cursor image width, validated.
 * @cursor_max_height: largest cursor image height, validated.
 * @has_frame_damage: %PVDISPLAY_F_FRAME_DAMAGE negotiated: a flip between
 *	framebuffers of the same layout may carry damage.
 * @use_dma_api: memory entries carry DMA addresses (%VIRTIO_F_ACCESS_PLATFORM)
 *	rather than guest physical ones.
 * @outputs: @num_heads heads.
 * @hotplug_mode_update_property: the connectors' "hotplug_mode_update".
 * @info_lock: protects &pvdisplay_output.info and &pvdisplay_output.edid.
 * @config_work: re-reads display information after a configuration change,
 *	and announces the heads in @heads_changed.
 * @heads_changed: heads whose information changed while the device was
 *	down (a reset dropped the display event), found on the way back up
 *	and left to @config_work to announce: the console lock and the
 *	hotplug's modeset stay out of the restore and reset callbacks.
 * @fbdev_follow_work: resizes fbcon once a DRM master let go of the display
 *	(pvdisplay_fbdev.c).
 * @fbdev_fb: our framebuffer over the fbdev buffer that the fbdev helper
 *	uses, or NULL; under the helper's lock (pvdisplay_fbdev.c).
 * @fbdev_retired: replaced ones that may still be used: the one the
 *	helper's mode sets name and the last one, or NULLs; under the helper's
 *	lock.
 * @fbdev_redraw: fbcon has not been redrawn since the buffer was laid out
 *	anew; under the console lock.
 * @fbdev_flushed: when fbdev's damage was last handed to the heads; only
 *	the fbdev helper's damage work uses it (pvdisplay_fbdev.c).
 * @resource_ida: allocates resource ids (1..INT_MAX).
 * @held_ids: ids the device answered "in use" to a RESOURCE_CREATE of
 *	ours: left allocated in @resource_ida, as the device may hold them,
 *	until it is reset (pvdisplay_gem_reset_done()).  The XArray's own
 *	lock protects it.
 * @res_lock: protects @resources.
 * @resources: GEM objects with a device resource (&pvdisplay_bo.res_node).
 * @zombie_lock: protects @zombies, @reset_done and @restarts.
 * @zombies: GEM objects freed while the device might still use their pages;
 *	released after the device reset.
 * @reset_done: the device is reset and holds no memory: after remove or
 *	shutdown, and between freeze and restore.
 * @restarts: times the device was brought back after a reset
 *	(pvdisplay_gem_restart()): a RESOURCE_DESTROY that failed while this
 *	changed went to a device that has been reset since.
 * @reset_count: device resets so far; a head whose
 *	&pvdisplay_output.reset_seen differs knows the device forgot it.
 * @updates_held: from a device reset until every buffer is shared again the
 *	heads send nothing (pvdisplay_update_hold()); read by the heads under
 *	their lock, written with WRITE_ONCE().
 */
struct pvdisplay_device {
	struct drm_device drm;
	struct virtio_device *vdev;
	struct pvdisplay_vq ctrlq;
	struct pvdisplay_cursorq cursorq;
	u32 cfg_num_heads;
	u32 num_heads;
	u32 max_width;
	u32 max_height;
	bool has_edid;
	bool has_multi_head;
	bool has_extra_formats;
	bool has_cursor;
	bool has_crc;
	u32 cursor_max_width;
	u32 cursor_max_height;
	bool has_frame_damage;
	bool use_dma_api;
	struct pvdisplay_output *outputs;
	struct drm_property *hotplug_mode_update_property;
	/* Protects outputs[].info and outputs[].edid. */
	struct mutex info_lock;
	struct work_struct config_work;
	atomic_long_t heads_changed;
	struct work_struct fbdev_follow_work;
	struct drm_framebuffer *fbdev_fb;
	struct drm_framebuffer *fbdev_retired[2];
	bool fbdev_redraw;
	ktime_t fbdev_flushed;
	struct ida resource_ida;
	struct xarray held_ids;
	/* Protects resources; see DOC: locking. */
	struct mutex res_lock;
	struct list_head resources;
	/* Protects zombies, reset_done and restarts; process context only. */
	spinlock_t zombie_lock;
	struct list_head zombies;
	bool reset_done;
	u32 restarts;
	atomic_t reset_count;
	bool updates_held;
};

/**
 * struct pvdisplay_bo - a shmem GEM object and its device resource
 * @base: the shmem object.
 * @lock: serialises resource creation.
 * @resource_id: device resource, 0 if none.  Set under @lock and
 *	&pvdisplay_device.res_lock; may be marked unusable by
 *	pvdisplay_gem_restart() (under the latter only), so read it with
 *	READ_ONCE() or pvdisplay_bo_resource_id().
 * @res_node: entry in &pvdisplay_device.resources while @resource_id is set.
 * @zombie: entry in &pvdisplay_device.zombies.
 */
struct pvdisplay_bo {
	struct drm_gem_shmem_object base;
	/* Serialises creation of the device resource. */
	struct mutex lock;
	u32 resource_id;
	struct list_head res_node;
	struct list_head zombie;
};

static inline struct pvdisplay_device *to_pvd(struct drm_device *drm)
{
	return container_of(drm, struct pvdisplay_device, drm);
}

static inline struct pvdisplay_bo *to_pvd_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct pvdisplay_bo, base.base);
}

static inline struct pvdisplay_output *plane_to_output(struct drm_plane *plane)
{
	return container_of(plane, struct pvdisplay_output, primary);
}

static inline struct pvdisplay_output *
cursor_to_output(struct drm_plane *plane)
{
	return container_of(plane, struct pvdisplay_output, cursor);
}

static inline struct pvdisplay_output *crtc_to_output(struct drm_crtc *crtc)
{
	return container_of(crtc, struct pvdisplay_output, crtc);
}

static inline struct pvdisplay_output *
connector_to_output(struct drm_connector *connector)
{
	return container_of(connector, struct pvdisplay_output, connector);
}

/* pvdisplay_vq.c */
void pvdisplay_vq_init(struct pvdisplay_device *pvd);
int pvdisplay_vq_start(struct pvdisplay_device *pvd);
void pvdisplay_vq_kill(struct pvdisplay_device *pvd);
void pvdisplay_vq_del(struct pvdisplay_device *pvd);
struct pvdisplay_req *pvdisplay_req_alloc(size_t cmd_len, size_t resp_size,
					  gfp_t gfp);
void pvdisplay_req_put(struct pvdisplay_req *req);
int pvdisplay_req_submit(struct pvdisplay_device *pvd, struct pvdisplay_req *req);
int pvdisplay_req_wait(struct pvdisplay_device *pvd, struct pvdisplay_req *req);
int pvdisplay_req_send(struct pvdisplay_device *pvd, struct pvdisplay_req *req);
int pvdisplay_req_queue(struct pvdisplay_device *pvd, struct pvdisplay_req *req);
unsigned long pvdisplay_requests_queued(struct pvdisplay_device *pvd);
int pvdisplay_req_queue_panic(struct pvdisplay_device *pvd,
			      struct pvdisplay_req *req);
bool pvdisplay_vq_broken(struct pvdisplay_device *pvd);
void pvdisplay_vq_mark_broken(struct pvdisplay_device *pvd, const char *what);
int pvdisplay_cmd_get_displays(struct pvdisplay_device *pvd,
			       struct pvdisplay_head_state *heads,
			       const struct drm_edid **edids);
int pvdisplay_cmd_resource_create(struct pvdisplay_device *pvd, u32 resource_id,
				  u64 size, struct pvdisplay_mem_entry *entries,
				  u32 nr_entries);
int pvdisplay_cmd_resource_destroy(struct pvdisplay_device *pvd,
				   u32 resource_id);

/* pvdisplay_cursor.c */
int pvdisplay_cursor_plane_init(struct pvdisplay_output *output);
void pvdisplay_cursorq_init(struct pvdisplay_device *pvd);
void pvdisplay_cursorq_start(struct pvdisplay_device *pvd,
			     struct virtqueue *vq);
void pvdisplay_cursorq_kill(struct pvdisplay_device *pvd);
void pvdisplay_cursorq_del(struct pvdisplay_device *pvd);
void pvdisplay_cursorq_callback(struct virtqueue *vq);
bool pvdisplay_cursor_move_pending(struct pvdisplay_output *output);

/* pvdisplay_crc.c */
int pvdisplay_crc_init(struct pvdisplay_output *output);
bool pvdisplay_crtc_handle_vblank_timeout(struct drm_crtc *crtc);
int pvdisplay_crtc_set_crc_source(struct drm_crtc *crtc, const char *source);
int pvdisplay_crtc_verify_crc_source(struct drm_crtc *crtc, const char *source,
				     size_t *values_cnt);
const char *const *pvdisplay_crtc_get_crc_sources(struct drm_crtc *crtc,
						  size_t *count);

/* pvdisplay_gem.c */
struct drm_gem_object *pvdisplay_gem_create_object(struct drm_device *drm,
						   size_t size);
int pvdisplay_dumb_create(struct drm_file *file, struct drm_device *drm,
			  struct drm_mode_create_dumb *args);
struct drm_framebuffer *
pvdisplay_fb_create(struct drm_device *drm, struct drm_file *file,
		    const struct drm_format_info *info,
		    const struct drm_mode_fb_cmd2 *cmd);
void pvdisplay_gem_reset_done(struct pvdisplay_device *pvd);
void pvdisplay_gem_restart(struct pvdisplay_device *pvd);
u32 pvdisplay_bo_resource_id(struct drm_gem_object *obj);
void pvdisplay_bo_sync_for_device(struct drm_gem_object *obj,
				  const struct pvdisplay_damage *damage);

/* pvdisplay_dirty.c */
struct drm_framebuffer *
pvdisplay_fb_create_gem(struct drm_device *drm, struct drm_file *file,
			const struct drm_format_info *info,
			const struct drm_mode_fb_cmd2 *cmd);
struct drm_framebuffer *
pvdisplay_fb_create_internal(struct drm_device *drm, struct drm_gem_object *obj,
			     const struct drm_mode_fb_cmd2 *cmd);

/* pvdisplay_update.c */
int pvdisplay_update_init(struct pvdisplay_output *output);
void pvdisplay_update_fini(struct pvdisplay_output *output);
void pvdisplay_update_stop(struct pvdisplay_device *pvd);
void pvdisplay_update_hold(struct pvdisplay_device *pvd);
void pvdisplay_update_release(struct pvdisplay_device *pvd);
void pvdisplay_update_show(struct pvdisplay_output *output,
			   const struct drm_framebuffer *fb,
			   const struct pvdisplay_scanout *scanout,
			   const struct pvdisplay_fb_layout *layout,
			   const struct pvdisplay_drect *src,
			   const struct drm_plane_state *old_state,
			   const struct drm_plane_state *new_state, bool full);
void pvdisplay_update_off(struct pvdisplay_output *output);
bool pvdisplay_update_held_back(struct pvdisplay_output *output);
void pvdisplay_update_dirty(struct pvdisplay_output *output,
			    const struct drm_framebuffer *fb,
			    const struct drm_clip_rect *clips,
			    unsigned int num_clips, unsigned int inc);
struct drm_pending_vblank_event *
pvdisplay_update_hold_event(struct pvdisplay_output *output,
			    struct drm_pending_vblank_event *event, bool async);

/* pvdisplay_plane.c */
int pvdisplay_plane_init(struct pvdisplay_output *output);

/* pvdisplay_crtc.c */
int pvdisplay_crtc_init(struct pvdisplay_output *output);
void pvdisplay_crtc_arm_event(struct drm_crtc *crtc,
			      struct drm_pending_vblank_event *event,
			      bool async);

/* pvdisplay_output.c */
int pvdisplay_output_init(struct pvdisplay_output *output);
enum drm_mode_status pvdisplay_mode_valid(struct drm_device *drm,
					  const struct drm_display_mode *mode);

/* pvdisplay_fbdev.c */
#ifdef CONFIG_DRM_FBDEV_EMULATION
int pvdisplay_fbdev_probe(struct drm_fb_helper *helper,
			  struct drm_fb_helper_surface_size *sizes);
void pvdisplay_fbdev_relayout(struct pvdisplay_device *pvd);
void pvdisplay_fbdev_follow(struct pvdisplay_device *pvd);
void pvdisplay_fbdev_master_drop(struct drm_device *drm, struct drm_file *file);
void pvdisplay_fbdev_init(struct pvdisplay_device *pvd);
int pvdisplay_fbdev_mode_config_init(struct pvdisplay_device *pvd);
void pvdisplay_fbdev_fini(struct pvdisplay_device *pvd);
#define PVDISPLAY_FBDEV_DRIVER_OPS \
	.fbdev_probe = pvdisplay_fbdev_probe, \
	.master_drop = pvdisplay_fbdev_master_drop
#else
static inline void pvdisplay_fbdev_relayout(struct pvdisplay_device *pvd)
{
}

static inline void pvdisplay_fbdev_follow(struct pvdisplay_device *pvd)
{
}

static inline void pvdisplay_fbdev_init(struct pvdisplay_device *pvd)
{
}

static inline int pvdisplay_fbdev_mode_config_init(struct pvdisplay_device *pvd)
{
	return 0;
}

static inline void pvdisplay_fbdev_fini(struct pvdisplay_device *pvd)
{
}

#define PVDISPLAY_FBDEV_DRIVER_OPS \
	.fbdev_probe = NULL
#endif

/* pvdisplay_kms.c */
int pvdisplay_kms_init(struct pvdisplay_device *pvd);
int pvdisplay_refresh_display_info(struct pvdisplay_device *pvd,
				   unsigned long *changed);
void pvdisplay_kms_device_reset(struct pvdisplay_device *pvd);
void pvdisplay_config_work(struct work_struct *work);

#endif /* _PVDISPLAY_DRV_H_ */
