/*
 * history.c: the append-only event history. See history.h for the kinds and invariants.
 *
 * Events are kept encoded, a few bytes each, in a stream of blocks that never moves, and
 * decoded in groups when first read (see "the encoded stream" below); a decoded event
 * stays where it is until hist_free. What events point at is owned here and freed with
 * the history, never one event at a time (H2: nothing is edited afterwards):
 *   - table and client names are interned in a small list, so every event of a table
 *     points at the same string;
 *   - texts, row sets and transaction lists are copied into large blocks (an arena), so
 *     recording an event costs no malloc of its own;
 *   - predicates are interned by content: the engine records one with every scan, and a
 *     workload repeats a few shapes (id = 7) over and over. A pred_term is large (its IN
 *     list is inline), so a copy per scan would dominate the memory of a long history.
 *     What is kept is the predicate's meaning: the source positions a parser records in a
 *     term (for its error messages) are zero in the history's copy, since the same
 *     predicate written on another line is the same predicate. The canonical text of an
 *     interned predicate is formatted once, when first asked.
 *
 * Performance: all of this matters to the engine's commit path (about 17 events per
 * autocommit UPDATE) and to the checkers, which read every event of a long history.
 */
#include "history.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_BLOCK (64u << 10)
#define CHUNK_BYTES ((size_t)2 << 20)
#define GROUP 64            /* events decoded together (hist_get) */
#define ENC_MAX 192         /* an event's encoding never takes more (see encode) */
#define JUMP 9              /* JUMP_MARK and a pointer: the stream goes on in another block */
#define JUMP_MARK 0xff      /* never a kind */

typedef struct arena_block {
    struct arena_block *next;
    size_t size;
    bool mapped;           /* a full chunk (chunk_take), not malloc's */
    max_align_t data[];
} arena_block;

/* One distinct predicate: its copy, and its text once asked for. */
typedef struct pred_ent {
    uint64_t hash;
    pred *p;
    char *text;
} pred_ent;

/* Events GROUP * g ... GROUP * g + GROUP - 1: the events decoded so far (hist_get), and
 * where the next one's encoding starts. */
typedef struct ev_group {
    const uint8_t *cur;
    hist_event *dec;       /* NULL until one is read */
    uint32_t ndec;
} ev_group;

struct hist {
    size_t n;
    hist_event stage;      /* event n - 1 while its writer may still set fields */
    bool staged;           /* stage is not yet encoded for good */
    uint8_t *stage_at;     /* where stage was encoded early (a read), NULL if not */
    uint8_t *sp;           /* the encoded stream: next byte, bytes left in the block */
    size_t sleft;
    size_t sbytes;         /* in all stream blocks */
    struct arena_block *sblocks;
    ev_group *groups;
    size_t ngroups, capgroups;
    size_t nkind[EV__COUNT];
    size_t nrows;
    uint64_t tick;
    char **names;
    size_t nnames, capnames;
    arena_block *blocks;
    char *ap;              /* free space of the newest block */
    size_t aleft;
    size_t abytes;         /* in all blocks */
    pred_ent *preds;       /* open addressing, linear probing; p NULL = empty */
    size_t npreds, cappreds;
    void *spare;           /* the next full chunk, NULL none (chunk_take) */
    pthread_t filler;      /* faulting the spare's pages in, while filling */
    bool filling;
};

