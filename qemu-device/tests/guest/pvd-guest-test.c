/*
 * Userspace virtio-pvdisplay driver for device tests, run as /init of an
 * initramfs.  It finds the PCI device through sysfs, maps its BAR through
 * the resource file, builds a split virtqueue in pinned pages whose guest
 * physical addresses come from /proc/self/pagemap, and talks the wire
 * protocol directly: no kernel driver involved.
 *
 * The host steers it through the console: every "@@STEP name" line waits
 * for a line on stdin before going on, so the host can take a screendump
 * (or migrate) in between.  Checks print "@@OK name" or "@@FAIL name ...".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "standard-headers/drm/pvdisplay.h"

#define PAGE 4096
#define QSZ 16
#define XRGB8888 0x34325258
#define XBGR8888 0x34324258
#define RGB565   0x36314752
#define ARGB8888 0x34325241
#define CQSZ 256        /* cursor queue entries: 128 two-descriptor requests */

static int failures;

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    printf("@@FATAL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    exit(1);
}

static void ok(bool cond, const char *name, const char *fmt, ...)
{
    va_list ap;

    if (cond) {
        printf("@@OK %s\n", name);
    } else {
        failures++;
        printf("@@FAIL %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
}

static void step(const char *name)
{
    char line[64];

    printf("@@STEP %s\n", name);
    fflush(stdout);
    if (!fgets(line, sizeof(line), stdin)) {
        die("stdin closed at step %s", name);
    }
}

/* ------------------------------------------------------------------ */
/* Pinned memory with known guest physical addresses */

static int pagemap_fd = -1;

static uint64_t virt_to_phys(const void *p)
{
    uint64_t v = (uintptr_t)p, e;

    if (pread(pagemap_fd, &e, 8, (v / PAGE) * 8) != 8) {
        die("pagemap read: %s", strerror(errno));
    }
    if (!(e & (1ULL << 63))) {
        die("page %p not present", p);
    }
    return (e & ((1ULL << 55) - 1)) * PAGE + v % PAGE;
}

static void *alloc_pages(size_t n)
{
    void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED,
                   -1, 0);

    if (p == MAP_FAILED) {
        die("mmap %zu pages: %s", n, strerror(errno));
    }
    memset(p, 0, n * PAGE);
    return p;
}

/* ------------------------------------------------------------------ */
/* PCI and virtio transport */

static char devdir[300];
static volatile uint8_t *common, *notify, *devcfg;
static uint32_t notify_mult;

static volatile uint8_t *map_bar(int bar, uint32_t off)
{
    static void *bars[6];
    char path[400];
    int fd;

    if (!bars[bar]) {
        struct stat st;

        snprintf(path, sizeof(path), "%s/resource%d", devdir, bar);
        fd = open(path, O_RDWR | O_SYNC);
        if (fd < 0 || fstat(fd, &st) < 0) {
            die("open %s: %s", path, strerror(errno));
        }
        bars[bar] = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE,
                         MAP_SHARED, fd, 0);
        if (bars[bar] == MAP_FAILED) {
            char rpath[400], line[128];
            FILE *f;

            snprintf(rpath, sizeof(rpath), "%s/resource", devdir);
            f = fopen(rpath, "r");
            while (f && fgets(line, sizeof(line), f)) {
                printf("resource: %s", line);
            }
            die("mmap %s (size %lld): %s", path, (long long)st.st_size,
                strerror(errno));
        }
    }
    return (volatile uint8_t *)bars[bar] + off;
}

static bool find_device(void)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    bool found = false;

    if (!d) {
        die("no /sys/bus/pci/devices");
    }
    while ((e = readdir(d))) {
        char path[400], buf[64];
        unsigned vendor = 0, device = 0, class = 0, rev = 0;
        FILE *f;

        if (e->d_name[0] == '.') {
            continue;
        }
#define RD(name, var) \
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/" name, \
                 e->d_name); \
        f = fopen(path, "r"); \
        if (f) { \
            if (fgets(buf, sizeof(buf), f)) { \
                var = strtoul(buf, NULL, 0); \
            } \
            fclose(f); \
        }
        RD("vendor", vendor);
        RD("device", device);
        RD("class", class);
        RD("revision", rev);
#undef RD
        printf("pci %s %04x: %04x:%04x (rev %02x)\n", e->d_name, class >> 8,
               vendor, device, rev);
        if (vendor == PVDISPLAY_PCI_VENDOR_ID &&
            device == PVDISPLAY_PCI_DEVICE_ID && !found) {
            snprintf(devdir, sizeof(devdir), "/sys/bus/pci/devices/%s",
                     e->d_name);
            found = true;
            ok(class >> 8 == 0x0380, "pci-class", "class 0x%06x", class);
            ok(rev == 1, "pci-revision", "revision %u", rev);
        }
    }
    closedir(d);
    return found;
}

/* virtio-pci claims every 0x1af4 device: take this one back */
static void unbind_driver(void)
{
    char path[400], link[400];
    const char *bdf = strrchr(devdir, '/') + 1;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s/driver", devdir);
    n = readlink(path, link, sizeof(link) - 1);
    if (n < 0) {
        return;
    }
    link[n] = 0;
    printf("device bound to %s, unbinding\n", strrchr(link, '/') + 1);
    snprintf(path, sizeof(path), "%s/driver/unbind", devdir);
    fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, bdf, strlen(bdf)) < 0) {
        die("unbind: %s", strerror(errno));
    }
    close(fd);
}

