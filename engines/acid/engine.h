/*
 * engine.h: the ACID engine as the lab drives it. Sessions T1..T9 hand it SQL statements;
 * it runs them as transactions under strict two-phase locking at the session's isolation
 * level, over the store (pages, log, buffer pool) and the lock manager.
 *
 * Blocking is state: a statement that must wait for a lock (or for its group commit) is
 * parked at the head of its session's queue; statements given to a blocked session queue
 * behind it. When a release grants the lock, the session is put on a run queue and its
 * statement re-executed from the start (statements write nothing before they hold every
 * lock they need, so re-running is safe), then its queue drains in order.
 *
 * Everything the engine does is reported twice: as history events (history.h), and as
 * notes for the transcript (acid_note), one per statement outcome or engine action.
 *
 * The locking contract (SCENARIO.md):
 *   writes     IX on the table, X on each row written, held to the end, at every level
 *   RU reads   no locks; they see in-place uncommitted values
 *   RC reads   IS on the table, S on each row read, released when the statement ends
 *   RR reads   as RC, but held to the end
 *   SER reads  a predicate that names keys (id = k, id IN (...)): IS + S on those keys,
 *              rows or not; any other predicate: S on the table, held to the end
 *   UPDATE / DELETE / SELECT FOR UPDATE read their candidates under the level's read
 *   rule, X-lock the rows that match, and re-check the predicate once the lock is granted.
 *   SER scans that write take SIX on the table.
 */
#ifndef AB_ENGINE_H
#define AB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include "lock.h"
#include "sql.h"
#include "store.h"
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

/* Engine directives. Each returns 0, or -1 on an I/O error (acid_error says what). */
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

/* For the lab's screen. */
uint64_t acid_session_txn(const acid_engine *e, int session);     /* 0: none open */
/* The session's waiting statements (the first is the parked one when blocked). */
int acid_session_queue(const acid_engine *e, int session, const char **texts, int max);


store *acid_store(acid_engine *e);
lockmgr *acid_locks(acid_engine *e);

#endif
