/*
 * version.c: version vectors, the observed-remove set, the PN-counter, stored versions and
 * base_hash. See version.h for what they mean; this file is only about how they are kept.
 *
 * Representation and invariants (checked by the *_ok functions under assert):
 *   V1  a vv's entries are sorted by replica, strictly ascending, every counter nonzero.
 *   O1  an orset's adds are sorted by (elem bytewise, dot), with no duplicate (elem, dot);
 *       every elem is a NUL-terminated string of at most BASE_VALUE_MAX bytes.
 *   O2  an orset's removed dots are sorted (replica, then counter) and unique.
 *   O3  no add's dot is in removed: removing moves dots from adds to removed (dropping
 *       any add under those dots), an add of a removed dot is ignored, and a merge filters
 *       the union of adds by the union of removed, so a remove survives every later merge.
 *       The removed set only grows; this module does not garbage-collect it.
 *   P1  a PN-counter's entries are sorted by replica, strictly ascending, never both zero.
 * Because of V1, O1-O2 and P1 every merge is one sorted merge, O(len a + len b), and the
 * equality tests are plain element-wise comparisons.
 *
 * Copies: the *_copy functions write dst without reading it (dst need not be initialised,
 * and its previous contents, if any, are NOT freed). Out of memory: every function that
 * allocates returns -1 and leaves its target as it was (a copy leaves dst empty and
 * initialised), never half-updated; nothing here aborts.
 *
 * base_hash is FNV-1a 64 (offset basis XOR seed) followed by murmur3's fmix64 finalizer, so
 * that nearby inputs spread over all 64 bits (merkle.c takes its leaf from the top bits).
 * bver_hash feeds the replicated fields in a canonical order, integers a word at a time
 * and strings a byte at a time (feed_u64), then the same finalizer; `stored` is local and
 * left out.
 */
#include "version.h"
#include "common/fmix.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growth -------------------------------------------------------------------------- */

