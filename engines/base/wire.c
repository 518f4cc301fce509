/*
 * wire.c: encoding and decoding BASE messages. See wire.h for the byte layout.
 *
 * Encoding walks the message with one writer that counts every byte and stores those that
 * fit in the buffer it was given: wire_encode_to writes straight into the caller's buffer
 * (the cluster's, on its stack) and says how long the message is, and wire_encode counts
 * first (no buffer), then writes into a malloc'ed buffer of exactly that size. Either way
 * the size computation and the bytes written cannot disagree.
 *
 * Decoding trusts nothing. The checks, in order: the version byte (WIRE_EVERSION, so a
 * future layout is told apart from damage), the header and the declared length against
 * the bytes present (WIRE_ESHORT when bytes are missing, WIRE_EBAD when there are extra
 * ones), the CRC (WIRE_ECRC), then the structure (WIRE_EBAD): known type and version
 * kinds, zero reserved bytes, no undefined flag bits, every string within its limit and
 * free of NUL bytes, every count small enough that that many of the smallest possible
 * items would fit in the bytes left (so a hostile count cannot make us allocate), version
 * vectors, PN-counters, OR-set adds and removed dots strictly ascending in the orders
 * version.h keeps them in (vv and counter entries with a nonzero replica, vv counters
 * nonzero, counter entries never both zero, no add whose dot was removed: the invariants
 * V1, O1-O3 and P1 of version.c, which its functions assert), KEYS leaf indexes below
 * MERKLE_LEAVES and strictly ascending (as merkle_diff reports them), a ROOT of exactly one
 * hash, MIDS of exactly MERKLE_FANOUT, a LEAVES mask that is not zero with exactly its
 * leaves after it, READ_REPLY with at most one key state, and no bytes left over after
 * the body. The encoder refuses what the decoder would refuse in the parts the caller
 * fills in by hand (limits, leaf order, a LEAVES mask), so a bad message fails at the
 * sender rather than vanishing as "malformed" at the receiver. On any error everything
 * allocated so far is freed and *m is left zeroed (wire_msg_init).
 *
 * Decoded versions are built directly in the structs of version.h (each array malloc'ed
 * with len = cap = its count), which is what the *_free functions release; or, with
 * wire_decode_in, every piece comes from the caller's arena and nothing is freed but the
 * arena (those versions are only read). `stored` is local to a replica and does not
 * travel: it decodes as 0.
 */
#include "wire.h"
#include "crc32c.h"

#include <stdlib.h>
#include <string.h>

/* Little-endian integers, spelt out so that the compiler makes each one load or store. */
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

static inline void put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

/* Smallest encodings, for bounding counts before allocating. */
#define MIN_VERSION (1 + 12 + 8 + 4)        /* tombstone with an empty context */
#define MIN_KEYSTATE (1 + 4)                /* empty key, no versions */

static bool type_ok(int t) { return t >= MSG_WRITE && t < MSG__COUNT; }
static bool kind_ok(int k) { return k >= BV_VALUE && k <= BV_COUNTER; }

/* ---- encoding -------------------------------------------------------------------------- */

/* Counts every byte in n and stores those that fit in p[0..cap) (cap 0: only counts); bad
 * is set when the message cannot be encoded. */
typedef struct wbuf { uint8_t *p; size_t n, cap; bool bad; } wbuf;

static inline void w_bytes(wbuf *w, const void *src, size_t k)
{
    if (k && w->n + k <= w->cap)
        memcpy(w->p + w->n, src, k);
    w->n += k;
}

static inline void w8(wbuf *w, uint8_t v) { w_bytes(w, &v, 1); }

static inline void w16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    w_bytes(w, b, 2);
}

static inline void w32(wbuf *w, uint32_t v)
{
    uint8_t b[4];
    put32(b, v);
    w_bytes(w, b, 4);
}

static inline void w64(wbuf *w, uint64_t v)
{
    uint8_t b[8];
    put32(b, (uint32_t)v);
    put32(b + 4, (uint32_t)(v >> 32));
    w_bytes(w, b, 8);
}

