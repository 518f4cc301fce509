/*
 * net.c: the simulated network. See net.h for what it promises.
 *
 * The queue. seq grows with every send and is never reused, so (due, seq) is a total
 * order, and N1 says messages come out in it, each once. Messages due at the same tick sit
 * in one bucket, a FIFO array appended to in send order, hence in seq order whatever the
 * send times were. The live buckets form a min-heap by due tick, and a small hash map
 * (open addressing, deletion by backward shift) finds the bucket for a due tick, with the
 * last send's bucket tried first. A send is then O(1) and a delivery O(1); only starting
 * or ending a due tick costs O(log b) for b distinct due ticks in flight (a handful: one
 * per distinct delay). Nothing here walks the replicas or the links per send or per tick:
 * directives may (a partition copies its n + 1 groups), messages may not.
 *
 * Bytes. A bucket copies its messages' bytes into its own chunks of NET_CHUNK bytes (a
 * message bigger than that gets a chunk of its own), appended to and never moved, so a
 * message's bytes stay where they are until its bucket is retired. A bucket is retired
 * when net_next finds it empty, which is at the call after the one that took its last
 * message: the bytes net_next hands out are therefore valid until the next net_next (or
 * net_free), whatever is sent meanwhile. Performance: this replaces a malloc and a free
 * per message; retired buckets keep their arrays and their chunks go to a free list, so
 * memory is O(the most messages and bytes ever in flight).
 *
 * Links. The default delay and loss apply to every link without an entry. A directed
 * link (a, b) gets an entry in an open-addressing table (linear probing, key a << 32 | b,
 * load at most one half) the first time it is configured; the entry carries flags saying
 * which of its own settings it has: a delay, a loss, cut, or bridged (healed by name
 * across a partition, see below). Setting the default (a = b = 0) makes every link follow
 * it again, and healing everything clears every cut and bridge; both then drop the
 * entries left with no settings, so memory stays O(links configured one by one).
 *
 * Partitions and healing one link. A partition gives each replica a group. Healing a named
 * link (`net: heal n1 n2`) restores that link even when the two replicas sit in different
 * groups of the current partition: the link is marked bridged in both directions, and
 * messages over it are not dropped for the partition. A new partition starts with no
 * bridges; healing everything ends the partition (everyone in group 0).
 *
 * Drops. At send: either end down ("down"), the link cut ("cut"), different groups and
 * not bridged ("partition"), then the loss draw ("loss"). The loss stream is drawn only
 * for a link whose loss is above 0 and only after the other checks passed, so adding a
 * lossless link, or traffic that is dropped anyway, shifts no other draw. At delivery: the
 * receiver down, the link cut, or the partition (a sender that went down after sending
 * does not stop its message). Replica numbers outside 1..n count as down.
 *
 * Events (all SIDE_BASE, at the history's current tick, which the cluster keeps):
 *   MSG_SEND  node = from, node2 = to, n0 = type, n1 = bytes, n2 = due, n3 = seq
 *   MSG_DROP  node = from, node2 = to, n0 = type, n1 = bytes, n3 = seq, text = reason
 *             (also "malformed: <why>" from net_malformed, for a message that arrived)
 * MSG_DELIVER is the caller's, once the bytes decoded. Every send takes a seq, also one
 * dropped at once (net_send then returns 0), so a drop's n3 names it in the trace.
 *
 * Stats: sent counts every net_send; each ends as exactly one of delivered (returned by
 * net_next), dropped_* or still in flight, so sent = delivered + drops + net_in_flight().
 * malformed counts the delivered messages that then failed to decode (a subset of
 * delivered).
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why a message was dropped; the names are the MSG_DROP texts. */
typedef enum { PASS = 0, DROP_DOWN, DROP_CUT, DROP_PARTITION, DROP_LOSS } drop_why;
static const char *const why_name[] = { "", "down", "cut", "partition", "loss" };

enum { L_DELAY = 1, L_LOSS = 2, L_CUT = 4, L_BRIDGE = 8 };

#define NET_CHUNK (32u << 10)

typedef struct net_chunk {
    struct net_chunk *next;
    size_t used, cap;
    uint8_t data[];
} net_chunk;

