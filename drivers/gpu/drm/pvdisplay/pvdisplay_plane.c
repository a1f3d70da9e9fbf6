// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay primary plane: one SCANOUT_UPDATE per plane update.
 *
 * The framebuffer already lives in memory the device reads (see
 * pvdisplay_gem.c), so an update only tells the device which resource and
 * layout a head shows and what changed: the damage clips as rectangles plus
 * the page-aligned memory regions they touch (pvdisplay_damage.c).  A new
 * framebuffer, source rectangle or mode, or missing damage information, makes
 * it a full update (no rectangles).  The request is allocated in prepare_fb,
 * so the commit tail itself never allocates; it sleeps for the answer.
 * Front-buffer updates (DIRTYFB, fbdev) do not come through here: see
 * pvdisplay_dirty.c, which shares the head's update lock with these hooks.
 */

#include <linux/iosys-map.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_blend.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_panic.h>
#include <drm/drm_print.h>

#include "pvdisplay_damage.h"
#include "pvdisplay_drv.h"

/**
 * struct pvdisplay_plane_state - primary plane state
 * @base: DRM plane state.
 * @req: the SCANOUT_UPDATE request of this update, allocated in prepare_fb
 *	and consumed by the commit; freed with the state if unused.
 */
struct pvdisplay_plane_state {
	struct drm_plane_state base;
	struct pvdisplay_req *req;
};

static inline struct pvdisplay_plane_state *
to_pvd_plane_state(struct drm_plane_state *state)
{
	return container_of(state, struct pvdisplay_plane_state, base);
}

static const u32 pvdisplay_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	/* With PVDISPLAY_F_EXTRA_FORMATS only: */
	DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888,
	DRM_FORMAT_RGB565,
};

#define PVDISPLAY_NUM_BASE_FORMATS	2

static void pvdisplay_fb_layout_of(const struct drm_plane_state *state,
				   struct pvdisplay_fb_layout *fb,
				   struct pvdisplay_drect *src)
{
	const struct drm_framebuffer *dfb = state->fb;

	fb->res_size = dfb->obj[0]->size;
	fb->offset = dfb->offsets[0];
	fb->stride = dfb->pitches[0];
	fb->width = dfb->width;
	fb->height = dfb->height;
	fb->cpp = dfb->format->cpp[0];

	src->x1 = state->src.x1 >> 16;
	src->y1 = state->src.y1 >> 16;
	src->x2 = state->src.x2 >> 16;
	src->y2 = state->src.y2 >> 16;
}

/* The head's configuration for a visible plane state. */
static void pvdisplay_scanout_of(const struct pvdisplay_output *output,
				 const struct drm_plane_state *state,
				 struct pvdisplay_scanout *scanout,
				 struct pvdisplay_fb_layout *layout,
				 struct pvdisplay_drect *src)
{
	const struct drm_framebuffer *fb = state->fb;

	pvdisplay_fb_layout_of(state, layout, src);
	*scanout = (struct pvdisplay_scanout) {
		.head = output->index,
		.resource_id = pvdisplay_bo_resource_id(fb->obj[0]),
		.format = fb->format->format,
		.offset = fb->offsets[0],
		.stride = fb->pitches[0],
		.fb_width = fb->width,
		.fb_height = fb->height,
		.src_x = src->x1,
		.src_y = src->y1,
		.src_width = src->x2 - src->x1,
		.src_height = src->y2 - src->y1,
	};
}

