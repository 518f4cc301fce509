/*
 * recovery.c: analysis, redo, undo. See recovery.h.
 *
 * The log is read sequentially through a 1 MiB window (log_iter), so recovering a large
 * log costs one pass of reads per phase and no per-record system call.
 */
#include "recovery.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITER_WINDOW (1u << 20)

typedef struct log_iter {
    store *st;
    uint64_t off;          /* next record (an LSN) */
    uint64_t size;         /* the LSN just past the file's end */
    uint8_t *buf;
    uint64_t buf_off;
    size_t len;
    int err;               /* why iteration stopped early: WAL_E* or an I/O error */
} log_iter;

static int iter_init(log_iter *it, store *st, uint64_t from)
{
    memset(it, 0, sizeof *it);
    it->st = st;
    it->off = from;
    it->size = st->w.base + fio_size(st->logf);
    it->buf = malloc(ITER_WINDOW);
    return it->buf ? 0 : -1;
}

static void iter_done(log_iter *it)
{
    free(it->buf);
    it->buf = NULL;
}

/* 1: a record in *r; 0: the end of the log (clean, or it->err says why not). */
static int iter_next(log_iter *it, wal_rec *r)
{
    if (it->off >= it->size)
        return 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t have = 0;
        if (it->off >= it->buf_off && it->off < it->buf_off + it->len)
            have = (size_t)(it->buf_off + it->len - it->off);
        const uint8_t *p = it->buf + (it->off - it->buf_off);
        int rc = have ? wal_decode(p, have, it->off, r) : WAL_ESHORT;
        if (rc == WAL_OK) {
            it->off += r->size;
            return 1;
        }
        /* Short only because the window ends here, and the file has more: refill once. */
        bool window_cut = it->buf_off + it->len < it->size;
        if (rc != WAL_ESHORT || (!window_cut && have) || attempt == 1) {
            it->err = rc;
            return 0;
        }
        size_t want = ITER_WINDOW;
        if (it->size - it->off < want)
            want = (size_t)(it->size - it->off);
        size_t got = 0;
        rc = fio_read(it->st->logf, it->off - it->st->w.base, it->buf, want, &got);
        if (rc) {
            it->err = rc;
            return 0;
        }
        it->buf_off = it->off;
        it->len = got;
    }
    return 0;
}

/* --- tables of the analysis pass ---------------------------------------------------- */

typedef struct att_ent { uint64_t txn, last_lsn; } att_ent;
typedef struct dpt_ent { uint32_t page; uint64_t rec_lsn; } dpt_ent;

typedef struct rtab {
    att_ent *att;
    size_t natt, capatt;
    dpt_ent *dpt;
    size_t ndpt, capdpt;
} rtab;

static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, c * sz);
    if (!nv)
        return -1;
    *v = nv;
    *cap = c;
    return 0;
}

static void att_put(rtab *t, uint64_t txn, uint64_t lsn)
{
    for (size_t i = t->natt; i-- > 0;)
        if (t->att[i].txn == txn) {
            t->att[i].last_lsn = lsn;
            return;
        }
    if (grow((void **)&t->att, &t->capatt, t->natt, sizeof *t->att) == 0)
        t->att[t->natt++] = (att_ent){ txn, lsn };
}

static void att_del(rtab *t, uint64_t txn)
{
    for (size_t i = t->natt; i-- > 0;)
        if (t->att[i].txn == txn) {
            t->att[i] = t->att[--t->natt];
            return;
        }
}

static dpt_ent *dpt_find(rtab *t, uint32_t pageno)
{
    for (size_t i = 0; i < t->ndpt; i++)
        if (t->dpt[i].page == pageno)
            return &t->dpt[i];
    return NULL;
}

static void dpt_add(rtab *t, uint32_t pageno, uint64_t lsn)
{
    if (dpt_find(t, pageno))
        return;
    if (grow((void **)&t->dpt, &t->capdpt, t->ndpt, sizeof *t->dpt) == 0)
        t->dpt[t->ndpt++] = (dpt_ent){ pageno, lsn };
}

