/*
 * test_gossip.c: the top-down anti-entropy exchange of engines/base/cluster.c, watched
 * through the history's message events and the round's report. Pinned: replicas in sync
 * exchange two messages (a ROOT of one hash, an empty KEYS) and compare one hash; one key
 * that only the initiator holds takes ROOT, MIDS, LEAVES, KEYS, PUSH, and one that only
 * the peer holds adds a PUSH_BACK; the hashes compared are 1 + 16 + 16 per differing
 * middle node; a differing key spreads both ways in one exchange; an exchange over slow
 * links still completes (its deadline covers six steps); exchange ids keep growing across
 * rounds although the records of old rounds are dropped; and a round's messages and bytes
 * are those the history saw sent.
 */
#include "t.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/cluster.h"
#include "base/wire.h"

static cluster *mk(uint32_t n, uint64_t seed, hist *h)
{
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = n;
    cfg.seed = seed;
    cfg.gossip = false;
    cfg.hinted_handoff = false;
    cfg.read_repair = false;
    return cluster_new(&cfg, h);
}

/* A write at replica r that no other replica hears of (the others are cut off while it
 * is made, then everything heals). */
static void put_alone(cluster *c, uint32_t r, const char *key, const char *value)
{
    uint32_t n = cluster_size(c), group[16] = { 0 };
    for (uint32_t i = 1; i <= n; i++)
        group[i] = i == r ? 1 : 2;
    cluster_partition(c, group);
    base_req q;
    memset(&q, 0, sizeof q);
    q.op = BREQ_PUT;
    snprintf(q.key, sizeof q.key, "%s", key);
    snprintf(q.value, sizeof q.value, "%s", value);
    q.q = BQ_ONE;
    snprintf(q.text, sizeof q.text, "put");
    cluster_submit(c, r, &q);
    cluster_heal(c, 0, 0);
}

/* The types of the messages delivered from history index `from` on, in order. */
static int delivered_types(hist *h, size_t from, int *types, int max, uint64_t *bytes)
{
    int n = 0;
    *bytes = 0;
    for (size_t i = from; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind != EV_MSG_DELIVER)
            continue;
        if (n < max)
            types[n] = (int)e->n[0];
        *bytes += (uint64_t)e->n[1];
        n++;
    }
    return n;
}

static void test_replicas_in_sync_exchange_a_root_and_an_empty_keys(void)
{
    hist *h = hist_new();
    cluster *c = mk(2, 1, h);
    size_t from = hist_count(h);
    gossip_report g;
    cluster_gossip_round(c, &g);
    int types[8];
    uint64_t bytes;
    /* both replicas start an exchange with the other: two ROOTs, two empty KEYS */
    CHECK_EQ_INT(delivered_types(h, from, types, 8, &bytes), 4);
    CHECK_EQ_INT(types[0], MSG_ROOT);
    CHECK_EQ_INT(types[1], MSG_ROOT);
    CHECK_EQ_INT(types[2], MSG_KEYS);
    CHECK_EQ_INT(types[3], MSG_KEYS);
    CHECK_EQ_INT(bytes, 2 * (WIRE_HDR + 8 + 4) + 2 * (WIRE_HDR + 12 + 4));
    CHECK_EQ_INT(g.exchanges, 2);
    CHECK_EQ_INT(g.completed, 2);
    CHECK_EQ_INT(g.messages, 4);
    CHECK_EQ_INT(g.bytes, bytes);
    CHECK_EQ_INT(g.hashes_compared, 2);
    CHECK_EQ_INT(g.keys_shipped, 0);
    CHECK_EQ_INT(g.ticks, 2);
    cluster_free(c);
    hist_free(h);
}

/* n1 holds a key n2 lacks. In a round each starts one exchange: n1's pushes the key (five
 * messages), n2's pulls it (six). */
