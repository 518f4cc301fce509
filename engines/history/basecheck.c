/*
 * basecheck.c: the BASE history checker. basecheck.h names the findings; this file
 * replays the BASE events of a history in order, keeps just enough state to judge each
 * GET at the moment it is answered, and keeps the lost writes of the history so far up to
 * date as events arrive. It reads only events: it does not include engines/base, and
 * re-derives the causality it needs from packed dots ((r << 48) | counter), the contexts
 * VERSION_STORE carries and the VERSION_DISCARD events a write makes at its coordinator.
 *
 * Definitions (tests and lessons cite the numbers):
 *   B0. Causality. A write's version saw what its coordinator held when it was written (the
 *       versions its coordinator discards just before storing it: its parents) and what
 *       those saw; under siblings and crdt also what the tombstones its coordinator had
 *       purged saw (replica.h). A merged CRDT state (dot replica 0x7FFF) saw what its
 *       context covers. Under siblings and crdt a replica's writes to a key form a chain
 *       (each sees the one before), so a context covers exactly what its version saw. Under
 *       lww they do not: a replica whose write LWW dropped (or purged) writes on without it,
 *       and its later dot then covers the dropped write and the ones before it without
 *       having seen them. But under lww a write has one parent at most, so "v saw w" is: v's
 *       context covers w and, under lww, w is an ancestor of v in the parent tree.
 *   B1. A GET's result (the dots of its answer rows) reflects a write w when one row is w or
 *       saw w (a merged state w: when the rows' contexts together cover w's); under lww also
 *       when a row beats w in LWW order (reading the winner: w lost on timestamp); and a
 *       result that holds no value (no rows, or only tombstones) also reflects every
 *       tombstone of the key purged so far and everything such a tombstone saw.
 *   B2. A write is acknowledged when its REQ_ANSWER says ok (n0 = 1). An unavailable write
 *       stays where it arrived and may be reflected, but is never judged itself. A write is
 *       kept, at a moment, while some replica stores it or a version that saw it.
 *   B3. stale-read: a GET answered ok whose result does not reflect some write that was
 *       acknowledged before the GET was invoked and is kept at the answer. One finding per
 *       GET, naming the newest write it missed.
 *   B4. read-your-writes: a client's GET whose result does not reflect that client's latest
 *       write to the key acknowledged before the GET was invoked, while it is kept.
 *   B5. monotonic-read: a client's GET whose result does not reflect a dot that the client's
 *       previous GET of the key (the latest one invoked before it and answered ok) returned,
 *       while that version is kept.
 *   B6. lost-write: an acknowledged write stored nowhere now that no other version ever saw.
 *       A DEL whose tombstone was purged is lost only if, besides, a value it saw (under lww:
 *       or a value it beat) is stored again: a purge alone is a tombstone's normal end, a
 *       purge followed by the value coming back is lesson 17's lost delete. Dated at the
 *       event that made it true; judged on the history so far, so a write can stop being
 *       lost (a late copy of it arrives).
 *   B7. sibling: from a SIBLINGS event that leaves some replica with two or more versions of
 *       a key while no replica had any, to the one that leaves none: one finding per such
 *       stretch, at the replica where it began, resolved at its end.
 *
 * State, all rebuilt from events:
 *   - per (key, dot): the union of the contexts stored with the dot, its kind and timestamp,
 *     the replicas storing it now (instances, linked per dot), since when it has been stored
 *     somewhere without a break, how it last disappeared, its parent, depth and jump pointer
 *     (the parent tree, with Myers's skew-binary jumps: ancestry in O(log depth)), and
 *     whether it has a child;
 *   - per key: the distinct dots stored somewhere now, their merged contexts VS (recomputed
 *     only after that set changed), the merged contexts of purged tombstones, the purged
 *     tombstones, the lost writes, and how many replicas keep siblings;
 *   - per (key, coordinator r): the acknowledged writes r coordinated, sorted by counter,
 *     and the two greatest counters of r that stored contexts ever covered, from different
 *     dots, so "did another version ever see w" is one lookup;
 *   - per (client, key): the client's latest acknowledged write and latest GET.
 * A GET that missed a write w the context can speak for means: w.n lies above what the
 * result's merged context covers for w.r and at or below VS[w.r], or w is itself a stored
 * dot. So the check walks, for each replica where VS is ahead of the result, that
 * coordinator's writes downward from VS[r], and stops at the first one acknowledged before
 * the invocation; under lww, writes the result's context covers without its rows having
 * seen them are found by walking the parent tree up from each stored dot to where it meets
 * the result. Work proportional to the GET's
 * rows, the key's live dots and the writes acknowledged while the GET waited, not to the
 * history. Lost writes are re-judged only when an event touches them (a dirty list).
 *
 * Known limits:
 *   - "The newest missed write" is the one with the highest counter per coordinator (its
 *     creation order there), then the latest acknowledged across coordinators.
 *   - A GET is compared for monotonic reads only with a previous GET invoked before it;
 *     a client's overlapping GETs (never produced by the runner) are compared loosely.
 *   - A key whose policy changes from siblings or crdt to lww mid-run may hold versions
 *     with several parents; the parent tree follows the first.
 *   - A purged DEL under crdt is lost when a state it saw whole comes back, not when a state
 *     holding part of what it reset does.
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
#define STATE_R 0x7FFFu          /* a merged CRDT state's dot (history.h) */

