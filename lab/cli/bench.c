/*
 * bench.c: the benchmark suite. See bench.h for the command and BENCHMARKS.md for what
 * each figure means and the latest results.
 *
 * Method, everywhere: one warm-up run, then REPEATS timed runs, the median reported.
 * Where a figure is compared with a reference (the disk's bare fdatasync loop, SQLite),
 * the two are run alternately in the same loop, so that both see the same machine noise.
 * The files go in one temporary directory (under --dir, else $TMPDIR or /tmp), whose file
 * system is printed with the results.
 *
 * Not here: anything an engine needs. The engines are driven only through their public
 * headers, exactly as the lab drives them (histories on, real fdatasync) unless a figure
 * says otherwise.
 */
#include "bench.h"
#include "run/runner.h"
#include "trace/trace.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/lock.h"
#include "acid/recovery.h"
#include "acid/store.h"
#include "acid/view.h"
#include "base/cluster.h"
#include "base/crc32c.h"
#include "base/net.h"
#include "base/prng.h"
#include "base/wire.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"
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

extern char **environ;

enum { BENCH_OK = 0, BENCH_USAGE = 2, BENCH_ERR = 3 };

/* --- the figures ---------------------------------------------------------------------------- */

enum {
    F_WAL, F_RAW, F_SQLITE,
    F_G8_PER_FSYNC, F_G8, F_G64,
    F_REDO, F_LOGREAD,
    F_LOCKS, F_DEADLOCK,
    F_R100, F_R1000, F_R10000, F_LOG3, F_DELIVERIES,
    F_ACIDCHK, F_BASECHK,
    F_TRACE_W, F_TRACE_R,
    F_FRAME,
    F_STARTUP, F_RSS,
    F__COUNT
};

typedef struct fig_def {
    const char *key;
    const char *bench;
    const char *unit;
    const char *target;   /* as the readable table shows it; "" for a reference figure */
} fig_def;

static const fig_def figs[F__COUNT] = {
    [F_WAL] = { "wal_commit_per_s", "wal", "commits/s", ">= 0.8 x raw, >= 1.0 x sqlite (notes)" },
    [F_RAW] = { "raw_fdatasync_per_s", "wal", "syncs/s", "" },
    [F_SQLITE] = { "sqlite_commit_per_s", "wal", "commits/s", "" },
    [F_G8_PER_FSYNC] = { "group8_commits_per_fsync", "group", "commits", "" },
    [F_G8] = { "group8_commit_per_s", "group", "commits/s", ">= 5 x sync full (notes)" },
    [F_G64] = { "group64_commit_per_s", "group", "commits/s", ">= 25 x sync full (notes)" },
    [F_REDO] = { "redo_records_per_s", "recovery", "records/s", ">= 2,000,000" },
    [F_LOGREAD] = { "log_read_mb_per_s", "recovery", "MB/s", "" },
    [F_LOCKS] = { "lock_pairs_per_s", "locks", "pairs/s", ">= 10,000,000" },
    [F_DEADLOCK] = { "deadlock_detect_us", "locks", "us", "< 1,000" },
    [F_R100] = { "rounds_n100", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_R1000] = { "rounds_n1000", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_R10000] = { "rounds_n10000", "gossip", "rounds", "<= 1.5 x (log3 N + ln ln N)" },
    [F_LOG3] = { "log3_n1000", "gossip", "rounds", "" },
    [F_DELIVERIES] = { "deliveries_per_s", "gossip", "msgs/s", ">= 5,000,000" },
    [F_ACIDCHK] = { "acid_check_ops_per_s", "checker", "ops/s", ">= 200,000; 10x ops <= 12x time" },
    [F_BASECHK] = { "base_check_ops_per_s", "checker", "ops/s", ">= 200,000; 10x ops <= 12x time" },
    [F_TRACE_W] = { "trace_write_events_per_s", "trace", "events/s", ">= 200,000" },
    [F_TRACE_R] = { "trace_read_events_per_s", "trace", "events/s", ">= 200,000" },
    [F_FRAME] = { "frame_us", "tui", "us", "< 2,000" },
    [F_STARTUP] = { "startup_ms", "startup", "ms", "< 20" },
    [F_RSS] = { "tui_rss_kb", "startup", "kB", "< 20,000" },
};

static const char *const bench_names[] = {
    "wal", "group", "recovery", "locks", "gossip", "checker", "trace", "tui", "startup",
};
#define NBENCH ((int)(sizeof bench_names / sizeof *bench_names))

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
    /* Verdicts that need more than one figure or a figure outside the JSON. */
    double acid_growth, base_growth;     /* time ratio of the 10x history */
    double g8_ratio, g64_ratio;          /* group rates over the sync-full runs beside them */
    double wal_raw_ratio, wal_sql_ratio; /* engine over raw, over sqlite, run by run (median) */
    lab_run lab;              /* the lab session, once run */
    bool lab_done;
    char *notes;              /* lines printed under the table */
    size_t nnotes, capnotes;
    char err[600];
} bench;