static bool is_change(int type)
{
    return type == WAL_INSERT || type == WAL_UPDATE || type == WAL_DELETE || type == WAL_CLR;
}

static void pass_event(store *st, const char *name, const int64_t n[6])
{
    if (!st->h)
        return;
    hist_event *e = hist_add_acid(st->h, st->db, EV_RECOVERY);
    if (!e)
        return;
    hist_set_text(st->h, e, name);
    memcpy(e->n, n, sizeof e->n);
}

static int fail(store *st, int rc, const char *what)
{
    snprintf(st->err, sizeof st->err, "recovery: %s: %s", what, store_rc_text(st, rc));
    return rc ? rc : -1;
}

/* Is every byte of the log file from offset `from` to its end zero? */
static bool zero_tail(store *st, uint64_t from)
{
    uint8_t buf[4096];
    uint64_t size = fio_size(st->logf);
    while (from < size) {
        size_t want = size - from < sizeof buf ? (size_t)(size - from) : sizeof buf, got = 0;
        if (fio_read(st->logf, from, buf, want, &got) || got != want)
            return false;
        for (size_t i = 0; i < got; i++)
            if (buf[i])
                return false;
        from += got;
    }
    return true;
}

/* What lies beyond a record that does not decode: a torn tail (nothing whole after it,
 * the normal end of a crash) or damage in the middle of the log (whole records follow).
 * Scans up to INTACT_SCAN bytes after `from` for a record that decodes at its own offset
 * (an LSN equal to the offset and a good CRC: random bytes do not pass both), then
 * follows the chain from there, counting records and commits. */
#define INTACT_SCAN (16u << 20)

typedef struct intact {
    uint64_t first;        /* file offset of the first whole record after the damage; 0: none */
    uint64_t records, commits;
} intact;

/* from: a file offset. */
static void intact_after(store *st, uint64_t from, intact *out)
{
    memset(out, 0, sizeof *out);
    uint64_t size = fio_size(st->logf), base = st->w.base;
    if (from + 1 >= size)
        return;
    uint64_t want = size - (from + 1);
    if (want > INTACT_SCAN)
        want = INTACT_SCAN;
    uint8_t *buf = malloc((size_t)want);
    size_t got = 0;
    if (!buf || fio_read(st->logf, from + 1, buf, (size_t)want, &got)) {
        free(buf);
        return;
    }
    for (size_t i = 0; i + WAL_REC_HDR + 4 <= got; i++) {
        uint64_t off = from + 1 + i, lsn = 0;
        for (int b = 7; b >= 0; b--)
            lsn = lsn << 8 | buf[i + 8 + b];
        wal_rec r;
        if (lsn != base + off || wal_decode(buf + i, got - i, base + off, &r) != WAL_OK)
            continue;
        out->first = off;
        while (i < got && wal_decode(buf + i, got - i, base + from + 1 + i, &r) == WAL_OK) {
            out->records++;
            out->commits += r.type == WAL_COMMIT;
            i += r.size;
        }
        break;
    }
    free(buf);
}

/* The data file, page by page, before anything is changed: every page must decode (a
 * damaged one is refused, never used), a page the last checkpoint says exists (below its
 * next page) must be there (a zeroed, truncated or cut-short one is refused: the changes
 * that built it are behind the checkpoint, maybe cut from the log), and no page may be
 * newer than the log's end (W3). A page the checkpoint did not know, created since, may be
 * missing: the log holds every change it ever had, and redo rebuilds it from nothing.
 * Returns 0, or STORE_EDAMAGED with st->err set. */