enum { OP_PUT = 1, OP_GET, OP_DEL, OP_ADD, OP_REMOVE, OP_INCR };
enum { K_VALUE = 1, K_TOMB, K_SET, K_COUNTER };
enum { RM_NONE, RM_LWW, RM_SUPERSEDED, RM_PURGE };
enum { FN_STALE, FN_RYW, FN_MR, FN_LOST, FN_SIBLING, FN__COUNT };
enum { RESOLVE_LWW = 1 };

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

/* Every entry of b is covered by a. */
static bool vv_includes(const uint64_t *a, uint32_t na, const uint64_t *b, uint32_t nb)
{
    for (uint32_t i = 0; i < nb; i++)
        if (vv_get(a, na, dot_r(b[i])) < dot_n(b[i]))
            return false;
    return true;
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

typedef struct ulist {       /* a list of record indexes */
    uint32_t *v;
    uint32_t n;
    size_t cap;
} ulist;

typedef struct key_rec {
    scalar key;
    uint32_t *live;          /* dot records stored at some replica now */
    uint32_t nlive;
    size_t caplive;
    vbuf vs;                 /* merged contexts of the live dots */
    vbuf vp;                 /* merged contexts of the tombstones purged so far */
    ulist purged;            /* tombstones purged so far (dot records) */
    ulist lost;              /* writes lost now (write records) */
    uint32_t memo[2];        /* the dot records last looked up for this key */
    uint32_t sib_nodes;      /* replicas keeping two or more versions now */
    uint32_t sib_open;       /* the open sibling finding's sub key, NONE */
    uint64_t sib_seq;        /* and its seq */
    uint8_t lww;             /* the policy of its latest answer is lww (B0) */
    uint8_t vs_dirty;
} key_rec;

typedef struct dot_rec {
    uint64_t dot;
    uint32_t key;
    uint32_t ctx_off, ctx_len;   /* into pool: union of the contexts stored with it */
    uint8_t kind;                /* K_*, 0 while never stored */
    uint8_t purged;              /* a PURGE named it at some replica */
    uint8_t rm_why;              /* RM_*: how its last instance went */
    uint8_t has_child;           /* some write had it as a parent */
    uint8_t lww;                 /* its write was answered under lww */
    uint16_t rm_node;
    uint16_t since_node;         /* the replica whose store began `since` */
    uint32_t live;               /* replicas storing it now */
    uint32_t live_pos;           /* index in the key's live list */
    uint32_t head;               /* first live instance */
    uint32_t write;              /* acknowledged write record, NONE */
    uint32_t parent, jump, depth;    /* the parent tree (B0) */
    int64_t ts;                  /* LWW timestamp, as first stored */
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
    uint64_t lost_seq;       /* the finding's seq while lost */
    uint32_t lost_pos;       /* index in the key's lost list */
    uint16_t node;
    uint8_t op;
    uint8_t lost, dirty;
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

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

struct basecheck {
    const hist *h;
    size_t next;             /* the next event to read */
    int failed;              /* out of memory: nothing more is read */

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
    ulist dirty;             /* writes whose loss must be judged again */

    kr_rec *krs;
    size_t nkrs, capkrs;
    umap krmap;              /* (key, r) -> kr */

    const char **clients;
    size_t nclients, capclients;
    umap clientmap;          /* (name pointer, 0) -> client */
    cl_rec *cls;
    size_t ncls, capcls;
    umap clmap;              /* (client, key) -> cl */
    umap sibmap;             /* (key, node) -> versions kept there, from SIBLINGS */

    /* the GET being judged */
    vbuf vr;                 /* merged contexts of its rows */
    vbuf tmp;
    const hist_event *get;
    uint32_t get_key;
    int absent, lww;

    base_findings out;       /* sorted by (seq, name, sub) */
    uint8_t *fname;          /* per finding: its FN_* */
    uint32_t *fsub;          /* per finding: lost: the write; sibling: the key; else 0 */
    size_t capf;
};

typedef struct basecheck ctx;

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

static int ulist_add(ulist *l, uint32_t x)
{
    RESERVE(l->v, l->cap, (size_t)l->n + 1);
    l->v[l->n++] = x;
    return 0;
}

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
    kr->sib_open = NONE;
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
        r->head = r->write = r->parent = r->jump = NONE;
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

static bool is_state(uint64_t p) { return dot_r(p) == STATE_R; }

/* Is a an ancestor of v in the parent tree, or v itself (B0)? */
static bool ancestor(const ctx *c, uint32_t a, uint32_t v)
{
    if (a == v)
        return true;
    if (a == NONE || v == NONE || !c->dots[a].kind || !c->dots[v].kind)
        return false;
    uint32_t da = c->dots[a].depth;
    while (v != NONE && c->dots[v].depth > da) {
        uint32_t j = c->dots[v].jump;
        v = j != NONE && c->dots[j].depth >= da ? j : c->dots[v].parent;
    }
    return v == a;
}

/* Did the version of dot record v see dot record w (B0)? w's packed dot is p. */
static bool saw(const ctx *c, uint32_t v, uint32_t w, uint64_t p)
{
    if (v == NONE)
        return false;
    if (v == w || c->dots[v].dot == p)
        return true;
    uint32_t n, m;
    const uint64_t *e = dot_ctx(c, v, &n);
    if (is_state(p)) {
        if (w == NONE)
            return false;
        const uint64_t *x = dot_ctx(c, w, &m);
        return vv_includes(e, n, x, m);
    }
    if (vv_get(e, n, dot_r(p)) < dot_n(p))
        return false;
    return w == NONE || !c->keys[c->dots[w].key].lww || ancestor(c, w, v);
}

/* LWW order (version.h): a beats b. */
static bool beats(int64_t ats, uint8_t akind, uint64_t adot, int64_t bts, uint8_t bkind, uint64_t bdot)
{
    if (ats != bts)
        return ats > bts;
    if ((akind == K_TOMB) != (bkind == K_TOMB))
        return akind == K_TOMB;
    if (dot_r(adot) != dot_r(bdot))
        return dot_r(adot) > dot_r(bdot);
    return dot_n(adot) > dot_n(bdot);
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

/* A write whose loss must be judged again (B6) at the next basecheck_findings. */
static int dirty(ctx *c, uint32_t wi)
{
    if (wi == NONE || c->writes[wi].dirty)
        return 0;
    c->writes[wi].dirty = 1;
    return ulist_add(&c->dirty, wi);
}

/* The purged tombstones of a key that are acknowledged writes: a value that comes or goes
 * may decide their loss. */
static int dirty_purged(ctx *c, uint32_t key)
{
    const ulist *l = &c->keys[key].purged;
    for (uint32_t i = 0; i < l->n; i++)
        if (dirty(c, c->dots[l->v[i]].write))
            return -1;
    return 0;
}

static int dirty_lost(ctx *c, uint32_t key, uint32_t r)
{
    const ulist *l = &c->keys[key].lost;
    for (uint32_t i = 0; i < l->n; i++)
        if ((r == 0 || dot_r(c->dots[c->writes[l->v[i]].dot].dot) == r) && dirty(c, l->v[i]))
            return -1;
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
    if (is_state(p))
        sb_printf(b, "a merged state");
    else
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

/* --- the findings, kept sorted by (seq, name, sub) ------------------------------------ */

static int fcmp(uint64_t seq, uint8_t name, uint32_t sub, const ctx *c, size_t i)
{
    const base_finding *f = &c->out.v[i];
    if (seq != f->seq)
        return seq < f->seq ? -1 : 1;
    if (name != c->fname[i])
        return name < c->fname[i] ? -1 : 1;
    if (sub != c->fsub[i])
        return sub < c->fsub[i] ? -1 : 1;
    return 0;
}

/* The position of (seq, name, sub), or where it would go. */
static size_t fpos(const ctx *c, uint64_t seq, uint8_t name, uint32_t sub, bool *found)
{
    size_t lo = 0, hi = (size_t)c->out.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = fcmp(seq, name, sub, c, mid);
        if (k == 0) {
            *found = true;
            return mid;
        }
        if (k > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* Adds a finding (text is taken over, even on failure). */
static int finding_add(ctx *c, uint8_t name, uint32_t sub, uint64_t seq, uint16_t node, uint32_t key,
                       const char *client, uint64_t dot, sbuf *text)
{
    if (text->oom || !text->s || (size_t)c->out.n == INT32_MAX) {
        free(text->s);
        return -1;
    }
    if ((size_t)c->out.n == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 16;
        base_finding *v = realloc(c->out.v, cap * sizeof *v);
        if (v)
            c->out.v = v;
        uint8_t *fn = v ? realloc(c->fname, cap) : NULL;
        if (fn)
            c->fname = fn;
        uint32_t *fs = fn ? realloc(c->fsub, cap * sizeof *fs) : NULL;
        if (!fs) {
            free(text->s);
            return -1;
        }
        c->fsub = fs;
        c->capf = cap;
        c->out.cap = (int)(cap > INT32_MAX ? INT32_MAX : cap);
    }
    bool found;
    size_t i = fpos(c, seq, name, sub, &found);
    size_t n = (size_t)c->out.n;
    memmove(c->out.v + i + 1, c->out.v + i, (n - i) * sizeof *c->out.v);
    memmove(c->fname + i + 1, c->fname + i, n - i);
    memmove(c->fsub + i + 1, c->fsub + i, (n - i) * sizeof *c->fsub);
    base_finding *f = &c->out.v[i];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", fn_names[name]);
    f->seq = seq;
    f->node = node;
    key_text(c, key, f->key, sizeof f->key);
    snprintf(f->client, sizeof f->client, "%s", client ? client : "");
    f->text = text->s;
    f->dot = dot;
    c->fname[i] = name;
    c->fsub[i] = sub;
    c->out.n++;
    return 0;
}

static void finding_remove(ctx *c, uint64_t seq, uint8_t name, uint32_t sub)
{
    bool found;
    size_t i = fpos(c, seq, name, sub, &found);
    if (!found)
        return;
    free(c->out.v[i].text);
    size_t n = (size_t)c->out.n - i - 1;
    memmove(c->out.v + i, c->out.v + i + 1, n * sizeof *c->out.v);
    memmove(c->fname + i, c->fname + i + 1, n);
    memmove(c->fsub + i, c->fsub + i + 1, n * sizeof *c->fsub);
    c->out.n--;
}

/* --- replicas' stores ---------------------------------------------------------------- */

static void live_add(ctx *c, uint32_t d, const hist_event *e)
{
    dot_rec *r = &c->dots[d];
    key_rec *k = &c->keys[r->key];
    r->live_pos = k->nlive;
    k->live[k->nlive++] = d;
    r->since = e->seq;
    r->since_node = e->node;
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

/* The first store of a dot: its place in the parent tree (the parent was stored first). */
static void tree_place(ctx *c, uint32_t d)
{
    dot_rec *r = &c->dots[d];
    uint32_t p = r->parent;
    if (p == NONE || !c->dots[p].kind) {
        r->parent = NONE;
        r->depth = 0;
        r->jump = NONE;
        return;
    }
    r->depth = c->dots[p].depth + 1;
    uint32_t j = c->dots[p].jump, jj = j != NONE ? c->dots[j].jump : NONE;
    if (j != NONE && jj != NONE && c->dots[p].depth - c->dots[j].depth == c->dots[j].depth - c->dots[jj].depth)
        r->jump = jj;
    else
        r->jump = p;
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
        if (!r->kind || r->kind > K_COUNTER)
            r->kind = K_VALUE;
        r->text = e->text;
        r->ts = e->n[1];
        tree_place(c, d);
        if (dirty(c, r->write))
            return -1;
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
        bool raised = true;
        if (s->best_dot == p) {
            raised = cn > s->best_n;
            if (raised)
                s->best_n = cn;
        } else if (cn > s->best_n) {
            s->second_n = s->best_n;
            s->best_n = cn;
            s->best_dot = p;
        } else if (cn > s->second_n) {
            s->second_n = cn;
        } else {
            raised = false;
        }
        if (raised && dirty_lost(c, key, dot_r(x)))
            return -1;
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
    if (r->live++ == 0) {
        live_add(c, d, e);
        if (dirty(c, r->write) || (r->kind != K_TOMB && dirty_purged(c, key)))
            return -1;
    }
    return 0;
}

/* VERSION_DISCARD and PURGE: the dot leaves one replica. */
static int version_remove(ctx *c, const hist_event *e, uint32_t key, int why)
{
    uint64_t p = (uint64_t)e->n[0];
    uint32_t d = dot_find(c, key, p);
    if (d == NONE)
        return 0;
    /* A discard by a version not stored anywhere yet is its coordinator making it: a parent
     * (B0). */
    if (why != RM_PURGE && e->n[1]) {
        uint32_t by;
        if (dot_of(c, key, (uint64_t)e->n[1], &by))
            return -1;
        if (!c->dots[by].kind) {
            if (!c->dots[d].has_child) {
                c->dots[d].has_child = 1;
                if (c->keys[key].lww && dirty(c, c->dots[d].write))
                    return -1;
            }
            if (c->dots[by].parent == NONE)
                c->dots[by].parent = d;
        }
    }
    dot_rec *r = &c->dots[d];
    if (why == RM_PURGE && !r->purged) {
        r->purged = 1;
        uint32_t n;
        const uint64_t *x = dot_ctx(c, d, &n);
        if (vv_merge(&c->keys[key].vp, x, n) < 0 || ulist_add(&c->keys[key].purged, d) || dirty(c, r->write))
            return -1;
    }
    uint32_t ii = umap_get(&c->instmap, d, e->node);
    if (ii == NONE)
        return 0;
    umap_del(&c->instmap, d, e->node);
    r = &c->dots[d];
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
    if (--r->live == 0) {
        live_remove(c, d);
        if (dirty(c, r->write) || (r->kind != K_TOMB && dirty_purged(c, key)))
            return -1;
    }
    return 0;
}

/* B7. */
static int sibling_event(ctx *c, const hist_event *e, uint32_t key)
{
    key_rec *k = &c->keys[key];
    uint32_t was = umap_get(&c->sibmap, key, e->node);
    if (was == NONE)
        was = 0;
    uint32_t now = e->n[0] > 0 ? (uint32_t)(e->n[0] < INT32_MAX ? e->n[0] : INT32_MAX) : 0;
    if (umap_put(&c->sibmap, key, e->node, now))
        return -1;
    if ((was >= 2) == (now >= 2))
        return 0;
    if (now >= 2 && k->sib_nodes++ == 0) {
        char kb[64];
        key_text(c, key, kb, sizeof kb);
        sbuf b = { 0 };
        sb_printf(&b, "siblings: n%u keeps %u concurrent versions of %s, written without seeing "
                  "each other; a GET there returns them all.", (unsigned)e->node, now, kb);
        k->sib_open = key;
        k->sib_seq = e->seq;
        return finding_add(c, FN_SIBLING, key, e->seq, e->node, key, NULL, 0, &b);
    }
    if (now < 2 && k->sib_nodes > 0 && --k->sib_nodes == 0 && k->sib_open != NONE) {
        bool found;
        size_t i = fpos(c, k->sib_seq, FN_SIBLING, key, &found);
        k->sib_open = NONE;
        if (!found)
            return 0;
        base_finding *f = &c->out.v[i];
        sbuf b = { 0 };
        sb_printf(&b, "%s Resolved at n%u (tick %" PRIu64 "): no replica keeps siblings of it "
                  "any more.", f->text, (unsigned)e->node, e->tick);
        if (b.oom)
            return -1;
        free(f->text);
        f->text = b.s;
        f->resolved_seq = e->seq;
        f->resolved_tick = e->tick;
    }
    return 0;
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
    c->dots[d].lww = e->n[4] == RESOLVE_LWW;
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
    if (kr_insert(c, key, p, wi) || dirty(c, wi))
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
    c->lww = e->n[4] == RESOLVE_LWW;
    for (int i = 0; i < e->nrows; i++) {
        uint32_t d = dot_find(c, key, e->rows[i].version);
        if ((d == NONE || c->dots[d].kind != K_TOMB) && e->rows[i].matched != K_TOMB)
            c->absent = 0;
        if (d == NONE)
            continue;
        uint32_t n;
        const uint64_t *x = dot_ctx(c, d, &n);
        if (vv_merge(&c->vr, x, n) < 0)
            return -1;
    }
    return 0;
}

/* Does the GET's result reflect packed dot p, whose record is d (NONE: unknown) (B1)? */
static bool get_reflects(ctx *c, uint32_t d, uint64_t p)
{
    const hist_event *e = c->get;
    const key_rec *k = &c->keys[c->get_key];
    for (int i = 0; i < e->nrows; i++)
        if (e->rows[i].version == p)
            return true;
    uint32_t n = 0;
    const uint64_t *x = d != NONE ? dot_ctx(c, d, &n) : NULL;
    if (is_state(p)) {
        if (d == NONE)
            return false;
        return vv_includes(c->vr.e, c->vr.n, x, n) || (c->absent && vv_includes(k->vp.e, k->vp.n, x, n));
    }
    if (vv_get(c->vr.e, c->vr.n, dot_r(p)) >= dot_n(p)) {
        if (d == NONE || !k->lww)
            return true;
        for (int i = 0; i < e->nrows; i++)
            if (ancestor(c, d, dot_find(c, c->get_key, e->rows[i].version)))
                return true;
    }
    if (c->lww && d != NONE && c->dots[d].kind) {
        const dot_rec *w = &c->dots[d];
        for (int i = 0; i < e->nrows; i++)
            if (beats(e->rows[i].value, e->rows[i].matched, e->rows[i].version, w->ts, w->kind, p))
                return true;
    }
    if (c->absent && d != NONE) {
        if (c->dots[d].purged)
            return true;
        if (vv_get(k->vp.e, k->vp.n, dot_r(p)) >= dot_n(p)) {
            if (!k->lww)
                return true;
            for (uint32_t i = 0; i < k->purged.n; i++)
                if (ancestor(c, d, k->purged.v[i]))
                    return true;
        }
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

/* Is dot record d (packed p) kept now: stored somewhere, or seen by a stored version (B2)?
 * The key's VS must be up to date. */
static bool kept(const ctx *c, uint32_t key, uint32_t d, uint64_t p)
{
    if (d == NONE)
        return false;
    if (c->dots[d].live)
        return true;
    const key_rec *k = &c->keys[key];
    if (!is_state(p)) {
        if (vv_get(k->vs.e, k->vs.n, dot_r(p)) < dot_n(p))
            return false;
        if (!k->lww)
            return true;
    }
    for (uint32_t i = 0; i < k->nlive; i++)
        if (saw(c, k->live[i], d, p))
            return true;
    return false;
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
        if (saw(c, k->live[i], w->dot, d->dot))
            return k->live[i];
    return NONE;
}

/* A candidate for the newest missed write. */
static void consider(ctx *c, const req_rec *rq, uint32_t wi, uint32_t *best)
{
    const write_rec *w = &c->writes[wi];
    if (w->ack_seq >= rq->inv_seq || get_reflects(c, w->dot, c->dots[w->dot].dot))
        return;
    if (*best == NONE || w->ack_seq > c->writes[*best].ack_seq)
        *best = wi;
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
            uint32_t wi = kr->w[a];
            const write_rec *w = &c->writes[wi];
            uint64_t p = c->dots[w->dot].dot;
            if (dot_n(p) <= lo)
                break;
            if (w->ack_seq >= rq->inv_seq || get_reflects(c, w->dot, p) || !kept(c, key, w->dot, p))
                continue;
            if (best == NONE || w->ack_seq > c->writes[best].ack_seq)
                best = wi;
            break;
        }
    }
    /* Writes stored as themselves. */
    for (uint32_t i = 0; i < k->nlive; i++)
        if (c->dots[k->live[i]].write != NONE)
            consider(c, rq, c->dots[k->live[i]].write, &best);
    /* Under lww, writes the result's context covers without its rows having seen them: on
     * the parent tree, between each stored dot and where its line meets the result. */
    if (k->lww) {
        const hist_event *e = c->get;
        for (uint32_t i = 0; i < k->nlive; i++)
            for (uint32_t y = k->live[i]; y != NONE; y = c->dots[y].parent) {
                bool meets = false;
                for (int j = 0; j < e->nrows && !meets; j++)
                    meets = ancestor(c, y, dot_find(c, key, e->rows[j].version));
                if (meets)
                    break;
                if (c->dots[y].write != NONE)
                    consider(c, rq, c->dots[y].write, &best);
            }
    }
    if (best == NONE)
        return 0;
    const hist_event *e = c->get;
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
    return finding_add(c, FN_STALE, 0, e->seq, e->node, key, client, c->dots[wd].dot, &b);
}

static int check_ryw(ctx *c, const req_rec *rq, uint32_t key, const char *client)
{
    if (rq->own == NONE)
        return 0;
    const write_rec *w = &c->writes[rq->own];
    uint64_t p = c->dots[w->dot].dot;
    if (w->ack_seq >= rq->inv_seq || get_reflects(c, w->dot, p) || !kept(c, key, w->dot, p))
        return 0;
    const hist_event *e = c->get;
    sbuf b = { 0 };
    sb_printf(&b, "read your writes: ");
    sb_get(&b, c, e, key);
    sb_printf(&b, ", but %s's own ", client);
    sb_acked(&b, c, rq->own, false);
    sb_printf(&b, " came before it.");
    return finding_add(c, FN_RYW, 0, e->seq, e->node, key, client, p, &b);
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
    for (int i = 0; i < prev->nrows && missed < 0; i++) {
        uint64_t p = prev->rows[i].version;
        uint32_t d = p ? dot_find(c, key, p) : NONE;
        if (p && kept(c, key, d, p) && !get_reflects(c, d, p))
            missed = i;
    }
    if (missed < 0)
        return 0;
    const hist_event *e = c->get;
    sbuf b = { 0 };
    sb_printf(&b, "monotonic read: ");
    sb_get(&b, c, e, key);
    sb_printf(&b, ", but %s's earlier GET at n%u (tick %" PRIu64 ") had returned %s (", client,
              (unsigned)prev->node, prev->tick, prev->text && prev->text[0] ? prev->text : "?");
    sb_dot(&b, prev->rows[missed].version);
    sb_printf(&b, "): the client saw the past again.");
    return finding_add(c, FN_MR, 0, e->seq, e->node, key, client, prev->rows[missed].version, &b);
}

static int req_answer(ctx *c, const hist_event *e, size_t ev_index, uint32_t key)
{
    c->keys[key].lww = e->n[4] == RESOLVE_LWW;
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

/* --- lost writes (B6) --------------------------------------------------------------- */

static bool seen_by_other(const ctx *c, uint32_t wi)
{
    const write_rec *w = &c->writes[wi];
    const dot_rec *d = &c->dots[w->dot];
    if (c->keys[w->key].lww)
        return d->has_child;   /* one parent at most: a version that saw it is a child's line */
    uint32_t ki = umap_get(&c->krmap, w->key, dot_r(d->dot));
    if (ki == NONE)
        return false;
    const kr_rec *k = &c->krs[ki];
    return (k->best_dot != d->dot ? k->best_n : k->second_n) >= dot_n(d->dot);
}

/* A stored value that the purged tombstone of write wi saw or (under lww) beats: the one
 * stored longest; NONE if none. */
static uint32_t back_value(const ctx *c, uint32_t wi)
{
    const write_rec *w = &c->writes[wi];
    const dot_rec *t = &c->dots[w->dot];
    const key_rec *k = &c->keys[w->key];
    uint32_t back = NONE;
    for (uint32_t i = 0; i < k->nlive; i++) {
        uint32_t x = k->live[i];
        const dot_rec *v = &c->dots[x];
        if (v->kind == K_TOMB)
            continue;
        bool gone = saw(c, w->dot, x, v->dot) ||
                    (t->lww && beats(t->ts, t->kind, t->dot, v->ts, v->kind, v->dot));
        if (gone && (back == NONE || v->since < c->dots[back].since))
            back = x;
    }
    return back;
}

static int lost_text(const ctx *c, uint32_t wi, uint32_t back, sbuf *b)
{
    const write_rec *w = &c->writes[wi];
    const dot_rec *d = &c->dots[w->dot];
    sb_printf(b, "lost write: ");
    sb_acked(b, c, wi, true);
    if (back != NONE) {
        const dot_rec *x = &c->dots[back];
        sb_printf(b, " was lost: its tombstone was purged and the older value came "
                  "back (%s, ", x->kind == K_VALUE && x->text ? x->text : "a version it "
                  "deleted");
        sb_dot(b, x->dot);
        sb_printf(b, ", stored at n%u).", (unsigned)x->since_node);
        return b->oom ? -1 : 0;
    }
    uint32_t by = d->rm_by ? dot_find((ctx *)c, w->key, d->rm_by) : NONE;
    if (d->rm_why == RM_LWW) {
        const dot_rec *x = by != NONE ? &c->dots[by] : NULL;
        bool had_seen = by != NONE && saw(c, w->dot, by, d->rm_by);
        sb_printf(b, " was discarded by LWW at every replica in favour of %s (",
                  had_seen ? "an older write it had already seen" : "a concurrent write");
        sb_dot(b, d->rm_by);
        if (x && x->kind && x->ts > d->ts && had_seen)
            sb_printf(b, "), whose timestamp was later (a clock running ahead)");
        else if (x && x->kind && x->ts == d->ts)
            sb_printf(b, "), with the same timestamp: on a tie %s",
                      (x->kind == K_TOMB) != (d->kind == K_TOMB) ? "the delete wins"
                                                                 : "the higher replica number wins");
        else
            sb_printf(b, ")");
        sb_printf(b, "; no surviving version saw it.");
    } else {
        sb_printf(b, " was superseded at every replica by a write that did not see it (");
        sb_dot(b, d->rm_by);
        sb_printf(b, "); no surviving version saw it.");
    }
    return b->oom ? -1 : 0;
}

/* Judges write wi again and brings its finding up to date. */
static int judge_lost(ctx *c, uint32_t wi)
{
    write_rec *w = &c->writes[wi];
    w->dirty = 0;
    const dot_rec *d = &c->dots[w->dot];
    bool lost = false;
    uint32_t back = NONE;
    uint64_t seq = d->rm_seq;
    uint16_t node = d->rm_node;
    if (d->kind && !d->live && !seen_by_other(c, wi)) {
        lost = true;
        if (d->purged) {
            back = back_value(c, wi);
            lost = back != NONE;
            if (lost && c->dots[back].since > seq) {
                seq = c->dots[back].since;
                node = c->dots[back].since_node;
            }
        }
    }
    key_rec *k = &c->keys[w->key];
    if (w->lost) {
        finding_remove(c, w->lost_seq, FN_LOST, wi);
        uint32_t last = k->lost.v[--k->lost.n];
        k->lost.v[w->lost_pos] = last;
        c->writes[last].lost_pos = w->lost_pos;
        w->lost = 0;
    }
    if (!lost)
        return 0;
    sbuf b = { 0 };
    if (lost_text(c, wi, back, &b)) {
        free(b.s);
        return -1;
    }
    const char *client = w->client != NONE ? c->clients[w->client] : NULL;
    if (ulist_add(&k->lost, wi) || finding_add(c, FN_LOST, wi, seq, node, w->key, client, d->dot, &b))
        return -1;
    w = &c->writes[wi];
    w->lost = 1;
    w->lost_seq = seq;
    w->lost_pos = k->lost.n - 1;
    return 0;
}

/* --- entry points ------------------------------------------------------------------- */

static int read_event(ctx *c, const hist_event *e, size_t i)
{
    if (e->side != SIDE_BASE)
        return 0;
    switch (e->kind) {
    case EV_REQ_INVOKE: case EV_REQ_ANSWER: case EV_VERSION_STORE:
    case EV_VERSION_DISCARD: case EV_PURGE: case EV_SIBLINGS:
        break;
    default:
        return 0;
    }
    uint32_t key;
    if (key_of(c, &e->key, &key))
        return -1;
    switch (e->kind) {
    case EV_REQ_INVOKE: return req_invoke(c, e, key);
    case EV_REQ_ANSWER: return req_answer(c, e, i, key);
    case EV_VERSION_STORE: return version_store(c, e, key);
    case EV_VERSION_DISCARD:
        return version_remove(c, e, key, e->text && strcasecmp(e->text, "lww") == 0 ?
                              RM_LWW : RM_SUPERSEDED);
    case EV_PURGE: return version_remove(c, e, key, RM_PURGE);
    default: return sibling_event(c, e, key);
    }
}

basecheck *basecheck_new(void)
{
    basecheck *c = calloc(1, sizeof *c);
    if (c)
        c->inst_free = c->req_free = NONE;
    return c;
}

int basecheck_update(basecheck *c, const hist *h)
{
    if (c->failed)
        return -1;
    c->h = h;
    size_t n = hist_count(h);
    for (; c->next < n; c->next++)
        if (read_event(c, hist_get(h, c->next), c->next)) {
            c->failed = 1;
            return -1;
        }
    return 0;
}

const base_findings *basecheck_findings(basecheck *c)
{
    if (c->failed)
        return NULL;
    /* Judging a write may mark no other write dirty, so the list only shrinks here. */
    for (uint32_t i = 0; i < c->dirty.n; i++)
        if (judge_lost(c, c->dirty.v[i])) {
            c->failed = 1;
            return NULL;
        }
    c->dirty.n = 0;
    return &c->out;
}

void basecheck_close(basecheck *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nkeys; i++) {
        free(c->keys[i].live);
        free(c->keys[i].vs.e);
        free(c->keys[i].vp.e);
        free(c->keys[i].purged.v);
        free(c->keys[i].lost.v);
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
    free(c->dirty.v);
    for (size_t i = 0; i < c->nkrs; i++)
        free(c->krs[i].w);
    free(c->krs);
    umap_free(&c->krmap);
    free(c->clients);
    umap_free(&c->clientmap);
    free(c->cls);
    umap_free(&c->clmap);
    umap_free(&c->sibmap);
    free(c->vr.e);
    free(c->tmp.e);
    for (int i = 0; i < c->out.n; i++)
        free(c->out.v[i].text);
    free(c->out.v);
    free(c->fname);
    free(c->fsub);
    free(c);
}

int basecheck_run(const hist *h, base_findings *out)
{
    memset(out, 0, sizeof *out);
    basecheck *c = basecheck_new();
    if (!c)
        return -1;
    const base_findings *f = NULL;
    int rc = -1;
    if (basecheck_update(c, h) == 0 && (f = basecheck_findings(c)) != NULL) {
        rc = 0;
        if (f->n) {
            /* The checker's own array, handed over: nothing is copied. */
            out->v = c->out.v;
            out->n = out->cap = c->out.n;
            c->out.v = NULL;
            c->out.n = 0;
        }
    }
    basecheck_close(c);
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
