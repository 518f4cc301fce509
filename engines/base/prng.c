/*
 * prng.c: splitmix64 seeding and xoshiro256**. See prng.h.
 */
#include "prng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void prng_seed(prng *p, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t prng_next(prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

prng prng_split(prng *p, uint64_t stream)
{
    prng q;
    prng_seed(&q, prng_next(p) ^ (stream * 0xd1342543de82ef95ULL));
    return q;
}

uint64_t prng_below(prng *p, uint64_t n)
{
    /* Lemire's multiply-shift with rejection of the biased low range. */
    uint64_t x = prng_next(p);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = prng_next(p);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int prng_chance(prng *p, uint32_t pct)
{
    if (pct == 0)
        return 0;
    if (pct >= 100)
        return 1;
    return prng_below(p, 100) < pct;
}
