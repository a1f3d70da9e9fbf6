// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay CRC source (PVDISPLAY_F_CRC): debugfs crtc-N/crc with the
 * source "auto", whose values the device computes over what the host shows
 * on the head (its console surface, with the cursor composited).  A CRC
 * that differs from the one of the guest's framebuffer means the host shows
 * something else, so igt's CRC-based tests check the whole path, not only
 * the guest side as a software CRC would.
 *
 * The device has no frame clock, the guest's vblank timer is the frame
 * clock: each vblank while the source is on queues a work item that sends
 * GET_CRC on the control queue and adds the answer as the CRC of that
 * vblank's frame.  Ring order makes the answer cover every update queued
 * before, and the device drains the cursor queue first, so cursor moves
 * are covered too.  What the guest has not queued yet is not: a frame
 * during which a head update (one request per head in flight, the rest
 * coalesces behind it) or a cursor move (likewise) is still held back in
 * the guest gets no CRC.
 *
 * When the work falls behind (a GET_CRC takes longer than a frame under a
 * loaded host), the frames it missed are reported only if their CRC is
 * known: when no request at all was queued to the device between the two
 * GET_CRCs around them (pvdisplay_requests_queued() moved by the first
 * GET_CRC alone) and both answers are equal, the device showed the same
 * thing all along, and each missed frame gets that CRC.  Otherwise they are
 * skipped.  Frames are never reported out of order.
 */

#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <drm/drm_crtc.h>
#include <drm/drm_debugfs_crc.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vblank.h>

#include "pvdisplay_drv.h"

static const char *const pvdisplay_crc_sources[] = { "auto" };

/* GET_CRC for @output's head; @width x @height is used if it is off. */
static int pvdisplay_cmd_get_crc(struct pvdisplay_output *output, u32 width,
				 u32 height, u32 *crc)
{
	struct pvdisplay_device *pvd = output->pvd;
	struct pvdisplay_req *req;
	int ret;

	req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_get_crc),
				  sizeof(struct pvdisplay_resp_crc), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	pvdisplay_encode_get_crc((struct pvdisplay_cmd_get_crc *)req->cmd,
				 output->index, width, height);
	ret = pvdisplay_req_send(pvd, req);
	if (!ret)
		ret = pvdisplay_parse_crc(req->resp, req->resp_len, crc);
	pvdisplay_req_put(req);
	return ret;
}

/*
 * Report @crc for @frame, and for the frames since the last CRC reported if
 * they provably showed the same (see the top of this file); @queued is
 * pvdisplay_requests_queued() read before the GET_CRC that got @crc.
 */
static void pvdisplay_crc_report(struct pvdisplay_output *output, u32 frame,
				 u32 crc, unsigned long queued)
{
	struct drm_crtc *crtc = &output->crtc;
	u32 missed = frame - output->crc_last_frame - 1;
	u32 f;

	if (output->crc_last_valid && (s32)(frame - output->crc_last_frame) <= 0)
		return;	/* not after the last one: never out of order */
	if (output->crc_last_valid && crc == output->crc_last &&
	    queued == output->crc_last_queued + 1 &&
	    missed < DRM_CRC_ENTRIES_NR) {
		for (f = output->crc_last_frame + 1; f != frame; f++)
			drm_crtc_add_crc_entry(crtc, true, f, &crc);
	}
	drm_crtc_add_crc_entry(crtc, true, frame, &crc);
	output->crc_last_valid = true;
	output->crc_last = crc;
	output->crc_last_frame = frame;
	output->crc_last_queued = queued;
}

static void pvdisplay_crc_work(struct work_struct *work)
{
	struct pvdisplay_output *output =
		container_of(work, struct pvdisplay_output, crc_work);
	struct drm_crtc *crtc = &output->crtc;
	u32 frame, crc, width, height;
	unsigned long queued;
	bool enabled;
	int idx, ret;

	spin_lock_irq(&output->crc_lock);
	enabled = output->crc_enabled;
	frame = output->crc_frame;
	if (output->crc_fresh)
		output->crc_last_valid = false;
	output->crc_fresh = false;
	spin_unlock_irq(&output->crc_lock);
	if (!enabled || !drm_dev_enter(crtc->dev, &idx))
		return;

	/*
	 * The legacy mode copy is updated by every modeset commit; a torn
	 * read only costs one CRC of a frame that is changing anyway.
	 */
	width = READ_ONCE(crtc->mode.hdisplay);
	height = READ_ONCE(crtc->mode.vdisplay);
	/*
	 * A head update or cursor move held back behind the one in flight
	 * is not in the device's rings yet, so this GET_CRC would not cover
	 * it: the frame is skipped, and so are the next ones until it is
	 * queued.  Queuing it moves pvdisplay_requests_queued(), so no
	 * skipped frame gets the old CRC afterwards either.
	 */
	if (width && height && !pvdisplay_update_held_back(output) &&
	    !pvdisplay_cursor_move_pending(output)) {
		queued = pvdisplay_requests_queued(output->pvd);
		ret = pvdisplay_cmd_get_crc(output, width, height, &crc);
		if (!ret)
			pvdisplay_crc_report(output, frame, crc, queued);
		else
			drm_err_ratelimited(crtc->dev, "head %u: GET_CRC failed: %d\n",
					    output->index, ret);
	}
	drm_dev_exit(idx);
}

