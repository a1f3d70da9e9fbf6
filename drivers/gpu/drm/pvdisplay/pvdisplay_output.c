// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay encoder and connector, and the wiring of one head.
 *
 * Everything the connector reports comes from the display information and
 * EDID the device last sent (pvdisplay_refresh_display_info()): connection
 * state, the host's preferred size (its window) and refresh rate, the
 * physical size and the suggested position in a multi-head layout.
 */

#include <linux/math64.h>
#include <linux/minmax.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_edid.h>
#include <drm/drm_encoder.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_modes.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>

#include "pvdisplay_drv.h"

/* Without an EDID: 1024x768 unless the host suggests a size. */
#define PVDISPLAY_DEFAULT_WIDTH		1024
#define PVDISPLAY_DEFAULT_HEIGHT	768

/* Common sizes drm_add_modes_noedid() lacks (DMT has no 16:9 UHD). */
static const struct {
	u16 width;
	u16 height;
} pvdisplay_extra_modes[] = {
	{ 2560, 1440 },
	{ 3840, 2160 },
};

/**
 * pvdisplay_mode_create - a mode of any size at a given refresh rate
 * @drm: the DRM device
 * @width: horizontal size in pixels
 * @height: vertical size in pixels
 * @refresh_mhz: refresh rate in millihertz
 *
 * The host window can have any size, which CVT (8-pixel granularity) cannot
 * always express, so the timings are built directly: reduced-blanking-like
 * porches, and a pixel clock chosen so that the vblank timer ticks at
 * @refresh_mhz.
 *
 * Return: the mode, or NULL.
 */
static struct drm_display_mode *pvdisplay_mode_create(struct drm_device *drm,
						      u32 width, u32 height,
						      u32 refresh_mhz)
{
	struct drm_display_mode *mode;
	u64 clock, frame;

	mode = drm_mode_create(drm);
	if (!mode)
		return NULL;

	mode->hdisplay = width;
	mode->hsync_start = width + 48;
	mode->hsync_end = width + 80;
	mode->htotal = width + 160;
	mode->vdisplay = height;
	mode->vsync_start = height + 3;
	mode->vsync_end = height + 9;
	mode->vtotal = height + 32;

	/* kHz = htotal * vtotal * Hz / 1000 = htotal * vtotal * mHz / 10^6 */
	frame = (u64)mode->htotal * mode->vtotal;
	clock = DIV_ROUND_CLOSEST_ULL(frame * refresh_mhz, 1000000);
	/*
	 * Rounding to whole kHz must not take the rate out of what
	 * pvdisplay_mode_valid() accepts (1 Hz would become 0.999 Hz).
	 */
	clock = clamp(clock,
		      DIV_ROUND_UP_ULL(frame * PVDISPLAY_MIN_REFRESH_MHZ, 1000000),
		      div_u64(frame * PVDISPLAY_MAX_REFRESH_MHZ, 1000000));
	mode->clock = clock;
	mode->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	mode->type = DRM_MODE_TYPE_DRIVER;
	drm_mode_set_name(mode);
	return mode;
}

static u64 pvdisplay_mode_refresh_mhz(const struct drm_display_mode *mode)
{
	u64 frame = (u64)mode->htotal * mode->vtotal;

	if (!frame || mode->clock <= 0)
		return 0;
	return div64_u64((u64)mode->clock * 1000000, frame);
}

/**
 * pvdisplay_mode_valid - check a mode against the device's limits
 * @drm: the DRM device
 * @mode: the mode
 *
 * The device's limits are the same for every head, so this is the one
 * &drm_mode_config_funcs.mode_valid hook: DRM calls it for every probed
 * mode (drm_helper_probe_single_connector_modes()) and for every mode
 * userspace passes in (atomic MODE_ID, legacy SETCRTC), which covers what
 * connector and CRTC hooks would check.
 *
 * Return: MODE_OK, or why the mode cannot be shown.
 */
