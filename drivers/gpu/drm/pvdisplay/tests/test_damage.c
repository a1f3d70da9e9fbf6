// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit tests of pvdisplay_damage.c: edge cases with exact expected
 * results, then many random cases checked against a byte-level reference
 * model (which pages do the damaged pixels' bytes really touch, and what is
 * the smallest over-report with at most 32 regions).
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pvdisplay_damage.h"
#include "unit.h"

#define PAGE	PVDISPLAY_REGION_ALIGN

struct clip {
	int64_t x1, y1, x2, y2;
};

static struct pvdisplay_fb_layout layout(uint64_t res_size, uint32_t offset,
					 uint32_t stride, uint32_t w,
					 uint32_t h, uint32_t cpp)
{
	struct pvdisplay_fb_layout fb = {
		.res_size = res_size, .offset = offset, .stride = stride,
		.width = w, .height = h, .cpp = cpp,
	};

	return fb;
}

static struct pvdisplay_drect drect(uint32_t x1, uint32_t y1, uint32_t x2,
				    uint32_t y2)
{
	struct pvdisplay_drect r = { .x1 = x1, .y1 = y1, .x2 = x2, .y2 = y2 };

	return r;
}

static uint64_t fb_end(const struct pvdisplay_fb_layout *fb)
{
	return fb->offset + (uint64_t)(fb->height - 1) * fb->stride +
	       (uint64_t)fb->width * fb->cpp;
}

/* ---- reference model --------------------------------------------------- */

/*
 * Checks every invariant of @d against the inputs, byte by byte, and returns
 * a description of the first violation (NULL if none).  The regions may
 * cover up to @slack bytes more than the optimum.  Works for small
 * framebuffers only (bitmaps of pixels and pages).
 */
