/*
 * basecheck.c: the BASE history checker. basecheck.h names the findings; this file
 * replays the BASE events of a history in order, keeps just enough state to judge each
 * GET at the moment it is answered, and judges lost writes at the end of the history
 * (the runner checks a history "so far", so the end is now). It reads only events: it
 * does not include engines/base, and re-derives the little causality it needs from
 * packed dots ((r << 48) | counter) and the contexts VERSION_STORE carries.
 *
 * Definitions (tests and lessons cite the numbers):
 *   B1. A dot d reflects a write w when d == w or context(d) covers w (context[w.r] >=
 *       w.n). A GET's result, the dots of its answer rows, reflects w when one of them does;
 *       and a result that holds no value (no rows, or only tombstones) also reflects every
 *       tombstone of the key purged so far and everything such a tombstone saw: once a
 *       tombstone is purged, "absent" is exactly how the delete looks.
 *   B2. A write is acknowledged when its REQ_ANSWER says ok (n0 = 1). An unavailable write
 *       stays where it arrived and may be reflected, but is never judged itself.
 *   B3. stale-read: a GET answered ok whose result does not reflect some write acknowledged
 *       before the GET was invoked, while at the answer some replica stores a dot that
 *       reflects that write. One finding per GET, naming the newest write it missed.
 *   B4. read-your-writes: a client's GET whose result does not reflect that client's latest
 *       write to the key acknowledged before the GET was invoked, alive or not.
 *   B5. monotonic-read: a client's GET whose result does not reflect every dot that the
 *       client's previous GET of the key (the latest one invoked before it and answered
 *       ok) returned.
 *   B6. lost-write: an acknowledged write that no stored dot reflects now, and that no
 *       version other than its own ever stored anywhere saw. So a value a tombstone saw is
 *       never lost, and neither is a write superseded by one that saw it. A DEL whose
 *       tombstone was purged (somewhere) is lost only if, besides, a value the DEL saw is
 *       stored again: a purge alone is a tombstone's normal end, a purge followed by the
 *       value coming back is lesson 17's lost delete. Dated at the event that made it true.
 *   B7. sibling: the first SIBLINGS event of a key with two or more versions kept; once
 *       per key, at the replica where it happened.
 *
 * State, all rebuilt from events:
 *   - per (key, dot): the union of the contexts stored with the dot, its kind, the replicas
 *     storing it now (instances, linked per dot), since when it has been stored somewhere
 *     without a break, and how it last disappeared;
 *   - per key: the distinct dots stored somewhere now, their merged contexts VS (recomputed
 *     only after that set changed), and the merged contexts of purged tombstones;
 *   - per (key, coordinator r): the acknowledged writes r coordinated, sorted by counter,
 *     and the two greatest counters of r that stored contexts ever covered, from different
 *     dots, so "did another version ever see w" is one lookup;
 *   - per (client, key): the client's latest acknowledged write and latest GET.
 * A GET that missed w while w is alive means: w.n lies above what the result's merged
 * context covers for w.r and at or below VS[w.r], or w is itself a stored dot. So the check
 * walks, for each replica where VS is ahead of the result, that coordinator's writes
 * downward from VS[r], and stops at the first one acknowledged before the invocation:
 * work proportional to the GET's rows, the key's live dots and the writes acknowledged
 * while the GET waited, not to the history.
 *
 * Known limits:
 *   - "The newest missed write" is the one with the highest counter per coordinator (its
 *     creation order there), then the latest acknowledged across coordinators.
 *   - A GET is compared for monotonic reads only with a previous GET invoked before it;
 *     a client's overlapping GETs (never produced by the runner) are compared loosely.
 *   - CRDT state merged further under the same dot is judged with the union of the
 *     contexts stored with that dot.
 *   - Client names are interned by the history, so a client is its name pointer.
 */
#include "basecheck.h"
#include "common/umap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE UMAP_NONE
#define DOT_MASK 0xffffffffffffULL

enum { OP_PUT = 1, OP_GET, OP_DEL, OP_ADD, OP_REMOVE, OP_INCR };
enum { K_VALUE = 1, K_TOMB, K_SET, K_COUNTER };
enum { RM_NONE, RM_LWW, RM_SUPERSEDED, RM_PURGE };
enum { FN_STALE, FN_RYW, FN_MR, FN_LOST, FN_SIBLING, FN__COUNT };

static const char *const fn_names[FN__COUNT] = {
    "stale-read", "read-your-writes", "monotonic-read", "lost-write", "sibling",
};

static const struct { const char *alias, *name; } aliases[] = {
    { "stale-reads", "stale-read" },
    { "siblings", "sibling" },
    { "lost-writes", "lost-write" },
    { "monotonic-reads", "monotonic-read" },
};

static uint32_t dot_r(uint64_t p) { return (uint32_t)(p >> 48); }
static uint64_t dot_n(uint64_t p) { return p & DOT_MASK; }


/* --- version vectors: packed entries (r << 48 | n), sorted by r, one per r ------------ */

typedef struct vbuf {
    uint64_t *e;
    uint32_t n, cap;
} vbuf;