static void setup_transport(void)
{
    uint8_t cfg[256];
    char path[400];
    uint8_t pos;
    uint16_t cmd;
    int fd;

    unbind_driver();

    snprintf(path, sizeof(path), "%s/config", devdir);
    fd = open(path, O_RDWR);
    if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg)) {
        die("read %s", path);
    }
    /* memory space + bus master */
    cmd = cfg[4] | (cfg[5] << 8);
    cmd |= 0x6;
    if (pwrite(fd, &cmd, 2, 4) != 2) {
        die("enable bus master");
    }
    close(fd);

    for (pos = cfg[0x34]; pos; pos = cfg[pos + 1]) {
        uint8_t type = cfg[pos + 3], bar = cfg[pos + 4];
        uint32_t off;

        if (cfg[pos] != 0x09) {
            continue;
        }
        memcpy(&off, &cfg[pos + 8], 4);
        switch (type) {
        case 1:
            common = map_bar(bar, off);
            break;
        case 2:
            notify = map_bar(bar, off);
            memcpy(&notify_mult, &cfg[pos + 16], 4);
            break;
        case 4:
            devcfg = map_bar(bar, off);
            break;
        }
    }
    if (!common || !notify || !devcfg) {
        die("virtio capabilities missing");
    }
}

#define R8(p, o)  (*(volatile uint8_t *)((p) + (o)))
#define R16(p, o) (*(volatile uint16_t *)((p) + (o)))
#define R32(p, o) (*(volatile uint32_t *)((p) + (o)))
#define R64(p, o) (*(volatile uint64_t *)((p) + (o)))

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static struct desc *vq_desc;
static volatile uint16_t *vq_avail;    /* flags, idx, ring[] */
static volatile uint8_t *vq_used;      /* flags, idx, {id, len}[] */
static uint16_t avail_idx, used_idx, notify_off;
static uint64_t features;

/* The cursor queue (2), set up when PVDISPLAY_F_CURSOR is negotiated. */
static struct desc *cq_desc;
static volatile uint16_t *cq_avail;
static volatile uint8_t *cq_used;

/*
 * Give the selected queue empty rings, one pinned page each (allocated the
 * first time), and enable it.
 */
static void ring_setup(struct desc **desc, volatile uint16_t **avail,
                       volatile uint8_t **used)
{
    if (!*desc) {
        *desc = alloc_pages(1);
        *avail = alloc_pages(1);
        *used = alloc_pages(1);
    }
    memset(*desc, 0, PAGE);
    memset((void *)*avail, 0, PAGE);
    memset((void *)*used, 0, PAGE);
    R64(common, 0x20) = virt_to_phys(*desc);
    R64(common, 0x28) = virt_to_phys((void *)*avail);
    R64(common, 0x30) = virt_to_phys((void *)*used);
    R16(common, 0x1c) = 1;                      /* queue_enable */
}

static void cursor_queue_init(void)
{
    R16(common, 0x16) = 2;
    R16(common, 0x18) = CQSZ;
    if (R16(common, 0x18) != CQSZ) {
        die("cursor queue of %u entries refused", CQSZ);
    }
    ring_setup(&cq_desc, &cq_avail, &cq_used);
}

static void virtio_init(uint64_t want)
{
    uint64_t dev;

    R8(common, 0x14) = 0;                       /* reset */
    while (R8(common, 0x14)) {
    }
    R8(common, 0x14) = 1;                       /* ACKNOWLEDGE */
    R8(common, 0x14) = 1 | 2;                   /* DRIVER */
    R32(common, 0x00) = 0;
    dev = R32(common, 0x04);
    R32(common, 0x00) = 1;
    dev |= (uint64_t)R32(common, 0x04) << 32;
    printf("device features 0x%016llx\n", (unsigned long long)dev);
    features = dev & want;
    R32(common, 0x08) = 0;
    R32(common, 0x0c) = (uint32_t)features;
    R32(common, 0x08) = 1;
    R32(common, 0x0c) = features >> 32;
    R8(common, 0x14) = 1 | 2 | 8;               /* FEATURES_OK */
    if (!(R8(common, 0x14) & 8)) {
        die("FEATURES_OK refused for 0x%llx", (unsigned long long)features);
    }

    R16(common, 0x16) = 0;                      /* queue 0 */
    if (R16(common, 0x18) < QSZ) {
        die("queue too small");
    }
    R16(common, 0x18) = QSZ;
    notify_off = R16(common, 0x1e);
    avail_idx = used_idx = 0;
    ring_setup(&vq_desc, &vq_avail, &vq_used);
    if (features & (1ULL << PVDISPLAY_F_CURSOR)) {
        cursor_queue_init();
    }
    R8(common, 0x14) = 1 | 2 | 8 | 4;           /* DRIVER_OK */
}

/*
 * Submit one request: out buffers then in buffers, each a (ptr, len) that
 * lies inside one page.  Returns the used length.
 */
struct seg {
    void *p;
    uint32_t len;
    bool write;
    uint64_t phys;      /* if non-zero: use this address, ignore @p */
};

static uint32_t submit(struct seg *s, int n)
{
    uint16_t want;
    int i;

    if (n > QSZ) {
        die("too many segments");
    }
    for (i = 0; i < n; i++) {
        vq_desc[i].addr = s[i].phys ? s[i].phys : virt_to_phys(s[i].p);
        vq_desc[i].len = s[i].len;
        vq_desc[i].flags = (i + 1 < n ? 1 : 0) | (s[i].write ? 2 : 0);
        vq_desc[i].next = i + 1;
    }
    vq_avail[2 + avail_idx % QSZ] = 0;
    __sync_synchronize();
    vq_avail[1] = ++avail_idx;
    __sync_synchronize();
    R16(notify, notify_off * notify_mult) = 0;
    want = used_idx + 1;
    while (*(volatile uint16_t *)(vq_used + 2) != want) {
        __sync_synchronize();
        if (R8(common, 0x14) & 0x40) {
            die("device set DEVICE_NEEDS_RESET");
        }
    }
    used_idx = want;
    return *(volatile uint32_t *)(vq_used + 4 + (used_idx - 1) % QSZ * 8 + 4);
}

