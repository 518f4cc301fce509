/*
 * txn.c: transactions. Begin (an id, the scheme told; the BEGIN record waits for the first
 * change, txn_log_begin), rollback (the transaction's records undone newest first, each by
 * a compensation record, then ABORT), commit (the scheme's validation, the COMMIT record,
 * then the sync policy), and group commit: under `sync group n` a commit record waits,
 * written but not fsynced, until n commits share one fsync, and none is answered before it.
 *
 * A transaction that changed nothing has nothing in the log and nothing to make durable:
 * its COMMIT writes no record and syncs nothing under any policy (it never joins a group),
 * its ROLLBACK writes no ABORT (SQLite's read transactions do the same: no journal, no
 * fsync). Its id is still unique for the database's life: ids come from the durable
 * reservation (store.h, S1), not from the log.
 *
 * The group answers what is durable, whoever made it so (txn_group_settle): its own fsync
 * when it fills, or any other flush of the log (`engine: flush`, a checkpoint, the log rule
 * before a page is written, a setup line). A commit is answered exactly when its record is
 * durable, so what a client is told matches what a crash leaves.
 *
 * Also here: the registry of every transaction the engine has begun (id, session, its
 * number in the session, the LSN of its answered commit), which gives the labels the
 * learner knows ("T1", "T1#2", "setup") and tells a crash which answered commits it took.
 *
 * Not here: statements (exec.c), locks and visibility (the scheme, cc.h), the run loop.
 */
#include "engine_int.h"
#include "common/putbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the registry and labels ----------------------------------------------------------- */

