/*
 * history.c: the append-only event history. See history.h for the kinds and invariants.
 *
 * Events live in one growing array; table names are interned in a small list so that
 * every event of a table points at the same string. Everything an event points at is
 * owned here and freed with the history.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

struct hist {
    hist_event *ev;
    size_t n, cap;
    uint64_t tick;
    char **names;
    size_t nnames, capnames;
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

hist *hist_new(void)
{
    return calloc(1, sizeof(hist));
}

static void event_release(hist_event *e)
{
    free(e->text);
    pred_free(e->pred);
    free(e->rows);
    free(e->txns);
}

void hist_free(hist *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        event_release(&h->ev[i]);
    free(h->ev);
    for (size_t i = 0; i < h->nnames; i++)
        free(h->names[i]);
    free(h->names);
    free(h);
}

hist_event *hist_add(hist *h, hist_side side, hist_kind kind)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        hist_event *ev = realloc(h->ev, cap * sizeof *ev);
        if (!ev)
            return NULL;
        h->ev = ev;
        h->cap = cap;
    }
    hist_event *e = &h->ev[h->n++];
    memset(e, 0, sizeof *e);
    e->seq = h->n;
    e->tick = h->tick;
    e->side = (uint8_t)side;
    e->kind = (uint8_t)kind;
    return e;
}

void hist_set_text(hist *h, hist_event *e, const char *text)
{
    (void)h;
    free(e->text);
    e->text = text ? strdup(text) : NULL;
}

/* Table and client names: few and repeated, so interned once. */
static const char *intern(hist *h, const char *name)
{
    for (size_t i = 0; i < h->nnames; i++)
        if (strcmp(h->names[i], name) == 0)
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

void hist_set_actor(hist *h, hist_event *e, const char *actor)
{
    e->actor = actor ? intern(h, actor) : NULL;
}

void hist_set_table(hist *h, hist_event *e, const char *table)
{
    e->table = table ? intern(h, table) : NULL;
}

void hist_set_pred(hist *h, hist_event *e, const pred *p)
{
    (void)h;
    pred_free(e->pred);
    e->pred = pred_clone(p);
}

void hist_set_rows(hist *h, hist_event *e, const hist_row *rows, int n)
{
    (void)h;
    free(e->rows);
    e->rows = NULL;
    e->nrows = 0;
    if (n <= 0)
        return;
    e->rows = malloc((size_t)n * sizeof *rows);
    if (!e->rows)
        return;
    memcpy(e->rows, rows, (size_t)n * sizeof *rows);
    e->nrows = n;
}

void hist_set_txns(hist *h, hist_event *e, const uint64_t *txns, int n)
{
    (void)h;
    free(e->txns);
    e->txns = NULL;
    e->ntxns = 0;
    if (n <= 0)
        return;
    e->txns = malloc((size_t)n * sizeof *txns);
    if (!e->txns)
        return;
    memcpy(e->txns, txns, (size_t)n * sizeof *txns);
    e->ntxns = n;
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

const hist_event *hist_get(const hist *h, size_t i)
{
    return i < h->n ? &h->ev[i] : NULL;
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
