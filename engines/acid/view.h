/*
 * view.h: the ACID engine as the screen and the expectations see it, read only.
 *
 * Everything the lab shows of the engine comes through here: the catalog; each table's
 * rows with the open transaction that wrote the value in place (its writer) and the
 * committed image that value hides; locks and their queues; who waits for whom; the tail
 * of the log, each record durable, not yet durable, or lost in a crash; the buffer pool's
 * frames; recovery's last report. The storage structs behind them (store.h, bufpool.h,
 * wal.h, lock.h) stay private to the engine, so the screen cannot come to depend on them.
 *
 * Invariant V1: looking never changes an engine. No function here reads a page into the
 * buffer pool or moves its LRU order, appends to the log, takes a lock or records a
 * history event; a row on a page that is not cached is read from the data file (a
 * non-resident page is clean: eviction wrote it). Stepping back in the lab (a replay with
 * no frames drawn in between) lands where the learner was only because of V1, and
 * tests/tui/acid-pane.sh pins it.
 *
 * Strings returned (table names, mode names, texts) belong to the engine and stay valid
 * until its next step (a statement, a directive, a crash); copy what must live longer.
 *
 * Not here: sessions and their statements (engine.h: acid_session_*), the transcript and
 * the history (the lab reads those from the history itself).
 */
#ifndef AB_VIEW_H
#define AB_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "common/pred.h"

#define ACID_VIEW_PEERS 16     /* holders, waiters or waits-for edges listed per entry */
#define ACID_VIEW_RES 96       /* "accounts/A": a resource's text */

/* --- the catalog ---------------------------------------------------------------------- */

typedef struct acid_view_table {
    const char *name, *keycol, *valcol;
    scalar_type keytype;
    const pred *check;         /* the CHECK constraint, resolved; NULL for none */
    size_t nrows;              /* rows in the index, ghosts of uncommitted deletes included */
    size_t nuncommitted;       /* of them, rows an open transaction wrote */
} acid_view_table;

int acid_view_ntables(const acid_engine *e);
/* Table i (0-based, creation order); false when there is none. */
bool acid_view_table_at(const acid_engine *e, int i, acid_view_table *out);

/* --- rows ---------------------------------------------------------------------------- */

typedef struct acid_view_row {
    scalar key;
    bool exists;               /* a value is in place (what READ UNCOMMITTED sees) */
    int64_t value;
    uint64_t version;          /* the version in place (0 when none) */
    uint64_t writer;           /* the open transaction that wrote the row (the value in
                                  place, or its delete), 0 none */
    bool committed_exists;     /* writer != 0: the committed image the write hides */
    int64_t committed_value;
} acid_view_row;

/* Rows from .. from + n - 1 of table i, in key order (fewer at the end); returns how many,
 * or -1 when a page cannot be read. */
int acid_view_rows(const acid_engine *e, int table, size_t from, int n, acid_view_row *out);
/* The positions (in key order, ascending) of the rows of table i that open transactions
 * wrote: the first max in pos; returns how many there are. Reads no page. */
size_t acid_view_uncommitted(const acid_engine *e, int table, size_t *pos, size_t max);

/* --- locks and waits-for --------------------------------------------------------------- */

typedef struct acid_view_lock {
    char res[ACID_VIEW_RES];   /* "accounts" or "accounts/A" */
    bool is_row;
    int nholders;              /* listed: at most ACID_VIEW_PEERS */
    uint64_t holders[ACID_VIEW_PEERS];
    const char *holder_modes[ACID_VIEW_PEERS];   /* "IS", "IX", "S", "SIX", "X" */
    int nwaiters;
    uint64_t waiters[ACID_VIEW_PEERS];           /* queue order */
    const char *waiter_modes[ACID_VIEW_PEERS];
} acid_view_lock;

/* Resources held or waited for, in lock-manager order: the first max in out; returns how
 * many there are in all, and *waiting (may be NULL) the waiters over all of them. */
int acid_view_locks(const acid_engine *e, acid_view_lock *out, int max, int *waiting);

typedef struct acid_view_wait {
    char res[ACID_VIEW_RES];   /* what it is parked on */
    const char *mode;          /* the mode it asks for */
    int n;
    uint64_t waits_for[ACID_VIEW_PEERS];   /* waits-for edges: holders first, then queue */
} acid_view_wait;

/* Is txn parked on a lock? Then what on, and its waits-for edges. */
bool acid_view_wait_of(const acid_engine *e, uint64_t txn, acid_view_wait *w);

