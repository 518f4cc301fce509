/*
 * acidcheck_graph.c: step 2 of the ACID checker: the direct serialization graph as it grows,
 * and the cycles each commit closes. It draws no edge of its own (acidcheck_scan.c decides
 * them) and writes no text (acidcheck_explain.c).
 *
 * Every edge a commit makes touches the committing transaction T, the newest node: a version
 * is installed, and a read resolved, only when the last of the transactions it involves
 * commits. So every new cycle goes through T, and the graph needs to answer one question
 * per commit: which of T's new edges lie on a cycle, and of which classes.
 *
 * Invariants:
 *   G1. The components (union-find over nodes) are the strongly connected components of the
 *       graph so far.
 *   G2. The slots, in list order, have increasing labels; each component's root owns one
 *       slot, and for every edge a -> b between components, slot(a) comes before slot(b):
 *       a topological order of the components.
 *   G3. A finding's cycle lies inside one component.
 *
 * Adding T (Pearce and Kelly's dynamic topological order, with the components merged when a
 * cycle forms): T's slot goes after the latest of the components with an edge into T. When
 * some component T has an edge to lies before it, the search looks only at the components
 * between the two (forward from those T points to, backward from T): the cost is the part
 * of the graph that committed while T ran, not the history. Those reachable both ways form
 * T's new component; the others are reordered within the slots they had.
 *
 * Classes are found by a breadth-first search inside T's component from each of T's new
 * edges back to its start, over (node, anti-dependencies so far) pairs: the shortest cycle
 * of the class through that edge.
 */
#include "acidcheck_int.h"

#include <string.h>

#define LABEL_STEP ((uint64_t)1 << 32)
#define LABEL_MAX ((uint64_t)1 << 62)

/* --- nodes and edges -------------------------------------------------------------- */

int achk_graph_node_add(ctx *c, uint32_t txn)
{
    RESERVE(c->nodes, c->capnodes, c->nnodes + 1);
    uint32_t n = (uint32_t)c->nnodes++;
    ac_node *x = &c->nodes[n];
    memset(x, 0, sizeof *x);
    x->txn = txn;
    x->out = x->in = x->member_next = x->slot = NONE;
    x->uf = n;
    x->size = 1;
    c->tx[txn].node = n;
    c->new_edges.n = c->side_edges.n = 0;
    c->cur_node = n;
    return 0;
}

static void edge_link(ctx *c, uint32_t i)
{
    ac_edge *e = &c->ed[i];
    e->next_out = c->nodes[e->from].out;
    e->next_in = c->nodes[e->to].in;
    c->nodes[e->from].out = i;
    c->nodes[e->to].in = i;
}

int achk_edge_add(ctx *c, uint8_t kind, uint32_t from_txn, uint32_t to_txn, uint32_t key,
             uint32_t v1, uint32_t v2, uint32_t pread, bool seen_match)
{
    uint32_t a = c->tx[from_txn].node, b = c->tx[to_txn].node;
    if (a == NONE || b == NONE || a == b)
        return 0;
    RESERVE(c->ed, c->caped, c->ned + 1);
    uint32_t i = (uint32_t)c->ned++;
    c->ed[i] = (ac_edge){ a, b, key, v1, v2, pread, NONE, NONE,
                          (uint8_t)(kind & ~E_FLIP), seen_match, (kind & E_FLIP) != 0 };
    if (a != c->cur_node && b != c->cur_node)
        return achk_u32_push(&c->side_edges, i);   /* linked after the commit's own (achk_graph_commit) */
    edge_link(c, i);
    return achk_u32_push(&c->new_edges, i);
}

static uint32_t find(ctx *c, uint32_t n)
{
    uint32_t r = n;
    while (c->nodes[r].uf != r)
        r = c->nodes[r].uf;
    while (c->nodes[n].uf != r) {
        uint32_t p = c->nodes[n].uf;
        c->nodes[n].uf = r;
        n = p;
    }
    return r;
}

/* --- the order of components (G2) ------------------------------------------------- */

static int slot_new(ctx *c, uint32_t owner, uint32_t *out)
{
    RESERVE(c->slots, c->capslots, c->nslots + 1);
    uint32_t s = (uint32_t)c->nslots++;
    c->slots[s] = (ac_slot){ 0, NONE, NONE, owner };
    *out = s;
    return 0;
}

