/*
 * acidctl.c: ACID lines of a scenario, run on the engine. See acidctl.h.
 *
 * The engine reports each statement outcome and engine action as a note (engine.h); the
 * note callback turns it into a transcript record for the sink of the line being run.
 * Notes only come during a call into the engine, so the sink in force is always the one
 * acidctl_line was given.
 */
#include "acidctl.h"
#include "acid/view.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acidctl {
    acid_engine *e;
    acid_sync sync;
    int sync_group;
    const run_sink *out;   /* during acidctl_line */
    int line;              /* the line being run */
    bool ioerr;            /* an engine note said "I/O error" during the line */
};

static void on_note(void *arg, const acid_note *n)
{
    acidctl *c = arg;
    if (n->kind == NOTE_ENGINE) {
        /* The engine says so in words only; the transcript has the words already. */
        if (strncmp(n->msg, "I/O error", 9) == 0)
            c->ioerr = true;
        run_emit(c->out, &(run_record){ .kind = REC_EVENT, .side = RS_ACID, .line = c->line, .text = n->msg });
        return;
    }
    run_outcome oc = n->kind == NOTE_RESULT ? RO_OK
                   : n->kind == NOTE_BLOCKED || n->kind == NOTE_QUEUED ? RO_WAIT : RO_FAIL;
    run_record r = { .kind = REC_STATEMENT, .outcome = oc, .side = RS_ACID, .line = c->line,
                     .session = n->session, .how = n->resumed ? RH_RESUMED : n->queued ? RH_QUEUED : RH_NOW,
                     .text = n->stmt ? n->stmt : "", .result = n->msg };
    run_emit(c->out, &r);
}

acidctl *acidctl_new(const char *dir, bool real_sync, hist *h, const run_sink *out, char *err, size_t n)
{
    acidctl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    c->sync = SYNC_FULL;
    c->sync_group = 1;
    acid_options ao = { .dir = dir, .frames = 0, .real_sync = real_sync };
    c->out = out;
    c->e = acid_open(&ao, h, on_note, c, err, n);
    c->out = NULL;
    if (!c->e) {
        free(c);
        return NULL;
    }
    return c;
}

void acidctl_free(acidctl *c)
{
    if (!c)
        return;
    acid_close(c->e);
    free(c);
}

acid_engine *acidctl_engine(acidctl *c) { return c->e; }

acid_sync acidctl_sync(const acidctl *c, int *group)
{
    *group = c->sync_group;
    return c->sync;
}

int acidctl_frames(acidctl *c)
{
    acid_view_pool pool;
    acid_view_pool_state(c->e, &pool);
    return pool.nframes;
}

static int invalid(char *msg, size_t n, int *line, int *col, int at_line, int at_col, const char *text)
{
    snprintf(msg, n, "%s", text);
    *line = at_line;
    *col = at_col;
    return ACIDCTL_INVALID;
}

static int engine_directive(acidctl *c, const scn_line *l, char *msg, size_t n)
{
    int rc = 0;
    run_emit(c->out, &(run_record){ .kind = REC_DIRECTIVE, .side = RS_ACID, .line = l->line, .text = l->text });
    switch (l->eng) {
    case ENG_SYNC_FULL: rc = acid_set_sync(c->e, c->sync = SYNC_FULL, c->sync_group = 1); break;
    case ENG_SYNC_OFF: rc = acid_set_sync(c->e, c->sync = SYNC_OFF, c->sync_group = 1); break;
    case ENG_SYNC_GROUP: rc = acid_set_sync(c->e, c->sync = SYNC_GROUP, c->sync_group = l->eng_n); break;
    case ENG_FLUSH: rc = acid_flush(c->e); break;
    case ENG_CHECKPOINT: rc = acid_checkpoint(c->e); break;
    case ENG_EVICT: rc = acid_evict(c->e); break;
    case ENG_CRASH: rc = acid_crash(c->e, false); break;
    case ENG_CRASH_TORN: rc = acid_crash(c->e, true); break;
    case ENG_FRAMES: rc = acid_set_frames(c->e, l->eng_n); break;
    }
    if (rc) {
        snprintf(msg, n, "engine: %s", acid_error(c->e));
        return ACIDCTL_IOERR;
    }
    return ACIDCTL_OK;
}

int acidctl_line(acidctl *c, scn_line *l, const run_sink *out, char *msg, size_t n, int *line, int *col)
{
    int rc = ACIDCTL_OK;
    int eline = l->line, ecol = l->col;
    char m[512] = "";
    c->out = out;
    c->line = l->line;
    c->ioerr = false;
    msg[0] = 0;
    switch (l->kind) {
    case SL_SETUP:
        if (acid_validate(c->e, &l->sql, m, sizeof m, &eline, &ecol)) {
            rc = invalid(msg, n, line, col, eline, ecol, m);
            break;
        }
        if (l->sql.kind != SQL_CREATE && l->sql.kind != SQL_INSERT && l->sql.kind != SQL_UPDATE &&
            l->sql.kind != SQL_DELETE) {
            rc = invalid(msg, n, line, col, l->sql.pos.line, l->sql.pos.col,
                         "setup takes CREATE TABLE, INSERT, UPDATE and DELETE; give other statements to a session (T1: ...)");
            break;
        }
        if (acid_setup(c->e, &l->sql, m, sizeof m)) {
            char why[600];
            snprintf(why, sizeof why, "setup failed: %s", m);
            rc = invalid(msg, n, line, col, l->sql.pos.line, l->sql.pos.col, why);
            break;
        }
        run_emit(out, &(run_record){ .kind = REC_RESULT, .outcome = RO_OK, .side = RS_ACID, .line = l->line,
                                     .text = l->text, .result = "ok" });
        break;
    case SL_SQL:
        if (l->sql.kind == SQL_CREATE) {
            rc = invalid(msg, n, line, col, l->sql.pos.line, l->sql.pos.col,
                         "CREATE TABLE belongs in setup: (setup: CREATE TABLE ...), not in a session");
            break;
        }
        if (acid_validate(c->e, &l->sql, m, sizeof m, &eline, &ecol)) {
            rc = invalid(msg, n, line, col, eline, ecol, m);
            break;
        }
        /* The engine takes the statement (the parse is the caller's; it is left empty). */
        acid_submit(c->e, l->session, &l->sql);
        break;
    case SL_ENGINE:
        rc = engine_directive(c, l, msg, n);
        break;
    default:
        rc = invalid(msg, n, line, col, l->line, l->col, "not an ACID line");
        break;
    }
    if (rc == ACIDCTL_OK && c->ioerr)
        rc = ACIDCTL_IOERR;   /* msg "": the transcript said it (the engine's event) */
    c->out = NULL;
    return rc;
}

