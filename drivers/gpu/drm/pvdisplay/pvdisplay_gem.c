// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay GEM glue: shmem objects that become device resources.
 *
 * A GEM object is shared with the device the first time a framebuffer is
 * created on it: its pages are pinned and DMA-mapped once
 * (drm_gem_shmem_get_pages_sgt()), and the resulting scatter-gather table is
 * sent as the memory entries of RESOURCE_CREATE.  From then on updates carry
 * no pixels, only damage.  When the object is freed, RESOURCE_DESTROY is sent
 * and waited for before the pages go back; if the device cannot confirm
 * that, the object is parked until the device is reset.  Objects with a
 * resource are listed, so that a device reset by power management can be
 * given them all again (pvdisplay_gem_restart()).
 */

#include <linux/dma-mapping.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_dumb_buffers.h>
#include <drm/drm_file.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

/*
 * resource_id values: 0 means none; PVDISPLAY_RES_UNKNOWN_FLAG marks an id
 * whose RESOURCE_CREATE got no usable answer, so the resource may or may not
 * exist: it cannot be shown, but must still be destroyed on release.
 */
#define PVDISPLAY_RES_UNKNOWN_FLAG	BIT(31)

static struct pvdisplay_mem_entry *
pvdisplay_bo_mem_entries(struct pvdisplay_device *pvd, struct sg_table *sgt,
			 u64 size, u32 *nr);

static void pvdisplay_bo_release(struct pvdisplay_bo *bo)
{
	mutex_destroy(&bo->lock);
	drm_gem_shmem_free(&bo->base);
}

static void pvdisplay_gem_free(struct drm_gem_object *obj)
{
	struct pvdisplay_device *pvd = to_pvd(obj->dev);
	struct pvdisplay_bo *bo = to_pvd_bo(obj);
	u32 id = bo->resource_id & ~PVDISPLAY_RES_UNKNOWN_FLAG;
	u32 restarts;

	if (id) {
		mutex_lock(&pvd->res_lock);
		list_del(&bo->res_node);
		mutex_unlock(&pvd->res_lock);

		spin_lock(&pvd->zombie_lock);
		restarts = pvd->restarts;
		spin_unlock(&pvd->zombie_lock);

		if (pvdisplay_cmd_resource_destroy(pvd, id)) {
			/*
			 * The device may still read the pages: keep them
			 * (and the id) until it has been reset.  Unless it
			 * was reset and brought back since the request: the
			 * restart did not share the object again (it is no
			 * longer listed), so the device has forgotten it, and
			 * parking it would pin its pages until another reset,
			 * which may never come.
			 */
			spin_lock(&pvd->zombie_lock);
			if (!pvd->reset_done && pvd->restarts == restarts) {
				list_add_tail(&bo->zombie, &pvd->zombies);
				spin_unlock(&pvd->zombie_lock);
				return;
			}
			spin_unlock(&pvd->zombie_lock);
		}
		ida_free(&pvd->resource_ida, id);
	}

	pvdisplay_bo_release(bo);
}

/**
 * pvdisplay_gem_reset_done - the device was reset: release parked objects
 * @pvd: the device
 *
 * Called after pvdisplay_vq_kill() (remove, shutdown, freeze, a
 * function-level reset's prepare, a failed probe).  Until
 * pvdisplay_gem_restart(), objects freed are released at once.  The ids
 * the device claimed ("id in use") are free again too.
 */
void pvdisplay_gem_reset_done(struct pvdisplay_device *pvd)
{
	struct pvdisplay_bo *bo, *tmp;
	unsigned long index;
	LIST_HEAD(zombies);
	void *entry;

	spin_lock(&pvd->zombie_lock);
	pvd->reset_done = true;
	list_splice_init(&pvd->zombies, &zombies);
	spin_unlock(&pvd->zombie_lock);

	list_for_each_entry_safe(bo, tmp, &zombies, zombie) {
		list_del(&bo->zombie);
		ida_free(&pvd->resource_ida,
			 bo->resource_id & ~PVDISPLAY_RES_UNKNOWN_FLAG);
		pvdisplay_bo_release(bo);
	}

	/* The device holds no resource now: the ids it claimed are free. */
	xa_for_each(&pvd->held_ids, index, entry) {
		if (xa_erase(&pvd->held_ids, index))
			ida_free(&pvd->resource_ida, index);
	}
}

