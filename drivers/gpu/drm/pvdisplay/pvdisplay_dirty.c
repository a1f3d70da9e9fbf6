// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay front-buffer updates: DIRTYFB and fbdev flushes.
 *
 * A front-buffer update changes pixels of the framebuffer a head already
 * shows; nothing is flipped, so nothing needs to wait for a vblank.  The
 * atomic helper's dirtyfb would build a commit whose tail waits for the next
 * vblank (the commit carries an internal flip_done event), limiting a client
 * to one update per frame and making it wait up to a frame for each.  So the
 * framebuffer's .dirty hook only records the damage and returns; a work item
 * per head sends it as one SCANOUT_UPDATE, with the head's current
 * configuration, and waits for the answer.  While a request is in flight,
 * new damage accumulates: at most PVDISPLAY_MAX_DAMAGE_RECTS rectangles,
 * merged as in any update (bounded memory, damage never dropped), sent as
 * the next request.  Page flips and commits keep going through the atomic
 * path and stay paced by the vblank timer.
 *
 * A failed update (from this path or a commit) leaves the host showing
 * stale pixels, so the head is refreshed in full a little later, up to
 * PVDISPLAY_RETRIES times in a row.
 *
 * Ordering with commits: every SCANOUT_UPDATE of a head is sent under
 * &pvdisplay_output.update_lock, and the configuration used here is the one
 * the last commit sent (&pvdisplay_output.shown), so a queued front-buffer
 * update can never make the device go back to a framebuffer a commit has
 * replaced.  Damage for a framebuffer the head does not show is ignored: a
 * commit that starts showing it sends it in full.
 */

#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

#define PVDISPLAY_RETRY_DELAY	(HZ / 10)
#define PVDISPLAY_RETRIES	5

/**
 * pvdisplay_output_send - send one SCANOUT_UPDATE for a head and wait
 * @output: the head; caller holds &pvdisplay_output.update_lock
 * @scanout: the head's configuration
 * @damage: damage with regions computed, or NULL for a full update
 * @req: a request with room for %PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE, or NULL
 *	to allocate one here; consumed either way
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_output_send(struct pvdisplay_output *output,
			  const struct pvdisplay_scanout *scanout,
			  const struct pvdisplay_damage *damage,
			  struct pvdisplay_req *req)
{
	size_t len;
	int ret;

	lockdep_assert_held(&output->update_lock);
	if (!req)
		req = pvdisplay_req_alloc(PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE,
					  sizeof(struct pvdisplay_resp_hdr),
					  GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	len = pvdisplay_encode_scanout_update(req->cmd, scanout, damage);
	ret = pvdisplay_cmd_scanout_send(output->pvd, req, len);
	pvdisplay_req_put(req);
	return ret;
}

/**
 * pvdisplay_output_sent - account for the outcome of an update of a head
 * @output: the head; caller holds &pvdisplay_output.update_lock
 * @ret: what pvdisplay_output_send() returned
 *
 * After a failure the host may show anything: the next update is a full
 * one, and one is scheduled unless the device is gone.
 */
void pvdisplay_output_sent(struct pvdisplay_output *output, int ret)
{
	lockdep_assert_held(&output->update_lock);
	output->need_full = ret != 0;
	if (!ret) {
		output->retries = 0;
		return;
	}
	drm_err_ratelimited(&output->pvd->drm, "head %u: update failed: %d\n",
			    output->index, ret);
	if (ret != -ENODEV && output->retries < PVDISPLAY_RETRIES) {
		output->retries++;
		mod_delayed_work(system_dfl_wq, &output->dirty_work,
				 PVDISPLAY_RETRY_DELAY);
	}
}

/**
 * pvdisplay_output_set_shown - record what a commit made the head show
 * @output: the head; caller holds &pvdisplay_output.update_lock
 * @fb: the framebuffer shown, or NULL when the head is off
 * @scanout: its configuration (ignored for NULL @fb)
 * @layout: its layout (ignored for NULL @fb)
 * @src: the source rectangle (ignored for NULL @fb)
 * @full: the commit refreshes the whole head, which covers pending damage
 */
void pvdisplay_output_set_shown(struct pvdisplay_output *output,
				const struct drm_framebuffer *fb,
				const struct pvdisplay_scanout *scanout,
				const struct pvdisplay_fb_layout *layout,
				const struct pvdisplay_drect *src, bool full)
{
	lockdep_assert_held(&output->update_lock);
	mutex_lock(&output->dirty_lock);
	if (fb) {
		output->shown = *scanout;
		output->shown_layout = *layout;
		output->shown_src = *src;
	}
	if (!fb)
		output->pending.nr_rects = 0;
	else if (fb != output->shown_fb || full ||
		 !pvdisplay_drect_equal(&output->pending.src, src))
		pvdisplay_damage_init(&output->pending, src);
	output->shown_fb = fb;
	mutex_unlock(&output->dirty_lock);
}