/* One-page request and response buffers. */
static uint8_t *req, *resp;

static uint32_t status_of(uint32_t used)
{
    return used >= 8 ? ((uint32_t *)resp)[0] : 0xdeadbeef;
}

static uint32_t cmd(size_t req_len, size_t resp_len, uint32_t *used)
{
    struct seg s[2] = {
        { req, req_len, false, 0 },
        { resp, resp_len, true, 0 },
    };
    uint32_t u;

    memset(resp, 0xee, PAGE);
    u = submit(s, 2);
    if (used) {
        *used = u;
    }
    return status_of(u);
}

static void hdr(uint32_t type)
{
    memset(req, 0, PAGE);
    ((uint32_t *)req)[0] = type;
}

/* ------------------------------------------------------------------ */
/* Resources */

struct fb {
    uint32_t id, w, h, stride, cpp, format;
    size_t pages;
    uint8_t *mem;
};

/*
 * Share @fb as a resource; entries are coalesced runs of contiguous pages
 * unless @per_page, and sent in a request spread over several pages.
 */
static uint32_t resource_create(struct fb *fb, bool per_page,
                                uint64_t bad_addr)
{
    static uint8_t *big;
    struct pvdisplay_cmd_resource_create *c;
    struct pvdisplay_mem_entry *ents;
    struct seg s[QSZ];
    uint32_t n = 0, i, u, nseg = 0;
    size_t len;

    if (!big) {
        big = alloc_pages(15);
    }
    memset(big, 0, 15 * PAGE);
    c = (void *)big;
    ents = (void *)(big + sizeof(*c));
    for (i = 0; i < fb->pages; i++) {
        uint64_t pa = virt_to_phys(fb->mem + (size_t)i * PAGE);

        if (!per_page && n && ents[n - 1].addr + ents[n - 1].length == pa) {
            ents[n - 1].length += PAGE;
        } else {
            ents[n].addr = pa;
            ents[n].length = PAGE;
            n++;
        }
    }
    if (bad_addr) {
        ents[n / 2].addr = bad_addr;
    }
    c->hdr.type = PVDISPLAY_CMD_RESOURCE_CREATE;
    c->resource_id = fb->id;
    c->nr_entries = n;
    c->size = (uint64_t)fb->pages * PAGE;
    len = sizeof(*c) + n * sizeof(*ents);
    for (i = 0; len; i++) {
        uint32_t l = len > PAGE ? PAGE : len;

        s[nseg++] = (struct seg){ big + i * PAGE, l, false, 0 };
        len -= l;
    }
    s[nseg++] = (struct seg){ resp, 8, true, 0 };
    u = submit(s, nseg);
    return status_of(u);
}

static void fb_alloc(struct fb *fb, uint32_t id, uint32_t w, uint32_t h,
                     uint32_t format, uint32_t stride)
{
    fb->id = id;
    fb->w = w;
    fb->h = h;
    fb->format = format;
    fb->cpp = format == RGB565 ? 2 : 4;
    fb->stride = stride ? stride : w * fb->cpp;
    fb->pages = ((size_t)fb->stride * h + PAGE - 1) / PAGE;
    fb->mem = alloc_pages(fb->pages);
}

/* The test pattern: colour depends on (x, y), host recomputes it. */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t salt)
{
    return ((x * 7 + salt) & 0xff) << 16 | ((y * 3) & 0xff) << 8 |
           ((x ^ y ^ salt) & 0xff);
}

static void fb_fill(struct fb *fb, uint32_t x0, uint32_t y0, uint32_t w,
                    uint32_t h, uint32_t salt)
{
    uint32_t x, y;

    for (y = y0; y < y0 + h; y++) {
        for (x = x0; x < x0 + w; x++) {
            uint32_t rgb = pattern(x, y, salt);
            uint8_t *p = fb->mem + (size_t)y * fb->stride + x * fb->cpp;

            if (fb->format == XRGB8888) {
                *(uint32_t *)p = 0xff000000 | rgb;
            } else if (fb->format == XBGR8888) {
                *(uint32_t *)p = (rgb >> 16 & 0xff) | (rgb & 0xff00) |
                                 (rgb & 0xff) << 16;
            } else {
                *(uint16_t *)p = ((rgb >> 19) & 0x1f) << 11 |
                                 ((rgb >> 10) & 0x3f) << 5 | ((rgb >> 3) & 0x1f);
            }
        }
    }
}

struct upd {
    uint32_t head;
    struct fb *fb;
    uint32_t src_x, src_y, src_w, src_h;
    uint32_t nr_rects;
    struct pvdisplay_rect rects[16];
    bool no_regions;
};

