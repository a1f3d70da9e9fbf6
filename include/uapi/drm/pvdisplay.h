/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * pvdisplay: wire protocol between a paravirtual display device and the guest
 * driver.  Both sides include this header; docs/protocol.md describes the
 * message sequences and the validation rules each side applies.
 *
 * Conventions:
 *  - virtio 1.x ("modern") only: VIRTIO_F_VERSION_1 must be negotiated;
 *  - every multi-byte field is little-endian and fixed-width, every field is
 *    naturally aligned and every struct is padded explicitly to a multiple of
 *    8 bytes, so the layout is the same for 32-bit and 64-bit builds;
 *  - no guest pointers: memory is named by guest physical (DMA) address and
 *    length in scatter-gather entries, and by device-wide resource ids;
 *  - reserved, padding and flags fields are written as zero; the device
 *    rejects a request in which one is not, the driver ignores them in
 *    responses and in the configuration space;
 *  - unknown feature bits are ignored by both sides;
 *  - a device whose driver did not negotiate VIRTIO_F_VERSION_1 answers
 *    every request with %PVDISPLAY_STATUS_ERR_UNSUPPORTED.
 */

#ifndef _UAPI_DRM_PVDISPLAY_H_
#define _UAPI_DRM_PVDISPLAY_H_

#include <linux/types.h>

/**
 * DOC: device identity
 *
 * PVDISPLAY_VIRTIO_ID is provisional: it is not allocated by the virtio
 * specification (which allocates ids 1-49 today; crosvm squats on 61-63) and
 * must be reserved with the virtio TC before any release.  Virtio PCI
 * devices use PCI vendor 0x1af4 and device id 0x1040 + virtio id.
 */
#define PVDISPLAY_VIRTIO_ID		57
#define PVDISPLAY_PCI_VENDOR_ID		0x1af4
#define PVDISPLAY_PCI_DEVICE_ID		(0x1040 + PVDISPLAY_VIRTIO_ID)

/**
 * DOC: feature bits
 *
 * Device-specific feature bits (virtio bits 0-23).  Each optional capability
 * has its own bit; a capability is in use only if both sides set its bit.
 *
 * %PVDISPLAY_F_EDID: the device answers %PVDISPLAY_CMD_GET_EDID.
 *
 * %PVDISPLAY_F_MULTI_HEAD: the device may report more than one head.  Without
 * it the device exposes head 0 only.
 *
 * %PVDISPLAY_F_EXTRA_FORMATS: besides XRGB8888 and ARGB8888 the device scans
 * out XBGR8888, ABGR8888 and RGB565.
 *
 * %PVDISPLAY_F_CURSOR: a cursor per head, defined and moved through the
 * cursor queue (virtqueue 2, %PVDISPLAY_VQ_CURSOR) with
 * %PVDISPLAY_CMD_CURSOR_SET and %PVDISPLAY_CMD_CURSOR_MOVE; the largest
 * cursor image is in &pvdisplay_config.cursor_max_width and
 * &pvdisplay_config.cursor_max_height.
 *
 * %PVDISPLAY_F_CRC: the device answers %PVDISPLAY_CMD_GET_CRC with a CRC of
 * what the host shows on a head (for tests: igt's CRC-based tests, and
 * proof that the host shows what the guest drew).
 *
 * %PVDISPLAY_F_PRESENT_EVENTS: reserved for an event queue (virtqueue 1)
 * carrying per-head present/vblank completion events.  Without it the device
 * has only the control queue.
 *
 * %PVDISPLAY_F_FRAME_DAMAGE: damage counts across a change of resource.  A
 * %PVDISPLAY_CMD_SCANOUT_UPDATE that changes only @resource_id (a page flip
 * between buffers of the same layout) and carries rectangles shows only
 * those rectangles of the new resource: they are what changed since the
 * head's previous update (frame damage, as DRM's FB_DAMAGE_CLIPS).  Without
 * it such an update refreshes the whole source rectangle.
 */