/* --- expectations ------------------------------------------------------------------------ */

bool acidctl_expects(scn_expect_kind k)
{
    switch (k) {
    case EX_LEVEL: case EX_STATE: case EX_ROWS: case EX_VALUE: case EX_ERROR: case EX_TABLE: case EX_DEADLOCK:
        return true;
    default:
        return false;
    }
}

/* Same rows, as sets (expected keys are written as text). */
static bool rows_equal(const acid_row *got, int n, const scn_row *want, int m)
{
    if (n != m)
        return false;
    char k[64];
    for (int i = 0; i < m; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++) {
            scalar_format(&got[j].key, false, k, sizeof k);
            found = strcmp(k, want[i].key) == 0 && got[j].value == want[i].value;
        }
        if (!found)
            return false;
    }
    return true;
}

static const char *state_name(acid_state s)
{
    switch (s) {
    case AS_IDLE: return "idle";
    case AS_ACTIVE: return "active";
    case AS_BLOCKED: return "blocked";
    case AS_COMMITTED: return "committed";
    case AS_ABORTED: return "aborted";
    }
    return "?";
}

static void normalize_word(const char *in, char *outw, size_t n)
{
    size_t k = 0;
    for (; *in && k + 1 < n; in++)
        outw[k++] = *in == ' ' || *in == '_' ? '-' : (char)tolower((unsigned char)*in);
    outw[k] = 0;
}

int acidctl_expect(acidctl *c, const scn_line *l, char *why, size_t whyn)
{
    const scn_expect *x = &l->ex;
    acid_engine *e = c->e;
    bool ok = false;
    why[0] = 0;
    switch (x->kind) {
    case EX_LEVEL: {
        iso_level lv = acid_session_level(e, x->session);
        ok = (int64_t)lv == x->value;
        if (!ok)
            snprintf(why, whyn, "T%d is at %s", x->session, iso_name(lv));
        break;
    }
    case EX_STATE: {
        acid_state st = acid_session_state(e, x->session);
        ok = (int)st == (int)x->state;
        if (!ok)
            snprintf(why, whyn, "T%d is %s", x->session, state_name(st));
        break;
    }
    case EX_ROWS: {
        const acid_row *rows;
        int n;
        if (!acid_session_rows(e, x->session, &rows, &n)) {
            snprintf(why, whyn, "T%d has not completed a SELECT", x->session);
            break;
        }
        ok = rows_equal(rows, n, x->rows, x->nrows);
        if (!ok) {
            char got[4096];
            acid_format_rows(rows, n, got, sizeof got);
            snprintf(why, whyn, "T%d's latest SELECT returned %s", x->session, got);
        }
        break;
    }
    case EX_VALUE: {
        int64_t v;
        if (!acid_session_number(e, x->session, &v)) {
            snprintf(why, whyn, "T%d has not completed a COUNT or SUM", x->session);
            break;
        }
        ok = v == x->value;
        if (!ok)
            snprintf(why, whyn, "T%d's latest COUNT/SUM was %" PRId64, x->session, v);
        break;
    }
    case EX_ERROR: {
        char want[64], got[64];
        normalize_word(x->word, want, sizeof want);
        normalize_word(acid_session_error(e, x->session), got, sizeof got);
        ok = strcmp(want, got) == 0;
        if (!ok)
            snprintf(why, whyn, got[0] ? "T%d's latest statement failed with %s" :
                                         "T%d's latest statement did not fail%s", x->session, got);
        break;
    }
    case EX_TABLE: {
        acid_row *rows;
        int n;
        if (!acid_table_exists(e, x->table, NULL)) {
            snprintf(why, whyn, "unknown table '%s'", x->table);
            return ACIDCTL_INVALID;
        }
        if (acid_committed_rows(e, x->table, &rows, &n)) {
            snprintf(why, whyn, "reading table %s: %s", x->table, acid_error(e));
            return ACIDCTL_IOERR;
        }
        ok = rows_equal(rows, n, x->rows, x->nrows);
        if (!ok) {
            char got[4096];
            acid_format_rows(rows, n, got, sizeof got);
            snprintf(why, whyn, "table %s is %s (committed)", x->table, got);
        }
        free(rows);
        break;
    }
    case EX_DEADLOCK:
        ok = acid_deadlocks(e) > 0;
        if (!ok)
            snprintf(why, whyn, "no deadlock has been detected");
        break;
    default:
        snprintf(why, whyn, "not an ACID expectation");
        return ACIDCTL_INVALID;
    }
    return ok ? 1 : 0;
}