/* Makes room for `need` elements of `size` bytes; 0, or -1 (and *arr untouched). */
static int grow(void **arr, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint64_t c = *cap ? *cap : 4;
    while (c < need)
        c *= 2;
    if (c > UINT32_MAX)
        c = UINT32_MAX;
    if (c < need || c > SIZE_MAX / size)
        return -1;
    void *p = realloc(*arr, (size_t)c * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = (uint32_t)c;
    return 0;
}

/* ---- formatting into a bounded buffer, snprintf-style -------------------------------- */

typedef struct outbuf { char *buf; size_t n, len; } outbuf;

static void out_init(outbuf *o, char *buf, size_t n)
{
    o->buf = buf;
    o->n = n;
    o->len = 0;
    if (n)
        buf[0] = '\0';
}

static void out_str(outbuf *o, const char *s)
{
    size_t l = strlen(s);
    if (o->len + 1 < o->n) {
        size_t room = o->n - 1 - o->len;
        size_t c = l < room ? l : room;
        memcpy(o->buf + o->len, s, c);
        o->buf[o->len + c] = '\0';
    }
    o->len += l;
}

static void out_fmt(outbuf *o, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    out_str(o, tmp);
}

/* Like snprintf: the length the whole text has, whether or not it fitted. */
static int out_done(const outbuf *o)
{
    return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

/* ---- dots -------------------------------------------------------------------------------- */

static int dot_cmp(dot a, dot b)
{
    if (a.r != b.r)
        return a.r < b.r ? -1 : 1;
    if (a.n != b.n)
        return a.n < b.n ? -1 : 1;
    return 0;
}

/* Sorted unique dot array: binary search. */
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

/* ---- version vectors ------------------------------------------------------------------- */

#ifndef NDEBUG
static bool vv_ok(const vv *v)
{
    if (v->len > v->cap || (v->len && !v->e))
        return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->e[i].n == 0 || (i && v->e[i - 1].r >= v->e[i].r))
            return false;
    return true;
}
#endif

void vv_init(vv *v)
{
    v->len = v->cap = 0;
    v->e = NULL;
}

void vv_free(vv *v)
{
    free(v->e);
    vv_init(v);
}

int vv_copy(vv *dst, const vv *src)
{
    vv_init(dst);
    if (src->len == 0)
        return 0;
    dst->e = malloc((size_t)src->len * sizeof *dst->e);
    if (!dst->e)
        return -1;
    memcpy(dst->e, src->e, (size_t)src->len * sizeof *dst->e);
    dst->len = dst->cap = src->len;
    return 0;
}

/* Index of the first entry with replica >= r. */
static uint32_t vv_find(const vv *v, uint32_t r)
{
    uint32_t lo = 0, hi = v->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->e[mid].r < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t vv_get(const vv *v, uint32_t r)
{
    uint32_t i = vv_find(v, r);
    return i < v->len && v->e[i].r == r ? v->e[i].n : 0;
}

int vv_add_dot(vv *v, dot d)
{
    if (dot_none(d) || d.n == 0)
        return 0;                       /* no replica 0; a zero counter is no entry (V1) */
    uint32_t i = vv_find(v, d.r);
    if (i < v->len && v->e[i].r == d.r) {
        if (v->e[i].n < d.n)
            v->e[i].n = d.n;
        return 0;
    }
    if (v->len == UINT32_MAX || grow((void **)&v->e, &v->cap, v->len + 1, sizeof *v->e))
        return -1;
    memmove(v->e + i + 1, v->e + i, (size_t)(v->len - i) * sizeof *v->e);
    v->e[i].r = d.r;
    v->e[i].n = d.n;
    v->len++;
    assert(vv_ok(v));
    return 0;
}

int vv_merge(vv *dst, const vv *src)
{
    if (dst == src || src->len == 0)
        return 0;
    /* Count the union, make room, then merge from the back so nothing is overwritten
     * before it is read. */
    uint64_t u = 0;
    for (uint32_t i = 0, j = 0; i < dst->len || j < src->len; u++) {
        if (j == src->len || (i < dst->len && dst->e[i].r < src->e[j].r))
            i++;
        else if (i == dst->len || src->e[j].r < dst->e[i].r)
            j++;
        else {
            i++;
            j++;
        }
    }
    if (u > UINT32_MAX || grow((void **)&dst->e, &dst->cap, (uint32_t)u, sizeof *dst->e))
        return -1;
    int64_t i = (int64_t)dst->len - 1, j = (int64_t)src->len - 1, k = (int64_t)u - 1;
    while (j >= 0) {
        if (i >= 0 && dst->e[i].r > src->e[j].r)
            dst->e[k--] = dst->e[i--];
        else if (i < 0 || src->e[j].r > dst->e[i].r)
            dst->e[k--] = src->e[j--];
        else {
            vv_ent x = dst->e[i--];
            if (src->e[j].n > x.n)
                x.n = src->e[j].n;
            j--;
            dst->e[k--] = x;
        }
    }
    /* What is left of dst (i >= 0) is already in place: k == i. */
    dst->len = (uint32_t)u;
    assert(vv_ok(dst));
    return 0;
}

bool vv_covers(const vv *v, dot d)
{
    return !dot_none(d) && vv_get(v, d.r) >= d.n;
}

int vv_cmp(const vv *a, const vv *b)
{
    bool less = false, greater = false;   /* some a[r] < b[r]; some a[r] > b[r] */
    uint32_t i = 0, j = 0;
    while ((i < a->len || j < b->len) && !(less && greater)) {
        if (j == b->len || (i < a->len && a->e[i].r < b->e[j].r)) {
            greater = true;                 /* b[r] is 0, a[r] nonzero */
            i++;
        } else if (i == a->len || b->e[j].r < a->e[i].r) {
            less = true;
            j++;
        } else {
            if (a->e[i].n < b->e[j].n)
                less = true;
            else if (a->e[i].n > b->e[j].n)
                greater = true;
            i++;
            j++;
        }
    }
    if (less && greater)
        return VV_CONCURRENT;
    if (less)
        return VV_BEFORE;
    if (greater)
        return VV_AFTER;
    return VV_EQUAL;
}

bool vv_equal(const vv *a, const vv *b)
{
    if (a->len != b->len)
        return false;
    for (uint32_t i = 0; i < a->len; i++)
        if (a->e[i].r != b->e[i].r || a->e[i].n != b->e[i].n)
            return false;
    return true;
}

int vv_format(const vv *v, char *buf, size_t n)
{
    outbuf o;
    out_init(&o, buf, n);
    out_str(&o, "[");
    for (uint32_t i = 0; i < v->len; i++)
        out_fmt(&o, "%sn%" PRIu32 ":%" PRIu64, i ? ", " : "", v->e[i].r, v->e[i].n);
    out_str(&o, "]");
    return out_done(&o);
}

/* ---- observed-remove set ------------------------------------------------------------------ */

static int add_cmp(const char *elem_a, dot da, const char *elem_b, dot db)
{
    int c = strcmp(elem_a, elem_b);
    if (c)
        return c < 0 ? -1 : 1;
    return dot_cmp(da, db);
}

#ifndef NDEBUG
static bool orset_ok(const orset *s)
{
    if (s->nadds > s->capadds || s->nrem > s->caprem)
        return false;
    for (uint32_t i = 0; i < s->nadds; i++) {
        const orset_entry *a = &s->adds[i];
        if (memchr(a->elem, '\0', sizeof a->elem) == NULL)
            return false;
        if (i && add_cmp(s->adds[i - 1].elem, s->adds[i - 1].d, a->elem, a->d) >= 0)
            return false;
        if (dots_has(s->removed, s->nrem, a->d))
            return false;
    }
    for (uint32_t i = 1; i < s->nrem; i++)
        if (dot_cmp(s->removed[i - 1], s->removed[i]) >= 0)
            return false;
    return true;
}
#endif

void orset_init(orset *s)
{
    memset(s, 0, sizeof *s);
}

void orset_free(orset *s)
{
    free(s->adds);
    free(s->removed);
    orset_init(s);
}

int orset_copy(orset *dst, const orset *src)
{
    orset_init(dst);
    if (src->nadds) {
        dst->adds = malloc((size_t)src->nadds * sizeof *dst->adds);
        if (!dst->adds)
            return -1;
        memcpy(dst->adds, src->adds, (size_t)src->nadds * sizeof *dst->adds);
        dst->nadds = dst->capadds = src->nadds;
    }
    if (src->nrem) {
        dst->removed = malloc((size_t)src->nrem * sizeof *dst->removed);
        if (!dst->removed) {
            orset_free(dst);
            return -1;
        }
        memcpy(dst->removed, src->removed, (size_t)src->nrem * sizeof *dst->removed);
        dst->nrem = dst->caprem = src->nrem;
    }
    return 0;
}

/* Index of the first add >= (elem, d). */
static uint32_t orset_find(const orset *s, const char *elem, dot d)
{
    uint32_t lo = 0, hi = s->nadds;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (add_cmp(s->adds[mid].elem, s->adds[mid].d, elem, d) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int orset_add(orset *s, const char *elem, dot d)
{
    if (!elem || strlen(elem) > BASE_VALUE_MAX)
        return -1;
    if (dots_has(s->removed, s->nrem, d))
        return 0;                       /* already observed and removed (O3) */
    uint32_t i = orset_find(s, elem, d);
    if (i < s->nadds && add_cmp(s->adds[i].elem, s->adds[i].d, elem, d) == 0)
        return 0;
    if (s->nadds == UINT32_MAX || grow((void **)&s->adds, &s->capadds, s->nadds + 1, sizeof *s->adds))
        return -1;
    memmove(s->adds + i + 1, s->adds + i, (size_t)(s->nadds - i) * sizeof *s->adds);
    memset(&s->adds[i], 0, sizeof s->adds[i]);
    strcpy(s->adds[i].elem, elem);
    s->adds[i].d = d;
    s->nadds++;
    assert(orset_ok(s));
    return 0;
}

int orset_remove(orset *s, const char *elem)
{
    dot lowest = { 0, 0 };
    uint32_t from = orset_find(s, elem, lowest), to = from;
    while (to < s->nadds && strcmp(s->adds[to].elem, elem) == 0)
        to++;
    uint32_t k = to - from;
    if (k == 0)
        return 0;
    /* The dots of elem's adds are sorted (O1) and not yet in removed (O3): merge them in
     * from the back after making room, so a failure changes nothing. */
    if ((uint64_t)s->nrem + k > UINT32_MAX
        || grow((void **)&s->removed, &s->caprem, s->nrem + k, sizeof *s->removed))
        return -1;
    int64_t i = (int64_t)s->nrem - 1, j = (int64_t)to - 1, w = (int64_t)s->nrem + k - 1;
    while (j >= (int64_t)from) {
        if (i >= 0 && dot_cmp(s->removed[i], s->adds[j].d) > 0)
            s->removed[w--] = s->removed[i--];
        else
            s->removed[w--] = s->adds[j--].d;
    }
    s->nrem += k;
    /* Drop elem's adds, and with them any other add under one of those dots (dots name one
     * write each, so only a malformed state shares them; keeping O3 anyway keeps merge
     * idempotent whatever arrives). */
    uint32_t kept = from;
    for (uint32_t a = to; a < s->nadds; a++)
        s->adds[kept++] = s->adds[a];
    s->nadds = kept;
    kept = 0;
    for (uint32_t a = 0; a < s->nadds; a++)
        if (!dots_has(s->removed, s->nrem, s->adds[a].d))
            s->adds[kept++] = s->adds[a];
    s->nadds = kept;
    assert(orset_ok(s));
    return (int)(k > INT32_MAX ? INT32_MAX : k);
}

int orset_merge(orset *dst, const orset *src)
{
    if (dst == src)
        return 0;
    /* Build both arrays fresh, then swap them in: a failure leaves dst as it was. */
    size_t maxrem = (size_t)dst->nrem + src->nrem, maxadds = (size_t)dst->nadds + src->nadds;
    if (maxrem > UINT32_MAX || maxadds > UINT32_MAX)
        return -1;
    dot *rem = malloc((maxrem ? maxrem : 1) * sizeof *rem);
    orset_entry *adds = malloc((maxadds ? maxadds : 1) * sizeof *adds);
    if (!rem || !adds) {
        free(rem);
        free(adds);
        return -1;
    }
    uint32_t nrem = 0, i = 0, j = 0;
    while (i < dst->nrem || j < src->nrem) {
        int c = i == dst->nrem ? 1 : j == src->nrem ? -1 : dot_cmp(dst->removed[i], src->removed[j]);
        if (c < 0)
            rem[nrem++] = dst->removed[i++];
        else if (c > 0)
            rem[nrem++] = src->removed[j++];
        else {
            rem[nrem++] = dst->removed[i++];
            j++;
        }
    }
    uint32_t nadds = 0;
    i = j = 0;
    while (i < dst->nadds || j < src->nadds) {
        const orset_entry *a;
        if (i == dst->nadds)
            a = &src->adds[j++];
        else if (j == src->nadds)
            a = &dst->adds[i++];
        else {
            int c = add_cmp(dst->adds[i].elem, dst->adds[i].d, src->adds[j].elem, src->adds[j].d);
            if (c < 0)
                a = &dst->adds[i++];
            else if (c > 0)
                a = &src->adds[j++];
            else {
                a = &dst->adds[i++];
                j++;
            }
        }
        if (!dots_has(rem, nrem, a->d))
            adds[nadds++] = *a;
    }
    free(dst->adds);
    free(dst->removed);
    dst->adds = adds;
    dst->nadds = nadds;
    dst->capadds = (uint32_t)(maxadds ? maxadds : 1);
    dst->removed = rem;
    dst->nrem = nrem;
    dst->caprem = (uint32_t)(maxrem ? maxrem : 1);
    assert(orset_ok(dst));
    return 0;
}

int orset_join(orset *dst, const vv *dctx, const orset *src, const vv *sctx)
{
    if (dst == src)
        return 0;
    orset tmp;
    if (orset_copy(&tmp, dst) || orset_merge(&tmp, src)) {
        orset_free(&tmp);
        return -1;
    }
    /* The union is filtered: an add only one side holds goes when the other side saw it. */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < tmp.nadds; i++) {
        const orset_entry *a = &tmp.adds[i];
        uint32_t j = orset_find(dst, a->elem, a->d);
        bool in_dst = j < dst->nadds && add_cmp(dst->adds[j].elem, dst->adds[j].d, a->elem, a->d) == 0;
        j = orset_find(src, a->elem, a->d);
        bool in_src = j < src->nadds && add_cmp(src->adds[j].elem, src->adds[j].d, a->elem, a->d) == 0;
        if ((in_dst && !in_src && vv_covers(sctx, a->d)) || (in_src && !in_dst && vv_covers(dctx, a->d)))
            continue;
        tmp.adds[kept++] = *a;
    }
    tmp.nadds = kept;
    orset_drop_removed(&tmp);
    assert(orset_ok(&tmp));
    orset_free(dst);
    *dst = tmp;
    return 0;
}

void orset_drop_removed(orset *s)
{
    s->nrem = 0;
}

bool orset_contains(const orset *s, const char *elem)
{
    dot lowest = { 0, 0 };
    uint32_t i = orset_find(s, elem, lowest);
    return i < s->nadds && strcmp(s->adds[i].elem, elem) == 0;
}

bool orset_equal(const orset *a, const orset *b)
{
    if (a->nadds != b->nadds || a->nrem != b->nrem)
        return false;
    for (uint32_t i = 0; i < a->nadds; i++)
        if (!dot_eq(a->adds[i].d, b->adds[i].d) || strcmp(a->adds[i].elem, b->adds[i].elem) != 0)
            return false;
    for (uint32_t i = 0; i < a->nrem; i++)
        if (!dot_eq(a->removed[i], b->removed[i]))
            return false;
    return true;
}

int orset_format(const orset *s, char *buf, size_t n)
{
    outbuf o;
    out_init(&o, buf, n);
    out_str(&o, "{");
    for (uint32_t i = 0; i < s->nadds; i++) {
        if (i && strcmp(s->adds[i - 1].elem, s->adds[i].elem) == 0)
            continue;                   /* the same element under another dot */
        if (i)
            out_str(&o, ",");
        out_str(&o, s->adds[i].elem);
    }
    out_str(&o, "}");
    return out_done(&o);
}

/* ---- PN-counter ---------------------------------------------------------------------------- */

#ifndef NDEBUG
static bool pnc_ok(const pncounter *c)
{
    if (c->len > c->cap || (c->len && !c->e))
        return false;
    for (uint32_t i = 0; i < c->len; i++)
        if ((c->e[i].p == 0 && c->e[i].n == 0) || (i && c->e[i - 1].r >= c->e[i].r))
            return false;
    return true;
}
#endif

void pnc_init(pncounter *c)
{
    c->len = c->cap = 0;
    c->e = NULL;
}

void pnc_free(pncounter *c)
{
    free(c->e);
    pnc_init(c);
}

int pnc_copy(pncounter *dst, const pncounter *src)
{
    pnc_init(dst);
    if (src->len == 0)
        return 0;
    dst->e = malloc((size_t)src->len * sizeof *dst->e);
    if (!dst->e)
        return -1;
    memcpy(dst->e, src->e, (size_t)src->len * sizeof *dst->e);
    dst->len = dst->cap = src->len;
    return 0;
}

int pnc_incr(pncounter *c, uint32_t r, int64_t delta)
{
    if (delta == 0)
        return 0;
    uint32_t lo = 0, hi = c->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->e[mid].r < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == c->len || c->e[lo].r != r) {
        if (c->len == UINT32_MAX || grow((void **)&c->e, &c->cap, c->len + 1, sizeof *c->e))
            return -1;
        memmove(c->e + lo + 1, c->e + lo, (size_t)(c->len - lo) * sizeof *c->e);
        c->e[lo].r = r;
        c->e[lo].p = c->e[lo].n = 0;
        c->len++;
    }
    /* Negating in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
    if (delta > 0)
        c->e[lo].p += (uint64_t)delta;
    else
        c->e[lo].n += 0 - (uint64_t)delta;
    assert(pnc_ok(c));
    return 0;
}

int pnc_merge(pncounter *dst, const pncounter *src)
{
    if (dst == src || src->len == 0)
        return 0;
    uint64_t u = 0;
    for (uint32_t i = 0, j = 0; i < dst->len || j < src->len; u++) {
        if (j == src->len || (i < dst->len && dst->e[i].r < src->e[j].r))
            i++;
        else if (i == dst->len || src->e[j].r < dst->e[i].r)
            j++;
        else {
            i++;
            j++;
        }
    }
    if (u > UINT32_MAX || grow((void **)&dst->e, &dst->cap, (uint32_t)u, sizeof *dst->e))
        return -1;
    int64_t i = (int64_t)dst->len - 1, j = (int64_t)src->len - 1, k = (int64_t)u - 1;
    while (j >= 0) {
        if (i >= 0 && dst->e[i].r > src->e[j].r)
            dst->e[k--] = dst->e[i--];
        else if (i < 0 || src->e[j].r > dst->e[i].r)
            dst->e[k--] = src->e[j--];
        else {
            pnc_ent x = dst->e[i--];
            if (src->e[j].p > x.p)
                x.p = src->e[j].p;
            if (src->e[j].n > x.n)
                x.n = src->e[j].n;
            j--;
            dst->e[k--] = x;
        }
    }
    dst->len = (uint32_t)u;
    assert(pnc_ok(dst));
    return 0;
}

int pnc_join(pncounter *dst, const vv *dctx, const pncounter *src, const vv *sctx)
{
    if (dst == src)
        return 0;
    pncounter out;
    pnc_init(&out);
    uint64_t room = (uint64_t)dst->len + src->len;
    if (room > UINT32_MAX)
        return -1;
    if (room && !(out.e = malloc((size_t)room * sizeof *out.e)))
        return -1;
    out.cap = (uint32_t)room;
    uint32_t i = 0, j = 0;
    while (i < dst->len || j < src->len) {
        uint32_t r = j == src->len || (i < dst->len && dst->e[i].r <= src->e[j].r) ? dst->e[i].r : src->e[j].r;
        const pnc_ent *a = i < dst->len && dst->e[i].r == r ? &dst->e[i++] : NULL;
        const pnc_ent *b = j < src->len && src->e[j].r == r ? &src->e[j++] : NULL;
        uint64_t ka = vv_get(dctx, r), kb = vv_get(sctx, r);
        pnc_ent x;
        if (ka > kb) {
            if (!a)
                continue;           /* dst saw the tally reset */
            x = *a;
        } else if (kb > ka) {
            if (!b)
                continue;
            x = *b;
        } else if (a && b) {        /* the same knowledge of r: the same tally (max, to be safe) */
            x = *a;
            if (b->p > x.p)
                x.p = b->p;
            if (b->n > x.n)
                x.n = b->n;
        } else {
            continue;               /* the side without it saw it too, and reset it */
        }
        out.e[out.len++] = x;
    }
    assert(pnc_ok(&out));
    pnc_free(dst);
    *dst = out;
    return 0;
}