static const hist_kind_info kinds[EV__COUNT] = {
    [EV_STMT_INVOKE] = { "stmt_invoke", { 0 } },
    [EV_STMT_QUEUE] = { "stmt_queue", { 0 } },
    [EV_STMT_BLOCK] = { "stmt_block", { 0 } },
    [EV_STMT_RESUME] = { "stmt_resume", { 0 } },
    [EV_STMT_RETURN] = { "stmt_return", { "rows", "number" } },
    [EV_STMT_FAIL] = { "stmt_fail", { 0 } },
    [EV_STMT_SKIP] = { "stmt_skip", { 0 } },
    [EV_TXN_BEGIN] = { "txn_begin", { "level", "autocommit" } },
    [EV_TXN_COMMIT] = { "txn_commit", { "lsn" } },
    [EV_TXN_ABORT] = { "txn_abort", { 0 } },
    [EV_TXN_LOST] = { "txn_lost", { 0 } },
    [EV_WRITE] = { "write", { "version", "value", "exists", "replaces", "inserted" } },
    [EV_UNDO] = { "undo", { "version", "value", "exists", "removes" } },
    [EV_READ] = { "read", { "version", "value", "exists", "uncommitted" } },
    [EV_PREAD] = { "pread", { "matched" } },
    [EV_LOCK_REQUEST] = { "lock_request", { "mode" } },
    [EV_LOCK_GRANT] = { "lock_grant", { "mode" } },
    [EV_LOCK_WAIT] = { "lock_wait", { "mode" } },
    [EV_LOCK_RELEASE] = { "lock_release", { "mode" } },
    [EV_DEADLOCK] = { "deadlock", { 0 } },
    [EV_LOG_APPEND] = { "log_append", { "lsn", "type", "prev_lsn", "size", "before", "after" } },
    [EV_LOG_FLUSH] = { "log_flush", { "durable_lsn", "records", "fsync" } },
    [EV_PAGE_READ] = { "page_read", { "page", "page_lsn", "dirty" } },
    [EV_PAGE_WRITE] = { "page_write", { "page", "page_lsn", "dirty" } },
    [EV_PAGE_EVICT] = { "page_evict", { "page", "page_lsn", "dirty" } },
    [EV_CHECKPOINT] = { "checkpoint", { "lsn", "dirty_pages", "active_txns" } },
    [EV_CRASH] = { "crash", { "log_bytes_lost", "page_writes_lost", "txns_aborted", "commits_lost" } },
    [EV_LOG_TORN] = { "log_torn", { "offset", "bytes_cut" } },
    [EV_RECOVERY] = { "recovery", { "from_lsn", "to_lsn", "scanned", "applied", "skipped", "extra" } },
    [EV_REQ_INVOKE] = { "req_invoke", { "op", "needed", "request" } },
    [EV_REQ_ANSWER] = { "req_answer", { "ok", "counted", "request", "dot", "resolve" } },
    [EV_MSG_SEND] = { "msg_send", { "type", "bytes", "due", "msg" } },
    [EV_MSG_DELIVER] = { "msg_deliver", { "type", "bytes", 0, "msg" } },
    [EV_MSG_DROP] = { "msg_drop", { "type", 0, 0, "msg" } },
    [EV_NET_CHANGE] = { "net_change", { 0 } },
    [EV_NODE_DOWN] = { "node_down", { 0 } },
    [EV_NODE_UP] = { "node_up", { 0 } },
    [EV_VERSION_STORE] = { "version_store", { "dot", "ts", "kind" } },
    [EV_VERSION_DISCARD] = { "version_discard", { "dot", "by", "seen" } },
    [EV_SIBLINGS] = { "siblings", { "count" } },
    [EV_HINT_STORE] = { "hint_store", { "dot" } },
    [EV_HINT_DELIVER] = { "hint_deliver", { "dot" } },
    [EV_GOSSIP] = { "gossip", { "hashes_compared", "keys_shipped", "exchange", "complete" } },
    [EV_PURGE] = { "purge", { "dot" } },
    [EV_READ_REPAIR] = { "read_repair", { 0 } },
    [EV_SETTLE] = { "settle", { "ticks", "converged" } },
};

