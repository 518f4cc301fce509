/*
 * engine.h: the ACID engine as the lab drives it. Sessions T1..T9 hand it SQL statements;
 * it runs them as transactions at the session's isolation level, under a concurrency
 * control scheme (cc.h; strict two-phase locking, the only one so far), over the store
 * (pages, log, buffer pool).
 *
 * Blocking is state: a statement that must wait (for a lock, or for its group commit) is
 * parked at the head of its session's queue; statements given to a blocked session queue
 * behind it. When the wait is over (a release grants the lock, the group's fsync), the
 * session is put on a run queue and its statement re-executed from the start (statements
 * write nothing before every step that can wait has said yes, so re-running is safe),
 * then its queue drains in order.
 *
 * Everything the engine does is reported twice: as history events (history.h), and as
 * notes for the transcript (acid_note), one per statement outcome or engine action. What
 * the screen and the expectations read goes through the view (view.h); looking never
 * changes an engine.
 *
 * The locking contract (SCENARIO.md; cc_locking.c implements it):
 *   writes     IX on the table, X on each row written, held to the end, at every level
 *   RU reads   no locks; they see in-place uncommitted values
 *   RC reads   IS on the table, S on each row read, released when the statement ends
 *   RR reads   as RC, but held to the end
 *   SER reads  a predicate that names keys (id = k, id IN (...)): IS + S on those keys,
 *              rows or not; any other predicate: S on the table, held to the end
 *   UPDATE / DELETE / SELECT FOR UPDATE read their candidates under the level's read
 *   rule, X-lock the rows that match, and re-check the predicate once the lock is granted.
 *   SER scans that write take SIX on the table.
 *
 * Identity: a database has a number (acid_options.db, 0 the default) that every ACID
 * history event carries; transaction and version ids are unique within a database for
 * its whole life (store.h: across crashes and reopenings), so (db, id) names one
 * transaction in any history that holds several databases.
 *
 * Invariants, between steps (engine_check() checks them; the build that checks invariants,
 * ACIDBASE_CHECKS as `make test` builds, checks after every entry point that changes the
 * engine). An I/O error can stop a step half done (a commit written but its group's fsync
 * failed): from the error until `engine: crash` has recovered, they are not checked, and
 * the crash is what makes them hold again.
 *   E1. A session's open transaction belongs to it and to no other session; the registry
 *       of transactions lists every id handed out once, in increasing order.
 *   E2. Every transaction and version id handed out lies below the store's durable
 *       reservation (store.h, S1), so no id is ever handed out twice.
 *   E3. A statement is parked exactly when its transaction waits: on the scheme (a lock)
 *       or for its group commit; an autocommit waiting for its commit is committing.
 *   E4. Only the head of a queue has run; the statements behind it arrived while it was
 *       parked and have not started.
 *   E5. The group holds each committing transaction once, and fewer than fill it; there is
 *       none unless the sync policy is group commit. None of their commit records is
 *       durable: whatever fsync makes one durable (the group's own, `engine: flush`, a
 *       checkpoint, the log rule before a page is written) answers it in the same step. A
 *       group is never bigger than the sessions (acid_set_sync refuses it: it could never
 *       fill).
 *   E6. The run queue is empty: whatever could run has run.
 *   E7. The scheme agrees with what each open transaction wrote (locking: it holds X on
 *       every row it wrote, to the end) and its own state is sound (lock.h, L1-L3).
 *   E8. A slot held by a delete (the row a ghost until the end) belongs to an open
 *       transaction that wrote that row.
 *   E9. A transaction's before images (the committed image of each row it wrote, which
 *       the view shows) name a table of the catalog, once per row.
 */
#ifndef AB_ENGINE_H
#define AB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sql.h"
#include "history/history.h"

#define ACID_SESSIONS 9        /* T1..T9: the sessions scenarios and the lab use */
#define ACID_SESSIONS_MAX 64   /* more only through acid_options.sessions (benchmarks) */
#define ACID_QUEUE_MAX 256
#define ACID_RESULT_MAX 4096

typedef enum { SYNC_FULL = 0, SYNC_OFF, SYNC_GROUP } acid_sync;

typedef enum {
    AS_IDLE = 1, AS_ACTIVE, AS_BLOCKED, AS_COMMITTED, AS_ABORTED
} acid_state;

typedef enum {
    NOTE_RESULT = 1,   /* a statement finished: msg is its result */
    NOTE_ERROR,        /* a statement failed: msg is "error <code>: why" */
    NOTE_BLOCKED,      /* msg says what it waits for */
    NOTE_QUEUED,       /* the session is blocked; the statement waits behind */
    NOTE_SKIPPED,      /* discarded: its transaction was aborted while it waited */
    NOTE_ENGINE,       /* an engine action or event: deadlock, crash, recovery, flush */
} acid_note_kind;

