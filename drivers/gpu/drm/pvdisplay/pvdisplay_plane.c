// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay primary plane: one SCANOUT_UPDATE per plane update.
 *
 * The framebuffer already lives in memory the device reads (see
 * pvdisplay_gem.c), so an update only tells the device which resource and
 * layout a head shows and what changed: the damage clips as rectangles plus
 * the page-aligned memory regions they touch (pvdisplay_damage.c).  A new
 * framebuffer, source rectangle or mode, or missing damage information, makes
 * it a full update (no rectangles).  The hooks only hand the change to the
 * head (pvdisplay_update.c), which queues the request without sleeping and
 * without allocating; front-buffer updates (DIRTYFB, fbdev) go to the same
 * place.
 */

#include <linux/highmem.h>
#include <linux/iosys-map.h>

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
	/*
	 * Showing something needs a device that answers.  Visibility follows
	 * the CRTC's enable, not its active: a plane on an inactive (DPMS off)
	 * CRTC is turned off (atomic_update), which is not refused.
	 */
	if (crtc_state->active && pvdisplay_vq_broken(to_pvd(plane->dev)))
		return -EIO;

	/*
	 * The device shows a head's frame (a copy of its own, or a view of
	 * the buffer shown), i.e. it is a per-plane upload target and the
	 * clips are frame damage, valid across a flip to another buffer;
	 * only a device without PVDISPLAY_F_FRAME_DAMAGE refreshes everything
	 * after a flip.  Set both ways: the flag is copied from the previous
	 * state.
	 */
	new_state->ignore_damage_clips = old_state->fb != new_state->fb &&
					 !to_pvd(plane->dev)->has_frame_damage;

	return 0;
}

/*
 * A flip to another framebuffer can carry its damage (frame damage); the
 * head checks that its layout did not change (pvdisplay_update_show()).
 * The clips are merged under the head's spinlock with interrupts off, and
 * FB_DAMAGE_CLIPS has no limit of its own: beyond what DIRTYFB takes
 * (%DRM_MODE_FB_DIRTY_MAX_CLIPS) the whole frame is sent instead.
 */
static bool pvdisplay_plane_needs_full(const struct drm_crtc_state *crtc_state,
				       const struct drm_plane_state *old_state,
				       const struct drm_plane_state *new_state)
{
	unsigned int clips = drm_plane_get_damage_clips_count(new_state);

	return drm_atomic_crtc_needs_modeset(crtc_state) ||
	       !drm_rect_equals(&old_state->src, &new_state->src) ||
	       new_state->ignore_damage_clips ||
	       !clips || clips > DRM_MODE_FB_DIRTY_MAX_CLIPS;
}

/*
 * Commit hooks.  Even on an unplugged device the head is told when the
 * plane's framebuffer goes away (the state holding it may be freed after
 * this commit, see pvdisplay_update.c); the dead queue keeps the device out
 * of it.
 */
static void pvdisplay_plane_atomic_update(struct drm_plane *plane,
					  struct drm_atomic_commit *state)
{
	struct drm_plane_state *old_state = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct pvdisplay_output *output = plane_to_output(plane);
	struct drm_crtc_state *crtc_state = NULL;
	struct pvdisplay_fb_layout layout;
	struct pvdisplay_scanout scanout;
	struct pvdisplay_drect src;
	int idx;

	if (!drm_dev_enter(plane->dev, &idx)) {
		pvdisplay_update_off(output);
		return;
	}

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);

	/* A plane on an inactive (DPMS off) CRTC shows nothing. */
	if (!new_state->visible || !crtc_state || !crtc_state->active) {
		pvdisplay_update_off(output);
		goto out;
	}

	pvdisplay_scanout_of(output, new_state, &scanout, &layout, &src);
	/* Only if sharing the buffer again after a device reset failed. */
	if (!scanout.resource_id) {
		pvdisplay_update_off(output);
		goto out;
	}

	pvdisplay_update_show(output, new_state->fb, &scanout, &layout, &src,
			      old_state, new_state,
			      pvdisplay_plane_needs_full(crtc_state, old_state,
							 new_state));
out:
	drm_dev_exit(idx);
}

static void pvdisplay_plane_atomic_disable(struct drm_plane *plane,
					   struct drm_atomic_commit *state)
{
	pvdisplay_update_off(plane_to_output(plane));
}

/*
 * drm_panic, for a shown area that does not start at the first byte of an
 * unmapped framebuffer (a source rectangle inside a larger framebuffer, as
 * each head of a multi-head Xorg desktop has, or an offset): drm_panic's
 * own page walk only handles areas starting there.  One byte at a time,
 * since neither the offset nor the stride need be a multiple of the pixel
 * size and a pixel may straddle two pages.  Colours come converted to the
 * framebuffer's format, whose bytes are little-endian.
 */