/* Send a SCANOUT_UPDATE; regions are computed from the rects. */
static uint32_t scanout(struct upd *u)
{
    struct pvdisplay_cmd_scanout_update *c = (void *)req;
    struct pvdisplay_rect *r = (void *)(req + sizeof(*c));
    struct pvdisplay_region *g;
    uint32_t i, ng = 0;
    uint64_t size;

    memset(req, 0, PAGE);
    c->hdr.type = PVDISPLAY_CMD_SCANOUT_UPDATE;
    c->head = u->head;
    if (u->fb) {
        size = (uint64_t)u->fb->pages * PAGE;
        c->resource_id = u->fb->id;
        c->format = u->fb->format;
        c->stride = u->fb->stride;
        c->fb_width = u->fb->w;
        c->fb_height = u->fb->h;
        c->src_x = u->src_x;
        c->src_y = u->src_y;
        c->src_width = u->src_w ? u->src_w : u->fb->w;
        c->src_height = u->src_h ? u->src_h : u->fb->h;
        c->nr_rects = u->nr_rects;
        memcpy(r, u->rects, u->nr_rects * sizeof(*r));
        g = (void *)(r + u->nr_rects);
        for (i = 0; i < u->nr_rects && !u->no_regions; i++) {
            uint64_t s = (uint64_t)r[i].y * u->fb->stride +
                         (uint64_t)r[i].x * u->fb->cpp;
            uint64_t e = (uint64_t)(r[i].y + r[i].height - 1) *
                         u->fb->stride +
                         (uint64_t)(r[i].x + r[i].width) * u->fb->cpp;

            s &= ~(uint64_t)(PAGE - 1);
            e = (e + PAGE - 1) & ~(uint64_t)(PAGE - 1);
            if (e > size) {
                e = size;
            }
            /* merge with the previous region when they overlap/touch */
            if (ng && s <= g[ng - 1].offset + g[ng - 1].length) {
                if (e > g[ng - 1].offset + g[ng - 1].length) {
                    g[ng - 1].length = e - g[ng - 1].offset;
                }
            } else {
                g[ng].offset = s;
                g[ng].length = e - s;
                ng++;
            }
        }
        c->nr_regions = ng;
    }
    return cmd(sizeof(*c) + (c->nr_rects + c->nr_regions) * 16, 8, NULL);
}

/* ------------------------------------------------------------------ */

static void test_info(void)
{
    struct pvdisplay_resp_display_info *di = (void *)resp;
    struct pvdisplay_resp_edid *ed = (void *)resp;
    uint32_t used, st, i;

    printf("config: events 0x%x heads %u max %ux%u\n", R32(devcfg, 0),
           R32(devcfg, 8), R32(devcfg, 12), R32(devcfg, 16));
    ok(R32(devcfg, 8) == 2, "config-num-heads", "%u", R32(devcfg, 8));
    ok(R32(devcfg, 12) == 7680 && R32(devcfg, 16) == 4320, "config-max",
       "%ux%u", R32(devcfg, 12), R32(devcfg, 16));

    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    st = cmd(8, sizeof(*di), &used);
    ok(st == 0 && used == sizeof(*di), "display-info", "st 0x%x used %u",
       st, used);
    for (i = 0; i < di->num_heads; i++) {
        printf("head %u: flags %u %ux%u+%u+%u %u mHz %ux%u mm\n", i,
               di->heads[i].flags, di->heads[i].width, di->heads[i].height,
               di->heads[i].x, di->heads[i].y, di->heads[i].refresh_mhz,
               di->heads[i].width_mm, di->heads[i].height_mm);
    }
    ok(di->num_heads == 2 && di->heads[0].flags == 1 &&
       di->heads[0].width == 1024 && di->heads[0].height == 768 &&
       di->heads[1].x == 1024 && di->heads[0].refresh_mhz == 60000,
       "display-info-values", "unexpected");
    ok(di->heads[2].flags == 0 && di->heads[2].width == 0,
       "display-info-unused-zero", "");

    hdr(PVDISPLAY_CMD_GET_EDID);
    ((uint32_t *)req)[2] = 1;
    st = cmd(16, sizeof(*ed), &used);
    ok(st == 0 && used == sizeof(*ed) && (ed->size == 256 || ed->size == 384)
       && ed->edid[0] == 0 && ed->edid[1] == 0xff, "edid",
       "st 0x%x used %u size %u", st, used, ed->size);
    printf("edid:");
    for (i = 0; i < ed->size; i++) {
        printf("%02x", ed->edid[i]);
    }
    printf("\n");
}

static void test_errors(struct fb *fb)
{
    struct pvdisplay_cmd_scanout_update *c = (void *)req;
    struct upd u = { .fb = fb };
    uint32_t st, used;

    hdr(0x1234);
    ok(cmd(8, 8, NULL) == PVDISPLAY_STATUS_ERR_UNSUPPORTED, "err-unknown", "");
    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    ((uint32_t *)req)[1] = 1;
    ok(cmd(8, 1024, NULL) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "err-flags", "");
    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    st = cmd(8, 100, &used);
    ok(st == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER && used == 8,
       "err-small-response", "st 0x%x used %u", st, used);
    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    st = cmd(8, 4, &used);
    ok(used == 0, "err-no-room-for-status", "used %u", used);
    hdr(PVDISPLAY_CMD_RESOURCE_DESTROY);
    ok(cmd(12, 8, NULL) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "err-short-request", "");
    hdr(PVDISPLAY_CMD_RESOURCE_DESTROY);
    ((uint32_t *)req)[2] = 999;
    ok(cmd(16, 8, NULL) == PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
       "err-destroy-unknown", "");
    hdr(PVDISPLAY_CMD_GET_EDID);
    ((uint32_t *)req)[2] = 2;
    ok(cmd(16, 2048, NULL) == PVDISPLAY_STATUS_ERR_INVALID_HEAD,
       "err-edid-head", "");

    u.head = 2;
    ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_HEAD, "err-scanout-head",
       "");
    u.head = 0;
    u.src_w = fb->w + 1;
    ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "err-src-outside", "");
    u.src_w = 0;
    u.nr_rects = 1;
    u.rects[0] = (struct pvdisplay_rect){ 10, 10, 10, 10 };
    u.no_regions = true;
    ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "err-uncovered-damage", "");
    /* a bad stride, with otherwise valid fields */
    u.no_regions = false;
    u.nr_rects = 0;
    scanout(&u);
    c->stride = fb->w * 4 - 1;
    ok(cmd(64, 8, NULL) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "err-stride", "");

    /* memory that is not RAM: the IO-APIC and far above RAM */
    {
        struct fb bad = *fb;

        bad.id = 50;
        ok(resource_create(&bad, false, 0xfec00000) ==
           PVDISPLAY_STATUS_ERR_INVALID_PARAMETER, "err-mmio-entry", "");
        ok(resource_create(&bad, false, 0x4000000000ULL) ==
           PVDISPLAY_STATUS_ERR_INVALID_PARAMETER, "err-unmapped-entry", "");
        ok(resource_create(&bad, false, 0xfffffffffffff000ULL) ==
           PVDISPLAY_STATUS_ERR_INVALID_PARAMETER, "err-top-entry", "");
        bad.id = fb->id;
        ok(resource_create(&bad, false, 0) ==
           PVDISPLAY_STATUS_ERR_INVALID_RESOURCE, "err-id-in-use", "");
    }
    /* nr_entries larger than the readable part */
    {
        struct pvdisplay_cmd_resource_create *rc = (void *)req;

        hdr(PVDISPLAY_CMD_RESOURCE_CREATE);
        rc->resource_id = 60;
        rc->nr_entries = PVDISPLAY_MAX_MEM_ENTRIES;
        rc->size = PVDISPLAY_MAX_RESOURCE_SIZE;
        ok(cmd(PAGE, 8, NULL) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
           "err-entries-truncated", "");
    }
}


