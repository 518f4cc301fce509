/*
 * history.h: the one spine of the lab. Every engine reports what it does as events,
 * appended here in order; the runner's transcript, the checkers, the TUI and the trace
 * all read this and nothing else. There is no second log.
 *
 * An event is one fixed struct: a sequence number, the logical tick, which side it
 * belongs to, its kind, a few identifying fields (session, transaction, table, key) and
 * six kind-specific numbers n[0..5] whose meaning the kind table below fixes (and
 * hist_kind_info() names, for the trace and the UI). Strings, predicates and row sets are
 * owned by the history and live until hist_free(): they are copied into blocks the history
 * allocates in bulk, and a predicate is stored once however many events carry it, so
 * events that point at the same predicate share it (read-only, like everything an event
 * points at).
 *
 * Invariants:
 *   H1. seq is 1, 2, 3, ... in append order; tick never decreases.
 *   H2. Events are facts, appended when they happen; nothing is edited afterwards.
 *   H3. The history holds no pointers into engine memory: an engine may be freed (a crash)
 *       and the history still reads.
 *
 * Identity (ACID side): an event carries the database it belongs to (db, 0 the default
 * one), and its txn and the version ids in n[] are unique within that database, so
 * whoever keys transactions or versions across databases keys them by (db, id). A history
 * of one database has db 0 throughout.
 *
 * Kinds and their numbers (txn is the transaction id, 0 = none):
 *   STMT_INVOKE  session txn text         a statement handed to a session
 *   STMT_QUEUE   session text             the session is blocked; the statement waits behind it
 *   STMT_BLOCK   session txn text         the statement must wait; text says for what
 *   STMT_RESUME  session txn text         a blocked statement continues
 *   STMT_RETURN  session txn text         result; n0 = rows affected or returned, n1 = number (COUNT/SUM)
 *   STMT_FAIL    session txn text         text = error code (deadlock, check, duplicate, ...)
 *   STMT_SKIP    session text             discarded: the session's transaction was aborted
 *   TXN_BEGIN    session txn              n0 = isolation level (1 RU, 2 RC, 3 RR, 4 SER), n1 = autocommit
 *   TXN_COMMIT   session txn              n0 = LSN of the commit record
 *   TXN_ABORT    session txn text         text = why: rollback, deadlock, error, crash
 *   TXN_LOST     txn                      its COMMIT was answered but the commit record was not
 *                                         durable when the power went: the crash took it
 *   WRITE        txn table key            n0 = new version, n1 = value, n2 = 1 exists / 0 deleted,
 *                                         n3 = version replaced (0 = none), n4 = 1 if inserted
 *   UNDO         txn table key            n0 = version restored, n1 = value, n2 = exists,
 *                                         n3 = version removed
 *   READ         txn table key            n0 = version seen, n1 = value, n2 = exists,
 *                                         n3 = 1 if its writer had not committed yet
 *   PREAD        txn table pred rows      a predicate read (scan): text = predicate,
 *                                         rows = every row examined with the version seen and
 *                                         whether it matched; n0 = rows matched
 *   LOCK_REQUEST txn table key            n0 = mode (lock_mode), key.type 0 = the table itself
 *   LOCK_GRANT   txn table key            n0 = mode granted (the txn's mode after the grant)
 *   LOCK_WAIT    txn table key txn2       n0 = mode wanted; txn2 = first transaction it waits for
 *   LOCK_RELEASE txn table key            n0 = mode released
 *   DEADLOCK     txn txns                 txn = victim; txns = the cycle in waits-for order; text
 *   LOG_APPEND   txn                      n0 = LSN, n1 = record type, n2 = prev LSN, n3 = size,
 *                table key                n4 = before value, n5 = after value
 *   LOG_FLUSH                             n0 = durable end LSN, n1 = records made durable,
 *                                         n2 = 1 if fsynced (0: written only)
 *   PAGE_READ / PAGE_WRITE / PAGE_EVICT   n0 = page number, n1 = page LSN, n2 = dirty
 *   CHECKPOINT                            n0 = LSN, n1 = dirty pages, n2 = active transactions
 *   CRASH                                 n0 = log bytes lost, n1 = page writes lost,
 *                                         n2 = transactions aborted, n3 = commits lost
 *   LOG_TORN                              n0 = offset cut at, n1 = bytes cut; text = why
 *   RECOVERY     text = pass name         n0 = from LSN, n1 = to LSN, n2 = records scanned,
 *                (analysis, redo, undo)   n3 = applied (redone / undone), n4 = skipped,
 *                                         n5 = losers (analysis) or CLRs written (undo)
 *
 * BASE side (node = replica, node2 = the other replica, actor = client name or NULL,
 * key = the key as text; a dot (replica, counter) is packed as replica << 48 | counter,
 * replica < 0x8000, so it is never negative; replica 0x7FFF names a merged CRDT state,
 * whose counter is a hash of its context):
 *   REQ_INVOKE   node actor key text      a client request at its coordinator; text = the
 *                                         statement; n0 = op (scn_base_op), n1 = acks or
 *                                         replies needed, n2 = request id
 *   REQ_ANSWER   node actor key text      text = the answer ("ok", "unavailable", "refused:
 *                                         ...", a value, "a|b", "{a,b}", "absent"); n0 = 1 ok /
 *                                         0 not (unavailable, or refused: the text says),
 *                                         n1 = acks or replies that counted, n2 = request id,
 *                                         n3 = the write's dot, n4 = the conflict policy it
 *                                         ran under (1 lww, 2 siblings, 3 crdt); txns = the
 *                                         replicas whose acks or replies counted; rows = a
 *                                         read's versions (version = dot, value = timestamp,
 *                                         matched = kind)
 *   MSG_SEND     node node2               n0 = wire type, n1 = bytes, n2 = due tick, n3 = seq
 *   MSG_DELIVER  node node2               node = receiver; n0 type, n1 bytes, n3 seq
 *   MSG_DROP     node node2 text          text = why: cut, partition, down, loss, malformed
 *   NET_CHANGE   node node2 text          a directive changed links or replicas (text says)
 *   NODE_DOWN / NODE_UP  node
 *   VERSION_STORE   node key text         n0 = dot, n1 = timestamp (clock * 1,000,000 +
 *                                         counter), n2 = kind (version.h),
 *                                         text = payload as read; txns = context (packed dots)
 *   VERSION_DISCARD node key text         n0 = dot dropped, n1 = dot that replaced it,
 *                                         n2 = 1 if the replacement saw it; text = lww,
 *                                         superseded, merged (joined into a CRDT state)
 *   SIBLINGS     node key                 n0 = versions now kept (>= 2 created, 1 resolved)
 *   HINT_STORE / HINT_DELIVER node node2 key   n0 = dot
 *   GOSSIP       node node2               n0 = hashes compared, n1 = keys shipped,
 *                                         n2 = exchange id, n3 = 1 when complete
 *   PURGE        node key                 a tombstone past its grace; n0 = its dot
 *   READ_REPAIR  node node2 key           the coordinator sent the merged state to node2
 *   SETTLE                                n0 = ticks taken, n1 = 1 converged
 */
