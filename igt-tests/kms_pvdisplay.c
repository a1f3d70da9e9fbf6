// SPDX-License-Identifier: MIT
/*
 * kms_pvdisplay: KMS behaviour of the pvdisplay driver that a guest can
 * check on its own (what the host shows is checked by tests/integration).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "lib/pvd_igt.h"
#include "lib/pvd_kms.h"

static const struct { unsigned int w, h; } test_modes[] = {
	{ 640, 480 }, { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 },
};

static int open_or_skip(struct pvd_pipe *pipe)
{
	int fd = pvd_open();

	pvd_require(fd >= 0);
	pvd_assert_f(!pvd_find_pipe(fd, 0, pipe), "no CRTC/plane for connector 0");
	return fd;
}

static bool fits(int fd, unsigned int w, unsigned int h)
{
	drmModeResPtr res = drmModeGetResources(fd);
	bool ok = res && w <= res->max_width && h <= res->max_height;

	drmModeFreeResources(res);
	return ok;
}

static void test_connector_modes(void)
{
	struct pvd_pipe pipe;
	drmModeConnectorPtr conn;
	const char *expect = getenv("PVD_EXPECT_PREFERRED");
	int fd = open_or_skip(&pipe), preferred = 0, m;
	unsigned int i;

	conn = drmModeGetConnector(fd, pipe.connector_id);
	pvd_assert(conn);
	pvd_assert_f(conn->connection == DRM_MODE_CONNECTED,
		     "connector 0 is not connected (%d)", conn->connection);
	pvd_assert_f(conn->count_modes > 0, "connector has no modes");
	for (m = 0; m < conn->count_modes; m++)
		preferred += !!(conn->modes[m].type & DRM_MODE_TYPE_PREFERRED);
	pvd_assert_eq(preferred, 1);

	for (i = 0; i < sizeof(test_modes) / sizeof(test_modes[0]); i++) {
		drmModeModeInfo mode;

		if (!fits(fd, test_modes[i].w, test_modes[i].h))
			continue;
		pvd_assert_f(!pvd_find_mode(fd, pipe.connector_id, test_modes[i].w,
					    test_modes[i].h, &mode),
			     "mode %ux%u missing", test_modes[i].w, test_modes[i].h);
	}
	if (expect) {
		char want[32];

		snprintf(want, sizeof(want), "%ux%u", pipe.mode.hdisplay,
			 pipe.mode.vdisplay);
		pvd_assert_f(!strcmp(want, expect), "preferred mode %s, expected %s",
			     want, expect);
	}
	drmModeFreeConnector(conn);
}

static void test_plane_formats(void)
{
	struct pvd_pipe pipe;
	int fd = open_or_skip(&pipe);
	drmModePlanePtr plane = drmModeGetPlane(fd, pipe.plane_id);
	bool xrgb = false, argb = false;
	uint32_t i;

	pvd_assert(plane);
	for (i = 0; i < plane->count_formats; i++) {
		xrgb |= plane->formats[i] == DRM_FORMAT_XRGB8888;
		argb |= plane->formats[i] == DRM_FORMAT_ARGB8888;
	}
	pvd_assert_f(xrgb && argb, "primary plane lacks XRGB8888 or ARGB8888");
	drmModeFreePlane(plane);
}

static void test_damage_clips_property(void)
{
	struct pvd_pipe pipe;
	int fd = open_or_skip(&pipe);

	pvd_assert_f(pvd_prop_id(fd, pipe.plane_id, DRM_MODE_OBJECT_PLANE,
				 "FB_DAMAGE_CLIPS"),
		     "primary plane has no FB_DAMAGE_CLIPS property");
}

static void test_modeset_test_modes(void)
{
	struct pvd_pipe pipe;
	int fd = open_or_skip(&pipe), done = 0;
	unsigned int i;

	for (i = 0; i < sizeof(test_modes) / sizeof(test_modes[0]); i++) {
		drmModeModeInfo mode;
		drmModeCrtcPtr crtc;
		struct pvd_fb fb;
		unsigned int seq;
		int ret;

		if (!fits(fd, test_modes[i].w, test_modes[i].h) ||
		    pvd_find_mode(fd, pipe.connector_id, test_modes[i].w,
				  test_modes[i].h, &mode))
			continue;
		pvd_assert_eq(pvd_fb_create(fd, mode.hdisplay, mode.vdisplay,
					    DRM_FORMAT_XRGB8888, &fb), 0);
		pvd_fb_fill(&fb, 0, 0, fb.width, fb.height, 0x203040 + i);
		ret = pvd_commit(fd, &pipe, &mode, &fb, NULL, 0,
				 DRM_MODE_PAGE_FLIP_EVENT, NULL);
		pvd_assert_f(!ret, "modeset %ux%u: %s", mode.hdisplay, mode.vdisplay,
			     strerror(-ret));
		pvd_assert_f(pvd_wait_event(fd, 2000, &seq, NULL) == 1,
			     "no flip event after modeset %ux%u", mode.hdisplay,
			     mode.vdisplay);
		crtc = drmModeGetCrtc(fd, pipe.crtc_id);
		pvd_assert(crtc && crtc->mode_valid);
		pvd_assert_eq(crtc->mode.hdisplay, mode.hdisplay);
		pvd_assert_eq(crtc->mode.vdisplay, mode.vdisplay);
		pvd_assert_eq(crtc->buffer_id, fb.fb_id);
		drmModeFreeCrtc(crtc);
		pvd_assert_eq(pvd_disable(fd, &pipe), 0);
		pvd_fb_destroy(fd, &fb);
		done++;
	}
	pvd_assert_f(done > 0, "none of the test modes is available");
}

static void setup_pipe(int fd, struct pvd_pipe *pipe, struct pvd_fb *fb)
{
	int ret;

	pvd_assert_eq(pvd_fb_create(fd, pipe->mode.hdisplay, pipe->mode.vdisplay,
				    DRM_FORMAT_XRGB8888, fb), 0);
	ret = pvd_commit(fd, pipe, &pipe->mode, fb, NULL, 0, 0, NULL);
	pvd_assert_f(!ret, "modeset: %s", strerror(-ret));
}

static uint64_t frame_us(const struct pvd_pipe *pipe)
{
	uint64_t t = (uint64_t)pipe->mode.htotal * pipe->mode.vtotal;

	return pipe->mode.clock ? t * 1000 / pipe->mode.clock : 16667;
}

static void test_flip_events(void)
{
	struct pvd_pipe pipe;
	struct pvd_fb fb[2];
	int fd = open_or_skip(&pipe), i;
	unsigned int seq, last_seq = 0;
	uint64_t ts, last_ts = 0, period = frame_us(&pipe), frames, gap;

	setup_pipe(fd, &pipe, &fb[0]);
	pvd_assert_eq(pvd_fb_create(fd, pipe.mode.hdisplay, pipe.mode.vdisplay,
				    DRM_FORMAT_XRGB8888, &fb[1]), 0);
	for (i = 0; i < 12; i++) {
		int ret = pvd_commit(fd, &pipe, NULL, &fb[i & 1], NULL, 0,
				     DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK,
				     NULL);

		pvd_assert_f(!ret, "flip %d: %s", i, strerror(-ret));
		pvd_assert_f(pvd_wait_event(fd, 2000, &seq, &ts) == 1,
			     "flip %d: no event", i);
		if (i) {
			pvd_assert_f(seq > last_seq, "sequence %u after %u", seq, last_seq);
			pvd_assert_f(ts > last_ts, "timestamp went back");
			/*
			 * Events are stamped on vblank boundaries: a whole
			 * number of frames apart, one per sequence number.
			 */
			frames = seq - last_seq;
			gap = ts - last_ts;
			pvd_assert_f(gap >= frames * period * 95 / 100 &&
				     gap <= frames * period * 105 / 100,
				     "flips %u frames and %llu us apart, frame is %llu us",
				     (unsigned int)frames, (unsigned long long)gap,
				     (unsigned long long)period);
		}
		last_seq = seq;
		last_ts = ts;
	}
}

