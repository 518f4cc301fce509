/*
 * locks.c: the locks benchmark: lock and release pairs, deadlock detection. See
 * bench.h and BENCHMARKS.md.
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


/* --- locks ----------------------------------------------------------------------------------- */

int bench_locks(bench *b)
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

