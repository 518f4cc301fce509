/*
 * exec.c: statements. One statement at the head of a session's queue runs here: BEGIN,
 * SET TRANSACTION, COMMIT, ROLLBACK, or a data statement (SELECT, INSERT, UPDATE,
 * DELETE) in the open transaction or in its own (autocommit).
 *
 * Shape of a data statement: ask the scheme (cc.h) for every row it reads and every key
 * it will write, each of which may park the statement; record what it read (a predicate
 * read in the history, every candidate with the version seen); check constraints; then
 * write. Nothing is written before every step that can wait has said yes, which is what
 * makes re-running a parked statement from the start safe.
 *
 * Not here: which rows a transaction may see or must wait for (the scheme), the commit
 * record and the sync policy (txn.c), the queues and the run loop (session.c, engine.c),
 * parsing (sql.c), the anomaly checker (history/acidcheck.c).
 */
#include "engine_int.h"
#include "common/arith.h"
#include "common/putbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- reading ------------------------------------------------------------------------- */

typedef struct cand {
    scalar key;
    st_row row;
    bool matched;
} cand;

#define CAND_SMALL 8

static void cand_free(cand *c, const cand *cbuf)
{
    if (c != cbuf)
        free(c);
}

static int key_cmp(const void *a, const void *b)
{
    return scalar_cmp(a, b);
}

/* The keys a statement examines: the predicate's keys when it names them, else every key
 * in the index (ghosts too), in key order. *keys is small (PRED_IN_MAX keys) when they fit,
 * else malloc'ed. */
static int candidate_keys(st_table *tb, const pred *where, scalar *small, scalar **keys, int *n, bool *point)
{
    scalar *pk = small;
    int np = pred_point_keys(where, pk, PRED_IN_MAX);
    *point = np >= 0;
    if (np >= 0) {
        if (np > 1)
            qsort(pk, (size_t)np, sizeof *pk, key_cmp);
        int k = 0;
        for (int i = 0; i < np; i++)
            if (k == 0 || !scalar_eq(&pk[k - 1], &pk[i]))
                pk[k++] = pk[i];
        *keys = pk;
        *n = k;
        return 0;
    }
    *keys = tb->nents <= PRED_IN_MAX ? small : malloc((tb->nents ? tb->nents : 1) * sizeof **keys);
    if (!*keys)
        return -1;
    for (size_t i = 0; i < tb->nents; i++)
        (*keys)[i] = tb->ents[i].key;
    *n = (int)tb->nents;
    return 0;
}

/* The history's PREAD: the predicate and the rows it was evaluated on (the ones that
 * exist: what a ghost or a missing key hides is not a version), matched or not. */
static void record_pread(acid_engine *e, acid_txn *t, st_table *tb, const pred *where,
                         const cand *c, int n)
{
    if (!e->h)
        return;
    hist_row small[16];
    hist_row *rows = n <= 16 ? small : calloc((size_t)n, sizeof *rows);
    if (!rows)
        return;
    int k = 0, matched = 0;
    for (int i = 0; i < n; i++) {
        if (!c[i].row.exists)
            continue;
        rows[k].key = c[i].key;
        rows[k].version = c[i].row.version;
        rows[k].value = c[i].row.value;
        rows[k].matched = c[i].matched;
        matched += c[i].matched;
        k++;
    }
    hist_event *x = eng_ev(e, EV_PREAD, t->session, t->cc.id);
    if (x) {
        hist_set_table(e->h, x, tb->name);
        /* The predicate and its canonical text, both kept once per distinct predicate. */
        hist_set_pred_text(e->h, x, where ? where : &(pred){ 0, NULL });
        hist_set_rows(e->h, x, rows, k);
        x->n[0] = matched;
    }
    if (rows != small)
        free(rows);
}

/* Reads the candidates of a statement as t's scheme lets it. For a write (write true),
 * the rows that match are the ones t may write. Returns X_DONE with *out (n entries:
 * cbuf, CAND_SMALL of them, when they fit, else malloc'ed), or X_BLOCK etc. */
