/*
 * setup.c: statements checked against the catalog (acid_validate: tables, columns, key
 * types, with the line and column to point at), and `setup:` lines (acid_setup): CREATE
 * TABLE, and INSERT, UPDATE and DELETE each run at once in its own committed transaction,
 * outside the history, since setup is the checkers' initial state.
 *
 * Not here: running statements in sessions (exec.c).
 */
#include "engine_int.h"
#include "common/arith.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int vfail(char *msg, size_t n, int *line, int *col, sql_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    *line = pos.line;
    *col = pos.col;
    return -1;
}

static int check_pred(st_table *tb, pred *p, char *msg, size_t n, int *line, int *col)
{
    if (!p)
        return 0;
    int bad = pred_resolve(p, tb->keycol, tb->valcol);
    if (bad >= 0)
        return vfail(msg, n, line, col, (sql_pos){ p->terms[bad].col_line, p->terms[bad].col_col },
                     "unknown column '%s' in table %s (its columns are %s and %s)", p->terms[bad].col,
                     tb->name, tb->keycol, tb->valcol);
    for (int i = 0; i < p->nterms; i++) {
        pred_term *t = &p->terms[i];
        scalar_type want = t->field == PF_KEY ? tb->keytype : SC_INT;
        sql_pos lp = { t->lit_line, t->lit_col };
        if (t->kind == PT_MOD && want != SC_INT)
            return vfail(msg, n, line, col, (sql_pos){ t->col_line, t->col_col },
                         "%% needs an INT column; %s is TEXT", t->col);
        if (t->kind == PT_CMP && t->lit.type != want)
            return vfail(msg, n, line, col, lp, "%s is %s, so compare it with %s", t->col,
                         want == SC_INT ? "INT" : "TEXT", want == SC_INT ? "an integer" : "a quoted text like 'A'");
        for (int j = 0; t->kind == PT_IN && j < t->nin; j++)
            if (t->in[j].type != want)
                return vfail(msg, n, line, col, lp, "%s is %s, but the IN list has a %s", t->col,
                             want == SC_INT ? "INT" : "TEXT", want == SC_INT ? "text" : "number");
    }
    return 0;
}

int acid_validate(acid_engine *e, const sql_stmt *cs, char *msg, size_t n, int *line, int *col)
{
    sql_stmt *s = (sql_stmt *)cs;
    switch (s->kind) {
    case SQL_BEGIN: case SQL_SET_LEVEL: case SQL_COMMIT: case SQL_ROLLBACK:
        return 0;
    case SQL_CREATE: {
        st_table *tb = store_table(&e->st, s->table);
        if (tb && !s->if_not_exists)
            return vfail(msg, n, line, col, s->table_pos, "table %s already exists (use CREATE TABLE IF NOT EXISTS)", s->table);
        if (!strcasecmp(s->keycol, s->valcol))
            return vfail(msg, n, line, col, s->table_pos, "the two columns need different names");
        return 0;
    }
    default:
        break;
    }
    st_table *tb = store_table(&e->st, s->table);
    if (!tb) {
        char known[512] = "";
        size_t o = 0;
        for (int i = 0; i < e->st.ntables && o < sizeof known; i++)
            o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", e->st.tables[i]->name);
        return vfail(msg, n, line, col, s->table_pos, "unknown table '%s'%s%s", s->table,
                     o ? "; tables: " : " (no table exists yet; create one with setup: CREATE TABLE ...)", known);
    }
    if (check_pred(tb, s->where, msg, n, line, col))
        return -1;
    if (s->kind == SQL_SELECT && s->sel == SEL_SUM && strcasecmp(s->sumcol, tb->valcol) != 0)
        return vfail(msg, n, line, col, s->sumcol_pos, "SUM needs the INT column %s, not '%s'", tb->valcol, s->sumcol);
    if (s->kind == SQL_UPDATE) {
        if (strcasecmp(s->setcol, tb->valcol) != 0)
            return vfail(msg, n, line, col, s->setcol_pos, "%s; only %s can be updated",
                         !strcasecmp(s->setcol, tb->keycol) ? "the primary key cannot change" : "unknown column",
                         tb->valcol);
        if (s->setsrc[0] && strcasecmp(s->setsrc, tb->valcol) != 0)
            return vfail(msg, n, line, col, s->setsrc_pos, "expected %s on the right of SET %s = ..., found '%s'",
                         tb->valcol, tb->valcol, s->setsrc);
    }
    if (s->kind == SQL_INSERT) {
        if (s->ncols == 2 && (strcasecmp(s->cols[0], tb->keycol) || strcasecmp(s->cols[1], tb->valcol)))
            return vfail(msg, n, line, col, s->col_pos[strcasecmp(s->cols[0], tb->keycol) ? 0 : 1],
                         "the columns of %s are (%s, %s), in that order", tb->name, tb->keycol, tb->valcol);
        for (int i = 0; i < s->nrows; i++)
            if (s->rows[i].key.type != tb->keytype)
                return vfail(msg, n, line, col, s->rows[i].key_pos, "%s.%s is %s: give %s", tb->name, tb->keycol,
                             tb->keytype == SC_INT ? "INT" : "TEXT",
                             tb->keytype == SC_INT ? "an integer" : "a quoted text like 'A'");
    }
    return 0;
}

