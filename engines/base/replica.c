/*
 * replica.c: one replica's store under the three policies. See replica.h.
 *
 * A merged CRDT state is not one write: its dot is derived from its context (replica
 * DOT_STATE_R, counter = a 48-bit hash of the context), so replicas holding the same state
 * name it the same way and different states differ. Causality against such a state
 * compares contexts instead of covering a dot.
 *
 * Every change to a key goes through change_begin / change_end, which keep the Merkle tree
 * (R2) and report a SIBLINGS event when the number of versions crosses two (R4).
 */
#include "replica.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_state(const bversion *v) { return v->kind == BV_SET || v->kind == BV_COUNTER; }

static const char *kind_name(uint8_t kind)
{
    return kind == BV_VALUE ? "value" : kind == BV_SET ? "set" : kind == BV_COUNTER ? "counter" : "tombstone";
}

/* a saw b. A merged state is seen by a version whose context covers its context. Two
 * states of different kinds with equal contexts can only both be empty (each kind's
 * operations were all reset by tombstones both absorbed: an ADD or INCR is refused where the
 * other kind is held), and the one of the lower kind counts as having seen the other, so
 * that exactly one of them stays everywhere (R1). */
static bool descends(const bversion *a, const bversion *b)
{
    if (b->d.r == DOT_STATE_R) {
        int c = vv_cmp(&a->ctx, &b->ctx);
        if (c == VV_EQUAL && a->kind != b->kind && is_state(a))
            return a->kind < b->kind;
        return c == VV_EQUAL || c == VV_AFTER;
    }
    return bver_descends(a, b);
}

/* A merged state's dot: its kind and a hash of its context. */
static dot state_dot(uint8_t kind, const vv *ctx)
{
    uint64_t h = base_hash(&kind, 1, 0x737461746573ULL);   /* the kind, then the entries */
    for (uint32_t i = 0; i < ctx->len; i++) {
        uint64_t x[2] = { ctx->e[i].r, ctx->e[i].n };
        h = base_hash(x, sizeof x, h);
    }
    dot d = { DOT_STATE_R, (h & 0xffffffffffffULL) | 1 };
    return d;
}

bool rep_tomb_expired(const rep_ctx *c, const bversion *v)
{
    if (v->kind != BV_TOMB || !c->grace)
        return false;
    int64_t clock = base_ts_clock(v->ts);
    return clock <= (int64_t)c->now - (int64_t)c->grace;
}

void rep_observe(replica *r, const rep_ctx *c, int64_t ts)
{
    if (c->hlc && ts > r->last_ts)
        r->last_ts = ts;
}

/* --- the key table ------------------------------------------------------------------- */

int rep_init(replica *r, uint32_t id)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    return merkle_init(&r->tree);
}

void bkey_free(bkey *k)
{
    for (uint32_t i = 0; i < k->nv; i++)
        bver_free(&k->v[i]);
    free(k->v);
    vv_free(&k->gone);
    k->v = NULL;
    k->nv = k->cap = 0;
}

void rep_free(replica *r)
{
    for (uint32_t i = 0; i < r->capkeys; i++)
        if (r->keys[i].key[0])
            bkey_free(&r->keys[i]);
    free(r->keys);
    merkle_free(&r->tree);
    memset(r, 0, sizeof *r);
}

static uint64_t key_hash(const char *key)
{
    return base_hash(key, strlen(key), 0x6b6579);
}

