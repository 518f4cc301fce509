/*
 * test_base_property.c: random workloads on the replica set, judged by a deliberately
 * simple reference model written here from the definitions, against the replicas' final
 * state and the BASE checker's findings.
 *
 * The workload: 3 to 7 replicas; lww, siblings or crdt; wall or hybrid logical clocks,
 * skewed clocks, a gossip interval of 1 to 6, read repair and hinted handoff on or off, a
 * tombstone grace that is short, long or forever; named clients (and anonymous ones) send
 * PUT, GET, DEL, ADD, REMOVE and INCR with random W and R to random coordinators, while
 * links are cut (both ways or one), the network is partitioned and healed, links get
 * delays and losses, replicas go down and up, and time passes; then everything heals and
 * the cluster settles.
 *
 * The reference reads the run's history (the facts: a request invoked and answered, a
 * version stored, discarded or purged at a replica) and keeps, in plain sets:
 *   - the causal history of every version: a write saw what its coordinator held when it
 *     was invoked and what those had seen, and under siblings and crdt what the tombstones
 *     its coordinator had purged had seen (replica.h); a merged CRDT state saw the writes
 *     its version vector names (a version vector stands for the writes, per replica, up to
 *     its counter; that is exact when each replica's writes to a key form a chain, which
 *     the reference checks for every write under siblings and crdt, the dotted version
 *     vectors paper's premise);
 *   - what every replica holds now.
 * From those, the definitions of assets/doc/scenarios.md, in the most direct way: a GET is
 * a stale read when some write acknowledged before it was invoked is kept (some replica
 * holds a version that saw it) and its result does not reflect it (no row saw it; under
 * lww no row beats it; an empty result reflects purged tombstones and what they saw); read
 * your writes and monotonic reads the same for the client's own write and the versions its
 * previous read returned; a lost write is an acknowledged write held nowhere that no other
 * version ever saw (a purged DEL: only if a value it saw, or under lww one it beats, is held
 * again); siblings are stretches where some replica keeps two versions. And properties of
 * the engine itself:
 *   - after healing and settling every replica holds the same thing;
 *   - a strict-quorum read (W + R > N) reflects the latest write acknowledged before it;
 *   - without purges, each key ends as the definitions say: under siblings the writes no
 *     other write saw (nothing acknowledged is lost, nothing deleted comes back); under lww
 *     the greatest timestamp;
 *   - under crdt a set ends with exactly the elements some ADD put in that no REMOVE saw
 *     (add-wins observed-remove set, Shapiro et al. 2011), a counter with exactly the sum
 *     of its increments;
 *   - a refusal is answered "refused: ...", never "unavailable";
 *   - every SIBLINGS event tells the number of versions the replica holds.
 * Then the checker (basecheck_run) must report exactly the reference's findings: each GET's
 * stale read, read-your-writes and monotonic-read verdicts, the set of lost writes, the
 * sibling stretches and when they were resolved. And the same seed gives the same history,
 * byte for byte.
 *
 * `make test` runs RUNS_TEST workloads; `make soak` passes --soak for RUNS_SOAK. The counts
 * are printed.
 */
#include "t.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cluster.h"
#include "base/view.h"
#include "history/basecheck.h"

#define RUNS_TEST 3000
#define RUNS_SOAK 60000
#define OPS_MAX 80            /* client statements per run */
#define WMAX 128              /* writes per run: the bits of a causal history */
#define NKEYS 4
#define NREP 8                /* replicas 1..7 */
#define HELD_MAX 16
#define VMAX 2048             /* versions per run */

static const char *const KEYS[NKEYS] = { "reg", "set", "ctr", "mix" };
static const char *const CLIENTS[4] = { "", "c1", "c2", "c3" };

enum { K_VALUE = 1, K_TOMB, K_SET, K_COUNTER };

/* --- causal histories: sets of writes ---------------------------------------------------- */

typedef struct hset { uint64_t b[WMAX / 64]; } hset;

static void hs_add(hset *s, int i) { s->b[i / 64] |= 1ULL << (i % 64); }
static bool hs_has(const hset *s, int i) { return i >= 0 && (s->b[i / 64] >> (i % 64) & 1); }
static void hs_or(hset *d, const hset *s)
{
    for (int i = 0; i < WMAX / 64; i++)
        d->b[i] |= s->b[i];
}
static bool hs_sub(const hset *a, const hset *b)     /* a within b */
{
    for (int i = 0; i < WMAX / 64; i++)
        if (a->b[i] & ~b->b[i])
            return false;
    return true;
}

/* --- what the generator did ---------------------------------------------------------------- */

typedef struct greq {         /* a client statement, by request id */
    base_op op;
    int key, client;
    uint32_t coord;
    int64_t delta;
    char value[16];
} greq;

typedef struct run {
    uint64_t seed;
    base_cfg cfg;
    greq req[OPS_MAX + 8];
    int nreq;
    bool settled, converged;
    char final_text[NKEYS][256];              /* what n1 holds at the end */
    uint64_t final_dots[NKEYS][HELD_MAX];     /* and its versions' dots */
    int nfinal[NKEYS];
} run;

static base_q random_q(prng *p, uint32_t n, uint32_t *qn)
{
    switch (prng_below(p, 4)) {
    case 0: return BQ_ONE;
    case 1: return BQ_QUORUM;
    case 2: return BQ_ALL;
    default: *qn = 1 + (uint32_t)prng_below(p, n); return BQ_NUM;
    }
}

