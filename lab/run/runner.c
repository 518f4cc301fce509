/*
 * runner.c: scenario lines in, engine actions and transcript records out. See runner.h.
 *
 * One line: parse (scenario.c), then hand it to the side that owns it (acidctl.c for
 * setup:, T1..T9 and engine:; basectl.c for cluster:, net:, run: and client lines), or
 * evaluate it here (say:, expectations). A line that ran is recorded here and only here
 * (R1), after the controller accepted it.
 */
#include "runner.h"
#include "acidctl.h"
#include "basectl.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct runner {
    runner_opts o;
    char tmpdir[1024];     /* the private database directory when no --dir was given */
    hist *h;
    acidctl *acid;         /* the ACID side: engine, sessions, log */
    basectl *base;         /* the BASE side: replicas, network, clients */
    findings *fd;          /* the checkers' findings over h */
    int passed, failed;
    bool ioerr;
    bool fresh;
    run_error err;         /* why the latest line did not run */
    /* For the trace: the lines, the expectations' results. */
    runner_rec_line *lines;
    int nlines, caplines;
    runner_rec_expect *expects;
    int nexpects, capexpects;
    /* predict: lines, judged after the next line that acts (P1 in runner.h). */
    runner_prediction *preds;
    int npreds, cappreds;
};

hist *runner_history(runner *r) { return r->h; }
acid_engine *runner_acid(runner *r) { return acidctl_engine(r->acid); }
struct basectl *runner_base(runner *r) { return r->base; }
const finding_list *runner_findings(runner *r) { return findings_get(r->fd); }
const run_error *runner_error(const runner *r) { return &r->err; }

void runner_lines(const runner *r, const runner_rec_line **v, int *n)
{
    *v = r->lines;
    *n = r->nlines;
}

void runner_predictions(const runner *r, const runner_prediction **v, int *n)
{
    *v = r->preds;
    *n = r->npreds;
}

void runner_expects(const runner *r, const runner_rec_expect **v, int *n)
{
    *v = r->expects;
    *n = r->nexpects;
}

void runner_counts(const runner *r, int *passed, int *failed)
{
    *passed = r->passed;
    *failed = r->failed;
}

int runner_status(const runner *r)
{
    if (r->ioerr)
        return RUN_IOERR;
    return r->failed ? RUN_EXPECT_FAILED : RUN_OK;
}

runner_settings runner_settings_of(runner *r)
{
    int group;
    acid_sync sync = acidctl_sync(r->acid, &group);
    return (runner_settings){ .seed = r->o.seed, .fresh = r->fresh, .kept = r->o.dir != NULL,
                              .real_sync = r->o.real_sync, .sync = sync, .sync_group = group,
                              .frames = acidctl_frames(r->acid), .base_seed = basectl_seed(r->base) };
}

/* R1: the one place a line is recorded. False when out of memory. */
static bool record_line(runner *r, const char *text, int lineno)
{
    if (r->nlines == r->caplines) {
        int cap = r->caplines ? r->caplines * 2 : 64;
        runner_rec_line *v = realloc(r->lines, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        r->lines = v;
        r->caplines = cap;
    }
    char *t = strdup(text);
    if (!t)
        return false;
    r->lines[r->nlines++] = (runner_rec_line){ lineno, t };
    return true;
}

static bool record_expect(runner *r, const scn_line *l, bool ok, const char *why)
{
    if (r->nexpects == r->capexpects) {
        int cap = r->capexpects ? r->capexpects * 2 : 16;
        runner_rec_expect *v = realloc(r->expects, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        r->expects = v;
        r->capexpects = cap;
    }
    char *t = strdup(l->text), *w = strdup(why);
    if (!t || !w) {
        free(t);
        free(w);
        return false;
    }
    r->expects[r->nexpects++] = (runner_rec_expect){ l->line, t, ok, w };
    return true;
}

/* Does dir already hold a database (a non-empty log or data file)? */
static bool has_database(const char *dir)
{
    static const char *const names[] = { "acidbase.log", "acidbase.db" };
    char path[1200];
    struct stat sb;
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && sb.st_size > 0)
            return true;
    }
    return false;
}

/* The refusal of a line: runner_error, and a REC_INVALID record. */
static int invalid(runner *r, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err.msg, sizeof r->err.msg, fmt, ap);
    va_end(ap);
    r->err.line = line;
    r->err.col = col;
    run_emit(&r->o.sink, &(run_record){ .kind = REC_INVALID, .line = line, .col = col, .text = r->err.msg });
    return RUN_INVALID;
}

