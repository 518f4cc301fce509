/*
 * trace.c: the trace benchmark: writing and reading a long trace. See bench.h and
 * BENCHMARKS.md.
 */
#include "bench.h"
#include "trace/export.h"
#include "trace/trace.h"
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


/* --- trace -------------------------------------------------------------------------------------- */

int bench_trace(bench *b)
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
    if (trace_export(w.r, NULL, NULL, &t, &err)) {
        fail(b, "bench: trace_export: %s", err.msg);
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

