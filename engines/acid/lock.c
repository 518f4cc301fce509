/*
 * lock.c: the lock manager. See lock.h for the interface and the invariants L1-L3.
 *
 * Modes and compatibility ("y": two different transactions may hold them at once):
 *
 *                 held by another:  NL   IS   IX   S    SIX  X
 *          asked  NL                y    y    y    y    y    y
 *                 IS                y    y    y    y    y    -
 *                 IX                y    y    y    -    -    -
 *                 S                 y    y    -    y    -    -
 *                 SIX               y    y    -    -    -    -
 *                 X                 y    -    -    -    -    -
 *
 * The modes form a lattice NL < IS < {IX, S} < SIX < X; a transaction holds one mode per
 * resource, the supremum of everything it was granted there (S + IX = SIX, IS + S = S,
 * anything + X = X). compatible(sup(a, b), m) == compatible(a, m) && compatible(b, m), so
 * a request is judged by its target mode sup(held, asked).
 *
 * Queue rules (one FIFO queue per resource, strict: nobody overtakes):
 *   Q1. A request whose mode the requester already holds (or covers) is granted at once,
 *       with no event.
 *   Q2. A new request (the requester holds nothing on the resource) is granted only if it
 *       is compatible with every holder and the queue is empty; else it parks at the tail.
 *   Q3. An upgrade (the requester holds something there) is granted if its target mode is
 *       compatible with every other holder, whatever the queue; else it parks after the
 *       upgrades already queued and before every non-upgrade (L3).
 *   Q4. When holders go away (release, release_all) or a parked request is withdrawn
 *       (cancel_wait), the queue is served from its head for as long as the head is
 *       compatible with the other holders; the first that is not stops the pass, so a
 *       compatible request behind it keeps waiting (no overtaking). The head of a
 *       non-empty queue is therefore always blocked by a holder (L2).
 *
 * Waits-for edges of a parked request W on resource r, in this order:
 *   - every other holder of r whose mode is incompatible with W's target, in grant order;
 *   - every earlier parked request on r whose target is incompatible with W's, and the
 *     request directly ahead of W even when compatible, in queue order.
 * The last edge is the strict-FIFO one: W cannot be granted before the request ahead of
 * it. Without it a request parked only "because the queue is not empty" (IS behind an IX
 * that waits for an S holder) would have no edge and a deadlock through it would go
 * unseen. Each edge is a real dependency, so every cycle is a real deadlock.
 *
 * Deadlock search (lock_find_deadlock) is an iterative DFS from the parked request of the
 * starting transaction, over the edges above in that order, looking for a path back to
 * it. Each transaction is visited once per search (an epoch marker). Two shortcuts keep a
 * long queue or a long holder list linear: once a waiter in r's queue is visited, every
 * request ahead of it will be visited too (the "directly ahead" edge is always followed),
 * so a waiter scans for incompatible requests only the stretch of the queue between the
 * furthest waiter visited before it and itself; and the holders of r are scanned once per
 * target mode per search. Both shortcuts skip only transactions that are already visited
 * or will be, except the starting one, whose edge is checked explicitly. The victim is the
 * member with the greatest age, ties going to the larger id. A cycle longer than
 * LOCK_CYCLE_MAX is handed back cut to its first LOCK_CYCLE_MAX members; the DEADLOCK
 * event lists all of them and the victim is chosen over all of them.
 *
 * Events: an acquire that changes nothing emits nothing; otherwise LOCK_REQUEST, then
 * LOCK_GRANT (n0 = mode held afterwards) or LOCK_WAIT (n0 = mode asked, txn2 = its first
 * waits-for edge). A release emits LOCK_RELEASE per resource (n0 = mode held), a withdrawn
 * parked request (cancel_wait, release_all while waiting, release of the resource it waits
 * on) a LOCK_RELEASE with n0 = mode asked and n1 = 1; then, resource by resource (the one
 * waited on first, then the held ones in acquisition order), the LOCK_GRANTs of the pass.
 * The functions that release return how many granted transactions they wrote (at most
 * max); size the array to the number of transactions to see every one.
 *
 * Layout: resources, holds and transactions live in three pools addressed by 32-bit index
 * (free lists, so the steady state allocates nothing). Resources and transactions are
 * found through open-addressing hash tables with linear probing and backward-shift
 * deletion. A hold is on two doubly linked lists: its resource's holders (grant order) and
 * its transaction's locks (acquisition order), so release_all is O(locks held). A parked
 * request lives in its transaction record and is linked into the resource's queue. Each
 * resource keeps a count of holders per mode, so a compatibility test is O(1).
 *
 * Not here: threads (one caller), timeouts, lock escalation, predicate locks (a table-level
 * lock serves). Out of memory aborts.
 */
#include "lock.h"
#include "common/fmix.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL (-1)
#define NMODES 6

/* In the build that checks invariants (make test: ACIDBASE_CHECKS), every operation ends
 * by checking L1-L3 on the resources it touched: O(their holders and queues), so that the
 * checks cost in proportion to the work (lock_check, all of them, is for tests). */
#if defined(ACIDBASE_CHECKS) || defined(LOCK_DEBUG)
static int check_res(const lockmgr *lm, int32_t ri);
#define LOCK_ASSERT_RES(lm, ri) assert(check_res(lm, ri) == 0)
#define LOCK_ASSERT_PEND(lm, npend) \
    do { for (int32_t i_ = 0; i_ < (npend); i_++) assert(check_res(lm, (lm)->pend[i_]) == 0); } while (0)
#else
#define LOCK_ASSERT_RES(lm, ri) ((void)0)
#define LOCK_ASSERT_PEND(lm, npend) ((void)0)
#endif

typedef struct lhold {
    int32_t txn, res;
    int32_t rprev, rnext;   /* the resource's holders, grant order */
    int32_t tprev, tnext;   /* the transaction's locks; tnext links the free list */
    uint8_t mode;
} lhold;

