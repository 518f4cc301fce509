/*
 * acidcheck_commit.c: step 1b of the ACID checker: what a commit does. The committing
 * transaction's final versions are installed at the end of their keys' version orders
 * (with the predicate watches that say where each class's matches change), and every read
 * whose edges were waiting for this commit is resolved, its own reads included; then
 * acidcheck_graph.c places the node. Records come from acidcheck_scan.c; nothing here
 * searches the graph or writes text.
 *
 * Resolving a read of version x by committed reader R (x installed at position p):
 *   wr   x's writer -> R, for an item read;
 *   wr   (predicate) the writer of the latest version at or before p that changes the
 *        matches -> R; earlier ones reach it through ww edges, so the classes of cycles
 *        are the same (a cycle through an edge left out has a twin through the kept one
 *        and ww edges, with the same anti-dependencies);
 *   rw   R -> the writer of the version after p, for an item read (now, or when that
 *        version is installed);
 *   rw   (predicate) R -> the writer of the first version after p that changes the
 *        matches and is not R's, now or when it is installed; later ones are reached from
 *        it through ww edges, as above. When that version is also the next one (p + 1) of a
 *        matched row, the item rw edge stands for it.
 *   x not installed: its writer aborted (G1a), or it was not the writer's last write of
 *   the key (G1b); either way no edge. x's writer still running: the read waits for it.
 * A key the read found unborn stands at position -1, before every version.
 */
#include "acidcheck_int.h"

#include <string.h>

/* Records that t read version v of key (NONE: found no row), item or through predicate
 * read pread of class cls; a read of a running writer's version is a dirty read at once.
 * Both steps record reads: the scan as events arrive, a commit for the reads that were
 * waiting on it, so this lives here and the scan calls it (no cycle between the files). */
int achk_read_add(ctx *c, uint32_t t, uint32_t key, uint32_t v, uint32_t pread, uint32_t cls,
                  bool item, bool matched, uint64_t seq)
{
    RESERVE(c->rd, c->caprd, c->nrd + 1);
    uint32_t ri = (uint32_t)c->nrd++;
    ac_read *r = &c->rd[ri];
    memset(r, 0, sizeof *r);
    r->seq = seq;
    r->txn = t;
    r->key = key;
    r->ver = v;
    r->pread = pread;
    r->cls = cls;
    r->item = item;
    r->matched = matched;
    r->wnext = r->fnext = NONE;
    r->next = c->tx[t].rd_head;
    c->tx[t].rd_head = ri;
    if (v != NONE) {
        uint32_t w = c->vers[v].txn;
        r->dirty = w && w != t && c->tx[w].status == TS_ACTIVE;
        if (r->dirty) {
            if (achk_finding_read(c, FN_DIRTY, ri, seq))
                return -1;
        }
    }
    return 0;
}


static bool match(const ctx *c, uint32_t cls, uint32_t key, uint32_t v)
{
    if (cls == NONE || v == NONE || !c->vers[v].exists || !c->vers[v].known)
        return false;
    const pred *p = c->cls[cls].p;
    return !p || pred_eval(p, &c->keys[key].key, c->vers[v].value);
}

static uint32_t writer_at(const ctx *c, const ac_key *k, uint32_t pos)
{
    return c->vers[k->ord.v[pos]].txn;
}

/* --- predicate watches ------------------------------------------------------------- */

static int watch_get(ctx *c, uint32_t cls, uint32_t key, uint32_t *out)
{
    for (uint32_t i = c->keys[key].watch; i != NONE; i = c->w[i].next)
        if (c->w[i].cls == cls) {
            *out = i;
            return 0;
        }
    RESERVE(c->w, c->capw, c->nw + 1);
    uint32_t i = (uint32_t)c->nw++;
    ac_watch *w = &c->w[i];
    memset(w, 0, sizeof *w);
    w->cls = cls;
    w->key = key;
    w->waiters = NONE;
    const ac_key *k = &c->keys[key];
    bool prev = false;
    for (uint32_t j = 0; j < k->ord.n; j++) {
        bool m = match(c, cls, key, k->ord.v[j]);
        if (m != prev && achk_u32_push(&c->w[i].flips, j))
            return -1;
        prev = m;
    }
    w = &c->w[i];
    w->last = prev;
    w->next = c->keys[key].watch;
    c->keys[key].watch = i;
    *out = i;
    return 0;
}

