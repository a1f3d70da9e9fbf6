// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay: DRM/KMS driver for the paravirtual display device.
 *
 * The device reads framebuffers directly from guest memory, shared once per
 * buffer as a scatter-gather list; the driver sends one small SCANOUT_UPDATE
 * per plane update naming the damage.  Wire protocol: <drm/pvdisplay.h>;
 * design notes: docs/driver.md.
 */

#include <linux/device.h>
#include <linux/module.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include <drm/clients/drm_client_setup.h>
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

DEFINE_DRM_GEM_FOPS(pvdisplay_fops);

static const struct drm_driver pvdisplay_drm_driver = {
	/* The hotspot matters only for cursor planes, which need the feature. */
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC |
			   DRIVER_CURSOR_HOTSPOT,
	.fops = &pvdisplay_fops,
	.gem_create_object = pvdisplay_gem_create_object,
	.dumb_create = pvdisplay_dumb_create,
	/* Foreign buffers can be imported, but not scanned out. */
	.gem_prime_import = drm_gem_shmem_prime_import_no_map,
	PVDISPLAY_FBDEV_DRIVER_OPS,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

/* Validate the configuration space; nothing the device says is trusted. */
static int pvdisplay_read_config(struct pvdisplay_device *pvd)
{
	struct virtio_device *vdev = pvd->vdev;
	u32 num_heads, max_width, max_height;

	virtio_cread_le(vdev, struct pvdisplay_config, num_heads, &num_heads);
	virtio_cread_le(vdev, struct pvdisplay_config, max_width, &max_width);
	virtio_cread_le(vdev, struct pvdisplay_config, max_height, &max_height);

	if (!num_heads || num_heads > PVDISPLAY_MAX_HEADS) {
		drm_err(&pvd->drm, "invalid head count %u\n", num_heads);
		return -EINVAL;
	}
	if (!max_width || !max_height) {
		drm_err(&pvd->drm, "invalid maximum scanout size %ux%u\n",
			max_width, max_height);
		return -EINVAL;
	}
	/* Using less than the device allows is always safe. */
	if (max_width > PVDISPLAY_MAX_SCANOUT_DIM ||
	    max_height > PVDISPLAY_MAX_SCANOUT_DIM) {
		drm_info(&pvd->drm, "limiting scanouts from %ux%u to %ux%u\n",
			 max_width, max_height,
			 min_t(u32, max_width, PVDISPLAY_MAX_SCANOUT_DIM),
			 min_t(u32, max_height, PVDISPLAY_MAX_SCANOUT_DIM));
		max_width = min_t(u32, max_width, PVDISPLAY_MAX_SCANOUT_DIM);
		max_height = min_t(u32, max_height, PVDISPLAY_MAX_SCANOUT_DIM);
	}

	if (pvd->has_cursor) {
		u32 cw, ch;

		virtio_cread_le(vdev, struct pvdisplay_config, cursor_max_width,
				&cw);
		virtio_cread_le(vdev, struct pvdisplay_config, cursor_max_height,
				&ch);
		if (cw < PVDISPLAY_CURSOR_MIN_SIZE || cw > PVDISPLAY_CURSOR_MAX_SIZE ||
		    ch < PVDISPLAY_CURSOR_MIN_SIZE || ch > PVDISPLAY_CURSOR_MAX_SIZE) {
			/* The queues stay as negotiated, the planes go. */
			drm_err(&pvd->drm, "invalid cursor size %ux%u, no cursor\n",
				cw, ch);
			cw = 0;
			ch = 0;
		}
		pvd->cursor_max_width = cw;
		pvd->cursor_max_height = ch;
	}

	pvd->cfg_num_heads = num_heads;
	/* Without MULTI_HEAD the device exposes head 0 only. */
	pvd->num_heads = pvd->has_multi_head ? num_heads : 1;
	pvd->max_width = max_width;
	pvd->max_height = max_height;
	return 0;
}

/* Display events raised before we were ready are covered by the first read. */
static void pvdisplay_clear_events(struct pvdisplay_device *pvd)
{
	u32 clear = PVDISPLAY_EVENT_DISPLAY;

	virtio_cwrite_le(pvd->vdev, struct pvdisplay_config, events_clear,
			 &clear);
}

static void pvdisplay_drm_put(void *drm)
{
	drm_dev_put(drm);
}

static void pvdisplay_ids_fini(struct drm_device *drm, void *arg)
{
	struct pvdisplay_device *pvd = arg;

	xa_destroy(&pvd->held_ids);
	ida_destroy(&pvd->resource_ida);
}

/*
 * The DRM device is embedded in the instance (__drm_dev_alloc()) and its
 * parent is the transport's device (the virtio PCI function), as for
 * virtio-gpu: the shmem helpers DMA-map buffers for drm_device.dev, and the
 * virtio device itself cannot do DMA.  devm_drm_dev_alloc() would tie the
 * instance to that parent, which outlives our binding (every bind would
 * leak one until the PCI function goes), so the initial reference is
 * dropped when the virtio device is unbound instead; the instance then
 * lives until the DRM device's last user is gone.  __drm_dev_alloc() is
 * documented as the Rust bindings' interface, and drm_dev_alloc() cannot
 * embed the device: a core helper taking the devres owner apart from the
 * parent is what an upstream submission would propose instead.
 * (drm_dev_set_dma_dev() does not help: the shmem helpers map for
 * drm_device.dev.)
 */
static int pvdisplay_probe(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd;
	struct drm_device *drm;
	int ret;

	/* nomodeset: leave the display to firmware drivers. */
	if (drm_firmware_drivers_only())
		return -ENODEV;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -ENODEV;
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "configuration space not accessible\n");
		return -EINVAL;
	}

	pvd = __drm_dev_alloc(vdev->dev.parent, &pvdisplay_drm_driver,
			      sizeof(*pvd), offsetof(struct pvdisplay_device, drm));
	if (IS_ERR(pvd))
		return PTR_ERR(pvd);
	drm = &pvd->drm;
	ret = devm_add_action_or_reset(&vdev->dev, pvdisplay_drm_put, drm);
	if (ret)
		return ret;

	pvd->vdev = vdev;
	vdev->priv = pvd;

	pvd->has_edid = virtio_has_feature(vdev, PVDISPLAY_F_EDID);
	pvd->has_multi_head = virtio_has_feature(vdev, PVDISPLAY_F_MULTI_HEAD);
	pvd->has_extra_formats = virtio_has_feature(vdev, PVDISPLAY_F_EXTRA_FORMATS);
	pvd->has_cursor = virtio_has_feature(vdev, PVDISPLAY_F_CURSOR);
	pvd->has_crc = virtio_has_feature(vdev, PVDISPLAY_F_CRC);
	pvd->has_frame_damage = virtio_has_feature(vdev, PVDISPLAY_F_FRAME_DAMAGE);
	pvd->use_dma_api = !virtio_has_dma_quirk(vdev);

	INIT_WORK(&pvd->config_work, pvdisplay_config_work);
	pvdisplay_fbdev_init(pvd);
	pvdisplay_vq_init(pvd);
	pvdisplay_cursorq_init(pvd);
	INIT_LIST_HEAD(&pvd->resources);
	spin_lock_init(&pvd->zombie_lock);
	INIT_LIST_HEAD(&pvd->zombies);
	ida_init(&pvd->resource_ida);
	xa_init(&pvd->held_ids);
	ret = drmm_add_action(drm, pvdisplay_ids_fini, pvd);
	if (ret)
		return ret;
	ret = drmm_mutex_init(drm, &pvd->info_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(drm, &pvd->res_lock);
	if (ret)
		return ret;

	ret = pvdisplay_read_config(pvd);
	if (ret)
		return ret;

	ret = pvdisplay_vq_start(pvd);
	if (ret)
		return ret;

	/* From here on the device may use the queue: unwind with a reset. */
	virtio_device_ready(vdev);
	pvdisplay_clear_events(pvd);

	ret = pvdisplay_kms_init(pvd);
	if (ret)
		goto err_reset;

	ret = pvdisplay_refresh_display_info(pvd, NULL);
	if (ret)
		goto err_reset;

	ret = drm_dev_register(drm, 0);
	if (ret)
		goto err_reset;

	drm_info(drm, "%u head(s), up to %ux%u, %cedid %cextra-formats %ccrc %cframe-damage, cursor %ux%u%s\n",
		 pvd->num_heads, pvd->max_width, pvd->max_height,
		 pvd->has_edid ? '+' : '-', pvd->has_extra_formats ? '+' : '-',
		 pvd->has_crc ? '+' : '-', pvd->has_frame_damage ? '+' : '-',
		 pvd->cursor_max_width, pvd->cursor_max_height,
		 pvd->use_dma_api ? ", DMA API" : "");

	drm_client_setup(drm, NULL);
	return 0;

err_reset:
	pvdisplay_vq_kill(pvd);
	pvdisplay_gem_reset_done(pvd);
	pvdisplay_vq_del(pvd);
	return ret;
}

