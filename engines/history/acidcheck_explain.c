/*
 * acidcheck_explain.c: step 3 of the ACID checker: findings, their names and classes, and
 * the sentences that explain them. It decides nothing about the graph: it is handed a read
 * (dirty, G1a, G1b) or a cycle (acidcheck_graph.c) and names and words it.
 *
 * Names and classes (Adya's hierarchy: a finding belongs to every class that contains it):
 *   a cycle of ww edges only           G0 (dirty-write); also G1c, G1
 *   a cycle of ww and wr edges         G1c; also G1
 *   exactly one anti-dependency        G-single (read-skew; forms lost-update,
 *                                      non-repeatable-read, phantom); also G2, and G2-item
 *                                      when that anti-dependency is on an item
 *   anti-dependencies all on items     G2-item (write-skew when two or more); also G2
 *   any other                          G2
 * A finding is shown under its most specific name, the first that applies above.
 *
 * Invariants:
 *   X1. A cycle finding is reported once per (name, set of transactions); another cycle on
 *       the same set and name adds its aliases and classes to it.
 *   X2. A dirty, aborted or intermediate read is reported once per (reader, version, kind).
 *   X3. A dirty read's text says how the writer ended; it is written again when it ends.
 */
#include "acidcheck_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const fn_names[FN__COUNT] = {
    "dirty-read", "G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "G2",
};

static const char *const known_names[] = {
    "G0", "G1a", "G1b", "G1c", "G1", "G-single", "G2-item", "G2", "dirty-read",
    "dirty-write", "aborted-read", "intermediate-read", "read-skew", "lost-update",
    "non-repeatable-read", "phantom", "write-skew",
};

/* --- text ------------------------------------------------------------------------- */

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* "T1", "T1#2" (the session's second transaction), from the history's TXN_BEGIN. */
const char *achk_txn_label(ctx *c, uint32_t t)
{
    char *l = c->lbuf[c->lnext];
    c->lnext = (c->lnext + 1) % 8;
    size_t n = sizeof c->lbuf[0];
    const ac_txn *x = &c->tx[t];
    l[0] = 0;
    if (t == 0)
        snprintf(l, n, "T0");
    else if (x->session && x->nth <= 1)
        snprintf(l, n, "T%d", x->session);
    else if (x->session)
        snprintf(l, n, "T%d#%d", x->session, x->nth);
    else if (c->label)
        c->label(x->id, l, n, c->label_arg);
    if (!l[0])
        snprintf(l, n, "txn %" PRIu64, x->id);
    l[n - 1] = 0;
    return l;
}

static const char *node_label(ctx *c, uint32_t node)
{
    return achk_txn_label(c, c->nodes[node].txn);
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
    const ac_pread *p = &c->pr[pi];
    const char *table = c->tab[p->table];
    char pb[512];
    pb[0] = 0;
    if (p->pred)
        pred_format(p->pred, pb, sizeof pb);
    sb_printf(b, "%s's scan of %s", who, table ? table : "?");
    if (pb[0])
        sb_printf(b, " WHERE %s", pb);
}

/* What version v's writer did to its key: "updated test/1 to 11", "inserted test/1 = 11",
 * "deleted test/1". */
static void sb_did(sbuf *b, ctx *c, uint32_t v, uint32_t key)
{
    if (!ver_exists(c, v)) {
        sb_printf(b, "deleted ");
        sb_key(b, c, key);
    } else if (c->vers[v].inserted) {
        sb_printf(b, "inserted ");
        sb_key(b, c, key);
        sb_printf(b, " = ");
        sb_val(b, c, v);
    } else {
        sb_printf(b, "updated ");
        sb_key(b, c, key);
        sb_printf(b, " to ");
        sb_val(b, c, v);
    }
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
        const ac_edge *e = &c->ed[cyc[i]];
        sb_printf(b, " -%s(", kind_text(e->kind));
        sb_key(b, c, e->key);
        sb_printf(b, ")-> %s", node_label(c, e->to));
    }
}

/* What the reader saw of the key: "T1 read test/1 = 10", "T1's scan of ... saw test/1 = 10",
 * "T1's scan of ... found no row test/1". */
static void sb_saw(sbuf *b, ctx *c, const char *who, uint32_t pread, uint32_t key, uint32_t v)
{
    if (pread != NONE) {
        sb_scan(b, c, who, pread);
        if (ver_exists(c, v)) {
            sb_printf(b, " saw ");
            sb_key(b, c, key);
            sb_printf(b, " = ");
            sb_val(b, c, v);
        } else {
            sb_printf(b, " found no row ");
            sb_key(b, c, key);
        }
    } else if (ver_exists(c, v)) {
        sb_printf(b, "%s read ", who);
        sb_key(b, c, key);
        sb_printf(b, " = ");
        sb_val(b, c, v);
    } else {
        sb_printf(b, "%s found no row ", who);
        sb_key(b, c, key);
    }
}

