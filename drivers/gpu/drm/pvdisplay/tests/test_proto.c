// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit tests of pvdisplay_proto.c: every request is compared byte by
 * byte with a hand-built little-endian image (so the test also fails on a
 * big-endian host if a conversion is missing), and the response parsers are
 * fed short, failed and implausible answers.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <asm/byteorder.h>

#include "pvdisplay_damage.h"
#include "pvdisplay_proto.h"
#include "unit.h"

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
	p[off + 2] = v >> 16;
	p[off + 3] = v >> 24;
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static void assert_bytes(const void *got, const uint8_t *want, size_t len)
{
	const uint8_t *g = got;
	size_t i;

	for (i = 0; i < len; i++)
		if (g[i] != want[i])
			fail_msg("byte %zu: got %#04x, want %#04x", i, g[i], want[i]);
}

static void test_encode_get_display_info(void **state)
{
	struct pvdisplay_ctrl_hdr hdr;
	uint8_t want[8] = { 0 };

	(void)state;
	memset(&hdr, 0xa5, sizeof(hdr));
	pvdisplay_encode_get_display_info(&hdr);
	put32(want, 0, 0x0100);
	assert_bytes(&hdr, want, sizeof(want));
}

static void test_encode_get_edid(void **state)
{
	struct pvdisplay_cmd_get_edid cmd;
	uint8_t want[16] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_get_edid(&cmd, 7);
	put32(want, 0, 0x0101);
	put32(want, 8, 7);
	assert_bytes(&cmd, want, sizeof(want));
}

static void test_encode_resource_create(void **state)
{
	struct pvdisplay_cmd_resource_create cmd;
	struct pvdisplay_mem_entry e;
	uint8_t want[24] = { 0 }, want_e[16] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_resource_create(&cmd, 0x12345678, 3, 0x3fff0000ULL);
	put32(want, 0, 0x0102);
	put32(want, 8, 0x12345678);
	put32(want, 12, 3);
	put64(want, 16, 0x3fff0000ULL);
	assert_bytes(&cmd, want, sizeof(want));
	assert_int_equal(sizeof(cmd), 24);

	memset(&e, 0xa5, sizeof(e));
	pvdisplay_encode_mem_entry(&e, 0x0000001234567000ULL, 0x00203000);
	put64(want_e, 0, 0x0000001234567000ULL);
	put32(want_e, 8, 0x00203000);
	assert_bytes(&e, want_e, sizeof(want_e));
}

static void test_encode_resource_destroy(void **state)
{
	struct pvdisplay_cmd_resource_destroy cmd;
	uint8_t want[16] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_resource_destroy(&cmd, 42);
	put32(want, 0, 0x0103);
	put32(want, 8, 42);
	assert_bytes(&cmd, want, sizeof(want));
}

static const struct pvdisplay_scanout scanout = {
	.head = 2, .resource_id = 9, .format = 0x34325258 /* XR24 */,
	.offset = 0x100, .stride = 7680, .fb_width = 1920, .fb_height = 1080,
	.src_x = 10, .src_y = 20, .src_width = 1280, .src_height = 720,
};

static void scanout_fixed_part(uint8_t *want, uint32_t nr_rects,
			       uint32_t nr_regions)
{
	put32(want, 0, 0x0104);
	put32(want, 4, 0);
	put32(want, 8, 2);
	put32(want, 12, 9);
	put32(want, 16, 0x34325258);
	put32(want, 20, 0x100);
	put32(want, 24, 7680);
	put32(want, 28, 1920);
	put32(want, 32, 1080);
	put32(want, 36, 10);
	put32(want, 40, 20);
	put32(want, 44, 1280);
	put32(want, 48, 720);
	put32(want, 52, nr_rects);
	put32(want, 56, nr_regions);
	put32(want, 60, 0);
}