/*
 * Order matters:
 *  1. drm_dev_unplug(): no new ioctls; waits for KMS paths and the config
 *     work inside drm_dev_enter() sections, each bounded by the request
 *     timeout.
 *  2. The config and fbcon works can no longer reach the device or be
 *     queued again; make sure they are idle.
 *  3. Shut the pipes down in software (device access is fenced off by 1;
 *     the heads forget their framebuffers).  Framebuffers freed here still
 *     destroy their resources on the live queue, so their pages are
 *     released only once the device let go.
 *  4. Reset the device and fail whatever is still queued: waiters wake up,
 *     answer callbacks run, nothing is shared any more.  Then nothing can
 *     schedule the heads' works again: wait for them.  Parked objects can
 *     be freed.
 *  5. Delete the queue (remove only).  The DRM device itself lives on while
 *     clients hold it open; they only ever see -ENODEV from now on.
 */
static void pvdisplay_quiesce(struct pvdisplay_device *pvd)
{
	struct drm_device *drm = &pvd->drm;

	drm_dev_unplug(drm);
	cancel_work_sync(&pvd->config_work);
	pvdisplay_fbdev_fini(pvd);
	drm_atomic_helper_shutdown(drm);
	pvdisplay_vq_kill(pvd);
	pvdisplay_update_stop(pvd);
	pvdisplay_gem_reset_done(pvd);
}