static int check_data_file(store *st, uint32_t known, uint64_t log_end, uint64_t log_file_end)
{
    uint64_t size = fio_size(st->datf);
    uint64_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (npages < known)
        npages = known;
    uint8_t buf[PAGE_SIZE];
    uint32_t newest_no = 0;
    uint64_t newest = 0;
    for (uint64_t pn = 1; pn < npages; pn++) {
        size_t got = 0;
        int rc = pn * PAGE_SIZE < size ? fio_read(st->datf, pn * PAGE_SIZE, buf, PAGE_SIZE, &got) : 0;
        if (rc)
            return fail(st, rc, "reading the data file");
        memset(buf + got, 0, PAGE_SIZE - got);
        page pg;
        int d = page_decode(buf, (uint32_t)pn, &pg);
        if (got < PAGE_SIZE && pn < known)
            d = PAGE_EMPTY;   /* cut short: whatever it decodes as, its page is not there */
        if (d < 0) {
            snprintf(st->err, sizeof st->err,
                     "recovery: data file page %" PRIu64 " is damaged (%s%s): it is never used. Nothing was changed. "
                     "Restore %s/acidbase.db from a copy",
                     pn, page_strerror(d), got && got < PAGE_SIZE ? "; the file ends inside it" : "", st->dir);
            return STORE_EDAMAGED;
        }
        if (d == PAGE_EMPTY && pn < known) {
            const char *how = got == 0 ? "past the end of the file" : got < PAGE_SIZE ? "cut short by the end of the file"
                                                                                        : "all zero bytes";
            snprintf(st->err, sizeof st->err,
                     "recovery: data file page %" PRIu64 " is missing (%s, the file is %" PRIu64 " bytes), but the last "
                     "checkpoint says the database has pages 1 to %" PRIu32 ": what that page held is older than the "
                     "checkpoint, so the log need not hold it any more. Nothing was changed. Restore %s/acidbase.db "
                     "from a copy",
                     pn, how, size, known - 1, st->dir);
            return STORE_EDAMAGED;
        }
        if (d == PAGE_OK && pg.lsn > newest) {
            newest = pg.lsn;
            newest_no = (uint32_t)pn;
        }
    }
    /* The log rule (W3) means no page can be newer than the durable log. A page that is
     * says the log lost records that had been durable: cut, replaced by an older copy, or
     * damaged. Nothing the log holds can make such a database consistent again. */
    if (newest_no && newest >= log_end) {
        snprintf(st->err, sizeof st->err,
                 "recovery: data file page %" PRIu32 " holds a change from LSN %" PRIu64 " but the log's last whole "
                 "record ends at offset %" PRIu64 ": the log has lost records that were durable (it was cut, "
                 "replaced or damaged), and the database cannot be made consistent from it. Nothing was changed. "
                 "Restore both files of %s from a copy, or start again in an empty directory",
                 newest_no, newest, log_file_end, st->dir);
        return STORE_EDAMAGED;
    }
    return 0;
}

/* --- the passes --------------------------------------------------------------------- */

/* A checkpoint record's catalog and limits (the master's, or one met in the scan). */
static int take_checkpoint(store *st, const wal_rec *r, rtab *t, bool tables_only, uint64_t *max_txn,
                           uint64_t *max_ver, uint32_t *max_page, uint32_t *known)
{
    wal_ckpt c;
    if (wal_ckpt_decode(r->payload, r->payload_len, &c) != WAL_OK)
        return WAL_EBAD;
    for (int i = 0; i < c.ntables; i++)
        if (store_add_table_sql(st, c.tables[i].id, c.tables[i].sql)) {
            wal_ckpt_free(&c);
            return -1;
        }
    if (!tables_only) {
        for (int i = 0; i < c.ndirty; i++)
            dpt_add(t, c.dirty[i].page, c.dirty[i].rec_lsn);
        for (int i = 0; i < c.nactive; i++)
            att_put(t, c.active[i].txn, c.active[i].last_lsn);
    }
    if (c.next_txn > *max_txn + 1)
        *max_txn = c.next_txn - 1;
    if (c.next_version > *max_ver + 1)
        *max_ver = c.next_version - 1;
    if (c.next_page > *max_page + 1)
        *max_page = c.next_page - 1;
    if (c.next_page > *known)
        *known = c.next_page;
    wal_ckpt_free(&c);
    return 0;
}

