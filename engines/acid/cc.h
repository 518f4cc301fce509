/*
 * cc.h: concurrency control, the seam between statement execution and the scheme that
 * decides what a transaction sees and when it must wait.
 *
 * Statement execution (exec.c) never takes a lock, chooses a version or validates; it asks
 * the scheme, through cc_ops, at these points of a transaction's life:
 *
 *   begin        a transaction starts           (register it)
 *   stmt_begin   a statement starts             (a snapshot: each statement's, or the
 *                                                transaction's at its first statement)
 *   stmt_end     a statement ends or parks      (its statement-long locks go)
 *   scan_table   a predicate read starts        (what the table needs: intention or
 *                                                table locks, predicate markers)
 *   scan_row     one candidate key of it        (the row as t sees it, and whether it
 *                                                matches; for a write scan, a match is a
 *                                                row t may now write)
 *   insert_begin an INSERT, before it checks    (what its new keys need)
 *                for duplicates
 *   row_latest   the newest state of a row      (what a uniqueness check compares with)
 *   write        a row changes                  (where the new image goes: in place, a new
 *                                                version, a private workspace)
 *   commit       before the commit record       (validation; may abort)
 *   end          committed or rolled back       (release; wake whoever that lets go on)
 *
 * Every step that can wait or abort returns a cc_result:
 *   CC_OK       go on;
 *   CC_WAIT     the statement parks. It is re-run from the start when the scheme calls
 *               env->wake with its transaction and waiting() says false (statements write
 *               nothing before every step that can wait has said CC_OK, which is what
 *               makes re-running safe);
 *   CC_ABORTED  the transaction itself was rolled back (through env->abort, so its parked
 *               statement failed with the scheme's code and its queue was skipped);
 *   CC_IOERR    the store failed (st->err says why).
 * The scheme may also roll back *another* transaction through env->abort (a deadlock's
 * victim) and tell the transcript why through env->say.
 *
 * The first implementation, cc_locking (cc_locking.c), is strict two-phase locking with
 * the locking contract of engine.h; it is the default, and `locking` means exactly that.
 *
 * How the next two schemes plug in (issue 21; not built yet):
 *
 * snapshot (as PostgreSQL): the store keeps a chain of versions per row, each with the
 * transaction that created it and the one that replaced or deleted it (xmin, xmax). A
 * snapshot is the transactions in progress and the next id. At READ UNCOMMITTED and READ
 * COMMITTED every stmt_begin takes a fresh one; at REPEATABLE READ and SERIALIZABLE the
 * first statement's stmt_begin takes the transaction's, not begin: PostgreSQL takes it at
 * the first query or data-modification statement, not at BEGIN (its SET TRANSACTION page
 * says so from 9.2 on). scan_table takes no read lock (SERIALIZABLE: a predicate SIREAD
 * marker on the table); scan_row returns the version visible to the snapshot and never waits for a
 * read, but for a write scan takes X on a matching row (waiting like locking does), then
 * either re-evaluates the predicate on the newest version (READ COMMITTED, EvalPlanQual)
 * or, when the newest version was committed after the snapshot, aborts t with "could not
 * serialize access due to concurrent update" (first-updater-wins); SERIALIZABLE adds a
 * SIREAD marker per row read and records rw-antidependencies. write appends a version
 * (xmin = t) and sets xmax on the one it replaces. commit checks SSI's dangerous
 * structure (two consecutive rw edges whose pivot's out-neighbour committed first) and
 * aborts with "could not serialize access due to read/write dependencies among
 * transactions". end releases X locks (SIREAD markers outlive the transaction until no
 * overlapping one is open). row_latest returns the newest version, waiting for an
 * in-progress inserter of the same key as PostgreSQL does.
 *
 * optimistic (read, validate, write): begin records the commit sequence number; scan_row
 * reads the committed state (t's own workspace first) and adds the row to t's read set,
 * never waiting; write puts the new image in t's private workspace (nothing reaches the
 * store); commit validates against the transactions that committed since t began (their
 * write sets against t's read set at SERIALIZABLE: backward validation; against t's write
 * set below it: first committer wins), aborts through env->abort on a conflict, else
 * installs the workspace through the store (the WRITE events then) before the commit
 * record is written. Nothing ever waits, so waiting() is always false.
 *
 * Both keep the engine's shape: blocking is state, the run queue resumes whoever env->wake
 * names, and the history records what each read saw (version ids) so that the checkers
 * judge any scheme by the same definitions.
 *
 * Not here: sessions, queues, the commit record and the sync policy (txn.c), statements
 * (exec.c).
 */
