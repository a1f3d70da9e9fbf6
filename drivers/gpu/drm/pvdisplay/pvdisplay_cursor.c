// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay cursor plane and cursor queue (PVDISPLAY_F_CURSOR).
 *
 * One cursor plane per head, ARGB8888 up to the size the device reports,
 * with the hotspot properties (DRIVER_CURSOR_HOTSPOT): the host draws its
 * own pointer from the image, so it must know which pixel points.
 *
 * Cursor requests travel on their own virtqueue, so that they never wait
 * behind a frame update on the control queue.  A new image (another
 * framebuffer, source rectangle or hotspot, or damage) is one CURSOR_SET,
 * not waited for: the device copies the image out of the framebuffer's
 * resource while it handles the request, and handles the cursor queue
 * before destroying any resource, so the framebuffer may go as soon as the
 * commit is done.  A move is one CURSOR_MOVE carrying a position only,
 * never waited for either: each head has one preallocated move request, and
 * a position that comes in while it is in flight replaces any earlier one
 * and is sent by the completion callback (moves coalesce).
 *
 * Legacy cursor ioctls (drmModeMoveCursor, drmModeSetCursor2) become async
 * plane updates, so they do not wait for a pending page flip either.
 */

#include <linux/scatterlist.h>
#include <linux/virtio.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_blend.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

static const u32 pvdisplay_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
};

/* ---- cursor queue ------------------------------------------------------ */

/* Queue @req (command and response buffer); the ring takes a reference. */
static int pvdisplay_cursorq_add_locked(struct pvdisplay_cursorq *q,
					struct pvdisplay_req *req)
{
	struct scatterlist cmd_sg, resp_sg, *sgs[2] = { &cmd_sg, &resp_sg };
	int ret;

	lockdep_assert_held(&q->lock);
	if (q->dead)
		return -ENODEV;

	sg_init_one(&cmd_sg, req->cmd, req->cmd_len);
	sg_init_one(&resp_sg, req->resp, req->resp_size);
	kref_get(&req->ref);
	ret = virtqueue_add_sgs(q->vq, sgs, 1, 1, req, GFP_ATOMIC);
	if (ret) {
		/* Cannot be the last reference: the caller holds one. */
		pvdisplay_req_put(req);
		return ret;
	}
	q->queued++;
	if (virtqueue_kick_prepare(q->vq))
		virtqueue_notify(q->vq);
	return 0;
}

/* Send @output's move request with the latest position. */
static void pvdisplay_cursor_queue_move_locked(struct pvdisplay_output *output)
{
	struct pvdisplay_cursorq *q = &output->pvd->cursorq;
	struct pvdisplay_req *req = output->cursor_move_req;

	pvdisplay_encode_cursor_move((struct pvdisplay_cmd_cursor_move *)req->cmd,
				     output->index, output->cursor_x,
				     output->cursor_y);
	output->cursor_move_pending = false;
	output->cursor_move_busy = !pvdisplay_cursorq_add_locked(q, req);
}

/* The head whose move request @req is, or NULL for a CURSOR_SET. */
static struct pvdisplay_output *
pvdisplay_cursor_move_owner(struct pvdisplay_device *pvd,
			    struct pvdisplay_req *req)
{
	unsigned int i;

	for (i = 0; pvd->outputs && i < pvd->num_heads; i++)
		if (pvd->outputs[i].cursor_move_req == req)
			return &pvd->outputs[i];
	return NULL;
}

/**
 * pvdisplay_cursorq_callback - the cursor queue's completion callback
 * @vq: the cursor virtqueue
 *
 * Hard interrupt context.  Answers are checked (failures logged here: no
 * caller waits for them) and CURSOR_SET requests completed; an answered
 * move frees its head's move request, which is sent again at once if a
 * newer position came in meanwhile.
 */
