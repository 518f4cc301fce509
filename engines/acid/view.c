/*
 * view.c: what the screen and the expectations read (view.h), and engine.h's queries.
 *
 * Read only, strictly (view.h, V1): rows come from store_peek, which reads a cached page
 * without touching the buffer pool's order and any other page from the data file; the
 * writer of a row and the committed image it hides come from the open transactions'
 * before images (acid_txn.firsts), which the engine keeps for exactly this; locks and
 * waits from the scheme's view (cc.h); the log tail from the ring notes.c fills.
 *
 * Not here: anything that changes the engine.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- sessions (engine.h) ---------------------------------------------------------------- */

acid_state acid_session_state(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    if (s->txn)
        return s->nq && s->q[0]->parked ? AS_BLOCKED : AS_ACTIVE;
    return s->ended ? s->ended : AS_IDLE;
}

bool acid_session_rows(const acid_engine *e, int session, const acid_row **rows, int *n)
{
    const acid_session *s = &e->sess[session];
    *rows = s->rows;
    *n = s->nrows;
    return s->has_rows;
}

bool acid_session_number(const acid_engine *e, int session, int64_t *v)
{
    *v = e->sess[session].number;
    return e->sess[session].has_number;
}

const char *acid_session_error(const acid_engine *e, int session)
{
    return e->sess[session].error;
}

iso_level acid_session_level(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    return s->txn ? s->txn->cc.level : s->level;
}

uint64_t acid_session_txn(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    return s->txn ? s->txn->cc.id : 0;
}

int acid_session_queue(const acid_engine *e, int session, const char **texts, int max)
{
    const acid_session *s = &e->sess[session];
    int n = 0;
    for (int i = 0; i < s->nq && n < max; i++)
        texts[n++] = s->q[i]->text;
    return n;
}

int acid_deadlocks(const acid_engine *e)
{
    return e->ccops->deadlocks(e->cc);
}

/* --- writers ------------------------------------------------------------------------------ */

/* A row an open transaction wrote: who, and the committed image it hides. */
typedef struct writer {
    scalar key;
    uint64_t txn;
    bool exists;
    int64_t value;
} writer;

static int writer_cmp(const void *a, const void *b)
{
    return scalar_cmp(&((const writer *)a)->key, &((const writer *)b)->key);
}

/* The writes of open transactions to table tb, sorted by key (*out malloc'ed, or NULL when
 * there are none). Under the scheme's write locks a row has at most one such writer. */
static int writers_of(const acid_engine *e, const st_table *tb, writer **out)
{
    *out = NULL;
    int n = 0;
    for (int k = 1; k <= e->nsess; k++)
        for (int j = 0; e->sess[k].txn && j < e->sess[k].txn->nfirsts; j++)
            n += e->sess[k].txn->firsts[j].table == tb->name;
    if (!n)
        return 0;
    writer *w = malloc((size_t)n * sizeof *w);
    if (!w)
        return 0;
    int k2 = 0;
    for (int k = 1; k <= e->nsess; k++) {
        const acid_txn *t = e->sess[k].txn;
        for (int j = 0; t && j < t->nfirsts; j++)
            if (t->firsts[j].table == tb->name)
                w[k2++] = (writer){ t->firsts[j].key, t->cc.id, t->firsts[j].exists, t->firsts[j].value };
    }
    qsort(w, (size_t)n, sizeof *w, writer_cmp);
    *out = w;
    return n;
}

