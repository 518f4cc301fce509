/*
 * cluster.c: replicas, coordinators, repair and time over the simulated network. See
 * cluster.h for the protocols and the order things happen in within a tick.
 *
 * The cluster object also keeps each coordinator's memory of its requests, hints and
 * gossip exchanges (what a real replica would keep in its own process); the replicas'
 * data moves between them only as encoded messages.
 *
 * A gossip round of a big cluster is millions of small messages (BASE's deliveries_per_s
 * benchmark), so the delivery path avoids the heap and the cache misses it can: messages
 * are encoded on the stack, the exchanges' records are compacted between rounds, the
 * receivers of the next messages are prefetched. Each such choice says "Performance:"
 * where it is made; none changes what is sent, when, or what the history records.
 */
#include "cluster.h"
#include "wire.h"
#include "common/arith.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HINT_ID_BIT (1ULL << 62)
#define EXCH_STEPS 6         /* messages in the longest exchange: ROOT ... PUSH_BACK */
#define PREFETCH_FAR 16      /* messages ahead: their receivers (prefetch_ahead) */
#define PREFETCH_NEAR 4      /* and what these will read */

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

typedef struct reply {
    uint32_t from;
    uint32_t nv;
    bversion *v;
} reply;

typedef struct preq {
    uint64_t id;
    uint32_t coord;
    base_op op;
    char key[BASE_KEY_MAX + 1];
    char client[32];
    uint32_t needed;
    uint64_t deadline;
    bool closed;             /* past its deadline: hints made, late replies ignored */
    base_answer ans;
    bversion ver;            /* writes: the version created */
    uint32_t *got;           /* replicas that acked or replied, in arrival order */
    uint32_t ngot, capgot;
    reply *replies;          /* reads */
    uint32_t nreplies;
    char rid[BASE_RID_MAX + 1]; /* writes: the request id, "" none */
    dot rid_dot;             /* the dot its first application made */
} preq;

typedef struct hint {
    uint64_t id;
    uint32_t holder, target;
    char key[BASE_KEY_MAX + 1];
    bversion v;
    bool delivered;
    char rid[BASE_RID_MAX + 1]; /* the request's id, "" none */
    dot rid_dot;
} hint;

typedef struct exch {
    uint64_t id;
    uint32_t a, b;
    uint64_t deadline;
    uint32_t compared;
    uint32_t msgs;           /* sent, both ways */
    uint64_t bytes;
    uint64_t shipped;
    bool done, completed;
} exch;

/* A tombstone stored at replica r, due for purging at clock + grace (tombstones are kept in
 * a heap ordered by their timestamp's clock: the grace is the same for all of them, and may
 * change mid-run). seq orders equal clocks by arrival, for determinism. */
typedef struct tomb { int64_t clock; uint64_t seq; uint32_t r; char key[BASE_KEY_MAX + 1]; } tomb;

/* A request id a replica has applied (cluster.h, "Request ids"): what a real replica would
 * keep in a table of its own. */
typedef struct ridmem { uint32_t r; dot d; char rid[BASE_RID_MAX + 1]; char key[BASE_KEY_MAX + 1]; } ridmem;

struct cluster {
    base_cfg cfg;
    hist *h;
    net *nt;
    prng gossip_rng;
    replica *reps;           /* 1..n */
    uint64_t now;
    uint32_t max_delay;
    preq **reqs;             /* by id - 1 */
    size_t nreqs, capreqs;
    preq **open;             /* not yet closed */
    size_t nopen, capopen;
    hint *hints;
    size_t nhints, caphints;
    uint64_t next_hint;
    exch *ex;                /* exchange id ex_base + 1 + i is ex[i]; those below are done */
    size_t nex, capex;
    uint64_t ex_base;
    size_t ex_first_open;    /* exchanges before this index are all done */
    bool in_round;           /* cluster_gossip_round is running: ex[] indexes stay put */
    uint64_t ex_min_deadline; /* no open exchange has an earlier deadline */
    tomb *tq;                /* binary min-heap on (clock, seq) */
    size_t tq_n, tq_cap;
    uint64_t tq_seq;
    bool hold_gossip;        /* cluster_settle: every group agrees, start no exchange */
    uint64_t last_write;
    ridmem *rids;            /* request ids applied, per replica, in the order learnt */
    size_t nrids, caprids;
    tick_report *rep;        /* where cluster_tick is counting, or NULL */
    wire_arena rx;           /* the message being delivered is decoded in here */
};

void base_cfg_default(base_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->n = 3;
    c->resolve = RES_LWW;
    c->seed = 0;
    c->gossip = true;
    c->interval = 5;
    c->read_repair = true;
    c->hinted_handoff = true;
    c->grace = 100;
    c->timeout = 10;
    c->hlc = false;
}

static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*v, nc * sz);
    if (!p)
        return -1;
    *v = p;
    *cap = nc;
    return 0;
}

/* An array that starts in the caller's buffer `small` (*cap of them) and moves to the
 * heap only when it outgrows it; free it with small_free. Performance: a gossip exchange
 * lists a key or two, and a malloc and free per step was a good part of its cost. */
static int small_grow(void **v, size_t *cap, size_t n, size_t sz, void *small)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap * 2;
    void *p = *v == small ? malloc(nc * sz) : realloc(*v, nc * sz);
    if (!p)
        return -1;
    if (*v == small)
        memcpy(p, small, n * sz);
    *v = p;
    *cap = nc;
    return 0;
}

static void small_free(void *v, void *small)
{
    if (v != small)
        free(v);
}

#define SMALL 16

/* The differing leaves, as a bit set. */
typedef struct leafset { uint64_t w[MERKLE_LEAVES / 64]; } leafset;
static void leafset_add(leafset *s, unsigned i) { s->w[i >> 6] |= 1ULL << (i & 63); }
static bool leafset_has(const leafset *s, unsigned i) { return s->w[i >> 6] >> (i & 63) & 1; }

static void tomb_queue(void *arg, uint32_t r, const char *key, int64_t ts);

static rep_ctx ctx_of(cluster *c)
{
    rep_ctx x = { .h = c->h, .now = c->now, .resolve = c->cfg.resolve, .grace = c->cfg.grace,
                  .hlc = c->cfg.hlc, .tomb = tomb_queue, .arg = c };
    return x;
}

static hist_event *ev(cluster *c, hist_kind kind, uint32_t node, uint32_t node2)
{
    if (!c->h)
        return NULL;
    hist_event *e = hist_add(c->h, SIDE_BASE, kind);
    if (e) {
        e->node = (uint16_t)node;
        e->node2 = (uint16_t)node2;
    }
    return e;
}

