// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay control queue: requests out, responses back in place.
 *
 * Every request is one descriptor chain (command, optional payload, response
 * buffer).  Most callers sleep for the answer (pvdisplay_req_send()); a
 * head's SCANOUT_UPDATE is queued without sleeping and gets its answer in a
 * callback (pvdisplay_req_queue()).  The completion callback, in interrupt
 * context, moves answered requests off the ring, then calls their callbacks
 * and completes them.  See DOC: locking in pvdisplay_drv.h.
 */

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include <drm/drm_edid.h>
#include <drm/drm_print.h>

#include "pvdisplay_drv.h"

static void pvdisplay_req_release(struct kref *ref)
{
	struct pvdisplay_req *req = container_of(ref, struct pvdisplay_req, ref);

	/* May run in the completion callback: kvfree() defers vfree() there. */
	kvfree(req->data);
	kfree(req->resp);
	kfree(req);
}

/**
 * pvdisplay_req_alloc - allocate a request
 * @cmd_len: room for the command (header, body and inline arrays)
 * @resp_size: size of the response buffer
 * @gfp: allocation flags
 *
 * Return: the request, with one reference held by the caller, or NULL.
 */
struct pvdisplay_req *pvdisplay_req_alloc(size_t cmd_len, size_t resp_size,
					  gfp_t gfp)
{
	struct pvdisplay_req *req;

	req = kzalloc(struct_size(req, cmd, cmd_len), gfp);
	if (!req)
		return NULL;

	req->resp = kzalloc(resp_size, gfp);
	if (!req->resp) {
		kfree(req);
		return NULL;
	}

	kref_init(&req->ref);
	init_completion(&req->done);
	req->cmd_len = cmd_len;
	req->resp_size = resp_size;
	return req;
}

/**
 * pvdisplay_req_put - drop a reference to a request
 * @req: the request, or NULL
 */
void pvdisplay_req_put(struct pvdisplay_req *req)
{
	if (req)
		kref_put(&req->ref, pvdisplay_req_release);
}

/*
 * The payload as a scatterlist: one entry if it is linearly mapped, one per
 * page if it came from vmalloc (large memory entry arrays).
 */
static int pvdisplay_payload_sg(struct pvdisplay_req *req,
				struct scatterlist **sgp, unsigned int *nents)
{
	struct scatterlist *sg;
	size_t left = req->data_len;
	u8 *p = req->data;
	unsigned int n, i;

	*sgp = NULL;
	*nents = 0;
	if (!left)
		return 0;

	if (!is_vmalloc_addr(p)) {
		sg = kmalloc_obj(*sg);
		if (!sg)
			return -ENOMEM;
		sg_init_one(sg, p, left);
		*sgp = sg;
		*nents = 1;
		return 0;
	}

	n = DIV_ROUND_UP(offset_in_page(p) + left, PAGE_SIZE);
	sg = kmalloc_objs(*sg, n);
	if (!sg)
		return -ENOMEM;
	sg_init_table(sg, n);
	for (i = 0; i < n; i++) {
		size_t chunk = min_t(size_t, left, PAGE_SIZE - offset_in_page(p));

		sg_set_page(&sg[i], vmalloc_to_page(p), chunk, offset_in_page(p));
		p += chunk;
		left -= chunk;
	}
	*sgp = sg;
	*nents = n;
	return 0;
}

/*
 * The device left a request unanswered, or the ring full, for the whole
 * timeout: from now on requests fail at once instead of costing another
 * timeout each, until a reset (pvdisplay_vq_start()) gives the device a
 * fresh start.  Submitters already waiting are woken and give up too.
 */

/**
 * pvdisplay_vq_mark_broken - give up on a device that stopped answering
 * @pvd: the device
 * @what: what was waited for, for the log
 *
 * Process context.
 */