static const char *check_damage(const struct pvdisplay_fb_layout *fb,
				const struct pvdisplay_drect *src,
				const struct clip *clips, unsigned int nr_clips,
				const struct pvdisplay_damage *d, uint64_t slack)
{
	static char why[256];
	uint64_t npages = (fb->res_size + PAGE - 1) / PAGE;
	unsigned char *in_px, *out_px, *pages;
	unsigned int i, distinct = 0, nr_ivals = 0;
	uint64_t x, y, p, *ivals, *gaps, cover = 0, expect;
	const char *ret = NULL;

	in_px = calloc((size_t)fb->width * fb->height, 1);
	out_px = calloc((size_t)fb->width * fb->height, 1);
	pages = calloc(npages, 1);
	ivals = calloc(2 * (npages + 1), sizeof(*ivals));
	gaps = calloc(npages + 1, sizeof(*gaps));
	assert_non_null(in_px && out_px && pages && ivals && gaps);

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); ret = why; goto out; } while (0)

	/* Pixels damaged by the input, clipped to the source rectangle. */
	for (i = 0; i < nr_clips; i++) {
		int64_t x1 = clips[i].x1 < src->x1 ? src->x1 : clips[i].x1;
		int64_t y1 = clips[i].y1 < src->y1 ? src->y1 : clips[i].y1;
		int64_t x2 = clips[i].x2 > src->x2 ? src->x2 : clips[i].x2;
		int64_t y2 = clips[i].y2 > src->y2 ? src->y2 : clips[i].y2;

		if (x1 >= x2 || y1 >= y2)
			continue;
		distinct++;
		for (y = y1; y < (uint64_t)y2; y++)
			for (x = x1; x < (uint64_t)x2; x++)
				in_px[y * fb->width + x] = 1;
	}

	if (d->nr_rects > PVDISPLAY_MAX_DAMAGE_RECTS)
		FAIL("%u rects", d->nr_rects);
	for (i = 0; i < d->nr_rects; i++) {
		const struct pvdisplay_drect *r = &d->rects[i];

		if (r->x1 >= r->x2 || r->y1 >= r->y2)
			FAIL("rect %u empty", i);
		if (r->x1 < src->x1 || r->y1 < src->y1 ||
		    r->x2 > src->x2 || r->y2 > src->y2)
			FAIL("rect %u outside src", i);
		for (y = r->y1; y < r->y2; y++) {
			for (x = r->x1; x < r->x2; x++) {
				uint64_t row = fb->offset + y * fb->stride;

				out_px[y * fb->width + x] = 1;
				for (p = (row + x * fb->cpp) / PAGE;
				     p <= (row + (x + 1) * fb->cpp - 1) / PAGE; p++)
					pages[p] = 1;
			}
		}
	}

	for (i = 0; i < fb->width * fb->height; i++) {
		if (in_px[i] && !out_px[i])
			FAIL("pixel %u,%u damage dropped", i % fb->width, i / fb->width);
		/* No merging is needed below the limit: exact then. */
		if (distinct <= PVDISPLAY_MAX_DAMAGE_RECTS && out_px[i] && !in_px[i])
			FAIL("pixel %u,%u over-reported with %u clips",
			     i % fb->width, i / fb->width, distinct);
	}

	/* Exact touched pages as maximal runs, then the optimal cover. */
	for (p = 0; p < npages; p++) {
		if (!pages[p])
			continue;
		if (nr_ivals && ivals[2 * nr_ivals - 1] == p * PAGE) {
			ivals[2 * nr_ivals - 1] = (p + 1) * PAGE;
		} else {
			ivals[2 * nr_ivals] = p * PAGE;
			ivals[2 * nr_ivals + 1] = (p + 1) * PAGE;
			nr_ivals++;
		}
	}
	if (nr_ivals && ivals[2 * nr_ivals - 1] > fb->res_size)
		ivals[2 * nr_ivals - 1] = fb->res_size;

	expect = 0;
	for (i = 0; i < nr_ivals; i++) {
		expect += ivals[2 * i + 1] - ivals[2 * i];
		if (i)
			gaps[i - 1] = ivals[2 * i] - ivals[2 * i - 1];
	}
	if (nr_ivals > PVDISPLAY_MAX_DAMAGE_REGIONS) {
		/* Bridge all gaps but the 31 widest: sort gaps ascending. */
		unsigned int n = nr_ivals - 1, j;

		for (i = 1; i < n; i++) {
			uint64_t g = gaps[i];

			for (j = i; j > 0 && gaps[j - 1] > g; j--)
				gaps[j] = gaps[j - 1];
			gaps[j] = g;
		}
		for (i = 0; i < n - (PVDISPLAY_MAX_DAMAGE_REGIONS - 1); i++)
			expect += gaps[i];
	}

	/* With slack, runs may be joined beyond what the limit needs. */
	if (slack ? d->nr_regions > PVDISPLAY_MAX_DAMAGE_REGIONS :
	    d->nr_regions != (nr_ivals < PVDISPLAY_MAX_DAMAGE_REGIONS ?
			      nr_ivals : PVDISPLAY_MAX_DAMAGE_REGIONS))
		FAIL("%u regions, %u page runs", d->nr_regions, nr_ivals);
	for (i = 0; i < d->nr_regions; i++) {
		const struct pvdisplay_span *s = &d->regions[i];

		if (s->start % PAGE)
			FAIL("region %u start %llu unaligned", i,
			     (unsigned long long)s->start);
		if (s->end % PAGE && s->end != fb->res_size)
			FAIL("region %u end %llu unaligned", i,
			     (unsigned long long)s->end);
		if (s->start >= s->end || s->end > fb->res_size)
			FAIL("region %u [%llu, %llu) bad", i,
			     (unsigned long long)s->start,
			     (unsigned long long)s->end);
		if (i && s->start <= d->regions[i - 1].end)
			FAIL("region %u not after region %u", i, i - 1);
		cover += s->end - s->start;
		for (p = s->start / PAGE; p < (s->end + PAGE - 1) / PAGE; p++)
			pages[p] = 0;
	}
	for (p = 0; p < npages; p++)
		if (pages[p])
			FAIL("page %llu touched but not in a region",
			     (unsigned long long)p);
	if (cover < expect || cover - expect > slack)
		FAIL("regions cover %llu bytes, optimum %llu",
		     (unsigned long long)cover, (unsigned long long)expect);
	/* Below the limit the regions are exactly the page runs. */
	if (nr_ivals <= PVDISPLAY_MAX_DAMAGE_REGIONS && !slack)
		for (i = 0; i < nr_ivals; i++)
			if (d->regions[i].start != ivals[2 * i] ||
			    d->regions[i].end != ivals[2 * i + 1])
				FAIL("region %u differs from page run", i);
#undef FAIL
out:
	free(in_px);
	free(out_px);
	free(pages);
	free(ivals);
	free(gaps);
	return ret;
}

