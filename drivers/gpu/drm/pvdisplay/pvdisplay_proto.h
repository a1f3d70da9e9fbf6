/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Encoding of pvdisplay requests and validation of the device's answers.
 *
 * Pure code like pvdisplay_damage.c: CPU-order values in, little-endian wire
 * structs out, and the reverse with every device value checked.  The host
 * unit tests build it unchanged.
 */

#ifndef _PVDISPLAY_PROTO_H_
#define _PVDISPLAY_PROTO_H_

#include <linux/types.h>

#include <drm/pvdisplay.h>

struct pvdisplay_damage;

/* Largest request the driver sends inline (SCANOUT_UPDATE with full damage). */
#define PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE \
	(sizeof(struct pvdisplay_cmd_scanout_update) + \
	 PVDISPLAY_MAX_DAMAGE_RECTS * sizeof(struct pvdisplay_rect) + \
	 PVDISPLAY_MAX_DAMAGE_REGIONS * sizeof(struct pvdisplay_region))

/* Refresh rate assumed when the device reports none or a silly one. */
#define PVDISPLAY_DEFAULT_REFRESH_MHZ	60000
#define PVDISPLAY_MIN_REFRESH_MHZ	1000
#define PVDISPLAY_MAX_REFRESH_MHZ	1000000
/* Largest scanout size the driver accepts from the device, per axis. */
#define PVDISPLAY_MAX_SCANOUT_DIM	16384
/* Physical sizes above this (10 m) are treated as unknown. */
#define PVDISPLAY_MAX_SIZE_MM		10000
/* Suggested head positions above this are treated as unknown (0). */
#define PVDISPLAY_MAX_POSITION		(PVDISPLAY_MAX_HEADS * PVDISPLAY_MAX_SCANOUT_DIM)

/**
 * struct pvdisplay_scanout - a head's configuration, in CPU byte order
 * @head: head index.
 * @resource_id: resource to show, 0 to disable the head.
 * @format: DRM fourcc.
 * @offset: byte offset of pixel (0, 0) in the resource.
 * @stride: bytes per row.
 * @fb_width: framebuffer width in pixels.
 * @fb_height: framebuffer height in pixels.
 * @src_x: left column of the part shown.
 * @src_y: top row of the part shown.
 * @src_width: width of the part shown (the mode width).
 * @src_height: height of the part shown (the mode height).
 *
 * Mirrors the configuration fields of &struct pvdisplay_cmd_scanout_update.
 */
struct pvdisplay_scanout {
	u32 head;
	u32 resource_id;
	u32 format;
	u32 offset;
	u32 stride;
	u32 fb_width;
	u32 fb_height;
	u32 src_x;
	u32 src_y;
	u32 src_width;
	u32 src_height;
};

/**
 * struct pvdisplay_head_state - validated display information of one head
 * @connected: a monitor (host window) is attached.
 * @width: preferred width in pixels, 0 if unknown.
 * @height: preferred height in pixels, 0 if unknown (both or neither are 0).
 * @x: suggested horizontal position in the host layout.
 * @y: suggested vertical position.
 * @refresh_mhz: refresh rate in millihertz, always in
 *	[%PVDISPLAY_MIN_REFRESH_MHZ, %PVDISPLAY_MAX_REFRESH_MHZ].
 * @width_mm: physical width in millimetres, 0 if unknown.
 * @height_mm: physical height in millimetres, 0 if unknown.
 */
struct pvdisplay_head_state {
	bool connected;
	u32 width;
	u32 height;
	u32 x;
	u32 y;
	u32 refresh_mhz;
	u32 width_mm;
	u32 height_mm;
};

/**
 * struct pvdisplay_cursor_image - a cursor to show, in CPU byte order
 * @head: head index.
 * @resource_id: resource holding the image, 0 to hide the cursor.
 * @format: DRM fourcc (DRM_FORMAT_ARGB8888).
 * @offset: byte offset of the image's pixel (0, 0) in the resource.
 * @stride: bytes per row.
 * @width: image width in pixels.
 * @height: image height in pixels.
 * @hot_x: hotspot column, less than @width.
 * @hot_y: hotspot row, less than @height.
 * @x: column of the image's pixel (0, 0) on the head.
 * @y: row of the image's pixel (0, 0) on the head.
 *
 * Mirrors &struct pvdisplay_cmd_cursor_set.
 */
struct pvdisplay_cursor_image {
	u32 head;
	u32 resource_id;
	u32 format;
	u32 offset;
	u32 stride;
	u32 width;
	u32 height;
	u32 hot_x;
	u32 hot_y;
	s32 x;
	s32 y;
};

void pvdisplay_encode_get_display_info(struct pvdisplay_ctrl_hdr *hdr);
void pvdisplay_encode_get_edid(struct pvdisplay_cmd_get_edid *cmd, u32 head);
void pvdisplay_encode_resource_create(struct pvdisplay_cmd_resource_create *cmd,
				      u32 resource_id, u32 nr_entries, u64 size);
void pvdisplay_encode_mem_entry(struct pvdisplay_mem_entry *entry,
				u64 addr, u32 length);
void pvdisplay_encode_resource_destroy(struct pvdisplay_cmd_resource_destroy *cmd,
				       u32 resource_id);
size_t pvdisplay_encode_scanout_update(void *buf,
				       const struct pvdisplay_scanout *scanout,
				       const struct pvdisplay_damage *damage);
void pvdisplay_encode_cursor_set(struct pvdisplay_cmd_cursor_set *cmd,
				 const struct pvdisplay_cursor_image *cursor);
void pvdisplay_encode_cursor_move(struct pvdisplay_cmd_cursor_move *cmd,
				  u32 head, s32 x, s32 y);
void pvdisplay_encode_get_crc(struct pvdisplay_cmd_get_crc *cmd, u32 head,
			      u32 width, u32 height);

int pvdisplay_status_to_errno(u32 status);
int pvdisplay_resp_check(const void *resp, size_t len, size_t full_len);
int pvdisplay_parse_display_info(const struct pvdisplay_resp_display_info *resp,
				 size_t len, u32 num_heads, u32 max_width,
				 u32 max_height,
				 struct pvdisplay_head_state *heads,
				 unsigned int *fixups);
int pvdisplay_parse_edid(const struct pvdisplay_resp_edid *resp, size_t len,
			 u32 *size);
int pvdisplay_parse_crc(const struct pvdisplay_resp_crc *resp, size_t len,
			u32 *crc);

#endif /* _PVDISPLAY_PROTO_H_ */
