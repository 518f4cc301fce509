/*
 * verify.c: goals and lesson verification. See verify.h.
 */
#include "verify.h"
#include "run/scenario.h"
#include "common/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lesson_goal_check(runner *r, const lesson_goal *g, bool *met, int *failed, char *why, size_t n)
{
    *met = g->nchecks > 0;
    *failed = -1;
    why[0] = 0;
    for (int k = 0; k < g->nchecks; k++) {
        bool held = false;
        if (runner_check(r, g->checks[k], &held, why, n) != 0) {
            *met = false;
            *failed = k;
            return -1;
        }
        if (!held) {
            *met = false;
            *failed = k;
            return 0;
        }
    }
    why[0] = 0;
    return 0;
}

/* One verification: the problems found (written to out as they are found). */
typedef struct verify {
    const lesson *l;
    FILE *out;
    int problems;
    bool ioerr;
    bool bad_check[LESSON_GOALS_MAX];   /* a goal with a check that cannot be evaluated */
} verify;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void problem(verify *v, lesson_pos at, const char *fmt, ...)
{
    va_list ap;
    v->problems++;
    fprintf(v->out, "  %s:%d:%d: ", v->l->path, at.line, at.col);
    va_start(ap, fmt);
    vfprintf(v->out, fmt, ap);
    va_end(ap);
    fputc('\n', v->out);
}

/* A fresh runner whose transcript is dropped (no sink). */
static runner *verify_runner(verify *v)
{
    char err[1024];
    runner_opts o = { .real_sync = false };
    runner *r = runner_new(&o, err, sizeof err);
    if (!r) {
        v->ioerr = true;
        fprintf(v->out, "  %s\n", err);
    }
    return r;
}

static void verify_runner_done(verify *v, runner *r)
{
    if (r && v->ioerr && runner_error(r)->msg[0])
        fprintf(v->out, "  %s\n", runner_error(r)->msg);
    runner_free(r);
}

static void goals_seen(verify *v, runner *r, bool *met);

/* Runs lines[0, n) in r, each with its position in the file (invariant 3); with met, the
 * goals are checked after every line, as the lab checks them after every step. Returns
 * false at the first line that is invalid input (reported, with what) or an I/O error. */
static bool run_lines(verify *v, runner *r, char *const *lines, const lesson_pos *pos, int n, const char *what,
                      bool *met)
{
    for (int i = 0; i < n; i++) {
        char buf[2 * LESSON_LINE_MAX + 2];
        int ind = pos[i].col > 1 && pos[i].col <= LESSON_LINE_MAX ? pos[i].col - 1 : 0;
        memset(buf, ' ', (size_t)ind);
        snprintf(buf + ind, sizeof buf - (size_t)ind, "%s", lines[i]);
        int rc = runner_line(r, buf, pos[i].line);
        if (rc == RUN_OK) {
            if (met)
                goals_seen(v, r, met);
            continue;
        }
        if (rc == RUN_INVALID) {
            /* Where the runner refused it, and where the line ran. */
            const run_error *e = runner_error(r);
            v->problems++;
            fprintf(v->out, "  %s:%d:%d: %s (%s)\n", v->l->path, e->line, e->col, e->msg, what);
        } else {
            v->ioerr = true;
        }
        return false;
    }
    return true;
}

/* Where check k of g was written; at the word the runner could not use (an anomaly, a
 * table) when word is set. */
static lesson_pos check_at(const lesson_goal *g, int k, bool word)
{
    if (k < 0 || k >= g->nchecks)
        return (lesson_pos){ g->line, g->name_col };
    lesson_pos at = g->check_pos[k];
    scn_line *sl = word ? malloc(sizeof *sl) : NULL;
    scn_error e;
    if (sl && scn_parse_line(g->checks[k], at.line, sl, &e) == 0) {
        if (sl->kind == SL_EXPECT && sl->ex.word_col > 0)
            at.col += sl->ex.word_col - 1;
        scn_line_free(sl);
    }
    free(sl);
    return at;
}

/* (1) After the setup alone no goal is met, and every check can be evaluated. False when
 * the setup itself does not run. */
static bool verify_start(verify *v)
{
    const lesson *l = v->l;
    runner *r = verify_runner(v);
    bool ran = r && run_lines(v, r, l->setup, l->setup_pos, l->nsetup, "in the setup", NULL);
    for (int g = 0; ran && g < l->ngoals; g++) {
        const lesson_goal *go = &l->goals[g];
        bool met;
        int k;
        char why[1024];
        if (lesson_goal_check(r, go, &met, &k, why, sizeof why) != 0) {
            v->bad_check[g] = true;
            problem(v, check_at(go, k, true), "%s (a check of goal '%s')", why, go->name);
        } else if (met) {
            problem(v, (lesson_pos){ go->line, go->name_col },
                    "goal '%s' is already met before the learner does anything", go->name);
        }
    }
    verify_runner_done(v, r);
    return ran;
}

