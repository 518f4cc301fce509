/*
 * test_net.c: the simulated network (engines/base/net.c): delivery in (due, seq) order
 * (N1), FIFO among equal due ticks, delays and their defaults, one-way and two-way cuts,
 * partitions into groups, healing one link and everything, replicas down at send and in
 * flight, seeded loss that draws only where loss is configured, stats that add up, the
 * events in the history, and ten thousand replicas with a hundred thousand messages.
 */
#include "t.h"
#include "base/net.h"
#include "history/history.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------------------ */

static net *mk(uint32_t n, uint64_t seed, hist *h)
{
    prng p;
    prng_seed(&p, seed);
    return net_new(n, prng_split(&p, 1), h);
}

static uint64_t send1(net *nt, uint64_t now, uint32_t a, uint32_t b)
{
    uint8_t byte = (uint8_t)(a * 16 + b);
    return net_send(nt, now, a, b, 1, &byte, 1);
}

/* Everything due at or before now: returns how many came out, their seqs into seqs. */
static size_t drain(net *nt, uint64_t now, uint64_t *seqs, size_t max)
{
    size_t k = 0;
    net_msg m;
    while (net_next(nt, now, &m)) {
        if (seqs && k < max)
            seqs[k] = m.seq;
        k++;
    }
    return k;
}

/* 1 if the one message a -> b sent now comes out by now + 100, 0 if not. */
static int passes(net *nt, uint64_t now, uint32_t a, uint32_t b)
{
    uint64_t s = send1(nt, now, a, b);
    uint64_t got[4];
    size_t k = drain(nt, now + 100, got, 4);
    return s != 0 && k == 1 && got[0] == s;
}

static uint64_t drops(net_stats s)
{
    return s.dropped_cut + s.dropped_partition + s.dropped_down + s.dropped_loss;
}

static bool stats_add_up(const net *nt)
{
    net_stats s = net_get_stats(nt);
    return s.sent == s.delivered + drops(s) + net_in_flight(nt);
}

static const hist_event *last_event(const hist *h)
{
    return hist_count(h) ? hist_get(h, hist_count(h) - 1) : NULL;
}

/* ---- ordering --------------------------------------------------------------------------- */

static void test_n1_order_by_due_then_seq_with_mixed_delays(void)
{
    net *nt = mk(4, 1, NULL);
    net_set_delay(nt, 0, 0, 3);
    net_set_delay(nt, 1, 2, 7);
    net_set_delay(nt, 3, 4, 1);
    prng p;
    prng_seed(&p, 5);
    uint64_t due_of[3001] = { 0 };
    size_t sent = 0;
    uint64_t now = 0, last_due = 0, last_seq = 0;
    size_t got = 0;
    for (now = 1; now <= 300; now++) {
        for (int i = 0; i < 10; i++) {
            uint32_t a = (uint32_t)(1 + prng_below(&p, 4)), b = (uint32_t)(1 + prng_below(&p, 4));
            uint64_t s = send1(nt, now, a, b);
            CHECK(s == sent + 1);
            uint64_t d = (a == 1 && b == 2) || (a == 2 && b == 1) ? 7 : (a == 3 && b == 4) || (a == 4 && b == 3) ? 1 : 3;
            due_of[s] = now + d;
            sent++;
        }
        net_msg m;
        while (net_next(nt, now, &m)) {
            CHECK(m.due <= now);
            CHECK_EQ_INT(m.due, due_of[m.seq]);
            CHECK(m.due > last_due || (m.due == last_due && m.seq > last_seq));
            last_due = m.due;
            last_seq = m.seq;
            due_of[m.seq] = 0;           /* at most once */
            got++;
        }
    }
    net_msg m;
    while (net_next(nt, now + 10, &m)) {
        CHECK(m.due > last_due || (m.due == last_due && m.seq > last_seq));
        CHECK_EQ_INT(m.due, due_of[m.seq]);
        last_due = m.due;
        last_seq = m.seq;
        due_of[m.seq] = 0;
        got++;
    }
    CHECK_EQ_INT(got, sent);
    CHECK_EQ_INT(net_in_flight(nt), 0);
    net_free(nt);
}

