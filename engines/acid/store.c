/*
 * store.c: catalog, row index and logged row changes. See store.h.
 */
#include "store.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int st_fail(store *st, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return rc ? rc : -1;
}

/* Any error code of the layers below, in words. */
static const char *rc_text(const store *st, int rc)
{
    if (rc == STORE_EDAMAGED)
        return "the log is damaged in the middle";
    if (rc <= -20)
        return page_strerror(rc);
    if (rc <= -10)
        return wal_strerror(rc);
    return fio_strerror(st->env, rc);
}

const char *store_rc_text(const store *st, int rc)
{
    return rc_text(st, rc);
}

const char *store_errmsg(const store *st)
{
    return st->err[0] ? st->err : "no error";
}

/* --- catalog -------------------------------------------------------------------- */

static void table_free(st_table *t)
{
    if (!t)
        return;
    pred_free(t->check);
    free(t->ents);
    free(t->pages);
    free(t->freepages);
    free(t);
}

st_table *store_table(store *st, const char *name)
{
    for (int i = 0; i < st->ntables; i++)
        if (strcmp(st->tables[i]->name, name) == 0)
            return st->tables[i];
    return NULL;
}

st_table *store_table_by_id(store *st, uint32_t id)
{
    for (int i = 0; i < st->ntables; i++)
        if (st->tables[i]->id == id)
            return st->tables[i];
    return NULL;
}

static st_table *table_from_stmt(uint32_t id, const sql_stmt *s)
{
    st_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = id;
    snprintf(t->name, sizeof t->name, "%s", s->table);
    snprintf(t->keycol, sizeof t->keycol, "%s", s->keycol);
    snprintf(t->valcol, sizeof t->valcol, "%s", s->valcol);
    t->keytype = s->keytype;
    if (s->check) {
        t->check = pred_clone(s->check);
        if (!t->check || pred_resolve(t->check, t->keycol, t->valcol) >= 0) {
            table_free(t);
            return NULL;
        }
    }
    sql_stmt canon = *s;
    canon.if_not_exists = false;
    sql_format(&canon, t->sql, sizeof t->sql);
    return t;
}

/* Adds a table known from the log (CREATE record or checkpoint). */
int store_add_table_sql(store *st, uint32_t id, const char *sql)
{
    if (store_table_by_id(st, id))
        return 0;
    if (st->ntables == STORE_TABLES_MAX)
        return st_fail(st, -1, "too many tables (at most %d)", STORE_TABLES_MAX);
    sql_stmt s;
    sql_error e;
    if (sql_parse(sql, 1, 1, &s, &e) != 0 || s.kind != SQL_CREATE)
        return st_fail(st, -1, "the log holds a table definition that does not parse: %s", sql);
    st_table *t = table_from_stmt(id, &s);
    sql_free(&s);
    if (!t)
        return st_fail(st, -1, "bad table definition in the log: %s", sql);
    st->tables[st->ntables++] = t;
    return 0;
}

int store_create_table(store *st, const sql_stmt *create, st_table **out)
{
    *out = NULL;
    if (st->ntables == STORE_TABLES_MAX)
        return st_fail(st, -1, "too many tables (at most %d)", STORE_TABLES_MAX);
    uint32_t id = 1;
    for (int i = 0; i < st->ntables; i++)
        if (st->tables[i]->id >= id)
            id = st->tables[i]->id + 1;
    st_table *t = table_from_stmt(id, create);
    if (!t)
        return st_fail(st, -1, "out of memory");
    uint8_t payload[600];
    uint32_t len = 0;
    if (wal_create_encode(id, t->sql, payload, sizeof payload, &len)) {
        table_free(t);
        return st_fail(st, -1, "table definition too long");
    }
    wal_rec r = { .type = WAL_CREATE, .payload = payload, .payload_len = len };
    wal_append(&st->w, &r);
    int rc = wal_flush(&st->w);     /* DDL is always durable at once */
    if (rc) {
        table_free(t);
        return st_fail(st, rc, "could not write the log: %s", fio_strerror(st->env, rc));
    }
    st->tables[st->ntables++] = t;
    *out = t;
    return 0;
}