/* Full chunks: 2 MiB each, for the encoded events and the arena once a history is long.
 *
 * Performance: a long history touches fresh memory at every event (about 550 bytes per
 * autocommit UPDATE, encoded; 3 KiB when events were stored whole), and on the machines
 * measured a page fault costs about 0.45 us per KiB at best (BENCHMARKS.md, group). So the
 * history keeps one spare chunk ahead and has a short-lived
 * thread fault its pages in (Linux 5.14+: MADV_POPULATE_WRITE) while the engine works,
 * or waits in fdatasync, on the other core; the next chunk_take finds it ready. This is
 * the WAL preallocation of fio.c applied to memory. The thread touches nothing but the
 * spare's pages, which no one else reads or writes until chunk_take has joined it; it
 * takes no signals, and what it does cannot change any content, so the engines stay
 * deterministic. Where a thread cannot be started, or the hint is not known, the pages
 * fault in on first touch as before.
 *
 * No transparent huge pages: on a virtual machine whose host backs fresh memory lazily
 * (this one), a huge page's first touch measured 2 to 5 times slower than the same bytes
 * in small pages. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux's value; older headers lack it, older kernels say EINVAL */
#endif

static void *populate_main(void *p)
{
#ifdef __linux__
    (void)madvise(p, CHUNK_BYTES, MADV_POPULATE_WRITE);
#else
    (void)p;
#endif
    return NULL;
}