static void test_n1_holds_when_everything_is_sent_first(void)
{
    net *nt = mk(6, 2, NULL);
    prng p;
    prng_seed(&p, 6);
    for (uint32_t a = 1; a <= 6; a++)
        for (uint32_t b = a + 1; b <= 6; b++)
            net_set_delay(nt, a, b, (uint32_t)(1 + prng_below(&p, 20)));
    for (int i = 0; i < 5000; i++)
        send1(nt, prng_below(&p, 50), (uint32_t)(1 + prng_below(&p, 6)), (uint32_t)(1 + prng_below(&p, 6)));
    uint64_t last_due = 0, last_seq = 0;
    size_t got = 0;
    net_msg m;
    while (net_next(nt, UINT64_MAX, &m)) {
        CHECK(m.due > last_due || (m.due == last_due && m.seq > last_seq));
        last_due = m.due;
        last_seq = m.seq;
        got++;
    }
    CHECK_EQ_INT(got, 5000);
    net_free(nt);
}

/* Against a naive model (the least (due, seq) among the messages still out and due by now),
 * with delays from 1 to a billion, send times that also go back and forth, and many due
 * ticks alive at once (the queue's buckets, their map and its deletions). */
static void n1_model(uint64_t seed, bool spread)
{
    enum { R = 30, SENDS = 6000 };
    typedef struct { uint64_t due; bool out; } pend;
    static pend model[SENDS + 1];
    static uint32_t delay[R + 1][R + 1];
    net *nt = mk(R, seed, NULL);
    prng p;
    prng_seed(&p, seed);
    static const uint32_t delays[] = { 1, 2, 3, 7, 64, 1000, 1000000000 };
    memset(model, 0, sizeof model);
    for (uint32_t a = 1; a <= R; a++)
        for (uint32_t b = 1; b <= R; b++)
            delay[a][b] = 1;
    for (uint32_t a = 1; a <= R; a++)
        for (uint32_t b = 1; b <= R; b++)
            if (prng_chance(&p, 40)) {
                uint32_t d = spread ? (uint32_t)(1 + prng_below(&p, 3000)) : delays[prng_below(&p, 7)];
                net_set_delay(nt, a, b, d);
                delay[a][b] = delay[b][a] = d;
            }
    size_t nsent = 0, nout = 0;
    uint64_t now = 10;
    while (nsent < SENDS || nout < nsent) {
        if (nsent < SENDS && prng_chance(&p, 70)) {
            uint64_t at = now - 2 + prng_below(&p, 5);
            uint32_t a = (uint32_t)(1 + prng_below(&p, R)), b = (uint32_t)(1 + prng_below(&p, R));
            uint64_t s = send1(nt, at, a, b);
            CHECK_EQ_INT(s, nsent + 1);
            model[s].due = at + delay[a][b];
            nsent++;
            continue;
        }
        now += spread ? 1 + prng_below(&p, 3) : prng_chance(&p, 95) ? 1 : 1000000000;
        net_msg m;
        for (;;) {
            size_t want = 0;
            for (size_t i = 1; i <= nsent; i++)
                if (!model[i].out && model[i].due <= now && (want == 0 || model[i].due < model[want].due))
                    want = i;
            int got = net_next(nt, now, &m);
            CHECK_EQ_INT(got, want != 0);
            if (!got || !want)
                break;
            CHECK_EQ_INT(m.seq, want);
            CHECK_EQ_INT(m.due, model[want].due);
            model[m.seq].out = true;
            nout++;
        }
        CHECK_EQ_INT(net_in_flight(nt), nsent - nout);
    }
    CHECK_EQ_INT(nout, SENDS);
    net_free(nt);
}

static void test_n1_matches_a_naive_model(void)
{
    n1_model(19, false);
    n1_model(20, true);         /* thousands of due ticks alive at once */
}