const txn_info *txn_find(const acid_engine *e, uint64_t id)
{
    size_t lo = 0, hi = e->ntxns;   /* ids are registered in increasing order */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->txns[mid].id == id)
            return &e->txns[mid];
        if (e->txns[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void acid_txn_label(uint64_t txn, char *buf, size_t n, void *engine)
{
    const acid_engine *e = engine;
    const txn_info *ti = e ? txn_find(e, txn) : NULL;
    if (!ti)
        snprintf(buf, n, "txn %" PRIu64, txn);
    else if (ti->session == 0)
        snprintf(buf, n, "setup");
    else if (ti->nth <= 1)
        snprintf(buf, n, "T%d", ti->session);
    else
        snprintf(buf, n, "T%d#%d", ti->session, ti->nth);
}

const char *txn_label(const acid_engine *e, uint64_t txn, char *buf, size_t n)
{
    acid_txn_label(txn, buf, n, (void *)e);
    return buf;
}

/* --- begin ----------------------------------------------------------------------------------- */

static acid_txn *txn_new(acid_engine *e)
{
    acid_txn *t = e->free_txns;
    if (!t)
        return calloc(1, sizeof *t);
    e->free_txns = t->next_free;
    before_img *firsts = t->firsts;
    int cap = t->capfirsts;
    memset(t, 0, sizeof *t);
    t->firsts = firsts;     /* keeps its capacity */
    t->capfirsts = cap;
    return t;
}

void txn_release(acid_engine *e, acid_txn *t)
{
    t->next_free = e->free_txns;
    e->free_txns = t;
}

void txn_free_all(acid_engine *e)
{
    while (e->free_txns) {
        acid_txn *t = e->free_txns;
        e->free_txns = t->next_free;
        free(t->firsts);
        free(t);
    }
}

/* NULL on an I/O error (e->err says what: reserving ids may write) or out of memory. */
acid_txn *txn_begin(acid_engine *e, int session, iso_level level, bool autocommit)
{
    acid_txn *t = txn_new(e);
    if (!t)
        return NULL;
    int rc = store_new_txn(&e->st, &t->cc.id);
    if (rc) {
        eng_io_fail(e, rc, "begin");
        txn_release(e, t);
        return NULL;
    }
    t->session = session;
    t->cc.level = level ? level : ISO_RC;
    t->autocommit = autocommit;
    t->cc.age = ++e->age;
    if (e->ntxns == e->captxns) {
        size_t cap = e->captxns ? e->captxns * 2 : 64;
        txn_info *v = realloc(e->txns, cap * sizeof *v);
        if (!v) {
            txn_release(e, t);
            return NULL;
        }
        e->txns = v;
        e->captxns = cap;
    }
    uint16_t nth = 1;
    if (session) {
        acid_session *s = &e->sess[session];
        nth = (uint16_t)++s->ntxns;
        s->txn = t;
    }
    t->info = e->ntxns;
    e->txns[e->ntxns++] = (txn_info){ t->cc.id, (uint8_t)session, nth, 0 };
    e->ccops->begin(e->cc, &t->cc);
    hist_event *x = eng_ev(e, EV_TXN_BEGIN, session, t->cc.id);
    if (x) {
        x->n[0] = t->cc.level;
        x->n[1] = autocommit;
    }
    return t;
}

void txn_log_begin(acid_engine *e, acid_txn *t)
{
    if (t->first_lsn)
        return;
    t->first_lsn = t->last_lsn = store_log_txn(&e->st, WAL_BEGIN, t->cc.id, 0, (uint8_t)t->cc.level);
}

int txn_active_list(const acid_engine *e, wal_active *out, uint64_t *oldest_first, uint64_t *oldest_txn)
{
    int n = 0;
    *oldest_first = *oldest_txn = 0;
    for (int k = 1; k <= e->nsess; k++) {
        const acid_txn *t = e->sess[k].txn;
        if (!t || !t->first_lsn || t->commit_lsn)
            continue;
        out[n++] = (wal_active){ t->cc.id, t->last_lsn };
        if (!*oldest_first || t->first_lsn < *oldest_first) {
            *oldest_first = t->first_lsn;
            *oldest_txn = t->cc.id;
        }
    }
    return n;
}

void txn_remember_first(acid_txn *t, const char *table, const st_row *before)
{
    for (int i = 0; i < t->nfirsts; i++)
        if (t->firsts[i].table == table && scalar_eq(&t->firsts[i].key, &before->key))
            return;
    if (t->nfirsts == t->capfirsts) {
        int cap = t->capfirsts ? t->capfirsts * 2 : 8;
        before_img *v = realloc(t->firsts, (size_t)cap * sizeof *v);
        if (!v)
            return;
        t->firsts = v;
        t->capfirsts = cap;
    }
    t->firsts[t->nfirsts++] = (before_img){ table, before->key, before->exists, before->value };
}

/* --- the end ---------------------------------------------------------------------------------- */

/* Release everything, end the txn in the store, detach it from its session. */
void txn_finish(acid_engine *e, acid_txn *t, acid_state how)
{
    e->ccops->end(e->cc, &t->cc);
    store_txn_end(&e->st, t->cc.id);
    if (t->session) {
        acid_session *s = &e->sess[t->session];
        if (s->txn == t)
            s->txn = NULL;
        s->ended = how;
    }
    txn_release(e, t);
}

int txn_rollback(acid_engine *e, acid_txn *t, const char *why)
{
    uint64_t lsn = t->first_lsn ? t->last_lsn : 0;
    while (lsn) {
        uint64_t next = 0;
        st_undo_info info;
        int rc = store_undo_step(&e->st, t->cc.id, &t->last_lsn, lsn, &next, &info);
        if (rc)
            return eng_io_fail(e, rc, "rollback");
        if (info.did) {
            hist_event *x = eng_ev(e, EV_UNDO, t->session, t->cc.id);
            st_table *tb = store_table_by_id(&e->st, info.table);
            if (x) {
                hist_set_table(e->h, x, tb ? tb->name : NULL);
                x->key = info.key;
                x->n[0] = (int64_t)info.restored.version;
                x->n[1] = info.restored.value;
                x->n[2] = info.restored.exists;
                x->n[3] = (int64_t)info.removed.version;
            }
        }
        lsn = next;
    }
    if (t->first_lsn)   /* nothing logged, nothing to end in the log */
        t->last_lsn = store_log_txn(&e->st, WAL_ABORT, t->cc.id, t->last_lsn, 0);
    eng_ev_text(e, EV_TXN_ABORT, t->session, t->cc.id, why);
    txn_finish(e, t, AS_ABORTED);
    return 0;
}

/* The commit record is durable (or the policy says it need not be): answer it. */
static void txn_committed(acid_engine *e, acid_txn *t)
{
    hist_event *x = eng_ev(e, EV_TXN_COMMIT, t->session, t->cc.id);
    if (x)
        x->n[0] = (int64_t)t->commit_lsn;
    if (t->info < e->ntxns && e->txns[t->info].id == t->cc.id)
        e->txns[t->info].commit_lsn = t->commit_lsn;
    txn_finish(e, t, AS_COMMITTED);
}

/* --- commit ------------------------------------------------------------------------------------ */

/* Writes t's commit record and applies the sync policy. X_DONE: committed (answered);
 * X_BLOCK: waiting for its group; X_ABORTED: the scheme's validation rolled it back. */
int txn_commit(acid_engine *e, acid_txn *t)
{
    return txn_commit_as(e, t, e->sync);
}

int txn_commit_as(acid_engine *e, acid_txn *t, acid_sync policy)
{
    int x = e->ccops->commit(e->cc, &t->cc);
    if (x != CC_OK)
        return x;
    if (!t->first_lsn) {
        /* It wrote nothing: no commit record, no fsync, no group to wait for. */
        txn_committed(e, t);
        return X_DONE;
    }
    t->commit_lsn = store_log_txn(&e->st, WAL_COMMIT, t->cc.id, t->last_lsn, 0);
    t->last_lsn = t->commit_lsn;
    int rc;
    switch (policy) {
    case SYNC_FULL:
        rc = wal_flush(&e->st.w);
        if (rc)
            return eng_io_fail(e, rc, "commit"), X_IOERR;
        txn_committed(e, t);
        return X_DONE;
    case SYNC_OFF:
        rc = wal_write(&e->st.w);
        if (rc)
            return eng_io_fail(e, rc, "commit"), X_IOERR;
        txn_committed(e, t);
        return X_DONE;
    case SYNC_GROUP:
        rc = wal_write(&e->st.w);
        if (rc)
            return eng_io_fail(e, rc, "commit"), X_IOERR;
        t->committing = true;
        e->group[e->ngroup++] = t;
        if (e->ngroup >= e->group_n) {
            rc = wal_flush(&e->st.w);
            if (rc)
                return eng_io_fail(e, rc, "group commit"), X_IOERR;
            /* This one answers in the caller; the others resume. */
            e->ngroup--;
            for (int i = 0; i < e->ngroup; i++)
                if (e->group[i] == t) {
                    e->group[i] = e->group[e->ngroup];
                    break;
                }
            t->committing = false;
            txn_group_complete(e, e->ngroup + 1);
            txn_committed(e, t);
            return X_DONE;
        }
        return X_BLOCK;
    }
    return X_DONE;
}

/* Answers the parked commits g[0..n) (oldest first), whose records one fsync made durable
 * together with `served` commits in all. */
static void group_answer(acid_engine *e, acid_txn **g, int n, int served)
{
    /* One message for the whole group: "autocommit: committed (group commit: n commits,
     * 1 fsync)"; an explicit COMMIT gets it without the "autocommit: " prefix. */
    char msg[96];
    putbuf pb = pb_make(msg, sizeof msg);
    pb_str(&pb, "autocommit: committed (group commit: ");
    pb_i64(&pb, served);
    pb_str(&pb, served == 1 ? " commit, 1 fsync)" : " commits, 1 fsync)");
    pb_end(&pb);
    for (int i = 0; i < n; i++) {
        acid_txn *t = g[i];
        acid_session *s = &e->sess[t->session];
        t->committing = false;
        bool auto_ = t->autocommit;
        txn_committed(e, t);
        if (s->nq && s->q[0]->parked) {
            q_item *it = s->q[0];
            hist_event *x = eng_ev(e, EV_STMT_RETURN, s->no, 0);
            if (x)
                hist_set_text(e->h, x, "committed");
            eng_note_cat(e, NOTE_RESULT, s->no, true, it->text, auto_ ? msg : msg + strlen("autocommit: "), NULL);
            sess_set_error(s, "");
            sess_queue_pop(e, s);
            if (s->nq)
                sess_runq_add(e, s);
        }
    }
}

/* The group's fsync happened (one fsync served `served` commits): answer every parked
 * commit, oldest first. */
void txn_group_complete(acid_engine *e, int served)
{
    int n = e->ngroup;
    acid_txn *g[ACID_SESSIONS_MAX + 1];
    memcpy(g, e->group, (size_t)n * sizeof *g);
    e->ngroup = 0;
    group_answer(e, g, n, served);
}

int txn_group_settle(acid_engine *e)
{
    acid_txn *g[ACID_SESSIONS_MAX + 1];
    int n = 0, k = 0;
    for (int i = 0; i < e->ngroup; i++) {
        acid_txn *t = e->group[i];
        if (t->commit_lsn < e->st.w.durable)
            g[n++] = t;
        else
            e->group[k++] = t;
    }
    e->ngroup = k;
    if (n)
        group_answer(e, g, n, n);
    return n;
}
