// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay wire encoding and response validation.  Pure code, see
 * pvdisplay_proto.h.
 */

#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>

#include <asm/byteorder.h>

#include "pvdisplay_damage.h"
#include "pvdisplay_proto.h"

static void pvd_encode_hdr(struct pvdisplay_ctrl_hdr *hdr, u32 type)
{
	hdr->type = cpu_to_le32(type);
	hdr->flags = 0;
}

/**
 * pvdisplay_encode_get_display_info - build a GET_DISPLAY_INFO request
 * @hdr: the request (it has no body)
 */
void pvdisplay_encode_get_display_info(struct pvdisplay_ctrl_hdr *hdr)
{
	pvd_encode_hdr(hdr, PVDISPLAY_CMD_GET_DISPLAY_INFO);
}

/**
 * pvdisplay_encode_get_edid - build a GET_EDID request
 * @cmd: the request
 * @head: head index
 */
void pvdisplay_encode_get_edid(struct pvdisplay_cmd_get_edid *cmd, u32 head)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_GET_EDID);
	cmd->head = cpu_to_le32(head);
}

/**
 * pvdisplay_encode_resource_create - build a RESOURCE_CREATE request body
 * @cmd: the request; @nr_entries memory entries must follow it on the wire
 * @resource_id: the new resource's id, non-zero
 * @nr_entries: number of &struct pvdisplay_mem_entry that follow
 * @size: resource size in bytes, the sum of the entry lengths
 */
void pvdisplay_encode_resource_create(struct pvdisplay_cmd_resource_create *cmd,
				      u32 resource_id, u32 nr_entries, u64 size)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_RESOURCE_CREATE);
	cmd->resource_id = cpu_to_le32(resource_id);
	cmd->nr_entries = cpu_to_le32(nr_entries);
	cmd->size = cpu_to_le64(size);
}

/**
 * pvdisplay_encode_mem_entry - build one memory entry of RESOURCE_CREATE
 * @entry: the entry
 * @addr: guest physical or DMA address of the run
 * @length: length of the run in bytes
 */
void pvdisplay_encode_mem_entry(struct pvdisplay_mem_entry *entry,
				u64 addr, u32 length)
{
	entry->addr = cpu_to_le64(addr);
	entry->length = cpu_to_le32(length);
	entry->reserved = 0;
}

/**
 * pvdisplay_encode_resource_destroy - build a RESOURCE_DESTROY request
 * @cmd: the request
 * @resource_id: the resource to destroy
 */
void pvdisplay_encode_resource_destroy(struct pvdisplay_cmd_resource_destroy *cmd,
				       u32 resource_id)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_RESOURCE_DESTROY);
	cmd->resource_id = cpu_to_le32(resource_id);
}

/**
 * pvdisplay_encode_scanout_update - build a SCANOUT_UPDATE request
 * @buf: room for %PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE bytes
 * @scanout: the head's configuration; @scanout->resource_id == 0 disables
 *	the head and then only @scanout->head is used
 * @damage: finished damage (pvdisplay_damage_finish()), or NULL for a full
 *	update; ignored when disabling
 *
 * The rectangles follow the fixed part, then the regions, all packed.
 *
 * Return: the request's length in bytes.
 */
size_t pvdisplay_encode_scanout_update(void *buf,
				       const struct pvdisplay_scanout *scanout,
				       const struct pvdisplay_damage *damage)
{
	struct pvdisplay_cmd_scanout_update *cmd = buf;
	struct pvdisplay_rect *rect = (struct pvdisplay_rect *)(cmd + 1);
	struct pvdisplay_region *region;
	unsigned int i, nr_rects = 0, nr_regions = 0;

	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_SCANOUT_UPDATE);
	cmd->head = cpu_to_le32(scanout->head);
	if (!scanout->resource_id)
		return sizeof(*cmd);

	cmd->resource_id = cpu_to_le32(scanout->resource_id);
	cmd->format = cpu_to_le32(scanout->format);
	cmd->offset = cpu_to_le32(scanout->offset);
	cmd->stride = cpu_to_le32(scanout->stride);
	cmd->fb_width = cpu_to_le32(scanout->fb_width);
	cmd->fb_height = cpu_to_le32(scanout->fb_height);
	cmd->src_x = cpu_to_le32(scanout->src_x);
	cmd->src_y = cpu_to_le32(scanout->src_y);
	cmd->src_width = cpu_to_le32(scanout->src_width);
	cmd->src_height = cpu_to_le32(scanout->src_height);

	/* No rectangle means "everything"; regions then must be absent too. */
	if (damage && damage->nr_rects) {
		nr_rects = damage->nr_rects;
		nr_regions = damage->nr_regions;
	}
	if (nr_rects > PVDISPLAY_MAX_DAMAGE_RECTS ||
	    nr_regions > PVDISPLAY_MAX_DAMAGE_REGIONS) {
		nr_rects = 0;
		nr_regions = 0;
	}

	for (i = 0; i < nr_rects; i++, rect++) {
		const struct pvdisplay_drect *r = &damage->rects[i];

		rect->x = cpu_to_le32(r->x1);
		rect->y = cpu_to_le32(r->y1);
		rect->width = cpu_to_le32(r->x2 - r->x1);
		rect->height = cpu_to_le32(r->y2 - r->y1);
	}
	region = (struct pvdisplay_region *)rect;
	for (i = 0; i < nr_regions; i++, region++) {
		const struct pvdisplay_span *s = &damage->regions[i];

		region->offset = cpu_to_le64(s->start);
		region->length = cpu_to_le64(s->end - s->start);
	}

	cmd->nr_rects = cpu_to_le32(nr_rects);
	cmd->nr_regions = cpu_to_le32(nr_regions);

	return sizeof(*cmd) + nr_rects * sizeof(struct pvdisplay_rect) +
	       nr_regions * sizeof(struct pvdisplay_region);
}