void pvdisplay_cursorq_callback(struct virtqueue *vq)
{
	struct pvdisplay_device *pvd = vq->vdev->priv;
	struct pvdisplay_cursorq *q = &pvd->cursorq;
	struct pvdisplay_output *output;
	struct pvdisplay_req *req, *tmp;
	unsigned int len, bad = 0;
	unsigned long flags;
	LIST_HEAD(answered);

	spin_lock_irqsave(&q->lock, flags);
	/* Killed: the ring is pvdisplay_cursorq_kill()'s, as for control. */
	if (q->dead) {
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
	do {
		virtqueue_disable_cb(vq);
		while ((req = virtqueue_get_buf(vq, &len))) {
			if (len > req->resp_size ||
			    pvdisplay_resp_check(req->resp, len,
						 sizeof(struct pvdisplay_resp_hdr)))
				bad++;
			output = pvdisplay_cursor_move_owner(pvd, req);
			if (output) {
				output->cursor_move_busy = false;
				if (output->cursor_move_pending)
					pvdisplay_cursor_queue_move_locked(output);
				/* The ring's reference; the head keeps its own. */
				pvdisplay_req_put(req);
				continue;
			}
			list_add_tail(&req->node, &answered);
		}
	} while (!virtqueue_enable_cb(vq));
	spin_unlock_irqrestore(&q->lock, flags);

	list_for_each_entry_safe(req, tmp, &answered, node) {
		list_del(&req->node);
		complete(&req->done);
		pvdisplay_req_put(req);
	}
	wake_up(&q->wq);
	if (bad)
		drm_err_ratelimited(&pvd->drm, "%u cursor requests failed\n", bad);
}

/**
 * pvdisplay_cursorq_init - one-time initialisation of the cursor queue state
 * @pvd: the device
 *
 * The queue starts dead: pvdisplay_cursorq_start() brings it up.
 */
void pvdisplay_cursorq_init(struct pvdisplay_device *pvd)
{
	spin_lock_init(&pvd->cursorq.lock);
	init_waitqueue_head(&pvd->cursorq.wq);
	pvd->cursorq.dead = true;
}

/**
 * pvdisplay_cursorq_start - accept cursor requests
 * @pvd: the device
 * @vq: the cursor virtqueue, just found (probe or restore)
 */
void pvdisplay_cursorq_start(struct pvdisplay_device *pvd, struct virtqueue *vq)
{
	struct pvdisplay_cursorq *q = &pvd->cursorq;

	spin_lock_irq(&q->lock);
	q->vq = vq;
	q->dead = false;
	spin_unlock_irq(&q->lock);
}

/**
 * pvdisplay_cursorq_kill - fail every outstanding cursor request
 * @pvd: the device, reset by pvdisplay_vq_kill()
 *
 * After this nothing can be queued and every waiter has been woken.
 */
void pvdisplay_cursorq_kill(struct pvdisplay_device *pvd)
{
	struct pvdisplay_cursorq *q = &pvd->cursorq;
	struct pvdisplay_req *req;
	unsigned int i;

	spin_lock_irq(&q->lock);
	q->dead = true;
	for (i = 0; pvd->outputs && i < pvd->num_heads; i++) {
		pvd->outputs[i].cursor_move_busy = false;
		pvd->outputs[i].cursor_move_pending = false;
	}
	spin_unlock_irq(&q->lock);

	while (q->vq) {
		spin_lock_irq(&q->lock);
		req = virtqueue_detach_unused_buf(q->vq);
		spin_unlock_irq(&q->lock);
		if (!req)
			break;
		if (!pvdisplay_cursor_move_owner(pvd, req)) {
			req->resp_len = 0;
			req->error = -ENODEV;
			complete(&req->done);
		}
		pvdisplay_req_put(req);
	}
	wake_up_all(&q->wq);
}

/**
 * pvdisplay_cursorq_del - forget the queue before the virtqueues are deleted
 * @pvd: the device, after pvdisplay_cursorq_kill()
 */
void pvdisplay_cursorq_del(struct pvdisplay_device *pvd)
{
	spin_lock_irq(&pvd->cursorq.lock);
	pvd->cursorq.vq = NULL;
	spin_unlock_irq(&pvd->cursorq.lock);
}

/* ---- requests ---------------------------------------------------------- */

/*
 * CURSOR_SET: queued and not waited for, so that a legacy cursor ioctl does
 * not wait for the host (kms_cursor_legacy checks that a cursor update and a
 * page flip fit in one frame).  The device copies the image when it handles
 * the request, and handles the cursor queue before any RESOURCE_DESTROY, so
 * the image's resource outlives the request even if its framebuffer goes
 * right after this commit.  One CURSOR_SET per head is in flight at most:
 * the next one first waits for the previous answer (bounded by the request
 * timeout), which keeps the ring from filling up; the time between two
 * cursor images is normally enough for the answer to be there already.  A
 * failure the device reports is logged by the completion callback; the
 * next image change sends a whole new image anyway.
 *
 * An answer that does not come within the timeout marks the device broken,
 * as on the control queue: otherwise every later image (and every hide,
 * down to the shutdown's) would wait out the timeout again, on the legacy
 * cursor ioctl's path with the modeset locks held.  On a broken device
 * nothing is sent or waited for until a reset, whose queue kill completes
 * the unanswered request; a wait already under way when the control queue
 * marks the device broken ends then, not after its own timeout.
 *
 * Return: 0 if queued; -EIO on a broken device, -ETIMEDOUT if the previous
 * answer never came (the device is broken from now on), -ENODEV if the
 * device is gone or being reset, or another negative errno.
 */
static int pvdisplay_cursor_send_set(struct pvdisplay_output *output,
				     const struct pvdisplay_cursor_image *img)
{
	struct pvdisplay_device *pvd = output->pvd;
	struct pvdisplay_cursorq *q = &pvd->cursorq;
	struct pvdisplay_req *req = output->cursor_set_req;
	int ret;

	if (pvdisplay_vq_broken(pvd))
		return -EIO;
	if (req) {
		wait_event_timeout(q->wq, completion_done(&req->done) ||
				   pvdisplay_vq_broken(pvd),
				   PVDISPLAY_REQ_TIMEOUT);
		if (!completion_done(&req->done)) {
			/* The request stays ours until the queue is killed. */
			if (pvdisplay_vq_broken(pvd))
				return -EIO;
			pvdisplay_vq_mark_broken(pvd, "cursor image unanswered");
			return -ETIMEDOUT;
		}
		output->cursor_set_req = NULL;
		pvdisplay_req_put(req);
	}

	req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_cursor_set),
				  sizeof(struct pvdisplay_resp_hdr), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	pvdisplay_encode_cursor_set((struct pvdisplay_cmd_cursor_set *)req->cmd,
				    img);

	spin_lock_irq(&q->lock);
	/* The request brings its own position: no older one may follow it. */
	output->cursor_move_pending = false;
	output->cursor_x = img->x;
	output->cursor_y = img->y;
	ret = pvdisplay_cursorq_add_locked(q, req);
	spin_unlock_irq(&q->lock);

	if (ret)
		pvdisplay_req_put(req);
	else
		output->cursor_set_req = req;	/* our reference, until the next */
	return ret;
}