static int pvdisplay_plane_atomic_check(struct drm_plane *plane,
					struct drm_atomic_commit *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	struct pvdisplay_fb_layout fb;
	struct pvdisplay_drect src;
	int ret;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);

	/*
	 * The plane covers the whole CRTC: the source size is the mode size.
	 * On a disabled CRTC it is merely invisible (the head is off).
	 */
	ret = drm_atomic_helper_check_plane_state(new_state, crtc_state,
						  DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING,
						  false, true);
	if (ret || !new_state->visible)
		return ret;

	/* The device takes whole pixels. */
	if ((new_state->src.x1 | new_state->src.y1) & 0xffff)
		return -EINVAL;

	pvdisplay_fb_layout_of(new_state, &fb, &src);
	if (!pvdisplay_fb_layout_valid(&fb) || !pvdisplay_src_valid(&fb, &src))
		return -EINVAL;
	if (!pvdisplay_bo_resource_id(new_state->fb->obj[0]))
		return -EINVAL;
	/* Showing something needs a device that answers. */
	if (pvdisplay_vq_broken(to_pvd(plane->dev)))
		return -EIO;

	/*
	 * The device keeps a copy per head, i.e. it is a per-plane upload
	 * target: clips describe changes of one buffer and mean nothing
	 * after a flip to another one.  Set both ways: the flag is copied
	 * from the previous state.
	 */
	new_state->ignore_damage_clips = old_state->fb != new_state->fb;

	return 0;
}

static int pvdisplay_plane_prepare_fb(struct drm_plane *plane,
				      struct drm_plane_state *new_state)
{
	struct pvdisplay_plane_state *pstate = to_pvd_plane_state(new_state);
	int ret;

	ret = drm_gem_plane_helper_prepare_fb(plane, new_state);
	if (ret)
		return ret;

	if (!pstate->req) {
		pstate->req = pvdisplay_req_alloc(PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE,
						  sizeof(struct pvdisplay_resp_hdr),
						  GFP_KERNEL);
		if (!pstate->req)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Encode @scanout (and @damage, NULL for a full update) into the request
 * prepare_fb allocated for this update, send it and wait for the answer.
 * The request is used up either way.  Caller holds the head's update_lock.
 */
static int pvdisplay_plane_send(struct pvdisplay_output *output,
				struct pvdisplay_plane_state *pstate,
				const struct pvdisplay_scanout *scanout,
				const struct pvdisplay_damage *damage)
{
	struct pvdisplay_req *req = pstate->req;

	pstate->req = NULL;
	if (drm_WARN_ON_ONCE(&output->pvd->drm, !req))
		return -ENOMEM;
	return pvdisplay_output_send(output, scanout, damage, req);
}

static void pvdisplay_plane_head_off(struct pvdisplay_output *output,
				     struct pvdisplay_plane_state *pstate)
{
	struct pvdisplay_scanout off = { .head = output->index };
	int ret;

	mutex_lock(&output->update_lock);
	pvdisplay_output_sync_reset(output);
	output->need_full = true;
	pvdisplay_output_set_shown(output, NULL, NULL, NULL, NULL, true);
	if (!output->scanout_on)
		goto out;

	ret = pvdisplay_plane_send(output, pstate, &off, NULL);
	if (ret) {
		drm_err_ratelimited(&output->pvd->drm,
				    "head %u: disabling failed: %d\n",
				    output->index, ret);
		goto out;
	}
	output->scanout_on = false;
out:
	mutex_unlock(&output->update_lock);
}

static bool pvdisplay_plane_needs_full(struct pvdisplay_output *output,
				       const struct drm_crtc_state *crtc_state,
				       const struct drm_plane_state *old_state,
				       const struct drm_plane_state *new_state)
{
	return output->need_full || !output->scanout_on ||
	       drm_atomic_crtc_needs_modeset(crtc_state) ||
	       old_state->fb != new_state->fb ||
	       !drm_rect_equals(&old_state->src, &new_state->src) ||
	       new_state->ignore_damage_clips ||
	       !drm_plane_get_damage_clips_count(new_state);
}

static void pvdisplay_plane_atomic_update(struct drm_plane *plane,
					  struct drm_atomic_commit *state)
{
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct pvdisplay_plane_state *pstate = to_pvd_plane_state(new_state);
	struct pvdisplay_output *output = plane_to_output(plane);
	struct pvdisplay_damage *damage = &output->damage;
	struct drm_framebuffer *fb = new_state->fb;
	struct drm_crtc_state *crtc_state = NULL;
	struct drm_atomic_helper_damage_iter iter;
	struct pvdisplay_fb_layout layout;
	struct pvdisplay_scanout scanout;
	struct pvdisplay_drect src;
	struct drm_rect clip;
	bool full;
	int idx, ret;

	if (!drm_dev_enter(plane->dev, &idx))
		return;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);

	/* A plane on an inactive (DPMS off) CRTC shows nothing. */
	if (!new_state->visible || !crtc_state || !crtc_state->active) {
		pvdisplay_plane_head_off(output, pstate);
		goto out;
	}

	pvdisplay_scanout_of(output, new_state, &scanout, &layout, &src);
	/* Only if sharing the buffer again after a device reset failed. */
	if (!scanout.resource_id) {
		pvdisplay_plane_head_off(output, pstate);
		goto out;
	}

	mutex_lock(&output->update_lock);
	/* @scanout_on and @need_full only under the lock: see pvdisplay_dirty.c */
	pvdisplay_output_sync_reset(output);
	full = pvdisplay_plane_needs_full(output, crtc_state, old_state, new_state);
	pvdisplay_output_set_shown(output, fb, &scanout, &layout, &src, full);
	if (!full) {
		pvdisplay_damage_init(damage, &src);
		drm_atomic_helper_damage_iter_init(&iter, old_state, new_state);
		drm_atomic_for_each_plane_damage(&iter, &clip)
			pvdisplay_damage_add(damage, clip.x1, clip.y1,
					     clip.x2, clip.y2);
		/* Checked in atomic_check; a failure only costs a full update. */
		if (pvdisplay_damage_finish(damage, &layout))
			full = true;
		else if (!damage->nr_rects)
			goto unlock;	/* all clips outside what is shown */
	}

	pvdisplay_bo_sync_for_device(fb->obj[0], full ? NULL : damage);
	ret = pvdisplay_plane_send(output, pstate, &scanout,
				   full ? NULL : damage);
	/* After a failure the head may show anything: it is refreshed later. */
	pvdisplay_output_sent(output, ret);
	output->scanout_on = true;
unlock:
	mutex_unlock(&output->update_lock);
out:
	drm_dev_exit(idx);
}

static void pvdisplay_plane_atomic_disable(struct drm_plane *plane,
					   struct drm_atomic_commit *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	int idx;

	if (!drm_dev_enter(plane->dev, &idx))
		return;
	pvdisplay_plane_head_off(plane_to_output(plane),
				 to_pvd_plane_state(new_state));
	drm_dev_exit(idx);
}

/*
 * drm_panic: draw into the shown part of the framebuffer.  Its pages stay
 * pinned while the device has the resource, so they are always usable; a
 * kernel mapping is used when the source rectangle does not start at the
 * first page.
 */
static int pvdisplay_plane_get_scanout_buffer(struct drm_plane *plane,
					      struct drm_scanout_buffer *sb)
{
	struct drm_plane_state *state = plane->state;
	struct drm_gem_shmem_object *shmem;
	struct drm_framebuffer *fb;
	struct pvdisplay_drect src;
	struct pvdisplay_fb_layout layout;