#ifndef AB_CC_H
#define AB_CC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sql.h"
#include "store.h"
#include "view.h"

typedef enum { CC_OK = 0, CC_WAIT = 1, CC_ABORTED = 3, CC_IOERR = 4 } cc_result;

/* What the scheme knows of a transaction. The engine's transaction embeds one. */
typedef struct cc_txn {
    uint64_t id;
    uint64_t age;          /* BEGIN order: larger = younger (a deadlock's victim) */
    iso_level level;
    void *scheme;          /* the scheme's own per-transaction state; NULL for locking */
} cc_txn;

/* What a scheme may call back. arg is the engine. */
typedef struct cc_env {
    store *st;
    hist *h;               /* may be NULL (benchmarks) */
    uint8_t db;
    void *arg;
    /* These transactions may go on: the engine re-runs their parked statements. */
    void (*wake)(void *arg, const uint64_t *txns, int n);
    /* Roll back another transaction (or t itself) because of the scheme: its parked
     * statement fails with code, the reason is why. 0, or -1 on an I/O error. */
    int (*abort)(void *arg, uint64_t txn, const char *code, const char *why);
    /* A line for the transcript (an engine note). */
    void (*say)(void *arg, const char *msg);
    /* How the learner knows a transaction ("T1", "T1#2"). */
    void (*label)(void *arg, uint64_t txn, char *buf, size_t n);
} cc_env;

/* One predicate read, as scan_table leaves it for scan_row. */
typedef struct cc_scan {
    bool point;            /* the predicate names its keys (id = k, id IN (...)) */
    bool write;            /* UPDATE, DELETE, SELECT FOR UPDATE */
    bool table_covers;     /* the scheme took the whole table (locking: S or SIX) */
} cc_scan;

typedef struct cc cc;      /* a scheme's state */

typedef struct cc_ops {
    const char *name;                                   /* "locking" */
    cc *(*open)(const cc_env *env);
    void (*close)(cc *c);
    /* Power lost: forget every transaction (the engine aborts them without undo). */
    void (*crash)(cc *c);

    int (*begin)(cc *c, cc_txn *t);
    void (*stmt_begin)(cc *c, cc_txn *t);
    /* t may be NULL: the statement's transaction is gone (rolled back under it). */
    void (*stmt_end)(cc *c, cc_txn *t);
    int (*scan_table)(cc *c, cc_txn *t, st_table *tb, cc_scan *sc);
    int (*scan_row)(cc *c, cc_txn *t, st_table *tb, const cc_scan *sc, const pred *where,
                    const scalar *key, st_row *row, bool *match);
    int (*insert_begin)(cc *c, cc_txn *t, st_table *tb, const sql_row *rows, int n);
    int (*row_latest)(cc *c, cc_txn *t, st_table *tb, const scalar *key, st_row *row);
    /* The row at key becomes (exists, value); *before gets what it replaced and *version
     * the new version's id. 0, or the store's error code (st->err may say more). */
    int (*write)(cc *c, cc_txn *t, st_table *tb, const scalar *key, bool exists, int64_t value,
                 uint64_t *last_lsn, st_row *before, uint64_t *version);
    int (*commit)(cc *c, cc_txn *t);
    void (*end)(cc *c, cc_txn *t);

    /* Is the transaction parked inside the scheme (on a lock)? */
    bool (*waiting)(const cc *c, uint64_t txn);
    /* What a parked transaction waits for, in words ("waits for X lock on t/1 held by T2"). */
    void (*describe_wait)(const cc *c, uint64_t txn, char *buf, size_t n);
    int (*deadlocks)(const cc *c);

    /* The view (view.h): resources and who holds or waits for them (the first max; returns
     * the count of all, *waiting the waiters of all); one transaction's wait. Read only. */
    int (*view_locks)(const cc *c, acid_view_lock *out, int max, int *waiting);
    bool (*view_wait)(const cc *c, uint64_t txn, acid_view_wait *w);

    /* engine_check's part (engine.h, E7): 0, or the number of the broken invariant.
     * tables[i] and keys[i] (i < n) are rows t has written; table names are the catalog's. */
    int (*check_txn)(const cc *c, const cc_txn *t, const char *const *tables, const scalar *keys, int n);
    int (*check)(const cc *c);
} cc_ops;

extern const cc_ops cc_locking;

#endif