/**
 * pvdisplay_status_to_errno - map a response status to an errno
 * @status: &enum pvdisplay_status value, CPU byte order
 *
 * Return: 0 for %PVDISPLAY_STATUS_OK, a negative errno otherwise.
 */
int pvdisplay_status_to_errno(u32 status)
{
	switch (status) {
	case PVDISPLAY_STATUS_OK:
		return 0;
	case PVDISPLAY_STATUS_ERR_UNSUPPORTED:
		return -EOPNOTSUPP;
	case PVDISPLAY_STATUS_ERR_INVALID_RESOURCE:
		return -ENOENT;
	case PVDISPLAY_STATUS_ERR_INVALID_HEAD:
	case PVDISPLAY_STATUS_ERR_INVALID_PARAMETER:
		return -EINVAL;
	case PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY:
		return -ENOMEM;
	case PVDISPLAY_STATUS_ERR_UNSPEC:
	default:
		return -EIO;
	}
}

/**
 * pvdisplay_resp_check - validate a response's length and status
 * @resp: the response buffer
 * @len: bytes the device reports having written
 * @full_len: the full size of this request type's response
 *
 * Return: 0 if the device wrote at least a header with status OK and the
 * whole response; -EPROTO if it wrote less; the status' errno otherwise.
 */
int pvdisplay_resp_check(const void *resp, size_t len, size_t full_len)
{
	const struct pvdisplay_resp_hdr *hdr = resp;
	int ret;

	if (len < sizeof(*hdr))
		return -EPROTO;
	ret = pvdisplay_status_to_errno(le32_to_cpu(hdr->status));
	if (ret)
		return ret;
	return len < full_len ? -EPROTO : 0;
}

/**
 * pvdisplay_parse_display_info - validate a GET_DISPLAY_INFO response
 * @resp: the response
 * @len: bytes the device wrote
 * @num_heads: head count from the configuration space (1..16)
 * @max_width: largest scanout width
 * @max_height: largest scanout height
 * @heads: out: @num_heads validated entries
 * @fixups: out: number of values that were out of range and replaced
 *
 * The response as a whole must be well formed (length, status, head count);
 * single implausible values (a size beyond the maximum, an absurd refresh
 * rate) are replaced by "unknown" rather than failing the whole answer.
 *
 * Return: 0, or a negative errno if the response is unusable; @heads is
 * left untouched then.
 */
int pvdisplay_parse_display_info(const struct pvdisplay_resp_display_info *resp,
				 size_t len, u32 num_heads, u32 max_width,
				 u32 max_height,
				 struct pvdisplay_head_state *heads,
				 unsigned int *fixups)
{
	unsigned int i, fixed = 0;
	int ret;

	ret = pvdisplay_resp_check(resp, len, sizeof(*resp));
	if (ret)
		return ret;
	if (!num_heads || num_heads > PVDISPLAY_MAX_HEADS ||
	    le32_to_cpu(resp->num_heads) != num_heads)
		return -EPROTO;

	for (i = 0; i < num_heads; i++) {
		const struct pvdisplay_head_info *in = &resp->heads[i];
		struct pvdisplay_head_state *out = &heads[i];

		out->connected = le32_to_cpu(in->flags) & PVDISPLAY_HEAD_CONNECTED;

		out->width = le32_to_cpu(in->width);
		out->height = le32_to_cpu(in->height);
		if (!out->width || !out->height) {
			/* "Unknown" is both or neither. */
			if (out->width || out->height)
				fixed++;
			out->width = 0;
			out->height = 0;
		} else if (out->width > max_width || out->height > max_height) {
			fixed++;
			out->width = 0;
			out->height = 0;
		}

		out->refresh_mhz = le32_to_cpu(in->refresh_mhz);
		if (out->refresh_mhz < PVDISPLAY_MIN_REFRESH_MHZ ||
		    out->refresh_mhz > PVDISPLAY_MAX_REFRESH_MHZ) {
			if (out->refresh_mhz)
				fixed++;
			out->refresh_mhz = PVDISPLAY_DEFAULT_REFRESH_MHZ;
		}

		out->x = le32_to_cpu(in->x);
		out->y = le32_to_cpu(in->y);
		if (out->x > PVDISPLAY_MAX_POSITION ||
		    out->y > PVDISPLAY_MAX_POSITION) {
			fixed++;
			out->x = 0;
			out->y = 0;
		}

		out->width_mm = le32_to_cpu(in->width_mm);
		out->height_mm = le32_to_cpu(in->height_mm);
		if (out->width_mm > PVDISPLAY_MAX_SIZE_MM ||
		    out->height_mm > PVDISPLAY_MAX_SIZE_MM) {
			fixed++;
			out->width_mm = 0;
			out->height_mm = 0;
		}
	}

	*fixups = fixed;
	return 0;
}

