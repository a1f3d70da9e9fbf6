// SPDX-License-Identifier: MIT
/*
 * pvd_bench: the guest half of `make bench`.  Runs one KMS workload on the
 * card of $PVD_DRIVER (pvdisplay, virtio_gpu, bochs-drm) and tells the
 * host's x-display-probe device (I/O port, see
 * qemu-device/hw/display/display-probe.c) when each update is issued, so
 * the host can time when its console shows it.  Prints one line of JSON
 * with what only the guest knows (ioctl counts and durations, flip event
 * timestamps, which sequence numbers belong to which phase).
 *
 *   pvd_bench dirty --mode WxH --shape glyph|two|vline|full
 *                   [--seconds S] [--iso N]
 *       Front-buffer updates: write the shape's pixels, mark, DIRTYFB.
 *       Phase "load": back to back for S seconds (default 3).
 *       Phase "iso": N updates (default 200), each after a random pause of
 *       2-12 ms and only once the previous one is shown.
 *   pvd_bench flip --mode WxH [--seconds S] [--async]
 *       A double-buffered client: draw a glyph into the back buffer, flip
 *       to it (atomic, nonblocking, with FB_DAMAGE_CLIPS and a flip event),
 *       wait for the event, repeat.  Phase "load".  --async: asynchronous
 *       flips (DRM_MODE_PAGE_FLIP_ASYNC); a driver without them gets one
 *       line {"workload": "flip", "unsupported": true}.
 *   pvd_bench fbcon [--iso N]
 *       The text console on /dev/tty1 (the foreground one, fbcon drawing):
 *       N one-cell changes (default 200), each after a random pause of
 *       20-40 ms (a fast typist's 25 to 50 characters a second) and only
 *       once the previous one is shown.  Phase "iso".  No DRM client is
 *       involved.
 *
 * Every update's pixels carry its sequence number as colour 0xRRGGBB, and
 * the probe points of the shape are registered with the device, which
 * counts an update as shown when its console has announced (dpy_gfx_update)
 * every probe point holding that number or a later one.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/fb.h>

#include <drm_fourcc.h>

#include "../lib/pvd_kms.h"

#define PROBE_PORT	0x5e0
#define PROBE_MARK	0x0
#define PROBE_RESET	0x4
#define PROBE_ADD	0x8
#define MAX_RECTS	4
#define MAX_SAMPLES	(1 << 20)

struct shape {
	unsigned int n;
	struct drm_mode_rect r[MAX_RECTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "pvd_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void probe_mark(uint32_t seq)
{
	outl(seq, PROBE_PORT + PROBE_MARK);
}

static uint32_t probe_shown(void)
{
	return inl(PROBE_PORT + PROBE_MARK);
}

/* Wait until the host shows @seq; false after @timeout_ms. */
static int probe_wait(uint32_t seq, unsigned int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;

	while (probe_shown() < seq) {
		if (now_ns() > end)
			return 0;
		usleep(50);
	}
	return 1;
}

static void shape_rect(struct shape *s, int x, int y, int w, int h)
{
	struct drm_mode_rect *r = &s->r[s->n++];

	r->x1 = x;
	r->y1 = y;
	r->x2 = x + w;
	r->y2 = y + h;
}

static int shape_of(const char *name, int w, int h, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	if (!strcmp(name, "glyph"))
		shape_rect(s, (w / 2) & ~7, (h / 2) & ~15, 8, 16);
	else if (!strcmp(name, "two")) {
		shape_rect(s, 16, 16, 8, 16);
		shape_rect(s, w - 32, h - 40, 8, 16);
	} else if (!strcmp(name, "vline"))
		shape_rect(s, w / 2 + 1, 0, 1, h);
	else if (!strcmp(name, "full"))
		shape_rect(s, 0, 0, w, h);
	else
		return -EINVAL;
	return 0;
}

/* The probe points: two opposite corners of every rectangle. */
static void probe_setup(const struct shape *s)
{
	unsigned int i;

	outl(0, PROBE_PORT + PROBE_RESET);
	for (i = 0; i < s->n; i++) {
		const struct drm_mode_rect *r = &s->r[i];

		outl(r->x1 | r->y1 << 16, PROBE_PORT + PROBE_ADD);
		outl((r->x2 - 1) | (r->y2 - 1) << 16, PROBE_PORT + PROBE_ADD);
	}
}