enum drm_mode_status pvdisplay_mode_valid(struct drm_device *drm,
					  const struct drm_display_mode *mode)
{
	struct pvdisplay_device *pvd = to_pvd(drm);
	u64 refresh_mhz;

	if (mode->hdisplay > pvd->max_width)
		return MODE_VIRTUAL_X;
	if (mode->vdisplay > pvd->max_height)
		return MODE_VIRTUAL_Y;

	/*
	 * The timings only drive the vblank timer: keep its rate within what
	 * the device may report itself, so that a user mode cannot make the
	 * timer fire a million times a second, or once an hour.
	 */
	refresh_mhz = pvdisplay_mode_refresh_mhz(mode);
	if (!refresh_mhz)
		return MODE_CLOCK_RANGE;
	if (refresh_mhz < PVDISPLAY_MIN_REFRESH_MHZ)
		return MODE_CLOCK_LOW;
	if (refresh_mhz > PVDISPLAY_MAX_REFRESH_MHZ)
		return MODE_CLOCK_HIGH;
	return MODE_OK;
}

/*
 * A probed mode of @w x @h, with a refresh rate within 1 Hz of @refresh_mhz
 * unless that is 0.
 */
static struct drm_display_mode *
pvdisplay_find_mode(struct drm_connector *connector, u32 w, u32 h,
		    u32 refresh_mhz)
{
	struct drm_display_mode *mode;

	list_for_each_entry(mode, &connector->probed_modes, head) {
		u64 r = pvdisplay_mode_refresh_mhz(mode);

		if (mode->hdisplay != w || mode->vdisplay != h)
			continue;
		if (!refresh_mhz || (r + 1000 > refresh_mhz && r < refresh_mhz + 1000))
			return mode;
	}
	return NULL;
}

/*
 * Exactly one preferred mode, one that can be shown: @pref if given, else
 * the first preferred one from the EDID, else the default size, else the
 * first mode.
 */
static void pvdisplay_pick_preferred(struct pvdisplay_output *output,
				     struct drm_display_mode *pref)
{
	struct drm_connector *connector = &output->connector;
	struct pvdisplay_device *pvd = output->pvd;
	struct drm_display_mode *mode, *fallback = NULL;

	/* The probe helper prunes a mode that cannot be shown. */
	if (pref && pvdisplay_mode_valid(&pvd->drm, pref) != MODE_OK)
		pref = NULL;
	list_for_each_entry(mode, &connector->probed_modes, head) {
		bool usable = pvdisplay_mode_valid(&pvd->drm, mode) == MODE_OK;

		if (!pref && usable && (mode->type & DRM_MODE_TYPE_PREFERRED))
			pref = mode;
		if (!fallback && usable &&
		    mode->hdisplay == PVDISPLAY_DEFAULT_WIDTH &&
		    mode->vdisplay == PVDISPLAY_DEFAULT_HEIGHT)
			fallback = mode;
	}
	if (!pref)
		pref = fallback;
	if (!pref)
		list_for_each_entry(mode, &connector->probed_modes, head)
			if (pvdisplay_mode_valid(&pvd->drm, mode) == MODE_OK) {
				pref = mode;
				break;
			}

	list_for_each_entry(mode, &connector->probed_modes, head) {
		if (mode == pref)
			mode->type |= DRM_MODE_TYPE_PREFERRED;
		else
			mode->type &= ~DRM_MODE_TYPE_PREFERRED;
	}
}

