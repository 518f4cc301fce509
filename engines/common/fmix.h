/*
 * fmix.h: murmur3's 64-bit finalizer, the one mixing step the engines' hashes share (the
 * lock manager's and the checkers' tables, Merkle trees, version hashes): a bijection in
 * which every input bit affects every output bit.
 */
#ifndef AB_FMIX_H
#define AB_FMIX_H

#include <stdint.h>

static inline uint64_t fmix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