void pvdisplay_vq_mark_broken(struct pvdisplay_device *pvd, const char *what)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;
	bool first;

	spin_lock_irq(&q->lock);
	first = !q->broken && !q->dead;
	q->broken = true;
	spin_unlock_irq(&q->lock);
	wake_up_all(&q->wq);
	wake_up_all(&pvd->cursorq.wq);

	if (first)
		drm_err(&pvd->drm,
			"device unresponsive (%s for %u ms): failing requests until it is reset\n",
			what, jiffies_to_msecs(PVDISPLAY_REQ_TIMEOUT));
}

/**
 * pvdisplay_vq_broken - whether requests currently fail at once
 * @pvd: the device
 *
 * Return: true if the device stopped answering and was not reset since.
 */
bool pvdisplay_vq_broken(struct pvdisplay_device *pvd)
{
	return READ_ONCE(pvd->ctrlq.broken);
}

/**
 * pvdisplay_req_submit - queue a request whose answer pvdisplay_req_wait()
 *	sleeps for
 * @pvd: the device
 * @req: the request; the caller keeps its reference and drops it afterwards
 *	(the ring holds its own while the device may use the buffers)
 *
 * Sleeps: a full ring is waited for until the completion callback frees
 * descriptors, never by spinning, for at most %PVDISPLAY_REQ_TIMEOUT;
 * running out marks the device broken, after which requests fail without
 * waiting.  Several requests may be submitted before waiting for any:
 * the device answers them in ring order.
 *
 * Return: 0 if queued; -ETIMEDOUT (ring full for the whole timeout),
 * -ENODEV (the device is gone or was reset), -EIO (broken device) or
 * another negative errno if the request never reached the device.
 */
int pvdisplay_req_submit(struct pvdisplay_device *pvd, struct pvdisplay_req *req)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct scatterlist cmd_sg, resp_sg, *payload, *sgs[3];
	unsigned long deadline = jiffies + PVDISPLAY_REQ_TIMEOUT, seen;
	unsigned int nents, out = 0;
	int ret;

	ret = pvdisplay_payload_sg(req, &payload, &nents);
	if (ret)
		return ret;

	sg_init_one(&cmd_sg, req->cmd, req->cmd_len);
	sgs[out++] = &cmd_sg;
	if (payload)
		sgs[out++] = payload;
	sg_init_one(&resp_sg, req->resp, req->resp_size);
	sgs[out] = &resp_sg;

	for (;;) {
		long left;

		spin_lock_irq(&q->lock);
		if (q->dead || q->broken) {
			ret = q->dead ? -ENODEV : -EIO;
			spin_unlock_irq(&q->lock);
			goto out;
		}
		/* A chain longer than the ring can never be queued. */
		if (nents + 2 > q->ring_size) {
			spin_unlock_irq(&q->lock);
			ret = -E2BIG;
			goto out;
		}

		/* The device's reference, dropped by the completion. */
		kref_get(&req->ref);
		ret = virtqueue_add_sgs(q->vq, sgs, out, 1, req, GFP_ATOMIC);
		if (!ret) {
			q->queued++;
			/* Under the lock: see DOC: locking. */
			if (virtqueue_kick_prepare(q->vq))
				virtqueue_notify(q->vq);
			spin_unlock_irq(&q->lock);
			break;
		}
		kref_put(&req->ref, pvdisplay_req_release);
		seen = q->completions;
		spin_unlock_irq(&q->lock);

		if (ret != -ENOSPC)
			goto out;

		left = (long)(deadline - jiffies);
		if (left > 0)
			wait_event_timeout(q->wq,
					   READ_ONCE(q->dead) || READ_ONCE(q->broken) ||
					   READ_ONCE(q->completions) != seen,
					   left);
		if (time_after_eq(jiffies, deadline)) {
			pvdisplay_vq_mark_broken(pvd, "control queue full");
			ret = -ETIMEDOUT;
			goto out;
		}
	}
	/* The ring has its own copy of the addresses: the list can go. */
	ret = 0;
out:
	kfree(payload);
	return ret;
}