static void ev_net(cluster *c, uint32_t a, uint32_t b, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static void ev_net(cluster *c, uint32_t a, uint32_t b, const char *fmt, ...)
{
    hist_event *e = ev(c, EV_NET_CHANGE, a, b);
    if (!e)
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    hist_set_text(c->h, e, text);
}

/* --- set up ------------------------------------------------------------------------ */

cluster *cluster_new(const base_cfg *cfg, hist *h)
{
    if (cfg->n < 1 || cfg->n > CLUSTER_MAX)
        return NULL;
    cluster *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cfg = *cfg;
    if (c->cfg.interval < 1)
        c->cfg.interval = 1;
    c->h = h;
    c->max_delay = 1;
    c->ex_min_deadline = UINT64_MAX;
    wire_arena_init(&c->rx);
    prng root;
    prng_seed(&root, cfg->seed);
    prng loss = prng_split(&root, 1);
    c->gossip_rng = prng_split(&root, 2);
    c->nt = net_new(cfg->n, loss, h);
    c->reps = calloc((size_t)cfg->n + 1, sizeof *c->reps);
    if (!c->nt || !c->reps) {
        cluster_free(c);
        return NULL;
    }
    for (uint32_t r = 1; r <= cfg->n; r++)
        if (rep_init(&c->reps[r], r)) {
            cluster_free(c);
            return NULL;
        }
    return c;
}

static void preq_free(preq *q)
{
    bver_free(&q->ver);
    free(q->got);
    for (uint32_t i = 0; i < q->nreplies; i++) {
        for (uint32_t j = 0; j < q->replies[i].nv; j++)
            bver_free(&q->replies[i].v[j]);
        free(q->replies[i].v);
    }
    free(q->replies);
    q->replies = NULL;
    q->nreplies = 0;
    free(q);
}

void cluster_free(cluster *c)
{
    if (!c)
        return;
    for (uint32_t r = 1; c->reps && r <= c->cfg.n; r++)
        rep_free(&c->reps[r]);
    free(c->reps);
    for (size_t i = 0; i < c->nreqs; i++)
        preq_free(c->reqs[i]);
    free(c->reqs);
    free(c->open);
    for (size_t i = 0; i < c->nhints; i++)
        bver_free(&c->hints[i].v);
    free(c->hints);
    free(c->ex);
    free(c->tq);
    free(c->rids);
    wire_arena_free(&c->rx);
    net_free(c->nt);
    free(c);
}

const base_cfg *cluster_cfg(const cluster *c) { return &c->cfg; }
uint32_t cluster_size(const cluster *c) { return c->cfg.n; }
uint64_t cluster_now(const cluster *c) { return c->now; }
replica *cluster_replica(cluster *c, uint32_t r) { return r >= 1 && r <= c->cfg.n ? &c->reps[r] : NULL; }
net *cluster_net(cluster *c) { return c->nt; }
const replica *cluster_replica_ro(const cluster *c, uint32_t r) { return r >= 1 && r <= c->cfg.n ? &c->reps[r] : NULL; }
const net *cluster_net_ro(const cluster *c) { return c->nt; }
size_t cluster_hint_count(const cluster *c) { return c->nhints; }

bool cluster_hint_at(const cluster *c, size_t i, uint32_t *holder, uint32_t *target,
                     const char **key, dot *d, bool *delivered)
{
    if (i >= c->nhints)
        return false;
    const hint *hn = &c->hints[i];
    *holder = hn->holder;
    *target = hn->target;
    *key = hn->key;
    *d = hn->v.d;
    *delivered = hn->delivered;
    return true;
}
uint64_t cluster_last_write_tick(const cluster *c) { return c->last_write; }
bool cluster_is_up(const cluster *c, uint32_t r) { return net_is_up(c->nt, r); }

void cluster_set_resolve(cluster *c, base_resolve r) { c->cfg.resolve = r; }
void cluster_set_gossip(cluster *c, bool on) { c->cfg.gossip = on; }
void cluster_set_interval(cluster *c, uint32_t t) { c->cfg.interval = t ? t : 1; }
void cluster_set_read_repair(cluster *c, bool on) { c->cfg.read_repair = on; }
void cluster_set_hinted_handoff(cluster *c, bool on) { c->cfg.hinted_handoff = on; }
void cluster_set_grace(cluster *c, uint32_t t) { c->cfg.grace = t; }
void cluster_set_clock(cluster *c, bool hlc) { c->cfg.hlc = hlc; }
void cluster_set_timeout(cluster *c, uint32_t t) { c->cfg.timeout = t ? t : 1; }
void cluster_set_skew(cluster *c, uint32_t r, int64_t t)
{
    if (r >= 1 && r <= c->cfg.n)
        c->reps[r].skew = t;
}

/* --- the network ------------------------------------------------------------------- */

void cluster_cut(cluster *c, uint32_t a, uint32_t b, bool one_way)
{
    net_cut(c->nt, a, b, one_way);
    ev_net(c, a, b, one_way ? "cut n%u -> n%u" : "cut n%u n%u", a, b);
}

void cluster_partition(cluster *c, const uint32_t *group)
{
    net_partition(c->nt, group);
    ev_net(c, 0, 0, "partition");
}

void cluster_heal(cluster *c, uint32_t a, uint32_t b)
{
    net_heal(c->nt, a, b);
    if (a)
        ev_net(c, a, b, "heal n%u n%u", a, b);
    else
        ev_net(c, 0, 0, "heal all");
}

void cluster_delay(cluster *c, uint32_t a, uint32_t b, uint32_t ticks)
{
    if (ticks < 1)
        ticks = 1;
    net_set_delay(c->nt, a, b, ticks);
    if (ticks > c->max_delay)
        c->max_delay = ticks;
    ev_net(c, a, b, "delay %u", ticks);
}

void cluster_loss(cluster *c, uint32_t a, uint32_t b, uint32_t pct)
{
    net_set_loss(c->nt, a, b, pct);
    ev_net(c, a, b, "loss %u%%", pct);
}

void cluster_down(cluster *c, uint32_t r)
{
    net_set_up(c->nt, r, false);
    ev(c, EV_NODE_DOWN, r, 0);
}

void cluster_up(cluster *c, uint32_t r)
{
    net_set_up(c->nt, r, true);
    ev(c, EV_NODE_UP, r, 0);
}

static bool is_gossip(int type) { return type >= MSG_ROOT && type <= MSG_PUSH_BACK; }

/* The exchange with this id, done or not, or NULL when it is unknown or long done. */
static exch *exch_at(cluster *c, uint64_t id)
{
    return id > c->ex_base && id - c->ex_base <= c->nex ? &c->ex[id - c->ex_base - 1] : NULL;
}

/* Encodes on the stack when the message fits (every gossip step but a big PUSH), and
 * counts a gossip message against its exchange. */
static void send_msg(cluster *c, wire_msg *m)
{
    uint8_t stack[4096], *buf = stack;
    size_t n = wire_encode_to(m, stack, sizeof stack);
    if (n > sizeof stack)
        n = wire_encode(m, &buf);
    if (n) {
        net_send(c->nt, c->now, m->from, m->to, m->type, buf, n);
        exch *e = is_gossip(m->type) ? exch_at(c, m->id) : NULL;
        if (e) {
            e->msgs++;
            e->bytes += n;
        }
    }
    if (buf != stack)
        free(buf);
}

/* A key state message of one key's versions. */
static void send_state(cluster *c, uint8_t type, uint32_t from, uint32_t to, uint64_t id, uint8_t flags,
                       const char *key, bversion *v, uint32_t nv)
{
    wire_keystate ks;
    memset(&ks, 0, sizeof ks);
    base_key_copy(ks.key, key);
    ks.nv = nv;
    ks.v = v;
    wire_msg m;
    wire_msg_init(&m);
    m.type = type;
    m.flags = flags;
    m.from = from;
    m.to = to;
    m.id = id;
    m.nstates = nv || type != MSG_READ_REPLY ? 1 : 0;
    m.states = &ks;
    send_msg(c, &m);
}

/* A write's copy: send_state, with the request's id when it has one. */
static void send_write(cluster *c, uint32_t from, uint32_t to, uint64_t id, uint8_t flags, const char *key,
                       bversion *v, uint32_t nv, const char *rid, dot rid_dot)
{
    wire_keystate ks;
    memset(&ks, 0, sizeof ks);
    base_key_copy(ks.key, key);
    ks.nv = nv;
    ks.v = v;
    wire_msg m;
    wire_msg_init(&m);
    m.type = MSG_WRITE;
    m.flags = flags;
    m.from = from;
    m.to = to;
    m.id = id;
    m.nstates = 1;
    m.states = &ks;
    if (rid && rid[0]) {
        m.flags |= WIRE_WRITE_RID;
        snprintf(m.rid, sizeof m.rid, "%s", rid);
        m.rid_dot = rid_dot;
    }
    send_msg(c, &m);
}

/* --- request ids (cluster.h) ------------------------------------------------------------ */

static ridmem *rid_find(cluster *c, uint32_t r, const char *rid)
{
    for (size_t i = 0; i < c->nrids; i++)
        if (c->rids[i].r == r && strcmp(c->rids[i].rid, rid) == 0)
            return &c->rids[i];
    return NULL;
}

/* Replica r has applied request rid (key, first dot d): remembered, unless it was already
 * or the table is full. */
static void rid_learn(cluster *c, uint32_t r, const char *rid, const char *key, dot d)
{
    if (!rid[0] || rid_find(c, r, rid) || c->nrids >= CLUSTER_RIDS_MAX ||
        grow((void **)&c->rids, &c->caprids, c->nrids, sizeof *c->rids))
        return;
    ridmem *m = &c->rids[c->nrids++];
    memset(m, 0, sizeof *m);
    m->r = r;
    m->d = d;
    snprintf(m->rid, sizeof m->rid, "%s", rid);
    base_key_copy(m->key, key);
}

/* --- requests ------------------------------------------------------------------------ */

uint32_t cluster_quorum(const cluster *c, base_q q, uint32_t qn)
{
    switch (q) {
    case BQ_DEFAULT:
    case BQ_ONE: return 1;
    case BQ_QUORUM: return c->cfg.n / 2 + 1;
    case BQ_ALL: return c->cfg.n;
    case BQ_NUM: return qn >= 1 && qn <= c->cfg.n ? qn : 0;
    }
    return 1;
}

static void got_add(preq *q, uint32_t r)
{
    for (uint32_t i = 0; i < q->ngot; i++)
        if (q->got[i] == r)
            return;
    size_t cap = q->capgot;
    if (grow((void **)&q->got, &cap, q->ngot, sizeof *q->got) == 0) {
        q->capgot = (uint32_t)cap;
        q->got[q->ngot++] = r;
    }
}

static void answer(cluster *c, preq *q, bool ok, const char *text, const bversion *rows, uint32_t nrows)
{
    base_answer *a = &q->ans;
    if (a->done)
        return;
    a->done = true;
    a->ok = ok;
    a->answered = c->now;
    a->counted = q->ngot < q->needed || !ok ? q->ngot : q->needed;
    snprintf(a->text, sizeof a->text, "%s", text);
    size_t o = 0;
    a->counted_by[0] = 0;
    for (uint32_t i = 0; i < a->counted && o < sizeof a->counted_by; i++)
        o += (size_t)snprintf(a->counted_by + o, sizeof a->counted_by - o, "%sn%u", i ? ", " : "", q->got[i]);
    hist_event *e = ev(c, EV_REQ_ANSWER, q->coord, 0);
    if (!e)
        return;
    hist_set_actor(c->h, e, q->client[0] ? q->client : NULL);
    e->key = scalar_text(q->key, strlen(q->key));
    hist_set_text(c->h, e, text);
    e->n[0] = ok;
    e->n[1] = a->counted;
    e->n[2] = (int64_t)q->id;
    e->n[3] = (int64_t)dot_pack(a->made);
    e->n[4] = c->cfg.resolve;
    uint64_t who[256];
    uint32_t nw = a->counted < 256 ? a->counted : 256;
    for (uint32_t i = 0; i < nw; i++)
        who[i] = q->got[i];
    hist_set_txns(c->h, e, who, (int)nw);
    if (nrows) {
        hist_row *hr = calloc(nrows, sizeof *hr);
        if (hr) {
            for (uint32_t i = 0; i < nrows; i++) {
                hr[i].key = e->key;
                hr[i].version = dot_pack(rows[i].d);
                hr[i].value = rows[i].ts;
                hr[i].matched = rows[i].kind;
            }
            hist_set_rows(c->h, e, hr, (int)nrows);
            free(hr);
        }
    }
}

static preq *req_new(cluster *c, uint32_t coord, const base_req *r)
{
    preq *q = calloc(1, sizeof *q);
    if (!q || grow((void **)&c->reqs, &c->capreqs, c->nreqs, sizeof *c->reqs)) {
        free(q);
        return NULL;
    }
    q->id = c->nreqs + 1;
    c->reqs[c->nreqs++] = q;
    q->coord = coord;
    q->op = r->op;
    snprintf(q->key, sizeof q->key, "%s", r->key);
    snprintf(q->client, sizeof q->client, "%s", r->client);
    bver_init(&q->ver);
    q->ans.invoked = c->now;
    q->deadline = c->now + c->cfg.timeout;
    return q;
}

static void open_add(cluster *c, preq *q)
{
    if (grow((void **)&c->open, &c->capopen, c->nopen, sizeof *c->open) == 0)
        c->open[c->nopen++] = q;
}

/* Read-modify-write text for ADD/REMOVE/INCR outside crdt: sets union their siblings and
 * counters take the largest, then the operation applies. */
static int elem_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int rmw_value(const bkey *k, base_op op, const char *elem, int64_t delta, char *out, size_t n)
{
    if (op == BREQ_INCR) {
        int64_t best = 0;
        bool any = false;
        for (uint32_t i = 0; k && i < k->nv; i++) {
            if (k->v[i].kind != BV_VALUE)
                continue;
            int64_t x = strtoll(k->v[i].value, NULL, 10);
            if (!any || x > best)
                best = x;
            any = true;
        }
        int64_t v;
        if (arith_add(best, delta, &v) != ARITH_OK)
            return ARITH_RANGE;
        snprintf(out, n, "%" PRId64, v);
        return ARITH_OK;
    }
    char elems[64][BASE_VALUE_MAX + 1];
    int ne = 0;
    for (uint32_t i = 0; k && i < k->nv; i++) {
        if (k->v[i].kind != BV_VALUE)
            continue;
        const char *s = k->v[i].value;
        size_t len = strlen(s);
        if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
            char buf[BASE_VALUE_MAX + 1];
            snprintf(buf, sizeof buf, "%.*s", (int)(len - 2), s + 1);
            for (char *tok = strtok(buf, ","); tok && ne < 64; tok = strtok(NULL, ","))
                if (*tok)
                    snprintf(elems[ne++], sizeof elems[0], "%s", tok);
        } else if (len && ne < 64) {
            snprintf(elems[ne++], sizeof elems[0], "%s", s);
        }
    }
    if (op == BREQ_ADD && ne < 64)
        snprintf(elems[ne++], sizeof elems[0], "%s", elem);
    qsort(elems, (size_t)ne, sizeof elems[0], elem_cmp);
    size_t o = (size_t)snprintf(out, n, "{");
    int kept = 0;
    for (int i = 0; i < ne && o < n; i++) {
        if ((i && strcmp(elems[i], elems[i - 1]) == 0) || (op == BREQ_REMOVE && strcmp(elems[i], elem) == 0))
            continue;
        o += (size_t)snprintf(out + o, n - o, "%s%s", kept++ ? "," : "", elems[i]);
    }
    if (o < n)
        snprintf(out + o, n - o, "}");
    return ARITH_OK;
}

