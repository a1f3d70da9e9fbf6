/*
 * Fuzz target for hw/display/pvdisplay-wire.c.
 *
 * Input layout: byte 0 picks the negotiated features and head count,
 * bytes 1..8 the resource size for the second stage, the rest is the
 * readable part of a request, fed to every decoder.  Accepted requests are
 * checked against the invariants the device relies on; a violation aborts.
 *
 * Built with clang -fsanitize=fuzzer this is a libFuzzer target.  With
 * -DPVD_FUZZ_STANDALONE it has its own main(): arguments are files to
 * replay, and -runs=N runs N seeded pseudo-random inputs derived from valid
 * requests (-save=DIR also writes them to DIR: that is how the corpus in
 * fuzz/wire-corpus was seeded).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvdisplay-wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, \
                    __FILE__, __LINE__); \
            abort(); \
        } \
    } while (0)

/* How deep inputs get, reported by the standalone driver. */
static unsigned long n_stage1, n_stage2, n_create;

static void check_scanout(const uint8_t *req, size_t len,
                          const PvdWireLimits *lim, uint64_t res_size)
{
    PvdScanoutUpdate u;
    uint32_t st, cpp, i;

    st = pvd_wire_decode_scanout_update(req, len, lim, &u, NULL);
    if (st != PVDISPLAY_STATUS_OK) {
        return;
    }
    n_stage1++;
    CHECK(u.head < lim->num_heads);
    if (!u.sc.resource_id) {
        return;
    }
    cpp = pvd_wire_format_cpp(u.sc.format, lim->extra_formats);
    CHECK(cpp == 2 || cpp == 4);
    CHECK(u.sc.src_width >= 1 && u.sc.src_width <= lim->max_width);
    CHECK(u.sc.src_height >= 1 && u.sc.src_height <= lim->max_height);
    CHECK((uint64_t)u.sc.stride >= (uint64_t)u.sc.fb_width * cpp);

    st = pvd_wire_check_scanout_resource(&u, res_size, NULL);
    if (st != PVDISPLAY_STATUS_OK) {
        return;
    }
    n_stage2++;
    /* every byte the device may copy is inside the resource */
    CHECK(pvd_wire_pixel_offset(&u.sc, u.sc.src_x + u.sc.src_width - 1,
                                u.sc.src_y + u.sc.src_height - 1) + cpp <=
          res_size);
    for (i = 0; i < u.nr_rects; i++) {
        PvdRect r;

        if (pvd_wire_clip_rect(&u.rects[i], &u.sc, &r)) {
            CHECK(r.x >= u.sc.src_x && r.y >= u.sc.src_y);
            CHECK((uint64_t)r.x + r.width <=
                  (uint64_t)u.sc.src_x + u.sc.src_width);
            CHECK((uint64_t)r.y + r.height <=
                  (uint64_t)u.sc.src_y + u.sc.src_height);
        }
    }
}