/**
 * pvdisplay_req_wait - sleep for the answer of a submitted request
 * @pvd: the device
 * @req: a request pvdisplay_req_submit() queued
 *
 * Bounded by %PVDISPLAY_REQ_TIMEOUT from the call; running out marks the
 * device broken, which also ends every other wait at once.
 *
 * Return:
 * * 0: the device answered; @req->resp holds @req->resp_len bytes.
 * * -ETIMEDOUT or -EPROTO: no usable answer came; the device may or may not
 *   have carried the request out.
 * * -ENODEV: the device is gone or was reset.
 */
int pvdisplay_req_wait(struct pvdisplay_device *pvd, struct pvdisplay_req *req)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;

	wait_event_timeout(q->wq, completion_done(&req->done) ||
			   READ_ONCE(q->broken), PVDISPLAY_REQ_TIMEOUT);
	if (!completion_done(&req->done)) {
		/*
		 * The device still owns the buffers and keeps its reference;
		 * they are freed when it answers or the queue is killed.
		 */
		pvdisplay_vq_mark_broken(pvd, "request unanswered");
		return -ETIMEDOUT;
	}
	return req->error;
}

/**
 * pvdisplay_req_send - queue a request and sleep for the answer
 * @pvd: the device
 * @req: the request; the caller keeps its reference and drops it afterwards
 *
 * pvdisplay_req_submit() then pvdisplay_req_wait().
 *
 * Return: as pvdisplay_req_wait(), or pvdisplay_req_submit()'s error if
 * the request never reached the device.
 */
int pvdisplay_req_send(struct pvdisplay_device *pvd, struct pvdisplay_req *req)
{
	int ret = pvdisplay_req_submit(pvd, req);

	return ret ? ret : pvdisplay_req_wait(pvd, req);
}

/**
 * pvdisplay_requests_queued - requests queued on the control and cursor queues
 * @pvd: the device
 *
 * A count that only grows (modulo wrapping).  Read under each queue's lock,
 * so that it covers every request already in a ring: a caller that reads
 * the same value twice knows that nothing was queued in between (the CRC
 * work relies on it).
 *
 * Return: the count.
 */
unsigned long pvdisplay_requests_queued(struct pvdisplay_device *pvd)
{
	unsigned long n;

	spin_lock_irq(&pvd->ctrlq.lock);
	n = pvd->ctrlq.queued;
	spin_unlock_irq(&pvd->ctrlq.lock);
	spin_lock_irq(&pvd->cursorq.lock);
	n += pvd->cursorq.queued;
	spin_unlock_irq(&pvd->cursorq.lock);
	return n;
}

/**
 * pvdisplay_req_queue - queue a request without sleeping; answer by callback
 * @pvd: the device
 * @req: a request without payload, with &pvdisplay_req.callback set; the
 *	ring takes its own reference
 *
 * Any context; the caller may hold spinlocks (DOC: locking).  The device
 * is notified at once.  @req->callback runs exactly once if this returns 0:
 * with the answer, or with -ENODEV when the queue is killed.  No timeout is
 * kept here: a caller that needs one has its own watchdog.
 *
 * Return: 0 if queued; -ENOSPC if the ring is full (try again after a
 * completion), -EIO for a broken device, -ENODEV when it is gone.
 */
int pvdisplay_req_queue(struct pvdisplay_device *pvd, struct pvdisplay_req *req)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct scatterlist cmd_sg, resp_sg, *sgs[2] = { &cmd_sg, &resp_sg };
	unsigned long flags;
	int ret;

	if (req->data_len || !req->callback)
		return -EINVAL;

	req->error = 0;
	req->resp_len = 0;
	sg_init_one(&cmd_sg, req->cmd, req->cmd_len);
	sg_init_one(&resp_sg, req->resp, req->resp_size);

	spin_lock_irqsave(&q->lock, flags);
	if (q->dead || q->broken) {
		ret = q->dead ? -ENODEV : -EIO;
		goto out;
	}
	/* The device's reference, dropped by the completion. */
	kref_get(&req->ref);
	ret = virtqueue_add_sgs(q->vq, sgs, 1, 1, req, GFP_ATOMIC);
	if (ret) {
		/* The caller still holds its own reference. */
		kref_put(&req->ref, pvdisplay_req_release);
		goto out;
	}
	q->queued++;
	/* Under the lock: see DOC: locking. */
	if (virtqueue_kick_prepare(q->vq))
		virtqueue_notify(q->vq);
