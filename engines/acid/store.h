/*
 * store.h: tables of (key, INT) rows on pages, with every change logged first.
 *
 * The store owns the two files of a database directory (`acidbase.log`, `acidbase.db`),
 * the log, the buffer pool, the catalog and an in-memory index per table (key -> page and
 * slot, sorted by key). It knows nothing of transactions' isolation or locks: it performs
 * one logged change at a time for whoever asks (store_write), undoes one logged change at
 * a time (store_undo_step, used by ROLLBACK and by recovery alike), and reads rows.
 *
 * Deletes leave a ghost: until the deleting transaction ends, the index keeps the key
 * with the deleter's id and the slot stays reserved. Readers that lock see the ghost and
 * wait for the deleter like they would for an update; undo puts the row back in the same
 * slot; commit drops the ghost and frees the slot (store_txn_end).
 *
 * Versions: every change creates a version id (next_version++), stored in the row's slot
 * and in the log record's after image, so a read can say exactly which write it saw and
 * undo and redo restore version ids with the values.
 *
 * Identity: transaction ids (store_new_txn) and version ids are unique for the life of the
 * database, across crashes and reopenings. The log cannot promise that alone: a
 * transaction whose records never became durable (or, once read-only transactions write
 * no log, one that wrote nothing) leaves no trace of its id, and a log cut behind a
 * checkpoint forgets the ids before it. So ids are handed out from blocks reserved
 * durably in the data file's header (page.h, two slots taking turns), STORE_ID_BLOCK at a
 * time: one small write and fsync per block, none per transaction.
 *   S1. Every id handed out is below the durable reservation: next_txn <= txn_limit and
 *       next_version <= version_limit, and a limit is in a header slot and fsynced before
 *       the first id at or above the previous one is handed out.
 *   S2. Recovery starts the counters at the reservation (or past the ids the log holds,
 *       if that is higher) and reserves the next block before redo, while the data file
 *       has no write pending, so that the reservation's fsync makes nothing else durable
 *       early. Ids therefore jump after a crash or a reopening: unique, not dense.
 * A checkpoint records the limits too, and never writes the slots.
 *
 * Not here: locking, isolation, commit policy (the engine); the recovery passes
 * (recovery.c, which uses store_apply and store_undo_step, and runs after store_open and
 * store_crash: the store never calls it).
 */
#ifndef AB_STORE_H
#define AB_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include "bufpool.h"
#include "fio.h"
#include "page.h"
#include "sql.h"
#include "wal.h"
#include "history/history.h"

#define STORE_TABLES_MAX 64
/* Ids reserved at a time (S1). Performance: each block costs a write and an fsync of the
 * data file; at group commit's 200,000 commits a second a block of 65,536 lasts a third of
 * a second, where one of 4,096 showed as a few per cent of the rate (BENCHMARKS.md, group). */
#define STORE_ID_BLOCK 65536
#define STORE_ROWS_MAX 2000000   /* rows (and ghosts) per table: an INSERT past it fails */

/* Error codes: fio -1..-9, wal -10..-19, page -20..-29, the store -30..-39. */
enum { STORE_EDAMAGED = -30 };   /* a damaged file recovery refuses to open (recovery.c) */

typedef struct st_ent {
    scalar key;
    uint32_t page;
    uint16_t slot;
    uint64_t ghost_txn;     /* nonzero: deleted by this still-open transaction */
} st_ent;

typedef struct st_table {
    uint32_t id;
    char name[SQL_NAME_MAX + 1];
    char keycol[SQL_NAME_MAX + 1];
    char valcol[SQL_NAME_MAX + 1];
    scalar_type keytype;
    pred *check;             /* resolved against the columns; NULL for none */
    char sql[512];           /* the canonical CREATE TABLE text */
    st_ent *ents;
    size_t nents, capents;
    uint32_t *pages;         /* pages holding this table's rows, in allocation order */
    size_t npages, cappages;
    uint32_t insert_page;    /* where the next insert looks first (0: none yet) */
    uint32_t *freepages;     /* pages known to have a free slot */
    size_t nfree, capfree;
} st_table;

typedef struct st_reserved {
    uint64_t txn;
    uint32_t table;
    uint32_t page;
    uint16_t slot;
    scalar key;
} st_reserved;

typedef struct st_row {
    bool exists;             /* false: no row (or a ghost, see ghost_txn) */
    scalar key;
    int64_t value;
    uint64_t version;
    uint64_t ghost_txn;
} st_row;

typedef struct store {
    char dir[1024];
    fio_env *env;
    fio_file *logf, *datf;
    wal w;
    bufpool bp;
    hist *h;
    uint8_t db;              /* stamped on every event of the store, its log and pool */
    st_table *tables[STORE_TABLES_MAX];
    int ntables;
    uint64_t next_txn, next_version;
    uint64_t txn_limit, version_limit;   /* the durable reservation (S1) */
    uint64_t ids_seq;                    /* its sequence number (page.h) */
    uint32_t next_page;
    uint64_t master_lsn;
    st_reserved *resv;
    size_t nresv, capresv;
    char err[1536];          /* the last error in words */
} store;

/* Opens (creating) the files of the database in dir: the log's header checked, the buffer
 * pool of frames ready, nothing else known yet. Recovery (recovery_run, or recovery_open for
 * both steps) must run before anything else: it rebuilds the catalog, the index and the id
 * counters and finds the end of the log. On error returns nonzero with st->err set. */