/* What replica id has added (delta > 0) or subtracted (delta < 0) in all to the PN-counter
 * at k: the entry an INCR by id of delta grows (arith_counter_step bounds it). */
static uint64_t counter_own(const bkey *k, uint32_t id, int64_t delta)
{
    uint64_t most = 0;
    for (uint32_t i = 0; k && i < k->nv; i++)
        for (uint32_t j = 0; k->v[i].kind == BV_COUNTER && j < k->v[i].ctr.len; j++)
            if (k->v[i].ctr.e[j].r == id) {
                uint64_t x = delta > 0 ? k->v[i].ctr.e[j].p : k->v[i].ctr.e[j].n;
                most = x > most ? x : most;
            }
    return most;
}

static void finish_read(cluster *c, preq *q);

uint64_t cluster_submit(cluster *c, uint32_t coord, const base_req *r)
{
    preq *q = req_new(c, coord, r);
    if (!q)
        return 0;
    q->needed = q->ans.needed = cluster_quorum(c, r->q, r->qn);
    hist_event *e = ev(c, EV_REQ_INVOKE, coord, 0);
    if (e) {
        hist_set_actor(c->h, e, r->client[0] ? r->client : NULL);
        e->key = scalar_text(r->key, strlen(r->key));
        hist_set_text(c->h, e, r->text);
        e->n[0] = r->op;
        e->n[1] = q->needed;
        e->n[2] = (int64_t)q->id;
    }
    if (!net_is_up(c->nt, coord)) {
        char why[64];
        snprintf(why, sizeof why, "unavailable: n%u is down", coord);
        answer(c, q, false, why, NULL, 0);
        q->closed = true;
        return q->id;
    }
    replica *rp = &c->reps[coord];
    rep_ctx x = ctx_of(c);

    if (r->op == BREQ_GET) {
        /* Ask R replicas: the coordinator, then the next ones in ring order. */
        got_add(q, coord);
        bkey *k = rep_find(rp, r->key);
        q->replies = calloc(q->needed ? q->needed : 1, sizeof *q->replies);
        if (!q->replies)
            return q->id;
        reply *own = &q->replies[q->nreplies++];
        own->from = coord;
        if (k && k->nv) {
            own->v = calloc(k->nv, sizeof *own->v);
            for (uint32_t i = 0; own->v && i < k->nv; i++) {
                bver_init(&own->v[i]);
                bver_copy(&own->v[i], &k->v[i]);
                own->nv++;
            }
        }
        /* The next replicas in ring order that the coordinator can reach now (its
         * failure detector); if too few are reachable, the unreachable ones are asked
         * anyway and the read times out. */
        uint32_t *targets = calloc(q->needed ? q->needed : 1, sizeof *targets), nt = 0;
        for (int pass = 0; targets && pass < 2 && nt + 1 < q->needed; pass++)
            for (uint32_t i = 1; i < c->cfg.n && nt + 1 < q->needed; i++) {
                uint32_t to = (coord - 1 + i) % c->cfg.n + 1;
                bool reach = net_reachable(c->nt, coord, to) && net_reachable(c->nt, to, coord);
                bool taken = false;
                for (uint32_t j = 0; j < nt && !taken; j++)
                    taken = targets[j] == to;
                if (!taken && (pass == 1 || reach))
                    targets[nt++] = to;
            }
        for (uint32_t i = 0; targets && i < nt; i++) {
            uint32_t to = targets[i];
            wire_msg m;
            wire_msg_init(&m);
            m.type = MSG_READ;
            m.from = coord;
            m.to = to;
            m.id = q->id;
            snprintf(m.key, sizeof m.key, "%s", r->key);
            send_msg(c, &m);
        }
        free(targets);
        if (q->nreplies >= q->needed)
            finish_read(c, q);
        else
            open_add(c, q);
        return q->id;
    }

    /* A write whose request id this replica has applied: not again (cluster.h). */
    snprintf(q->rid, sizeof q->rid, "%s", r->rid);
    const ridmem *seen = r->rid[0] ? rid_find(c, coord, r->rid) : NULL;
    if (seen && strcmp(seen->key, r->key) != 0) {
        char why[160];
        snprintf(why, sizeof why, "refused: request id %s was used for key %s", r->rid, seen->key);
        q->ans.error = true;
        answer(c, q, false, why, NULL, 0);
        q->closed = true;
        return q->id;
    }
    if (seen) {
        q->rid_dot = q->ans.made = seen->d;
        q->ans.deduped = true;
        bkey *k = rep_find(rp, r->key);
        /* What travels: everything held for the key (the first application's version, or
         * what has replaced it since); a hint keeps the one that made it, or the first. */
        for (uint32_t i = 0; k && i < k->nv && q->ver.kind == 0; i++)
            if (dot_eq(k->v[i].d, seen->d))
                bver_copy(&q->ver, &k->v[i]);
        if (k && k->nv && q->ver.kind == 0)
            bver_copy(&q->ver, &k->v[0]);
        got_add(q, coord);
        if (q->ngot >= q->needed)
            answer(c, q, true, "ok", NULL, 0);
        for (uint32_t to = 1; to <= c->cfg.n; to++)
            if (to != coord)
                send_write(c, coord, to, q->id, 0, r->key, k ? k->v : NULL, k ? k->nv : 0, q->rid, q->rid_dot);
        open_add(c, q);
        return q->id;
    }

    /* A write: apply here first. */
    char msg[256] = "", value[BASE_VALUE_MAX + 1];
    rep_op op;
    const char *val = r->value;
    int64_t delta = r->delta;
    bool crdt_op = c->cfg.resolve == RES_CRDT && (r->op == BREQ_ADD || r->op == BREQ_REMOVE || r->op == BREQ_INCR);
    int arc = ARITH_OK;   /* an INCR past the INT range is answered with an error, nothing written */
    switch (r->op) {
    case BREQ_PUT: op = ROP_PUT; break;
    case BREQ_DEL: op = ROP_DEL; val = NULL; break;
    default:
        if (crdt_op) {
            op = r->op == BREQ_ADD ? ROP_ADD : r->op == BREQ_REMOVE ? ROP_REMOVE : ROP_INCR;
            if (op == ROP_INCR)
                arc = arith_counter_step(counter_own(rep_find(rp, r->key), coord, delta), delta, c->cfg.n);
        } else {
            arc = rmw_value(rep_find(rp, r->key), r->op, r->value, r->delta, value, sizeof value);
            op = ROP_PUT;
            val = value;
        }
    }
    if (arc != ARITH_OK)
        snprintf(msg, sizeof msg, "%s (SQLSTATE %s): INCR %s %" PRId64 " %s", arith_strerror(arc), arith_sqlstate(arc),
                 r->key, delta, crdt_op ? "would take this replica's share of the counter past the INT range"
                                        : "does not fit an INT");
    dot made = { 0, 0 };
    int rc = arc != ARITH_OK ? -2 : rep_write(rp, &x, op, r->key, val, delta, &made, msg, sizeof msg);
    if (rc) {
        /* A refusal says "refused: ..." (never "unavailable": nothing was tried). */
        char why[320];
        snprintf(why, sizeof why, "%s", rc == -2 ? msg : "error: out of memory");
        q->ans.error = true;
        answer(c, q, false, why, NULL, 0);
        q->closed = true;
        return q->id;
    }
    c->last_write = c->now;
    q->ans.made = made;
    bkey *k = rep_find(rp, r->key);
    /* What travels: the state the write left here (one version, or the merged CRDT state). */
    for (uint32_t i = 0; k && i < k->nv; i++)
        if (dot_eq(k->v[i].d, made) || (crdt_op && (k->v[i].kind == BV_SET || k->v[i].kind == BV_COUNTER))) {
            bver_copy(&q->ver, &k->v[i]);
            break;
        }
    q->rid_dot = made;
    rid_learn(c, coord, q->rid, r->key, made);
    got_add(q, coord);
    if (q->ngot >= q->needed)
        answer(c, q, true, "ok", NULL, 0);
    for (uint32_t to = 1; to <= c->cfg.n; to++)
        if (to != coord)
            send_write(c, coord, to, q->id, 0, r->key, &q->ver, 1, q->rid, q->rid_dot);
    open_add(c, q);
    return q->id;
}