typedef struct lres {
    const char *table;
    uint64_t hash;
    scalar key;             /* SC_NONE (all zero) for a table */
    bool is_row, live;
    int32_t hhead, htail, nholders;
    int32_t counts[NMODES]; /* holders per mode */
    int32_t qhead, qtail, nwait;
    int32_t next_free;
    /* deadlock search scratch, valid while dfs_epoch is the current search */
    uint32_t dfs_epoch;
    uint8_t dfs_modes;      /* target modes whose holder scan has been done */
    uint8_t dfs_start_held; /* the starting transaction's held mode here */
    int32_t dfs_cover;      /* the furthest visited waiter, NIL none */
} lres;

typedef struct ltxn {
    uint64_t id, age;
    bool live;
    int32_t hhead, htail, nheld;
    int32_t wres;           /* resource parked on, NIL none */
    int32_t whold;          /* own hold on wres (an upgrade), NIL none */
    uint8_t wmode;          /* mode asked for */
    int32_t qprev, qnext;   /* the resource's queue */
    int32_t next_free;
    uint32_t dfs_epoch;
    int32_t dfs_pos;        /* queue position, numbered per search */
} ltxn;

typedef struct lslot {
    int32_t idx;            /* NIL = empty */
    uint32_t tag;           /* low 32 bits of the hash; home slot = tag & mask */
} lslot;

typedef struct lmap {
    lslot *slots;
    uint32_t cap, n;
} lmap;

typedef struct dfs_frame {
    int32_t t;
    int32_t it;             /* hold index (holder scan) or txn index (queue scan) */
    int32_t from;           /* first waiter this frame scans */
    uint8_t phase;
    uint8_t tm;             /* target mode */
    bool scan_holders;
} dfs_frame;

struct lockmgr {
    hist *h;
    uint8_t db;             /* stamped on its events (history.h) */
    lres *res;
    int32_t nres, capres, res_free;
    lhold *holds;
    int32_t nholds, capholds, hold_free;
    ltxn *txns;
    int32_t ntxns, captxns, txn_free;
    lmap rmap, tmap;
    int32_t *pend;          /* scratch: resources touched by a release */
    int32_t cappend;
    dfs_frame *stack;       /* scratch: deadlock search */
    int32_t capstack;
    uint64_t *ids;          /* scratch: cycle members */
    int32_t capids;
    uint32_t epoch;
    int32_t dfs_start;
    uint64_t tcache_id;     /* the transaction looked up last, when tcache_idx != NIL */
    int32_t tcache_idx;
};

/* ---- modes -------------------------------------------------------------------------- */

static const bool compat_tab[NMODES][NMODES] = {
    /*          NL     IS     IX     S      SIX    X     */
    /* NL  */ { true,  true,  true,  true,  true,  true  },
    /* IS  */ { true,  true,  true,  true,  true,  false },
    /* IX  */ { true,  true,  true,  false, false, false },
    /* S   */ { true,  true,  false, true,  false, false },
    /* SIX */ { true,  true,  false, false, false, false },
    /* X   */ { true,  false, false, false, false, false },
};

static const uint8_t sup_tab[NMODES][NMODES] = {
    /*          NL      IS      IX      S       SIX     X    */
    /* NL  */ { LM_NL,  LM_IS,  LM_IX,  LM_S,   LM_SIX, LM_X },
    /* IS  */ { LM_IS,  LM_IS,  LM_IX,  LM_S,   LM_SIX, LM_X },
    /* IX  */ { LM_IX,  LM_IX,  LM_IX,  LM_SIX, LM_SIX, LM_X },
    /* S   */ { LM_S,   LM_S,   LM_SIX, LM_S,   LM_SIX, LM_X },
    /* SIX */ { LM_SIX, LM_SIX, LM_SIX, LM_SIX, LM_SIX, LM_X },
    /* X   */ { LM_X,   LM_X,   LM_X,   LM_X,   LM_X,   LM_X },
};

static bool mode_ok(int m)
{
    return m >= LM_NL && m <= LM_X;
}

bool lock_compatible(lock_mode a, lock_mode b)
{
    if (!mode_ok((int)a) || !mode_ok((int)b))
        return false;
    return compat_tab[a][b];
}

lock_mode lock_supremum(lock_mode a, lock_mode b)
{
    if (!mode_ok((int)a) || !mode_ok((int)b))
        return LM_X;
    return (lock_mode)sup_tab[a][b];
}

const char *lock_mode_name(lock_mode m)
{
    static const char *const names[NMODES] = { "NL", "IS", "IX", "S", "SIX", "X" };
    return mode_ok((int)m) ? names[m] : "?";
}

int lock_res_format(const lock_res *r, char *buf, size_t n)
{
    const char *t = r->table ? r->table : "?";
    if (!r->is_row)
        return snprintf(buf, n, "%s", t);
    char k[64];
    scalar_format(&r->key, false, k, sizeof k);
    return snprintf(buf, n, "%s/%s", t, k);
}

/* ---- allocation --------------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("lock: out of memory\n", stderr);
        abort();
    }
    return q;
}

static int32_t grow_cap(int32_t cap, int32_t need)
{
    int32_t c = cap ? cap : 64;
    while (c < need)
        c *= 2;
    return c;
}

static int32_t hold_alloc(lockmgr *lm)
{
    if (lm->hold_free != NIL) {
        int32_t i = lm->hold_free;
        lm->hold_free = lm->holds[i].tnext;
        return i;
    }
    if (lm->nholds == lm->capholds) {
        lm->capholds = grow_cap(lm->capholds, lm->nholds + 1);
        lm->holds = xrealloc(lm->holds, (size_t)lm->capholds * sizeof *lm->holds);
    }
    return lm->nholds++;
}

static void hold_dispose(lockmgr *lm, int32_t i)
{
    lm->holds[i].txn = NIL;
    lm->holds[i].res = NIL;
    lm->holds[i].tnext = lm->hold_free;
    lm->hold_free = i;
}

/* ---- hash tables -------------------------------------------------------------------- */

/* The table name is hashed a word at a time: it is hashed on every call, so it matters.
 * Performance: the words are gathered byte by byte up to the NUL (no strlen, no memcpy
 * call), an INT key is folded in directly (text keys through scalar_hash), and one mix64
 * finishes: three multiplies for a short name instead of six, which was a third of an
 * uncontended acquire + release (BENCHMARKS.md, `locks`). Hash values are only ever
 * compared with each other; no order or output depends on them. */