static int refuse(store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return STORE_EDAMAGED;
}

/* The record at LSN lsn, read from the file into a malloc'ed *buf. */
static int read_at(store *st, uint64_t lsn, wal_rec *r, uint8_t **buf)
{
    *buf = malloc(WAL_REC_MAX);
    if (!*buf)
        return FIO_ENOMEM;
    size_t n = 0;
    int rc = fio_read(st->logf, lsn - st->w.base, *buf, WAL_REC_MAX, &n);
    return rc ? rc : wal_decode(*buf, n, lsn, r);
}

/* The LSN the log's first record (file offset 16) names itself, when it is whole and its
 * checksum good; false otherwise. */
static bool first_record_lsn(store *st, uint64_t *lsn)
{
    uint8_t *buf = malloc(WAL_REC_MAX);
    size_t n = 0;
    bool ok = false;
    if (buf && fio_read(st->logf, WAL_HDR_SIZE, buf, WAL_REC_MAX, &n) == 0 && n >= WAL_REC_HDR) {
        uint64_t l = 0;
        for (int b = 7; b >= 0; b--)
            l = l << 8 | buf[8 + b];
        wal_rec r;
        ok = wal_decode(buf, n, l, &r) == WAL_OK;
        *lsn = l;
    }
    free(buf);
    return ok;
}

/* The data page with the newest LSN (pages that do not decode are skipped); false when the
 * file has none. */
static bool newest_page(store *st, uint32_t *no, uint64_t *lsn)
{
    uint64_t size = fio_size(st->datf);
    bool any = false;
    uint8_t buf[PAGE_SIZE];
    for (uint64_t pn = 1; (pn + 1) * PAGE_SIZE <= size; pn++) {
        size_t got = 0;
        page pg;
        if (fio_read(st->datf, pn * PAGE_SIZE, buf, PAGE_SIZE, &got) || got != PAGE_SIZE ||
            page_decode(buf, (uint32_t)pn, &pg) != PAGE_OK)
            continue;
        if (!any || pg.lsn > *lsn) {
            *lsn = pg.lsn;
            *no = (uint32_t)pn;
            any = true;
        }
    }
    return any;
}

