/*
 * grade.c: replay verification and scoring. See grade.h; the reports are report.c's, the
 * command lab/cli/grade.c's.
 *
 * The replay is the real runner (runner.h) driven line by line, exactly as `acidbase run`
 * drives it, with its transcript dropped (no sink) and its refusals read from
 * runner_error; the comparison walks both histories once, so a long trace costs one
 * replay and one pass. The replay's findings are the runner's own (findings.h), the same
 * the lab recorded in the trace.
 */
#include "grade.h"
#include "learn/lesson.h"
#include "learn/verify.h"
#include "run/runner.h"
#include "acid/view.h"
#include "common/fmix.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

/* --- comparing events ------------------------------------------------------------------- */

static bool differ(char *why, size_t n, const char *field, const char *a, const char *b)
{
    snprintf(why, n, "%s: recorded %s, the replay has %s", field, a, b);
    return true;
}

static bool diff_u(char *why, size_t n, const char *field, uint64_t a, uint64_t b)
{
    if (a == b)
        return false;
    char x[32], y[32];
    snprintf(x, sizeof x, "%" PRIu64, a);
    snprintf(y, sizeof y, "%" PRIu64, b);
    return differ(why, n, field, x, y);
}

static bool diff_i(char *why, size_t n, const char *field, int64_t a, int64_t b)
{
    if (a == b)
        return false;
    char x[32], y[32];
    snprintf(x, sizeof x, "%" PRId64, a);
    snprintf(y, sizeof y, "%" PRId64, b);
    return differ(why, n, field, x, y);
}

static void quoted(const char *s, char *buf, size_t n)
{
    if (!s)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "\"%.200s%s\"", s, strlen(s) > 200 ? "..." : "");
}

static bool diff_s(char *why, size_t n, const char *field, const char *a, const char *b)
{
    if (a == b || (a && b && strcmp(a, b) == 0))
        return false;
    char x[256], y[256];
    quoted(a, x, sizeof x);
    quoted(b, y, sizeof y);
    return differ(why, n, field, x, y);
}

static void key_text(const scalar *k, char *buf, size_t n)
{
    if (k->type == SC_NONE)
        snprintf(buf, n, "none");
    else
        scalar_format(k, true, buf, n);
}

static bool diff_key(char *why, size_t n, const char *field, const scalar *a, const scalar *b)
{
    if (a->type == b->type && (a->type == SC_NONE || scalar_eq(a, b)))
        return false;
    char x[64], y[64];
    key_text(a, x, sizeof x);
    key_text(b, y, sizeof y);
    return differ(why, n, field, x, y);
}

/* Canonical predicate text, malloc'ed ("" for the empty predicate); NULL for none. */
static char *pred_text(const pred *p)
{
    if (!p)
        return NULL;
    char small[8];
    int len = pred_format(p, small, sizeof small);
    char *s = malloc((size_t)len + 1);
    if (s)
        pred_format(p, s, (size_t)len + 1);
    return s;
}

static bool diff_pred(char *why, size_t n, const pred *a, const pred *b)
{
    char *pa = pred_text(a), *pb = pred_text(b);
    bool d = (pa == NULL) != (pb == NULL) || (pa && pb && strcmp(pa, pb) != 0);
    if (d) {
        char x[256], y[256];
        quoted(pa, x, sizeof x);
        quoted(pb, y, sizeof y);
        differ(why, n, "pred", x, y);
    }
    free(pa);
    free(pb);
    return d;
}

static const char *kind_name(int k)
{
    const hist_kind_info *ki = hist_kind_info_of((hist_kind)k);
    return ki && ki->name ? ki->name : "?";
}