int store_open(store *st, const char *dir, fio_env *env, hist *h, int frames);
void store_close(store *st);          /* memory only; nothing is written */
/* The database number its events carry (history.h); kept across store_crash. */
void store_set_db(store *st, uint8_t db);
/* Power loss: drop everything unsynced (fio_crash) and forget memory; the files stay open,
 * as store_open leaves them, for recovery_run. torn: the first log record written after
 * the last fsync reaches the disk cut in half, and nothing after it (SCENARIO.md). */
int store_crash(store *st, bool torn, fio_crash_report *lost);

st_table *store_table(store *st, const char *name);
st_table *store_table_by_id(store *st, uint32_t id);
/* Logs CREATE (durably) and adds the table. */
int store_create_table(store *st, const sql_stmt *create, st_table **out);

int store_read(store *st, st_table *t, const scalar *key, st_row *out);
/* The same row, read without side effects: from a cached frame without touching the
 * buffer pool's order, else straight from the data file, recording no event. What
 * expectations and the screen use, so that looking never changes what happens next. */
int store_peek(const store *st, const st_table *t, const scalar *key, st_row *out);
/* store_peek of the row at position i of t's index, keeping the pages it had to read from
 * the data file in pc (zeroed by the caller; good for one look at an unchanged store). */
#define STORE_PEEK_PAGES 16
typedef struct st_peek_cache {
    int n, next;
    page pg[STORE_PEEK_PAGES];
} st_peek_cache;
int store_peek_at(const store *st, const st_table *t, size_t i, st_peek_cache *pc, st_row *out);

/* One logged change: the row at key becomes (exists, value). *last_lsn is the txn's
 * previous LSN in and the new record's LSN out. before/version_out may be NULL. */
int store_write(store *st, uint64_t txn, uint64_t *last_lsn, st_table *t, const scalar *key,
                bool exists, int64_t value, st_row *before, uint64_t *version_out);

typedef struct st_undo_info {
    bool did;                 /* a change was undone (a CLR written) */
    uint32_t table;
    scalar key;
    wal_image restored, removed;
} st_undo_info;
/* Undoes the record at lsn of txn (writing a CLR for a change); *next gets the next LSN
 * of the transaction to undo (0 when its BEGIN was reached). */
int store_undo_step(store *st, uint64_t txn, uint64_t *last_lsn, uint64_t lsn, uint64_t *next,
                    st_undo_info *info);
/* Applies an image to a page slot under the record lsn (redo and the normal path). */
int store_apply(store *st, uint32_t table, uint32_t pageno, uint16_t slot, const scalar *key,
                const wal_image *im, uint64_t lsn);

/* A new transaction id (S1: reserving the next block first when this one is used up).
 * 0, or an I/O error with st->err set. */
int store_new_txn(store *st, uint64_t *id);
/* Reserves ids up to STORE_ID_BLOCK past the counters, durably (S1, S2). */
int store_reserve_ids(store *st);

/* BEGIN / COMMIT / ABORT records. */
uint64_t store_log_txn(store *st, uint8_t type, uint64_t txn, uint64_t prev_lsn, uint8_t level);
/* The transaction has ended: drop its ghosts and slot reservations. */
void store_txn_end(store *st, uint64_t txn);

/* Checkpoint: write and sync every dirty page (log first), then a checkpoint record
 * (catalog, id limits, the dirty pages: none now, the active transactions), flush the log,
 * point the master record in the data file's header at it, and cut the log before the
 * oldest record anything still needs (S3).
 *   S3. The log keeps every record from min(the checkpoint record, the oldest recLSN of a
 *       dirty page it lists, the first record of the oldest active transaction it lists):
 *       redo needs nothing older (every older change is in the data file, which the
 *       checkpoint synced), undo needs nothing older (no open transaction wrote it), and
 *       the catalog and the id limits are in the checkpoint record itself. The cut copies
 *       the rest into a new file whose header names its base (wal.h), renames it over the
 *       log and syncs the directory (fio.h, D1): a crash at any moment leaves the old log
 *       or the new one, both whole. It happens after the master record is durable, so the
 *       master always names a checkpoint the log holds. */
typedef enum { ST_KEEP_CHECKPOINT = 0, ST_KEEP_TXN, ST_KEEP_PAGE } st_keep;
typedef struct st_ckpt {
    /* in */
    const wal_active *active;   /* the active transactions (txn.c says which) */
    int nactive;
    uint64_t oldest_first;      /* the first LSN of the oldest of them (0: none) */
    uint64_t oldest_txn;        /* its id */
    /* out */
    uint64_t lsn;               /* the checkpoint record */
    int written;                /* dirty pages written */
    uint64_t cut_from, cut_to;  /* the log's first LSN before and after (equal: no cut) */
    uint64_t cut_bytes;         /* bytes the cut removed from the file */
    st_keep keep;               /* what the oldest record kept belongs to */
    uint64_t keep_txn;          /* ST_KEEP_TXN: the transaction */
    uint32_t keep_page;         /* ST_KEEP_PAGE: the page */
} st_ckpt;
int store_checkpoint(store *st, st_ckpt *c);

const char *store_errmsg(const store *st);
/* Any error code of fio, wal or page, in words. */
const char *store_rc_text(const store *st, int rc);

/* For recovery.c: a table known from the log; the index rebuilt from the pages. */
int store_add_table_sql(store *st, uint32_t id, const char *sql);
int store_rebuild_index(store *st);

#endif