out:
	spin_unlock_irqrestore(&q->lock, flags);
	return ret;
}

/**
 * pvdisplay_req_queue_panic - queue a request without sleeping or waiting
 * @pvd: the device
 * @req: a request without payload; the ring takes over the caller's
 *	reference if it is queued
 *
 * For drm_panic only: the queue lock is only tried (its holder may be a
 * stopped CPU), a full ring is not waited for, and the answer is not
 * waited for either; the host shows the panic screen when it processes the
 * request.
 *
 * Return: 0 if queued, a negative errno otherwise (the caller keeps @req).
 */
int pvdisplay_req_queue_panic(struct pvdisplay_device *pvd,
			      struct pvdisplay_req *req)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct scatterlist cmd_sg, resp_sg, *sgs[2] = { &cmd_sg, &resp_sg };
	unsigned long flags;
	int ret;

	if (req->data_len)
		return -EINVAL;
	if (!spin_trylock_irqsave(&q->lock, flags))
		return -EBUSY;

	if (q->dead) {
		ret = -ENODEV;
	} else {
		sg_init_one(&cmd_sg, req->cmd, req->cmd_len);
		sg_init_one(&resp_sg, req->resp, req->resp_size);
		ret = virtqueue_add_sgs(q->vq, sgs, 1, 1, req, GFP_ATOMIC);
		if (!ret && virtqueue_kick_prepare(q->vq))
			virtqueue_notify(q->vq);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return ret;
}

static void pvdisplay_vq_callback(struct virtqueue *vq)
{
	struct pvdisplay_device *pvd = vq->vdev->priv;
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct pvdisplay_req *req, *tmp;
	unsigned int len, bad = 0;
	unsigned long flags;
	LIST_HEAD(answered);

	spin_lock_irqsave(&q->lock, flags);
	/*
	 * Killed: pvdisplay_vq_kill() owns the ring and fails what it holds.
	 * An interrupt the device raised before its reset can still arrive
	 * after it (the reset only waits for handlers already running), when
	 * the buffers it announces may have been detached already.
	 */
	if (q->dead) {
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
	do {
		virtqueue_disable_cb(vq);
		/*
		 * Bounded: the ring only hands back buffers we queued, each
		 * once, and validates the ids the device returns.
		 */
		while ((req = virtqueue_get_buf(vq, &len))) {
			if (len > req->resp_size) {
				req->resp_len = 0;
				req->error = -EPROTO;
				bad++;
			} else {
				req->resp_len = len;
				req->error = 0;
			}
			list_add_tail(&req->node, &answered);
		}
	} while (!virtqueue_enable_cb(vq));
	q->completions++;
	spin_unlock_irqrestore(&q->lock, flags);

	/*
	 * Outside the lock: a callback may queue its next request, and a
	 * completed waiter may run at once and drop its reference; ours goes
	 * right after.
	 */
	list_for_each_entry_safe(req, tmp, &answered, node) {
		list_del(&req->node);
		if (req->callback)
			req->callback(req);
		else
			complete(&req->done);
		pvdisplay_req_put(req);
	}
	wake_up(&q->wq);

	if (bad)
		drm_err_ratelimited(&pvd->drm,
				    "device reported oversized responses (%u)\n",
				    bad);
}

/**
 * pvdisplay_vq_init - one-time initialisation of the queue state
 * @pvd: the device
 *
 * The queue starts dead: pvdisplay_vq_start() brings it up.
 */
void pvdisplay_vq_init(struct pvdisplay_device *pvd)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;

	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->wq);
	q->dead = true;
}

