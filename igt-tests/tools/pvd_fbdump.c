// SPDX-License-Identifier: MIT
/*
 * pvd_fbdump: write what a CRTC currently scans out, as the guest sees it,
 * to a binary PPM (P6).  Tests compare this with the host's screendump: the
 * two must be equal pixel for pixel.
 *
 *   pvd_fbdump [--connector N] OUT.ppm
 *
 * Needs root (GETFB2 only returns buffer handles to privileged callers) and
 * works for any client's framebuffer (modetest, kmscube, fbcon, weston).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../lib/pvd_kms.h"

static int to_rgb(uint32_t format, const uint8_t *src, uint8_t *rgb)
{
	uint32_t v;
	uint16_t s;

	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		memcpy(&v, src, 4);
		rgb[0] = v >> 16;
		rgb[1] = v >> 8;
		rgb[2] = v;
		return 0;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		memcpy(&v, src, 4);
		rgb[0] = v;
		rgb[1] = v >> 8;
		rgb[2] = v >> 16;
		return 0;
	case DRM_FORMAT_RGB565:
		memcpy(&s, src, 2);
		/* Expand 5/6-bit channels by replicating their top bits. */
		rgb[0] = ((s >> 11) & 0x1f) << 3 | ((s >> 13) & 0x7);
		rgb[1] = ((s >> 5) & 0x3f) << 2 | ((s >> 9) & 0x3);
		rgb[2] = (s & 0x1f) << 3 | ((s >> 2) & 0x7);
		return 0;
	default:
		return -EINVAL;
	}
}

int main(int argc, char **argv)
{
	unsigned int index = 0, cpp;
	struct drm_mode_map_dumb map = { 0 };
	drmModeCrtcPtr crtc = NULL;
	drmModeFB2Ptr fb2 = NULL;
	struct pvd_pipe pipe;
	const char *out;
	uint8_t *px, *row;
	uint64_t need;
	FILE *f;
	int fd, a = 1;
	uint32_t x, y;

	if (argc > 2 && !strcmp(argv[1], "--connector")) {
		index = strtoul(argv[2], NULL, 0);
		a = 3;
	}
	if (a != argc - 1) {
		fprintf(stderr, "usage: %s [--connector N] OUT.ppm\n", argv[0]);
		return 2;
	}
	out = argv[a];

	fd = pvd_open();
	if (fd < 0) {
		fprintf(stderr, "no %s device: %s\n", pvd_driver_name(), strerror(-fd));
		return 1;
	}
	if (pvd_find_pipe(fd, index, &pipe)) {
		fprintf(stderr, "no pipe for connector %u\n", index);
		return 1;
	}
	/* The connector's current CRTC, which may differ from the default pick. */
	{
		drmModeConnectorPtr c = drmModeGetConnector(fd, pipe.connector_id);
		drmModeEncoderPtr e = c && c->encoder_id ?
			drmModeGetEncoder(fd, c->encoder_id) : NULL;

		if (e && e->crtc_id)
			pipe.crtc_id = e->crtc_id;
		drmModeFreeEncoder(e);
		drmModeFreeConnector(c);
	}
	crtc = drmModeGetCrtc(fd, pipe.crtc_id);
	if (!crtc || !crtc->buffer_id || !crtc->mode_valid) {
		fprintf(stderr, "CRTC %u shows nothing\n", pipe.crtc_id);
		return 1;
	}
	fb2 = drmModeGetFB2(fd, crtc->buffer_id);
	if (!fb2 || !fb2->handles[0]) {
		fprintf(stderr, "GETFB2 gave no handle (not root?)\n");
		return 1;
	}
	cpp = pvd_format_cpp(fb2->pixel_format);
	if (!cpp) {
		fprintf(stderr, "unsupported format %.4s\n", (char *)&fb2->pixel_format);
		return 1;
	}
	if (crtc->x + crtc->mode.hdisplay > fb2->width ||
	    crtc->y + crtc->mode.vdisplay > fb2->height) {
		fprintf(stderr, "CRTC viewport outside the framebuffer\n");
		return 1;
	}
	map.handle = fb2->handles[0];
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		fprintf(stderr, "MAP_DUMB: %s\n", strerror(errno));
		return 1;
	}
	need = fb2->offsets[0] + (uint64_t)fb2->pitches[0] * fb2->height;
	px = mmap(NULL, need, PROT_READ, MAP_SHARED, fd, map.offset);
	if (px == MAP_FAILED) {
		fprintf(stderr, "mmap: %s\n", strerror(errno));
		return 1;
	}

	f = fopen(out, "wb");
	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "P6\n%u %u\n255\n", crtc->mode.hdisplay, crtc->mode.vdisplay);
	row = malloc(3u * crtc->mode.hdisplay);
	if (!row)
		return 1;
	for (y = 0; y < crtc->mode.vdisplay; y++) {
		const uint8_t *src = px + fb2->offsets[0] +
			(uint64_t)(crtc->y + y) * fb2->pitches[0] + (uint64_t)crtc->x * cpp;

		for (x = 0; x < crtc->mode.hdisplay; x++)
			to_rgb(fb2->pixel_format, src + x * cpp, row + 3 * x);
		fwrite(row, 3, crtc->mode.hdisplay, f);
	}
	free(row);
	if (fclose(f)) {
		perror(out);
		return 1;
	}
	printf("%ux%u %.4s fb %u\n", crtc->mode.hdisplay, crtc->mode.vdisplay,
	       (char *)&fb2->pixel_format, crtc->buffer_id);
	munmap(px, need);
	drmModeFreeFB2(fb2);
	drmModeFreeCrtc(crtc);
	close(fd);
	return 0;
}