bool cluster_answer(const cluster *c, uint64_t id, base_answer *out)
{
    if (id < 1 || id > c->nreqs)
        return false;
    *out = c->reqs[id - 1]->ans;
    return out->done;
}

static uint64_t versions_hash(const bversion *v, uint32_t n)
{
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += bver_hash(&v[i]);
    return s;
}

static void finish_read(cluster *c, preq *q)
{
    uint32_t total = 0;
    rep_ctx x = ctx_of(c);
    for (uint32_t i = 0; i < q->nreplies; i++) {
        total += q->replies[i].nv;
        for (uint32_t j = 0; j < q->replies[i].nv; j++)
            rep_observe(&c->reps[q->coord], &x, q->replies[i].v[j].ts);   /* hlc: replies carry clocks */
    }
    bversion *all = calloc(total ? total : 1, sizeof *all);
    if (!all)
        return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < q->nreplies; i++)
        for (uint32_t j = 0; j < q->replies[i].nv; j++)
            all[k++] = q->replies[i].v[j];   /* shallow: only read */
    bkey merged;
    rep_merge_list(c->cfg.resolve, all, total, &merged);
    char text[512];
    rep_format(&merged, text, sizeof text);
    bool state = false;
    for (uint32_t i = 0; i < merged.nv; i++)
        state |= merged.v[i].kind == BV_SET || merged.v[i].kind == BV_COUNTER;
    /* A merged CRDT state is stored nowhere; the replies' states are. */
    if (state)
        answer(c, q, true, text, all, total);
    else
        answer(c, q, true, text, merged.v, merged.nv);
    free(all);

    if (c->cfg.read_repair && merged.nv) {
        uint64_t mh = versions_hash(merged.v, merged.nv);
        for (uint32_t i = 0; i < q->nreplies; i++) {
            reply *rp = &q->replies[i];
            if (versions_hash(rp->v, rp->nv) == mh)
                continue;
            hist_event *e = ev(c, EV_READ_REPAIR, q->coord, rp->from);
            if (e)
                e->key = scalar_text(q->key, strlen(q->key));
            if (c->rep)
                c->rep->repairs++;
            if (rp->from == q->coord) {
                for (uint32_t j = 0; j < merged.nv; j++)
                    rep_merge(&c->reps[q->coord], &x, q->key, &merged.v[j]);
            } else {
                wire_keystate ks;
                memset(&ks, 0, sizeof ks);
                snprintf(ks.key, sizeof ks.key, "%s", q->key);
                ks.nv = merged.nv;
                ks.v = merged.v;
                wire_msg m;
                wire_msg_init(&m);
                m.type = MSG_REPAIR;
                m.from = q->coord;
                m.to = rp->from;
                m.id = q->id;
                m.nstates = 1;
                m.states = &ks;
                send_msg(c, &m);
            }
        }
    }
    bkey_free(&merged);
}