static void shape_fill(struct pvd_fb *fb, const struct shape *s, uint32_t rgb)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		pvd_fb_fill(fb, s->r[i].x1, s->r[i].y1, s->r[i].x2 - s->r[i].x1,
			    s->r[i].y2 - s->r[i].y1, rgb);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p * (n - 1) + 0.5);
	return v[i];
}

/*
 * A 60 Hz mode of this size from the connector's list, else one made up.
 * Every device runs the workloads at the same refresh rate: left to the
 * EDID, QEMU's generator (virtio-gpu's) prefers 75 Hz when the UI reports
 * none, the pvdisplay device 60 Hz, and paced flips would compare the two.
 */
static void mode_for(int fd, const struct pvd_pipe *pipe, int w, int h,
		     drmModeModeInfo *m)
{
	if (!pvd_find_mode_hz(fd, pipe->connector_id, w, h, 60, m))
		return;
	memset(m, 0, sizeof(*m));
	m->hdisplay = w;
	m->hsync_start = w + 48;
	m->hsync_end = w + 80;
	m->htotal = w + 160;
	m->vdisplay = h;
	m->vsync_start = h + 3;
	m->vsync_end = h + 8;
	m->vtotal = h + 30;
	m->clock = (uint32_t)((uint64_t)m->htotal * m->vtotal * 60 / 1000);
	m->vrefresh = 60;
	m->type = DRM_MODE_TYPE_USERDEF;
	snprintf(m->name, sizeof(m->name), "%dx%d", w, h);
}

struct bench {
	int fd;
	struct pvd_pipe pipe;
	drmModeModeInfo mode;
	struct pvd_fb fb[2];
};

static void setup(struct bench *b, int w, int h, int nbufs)
{
	int ret, i;

	b->fd = pvd_open();
	if (b->fd < 0)
		die("open card", b->fd);
	ret = pvd_find_pipe(b->fd, 0, &b->pipe);
	if (ret)
		die("find pipe", ret);
	mode_for(b->fd, &b->pipe, w, h, &b->mode);
	for (i = 0; i < nbufs; i++) {
		ret = pvd_fb_create(b->fd, w, h, DRM_FORMAT_XRGB8888, &b->fb[i]);
		if (ret)
			die("create fb", ret);
		memset(b->fb[i].map, 0, b->fb[i].size);
	}
	ret = pvd_commit(b->fd, &b->pipe, &b->mode, &b->fb[0], NULL, 0, 0, NULL);
	if (ret)
		die("modeset", ret);
	/* let the host settle on the black frame before the probe resets */
	usleep(300000);
}

static void print_phase(const char *name, uint32_t first, uint32_t last,
			uint64_t ns, uint64_t *dur, size_t n, int sep)
{
	qsort(dur, n, sizeof(*dur), cmp_u64);
	printf("\"%s\": {\"first\": %u, \"last\": %u, \"seconds\": %.6f, "
	       "\"ioctl_p50_us\": %.1f, \"ioctl_p99_us\": %.1f}%s",
	       name, first, last, ns / 1e9, pct(dur, n, 0.5) / 1e3,
	       pct(dur, n, 0.99) / 1e3, sep ? ", " : "");
}