static int analysis(store *st, rtab *t, rec_report *rep, uint64_t *max_txn, uint64_t *max_ver,
                    uint32_t *max_page)
{
    uint8_t hdr[PAGE_SIZE];
    size_t got = 0;
    page_header ph = { 0 };
    int rc = fio_read(st->datf, 0, hdr, PAGE_SIZE, &got);
    if (rc)
        return fail(st, rc, "reading the data file header");
    if (got < PAGE_SIZE)
        memset(hdr + got, 0, PAGE_SIZE - got);
    if (page_header_decode(hdr, &ph) < 0)
        ph.master_lsn = 0;   /* a damaged header only costs a full scan of the log */
    /* The id reservation (store.h S1): no id at or above its limits was handed out. */
    page_ids ids;
    if (page_ids_decode(hdr, &ids)) {
        if (ids.txn_limit > *max_txn + 1)
            *max_txn = ids.txn_limit - 1;
        if (ids.version_limit > *max_ver + 1)
            *max_ver = ids.version_limit - 1;
        st->ids_seq = ids.seq;
    }

    uint64_t base = st->w.base, first = wal_start(&st->w), file_end = base + fio_size(st->logf);
    uint64_t start = first;
    uint32_t known = 0;   /* pages 1..known-1 exist (the newest checkpoint's next page) */
    rep->log_start = first;
    /* The first record names its own LSN (wal.h): whole, with a good checksum, but not the
     * one the header's base gives it, it says the base is what is damaged. */
    uint64_t named = 0;
    if (first_record_lsn(st, &named) && named != first)
        return refuse(st, "recovery: the log's header is damaged: it says the log starts at LSN %" PRIu64 ", but its "
                          "first record, whole, is LSN %" PRIu64 ". Nothing was changed. Restore both files of %s from "
                          "a copy",
                      first, named, st->dir);
    if (ph.master_lsn) {
        /* The master names the last checkpoint, written only once that record was durable
         * and the log cut no further than it (store.h S3): the log must hold it. */
        if (ph.master_lsn < first || ph.master_lsn >= file_end)
            return refuse(st, "recovery: the data file says the last checkpoint is at LSN %" PRIu64 ", but the log "
                              "holds LSN %" PRIu64 " to %" PRIu64 ": the log is not the one this data file was written "
                              "with, or it lost records that were durable. Nothing was changed. Restore both files of %s "
                              "from a copy",
                          ph.master_lsn, first, file_end, st->dir);
        wal_rec r;
        uint8_t *buf;
        rc = read_at(st, ph.master_lsn, &r, &buf);
        if (rc > -10 && rc < 0) {
            free(buf);
            return fail(st, rc, "reading the checkpoint record");
        }
        if (rc == WAL_OK && r.type != WAL_CHECKPOINT)
            rc = WAL_EBAD;
        if (rc == WAL_OK) {
            int tc = take_checkpoint(st, &r, t, false, max_txn, max_ver, max_page, &known);
            if (tc == -1) {
                free(buf);
                return -1;   /* st->err says why */
            }
            rc = tc;
            start = ph.master_lsn + r.size;
            rep->checkpoint_lsn = ph.master_lsn;
            st->master_lsn = ph.master_lsn;
        }
        free(buf);
        if (rc)
            return refuse(st, "recovery: %s/acidbase.log is damaged at offset %" PRIu64 " (the record of LSN %" PRIu64
                              ": %s): that is the checkpoint record the data file names as the last one, where "
                              "recovery must start. Nothing was changed. Restore both files of %s from a copy",
                          st->dir, ph.master_lsn - base, ph.master_lsn, wal_strerror(rc), st->dir);
    }

    rep->analysis_from = rep->checkpoint_lsn ? rep->checkpoint_lsn : start;
    log_iter it;
    wal_rec r;
    if (rep->checkpoint_lsn > first) {
        /* What the log keeps before its checkpoint (an open transaction's records, S3) is
         * there for undo: it must read whole, or the damage is refused now rather than met
         * half way through undo. */
        if (iter_init(&it, st, first))
            return fail(st, -3, "out of memory");
        it.size = rep->checkpoint_lsn;
        while (iter_next(&it, &r))
            ;
        uint64_t bad = it.off;
        int err = it.err;
        iter_done(&it);
        if (err || bad != rep->checkpoint_lsn)
            return refuse(st, "recovery: %s/acidbase.log is damaged at offset %" PRIu64 " (the record of LSN %" PRIu64
                              ", before the last checkpoint, LSN %" PRIu64 " at offset %" PRIu64 ", where recovery "
                              "starts: a transaction open at that checkpoint may need it for undo): %s. Nothing was "
                              "changed. Restore both files of %s from a copy",
                          st->dir, bad - base, bad, rep->checkpoint_lsn, rep->checkpoint_lsn - base,
                          err ? wal_strerror(err) : "a record runs into the checkpoint", st->dir);
    }
    if (iter_init(&it, st, start))
        return fail(st, -3, "out of memory");
    while (iter_next(&it, &r)) {
        rep->analysis_scanned++;
        if (r.txn > *max_txn)
            *max_txn = r.txn;
        switch (r.type) {
        case WAL_BEGIN:
            att_put(t, r.txn, r.lsn);
            break;
        case WAL_COMMIT:
        case WAL_ABORT:
            att_del(t, r.txn);
            break;
        case WAL_CREATE: {
            wal_table_def def;
            if (wal_create_decode(r.payload, r.payload_len, &def) == WAL_OK &&
                store_add_table_sql(st, def.id, def.sql)) {
                iter_done(&it);
                return -1;
            }
            break;
        }
        case WAL_CHECKPOINT:
            /* Met in a scan from the start of the log (the data file's header lost its
             * master record): its catalog, limits and pages. Its dirty pages and active
             * transactions the scan itself finds, since the log before it was cut only
             * where S3 allows. */
            if (take_checkpoint(st, &r, t, true, max_txn, max_ver, max_page, &known) == -1) {
                iter_done(&it);
                return -1;
            }
            break;
        default:
            if (is_change(r.type)) {
                att_put(t, r.txn, r.lsn);
                dpt_add(t, r.page, r.lsn);
                if (r.after.version > *max_ver)
                    *max_ver = r.after.version;
                if (r.before.version > *max_ver)
                    *max_ver = r.before.version;
                if (r.page > *max_page)
                    *max_page = r.page;
            }
        }
    }
    uint64_t end = it.off;
    int why = it.err;
    iter_done(&it);
    bool zeros = (why == WAL_ESHORT || why == WAL_EBAD) && zero_tail(st, end - base);
    if (zeros)
        why = 0;   /* the log's preallocated zeros (wal.h), left by a real crash: a clean end */
    if (why == WAL_ESHORT || why == WAL_ECRC || why == WAL_EBAD) {
        /* Whole records after the bad one: the log is damaged in the middle, not torn at
         * its end. Cutting it would throw away work that was durable (commits that were
         * acknowledged), so recovery refuses and changes nothing on disk. */
        intact in;
        intact_after(st, end - base, &in);
        if (in.first) {
            /* Cutting there opens the database only if no page is newer than the cut (W3). */
            char advice[1200];
            uint32_t pno = 0;
            uint64_t plsn = 0;
            if (newest_page(st, &pno, &plsn) && plsn >= end)
                snprintf(advice, sizeof advice, "The data file already holds a change from after it (page %" PRIu32
                         ", LSN %" PRIu64 "), so cutting the log would not open it either: restore both files of %s "
                         "from a copy", pno, plsn, st->dir);
            else
                snprintf(advice, sizeof advice, "To open the database without it, cut the log yourself: truncate -s %"
                         PRIu64 " %s/acidbase.log", end - base, st->dir);
            return refuse(st,
                          "recovery: %s/acidbase.log is damaged at offset %" PRIu64 " (the record of LSN %" PRIu64
                          ": %s) but %" PRIu64 " whole record%s "
                          "follow%s it from offset %" PRIu64 " (%" PRIu64 " commit%s): this is not a torn tail, and "
                          "cutting the log there would lose that work. Nothing was changed. %s",
                          st->dir, end - base, end, wal_strerror(why), in.records, in.records == 1 ? "" : "s",
                          in.records == 1 ? "s" : "", in.first, in.commits, in.commits == 1 ? "" : "s", advice);
        }
    } else if (why) {
        return fail(st, why, "reading the log");
    }
    rc = check_data_file(st, known, end, end - base);
    if (rc)
        return rc;
    if (zeros) {
        rep->zero_offset = end - base;
        rep->zero_bytes = file_end - end;
        rc = fio_truncate(st->logf, end - base);
        if (rc)
            return fail(st, rc, "cutting the log's zero tail");
    } else if (why) {
        /* A torn or corrupt tail: cut it off, durably, before anything is appended. */
        rep->torn = true;
        rep->torn_offset = end - base;
        rep->torn_bytes = file_end - end;
        snprintf(rep->torn_reason, sizeof rep->torn_reason, "%s", wal_strerror(why));
        rc = fio_truncate(st->logf, end - base);
        if (rc)
            return fail(st, rc, "cutting the torn log tail");
        if (st->h) {
            hist_event *e = hist_add_acid(st->h, st->db, EV_LOG_TORN);
            if (e) {
                e->n[0] = (int64_t)(end - base);
                e->n[1] = (int64_t)rep->torn_bytes;
                hist_set_text(st->h, e, rep->torn_reason);
            }
        }
    }
    wal_set_end(&st->w, end);
    rep->log_end = end;
    rep->ndirty = (int)t->ndpt;
    rep->nlosers = 0;
    for (size_t i = 0; i < t->natt && i < REC_LOSERS_MAX; i++)
        rep->losers[i] = t->att[i].txn;
    rep->nlosers = (int)t->natt;
    pass_event(st, "analysis", (int64_t[6]){ (int64_t)rep->analysis_from, (int64_t)end,
                                             (int64_t)rep->analysis_scanned, 0, 0, (int64_t)t->natt });
    return 0;
}