/* --- message handlers ------------------------------------------------------------------ */

/* The tombstone heap: (clock, seq) ascending. */
static bool tomb_before(const tomb *a, const tomb *b)
{
    return a->clock != b->clock ? a->clock < b->clock : a->seq < b->seq;
}

/* A tombstone was stored at r (rep_ctx.tomb, whatever stored it: a DEL, a message, a
 * coordinator's own read repair): purge it once its grace, counted from its timestamp's
 * clock, has passed. */
static void tomb_queue(void *arg, uint32_t r, const char *key, int64_t ts)
{
    cluster *c = arg;
    if (grow((void **)&c->tq, &c->tq_cap, c->tq_n, sizeof *c->tq))
        return;
    tomb t = { .clock = base_ts_clock(ts), .seq = ++c->tq_seq, .r = r };
    base_key_copy(t.key, key);
    size_t i = c->tq_n++;
    while (i > 0 && tomb_before(&t, &c->tq[(i - 1) / 2])) {
        c->tq[i] = c->tq[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    c->tq[i] = t;
}

static tomb tomb_pop(cluster *c)
{
    tomb top = c->tq[0], last = c->tq[--c->tq_n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= c->tq_n)
            break;
        if (l + 1 < c->tq_n && tomb_before(&c->tq[l + 1], &c->tq[l]))
            m = l + 1;
        if (!tomb_before(&c->tq[m], &last))
            break;
        c->tq[i] = c->tq[m];
        i = m;
    }
    if (c->tq_n)
        c->tq[i] = last;
    return top;
}

static void merge_states(cluster *c, uint32_t r, const wire_msg *m)
{
    rep_ctx x = ctx_of(c);
    for (uint32_t i = 0; i < m->nstates; i++)
        for (uint32_t j = 0; j < m->states[i].nv; j++)
            rep_merge(&c->reps[r], &x, m->states[i].key, &m->states[i].v[j]);
    /* Performance: the tree's changed nodes are hashed now, while the leaves just changed
     * are in the cache, rather than at the replica's next exchange. Same hashes (M2). */
    merkle_root(&c->reps[r].tree);
}

static void on_write(cluster *c, const wire_msg *m)
{
    merge_states(c, m->to, m);
    if ((m->flags & WIRE_WRITE_RID) && m->nstates)
        rid_learn(c, m->to, m->rid, m->states[0].key, m->rid_dot);
    wire_msg ack;
    wire_msg_init(&ack);
    ack.type = MSG_WRITE_ACK;
    ack.from = m->to;
    ack.to = m->from;
    ack.id = m->id;
    if (m->nstates)
        base_key_copy(ack.key, m->states[0].key);
    send_msg(c, &ack);
}

static void on_write_ack(cluster *c, const wire_msg *m)
{
    if (m->id & HINT_ID_BIT) {
        for (size_t i = 0; i < c->nhints; i++) {
            hint *hn = &c->hints[i];
            if (hn->id != m->id || hn->delivered)
                continue;
            hn->delivered = true;
            hist_event *e = ev(c, EV_HINT_DELIVER, hn->holder, hn->target);
            if (e) {
                e->key = scalar_text(hn->key, strlen(hn->key));
                e->n[0] = (int64_t)dot_pack(hn->v.d);
            }
            if (c->rep)
                c->rep->hints_delivered++;
        }
        return;
    }
    if (m->id < 1 || m->id > c->nreqs)
        return;
    preq *q = c->reqs[m->id - 1];
    if (q->closed && q->ans.done)
        return;
    got_add(q, m->from);
    if (!q->ans.done && q->ngot >= q->needed)
        answer(c, q, true, "ok", NULL, 0);
}

static void on_read(cluster *c, const wire_msg *m)
{
    bkey *k = rep_find(&c->reps[m->to], m->key);
    static bversion none;
    send_state(c, MSG_READ_REPLY, m->to, m->from, m->id, 0, m->key, k ? k->v : &none, k ? k->nv : 0);
}

static void on_read_reply(cluster *c, const wire_msg *m)
{
    if (m->id < 1 || m->id > c->nreqs)
        return;
    preq *q = c->reqs[m->id - 1];
    if (q->ans.done || q->closed || q->nreplies >= q->needed)
        return;
    for (uint32_t i = 0; i < q->nreplies; i++)
        if (q->replies[i].from == m->from)
            return;
    reply *rp = &q->replies[q->nreplies++];
    rp->from = m->from;
    got_add(q, m->from);
    if (m->nstates && m->states[0].nv) {
        rp->v = calloc(m->states[0].nv, sizeof *rp->v);
        for (uint32_t i = 0; rp->v && i < m->states[0].nv; i++) {
            bver_init(&rp->v[i]);
            bver_copy(&rp->v[i], &m->states[0].v[i]);
            rp->nv++;
        }
    }
    if (q->nreplies >= q->needed)
        finish_read(c, q);
}

/* The open exchange with this id, or NULL. */
static exch *exch_find(cluster *c, uint64_t id)
{
    exch *e = exch_at(c, id);
    return e && !e->done ? e : NULL;
}

/* Forgets the done exchanges at the front (their ids are not reused: a late message for
 * one finds nothing). Performance: a round of N exchanges would otherwise add N entries
 * to an array that only grows, new memory on every round. */
static void exch_compact(cluster *c)
{
    size_t k = c->ex_first_open;
    while (k < c->nex && c->ex[k].done)
        k++;
    if (k == 0)
        return;
    memmove(c->ex, c->ex + k, (c->nex - k) * sizeof *c->ex);
    c->nex -= k;
    c->ex_base += k;
    c->ex_first_open = 0;
}

static void exch_done(cluster *c, exch *e, bool completed)
{
    e->done = true;
    e->completed = completed;
    hist_event *x = ev(c, EV_GOSSIP, e->a, e->b);
    if (x) {
        x->n[0] = e->compared;
        x->n[1] = (int64_t)e->shipped;
        x->n[2] = (int64_t)e->id;
        x->n[3] = completed;
    }
}

static void reply_init(wire_msg *out, uint8_t type, const wire_msg *m)
{
    wire_msg_init(out);
    out->type = type;
    out->from = m->to;
    out->to = m->from;
    out->id = m->id;
}

/* B, on A's root: equal roots end the exchange (an empty KEYS: nothing differs, 1 hash
 * compared); otherwise B's middle nodes go back. */
static void on_root(cluster *c, const wire_msg *m)
{
    merkle *t = &c->reps[m->to].tree;
    wire_msg out;
    if (merkle_root(t) == m->root) {
        reply_init(&out, MSG_KEYS, m);
        out.compared = 1;
    } else {
        reply_init(&out, MSG_MIDS, m);
        merkle_mids(t);                 /* brought up to date; the message only reads them */
        out.mids = t->mid;
    }
    send_msg(c, &out);
}

/* A, on B's middle nodes (B compared the roots: they differ): A's leaves under the middle
 * nodes that differ go to B. None differ any more when A's tree changed meanwhile: then
 * the exchange is over. */
static void on_mids(cluster *c, const wire_msg *m)
{
    exch *e = exch_find(c, m->id);
    if (!e)
        return;
    merkle *t = &c->reps[m->to].tree;
    uint16_t mask = merkle_diff_mids(t, m->mids);
    e->compared = 1 + MERKLE_FANOUT;
    if (!mask) {
        exch_done(c, e, true);
        return;
    }
    uint64_t leaves[MERKLE_LEAVES];
    int k = 0;
    for (int j = 0; j < MERKLE_FANOUT; j++)
        if (mask & (1u << j)) {
            memcpy(leaves + k, merkle_group(t, j), MERKLE_FANOUT * sizeof *leaves);
            k += MERKLE_FANOUT;
        }
    wire_msg out;
    reply_init(&out, MSG_LEAVES, m);
    out.mask = mask;
    out.leaves = leaves;
    send_msg(c, &out);
}

/* B, on A's leaves: KEYS names the leaves that differ and lists B's keys in them with
 * their state hashes. */
static void on_leaves(cluster *c, const wire_msg *m)
{
    replica *b = &c->reps[m->to];
    int leaves[MERKLE_LEAVES];
    int nd = merkle_diff_leaves(&b->tree, m->mask, m->leaves, leaves);
    leafset diff = { { 0 } };
    uint16_t dl[MERKLE_LEAVES];
    for (int i = 0; i < nd; i++) {
        leafset_add(&diff, (unsigned)leaves[i]);
        dl[i] = (uint16_t)leaves[i];
    }
    wire_msg out;
    reply_init(&out, MSG_KEYS, m);
    out.compared = (uint32_t)(wire_mask_count(m->mask) * MERKLE_FANOUT);
    out.nleaves = (uint32_t)nd;
    out.diff_leaves = dl;
    wire_keyhash small[SMALL], *kh = small;
    size_t cap = SMALL, n = 0;
    uint32_t pos = 0;
    for (bkey *k; nd && (k = rep_next(b, &pos));) {
        if (!k->nv || !leafset_has(&diff, (unsigned)merkle_leaf_of(k->khash)))
            continue;
        if (small_grow((void **)&kh, &cap, n, sizeof *kh, small))
            break;
        base_key_copy(kh[n].key, k->key);
        kh[n].hash = k->shash;
        n++;
    }
    out.nhashes = (uint32_t)n;
    out.hashes = kh;
    send_msg(c, &out);
    small_free(kh, small);
}

/* Sends a PUSH or PUSH_BACK of the given keys' states. */
static uint32_t send_states(cluster *c, uint8_t type, uint32_t from, uint32_t to, uint64_t id,
                            char (*keys)[BASE_KEY_MAX + 1], uint32_t nkeys,
                            char (*want)[BASE_KEY_MAX + 1], uint32_t nwant)
{
    replica *r = &c->reps[from];
    wire_keystate small[SMALL], *ks = nkeys <= SMALL ? small : calloc(nkeys, sizeof *ks);
    if (!ks)
        return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < nkeys; i++) {
        bkey *k = rep_find(r, keys[i]);
        if (!k || !k->nv)
            continue;
        base_key_copy(ks[n].key, k->key);
        ks[n].nv = k->nv;
        ks[n].v = k->v;
        n++;
    }
    wire_msg m;
    wire_msg_init(&m);
    m.type = type;
    m.from = from;
    m.to = to;
    m.id = id;
    m.nstates = n;
    m.states = ks;
    m.nwant = nwant;
    m.want = want;
    send_msg(c, &m);
    small_free(ks, small);
    return n;
}