static void run_slack(const struct pvdisplay_fb_layout *fb,
		      const struct pvdisplay_drect *src,
		      const struct clip *clips, unsigned int n,
		      struct pvdisplay_damage *d, uint64_t slack)
{
	const char *why;
	unsigned int i;

	pvdisplay_damage_init(d, src);
	for (i = 0; i < n; i++)
		pvdisplay_damage_add(d, clips[i].x1, clips[i].y1, clips[i].x2,
				     clips[i].y2);
	assert_int_equal(pvdisplay_damage_finish(d, fb), 0);
	why = check_damage(fb, src, clips, n, d, slack);
	if (why)
		fail_msg("%s", why);
}

/* The regions must be the minimal cover. */
static void run(const struct pvdisplay_fb_layout *fb,
		const struct pvdisplay_drect *src,
		const struct clip *clips, unsigned int n,
		struct pvdisplay_damage *d)
{
	run_slack(fb, src, clips, n, d, 0);
}

/* ---- edge cases --------------------------------------------------------- */

static void test_layout_validation(void **state)
{
	struct pvdisplay_fb_layout fb;
	struct pvdisplay_drect src;
	struct pvdisplay_damage d;

	(void)state;
	fb = layout(64 * 64 * 4, 0, 64 * 4, 64, 64, 4);
	assert_true(pvdisplay_fb_layout_valid(&fb));
	fb.stride = 64 * 4 - 1;			/* stride < width * cpp */
	assert_false(pvdisplay_fb_layout_valid(&fb));
	fb = layout(64 * 64 * 4, 1, 64 * 4, 64, 64, 4);	/* one byte too far */
	assert_false(pvdisplay_fb_layout_valid(&fb));
	fb = layout(64 * 64 * 4, 0, 64 * 4, 64, 64, 0);
	assert_false(pvdisplay_fb_layout_valid(&fb));
	fb = layout(64 * 64 * 4, 0, 64 * 4, 0, 64, 4);
	assert_false(pvdisplay_fb_layout_valid(&fb));
	/* Values that overflow 64 bits when multiplied naively. */
	fb = layout(PVDISPLAY_MAX_RESOURCE_SIZE, 0xffffffff, 0xffffffff,
		    0xffffffff, 0xffffffff, 8);
	assert_false(pvdisplay_fb_layout_valid(&fb));
	fb = layout(PVDISPLAY_MAX_RESOURCE_SIZE + 4096, 0, 4096, 1024,
		    (PVDISPLAY_MAX_RESOURCE_SIZE + 4096) / 4096, 4);
	assert_false(pvdisplay_fb_layout_valid(&fb));
	/* Exactly filling the largest resource is fine. */
	fb = layout(PVDISPLAY_MAX_RESOURCE_SIZE, 0, 65536, 16384, 16384, 4);
	assert_true(pvdisplay_fb_layout_valid(&fb));

	fb = layout(64 * 64 * 4, 0, 64 * 4, 64, 64, 4);
	src = drect(0, 0, 65, 64);
	assert_false(pvdisplay_src_valid(&fb, &src));
	src = drect(3, 3, 3, 10);
	assert_false(pvdisplay_src_valid(&fb, &src));
	src = drect(0, 0, 64, 64);
	assert_true(pvdisplay_src_valid(&fb, &src));

	/* finish() refuses a source rectangle outside the framebuffer. */
	src = drect(0, 0, 64, 65);
	pvdisplay_damage_init(&d, &src);
	pvdisplay_damage_add(&d, 0, 0, 1, 1);
	assert_int_equal(pvdisplay_damage_finish(&d, &fb), -EINVAL);
	assert_int_equal(d.nr_regions, 0);
}

static void test_empty_damage(void **state)
{
	struct pvdisplay_fb_layout fb = layout(1024 * 768 * 4, 0, 4096, 1024, 768, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 768);
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, NULL, 0, &d);
	assert_int_equal(d.nr_rects, 0);
	assert_int_equal(d.nr_regions, 0);
}

static void test_full_width_single_region(void **state)
{
	/* stride == width * cpp: rows are contiguous, one region. */
	struct pvdisplay_fb_layout fb = layout(1024 * 768 * 4, 0, 4096, 1024, 768, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 768);
	struct clip c = { 0, 10, 1024, 20 };
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, &c, 1, &d);
	assert_int_equal(d.nr_rects, 1);
	assert_int_equal(d.rects[0].x1, 0);
	assert_int_equal(d.rects[0].y1, 10);
	assert_int_equal(d.rects[0].x2, 1024);
	assert_int_equal(d.rects[0].y2, 20);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 10 * 4096);
	assert_int_equal(d.regions[0].end, 20 * 4096);
}