/**
 * pvdisplay_cursor_move_pending - is a position still waiting for its turn?
 * @output: the head
 *
 * True while a move the guest made is held back behind the move in flight
 * (it is queued when that one completes): the device does not know it yet,
 * so what the host shows is older than what the guest committed.
 *
 * Return: whether a move is held back.
 */
bool pvdisplay_cursor_move_pending(struct pvdisplay_output *output)
{
	struct pvdisplay_cursorq *q = &output->pvd->cursorq;
	bool pending;

	spin_lock_irq(&q->lock);
	pending = output->cursor_move_pending;
	spin_unlock_irq(&q->lock);
	return pending;
}

/*
 * CURSOR_MOVE: never waits; coalesces with a move still in flight.  Nothing
 * is sent if the device already has, or is about to get, this position.
 */
static void pvdisplay_cursor_send_move(struct pvdisplay_output *output,
				       s32 x, s32 y)
{
	struct pvdisplay_cursorq *q = &output->pvd->cursorq;

	spin_lock_irq(&q->lock);
	if (output->cursor_x == x && output->cursor_y == y) {
		spin_unlock_irq(&q->lock);
		return;
	}
	output->cursor_x = x;
	output->cursor_y = y;
	if (output->cursor_move_busy)
		output->cursor_move_pending = true;
	else if (!q->dead)
		pvdisplay_cursor_queue_move_locked(output);
	spin_unlock_irq(&q->lock);
}