/* The messages due at one tick, in send order (so in seq order: seq only grows). */
typedef struct net_bucket {
    uint64_t due;            /* 0: free */
    net_msg *m;              /* m[head..len) wait */
    size_t head, len, cap;
    net_chunk *chunks;       /* their bytes; the one appended to first */
} net_bucket;

typedef struct net_dslot { uint64_t due; uint32_t bk; } net_dslot;    /* due 0: empty */

#define NO_BUCKET UINT32_MAX

typedef struct net_link {
    uint64_t key;            /* a << 32 | b; 0 = empty slot (replicas start at 1) */
    uint32_t delay;
    uint8_t loss;
    uint8_t flags;
} net_link;

struct net {
    uint32_t n;
    prng loss_stream;
    hist *h;
    uint32_t delay, loss;            /* defaults */
    bool *up;                        /* n + 1 */
    uint32_t *group;                 /* n + 1 */
    bool parted;                     /* some groups differ */
    net_link *links;                 /* open addressing, lcap a power of two (or 0) */
    size_t lcap, lused;
    size_t ncut, nbridge;            /* links with those flags: delivery skips the lookup */
    net_bucket *bk;                  /* every bucket made, live or free */
    uint32_t nbk, capbk;
    uint32_t *free_bk, nfree;        /* free buckets, for reuse */
    uint32_t *bheap, nheap;          /* live buckets, a min-heap by due */
    net_dslot *dmap;                 /* due -> live bucket, open addressing */
    size_t dcap, dused;
    uint32_t last;                   /* the bucket the last send went to, or NO_BUCKET */
    net_chunk *free_chunks;          /* of NET_CHUNK bytes, for reuse */
    size_t inflight;
    uint64_t seq;
    net_stats st;
};

/* ---- links --------------------------------------------------------------------------- */

static uint64_t link_key(uint32_t a, uint32_t b) { return (uint64_t)a << 32 | b; }

static size_t link_slot(uint64_t key, size_t cap)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static net_link *link_lookup(const net *nt, uint32_t a, uint32_t b);

/* Performance: inlined, so that a network with no link configured one by one (every
 * benchmark, most lessons) pays one test per message for its links. */
static inline net_link *link_find(const net *nt, uint32_t a, uint32_t b)
{
    return nt->lused ? link_lookup(nt, a, b) : NULL;
}

static net_link *link_lookup(const net *nt, uint32_t a, uint32_t b)
{
    uint64_t key = link_key(a, b);
    for (size_t i = link_slot(key, nt->lcap);; i = (i + 1) & (nt->lcap - 1)) {
        if (nt->links[i].key == key)
            return &nt->links[i];
        if (nt->links[i].key == 0)
            return NULL;
    }
}

