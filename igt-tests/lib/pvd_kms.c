// SPDX-License-Identifier: MIT
/*
 * libdrm helpers for our guest test programs; see pvd_kms.h.
 */

#include "pvd_kms.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

const char *pvd_driver_name(void)
{
	const char *name = getenv("PVD_DRIVER");

	return name && *name ? name : "pvdisplay";
}

int pvd_open(void)
{
	const char *want = pvd_driver_name();
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr ver;
		bool match;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		ver = drmGetVersion(fd);
		match = ver && !strcmp(ver->name, want);
		drmFreeVersion(ver);
		if (match &&
		    !drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) &&
		    !drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int pvd_connector_count(int fd)
{
	drmModeResPtr res = drmModeGetResources(fd);
	int n;

	if (!res)
		return -errno;
	n = res->count_connectors;
	drmModeFreeResources(res);
	return n;
}

static uint32_t primary_plane_for(int fd, uint32_t crtc_index)
{
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	uint32_t found = 0, i;
	uint64_t type;

	if (!planes)
		return 0;
	for (i = 0; i < planes->count_planes && !found; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, planes->planes[i]);

		if (!p)
			continue;
		if ((p->possible_crtcs & (1u << crtc_index)) &&
		    pvd_prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type) &&
		    type == DRM_PLANE_TYPE_PRIMARY)
			found = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(planes);
	return found;
}

int pvd_find_pipe(int fd, unsigned int index, struct pvd_pipe *pipe)
{
	drmModeResPtr res = drmModeGetResources(fd);
	drmModeConnectorPtr conn = NULL;
	drmModeEncoderPtr enc = NULL;
	int ret = -ENOENT, m, c;

	memset(pipe, 0, sizeof(*pipe));
	if (!res)
		return -errno;
	if (index >= (unsigned int)res->count_connectors)
		goto out;
	conn = drmModeGetConnector(fd, res->connectors[index]);
	if (!conn)
		goto out;
	pipe->connector_id = conn->connector_id;
	pipe->connected = conn->connection == DRM_MODE_CONNECTED;
	for (m = 0; m < conn->count_modes; m++) {
		if (m == 0 || (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED))
			pipe->mode = conn->modes[m];
		if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED)
			break;
	}
	if (conn->count_encoders < 1)
		goto out;
	enc = drmModeGetEncoder(fd, conn->encoders[0]);
	if (!enc)
		goto out;
	/* Pick the first CRTC the encoder can use, preferring the same index. */
	for (c = 0; c < res->count_crtcs; c++) {
		if (!(enc->possible_crtcs & (1u << c)))
			continue;
		if (!pipe->crtc_id || c == (int)index) {
			pipe->crtc_id = res->crtcs[c];
			pipe->crtc_index = c;
		}
	}
	if (!pipe->crtc_id)
		goto out;
	pipe->plane_id = primary_plane_for(fd, pipe->crtc_index);
	ret = pipe->plane_id ? 0 : -ENOENT;
out:
	drmModeFreeEncoder(enc);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	return ret;
}

uint64_t pvd_mode_refresh_mhz(const drmModeModeInfo *mode)
{
	uint64_t t = (uint64_t)mode->htotal * mode->vtotal;

	return t ? (uint64_t)mode->clock * 1000000 / t : 0;
}

/* hz 0: any refresh rate, interlaced modes included. */
int pvd_find_mode_hz(int fd, uint32_t connector_id, unsigned int w, unsigned int h,
		     unsigned int hz, drmModeModeInfo *mode)
{
	drmModeConnectorPtr conn = drmModeGetConnector(fd, connector_id);
	int m, ret = -ENOENT;

	if (!conn)
		return -errno;
	for (m = 0; m < conn->count_modes; m++) {
		const drmModeModeInfo *c = &conn->modes[m];
		uint64_t mhz = pvd_mode_refresh_mhz(c);

		if (c->hdisplay != w || c->vdisplay != h)
			continue;
		if (hz && ((c->flags & DRM_MODE_FLAG_INTERLACE) ||
			   mhz + 500 < hz * 1000ull || mhz > hz * 1000ull + 500))
			continue;
		*mode = *c;
		ret = 0;
		break;
	}
	drmModeFreeConnector(conn);
	return ret;
}

int pvd_find_mode(int fd, uint32_t connector_id, unsigned int w, unsigned int h,
		  drmModeModeInfo *mode)
{
	return pvd_find_mode_hz(fd, connector_id, w, h, 0, mode);
}

static drmModeObjectPropertiesPtr props_of(int fd, uint32_t obj_id, uint32_t obj_type)
{
	return drmModeObjectGetProperties(fd, obj_id, obj_type);
}