/*
 * Asynchronous flips (DRM_MODE_PAGE_FLIP_ASYNC) complete when the device
 * has answered, not at the next vblank: back to back, many land in one
 * frame.  Their events still carry the frame's sequence number and
 * timestamp, which never go back.
 */
static void test_async_flips(void)
{
	const unsigned int flips = 60;
	struct pvd_pipe pipe;
	struct pvd_fb fb[2];
	int fd = open_or_skip(&pipe), ret;
	unsigned int i, seq, first_seq = 0, last_seq = 0;
	uint64_t cap = 0, ts, last_ts = 0;

	pvd_assert_f(!drmGetCap(fd, DRM_CAP_ASYNC_PAGE_FLIP, &cap) && cap == 1,
		     "DRM_CAP_ASYNC_PAGE_FLIP is not 1");
	pvd_assert_f(!drmGetCap(fd, DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP, &cap) && cap == 1,
		     "DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP is not 1");
	setup_pipe(fd, &pipe, &fb[0]);
	pvd_assert_eq(pvd_fb_create(fd, pipe.mode.hdisplay, pipe.mode.vdisplay,
				    DRM_FORMAT_XRGB8888, &fb[1]), 0);
	for (i = 0; i < flips; i++) {
		/* The last two through the legacy ioctl. */
		if (i < flips - 2)
			ret = pvd_commit(fd, &pipe, NULL, &fb[(i + 1) & 1], NULL, 0,
					 DRM_MODE_PAGE_FLIP_ASYNC |
					 DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, NULL);
		else
			ret = drmModePageFlip(fd, pipe.crtc_id, fb[(i + 1) & 1].fb_id,
					      DRM_MODE_PAGE_FLIP_ASYNC |
					      DRM_MODE_PAGE_FLIP_EVENT, NULL) ? -errno : 0;
		pvd_assert_f(!ret, "async flip %u: %s", i, strerror(-ret));
		pvd_assert_f(pvd_wait_event(fd, 2000, &seq, &ts) == 1,
			     "async flip %u: no event", i);
		if (!i)
			first_seq = seq;
		else
			pvd_assert_f(seq >= last_seq && ts >= last_ts,
				     "flip %u: sequence %u after %u, or timestamp went back",
				     i, seq, last_seq);
		last_seq = seq;
		last_ts = ts;
	}
	/* Flips paced by the vblank would span flips - 1 frames at least. */
	pvd_assert_f(last_seq - first_seq < flips * 3 / 4,
		     "%u async flips spanned %u frames: they waited for vblanks",
		     flips, last_seq - first_seq);
}