bool grade_event_diff(const hist_event *a, const hist_event *b, char *why, size_t n)
{
    if (a->kind != b->kind)
        return differ(why, n, "kind", kind_name(a->kind), kind_name(b->kind));
    if (a->side != b->side)
        return differ(why, n, "side", a->side == SIDE_BASE ? "base" : "acid", b->side == SIDE_BASE ? "base" : "acid");
    if (diff_u(why, n, "seq", a->seq, b->seq) || diff_u(why, n, "tick", a->tick, b->tick) ||
        diff_u(why, n, "db", a->db, b->db) || diff_u(why, n, "session", a->session, b->session) ||
        diff_u(why, n, "node", a->node, b->node) ||
        diff_u(why, n, "node2", a->node2, b->node2) || diff_u(why, n, "txn", a->txn, b->txn) ||
        diff_u(why, n, "txn2", hist_txn2(a), hist_txn2(b)) || diff_s(why, n, "table", a->table, b->table) ||
        diff_s(why, n, "actor", hist_actor(a), hist_actor(b)) || diff_key(why, n, "key", &a->key, &b->key))
        return true;
    const hist_kind_info *ki = hist_kind_info_of((hist_kind)a->kind);
    for (int i = 0; i < 6; i++) {
        char field[48];
        if (ki && ki->fields[i])
            snprintf(field, sizeof field, "n.%s", ki->fields[i]);
        else
            snprintf(field, sizeof field, "n.n%d", i);
        if (diff_i(why, n, field, a->n[i], b->n[i]))
            return true;
    }
    if (diff_s(why, n, "text", a->text, b->text))
        return true;
    if (diff_pred(why, n, hist_pred(a), hist_pred(b)))
        return true;
    if (a->nrows != b->nrows) {
        char x[32], y[32];
        snprintf(x, sizeof x, "%d rows", a->nrows);
        snprintf(y, sizeof y, "%d rows", b->nrows);
        return differ(why, n, "rows", x, y);
    }
    for (int i = 0; i < a->nrows; i++) {
        const hist_row *x = &a->rows[i], *y = &b->rows[i];
        char f[4][40];
        snprintf(f[0], sizeof f[0], "rows[%d].key", i);
        snprintf(f[1], sizeof f[1], "rows[%d].version", i);
        snprintf(f[2], sizeof f[2], "rows[%d].value", i);
        snprintf(f[3], sizeof f[3], "rows[%d].matched", i);
        if (diff_key(why, n, f[0], &x->key, &y->key) || diff_u(why, n, f[1], x->version, y->version) ||
            diff_i(why, n, f[2], x->value, y->value) || diff_u(why, n, f[3], x->matched, y->matched))
            return true;
    }
    if (hist_ntxns(a) != hist_ntxns(b)) {
        char x[32], y[32];
        snprintf(x, sizeof x, "%d transactions", hist_ntxns(a));
        snprintf(y, sizeof y, "%d transactions", hist_ntxns(b));
        return differ(why, n, "txns", x, y);
    }
    for (int i = 0; i < hist_ntxns(a); i++) {
        char f[32];
        snprintf(f, sizeof f, "txns[%d]", i);
        if (diff_u(why, n, f, hist_txns(a)[i], hist_txns(b)[i]))
            return true;
    }
    return false;
}

/* --- verification ------------------------------------------------------------------------- */

static void reason(grade_result *res, grade_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
    res->status = st;
}

static bool compare_events(const trace *t, const hist *rep, grade_result *res)
{
    size_t na = hist_count(t->h), nb = hist_count(rep);
    char why[700];
    for (size_t i = 0; i < na && i < nb; i++) {
        const hist_event *a = hist_get(t->h, i), *b = hist_get(rep, i);
        if (grade_event_diff(a, b, why, sizeof why)) {
            reason(res, GRADE_REJECTED, "event %" PRIu64 " (%s, events[%zu]) differs from the replay: %s", a->seq,
                   kind_name(a->kind), i, why);
            return false;
        }
    }
    if (na > nb) {
        const hist_event *a = hist_get(t->h, nb);
        reason(res, GRADE_REJECTED,
               "event %" PRIu64 " (%s, events[%zu]) is recorded, but the replay ends after event %zu "
               "(the trace has %zu events, the replay %zu)", a->seq, kind_name(a->kind), nb, nb, na, nb);
        return false;
    }
    if (nb > na) {
        const hist_event *b = hist_get(rep, na);
        reason(res, GRADE_REJECTED,
               "event %" PRIu64 " (%s) happens in the replay, but the trace ends after event %zu "
               "(the trace has %zu events, the replay %zu)", b->seq, kind_name(b->kind), na, na, nb);
        return false;
    }
    return true;
}

