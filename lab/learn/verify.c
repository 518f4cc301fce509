/*
 * verify.c: goals and lesson verification (V1-V6 in verify.h).
 *
 * The lab's keys are played here as the lab plays them (lab/tui/session.c): n runs the
 * first queued line; key k runs session Tk's next queued statement, or else replica nk's
 * next queued request, after the scene-setting lines queued before it. V3 presses the keys
 * in turn; V6 asks, line by line, whether the solution could have been played that way or
 * typed under the lesson's controls.
 */
#include "verify.h"
#include "run/grammar.h"
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
    bool quiet_checks;                  /* V2, V3: a bad check was reported already */
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

static bool all_met(const verify *v, const bool *met)
{
    for (int g = 0; g < v->l->ngoals; g++)
        if (!met[g])
            return false;
    return v->l->ngoals > 0;
}

/* The first move, or the goal that opens the lesson's goals: where a problem with the
 * moves as a whole points. */
static lesson_pos moves_at(const lesson *l)
{
    if (l->nmoves)
        return l->moves_pos[0];
    return (lesson_pos){ l->goals[0].line, 1 };
}

/* (V2, V4) The moves are valid input after the setup, run in the order written, and they
 * do not meet every goal; none is a fault. */
static void verify_moves(verify *v)
{
    const lesson *l = v->l;
    for (int i = 0; i < l->nmoves; i++) {
        int c = lesson_line_control(l->moves[i]);
        if (c == LC_CRASH || c == LC_CUT || c == LC_PARTITION || c == LC_HEAL || c == LC_DOWN || c == LC_UP ||
            c == LC_SETTLE)
            problem(v, l->moves_pos[i], "a fault is queued: faults (crash, cut, partition, heal, down, up, settle) "
                                        "are the learner's moves, so that goals can depend on their moment; leave "
                                        "it out of the moves and offer it with 'controls: %s'", lesson_control_name(c));
    }
    if (l->nmoves == 0)
        return;
    bool met[LESSON_GOALS_MAX] = { false };
    runner *r = verify_runner(v);
    v->quiet_checks = true;
    if (r && run_lines(v, r, l->setup, l->setup_pos, l->nsetup, "in the setup", NULL) &&
        run_lines(v, r, l->moves, l->moves_pos, l->nmoves, "a move, run after the setup and the moves above it", met) &&
        all_met(v, met))
        problem(v, moves_at(l), "pressing n alone meets every goal: the moves in the order written are a solution, "
                                "and the learner only watches; make a goal depend on a choice (an order, a level, "
                                "the moment of a fault)");
    v->quiet_checks = false;
    verify_runner_done(v, r);
}

/* The queued line key k runs next (session Tk's next statement, else replica nk's next
 * request, as the lab's keys do), or -1. */
static int key_target(const lesson *l, const bool *taken, int k)
{
    gram_head_info h;
    for (int i = 0; i < l->nmoves; i++) {
        if (taken[i])
            continue;
        gram_head(l->moves[i], &h);
        if (h.kind == SL_SQL && h.session == k)
            return i;
    }
    for (int i = 0; i < l->nmoves; i++) {
        if (taken[i])
            continue;
        gram_head(l->moves[i], &h);
        if (h.kind == SL_CLIENT && h.node == k)
            return i;
    }
    return -1;
}

/* Runs move i in r as the lab would (numbered after the lines so far); a line the runner
 * refuses is dropped, as the lab leaves it unrun. False on an I/O error. */
static bool play(verify *v, runner *r, int i, int *lineno, bool *taken, bool *met)
{
    taken[i] = true;
    int rc = runner_line(r, v->l->moves[i], ++*lineno);
    if (rc == RUN_IOERR) {
        v->ioerr = true;
        return false;
    }
    if (rc == RUN_OK)
        goals_seen(v, r, met);
    return true;
}

/* (V3) The keys pressed in turn, 1 to 9 and again, each running its session's (or
 * replica's) next queued line after the scene-setting lines before it; then n for what is
 * left. This must not meet every goal. */