	if (!state || !state->fb || !state->visible)
		return -ENODEV;

	fb = state->fb;
	shmem = to_drm_gem_shmem_obj(fb->obj[0]);
	pvdisplay_fb_layout_of(state, &layout, &src);

	if (shmem->vaddr) {
		iosys_map_set_vaddr(&sb->map[0], shmem->vaddr);
		iosys_map_incr(&sb->map[0], (size_t)layout.offset +
			       (size_t)src.y1 * layout.stride +
			       (size_t)src.x1 * layout.cpp);
	} else if (shmem->pages && !layout.offset && !src.x1 && !src.y1) {
		sb->pages = shmem->pages;
	} else {
		return -EOPNOTSUPP;
	}

	sb->format = fb->format;
	sb->width = src.x2 - src.x1;
	sb->height = src.y2 - src.y1;
	sb->pitch[0] = fb->pitches[0];
	return 0;
}

/* drm_panic: one full update, queued without sleeping, not waited for. */
static void pvdisplay_plane_panic_flush(struct drm_plane *plane)
{
	struct pvdisplay_output *output = plane_to_output(plane);
	struct drm_plane_state *state = plane->state;
	struct pvdisplay_req *req = output->panic_req;
	struct pvdisplay_fb_layout layout;
	struct pvdisplay_scanout scanout;
	struct pvdisplay_drect src;

	if (!req)
		return;

	pvdisplay_scanout_of(output, state, &scanout, &layout, &src);
	if (!scanout.resource_id)
		return;
	req->cmd_len = pvdisplay_encode_scanout_update(req->cmd, &scanout, NULL);
	if (!pvdisplay_req_queue_panic(output->pvd, req))
		output->panic_req = NULL;	/* the ring owns it now */
}

static const struct drm_plane_helper_funcs pvdisplay_plane_helper_funcs = {
	.prepare_fb = pvdisplay_plane_prepare_fb,
	.atomic_check = pvdisplay_plane_atomic_check,
	.atomic_update = pvdisplay_plane_atomic_update,
	.atomic_disable = pvdisplay_plane_atomic_disable,
	.get_scanout_buffer = pvdisplay_plane_get_scanout_buffer,
	.panic_flush = pvdisplay_plane_panic_flush,
};

static void pvdisplay_plane_destroy_state(struct drm_plane *plane,
					  struct drm_plane_state *state)
{
	struct pvdisplay_plane_state *pstate = to_pvd_plane_state(state);