static void test_stride_padding(void **state)
{
	/*
	 * 100 pixels of 4 bytes in a 3-page stride: a narrow rectangle touches
	 * one page per row, 8 rows -> 8 separate regions.
	 */
	struct pvdisplay_fb_layout fb = layout(3 * PAGE * 16, 0, 3 * PAGE, 100, 16, 4);
	struct pvdisplay_drect src = drect(0, 0, 100, 16);
	struct clip c = { 10, 4, 20, 12 };
	struct pvdisplay_damage d;
	unsigned int i;

	(void)state;
	run(&fb, &src, &c, 1, &d);
	assert_int_equal(d.nr_regions, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(d.regions[i].start, (4 + i) * 3 * PAGE);
		assert_int_equal(d.regions[i].end, (4 + i) * 3 * PAGE + PAGE);
	}

	/* Stride one byte short of width * cpp + a page: still one region. */
	fb = layout(0, 0, 400 + PAGE - 1, 100, 200, 4);
	fb.res_size = fb_end(&fb);
	src = drect(0, 0, 100, 200);
	run(&fb, &src, &(struct clip){ 0, 0, 100, 200 }, 1, &d);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 0);
	assert_int_equal(d.regions[0].end, fb.res_size);
}

static void test_fb_offset(void **state)
{
	/* The framebuffer starts 3 pages + 100 bytes into the resource. */
	struct pvdisplay_fb_layout fb = layout(3 * PAGE + 100 + 64 * 256, 3 * PAGE + 100,
					       256, 64, 64, 4);
	struct pvdisplay_drect src = drect(0, 0, 64, 64);
	struct clip c = { 0, 0, 1, 1 };
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, &c, 1, &d);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 3 * PAGE);
	assert_int_equal(d.regions[0].end, 4 * PAGE);

	/*
	 * A pixel straddling a page boundary covers both pages, even when only
	 * its last byte lies in the second page.
	 */
	fb = layout(2 * PAGE, PAGE - 2, 400, 100, 2, 4);
	src = drect(0, 0, 100, 2);
	run(&fb, &src, &(struct clip){ 0, 0, 1, 1 }, 1, &d);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 0);
	assert_int_equal(d.regions[0].end, 2 * PAGE);
	fb.offset = PAGE - 3;
	run(&fb, &src, &(struct clip){ 0, 0, 1, 1 }, 1, &d);
	assert_int_equal(d.regions[0].end, 2 * PAGE);
	/* Same for the last byte of a multi-row rectangle. */
	fb = layout(4 * PAGE, 0, 1024, 256, 8, 4);
	src = drect(0, 0, 256, 8);
	run(&fb, &src, &(struct clip){ 0, 0, 1, 5 }, 1, &d);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].end, 2 * PAGE);
}

static void test_last_row_and_column(void **state)
{
	/* Resource ends exactly at the last pixel, not page aligned. */
	struct pvdisplay_fb_layout fb = layout(0, 0, 1000 * 4, 1000, 10, 4);
	struct pvdisplay_drect src = drect(0, 0, 1000, 10);
	struct clip c = { 999, 9, 1000, 10 };
	struct pvdisplay_damage d;

	(void)state;
	fb.res_size = fb_end(&fb);
	run(&fb, &src, &c, 1, &d);
	assert_int_equal(d.nr_rects, 1);
	assert_int_equal(d.rects[0].x1, 999);
	assert_int_equal(d.rects[0].y1, 9);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].end, fb.res_size);
	assert_int_equal(d.regions[0].start, (fb.res_size - 4) / PAGE * PAGE);

	/* Clips reaching past the last row/column are clipped to it. */
	run(&fb, &src, &(struct clip){ 990, 5, 5000, 5000 }, 1, &d);
	assert_int_equal(d.rects[0].x2, 1000);
	assert_int_equal(d.rects[0].y2, 10);
	assert_int_equal(d.regions[d.nr_regions - 1].end, fb.res_size);
}

static void test_region_at_resource_end(void **state)
{
	/* Page-aligned resource, last row damaged: region ends at its end. */
	struct pvdisplay_fb_layout fb = layout(1024 * 4 * 16, 0, 1024 * 4, 1024, 16, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 16);
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, &(struct clip){ 0, 15, 1024, 16 }, 1, &d);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 15 * PAGE);
	assert_int_equal(d.regions[0].end, 16 * PAGE);
	assert_int_equal(d.regions[0].end, fb.res_size);
}