static uint64_t res_hash(const lock_res *r)
{
    const unsigned char *p = (const unsigned char *)r->table;
    uint64_t h = 0x243f6a8885a308d3ULL, len = 0;
    for (;;) {
        uint64_t w = 0;
        int k = 0;
        while (k < 8 && p[k]) {
            w |= (uint64_t)p[k] << (8 * k);
            k++;
        }
        len += (uint64_t)k;
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        if (k < 8)
            break;
        h ^= h >> 32;
        p += 8;
    }
    h ^= len * 0x9e3779b97f4a7c15ULL;
    if (r->is_row)
        h ^= (r->key.type == SC_INT ? (uint64_t)r->key.i : scalar_hash(&r->key)) + 0x632be59bd9b4e019ULL;
    return fmix64(h);
}

static uint64_t txn_hash(uint64_t id)
{
    return fmix64(id + 0x9e3779b97f4a7c15ULL);
}

static void map_init(lmap *m, uint32_t cap)
{
    m->slots = xrealloc(NULL, (size_t)cap * sizeof *m->slots);
    for (uint32_t i = 0; i < cap; i++)
        m->slots[i].idx = NIL;
    m->cap = cap;
    m->n = 0;
}

static void map_put_raw(lmap *m, int32_t idx, uint32_t tag)
{
    uint32_t mask = m->cap - 1, i = tag & mask;
    while (m->slots[i].idx != NIL)
        i = (i + 1) & mask;
    m->slots[i].idx = idx;
    m->slots[i].tag = tag;
}

static void map_insert(lmap *m, int32_t idx, uint64_t hash)
{
    if ((m->n + 1) * 2 > m->cap) {
        lmap old = *m;
        map_init(m, old.cap * 2);
        for (uint32_t i = 0; i < old.cap; i++)
            if (old.slots[i].idx != NIL)
                map_put_raw(m, old.slots[i].idx, old.slots[i].tag);
        m->n = old.n;
        free(old.slots);
    }
    map_put_raw(m, idx, (uint32_t)hash);
    m->n++;
}

/* Backward-shift deletion keeps every probe sequence unbroken without tombstones. */
static void map_remove(lmap *m, int32_t idx, uint64_t hash)
{
    uint32_t mask = m->cap - 1, i = (uint32_t)hash & mask;
    while (m->slots[i].idx != idx) {
        assert(m->slots[i].idx != NIL);
        i = (i + 1) & mask;
    }
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].idx == NIL)
            break;
        uint32_t home = m->slots[j].tag & mask;
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].idx = NIL;
    m->n--;
}

/* ---- transactions ------------------------------------------------------------------- */

static int32_t txn_find(const lockmgr *lm, uint64_t id)
{
    if (lm->tcache_idx != NIL && lm->tcache_id == id)
        return lm->tcache_idx;
    uint64_t h = txn_hash(id);
    uint32_t mask = lm->tmap.cap - 1, i = (uint32_t)h & mask;
    for (;; i = (i + 1) & mask) {
        const lslot *s = &lm->tmap.slots[i];
        if (s->idx == NIL)
            return NIL;
        if (s->tag == (uint32_t)h && lm->txns[s->idx].id == id)
            return s->idx;
    }
}

/* txn_find for the mutating calls, which remember the answer: a transaction usually
 * takes several locks in a row. */
static int32_t txn_lookup(lockmgr *lm, uint64_t id)
{
    int32_t t = txn_find(lm, id);
    if (t != NIL) {
        lm->tcache_id = id;
        lm->tcache_idx = t;
    }
    return t;
}

static int32_t txn_get(lockmgr *lm, uint64_t id)
{
    int32_t t = txn_lookup(lm, id);
    if (t != NIL)
        return t;
    if (lm->txn_free != NIL) {
        t = lm->txn_free;
        lm->txn_free = lm->txns[t].next_free;
    } else {
        if (lm->ntxns == lm->captxns) {
            lm->captxns = grow_cap(lm->captxns, lm->ntxns + 1);
            lm->txns = xrealloc(lm->txns, (size_t)lm->captxns * sizeof *lm->txns);
        }
        t = lm->ntxns++;
    }
    ltxn *T = &lm->txns[t];
    memset(T, 0, sizeof *T);
    T->id = id;
    T->age = id;   /* until lock_txn_begin says otherwise */
    T->live = true;
    T->hhead = T->htail = NIL;
    T->wres = T->whold = NIL;
    T->qprev = T->qnext = NIL;
    T->next_free = NIL;
    map_insert(&lm->tmap, t, txn_hash(id));
    lm->tcache_id = id;
    lm->tcache_idx = t;
    return t;
}

static void txn_forget(lockmgr *lm, int32_t t)
{
    ltxn *T = &lm->txns[t];
    assert(T->nheld == 0 && T->wres == NIL);
    map_remove(&lm->tmap, t, txn_hash(T->id));
    if (lm->tcache_idx == t)
        lm->tcache_idx = NIL;
    T->live = false;
    T->next_free = lm->txn_free;
    lm->txn_free = t;
}

/* ---- resources ---------------------------------------------------------------------- */

static bool res_eq(const lres *r, const lock_res *q)
{
    if (r->is_row != q->is_row)
        return false;
    if (r->table != q->table && strcmp(r->table, q->table) != 0)
        return false;
    if (!q->is_row)
        return true;
    if (r->key.type != q->key.type)
        return false;
    if (q->key.type == SC_INT)
        return r->key.i == q->key.i;
    return r->key.len == q->key.len && memcmp(r->key.s, q->key.s, q->key.len) == 0;
}

static int32_t res_find(const lockmgr *lm, const lock_res *q, uint64_t h)
{
    uint32_t mask = lm->rmap.cap - 1, i = (uint32_t)h & mask;
    for (;; i = (i + 1) & mask) {
        const lslot *s = &lm->rmap.slots[i];
        if (s->idx == NIL)
            return NIL;
        if (s->tag == (uint32_t)h) {
            const lres *r = &lm->res[s->idx];
            if (r->hash == h && res_eq(r, q))
                return s->idx;
        }
    }
}