/* (2) The moves are valid input after the setup, run in the order written. */
static void verify_moves(verify *v)
{
    const lesson *l = v->l;
    if (l->nmoves == 0)
        return;
    runner *r = verify_runner(v);
    if (r && run_lines(v, r, l->setup, l->setup_pos, l->nsetup, "in the setup", NULL))
        run_lines(v, r, l->moves, l->moves_pos, l->nmoves, "a move, run after the setup and the moves above it",
                  NULL);
    verify_runner_done(v, r);
}

/* Marks the goals met now; a goal once met stays met (the lab's checklist does the same). */
static void goals_seen(verify *v, runner *r, bool *met)
{
    const lesson *l = v->l;
    for (int g = 0; g < l->ngoals; g++) {
        if (met[g] || v->bad_check[g])
            continue;
        const lesson_goal *go = &l->goals[g];
        int k;
        char why[1024];
        if (lesson_goal_check(r, go, &met[g], &k, why, sizeof why) != 0) {
            v->bad_check[g] = true;
            problem(v, check_at(go, k, true), "%s (a check of goal '%s')", why, go->name);
        }
    }
}

/* (3) The reference solution meets every goal at some moment, and its own expect lines
 * hold. A goal never met is reported with what its checks find at the end. */
static void verify_solution(verify *v)
{
    const lesson *l = v->l;
    bool met[LESSON_GOALS_MAX] = { false };
    runner *r = verify_runner(v);
    if (r && run_lines(v, r, l->setup, l->setup_pos, l->nsetup, "in the setup", NULL) &&
        run_lines(v, r, l->solution, l->solution_pos, l->nsolution, "in the solution", met)) {
        const runner_rec_expect *ex;
        int nex;
        runner_expects(r, &ex, &nex);
        for (int i = 0; i < nex; i++) {
            if (ex[i].ok)
                continue;
            lesson_pos at = { ex[i].line, 1 };
            for (int k = 0; k < l->nsolution; k++)
                if (l->solution_pos[k].line == ex[i].line)
                    at = l->solution_pos[k];
            problem(v, at, "the solution's '%s' does not hold: %s", ex[i].text, ex[i].why);
        }
        for (int g = 0; g < l->ngoals; g++) {
            const lesson_goal *go = &l->goals[g];
            bool now;
            int k;
            char why[2048];
            if (met[g] || v->bad_check[g] || lesson_goal_check(r, go, &now, &k, why, sizeof why) != 0)
                continue;
            problem(v, check_at(go, k, false), "the reference solution never meets goal '%s'; at its end "
                                               "'%s' does not hold: %s", go->name, go->checks[k], why);
        }
    }
    verify_runner_done(v, r);
}

int lesson_verify(const lesson *l, FILE *out)
{
    char num[16] = "--";
    if (l->number > 0)
        snprintf(num, sizeof num, "%02d", l->number);
    /* A file name can hold control characters (the parser refuses them inside a lesson):
     * shown escaped (text.h). */
    char path[1024], error[2048];
    text_escape(l->path, strlen(l->path), path, sizeof path);
    const char *name = l->id[0] ? l->id : path;
    if (l->broken) {
        text_escape(l->error, strlen(l->error), error, sizeof error);
        fprintf(out, "FAIL %s %s: does not load\n  %s\n", num, name, error);
        return 1;
    }
    /* The details go to a buffer first: the verdict line comes before them. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fprintf(out, "FAIL %s %s: cannot verify: out of memory\n", num, name);
        return -1;
    }
    verify v = { .l = l, .out = mem };
    if (verify_start(&v) && !v.ioerr) {
        verify_moves(&v);
        if (!v.ioerr)
            verify_solution(&v);
    }
    fclose(mem);
    int rc;
    if (v.ioerr) {
        fprintf(out, "FAIL %s %s: cannot run the engines\n%s", num, name, buf ? buf : "");
        rc = -1;
    } else if (v.problems) {
        fprintf(out, "FAIL %s %s: %d problem%s\n%s", num, name, v.problems, v.problems == 1 ? "" : "s", buf);
        rc = 1;
    } else {
        fprintf(out, "ok   %s %s: %d goal%s met by the reference solution\n", num, name, l->ngoals,
                l->ngoals == 1 ? "" : "s");
        rc = 0;
    }
    free(buf);
    return rc;
}