static void test_overlapping_rects(void **state)
{
	struct pvdisplay_fb_layout fb = layout(1024 * 4 * 64, 0, 1024 * 4, 1024, 64, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 64);
	struct clip c[] = {
		{ 0, 0, 600, 10 }, { 500, 5, 1024, 20 }, { 100, 2, 200, 8 },
		{ 0, 0, 600, 10 },
	};
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, c, 4, &d);
	/* The duplicate and the contained one disappear. */
	assert_int_equal(d.nr_rects, 2);
	assert_int_equal(d.nr_regions, 1);
	assert_int_equal(d.regions[0].start, 0);
	assert_int_equal(d.regions[0].end, 20 * PAGE);

	/* A later clip containing earlier ones replaces them. */
	run(&fb, &src, (struct clip[]){ { 1, 1, 2, 2 }, { 5, 5, 9, 9 },
					{ 0, 0, 10, 10 } }, 3, &d);
	assert_int_equal(d.nr_rects, 1);
	assert_int_equal(d.rects[0].x2, 10);
}

static void test_src_subrect(void **state)
{
	/* A 1920x1080 fb showing 800x600 at (100, 50). */
	struct pvdisplay_fb_layout fb = layout(1920 * 4 * 1080, 0, 1920 * 4, 1920, 1080, 4);
	struct pvdisplay_drect src = drect(100, 50, 900, 650);
	struct clip c[] = {
		{ 0, 0, 150, 60 },		/* partly outside: clipped */
		{ 1000, 700, 1100, 800 },	/* outside: dropped */
		{ -100, -100, 50, 50 },		/* outside, negative */
		{ 850, 600, 100000, 100000 },	/* clipped to the corner */
	};
	struct pvdisplay_damage d;

	(void)state;
	run(&fb, &src, c, 4, &d);
	assert_int_equal(d.nr_rects, 2);
	assert_int_equal(d.rects[0].x1, 100);
	assert_int_equal(d.rects[0].y1, 50);
	assert_int_equal(d.rects[0].x2, 150);
	assert_int_equal(d.rects[0].y2, 60);
	assert_int_equal(d.rects[1].x1, 850);
	assert_int_equal(d.rects[1].y1, 600);
	assert_int_equal(d.rects[1].x2, 900);
	assert_int_equal(d.rects[1].y2, 650);

	/* All clips outside the source: nothing at all. */
	run(&fb, &src, &c[1], 2, &d);
	assert_int_equal(d.nr_rects, 0);
	assert_int_equal(d.nr_regions, 0);
}