static void test_vblank_wait(void)
{
	struct pvd_pipe pipe;
	struct pvd_fb fb;
	int fd = open_or_skip(&pipe), i;
	unsigned int first = 0;
	uint64_t period = frame_us(&pipe);
	struct timespec a, b;
	uint64_t first_us = 0, last_us, per_frame;
	drmVBlank vbl;

	setup_pipe(fd, &pipe, &fb);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 10; i++) {
		memset(&vbl, 0, sizeof(vbl));
		vbl.request.type = DRM_VBLANK_RELATIVE |
			(pipe.crtc_index << DRM_VBLANK_HIGH_CRTC_SHIFT);
		vbl.request.sequence = 1;
		pvd_assert_f(!drmWaitVBlank(fd, &vbl), "wait vblank: %s", strerror(errno));
		if (!i) {
			first = vbl.reply.sequence;
			first_us = vbl.reply.tval_sec * 1000000ull + vbl.reply.tval_usec;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pvd_assert_f(vbl.reply.sequence >= first + 9, "sequence %u after %u",
		     vbl.reply.sequence, first);
	/* Ten waits cannot be faster than nine frames. */
	pvd_assert_f((b.tv_sec - a.tv_sec) * 1000000ll + (b.tv_nsec - a.tv_nsec) / 1000 >=
		     (long long)(9 * period * 9 / 10), "vblanks come too fast");
	/*
	 * And the vblank clock runs at the mode's rate, neither faster nor
	 * slower: the kernel's own timestamps, which a loaded host delays
	 * only in delivery, advance by one frame per sequence number.
	 */
	last_us = vbl.reply.tval_sec * 1000000ull + vbl.reply.tval_usec;
	per_frame = (last_us - first_us) / (vbl.reply.sequence - first);
	pvd_assert_f(per_frame >= period * 95 / 100 && per_frame <= period * 105 / 100,
		     "vblank timestamps %llu us apart per frame, the mode's frame is %llu us",
		     (unsigned long long)per_frame, (unsigned long long)period);
}

static void test_dirtyfb_many_clips(void)
{
	struct pvd_pipe pipe;
	struct pvd_fb fb;
	drmModeClip clips[256];	/* DIRTYFB's maximum */
	int fd = open_or_skip(&pipe), i;

	setup_pipe(fd, &pipe, &fb);
	for (i = 0; i < 256; i++) {
		clips[i].x1 = (i * 37) % (fb.width - 8);
		clips[i].y1 = (i * 53) % (fb.height - 8);
		clips[i].x2 = clips[i].x1 + 8;
		clips[i].y2 = clips[i].y1 + 8;
	}
	pvd_fb_fill(&fb, 0, 0, fb.width, fb.height, 0x336699);
	pvd_assert_f(!drmModeDirtyFB(fd, fb.fb_id, clips, 256), "DIRTYFB: %s",
		     strerror(errno));
}

static void test_damage_outside_view(void)
{
	struct pvd_pipe pipe;
	struct pvd_fb fb;
	struct drm_mode_rect clip;
	int fd = open_or_skip(&pipe), ret;

	/* A framebuffer larger than the mode; the plane shows its top left. */
	pvd_assert_eq(pvd_fb_create(fd, pipe.mode.hdisplay + 64, pipe.mode.vdisplay + 64,
				    DRM_FORMAT_XRGB8888, &fb), 0);
	ret = pvd_commit(fd, &pipe, &pipe.mode, &fb, NULL, 0, 0, NULL);
	pvd_assert_f(!ret, "modeset: %s", strerror(-ret));

	/* Inside the framebuffer, outside what is shown: nothing to do. */
	clip = (struct drm_mode_rect){ pipe.mode.hdisplay + 8, pipe.mode.vdisplay + 8,
				       pipe.mode.hdisplay + 40, pipe.mode.vdisplay + 40 };
	ret = pvd_commit(fd, &pipe, NULL, &fb, &clip, 1, 0, NULL);
	pvd_assert_f(!ret, "clip outside the source rectangle: %s", strerror(-ret));

	/* Straddling the edge of what is shown. */
	clip = (struct drm_mode_rect){ pipe.mode.hdisplay - 8, 0,
				       pipe.mode.hdisplay + 8, 16 };
	ret = pvd_commit(fd, &pipe, NULL, &fb, &clip, 1, 0, NULL);
	pvd_assert_f(!ret, "clip across the source edge: %s", strerror(-ret));

	/* Outside the framebuffer: the DRM core refuses it. */
	clip = (struct drm_mode_rect){ -100, -100, 50, 50 };
	ret = pvd_commit(fd, &pipe, NULL, &fb, &clip, 1, 0, NULL);
	pvd_assert_eq(ret, -EINVAL);
	pvd_fb_destroy(fd, &fb);
}

static void test_bad_buffers(void)
{
	struct pvd_pipe pipe;
	uint32_t handle, pitch, fb_id;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t size;
	struct pvd_fb fb;
	int fd = open_or_skip(&pipe);

	pvd_assert_f(drmModeCreateDumbBuffer(fd, 1u << 20, 1u << 20, 32, 0, &handle,
					     &pitch, &size),
		     "a 1M x 1M dumb buffer was created");
	pvd_assert_eq(pvd_fb_create(fd, 64, 64, DRM_FORMAT_XRGB8888, &fb), 0);
	handles[0] = fb.handle;
	pitches[0] = 64 * 4 - 4;
	pvd_assert_f(drmModeAddFB2(fd, 64, 64, DRM_FORMAT_XRGB8888, handles, pitches,
				   offsets, &fb_id, 0),
		     "framebuffer with a too-small pitch was accepted");
	pitches[0] = fb.pitch;
	offsets[0] = fb.size;
	pvd_assert_f(drmModeAddFB2(fd, 64, 64, DRM_FORMAT_XRGB8888, handles, pitches,
				   offsets, &fb_id, 0),
		     "framebuffer beyond its buffer's end was accepted");
	offsets[0] = 0;
	pvd_assert_f(drmModeAddFB2(fd, 64, 64, DRM_FORMAT_NV12, handles, pitches,
				   offsets, &fb_id, 0),
		     "NV12 framebuffer was accepted");
	pvd_fb_destroy(fd, &fb);
}

static const struct pvd_subtest tests[] = {
	{ "connector-modes", "connected, one preferred mode, the test modes listed",
	  test_connector_modes },
	{ "plane-formats", "primary plane offers XRGB8888 and ARGB8888",
	  test_plane_formats },
	{ "damage-clips-property", "primary plane has FB_DAMAGE_CLIPS",
	  test_damage_clips_property },
	{ "modeset-test-modes", "640x480 .. 3840x2160 modesets complete with an event",
	  test_modeset_test_modes },
	{ "flip-events", "flip events: increasing sequence and vblank timestamps",
	  test_flip_events },
	{ "async-flips", "asynchronous flips complete without waiting for a vblank",
	  test_async_flips },
	{ "vblank-wait", "drmWaitVBlank follows the mode's refresh rate",
	  test_vblank_wait },
	{ "dirtyfb-many-clips", "DIRTYFB with 256 clips (more than the wire carries)",
	  test_dirtyfb_many_clips },
	{ "damage-outside-view", "damage outside the shown part is ignored, outside the fb refused",
	  test_damage_outside_view },
	{ "bad-buffers", "oversized dumb buffers and bad framebuffers are refused",
	  test_bad_buffers },
};

int main(int argc, char **argv)
{
	return pvd_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
