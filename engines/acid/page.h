/*
 * page.h: the fixed-size page of the data file and the rows in it.
 *
 * Pages are small on purpose (PAGE_SIZE bytes, PAGE_SLOTS rows) so that a lesson's few
 * rows already spread over several pages and a buffer pool of a handful of frames has to
 * evict. Page 0 of the data file is the file header; table rows live in pages 1.. .
 *
 * Data page layout (all integers little-endian):
 *   offset size  field
 *        0    4  magic "ABPG"
 *        4    4  page number (a page read from the wrong place is noticed)
 *        8    8  page LSN: the LSN of the last log record applied to this page
 *       16    4  table id (0: not yet used by any table)
 *       20    4  CRC-32 of the whole page with this field taken as zero
 *       24    8  reserved (zero)
 *       32   44  slot 0 ... slot PAGE_SLOTS-1, each:
 *                  0  1  flags (bit 0: in use)
 *                  1  1  key type (1 INT, 2 TEXT)
 *                  2  1  key length (TEXT)
 *                  3  1  reserved
 *                  4  8  value
 *                 12  8  version id (which write produced this row; see history.h)
 *                 20 24  key: int64 in the first 8 bytes, or the text
 *
 * File header page (page 0):
 *        0    8  magic "ACIDBASE"
 *        8    4  format version (1)
 *       12    4  page size
 *       16    8  master record: LSN of the last complete checkpoint (0: none)
 *       24    4  CRC-32 of bytes 0..23
 *       28    4  reserved (zero)
 *       32   32  id reservation, slot 0:
 *                  0  8  transaction id limit: no transaction id at or above it was handed out
 *                  8  8  version id limit: likewise for version ids
 *                 16  8  sequence number of this reservation (its slot is seq & 1)
 *                 24  4  CRC-32 of the slot's bytes 0..23
 *                 28  4  reserved (zero)
 *       64   32  id reservation, slot 1: the same
 * The bytes 0..31 (the master record, written by checkpoints) and each slot (written by a
 * reservation, store.h S1) are written separately, never together, and the two slots take
 * turns: a write torn by a power loss damages at most the slot being written, and the other
 * still holds the reservation before it. A slot of zero bytes is no reservation (a
 * database created before reservations existed).
 *
 * A page of all zero bytes (never written, or past the end of the file) is a valid empty
 * page. Any other page must have the magic, its own number and a good CRC, else it is
 * damaged and reported, never used.
 *
 * Invariant P1: a page's LSN is the LSN of the newest log record whose change it holds
 * (redo applies a record only to a page whose LSN is older).
 */
#ifndef AB_PAGE_H
#define AB_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "common/scalar.h"

#define PAGE_SIZE 256
#define PAGE_HDR 32
#define SLOT_SIZE 44
#define PAGE_SLOTS ((PAGE_SIZE - PAGE_HDR) / SLOT_SIZE)

typedef struct page_row {
    bool used;
    scalar key;
    int64_t value;
    uint64_t version;
} page_row;

typedef struct page {
    uint32_t no;
    uint64_t lsn;
    uint32_t table;
    page_row rows[PAGE_SLOTS];
} page;

typedef struct page_header {
    uint64_t master_lsn;
} page_header;

#define PAGE_HEADER_MASTER 32    /* bytes 0..31 of page 0: the master record */
#define PAGE_IDS_OFF 32          /* where the two id reservation slots start */
#define PAGE_IDS_SLOT 32         /* bytes per slot */

typedef struct page_ids {
    uint64_t txn_limit, version_limit;   /* no id at or above them was handed out */
    uint64_t seq;                        /* the reservation's number; its slot is seq & 1 */
} page_ids;

/* Error codes: fio uses -1..-9, wal -10..-19, pages -20..-29. */
enum { PAGE_OK = 0, PAGE_EMPTY = 1, PAGE_EBADMAGIC = -20, PAGE_ECRC = -21, PAGE_ENUMBER = -22 };

void page_init(page *p, uint32_t no);
void page_encode(const page *p, uint8_t out[PAGE_SIZE]);
/* Decodes and verifies; PAGE_EMPTY for an all-zero image (p is then a fresh page). */
int page_decode(const uint8_t in[PAGE_SIZE], uint32_t no, page *p);

/* The master record's bytes 0..PAGE_HEADER_MASTER-1 (the rest of out is zeroed). */
void page_header_encode(const page_header *h, uint8_t out[PAGE_SIZE]);
/* PAGE_EMPTY when the master record is all zero bytes (no checkpoint yet). */
int page_header_decode(const uint8_t in[PAGE_SIZE], page_header *h);
/* One reservation slot, to be written at PAGE_IDS_OFF + (ids->seq & 1) * PAGE_IDS_SLOT. */
void page_ids_encode(const page_ids *ids, uint8_t out[PAGE_IDS_SLOT]);
/* The newest reservation of header page in (zero bytes where the file ends): false, and
 * *out zero, when no slot holds one that checks. */
bool page_ids_decode(const uint8_t in[PAGE_SIZE], page_ids *out);

const char *page_strerror(int rc);

#endif
