/*
 * umap.c: a small open-addressing hash map from a pair of 64-bit keys to a 32-bit value,
 * shared by the history checkers (which index transactions, versions and keys with it).
 * Linear probing, grown at 3/4 full; deletion by backward shift keeps probe chains whole.
 */
#include "umap.h"

#include <stdbool.h>
#include <stdlib.h>

static size_t umap_home(const umap *m, uint64_t a, uint64_t b)
{
    return (size_t)(fmix64(a * 0x9e3779b97f4a7c15ULL + b * 0xc2b2ae3d27d4eb4fULL + b) &
                    (m->cap - 1));
}

uint32_t umap_get(const umap *m, uint64_t a, uint64_t b)
{
    if (!m->cap)
        return UMAP_NONE;
    for (size_t i = umap_home(m, a, b);; i = (i + 1) & (m->cap - 1)) {
        const map_slot *s = &m->s[i];
        if (s->val == UMAP_NONE)
            return UMAP_NONE;
        if (s->a == a && s->b == b)
            return s->val;
    }
}

int umap_put(umap *m, uint64_t a, uint64_t b, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        map_slot *s = malloc(cap * sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; i < cap; i++)
            s[i].val = UMAP_NONE;
        umap old = *m;
        m->s = s;
        m->cap = cap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.s[i].val != UMAP_NONE) {
                size_t j = umap_home(m, old.s[i].a, old.s[i].b);
                while (s[j].val != UMAP_NONE)
                    j = (j + 1) & (cap - 1);
                s[j] = old.s[i];
            }
        free(old.s);
    }
    size_t i = umap_home(m, a, b);
    while (m->s[i].val != UMAP_NONE) {
        if (m->s[i].a == a && m->s[i].b == b) {
            m->s[i].val = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->s[i].a = a;
    m->s[i].b = b;
    m->s[i].val = val;
    m->n++;
    return 0;
}

/* Removes (a, b) if present; backward-shift deletion keeps probe chains whole. */
void umap_del(umap *m, uint64_t a, uint64_t b)
{
    if (!m->cap)
        return;
    size_t mask = m->cap - 1, i = umap_home(m, a, b);
    for (;; i = (i + 1) & mask) {
        if (m->s[i].val == UMAP_NONE)
            return;
        if (m->s[i].a == a && m->s[i].b == b)
            break;
    }
    for (size_t j = (i + 1) & mask; m->s[j].val != UMAP_NONE; j = (j + 1) & mask) {
        size_t k = umap_home(m, m->s[j].a, m->s[j].b);
        /* The entry at j may move to the hole at i unless its home lies in (i, j]. */
        bool stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (!stays) {
            m->s[i] = m->s[j];
            i = j;
        }
    }
    m->s[i].val = UMAP_NONE;
    m->n--;
}

void umap_free(umap *m)
{
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}