/* Performance: k little-endian u64s at once (MIDS and LEAVES hashes); on a little-endian
 * machine that is a memcpy. Same bytes as k calls of w64. */
static void w64s(wbuf *w, const uint64_t *v, size_t k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w_bytes(w, v, 8 * k);
#else
    for (size_t i = 0; i < k; i++)
        w64(w, v[i]);
#endif
}

static void w_str(wbuf *w, const char *s, size_t max)
{
    size_t len = strnlen(s, max + 1);
    if (len > max) {
        w->bad = true;
        return;
    }
    w8(w, (uint8_t)len);
    w_bytes(w, s, len);
}

static void w_dot(wbuf *w, dot d)
{
    w32(w, d.r);
    w64(w, d.n);
}

static void w_version(wbuf *w, const bversion *v)
{
    if (!kind_ok(v->kind) || (v->ctx.len && !v->ctx.e)) {
        w->bad = true;
        return;
    }
    w8(w, v->kind);
    w_dot(w, v->d);
    w64(w, (uint64_t)v->ts);
    w32(w, v->ctx.len);
    for (uint32_t i = 0; i < v->ctx.len; i++) {
        w32(w, v->ctx.e[i].r);
        w64(w, v->ctx.e[i].n);
    }
    switch (v->kind) {
    case BV_VALUE:
        w_str(w, v->value, BASE_VALUE_MAX);
        break;
    case BV_TOMB:
        break;
    case BV_SET:
        if ((v->set.nadds && !v->set.adds) || (v->set.nrem && !v->set.removed)) {
            w->bad = true;
            return;
        }
        w32(w, v->set.nadds);
        for (uint32_t i = 0; i < v->set.nadds; i++) {
            w_str(w, v->set.adds[i].elem, BASE_VALUE_MAX);
            w_dot(w, v->set.adds[i].d);
        }
        w32(w, v->set.nrem);
        for (uint32_t i = 0; i < v->set.nrem; i++)
            w_dot(w, v->set.removed[i]);
        break;
    case BV_COUNTER:
        if (v->ctr.len && !v->ctr.e) {
            w->bad = true;
            return;
        }
        w32(w, v->ctr.len);
        for (uint32_t i = 0; i < v->ctr.len; i++) {
            w32(w, v->ctr.e[i].r);
            w64(w, v->ctr.e[i].p);
            w64(w, v->ctr.e[i].n);
        }
        break;
    }
}

static void w_states(wbuf *w, uint32_t n, const wire_keystate *s)
{
    if (n && !s) {
        w->bad = true;
        return;
    }
    w32(w, n);
    for (uint32_t i = 0; i < n && !w->bad; i++) {
        w_str(w, s[i].key, BASE_KEY_MAX);
        if (s[i].nv && !s[i].v) {
            w->bad = true;
            return;
        }
        w32(w, s[i].nv);
        for (uint32_t j = 0; j < s[i].nv && !w->bad; j++)
            w_version(w, &s[i].v[j]);
    }
}

