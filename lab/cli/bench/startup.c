/*
 * startup.c: the startup benchmark: the lab's start to its first frame, and its
 * memory. See bench.h and BENCHMARKS.md.
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


/* The median wall time, in ms, of `self argv...` started with posix_spawn (stdout and
 * stderr to /dev/null) and waited for, after warm-ups; -1 with b->err when it fails. */
static double spawn_ms(bench *b, const char *self, char *const *argv, int runs)
{
    /* posix_spawn: a fork of this process, large after the other benchmarks, would be
     * timed too. */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
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
            return fail(b, "bench: `%s %s %s` failed (status %d)", self, argv[1], argv[2] ? argv[2] : "", status);
        }
        if (r >= 0)
            t[r] = dt;
    }
    posix_spawn_file_actions_destroy(&fa);
    return median(t, runs) * 1e3;
}

int bench_startup(bench *b)
{
    char self[4096];
    if (self_path(b, self, sizeof self))
        return -1;
    int runs = b->quick ? 2 : 31;
    char *const version[] = { self, "--version", NULL };
    if ((b->fig[F_STARTUP] = spawn_ms(b, self, version, runs)) < 0)
        return -1;
    note(b, "startup: `%s --version`, posix_spawn + wait, median of %d", self, runs);

    /* The commands a learner and a grader start most: `run` of a small scenario (a fresh
     * temporary database: its files created, recovery, the directory synced, two setup lines
     * fsynced, four statements, the files removed) and `lessons` (every lesson file read and
     * checked, the progress database opened). */
    char scn[1300], db0[1300];
    snprintf(scn, sizeof scn, "%s/startup.scn", b->root);
    snprintf(db0, sizeof db0, "%s/startup-progress.db", b->root);
    FILE *f = fopen(scn, "w");
    if (!f)
        return fail(b, "bench: cannot write %s: %s", scn, strerror(errno));
    fputs("setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 10), (2, 20)\n"
          "T1: UPDATE t SET v = 11 WHERE id = 1\nT2: SELECT * FROM t\nexpect T2 rows {1:11, 2:20}\n", f);
    if (fclose(f))
        return fail(b, "bench: cannot write %s", scn);
    char *const run[] = { self, "run", scn, "--quiet", NULL };
    if ((b->fig[F_STARTUP_RUN] = spawn_ms(b, self, run, runs)) < 0)
        return -1;
    char *const lessons[] = { self, "--db", db0, "lessons", NULL };
    if ((b->fig[F_STARTUP_LESSONS] = spawn_ms(b, self, lessons, runs)) < 0)
        return -1;
    note(b, "startup: `acidbase run` of a 5-line scenario (a fresh database, real fsync) %.1f ms; `acidbase lessons` "
            "(lists the %s lessons, a progress database in the benchmark's directory) %.1f ms; medians of %d",
         b->fig[F_STARTUP_RUN], "bundled", b->fig[F_STARTUP_LESSONS], runs);

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