#define PVDISPLAY_F_EDID		0
#define PVDISPLAY_F_MULTI_HEAD		1
#define PVDISPLAY_F_EXTRA_FORMATS	2
#define PVDISPLAY_F_CURSOR		3
#define PVDISPLAY_F_PRESENT_EVENTS	4
#define PVDISPLAY_F_CRC			5
#define PVDISPLAY_F_FRAME_DAMAGE	6

/**
 * DOC: virtqueues
 *
 * Queue indices are fixed.  A device offering %PVDISPLAY_F_CURSOR or
 * %PVDISPLAY_F_PRESENT_EVENTS has all three queues, and a driver that
 * negotiated either sets up all three (a queue whose feature was not
 * negotiated stays unused), so that no index ever depends on the features.
 * A device offering neither has the control queue only.
 *
 * %PVDISPLAY_VQ_CONTROL: control requests, processed in ring order, each
 * completed before the next one starts.
 *
 * %PVDISPLAY_VQ_EVENT: reserved for %PVDISPLAY_F_PRESENT_EVENTS.
 *
 * %PVDISPLAY_VQ_CURSOR: cursor requests (%PVDISPLAY_F_CURSOR), processed in
 * ring order, independently of the control queue: a cursor request never
 * waits behind a frame update.  The device may apply only the last of
 * several %PVDISPLAY_CMD_CURSOR_MOVE requests of a head that it finds
 * queued together (moves coalesce).
 */
#define PVDISPLAY_VQ_CONTROL		0
#define PVDISPLAY_VQ_EVENT		1	/* only with PVDISPLAY_F_PRESENT_EVENTS */
#define PVDISPLAY_VQ_CURSOR		2	/* only with PVDISPLAY_F_CURSOR */

/* Limits both sides enforce. */
#define PVDISPLAY_MAX_HEADS		16
#define PVDISPLAY_EDID_MAX_SIZE		1024
#define PVDISPLAY_MAX_DAMAGE_RECTS	16
#define PVDISPLAY_MAX_DAMAGE_REGIONS	32
#define PVDISPLAY_MAX_MEM_ENTRIES	(1U << 18)
#define PVDISPLAY_MAX_RESOURCE_SIZE	(1ULL << 30)
/* Granularity of dirty regions: always 4 KiB, whatever the guest page size. */
#define PVDISPLAY_REGION_ALIGN		4096
/* Cursor images: at least this size is supported, at most the second. */
#define PVDISPLAY_CURSOR_MIN_SIZE	64
#define PVDISPLAY_CURSOR_MAX_SIZE	512

/* Bits of pvdisplay_config.events_pending / events_clear. */
#define PVDISPLAY_EVENT_DISPLAY		(1U << 0)

/**
 * struct pvdisplay_config - device configuration space
 * @events_pending: events raised by the device since the driver last cleared
 *	them (read-only, bitmask of PVDISPLAY_EVENT_*).  Raising a bit also
 *	sends a configuration-change notification.
 * @events_clear: writing a bit here clears it in @events_pending (write-only,
 *	reads as zero).
 * @num_heads: number of heads (outputs), 1..%PVDISPLAY_MAX_HEADS, if
 *	%PVDISPLAY_F_MULTI_HEAD was negotiated, else 1; read it after
 *	FEATURES_OK.  It does not change afterwards: hotplug changes a head's
 *	connection state, not this count.
 * @max_width: largest scanout width in pixels the device accepts.
 * @max_height: largest scanout height in pixels the device accepts.
 * @reserved: zero.
 * @cursor_max_width: with %PVDISPLAY_F_CURSOR, the widest cursor image the
 *	device accepts, %PVDISPLAY_CURSOR_MIN_SIZE..%PVDISPLAY_CURSOR_MAX_SIZE;
 *	zero without it.
 * @cursor_max_height: the same for the height.
 *
 * %PVDISPLAY_EVENT_DISPLAY means "re-read the display information": a head
 * was connected, disconnected or its preferred mode (host window size) or
 * EDID changed.
 */
