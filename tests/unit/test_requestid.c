/*
 * test_requestid.c: request ids in engines/base/cluster.c (cluster.h, "Request ids"). A
 * write with an id is applied once however often it is retried at the coordinator that
 * first took it; the retry is answered as any write (ok after W acks), names the first
 * application's dot and says it was deduplicated; the copies it sends teach the other
 * replicas the id; an id reused for another key is refused; and a write without an id
 * is applied on every retry (the double count the idempotency lesson shows).
 *
 * The property test compares with a reference taken from the definition, not from the
 * code: an at-most-once request applied at its coordinator adds its delta exactly once,
 * so after healing and settling every replica's counter is the sum of the deltas of the
 * distinct ids plus those of the writes without one.
 */
#include "t.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/cluster.h"
#include "base/prng.h"

static hist *H;                 /* the current cluster's history */

static cluster *mk(uint64_t seed, bool hints)
{
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = 3;
    cfg.seed = seed;
    cfg.resolve = RES_CRDT;
    cfg.gossip = false;
    cfg.hinted_handoff = hints;
    cfg.read_repair = false;
    cfg.timeout = 10;
    H = hist_new();
    return cluster_new(&cfg, H);
}

static void done(cluster *c)
{
    cluster_free(c);
    hist_free(H);
    H = NULL;
}

/* Submits INCR key delta (W = q) at coord with the id ("" none) and ticks until it is
 * answered. */
static base_answer incr(cluster *c, uint32_t coord, const char *key, int64_t delta, base_q q, const char *rid)
{
    base_req r;
    memset(&r, 0, sizeof r);
    r.op = BREQ_INCR;
    snprintf(r.key, sizeof r.key, "%s", key);
    r.delta = delta;
    r.q = q;
    snprintf(r.rid, sizeof r.rid, "%s", rid);
    snprintf(r.text, sizeof r.text, "INCR %s %" PRId64, key, delta);
    uint64_t id = cluster_submit(c, coord, &r);
    base_answer a;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 100 && !(cluster_answer(c, id, &a) && a.done); i++)
        cluster_tick(c, NULL);
    CHECK(a.done);
    return a;
}

static int64_t stored(cluster *c, uint32_t r, const char *key)
{
    char buf[64];
    CHECK(cluster_stored(c, r, key, buf, sizeof buf) > 0);
    return strcmp(buf, "absent") == 0 ? 0 : strtoll(buf, NULL, 10);
}

static void isolate(cluster *c, uint32_t r)
{
    uint32_t group[16] = { 0 };
    for (uint32_t i = 1; i <= 3; i++)
        group[i] = i == r ? 1 : 2;
    cluster_partition(c, group);
}

static void test_a_retry_at_the_coordinator_is_applied_once(void)
{
    cluster *c = mk(1, false);
    isolate(c, 1);
    base_answer a = incr(c, 1, "views", 1, BQ_QUORUM, "r17");
    CHECK(!a.ok);                                   /* unavailable, but applied at n1 */
    CHECK(!a.deduped);
    CHECK_EQ_INT(strcmp(a.text, "unavailable"), 0);
    dot first = a.made;
    cluster_heal(c, 0, 0);
    base_answer b = incr(c, 1, "views", 1, BQ_QUORUM, "r17");
    CHECK(b.ok);
    CHECK(b.deduped);
    CHECK(b.made.r == first.r && b.made.n == first.n);
    uint64_t ticks;
    CHECK(cluster_settle(c, 200, &ticks));
    for (uint32_t r = 1; r <= 3; r++)
        CHECK_EQ_INT(stored(c, r, "views"), 1);
    /* The retry's copies taught n2 and n3 the id: a retry there changes nothing. */
    base_answer d = incr(c, 3, "views", 1, BQ_ALL, "r17");
    CHECK(d.ok);
    CHECK(d.deduped);
    CHECK(cluster_settle(c, 200, &ticks));
    for (uint32_t r = 1; r <= 3; r++)
        CHECK_EQ_INT(stored(c, r, "views"), 1);
    done(c);
}

static void test_without_an_id_the_retry_counts_twice(void)
{
    cluster *c = mk(2, false);
    isolate(c, 1);
    base_answer a = incr(c, 1, "views", 1, BQ_QUORUM, "");
    CHECK(!a.ok);
    cluster_heal(c, 0, 0);
    base_answer b = incr(c, 1, "views", 1, BQ_QUORUM, "");
    CHECK(b.ok);
    CHECK(!b.deduped);
    uint64_t ticks;
    CHECK(cluster_settle(c, 200, &ticks));
    for (uint32_t r = 1; r <= 3; r++)
        CHECK_EQ_INT(stored(c, r, "views"), 2);
    done(c);
}

