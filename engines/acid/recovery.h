/*
 * recovery.h: ARIES-shaped restart recovery over a store's files.
 *
 *   1. Analysis, from the last complete checkpoint (the master record in the data file's
 *      header page) or from the start of the log: rebuild the catalog, the dirty page
 *      table (page -> recLSN) and the transaction table (txn -> last LSN) as of the end of
 *      the log. The end of the log is the first record that does not check (wal.h W4):
 *      a torn or corrupt tail is cut off there, reported, and never applied. Nothing but
 *      zero bytes after it is the log's preallocated tail (wal.h), a clean end: cut, not
 *      reported.
 *   2. Redo, from the smallest recLSN: every change (CLRs included) whose page is in the
 *      dirty page table with recLSN <= its LSN and whose page LSN is older is applied
 *      again ("repeating history"). The page LSN makes this idempotent.
 *   3. Undo: the transactions with no COMMIT or ABORT (losers) are rolled back together,
 *      newest record first, each change undone by writing a compensation record (CLR)
 *      whose undo-next LSN skips what is already undone; so a crash during recovery,
 *      recovered again, never undoes anything twice. Each loser ends with an ABORT record.
 *
 * Each pass is reported in rec_report and as a RECOVERY event (history.h).
 */
#ifndef AB_RECOVERY_H
#define AB_RECOVERY_H

#include "store.h"

/* Runs the three passes on st (files open, log and pool initialised, catalog empty). */
int recovery_run(store *st, rec_report *rep);

#endif
