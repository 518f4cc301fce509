/*
 * checker.c: the checker benchmark: each checker over a history and one ten times
 * as long, through the checkers' table (lab/run/findings.h). See bench.h and BENCHMARKS.md.
 */
#include "bench.h"
#include "run/findings.h"
#include "run/runner.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/lock.h"
#include "acid/store.h"
#include "base/cluster.h"
#include "base/crc32c.h"
#include "base/net.h"
#include "base/prng.h"
#include "base/wire.h"
#include "history/acidcheck.h"
#include "history/history.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>


typedef struct chk_time { double secs, best, decoded; size_t ops, events; int findings; } chk_time;

/* A copy of h whose events are encoded and not yet decoded, as a history is when its
 * events are new (history.h: events are recorded encoded and decoded when first read; a
 * decoded copy stays until hist_free). A checker run over a history it has read before
 * would time reading decoded copies only; the lab's checkers meet every event fresh. */
static hist *fresh_copy(const hist *h)
{
    hist *c = hist_new();
    size_t n = hist_count(h);
    for (size_t i = 0; c && i < n; i++) {
        const hist_event *e = hist_get(h, i);
        hist_set_tick(c, e->tick);
        hist_event *x = hist_add(c, (hist_side)e->side, (hist_kind)e->kind);
        if (!x) {
            hist_free(c);
            return NULL;
        }
        x->session = e->session;
        x->db = e->db;
        x->node = e->node;
        x->node2 = e->node2;
        x->txn = e->txn;
        x->key = e->key;
        memcpy(x->n, e->n, sizeof x->n);
        if (e->table)
            hist_set_table(c, x, e->table);
        if (e->text)
            hist_set_text(c, x, e->text);
        if (e->nrows)
            hist_set_rows(c, x, e->rows, e->nrows);
        if (hist_txn2(e))
            hist_set_txn2(c, x, hist_txn2(e));
        if (hist_actor(e))
            hist_set_actor(c, x, hist_actor(e));
        if (hist_pred(e))
            hist_set_pred(c, x, hist_pred(e));
        if (hist_ntxns(e))
            hist_set_txns(c, x, hist_txns(e), hist_ntxns(e));
    }
    return c;
}

/* One run of a checker over a fresh copy of w's whole history (fresh_copy, made before the
 * clock starts), as findings_get runs it (findings.c): the transactions' labels, then the
 * checker's row of the table: open, one update with every event, its findings, close; the
 * first of these reads decode the events. Seconds, or -1 (out of memory). *check_only gets
 * the checker alone over the copy once decoded and labelled (what the figure measured
 * before issue 15). */
static double check_once(bench *b, gen *w, bool acid, int *nf, double *check_only)
{
    hist *h = fresh_copy(runner_history(w->r));
    if (!h)
        return fail(b, "bench: out of memory");
    const checker_ops *ck = findings_checker(acid ? 0 : 1);
    check_labels *lb = check_labels_new();
    finding_list f = { 0 };
    double dt = 0;
    int rc = !lb;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        double t0 = now_s();
        /* The labels first, as findings_get does them (findings.c): the first read of the
         * fresh events, timed with the checker since issue 15. */
        if (pass == 0 && check_labels_update(lb, h, 0, hist_count(h))) {
            rc = 1;
            break;
        }
        void *st = ck->open();
        rc = !st || ck->update(st, h, 0, hist_count(h), lb) || ck->report(st, &f);
        if (st)
            ck->close(st);
        if (pass == 0)
            dt = now_s() - t0;
        else
            *check_only = now_s() - t0;
        *nf = f.n;
        finding_list_free(&f);
    }
    check_labels_free(lb);
    hist_free(h);
    if (rc)
        return fail(b, "bench: the %s checker ran out of memory", acid ? "ACID" : "BASE");
    return dt;
}

/* The checker over a history of ops operations and one of 10 x ops, the two runs taking
 * turns (after a warm-up each), so that a drift of the machine's speed affects both alike;
 * growth: the median of the run-by-run ratios, normalised to exactly 10 x the operations. */
static int time_checker(bench *b, bool acid, size_t ops, int reps, chk_time *small, chk_time *big,
                        double *growth, double *dgrowth)
{
    gen w[2];
    chk_time *out[2] = { small, big };
    double t[2][32], ratio[32], dec[2][32], dratio[32];
    int rc = -1, nf[2] = { 0, 0 };
    bool open[2] = { false, false };
    for (int k = 0; k < 2; k++) {
        if (gen_open(b, &w[k], acid ? 5 : 6))
            goto out;
        open[k] = true;
        if (acid ? gen_acid(b, &w[k], k ? ops * 10 : ops) : gen_base(b, &w[k], k ? ops * 10 : ops))
            goto out;
    }
    double scale = (double)gen_ops(&w[1], acid) / (double)gen_ops(&w[0], acid);
    for (int r = -1; r < reps; r++) {
        double dt[2], dd[2];
        for (int k = 0; k < 2; k++)
            if ((dt[k] = check_once(b, &w[k], acid, &nf[k], &dd[k])) < 0)
                goto out;
        if (r >= 0) {
            t[0][r] = dt[0];
            t[1][r] = dt[1];
            dec[0][r] = dd[0];
            dec[1][r] = dd[1];
            ratio[r] = dt[1] / dt[0] / scale * 10.0;
            dratio[r] = dd[1] / dd[0] / scale * 10.0;
        }
    }
    *growth = median(ratio, reps);
    *dgrowth = median(dratio, reps);
    for (int k = 0; k < 2; k++) {
        out[k]->secs = median(t[k], reps);   /* sorts t[k] */
        out[k]->best = t[k][0];
        out[k]->decoded = median(dec[k], reps);
        out[k]->ops = gen_ops(&w[k], acid);
        out[k]->events = hist_count(runner_history(w[k].r));
        out[k]->findings = nf[k];
    }
    rc = 0;
out:
    for (int k = 0; k < 2; k++)
        if (open[k])
            gen_close(&w[k]);
    return rc;
}

