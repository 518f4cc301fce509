/*
 * bench.c: `acidbase bench`: the figures' table, the verdicts, the output (a table or
 * one JSON object) and the command. The benchmarks are their families' files (bench.h).
 */
#include "bench.h"
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


/* --- the figures ---------------------------------------------------------------------------- */

typedef struct fig_def {
    const char *key;
    const char *bench;
    const char *unit;
    const char *target;   /* as the readable table shows it; "" for a reference figure */
} fig_def;

static const fig_def figs[F__COUNT] = {
    [F_WAL] = { "wal_commit_per_s", "wal", "commits/s", ">= 0.8 x raw, >= 1.0 x sqlite (ratios)" },
    [F_RAW] = { "raw_fdatasync_per_s", "wal", "syncs/s", "" },
    [F_SQLITE] = { "sqlite_commit_per_s", "wal", "commits/s", "" },
    [F_WAL_RAW_RATIO] = { "wal_vs_raw_ratio", "wal", "x", ">= 0.8 (run by run)" },
    [F_WAL_SQL_RATIO] = { "wal_vs_sqlite_ratio", "wal", "x", ">= 1.0 (run by run)" },
    [F_G8_PER_FSYNC] = { "group8_commits_per_fsync", "group", "commits", "" },
    [F_G8] = { "group8_commit_per_s", "group", "commits/s", ">= 5 x sync full (ratio)" },
    [F_G64] = { "group64_commit_per_s", "group", "commits/s", ">= 25 x sync full (ratio)" },
    [F_G_FULL] = { "group_full_commit_per_s", "group", "commits/s", "" },
    [F_G8_RATIO] = { "group8_vs_full_ratio", "group", "x", ">= 5 (run by run)" },
    [F_G64_RATIO] = { "group64_vs_full_ratio", "group", "x", ">= 25 (run by run)" },
    [F_G64_RAW] = { "group64_raw_ceiling_per_s", "group", "commits/s", "" },
    [F_REDO] = { "redo_records_per_s", "recovery", "records/s", ">= 2,000,000" },
    [F_LOGREAD] = { "log_read_mb_per_s", "recovery", "MB/s", "" },
    [F_LOG_PEAK] = { "log_peak_bytes_100k", "recovery", "bytes", "< 1,048,576" },
    [F_LOCKS] = { "lock_pairs_per_s", "locks", "pairs/s", ">= 10,000,000" },
    [F_DEADLOCK] = { "deadlock_detect_us", "locks", "us", "< 1,000" },
    [F_R100] = { "rounds_n100", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_R1000] = { "rounds_n1000", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_R10000] = { "rounds_n10000", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_LOG3] = { "log3_n1000", "gossip", "rounds", "" },
    [F_DELIVERIES] = { "deliveries_per_s", "gossip", "msgs/s", ">= 5,000,000" },
    [F_ACIDCHK] = { "acid_check_ops_per_s", "checker", "ops/s", ">= 200,000; 10x ops <= 12x time" },
    [F_BASECHK] = { "base_check_ops_per_s", "checker", "ops/s", ">= 200,000; 10x ops <= 12x time" },
    [F_ACID_GROWTH] = { "acid_check_growth_10x", "checker", "x", "<= 12 (run by run)" },
    [F_BASE_GROWTH] = { "base_check_growth_10x", "checker", "x", "<= 12 (run by run)" },
    [F_TRACE_W] = { "trace_write_events_per_s", "trace", "events/s", ">= 200,000" },
    [F_TRACE_R] = { "trace_read_events_per_s", "trace", "events/s", ">= 200,000" },
    [F_FRAME] = { "frame_us", "tui", "us", "< 2,000" },
    [F_STEP] = { "step_100k_ms", "tui", "ms", "< 5" },
    [F_STARTUP] = { "startup_ms", "startup", "ms", "< 20" },
    [F_STARTUP_RUN] = { "startup_run_ms", "startup", "ms", "< 50" },
    [F_STARTUP_LESSONS] = { "startup_lessons_ms", "startup", "ms", "< 50" },
    [F_RSS] = { "tui_rss_kb", "startup", "kB", "< 20,000" },
};

static const char *const bench_names[] = {
    "wal", "group", "recovery", "locks", "gossip", "checker", "trace", "tui", "startup",
};
#define NBENCH ((int)(sizeof bench_names / sizeof *bench_names))

/* --- output ------------------------------------------------------------------------------------- */