static int redo(store *st, rtab *t, rec_report *rep)
{
    uint64_t from = 0;
    for (size_t i = 0; i < t->ndpt; i++)
        if (!from || t->dpt[i].rec_lsn < from)
            from = t->dpt[i].rec_lsn;
    rep->redo_from = from;
    if (from) {
        log_iter it;
        if (iter_init(&it, st, from))
            return fail(st, -3, "out of memory");
        it.size = rep->log_end;
        wal_rec r;
        while (iter_next(&it, &r)) {
            rep->redo_scanned++;
            if (!is_change(r.type))
                continue;
            dpt_ent *d = dpt_find(t, r.page);
            if (!d || r.lsn < d->rec_lsn) {
                rep->redo_skipped++;
                continue;
            }
            page *pg;
            int rc = bp_get(&st->bp, r.page, &pg);
            if (rc) {
                iter_done(&it);
                char what[96];
                snprintf(what, sizeof what, "page %" PRIu32 " of acidbase.db, needed to redo LSN %" PRIu64,
                         r.page, r.lsn);
                return fail(st, rc, what);
            }
            if (pg->lsn >= r.lsn) {
                rep->redo_skipped++;
                continue;
            }
            rc = store_apply(st, r.table, r.page, r.slot, &r.key, &r.after, r.lsn);
            if (rc) {
                iter_done(&it);
                return rc;
            }
            rep->redone++;
        }
        int why = it.err;
        uint64_t at = it.off;
        iter_done(&it);
        if (why == WAL_ESHORT || why == WAL_ECRC || why == WAL_EBAD) {
            /* Damage before the end analysis found: named like every other refusal. */
            snprintf(st->err, sizeof st->err, "recovery: %.300s/acidbase.log is damaged at offset %" PRIu64 " (the record "
                     "of LSN %" PRIu64 ", which redo must read: it lies before the last checkpoint, LSN %" PRIu64 "): "
                     "%s. The database was not opened; restore both files of %.300s from a copy", st->dir, at - st->w.base, at,
                     st->master_lsn, wal_strerror(why), st->dir);
            return STORE_EDAMAGED;
        }
        if (why)
            return fail(st, why, "reading the log for redo");
    }
    pass_event(st, "redo", (int64_t[6]){ (int64_t)from, (int64_t)rep->log_end, (int64_t)rep->redo_scanned,
                                         (int64_t)rep->redone, (int64_t)rep->redo_skipped, 0 });
    return 0;
}