static void random_net(prng *p, cluster *c, uint32_t n)
{
    uint32_t a = 1 + (uint32_t)prng_below(p, n), b = 1 + (uint32_t)prng_below(p, n - 1);
    if (b >= a)
        b++;
    switch (prng_below(p, 9)) {
    case 0: cluster_cut(c, a, b, prng_chance(p, 30)); break;
    case 1: {
        uint32_t group[NREP] = { 0 }, groups = 2 + (uint32_t)prng_below(p, 2);
        for (uint32_t r = 1; r <= n; r++)
            group[r] = 1 + (uint32_t)prng_below(p, groups);
        cluster_partition(c, group);
        break;
    }
    case 2: cluster_heal(c, 0, 0); break;
    case 3: cluster_heal(c, a, b); break;
    case 4: prng_chance(p, 50) ? cluster_delay(c, a, b, 1 + (uint32_t)prng_below(p, 4))
                               : cluster_delay(c, 0, 0, 1 + (uint32_t)prng_below(p, 3)); break;
    case 5: prng_chance(p, 50) ? cluster_loss(c, a, b, 10 + (uint32_t)prng_below(p, 40))
                               : cluster_loss(c, 0, 0, (uint32_t)prng_below(p, 30)); break;
    case 6: cluster_down(c, a); break;
    default: cluster_up(c, a); break;
    }
}

/* One workload into h; what it did into *w. */
static void workload(uint64_t seed, hist *h, run *w)
{
    memset(w, 0, sizeof *w);
    w->seed = seed;
    prng p;
    prng_seed(&p, seed * 0x9e3779b97f4a7c15ULL + 17);
    base_cfg *cfg = &w->cfg;
    base_cfg_default(cfg);
    cfg->n = 3 + (uint32_t)prng_below(&p, 5);
    cfg->resolve = (base_resolve)(1 + seed % 3);
    cfg->seed = seed;
    cfg->hlc = prng_chance(&p, 25);
    cfg->gossip = prng_chance(&p, 80);
    cfg->interval = 1 + (uint32_t)prng_below(&p, 6);
    cfg->read_repair = prng_chance(&p, 70);
    cfg->hinted_handoff = prng_chance(&p, 70);
    cfg->timeout = 3 + (uint32_t)prng_below(&p, 8);
    uint64_t g = prng_below(&p, 10);
    cfg->grace = g < 3 ? 0 : g < 5 ? 100000 : 3 + (uint32_t)prng_below(&p, 30);
    cluster *c = cluster_new(cfg, h);
    for (uint32_t r = 1; r <= cfg->n; r++)
        if (prng_chance(&p, 30))
            cluster_set_skew(c, r, (int64_t)prng_below(&p, 11) - 5);
    int steps = 30 + (int)prng_below(&p, OPS_MAX - 30);
    for (int s = 0; s < steps; s++) {
        greq q = { 0 };
        q.coord = 1 + (uint32_t)prng_below(&p, cfg->n);
        q.client = (int)prng_below(&p, 4);
        q.key = (int)prng_below(&p, NKEYS);
        uint64_t dice = prng_below(&p, 100);
        /* Under crdt the set gets ADD/REMOVE, the counter INCR, the register PUT/DEL, the
         * last key everything; otherwise every key gets everything (read-modify-writes). */
        int kind = cfg->resolve != RES_CRDT || q.key == 3 ? (int)prng_below(&p, 3) : q.key;
        if (dice < 30)
            q.op = BREQ_GET;
        else if (kind == 0)
            q.op = dice < 80 ? BREQ_PUT : BREQ_DEL;
        else if (kind == 1)
            q.op = dice < 75 ? BREQ_ADD : BREQ_REMOVE;
        else
            q.op = BREQ_INCR;
        snprintf(q.value, sizeof q.value, q.op == BREQ_PUT ? "v%d" : "e%d",
                 q.op == BREQ_PUT ? s : (int)prng_below(&p, 4));
        q.delta = (int64_t)prng_below(&p, 7) - 2;
        base_req r;
        memset(&r, 0, sizeof r);
        r.op = q.op;
        snprintf(r.key, sizeof r.key, "%s", KEYS[q.key]);
        snprintf(r.value, sizeof r.value, "%s", q.value);
        r.delta = q.delta;
        r.q = random_q(&p, cfg->n, &r.qn);
        snprintf(r.client, sizeof r.client, "%s", CLIENTS[q.client]);
        snprintf(r.text, sizeof r.text, "op");
        uint64_t id = cluster_submit(c, q.coord, &r);
        if (id >= 1 && id < (uint64_t)(sizeof w->req / sizeof w->req[0])) {
            w->req[id] = q;
            if ((int)id >= w->nreq)
                w->nreq = (int)id + 1;
        }
        base_answer a;
        while (!cluster_answer(c, id, &a))
            cluster_tick(c, NULL);
        if (prng_chance(&p, 30))
            random_net(&p, c, cfg->n);
        for (int t = (int)prng_below(&p, 5); t > 0; t--)
            cluster_tick(c, NULL);
    }
    cluster_heal(c, 0, 0);
    cluster_delay(c, 0, 0, 1);
    cluster_loss(c, 0, 0, 0);
    for (uint32_t r = 1; r <= cfg->n; r++)
        cluster_up(c, r);
    cluster_set_gossip(c, true);
    uint64_t ticks;
    w->settled = cluster_settle(c, 20000, &ticks);
    w->converged = cview_converged(c);
    for (int k = 0; k < NKEYS; k++) {
        cview_key_text(c, 1, KEYS[k], w->final_text[k], sizeof w->final_text[k]);
        cview_version v[HELD_MAX];
        uint32_t nv = cview_versions(c, 1, KEYS[k], v, HELD_MAX);
        w->nfinal[k] = (int)(nv < HELD_MAX ? nv : HELD_MAX);
        for (int i = 0; i < w->nfinal[k]; i++)
            w->final_dots[k][i] = dot_pack(v[i].d);
    }
    cluster_free(c);
}

