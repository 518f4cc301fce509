/*
 * acidcheck.c: the ACID history checker. acidcheck.h states the definitions (Adya's
 * direct serialization graph and the anomalies named after its cycles); this file applies
 * them to a history and explains each finding in a sentence a learner can follow. It
 * judges only what the history says was read and written: it does not look at locks, the
 * log or pages, and never at the BASE side.
 *
 * How it works:
 *   1. Scan. Every version gets a record (writer, key, value, exists, WRITE seq); a version
 *      id that no WRITE created belongs to T0, the initial state. Per (transaction, key)
 *      the latest write not undone is that transaction's final version. Reads are kept
 *      once per (reader, version), and whether one was dirty is judged right there,
 *      against the writer's state at that moment.
 *   2. Version order. A key's installed versions are T0's, then the committed final
 *      versions in the order their WRITEs happened. Every isolation level of our engine
 *      holds write locks to the end, so that is commit order; when writes do interleave
 *      (a hand-made history, or an engine without write locks) it is the order in which
 *      they physically overwrote each other, which is what makes G0 visible at all.
 *   3. Edges, each keeping its kind, key and versions for the explanation: ww between
 *      neighbours in a version order; wr from the writer of a version to its readers;
 *      item rw from a reader to the writer of the version after the one it read;
 *      predicate rw from a scan to the writers of later versions that change whether a
 *      row matches (a key the scan did not see starts out as not matching).
 *   4. Cycles. Tarjan's strongly connected components over four edge subsets (ww; ww+wr;
 *      ww+wr+item rw; all) say in linear time whether an edge can lie on a cycle of a class:
 *      only inside the component of a subset that contains it and the way back. Only then
 *      a BFS looks for the shortest such cycle to explain. A history whose graph has no
 *      non-trivial component costs one SCC pass and nothing more. Searches go from the
 *      strongest class down: an rw edge on a G-single cycle is not searched again for G2.
 *
 * Invariants:
 *   A1. Only committed transactions are graph nodes; T0 is in no cycle.
 *   A2. No edge joins a transaction to itself; reading one's own write makes no edge.
 *   A3. A cycle finding is reported once per (name, set of transactions); a second cycle
 *       with the same name and set only adds its aliases. Dirty, aborted and intermediate
 *       reads are reported once per (reader, version).
 *   A4. Graph nodes are numbered in commit order; a ww or wr edge that goes backwards in
 *       that order (possible only through dirty reads or interleaved writes) switches
 *       off the BFS pruning that relies on it.
 *
 * Known limits, chosen to stay linear on long histories:
 *   - A predicate read gets an rw edge for the first change of each key's match after what
 *     it saw (PRED_FLIPS_MAX), not for every later one. The writers of those later versions
 *     are reachable from the first through ww edges, so no cycle is missed; at worst it is
 *     found through more transactions, or under a stronger class. This keeps a long
 *     history of scans over busy keys linear; a flip cache per (predicate, key) does the
 *     same for keys whose match never changes.
 *   - For a key a scan did not see, the state it saw is taken to be the latest deletion
 *     (or the unborn key) written before the scan.
 *   - Each cycle class stops at CYCLE_FINDINGS_MAX findings, and all cycle search stops
 *     when the BFS budget, proportional to the size of the graph, is spent.
 */
#include "acidcheck.h"
#include "common/umap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#define NONE UMAP_NONE           /* no index (the map's empty marker too) */
#define NOVER (UINT32_MAX - 1)   /* all of a transaction's writes of a key were undone */
#define PRED_FLIPS_MAX 1         /* see Known limits */
#define PRED_WALK_DIRECT 4       /* versions a walk evaluates before it builds a cache */
#define CYCLE_FINDINGS_MAX 1000
#define CYCLE_SHOW_MAX 24        /* edges written out in a finding's text */
#define BUDGET_PER_ELEMENT 64
#define BUDGET_BASE 2000000

enum { TS_ACTIVE, TS_COMMITTED, TS_ABORTED };
enum { E_WW = 1, E_WR = 2, E_RWI = 4, E_RWP = 8, E_ALL = 15 };
enum { FN_DIRTY, FN_G0, FN_G1A, FN_G1B, FN_G1C, FN_GSINGLE, FN_G2ITEM, FN_G2, FN__COUNT };
enum { C_WW, C_WWR, C_ITEM, C_ALL, C__COUNT };

static const char *const fn_names[FN__COUNT] = {
    "dirty-read", "G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "G2",
};

static const char *const known_names[] = {
    "G0", "G1a", "G1b", "G1c", "G1", "G-single", "G2-item", "G2", "dirty-read",
    "dirty-write", "aborted-read", "intermediate-read", "read-skew", "lost-update",
    "non-repeatable-read", "phantom", "write-skew",
};


/* --- records ------------------------------------------------------------------------ */

typedef struct txn_rec {
    uint64_t id;
    uint64_t end_seq;       /* its COMMIT, ABORT or LOST event (for the committed: COMMIT) */
    uint32_t commit_idx;
    uint32_t tk_head, ntk;  /* its keys written (tk_rec chain, newest first) */
    uint32_t rd_head, nrdv; /* its reads of a version (read_rec chain, newest first) */
    uint32_t rdtab, rdcap;  /* past CHAIN_MAX of them: its table in rdpool (see rd_find) */
    uint8_t status;         /* TS_* at the point the scan has reached */
    uint8_t lost;
} txn_rec;

/* One key a transaction wrote: its first version of it, and the latest not undone. */
typedef struct tk_rec {
    uint32_t txn, key;
    uint32_t own;           /* the latest version not undone; NOVER when all were undone */
    uint32_t first;         /* the transaction's first version of the key */
    uint32_t next;          /* the transaction's previous tk_rec; NONE at the end */
} tk_rec;

typedef struct key_rec {
    scalar key;
    uint32_t table;
    uint32_t ostart, olen;  /* the key's version order: ord[ostart .. ostart+olen) */
    uint32_t stamp;
    uint32_t memo_ver;      /* the version last looked up for this key (saves a hash) */
    uint32_t memo_cls, memo_fc;   /* the flip cache last used for this key */
    uint32_t hint;          /* where absent_pos last found its answer */
} key_rec;

typedef struct ver_rec {
    uint64_t id;
    uint64_t seq;           /* the WRITE event; 0 for T0 */
    int64_t value;
    uint32_t txn, key;
    uint32_t prev_own;      /* the writer's previous version of this key */
    uint32_t pos;           /* index into ord; NONE when not installed */
    uint8_t exists, undone, known, inserted;
} ver_rec;

typedef struct read_rec {
    uint64_t seq;           /* (the value read is the event's; see read_value) */
    uint32_t txn, key, ver; /* ver NONE: the key had no row */
    uint32_t pread;         /* the predicate read it came from; NONE for an item read */
    uint32_t next;          /* the reader's previous read of a version; NONE at the end */
    uint8_t exists, dirty;
} read_rec;

/* What the passes after the scan need of a PREAD event, copied so that they need not go
 * back to the event (one cache miss per scan on a long history). */
typedef struct pread_rec {
    const pred *pred;
    const hist_row *hrows;  /* the event's rows */
    uint64_t seq;
    uint32_t txn, table;
    uint32_t cls;           /* predicate class, NONE until needed */
    uint32_t rows;          /* first of nrows entries in prow */
    uint32_t nrows;
} pread_rec;

typedef struct prow_rec {
    uint32_t key, ver;      /* ver NONE for a row without a version id */
} prow_rec;

typedef struct pred_class {
    const pred *p;
    char *text;
    uint8_t shape;          /* CLS_* */
} pred_class;

/* Performance: a predicate on the key column alone (id = k, id IN (...), or none) matches a
 * version of a given key exactly when the version exists, if it matches that key at all.
 * Such predicates share two classes, "matches where the row exists" and "never matches",
 * instead of one class per predicate text: a history full of distinct IN lists would
 * otherwise build a flip cache per list and key, each as long as the key's version order,
 * which grows quadratically with the history. The match flags are the same either way. */
enum { CLS_PRED = 0, CLS_PRESENT, CLS_NEVER };

/* Match flags of one key's version order under one predicate, and for each position the
 * next position whose flag differs: lets a walk jump straight to the next change. */
typedef struct flip_cache {
    uint8_t *match;
    uint32_t *next;
} flip_cache;

typedef struct edge {
    uint32_t from, to;      /* graph nodes */
    uint32_t key;
    uint32_t v1, v2;        /* ww: from's and to's versions; wr: the version read;
                             * rw: the version read (NONE: no row), the version to wrote */
    uint32_t pread;         /* wr or rw through a predicate read; NONE otherwise */
    uint8_t kind;           /* E_* */
    uint8_t seen_match;     /* rw-pred: did what the scan saw match */
    uint8_t later;          /* rw-pred: not the first change after what the scan saw */
} edge;

typedef struct fnd {
    acid_finding f;
    uint64_t h2;            /* second hash of the transaction set (A3) */
    uint32_t order;
} fnd;

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

/* Performance: transaction and version ids come from counters, so an array indexed by the
 * id is a dense map with the locality of the history itself; ids far beyond the others
 * (a hand-made history) go to a hash map instead. */
typedef struct idmap {
    uint32_t *v;            /* v[id]: the index, NONE when absent */
    size_t cap, n;
    umap far;
} idmap;

#define IDMAP_SLACK 65536   /* an id is "dense" below 8 x (ids stored) + this */
#define CHAIN_MAX 32        /* per-transaction chains longer than this get a hash map */

static uint32_t idmap_get(const idmap *m, uint64_t id)
{
    if (id < m->cap && m->v[id] != NONE)
        return m->v[id];
    return m->far.n ? umap_get(&m->far, id, 0) : NONE;
}