int64_t pnc_value(const pncounter *c)
{
    uint64_t p = 0, n = 0;
    for (uint32_t i = 0; i < c->len; i++) {
        p += c->e[i].p;
        n += c->e[i].n;
    }
    return (int64_t)(p - n);
}

bool pnc_equal(const pncounter *a, const pncounter *b)
{
    if (a->len != b->len)
        return false;
    for (uint32_t i = 0; i < a->len; i++)
        if (a->e[i].r != b->e[i].r || a->e[i].p != b->e[i].p || a->e[i].n != b->e[i].n)
            return false;
    return true;
}

/* ---- hashing -------------------------------------------------------------------------------- */

#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv_feed(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t base_hash(const void *p, size_t n, uint64_t seed)
{
    return fmix64(fnv_feed(FNV_BASIS ^ seed, p, n));
}

/* bver_hash's pieces. An integer goes in as one word, a multiply and a shift (each step a
 * bijection of the word given the hash so far, so two encodings that differ in one word
 * always differ here; fmix64 spreads the bits at the end); strings go in byte by byte as
 * in base_hash. Performance: the integers were fed byte by byte, eight multiplies each, and
 * a replica hashes every version it stores. The digest is the same on every machine; it
 * travels in KEYS messages and sits in the Merkle leaves, and nothing keeps it. */
