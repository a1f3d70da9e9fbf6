// SPDX-License-Identifier: MIT
/*
 * pvd_fbwrite: paint a rectangle into /dev/fbN through mmap (or write(2)),
 * the way legacy fbdev programs do, then exit.  Tests check that the host
 * shows it: the driver must turn fbdev deferred-I/O page faults into damage.
 *
 *   pvd_fbwrite [--dev /dev/fb0] [--syscall] X Y W H RRGGBB
 *   pvd_fbwrite [--dev /dev/fb0] --info     print "WxH bpp stride"
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static uint32_t pack(const struct fb_var_screeninfo *v, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return (r >> (8 - v->red.length)) << v->red.offset |
	       (g >> (8 - v->green.length)) << v->green.offset |
	       (b >> (8 - v->blue.length)) << v->blue.offset;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/fb0";
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	bool use_write = false, info = false;
	unsigned long x, y, w, h, r, c, cpp;
	uint32_t px;
	uint8_t *map, *line;
	int fd, a = 1;

	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "--dev") && a + 1 < argc) {
			dev = argv[++a];
		} else if (!strcmp(argv[a], "--syscall")) {
			use_write = true;
		} else if (!strcmp(argv[a], "--info")) {
			info = true;
		} else {
			fprintf(stderr, "bad option %s\n", argv[a]);
			return 2;
		}
		a++;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fd, FBIOGET_FSCREENINFO, &fix)) {
		perror(dev);
		return 1;
	}
	if (info) {
		printf("%ux%u %u %u\n", var.xres, var.yres, var.bits_per_pixel,
		       fix.line_length);
		return 0;
	}
	if (argc - a != 5) {
		fprintf(stderr, "usage: %s [--dev DEV] [--syscall] X Y W H RRGGBB\n",
			argv[0]);
		return 2;
	}
	x = strtoul(argv[a], NULL, 0);
	y = strtoul(argv[a + 1], NULL, 0);
	w = strtoul(argv[a + 2], NULL, 0);
	h = strtoul(argv[a + 3], NULL, 0);
	px = pack(&var, strtoul(argv[a + 4], NULL, 16));
	cpp = var.bits_per_pixel / 8;
	if (cpp != 4 && cpp != 2) {
		fprintf(stderr, "unsupported %u bpp\n", var.bits_per_pixel);
		return 1;
	}
	if (x + w > var.xres || y + h > var.yres) {
		fprintf(stderr, "rectangle outside %ux%u\n", var.xres, var.yres);
		return 1;
	}

	line = malloc(w * cpp);
	if (!line)
		return 1;
	for (c = 0; c < w; c++)
		memcpy(line + c * cpp, &px, cpp);

	if (use_write) {
		for (r = y; r < y + h; r++) {
			off_t at = (off_t)(r + var.yoffset) * fix.line_length + x * cpp;

			if (pwrite(fd, line, w * cpp, at) != (ssize_t)(w * cpp)) {
				perror("pwrite");
				return 1;
			}
		}
	} else {
		map = mmap(NULL, fix.smem_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (r = y; r < y + h; r++)
			memcpy(map + (r + var.yoffset) * fix.line_length + x * cpp, line,
			       w * cpp);
		munmap(map, fix.smem_len);
	}
	free(line);
	close(fd);
	return 0;
}