/* ---- plane ------------------------------------------------------------- */

static bool pvdisplay_cursor_shown(const struct drm_plane_state *state,
				   const struct drm_crtc_state *crtc_state)
{
	return state->fb && crtc_state && crtc_state->active;
}

/* The image the device must show for @state (a shown cursor). */
static void pvdisplay_cursor_image_of(const struct pvdisplay_output *output,
				      const struct drm_plane_state *state,
				      struct pvdisplay_cursor_image *img)
{
	const struct drm_framebuffer *fb = state->fb;
	u32 w = state->src_w >> 16, h = state->src_h >> 16;

	*img = (struct pvdisplay_cursor_image) {
		.head = output->index,
		.resource_id = pvdisplay_bo_resource_id(fb->obj[0]),
		.format = fb->format->format,
		.offset = fb->offsets[0] + (state->src_y >> 16) * fb->pitches[0] +
			  (state->src_x >> 16) * fb->format->cpp[0],
		.stride = fb->pitches[0],
		.width = w,
		.height = h,
		/* Userspace may say anything; the device wants it inside. */
		.hot_x = clamp_t(s32, state->hotspot_x, 0, w - 1),
		.hot_y = clamp_t(s32, state->hotspot_y, 0, h - 1),
		.x = state->crtc_x,
		.y = state->crtc_y,
	};
}

/*
 * The same framebuffer without damage clips is a move, not a new image,
 * although FB_DAMAGE_CLIPS documents no clips as "the whole plane": every
 * atomic compositor moves the pointer with such commits, and a full update
 * would send the image on each move.  A client that redraws its cursor
 * buffer in place says so with a damage clip.
 */
static bool pvdisplay_cursor_image_changed(const struct drm_plane_state *old,
					   const struct drm_plane_state *new)
{
	return old->fb != new->fb || old->src_x != new->src_x ||
	       old->src_y != new->src_y || old->src_w != new->src_w ||
	       old->src_h != new->src_h || old->hotspot_x != new->hotspot_x ||
	       old->hotspot_y != new->hotspot_y ||
	       drm_plane_get_damage_clips_count(new);
}

static int pvdisplay_cursor_atomic_check(struct drm_plane *plane,
					 struct drm_atomic_commit *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct pvdisplay_device *pvd = cursor_to_output(plane)->pvd;
	struct drm_crtc_state *crtc_state = NULL;
	struct drm_framebuffer *fb = new_state->fb;
	u64 offset;
	int ret;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);

	/*
	 * The cursor may stand partly or wholly outside the CRTC: the device
	 * takes any position.  Only the unclipped source is used below.
	 */
	ret = drm_atomic_helper_check_plane_state(new_state, crtc_state,
						  DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING,
						  true, true);
	if (ret || !fb)
		return ret;
	/*
	 * Showing a cursor needs a device that answers, as for the primary
	 * plane; hiding it (or an inactive CRTC) sends nothing on a broken
	 * device and is not refused.
	 */
	if (pvdisplay_cursor_shown(new_state, crtc_state) &&
	    pvdisplay_vq_broken(pvd))
		return -EIO;

	if ((new_state->src_x | new_state->src_y | new_state->src_w |
	     new_state->src_h) & 0xffff)
		return -EINVAL;
	if (!new_state->src_w || !new_state->src_h ||
	    (new_state->src_w >> 16) > pvd->cursor_max_width ||
	    (new_state->src_h >> 16) > pvd->cursor_max_height)
		return -EINVAL;
	offset = fb->offsets[0] + (u64)(new_state->src_y >> 16) * fb->pitches[0] +
		 (u64)(new_state->src_x >> 16) * fb->format->cpp[0];
	if (offset > U32_MAX)
		return -EINVAL;
	if (!pvdisplay_bo_resource_id(fb->obj[0]))
		return -EINVAL;
	return 0;
}