static void test_region_merge_closest(void **state)
{
	/*
	 * 40 one-pixel clips in column 0 of a 1-pixel-wide fb whose stride is
	 * 2 pages, at rows chosen so that the gaps between their pages differ
	 * (3 pages for the first 8, 5 pages for the rest).  More than 16 clips:
	 * rectangles merge too, and the regions must follow the merged
	 * rectangles; the reference model checks the cover is minimal.
	 */
	static const unsigned int rows[40] = {
		0, 2, 4, 6, 8, 10, 12, 14,		/* gaps of 1 page */
		17, 20, 23, 26, 29, 32, 35, 38, 41, 44,	/* gaps of 3 pages */
		47, 50, 53, 56, 59, 62, 65, 68, 71, 74,
		77, 80, 83, 86, 89, 92, 95, 98, 101, 104,
	};
	struct pvdisplay_fb_layout fb = layout(2 * PAGE * 110, 0, 2 * PAGE, 1, 110, 4);
	struct pvdisplay_drect src = drect(0, 0, 1, 110);
	struct pvdisplay_damage d;
	struct clip c[40];
	unsigned int i;

	(void)state;
	for (i = 0; i < 40; i++)
		c[i] = (struct clip){ 0, rows[i], 1, rows[i] + 1 };
	/* 40 clips > 16 rects: rect merging happens too, regions must follow. */
	run(&fb, &src, c, 40, &d);
	assert_true(d.nr_regions <= PVDISPLAY_MAX_DAMAGE_REGIONS);

	/* Same gaps, but as a stride pattern of one tall narrow rect. */
	fb = layout(3 * PAGE * 40, 0, 3 * PAGE, 1, 40, 4);
	src = drect(0, 0, 1, 40);
	run(&fb, &src, &(struct clip){ 0, 0, 1, 40 }, 1, &d);
	assert_int_equal(d.nr_regions, 32);
	/* All gaps equal: the earliest ones are bridged first. */
	assert_int_equal(d.regions[0].start, 0);
	assert_int_equal(d.regions[0].end, 8 * 3 * PAGE + PAGE);
	for (i = 1; i < 32; i++)
		assert_int_equal(d.regions[i].start, (8 + i) * 3 * PAGE);

	/*
	 * Two one-pixel columns, pages 0 and 2 of an 8-page stride, 20 rows:
	 * runs at pages 8k and 8k + 2, so 20 one-page gaps and 19 five-page
	 * gaps.  39 gaps, 31 may stay: the 8 earliest one-page gaps go.
	 */
	fb = layout(8 * PAGE * 20, 0, 8 * PAGE, 8 * PAGE / 4, 20, 4);
	src = drect(0, 0, 8 * PAGE / 4, 20);
	run(&fb, &src, (struct clip[]){ { 0, 0, 1, 20 },
					{ 2 * PAGE / 4, 0, 2 * PAGE / 4 + 1, 20 } },
	    2, &d);
	assert_int_equal(d.nr_regions, 32);
	for (i = 0; i < 8; i++) {
		assert_int_equal(d.regions[i].start, 8 * i * PAGE);
		assert_int_equal(d.regions[i].end, (8 * i + 3) * PAGE);
	}
	for (i = 8; i < 20; i++) {
		const struct pvdisplay_span *a = &d.regions[8 + 2 * (i - 8)];

		assert_int_equal(a[0].start, 8 * i * PAGE);
		assert_int_equal(a[0].end, (8 * i + 1) * PAGE);
		assert_int_equal(a[1].start, (8 * i + 2) * PAGE);
		assert_int_equal(a[1].end, (8 * i + 3) * PAGE);
	}
}

static void test_rect_merge_limit(void **state)
{
	struct pvdisplay_fb_layout fb = layout(1024 * 4 * 768, 0, 1024 * 4, 1024, 768, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 768);
	struct pvdisplay_damage d;
	struct clip c[300];
	unsigned int i;

	(void)state;
	/* 17 clips: 16 far apart on a diagonal, one next to clip 3. */
	for (i = 0; i < 16; i++)
		c[i] = (struct clip){ i * 60, i * 45, i * 60 + 10, i * 45 + 10 };
	c[16] = (struct clip){ 3 * 60 + 10, 3 * 45, 3 * 60 + 20, 3 * 45 + 10 };
	run(&fb, &src, c, 17, &d);
	assert_int_equal(d.nr_rects, 16);
	/* The adjacent pair became one 20x10 rectangle, nothing else changed. */
	for (i = 0; i < d.nr_rects; i++)
		if (d.rects[i].x1 == 180 && d.rects[i].y1 == 135)
			break;
	assert_true(i < d.nr_rects);
	assert_int_equal(d.rects[i].x2, 200);
	assert_int_equal(d.rects[i].y2, 145);

	/* The 300-clip DIRTYFB pattern of igt-tests/kms_pvdisplay. */
	for (i = 0; i < 300; i++) {
		c[i].x1 = (i * 37) % (1024 - 8);
		c[i].y1 = (i * 53) % (768 - 8);
		c[i].x2 = c[i].x1 + 8;
		c[i].y2 = c[i].y1 + 8;
	}
	run(&fb, &src, c, 300, &d);
	assert_int_equal(d.nr_rects, 16);
}

/*
 * The merge cost is the pixels a bounding box adds to the union of its two
 * rectangles, counting their overlap once.  Two overlapping 100x100 squares
 * cost 5000; two 10x100 bars 25 pixels apart cost 3500, so the bars merge.
 * A cost that ignored the overlap (2500) or counted it twice would merge the
 * squares instead.
 */