/* --- the reference --------------------------------------------------------------------------- */

typedef struct wrec {         /* a write */
    uint64_t dot;             /* its own dot (a version's, or a CRDT operation's); 0: it made none */
    int key, client, req;
    uint32_t coord;
    int needed;               /* W */
    bool acked, version;      /* version: stored as itself (a value or a tombstone) */
    bool refuse;              /* the reference says its coordinator must refuse it */
    uint64_t inv, ack;        /* seqs */
    int v;                    /* its version, or the state it made; -1 */
    hset h;                   /* its causal history (with itself) */
} wrec;

typedef struct vrec {         /* a version some replica stored */
    uint64_t dot;
    int key;
    uint8_t kind;
    int64_t ts;
    int write;                /* the write it is, -1 (a state) */
    bool purged;
    hset h;                   /* its causal history */
} vrec;

typedef struct gget {         /* a GET's verdicts */
    uint64_t seq;
    bool stale, ryw, mr;
} gget;

typedef struct ref {
    const run *w;
    const hist *h;
    bool lww;
    wrec wr[WMAX];
    int nw;
    vrec *v;
    int nv, capv;
    int held[NREP][NKEYS][HELD_MAX];
    int nheld[NREP][NKEYS];
    hset ghost[NREP][NKEYS];  /* what the tombstones a replica purged had seen (not lww) */
    hset seen;                /* writes a version other than their own saw */
    hset purged_h[NKEYS];     /* what purged tombstones saw */
    bool any_purge[NKEYS];
    int last_write[4][NKEYS]; /* per client: the latest acknowledged write, -1 */
    int pend[NREP];           /* the write its coordinator is making now, -1 */
    int get_own[OPS_MAX + 8]; /* per GET request: the client's own write at invocation */
    uint64_t get_inv[OPS_MAX + 8];
    int get_needed[OPS_MAX + 8];
    int64_t prev_get[4][NKEYS];   /* the client's previous ok GET of the key: event index */
    gget gets[OPS_MAX + 8];
    int ngets;
    /* sibling stretches, from SIBLINGS events */
    int sib_count[NREP][NKEYS];
    int sib_nodes[NKEYS];
    int sib_open[NKEYS];
    uint64_t sib_start[256], sib_end[256];
    int nsib;
    /* the engine's own properties */
    int chain_breaks, context_mismatch, sibling_event_wrong, quorum_misses, refusal_wrong,
        unknown, overflow;
    int refusals, purges;
} ref;

static int key_index(const hist_event *e)
{
    char k[32];
    scalar_format(&e->key, false, k, sizeof k);
    for (int i = 0; i < NKEYS; i++)
        if (strcmp(k, KEYS[i]) == 0)
            return i;
    return -1;
}

static int client_index(const char *actor)
{
    for (int i = 1; i < 4; i++)
        if (actor && strcmp(actor, CLIENTS[i]) == 0)
            return i;
    return 0;
}

static uint32_t dr(uint64_t p) { return (uint32_t)(p >> 48); }
static uint64_t dn(uint64_t p) { return p & 0xffffffffffffULL; }

static int version_of(const ref *r, int key, uint64_t dt)
{
    for (int i = r->nv - 1; i >= 0; i--)
        if (r->v[i].dot == dt && r->v[i].key == key)
            return i;
    return -1;
}

/* The writes of key a version vector stands for: each replica's writes to the key up to
 * the vector's counter for it. */
static hset expand(const ref *r, int key, const uint64_t *ctx, int n)
{
    hset s = { { 0 } };
    for (int i = 0; i < r->nw; i++) {
        if (r->wr[i].key != key || !r->wr[i].dot)
            continue;
        for (int j = 0; j < n; j++)
            if (dr(ctx[j]) == dr(r->wr[i].dot) && dn(ctx[j]) >= dn(r->wr[i].dot))
                hs_add(&s, i);
    }
    return s;
}

static bool hs_eq(const hset *a, const hset *b) { return hs_sub(a, b) && hs_sub(b, a); }

/* LWW order (scenarios.md): the greater timestamp; on equal ones a tombstone; then the
 * higher replica number; then the higher counter. */
static bool lww_beats(int64_t ats, int akind, uint64_t adot, int64_t bts, int bkind, uint64_t bdot)
{
    if (ats != bts)
        return ats > bts;
    if ((akind == K_TOMB) != (bkind == K_TOMB))
        return akind == K_TOMB;
    if (dr(adot) != dr(bdot))
        return dr(adot) > dr(bdot);
    return dn(adot) > dn(bdot);
}

/* Is x kept: does some replica hold a version whose history holds x's history xh? */
static bool kept(const ref *r, int key, const hset *xh)
{
    for (int n = 1; n < NREP; n++)
        for (int i = 0; i < r->nheld[n][key]; i++)
            if (hs_sub(xh, &r->v[r->held[n][key][i]].h))
                return true;
    return false;
}

