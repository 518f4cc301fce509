/*
 * history.c: the append-only event history. See history.h for the kinds and invariants.
 *
 * Events live in chunks of 2 MiB (the first grows up to that size, and moves while it
 * does), so a long history never copies itself to grow and, past the first chunk, an event
 * never moves once recorded. What events point at is
 * owned here and freed with the history, never one event at a time (H2: nothing is edited
 * afterwards):
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
 * Performance: all three matter to the engine's commit path (about 16 events per
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
#define CHUNK_EVENTS (CHUNK_BYTES / sizeof(hist_event))

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

struct hist {
    hist_event **chunk;    /* chunk[i] holds events i * CHUNK_EVENTS ... */
    size_t nchunks, capchunks;
    size_t cap0;           /* events chunk[0] has room for (it grows to CHUNK_EVENTS) */
    size_t n;
    hist_event *next;      /* where event n goes */
    size_t room;           /* events that fit from next on before the chunk is full */
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
    bool zeroed;           /* the chunk being filled is fresh from the system: all zero */
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
    [EV_REQ_ANSWER] = { "req_answer", { "ok", "counted", "request", "dot" } },
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

/* Full chunks: 2 MiB each, for events and, in a long history, for the arena.
 *
 * Performance: a long history touches fresh memory at every event, about 3 KiB per
 * autocommit UPDATE, and on the machines measured a page fault costs more than the rest of
 * recording an event: about 0.45 us per KiB here, a quarter of a group-64 commit's CPU
 * (BENCHMARKS.md, group). So the history keeps one spare chunk ahead and has a short-lived
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

/* Full chunks come straight from the system (mmap), so they are all zero and hist_add
 * need not clear their events; NULL when out of memory. */
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
    if (h->nchunks)
        free(h->chunk[0]);
    for (size_t i = 1; i < h->nchunks; i++)
        chunk_free(h->chunk[i]);
    free(h->chunk);
    for (size_t i = 0; i < h->nnames; i++)
        free(h->names[i]);
    free(h->names);
    while (h->blocks) {
        arena_block *b = h->blocks;
        h->blocks = b->next;
        if (b->mapped)
            chunk_free(b);
        else
            free(b);
    }
    free(h->preds);
    free(h);
}

/* Room for event n: chunk[0] grown, or a new chunk. */
static int hist_grow(hist *h)
{
    size_t c = h->n / CHUNK_EVENTS, k = h->n % CHUNK_EVENTS;
    if (c == 0) {
        size_t cap = h->cap0 ? h->cap0 * 2 : 256;
        if (cap > CHUNK_EVENTS)
            cap = CHUNK_EVENTS;
        if (!h->nchunks) {
            h->chunk = malloc(8 * sizeof *h->chunk);
            if (!h->chunk)
                return -1;
            h->capchunks = 8;
            h->chunk[0] = NULL;
            h->nchunks = 1;
        }
        hist_event *ev = realloc(h->chunk[0], cap * sizeof *ev);
        if (!ev)
            return -1;
        h->chunk[0] = ev;
        h->cap0 = cap;
        h->zeroed = false;
    } else {
        if (c == h->capchunks) {
            hist_event **v = realloc(h->chunk, 2 * h->capchunks * sizeof *v);
            if (!v)
                return -1;
            h->chunk = v;
            h->capchunks *= 2;
        }
        if (!(h->chunk[c] = chunk_take(h)))
            return -1;
        h->nchunks = c + 1;
        h->zeroed = true;
    }
    h->next = &h->chunk[c][k];
    h->room = (c == 0 ? h->cap0 : CHUNK_EVENTS) - k;
    return 0;
}

hist_event *hist_add(hist *h, hist_side side, hist_kind kind)
{
    if (h->n >= UINT32_MAX || (!h->room && hist_grow(h)))
        return NULL;   /* 4 billion events would be hundreds of GB: memory runs out first */
    hist_event *e = h->next++;
    h->room--;
    h->n++;
    if (!h->zeroed)
        memset(e, 0, sizeof *e);
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
        arena_block *b;
        bool mapped = size == ARENA_BLOCK && h->abytes >= 2 * CHUNK_BYTES;
        if (mapped) {
            /* A long history: its texts and rows in full chunks too (see chunk_take). */
            b = chunk_take(h);
            size = CHUNK_BYTES - sizeof *b;
        } else {
            b = malloc(sizeof *b + size);
        }
        if (!b)
            return NULL;
        b->size = size;
        b->mapped = mapped;
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

void hist_set_pred(hist *h, hist_event *e, const pred *p)
{
    pred_ent *x = p ? pred_intern(h, p) : NULL;
    if ((x || e->more) && more_of(h, e))
        e->more->pred = x ? x->p : NULL;
}

void hist_set_pred_text(hist *h, hist_event *e, const pred *p)
{
    pred_ent *x = p ? pred_intern(h, p) : NULL;
    if ((x || e->more) && more_of(h, e))
        e->more->pred = x ? x->p : NULL;
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

const hist_event *hist_get(const hist *h, size_t i)
{
    return i < h->n ? &h->chunk[i / CHUNK_EVENTS][i % CHUNK_EVENTS] : NULL;
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