static bool compare_rest(const trace *t, runner *r, const finding_list *found, grade_result *res)
{
    char why[700];
    runner_settings rs = runner_settings_of(r);
    const trace_settings *s = &t->settings;
    if (!s->fresh_database) {
        reason(res, GRADE_REJECTED, "settings.fresh_database is false, but \"replayable\" is true");
        return false;
    }
    if (diff_s(why, sizeof why, "settings.sync", s->sync, trace_sync_name(rs.sync)) ||
        diff_i(why, sizeof why, "settings.sync_group", s->sync_group, rs.sync_group) ||
        diff_i(why, sizeof why, "settings.frames", s->frames, rs.frames) ||
        diff_u(why, sizeof why, "settings.base_seed", s->base_seed, rs.base_seed)) {
        reason(res, GRADE_REJECTED, "%s", why);
        return false;
    }
    int ntables = acid_view_ntables(runner_acid(r));
    if (t->ntables != ntables) {
        reason(res, GRADE_REJECTED, "catalog: recorded %d tables, the replay has %d", t->ntables, ntables);
        return false;
    }
    for (int i = 0; i < t->ntables; i++) {
        const trace_table *a = &t->tables[i];
        acid_view_table vt, *b = &vt;
        acid_view_table_at(runner_acid(r), i, &vt);
        char f[5][40], *chk = pred_text(b->check);
        snprintf(f[0], sizeof f[0], "catalog[%d].table", i);
        snprintf(f[1], sizeof f[1], "catalog[%d].key_column", i);
        snprintf(f[2], sizeof f[2], "catalog[%d].value_column", i);
        snprintf(f[3], sizeof f[3], "catalog[%d].key_type", i);
        snprintf(f[4], sizeof f[4], "catalog[%d].check", i);
        bool d = diff_s(why, sizeof why, f[0], a->name, b->name) ||
                 diff_s(why, sizeof why, f[1], a->key_column, b->keycol) ||
                 diff_s(why, sizeof why, f[2], a->value_column, b->valcol) ||
                 diff_s(why, sizeof why, f[3], a->key_type == SC_TEXT ? "text" : "int",
                        b->keytype == SC_TEXT ? "text" : "int") ||
                 diff_s(why, sizeof why, f[4], a->check, chk);
        free(chk);
        if (d) {
            reason(res, GRADE_REJECTED, "%s", why);
            return false;
        }
    }
    if (finding_lists_differ(&t->findings, found, why, sizeof why)) {
        reason(res, GRADE_REJECTED, "%s (the replay's checkers disagree with the trace)", why);
        return false;
    }
    const runner_rec_expect *ex;
    int nex;
    runner_expects(r, &ex, &nex);
    if (t->nexpects != nex) {
        reason(res, GRADE_REJECTED, "expects: recorded %d results, the replay has %d", t->nexpects, nex);
        return false;
    }
    for (int i = 0; i < nex; i++) {
        const trace_expect *a = &t->expects[i];
        char f[4][40];
        snprintf(f[0], sizeof f[0], "expects[%d].line", i);
        snprintf(f[1], sizeof f[1], "expects[%d].text", i);
        snprintf(f[2], sizeof f[2], "expects[%d].ok", i);
        snprintf(f[3], sizeof f[3], "expects[%d].why", i);
        if (diff_i(why, sizeof why, f[0], a->line, ex[i].line) || diff_s(why, sizeof why, f[1], a->text, ex[i].text) ||
            (a->ok != ex[i].ok && differ(why, sizeof why, f[2], a->ok ? "true" : "false", ex[i].ok ? "true" : "false")) ||
            diff_s(why, sizeof why, f[3], a->why, ex[i].why)) {
            reason(res, GRADE_REJECTED, "%s", why);
            return false;
        }
    }
    return true;
}

static bool add_test(grade_result *res, int line, const char *text, bool ok, const char *output)
{
    grade_test *x = &res->tests[res->ntests];
    x->line = line;
    x->text = strdup(text);
    x->ok = ok;
    x->weight = 1;
    x->output = strdup(output);
    if (!x->text || !x->output) {
        free(x->text);
        free(x->output);
        return false;
    }
    res->ntests++;
    return true;
}