static int idmap_put(idmap *m, uint64_t id, uint32_t val)
{
    if (id >= m->cap && id < 8 * (uint64_t)m->n + IDMAP_SLACK) {
        size_t cap = m->cap ? m->cap : 1024;
        while (cap <= id)
            cap *= 2;
        uint32_t *v = realloc(m->v, cap * sizeof *v);
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

static void idmap_free(idmap *m)
{
    free(m->v);
    umap_free(&m->far);
    memset(m, 0, sizeof *m);
}

typedef struct ord_pos {
    uint32_t ver, txn;      /* the version and its writer */
} ord_pos;

typedef struct rd_slot {
    uint32_t ver, rd;       /* rd NONE: empty */
} rd_slot;

typedef struct ctx {
    const hist *h;
    achk_label_fn label;
    void *arg;

    txn_rec *tx;
    size_t ntx, captx;
    idmap txmap;
    char (*labels)[32];     /* per transaction, "" until a finding names it (zeroed pages
                             * that are never written cost nothing) */
    uint8_t *tstat;         /* per transaction after the scan: its final status, and */
    uint32_t *tnode;        /* its graph node. Performance: the passes after the scan look
                             * these up at every read and edge; packed apart from the rest
                             * of txn_rec they stay in the cache on a long history. */
    uint32_t tx_last;
    uint32_t ncommit;

    const char **tab;
    size_t ntab, captab;
    uint32_t tab_last;

    key_rec *keys;
    size_t nkeys, capkeys;
    uint32_t *kslot;
    size_t kcap;
    uint32_t kstamp;

    ver_rec *vers;
    size_t nvers, capvers;
    idmap vmap;
    tk_rec *tk;             /* (txn, key) written: see tk_find */
    size_t ntk, captk;
    umap tkmap;             /* (txn, key) -> tk_rec, for transactions with many keys */

    read_rec *rd;
    size_t nrd, caprd;
    rd_slot *rdpool;        /* per-reader tables, for readers with many reads */
    size_t nrdpool, caprdpool;
    uint32_t rdfree[32];    /* free tables in rdpool by log2 of their size; NONE: none */

    pread_rec *pr;
    size_t npr, cappr;
    prow_rec *prow;
    size_t nprow, capprow;

    uint64_t *ordmem;       /* the block holding ord and the arrays below */
    ord_pos *ord;           /* every key's version order, key after key */
    /* Per position of ord, what the walks along a version order read of its version
     * (WRITE seq, value, exists && known; the writer is in ord). Performance: a key's
     * versions were created all over the history, so reading them through vers jumps
     * around memory at every step; these keep a key's order in a few cache lines. */
    uint64_t *ord_seq;
    int64_t *ord_val;
    uint8_t *ord_live;
    int32_t *pdead;         /* per position: latest position at or before it (same key)
                             * whose version is a deletion, -1 when none */
    size_t nord;
    struct ord_item *ord_items;  /* build_orders' scratch */
    uint32_t *tkstart, *tkeys;  /* keys per table */

    pred_class *cls;
    size_t ncls, capcls;
    uint32_t shape_cls[3];  /* the shared CLS_PRESENT and CLS_NEVER classes, plus one (0: none yet) */
    umap clsmap;
    flip_cache *fc;
    size_t nfc, capfc;
    umap fcmap;

    uint32_t *nodes;        /* node -> txn index, in commit order */
    size_t nnodes;
    edge *ed;
    size_t ned, caped;
    uint32_t *adj_start, *adj;
    uint32_t *adj_to;       /* per adjacency entry: its edge's to (the search over all edges
                             * reads this, not the edges) */
    uint64_t *nodemem;      /* the block holding the per-node arrays below */
    uint32_t *comp[C__COUNT];
    int nontrivial[C__COUNT];
    uint32_t *t_idx, *t_low, *t_stk, *t_csn, *t_csp;
    uint8_t *t_on;
    uint32_t *stamp, *pedge, *queue, *path, *cyc;
    uint8_t *closed;        /* per edge: a cycle through it was found */
    uint8_t *cyc_node;      /* per node: in a component (over all edges) with a cycle */
    uint32_t *cand;         /* the edges inside such components, in edge order */
    size_t ncand;
    uint64_t *tmp64;
    uint32_t epoch;
    uint64_t budget;
    int mono;
    int ncycles[FN__COUNT];  /* cycle findings per name */

    fnd *f;
    size_t nf, capf;
    umap fmap;              /* (name, set hash) -> finding */
} ctx;

static void *grow_buf(void *p, size_t *cap, size_t need, size_t sz)
{
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * sz);
    if (q)
        *cap = n;
    return q;
}

/* Performance: a long history's tables are tens of megabytes of fresh memory on every run,
 * and on a virtual machine a page fault costs microseconds; the big ones are sized from
 * the history's counts before the scan (presize) and placed on huge pages where the system
 * gives them on request (Linux: transparent huge pages, "madvise" mode). Only a hint. */
#define HUGE_PAGE ((size_t)2 << 20)


static void *big_alloc(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#endif
    return p;
}

/* *arr gets room for n elements of sz bytes (keeping the *cap it had). */
static int presize(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return 0;
    void *p = big_alloc(n * sz);
    if (!p)
        return -1;
    if (*arr)
        memcpy(p, *arr, *cap * sz);
    free(*arr);
    *arr = p;
    *cap = n;
    return 0;
}

/* In a function returning int: make room for need elements or return -1. */
#define RESERVE(arr, cap, need) do { \
        if ((need) > (cap)) { \
            void *q_ = grow_buf((arr), &(cap), (need), sizeof *(arr)); \
            if (!q_) \
                return -1; \
            (arr) = q_; \
        } \
    } while (0)

/* --- per-transaction chains ------------------------------------------------------- */

/* Performance: what a transaction wrote and read is kept in short chains per transaction
 * (most write a few keys and read a few versions), which stay in the cache while the
 * transaction runs; a hash map over every (transaction, key) pair of a long history
 * would miss the cache at nearly every lookup. A transaction that outgrows CHAIN_MAX
 * gets its entries indexed in a hash map as well. */
static uint32_t tk_find(const ctx *c, uint32_t t, uint32_t k)
{
    const txn_rec *x = &c->tx[t];
    if (x->ntk > CHAIN_MAX)
        return umap_get(&c->tkmap, t, k);
    for (uint32_t i = x->tk_head; i != NONE; i = c->tk[i].next)
        if (c->tk[i].key == k)
            return i;
    return NONE;
}

/* The latest version of key k that transaction t wrote and did not undo (NOVER: it
 * undid them all); NONE if it never wrote k. */
static uint32_t tk_own(const ctx *c, uint32_t t, uint32_t k)
{
    uint32_t i = tk_find(c, t, k);
    return i == NONE ? NONE : c->tk[i].own;
}

/* t writes k for the first time: version v is both its first and its own. */
static int tk_add(ctx *c, uint32_t t, uint32_t k, uint32_t v)
{
    RESERVE(c->tk, c->captk, c->ntk + 1);
    uint32_t i = (uint32_t)c->ntk++;
    txn_rec *x = &c->tx[t];
    c->tk[i] = (tk_rec){ t, k, v, v, x->tk_head };
    x->tk_head = i;
    if (++x->ntk == CHAIN_MAX + 1) {
        for (uint32_t j = i; j != NONE; j = c->tk[j].next)
            if (umap_put(&c->tkmap, t, c->tk[j].key, j))
                return -1;
    } else if (x->ntk > CHAIN_MAX + 1 && umap_put(&c->tkmap, t, k, i)) {
        return -1;
    }
    return 0;
}

/* A reader with more than CHAIN_MAX reads of versions gets its own small hash table
 * (version -> read) in rdpool, doubled when half full: one table per reader keeps its
 * lookups within a few cache lines, where one table for all readers of a long history
 * would not. The tables only speed up the scan's check for a repeated read: when the
 * transaction ends its table goes back to a free list (by size) for the next big reader,
 * so the pool holds about one table per session; later lookups walk the chain. */
static size_t rd_home(uint32_t v, uint32_t cap)
{
    return (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static uint32_t rd_find(const ctx *c, uint32_t t, uint32_t v)
{
    const txn_rec *x = &c->tx[t];
    if (x->nrdv <= CHAIN_MAX || !x->rdcap) {
        for (uint32_t i = x->rd_head; i != NONE; i = c->rd[i].next)
            if (c->rd[i].ver == v)
                return i;
        return NONE;
    }
    const rd_slot *tab = c->rdpool + x->rdtab;
    for (size_t i = rd_home(v, x->rdcap);; i = (i + 1) & (x->rdcap - 1)) {
        if (tab[i].rd == NONE)
            return NONE;
        if (tab[i].ver == v)
            return tab[i].rd;
    }
}

static void rd_tab_put(rd_slot *tab, uint32_t cap, uint32_t v, uint32_t r)
{
    size_t i = rd_home(v, cap);
    while (tab[i].rd != NONE)
        i = (i + 1) & (cap - 1);
    tab[i] = (rd_slot){ v, r };
}

static int log2u(uint32_t cap)
{
    int k = 0;
    while (cap > 1u) {
        cap >>= 1;
        k++;
    }
    return k;
}

/* The transaction's table goes back to the free list of its size. */
static void rd_tab_release(ctx *c, txn_rec *x)
{
    if (!x->rdcap)
        return;
    int k = log2u(x->rdcap);
    c->rdpool[x->rdtab].ver = c->rdfree[k];   /* the link, while the table is free */
    c->rdfree[k] = x->rdtab;
    x->rdcap = 0;
}

/* Read r, of a version, joins its reader t's chain (and table). */
static int rd_link(ctx *c, uint32_t t, uint32_t r)
{
    txn_rec *x = &c->tx[t];
    c->rd[r].next = x->rd_head;
    x->rd_head = r;
    x->nrdv++;
    if (x->nrdv <= CHAIN_MAX)
        return 0;
    if (x->nrdv * 2 > x->rdcap) {
        /* A table at least twice the reads (4 x CHAIN_MAX to begin with), from the chain. */
        uint32_t cap = 4 * CHAIN_MAX;
        while (cap < 2 * x->nrdv)
            cap *= 2;
        int k = log2u(cap);
        uint32_t off = c->rdfree[k];
        if (off != NONE) {
            c->rdfree[k] = c->rdpool[off].ver;
        } else {
            RESERVE(c->rdpool, c->caprdpool, c->nrdpool + cap);
            off = (uint32_t)c->nrdpool;
            c->nrdpool += cap;
        }
        rd_slot *tab = c->rdpool + off;
        for (uint32_t i = 0; i < cap; i++)
            tab[i].rd = NONE;
        for (uint32_t j = r; j != NONE; j = c->rd[j].next)
            rd_tab_put(tab, cap, c->rd[j].ver, j);
        rd_tab_release(c, x);
        x->rdtab = off;
        x->rdcap = cap;
        return 0;
    }
    rd_tab_put(c->rdpool + x->rdtab, x->rdcap, c->rd[r].ver, r);
    return 0;
}

/* --- text --------------------------------------------------------------------------- */

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && (size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static const char *txn_label(ctx *c, uint32_t t)
{
    char *l = c->labels[t];
    if (!l[0]) {
        const txn_rec *x = &c->tx[t];
        if (t == 0)
            snprintf(l, sizeof c->labels[t], "T0");
        else if (c->label)
            c->label(x->id, l, sizeof c->labels[t], c->arg);
        if (!l[0])
            snprintf(l, sizeof c->labels[t], "txn %" PRIu64, x->id);
        l[sizeof c->labels[t] - 1] = 0;
    }
    return l;
}

static const char *node_label(ctx *c, uint32_t node)
{
    return txn_label(c, c->nodes[node]);
}

static void sb_key(sbuf *b, ctx *c, uint32_t k)
{
    char kb[64];
    const char *t = c->tab[c->keys[k].table];
    scalar_format(&c->keys[k].key, false, kb, sizeof kb);
    sb_printf(b, "%s/%s", t ? t : "?", kb);
}

static void sb_val(sbuf *b, ctx *c, uint32_t v)
{
    if (v != NONE && c->vers[v].known)
        sb_printf(b, "%" PRId64, c->vers[v].value);
    else
        sb_printf(b, "?");
}

static bool ver_exists(ctx *c, uint32_t v)
{
    return v != NONE && c->vers[v].exists;
}

/* "T1's scan of test WHERE value % 3 = 0" */
static void sb_scan(sbuf *b, ctx *c, const char *who, uint32_t pi)
{
    const pread_rec *p = &c->pr[pi];
    const char *table = c->tab[p->table];   /* the event's (interned) table name */
    char pb[512];
    pb[0] = 0;
    if (p->pred)
        pred_format(p->pred, pb, sizeof pb);
    sb_printf(b, "%s's scan of %s", who, table ? table : "?");
    if (pb[0])
        sb_printf(b, " WHERE %s", pb);
}

/* "T1 and T2", "T1, T2 and T3" */
static void sb_txn_list(sbuf *b, ctx *c, const uint32_t *cyc, uint32_t n)
{
    uint32_t show = n > 6 ? 5 : n;
    for (uint32_t i = 0; i < show; i++) {
        if (i)
            sb_printf(b, i + 1 == n ? " and " : ", ");
        sb_printf(b, "%s", node_label(c, c->ed[cyc[i]].from));
    }
    if (show < n)
        sb_printf(b, " and %u others", n - show);
}

static const char *kind_text(uint8_t kind)
{
    switch (kind) {
    case E_WW: return "ww";
    case E_WR: return "wr";
    default: return "rw";
    }
}

/* "T1 -rw(test/2)-> T2 -wr(test/1)-> T1" */
static void sb_arrows(sbuf *b, ctx *c, const uint32_t *cyc, uint32_t n)
{
    sb_printf(b, "%s", node_label(c, c->ed[cyc[0]].from));
    for (uint32_t i = 0; i < n; i++) {
        if (i == CYCLE_SHOW_MAX && n > CYCLE_SHOW_MAX + 1) {
            sb_printf(b, " ... (%u more edges)", n - i - 1);
            i = n - 1;
        }
        const edge *e = &c->ed[cyc[i]];
        sb_printf(b, " -%s(", kind_text(e->kind));
        sb_key(b, c, e->key);
        sb_printf(b, ")-> %s", node_label(c, e->to));
    }
}

static void sb_edge(sbuf *b, ctx *c, const edge *e)
{
    const char *from = node_label(c, e->from), *to = node_label(c, e->to);
    switch (e->kind) {
    case E_WW:
        if (!ver_exists(c, e->v1)) {
            sb_printf(b, "%s wrote ", to);
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v2);
            sb_printf(b, " after %s had deleted it", from);
        } else if (!ver_exists(c, e->v2)) {
            sb_printf(b, "%s deleted %s's ", to, from);
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
        } else {
            sb_printf(b, "%s overwrote %s's ", to, from);
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
            sb_printf(b, " with ");
            sb_val(b, c, e->v2);
        }
        break;
    case E_WR:
        if (e->pread != NONE) {
            sb_scan(b, c, to, e->pread);
            sb_printf(b, " saw ");
        } else {
            sb_printf(b, "%s read ", to);
        }
        sb_key(b, c, e->key);
        if (ver_exists(c, e->v1)) {
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
            sb_printf(b, " written by %s", from);
        } else {
            sb_printf(b, " as deleted by %s", from);
        }
        break;
    case E_RWI:
        if (ver_exists(c, e->v1) && e->pread != NONE) {
            sb_scan(b, c, from, e->pread);
            sb_printf(b, " saw ");
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
        } else if (ver_exists(c, e->v1)) {
            sb_printf(b, "%s read ", from);
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
        } else {
            sb_printf(b, "%s found no row ", from);
            sb_key(b, c, e->key);
        }
        if (!ver_exists(c, e->v2)) {
            sb_printf(b, " before %s deleted it", to);
        } else if (!ver_exists(c, e->v1)) {
            sb_printf(b, " before %s inserted it with ", to);
            sb_val(b, c, e->v2);
        } else {
            sb_printf(b, " before %s changed it to ", to);
            sb_val(b, c, e->v2);
        }
        break;
    case E_RWP:
        if (e->later) {
            if (!ver_exists(c, e->v2)) {
                sb_printf(b, "%s later deleted ", to);
                sb_key(b, c, e->key);
            } else {
                bool ins = c->vers[e->v2].inserted;
                sb_printf(b, "%s later %s ", to, ins ? "inserted" : "changed");
                sb_key(b, c, e->key);
                sb_printf(b, ins ? " with " : " to ");
                sb_val(b, c, e->v2);
            }
            sb_printf(b, ", changing what ");
            sb_scan(b, c, from, e->pread);
            sb_printf(b, " matched");
            break;
        }
        sb_scan(b, c, from, e->pread);
        if (!e->seen_match) {
            if (e->v1 == NONE) {
                sb_printf(b, " missed ");
                sb_key(b, c, e->key);
                sb_printf(b, ", which %s inserted with ", to);
            } else {
                sb_printf(b, " did not match ");
                sb_key(b, c, e->key);
                sb_printf(b, " = ");
                sb_val(b, c, e->v1);
                sb_printf(b, ", which %s changed to ", to);
            }
            sb_val(b, c, e->v2);
            if (e->v1 != NONE)
                sb_printf(b, " so that it matches");
        } else {
            sb_printf(b, " matched ");
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
            if (!ver_exists(c, e->v2)) {
                sb_printf(b, ", which %s deleted", to);
            } else {
                sb_printf(b, ", which %s changed to ", to);
                sb_val(b, c, e->v2);
                sb_printf(b, " so that it no longer matches");
            }
        }
        break;
    }
}

static void sb_edges(sbuf *b, ctx *c, const uint32_t *cyc, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i == CYCLE_SHOW_MAX && n > CYCLE_SHOW_MAX + 1) {
            sb_printf(b, ", and %u more steps", n - i);
            return;
        }
        if (i)
            sb_printf(b, i + 1 == n ? ", and " : ", ");
        sb_edge(b, c, &c->ed[cyc[i]]);
    }
}