static void w_msg(wbuf *w, const wire_msg *m)
{
    uint8_t h[WIRE_HDR];
    h[0] = WIRE_VERSION;
    h[1] = m->type;
    h[2] = h[3] = 0;
    put32(h + 4, 0);         /* total length, patched in once known */
    put32(h + 8, m->from);
    put32(h + 12, m->to);
    put32(h + 16, (uint32_t)m->id);
    put32(h + 20, (uint32_t)(m->id >> 32));
    w_bytes(w, h, sizeof h);
    switch (m->type) {
    case MSG_WRITE:
        w8(w, m->flags & (WIRE_WRITE_HINT | WIRE_WRITE_RID));
        if (m->flags & WIRE_WRITE_RID) {
            if (!m->rid[0])
                w->bad = true;
            w_str(w, m->rid, BASE_RID_MAX);
            w_dot(w, m->rid_dot);
        }
        w_states(w, m->nstates, m->states);
        break;
    case MSG_WRITE_ACK:
    case MSG_READ:
        w_str(w, m->key, BASE_KEY_MAX);
        break;
    case MSG_READ_REPLY:
        if (m->nstates > 1)
            w->bad = true;
        w_states(w, m->nstates, m->states);
        break;
    case MSG_REPAIR:
    case MSG_PUSH_BACK:
        w_states(w, m->nstates, m->states);
        break;
    case MSG_ROOT:
        w64(w, m->root);
        break;
    case MSG_MIDS:
        if (!m->mids) {
            w->bad = true;
            break;
        }
        w64s(w, m->mids, MERKLE_FANOUT);
        break;
    case MSG_LEAVES:
        if (!m->mask || !m->leaves) {
            w->bad = true;
            break;
        }
        w16(w, m->mask);
        w64s(w, m->leaves, (size_t)wire_mask_count(m->mask) * MERKLE_FANOUT);
        break;
    case MSG_KEYS:
        if ((m->nhashes && !m->hashes) || (m->nleaves && !m->diff_leaves)
            || m->nleaves > MERKLE_LEAVES) {
            w->bad = true;
            break;
        }
        w32(w, m->compared);
        w32(w, m->nleaves);
        for (uint32_t i = 0; i < m->nleaves; i++) {
            if (m->diff_leaves[i] >= MERKLE_LEAVES || (i && m->diff_leaves[i] <= m->diff_leaves[i - 1]))
                w->bad = true;
            w16(w, m->diff_leaves[i]);
        }
        w32(w, m->nhashes);
        for (uint32_t i = 0; i < m->nhashes && !w->bad; i++) {
            w_str(w, m->hashes[i].key, BASE_KEY_MAX);
            w64(w, m->hashes[i].hash);
        }
        break;
    case MSG_PUSH:
        w_states(w, m->nstates, m->states);
        if (m->nwant && !m->want) {
            w->bad = true;
            break;
        }
        w32(w, m->nwant);
        for (uint32_t i = 0; i < m->nwant && !w->bad; i++)
            w_str(w, m->want[i], BASE_KEY_MAX);
        break;
    default:
        w->bad = true;
    }
    w32(w, 0);               /* CRC, written last */
}

int wire_mask_count(uint16_t mask)
{
    int n = 0;
    for (; mask; mask &= (uint16_t)(mask - 1))
        n++;
    return n;
}

size_t wire_encode_to(const wire_msg *m, uint8_t *buf, size_t cap)
{
    wbuf w = { buf, 0, buf ? cap : 0, false };
    w_msg(&w, m);
    size_t len = w.n;
    if (w.bad || len > WIRE_MAX)
        return 0;
    if (len > w.cap)
        return len;
    put32(buf + 4, (uint32_t)len);
    put32(buf + len - 4, crc32c_update(0, buf, len - 4));
    return len;
}

size_t wire_encode(const wire_msg *m, uint8_t **out)
{
    *out = NULL;
    size_t len = wire_encode_to(m, NULL, 0);
    uint8_t *p = len ? malloc(len) : NULL;
    if (!p || wire_encode_to(m, p, len) != len) {
        free(p);
        return 0;
    }
    *out = p;
    return len;
}

/* ---- decoding -------------------------------------------------------------------------- */

typedef struct rbuf { const uint8_t *p; size_t left; wire_arena *arena; } rbuf;

/* ---- the arena ----------------------------------------------------------------------------- */

#define ARENA_CHUNK 16384