static int32_t res_get(lockmgr *lm, const lock_res *q, uint64_t h)
{
    int32_t ri = res_find(lm, q, h);
    if (ri != NIL)
        return ri;
    if (lm->res_free != NIL) {
        ri = lm->res_free;
        lm->res_free = lm->res[ri].next_free;
    } else {
        if (lm->nres == lm->capres) {
            lm->capres = grow_cap(lm->capres, lm->nres + 1);
            lm->res = xrealloc(lm->res, (size_t)lm->capres * sizeof *lm->res);
        }
        ri = lm->nres++;
    }
    lres *r = &lm->res[ri];
    memset(r, 0, sizeof *r);
    r->table = q->table;
    r->hash = h;
    r->is_row = q->is_row;
    if (q->is_row)
        r->key = q->key;
    r->live = true;
    r->hhead = r->htail = r->qhead = r->qtail = NIL;
    r->next_free = NIL;
    r->dfs_cover = NIL;
    map_insert(&lm->rmap, ri, h);
    return ri;
}

static void res_free_if_empty(lockmgr *lm, int32_t ri)
{
    lres *r = &lm->res[ri];
    if (!r->live || r->nholders || r->nwait)
        return;
    map_remove(&lm->rmap, ri, r->hash);
    r->live = false;
    r->next_free = lm->res_free;
    lm->res_free = ri;
}

static lock_res res_view(const lres *r)
{
    lock_res v;
    memset(&v, 0, sizeof v);
    v.table = r->table;
    v.is_row = r->is_row;
    v.key = r->key;
    return v;
}

/* ---- holds -------------------------------------------------------------------------- */

/* txn's hold on ri, scanning whichever list is shorter. */
static int32_t hold_find(const lockmgr *lm, int32_t t, int32_t ri)
{
    const lres *r = &lm->res[ri];
    const ltxn *T = &lm->txns[t];
    if (r->nholders <= T->nheld) {
        for (int32_t i = r->hhead; i != NIL; i = lm->holds[i].rnext)
            if (lm->holds[i].txn == t)
                return i;
    } else {
        for (int32_t i = T->hhead; i != NIL; i = lm->holds[i].tnext)
            if (lm->holds[i].res == ri)
                return i;
    }
    return NIL;
}

static lock_mode held_mode(const lockmgr *lm, int32_t hi)
{
    return hi == NIL ? LM_NL : (lock_mode)lm->holds[hi].mode;
}

/* Would target (asked by a transaction holding own on r) conflict with another holder? */
static bool blocked(const lres *r, lock_mode own, lock_mode target)
{
    if (r->nholders == 0)
        return false;
    for (int k = LM_IS; k <= LM_X; k++) {
        int32_t c = r->counts[k] - (k == (int)own);
        if (c > 0 && !compat_tab[k][target])
            return true;
    }
    return false;
}

/* Grants target: a new hold at the tail of both lists, or an upgrade in place. */
static int32_t hold_set(lockmgr *lm, int32_t t, int32_t ri, int32_t hi, lock_mode target)
{
    if (hi != NIL) {
        lres *r = &lm->res[ri];
        r->counts[lm->holds[hi].mode]--;
        r->counts[target]++;
        lm->holds[hi].mode = (uint8_t)target;
        return hi;
    }
    hi = hold_alloc(lm);
    lhold *H = &lm->holds[hi];
    lres *r = &lm->res[ri];
    ltxn *T = &lm->txns[t];
    H->txn = t;
    H->res = ri;
    H->mode = (uint8_t)target;
    H->rprev = r->htail;
    H->rnext = NIL;
    if (r->htail != NIL)
        lm->holds[r->htail].rnext = hi;
    else
        r->hhead = hi;
    r->htail = hi;
    H->tprev = T->htail;
    H->tnext = NIL;
    if (T->htail != NIL)
        lm->holds[T->htail].tnext = hi;
    else
        T->hhead = hi;
    T->htail = hi;
    r->counts[target]++;
    r->nholders++;
    T->nheld++;
    return hi;
}

static void hold_unlink(lockmgr *lm, int32_t hi)
{
    lhold *H = &lm->holds[hi];
    lres *r = &lm->res[H->res];
    ltxn *T = &lm->txns[H->txn];
    if (H->rprev != NIL)
        lm->holds[H->rprev].rnext = H->rnext;
    else
        r->hhead = H->rnext;
    if (H->rnext != NIL)
        lm->holds[H->rnext].rprev = H->rprev;
    else
        r->htail = H->rprev;
    if (H->tprev != NIL)
        lm->holds[H->tprev].tnext = H->tnext;
    else
        T->hhead = H->tnext;
    if (H->tnext != NIL)
        lm->holds[H->tnext].tprev = H->tprev;
    else
        T->htail = H->tprev;
    r->counts[H->mode]--;
    r->nholders--;
    T->nheld--;
    hold_dispose(lm, hi);
}

/* ---- events ------------------------------------------------------------------------- */

static void emit_event(lockmgr *lm, hist_kind kind, uint64_t txn, int32_t ri, lock_mode mode,
                       uint64_t txn2, int64_t n1)
{
    hist_event *e = hist_add_acid(lm->h, lm->db, kind);
    if (!e)
        return;
    const lres *r = &lm->res[ri];
    e->txn = txn;
    if (txn2)
        hist_set_txn2(lm->h, e, txn2);
    hist_set_table(lm->h, e, r->table);
    e->key = r->key;
    e->n[0] = (int64_t)mode;
    e->n[1] = n1;
}

static inline void emit(lockmgr *lm, hist_kind kind, uint64_t txn, int32_t ri, lock_mode mode,
                        uint64_t txn2, int64_t n1)
{
    if (lm->h)
        emit_event(lm, kind, txn, ri, mode, txn2, n1);
}

/* ---- the queue ---------------------------------------------------------------------- */

static lock_mode wait_target(const lockmgr *lm, const ltxn *T)
{
    return (lock_mode)sup_tab[held_mode(lm, T->whold)][T->wmode];
}

static void queue_insert(lockmgr *lm, int32_t t, int32_t ri)
{
    lres *r = &lm->res[ri];
    int32_t prev = NIL;
    if (lm->txns[t].whold != NIL) {
        /* An upgrade goes after the upgrades already parked, before everyone else (L3). */
        for (int32_t p = r->qhead; p != NIL && lm->txns[p].whold != NIL; p = lm->txns[p].qnext)
            prev = p;
    } else {
        prev = r->qtail;
    }
    ltxn *T = &lm->txns[t];
    T->qprev = prev;
    T->qnext = prev == NIL ? r->qhead : lm->txns[prev].qnext;
    if (prev == NIL)
        r->qhead = t;
    else
        lm->txns[prev].qnext = t;
    if (T->qnext == NIL)
        r->qtail = t;
    else
        lm->txns[T->qnext].qprev = t;
    r->nwait++;
}

