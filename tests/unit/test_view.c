/*
 * test_view.c: the read-only view of the replica set (engines/base/view.h): what it says
 * about replicas, keys, versions, links, messages in flight and hints, and that looking
 * never changes the cluster (a twin that is looked at all the time runs to the same
 * history, event for event).
 */
#include "t.h"

#include <inttypes.h>

#include "base/view.h"
#include "base/wire.h"

static uint64_t submit(cluster *c, uint32_t coord, base_op op, const char *key, const char *value, base_q q)
{
    base_req r;
    memset(&r, 0, sizeof r);
    r.op = op;
    snprintf(r.key, sizeof r.key, "%s", key);
    snprintf(r.value, sizeof r.value, "%s", value ? value : "");
    r.q = q;
    r.delta = 1;
    snprintf(r.text, sizeof r.text, "op");
    return cluster_submit(c, coord, &r);
}

static void wait_answer(cluster *c, uint64_t id)
{
    base_answer a;
    while (!cluster_answer(c, id, &a))
        cluster_tick(c, NULL);
}

static cluster *three(base_resolve res, hist *h)
{
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.resolve = res;
    cfg.gossip = false;
    return cluster_new(&cfg, h);
}

static void test_view_reports_replicas_keys_and_versions(void)
{
    cluster *c = three(RES_SIBLINGS, NULL);
    cluster_set_skew(c, 2, 30);
    wait_answer(c, submit(c, 1, BREQ_PUT, "cart", "apple", BQ_ALL));
    uint32_t group[4] = { 0, 1, 2, 2 };
    cluster_partition(c, group);
    submit(c, 1, BREQ_PUT, "cart", "pear", BQ_ONE);
    submit(c, 2, BREQ_PUT, "cart", "plum", BQ_ONE);
    submit(c, 2, BREQ_DEL, "gone", NULL, BQ_ONE);
    cluster_heal(c, 0, 0);
    uint64_t ticks;
    cluster_settle(c, 100, &ticks);

    CHECK_EQ_INT(cview_replicas(c), 3);
    CHECK(cview_converged(c));
    cview_replica_info r;
    CHECK(cview_replica(c, 2, &r));
    CHECK(r.up);
    CHECK_EQ_INT(r.skew, 30);
    CHECK_EQ_INT(r.writes, 2);
    CHECK_EQ_INT(r.keys, 2);
    CHECK_EQ_INT(r.versions, 3);                  /* pear|plum, and the tombstone */
    CHECK(!cview_replica(c, 4, &r));

    cview_key_info k;
    CHECK(cview_key(c, 3, "cart", &k));
    CHECK_EQ_INT(k.versions, 2);
    CHECK_EQ_INT(k.tombstones, 0);
    CHECK(dot_none(k.only));
    cview_key_info k1;
    CHECK(cview_key(c, 1, "cart", &k1));
    CHECK(k1.state == k.state);                   /* the same versions: the same state */
    CHECK(cview_key(c, 3, "gone", &k));
    CHECK_EQ_INT(k.tombstones, 1);
    CHECK_EQ_INT(k.only.r, 2);
    CHECK(!cview_key(c, 3, "nothing", &k));

    char buf[64];
    cview_key_text(c, 1, "cart", buf, sizeof buf);
    CHECK_EQ_STR(buf, "pear|plum");
    cview_key_text(c, 1, "gone", buf, sizeof buf);
    CHECK_EQ_STR(buf, "absent");
    cview_version v[4];
    CHECK_EQ_INT(cview_versions(c, 1, "cart", v, 4), 2);
    CHECK(v[0].kind == BV_VALUE && v[1].kind == BV_VALUE);
    CHECK(v[0].d.r != v[1].d.r);
    CHECK(strcmp(v[0].text, "pear") == 0 || strcmp(v[0].text, "plum") == 0);
    CHECK_EQ_INT(cview_versions(c, 1, "cart", v, 1), 2);   /* room for one: it says two */

    int keys = 0;
    uint32_t pos = 0;
    while (cview_key_next(c, 1, &pos, &k))
        keys++;
    CHECK_EQ_INT(keys, 2);
    cluster_free(c);
}

static int nflight;
static cview_msg first_msg;

static void count_flight(const cview_msg *m, void *arg)
{
    (void)arg;
    if (nflight++ == 0)
        first_msg = *m;
}