static void test_rect_merge_cost_counts_overlap(void **state)
{
	static const unsigned int perm[13] = { 0, 5, 10, 2, 7, 12, 4, 9, 1, 6, 11, 3, 8 };
	struct pvdisplay_fb_layout fb = layout(1024 * 4 * 768, 0, 1024 * 4, 1024, 768, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 768);
	struct pvdisplay_damage d;
	struct clip c[17];
	unsigned int i, squares = 0, bars = 0;

	(void)state;
	c[0] = (struct clip){ 0, 0, 100, 100 };
	c[1] = (struct clip){ 50, 50, 150, 150 };
	c[2] = (struct clip){ 300, 0, 310, 100 };
	c[3] = (struct clip){ 345, 0, 355, 100 };
	/*
	 * 13 single pixels, every pair of which (and every pixel with a bar)
	 * has a bounding box of more than 5000 pixels: a permutation keeps
	 * neighbours in x far apart in y.
	 */
	for (i = 0; i < 13; i++)
		c[4 + i] = (struct clip){ 450 + 40 * i, 50 + 55 * perm[i],
					  451 + 40 * i, 51 + 55 * perm[i] };
	run(&fb, &src, c, 17, &d);
	assert_int_equal(d.nr_rects, 16);
	for (i = 0; i < d.nr_rects; i++) {
		const struct pvdisplay_drect *r = &d.rects[i];

		if ((r->x1 == 0 && r->y1 == 0 && r->x2 == 100 && r->y2 == 100) ||
		    (r->x1 == 50 && r->y1 == 50 && r->x2 == 150 && r->y2 == 150))
			squares++;
		if (r->x1 == 300 && r->y1 == 0 && r->x2 == 355 && r->y2 == 100)
			bars++;
	}
	assert_int_equal(squares, 2);
	assert_int_equal(bars, 1);
}

/*
 * Rows exactly one page apart (stride - width * cpp == 4096) and page
 * aligned: the page between two rows is never touched, so each row is a
 * region of its own.  Treating a gap of 4096 like a smaller one would report
 * the untouched pages too.
 */
static void test_stride_gap_of_one_page(void **state)
{
	struct pvdisplay_fb_layout fb = layout(8 * PAGE, 0, 2 * PAGE, 1024, 4, 4);
	struct pvdisplay_drect src = drect(0, 0, 1024, 4);
	struct pvdisplay_damage d;
	unsigned int i;

	(void)state;
	run(&fb, &src, &(struct clip){ 0, 0, 1024, 4 }, 1, &d);
	assert_int_equal(d.nr_regions, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(d.regions[i].start, i * 2 * PAGE);
		assert_int_equal(d.regions[i].end, i * 2 * PAGE + PAGE);
	}
}

/*
 * 16 tall narrow columns (3 pixels wide, 60 apart) in a framebuffer of
 * @height rows with a 5-page stride, column i from row i * @top down to
 * @height - 5 * i: one page run per row, thousands of row ranges.
 */
static void run_columns(uint32_t height, uint32_t top, uint64_t slack,
			struct pvdisplay_damage *d)
{
	struct pvdisplay_fb_layout fb = layout(0, 0, 5 * PAGE, 1000, height, 4);
	struct pvdisplay_drect src = drect(0, 0, 1000, height);
	struct clip c[16];
	unsigned int i;

	fb.res_size = fb_end(&fb);
	for (i = 0; i < 16; i++)
		c[i] = (struct clip){ i * 60, i * top, i * 60 + 3, height - i * 5 };
	run_slack(&fb, &src, c, 16, d, slack * fb.stride);
	assert_int_equal(d->nr_rects, 16);
}

static void test_region_count_limit(void **state)
{
	struct pvdisplay_damage d;

	(void)state;
	/* 3,040 rows in all: below the row bound, so the minimal cover. */
	run_columns(250, 3, 0, &d);
	assert_int_equal(d.nr_regions, 32);
}

static void test_row_bound(void **state)
{
	struct pvdisplay_damage d;

	(void)state;
	/*
	 * 8,160 rows, past the bound of 4,096 rows streamed.  The tallest
	 * columns become one range each: every damaged page is still
	 * reported, at most 31 strides more than the minimal cover.
	 */
	run_columns(600, 7, 31, &d);
	/* Streamed row by row, the 600 page runs would make 32 regions. */
	assert_true(d.nr_regions < 32);
}