static void test_fifo_among_equal_due(void)
{
    net *nt = mk(3, 3, NULL);
    uint64_t seqs[100], got[100];
    for (int i = 0; i < 100; i++)
        seqs[i] = send1(nt, 10, (uint32_t)(1 + i % 3), (uint32_t)(1 + (i + 1) % 3));
    CHECK_EQ_INT(drain(nt, 10, got, 100), 0);             /* not before the delay */
    CHECK_EQ_INT(drain(nt, 11, got, 100), 100);
    for (int i = 0; i < 100; i++)
        CHECK_EQ_INT(got[i], seqs[i]);
    net_free(nt);
}

static void test_delay_defaults_overrides_and_clamp(void)
{
    net *nt = mk(3, 4, NULL);
    net_msg m;
    send1(nt, 0, 1, 2);
    CHECK(net_next(nt, 1, &m) && m.due == 1);             /* default 1 */
    net_set_delay(nt, 1, 2, 0);                           /* clamped to 1 */
    send1(nt, 0, 1, 2);
    CHECK(net_next(nt, 1, &m) && m.due == 1);
    net_set_delay(nt, 1, 2, 5);                           /* both directions */
    send1(nt, 0, 1, 2);
    send1(nt, 0, 2, 1);
    send1(nt, 0, 1, 3);
    CHECK_EQ_INT(drain(nt, 1, NULL, 0), 1);
    CHECK_EQ_INT(drain(nt, 4, NULL, 0), 0);
    CHECK_EQ_INT(drain(nt, 5, NULL, 0), 2);
    net_set_delay(nt, 0, 0, 4);                           /* the default, for every link again */
    send1(nt, 10, 1, 2);
    send1(nt, 10, 2, 3);
    CHECK_EQ_INT(drain(nt, 13, NULL, 0), 0);
    CHECK_EQ_INT(drain(nt, 14, NULL, 0), 2);
    net_set_delay(nt, 0, 0, 0);
    send1(nt, 20, 1, 2);
    CHECK_EQ_INT(drain(nt, 21, NULL, 0), 1);
    net_set_delay(nt, 0, 0, 5);                           /* the end of time: due saturates */
    send1(nt, UINT64_MAX - 2, 1, 2);
    CHECK(net_next(nt, UINT64_MAX, &m) && m.due == UINT64_MAX);
    net_free(nt);
}

static void test_bytes_are_copied_and_handed_over(void)
{
    net *nt = mk(2, 5, NULL);
    uint8_t buf[5] = { 1, 2, 3, 4, 5 };
    uint64_t s = net_send(nt, 0, 1, 2, 7, buf, 5);
    memset(buf, 0, sizeof buf);
    uint64_t s0 = net_send(nt, 0, 2, 1, 3, NULL, 0);
    net_msg m;
    CHECK(net_next(nt, 1, &m));
    CHECK(m.seq == s && m.from == 1 && m.to == 2 && m.type == 7 && m.len == 5 && m.sent == 0);
    CHECK(m.bytes && m.bytes[0] == 1 && m.bytes[4] == 5);
    CHECK(net_next(nt, 1, &m));
    CHECK(m.seq == s0 && m.len == 0);
    send1(nt, 1, 1, 2);                                   /* freed with the network */
    send1(nt, 1, 2, 1);
    net_free(nt);
}

/* The network keeps bytes in chunks of its own: a message's bytes stay valid until the
 * next net_next, even while the receiver sends (as a replica answers what it got), across
 * chunk boundaries, for a message bigger than a chunk, and with retired buckets' chunks
 * reused for later ticks. */