static void sb_edge(sbuf *b, ctx *c, const ac_edge *e)
{
    const char *from = node_label(c, e->from), *to = node_label(c, e->to);
    switch (e->kind) {
    case E_WW:
        sb_printf(b, "%s ", to);
        if (!ver_exists(c, e->v1) && ver_exists(c, e->v2)) {
            sb_printf(b, "inserted ");
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v2);
            sb_printf(b, " after %s had deleted it", from);
        } else if (!ver_exists(c, e->v2)) {
            sb_printf(b, "deleted %s's ", from);
            sb_key(b, c, e->key);
            if (ver_exists(c, e->v1)) {
                sb_printf(b, " = ");
                sb_val(b, c, e->v1);
            }
        } else {
            sb_printf(b, "overwrote %s's ", from);
            sb_key(b, c, e->key);
            sb_printf(b, " = ");
            sb_val(b, c, e->v1);
            sb_printf(b, " with ");
            sb_val(b, c, e->v2);
        }
        break;
    case E_WR:
        if (e->flip) {
            sb_printf(b, "%s ", from);
            sb_did(b, c, e->v1, e->key);
            sb_printf(b, ", changing what ");
            sb_scan(b, c, to, e->pread);
            sb_printf(b, " matched");
            break;
        }
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
        sb_saw(b, c, from, e->pread, e->key, e->v1);
        sb_printf(b, " before %s ", to);
        if (!ver_exists(c, e->v2))
            sb_printf(b, "deleted it");
        else if (c->vers[e->v2].inserted || !ver_exists(c, e->v1)) {
            sb_printf(b, "inserted it with ");
            sb_val(b, c, e->v2);
        } else {
            sb_printf(b, "updated it to ");
            sb_val(b, c, e->v2);
        }
        break;
    case E_RWP:
        sb_saw(b, c, from, e->pread, e->key, e->v1);
        if (ver_exists(c, e->v1))   /* a key with no row matches nothing: no need to say */
            sb_printf(b, e->seen_match ? " (a match)" : " (no match)");
        sb_printf(b, ", and %s later ", to);
        sb_did(b, c, e->v2, e->key);
        sb_printf(b, e->seen_match ? " so that it no longer matches" : " so that it matches");
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

/* --- findings ------------------------------------------------------------------------ */

static void alias_add(acid_finding *f, const char *alias)
{
    for (int i = 0; i < f->naliases; i++)
        if (strcasecmp(f->aliases[i], alias) == 0)
            return;
    if (f->naliases < ACHK_NAMES_MAX)
        snprintf(f->aliases[f->naliases++], sizeof f->aliases[0], "%s", alias);
}

static int finding_new(ctx *c, int name, uint64_t seq, uint32_t *out)
{
    RESERVE(c->f, c->capf, c->nf + 1);
    RESERVE(c->fv, c->capfv, c->nf + 1);
    uint32_t i = (uint32_t)c->nf;
    memset(&c->f[i], 0, sizeof c->f[i]);
    memset(&c->fv[i], 0, sizeof c->fv[i]);
    c->f[i].name = (uint32_t)name;
    c->f[i].reader = c->f[i].writer = c->f[i].ver = c->f[i].wnext = NONE;
    snprintf(c->fv[i].name, sizeof c->fv[i].name, "%s", fn_names[name]);
    c->fv[i].seq = seq;
    *out = i;
    return 0;
}

/* The text of read finding i, as things stand (X3). */
static int read_text(ctx *c, uint32_t i)
{
    const fnd *x = &c->f[i];
    const ac_read *r = &c->rd[x->reader];
    uint32_t w = x->writer;
    const char *rl = achk_txn_label(c, r->txn), *wl = achk_txn_label(c, w);
    sbuf b = { 0 };
    switch (x->name) {
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
    if (ver_exists(c, r->ver)) {
        sb_printf(&b, " = ");
        sb_val(&b, c, r->ver);
        sb_printf(&b, " written by %s", wl);
    } else {
        sb_printf(&b, " as deleted by %s", wl);
    }
    const ac_txn *wt = &c->tx[w];
    switch (x->name) {
    case FN_DIRTY:
        if (wt->lost)
            sb_printf(&b, " before %s committed (a commit the crash later took).", wl);
        else if (wt->status == TS_COMMITTED)
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
        uint32_t fin = NONE;
        for (uint32_t k = wt->tk_head; k != NONE; k = c->tk[k].next)
            if (c->tk[k].key == r->key)
                fin = c->tk[k].own;
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
    if (b.oom || !b.s) {
        free(b.s);
        return -1;
    }
    free(c->fv[i].text);
    c->fv[i].text = b.s;
    return 0;
}

int achk_finding_read(ctx *c, int name, uint32_t ri, uint64_t seq)
{
    const ac_read *r = &c->rd[ri];
    if (r->ver == NONE)
        return 0;
    uint32_t w = c->vers[r->ver].txn;
    if (w == 0 || w == r->txn)
        return 0;
    uint64_t a = ((uint64_t)name << 56) ^ ((uint64_t)r->txn << 28) ^ 0x5bd1e995u;
    if (umap_get(&c->fmap, a, ((uint64_t)r->ver << 1) | 1) != NONE)
        return 0;   /* X2 */
    uint32_t i;
    if (finding_new(c, name, seq, &i))
        return -1;
    fnd *x = &c->f[i];
    x->reader = ri;
    x->writer = w;
    x->ver = r->ver;
    x->cls = FN_BIT(name);
    acid_finding *f = &c->fv[i];
    f->ntxns = 2;
    f->txns[0] = c->tx[w].id;
    f->txns[1] = c->tx[r->txn].id;
    f->classes = x->cls;
    if (read_text(c, i))
        return -1;
    c->nf++;
    if (name == FN_G1A)
        alias_add(f, "aborted-read");
    if (name == FN_G1B)
        alias_add(f, "intermediate-read");
    if (name == FN_G1A || name == FN_G1B)
        alias_add(f, "G1");
    if (name == FN_DIRTY) {
        x->wnext = c->tx[w].dirty_head;
        c->tx[w].dirty_head = i;
    }
    return umap_put(&c->fmap, a, ((uint64_t)r->ver << 1) | 1, i);
}

void achk_finding_writer_ended(ctx *c, uint32_t w)
{
    for (uint32_t i = c->tx[w].dirty_head; i != NONE; i = c->f[i].wnext)
        if (read_text(c, i))
            c->oom = 1;
}

static int u64_cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static void set_hash(ctx *c, const uint32_t *cyc, uint32_t n, uint64_t *h1, uint64_t *h2)
{
    uint64_t small[64], *ids = n <= 64 ? small : malloc(n * sizeof *ids);
    uint64_t a = 1469598103934665603ULL ^ n, b = 0x2545f4914f6cdd1dULL + n;
    if (!ids) {
        *h1 = a;
        *h2 = b;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        ids[i] = c->tx[c->nodes[c->ed[cyc[i]].from].txn].id;
    qsort(ids, n, sizeof *ids, u64_cmp);
    for (uint32_t i = 0; i < n; i++) {
        a = (a ^ ids[i]) * 1099511628211ULL;
        b = fmix64(b ^ (ids[i] + 0x9e3779b97f4a7c15ULL * (i + 1)));
    }
    if (ids != small)
        free(ids);
    *h1 = a;
    *h2 = b;
}

/* An edge a -> b of this kind on key, parallel to path edge pe; NONE if there is none. */
static uint32_t parallel_edge(ctx *c, uint32_t pe, uint8_t kind, uint32_t key)
{
    const ac_edge *p = &c->ed[pe];
    if (p->kind == kind && p->key == key && !p->flip)
        return pe;
    for (uint32_t e = c->nodes[p->from].out; e != NONE; e = c->ed[e].next_out) {
        const ac_edge *x = &c->ed[e];
        if (x->to == p->to && x->kind == kind && x->key == key && !x->flip)
            return e;
    }
    return NONE;
}

/* Did transaction t read version v (an item read)? */
static bool has_read(ctx *c, uint32_t t, uint32_t v)
{
    for (uint32_t r = c->tx[t].rd_head; r != NONE; r = c->rd[r].next)
        if (c->rd[r].ver == v && c->rd[r].item)
            return true;
    return false;
}

static void sb_gsingle(sbuf *b, ctx *c, const uint32_t *cyc, uint32_t n, bool lost, bool nrr,
                       bool phantom)
{
    const ac_edge *rw = &c->ed[cyc[0]], *back = n == 2 ? &c->ed[cyc[1]] : NULL;
    char ti[40], tj[40];   /* copies: the label buffers are reused by the calls below */
    snprintf(ti, sizeof ti, "%s", node_label(c, rw->from));
    snprintf(tj, sizeof tj, "%s", node_label(c, rw->to));
    if (lost && back && back->kind == E_WW && back->key == rw->key && rw->kind == E_RWI &&
        ver_exists(c, rw->v1) && ver_exists(c, back->v1) && ver_exists(c, back->v2)) {
        bool both = has_read(c, c->nodes[rw->to].txn, rw->v1);
        bool saw = has_read(c, c->nodes[rw->from].txn, back->v1);
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
        sb_printf(b, ", then %s updated it to ", tj);
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

/* Reports the cycle cyc[0..n) (X1); returns the classes it belongs to, or -1. */
int achk_finding_cycle(ctx *c, const uint32_t *cyc_in, uint32_t n)
{
    uint32_t small[64], *cyc = n <= 64 ? small : malloc(n * sizeof *cyc);
    if (!cyc)
        return -1;
    uint32_t nrw = 0, npred = 0, nww = 0, first_rw = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t k = c->ed[cyc_in[i]].kind;
        if (k & E_RW) {
            if (!nrw)
                first_rw = i;
            nrw++;
        }
        npred += k == E_RWP;
        nww += k == E_WW;
    }
    /* The anti-dependency first (a G-single's text starts from it). */
    for (uint32_t i = 0; i < n; i++)
        cyc[i] = cyc_in[(i + first_rw) % n];
    int name = nrw == 0 ? (nww == n ? FN_G0 : FN_G1C) : nrw == 1 ? FN_GSINGLE
             : npred == 0 ? FN_G2ITEM : FN_G2;
    uint32_t cls = nrw == 0 ? (FN_BIT(FN_G1C) | (nww == n ? FN_BIT(FN_G0) : 0))
                 : FN_BIT(FN_G2) | (npred == 0 ? FN_BIT(FN_G2ITEM) : 0) |
                   (nrw == 1 ? FN_BIT(FN_GSINGLE) : 0);
    bool lost = false, nrr = false, phantom = false;
    if (name == FN_GSINGLE) {
        const ac_edge *rw = &c->ed[cyc[0]];
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
    uint64_t h1, h2;
    set_hash(c, cyc, n, &h1, &h2);
    uint32_t old = umap_get(&c->fmap, (uint64_t)name, h1);
    if (old != NONE && c->f[old].h2 == h2) {
        acid_finding *f = &c->fv[old];
        if (lost)
            alias_add(f, "lost-update");
        if (nrr)
            alias_add(f, "non-repeatable-read");
        if (phantom)
            alias_add(f, "phantom");
        c->f[old].cls |= cls;
        f->classes |= cls;
        if (cyc != small)
            free(cyc);
        return (int)cls;
    }
    if (c->ncycles[name] >= CYCLE_FINDINGS_MAX) {
        if (cyc != small)
            free(cyc);
        return (int)cls;
    }
    uint64_t seq = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = c->tx[c->nodes[c->ed[cyc[i]].from].txn].commit_seq;
        if (s > seq)
            seq = s;
    }
    uint32_t fi;
    if (finding_new(c, name, seq, &fi)) {
        if (cyc != small)
            free(cyc);
        return -1;
    }
    fnd *x = &c->f[fi];
    acid_finding *f = &c->fv[fi];
    x->h1 = h1;
    x->h2 = h2;
    x->cls = cls;
    f->classes = cls;
    f->ntxns = (int)(n < ACHK_TXNS_MAX ? n : ACHK_TXNS_MAX);
    for (int i = 0; i < f->ntxns; i++)
        f->txns[i] = c->tx[c->nodes[c->ed[cyc[i]].from].txn].id;
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
        sb_printf(&b, name == FN_G2ITEM && nrw >= 2 ? "write skew (G2-item): "
                    : name == FN_G2ITEM ? "item anti-dependency cycle (G2-item): "
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
    if (cyc != small)
        free(cyc);
    if (b.oom || !b.s) {
        free(b.s);
        return -1;
    }
    f->text = b.s;
    c->nf++;
    c->ncycles[name]++;
    switch (name) {
    case FN_G0:
        alias_add(f, "dirty-write");
        alias_add(f, "G1");
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
        if (nrw >= 2)
            alias_add(f, "write-skew");
        break;
    }
    if (umap_put(&c->fmap, (uint64_t)name, h1, fi))
        return -1;
    return (int)cls;
}

void achk_findings_free(ctx *c)
{
    for (size_t i = 0; i < c->nf; i++)
        free(c->fv[i].text);
    free(c->fv);
    free(c->f);
    umap_free(&c->fmap);
    c->fv = NULL;
    c->f = NULL;
    c->nf = c->capf = c->capfv = 0;
}

/* --- the public questions ----------------------------------------------------------- */

static const struct { const char *name; int fn; } class_names[] = {
    { "G0", FN_G0 }, { "G1c", FN_G1C }, { "G-single", FN_GSINGLE }, { "G2-item", FN_G2ITEM },
    { "G2", FN_G2 }, { "G1a", FN_G1A }, { "G1b", FN_G1B }, { "dirty-read", FN_DIRTY },
};

bool acidcheck_has(const acid_findings *f, const char *name)
{
    if (!f || !name)
        return false;
    uint32_t bit = 0;
    for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
        if (strcasecmp(class_names[i].name, name) == 0)
            bit = FN_BIT(class_names[i].fn);
    for (int i = 0; i < f->n; i++) {
        if (strcasecmp(f->v[i].name, name) == 0 || (f->v[i].classes & bit))
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