static void pvdisplay_remove(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;

	pvdisplay_quiesce(pvd);
	pvdisplay_vq_del(pvd);
}

/*
 * Power-off, reboot, kexec: turn the heads off through the atomic helpers
 * (the device still answers), then reset the device so that it lets go of
 * guest memory before the next kernel or the firmware reuses it.  The DRM
 * device stays registered: userspace still running only gets errors from
 * the dead queue.
 */
static void pvdisplay_shutdown(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;

	drm_atomic_helper_shutdown(&pvd->drm);
	cancel_work_sync(&pvd->config_work);
	pvdisplay_vq_kill(pvd);
	pvdisplay_update_stop(pvd);
	pvdisplay_gem_reset_done(pvd);
}

/*
 * Power management and function-level resets.  The virtio core resets the
 * device before restore()/reset_done(), which makes it forget the queue,
 * every resource and every head.  Both go down the same way: reset the
 * device ourselves (whatever is queued fails), drop the queue; and come back
 * the same way: find the queue, share every live buffer again under its old
 * id, re-read the display information.  They differ in what userspace does
 * meanwhile.  The reset also cleared any display event the device raised
 * while we were down (a host window resized during a suspend), so the heads
 * whose information differs from before are handed to the configuration
 * work, which announces them once the display is back.
 */
static void pvdisplay_device_down(struct pvdisplay_device *pvd)
{
	pvdisplay_update_hold(pvd);
	cancel_work_sync(&pvd->config_work);
	pvdisplay_vq_kill(pvd);
	pvdisplay_update_stop(pvd);
	pvdisplay_gem_reset_done(pvd);
	pvdisplay_kms_device_reset(pvd);
	pvdisplay_vq_del(pvd);
}

static int pvdisplay_device_up(struct pvdisplay_device *pvd)
{
	unsigned long changed;
	int ret;

	ret = pvdisplay_vq_start(pvd);
	if (ret)
		return ret;

	virtio_device_ready(pvd->vdev);
	pvdisplay_clear_events(pvd);
	pvdisplay_gem_restart(pvd);
	pvdisplay_update_release(pvd);
	/* Keeps the previous information if the device does not answer. */
	if (!pvdisplay_refresh_display_info(pvd, &changed))
		atomic_long_or(changed, &pvd->heads_changed);
	return 0;
}

/*
 * System sleep: userspace is frozen, so the atomic helpers can switch the
 * pipes off and restore exactly the state they saved.
 */