static bool wait_display_event(void)
{
    int i;

    for (i = 0; i < 500; i++) {
        if (R32(devcfg, 0) & PVDISPLAY_EVENT_DISPLAY) {
            return true;
        }
        usleep(10000);
    }
    return false;
}

static void display_info(struct pvdisplay_resp_display_info *di)
{
    uint32_t st;

    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    st = cmd(8, sizeof(*di), NULL);
    if (st) {
        die("GET_DISPLAY_INFO: 0x%x", st);
    }
    memcpy(di, resp, sizeof(*di));
}

/* EDID of @head into @ed; returns the preferred (first DTD) size. */
static void edid_of(uint32_t head, struct pvdisplay_resp_edid *ed,
                    uint32_t *w, uint32_t *h)
{
    uint32_t st;

    hdr(PVDISPLAY_CMD_GET_EDID);
    ((uint32_t *)req)[2] = head;
    st = cmd(16, sizeof(*ed), NULL);
    if (st) {
        die("GET_EDID: 0x%x", st);
    }
    memcpy(ed, resp, sizeof(*ed));
    *w = *h = 0;
    if (ed->size >= 128 && (ed->edid[54] || ed->edid[55])) {
        *w = ed->edid[56] | (ed->edid[58] & 0xf0) << 4;
        *h = ed->edid[59] | (ed->edid[61] & 0xf0) << 4;
    }
}

/* The host resized the VNC client window: the host asks for a new mode. */
static void test_ui_info(const char *name, uint32_t want_w, uint32_t want_h,
                         uint32_t want_edid_size)
{
    struct pvdisplay_resp_display_info di;
    struct pvdisplay_resp_edid ed;
    char n[64];
    uint32_t w, h, clear = PVDISPLAY_EVENT_DISPLAY;

    snprintf(n, sizeof(n), "%s-event", name);
    ok(wait_display_event(), n, "events_pending 0x%x", R32(devcfg, 0));
    R32(devcfg, 4) = clear;
    snprintf(n, sizeof(n), "%s-event-cleared", name);
    ok(!(R32(devcfg, 0) & PVDISPLAY_EVENT_DISPLAY) && R32(devcfg, 4) == 0, n,
       "pending 0x%x clear reads 0x%x", R32(devcfg, 0), R32(devcfg, 4));

    display_info(&di);
    snprintf(n, sizeof(n), "%s-display-info", name);
    ok(di.heads[0].flags == PVDISPLAY_HEAD_CONNECTED &&
       di.heads[0].width == want_w && di.heads[0].height == want_h, n,
       "head 0 flags %u %ux%u", di.heads[0].flags, di.heads[0].width,
       di.heads[0].height);
    /* head 1 moves right of the new head 0 */
    snprintf(n, sizeof(n), "%s-layout", name);
    ok(di.heads[1].x == want_w, n, "head 1 x %u", di.heads[1].x);

    edid_of(0, &ed, &w, &h);
    snprintf(n, sizeof(n), "%s-edid", name);
    ok(ed.size == want_edid_size &&
       (want_edid_size == 384 || (w == want_w && h == want_h)), n,
       "size %u preferred %ux%u", ed.size, w, h);
}

/* The modes the issue asks for are in every EDID when max allows them. */
static void test_edid_modes(void)
{
    struct pvdisplay_resp_edid ed;
    uint32_t w, h, i;
    bool m640 = false, m1024 = false, m1080 = false, m2160 = false;

    edid_of(0, &ed, &w, &h);
    m640 = ed.edid[35] & (1 << 5);              /* established 640x480@60 */
    m1024 = ed.edid[36] & (1 << 3);             /* established 1024x768@60 */
    for (i = 38; i < 54; i += 2) {              /* standard timings */
        if (ed.edid[i] == (1920 / 8 - 31) && (ed.edid[i + 1] >> 6) == 3) {
            m1080 = true;
        }
    }
    if (ed.size >= 256 && ed.edid[128] == 0x02) {   /* CTA block */
        uint8_t *cta = ed.edid + 128, *db = cta + 4;

        while (db < cta + cta[2]) {
            uint8_t tag = db[0] >> 5, len = db[0] & 0x1f;

            for (i = 1; tag == 2 && i <= len; i++) {
                if ((db[i] & 0x7f) == 97 || (db[i] & 0x7f) == 96) {
                    m2160 = true;               /* VIC 96/97: 3840x2160 */
                }
                if ((db[i] & 0x7f) == 16 || (db[i] & 0x7f) == 31) {
                    m1080 = true;
                }
            }
            db += len + 1;
        }
    }
    ok(m640 && m1024 && m1080 && m2160, "edid-modes",
       "640x480 %d 1024x768 %d 1920x1080 %d 3840x2160 %d", m640, m1024,
       m1080, m2160);
}

