/*
 * version.h: what a replica stores for a key, and the causality between versions.
 *
 * A dot (r, n) names one write: the n-th write coordinated by replica r (n counts every
 * write at r, over all keys). A version vector (vv) maps replicas to counters; it covers a
 * dot (r, n) when vv[r] >= n. A version is a dotted version vector: its own dot plus its
 * causal context, the vv of everything its writer had seen of this key. Version a
 * descends from version b (a saw b) when a's dot is b's dot or a's context covers b's dot;
 * neither descending from the other means concurrent.
 *
 * A version's payload is a value, a tombstone (a delete), or CRDT state: an observed-remove
 * set (ADD/REMOVE under `crdt`) or a PN-counter (INCR under `crdt`). A merged CRDT state is
 * not one write: its dot is (DOT_STATE_R, a 48-bit hash of its context), the same at every
 * replica holding the same state.
 *
 * The LWW timestamp rides along for the `lww` policy. It is the coordinator's clock (the
 * tick plus the replica's skew) and a counter that orders the replica's writes within one
 * reading of that clock, packed as clock * BASE_TS_TICK + counter (so a tick is a million
 * timestamp units, as a second is a million microseconds in Cassandra): writes made in one
 * tick never run ahead of the next tick. Under `cluster: clock hlc` the clock is a hybrid
 * logical clock (Kulkarni et al. 2014, as in CockroachDB): a replica also moves its clock
 * past every timestamp it receives, so a write is always later than what its coordinator
 * had seen. The LWW order (bver_lww_newer): the greater timestamp; on equal timestamps a
 * tombstone beats a value (Cassandra's rule), then the higher replica number, then the
 * higher counter. Distinct writes never compare equal.
 *
 * All of this is plain data with value semantics: the *_copy functions deep-copy, the
 * *_free functions release, and nothing points into another replica's memory (replicas
 * exchange only encoded bytes, see wire.h).
 *
 * Laws the tests check on random inputs: vv_merge, orset_merge and pnc_merge are
 * commutative, associative and idempotent; so are orset_join and pnc_join on the states
 * replicas reach by their operations, resets and joins (a state joined with one whose
 * context it covers is itself); vv_cmp is consistent with vv_covers.
 */
#ifndef AB_VERSION_H
#define AB_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BASE_KEY_MAX 23     /* bytes; keys also travel as history scalars */
#define BASE_VALUE_MAX 63   /* bytes of a value or a set element */
#define BASE_RID_MAX 23     /* bytes of a write's request id (cluster.h, "Request ids") */
#define BASE_KEYS_MAX 100000 /* keys a replica holds (the lab refuses a write of one more) */

/* A key into dst (room for BASE_KEY_MAX + 1), cut at BASE_KEY_MAX bytes as snprintf would:
 * the message paths copy keys often, and this is a strnlen and a memcpy. */
