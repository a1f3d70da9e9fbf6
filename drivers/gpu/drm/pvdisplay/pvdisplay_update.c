// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay head updates: every SCANOUT_UPDATE of a head goes out from here.
 *
 * Two things change what a head should show.  Commits (the plane's hooks)
 * set its configuration (framebuffer, layout, source rectangle) with or
 * without damage, or turn it off.  Front-buffer updates (DIRTYFB and the
 * fbdev emulation's flushes, through the framebuffer's .dirty hook) add
 * damage to the framebuffer it shows.  Both only record what changed, under
 * the head's spinlock, and kick the head: if no request of the head is in
 * flight, one SCANOUT_UPDATE carrying everything recorded so far is encoded
 * and queued without sleeping (pvdisplay_req_queue()), right there in the
 * ioctl or the commit; otherwise the answer to the request in flight sends
 * it, from the completion interrupt.  So:
 *
 * - no thread waits for the device here: a DIRTYFB returns once its
 *   damage is queued, and a plane update only queues (the commit tail
 *   waits for the commit's event, below);
 * - an update reaches the device at once when the head is idle, and right
 *   after the answer to the previous one otherwise, with no work item to
 *   schedule in between;
 * - a client outrunning the device gets its damage coalesced: one request
 *   per head in flight, at most PVDISPLAY_MAX_DAMAGE_RECTS rectangles
 *   pending (merged, never dropped), no allocation;
 * - the ring holds a head's requests in the order its configuration
 *   changed (each is queued under the head's lock with the configuration
 *   current then), so a front-buffer update can never take the device back
 *   to a framebuffer a commit replaced.
 *
 * Vblank events.  A commit's event says its frame is on screen, so it is
 * armed for the next vblank only once the device has answered for the
 * commit's change (&pvdisplay_output.done_seq reaches .seq); the CRTC's
 * atomic_flush hands it here to be held until then.  The atomic helpers
 * serialise a CRTC's commits on the previous one's flip_done, so a head
 * holds at most one event.  An asynchronous flip's event is held the same
 * way and sent, not armed, once the device has answered.  An event is held
 * only while something will let it go: a request of the head in flight
 * (its answer, or the watchdog) or a pending retry; atomic_flush sends the
 * commit's change itself if neither is there (the request that made the
 * plane update find the head busy may have failed since, with no retry).
 *
 * Failures.  After a failed update the host may show anything, so the next
 * update is a full one, sent PVDISPLAY_RETRY_DELAY later, up to
 * PVDISPLAY_RETRIES times in a row.  An update the ring has no room for is
 * tried again a jiffy later, as often as it takes, and holds the commit's
 * event meanwhile, for PVDISPLAY_REQ_TIMEOUT at most: requests the driver
 * no longer waits for (GET_EDID of a disconnected head) can fill the ring
 * without ever marking the device broken.
 * A request left unanswered for PVDISPLAY_REQ_TIMEOUT marks the device
 * broken (the head's watchdog); the head then stays busy until the device
 * is reset, and events are no longer held.
 *
 * Lifetime of &pvdisplay_output.shown_fb: it is referenced by the plane
 * state, and every commit that replaces or drops the plane's framebuffer
 * records that here (pvdisplay_update_show() or pvdisplay_update_off())
 * before the old state can be freed, so the kick may dereference it under
 * the lock.
 */

#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include <drm/drm_damage_helper.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

#define PVDISPLAY_RETRY_DELAY	(HZ / 10)
#define PVDISPLAY_RETRIES	5

/* Whether two configurations differ in nothing but the resource shown. */
static bool pvdisplay_scanout_same_layout(const struct pvdisplay_scanout *a,
					  const struct pvdisplay_scanout *b)
{
	return a->head == b->head && a->format == b->format &&
	       a->offset == b->offset && a->stride == b->stride &&
	       a->fb_width == b->fb_width && a->fb_height == b->fb_height &&
	       a->src_x == b->src_x && a->src_y == b->src_y &&
	       a->src_width == b->src_width && a->src_height == b->src_height;
}

/* After a device reset the device shows nothing; the next update is full. */
static void pvdisplay_update_sync_reset(struct pvdisplay_output *output)
{
	int count = atomic_read(&output->pvd->reset_count);

	if (output->reset_seen != count) {
		output->reset_seen = count;
		output->dev_on = false;
		output->need_full = true;
	}
}

/*
 * The held event, if it may be armed now: nothing of its commit is
 * outstanding, or @now says not to wait any longer.  @async is set to
 * whether it belongs to an asynchronous flip.  Caller holds the lock.
 */
static struct drm_pending_vblank_event *
pvdisplay_update_take_event(struct pvdisplay_output *output, bool now,
			    bool *async)
{
	struct drm_pending_vblank_event *event = output->event;

	if (!event || (!now && output->done_seq != output->seq))
		return NULL;
	output->event = NULL;
	*async = output->event_async;
	return event;
}

/*
 * An update could not be queued, or the device did not carry it out: the
 * host may show anything now.  Caller holds the lock.
 */
static void pvdisplay_update_failed(struct pvdisplay_output *output, int ret)
{
	output->need_full = true;
	/* Unknown: turning the head off takes a request again. */
	output->dev_on = true;

	if (ret == -ENOSPC) {
		/* The ring is full of other requests: try again shortly. */
		mod_delayed_work(system_dfl_wq, &output->retry_work, 1);
		return;
	}
	/*
	 * Reset or gone: the next commit after a reset starts afresh.  Broken:
	 * reported once by pvdisplay_vq_mark_broken(), retrying is pointless.
	 */
	if (ret == -ENODEV || pvdisplay_vq_broken(output->pvd))
		return;
	drm_err_ratelimited(&output->pvd->drm, "head %u: update failed: %d\n",
			    output->index, ret);
	if (output->retries < PVDISPLAY_RETRIES) {
		output->retries++;
		mod_delayed_work(system_dfl_wq, &output->retry_work,
				 PVDISPLAY_RETRY_DELAY);
	}
}

/*
 * Send what the head should show and does not yet, unless a request of the
 * head is in flight (its answer kicks again).  Any context; caller holds
 * the lock.
 */
static void pvdisplay_update_kick(struct pvdisplay_output *output)
{
	struct pvdisplay_scanout off = { .head = output->index };
	struct pvdisplay_damage *damage = &output->damage;
	struct pvdisplay_req *req = output->req;
	bool full;
	int ret;

	lockdep_assert_held(&output->lock);
	if (output->busy)
		return;
	pvdisplay_update_sync_reset(output);
	/*
	 * While held, the device does not know the buffers yet: what changed
	 * stays recorded and goes out from pvdisplay_update_release().
	 * Nothing is in flight, so a commit's event need not wait.
	 */
	if (READ_ONCE(output->pvd->updates_held))
		goto idle;

	if (output->shown_fb) {
		full = output->need_full;
		if (!full && !output->pending.nr_rects)
			goto idle;
		if (!full) {
			*damage = output->pending;
			/* The commit checked the layout; failing costs a full update. */
			full = pvdisplay_damage_finish(damage,
						       &output->shown_layout) != 0;
		}
		pvdisplay_damage_init(&output->pending, &output->shown_src);
		pvdisplay_bo_sync_for_device(output->shown_fb->obj[0],
					     full ? NULL : damage);
		req->cmd_len = pvdisplay_encode_scanout_update(req->cmd,
							       &output->shown,
							       full ? NULL : damage);
	} else if (output->dev_on) {
		req->cmd_len = pvdisplay_encode_scanout_update(req->cmd, &off,
							       NULL);
	} else {
		goto idle;
	}

	output->need_full = false;
	ret = pvdisplay_req_queue(output->pvd, req);
	if (ret == -ENOSPC && !output->ring_full)
		output->ring_full_since = jiffies;
	output->ring_full = ret == -ENOSPC;
	if (ret) {
		pvdisplay_update_failed(output, ret);
		/*
		 * A full ring is retried within a jiffy: the commit's change
		 * is still to reach the device, so its event stays held, for
		 * PVDISPLAY_REQ_TIMEOUT at most (not every request filling
		 * the ring has a timeout of its own).
		 */
		if (ret == -ENOSPC &&
		    time_before(jiffies, output->ring_full_since +
					 PVDISPLAY_REQ_TIMEOUT))
			return;
		goto idle;
	}
	output->busy = true;
	output->sent_seq = output->seq;
	output->dev_on = !!output->shown_fb;
	output->sent_at = jiffies;
	mod_delayed_work(system_dfl_wq, &output->watchdog, PVDISPLAY_REQ_TIMEOUT);
	return;

idle:
	/* Nothing of any commit is outstanding (or it failed). */
	output->done_seq = output->seq;
}

/* Kick, then drop the lock and arm the held event if that settled it. */
static void pvdisplay_update_kick_unlock(struct pvdisplay_output *output)
	__releases(&output->lock)
{
	struct drm_pending_vblank_event *event;
	bool async;

	pvdisplay_update_kick(output);
	event = pvdisplay_update_take_event(output, false, &async);
	spin_unlock_irq(&output->lock);
	if (event)
		pvdisplay_crtc_arm_event(&output->crtc, event, async);
}

/* &pvdisplay_req.callback of the head's request: the device answered. */
static void pvdisplay_update_answered(struct pvdisplay_req *req)
{
	struct pvdisplay_output *output = req->cb_data;
	struct drm_pending_vblank_event *event;
	unsigned long flags;
	int ret = req->error;
	bool async;

	if (!ret)
		ret = pvdisplay_resp_check(req->resp, req->resp_len,
					   sizeof(struct pvdisplay_resp_hdr));

	spin_lock_irqsave(&output->lock, flags);
	output->busy = false;
	output->done_seq = output->sent_seq;
	if (ret) {
		pvdisplay_update_failed(output, ret);
		/* The flip happened as far as the guest goes; the host catches up. */
		event = pvdisplay_update_take_event(output, true, &async);
	} else {
		output->retries = 0;
		pvdisplay_update_kick(output);
		event = pvdisplay_update_take_event(output, false, &async);
	}
	spin_unlock_irqrestore(&output->lock, flags);

	if (event)
		pvdisplay_crtc_arm_event(&output->crtc, event, async);
}

static void pvdisplay_update_retry(struct work_struct *work)
{
	struct pvdisplay_output *output =
		container_of(to_delayed_work(work), struct pvdisplay_output,
			     retry_work);

	spin_lock_irq(&output->lock);
	pvdisplay_update_kick_unlock(output);
}

/*
 * The head's request has been in the ring for PVDISPLAY_REQ_TIMEOUT: the
 * device stopped answering.  The queue is marked broken first, so that
 * from then on no event is held (pvdisplay_update_hold_event()); then the
 * one held is let go.
 */
static void pvdisplay_update_watchdog(struct work_struct *work)
{
	struct pvdisplay_output *output =
		container_of(to_delayed_work(work), struct pvdisplay_output,
			     watchdog);
	struct drm_pending_vblank_event *event;
	unsigned long due;
	bool stuck, async;

	spin_lock_irq(&output->lock);
	due = output->sent_at + PVDISPLAY_REQ_TIMEOUT;
	stuck = output->busy && time_after_eq(jiffies, due);
	if (output->busy && !stuck)
		mod_delayed_work(system_dfl_wq, &output->watchdog, due - jiffies);
	spin_unlock_irq(&output->lock);
	if (!stuck)
		return;

	pvdisplay_vq_mark_broken(output->pvd, "request unanswered");
	spin_lock_irq(&output->lock);
	event = pvdisplay_update_take_event(output, true, &async);
	spin_unlock_irq(&output->lock);
	if (event)
		pvdisplay_crtc_arm_event(&output->crtc, event, async);
}

/**
 * pvdisplay_update_show - a commit makes the head show a framebuffer
 * @output: the head
 * @fb: the framebuffer, referenced by @new_state
 * @scanout: its configuration
 * @layout: its layout
 * @src: the source rectangle
 * @old_state: the plane's previous state
 * @new_state: the plane's new state, for its damage
 * @full: the whole head needs refreshing (new framebuffer, source
 *	rectangle or mode, no damage information)
 *
 * Records the change and sends it if the head is idle; never sleeps.
 */
void pvdisplay_update_show(struct pvdisplay_output *output,
			   const struct drm_framebuffer *fb,
			   const struct pvdisplay_scanout *scanout,
			   const struct pvdisplay_fb_layout *layout,
			   const struct pvdisplay_drect *src,
			   const struct drm_plane_state *old_state,
			   const struct drm_plane_state *new_state, bool full)
{
	struct drm_atomic_helper_damage_iter iter;
	const struct drm_framebuffer *old_fb;
	struct drm_rect clip;

	spin_lock_irq(&output->lock);
	old_fb = output->shown_fb;
	if (!old_fb || !pvdisplay_drect_equal(&output->shown_src, src))
		full = true;
	/*
	 * Another framebuffer: its damage is what changed since the frame
	 * shown (pending damage included), if the device takes frame damage
	 * and nothing but the resource differs.
	 */
	if (fb != old_fb &&
	    (!output->pvd->has_frame_damage ||
	     !pvdisplay_scanout_same_layout(&output->shown, scanout)))
		full = true;
	output->shown_fb = fb;
	output->shown = *scanout;
	output->shown_layout = *layout;
	output->shown_src = *src;
	if (full) {
		output->need_full = true;
		pvdisplay_damage_init(&output->pending, src);
	} else {
		drm_atomic_helper_damage_iter_init(&iter, old_state, new_state);
		drm_atomic_for_each_plane_damage(&iter, &clip)
			pvdisplay_damage_add(&output->pending, clip.x1, clip.y1,
					     clip.x2, clip.y2);
		/*
		 * A flip whose clips all lie outside the source rectangle
		 * changes nothing visible, but the device must still be told
		 * to show the new resource: the old one may be drawn into next.
		 */
		if (fb != old_fb && !output->pending.nr_rects)
			output->need_full = true;
	}
	output->seq++;
	pvdisplay_update_kick_unlock(output);
}

/**
 * pvdisplay_update_off - a commit turns the head off
 * @output: the head
 *
 * The device is told once (nothing is sent if it shows nothing already).
 * Never sleeps.
 */
void pvdisplay_update_off(struct pvdisplay_output *output)
{
	spin_lock_irq(&output->lock);
	output->shown_fb = NULL;
	output->pending.nr_rects = 0;
	output->seq++;
	pvdisplay_update_kick_unlock(output);
}

/**
 * pvdisplay_update_dirty - front-buffer damage of a framebuffer
 * @output: the head
 * @fb: the framebuffer; ignored unless the head shows it (a commit that
 *	starts showing it refreshes the whole head anyway)
 * @clips: damaged rectangles in framebuffer coordinates
 * @num_clips: number of rectangles used from @clips; 0 means all of @fb
 * @inc: stride of @clips (2 for DRM_MODE_FB_DIRTY_ANNOTATE_COPY pairs)
 *
 * Never sleeps.
 */
void pvdisplay_update_dirty(struct pvdisplay_output *output,
			    const struct drm_framebuffer *fb,
			    const struct drm_clip_rect *clips,
			    unsigned int num_clips, unsigned int inc)
{
	struct pvdisplay_damage *pending = &output->pending;
	unsigned int i;

	spin_lock_irq(&output->lock);
	if (output->shown_fb != fb) {
		spin_unlock_irq(&output->lock);
		return;
	}
	if (!num_clips)
		pvdisplay_damage_add(pending, 0, 0, fb->width, fb->height);
	for (i = 0; i < num_clips; i++)
		pvdisplay_damage_add(pending, clips[i * inc].x1,
				     clips[i * inc].y1, clips[i * inc].x2,
				     clips[i * inc].y2);
	pvdisplay_update_kick_unlock(output);
}

/**
 * pvdisplay_update_held_back - whether the head has changes not in the ring
 * @output: the head
 *
 * True when a commit or front-buffer damage is recorded but not queued to
 * the device: held behind the request in flight, or by a device reset or a
 * failed update.  A request queued from now on (GET_CRC) is carried out
 * before anything recorded later but would not cover these, so the host
 * shows something older than what the guest committed.  Mirrors the
 * decision of pvdisplay_update_kick().
 *
 * Return: whether a change of the head is held back.
 */
bool pvdisplay_update_held_back(struct pvdisplay_output *output)
{
	bool held;

	spin_lock_irq(&output->lock);
	if (output->shown_fb)
		held = output->need_full || output->pending.nr_rects;
	else
		held = output->dev_on;
	spin_unlock_irq(&output->lock);
	return held;
}

/**
 * pvdisplay_update_hold_event - hold a commit's event until the device answers
 * @output: the head
 * @event: the event of a commit whose plane update was recorded already
 * @async: the commit is an asynchronous flip (its event is sent, not armed)
 *
 * An event is only held while something will release it: the head's
 * request in flight (its answer, or the watchdog) or a pending retry.  The
 * commit's change may have found the head busy and then seen that request
 * fail before this call, with no retry (the device was reset, or the
 * retries ran out): nothing is in flight then and the change was never
 * sent, so it is sent here, and the event is held only if that made the
 * head busy.  Otherwise the event would wait for a kick that might never
 * come, and the commit's flip_done would time out.
 *
 * Return: NULL if the event is held (it is armed once the device has
 * answered for the commit's change), else @event, to be armed now.
 */
struct drm_pending_vblank_event *
pvdisplay_update_hold_event(struct pvdisplay_output *output,
			    struct drm_pending_vblank_event *event, bool async)
{
	spin_lock_irq(&output->lock);
	/* A retry kicks the head itself, PVDISPLAY_RETRY_DELAY after a failure. */
	if (!output->busy && !delayed_work_pending(&output->retry_work))
		pvdisplay_update_kick(output);
	if (output->done_seq != output->seq && !output->event &&
	    !pvdisplay_vq_broken(output->pvd)) {
		output->event = event;
		output->event_async = async;
		event = NULL;
	}
	spin_unlock_irq(&output->lock);
	return event;
}

/**
 * pvdisplay_update_init - set up a head's update state
 * @output: the head
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_update_init(struct pvdisplay_output *output)
{
	struct pvdisplay_req *req;

	spin_lock_init(&output->lock);
	INIT_DELAYED_WORK(&output->retry_work, pvdisplay_update_retry);
	INIT_DELAYED_WORK(&output->watchdog, pvdisplay_update_watchdog);

	req = pvdisplay_req_alloc(PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE,
				  sizeof(struct pvdisplay_resp_hdr), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->callback = pvdisplay_update_answered;
	req->cb_data = output;
	output->req = req;
	return 0;
}

/**
 * pvdisplay_update_fini - free a head's update state
 * @output: the head, with the device reset (nothing in the ring)
 */
void pvdisplay_update_fini(struct pvdisplay_output *output)
{
	pvdisplay_req_put(output->req);
	output->req = NULL;
}

/**
 * pvdisplay_update_stop - wait for the heads' works to finish
 * @pvd: the device, its queue killed (pvdisplay_vq_kill())
 *
 * Nothing schedules them again once the queue is dead: only a request
 * queued successfully arms the watchdog, and a dead queue is not retried.
 */
void pvdisplay_update_stop(struct pvdisplay_device *pvd)
{
	unsigned int i;

	for (i = 0; i < pvd->num_heads; i++) {
		cancel_delayed_work_sync(&pvd->outputs[i].retry_work);
		cancel_delayed_work_sync(&pvd->outputs[i].watchdog);
	}
}

/**
 * pvdisplay_update_hold - the heads stop sending: the device is being reset
 * @pvd: the device
 *
 * From a device reset until pvdisplay_gem_restart() has shared every
 * buffer again, an update would name resources the device does not know:
 * it would fail, and be logged and retried.  Userspace keeps running during
 * a function-level reset, so the heads keep recording what changes.
 */
void pvdisplay_update_hold(struct pvdisplay_device *pvd)
{
	WRITE_ONCE(pvd->updates_held, true);
}

/**
 * pvdisplay_update_release - the heads send what they recorded meanwhile
 * @pvd: the device, with its queue running and its buffers shared again
 *
 * A head that found the heads held kept its damage and, since the reset,
 * needs a full update; taking each head's lock after the flag is cleared
 * makes sure no such head is left without a kick.
 */
void pvdisplay_update_release(struct pvdisplay_device *pvd)
{
	unsigned int i;

	WRITE_ONCE(pvd->updates_held, false);
	for (i = 0; i < pvd->num_heads; i++) {
		spin_lock_irq(&pvd->outputs[i].lock);
		pvdisplay_update_kick_unlock(&pvd->outputs[i]);
	}
}