/**
 * pvdisplay_gem_restart - share every live object again after a reset
 * @pvd: the device, with the queue started again (restore)
 *
 * The reset made the device forget every resource.  Each object keeps its
 * id, pages and DMA mapping, so the same RESOURCE_CREATE is sent again.  An
 * object that cannot be shared again can no longer be shown (its id is
 * marked unknown) and is destroyed on release as usual.
 */
void pvdisplay_gem_restart(struct pvdisplay_device *pvd)
{
	struct pvdisplay_mem_entry *entries;
	struct pvdisplay_bo *bo;
	unsigned int lost = 0;
	u32 id, nr;
	int ret;

	spin_lock(&pvd->zombie_lock);
	pvd->reset_done = false;
	pvd->restarts++;
	spin_unlock(&pvd->zombie_lock);

	mutex_lock(&pvd->res_lock);
	list_for_each_entry(bo, &pvd->resources, res_node) {
		struct drm_gem_object *obj = &bo->base.base;

		id = READ_ONCE(bo->resource_id) & ~PVDISPLAY_RES_UNKNOWN_FLAG;
		entries = pvdisplay_bo_mem_entries(pvd, bo->base.sgt, obj->size,
						   &nr);
		if (IS_ERR(entries))
			ret = PTR_ERR(entries);
		else
			ret = pvdisplay_cmd_resource_create(pvd, id, obj->size,
							    entries, nr);
		/*
		 * "Id in use": the object's own RESOURCE_CREATE reached this
		 * device already.  pvdisplay_bo_get_resource() holds res_lock
		 * across its request, but may sleep before queueing it (for
		 * ring space): a reset and restore in that sleep send the
		 * request to the device this restart is for.
		 */
		if (ret == -ENOENT)
			ret = 0;
		WRITE_ONCE(bo->resource_id,
			   ret ? id | PVDISPLAY_RES_UNKNOWN_FLAG : id);
		if (ret)
			lost++;
	}
	mutex_unlock(&pvd->res_lock);

	if (lost)
		drm_err(&pvd->drm, "%u buffers could not be shared again\n", lost);
}

static const struct drm_gem_object_funcs pvdisplay_gem_funcs = {
	.free = pvdisplay_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * pvdisplay_gem_create_object - &drm_driver.gem_create_object
 * @drm: the DRM device
 * @size: object size
 *
 * Return: the new object, or an ERR_PTR().
 */
struct drm_gem_object *pvdisplay_gem_create_object(struct drm_device *drm,
						   size_t size)
{
	struct pvdisplay_bo *bo;

	/* The shmem core kfree()s the object on init failure: base first. */
	BUILD_BUG_ON(offsetof(struct pvdisplay_bo, base) != 0);

	bo = kzalloc_obj(*bo);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->res_node);
	INIT_LIST_HEAD(&bo->zombie);
	bo->base.base.funcs = &pvdisplay_gem_funcs;
	return &bo->base.base;
}