/* Spreads the labels after slot a so that there is room after it. */
static void relabel(ctx *c, uint32_t a)
{
    uint32_t cnt = 0, e = a;
    uint64_t base = c->slots[a].label, span;
    for (uint32_t want = 1;; want *= 2) {
        while (cnt < want && c->slots[e].next != NONE) {
            e = c->slots[e].next;
            cnt++;
        }
        if (c->slots[e].next == NONE) {
            span = LABEL_MAX - base;
            cnt++;
            break;
        }
        span = c->slots[c->slots[e].next].label - base;
        if (span / ((uint64_t)cnt + 2) > (uint64_t)(cnt + 2) * 4) {
            cnt++;
            break;
        }
    }
    uint64_t step = span / ((uint64_t)cnt + 1);
    uint32_t s = c->slots[a].next;
    for (uint32_t i = 1; i < cnt && s != NONE; i++, s = c->slots[s].next)
        c->slots[s].label = base + step * i;
}

/* A new slot right after slot a (NONE: at the head). */
static int slot_after(ctx *c, uint32_t a, uint32_t owner, uint32_t *out)
{
    uint32_t s;
    if (slot_new(c, owner, &s))
        return -1;
    if (a == NONE) {
        /* At the head: slot 0 is a sentinel owned by nobody, label 0. */
        a = 0;
    }
    uint32_t b = c->slots[a].next;
    if (b == NONE) {
        if (c->slots[a].label + LABEL_STEP >= LABEL_MAX) {
            uint64_t l = 0;
            for (uint32_t x = 0; x != NONE; x = c->slots[x].next, l += 2)
                c->slots[x].label = l;
        }
        c->slots[s].label = c->slots[a].label + (c->slots[a].label + LABEL_STEP < LABEL_MAX ? LABEL_STEP : 1);
    } else {
        if (c->slots[b].label - c->slots[a].label < 2)
            relabel(c, a);
        c->slots[s].label = c->slots[a].label + (c->slots[b].label - c->slots[a].label) / 2;
        c->slots[b].prev = s;
    }
    c->slots[s].prev = a;
    c->slots[s].next = b;
    c->slots[a].next = s;
    if (b == NONE)
        c->slot_last = s;
    *out = s;
    return 0;
}

static uint64_t label_of(ctx *c, uint32_t comp)
{
    return c->slots[c->nodes[comp].slot].label;
}

/* --- Pearce-Kelly with merging ----------------------------------------------------- */

/* Components reachable from the stack's, forward (dir 0, labels below lim) or backward
 * (dir 1, labels at or above lim), marked with stamp; collected in out. */
static int reach(ctx *c, u32vec *stack, int dir, uint64_t lim, uint32_t stamp, u32vec *out)
{
    while (stack->n) {
        uint32_t comp = stack->v[--stack->n];
        if (achk_u32_push(out, comp))
            return -1;
        for (uint32_t m = comp; m != NONE; m = c->nodes[m].member_next) {
            for (uint32_t e = dir ? c->nodes[m].in : c->nodes[m].out; e != NONE;
                 e = dir ? c->ed[e].next_in : c->ed[e].next_out) {
                uint32_t o = find(c, dir ? c->ed[e].from : c->ed[e].to);
                ac_node *on = &c->nodes[o];
                if ((dir ? on->stamp2 : on->stamp) == stamp)
                    continue;
                uint64_t l = label_of(c, o);
                if (dir ? l < lim : l >= lim)
                    continue;
                if (dir)
                    on->stamp2 = stamp;
                else
                    on->stamp = stamp;
                if (achk_u32_push(stack, o))
                    return -1;
            }
        }
    }
    return 0;
}

static _Thread_local ctx *sort_ctx;   /* qsort's comparators need the labels */
static int by_label(const void *pa, const void *pb)
{
    uint64_t a = label_of(sort_ctx, *(const uint32_t *)pa), b = label_of(sort_ctx, *(const uint32_t *)pb);
    return a < b ? -1 : a > b;
}
static int slot_by_label(const void *pa, const void *pb)
{
    uint64_t a = sort_ctx->slots[*(const uint32_t *)pa].label, b = sort_ctx->slots[*(const uint32_t *)pb].label;
    return a < b ? -1 : a > b;
}