static int run_dirty(struct bench *b, const char *shape_name, double seconds,
		     unsigned int iso)
{
	struct pvd_fb *fb = &b->fb[0];
	uint64_t *dur = calloc(MAX_SAMPLES, sizeof(*dur));
	uint64_t t0, t, end;
	drmModeClip clips[MAX_RECTS];
	struct shape s;
	uint32_t seq = 0, first;
	size_t n = 0, i;
	int ret;

	if (!dur)
		die("calloc", ENOMEM);
	if (shape_of(shape_name, b->mode.hdisplay, b->mode.vdisplay, &s))
		die("unknown shape", EINVAL);
	for (i = 0; i < s.n; i++) {
		clips[i].x1 = s.r[i].x1;
		clips[i].y1 = s.r[i].y1;
		clips[i].x2 = s.r[i].x2;
		clips[i].y2 = s.r[i].y2;
	}
	probe_setup(&s);

	printf("{\"workload\": \"dirty\", \"shape\": \"%s\", \"mode\": \"%dx%d\", ",
	       shape_name, b->mode.hdisplay, b->mode.vdisplay);

	t0 = now_ns();
	end = t0 + (uint64_t)(seconds * 1e9);
	do {
		shape_fill(fb, &s, ++seq);
		probe_mark(seq);
		t = now_ns();
		ret = drmModeDirtyFB(b->fd, fb->fb_id, clips, s.n);
		/* a framebuffer scanned out as it is may have no dirty hook */
		if (ret && errno != ENOSYS)
			die("DIRTYFB", errno);
		if (n < MAX_SAMPLES)
			dur[n++] = now_ns() - t;
	} while (t < end);
	t = now_ns() - t0;
	probe_wait(seq, 5000);
	print_phase("load", 1, seq, t, dur, n, 1);

	first = seq + 1;
	n = 0;
	t0 = now_ns();
	srand(1);
	for (i = 0; i < iso; i++) {
		usleep(2000 + rand() % 10000);
		shape_fill(fb, &s, ++seq);
		probe_mark(seq);
		t = now_ns();
		ret = drmModeDirtyFB(b->fd, fb->fb_id, clips, s.n);
		if (ret && errno != ENOSYS)
			die("DIRTYFB", errno);
		dur[n++] = now_ns() - t;
		if (!probe_wait(seq, 2000))
			fprintf(stderr, "pvd_bench: update %u not shown in 2 s\n", seq);
	}
	print_phase("iso", first, seq, now_ns() - t0, dur, n, 0);
	printf("}\n");
	free(dur);
	return 0;
}

static int run_flip(struct bench *b, double seconds, uint32_t flags)
{
	uint64_t *ev = calloc(MAX_SAMPLES, sizeof(*ev));
	uint64_t *dur = calloc(MAX_SAMPLES, sizeof(*dur));
	uint64_t t0, t, end, mean = 0, var = 0;
	struct shape s;
	size_t n = 0, i;
	uint32_t seq = 0;
	int cur = 0, ret;

	if (!ev || !dur)
		die("calloc", ENOMEM);
	shape_of("glyph", b->mode.hdisplay, b->mode.vdisplay, &s);
	probe_setup(&s);

	t0 = now_ns();
	end = t0 + (uint64_t)(seconds * 1e9);
	do {
		struct pvd_fb *back = &b->fb[!cur];
		uint64_t when;

		shape_fill(back, &s, ++seq);
		probe_mark(seq);
		t = now_ns();
		ret = pvd_commit(b->fd, &b->pipe, NULL, back, s.r, s.n,
				 flags | DRM_MODE_PAGE_FLIP_EVENT |
				 DRM_MODE_ATOMIC_NONBLOCK, NULL);
		if (ret)
			die("flip", ret);
		ret = pvd_wait_event(b->fd, 2000, NULL, &when);
		if (ret != 1)
			die("flip event", ret ? ret : ETIMEDOUT);
		cur = !cur;
		if (n < MAX_SAMPLES) {
			dur[n] = now_ns() - t;
			ev[n++] = when;
		}
	} while (t < end);
	t = now_ns() - t0;
	probe_wait(seq, 5000);

	/* jitter: spread of the intervals between flip event timestamps */
	for (i = 1; i < n; i++)
		mean += ev[i] - ev[i - 1];
	mean = n > 1 ? mean / (n - 1) : 0;
	for (i = 1; i < n; i++) {
		int64_t d = (int64_t)(ev[i] - ev[i - 1]) - (int64_t)mean;

		var += (uint64_t)(d * d);
	}
	printf("{\"workload\": \"flip\", \"mode\": \"%dx%d\", "
	       "\"refresh_mhz\": %" PRIu64 ", \"frames\": %zu, "
	       "\"event_interval_mean_us\": %" PRIu64 ", "
	       "\"event_interval_stddev_us\": %.1f, ",
	       b->mode.hdisplay, b->mode.vdisplay, pvd_mode_refresh_mhz(&b->mode), n, mean,
	       n > 2 ? sqrt((double)var / (n - 2)) : 0.0);
	print_phase("load", 1, seq, t, dur, n, 0);
	printf("}\n");
	free(ev);
	free(dur);
	return 0;
}