/**
 * pvdisplay_dumb_create - &drm_driver.dumb_create
 * @file: DRM file
 * @drm: the DRM device
 * @args: the request
 *
 * Dumb buffers exist to be scanned out: refuse ones larger than a resource
 * can be, rather than failing later at framebuffer creation.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_dumb_create(struct drm_file *file, struct drm_device *drm,
			  struct drm_mode_create_dumb *args)
{
	struct drm_mode_create_dumb probe = *args;
	int ret;

	ret = drm_mode_size_dumb(drm, &probe, 0, 0);
	if (ret)
		return ret;
	if (probe.size > PVDISPLAY_MAX_RESOURCE_SIZE)
		return -EINVAL;

	return drm_gem_shmem_dumb_create(file, drm, args);
}

/* Memory entries from the object's (already DMA-mapped) sg table. */
static struct pvdisplay_mem_entry *
pvdisplay_bo_mem_entries(struct pvdisplay_device *pvd, struct sg_table *sgt,
			 u64 size, u32 *nr)
{
	struct pvdisplay_mem_entry *entries;
	struct scatterlist *sg;
	unsigned int n, i;
	u64 total = 0;

	n = pvd->use_dma_api ? sgt->nents : sgt->orig_nents;
	if (!n || n > PVDISPLAY_MAX_MEM_ENTRIES)
		return ERR_PTR(-E2BIG);

	entries = kvmalloc_objs(*entries, n);
	if (!entries)
		return ERR_PTR(-ENOMEM);

	if (pvd->use_dma_api) {
		for_each_sgtable_dma_sg(sgt, sg, i) {
			pvdisplay_encode_mem_entry(&entries[i], sg_dma_address(sg),
						   sg_dma_len(sg));
			total += sg_dma_len(sg);
		}
	} else {
		for_each_sgtable_sg(sgt, sg, i) {
			pvdisplay_encode_mem_entry(&entries[i], sg_phys(sg),
						   sg->length);
			total += sg->length;
		}
	}

	/* Our own table, but an empty run would be refused by the device. */
	if (total != size) {
		kvfree(entries);
		return ERR_PTR(-EINVAL);
	}

	*nr = n;
	return entries;
}

/*
 * Create the device resource of @bo, once.  Serialised by bo->lock: two
 * framebuffers may be created on one object concurrently.  res_lock is held
 * from before RESOURCE_CREATE until the object is listed: a reset's
 * pvdisplay_gem_restart() running in between would not find the object,
 * and the device it brought back would never be given the resource.
 */
static int pvdisplay_bo_get_resource(struct pvdisplay_device *pvd,
				     struct pvdisplay_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct pvdisplay_mem_entry *entries;
	unsigned int attempt;
	struct sg_table *sgt;
	u32 nr;
	int id, ret;

	/* A foreign dma-buf has no pages of ours to share. */
	if (drm_gem_is_imported(obj))
		return -EINVAL;
	if (obj->size > PVDISPLAY_MAX_RESOURCE_SIZE)
		return -E2BIG;

	ret = mutex_lock_interruptible(&bo->lock);
	if (ret)
		return ret;

	id = READ_ONCE(bo->resource_id);
	if (id) {
		ret = id & PVDISPLAY_RES_UNKNOWN_FLAG ? -EIO : 0;
		goto out;
	}

	/* Pins the pages and maps them for the device, until release. */
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out;
	}

	ret = mutex_lock_interruptible(&pvd->res_lock);
	if (ret)
		goto out;

	for (attempt = 0;; attempt++) {
		entries = pvdisplay_bo_mem_entries(pvd, sgt, obj->size, &nr);
		if (IS_ERR(entries)) {
			ret = PTR_ERR(entries);
			goto out_unlock;
		}

		id = ida_alloc_range(&pvd->resource_ida, 1, INT_MAX, GFP_KERNEL);
		if (id < 0) {
			kvfree(entries);
			ret = id;
			goto out_unlock;
		}

		ret = pvdisplay_cmd_resource_create(pvd, id, obj->size, entries, nr);
		if (ret != -ENOENT)
			break;
		/*
		 * "Id in use": the device kept a resource it said it had not
		 * created, or never destroyed one.  Leave that id to it until
		 * the next reset and try once more with another.  Should the
		 * id not fit in the list, it stays allocated for good.
		 */
		if (xa_is_err(xa_store(&pvd->held_ids, id, xa_mk_value(0),
				       GFP_KERNEL)))
			drm_warn_once(&pvd->drm,
				      "resource ids the device holds stay allocated\n");
		drm_err_ratelimited(&pvd->drm,
				    "device already has resource %d: not reusing that id\n",
				    id);
		if (attempt) {
			ret = -EIO;
			goto out_unlock;
		}
	}
	switch (ret) {
	case 0:
		break;
	case -ETIMEDOUT:
	case -EPROTO:
		/* Maybe created: must be destroyed before the pages go. */
		id |= PVDISPLAY_RES_UNKNOWN_FLAG;
		break;
	default:
		ida_free(&pvd->resource_ida, id);
		goto out_unlock;
	}
	/* Listed for pvdisplay_gem_restart(), under bo->lock: see DOC. */
	WRITE_ONCE(bo->resource_id, id);
	list_add_tail(&bo->res_node, &pvd->resources);
