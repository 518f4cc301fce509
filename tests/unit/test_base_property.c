/*
 * test_base_property.c: random workloads on the replica set, judged by convergence and
 * the BASE checker.
 *
 * Hundreds of seeds: random writes (and deletes, reads, set and counter operations) at
 * random replicas while random partitions come and go and replicas go down and up; then
 * everything heals and the cluster settles. Pinned: it always converges; under siblings
 * and crdt no acknowledged write is ever lost; under lww some seeds do lose writes (so the
 * checker is looking); and the same seed gives the same history, event for event.
 */
#include "t.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/cluster.h"
#include "history/basecheck.h"

static const char *keys[] = { "cart", "likes", "profile" };

static uint64_t run_workload(uint64_t seed, base_resolve res, hist *h, bool *converged, int *lost)
{
    prng rng;
    prng_seed(&rng, seed * 7919 + 3);
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = 3 + (uint32_t)prng_below(&rng, 3);
    cfg.resolve = res;
    cfg.seed = seed;
    cfg.grace = 1000;   /* purges would legitimately resurrect; not what this test pins */
    cluster *c = cluster_new(&cfg, h);
    int steps = 20 + (int)prng_below(&rng, 30);
    for (int i = 0; i < steps; i++) {
        uint32_t r = 1 + (uint32_t)prng_below(&rng, cfg.n);
        base_req q;
        memset(&q, 0, sizeof q);
        const char *key = keys[prng_below(&rng, 3)];
        snprintf(q.key, sizeof q.key, "%s", key);
        snprintf(q.text, sizeof q.text, "op");
        q.q = prng_chance(&rng, 30) ? BQ_QUORUM : BQ_ONE;
        uint64_t dice = prng_below(&rng, 100);
        bool counter = key == keys[1], set = key == keys[0];
        if (dice < 15) {
            q.op = BREQ_GET;
        } else if (res == RES_CRDT && counter) {
            q.op = BREQ_INCR;
            q.delta = 1 + (int64_t)prng_below(&rng, 3);
        } else if (res == RES_CRDT && set) {
            q.op = dice < 70 ? BREQ_ADD : BREQ_REMOVE;
            snprintf(q.value, sizeof q.value, "item%d", (int)prng_below(&rng, 4));
        } else if (dice < 25) {
            q.op = BREQ_DEL;
        } else {
            q.op = BREQ_PUT;
            snprintf(q.value, sizeof q.value, "v%d", i);
        }
        uint64_t id = cluster_submit(c, r, &q);
        base_answer a;
        while (!cluster_answer(c, id, &a))
            cluster_tick(c, NULL);
        switch (prng_below(&rng, 10)) {
        case 0: {
            uint32_t group[8] = { 0 };
            for (uint32_t k = 1; k <= cfg.n; k++)
                group[k] = 1 + (uint32_t)prng_below(&rng, 2);
            cluster_partition(c, group);
            break;
        }
        case 1: cluster_heal(c, 0, 0); break;
        case 2: cluster_down(c, 1 + (uint32_t)prng_below(&rng, cfg.n)); break;
        case 3: cluster_up(c, 1 + (uint32_t)prng_below(&rng, cfg.n)); break;
        default: {
            int t = (int)prng_below(&rng, 4);
            while (t-- > 0)
                cluster_tick(c, NULL);
        }
        }
    }
    cluster_heal(c, 0, 0);
    for (uint32_t k = 1; k <= cfg.n; k++)
        cluster_up(c, k);
    uint64_t ticks;
    *converged = cluster_settle(c, 2000, &ticks) && cluster_converged(c);
    base_findings f = { 0 };
    basecheck_run(h, &f);
    *lost = basecheck_count(&f, "lost-write");
    basecheck_free(&f);
    cluster_free(c);
    return ticks;
}

static bool same_history(const hist *a, const hist *b)
{
    if (hist_count(a) != hist_count(b))
        return false;
    for (size_t i = 0; i < hist_count(a); i++) {
        const hist_event *x = hist_get(a, i), *y = hist_get(b, i);
        if (x->kind != y->kind || x->tick != y->tick || x->node != y->node || x->node2 != y->node2 ||
            memcmp(x->n, y->n, sizeof x->n) || !scalar_eq(&x->key, &y->key) ||
            strcmp(x->text ? x->text : "", y->text ? y->text : "") || hist_ntxns(x) != hist_ntxns(y) ||
            (hist_ntxns(x) && memcmp(hist_txns(x), hist_txns(y), (size_t)hist_ntxns(x) * sizeof *hist_txns(x))))
            return false;
    }
    return true;
}

static void test_random_workloads_always_converge_after_healing(void)
{
    base_resolve all[] = { RES_LWW, RES_SIBLINGS, RES_CRDT };
    int failures = 0;
    for (int p = 0; p < 3; p++)
        for (uint64_t seed = 1; seed <= 100; seed++) {
            hist *h = hist_new();
            bool conv;
            int lost;
            run_workload(seed, all[p], h, &conv, &lost);
            if (!conv && failures++ < 5)
                fprintf(stderr, "seed %" PRIu64 " policy %d did not converge\n", seed, all[p]);
            hist_free(h);
        }
    CHECK_EQ_INT(failures, 0);
}

static void test_siblings_and_crdt_never_lose_an_acknowledged_write(void)
{
    int lost_total = 0, lww_lost = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        for (int p = 0; p < 3; p++) {
            base_resolve res = p == 0 ? RES_SIBLINGS : p == 1 ? RES_CRDT : RES_LWW;
            hist *h = hist_new();
            bool conv;
            int lost;
            run_workload(seed, res, h, &conv, &lost);
            if (res == RES_LWW)
                lww_lost += lost > 0;
            else if (lost) {
                if (lost_total < 3)
                    fprintf(stderr, "seed %" PRIu64 " %s lost %d writes\n", seed, p ? "crdt" : "siblings", lost);
                lost_total += lost;
            }
            hist_free(h);
        }
    }
    printf("base property: LWW lost writes in %d/100 workloads; siblings and crdt in none\n", lww_lost);
    CHECK_EQ_INT(lost_total, 0);
    CHECK(lww_lost > 0);
}

static void test_the_same_seed_gives_the_same_history(void)
{
    for (uint64_t seed = 1; seed <= 30; seed++) {
        hist *a = hist_new(), *b = hist_new();
        bool conv;
        int lost;
        run_workload(seed, (base_resolve)(1 + seed % 3), a, &conv, &lost);
        run_workload(seed, (base_resolve)(1 + seed % 3), b, &conv, &lost);
        CHECK(same_history(a, b));
        CHECK(hist_count(a) > 50);
        hist_free(a);
        hist_free(b);
    }
}

int main(void)
{
    RUN(test_random_workloads_always_converge_after_healing);
    RUN(test_siblings_and_crdt_never_lose_an_acknowledged_write);
    RUN(test_the_same_seed_gives_the_same_history);
    return t_done("base-property");
}