/**
 * pvdisplay_vq_start - find the queues and accept requests
 * @pvd: the device, after feature negotiation (probe or restore)
 *
 * The caller makes the device ready (virtio_device_ready()) before sending.
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_vq_start(struct pvdisplay_device *pvd)
{
	/* Indices are fixed: with the cursor, the event queue exists too. */
	struct virtqueue_info info[] = {
		[PVDISPLAY_VQ_CONTROL] = { "control", pvdisplay_vq_callback },
		[PVDISPLAY_VQ_EVENT] = { "event" },
		[PVDISPLAY_VQ_CURSOR] = { "cursor", pvdisplay_cursorq_callback },
	};
	struct virtqueue *vqs[ARRAY_SIZE(info)];
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct virtqueue *vq;
	int ret;

	ret = virtio_find_vqs(pvd->vdev,
			      pvd->has_cursor ? ARRAY_SIZE(info) : 1, vqs,
			      info, NULL);
	if (ret)
		return ret;
	vq = vqs[PVDISPLAY_VQ_CONTROL];
	if (pvd->has_cursor)
		pvdisplay_cursorq_start(pvd, vqs[PVDISPLAY_VQ_CURSOR]);

	spin_lock_irq(&q->lock);
	q->vq = vq;
	q->ring_size = virtqueue_get_vring_size(vq);
	/* A reset device starts afresh, whatever it did before. */
	q->dead = false;
	q->broken = false;
	spin_unlock_irq(&q->lock);
	return 0;
}

/**
 * pvdisplay_vq_kill - reset the device and fail every outstanding request
 * @pvd: the device
 *
 * After this nothing can be queued, no callback runs, the device holds no
 * buffer and no guest memory, and every waiter has been woken.  The queue
 * itself stays allocated until pvdisplay_vq_del().
 */
void pvdisplay_vq_kill(struct pvdisplay_device *pvd)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;
	struct pvdisplay_req *req;

	spin_lock_irq(&q->lock);
	q->dead = true;
	spin_unlock_irq(&q->lock);
	wake_up_all(&q->wq);

	/* Stops the device and waits for running callbacks to finish. */
	virtio_reset_device(pvd->vdev);

	/*
	 * Whatever is still in the ring, answered or not, will never be
	 * completed by the callback now.  The reset means the device no
	 * longer holds any of it, so fail it all the same way.  (No ring at
	 * all if a restore failed to set it up again.)
	 */
	while (q->vq) {
		spin_lock_irq(&q->lock);
		req = virtqueue_detach_unused_buf(q->vq);
		spin_unlock_irq(&q->lock);
		if (!req)
			break;
		req->resp_len = 0;
		req->error = -ENODEV;
		if (req->callback)
			req->callback(req);
		else
			complete(&req->done);
		pvdisplay_req_put(req);
	}
	wake_up_all(&q->wq);
	pvdisplay_cursorq_kill(pvd);
}

/**
 * pvdisplay_vq_del - free the queue after pvdisplay_vq_kill()
 * @pvd: the device
 *
 * Does nothing if there is no queue (a failed restore).
 */
void pvdisplay_vq_del(struct pvdisplay_device *pvd)
{
	struct pvdisplay_vq *q = &pvd->ctrlq;

	if (!q->vq)
		return;

	spin_lock_irq(&q->lock);
	q->vq = NULL;
	spin_unlock_irq(&q->lock);
	pvdisplay_cursorq_del(pvd);
	pvd->vdev->config->del_vqs(pvd->vdev);
}

/* ---- commands ---------------------------------------------------------- */

/* GET_DISPLAY_INFO's answer, validated into @heads. */
static int pvdisplay_display_info_done(struct pvdisplay_device *pvd,
				       struct pvdisplay_req *req, int ret,
				       struct pvdisplay_head_state *heads)
{
	unsigned int fixups = 0;

