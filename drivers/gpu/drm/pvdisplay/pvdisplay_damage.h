/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Damage rectangles -> wire rectangles and page-aligned memory regions.
 *
 * Pure code: no locking, no allocation, no kernel services beyond
 * <linux/types.h>, so the host unit tests (tests/) build the same source
 * against a tiny userspace shim.
 */

#ifndef _PVDISPLAY_DAMAGE_H_
#define _PVDISPLAY_DAMAGE_H_

#include <linux/types.h>

#include <drm/pvdisplay.h>

/**
 * struct pvdisplay_fb_layout - where a framebuffer's pixels live in a resource
 * @res_size: size of the resource in bytes.
 * @offset: byte offset of pixel (0, 0) in the resource.
 * @stride: bytes from one row to the next.
 * @width: framebuffer width in pixels.
 * @height: framebuffer height in pixels.
 * @cpp: bytes per pixel (single-plane formats only).
 */
struct pvdisplay_fb_layout {
	u64 res_size;
	u32 offset;
	u32 stride;
	u32 width;
	u32 height;
	u32 cpp;
};

/**
 * struct pvdisplay_drect - a rectangle in framebuffer pixels
 * @x1: left column (inclusive).
 * @y1: top row (inclusive).
 * @x2: right column (exclusive), > @x1 unless the rectangle is empty.
 * @y2: bottom row (exclusive), > @y1 unless the rectangle is empty.
 */
struct pvdisplay_drect {
	u32 x1;
	u32 y1;
	u32 x2;
	u32 y2;
};

/**
 * struct pvdisplay_span - a byte range [@start, @end) of a resource
 * @start: first byte.
 * @end: one past the last byte.
 */
struct pvdisplay_span {
	u64 start;
	u64 end;
};

/**
 * struct pvdisplay_damage - damage of one plane update, ready for the wire
 * @src: the plane's source rectangle; every rectangle is clipped to it.
 * @nr_rects: number of valid entries in @rects.
 * @nr_regions: number of valid entries in @regions (set by
 *	pvdisplay_damage_finish()).
 * @rects: damaged rectangles, clipped to @src, never empty.
 * @regions: resource byte ranges covering every byte of every pixel of
 *	@rects: %PVDISPLAY_REGION_ALIGN aligned (the end may instead be the end
 *	of the resource), sorted, neither overlapping nor touching.
 *
 * Build with pvdisplay_damage_init(), pvdisplay_damage_add() per clip, then
 * pvdisplay_damage_finish().  Damage is never dropped: above the wire limits
 * rectangles and regions are merged, which can only over-report.
 */
struct pvdisplay_damage {
	struct pvdisplay_drect src;
	unsigned int nr_rects;
	unsigned int nr_regions;
	struct pvdisplay_drect rects[PVDISPLAY_MAX_DAMAGE_RECTS];
	struct pvdisplay_span regions[PVDISPLAY_MAX_DAMAGE_REGIONS];
};

static inline bool pvdisplay_drect_equal(const struct pvdisplay_drect *a,
					 const struct pvdisplay_drect *b)
{
	return a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 &&
	       a->y2 == b->y2;
}

bool pvdisplay_fb_layout_valid(const struct pvdisplay_fb_layout *fb);
bool pvdisplay_src_valid(const struct pvdisplay_fb_layout *fb,
			 const struct pvdisplay_drect *src);
void pvdisplay_damage_init(struct pvdisplay_damage *d,
			   const struct pvdisplay_drect *src);
void pvdisplay_damage_add(struct pvdisplay_damage *d,
			  s64 x1, s64 y1, s64 x2, s64 y2);
int pvdisplay_damage_finish(struct pvdisplay_damage *d,
			    const struct pvdisplay_fb_layout *fb);

#endif /* _PVDISPLAY_DAMAGE_H_ */
