// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay front-buffer updates: DIRTYFB and fbdev flushes.
 *
 * A front-buffer update changes pixels of the framebuffer a head already
 * shows; nothing is flipped, so nothing needs to wait for a vblank.  The
 * atomic helper's dirtyfb would build a commit whose tail waits for the next
 * vblank (the commit carries an internal flip_done event), limiting a client
 * to one update per frame and making it wait up to a frame for each.  So the
 * framebuffer has its own .dirty hook: it hands the damage to every head
 * showing the framebuffer (pvdisplay_update_dirty()), which sends it at once
 * if the head is idle, or coalesces it into the head's next request
 * otherwise, and returns without waiting for the device.  Page flips and
 * commits keep going through the atomic path and stay paced by the vblank
 * timer.
 */

#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper.h>

#include "pvdisplay_drv.h"

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
	unsigned int inc = 1, i;
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
	 * here for a driver bug and warns, so its damage is kept instead
	 * (merged into the head's pending damage) and goes out with the first
	 * update after the device is reset.
	 */
	if (file && pvdisplay_vq_broken(pvd)) {
		drm_dev_exit(idx);
		return -EIO;
	}

	if (flags & DRM_MODE_FB_DIRTY_ANNOTATE_COPY) {
		inc = 2;
		num_clips /= 2;
	}
	for (i = 0; i < pvd->num_heads; i++)
		pvdisplay_update_dirty(&pvd->outputs[i], fb, clips, num_clips,
				       inc);

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
 * pvdisplay_fb_create_internal - create a framebuffer over a GEM object
 * @drm: the DRM device
 * @obj: the single-plane buffer; the framebuffer takes a reference
 * @cmd: the layout: width, height, pixel_format and pitches[0]
 *
 * For the fbdev emulation, which lays its buffer out anew when the host
 * window's size changes (pvdisplay_fbdev.c).  The framebuffer belongs to no
 * file; the caller holds the only reference.
 *
 * Return: the framebuffer or an ERR_PTR().
 */
struct drm_framebuffer *
pvdisplay_fb_create_internal(struct drm_device *drm, struct drm_gem_object *obj,
			     const struct drm_mode_fb_cmd2 *cmd)
{
	const struct drm_format_info *info;
	struct drm_framebuffer *fb;
	int ret;

	info = drm_get_format_info(drm, cmd->pixel_format, cmd->modifier[0]);
	if (!info || info->num_planes != 1 || !cmd->width || !cmd->height ||
	    cmd->pitches[0] < drm_format_info_min_pitch(info, 0, cmd->width) ||
	    (u64)cmd->pitches[0] * cmd->height > obj->size)
		return ERR_PTR(-EINVAL);

	fb = kzalloc_obj(*fb);
	if (!fb)
		return ERR_PTR(-ENOMEM);
	drm_helper_mode_fill_fb_struct(drm, fb, info, cmd);
	drm_gem_object_get(obj);
	fb->obj[0] = obj;
	ret = drm_framebuffer_init(drm, fb, &pvdisplay_fb_funcs);
	if (ret) {
		drm_gem_object_put(obj);
		kfree(fb);
		return ERR_PTR(ret);
	}
	return fb;
}