static void on_keys(cluster *c, const wire_msg *m)
{
    exch *e = exch_find(c, m->id);
    if (!e)
        return;
    e->compared += m->compared;
    if (!m->nleaves && !m->nhashes) {
        exch_done(c, e, true);     /* in sync: nothing differs */
        return;
    }
    replica *a = &c->reps[m->to];
    leafset diff = { { 0 } };
    for (uint32_t i = 0; i < m->nleaves; i++)
        if (m->diff_leaves[i] < MERKLE_LEAVES)
            leafset_add(&diff, m->diff_leaves[i]);
    char small_push[SMALL][BASE_KEY_MAX + 1], small_want[SMALL][BASE_KEY_MAX + 1];
    char (*push)[BASE_KEY_MAX + 1] = small_push, (*want)[BASE_KEY_MAX + 1] = small_want;
    size_t npush = 0, cappush = SMALL, nwant = 0, capwant = SMALL;
    uint32_t pos = 0;
    for (bkey *k; m->nleaves && (k = rep_next(a, &pos));) {
        if (!k->nv || !leafset_has(&diff, (unsigned)merkle_leaf_of(k->khash)))
            continue;
        bool same = false;
        for (uint32_t i = 0; i < m->nhashes && !same; i++)
            same = strcmp(m->hashes[i].key, k->key) == 0 && m->hashes[i].hash == k->shash;
        if (!same && small_grow((void **)&push, &cappush, npush, sizeof *push, small_push) == 0)
            base_key_copy(push[npush++], k->key);
    }
    for (uint32_t i = 0; i < m->nhashes; i++) {
        bkey *k = rep_find(a, m->hashes[i].key);
        if (k && k->nv && k->shash == m->hashes[i].hash)
            continue;
        if (small_grow((void **)&want, &capwant, nwant, sizeof *want, small_want) == 0)
            base_key_copy(want[nwant++], m->hashes[i].key);
    }
    if (npush || nwant)
        e->shipped += send_states(c, MSG_PUSH, e->a, e->b, e->id, push, (uint32_t)npush, want, (uint32_t)nwant);
    if (!nwant)
        exch_done(c, e, true);
    small_free(push, small_push);
    small_free(want, small_want);
}