/* --- findings ----------------------------------------------------------------------- */

static int alias_add(acid_finding *f, const char *alias)
{
    for (int i = 0; i < f->naliases; i++)
        if (strcasecmp(f->aliases[i], alias) == 0)
            return 0;
    if (f->naliases >= ACHK_NAMES_MAX)
        return 0;
    snprintf(f->aliases[f->naliases++], sizeof f->aliases[0], "%s", alias);
    return 0;
}

static acid_finding *finding_new(ctx *c, int name, uint64_t seq)
{
    if (c->nf == c->capf) {
        void *q = grow_buf(c->f, &c->capf, c->nf + 1, sizeof *c->f);
        if (!q)
            return NULL;
        c->f = q;
    }
    fnd *x = &c->f[c->nf];
    memset(x, 0, sizeof *x);
    x->order = (uint32_t)c->nf;
    c->nf++;
    snprintf(x->f.name, sizeof x->f.name, "%s", fn_names[name]);
    x->f.seq = seq;
    return &x->f;
}

/* Drops the finding just created (out of memory while writing its text). */
static int finding_text(ctx *c, acid_finding *f, sbuf *b)
{
    if (b->oom || !b->s) {
        free(b->s);
        c->nf--;
        return -1;
    }
    f->text = b->s;
    return 0;
}

/* The value read r saw, from its event: a READ's value, or the row of the scan that made
 * the read (the first matching row with its version: later ones were the same read). */
static int64_t read_value(const ctx *c, const read_rec *r)
{
    if (r->pread == NONE)
        return hist_get(c->h, (size_t)(r->seq - 1))->n[1];
    const pread_rec *p = &c->pr[r->pread];
    uint64_t id = c->vers[r->ver].id;
    for (uint32_t i = 0; i < p->nrows; i++)
        if (p->hrows[i].matched && p->hrows[i].version == id && c->prow[p->rows + i].key == r->key)
            return p->hrows[i].value;
    return 0;
}

/* dirty-read, G1a, G1b on read r (written by w). */
static int read_finding(ctx *c, int name, const read_rec *r, uint64_t seq)
{
    uint32_t w = c->vers[r->ver].txn;
    acid_finding *f = finding_new(c, name, seq);
    if (!f)
        return -1;
    f->ntxns = 2;
    f->txns[0] = c->tx[w].id;
    f->txns[1] = c->tx[r->txn].id;
    const char *rl = txn_label(c, r->txn), *wl = txn_label(c, w);
    sbuf b = { 0 };
    switch (name) {
    case FN_DIRTY: sb_printf(&b, "dirty read: "); break;
    case FN_G1A: sb_printf(&b, "aborted read (G1a): "); break;
    default: sb_printf(&b, "intermediate read (G1b): "); break;
    }
    if (r->pread != NONE) {
        sb_scan(&b, c, rl, r->pread);
        sb_printf(&b, " saw ");
    } else {
        sb_printf(&b, "%s read ", rl);
    }
    sb_key(&b, c, r->key);
    if (r->exists)
        sb_printf(&b, " = %" PRId64 " written by %s", read_value(c, r), wl);
    else
        sb_printf(&b, " as deleted by %s", wl);
    const txn_rec *wt = &c->tx[w];
    switch (name) {
    case FN_DIRTY:
        if (wt->status == TS_COMMITTED || wt->lost)
            sb_printf(&b, " before %s committed.", wl);
        else if (wt->status == TS_ABORTED)
            sb_printf(&b, " while %s was uncommitted (it later aborted).", wl);
        else
            sb_printf(&b, " while %s had not committed.", wl);
        break;
    case FN_G1A:
        if (wt->lost)
            sb_printf(&b, ", whose commit was later lost in a crash.");
        else
            sb_printf(&b, ", which later aborted.");
        break;
    default: {
        uint32_t fin = tk_own(c, w, r->key);
        if (fin == NOVER || fin == NONE) {
            sb_printf(&b, ", who rolled that write back before committing.");
        } else if (!c->vers[fin].exists) {
            sb_printf(&b, ", who later deleted it before committing, so %s saw a state "
                      "that never committed.", rl);
        } else {
            sb_printf(&b, ", who later replaced it with ");
            sb_val(&b, c, fin);
            sb_printf(&b, " before committing, so %s saw a value that never committed.", rl);
        }
        break;
    }
    }
    if (finding_text(c, f, &b))
        return -1;
    if (name == FN_G1A)
        alias_add(f, "aborted-read");
    if (name == FN_G1B)
        alias_add(f, "intermediate-read");
    if (name == FN_G1A || name == FN_G1B)
        alias_add(f, "G1");
    return 0;
}

/* The read findings of read r: dirty-read, G1a, G1b. */
static int read_findings(ctx *c, const read_rec *r)
{
    if (r->ver == NONE)
        return 0;
    uint32_t w = c->vers[r->ver].txn;
    if (w == 0 || w == r->txn)
        return 0;
    if (r->dirty && read_finding(c, FN_DIRTY, r, r->seq))
        return -1;
    if (c->tstat[r->txn] == TS_ABORTED)
        return 0;
    uint8_t ws = c->tstat[w];
    if (ws == TS_ABORTED) {
        const txn_rec *wt = &c->tx[w];
        if (read_finding(c, FN_G1A, r, r->seq > wt->end_seq ? r->seq : wt->end_seq))
            return -1;
    } else if (ws == TS_COMMITTED && c->vers[r->ver].pos == NONE &&
               tk_own(c, w, r->key) != r->ver) {
        const txn_rec *wt = &c->tx[w];
        if (read_finding(c, FN_G1B, r, r->seq > wt->end_seq ? r->seq : wt->end_seq))
            return -1;
    }
    return 0;
}

/* --- the scan ----------------------------------------------------------------------- */

static int txn_get(ctx *c, uint64_t id, uint32_t *out)
{
    uint32_t t = c->tx_last < c->ntx && c->tx[c->tx_last].id == id ? c->tx_last
               : idmap_get(&c->txmap, id);
    if (t == NONE) {
        RESERVE(c->tx, c->captx, c->ntx + 1);
        t = (uint32_t)c->ntx++;
        txn_rec *x = &c->tx[t];
        memset(x, 0, sizeof *x);
        x->id = id;
        x->tk_head = x->rd_head = NONE;
        if (idmap_put(&c->txmap, id, t))
            return -1;
    }
    *out = c->tx_last = t;
    return 0;
}

static int table_get(ctx *c, const char *name, uint32_t *out)
{
    if (c->tab_last < c->ntab && c->tab[c->tab_last] == name) {
        *out = c->tab_last;
        return 0;
    }
    for (size_t i = 0; i < c->ntab; i++)
        if (c->tab[i] == name || (name && c->tab[i] && strcmp(c->tab[i], name) == 0)) {
            *out = c->tab_last = (uint32_t)i;
            return 0;
        }
    RESERVE(c->tab, c->captab, c->ntab + 1);
    c->tab[c->ntab] = name;
    *out = c->tab_last = (uint32_t)c->ntab++;
    return 0;
}

