// SPDX-License-Identifier: MIT
/*
 * pvd_paint: a scriptable KMS client for host-driven tests.  It holds a
 * framebuffer on screen while the host takes screendumps between steps, and
 * lets a test write pixels without telling the driver (to prove that only
 * damaged pixels reach the host) and then send damage in each way userspace
 * can: DIRTYFB with clips, DIRTYFB without clips, atomic FB_DAMAGE_CLIPS.
 *
 *   pvd_paint serve DIR [--connector N] [--mode WxH] [--format FOURCC]
 *                       [--fb-size WxH] [--view X,Y] [--pad PX] [--offset B]
 *       set the mode, show a black framebuffer, then execute commands
 *       written to DIR/cmd (a FIFO it creates), answering on DIR/ack.
 *   pvd_paint send DIR COMMAND...
 *       send one command, print the answer, exit 0 if it was "ok".
 *
 * Commands:
 *   fill X Y W H RRGGBB     write pixels only (no damage reported)
 *   dirty [X Y W H]...      DRM_IOCTL_MODE_DIRTYFB with these clips (none:
 *                           whole framebuffer)
 *   burst X Y W H [...]     one DIRTYFB per rectangle, back to back
 *   damage X Y W H [...]    atomic commit of the same fb with FB_DAMAGE_CLIPS
 *   commit                  atomic commit of the same fb without damage clips
 *   flip                    copy the pixels to the other buffer and flip to it
 *   flip X Y W H RRGGBB     copy the pixels to the other buffer, fill that
 *                           rectangle in it and flip to it with the
 *                           rectangle as FB_DAMAGE_CLIPS (frame damage)
 *   aflip [X Y W H RRGGBB]  the same as an asynchronous page flip
 *                           (DRM_MODE_PAGE_FLIP_ASYNC)
 *   info                    print "WxH pitch fourcc fb_id"
 *   cursor W H HX HY SALT   legacy cursor (drmModeSetCursor2): a new WxH
 *                           ARGB8888 buffer holding cursor_pixel(SALT),
 *                           hotspot (HX, HY)
 *   hotspot HX HY           drmModeSetCursor2 with the current cursor buffer
 *                           and a new hotspot: a new image for the device,
 *                           but no new buffer to share with it
 *   move X Y                drmModeMoveCursor to (X, Y)
 *   moves N X Y DX DY       N moves in a row: (X, Y), (X+DX, Y+DY), ...
 *   cursor-off              drmModeSetCursor without a buffer (hide)
 *   quit                    restore and exit
 *
 * Layout options exercise the damage arithmetic: --fb-size makes the
 * framebuffer larger than the mode and --view picks the shown part (a source
 * sub-rectangle), --pad adds pixels to each row (stride != width * cpp) and
 * --offset puts pixel (0,0) that many bytes into the buffer.  Coordinates in
 * commands are framebuffer coordinates.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../lib/pvd_kms.h"

#define MAX_CLIPS 512

struct painter {
	int fd;
	struct pvd_pipe pipe;
	drmModeModeInfo mode;
	struct pvd_fb fb[2];
	int cur;
	struct pvd_fb cursor;		/* fb_id 0: none */
};

/*
 * The cursor image of the "cursor" command, premultiplied ARGB8888: opaque
 * colours with a diagonal pattern of transparent pixels.  Tests compute the
 * same function to check what the host received.
 */
static uint32_t cursor_pixel(uint32_t x, uint32_t y, uint32_t salt)
{
	if ((x + y + salt) % 7 == 0)
		return 0;
	return 0xff000000 | ((x * 3 + salt) & 0xff) << 16 |
	       ((y * 5) & 0xff) << 8 | ((x ^ y ^ salt) & 0xff);
}