static uint64_t vv_get(const uint64_t *e, uint32_t n, uint32_t r)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t mr = dot_r(e[mid]);
        if (mr == r)
            return dot_n(e[mid]);
        if (mr < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* v[r] = max(v[r], n); 1 if v changed, 0 if not, -1 out of memory. */
static int vv_raise(vbuf *v, uint64_t p)
{
    uint32_t r = dot_r(p);
    uint64_t n = dot_n(p);
    if (r == 0 || n == 0)
        return 0;
    uint32_t lo = 0, hi = v->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (dot_r(v->e[mid]) < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < v->n && dot_r(v->e[lo]) == r) {
        if (dot_n(v->e[lo]) >= n)
            return 0;
        v->e[lo] = p;
        return 1;
    }
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 8;
        uint64_t *e = realloc(v->e, cap * sizeof *e);
        if (!e)
            return -1;
        v->e = e;
        v->cap = cap;
    }
    memmove(v->e + lo + 1, v->e + lo, (v->n - lo) * sizeof *v->e);
    v->e[lo] = p;
    v->n++;
    return 1;
}

static int vv_merge(vbuf *v, const uint64_t *e, uint32_t n)
{
    int changed = 0;
    for (uint32_t i = 0; i < n; i++) {
        int k = vv_raise(v, e[i]);
        if (k < 0)
            return -1;
        changed |= k;
    }
    return changed;
}

static int vv_copy(vbuf *dst, const vbuf *src)
{
    dst->n = 0;
    return vv_merge(dst, src->e, src->n) < 0 ? -1 : 0;
}

/* --- records ------------------------------------------------------------------------ */

typedef struct key_rec {
    scalar key;
    uint32_t *live;          /* dot records stored at some replica now */
    uint32_t nlive;
    size_t caplive;
    vbuf vs;                 /* merged contexts of the live dots */
    vbuf vp;                 /* merged contexts of the tombstones purged so far */
    uint32_t memo[2];        /* the dot records last looked up for this key */
    uint8_t vs_dirty;
    uint8_t sibling_done;
} key_rec;

typedef struct dot_rec {
    uint64_t dot;
    uint32_t key;
    uint32_t ctx_off, ctx_len;   /* into pool: union of the contexts stored with it */
    uint8_t kind;                /* K_*, 0 while never stored */
    uint8_t purged;              /* a PURGE named it at some replica */
    uint8_t rm_why;              /* RM_*: how its last instance went */
    uint16_t rm_node;
    uint32_t live;               /* replicas storing it now */
    uint32_t live_pos;           /* index in the key's live list */
    uint32_t head;               /* first live instance */
    uint32_t write;              /* acknowledged write record, NONE */
    uint64_t since;              /* seq from which it has been stored somewhere */
    uint64_t rm_seq, rm_by;      /* the last removal of an instance, and the replacement */
    const char *text;            /* payload as the first VERSION_STORE read it */
} dot_rec;

typedef struct inst_rec {
    uint32_t dot;
    uint32_t prev, next;     /* the dot's other live instances; next links the free list */
    uint16_t node;
} inst_rec;

typedef struct req_rec {
    uint64_t inv_seq;
    uint32_t client;
    uint32_t own;            /* GET: the client's latest acknowledged write at invocation;
                              * next free record while recycled */
    uint8_t op;
    const char *text;
} req_rec;

typedef struct write_rec {
    uint32_t dot, key, client;
    uint64_t ack_seq, ack_tick;
    const char *stmt;        /* the REQ_INVOKE's statement, NULL when not seen */
    uint16_t node;
    uint8_t op;
} write_rec;

/* Per (key, coordinator r). */
typedef struct kr_rec {
    uint32_t *w;             /* acknowledged writes, sorted by counter */
    uint32_t n;
    size_t cap;
    uint64_t best_n, best_dot, second_n;   /* greatest r-counters stored contexts covered */
} kr_rec;

/* Per (client, key). */
typedef struct cl_rec {
    uint32_t last_write;     /* latest acknowledged write, NONE */
    size_t last_get;         /* event index of the latest GET answer, SIZE_MAX none */
    uint64_t last_get_inv;
} cl_rec;

typedef struct fnd {
    base_finding f;
    uint32_t order;
} fnd;

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

typedef struct ctx {
    const hist *h;

    key_rec *keys;
    size_t nkeys, capkeys;
    umap keymap;             /* (scalar hash, collision index) -> key */

    dot_rec *dots;
    size_t ndots, capdots;
    umap dotmap;             /* (dot, key) -> dot record */
    uint64_t *pool;
    size_t npool, cappool;

    inst_rec *inst;
    size_t ninst, capinst;
    uint32_t inst_free;      /* recycled instances, linked through next */
    umap instmap;            /* (dot record, node) -> live instance */

    req_rec *reqs;
    size_t nreqs, capreqs;
    uint32_t req_free;       /* answered requests, recycled */
    umap reqmap;             /* (request id, 0) -> request not yet answered */

    write_rec *writes;
    size_t nwrites, capwrites;

    kr_rec *krs;
    size_t nkrs, capkrs;
    umap krmap;              /* (key, r) -> kr */

    const char **clients;
    size_t nclients, capclients;
    umap clientmap;          /* (name pointer, 0) -> client */
    cl_rec *cls;
    size_t ncls, capcls;
    umap clmap;              /* (client, key) -> cl */

    /* the GET being judged */
    vbuf vr;                 /* merged contexts of its rows */
    vbuf tmp;
    const hist_event *get;
    uint32_t get_key;
    int absent;

    fnd *f;
    size_t nf, capf;
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

/* In a function returning int: make room for need elements or return -1. */
#define RESERVE(arr, cap, need) do { \
        if ((need) > (cap)) { \
            void *q_ = grow_buf((arr), &(cap), (need), sizeof *(arr)); \
            if (!q_) \
                return -1; \
            (arr) = q_; \
        } \
    } while (0)

/* --- lookups ------------------------------------------------------------------------- */