static void test_encode_scanout_update(void **state)
{
	uint8_t buf[PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE];
	uint8_t want[64 + 2 * 16 + 3 * 16] = { 0 };
	struct pvdisplay_damage d = {
		.nr_rects = 2,
		.nr_regions = 3,
		.rects = { { 10, 20, 30, 60 }, { 1000, 700, 1290, 740 } },
		.regions = { { 0x1000, 0x3000 }, { 0x10000, 0x11000 },
			     { 0x7e9000, 0x7ea100 } },
	};
	size_t len;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	len = pvdisplay_encode_scanout_update(buf, &scanout, &d);
	assert_int_equal(len, sizeof(want));
	assert_int_equal(sizeof(struct pvdisplay_cmd_scanout_update), 64);

	scanout_fixed_part(want, 2, 3);
	put32(want, 64, 10);
	put32(want, 68, 20);
	put32(want, 72, 20);
	put32(want, 76, 40);
	put32(want, 80, 1000);
	put32(want, 84, 700);
	put32(want, 88, 290);
	put32(want, 92, 40);
	put64(want, 96, 0x1000);
	put64(want, 104, 0x2000);
	put64(want, 112, 0x10000);
	put64(want, 120, 0x1000);
	put64(want, 128, 0x7e9000);
	put64(want, 136, 0x1100);
	assert_bytes(buf, want, sizeof(want));
}

static void test_encode_scanout_full(void **state)
{
	uint8_t buf[PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE];
	uint8_t want[64] = { 0 };
	struct pvdisplay_damage d = { .nr_rects = 0, .nr_regions = 3 };

	(void)state;
	scanout_fixed_part(want, 0, 0);

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(pvdisplay_encode_scanout_update(buf, &scanout, NULL), 64);
	assert_bytes(buf, want, sizeof(want));

	/* No rectangles: regions must not be sent either. */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(pvdisplay_encode_scanout_update(buf, &scanout, &d), 64);
	assert_bytes(buf, want, sizeof(want));
}

static void test_encode_scanout_disable(void **state)
{
	uint8_t buf[PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE];
	uint8_t want[64] = { 0 };
	struct pvdisplay_scanout off = scanout;
	struct pvdisplay_damage d = {
		.nr_rects = 1, .nr_regions = 1,
		.rects = { { 0, 0, 1, 1 } }, .regions = { { 0, 4096 } },
	};

	(void)state;
	off.resource_id = 0;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(pvdisplay_encode_scanout_update(buf, &off, &d), 64);
	put32(want, 0, 0x0104);
	put32(want, 8, 2);
	assert_bytes(buf, want, sizeof(want));
}

static void test_encode_scanout_from_damage(void **state)
{
	/* End to end: damage computed for a real layout, then encoded. */
	struct pvdisplay_fb_layout fb = {
		.res_size = 7680 * 1080, .offset = 0, .stride = 7680,
		.width = 1920, .height = 1080, .cpp = 4,
	};
	struct pvdisplay_drect src = { 0, 0, 1920, 1080 };
	struct pvdisplay_scanout s = scanout;
	uint8_t buf[PVDISPLAY_SCANOUT_UPDATE_MAX_SIZE];
	struct pvdisplay_cmd_scanout_update *cmd = (void *)buf;
	struct pvdisplay_region *reg;
	struct pvdisplay_damage d;
	size_t len;

	(void)state;
	s.offset = 0;
	s.src_x = 0;
	s.src_y = 0;
	s.src_width = 1920;
	s.src_height = 1080;
	pvdisplay_damage_init(&d, &src);
	pvdisplay_damage_add(&d, 1919, 1079, 1920, 1080);
	assert_int_equal(pvdisplay_damage_finish(&d, &fb), 0);
	len = pvdisplay_encode_scanout_update(buf, &s, &d);
	assert_int_equal(len, 64 + 16 + 16);
	assert_int_equal(__le32_to_cpu(cmd->nr_rects), 1);
	assert_int_equal(__le32_to_cpu(cmd->nr_regions), 1);
	reg = (struct pvdisplay_region *)(buf + 64 + 16);
	/* The last pixel's page, ending exactly at the resource end. */
	assert_int_equal(__le64_to_cpu(reg->offset) + __le64_to_cpu(reg->length),
			 7680 * 1080);
	assert_int_equal(__le64_to_cpu(reg->offset) % 4096, 0);
}

