/*
 * umap.h: (a, b) -> uint32 hash map for the checkers. UMAP_NONE marks an empty slot and is
 * what umap_get returns for a missing pair, so it cannot be stored as a value.
 */
#ifndef AB_UMAP_H
#define AB_UMAP_H

#include <stddef.h>
#include <stdint.h>
#include "fmix.h"   /* fmix64, for the users' own hashing */

#define UMAP_NONE UINT32_MAX

typedef struct map_slot {
    uint64_t a, b;
    uint32_t val;   /* UMAP_NONE: empty */
} map_slot;

typedef struct umap {
    map_slot *s;
    size_t cap, n;
} umap;

uint32_t umap_get(const umap *m, uint64_t a, uint64_t b);
int umap_put(umap *m, uint64_t a, uint64_t b, uint32_t val);   /* 0, or -1 out of memory */
void umap_del(umap *m, uint64_t a, uint64_t b);
void umap_free(umap *m);

#endif