static int key_of(ctx *c, const scalar *k, uint32_t *out)
{
    uint64_t h = scalar_hash(k);
    for (uint64_t i = 0;; i++) {
        uint32_t ki = umap_get(&c->keymap, h, i);
        if (ki == NONE)
            break;
        if (scalar_eq(&c->keys[ki].key, k)) {
            *out = ki;
            return 0;
        }
    }
    uint64_t i = 0;
    while (umap_get(&c->keymap, h, i) != NONE)
        i++;
    RESERVE(c->keys, c->capkeys, c->nkeys + 1);
    key_rec *kr = &c->keys[c->nkeys];
    memset(kr, 0, sizeof *kr);
    kr->key = *k;
    kr->memo[0] = kr->memo[1] = NONE;
    if (umap_put(&c->keymap, h, i, (uint32_t)c->nkeys))
        return -1;
    *out = (uint32_t)c->nkeys++;
    return 0;
}

/* Events of one key mostly name the same one or two dots in a row (a version stored at
 * every replica, the one it replaces dropped at every replica): a memo per key saves the
 * hash lookups that, on a long history, are cache misses. */
static uint32_t dot_find(ctx *c, uint32_t key, uint64_t dot)
{
    key_rec *k = &c->keys[key];
    for (int i = 0; i < 2; i++)
        if (k->memo[i] != NONE && c->dots[k->memo[i]].dot == dot)
            return k->memo[i];
    uint32_t d = umap_get(&c->dotmap, dot, key);
    if (d != NONE) {
        k->memo[1] = k->memo[0];
        k->memo[0] = d;
    }
    return d;
}

static int dot_of(ctx *c, uint32_t key, uint64_t dot, uint32_t *out)
{
    uint32_t d = dot_find(c, key, dot);
    if (d == NONE) {
        RESERVE(c->dots, c->capdots, c->ndots + 1);
        dot_rec *r = &c->dots[c->ndots];
        memset(r, 0, sizeof *r);
        r->dot = dot;
        r->key = key;
        r->head = r->write = NONE;
        d = (uint32_t)c->ndots;
        if (umap_put(&c->dotmap, dot, key, d))
            return -1;
        c->ndots++;
    }
    *out = d;
    return 0;
}

static const uint64_t *dot_ctx(const ctx *c, uint32_t d, uint32_t *n)
{
    *n = c->dots[d].ctx_len;
    return *n ? c->pool + c->dots[d].ctx_off : NULL;
}

/* Does dot record d (NONE: an unknown dot, empty context) reflect packed dot p? (B1) */
static bool dot_reflects(const ctx *c, uint32_t d, uint64_t p)
{
    if (d == NONE)
        return false;
    if (c->dots[d].dot == p)
        return true;
    uint32_t n;
    const uint64_t *e = dot_ctx(c, d, &n);
    return vv_get(e, n, dot_r(p)) >= dot_n(p);
}

static int kr_of(ctx *c, uint32_t key, uint32_t r, uint32_t *out)
{
    uint32_t k = umap_get(&c->krmap, key, r);
    if (k == NONE) {
        RESERVE(c->krs, c->capkrs, c->nkrs + 1);
        memset(&c->krs[c->nkrs], 0, sizeof c->krs[0]);
        k = (uint32_t)c->nkrs;
        if (umap_put(&c->krmap, key, r, k))
            return -1;
        c->nkrs++;
    }
    *out = k;
    return 0;
}

static int client_of(ctx *c, const char *name, uint32_t *out)
{
    if (!name) {
        *out = NONE;
        return 0;
    }
    uint32_t id = umap_get(&c->clientmap, (uint64_t)(uintptr_t)name, 0);
    if (id == NONE) {
        RESERVE(c->clients, c->capclients, c->nclients + 1);
        c->clients[c->nclients] = name;
        id = (uint32_t)c->nclients;
        if (umap_put(&c->clientmap, (uint64_t)(uintptr_t)name, 0, id))
            return -1;
        c->nclients++;
    }
    *out = id;
    return 0;
}

static int cl_of(ctx *c, uint32_t client, uint32_t key, uint32_t *out)
{
    uint32_t i = umap_get(&c->clmap, client, key);
    if (i == NONE) {
        RESERVE(c->cls, c->capcls, c->ncls + 1);
        c->cls[c->ncls].last_write = NONE;
        c->cls[c->ncls].last_get = SIZE_MAX;
        c->cls[c->ncls].last_get_inv = 0;
        i = (uint32_t)c->ncls;
        if (umap_put(&c->clmap, client, key, i))
            return -1;
        c->ncls++;
    }
    *out = i;
    return 0;
}

/* --- text ---------------------------------------------------------------------------- */

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

static void key_text(const ctx *c, uint32_t key, char *buf, size_t n)
{
    scalar_format(&c->keys[key].key, false, buf, n);
}

static void sb_dot(sbuf *b, uint64_t p)
{
    sb_printf(b, "n%u:%" PRIu64, dot_r(p), dot_n(p));
}

static const char *op_name(uint8_t op)
{
    switch (op) {
    case OP_PUT: return "PUT";
    case OP_GET: return "GET";
    case OP_DEL: return "DEL";
    case OP_ADD: return "ADD";
    case OP_REMOVE: return "REMOVE";
    case OP_INCR: return "INCR";
    default: return NULL;
    }
}