static int find_prop(int fd, drmModeObjectPropertiesPtr props, const char *name)
{
	uint32_t i;

	for (i = 0; i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		bool hit = p && !strcmp(p->name, name);

		drmModeFreeProperty(p);
		if (hit)
			return i;
	}
	return -1;
}

uint32_t pvd_prop_id(int fd, uint32_t obj_id, uint32_t obj_type, const char *name)
{
	drmModeObjectPropertiesPtr props = props_of(fd, obj_id, obj_type);
	uint32_t id = 0;
	int i;

	if (!props)
		return 0;
	i = find_prop(fd, props, name);
	if (i >= 0)
		id = props->props[i];
	drmModeFreeObjectProperties(props);
	return id;
}

bool pvd_prop_value(int fd, uint32_t obj_id, uint32_t obj_type, const char *name,
		    uint64_t *value)
{
	drmModeObjectPropertiesPtr props = props_of(fd, obj_id, obj_type);
	int i;

	if (!props)
		return false;
	i = find_prop(fd, props, name);
	if (i >= 0)
		*value = props->prop_values[i];
	drmModeFreeObjectProperties(props);
	return i >= 0;
}

unsigned int pvd_format_cpp(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 4;
	case DRM_FORMAT_RGB565:
		return 2;
	default:
		return 0;
	}
}

int pvd_fb_create(int fd, uint32_t width, uint32_t height, uint32_t format,
		  struct pvd_fb *fb)
{
	return pvd_fb_create_layout(fd, width, height, format, 0, 0, fb);
}

int pvd_fb_create_layout(int fd, uint32_t width, uint32_t height, uint32_t format,
			 uint32_t pad_px, uint32_t offset, struct pvd_fb *fb)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t map_offset;
	unsigned int cpp = pvd_format_cpp(format);
	int ret;

	memset(fb, 0, sizeof(*fb));
	if (!cpp || offset % cpp)
		return -EINVAL;
	/* Extra rows make room for the offset. */
	ret = drmModeCreateDumbBuffer(fd, width + pad_px,
				      height + (offset ? offset / ((width + pad_px) * cpp) + 1 : 0),
				      cpp * 8, 0, &fb->handle, &fb->pitch, &fb->size);
	if (ret)
		return -errno;
	fb->offset = offset;
	fb->width = width;
	fb->height = height;
	fb->format = format;
	fb->cpp = cpp;
	handles[0] = fb->handle;
	pitches[0] = fb->pitch;
	offsets[0] = offset;
	ret = drmModeAddFB2(fd, width, height, format, handles, pitches, offsets,
			    &fb->fb_id, 0);
	if (ret) {
		ret = -errno;
		goto err_dumb;
	}
	ret = drmModeMapDumbBuffer(fd, fb->handle, &map_offset);
	if (ret) {
		ret = -errno;
		goto err_fb;
	}
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       map_offset);
	if (fb->map == MAP_FAILED) {
		ret = -errno;
		fb->map = NULL;
		goto err_fb;
	}
	memset(fb->map, 0, fb->size);
	return 0;

err_fb:
	drmModeRmFB(fd, fb->fb_id);
err_dumb:
	drmModeDestroyDumbBuffer(fd, fb->handle);
	memset(fb, 0, sizeof(*fb));
	return ret;
}

void pvd_fb_destroy(int fd, struct pvd_fb *fb)
{
	if (fb->map)
		munmap(fb->map, fb->size);
	if (fb->fb_id)
		drmModeRmFB(fd, fb->fb_id);
	if (fb->handle)
		drmModeDestroyDumbBuffer(fd, fb->handle);
	memset(fb, 0, sizeof(*fb));
}

static uint32_t pack_pixel(uint32_t format, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	switch (format) {
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 0xff000000u | b << 16 | g << 8 | r;
	case DRM_FORMAT_RGB565:
		return (r >> 3) << 11 | (g >> 2) << 5 | (b >> 3);
	default:
		return 0xff000000u | rgb;
	}
}

void pvd_fb_fill(struct pvd_fb *fb, uint32_t x, uint32_t y, uint32_t w,
		 uint32_t h, uint32_t rgb)
{
	uint32_t px = pack_pixel(fb->format, rgb), r, c;

	if (x >= fb->width || y >= fb->height)
		return;
	if (w > fb->width - x)
		w = fb->width - x;
	if (h > fb->height - y)
		h = fb->height - y;
	for (r = y; r < y + h; r++) {
		uint8_t *row = fb->map + fb->offset + (size_t)r * fb->pitch;

		for (c = x; c < x + w; c++) {
			if (fb->cpp == 4)
				((uint32_t *)row)[c] = px;
			else
				((uint16_t *)row)[c] = (uint16_t)px;
		}
	}
}