/* The slot of key in an open-addressing table: its own, or the empty one it would take. */
static uint32_t slot_of(const bkey *tab, uint32_t cap, const char *key, uint64_t h)
{
    uint32_t i = (uint32_t)(h & (cap - 1));
    while (tab[i].key[0] && strcmp(tab[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

const bkey *rep_lookup(const replica *r, const char *key)
{
    if (!r->capkeys)
        return NULL;
    const bkey *k = &r->keys[slot_of(r->keys, r->capkeys, key, key_hash(key))];
    return k->key[0] ? k : NULL;
}

bkey *rep_find(replica *r, const char *key)
{
    return (bkey *)rep_lookup(r, key);   /* r is the caller's to change */
}

static bkey *find_or_add(replica *r, const char *key)
{
    bkey *k = rep_find(r, key);
    if (k)
        return k;
    if ((r->nkeys + 1) * 10 > r->capkeys * 7) {
        uint32_t cap = r->capkeys ? r->capkeys * 2 : 8;
        bkey *tab = calloc(cap, sizeof *tab);
        if (!tab)
            return NULL;
        for (uint32_t i = 0; i < r->capkeys; i++)
            if (r->keys[i].key[0])
                tab[slot_of(tab, cap, r->keys[i].key, r->keys[i].khash)] = r->keys[i];
        free(r->keys);
        r->keys = tab;
        r->capkeys = cap;
    }
    uint64_t h = key_hash(key);
    if (merkle_reserve(&r->tree, h))   /* room for its leaf, so that change_end cannot fail */
        return NULL;
    k = &r->keys[slot_of(r->keys, r->capkeys, key, h)];
    base_key_copy(k->key, key);
    k->khash = h;
    r->nkeys++;
    return k;
}

const bkey *rep_each(const replica *r, uint32_t *pos)
{
    while (*pos < r->capkeys) {
        const bkey *k = &r->keys[(*pos)++];
        if (k->key[0])
            return k;
    }
    return NULL;
}

bkey *rep_next(replica *r, uint32_t *pos)
{
    return (bkey *)rep_each(r, pos);
}

/* --- changes, reported and kept in the tree ------------------------------------------ */

static void change_begin(replica *r, bkey *k)
{
    r->nv_before = k->nv;
    if (k->nv)
        merkle_toggle(&r->tree, k->khash, k->shash);
}

static void ev_siblings(replica *r, const rep_ctx *c, const bkey *k);

#ifndef NDEBUG
/* R1, whatever the policy (it holds across policy changes too): no kept version saw
 * another kept version. */
static bool key_ok(const bkey *k)
{
    for (uint32_t i = 0; i < k->nv; i++)
        for (uint32_t j = 0; j < k->nv; j++)
            if (i != j && descends(&k->v[i], &k->v[j]))
                return false;
    return true;
}
#endif

static void change_end(replica *r, const rep_ctx *c, bkey *k)
{
    assert(key_ok(k));
    uint64_t s = 0;
    for (uint32_t i = 0; i < k->nv; i++)
        s += bver_hash(&k->v[i]);   /* a sum: the order versions are kept in does not matter */
    k->shash = s;
    if (k->nv)
        merkle_toggle(&r->tree, k->khash, k->shash);
    if (k->nv != r->nv_before && (k->nv >= 2 || r->nv_before >= 2))
        ev_siblings(r, c, k);
}

static void ev_store(replica *r, const rep_ctx *c, const bkey *k, const bversion *v)
{
    if (v->kind == BV_TOMB && c->tomb)
        c->tomb(c->arg, r->id, k->key, v->ts);
    if (!c->h)
        return;
    hist_event *e = hist_add(c->h, SIDE_BASE, EV_VERSION_STORE);
    if (!e)
        return;
    char text[BASE_VALUE_MAX * 4];
    e->node = (uint16_t)r->id;
    e->key = scalar_text(k->key, strlen(k->key));
    e->n[0] = (int64_t)dot_pack(v->d);
    e->n[1] = v->ts;
    e->n[2] = v->kind;
    bver_format(v, text, sizeof text);
    hist_set_text(c->h, e, text);
    uint64_t ctx[64];
    int n = 0;
    for (uint32_t i = 0; i < v->ctx.len && n < 64; i++)
        ctx[n++] = dot_pack((dot){ v->ctx.e[i].r, v->ctx.e[i].n });
    hist_set_txns(c->h, e, ctx, n);
}

static void ev_discard(replica *r, const rep_ctx *c, const char *key, dot gone, dot by, bool seen,
                       const char *why)
{
    if (!c->h)
        return;
    hist_event *e = hist_add(c->h, SIDE_BASE, EV_VERSION_DISCARD);
    if (!e)
        return;
    e->node = (uint16_t)r->id;
    e->key = scalar_text(key, strlen(key));
    e->n[0] = (int64_t)dot_pack(gone);
    e->n[1] = (int64_t)dot_pack(by);
    e->n[2] = seen;
    hist_set_text(c->h, e, why);
}

static void ev_siblings(replica *r, const rep_ctx *c, const bkey *k)
{
    if (!c->h)
        return;
    hist_event *e = hist_add(c->h, SIDE_BASE, EV_SIBLINGS);
    if (e) {
        e->node = (uint16_t)r->id;
        e->key = scalar_text(k->key, strlen(k->key));
        e->n[0] = k->nv;
    }
}

static int push_version(bkey *k, const bversion *v)
{
    if (k->nv == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 2;
        bversion *nv = realloc(k->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        k->v = nv;
        k->cap = cap;
    }
    bver_init(&k->v[k->nv]);
    if (bver_copy(&k->v[k->nv], v))
        return -1;
    k->nv++;
    return 0;
}

static void drop_version(bkey *k, uint32_t i)
{
    bver_free(&k->v[i]);
    k->v[i] = k->v[--k->nv];
}

int rep_context(const bkey *k, bool gone, vv *ctx)
{
    if (k && gone && vv_merge(ctx, &k->gone))
        return -1;
    for (uint32_t i = 0; k && i < k->nv; i++) {
        if (vv_merge(ctx, &k->v[i].ctx))
            return -1;
        if (k->v[i].d.r != DOT_STATE_R && vv_add_dot(ctx, k->v[i].d))
            return -1;
    }
    return 0;
}

/* Replaces everything k holds by v (a write here). */
static int replace_all(replica *r, const rep_ctx *c, bkey *k, const bversion *v, const char *why)
{
    change_begin(r, k);
    for (uint32_t i = 0; i < k->nv; i++)
        ev_discard(r, c, k->key, k->v[i].d, v->d, descends(v, &k->v[i]), why);
    while (k->nv)
        drop_version(k, k->nv - 1);
    int rc = push_version(k, v);
    if (!rc)
        ev_store(r, c, k, v);
    change_end(r, c, k);   /* after the store: a SIBLINGS event counts what is held (R4) */
    return rc ? -1 : 0;
}

/* Joins state (or, for a tombstone, nothing: a reset by what it saw) `in` into *acc, a
 * state of kind `kind` (version.h's causal joins); contexts are united and the timestamp
 * is the greater. 0, or -1 out of memory (acc as it was). */
static int join_into(bversion *acc, const bversion *in)
{
    orset empty_set;
    pncounter empty_ctr;
    orset_init(&empty_set);
    pnc_init(&empty_ctr);
    const orset *s = in->kind == BV_SET ? &in->set : &empty_set;
    const pncounter *n = in->kind == BV_COUNTER ? &in->ctr : &empty_ctr;
    int rc = acc->kind == BV_SET ? orset_join(&acc->set, &acc->ctx, s, &in->ctx)
                                 : pnc_join(&acc->ctr, &acc->ctx, n, &in->ctx);
    if (!rc)
        rc = vv_merge(&acc->ctx, &in->ctx);
    if (!rc && in->d.r != DOT_STATE_R)
        rc = vv_add_dot(&acc->ctx, in->d);
    if (!rc && in->ts > acc->ts)
        acc->ts = in->ts;
    return rc;
}

/* Why a CRDT operation cannot work on what k holds (msg), or 0 when it can. */
static int crdt_refusal(const bkey *k, bver_kind want, const char *key, char *msg, size_t n)
{
    bool other = false, mixed = false;
    uint8_t seen = 0, kind = 0;
    for (uint32_t i = 0; i < k->nv; i++) {
        uint8_t kd = k->v[i].kind;
        if (kd == BV_TOMB)
            continue;
        if (seen && kd != seen)
            mixed = true;
        seen = kd;
        if (kd != want) {
            other = true;
            kind = kd;
        }
    }
    if (!other)
        return 0;
    char held[256];
    rep_format(k, held, sizeof held);
    if (mixed)
        snprintf(msg, n, "refused: %s holds concurrent versions of different kinds (%s); a PUT or DEL "
                 "at a replica that holds them resolves them", key, held);
    else
        snprintf(msg, n, "refused: %s holds a %s (%s), not a %s; a PUT or DEL replaces it", key,
                 kind_name(kind), held, kind_name(want));
    return -2;
}

int rep_write(replica *r, const rep_ctx *c, rep_op op, const char *key, const char *value,
              int64_t delta, dot *made, char *msg, size_t msglen)
{
    bkey *k = find_or_add(r, key);
    if (!k)
        return -1;
    bversion nv;
    bver_init(&nv);
    int rc = -1;
    /* The clock reading, or one more than the last timestamp issued (or seen, under hlc):
     * unique, increasing, and within the tick (version.h). */
    int64_t ts = base_ts_of_clock((int64_t)c->now + r->skew);
    if (ts <= r->last_ts)
        ts = r->last_ts < INT64_MAX ? r->last_ts + 1 : INT64_MAX;
    dot d = { r->id, r->counter + 1 };
    nv.ts = ts;
    nv.stored = c->now;

    if (op == ROP_PUT || op == ROP_DEL) {
        if (rep_context(k, c->resolve != RES_LWW, &nv.ctx))
            goto out;
        nv.kind = op == ROP_PUT ? BV_VALUE : BV_TOMB;
        nv.d = d;
        if (value)
            snprintf(nv.value, sizeof nv.value, "%s", value);
    } else {
        /* A CRDT operation: the causal join of the state and tombstones held (nothing:
         * empty), then the operation. */
        bver_kind want = op == ROP_INCR ? BV_COUNTER : BV_SET;
        if ((rc = crdt_refusal(k, want, key, msg, msglen)) != 0)
            goto out;
        rc = -1;
        nv.kind = (uint8_t)want;
        for (uint32_t i = 0; i < k->nv; i++)
            if (join_into(&nv, &k->v[i]))
                goto out;
        if (k->gone.len) {                 /* what purged tombstones saw: reset, as they did */
            bversion ghost;
            bver_init(&ghost);
            ghost.kind = BV_TOMB;
            ghost.ctx = k->gone;           /* read only: join_into copies what it needs */
            ghost.ts = INT64_MIN;
            if (join_into(&nv, &ghost))
                goto out;
        }
        if (nv.ts < ts)
            nv.ts = ts;
        if (op == ROP_ADD && orset_add(&nv.set, value, d))
            goto out;
        if (op == ROP_REMOVE) {
            orset_remove(&nv.set, value);
            orset_drop_removed(&nv.set);   /* the context covers what it removed */
        }
        if (op == ROP_INCR && pnc_incr(&nv.ctr, r->id, delta))
            goto out;
        if (vv_add_dot(&nv.ctx, d))
            goto out;
        nv.d = state_dot(nv.kind, &nv.ctx);
    }
    r->counter++;
    r->last_ts = ts;
    if (replace_all(r, c, k, &nv, "superseded"))
        goto out;
    *made = d;
    rc = 0;
out:
    bver_free(&nv);
    return rc;
}

/* Stores a copy of in beside what k holds (the caller dropped what it supersedes). */
static int keep_copy(replica *r, const rep_ctx *c, bkey *k, const bversion *in)
{
    bversion copy;
    bver_init(&copy);
    int rc = bver_copy(&copy, in);
    copy.stored = c->now;
    if (!rc)
        rc = push_version(k, &copy);
    if (!rc)
        ev_store(r, c, k, &copy);
    bver_free(&copy);
    return rc;
}

/* Does version v join with in under crdt (merge_crdt)? */
static bool joins(const bversion *in, const bversion *v)
{
    return is_state(in) ? v->kind == in->kind || v->kind == BV_TOMB : in->kind == BV_TOMB && is_state(v);
}

/* crdt: a state, or a tombstone, that no held version descends from. A state joins the
 * held state of its kind and the held tombstones (absorbed: their reset applies, and what
 * they did not see survives); a tombstone is absorbed into each held state. Values stay
 * beside them as siblings. Returns 1 when nothing held joins (the caller keeps in as a
 * sibling), 0 done, -1 out of memory. */
static int merge_crdt(replica *r, const rep_ctx *c, bkey *k, const bversion *in)
{
    bool any = false;
    for (uint32_t i = 0; i < k->nv && !any; i++)
        any = joins(in, &k->v[i]);
    if (!any)
        return 1;
    static const uint8_t kinds[2] = { BV_SET, BV_COUNTER };
    for (int t = 0; t < 2; t++) {
        uint8_t kind = kinds[t];
        bool have = in->kind == kind;
        for (uint32_t i = 0; i < k->nv && !have && !is_state(in); i++)
            have = k->v[i].kind == kind;
        if (!have)
            continue;
        bversion m;
        bver_init(&m);
        m.kind = kind;
        m.ts = INT64_MIN;
        int rc = join_into(&m, in);
        for (uint32_t i = 0; i < k->nv && !rc; i++)
            if (k->v[i].kind == kind || (k->v[i].kind == BV_TOMB && is_state(in)))
                rc = join_into(&m, &k->v[i]);
        if (!rc) {
            m.d = state_dot(m.kind, &m.ctx);
            m.stored = c->now;
            if (!is_state(in))
                ev_discard(r, c, k->key, in->d, m.d, true, "merged");   /* absorbed here */
            for (uint32_t i = k->nv; i-- > 0;)
                if (k->v[i].kind == kind || (k->v[i].kind == BV_TOMB && is_state(in))) {
                    ev_discard(r, c, k->key, k->v[i].d, m.d, true, "merged");
                    drop_version(k, i);
                }
            rc = push_version(k, &m);
            if (!rc)
                ev_store(r, c, k, &m);
        }
        bver_free(&m);
        if (rc)
            return -1;
    }
    return 0;
}

int rep_merge(replica *r, const rep_ctx *c, const char *key, const bversion *in)
{
    if (rep_tomb_expired(c, in))
        return 0;   /* a peer that has not purged it yet: do not take it back */
    rep_observe(r, c, in->ts);
    bkey *k = find_or_add(r, key);
    if (!k)
        return -1;
    for (uint32_t i = 0; i < k->nv; i++)
        if (dot_eq(k->v[i].d, in->d))
            return 0;   /* already here */

    if (c->resolve == RES_LWW) {
        if (k->nv == 0 || bver_lww_newer(in, &k->v[0])) {
            bversion copy;
            bver_init(&copy);
            if (bver_copy(&copy, in))
                return -1;
            copy.stored = c->now;
            int rc = replace_all(r, c, k, &copy, "lww");
            bver_free(&copy);
            return rc ? -1 : 1;
        }
        ev_discard(r, c, key, in->d, k->v[0].d, descends(&k->v[0], in), "lww");
        return 0;
    }

    /* siblings and crdt: what a held version saw is old news; what in saw goes. */
    for (uint32_t i = 0; i < k->nv; i++)
        if (descends(&k->v[i], in)) {
            ev_discard(r, c, key, in->d, k->v[i].d, true, "superseded");
            return 0;
        }
    change_begin(r, k);
    for (uint32_t i = k->nv; i-- > 0;)
        if (descends(in, &k->v[i])) {
            ev_discard(r, c, key, k->v[i].d, in->d, true, "superseded");
            drop_version(k, i);
        }
    int rc = 1;
    if (c->resolve == RES_CRDT && (is_state(in) || in->kind == BV_TOMB))
        rc = merge_crdt(r, c, k, in);
    if (rc == 1)
        rc = keep_copy(r, c, k, in);
    /* Joins can make one held state cover another (a tombstone absorbed into states of both
     * kinds): what a held version saw goes (R1). */
    for (uint32_t i = k->nv; i-- > 0;)
        for (uint32_t j = 0; j < k->nv; j++)
            if (j != i && descends(&k->v[j], &k->v[i])) {
                ev_discard(r, c, key, k->v[i].d, k->v[j].d, true, "superseded");
                drop_version(k, i);
                break;
            }
    change_end(r, c, k);
    return rc ? -1 : 1;
}

int rep_purge(replica *r, const rep_ctx *c, const char *key, int *left)
{
    bkey *k = rep_find(r, key);
    *left = 0;
    if (!k)
        return 0;
    int n = 0;
    for (uint32_t i = 0; i < k->nv && !n; i++)
        n = rep_tomb_expired(c, &k->v[i]);
    for (uint32_t i = 0; i < k->nv; i++)
        *left += k->v[i].kind == BV_TOMB && !rep_tomb_expired(c, &k->v[i]);
    if (!n)
        return 0;
    n = 0;
    change_begin(r, k);
    for (uint32_t i = k->nv; i-- > 0;) {
        if (!rep_tomb_expired(c, &k->v[i]))
            continue;
        if (c->resolve != RES_LWW &&
            (vv_merge(&k->gone, &k->v[i].ctx) || vv_add_dot(&k->gone, k->v[i].d)))
            continue;       /* out of memory: keep it, to be purged later */
        if (c->h) {
            hist_event *e = hist_add(c->h, SIDE_BASE, EV_PURGE);
            if (e) {
                e->node = (uint16_t)r->id;
                e->key = scalar_text(key, strlen(key));
                e->n[0] = (int64_t)dot_pack(k->v[i].d);
            }
        }
        drop_version(k, i);
        n++;
    }
    change_end(r, c, k);
    return n;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rep_format(const bkey *k, char *buf, size_t n)
{
    const char *vals[64];
    char tmp[64][BASE_VALUE_MAX * 4];
    int nv = 0;
    bool any_value = false;
    for (uint32_t i = 0; k && i < k->nv; i++)
        any_value |= k->v[i].kind != BV_TOMB;
    /* Every sibling shows, equal values and deletes included: a learner must see that
     * there are several. Nothing but tombstones reads as absent. */
    for (uint32_t i = 0; any_value && i < k->nv && nv < 64; i++) {
        bver_format(&k->v[i], tmp[nv], sizeof tmp[nv]);
        vals[nv] = tmp[nv];
        nv++;
    }
    if (!nv)
        return snprintf(buf, n, "absent");
    qsort(vals, (size_t)nv, sizeof *vals, str_cmp);
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < nv && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? "|" : "", vals[i]);
    return (int)o;
}

int rep_merge_list(base_resolve res, const bversion *in, uint32_t n, bkey *out)
{
    replica tmp;
    rep_ctx c = { .resolve = res };
    int rc = rep_init(&tmp, 0);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = rep_merge(&tmp, &c, "k", &in[i]) < 0 ? -1 : 0;
    bkey *k = rep_find(&tmp, "k");
    memset(out, 0, sizeof *out);
    if (k && !rc) {
        for (uint32_t i = 0; i < k->nv && !rc; i++)
            rc = push_version(out, &k->v[i]);
    }
    rep_free(&tmp);
    return rc;
}
