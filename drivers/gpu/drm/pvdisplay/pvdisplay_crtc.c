// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay CRTC.  The device has no vblank interrupt (present events are a
 * future feature), so vblanks come from the kernel's vblank timer, ticking
 * at the mode's refresh rate.  The mode itself reaches the device through
 * the plane update (its source size), so enabling and disabling a CRTC only
 * switches the vblank timer.  A CRTC may be on without a visible primary
 * plane: the device then has the head off, which looks the same (black).
 *
 * A commit's event is armed for the first vblank after the device answered
 * for the commit's plane update, not before: the event says the frame is on
 * screen (and, with a host view of guest pages, that the previous buffer is
 * no longer read).  atomic_flush hands it to the head (pvdisplay_update.c),
 * which holds it until then; the plane hooks never wait for the device, the
 * commit tail waits for the event (pvdisplay_kms.c).
 *
 * Asynchronous page flips (DRM_MODE_PAGE_FLIP_ASYNC) skip the vblank: their
 * event goes out as soon as the device has answered.  The host then shows
 * the new buffer and no longer reads the old one, exactly as after a paced
 * flip; what is given up is only the pacing.  The host switches between
 * complete buffers and its UI samples them at its own refresh, so such a
 * flip does not tear the way a mid-scanout flip of real hardware does.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_crtc.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_vblank.h>
#include <drm/drm_vblank_helper.h>

#include "pvdisplay_drv.h"

/**
 * pvdisplay_crtc_arm_event - send a commit's event at the next vblank
 * @crtc: the CRTC
 * @event: the event
 * @async: the commit is an asynchronous flip: send the event now
 *
 * At once if the CRTC's vblank is off.  An asynchronous flip's event is
 * sent at once too, with the count and time of the vblank that started the
 * frame the flip landed in; the vblank is switched on for that (if it was
 * off, its count would be stale).  Any context.
 */
void pvdisplay_crtc_arm_event(struct drm_crtc *crtc,
			      struct drm_pending_vblank_event *event,
			      bool async)
{
	unsigned long flags;
	bool put = false;

	spin_lock_irqsave(&crtc->dev->event_lock, flags);
	if (drm_crtc_vblank_get(crtc)) {
		drm_crtc_send_vblank_event(crtc, event);
	} else if (async) {
		drm_crtc_send_vblank_event(crtc, event);
		put = true;
	} else {
		drm_crtc_arm_vblank_event(crtc, event);
	}
	spin_unlock_irqrestore(&crtc->dev->event_lock, flags);
	if (put)
		drm_crtc_vblank_put(crtc);
}

/* The planes are updated: arm the event, or let the head hold it. */
static void pvdisplay_crtc_atomic_flush(struct drm_crtc *crtc,
					struct drm_atomic_commit *state)
{
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	struct drm_pending_vblank_event *event = crtc_state->event;
	bool async = crtc_state->async_flip;

	if (!event)
		return;
	crtc_state->event = NULL;
	if (crtc_state->active)
		event = pvdisplay_update_hold_event(crtc_to_output(crtc), event,
						    async);
	if (event)
		pvdisplay_crtc_arm_event(crtc, event, async);
}

static const struct drm_crtc_helper_funcs pvdisplay_crtc_helper_funcs = {
	/* Modes are checked once, by pvdisplay_mode_valid(). */
	/* Hands the commit's event to the head, which arms it (see above). */
	.atomic_flush = pvdisplay_crtc_atomic_flush,
	.atomic_enable = drm_crtc_vblank_atomic_enable,
	.atomic_disable = drm_crtc_vblank_atomic_disable,
	/* Asks the device for the frame's CRC when debugfs wants one. */
	.handle_vblank_timeout = pvdisplay_crtc_handle_vblank_timeout,
};

static const struct drm_crtc_funcs pvdisplay_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	DRM_CRTC_VBLANK_TIMER_FUNCS,
};

/* With PVDISPLAY_F_CRC: the same plus the debugfs CRC source "auto". */
static const struct drm_crtc_funcs pvdisplay_crtc_crc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	DRM_CRTC_VBLANK_TIMER_FUNCS,
	.set_crc_source = pvdisplay_crtc_set_crc_source,
	.verify_crc_source = pvdisplay_crtc_verify_crc_source,
	.get_crc_sources = pvdisplay_crtc_get_crc_sources,
};

/**
 * pvdisplay_crtc_init - create a head's CRTC on its primary and cursor planes
 * @output: the head
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_crtc_init(struct pvdisplay_output *output)
{
	int ret;

	ret = drmm_crtc_init_with_planes(&output->pvd->drm, &output->crtc,
					 &output->primary,
					 output->pvd->cursor_max_width ?
					 &output->cursor : NULL,
					 output->pvd->has_crc ?
					 &pvdisplay_crtc_crc_funcs :
					 &pvdisplay_crtc_funcs, NULL);
	if (ret)
		return ret;

	ret = pvdisplay_crc_init(output);
	if (ret)
		return ret;

	drm_crtc_helper_add(&output->crtc, &pvdisplay_crtc_helper_funcs);
	return 0;
}
