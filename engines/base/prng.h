/*
 * prng.h: the one source of randomness of the BASE side, seeded by the scenario.
 *
 * xoshiro256** (Blackman and Vigna, 2018) with its state filled by splitmix64 from the
 * 64-bit seed, as its authors recommend. Independent streams for independent purposes
 * (message loss, gossip peer choice) come from prng_split(), so adding a random choice in
 * one place does not shift the choices made in another. Same seed, same numbers, on every
 * machine: no wall clock, no OS randomness.
 */
#ifndef AB_PRNG_H
#define AB_PRNG_H

#include <stdint.h>

typedef struct prng { uint64_t s[4]; } prng;

void prng_seed(prng *p, uint64_t seed);
/* A new generator whose stream is independent of p's (p advances by one draw). */
prng prng_split(prng *p, uint64_t stream);
uint64_t prng_next(prng *p);
/* Uniform in [0, n), without modulo bias; n > 0. */
uint64_t prng_below(prng *p, uint64_t n);
/* True with probability pct/100 (pct in 0..100). */
int prng_chance(prng *p, uint32_t pct);

#endif
