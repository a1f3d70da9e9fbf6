// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay fbdev emulation: the generic shmem fbdev, made to follow the
 * host window.
 *
 * DRM's fbdev emulation allocates its framebuffer once, at the size of the
 * modes it picks at boot, and on a hotplug event only picks among the modes
 * that fit in that framebuffer (drm_fb_helper_hotplug_event() probes with
 * the framebuffer's size as the limit); the size fbcon draws at, fb_var's
 * xres/yres, is never updated either.  A host window grown past its boot
 * size would leave fbcon at the largest smaller mode, and a shrunk one would
 * cut fbcon's last rows and columns off.  So:
 *
 * - pvdisplay_fbdev_probe() allocates the buffer for the largest scanout the
 *   device allows, up to %PVDISPLAY_FBDEV_MAX_WIDTH x
 *   %PVDISPLAY_FBDEV_MAX_HEIGHT, but lays it out for the boot size only: the
 *   helper's framebuffer is one of ours over that buffer, as wide as the
 *   boot mode.  A pitch as wide as the largest mode would make fbcon touch
 *   twice the pages for the same 1080p console (a scroll redraws the
 *   screen), which under TCG costs a quarter more time per line;
 * - pvdisplay_fbdev_relayout(), called before each hotplug event, gives the
 *   helper a framebuffer over the same buffer sized for the host windows
 *   (each head's preferred mode), so that the helper can pick those modes;
 * - pvdisplay_fbdev_follow(), called after each hotplug event, sets fbcon's
 *   size to the mode the helper picked, as FBIOPUT_VSCREENINFO would;
 * - while a DRM master holds the display the helper defers the hotplug and
 *   only applies it when it restores its modes, which no driver hook
 *   follows: so when a master lets go, pvdisplay_fbdev_follow_work() applies
 *   the deferred hotplug itself and resizes fbcon;
 * - what fbcon, write() and mmap writers draw reaches the device without
 *   waiting for a vblank (pvdisplay_fbdev_damage_work()).
 *
 * Our framebuffers belong to no file.  The one the helper uses is
 * &pvdisplay_device.fbdev_fb; replaced ones are kept in
 * &pvdisplay_device.fbdev_retired while they may still be used
 * (pvdisplay_fbdev_set_layout()).  All are released with the device, before
 * the mode configuration's cleanup (pvdisplay_fbdev_mode_config_init()).
 * The buffer, and the framebuffer drm_fbdev_shmem_driver_fbdev_probe() made
 * with it, stay the helper's.
 *
 * See docs/driver.md, "fbdev and fbcon".
 */

#include <linux/console.h>
#include <linux/delay.h>
#include <linux/fb.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/refcount.h>

#include <drm/drm_client.h>
#include <drm/drm_client_event.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_fbdev_shmem.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

/*
 * The buffer stays pinned and mapped for as long as fbdev exists: 32 MiB
 * covers a 4K host window, larger ones get the largest mode up to this.
 */
#define PVDISPLAY_FBDEV_MAX_WIDTH	3840
#define PVDISPLAY_FBDEV_MAX_HEIGHT	2160

/*
 * The fbdev helper's damage worker, without its wait for a vblank.  The
 * helper collects what fbcon, write() and mmap writers draw in
 * &drm_fb_helper.damage_clip and queues &drm_fb_helper.damage_work; its
 * own worker first waits for the next vblank of a lit CRTC
 * (drm_fb_helper_fb_dirty()), so every change, a single typed character
 * too, reaches the host up to a frame late.  On this device a front-buffer
 * update need not wait (pvdisplay_dirty.c), so this work flushes at once
 * when the previous flush is at least %PVDISPLAY_FBDEV_FLUSH_INTERVAL_US
 * old.  Only a flood of drawing (fbcon scrolling) is paced, to that
 * interval: while the work sleeps, more damage merges into the helper's
 * clip and the work is queued once more at most.  Unpaced, fbcon flushed
 * about 700 times a second while scrolling and scrolled a quarter slower
 * under TCG (make bench BENCH_WORKLOADS=fbcon).
 *
 * The helper still owns the work (it cancels it on suspend and teardown)
 * and the clip.
 */
#define PVDISPLAY_FBDEV_FLUSH_INTERVAL_US	16667

static void pvdisplay_fbdev_damage_work(struct work_struct *work)
{
	struct drm_fb_helper *helper =
		container_of(work, struct drm_fb_helper, damage_work);
	struct pvdisplay_device *pvd = to_pvd(helper->dev);
	struct drm_clip_rect *damage = &helper->damage_clip;
	struct drm_clip_rect clip;
	unsigned long flags;
	s64 wait_us;

	wait_us = PVDISPLAY_FBDEV_FLUSH_INTERVAL_US -
		  ktime_us_delta(ktime_get(), pvd->fbdev_flushed);
	/* fsleep()'s slack of a quarter would pace at 48 flushes a second. */
	if (wait_us > 0)
		usleep_range(wait_us, wait_us + 200);

	spin_lock_irqsave(&helper->damage_lock, flags);
	clip = *damage;
	damage->x1 = ~0;
	damage->y1 = ~0;
	damage->x2 = 0;
	damage->y2 = 0;
	spin_unlock_irqrestore(&helper->damage_lock, flags);

	if (clip.x1 >= clip.x2 || clip.y1 >= clip.y2)
		return;
	pvd->fbdev_flushed = ktime_get();
	/*
	 * drm_fbdev_shmem's hook calls our framebuffer's .dirty, which takes
	 * the damage in any case (pvdisplay_fb_dirty()): nothing to restore.
	 */
	helper->funcs->fb_dirty(helper, &clip);
}

/*
 * Lay the fbdev buffer out as a @width x @height framebuffer and make it the
 * helper's; fbcon's mapping of pixels to memory changes with the pitch.
 * Called with the helper's lock held, and once fbdev is registered also
 * with the console and fb_info locks (in that order, as
 * FBIOPUT_VSCREENINFO takes them), so that fbcon draws either before or
 * after the change, never during it.
 *
 * The framebuffer replaced is kept until the next change, and the one the
 * helper's mode sets name (they hold no reference) for as long as they do:
 * the helper's damage worker and fbdev's mmap fault handler read the
 * helper's framebuffer without a lock, so one just replaced may still be in
 * their hands.  Older ones go to *@put, to be put once the damage worker
 * was flushed.
 */
static int pvdisplay_fbdev_set_layout(struct pvdisplay_device *pvd,
				      struct drm_fb_helper *helper,
				      u32 width, u32 height,
				      struct drm_framebuffer *put[2])
{
	struct drm_framebuffer *big = helper->buffer->fb;
	struct drm_mode_fb_cmd2 cmd = {
		.width = width,
		.height = height,
		.pixel_format = big->format->format,
		.pitches = { width * big->format->cpp[0] },
	};
	struct drm_framebuffer **kept = pvd->fbdev_retired;
	struct drm_client_dev *client = &helper->client;
	struct drm_framebuffer *fb, *named = NULL, *old = NULL;
	struct drm_mode_set *modeset;
	unsigned int i, n = 0;

	fb = pvdisplay_fb_create_internal(&pvd->drm, helper->buffer->gem, &cmd);
	if (IS_ERR(fb))
		return PTR_ERR(fb);

	/* drm_fbdev_shmem's own framebuffer lives as long as its buffer. */
	if (helper->fb == pvd->fbdev_fb)
		old = pvd->fbdev_fb;

	mutex_lock(&client->modeset_mutex);
	drm_client_for_each_modeset(modeset, client) {
		for (i = 0; i < 2; i++)
			if (kept[i] && modeset->fb == kept[i])
				named = kept[i];
		if (old && modeset->fb == old)
			named = old;
	}
	helper->fb = fb;
	mutex_unlock(&client->modeset_mutex);

	for (i = 0; i < 2; i++)
		if (kept[i] && kept[i] != named)
			put[n++] = kept[i];
	kept[0] = named;
	kept[1] = old != named ? old : NULL;
	pvd->fbdev_fb = fb;

	/* Consistent for the next check_var; fbcon learns of it later. */
	helper->info->fix.line_length = fb->pitches[0];
	helper->info->var.xres_virtual = width;
	helper->info->var.yres_virtual = height;
	helper->info->var.xres = min(helper->info->var.xres, width);
	helper->info->var.yres = min(helper->info->var.yres, height);
	helper->info->var.xoffset = 0;
	helper->info->var.yoffset = 0;
	return 0;
}

static void pvdisplay_fbdev_put_replaced(struct drm_fb_helper *helper,
					 struct drm_framebuffer *put[2])
{
	if (!put[0] && !put[1])
		return;
	flush_work(&helper->damage_work);
	if (put[0])
		drm_framebuffer_put(put[0]);
	if (put[1])
		drm_framebuffer_put(put[1]);
}

/**
 * pvdisplay_fbdev_probe - allocate the fbdev framebuffer
 * @helper: the fbdev helper
 * @sizes: the sizes the helper asks for; the buffer is made as large as the
 *	device allows, up to the limit above
 *
 * fbcon starts at the size the helper picked (@sizes->fb_width x
 * @sizes->fb_height), on a framebuffer of @sizes->surface_width x
 * @sizes->surface_height; the rest of the buffer is room to grow.  Without
 * that framebuffer (no memory) the helper keeps the one as large as the
 * buffer, which works, only slower.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_fbdev_probe(struct drm_fb_helper *helper,
			  struct drm_fb_helper_surface_size *sizes)
{
	struct pvdisplay_device *pvd = to_pvd(helper->dev);
	u32 width = sizes->surface_width, height = sizes->surface_height;
	struct drm_framebuffer *put[2] = { };
	int ret;

	sizes->surface_width = max(width, min_t(u32, pvd->max_width,
						PVDISPLAY_FBDEV_MAX_WIDTH));
	sizes->surface_height = max(height, min_t(u32, pvd->max_height,
						  PVDISPLAY_FBDEV_MAX_HEIGHT));

	ret = drm_fbdev_shmem_driver_fbdev_probe(helper, sizes);
	if (ret)
		return ret;

	/* fbdev is not registered yet: nothing has queued the work. */
	INIT_WORK(&helper->damage_work, pvdisplay_fbdev_damage_work);

	/*
	 * fbdev is not registered yet: the helper's lock is enough.  The
	 * framebuffer replaced is drm_fbdev_shmem's own, so nothing is put.
	 */
	if (width != sizes->surface_width || height != sizes->surface_height) {
		ret = pvdisplay_fbdev_set_layout(pvd, helper, width, height, put);
		if (ret)
			drm_dbg_kms(&pvd->drm, "fbdev: pitch of %u pixels: %d\n",
				    sizes->surface_width, ret);
	}
	return 0;
}

/*
 * The framebuffer size in which the helper finds every connected head's
 * preferred mode, the host window's size, but no larger than the buffer;
 * the whole buffer if a connected head's size is unknown.  0x0 with no
 * connected head.
 */
static void pvdisplay_fbdev_wanted_size(struct pvdisplay_device *pvd,
					u32 max_width, u32 max_height,
					u32 *width, u32 *height)
{
	unsigned int i;

	*width = 0;
	*height = 0;
	mutex_lock(&pvd->info_lock);
	for (i = 0; i < pvd->num_heads; i++) {
		const struct pvdisplay_head_state *info = &pvd->outputs[i].info;

		if (!info->connected)
			continue;
		if (!info->width || !info->height) {
			*width = max_width;
			*height = max_height;
			break;
		}
		*width = max(*width, info->width);
		*height = max(*height, info->height);
	}
	mutex_unlock(&pvd->info_lock);

	*width = min(*width, max_width);
	*height = min(*height, max_height);
}

/*
 * The fbdev helper publishes helper->info under its own lock and registers
 * the fb_info only after dropping it: register_framebuffer() initialises
 * the fb_info's lock then, so an fb_info seen under helper->lock alone may
 * not be ready for lock_fb_info() yet.  Registration runs whole under the
 * DRM device's client list lock (drm_client_register() and the client
 * hotplug call the helper's initial configuration with it held), so with
 * both held an fb_info is registered or its registration failed; a
 * registered one has a reference count (pvdisplay_fbdev_registered()).
 * Lock order as in the core's client hotplug: the client list first.
 */
static void pvdisplay_fbdev_registered_lock(struct pvdisplay_device *pvd,
					    struct drm_fb_helper *helper)
	__acquires(&pvd->drm.clientlist_mutex) __acquires(&helper->lock)
{
	mutex_lock(&pvd->drm.clientlist_mutex);
	mutex_lock(&helper->lock);
}

static void pvdisplay_fbdev_registered_unlock(struct pvdisplay_device *pvd,
					      struct drm_fb_helper *helper)
	__releases(&helper->lock) __releases(&pvd->drm.clientlist_mutex)
{
	mutex_unlock(&helper->lock);
	mutex_unlock(&pvd->drm.clientlist_mutex);
}

/* helper->info if registered; pvdisplay_fbdev_registered_lock() held. */
static struct fb_info *pvdisplay_fbdev_registered(struct drm_fb_helper *helper)
{
	struct fb_info *info = helper->info;

	return info && refcount_read(&info->count) ? info : NULL;
}

/**
 * pvdisplay_fbdev_relayout - fit the fbdev framebuffer to the host windows
 * @pvd: the device
 *
 * Called before a hotplug event reaches the fbdev helper, inside
 * drm_dev_enter() like pvdisplay_fbdev_follow(): gives the helper a
 * framebuffer in which each head's new preferred mode fits and no wider
 * than they need.  fbcon is redrawn on it by pvdisplay_fbdev_follow(), at
 * the size of the modes the helper picks, after the hotplug's commit: a
 * redraw and a commit here would delay the host's new image by as much.
 * Meanwhile fbcon draws at its old size on the new pitch (within the
 * buffer: neither is larger than the buffer's), and the head shows the
 * previous framebuffer, so the image is scrambled for that moment.
 *
 * While a DRM master holds the display the mode sets keep the previous
 * framebuffer until the helper applies the deferred hotplug; fbcon, not
 * shown meanwhile, draws on the new one.
 */
void pvdisplay_fbdev_relayout(struct pvdisplay_device *pvd)
{
	struct drm_fb_helper *helper = pvd->drm.fb_helper;
	struct drm_framebuffer *put[2] = { };
	u32 width, height, max_width = 0, max_height = 0;
	struct fb_info *info = NULL;
	int ret;

	if (!helper)
		return;

	pvdisplay_fbdev_registered_lock(pvd, helper);
	if (pvdisplay_fbdev_registered(helper) && helper->buffer && helper->fb) {
		info = helper->info;
		max_width = helper->buffer->fb->width;
		max_height = helper->buffer->fb->height;
	}
	pvdisplay_fbdev_registered_unlock(pvd, helper);
	if (!info)
		return;

	pvdisplay_fbdev_wanted_size(pvd, max_width, max_height, &width,
				    &height);
	if (!width || !height)
		return;

	console_lock();
	lock_fb_info(info);
	mutex_lock(&helper->lock);
	if (helper->fb->width == width && helper->fb->height == height) {
		mutex_unlock(&helper->lock);
		goto out_unlock;
	}
	ret = pvdisplay_fbdev_set_layout(pvd, helper, width, height, put);
	mutex_unlock(&helper->lock);
	if (ret) {
		drm_dbg_kms(&pvd->drm, "fbdev stays %ux%u, not %ux%u: %d\n",
			    info->var.xres_virtual, info->var.yres_virtual,
			    width, height, ret);
		goto out_unlock;
	}
	pvd->fbdev_redraw = true;

out_unlock:
	unlock_fb_info(info);
	console_unlock();
	pvdisplay_fbdev_put_replaced(helper, put);
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

	pvdisplay_fbdev_registered_lock(pvd, helper);
	info = pvdisplay_fbdev_registered(helper);
	if (info && helper->fb)
		pvdisplay_fbdev_mode_size(helper, &width, &height);
	pvdisplay_fbdev_registered_unlock(pvd, helper);
	if (!width || !height)
		return;

	console_lock();
	lock_fb_info(info);
	var = info->var;
	if (var.xres != width || var.yres != height || pvd->fbdev_redraw) {
		var.xres = width;
		var.yres = height;
		var.xoffset = 0;
		var.yoffset = 0;
		/* Every console on this fb, not only the foreground one. */
		var.activate = FB_ACTIVATE_NOW | FB_ACTIVATE_ALL;
		/* Laid out anew: redraw even at the same size. */
		if (pvd->fbdev_redraw)
			var.activate |= FB_ACTIVATE_FORCE;
		ret = fb_set_var_from_user(info, &var);
		if (ret)
			drm_dbg_kms(&pvd->drm, "fbcon stays %ux%u, not %ux%u: %d\n",
				    info->var.xres, info->var.yres, width,
				    height, ret);
		else
			pvd->fbdev_redraw = false;
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
		if (deferred) {
			pvdisplay_fbdev_relayout(pvd);
			drm_client_dev_hotplug(&pvd->drm);
		}
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

static void pvdisplay_fbdev_release(struct drm_device *drm, void *arg)
{
	struct pvdisplay_device *pvd = arg;

	if (pvd->fbdev_retired[0])
		drm_framebuffer_put(pvd->fbdev_retired[0]);
	if (pvd->fbdev_retired[1])
		drm_framebuffer_put(pvd->fbdev_retired[1]);
	if (pvd->fbdev_fb)
		drm_framebuffer_put(pvd->fbdev_fb);
}

/**
 * pvdisplay_fbdev_mode_config_init - release fbdev's framebuffers in time
 * @pvd: the device, its mode configuration just initialised
 *
 * The fbdev emulation is gone when the device is released (it holds a
 * reference to it); our framebuffers must be too before the mode
 * configuration's cleanup, which warns about any left.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_fbdev_mode_config_init(struct pvdisplay_device *pvd)
{
	return drmm_add_action(&pvd->drm, pvdisplay_fbdev_release, pvd);
}

/**
 * pvdisplay_fbdev_fini - wait for fbcon following to be idle
 * @pvd: the device, unplugged (so nothing queues the work again)
 */
void pvdisplay_fbdev_fini(struct pvdisplay_device *pvd)
{
	cancel_work_sync(&pvd->fbdev_follow_work);
}
