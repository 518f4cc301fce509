/*
 * acidcheck_tables.c: the ACID checker's growing tables: arrays that double, dense maps
 * from ids to indexes, and the sizes a first update over a long history can read from the
 * history's counts. Memory only: nothing here knows what a transaction is.
 */
#include "acidcheck_int.h"

#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* Performance: a long history's tables are tens of megabytes of fresh memory, and on a
 * virtual machine a page fault costs microseconds; big tables go on huge pages where the
 * system gives them on request (Linux: transparent huge pages, "madvise" mode). */
void *achk_big_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
    if (new_bytes < HUGE_PAGE)
        return realloc(p, new_bytes ? new_bytes : 1);
    size_t round = (new_bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *q = NULL;
    if (posix_memalign(&q, HUGE_PAGE, round))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(q, round, MADV_HUGEPAGE);
#endif
    if (p) {
        memcpy(q, p, old_bytes < new_bytes ? old_bytes : new_bytes);
        free(p);
    }
    return q;
}

void *achk_grow(void *p, size_t *cap, size_t need, size_t sz)
{
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = achk_big_realloc(p, *cap * sz, n * sz);
    if (q)
        *cap = n;
    return q;
}

#define IDMAP_SLACK 65536   /* an id is "dense" below 8 x (ids stored) + this */

uint32_t achk_idmap_get(const idmap *m, uint64_t id)
{
    if (id < m->cap && m->v[id] != NONE)
        return m->v[id];
    return m->far.n ? umap_get(&m->far, id, 0) : NONE;
}

int achk_idmap_put(idmap *m, uint64_t id, uint32_t val)
{
    if (id >= m->cap && id < 8 * (uint64_t)m->n + IDMAP_SLACK) {
        size_t cap = m->cap ? m->cap : 1024;
        while (cap <= id)
            cap *= 2;
        uint32_t *v = achk_big_realloc(m->v, m->cap * sizeof *v, cap * sizeof *v);
        if (!v)
            return -1;
        for (size_t i = m->cap; i < cap; i++)
            v[i] = NONE;
        m->v = v;
        m->cap = cap;
    }
    if (id < m->cap && (m->v[id] != NONE || !m->far.n || umap_get(&m->far, id, 0) == NONE)) {
        m->n += m->v[id] == NONE;
        m->v[id] = val;
        return 0;
    }
    m->n++;
    return umap_put(&m->far, id, 0, val);
}

void achk_idmap_free(idmap *m)
{
    free(m->v);
    umap_free(&m->far);
    memset(m, 0, sizeof *m);
}

static int presize(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return 0;
    void *p = achk_big_realloc(*arr, *cap * sz, n * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

/* Room for what the history's counts say a first update will make. */
int achk_scan_presize(ctx *c, const hist *h)
{
    size_t writes = hist_count_kind(h, EV_WRITE), reads = hist_count_kind(h, EV_READ);
    size_t rows = hist_count_rows(h), preads = hist_count_kind(h, EV_PREAD);
    size_t begins = hist_count_kind(h, EV_TXN_BEGIN), commits = hist_count_kind(h, EV_TXN_COMMIT);
    size_t rd = reads + rows + preads;
    return presize((void **)&c->tx, &c->captx, begins + 64, sizeof *c->tx) ||
           presize((void **)&c->vers, &c->capvers, writes + 4096, sizeof *c->vers) ||
           presize((void **)&c->tk, &c->captk, writes + 64, sizeof *c->tk) ||
           presize((void **)&c->rd, &c->caprd, rd + 64, sizeof *c->rd) ||
           presize((void **)&c->pr, &c->cappr, preads + 64, sizeof *c->pr) ||
           presize((void **)&c->nodes, &c->capnodes, commits + 64, sizeof *c->nodes) ||
           presize((void **)&c->slots, &c->capslots, commits + 64, sizeof *c->slots) ||
           presize((void **)&c->ed, &c->caped, 3 * (rd + writes) + 1024, sizeof *c->ed);
}

int achk_u32_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 4;
        uint32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}