static int add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	       const char *name, uint64_t value)
{
	uint32_t prop = pvd_prop_id(fd, obj, type, name);

	if (!prop)
		return -ENOENT;
	return drmModeAtomicAddProperty(req, obj, prop, value) < 0 ? -EINVAL : 0;
}

int pvd_atomic_add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
		   const char *name, uint64_t value)
{
	return add(req, fd, obj, type, name, value);
}

int pvd_commit(int fd, const struct pvd_pipe *pipe, const drmModeModeInfo *mode,
	       const struct pvd_fb *fb, const struct drm_mode_rect *clips,
	       unsigned int nclips, uint32_t flags, void *user_data)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t mode_blob = 0, clip_blob = 0;
	int ret = 0;

	if (!req)
		return -ENOMEM;
	if (mode) {
		ret = drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &mode_blob);
		if (ret) {
			ret = -errno;
			goto out;
		}
		ret = add(req, fd, pipe->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", mode_blob) ?:
		      add(req, fd, pipe->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1) ?:
		      add(req, fd, pipe->connector_id, DRM_MODE_OBJECT_CONNECTOR,
			  "CRTC_ID", pipe->crtc_id);
		if (ret)
			goto out;
	}
	if (nclips) {
		ret = drmModeCreatePropertyBlob(fd, clips, nclips * sizeof(*clips),
						&clip_blob);
		if (ret) {
			ret = -errno;
			goto out;
		}
		ret = add(req, fd, pipe->plane_id, DRM_MODE_OBJECT_PLANE,
			  "FB_DAMAGE_CLIPS", clip_blob);
		if (ret)
			goto out;
	}
	{
		drmModeCrtcPtr cur = mode ? NULL : drmModeGetCrtc(fd, pipe->crtc_id);
		uint32_t w = mode ? mode->hdisplay : cur && cur->mode_valid ?
			cur->mode.hdisplay : fb->width - fb->view_x;
		uint32_t h = mode ? mode->vdisplay : cur && cur->mode_valid ?
			cur->mode.vdisplay : fb->height - fb->view_y;
		uint32_t obj = pipe->plane_id, t = DRM_MODE_OBJECT_PLANE;

		ret = add(req, fd, obj, t, "FB_ID", fb->fb_id) ?:
		      add(req, fd, obj, t, "CRTC_ID", pipe->crtc_id) ?:
		      add(req, fd, obj, t, "SRC_X", (uint64_t)fb->view_x << 16) ?:
		      add(req, fd, obj, t, "SRC_Y", (uint64_t)fb->view_y << 16) ?:
		      add(req, fd, obj, t, "SRC_W", (uint64_t)w << 16) ?:
		      add(req, fd, obj, t, "SRC_H", (uint64_t)h << 16) ?:
		      add(req, fd, obj, t, "CRTC_X", 0) ?:
		      add(req, fd, obj, t, "CRTC_Y", 0) ?:
		      add(req, fd, obj, t, "CRTC_W", w) ?:
		      add(req, fd, obj, t, "CRTC_H", h);
		drmModeFreeCrtc(cur);
		if (ret)
			goto out;
	}
	if (mode)
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	ret = drmModeAtomicCommit(fd, req, flags, user_data) ? -errno : 0;
out:
	if (clip_blob)
		drmModeDestroyPropertyBlob(fd, clip_blob);
	if (mode_blob)
		drmModeDestroyPropertyBlob(fd, mode_blob);
	drmModeAtomicFree(req);
	return ret;
}

int pvd_disable(int fd, const struct pvd_pipe *pipe)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	if (!req)
		return -ENOMEM;
	ret = add(req, fd, pipe->plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", 0) ?:
	      add(req, fd, pipe->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0) ?:
	      add(req, fd, pipe->connector_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0) ?:
	      add(req, fd, pipe->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0) ?:
	      add(req, fd, pipe->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	if (!ret)
		ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET,
					  NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

int pvd_wait_event(int fd, int timeout_ms, unsigned int *sequence,
		   uint64_t *time_us)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct drm_event_vblank ev;
	ssize_t len;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	/*
	 * A read of exactly one vblank-sized event returns one event: the
	 * kernel only hands out whole events that fit the buffer.  Reading
	 * raw events keeps the caller's commit user_data out of the picture.
	 */
	len = read(fd, &ev, sizeof(ev));
	if (len < (ssize_t)sizeof(struct drm_event))
		return -EIO;
	if (ev.base.type != DRM_EVENT_FLIP_COMPLETE && ev.base.type != DRM_EVENT_VBLANK)
		return -EPROTO;
	if (sequence)
		*sequence = ev.sequence;
	if (time_us)
		*time_us = (uint64_t)ev.tv_sec * 1000000 + ev.tv_usec;
	return 1;
}