static void queue_remove(lockmgr *lm, int32_t t)
{
    ltxn *T = &lm->txns[t];
    lres *r = &lm->res[T->wres];
    if (T->qprev != NIL)
        lm->txns[T->qprev].qnext = T->qnext;
    else
        r->qhead = T->qnext;
    if (T->qnext != NIL)
        lm->txns[T->qnext].qprev = T->qprev;
    else
        r->qtail = T->qprev;
    r->nwait--;
    T->qprev = T->qnext = NIL;
    T->wres = T->whold = NIL;
}

/* The waits-for edges of t's parked request, in the order of the header comment. */
static int waits_for_ids(const lockmgr *lm, int32_t t, uint64_t *out, int max)
{
    const ltxn *T = &lm->txns[t];
    int n = 0;
    if (T->wres == NIL || max <= 0)
        return 0;
    const lres *r = &lm->res[T->wres];
    lock_mode tm = wait_target(lm, T);
    for (int32_t i = r->hhead; i != NIL; i = lm->holds[i].rnext) {
        const lhold *H = &lm->holds[i];
        if (H->txn != t && !compat_tab[H->mode][tm]) {
            out[n++] = lm->txns[H->txn].id;
            if (n == max)
                return n;
        }
    }
    for (int32_t e = r->qhead; e != t && e != NIL; e = lm->txns[e].qnext) {
        const ltxn *E = &lm->txns[e];
        if (compat_tab[wait_target(lm, E)][tm] && E->qnext != t)
            continue;
        if (E->whold != NIL && !compat_tab[lm->holds[E->whold].mode][tm])
            continue;   /* already listed as a holder */
        out[n++] = E->id;
        if (n == max)
            return n;
    }
    return n;
}

/* Serves ri's queue from the head (Q4). Appends granted ids to out[*nout < max]. */
static void grant_pass(lockmgr *lm, int32_t ri, uint64_t *out, int max, int *nout)
{
    for (;;) {
        int32_t w = lm->res[ri].qhead;
        if (w == NIL)
            return;
        ltxn *W = &lm->txns[w];
        int32_t hi = W->whold;
        lock_mode own = held_mode(lm, hi);
        lock_mode tm = (lock_mode)sup_tab[own][W->wmode];
        if (blocked(&lm->res[ri], own, tm))
            return;
        queue_remove(lm, w);
        hold_set(lm, w, ri, hi, tm);
        emit(lm, EV_LOCK_GRANT, lm->txns[w].id, ri, tm, 0, 0);
        if (out && *nout < max)
            out[(*nout)++] = lm->txns[w].id;
    }
}

/* Withdraws t's parked request: LOCK_RELEASE with n[1] = 1 ("request withdrawn"). */
static int32_t withdraw(lockmgr *lm, int32_t t)
{
    ltxn *T = &lm->txns[t];
    int32_t ri = T->wres;
    emit(lm, EV_LOCK_RELEASE, T->id, ri, (lock_mode)T->wmode, 0, 1);
    queue_remove(lm, t);
    return ri;
}

static void pend_reserve(lockmgr *lm, int32_t n)
{
    if (n > lm->cappend) {
        lm->cappend = grow_cap(lm->cappend, n);
        lm->pend = xrealloc(lm->pend, (size_t)lm->cappend * sizeof *lm->pend);
    }
}

/* Grants what the releases allow on each touched resource, then drops empty ones. */
static int settle(lockmgr *lm, int32_t npend, uint64_t *granted, int max)
{
    int n = 0;
    for (int32_t i = 0; i < npend; i++)
        grant_pass(lm, lm->pend[i], granted, max, &n);
    for (int32_t i = 0; i < npend; i++)
        res_free_if_empty(lm, lm->pend[i]);
    return n;
}

/* ---- the interface ------------------------------------------------------------------ */

lockmgr *lock_new(hist *h)
{
    lockmgr *lm = calloc(1, sizeof *lm);
    if (!lm)
        return NULL;
    lm->h = h;
    lm->res_free = lm->hold_free = lm->txn_free = NIL;
    map_init(&lm->rmap, 64);
    map_init(&lm->tmap, 64);
    lm->dfs_start = NIL;
    lm->tcache_idx = NIL;
    return lm;
}

void lock_set_db(lockmgr *lm, uint8_t db)
{
    lm->db = db;
}

void lock_free(lockmgr *lm)
{
    if (!lm)
        return;
    free(lm->res);
    free(lm->holds);
    free(lm->txns);
    free(lm->rmap.slots);
    free(lm->tmap.slots);
    free(lm->pend);
    free(lm->stack);
    free(lm->ids);
    free(lm);
}

void lock_txn_begin(lockmgr *lm, uint64_t txn, uint64_t age)
{
    int32_t t = txn_get(lm, txn);   /* may move lm->txns */
    lm->txns[t].age = age;
}

lock_result lock_acquire(lockmgr *lm, uint64_t txn, const lock_res *res, lock_mode mode)
{
    assert(mode_ok((int)mode) && res && res->table);
    if (mode == LM_NL)
        return LOCK_GRANTED;
    uint64_t h = res_hash(res);
    int32_t t = txn_get(lm, txn);
    int32_t ri = res_get(lm, res, h);
    int32_t hi = hold_find(lm, t, ri);
    lock_mode own = held_mode(lm, hi);
    lock_mode target = (lock_mode)sup_tab[own][mode];
    if (target == own)
        return LOCK_GRANTED;                       /* Q1: covered, no event */
    if (lm->txns[t].wres != NIL) {
        /* Precondition broken: one parked request per transaction. Refused (and a debug
         * build stops here). */
        assert(!"lock_acquire by a transaction that is already waiting");
        res_free_if_empty(lm, ri);
        return LOCK_WAIT;
    }
    emit(lm, EV_LOCK_REQUEST, txn, ri, mode, 0, 0);
    lres *r = &lm->res[ri];
    bool upgrade = hi != NIL;
    if (!blocked(r, own, target) && (upgrade || r->qhead == NIL)) {   /* Q2, Q3 */
        hold_set(lm, t, ri, hi, target);
        emit(lm, EV_LOCK_GRANT, txn, ri, target, 0, 0);
        LOCK_ASSERT_RES(lm, ri);
        return LOCK_GRANTED;
    }
    ltxn *T = &lm->txns[t];
    T->wres = ri;
    T->whold = hi;
    T->wmode = (uint8_t)mode;
    queue_insert(lm, t, ri);
    uint64_t first = 0;
    waits_for_ids(lm, t, &first, 1);
    emit(lm, EV_LOCK_WAIT, txn, ri, mode, first, 0);
    LOCK_ASSERT_RES(lm, ri);
    return LOCK_WAIT;
}