/* The third word of a statement ("PUT cart apple W=ALL" -> apple), unless it is an option. */
static bool stmt_arg(const char *s, char *buf, size_t n)
{
    if (!s || n == 0)
        return false;
    for (int word = 0; word < 3; word++) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return false;
        if (word < 2)
            while (*s && *s != ' ' && *s != '\t')
                s++;
    }
    size_t len = strcspn(s, " \t");
    if (len >= 2 && s[1] == '=' && (s[0] == 'W' || s[0] == 'w' || s[0] == 'R' || s[0] == 'r'))
        return false;
    if (len >= n)
        len = n - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return true;
}

/* "the PUT cart = apple", "the DEL of cart", "the ADD cart milk", "the write n1:3 to cart";
 * the article is left out after a possessive ("alice's own PUT cart = apple"). */
static void sb_write(sbuf *b, const ctx *c, uint32_t wi, bool article)
{
    const write_rec *w = &c->writes[wi];
    const dot_rec *d = &c->dots[w->dot];
    char kb[64], vb[72];
    key_text(c, w->key, kb, sizeof kb);
    const char *op = op_name(w->op);
    bool have = false;
    if (w->op == OP_PUT && d->kind == K_VALUE && d->text) {
        snprintf(vb, sizeof vb, "%s", d->text);
        have = true;
    } else if (w->op != OP_DEL) {
        have = stmt_arg(w->stmt, vb, sizeof vb);
    }
    if (article)
        sb_printf(b, "the ");
    if (!op) {
        sb_printf(b, "write ");
        sb_dot(b, d->dot);
        sb_printf(b, " to %s", kb);
    } else if (w->op == OP_DEL) {
        sb_printf(b, "DEL of %s", kb);
    } else if (w->op == OP_PUT) {
        sb_printf(b, "PUT %s", kb);
        if (have)
            sb_printf(b, " = %s", vb);
    } else {
        sb_printf(b, "%s %s", op, kb);
        if (have)
            sb_printf(b, " %s", vb);
    }
}

/* "the PUT cart = apple acknowledged at n1 (tick 3)" */
static void sb_acked(sbuf *b, const ctx *c, uint32_t wi, bool article)
{
    const write_rec *w = &c->writes[wi];
    sb_write(b, c, wi, article);
    sb_printf(b, " acknowledged at n%u (tick %" PRIu64 ")", (unsigned)w->node, w->ack_tick);
}

/* "bob's GET cart at n2 returned absent" */
static void sb_get(sbuf *b, const ctx *c, const hist_event *e, uint32_t key)
{
    char kb[64];
    key_text(c, key, kb, sizeof kb);
    if (hist_actor(e))
        sb_printf(b, "%s's GET %s at n%u", hist_actor(e), kb, (unsigned)e->node);
    else
        sb_printf(b, "a GET %s at n%u", kb, (unsigned)e->node);
    sb_printf(b, " (tick %" PRIu64 ") returned %s", e->tick,
              e->text && e->text[0] ? e->text : e->nrows ? "?" : "absent");
}

static base_finding *finding_new(ctx *c, int name, uint64_t seq, uint16_t node, uint32_t key,
                                 const char *client)
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
    base_finding *f = &x->f;
    snprintf(f->name, sizeof f->name, "%s", fn_names[name]);
    f->seq = seq;
    f->node = node;
    key_text(c, key, f->key, sizeof f->key);
    snprintf(f->client, sizeof f->client, "%s", client ? client : "");
    return f;
}

static int finding_text(ctx *c, base_finding *f, sbuf *b)
{
    if (b->oom || !b->s) {
        free(b->s);
        c->nf--;
        return -1;
    }
    f->text = b->s;
    return 0;
}

/* --- replicas' stores ---------------------------------------------------------------- */

static void live_add(ctx *c, uint32_t d, uint64_t seq)
{
    dot_rec *r = &c->dots[d];
    key_rec *k = &c->keys[r->key];
    r->live_pos = k->nlive;
    k->live[k->nlive++] = d;
    r->since = seq;
    k->vs_dirty = 1;
}

static void live_remove(ctx *c, uint32_t d)
{
    dot_rec *r = &c->dots[d];
    key_rec *k = &c->keys[r->key];
    uint32_t last = k->live[--k->nlive];
    k->live[r->live_pos] = last;
    c->dots[last].live_pos = r->live_pos;
    k->vs_dirty = 1;
}

