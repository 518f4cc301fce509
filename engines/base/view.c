/*
 * view.c: the read-only view of the replica set (view.h). Every answer is read from the
 * replicas, the network and the coordinators' hints as they are; nothing here writes to
 * them, so the functions take a const cluster and the compiler holds them to it.
 */
#include "view.h"
#include "wire.h"

#include <string.h>

uint64_t cview_now(const cluster *c) { return cluster_now(c); }
const base_cfg *cview_cfg(const cluster *c) { return cluster_cfg(c); }
uint32_t cview_replicas(const cluster *c) { return cluster_size(c); }

bool cview_replica(const cluster *c, uint32_t r, cview_replica_info *out)
{
    memset(out, 0, sizeof *out);
    const replica *rp = cluster_replica_ro(c, r);
    if (!rp)
        return false;
    const net *nt = cluster_net_ro(c);
    out->id = r;
    out->up = net_is_up(nt, r);
    out->skew = rp->skew;
    out->writes = rp->counter;
    out->group = net_group(nt, r);
    uint32_t pos = 0;
    for (const bkey *k; (k = rep_each(rp, &pos));) {
        out->known++;
        out->keys += k->nv > 0;
        out->versions += k->nv;
    }
    return true;
}

bool cview_converged(const cluster *c)
{
    const net *nt = cluster_net_ro(c);
    bool first = true;
    uint64_t root = 0;
    for (uint32_t r = 1; r <= cluster_size(c); r++) {
        if (!net_is_up(nt, r))
            continue;
        uint64_t x = merkle_root_peek(&cluster_replica_ro(c, r)->tree);
        if (!first && x != root)
            return false;
        root = x;
        first = false;
    }
    return true;
}

static void key_out(const bkey *k, cview_key_info *out)
{
    memset(out, 0, sizeof *out);
    out->key = k->key;
    out->versions = k->nv;
    out->state = k->shash;
    for (uint32_t i = 0; i < k->nv; i++)
        out->tombstones += k->v[i].kind == BV_TOMB;
    if (k->nv == 1)
        out->only = k->v[0].d;
}

bool cview_key_next(const cluster *c, uint32_t r, uint32_t *pos, cview_key_info *out)
{
    const replica *rp = cluster_replica_ro(c, r);
    const bkey *k = rp ? rep_each(rp, pos) : NULL;
    if (!k)
        return false;
    key_out(k, out);
    return true;
}

bool cview_key(const cluster *c, uint32_t r, const char *key, cview_key_info *out)
{
    const replica *rp = cluster_replica_ro(c, r);
    const bkey *k = rp ? rep_lookup(rp, key) : NULL;
    if (!k) {
        memset(out, 0, sizeof *out);
        return false;
    }
    key_out(k, out);
    return true;
}

int cview_key_text(const cluster *c, uint32_t r, const char *key, char *buf, size_t n)
{
    const replica *rp = cluster_replica_ro(c, r);
    return rep_format(rp ? rep_lookup(rp, key) : NULL, buf, n);
}

uint32_t cview_versions(const cluster *c, uint32_t r, const char *key, cview_version *out, uint32_t max)
{
    const replica *rp = cluster_replica_ro(c, r);
    const bkey *k = rp ? rep_lookup(rp, key) : NULL;
    if (!k)
        return 0;
    for (uint32_t i = 0; i < k->nv && i < max; i++) {
        const bversion *v = &k->v[i];
        cview_version *o = &out[i];
        o->kind = v->kind;
        o->d = v->d;
        o->ts = v->ts;
        o->context = v->ctx.len;
        bver_format(v, o->text, sizeof o->text);
    }
    return k->nv;
}

void cview_link(const cluster *c, uint32_t a, uint32_t b, cview_link_info *out)
{
    const net *nt = cluster_net_ro(c);
    out->up_from = net_is_up(nt, a);
    out->up_to = net_is_up(nt, b);
    out->cut = net_link_cut(nt, a, b);
    out->reachable = net_reachable(nt, a, b);
    out->delay = net_link_delay(nt, a, b);
    out->loss = net_link_loss(nt, a, b);
}

size_t cview_in_flight(const cluster *c)
{
    return cluster_in_flight(c);
}

typedef struct flight_arg { cview_msg_fn fn; void *arg; } flight_arg;

static void flight_one(const net_msg *m, void *arg)
{
    const flight_arg *f = arg;
    cview_msg v = { .seq = m->seq, .sent = m->sent, .due = m->due, .from = m->from, .to = m->to,
                    .type = m->type, .len = m->len };
    f->fn(&v, f->arg);
}

void cview_flight(const cluster *c, cview_msg_fn fn, void *arg)
{
    flight_arg f = { fn, arg };
    net_foreach_pending(cluster_net_ro(c), flight_one, &f);
}

size_t cview_hints(const cluster *c, cview_hint *out, size_t max)
{
    size_t n = cluster_hint_count(c);
    for (size_t i = 0; i < n && i < max; i++) {
        const char *key = "";
        cluster_hint_at(c, i, &out[i].holder, &out[i].target, &key, &out[i].d, &out[i].delivered);
        base_key_copy(out[i].key, key);
    }
    return n;
}