int lock_cancel_wait(lockmgr *lm, uint64_t txn, uint64_t *granted, int max)
{
    int32_t t = txn_lookup(lm, txn);
    if (t == NIL || lm->txns[t].wres == NIL)
        return 0;
    pend_reserve(lm, 1);
    lm->pend[0] = withdraw(lm, t);
    int n = settle(lm, 1, granted, max);
    LOCK_ASSERT_PEND(lm, 1);
    return n;
}

int lock_release(lockmgr *lm, uint64_t txn, const lock_res *res, uint64_t *granted, int max)
{
    int32_t t = txn_lookup(lm, txn);
    if (t == NIL)
        return 0;
    /* Performance: a transaction with few locks (READ COMMITTED's statement locks are
     * released one by one) finds the resource among its own holds, or as the one it is
     * parked on, without hashing the name; held by it nowhere means nothing to release,
     * as the hash lookup would conclude. */
    int32_t ri = NIL;
    const ltxn *T = &lm->txns[t];
    if (T->nheld <= 16) {
        for (int32_t i = T->hhead; i != NIL && ri == NIL; i = lm->holds[i].tnext)
            if (res_eq(&lm->res[lm->holds[i].res], res))
                ri = lm->holds[i].res;
        if (ri == NIL && T->wres != NIL && res_eq(&lm->res[T->wres], res))
            ri = T->wres;
    } else {
        ri = res_find(lm, res, res_hash(res));
    }
    if (ri == NIL)
        return 0;
    int32_t hi = hold_find(lm, t, ri);
    bool parked_here = lm->txns[t].wres == ri;
    if (hi == NIL && !parked_here)
        return 0;
    if (parked_here)
        withdraw(lm, t);   /* "entirely": an upgrade waiting here goes too */
    if (hi != NIL) {
        emit(lm, EV_LOCK_RELEASE, txn, ri, (lock_mode)lm->holds[hi].mode, 0, 0);
        hold_unlink(lm, hi);
    }
    pend_reserve(lm, 1);
    lm->pend[0] = ri;
    int n = settle(lm, 1, granted, max);
    LOCK_ASSERT_PEND(lm, 1);
    return n;
}

int lock_release_all(lockmgr *lm, uint64_t txn, uint64_t *granted, int max)
{
    int32_t t = txn_lookup(lm, txn);
    if (t == NIL)
        return 0;
    pend_reserve(lm, lm->txns[t].nheld + 1);
    int32_t npend = 0, wres = NIL;
    if (lm->txns[t].wres != NIL)
        lm->pend[npend++] = wres = withdraw(lm, t);
    for (int32_t hi = lm->txns[t].hhead; hi != NIL;) {
        int32_t next = lm->holds[hi].tnext;
        int32_t ri = lm->holds[hi].res;
        emit(lm, EV_LOCK_RELEASE, txn, ri, (lock_mode)lm->holds[hi].mode, 0, 0);
        hold_unlink(lm, hi);
        if (ri != wres)
            lm->pend[npend++] = ri;
        hi = next;
    }
    txn_forget(lm, t);
    int n = settle(lm, npend, granted, max);
    LOCK_ASSERT_PEND(lm, npend);
    return n;
}

lock_mode lock_held(const lockmgr *lm, uint64_t txn, const lock_res *res)
{
    int32_t t = txn_find(lm, txn);
    if (t == NIL)
        return LM_NL;
    int32_t ri = res_find(lm, res, res_hash(res));
    if (ri == NIL)
        return LM_NL;
    return held_mode(lm, hold_find(lm, t, ri));
}

bool lock_waiting(const lockmgr *lm, uint64_t txn, lock_res *res, lock_mode *mode)
{
    int32_t t = txn_find(lm, txn);
    if (t == NIL || lm->txns[t].wres == NIL)
        return false;
    if (res)
        *res = res_view(&lm->res[lm->txns[t].wres]);
    if (mode)
        *mode = (lock_mode)lm->txns[t].wmode;
    return true;
}

int lock_waits_for(const lockmgr *lm, uint64_t txn, uint64_t *out, int max)
{
    int32_t t = txn_find(lm, txn);
    return t == NIL ? 0 : waits_for_ids(lm, t, out, max);
}

/* ---- deadlock search ---------------------------------------------------------------- */

static void dfs_res_reset(lockmgr *lm, int32_t ri)
{
    lres *r = &lm->res[ri];
    r->dfs_epoch = lm->epoch;
    r->dfs_modes = 0;
    r->dfs_cover = NIL;
    int32_t pos = 0;
    for (int32_t e = r->qhead; e != NIL; e = lm->txns[e].qnext)
        lm->txns[e].dfs_pos = pos++;
    r->dfs_start_held = (uint8_t)held_mode(lm, hold_find(lm, lm->dfs_start, ri));
}