typedef struct result {
    hset h;                   /* the union of its rows' histories */
    bool absent;              /* it holds no value */
    const hist_event *e;
    int key;
} result;

/* Does the result reflect x (history xh; a version's timestamp, kind and dot for LWW,
 * xkind 0 when x is not a version)? */
static bool reflects(const ref *r, const result *res, const hset *xh, bool purged, int64_t xts, int xkind,
                     uint64_t xdot)
{
    if (hs_sub(xh, &res->h))
        return true;
    if (r->lww && xkind)
        for (int i = 0; i < res->e->nrows; i++)
            if (lww_beats(res->e->rows[i].value, res->e->rows[i].matched, res->e->rows[i].version, xts, xkind, xdot))
                return true;
    return res->absent && (purged || hs_sub(xh, &r->purged_h[res->key]));
}

/* The history a result must hold to reflect write wi: the write itself (and, being
 * downward closed, a history holding it holds what it saw). */
static hset only(int wi)
{
    hset s = { { 0 } };
    hs_add(&s, wi);
    return s;
}

static bool write_reflected(const ref *r, const result *res, int wi)
{
    const wrec *w = &r->wr[wi];
    const vrec *v = w->version ? &r->v[w->v] : NULL;
    hset h = only(wi);
    return reflects(r, res, &h, v && v->purged, v ? v->ts : 0, v ? v->kind : 0, w->dot);
}

static void judge_get(ref *r, const hist_event *e, int key, int req, int client)
{
    result res = { .absent = true, .e = e, .key = key };
    for (int i = 0; i < e->nrows; i++) {
        int vi = version_of(r, key, e->rows[i].version);
        if (vi < 0) {
            r->unknown++;
            continue;
        }
        hs_or(&res.h, &r->v[vi].h);
        if (r->v[vi].kind != K_TOMB)
            res.absent = false;
    }
    gget g = { .seq = e->seq };
    uint64_t inv = r->get_inv[req];
    int latest = -1;
    for (int wi = 0; wi < r->nw; wi++) {
        const wrec *w = &r->wr[wi];
        if (w->key != key || !w->acked || w->ack >= inv)
            continue;
        if (latest < 0 || w->ack > r->wr[latest].ack)
            latest = wi;
        hset h = only(wi);
        if (kept(r, key, &h) && !write_reflected(r, &res, wi))
            g.stale = true;
    }
    int own = r->get_own[req];
    if (client && own >= 0) {
        hset h = only(own);
        if (kept(r, key, &h) && !write_reflected(r, &res, own))
            g.ryw = true;
    }
    if (client && r->prev_get[client][key] >= 0) {
        const hist_event *p = hist_get(r->h, (size_t)r->prev_get[client][key]);
        for (int i = 0; i < p->nrows; i++) {
            int vi = version_of(r, key, p->rows[i].version);
            if (vi < 0)
                continue;
            const vrec *x = &r->v[vi];
            if (kept(r, key, &x->h) && !reflects(r, &res, &x->h, x->purged, x->ts, x->kind, x->dot))
                g.mr = true;
        }
    }
    /* Dynamo's quorum: W + R > N, so the replicas that acknowledged the latest write and
     * those that answered the read share one, and the read reflects it (a purge may take a
     * tombstone away first: Cassandra's caveat). */
    if (latest >= 0 && r->wr[latest].needed + r->get_needed[req] > (int)r->w->cfg.n && !r->any_purge[key] &&
        !write_reflected(r, &res, latest))
        r->quorum_misses++;
    if (r->ngets < (int)(sizeof r->gets / sizeof r->gets[0]))
        r->gets[r->ngets++] = g;
}

static void held_add(ref *r, int node, int key, int vi)
{
    for (int i = 0; i < r->nheld[node][key]; i++)
        if (r->held[node][key][i] == vi)
            return;
    if (r->nheld[node][key] == HELD_MAX) {
        r->overflow++;
        return;
    }
    r->held[node][key][r->nheld[node][key]++] = vi;
}

static void held_remove(ref *r, int node, int key, int vi)
{
    for (int i = 0; i < r->nheld[node][key]; i++)
        if (r->held[node][key][i] == vi) {
            r->held[node][key][i] = r->held[node][key][--r->nheld[node][key]];
            return;
        }
}

static bool is_state_kind(int kind) { return kind == K_SET || kind == K_COUNTER; }