/* max-hostmem is 8 MiB for this test VM. */
static void test_budget(void)
{
    struct pvdisplay_cmd_resource_create *rc = (void *)req;
    struct seg s[3];
    uint32_t st;

    /* bookkeeping of 2^18 entries (9 MiB) does not fit either */
    hdr(PVDISPLAY_CMD_RESOURCE_CREATE);
    rc->resource_id = 77;
    rc->nr_entries = PVDISPLAY_MAX_MEM_ENTRIES;
    rc->size = PVDISPLAY_MAX_RESOURCE_SIZE;
    s[0] = (struct seg){ req, sizeof(*rc), false, 0 };
    /* the entries: 4 MiB of any guest RAM, never read */
    s[1] = (struct seg){ NULL, PVDISPLAY_MAX_MEM_ENTRIES * 16, false,
                         0x1000000 };
    s[2] = (struct seg){ resp, 8, true, 0 };
    st = status_of(submit(s, 3));
    ok(st == PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY, "budget-resource",
       "st 0x%x", st);
}

/* A surface that does not fit the budget: rejected, old picture stays. */
static void test_budget_surface(uint32_t head, struct fb *fb)
{
    struct upd u;
    uint32_t st;

    memset(&u, 0, sizeof(u));
    u.head = head;
    u.fb = fb;
    u.src_w = fb->w;
    u.src_h = fb->h;
    st = scanout(&u);
    ok(st == PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY, "budget-surface",
       "st 0x%x", st);
}

/*
 * A head turned off shows a placeholder of its size, charged to the budget
 * until it shows something again, however often it is turned off.  Head 0
 * shows fb2 (1024x768, a 3 MiB copy), head 1 fb1 (640x400, 1 MiB).  With
 * head 0 off twice, a 1600x1100 copy (6.7 MiB) on head 1 only fits in the
 * 8 MiB budget if the placeholder's charge was dropped.  Then both heads
 * are as before.
 */
static void test_budget_placeholder(struct fb *fb2)
{
    struct fb big;
    struct upd u;
    uint32_t st;

    fb_alloc(&big, 90, 1600, 1100, XBGR8888, 0);
    st = resource_create(&big, false, 0);
    ok(st == 0, "create-big", "st 0x%x", st);
    memset(&u, 0, sizeof(u));
    st = scanout(&u);
    ok(st == 0, "head0-off", "st 0x%x", st);
    st = scanout(&u);
    ok(st == 0, "head0-off-again", "st 0x%x", st);
    u.head = 1;
    u.fb = &big;
    st = scanout(&u);
    ok(st == PVDISPLAY_STATUS_ERR_OUT_OF_MEMORY, "budget-placeholder",
       "st 0x%x", st);

    hdr(PVDISPLAY_CMD_RESOURCE_DESTROY);
    ((uint32_t *)req)[2] = big.id;
    st = cmd(16, 8, NULL);
    ok(st == 0, "destroy-big", "st 0x%x", st);
    munmap(big.mem, big.pages * PAGE);
    memset(&u, 0, sizeof(u));
    u.fb = fb2;
    st = scanout(&u);
    ok(st == 0, "head0-on-again", "st 0x%x", st);
}

/*
 * RESOURCE_DESTROY handles every request already on the cursor queue
 * first, however many (the header's rule): 100 CURSOR_SETs of an image in
 * a resource are put on the cursor queue without a notification, then the
 * resource is destroyed.  By the time the destroy is answered all of them
 * must be answered, and OK: one handled after it finds no resource.
 */
static void test_cursor_drain(void)
{
    struct pvdisplay_cmd_cursor_set *c;
    uint8_t *creq = alloc_pages(1), *cresp = alloc_pages(1);
    uint32_t i, st, good = 0;
    uint16_t used;
    struct fb img;

    fb_alloc(&img, 95, 64, 64, ARGB8888, 0);
    memset(img.mem, 0x80, img.pages * PAGE);
    st = resource_create(&img, false, 0);
    ok(st == 0, "cursor-drain-create", "st 0x%x", st);

    c = (void *)creq;
    c->hdr.type = PVDISPLAY_CMD_CURSOR_SET;
    c->resource_id = img.id;
    c->format = ARGB8888;
    c->stride = img.stride;
    c->width = 64;
    c->height = 64;
    c->x = 10;
    c->y = 20;
    memset(cresp, 0xee, PAGE);
    for (i = 0; i < 100; i++) {
        cq_desc[2 * i] = (struct desc){ virt_to_phys(creq), sizeof(*c), 1,
                                        2 * i + 1 };
        cq_desc[2 * i + 1] = (struct desc){ virt_to_phys(cresp + 8 * i), 8,
                                            2, 0 };
        cq_avail[2 + i] = 2 * i;
    }
    __sync_synchronize();
    cq_avail[1] = 100;          /* no notification: only the destroy runs it */
    __sync_synchronize();

    hdr(PVDISPLAY_CMD_RESOURCE_DESTROY);
    ((uint32_t *)req)[2] = img.id;
    st = cmd(16, 8, NULL);
    __sync_synchronize();
    used = *(volatile uint16_t *)(cq_used + 2);
    for (i = 0; i < 100; i++) {
        good += ((uint32_t *)(cresp + 8 * i))[0] == PVDISPLAY_STATUS_OK;
    }
    ok(st == 0 && used == 100 && good == 100, "cursor-drain-before-destroy",
       "destroy 0x%x, %u answered, %u OK", st, used, good);
    munmap(img.mem, img.pages * PAGE);
}