static void test_resp_check(void **state)
{
	struct pvdisplay_resp_hdr hdr = { 0 };

	(void)state;
	assert_int_equal(pvdisplay_resp_check(&hdr, sizeof(hdr), sizeof(hdr)), 0);
	assert_int_equal(pvdisplay_resp_check(&hdr, 7, sizeof(hdr)), -EPROTO);
	assert_int_equal(pvdisplay_resp_check(&hdr, 0, sizeof(hdr)), -EPROTO);
	/* OK but shorter than the full response. */
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 16), -EPROTO);

	hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY);
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 16), -ENOMEM);
	hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_INVALID_PARAMETER);
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 8), -EINVAL);
	hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_INVALID_RESOURCE);
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 8), -ENOENT);
	hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_UNSUPPORTED);
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 8), -EOPNOTSUPP);
	hdr.status = __cpu_to_le32(0xdeadbeef);
	assert_int_equal(pvdisplay_resp_check(&hdr, 8, 8), -EIO);
}

static void test_parse_display_info(void **state)
{
	struct pvdisplay_resp_display_info r;
	struct pvdisplay_head_state heads[PVDISPLAY_MAX_HEADS];
	unsigned int fixups = 99;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.num_heads = __cpu_to_le32(3);
	r.heads[0].flags = __cpu_to_le32(PVDISPLAY_HEAD_CONNECTED | 0x80);
	r.heads[0].width = __cpu_to_le32(1280);
	r.heads[0].height = __cpu_to_le32(800);
	r.heads[0].x = __cpu_to_le32(0);
	r.heads[0].refresh_mhz = __cpu_to_le32(75000);
	r.heads[0].width_mm = __cpu_to_le32(300);
	r.heads[0].height_mm = __cpu_to_le32(200);
	/* Head 1: too big, no refresh, absurd position and size. */
	r.heads[1].flags = __cpu_to_le32(PVDISPLAY_HEAD_CONNECTED);
	r.heads[1].width = __cpu_to_le32(5000);
	r.heads[1].height = __cpu_to_le32(100);
	r.heads[1].x = __cpu_to_le32(0xffffffff);
	r.heads[1].width_mm = __cpu_to_le32(1000000);
	/* Head 2: disconnected, half-known size, silly refresh. */
	r.heads[2].width = __cpu_to_le32(640);
	r.heads[2].refresh_mhz = __cpu_to_le32(5);

	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 3, 4096, 2160,
						      heads, &fixups), 0);
	assert_true(heads[0].connected);
	assert_int_equal(heads[0].width, 1280);
	assert_int_equal(heads[0].height, 800);
	assert_int_equal(heads[0].refresh_mhz, 75000);
	assert_int_equal(heads[0].width_mm, 300);
	assert_int_equal(heads[0].height_mm, 200);

	assert_true(heads[1].connected);
	assert_int_equal(heads[1].width, 0);
	assert_int_equal(heads[1].height, 0);
	assert_int_equal(heads[1].refresh_mhz, PVDISPLAY_DEFAULT_REFRESH_MHZ);
	assert_int_equal(heads[1].x, 0);
	assert_int_equal(heads[1].width_mm, 0);

	assert_false(heads[2].connected);
	assert_int_equal(heads[2].width, 0);
	assert_int_equal(heads[2].refresh_mhz, PVDISPLAY_DEFAULT_REFRESH_MHZ);
	/* 1: size, position, mm; 2: half size, refresh. */
	assert_int_equal(fixups, 5);

	/* Count mismatch, short answers and errors are refused whole. */
	heads[0].width = 1;
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 2, 4096, 2160,
						      heads, &fixups), -EPROTO);
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r) - 1, 3, 4096,
						      2160, heads, &fixups), -EPROTO);
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 17, 4096, 2160,
						      heads, &fixups), -EPROTO);
	r.num_heads = 0;
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 0, 4096, 2160,
						      heads, &fixups), -EPROTO);
	r.num_heads = __cpu_to_le32(3);
	r.hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_UNSPEC);
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 3, 4096, 2160,
						      heads, &fixups), -EIO);
	assert_int_equal(heads[0].width, 1);
}

/*
 * One head, each bound checked on its own and on both sides: a validation
 * that checked only one axis, or only one end of a range, would pass the
 * test above.
 */
