/*
 * acidcheck_scan.c: step 1 of the ACID checker. Reads the history's events one at a time
 * into records (transactions, keys, versions, reads, version sets); at a commit it hands
 * over to acidcheck_commit.c, which installs versions and draws edges (acidcheck.h states
 * the definitions). It never searches the graph (acidcheck_graph.c) and never writes text
 * (acidcheck_explain.c).
 *
 * What each event does:
 *   TXN_BEGIN  a transaction record; its label comes from the event's session and from how
 *              many transactions that session began before it ("T1", "T1#2"). An id seen
 *              again after its transaction ended starts a new record (ids restarted).
 *   WRITE      a version: writer, key, value, whether a row exists, when it was written.
 *   UNDO       the version is undone from then on; the writer's own version of the key goes
 *              back to its previous one.
 *   READ       an item read of the version it names.
 *   PREAD      a predicate read and its version set: one entry per row it evaluated (the
 *              version it saw; a row it matched is an item read as well), one per key it
 *              found no row for or did not list (the state the key was in then: its latest
 *              version not undone), and for a predicate that names no keys, a place among
 *              the keys born later (the class's "future" list).
 *   TXN_COMMIT acidcheck_commit.c (achk_commit_txn).
 *   TXN_ABORT  its versions are undone (a crash undoes without UNDO events); committed
 *              reads of them are aborted reads (G1a).
 *   TXN_LOST   of a committed transaction: the caller rebuilds (acidcheck.c), knowing.
 */
#include "acidcheck_int.h"

#include <string.h>

/* --- records ----------------------------------------------------------------------- */

static int txn_new(ctx *c, uint64_t id, uint32_t *out)
{
    RESERVE(c->tx, c->captx, c->ntx + 1);
    uint32_t t = (uint32_t)c->ntx++;
    ac_txn *x = &c->tx[t];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->node = x->tk_head = x->rd_head = x->pend_head = x->dirty_head = NONE;
    x->defer_head = x->ver_head = NONE;
    if (achk_idmap_put(&c->txmap, id, t))
        return -1;
    *out = c->tx_last = t;
    return 0;
}

static int txn_get(ctx *c, uint64_t id, uint32_t *out)
{
    uint32_t t = c->tx_last < c->ntx && c->tx[c->tx_last].id == id ? c->tx_last
               : achk_idmap_get(&c->txmap, id);
    if (t == NONE)
        return txn_new(c, id, out);
    *out = c->tx_last = t;
    return 0;
}

static int table_get(ctx *c, const char *name, uint32_t *out)
{
    for (size_t i = c->ntab; i-- > 0;)
        if (c->tab[i] == name || (name && c->tab[i] && strcmp(c->tab[i], name) == 0)) {
            *out = (uint32_t)i;
            return 0;
        }
    size_t cap = c->captab;
    RESERVE(c->tab, c->captab, c->ntab + 1);
    if (c->captab != cap) {
        uint32_t *tk = realloc(c->tab_keys, c->captab * sizeof *tk);
        if (!tk)
            return -1;
        c->tab_keys = tk;
    }
    c->tab[c->ntab] = name;
    c->tab_keys[c->ntab] = NONE;
    *out = (uint32_t)c->ntab++;
    return 0;
}