typedef enum { V_NA, V_PASS, V_FAIL, V_REF } verdict;

static verdict judge(const bench *b, int f)
{
    const double *x = b->fig;
    double v = x[f];
    if (isnan(v))
        return V_NA;
    switch (f) {
    case F_WAL:
        return x[F_WAL_RAW_RATIO] >= 0.8 && x[F_WAL_SQL_RATIO] >= 1.0 ? V_PASS : V_FAIL;
    case F_WAL_RAW_RATIO: return v >= 0.8 ? V_PASS : V_FAIL;
    case F_WAL_SQL_RATIO: return v >= 1.0 ? V_PASS : V_FAIL;
    case F_G8:
    case F_G8_RATIO: return x[F_G8_RATIO] >= 5 ? V_PASS : V_FAIL;
    case F_G64:
    case F_G64_RATIO: return x[F_G64_RATIO] >= 25 ? V_PASS : V_FAIL;
    case F_REDO: return v >= 2e6 ? V_PASS : V_FAIL;
    case F_LOG_PEAK: return v < 1048576 ? V_PASS : V_FAIL;
    case F_LOCKS: return v >= 1e7 ? V_PASS : V_FAIL;
    case F_DEADLOCK: return v < 1000 ? V_PASS : V_FAIL;
    case F_R100: return v <= gossip_bound(100) ? V_PASS : V_FAIL;
    case F_R1000: return v <= gossip_bound(1000) ? V_PASS : V_FAIL;
    case F_R10000: return v <= gossip_bound(10000) ? V_PASS : V_FAIL;
    case F_DELIVERIES: return v >= 5e6 ? V_PASS : V_FAIL;
    case F_ACIDCHK: return v >= 2e5 && x[F_ACID_GROWTH] <= 12 ? V_PASS : V_FAIL;
    case F_BASECHK: return v >= 2e5 && x[F_BASE_GROWTH] <= 12 ? V_PASS : V_FAIL;
    case F_ACID_GROWTH:
    case F_BASE_GROWTH: return v <= 12 ? V_PASS : V_FAIL;
    case F_TRACE_W:
    case F_TRACE_R: return v >= 2e5 ? V_PASS : V_FAIL;
    case F_FRAME: return v < 2000 ? V_PASS : V_FAIL;
    case F_STEP: return v < 5 ? V_PASS : V_FAIL;
    case F_STARTUP: return v < 20 ? V_PASS : V_FAIL;
    case F_STARTUP_RUN:
    case F_STARTUP_LESSONS: return v < 50 ? V_PASS : V_FAIL;
    case F_RSS: return v < 20000 ? V_PASS : V_FAIL;
    }
    return V_REF;
}

static void fmt_num(double v, char *buf, size_t n)
{
    if (isnan(v) || isinf(v))
        snprintf(buf, n, "null");
    else if (fabs(v) >= 1000 || v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 10)
        snprintf(buf, n, "%.1f", v);
    else
        snprintf(buf, n, "%.3f", v);
}

static void print_json(const bench *b)
{
    printf("{");
    for (int f = 0; f < F__COUNT; f++) {
        char num[64];
        fmt_num(b->fig[f], num, sizeof num);
        printf("%s\n  \"%s\": %s", f ? "," : "", figs[f].key, num);
    }
    printf("\n}\n");
}

static void print_table(const bench *b, const bool *asked)
{
    static const char *const vname[] = { "n.a.", "PASS", "FAIL", "ref" };
    printf("%-10s %-26s %14s %-10s %-34s %s\n", "benchmark", "figure", "value", "unit", "target", "verdict");
    for (int f = 0; f < F__COUNT; f++) {
        int bi = 0;
        while (bi < NBENCH && strcmp(bench_names[bi], figs[f].bench))
            bi++;
        if (bi < NBENCH && !asked[bi])
            continue;
        char num[64];
        fmt_num(b->fig[f], num, sizeof num);
        if (isnan(b->fig[f]))
            snprintf(num, sizeof num, "-");
        verdict v = judge(b, f);
        printf("%-10s %-26s %14s %-10s %-34s %s\n", figs[f].bench, figs[f].key, num, figs[f].unit,
               figs[f].target[0] ? figs[f].target : "(reference)", vname[v]);
    }
    if (b->notes) {
        printf("\n");
        fputs(b->notes, stdout);
    }
}

/* --- the command -------------------------------------------------------------------------------- */

