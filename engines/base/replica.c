/*
 * replica.c: one replica's store under the three policies. See replica.h.
 *
 * A merged CRDT state is not one write: its dot is derived from its context (replica
 * CRDT_DOT_R, counter = a 48-bit hash of the context), so replicas holding the same state
 * name it the same way and different states differ. Causality against such a state
 * compares contexts instead of covering a dot.
 */
#include "replica.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRDT_DOT_R 0xFFFFu

static bool is_state(const bversion *v) { return v->kind == BV_SET || v->kind == BV_COUNTER; }

/* a saw b. */
static bool descends(const bversion *a, const bversion *b)
{
    if (b->d.r == CRDT_DOT_R) {
        int c = vv_cmp(&a->ctx, &b->ctx);
        return c == VV_EQUAL || c == VV_AFTER;
    }
    return bver_descends(a, b);
}

static dot state_dot(const vv *ctx)
{
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < ctx->len; i++) {
        uint64_t x[2] = { ctx->e[i].r, ctx->e[i].n };
        h = base_hash(x, sizeof x, h);
    }
    dot d = { CRDT_DOT_R, (h & 0xffffffffffffULL) | 1 };
    return d;
}

/* A tombstone whose grace, counted from its own timestamp, has run out. */
static bool expired(const rep_ctx *c, const bversion *v)
{
    return v->kind == BV_TOMB && c->grace && v->ts + (int64_t)c->grace <= (int64_t)c->now;
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

static bkey *slot_for(bkey *tab, uint32_t cap, const char *key, uint64_t h)
{
    uint32_t i = (uint32_t)(h & (cap - 1));
    while (tab[i].key[0] && strcmp(tab[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

bkey *rep_find(replica *r, const char *key)
{
    if (!r->capkeys)
        return NULL;
    bkey *k = slot_for(r->keys, r->capkeys, key, key_hash(key));
    return k->key[0] ? k : NULL;
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
                *slot_for(tab, cap, r->keys[i].key, r->keys[i].khash) = r->keys[i];
        free(r->keys);
        r->keys = tab;
        r->capkeys = cap;
    }
    uint64_t h = key_hash(key);
    if (merkle_reserve(&r->tree, h))   /* room for its leaf, so that tree_in cannot fail */
        return NULL;
    k = slot_for(r->keys, r->capkeys, key, h);
    base_key_copy(k->key, key);
    k->khash = h;
    r->nkeys++;
    return k;
}

bkey *rep_next(replica *r, uint32_t *pos)
{
    while (*pos < r->capkeys) {
        bkey *k = &r->keys[(*pos)++];
        if (k->key[0])
            return k;
    }
    return NULL;
}

/* --- changes, reported and kept in the tree ------------------------------------------ */

static void tree_out(replica *r, bkey *k)
{
    if (k->nv)
        merkle_toggle(&r->tree, k->khash, k->shash);
}

static void tree_in(replica *r, bkey *k)
{
    uint64_t s = 0;
    for (uint32_t i = 0; i < k->nv; i++)
        s += bver_hash(&k->v[i]);   /* a sum: the order versions are kept in does not matter */
    k->shash = s;
    if (k->nv)
        merkle_toggle(&r->tree, k->khash, k->shash);
}

static void ev_store(replica *r, const rep_ctx *c, const bkey *k, const bversion *v)
{
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

int rep_context(const bkey *k, vv *ctx)
{
    for (uint32_t i = 0; k && i < k->nv; i++) {
        if (vv_merge(ctx, &k->v[i].ctx))
            return -1;
        if (k->v[i].d.r != CRDT_DOT_R && vv_add_dot(ctx, k->v[i].d))
            return -1;
    }
    return 0;
}

/* Replaces everything k holds by v (a write here, or a merged CRDT state). */
static int replace_all(replica *r, const rep_ctx *c, bkey *k, const bversion *v, const char *why)
{
    uint32_t before = k->nv;
    tree_out(r, k);
    for (uint32_t i = 0; i < k->nv; i++)
        ev_discard(r, c, k->key, k->v[i].d, v->d, descends(v, &k->v[i]), why);
    while (k->nv)
        drop_version(k, k->nv - 1);
    int rc = push_version(k, v);
    tree_in(r, k);
    if (rc)
        return -1;
    ev_store(r, c, k, v);
    if (before > 1)
        ev_siblings(r, c, k);   /* resolved back to one */
    return 0;
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
    int64_t ts = (int64_t)c->now + r->skew;
    if (ts <= r->last_ts)
        ts = r->last_ts + 1;
    dot d = { r->id, r->counter + 1 };
    if (rep_context(k, &nv.ctx))
        goto out;
    nv.ts = ts;
    nv.stored = c->now;

    if (op == ROP_PUT || op == ROP_DEL) {
        for (uint32_t i = 0; c->resolve == RES_CRDT && i < k->nv; i++)
            if (is_state(&k->v[i])) {
                snprintf(msg, msglen, "%s holds a %s; use %s", key, k->v[i].kind == BV_SET ? "set" : "counter",
                         k->v[i].kind == BV_SET ? "ADD and REMOVE" : "INCR");
                rc = -2;
                goto out;
            }
        nv.kind = op == ROP_PUT ? BV_VALUE : BV_TOMB;
        nv.d = d;
        if (value)
            snprintf(nv.value, sizeof nv.value, "%s", value);
    } else {
        /* A CRDT operation: start from the state held (a tombstone or nothing: empty). */
        bver_kind want = op == ROP_INCR ? BV_COUNTER : BV_SET;
        const bversion *cur = NULL;
        for (uint32_t i = 0; i < k->nv; i++) {
            if (k->v[i].kind == BV_TOMB)
                continue;
            if (k->v[i].kind != want) {
                snprintf(msg, msglen, "%s holds a %s, not a %s", key,
                         k->v[i].kind == BV_VALUE ? "value" : k->v[i].kind == BV_SET ? "set" : "counter",
                         want == BV_SET ? "set" : "counter");
                rc = -2;
                goto out;
            }
            cur = &k->v[i];
        }
        nv.kind = (uint8_t)want;
        if (cur) {
            if (want == BV_SET ? orset_copy(&nv.set, &cur->set) : pnc_copy(&nv.ctr, &cur->ctr))
                goto out;
            if (cur->ts > nv.ts)
                nv.ts = cur->ts;
        }
        if (op == ROP_ADD && orset_add(&nv.set, value, d))
            goto out;
        if (op == ROP_REMOVE)
            orset_remove(&nv.set, value);
        if (op == ROP_INCR && pnc_incr(&nv.ctr, r->id, delta))
            goto out;
        if (vv_add_dot(&nv.ctx, d))
            goto out;
        nv.d = state_dot(&nv.ctx);
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

int rep_merge(replica *r, const rep_ctx *c, const char *key, const bversion *in)
{
    if (expired(c, in))
        return 0;   /* a peer that has not purged it yet: do not take it back */
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

    /* crdt: states of the same kind merge into one. */
    if (c->resolve == RES_CRDT && is_state(in)) {
        for (uint32_t i = 0; i < k->nv; i++) {
            bversion *h = &k->v[i];
            if (h->kind != in->kind)
                continue;
            bversion m;
            bver_init(&m);
            int rc = bver_copy(&m, h);
            if (!rc)
                rc = in->kind == BV_SET ? orset_merge(&m.set, &in->set) : pnc_merge(&m.ctr, &in->ctr);
            if (!rc)
                rc = vv_merge(&m.ctx, &in->ctx);
            if (rc) {
                bver_free(&m);
                return -1;
            }
            if (in->ts > m.ts)
                m.ts = in->ts;
            m.d = state_dot(&m.ctx);
            m.stored = c->now;
            if (dot_eq(m.d, h->d)) {
                bver_free(&m);
                return 0;   /* nothing new */
            }
            tree_out(r, k);
            ev_discard(r, c, key, h->d, m.d, true, "merged");
            bver_free(h);
            bver_init(h);
            rc = bver_copy(h, &m);
            tree_in(r, k);
            if (!rc)
                ev_store(r, c, k, h);
            bver_free(&m);
            return rc ? -1 : 1;
        }
    }

    /* siblings (and registers under crdt): keep what no other version descends from. */
    for (uint32_t i = 0; i < k->nv; i++)
        if (descends(&k->v[i], in)) {
            ev_discard(r, c, key, in->d, k->v[i].d, true, "superseded");
            return 0;
        }
    uint32_t before = k->nv;
    tree_out(r, k);
    for (uint32_t i = k->nv; i-- > 0;)
        if (descends(in, &k->v[i])) {
            ev_discard(r, c, key, k->v[i].d, in->d, true, "superseded");
            drop_version(k, i);
        }
    bversion copy;
    bver_init(&copy);
    int rc = bver_copy(&copy, in);
    copy.stored = c->now;
    if (!rc)
        rc = push_version(k, &copy);
    tree_in(r, k);
    if (!rc)
        ev_store(r, c, k, &copy);
    bver_free(&copy);
    if (rc)
        return -1;
    if (k->nv != before && (k->nv >= 2 || before >= 2))
        ev_siblings(r, c, k);
    return 1;
}

int rep_purge(replica *r, const rep_ctx *c, const char *key, int *left)
{
    bkey *k = rep_find(r, key);
    *left = 0;
    if (!k)
        return 0;
    int n = 0;
    tree_out(r, k);
    for (uint32_t i = k->nv; i-- > 0;) {
        if (k->v[i].kind != BV_TOMB)
            continue;
        if (!expired(c, &k->v[i])) {
            (*left)++;
            continue;
        }
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
    tree_in(r, k);
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
    rep_ctx c = { NULL, 0, res, 0 };
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