#define CHECK_RUNS 9

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Incremental checking as the lab does it: a checker kept beside a history of about
 * 100,000 events, updated after each further line of the workload. Microseconds per step:
 * the median and the slowest of the steps, and the slowest in this thread's CPU time (on
 * a shared machine the wall clock of one step also holds whatever ran instead of it). */
static int time_checker_steps(bench *b, double *med_us, double *max_us, double *max_cpu_us, size_t *events)
{
    gen w;
    int nsteps = b->quick ? 50 : 2000, rc = -1;
    double *t = malloc((size_t)nsteps * sizeof *t);
    *max_cpu_us = 0;
    acid_checker *k = acidcheck_new();
    if (!t || !k || gen_open(b, &w, 7)) {
        free(t);
        acidcheck_close(k);
        return fail(b, "bench: out of memory");
    }
    if (gen_acid(b, &w, b->quick ? 500 : 7700) || acidcheck_update(k, runner_history(w.r)))
        goto out;
    for (int i = 0; i < nsteps; i++) {
        if (gen_acid_step(b, &w))
            goto out;
        double t0 = now_s(), c0 = cpu_s();
        if (acidcheck_update(k, runner_history(w.r))) {
            fail(b, "bench: the ACID checker ran out of memory");
            goto out;
        }
        (void)acidcheck_findings(k);
        t[i] = (now_s() - t0) * 1e6;
        double cu = (cpu_s() - c0) * 1e6;
        if (cu > *max_cpu_us)
            *max_cpu_us = cu;
    }
    *events = hist_count(runner_history(w.r));
    *max_us = 0;
    for (int i = 0; i < nsteps; i++)
        if (t[i] > *max_us)
            *max_us = t[i];
    *med_us = median(t, nsteps);
    rc = 0;
out:
    gen_close(&w);
    acidcheck_close(k);
    free(t);
    return rc;
}

int bench_checker(bench *b)
{
    double med_us = 0, max_us = 0, max_cpu_us = 0;
    size_t events = 0;
    if (time_checker_steps(b, &med_us, &max_us, &max_cpu_us, &events))
        return -1;
    note(b, "checker: ACID, incremental: one line of the workload at about %zu events costs %.1f us to check "
            "(median of %d steps; slowest %.1f us, %.1f us of CPU)", events, med_us, b->quick ? 50 : 2000, max_us,
         max_cpu_us);
    size_t base_ops = b->quick ? 1000 : 100000;
    for (int side = 0; side < 2; side++) {
        bool acid = side == 0;
        chk_time small, big;
        double growth, dgrowth;
        if (time_checker(b, acid, base_ops, b->quick ? 1 : CHECK_RUNS, &small, &big, &growth, &dgrowth))
            return -1;
        double rate = (double)small.ops / small.secs;
        double growth_best = (big.best / small.best) / ((double)big.ops / (double)small.ops) * 10.0;
        double growth_med = (big.secs / small.secs) / ((double)big.ops / (double)small.ops) * 10.0;
        b->fig[acid ? F_ACIDCHK : F_BASECHK] = rate;
        b->fig[acid ? F_ACID_GROWTH : F_BASE_GROWTH] = growth;
        note(b, "checker: %s: each run checks a fresh copy of the history, decoding every event as it first reads "
                "it (as the lab's checkers meet new events); the same check over the copy once decoded takes %.3f s "
                "(%.0f ops/s), and grows %.2f x for 10 x the ops (before issue 15 the figures were taken so, on a "
                "history already decoded, without the labels)",
             acid ? "ACID" : "BASE", small.decoded, (double)small.ops / small.decoded, dgrowth);
        note(b, "checker: %s: %zu ops (%zu events, %d findings) in %.3f s (fastest %.3f s); %zu ops (%zu events, %d "
                "findings) in %.3f s (fastest %.3f s): 10x the ops takes %.2fx the time, run by run (the median of "
                "%d paired runs; %.2fx fastest against fastest, %.2fx median against median; normalised to exactly "
                "10x ops; target <= 12)",
             acid ? "ACID" : "BASE", small.ops, small.events, small.findings, small.secs, small.best, big.ops,
             big.events, big.findings, big.secs, big.best, growth, b->quick ? 1 : CHECK_RUNS, growth_best, growth_med);
    }
    note(b, "checker: histories come from seeded workloads run through the runner (ACID: 8 sessions at mixed isolation "
            "levels over 200 rows; BASE: 5 replicas, 3 clients, partitions); ops are the events each checker reads; "
            "the short and the long history's runs take turns");
    return 0;
}