/* Rebuilds the table at cap slots, keeping only entries that still have settings. */
static int link_rehash(net *nt, size_t cap)
{
    net_link *t = NULL;
    if (cap) {
        t = calloc(cap, sizeof *t);
        if (!t)
            return -1;
    }
    size_t used = 0, ncut = 0, nbridge = 0;
    for (size_t i = 0; i < nt->lcap; i++) {
        net_link *l = &nt->links[i];
        if (l->key == 0 || l->flags == 0)
            continue;
        size_t j = link_slot(l->key, cap);
        while (t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = *l;
        used++;
        ncut += (l->flags & L_CUT) != 0;
        nbridge += (l->flags & L_BRIDGE) != 0;
    }
    nt->ncut = ncut;
    nt->nbridge = nbridge;
    free(nt->links);
    nt->links = t;
    nt->lcap = cap;
    nt->lused = used;
    return 0;
}

/* Drops entries with no settings left; frees the table when none remain. */
static void link_compact(net *nt)
{
    size_t live = 0;
    for (size_t i = 0; i < nt->lcap; i++)
        if (nt->links[i].key && nt->links[i].flags)
            live++;
    size_t cap = 0;
    if (live) {
        cap = 16;
        while (cap < 2 * live)
            cap *= 2;
    }
    if (link_rehash(nt, cap) < 0)
        return;              /* out of memory: the old table is still correct */
}

/* The entry for a -> b, made (with no settings) if missing; NULL when out of memory. */
static net_link *link_get(net *nt, uint32_t a, uint32_t b)
{
    net_link *l = link_find(nt, a, b);
    if (l)
        return l;
    if (2 * (nt->lused + 1) > nt->lcap && link_rehash(nt, nt->lcap ? 2 * nt->lcap : 16) < 0)
        return NULL;
    uint64_t key = link_key(a, b);
    size_t i = link_slot(key, nt->lcap);
    while (nt->links[i].key)
        i = (i + 1) & (nt->lcap - 1);
    l = &nt->links[i];
    memset(l, 0, sizeof *l);
    l->key = key;
    nt->lused++;
    return l;
}

/* Changes a link's flags, keeping the counts of cut and bridged links. */
static void link_flags(net *nt, net_link *l, uint8_t set, uint8_t clear)
{
    uint8_t f = (uint8_t)((l->flags | set) & ~clear);
    nt->ncut += (size_t)((f & L_CUT) != 0) - (size_t)((l->flags & L_CUT) != 0);
    nt->nbridge += (size_t)((f & L_BRIDGE) != 0) - (size_t)((l->flags & L_BRIDGE) != 0);
    l->flags = f;
}

static inline bool valid(const net *nt, uint32_t r) { return r >= 1 && r <= nt->n; }
static inline bool is_up(const net *nt, uint32_t r) { return valid(nt, r) && nt->up[r]; }

/* Clears the flags on every configured link, then drops the entries left empty. */
static void links_clear_flags(net *nt, uint8_t flags)
{
    for (size_t i = 0; i < nt->lcap; i++)
        if (nt->links[i].key)
            nt->links[i].flags &= (uint8_t)~flags;
    link_compact(nt);
}

/* ---- bytes ------------------------------------------------------------------------------ */

static void chunks_free(net_chunk *c)
{
    while (c) {
        net_chunk *next = c->next;
        free(c);
        c = next;
    }
}

/* Room for len bytes in bucket b's chunks (they never move), or NULL out of memory. */
static uint8_t *chunk_room(net *nt, net_bucket *b, size_t len)
{
    net_chunk *c = b->chunks;
    if (!c || c->cap - c->used < len) {
        if (len <= NET_CHUNK && nt->free_chunks) {
            c = nt->free_chunks;
            nt->free_chunks = c->next;
        } else {
            size_t cap = len > NET_CHUNK ? len : NET_CHUNK;
            if (!(c = malloc(sizeof *c + cap)))
                return NULL;
            c->cap = cap;
        }
        c->used = 0;
        c->next = b->chunks;
        b->chunks = c;
    }
    uint8_t *p = c->data + c->used;
    c->used += len;
    return p;
}

/* A retired bucket's chunks: the standard ones are kept for reuse. */
static void chunks_release(net *nt, net_bucket *b)
{
    net_chunk *c = b->chunks;
    while (c) {
        net_chunk *next = c->next;
        if (c->cap == NET_CHUNK) {
            c->next = nt->free_chunks;
            nt->free_chunks = c;
        } else {
            free(c);
        }
        c = next;
    }
    b->chunks = NULL;
}

/* ---- setup ------------------------------------------------------------------------------ */

net *net_new(uint32_t n, prng loss_stream, hist *h)
{
    net *nt = calloc(1, sizeof *nt);
    if (!nt)
        return NULL;
    nt->n = n;
    nt->loss_stream = loss_stream;
    nt->h = h;
    nt->delay = 1;
    nt->last = NO_BUCKET;
    nt->up = malloc(((size_t)n + 1) * sizeof *nt->up);
    nt->group = calloc((size_t)n + 1, sizeof *nt->group);
    if (!nt->up || !nt->group) {
        net_free(nt);
        return NULL;
    }
    for (size_t i = 0; i <= n; i++)
        nt->up[i] = true;
    return nt;
}

void net_free(net *nt)
{
    if (!nt)
        return;
    for (uint32_t b = 0; b < nt->nbk; b++) {
        chunks_free(nt->bk[b].chunks);
        free(nt->bk[b].m);
    }
    chunks_free(nt->free_chunks);
    free(nt->bk);
    free(nt->free_bk);
    free(nt->bheap);
    free(nt->dmap);
    free(nt->links);
    free(nt->up);
    free(nt->group);
    free(nt);
}

uint32_t net_size(const net *nt) { return nt->n; }

void net_set_delay(net *nt, uint32_t a, uint32_t b, uint32_t ticks)
{
    if (ticks < 1)
        ticks = 1;               /* a message is never delivered in the tick it was sent */
    if (a == 0 && b == 0) {
        nt->delay = ticks;
        links_clear_flags(nt, L_DELAY);
        return;
    }
    if (!valid(nt, a) || !valid(nt, b))
        return;
    for (int dir = 0; dir < 2; dir++) {
        net_link *l = dir ? link_get(nt, b, a) : link_get(nt, a, b);
        if (l) {
            l->delay = ticks;
            l->flags |= L_DELAY;
        }
    }
}

void net_set_loss(net *nt, uint32_t a, uint32_t b, uint32_t pct)
{
    if (pct > 100)
        pct = 100;
    if (a == 0 && b == 0) {
        nt->loss = pct;
        links_clear_flags(nt, L_LOSS);
        return;
    }
    if (!valid(nt, a) || !valid(nt, b))
        return;
    for (int dir = 0; dir < 2; dir++) {
        net_link *l = dir ? link_get(nt, b, a) : link_get(nt, a, b);
        if (l) {
            l->loss = (uint8_t)pct;
            l->flags |= L_LOSS;
        }
    }
}

void net_cut(net *nt, uint32_t a, uint32_t b, bool one_way)
{
    if (!valid(nt, a) || !valid(nt, b))
        return;
    net_link *l = link_get(nt, a, b);
    if (l)
        link_flags(nt, l, L_CUT, 0);
    if (!one_way && (l = link_get(nt, b, a)))
        link_flags(nt, l, L_CUT, 0);
}

void net_heal(net *nt, uint32_t a, uint32_t b)
{
    if (a == 0 && b == 0) {
        memset(nt->group, 0, ((size_t)nt->n + 1) * sizeof *nt->group);
        nt->parted = false;
        links_clear_flags(nt, L_CUT | L_BRIDGE);
        return;
    }
    if (!valid(nt, a) || !valid(nt, b))
        return;
    bool across = nt->parted && nt->group[a] != nt->group[b];
    for (int dir = 0; dir < 2; dir++) {
        uint32_t x = dir ? b : a, y = dir ? a : b;
        net_link *l = across ? link_get(nt, x, y) : link_find(nt, x, y);
        if (l)
            link_flags(nt, l, across ? L_BRIDGE : 0, L_CUT);
    }
}

void net_partition(net *nt, const uint32_t *group)
{
    nt->parted = false;
    for (uint32_t r = 1; r <= nt->n; r++) {
        nt->group[r] = group ? group[r] : 0;
        if (nt->group[r] != nt->group[1])
            nt->parted = true;
    }
    nt->group[0] = 0;
    links_clear_flags(nt, L_BRIDGE);
}

void net_set_up(net *nt, uint32_t r, bool up)
{
    if (valid(nt, r))
        nt->up[r] = up;
}

bool net_is_up(const net *nt, uint32_t r) { return is_up(nt, r); }

uint32_t net_group(const net *nt, uint32_t r) { return valid(nt, r) ? nt->group[r] : 0; }

/* Why a message from a to b cannot pass now, or PASS; sending checks the sender too. l is
 * the link's entry, or NULL. */
static inline drop_why blocked(const net *nt, uint32_t a, uint32_t b, bool sending, const net_link *l)
{
    if ((sending && !is_up(nt, a)) || !is_up(nt, b))
        return DROP_DOWN;
    if (l && (l->flags & L_CUT))
        return DROP_CUT;
    if (nt->parted && nt->group[a] != nt->group[b] && !(l && (l->flags & L_BRIDGE)))
        return DROP_PARTITION;
    return PASS;
}

bool net_reachable(const net *nt, uint32_t a, uint32_t b)
{
    if (!valid(nt, a) || !valid(nt, b))
        return false;
    return blocked(nt, a, b, true, link_find(nt, a, b)) == PASS;
}

bool net_can_talk(const net *nt, uint32_t a, uint32_t b)
{
    if (!valid(nt, a) || !valid(nt, b))
        return false;
    return blocked(nt, a, b, true, link_find(nt, a, b)) == PASS &&
           blocked(nt, b, a, true, link_find(nt, b, a)) == PASS;
}

/* ---- the queue ---------------------------------------------------------------------------- */

static size_t due_slot(uint64_t due, size_t cap)
{
    uint64_t h = due * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ h >> 32) & (cap - 1);
}