/* Starts faulting in h->spare's pages on another thread, with every signal blocked there. */
static void spare_fill(hist *h)
{
    sigset_t all, old;
    sigfillset(&all);
    if (pthread_sigmask(SIG_SETMASK, &all, &old))
        return;
    h->filling = pthread_create(&h->filler, NULL, populate_main, h->spare) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void spare_wait(hist *h)
{
    if (h->filling)
        pthread_join(h->filler, NULL);
    h->filling = false;
}

/* A full chunk, straight from the system (mmap: it goes back to the system when freed,
 * whatever malloc keeps); NULL when out of memory. */
static void *chunk_alloc(void)
{
    void *p = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void chunk_free(void *p)
{
    if (p)
        munmap(p, CHUNK_BYTES);
}

/* A chunk: the spare if there is one (ready, or waited for), else a new one filled here;
 * then the next spare is allocated and its filling started. NULL when out of memory. */
static void *chunk_take(hist *h)
{
    void *p = NULL;
    if (h->spare) {
        spare_wait(h);
        p = h->spare;
        h->spare = NULL;
    } else {
        if (!(p = chunk_alloc()))
            return NULL;
        populate_main(p);
    }
    if ((h->spare = chunk_alloc()) != NULL)
        spare_fill(h);
    return p;
}

/* A block of size bytes for the stream or the arena: from malloc, or (mapped) a full chunk,
 * whose size it takes. NULL when out of memory. */
static arena_block *block_new(hist *h, size_t size, bool mapped)
{
    arena_block *b = mapped ? chunk_take(h) : malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->size = mapped ? CHUNK_BYTES - sizeof *b : size;
    b->mapped = mapped;
    return b;
}

static void blocks_free(arena_block *b)
{
    while (b) {
        arena_block *next = b->next;
        if (b->mapped)
            chunk_free(b);
        else
            free(b);
        b = next;
    }
}

hist *hist_new(void)
{
    return calloc(1, sizeof(hist));
}

void hist_free(hist *h)
{
    if (!h)
        return;
    spare_wait(h);
    chunk_free(h->spare);
    for (size_t g = 0; g < h->ngroups; g++)
        free(h->groups[g].dec);
    free(h->groups);
    blocks_free(h->sblocks);
    for (size_t i = 0; i < h->nnames; i++)
        free(h->names[i]);
    free(h->names);
    blocks_free(h->blocks);
    free(h->preds);
    free(h);
}

/* --- the encoded stream ------------------------------------------------------------------
 *
 * Performance: an event is recorded as a few bytes, not as a hist_event. Most fields of most
 * events are zero, and the rest are small numbers or pointers into the arena, so an event
 * takes 10 to 30 bytes here where a hist_event takes 152; recording a commit touches a
 * sixth of the fresh memory it did (about 17 events per autocommit UPDATE), which is most of
 * what recording cost (BENCHMARKS.md, group). hist_add hands out one hist_event (stage) to
 * be filled, and encodes it when the next is asked for; hist_get decodes a group of events
 * the first time one of them is read, and keeps the decoded copies until hist_free, so a
 * pointer it returns stays valid. A reader may look at the staged event before its writer
 * is done with it: it is encoded early, and encoded again (its decoded copy refreshed) when
 * the next event is added.
 *
 * An event: kind, then side and db in one byte (side | db << 1: db is at most HIST_DB_MAX,
 * so a history of the default database encodes as it always did), then a 16-bit mask of
 * the fields present, then those fields in
 * order: session (1 byte), node, node2, tick, txn (varints), table, text, rows (pointers),
 * nrows (varint), more (pointer), key (type, length, zigzag varint, text bytes), n[0..5]
 * (zigzag varints). seq is the position. */

enum {
    F_SESSION = 1 << 0, F_NODE = 1 << 1, F_NODE2 = 1 << 2, F_TICK = 1 << 3, F_TXN = 1 << 4,
    F_TABLE = 1 << 5, F_TEXT = 1 << 6, F_ROWS = 1 << 7, F_MORE = 1 << 8, F_KEY = 1 << 9,
    F_N0 = 1 << 10   /* ... F_N0 << 5 for n[5] */
};

static uint8_t *put_uv(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *put_sv(uint8_t *p, int64_t v)
{
    return put_uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static uint8_t *put_ptr(uint8_t *p, const void *v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

static uint64_t get_uv(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        uint8_t c = *p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            break;
    }
    *pp = p;
    return v;
}

static int64_t get_sv(const uint8_t **pp)
{
    uint64_t u = get_uv(pp);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static void *get_ptr(const uint8_t **pp)
{
    void *v;
    memcpy(&v, *pp, sizeof v);
    *pp += sizeof v;
    return v;
}

/* The most encode writes: 4 + 1 + 3 + 3 + 10 + 10 + 8 + 8 + 8 + 5 + 8 + (2 + 10 + 23) + 6 * 10. */
_Static_assert(4 + 1 + 3 + 3 + 10 + 10 + 8 + 8 + 8 + 5 + 8 + (2 + 10 + SCALAR_TEXT_MAX) + 6 * 10 <= ENC_MAX,
               "ENC_MAX too small");

static uint8_t *encode(uint8_t *p, const hist_event *e)
{
    /* One pass: each present field is written and its bit set; the mask goes in last. */
    uint8_t *head = p;
    unsigned mask = 0;
    p += 4;
    if (e->session) {
        mask |= F_SESSION;
        *p++ = e->session;
    }
    if (e->node) {
        mask |= F_NODE;
        p = put_uv(p, e->node);
    }
    if (e->node2) {
        mask |= F_NODE2;
        p = put_uv(p, e->node2);
    }
    if (e->tick) {
        mask |= F_TICK;
        p = put_uv(p, e->tick);
    }
    if (e->txn) {
        mask |= F_TXN;
        p = put_uv(p, e->txn);
    }
    if (e->table) {
        mask |= F_TABLE;
        p = put_ptr(p, e->table);
    }
    if (e->text) {
        mask |= F_TEXT;
        p = put_ptr(p, e->text);
    }
    if (e->rows || e->nrows) {
        mask |= F_ROWS;
        p = put_ptr(p, e->rows);
        p = put_sv(p, e->nrows);
    }
    if (e->more) {
        mask |= F_MORE;
        p = put_ptr(p, e->more);
    }
    if (e->key.type != SC_NONE || e->key.len || e->key.i) {
        uint8_t len = e->key.len <= SCALAR_TEXT_MAX ? e->key.len : SCALAR_TEXT_MAX;
        mask |= F_KEY;
        *p++ = e->key.type;
        *p++ = len;
        p = put_sv(p, e->key.i);
        memcpy(p, e->key.s, len);
        p += len;
    }
    for (int j = 0; j < 6; j++)
        if (e->n[j]) {
            mask |= (unsigned)F_N0 << j;
            p = put_sv(p, e->n[j]);
        }
    head[0] = e->kind;
    head[1] = (uint8_t)((e->side & 1) | (e->db & HIST_DB_MAX) << 1);
    head[2] = (uint8_t)mask;
    head[3] = (uint8_t)(mask >> 8);
    return p;
}

static const uint8_t *decode(const uint8_t *p, hist_event *e, size_t i)
{
    static const hist_event zero;
    if (*p == JUMP_MARK)
        p = get_ptr(&(const uint8_t *){ p + 1 });
    *e = zero;
    e->seq = (uint32_t)(i + 1);
    e->kind = *p++;
    e->side = *p & 1;
    e->db = *p++ >> 1;
    unsigned mask = p[0] | (unsigned)p[1] << 8;
    p += 2;
    if (mask & F_SESSION)
        e->session = *p++;
    if (mask & F_NODE)
        e->node = (uint16_t)get_uv(&p);
    if (mask & F_NODE2)
        e->node2 = (uint16_t)get_uv(&p);
    if (mask & F_TICK)
        e->tick = get_uv(&p);
    if (mask & F_TXN)
        e->txn = get_uv(&p);
    if (mask & F_TABLE)
        e->table = get_ptr(&p);
    if (mask & F_TEXT)
        e->text = get_ptr(&p);
    if (mask & F_ROWS) {
        e->rows = get_ptr(&p);
        e->nrows = (int)get_sv(&p);
    }
    if (mask & F_MORE)
        e->more = get_ptr(&p);
    if (mask & F_KEY) {
        e->key.type = *p++;
        e->key.len = *p++;
        e->key.i = get_sv(&p);
        memcpy(e->key.s, p, e->key.len);
        p += e->key.len;
    }
    for (int j = 0; j < 6; j++)
        if (mask & ((unsigned)F_N0 << j))
            e->n[j] = get_sv(&p);
    return p;
}

/* Room for one more encoded event in the stream; -1 when out of memory. Blocks come from
 * malloc at first and, in a long history, are full chunks (filled ahead: chunk_take). */
static int stream_room(hist *h)
{
    if (h->sleft >= ENC_MAX + JUMP)
        return 0;
    arena_block *b = block_new(h, ARENA_BLOCK, h->sbytes >= 2 * CHUNK_BYTES);
    if (!b)
        return -1;
    b->next = h->sblocks;
    h->sblocks = b;
    if (h->sp) {
        /* The group may go on in the new block: the decoder follows this. */
        *h->sp = JUMP_MARK;
        put_ptr(h->sp + 1, b->data);
    }
    h->sp = (uint8_t *)b->data;
    h->sleft = b->size;
    h->sbytes += b->size;
    return 0;
}

/* Encodes the staged event (n - 1) at the end of the stream, or again where it was encoded
 * early; its decoded copy, if any, follows. -1 when out of memory. */
static int stage_encode(hist *h)
{
    size_t i = h->n - 1;
    ev_group *g = &h->groups[i / GROUP];
    if (h->stage_at) {
        h->sleft += (size_t)(h->sp - h->stage_at);
        h->sp = h->stage_at;
    } else if (stream_room(h)) {
        return -1;
    }
    uint8_t *start = h->sp;
    if (i % GROUP == 0)
        g->cur = start;   /* (and again below if it was decoded early) */
    _Static_assert(EV__COUNT < JUMP_MARK, "a kind would read as a jump");
    uint8_t *end = encode(start, &h->stage);
    h->sleft -= (size_t)(end - start);
    h->sp = end;
    h->stage_at = start;
    if (g->dec && g->ndec > i % GROUP) {
        g->dec[i % GROUP] = h->stage;
        g->cur = end;
    }
    return 0;
}

hist_event *hist_add(hist *h, hist_side side, hist_kind kind)
{
    if (h->n >= UINT32_MAX)
        return NULL;   /* 4 billion events would be hundreds of GB: memory runs out first */
    if (h->staged) {
        if (stage_encode(h))
            return NULL;
        h->staged = false;
    }
    if (h->n / GROUP >= h->ngroups) {
        if (h->ngroups == h->capgroups) {
            size_t cap = h->capgroups ? h->capgroups * 2 : 16;
            ev_group *v = realloc(h->groups, cap * sizeof *v);
            if (!v)
                return NULL;
            h->groups = v;
            h->capgroups = cap;
        }
        memset(&h->groups[h->ngroups++], 0, sizeof *h->groups);
    }
    /* Performance: a copy of a zero event is a few vector stores; memset of 152 bytes
     * became `rep stos`, two thirds of hist_add's time. */
    static const hist_event zero;
    hist_event *e = &h->stage;
    *e = zero;
    h->n++;
    h->staged = true;
    h->stage_at = NULL;
    e->seq = (uint32_t)h->n;
    e->tick = h->tick;
    e->side = (uint8_t)side;
    e->kind = (uint8_t)kind;
    h->nkind[kind < EV__COUNT ? kind : 0]++;
    return e;
}

/* n bytes the history owns until hist_free, aligned for any type; NULL when out of memory. */
static void *arena_alloc(hist *h, size_t n)
{
    const size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (n > h->aleft) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        /* A long history: its texts and rows in full chunks too (see chunk_take). */
        arena_block *b = block_new(h, size, size == ARENA_BLOCK && h->abytes >= 2 * CHUNK_BYTES);
        if (!b)
            return NULL;
        size = b->size;
        h->abytes += size;
        if (size == n && h->blocks) {
            /* A big one gets its own block, behind the current one, which stays open. */
            b->next = h->blocks->next;
            h->blocks->next = b;
            return b->data;
        }
        b->next = h->blocks;
        h->blocks = b;
        h->ap = (char *)b->data;
        h->aleft = size;
    }
    void *p = h->ap;
    h->ap += n;
    h->aleft -= n;
    return p;
}

static char *arena_strdup(hist *h, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(h, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void hist_set_text(hist *h, hist_event *e, const char *text)
{
    e->text = text ? arena_strdup(h, text) : NULL;
}

/* Table and client names: few and repeated, so interned once. */
static const char *intern(hist *h, const char *name)
{
    for (size_t i = 0; i < h->nnames; i++)
        if (h->names[i] == name || strcmp(h->names[i], name) == 0)
            return h->names[i];
    if (h->nnames == h->capnames) {
        size_t cap = h->capnames ? h->capnames * 2 : 8;
        char **nn = realloc(h->names, cap * sizeof *nn);
        if (!nn)
            return NULL;
        h->names = nn;
        h->capnames = cap;
    }
    h->names[h->nnames] = strdup(name);
    return h->names[h->nnames] ? h->names[h->nnames++] : NULL;
}

/* e's hist_more, made (zeroed) when first needed; NULL when out of memory. */
static hist_more *more_of(hist *h, hist_event *e)
{
    if (!e->more && (e->more = arena_alloc(h, sizeof *e->more)) != NULL)
        memset(e->more, 0, sizeof *e->more);
    return e->more;
}

void hist_set_actor(hist *h, hist_event *e, const char *actor)
{
    const char *a = actor ? intern(h, actor) : NULL;
    if ((a || e->more) && more_of(h, e))
        e->more->actor = a;
}

void hist_set_txn2(hist *h, hist_event *e, uint64_t txn2)
{
    if ((txn2 || e->more) && more_of(h, e))
        e->more->txn2 = txn2;
}

void hist_set_table(hist *h, hist_event *e, const char *table)
{
    e->table = table ? intern(h, table) : NULL;
}

/* --- interned predicates --------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint64_t scalar_mix(uint64_t h, const scalar *v)
{
    h = mix(h, (uint64_t)v->type << 8 | v->len);
    h = mix(h, (uint64_t)v->i);
    for (int i = 0; i < v->len && i < SCALAR_TEXT_MAX; i++)
        h = mix(h, (unsigned char)v->s[i]);
    return h;
}

static bool scalar_same(const scalar *a, const scalar *b)
{
    return a->type == b->type && a->len == b->len && a->i == b->i &&
           memcmp(a->s, b->s, a->len < SCALAR_TEXT_MAX ? a->len : SCALAR_TEXT_MAX) == 0;
}

static int term_nin(const pred_term *t)
{
    return t->nin < 0 ? 0 : t->nin > PRED_IN_MAX ? PRED_IN_MAX : t->nin;
}

/* Every field that means something (not the source positions): an interned copy is the
 * same predicate as each one it stands for, not merely an equivalent one. */
static uint64_t pred_hash(const pred *p)
{
    uint64_t h = mix(0x243f6a8885a308d3ULL, (uint64_t)p->nterms);
    for (int i = 0; i < p->nterms; i++) {
        const pred_term *t = &p->terms[i];
        h = mix(h, (uint64_t)t->kind << 16 | (uint64_t)t->op << 8 | t->field);
        for (const char *c = t->col; *c && c < t->col + PRED_COL_MAX; c++)
            h = mix(h, (unsigned char)*c);
        h = scalar_mix(h, &t->lit);
        h = mix(h, (uint64_t)t->mod_m);
        h = mix(h, (uint64_t)t->mod_r);
        h = mix(h, (uint64_t)t->nin);
        for (int j = 0; j < term_nin(t); j++)
            h = scalar_mix(h, &t->in[j]);
    }
    return h;
}

static bool pred_same(const pred *a, const pred *b)
{
    if (a->nterms != b->nterms)
        return false;
    for (int i = 0; i < a->nterms; i++) {
        const pred_term *x = &a->terms[i], *y = &b->terms[i];
        if (x->kind != y->kind || x->op != y->op || x->field != y->field ||
            strncmp(x->col, y->col, sizeof x->col) != 0 || !scalar_same(&x->lit, &y->lit) ||
            x->mod_m != y->mod_m || x->mod_r != y->mod_r || x->nin != y->nin)
            return false;
        for (int j = 0; j < term_nin(x); j++)
            if (!scalar_same(&x->in[j], &y->in[j]))
                return false;
    }
    return true;
}

static int preds_grow(hist *h)
{
    size_t cap = h->cappreds ? h->cappreds * 2 : 64;
    pred_ent *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < h->cappreds; i++) {
        if (!h->preds[i].p)
            continue;
        size_t j = (size_t)h->preds[i].hash & (cap - 1);
        while (v[j].p)
            j = (j + 1) & (cap - 1);
        v[j] = h->preds[i];
    }
    free(h->preds);
    h->preds = v;
    h->cappreds = cap;
    return 0;
}

/* The history's copy of p, made on first sight; NULL when out of memory. */
static pred_ent *pred_intern(hist *h, const pred *p)
{
    if ((h->npreds + 1) * 2 > h->cappreds && preds_grow(h))
        return NULL;
    uint64_t hash = pred_hash(p);
    size_t i = (size_t)hash & (h->cappreds - 1);
    for (; h->preds[i].p; i = (i + 1) & (h->cappreds - 1))
        if (h->preds[i].hash == hash && pred_same(h->preds[i].p, p))
            return &h->preds[i];
    pred *c = arena_alloc(h, sizeof *c);
    if (!c)
        return NULL;
    c->nterms = p->nterms > 0 ? p->nterms : 0;
    c->terms = NULL;
    if (c->nterms) {
        c->terms = arena_alloc(h, (size_t)c->nterms * sizeof *c->terms);
        if (!c->terms)
            return NULL;
        memcpy(c->terms, p->terms, (size_t)c->nterms * sizeof *c->terms);
        for (int j = 0; j < c->nterms; j++)
            c->terms[j].col_line = c->terms[j].col_col = c->terms[j].lit_line = c->terms[j].lit_col = 0;
    }
    h->preds[i] = (pred_ent){ hash, c, NULL };
    h->npreds++;
    return &h->preds[i];
}

/* e's predicate: p's interned copy (returned), or none. */
static pred_ent *set_pred(hist *h, hist_event *e, const pred *p)
{
    pred_ent *x = p ? pred_intern(h, p) : NULL;
    if ((x || e->more) && more_of(h, e))
        e->more->pred = x ? x->p : NULL;
    return x;
}

void hist_set_pred(hist *h, hist_event *e, const pred *p)
{
    set_pred(h, e, p);
}

void hist_set_pred_text(hist *h, hist_event *e, const pred *p)
{
    pred_ent *x = set_pred(h, e, p);
    e->text = NULL;
    if (!x)
        return;
    if (!x->text) {
        char small[256];
        int n = pred_format(x->p, small, sizeof small);
        if (n < 0)
            n = 0;
        x->text = arena_alloc(h, (size_t)n + 1);
        if (!x->text)
            return;
        if ((size_t)n < sizeof small)
            memcpy(x->text, small, (size_t)n + 1);
        else
            pred_format(x->p, x->text, (size_t)n + 1);
    }
    e->text = x->text;
}

void hist_set_rows(hist *h, hist_event *e, const hist_row *rows, int n)
{
    h->nrows -= (size_t)(e->nrows > 0 ? e->nrows : 0);
    e->rows = NULL;
    e->nrows = 0;
    if (n <= 0)
        return;
    e->rows = arena_alloc(h, (size_t)n * sizeof *rows);
    if (!e->rows)
        return;
    memcpy(e->rows, rows, (size_t)n * sizeof *rows);
    e->nrows = n;
    h->nrows += (size_t)n;
}

void hist_set_txns(hist *h, hist_event *e, const uint64_t *txns, int n)
{
    if (e->more) {
        e->more->txns = NULL;
        e->more->ntxns = 0;
    }
    if (n <= 0 || !more_of(h, e))
        return;
    uint64_t *v = arena_alloc(h, (size_t)n * sizeof *txns);
    if (!v)
        return;
    memcpy(v, txns, (size_t)n * sizeof *txns);
    e->more->txns = v;
    e->more->ntxns = n;
}

void hist_set_tick(hist *h, uint64_t tick)
{
    if (tick > h->tick)
        h->tick = tick;
}

uint64_t hist_tick(const hist *h)
{
    return h->tick;
}

size_t hist_count(const hist *h)
{
    return h->n;
}

size_t hist_count_kind(const hist *h, hist_kind k)
{
    return k > 0 && k < EV__COUNT ? h->nkind[k] : 0;
}

size_t hist_count_rows(const hist *h)
{
    return h->nrows;
}

const hist_event *hist_get(const hist *hc, size_t i)
{
    hist *h = (hist *)hc;   /* reading decodes: the history's cache, not its content */
    if (i >= h->n)
        return NULL;
    if (h->staged && i == h->n - 1 && !h->stage_at && stage_encode(h))
        return NULL;
    ev_group *g = &h->groups[i / GROUP];
    size_t k = i % GROUP;
    if (k >= g->ndec) {
        if (!g->dec && !(g->dec = malloc(GROUP * sizeof *g->dec)))
            return NULL;
        for (; g->ndec <= k; g->ndec++)
            g->cur = decode(g->cur, &g->dec[g->ndec], i - k + g->ndec);
    }
    return &g->dec[k];
}

const hist_kind_info *hist_kind_info_of(hist_kind k)
{
    return (k > 0 && k < EV__COUNT) ? &kinds[k] : NULL;
}

hist_kind hist_kind_by_name(const char *name)
{
    for (int k = 1; k < EV__COUNT; k++)
        if (kinds[k].name && strcmp(kinds[k].name, name) == 0)
            return (hist_kind)k;
    return 0;
}
