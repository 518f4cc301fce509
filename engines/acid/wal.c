/*
 * wal.c: encoding, appending, flushing and reading log records. See wal.h for the byte
 * layout and the invariants W1-W4.
 *
 * What this module does not do: decide when to fsync (the engine's sync policy does),
 * recovery (recovery.c reads the log through wal_decode), or decide where the log is cut
 * (store.c does, at a checkpoint; wal_copy_from only copies the part that stays).
 */
#include "wal.h"
#include "crc32.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Little-endian fields. Performance: on a little-endian machine a field is one memcpy (one
 * store) instead of a loop over its bytes; every commit encodes three records. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
#else
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
#endif
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }

static bool is_data(int type)
{
    return type == WAL_INSERT || type == WAL_UPDATE || type == WAL_DELETE || type == WAL_CLR;
}

static size_t key_bytes(const scalar *k)
{
    return k->type == SC_INT ? 8 : k->len;
}

size_t wal_encoded_size(const wal_rec *r)
{
    size_t n = WAL_REC_HDR + 4;
    if (is_data(r->type)) {
        n += 12 + key_bytes(&r->key) + 17 + 17;
        if (r->type == WAL_CLR)
            n += 8;
    } else if (r->type == WAL_BEGIN) {
        n += 1;
    } else if (r->type == WAL_CREATE || r->type == WAL_CHECKPOINT) {
        n += r->payload_len;
    }
    return n;
}

static uint8_t *put_image(uint8_t *p, const wal_image *im)
{
    p[0] = im->exists;
    put64(p + 1, (uint64_t)im->value);
    put64(p + 9, im->version);
    return p + 17;
}

/* Strict, like the rest of the decoder: exists is 0 or 1 (the caller checks). */
static const uint8_t *get_image(const uint8_t *p, wal_image *im)
{
    im->exists = p[0];
    im->value = (int64_t)get64(p + 1);
    im->version = get64(p + 9);
    return p + 17;
}

size_t wal_encode(const wal_rec *r, uint8_t *buf, size_t cap)
{
    size_t n = wal_encoded_size(r);
    if (n > cap)
        return 0;
    memset(buf, 0, WAL_REC_HDR);
    put32(buf, (uint32_t)n);
    buf[4] = r->type;
    put64(buf + 8, r->lsn);
    put64(buf + 16, r->prev_lsn);
    put64(buf + 24, r->txn);
    uint8_t *p = buf + WAL_REC_HDR;
    if (is_data(r->type)) {
        put32(p, r->table);
        put32(p + 4, r->page);
        put16(p + 8, r->slot);
        p[10] = r->key.type;
        p[11] = r->key.len;
        p += 12;
        if (r->key.type == SC_INT)
            put64(p, (uint64_t)r->key.i);
        else
            memcpy(p, r->key.s, r->key.len);
        p += key_bytes(&r->key);
        p = put_image(p, &r->before);
        p = put_image(p, &r->after);
        if (r->type == WAL_CLR) {
            put64(p, r->undo_next);
            p += 8;
        }
    } else if (r->type == WAL_BEGIN) {
        *p++ = r->level;
    } else if (r->type == WAL_CREATE || r->type == WAL_CHECKPOINT) {
        if (r->payload_len)
            memcpy(p, r->payload, r->payload_len);
        p += r->payload_len;
    }
    put32(p, crc32_update(0, buf, n - 4));
    return n;
}