struct pvdisplay_config {
	__le32 events_pending;
	__le32 events_clear;
	__le32 num_heads;
	__le32 max_width;
	__le32 max_height;
	__le32 reserved;
	__le32 cursor_max_width;
	__le32 cursor_max_height;
};

/**
 * enum pvdisplay_cmd_type - control queue request types
 * @PVDISPLAY_CMD_GET_DISPLAY_INFO: &struct pvdisplay_ctrl_hdr alone; answered
 *	with &struct pvdisplay_resp_display_info.
 * @PVDISPLAY_CMD_GET_EDID: &struct pvdisplay_cmd_get_edid; answered with
 *	&struct pvdisplay_resp_edid.  Needs %PVDISPLAY_F_EDID.
 * @PVDISPLAY_CMD_RESOURCE_CREATE: &struct pvdisplay_cmd_resource_create
 *	followed by its memory entries; answered with &struct pvdisplay_resp_hdr.
 * @PVDISPLAY_CMD_RESOURCE_DESTROY: &struct pvdisplay_cmd_resource_destroy;
 *	answered with &struct pvdisplay_resp_hdr.
 * @PVDISPLAY_CMD_SCANOUT_UPDATE: &struct pvdisplay_cmd_scanout_update followed
 *	by its damage rectangles and regions; answered with &struct
 *	pvdisplay_resp_hdr.
 * @PVDISPLAY_CMD_GET_CRC: &struct pvdisplay_cmd_get_crc; answered with &struct
 *	pvdisplay_resp_crc.  Needs %PVDISPLAY_F_CRC.
 * @PVDISPLAY_CMD_CURSOR_SET: &struct pvdisplay_cmd_cursor_set, cursor queue
 *	only; answered with &struct pvdisplay_resp_hdr.  Needs
 *	%PVDISPLAY_F_CURSOR.
 * @PVDISPLAY_CMD_CURSOR_MOVE: &struct pvdisplay_cmd_cursor_move, cursor queue
 *	only; answered with &struct pvdisplay_resp_hdr.  Needs
 *	%PVDISPLAY_F_CURSOR.
 *
 * A request sent on the wrong queue is answered with
 * %PVDISPLAY_STATUS_ERR_UNSUPPORTED.
 */
enum pvdisplay_cmd_type {
	PVDISPLAY_CMD_GET_DISPLAY_INFO = 0x0100,
	PVDISPLAY_CMD_GET_EDID,
	PVDISPLAY_CMD_RESOURCE_CREATE,
	PVDISPLAY_CMD_RESOURCE_DESTROY,
	PVDISPLAY_CMD_SCANOUT_UPDATE,
	PVDISPLAY_CMD_GET_CRC,

	PVDISPLAY_CMD_CURSOR_SET = 0x0200,
	PVDISPLAY_CMD_CURSOR_MOVE,
};

/**
 * enum pvdisplay_status - status of every response
 * @PVDISPLAY_STATUS_OK: the request was carried out.
 * @PVDISPLAY_STATUS_ERR_UNSPEC: it failed for a reason not listed below.
 * @PVDISPLAY_STATUS_ERR_UNSUPPORTED: unknown request type, or one whose
 *	feature was not negotiated.
 * @PVDISPLAY_STATUS_ERR_INVALID_RESOURCE: a resource id that is zero, unknown
 *	(destroy, scanout) or already in use (create).
 * @PVDISPLAY_STATUS_ERR_INVALID_HEAD: a head index >= num_heads.
 * @PVDISPLAY_STATUS_ERR_INVALID_PARAMETER: a malformed request: short
 *	buffers, non-zero reserved fields, out-of-range sizes, formats, strides,
 *	rectangles, regions or memory entries.
 * @PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY: the device's memory budget for this
 *	guest is exhausted; the request had no effect.
 *
 * A failed request has no effect on device state.  Running out of device
 * resources of any kind (memory budget, number of resources) is
 * %PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY.
 */