/* --- the log ----------------------------------------------------------------------------- */

typedef enum { ACID_KEEP_CHECKPOINT = 0, ACID_KEEP_TXN, ACID_KEEP_PAGE } acid_keep;

typedef struct acid_view_log {
    uint64_t start;            /* the first LSN the log file holds: a checkpoint cut the rest */
    uint64_t end;              /* next LSN */
    uint64_t durable;          /* fsynced up to here */
    uint64_t records;          /* appended since the engine opened (or last crashed) */
    uint64_t fsyncs;
    uint64_t file_bytes;       /* the log file's length */
    /* The latest checkpoint's cut (store.h S3), when there was a checkpoint: */
    bool has_cut;
    uint64_t cut_from, cut_to; /* LSNs [cut_from, cut_to) were removed (equal: nothing was) */
    uint64_t cut_bytes;
    acid_keep keep;            /* what the first record kept belongs to: the checkpoint record
                                  itself, an open transaction's first record, a dirty page's
                                  oldest change not yet in the data file */
    uint64_t keep_txn;         /* ACID_KEEP_TXN */
    uint32_t keep_page;        /* ACID_KEEP_PAGE */
} acid_view_log;

void acid_view_log_state(const acid_engine *e, acid_view_log *out);

typedef struct acid_view_rec {
    bool crash;                /* not a record: a crash cut the log at lsn here */
    bool cut;                  /* not a record: a checkpoint cut the log before lsn here */
    uint64_t lsn, txn;
    const char *type;          /* "begin", "update", "clr", ... */
    bool change;               /* insert, update, delete or clr: the fields below are set */
    bool clr;
    const char *table;         /* NULL when its table is gone */
    scalar key;
    bool before_exists, after_exists;   /* a clr's after image is what it restored */
    int64_t before, after;
    bool durable;              /* below the durable end, and not lost */
    bool lost;                 /* appended before a crash that cut it away */
    bool gone;                 /* cut from the log by a checkpoint (it was durable, and is
                                  no longer needed: store.h S3) */
} acid_view_rec;

/* The newest records, newest first, with a crash's cut and a checkpoint's cut as entries of
 * their own: up to max
 * (at most ACID_VIEW_LOG_TAIL are kept); returns how many. Records of `setup:` lines are
 * not among them (setup is the initial state). */
#define ACID_VIEW_LOG_TAIL 32
int acid_view_log_tail(const acid_engine *e, acid_view_rec *out, int max);

/* --- the buffer pool ------------------------------------------------------------------------ */

typedef struct acid_view_pool {
    int nframes;
    uint64_t accesses;         /* pages asked of the pool (its LRU clock) */
    uint64_t reads, writes, evictions;
} acid_view_pool;

typedef struct acid_view_frame {
    bool valid;                /* holds a page */
    uint32_t page;
    const char *table;         /* NULL: not a table's page (yet) */
    bool dirty;
    uint64_t lsn, rec_lsn;     /* page LSN; recLSN while dirty */
    int lru;                   /* 0 = the next to evict, among valid frames */
} acid_view_frame;

void acid_view_pool_state(const acid_engine *e, acid_view_pool *out);
/* Frames in pool order (nframes of them, up to max); returns how many. The pool has no
 * pin counts: a page is used between two calls and never held across them. */
int acid_view_frames(const acid_engine *e, acid_view_frame *out, int max);

/* --- recovery ----------------------------------------------------------------------------- */

typedef struct acid_view_recovery {
    bool after_crash;          /* false: recovery when the engine opened */
    uint64_t checkpoint_lsn;   /* 0: analysis scanned from the start of the log */
    uint64_t analysis_from, log_end, analysis_scanned;
    int losers, dirty_pages;
    uint64_t redo_from, redone, redo_skipped;
    uint64_t undone, clrs;
    bool torn;
    uint64_t torn_offset, torn_bytes;
    char torn_reason[64];
} acid_view_recovery;

/* The latest recovery (at open or after `engine: crash`); false when none ran. */
bool acid_view_last_recovery(const acid_engine *e, acid_view_recovery *out);

/* --- identity ----------------------------------------------------------------------------- */

typedef struct acid_view_ids {
    uint8_t db;                /* acid_options.db */
    uint64_t next_txn, next_version;
    uint64_t txn_limit, version_limit;   /* durably reserved: no id at or above was handed out */
} acid_view_ids;

void acid_view_ids_of(const acid_engine *e, acid_view_ids *out);

#endif