/*
 * Tell the device what @new_state shows; @image_changed says whether it
 * differs from the previous state in anything but the position.
 */
static void pvdisplay_cursor_apply(struct pvdisplay_output *output,
				   const struct drm_plane_state *new_state,
				   const struct drm_crtc_state *crtc_state,
				   bool image_changed)
{
	struct pvdisplay_cursor_image img = { .head = output->index };
	struct drm_device *drm = &output->pvd->drm;
	int reset_count = atomic_read(&output->pvd->reset_count);
	int ret;

	/* After a device reset the device shows no cursor. */
	if (output->cursor_reset_seen != reset_count) {
		output->cursor_reset_seen = reset_count;
		output->cursor_on = false;
	}

	if (!pvdisplay_cursor_shown(new_state, crtc_state)) {
		if (!output->cursor_on)
			return;
		ret = pvdisplay_cursor_send_set(output, &img);
		if (ret && !pvdisplay_vq_broken(output->pvd))
			drm_err_ratelimited(drm, "head %u: hiding the cursor failed: %d\n",
					    output->index, ret);
		output->cursor_on = false;
		return;
	}

	if (output->cursor_on && !image_changed) {
		pvdisplay_cursor_send_move(output, new_state->crtc_x,
					   new_state->crtc_y);
		return;
	}

	pvdisplay_cursor_image_of(output, new_state, &img);
	if (!img.resource_id)	/* sharing it again after a reset failed */
		return;
	pvdisplay_bo_sync_for_device(new_state->fb->obj[0], NULL);
	ret = pvdisplay_cursor_send_set(output, &img);
	/* After a failure the device may show anything: set it all next time. */
	output->cursor_on = !ret;
	/* A broken device was reported once, by pvdisplay_vq_mark_broken(). */
	if (ret && !pvdisplay_vq_broken(output->pvd))
		drm_err_ratelimited(drm, "head %u: cursor update failed: %d\n",
				    output->index, ret);
}

static void pvdisplay_cursor_atomic_update(struct drm_plane *plane,
					   struct drm_atomic_commit *state)
{
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	int idx;

	if (!drm_dev_enter(plane->dev, &idx))
		return;
	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	pvdisplay_cursor_apply(cursor_to_output(plane), new_state, crtc_state,
			       pvdisplay_cursor_image_changed(old_state, new_state));
	drm_dev_exit(idx);
}

static void pvdisplay_cursor_atomic_disable(struct drm_plane *plane,
					    struct drm_atomic_commit *state)
{
	pvdisplay_cursor_atomic_update(plane, state);
}

/*
 * Legacy cursor updates (and atomic ones touching only this plane) of a
 * cursor that is shown and stays on the same active CRTC are applied at
 * once, without waiting for commits in flight on that CRTC.
 */
static int pvdisplay_cursor_atomic_async_check(struct drm_plane *plane,
					       struct drm_atomic_commit *state,
					       bool flip)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state;

	if (flip || !plane->state || !plane->state->fb || !new_state->fb ||
	    !cursor_to_output(plane)->cursor_on)
		return -EINVAL;
	crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	if (!crtc_state || !crtc_state->active)
		return -EINVAL;
	return 0;
}