static struct pvdisplay_head_state parse_one(struct pvdisplay_head_info in,
					     unsigned int *fixups)
{
	struct pvdisplay_resp_display_info r;
	struct pvdisplay_head_state heads[PVDISPLAY_MAX_HEADS];

	memset(&r, 0, sizeof(r));
	memset(heads, 0xa5, sizeof(heads));
	r.num_heads = __cpu_to_le32(1);
	r.heads[0] = in;
	assert_int_equal(pvdisplay_parse_display_info(&r, sizeof(r), 1, 4096, 2160,
						      heads, fixups), 0);
	return heads[0];
}

static struct pvdisplay_head_info head_info(u32 flags, u32 w, u32 h, u32 x,
					    u32 y, u32 mhz, u32 wmm, u32 hmm)
{
	return (struct pvdisplay_head_info) {
		.flags = __cpu_to_le32(flags),
		.width = __cpu_to_le32(w),
		.height = __cpu_to_le32(h),
		.x = __cpu_to_le32(x),
		.y = __cpu_to_le32(y),
		.refresh_mhz = __cpu_to_le32(mhz),
		.width_mm = __cpu_to_le32(wmm),
		.height_mm = __cpu_to_le32(hmm),
	};
}

static void test_parse_display_info_bounds(void **state)
{
	const u32 c = PVDISPLAY_HEAD_CONNECTED, maxpos = PVDISPLAY_MAX_POSITION;
	struct pvdisplay_head_state h;
	unsigned int fixups;

	(void)state;
	/* Every value at its largest accepted value: nothing replaced. */
	h = parse_one(head_info(c, 4096, 2160, maxpos, maxpos,
				PVDISPLAY_MAX_REFRESH_MHZ, PVDISPLAY_MAX_SIZE_MM,
				PVDISPLAY_MAX_SIZE_MM), &fixups);
	assert_int_equal(fixups, 0);
	assert_true(h.connected);
	assert_int_equal(h.width, 4096);
	assert_int_equal(h.height, 2160);
	assert_int_equal(h.x, maxpos);
	assert_int_equal(h.y, maxpos);
	assert_int_equal(h.refresh_mhz, PVDISPLAY_MAX_REFRESH_MHZ);
	assert_int_equal(h.width_mm, PVDISPLAY_MAX_SIZE_MM);
	assert_int_equal(h.height_mm, PVDISPLAY_MAX_SIZE_MM);

	/* ... and at the smallest. */
	h = parse_one(head_info(c, 1, 1, 0, 0, PVDISPLAY_MIN_REFRESH_MHZ, 1, 1),
		      &fixups);
	assert_int_equal(fixups, 0);
	assert_int_equal(h.width, 1);
	assert_int_equal(h.height, 1);
	assert_int_equal(h.refresh_mhz, PVDISPLAY_MIN_REFRESH_MHZ);

	/* Height alone too big: the size is unknown. */
	h = parse_one(head_info(c, 1024, 2161, 0, 0, 60000, 0, 0), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.width, 0);
	assert_int_equal(h.height, 0);
	/* Width alone too big. */
	h = parse_one(head_info(c, 4097, 768, 0, 0, 60000, 0, 0), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.width, 0);
	assert_int_equal(h.height, 0);
	/* Height alone unknown. */
	h = parse_one(head_info(c, 1024, 0, 0, 0, 60000, 0, 0), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.width, 0);

	/* Refresh just above the maximum and just below the minimum. */
	h = parse_one(head_info(c, 1024, 768, 0, 0, PVDISPLAY_MAX_REFRESH_MHZ + 1,
				0, 0), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.refresh_mhz, PVDISPLAY_DEFAULT_REFRESH_MHZ);
	h = parse_one(head_info(c, 1024, 768, 0, 0, PVDISPLAY_MIN_REFRESH_MHZ - 1,
				0, 0), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.refresh_mhz, PVDISPLAY_DEFAULT_REFRESH_MHZ);
	/* Zero refresh means "not reported": replaced, not a fixup. */
	h = parse_one(head_info(c, 1024, 768, 0, 0, 0, 0, 0), &fixups);
	assert_int_equal(fixups, 0);
	assert_int_equal(h.refresh_mhz, PVDISPLAY_DEFAULT_REFRESH_MHZ);

	/* y alone beyond the largest layout: the position is unknown. */
	h = parse_one(head_info(c, 1024, 768, 1024, maxpos + 1, 60000, 0, 0),
		      &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.x, 0);
	assert_int_equal(h.y, 0);
	h = parse_one(head_info(c, 1024, 768, maxpos + 1, 768, 60000, 0, 0),
		      &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.x, 0);
	assert_int_equal(h.y, 0);

	/* height_mm alone above 10 m: the physical size is unknown. */
	h = parse_one(head_info(c, 1024, 768, 0, 0, 60000, 300,
				PVDISPLAY_MAX_SIZE_MM + 1), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.width_mm, 0);
	assert_int_equal(h.height_mm, 0);
	h = parse_one(head_info(c, 1024, 768, 0, 0, 60000,
				PVDISPLAY_MAX_SIZE_MM + 1, 200), &fixups);
	assert_int_equal(fixups, 1);
	assert_int_equal(h.width_mm, 0);
	assert_int_equal(h.height_mm, 0);

	/* Only the CONNECTED bit means connected, not any flag. */
	h = parse_one(head_info(0xfffffffe, 1024, 768, 0, 0, 60000, 0, 0), &fixups);
	assert_false(h.connected);
	h = parse_one(head_info(0, 1024, 768, 0, 0, 60000, 0, 0), &fixups);
	assert_false(h.connected);
	h = parse_one(head_info(c, 1024, 768, 0, 0, 60000, 0, 0), &fixups);
	assert_true(h.connected);
}