/**
 * pvdisplay_crtc_handle_vblank_timeout - a vblank of the CRTC's timer
 * @crtc: the CRTC
 *
 * Hard interrupt context.  Signals the vblank, then asks for the CRC of the
 * frame if the CRC source is on.
 *
 * Return: what drm_crtc_handle_vblank() returned.
 */
bool pvdisplay_crtc_handle_vblank_timeout(struct drm_crtc *crtc)
{
	struct pvdisplay_output *output = crtc_to_output(crtc);
	bool ret = drm_crtc_handle_vblank(crtc);
	unsigned long flags;

	spin_lock_irqsave(&output->crc_lock, flags);
	if (output->crc_enabled) {
		output->crc_frame = drm_crtc_vblank_count(crtc);
		queue_work(system_highpri_wq, &output->crc_work);
	}
	spin_unlock_irqrestore(&output->crc_lock, flags);
	return ret;
}

/**
 * pvdisplay_crtc_verify_crc_source - &drm_crtc_funcs.verify_crc_source
 * @crtc: the CRTC
 * @source: "auto", or NULL/"none" to turn CRCs off
 * @values_cnt: out: values per CRC entry
 *
 * Return: 0 or -EINVAL for an unknown source.
 */
int pvdisplay_crtc_verify_crc_source(struct drm_crtc *crtc, const char *source,
				     size_t *values_cnt)
{
	if (source && strcmp(source, "auto") && strcmp(source, "none"))
		return -EINVAL;
	*values_cnt = 1;
	return 0;
}

/**
 * pvdisplay_crtc_get_crc_sources - &drm_crtc_funcs.get_crc_sources
 * @crtc: the CRTC
 * @count: out: number of sources
 *
 * Return: the source names.
 */
const char *const *pvdisplay_crtc_get_crc_sources(struct drm_crtc *crtc,
						  size_t *count)
{
	*count = ARRAY_SIZE(pvdisplay_crc_sources);
	return pvdisplay_crc_sources;
}

/**
 * pvdisplay_crtc_set_crc_source - &drm_crtc_funcs.set_crc_source
 * @crtc: the CRTC
 * @source: "auto" to compute CRCs, NULL or "none" to stop
 *
 * A vblank reference is held while CRCs are on, so that the timer keeps
 * ticking and one CRC per frame comes.
 *
 * Return: 0 or a negative errno (the CRTC is off, for instance).
 */
int pvdisplay_crtc_set_crc_source(struct drm_crtc *crtc, const char *source)
{
	struct pvdisplay_output *output = crtc_to_output(crtc);
	bool enable = source && !strcmp(source, "auto");
	bool was;
	int ret;

	if (enable) {
		ret = drm_crtc_vblank_get(crtc);
		if (ret)
			return ret;
	}
	spin_lock_irq(&output->crc_lock);
	was = output->crc_enabled;
	output->crc_enabled = enable;
	output->crc_fresh = true;
	spin_unlock_irq(&output->crc_lock);

	if (was) {
		cancel_work_sync(&output->crc_work);
		drm_crtc_vblank_put(crtc);
	}
	return 0;
}

static void pvdisplay_crc_fini(struct drm_device *drm, void *arg)
{
	struct pvdisplay_output *output = arg;

	cancel_work_sync(&output->crc_work);
}

/**
 * pvdisplay_crc_init - set up a head's CRC state
 * @output: the head
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_crc_init(struct pvdisplay_output *output)
{
	spin_lock_init(&output->crc_lock);
	INIT_WORK(&output->crc_work, pvdisplay_crc_work);
	return drmm_add_action_or_reset(&output->pvd->drm, pvdisplay_crc_fini,
					output);
}