	if (!ret)
		ret = pvdisplay_parse_display_info(req->resp, req->resp_len,
						   pvd->cfg_num_heads,
						   pvd->max_width,
						   pvd->max_height, heads, &fixups);
	if (ret)
		drm_err_ratelimited(&pvd->drm, "GET_DISPLAY_INFO failed: %d\n", ret);
	else if (fixups)
		drm_err_ratelimited(&pvd->drm,
				    "display info: ignored %u implausible values\n",
				    fixups);
	return ret;
}

/*
 * GET_EDID's answer (@req is NULL if it could not be allocated, @ret then
 * says so): framed-checked here, then checked by drm_edid_valid() (block
 * count and checksums); an invalid one is reported and dropped.
 */
static int pvdisplay_edid_done(struct pvdisplay_device *pvd,
			       struct pvdisplay_req *req, int ret,
			       unsigned int head, const struct drm_edid **edid)
{
	const struct pvdisplay_resp_edid *resp = NULL;
	u32 size = 0;

	*edid = NULL;
	if (!ret) {
		resp = req->resp;
		ret = pvdisplay_parse_edid(resp, req->resp_len, &size);
	}
	if (!ret && size) {
		*edid = drm_edid_alloc(resp->edid, size);
		if (!*edid) {
			ret = -ENOMEM;
		} else if (!drm_edid_valid(*edid)) {
			drm_edid_free(*edid);
			*edid = NULL;
			ret = -EPROTO;
		}
	}
	if (ret)
		drm_err_ratelimited(&pvd->drm, "GET_EDID(%u) failed: %d\n",
				    head, ret);
	return ret;
}

/**
 * pvdisplay_cmd_get_displays - fetch every head's information and EDID
 * @pvd: the device
 * @heads: out: room for %PVDISPLAY_MAX_HEADS entries; on success the first
 *	&pvdisplay_device.cfg_num_heads are valid, on failure none is written
 * @edids: out: room for %PVDISPLAY_MAX_HEADS entries, all NULL on entry; on
 *	success the EDID of each connected head among the first
 *	&pvdisplay_device.num_heads that has one (with %PVDISPLAY_F_EDID)
 *
 * GET_DISPLAY_INFO and one GET_EDID per head are queued together and then
 * waited for, so that a host resize costs the guest one round trip to the
 * device, not one per request.  Every head's EDID is asked for, since
 * which heads are connected is only known from the answer; the EDIDs of
 * the others are dropped.  A head whose EDID cannot be read just has none.
 *
 * Return: 0, or a negative errno if the display information is unusable
 * (no EDID is returned then).
 */
int pvdisplay_cmd_get_displays(struct pvdisplay_device *pvd,
			       struct pvdisplay_head_state *heads,
			       const struct drm_edid **edids)
{
	struct pvdisplay_req *info, *edid_req[PVDISPLAY_MAX_HEADS] = {};
	int edid_ret[PVDISPLAY_MAX_HEADS];
	unsigned int i, n = pvd->has_edid ? pvd->num_heads : 0;
	int ret;

	info = pvdisplay_req_alloc(sizeof(struct pvdisplay_ctrl_hdr),
				   sizeof(struct pvdisplay_resp_display_info),
				   GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	pvdisplay_encode_get_display_info((struct pvdisplay_ctrl_hdr *)info->cmd);
	ret = pvdisplay_req_submit(pvd, info);

	for (i = 0; !ret && i < n; i++) {
		edid_req[i] = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_get_edid),
						  sizeof(struct pvdisplay_resp_edid),
						  GFP_KERNEL);
		if (!edid_req[i]) {
			edid_ret[i] = -ENOMEM;
			continue;
		}
		pvdisplay_encode_get_edid((struct pvdisplay_cmd_get_edid *)edid_req[i]->cmd,
					  i);
		edid_ret[i] = pvdisplay_req_submit(pvd, edid_req[i]);
	}

	if (!ret)
		ret = pvdisplay_req_wait(pvd, info);
	ret = pvdisplay_display_info_done(pvd, info, ret, heads);
	pvdisplay_req_put(info);

	for (i = 0; i < n; i++) {
		/* Unanswered ones stay the ring's until answered or killed. */
		if (!ret && heads[i].connected) {
			if (!edid_ret[i])	/* submitted, so allocated */
				edid_ret[i] = pvdisplay_req_wait(pvd, edid_req[i]);
			pvdisplay_edid_done(pvd, edid_req[i], edid_ret[i], i,
					    &edids[i]);
		}
		if (edid_req[i])
			pvdisplay_req_put(edid_req[i]);
	}
	return ret;
}