/* --- the index ------------------------------------------------------------------ */

/* Position of key in t->ents, or where it would go (*found false). */
static size_t ent_find(const st_table *t, const scalar *key, bool *found)
{
    size_t lo = 0, hi = t->nents;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = scalar_cmp(&t->ents[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static int ent_put(st_table *t, const scalar *key, uint32_t pageno, uint16_t slot, uint64_t ghost)
{
    bool found;
    size_t i = ent_find(t, key, &found);
    if (!found) {
        if (t->nents == t->capents) {
            size_t cap = t->capents ? t->capents * 2 : 16;
            st_ent *e = realloc(t->ents, cap * sizeof *e);
            if (!e)
                return -1;
            t->ents = e;
            t->capents = cap;
        }
        memmove(t->ents + i + 1, t->ents + i, (t->nents - i) * sizeof *t->ents);
        t->nents++;
    }
    t->ents[i] = (st_ent){ *key, pageno, slot, ghost };
    return 0;
}

static void ent_del(st_table *t, const scalar *key)
{
    bool found;
    size_t i = ent_find(t, key, &found);
    if (!found)
        return;
    memmove(t->ents + i, t->ents + i + 1, (t->nents - i - 1) * sizeof *t->ents);
    t->nents--;
}

static int u32_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        uint32_t *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static int table_add_page(st_table *t, uint32_t no)
{
    for (size_t i = 0; i < t->npages; i++)
        if (t->pages[i] == no)
            return 0;
    return u32_push(&t->pages, &t->npages, &t->cappages, no);
}

static int ent_cmp(const void *a, const void *b)
{
    return scalar_cmp(&((const st_ent *)a)->key, &((const st_ent *)b)->key);
}

/* After recovery: every table's index and page list from the pages themselves. */
int store_rebuild_index(store *st)
{
    for (int i = 0; i < st->ntables; i++) {
        st_table *t = st->tables[i];
        t->nents = t->npages = t->nfree = 0;
        t->insert_page = 0;
    }
    for (uint32_t no = 1; no < st->next_page; no++) {
        page *pg;
        int rc = bp_get(&st->bp, no, &pg);
        if (rc)
            return st_fail(st, rc, "data file page %u: %s", no, rc_text(st, rc));
        st_table *t = pg->table ? store_table_by_id(st, pg->table) : NULL;
        if (!t)
            continue;
        table_add_page(t, no);
        int used = 0;
        for (int s = 0; s < PAGE_SLOTS; s++) {
            if (!pg->rows[s].used)
                continue;
            used++;
            if (t->nents == t->capents) {
                size_t cap = t->capents ? t->capents * 2 : 16;
                st_ent *e = realloc(t->ents, cap * sizeof *e);
                if (!e)
                    return st_fail(st, -1, "out of memory");
                t->ents = e;
                t->capents = cap;
            }
            t->ents[t->nents++] = (st_ent){ pg->rows[s].key, no, (uint16_t)s, 0 };
        }
        if (used < PAGE_SLOTS)
            u32_push(&t->freepages, &t->nfree, &t->capfree, no);
    }
    for (int i = 0; i < st->ntables; i++) {
        st_table *t = st->tables[i];
        if (t->nents > 0)       /* an empty table has no array: qsort(NULL, 0) is undefined */
            qsort(t->ents, t->nents, sizeof *t->ents, ent_cmp);
    }
    return 0;
}

/* --- rows ------------------------------------------------------------------------ */

static int read_slot(store *st, uint32_t pageno, uint16_t slot, page_row *out)
{
    page *pg;
    int rc = bp_get(&st->bp, pageno, &pg);
    if (rc)
        return st_fail(st, rc, "reading data page %u failed: %s", pageno, rc_text(st, rc));
    *out = pg->rows[slot];
    return 0;
}

int store_read(store *st, st_table *t, const scalar *key, st_row *out)
{
    memset(out, 0, sizeof *out);
    out->key = *key;
    bool found;
    size_t i = ent_find(t, key, &found);
    if (!found)
        return 0;
    const st_ent *e = &t->ents[i];
    out->ghost_txn = e->ghost_txn;
    if (e->ghost_txn)
        return 0;
    page_row r;
    int rc = read_slot(st, e->page, e->slot, &r);
    if (rc)
        return rc;
    assert(r.used && scalar_eq(&r.key, key));
    out->exists = true;
    out->value = r.value;
    out->version = r.version;
    return 0;
}

/* A page as the data file holds it, through pc (NULL: no cache, into *tmp). */
static const page *peek_page(const store *st, uint32_t no, st_peek_cache *pc, page *tmp, int *rc)
{
    const page *pg = bp_peek(&st->bp, no);
    if (pg)
        return pg;
    for (int i = 0; pc && i < pc->n; i++)
        if (pc->pg[i].no == no)
            return &pc->pg[i];
    uint8_t buf[PAGE_SIZE];
    size_t got = 0;
    *rc = fio_read(st->datf, (uint64_t)no * PAGE_SIZE, buf, PAGE_SIZE, &got);
    if (*rc)
        return NULL;
    if (got < PAGE_SIZE)
        memset(buf + got, 0, PAGE_SIZE - got);
    page *p = pc ? &pc->pg[pc->next] : tmp;
    *rc = page_decode(buf, no, p);
    if (*rc < 0)
        return NULL;
    *rc = 0;
    p->no = no;
    if (pc) {
        pc->next = (pc->next + 1) % STORE_PEEK_PAGES;
        if (pc->n < STORE_PEEK_PAGES)
            pc->n++;
    }
    return p;
}

static int peek_ent(const store *st, const st_ent *e, st_peek_cache *pc, st_row *out)
{
    memset(out, 0, sizeof *out);
    out->key = e->key;
    out->ghost_txn = e->ghost_txn;
    if (e->ghost_txn)
        return 0;
    page tmp;
    int rc = 0;
    const page *pg = peek_page(st, e->page, pc, &tmp, &rc);
    if (!pg)
        return rc;
    const page_row *r = &pg->rows[e->slot];
    if (!r->used || !scalar_eq(&r->key, &e->key))
        return 0;
    out->exists = true;
    out->value = r->value;
    out->version = r->version;
    return 0;
}

int store_peek(const store *st, const st_table *t, const scalar *key, st_row *out)
{
    bool found;
    size_t i = ent_find(t, key, &found);
    if (!found) {
        memset(out, 0, sizeof *out);
        out->key = *key;
        return 0;
    }
    return peek_ent(st, &t->ents[i], NULL, out);
}

int store_peek_at(const store *st, const st_table *t, size_t i, st_peek_cache *pc, st_row *out)
{
    if (i >= t->nents) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return peek_ent(st, &t->ents[i], pc, out);
}

static bool slot_reserved(const store *st, uint32_t pageno, uint16_t slot)
{
    for (size_t i = 0; i < st->nresv; i++)
        if (st->resv[i].page == pageno && st->resv[i].slot == slot)
            return true;
    return false;
}

static int free_slot_in(store *st, uint32_t pageno, uint16_t *slot)
{
    page *pg;
    int rc = bp_get(&st->bp, pageno, &pg);
    if (rc)
        return rc;
    for (int s = 0; s < PAGE_SLOTS; s++)
        if (!pg->rows[s].used && !slot_reserved(st, pageno, (uint16_t)s)) {
            *slot = (uint16_t)s;
            return 1;
        }
    return 0;
}

/* A slot for a new row: the insert page, then pages known to have room, then a new page. */
static int alloc_slot(store *st, st_table *t, uint32_t *pageno, uint16_t *slot)
{
    if (t->insert_page) {
        int rc = free_slot_in(st, t->insert_page, slot);
        if (rc < 0)
            return rc;
        if (rc) {
            *pageno = t->insert_page;
            return 0;
        }
    }
    while (t->nfree) {
        uint32_t no = t->freepages[--t->nfree];
        int rc = free_slot_in(st, no, slot);
        if (rc < 0)
            return rc;
        if (rc) {
            t->freepages[t->nfree++] = no;   /* may have more room */
            *pageno = t->insert_page = no;
            return 0;
        }
    }
    if (st->next_page == UINT32_MAX)
        return st_fail(st, -1, "the data file is full");
    *pageno = t->insert_page = st->next_page++;
    *slot = 0;
    return table_add_page(t, *pageno);
}

int store_apply(store *st, uint32_t table, uint32_t pageno, uint16_t slot, const scalar *key,
                const wal_image *im, uint64_t lsn)
{
    if (slot >= PAGE_SLOTS || pageno == 0)
        return st_fail(st, -1, "log record names page %u slot %u, which cannot exist", pageno, slot);
    page *pg;
    int rc = bp_get(&st->bp, pageno, &pg);
    if (rc)
        return st_fail(st, rc, "data page %u: %s", pageno, rc_text(st, rc));
    if (!pg->table)
        pg->table = table;
    page_row *r = &pg->rows[slot];
    if (im->exists) {
        r->used = true;
        r->key = *key;
        r->value = im->value;
        r->version = im->version;
    } else {
        memset(r, 0, sizeof *r);
    }
    bp_dirty(&st->bp, pg, lsn);
    if (pageno >= st->next_page)
        st->next_page = pageno + 1;
    return 0;
}

static int reserve(store *st, uint64_t txn, uint32_t table, uint32_t pageno, uint16_t slot,
                   const scalar *key)
{
    if (st->nresv == st->capresv) {
        size_t cap = st->capresv ? st->capresv * 2 : 16;
        st_reserved *r = realloc(st->resv, cap * sizeof *r);
        if (!r)
            return -1;
        st->resv = r;
        st->capresv = cap;
    }
    st->resv[st->nresv++] = (st_reserved){ txn, table, pageno, slot, *key };
    return 0;
}

int store_write(store *st, uint64_t txn, uint64_t *last_lsn, st_table *t, const scalar *key,
                bool exists, int64_t value, st_row *before, uint64_t *version_out)
{
    bool found;
    size_t i = ent_find(t, key, &found);
    wal_rec r = { .txn = txn, .prev_lsn = *last_lsn, .table = t->id, .key = *key };
    bool live = found && !t->ents[i].ghost_txn;
    if (live) {
        page_row old;
        int rc = read_slot(st, t->ents[i].page, t->ents[i].slot, &old);
        if (rc)
            return rc;
        r.page = t->ents[i].page;
        r.slot = t->ents[i].slot;
        r.before = (wal_image){ 1, old.value, old.version };
    } else {
        if (!exists)
            return 0;   /* deleting nothing */
        if (t->nents >= STORE_ROWS_MAX)
            return st_fail(st, -1, "table %s is full (at most %d rows)", t->name, STORE_ROWS_MAX);
        int rc = alloc_slot(st, t, &r.page, &r.slot);
        if (rc)
            return rc;
    }
    if (before) {
        memset(before, 0, sizeof *before);
        before->key = *key;
        before->exists = live;
        before->value = r.before.value;
        before->version = r.before.version;
    }
    r.type = !live ? WAL_INSERT : exists ? WAL_UPDATE : WAL_DELETE;
    if (st->next_version >= st->version_limit) {
        int rc = store_reserve_ids(st);
        if (rc)
            return rc;
    }
    uint64_t version = st->next_version++;
    r.after = exists ? (wal_image){ 1, value, version } : (wal_image){ 0, 0, version };
    uint64_t lsn = wal_append(&st->w, &r);
    int rc = store_apply(st, t->id, r.page, r.slot, key, &r.after, lsn);
    if (rc)
        return rc;
    *last_lsn = lsn;
    if (version_out)
        *version_out = version;
    if (exists)
        return ent_put(t, key, r.page, r.slot, 0);
    if (reserve(st, txn, t->id, r.page, r.slot, key) || ent_put(t, key, r.page, r.slot, txn))
        return st_fail(st, -1, "out of memory");
    return 0;
}

int store_undo_step(store *st, uint64_t txn, uint64_t *last_lsn, uint64_t lsn, uint64_t *next,
                    st_undo_info *info)
{
    uint8_t buf[1024];
    wal_rec r;
    memset(info, 0, sizeof *info);
    int rc = wal_read(&st->w, lsn, &r, buf, sizeof buf);
    if (rc == WAL_ESHORT || rc == WAL_ECRC || rc == WAL_EBAD)   /* named like every other refusal */
        return st_fail(st, STORE_EDAMAGED, "%.300s/acidbase.log is damaged at offset %llu (the record of LSN %llu, "
                       "which undo must read): %s; restore both files of %.300s from a copy",
                       st->dir, (unsigned long long)lsn, (unsigned long long)lsn, rc_text(st, rc), st->dir);
    if (rc)
        return st_fail(st, rc, "cannot read log record at LSN %llu to undo it: %s",
                       (unsigned long long)lsn, rc_text(st, rc));
    if (r.txn != txn)
        return st_fail(st, -1, "log record at LSN %llu belongs to txn %llu, not %llu",
                       (unsigned long long)lsn, (unsigned long long)r.txn, (unsigned long long)txn);
    switch (r.type) {
    case WAL_INSERT:
    case WAL_UPDATE:
    case WAL_DELETE: {
        wal_rec clr = { .type = WAL_CLR, .txn = txn, .prev_lsn = *last_lsn, .table = r.table,
                        .page = r.page, .slot = r.slot, .key = r.key, .before = r.after,
                        .after = r.before, .undo_next = r.prev_lsn };
        uint64_t clsn = wal_append(&st->w, &clr);
        rc = store_apply(st, r.table, r.page, r.slot, &r.key, &r.before, clsn);
        if (rc)
            return rc;
        *last_lsn = clsn;
        *next = r.prev_lsn;
        info->did = true;
        info->table = r.table;
        info->key = r.key;
        info->restored = r.before;
        info->removed = r.after;
        st_table *t = store_table_by_id(st, r.table);
        if (t) {   /* during recovery the index is rebuilt afterwards; keep it right anyway */
            if (r.before.exists)
                ent_put(t, &r.key, r.page, r.slot, 0);
            else
                ent_del(t, &r.key);
        }
        return 0;
    }
    case WAL_CLR:
        *next = r.undo_next;
        return 0;
    case WAL_BEGIN:
        *next = 0;
        return 0;
    default:
        *next = r.prev_lsn;
        return 0;
    }
}

int store_reserve_ids(store *st)
{
    page_ids ids = { st->next_txn + STORE_ID_BLOCK, st->next_version + STORE_ID_BLOCK, st->ids_seq + 1 };
    uint8_t slot[PAGE_IDS_SLOT];
    page_ids_encode(&ids, slot);
    uint64_t off = PAGE_IDS_OFF + (ids.seq & 1) * PAGE_IDS_SLOT;
    int rc;
    if (fio_size(st->datf) < PAGE_SIZE) {
        /* A new data file: page 0 is written whole, so that the file holds whole pages. */
        uint8_t hdr[PAGE_SIZE];
        size_t got = 0;
        rc = fio_read(st->datf, 0, hdr, PAGE_SIZE, &got);
        if (!rc) {
            memset(hdr + got, 0, PAGE_SIZE - got);
            memcpy(hdr + off, slot, sizeof slot);
            rc = fio_write(st->datf, 0, hdr, PAGE_SIZE);
        }
    } else {
        rc = fio_write(st->datf, off, slot, sizeof slot);
    }
    if (!rc)
        rc = fio_sync(st->datf);
    if (rc)
        return st_fail(st, rc, "reserving ids in the data file's header failed: %s", rc_text(st, rc));
    st->txn_limit = ids.txn_limit;
    st->version_limit = ids.version_limit;
    st->ids_seq = ids.seq;
    return 0;
}

int store_new_txn(store *st, uint64_t *id)
{
    if (st->next_txn >= st->txn_limit) {
        int rc = store_reserve_ids(st);
        if (rc)
            return rc;
    }
    *id = st->next_txn++;
    return 0;
}

uint64_t store_log_txn(store *st, uint8_t type, uint64_t txn, uint64_t prev_lsn, uint8_t level)
{
    wal_rec r = { .type = type, .txn = txn, .prev_lsn = prev_lsn, .level = level };
    return wal_append(&st->w, &r);
}

void store_txn_end(store *st, uint64_t txn)
{
    size_t k = 0;
    for (size_t i = 0; i < st->nresv; i++) {
        st_reserved *r = &st->resv[i];
        if (r->txn != txn) {
            st->resv[k++] = *r;
            continue;
        }
        st_table *t = store_table_by_id(st, r->table);
        if (!t)
            continue;
        bool found;
        size_t e = ent_find(t, &r->key, &found);
        if (found && t->ents[e].ghost_txn == txn)
            ent_del(t, &r->key);
        u32_push(&t->freepages, &t->nfree, &t->capfree, r->page);
    }
    st->nresv = k;
}

/* S3: the log from c->cut_to on, in a new file put in its place. */
static int cut_log(store *st, st_ckpt *c)
{
    char path[1100], tmp[1110];
    snprintf(path, sizeof path, "%s/acidbase.log", st->dir);
    snprintf(tmp, sizeof tmp, "%s/acidbase.log.new", st->dir);
    uint64_t old_size = fio_size(st->logf);
    fio_file *nf = NULL;
    int rc = fio_unlink(st->env, tmp);   /* a leftover of a cut a crash interrupted */
    if (!rc)
        rc = fio_open(st->env, tmp, &nf);
    if (!rc)
        rc = wal_copy_from(&st->w, c->cut_to, nf);
    if (!rc)
        rc = fio_replace(st->logf, path, nf, tmp);   /* closes nf */
    else if (nf) {
        fio_close(nf);
        fio_unlink(st->env, tmp);
    }
    if (rc)
        return rc;
    wal_rebase(&st->w, c->cut_to);
    c->cut_bytes = old_size - fio_size(st->logf);
    return fio_sync_dir(st->env, st->dir);
}

int store_checkpoint(store *st, st_ckpt *c)
{
    c->lsn = 0;
    c->written = 0;
    c->cut_from = c->cut_to = wal_start(&st->w);
    c->cut_bytes = 0;
    c->keep = ST_KEEP_CHECKPOINT;
    c->keep_txn = 0;
    c->keep_page = 0;
    /* The pages first (each after the log through its LSN: W3), so that the record lists
     * the dirty pages as they are when it is written: none. */
    int rc = bp_flush_all(&st->bp, true, &c->written);
    if (rc)
        return st_fail(st, rc, "checkpoint failed writing pages: %s", rc_text(st, rc));
    /* The limits, not the counters: every id below them may have been handed out (S1). */
    wal_ckpt k = { .next_txn = st->txn_limit, .next_version = st->version_limit,
                   .next_page = st->next_page, .ntables = st->ntables, .nactive = c->nactive };
    wal_table_def defs[STORE_TABLES_MAX];
    for (int i = 0; i < st->ntables; i++) {
        defs[i].id = st->tables[i]->id;
        snprintf(defs[i].sql, sizeof defs[i].sql, "%s", st->tables[i]->sql);
    }
    k.tables = defs;
    uint32_t pages[BP_FRAMES_MAX];
    uint64_t recs[BP_FRAMES_MAX];
    int nd = bp_dirty_pages(&st->bp, pages, recs, BP_FRAMES_MAX);
    wal_dirty dirty[BP_FRAMES_MAX];
    for (int i = 0; i < nd; i++)
        dirty[i] = (wal_dirty){ pages[i], recs[i] };
    k.dirty = dirty;
    k.ndirty = nd;
    k.active = (wal_active *)c->active;
    uint8_t *payload;
    uint32_t len;
    if (wal_ckpt_encode(&k, &payload, &len))
        return st_fail(st, -1, "checkpoint record too large");
    wal_rec r = { .type = WAL_CHECKPOINT, .payload = payload, .payload_len = len };
    uint64_t lsn = wal_append(&st->w, &r);
    free(payload);
    rc = wal_flush(&st->w);
    if (!rc) {
        uint8_t hdr[PAGE_SIZE];
        page_header ph = { .master_lsn = lsn };
        page_header_encode(&ph, hdr);
        rc = fio_write(st->datf, 0, hdr, PAGE_HEADER_MASTER);   /* not the id slots (page.h) */
        if (!rc)
            rc = fio_sync(st->datf);
    }
    if (rc)
        return st_fail(st, rc, "checkpoint failed: %s", rc_text(st, rc));
    st->master_lsn = lsn;
    c->lsn = lsn;
    /* S3: where the log may start now. */
    uint64_t cut = lsn;
    for (int i = 0; i < nd; i++)
        if (recs[i] < cut) {
            cut = recs[i];
            c->keep = ST_KEEP_PAGE;
            c->keep_page = pages[i];
        }
    if (c->oldest_first && c->oldest_first < cut) {
        cut = c->oldest_first;
        c->keep = ST_KEEP_TXN;
        c->keep_txn = c->oldest_txn;
    }
    if (cut > c->cut_from) {
        c->cut_to = cut;
        rc = cut_log(st, c);
        if (rc)
            return st_fail(st, rc, "checkpoint: cutting the log before LSN %llu failed: %s",
                           (unsigned long long)cut, rc_text(st, rc));
    }
    if (st->h) {
        hist_event *e = hist_add_acid(st->h, st->db, EV_CHECKPOINT);
        if (e) {
            e->n[0] = (int64_t)lsn;
            e->n[1] = c->written;
            e->n[2] = c->nactive;
        }
    }
    return 0;
}

/* --- opening, crashing ------------------------------------------------------------ */

static void store_forget(store *st)
{
    for (int i = 0; i < st->ntables; i++)
        table_free(st->tables[i]);
    st->ntables = 0;
    free(st->resv);
    st->resv = NULL;
    st->nresv = st->capresv = 0;
    wal_close(&st->w);
}

int store_open(store *st, const char *dir, fio_env *env, hist *h, int frames)
{
    memset(st, 0, sizeof *st);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    st->h = h;
    st->env = env;
    if (fio_mkdirs(dir))
        return st_fail(st, FIO_EIO, "cannot create directory %s", dir);
    char path[1100], dpath[1100];
    snprintf(path, sizeof path, "%s/acidbase.log", dir);
    snprintf(dpath, sizeof dpath, "%s/acidbase.db", dir);
    /* Both files, or neither (a new database); no link, nothing but regular files, and
     * nothing that cannot be ours: refused before a byte is written (fio.h). */
    int rc = fio_open_pair(env, path, dpath, &st->logf, &st->datf, st->err, sizeof st->err);
    if (rc)
        return rc;
    uint64_t lsize = fio_size(st->logf), dsize = fio_size(st->datf);
    uint8_t magic[8] = { 0 };
    size_t got = 0;
    if (dsize >= sizeof magic)
        fio_read(st->datf, 0, magic, sizeof magic, &got);
    if (lsize > 0 && lsize < WAL_HDR_SIZE)
        return st_fail(st, WAL_EHEADER, "%s is not an acidbase log: %llu bytes, shorter than its %d-byte header; "
                       "nothing was written", path, (unsigned long long)lsize, WAL_HDR_SIZE);
    bool created = lsize == 0;
    if (created && dsize > 0)
        /* The data file has been written, so the log had a header, durably, before it: an
         * empty log is a lost one (or the files are not ours), and a new one would silently
         * forget the database. */
        return st_fail(st, STORE_EDAMAGED, "%s/acidbase.log is empty, but %s/acidbase.db holds %llu bytes: the log "
                       "was lost, or these files are not an acidbase database, and the database cannot be recovered "
                       "without it. Nothing was changed. Restore both files from a copy, or start again in an empty "
                       "directory", dir, dir, (unsigned long long)dsize);
    /* Not ours: no header of ours in the first page, or too short to hold one. A data file
     * of ours cut short (not whole pages) is recovery's to judge: it names the missing page. */
    bool ours = got == sizeof magic && (!memcmp(magic, "ACIDBASE", 8) || !memcmp(magic, "\0\0\0\0\0\0\0\0", 8));
    if (dsize > 0 && (!ours || dsize < PAGE_SIZE))
        return st_fail(st, PAGE_EBADMAGIC, "%s is not an acidbase data file (%llu bytes, %s); nothing was written",
                       dpath, (unsigned long long)dsize, dsize < PAGE_SIZE ? "shorter than one page"
                                                                           : "no data file header in its first page");
    rc = wal_open(&st->w, st->logf, h);
    if (rc)
        return st_fail(st, rc, "%s/acidbase.log: %s", dir, rc_text(st, rc));
    /* A new log's name must be durable before anything in it is (SQLite syncs the
     * directory after creating a journal for the same reason); a cut that a crash
     * interrupted before its rename leaves a copy nobody needs (S3). */
    snprintf(path, sizeof path, "%s/acidbase.log.new", dir);
    rc = fio_unlink(env, path);
    if (!rc && created)
        rc = fio_sync_dir(env, dir);
    if (rc)
        return st_fail(st, rc, "%s: %s", dir, rc_text(st, rc));
    bp_init(&st->bp, st->datf, &st->w, h, frames);
    return 0;
}

void store_set_db(store *st, uint8_t db)
{
    st->db = st->w.db = st->bp.db = db;
}

void store_close(store *st)
{
    store_forget(st);
    if (st->logf)
        fio_close(st->logf);
    if (st->datf)
        fio_close(st->datf);
    st->logf = st->datf = NULL;
}

int store_crash(store *st, bool torn, fio_crash_report *lost)
{
    if (torn && st->w.written > st->w.durable) {
        /* The first record written after the last fsync reaches the disk cut in half, and
         * nothing after it: the torn write recovery must cut (SCENARIO.md, `engine: crash
         * torn`). A record still in memory, never written, cannot reach the disk. */
        uint32_t size = 0;
        if (wal_size_at(&st->w, st->w.durable, &size) == WAL_OK)
            fio_keep_on_crash(st->logf, size / 2);
    }
    int frames = st->bp.nframes;
    wal_observer observe = st->w.observe;   /* the engine's, kept across the crash */
    void *observe_arg = st->w.observe_arg;
    int rc = fio_crash(st->env, lost);
    bp_discard(&st->bp);
    store_forget(st);
    memset(&st->w, 0, sizeof st->w);
    st->next_txn = st->next_version = 0;
    st->txn_limit = st->version_limit = st->ids_seq = 0;
    st->next_page = 0;
    st->master_lsn = 0;
    if (rc)
        return st_fail(st, rc, "crash simulation failed: %s", fio_strerror(st->env, rc));
    rc = wal_open(&st->w, st->logf, st->h);
    if (rc)
        return st_fail(st, rc, "log: %s", rc_text(st, rc));
    st->w.observe = observe;
    st->w.observe_arg = observe_arg;
    bp_init(&st->bp, st->datf, &st->w, st->h, frames);
    store_set_db(st, st->db);
    return 0;
}