static uint32_t dmap_find(const net *nt, uint64_t due)
{
    if (nt->dused == 0)
        return NO_BUCKET;
    for (size_t i = due_slot(due, nt->dcap);; i = (i + 1) & (nt->dcap - 1)) {
        if (nt->dmap[i].due == due)
            return nt->dmap[i].bk;
        if (nt->dmap[i].due == 0)
            return NO_BUCKET;
    }
}

static void dmap_put(net_dslot *t, size_t cap, uint64_t due, uint32_t bk)
{
    size_t i = due_slot(due, cap);
    while (t[i].due)
        i = (i + 1) & (cap - 1);
    t[i].due = due;
    t[i].bk = bk;
}

static int dmap_insert(net *nt, uint64_t due, uint32_t bk)
{
    if (2 * (nt->dused + 1) > nt->dcap) {
        size_t cap = nt->dcap ? 2 * nt->dcap : 64;
        net_dslot *t = calloc(cap, sizeof *t);
        if (!t)
            return -1;
        for (size_t i = 0; i < nt->dcap; i++)
            if (nt->dmap[i].due)
                dmap_put(t, cap, nt->dmap[i].due, nt->dmap[i].bk);
        free(nt->dmap);
        nt->dmap = t;
        nt->dcap = cap;
    }
    dmap_put(nt->dmap, nt->dcap, due, bk);
    nt->dused++;
    return 0;
}