int setup_run(acid_engine *e, const sql_stmt *s, char *msg, size_t n)
{
    if (s->kind == SQL_CREATE) {
        if (store_table(&e->st, s->table))
            return 0;   /* IF NOT EXISTS (validated before) */
        st_table *tb;
        int rc = store_create_table(&e->st, s, &tb);
        if (rc) {
            eng_io_fail(e, rc, "create table");
            snprintf(msg, n, "%s", e->err);
            return -1;
        }
        return 0;
    }
    if (s->kind != SQL_INSERT && s->kind != SQL_UPDATE && s->kind != SQL_DELETE) {
        snprintf(msg, n, "setup takes CREATE TABLE, INSERT, UPDATE and DELETE; sessions run the rest");
        return -1;
    }
    /* Outside the history: setup is the initial state. */
    hist *h = e->h;
    hist *quiet = hist_new();
    e->h = quiet;
    e->st.h = quiet;
    e->st.w.h = quiet;
    e->st.bp.h = quiet;
    wal_observer observe = e->st.w.observe;   /* nor in the log tail the screen shows */
    e->st.w.observe = NULL;
    acid_txn *t = txn_begin(e, 0, ISO_SER, true);
    int rc = -1;
    if (t) {
        st_table *tb = store_table(&e->st, s->table);
        rc = 0;
        if (s->kind == SQL_INSERT && tb->nents + (size_t)s->nrows > STORE_ROWS_MAX) {
            snprintf(msg, n, "%s holds at most %d rows", tb->name, STORE_ROWS_MAX);
            rc = -1;
        } else if (s->kind == SQL_INSERT) {
            for (int i = 0; i < s->nrows && !rc; i++) {
                st_row row;
                rc = store_read(&e->st, tb, &s->rows[i].key, &row);
                char k[64];
                scalar_format(&s->rows[i].key, false, k, sizeof k);
                if (!rc && row.exists) {
                    snprintf(msg, n, "duplicate key %s in %s", k, tb->name);
                    rc = -1;
                } else if (!rc && !exec_check_ok(tb, &s->rows[i].key, s->rows[i].value)) {
                    snprintf(msg, n, "row %s = %" PRId64 " violates the CHECK of %s", k, s->rows[i].value, tb->name);
                    rc = -1;
                } else if (!rc) {
                    rc = exec_write(e, t, tb, &s->rows[i].key, true, s->rows[i].value);
                }
            }
        } else {
            pred *w = s->where;
            for (size_t i = 0; i < tb->nents && !rc; i++) {
                st_row row;
                scalar key = tb->ents[i].key;
                rc = store_read(&e->st, tb, &key, &row);
                if (rc || !row.exists || !pred_eval(w, &key, row.value))
                    continue;
                int64_t nv = s->operand;
                int arc = s->upd == UPD_SET ? ARITH_OK : s->upd == UPD_ADD ? arith_add(row.value, s->operand, &nv)
                                                                            : arith_sub(row.value, s->operand, &nv);
                if (s->kind == SQL_UPDATE && arc != ARITH_OK) {
                    snprintf(msg, n, "%s (SQLSTATE %s) updating %s", arith_strerror(arc), arith_sqlstate(arc), tb->name);
                    rc = -1;
                    break;
                }
                if (s->kind == SQL_UPDATE && !exec_check_ok(tb, &key, nv)) {
                    snprintf(msg, n, "the update violates the CHECK of %s", tb->name);
                    rc = -1;
                    break;
                }
                rc = exec_write(e, t, tb, &key, s->kind == SQL_UPDATE, nv);
            }
        }
        /* On an I/O error the transaction is dropped here (no session holds it for a
         * crash to end); what reached the log is recovery's to sort out. */
        if (rc) {
            if (!msg[0])
                snprintf(msg, n, "%s", e->err);
            if (txn_rollback(e, t, "error"))
                txn_finish(e, t, AS_ABORTED);
        } else if (txn_commit_as(e, t, SYNC_FULL) != X_DONE) {   /* never in a group */
            snprintf(msg, n, "%s", e->err);
            txn_finish(e, t, AS_ABORTED);
            rc = -1;
        }
        /* Setup is durable whatever the sync policy, like DDL (a rolled back one too). */
        int frc;
        if (!rc && (frc = wal_flush(&e->st.w)) != 0) {
            eng_io_fail(e, frc, "setup");
            snprintf(msg, n, "%s", e->err);
            rc = -1;
        }
    }
    e->h = h;
    e->st.h = h;
    e->st.w.h = h;
    e->st.bp.h = h;
    e->st.w.observe = observe;
    hist_free(quiet);
    return rc;
}
