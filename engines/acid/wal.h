/*
 * wal.h: the write-ahead log. An append-only file of checksummed records. A record's LSN
 * is its byte position in the log's whole history: its offset in the file plus the file's
 * base, so undo can jump straight to a record, and LSNs keep increasing when the log is
 * cut behind a checkpoint (the file then starts later in that history).
 *
 * File layout:
 *   offset 0: 16-byte file header: "ACIDWAL1", then 8 bytes: the base, the LSN of the
 *             file's byte 0 (0 for a log never cut). The first record sits at offset 16,
 *             LSN base + 16, and names that LSN itself, which is how a damaged base is
 *             told from a damaged record (recovery.c).
 *   then records, back to back:
 *
 *   offset size  field
 *        0    4  total length of the record in bytes, header and CRC included
 *        4    1  type (wal_type)
 *        5    3  reserved (zero)
 *        8    8  LSN (base + the record's offset: a record read from the wrong place fails)
 *       16    8  previous LSN of the same transaction (0: none)
 *       24    8  transaction id (0 for checkpoint and create)
 *       32    .  payload, by type:
 *          INSERT, UPDATE, DELETE, CLR:
 *            +0  4 table id   +4 4 page   +8 2 slot   +10 1 key type   +11 1 key length
 *            +12 k key (8 bytes for INT, length bytes for TEXT)
 *            then before image and after image, each 17 bytes:
 *                1 exists, 8 value, 8 version id
 *            CLR only: then 8 undo-next LSN (the next record of the transaction to undo)
 *          BEGIN: 1 isolation level.   COMMIT, ABORT: nothing.
 *          CREATE: 4 table id, 2 length, the CREATE TABLE statement text.
 *          CHECKPOINT: 8 next txn id, 8 next version id, 4 next page, then
 *            2 table count, each: 4 id, 2 length, CREATE TABLE text;
 *            4 dirty page count, each: 4 page, 8 recLSN;
 *            4 active transaction count, each: 8 txn, 8 last LSN.
 *     len-4   4  CRC-32 of bytes [0, len-4)
 *
 * An INSERT's before image and a DELETE's after image have exists = 0. A CLR carries the
 * image it restores as its after image, so redo treats it like any other change.
 *
 * A transaction's first record is its BEGIN, written with its first change: a transaction
 * that changes nothing leaves nothing in the log (no BEGIN, no COMMIT, no fsync; txn.c).
 * A checkpoint record's catalog and id limits make the log before it unnecessary for
 * anything but the transactions it lists as active (their first records) and the pages it
 * lists as dirty (their recLSNs): store.c cuts the log there (wal_copy_from).
 *
 * Durability: appended records sit in an in-memory tail until wal_write() hands them to
 * the file and wal_flush() fsyncs them. durable_end() is the end of the fsynced prefix.
 * The file grows in zero-filled chunks of WAL_PREALLOC bytes, more as it gets longer
 * (fio_set_prealloc, fio_prealloc_step), so a commit's fdatasync writes data only; after
 * a real crash the log may be followed by zeros, which recovery takes as its clean end (a
 * record's length is never 0).
 *
 * Invariants:
 *   W1. LSNs strictly increase in file order; every record's LSN is its offset plus the
 *       file's base, and the base only grows (a cut log starts later in the same history).
 *   W2. durable_end <= written_end <= end.
 *   W3. (the log rule, enforced by the buffer pool) a page whose LSN is L reaches the data
 *       file only when the record at L lies below durable_end.
 *   W4. A record whose length, LSN or CRC does not check is the end of the log: nothing at
 *       or after it is ever applied.
 */
#ifndef AB_WAL_H
#define AB_WAL_H

#include <stdbool.h>
#include <stdint.h>
#include "fio.h"
#include "history/history.h"
#include "common/scalar.h"

#define WAL_HDR_SIZE 16
#define WAL_REC_HDR 32
#define WAL_REC_MAX (1u << 20)   /* a checkpoint of many tables fits; bigger is corrupt */
#define WAL_PREALLOC (64u << 10) /* the log file grows by at least this many zero bytes at a time */

typedef enum {
    WAL_BEGIN = 1, WAL_INSERT, WAL_UPDATE, WAL_DELETE, WAL_COMMIT, WAL_ABORT,
    WAL_CLR, WAL_CHECKPOINT, WAL_CREATE
} wal_type;

typedef struct wal_image {
    uint8_t exists;
    int64_t value;
    uint64_t version;
} wal_image;

typedef struct wal_rec {
    uint8_t type;
    uint32_t size;            /* encoded length */
    uint64_t lsn, prev_lsn, txn;
    /* data records */
    uint32_t table, page;
    uint16_t slot;
    scalar key;
    wal_image before, after;
    uint64_t undo_next;       /* CLR */
    uint8_t level;            /* BEGIN */
    /* CREATE and CHECKPOINT: the raw payload (points into the caller's buffer) */
    const uint8_t *payload;
    uint32_t payload_len;
} wal_rec;

