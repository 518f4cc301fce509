/*
 * trace.c: what the trace modules share: the error convention, freeing a trace, the
 * catalog's tables and predicates, the names of the sync modes. See trace.h; writing is
 * write.c, reading read.c, making a trace from a run export.c.
 */
#include "trace.h"
#include "acid/sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int trace_fail(trace_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
        err->version = false;
    }
    return code;
}

void trace_free(trace *t)
{
    if (!t)
        return;
    free(t->lab_version);
    free(t->created);
    free(t->lesson);
    free(t->lesson_hash);
    free(t->learner);
    free(t->unreplayable_reason);
    for (int i = 0; i < t->ntables; i++) {
        free(t->tables[i].name);
        free(t->tables[i].key_column);
        free(t->tables[i].value_column);
        free(t->tables[i].check);
    }
    free(t->tables);
    for (int i = 0; i < t->nlines; i++)
        free(t->lines[i].text);
    free(t->lines);
    if (t->own_hist)
        hist_free(t->h);
    finding_list_free(&t->findings);
    for (int i = 0; i < t->nexpects; i++) {
        free(t->expects[i].text);
        free(t->expects[i].why);
    }
    free(t->expects);
    memset(t, 0, sizeof *t);
}

const trace_table *trace_table_named(const trace *t, const char *name)
{
    for (int i = 0; i < t->ntables; i++)
        if (strcmp(t->tables[i].name, name) == 0)
            return &t->tables[i];
    return NULL;
}

pred *trace_pred_parse(const char *text, const trace_table *tb, char *why, size_t n)
{
    if (!text[0]) {
        pred *p = pred_new();
        if (!p)
            snprintf(why, n, "out of memory");
        return p;
    }
    static const char prefix[] = "SELECT * FROM t WHERE ";
    size_t len = strlen(text);
    char *sql = malloc(sizeof prefix + len);
    if (!sql) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    memcpy(sql, prefix, sizeof prefix - 1);
    memcpy(sql + sizeof prefix - 1, text, len + 1);
    sql_stmt st;
    sql_error se;
    pred *p = NULL;
    if (strpbrk(text, ";#\r\n")) {
        snprintf(why, n, "not a predicate: \"%.60s\"", text);
    } else if (sql_parse(sql, 1, 1, &st, &se) != 0) {
        int col = se.col - (int)(sizeof prefix - 1);
        snprintf(why, n, "not a predicate: %s (at column %d of \"%.60s\")", se.msg, col > 0 ? col : 1, text);
    } else {
        if (st.kind != SQL_SELECT || !st.where || st.for_update) {
            snprintf(why, n, "not a predicate: \"%.60s\"", text);
        } else {
            int bad_term = pred_resolve(st.where, tb->key_column, tb->value_column);
            if (bad_term >= 0)
                snprintf(why, n, "\"%s\" is not a column of %s (%s, %s)", st.where->terms[bad_term].col, tb->name,
                         tb->key_column, tb->value_column);
            else
                p = pred_clone(st.where);
            if (bad_term < 0 && !p)
                snprintf(why, n, "out of memory");
        }
        sql_free(&st);
    }
    free(sql);
    return p;
}

const char *trace_sync_name(acid_sync s)
{
    return s == SYNC_OFF ? "off" : s == SYNC_GROUP ? "group" : "full";
}