static int scan(acid_engine *e, acid_txn *t, st_table *tb, const pred *where, bool write,
                cand *cbuf, cand **out, int *nout)
{
    *out = NULL;
    *nout = 0;
    scalar small[PRED_IN_MAX], *keys;
    int nkeys;
    cc_scan sc = { .write = write };
    if (candidate_keys(tb, where, small, &keys, &nkeys, &sc.point))
        return X_IOERR;
    int x = e->ccops->scan_table(e->cc, &t->cc, tb, &sc);
    cand *c = nkeys <= CAND_SMALL ? cbuf : calloc((size_t)nkeys, sizeof *c);
    if (!c) {
        if (keys != small)
            free(keys);
        return X_IOERR;
    }
    int n = 0;
    /* A wait resolved inside scan_row (a deadlock's victim rolled back at once) changes rows
     * read earlier in this scan: the log grew by the victim's undo. The scan then reads its
     * candidates again, so that what it returns and records (one PREAD, one moment) is the
     * store as of its end. The locks it holds stay; the rest may park it as usual. */
    for (uint64_t logged = e->st.w.records; x == X_DONE;) {
        for (int i = 0; x == X_DONE && i < nkeys; i++) {
            x = e->ccops->scan_row(e->cc, &t->cc, tb, &sc, where, &keys[i], &c[n].row, &c[n].matched);
            if (x != X_DONE)
                break;
            c[n].key = keys[i];
            n++;
        }
        if (x != X_DONE || e->st.w.records == logged)
            break;
        logged = e->st.w.records;
        n = 0;
    }
    if (keys != small)
        free(keys);
    if (x != X_DONE) {
        if (c != cbuf)
            free(c);
        return x;
    }
    record_pread(e, t, tb, where, c, n);
    *out = c;
    *nout = n;
    return X_DONE;
}

/* --- writing --------------------------------------------------------------------------------- */

int exec_write(acid_engine *e, acid_txn *t, st_table *tb, const scalar *key, bool exists, int64_t value)
{
    st_row before;
    uint64_t version = 0;
    txn_log_begin(e, t);   /* its BEGIN record comes with its first change (txn.c) */
    int rc = e->ccops->write(e->cc, &t->cc, tb, key, exists, value, &t->last_lsn, &before, &version);
    if (rc)
        return eng_io_fail(e, rc, "write");
    txn_remember_first(t, tb->name, &before);
    hist_event *x = eng_ev(e, EV_WRITE, t->session, t->cc.id);
    if (x) {
        hist_set_table(e->h, x, tb->name);
        x->key = *key;
        x->n[0] = (int64_t)version;
        x->n[1] = exists ? value : 0;
        x->n[2] = exists;
        x->n[3] = before.exists ? (int64_t)before.version : 0;
        x->n[4] = !before.exists;
    }
    return 0;
}

bool exec_check_ok(const st_table *tb, const scalar *key, int64_t v)
{
    return !tb->check || pred_eval(tb->check, key, v);
}

/* --- statements ---------------------------------------------------------------------------- */

/* "1 row", "3 rows" */
static void rows_text(char *res, size_t rn, int n)
{
    putbuf pb = pb_make(res, rn);
    pb_i64(&pb, n);
    pb_str(&pb, n == 1 ? " row" : " rows");
    pb_end(&pb);
}

