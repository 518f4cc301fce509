/*
 * recovery.h: ARIES-shaped restart recovery over a store's files.
 *
 *   1. Analysis, from the last complete checkpoint (the master record in the data file's
 *      header page) or from the start of the log: rebuild the catalog, the dirty page
 *      table (page -> recLSN) and the transaction table (txn -> last LSN) as of the end of
 *      the log. The end of the log is the first record that does not check (wal.h W4):
 *      a torn or corrupt tail is cut off there, reported, and never applied. Nothing but
 *      zero bytes after it is the log's preallocated tail (wal.h), a clean end: cut, and
 *      reported as such (records zeroed at the end of the log would look the same).
 *      Whole records after a bad one are damage, not a torn tail: refused. Before anything
 *      changes, the data file is checked page by page: a damaged page, or one the last
 *      checkpoint says exists that is zeroed, cut short or missing, is refused with its
 *      number; a page created since that checkpoint may be missing (a crash before it was
 *      written), and redo rebuilds it from the log, which holds every change it ever had.
 *      The id counters start past the ids the log holds, the checkpoint's limits and the
 *      data file's id reservation, whichever is highest; then the next block of ids is
 *      reserved, before redo touches a page (store.h S1, S2). A recovery that refuses
 *      (a damaged log or page) changes nothing on disk: the reservation is put back.
 *   2. Redo, from the smallest recLSN: every change (CLRs included) whose page is in the
 *      dirty page table with recLSN <= its LSN and whose page LSN is older is applied
 *      again ("repeating history"). The page LSN makes this idempotent.
 *   3. Undo: the transactions with no COMMIT or ABORT (losers) are rolled back together,
 *      newest record first, each change undone by writing a compensation record (CLR)
 *      whose undo-next LSN skips what is already undone; so a crash during recovery,
 *      recovered again, never undoes anything twice. Each loser ends with an ABORT record.
 *
 * Missing pages, a choice (issue 15). A data page can be found zeroed, cut short or past
 * the end of the file. There are two real designs: PostgreSQL (full_page_writes, on by
 * default) logs the entire page the first time it changes after a checkpoint, so redo can
 * rebuild a page a crash tore from the log alone; SQLite returns SQLITE_CORRUPT ("database
 * disk image is malformed") when a file's structure does not check, and rebuilds nothing.
 * Here a page is 256 bytes written whole at its own offset, inside one disk sector, and
 * checked by its CRC when read: the torn page full-page images exist for is refused like
 * any damaged page, never used. So this engine rebuilds a page from the log exactly when the
 * log still holds every change the page ever had, which is true of every page created since
 * the last checkpoint (redo starts from an empty page, the recLSN being the page's first
 * change), and refuses, naming the page and changing nothing, a missing page the last
 * checkpoint says exists (its older changes are in the data file only, and the checkpoint
 * cut them from the log: store.h S3). Logging whole pages would cost every first change
 * after a checkpoint a page image in the log, to repair damage a crash cannot cause here.
 *
 * Each pass is reported in rec_report and as a RECOVERY event (history.h).
 *
 * Recovery sits above the store: it calls the store's primitives (store_apply,
 * store_undo_step, store_add_table_sql, store_rebuild_index) and the store never calls it.
 * Opening a database is store_open then recovery_run (recovery_open does both); a crash is
 * store_crash then recovery_run.
 */
#ifndef AB_RECOVERY_H
#define AB_RECOVERY_H

#include "store.h"

#define REC_LOSERS_MAX 64   /* loser ids a report lists; nlosers counts them all */

/* Recovery's report, pass by pass (also emitted as RECOVERY events). */
typedef struct rec_report {
    uint64_t checkpoint_lsn;         /* 0: none, scanned from the start */
    uint64_t log_start;              /* the log's first LSN (later than 16 once it was cut) */
    uint64_t analysis_from, log_end;
    uint64_t analysis_scanned;
    int nlosers;                     /* every loser; the first REC_LOSERS_MAX in losers */
    uint64_t losers[REC_LOSERS_MAX];
    int ndirty;
    uint64_t redo_from;
    uint64_t redo_scanned, redone, redo_skipped;
    uint64_t undo_from, undo_to;
    uint64_t undone, clrs;
    bool torn;
    uint64_t torn_offset, torn_bytes;   /* a file offset (what `truncate -s` takes) */
    /* Zero bytes after the last record (the log's preallocated space, which a real crash
     * leaves; or records zeroed: nothing tells them apart), cut: where and how many. */
    uint64_t zero_offset, zero_bytes;
    char torn_reason[64];
} rec_report;

/* Runs the three passes on st (files open, log and pool initialised, catalog empty: as
 * store_open and store_crash leave it). */
int recovery_run(store *st, rec_report *rep);

/* store_open, then recovery_run: the database in dir, ready to use. */
int recovery_open(store *st, const char *dir, fio_env *env, hist *h, int frames, rec_report *rep);

#endif
