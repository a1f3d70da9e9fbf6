// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pvdisplay damage handling: clipped damage rectangles in, at most
 * PVDISPLAY_MAX_DAMAGE_RECTS wire rectangles and at most
 * PVDISPLAY_MAX_DAMAGE_REGIONS page-aligned memory regions out.
 *
 * This file is pure on purpose: the host unit tests compile it unchanged
 * against a small shim (tests/shim), and compare it with a byte-level
 * reference model.
 *
 * Rectangles.  Clips are clipped to the plane's source rectangle; empty ones
 * vanish, ones inside an already recorded rectangle are dropped and recorded
 * ones inside a new clip are replaced.  When a clip would be rectangle number
 * PVDISPLAY_MAX_DAMAGE_RECTS + 1, the two rectangles whose bounding box adds
 * the fewest pixels not already damaged ("closest neighbours") are replaced by
 * that bounding box.  This is greedy and online, so any number of clips costs
 * O(clips * rects^2) time and no memory.
 *
 * Regions.  Rectangle (x1, y1, x2, y2) touches, in row r, the bytes
 * [offset + r * stride + x1 * cpp, offset + r * stride + x2 * cpp).  Each
 * row's range is widened to PVDISPLAY_REGION_ALIGN and the upper bound is
 * clamped to the end of the resource.  Two consecutive rows' widened ranges
 * touch whenever the bytes between them (stride - width * cpp) are fewer than
 * PVDISPLAY_REGION_ALIGN: the second range then starts below the aligned end
 * of the first.  Such a rectangle is a single range; others produce one range
 * per row.  Every rectangle's ranges come out sorted by address, so a merge
 * of the (at most 16) sorted streams yields all ranges in address order,
 * where overlapping and touching ones are joined on the fly.
 *
 * What is left is a sorted list of disjoint ranges separated by gaps.  Joining
 * the two closest neighbours until PVDISPLAY_MAX_DAMAGE_REGIONS remain is the
 * same as keeping the PVDISPLAY_MAX_DAMAGE_REGIONS - 1 widest gaps and
 * bridging all others, and that minimises the bytes reported.  The widest
 * gaps are collected while streaming, so the whole computation needs
 * O(rects) memory, no matter how many rows are damaged.
 *
 * Time is bounded too: this runs with interrupts off (under a head's lock,
 * and from the device's answer), and sixteen clips a few pixels wide down a
 * 16384-row framebuffer would be 2^18 rows to stream.  Beyond
 * PVD_MAX_ROW_RANGES rows in all, the tallest rectangles are taken as one
 * range each until the rest fits.  That bridges only gaps between two rows
 * of one such rectangle, each narrower than the stride, and a minimal
 * result keeps at most PVD_MAX_GAPS gaps: it reports at most PVD_MAX_GAPS
 * strides more than the minimum, and exactly the minimum below the bound.
 */

#include <linux/errno.h>
#include <linux/types.h>

#include "pvdisplay_damage.h"

#define PVD_ALIGN_MASK	((u64)PVDISPLAY_REGION_ALIGN - 1)
#define PVD_MAX_GAPS	(PVDISPLAY_MAX_DAMAGE_REGIONS - 1)
#define PVD_MAX_ROW_RANGES	4096

static inline u64 pvd_align_down(u64 x)
{
	return x & ~PVD_ALIGN_MASK;
}

static inline u64 pvd_align_up(u64 x)
{
	return (x + PVD_ALIGN_MASK) & ~PVD_ALIGN_MASK;
}

static inline u64 pvd_min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 pvd_max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

static inline s64 pvd_clamp_s64(s64 v, s64 lo, s64 hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/**
 * pvdisplay_fb_layout_valid - check a framebuffer lies inside its resource
 * @fb: the layout
 *
 * The limits on the resource size and the height come first: with both at
 * most 2^30, no sum or product below can overflow 64 bits, whatever the other
 * 32-bit inputs are.
 *
 * Return: true if the layout is usable for damage computation and scanout.
 */
bool pvdisplay_fb_layout_valid(const struct pvdisplay_fb_layout *fb)
{
	u64 row, end;

	if (!fb->width || !fb->height || !fb->cpp || fb->cpp > 8)
		return false;
	if (!fb->res_size || fb->res_size > PVDISPLAY_MAX_RESOURCE_SIZE)
		return false;
	if (fb->height > fb->res_size)
		return false;

	row = (u64)fb->width * fb->cpp;
	if (fb->stride < row)
		return false;

	end = (u64)fb->offset + (u64)(fb->height - 1) * fb->stride + row;
	return end <= fb->res_size;
}

/**
 * pvdisplay_src_valid - check a source rectangle lies inside a framebuffer
 * @fb: the framebuffer layout
 * @src: the source rectangle
 *
 * Return: true if @src is non-empty and inside @fb.
 */
bool pvdisplay_src_valid(const struct pvdisplay_fb_layout *fb,
			 const struct pvdisplay_drect *src)
{
	return src->x1 < src->x2 && src->y1 < src->y2 &&
	       src->x2 <= fb->width && src->y2 <= fb->height;
}

/**
 * pvdisplay_damage_init - start collecting the damage of one plane update
 * @d: damage to initialise
 * @src: the plane's source rectangle in framebuffer pixels; it must satisfy
 *	pvdisplay_src_valid() for the layout later passed to
 *	pvdisplay_damage_finish(), which bounds every area computed here.
 */
void pvdisplay_damage_init(struct pvdisplay_damage *d,
			   const struct pvdisplay_drect *src)
{
	d->src = *src;
	d->nr_rects = 0;
	d->nr_regions = 0;
}

static inline bool pvd_rect_contains(const struct pvdisplay_drect *outer,
				     const struct pvdisplay_drect *inner)
{
	return outer->x1 <= inner->x1 && outer->y1 <= inner->y1 &&
	       outer->x2 >= inner->x2 && outer->y2 >= inner->y2;
}

static inline u64 pvd_rect_area(const struct pvdisplay_drect *r)
{
	return (u64)(r->x2 - r->x1) * (r->y2 - r->y1);
}

static void pvd_rect_bbox(struct pvdisplay_drect *out,
			  const struct pvdisplay_drect *a,
			  const struct pvdisplay_drect *b)
{
	out->x1 = a->x1 < b->x1 ? a->x1 : b->x1;
	out->y1 = a->y1 < b->y1 ? a->y1 : b->y1;
	out->x2 = a->x2 > b->x2 ? a->x2 : b->x2;
	out->y2 = a->y2 > b->y2 ? a->y2 : b->y2;
}

/* Pixels the bounding box of @a and @b adds to their union. */
static u64 pvd_merge_cost(const struct pvdisplay_drect *a,
			  const struct pvdisplay_drect *b)
{
	struct pvdisplay_drect box, in;
	u64 inter = 0;

	pvd_rect_bbox(&box, a, b);
	in.x1 = a->x1 > b->x1 ? a->x1 : b->x1;
	in.y1 = a->y1 > b->y1 ? a->y1 : b->y1;
	in.x2 = a->x2 < b->x2 ? a->x2 : b->x2;
	in.y2 = a->y2 < b->y2 ? a->y2 : b->y2;
	if (in.x1 < in.x2 && in.y1 < in.y2)
		inter = pvd_rect_area(&in);

	return pvd_rect_area(&box) - (pvd_rect_area(a) + pvd_rect_area(b) - inter);
}

/* Drop every rectangle other than rects[@keep] that rects[@keep] contains. */
static void pvd_drop_contained(struct pvdisplay_damage *d, unsigned int keep)
{
	const struct pvdisplay_drect k = d->rects[keep];
	unsigned int i = 0;

	while (i < d->nr_rects) {
		if (i != keep && pvd_rect_contains(&k, &d->rects[i])) {
			d->rects[i] = d->rects[--d->nr_rects];
			if (keep == d->nr_rects)
				keep = i;
			/* Slot i holds another rectangle now: look again. */
			continue;
		}
		i++;
	}
}

/**
 * pvdisplay_damage_add - add one damage clip
 * @d: damage being collected
 * @x1: left column (inclusive), any value
 * @y1: top row (inclusive), any value
 * @x2: right column (exclusive), any value
 * @y2: bottom row (exclusive), any value
 *
 * The clip is clipped to the source rectangle first; userspace clips may lie
 * anywhere, even at negative coordinates.
 */
void pvdisplay_damage_add(struct pvdisplay_damage *d,
			  s64 x1, s64 y1, s64 x2, s64 y2)
{
	const struct pvdisplay_drect *src = &d->src;
	struct pvdisplay_drect r, box;
	unsigned int i, j, best_i = 0, best_j = 1;
	u64 cost, best = ~0ULL;

	x1 = pvd_clamp_s64(x1, src->x1, src->x2);
	x2 = pvd_clamp_s64(x2, src->x1, src->x2);
	y1 = pvd_clamp_s64(y1, src->y1, src->y2);
	y2 = pvd_clamp_s64(y2, src->y1, src->y2);
	if (x1 >= x2 || y1 >= y2)
		return;

	r.x1 = (u32)x1;
	r.y1 = (u32)y1;
	r.x2 = (u32)x2;
	r.y2 = (u32)y2;

	for (i = 0; i < d->nr_rects; i++)
		if (pvd_rect_contains(&d->rects[i], &r))
			return;

	/* Recorded rectangles inside @r are superseded by it. */
	i = 0;
	while (i < d->nr_rects) {
		if (pvd_rect_contains(&r, &d->rects[i]))
			d->rects[i] = d->rects[--d->nr_rects];
		else
			i++;
	}

	if (d->nr_rects < PVDISPLAY_MAX_DAMAGE_RECTS) {
		d->rects[d->nr_rects++] = r;
		return;
	}

	/*
	 * Full: among the recorded rectangles plus @r (index nr_rects), join
	 * the pair whose bounding box adds the fewest pixels.
	 */
	for (i = 0; i <= d->nr_rects; i++) {
		const struct pvdisplay_drect *a = i < d->nr_rects ? &d->rects[i] : &r;

		for (j = i + 1; j <= d->nr_rects; j++) {
			const struct pvdisplay_drect *b =
				j < d->nr_rects ? &d->rects[j] : &r;

			cost = pvd_merge_cost(a, b);
			if (cost < best) {
				best = cost;
				best_i = i;
				best_j = j;
			}
		}
	}

	if (best_j == d->nr_rects) {
		/* @r joins a recorded rectangle. */
		pvd_rect_bbox(&box, &d->rects[best_i], &r);
	} else {
		/* Two recorded rectangles join; @r takes the freed slot. */
		pvd_rect_bbox(&box, &d->rects[best_i], &d->rects[best_j]);
		d->rects[best_j] = r;
	}
	d->rects[best_i] = box;
	/* The box may now cover other rectangles, @r included. */
	pvd_drop_contained(d, best_i);
}

/*
 * One rectangle's byte ranges: @rows ranges of @len bytes, the first at
 * @start, each @step bytes after the previous one.
 */
struct pvd_stream {
	u64 start;
	u64 len;
	u64 step;
	u32 rows;
};

/*
 * The widest gaps seen so far, widest first; among equal gaps the later one
 * comes first, so that the earliest of the narrowest gaps is bridged first,
 * as joining the closest neighbours in address order would do.
 */
static void pvd_keep_gap(struct pvdisplay_span *gaps, unsigned int *nr,
			 u64 start, u64 end)
{
	u64 size = end - start;
	unsigned int n = *nr, i;

	if (n == PVD_MAX_GAPS) {
		if (size < gaps[n - 1].end - gaps[n - 1].start)
			return;
		n--;
	}
	for (i = n; i > 0 && gaps[i - 1].end - gaps[i - 1].start <= size; i--)
		gaps[i] = gaps[i - 1];
	gaps[i].start = start;
	gaps[i].end = end;
	*nr = n + 1;
}

/*
 * Take the tallest rectangles as one range each, spanning all their rows,
 * until at most PVD_MAX_ROW_RANGES rows remain to stream.
 */
static void pvd_bound_rows(struct pvd_stream *streams, unsigned int n)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		total += streams[i].rows;
	while (total > PVD_MAX_ROW_RANGES) {
		struct pvd_stream *tall = &streams[0];

		for (i = 1; i < n; i++)
			if (streams[i].rows > tall->rows)
				tall = &streams[i];
		total -= tall->rows - 1;
		tall->len += (u64)(tall->rows - 1) * tall->step;
		tall->rows = 1;
	}
}

/**
 * pvdisplay_damage_finish - compute the memory regions of the damage
 * @d: damage collected with pvdisplay_damage_add()
 * @fb: layout of the framebuffer in its resource
 *
 * Fills @d->regions from @d->rects.  With no rectangles there are no regions.
 *
 * Return: 0, or -EINVAL if @fb is not a valid layout or the source rectangle
 * given to pvdisplay_damage_init() does not lie inside it.
 */
int pvdisplay_damage_finish(struct pvdisplay_damage *d,
			    const struct pvdisplay_fb_layout *fb)
{
	struct pvd_stream streams[PVDISPLAY_MAX_DAMAGE_RECTS];
	/* The gaps live in the region array until they become regions. */
	struct pvdisplay_span *gaps = d->regions;
	unsigned int n = d->nr_rects, nr_gaps = 0, i;
	u64 first = 0, cur_end = 0;
	bool started = false;

	d->nr_regions = 0;
	if (!pvdisplay_fb_layout_valid(fb) || !pvdisplay_src_valid(fb, &d->src))
		return -EINVAL;
	if (!n)
		return 0;

	for (i = 0; i < n; i++) {
		const struct pvdisplay_drect *r = &d->rects[i];
		u64 row_len = (u64)(r->x2 - r->x1) * fb->cpp;
		u32 rows = r->y2 - r->y1;

		streams[i].start = fb->offset + (u64)r->y1 * fb->stride +
				   (u64)r->x1 * fb->cpp;
		streams[i].step = fb->stride;
		if (fb->stride - row_len < PVDISPLAY_REGION_ALIGN) {
			/* The rows' aligned ranges all touch: one range. */
			streams[i].len = (u64)(rows - 1) * fb->stride + row_len;
			streams[i].rows = 1;
		} else {
			streams[i].len = row_len;
			streams[i].rows = rows;
		}
	}
	pvd_bound_rows(streams, n);

	for (;;) {
		struct pvd_stream *s = NULL;
		u64 start, end;

		for (i = 0; i < n; i++) {
			if (!streams[i].rows)
				continue;
			if (!s || streams[i].start < s->start)
				s = &streams[i];
		}
		if (!s)
			break;

		start = pvd_align_down(s->start);
		end = pvd_min_u64(pvd_align_up(s->start + s->len), fb->res_size);
		s->start += s->step;
		s->rows--;

		if (!started) {
			first = start;
			cur_end = end;
			started = true;
		} else if (start <= cur_end) {
			cur_end = pvd_max_u64(cur_end, end);
		} else {
			pvd_keep_gap(gaps, &nr_gaps, cur_end, start);
			cur_end = end;
		}
	}

	/* Kept gaps in address order. */
	for (i = 1; i < nr_gaps; i++) {
		struct pvdisplay_span g = gaps[i];
		unsigned int j = i;

		for (; j > 0 && gaps[j - 1].start > g.start; j--)
			gaps[j] = gaps[j - 1];
		gaps[j] = g;
	}

	/*
	 * Region i runs from the end of gap i - 1 to the start of gap i.  Going
	 * backwards, slot i is only overwritten after its gap was last read.
	 */
	for (i = nr_gaps + 1; i-- > 0;) {
		u64 end = i == nr_gaps ? cur_end : gaps[i].start;
		u64 start = i == 0 ? first : gaps[i - 1].end;

		d->regions[i].start = start;
		d->regions[i].end = end;
	}
	d->nr_regions = nr_gaps + 1;

	return 0;
}