int wal_decode(const uint8_t *buf, size_t avail, uint64_t lsn, wal_rec *r)
{
    memset(r, 0, sizeof *r);
    if (avail < 4)
        return WAL_ESHORT;
    uint32_t n = get32(buf);
    if (n < WAL_REC_HDR + 4 || n > WAL_REC_MAX)
        return WAL_EBAD;
    if (avail < n)
        return WAL_ESHORT;
    if (crc32_update(0, buf, n - 4) != get32(buf + n - 4))
        return WAL_ECRC;
    r->size = n;
    r->type = buf[4];
    r->lsn = get64(buf + 8);
    r->prev_lsn = get64(buf + 16);
    r->txn = get64(buf + 24);
    /* Strict: only bytes the encoder writes are accepted (reserved bytes zero, an INT
     * key's length byte zero, exists 0 or 1), so a damaged record cannot pass for a
     * different one that happens to decode. */
    if (r->lsn != lsn || r->type < WAL_BEGIN || r->type > WAL_CREATE || buf[5] || buf[6] || buf[7])
        return WAL_EBAD;
    const uint8_t *p = buf + WAL_REC_HDR, *end = buf + n - 4;
    if (is_data(r->type)) {
        if (end - p < 12)
            return WAL_EBAD;
        r->table = get32(p);
        r->page = get32(p + 4);
        r->slot = get16(p + 8);
        uint8_t kt = p[10], kl = p[11];
        p += 12;
        if (kt == SC_INT) {
            if (kl != 0 || end - p < 8)
                return WAL_EBAD;
            r->key = scalar_int((int64_t)get64(p));
            p += 8;
        } else if (kt == SC_TEXT && kl <= SCALAR_TEXT_MAX) {
            if (end - p < kl)
                return WAL_EBAD;
            r->key = scalar_text((const char *)p, kl);
            p += kl;
        } else {
            return WAL_EBAD;
        }
        if (end - p < 34 + (r->type == WAL_CLR ? 8 : 0))
            return WAL_EBAD;
        p = get_image(p, &r->before);
        p = get_image(p, &r->after);
        if (r->before.exists > 1 || r->after.exists > 1)
            return WAL_EBAD;
        if (r->type == WAL_CLR) {
            r->undo_next = get64(p);
            p += 8;
        }
    } else if (r->type == WAL_BEGIN) {
        if (end - p < 1)
            return WAL_EBAD;
        r->level = *p++;
    } else if (r->type == WAL_CREATE || r->type == WAL_CHECKPOINT) {
        r->payload = p;
        r->payload_len = (uint32_t)(end - p);
        p = end;
    }
    return p == end ? WAL_OK : WAL_EBAD;
}

const char *wal_type_name(int type)
{
    static const char *names[] = { "?", "begin", "insert", "update", "delete", "commit",
                                   "abort", "clr", "checkpoint", "create" };
    return type >= WAL_BEGIN && type <= WAL_CREATE ? names[type] : "?";
}

const char *wal_strerror(int rc)
{
    switch (rc) {
    case WAL_OK: return "ok";
    case WAL_ESHORT: return "record cut short (torn write)";
    case WAL_ECRC: return "checksum mismatch";
    case WAL_EBAD: return "malformed record";
    case WAL_EHEADER: return "not an acidbase log (bad header)";
    }
    return "unknown log error";
}

/* --- the log file ------------------------------------------------------------------ */

int wal_open(wal *w, fio_file *f, hist *h)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->h = h;
    /* Performance: commits overwrite zeros written ahead instead of growing the file, so
     * each commit's fdatasync does not also journal a new file size (fio.c). */
    fio_set_prealloc(f, WAL_PREALLOC);
    uint8_t hdr[WAL_HDR_SIZE];
    uint64_t base = 0;
    /* Only an empty log gets a header: a file of 1 to 15 bytes is not ours, and is
     * refused below before anything is written over it (store_open says so first). */
    if (fio_size(f) == 0) {
        memset(hdr, 0, sizeof hdr);
        memcpy(hdr, "ACIDWAL1", 8);
        int rc = fio_write(f, 0, hdr, sizeof hdr);
        if (!rc)
            rc = fio_sync(f);
        if (rc)
            return rc;
    } else {
        size_t got = 0;
        int rc = fio_read(f, 0, hdr, sizeof hdr, &got);
        if (rc)
            return rc;
        if (got < sizeof hdr || memcmp(hdr, "ACIDWAL1", 8) != 0)
            return WAL_EHEADER;
        base = get64(hdr + 8);
        if (base > UINT64_MAX / 2)
            return WAL_EHEADER;
    }
    w->base = base;
    w->end = w->written = w->durable = base + WAL_HDR_SIZE;
    return WAL_OK;
}

void wal_close(wal *w)
{
    free(w->tail);
    w->tail = NULL;
    w->tail_cap = 0;
}

void wal_set_end(wal *w, uint64_t end)
{
    w->end = w->written = w->durable = end;
}

uint64_t wal_append(wal *w, wal_rec *r)
{
    size_t n = wal_encoded_size(r);
    size_t used = (size_t)(w->end - w->written);
    if (used + n > w->tail_cap) {
        size_t cap = w->tail_cap ? w->tail_cap : 4096;
        while (cap < used + n)
            cap *= 2;
        uint8_t *t = realloc(w->tail, cap);
        if (!t)
            abort();   /* the log cannot lose a record it promised; out of memory is fatal */
        w->tail = t;
        w->tail_cap = cap;
    }
    r->lsn = w->end;
    r->size = (uint32_t)n;
    size_t k = wal_encode(r, w->tail + used, w->tail_cap - used);
    assert(k == n);
    (void)k;
    w->end += n;
    w->last_lsn = r->lsn;
    w->records++;
    w->unsynced_records++;
    if (w->observe)
        w->observe(w->observe_arg, r);
    if (w->h) {
        hist_event *e = hist_add_acid(w->h, w->db, EV_LOG_APPEND);
        if (e) {
            e->txn = r->txn;
            e->n[0] = (int64_t)r->lsn;
            e->n[1] = r->type;
            e->n[2] = (int64_t)r->prev_lsn;
            e->n[3] = (int64_t)n;
            if (is_data(r->type)) {
                e->key = r->key;
                e->n[4] = r->before.exists ? r->before.value : 0;
                e->n[5] = r->after.exists ? r->after.value : 0;
            }
        }
    }
    return r->lsn;
}