/* ---- random cases against the reference model ---------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void test_random_vs_reference(void **state)
{
	unsigned int iter, i;
	struct pvdisplay_damage d;
	struct clip clips[48];

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (iter = 0; iter < 20000; iter++) {
		struct pvdisplay_fb_layout fb;
		struct pvdisplay_drect src;
		unsigned int n;
		uint64_t seed = rng_state;
		const char *why;

		fb.cpp = rnd_below(2) ? 4 : 2;
		fb.width = 1 + rnd_below(rnd_below(4) ? 96 : 1200);
		fb.height = 1 + rnd_below(96);
		switch (rnd_below(4)) {
		case 0:
			fb.stride = fb.width * fb.cpp;
			break;
		case 1:
			fb.stride = fb.width * fb.cpp + rnd_below(64);
			break;
		case 2:
			fb.stride = fb.width * fb.cpp + PAGE - 1 - rnd_below(8);
			break;
		default:
			fb.stride = fb.width * fb.cpp + rnd_below(3 * PAGE);
			break;
		}
		switch (rnd_below(4)) {
		case 0:
			fb.offset = 0;
			break;
		case 1:
			/* Pixels ending just past a page boundary. */
			fb.offset = (1 + rnd_below(3)) * PAGE - rnd_below(2 * fb.cpp);
			break;
		default:
			fb.offset = rnd_below(3 * PAGE);
			break;
		}
		fb.res_size = fb_end(&fb);
		switch (rnd_below(3)) {
		case 0:
			break;
		case 1:
			fb.res_size = (fb.res_size + PAGE - 1) / PAGE * PAGE;
			break;
		default:
			fb.res_size += rnd_below(2 * PAGE);
			break;
		}

		src.x1 = rnd_below(3) ? 0 : rnd_below(fb.width);
		src.y1 = rnd_below(3) ? 0 : rnd_below(fb.height);
		src.x2 = rnd_below(3) ? fb.width : src.x1 + 1 + rnd_below(fb.width - src.x1);
		src.y2 = rnd_below(3) ? fb.height : src.y1 + 1 + rnd_below(fb.height - src.y1);

		n = rnd_below(4) ? rnd_below(8) : rnd_below(48);
		for (i = 0; i < n; i++) {
			int64_t w = (int64_t)fb.width, h = (int64_t)fb.height;

			clips[i].x1 = (int64_t)rnd_below(w + 20) - 10;
			clips[i].y1 = (int64_t)rnd_below(h + 20) - 10;
			clips[i].x2 = clips[i].x1 + (int64_t)rnd_below(rnd_below(2) ? 8 : w + 10);
			clips[i].y2 = clips[i].y1 + (int64_t)rnd_below(rnd_below(2) ? 8 : h + 10);
		}

		pvdisplay_damage_init(&d, &src);
		for (i = 0; i < n; i++)
			pvdisplay_damage_add(&d, clips[i].x1, clips[i].y1,
					     clips[i].x2, clips[i].y2);
		if (pvdisplay_damage_finish(&d, &fb))
			fail_msg("iteration %u (seed %#llx): finish failed: fb %ux%u cpp %u stride %u offset %u size %llu src %u,%u-%u,%u",
				 iter, (unsigned long long)seed, fb.width, fb.height,
				 fb.cpp, fb.stride, fb.offset,
				 (unsigned long long)fb.res_size, src.x1, src.y1,
				 src.x2, src.y2);
		why = check_damage(&fb, &src, clips, n, &d, 0);
		if (why)
			fail_msg("iteration %u (seed %#llx, fb %ux%u cpp %u stride %u offset %u size %llu, %u clips): %s",
				 iter, (unsigned long long)seed, fb.width, fb.height,
				 fb.cpp, fb.stride, fb.offset,
				 (unsigned long long)fb.res_size, n, why);
	}
}

const struct CMUnitTest damage_tests[] = {
	cmocka_unit_test(test_layout_validation),
	cmocka_unit_test(test_empty_damage),
	cmocka_unit_test(test_full_width_single_region),
	cmocka_unit_test(test_stride_padding),
	cmocka_unit_test(test_fb_offset),
	cmocka_unit_test(test_last_row_and_column),
	cmocka_unit_test(test_region_at_resource_end),
	cmocka_unit_test(test_overlapping_rects),
	cmocka_unit_test(test_src_subrect),
	cmocka_unit_test(test_region_merge_closest),
	cmocka_unit_test(test_rect_merge_limit),
	cmocka_unit_test(test_rect_merge_cost_counts_overlap),
	cmocka_unit_test(test_stride_gap_of_one_page),
	cmocka_unit_test(test_region_count_limit),
	cmocka_unit_test(test_row_bound),
	cmocka_unit_test(test_random_vs_reference),
};

const size_t nr_damage_tests = sizeof(damage_tests) / sizeof(damage_tests[0]);