static int version_store(ctx *c, const hist_event *e, uint32_t key)
{
    uint64_t p = (uint64_t)e->n[0];
    if (!p)
        return 0;
    uint32_t d;
    if (dot_of(c, key, p, &d))
        return -1;
    dot_rec *r = &c->dots[d];
    if (!r->kind) {
        r->kind = (uint8_t)e->n[2];
        r->text = e->text;
        if (!r->kind)
            r->kind = K_VALUE;
    }
    /* The union of contexts: usually the first store already has it all. */
    uint32_t n;
    const uint64_t *old = dot_ctx(c, d, &n);
    if (vv_copy(&c->tmp, &(vbuf){ (uint64_t *)old, n, n }))
        return -1;
    int changed = vv_merge(&c->tmp, hist_txns(e), hist_ntxns(e) > 0 ? (uint32_t)hist_ntxns(e) : 0);
    if (changed < 0)
        return -1;
    if (changed) {
        RESERVE(c->pool, c->cappool, c->npool + c->tmp.n);
        memcpy(c->pool + c->npool, c->tmp.e, c->tmp.n * sizeof *c->pool);
        r = &c->dots[d];
        r->ctx_off = (uint32_t)c->npool;
        r->ctx_len = c->tmp.n;
        c->npool += c->tmp.n;
        if (r->live)
            c->keys[key].vs_dirty = 1;
    }
    /* Who saw what: the two greatest counters per coordinator, from different dots. */
    for (int i = 0; i < hist_ntxns(e); i++) {
        uint64_t x = hist_txns(e)[i];
        if (!dot_r(x) || !dot_n(x))
            continue;
        uint32_t ki;
        if (kr_of(c, key, dot_r(x), &ki))
            return -1;
        kr_rec *s = &c->krs[ki];
        uint64_t cn = dot_n(x);
        if (s->best_dot == p) {
            if (cn > s->best_n)
                s->best_n = cn;
        } else if (cn > s->best_n) {
            s->second_n = s->best_n;
            s->best_n = cn;
            s->best_dot = p;
        } else if (cn > s->second_n) {
            s->second_n = cn;
        }
    }
    /* The instance at this replica. */
    if (umap_get(&c->instmap, d, e->node) != NONE)
        return 0;
    key_rec *k = &c->keys[key];
    RESERVE(k->live, k->caplive, k->nlive + 1);
    uint32_t ii = c->inst_free;
    if (ii != NONE) {
        c->inst_free = c->inst[ii].next;
    } else {
        RESERVE(c->inst, c->capinst, c->ninst + 1);
        ii = (uint32_t)c->ninst++;
    }
    if (umap_put(&c->instmap, d, e->node, ii)) {
        c->inst[ii].next = c->inst_free;
        c->inst_free = ii;
        return -1;
    }
    inst_rec *in = &c->inst[ii];
    r = &c->dots[d];
    in->dot = d;
    in->node = e->node;
    in->prev = NONE;
    in->next = r->head;
    if (r->head != NONE)
        c->inst[r->head].prev = ii;
    r->head = ii;
    if (r->live++ == 0)
        live_add(c, d, e->seq);
    return 0;
}

/* VERSION_DISCARD and PURGE: the dot leaves one replica. */
static int version_remove(ctx *c, const hist_event *e, uint32_t key, int why)
{
    uint64_t p = (uint64_t)e->n[0];
    uint32_t d = dot_find(c, key, p);
    if (d == NONE)
        return 0;
    dot_rec *r = &c->dots[d];
    if (why == RM_PURGE && !r->purged) {
        r->purged = 1;
        uint32_t n;
        const uint64_t *x = dot_ctx(c, d, &n);
        if (vv_merge(&c->keys[key].vp, x, n) < 0)
            return -1;
    }
    uint32_t ii = umap_get(&c->instmap, d, e->node);
    if (ii == NONE)
        return 0;
    umap_del(&c->instmap, d, e->node);
    inst_rec *in = &c->inst[ii];
    if (in->prev != NONE)
        c->inst[in->prev].next = in->next;
    else
        r->head = in->next;
    if (in->next != NONE)
        c->inst[in->next].prev = in->prev;
    in->prev = NONE;
    in->next = c->inst_free;
    c->inst_free = ii;
    r->rm_seq = e->seq;
    r->rm_node = e->node;
    r->rm_why = (uint8_t)why;
    r->rm_by = why == RM_PURGE ? 0 : (uint64_t)e->n[1];
    if (--r->live == 0)
        live_remove(c, d);
    return 0;
}

static int sibling_event(ctx *c, const hist_event *e, uint32_t key)
{
    key_rec *k = &c->keys[key];
    if (e->n[0] < 2 || k->sibling_done)
        return 0;
    k->sibling_done = 1;
    base_finding *f = finding_new(c, FN_SIBLING, e->seq, e->node, key, NULL);
    if (!f)
        return -1;
    sbuf b = { 0 };
    sb_printf(&b, "siblings: n%u keeps %" PRId64 " concurrent versions of %s, written "
              "without seeing each other; a GET there returns them all.",
              (unsigned)e->node, e->n[0], f->key);
    return finding_text(c, f, &b);
}

/* --- requests ------------------------------------------------------------------------ */

/* A request lives from its REQ_INVOKE to its REQ_ANSWER; then its record is recycled. */
static int req_of(ctx *c, uint64_t id, uint32_t *out)
{
    uint32_t i = umap_get(&c->reqmap, id, 0);
    if (i == NONE) {
        if (c->req_free != NONE) {
            i = c->req_free;
            c->req_free = c->reqs[i].own;
        } else {
            RESERVE(c->reqs, c->capreqs, c->nreqs + 1);
            i = (uint32_t)c->nreqs++;
        }
        if (umap_put(&c->reqmap, id, 0, i)) {
            c->reqs[i].own = c->req_free;
            c->req_free = i;
            return -1;
        }
    }
    *out = i;
    return 0;
}

static void req_done(ctx *c, uint64_t id, uint32_t i)
{
    umap_del(&c->reqmap, id, 0);
    c->reqs[i].own = c->req_free;
    c->req_free = i;
}

static int req_invoke(ctx *c, const hist_event *e, uint32_t key)
{
    uint32_t ri, client;
    if (req_of(c, (uint64_t)e->n[2], &ri) || client_of(c, hist_actor(e), &client))
        return -1;
    req_rec *r = &c->reqs[ri];
    r->inv_seq = e->seq;
    r->client = client;
    r->op = (uint8_t)e->n[0];
    r->text = e->text;
    r->own = NONE;
    if (r->op == OP_GET && client != NONE) {
        uint32_t cl;
        if (cl_of(c, client, key, &cl))
            return -1;
        c->reqs[ri].own = c->cls[cl].last_write;
    }
    return 0;
}