int wal_write(wal *w)
{
    if (w->written == w->end)
        return FIO_OK;
    int rc = fio_write(w->f, w->written - w->base, w->tail, (size_t)(w->end - w->written));
    if (rc)
        return rc;
    w->written = w->end;
    return FIO_OK;
}

int wal_flush(wal *w)
{
    if (w->durable == w->end)
        return FIO_OK;
    int rc = wal_write(w);
    if (!rc)
        rc = fio_sync(w->f);
    if (rc)
        return rc;
    w->durable = w->end;
    w->fsyncs++;
    if (w->h) {
        hist_event *e = hist_add_acid(w->h, w->db, EV_LOG_FLUSH);
        if (e) {
            e->n[0] = (int64_t)w->durable;
            e->n[1] = (int64_t)w->unsynced_records;
            e->n[2] = 1;
        }
    }
    w->unsynced_records = 0;
    return FIO_OK;
}

int wal_flush_to(wal *w, uint64_t lsn)
{
    if (lsn < w->durable)
        return FIO_OK;
    return wal_flush(w);
}

int wal_size_at(wal *w, uint64_t lsn, uint32_t *size)
{
    uint8_t b[4];
    if (lsn < wal_start(w) || lsn + 4 > w->end)
        return WAL_EBAD;
    if (lsn >= w->written) {
        memcpy(b, w->tail + (lsn - w->written), 4);
    } else {
        size_t got = 0;
        int rc = fio_read(w->f, lsn - w->base, b, 4, &got);
        if (rc)
            return rc;
        if (got < 4)
            return WAL_ESHORT;
    }
    *size = get32(b);
    return WAL_OK;
}

int wal_read(wal *w, uint64_t lsn, wal_rec *r, uint8_t *buf, size_t cap)
{
    if (lsn < wal_start(w) || lsn >= w->end)
        return WAL_EBAD;
    if (lsn >= w->written) {
        size_t off = (size_t)(lsn - w->written);
        size_t avail = (size_t)(w->end - lsn);
        if (avail > cap)
            avail = cap;
        memcpy(buf, w->tail + off, avail);
        return wal_decode(buf, avail, lsn, r);
    }
    size_t got = 0;
    size_t want = cap;
    if (want > w->end - lsn)
        want = (size_t)(w->end - lsn);
    /* The record may straddle the written part and the tail. */
    size_t from_file = want;
    if (lsn + from_file > w->written)
        from_file = (size_t)(w->written - lsn);
    int rc = fio_read(w->f, lsn - w->base, buf, from_file, &got);
    if (rc)
        return rc;
    if (got == from_file && from_file < want)
        memcpy(buf + from_file, w->tail, want - from_file);
    return wal_decode(buf, got == from_file ? want : got, lsn, r);
}

int wal_copy_from(wal *w, uint64_t from, fio_file *to)
{
    if (from < wal_start(w) || from > w->end || w->durable != w->end || fio_size(to) != 0)
        return WAL_EBAD;
    uint8_t hdr[WAL_HDR_SIZE];
    memcpy(hdr, "ACIDWAL1", 8);
    put64(hdr + 8, from - WAL_HDR_SIZE);
    int rc = fio_write(to, 0, hdr, sizeof hdr);
    uint8_t buf[65536];
    for (uint64_t lsn = from; !rc && lsn < w->end;) {
        size_t want = w->end - lsn < sizeof buf ? (size_t)(w->end - lsn) : sizeof buf, got = 0;
        rc = fio_read(w->f, lsn - w->base, buf, want, &got);
        if (!rc && got != want)
            rc = WAL_ESHORT;
        if (!rc)
            rc = fio_write(to, lsn - from + WAL_HDR_SIZE, buf, want);
        lsn += want;
    }
    return rc ? rc : fio_sync(to);
}

void wal_rebase(wal *w, uint64_t from)
{
    w->base = from - WAL_HDR_SIZE;
}

/* --- payloads -------------------------------------------------------------------- */