/* Every status the protocol defines maps to its own errno. */
static void test_status_to_errno(void **state)
{
	(void)state;
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_OK), 0);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_UNSPEC), -EIO);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_UNSUPPORTED),
			 -EOPNOTSUPP);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_INVALID_RESOURCE),
			 -ENOENT);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_INVALID_HEAD),
			 -EINVAL);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_INVALID_PARAMETER),
			 -EINVAL);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY),
			 -ENOMEM);
	/* Unknown statuses, including ones next to known values. */
	assert_int_equal(pvdisplay_status_to_errno(1), -EIO);
	assert_int_equal(pvdisplay_status_to_errno(PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY + 1),
			 -EIO);
	assert_int_equal(pvdisplay_status_to_errno(0xffffffff), -EIO);
}

static void test_parse_edid(void **state)
{
	struct pvdisplay_resp_edid r;
	uint32_t size = 99;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.size = __cpu_to_le32(256);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), 0);
	assert_int_equal(size, 256);

	r.size = 0;
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), 0);
	assert_int_equal(size, 0);

	size = 99;
	r.size = __cpu_to_le32(100);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EPROTO);
	r.size = __cpu_to_le32(1152);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EPROTO);
	r.size = __cpu_to_le32(0x80000000);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EPROTO);
	r.size = __cpu_to_le32(128);
	assert_int_equal(pvdisplay_parse_edid(&r, 16 + 128, &size), -EPROTO);

	/* The base block counts more extensions than were sent. */
	r.size = __cpu_to_le32(256);
	r.edid[126] = 2;
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EPROTO);
	r.size = __cpu_to_le32(128);
	r.edid[126] = 1;
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EPROTO);
	/* Exactly as many, or more (HF-EEODB counts the rest): accepted. */
	r.size = __cpu_to_le32(256);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), 0);
	assert_int_equal(size, 256);
	r.size = __cpu_to_le32(512);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), 0);
	assert_int_equal(size, 512);
	r.edid[126] = 0;

	size = 99;
	r.hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_UNSUPPORTED);
	assert_int_equal(pvdisplay_parse_edid(&r, sizeof(r), &size), -EOPNOTSUPP);
	assert_int_equal(size, 99);
}