static void merge_into(ctx *c, uint32_t root, uint32_t other)
{
    ac_node *r = &c->nodes[root], *o = &c->nodes[other];
    uint32_t tail = other;
    while (c->nodes[tail].member_next != NONE)
        tail = c->nodes[tail].member_next;
    c->nodes[tail].member_next = r->member_next;
    r->member_next = other;
    r->size += o->size;
    o->uf = root;
}

static int search_cycles(ctx *c, uint32_t comp, const uint32_t *seeds, uint32_t n);

static int reorder(ctx *c, uint32_t root, uint32_t sf, uint32_t sbm);
static int pk_insert(ctx *c, uint32_t i);

static int side_edges(ctx *c)
{
    for (uint32_t j = 0; j < c->side_edges.n; j++)
        if (pk_insert(c, c->side_edges.v[j]))
            return -1;
    c->side_edges.n = 0;
    c->cur_node = NONE;
    return 0;
}

int achk_graph_commit(ctx *c, uint32_t txn)
{
    uint32_t T = c->tx[txn].node;
    uint64_t ub = UINT64_MAX, lb = 0;
    uint32_t lbc = NONE, ubc = NONE;
    for (uint32_t i = 0; i < c->new_edges.n; i++) {
        const ac_edge *e = &c->ed[c->new_edges.v[i]];
        uint32_t o = find(c, e->from == T ? e->to : e->from);
        uint64_t l = label_of(c, o);
        if (e->from == T && l < ub) {
            ub = l;
            ubc = o;
        } else if (e->to == T && (lbc == NONE || l > lb)) {
            lb = l;
            lbc = o;
        }
    }
    if (ubc == NONE)   /* no edge out of T: it goes last */
        return slot_after(c, c->slot_last, T, &c->nodes[T].slot) || side_edges(c);
    if (lbc == NONE || lb < ub)
        return slot_after(c, c->slots[c->nodes[ubc].slot].prev, T, &c->nodes[T].slot) ||
               side_edges(c);
    if (slot_after(c, c->nodes[lbc].slot, T, &c->nodes[T].slot))
        return -1;
    /* δF (sa): forward from T's targets, below T; δB (sb): backward from T, from ub up. */
    uint32_t sf = ++c->epoch, sbm = ++c->epoch;
    c->sa.n = c->sb.n = c->sq.n = c->sc.n = 0;
    uint64_t lt = label_of(c, T);
    for (uint32_t i = 0; i < c->new_edges.n; i++) {
        const ac_edge *e = &c->ed[c->new_edges.v[i]];
        if (e->from != T)
            continue;
        uint32_t o = find(c, e->to);
        if (c->nodes[o].stamp != sf && label_of(c, o) < lt) {
            c->nodes[o].stamp = sf;
            if (achk_u32_push(&c->sq, o))
                return -1;
        }
    }
    if (!c->sq.n)   /* every target lies after T already: the order holds */
        return side_edges(c);
    if (reach(c, &c->sq, 0, lt, sf, &c->sa))
        return -1;
    c->nodes[T].stamp2 = sbm;
    if (achk_u32_push(&c->sq, T) || reach(c, &c->sq, 1, ub, sbm, &c->sb))
        return -1;
    int r = reorder(c, T, sf, sbm);
    if (r < 0)
        return -1;
    if (r && search_cycles(c, T, c->new_edges.v, c->new_edges.n))
        return -1;
    return side_edges(c);
}

/* After the searches: components reached both ways (stamp sf forward, stamp2 sbm backward)
 * lie on a cycle through root and join its component; the others keep their order, δB's
 * (sb) first, then root's, then δF's (sa), in the slots they all had (G2). Then the cycles
 * through the new edges, if a component grew. */