static void on_push(cluster *c, const wire_msg *m)
{
    merge_states(c, m->to, m);
    if (m->nwant)
        send_states(c, MSG_PUSH_BACK, m->to, m->from, m->id, m->want, m->nwant, NULL, 0);
}

static void on_push_back(cluster *c, const wire_msg *m)
{
    merge_states(c, m->to, m);
    exch *e = exch_find(c, m->id);
    if (!e)
        return;
    e->shipped += m->nstates;
    exch_done(c, e, true);
}

/* Performance: messages are decoded into the cluster's arena, given back at once when the
 * message has been handled (the handlers only read what was decoded, and copy what they
 * keep). */
static void deliver(cluster *c, net_msg *nm)
{
    wire_msg m;
    int rc = wire_decode_in(nm->bytes, nm->len, &m, &c->rx);
    if (rc != WIRE_OK) {
        net_malformed(c->nt, nm, wire_strerror(rc));
        wire_arena_reset(&c->rx);
        return;
    }
    if (m.to != nm->to || m.from != nm->from || m.to < 1 || m.to > c->cfg.n || m.from < 1 || m.from > c->cfg.n) {
        net_malformed(c->nt, nm, "addresses do not match the envelope");
        wire_arena_reset(&c->rx);
        return;
    }
    hist_event *e = ev(c, EV_MSG_DELIVER, nm->to, nm->from);
    if (e) {
        e->n[0] = nm->type;
        e->n[1] = (int64_t)nm->len;
        e->n[3] = (int64_t)nm->seq;
    }
    if (c->rep)
        c->rep->delivered++;
    switch (m.type) {
    case MSG_WRITE: on_write(c, &m); break;
    case MSG_WRITE_ACK: on_write_ack(c, &m); break;
    case MSG_READ: on_read(c, &m); break;
    case MSG_READ_REPLY: on_read_reply(c, &m); break;
    case MSG_REPAIR: merge_states(c, m.to, &m); break;
    case MSG_ROOT: on_root(c, &m); break;
    case MSG_MIDS: on_mids(c, &m); break;
    case MSG_LEAVES: on_leaves(c, &m); break;
    case MSG_KEYS: on_keys(c, &m); break;
    case MSG_PUSH: on_push(c, &m); break;
    case MSG_PUSH_BACK: on_push_back(c, &m); break;
    default: break;
    }
    wire_arena_reset(&c->rx);
}

/* --- timers ----------------------------------------------------------------------------- */

static void make_hints(cluster *c, preq *q)
{
    if (!c->cfg.hinted_handoff || q->op == BREQ_GET || q->ver.kind == 0)
        return;
    for (uint32_t to = 1; to <= c->cfg.n; to++) {
        bool acked = false;
        for (uint32_t i = 0; i < q->ngot && !acked; i++)
            acked = q->got[i] == to;
        if (acked || grow((void **)&c->hints, &c->caphints, c->nhints, sizeof *c->hints))
            continue;
        hint *hn = &c->hints[c->nhints++];
        memset(hn, 0, sizeof *hn);
        hn->id = HINT_ID_BIT | ++c->next_hint;
        hn->holder = q->coord;
        hn->target = to;
        snprintf(hn->key, sizeof hn->key, "%s", q->key);
        snprintf(hn->rid, sizeof hn->rid, "%s", q->rid);
        hn->rid_dot = q->rid_dot;
        bver_init(&hn->v);
        bver_copy(&hn->v, &q->ver);
        hist_event *e = ev(c, EV_HINT_STORE, q->coord, to);
        if (e) {
            e->key = scalar_text(q->key, strlen(q->key));
            e->n[0] = (int64_t)dot_pack(q->ver.d);
        }
    }
}

static void close_requests(cluster *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nopen; i++) {
        preq *q = c->open[i];
        if (q->deadline > c->now) {
            c->open[k++] = q;
            continue;
        }
        if (!q->ans.done)
            answer(c, q, false, "unavailable", NULL, 0);
        q->closed = true;
        make_hints(c, q);
    }
    c->nopen = k;
}

static void retry_hints(cluster *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nhints; i++) {
        hint *hn = &c->hints[i];
        if (hn->delivered) {
            bver_free(&hn->v);
            continue;
        }
        if (net_is_up(c->nt, hn->holder))
            send_write(c, hn->holder, hn->target, hn->id, WIRE_WRITE_HINT, hn->key, &hn->v, 1, hn->rid, hn->rid_dot);
        c->hints[k++] = *hn;
    }
    c->nhints = k;
}

static uint64_t exch_start(cluster *c, uint32_t a)
{
    uint32_t n = c->cfg.n, peer = 0;
    if (n < 2 || !net_is_up(c->nt, a))
        return 0;
    for (int tries = 0; tries < 16 && !peer; tries++) {
        uint32_t p = 1 + (uint32_t)prng_below(&c->gossip_rng, n - 1);
        if (p >= a)
            p++;   /* uniform over the others */
        if (net_can_talk(c->nt, a, p))
            peer = p;
    }
    if (!peer || grow((void **)&c->ex, &c->capex, c->nex, sizeof *c->ex))
        return 0;
    exch *e = &c->ex[c->nex++];
    memset(e, 0, sizeof *e);
    e->id = c->ex_base + c->nex;
    e->a = a;
    e->b = peer;
    e->deadline = c->now + (uint64_t)EXCH_STEPS * c->max_delay + c->cfg.timeout;
    if (e->deadline < c->ex_min_deadline)
        c->ex_min_deadline = e->deadline;
    wire_msg m;
    wire_msg_init(&m);
    m.type = MSG_ROOT;
    m.from = a;
    m.to = peer;
    m.id = e->id;
    m.root = merkle_root(&c->reps[a].tree);
    send_msg(c, &m);
    if (c->rep)
        c->rep->gossip_exchanges++;
    return e->id;
}

/* Performance: the exchanges are walked only at a tick where one may expire (a round
 * of N exchanges would otherwise be walked at each of its ticks). */
static void expire_exchanges(cluster *c)
{
    if (c->now < c->ex_min_deadline)
        return;
    size_t i = c->ex_first_open;
    bool all_done = true;
    uint64_t next = UINT64_MAX;
    for (; i < c->nex; i++) {
        exch *e = &c->ex[i];
        if (!e->done && e->deadline <= c->now)
            exch_done(c, e, false);
        if (!e->done && all_done)
            c->ex_first_open = i;
        if (!e->done && e->deadline < next)
            next = e->deadline;
        all_done &= e->done;
    }
    if (all_done)
        c->ex_first_open = c->nex;
    c->ex_min_deadline = next;
}