static void pvdisplay_plane_panic_set_pixel(struct drm_scanout_buffer *sb,
					    unsigned int x, unsigned int y,
					    u32 color)
{
	const struct pvdisplay_output *output = sb->private;
	unsigned int cpp = sb->format->cpp[0];
	size_t pos = output->panic_origin + (size_t)y * sb->pitch[0] +
		     (size_t)x * cpp;
	unsigned int i;
	u8 *vaddr;

	for (i = 0; i < cpp; i++, pos++) {
		vaddr = kmap_local_page_try_from_panic(output->panic_pages[pos >> PAGE_SHIFT]);
		if (!vaddr)
			return;
		vaddr[offset_in_page(pos)] = color >> (8 * i);
		kunmap_local(vaddr);
	}
}

/*
 * drm_panic: draw into the shown part of the framebuffer.  Its pages stay
 * pinned while the device has the resource, so they are always usable,
 * whether or not the buffer has a kernel mapping (fbdev's has; a dumb
 * buffer of a KMS client has not).
 */
static int pvdisplay_plane_get_scanout_buffer(struct drm_plane *plane,
					      struct drm_scanout_buffer *sb)
{
	struct pvdisplay_output *output = plane_to_output(plane);
	struct drm_plane_state *state = plane->state;
	struct drm_gem_shmem_object *shmem;
	struct drm_framebuffer *fb;
	struct pvdisplay_drect src;
	struct pvdisplay_fb_layout layout;
	size_t origin;

	if (!state || !state->fb || !state->visible)
		return -ENODEV;

	fb = state->fb;
	shmem = to_drm_gem_shmem_obj(fb->obj[0]);
	pvdisplay_fb_layout_of(state, &layout, &src);
	origin = (size_t)layout.offset + (size_t)src.y1 * layout.stride +
		 (size_t)src.x1 * layout.cpp;

	if (shmem->vaddr) {
		iosys_map_set_vaddr(&sb->map[0], shmem->vaddr);
		iosys_map_incr(&sb->map[0], origin);
	} else if (shmem->pages && !origin) {
		sb->pages = shmem->pages;
	} else if (shmem->pages) {
		output->panic_pages = shmem->pages;
		output->panic_origin = origin;
		sb->set_pixel = pvdisplay_plane_panic_set_pixel;
		sb->private = output;
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
	/*
	 * With bounce buffers the device reads a copy: the panic screen
	 * reaches it only through a sync, which copies into the bounce
	 * buffer and takes no lock.
	 */
	pvdisplay_bo_sync_for_device(state->fb->obj[0], NULL);
	req->cmd_len = pvdisplay_encode_scanout_update(req->cmd, &scanout, NULL);
	if (!pvdisplay_req_queue_panic(output->pvd, req))
		output->panic_req = NULL;	/* the ring owns it now */
}

static const struct drm_plane_helper_funcs pvdisplay_plane_helper_funcs = {
	.prepare_fb = drm_gem_plane_helper_prepare_fb,
	.atomic_check = pvdisplay_plane_atomic_check,
	.atomic_update = pvdisplay_plane_atomic_update,
	.atomic_disable = pvdisplay_plane_atomic_disable,
	.get_scanout_buffer = pvdisplay_plane_get_scanout_buffer,
	.panic_flush = pvdisplay_plane_panic_flush,
};

/*
 * Every format of the plane can be flipped to asynchronously: the device
 * shows whichever buffer an update names, in any layout, so the plane
 * offers for asynchronous flips what it offers for the others (the
 * IN_FORMATS_ASYNC property lists the same pairs as IN_FORMATS).
 */
static bool pvdisplay_plane_format_mod_supported_async(struct drm_plane *plane,
						       u32 format, u64 modifier)
{
	return modifier == DRM_FORMAT_MOD_LINEAR;
}

static const struct drm_plane_funcs pvdisplay_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
	.format_mod_supported_async = pvdisplay_plane_format_mod_supported_async,
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

	/* A full update needs no damage arrays. */
	output->panic_req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_scanout_update),
						sizeof(struct pvdisplay_resp_hdr),
						GFP_KERNEL);
	if (!output->panic_req)
		return -ENOMEM;

	/*
	 * Embedded in the head: DRM has no drmm_ init for embedded planes, so
	 * drm_mode_config_cleanup() calls .destroy.  possible_crtcs is filled
	 * in when the CRTC is created on the plane.
	 */
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