static void ref_store(ref *r, const hist_event *e, int key)
{
    uint64_t dt = (uint64_t)e->n[0];
    int node = e->node, vi = version_of(r, key, dt);
    if (vi < 0) {
        if (r->nv == r->capv) {
            r->capv = r->capv ? r->capv * 2 : 256;
            r->v = realloc(r->v, (size_t)r->capv * sizeof *r->v);
        }
        vi = r->nv++;
        vrec *v = &r->v[vi];
        memset(v, 0, sizeof *v);
        v->dot = dt;
        v->key = key;
        v->kind = (uint8_t)e->n[2];
        v->ts = e->n[1];
        v->write = -1;
        const uint64_t *ctx = hist_txns(e);
        int nctx = hist_ntxns(e);
        int wi = r->pend[node];
        if (wi >= 0 && r->wr[wi].key == key) {
            /* The write its coordinator is making: what it held, and itself. */
            wrec *w = &r->wr[wi];
            r->pend[node] = -1;
            if (is_state_kind(v->kind)) {
                uint64_t own = 0;
                for (int j = 0; j < nctx; j++)
                    if (dr(ctx[j]) == (uint32_t)node)
                        own = ctx[j];
                w->dot = own;       /* the operation's dot: the newest of its coordinator's */
            } else {
                w->dot = dt;
                w->version = true;
                v->write = wi;
            }
            w->v = vi;
            v->h = w->h;
            /* Under siblings and crdt a replica's writes to a key form a chain, and a
             * version vector then stands for exactly the writes it saw. */
            if (!r->lww) {
                for (int j = 0; j < wi; j++)
                    if (r->wr[j].key == key && r->wr[j].coord == (uint32_t)node && r->wr[j].dot && !hs_has(&w->h, j))
                        r->chain_breaks++;
                hset x = expand(r, key, ctx, nctx);
                if (w->version)
                    hs_add(&x, wi);
                if (!hs_eq(&x, &w->h))
                    r->context_mismatch++;
            }
        } else if (is_state_kind(v->kind)) {
            v->h = expand(r, key, ctx, nctx);       /* a state merged at this replica */
        } else {
            r->unknown++;                          /* a value is first stored by its coordinator */
        }
        hset others = v->h;
        if (v->write >= 0)
            others.b[v->write / 64] &= ~(1ULL << (v->write % 64));
        hs_or(&r->seen, &others);
    }
    held_add(r, node, key, vi);
}

static void ref_event(ref *r, const hist_event *e, size_t index)
{
    if (e->side != SIDE_BASE)
        return;
    int key = key_index(e), node = e->node;
    if (key < 0 && e->kind != EV_MSG_SEND && e->kind != EV_MSG_DELIVER && e->kind != EV_MSG_DROP &&
        e->kind != EV_NET_CHANGE && e->kind != EV_NODE_DOWN && e->kind != EV_NODE_UP && e->kind != EV_GOSSIP &&
        e->kind != EV_SETTLE)
        r->unknown++;
    if (key < 0 || node >= NREP)
        return;
    int req = (int)e->n[2], client = client_index(hist_actor(e));
    switch (e->kind) {
    case EV_REQ_INVOKE: {
        if (req < 0 || req >= r->w->nreq) {
            r->unknown++;
            return;
        }
        if (e->n[0] == BREQ_GET) {
            r->get_own[req] = client ? r->last_write[client][key] : -1;
            r->get_inv[req] = e->seq;
            r->get_needed[req] = (int)e->n[1];
            return;
        }
        if (r->nw == WMAX) {
            r->overflow++;
            return;
        }
        int wi = r->nw++;
        wrec *w = &r->wr[wi];
        memset(w, 0, sizeof *w);
        w->key = key;
        w->client = client;
        w->req = req;
        w->coord = (uint32_t)node;
        w->needed = (int)e->n[1];
        w->inv = e->seq;
        w->v = -1;
        /* Its causal history: what its coordinator holds, what that saw, (not lww) what the
         * tombstones it purged saw, and itself. */
        bool crdt_op = r->w->cfg.resolve == RES_CRDT && (e->n[0] == BREQ_ADD || e->n[0] == BREQ_REMOVE || e->n[0] == BREQ_INCR);
        int want = e->n[0] == BREQ_INCR ? K_COUNTER : K_SET;
        for (int i = 0; i < r->nheld[node][key]; i++) {
            const vrec *v = &r->v[r->held[node][key][i]];
            hs_or(&w->h, &v->h);
            if (crdt_op && v->kind != K_TOMB && v->kind != want)
                w->refuse = true;   /* a value, or a state of the other kind, is held */
        }
        if (!r->lww)
            hs_or(&w->h, &r->ghost[node][key]);
        hs_add(&w->h, wi);
        r->pend[node] = wi;
        return;
    }
    case EV_VERSION_STORE:
        ref_store(r, e, key);
        return;
    case EV_VERSION_DISCARD: {
        int vi = version_of(r, key, (uint64_t)e->n[0]);
        if (vi >= 0)
            held_remove(r, node, key, vi);
        return;
    }
    case EV_PURGE: {
        int vi = version_of(r, key, (uint64_t)e->n[0]);
        if (vi < 0) {
            r->unknown++;
            return;
        }
        held_remove(r, node, key, vi);
        r->purges++;
        r->v[vi].purged = true;
        r->any_purge[key] = true;
        hs_or(&r->purged_h[key], &r->v[vi].h);
        if (!r->lww)
            hs_or(&r->ghost[node][key], &r->v[vi].h);
        return;
    }
    case EV_SIBLINGS: {
        int now = (int)e->n[0];
        if (now != r->nheld[node][key])
            r->sibling_event_wrong++;
        int was = r->sib_count[node][key];
        r->sib_count[node][key] = now;
        if ((was >= 2) == (now >= 2) || r->nsib == 256)
            return;
        if (now >= 2 && r->sib_nodes[key]++ == 0) {
            r->sib_open[key] = r->nsib;
            r->sib_start[r->nsib] = e->seq;
            r->sib_end[r->nsib++] = 0;
        } else if (now < 2 && --r->sib_nodes[key] == 0) {
            r->sib_end[r->sib_open[key]] = e->seq;
        }
        return;
    }
    case EV_REQ_ANSWER: {
        if (req < 0 || req >= r->w->nreq) {
            r->unknown++;
            return;
        }
        if (r->w->req[req].op == BREQ_GET) {
            if (e->n[0] == 1) {
                judge_get(r, e, key, req, client);
                if (client)
                    r->prev_get[client][key] = (int64_t)index;
            }
            return;
        }
        int wi = -1;
        for (int i = r->nw - 1; i >= 0 && wi < 0; i--)
            if (r->wr[i].req == req)
                wi = i;
        if (wi < 0) {
            r->overflow++;
            return;
        }
        wrec *w = &r->wr[wi];
        if (r->pend[w->coord] == wi)
            r->pend[w->coord] = -1;
        bool down = e->text && strstr(e->text, "is down");
        bool refused = e->text && strncmp(e->text, "refused:", 8) == 0;
        r->refusals += refused;
        if (!down && (refused != w->refuse || (refused && (e->n[0] != 0 || e->n[3] != 0))))
            r->refusal_wrong++;
        if (!e->n[3]) {
            w->dot = 0;                 /* it made nothing */
            return;
        }
        if ((uint64_t)e->n[3] != w->dot)
            r->unknown++;
        w->acked = e->n[0] == 1;
        w->ack = e->seq;
        if (w->acked && client)
            r->last_write[client][key] = wi;
        return;
    }
    default:
        return;
    }
}