typedef struct acid_note {
    acid_note_kind kind;
    int session;          /* 0 for engine notes */
    bool resumed;         /* the result of a statement that had been blocked */
    bool queued;          /* the result of a statement that waited behind a blocked one */
    const char *stmt;     /* canonical statement text, NULL for engine notes */
    const char *msg;
} acid_note;

typedef void (*acid_note_fn)(void *arg, const acid_note *n);

typedef struct acid_row { scalar key; int64_t value; } acid_row;

typedef struct acid_engine acid_engine;

/* Rows as the transcript and `expect ... rows` write them: {1:10, 2:20}, {A:500}. */
void acid_format_rows(const acid_row *rows, int n, char *buf, size_t cap);

typedef struct acid_options {
    const char *dir;      /* the database directory (created if missing); required */
    uint8_t db;           /* the database's number, carried by every history event and
                             every transaction's identity (0: the default database; at
                             most HIST_DB_MAX) */
    int frames;           /* buffer pool frames, 0 = default */
    bool real_sync;       /* fdatasync for real (the lab: yes; some tests: no) */
    int sessions;         /* sessions 1..n; 0 = ACID_SESSIONS. More (up to ACID_SESSIONS_MAX)
                             lets `acidbase bench` keep 64 commits waiting for one group fsync;
                             scenarios always name T1..T9 */
} acid_options;

/* Opens the database (running recovery); on failure returns NULL and writes why. h may be
 * NULL (benchmarks): then no history events are recorded. The lab always gives one, since
 * the transcript, the checkers and traces read nothing else. */
acid_engine *acid_open(const acid_options *opt, hist *h, acid_note_fn note, void *arg,
                       char *err, size_t errlen);
void acid_close(acid_engine *e);

/* Is the statement valid against the catalog (tables, columns, key types)? Returns 0, or
 * -1 with a message and the (line, col) to point at. Session statements and setup are
 * checked before they run; a failure is invalid input, not a statement error. */
int acid_validate(acid_engine *e, const sql_stmt *s, char *msg, size_t n, int *line, int *col);

/* `setup:` statements: run at once, each in its own committed transaction, outside the
 * history (the checker's initial state). Returns 0, or -1 with msg. */
int acid_setup(acid_engine *e, const sql_stmt *s, char *msg, size_t n);

/* Hands a statement to session 1..9 (1..opt->sessions; ownership of *s moves to the
 * engine; *s is left empty). Results arrive as notes, now or when the session resumes. */
void acid_submit(acid_engine *e, int session, sql_stmt *s);

/* Engine directives. Each returns 0, or -1 on an I/O error (acid_error says what).
 * acid_set_sync refuses (-1, acid_error says why, nothing changed) a group bigger than the
 * engine's sessions: it could never fill. A transaction that wrote nothing commits with no
 * log record and no fsync under every policy, and never waits for a group. */
int acid_set_sync(acid_engine *e, acid_sync mode, int group_n);
int acid_flush(acid_engine *e);
int acid_checkpoint(acid_engine *e);
int acid_evict(acid_engine *e);
int acid_crash(acid_engine *e, bool torn);
int acid_set_frames(acid_engine *e, int frames);
const char *acid_error(const acid_engine *e);

/* What the expectations and the UI ask. */
acid_state acid_session_state(const acid_engine *e, int session);
/* The latest completed row-returning SELECT of the session; false if none. */
bool acid_session_rows(const acid_engine *e, int session, const acid_row **rows, int *n);
bool acid_session_number(const acid_engine *e, int session, int64_t *v);
/* The error code of the session's latest statement, "" if it succeeded. */
const char *acid_session_error(const acid_engine *e, int session);
iso_level acid_session_level(const acid_engine *e, int session);
/* The latest committed contents of a table, in key order (*rows malloc'ed). */
int acid_committed_rows(acid_engine *e, const char *table, acid_row **rows, int *n);
bool acid_table_exists(acid_engine *e, const char *table, scalar_type *keytype);
int acid_deadlocks(const acid_engine *e);
/* How the learner knows a transaction: "T1", "T1#2" (the session's second), "setup". */
void acid_txn_label(uint64_t txn, char *buf, size_t n, void *engine);

/* For the lab's screen (view.h has the rest). */
uint64_t acid_session_txn(const acid_engine *e, int session);     /* 0: none open */
/* The session's waiting statements (the first is the parked one when blocked). */
int acid_session_queue(const acid_engine *e, int session, const char **texts, int max);

/* Debug: verifies E1-E9; returns 0 or the number of the violated invariant. */
int engine_check(const acid_engine *e);

#endif
