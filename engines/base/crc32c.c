/*
 * crc32c.c: CRC-32C, see crc32c.h. Two ways to the same value: SSE4.2's crc32 instruction
 * on x86-64 CPUs that have it, 8 bytes at a time; and everywhere else tables, slicing by
 * 8 bytes, computed into a static array and constant afterwards. crc32c_update points at
 * a first function that sets this up (the engines are single-threaded) and then points it
 * at the way chosen, so that later calls go straight there. The unit tests check both
 * against published check values and against each other.
 */
#include "crc32c.h"

#include <stdbool.h>
#include <string.h>

#define POLY 0x82F63B78u

static uint32_t table[8][256];
static bool ready;

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define CRC32C_HW 1
static bool hw;

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uint64_t c = ~crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);     /* x86 is little-endian, as the CRC's bit order wants */
        c = _mm_crc32_u64(c, w);
    }
    uint32_t c32 = (uint32_t)c;
    if (n >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        c32 = _mm_crc32_u32(c32, w);
        p += 4;
        n -= 4;
    }
    while (n--)
        c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}
#endif

static void init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? POLY ^ (c >> 1) : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
#ifdef CRC32C_HW
    __builtin_cpu_init();
    hw = __builtin_cpu_supports("sse4.2");
#endif
    ready = true;
}

static uint32_t sw(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
              table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
              table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t crc32c_update_sw(uint32_t crc, const void *buf, size_t n)
{
    if (!ready)
        init();
    return ~sw(~crc, buf, n);
}

static uint32_t first_call(uint32_t crc, const void *buf, size_t n)
{
    if (!ready)
        init();
    crc32c_update = crc32c_update_sw;
#ifdef CRC32C_HW
    if (hw)
        crc32c_update = crc32c_hw;
#endif
    return crc32c_update(crc, buf, n);
}

uint32_t (*crc32c_update)(uint32_t crc, const void *buf, size_t n) = first_call;