int wal_create_encode(uint32_t id, const char *sql, uint8_t *buf, uint32_t cap, uint32_t *len)
{
    size_t n = strlen(sql);
    if (n > 511 || 6 + n > cap)
        return WAL_EBAD;
    put32(buf, id);
    put16(buf + 4, (uint16_t)n);
    memcpy(buf + 6, sql, n);
    *len = (uint32_t)(6 + n);
    return WAL_OK;
}

int wal_create_decode(const uint8_t *p, uint32_t len, wal_table_def *def)
{
    if (len < 6)
        return WAL_EBAD;
    def->id = get32(p);
    uint16_t n = get16(p + 4);
    /* The text is a C string in memory: a NUL inside would make it a different, shorter
     * statement than the one logged. */
    if (n > 511 || 6u + n != len || memchr(p + 6, 0, n))
        return WAL_EBAD;
    memcpy(def->sql, p + 6, n);
    def->sql[n] = 0;
    return WAL_OK;
}

int wal_ckpt_encode(const wal_ckpt *c, uint8_t **out, uint32_t *len)
{
    size_t n = 20 + 2 + 4 + 4;
    for (int i = 0; i < c->ntables; i++)
        n += 6 + strlen(c->tables[i].sql);
    n += (size_t)c->ndirty * 12 + (size_t)c->nactive * 16;
    if (n > WAL_REC_MAX - WAL_REC_HDR - 4)
        return WAL_EBAD;
    uint8_t *b = malloc(n), *p = b;
    if (!b)
        return WAL_EBAD;
    put64(p, c->next_txn);
    put64(p + 8, c->next_version);
    put32(p + 16, c->next_page);
    put16(p + 20, (uint16_t)c->ntables);
    p += 22;
    for (int i = 0; i < c->ntables; i++) {
        uint32_t k = 0;
        wal_create_encode(c->tables[i].id, c->tables[i].sql, p, 518, &k);
        p += k;
    }
    put32(p, (uint32_t)c->ndirty);
    p += 4;
    for (int i = 0; i < c->ndirty; i++, p += 12) {
        put32(p, c->dirty[i].page);
        put64(p + 4, c->dirty[i].rec_lsn);
    }
    put32(p, (uint32_t)c->nactive);
    p += 4;
    for (int i = 0; i < c->nactive; i++, p += 16) {
        put64(p, c->active[i].txn);
        put64(p + 8, c->active[i].last_lsn);
    }
    *out = b;
    *len = (uint32_t)(p - b);
    return WAL_OK;
}

void wal_ckpt_free(wal_ckpt *c)
{
    free(c->tables);
    free(c->dirty);
    free(c->active);
    memset(c, 0, sizeof *c);
}

int wal_ckpt_decode(const uint8_t *p, uint32_t len, wal_ckpt *c)
{
    memset(c, 0, sizeof *c);
    const uint8_t *end = p + len;
    if (len < 22)
        return WAL_EBAD;
    c->next_txn = get64(p);
    c->next_version = get64(p + 8);
    c->next_page = get32(p + 16);
    c->ntables = get16(p + 20);
    p += 22;
    /* Each table takes at least 6 bytes: a damaged count cannot ask for 33 MB. */
    if ((uint32_t)c->ntables > (uint32_t)(end - p) / 6)
        goto bad;
    c->tables = calloc((size_t)c->ntables + 1, sizeof *c->tables);
    if (!c->tables)
        goto bad;
    for (int i = 0; i < c->ntables; i++) {
        if (end - p < 6)
            goto bad;
        uint32_t k = 6u + get16(p + 4);
        if ((uint32_t)(end - p) < k || wal_create_decode(p, k, &c->tables[i]))
            goto bad;
        p += k;
    }
    if (end - p < 4)
        goto bad;
    uint32_t nd = get32(p);
    p += 4;
    if (nd > (uint32_t)(end - p) / 12)
        goto bad;
    c->ndirty = (int)nd;
    c->dirty = calloc(nd + 1, sizeof *c->dirty);
    if (!c->dirty)
        goto bad;
    for (uint32_t i = 0; i < nd; i++, p += 12) {
        c->dirty[i].page = get32(p);
        c->dirty[i].rec_lsn = get64(p + 4);
    }
    if (end - p < 4)
        goto bad;
    uint32_t na = get32(p);
    p += 4;
    if (na != (uint32_t)(end - p) / 16 || (uint32_t)(end - p) % 16)
        goto bad;
    c->nactive = (int)na;
    c->active = calloc(na + 1, sizeof *c->active);
    if (!c->active)
        goto bad;
    for (uint32_t i = 0; i < na; i++, p += 16) {
        c->active[i].txn = get64(p);
        c->active[i].last_lsn = get64(p + 8);
    }
    return WAL_OK;
bad:
    wal_ckpt_free(c);
    return WAL_EBAD;
}