static int stmt_fail(acid_engine *e, acid_session *s, q_item *it, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int stmt_fail(acid_engine *e, acid_session *s, q_item *it, const char *code, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    eng_ev_text(e, EV_STMT_FAIL, s->no, s->txn ? s->txn->cc.id : 0, code);
    sess_set_error(s, code);
    eng_note(e, NOTE_ERROR, s->no, it->started && it->parked, it->text, "error %s: %s", code, why);
    return X_FAIL;
}

static int exec_select(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    cand cbuf[CAND_SMALL], *c;
    int n;
    int x = scan(e, t, tb, q->where, q->for_update, cbuf, &c, &n);
    if (x != X_DONE)
        return x;
    int64_t count = 0, sum = 0;
    acid_row *rows = q->sel == SEL_ROWS ? calloc((size_t)(n ? n : 1), sizeof *rows) : NULL;
    if (q->sel == SEL_ROWS && !rows) {
        cand_free(c, cbuf);
        return X_IOERR;
    }
    int nr = 0;
    for (int i = 0; i < n; i++) {
        if (!c[i].matched)
            continue;
        if (rows) {
            rows[nr].key = c[i].key;
            rows[nr].value = c[i].row.value;
        }
        nr++;
        count++;
        if (q->sel == SEL_SUM && arith_add(sum, c[i].row.value, &sum) != ARITH_OK) {
            cand_free(c, cbuf);
            free(rows);
            return stmt_fail(e, s, it, ARITH_RANGE_NAME, "integer out of range (SQLSTATE " ARITH_RANGE_SQLSTATE
                             "): SUM(%s) over %s does not fit an INT", q->sumcol, tb->name);
        }
    }
    cand_free(c, cbuf);
    if (q->sel == SEL_ROWS) {
        free(s->rows);
        s->rows = rows;
        s->nrows = nr;
        s->has_rows = true;
        acid_format_rows(rows, nr, res, rn);
    } else {
        s->number = q->sel == SEL_COUNT ? count : sum;
        s->has_number = true;
        putbuf pb = pb_make(res, rn);
        pb_i64(&pb, s->number);
        pb_end(&pb);
    }
    hist_event *x2 = eng_ev(e, EV_STMT_RETURN, s->no, t->cc.id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = nr;
        x2->n[1] = q->sel == SEL_ROWS ? 0 : s->number;
    }
    return X_DONE;
}

static int exec_update_delete(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    cand cbuf[CAND_SMALL], *c;
    int n;
    int x = scan(e, t, tb, q->where, true, cbuf, &c, &n);
    if (x != X_DONE)
        return x;
    int changed = 0;
    if (q->kind == SQL_UPDATE) {
        for (int i = 0; i < n; i++) {
            if (!c[i].matched)
                continue;
            int64_t old = c[i].row.value, nv = q->operand;
            int arc = q->upd == UPD_SET ? ARITH_OK : q->upd == UPD_ADD ? arith_add(old, q->operand, &nv)
                                                                        : arith_sub(old, q->operand, &nv);
            if (arc != ARITH_OK) {
                char k[64];
                scalar_format(&c[i].key, false, k, sizeof k);
                cand_free(c, cbuf);
                return stmt_fail(e, s, it, arith_errname(arc), "%s (SQLSTATE %s): %s/%s: %" PRId64 " %c %" PRId64
                                 " does not fit an INT; the statement changed nothing%s", arith_strerror(arc),
                                 arith_sqlstate(arc), tb->name, k, old, q->upd == UPD_ADD ? '+' : '-', q->operand,
                                 t->autocommit ? "" : " and the transaction stays open");
            }
            if (!exec_check_ok(tb, &c[i].key, nv)) {
                char k[64], chk[256];
                scalar_format(&c[i].key, false, k, sizeof k);
                pred_format(tb->check, chk, sizeof chk);
                cand_free(c, cbuf);
                return stmt_fail(e, s, it, "check", "CHECK (%s) fails for %s/%s: %" PRId64 " would become %" PRId64
                                 "; the statement changed nothing%s",
                                 chk, tb->name, k, old, nv, t->autocommit ? "" : " and the transaction stays open");
            }
            c[i].row.value = nv;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!c[i].matched)
            continue;
        if (exec_write(e, t, tb, &c[i].key, q->kind == SQL_UPDATE, c[i].row.value)) {
            cand_free(c, cbuf);
            return X_IOERR;
        }
        changed++;
    }
    cand_free(c, cbuf);
    rows_text(res, rn, changed);
    hist_event *x2 = eng_ev(e, EV_STMT_RETURN, s->no, t->cc.id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = changed;
    }
    return X_DONE;
}

static int exec_insert(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    int x = e->ccops->insert_begin(e->cc, &t->cc, tb, q->rows, q->nrows);
    if (x != X_DONE)
        return x;
    char k[64];
    for (int i = 0; i < q->nrows; i++) {
        const sql_row *r = &q->rows[i];
        scalar_format(&r->key, false, k, sizeof k);
        st_row row;
        if (e->ccops->row_latest(e->cc, &t->cc, tb, &r->key, &row) != CC_OK)
            return X_IOERR;
        bool dup = row.exists;
        /* The INSERT observed that row (under its X lock: committed, or t's own): a read of
         * it, so the checker counts its dependencies (history.h, READ). */
        hist_event *rd = dup ? eng_ev(e, EV_READ, s->no, t->cc.id) : NULL;
        if (rd) {
            hist_set_table(e->h, rd, tb->name);
            rd->key = r->key;
            rd->n[0] = (int64_t)row.version;
            rd->n[1] = row.value;
            rd->n[2] = 1;
        }
        for (int j = 0; j < i && !dup; j++)
            dup = scalar_eq(&q->rows[j].key, &r->key);
        if (dup)
            return stmt_fail(e, s, it, "duplicate", "%s already has a row with %s = %s; nothing was inserted%s",
                             tb->name, tb->keycol, k, t->autocommit ? "" : " and the transaction stays open");
        if (!exec_check_ok(tb, &r->key, r->value)) {
            char chk[256];
            pred_format(tb->check, chk, sizeof chk);
            return stmt_fail(e, s, it, "check", "CHECK (%s) fails for %s = %" PRId64 " (key %s); nothing was inserted%s",
                             chk, tb->valcol, r->value, k, t->autocommit ? "" : " and the transaction stays open");
        }
    }
    if (tb->nents + (size_t)q->nrows > STORE_ROWS_MAX)
        return stmt_fail(e, s, it, "table-full", "%s holds at most %d rows; nothing was inserted%s", tb->name,
                         STORE_ROWS_MAX, t->autocommit ? "" : " and the transaction stays open");
    for (int i = 0; i < q->nrows; i++)
        if (exec_write(e, t, tb, &q->rows[i].key, true, q->rows[i].value))
            return X_IOERR;
    rows_text(res, rn, q->nrows);
    hist_event *x2 = eng_ev(e, EV_STMT_RETURN, s->no, t->cc.id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = q->nrows;
    }
    return X_DONE;
}

/* The scheme rolls back txn (a deadlock's victim): what its session was waiting on fails,
 * the rest of its queue is skipped, then its changes are undone. */
int exec_abort(void *engine, uint64_t txn, const char *code, const char *why)
{
    acid_engine *e = engine;
    acid_session *s = sess_of_txn(e, txn);
    if (!s)
        return 0;
    sess_fail_queue(e, s, code, why);
    return txn_rollback(e, s->txn, code);
}

/* "waits for group commit (1 of 2 commits pending)" */
static void group_wait_text(const acid_engine *e, char *why, size_t n, const char *before, const char *what)
{
    putbuf pb = pb_make(why, n);
    if (before)
        pb_mem(&pb, before, strnlen(before, 300));
    pb_str(&pb, what);
    pb_i64(&pb, e->ngroup);
    pb_str(&pb, " of ");
    pb_i64(&pb, e->group_n);
    pb_str(&pb, before ? " pending)" : " commits pending)");
    pb_end(&pb);
}

/* Runs the statement at the head of s's queue. */
int exec_item(acid_engine *e, acid_session *s, q_item *it)
{
    sql_stmt *q = &it->stmt;
    bool resumed = it->started;
    char res[ACID_RESULT_MAX];
    res[0] = 0;
    if (!it->started) {
        it->started = true;
        eng_ev_text(e, EV_STMT_INVOKE, s->no, s->txn ? s->txn->cc.id : 0, it->text);
    } else {
        eng_ev_text(e, EV_STMT_RESUME, s->no, s->txn ? s->txn->cc.id : 0, it->text);
    }
    acid_txn *t = s->txn;
    switch (q->kind) {
    case SQL_BEGIN:
        if (t)
            return stmt_fail(e, s, it, "already-active", "T%d already has an open transaction; COMMIT or ROLLBACK it first", s->no);
        t = txn_begin(e, s->no, q->level ? q->level : s->level, false);
        if (!t)
            return X_IOERR;
        sess_set_error(s, "");
        eng_note(e, NOTE_RESULT, s->no, resumed, it->text, "ok (%s)", iso_name(t->cc.level));
        eng_ev_text(e, EV_STMT_RETURN, s->no, t->cc.id, "ok");
        return X_DONE;
    case SQL_SET_LEVEL:
        s->level = q->level;
        sess_set_error(s, "");
        eng_note(e, NOTE_RESULT, s->no, resumed, it->text, "ok: T%d's next transactions run at %s%s", s->no,
                 iso_name(q->level), t ? " (the open one keeps its level)" : "");
        eng_ev_text(e, EV_STMT_RETURN, s->no, t ? t->cc.id : 0, "ok");
        return X_DONE;
    case SQL_COMMIT:
    case SQL_ROLLBACK:
        if (!t)
            return stmt_fail(e, s, it, "no-transaction", "T%d has no open transaction; nothing changed", s->no);
        if (q->kind == SQL_ROLLBACK) {
            if (txn_rollback(e, t, "rollback"))
                return X_IOERR;
            sess_set_error(s, "");
            eng_note(e, NOTE_RESULT, s->no, resumed, it->text, "rolled back");
            eng_ev_text(e, EV_STMT_RETURN, s->no, 0, "rolled back");
            return X_DONE;
        }
        if (t->committing) {
            return X_BLOCK;   /* still waiting for its group */
        } else {
            int x = txn_commit(e, t);
            if (x == X_BLOCK) {
                char why[128];
                group_wait_text(e, why, sizeof why, NULL, "waits for group commit (");
                eng_ev_text(e, EV_STMT_BLOCK, s->no, t->cc.id, why);
                eng_note_cat(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: ", why);
                return X_BLOCK;
            }
            if (x != X_DONE)
                return x;
            sess_set_error(s, "");
            eng_note_cat(e, NOTE_RESULT, s->no, resumed, it->text, "committed", NULL);
            eng_ev_text(e, EV_STMT_RETURN, s->no, 0, "committed");
            return X_DONE;
        }
    default:
        break;
    }

    /* A data statement: in the open transaction, or in its own (autocommit). */
    if (it->commit_phase)
        return X_BLOCK;
    if (!t) {
        t = txn_begin(e, s->no, s->level, true);
        if (!t)
            return X_IOERR;
    }
    int x;
    e->ccops->stmt_begin(e->cc, &t->cc);
    switch (q->kind) {
    case SQL_SELECT: x = exec_select(e, s, t, it, res, sizeof res); break;
    case SQL_INSERT: x = exec_insert(e, s, t, it, res, sizeof res); break;
    default: x = exec_update_delete(e, s, t, it, res, sizeof res); break;
    }
    if (x == X_BLOCK) {
        char why[512];
        e->ccops->stmt_end(e->cc, &t->cc);
        e->ccops->describe_wait(e->cc, t->cc.id, why, sizeof why);
        eng_ev_text(e, EV_STMT_BLOCK, s->no, t->cc.id, why);
        eng_note(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: %s", why);
        return X_BLOCK;
    }
    e->ccops->stmt_end(e->cc, s->txn ? &s->txn->cc : NULL);
    if (x == X_ABORTED || x == X_IOERR)
        return x;
    if (x == X_FAIL) {
        if (t->autocommit && s->txn == t && txn_rollback(e, t, "error"))
            return X_IOERR;
        return X_FAIL;
    }
    sess_set_error(s, "");
    if (!t->autocommit) {
        eng_note_cat(e, NOTE_RESULT, s->no, resumed, it->text, res, NULL);
        return X_DONE;
    }
    x = txn_commit(e, t);
    if (x == X_BLOCK) {
        it->commit_phase = true;
        char why[512];
        group_wait_text(e, why, sizeof why, res, "; autocommit waits for group commit (");
        eng_ev_text(e, EV_STMT_BLOCK, s->no, t->cc.id, why);
        eng_note_cat(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: ", why);
        return X_BLOCK;
    }
    if (x != X_DONE)
        return x;
    eng_note_cat(e, NOTE_RESULT, s->no, resumed, it->text, res, " (autocommit: committed)");
    return X_DONE;
}