#ifndef AB_HISTORY_H
#define AB_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "common/scalar.h"
#include "common/pred.h"

typedef enum { SIDE_ACID = 0, SIDE_BASE = 1 } hist_side;

#define HIST_DB_MAX 127    /* database numbers are 0..HIST_DB_MAX */

typedef enum {
    EV_STMT_INVOKE = 1, EV_STMT_QUEUE, EV_STMT_BLOCK, EV_STMT_RESUME, EV_STMT_RETURN,
    EV_STMT_FAIL, EV_STMT_SKIP,
    EV_TXN_BEGIN, EV_TXN_COMMIT, EV_TXN_ABORT, EV_TXN_LOST,
    EV_WRITE, EV_UNDO, EV_READ, EV_PREAD,
    EV_LOCK_REQUEST, EV_LOCK_GRANT, EV_LOCK_WAIT, EV_LOCK_RELEASE, EV_DEADLOCK,
    EV_LOG_APPEND, EV_LOG_FLUSH, EV_PAGE_READ, EV_PAGE_WRITE, EV_PAGE_EVICT,
    EV_CHECKPOINT, EV_CRASH, EV_LOG_TORN, EV_RECOVERY,
    EV_REQ_INVOKE, EV_REQ_ANSWER, EV_MSG_SEND, EV_MSG_DELIVER, EV_MSG_DROP, EV_NET_CHANGE,
    EV_NODE_DOWN, EV_NODE_UP, EV_VERSION_STORE, EV_VERSION_DISCARD, EV_SIBLINGS,
    EV_HINT_STORE, EV_HINT_DELIVER, EV_GOSSIP, EV_PURGE, EV_READ_REPAIR, EV_SETTLE,
    EV__COUNT
} hist_kind;