struct wire_chunk {
    wire_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void wire_arena_init(wire_arena *a)
{
    a->first = a->cur = NULL;
    a->used = a->big = false;
}

void wire_arena_free(wire_arena *a)
{
    for (wire_chunk *c = a->first, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    wire_arena_init(a);
}

/* Everything given back: a chunk's space counts as free from the moment the allocator
 * steps into it, so only the first needs emptying here; chunks bigger than usual (a huge
 * message) are freed. */
void wire_arena_reset(wire_arena *a)
{
    if (!a->used)
        return;
    if (a->big) {
        for (wire_chunk **link = &a->first; *link;) {
            wire_chunk *c = *link;
            if (c->cap > ARENA_CHUNK) {
                *link = c->next;
                free(c);
            } else {
                link = &c->next;
            }
        }
        a->big = false;
    }
    if (a->first)
        a->first->used = 0;
    a->cur = a->first;
    a->used = false;
}

static void *arena_alloc(wire_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    wire_chunk *c = a->cur;
    while (c && c->cap - c->used < n) {
        c = c->next;
        if (c)
            c->used = 0;
    }
    if (!c) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        a->big |= cap > ARENA_CHUNK;
        c->used = 0;
        c->cap = cap;
        c->next = NULL;
        wire_chunk **link = a->cur ? &a->cur->next : &a->first;
        while (*link)
            link = &(*link)->next;
        *link = c;
    }
    a->cur = c;
    a->used = true;
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Memory for a decoded piece: from the arena when decoding into one, else the heap. */
static void *r_alloc(rbuf *r, size_t n, bool zero)
{
    if (r->arena) {
        void *p = arena_alloc(r->arena, n);
        if (p && zero)
            memset(p, 0, n);
        return p;
    }
    return zero ? calloc(1, n) : malloc(n);
}

static inline int r8(rbuf *r, uint8_t *v)
{
    if (r->left < 1)
        return WIRE_EBAD;
    *v = r->p[0];
    r->p++;
    r->left--;
    return WIRE_OK;
}

static inline int r16(rbuf *r, uint16_t *v)
{
    if (r->left < 2)
        return WIRE_EBAD;
    *v = (uint16_t)(r->p[0] | r->p[1] << 8);
    r->p += 2;
    r->left -= 2;
    return WIRE_OK;
}

static inline int r32(rbuf *r, uint32_t *v)
{
    if (r->left < 4)
        return WIRE_EBAD;
    *v = get32(r->p);
    r->p += 4;
    r->left -= 4;
    return WIRE_OK;
}

static inline int r64(rbuf *r, uint64_t *v)
{
    if (r->left < 8)
        return WIRE_EBAD;
    *v = get64(r->p);
    r->p += 8;
    r->left -= 8;
    return WIRE_OK;
}

/* k little-endian u64s. Performance: on a little-endian machine, as in memory here. */
static int r64s(rbuf *r, uint64_t *v, size_t k)
{
    if (r->left / 8 < k)
        return WIRE_EBAD;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (k)
        memcpy(v, r->p, 8 * k);
#else
    for (size_t i = 0; i < k; i++)
        v[i] = get64(r->p + 8 * i);
#endif
    r->p += 8 * k;
    r->left -= 8 * k;
    return WIRE_OK;
}

/* A count of items at least min bytes each, refused unless they could all fit. */
static inline int r_count(rbuf *r, uint32_t *n, size_t min)
{
    int rc = r32(r, n);
    if (rc == WIRE_OK && *n > r->left / min)
        rc = WIRE_EBAD;
    return rc;
}

/* Into dst (room for max + 1): at most max bytes, no NUL inside. */
static int r_str(rbuf *r, char *dst, size_t max)
{
    uint8_t len;
    int rc = r8(r, &len);
    if (rc)
        return rc;
    if (len > max || len > r->left || memchr(r->p, 0, len))
        return WIRE_EBAD;
    memcpy(dst, r->p, len);
    dst[len] = '\0';
    r->p += len;
    r->left -= len;
    return WIRE_OK;
}

static int r_dot(rbuf *r, dot *d)
{
    int rc = r32(r, &d->r);
    return rc ? rc : r64(r, &d->n);
}

static int dot_cmp(dot a, dot b)
{
    if (a.r != b.r)
        return a.r < b.r ? -1 : 1;
    if (a.n != b.n)
        return a.n < b.n ? -1 : 1;
    return 0;
}

static bool dots_has(const dot *d, uint32_t len, dot x)
{
    uint32_t lo = 0, hi = len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = dot_cmp(d[mid], x);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int r_vv(rbuf *r, vv *v)
{
    uint32_t n;
    int rc = r_count(r, &n, 12);
    if (rc || n == 0)
        return rc;
    if (!(v->e = r_alloc(r, n * sizeof *v->e, false)))
        return WIRE_ENOMEM;
    v->cap = n;
    for (uint32_t i = 0; i < n; i++) {
        vv_ent e;
        if ((rc = r32(r, &e.r)) || (rc = r64(r, &e.n)))
            return rc;
        if (e.r == 0 || e.n == 0 || (i > 0 && e.r <= v->e[i - 1].r))
            return WIRE_EBAD;
        v->e[v->len++] = e;
    }
    return WIRE_OK;
}

static int r_orset(rbuf *r, orset *s)
{
    uint32_t n;
    int rc = r_count(r, &n, 1 + 12);
    if (rc)
        return rc;
    if (n) {
        if (!(s->adds = r_alloc(r, n * sizeof *s->adds, false)))
            return WIRE_ENOMEM;
        s->capadds = n;
        for (uint32_t i = 0; i < n; i++) {
            orset_entry *a = &s->adds[i];
            if ((rc = r_str(r, a->elem, BASE_VALUE_MAX)) || (rc = r_dot(r, &a->d)))
                return rc;
            if (i > 0) {
                int c = strcmp(s->adds[i - 1].elem, a->elem);
                if (c > 0 || (c == 0 && dot_cmp(s->adds[i - 1].d, a->d) >= 0))
                    return WIRE_EBAD;
            }
            s->nadds++;
        }
    }
    if ((rc = r_count(r, &n, 12)) || n == 0)
        return rc;
    if (!(s->removed = r_alloc(r, n * sizeof *s->removed, false)))
        return WIRE_ENOMEM;
    s->caprem = n;
    for (uint32_t i = 0; i < n; i++) {
        dot d;
        if ((rc = r_dot(r, &d)))
            return rc;
        if (i > 0 && dot_cmp(s->removed[i - 1], d) >= 0)
            return WIRE_EBAD;
        s->removed[s->nrem++] = d;
    }
    for (uint32_t i = 0; i < s->nadds; i++)
        if (dots_has(s->removed, s->nrem, s->adds[i].d))
            return WIRE_EBAD;
    return WIRE_OK;
}

static int r_counter(rbuf *r, pncounter *c)
{
    uint32_t n;
    int rc = r_count(r, &n, 20);
    if (rc || n == 0)
        return rc;
    if (!(c->e = r_alloc(r, n * sizeof *c->e, false)))
        return WIRE_ENOMEM;
    c->cap = n;
    for (uint32_t i = 0; i < n; i++) {
        pnc_ent e;
        if ((rc = r32(r, &e.r)) || (rc = r64(r, &e.p)) || (rc = r64(r, &e.n)))
            return rc;
        if (e.r == 0 || (e.p == 0 && e.n == 0) || (i > 0 && e.r <= c->e[i - 1].r))
            return WIRE_EBAD;
        c->e[c->len++] = e;
    }
    return WIRE_OK;
}

/* On error v is freed again. */
static int r_version(rbuf *r, bversion *v)
{
    uint8_t kind;
    uint64_t ts;
    bver_init(v);
    int rc = r8(r, &kind);
    if (rc == WIRE_OK && !kind_ok(kind))
        rc = WIRE_EBAD;
    if (rc == WIRE_OK) {
        v->kind = kind;
        if (!(rc = r_dot(r, &v->d)) && !(rc = r64(r, &ts)))
            v->ts = (int64_t)ts;
    }
    if (rc == WIRE_OK)
        rc = r_vv(r, &v->ctx);
    if (rc == WIRE_OK) {
        switch (kind) {
        case BV_VALUE: rc = r_str(r, v->value, BASE_VALUE_MAX); break;
        case BV_TOMB: break;
        case BV_SET: rc = r_orset(r, &v->set); break;
        case BV_COUNTER: rc = r_counter(r, &v->ctr); break;
        }
    }
    if (rc && !r->arena)
        bver_free(v);
    return rc;
}

/* States are counted in *n as soon as they are allocated (zeroed), versions in nv only once
 * decoded, so wire_msg_free can always release what is there. */
static int r_states(rbuf *r, uint32_t *n, wire_keystate **out)
{
    uint32_t count;
    int rc = r_count(r, &count, MIN_KEYSTATE);
    if (rc || count == 0)
        return rc;
    wire_keystate *s = r_alloc(r, (size_t)count * sizeof *s, true);
    if (!s)
        return WIRE_ENOMEM;
    *out = s;
    *n = count;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t nv;
        if ((rc = r_str(r, s[i].key, BASE_KEY_MAX)) || (rc = r_count(r, &nv, MIN_VERSION)))
            return rc;
        if (nv == 0)
            continue;
        if (!(s[i].v = r_alloc(r, (size_t)nv * sizeof *s[i].v, false)))
            return WIRE_ENOMEM;
        for (uint32_t j = 0; j < nv; j++) {
            if ((rc = r_version(r, &s[i].v[j])))
                return rc;
            s[i].nv++;
        }
    }
    return WIRE_OK;
}

static int r_body(rbuf *r, wire_msg *m)
{
    int rc = WIRE_OK;
    switch (m->type) {
    case MSG_WRITE:
        if ((rc = r8(r, &m->flags)))
            return rc;
        if (m->flags & ~(WIRE_WRITE_HINT | WIRE_WRITE_RID))
            return WIRE_EBAD;
        if (m->flags & WIRE_WRITE_RID) {
            if ((rc = r_str(r, m->rid, BASE_RID_MAX)) || (rc = r_dot(r, &m->rid_dot)))
                return rc;
            if (!m->rid[0])
                return WIRE_EBAD;
        }
        return r_states(r, &m->nstates, &m->states);
    case MSG_WRITE_ACK:
    case MSG_READ:
        return r_str(r, m->key, BASE_KEY_MAX);
    case MSG_READ_REPLY:
        if ((rc = r_states(r, &m->nstates, &m->states)))
            return rc;
        return m->nstates > 1 ? WIRE_EBAD : WIRE_OK;
    case MSG_REPAIR:
    case MSG_PUSH_BACK:
        return r_states(r, &m->nstates, &m->states);
    case MSG_ROOT:
        return r64(r, &m->root);
    case MSG_MIDS:
        if (r->left != (size_t)MERKLE_FANOUT * 8)
            return WIRE_EBAD;
        if (!(m->mids = r_alloc(r, MERKLE_FANOUT * sizeof *m->mids, false)))
            return WIRE_ENOMEM;
        return r64s(r, m->mids, MERKLE_FANOUT);
    case MSG_LEAVES: {
        if ((rc = r16(r, &m->mask)))
            return rc;
        size_t n = (size_t)wire_mask_count(m->mask) * MERKLE_FANOUT;
        if (n == 0 || r->left < n * 8)
            return WIRE_EBAD;
        if (!(m->leaves = r_alloc(r, n * sizeof *m->leaves, false)))
            return WIRE_ENOMEM;
        return r64s(r, m->leaves, n);
    }
    case MSG_KEYS: {
        uint32_t n;
        if ((rc = r32(r, &m->compared)) || (rc = r_count(r, &n, 2)))
            return rc;
        if (n > MERKLE_LEAVES)
            return WIRE_EBAD;
        if (n) {
            if (!(m->diff_leaves = r_alloc(r, n * sizeof *m->diff_leaves, false)))
                return WIRE_ENOMEM;
            for (uint32_t i = 0; i < n; i++) {
                uint16_t leaf;
                if ((rc = r16(r, &leaf)))
                    return rc;
                if (leaf >= MERKLE_LEAVES || (i && leaf <= m->diff_leaves[i - 1]))
                    return WIRE_EBAD;
                m->diff_leaves[m->nleaves++] = leaf;
            }
        }
        if ((rc = r_count(r, &n, 1 + 8)) || n == 0)
            return rc;
        if (!(m->hashes = r_alloc(r, (size_t)n * sizeof *m->hashes, true)))
            return WIRE_ENOMEM;
        for (uint32_t i = 0; i < n; i++) {
            if ((rc = r_str(r, m->hashes[i].key, BASE_KEY_MAX)) || (rc = r64(r, &m->hashes[i].hash)))
                return rc;
            m->nhashes++;
        }
        return WIRE_OK;
    }
    case MSG_PUSH: {
        uint32_t n;
        if ((rc = r_states(r, &m->nstates, &m->states)))
            return rc;
        if ((rc = r_count(r, &n, 1)) || n == 0)
            return rc;
        if (!(m->want = r_alloc(r, (size_t)n * sizeof *m->want, true)))
            return WIRE_ENOMEM;
        for (uint32_t i = 0; i < n; i++) {
            if ((rc = r_str(r, m->want[i], BASE_KEY_MAX)))
                return rc;
            m->nwant++;
        }
        return WIRE_OK;
    }
    default:
        return WIRE_EBAD;
    }
}

static int decode(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *arena)
{
    wire_msg_init(m);
    m->in_arena = arena != NULL;
    if (n < 1)
        return WIRE_ESHORT;
    if (buf[0] != WIRE_VERSION)
        return WIRE_EVERSION;
    if (n < WIRE_HDR + 4)
        return WIRE_ESHORT;
    uint32_t len = get32(buf + 4);
    if (len < WIRE_HDR + 4 || len > WIRE_MAX)
        return WIRE_EBAD;
    if (len > n)
        return WIRE_ESHORT;
    if (len < n)
        return WIRE_EBAD;
    if (crc32c_update(0, buf, len - 4) != get32(buf + len - 4))
        return WIRE_ECRC;
    if (!type_ok(buf[1]) || buf[2] || buf[3])
        return WIRE_EBAD;
    m->type = buf[1];
    m->from = get32(buf + 8);
    m->to = get32(buf + 12);
    m->id = get64(buf + 16);
    rbuf r = { buf + WIRE_HDR, len - WIRE_HDR - 4, arena };
    int rc = r_body(&r, m);
    if (rc == WIRE_OK && r.left != 0)
        rc = WIRE_EBAD;
    return rc;
}

int wire_decode(const uint8_t *buf, size_t n, wire_msg *m)
{
    int rc = decode(buf, n, m, NULL);
    if (rc) {
        wire_msg_free(m);
        wire_msg_init(m);
    }
    return rc;
}

int wire_decode_in(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *a)
{
    int rc = decode(buf, n, m, a);
    if (rc)
        wire_msg_init(m);        /* the arena keeps what was taken, until its reset */
    return rc;
}

const wire_msg wire_msg_empty;

void wire_msg_free(wire_msg *m)
{
    for (uint32_t i = 0; !m->in_arena && m->states && i < m->nstates; i++) {
        for (uint32_t j = 0; j < m->states[i].nv; j++)
            bver_free(&m->states[i].v[j]);
        free(m->states[i].v);
    }
    if (!m->in_arena) {
        free(m->states);
        free(m->mids);
        free(m->leaves);
        free(m->diff_leaves);
        free(m->hashes);
        free(m->want);
    }
    m->states = NULL;
    m->mids = NULL;
    m->leaves = NULL;
    m->diff_leaves = NULL;
    m->hashes = NULL;
    m->want = NULL;
    m->nstates = m->nleaves = m->nhashes = m->nwant = 0;
}

const char *wire_type_name(int type)
{
    static const char *const names[MSG__COUNT] = {
        [MSG_WRITE] = "write", [MSG_WRITE_ACK] = "write_ack", [MSG_READ] = "read",
        [MSG_READ_REPLY] = "read_reply", [MSG_REPAIR] = "repair", [MSG_ROOT] = "root",
        [MSG_MIDS] = "mids", [MSG_LEAVES] = "leaves", [MSG_KEYS] = "keys", [MSG_PUSH] = "push",
        [MSG_PUSH_BACK] = "push_back",
    };
    return type_ok(type) ? names[type] : "unknown";
}

const char *wire_strerror(int rc)
{
    switch (rc) {
    case WIRE_OK: return "ok";
    case WIRE_ESHORT: return "truncated";
    case WIRE_EVERSION: return "unknown wire version";
    case WIRE_ECRC: return "bad checksum";
    case WIRE_EBAD: return "malformed";
    case WIRE_ENOMEM: return "out of memory";
    default: return "unknown error";
    }
}