static void pvdisplay_cursor_atomic_async_update(struct drm_plane *plane,
						 struct drm_atomic_commit *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *cur = plane->state;
	bool image_changed = pvdisplay_cursor_image_changed(cur, new_state);
	struct drm_crtc_state *crtc_state;
	int idx;

	/* In place, and the old framebuffer leaves with @new_state. */
	cur->crtc_x = new_state->crtc_x;
	cur->crtc_y = new_state->crtc_y;
	cur->crtc_w = new_state->crtc_w;
	cur->crtc_h = new_state->crtc_h;
	cur->src_x = new_state->src_x;
	cur->src_y = new_state->src_y;
	cur->src_w = new_state->src_w;
	cur->src_h = new_state->src_h;
	cur->hotspot_x = new_state->hotspot_x;
	cur->hotspot_y = new_state->hotspot_y;
	cur->src = new_state->src;
	cur->dst = new_state->dst;
	cur->visible = new_state->visible;
	swap(cur->fb, new_state->fb);

	if (!drm_dev_enter(plane->dev, &idx))
		return;
	crtc_state = drm_atomic_get_new_crtc_state(state, cur->crtc);
	pvdisplay_cursor_apply(cursor_to_output(plane), cur, crtc_state,
			       image_changed);
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs pvdisplay_cursor_helper_funcs = {
	.prepare_fb = drm_gem_plane_helper_prepare_fb,
	.atomic_check = pvdisplay_cursor_atomic_check,
	.atomic_update = pvdisplay_cursor_atomic_update,
	.atomic_disable = pvdisplay_cursor_atomic_disable,
	.atomic_async_check = pvdisplay_cursor_atomic_async_check,
	.atomic_async_update = pvdisplay_cursor_atomic_async_update,
};

/*
 * Asynchronous page flips of the cursor plane are refused (flip is true in
 * pvdisplay_cursor_atomic_async_check()): its IN_FORMATS_ASYNC property
 * lists no format and modifier pair, which says so to userspace.
 */
static bool pvdisplay_cursor_format_mod_supported_async(struct drm_plane *plane,
							u32 format, u64 modifier)
{
	return false;
}

static const struct drm_plane_funcs pvdisplay_cursor_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
	.format_mod_supported_async = pvdisplay_cursor_format_mod_supported_async,
};

static void pvdisplay_cursor_fini(struct drm_device *drm, void *arg)
{
	struct pvdisplay_output *output = arg;

	pvdisplay_req_put(output->cursor_move_req);
	output->cursor_move_req = NULL;
	pvdisplay_req_put(output->cursor_set_req);
	output->cursor_set_req = NULL;
}

/**
 * pvdisplay_cursor_plane_init - create a head's cursor plane
 * @output: the head; the device negotiated %PVDISPLAY_F_CURSOR
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_cursor_plane_init(struct pvdisplay_output *output)
{
	struct pvdisplay_device *pvd = output->pvd;
	struct drm_device *drm = &pvd->drm;
	int ret;

	output->cursor_move_req =
		pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_cursor_move),
				    sizeof(struct pvdisplay_resp_hdr), GFP_KERNEL);
	if (!output->cursor_move_req)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, pvdisplay_cursor_fini, output);
	if (ret)
		return ret;

	/* possible_crtcs is filled in when the CRTC is created on it. */
	ret = drm_universal_plane_init(drm, &output->cursor, 0,
				       &pvdisplay_cursor_funcs,
				       pvdisplay_cursor_formats,
				       ARRAY_SIZE(pvdisplay_cursor_formats),
				       NULL, DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&output->cursor, &pvdisplay_cursor_helper_funcs);
	drm_plane_enable_fb_damage_clips(&output->cursor);
	/*
	 * The host composites the image premultiplied "over" what the head
	 * shows (docs/protocol.md): that is the only blend mode there is.
	 */
	ret = drm_plane_create_blend_mode_property(&output->cursor,
						   BIT(DRM_MODE_BLEND_PREMULTI));
	if (ret)
		return ret;

	drm->mode_config.cursor_width = pvd->cursor_max_width;
	drm->mode_config.cursor_height = pvd->cursor_max_height;
	return 0;
}