static void test_encode_cursor_set(void **state)
{
	const struct pvdisplay_cursor_image img = {
		.head = 3, .resource_id = 17, .format = 0x34325241 /* AR24 */,
		.offset = 0x2040, .stride = 256, .width = 64, .height = 48,
		.hot_x = 5, .hot_y = 47, .x = -12, .y = 2000,
	};
	struct pvdisplay_cmd_cursor_set cmd;
	uint8_t want[56] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_cursor_set(&cmd, &img);
	put32(want, 0, 0x0200);
	put32(want, 8, 3);
	put32(want, 12, 17);
	put32(want, 16, 0x34325241);
	put32(want, 20, 0x2040);
	put32(want, 24, 256);
	put32(want, 28, 64);
	put32(want, 32, 48);
	put32(want, 36, 5);
	put32(want, 40, 47);
	put32(want, 44, 0xfffffff4);	/* -12, two's complement */
	put32(want, 48, 2000);
	assert_int_equal(sizeof(cmd), sizeof(want));
	assert_bytes(&cmd, want, sizeof(want));
}

/* Hiding sends the head only, whatever else the image says. */
static void test_encode_cursor_hide(void **state)
{
	const struct pvdisplay_cursor_image img = {
		.head = 1, .format = 0x34325241, .width = 64, .height = 64,
		.hot_x = 1, .x = 7, .y = -7,
	};
	struct pvdisplay_cmd_cursor_set cmd;
	uint8_t want[56] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_cursor_set(&cmd, &img);
	put32(want, 0, 0x0200);
	put32(want, 8, 1);
	assert_bytes(&cmd, want, sizeof(want));
}

static void test_encode_cursor_move(void **state)
{
	struct pvdisplay_cmd_cursor_move cmd;
	uint8_t want[24] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_cursor_move(&cmd, 15, -1, INT32_MIN);
	put32(want, 0, 0x0201);
	put32(want, 8, 15);
	put32(want, 12, 0xffffffff);
	put32(want, 16, 0x80000000);
	assert_int_equal(sizeof(cmd), sizeof(want));
	assert_bytes(&cmd, want, sizeof(want));
}

static void test_encode_get_crc(void **state)
{
	struct pvdisplay_cmd_get_crc cmd;
	uint8_t want[24] = { 0 };

	(void)state;
	memset(&cmd, 0xa5, sizeof(cmd));
	pvdisplay_encode_get_crc(&cmd, 2, 1920, 1080);
	put32(want, 0, 0x0105);
	put32(want, 8, 2);
	put32(want, 12, 1920);
	put32(want, 16, 1080);
	assert_bytes(&cmd, want, sizeof(want));
}

static void test_parse_crc(void **state)
{
	struct pvdisplay_resp_crc r = { 0 };
	u32 crc = 7;

	(void)state;
	r.crc = __cpu_to_le32(0xdeadbeef);
	assert_int_equal(pvdisplay_parse_crc(&r, sizeof(r), &crc), 0);
	assert_int_equal(crc, 0xdeadbeef);
	crc = 7;
	assert_int_equal(pvdisplay_parse_crc(&r, sizeof(r) - 1, &crc), -EPROTO);
	assert_int_equal(crc, 7);
	r.hdr.status = __cpu_to_le32(PVDISPLAY_STATUS_ERR_INVALID_HEAD);
	assert_int_not_equal(pvdisplay_parse_crc(&r, sizeof(r), &crc), 0);
	assert_int_equal(crc, 7);
}

const struct CMUnitTest proto_tests[] = {
	cmocka_unit_test(test_encode_get_display_info),
	cmocka_unit_test(test_encode_get_edid),
	cmocka_unit_test(test_encode_resource_create),
	cmocka_unit_test(test_encode_resource_destroy),
	cmocka_unit_test(test_encode_scanout_update),
	cmocka_unit_test(test_encode_scanout_full),
	cmocka_unit_test(test_encode_scanout_disable),
	cmocka_unit_test(test_encode_scanout_from_damage),
	cmocka_unit_test(test_encode_cursor_set),
	cmocka_unit_test(test_encode_cursor_hide),
	cmocka_unit_test(test_encode_cursor_move),
	cmocka_unit_test(test_encode_get_crc),
	cmocka_unit_test(test_parse_crc),
	cmocka_unit_test(test_resp_check),
	cmocka_unit_test(test_parse_display_info),
	cmocka_unit_test(test_parse_display_info_bounds),
	cmocka_unit_test(test_status_to_errno),
	cmocka_unit_test(test_parse_edid),
};

const size_t nr_proto_tests = sizeof(proto_tests) / sizeof(proto_tests[0]);
