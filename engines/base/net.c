/*
 * net.c: the simulated network. See net.h for what it promises.
 *
 * The queue is a binary min-heap of net_msg ordered by (due, seq); seq grows with every
 * send and is never reused, so the order is total and N1 holds: a message comes out once,
 * after every message with a smaller (due, seq). A send costs one malloc (the copy of the
 * bytes) and O(log m) for m messages in flight; delivering costs O(log m). Nothing here
 * walks the replicas or the links per send or per tick: directives may (a partition copies
 * its n + 1 groups), messages may not.
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
    net_msg *q;                      /* min-heap by (due, seq) */
    size_t qlen, qcap;
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

static net_link *link_find(const net *nt, uint32_t a, uint32_t b)
{
    if (nt->lused == 0)
        return NULL;
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
    size_t used = 0;
    for (size_t i = 0; i < nt->lcap; i++) {
        net_link *l = &nt->links[i];
        if (l->key == 0 || l->flags == 0)
            continue;
        size_t j = link_slot(l->key, cap);
        while (t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = *l;
        used++;
    }
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

static bool valid(const net *nt, uint32_t r) { return r >= 1 && r <= nt->n; }

/* Clears the flags on every configured link, then drops the entries left empty. */
static void links_clear_flags(net *nt, uint8_t flags)
{
    for (size_t i = 0; i < nt->lcap; i++)
        if (nt->links[i].key)
            nt->links[i].flags &= (uint8_t)~flags;
    link_compact(nt);
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
    for (size_t i = 0; i < nt->qlen; i++)
        free(nt->q[i].bytes);
    free(nt->q);
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
        l->flags |= L_CUT;
    if (!one_way && (l = link_get(nt, b, a)))
        l->flags |= L_CUT;
}

void net_heal(net *nt, uint32_t a, uint32_t b)
{
    if (a == 0 && b == 0) {
        if (nt->parted) {
            memset(nt->group, 0, ((size_t)nt->n + 1) * sizeof *nt->group);
            nt->parted = false;
        }
        links_clear_flags(nt, L_CUT | L_BRIDGE);
        return;
    }
    if (!valid(nt, a) || !valid(nt, b))
        return;
    bool across = nt->parted && nt->group[a] != nt->group[b];
    for (int dir = 0; dir < 2; dir++) {
        net_link *l = dir ? link_get(nt, b, a) : link_get(nt, a, b);
        if (!l)
            continue;
        l->flags &= (uint8_t)~L_CUT;
        if (across)
            l->flags |= L_BRIDGE;
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

bool net_is_up(const net *nt, uint32_t r) { return valid(nt, r) && nt->up[r]; }

uint32_t net_group(const net *nt, uint32_t r) { return valid(nt, r) ? nt->group[r] : 0; }

/* Why a message from a to b cannot pass now, or PASS; sending checks the sender too. l is
 * the link's entry, or NULL. */
static drop_why blocked(const net *nt, uint32_t a, uint32_t b, bool sending, const net_link *l)
{
    if ((sending && !net_is_up(nt, a)) || !net_is_up(nt, b))
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

/* ---- the queue ---------------------------------------------------------------------------- */

static bool before(const net_msg *x, const net_msg *y)
{
    return x->due < y->due || (x->due == y->due && x->seq < y->seq);
}

static int heap_push(net *nt, const net_msg *m)
{
    if (nt->qlen == nt->qcap) {
        size_t cap = nt->qcap ? 2 * nt->qcap : 256;
        net_msg *q = realloc(nt->q, cap * sizeof *q);
        if (!q)
            return -1;
        nt->q = q;
        nt->qcap = cap;
    }
    size_t i = nt->qlen++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(m, &nt->q[parent]))
            break;
        nt->q[i] = nt->q[parent];
        i = parent;
    }
    nt->q[i] = *m;
    return 0;
}

static void heap_pop(net *nt, net_msg *out)
{
    *out = nt->q[0];
    net_msg last = nt->q[--nt->qlen];
    size_t n = nt->qlen, i = 0;
    if (n == 0)
        return;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&nt->q[c + 1], &nt->q[c]))
            c++;
        if (!before(&nt->q[c], &last))
            break;
        nt->q[i] = nt->q[c];
        i = c;
    }
    nt->q[i] = last;
}

/* ---- events -------------------------------------------------------------------------------- */

static void emit(net *nt, hist_kind kind, const net_msg *m, const char *why)
{
    if (!nt->h)
        return;
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
    net_msg m = { .seq = ++nt->seq, .sent = now, .from = from, .to = to, .type = type, .len = len };
    nt->st.sent++;
    const net_link *l = link_find(nt, from, to);
    drop_why why = blocked(nt, from, to, true, l);
    uint32_t loss = l && (l->flags & L_LOSS) ? l->loss : nt->loss;
    if (why == PASS && loss > 0 && prng_chance(&nt->loss_stream, loss))
        why = DROP_LOSS;
    if (why == PASS) {
        m.due = now + (l && (l->flags & L_DELAY) ? l->delay : nt->delay);
        m.bytes = malloc(len ? len : 1);
        if (m.bytes && len)
            memcpy(m.bytes, bytes, len);
        if (!m.bytes || heap_push(nt, &m) < 0) {
            free(m.bytes);
            m.bytes = NULL;
            why = DROP_LOSS;     /* out of memory: the network lost it */
        }
    }
    if (why != PASS) {
        drop(nt, &m, why);
        return 0;
    }
    emit(nt, EV_MSG_SEND, &m, NULL);
    return m.seq;
}

int net_next(net *nt, uint64_t now, net_msg *out)
{
    while (nt->qlen && nt->q[0].due <= now) {
        net_msg m;
        heap_pop(nt, &m);
        drop_why why = blocked(nt, m.from, m.to, false, link_find(nt, m.from, m.to));
        if (why != PASS) {
            drop(nt, &m, why);
            free(m.bytes);
            continue;
        }
        nt->st.delivered++;
        *out = m;
        return 1;
    }
    return 0;
}

size_t net_in_flight(const net *nt) { return nt->qlen; }

void net_malformed(net *nt, const net_msg *m, const char *why)
{
    nt->st.malformed++;
    char text[128];
    snprintf(text, sizeof text, "malformed: %s", why ? why : "?");
    emit(nt, EV_MSG_DROP, m, text);
}

net_stats net_get_stats(const net *nt) { return nt->st; }