static void check_create(const uint8_t *req, size_t len)
{
    PvdResourceCreate rc;
    PvdMemWalk w;
    PvdMemEntry e;
    uint64_t total = 0;
    size_t off;

    if (pvd_wire_decode_resource_create(req, len, len, &rc, NULL) !=
        PVDISPLAY_STATUS_OK) {
        return;
    }
    CHECK(24 + (uint64_t)rc.nr_entries * 16 <= len);
    pvd_wire_mem_walk_init(&w, &rc);
    for (off = 24; off < 24 + (size_t)rc.nr_entries * 16; off += 16) {
        if (pvd_wire_mem_walk_next(&w, req + off, &e, NULL) !=
            PVDISPLAY_STATUS_OK) {
            return;
        }
        CHECK(e.length > 0);
        CHECK(e.addr + (e.length - 1) >= e.addr);
        total += e.length;
    }
    if (pvd_wire_mem_walk_finish(&w, NULL) == PVDISPLAY_STATUS_OK) {
        n_create++;
        CHECK(total == rc.size);
        CHECK(rc.size <= PVDISPLAY_MAX_RESOURCE_SIZE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PvdWireLimits lim = { .max_width = 7680, .max_height = 4320 };
    uint64_t res_size = 0;
    const uint8_t *req;
    PvdCtrlHdr hdr;
    size_t len, i;
    uint32_t x;

    if (size < 9) {
        return 0;
    }
    lim.edid = data[0] & 1;
    lim.extra_formats = data[0] & 2;
    lim.num_heads = 1 + (data[0] >> 4);
    for (i = 0; i < 8; i++) {
        res_size |= (uint64_t)data[1 + i] << (8 * i);
    }
    res_size &= (1ULL << 31) - 1;
    req = data + 9;
    len = size - 9;

    pvd_wire_decode_hdr(req, len < PVD_WIRE_REQ_MAX_SIZE ? len :
                        PVD_WIRE_REQ_MAX_SIZE, len, &lim, &hdr, NULL);
    pvd_wire_decode_get_edid(req, len, &lim, &x, NULL);
    pvd_wire_decode_resource_destroy(req, len, &x, NULL);
    check_create(req, len);
    check_scanout(req, len < PVD_WIRE_REQ_MAX_SIZE ? len :
                  PVD_WIRE_REQ_MAX_SIZE, &lim, res_size);
    return 0;
}

#ifdef PVD_FUZZ_STANDALONE
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void st32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

/* A valid-looking SCANOUT_UPDATE or RESOURCE_CREATE, then mutated. */
static size_t make_input(uint8_t *buf, size_t cap)
{
    size_t len, i, n;

    uint64_t res_size = (rnd() & 1) ? 640 * 4 * 480 + (rnd() % 64) * 4096 :
                        rnd() % (4 << 20);

    buf[0] = rnd();
    for (i = 0; i < 8; i++) {
        buf[1 + i] = res_size >> (8 * i);
    }
    memset(buf + 9, 0, cap - 9);
    if (rnd() & 1) {
        uint8_t *c = buf + 9;
        uint32_t nr = rnd() % 17, ng = rnd() % 33;

        st32(c, PVDISPLAY_CMD_SCANOUT_UPDATE);
        st32(c + 12, 1);
        st32(c + 16, PVD_FORMAT_XRGB8888);
        st32(c + 24, 640 * 4);
        st32(c + 28, 640);
        st32(c + 32, 480);
        st32(c + 44, 640);
        st32(c + 48, 480);
        st32(c + 52, nr);
        st32(c + 56, nr ? ng : 0);
        for (i = 0; i < nr; i++) {
            st32(c + 64 + i * 16, rnd() % 640);
            st32(c + 68 + i * 16, rnd() % 480);
            st32(c + 72 + i * 16, 1 + rnd() % 64);
            st32(c + 76 + i * 16, 1 + rnd() % 64);
        }
        for (i = 0; i < ng; i++) {
            st32(c + 64 + nr * 16 + i * 16, i * 8 * 4096);
            st32(c + 64 + nr * 16 + i * 16 + 8, 8 * 4096);
        }
        len = 9 + 64 + 16 * (nr + ng);
    } else {
        uint8_t *c = buf + 9;
        uint32_t nr = 1 + rnd() % 64;

        st32(c, PVDISPLAY_CMD_RESOURCE_CREATE);
        st32(c + 8, 1 + rnd() % 4);
        st32(c + 12, nr);
        st32(c + 16, nr * 4096);
        for (i = 0; i < nr; i++) {
            st32(c + 24 + i * 16, (rnd() % 1024) * 4096);
            st32(c + 24 + i * 16 + 8, 4096);
        }
        len = 9 + 24 + 16 * nr;
    }
    /* a few random byte flips and maybe a truncation */
    for (n = rnd() % 8; n; n--) {
        buf[9 + rnd() % (len - 9)] = (rnd() & 1) ? rnd() : 0xff;
    }
    if (rnd() % 8 == 0) {
        len = 9 + rnd() % (len - 8);
    }
    return len;
}

/* -save=DIR: also write each generated input to DIR (seeding a corpus). */
static void save_input(const char *dir, unsigned long r, const uint8_t *buf,
                       size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/gen-%06lu", dir, r);
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static uint8_t buf[9 + 24 + 16 * 64 + 64];
    unsigned long runs = 0, files = 0, r;
    const char *save = NULL;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "-runs=", 6)) {
            runs = strtoul(argv[i] + 6, NULL, 0);
        } else if (!strncmp(argv[i], "-save=", 6)) {
            save = argv[i] + 6;
        } else {
            FILE *f = fopen(argv[i], "rb");
            static uint8_t in[1 << 20];
            size_t n;

            if (!f) {
                perror(argv[i]);
                return 1;
            }
            n = fread(in, 1, sizeof(in), f);
            fclose(f);
            LLVMFuzzerTestOneInput(in, n);
            files++;
        }
    }
    for (r = 0; r < runs; r++) {
        size_t len = make_input(buf, sizeof(buf));

        if (save) {
            save_input(save, r, buf, len);
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("fuzz-pvdisplay-wire: %lu random inputs, %lu files, no failure; "
           "accepted: %lu updates, %lu against a resource, %lu creates\n",
           runs, files, n_stage1, n_stage2, n_create);
    return 0;
}
#endif
