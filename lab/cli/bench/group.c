/*
 * group.c: the group benchmark: n sessions, one fsync per n commits. See bench.h
 * and BENCHMARKS.md.
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

int bench_group(bench *b)
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
    /* The I/O of group 64 alone, like for like with the engine: the engine hands a group's
     * 64 commit records to the log in one write() (fio.h, write-behind) and then makes one
     * fdatasync; so does this loop, with the bytes a commit appends, on a file grown like
     * the log. */
    char rawpath[1300];
    snprintf(rawpath, sizeof rawpath, "%s/group-raw.log", b->root);
    fd = open(rawpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(b, "bench: cannot create %s: %s", rawpath, strerror(errno));
    uint64_t off = 0, phys = 0;
    uint8_t *rec64 = NULL;
    size_t rec = 0;
    acid_view_log lv, lw;
    for (int i = 0; i < NG; i++) {
        if (gengine_open(b, &g[i], names[i], sizes[i], i <= G64, true))
            goto out;
        acid_view_log_state(g[i].e, &lv);
        int warm = counts[i] / 4 / sizes[i] * sizes[i] + sizes[i];
        if (gengine_rate(b, &g[i], warm) < 0)   /* warm-up */
            goto out;
        acid_view_log_state(g[i].e, &lw);
        if (i == G64)
            rec = (size_t)((lw.end - lv.end) / (uint64_t)warm);   /* log bytes a commit appends */
    }
    rec64 = calloc(64, rec ? rec : 1);
    if (!rec64) {
        fail(b, "bench: out of memory");
        goto out;
    }
    memset(rec64, 0xA5, 64 * rec);
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
        if (wal_raw_run(b, fd, &off, &phys, true, rec64, 64 * rec, counts[G64] / 64, true) < 0)
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
    b->fig[F_G_FULL] = med[FULL];
    b->fig[F_G8_RATIO] = median(r8, reps);
    b->fig[F_G64_RATIO] = median(r64, reps);
    b->fig[F_G64_RAW] = median(raw64, reps);
    note(b, "group: sync group n with n sessions (T1..Tn, each adding 1 to its own row in autocommit); group 64 "
            "opens the engine with 64 sessions (acid_options.sessions; scenarios keep T1..T9); %d runs, "
            "each next to a sync-full run of the same engine code (%.0f commits/s)", reps, med[FULL]);
    note(b, "group: %.1f commits per fsync at group 8, %.1f at group 64; against the sync-full runs beside them: "
            "group 8 = %.2f x, group 64 = %.2f x, median run by run (these ratios give the verdicts: "
            "group8_vs_full_ratio, group64_vs_full_ratio; group_full_commit_per_s is the sync-full rate)",
         per_fsync[G8], per_fsync[G64], b->fig[F_G8_RATIO], b->fig[F_G64_RATIO]);
    note(b, "group: without a history (NULL hist): group 8 %.0f commits/s, group 64 %.0f commits/s",
         med[G8N], med[G64N]);
    note(b, "group: the I/O of group 64 alone, in a bare loop like the engine's (one write of 64 x %zu bytes, then "
            "one fdatasync), runs at %.0f commits/s = %.1f x the engine's sync-full rate (median run by run; "
            "group64_raw_ceiling_per_s): one fdatasync of 64 commits' bytes takes longer than one of a single "
            "commit's", rec, median(raw64, reps), median(q64, reps));
    for (int i = 0; i < NG; i++)
        gengine_close(&g[i]);
    close(fd);
    fd = -1;
    free(rec64);
    rec64 = NULL;

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
    free(rec64);
    return rc;
}