/**
 * pvdisplay_cmd_resource_create - share memory with the device
 * @pvd: the device
 * @resource_id: the new resource's id
 * @size: resource size in bytes
 * @entries: @nr_entries memory entries, kvmalloc'ed; always consumed, since
 *	the device may read them until it answers
 * @nr_entries: number of entries
 *
 * Return: 0 if the resource exists; -ETIMEDOUT or -EPROTO if that is
 * unknown (no usable answer); any other negative errno if it certainly does
 * not exist (never queued, refused by the device, or the device was reset).
 */
int pvdisplay_cmd_resource_create(struct pvdisplay_device *pvd, u32 resource_id,
				  u64 size, struct pvdisplay_mem_entry *entries,
				  u32 nr_entries)
{
	struct pvdisplay_req *req;
	int ret;

	req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_resource_create),
				  sizeof(struct pvdisplay_resp_hdr), GFP_KERNEL);
	if (!req) {
		kvfree(entries);
		return -ENOMEM;
	}

	pvdisplay_encode_resource_create((struct pvdisplay_cmd_resource_create *)req->cmd,
					 resource_id, nr_entries, size);
	req->data = entries;
	req->data_len = (size_t)nr_entries * sizeof(*entries);

	ret = pvdisplay_req_send(pvd, req);
	if (!ret)
		ret = pvdisplay_resp_check(req->resp, req->resp_len,
					   sizeof(struct pvdisplay_resp_hdr));
	pvdisplay_req_put(req);

	if (ret)
		drm_err_ratelimited(&pvd->drm,
				    "RESOURCE_CREATE(%u, %llu bytes, %u entries) failed: %d\n",
				    resource_id, size, nr_entries, ret);
	return ret;
}

/**
 * pvdisplay_cmd_resource_destroy - stop sharing a resource's memory
 * @pvd: the device
 * @resource_id: the resource
 *
 * Return: 0 if the device no longer uses the memory (destroyed, or it never
 * knew the resource); -ENODEV if the device is being reset; another
 * negative errno if the memory may still be in use.
 */
int pvdisplay_cmd_resource_destroy(struct pvdisplay_device *pvd,
				   u32 resource_id)
{
	struct pvdisplay_req *req;
	int ret;

	req = pvdisplay_req_alloc(sizeof(struct pvdisplay_cmd_resource_destroy),
				  sizeof(struct pvdisplay_resp_hdr), GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	pvdisplay_encode_resource_destroy((struct pvdisplay_cmd_resource_destroy *)req->cmd,
					  resource_id);
	ret = pvdisplay_req_send(pvd, req);
	if (!ret) {
		ret = pvdisplay_resp_check(req->resp, req->resp_len,
					   sizeof(struct pvdisplay_resp_hdr));
		/* Unknown to the device: it does not use the memory. */
		if (ret == -ENOENT)
			ret = 0;
	}
	pvdisplay_req_put(req);

	if (ret && ret != -ENODEV)
		drm_err_ratelimited(&pvd->drm, "RESOURCE_DESTROY(%u) failed: %d\n",
				    resource_id, ret);
	return ret;
}