/* Tombstones come out of the heap once their clock + grace has passed (grace 0: never);
 * rep_purge then drops every tombstone of that key at that replica that is due. One that
 * was superseded meanwhile is simply not there any more. */
static void purge_tombstones(cluster *c)
{
    if (!c->cfg.grace)
        return;
    rep_ctx x = ctx_of(c);
    while (c->tq_n && c->tq[0].clock <= (int64_t)c->now - (int64_t)c->cfg.grace) {
        tomb t = tomb_pop(c);
        int left = 0;
        int n = rep_purge(&c->reps[t.r], &x, t.key, &left);
        if (c->rep)
            c->rep->purged += (uint64_t)n;
    }
}

/* Performance: a big cluster's replicas do not fit in the cache, and every delivery
 * starts by reading its receiver. While this message is handled, the receiver of the one
 * PREFETCH_FAR ahead is asked for (an exchange's first step, ROOT, reads nothing else);
 * for the one PREFETCH_NEAR ahead, whose replica has arrived by then, what its step will
 * read: the middle hashes (a ROOT whose root differs from the receiver's, MIDS, and the
 * steps that change the tree), the leaves a LEAVES names, the key table (the steps that
 * list, look up or store keys). Hints only: nothing here changes what happens. */
static void prefetch_ahead(cluster *c)
{
    size_t n;
    const net_msg *q = net_upcoming(c->nt, c->now, &n);
    if (n > PREFETCH_FAR && q[PREFETCH_FAR].to <= c->cfg.n)
        PREFETCH(&c->reps[q[PREFETCH_FAR].to]);
    if (n <= PREFETCH_NEAR || q[PREFETCH_NEAR].to > c->cfg.n)
        return;
    const net_msg *m = &q[PREFETCH_NEAR];
    const replica *r = &c->reps[m->to];
    bool mids = m->type != MSG_ROOT || wire_peek_root(m->bytes, m->len) != r->tree.root;
    if (m->type == MSG_KEYS && m->len <= WIRE_HDR + 16)
        return;                 /* an empty KEYS: the exchange just ends */
    if (mids) {
        PREFETCH(r->tree.mid);
        PREFETCH(r->tree.mid + 8);
    }
    if (m->type == MSG_LEAVES) {
        uint16_t mask = wire_peek_mask(m->bytes, m->len);
        for (int j = 0; j < MERKLE_FANOUT; j++)
            if ((mask & (1u << j)) && r->tree.group[j]) {
                PREFETCH(r->tree.group[j]);
                PREFETCH(r->tree.group[j] + 8);
            }
    }
    if (m->type >= MSG_LEAVES && r->keys) {
        size_t size = (size_t)r->capkeys * sizeof *r->keys;
        for (size_t o = 0; o < size && o < 1024; o += 64)
            PREFETCH((const char *)r->keys + o);
    }
}

void cluster_tick(cluster *c, tick_report *rep)
{
    tick_report local = { 0 };
    c->rep = rep ? rep : &local;
    c->now++;
    if (c->h)
        hist_set_tick(c->h, c->now);
    net_msg nm;
    while (net_next(c->nt, c->now, &nm)) {
        prefetch_ahead(c);
        deliver(c, &nm);
    }
    close_requests(c);
    if (c->now % c->cfg.interval == 0) {
        retry_hints(c);
        if (!c->in_round)
            exch_compact(c);
        if (c->cfg.gossip && !c->hold_gossip)
            for (uint32_t r = 1; r <= c->cfg.n; r++)
                exch_start(c, r);
    }
    expire_exchanges(c);
    purge_tombstones(c);
    c->rep = NULL;
}

void cluster_gossip_round(cluster *c, gossip_report *rep)
{
    memset(rep, 0, sizeof *rep);
    exch_compact(c);
    c->in_round = true;
    size_t first = c->nex;
    for (uint32_t r = 1; r <= c->cfg.n; r++)
        if (exch_start(c, r))
            rep->exchanges++;
    /* The round waits for its own exchanges only: background gossip may start new ones
     * while it waits, and with slow links there would always be one open (a fuzz find). */
    size_t last = c->nex;
    uint64_t start = c->now;
    /* Until each of the round's exchanges is done; one done stays done, so the scan
     * resumes where it stopped. */
    for (size_t i = first;;) {
        while (i < last && c->ex[i].done)
            i++;
        if (i == last)
            break;
        cluster_tick(c, NULL);
    }
    for (size_t i = first; i < last; i++) {
        exch *e = &c->ex[i];
        if (e->a == 0)
            continue;
        rep->completed += e->completed;
        rep->hashes_compared += e->compared;
        rep->keys_shipped += e->shipped;
        rep->messages += e->msgs;
        rep->bytes += e->bytes;
    }
    rep->ticks = c->now - start;
    c->in_round = false;
}

bool cluster_converged(cluster *c)
{
    uint64_t root = 0;
    bool first = true;
    for (uint32_t r = 1; r <= c->cfg.n; r++) {
        if (!net_is_up(c->nt, r))
            continue;
        uint64_t x = merkle_root(&c->reps[r].tree);
        if (first)
            root = x;
        else if (x != root)
            return false;
        first = false;
    }
    return true;
}

/* Every group of the partition (down replicas aside) agrees within itself. */
static bool groups_agree(cluster *c)
{
    uint32_t n = c->cfg.n;
    uint64_t *root = calloc((size_t)n + 2, sizeof *root);
    bool *seen = calloc((size_t)n + 2, sizeof *seen);
    bool ok = root && seen;
    for (uint32_t r = 1; ok && r <= n; r++) {
        if (!net_is_up(c->nt, r))
            continue;
        uint32_t g = net_group(c->nt, r);
        if (g > n + 1)
            g = n + 1;
        uint64_t x = merkle_root(&c->reps[r].tree);
        if (!seen[g]) {
            seen[g] = true;
            root[g] = x;
        } else if (root[g] != x) {
            ok = false;
        }
    }
    free(root);
    free(seen);
    return ok;
}

size_t cluster_in_flight(const cluster *c)
{
    return net_in_flight(c->nt);
}

bool cluster_settle(cluster *c, uint64_t max, uint64_t *ticks)
{
    uint64_t start = c->now;
    bool ok = false;
    for (;;) {
        /* An exchange with nothing in flight has finished or lost a message: it is over. */
        bool quiet = net_in_flight(c->nt) == 0, agree = groups_agree(c);
        if (quiet && agree) {
            ok = true;
            break;
        }
        /* Nothing can change any more: no gossip, nothing in flight, no hint pending. */
        if (quiet && !c->cfg.gossip && c->nhints == 0 && c->nopen == 0)
            break;
        if (c->now - start >= max)
            break;
        /* Once every group agrees, a new exchange could only confirm it: start none, and
         * let what is in flight land (with a gossip interval of 2 or less, exchanges that
         * confirm agreement would otherwise always have a message in flight). */
        c->hold_gossip = agree;
        cluster_tick(c, NULL);
    }
    c->hold_gossip = false;
    *ticks = c->now - start;
    hist_event *e = ev(c, EV_SETTLE, 0, 0);
    if (e) {
        e->n[0] = (int64_t)*ticks;
        e->n[1] = ok;
    }
    return ok;
}

int cluster_stored(cluster *c, uint32_t r, const char *key, char *buf, size_t n)
{
    replica *rp = cluster_replica(c, r);
    return rep_format(rp ? rep_find(rp, key) : NULL, buf, n);
}
