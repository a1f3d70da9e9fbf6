// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay mode configuration, commit tail and display-change handling.
 */

#include <linux/bitops.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_managed.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "pvdisplay_drv.h"

static const struct drm_mode_config_funcs pvdisplay_mode_config_funcs = {
	.fb_create = pvdisplay_fb_create,
	.mode_valid = pvdisplay_mode_valid,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/*
 * CRTCs are switched before the planes are updated, so that a plane update
 * on an enabled CRTC finds its vblank running and the commit's event is
 * armed for a timer vblank instead of being sent at once.  Planes on
 * inactive CRTCs are updated too (flags 0): that is where a DPMS-off head is
 * switched off on the device.  The plane hooks only queue the head's
 * update; the event is armed once the device has answered for it
 * (pvdisplay_update.c), so waiting for flip_done rather than for a vblank
 * makes a blocking commit return only once the host shows its frame, and
 * the previous framebuffer is cleaned up only once the device let go of it.
 */
static void pvdisplay_atomic_commit_tail(struct drm_atomic_commit *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_fake_vblank(state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs pvdisplay_mode_config_helpers = {
	.atomic_commit_tail = pvdisplay_atomic_commit_tail,
};

static bool pvdisplay_head_state_equal(const struct pvdisplay_head_state *a,
				       const struct pvdisplay_head_state *b)
{
	return a->connected == b->connected &&
	       a->width == b->width && a->height == b->height &&
	       a->x == b->x && a->y == b->y &&
	       a->refresh_mhz == b->refresh_mhz &&
	       a->width_mm == b->width_mm && a->height_mm == b->height_mm;
}

/*
 * Both EDIDs passed drm_edid_valid(), and pvdisplay_parse_edid() made sure
 * their base blocks count no more blocks than they have.  Blocks past that
 * count (an HF-EEODB EDID's) are not compared.
 */
static bool pvdisplay_edid_equal(const struct drm_edid *a,
				 const struct drm_edid *b)
{
	const struct edid *ra = drm_edid_raw(a), *rb = drm_edid_raw(b);

	if (!ra || !rb)
		return !ra && !rb;
	return ra->extensions == rb->extensions &&
	       !memcmp(ra, rb, (ra->extensions + 1) * EDID_LENGTH);
}

/**
 * pvdisplay_refresh_display_info - re-read display information and EDIDs
 * @pvd: the device
 * @changed: out, may be NULL: bit N set if head N's information or EDID
 *	differs from what the driver had
 *
 * Queries the device without holding &pvdisplay_device.info_lock, then
 * swaps the results in.  A head whose EDID cannot be read just has none.
 *
 * Return: 0, or a negative errno if the display information is unusable
 * (the previous information is kept then, and nothing counts as changed).
 */
int pvdisplay_refresh_display_info(struct pvdisplay_device *pvd,
				   unsigned long *changed)
{
	struct pvdisplay_head_state heads[PVDISPLAY_MAX_HEADS];
	const struct drm_edid *edids[PVDISPLAY_MAX_HEADS] = {};
	unsigned long diff = 0;
	unsigned int i;
	int ret;

	if (changed)
		*changed = 0;

	ret = pvdisplay_cmd_get_displays(pvd, heads, edids);
	if (ret)
		return ret;

	mutex_lock(&pvd->info_lock);
	for (i = 0; i < pvd->num_heads; i++) {
		struct pvdisplay_output *output = &pvd->outputs[i];

		if (!pvdisplay_head_state_equal(&output->info, &heads[i]) ||
		    !pvdisplay_edid_equal(output->edid, edids[i]))
			diff |= BIT(i);
		output->info = heads[i];
		swap(output->edid, edids[i]);
	}
	mutex_unlock(&pvd->info_lock);

	/* The previous EDIDs. */
	for (i = 0; i < pvd->num_heads; i++)
		drm_edid_free(edids[i]);

	if (changed)
		*changed = diff;
	return 0;
}

/*
 * Tell userspace and the in-kernel clients (fbdev) which heads changed: a
 * connector event (HOTPLUG=1 CONNECTOR=id) when one head did, as a host
 * window resize does; a device-wide event when several did, as one uevent
 * cannot name several connectors.
 */
static void pvdisplay_send_hotplug(struct pvdisplay_device *pvd,
				   unsigned long changed)
{
	if (hweight_long(changed) == 1)
		drm_kms_helper_connector_hotplug_event(&pvd->outputs[__ffs(changed)].connector);
	else
		drm_kms_helper_hotplug_event(&pvd->drm);
}

/**
 * pvdisplay_config_work - handle a configuration-change notification
 * @work: &pvdisplay_device.config_work
 *
 * The event bit is cleared before the information is re-read, so a change
 * arriving meanwhile raises it again and is not lost.  Only heads whose
 * information changed are announced (with those a reset left in
 * &pvdisplay_device.heads_changed), after the fbdev framebuffer was fitted
 * to them (pvdisplay_fbdev_relayout()); fbcon then follows the new modes
 * (pvdisplay_fbdev_follow()).
 */
void pvdisplay_config_work(struct work_struct *work)
{
	struct pvdisplay_device *pvd =
		container_of(work, struct pvdisplay_device, config_work);
	unsigned long changed, announce;
	u32 events, clear;
	int idx;

	if (!drm_dev_enter(&pvd->drm, &idx))
		return;

	announce = atomic_long_xchg(&pvd->heads_changed, 0);
	virtio_cread_le(pvd->vdev, struct pvdisplay_config, events_pending,
			&events);
	if (events & PVDISPLAY_EVENT_DISPLAY) {
		clear = PVDISPLAY_EVENT_DISPLAY;
		virtio_cwrite_le(pvd->vdev, struct pvdisplay_config,
				 events_clear, &clear);
		if (!pvdisplay_refresh_display_info(pvd, &changed))
			announce |= changed;
	}
	if (announce) {
		pvdisplay_fbdev_relayout(pvd);
		pvdisplay_send_hotplug(pvd, announce);
		pvdisplay_fbdev_follow(pvd);
	}

	drm_dev_exit(idx);
}

/**
 * pvdisplay_kms_device_reset - forget what the device showed
 * @pvd: the device, just reset
 *
 * The next update of each head is a full one.  Commits may be running (a
 * function-level reset does not stop userspace), so the per-head state is
 * not touched here: each head notices the new count under its own lock
 * the next time it sends (pvdisplay_update.c).
 */
void pvdisplay_kms_device_reset(struct pvdisplay_device *pvd)
{
	atomic_inc(&pvd->reset_count);
}

static void pvdisplay_kms_fini(struct drm_device *drm, void *arg)
{
	struct pvdisplay_device *pvd = arg;
	unsigned int i;

	for (i = 0; i < pvd->num_heads; i++) {
		drm_edid_free(pvd->outputs[i].edid);
		pvd->outputs[i].edid = NULL;
		pvdisplay_req_put(pvd->outputs[i].panic_req);
		pvd->outputs[i].panic_req = NULL;
		pvdisplay_update_fini(&pvd->outputs[i]);
	}
}

/**
 * pvdisplay_kms_init - set up mode configuration and one pipe per head
 * @pvd: the device, with the configuration read
 *
 * Everything here is drmm-managed: released with the DRM device, after the
 * last user is gone, in reverse order.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_kms_init(struct pvdisplay_device *pvd)
{
	struct drm_device *drm = &pvd->drm;
	unsigned int i;
	int ret;

	pvd->outputs = drmm_kcalloc(drm, pvd->num_heads, sizeof(*pvd->outputs),
				    GFP_KERNEL);
	if (!pvd->outputs)
		return -ENOMEM;
	/* Before the heads' requests exist: it frees those that do. */
	ret = drmm_add_action(drm, pvdisplay_kms_fini, pvd);
	if (ret)
		return ret;
	for (i = 0; i < pvd->num_heads; i++) {
		pvd->outputs[i].pvd = pvd;
		pvd->outputs[i].index = i;
		ret = pvdisplay_update_init(&pvd->outputs[i]);
		if (ret)
			return ret;
	}

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	ret = pvdisplay_fbdev_mode_config_init(pvd);
	if (ret)
		return ret;

	/*
	 * Framebuffers may span every head, side by side or stacked, as
	 * Xorg's one framebuffer for all outputs does: the device bounds only
	 * what a head shows (modes are checked against one head's limits by
	 * pvdisplay_mode_valid()) and the framebuffer's size by its resource.
	 */
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = max(pvd->max_width,
					 min(pvd->num_heads * pvd->max_width,
					     PVDISPLAY_MAX_SCANOUT_DIM));
	drm->mode_config.max_height = max(pvd->max_height,
					  min(pvd->num_heads * pvd->max_height,
					      PVDISPLAY_MAX_SCANOUT_DIM));
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.prefer_shadow = 0;
	/* See pvdisplay_crtc.c: an asynchronous flip completes on the answer. */
	drm->mode_config.async_page_flip = true;
	drm->mode_config.funcs = &pvdisplay_mode_config_funcs;
	drm->mode_config.helper_private = &pvdisplay_mode_config_helpers;

	ret = drm_mode_create_suggested_offset_properties(drm);
	if (ret)
		return ret;

	/*
	 * Not a core property, but the name compositors (mutter, kwin) look
	 * for, as on qxl and vmwgfx: 1 means "the preferred mode follows the
	 * host window; switch to it on hotplug".
	 */
	pvd->hotplug_mode_update_property =
		drm_property_create_range(drm, DRM_MODE_PROP_IMMUTABLE,
					  "hotplug_mode_update", 0, 1);
	if (!pvd->hotplug_mode_update_property)
		return -ENOMEM;

	for (i = 0; i < pvd->num_heads; i++) {
		ret = pvdisplay_output_init(&pvd->outputs[i]);
		if (ret)
			return ret;
	}

	ret = drm_vblank_init(drm, pvd->num_heads);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}
