/*
 * wal.c: the wal benchmark: single-row commits, the engine against the disk's bare
 * fdatasync loop and SQLite. See bench.h and BENCHMARKS.md.
 */
#include "bench.h"
#include "run/runner.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/view.h"
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


/* --- wal: single-row commits, the engine against the disk and SQLite ------------------------------ */

/* count autocommit UPDATEs, session k adding one to row k, sessions 1..nsess in turn
 * (count a multiple of nsess, so that every group completes). The statements are parsed
 * before the clock starts, as SQLite's is prepared once: what is timed is acid_submit.
 * Returns the seconds, or -1. */
double engine_run(bench *b, acid_engine *e, note_sink *ns, int nsess, int count)
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
double wal_raw_run(bench *b, int fd, uint64_t *off, uint64_t *phys, bool prealloc, const uint8_t *buf,
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

int bench_wal(bench *b)
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
    b->fig[F_WAL_RAW_RATIO] = median(q_raw, reps);
    b->fig[F_WAL_SQL_RATIO] = median(q_sql, reps);
    note(b, "wal: taken run by run (each engine run against the raw and sqlite runs next to it, so that a drift of "
            "the disk's speed during the benchmark cancels out), median: %.2f x raw, %.2f x sqlite (these give the "
            "verdict: wal_vs_raw_ratio, wal_vs_sqlite_ratio)", b->fig[F_WAL_RAW_RATIO], b->fig[F_WAL_SQL_RATIO]);
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

