// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay fbdev emulation: the generic shmem fbdev, made to follow the
 * host window.
 *
 * DRM's fbdev emulation allocates its framebuffer once, at the size of the
 * modes it picks at boot, and on a hotplug event only picks among the modes
 * that fit in that buffer (drm_fb_helper_hotplug_event() probes with the
 * framebuffer's size as the limit); the size fbcon draws at, fb_var's
 * xres/yres, is never updated either.  A host window grown past its boot
 * size would leave fbcon at the largest smaller mode, and a shrunk one would
 * cut fbcon's last rows and columns off.  So:
 *
 * - pvdisplay_fbdev_probe() allocates the buffer for the largest scanout the
 *   device allows, up to %PVDISPLAY_FBDEV_MAX_WIDTH x
 *   %PVDISPLAY_FBDEV_MAX_HEIGHT, so that the helper can pick any mode up to
 *   that size later;
 * - pvdisplay_fbdev_follow(), called after each hotplug event, sets fbcon's
 *   size to the mode the helper picked, as FBIOPUT_VSCREENINFO would;
 * - while a DRM master holds the display the helper defers the hotplug and
 *   only applies it when it restores its modes, which no driver hook
 *   follows: so when a master lets go, pvdisplay_fbdev_follow_work() applies
 *   the deferred hotplug itself and resizes fbcon.
 *
 * See docs/driver.md, "fbdev and fbcon".
 */

#include <linux/console.h>
#include <linux/fb.h>
#include <linux/minmax.h>

#include <drm/drm_client.h>
#include <drm/drm_client_event.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_fbdev_shmem.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

/*
 * The buffer stays pinned and mapped for as long as fbdev exists: 32 MiB
 * covers a 4K host window, larger ones get the largest mode up to this.
 */
#define PVDISPLAY_FBDEV_MAX_WIDTH	3840
#define PVDISPLAY_FBDEV_MAX_HEIGHT	2160

/**
 * pvdisplay_fbdev_probe - allocate the fbdev framebuffer
 * @helper: the fbdev helper
 * @sizes: the sizes the helper asks for; the surface is made as large as
 *	the device allows, up to the limit above
 *
 * fbcon starts at the size the helper picked (@sizes->fb_width x
 * @sizes->fb_height); the rest of the buffer is room to grow.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_fbdev_probe(struct drm_fb_helper *helper,
			  struct drm_fb_helper_surface_size *sizes)
{
	struct pvdisplay_device *pvd = to_pvd(helper->dev);

	sizes->surface_width = max(sizes->surface_width,
				   min_t(u32, pvd->max_width,
					 PVDISPLAY_FBDEV_MAX_WIDTH));
	sizes->surface_height = max(sizes->surface_height,
				    min_t(u32, pvd->max_height,
					  PVDISPLAY_FBDEV_MAX_HEIGHT));

	return drm_fbdev_shmem_driver_fbdev_probe(helper, sizes);
}

/*
 * The size fbcon can use on every head the helper lights: the smallest
 * mode, as drm_fb_helper_fill_info() does at boot.  0x0 if none is lit.
 */
static void pvdisplay_fbdev_mode_size(struct drm_fb_helper *helper,
				      u32 *width, u32 *height)
{
	struct drm_client_dev *client = &helper->client;
	struct drm_mode_set *modeset;

	*width = U32_MAX;
	*height = U32_MAX;
	mutex_lock(&client->modeset_mutex);
	drm_client_for_each_modeset(modeset, client) {
		if (!modeset->mode || !modeset->num_connectors)
			continue;
		*width = min_t(u32, *width, modeset->mode->hdisplay);
		*height = min_t(u32, *height, modeset->mode->vdisplay);
	}
	mutex_unlock(&client->modeset_mutex);

	if (*width == U32_MAX || *height == U32_MAX)
		*width = *height = 0;
}

/**
 * pvdisplay_fbdev_follow - resize fbcon to the modes fbdev now shows
 * @pvd: the device
 *
 * Called from the configuration-change work after the hotplug event, by
 * which time the fbdev helper has picked and set its new modes (the event
 * reaches in-kernel clients synchronously), and from the work that follows
 * a master's drop; both inside drm_dev_enter(), so fbdev cannot be
 * unregistered meanwhile.  Does nothing while a DRM master
 * holds the display: the helper then keeps its modes until it is restored.
 *
 * Locking: the helper's own lock only to read its state, then the console
 * lock and the fb_info lock, in that order, as the FBIOPUT_VSCREENINFO
 * ioctl takes them; fb_set_var() takes the helper's lock again underneath
 * (fb_set_par), so it is not held here.
 */
void pvdisplay_fbdev_follow(struct pvdisplay_device *pvd)
{
	struct drm_fb_helper *helper = pvd->drm.fb_helper;
	struct fb_var_screeninfo var;
	struct fb_info *info;
	u32 width = 0, height = 0;
	int ret;

	if (!helper)
		return;

	mutex_lock(&helper->lock);
	info = helper->info;
	if (info && helper->fb)
		pvdisplay_fbdev_mode_size(helper, &width, &height);
	mutex_unlock(&helper->lock);
	if (!width || !height)
		return;

	console_lock();
	lock_fb_info(info);
	var = info->var;
	if (var.xres != width || var.yres != height) {
		var.xres = width;
		var.yres = height;
		var.xoffset = 0;
		var.yoffset = 0;
		/* Every console on this fb, not only the foreground one. */
		var.activate = FB_ACTIVATE_NOW | FB_ACTIVATE_ALL;
		ret = fb_set_var_from_user(info, &var);
		if (ret)
			drm_dbg_kms(&pvd->drm, "fbcon stays %ux%u, not %ux%u: %d\n",
				    info->var.xres, info->var.yres, width,
				    height, ret);
	}
	unlock_fb_info(info);
	console_unlock();
}

/*
 * After a DRM master let go of the display: if the fbdev helper deferred a
 * hotplug meanwhile, apply it now and make fbcon follow.  The helper would
 * apply it itself when it restores its modes (last close, a switch back to
 * a text console), but nothing resizes fbcon after that.  The work may run
 * before or after that restore, and before the master is fully gone:
 * drm_fb_helper_hotplug_event() waits for the master lock the dropping
 * file holds, applies the new modes once there is no master, and defers
 * again if a new master took over (whose own drop queues this work again).
 * Applying the same modes twice, here and in the restore, changes nothing.
 */
static void pvdisplay_fbdev_follow_work(struct work_struct *work)
{
	struct pvdisplay_device *pvd =
		container_of(work, struct pvdisplay_device, fbdev_follow_work);
	struct drm_fb_helper *helper;
	bool deferred;
	int idx;

	if (!drm_dev_enter(&pvd->drm, &idx))
		return;

	helper = pvd->drm.fb_helper;
	if (helper) {
		mutex_lock(&helper->lock);
		deferred = helper->delayed_hotplug;
		mutex_unlock(&helper->lock);
		if (deferred)
			drm_client_dev_hotplug(&pvd->drm);
		pvdisplay_fbdev_follow(pvd);
	}

	drm_dev_exit(idx);
}

/**
 * pvdisplay_fbdev_master_drop - &drm_driver.master_drop
 * @drm: the DRM device
 * @file: the file that was master
 *
 * Called with the master lock held, so fbcon is followed from a work item
 * (pvdisplay_fbdev_follow_work()).  Nothing is queued once the device is
 * unplugged: pvdisplay_fbdev_fini() then waits for what was.
 */
void pvdisplay_fbdev_master_drop(struct drm_device *drm, struct drm_file *file)
{
	int idx;

	if (drm_dev_enter(drm, &idx)) {
		schedule_work(&to_pvd(drm)->fbdev_follow_work);
		drm_dev_exit(idx);
	}
}

/**
 * pvdisplay_fbdev_init - set up fbcon following for a new device
 * @pvd: the device
 */
void pvdisplay_fbdev_init(struct pvdisplay_device *pvd)
{
	INIT_WORK(&pvd->fbdev_follow_work, pvdisplay_fbdev_follow_work);
}

/**
 * pvdisplay_fbdev_fini - wait for fbcon following to be idle
 * @pvd: the device, unplugged (so nothing queues the work again)
 */
void pvdisplay_fbdev_fini(struct pvdisplay_device *pvd)
{
	cancel_work_sync(&pvd->fbdev_follow_work);
}