static const char *bench_help =
    "usage: acidbase bench [NAME...] [--json] [--quick] [--dir DIR]\n"
    "\n"
    "Runs the benchmark suite (all of it, or the NAMEd benchmarks) and prints each figure\n"
    "with its target and PASS, FAIL or n.a. Each benchmark warms up, repeats and reports the\n"
    "median; references (the disk's bare fdatasync loop, SQLite) run in the same process and\n"
    "the same loop. BENCHMARKS.md explains every figure.\n"
    "\n"
    "benchmarks: wal group recovery locks gossip checker trace tui startup\n"
    "\n"
    "options:\n"
    "  --json      print one JSON object: every figure name as a key, a number or null\n"
    "  --quick     tiny sizes, one repeat: checks that the suite works; the figures mean little\n"
    "  --dir DIR   put the benchmark's files in a temporary directory under DIR (default:\n"
    "              $TMPDIR or /tmp); the file system there is what wal and group measure\n"
    "  --help\n"
    "\n"
    "exit status: 0 the benchmarks ran (missed targets are reported, not an error);\n"
    "2 bad usage; 3 an I/O or engine error.\n";

typedef int (*bench_fn)(bench *b);
static const bench_fn bench_fns[NBENCH] = {
    bench_wal, bench_group, bench_recovery, bench_locks, bench_gossip, bench_checker, bench_trace,
    bench_tui, bench_startup,
};

int cmd_bench(int argc, char **argv, const cli_globals *g)
{
    (void)g;
    bool asked[NBENCH] = { false }, any = false;
    const char *dir = NULL;
    bench b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(bench_help, stdout);
            return BENCH_OK;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return BENCH_OK;
        } else if (!strcmp(a, "--json")) {
            b.json = true;
        } else if (!strcmp(a, "--quick")) {
            b.quick = true;
        } else if (!strcmp(a, "--dir")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "acidbase: bench: --dir needs a directory\n(see acidbase bench --help)\n");
                return BENCH_USAGE;
            }
            dir = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "acidbase: bench: unknown option '%s'\n(see acidbase bench --help)\n", a);
            return BENCH_USAGE;
        } else {
            int k = 0;
            while (k < NBENCH && strcmp(bench_names[k], a))
                k++;
            if (k == NBENCH) {
                fprintf(stderr, "acidbase: bench: no benchmark named '%s' (there are: wal group recovery locks "
                                "gossip checker trace tui startup)\n", a);
                return BENCH_USAGE;
            }
            asked[k] = any = true;
        }
    }
    if (!any)
        for (int k = 0; k < NBENCH; k++)
            asked[k] = true;
    for (int f = 0; f < F__COUNT; f++)
        b.fig[f] = NAN;
    b.repeats = b.quick ? 1 : 5;

    if (!dir) {
        dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
    }
    snprintf(b.root, sizeof b.root, "%s/acidbase-bench-XXXXXX", dir);
    if (!mkdtemp(b.root)) {
        fprintf(stderr, "acidbase: bench: cannot create a directory in %s: %s\n", dir, strerror(errno));
        return BENCH_ERR;
    }
    struct statfs sf;
    if (statfs(b.root, &sf) == 0)
        snprintf(b.fsname, sizeof b.fsname, "%s (f_type 0x%lx)", fs_type_name((unsigned long)sf.f_type),
                 (unsigned long)sf.f_type);
    else
        snprintf(b.fsname, sizeof b.fsname, "unknown");
    if (!b.json) {
        printf("acidbase bench%s: files in %s, on %s\n\n", b.quick ? " --quick (tiny sizes: the figures mean little)" : "",
               b.root, b.fsname);
        fflush(stdout);
    }

    int rc = BENCH_OK;
    for (int k = 0; k < NBENCH && rc == BENCH_OK; k++) {
        if (!asked[k])
            continue;
        if (!b.json) {
            fprintf(stderr, "bench: %s...\n", bench_names[k]);
        }
        double t0 = now_s();
        if (bench_fns[k](&b)) {
            fprintf(stderr, "acidbase: %s\n", b.err);
            rc = BENCH_ERR;
        }
        if (!b.quick && !b.json)
            fprintf(stderr, "bench: %s took %.1f s\n", bench_names[k], now_s() - t0);
    }
    remove_tree(b.root);
    /* After an error too: what was measured before it. */
    if (b.json)
        print_json(&b);
    else
        print_table(&b, asked);
    free(b.notes);
    return rc;
}