out_unlock:
	mutex_unlock(&pvd->res_lock);
out:
	mutex_unlock(&bo->lock);
	return ret;
}

/**
 * pvdisplay_bo_resource_id - the device resource of a framebuffer's object
 * @obj: GEM object of a framebuffer created by pvdisplay_fb_create()
 *
 * Return: the resource id, 0 if the object has no usable resource.
 */
u32 pvdisplay_bo_resource_id(struct drm_gem_object *obj)
{
	u32 id = READ_ONCE(to_pvd_bo(obj)->resource_id);

	return id & PVDISPLAY_RES_UNKNOWN_FLAG ? 0 : id;
}

/**
 * pvdisplay_bo_sync_for_device - make CPU writes visible to the device
 * @obj: GEM object with a resource
 * @damage: the update's damage with its regions, or NULL for all of @obj
 *
 * Only does something when the DMA API stands between guest memory and the
 * device (e.g. bounce buffering with %VIRTIO_F_ACCESS_PLATFORM); for the
 * usual direct mapping it is a no-op.  With damage, only the pages of its
 * memory regions are synced: the regions are sorted, so one walk over the
 * DMA segments finds them all.
 */
void pvdisplay_bo_sync_for_device(struct drm_gem_object *obj,
				  const struct pvdisplay_damage *damage)
{
	struct pvdisplay_bo *bo = to_pvd_bo(obj);
	struct sg_table *sgt = bo->base.sgt;
	struct device *dev = obj->dev->dev;
	struct scatterlist *sg;
	unsigned int i, r = 0;
	u64 pos = 0;

	if (!to_pvd(obj->dev)->use_dma_api || !sgt)
		return;
	if (!damage) {
		dma_sync_sgtable_for_device(dev, sgt, DMA_TO_DEVICE);
		return;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 end = pos + sg_dma_len(sg);

		/* Interrupts may be off: stop at the last region. */
		if (r == damage->nr_regions)
			break;
		while (r < damage->nr_regions && damage->regions[r].start < end) {
			u64 s = max(pos, damage->regions[r].start);
			u64 e = min(end, damage->regions[r].end);

			if (s < e)
				dma_sync_single_for_device(dev, sg_dma_address(sg) + (s - pos),
							   e - s, DMA_TO_DEVICE);
			if (damage->regions[r].end > end)
				break;	/* continues in the next segment */
			r++;
		}
		pos = end;
	}
}

/**
 * pvdisplay_fb_create - &drm_mode_config_funcs.fb_create
 * @drm: the DRM device
 * @file: DRM file owning the GEM handles
 * @info: pixel format information
 * @cmd: the request
 *
 * The GEM handle is looked up once, by the framebuffer helper; the object
 * the framebuffer holds is then shared with the device.  If that fails the
 * framebuffer goes again before userspace got it; until it succeeded no
 * plane accepts it (pvdisplay_bo_resource_id() is 0).  The plane's formats
 * are all single-planar: only @cmd->handles[0] matters.
 *
 * Return: the framebuffer or an ERR_PTR().
 */
struct drm_framebuffer *
pvdisplay_fb_create(struct drm_device *drm, struct drm_file *file,
		    const struct drm_format_info *info,
		    const struct drm_mode_fb_cmd2 *cmd)
{
	struct drm_framebuffer *fb;
	int idx, ret;

	if (info->num_planes != 1)
		return ERR_PTR(-EINVAL);

	fb = pvdisplay_fb_create_gem(drm, file, info, cmd);
	if (IS_ERR(fb))
		return fb;

	if (drm_dev_enter(drm, &idx)) {
		ret = pvdisplay_bo_get_resource(to_pvd(drm), to_pvd_bo(fb->obj[0]));
		drm_dev_exit(idx);
	} else {
		ret = -ENODEV;
	}
	if (ret) {
		drm_framebuffer_put(fb);
		return ERR_PTR(ret);
	}
	return fb;
}
