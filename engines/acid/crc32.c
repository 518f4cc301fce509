/*
 * crc32.c: table-driven CRC-32, slicing by 8 bytes. The table is computed once into a
 * static array on first use; it is constant data afterwards.
 *
 * Performance: every BASE message is checksummed when sent and again when received, and a
 * gossip DIGEST is 2 KiB, so the CRC is a large part of simulating a big cluster. Slicing
 * by 8 (Intel's "slicing-by-8") takes 8 bytes per step instead of 4; the values are the
 * same CRC-32 (IEEE 802.3, reflected, as zlib).
 */
#include "crc32.h"

static uint32_t crc_table[8][256];
static int crc_ready;

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
    crc_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    if (!crc_ready)
        crc32_init();
    crc = ~crc;
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
              crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n >= 4) {
        crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        crc = crc_table[3][crc & 0xff] ^ crc_table[2][(crc >> 8) & 0xff] ^
              crc_table[1][(crc >> 16) & 0xff] ^ crc_table[0][crc >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
