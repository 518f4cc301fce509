/*
 * acidctl.c: ACID lines of a scenario, run on the engine. See acidctl.h.
 *
 * The engine reports each statement outcome and engine action as a note (engine.h); the
 * note callback turns it into a transcript record for the sink of the line being run.
 * Notes only come during a call into the engine, so the sink in force is always the one
 * acidctl_line was given.
 */
#include "acidctl.h"
#include "acid/lock.h"   /* lock modes, as LOCK_WAIT events record them */
#include "acid/view.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acidctl {
    acid_engine *e;
    hist *h;               /* the run's history: the facts the history expectations read */
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
    c->h = h;
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
    case EX_VICTIM: case EX_RETRIED: case EX_CRASHED: case EX_OVERLAPPED: case EX_WAITED: case EX_TORN:
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

/* --- facts from the history ----------------------------------------------------------
 *
 * victim, retried, crashed, overlapped and waited are read from the history's events, not
 * from the engine's state: a trace holds the same events, so the lab, `run`, `check` and
 * `grade` (which replays them) judge these alike, and a fact once true stays true.
 */

/* One transaction as the history tells it: its session, and the events that opened and
 * ended it (seq; end 0 while open). */
typedef struct txn_fact {
    uint64_t txn;
    int session;
    uint32_t begin, end;
    bool committed;
} txn_fact;

typedef struct txn_facts { txn_fact *v; int n, cap; } txn_facts;

static txn_fact *fact_of(txn_facts *f, uint64_t txn)
{
    for (int i = f->n - 1; i >= 0; i--)
        if (f->v[i].txn == txn)
            return &f->v[i];
    return NULL;
}

/* Every transaction of the history, in the order they began. -1 when out of memory. */
static int facts_collect(const hist *h, txn_facts *f)
{
    memset(f, 0, sizeof *f);
    size_t n = hist_count(h);
    for (size_t i = 0; i < n; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->side != SIDE_ACID)
            continue;
        if (e->kind == EV_TXN_BEGIN) {
            if (f->n == f->cap) {
                int cap = f->cap ? f->cap * 2 : 32;
                txn_fact *v = realloc(f->v, (size_t)cap * sizeof *v);
                if (!v)
                    return -1;
                f->v = v;
                f->cap = cap;
            }
            f->v[f->n++] = (txn_fact){ .txn = e->txn, .session = e->session, .begin = e->seq };
        } else if (e->kind == EV_TXN_COMMIT || e->kind == EV_TXN_ABORT) {
            txn_fact *t = fact_of(f, e->txn);
            if (t && !t->end) {
                t->end = e->seq;
                t->committed = e->kind == EV_TXN_COMMIT;
            }
        } else if (e->kind == EV_TXN_LOST) {
            txn_fact *t = fact_of(f, e->txn);
            if (t)
                t->committed = false;   /* answered, then taken by the crash */
        }
    }
    return 0;
}

static int session_of(txn_facts *f, uint64_t txn)
{
    txn_fact *t = fact_of(f, txn);
    return t ? t->session : 0;
}

/* A row: a table and a key (table locks have no key and are not rows). */
typedef struct row_ref { const char *table; scalar key; } row_ref;

static bool rows_has(const row_ref *v, int n, const char *table, const scalar *key)
{
    for (int i = 0; i < n; i++)
        if (v[i].table && table && strcmp(v[i].table, table) == 0 && scalar_eq(&v[i].key, key))
            return true;
    return false;
}

/* The rows txn wrote, and with wanted also those it waited to lock exclusively. */
static int rows_of(const hist *h, uint64_t txn, bool wanted, row_ref **out, int *nout)
{
    int n = 0, cap = 0;
    row_ref *v = NULL;
    size_t ne = hist_count(h);
    for (size_t i = 0; i < ne; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->txn != txn || e->side != SIDE_ACID)
            continue;
        bool row = e->kind == EV_WRITE ||
                   (wanted && e->kind == EV_LOCK_WAIT && e->n[0] == LM_X && e->key.type != SC_NONE);
        if (!row || rows_has(v, n, e->table, &e->key))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            row_ref *nv = realloc(v, (size_t)cap * sizeof *nv);
            if (!nv) {
                free(v);
                return -1;
            }
            v = nv;
        }
        v[n++] = (row_ref){ e->table, e->key };
    }
    *out = v;
    *nout = n;
    return 0;
}

