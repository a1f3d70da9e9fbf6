// SPDX-License-Identifier: MIT
/*
 * pvd_multihead: light several heads, each with its own mode and content,
 * in ONE atomic commit, as a compositor configuring a multi-monitor layout
 * does.
 *
 *   pvd_multihead [--hold] CONNECTOR:WxH:RRGGBB...
 *
 * Connector N (0-based, in the order the kernel lists them) gets the mode
 * WxH from its mode list and a framebuffer of that size filled with RRGGBB,
 * with a white 32x32 square in its top-left corner (where the head's
 * content starts).  Every CRTC not named is switched off in the same commit,
 * so the commit alone defines what every head shows.  It prints one line per
 * head, "head CONNECTOR crtc CRTC_ID WxH RRGGBB", then "committed"; with
 * --hold it keeps the display (and DRM master) until SIGTERM or SIGINT, else
 * it exits at once (fbcon then takes the heads back).
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../lib/pvd_kms.h"

#define MAX_HEADS 16
#define MARK 32

struct head {
	unsigned int connector;
	unsigned int width;
	unsigned int height;
	unsigned int rgb;
	struct pvd_pipe pipe;
	drmModeModeInfo mode;
	struct pvd_fb fb;
	uint32_t mode_blob;
};

static int parse_head(const char *arg, struct head *h)
{
	char tail;

	if (sscanf(arg, "%u:%ux%u:%x%c", &h->connector, &h->width, &h->height,
		   &h->rgb, &tail) != 4)
		return -EINVAL;
	return 0;
}

static int add_head(drmModeAtomicReqPtr req, int fd, struct head *h)
{
	uint32_t plane = h->pipe.plane_id, crtc = h->pipe.crtc_id;
	const uint32_t P = DRM_MODE_OBJECT_PLANE;

	if (drmModeCreatePropertyBlob(fd, &h->mode, sizeof(h->mode), &h->mode_blob))
		return -errno;
	return pvd_atomic_add(req, fd, crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", h->mode_blob) ?:
	       pvd_atomic_add(req, fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1) ?:
	       pvd_atomic_add(req, fd, h->pipe.connector_id, DRM_MODE_OBJECT_CONNECTOR,
			      "CRTC_ID", crtc) ?:
	       pvd_atomic_add(req, fd, plane, P, "FB_ID", h->fb.fb_id) ?:
	       pvd_atomic_add(req, fd, plane, P, "CRTC_ID", crtc) ?:
	       pvd_atomic_add(req, fd, plane, P, "SRC_X", 0) ?:
	       pvd_atomic_add(req, fd, plane, P, "SRC_Y", 0) ?:
	       pvd_atomic_add(req, fd, plane, P, "SRC_W", (uint64_t)h->width << 16) ?:
	       pvd_atomic_add(req, fd, plane, P, "SRC_H", (uint64_t)h->height << 16) ?:
	       pvd_atomic_add(req, fd, plane, P, "CRTC_X", 0) ?:
	       pvd_atomic_add(req, fd, plane, P, "CRTC_Y", 0) ?:
	       pvd_atomic_add(req, fd, plane, P, "CRTC_W", h->width) ?:
	       pvd_atomic_add(req, fd, plane, P, "CRTC_H", h->height);
}

/* Switch off the pipe of connector @index: CRTC, its plane, the connector. */
static int add_off(drmModeAtomicReqPtr req, int fd, unsigned int index)
{
	struct pvd_pipe pipe;
	const uint32_t P = DRM_MODE_OBJECT_PLANE;
	int ret = pvd_find_pipe(fd, index, &pipe);

	if (ret)
		return ret;
	return pvd_atomic_add(req, fd, pipe.plane_id, P, "FB_ID", 0) ?:
	       pvd_atomic_add(req, fd, pipe.plane_id, P, "CRTC_ID", 0) ?:
	       pvd_atomic_add(req, fd, pipe.connector_id, DRM_MODE_OBJECT_CONNECTOR,
			      "CRTC_ID", 0) ?:
	       pvd_atomic_add(req, fd, pipe.crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0) ?:
	       pvd_atomic_add(req, fd, pipe.crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct head heads[MAX_HEADS];
	bool hold = false, named[MAX_HEADS] = { false };
	drmModeAtomicReqPtr req;
	int fd, n = 0, a, i, count, ret;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--hold")) {
			hold = true;
			continue;
		}
		if (n == MAX_HEADS || parse_head(argv[a], &heads[n])) {
			fprintf(stderr, "usage: pvd_multihead [--hold] CONNECTOR:WxH:RRGGBB...\n");
			return 2;
		}
		n++;
	}
	if (!n) {
		fprintf(stderr, "usage: pvd_multihead [--hold] CONNECTOR:WxH:RRGGBB...\n");
		return 2;
	}

	fd = pvd_open();
	if (fd < 0) {
		fprintf(stderr, "no %s device: %s\n", pvd_driver_name(), strerror(-fd));
		return 1;
	}
	count = pvd_connector_count(fd);
	if (count < 0 || count > MAX_HEADS) {
		fprintf(stderr, "bad connector count %d\n", count);
		return 1;
	}

	req = drmModeAtomicAlloc();
	if (!req)
		return 1;
	for (i = 0; i < n; i++) {
		struct head *h = &heads[i];

		if (h->connector >= (unsigned int)count || named[h->connector]) {
			fprintf(stderr, "connector %u: absent or named twice\n", h->connector);
			return 1;
		}
		named[h->connector] = true;
		ret = pvd_find_pipe(fd, h->connector, &h->pipe);
		if (!ret)
			ret = pvd_find_mode(fd, h->pipe.connector_id, h->width, h->height,
					    &h->mode);
		if (ret) {
			fprintf(stderr, "connector %u: no pipe or no %ux%u mode: %s\n",
				h->connector, h->width, h->height, strerror(-ret));
			return 1;
		}
		ret = pvd_fb_create(fd, h->width, h->height, DRM_FORMAT_XRGB8888, &h->fb);
		if (ret) {
			fprintf(stderr, "framebuffer: %s\n", strerror(-ret));
			return 1;
		}
		pvd_fb_fill(&h->fb, 0, 0, h->width, h->height, h->rgb);
		pvd_fb_fill(&h->fb, 0, 0, MARK, MARK, 0xffffff);
		ret = add_head(req, fd, h);
		if (ret) {
			fprintf(stderr, "connector %u: %s\n", h->connector, strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		if (named[i])
			continue;
		ret = add_off(req, fd, i);
		if (ret) {
			fprintf(stderr, "connector %d off: %s\n", i, strerror(-ret));
			return 1;
		}
	}

	ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret) {
		fprintf(stderr, "atomic commit of %d heads failed: %s\n", n, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("head %u crtc %u %ux%u %06x\n", heads[i].connector,
		       heads[i].pipe.crtc_id, heads[i].width, heads[i].height,
		       heads[i].rgb);
	printf("committed\n");
	fflush(stdout);

	if (hold) {
		sigset_t block, old;

		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGINT);
		/* Blocked until sigsuspend(): no signal slips in before it. */
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		while (!stop)
			sigsuspend(&old);
	}

	drmModeAtomicFree(req);
	for (i = 0; i < n; i++) {
		drmModeDestroyPropertyBlob(fd, heads[i].mode_blob);
		pvd_fb_destroy(fd, &heads[i].fb);
	}
	close(fd);
	return 0;
}
