/*
 * bench.h: the benchmark suite's parts (lab/cli/bench/, a file per family), and what they
 * share. `acidbase bench [NAME...] [--json] [--quick] [--dir DIR]` is bench.c's.
 *
 * Every benchmark runs in this one process, next to its reference (the bare fdatasync
 * loop, SQLite, the theory), warms up once, repeats and reports the median, so a run
 * compares ratios measured on the same machine at the same moment. BENCHMARKS.md
 * explains each figure and records the latest results.
 *
 * Families, their files and their figures (the JSON keys):
 *   wal       wal.c       wal_commit_per_s, raw_fdatasync_per_s, sqlite_commit_per_s,
 *                         wal_vs_raw_ratio, wal_vs_sqlite_ratio
 *   group     group.c     group8_commits_per_fsync, group8_commit_per_s, group64_commit_per_s,
 *                         group_full_commit_per_s, group8_vs_full_ratio, group64_vs_full_ratio,
 *                         group64_raw_ceiling_per_s
 *   recovery  recovery.c  redo_records_per_s, log_read_mb_per_s, log_peak_bytes_100k
 *   locks     locks.c     lock_pairs_per_s, deadlock_detect_us
 *   gossip    gossip.c    rounds_n100, rounds_n1000, rounds_n10000, log3_n1000, deliveries_per_s
 *   checker   checker.c   acid_check_ops_per_s, base_check_ops_per_s, acid_check_growth_10x,
 *                         base_check_growth_10x
 *   trace     trace.c     trace_write_events_per_s, trace_read_events_per_s
 *   tui       tui.c       frame_us, step_100k_ms
 *   startup   startup.c   startup_ms, startup_run_ms, startup_lessons_ms, tui_rss_kb
 * A verdict that rests on ratios (wal, group, the checkers' growth) rests on the median of
 * the ratios taken run by run, each run against the reference run beside it; those medians
 * are figures of their own (the *_ratio and *_growth_10x keys), so that --json carries what
 * the verdicts rest on, not only the medians of each side (whose ratio can differ).
 * Shared: util.c (notes, errors, time, statistics, files, the seeded generator), acid.c
 * (driving the ACID engine directly), workload.c (seeded workloads run through the runner),
 * pty.c (the lab on a pseudo-terminal).
 *
 * --json prints one JSON object with exactly those keys, numbers, or null for a figure
 * that was not measured (its benchmark was not asked for, or cannot run yet). --quick
 * runs every benchmark at a tiny size: it checks that the suite works (the test suite
 * runs it), its figures mean little.
 *
 * Timing lives here and only here: the engines never read a clock.
 */
#ifndef AB_BENCH_H
#define AB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "cli/cli.h"
#include "run/runner.h"
#include "acid/engine.h"
#include "base/prng.h"
#include "history/history.h"

enum { BENCH_OK = 0, BENCH_USAGE = 2, BENCH_ERR = 3 };

enum {
    F_WAL, F_RAW, F_SQLITE, F_WAL_RAW_RATIO, F_WAL_SQL_RATIO,
    F_G8_PER_FSYNC, F_G8, F_G64, F_G_FULL, F_G8_RATIO, F_G64_RATIO, F_G64_RAW,
    F_REDO, F_LOGREAD, F_LOG_PEAK,
    F_LOCKS, F_DEADLOCK,
    F_R100, F_R1000, F_R10000, F_LOG3, F_DELIVERIES,
    F_ACIDCHK, F_BASECHK, F_ACID_GROWTH, F_BASE_GROWTH,
    F_TRACE_W, F_TRACE_R,
    F_FRAME, F_STEP,
    F_STARTUP, F_STARTUP_RUN, F_STARTUP_LESSONS, F_RSS,
    F__COUNT
};

/* What one run of the lab on a pseudo-terminal measured (bench_tui, bench_startup). */
typedef struct lab_run {
    double full_us, small_us, rss_kb;
    size_t full_bytes, small_bytes;
    int lines, frames;
    char why[400];             /* not measured: why */
} lab_run;

typedef struct bench {
    bool quick, json;
    int repeats;
    char root[1100];          /* the temporary directory of this run */
    char fsname[160];         /* its file system, for the report */
    double fig[F__COUNT];     /* NAN: not measured */

    lab_run lab;              /* the lab session, once run */
    bool lab_done;
    char *notes;              /* lines printed under the table */
    size_t nnotes, capnotes;
    char err[600];
} bench;

/* The families (bench.c runs them in this order). Each returns 0, or -1 with b->err. */
int bench_wal(bench *b);
int bench_group(bench *b);
int bench_recovery(bench *b);
int bench_locks(bench *b);
int bench_gossip(bench *b);
int bench_checker(bench *b);
int bench_trace(bench *b);
int bench_tui(bench *b);
int bench_startup(bench *b);

/* util.c */
void note(bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double now_s(void);
double median(double *v, int n);       /* sorts v */
void remove_tree(const char *dir);
int subdir(bench *b, const char *name, char *out, size_t n);
const char *fs_type_name(unsigned long t);
uint32_t below(prng *p, uint32_t n);

/* acid.c: the ACID engine driven directly, through its public header. */
typedef struct note_sink {
    int errors;
    char first[512];
} note_sink;
int parse(bench *b, const char *text, sql_stmt *out);
acid_engine *engine_new(bench *b, const char *dir, hist *h, int sessions, int frames, int rows, bool real_sync,
                        note_sink *ns);
int64_t engine_total(acid_engine *e);

/* workload.c: seeded workloads run through the runner, as a learner's lines would be. */
struct app;
typedef struct gen {
    runner *r;
    struct app *app;               /* when set, lines go through the lab's model (app_exec) */
    int lineno;
    prng g;
    int left[ACID_SESSIONS + 1];   /* statements left in each session's transaction */
    size_t seen, ops[2];           /* events counted so far; ops among them (BASE, ACID) */
} gen;
size_t gen_ops(gen *w, bool acid);
int gen_line(bench *b, gen *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int gen_open(bench *b, gen *w, uint64_t seed);
/* The same workloads through the lab's model a (tui/app.h), as a learner's lines. */
void gen_open_app(gen *w, struct app *a, uint64_t seed);
void gen_close(gen *w);
int gen_acid(bench *b, gen *w, size_t ops);
int gen_acid_step(bench *b, gen *w);   /* one more line of gen_acid's workload */
int gen_base(bench *b, gen *w, size_t ops);

/* wal.c, for group.c: count commits over nsess sessions (seconds, or -1); count raw log
 * appends of bytes (sync: an fdatasync after each), as the engine's log would write them. */
double engine_run(bench *b, acid_engine *e, note_sink *ns, int nsess, int count);
double wal_raw_run(bench *b, int fd, uint64_t *off, uint64_t *phys, bool prealloc, const uint8_t *buf,
                   size_t bytes, int n, bool sync);

/* gossip.c */
double gossip_bound(double n);

/* pty.c: the lab on a pseudo-terminal. */
int self_path(bench *b, char *out, size_t n);
int lab_measured(bench *b, lab_run **out);
int pty_session(bench *b, const char *const *args, int steps, int nframes, lab_run *out);

#endif