static const writer *writer_find(const writer *w, int n, const scalar *key)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = scalar_cmp(&w[mid].key, key);
        if (!c)
            return &w[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static size_t ent_pos(const st_table *tb, const scalar *key, bool *found)
{
    size_t lo = 0, hi = tb->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = scalar_cmp(&tb->ents[mid].key, key);
        if (!c) {
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

/* --- the catalog and rows -------------------------------------------------------------------- */

static st_table *table_at(const acid_engine *e, int i)
{
    return i >= 0 && i < e->st.ntables ? e->st.tables[i] : NULL;
}

int acid_view_ntables(const acid_engine *e)
{
    return e->st.ntables;
}

bool acid_view_table_at(const acid_engine *e, int i, acid_view_table *out)
{
    const st_table *tb = table_at(e, i);
    memset(out, 0, sizeof *out);
    if (!tb)
        return false;
    out->name = tb->name;
    out->keycol = tb->keycol;
    out->valcol = tb->valcol;
    out->keytype = tb->keytype;
    out->check = tb->check;
    out->nrows = tb->nents;
    out->nuncommitted = acid_view_uncommitted(e, i, NULL, 0);
    return true;
}

size_t acid_view_uncommitted(const acid_engine *e, int table, size_t *pos, size_t max)
{
    const st_table *tb = table_at(e, table);
    if (!tb)
        return 0;
    writer *w;
    int n = writers_of(e, tb, &w);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        bool found;
        size_t p = ent_pos(tb, &w[i].key, &found);
        if (!found)
            continue;
        if (k < max)
            pos[k] = p;
        k++;
    }
    free(w);
    return k;
}

int acid_view_rows(const acid_engine *e, int table, size_t from, int n, acid_view_row *out)
{
    const st_table *tb = table_at(e, table);
    if (!tb || n <= 0 || from >= tb->nents)
        return 0;
    if ((size_t)n > tb->nents - from)
        n = (int)(tb->nents - from);
    writer *w;
    int nw = writers_of(e, tb, &w);
    st_peek_cache *pc = calloc(1, sizeof *pc);
    if (!pc) {
        free(w);
        return -1;
    }
    int k = 0;
    for (; k < n; k++) {
        st_row row;
        if (store_peek_at(&e->st, tb, from + (size_t)k, pc, &row)) {
            k = -1;
            break;
        }
        acid_view_row *r = &out[k];
        memset(r, 0, sizeof *r);
        r->key = row.key;
        r->exists = row.exists;
        r->value = row.exists ? row.value : 0;
        r->version = row.exists ? row.version : 0;
        const writer *x = nw ? writer_find(w, nw, &row.key) : NULL;
        if (x) {
            r->writer = x->txn;
            r->committed_exists = x->exists;
            r->committed_value = x->exists ? x->value : 0;
        } else if (row.ghost_txn) {
            r->writer = row.ghost_txn;   /* (E8 says the deleter's before image is there) */
        }
    }
    free(pc);
    free(w);
    return k;
}

/* The latest committed contents of a table: each row an open transaction wrote shows
 * the committed image it hides. */
int acid_committed_rows(acid_engine *e, const char *table, acid_row **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    st_table *tb = store_table(&e->st, table);
    if (!tb)
        return -1;
    acid_row *v = calloc(tb->nents + 1, sizeof *v);
    if (!v)
        return -1;
    writer *w;
    int nw = writers_of(e, tb, &w);
    st_peek_cache *pc = calloc(1, sizeof *pc);
    int k = 0;
    for (size_t i = 0; i < tb->nents; i++) {
        st_row row;
        if (store_peek_at(&e->st, tb, i, pc, &row))   /* looking must not change the pool */
            continue;
        bool exists = row.exists;
        int64_t value = row.value;
        const writer *x = nw ? writer_find(w, nw, &row.key) : NULL;
        if (x) {
            exists = x->exists;
            value = x->value;
        }
        if (exists)
            v[k++] = (acid_row){ row.key, value };
    }
    free(pc);
    free(w);
    *rows = v;
    *n = k;
    return 0;
}

bool acid_table_exists(acid_engine *e, const char *table, scalar_type *keytype)
{
    st_table *tb = store_table(&e->st, table);
    if (tb && keytype)
        *keytype = tb->keytype;
    return tb != NULL;
}

/* --- locks ------------------------------------------------------------------------------------ */

int acid_view_locks(const acid_engine *e, acid_view_lock *out, int max, int *waiting)
{
    return e->ccops->view_locks(e->cc, out, max, waiting);
}

bool acid_view_wait_of(const acid_engine *e, uint64_t txn, acid_view_wait *w)
{
    return e->ccops->view_wait(e->cc, txn, w);
}

/* --- the log ------------------------------------------------------------------------------------ */

void acid_view_log_state(const acid_engine *e, acid_view_log *out)
{
    memset(out, 0, sizeof *out);
    out->start = wal_start(&e->st.w);
    out->end = e->st.w.end;
    out->durable = e->st.w.durable;
    out->records = e->st.w.records;
    out->fsyncs = e->st.w.fsyncs;
    out->file_bytes = e->st.logf ? fio_size(e->st.logf) : 0;
    out->has_cut = e->has_cut;
    if (e->has_cut) {
        const st_ckpt *c = &e->last_cut;
        out->cut_from = c->cut_from;
        out->cut_to = c->cut_to;
        out->cut_bytes = c->cut_bytes;
        out->keep = c->keep == ST_KEEP_TXN ? ACID_KEEP_TXN : c->keep == ST_KEEP_PAGE ? ACID_KEEP_PAGE : ACID_KEEP_CHECKPOINT;
        out->keep_txn = c->keep_txn;
        out->keep_page = c->keep_page;
    }
}

int acid_view_log_tail(const acid_engine *e, acid_view_rec *out, int max)
{
    int k = 0;
    size_t first = e->ntail > ACID_VIEW_LOG_TAIL ? e->ntail - ACID_VIEW_LOG_TAIL : 0;
    for (size_t i = e->ntail; i-- > first && k < max;) {
        const tail_ent *t = &e->tail[i % ACID_VIEW_LOG_TAIL];
        if (t->crash && !t->lsn)
            continue;   /* a crash whose recovery did not finish: no cut to show */
        acid_view_rec *r = &out[k++];
        memset(r, 0, sizeof *r);
        r->crash = t->crash;
        r->cut = t->cut;
        r->lsn = t->lsn;
        if (t->crash || t->cut)
            continue;
        r->txn = t->txn;
        r->type = wal_type_name(t->type);
        r->clr = t->type == WAL_CLR;
        r->change = r->clr || t->type == WAL_INSERT || t->type == WAL_UPDATE || t->type == WAL_DELETE;
        if (r->change) {
            const st_table *tb = store_table_by_id((store *)&e->st, t->table);
            r->table = tb ? tb->name : NULL;
            r->key = t->key;
            r->before_exists = t->before.exists;
            r->after_exists = t->after.exists;
            r->before = t->before.exists ? t->before.value : 0;
            r->after = t->after.exists ? t->after.value : 0;
        }
        r->lost = t->lost;
        r->gone = !t->lost && t->lsn < wal_start(&e->st.w);
        r->durable = t->lsn < e->st.w.durable && !t->lost;
    }
    return k;
}

/* --- the buffer pool ------------------------------------------------------------------------------ */

void acid_view_pool_state(const acid_engine *e, acid_view_pool *out)
{
    const bufpool *bp = &e->st.bp;
    out->nframes = bp->nframes;
    out->accesses = bp->clock;
    out->reads = bp->reads;
    out->writes = bp->writes;
    out->evictions = bp->evictions;
}

int acid_view_frames(const acid_engine *e, acid_view_frame *out, int max)
{
    const bufpool *bp = &e->st.bp;
    int n = 0;
    for (int i = 0; i < bp->nframes && n < max; i++, n++) {
        const bp_frame *f = &bp->frames[i];
        acid_view_frame *o = &out[n];
        memset(o, 0, sizeof *o);
        o->valid = f->valid;
        if (!f->valid)
            continue;
        o->page = f->pg.no;
        const st_table *tb = f->pg.table ? store_table_by_id((store *)&e->st, f->pg.table) : NULL;
        o->table = tb ? tb->name : NULL;
        o->dirty = f->dirty;
        o->lsn = f->pg.lsn;
        o->rec_lsn = f->dirty ? f->rec_lsn : 0;
        for (int j = 0; j < bp->nframes; j++)   /* the least recently used goes first */
            o->lru += bp->frames[j].valid && bp->frames[j].used < f->used;
    }
    return n;
}

/* --- recovery and identity ------------------------------------------------------------------------ */

bool acid_view_last_recovery(const acid_engine *e, acid_view_recovery *out)
{
    memset(out, 0, sizeof *out);
    if (!e->has_rec)
        return false;
    const rec_report *r = &e->last_rec;
    out->after_crash = e->rec_after_crash;
    out->checkpoint_lsn = r->checkpoint_lsn;
    out->analysis_from = r->analysis_from;
    out->log_end = r->log_end;
    out->analysis_scanned = r->analysis_scanned;
    out->losers = r->nlosers;
    out->dirty_pages = r->ndirty;
    out->redo_from = r->redo_from;
    out->redone = r->redone;
    out->redo_skipped = r->redo_skipped;
    out->undone = r->undone;
    out->clrs = r->clrs;
    out->torn = r->torn;
    out->torn_offset = r->torn_offset;
    out->torn_bytes = r->torn_bytes;
    snprintf(out->torn_reason, sizeof out->torn_reason, "%s", r->torn_reason);
    return true;
}

void acid_view_ids_of(const acid_engine *e, acid_view_ids *out)
{
    out->db = e->db;
    out->next_txn = e->st.next_txn;
    out->next_version = e->st.next_version;
    out->txn_limit = e->st.txn_limit;
    out->version_limit = e->st.version_limit;
}