/* Insert write wi into its (key, coordinator) list, kept sorted by counter. */
static int kr_insert(ctx *c, uint32_t key, uint64_t p, uint32_t wi)
{
    uint32_t ki;
    if (kr_of(c, key, dot_r(p), &ki))
        return -1;
    kr_rec *k = &c->krs[ki];
    RESERVE(k->w, k->cap, k->n + 1);
    uint32_t i = k->n++;
    while (i > 0 && dot_n(c->dots[c->writes[k->w[i - 1]].dot].dot) > dot_n(p)) {
        k->w[i] = k->w[i - 1];
        i--;
    }
    k->w[i] = wi;
    return 0;
}

static int write_answer(ctx *c, const hist_event *e, uint32_t key, const char *stmt,
                        uint8_t op)
{
    uint64_t p = (uint64_t)e->n[3];
    if (!p)
        return 0;
    uint32_t d;
    if (dot_of(c, key, p, &d))
        return -1;
    if (e->n[0] != 1 || c->dots[d].write != NONE)
        return 0;
    uint32_t client;
    if (client_of(c, hist_actor(e), &client))
        return -1;
    RESERVE(c->writes, c->capwrites, c->nwrites + 1);
    uint32_t wi = (uint32_t)c->nwrites++;
    c->writes[wi] = (write_rec){ .dot = d, .key = key, .client = client, .ack_seq = e->seq,
                                 .ack_tick = e->tick, .stmt = stmt, .node = e->node,
                                 .op = op };
    c->dots[d].write = wi;
    if (kr_insert(c, key, p, wi))
        return -1;
    if (client != NONE) {
        uint32_t cl;
        if (cl_of(c, client, key, &cl))
            return -1;
        c->cls[cl].last_write = wi;
    }
    return 0;
}

/* --- judging a GET ------------------------------------------------------------------- */

/* Sets up c->vr and c->absent for the GET answered by e (B1). */
static int get_begin(ctx *c, const hist_event *e, uint32_t key)
{
    c->get = e;
    c->get_key = key;
    c->vr.n = 0;
    c->absent = 1;
    for (int i = 0; i < e->nrows; i++) {
        uint32_t d = dot_find(c, key, e->rows[i].version);
        if (d == NONE || c->dots[d].kind != K_TOMB)
            c->absent = 0;
        if (d == NONE)
            continue;
        uint32_t n;
        const uint64_t *x = dot_ctx(c, d, &n);
        if (vv_merge(&c->vr, x, n) < 0)
            return -1;
    }
    if (c->absent && vv_merge(&c->vr, c->keys[key].vp.e, c->keys[key].vp.n) < 0)
        return -1;
    return 0;
}

/* Does the GET's result reflect packed dot p (B1)? */
static bool get_reflects(ctx *c, uint64_t p)
{
    const hist_event *e = c->get;
    for (int i = 0; i < e->nrows; i++)
        if (e->rows[i].version == p)
            return true;
    if (vv_get(c->vr.e, c->vr.n, dot_r(p)) >= dot_n(p))
        return true;
    if (c->absent) {
        uint32_t d = dot_find(c, c->get_key, p);
        if (d != NONE && c->dots[d].purged)
            return true;
    }
    return false;
}

static int key_vs(ctx *c, uint32_t key)
{
    key_rec *k = &c->keys[key];
    if (!k->vs_dirty)
        return 0;
    k->vs.n = 0;
    for (uint32_t i = 0; i < k->nlive; i++) {
        uint32_t n;
        const uint64_t *x = dot_ctx(c, k->live[i], &n);
        if (vv_merge(&k->vs, x, n) < 0)
            return -1;
    }
    k->vs_dirty = 0;
    return 0;
}

/* A live dot that reflects write wi, for the explanation; NONE if none. */
static uint32_t live_witness(const ctx *c, uint32_t wi)
{
    const write_rec *w = &c->writes[wi];
    const dot_rec *d = &c->dots[w->dot];
    if (d->live)
        return w->dot;
    const key_rec *k = &c->keys[w->key];
    for (uint32_t i = 0; i < k->nlive; i++)
        if (dot_reflects(c, k->live[i], d->dot))
            return k->live[i];
    return NONE;
}

static int check_stale(ctx *c, const req_rec *rq, uint32_t key, const char *client)
{
    if (key_vs(c, key))
        return -1;
    const key_rec *k = &c->keys[key];
    uint32_t best = NONE;
    /* Writes covered by a live context but not by the result's. */
    for (uint32_t i = 0; i < k->vs.n; i++) {
        uint32_t r = dot_r(k->vs.e[i]);
        uint64_t hi = dot_n(k->vs.e[i]);
        uint64_t lo = vv_get(c->vr.e, c->vr.n, r);
        if (hi <= lo)
            continue;
        uint32_t ki = umap_get(&c->krmap, key, r);
        if (ki == NONE)
            continue;
        const kr_rec *kr = &c->krs[ki];
        uint32_t a = 0, b = kr->n;   /* first position with counter > hi */
        while (a < b) {
            uint32_t mid = a + (b - a) / 2;
            if (dot_n(c->dots[c->writes[kr->w[mid]].dot].dot) <= hi)
                a = mid + 1;
            else
                b = mid;
        }
        while (a-- > 0) {
            const write_rec *w = &c->writes[kr->w[a]];
            uint64_t p = c->dots[w->dot].dot;
            if (dot_n(p) <= lo)
                break;
            if (w->ack_seq >= rq->inv_seq || get_reflects(c, p))
                continue;
            if (best == NONE || w->ack_seq > c->writes[best].ack_seq)
                best = kr->w[a];
            break;
        }
    }
    /* Writes stored as themselves. */
    for (uint32_t i = 0; i < k->nlive; i++) {
        const dot_rec *d = &c->dots[k->live[i]];
        if (d->write == NONE)
            continue;
        const write_rec *w = &c->writes[d->write];
        if (w->ack_seq >= rq->inv_seq || get_reflects(c, d->dot))
            continue;
        if (best == NONE || w->ack_seq > c->writes[best].ack_seq)
            best = d->write;
    }
    if (best == NONE)
        return 0;
    const hist_event *e = c->get;
    base_finding *f = finding_new(c, FN_STALE, e->seq, e->node, key, client);
    if (!f)
        return -1;
    sbuf b = { 0 };
    sb_printf(&b, "stale read: ");
    sb_get(&b, c, e, key);
    sb_printf(&b, ", but ");
    sb_acked(&b, c, best, true);
    uint32_t wd = c->writes[best].dot, lv = live_witness(c, best);
    if (lv == wd) {
        sb_printf(&b, " was already stored at n%u.", (unsigned)c->inst[c->dots[lv].head].node);
    } else if (lv != NONE) {
        sb_printf(&b, " was already reflected at n%u by a version that saw it (",
                  (unsigned)c->inst[c->dots[lv].head].node);
        sb_dot(&b, c->dots[lv].dot);
        sb_printf(&b, ").");
    } else {
        sb_printf(&b, " was already stored.");
    }
    return finding_text(c, f, &b);
}