static int reorder(ctx *c, uint32_t root, uint32_t sf, uint32_t sbm)
{
    c->sc.n = 0;
    for (uint32_t i = 0; i < c->sb.n; i++)
        if (achk_u32_push(&c->sc, c->nodes[c->sb.v[i]].slot))
            return -1;
    for (uint32_t i = 0; i < c->sa.n; i++)
        if (c->nodes[c->sa.v[i]].stamp2 != sbm && achk_u32_push(&c->sc, c->nodes[c->sa.v[i]].slot))
            return -1;
    sort_ctx = c;
    qsort(c->sc.v, c->sc.n, sizeof *c->sc.v, slot_by_label);
    qsort(c->sb.v, c->sb.n, sizeof *c->sb.v, by_label);
    qsort(c->sa.v, c->sa.n, sizeof *c->sa.v, by_label);
    uint32_t nb = 0, nf = 0;
    bool merged = false;
    for (uint32_t i = 0; i < c->sb.n; i++) {
        uint32_t o = c->sb.v[i];
        if (o == root)
            continue;
        if (c->nodes[o].stamp == sf) {
            merged = true;
            continue;
        }
        c->sb.v[nb++] = o;
    }
    for (uint32_t i = 0; i < c->sa.n; i++) {
        uint32_t o = c->sa.v[i];
        if (o == root)
            continue;
        if (c->nodes[o].stamp2 == sbm)
            merge_into(c, root, o);
        else
            c->sa.v[nf++] = o;
    }
    for (uint32_t i = 0; i < c->sc.n; i++)
        c->slots[c->sc.v[i]].owner = NONE;
    for (uint32_t i = 0; i < nb; i++) {
        c->nodes[c->sb.v[i]].slot = c->sc.v[i];
        c->slots[c->sc.v[i]].owner = c->sb.v[i];
    }
    c->nodes[root].slot = c->sc.v[nb];
    c->slots[c->sc.v[nb]].owner = root;
    for (uint32_t i = 0; i < nf; i++) {
        uint32_t s = c->sc.v[c->sc.n - nf + i];
        c->nodes[c->sa.v[i]].slot = s;
        c->slots[s].owner = c->sa.v[i];
    }
    return merged ? 1 : 0;
}

/* Edge i between two earlier nodes (Pearce and Kelly's insertion): when it goes against the
 * order, the components between its ends are searched and reordered, or merged. */
static int pk_insert(ctx *c, uint32_t i)
{
    edge_link(c, i);
    uint32_t X = find(c, c->ed[i].from), Y = find(c, c->ed[i].to);
    if (X == Y)
        return search_cycles(c, X, &i, 1);
    uint64_t lx = label_of(c, X), ly = label_of(c, Y);
    if (lx < ly)
        return 0;
    uint32_t sf = ++c->epoch, sbm = ++c->epoch;
    c->sa.n = c->sb.n = c->sq.n = 0;
    c->nodes[Y].stamp = sf;
    if (achk_u32_push(&c->sq, Y) || reach(c, &c->sq, 0, lx + 1, sf, &c->sa))
        return -1;
    c->nodes[X].stamp2 = sbm;
    if (achk_u32_push(&c->sq, X) || reach(c, &c->sq, 1, ly, sbm, &c->sb))
        return -1;
    if (c->nodes[X].stamp != sf)
        c->nodes[Y].stamp2 = 0;   /* no cycle: Y stays in δF only */
    int r = reorder(c, X, sf, sbm);
    if (r <= 0)
        return r;
    return search_cycles(c, X, &i, 1);
}

/* --- the cycles through T ------------------------------------------------------------- */

enum { P_G0, P_G1C, P_GSINGLE, P_G2ITEM, P_G2, P__COUNT };
static const unsigned pass_mask[P__COUNT] = {
    E_WW, E_WW | E_WR, E_WW | E_WR | E_RW, E_WW | E_WR | E_RWI, E_WW | E_WR | E_RW,
};
static const int pass_fn[P__COUNT] = { FN_G0, FN_G1C, FN_GSINGLE, FN_G2ITEM, FN_G2 };

/* Shortest path from seed's head back to its tail inside comp, so that the cycle is of the
 * pass's class; its edges go to c->cyc after the seed. 1 found, 0 none, -1 out of memory. */