static void verify_round_robin(verify *v)
{
    const lesson *l = v->l;
    if (l->nmoves == 0)
        return;
    bool met[LESSON_GOALS_MAX] = { false }, *taken = calloc((size_t)l->nmoves, sizeof *taken);
    runner *r = taken ? verify_runner(v) : NULL;
    int lineno = 0;
    for (int i = 0; i < l->nsetup; i++)
        lineno = l->setup_pos[i].line > lineno ? l->setup_pos[i].line : lineno;
    v->quiet_checks = true;
    bool ok = r && run_lines(v, r, l->setup, l->setup_pos, l->nsetup, "in the setup", NULL);
    for (bool progressed = true; ok && progressed && !all_met(v, met);) {
        progressed = false;
        for (int k = 1; k <= 9 && ok && !all_met(v, met); k++) {
            int i = key_target(l, taken, k);
            if (i < 0)
                continue;
            for (int j = 0; j < i && ok; j++)
                if (!taken[j] && !gram_is_actor_line(l->moves[j]))
                    ok = play(v, r, j, &lineno, taken, met);
            ok = ok && play(v, r, i, &lineno, taken, met);
            progressed = true;
        }
    }
    for (int i = 0; ok && i < l->nmoves && !all_met(v, met); i++)
        if (!taken[i])
            ok = play(v, r, i, &lineno, taken, met);
    if (ok && all_met(v, met))
        problem(v, moves_at(l), "pressing the session keys in turn (1, 2, 3, ..., then again) meets every goal: "
                                "the learner need not choose; make a goal depend on a choice (an order, a level, "
                                "the moment of a fault)");
    v->quiet_checks = false;
    verify_runner_done(v, r);
    free(taken);
}

/* A scenario line without its comment and surrounding blanks (scn_line.text), for
 * comparing a solution's line with a queued one; NULL when out of memory. */
static char *bare(const char *line)
{
    scn_line *sl = malloc(sizeof *sl);
    scn_error e;
    char *out = NULL;
    if (sl && scn_parse_line(line, 1, sl, &e) == 0) {
        out = strdup(sl->text);
        scn_line_free(sl);
    } else {
        out = strdup(line);
    }
    free(sl);
    return out;
}

/* (V6) Each line of the solution is a move the lab offers: taken from the queue by n or a
 * key, or allowed by the controls. */
static void verify_playable(verify *v)
{
    const lesson *l = v->l;
    bool *taken = calloc((size_t)l->nmoves + 1, sizeof *taken);
    char **q = calloc((size_t)l->nmoves + 1, sizeof *q);
    bool ok = taken && q;
    for (int i = 0; ok && i < l->nmoves; i++)
        ok = (q[i] = bare(l->moves[i])) != NULL;
    for (int s = 0; ok && s < l->nsolution; s++) {
        char *line = bare(l->solution[s]);
        if (!line) {
            ok = false;
            break;
        }
        int take = -1;
        for (int i = 0; i < l->nmoves && take < 0; i++)
            if (!taken[i]) {
                if (strcmp(q[i], line) == 0)
                    take = i;   /* n */
                break;
            }
        gram_head_info h;
        gram_head(line, &h);
        int key = h.kind == SL_SQL ? h.session : h.kind == SL_CLIENT ? h.node : 0;
        if (take < 0 && key > 0) {
            int i = key_target(l, taken, key);
            bool clear = i >= 0 && strcmp(q[i], line) == 0;
            for (int j = 0; clear && j < i; j++)
                clear = taken[j] || gram_is_actor_line(l->moves[j]);
            if (clear)
                take = i;
        }
        char why[512];
        if (take >= 0)
            taken[take] = true;
        else if (!lesson_allows(l, line, why, sizeof why))
            problem(v, l->solution_pos[s], "the learner cannot make this move: it is not the next queued line, nor "
                                           "the next of its session or replica with only other actors' lines "
                                           "before it, and %s (add it to controls:, or queue the line)", why);
        free(line);
    }
    for (int i = 0; q && i < l->nmoves; i++)
        free(q[i]);
    free(q);
    free(taken);
    if (!ok)
        v->ioerr = true;
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
            if (!v->quiet_checks)
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
            verify_round_robin(&v);
        if (!v.ioerr)
            verify_solution(&v);
        if (!v.ioerr)
            verify_playable(&v);
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
        fprintf(out, "ok   %s %s: %d goal%s met by the reference solution, not by the moves in order or in turn\n",
                num, name, l->ngoals, l->ngoals == 1 ? "" : "s");
        rc = 0;
    }
    free(buf);
    return rc;
}