static void pvdisplay_dirty_work(struct work_struct *work)
{
	struct pvdisplay_output *output =
		container_of(to_delayed_work(work), struct pvdisplay_output,
			     dirty_work);
	struct pvdisplay_damage *damage = &output->damage;
	bool full;
	int idx, ret;

	if (!drm_dev_enter(&output->pvd->drm, &idx))
		return;

	mutex_lock(&output->update_lock);
	mutex_lock(&output->dirty_lock);
	full = output->need_full;
	if (!output->shown_fb || (!full && !output->pending.nr_rects)) {
		mutex_unlock(&output->dirty_lock);
		goto out;
	}
	*damage = output->pending;
	pvdisplay_damage_init(&output->pending, &output->shown_src);
	mutex_unlock(&output->dirty_lock);

	/* The layout was valid for the commit; a failure costs a full update. */
	if (!full && pvdisplay_damage_finish(damage, &output->shown_layout))
		full = true;
	pvdisplay_bo_sync_for_device(output->shown_fb->obj[0],
				     full ? NULL : damage);
	ret = pvdisplay_output_send(output, &output->shown, full ? NULL : damage,
				    NULL);
	pvdisplay_output_sent(output, ret);
out:
	mutex_unlock(&output->update_lock);
	drm_dev_exit(idx);
}

/*
 * &drm_framebuffer_funcs.dirty: record the damage on every head showing
 * @fb and return.  Clips are in framebuffer coordinates; none means the
 * whole framebuffer.  With DRM_MODE_FB_DIRTY_ANNOTATE_COPY clips come in
 * pairs and the first of each pair is the damaged area, as for the atomic
 * helper.
 */
static int pvdisplay_fb_dirty(struct drm_framebuffer *fb,
			      struct drm_file *file, unsigned int flags,
			      unsigned int color, struct drm_clip_rect *clips,
			      unsigned int num_clips)
{
	struct pvdisplay_device *pvd = to_pvd(fb->dev);
	unsigned int inc = 1, i, j;
	int idx;

	/*
	 * Unplugged: ioctls are refused already, and the fbdev emulation's
	 * flush worker may still run until it is torn down; there is nothing
	 * to show any more, which is no error (as for the atomic helper).
	 */
	if (!drm_dev_enter(fb->dev, &idx))
		return 0;
	/*
	 * Behind a device that stopped answering the damage would only pile
	 * up: tell a userspace caller, as a commit would (the plane check
	 * fails too).  The fbdev emulation (no @file) takes an error from
	 * here for a driver bug and warns, so its damage is kept instead and
	 * sent once the device is reset.
	 */
	if (file && pvdisplay_vq_broken(pvd)) {
		drm_dev_exit(idx);
		return -EIO;
	}

	if (flags & DRM_MODE_FB_DIRTY_ANNOTATE_COPY) {
		inc = 2;
		num_clips /= 2;
	}

	for (i = 0; i < pvd->num_heads; i++) {
		struct pvdisplay_output *output = &pvd->outputs[i];
		struct pvdisplay_damage *pending = &output->pending;

		mutex_lock(&output->dirty_lock);
		if (output->shown_fb == fb) {
			if (!num_clips)
				pvdisplay_damage_add(pending, 0, 0, fb->width,
						     fb->height);
			for (j = 0; j < num_clips; j++)
				pvdisplay_damage_add(pending, clips[j * inc].x1,
						     clips[j * inc].y1,
						     clips[j * inc].x2,
						     clips[j * inc].y2);
			if (pending->nr_rects)
				mod_delayed_work(system_dfl_wq, &output->dirty_work, 0);
		}
		mutex_unlock(&output->dirty_lock);
	}

	drm_dev_exit(idx);
	return 0;
}

static const struct drm_framebuffer_funcs pvdisplay_fb_funcs = {
	.destroy = drm_gem_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = pvdisplay_fb_dirty,
};

/**
 * pvdisplay_fb_create_gem - create a framebuffer with our dirty hook
 * @drm: the DRM device
 * @file: DRM file owning the GEM handles
 * @info: pixel format information
 * @cmd: the request
 *
 * Return: the framebuffer or an ERR_PTR().
 */
struct drm_framebuffer *
pvdisplay_fb_create_gem(struct drm_device *drm, struct drm_file *file,
			const struct drm_format_info *info,
			const struct drm_mode_fb_cmd2 *cmd)
{
	return drm_gem_fb_create_with_funcs(drm, file, info, cmd,
					    &pvdisplay_fb_funcs);
}

/**
 * pvdisplay_dirty_init - set up a head's front-buffer update state
 * @output: the head
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_dirty_init(struct pvdisplay_output *output)
{
	struct drm_device *drm = &output->pvd->drm;
	int ret;

	ret = drmm_mutex_init(drm, &output->update_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(drm, &output->dirty_lock);
	if (ret)
		return ret;
	INIT_DELAYED_WORK(&output->dirty_work, pvdisplay_dirty_work);
	return 0;
}

/**
 * pvdisplay_dirty_stop - wait for queued front-buffer updates to finish
 * @pvd: the device, with every head off or DRM access fenced off
 *
 * Called on remove, shutdown and freeze: once the heads are off (or the
 * device is unplugged), nothing schedules the work again.
 */
void pvdisplay_dirty_stop(struct pvdisplay_device *pvd)
{
	unsigned int i;

	for (i = 0; i < pvd->num_heads; i++)
		cancel_delayed_work_sync(&pvd->outputs[i].dirty_work);
}
