/* SPDX-License-Identifier: MIT */
/*
 * Small libdrm helpers shared by our guest test programs: find the device and
 * a pipe, create dumb framebuffers, commit atomically, wait for events.
 * Functions return negative errno on failure unless noted.
 */

#ifndef PVD_KMS_H
#define PVD_KMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

/* A connector with the CRTC and primary plane driving it. */
struct pvd_pipe {
	uint32_t connector_id;
	uint32_t crtc_id;
	uint32_t crtc_index;
	uint32_t plane_id;
	drmModeModeInfo mode;		/* preferred mode, or first mode */
	bool connected;
};

struct pvd_fb {
	uint32_t fb_id;
	uint32_t handle;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint32_t format;
	uint32_t cpp;
	uint32_t offset;		/* byte offset of pixel (0,0) in the buffer */
	uint32_t view_x;		/* source rectangle origin used by pvd_commit */
	uint32_t view_y;
	uint64_t size;
	uint8_t *map;			/* start of the buffer, not of pixel (0,0) */
};

/*
 * Open the card whose kernel driver is $PVD_DRIVER (default "pvdisplay"),
 * with universal planes and atomic enabled.  Returns an fd or -errno.
 */
int pvd_open(void);

/* Name of the driver pvd_open() looks for. */
const char *pvd_driver_name(void);

/*
 * Fill @pipe for the @index-th connector (in the order the kernel lists them)
 * and the CRTC/primary plane that can drive it.  Returns 0 or -errno.
 */
int pvd_find_pipe(int fd, unsigned int index, struct pvd_pipe *pipe);

/* Count the connectors. */
int pvd_connector_count(int fd);

/* Find a mode by size in the connector's list; 0 on success. */
int pvd_find_mode(int fd, uint32_t connector_id, unsigned int w, unsigned int h,
		  drmModeModeInfo *mode);

/* The same, of a refresh rate within 0.5 Hz of hz, progressive; 0 on success. */
int pvd_find_mode_hz(int fd, uint32_t connector_id, unsigned int w, unsigned int h,
		     unsigned int hz, drmModeModeInfo *mode);

/* A mode's refresh rate in mHz (0 for a mode without timings). */
uint64_t pvd_mode_refresh_mhz(const drmModeModeInfo *mode);

/* Property id by name on a KMS object, 0 if absent. */
uint32_t pvd_prop_id(int fd, uint32_t obj_id, uint32_t obj_type, const char *name);

/* Current value of a property, false if absent. */
bool pvd_prop_value(int fd, uint32_t obj_id, uint32_t obj_type, const char *name,
		    uint64_t *value);

/* Bytes per pixel of the formats our tests use; 0 if unknown. */
unsigned int pvd_format_cpp(uint32_t format);

/* Create a dumb buffer + framebuffer and map it. */
int pvd_fb_create(int fd, uint32_t width, uint32_t height, uint32_t format,
		  struct pvd_fb *fb);

/*
 * Same with an unusual layout: @pad_px extra pixels at the end of each row
 * (stride != width * cpp) and pixel (0,0) @offset bytes into the buffer
 * (a multiple of the pixel size).
 */
int pvd_fb_create_layout(int fd, uint32_t width, uint32_t height, uint32_t format,
			 uint32_t pad_px, uint32_t offset, struct pvd_fb *fb);
void pvd_fb_destroy(int fd, struct pvd_fb *fb);

/* Fill a rectangle of a mapped fb with an 0xRRGGBB colour (alpha 0xff). */
void pvd_fb_fill(struct pvd_fb *fb, uint32_t x, uint32_t y, uint32_t w,
		 uint32_t h, uint32_t rgb);

/*
 * Atomic commit showing @fb on @pipe with @mode (NULL: keep the current
 * mode), from source origin (@fb->view_x, @fb->view_y), mode-sized (or
 * fb-sized without a mode).  @clips:
 * optional FB_DAMAGE_CLIPS.  @flags: DRM_MODE_ATOMIC_* / PAGE_FLIP_EVENT.
 */
int pvd_commit(int fd, const struct pvd_pipe *pipe, const drmModeModeInfo *mode,
	       const struct pvd_fb *fb, const struct drm_mode_rect *clips,
	       unsigned int nclips, uint32_t flags, void *user_data);

/*
 * Add property @name (looked up on the object) = @value to an atomic request;
 * for commits spanning several pipes.  Returns 0 or -errno.
 */
int pvd_atomic_add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
		   const char *name, uint64_t value);

/* Turn the pipe off (CRTC inactive, plane detached). */
int pvd_disable(int fd, const struct pvd_pipe *pipe);

/*
 * Wait up to @timeout_ms for one DRM event on @fd; stores the flip/vblank
 * sequence and timestamp (µs).  Returns 1 if an event arrived, 0 on timeout.
 */
int pvd_wait_event(int fd, int timeout_ms, unsigned int *sequence,
		   uint64_t *time_us);

#endif /* PVD_KMS_H */