/* An I/O or internal error; msg "" when the transcript has said it already. */
static int ioerror(runner *r, int line, const char *msg)
{
    r->ioerr = true;
    r->err.line = line;
    r->err.col = 0;
    size_t k = strlen(msg) < sizeof r->err.msg ? strlen(msg) : sizeof r->err.msg - 1;   /* a long why, cut */
    memcpy(r->err.msg, msg, k);
    r->err.msg[k] = 0;
    if (msg[0])
        run_emit(&r->o.sink, &(run_record){ .kind = REC_ERROR, .line = line, .text = r->err.msg });
    return RUN_IOERR;
}

/* Removes the private database directory (two files, no subdirectories). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char path[1400];
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                unlink(path);
            }
        closedir(d);
    }
    rmdir(dir);
}

runner *runner_new(const runner_opts *o, char *err, size_t n)
{
    runner *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    r->o = *o;
    r->h = hist_new();
    r->fresh = !o->dir || !has_database(o->dir);
    if (!o->dir) {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->tmpdir, sizeof r->tmpdir, "%s/acidbase-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->tmpdir)) {
            snprintf(err, n, "cannot create a temporary directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                     strerror(errno));
            r->tmpdir[0] = 0;
            runner_free(r);
            return NULL;
        }
    }
    char why[1600] = "out of memory";
    r->acid = r->h ? acidctl_new(o->dir ? o->dir : r->tmpdir, o->real_sync, r->h, &r->o.sink, why, sizeof why) : NULL;
    r->base = r->acid ? basectl_new(r->h, o->seed) : NULL;
    r->fd = r->base ? findings_new(r->h) : NULL;
    if (!r->fd) {
        snprintf(err, n, "cannot open the database: %s", r->acid ? "out of memory" : why);
        runner_free(r);
        return NULL;
    }
    return r;
}

void runner_free(runner *r)
{
    if (!r)
        return;
    findings_free(r->fd);
    acidctl_free(r->acid);
    basectl_free(r->base);
    hist_free(r->h);
    if (r->tmpdir[0])
        remove_tree(r->tmpdir);
    for (int i = 0; i < r->nlines; i++)
        free(r->lines[i].text);
    free(r->lines);
    for (int i = 0; i < r->nexpects; i++) {
        free(r->expects[i].text);
        free(r->expects[i].why);
    }
    free(r->expects);
    free(r->preds);
    free(r);
}

/* --- expectations ------------------------------------------------------------------ */

/* The findings, one per line, indented under an expectation that failed. */
static void findings_text(const finding_list *f, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < f->n && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "\n      %s", f->v[i].text[0] ? f->v[i].text : f->v[i].name);
}

/* The checkers' expectations: anomalies and stale reads. Same returns as the sides'. */
static int expect_findings(runner *r, const scn_line *l, char *why, size_t whyn)
{
    const scn_expect *x = &l->ex;
    if (x->kind == EX_STALE_READS) {
        int k = findings_count(r->fd, "stale-read");
        if (k < 0) {
            snprintf(why, whyn, "out of memory");
            return -2;
        }
        bool ok = x->cmp == CMP_EQ ? k == x->value : x->cmp == CMP_GE ? k >= x->value : k <= x->value;
        if (!ok)
            snprintf(why, whyn, "the checker counted %d stale read%s", k, k == 1 ? "" : "s");
        return ok;
    }
    if (x->word[0] && !findings_known_name(x->word)) {
        char names[1024];
        findings_names(names, sizeof names);
        snprintf(why, whyn, "unknown anomaly '%s'; expected %s", x->word, names);
        return -1;
    }
    const finding_list *f = findings_get(r->fd);
    int has = !f ? -1 : x->word[0] ? findings_has(r->fd, x->word) : f->n > 0;
    if (has < 0) {
        snprintf(why, whyn, "out of memory");
        return -2;
    }
    bool ok = x->kind == EX_ANOMALY ? has : !has;
    if (!ok) {
        char list[7000];
        findings_text(f, list, sizeof list);
        if (x->kind == EX_ANOMALY)
            snprintf(why, whyn, "the checker found no %s%s%s", x->word,
                     f->n ? "; it found:" : " (no findings at all)", list);
        else
            snprintf(why, whyn, "the checker found:%s", list);
    }
    return ok;
}