static size_t key_home(const ctx *c, uint32_t table, const scalar *k)
{
    return (size_t)(fmix64(scalar_hash(k) ^ ((uint64_t)table * 0x9e3779b97f4a7c15ULL)) & (c->kcap - 1));
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

static int key_get(ctx *c, uint32_t t, const scalar *k, uint64_t seq, uint32_t *out)
{
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
    ac_key *kr = &c->keys[x];
    memset(kr, 0, sizeof *kr);
    kr->key = *k;
    kr->table = t;
    kr->born = seq;
    kr->nextw = kr->watch = NONE;
    kr->tnext = c->tab_keys[t];
    c->tab_keys[t] = x;
    size_t j = key_home(c, t, k);
    while (c->kslot[j] != NONE)
        j = (j + 1) & (c->kcap - 1);
    c->kslot[j] = x;
    *out = x;
    return 0;
}

static int ev_key(ctx *c, const hist_event *e, const scalar *k, uint32_t *out)
{
    uint32_t t;
    return table_get(c, e->table, &t) || key_get(c, t, k, e->seq, out);
}

static uint32_t ver_find(const ctx *c, uint64_t id)
{
    return id ? achk_idmap_get(&c->vmap, id) : NONE;
}

static int ver_new(ctx *c, uint64_t id, uint32_t key, uint32_t *out)
{
    RESERVE(c->vers, c->capvers, c->nvers + 1);
    uint32_t v = (uint32_t)c->nvers++;
    ac_ver *x = &c->vers[v];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->key = key;
    x->undone = NEVER;
    x->prev_own = x->tnext = x->pos = NONE;
    if (achk_idmap_put(&c->vmap, id, v))
        return -1;
    *out = v;
    return 0;
}

/* --- events ------------------------------------------------------------------------ */

/* T0's version id, seen for the first time: installed first in its key's order. */
static int ver_t0(ctx *c, uint64_t id, uint32_t key, bool exists, bool known, int64_t value,
                  uint32_t *out)
{
    uint32_t v = ver_find(c, id);
    if (v != NONE) {
        ac_ver *x = &c->vers[v];
        if (known && !x->known && x->txn == 0) {
            x->known = 1;
            x->value = value;
            x->exists = exists;
        }
        *out = v;
        return 0;
    }
    if (ver_new(c, id, key, &v))
        return -1;
    ac_ver *x = &c->vers[v];
    x->exists = exists;
    x->known = known;
    x->value = known ? value : 0;
    ac_key *k = &c->keys[key];
    if (achk_u32_push(&k->phys, NONE))
        return -1;
    k = &c->keys[key];
    memmove(k->phys.v + 1, k->phys.v, (k->phys.n - 1) * sizeof *k->phys.v);
    k->phys.v[0] = v;
    if (k->ord.n == 0 && achk_commit_install(c, 0, v))
        return -1;
    *out = v;
    return 0;
}

static int on_write(ctx *c, uint32_t t, const hist_event *e)
{
    uint32_t key, v, dummy;
    if (ev_key(c, e, &e->key, &key))
        return -1;
    if (e->n[3] && ver_find(c, (uint64_t)e->n[3]) == NONE &&
        ver_t0(c, (uint64_t)e->n[3], key, !e->n[4], false, 0, &dummy))
        return -1;
    if (ver_new(c, (uint64_t)e->n[0], key, &v))
        return -1;
    ac_ver *x = &c->vers[v];
    x->txn = t;
    x->seq = e->seq;
    x->value = e->n[1];
    x->exists = e->n[2] != 0;
    x->known = 1;
    x->inserted = e->n[4] != 0;
    x->tnext = c->tx[t].ver_head;
    c->tx[t].ver_head = v;
    if (achk_u32_push(&c->keys[key].phys, v))
        return -1;
    for (uint32_t i = c->tx[t].tk_head; i != NONE; i = c->tk[i].next)
        if (c->tk[i].key == key) {
            uint32_t prev = c->tk[i].own;
            c->vers[v].prev_own = prev == NOVER ? NONE : prev;
            c->tk[i].own = v;
            return 0;
        }
    RESERVE(c->tk, c->captk, c->ntk + 1);
    uint32_t i = (uint32_t)c->ntk++;
    c->tk[i] = (ac_tk){ t, key, v, c->tx[t].tk_head };
    c->tx[t].tk_head = i;
    return 0;
}

static int on_undo(ctx *c, const hist_event *e)
{
    uint32_t v = ver_find(c, (uint64_t)e->n[3]);
    if (v == NONE || c->vers[v].txn == 0)
        return 0;
    ac_ver *x = &c->vers[v];
    if (x->undone == NEVER)
        x->undone = e->seq;
    uint32_t w = x->txn;
    for (uint32_t i = c->tx[w].tk_head; i != NONE; i = c->tk[i].next)
        if (c->tk[i].key == x->key && c->tk[i].own == v) {
            uint32_t p = x->prev_own;
            while (p != NONE && c->vers[p].undone != NEVER)
                p = c->vers[p].prev_own;
            c->tk[i].own = p == NONE ? NOVER : p;
        }
    return 0;
}

/* The version of key the store held at seq: its latest not undone by then (NONE: none). */
static uint32_t phys_current(const ctx *c, uint32_t key, uint64_t seq)
{
    const u32vec *ph = &c->keys[key].phys;
    for (uint32_t i = ph->n; i-- > 0;) {
        const ac_ver *x = &c->vers[ph->v[i]];
        if (x->seq < seq && x->undone > seq)
            return ph->v[i];
    }
    return NONE;
}

static int on_read(ctx *c, uint32_t t, const hist_event *e)
{
    uint32_t key, v = NONE;
    if (ev_key(c, e, &e->key, &key))
        return -1;
    if (e->n[0]) {
        v = ver_find(c, (uint64_t)e->n[0]);
        if (v == NONE && ver_t0(c, (uint64_t)e->n[0], key, e->n[2] != 0, true, e->n[1], &v))
            return -1;
    } else {
        v = phys_current(c, key, e->seq);
        if (v != NONE && c->vers[v].exists)
            v = NONE;
    }
    return achk_read_add(c, t, key, v, NONE, NONE, true, e->n[2] != 0, e->seq);
}

static bool key_only(const pred *p)
{
    for (int i = 0; p && i < p->nterms; i++)
        if (p->terms[i].field != PF_KEY)
            return false;
    return true;
}

static int class_get(ctx *c, const pred *p, uint32_t table, uint32_t *out)
{
    uint32_t i = umap_get(&c->clsmap, (uint64_t)(uintptr_t)p, table);
    if (i == NONE) {
        RESERVE(c->cls, c->capcls, c->ncls + 1);
        i = (uint32_t)c->ncls++;
        c->cls[i] = (ac_cls){ p, table, NONE, NONE };
        if (umap_put(&c->clsmap, (uint64_t)(uintptr_t)p, table, i))
            return -1;
    }
    *out = i;
    return 0;
}

/* An entry for a key the scan found no row for: the state it was in. */
static int absent_entry(ctx *c, uint32_t t, uint32_t key, uint32_t pi, uint32_t cls, uint64_t seq)
{
    /* The state is the store's then (if that is a row, the scan did not list a row it had:
     * the version is still what its version set held). */
    uint32_t v = phys_current(c, key, seq);
    return achk_read_add(c, t, key, v, pi, cls, false, false, seq);
}

static int on_pread(ctx *c, uint32_t t, const hist_event *e)
{
    uint32_t tab;
    if (table_get(c, e->table, &tab))
        return -1;
    RESERVE(c->pr, c->cappr, c->npr + 1);
    uint32_t pi = (uint32_t)c->npr++;
    const pred *p = hist_pred(e);
    c->pr[pi] = (ac_pread){ p, e->seq, t, tab, NONE };
    scalar pk[PRED_IN_MAX];
    int npk = p ? pred_point_keys(p, pk, PRED_IN_MAX) : -1;
    bool shape = npk >= 0 && key_only(p);
    uint32_t pcls = NONE;
    if (!shape && class_get(c, p, tab, &pcls))
        return -1;
    c->pr[pi].cls = pcls;
    uint32_t stamp = ++c->kstamp;
    for (int i = 0; i < e->nrows; i++) {
        const hist_row *row = &e->rows[i];
        uint32_t key, v = NONE;
        if (key_get(c, tab, &row->key, e->seq, &key))
            return -1;
        c->keys[key].stamp = stamp;
        uint32_t cls = shape ? (pred_eval(p, &row->key, 0) ? 0 : NONE) : pcls;
        if (!row->version) {
            if (absent_entry(c, t, key, pi, cls, e->seq))
                return -1;
            continue;
        }
        v = ver_find(c, row->version);
        if (v == NONE && ver_t0(c, row->version, key, true, true, row->value, &v))
            return -1;
        if (achk_read_add(c, t, key, v, pi, cls, row->matched != 0, row->matched != 0, e->seq))
            return -1;
    }
    /* Keys it did not list: those it names, or every key of the table known by then. */
    if (npk >= 0) {
        for (int i = 0; i < npk; i++) {
            uint32_t key;
            if (key_get(c, tab, &pk[i], e->seq, &key))
                return -1;
            if (c->keys[key].stamp == stamp)
                continue;
            c->keys[key].stamp = stamp;
            uint32_t cls = shape ? (pred_eval(p, &pk[i], 0) ? 0 : NONE) : pcls;
            if (absent_entry(c, t, key, pi, cls, e->seq))
                return -1;
        }
        return 0;
    }
    for (uint32_t key = c->tab_keys[tab]; key != NONE; key = c->keys[key].tnext)
        if (c->keys[key].stamp != stamp && c->keys[key].born < e->seq &&
            absent_entry(c, t, key, pi, pcls, e->seq))
            return -1;
    /* Its place among the keys born later. */
    RESERVE(c->rd, c->caprd, c->nrd + 1);
    uint32_t ri = (uint32_t)c->nrd++;
    ac_read *r = &c->rd[ri];
    memset(r, 0, sizeof *r);
    r->seq = e->seq;
    r->txn = t;
    r->key = r->ver = NONE;
    r->pread = pi;
    r->cls = pcls;
    r->next = r->wnext = r->fnext = NONE;
    ac_cls *cl = &c->cls[pcls];
    if (cl->future == NONE)
        cl->future = ri;
    else
        c->rd[cl->future_tail].fnext = ri;
    cl->future_tail = ri;
    return 0;
}

/* Its versions are undone from seq on (a rollback has undone them already; a crash has not). */
static void wipe(ctx *c, uint32_t t, uint64_t seq)
{
    for (uint32_t v = c->tx[t].ver_head; v != NONE; v = c->vers[v].tnext)
        if (c->vers[v].undone == NEVER)
            c->vers[v].undone = seq;
}

/* The transaction t ended aborted (or lost): the committed reads waiting for it. */
static int ended_aborted(ctx *c, uint32_t t, uint64_t seq)
{
    wipe(c, t, seq);
    for (uint32_t ri = c->tx[t].pend_head; ri != NONE; ri = c->rd[ri].wnext)
        if (achk_finding_read(c, FN_G1A, ri, seq))
            return -1;
    c->tx[t].pend_head = NONE;
    achk_finding_writer_ended(c, t);
    return 0;
}

static bool lost_later(const ctx *c, uint64_t seq)
{
    for (uint32_t i = 0; i < c->lost_commits.n; i++)
        if (c->lost_commits.v[i] == seq)
            return true;
    return false;
}

static int on_commit(ctx *c, uint32_t t, const hist_event *e)
{
    ac_txn *x = &c->tx[t];
    x->status = TS_COMMITTED;
    x->end_seq = x->commit_seq = e->seq;
    if (lost_later(c, e->seq)) {
        x->lost_pending = 1;   /* committed for the reads made until the crash, never installed */
    } else if (achk_commit_txn(c, t, e->seq)) {
        return -1;
    }
    achk_finding_writer_ended(c, t);
    return 0;
}

/* 0 done, -1 out of memory, 1: a committed transaction's commit was lost, so the state must
 * be rebuilt knowing it (acidcheck.c): its seq is added to lost_commits. */
int achk_scan_event(ctx *c, const hist_event *e)
{
    if (e->side != SIDE_ACID || !e->txn || e->kind < EV_TXN_BEGIN || e->kind > EV_PREAD)
        return 0;
    uint32_t t;
    if (e->kind == EV_TXN_BEGIN) {
        uint32_t old = achk_idmap_get(&c->txmap, e->txn);
        if (old == NONE || c->tx[old].status != TS_ACTIVE || c->tx[old].rd_head != NONE ||
            c->tx[old].tk_head != NONE) {
            if (txn_new(c, e->txn, &t))
                return -1;
        } else {
            t = old;
        }
        ac_txn *x = &c->tx[t];
        x->begin_seq = e->seq;
        x->session = e->session;
        x->nth = ++c->nth[e->session];
        return 0;
    }
    if (txn_get(c, e->txn, &t))
        return -1;
    ac_txn *x = &c->tx[t];
    switch (e->kind) {
    case EV_TXN_COMMIT:
        return x->status == TS_ACTIVE ? on_commit(c, t, e) : 0;
    case EV_TXN_ABORT:
        if (x->status != TS_ACTIVE)
            return 0;
        x->status = TS_ABORTED;
        x->end_seq = e->seq;
        return ended_aborted(c, t, e->seq);
    case EV_TXN_LOST:
        if (x->status == TS_COMMITTED && !x->lost_pending) {
            if (achk_u32_push(&c->lost_commits, (uint32_t)x->commit_seq))
                return -1;
            return 1;
        }
        if (x->lost)
            return 0;
        x->lost = 1;
        x->lost_pending = 0;
        if (x->status == TS_ABORTED)
            return 0;
        x->status = TS_ABORTED;
        x->end_seq = e->seq;
        return ended_aborted(c, t, e->seq);
    case EV_WRITE:
        return x->status == TS_ACTIVE ? on_write(c, t, e) : 0;
    case EV_UNDO:
        return on_undo(c, e);
    case EV_READ:
        return on_read(c, t, e);
    case EV_PREAD:
        return on_pread(c, t, e);
    }
    return 0;
}