static void tty_write(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write /dev/tty1", n < 0 ? errno : EIO);
		text += n;
		len -= n;
	}
}

/*
 * Each change is a space in the cell at row 11, column 11 whose background,
 * palette entry 1, is first set to the sequence number (ESC ] P sets an
 * entry; on a truecolor framebuffer it is exact, and nothing is redrawn):
 * the cell's pixels then hold S.  The screen is cleared to black first, so
 * the cell holds no number before the first change.  The cell's size in
 * pixels is the framebuffer's size over the console's.
 */
static int run_fbcon(unsigned int iso)
{
	struct fb_var_screeninfo var;
	struct winsize ws;
	struct shape s = { 0 };
	uint64_t *dur, t, t0;
	char buf[32];
	int fd, fb, cw, ch;
	uint32_t seq = 0;
	unsigned int i;
	size_t n = 0;

	dur = calloc(iso + 1, sizeof(*dur));
	fd = open("/dev/tty1", O_WRONLY | O_NOCTTY);
	fb = open("/dev/fb0", O_RDONLY);
	if (!dur || fd < 0 || fb < 0)
		die("/dev/tty1, /dev/fb0", errno);
	if (ioctl(fb, FBIOGET_VSCREENINFO, &var) || ioctl(fd, TIOCGWINSZ, &ws))
		die("screen size", errno);
	close(fb);
	if (ws.ws_col < 11 || ws.ws_row < 11)
		die("console size", EINVAL);
	cw = var.xres / ws.ws_col;
	ch = var.yres / ws.ws_row;
	shape_rect(&s, 10 * cw, 10 * ch, cw, ch);

	tty_write(fd, "\033[?25l\033[0m\033[2J");
	usleep(200000);
	probe_setup(&s);
	printf("{\"workload\": \"fbcon\", \"cell\": \"%dx%d\", ", cw, ch);

	t0 = now_ns();
	srand(1);
	for (i = 0; i < iso; i++) {
		usleep(20000 + rand() % 20000);
		snprintf(buf, sizeof(buf), "\033]P1%06x", ++seq & 0xffffff);
		tty_write(fd, buf);
		probe_mark(seq);
		t = now_ns();
		tty_write(fd, "\033[11;11H\033[41m \033[0m");
		dur[n++] = now_ns() - t;
		if (!probe_wait(seq, 2000))
			fprintf(stderr, "pvd_bench: change %u not shown in 2 s\n", seq);
	}
	print_phase("iso", 1, seq, now_ns() - t0, dur, n, 0);
	printf("}\n");
	/* the default palette and a visible cursor again */
	tty_write(fd, "\033]R\033[?25h\033[2J");
	close(fd);
	free(dur);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "shape", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "iso", required_argument, NULL, 'i' },
		{ "async", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t flip_flags = 0;
	const char *shape = "glyph";
	double seconds = 3;
	unsigned int iso = 200;
	int w = 1920, h = 1080, c;
	struct bench b = { 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: pvd_bench dirty|flip|fbcon [options]\n");
		return 2;
	}
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sscanf(optarg, "%dx%d", &w, &h) != 2)
				return 2;
			break;
		case 's':
			shape = optarg;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'i':
			iso = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			flip_flags = DRM_MODE_PAGE_FLIP_ASYNC;
			break;
		default:
			return 2;
		}
	}
	if (ioperm(PROBE_PORT, 16, 1))
		die("ioperm (root, x86, -device x-display-probe)", errno);
	/* outputs go to a pipe: no partial lines if we die */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (!strcmp(argv[1], "fbcon"))
		return run_fbcon(iso);
	if (!strcmp(argv[1], "dirty")) {
		setup(&b, w, h, 1);
		return run_dirty(&b, shape, seconds, iso);
	}
	if (!strcmp(argv[1], "flip")) {
		uint64_t cap = 0;

		setup(&b, w, h, 2);
		if (flip_flags &&
		    (drmGetCap(b.fd, DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP, &cap) || !cap)) {
			printf("{\"workload\": \"flip\", \"unsupported\": true}\n");
			return 0;
		}
		return run_flip(&b, seconds, flip_flags);
	}
	fprintf(stderr, "pvd_bench: unknown workload %s\n", argv[1]);
	return 2;
}