static void ref_init(ref *r, const run *w, const hist *h)
{
    memset(r, 0, sizeof *r);
    r->w = w;
    r->h = h;
    r->lww = w->cfg.resolve == RES_LWW;
    for (int i = 0; i < NREP; i++)
        r->pend[i] = -1;
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < NKEYS; k++) {
            r->last_write[c][k] = -1;
            r->prev_get[c][k] = -1;
        }
}

/* Is write wi lost at the end (scenarios.md)? */
static bool ref_lost(const ref *r, int wi)
{
    const wrec *w = &r->wr[wi];
    if (!w->acked || !w->version || !w->dot || hs_has(&r->seen, wi))
        return false;
    for (int n = 1; n < NREP; n++)
        for (int i = 0; i < r->nheld[n][w->key]; i++)
            if (r->held[n][w->key][i] == w->v)
                return false;
    const vrec *t = &r->v[w->v];
    if (!t->purged)
        return true;
    /* A purged DEL: lost when a value it saw, or (lww) one it beats, is held again. */
    for (int n = 1; n < NREP; n++)
        for (int i = 0; i < r->nheld[n][w->key]; i++) {
            const vrec *x = &r->v[r->held[n][w->key][i]];
            if (x->kind == K_TOMB)
                continue;
            if (hs_sub(&x->h, &t->h) || (r->lww && lww_beats(t->ts, t->kind, t->dot, x->ts, x->kind, x->dot)))
                return true;
        }
    return false;
}

/* --- comparing --------------------------------------------------------------------------- */

typedef struct tally {
    long runs, per_policy[4], events, gets, writes, acked, refusals, purges, hlc;
    long found[5];            /* stale, ryw, mr, lost, sibling: by the reference */
    long disagree;            /* reference vs checker */
    long engine;              /* engine properties that failed */
    long final_checked;       /* keys whose final content was predicted */
} tally;

static int find_get(const base_findings *f, uint64_t seq, const char *name)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += f->v[i].seq == seq && strcmp(f->v[i].name, name) == 0;
    return n;
}

static void report(long *counter, const run *w, const char *what)
{
    if ((*counter)++ < 5)
        fprintf(stderr, "base property: seed %" PRIu64 " (%s, %u replicas%s): %s\n", w->seed,
                w->cfg.resolve == RES_LWW ? "lww" : w->cfg.resolve == RES_SIBLINGS ? "siblings" : "crdt",
                w->cfg.n, w->cfg.hlc ? ", hlc" : "", what);
}

