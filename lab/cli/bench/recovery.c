/*
 * recovery.c: the recovery benchmark: redo of a long log. See bench.h and
 * BENCHMARKS.md.
 */
#include "bench.h"
#include "run/runner.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/view.h"
#include "acid/lock.h"
#include "acid/recovery.h"
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


/* --- the log's size under a long workload with checkpoints ---------------------------------------- */

/* 100,000 transactions (autocommit single-row updates over 8 rows, through the engine's
 * API, no history, real fsync off: the size is measured, not the time), a checkpoint every
 * 1,000, and a second session keeping a transaction open across checkpoints now and then
 * (the log must keep its first record: store.h S3). The figure is the largest the log file
 * became; the note gives what was appended in all. */
static int log_bound(bench *b)
{
    int txns = b->quick ? 5000 : 100000, every = 1000;
    char dir[1200];
    if (subdir(b, "log-bound", dir, sizeof dir))
        return -1;
    note_sink ns = { 0 };
    acid_engine *e = engine_new(b, dir, NULL, 0, 0, 9, false, &ns);   /* T2 keeps to row 9 */
    if (!e)
        return -1;
    int rc = -1;
    uint64_t peak = 0, cuts = 0;
    acid_view_log lv;
    bool open2 = false;
    for (int i = 1; i <= txns; i++) {
        char text[96];
        snprintf(text, sizeof text, "UPDATE bench SET v = v + 1 WHERE id = %d", 1 + i % 8);
        sql_stmt st;
        if (parse(b, text, &st))
            goto out;
        acid_submit(e, 1, &st);
        sql_free(&st);
        if (i % 2500 == 0) {   /* T2 opens a transaction, or commits the one it kept open */
            const char *t2 = open2 ? "COMMIT" : "BEGIN";
            for (int k = 0; k < (open2 ? 1 : 2); k++) {
                if (parse(b, k ? "UPDATE bench SET v = v + 1 WHERE id = 9" : t2, &st))
                    goto out;
                acid_submit(e, 2, &st);
                sql_free(&st);
            }
            open2 = !open2;
        }
        if (i % every == 0) {
            if (acid_checkpoint(e)) {
                fail(b, "bench: checkpoint: %s", acid_error(e));
                goto out;
            }
            acid_view_log_state(e, &lv);
            cuts += lv.cut_bytes ? 1 : 0;
        }
        acid_view_log_state(e, &lv);
        if (lv.file_bytes > peak)
            peak = lv.file_bytes;
    }
    if (ns.errors) {
        fail(b, "bench: a statement failed: %s", ns.first);
        goto out;
    }
    acid_view_log_state(e, &lv);
    b->fig[F_LOG_PEAK] = (double)peak;
    note(b, "recovery: log size: %d autocommit transactions, a checkpoint every %d (%" PRIu64 " of them cut the log), "
            "a second session's transaction open across two checkpoints in every five: the log file reached %" PRIu64
            " bytes at most (log_peak_bytes_100k), of %" PRIu64 " bytes appended in all; %" PRIu64 " bytes at the end",
         txns, every, cuts, peak, lv.end - 16, lv.file_bytes);
    rc = 0;
out:
    acid_close(e);
    remove_tree(dir);
    return rc;
}

/* --- recovery: redo a long log ------------------------------------------------------------------- */

int bench_recovery(bench *b)
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
    if (log_bound(b))
        goto out;
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