static uint64_t feed_u64(uint64_t h, uint64_t x)
{
    h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

static uint64_t feed_str(uint64_t h, const char *s, size_t max)
{
    size_t l = strnlen(s, max);
    return fnv_feed(feed_u64(h, l), s, l);
}

static uint64_t feed_dot(uint64_t h, dot d)
{
    return feed_u64(feed_u64(h, d.r), d.n);
}

/* ---- stored versions ------------------------------------------------------------------------ */

/* Performance: a copy of an empty version, which compilers make a few vector moves, where
 * a memset of this size became `rep stos` (slow to start); every version decoded from a
 * message or stored by a replica starts here. */
static const bversion empty_version;

void bver_init(bversion *v)
{
    *v = empty_version;
    vv_init(&v->ctx);
    orset_init(&v->set);
    pnc_init(&v->ctr);
}

void bver_free(bversion *v)
{
    vv_free(&v->ctx);
    orset_free(&v->set);
    pnc_free(&v->ctr);
}

int bver_copy(bversion *dst, const bversion *src)
{
    *dst = *src;
    if (vv_copy(&dst->ctx, &src->ctx) < 0)
        goto fail;
    if (orset_copy(&dst->set, &src->set) < 0) {
        vv_free(&dst->ctx);
        goto fail;
    }
    if (pnc_copy(&dst->ctr, &src->ctr) < 0) {
        vv_free(&dst->ctx);
        orset_free(&dst->set);
        goto fail;
    }
    return 0;
fail:
    bver_init(dst);
    return -1;
}

bool bver_descends(const bversion *a, const bversion *b)
{
    return dot_eq(a->d, b->d) || vv_covers(&a->ctx, b->d);
}

bool bver_lww_newer(const bversion *a, const bversion *b)
{
    if (a->ts != b->ts)
        return a->ts > b->ts;
    if ((a->kind == BV_TOMB) != (b->kind == BV_TOMB))
        return a->kind == BV_TOMB;
    if (a->d.r != b->d.r)
        return a->d.r > b->d.r;
    return a->d.n > b->d.n;
}

uint64_t bver_hash(const bversion *v)
{
    uint64_t h = FNV_BASIS;
    h = fnv_feed(h, &v->kind, 1);
    h = feed_dot(h, v->d);
    h = feed_u64(h, (uint64_t)v->ts);
    h = feed_u64(h, v->ctx.len);
    for (uint32_t i = 0; i < v->ctx.len; i++)
        h = feed_u64(feed_u64(h, v->ctx.e[i].r), v->ctx.e[i].n);
    switch (v->kind) {
    case BV_VALUE:
        h = feed_str(h, v->value, sizeof v->value);
        break;
    case BV_SET:
        h = feed_u64(h, v->set.nadds);
        for (uint32_t i = 0; i < v->set.nadds; i++)
            h = feed_dot(feed_str(h, v->set.adds[i].elem, sizeof v->set.adds[i].elem), v->set.adds[i].d);
        h = feed_u64(h, v->set.nrem);
        for (uint32_t i = 0; i < v->set.nrem; i++)
            h = feed_dot(h, v->set.removed[i]);
        break;
    case BV_COUNTER:
        h = feed_u64(h, v->ctr.len);
        for (uint32_t i = 0; i < v->ctr.len; i++)
            h = feed_u64(feed_u64(feed_u64(h, v->ctr.e[i].r), v->ctr.e[i].p), v->ctr.e[i].n);
        break;
    default:                            /* BV_TOMB: no payload */
        break;
    }
    return fmix64(h);
}

int bver_format(const bversion *v, char *buf, size_t n)
{
    outbuf o;
    switch (v->kind) {
    case BV_VALUE:
        out_init(&o, buf, n);
        {
            char val[BASE_VALUE_MAX + 1];
            size_t l = strnlen(v->value, BASE_VALUE_MAX);
            memcpy(val, v->value, l);
            val[l] = '\0';
            out_str(&o, val);
        }
        return out_done(&o);
    case BV_TOMB:
        out_init(&o, buf, n);
        out_str(&o, "(deleted)");
        return out_done(&o);
    case BV_SET:
        return orset_format(&v->set, buf, n);
    case BV_COUNTER:
        out_init(&o, buf, n);
        out_fmt(&o, "%" PRId64, pnc_value(&v->ctr));
        return out_done(&o);
    default:
        out_init(&o, buf, n);
        out_str(&o, "?");
        return out_done(&o);
    }
}