static int cmp_str(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* The final state the definitions predict, where they predict it, against n1's. */
static void check_final(const ref *r, const run *w, tally *t)
{
    char msg[320];
    for (int k = 0; k < NKEYS; k++) {
        bool crdt = w->cfg.resolve == RES_CRDT;
        if (crdt && (k == 1 || k == 2)) {
            /* The add-wins set: an element some ADD put in that no REMOVE saw. The counter:
             * the sum of its increments. */
            char elems[8][16];
            int ne = 0, ops = 0;
            int64_t sum = 0;
            for (int i = 0; i < r->nw; i++) {
                const wrec *x = &r->wr[i];
                const greq *q = &w->req[x->req];
                if (x->key != k || !x->dot)
                    continue;
                ops++;
                sum += q->delta;
                if (q->op != BREQ_ADD)
                    continue;
                bool removed = false;
                for (int j = 0; j < r->nw && !removed; j++)
                    removed = r->wr[j].key == k && r->wr[j].dot && w->req[r->wr[j].req].op == BREQ_REMOVE &&
                              strcmp(w->req[r->wr[j].req].value, q->value) == 0 && hs_has(&r->wr[j].h, i);
                bool dup = false;
                for (int j = 0; j < ne; j++)
                    dup |= strcmp(elems[j], q->value) == 0;
                if (!removed && !dup && ne < 8)
                    snprintf(elems[ne++], sizeof elems[0], "%s", q->value);
            }
            char want[200] = "absent";
            if (ops && k == 2)
                snprintf(want, sizeof want, "%" PRId64, sum);
            if (ops && k == 1) {
                qsort(elems, (size_t)ne, sizeof elems[0], cmp_str);
                size_t o = (size_t)snprintf(want, sizeof want, "{");
                for (int j = 0; j < ne; j++)
                    o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", j ? "," : "", elems[j]);
                snprintf(want + o, sizeof want - o, "}");
            }
            t->final_checked++;
            if (strcmp(want, w->final_text[k]) != 0) {
                snprintf(msg, sizeof msg, "%s ends %s, the definitions say %s", KEYS[k], w->final_text[k], want);
                report(&t->engine, w, msg);
            }
            continue;
        }
        if ((crdt && k == 3) || r->any_purge[k])
            continue;   /* mixed kinds, or purges (after which deleted values may return) */
        /* Without purges: siblings (and a crdt register) keep the writes no other write saw;
         * lww the greatest timestamp. */
        uint64_t want[WMAX];
        int nwant = 0, best = -1;
        for (int i = 0; i < r->nw; i++) {
            const wrec *x = &r->wr[i];
            if (x->key != k || !x->version || !x->dot)
                continue;
            const vrec *v = &r->v[x->v];
            if (w->cfg.resolve == RES_LWW) {
                if (best < 0 || lww_beats(v->ts, v->kind, v->dot, r->v[r->wr[best].v].ts, r->v[r->wr[best].v].kind,
                                          r->wr[best].dot))
                    best = i;
                continue;
            }
            bool seen = false;
            for (int j = 0; j < r->nw && !seen; j++)
                seen = j != i && r->wr[j].key == k && r->wr[j].dot && hs_has(&r->wr[j].h, i);
            if (!seen)
                want[nwant++] = x->dot;
        }
        if (best >= 0)
            want[nwant++] = r->wr[best].dot;
        bool same = nwant == w->nfinal[k];
        for (int i = 0; i < nwant && same; i++) {
            bool in = false;
            for (int j = 0; j < w->nfinal[k]; j++)
                in |= w->final_dots[k][j] == want[i];
            same = in;
        }
        t->final_checked++;
        if (!same) {
            snprintf(msg, sizeof msg, "%s ends %s (%d versions), the definitions say %d versions", KEYS[k],
                     w->final_text[k], w->nfinal[k], nwant);
            report(&t->engine, w, msg);
        }
    }
}

static void check_run(uint64_t seed, tally *t)
{
    hist *h = hist_new();
    run *w = calloc(1, sizeof *w);
    ref *r = calloc(1, sizeof *r);
    workload(seed, h, w);
    ref_init(r, w, h);
    size_t n = hist_count(h);
    for (size_t i = 0; i < n; i++)
        ref_event(r, hist_get(h, i), i);
    t->runs++;
    t->per_policy[w->cfg.resolve]++;
    t->hlc += w->cfg.hlc;
    t->events += (long)n;
    t->gets += r->ngets;
    t->refusals += r->refusals;
    t->purges += r->purges;
    char msg[200];

    /* The engine's own properties. */
    if (!w->settled || !w->converged)
        report(&t->engine, w, w->settled ? "settled but the replicas differ" : "did not settle");
    struct { int n; const char *what; } props[] = {
        { r->chain_breaks, "a replica's write did not see its earlier write to the key" },
        { r->context_mismatch, "a write's context does not stand for the writes it saw" },
        { r->sibling_event_wrong, "a SIBLINGS event miscounts the versions held" },
        { r->quorum_misses, "a strict-quorum read missed the latest acknowledged write" },
        { r->refusal_wrong, "a refusal was answered otherwise, or an operation refused wrongly" },
        { r->unknown, "an event the reference cannot place" },
        { r->overflow, "the run outgrew the reference's tables" },
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (props[i].n) {
            snprintf(msg, sizeof msg, "%s (%d times)", props[i].what, props[i].n);
            report(&t->engine, w, msg);
        }
    check_final(r, w, t);

    /* The checker against the reference. */
    base_findings f;
    if (basecheck_run(h, &f)) {
        report(&t->disagree, w, "the checker ran out of memory");
        goto out;
    }
    for (int i = 0; i < r->ngets; i++) {
        const gget *g = &r->gets[i];
        t->found[0] += g->stale;
        t->found[1] += g->ryw;
        t->found[2] += g->mr;
        if (find_get(&f, g->seq, "stale-read") != g->stale || find_get(&f, g->seq, "read-your-writes") != g->ryw ||
            find_get(&f, g->seq, "monotonic-read") != g->mr) {
            snprintf(msg, sizeof msg, "GET at event %" PRIu64 ": the reference says stale %d, ryw %d, mr %d; the "
                     "checker %d, %d, %d", g->seq, g->stale, g->ryw, g->mr, find_get(&f, g->seq, "stale-read"),
                     find_get(&f, g->seq, "read-your-writes"), find_get(&f, g->seq, "monotonic-read"));
            report(&t->disagree, w, msg);
        }
    }
    int nlost = 0, nsib = 0, checker_lost = basecheck_count(&f, "lost-write");
    for (int wi = 0; wi < r->nw; wi++) {
        t->writes += r->wr[wi].dot != 0;
        t->acked += r->wr[wi].acked;
        if (!ref_lost(r, wi))
            continue;
        nlost++;
        bool found = false;
        for (int i = 0; i < f.n && !found; i++)
            found = strcmp(f.v[i].name, "lost-write") == 0 && f.v[i].dot == r->wr[wi].dot;
        if (!found) {
            snprintf(msg, sizeof msg, "the reference finds n%u:%" PRIu64 " lost, the checker does not",
                     dr(r->wr[wi].dot), dn(r->wr[wi].dot));
            report(&t->disagree, w, msg);
        }
        if (w->cfg.resolve == RES_SIBLINGS && !(r->v[r->wr[wi].v].kind == K_TOMB && r->v[r->wr[wi].v].purged))
            report(&t->engine, w, "siblings lost an acknowledged write");
    }
    if (checker_lost != nlost) {
        snprintf(msg, sizeof msg, "the checker finds %d lost writes, the reference %d", checker_lost, nlost);
        report(&t->disagree, w, msg);
    }
    t->found[3] += nlost;
    for (int i = 0; i < f.n; i++) {
        if (strcmp(f.v[i].name, "sibling") != 0)
            continue;
        if (nsib >= r->nsib || f.v[i].seq != r->sib_start[nsib] || f.v[i].resolved_seq != r->sib_end[nsib]) {
            snprintf(msg, sizeof msg, "sibling finding %d (seq %" PRIu64 ", resolved %" PRIu64 ") is not the "
                     "reference's", nsib, f.v[i].seq, f.v[i].resolved_seq);
            report(&t->disagree, w, msg);
        }
        nsib++;
    }
    if (nsib != r->nsib) {
        snprintf(msg, sizeof msg, "%d sibling findings, the reference %d", nsib, r->nsib);
        report(&t->disagree, w, msg);
    }
    t->found[4] += r->nsib;
    basecheck_free(&f);
out:
    free(r->v);
    free(r);
    free(w);
    hist_free(h);
}

/* --- determinism ----------------------------------------------------------------------------- */

typedef struct bytes { unsigned char *p; size_t n, cap; } bytes;

static void put_bytes(bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_str(bytes *b, const char *s)
{
    put_bytes(b, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* Every field of every event, in order. */
static bytes serialize(const hist *h)
{
    bytes b = { 0 };
    for (size_t i = 0; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        char key[64];
        scalar_format(&e->key, true, key, sizeof key);
        put_bytes(&b, &e->seq, sizeof e->seq);
        put_bytes(&b, &e->tick, sizeof e->tick);
        put_bytes(&b, &e->side, 1);
        put_bytes(&b, &e->kind, 1);
        put_bytes(&b, &e->node, sizeof e->node);
        put_bytes(&b, &e->node2, sizeof e->node2);
        put_bytes(&b, e->n, sizeof e->n);
        put_str(&b, key);
        put_str(&b, e->text);
        put_str(&b, hist_actor(e));
        put_bytes(&b, &e->nrows, sizeof e->nrows);
        for (int j = 0; j < e->nrows; j++) {
            put_bytes(&b, &e->rows[j].version, sizeof e->rows[j].version);
            put_bytes(&b, &e->rows[j].value, sizeof e->rows[j].value);
            put_bytes(&b, &e->rows[j].matched, 1);
        }
        int nt = hist_ntxns(e);
        put_bytes(&b, &nt, sizeof nt);
        if (nt)
            put_bytes(&b, hist_txns(e), (size_t)nt * sizeof *hist_txns(e));
    }
    return b;
}

static bool same_seed_same_bytes(uint64_t seed)
{
    hist *a = hist_new(), *b = hist_new();
    run *w = calloc(1, sizeof *w);
    workload(seed, a, w);
    workload(seed, b, w);
    bytes x = serialize(a), y = serialize(b);
    bool same = x.n == y.n && x.n > 0 && memcmp(x.p, y.p, x.n) == 0;
    free(x.p);
    free(y.p);
    free(w);
    hist_free(a);
    hist_free(b);
    return same;
}

/* --- the tests --------------------------------------------------------------------------------- */

static long soak_runs;

static void test_random_workloads_agree_with_the_reference_and_the_checker(void)
{
    long runs = soak_runs ? soak_runs : RUNS_TEST;
    tally t = { 0 };
    clock_t t0 = clock();
    for (long i = 1; i <= runs; i++)
        check_run((uint64_t)i, &t);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("base property: %ld runs (%ld lww, %ld siblings, %ld crdt; %ld with hybrid logical clocks), "
           "%ld events, %ld writes (%ld acknowledged), %ld GETs judged, %ld refusals, %ld purges, "
           "%ld final keys predicted, in %.1f s\n",
           t.runs, t.per_policy[RES_LWW], t.per_policy[RES_SIBLINGS], t.per_policy[RES_CRDT], t.hlc, t.events,
           t.writes, t.acked, t.gets, t.refusals, t.purges, t.final_checked, secs);
    printf("base property: the reference found %ld stale reads, %ld read-your-writes, %ld monotonic reads, "
           "%ld lost writes, %ld sibling stretches; disagreements with the checker: %ld; engine properties "
           "broken: %ld\n", t.found[0], t.found[1], t.found[2], t.found[3], t.found[4], t.disagree, t.engine);
    CHECK_EQ_INT(t.disagree, 0);
    CHECK_EQ_INT(t.engine, 0);
    /* The workloads reach every finding (a reference that never sees one tests nothing). */
    for (int i = 0; i < 5; i++)
        CHECK(t.found[i] > 0);
    CHECK(t.refusals > 0);
    CHECK(t.purges > 0);
}

static void test_the_same_seed_gives_the_same_history_byte_for_byte(void)
{
    int differ = 0;
    for (uint64_t seed = 1; seed <= 40; seed++)
        differ += !same_seed_same_bytes(seed * 7 + 1);
    CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--soak") == 0)
        soak_runs = RUNS_SOAK;
    const char *env = getenv("ACIDBASE_SOAK_RUNS");
    if (env && atol(env) > 0)
        soak_runs = atol(env);
    RUN(test_random_workloads_agree_with_the_reference_and_the_checker);
    RUN(test_the_same_seed_gives_the_same_history_byte_for_byte);
    return t_done("base-property");
}