static void dfs_push(lockmgr *lm, int32_t *sp, int32_t u)
{
    if (*sp == lm->capstack) {
        lm->capstack = grow_cap(lm->capstack, *sp + 1);
        lm->stack = xrealloc(lm->stack, (size_t)lm->capstack * sizeof *lm->stack);
    }
    ltxn *U = &lm->txns[u];
    U->dfs_epoch = lm->epoch;
    int32_t ri = U->wres;
    lres *r = &lm->res[ri];
    if (r->dfs_epoch != lm->epoch)
        dfs_res_reset(lm, ri);
    dfs_frame *f = &lm->stack[(*sp)++];
    f->t = u;
    f->tm = (uint8_t)wait_target(lm, U);
    f->phase = 0;
    f->it = NIL;
    f->scan_holders = !(r->dfs_modes & (1u << f->tm));
    r->dfs_modes |= (uint8_t)(1u << f->tm);
    int32_t c = r->dfs_cover;
    if (c == NIL)
        f->from = r->qhead;
    else if (lm->txns[c].dfs_pos < U->dfs_pos)
        f->from = lm->txns[c].qnext;
    else
        f->from = u;
    if (c == NIL || lm->txns[c].dfs_pos < U->dfs_pos)
        r->dfs_cover = u;
}

/* The frame's next waits-for edge (a txn index), or NIL when exhausted. Edges the
 * shortcuts skip are to visited transactions, except the start, which is checked here. */
static int32_t dfs_next(lockmgr *lm, dfs_frame *f)
{
    const ltxn *T = &lm->txns[f->t];
    const lres *r = &lm->res[T->wres];
    int32_t s = lm->dfs_start;
    for (;;) {
        switch (f->phase) {
        case 0:
            if (f->scan_holders) {
                f->it = r->hhead;
                f->phase = 1;
                break;
            }
            f->phase = 2;
            if (f->t != s && !compat_tab[r->dfs_start_held][f->tm])
                return s;
            break;
        case 1:
            while (f->it != NIL) {
                const lhold *H = &lm->holds[f->it];
                f->it = H->rnext;
                if (H->txn != f->t && !compat_tab[H->mode][f->tm])
                    return H->txn;
            }
            f->phase = 2;
            break;
        case 2: {
            /* The start among the skipped waiters ahead (the predecessor comes last). */
            f->phase = 3;
            f->it = f->from;
            const ltxn *S = &lm->txns[s];
            if (S->wres == T->wres && s != f->t && S->qnext != f->t &&
                S->dfs_pos < lm->txns[f->from].dfs_pos &&
                !compat_tab[wait_target(lm, S)][f->tm])
                return s;
            break;
        }
        case 3:
            while (f->it != f->t) {
                int32_t e = f->it;
                const ltxn *E = &lm->txns[e];
                f->it = E->qnext;
                if (!compat_tab[wait_target(lm, E)][f->tm] || E->qnext == f->t)
                    return e;
            }
            f->phase = 4;
            break;
        case 4:
            /* The request directly ahead is never skipped: it carries the guarantee that
             * everything ahead of a visited waiter is visited. */
            f->phase = 5;
            if (T->qprev != NIL && lm->txns[T->qprev].dfs_pos < lm->txns[f->from].dfs_pos)
                return T->qprev;
            break;
        default:
            return NIL;
        }
    }
}

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static void emit_deadlock(lockmgr *lm, int32_t n, uint64_t victim)
{
    if (!lm->h)
        return;
    hist_event *e = hist_add_acid(lm->h, lm->db, EV_DEADLOCK);
    if (!e)
        return;
    e->txn = victim;
    sbuf b = { 0 };
    for (int32_t i = 0; i < n && i < LOCK_CYCLE_MAX; i++) {
        const ltxn *T = &lm->txns[lm->stack[i].t];
        lock_res rv = res_view(&lm->res[T->wres]);
        char rs[96];
        lock_res_format(&rv, rs, sizeof rs);
        sb_printf(&b, "%stxn %" PRIu64 " waits for txn %" PRIu64 " (%s on %s)", i ? ", " : "",
                  T->id, lm->ids[(i + 1) % n], lock_mode_name((lock_mode)T->wmode), rs);
    }
    if (n > LOCK_CYCLE_MAX)
        sb_printf(&b, ", ... (%d more)", (int)(n - LOCK_CYCLE_MAX));
    sb_printf(&b, "; victim txn %" PRIu64 " (youngest)", victim);
    hist_set_text(lm->h, e, b.s);
    free(b.s);
    hist_set_txns(lm->h, e, lm->ids, (int)n);
}

bool lock_find_deadlock(lockmgr *lm, uint64_t txn, lock_cycle *cycle)
{
    if (cycle)
        cycle->n = 0;
    int32_t s = txn_lookup(lm, txn);
    if (s == NIL || lm->txns[s].wres == NIL)
        return false;
    if (++lm->epoch == 0) {   /* wrapped: forget every old mark */
        for (int32_t i = 0; i < lm->ntxns; i++)
            lm->txns[i].dfs_epoch = 0;
        for (int32_t i = 0; i < lm->nres; i++)
            lm->res[i].dfs_epoch = 0;
        lm->epoch = 1;
    }
    lm->dfs_start = s;
    int32_t sp = 0;
    bool found = false;
    dfs_push(lm, &sp, s);
    while (sp > 0) {
        int32_t u = dfs_next(lm, &lm->stack[sp - 1]);
        if (u == NIL) {
            sp--;
        } else if (u == s) {
            found = true;
            break;
        } else if (lm->txns[u].wres != NIL && lm->txns[u].dfs_epoch != lm->epoch) {
            dfs_push(lm, &sp, u);
        }
    }
    if (!found)
        return false;

    /* The stack is the cycle: stack[i] waits for stack[i + 1], the last for the start. */
    if (sp > lm->capids) {
        lm->capids = grow_cap(lm->capids, sp);
        lm->ids = xrealloc(lm->ids, (size_t)lm->capids * sizeof *lm->ids);
    }
    int32_t vi = 0;
    for (int32_t i = 0; i < sp; i++) {
        const ltxn *T = &lm->txns[lm->stack[i].t];
        const ltxn *V = &lm->txns[lm->stack[vi].t];
        lm->ids[i] = T->id;
        if (T->age > V->age || (T->age == V->age && T->id > V->id))
            vi = i;
    }
    uint64_t victim = lm->ids[vi];
    if (cycle) {
        cycle->n = sp < LOCK_CYCLE_MAX ? sp : LOCK_CYCLE_MAX;
        for (int32_t i = 0; i < cycle->n; i++) {
            cycle->txns[i] = lm->ids[i];
            cycle->res[i] = res_view(&lm->res[lm->txns[lm->stack[i].t].wres]);
        }
        cycle->victim = victim;
    }
    emit_deadlock(lm, sp, victim);
    return true;
}