/* A rejected trace's tests: its recorded expects, none passed. */
static void not_graded(const trace *t, grade_result *res)
{
    res->score = 0;
    res->max_score = t->nexpects;
    for (int i = 0; i < t->nexpects; i++)
        add_test(res, t->expects[i].line, t->expects[i].text, false, "not graded: the trace was rejected");
}

/* Every goal of a lesson, checked after each replayed line: a goal counts once all of its
 * checks hold together after some step (as `lessons --verify` and the lab judge it). */
typedef struct goal_state { const lesson *l; bool met[LESSON_GOALS_MAX]; } goal_state;

static void goals_after_line(goal_state *gs, runner *r)
{
    for (int g = 0; gs->l && g < gs->l->ngoals; g++) {
        if (gs->met[g])
            continue;
        bool met = false;
        int failed = 0;
        char why[256];
        if (lesson_goal_check(r, &gs->l->goals[g], &met, &failed, why, sizeof why) == 0 && met)
            gs->met[g] = true;
    }
}

static void replay_and_score(const trace *t, const char *name, const lesson *l, grade_result *res)
{
    goal_state gs = { .l = l };
    char err[1024];
    runner_opts o = { .seed = t->seed, .real_sync = false };
    runner *r = runner_new(&o, err, sizeof err);
    const finding_list *found;
    if (!r) {
        reason(res, GRADE_IOERR, "cannot start a replay: %s", err);
        goto done;
    }
    for (int i = 0; i < t->nlines; i++) {
        int rc = runner_line(r, t->lines[i].text, t->lines[i].line);
        if (rc == RUN_OK) {
            goals_after_line(&gs, r);
            continue;
        }
        const run_error *e = runner_error(r);
        if (rc == RUN_INVALID)
            reason(res, GRADE_REJECTED, "the replay stops at scenario line %d (scenario[%d]), which is invalid: "
                   "%s:%d:%d: %s", t->lines[i].line, i, name, e->line, e->col, e->msg);
        else
            reason(res, GRADE_IOERR, "the replay failed at scenario line %d: %s", t->lines[i].line,
                   e->msg[0] ? e->msg : "an I/O error");
        goto done;
    }
    if (runner_status(r) == RUN_IOERR) {
        reason(res, GRADE_IOERR, "the replay failed: %s", runner_error(r)->msg);
        goto done;
    }
    if (!compare_events(t, runner_history(r), res))
        goto done;
    if (!(found = runner_findings(r))) {
        reason(res, GRADE_IOERR, "out of memory");
        goto done;
    }
    if (!compare_rest(t, r, found, res))
        goto done;
    const runner_rec_expect *ex;
    int nex;
    runner_expects(r, &ex, &nex);
    res->status = GRADE_ACCEPTED;
    res->events = hist_count(t->h);
    res->max_score = nex;
    for (int i = 0; i < nex; i++) {
        if (!add_test(res, ex[i].line, ex[i].text, ex[i].ok, ex[i].ok ? "the expectation held" : ex[i].why)) {
            reason(res, GRADE_IOERR, "out of memory");
            break;
        }
        res->score += ex[i].ok;
    }
    for (int g = 0; l && g < l->ngoals; g++) {
        const lesson_goal *go = &l->goals[g];
        char name_[256];
        snprintf(name_, sizeof name_, "goal %s (lesson %s): %s", go->name, l->id, go->text);
        if (!add_test(res, go->line, name_, gs.met[g],
                      gs.met[g] ? "the goal was met in the learner's history" : "the goal was never met")) {
            reason(res, GRADE_IOERR, "out of memory");
            break;
        }
        res->tests[res->ntests - 1].weight = go->weight;
        res->max_score += go->weight;
        res->score += gs.met[g] ? go->weight : 0;
    }
done:
    /* A replay that differs from a trace of another version is most likely that: the
     * engines changed between the versions. Told apart from an edited trace of this
     * version, which is what a difference means when the versions agree (lab_version is
     * a claim, like every field: traces.md says what that does and does not prove). */
    if (res->status == GRADE_REJECTED && strcmp(t->lab_version, ACIDBASE_VERSION)) {
        char was[sizeof res->reason];
        snprintf(was, sizeof was, "%s", res->reason);
        reason(res, GRADE_VERSION, "written by acidbase %.40s, and this is %s: its replay differs (%s); grade it with "
               "acidbase %.40s, or have it exported again with this version", t->lab_version, ACIDBASE_VERSION, was,
               t->lab_version);
    }
    runner_free(r);
}