static int set_cursor(struct painter *p, uint32_t w, uint32_t h, int hot_x,
		      int hot_y, uint32_t salt)
{
	struct pvd_fb old = p->cursor;
	uint32_t x, y;
	int ret;

	ret = pvd_fb_create(p->fd, w, h, DRM_FORMAT_ARGB8888, &p->cursor);
	if (ret) {
		p->cursor = old;
		return ret;
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			*(uint32_t *)(p->cursor.map + y * p->cursor.pitch + x * 4) =
				cursor_pixel(x, y, salt);
	ret = drmModeSetCursor2(p->fd, p->pipe.crtc_id, p->cursor.handle, w, h,
				hot_x, hot_y);
	if (ret) {
		ret = -errno;
		pvd_fb_destroy(p->fd, &p->cursor);
		p->cursor = old;
		return ret;
	}
	if (old.fb_id)
		pvd_fb_destroy(p->fd, &old);
	return 0;
}

static int parse_rects(char **argv, int argc, struct drm_mode_rect *r, int max)
{
	int n = 0, i;

	if (argc % 4)
		return -EINVAL;
	for (i = 0; i + 3 < argc && n < max; i += 4, n++) {
		long x = strtol(argv[i], NULL, 0), y = strtol(argv[i + 1], NULL, 0);
		long w = strtol(argv[i + 2], NULL, 0), h = strtol(argv[i + 3], NULL, 0);

		r[n].x1 = x;
		r[n].y1 = y;
		r[n].x2 = x + w;
		r[n].y2 = y + h;
	}
	return n;
}

static int do_command(struct painter *p, char *line, char *reply, size_t len)
{
	struct pvd_fb *fb = &p->fb[p->cur];
	struct drm_mode_rect rects[MAX_CLIPS];
	char *argv[4 * MAX_CLIPS + 2], *save = NULL, *tok;
	int argc = 0, n, ret = 0;

	for (tok = strtok_r(line, " \t\n", &save); tok && argc < (int)(sizeof(argv) / sizeof(*argv));
	     tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	if (!argc)
		return -EINVAL;

	if (!strcmp(argv[0], "fill") && argc == 6) {
		pvd_fb_fill(fb, strtoul(argv[1], NULL, 0), strtoul(argv[2], NULL, 0),
			    strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
			    strtoul(argv[5], NULL, 16));
	} else if (!strcmp(argv[0], "dirty")) {
		drmModeClip clips[MAX_CLIPS];
		int i;

		n = parse_rects(argv + 1, argc - 1, rects, MAX_CLIPS);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			clips[i].x1 = rects[i].x1;
			clips[i].y1 = rects[i].y1;
			clips[i].x2 = rects[i].x2;
			clips[i].y2 = rects[i].y2;
		}
		ret = drmModeDirtyFB(p->fd, fb->fb_id, n ? clips : NULL, n);
		if (ret)
			ret = -errno;
	} else if (!strcmp(argv[0], "burst") && argc > 1) {
		drmModeClip clip;
		int i;

		n = parse_rects(argv + 1, argc - 1, rects, MAX_CLIPS);
		if (n < 0)
			return n;
		for (i = 0; i < n && !ret; i++) {
			clip.x1 = rects[i].x1;
			clip.y1 = rects[i].y1;
			clip.x2 = rects[i].x2;
			clip.y2 = rects[i].y2;
			if (drmModeDirtyFB(p->fd, fb->fb_id, &clip, 1))
				ret = -errno;
		}
	} else if (!strcmp(argv[0], "damage") && argc > 1) {
		n = parse_rects(argv + 1, argc - 1, rects, MAX_CLIPS);
		if (n < 0)
			return n;
		ret = pvd_commit(p->fd, &p->pipe, NULL, fb, rects, n, 0, NULL);
	} else if (!strcmp(argv[0], "commit")) {
		ret = pvd_commit(p->fd, &p->pipe, NULL, fb, NULL, 0, 0, NULL);
	} else if ((!strcmp(argv[0], "flip") || !strcmp(argv[0], "aflip")) &&
		   (argc == 1 || argc == 6)) {
		struct pvd_fb *next = &p->fb[!p->cur];
		uint32_t flags = argv[0][0] == 'a' ? DRM_MODE_PAGE_FLIP_ASYNC : 0;

		memcpy(next->map, fb->map, fb->size);
		n = 0;
		if (argc == 6) {
			n = parse_rects(argv + 1, 4, rects, 1);
			pvd_fb_fill(next, rects[0].x1, rects[0].y1,
				    rects[0].x2 - rects[0].x1,
				    rects[0].y2 - rects[0].y1,
				    strtoul(argv[5], NULL, 16));
		}
		ret = pvd_commit(p->fd, &p->pipe, NULL, next, n ? rects : NULL, n,
				 flags, NULL);
		if (!ret)
			p->cur = !p->cur;
	} else if (!strcmp(argv[0], "cursor") && argc == 6) {
		ret = set_cursor(p, strtoul(argv[1], NULL, 0), strtoul(argv[2], NULL, 0),
				 strtol(argv[3], NULL, 0), strtol(argv[4], NULL, 0),
				 strtoul(argv[5], NULL, 0));
	} else if (!strcmp(argv[0], "hotspot") && argc == 3) {
		if (!p->cursor.fb_id)
			ret = -ENOENT;
		else if (drmModeSetCursor2(p->fd, p->pipe.crtc_id, p->cursor.handle,
					   p->cursor.width, p->cursor.height,
					   strtol(argv[1], NULL, 0),
					   strtol(argv[2], NULL, 0)))
			ret = -errno;
	} else if (!strcmp(argv[0], "move") && argc == 3) {
		if (drmModeMoveCursor(p->fd, p->pipe.crtc_id, strtol(argv[1], NULL, 0),
				      strtol(argv[2], NULL, 0)))
			ret = -errno;
	} else if (!strcmp(argv[0], "moves") && argc == 6) {
		long i, x = strtol(argv[2], NULL, 0), y = strtol(argv[3], NULL, 0);
		long dx = strtol(argv[4], NULL, 0), dy = strtol(argv[5], NULL, 0);

		for (i = 0; i < strtol(argv[1], NULL, 0) && !ret; i++)
			if (drmModeMoveCursor(p->fd, p->pipe.crtc_id, x + i * dx,
					      y + i * dy))
				ret = -errno;
	} else if (!strcmp(argv[0], "cursor-off")) {
		if (drmModeSetCursor(p->fd, p->pipe.crtc_id, 0, 0, 0))
			ret = -errno;
	} else if (!strcmp(argv[0], "info")) {
		snprintf(reply, len, "ok %ux%u %u %.4s %u", fb->width, fb->height,
			 fb->pitch, (char *)&fb->format, fb->fb_id);
		return 0;
	} else {
		return -EINVAL;
	}
	if (!ret)
		snprintf(reply, len, "ok");
	return ret;
}

struct options {
	unsigned int index;
	unsigned int mode_w, mode_h;
	unsigned int fb_w, fb_h;
	unsigned int view_x, view_y;
	unsigned int pad;
	unsigned int offset;
	uint32_t format;
};

static int serve(const char *dir, const struct options *o)
{
	char cmd_path[256], ack_path[256], line[8192], reply[256];
	struct painter p = { 0 };
	FILE *cmd;
	int ack, i, ret;

	snprintf(cmd_path, sizeof(cmd_path), "%s/cmd", dir);
	snprintf(ack_path, sizeof(ack_path), "%s/ack", dir);
	mkdir(dir, 0755);
	unlink(cmd_path);
	unlink(ack_path);
	if (mkfifo(cmd_path, 0600) || mkfifo(ack_path, 0600)) {
		perror("mkfifo");
		return 1;
	}

	p.fd = pvd_open();
	if (p.fd < 0) {
		fprintf(stderr, "no %s device\n", pvd_driver_name());
		return 1;
	}
	if (pvd_find_pipe(p.fd, o->index, &p.pipe)) {
		fprintf(stderr, "no pipe for connector %u\n", o->index);
		return 1;
	}
	p.mode = p.pipe.mode;
	if (o->mode_w && pvd_find_mode(p.fd, p.pipe.connector_id, o->mode_w, o->mode_h,
				       &p.mode)) {
		fprintf(stderr, "connector has no %ux%u mode\n", o->mode_w, o->mode_h);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		unsigned int w = o->fb_w ? o->fb_w : p.mode.hdisplay;
		unsigned int h = o->fb_h ? o->fb_h : p.mode.vdisplay;

		ret = pvd_fb_create_layout(p.fd, w, h, o->format, o->pad, o->offset,
					   &p.fb[i]);
		if (ret) {
			fprintf(stderr, "framebuffer: %s\n", strerror(-ret));
			return 1;
		}
		p.fb[i].view_x = o->view_x;
		p.fb[i].view_y = o->view_y;
	}
	ret = pvd_commit(p.fd, &p.pipe, &p.mode, &p.fb[0], NULL, 0, 0, NULL);
	if (ret) {
		fprintf(stderr, "modeset: %s\n", strerror(-ret));
		return 1;
	}

	/* O_RDWR: the FIFOs stay open between clients, so no spurious EOF. */
	cmd = fopen(cmd_path, "r+");
	ack = open(ack_path, O_RDWR);
	if (!cmd || ack < 0) {
		perror("fifo");
		return 1;
	}
	printf("ready %ux%u\n", p.mode.hdisplay, p.mode.vdisplay);
	fflush(stdout);

	while (fgets(line, sizeof(line), cmd)) {
		bool quit = !strncmp(line, "quit", 4);

		if (quit) {
			snprintf(reply, sizeof(reply), "ok");
		} else {
			ret = do_command(&p, line, reply, sizeof(reply));
			if (ret)
				snprintf(reply, sizeof(reply), "err %s", strerror(-ret));
		}
		strncat(reply, "\n", sizeof(reply) - strlen(reply) - 1);
		if (write(ack, reply, strlen(reply)) < 0)
			break;
		if (quit)
			break;
	}
	for (i = 0; i < 2; i++)
		pvd_fb_destroy(p.fd, &p.fb[i]);
	if (p.cursor.fb_id)
		pvd_fb_destroy(p.fd, &p.cursor);
	close(p.fd);
	unlink(cmd_path);
	unlink(ack_path);
	return 0;
}

static int send_cmd(const char *dir, int argc, char **argv)
{
	char path[256], line[8192] = "", reply[256];
	ssize_t n;
	int fd, i;

	for (i = 0; i < argc; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	/* Open the answer FIFO first so the server's reply cannot be missed. */
	snprintf(path, sizeof(path), "%s/ack", dir);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	{
		char cpath[256];
		int c;

		snprintf(cpath, sizeof(cpath), "%s/cmd", dir);
		c = open(cpath, O_WRONLY);
		if (c < 0 || write(c, line, strlen(line)) < 0) {
			perror(cpath);
			return 2;
		}
		close(c);
	}
	fcntl(fd, F_SETFL, 0);
	n = read(fd, reply, sizeof(reply) - 1);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "no answer\n");
		return 2;
	}
	reply[n] = 0;
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct options o = { .format = DRM_FORMAT_XRGB8888 };
	int a;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "send"))
		return send_cmd(argv[2], argc - 3, argv + 3);
	if (argc < 3 || strcmp(argv[1], "serve")) {
		fprintf(stderr, "usage: %s serve DIR [--connector N] [--mode WxH] [--format FOURCC]\n"
			"       %s send DIR COMMAND...\n", argv[0], argv[0]);
		return 2;
	}
	for (a = 3; a + 1 < argc; a += 2) {
		const char *v = argv[a + 1];

		if (!strcmp(argv[a], "--connector")) {
			o.index = strtoul(v, NULL, 0);
		} else if (!strcmp(argv[a], "--mode")) {
			if (sscanf(v, "%ux%u", &o.mode_w, &o.mode_h) != 2)
				return 2;
		} else if (!strcmp(argv[a], "--fb-size")) {
			if (sscanf(v, "%ux%u", &o.fb_w, &o.fb_h) != 2)
				return 2;
		} else if (!strcmp(argv[a], "--view")) {
			if (sscanf(v, "%u,%u", &o.view_x, &o.view_y) != 2)
				return 2;
		} else if (!strcmp(argv[a], "--pad")) {
			o.pad = strtoul(v, NULL, 0);
		} else if (!strcmp(argv[a], "--offset")) {
			o.offset = strtoul(v, NULL, 0);
		} else if (!strcmp(argv[a], "--format") && strlen(v) == 4) {
			o.format = fourcc_code(v[0], v[1], v[2], v[3]);
		} else {
			fprintf(stderr, "bad option %s\n", argv[a]);
			return 2;
		}
	}
	return serve(argv[2], &o);
}
