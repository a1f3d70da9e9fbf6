/*
 * Stand-in for QEMU's qemu/bswap.h (test-pvdisplay-crc): the two helpers
 * pvdisplay-crc.c uses, for a host of either byte order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PVD_TEST_CRC_BSWAP_H
#define PVD_TEST_CRC_BSWAP_H

static inline uint32_t ldl_le_p(const void *p)
{
    const uint8_t *b = p;

    return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline uint32_t cpu_to_le32(uint32_t v)
{
    uint32_t r;
    uint8_t *b = (uint8_t *)&r;

    b[0] = v;
    b[1] = v >> 8;
    b[2] = v >> 16;
    b[3] = v >> 24;
    return r;
}

#endif
