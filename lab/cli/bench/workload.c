/*
 * workload.c: seeded workloads run through the runner (ACID: 8 sessions at mixed
 * levels over 200 rows; BASE: 5 replicas, 3 clients, partitions), for the checker, trace
 * and tui benchmarks. See bench.h.
 */
#include "bench.h"
#include "tui/app.h"
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


/* --- checker: histories made by running workloads through the runner ---------------------------- */

static bool is_op(int kind, bool acid)
{
    return acid ? kind >= EV_TXN_BEGIN && kind <= EV_PREAD
                : kind == EV_REQ_INVOKE || kind == EV_REQ_ANSWER || kind == EV_VERSION_STORE ||
                      kind == EV_VERSION_DISCARD || kind == EV_PURGE || kind == EV_SIBLINGS;
}

/* Operations in the history so far (the events the ACID or the BASE checker reads). */
size_t gen_ops(gen *w, bool acid)
{
    const hist *h = runner_history(w->r);
    for (size_t n = hist_count(h); w->seen < n; w->seen++) {
        int k = hist_get(h, w->seen)->kind;
        w->ops[0] += is_op(k, false);
        w->ops[1] += is_op(k, true);
    }
    return w->ops[acid];
}

int gen_line(bench *b, gen *w, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char msg[512] = "";
    int rc = w->app ? app_exec(w->app, line, msg, sizeof msg) : runner_line(w->r, line, ++w->lineno);
    if (rc != RUN_OK)
        return fail(b, "bench: the workload line '%s' failed (%d%s%s)", line, rc, msg[0] ? ": " : "", msg);
    return 0;
}

int gen_open(bench *b, gen *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    char err[1024];
    runner_opts o = { .seed = seed, .real_sync = false };   /* no sink: the transcript is dropped */
    w->r = runner_new(&o, err, sizeof err);
    if (!w->r)
        return fail(b, "bench: cannot start a runner: %s", err);
    prng_seed(&w->g, seed);
    return 0;
}

void gen_open_app(gen *w, struct app *a, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->app = a;
    w->r = app_runner(a);
    prng_seed(&w->g, seed);
}

void gen_close(gen *w)
{
    if (!w->app)
        runner_free(w->r);
}

/* An ACID workload: 8 sessions, transactions of 1 to 4 statements at random isolation
 * levels over 200 rows; some scans, some rollbacks; blocking and deadlocks happen. */
int gen_acid(bench *b, gen *w, size_t ops)
{
    if (gen_line(b, w, "setup: CREATE TABLE acc (id INT PRIMARY KEY, balance INT)") ||
        gen_line(b, w, "engine: sync off"))
        return -1;
    for (int k = 1; k <= 200; k += 10)
        if (gen_line(b, w, "setup: INSERT INTO acc VALUES (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), "
                           "(%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000), (%d, 1000)",
                     k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k + 8, k + 9))
            return -1;
    for (int step = 0;; step++) {
        if (step % 64 == 0 && gen_ops(w, true) >= ops)
            return 0;
        if (gen_acid_step(b, w))
            return -1;
    }
}

/* One line of the ACID workload (a statement, BEGIN, COMMIT or ROLLBACK of one session). */
int gen_acid_step(bench *b, gen *w)
{
    static const char *const levels[4] = { "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE" };
    acid_engine *e = runner_acid(w->r);
    for (;;) {
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
        return rc ? -1 : 0;
    }
}

/* A BASE workload: 5 replicas, three clients, writes and reads at every quorum, deletes,
 * partitions that come and go, gossip, hints and read repair on. */
int gen_base(bench *b, gen *w, size_t ops)
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