static size_t key_home(const ctx *c, uint32_t table, const scalar *k)
{
    return (size_t)(fmix64(scalar_hash(k) ^ ((uint64_t)table * 0x9e3779b97f4a7c15ULL)) &
                    (c->kcap - 1));
}

static uint32_t key_find(const ctx *c, uint32_t table, const scalar *k)
{
    if (!c->kcap)
        return NONE;
    for (size_t i = key_home(c, table, k);; i = (i + 1) & (c->kcap - 1)) {
        uint32_t x = c->kslot[i];
        if (x == NONE)
            return NONE;
        if (c->keys[x].table == table && scalar_eq(&c->keys[x].key, k))
            return x;
    }
}

static int key_get(ctx *c, const char *table, const scalar *k, uint32_t *out)
{
    uint32_t t;
    if (table_get(c, table, &t))
        return -1;
    uint32_t x = key_find(c, t, k);
    if (x != NONE) {
        *out = x;
        return 0;
    }
    if ((c->nkeys + 1) * 2 > c->kcap) {
        size_t cap = c->kcap ? c->kcap * 2 : 64;
        uint32_t *s = malloc(cap * sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; i < cap; i++)
            s[i] = NONE;
        free(c->kslot);
        c->kslot = s;
        c->kcap = cap;
        for (size_t i = 0; i < c->nkeys; i++) {
            size_t j = key_home(c, c->keys[i].table, &c->keys[i].key);
            while (s[j] != NONE)
                j = (j + 1) & (cap - 1);
            s[j] = (uint32_t)i;
        }
    }
    RESERVE(c->keys, c->capkeys, c->nkeys + 1);
    x = (uint32_t)c->nkeys++;
    key_rec *kr = &c->keys[x];
    memset(kr, 0, sizeof *kr);
    kr->key = *k;
    kr->table = t;
    kr->memo_ver = kr->memo_cls = kr->memo_fc = NONE;
    size_t j = key_home(c, t, k);
    while (c->kslot[j] != NONE)
        j = (j + 1) & (c->kcap - 1);
    c->kslot[j] = x;
    *out = x;
    return 0;
}

/* The record of version id, creating it as T0's when no WRITE made it. */
static int ver_get(ctx *c, uint64_t id, uint32_t key, bool exists, bool known, int64_t value,
                   uint32_t *out)
{
    uint32_t v = c->keys[key].memo_ver;
    if (v == NONE || c->vers[v].id != id)
        v = idmap_get(&c->vmap, id);
    if (v == NONE) {
        RESERVE(c->vers, c->capvers, c->nvers + 1);
        v = (uint32_t)c->nvers++;
        ver_rec *x = &c->vers[v];
        memset(x, 0, sizeof *x);
        x->id = id;
        x->key = key;
        x->prev_own = NONE;
        x->pos = NONE;
        x->exists = exists;
        x->known = known;
        x->value = known ? value : 0;
        if (idmap_put(&c->vmap, id, v))
            return -1;
    } else if (known && !c->vers[v].known && c->vers[v].txn == 0) {
        c->vers[v].known = 1;
        c->vers[v].value = value;
        c->vers[v].exists = exists;
    }
    if (c->vers[v].key == key)
        c->keys[key].memo_ver = v;
    *out = v;
    return 0;
}

static int on_write(ctx *c, uint32_t t, const hist_event *e)
{
    uint32_t k, v, dummy;
    if (key_get(c, e->table, &e->key, &k))
        return -1;
    if (e->n[3] && ver_get(c, (uint64_t)e->n[3], k, !e->n[4], false, 0, &dummy))
        return -1;
    if (ver_get(c, (uint64_t)e->n[0], k, e->n[2] != 0, true, e->n[1], &v))
        return -1;
    ver_rec *x = &c->vers[v];
    x->txn = t;
    x->key = k;
    x->seq = e->seq;
    x->value = e->n[1];
    x->exists = e->n[2] != 0;
    x->known = 1;
    x->inserted = e->n[4] != 0;
    x->undone = 0;
    uint32_t i = tk_find(c, t, k);
    if (i == NONE)
        return tk_add(c, t, k, v);
    uint32_t prev = c->tk[i].own;
    x->prev_own = (prev == NOVER || prev == v) ? NONE : prev;
    c->tk[i].own = v;
    return 0;
}

static int on_undo(ctx *c, const hist_event *e)
{
    uint32_t k, dummy;
    if (key_get(c, e->table, &e->key, &k))
        return -1;
    if (e->n[0] && ver_get(c, (uint64_t)e->n[0], k, e->n[2] != 0, true, e->n[1], &dummy))
        return -1;
    uint32_t v = e->n[3] ? idmap_get(&c->vmap, (uint64_t)e->n[3]) : NONE;
    if (v == NONE || c->vers[v].txn == 0)
        return 0;
    c->vers[v].undone = 1;
    uint32_t w = c->vers[v].txn, kk = c->vers[v].key;
    uint32_t i = tk_find(c, w, kk);
    if (i == NONE || c->tk[i].own != v)
        return 0;
    uint32_t p = c->vers[v].prev_own;
    while (p != NONE && c->vers[p].undone)
        p = c->vers[p].prev_own;
    c->tk[i].own = p == NONE ? NOVER : p;
    return 0;
}

static int add_read(ctx *c, uint32_t t, uint32_t k, uint64_t verid, int64_t value, bool exists,
                    uint64_t seq, uint32_t pread)
{
    uint32_t v = NONE;
    if (verid) {
        if (ver_get(c, verid, k, exists, true, value, &v))
            return -1;
        if (rd_find(c, t, v) != NONE)
            return 0;
    }
    RESERVE(c->rd, c->caprd, c->nrd + 1);
    uint32_t ri = (uint32_t)c->nrd++;
    read_rec *r = &c->rd[ri];
    r->seq = seq;
    r->txn = t;
    r->key = k;
    r->ver = v;
    r->pread = pread;
    r->next = NONE;
    r->exists = exists;
    r->dirty = 0;
    if (v != NONE) {
        uint32_t w = c->vers[v].txn;
        r->dirty = w != 0 && w != t && c->tx[w].status != TS_COMMITTED;
        return rd_link(c, t, ri);
    }
    return 0;
}