/* The first flip after position p (p = -1: the unborn key) not installed by txn t; or NONE. */
static uint32_t flip_after(const ctx *c, const ac_watch *w, int64_t p, uint32_t t)
{
    const ac_key *k = &c->keys[w->key];
    uint32_t lo = 0, hi = w->flips.n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if ((int64_t)w->flips.v[mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < w->flips.n; lo++)
        if (writer_at(c, k, w->flips.v[lo]) != t)
            return w->flips.v[lo];
    return NONE;
}

/* The latest flip at or before position p, or NONE. */
static uint32_t flip_at_or_before(const ac_watch *w, int64_t p)
{
    uint32_t lo = 0, hi = w->flips.n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if ((int64_t)w->flips.v[mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? w->flips.v[lo - 1] : NONE;
}

/* --- resolving a committed read ---------------------------------------------------- */

static int add_defer(ctx *c, uint32_t reader, uint32_t to, uint32_t key, uint32_t ver, uint32_t pread)
{
    RESERVE(c->df, c->capdf, c->ndf + 1);
    uint32_t i = (uint32_t)c->ndf++;
    c->df[i] = (ac_defer){ to, key, ver, pread, c->tx[reader].defer_head };
    c->tx[reader].defer_head = i;
    return 0;
}

/* Edges of read r (its reader committed) of a version installed at position p (-1: the key
 * was unborn). */
static int read_edges(ctx *c, uint32_t ri, int64_t p)
{
    ac_read *r = &c->rd[ri];
    uint32_t R = r->txn, key = r->key;
    ac_key *k = &c->keys[key];
    uint32_t W = r->ver != NONE ? c->vers[r->ver].txn : 0;
    if (r->item && W && W != R && r->ver != NONE &&
        achk_edge_add(c, E_WR, W, R, key, r->ver, NONE, r->pread, true))
        return -1;
    if (r->pread != NONE && r->cls != NONE) {
        uint32_t wi;
        if (watch_get(c, r->cls, key, &wi))
            return -1;
        uint32_t f = flip_at_or_before(&c->w[wi], p);
        if (f != NONE) {
            uint32_t Wf = writer_at(c, k, f);
            if (Wf && Wf != R && !(r->item && Wf == W) &&
                achk_edge_add(c, E_WR | E_FLIP, Wf, R, key, k->ord.v[f], NONE, r->pread, true))
                return -1;
        }
        f = flip_after(c, &c->w[wi], p, R);
        if (f == NONE) {
            r = &c->rd[ri];
            r->fnext = c->w[wi].waiters;
            c->w[wi].waiters = ri;
        } else if (!(r->item && (int64_t)f == p + 1)) {
            r = &c->rd[ri];
            bool seen = match(c, r->cls, key, r->ver);
            if (achk_edge_add(c, E_RWP, R, writer_at(c, k, f), key, r->ver, k->ord.v[f], r->pread, seen))
                return -1;
        }
    }
    r = &c->rd[ri];
    if (r->item) {
        if (p + 1 < (int64_t)k->ord.n) {
            uint32_t W2 = writer_at(c, k, (uint32_t)(p + 1));
            if (W2 && W2 != R &&
                achk_edge_add(c, E_RWI, R, W2, key, r->ver, k->ord.v[p + 1], r->pread, true))
                return -1;
        } else {
            r->wnext = k->nextw;
            k->nextw = ri;
        }
    }
    return 0;
}

/* Read r, whose reader has committed: its edges, a G1a or G1b, or a wait for its writer. */
static int resolve(ctx *c, uint32_t ri, uint64_t seq)
{
    ac_read *r = &c->rd[ri];
    if (r->key == NONE)
        return 0;   /* a place in a class's future list */
    if (r->ver == NONE)
        return read_edges(c, ri, -1);
    const ac_ver *v = &c->vers[r->ver];
    const ac_txn *w = &c->tx[v->txn];
    if (v->txn && v->txn != r->txn) {
        if (w->status == TS_ACTIVE || w->lost_pending) {
            r->wnext = c->tx[v->txn].pend_head;
            c->tx[v->txn].pend_head = ri;
            return 0;
        }
        if (w->status == TS_ABORTED)
            return achk_finding_read(c, FN_G1A, ri, seq);
        if (v->pos == NONE)
            return achk_finding_read(c, FN_G1B, ri, seq);
    }
    if (v->pos == NONE)
        return 0;   /* own version not installed, or T0's we could not place */
    return read_edges(c, ri, v->pos);
}

/* --- installing a version ------------------------------------------------------------ */

int achk_commit_install(ctx *c, uint32_t t, uint32_t v)
{
    uint32_t key = c->vers[v].key;
    ac_key *k = &c->keys[key];
    uint32_t q = k->ord.n;
    /* A version written before the key's last installed one: only without write locks (a
     * hand-made history). It goes where it was written, with its ww edges both ways. */
    if (q && t && c->vers[k->ord.v[q - 1]].seq > c->vers[v].seq) {
        while (q > 0 && c->vers[k->ord.v[q - 1]].seq > c->vers[v].seq)
            q--;
        if (achk_u32_push(&k->ord, NONE))
            return -1;
        k = &c->keys[key];
        memmove(k->ord.v + q + 1, k->ord.v + q, (k->ord.n - 1 - q) * sizeof *k->ord.v);
        k->ord.v[q] = v;
        for (uint32_t j = q; j < k->ord.n; j++)
            c->vers[k->ord.v[j]].pos = j;
        uint32_t a = q ? k->ord.v[q - 1] : NONE, b = k->ord.v[q + 1];
        if (a != NONE && c->vers[a].txn && c->vers[a].txn != t &&
            achk_edge_add(c, E_WW, c->vers[a].txn, t, key, a, v, NONE, true))
            return -1;
        if (c->vers[b].txn != t && achk_edge_add(c, E_WW, t, c->vers[b].txn, key, v, b, NONE, true))
            return -1;
        return 0;
    }
    if (q == 0) {
        /* The key's first version: watches for the classes waiting for keys born later. */
        for (size_t ci = 0; ci < c->ncls; ci++) {
            uint32_t wi;
            if (c->cls[ci].table == k->table && c->cls[ci].future != NONE &&
                watch_get(c, (uint32_t)ci, key, &wi))
                return -1;
        }
        k = &c->keys[key];
    }
    if (achk_u32_push(&k->ord, v))
        return -1;
    k = &c->keys[key];
    c->vers[v].pos = q;
    if (!t)
        goto watches;
    if (q) {
        uint32_t a = k->ord.v[q - 1], wa = c->vers[a].txn;
        if (wa && wa != t && achk_edge_add(c, E_WW, wa, t, key, a, v, NONE, true))
            return -1;
    }
    for (uint32_t ri = c->keys[key].nextw; ri != NONE;) {
        const ac_read *r = &c->rd[ri];
        uint32_t nx = r->wnext;
        if (r->txn != t && achk_edge_add(c, E_RWI, r->txn, t, key, r->ver, v, r->pread, true))
            return -1;
        ri = nx;
    }
    c->keys[key].nextw = NONE;
watches:
    for (uint32_t wi = c->keys[key].watch; wi != NONE; wi = c->w[wi].next) {
        bool m = match(c, c->w[wi].cls, key, v);
        if (m == (c->w[wi].last != 0))
            continue;
        if (achk_u32_push(&c->w[wi].flips, q))
            return -1;
        c->w[wi].last = m;
        if (!t)
            continue;
        for (uint32_t ri = c->w[wi].waiters; ri != NONE;) {
            const ac_read *r = &c->rd[ri];
            uint32_t nx = r->fnext;
            bool covered = r->item && r->ver != NONE && c->vers[r->ver].pos != NONE &&
                           c->vers[r->ver].pos + 1 == q;
            if (r->txn != t && !covered &&
                achk_edge_add(c, E_RWP, r->txn, t, key, r->ver, v, r->pread, match(c, r->cls, key, r->ver)))
                return -1;
            ri = nx;
        }
        c->w[wi].waiters = NONE;
        ac_cls *cl = &c->cls[c->w[wi].cls];
        if (m && !c->w[wi].future_done && cl->future != NONE) {
            c->w[wi].future_done = 1;
            uint64_t born = c->keys[key].born;
            for (uint32_t ri = cl->future; ri != NONE && c->rd[ri].seq < born; ri = c->rd[ri].fnext) {
                uint32_t R = c->rd[ri].txn;
                if (R == t) {
                    /* Its own insert: it waits for the next change by another, as an entry
                     * of the unborn key resolved with its other reads below (on_commit). */
                    if (achk_read_add(c, R, key, NONE, c->rd[ri].pread, c->rd[ri].cls, false, false,
                                 c->rd[ri].seq))
                        return -1;
                    continue;
                }
                if (c->tx[R].status == TS_ABORTED || c->tx[R].lost_pending)
                    continue;
                if (c->tx[R].status == TS_COMMITTED) {
                    if (achk_edge_add(c, E_RWP, R, t, key, NONE, v, c->rd[ri].pread, false))
                        return -1;
                } else if (add_defer(c, R, t, key, v, c->rd[ri].pread)) {
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* Transaction t's commit at seq (it is not one lost later): its node, its versions, the
 * reads waiting for it, its own reads, its deferred edges, its place in the graph. */
int achk_commit_txn(ctx *c, uint32_t t, uint64_t seq)
{
    if (achk_graph_node_add(c, t))
        return -1;
    for (uint32_t i = c->tx[t].tk_head; i != NONE; i = c->tk[i].next)
        if (c->tk[i].own != NOVER && achk_commit_install(c, t, c->tk[i].own))
            return -1;
    uint32_t ri = c->tx[t].pend_head;
    c->tx[t].pend_head = NONE;
    while (ri != NONE) {
        uint32_t nx = c->rd[ri].wnext;
        if (resolve(c, ri, seq))
            return -1;
        ri = nx;
    }
    for (ri = c->tx[t].rd_head; ri != NONE; ri = c->rd[ri].next)
        if (resolve(c, ri, seq))
            return -1;
    for (uint32_t d = c->tx[t].defer_head; d != NONE; d = c->df[d].next) {
        const ac_defer *df = &c->df[d];
        if (c->tx[df->to_txn].node != NONE && c->tx[df->to_txn].status == TS_COMMITTED &&
            achk_edge_add(c, E_RWP, t, df->to_txn, df->key, NONE, df->ver, df->pread, false))
            return -1;
    }
    return achk_graph_commit(c, t);
}