static int pvdisplay_connector_get_modes(struct drm_connector *connector)
{
	struct pvdisplay_output *output = connector_to_output(connector);
	struct pvdisplay_device *pvd = output->pvd;
	struct drm_mode_config *config = &pvd->drm.mode_config;
	struct drm_display_mode *mode, *pref = NULL;
	struct pvdisplay_head_state info;
	const struct drm_edid *edid;
	unsigned int i;
	int count = 0;

	/* A private copy: info_lock is not held across DRM calls. */
	mutex_lock(&pvd->info_lock);
	info = output->info;
	edid = drm_edid_dup(output->edid);
	mutex_unlock(&pvd->info_lock);

	drm_edid_connector_update(connector, edid);
	if (edid) {
		count = drm_edid_connector_add_modes(connector);
		drm_edid_free(edid);
	} else {
		count = drm_add_modes_noedid(connector, pvd->max_width,
					     pvd->max_height);
		for (i = 0; i < ARRAY_SIZE(pvdisplay_extra_modes); i++) {
			u32 w = pvdisplay_extra_modes[i].width;
			u32 h = pvdisplay_extra_modes[i].height;

			if (w > pvd->max_width || h > pvd->max_height ||
			    pvdisplay_find_mode(connector, w, h, 0))
				continue;
			mode = pvdisplay_mode_create(&pvd->drm, w, h,
						     PVDISPLAY_DEFAULT_REFRESH_MHZ);
			if (!mode)
				break;
			drm_mode_probed_add(connector, mode);
			count++;
		}
	}

	/*
	 * The host's window size at the host's refresh rate: a listed mode if
	 * there is one, so that the list has no near-duplicates.
	 */
	if (info.width && info.height) {
		pref = pvdisplay_find_mode(connector, info.width, info.height,
					   info.refresh_mhz);
		if (!pref) {
			pref = pvdisplay_mode_create(&pvd->drm, info.width,
						     info.height, info.refresh_mhz);
			if (pref) {
				drm_mode_probed_add(connector, pref);
				count++;
			}
		}
	}
	pvdisplay_pick_preferred(output, pref);

	if (!edid && info.width_mm && info.height_mm) {
		connector->display_info.width_mm = info.width_mm;
		connector->display_info.height_mm = info.height_mm;
	}

	/* Immutable properties: fine to set from the probe path. */
	drm_object_property_set_value(&connector->base,
				      config->suggested_x_property, info.x);
	drm_object_property_set_value(&connector->base,
				      config->suggested_y_property, info.y);
	return count;
}

static const struct drm_connector_helper_funcs pvdisplay_connector_helper_funcs = {
	.get_modes = pvdisplay_connector_get_modes,
};

static enum drm_connector_status
pvdisplay_connector_detect(struct drm_connector *connector, bool force)
{
	struct pvdisplay_output *output = connector_to_output(connector);
	bool connected;

	mutex_lock(&output->pvd->info_lock);
	connected = output->info.connected;
	mutex_unlock(&output->pvd->info_lock);

	return connected ? connector_status_connected :
			   connector_status_disconnected;
}

static const struct drm_connector_funcs pvdisplay_connector_funcs = {
	.detect = pvdisplay_connector_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/**
 * pvdisplay_output_init - create a head's plane, CRTC, encoder and connector
 * @output: the head, with @output->pvd and @output->index set
 *
 * The CRTC, encoder and connector are initialised with the drmm_ helpers
 * and the planes are cleaned up by drm_mode_config_cleanup() (itself
 * drmm-managed), so everything is released with the DRM device and an
 * error needs no unwinding here.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_output_init(struct pvdisplay_output *output)
{
	struct drm_device *drm = &output->pvd->drm;
	struct drm_connector *connector = &output->connector;
	struct drm_encoder *encoder = &output->encoder;
	int ret;

	ret = pvdisplay_plane_init(output);
	if (ret)
		return ret;

	if (output->pvd->cursor_max_width) {
		ret = pvdisplay_cursor_plane_init(output);
		if (ret)
			return ret;
	}

	ret = pvdisplay_crtc_init(output);
	if (ret)
		return ret;

	ret = drmm_encoder_init(drm, encoder, NULL, DRM_MODE_ENCODER_VIRTUAL,
				NULL);
	if (ret)
		return ret;
	encoder->possible_crtcs = drm_crtc_mask(&output->crtc);

	ret = drmm_connector_init(drm, connector, &pvdisplay_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;
	drm_connector_helper_add(connector, &pvdisplay_connector_helper_funcs);
	/* Changes are signalled by the device, nothing to poll. */
	connector->polled = DRM_CONNECTOR_POLL_HPD;
	drm_connector_attach_edid_property(connector);
	drm_object_attach_property(&connector->base,
				   drm->mode_config.suggested_x_property, 0);
	drm_object_attach_property(&connector->base,
				   drm->mode_config.suggested_y_property, 0);
	drm_object_attach_property(&connector->base,
				   output->pvd->hotplug_mode_update_property, 1);

	return drm_connector_attach_encoder(connector, encoder);
}
