/*
 * gossip.c: the gossip benchmark: rounds to spread a write against the theory, and
 * message deliveries. See bench.h and BENCHMARKS.md.
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

double gossip_bound(double n)
{
    return 1.5 * (log(n) / log(3.0) + log(log(n)));
}

int bench_gossip(bench *b)
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