static void test_one_differing_key_walks_down_the_tree_both_ways(void)
{
    hist *h = hist_new();
    cluster *c = mk(2, 1, h);
    put_alone(c, 1, "news", "fresh");
    CHECK(!cluster_converged(c));
    size_t from = hist_count(h);
    gossip_report g;
    cluster_gossip_round(c, &g);
    CHECK(cluster_converged(c));
    char v[64];
    cluster_stored(c, 2, "news", v, sizeof v);
    CHECK_EQ_STR(v, "fresh");
    int types[16], n;
    uint64_t bytes;
    n = delivered_types(h, from, types, 16, &bytes);
    CHECK_EQ_INT(n, 11);
    int count[MSG__COUNT] = { 0 };
    for (int i = 0; i < n && i < 16; i++)
        if (types[i] > 0 && types[i] < MSG__COUNT)
            count[types[i]]++;
    CHECK_EQ_INT(count[MSG_ROOT], 2);
    CHECK_EQ_INT(count[MSG_MIDS], 2);
    CHECK_EQ_INT(count[MSG_LEAVES], 2);
    CHECK_EQ_INT(count[MSG_KEYS], 2);
    CHECK_EQ_INT(count[MSG_PUSH], 2);
    CHECK_EQ_INT(count[MSG_PUSH_BACK], 1);
    /* step by step, one tick each: the two exchanges move in lockstep */
    static const int order[] = { MSG_ROOT, MSG_ROOT, MSG_MIDS, MSG_MIDS, MSG_LEAVES, MSG_LEAVES,
                                 MSG_KEYS, MSG_KEYS, MSG_PUSH, MSG_PUSH, MSG_PUSH_BACK };
    for (int i = 0; i < 11; i++)
        CHECK_EQ_INT(types[i], order[i]);
    CHECK_EQ_INT(g.completed, 2);
    CHECK_EQ_INT(g.hashes_compared, 2 * (1 + 16 + 16));
    CHECK_EQ_INT(g.keys_shipped, 2);
    CHECK_EQ_INT(g.messages, 11);
    CHECK_EQ_INT(g.bytes, bytes);
    CHECK_EQ_INT(g.ticks, 6);
    /* the next round finds them in sync */
    cluster_gossip_round(c, &g);
    CHECK_EQ_INT(g.messages, 4);
    CHECK_EQ_INT(g.hashes_compared, 2);
    cluster_free(c);
    hist_free(h);
}

/* Keys in two middle nodes: 16 leaves of each go across, and only their keys travel. */
static void test_hashes_compared_count_each_differing_middle_node(void)
{
    cluster *c = mk(2, 3, NULL);
    /* keys whose leaves (top byte of the key hash: replica.c hashes keys as below, which
     * the checks after the writes confirm) fall in different middle nodes */
    char keys[2][16];
    int found = 0;
    uint64_t first_mid = 99;
    for (int i = 0; found < 2 && i < 1000; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        uint64_t mid = (uint64_t)merkle_leaf_of(base_hash(k, strlen(k), 0x6b6579)) / MERKLE_FANOUT;
        if (found == 0 || mid != first_mid) {
            snprintf(keys[found], sizeof keys[found], "%s", k);
            first_mid = found == 0 ? mid : first_mid;
            found++;
        }
    }
    CHECK_EQ_INT(found, 2);
    put_alone(c, 1, keys[0], "a");
    put_alone(c, 2, keys[1], "b");
    bkey *k0 = rep_find(cluster_replica(c, 1), keys[0]), *k1 = rep_find(cluster_replica(c, 2), keys[1]);
    CHECK(k0 && k1);
    if (k0 && k1)
        CHECK(merkle_leaf_of(k0->khash) / MERKLE_FANOUT != merkle_leaf_of(k1->khash) / MERKLE_FANOUT);
    gossip_report g;
    cluster_gossip_round(c, &g);
    CHECK(cluster_converged(c));
    CHECK_EQ_INT(g.hashes_compared, 2 * (1 + 16 + 16 * 2));
    CHECK_EQ_INT(g.keys_shipped, 2 * 2);
    cluster_free(c);
}

/* With every link at delay 10 an exchange of six steps takes 60 ticks; it still completes. */
static void test_slow_links_do_not_cut_an_exchange_short(void)
{
    cluster *c = mk(2, 1, NULL);
    put_alone(c, 2, "news", "late");
    cluster_delay(c, 0, 0, 10);
    gossip_report g;
    cluster_gossip_round(c, &g);
    CHECK_EQ_INT(g.exchanges, 2);
    CHECK_EQ_INT(g.completed, 2);
    CHECK_EQ_INT(g.ticks, 60);
    CHECK(cluster_converged(c));
    cluster_free(c);
}