static void test_an_id_reused_for_another_key_is_refused(void)
{
    cluster *c = mk(3, false);
    base_answer a = incr(c, 1, "views", 5, BQ_ALL, "r1");
    CHECK(a.ok);
    base_answer b = incr(c, 1, "likes", 5, BQ_ALL, "r1");
    CHECK(b.error);
    CHECK(!b.ok);
    CHECK(strstr(b.text, "r1") != NULL && strstr(b.text, "views") != NULL);
    CHECK_EQ_INT(stored(c, 1, "likes"), 0);
    /* n2 learnt the id from n1's copy: it refuses there too. */
    base_answer d = incr(c, 2, "likes", 5, BQ_ALL, "r1");
    CHECK(d.error);
    done(c);
}

/* A hint carries the id: the replica that was down learns it when the hint arrives, so a
 * retry coordinated there afterwards is not applied again. */
static void test_a_hint_carries_the_id(void)
{
    cluster *c = mk(4, true);
    cluster_down(c, 3);
    base_answer a = incr(c, 1, "views", 1, BQ_ALL, "r9");
    CHECK(!a.ok);
    cluster_up(c, 3);
    uint64_t ticks;
    CHECK(cluster_settle(c, 400, &ticks));
    CHECK_EQ_INT(stored(c, 3, "views"), 1);
    base_answer b = incr(c, 3, "views", 1, BQ_ALL, "r9");
    CHECK(b.ok);
    CHECK(b.deduped);
    CHECK(cluster_settle(c, 400, &ticks));
    for (uint32_t r = 1; r <= 3; r++)
        CHECK_EQ_INT(stored(c, r, "views"), 1);
    done(c);
}

/* Random requests, some retried at their coordinator under random partitions; the final
 * counters equal the reference's at-most-once sums. */
static void test_retries_at_the_coordinator_match_the_reference(void)
{
    static const char *const keys[] = { "a", "b", "c" };
    for (uint64_t seed = 1; seed <= 40; seed++) {
        prng p;
        prng_seed(&p, seed);
        cluster *c = mk(seed, prng_chance(&p, 50));
        int64_t want[3] = { 0, 0, 0 };
        struct { char rid[16]; int key; uint32_t coord; int64_t delta; } sent[64];
        int nsent = 0, ids = 0;
        for (int step = 0; step < 40; step++) {
            switch (prng_below(&p, 4)) {
            case 0:
                isolate(c, 1 + (uint32_t)prng_below(&p, 3));
                break;
            case 1:
                cluster_heal(c, 0, 0);
                break;
            default:
                break;
            }
            base_q q = prng_chance(&p, 50) ? BQ_QUORUM : BQ_ALL;
            if (nsent > 0 && prng_chance(&p, 40)) {
                /* a retry: same id, key, delta, at the same coordinator */
                int i = (int)prng_below(&p, (uint64_t)nsent);
                base_answer a = incr(c, sent[i].coord, keys[sent[i].key], sent[i].delta, q, sent[i].rid);
                CHECK(!a.error);
                CHECK(a.deduped);
            } else if (nsent < 64 && prng_chance(&p, 75)) {
                int k = (int)prng_below(&p, 3);
                snprintf(sent[nsent].rid, sizeof sent[nsent].rid, "r%d", ++ids);
                sent[nsent].key = k;
                sent[nsent].coord = 1 + (uint32_t)prng_below(&p, 3);
                sent[nsent].delta = 1 + (int64_t)prng_below(&p, 9);
                base_answer a = incr(c, sent[nsent].coord, keys[k], sent[nsent].delta, q, sent[nsent].rid);
                CHECK(!a.error);
                CHECK(!a.deduped);
                want[k] += sent[nsent].delta;
                nsent++;
            } else {
                int k = (int)prng_below(&p, 3);
                int64_t d = 1 + (int64_t)prng_below(&p, 9);
                base_answer a = incr(c, 1 + (uint32_t)prng_below(&p, 3), keys[k], d, q, "");
                CHECK(!a.deduped);
                want[k] += d;
            }
        }
        cluster_heal(c, 0, 0);
        cluster_set_gossip(c, true);
        uint64_t ticks;
        CHECK(cluster_settle(c, 2000, &ticks));
        for (int k = 0; k < 3; k++)
            for (uint32_t r = 1; r <= 3; r++) {
                int64_t got = stored(c, r, keys[k]);
                if (got != want[k])
                    fprintf(stderr, "  seed %" PRIu64 ": n%u %s = %" PRId64 ", reference %" PRId64 "\n", seed, r,
                            keys[k], got, want[k]);
                CHECK(got == want[k]);
            }
        done(c);
    }
}

int main(void)
{
    RUN(test_a_retry_at_the_coordinator_is_applied_once);
    RUN(test_without_an_id_the_retry_counts_twice);
    RUN(test_an_id_reused_for_another_key_is_refused);
    RUN(test_a_hint_carries_the_id);
    RUN(test_retries_at_the_coordinator_match_the_reference);
    return t_done("requestid");
}