static void note(bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(bench *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    if (b->nnotes + len + 2 > b->capnotes) {
        size_t cap = b->capnotes ? b->capnotes * 2 : 4096;
        while (cap < b->nnotes + len + 2)
            cap *= 2;
        char *p = realloc(b->notes, cap);
        if (!p)
            return;
        b->notes = p;
        b->capnotes = cap;
    }
    memcpy(b->notes + b->nnotes, line, len);
    b->nnotes += len;
    b->notes[b->nnotes++] = '\n';
    b->notes[b->nnotes] = 0;
}

static int fail(bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(bench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- time, statistics, files ---------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under the run's root. */
static int subdir(bench *b, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", b->root, name);
    remove_tree(out);
    if (mkdir(out, 0700) != 0)
        return fail(b, "cannot create %s: %s", out, strerror(errno));
    return 0;
}

static const char *fs_type_name(unsigned long t)
{
    switch (t) {
    case 0xEF53: return "ext4 (or ext2/ext3)";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    case 0x65735546: return "fuse";
    case 0xF2F52010: return "f2fs";
    }
    return "unknown";
}

/* --- a seeded generator for workloads (the engines' own, so runs are repeatable) ------------- */

static uint32_t below(prng *p, uint32_t n)
{
    return (uint32_t)prng_below(p, n);
}

/* --- driving the ACID engine ------------------------------------------------------------------ */

typedef struct note_sink {
    int errors;
    char first[512];
} note_sink;

static void on_engine_note(void *arg, const acid_note *n)
{
    note_sink *s = arg;
    if (n->kind == NOTE_ERROR || (n->kind == NOTE_ENGINE && strncmp(n->msg, "I/O error", 9) == 0)) {
        if (!s->errors++)
            snprintf(s->first, sizeof s->first, "%s%s%s", n->stmt ? n->stmt : "", n->stmt ? ": " : "", n->msg);
    }
}

static int parse(bench *b, const char *text, sql_stmt *out)
{
    sql_error e;
    if (sql_parse(text, 1, 1, out, &e))
        return fail(b, "bench: cannot parse '%s'", text);
    return 0;
}

static int engine_setup(bench *b, acid_engine *e, const char *text)
{
    sql_stmt s;
    if (parse(b, text, &s))
        return -1;
    char msg[256] = "";
    int line, col;
    int rc = acid_validate(e, &s, msg, sizeof msg, &line, &col);
    if (!rc)
        rc = acid_setup(e, &s, msg, sizeof msg);
    sql_free(&s);
    if (rc)
        return fail(b, "bench: setup '%s': %s", text, msg);
    return 0;
}

/* An engine in dir with a table bench(id, v) holding rows 1..rows (v = 0). real_sync false
 * measures the engine's own work: the bookkeeping of durability stays, the platter goes. */
static acid_engine *engine_new(bench *b, const char *dir, hist *h, int sessions, int frames, int rows,
                               bool real_sync, note_sink *ns)
{
    acid_options o = { .dir = dir, .frames = frames, .real_sync = real_sync, .sessions = sessions };
    char err[600];
    acid_engine *e = acid_open(&o, h, on_engine_note, ns, err, sizeof err);
    if (!e) {
        fail(b, "bench: cannot open the engine in %s: %s", dir, err);
        return NULL;
    }
    if (engine_setup(b, e, "CREATE TABLE bench (id INT PRIMARY KEY, v INT)")) {
        acid_close(e);
        return NULL;
    }
    for (int k = 1; k <= rows; k++) {
        char text[128];
        snprintf(text, sizeof text, "INSERT INTO bench VALUES (%d, 0)", k);
        if (engine_setup(b, e, text)) {
            acid_close(e);
            return NULL;
        }
    }
    return e;
}

/* Sum of v over the committed rows: every commit added one. */
static int64_t engine_total(acid_engine *e)
{
    acid_row *rows = NULL;
    int n = 0;
    int64_t sum = 0;
    if (acid_committed_rows(e, "bench", &rows, &n))
        return -1;
    for (int i = 0; i < n; i++)
        sum += rows[i].value;
    free(rows);
    return sum;
}

/* --- wal: single-row commits, the engine against the disk and SQLite ------------------------------ */

/* count autocommit UPDATEs, session k adding one to row k, sessions 1..nsess in turn
 * (count a multiple of nsess, so that every group completes). The statements are parsed
 * before the clock starts, as SQLite's is prepared once: what is timed is acid_submit.
 * Returns the seconds, or -1. */
static double engine_run(bench *b, acid_engine *e, note_sink *ns, int nsess, int count)
{
    sql_stmt *v = calloc((size_t)count, sizeof *v);
    if (!v)
        return fail(b, "bench: out of memory");
    for (int i = 0; i < count; i++) {
        char text[96];
        snprintf(text, sizeof text, "UPDATE bench SET v = v + 1 WHERE id = %d", i % nsess + 1);
        if (parse(b, text, &v[i])) {
            for (int j = 0; j < i; j++)
                sql_free(&v[j]);
            free(v);
            return -1;
        }
    }
    double t0 = now_s();
    for (int i = 0; i < count; i++)
        acid_submit(e, i % nsess + 1, &v[i]);
    double t = now_s() - t0;
    for (int i = 0; i < count; i++)
        sql_free(&v[i]);   /* emptied by acid_submit: nothing left to free */
    free(v);
    if (ns->errors)
        return fail(b, "bench: engine statement failed: %s", ns->first);
    for (int k = 1; k <= nsess; k++)
        if (acid_session_state(e, k) != AS_COMMITTED)
            return fail(b, "bench: session %d's last UPDATE did not commit", k);
    return t;
}

/* The bare loop: bytes appended at *off, one fdatasync each (none when !sync). With prealloc the file grows
 * the way the engine's log does (fio.c): zeros up to the next chunk boundary (at least
 * WAL_PREALLOC, more as the file grows: fio_prealloc_step) are written whenever the end
 * passes the file's physical size, so appends overwrite allocated blocks; without it the
 * file grows at every append. */
static double wal_raw_run(bench *b, int fd, uint64_t *off, uint64_t *phys, bool prealloc, const uint8_t *buf,
                          size_t bytes, int n, bool sync)
{
    static const uint8_t zeros[WAL_PREALLOC];
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        if (pwrite(fd, buf, bytes, (off_t)*off) != (ssize_t)bytes)
            return fail(b, "bench: raw write failed: %s", strerror(errno));
        *off += bytes;
        if (prealloc && *off > *phys) {
            uint64_t step = fio_prealloc_step(*off, WAL_PREALLOC);
            uint64_t upto = (*off / step + 1) * step;
            for (uint64_t at = *off; at < upto;) {
                size_t k = upto - at < sizeof zeros ? (size_t)(upto - at) : sizeof zeros;
                if (pwrite(fd, zeros, k, (off_t)at) != (ssize_t)k)
                    return fail(b, "bench: raw write failed: %s", strerror(errno));
                at += k;
            }
            *phys = upto;
        }
        if (sync && fdatasync(fd) != 0)
            return fail(b, "bench: fdatasync failed: %s", strerror(errno));
    }
    return now_s() - t0;
}

static double wal_sqlite_run(bench *b, sqlite3_stmt *st, int n)
{
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail(b, "bench: sqlite UPDATE failed: %s", sqlite3_errstr(rc));
    }
    return now_s() - t0;
}

static sqlite3 *sqlite_open(bench *b, const char *path, sqlite3_stmt **upd)
{
    sqlite3 *db = NULL;
    *upd = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fail(b, "bench: sqlite cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    char *msg = NULL;
    sqlite3_stmt *jm = NULL;
    bool is_wal = false;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &jm, NULL) == SQLITE_OK &&
        sqlite3_step(jm) == SQLITE_ROW)
        is_wal = strcmp((const char *)sqlite3_column_text(jm, 0), "wal") == 0;
    sqlite3_finalize(jm);
    if (!is_wal || sqlite3_exec(db,
                             "PRAGMA synchronous=FULL;"
                             "CREATE TABLE bench (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);"
                             "INSERT INTO bench VALUES (1, 0);",
                             NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE bench SET v = v + 1 WHERE id = 1", -1, upd, NULL) != SQLITE_OK) {
        fail(b, "bench: sqlite setup failed: %s", msg ? msg : !is_wal ? "WAL mode refused" : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static int bench_wal(bench *b)
{
    /* Many short alternating runs: fdatasync times drift, and a median of short runs
     * follows the drift less than a few long ones. */
    int n = b->quick ? 20 : 500, reps = b->quick ? 1 : 15;
    char dir_h[1200], dir_n[1200], dir_raw[1200], dir_sql[1200], path[1300];
    if (subdir(b, "wal-engine", dir_h, sizeof dir_h) || subdir(b, "wal-engine-nohist", dir_n, sizeof dir_n) ||
        subdir(b, "wal-raw", dir_raw, sizeof dir_raw) || subdir(b, "wal-sqlite", dir_sql, sizeof dir_sql))
        return -1;
    note_sink ns_h = { 0 }, ns_n = { 0 };
    hist *h = hist_new();
    acid_engine *eh = h ? engine_new(b, dir_h, h, 0, 0, 1, true, &ns_h) : NULL;
    acid_engine *en = eh ? engine_new(b, dir_n, NULL, 0, 0, 1, true, &ns_n) : NULL;
    int rc = -1, fd = -1, fdg = -1;
    sqlite3 *db = NULL;
    sqlite3_stmt *upd = NULL;
    uint8_t *buf = NULL;
    if (!en)
        goto out;

    /* Warm up the engine, and learn how many log bytes one commit appends. */
    acid_view_log l0, l1;
    acid_view_log_state(eh, &l0);
    if (engine_run(b, eh, &ns_h, 1, n / 4 + 1) < 0 || engine_run(b, en, &ns_n, 1, n / 4 + 1) < 0)
        goto out;
    acid_view_log_state(eh, &l1);
    size_t bytes = (size_t)((l1.end - l0.end) / (uint64_t)(n / 4 + 1));
    uint64_t syncs = l1.fsyncs - l0.fsyncs;
    buf = calloc(1, bytes ? bytes : 1);
    snprintf(path, sizeof path, "%s/raw.log", dir_raw);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    snprintf(path, sizeof path, "%s/raw-growing.log", dir_raw);
    fdg = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!buf || fd < 0 || fdg < 0) {
        fail(b, "bench: cannot create a file in %s: %s", dir_raw, strerror(errno));
        goto out;
    }
    memset(buf, 0xA5, bytes);
    uint64_t off = 0, phys = 0, offg = 0, physg = 0;
    snprintf(path, sizeof path, "%s/bench.sqlite", dir_sql);
    db = sqlite_open(b, path, &upd);
    if (!db || wal_raw_run(b, fd, &off, &phys, true, buf, bytes, n / 4 + 1, true) < 0 ||
        wal_raw_run(b, fdg, &offg, &physg, false, buf, bytes, n / 4 + 1, true) < 0 || wal_sqlite_run(b, upd, n / 4 + 1) < 0)
        goto out;

    /* Timed: the loops alternate, so they share whatever the machine is doing. */
    double th[16], tn[16], tr[16], tg[16], ts[16], q_raw[16], q_sql[16];
    for (int r = 0; r < reps; r++) {
        if ((th[r] = engine_run(b, eh, &ns_h, 1, n)) < 0 ||
            (tr[r] = wal_raw_run(b, fd, &off, &phys, true, buf, bytes, n, true)) < 0 ||
            (ts[r] = wal_sqlite_run(b, upd, n)) < 0 ||
            (tg[r] = wal_raw_run(b, fdg, &offg, &physg, false, buf, bytes, n, true)) < 0 ||
            (tn[r] = engine_run(b, en, &ns_n, 1, n)) < 0)
            goto out;
        q_raw[r] = tr[r] / th[r];
        q_sql[r] = ts[r] / th[r];
    }
    int64_t want = (int64_t)(n / 4 + 1) + (int64_t)n * reps;
    if (engine_total(eh) != want || engine_total(en) != want) {
        fail(b, "bench: the engine's row does not hold the %" PRId64 " commits made", want);
        goto out;
    }
    b->fig[F_WAL] = n / median(th, reps);
    b->fig[F_RAW] = n / median(tr, reps);
    b->fig[F_SQLITE] = n / median(ts, reps);
    double nohist = n / median(tn, reps), growing = n / median(tg, reps);
    note(b, "wal: %d single-row autocommit UPDATEs per run, sync full, %d runs; the engine appends %zu log bytes and "
            "makes %.2f fsyncs per commit; the raw loop appends the same %zu bytes per fdatasync to a file that grows "
            "like the log, in zero-filled chunks (%u KiB, a quarter of the file as it grows: fio_prealloc_step)",
         n, reps, bytes, (double)syncs / (double)(n / 4 + 1), bytes, WAL_PREALLOC >> 10);
    note(b, "wal: engine %.0f commits/s = %.2f x raw, %.2f x sqlite; without a history (NULL hist) %.0f commits/s = %.2f x raw",
         b->fig[F_WAL], b->fig[F_WAL] / b->fig[F_RAW], b->fig[F_WAL] / b->fig[F_SQLITE], nohist,
         nohist / b->fig[F_RAW]);
    b->wal_raw_ratio = median(q_raw, reps);
    b->wal_sql_ratio = median(q_sql, reps);
    note(b, "wal: taken run by run (each engine run against the raw and sqlite runs next to it, so that a drift of "
            "the disk's speed during the benchmark cancels out), median: %.2f x raw, %.2f x sqlite (these give the "
            "verdict)", b->wal_raw_ratio, b->wal_sql_ratio);
    note(b, "wal: the same raw loop on a file that grows at every append: %.0f syncs/s (each fdatasync also journals "
            "the new file size; raw with preallocation is %.2f x that)",
         growing, b->fig[F_RAW] / growing);
    rc = 0;
out:
    if (upd)
        sqlite3_finalize(upd);
    if (db)
        sqlite3_close(db);
    if (fd >= 0)
        close(fd);
    if (fdg >= 0)
        close(fdg);
    free(buf);
    acid_close(eh);
    acid_close(en);
    hist_free(h);
    return rc;
}

/* --- group: n sessions, one fsync per n commits ----------------------------------------------------- */

/* One engine of the group benchmark: n sessions under `sync group n` (n = 1: sync full),
 * session k updating row k. */
typedef struct gengine {
    acid_engine *e;
    hist *h;
    note_sink ns;
    int n;
} gengine;

static int gengine_open(bench *b, gengine *g, const char *name, int n, bool with_hist, bool real_sync)
{
    char dir[1200];
    memset(g, 0, sizeof *g);
    g->n = n;
    if (subdir(b, name, dir, sizeof dir))
        return -1;
    g->h = with_hist ? hist_new() : NULL;
    /* Every session's row stays in the pool (n rows fill n / 5 pages): an eviction would
     * flush the log early (the log rule) and split the groups. */
    int frames = n / 5 + 4 > BP_FRAMES_DEFAULT ? n / 5 + 4 : 0;
    g->e = engine_new(b, dir, g->h, n > ACID_SESSIONS ? n : 0, frames, n, real_sync, &g->ns);
    if (!g->e)
        return -1;
    if (n > 1 && acid_set_sync(g->e, SYNC_GROUP, n))
        return fail(b, "bench: sync group %d: %s", n, acid_error(g->e));
    return 0;
}

static void gengine_close(gengine *g)
{
    acid_close(g->e);
    hist_free(g->h);
    memset(g, 0, sizeof *g);
}

/* Commits per second over count commits. */
static double gengine_rate(bench *b, gengine *g, int count)
{
    double t = engine_run(b, g->e, &g->ns, g->n, count);
    return t < 0 ? -1 : count / t;
}

static int bench_group(bench *b)
{
    enum { FULL, G8, G64, G8N, G64N, NG };
    static const char *const names[NG] = { "group-full", "group8", "group64", "group8-nohist", "group64-nohist" };
    static const int sizes[NG] = { 1, 8, 64, 8, 64 };
    int reps = b->quick ? 1 : 15;   /* the median of 15 ratios moves less between invocations than of 9 */
    int counts[NG] = { 300, 1600, 3840, 1600, 3840 };
    if (b->quick)
        for (int i = 0; i < NG; i++)
            counts[i] = sizes[i] * 2;
    gengine g[NG];
    memset(g, 0, sizeof g);
    int rc = -1, fd = -1;
    double rate[NG][16], r8[16], r64[16], raw64[16], q64[16];
    uint64_t f0[NG];
    /* The I/O of group 64 alone: 64 appends of one commit's log bytes, one fdatasync, on a
     * file grown like the log. */
    char rawpath[1300];
    snprintf(rawpath, sizeof rawpath, "%s/group-raw.log", b->root);
    fd = open(rawpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(b, "bench: cannot create %s: %s", rawpath, strerror(errno));
    uint64_t off = 0, phys = 0;
    uint8_t rec[163];
    memset(rec, 0xA5, sizeof rec);
    for (int i = 0; i < NG; i++)
        if (gengine_open(b, &g[i], names[i], sizes[i], i <= G64, true) ||
            gengine_rate(b, &g[i], counts[i] / 4 / sizes[i] * sizes[i] + sizes[i]) < 0)   /* warm-up */
            goto out;
    acid_view_log lv;
    for (int i = 0; i < NG; i++) {
        acid_view_log_state(g[i].e, &lv);
        f0[i] = lv.fsyncs;
    }
    /* The five engines take turns, so each group run has a sync-full run next to it. */
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < NG; i++)
            if ((rate[i][r] = gengine_rate(b, &g[i], counts[i])) < 0)
                goto out;
        r8[r] = rate[G8][r] / rate[FULL][r];
        r64[r] = rate[G64][r] / rate[FULL][r];
        double t0 = now_s();
        for (int k = 0; k < counts[G64] / 64; k++)
            if (wal_raw_run(b, fd, &off, &phys, true, rec, sizeof rec, 63, false) < 0 ||
                wal_raw_run(b, fd, &off, &phys, true, rec, sizeof rec, 1, true) < 0)
                goto out;
        raw64[r] = counts[G64] / (now_s() - t0);
        q64[r] = raw64[r] / rate[FULL][r];
    }
    double per_fsync[NG];
    for (int i = 0; i < NG; i++) {
        acid_view_log_state(g[i].e, &lv);
        per_fsync[i] = (double)counts[i] * reps / (double)(lv.fsyncs - f0[i]);
    }
    double med[NG];
    for (int i = 0; i < NG; i++)
        med[i] = median(rate[i], reps);
    b->fig[F_G8_PER_FSYNC] = per_fsync[G8];
    b->fig[F_G8] = med[G8];
    b->fig[F_G64] = med[G64];
    b->g8_ratio = median(r8, reps);
    b->g64_ratio = median(r64, reps);
    note(b, "group: sync group n with n sessions (T1..Tn, each adding 1 to its own row in autocommit); group 64 "
            "opens the engine with 64 sessions (acid_options.sessions; scenarios keep T1..T9); %d runs, "
            "each next to a sync-full run of the same engine code (%.0f commits/s)", reps, med[FULL]);
    note(b, "group: %.1f commits per fsync at group 8, %.1f at group 64; against the sync-full runs beside them: "
            "group 8 = %.2f x, group 64 = %.2f x (these ratios give the verdicts)",
         per_fsync[G8], per_fsync[G64], b->g8_ratio, b->g64_ratio);
    note(b, "group: without a history (NULL hist): group 8 %.0f commits/s, group 64 %.0f commits/s",
         med[G8N], med[G64N]);
    note(b, "group: the I/O of group 64 alone, in a bare loop (64 appends of %zu bytes, then one fdatasync), runs "
            "at %.0f commits/s = %.1f x the engine's sync-full rate (median run by run): one fdatasync of 64 commits' "
            "bytes takes longer than one of a single commit's", sizeof rec, median(raw64, reps), median(q64, reps));
    for (int i = 0; i < NG; i++)
        gengine_close(&g[i]);
    close(fd);
    fd = -1;

    /* What one commit costs the CPU, with the platter taken out (real_sync off). */
    gengine c1, c64;
    double cpu1[16], cpu64[16];
    int creps = b->quick ? 1 : 5;
    if (gengine_open(b, &c1, "group-cpu1", 1, true, false) || gengine_open(b, &c64, "group-cpu64", 64, true, false)) {
        gengine_close(&c1);
        gengine_close(&c64);
        return -1;
    }
    for (int r = -1; r < creps; r++) {
        double a = gengine_rate(b, &c1, counts[G64]), z = gengine_rate(b, &c64, counts[G64]);
        if (a < 0 || z < 0) {
            gengine_close(&c1);
            gengine_close(&c64);
            return -1;
        }
        if (r >= 0) {
            cpu1[r] = 1e6 / a;
            z = 1e6 / z;
            cpu64[r] = z;
        }
    }
    gengine_close(&c1);
    gengine_close(&c64);
    double c_1 = median(cpu1, creps), c_64 = median(cpu64, creps);
    double f = 1e6 / med[FULL] - c_1;   /* one fdatasync, in us */
    double best = 64 * (f + c_1) / (f + 64 * c_64);
    double need = (64 * (f + c_1) / 25 - f) / 64;
    note(b, "group: CPU per commit with real_sync off: %.1f us at sync full, %.1f us at group 64; so one fdatasync "
            "takes %.0f us here, and even if a group's fdatasync cost no more than a single commit's (it costs more, "
            "above), group 64 could reach at most 64 x (%.0f + %.1f) / (%.0f + 64 x %.1f) = %.1f x sync full; 25 x "
            "needs at most %.1f us of CPU per commit",
         c_1, c_64, f, f, c_1, f, c_64, best, need);
    return 0;
out:
    for (int i = 0; i < NG; i++)
        gengine_close(&g[i]);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* --- recovery: redo a long log ------------------------------------------------------------------- */

static int bench_recovery(bench *b)
{
    int nrec = b->quick ? 10000 : 1000000;
    int per_txn = 100, nrows = 20;
    char dir[1200], path[1300];
    if (subdir(b, "recovery", dir, sizeof dir))
        return -1;
    int rc = -1;
    store st;
    rec_report rep;
    memset(&st, 0, sizeof st);
    fio_env *env = fio_env_new();
    if (!env)
        return fail(b, "bench: out of memory");
    /* Building the log is not what is measured: skip the platter, keep the bookkeeping. */
    fio_set_real_sync(env, 0);
    if (recovery_open(&st, dir, env, NULL, BP_FRAMES_DEFAULT, &rep)) {
        fail(b, "bench: recovery_open: %s", store_errmsg(&st));
        goto out;
    }
    sql_stmt create;
    if (parse(b, "CREATE TABLE r (id INT PRIMARY KEY, v INT)", &create))
        goto out;
    st_table *t = NULL;
    int crc = store_create_table(&st, &create, &t);
    sql_free(&create);
    if (crc) {
        fail(b, "bench: create table: %s", store_errmsg(&st));
        goto out;
    }
    /* One transaction inserts the rows, then transactions of per_txn updates each. */
    uint64_t txn = st.next_txn++;
    uint64_t last = store_log_txn(&st, WAL_BEGIN, txn, 0, ISO_SER);
    for (int k = 0; k < nrows; k++) {
        scalar key = scalar_int(k);
        if (store_write(&st, txn, &last, t, &key, true, 0, NULL, NULL))
            goto werr;
    }
    store_log_txn(&st, WAL_COMMIT, txn, last, 0);
    store_txn_end(&st, txn);
    prng g;
    prng_seed(&g, 7);
    for (int done = 0; done < nrec;) {
        txn = st.next_txn++;
        last = store_log_txn(&st, WAL_BEGIN, txn, 0, ISO_SER);
        for (int i = 0; i < per_txn && done < nrec; i++, done++) {
            scalar key = scalar_int(below(&g, (uint32_t)nrows));
            if (store_write(&st, txn, &last, t, &key, true, done, NULL, NULL))
                goto werr;
        }
        last = store_log_txn(&st, WAL_COMMIT, txn, last, 0);
        store_txn_end(&st, txn);
        if (wal_write(&st.w))
            goto werr;
    }
    if (wal_flush(&st.w))
        goto werr;
    uint64_t log_bytes = st.w.end;
    /* The crash: memory is gone; no page was ever written, so everything is redone. */
    store_close(&st);
    fio_env_free(env);
    env = NULL;

    double tr[16], tl[16];
    uint64_t redone = 0, scanned = 0;
    snprintf(path, sizeof path, "%s/acidbase.log", dir);
    uint8_t *buf = malloc(1u << 20);
    if (!buf) {
        fail(b, "bench: out of memory");
        goto out;
    }
    for (int r = -1; r < b->repeats; r++) {
        env = fio_env_new();
        if (!env) {
            free(buf);
            fail(b, "bench: out of memory");
            goto out;
        }
        double t0 = now_s();
        int orc = recovery_open(&st, dir, env, NULL, BP_FRAMES_DEFAULT, &rep);
        double dt = now_s() - t0;
        if (orc) {
            fail(b, "bench: recovery failed: %s", store_errmsg(&st));
            free(buf);
            goto out;
        }
        redone = rep.redone;
        scanned = rep.redo_scanned;
        store_close(&st);
        fio_env_free(env);
        env = NULL;
        /* The same file, read plainly from start to end. */
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fail(b, "bench: cannot open %s: %s", path, strerror(errno));
            free(buf);
            goto out;
        }
        double t1 = now_s();
        uint64_t total = 0;
        ssize_t got;
        while ((got = read(fd, buf, 1u << 20)) > 0)
            total += (uint64_t)got;
        double dl = now_s() - t1;
        close(fd);
        if (r >= 0) {
            tr[r] = dt;
            tl[r] = dl;
        }
        (void)total;
    }
    free(buf);
    if (redone != (uint64_t)nrec + (uint64_t)nrows) {
        fail(b, "bench: recovery redid %" PRIu64 " records, expected %d", redone, nrec + nrows);
        goto out;
    }
    double trm = median(tr, b->repeats);
    b->fig[F_REDO] = nrec / trm;
    b->fig[F_LOGREAD] = (double)log_bytes / 1e6 / median(tl, b->repeats);
    note(b, "recovery: a %.1f MB log of %d update records (+%d inserts, %" PRIu64 " records scanned by redo) recovered by "
            "recovery_open in %.3f s (analysis + redo + undo + index), from the page cache",
         (double)log_bytes / 1e6, nrec, nrows, scanned, trm);
    rc = 0;
    goto out;
werr:
    fail(b, "bench: building the log failed: %s", store_errmsg(&st));
    store_close(&st);
out:
    fio_env_free(env);
    remove_tree(dir);
    return rc;
}

/* --- locks ----------------------------------------------------------------------------------- */

static int bench_locks(bench *b)
{
    int pairs = b->quick ? 20000 : 5000000, ring = 1000;
    lockmgr *lm = lock_new(NULL);
    if (!lm)
        return fail(b, "bench: out of memory");
    lock_txn_begin(lm, 1, 1);
    static lock_res rows[1024];   /* the resources, built once, as the engine's keys are */
    for (int k = 0; k < 1024; k++)
        rows[k] = (lock_res){ .table = "bench", .is_row = true, .key = scalar_int(k) };
    lock_res res = { .table = "bench", .is_row = true };
    uint64_t granted[4];
    double t[16];
    for (int r = -1; r < b->repeats; r++) {
        double t0 = now_s();
        for (int i = 0; i < pairs; i++) {
            const lock_res *q = &rows[i & 1023];
            if (lock_acquire(lm, 1, q, LM_X) != LOCK_GRANTED) {
                lock_free(lm);
                return fail(b, "bench: an uncontended lock was not granted");
            }
            lock_release(lm, 1, q, granted, 4);
        }
        if (r >= 0)
            t[r] = now_s() - t0;
    }
    lock_free(lm);
    b->fig[F_LOCKS] = pairs / median(t, b->repeats);

    /* A ring: T_i holds row i and waits for row i+1; the last one closes the cycle. */
    lm = lock_new(NULL);
    if (!lm)
        return fail(b, "bench: out of memory");
    for (int i = 1; i <= ring; i++) {
        lock_txn_begin(lm, (uint64_t)i, (uint64_t)i);
        res.key = scalar_int(i);
        lock_acquire(lm, (uint64_t)i, &res, LM_X);
    }
    for (int i = 1; i <= ring; i++) {
        res.key = scalar_int(i % ring + 1);
        if (lock_acquire(lm, (uint64_t)i, &res, LM_X) != LOCK_WAIT) {
            lock_free(lm);
            return fail(b, "bench: the ring's request was granted");
        }
    }
    lock_cycle cyc;
    double td[64];
    int nd = b->quick ? 3 : 41;
    bool found = true;
    for (int r = -1; r < nd; r++) {
        double t0 = now_s();
        found &= lock_find_deadlock(lm, (uint64_t)ring, &cyc);
        if (r >= 0)
            td[r] = now_s() - t0;
    }
    uint64_t victim = cyc.victim;
    lock_free(lm);
    if (!found)
        return fail(b, "bench: the deadlock among %d transactions was not found", ring);
    b->fig[F_DEADLOCK] = median(td, nd) * 1e6;
    note(b, "locks: %d X acquire + release pairs on 1,024 row keys by one transaction, no history; "
            "deadlock: a waits-for ring of %d transactions, lock_find_deadlock from the last (victim txn %" PRIu64 "), median of %d",
         pairs, ring, victim, nd);
    return 0;
}

/* --- gossip ----------------------------------------------------------------------------------- */

typedef struct gossip_sum {
    double rounds;          /* summed over trials */
    uint64_t delivered;
    double secs;            /* in cluster_gossip_round */
    int trials, failed;
} gossip_sum;

static int gossip_trial(bench *b, uint32_t n, uint64_t seed, hist *h, gossip_sum *sum)
{
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = n;
    cfg.seed = seed;
    cfg.gossip = false;
    cfg.hinted_handoff = false;
    cfg.read_repair = false;
    cluster *c = cluster_new(&cfg, h);
    uint32_t *group = calloc((size_t)n + 1, sizeof *group);
    if (!c || !group) {
        cluster_free(c);
        free(group);
        return fail(b, "bench: out of memory");
    }
    /* n1 alone on one side: its write's copies are dropped, so only gossip can spread it. */
    for (uint32_t r = 1; r <= n; r++)
        group[r] = r == 1 ? 1 : 2;
    cluster_partition(c, group);
    free(group);
    base_req q;
    memset(&q, 0, sizeof q);
    q.op = BREQ_PUT;
    snprintf(q.key, sizeof q.key, "news");
    snprintf(q.value, sizeof q.value, "v%" PRIu64, seed);
    q.q = BQ_ONE;
    snprintf(q.text, sizeof q.text, "n1: PUT news v W=ONE");
    uint64_t id = cluster_submit(c, 1, &q);
    base_answer a;
    if (!cluster_answer(c, id, &a) || !a.ok) {
        cluster_free(c);
        return fail(b, "bench: gossip: the write at n1 was not acknowledged");
    }
    cluster_heal(c, 0, 0);
    uint64_t d0 = net_get_stats(cluster_net(c)).delivered;
    int rounds = 0;
    double t0 = now_s();
    while (!cluster_converged(c) && rounds < 200) {
        gossip_report rep;
        cluster_gossip_round(c, &rep);
        rounds++;
    }
    sum->secs += now_s() - t0;
    sum->delivered += net_get_stats(cluster_net(c)).delivered - d0;
    if (!cluster_converged(c))
        sum->failed++;
    sum->rounds += rounds;
    sum->trials++;
    cluster_free(c);
    return 0;
}

/* What is delivered: one n = 1,000 trial with a history gives the mix of message types
 * and the bytes of the average delivery. Each delivered message is checksummed twice
 * (sent, received: CRC-32C, base/crc32c.h) and its bytes pass three times through memory
 * (encoded, copied into the network, decoded); timing those on buffers of the average
 * size bounds deliveries per second from above, for the bytes alone. */
static int gossip_floor(bench *b)
{
    hist *h = hist_new();
    gossip_sum g = { 0 };
    if (!h || gossip_trial(b, 1000, 1, h, &g)) {
        hist_free(h);
        return h ? -1 : fail(b, "bench: out of memory");
    }
    uint64_t bytes = 0, msgs = 0, by_type[MSG__COUNT] = { 0 };
    for (size_t i = 0; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind == EV_MSG_DELIVER) {
            bytes += (uint64_t)e->n[1];
            msgs++;
            if (e->n[0] > 0 && e->n[0] < MSG__COUNT)
                by_type[e->n[0]]++;
        }
    }
    hist_free(h);
    double per_msg = (double)bytes / (double)(msgs ? msgs : 1);
    static uint8_t buf[2][4096];
    size_t len = (size_t)(per_msg + 0.5);
    if (len < 1)
        len = 1;
    if (len > sizeof buf[0])
        len = sizeof buf[0];
    memset(buf[0], 0x5A, sizeof buf[0]);
    uint32_t crc = 0;
    int reps = b->quick ? 2000 : 5000000;
    double t0 = now_s();
    for (int i = 0; i < reps; i++)
        crc = crc32c_update(crc, buf[0], len);
    double crc_s = (now_s() - t0) / reps;
    /* through a volatile pointer, so that no copy is optimised away */
    void *(*volatile copy)(void *, const void *, size_t) = memcpy;
    t0 = now_s();
    for (int i = 0; i < reps; i++)
        copy(buf[1], buf[0], len);
    double copy_s = (now_s() - t0) / reps;
    double ceiling = 1.0 / (2.0 * crc_s + 3.0 * copy_s);
    char mix[256];
    size_t o = 0;
    for (int t = 1; t < MSG__COUNT && o < sizeof mix; t++)
        if (by_type[t])
            o += (size_t)snprintf(mix + o, sizeof mix - o, "%s%s %.1f%%", o ? ", " : "", wire_type_name(t),
                                  100.0 * (double)by_type[t] / (double)msgs);
    note(b, "gossip: n=1000, seed 1: %" PRIu64 " deliveries (%s), %.0f bytes on average; a CRC-32C of %zu bytes "
            "takes %.1f ns here and a copy %.1f ns, so 2 checksums and 3 passes over the bytes of each message alone "
            "would allow %.0f million deliveries/s", msgs, o ? mix : "none", per_msg, len, crc_s * 1e9, copy_s * 1e9,
         ceiling / 1e6);
    return 0;
}

static double gossip_bound(double n)
{
    return 1.5 * (log(n) / log(3.0) + log(log(n)));
}

static int bench_gossip(bench *b)
{
    static const uint32_t sizes[3] = { 100, 1000, 10000 };
    /* --quick leaves n = 10,000 out: one trial takes seconds under the sanitizers. */
    int trials_full[3] = { 100, 100, 100 }, trials_quick[3] = { 2, 1, 0 };
    gossip_sum all = { 0 };
    for (int s = 0; s < 3; s++) {
        gossip_sum g = { 0 };
        int trials = b->quick ? trials_quick[s] : trials_full[s];
        if (!trials) {
            note(b, "gossip: n=%u: not run with --quick", sizes[s]);
            continue;
        }
        if (!b->quick && gossip_trial(b, sizes[s], 1000 + (uint64_t)s, NULL, &g))   /* warm-up */
            return -1;
        g = (gossip_sum){ 0 };
        for (int i = 0; i < trials; i++)
            if (gossip_trial(b, sizes[s], (uint64_t)i + 1, NULL, &g))
                return -1;
        if (g.failed)
            return fail(b, "bench: gossip n=%u: %d trial(s) did not converge in 200 rounds", sizes[s], g.failed);
        b->fig[F_R100 + s] = g.rounds / g.trials;
        all.delivered += g.delivered;
        all.secs += g.secs;
        note(b, "gossip: n=%u: %.2f rounds on average over %d seeded trials (seeds 1..%d); bound 1.5 x (log3 N + ln ln N) = %.2f; "
                "%" PRIu64 " deliveries in %.3f s",
             sizes[s], b->fig[F_R100 + s], trials, trials, gossip_bound(sizes[s]), g.delivered, g.secs);
    }
    b->fig[F_LOG3] = log(1000.0) / log(3.0);
    b->fig[F_DELIVERIES] = all.secs > 0 ? (double)all.delivered / all.secs : NAN;
    note(b, "gossip: deliveries_per_s counts every message delivered (decoded and handled) inside cluster_gossip_round, "
            "all sizes together, no history");
    return gossip_floor(b);
}

/* --- checker: histories made by running workloads through the runner ---------------------------- */

static bool is_op(int kind, bool acid)
{
    return acid ? kind >= EV_TXN_BEGIN && kind <= EV_PREAD
                : kind == EV_REQ_INVOKE || kind == EV_REQ_ANSWER || kind == EV_VERSION_STORE ||
                      kind == EV_VERSION_DISCARD || kind == EV_PURGE || kind == EV_SIBLINGS;
}

typedef struct gen {
    runner *r;
    FILE *devnull;
    int lineno;
    prng g;
    int left[ACID_SESSIONS + 1];   /* statements left in each session's transaction */
    size_t seen, ops[2];           /* events counted so far; ops among them (BASE, ACID) */
} gen;

/* Operations in the history so far (the events the ACID or the BASE checker reads). */
static size_t gen_ops(gen *w, bool acid)
{
    const hist *h = runner_history(w->r);
    for (size_t n = hist_count(h); w->seen < n; w->seen++) {
        int k = hist_get(h, w->seen)->kind;
        w->ops[0] += is_op(k, false);
        w->ops[1] += is_op(k, true);
    }
    return w->ops[acid];
}

static int gen_line(bench *b, gen *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int gen_line(bench *b, gen *w, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    int rc = runner_line(w->r, line, ++w->lineno);
    if (rc != RUN_OK)
        return fail(b, "bench: the workload line '%s' failed (%d)", line, rc);
    return 0;
}

static int gen_open(bench *b, gen *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->devnull = fopen("/dev/null", "w");
    runner_opts o = { .file = "bench", .seed = seed, .quiet = true, .real_sync = false,
                      .out = w->devnull, .err = w->devnull };
    w->r = w->devnull ? runner_new(&o) : NULL;
    if (!w->r) {
        if (w->devnull)
            fclose(w->devnull);
        return fail(b, "bench: cannot start a runner");
    }
    prng_seed(&w->g, seed);
    return 0;
}

static void gen_close(gen *w)
{
    runner_free(w->r);
    if (w->devnull)
        fclose(w->devnull);
}

/* An ACID workload: 8 sessions, transactions of 1 to 4 statements at random isolation
 * levels over 200 rows; some scans, some rollbacks; blocking and deadlocks happen. */
static int gen_acid(bench *b, gen *w, size_t ops)
{
    static const char *const levels[4] = { "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE" };
    if (gen_line(b, w, "setup: CREATE TABLE acc (id INT PRIMARY KEY, balance INT)") ||
        gen_line(b, w, "engine: sync off"))
        return -1;
    for (int k = 1; k <= 200; k += 10)
        if (gen_line(b, w, "setup: INSERT INTO acc VALUES (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), "
                           "(%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000)",
                     k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k + 8, k + 9))
            return -1;
    acid_engine *e = runner_acid(w->r);
    for (int step = 0;; step++) {
        if (step % 64 == 0 && gen_ops(w, true) >= ops)
            return 0;
        int s = 1 + (int)below(&w->g, 8);
        acid_state st = acid_session_state(e, s);
        if (st == AS_BLOCKED)
            continue;
        int rc;
        if (st != AS_ACTIVE) {
            w->left[s] = 1 + (int)below(&w->g, 4);
            rc = gen_line(b, w, "T%d: BEGIN ISOLATION LEVEL %s", s, levels[below(&w->g, 4)]);
        } else if (w->left[s]-- <= 0) {
            rc = below(&w->g, 20) ? gen_line(b, w, "T%d: COMMIT", s) : gen_line(b, w, "T%d: ROLLBACK", s);
        } else {
            uint32_t k = 1 + below(&w->g, 200), pick = below(&w->g, 100);
            if (pick < 40)
                rc = gen_line(b, w, "T%d: SELECT * FROM acc WHERE id = %u", s, k);
            else if (pick < 75)
                rc = gen_line(b, w, "T%d: UPDATE acc SET balance = balance + %u WHERE id = %u", s, 1 + pick % 7, k);
            else if (pick < 85)
                rc = gen_line(b, w, "T%d: UPDATE acc SET balance = balance - 1 WHERE id = %u", s, k);
            else if (pick < 98)
                rc = gen_line(b, w, "T%d: SELECT SUM(balance) FROM acc WHERE id IN (%u, %u, %u)", s, k,
                              1 + below(&w->g, 200), 1 + below(&w->g, 200));
            else
                rc = gen_line(b, w, "T%d: SELECT COUNT(*) FROM acc WHERE balance > 1003", s);
        }
        if (rc)
            return -1;
    }
}

/* A BASE workload: 5 replicas, three clients, writes and reads at every quorum, deletes,
 * partitions that come and go, gossip, hints and read repair on. */
static int gen_base(bench *b, gen *w, size_t ops)
{
    static const char *const qs[3] = { "ONE", "QUORUM", "ALL" };
    static const char *const clients[3] = { "alice", "bob", "carol" };
    if (gen_line(b, w, "cluster: replicas 5") || gen_line(b, w, "cluster: seed 11") ||
        gen_line(b, w, "cluster: gossip on") || gen_line(b, w, "cluster: read-repair on") ||
        gen_line(b, w, "cluster: hinted-handoff on") || gen_line(b, w, "cluster: timeout 4") ||
        gen_line(b, w, "cluster: tombstone-grace 40"))
        return -1;
    bool split = false;
    for (int step = 0;; step++) {
        if (step % 64 == 0 && gen_ops(w, false) >= ops)
            return 0;
        uint32_t pick = below(&w->g, 100), n = 1 + below(&w->g, 5), k = below(&w->g, 40);
        const char *c = clients[below(&w->g, 3)];
        int rc;
        if (pick < 40)
            rc = gen_line(b, w, "%s@n%u: PUT k%u v%d W=%s", c, n, k, step, qs[below(&w->g, 3)]);
        else if (pick < 85)
            rc = gen_line(b, w, "%s@n%u: GET k%u R=%s", c, n, k, qs[below(&w->g, 3)]);
        else if (pick < 90)
            rc = gen_line(b, w, "%s@n%u: DEL k%u W=%s", c, n, k, qs[below(&w->g, 2)]);
        else if (pick < 94)
            rc = gen_line(b, w, "run: tick %u", 1 + below(&w->g, 6));
        else if (pick < 97 && !split) {
            split = true;
            rc = gen_line(b, w, "net: partition n1 n2 | n3 n4 n5");
        } else if (split) {
            split = false;
            rc = gen_line(b, w, "net: heal");
        } else {
            rc = gen_line(b, w, "run: gossip 1");
        }
        if (rc)
            return -1;
    }
}

typedef struct chk_time { double secs, best; size_t ops, events; int findings; } chk_time;

/* One run of a checker over w's history: seconds, or -1 (out of memory). */
static double check_once(bench *b, gen *w, bool acid, int *nf)
{
    const hist *h = runner_history(w->r);
    int rc;
    double t0 = now_s();
    if (acid) {
        acid_findings f = { 0 };
        rc = acidcheck_run(h, acid_txn_label, runner_acid(w->r), &f);
        *nf = f.n;
        acidcheck_free(&f);
    } else {
        base_findings f = { 0 };
        rc = basecheck_run(h, &f);
        *nf = f.n;
        basecheck_free(&f);
    }
    double dt = now_s() - t0;
    if (rc)
        return fail(b, "bench: the %s checker ran out of memory", acid ? "ACID" : "BASE");
    return dt;
}

/* The checker over a history of ops operations and one of 10 x ops, the two runs taking
 * turns (after a warm-up each), so that a drift of the machine's speed affects both alike;
 * growth: the median of the run-by-run ratios, normalised to exactly 10 x the operations. */
static int time_checker(bench *b, bool acid, size_t ops, int reps, chk_time *small, chk_time *big,
                        double *growth)
{
    gen w[2];
    chk_time *out[2] = { small, big };
    double t[2][32], ratio[32];
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
        double dt[2];
        for (int k = 0; k < 2; k++)
            if ((dt[k] = check_once(b, &w[k], acid, &nf[k])) < 0)
                goto out;
        if (r >= 0) {
            t[0][r] = dt[0];
            t[1][r] = dt[1];
            ratio[r] = dt[1] / dt[0] / scale * 10.0;
        }
    }
    *growth = median(ratio, reps);
    for (int k = 0; k < 2; k++) {
        out[k]->secs = median(t[k], reps);   /* sorts t[k] */
        out[k]->best = t[k][0];
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

static int bench_checker(bench *b)
{
    size_t base_ops = b->quick ? 1000 : 100000;
    for (int side = 0; side < 2; side++) {
        bool acid = side == 0;
        chk_time small, big;
        double growth;
        if (time_checker(b, acid, base_ops, b->quick ? 1 : CHECK_RUNS, &small, &big, &growth))
            return -1;
        double rate = (double)small.ops / small.secs;
        double growth_best = (big.best / small.best) / ((double)big.ops / (double)small.ops) * 10.0;
        double growth_med = (big.secs / small.secs) / ((double)big.ops / (double)small.ops) * 10.0;
        b->fig[acid ? F_ACIDCHK : F_BASECHK] = rate;
        if (acid)
            b->acid_growth = growth;
        else
            b->base_growth = growth;
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

/* --- trace -------------------------------------------------------------------------------------- */

static int bench_trace(bench *b)
{
    size_t want = b->quick ? 2000 : 100000;
    gen w;
    if (gen_open(b, &w, 9))
        return -1;
    int rc = -1;
    /* An ACID workload first, then a BASE one, in the same run: both sides' events. */
    if (gen_acid(b, &w, want / 8) || gen_base(b, &w, want / 8))
        goto out;
    while (hist_count(runner_history(w.r)) < want)
        if (gen_line(b, &w, "T1: UPDATE acc SET balance = balance + 1 WHERE id = %u", 1 + below(&w.g, 200)))
            goto out;
    char dir[1200], path[1300];
    if (subdir(b, "trace", dir, sizeof dir))
        goto out;
    snprintf(path, sizeof path, "%s/bench-trace.json", dir);
    trace t;
    trace_err err;
    memset(&t, 0, sizeof t);
    if (trace_from_runner(w.r, &t, &err)) {
        fail(b, "bench: trace_from_runner: %s", err.msg);
        goto out;
    }
    size_t events = hist_count(runner_history(w.r));
    double tw[16], trd[16];
    for (int r = -1; r < b->repeats; r++) {
        double t0 = now_s();
        int wrc = trace_write(&t, path, &err);
        double dw = now_s() - t0;
        if (wrc) {
            trace_free(&t);
            fail(b, "bench: trace_write: %s", err.msg);
            goto out;
        }
        trace back;
        memset(&back, 0, sizeof back);
        t0 = now_s();
        int rrc = trace_read(path, &back, &err);
        double dr = now_s() - t0;
        size_t got = rrc ? 0 : hist_count(back.h);
        trace_free(&back);
        if (rrc || got != events) {
            trace_free(&t);
            fail(b, "bench: trace_read: %s", rrc ? err.msg : "a different number of events came back");
            goto out;
        }
        if (r >= 0) {
            tw[r] = dw;
            trd[r] = dr;
        }
    }
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    trace_free(&t);
    b->fig[F_TRACE_W] = (double)events / median(tw, b->repeats);
    b->fig[F_TRACE_R] = (double)events / median(trd, b->repeats);
    note(b, "trace: %zu events (%d scenario lines, ACID and BASE), a %.1f MB file; write = trace_write (render with cJSON, "
            "write, fsync, rename), read = trace_read (parse with cJSON and check every field)",
         events, w.lineno, (double)size / 1e6);
    rc = 0;
out:
    gen_close(&w);
    return rc;
}

/* --- tui and startup ------------------------------------------------------------------------------ */

/* A screen with something everywhere: nine sessions, most of them blocked, a table of 21
 * rows, five replicas with siblings, messages in flight. */
static const char busy_scn[] =
    "setup: CREATE TABLE accounts (id INT PRIMARY KEY, balance INT CHECK (balance >= 0))\n"
    "setup: INSERT INTO accounts VALUES (1, 100), (2, 200), (3, 300), (4, 400), (5, 500), (6, 600), (7, 700), "
    "(8, 800), (9, 900), (10, 1000)\n"
    "setup: INSERT INTO accounts VALUES (11, 1100), (12, 1200), (13, 1300), (14, 1400), (15, 1500), (16, 1600), "
    "(17, 1700), (18, 1800), (19, 1900), (20, 2000)\n"
    "cluster: replicas 5\n"
    "cluster: resolve siblings\n"
    "T1: BEGIN\n"
    "T1: UPDATE accounts SET balance = balance - 10 WHERE id = 1\n"
    "T2: BEGIN ISOLATION LEVEL SERIALIZABLE\n"
    "T2: SELECT * FROM accounts WHERE balance > 1500\n"
    "T3: BEGIN\n"
    "T3: UPDATE accounts SET balance = balance + 10 WHERE id = 1\n"
    "T4: BEGIN ISOLATION LEVEL READ UNCOMMITTED\n"
    "T4: SELECT * FROM accounts WHERE id IN (1, 2, 3)\n"
    "T5: BEGIN ISOLATION LEVEL REPEATABLE READ\n"
    "T5: SELECT SUM(balance) FROM accounts\n"
    "T6: BEGIN\n"
    "T6: UPDATE accounts SET balance = balance + 1 WHERE id = 17\n"
    "T7: INSERT INTO accounts VALUES (21, 2100)\n"
    "T8: BEGIN\n"
    "T8: DELETE FROM accounts WHERE id = 5\n"
    "T9: BEGIN\n"
    "T9: UPDATE accounts SET balance = 0 WHERE id = 5\n"
    "n1: PUT cart apple W=ALL\n"
    "alice@n2: GET cart R=QUORUM\n"
    "net: partition n1 n2 | n3 n4 n5\n"
    "n1: PUT cart pear W=ONE\n"
    "n4: PUT cart plum W=ONE\n"
    "bob@n5: PUT profile blue W=QUORUM\n"
    "net: heal\n"
    "n3: PUT stock 10 W=ONE\n"
    "run: tick 1\n";

/* Reads what the screen writes until it has been quiet for quiet_ms. Returns the time the
 * last byte arrived (t0 when none did); *eof when the other side closed. */
static char pty_tail[160];   /* the end of what the screen wrote last, for error notes */

static double pty_drain(int fd, int quiet_ms, double t0, size_t *bytes, bool *eof)
{
    static char buf[1 << 16];
    double last = t0;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, quiet_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return last;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            *eof = true;
            return last;
        }
        last = now_s();
        *bytes += (size_t)n;
        size_t keep = (size_t)n < sizeof pty_tail - 1 ? (size_t)n : sizeof pty_tail - 1;
        memcpy(pty_tail, buf + n - (ssize_t)keep, keep);
        pty_tail[keep] = 0;
    }
}

/* The last line of plain text in pty_tail (escape sequences and control bytes dropped). */
static void pty_last_line(char *out, size_t n)
{
    char line[sizeof pty_tail], last[sizeof pty_tail] = "";
    size_t k = 0;
    for (const char *p = pty_tail;; p++) {
        if (*p == '\033') {   /* CSI ... final byte */
            if (p[1] == '[')
                for (p++; p[1] && !(p[1] >= '@' && p[1] <= '~'); p++)
                    ;
            if (p[1])
                p++;
            continue;
        }
        if (*p == '\n' || *p == '\r' || !*p) {
            line[k] = 0;
            if (k)
                memcpy(last, line, k + 1);
            k = 0;
            if (!*p)
                break;
        } else if (*p >= ' ' && *p < 127) {
            line[k++] = *p;
        }
    }
    snprintf(out, n, "%s", last);
}

static int self_path(bench *b, char *out, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", out, n - 1);
    if (k <= 0)
        return fail(b, "bench: cannot find this program (/proc/self/exe): %s", strerror(errno));
    out[k] = 0;
    return 0;
}

/* The peak resident memory of a running process (VmHWM, which exec starts afresh: what
 * the program itself used, not the forked copy of this one), in kB; NAN if unknown. */
static double peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double kb = NAN;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtod(line + 6, NULL);
    if (f)
        fclose(f);
    return kb;
}

/* One program of ours on a 160x48 pseudo-terminal (TERM=xterm-256color): `acidbase ARGS`,
 * then `steps` presses of n (each runs the next queued line), then nframes frames, each
 * a key and the screen's whole answer: T switches the theme (every cell repainted), an
 * arrow moves the selected session (the usual small change). A frame is the time from the
 * key to the last byte of the answer. Then its peak memory, and q. Returns 0 with why set
 * when it could not be measured (no pty, the program refused or died). */
static int pty_session(bench *b, const char *const *args, int steps, int nframes, lab_run *out)
{
    memset(out, 0, sizeof *out);
    out->full_us = out->small_us = out->rss_kb = NAN;
    char self[4096];
    if (self_path(b, self, sizeof self))
        return -1;
    const char *argv[8] = { self };
    int argc = 1;
    for (; args[argc - 1] && argc < 7; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;
    struct winsize ws = { .ws_row = 48, .ws_col = 160 };
    int fd;
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0) {
        snprintf(out->why, sizeof out->why, "no pseudo-terminal (%s)", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        unsetenv("NO_COLOR");
        execv("/proc/self/exe", (char *const *)argv);   /* this very program, even if rebuilt since */
        _exit(127);
    }
    size_t bytes = 0;
    bool eof = false;
    pty_drain(fd, 300, now_s(), &bytes, &eof);   /* keys typed early wait in the terminal */
    char keys_n[128];
    if (steps > (int)sizeof keys_n)
        steps = (int)sizeof keys_n;
    memset(keys_n, 'n', (size_t)steps);
    if (!eof && steps && write(fd, keys_n, (size_t)steps) != steps)
        eof = true;
    pty_drain(fd, 200, now_s(), &bytes, &eof);
    static const char *const keys[2] = { "T", "\033[C" };   /* theme; right arrow */
    double t[2][64];
    int got[2] = { 0, 0 };
    size_t fb[2] = { 0, 0 };
    for (int i = b->quick ? -1 : -3; i < nframes && !eof; i++)
        for (int k = 0; k < 2 && !eof; k++) {
            size_t before = bytes;
            double t0 = now_s();
            if (write(fd, keys[k], strlen(keys[k])) != (ssize_t)strlen(keys[k]))
                break;
            double last = pty_drain(fd, 60, t0, &bytes, &eof);
            if (i >= 0 && bytes > before) {
                t[k][got[k]++] = last - t0;
                fb[k] += bytes - before;
            }
        }
    double rss = eof ? NAN : peak_rss_kb(pid);
    if (!eof && write(fd, "q", 1) == 1)
        pty_drain(fd, 2000, now_s(), &bytes, &eof);
    close(fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got[0] < nframes || got[1] < nframes || isnan(rss)) {
        char cmd[1400] = "acidbase";
        for (int i = 0; args[i]; i++)
            snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", strrchr(args[i], '/') ? strrchr(args[i], '/') + 1 : args[i]);
        char said[sizeof pty_tail];
        pty_last_line(said, sizeof said);
        snprintf(out->why, sizeof out->why, "`%.120s` on a 160x48 pseudo-terminal %s%s%.150s%s", cmd,
                 !WIFEXITED(status) ? "was killed" : WEXITSTATUS(status) ? "exited with an error" : "did not draw",
                 said[0] ? " (\"" : "", said, said[0] ? "\")" : "");
        return 0;
    }
    out->frames = nframes;
    if (nframes) {
        out->full_us = median(t[0], got[0]) * 1e6;
        out->small_us = median(t[1], got[1]) * 1e6;
        out->full_bytes = fb[0] / (size_t)got[0];
        out->small_bytes = fb[1] / (size_t)got[1];
    }
    out->rss_kb = rss;
    return 0;
}

/* The lab's sandbox with the busy scenario: every line run, then the frames. */
static int lab_busy(bench *b, int nframes, lab_run *out)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/busy.scn", b->root);
    FILE *f = fopen(path, "w");
    if (!f || fputs(busy_scn, f) < 0 || fclose(f) != 0)
        return fail(b, "bench: cannot write %s", path);
    int lines = 0;
    for (const char *q = busy_scn; *q; q++)
        lines += *q == '\n';
    const char *args[] = { "lab", path, NULL };
    int rc = pty_session(b, args, lines + 2, nframes, out);
    out->lines = lines;
    return rc;
}

/* One sandbox session serves both benchmarks that need it. */
static int lab_measured(bench *b, lab_run **out)
{
    if (!b->lab_done) {
        if (lab_busy(b, b->quick ? 2 : 41, &b->lab))
            return -1;
        b->lab_done = true;
    }
    *out = &b->lab;
    return 0;
}

static int bench_tui(bench *b)
{
    lab_run *rp;
    if (lab_measured(b, &rp))
        return -1;
    lab_run r = *rp;
    if (r.why[0]) {
        note(b, "tui: not measured: %s", r.why);
        return 0;
    }
    b->fig[F_FRAME] = r.full_us;
    note(b, "tui: `acidbase lab busy.scn` on a 160x48 pseudo-terminal (TERM=xterm-256color), the scenario's %d lines "
            "run: 9 sessions (7 blocked), 21 rows, 5 replicas with siblings, messages in flight", r.lines);
    note(b, "tui: frame_us = key T (switch theme: every cell repainted) to the last byte of the screen's answer, "
            "%zu bytes, median of %d; a small frame (right arrow: select the next session) takes %.0f us, %zu bytes",
         r.full_bytes, r.frames, r.small_us, r.small_bytes);
    return 0;
}

static int bench_startup(bench *b)
{
    char self[4096];
    if (self_path(b, self, sizeof self))
        return -1;
    /* posix_spawn: a fork of this process, large after the other benchmarks, would be
     * timed too. */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *const argv[] = { self, "--version", NULL };
    int runs = b->quick ? 2 : 31;
    double t[64];
    for (int r = b->quick ? -1 : -3; r < runs; r++) {
        double t0 = now_s();
        pid_t pid;
        int src = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
        if (src != 0) {
            posix_spawn_file_actions_destroy(&fa);
            return fail(b, "bench: cannot start %s: %s", self, strerror(src));
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        double dt = now_s() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            posix_spawn_file_actions_destroy(&fa);
            return fail(b, "bench: %s --version failed", self);
        }
        if (r >= 0)
            t[r] = dt;
    }
    posix_spawn_file_actions_destroy(&fa);
    b->fig[F_STARTUP] = median(t, runs) * 1e3;
    note(b, "startup: `%s --version`, posix_spawn + wait, median of %d", self, runs);

    /* The lab with a lesson open; until the lesson screen exists, the busy sandbox. */
    char db[1300];
    snprintf(db, sizeof db, "%s/progress.db", b->root);
    const char *args[] = { "--db", db, "lesson", "1", NULL };
    lab_run les, *sand;
    if (pty_session(b, args, 8, 0, &les))
        return -1;
    if (!les.why[0]) {
        b->fig[F_RSS] = les.rss_kb;
        note(b, "startup: tui_rss_kb = peak resident memory (VmHWM) of `acidbase lesson 1` on a 160x48 screen after "
                "8 steps");
        return 0;
    }
    if (lab_measured(b, &sand))
        return -1;
    if (sand->why[0]) {
        note(b, "startup: tui_rss_kb not measured: %s; %s", les.why, sand->why);
        return 0;
    }
    b->fig[F_RSS] = sand->rss_kb;
    note(b, "startup: tui_rss_kb: %s; until a lesson opens, the figure is the peak resident memory (VmHWM) of "
            "`acidbase lab busy.scn` after its %d lines ran and its frames were drawn on a 160x48 screen",
         les.why, sand->lines);
    return 0;
}

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
        return b->wal_raw_ratio >= 0.8 && b->wal_sql_ratio >= 1.0 ? V_PASS : V_FAIL;
    case F_G8: return b->g8_ratio >= 5 ? V_PASS : V_FAIL;
    case F_G64: return b->g64_ratio >= 25 ? V_PASS : V_FAIL;
    case F_REDO: return v >= 2e6 ? V_PASS : V_FAIL;
    case F_LOCKS: return v >= 1e7 ? V_PASS : V_FAIL;
    case F_DEADLOCK: return v < 1000 ? V_PASS : V_FAIL;
    case F_R100: return v <= gossip_bound(100) ? V_PASS : V_FAIL;
    case F_R1000: return v <= gossip_bound(1000) ? V_PASS : V_FAIL;
    case F_R10000: return v <= gossip_bound(10000) ? V_PASS : V_FAIL;
    case F_DELIVERIES: return v >= 5e6 ? V_PASS : V_FAIL;
    case F_ACIDCHK: return v >= 2e5 && b->acid_growth <= 12 ? V_PASS : V_FAIL;
    case F_BASECHK: return v >= 2e5 && b->base_growth <= 12 ? V_PASS : V_FAIL;
    case F_TRACE_W:
    case F_TRACE_R: return v >= 2e5 ? V_PASS : V_FAIL;
    case F_FRAME: return v < 2000 ? V_PASS : V_FAIL;
    case F_STARTUP: return v < 20 ? V_PASS : V_FAIL;
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

int bench_main(int argc, char **argv)
{
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
    b.acid_growth = b.base_growth = b.g8_ratio = b.g64_ratio = b.wal_raw_ratio = b.wal_sql_ratio = NAN;
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