static void rows_text(const row_ref *v, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < n && o < len; i++) {
        char k[64];
        scalar_format(&v[i].key, false, k, sizeof k);
        o += (size_t)snprintf(buf + o, len - o, "%s%s/%s", i ? ", " : "", v[i].table ? v[i].table : "?", k);
    }
}

/* The sessions of the deadlocks' victims so far, "T2, T3", in order; how many. */
static int victims(const hist *h, txn_facts *f, char *buf, size_t len, int s, bool *found)
{
    size_t o = 0;
    int k = 0;
    *found = false;
    buf[0] = 0;
    size_t ne = hist_count(h);
    for (size_t i = 0; i < ne; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind != EV_DEADLOCK)
            continue;
        int vs = session_of(f, e->txn);
        *found |= vs == s;
        if (o < len)
            o += (size_t)snprintf(buf + o, len - o, "%sT%d", k ? ", " : "", vs);
        k++;
    }
    return k;
}

/* The tables txn meant to write: those it asked an IX, SIX or X table lock on. */
static bool meant_to_write(const hist *h, uint64_t txn, const char *table)
{
    size_t ne = hist_count(h);
    for (size_t i = 0; i < ne; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->txn == txn && e->kind == EV_LOCK_REQUEST && e->key.type == SC_NONE && e->table && table &&
            strcmp(e->table, table) == 0 && (e->n[0] == LM_IX || e->n[0] == LM_SIX || e->n[0] == LM_X))
            return true;
    }
    return false;
}

/* expect Ts retried: a deadlock's victim of Ts, then a later committed transaction of Ts
 * that wrote every row the victim had written or was waiting to lock exclusively; when the
 * victim was stopped before it touched a row, one that wrote a row of a table the victim
 * meant to write (or, if it meant to write none, any later committed transaction). */
static int expect_retried(acidctl *c, txn_facts *f, int s, char *why, size_t whyn)
{
    bool was_victim = false;
    char wanted_text[512] = "";
    size_t ne = hist_count(c->h);
    for (size_t i = 0; i < ne; i++) {
        const hist_event *d = hist_get(c->h, i);
        if (d->kind != EV_DEADLOCK || session_of(f, d->txn) != s)
            continue;
        was_victim = true;
        row_ref *want;
        int nwant;
        if (rows_of(c->h, d->txn, true, &want, &nwant))
            return ACIDCTL_IOERR;
        rows_text(want, nwant, wanted_text, sizeof wanted_text);
        for (int t = 0; t < f->n; t++) {
            const txn_fact *w = &f->v[t];
            if (w->session != s || !w->committed || w->begin < d->seq)
                continue;
            row_ref *got;
            int ngot;
            if (rows_of(c->h, w->txn, false, &got, &ngot)) {
                free(want);
                return ACIDCTL_IOERR;
            }
            bool all = true;
            for (int k = 0; k < nwant && all; k++)
                all = rows_has(got, ngot, want[k].table, &want[k].key);
            if (nwant == 0) {
                /* Stopped before its first row: the retry must write where it meant to. */
                bool any_table = false, wrote = false;
                size_t nev = hist_count(c->h);
                for (size_t j = 0; j < nev; j++) {
                    const hist_event *e = hist_get(c->h, j);
                    if (e->txn == d->txn && e->kind == EV_LOCK_REQUEST && e->key.type == SC_NONE &&
                        (e->n[0] == LM_IX || e->n[0] == LM_SIX || e->n[0] == LM_X))
                        any_table = true;
                }
                for (int k = 0; k < ngot && !wrote; k++)
                    wrote = meant_to_write(c->h, d->txn, got[k].table);
                all = wrote || !any_table;
            }
            free(got);
            if (all) {
                free(want);
                return 1;
            }
        }
        free(want);
    }
    if (!was_victim)
        snprintf(why, whyn, "no transaction of T%d was a deadlock's victim", s);
    else
        snprintf(why, whyn, "after its transaction was the victim, T%d committed none that wrote %s", s,
                 wanted_text[0] ? wanted_text : "the rows it was writing");
    return 0;
}