/* Old rounds' exchange records are dropped, their ids are not reused: the ids the history
 * reports keep growing, one per exchange. */
static void test_exchange_ids_keep_growing_across_rounds(void)
{
    hist *h = hist_new();
    cluster *c = mk(5, 9, h);
    for (int r = 0; r < 20; r++) {
        gossip_report g;
        cluster_gossip_round(c, &g);
        CHECK_EQ_INT(g.completed, 5);
    }
    int64_t last = 0, n = 0;
    int bad = 0;
    for (size_t i = 0; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind != EV_GOSSIP)
            continue;
        bad += e->n[2] != last + 1;
        last = e->n[2];
        n++;
    }
    CHECK_EQ_INT(n, 100);
    CHECK_EQ_INT(bad, 0);
    cluster_free(c);
    hist_free(h);
}

/* What the history records of requests and versions (issue 17's trace items): a request's
 * REQ_INVOKE says how many acks or replies it needs (W or R), its REQ_ANSWER the policy it
 * ran under; every packed dot, a merged CRDT state's included, is a non-negative number,
 * the same whether a trace writes it as a signed number or as an unsigned one. */
static void test_history_records_needed_policy_and_dots_that_are_never_negative(void)
{
    hist *h = hist_new();
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = 5;
    cfg.resolve = RES_CRDT;
    cluster *c = cluster_new(&cfg, h);
    static const struct { base_op op; base_q q; uint32_t qn; uint32_t want; } reqs[] = {
        { BREQ_INCR, BQ_NUM, 2, 2 }, { BREQ_ADD, BQ_QUORUM, 0, 3 }, { BREQ_GET, BQ_ALL, 0, 5 },
        { BREQ_PUT, BQ_ONE, 0, 1 },
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        base_req r;
        memset(&r, 0, sizeof r);
        r.op = reqs[i].op;
        snprintf(r.key, sizeof r.key, "%s", reqs[i].op == BREQ_ADD ? "s" : reqs[i].op == BREQ_PUT ? "p" : "k");
        snprintf(r.value, sizeof r.value, "x");
        r.delta = 1;
        r.q = reqs[i].q;
        r.qn = reqs[i].qn;
        uint64_t id = cluster_submit(c, 1 + (uint32_t)i, &r);
        base_answer a;
        while (!cluster_answer(c, id, &a))
            cluster_tick(c, NULL);
    }
    uint64_t ticks;
    cluster_settle(c, 100, &ticks);
    int invokes = 0, answers = 0, states = 0, negative = 0;
    for (size_t i = 0; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind == EV_REQ_INVOKE) {
            CHECK_EQ_INT(e->n[1], reqs[invokes].want);
            invokes++;
        }
        if (e->kind == EV_REQ_ANSWER) {
            CHECK_EQ_INT(e->n[4], RES_CRDT);
            answers++;
            for (int j = 0; j < e->nrows; j++)
                negative += (int64_t)e->rows[j].version < 0;
        }
        if (e->kind == EV_VERSION_STORE || e->kind == EV_VERSION_DISCARD || e->kind == EV_PURGE) {
            states += (uint64_t)e->n[0] >> 48 == DOT_STATE_R;
            negative += e->n[0] < 0 || (e->kind == EV_VERSION_DISCARD && e->n[1] < 0);
        }
    }
    CHECK_EQ_INT(invokes, 4);
    CHECK_EQ_INT(answers, 4);
    CHECK(states > 0);
    CHECK_EQ_INT(negative, 0);
    cluster_free(c);
    hist_free(h);
}

int main(void)
{
    RUN(test_replicas_in_sync_exchange_a_root_and_an_empty_keys);
    RUN(test_one_differing_key_walks_down_the_tree_both_ways);
    RUN(test_hashes_compared_count_each_differing_middle_node);
    RUN(test_slow_links_do_not_cut_an_exchange_short);
    RUN(test_exchange_ids_keep_growing_across_rounds);
    RUN(test_history_records_needed_policy_and_dots_that_are_never_negative);
    return t_done("gossip");
}