/* "NAME=value" from the kernel command line, or @def. */
static unsigned int cmdline_uint(const char *name, unsigned int def)
{
    char line[1024], *p;
    FILE *f = fopen("/proc/cmdline", "r");

    if (!f) {
        return def;
    }
    p = fgets(line, sizeof(line), f) ? strstr(line, name) : NULL;
    fclose(f);
    return p ? strtoul(p + strlen(name), NULL, 0) : def;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Garbage of every kind; the device must answer each and keep working. */
static void test_random(struct fb *fb, unsigned int n)
{
    static const uint64_t addrs[] = {
        0, 0x1000, 0xa0000, 0xfec00000, 0xfee00000, 0xfebf8000,
        0xffffffff, 0x100000000ULL, 0xfffffffffffff000ULL,
    };
    struct pvdisplay_resp_display_info di;
    unsigned int i, answered = 0;

    for (i = 0; i < n; i++) {
        uint32_t *w = (uint32_t *)req;
        size_t len = 8 + rnd() % 600, j;
        struct seg s[2];
        int ns = 0;
        uint32_t u;

        memset(req, 0, PAGE);
        for (j = 0; j < len / 4; j++) {
            switch (rnd() % 6) {
            case 0: w[j] = rnd(); break;
            case 1: w[j] = rnd() % 8; break;
            case 2: w[j] = rnd() % 2000; break;
            default: w[j] = 0; break;
            }
        }
        w[0] = (rnd() % 8) ? PVDISPLAY_CMD_GET_DISPLAY_INFO + rnd() % 5
                           : (uint32_t)rnd();
        if (rnd() % 4) {
            w[1] = 0;
        }
        if (w[0] == PVDISPLAY_CMD_RESOURCE_CREATE) {
            w[2] = 100 + rnd() % 4;
            w[3] = rnd() % 4 ? 1 + rnd() % 30 : (uint32_t)rnd();
            for (j = 0; j < 30 && 24 + j * 16 + 16 <= PAGE; j++) {
                uint64_t a = (rnd() % 2) ? virt_to_phys(fb->mem) + j * PAGE
                             : addrs[rnd() % (sizeof(addrs) / 8)];
                memcpy(req + 24 + j * 16, &a, 8);
                w[(24 + j * 16 + 8) / 4] = rnd() % 3 ? PAGE : rnd();
                w[(24 + j * 16 + 12) / 4] = rnd() % 8 ? 0 : 1;
            }
            *(uint64_t *)(req + 16) = rnd() % 2 ? (uint64_t)w[3] * PAGE
                                                : rnd() % (1ULL << 31);
            len = 24 + 30 * 16;
        }
        if (w[0] == PVDISPLAY_CMD_SCANOUT_UPDATE && rnd() % 2) {
            w[3] = rnd() % 2 ? fb->id : 100 + rnd() % 4;
            w[4] = fb->format;
            w[6] = fb->stride;
            w[7] = rnd() % 2 ? fb->w : rnd() % 2000;
            w[8] = rnd() % 2 ? fb->h : rnd() % 2000;
        }
        if (rnd() % 16) {
            s[ns++] = (struct seg){ req, len, false, 0 };
        }
        if (rnd() % 16) {
            s[ns++] = (struct seg){ resp, rnd() % 2 ? PAGE : 1 + rnd() % 20,
                                    true, 0 };
        }
        if (!ns) {
            continue;
        }
        u = submit(s, ns);
        answered += u >= 8;
    }
    display_info(&di);
    ok(di.hdr.status == 0 && di.num_heads == 2, "random-survived",
       "%u requests, %u answered with a status", n, answered);
    printf("random: %u requests, %u with a status\n", n, answered);
}

int main(void)
{
    struct fb fb0, fb1, fb2, fb3;
    struct upd u;
    uint32_t st;
    uint64_t want = (1ULL << PVDISPLAY_F_EDID) |
                    (1ULL << PVDISPLAY_F_MULTI_HEAD) |
                    (1ULL << PVDISPLAY_F_EXTRA_FORMATS) | (1ULL << 32);

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pvd-guest-test starting\n");

    pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
    if (pagemap_fd < 0) {
        die("pagemap");
    }
    if (!find_device()) {
        die("virtio-pvdisplay-pci not found");
    }
    printf("device at %s\n", devdir);
    setup_transport();
    virtio_init(want);
    ok(features == want, "features", "negotiated 0x%llx",
       (unsigned long long)features);
    req = alloc_pages(1);
    resp = alloc_pages(1);

    test_info();
    test_edid_modes();

    /* head 0: 640x480 XRGB8888, entries page by page */
    fb_alloc(&fb0, 1, 640, 480, XRGB8888, 0);
    fb_fill(&fb0, 0, 0, 640, 480, 0);
    st = resource_create(&fb0, true, 0);
    ok(st == 0, "create-fb0", "st 0x%x", st);
    memset(&u, 0, sizeof(u));
    u.fb = &fb0;
    st = scanout(&u);
    ok(st == 0, "scanout-fb0", "st 0x%x", st);
    step("full-640x480");

    /* damage one small rect: change it in memory, update only it */
    fb_fill(&fb0, 100, 50, 30, 20, 1);
    fb_fill(&fb0, 300, 300, 10, 10, 1);   /* changed but not reported */
    u.nr_rects = 1;
    u.rects[0] = (struct pvdisplay_rect){ 100, 50, 30, 20 };
    st = scanout(&u);
    ok(st == 0, "damage-one", "st 0x%x", st);
    step("damage-one");

    /* two far-apart rects, one on the last row and column */
    fb_fill(&fb0, 0, 0, 8, 8, 2);
    fb_fill(&fb0, 630, 470, 10, 10, 2);
    u.nr_rects = 2;
    u.rects[0] = (struct pvdisplay_rect){ 0, 0, 8, 8 };
    u.rects[1] = (struct pvdisplay_rect){ 630, 470, 10, 10 };
    st = scanout(&u);
    ok(st == 0, "damage-two", "st 0x%x", st);
    step("damage-two");

    test_errors(&fb0);
    test_budget();
    step("after-errors");

    /* head 1: XBGR8888 with a padded stride, showing a sub-rectangle */
    fb_alloc(&fb1, 2, 800, 600, XBGR8888, 800 * 4 + 256);
    fb_fill(&fb1, 0, 0, 800, 600, 3);
    st = resource_create(&fb1, false, 0);
    ok(st == 0, "create-fb1", "st 0x%x", st);
    memset(&u, 0, sizeof(u));
    u.head = 1;
    u.fb = &fb1;
    u.src_x = 100;
    u.src_y = 50;
    u.src_w = 640;
    u.src_h = 400;
    st = scanout(&u);
    ok(st == 0, "scanout-fb1", "st 0x%x", st);

    /* head 0: switch to RGB565 1024x768 */
    fb_alloc(&fb2, 3, 1024, 768, RGB565, 0);
    fb_fill(&fb2, 0, 0, 1024, 768, 4);
    st = resource_create(&fb2, false, 0);
    ok(st == 0, "create-fb2", "st 0x%x", st);
    memset(&u, 0, sizeof(u));
    u.fb = &fb2;
    st = scanout(&u);
    ok(st == 0, "scanout-fb2", "st 0x%x", st);

    /* 1920x1080 on head 1 would take the budget over 8 MiB */
    fb_alloc(&fb3, 4, 1920, 1080, XRGB8888, 0);
    st = resource_create(&fb3, false, 0);
    ok(st == 0, "create-fb3", "st 0x%x", st);
    test_budget_surface(1, &fb3);
    step("formats");
    test_budget_placeholder(&fb2);

    /* host resizes its window through VNC (head 0) */
    step("vnc-resize");
    test_ui_info("ui-1600x900", 1600, 900, 256);
    step("vnc-resize-large");
    test_ui_info("ui-5120x2880", 5120, 2880, 384);
    step("vnc-resize-clamped");
    test_ui_info("ui-clamped", 7680, 4320, 384);

    /* migration happens here; afterwards keep drawing */
    step("before-migration");
    fb_fill(&fb2, 500, 400, 40, 40, 5);
    memset(&u, 0, sizeof(u));
    u.fb = &fb2;
    u.nr_rects = 1;
    u.rects[0] = (struct pvdisplay_rect){ 500, 400, 40, 40 };
    st = scanout(&u);
    ok(st == 0, "damage-after-migration", "st 0x%x", st);
    step("after-migration");

    /* destroying the resource of head 1 disables it */
    hdr(PVDISPLAY_CMD_RESOURCE_DESTROY);
    ((uint32_t *)req)[2] = fb1.id;
    st = cmd(16, 8, NULL);
    ok(st == 0, "destroy-fb1", "st 0x%x", st);
    memset(&u, 0, sizeof(u));
    u.head = 1;
    u.fb = &fb1;
    ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
       "scanout-destroyed", "");
    step("head1-off");

    test_random(&fb0, cmdline_uint("pvd.random=", 20000));
    step("after-random");

    /* device reset drops every resource and disables every head */
    virtio_init(want);
    ok(R32(devcfg, 0) == 0, "reset-events-cleared", "0x%x", R32(devcfg, 0));
    memset(&u, 0, sizeof(u));
    u.fb = &fb2;
    ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_RESOURCE,
       "reset-resources-dropped", "");
    step("after-reset");

    /* without MULTI_HEAD the device exposes head 0 only */
    virtio_init(want & ~(1ULL << PVDISPLAY_F_MULTI_HEAD));
    {
        struct pvdisplay_resp_display_info di;

        display_info(&di);
        ok(R32(devcfg, 8) == 1 && di.num_heads == 1 &&
           di.heads[1].flags == 0, "single-head-without-feature",
           "config %u info %u", R32(devcfg, 8), di.num_heads);
        u.head = 1;
        u.fb = NULL;
        ok(scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_HEAD,
           "single-head-rejects-head-1", "");
    }
    /* without EXTRA_FORMATS, RGB565 is refused */
    virtio_init(want & ~(1ULL << PVDISPLAY_F_EXTRA_FORMATS));
    fb2.id = 9;
    st = resource_create(&fb2, false, 0);
    memset(&u, 0, sizeof(u));
    u.fb = &fb2;
    ok(st == 0 && scanout(&u) == PVDISPLAY_STATUS_ERR_INVALID_PARAMETER,
       "rgb565-needs-extra-formats", "create 0x%x", st);
    /* without EDID, GET_EDID is unsupported */
    virtio_init(want & ~(1ULL << PVDISPLAY_F_EDID));
    hdr(PVDISPLAY_CMD_GET_EDID);
    ok(cmd(16, sizeof(struct pvdisplay_resp_edid), NULL) ==
       PVDISPLAY_STATUS_ERR_UNSUPPORTED, "edid-needs-feature", "");
    /*
     * A driver that does not negotiate VERSION_1 (QEMU's virtio core lets
     * it set FEATURES_OK) gets every request refused.
     */
    virtio_init(want & ~(1ULL << 32));
    hdr(PVDISPLAY_CMD_GET_DISPLAY_INFO);
    ok(cmd(8, sizeof(struct pvdisplay_resp_display_info), NULL) ==
       PVDISPLAY_STATUS_ERR_UNSUPPORTED, "version-1-required", "");

    virtio_init(want | (1ULL << PVDISPLAY_F_CURSOR));
    test_cursor_drain();

    printf("@@DONE failures=%d\n", failures);
    fflush(stdout);
    step("end");
    reboot(RB_POWER_OFF);
    return 0;
}
