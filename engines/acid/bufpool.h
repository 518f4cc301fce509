/*
 * bufpool.h: the buffer pool. A handful of frames caching data pages, steal / no-force.
 *
 * Steal: a dirty page may be written to the data file at any time, committed or not
 * (eviction, `engine: evict`), because the log holds the before image to undo it.
 * No-force: COMMIT never writes pages; the log holds the after image to redo them.
 * The log rule (wal.h W3) is enforced in bp_write_frame(): before a page with LSN L is
 * written, the log is flushed through L, and that is asserted.
 *
 * Each frame remembers its recLSN: the LSN of the first record that dirtied it since it
 * was last written. The set of (page, recLSN) over dirty frames is the dirty page table
 * that checkpoints record and recovery rebuilds.
 *
 * Access is single-threaded and short: bp_get() returns a page valid until the next
 * bp_get() call; callers copy what they need or modify and call bp_dirty() at once.
 * Eviction is least-recently-used.
 */
#ifndef AB_BUFPOOL_H
#define AB_BUFPOOL_H

#include <stdbool.h>
#include <stdint.h>
#include "fio.h"
#include "page.h"
#include "wal.h"
#include "history/history.h"

#define BP_FRAMES_DEFAULT 4
#define BP_FRAMES_MAX 64

typedef struct bp_frame {
    page pg;
    bool valid, dirty;
    uint64_t rec_lsn;
    uint64_t used;        /* LRU clock */
} bp_frame;

typedef struct bufpool {
    fio_file *data;
    wal *w;
    hist *h;
    uint8_t db;           /* stamped on its events (history.h) */
    int nframes;
    bp_frame frames[BP_FRAMES_MAX];
    uint64_t clock;
    uint64_t reads, writes, evictions;
    uint32_t bad_page;    /* the page that failed to decode, when bp_get says PAGE_E* */
    int bad_rc;
} bufpool;

void bp_init(bufpool *bp, fio_file *data, wal *w, hist *h, int nframes);
/* Changes the number of frames, writing out what no longer fits. */
int bp_resize(bufpool *bp, int nframes);

/* The page, read from the data file if not cached (a page past the end is fresh and
 * empty). Returns 0, an FIO_E* error, or a PAGE_E* error for a damaged page. */
int bp_get(bufpool *bp, uint32_t no, page **out);
/* The page was changed by the log record at lsn: set its LSN (P1), mark it dirty. */
void bp_dirty(bufpool *bp, page *pg, uint64_t lsn);

/* Writes one frame (log first). Not synced. */
int bp_write_frame(bufpool *bp, bp_frame *f);
/* Writes every dirty page; with sync, fsyncs the data file afterwards. Returns 0 or an
 * error; *written (may be NULL) gets the number of pages written. */
int bp_flush_all(bufpool *bp, bool sync, int *written);
/* Power loss: forget every frame without writing. */
void bp_discard(bufpool *bp);

/* The cached page, or NULL, touching nothing (no LRU update, no read): for readers that
 * must not change what the engine does next (expectations, the screen). */
const page *bp_peek(const bufpool *bp, uint32_t no);

/* Dirty page table, for checkpoints and the UI; returns the count (up to max). */
int bp_dirty_pages(const bufpool *bp, uint32_t *pages, uint64_t *rec_lsns, int max);

#endif