/**
 * pvdisplay_parse_edid - validate a GET_EDID response
 * @resp: the response
 * @len: bytes the device wrote
 * @size: out: number of EDID bytes in @resp->edid, 0 for none
 *
 * Only the framing is checked here, and that the base block does not count
 * more extension blocks than were sent: DRM's EDID code accepts such an
 * EDID when an HF-EEODB block gives a smaller count, but drm_edid_raw()
 * then warns (it sizes the EDID by the base block's count).  Checksums and
 * the rest are left to the DRM EDID code.
 *
 * Return: 0, or a negative errno if the response is unusable.
 */
int pvdisplay_parse_edid(const struct pvdisplay_resp_edid *resp, size_t len,
			 u32 *size)
{
	u32 n;
	int ret;

	ret = pvdisplay_resp_check(resp, len, sizeof(*resp));
	if (ret)
		return ret;

	n = le32_to_cpu(resp->size);
	if (n % 128 || n > PVDISPLAY_EDID_MAX_SIZE)
		return -EPROTO;
	/* Byte 126: the number of extension blocks after the base block. */
	if (n && (resp->edid[126] + 1U) * 128 > n)
		return -EPROTO;

	*size = n;
	return 0;
}

/**
 * pvdisplay_encode_cursor_set - build a CURSOR_SET request
 * @cmd: the request
 * @cursor: what to show; @cursor->resource_id 0 hides the cursor, and then
 *	only @cursor->head is sent (every other field is zero on the wire)
 */
void pvdisplay_encode_cursor_set(struct pvdisplay_cmd_cursor_set *cmd,
				 const struct pvdisplay_cursor_image *cursor)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_CURSOR_SET);
	cmd->head = cpu_to_le32(cursor->head);
	if (!cursor->resource_id)
		return;
	cmd->resource_id = cpu_to_le32(cursor->resource_id);
	cmd->format = cpu_to_le32(cursor->format);
	cmd->offset = cpu_to_le32(cursor->offset);
	cmd->stride = cpu_to_le32(cursor->stride);
	cmd->width = cpu_to_le32(cursor->width);
	cmd->height = cpu_to_le32(cursor->height);
	cmd->hot_x = cpu_to_le32(cursor->hot_x);
	cmd->hot_y = cpu_to_le32(cursor->hot_y);
	cmd->x = cpu_to_le32((u32)cursor->x);
	cmd->y = cpu_to_le32((u32)cursor->y);
}

/**
 * pvdisplay_encode_cursor_move - build a CURSOR_MOVE request
 * @cmd: the request
 * @head: head index
 * @x: column of the image's top-left pixel on the head, may be negative
 * @y: row of the image's top-left pixel, may be negative
 */
void pvdisplay_encode_cursor_move(struct pvdisplay_cmd_cursor_move *cmd,
				  u32 head, s32 x, s32 y)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_CURSOR_MOVE);
	cmd->head = cpu_to_le32(head);
	cmd->x = cpu_to_le32((u32)x);
	cmd->y = cpu_to_le32((u32)y);
}

/**
 * pvdisplay_encode_get_crc - build a GET_CRC request
 * @cmd: the request
 * @head: head index
 * @width: frame width when the head scans nothing out (the mode width)
 * @height: frame height in that case
 */
void pvdisplay_encode_get_crc(struct pvdisplay_cmd_get_crc *cmd, u32 head,
			      u32 width, u32 height)
{
	memset(cmd, 0, sizeof(*cmd));
	pvd_encode_hdr(&cmd->hdr, PVDISPLAY_CMD_GET_CRC);
	cmd->head = cpu_to_le32(head);
	cmd->width = cpu_to_le32(width);
	cmd->height = cpu_to_le32(height);
}

/**
 * pvdisplay_parse_crc - validate a GET_CRC answer
 * @resp: the response
 * @len: bytes the device wrote
 * @crc: out: the CRC
 *
 * Return: 0 or a negative errno.
 */
int pvdisplay_parse_crc(const struct pvdisplay_resp_crc *resp, size_t len,
			u32 *crc)
{
	int ret = pvdisplay_resp_check(resp, len, sizeof(*resp));

	if (!ret)
		*crc = le32_to_cpu(resp->crc);
	return ret;
}