enum pvdisplay_status {
	PVDISPLAY_STATUS_OK = 0,
	PVDISPLAY_STATUS_ERR_UNSPEC = 0x1200,
	PVDISPLAY_STATUS_ERR_UNSUPPORTED,
	PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
	PVDISPLAY_STATUS_ERR_INVALID_HEAD,
	PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
	PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY,
};

/**
 * struct pvdisplay_ctrl_hdr - first bytes of every control request
 * @type: one of &enum pvdisplay_cmd_type.
 * @flags: zero; reserved for future use.
 *
 * A request is a descriptor chain: the device-readable part holds this header,
 * the request body and any trailing arrays; the device-writable part has room
 * for the response.  The device rejects a request whose readable part is
 * shorter than its type requires, or whose writable part cannot hold the
 * response; if the writable part cannot even hold &struct
 * pvdisplay_resp_hdr, the request is completed with nothing written (used
 * length 0), which the driver treats as an error.
 */
struct pvdisplay_ctrl_hdr {
	__le32 type;
	__le32 flags;
};

/**
 * struct pvdisplay_resp_hdr - first bytes of every response
 * @status: one of &enum pvdisplay_status.
 * @reserved: zero.
 */
struct pvdisplay_resp_hdr {
	__le32 status;
	__le32 reserved;
};

/* pvdisplay_head_info.flags */
#define PVDISPLAY_HEAD_CONNECTED	(1U << 0)

/**
 * struct pvdisplay_head_info - what the host suggests for one head
 * @flags: %PVDISPLAY_HEAD_CONNECTED if a monitor (host window) is attached.
 * @width: preferred width in pixels (host window size), 0 if unknown.
 * @height: preferred height in pixels, 0 if unknown.
 * @x: suggested horizontal position of this head in a multi-head layout.
 * @y: suggested vertical position.
 * @refresh_mhz: refresh rate in millihertz (60000 = 60 Hz), 0 if unknown.
 * @width_mm: physical width in millimetres, 0 if unknown.
 * @height_mm: physical height in millimetres, 0 if unknown.
 */
struct pvdisplay_head_info {
	__le32 flags;
	__le32 width;
	__le32 height;
	__le32 x;
	__le32 y;
	__le32 refresh_mhz;
	__le32 width_mm;
	__le32 height_mm;
};

/**
 * struct pvdisplay_resp_display_info - answer to GET_DISPLAY_INFO
 * @hdr: response header.
 * @num_heads: number of valid entries in @heads (equals config num_heads).
 * @reserved: zero.
 * @heads: per-head information; entries >= @num_heads are zero.
 */
struct pvdisplay_resp_display_info {
	struct pvdisplay_resp_hdr hdr;
	__le32 num_heads;
	__le32 reserved;
	struct pvdisplay_head_info heads[PVDISPLAY_MAX_HEADS];
};

/**
 * struct pvdisplay_cmd_get_edid - request a head's EDID
 * @hdr: %PVDISPLAY_CMD_GET_EDID.
 * @head: head index.
 * @reserved: zero.
 */
struct pvdisplay_cmd_get_edid {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 head;
	__le32 reserved;
};

/**
 * struct pvdisplay_resp_edid - a head's EDID blob
 * @hdr: response header.
 * @size: number of valid bytes in @edid, a multiple of 128, at most
 *	%PVDISPLAY_EDID_MAX_SIZE; 0 when the head is disconnected.
 * @reserved: zero.
 * @edid: EDID base block and extensions.
 */
struct pvdisplay_resp_edid {
	struct pvdisplay_resp_hdr hdr;
	__le32 size;
	__le32 reserved;
	__u8 edid[PVDISPLAY_EDID_MAX_SIZE];
};

/**
 * struct pvdisplay_mem_entry - one contiguous run of guest memory
 * @addr: guest physical (DMA) address of the run.
 * @length: length of the run in bytes, non-zero.
 * @reserved: zero.
 */