typedef struct hist_row {
    scalar key;
    uint64_t version;
    int64_t value;
    uint8_t matched;
} hist_row;

/* What few kinds record (a lock wait's holder, a BASE client, a PREAD's predicate, the
 * transactions a deadlock or a version names), kept beside the event so that every event
 * stays small: a long history holds about 16 events per commit, and their bytes are most
 * of what recording costs (BENCHMARKS.md, group). Read through the hist_txn2 ... hist_txns
 * helpers below; set through hist_set_txn2, hist_set_actor, hist_set_pred, hist_set_txns. */
typedef struct hist_more {
    uint64_t txn2;
    const char *actor; /* BASE: the client's name, interned; NULL none */
    pred *pred;
    uint64_t *txns;
    int ntxns;
} hist_more;

typedef struct hist_event {
    uint32_t seq;      /* 1, 2, 3, ... in order */
    uint8_t side;      /* hist_side */
    uint8_t kind;      /* hist_kind */
    uint8_t session;   /* 1..9 for T1..T9, 0 none */
    uint8_t db;        /* ACID side: the database (acid_options.db), 0 the default one */
    uint16_t node;     /* BASE side: replica 1..n, 0 none */
    uint16_t node2;    /* BASE side: the other replica (peer, destination), 0 none */
    int nrows;
    uint64_t tick;
    uint64_t txn;
    const char *table; /* interned by the history; NULL none */
    char *text;
    hist_row *rows;
    hist_more *more;   /* NULL when none of its fields is set */
    scalar key;
    int64_t n[6];
} hist_event;

static inline uint64_t hist_txn2(const hist_event *e) { return e->more ? e->more->txn2 : 0; }
static inline const char *hist_actor(const hist_event *e) { return e->more ? e->more->actor : NULL; }
static inline const pred *hist_pred(const hist_event *e) { return e->more ? e->more->pred : NULL; }
static inline const uint64_t *hist_txns(const hist_event *e) { return e->more ? e->more->txns : NULL; }
static inline int hist_ntxns(const hist_event *e) { return e->more ? e->more->ntxns : 0; }

typedef struct hist_kind_info {
    const char *name;      /* "stmt_invoke", ... as in traces */
    const char *fields[6]; /* names of n[0..5], NULL where unused */
} hist_kind_info;

typedef struct hist hist;

hist *hist_new(void);
void hist_free(hist *h);

/* Appends a zeroed event with seq and tick set; returns NULL only when out of memory.
 * The pointer is valid until the next hist_add. */
hist_event *hist_add(hist *h, hist_side side, hist_kind kind);
/* hist_add of an ACID event of database db. */
static inline hist_event *hist_add_acid(hist *h, uint8_t db, hist_kind kind)
{
    hist_event *e = hist_add(h, SIDE_ACID, kind);
    if (e)
        e->db = db;
    return e;
}
/* Helpers that copy into memory the history owns. */
void hist_set_text(hist *h, hist_event *e, const char *text);
void hist_set_table(hist *h, hist_event *e, const char *table);
void hist_set_actor(hist *h, hist_event *e, const char *actor);
void hist_set_txn2(hist *h, hist_event *e, uint64_t txn2);
void hist_set_pred(hist *h, hist_event *e, const pred *p);
/* hist_set_pred, and text = the predicate's canonical text (pred_format), formatted once
 * per distinct predicate: what a PREAD records. */
void hist_set_pred_text(hist *h, hist_event *e, const pred *p);
void hist_set_rows(hist *h, hist_event *e, const hist_row *rows, int n);
void hist_set_txns(hist *h, hist_event *e, const uint64_t *txns, int n);

void hist_set_tick(hist *h, uint64_t tick);
uint64_t hist_tick(const hist *h);
size_t hist_count(const hist *h);
/* Events of one kind, and rows over all events (hist_set_rows), kept as events are added:
 * a reader can size its tables before it reads the history. */
size_t hist_count_kind(const hist *h, hist_kind k);
size_t hist_count_rows(const hist *h);
const hist_event *hist_get(const hist *h, size_t i);   /* 0-based */

const hist_kind_info *hist_kind_info_of(hist_kind k);
/* Kind by its trace name, or 0. */
hist_kind hist_kind_by_name(const char *name);

#endif