/* ---- views and checks --------------------------------------------------------------- */

static int res_order(const void *a, const void *b)
{
    const lres *x = *(const lres *const *)a, *y = *(const lres *const *)b;
    int c = strcmp(x->table, y->table);
    if (c)
        return c;
    if (x->is_row != y->is_row)
        return x->is_row ? 1 : -1;
    return scalar_cmp(&x->key, &y->key);
}

void lock_foreach(const lockmgr *lm, lock_visit_fn fn, void *arg)
{
    int32_t n = 0;
    for (int32_t i = 0; i < lm->nres; i++)
        n += lm->res[i].live;
    if (n == 0)
        return;
    const lres **v = malloc((size_t)n * sizeof *v);
    if (!v)
        return;
    n = 0;
    for (int32_t i = 0; i < lm->nres; i++)
        if (lm->res[i].live)
            v[n++] = &lm->res[i];
    qsort(v, (size_t)n, sizeof *v, res_order);
    for (int32_t i = 0; i < n; i++) {
        lock_entry_view ev;
        memset(&ev, 0, sizeof ev);
        ev.res = res_view(v[i]);
        for (int32_t h = v[i]->hhead; h != NIL && ev.nholders < 16; h = lm->holds[h].rnext) {
            ev.holders[ev.nholders] = lm->txns[lm->holds[h].txn].id;
            ev.holder_modes[ev.nholders++] = (lock_mode)lm->holds[h].mode;
        }
        for (int32_t w = v[i]->qhead; w != NIL && ev.nwaiters < 16; w = lm->txns[w].qnext) {
            ev.waiters[ev.nwaiters] = lm->txns[w].id;
            ev.waiter_modes[ev.nwaiters++] = (lock_mode)lm->txns[w].wmode;
        }
        fn(&ev, arg);
    }
    free(v);
}

/* L1-L3 and the bookkeeping of one resource: 0, 1-3, or 4. O(its holders and queue). A
 * resource that is not live (freed once empty) passes. L2 reads "an earlier incompatible
 * request" as an earlier request that is itself blocked by a holder: with strict FIFO a
 * request compatible with everything may still wait behind one. */
static int check_res(const lockmgr *lm, int32_t ri)
{
    const lres *r = &lm->res[ri];
    if (!r->live)
        return 0;
    if (r->nholders == 0 && r->nwait == 0)
        return 4;
    lock_res q = res_view(r);
    if (res_find(lm, &q, r->hash) != ri || res_hash(&q) != r->hash)
        return 4;
    int32_t counts[NMODES] = { 0 }, nh = 0, prev = NIL;
    for (int32_t h = r->hhead; h != NIL; prev = h, h = lm->holds[h].rnext) {
        const lhold *H = &lm->holds[h];
        if (H->res != ri || H->rprev != prev || H->mode == LM_NL || !mode_ok(H->mode) ||
            H->txn < 0 || H->txn >= lm->ntxns || !lm->txns[H->txn].live || ++nh > lm->nholds)
            return 4;
        counts[H->mode]++;
    }
    if (nh != r->nholders || r->htail != prev)
        return 4;
    for (int k = 0; k < NMODES; k++)
        if (counts[k] != r->counts[k])
            return 4;
    for (int a = LM_IS; a <= LM_X; a++)          /* L1 */
        for (int b = LM_IS; b <= LM_X; b++)
            if (counts[a] && counts[b] - (a == b) > 0 && !compat_tab[a][b])
                return 1;
    bool blocked_ahead = false, seen_plain = false;
    int32_t nw = 0;
    prev = NIL;
    for (int32_t w = r->qhead; w != NIL; prev = w, w = lm->txns[w].qnext) {
        const ltxn *W = &lm->txns[w];
        if (!W->live || W->wres != ri || W->qprev != prev || ++nw > lm->ntxns)
            return 4;
        if (W->whold != NIL) {
            const lhold *H = &lm->holds[W->whold];
            if (H->txn != w || H->res != ri)
                return 4;
        } else if (hold_find(lm, w, ri) != NIL) {
            return 4;
        }
        lock_mode own = held_mode(lm, W->whold);
        lock_mode tm = (lock_mode)sup_tab[own][W->wmode];
        if (tm == own)
            return 4;
        bool blk = blocked(r, own, tm);
        if (!blk && !blocked_ahead)                 /* L2 */
            return 2;
        blocked_ahead = blocked_ahead || blk;
        if (W->whold != NIL && seen_plain)          /* L3 */
            return 3;
        seen_plain = seen_plain || W->whold == NIL;
    }
    if (nw != r->nwait || r->qtail != prev)
        return 4;
    return 0;
}

/* Returns 0, 1-3 for L1-L3, or 4 when the bookkeeping itself (counts, lists, hash tables)
 * is inconsistent. O(locks + waiters). */
int lock_check(const lockmgr *lm)
{
    int32_t live_res = 0, live_txn = 0;
    for (int32_t ri = 0; ri < lm->nres; ri++) {
        if (!lm->res[ri].live)
            continue;
        live_res++;
        int bad = check_res(lm, ri);
        if (bad)
            return bad;
    }
    if ((uint32_t)live_res != lm->rmap.n)
        return 4;
    for (int32_t t = 0; t < lm->ntxns; t++) {
        const ltxn *T = &lm->txns[t];
        if (!T->live)
            continue;
        live_txn++;
        if (txn_find(lm, T->id) != t)
            return 4;
        int32_t nh = 0, prev = NIL;
        for (int32_t h = T->hhead; h != NIL; prev = h, h = lm->holds[h].tnext) {
            const lhold *H = &lm->holds[h];
            if (H->txn != t || H->tprev != prev || H->res < 0 || H->res >= lm->nres ||
                !lm->res[H->res].live || ++nh > lm->nholds)
                return 4;
        }
        if (nh != T->nheld || T->htail != prev)
            return 4;
        if (T->wres != NIL && (T->wres >= lm->nres || !lm->res[T->wres].live))
            return 4;
    }
    if ((uint32_t)live_txn != lm->tmap.n)
        return 4;
    return 0;
}

size_t lock_resources(const lockmgr *lm)
{
    return lm->rmap.n;
}