struct pvdisplay_mem_entry {
	__le64 addr;
	__le32 length;
	__le32 reserved;
};

/**
 * struct pvdisplay_cmd_resource_create - share guest memory with the device
 * @hdr: %PVDISPLAY_CMD_RESOURCE_CREATE.
 * @resource_id: id chosen by the driver, non-zero and not in use.
 * @nr_entries: number of &struct pvdisplay_mem_entry that follow this struct
 *	in the readable part of the request, 1..%PVDISPLAY_MAX_MEM_ENTRIES.
 * @size: size of the resource in bytes: the sum of the entry lengths,
 *	1..%PVDISPLAY_MAX_RESOURCE_SIZE.
 *
 * The entries, in order, form the resource's linear byte space
 * [0, @size).  Every entry must lie inside guest RAM.  The memory stays
 * shared until %PVDISPLAY_CMD_RESOURCE_DESTROY or device reset; the driver
 * must not free it before the destroy request completed.  Pixels never
 * travel in requests: the device reads them from this memory.
 */
struct pvdisplay_cmd_resource_create {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 resource_id;
	__le32 nr_entries;
	__le64 size;
};

/**
 * struct pvdisplay_cmd_resource_destroy - stop sharing a resource
 * @hdr: %PVDISPLAY_CMD_RESOURCE_DESTROY.
 * @resource_id: an existing resource.
 * @reserved: zero.
 *
 * A head scanning out of the resource is disabled first, as if it had
 * received a scanout update with resource_id 0.  With %PVDISPLAY_F_CURSOR,
 * the device first handles every request already on the cursor queue, so a
 * %PVDISPLAY_CMD_CURSOR_SET queued before this request still copies its
 * image out of the resource.
 */
struct pvdisplay_cmd_resource_destroy {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 resource_id;
	__le32 reserved;
};

/**
 * struct pvdisplay_rect - a rectangle in framebuffer pixels
 * @x: left column.
 * @y: top row.
 * @width: width in pixels, non-zero.
 * @height: height in pixels, non-zero.
 */
struct pvdisplay_rect {
	__le32 x;
	__le32 y;
	__le32 width;
	__le32 height;
};

/**
 * struct pvdisplay_region - a dirty range of a resource's memory
 * @offset: byte offset inside the resource, a multiple of
 *	%PVDISPLAY_REGION_ALIGN.
 * @length: length in bytes: a non-zero multiple of %PVDISPLAY_REGION_ALIGN,
 *	except that a region may end exactly at the end of the resource.
 */
struct pvdisplay_region {
	__le64 offset;
	__le64 length;
};