/* expect predicted CLAIM: a prediction of these words came true (P2). */
static int expect_predicted(runner *r, const scn_expect *x, char *why, size_t whyn)
{
    const runner_prediction *best = NULL;
    for (int i = 0; i < r->npreds; i++) {
        const runner_prediction *p = &r->preds[i];
        if (strcmp(p->claim, x->claim) != 0)
            continue;
        if (p->outcome == PRED_RIGHT)
            return 1;
        best = p;
    }
    if (!best)
        snprintf(why, whyn, "nothing predicted '%s' (a predict: line says it before the step)", x->claim);
    else if (best->outcome == PRED_PENDING)
        snprintf(why, whyn, "'%s' was predicted at line %d, and no step has run since", x->claim, best->line);
    else if (best->outcome == PRED_ALREADY)
        snprintf(why, whyn, "'%s' already held when it was predicted at line %d: that is no prediction", x->claim,
                 best->line);
    else
        snprintf(why, whyn, "the prediction '%s' at line %d was wrong: %s", x->claim, best->line, best->why);
    return 0;
}

static int expect_eval(runner *r, const scn_line *l, char *why, size_t whyn, int *col);

/* Evaluates an expectation: 1 held, 0 failed (why), -1 invalid (why, at *col), -2 an I/O
 * error (why). */
static int expect_eval(runner *r, const scn_line *l, char *why, size_t whyn, int *col)
{
    const scn_expect *x = &l->ex;
    int held;
    why[0] = 0;
    *col = x->word_col ? x->word_col : l->col;
    if (x->kind == EX_ANOMALY || x->kind == EX_NO_ANOMALY || x->kind == EX_STALE_READS)
        return expect_findings(r, l, why, whyn);
    if (x->kind == EX_PREDICTED)
        return expect_predicted(r, x, why, whyn);
    if (acidctl_expects(x->kind)) {
        held = acidctl_expect(r->acid, l, why, whyn);
        return held == ACIDCTL_IOERR ? -2 : held;
    }
    held = basectl_expect(r->base, l, why, whyn);
    return held < 0 ? -1 : held;
}

static int expect(runner *r, const scn_line *l)
{
    char why[8192];
    int col;
    int held = expect_eval(r, l, why, sizeof why, &col);
    if (held == -1)
        return invalid(r, l->line, col, "%s", why);
    if (held == -2)
        return ioerror(r, l->line, why);
    bool ok = held == 1;
    if (!record_expect(r, l, ok, ok ? "" : why))
        return ioerror(r, l->line, "out of memory");
    if (ok)
        r->passed++;
    else
        r->failed++;
    run_emit(&r->o.sink, &(run_record){ .kind = REC_EXPECT, .outcome = ok ? RO_OK : RO_FAIL, .line = l->line,
                                        .text = l->text, .result = ok ? NULL : why });
    return RUN_OK;
}

int runner_check(runner *r, const char *line, bool *held, char *why, size_t n)
{
    scn_line *l = calloc(1, sizeof *l);
    scn_error err;
    int rc = -1;
    *held = false;
    if (!l) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    if (scn_parse_line(line, 1, l, &err) != 0) {
        snprintf(why, n, "%d: %s", err.col, err.msg);
        free(l);
        return -1;
    }
    if (l->kind != SL_EXPECT) {
        snprintf(why, n, "not an expectation: %s", line);
    } else {
        char w[8192];
        int col;
        int e = expect_eval(r, l, w, sizeof w, &col);
        snprintf(why, n, "%s", e == -2 && !w[0] ? "cannot evaluate" : w);
        if (e >= 0) {
            *held = e == 1;
            rc = 0;
        }
    }
    scn_line_free(l);
    free(l);
    return rc;
}

/* --- predictions ------------------------------------------------------------------- */

/* The claim of a prediction as an expectation line, evaluated now: 1, 0, -1, -2 as
 * expect_eval. */
static int claim_eval(runner *r, const char *claim, int lineno, char *why, size_t whyn, int *col)
{
    scn_line *l = calloc(1, sizeof *l);
    char text[SCN_TEXT_MAX + 16];
    scn_error err;
    if (!l) {
        snprintf(why, whyn, "out of memory");
        return -2;
    }
    snprintf(text, sizeof text, "expect %s", claim);
    int rc;
    if (scn_parse_line(text, lineno, l, &err) != 0) {
        snprintf(why, whyn, "%s", err.msg);   /* cannot happen: the claim parsed before */
        rc = -1;
    } else {
        rc = expect_eval(r, l, why, whyn, col);
        scn_line_free(l);
    }
    free(l);
    return rc;
}

/* predict: CLAIM. It must make sense now (a table that exists, a replica of the cluster);
 * whether it already holds is noted, since a claim that holds before the step predicts
 * nothing (P2). */