static int bfs(ctx *c, int pass, uint32_t seed, uint32_t comp)
{
    const ac_edge *s = &c->ed[seed];
    unsigned mask = pass_mask[pass];
    if (!(s->kind & mask))
        return 0;
    int want = pass <= P_G1C ? 0 : 1;
    int l0 = (s->kind & E_RW) ? 1 : 0;
    uint32_t ep = ++c->epoch;
    c->sq.n = 0;
    uint32_t src = s->to, dst = s->from;
    if (achk_u32_push(&c->sq, src * 2 + (uint32_t)l0))
        return -1;
    if (l0)
        c->nodes[src].stamp2 = ep;
    else
        c->nodes[src].stamp = ep;
    for (uint32_t head = 0; head < c->sq.n; head++) {
        uint32_t n = c->sq.v[head] / 2;
        int l = (int)(c->sq.v[head] & 1);
        if (n == dst && l == want) {
            c->cyc.n = 0;
            if (achk_u32_push(&c->cyc, seed))
                return -1;
            uint32_t x = n, len = 0;
            int lx = l;
            while (x != src || lx != l0) {
                uint32_t e = c->nodes[x].pedge[lx];
                int pl = c->nodes[x].play[lx];
                if (achk_u32_push(&c->cyc, e))
                    return -1;
                x = c->ed[e].from;
                lx = pl;
                len++;
            }
            /* the path was collected backwards */
            for (uint32_t i = 1, j = len; i < j; i++, j--) {
                uint32_t t = c->cyc.v[i];
                c->cyc.v[i] = c->cyc.v[j];
                c->cyc.v[j] = t;
            }
            return 1;
        }
        for (uint32_t e = c->nodes[n].out; e != NONE; e = c->ed[e].next_out) {
            if (!c->budget)
                return 0;
            c->budget--;
            const ac_edge *x = &c->ed[e];
            if (!(x->kind & mask) || find(c, x->to) != comp)
                continue;
            int nl = l + ((x->kind & E_RW) ? 1 : 0);
            if (nl > 1) {
                if (pass == P_GSINGLE)
                    continue;
                nl = 1;
            }
            ac_node *w = &c->nodes[x->to];
            uint32_t *st = nl ? &w->stamp2 : &w->stamp;
            if (*st == ep)
                continue;
            *st = ep;
            w->pedge[nl] = e;
            w->play[nl] = (uint8_t)l;
            if (achk_u32_push(&c->sq, x->to * 2 + (uint32_t)nl))
                return -1;
        }
    }
    return 0;
}

static int search_cycles(ctx *c, uint32_t comp, const uint32_t *seeds, uint32_t n)
{
    c->budget = SEARCH_BUDGET;
    c->sc.n = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ac_edge *e = &c->ed[seeds[i]];
        if (find(c, e->from) == comp && find(c, e->to) == comp &&
            (achk_u32_push(&c->sc, seeds[i]) || achk_u32_push(&c->sc, 0)))
            return -1;
    }
    for (int pass = 0; pass < P__COUNT; pass++) {
        for (uint32_t i = 0; i < c->sc.n; i += 2) {
            if (c->sc.v[i + 1] & FN_BIT(pass_fn[pass]))
                continue;   /* a cycle of this class through it was found already */
            if (!c->budget)
                return 0;
            int r = bfs(c, pass, c->sc.v[i], comp);
            if (r < 0)
                return -1;
            if (r == 0)
                continue;
            int cls = achk_finding_cycle(c, c->cyc.v, c->cyc.n);
            if (cls < 0)
                return -1;
            for (uint32_t j = 0; j < c->sc.n; j += 2)
                for (uint32_t k = 0; k < c->cyc.n; k++)
                    if (c->cyc.v[k] == c->sc.v[j])
                        c->sc.v[j + 1] |= (uint32_t)cls;
        }
    }
    return 0;
}

/* G2, checked whole: labels increase along the slots, every component's root owns its
 * slot, and every edge between components goes forward. Costs the whole graph; for tests
 * (built with -DACIDCHECK_ASSERT, acidcheck_update calls it after every event). */
int achk_graph_check(ctx *c)
{
    uint64_t last = 0;
    for (uint32_t s = c->slots[0].next; s != NONE; s = c->slots[s].next) {
        if (c->slots[s].label <= last)
            return -1;
        last = c->slots[s].label;
        uint32_t o = c->slots[s].owner;
        if (o != NONE && (find(c, o) != o || c->nodes[o].slot != s))
            return -2;
    }
    for (size_t i = 0; i < c->ned; i++) {
        const ac_edge *e = &c->ed[i];
        if (e->next_out == NONE && c->nodes[e->from].out != i && e->next_in == NONE &&
            c->nodes[e->to].in != i)
            continue;   /* not linked yet */
        uint32_t x = find(c, e->from), y = find(c, e->to);
        if (x != y && label_of(c, x) >= label_of(c, y))
            return -3;
    }
    return 0;
}

void achk_graph_free(ctx *c)
{
    free(c->nodes);
    free(c->ed);
    free(c->slots);
    free(c->new_edges.v);
    free(c->side_edges.v);
    free(c->sa.v);
    free(c->sb.v);
    free(c->sc.v);
    free(c->sq.v);
    free(c->cyc.v);
}
