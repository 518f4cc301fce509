/*
 * export.c: a finished run as a trace. See export.h.
 */
#include "export.h"
#include "acid/view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

/* The creation time: now, or SOURCE_DATE_EPOCH when set (reproducible builds' convention). */
static void now_utc(char *buf, size_t n)
{
    time_t now = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!*end && !errno && v >= 0)
            now = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int trace_export(runner *r, const char *lesson, const char *learner, trace *out, trace_err *err)
{
    memset(out, 0, sizeof *out);
    runner_settings rs = runner_settings_of(r);
    char created[32];
    now_utc(created, sizeof created);
    out->lab_version = strdup(ACIDBASE_VERSION);
    out->created = strdup(created);
    out->seed = rs.seed;
    out->replayable = rs.fresh;
    if (!rs.fresh)
        out->unreplayable_reason = strdup("the run started on a database that already existed (--dir); "
                                          "a replay starts from an empty one, so it cannot reproduce this run");
    out->settings = (trace_settings){ .fresh_database = rs.fresh, .kept_database = rs.kept,
                                      .real_sync = rs.real_sync, .sync_group = rs.sync_group,
                                      .frames = rs.frames, .base_seed = rs.base_seed };
    snprintf(out->settings.sync, sizeof out->settings.sync, "%s", trace_sync_name(rs.sync));
    bool ok = out->lab_version && out->created && (rs.fresh || out->unreplayable_reason);

    int ntables = acid_view_ntables(runner_acid(r));
    out->tables = calloc((size_t)ntables + 1, sizeof *out->tables);
    ok = ok && out->tables;
    for (int i = 0; ok && i < ntables; i++) {
        acid_view_table vt, *tb = &vt;
        acid_view_table_at(runner_acid(r), i, &vt);
        trace_table *x = &out->tables[i];
        out->ntables = i + 1;
        x->name = strdup(tb->name);
        x->key_column = strdup(tb->keycol);
        x->value_column = strdup(tb->valcol);
        x->key_type = tb->keytype == SC_TEXT ? SC_TEXT : SC_INT;
        ok = x->name && x->key_column && x->value_column;
        if (ok && tb->check) {
            char c[2048];
            pred_format(tb->check, c, sizeof c);
            x->check = strdup(c);
            ok = x->check != NULL;
        }
    }

    const runner_rec_line *lines;
    const runner_rec_expect *ex;
    int nlines, nex;
    runner_lines(r, &lines, &nlines);
    runner_expects(r, &ex, &nex);
    out->lines = ok ? calloc((size_t)nlines + 1, sizeof *out->lines) : NULL;
    ok = ok && out->lines;
    for (int i = 0; ok && i < nlines; i++) {
        out->nlines = i + 1;
        out->lines[i] = (trace_line){ lines[i].line, strdup(lines[i].text) };
        ok = out->lines[i].text != NULL;
    }
    out->expects = ok ? calloc((size_t)nex + 1, sizeof *out->expects) : NULL;
    ok = ok && out->expects;
    for (int i = 0; ok && i < nex; i++) {
        out->nexpects = i + 1;
        out->expects[i] = (trace_expect){ ex[i].line, strdup(ex[i].text), ex[i].ok, strdup(ex[i].why) };
        ok = out->expects[i].text && out->expects[i].why;
    }
    out->h = runner_history(r);
    out->own_hist = false;
    const finding_list *found = ok ? runner_findings(r) : NULL;
    ok = found != NULL;
    for (int i = 0; ok && i < found->n; i++)
        ok = finding_list_add(&out->findings, &found->v[i]) == 0;
    if (ok && lesson)
        ok = (out->lesson = strdup(lesson)) != NULL;
    if (ok && learner)
        ok = (out->learner = strdup(learner)) != NULL;
    if (!ok) {
        trace_free(out);
        return trace_fail(err, TRACE_NOMEM, "out of memory making a trace");
    }
    return TRACE_OK;
}

int trace_export_file(runner *r, const char *lesson, const char *learner, const char *path, trace_err *err)
{
    return trace_export_lesson_file(r, lesson, NULL, learner, path, err);
}

int trace_export_lesson_file(runner *r, const char *lesson, const char *lesson_hash, const char *learner,
                             const char *path, trace_err *err)
{
    trace t;
    int rc = trace_export(r, lesson, learner, &t, err);
    if (rc)
        return rc;
    if (lesson && lesson_hash && lesson_hash[0] && !(t.lesson_hash = strdup(lesson_hash))) {
        trace_free(&t);
        return trace_fail(err, TRACE_NOMEM, "out of memory making a trace");
    }
    rc = trace_write(&t, path, err);
    trace_free(&t);
    return rc;
}