/* Linear probing's deletion without tombstones: later entries of the run move back into
 * the hole when their home slot allows it. */
static void dmap_delete(net *nt, uint64_t due)
{
    size_t mask = nt->dcap - 1, i = due_slot(due, nt->dcap);
    while (nt->dmap[i].due != due)
        i = (i + 1) & mask;
    nt->dmap[i].due = 0;
    nt->dused--;
    for (size_t j = (i + 1) & mask; nt->dmap[j].due; j = (j + 1) & mask) {
        size_t home = due_slot(nt->dmap[j].due, nt->dcap);
        /* j may move to i when home is not cyclically within (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        nt->dmap[i] = nt->dmap[j];
        nt->dmap[j].due = 0;
        i = j;
    }
}

static bool bk_before(const net *nt, uint32_t x, uint32_t y)
{
    return nt->bk[x].due < nt->bk[y].due;
}

static void bheap_push(net *nt, uint32_t b)
{
    uint32_t i = nt->nheap++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!bk_before(nt, b, nt->bheap[parent]))
            break;
        nt->bheap[i] = nt->bheap[parent];
        i = parent;
    }
    nt->bheap[i] = b;
}

static void bheap_pop(net *nt)
{
    uint32_t last = nt->bheap[--nt->nheap], n = nt->nheap, i = 0;
    if (n == 0)
        return;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && bk_before(nt, nt->bheap[c + 1], nt->bheap[c]))
            c++;
        if (!bk_before(nt, nt->bheap[c], last))
            break;
        nt->bheap[i] = nt->bheap[c];
        i = c;
    }
    nt->bheap[i] = last;
}

/* The bucket of messages due at `due` (made if missing), or NO_BUCKET out of memory. */
static uint32_t bucket_for(net *nt, uint64_t due)
{
    if (nt->last != NO_BUCKET && nt->bk[nt->last].due == due)
        return nt->last;
    uint32_t b = dmap_find(nt, due);
    if (b != NO_BUCKET)
        return nt->last = b;
    if (nt->nfree == 0 && nt->nbk == nt->capbk) {
        uint32_t cap = nt->capbk ? 2 * nt->capbk : 16;
        net_bucket *bk = realloc(nt->bk, cap * sizeof *bk);
        if (!bk)
            return NO_BUCKET;
        nt->bk = bk;
        uint32_t *fr = realloc(nt->free_bk, cap * sizeof *fr);
        if (!fr)
            return NO_BUCKET;
        nt->free_bk = fr;
        uint32_t *hp = realloc(nt->bheap, cap * sizeof *hp);
        if (!hp)
            return NO_BUCKET;
        nt->bheap = hp;
        nt->capbk = cap;
    }
    if (nt->nfree) {
        b = nt->free_bk[--nt->nfree];
    } else {
        b = nt->nbk++;
        memset(&nt->bk[b], 0, sizeof nt->bk[b]);
    }
    if (dmap_insert(nt, due, b) < 0) {
        nt->free_bk[nt->nfree++] = b;
        return NO_BUCKET;
    }
    nt->bk[b].due = due;
    nt->bk[b].head = nt->bk[b].len = 0;
    bheap_push(nt, b);
    return nt->last = b;
}

/* The earliest bucket, empty now, leaves the heap and the map; its array is kept for
 * reuse, its chunks go to the free list. */
static void retire(net *nt, uint32_t bi)
{
    bheap_pop(nt);
    dmap_delete(nt, nt->bk[bi].due);
    nt->bk[bi].due = 0;
    nt->bk[bi].head = nt->bk[bi].len = 0;
    chunks_release(nt, &nt->bk[bi]);
    nt->free_bk[nt->nfree++] = bi;
    if (nt->last == bi)
        nt->last = NO_BUCKET;
}

/* A slot at the end of the queue for a message due then, with a copy of its bytes in
 * slot->bytes and slot->len set; NULL out of memory. The caller fills in the rest.
 * Performance: the message is written in place (and read in place by queue_pop): copies
 * of a whole net_msg through the stack, written field by field and read back in wider
 * loads, stalled on store forwarding, twice per message. */
static net_msg *queue_push(net *nt, uint64_t due, const uint8_t *bytes, size_t len)
{
    uint32_t bi = bucket_for(nt, due);
    if (bi == NO_BUCKET)
        return NULL;
    net_bucket *b = &nt->bk[bi];
    if (b->len == b->cap && b->head > 0) {
        memmove(b->m, b->m + b->head, (b->len - b->head) * sizeof *b->m);
        b->len -= b->head;
        b->head = 0;
    }
    if (b->len == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        net_msg *q = realloc(b->m, cap * sizeof *q);
        if (!q)
            return NULL;         /* an empty bucket left behind is retired by queue_pop */
        b->m = q;
        b->cap = cap;
    }
    uint8_t *room = chunk_room(nt, b, len);
    if (!room)
        return NULL;
    if (len)
        memcpy(room, bytes, len);
    net_msg *slot = &b->m[b->len++];
    slot->bytes = room;
    slot->len = len;
    slot->due = due;
    nt->inflight++;
    return slot;
}

/* The earliest waiting message if it is due by now, in its slot (valid until the next
 * call); NULL if none. A bucket emptied by the previous call is retired here, not then, so
 * that its bytes outlive that call. */
static const net_msg *queue_pop(net *nt, uint64_t now)
{
    while (nt->nheap) {
        uint32_t bi = nt->bheap[0];
        net_bucket *b = &nt->bk[bi];
        if (b->head == b->len) {
            retire(nt, bi);
            continue;
        }
        if (b->due > now)
            return NULL;
        nt->inflight--;
        return &b->m[b->head++];
    }
    return NULL;
}

/* ---- events -------------------------------------------------------------------------------- */

static void emit_event(net *nt, hist_kind kind, const net_msg *m, const char *why);

static inline void emit(net *nt, hist_kind kind, const net_msg *m, const char *why)
{
    if (nt->h)
        emit_event(nt, kind, m, why);
}

static void emit_event(net *nt, hist_kind kind, const net_msg *m, const char *why)
{
    hist_event *e = hist_add(nt->h, SIDE_BASE, kind);
    if (!e)
        return;
    e->node = (uint16_t)m->from;
    e->node2 = (uint16_t)m->to;
    e->n[0] = m->type;
    e->n[1] = (int64_t)m->len;
    if (kind == EV_MSG_SEND)
        e->n[2] = (int64_t)m->due;
    e->n[3] = (int64_t)m->seq;
    if (why)
        hist_set_text(nt->h, e, why);
}

static void drop(net *nt, const net_msg *m, drop_why why)
{
    switch (why) {
    case DROP_DOWN: nt->st.dropped_down++; break;
    case DROP_CUT: nt->st.dropped_cut++; break;
    case DROP_PARTITION: nt->st.dropped_partition++; break;
    default: nt->st.dropped_loss++; break;
    }
    emit(nt, EV_MSG_DROP, m, why_name[why]);
}

/* ---- sending and delivering -------------------------------------------------------------------- */

uint64_t net_send(net *nt, uint64_t now, uint32_t from, uint32_t to, uint8_t type,
                  const uint8_t *bytes, size_t len)
{
    uint64_t seq = ++nt->seq;
    nt->st.sent++;
    const net_link *l = link_find(nt, from, to);
    drop_why why = blocked(nt, from, to, true, l);
    uint32_t loss = l && (l->flags & L_LOSS) ? l->loss : nt->loss;
    if (why == PASS && loss > 0 && prng_chance(&nt->loss_stream, loss))
        why = DROP_LOSS;
    if (why == PASS) {
        uint32_t delay = l && (l->flags & L_DELAY) ? l->delay : nt->delay;
        uint64_t due = now <= UINT64_MAX - delay ? now + delay : UINT64_MAX;    /* never 0 */
        net_msg *q = queue_push(nt, due, bytes, len);
        if (q) {
            q->seq = seq;
            q->sent = now;
            q->from = from;
            q->to = to;
            q->type = type;
            emit(nt, EV_MSG_SEND, q, NULL);
            return seq;
        }
        why = DROP_LOSS;         /* out of memory: the network lost it */
    }
    net_msg m = { .seq = seq, .sent = now, .from = from, .to = to, .type = type, .len = len };
    drop(nt, &m, why);
    return 0;
}

int net_next(net *nt, uint64_t now, net_msg *out)
{
    const net_msg *m;
    while ((m = queue_pop(nt, now))) {
        const net_link *l = nt->ncut || (nt->parted && nt->nbridge) ? link_find(nt, m->from, m->to) : NULL;
        drop_why why = blocked(nt, m->from, m->to, false, l);
        if (why != PASS) {
            drop(nt, m, why);
            continue;
        }
        nt->st.delivered++;
        *out = *m;
        return 1;
    }
    return 0;
}

const net_msg *net_upcoming(const net *nt, uint64_t now, size_t *n)
{
    *n = 0;
    if (!nt->nheap)
        return NULL;
    const net_bucket *b = &nt->bk[nt->bheap[0]];
    if (b->due > now || b->head == b->len)
        return NULL;
    *n = b->len - b->head;
    return &b->m[b->head];
}

size_t net_in_flight(const net *nt) { return nt->inflight; }

void net_malformed(net *nt, const net_msg *m, const char *why)
{
    nt->st.malformed++;
    char text[128];
    snprintf(text, sizeof text, "malformed: %s", why ? why : "?");
    emit(nt, EV_MSG_DROP, m, text);
}

net_stats net_get_stats(const net *nt) { return nt->st; }

/* ---- for the lab's screen ------------------------------------------------------------ */

uint32_t net_link_delay(const net *nt, uint32_t a, uint32_t b)
{
    const net_link *l = link_find(nt, a, b);
    return l && (l->flags & L_DELAY) ? l->delay : nt->delay;
}

uint32_t net_link_loss(const net *nt, uint32_t a, uint32_t b)
{
    const net_link *l = link_find(nt, a, b);
    return l && (l->flags & L_LOSS) ? l->loss : nt->loss;
}

bool net_link_cut(const net *nt, uint32_t a, uint32_t b)
{
    const net_link *l = link_find(nt, a, b);
    return l && (l->flags & L_CUT);
}

void net_foreach_pending(const net *nt, net_visit_fn fn, void *arg)
{
    /* Buckets in due order (a copy of the heap, sorted), messages in send order. */
    uint32_t *order = malloc((size_t)(nt->nheap ? nt->nheap : 1) * sizeof *order);
    if (!order)
        return;
    if (nt->nheap)
        memcpy(order, nt->bheap, (size_t)nt->nheap * sizeof *order);
    for (uint32_t i = 1; i < nt->nheap; i++)
        for (uint32_t j = i; j > 0 && nt->bk[order[j - 1]].due > nt->bk[order[j]].due; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (uint32_t i = 0; i < nt->nheap; i++) {
        const net_bucket *b = &nt->bk[order[i]];
        for (size_t k = b->head; k < b->len; k++)
            fn(&b->m[k], arg);
    }
    free(order);
}