static int on_pread(ctx *c, uint32_t t, const hist_event *e)
{
    uint32_t tab, pi = (uint32_t)c->npr;
    if (table_get(c, e->table, &tab))
        return -1;
    RESERVE(c->pr, c->cappr, c->npr + 1);
    RESERVE(c->prow, c->capprow, c->nprow + (size_t)(e->nrows > 0 ? e->nrows : 0));
    pread_rec *p = &c->pr[c->npr++];
    p->pred = hist_pred(e);
    p->hrows = e->rows;
    p->seq = e->seq;
    p->nrows = (uint32_t)(e->nrows > 0 ? e->nrows : 0);
    p->txn = t;
    p->table = tab;
    p->cls = NONE;
    p->rows = (uint32_t)c->nprow;
    for (int i = 0; i < e->nrows; i++) {
        const hist_row *row = &e->rows[i];
        prow_rec *pr = &c->prow[c->nprow++];
        if (key_get(c, e->table, &row->key, &pr->key))
            return -1;
        pr->ver = NONE;
        if (row->version && ver_get(c, row->version, pr->key, true, true, row->value, &pr->ver))
            return -1;
        if (row->matched && row->version &&
            add_read(c, t, pr->key, row->version, row->value, true, e->seq, pi))
            return -1;
    }
    return 0;
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif
#define SCAN_AHEAD 16   /* events */

static int scan(ctx *c)
{
    size_t n = hist_count(c->h);
    for (size_t i = 0; i < n; i++) {
        const hist_event *e = hist_get(c->h, i);
        /* Performance: the scan is bound by reading the history (about 180 bytes an
         * event); asking for the event SCAN_AHEAD places on keeps the memory busy. */
        if (i + SCAN_AHEAD < n) {
            const char *f = (const char *)hist_get(c->h, i + SCAN_AHEAD);
            PREFETCH(f);
            PREFETCH(f + 64);
            PREFETCH(f + 128);
        }
        if (e->side != SIDE_ACID || !e->txn)
            continue;
        if (e->kind < EV_TXN_BEGIN || e->kind > EV_PREAD)
            continue;
        uint32_t t;
        if (txn_get(c, e->txn, &t))
            return -1;
        txn_rec *x = &c->tx[t];
        switch (e->kind) {
        case EV_TXN_BEGIN:
            break;
        case EV_TXN_COMMIT:
            if (x->status == TS_ACTIVE) {
                x->status = TS_COMMITTED;
                x->end_seq = e->seq;
                x->commit_idx = c->ncommit++;
            }
            rd_tab_release(c, x);
            break;
        case EV_TXN_ABORT:
            if (x->status == TS_ACTIVE) {
                x->status = TS_ABORTED;
                x->end_seq = e->seq;
            }
            rd_tab_release(c, x);
            break;
        case EV_TXN_LOST:
            if (x->status != TS_ABORTED) {
                x->status = TS_ABORTED;
                x->lost = 1;
                x->end_seq = e->seq;
            }
            rd_tab_release(c, x);
            break;
        case EV_WRITE:
            if (on_write(c, t, e))
                return -1;
            break;
        case EV_UNDO:
            if (on_undo(c, e))
                return -1;
            break;
        case EV_READ: {
            uint32_t k;
            if (key_get(c, e->table, &e->key, &k) ||
                add_read(c, t, k, (uint64_t)e->n[0], e->n[1], e->n[2] != 0, e->seq, NONE))
                return -1;
            break;
        }
        case EV_PREAD:
            if (on_pread(c, t, e))
                return -1;
            break;
        }
    }
    return 0;
}

/* --- version orders ----------------------------------------------------------------- */

typedef struct ord_item {
    uint32_t key;
    uint32_t ver;
    uint64_t seq;
} ord_item;

static int ord_cmp(const void *pa, const void *pb)
{
    const ord_item *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return a->ver < b->ver ? -1 : a->ver > b->ver;
}

/* Sorts the items by ord_cmp. Performance: a stable counting sort by key, then each key's
 * items by (seq, version): they arrive almost in that order already (T0's first, then the
 * transactions' final versions in the order of their first write), so an insertion sort
 * does it in about linear time; a group that turns out to be far from sorted is handed
 * to qsort instead. Same order as one qsort of everything, in time that grows with the
 * history and not with the history times the log of a key's number of versions. */
static int sort_orders(ctx *c, ord_item *it, size_t m)
{
    uint32_t *start = calloc(c->nkeys + 1, sizeof *start);
    ord_item *out = big_alloc((m ? m : 1) * sizeof *out);
    if (!start || !out) {
        free(start);
        free(out);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        start[it[i].key + 1]++;
    for (size_t k = 0; k < c->nkeys; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < m; i++)
        out[start[it[i].key]++] = it[i];
    memcpy(it, out, m * sizeof *it);
    free(out);
    size_t a = 0;
    for (size_t k = 0; k < c->nkeys; k++) {
        size_t b = start[k];   /* now the end of key k's group */
        size_t moves = 0, budget = 8 * (b - a) + 64;
        for (size_t i = a + 1; i < b && moves <= budget; i++) {
            ord_item x = it[i];
            size_t j = i;
            while (j > a && ord_cmp(&it[j - 1], &x) > 0 && moves <= budget) {
                it[j] = it[j - 1];
                j--;
                moves++;
            }
            it[j] = x;
        }
        if (moves > budget)
            qsort(it + a, b - a, sizeof *it, ord_cmp);
        a = b;
    }
    free(start);
    return 0;
}

static int build_orders(ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nvers; i++)
        if (c->vers[i].txn == 0)
            n++;
    for (size_t i = 0; i < c->ntk; i++) {
        const tk_rec *s = &c->tk[i];
        if (s->own != NOVER && c->tstat[s->txn] == TS_COMMITTED)
            n++;
    }
    ord_item *it = big_alloc((n ? n : 1) * sizeof *it);
    /* The per-position arrays in one block: 64-bit ones, then 32-bit, then bytes. */
    size_t nn = n ? n : 1;
    c->ordmem = big_alloc(nn * (sizeof *c->ord_seq + sizeof *c->ord_val + sizeof *c->ord + sizeof *c->pdead + 1));
    if (!it || !c->ordmem) {
        free(it);
        return -1;
    }
    c->ord_seq = c->ordmem;
    c->ord_val = (int64_t *)(c->ord_seq + nn);
    c->ord = (ord_pos *)(c->ord_val + nn);
    c->pdead = (int32_t *)(c->ord + nn);
    c->ord_live = (uint8_t *)(c->pdead + nn);
    c->ord_items = it;   /* freed with the context if anything below fails */
    size_t m = 0;
    for (size_t i = 0; i < c->nvers; i++)
        if (c->vers[i].txn == 0)
            it[m++] = (ord_item){ c->vers[i].key, (uint32_t)i, 0 };
    for (size_t i = 0; i < c->ntk; i++) {
        const tk_rec *s = &c->tk[i];
        if (s->own != NOVER && c->tstat[s->txn] == TS_COMMITTED)
            it[m++] = (ord_item){ s->key, s->own, c->vers[s->own].seq };
    }
    if (sort_orders(c, it, m))
        return -1;
    int32_t dead = -1;
    for (size_t i = 0; i < m; i++) {
        key_rec *k = &c->keys[it[i].key];
        if (i == 0 || it[i - 1].key != it[i].key) {
            k->ostart = (uint32_t)i;
            k->olen = 0;
            dead = -1;
        }
        uint32_t rel = k->olen++;
        const ver_rec *x = &c->vers[it[i].ver];
        c->ord[i] = (ord_pos){ it[i].ver, x->txn };
        c->ord_seq[i] = x->seq;
        c->ord_val[i] = x->value;
        c->ord_live[i] = x->exists && x->known;
        c->vers[it[i].ver].pos = (uint32_t)i;
        if (!x->exists)
            dead = (int32_t)rel;
        c->pdead[i] = dead;
    }
    c->nord = m;
    free(it);
    c->ord_items = NULL;

    /* keys per table */
    c->tkstart = calloc(c->ntab + 1, sizeof *c->tkstart);
    c->tkeys = malloc((c->nkeys ? c->nkeys : 1) * sizeof *c->tkeys);
    if (!c->tkstart || !c->tkeys)
        return -1;
    for (size_t i = 0; i < c->nkeys; i++)
        c->tkstart[c->keys[i].table + 1]++;
    for (size_t i = 0; i < c->ntab; i++)
        c->tkstart[i + 1] += c->tkstart[i];
    uint32_t *fill = malloc((c->ntab ? c->ntab : 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, c->tkstart, c->ntab * sizeof *fill);
    for (size_t i = 0; i < c->nkeys; i++)
        c->tkeys[fill[c->keys[i].table]++] = (uint32_t)i;
    free(fill);
    return 0;
}

static uint32_t writer_at(const ctx *c, const key_rec *k, int rel)
{
    return c->ord[k->ostart + (uint32_t)rel].txn;
}

/* Where in key k's version order the reader t stands after reading version v: the
 * version's position (a committed writer's intermediate version stands at its final
 * one). -2 when the read gives no rw edge: t's own write, or an uncommitted writer. */
static int seen_pos(const ctx *c, uint32_t v, uint32_t t)
{
    const ver_rec *x = &c->vers[v];
    if (x->txn == t)
        return -2;
    if (x->txn != 0 && c->tstat[x->txn] != TS_COMMITTED)
        return -2;
    uint32_t p = x->pos;
    if (p == NONE && x->txn != 0) {
        uint32_t fin = tk_own(c, x->txn, x->key);
        if (fin == NONE || fin == NOVER)
            return -2;
        p = c->vers[fin].pos;
    }
    if (p == NONE)
        return -2;
    return (int)(p - c->keys[x->key].ostart);
}

/* The state a read at seq saw of a key it found no row for: the latest deletion written
 * before it, or -1 (the key not yet born). Performance: the reads come in history order,
 * so the search starts where the key's last one ended and gallops forward: about
 * constant time per read instead of a binary search over the key's whole version order,
 * which would grow with the log of the history. */
static int absent_pos(const ctx *c, key_rec *k, uint64_t seq)
{
    const uint64_t *s = c->ord_seq + k->ostart;
    uint32_t n = k->olen, lo = 0, hi = n;   /* the first position written at or after seq */
    uint32_t h = k->hint <= n ? k->hint : 0;
    if (h > 0 && s[h - 1] >= seq) {
        hi = h - 1;                          /* behind the last answer: search before it */
    } else {
        lo = h;                              /* everything before lo is older than seq */
        for (uint32_t step = 1;; step *= 2) {
            uint32_t probe = lo + step - 1;
            if (probe >= n || s[probe] >= seq) {
                hi = probe < n ? probe : n;
                break;
            }
            lo = probe + 1;
        }
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    k->hint = lo;
    return lo == 0 ? -1 : c->pdead[k->ostart + lo - 1];
}

/* Had t written key k before seq? Then a read at seq that found no row found t's own
 * doing, and makes no edge (A2). */
static bool wrote_before(const ctx *c, uint32_t t, uint32_t k, uint64_t seq)
{
    uint32_t i = tk_find(c, t, k);
    return i != NONE && c->vers[c->tk[i].first].seq < seq;
}

/* The first position after pos written by someone other than T0. */
static int next_real(const ctx *c, const key_rec *k, int pos)
{
    int j = pos + 1;
    while (j < (int)k->olen && writer_at(c, k, j) == 0)
        j++;
    return j;
}

/* --- edges -------------------------------------------------------------------------- */

static int edge_add(ctx *c, uint8_t kind, uint32_t from_tx, uint32_t to_tx, uint32_t key,
                    uint32_t v1, uint32_t v2, uint32_t pread)
{
    RESERVE(c->ed, c->caped, c->ned + 1);
    edge *e = &c->ed[c->ned++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->from = c->tnode[from_tx];
    e->to = c->tnode[to_tx];
    c->adj_start[e->from + 1]++;
    if ((kind & (E_WW | E_WR)) && e->from > e->to)
        c->mono = 0;
    e->key = key;
    e->v1 = v1;
    e->v2 = v2;
    e->pread = pread;
    return 0;
}

/* Does the version at position pos of key k's order match p? */
static bool pos_match(const ctx *c, const pred *p, const key_rec *k, uint32_t pos)
{
    return c->ord_live[pos] && pred_eval(p, &k->key, c->ord_val[pos]);
}

static bool key_only(const pred *p)
{
    for (int i = 0; p && i < p->nterms; i++)
        if (p->terms[i].field != PF_KEY)
            return false;
    return true;
}

/* The shared class of a key-only predicate for one key (see CLS_PRESENT). */
static int shape_class(ctx *c, const pred *p, const key_rec *k, uint32_t *out)
{
    int shape = pred_eval(p, &k->key, 0) ? CLS_PRESENT : CLS_NEVER;
    if (!c->shape_cls[shape]) {
        if (c->ncls == c->capcls) {
            void *q = grow_buf(c->cls, &c->capcls, c->ncls + 1, sizeof *c->cls);
            if (!q)
                return -1;
            c->cls = q;
        }
        char *text = strdup(shape == CLS_PRESENT ? "(key only: where the row exists)" : "(key only: never)");
        if (!text)
            return -1;
        c->cls[c->ncls] = (pred_class){ NULL, text, (uint8_t)shape };
        c->shape_cls[shape] = (uint32_t)++c->ncls;
    }
    *out = c->shape_cls[shape] - 1;
    return 0;
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Predicate reads with the same table and predicate share flip caches. */
static int pread_class(ctx *c, uint32_t pi, uint32_t *out)
{
    pread_rec *p = &c->pr[pi];
    if (p->cls != NONE) {
        *out = p->cls;
        return 0;
    }
    const pred *pd = p->pred;
    char small[256], *text = small;
    int len = pred_format(pd, small, sizeof small);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof small) {
        text = malloc((size_t)len + 1);
        if (!text)
            return -1;
        pred_format(pd, text, (size_t)len + 1);
    }
    uint64_t h = fnv(text, (size_t)len, 1469598103934665603ULL);
    for (int i = 0; pd && i < pd->nterms; i++)
        h = fnv(&pd->terms[i].field, 1, h);
    uint32_t k = umap_get(&c->clsmap, h, p->table);
    if (k != NONE && strcmp(c->cls[k].text, text) == 0) {
        if (text != small)
            free(text);
        *out = p->cls = k;
        return 0;
    }
    if (c->ncls == c->capcls) {
        void *q = grow_buf(c->cls, &c->capcls, c->ncls + 1, sizeof *c->cls);
        if (!q)
            goto fail;
        c->cls = q;
    }
    char *keep = strdup(text);
    if (!keep)
        goto fail;
    if (text != small)
        free(text);
    k = (uint32_t)c->ncls++;
    c->cls[k].p = pd;
    c->cls[k].text = keep;
    c->cls[k].shape = CLS_PRED;
    /* On a hash collision the new class is simply not shared. */
    if (umap_get(&c->clsmap, h, p->table) == NONE && umap_put(&c->clsmap, h, p->table, k))
        return -1;
    *out = p->cls = k;
    return 0;
fail:
    if (text != small)
        free(text);
    return -1;
}

static const flip_cache *flip_cache_get(ctx *c, uint32_t cls, uint32_t key)
{
    key_rec *kr = &c->keys[key];
    uint32_t i = kr->memo_cls == cls ? kr->memo_fc : umap_get(&c->fcmap, cls, key);
    if (i != NONE) {
        kr->memo_cls = cls;
        kr->memo_fc = i;
        return &c->fc[i];
    }
    if (c->nfc == c->capfc) {
        void *q = grow_buf(c->fc, &c->capfc, c->nfc + 1, sizeof *c->fc);
        if (!q)
            return NULL;
        c->fc = q;
    }
    const key_rec *k = &c->keys[key];
    uint32_t n = k->olen ? k->olen : 1;
    flip_cache fc = { malloc(n), malloc(n * sizeof(uint32_t)) };
    if (!fc.match || !fc.next) {
        free(fc.match);
        free(fc.next);
        return NULL;
    }
    const pred_class *pc = &c->cls[cls];
    for (uint32_t j = 0; j < k->olen; j++)
        fc.match[j] = pc->shape == CLS_PRESENT ? c->ord_live[k->ostart + j] != 0
                    : pc->shape == CLS_NEVER ? false
                    : pos_match(c, pc->p, k, k->ostart + j);
    for (uint32_t j = k->olen; j-- > 0;)
        fc.next[j] = j + 1 == k->olen ? k->olen
                   : fc.match[j + 1] != fc.match[j] ? j + 1 : fc.next[j + 1];
    i = (uint32_t)c->nfc++;
    c->fc[i] = fc;
    if (umap_put(&c->fcmap, cls, key, i))
        return NULL;
    kr->memo_cls = cls;
    kr->memo_fc = i;
    return &c->fc[i];
}

/* Predicate rw edges of scan pi for key k: from the state at position start (matching or
 * not: m), walk to the next versions that change the match. skip: a position whose writer
 * already has an item rw edge from this same read. */
static int pred_walk(ctx *c, uint32_t pi, uint32_t key, int start, bool m, uint32_t seen,
                     int skip)
{
    const pread_rec *p = &c->pr[pi];
    const key_rec *k = &c->keys[key];
    const int n = (int)k->olen;
    const flip_cache *fc = NULL;
    const bool seen_match = m;
    int pos = start + 1, flips = 0, steps = 0;
    while (pos < n && flips < PRED_FLIPS_MAX) {
        int j;
        bool mj;
        if (!fc && steps >= PRED_WALK_DIRECT) {
            uint32_t cls;
            if (key_only(p->pred) ? shape_class(c, p->pred, k, &cls) : pread_class(c, pi, &cls))
                return -1;
            fc = flip_cache_get(c, cls, key);
            if (!fc)
                return -1;
        }
        if (fc) {
            j = (fc->match[pos] != 0) != m ? pos : (int)fc->next[pos];
            if (j >= n)
                break;
            mj = fc->match[j] != 0;
        } else {
            steps++;
            mj = pos_match(c, p->pred, k, k->ostart + (uint32_t)pos);
            if (mj == m) {
                pos++;
                continue;
            }
            j = pos;
        }
        uint32_t v = c->ord[k->ostart + (uint32_t)j].ver, w = c->ord[k->ostart + (uint32_t)j].txn;
        if (w != 0) {
            if (w != p->txn && j != skip) {
                if (edge_add(c, E_RWP, p->txn, w, key, seen, v, pi))
                    return -1;
                c->ed[c->ned - 1].seen_match = seen_match;
                c->ed[c->ned - 1].later = flips > 0;
            }
            flips++;
        }
        m = mj;
        pos = j + 1;
    }
    return 0;
}

static int pred_edges(ctx *c, uint32_t pi)
{
    const pread_rec *p = &c->pr[pi];
    uint32_t stamp = ++c->kstamp;
    for (uint32_t i = 0; i < p->nrows; i++) {
        const prow_rec *r = &c->prow[p->rows + i];
        c->keys[r->key].stamp = stamp;
        if (r->ver == NONE)
            continue;
        int start = seen_pos(c, r->ver, p->txn);
        if (start < -1)
            continue;
        const key_rec *k = &c->keys[r->key];
        bool m = pred_eval(p->pred, &k->key, p->hrows[i].value);
        int skip = p->hrows[i].matched ? next_real(c, k, start) : -1;
        if (pred_walk(c, pi, r->key, start, m, r->ver, skip))
            return -1;
    }
    /* Keys the scan did not see; only the named ones when the predicate names its keys. */
    scalar pk[PRED_IN_MAX];
    int npk = p->pred ? pred_point_keys(p->pred, pk, PRED_IN_MAX) : -1;
    uint32_t nk = npk >= 0 ? (uint32_t)npk : c->tkstart[p->table + 1] - c->tkstart[p->table];
    for (uint32_t i = 0; i < nk; i++) {
        uint32_t key = npk >= 0 ? key_find(c, p->table, &pk[i])
                                : c->tkeys[c->tkstart[p->table] + i];
        if (key == NONE || c->keys[key].stamp == stamp || !c->keys[key].olen)
            continue;
        c->keys[key].stamp = stamp;
        if (wrote_before(c, p->txn, key, p->seq))
            continue;
        int start = absent_pos(c, &c->keys[key], p->seq);
        if (start + 1 < (int)c->keys[key].olen &&
            pred_walk(c, pi, key, start, false, NONE, -1))
            return -1;
    }
    return 0;
}

static int build_edges(ctx *c)
{
    /* nodes in commit order */
    uint32_t *byc = malloc((c->ncommit ? c->ncommit : 1) * sizeof *byc);
    if (!byc)
        return -1;
    for (uint32_t i = 0; i < c->ncommit; i++)
        byc[i] = NONE;
    for (size_t t = 1; t < c->ntx; t++)
        if (c->tx[t].status == TS_COMMITTED)
            byc[c->tx[t].commit_idx] = (uint32_t)t;
    c->nodes = malloc((c->ncommit ? c->ncommit : 1) * sizeof *c->nodes);
    if (!c->nodes) {
        free(byc);
        return -1;
    }
    for (uint32_t i = 0; i < c->ncommit; i++)
        if (byc[i] != NONE) {
            c->tnode[byc[i]] = (uint32_t)c->nnodes;
            c->nodes[c->nnodes++] = byc[i];
        }
    free(byc);
    /* edge_add counts each node's edges as it goes (for the graph's adjacency lists) and
     * whether a ww or wr edge goes backwards in commit order. */
    c->adj_start = calloc(c->nnodes + 1, sizeof *c->adj_start);
    if (!c->adj_start)
        return -1;
    c->mono = 1;

    /* ww: neighbours in each version order */
    for (size_t ki = 0; ki < c->nkeys; ki++) {
        const key_rec *k = &c->keys[ki];
        for (uint32_t j = 1; j < k->olen; j++) {
            uint32_t a = c->ord[k->ostart + j - 1].ver, b = c->ord[k->ostart + j].ver;
            uint32_t wa = c->ord[k->ostart + j - 1].txn, wb = c->ord[k->ostart + j].txn;
            if (wa && wb && wa != wb && edge_add(c, E_WW, wa, wb, (uint32_t)ki, a, b, NONE))
                return -1;
        }
    }
    /* Read findings, then wr and item rw edges, in one pass over the reads. */
    for (size_t i = 0; i < c->nrd; i++) {
        const read_rec *r = &c->rd[i];
        if (read_findings(c, r))
            return -1;
        if (c->tstat[r->txn] != TS_COMMITTED)
            continue;
        key_rec *k = &c->keys[r->key];
        int start;
        if (r->ver != NONE) {
            uint32_t w = c->vers[r->ver].txn;
            if (w == r->txn)
                continue;
            if (w != 0 && c->tstat[w] == TS_COMMITTED &&
                edge_add(c, E_WR, w, r->txn, r->key, r->ver, NONE, r->pread))
                return -1;
            start = seen_pos(c, r->ver, r->txn);
            if (start < -1)
                continue;
        } else {
            if (wrote_before(c, r->txn, r->key, r->seq))
                continue;
            start = absent_pos(c, k, r->seq);
        }
        int j = next_real(c, k, start);
        if (j < (int)k->olen) {
            uint32_t v2 = c->ord[k->ostart + (uint32_t)j].ver, w2 = c->ord[k->ostart + (uint32_t)j].txn;
            if (w2 != r->txn && edge_add(c, E_RWI, r->txn, w2, r->key, r->ver, v2, r->pread))
                return -1;
        }
    }
    /* predicate rw (each scan's rows are read back from the history: fetched ahead) */
    for (size_t i = 0; i < c->npr; i++) {
        if (i + 4 < c->npr)
            PREFETCH(c->pr[i + 4].hrows);
        if (c->tstat[c->pr[i].txn] == TS_COMMITTED && pred_edges(c, (uint32_t)i))
            return -1;
    }
    return 0;
}

/* --- the graph ---------------------------------------------------------------------- */

static int build_graph(ctx *c)
{
    size_t V = c->nnodes, E = c->ned;
    size_t nv = V ? V : 1;
    c->adj = big_alloc((E ? E : 1) * sizeof *c->adj);
    /* The scans' rows are done with: their block becomes adj_to when it is big enough
     * (fresh memory costs more than it seems on a long history, see big_alloc). */
    if (c->capprow * sizeof *c->prow >= (E ? E : 1) * sizeof *c->adj_to) {
        c->adj_to = (uint32_t *)(void *)c->prow;
        c->prow = NULL;
        c->capprow = c->nprow = 0;
    } else {
        c->adj_to = big_alloc((E ? E : 1) * sizeof *c->adj_to);
    }
    /* The per-node arrays, in one block: the 64-bit one first, then thirteen of nv and one
     * of nv + 1 32-bit entries, then the flags. */
    c->nodemem = big_alloc((nv + 1) * sizeof(uint64_t) + (14 * nv + 1) * sizeof(uint32_t) + nv);
    c->closed = calloc(E ? E : 1, 1);
    if (!c->adj_start || !c->adj || !c->adj_to || !c->nodemem || !c->closed)
        return -1;
    c->tmp64 = c->nodemem;
    uint32_t *u = (uint32_t *)(c->tmp64 + nv + 1);
    uint32_t **arr[] = { &c->comp[0], &c->comp[1], &c->comp[2], &c->comp[3], &c->t_idx, &c->t_low,
                         &c->t_stk, &c->t_csn, &c->t_csp, &c->stamp, &c->pedge, &c->queue, &c->path };
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++, u += nv)
        *arr[i] = u;
    c->cyc = u;
    c->t_on = (uint8_t *)(u + nv + 1);
    memset(c->stamp, 0, nv * sizeof *c->stamp);
    memset(c->t_on, 0, nv);
    for (size_t i = 0; i < V; i++)   /* counts made by edge_add */
        c->adj_start[i + 1] += c->adj_start[i];
    uint32_t *fill = c->path;   /* scratch until the search */
    memcpy(fill, c->adj_start, V * sizeof *fill);
    for (size_t i = 0; i < E; i++) {
        uint32_t a = fill[c->ed[i].from]++;
        c->adj[a] = (uint32_t)i;
        c->adj_to[a] = c->ed[i].to;
    }
    c->budget = (uint64_t)BUDGET_PER_ELEMENT * (V + E) + BUDGET_BASE;
    return 0;
}

/* Strongly connected components over the edges in mask (iterative Tarjan). Sets
 * c->nontrivial[which] when some component has more than one node. With within (the
 * components over all edges), only the nodes of within's components that have more than
 * one node (c->cyc_node) are searched, over the edges inside their component: the
 * components over fewer edges refine within's, so that gives the same components, and
 * every other node is a component of its own. Performance: on a long history most
 * transactions are in no cycle at all, and this leaves them out of three of the four
 * passes. */
static void tarjan(ctx *c, int which, unsigned mask, const uint32_t *within)
{
    uint32_t V = (uint32_t)c->nnodes, counter = 0, sp = 0, ncomp = 0;
    uint32_t *idx = c->t_idx, *low = c->t_low, *stk = c->t_stk, *comp = c->comp[which];
    uint32_t *csn = c->t_csn, *csp = c->t_csp;
    c->nontrivial[which] = 0;
    for (uint32_t v = 0; v < V; v++)
        idx[v] = NONE;
    for (uint32_t s = 0; s < V; s++) {
        if (idx[s] != NONE || (within && !c->cyc_node[s]))
            continue;
        uint32_t top = 0;
        idx[s] = low[s] = counter++;
        stk[sp++] = s;
        c->t_on[s] = 1;
        csn[top] = s;
        csp[top++] = c->adj_start[s];
        while (top) {
            uint32_t v = csn[top - 1];
            if (csp[top - 1] < c->adj_start[v + 1]) {
                uint32_t a = csp[top - 1]++;
                if (mask != E_ALL && !(c->ed[c->adj[a]].kind & mask))
                    continue;
                uint32_t w = c->adj_to[a];
                if (within && within[w] != within[v])
                    continue;
                if (idx[w] == NONE) {
                    idx[w] = low[w] = counter++;
                    stk[sp++] = w;
                    c->t_on[w] = 1;
                    csn[top] = w;
                    csp[top++] = c->adj_start[w];
                } else if (c->t_on[w] && idx[w] < low[v]) {
                    low[v] = idx[w];
                }
                continue;
            }
            if (low[v] == idx[v]) {
                uint32_t size = 0, x;
                do {
                    x = stk[--sp];
                    c->t_on[x] = 0;
                    comp[x] = ncomp;
                    size++;
                } while (x != v);
                if (size > 1)
                    c->nontrivial[which] = 1;
                ncomp++;
            }
            top--;
            if (top && low[v] < low[csn[top - 1]])
                low[csn[top - 1]] = low[v];
        }
    }
    /* Restricted to within's components with a cycle: every other node is alone. */
    for (uint32_t v = 0; within && v < V; v++)
        if (idx[v] == NONE)
            comp[v] = ncomp++;
}

/* Shortest path src ->* dst over the edges in mask, inside dst's component of comp. The
 * path's edges go to c->path, their number to *len. 1 found, 0 none, -1 budget spent. */
static int bfs(ctx *c, uint32_t src, uint32_t dst, unsigned mask, const uint32_t *comp,
               uint32_t *len)
{
    bool prune = c->mono && !(mask & ~(unsigned)(E_WW | E_WR));
    if (++c->epoch == 0) {
        memset(c->stamp, 0, c->nnodes * sizeof *c->stamp);
        c->epoch = 1;
    }
    uint32_t ep = c->epoch, head = 0, tail = 0;
    c->queue[tail++] = src;
    c->stamp[src] = ep;
    c->pedge[src] = NONE;
    while (head < tail) {
        uint32_t v = c->queue[head++];
        for (uint32_t a = c->adj_start[v]; a < c->adj_start[v + 1]; a++) {
            if (!c->budget)
                return -1;
            c->budget--;
            uint32_t w = c->adj_to[a];
            if (!(c->ed[c->adj[a]].kind & mask) || c->stamp[w] == ep || comp[w] != comp[dst] ||
                (prune && w > dst))
                continue;
            c->stamp[w] = ep;
            c->pedge[w] = c->adj[a];
            if (w == dst) {
                uint32_t n = 0;
                for (uint32_t x = dst; x != src; x = c->ed[c->pedge[x]].from)
                    n++;
                uint32_t i = n;
                for (uint32_t x = dst; x != src; x = c->ed[c->pedge[x]].from)
                    c->path[--i] = c->pedge[x];
                *len = n;
                return 1;
            }
            c->queue[tail++] = w;
        }
    }
    return 0;
}

static int u64_cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static void set_hash(ctx *c, const uint32_t *cyc, uint32_t n, uint64_t *h1, uint64_t *h2)
{
    for (uint32_t i = 0; i < n; i++)
        c->tmp64[i] = c->tx[c->nodes[c->ed[cyc[i]].from]].id;
    qsort(c->tmp64, n, sizeof *c->tmp64, u64_cmp);
    uint64_t a = 1469598103934665603ULL ^ n, b = 0x2545f4914f6cdd1dULL + n;
    for (uint32_t i = 0; i < n; i++) {
        a = fnv(&c->tmp64[i], sizeof c->tmp64[i], a);
        b = fmix64(b ^ (c->tmp64[i] + 0x9e3779b97f4a7c15ULL * (i + 1)));
    }
    *h1 = a;
    *h2 = b;
}

/* The finding already reported for (name, set), or NULL. */
static acid_finding *cycle_seen(ctx *c, int name, uint64_t h1, uint64_t h2)
{
    uint32_t i = umap_get(&c->fmap, (uint64_t)name, h1);
    return i != NONE && c->f[i].h2 == h2 ? &c->f[i].f : NULL;
}

/* An edge a -> b of this kind on key, parallel to path edge pe; NONE if there is none. */
static uint32_t parallel_edge(ctx *c, uint32_t pe, uint8_t kind, uint32_t key)
{
    const edge *p = &c->ed[pe];
    if (p->kind == kind && p->key == key)
        return pe;
    for (uint32_t a = c->adj_start[p->from]; a < c->adj_start[p->from + 1]; a++) {
        const edge *e = &c->ed[c->adj[a]];
        if (c->budget)
            c->budget--;
        if (e->to == p->to && e->kind == kind && e->key == key)
            return c->adj[a];
    }
    return NONE;
}

static void sb_gsingle(sbuf *b, ctx *c, const uint32_t *cyc, uint32_t n, bool lost, bool nrr,
                       bool phantom)
{
    const edge *rw = &c->ed[cyc[0]], *back = n == 2 ? &c->ed[cyc[1]] : NULL;
    const char *ti = node_label(c, rw->from), *tj = node_label(c, rw->to);
    if (lost && back && back->kind == E_WW && back->key == rw->key &&
        ver_exists(c, rw->v1) && ver_exists(c, back->v1) && ver_exists(c, back->v2)) {
        bool both = rd_find(c, c->nodes[rw->to], rw->v1) != NONE;
        /* Did Ti see Tj's write before overwriting it (an UPDATE's own scan does)? */
        bool saw = rd_find(c, c->nodes[rw->from], back->v1) != NONE;
        sb_printf(b, "lost update: ");
        if (both && saw) {
            sb_printf(b, "%s and %s both read ", tj, ti);
            sb_key(b, c, rw->key);
            sb_printf(b, " = ");
            sb_val(b, c, rw->v1);
            sb_printf(b, "; %s wrote ", tj);
            sb_val(b, c, back->v1);
            sb_printf(b, ", then %s wrote ", ti);
            sb_val(b, c, back->v2);
            sb_printf(b, " over it, acting on the ");
            sb_val(b, c, rw->v1);
            sb_printf(b, " it had read before, so %s's update is lost (", tj);
        } else if (both) {
            sb_printf(b, "%s and %s both read ", tj, ti);
            sb_key(b, c, rw->key);
            sb_printf(b, " = ");
            sb_val(b, c, rw->v1);
            sb_printf(b, "; %s wrote ", ti);
            sb_val(b, c, back->v2);
            sb_printf(b, " after %s had written ", tj);
            sb_val(b, c, back->v1);
            sb_printf(b, ", overwriting it without seeing it (");
        } else {
            sb_printf(b, "%s read ", ti);
            sb_key(b, c, rw->key);
            sb_printf(b, " = ");
            sb_val(b, c, rw->v1);
            sb_printf(b, ", then %s wrote ", tj);
            sb_val(b, c, back->v1);
            sb_printf(b, " and %s wrote ", ti);
            sb_val(b, c, back->v2);
            sb_printf(b, " over it without having seen it, so %s's update is lost (", tj);
        }
        sb_arrows(b, c, cyc, n);
        sb_printf(b, ").");
        return;
    }
    if (nrr && back && back->kind == E_WR && back->key == rw->key && rw->kind == E_RWI &&
        ver_exists(c, rw->v1) && ver_exists(c, rw->v2) && ver_exists(c, back->v1)) {
        sb_printf(b, "non-repeatable read: %s read ", ti);
        sb_key(b, c, rw->key);
        sb_printf(b, " = ");
        sb_val(b, c, rw->v1);
        sb_printf(b, ", then %s changed it to ", tj);
        sb_val(b, c, rw->v2);
        sb_printf(b, " and committed, and %s read it again as ", ti);
        sb_val(b, c, back->v1);
        sb_printf(b, " (");
        sb_arrows(b, c, cyc, n);
        sb_printf(b, ").");
        return;
    }
    sb_printf(b, "%s: ", lost ? "lost update" : nrr ? "non-repeatable read"
                       : phantom ? "phantom" : "read skew (G-single)");
    sb_edge(b, c, rw);
    sb_printf(b, ", yet ");
    sb_edges(b, c, cyc + 1, n - 1);
    if (lost) {
        sb_printf(b, ", so %s's update of ", tj);
        sb_key(b, c, rw->key);
        sb_printf(b, " is lost");
    }
    sb_printf(b, " (");
    sb_arrows(b, c, cyc, n);
    sb_printf(b, ").");
}

/* Reports the cycle c->cyc[0..n) under name (once per set, A3). */
static int cycle_report(ctx *c, int name, uint32_t n)
{
    uint32_t *cyc = c->cyc;
    if (name == FN_G2ITEM || name == FN_G2) {
        /* Name the cycle found, whatever the search hoped for (the seed is cyc[0]). */
        uint32_t nrw = 0, npred = 0;
        for (uint32_t i = 0; i < n; i++) {
            nrw += (c->ed[cyc[i]].kind & (E_RWI | E_RWP)) != 0;
            npred += c->ed[cyc[i]].kind == E_RWP;
        }
        name = nrw == 1 ? FN_GSINGLE : npred ? FN_G2 : FN_G2ITEM;
    }
    uint64_t h1, h2;
    set_hash(c, cyc, n, &h1, &h2);
    if (name == FN_G1C && cycle_seen(c, FN_G0, h1, h2))
        return 0;
    if (name == FN_G2 && cycle_seen(c, FN_G2ITEM, h1, h2))
        return 0;

    bool lost = false, nrr = false, phantom = false;
    if (name == FN_GSINGLE) {
        const edge *rw = &c->ed[cyc[0]];
        phantom = rw->kind == E_RWP;
        for (uint32_t i = 1; i < n && !lost; i++) {
            uint32_t e = parallel_edge(c, cyc[i], E_WW, rw->key);
            if (e != NONE) {
                cyc[i] = e;
                lost = true;
            }
        }
        for (uint32_t i = 1; i < n && !nrr && rw->kind == E_RWI; i++) {
            uint32_t e = parallel_edge(c, cyc[i], E_WR, rw->key);
            if (e != NONE) {
                if (!lost)
                    cyc[i] = e;
                nrr = true;
            }
        }
    }
    acid_finding *old = cycle_seen(c, name, h1, h2);
    if (old) {
        if (lost)
            alias_add(old, "lost-update");
        if (nrr)
            alias_add(old, "non-repeatable-read");
        if (phantom)
            alias_add(old, "phantom");
        return 0;
    }
    if (c->ncycles[name] >= CYCLE_FINDINGS_MAX)
        return 0;

    uint64_t seq = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = c->tx[c->nodes[c->ed[cyc[i]].from]].end_seq;   /* a node is committed: its COMMIT */
        if (s > seq)
            seq = s;
    }
    acid_finding *f = finding_new(c, name, seq);
    if (!f)
        return -1;
    c->f[c->nf - 1].h2 = h2;
    f->ntxns = (int)(n < ACHK_TXNS_MAX ? n : ACHK_TXNS_MAX);
    for (int i = 0; i < f->ntxns; i++)
        f->txns[i] = c->tx[c->nodes[c->ed[cyc[i]].from]].id;

    sbuf b = { 0 };
    switch (name) {
    case FN_G0:
        sb_printf(&b, "dirty write (G0): ");
        sb_edges(&b, c, cyc, n);
        sb_printf(&b, ", so the writes of ");
        sb_txn_list(&b, c, cyc, n);
        sb_printf(&b, " interleave and no serial order explains the result (");
        break;
    case FN_G1C:
        sb_printf(&b, "circular information flow (G1c): ");
        sb_edges(&b, c, cyc, n);
        sb_printf(&b, ", so ");
        sb_txn_list(&b, c, cyc, n);
        sb_printf(&b, " each saw the effects of another and none of them can go first (");
        break;
    case FN_GSINGLE:
        sb_gsingle(&b, c, cyc, n, lost, nrr, phantom);
        break;
    default:
        sb_printf(&b, name == FN_G2ITEM ? "write skew (G2-item): "
                                        : "anti-dependency cycle (G2): ");
        sb_edges(&b, c, cyc, n);
        sb_printf(&b, ", so each of ");
        sb_txn_list(&b, c, cyc, n);
        sb_printf(&b, " acted on data another of them changed unseen, and no serial order "
                      "explains the result (");
        break;
    }
    if (name != FN_GSINGLE) {
        sb_arrows(&b, c, cyc, n);
        sb_printf(&b, ").");
    }
    if (finding_text(c, f, &b))
        return -1;
    c->ncycles[name]++;
    switch (name) {
    case FN_G0:
        alias_add(f, "dirty-write");
        break;
    case FN_G1C:
        alias_add(f, "G1");
        break;
    case FN_GSINGLE:
        alias_add(f, "read-skew");
        if (lost)
            alias_add(f, "lost-update");
        if (nrr)
            alias_add(f, "non-repeatable-read");
        if (phantom)
            alias_add(f, "phantom");
        break;
    case FN_G2ITEM:
        alias_add(f, "write-skew");
        alias_add(f, "G2");
        break;
    }
    return umap_put(&c->fmap, (uint64_t)name, h1, (uint32_t)(c->nf - 1));
}

/* Seed edge ei closes a cycle with a path back over mask (inside comp): find the shortest
 * and report it. 1 when the budget is spent. */
static int cycle_from(ctx *c, uint32_t ei, int name, unsigned mask, int which)
{
    const edge *e = &c->ed[ei];
    uint32_t len;
    int r = bfs(c, e->to, e->from, mask, c->comp[which], &len);
    if (r < 0)
        return 1;
    if (r == 0)
        return 0;
    c->closed[ei] = 1;
    c->cyc[0] = ei;
    memcpy(c->cyc + 1, c->path, len * sizeof *c->path);
    return cycle_report(c, name, len + 1) ? -1 : 0;
}

static int u32_cmp(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* The edges inside a component (over all edges) with more than one node, in edge order:
 * only these can lie on a cycle of any class. Marks those components' nodes (cyc_node). */
static int cycle_candidates(ctx *c)
{
    const uint32_t *call = c->comp[C_ALL];
    uint32_t V = (uint32_t)c->nnodes;
    uint32_t *size = calloc((size_t)V + 1, sizeof *size);
    c->cyc_node = calloc((size_t)V + 1, 1);
    if (!size || !c->cyc_node) {
        free(size);
        return -1;
    }
    for (uint32_t v = 0; v < V; v++)
        size[call[v]]++;
    size_t n = 0;
    for (uint32_t v = 0; v < V; v++)
        if ((c->cyc_node[v] = size[call[v]] > 1))
            for (uint32_t a = c->adj_start[v]; a < c->adj_start[v + 1]; a++)
                n += call[c->adj_to[a]] == call[v];
    free(size);
    c->cand = malloc((n ? n : 1) * sizeof *c->cand);
    if (!c->cand)
        return -1;
    c->ncand = 0;
    for (uint32_t v = 0; v < V; v++)
        for (uint32_t a = c->cyc_node[v] ? c->adj_start[v] : 0; c->cyc_node[v] && a < c->adj_start[v + 1]; a++)
            if (call[c->adj_to[a]] == call[v])
                c->cand[c->ncand++] = c->adj[a];
    qsort(c->cand, c->ncand, sizeof *c->cand, u32_cmp);
    return 0;
}

static int search_cycles(ctx *c)
{
    tarjan(c, C_ALL, E_WW | E_WR | E_RWI | E_RWP, NULL);
    if (!c->nontrivial[C_ALL])
        return 0;
    if (cycle_candidates(c))
        return -1;
    const uint32_t *call = c->comp[C_ALL];
    tarjan(c, C_WW, E_WW, call);
    tarjan(c, C_WWR, E_WW | E_WR, call);
    tarjan(c, C_ITEM, E_WW | E_WR | E_RWI, call);
    const uint32_t *cww = c->comp[C_WW], *cwr = c->comp[C_WWR], *cit = c->comp[C_ITEM];
    int r = 0;
    static const int pass_name[5] = { FN_G0, FN_G1C, FN_GSINGLE, FN_G2ITEM, FN_G2 };
    for (int pass = 0; pass < 5 && r == 0; pass++) {
        for (size_t ci = 0; ci < c->ncand && r == 0; ci++) {
            if (c->ncycles[pass_name[pass]] >= CYCLE_FINDINGS_MAX)
                break;
            size_t i = c->cand[ci];
            const edge *e = &c->ed[i];
            uint32_t u = e->from, v = e->to, ei = (uint32_t)i;
            bool item = e->kind == E_RWI, anyrw = e->kind & (E_RWI | E_RWP);
            switch (pass) {
            case 0:   /* G0: the seed is itself a ww edge, so both ends share a ww SCC */
                if (e->kind == E_WW && c->nontrivial[C_WW] && cww[u] == cww[v])
                    r = cycle_from(c, ei, FN_G0, E_WW, C_WW);
                break;
            case 1:   /* G1c */
                if (e->kind == E_WR && c->nontrivial[C_WWR] && cwr[u] == cwr[v])
                    r = cycle_from(c, ei, FN_G1C, E_WW | E_WR, C_WWR);
                break;
            case 2:   /* G-single: one rw edge, the way back over ww and wr only */
                if ((item && cit[u] == cit[v]) || (anyrw && !item && call[u] == call[v]))
                    r = cycle_from(c, ei, FN_GSINGLE, E_WW | E_WR, item ? C_ITEM : C_ALL);
                break;
            case 3:   /* G2-item */
                if (item && cit[u] == cit[v] && !c->closed[i])
                    r = cycle_from(c, ei, FN_G2ITEM, E_WW | E_WR | E_RWI, C_ITEM);
                break;
            case 4:   /* G2 */
                if (anyrw && call[u] == call[v] && !c->closed[i] &&
                    (!item || cit[u] != cit[v]))
                    r = cycle_from(c, ei, FN_G2, E_WW | E_WR | E_RWI | E_RWP, C_ALL);
                break;
            }
        }
    }
    return r < 0 ? -1 : 0;
}

/* --- entry points ------------------------------------------------------------------- */

static void ctx_free(ctx *c)
{
    free(c->tx);
    free(c->labels);
    free(c->tstat);
    free(c->tnode);
    idmap_free(&c->txmap);
    free(c->tab);
    free(c->keys);
    free(c->kslot);
    free(c->vers);
    idmap_free(&c->vmap);
    free(c->tk);
    umap_free(&c->tkmap);
    free(c->rd);
    free(c->rdpool);
    free(c->pr);
    free(c->prow);
    free(c->ordmem);
    free(c->ord_items);
    free(c->tkstart);
    free(c->tkeys);
    for (size_t i = 0; i < c->ncls; i++)
        free(c->cls[i].text);
    free(c->cls);
    umap_free(&c->clsmap);
    for (size_t i = 0; i < c->nfc; i++) {
        free(c->fc[i].match);
        free(c->fc[i].next);
    }
    free(c->fc);
    umap_free(&c->fcmap);
    free(c->nodes);
    free(c->ed);
    free(c->adj_start);
    free(c->adj);
    free(c->adj_to);
    free(c->nodemem);
    free(c->closed);
    free(c->cyc_node);
    free(c->cand);
    umap_free(&c->fmap);
}

static int fnd_cmp(const void *pa, const void *pb)
{
    const fnd *a = pa, *b = pb;
    if (a->f.seq != b->f.seq)
        return a->f.seq < b->f.seq ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Room for what the history's counts say the scan will make (more grows as usual). */
static int presize_all(ctx *c)
{
    const hist *h = c->h;
    size_t writes = hist_count_kind(h, EV_WRITE), reads = hist_count_kind(h, EV_READ);
    size_t rows = hist_count_rows(h), preads = hist_count_kind(h, EV_PREAD);
    size_t rd = reads + rows;
    return presize((void **)&c->tx, &c->captx, hist_count_kind(h, EV_TXN_BEGIN) + 64, sizeof *c->tx) ||
           presize((void **)&c->vers, &c->capvers, writes + hist_count_kind(h, EV_UNDO) + 4096, sizeof *c->vers) ||
           presize((void **)&c->tk, &c->captk, writes + 64, sizeof *c->tk) ||
           presize((void **)&c->rd, &c->caprd, rd + 64, sizeof *c->rd) ||
           presize((void **)&c->pr, &c->cappr, preads + 64, sizeof *c->pr) ||
           presize((void **)&c->prow, &c->capprow, rows + 64, sizeof *c->prow) ||
           presize((void **)&c->ed, &c->caped, 2 * (rd + writes) + 1024, sizeof *c->ed);
}

int acidcheck_run(const hist *h, achk_label_fn label, void *arg, acid_findings *out)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.h = h;
    c.label = label;
    c.arg = arg;
    memset(out, 0, sizeof *out);
    int rc = -1;
    /* T0, the initial state: index 0, committed before everything, never in the map. */
    c.tx = calloc(1, sizeof *c.tx);
    if (!c.tx)
        goto done;
    c.captx = c.ntx = 1;
    c.tx[0].status = TS_COMMITTED;
    c.tx[0].tk_head = c.tx[0].rd_head = NONE;
    for (int k = 0; k < 32; k++)
        c.rdfree[k] = NONE;
    if (presize_all(&c))
        goto done;
    if (scan(&c))
        goto done;
    c.labels = calloc(c.ntx, sizeof *c.labels);
    c.tstat = malloc(c.ntx);
    c.tnode = malloc(c.ntx * sizeof *c.tnode);
    if (!c.labels || !c.tstat || !c.tnode)
        goto done;
    for (size_t t = 0; t < c.ntx; t++) {
        c.tstat[t] = c.tx[t].status;
        c.tnode[t] = NONE;
    }
    if (build_orders(&c) || build_edges(&c) ||
        build_graph(&c) || search_cycles(&c))
        goto done;
    if (c.nf) {
        qsort(c.f, c.nf, sizeof *c.f, fnd_cmp);
        out->v = malloc(c.nf * sizeof *out->v);
        if (!out->v)
            goto done;
        for (size_t i = 0; i < c.nf; i++) {
            out->v[i] = c.f[i].f;
            c.f[i].f.text = NULL;
        }
        out->n = out->cap = (int)c.nf;
    }
    rc = 0;
done:
    for (size_t i = 0; i < c.nf; i++)
        free(c.f[i].f.text);
    free(c.f);
    ctx_free(&c);
    return rc;
}

void acidcheck_free(acid_findings *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->v[i].text);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

bool acidcheck_has(const acid_findings *f, const char *name)
{
    if (!f || !name)
        return false;
    for (int i = 0; i < f->n; i++) {
        if (strcasecmp(f->v[i].name, name) == 0)
            return true;
        for (int j = 0; j < f->v[i].naliases; j++)
            if (strcasecmp(f->v[i].aliases[j], name) == 0)
                return true;
    }
    return false;
}

bool acidcheck_known_name(const char *name)
{
    if (!name)
        return false;
    for (size_t i = 0; i < sizeof known_names / sizeof known_names[0]; i++)
        if (strcasecmp(known_names[i], name) == 0)
            return true;
    return false;
}