static int check_ryw(ctx *c, const req_rec *rq, uint32_t key, const char *client)
{
    if (rq->own == NONE)
        return 0;
    const write_rec *w = &c->writes[rq->own];
    if (w->ack_seq >= rq->inv_seq || get_reflects(c, c->dots[w->dot].dot))
        return 0;
    const hist_event *e = c->get;
    base_finding *f = finding_new(c, FN_RYW, e->seq, e->node, key, client);
    if (!f)
        return -1;
    sbuf b = { 0 };
    sb_printf(&b, "read your writes: ");
    sb_get(&b, c, e, key);
    sb_printf(&b, ", but %s's own ", client);
    sb_acked(&b, c, rq->own, false);
    sb_printf(&b, " came before it.");
    return finding_text(c, f, &b);
}

static int check_mr(ctx *c, const req_rec *rq, uint32_t key, size_t ev_index,
                    const char *client)
{
    uint32_t cl;
    if (cl_of(c, rq->client, key, &cl))
        return -1;
    cl_rec *s = &c->cls[cl];
    const hist_event *prev = s->last_get != SIZE_MAX ? hist_get(c->h, s->last_get) : NULL;
    bool earlier = prev && s->last_get_inv < rq->inv_seq;
    if (!prev || s->last_get_inv < rq->inv_seq) {
        s->last_get = ev_index;
        s->last_get_inv = rq->inv_seq;
    }
    if (!earlier)
        return 0;
    int missed = -1;
    for (int i = 0; i < prev->nrows && missed < 0; i++)
        if (prev->rows[i].version && !get_reflects(c, prev->rows[i].version))
            missed = i;
    if (missed < 0)
        return 0;
    const hist_event *e = c->get;
    base_finding *f = finding_new(c, FN_MR, e->seq, e->node, key, client);
    if (!f)
        return -1;
    sbuf b = { 0 };
    sb_printf(&b, "monotonic read: ");
    sb_get(&b, c, e, key);
    sb_printf(&b, ", but %s's earlier GET at n%u (tick %" PRIu64 ") had returned %s (", client,
              (unsigned)prev->node, prev->tick, prev->text && prev->text[0] ? prev->text : "?");
    sb_dot(&b, prev->rows[missed].version);
    sb_printf(&b, "): the client saw the past again.");
    return finding_text(c, f, &b);
}

static int req_answer(ctx *c, const hist_event *e, size_t ev_index, uint32_t key)
{
    uint32_t ri = umap_get(&c->reqmap, (uint64_t)e->n[2], 0);
    req_rec rq = { .client = NONE, .own = NONE, .op = e->n[3] ? 0 : OP_GET };
    if (ri != NONE) {
        rq = c->reqs[ri];
        req_done(c, (uint64_t)e->n[2], ri);
    }
    if (rq.op != OP_GET)
        return write_answer(c, e, key, rq.text, rq.op);
    if (e->n[0] != 1 || ri == NONE)
        return 0;
    const char *client = rq.client != NONE ? c->clients[rq.client] : NULL;
    if (get_begin(c, e, key) || check_stale(c, &rq, key, client))
        return -1;
    if (client && (check_ryw(c, &rq, key, client) || check_mr(c, &rq, key, ev_index, client)))
        return -1;
    return 0;
}

/* --- lost writes (B6), at the end -------------------------------------------------- */

static bool seen_by_other(const ctx *c, uint32_t key, uint64_t p)
{
    uint32_t ki = umap_get(&c->krmap, key, dot_r(p));
    if (ki == NONE)
        return false;
    const kr_rec *k = &c->krs[ki];
    return (k->best_dot != p ? k->best_n : k->second_n) >= dot_n(p);
}