static inline void base_key_copy(char *dst, const char *src)
{
    size_t n = strnlen(src, BASE_KEY_MAX);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

typedef struct dot { uint32_t r; uint64_t n; } dot;     /* {0, 0}: none */

/* The replica number of a merged CRDT state's dot. Below 0x8000, like every replica number
 * (cluster.h), so a packed dot never has its top bit set: it reads the same as a signed
 * and as an unsigned 64-bit number (traces write it both ways). */
#define DOT_STATE_R 0x7FFFu

static inline bool dot_eq(dot a, dot b) { return a.r == b.r && a.n == b.n; }
static inline bool dot_none(dot a) { return a.r == 0; }
/* Packed for the history: r in the top 16 bits, n in the low 48. */
static inline uint64_t dot_pack(dot a) { return ((uint64_t)a.r << 48) | (a.n & 0xffffffffffffULL); }
static inline dot dot_unpack(uint64_t x) { dot d = { (uint32_t)(x >> 48), x & 0xffffffffffffULL }; return d; }

/* --- LWW timestamps -------------------------------------------------------------------- */

#define BASE_TS_TICK 1000000    /* timestamp units per tick */

/* The clock part of a timestamp (floor division: a negative skew gives negative clocks). */
static inline int64_t base_ts_clock(int64_t ts)
{
    return ts >= 0 ? ts / BASE_TS_TICK : -((-(ts + 1)) / BASE_TS_TICK) - 1;
}

/* The first timestamp of clock reading `clock`, saturating at the int64 range. */
static inline int64_t base_ts_of_clock(int64_t clock)
{
    if (clock > INT64_MAX / BASE_TS_TICK)
        return INT64_MAX - (BASE_TS_TICK - 1);
    if (clock < INT64_MIN / BASE_TS_TICK)
        return INT64_MIN / BASE_TS_TICK * BASE_TS_TICK;
    return clock * BASE_TS_TICK;
}

/* --- version vectors: sorted by replica, only nonzero counters ----------------------- */

typedef struct vv_ent { uint32_t r; uint64_t n; } vv_ent;
typedef struct vv { uint32_t len, cap; vv_ent *e; } vv;

enum { VV_EQUAL = 0, VV_BEFORE = 1, VV_AFTER = 2, VV_CONCURRENT = 3 };

void vv_init(vv *v);
void vv_free(vv *v);
int vv_copy(vv *dst, const vv *src);                 /* 0, or -1 out of memory */
uint64_t vv_get(const vv *v, uint32_t r);
int vv_add_dot(vv *v, dot d);                       /* v[r] = max(v[r], n) */
int vv_merge(vv *dst, const vv *src);               /* pointwise max */
bool vv_covers(const vv *v, dot d);                 /* v[d.r] >= d.n (and d not none) */
int vv_cmp(const vv *a, const vv *b);               /* VV_BEFORE: a < b pointwise, ... */
bool vv_equal(const vv *a, const vv *b);
int vv_format(const vv *v, char *buf, size_t n);    /* "[n1:2, n3:1]" */

/* --- observed-remove set -------------------------------------------------------------- */

typedef struct orset_entry { char elem[BASE_VALUE_MAX + 1]; dot d; } orset_entry;
typedef struct orset {
    uint32_t nadds, capadds;
    orset_entry *adds;       /* sorted by (elem, dot) */
    uint32_t nrem, caprem;
    dot *removed;            /* dots of adds that were observed and removed, sorted */
} orset;

void orset_init(orset *s);
void orset_free(orset *s);
int orset_copy(orset *dst, const orset *src);
int orset_add(orset *s, const char *elem, dot d);
/* Removes every add of elem that s holds (the observed ones); returns how many. */
int orset_remove(orset *s, const char *elem);
int orset_merge(orset *dst, const orset *src);
/* The causal join of two states with their contexts (Almeida et al., "Delta state
 * replicated data types"): an add held by both stays; an add held by one side only stays
 * unless the other side's context covers its dot (the other side saw it and no longer holds
 * it: it was removed there, by a REMOVE or by a DEL that reset the set). The result keeps
 * no removed dots: with a context they say nothing more (orset_drop_removed). dst is left
 * as it was on failure. */
int orset_join(orset *dst, const vv *dctx, const orset *src, const vv *sctx);
/* Forgets the removed dots. A state kept with its causal context needs none (the context
 * covers every add that was removed), and keeping none makes a state a function of its
 * context: two replicas whose contexts are equal hold equal states. */
void orset_drop_removed(orset *s);
bool orset_contains(const orset *s, const char *elem);
bool orset_equal(const orset *a, const orset *b);
/* The distinct elements, sorted, as "{a,b}" ("{}" when empty). */
int orset_format(const orset *s, char *buf, size_t n);

/* --- PN-counter -------------------------------------------------------------------------- */

typedef struct pnc_ent { uint32_t r; uint64_t p, n; } pnc_ent;
typedef struct pncounter { uint32_t len, cap; pnc_ent *e; } pncounter;   /* sorted by r */

void pnc_init(pncounter *c);
void pnc_free(pncounter *c);
int pnc_copy(pncounter *dst, const pncounter *src);
int pnc_incr(pncounter *c, uint32_t r, int64_t delta);
int pnc_merge(pncounter *dst, const pncounter *src);    /* pointwise max of p and of n */
/* The causal join of the causal counter (Almeida et al.'s CCounter): replica r's tally is
 * named by the dot (r, vv_get(ctx, r)) of the state holding it (r's latest write to the key
 * that the state knows, since a replica's writes to a key happen one after another). A tally
 * both sides hold is taken from the side that knows more of r (the same tally on a tie); a
 * tally one side holds stays unless the other side's context knows as much of r and holds
 * none: then it was reset there by a DEL or PUT that saw it. Without resets this is
 * pnc_merge. dst is left as it was on failure. */
int pnc_join(pncounter *dst, const vv *dctx, const pncounter *src, const vv *sctx);
int64_t pnc_value(const pncounter *c);
bool pnc_equal(const pncounter *a, const pncounter *b);

/* --- a stored version ------------------------------------------------------------------- */

typedef enum { BV_VALUE = 1, BV_TOMB, BV_SET, BV_COUNTER } bver_kind;

typedef struct bversion {
    uint8_t kind;            /* bver_kind */
    dot d;                   /* the write that made it (for CRDT state: the latest write merged) */
    vv ctx;                  /* what its writer had seen of this key */
    int64_t ts;              /* LWW timestamp: clock * BASE_TS_TICK + counter (above) */
    uint64_t stored;         /* tick it was stored at this replica (tombstone grace); local only */
    char value[BASE_VALUE_MAX + 1];   /* BV_VALUE */
    orset set;               /* BV_SET */
    pncounter ctr;           /* BV_COUNTER */
} bversion;

void bver_init(bversion *v);
void bver_free(bversion *v);
int bver_copy(bversion *dst, const bversion *src);
/* a saw b: same dot, or a's context covers b's dot. */
bool bver_descends(const bversion *a, const bversion *b);
/* LWW order: the greater timestamp wins; on equal timestamps a tombstone beats a value
 * (as in Cassandra), then the higher replica number, then the higher counter. */
bool bver_lww_newer(const bversion *a, const bversion *b);
/* A 64-bit digest of everything replicated (not `stored`): equal digests, equal versions. */
uint64_t bver_hash(const bversion *v);
/* As a learner reads it: the value, "{a,b}", the counter, or "(deleted)". */
int bver_format(const bversion *v, char *buf, size_t n);

/* 64-bit hash of bytes (FNV-1a then a finalizer), for keys and digests. */
uint64_t base_hash(const void *p, size_t n, uint64_t seed);

#endif