	pvdisplay_req_put(pstate->req);
	__drm_atomic_helper_plane_destroy_state(state);
	kfree(pstate);
}

static void pvdisplay_plane_reset(struct drm_plane *plane)
{
	struct pvdisplay_plane_state *pstate;

	if (plane->state) {
		pvdisplay_plane_destroy_state(plane, plane->state);
		plane->state = NULL;
	}

	pstate = kzalloc_obj(*pstate);
	if (pstate)
		__drm_atomic_helper_plane_reset(plane, &pstate->base);
}

static struct drm_plane_state *
pvdisplay_plane_duplicate_state(struct drm_plane *plane)
{
	struct pvdisplay_plane_state *pstate;

	if (drm_WARN_ON(plane->dev, !plane->state))
		return NULL;

	pstate = kzalloc_obj(*pstate);
	if (!pstate)
		return NULL;

	/* Each commit gets its own request (prepare_fb). */
	__drm_atomic_helper_plane_duplicate_state(plane, &pstate->base);
	return &pstate->base;
}

static const struct drm_plane_funcs pvdisplay_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = pvdisplay_plane_reset,
	.atomic_duplicate_state = pvdisplay_plane_duplicate_state,
	.atomic_destroy_state = pvdisplay_plane_destroy_state,
};

/**
 * pvdisplay_plane_init - create a head's primary plane
 * @output: the head
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_plane_init(struct pvdisplay_output *output)
{
	struct pvdisplay_device *pvd = output->pvd;
	unsigned int nformats = pvd->has_extra_formats ?
		ARRAY_SIZE(pvdisplay_formats) : PVDISPLAY_NUM_BASE_FORMATS;
	int ret;

	/* possible_crtcs is filled in when the CRTC is created on it. */
	/* A full update needs no damage arrays. */
	output->panic_req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_scanout_update),
						sizeof(struct pvdisplay_resp_hdr),
						GFP_KERNEL);
	if (!output->panic_req)
		return -ENOMEM;

	ret = drm_universal_plane_init(&pvd->drm, &output->primary, 0,
				       &pvdisplay_plane_funcs, pvdisplay_formats,
				       nformats, NULL, DRM_PLANE_TYPE_PRIMARY,
				       NULL);
	if (ret)
		return ret;

	drm_plane_helper_add(&output->primary, &pvdisplay_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&output->primary);

	/*
	 * The device shows the colour channels and ignores alpha, and the
	 * primary plane has nothing under it: the head is black where no
	 * plane is.  That is "None", and also "Pre-multiplied" over black
	 * (C = Cs + (1 - As) * 0 = Cs), the default userspace expects for
	 * alpha formats.  "Coverage" (C = As * Cs) would need the device to
	 * multiply, so it is not offered.
	 */
	return drm_plane_create_blend_mode_property(&output->primary,
						    BIT(DRM_MODE_BLEND_PIXEL_NONE) |
						    BIT(DRM_MODE_BLEND_PREMULTI));
}