static int lost_writes(ctx *c)
{
    for (size_t wi = 0; wi < c->nwrites; wi++) {
        const write_rec *w = &c->writes[wi];
        const dot_rec *d = &c->dots[w->dot];
        if (!d->kind || d->live || seen_by_other(c, w->key, d->dot))
            continue;
        uint64_t seq = d->rm_seq;
        uint32_t back = NONE;   /* a value the purged DEL saw, stored again */
        if (d->purged) {
            const key_rec *k = &c->keys[w->key];
            for (uint32_t i = 0; i < k->nlive; i++) {
                uint32_t x = k->live[i];
                if (c->dots[x].kind != K_TOMB && dot_reflects(c, w->dot, c->dots[x].dot) &&
                    (back == NONE || c->dots[x].since < c->dots[back].since))
                    back = x;
            }
            if (back == NONE)
                continue;
            if (c->dots[back].since > seq)
                seq = c->dots[back].since;
        }
        const char *client = w->client != NONE ? c->clients[w->client] : NULL;
        uint16_t node = back != NONE && seq != d->rm_seq ?
                        c->inst[c->dots[back].head].node : d->rm_node;
        base_finding *f = finding_new(c, FN_LOST, seq, node, w->key, client);
        if (!f)
            return -1;
        sbuf b = { 0 };
        sb_printf(&b, "lost write: ");
        sb_acked(&b, c, (uint32_t)wi, true);
        if (back != NONE) {
            const dot_rec *x = &c->dots[back];
            sb_printf(&b, " was lost: its tombstone was purged and the older value came "
                      "back (%s, ", x->kind == K_VALUE && x->text ? x->text : "a version it "
                      "deleted");
            sb_dot(&b, x->dot);
            sb_printf(&b, ", stored at n%u).", (unsigned)c->inst[x->head].node);
        } else if (d->rm_why == RM_LWW && dot_reflects(c, w->dot, d->rm_by)) {
            /* The lost write had seen the winner: only a timestamp from a clock running
             * ahead can make the older write win. */
            sb_printf(&b, " was discarded by LWW at every replica in favour of an older write it "
                      "had already seen (");
            sb_dot(&b, d->rm_by);
            sb_printf(&b, "), whose timestamp was higher (a clock running ahead); no surviving "
                      "version saw it.");
        } else if (d->rm_why == RM_LWW) {
            sb_printf(&b, " was discarded by LWW at every replica in favour of a concurrent "
                      "write (");
            sb_dot(&b, d->rm_by);
            sb_printf(&b, "); no surviving version saw it.");
        } else {
            sb_printf(&b, " was superseded at every replica by a write that did not see it (");
            sb_dot(&b, d->rm_by);
            sb_printf(&b, "); no surviving version saw it.");
        }
        if (finding_text(c, f, &b))
            return -1;
    }
    return 0;
}

/* --- entry points ------------------------------------------------------------------- */

static int scan(ctx *c)
{
    size_t n = hist_count(c->h);
    for (size_t i = 0; i < n; i++) {
        const hist_event *e = hist_get(c->h, i);
        if (e->side != SIDE_BASE)
            continue;
        switch (e->kind) {
        case EV_REQ_INVOKE: case EV_REQ_ANSWER: case EV_VERSION_STORE:
        case EV_VERSION_DISCARD: case EV_PURGE: case EV_SIBLINGS:
            break;
        default:
            continue;
        }
        uint32_t key;
        if (key_of(c, &e->key, &key))
            return -1;
        int rc = 0;
        switch (e->kind) {
        case EV_REQ_INVOKE: rc = req_invoke(c, e, key); break;
        case EV_REQ_ANSWER: rc = req_answer(c, e, i, key); break;
        case EV_VERSION_STORE: rc = version_store(c, e, key); break;
        case EV_VERSION_DISCARD:
            rc = version_remove(c, e, key, e->text && strcasecmp(e->text, "lww") == 0 ?
                                RM_LWW : RM_SUPERSEDED);
            break;
        case EV_PURGE: rc = version_remove(c, e, key, RM_PURGE); break;
        default: rc = sibling_event(c, e, key); break;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->nkeys; i++) {
        free(c->keys[i].live);
        free(c->keys[i].vs.e);
        free(c->keys[i].vp.e);
    }
    free(c->keys);
    umap_free(&c->keymap);
    free(c->dots);
    umap_free(&c->dotmap);
    free(c->pool);
    free(c->inst);
    umap_free(&c->instmap);
    free(c->reqs);
    umap_free(&c->reqmap);
    free(c->writes);
    for (size_t i = 0; i < c->nkrs; i++)
        free(c->krs[i].w);
    free(c->krs);
    umap_free(&c->krmap);
    free(c->clients);
    umap_free(&c->clientmap);
    free(c->cls);
    umap_free(&c->clmap);
    free(c->vr.e);
    free(c->tmp.e);
    for (size_t i = 0; i < c->nf; i++)
        free(c->f[i].f.text);
    free(c->f);
}

static int fnd_cmp(const void *pa, const void *pb)
{
    const fnd *a = pa, *b = pb;
    if (a->f.seq != b->f.seq)
        return a->f.seq < b->f.seq ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

int basecheck_run(const hist *h, base_findings *out)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.h = h;
    c.inst_free = c.req_free = NONE;
    memset(out, 0, sizeof *out);
    int rc = -1;
    if (scan(&c) || lost_writes(&c))
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
    ctx_free(&c);
    return rc;
}

void basecheck_free(base_findings *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->v[i].text);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

/* The canonical name for name or one of its aliases, or NULL. */
static const char *canonical(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < FN__COUNT; i++)
        if (strcasecmp(fn_names[i], name) == 0)
            return fn_names[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            return aliases[i].name;
    return NULL;
}

int basecheck_count(const base_findings *f, const char *name)
{
    const char *cn = canonical(name);
    if (!f || !cn)
        return 0;
    int n = 0;
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].name, cn) == 0)
            n++;
    return n;
}

bool basecheck_has(const base_findings *f, const char *name)
{
    return basecheck_count(f, name) > 0;
}

bool basecheck_known_name(const char *name)
{
    return canonical(name) != NULL;
}