static int undo(store *st, rtab *t, rec_report *rep)
{
    /* Per loser: the next LSN to undo and its last LSN (the CLR chain's tail). */
    size_t n = t->natt;
    uint64_t *next = calloc(n + 1, sizeof *next), *last = calloc(n + 1, sizeof *last);
    if (!next || !last) {
        free(next);
        free(last);
        return fail(st, -3, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        next[i] = last[i] = t->att[i].last_lsn;
    rep->undo_from = 0;
    rep->undo_to = 0;
    for (;;) {
        size_t pick = n;
        for (size_t i = 0; i < n; i++)
            if (next[i] && (pick == n || next[i] > next[pick]))
                pick = i;
        if (pick == n)
            break;
        uint64_t lsn = next[pick], nxt = 0;
        if (!rep->undo_from)
            rep->undo_from = lsn;
        rep->undo_to = lsn;
        st_undo_info info;
        int rc = store_undo_step(st, t->att[pick].txn, &last[pick], lsn, &nxt, &info);
        if (rc) {
            free(next);
            free(last);
            return rc;
        }
        if (info.did) {
            rep->undone++;
            rep->clrs++;
            if (st->h) {
                hist_event *e = hist_add_acid(st->h, st->db, EV_UNDO);
                if (e) {
                    st_table *tb = store_table_by_id(st, info.table);
                    e->txn = t->att[pick].txn;
                    hist_set_table(st->h, e, tb ? tb->name : NULL);
                    e->key = info.key;
                    e->n[0] = (int64_t)info.restored.version;
                    e->n[1] = info.restored.value;
                    e->n[2] = info.restored.exists;
                    e->n[3] = (int64_t)info.removed.version;
                }
            }
        }
        next[pick] = nxt;
        if (!nxt)
            store_log_txn(st, WAL_ABORT, t->att[pick].txn, last[pick], 0);
    }
    free(next);
    free(last);
    int rc = wal_flush(&st->w);
    if (rc)
        return fail(st, rc, "flushing the log after undo");
    pass_event(st, "undo", (int64_t[6]){ (int64_t)rep->undo_from, (int64_t)rep->undo_to, 0,
                                         (int64_t)rep->undone, 0, (int64_t)rep->clrs });
    return 0;
}

/* The data file's header page as it was before the reservation (S2 puts it before redo),
 * so that a recovery that then refuses (redo meets a damaged page) leaves both files as it
 * found them, byte for byte. */
typedef struct hdr_save {
    bool valid;
    uint64_t size;
    size_t got;
    uint8_t page[PAGE_SIZE];
} hdr_save;

static void header_save(store *st, hdr_save *s)
{
    s->size = fio_size(st->datf);
    s->valid = fio_read(st->datf, 0, s->page, PAGE_SIZE, &s->got) == 0;
}

static void header_restore(store *st, const hdr_save *s)
{
    if (!s->valid)
        return;
    if (s->got)
        fio_write(st->datf, 0, s->page, s->got);
    if (fio_size(st->datf) > s->size)
        fio_truncate(st->datf, s->size);   /* (durable at once) */
    fio_sync(st->datf);
}

int recovery_run(store *st, rec_report *rep)
{
    rtab t = { 0 };
    uint64_t max_txn = 0, max_ver = 0;
    uint32_t max_page = 0;
    memset(rep, 0, sizeof *rep);
    int rc = analysis(st, &t, rep, &max_txn, &max_ver, &max_page);
    hdr_save save = { 0 };
    if (!rc) {
        uint64_t file_pages = fio_size(st->datf) / PAGE_SIZE;
        st->next_txn = max_txn + 1;
        st->next_version = max_ver + 1;
        /* S2: the next block, before redo (which may evict, writing pages not yet synced:
         * the reservation's fsync must not make those durable early). */
        header_save(st, &save);
        rc = store_reserve_ids(st);
        st->next_page = max_page + 1;
        if (file_pages > st->next_page)
            st->next_page = (uint32_t)file_pages;
        if (st->next_page < 1)
            st->next_page = 1;
        if (!rc)
            rc = redo(st, &t, rep);
        if (rc)
            header_restore(st, &save);   /* refused: nothing changed (recovery.h) */
    }
    if (!rc)
        rc = undo(st, &t, rep);
    if (!rc)
        rc = store_rebuild_index(st);
    free(t.att);
    free(t.dpt);
    return rc;
}

int recovery_open(store *st, const char *dir, fio_env *env, hist *h, int frames, rec_report *rep)
{
    memset(rep, 0, sizeof *rep);
    int rc = store_open(st, dir, env, h, frames);
    return rc ? rc : recovery_run(st, rep);
}
