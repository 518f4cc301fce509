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


int bench_startup(bench *b)
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