/* The run a trace carries: its seed and scenario lines determine every event (deterministic
 * engines), so an accepted trace's run is named by a hash of them. */
static uint64_t run_of(const trace *t)
{
    uint64_t h = fmix64(t->seed ^ 0x6163696462617365ULL);
    for (int i = 0; i < t->nlines; i++) {
        h = fmix64(h ^ (uint64_t)(uint32_t)t->lines[i].line);
        for (const unsigned char *c = (const unsigned char *)t->lines[i].text; *c; c++)
            h = fmix64(h ^ *c);
        h = fmix64(h ^ 0x0a);
    }
    return h;
}

static void grade_trace_lesson(const trace *t, const char *name, const lesson *l, grade_result *res)
{
    memset(res, 0, sizeof *res);
    res->file = strdup(name);
    res->learner = t->learner ? strdup(t->learner) : NULL;
    res->lesson = t->lesson ? strdup(t->lesson) : NULL;
    res->tests = calloc((size_t)t->nexpects + (l ? (size_t)l->ngoals : 0) + 1, sizeof *res->tests);
    if (!res->file || !res->tests || (t->learner && !res->learner)) {
        reason(res, GRADE_IOERR, "out of memory");
        return;
    }
    snprintf(res->created, sizeof res->created, "%s", t->created ? t->created : "");
    if (!t->replayable)
        reason(res, GRADE_REJECTED, "not replayable, so it cannot be graded: %s", t->unreplayable_reason);
    else
        replay_and_score(t, name, l, res);
    if (res->status == GRADE_ACCEPTED) {
        res->has_run = true;
        res->run = run_of(t);
    }
    if (res->status != GRADE_ACCEPTED) {
        for (int i = 0; i < res->ntests; i++) {
            free(res->tests[i].text);
            free(res->tests[i].output);
        }
        res->ntests = 0;
        not_graded(t, res);
    }
}

void grade_file_lesson(const char *path, const lesson *l, grade_result *res)
{
    trace t;
    trace_err err;
    int rc = trace_read(path, &t, &err);
    if (rc) {
        memset(res, 0, sizeof *res);
        res->file = strdup(path);
        /* The report names the file already: "FILE: events[3]: ..." reads "events[3]: ...". */
        size_t n = strlen(path);
        const char *msg = strncmp(err.msg, path, n) == 0 && err.msg[n] == ':' && err.msg[n + 1] == ' '
                              ? err.msg + n + 2 : err.msg;
        reason(res, err.version ? GRADE_VERSION : rc == TRACE_INVALID ? GRADE_INVALID : GRADE_IOERR, "%s", msg);
        return;
    }
    grade_trace_lesson(&t, path, l, res);
    trace_free(&t);
}

void grade_result_free(grade_result *r)
{
    free(r->file);
    free(r->learner);
    free(r->lesson);
    free(r->same_run);
    for (int i = 0; i < r->ntests; i++) {
        free(r->tests[i].text);
        free(r->tests[i].output);
    }
    free(r->tests);
    memset(r, 0, sizeof *r);
}


const char *grade_status_word(grade_status s)
{
    switch (s) {
    case GRADE_ACCEPTED: return "accepted";
    case GRADE_VERSION: return "version-mismatch";
    case GRADE_LEARNER: return "wrong-learner";
    case GRADE_UNGRADABLE: return "not-gradable";
    default: return "rejected";
    }
}

/* --- a result as bytes (for the child process that grades one trace) ------------------------ */

/* Every field in a fixed order: integers as 8 bytes, strings as an 8-byte length (or ~0 for
 * NULL) and their bytes. The two ends are the same program, so the byte order is the host's. */
typedef struct wbuf { char *p; size_t n, cap; bool oom; } wbuf;