/**
 * struct pvdisplay_cmd_scanout_update - show a framebuffer on a head
 * @hdr: %PVDISPLAY_CMD_SCANOUT_UPDATE.
 * @head: head index.
 * @resource_id: resource holding the framebuffer, or 0 to disable the head
 *	(all following fields must then be zero).
 * @format: DRM fourcc of the framebuffer (DRM_FORMAT_XRGB8888, ...).
 * @offset: byte offset of pixel (0, 0) in the resource.
 * @stride: bytes from one row to the next, at least @fb_width * bytes per
 *	pixel.
 * @fb_width: framebuffer width in pixels.
 * @fb_height: framebuffer height in pixels.
 * @src_x: left column of the part shown on the head.
 * @src_y: top row of the part shown on the head.
 * @src_width: width of the part shown: the head's mode width, 1..max_width.
 * @src_height: height of the part shown: the mode height, 1..max_height.
 * @nr_rects: number of &struct pvdisplay_rect that follow this struct,
 *	0..%PVDISPLAY_MAX_DAMAGE_RECTS.
 * @nr_regions: number of &struct pvdisplay_region that follow the
 *	rectangles, 0..%PVDISPLAY_MAX_DAMAGE_REGIONS.
 * @reserved: zero.
 *
 * At most one request per plane update: it (re)configures the head and
 * says what changed.  The framebuffer [@offset, @offset + (@fb_height - 1) * @stride +
 * @fb_width * bpp) must lie inside the resource, and the source rectangle
 * inside the framebuffer.
 *
 * If the head's configuration (every field from @resource_id to
 * @src_height) differs from the previous update, the device refreshes the
 * whole source rectangle; the damage is then only information, but it is
 * validated all the same (validity never depends on earlier requests).  The
 * exception, with %PVDISPLAY_F_FRAME_DAMAGE: when only @resource_id differs
 * and @nr_rects > 0, the device shows the new resource and refreshes exactly
 * the damage, which is what changed since the previous update.  A head whose
 * size changed is resized on the host (this is how a guest mode change
 * reaches the host window).
 *
 * Otherwise the device refreshes exactly the damage: the rectangles, in
 * framebuffer coordinates, clipped to the source rectangle.  Each rectangle
 * must lie inside the framebuffer (the driver clips them to the source
 * rectangle anyway).  The regions list the resource memory the guest wrote,
 * page-aligned, sorted by offset and non-overlapping; every byte of every
 * pixel of every rectangle, as sent, lies inside a region.  nr_rects == 0
 * means "everything changed": the device refreshes the whole source
 * rectangle, and nr_regions must then be 0 as well.
 */
struct pvdisplay_cmd_scanout_update {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 head;
	__le32 resource_id;
	__le32 format;
	__le32 offset;
	__le32 stride;
	__le32 fb_width;
	__le32 fb_height;
	__le32 src_x;
	__le32 src_y;
	__le32 src_width;
	__le32 src_height;
	__le32 nr_rects;
	__le32 nr_regions;
	__le32 reserved;
};

/**
 * struct pvdisplay_cmd_cursor_set - define, show or hide a head's cursor
 * @hdr: %PVDISPLAY_CMD_CURSOR_SET.
 * @head: head index.
 * @resource_id: resource holding the cursor image, or 0 to hide the cursor
 *	(all following fields must then be zero).
 * @format: DRM_FORMAT_ARGB8888, alpha premultiplied (DRM's default
 *	pixel blend mode).
 * @offset: byte offset of the image's pixel (0, 0) in the resource.
 * @stride: bytes from one row of the image to the next, at least @width * 4.
 * @width: image width, 1..&pvdisplay_config.cursor_max_width.
 * @height: image height, 1..&pvdisplay_config.cursor_max_height.
 * @hot_x: column of the hotspot (the pixel the pointer points with),
 *	less than @width.
 * @hot_y: row of the hotspot, less than @height.
 * @x: column of the image's pixel (0, 0) on the head, signed (two's
 *	complement): the image may lie partly or wholly outside the head.
 * @y: row of the image's pixel (0, 0) on the head, signed.
 * @reserved: zero.
 *
 * The device copies the image out of the resource before it answers the
 * request (it does not keep reading the resource afterwards), then shows
 * the cursor at (@x, @y).  The driver need not wait for the answer before
 * destroying the resource: %PVDISPLAY_CMD_RESOURCE_DESTROY handles the
 * cursor queue first.  The host pointer is at (@x + @hot_x, @y + @hot_y).  The image
 * [@offset, @offset + (@height - 1) * @stride + @width * 4) must lie inside
 * the resource.
 */
struct pvdisplay_cmd_cursor_set {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 head;
	__le32 resource_id;
	__le32 format;
	__le32 offset;
	__le32 stride;
	__le32 width;
	__le32 height;
	__le32 hot_x;
	__le32 hot_y;
	__le32 x;
	__le32 y;
	__le32 reserved;
};

/**
 * struct pvdisplay_cmd_cursor_move - move a head's cursor
 * @hdr: %PVDISPLAY_CMD_CURSOR_MOVE.
 * @head: head index.
 * @x: new column of the image's pixel (0, 0), signed as in &struct
 *	pvdisplay_cmd_cursor_set.
 * @y: new row, signed.
 * @reserved: zero.
 *
 * Carries a position, never an image.  The position is kept while the
 * cursor is hidden and applies to the next image too, unless that one
 * brings its own (%PVDISPLAY_CMD_CURSOR_SET always does).
 */