static int predict(runner *r, const scn_line *l)
{
    char why[1024];
    int col;
    int held = claim_eval(r, l->ex.claim, l->line, why, sizeof why, &col);
    if (held == -1)
        return invalid(r, l->line, l->col, "%s", why);
    if (held == -2)
        return ioerror(r, l->line, why);
    if (r->npreds == r->cappreds) {
        int cap = r->cappreds ? r->cappreds * 2 : 8;
        runner_prediction *v = realloc(r->preds, (size_t)cap * sizeof *v);
        if (!v)
            return ioerror(r, l->line, "out of memory");
        r->preds = v;
        r->cappreds = cap;
    }
    runner_prediction *p = &r->preds[r->npreds++];
    memset(p, 0, sizeof *p);
    p->line = l->line;
    snprintf(p->claim, sizeof p->claim, "%s", l->ex.claim);
    p->outcome = PRED_PENDING;
    p->held_before = held == 1;
    run_emit(&r->o.sink, &(run_record){ .kind = REC_DIRECTIVE, .line = l->line, .text = l->text });
    return RUN_OK;
}

/* After a line that acted: every prediction still pending is judged now (P1). */
static int judge_predictions(runner *r, int lineno)
{
    for (int i = 0; i < r->npreds; i++) {
        runner_prediction *p = &r->preds[i];
        if (p->outcome != PRED_PENDING)
            continue;
        char why[1024];
        int col;
        int held = claim_eval(r, p->claim, lineno, why, sizeof why, &col);
        if (held < 0)
            return ioerror(r, lineno, why);   /* it was valid when made; now it cannot run */
        p->outcome = held == 1 ? (p->held_before ? PRED_ALREADY : PRED_RIGHT) : PRED_WRONG;
        snprintf(p->why, sizeof p->why, "%.500s", held == 1 ? "" : why);
        char text[SCN_TEXT_MAX + 16];
        snprintf(text, sizeof text, "predict: %s", p->claim);
        const char *res = p->outcome == PRED_RIGHT ? "right" : p->outcome == PRED_ALREADY
                        ? "no prediction: it held already when it was made" : p->why;
        run_outcome oc = p->outcome == PRED_RIGHT ? RO_OK : p->outcome == PRED_WRONG ? RO_FAIL : RO_NONE;
        run_emit(&r->o.sink, &(run_record){ .kind = REC_PREDICT, .outcome = oc,
                                            .line = p->line, .text = text, .result = res });
    }
    return RUN_OK;
}

/* --- one line ------------------------------------------------------------------------ */

int runner_line(runner *r, const char *text, int lineno)
{
    r->err = (run_error){ 0 };
    if (r->nlines >= RUN_LINES_MAX)
        return invalid(r, lineno, 1, "too many lines: one run takes at most %d (split the scenario)", RUN_LINES_MAX);
    if (r->nlines && lineno <= r->lines[r->nlines - 1].line)
        return invalid(r, lineno, 1, "line %d comes after line %d", lineno, r->lines[r->nlines - 1].line);
    scn_line *l = calloc(1, sizeof *l);
    if (!l)
        return ioerror(r, lineno, "out of memory");
    scn_error err;
    if (scn_parse_line(text, lineno, l, &err) != 0) {
        free(l);
        return invalid(r, err.line, err.col, "%s", err.msg);
    }
    int rc = RUN_OK;
    char msg[1024];
    int eline = lineno, ecol = l->col;
    switch (l->kind) {
    case SL_BLANK:
        break;
    case SL_SAY:
        run_emit(&r->o.sink, &(run_record){ .kind = REC_SAY, .line = lineno, .text = l->text });
        break;
    case SL_SETUP:
    case SL_SQL:
    case SL_ENGINE:
        switch (acidctl_line(r->acid, l, &r->o.sink, msg, sizeof msg, &eline, &ecol)) {
        case ACIDCTL_INVALID: rc = invalid(r, eline, ecol, "%s", msg); break;
        case ACIDCTL_IOERR: rc = ioerror(r, lineno, msg); break;
        default: break;
        }
        break;
    case SL_EXPECT:
        rc = expect(r, l);
        break;
    case SL_PREDICT:
        rc = predict(r, l);
        break;
    case SL_CLUSTER:
    case SL_NET:
    case SL_RUN:
    case SL_CLIENT:
        if (basectl_line(r->base, l, &r->o.sink, msg, sizeof msg, &ecol))
            rc = invalid(r, lineno, ecol, "%s", msg);
        break;
    }
    bool acted = l->kind != SL_BLANK && l->kind != SL_SAY && l->kind != SL_EXPECT && l->kind != SL_PREDICT;
    scn_line_free(l);
    free(l);
    if (rc == RUN_OK && acted && r->npreds)
        rc = judge_predictions(r, lineno);
    /* R1: recorded once it ran (an I/O error's line ran too, in part). */
    if (rc != RUN_INVALID && !record_line(r, text, lineno))
        rc = ioerror(r, lineno, "out of memory");
    if (rc == RUN_OK && r->ioerr)
        rc = RUN_IOERR;
    return rc;
}