enum { WAL_OK = 0, WAL_ESHORT = -10, WAL_ECRC = -11, WAL_EBAD = -12, WAL_EHEADER = -13 };

/* Encoding without I/O (also used by tests and the fuzzer). */
size_t wal_encoded_size(const wal_rec *r);
size_t wal_encode(const wal_rec *r, uint8_t *buf, size_t cap);
/* Decodes the record at buf (expected at offset lsn). Returns WAL_OK, WAL_ESHORT when
 * fewer than its length bytes are available, WAL_ECRC, or WAL_EBAD. */
int wal_decode(const uint8_t *buf, size_t avail, uint64_t lsn, wal_rec *r);
const char *wal_type_name(int type);
const char *wal_strerror(int rc);

/* Called with every record appended, after its LSN is set (the engine keeps the log's
 * tail for its view); NULL none. */
typedef void (*wal_observer)(void *arg, const wal_rec *r);

typedef struct wal {
    fio_file *f;
    hist *h;
    wal_observer observe;
    void *observe_arg;
    uint8_t db;            /* stamped on its events (history.h) */
    uint64_t end;          /* next LSN */
    uint64_t written;      /* bytes handed to the file */
    uint64_t durable;      /* bytes fsynced */
    uint8_t *tail;         /* bytes [written, end) */
    size_t tail_cap;
    uint64_t records;      /* appended since open */
    uint64_t unsynced_records;
    uint64_t fsyncs;
    uint64_t last_lsn;     /* LSN of the last record appended */
    uint64_t base;         /* the LSN of the file's byte 0 (the header's base) */
} wal;

/* Checks or writes the file header (a new file gets base 0) and reads its base. The end of
 * the log is set by recovery (wal_set_end) once it knows where the last good record ends.
 * The log's first LSN is then wal_start(w), and the record at LSN l sits at file offset
 * l - w->base. */
int wal_open(wal *w, fio_file *f, hist *h);
static inline uint64_t wal_start(const wal *w) { return w->base + WAL_HDR_SIZE; }
/* The log from LSN from (a record's start, everything durable) into the empty file to:
 * a header whose base puts that record at offset 16, the records, an fsync. The store
 * then puts `to` in the log's place (fio_replace) and sets w->base (wal_rebase). */
int wal_copy_from(wal *w, uint64_t from, fio_file *to);
void wal_rebase(wal *w, uint64_t from);
void wal_close(wal *w);
/* Everything in [0, end) is on disk and durable (after recovery cut the file there). */
void wal_set_end(wal *w, uint64_t end);

/* Appends r (its lsn and size are set); returns the LSN. */
uint64_t wal_append(wal *w, wal_rec *r);
/* Hands the tail to the file (a write(), not durable). */
int wal_write(wal *w);
/* Makes everything up to end durable: write then fsync. Emits LOG_FLUSH. */
int wal_flush(wal *w);
/* The log rule: make the record at lsn durable if it is not yet. */
int wal_flush_to(wal *w, uint64_t lsn);

/* The length of the record at lsn (from its first 4 bytes, not checked further). */
int wal_size_at(wal *w, uint64_t lsn, uint32_t *size);
/* Reads the record at lsn, from the tail or the file; buf holds the bytes (payloads point
 * into it). */
int wal_read(wal *w, uint64_t lsn, wal_rec *r, uint8_t *buf, size_t cap);

/* Checkpoint and create payloads. */
typedef struct wal_table_def { uint32_t id; char sql[512]; } wal_table_def;
typedef struct wal_dirty { uint32_t page; uint64_t rec_lsn; } wal_dirty;
typedef struct wal_active { uint64_t txn; uint64_t last_lsn; } wal_active;
typedef struct wal_ckpt {
    uint64_t next_txn, next_version;
    uint32_t next_page;
    int ntables, ndirty, nactive;
    wal_table_def *tables;
    wal_dirty *dirty;
    wal_active *active;
} wal_ckpt;

/* Encodes into a malloc'ed buffer (*out, *len). */
int wal_ckpt_encode(const wal_ckpt *c, uint8_t **out, uint32_t *len);
/* Decodes, allocating the arrays; free with wal_ckpt_free. */
int wal_ckpt_decode(const uint8_t *p, uint32_t len, wal_ckpt *c);
void wal_ckpt_free(wal_ckpt *c);
int wal_create_encode(uint32_t id, const char *sql, uint8_t *buf, uint32_t cap, uint32_t *len);
int wal_create_decode(const uint8_t *p, uint32_t len, wal_table_def *def);

#endif