static void test_delivered_bytes_stay_valid_until_the_next_net_next(void)
{
    net *nt = mk(3, 4, NULL);
    static uint8_t big[100000];
    uint8_t small[300];
    int bad = 0;
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 1);
    for (uint64_t now = 0; now < 40; now++) {
        /* 300 messages per tick of 1..300 bytes (about 45 KB: more than one chunk), and a
         * big one every tenth tick */
        for (int k = 0; k < 300; k++) {
            size_t len = (size_t)k + 1;
            for (size_t i = 0; i < len; i++)
                small[i] = (uint8_t)(now + (uint64_t)k + i);
            CHECK(net_send(nt, now, 1, 2, 1, small, len) != 0);
        }
        if (now % 10 == 0)
            CHECK(net_send(nt, now, 2, 1, 2, big, sizeof big) != 0);
        net_msg m;
        int k = 0;
        while (net_next(nt, now, &m)) {
            /* answer first, as a replica would, then read what arrived */
            uint8_t ans = (uint8_t)k;
            net_send(nt, now, 2, 3, 3, &ans, 1);
            if (m.type == 2) {
                bad += m.len != sizeof big || memcmp(m.bytes, big, sizeof big) != 0;
                continue;
            }
            if (m.type == 3) {
                bad += m.len != 1;
                continue;
            }
            bad += m.len != (size_t)k + 1;
            for (size_t i = 0; i < m.len && i < (size_t)k + 1; i++)
                bad += m.bytes[i] != (uint8_t)(now - 1 + (uint64_t)k + i);
            k++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    net_free(nt);
}

/* ---- cuts, partitions, heal --------------------------------------------------------------- */

static void test_one_way_cut_drops_only_that_direction(void)
{
    net *nt = mk(3, 6, NULL);
    net_cut(nt, 1, 2, true);
    CHECK(!net_reachable(nt, 1, 2));
    CHECK(net_reachable(nt, 2, 1));
    CHECK_EQ_INT(send1(nt, 0, 1, 2), 0);
    CHECK_EQ_INT(passes(nt, 0, 2, 1), 1);
    CHECK_EQ_INT(passes(nt, 0, 1, 3), 1);
    CHECK_EQ_INT(net_get_stats(nt).dropped_cut, 1);
    net_cut(nt, 2, 3, false);
    CHECK_EQ_INT(send1(nt, 0, 2, 3), 0);
    CHECK_EQ_INT(send1(nt, 0, 3, 2), 0);
    CHECK_EQ_INT(net_get_stats(nt).dropped_cut, 3);
    CHECK(stats_add_up(nt));
    net_free(nt);
}

static void test_partition_into_three_groups(void)
{
    net *nt = mk(5, 7, NULL);
    uint32_t g[6] = { 0, 1, 1, 2, 2, 3 };                 /* n1 n2 | n3 n4 | n5 */
    net_partition(nt, g);
    for (uint32_t a = 1; a <= 5; a++) {
        CHECK_EQ_INT(net_group(nt, a), g[a]);
        for (uint32_t b = 1; b <= 5; b++) {
            CHECK_EQ_INT(net_reachable(nt, a, b), g[a] == g[b]);
            CHECK_EQ_INT(passes(nt, 0, a, b), g[a] == g[b]);
        }
    }
    net_stats s = net_get_stats(nt);
    CHECK_EQ_INT(s.dropped_partition, 25 - 4 - 4 - 1);
    CHECK_EQ_INT(s.delivered, 9);
    CHECK(stats_add_up(nt));
    net_free(nt);
}

static void test_heal_one_link_then_all(void)
{
    net *nt = mk(4, 8, NULL);
    net_cut(nt, 1, 2, false);
    net_cut(nt, 1, 3, false);
    net_cut(nt, 4, 1, true);
    net_heal(nt, 2, 1);                                   /* either order names the link */
    CHECK(net_reachable(nt, 1, 2) && net_reachable(nt, 2, 1));
    CHECK(!net_reachable(nt, 1, 3) && !net_reachable(nt, 3, 1));
    CHECK(!net_reachable(nt, 4, 1) && net_reachable(nt, 1, 4));
    CHECK_EQ_INT(passes(nt, 0, 1, 2), 1);
    CHECK_EQ_INT(passes(nt, 0, 1, 3), 0);
    uint32_t g[5] = { 0, 1, 1, 2, 2 };
    net_partition(nt, g);
    net_set_delay(nt, 1, 3, 9);
    net_heal(nt, 0, 0);
    for (uint32_t a = 1; a <= 4; a++) {
        CHECK_EQ_INT(net_group(nt, a), 0);
        for (uint32_t b = 1; b <= 4; b++)
            CHECK(net_reachable(nt, a, b));
    }
    net_msg m;                                            /* delay stays */
    send1(nt, 0, 3, 1);
    CHECK(net_next(nt, 9, &m) && m.due == 9);
    net_free(nt);
}

static void test_heal_one_link_across_a_partition(void)
{
    net *nt = mk(3, 9, NULL);
    uint32_t g[4] = { 0, 1, 2, 2 };                       /* n1 | n2 n3 */
    net_partition(nt, g);
    net_heal(nt, 1, 2);
    CHECK(net_reachable(nt, 1, 2) && net_reachable(nt, 2, 1));
    CHECK(!net_reachable(nt, 1, 3) && !net_reachable(nt, 3, 1));
    CHECK_EQ_INT(passes(nt, 0, 2, 1), 1);
    CHECK_EQ_INT(passes(nt, 0, 3, 1), 0);
    net_cut(nt, 1, 2, true);                              /* a cut still cuts a bridged link */
    CHECK(!net_reachable(nt, 1, 2) && net_reachable(nt, 2, 1));
    net_heal(nt, 1, 2);
    net_partition(nt, g);                                 /* a new partition: no bridges */
    CHECK(!net_reachable(nt, 1, 2));
    net_partition(nt, NULL);                              /* everyone together again */
    CHECK(net_reachable(nt, 1, 3));
    net_free(nt);
}

static void test_cut_or_partition_while_in_flight_drops_at_delivery(void)
{
    hist *h = hist_new();
    net *nt = mk(3, 10, h);
    net_set_delay(nt, 0, 0, 5);
    uint64_t a = send1(nt, 0, 1, 2);
    uint64_t b = send1(nt, 0, 2, 1);
    uint64_t c = send1(nt, 0, 1, 3);
    CHECK(a && b && c);
    net_cut(nt, 1, 2, true);
    uint32_t g[4] = { 0, 1, 1, 2 };
    net_partition(nt, g);
    uint64_t got[3];
    CHECK_EQ_INT(drain(nt, 5, got, 3), 1);
    CHECK_EQ_INT(got[0], b);
    net_stats s = net_get_stats(nt);
    CHECK_EQ_INT(s.dropped_cut, 1);
    CHECK_EQ_INT(s.dropped_partition, 1);
    size_t drops_seen = 0;
    for (size_t i = 0; i < hist_count(h); i++) {
        const hist_event *e = hist_get(h, i);
        if (e->kind != EV_MSG_DROP)
            continue;
        drops_seen++;
        if ((uint64_t)e->n[3] == a)
            CHECK_EQ_STR(e->text, "cut");
        else if ((uint64_t)e->n[3] == c)
            CHECK_EQ_STR(e->text, "partition");
        else
            CHECK(0);
    }
    CHECK_EQ_INT(drops_seen, 2);
    CHECK(stats_add_up(nt));
    net_free(nt);
    hist_free(h);
}

/* ---- down and up ------------------------------------------------------------------------------ */

static void test_down_replica_drops_at_send_and_in_flight(void)
{
    net *nt = mk(3, 11, NULL);
    net_set_up(nt, 2, false);
    CHECK(!net_is_up(nt, 2) && net_is_up(nt, 1));
    CHECK(!net_reachable(nt, 1, 2) && !net_reachable(nt, 2, 1));
    CHECK_EQ_INT(send1(nt, 0, 1, 2), 0);                  /* to a down replica */
    CHECK_EQ_INT(send1(nt, 0, 2, 1), 0);                  /* from a down replica */
    CHECK_EQ_INT(net_get_stats(nt).dropped_down, 2);
    net_set_up(nt, 2, true);
    net_set_delay(nt, 0, 0, 3);
    CHECK(send1(nt, 0, 1, 2));                            /* receiver goes down in flight */
    CHECK(send1(nt, 0, 2, 3));                            /* sender goes down in flight */
    net_set_up(nt, 2, false);
    uint64_t got[2];
    CHECK_EQ_INT(drain(nt, 3, got, 2), 1);
    CHECK_EQ_INT(net_get_stats(nt).dropped_down, 3);
    net_set_up(nt, 2, true);
    CHECK(send1(nt, 10, 1, 2));                           /* down and up again before due */
    net_set_up(nt, 2, false);
    net_set_up(nt, 2, true);
    CHECK_EQ_INT(drain(nt, 13, got, 2), 1);
    CHECK(stats_add_up(nt));
    net_free(nt);
}

static void test_replicas_out_of_range_count_as_down(void)
{
    net *nt = mk(3, 12, NULL);
    CHECK_EQ_INT(send1(nt, 0, 0, 1), 0);
    CHECK_EQ_INT(send1(nt, 0, 1, 4), 0);
    CHECK(!net_reachable(nt, 1, 4) && !net_is_up(nt, 0) && !net_is_up(nt, 4));
    net_cut(nt, 1, 9, false);                             /* ignored */
    net_set_delay(nt, 9, 1, 5);
    net_set_up(nt, 99, false);
    CHECK_EQ_INT(net_get_stats(nt).dropped_down, 2);
    CHECK_EQ_INT(net_size(nt), 3);
    net_free(nt);
}

/* ---- loss ---------------------------------------------------------------------------------------- */

/* Which of count sends 1 -> 2 got through, as bits; extra: also send over a lossless link
 * (or a cut lossy one) before each. */
static void loss_pattern(uint64_t seed, int count, int extra, uint8_t *out, size_t *delivered)
{
    net *nt = mk(4, seed, NULL);
    net_set_loss(nt, 1, 2, 50);
    if (extra == 2) {
        net_set_loss(nt, 1, 4, 50);
        net_cut(nt, 1, 4, true);
    }
    if (extra == 3)
        net_set_loss(nt, 1, 3, 0);
    *delivered = 0;
    for (int i = 0; i < count; i++) {
        if (extra == 1 || extra == 3)
            CHECK(send1(nt, (uint64_t)i, 1, 3) != 0);
        if (extra == 2)
            CHECK_EQ_INT(send1(nt, (uint64_t)i, 1, 4), 0);
        out[i] = send1(nt, (uint64_t)i, 1, 2) != 0;
        *delivered += out[i];
    }
    net_stats s = net_get_stats(nt);
    CHECK_EQ_INT(s.dropped_loss, (uint64_t)count - *delivered);
    CHECK(stats_add_up(nt));
    net_free(nt);
}

static void test_loss_half_is_seeded_and_deterministic(void)
{
    enum { N = 10000 };
    static uint8_t a[N], b[N], c[N];
    size_t da, db, dc;
    loss_pattern(42, N, 0, a, &da);
    loss_pattern(42, N, 0, b, &db);
    loss_pattern(43, N, 0, c, &dc);
    CHECK(da > N * 45 / 100 && da < N * 55 / 100);
    CHECK(dc > N * 45 / 100 && dc < N * 55 / 100);
    CHECK_EQ_INT(da, db);
    CHECK(memcmp(a, b, N) == 0);
    CHECK(memcmp(a, c, N) != 0);
}

static void test_loss_zero_draws_nothing(void)
{
    enum { N = 2000 };
    static uint8_t base[N], with[N];
    size_t d0, d1;
    loss_pattern(77, N, 0, base, &d0);
    for (int extra = 1; extra <= 3; extra++) {
        loss_pattern(77, N, extra, with, &d1);
        CHECK(memcmp(base, with, N) == 0);
        CHECK_EQ_INT(d0, d1);
    }
}

static void test_loss_default_and_per_link(void)
{
    net *nt = mk(3, 13, NULL);
    net_set_loss(nt, 0, 0, 100);
    CHECK_EQ_INT(send1(nt, 0, 1, 2), 0);
    net_set_loss(nt, 2, 3, 0);                            /* this link only, both ways */
    CHECK(send1(nt, 0, 2, 3) && send1(nt, 0, 3, 2));
    CHECK_EQ_INT(send1(nt, 0, 1, 3), 0);
    net_set_loss(nt, 1, 2, 250);                          /* clamped to 100 */
    CHECK_EQ_INT(send1(nt, 0, 1, 2), 0);
    net_set_loss(nt, 0, 0, 0);                            /* every link follows the default */
    CHECK(send1(nt, 0, 1, 2) && send1(nt, 0, 1, 3));
    CHECK_EQ_INT(net_get_stats(nt).dropped_loss, 3);
    CHECK(net_reachable(nt, 1, 2));                       /* loss is not unreachability */
    net_free(nt);
}

/* ---- stats and events ------------------------------------------------------------------------------- */

static void test_stats_add_up_under_random_chaos(void)
{
    net *nt = mk(8, 14, NULL);
    prng p;
    prng_seed(&p, 15);
    net_set_loss(nt, 0, 0, 10);
    for (uint64_t now = 1; now <= 2000; now++) {
        uint32_t a = (uint32_t)(1 + prng_below(&p, 8)), b = (uint32_t)(1 + prng_below(&p, 8));
        switch (prng_below(&p, 20)) {
        case 0: net_cut(nt, a, b, prng_chance(&p, 50)); break;
        case 1: net_heal(nt, a, b); break;
        case 2: net_heal(nt, 0, 0); break;
        case 3: net_set_up(nt, a, !net_is_up(nt, a)); break;
        case 4: net_set_delay(nt, a, b, (uint32_t)prng_below(&p, 10)); break;
        case 5: {
            uint32_t g[9];
            for (int i = 0; i <= 8; i++)
                g[i] = (uint32_t)prng_below(&p, 3);
            net_partition(nt, g);
            break;
        }
        case 6: net_set_loss(nt, a, b, (uint32_t)prng_below(&p, 60)); break;
        default: break;
        }
        for (int i = 0; i < 5; i++)
            send1(nt, now, (uint32_t)(1 + prng_below(&p, 8)), (uint32_t)(1 + prng_below(&p, 8)));
        drain(nt, now, NULL, 0);
        CHECK(stats_add_up(nt));
    }
    net_stats s = net_get_stats(nt);
    CHECK_EQ_INT(s.sent, 10000);
    CHECK(s.delivered > 0 && s.dropped_cut > 0 && s.dropped_partition > 0 && s.dropped_down > 0 &&
          s.dropped_loss > 0);
    net_free(nt);
}

static void test_events_carry_the_right_fields(void)
{
    hist *h = hist_new();
    net *nt = mk(3, 16, h);
    net_set_delay(nt, 2, 3, 4);
    hist_set_tick(h, 7);
    uint8_t bytes[10] = { 0 };
    uint64_t s = net_send(nt, 7, 2, 3, 5, bytes, 10);
    const hist_event *e = last_event(h);
    CHECK(e && e->kind == EV_MSG_SEND && e->side == SIDE_BASE && e->tick == 7);
    CHECK(e && e->node == 2 && e->node2 == 3);
    CHECK(e && e->n[0] == 5 && e->n[1] == 10 && e->n[2] == 11 && (uint64_t)e->n[3] == s);

    net_cut(nt, 1, 3, true);
    size_t before = hist_count(h);
    CHECK_EQ_INT(net_send(nt, 7, 1, 3, 2, bytes, 3), 0);
    CHECK_EQ_INT(hist_count(h), before + 1);              /* a drop, and no MSG_SEND */
    e = last_event(h);
    CHECK(e && e->kind == EV_MSG_DROP && e->side == SIDE_BASE && e->node == 1 && e->node2 == 3);
    CHECK(e && e->n[0] == 2 && e->n[1] == 3 && (uint64_t)e->n[3] == s + 1);
    CHECK_EQ_STR(e ? e->text : NULL, "cut");

    net_set_up(nt, 1, false);
    net_send(nt, 7, 1, 2, 1, bytes, 1);
    CHECK_EQ_STR(last_event(h)->text, "down");
    net_set_up(nt, 1, true);
    uint32_t g[4] = { 0, 1, 2, 2 };
    net_partition(nt, g);
    net_send(nt, 7, 1, 2, 1, bytes, 1);
    CHECK_EQ_STR(last_event(h)->text, "partition");
    net_set_loss(nt, 2, 3, 100);
    net_send(nt, 7, 3, 2, 1, bytes, 1);
    CHECK_EQ_STR(last_event(h)->text, "loss");

    hist_set_tick(h, 11);
    before = hist_count(h);
    net_msg m;
    CHECK(net_next(nt, 11, &m));
    CHECK_EQ_INT(hist_count(h), before);                  /* delivery is the caller's event */
    net_malformed(nt, &m, "bad checksum");
    e = last_event(h);
    CHECK(e && e->kind == EV_MSG_DROP && e->tick == 11 && e->node == 2 && e->node2 == 3);
    CHECK(e && (uint64_t)e->n[3] == s && e->n[0] == 5);
    CHECK_EQ_STR(e ? e->text : NULL, "malformed: bad checksum");
    net_stats st = net_get_stats(nt);
    CHECK_EQ_INT(st.malformed, 1);
    CHECK_EQ_INT(st.delivered, 1);
    CHECK(stats_add_up(nt));
    net_free(nt);
    hist_free(h);
}

/* ---- scale ------------------------------------------------------------------------------------------- */

static void test_ten_thousand_replicas_hundred_thousand_messages(void)
{
    enum { R = 10000, M = 100000 };
    clock_t t0 = clock();
    net *nt = mk(R, 17, NULL);
    prng p;
    prng_seed(&p, 18);
    net_set_delay(nt, 0, 0, 3);
    for (int i = 0; i < 1000; i++)                        /* a thousand links configured */
        net_set_delay(nt, (uint32_t)(1 + prng_below(&p, R)), (uint32_t)(1 + prng_below(&p, R)),
                      (uint32_t)(1 + prng_below(&p, 20)));
    for (int i = 0; i < 100; i++)
        net_cut(nt, (uint32_t)(1 + prng_below(&p, R)), (uint32_t)(1 + prng_below(&p, R)), true);
    uint64_t last_due = 0, last_seq = 0;
    size_t got = 0;
    net_msg m;
    for (uint64_t now = 0; now < 100; now++) {
        for (int i = 0; i < M / 100; i++)
            send1(nt, now, (uint32_t)(1 + prng_below(&p, R)), (uint32_t)(1 + prng_below(&p, R)));
        while (net_next(nt, now, &m)) {
            CHECK(m.due > last_due || (m.due == last_due && m.seq > last_seq));
            last_due = m.due;
            last_seq = m.seq;
            got++;
        }
    }
    got += drain(nt, UINT64_MAX, NULL, 0);
    net_stats s = net_get_stats(nt);
    CHECK_EQ_INT(s.sent, M);
    CHECK_EQ_INT(s.delivered, got);
    CHECK_EQ_INT(s.delivered + s.dropped_cut, M);
    CHECK(stats_add_up(nt));
    net_free(nt);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(secs < 5.0);                                    /* generous: sanitizers are slow */
}

int main(void)
{
    RUN(test_n1_order_by_due_then_seq_with_mixed_delays);
    RUN(test_n1_holds_when_everything_is_sent_first);
    RUN(test_n1_matches_a_naive_model);
    RUN(test_fifo_among_equal_due);
    RUN(test_delay_defaults_overrides_and_clamp);
    RUN(test_bytes_are_copied_and_handed_over);
    RUN(test_delivered_bytes_stay_valid_until_the_next_net_next);
    RUN(test_one_way_cut_drops_only_that_direction);
    RUN(test_partition_into_three_groups);
    RUN(test_heal_one_link_then_all);
    RUN(test_heal_one_link_across_a_partition);
    RUN(test_cut_or_partition_while_in_flight_drops_at_delivery);
    RUN(test_down_replica_drops_at_send_and_in_flight);
    RUN(test_replicas_out_of_range_count_as_down);
    RUN(test_loss_half_is_seeded_and_deterministic);
    RUN(test_loss_zero_draws_nothing);
    RUN(test_loss_default_and_per_link);
    RUN(test_stats_add_up_under_random_chaos);
    RUN(test_events_carry_the_right_fields);
    RUN(test_ten_thousand_replicas_hundred_thousand_messages);
    return t_done("net");
}