static void w_mem(wbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void w_u64(wbuf *b, uint64_t v)
{
    w_mem(b, &v, sizeof v);
}

static void w_str(wbuf *b, const char *s)
{
    w_u64(b, s ? strlen(s) : UINT64_MAX);
    if (s)
        w_mem(b, s, strlen(s));
}

int grade_result_encode(const grade_result *r, char **buf, size_t *len)
{
    wbuf b = { 0 };
    w_u64(&b, 0x47524144u);   /* "GRAD" */
    w_u64(&b, (uint64_t)r->status);
    w_u64(&b, (uint64_t)(int64_t)r->score);
    w_u64(&b, (uint64_t)(int64_t)r->max_score);
    w_u64(&b, r->events);
    w_u64(&b, r->has_run);
    w_u64(&b, r->run);
    w_str(&b, r->created);
    w_str(&b, r->file);
    w_str(&b, r->learner);
    w_str(&b, r->lesson);
    w_str(&b, r->reason);
    w_u64(&b, (uint64_t)r->ntests);
    for (int i = 0; i < r->ntests; i++) {
        w_u64(&b, (uint64_t)(int64_t)r->tests[i].line);
        w_u64(&b, r->tests[i].ok);
        w_u64(&b, (uint64_t)(int64_t)r->tests[i].weight);
        w_str(&b, r->tests[i].text);
        w_str(&b, r->tests[i].output);
    }
    if (b.oom) {
        free(b.p);
        return -1;
    }
    *buf = b.p;
    *len = b.n;
    return 0;
}

typedef struct rbuf { const char *p; size_t n, at; bool bad; } rbuf;

static uint64_t r_u64(rbuf *b)
{
    uint64_t v = 0;
    if (b->bad || b->n - b->at < sizeof v) {
        b->bad = true;
        return 0;
    }
    memcpy(&v, b->p + b->at, sizeof v);
    b->at += sizeof v;
    return v;
}

/* A fresh string (NULL for a NULL one, and on damage with b->bad set). */
static char *r_str(rbuf *b)
{
    uint64_t n = r_u64(b);
    if (b->bad || n == UINT64_MAX)
        return NULL;
    if (n > b->n - b->at) {
        b->bad = true;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        b->bad = true;
        return NULL;
    }
    memcpy(s, b->p + b->at, (size_t)n);
    s[n] = 0;
    b->at += (size_t)n;
    return s;
}

int grade_result_decode(const char *buf, size_t len, grade_result *out)
{
    memset(out, 0, sizeof *out);
    rbuf b = { buf, len, 0, false };
    if (r_u64(&b) != 0x47524144u)
        return -1;
    uint64_t st = r_u64(&b);
    out->status = st <= GRADE_UNGRADABLE ? (grade_status)st : GRADE_UNGRADABLE;
    out->score = (int)(int64_t)r_u64(&b);
    out->max_score = (int)(int64_t)r_u64(&b);
    out->events = (size_t)r_u64(&b);
    out->has_run = r_u64(&b) != 0;
    out->run = r_u64(&b);
    char *created = r_str(&b);
    snprintf(out->created, sizeof out->created, "%s", created ? created : "");
    free(created);
    out->file = r_str(&b);
    out->learner = r_str(&b);
    out->lesson = r_str(&b);
    char *why = r_str(&b);
    snprintf(out->reason, sizeof out->reason, "%s", why ? why : "");
    free(why);
    uint64_t nt = r_u64(&b);
    if (!b.bad && nt <= (len - b.at) / 40)   /* each test takes at least 40 bytes */
        out->tests = calloc((size_t)nt + 1, sizeof *out->tests);
    if (!out->tests)
        b.bad = true;
    for (uint64_t i = 0; !b.bad && i < nt; i++) {
        grade_test *x = &out->tests[out->ntests];
        x->line = (int)(int64_t)r_u64(&b);
        x->ok = r_u64(&b) != 0;
        x->weight = (int)(int64_t)r_u64(&b);
        x->text = r_str(&b);
        x->output = r_str(&b);
        if (b.bad || !x->text || !x->output) {
            free(x->text);
            free(x->output);
            b.bad = true;
            break;
        }
        out->ntests++;
    }
    if (b.bad || b.at != len || !out->file) {
        grade_result_free(out);
        return -1;
    }
    return 0;
}