static void test_view_reports_links_messages_in_flight_and_hints(void)
{
    cluster *c = three(RES_LWW, NULL);
    cluster_cut(c, 1, 3, true);
    cluster_delay(c, 1, 2, 4);
    cluster_down(c, 3);
    cview_link_info l;
    cview_link(c, 1, 3, &l);
    CHECK(l.cut && !l.reachable && l.up_from && !l.up_to);
    cview_link(c, 3, 1, &l);
    CHECK(!l.cut);
    cview_link(c, 1, 2, &l);
    CHECK(!l.cut && l.reachable);
    CHECK_EQ_INT(l.delay, 4);

    uint64_t id = submit(c, 1, BREQ_PUT, "x", "1", BQ_ONE);
    nflight = 0;
    CHECK_EQ_INT(cview_in_flight(c), 1);          /* to n2 (n3's copy was dropped at once) */
    cview_flight(c, count_flight, NULL);
    CHECK_EQ_INT(nflight, 1);
    CHECK_EQ_INT(first_msg.from, 1);
    CHECK_EQ_INT(first_msg.to, 2);
    CHECK_EQ_INT(first_msg.type, MSG_WRITE);
    CHECK_EQ_INT(first_msg.due, cview_now(c) + 4);

    for (int i = 0; i < 12; i++)                  /* the timeout: n3's copy becomes a hint */
        cluster_tick(c, NULL);
    (void)id;
    cview_hint hn[4];
    CHECK_EQ_INT(cview_hints(c, hn, 4), 1);
    CHECK_EQ_INT(hn[0].holder, 1);
    CHECK_EQ_INT(hn[0].target, 3);
    CHECK_EQ_STR(hn[0].key, "x");
    CHECK(!hn[0].delivered);
    cluster_free(c);
}

static bool same_history(const hist *a, const hist *b)
{
    if (hist_count(a) != hist_count(b))
        return false;
    for (size_t i = 0; i < hist_count(a); i++) {
        const hist_event *x = hist_get(a, i), *y = hist_get(b, i);
        if (x->kind != y->kind || x->tick != y->tick || x->node != y->node || x->node2 != y->node2 ||
            memcmp(x->n, y->n, sizeof x->n) || strcmp(x->text ? x->text : "", y->text ? y->text : ""))
            return false;
    }
    return true;
}

/* Everything the view can tell, asked of every replica, key and link. */
static void look(const cluster *c)
{
    char buf[256];
    cview_version v[8];
    cview_hint hn[8];
    (void)cview_converged(c);
    (void)cview_now(c);
    (void)cview_cfg(c);
    nflight = 0;
    cview_flight(c, count_flight, NULL);
    cview_hints(c, hn, 8);
    for (uint32_t r = 1; r <= cview_replicas(c); r++) {
        cview_replica_info x;
        cview_replica(c, r, &x);
        uint32_t pos = 0;
        cview_key_info k;
        while (cview_key_next(c, r, &pos, &k)) {
            cview_key_text(c, r, k.key, buf, sizeof buf);
            cview_versions(c, r, k.key, v, 8);
        }
        for (uint32_t s = 1; s <= cview_replicas(c); s++)
            if (s != r) {
                cview_link_info l;
                cview_link(c, r, s, &l);
            }
    }
}

static void test_looking_never_changes_the_cluster(void)
{
    for (uint64_t seed = 1; seed <= 10; seed++) {
        hist *ha = hist_new(), *hb = hist_new();
        base_cfg cfg;
        base_cfg_default(&cfg);
        cfg.seed = seed;
        cfg.interval = 2;
        cfg.grace = 6;
        cfg.resolve = (base_resolve)(1 + seed % 3);
        cluster *a = cluster_new(&cfg, ha), *b = cluster_new(&cfg, hb);
        prng p;
        prng_seed(&p, seed);
        for (int step = 0; step < 40; step++) {
            uint32_t coord = 1 + (uint32_t)prng_below(&p, 3);
            base_op op = prng_chance(&p, 30) ? BREQ_DEL : BREQ_PUT;
            char val[16];
            snprintf(val, sizeof val, "v%d", step);
            uint64_t ia = submit(a, coord, op, step % 2 ? "k" : "j", val, BQ_ONE);
            uint64_t ib = submit(b, coord, op, step % 2 ? "k" : "j", val, BQ_ONE);
            (void)ia;
            (void)ib;
            if (prng_chance(&p, 20)) {
                uint32_t group[4] = { 0, 1, 1 + (uint32_t)prng_below(&p, 2), 2 };
                cluster_partition(a, group);
                cluster_partition(b, group);
            }
            if (prng_chance(&p, 20)) {
                cluster_heal(a, 0, 0);
                cluster_heal(b, 0, 0);
            }
            for (int t = (int)prng_below(&p, 4); t > 0; t--) {
                look(b);
                cluster_tick(a, NULL);
                cluster_tick(b, NULL);
                look(b);
            }
        }
        CHECK(same_history(ha, hb));
        CHECK(hist_count(ha) > 100);
        cluster_free(a);
        cluster_free(b);
        hist_free(ha);
        hist_free(hb);
    }
}

int main(void)
{
    RUN(test_view_reports_replicas_keys_and_versions);
    RUN(test_view_reports_links_messages_in_flight_and_hints);
    RUN(test_looking_never_changes_the_cluster);
    return t_done("view");
}