struct pvdisplay_cmd_cursor_move {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 head;
	__le32 x;
	__le32 y;
	__le32 reserved;
};

/**
 * struct pvdisplay_cmd_get_crc - ask for a CRC of what a head shows
 * @hdr: %PVDISPLAY_CMD_GET_CRC.
 * @head: head index.
 * @width: width of the frame when the head scans nothing out (the guest's
 *	mode width), 1..max_width.
 * @height: the same for the height, 1..max_height.
 * @reserved: zero.
 *
 * The frame is what the host shows for the head, with the cursor
 * composited: the head's source rectangle when it scans out (@width and
 * @height are then ignored), otherwise a black @width x @height frame; a
 * visible cursor is blended over it (premultiplied alpha, "over"), clipped
 * to the frame.  The CRC is zlib's crc32() (IEEE 802.3, initial value 0)
 * of the frame's pixels, rows top to bottom, each pixel as the 4 bytes of
 * a little-endian 0x00RRGGBB word.
 *
 * The answer reflects every request the driver made available on any queue
 * (cursor moves included) before it made this one available.  The device
 * has no frame clock of its own: a driver wanting one CRC per frame sends
 * one request per frame of its own clock (its vblank).
 */
struct pvdisplay_cmd_get_crc {
	struct pvdisplay_ctrl_hdr hdr;
	__le32 head;
	__le32 width;
	__le32 height;
	__le32 reserved;
};

/**
 * struct pvdisplay_resp_crc - answer to GET_CRC
 * @hdr: response header.
 * @crc: the CRC.
 * @reserved: zero.
 */
struct pvdisplay_resp_crc {
	struct pvdisplay_resp_hdr hdr;
	__le32 crc;
	__le32 reserved;
};

/*
 * Layout checks: the sizes below are part of the ABI.  They are evaluated
 * wherever this header is compiled (kernel, QEMU, tests, any C standard): a
 * wrong size declares an array of negative size, which does not compile.
 * Nothing is defined, so no object ever exists.
 */
#define PVDISPLAY_ABI_SIZE(type, name, size) \
	extern char pvdisplay_abi_size_of_##name[sizeof(type) == (size) ? 1 : -1]
PVDISPLAY_ABI_SIZE(struct pvdisplay_config, config, 32);
PVDISPLAY_ABI_SIZE(struct pvdisplay_ctrl_hdr, ctrl_hdr, 8);
PVDISPLAY_ABI_SIZE(struct pvdisplay_resp_hdr, resp_hdr, 8);
PVDISPLAY_ABI_SIZE(struct pvdisplay_head_info, head_info, 32);
PVDISPLAY_ABI_SIZE(struct pvdisplay_resp_display_info, resp_display_info,
		   16 + 32 * PVDISPLAY_MAX_HEADS);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_get_edid, cmd_get_edid, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_resp_edid, resp_edid,
		   16 + PVDISPLAY_EDID_MAX_SIZE);
PVDISPLAY_ABI_SIZE(struct pvdisplay_mem_entry, mem_entry, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_resource_create, cmd_resource_create, 24);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_resource_destroy, cmd_resource_destroy, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_rect, rect, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_region, region, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_scanout_update, cmd_scanout_update, 64);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_get_crc, cmd_get_crc, 24);
PVDISPLAY_ABI_SIZE(struct pvdisplay_resp_crc, resp_crc, 16);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_cursor_set, cmd_cursor_set, 56);
PVDISPLAY_ABI_SIZE(struct pvdisplay_cmd_cursor_move, cmd_cursor_move, 24);
#undef PVDISPLAY_ABI_SIZE

#endif /* _UAPI_DRM_PVDISPLAY_H_ */