static int pvdisplay_freeze(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;
	int ret;

	ret = drm_mode_config_helper_suspend(&pvd->drm);
	if (ret)
		return ret;
	pvdisplay_device_down(pvd);
	drm_dbg_driver(&pvd->drm, "frozen: device reset, queue deleted\n");
	return 0;
}

static int pvdisplay_restore(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;
	int ret;

	ret = pvdisplay_device_up(pvd);
	if (ret)
		return ret;
	drm_dbg_driver(&pvd->drm, "restored: queue and buffers back\n");
	ret = drm_mode_config_helper_resume(&pvd->drm);
	if (atomic_long_read(&pvd->heads_changed))
		schedule_work(&pvd->config_work);
	return ret;
}

/*
 * Function-level reset: userspace keeps running, and may commit while the
 * device is down (those updates fail with -ENODEV and the heads remember to
 * refresh everything).  A saved state restored afterwards could undo such a
 * commit, so nothing is saved: afterwards the current state is committed
 * again, which the device reset turned into full updates.
 */
static int pvdisplay_reset_prepare(struct virtio_device *vdev)
{
	pvdisplay_device_down(vdev->priv);
	return 0;
}

static int pvdisplay_reset_done(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;
	struct drm_device *drm = &pvd->drm;
	struct drm_modeset_acquire_ctx ctx;
	struct drm_atomic_commit *state;
	int ret;

	ret = pvdisplay_device_up(pvd);
	if (ret)
		return ret;

	DRM_MODESET_LOCK_ALL_BEGIN(drm, ctx, 0, ret);
	state = drm_atomic_helper_duplicate_state(drm, &ctx);
	if (IS_ERR(state)) {
		ret = PTR_ERR(state);
	} else {
		ret = drm_atomic_helper_commit_duplicated_state(state, &ctx);
		drm_atomic_commit_put(state);
	}
	DRM_MODESET_LOCK_ALL_END(drm, ctx, ret);
	if (ret)
		drm_err(drm, "restoring the display after a reset failed: %d\n",
			ret);
	if (atomic_long_read(&pvd->heads_changed))
		schedule_work(&pvd->config_work);
	return 0;
}

/* Interrupt context: defer to the work item. */
static void pvdisplay_config_changed(struct virtio_device *vdev)
{
	struct pvdisplay_device *pvd = vdev->priv;

	schedule_work(&pvd->config_work);
}

/*
 * No indirect descriptors.  With them virtqueue_add_sgs() allocates a
 * descriptor table for every chain of more than one buffer, and drm_panic's
 * flush must not allocate: the allocator's locks may belong to a stopped
 * CPU (lockdep reports an invalid wait context under drm_panic's raw
 * lock).  Chains are short (a command, at most one payload, a response)
 * and few are in flight, so they fit the ring as they are;
 * pvdisplay_req_submit() already counts them that way.  The rest of the
 * driver then never allocates under a queue lock either.
 */
static int pvdisplay_validate(struct virtio_device *vdev)
{
	__virtio_clear_bit(vdev, VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

static const unsigned int pvdisplay_features[] = {
	PVDISPLAY_F_EDID,
	PVDISPLAY_F_MULTI_HEAD,
	PVDISPLAY_F_EXTRA_FORMATS,
	PVDISPLAY_F_CURSOR,
	PVDISPLAY_F_CRC,
	PVDISPLAY_F_FRAME_DAMAGE,
};

static const struct virtio_device_id pvdisplay_id_table[] = {
	{ PVDISPLAY_VIRTIO_ID, VIRTIO_DEV_ANY_ID },
	{ }
};
MODULE_DEVICE_TABLE(virtio, pvdisplay_id_table);

static struct virtio_driver pvdisplay_virtio_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = pvdisplay_id_table,
	.feature_table = pvdisplay_features,
	.feature_table_size = ARRAY_SIZE(pvdisplay_features),
	.validate = pvdisplay_validate,
	.probe = pvdisplay_probe,
	.remove = pvdisplay_remove,
	.shutdown = pvdisplay_shutdown,
	.config_changed = pvdisplay_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze = pvdisplay_freeze,
	.restore = pvdisplay_restore,
#endif
	.reset_prepare = pvdisplay_reset_prepare,
	.reset_done = pvdisplay_reset_done,
};
module_virtio_driver(pvdisplay_virtio_driver);

MODULE_DESCRIPTION("DRM driver for the pvdisplay paravirtual display");
MODULE_LICENSE("Dual MIT/GPL");