static int expect_history(acidctl *c, const scn_expect *x, char *why, size_t whyn)
{
    txn_facts f;
    if (facts_collect(c->h, &f)) {
        free(f.v);
        snprintf(why, whyn, "out of memory");
        return ACIDCTL_IOERR;
    }
    int s = x->session, held = 0;
    size_t ne = hist_count(c->h);
    switch (x->kind) {
    case EX_VICTIM: {
        char list[256];
        bool found;
        int k = victims(c->h, &f, list, sizeof list, s, &found);
        held = found;
        if (!held)
            snprintf(why, whyn, k == 0 ? "no deadlock has been detected" : k == 1 ? "the deadlock's victim was %s"
                                                                                 : "the deadlocks' victims were %s", list);
        break;
    }
    case EX_RETRIED:
        held = expect_retried(c, &f, s, why, whyn);
        break;
    case EX_CRASHED: {
        bool crash = false;
        for (size_t i = 0; i < ne && !held; i++) {
            const hist_event *e = hist_get(c->h, i);
            crash |= e->kind == EV_CRASH;
            held = e->kind == EV_TXN_ABORT && e->session == s && e->text && strcmp(e->text, "crash") == 0;
        }
        if (!held && !crash)
            snprintf(why, whyn, "the engine has not crashed");
        else if (!held)
            snprintf(why, whyn, "no transaction of T%d was open when the engine crashed", s);
        break;
    }
    case EX_TORN: {
        bool crash = false;
        for (size_t i = 0; i < ne && !held; i++) {
            const hist_event *e = hist_get(c->h, i);
            crash |= e->kind == EV_CRASH;
            held = e->kind == EV_LOG_TORN;
        }
        if (!held)
            snprintf(why, whyn, crash ? "no crash so far tore a log record (engine: crash torn does)"
                                      : "the engine has not crashed");
        break;
    }
    case EX_OVERLAPPED: {
        int ca = 0, cb = 0;
        for (int i = 0; i < f.n && !held; i++) {
            const txn_fact *a = &f.v[i];
            if (a->session != s || !a->committed)
                continue;
            ca++;
            for (int j = 0; j < f.n && !held; j++) {
                const txn_fact *b = &f.v[j];
                if (b->session != x->other || !b->committed)
                    continue;
                held = a->begin < b->end && b->begin < a->end;
            }
        }
        for (int j = 0; j < f.n; j++)
            cb += f.v[j].session == x->other && f.v[j].committed;
        if (!held) {
            if (!ca || !cb)
                snprintf(why, whyn, "T%d has committed no transaction", !ca ? s : x->other);
            else
                snprintf(why, whyn, "no committed transaction of T%d was open while one of T%d was: they ran "
                                    "one after the other", s, x->other);
        }
        break;
    }
    case EX_WAITED: {
        int waited = 0, first_other = 0;
        for (size_t i = 0; i < ne && !held; i++) {
            const hist_event *e = hist_get(c->h, i);
            if (x->other == 0) {
                held = e->kind == EV_STMT_BLOCK && e->session == s;
                continue;
            }
            if (e->kind != EV_LOCK_WAIT || session_of(&f, e->txn) != s)
                continue;
            int o = session_of(&f, hist_txn2(e));
            waited++;
            if (!first_other)
                first_other = o;
            held = o == x->other;
        }
        if (!held && x->other == 0)
            snprintf(why, whyn, "no statement of T%d has waited", s);
        else if (!held && waited)
            snprintf(why, whyn, "T%d waited, but for T%d, not for T%d", s, first_other, x->other);
        else if (!held)
            snprintf(why, whyn, "T%d has not waited for a lock", s);
        break;
    }
    default:
        snprintf(why, whyn, "not a history expectation");
        held = ACIDCTL_INVALID;
        break;
    }
    free(f.v);
    return held;
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
    case EX_VICTIM:
    case EX_RETRIED:
    case EX_CRASHED:
    case EX_OVERLAPPED:
    case EX_WAITED:
    case EX_TORN:
        return expect_history(c, x, why, whyn);
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
