/*
 * test_basecheck.c: the BASE history checker on hand-built histories: each finding in its
 * smallest shape, the neighbouring cases that must stay silent, the explanation texts,
 * names and counts, and one long history that must stay fast.
 *
 * Conventions: replicas n1..n3; D(r, n) is the dot (r, n) packed as the history carries
 * it; request ids are small numbers unique within a test; ticks advance with tick().
 */
#include "t.h"
#include "base/cluster.h"
#include "history/basecheck.h"

#include <inttypes.h>
#include <stdint.h>
#include <time.h>

enum { PUT = 1, GET, DEL, ADD, REMOVE, INCR };
enum { VALUE = 1, TOMB, SET, COUNTER };

#define D(r, n) (((uint64_t)(r) << 48) | (uint64_t)(n))
#define STATE(h) (((uint64_t)0x7FFF << 48) | (uint64_t)(h))   /* a merged CRDT state */

/* --- building histories ------------------------------------------------------------- */

static void tick(hist *h)
{
    hist_set_tick(h, hist_tick(h) + 1);
}

static hist_event *base_ev(hist *h, hist_kind kind, int node, const char *key)
{
    hist_event *e = hist_add(h, SIDE_BASE, kind);
    e->node = (uint16_t)node;
    e->key = scalar_text(key, strlen(key));
    return e;
}

static uint64_t invoke(hist *h, int node, const char *client, int op, const char *key,
                       int64_t req)
{
    hist_event *e = base_ev(h, EV_REQ_INVOKE, node, key);
    hist_set_actor(h, e, client);
    e->n[0] = op;
    e->n[2] = req;
    return e->seq;
}

static uint64_t answer_write(hist *h, int node, const char *client, const char *key,
                             int64_t req, int ok, uint64_t dt)
{
    hist_event *e = base_ev(h, EV_REQ_ANSWER, node, key);
    hist_set_actor(h, e, client);
    e->n[0] = ok;
    e->n[2] = req;
    e->n[3] = (int64_t)dt;
    hist_set_text(h, e, ok ? "ok" : "unavailable");
    return e->seq;
}

static uint64_t answer_read(hist *h, int node, const char *client, const char *key,
                            int64_t req, const char *text, const uint64_t *dots, int n)
{
    hist_event *e = base_ev(h, EV_REQ_ANSWER, node, key);
    hist_set_actor(h, e, client);
    e->n[0] = 1;
    e->n[2] = req;
    hist_set_text(h, e, text);
    hist_row rows[8];
    for (int i = 0; i < n; i++)
        rows[i] = (hist_row){ .version = dots[i] };
    hist_set_rows(h, e, rows, n);
    return e->seq;
}

static uint64_t store_text(hist *h, int node, const char *key, uint64_t dt, int kind,
                           const char *text, const uint64_t *ctx, int n)
{
    hist_event *e = base_ev(h, EV_VERSION_STORE, node, key);
    e->n[0] = (int64_t)dt;
    e->n[1] = (int64_t)hist_tick(h);
    e->n[2] = kind;
    if (text)
        hist_set_text(h, e, text);
    hist_set_txns(h, e, ctx, n);
    return e->seq;
}

static uint64_t store(hist *h, int node, const char *key, uint64_t dt, int kind,
                      const uint64_t *ctx, int n)
{
    return store_text(h, node, key, dt, kind, kind == TOMB ? "(deleted)" : NULL, ctx, n);
}

static uint64_t discard(hist *h, int node, const char *key, uint64_t dt, uint64_t by, int seen)
{
    hist_event *e = base_ev(h, EV_VERSION_DISCARD, node, key);
    e->n[0] = (int64_t)dt;
    e->n[1] = (int64_t)by;
    e->n[2] = seen;
    hist_set_text(h, e, seen ? "superseded" : "lww");
    return e->seq;
}

static uint64_t purge(hist *h, int node, const char *key, uint64_t dt)
{
    hist_event *e = base_ev(h, EV_PURGE, node, key);
    e->n[0] = (int64_t)dt;
    return e->seq;
}

static uint64_t siblings(hist *h, int node, const char *key, int n)
{
    hist_event *e = base_ev(h, EV_SIBLINGS, node, key);
    e->n[0] = n;
    return e->seq;
}

/* A PUT of value coordinated by node: invoked, stored there, answered ok (or not). */
static uint64_t put(hist *h, int node, const char *client, const char *key, int64_t req,
                    uint64_t dt, const char *value, const uint64_t *ctx, int n, int ok)
{
    invoke(h, node, client, PUT, key, req);
    store_text(h, node, key, dt, VALUE, value, ctx, n);
    tick(h);
    return answer_write(h, node, client, key, req, ok, dt);
}

/* A GET answered with dots (n of them), text as the answer. */
static uint64_t get(hist *h, int node, const char *client, const char *key, int64_t req,
                    const char *text, const uint64_t *dots, int n)
{
    invoke(h, node, client, GET, key, req);
    tick(h);
    return answer_read(h, node, client, key, req, text, dots, n);
}

static const base_finding *find(const base_findings *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].name, name) == 0)
            return &f->v[i];
    return NULL;
}

static void run(hist *h, base_findings *f)
{
    int rc = basecheck_run(h, f);
    CHECK_EQ_INT(rc, 0);
}

/* --- stale reads ------------------------------------------------------------------- */

static void test_stale_read_when_get_misses_acknowledged_write_stored_elsewhere(void)
{
    hist *h = hist_new();
    tick(h);
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    tick(h);
    uint64_t g = get(h, 2, "bob", "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    CHECK_EQ_INT(f.n, 1);
    const base_finding *x = find(&f, "stale-read");
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(x->seq, g);
        CHECK_EQ_INT(x->node, 2);
        CHECK_EQ_STR(x->key, "cart");
        CHECK_EQ_STR(x->client, "bob");
        CHECK_EQ_STR(x->text, "stale read: bob's GET cart at n2 (tick 4) returned absent, but "
                     "the PUT cart = apple acknowledged at n1 (tick 2) was already stored "
                     "at n1.");
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_stale_read_when_get_invoked_before_the_ack(void)
{
    hist *h = hist_new();
    invoke(h, 1, NULL, PUT, "cart", 1);
    store_text(h, 1, "cart", D(1, 1), VALUE, "apple", NULL, 0);
    invoke(h, 2, "bob", GET, "cart", 2);
    tick(h);
    answer_write(h, 1, NULL, "cart", 1, 1, D(1, 1));
    answer_read(h, 2, "bob", "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_stale_read_when_result_descends_from_the_write(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    uint64_t c1[] = { D(1, 1) };
    put(h, 2, NULL, "cart", 2, D(2, 1), "pear", c1, 1, 1);
    discard(h, 2, "cart", D(1, 1), D(2, 1), 1);
    /* n1 still holds apple, but pear saw it. */
    uint64_t r[] = { D(2, 1) };
    get(h, 2, NULL, "cart", 3, "pear", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_stale_read_when_the_missed_write_is_stored_nowhere(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    /* A concurrent write that was never acknowledged wins at n1. */
    put(h, 2, NULL, "cart", 2, D(2, 1), "pear", NULL, 0, 0);
    store(h, 1, "cart", D(2, 1), VALUE, NULL, 0);
    discard(h, 1, "cart", D(1, 1), D(2, 1), 0);
    get(h, 3, NULL, "cart", 3, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 1);   /* apple: LWW dropped it */
    basecheck_free(&f);
    hist_free(h);
}

static void test_stale_read_through_a_version_that_saw_the_write(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t c1[] = { D(1, 1) };
    store_text(h, 2, "cart", D(2, 1), VALUE, "pear", c1, 1);   /* an unacknowledged PUT */
    discard(h, 1, "cart", D(1, 1), D(2, 1), 1);
    get(h, 3, NULL, "cart", 3, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 0);
    const base_finding *x = find(&f, "stale-read");
    if (x)
        CHECK_EQ_STR(x->text, "stale read: a GET cart at n3 (tick 2) returned absent, but the "
                     "PUT cart = apple acknowledged at n1 (tick 1) was already reflected at "
                     "n2 by a version that saw it (n2:1).");
    basecheck_free(&f);
    hist_free(h);
}

static void test_stale_read_counts_one_per_get_and_names_the_newest_missed_write(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    put(h, 3, NULL, "cart", 2, D(3, 1), "plum", NULL, 0, 1);     /* concurrent, at n3 */
    uint64_t c1[] = { D(1, 1) };
    put(h, 1, NULL, "cart", 3, D(1, 2), "pear", c1, 1, 1);
    discard(h, 1, "cart", D(1, 1), D(1, 2), 1);
    get(h, 2, NULL, "cart", 4, "absent", NULL, 0);
    get(h, 2, NULL, "cart", 5, "absent", NULL, 0);
    uint64_t r[] = { D(1, 2) };
    get(h, 1, NULL, "cart", 6, "pear", r, 1);   /* misses plum at n3 */
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 3);
    CHECK_EQ_INT(basecheck_count(&f, "stale-reads"), 3);
    CHECK_EQ_INT(f.n, 3);
    if (f.n == 3) {
        CHECK(strstr(f.v[0].text, "the PUT cart = pear acknowledged at n1") != NULL);
        CHECK(strstr(f.v[2].text, "the PUT cart = plum acknowledged at n3") != NULL);
        CHECK(strstr(f.v[2].text, "already stored at n3") != NULL);
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_stale_read_for_an_unavailable_get(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    invoke(h, 2, NULL, GET, "cart", 2);
    hist_event *e = base_ev(h, EV_REQ_ANSWER, 2, "cart");
    e->n[0] = 0;
    e->n[2] = 2;
    hist_set_text(h, e, "unavailable");
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_keys_are_judged_apart(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    get(h, 2, NULL, "list", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

/* --- session guarantees ------------------------------------------------------------ */

static void test_read_your_writes_violated_when_own_write_missed(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t g = get(h, 2, "alice", "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK(basecheck_has(&f, "read-your-writes"));
    CHECK(basecheck_has(&f, "stale-read"));
    CHECK_EQ_INT(basecheck_count(&f, "read-your-writes"), 1);
    const base_finding *x = find(&f, "read-your-writes");
    if (x) {
        CHECK_EQ_INT(x->seq, g);
        CHECK_EQ_STR(x->client, "alice");
        CHECK_EQ_STR(x->text, "read your writes: alice's GET cart at n2 (tick 2) returned "
                     "absent, but alice's own PUT cart = apple acknowledged at n1 (tick 1) "
                     "came before it.");
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_read_your_writes_holds_when_own_write_reflected(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t r[] = { D(1, 1) };
    get(h, 1, "alice", "cart", 2, "apple", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

/* alice's PUT lost to bob's under LWW, discarded everywhere unseen: a lost write, and no
 * longer a read-your-writes matter (B4: the policy did not keep it). */
static void test_read_your_writes_not_judged_for_an_own_write_lww_dropped(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    put(h, 2, NULL, "cart", 2, D(2, 1), "pear", NULL, 0, 1);
    store(h, 1, "cart", D(2, 1), VALUE, NULL, 0);
    discard(h, 1, "cart", D(1, 1), D(2, 1), 0);
    uint64_t r[] = { D(2, 1) };
    get(h, 1, "alice", "cart", 3, "pear", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "read-your-writes"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 1);
    basecheck_free(&f);
    hist_free(h);
}

static void test_read_your_writes_ignores_other_clients_writes(void)
{
    hist *h = hist_new();
    put(h, 1, "bob", "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    get(h, 2, "alice", "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "read-your-writes"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    basecheck_free(&f);
    hist_free(h);
}

static void test_read_your_writes_ignores_unacknowledged_writes(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "cart", 1, D(1, 1), "apple", NULL, 0, 0);
    get(h, 2, "alice", "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_monotonic_read_violated_when_second_read_returns_older_dot(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    uint64_t c1[] = { D(1, 1) };
    put(h, 1, NULL, "cart", 2, D(1, 2), "pear", c1, 1, 1);
    discard(h, 1, "cart", D(1, 1), D(1, 2), 1);
    uint64_t new_[] = { D(1, 2) }, old[] = { D(1, 1) };
    get(h, 1, "alice", "cart", 3, "pear", new_, 1);
    uint64_t g = get(h, 2, "alice", "cart", 4, "apple", old, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "monotonic-read"), 1);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    const base_finding *x = find(&f, "monotonic-read");
    if (x) {
        CHECK_EQ_INT(x->seq, g);
        CHECK_EQ_INT(x->node, 2);
        CHECK_EQ_STR(x->client, "alice");
        CHECK_EQ_STR(x->text, "monotonic read: alice's GET cart at n2 (tick 4) returned apple, "
                     "but alice's earlier GET at n1 (tick 3) had returned pear (n1:2): the "
                     "client saw the past again.");
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_monotonic_read_holds_when_second_read_descends(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t r1[] = { D(1, 1) };
    get(h, 1, "alice", "cart", 2, "apple", r1, 1);
    uint64_t c1[] = { D(1, 1) };
    put(h, 2, NULL, "cart", 3, D(2, 1), "pear", c1, 1, 1);
    discard(h, 1, "cart", D(1, 1), D(2, 1), 1);
    uint64_t r2[] = { D(2, 1) };
    get(h, 2, "alice", "cart", 4, "pear", r2, 1);
    get(h, 2, "alice", "cart", 5, "pear", r2, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_monotonic_read_is_per_client(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t c1[] = { D(1, 1) };
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    put(h, 1, NULL, "cart", 2, D(1, 2), "pear", c1, 1, 1);
    uint64_t new_[] = { D(1, 2) }, old[] = { D(1, 1) };
    get(h, 1, "alice", "cart", 3, "pear", new_, 1);
    get(h, 2, "bob", "cart", 4, "apple", old, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "monotonic-read"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    basecheck_free(&f);
    hist_free(h);
}

/* --- lost writes --------------------------------------------------------------------- */

static void test_lost_write_when_lww_discards_concurrent_acknowledged_write_everywhere(void)
{
    hist *h = hist_new();
    put(h, 2, NULL, "cart", 1, D(2, 1), "pear", NULL, 0, 1);
    put(h, 1, NULL, "cart", 2, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    uint64_t d = discard(h, 2, "cart", D(2, 1), D(1, 1), 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 1);
    const base_finding *x = find(&f, "lost-write");
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(x->seq, d);
        CHECK_EQ_INT(x->node, 2);
        CHECK_EQ_STR(x->key, "cart");
        CHECK_EQ_STR(x->text, "lost write: the PUT cart = pear acknowledged at n2 (tick 1) was "
                     "discarded by LWW at every replica in favour of a concurrent write "
                     "(n1:1); no surviving version saw it.");
    }
    CHECK(basecheck_has(&f, "lost-writes"));
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_lost_write_while_one_replica_still_stores_it(void)
{
    hist *h = hist_new();
    put(h, 2, NULL, "cart", 1, D(2, 1), "pear", NULL, 0, 1);
    store(h, 3, "cart", D(2, 1), VALUE, NULL, 0);
    put(h, 1, NULL, "cart", 2, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    discard(h, 2, "cart", D(2, 1), D(1, 1), 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_lost_write_when_the_replacement_saw_it(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t c1[] = { D(1, 1) };
    put(h, 1, NULL, "cart", 2, D(1, 2), "pear", c1, 1, 1);
    discard(h, 1, "cart", D(1, 1), D(1, 2), 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_lost_write_for_an_unacknowledged_write(void)
{
    hist *h = hist_new();
    put(h, 2, NULL, "cart", 1, D(2, 1), "pear", NULL, 0, 0);
    put(h, 1, NULL, "cart", 2, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    discard(h, 2, "cart", D(2, 1), D(1, 1), 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_no_lost_write_when_a_later_purged_tombstone_saw_it(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    uint64_t c1[] = { D(1, 1) };
    invoke(h, 1, "alice", DEL, "cart", 2);
    store(h, 1, "cart", D(1, 2), TOMB, c1, 1);
    discard(h, 1, "cart", D(1, 1), D(1, 2), 1);
    answer_write(h, 1, "alice", "cart", 2, 1, D(1, 2));
    store(h, 2, "cart", D(1, 2), TOMB, c1, 1);
    discard(h, 2, "cart", D(1, 1), D(1, 2), 1);
    purge(h, 1, "cart", D(1, 2));
    /* n1 purged, n2 still holds the tombstone: an absent answer at n1 reflects the delete. */
    get(h, 1, "alice", "cart", 3, "absent", NULL, 0);
    purge(h, 2, "cart", D(1, 2));
    get(h, 2, "alice", "cart", 4, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_purged_delete_is_lost_when_the_value_comes_back(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    store(h, 2, "cart", D(1, 1), VALUE, NULL, 0);
    store(h, 3, "cart", D(1, 1), VALUE, NULL, 0);
    /* n3 is down while the delete happens and the tombstones are purged. */
    uint64_t c1[] = { D(1, 1) };
    tick(h);
    invoke(h, 1, NULL, DEL, "cart", 2);
    store(h, 1, "cart", D(1, 2), TOMB, c1, 1);
    discard(h, 1, "cart", D(1, 1), D(1, 2), 1);
    answer_write(h, 1, NULL, "cart", 2, 1, D(1, 2));
    store(h, 2, "cart", D(1, 2), TOMB, c1, 1);
    discard(h, 2, "cart", D(1, 1), D(1, 2), 1);
    tick(h);
    purge(h, 1, "cart", D(1, 2));
    uint64_t last = purge(h, 2, "cart", D(1, 2));
    store(h, 1, "cart", D(1, 1), VALUE, NULL, 0);   /* gossip from n3 */
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 1);
    const base_finding *x = find(&f, "lost-write");
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(x->seq, last);
        CHECK_EQ_STR(x->text, "lost write: the DEL of cart acknowledged at n1 (tick 2) was "
                     "lost: its tombstone was purged and the older value came back (apple, "
                     "n1:1, stored at n1).");
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_delete_overruled_by_lww_is_lost(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t c1[] = { D(1, 1) };
    invoke(h, 1, NULL, DEL, "cart", 2);
    store(h, 1, "cart", D(1, 2), TOMB, c1, 1);
    answer_write(h, 1, NULL, "cart", 2, 1, D(1, 2));
    put(h, 2, NULL, "cart", 3, D(2, 1), "pear", c1, 1, 1);   /* concurrent with the DEL */
    store(h, 1, "cart", D(2, 1), VALUE, c1, 1);
    discard(h, 1, "cart", D(1, 2), D(2, 1), 0);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 1);
    const base_finding *x = find(&f, "lost-write");
    if (x)
        CHECK(strstr(x->text, "the DEL of cart acknowledged at n1") != NULL);
    basecheck_free(&f);
    hist_free(h);
}

static void test_crdt_state_keeps_the_writes_merged_into_it(void)
{
    hist *h = hist_new();
    invoke(h, 1, NULL, ADD, "cart", 1);
    store_text(h, 1, "cart", D(1, 1), SET, "{milk}", NULL, 0);
    answer_write(h, 1, NULL, "cart", 1, 1, D(1, 1));
    invoke(h, 2, NULL, ADD, "cart", 2);
    store_text(h, 2, "cart", D(2, 1), SET, "{eggs}", NULL, 0);
    answer_write(h, 2, NULL, "cart", 2, 1, D(2, 1));
    /* n1 merges n2's state: latest write n2:1, context covers both. */
    uint64_t both[] = { D(1, 1), D(2, 1) };
    store_text(h, 1, "cart", D(2, 1), SET, "{eggs,milk}", both, 2);
    discard(h, 1, "cart", D(1, 1), D(2, 1), 1);
    uint64_t r[] = { D(2, 1) };
    get(h, 1, NULL, "cart", 3, "{eggs,milk}", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 0);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 0);
    basecheck_free(&f);
    hist_free(h);
}

/* --- siblings, names, counts ---------------------------------------------------------- */

static void test_sibling_reported_once_per_key(void)
{
    hist *h = hist_new();
    siblings(h, 1, "cart", 1);
    uint64_t s = siblings(h, 2, "cart", 2);
    siblings(h, 1, "cart", 2);
    siblings(h, 2, "cart", 3);
    siblings(h, 2, "cart", 1);
    siblings(h, 3, "list", 2);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "sibling"), 2);
    CHECK_EQ_INT(basecheck_count(&f, "siblings"), 2);
    CHECK_EQ_INT(f.n, 2);
    if (f.n == 2) {
        CHECK_EQ_INT(f.v[0].seq, s);
        CHECK_EQ_INT(f.v[0].node, 2);
        CHECK_EQ_STR(f.v[0].key, "cart");
        CHECK_EQ_STR(f.v[0].text, "siblings: n2 keeps 2 concurrent versions of cart, written "
                     "without seeing each other; a GET there returns them all.");
        CHECK_EQ_STR(f.v[1].key, "list");
    }
    basecheck_free(&f);
    hist_free(h);
}

static void test_names_and_aliases(void)
{
    const char *known[] = { "stale-read", "read-your-writes", "monotonic-read", "lost-write",
                            "sibling", "stale-reads", "siblings", "lost-writes",
                            "STALE-READ", "Sibling" };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        CHECK(basecheck_known_name(known[i]));
    CHECK(!basecheck_known_name("G0"));
    CHECK(!basecheck_known_name("dirty-read"));
    CHECK(!basecheck_known_name(""));
    CHECK(!basecheck_known_name(NULL));

    hist *h = hist_new();
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    get(h, 2, NULL, "cart", 2, "absent", NULL, 0);
    base_findings f;
    run(h, &f);
    CHECK(basecheck_has(&f, "stale-read"));
    CHECK(basecheck_has(&f, "Stale-Reads"));
    CHECK(!basecheck_has(&f, "lost-write"));
    CHECK(!basecheck_has(&f, "nonsense"));
    CHECK_EQ_INT(basecheck_count(&f, "nonsense"), 0);
    CHECK_EQ_INT(basecheck_count(NULL, "stale-read"), 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_empty_history_has_no_findings(void)
{
    hist *h = hist_new();
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    CHECK(f.v == NULL);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 0);
    basecheck_free(&f);
    basecheck_free(NULL);
    hist_free(h);
}

static void test_acid_events_are_ignored(void)
{
    hist *h = hist_new();
    hist_event *e = hist_add(h, SIDE_ACID, EV_TXN_BEGIN);
    e->txn = 1;
    hist_add(h, SIDE_ACID, EV_TXN_COMMIT)->txn = 1;
    put(h, 1, NULL, "cart", 1, D(1, 1), "apple", NULL, 0, 1);
    uint64_t r[] = { D(1, 1) };
    get(h, 1, NULL, "cart", 2, "apple", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_overlapping_requests_are_matched_by_id(void)
{
    enum { N = 2000 };
    hist *h = hist_new();
    char key[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(key[i], sizeof key[i], "k%d", i);
        invoke(h, 1, NULL, PUT, key[i], 10 + i);
        store(h, 1, key[i], D(1, i + 1), VALUE, NULL, 0);
    }
    for (int j = 0; j < N; j++) {   /* answered in a scrambled order */
        int i = (int)(((unsigned)j * 7919u) % N);
        answer_write(h, 1, NULL, key[i], 10 + i, 1, D(1, i + 1));
    }
    for (int i = 0; i < N; i++)
        invoke(h, 2, NULL, GET, key[i], 100000 + i);
    for (int i = N - 1; i >= 0; i--) {
        if (i % 2) {
            answer_read(h, 2, NULL, key[i], 100000 + i, "absent", NULL, 0);
        } else {
            uint64_t r[] = { D(1, i + 1) };
            answer_read(h, 2, NULL, key[i], 100000 + i, "v", r, 1);
        }
    }
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), N / 2);
    CHECK_EQ_INT(f.n, N / 2);
    basecheck_free(&f);
    hist_free(h);
}

/* --- a long history ---------------------------------------------------------------- */

/* Rounds of: a PUT that saw the key's previous version, replicated to three replicas
 * which drop the previous one, then a GET answered with the newest version; every tenth
 * GET answers with the previous version instead, which is a stale read. Ten events a
 * round. Returns the stale reads the checker found; *secs is its running time. */
static int long_history(int rounds, double *secs, int *expected)
{
    enum { KEYS = 50 };
    hist *h = hist_new();
    uint64_t prev[KEYS] = { 0 }, cnt[4] = { 0 };
    char names[KEYS][16];
    for (int k = 0; k < KEYS; k++)
        snprintf(names[k], sizeof names[k], "k%d", k);
    *expected = 0;
    for (int i = 0; i < rounds; i++) {
        int k = i % KEYS, r = i % 3 + 1;
        const char *key = names[k];
        uint64_t d = D(r, ++cnt[r]);
        uint64_t ctx[1] = { prev[k] };
        int nctx = prev[k] ? 1 : 0;
        tick(h);
        invoke(h, r, NULL, PUT, key, 2 * i + 1);
        store_text(h, r, key, d, VALUE, "v", ctx, nctx);
        answer_write(h, r, NULL, key, 2 * i + 1, 1, d);
        for (int n = 1; n <= 3; n++) {
            if (n != r)
                store(h, n, key, d, VALUE, ctx, nctx);
        }
        for (int n = 1; n <= 3 && prev[k]; n++)
            discard(h, n, key, prev[k], d, 1);
        bool stale = prev[k] && i % 10 == 9;
        uint64_t rows[1] = { stale ? prev[k] : d };
        invoke(h, (r % 3) + 1, NULL, GET, key, 2 * i + 2);
        answer_read(h, (r % 3) + 1, NULL, key, 2 * i + 2, "v", rows, 1);
        *expected += stale;
        prev[k] = d;
    }
    base_findings f;
    clock_t t0 = clock();
    int rc = basecheck_run(h, &f);
    *secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    int n = rc ? -1 : basecheck_count(&f, "stale-read");
    if (!rc && f.n != n)
        n = -2;
    basecheck_free(&f);
    hist_free(h);
    return n;
}

static void test_long_history_is_checked_in_linear_time(void)
{
    double t1, t10;
    int e1, e10;
    int n1 = long_history(1000, &t1, &e1);
    int n10 = long_history(10000, &t10, &e10);
    CHECK_EQ_INT(n1, e1);
    CHECK_EQ_INT(n10, e10);
    CHECK(e10 > 900);
    printf("basecheck: 10,000-event history %.3f s, 100,000-event history %.3f s\n", t1, t10);
}

/* --- issue 17: CRDT states, LWW, purges, resolved siblings ----------------------------- */

/* Sets n4 (the policy) of the latest event, an answer. */
static void policy(hist *h, int res)
{
    ((hist_event *)hist_get(h, hist_count(h) - 1))->n[4] = res;
}

static void test_crdt_read_reflects_an_earlier_state_its_contexts_cover(void)
{
    hist *h = hist_new();
    /* alice INCRs twice at n1; each read returns n1's merged state. */
    invoke(h, 1, "alice", INCR, "likes", 1);
    uint64_t c1[] = { D(1, 1) };
    store_text(h, 1, "likes", STATE(11), COUNTER, "1", c1, 1);
    answer_write(h, 1, "alice", "likes", 1, 1, D(1, 1));
    uint64_t r1[] = { STATE(11) };
    get(h, 1, "alice", "likes", 2, "1", r1, 1);
    invoke(h, 1, "alice", INCR, "likes", 3);
    uint64_t c2[] = { D(1, 2) };
    discard(h, 1, "likes", STATE(11), STATE(12), 1);
    store_text(h, 1, "likes", STATE(12), COUNTER, "2", c2, 1);
    answer_write(h, 1, "alice", "likes", 3, 1, D(1, 2));
    uint64_t r2[] = { STATE(12) };
    get(h, 1, "alice", "likes", 4, "2", r2, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    /* A read of n2's older state after that goes back: a monotonic-read violation. */
    store_text(h, 2, "likes", STATE(11), COUNTER, "1", c1, 1);
    get(h, 2, "alice", "likes", 5, "1", r1, 1);
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "monotonic-read"), 1);
    basecheck_free(&f);
    hist_free(h);
}

static void test_lww_dropped_write_stays_lost_when_a_later_context_covers_its_dot(void)
{
    hist *h = hist_new();
    put(h, 1, NULL, "x", 1, D(1, 1), "a", NULL, 0, 1);
    policy(h, 1);
    put(h, 2, NULL, "x", 2, D(2, 1), "b", NULL, 0, 1);
    policy(h, 1);
    store(h, 1, "x", D(2, 1), VALUE, NULL, 0);
    discard(h, 1, "x", D(1, 1), D(2, 1), 0);              /* lww at its own coordinator */
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 1);
    basecheck_free(&f);
    /* n1 writes c on top of b (its coordinator held b), n2 writes d on top of c: d's
     * context {n1:2, n2:1} covers n1:1 as a version vector, but nothing saw "a". */
    invoke(h, 1, NULL, PUT, "x", 3);
    discard(h, 1, "x", D(2, 1), D(1, 2), 1);
    uint64_t cc[] = { D(2, 1) };
    store_text(h, 1, "x", D(1, 2), VALUE, "c", cc, 1);
    answer_write(h, 1, NULL, "x", 3, 1, D(1, 2));
    policy(h, 1);
    invoke(h, 2, NULL, PUT, "x", 4);
    store(h, 2, "x", D(1, 2), VALUE, cc, 1);
    discard(h, 2, "x", D(2, 1), D(1, 2), 1);
    discard(h, 2, "x", D(1, 2), D(2, 2), 1);
    uint64_t cd[] = { D(1, 2), D(2, 1) };
    store_text(h, 2, "x", D(2, 2), VALUE, "d", cd, 2);
    answer_write(h, 2, NULL, "x", 4, 1, D(2, 2));
    policy(h, 1);
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "lost-write"), 1);
    const base_finding *x = find(&f, "lost-write");
    if (x)
        CHECK(strstr(x->text, "the PUT x = a acknowledged at n1") != NULL);
    basecheck_free(&f);
    hist_free(h);
}

static void test_reading_the_lww_winner_is_not_stale_reading_the_loser_is(void)
{
    hist *h = hist_new();
    put(h, 1, "alice", "x", 1, D(1, 1), "a", NULL, 0, 1);
    policy(h, 1);
    hist_set_tick(h, hist_tick(h) + 1);
    invoke(h, 2, NULL, PUT, "x", 2);
    hist_event *e = base_ev(h, EV_VERSION_STORE, 2, "x");
    e->n[0] = (int64_t)D(2, 1);
    e->n[1] = 2000000;                                     /* tick 2: later than a's */
    e->n[2] = VALUE;
    hist_set_text(h, e, "b");
    answer_write(h, 2, NULL, "x", 2, 1, D(2, 1));
    policy(h, 1);
    ((hist_event *)hist_get(h, 1))->n[1] = 1000000;        /* a's timestamp: tick 1 */
    /* alice reads b, the winner: neither stale nor a read-your-writes miss. */
    invoke(h, 3, "alice", GET, "x", 3);
    tick(h);
    e = base_ev(h, EV_REQ_ANSWER, 3, "x");
    hist_set_actor(h, e, "alice");
    e->n[0] = 1;
    e->n[2] = 3;
    e->n[4] = 1;
    hist_set_text(h, e, "b");
    hist_row row = { .version = D(2, 1), .value = 2000000, .matched = VALUE };
    hist_set_rows(h, e, &row, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    /* carol reads a at n1: older than the acknowledged winner, which will win: stale. */
    invoke(h, 1, "carol", GET, "x", 4);
    tick(h);
    e = base_ev(h, EV_REQ_ANSWER, 1, "x");
    hist_set_actor(h, e, "carol");
    e->n[0] = 1;
    e->n[2] = 4;
    e->n[4] = 1;
    hist_set_text(h, e, "a");
    hist_row row2 = { .version = D(1, 1), .value = 1000000, .matched = VALUE };
    hist_set_rows(h, e, &row2, 1);
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "stale-read"), 1);
    CHECK_EQ_INT(f.n, 1);
    basecheck_free(&f);
    hist_free(h);
}

static void test_read_your_writes_not_judged_for_a_purged_delete(void)
{
    hist *h = hist_new();
    invoke(h, 1, "alice", DEL, "k", 1);
    store(h, 1, "k", D(1, 1), TOMB, NULL, 0);
    answer_write(h, 1, "alice", "k", 1, 1, D(1, 1));
    store(h, 2, "k", D(1, 1), TOMB, NULL, 0);
    tick(h);
    purge(h, 1, "k", D(1, 1));
    purge(h, 2, "k", D(1, 1));
    put(h, 2, "bob", "k", 2, D(2, 1), "b", NULL, 0, 1);    /* re-created after the purge */
    store(h, 1, "k", D(2, 1), VALUE, NULL, 0);
    uint64_t r[] = { D(2, 1) };
    get(h, 1, "alice", "k", 3, "b", r, 1);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(f.n, 0);
    basecheck_free(&f);
    hist_free(h);
}

static void test_sibling_finding_says_when_resolved_and_a_new_stretch_is_a_new_finding(void)
{
    hist *h = hist_new();
    uint64_t s1 = siblings(h, 2, "cart", 2);
    siblings(h, 1, "cart", 2);
    tick(h);
    siblings(h, 2, "cart", 1);
    uint64_t r1 = siblings(h, 1, "cart", 1);
    tick(h);
    uint64_t s2 = siblings(h, 3, "cart", 3);
    base_findings f;
    run(h, &f);
    CHECK_EQ_INT(basecheck_count(&f, "sibling"), 2);
    if (f.n == 2) {
        CHECK_EQ_INT(f.v[0].seq, s1);
        CHECK_EQ_INT(f.v[0].resolved_seq, r1);
        CHECK_EQ_INT(f.v[0].resolved_tick, 1);
        CHECK_EQ_STR(f.v[0].text, "siblings: n2 keeps 2 concurrent versions of cart, written "
                     "without seeing each other; a GET there returns them all. Resolved at n1 "
                     "(tick 1): no replica keeps siblings of it any more.");
        CHECK_EQ_INT(f.v[1].seq, s2);
        CHECK_EQ_INT(f.v[1].resolved_seq, 0);
    }
    basecheck_free(&f);
    hist_free(h);
}

/* --- incremental = full run -------------------------------------------------------- */

/* Appends a copy of e to h. */
static void copy_event(hist *h, const hist_event *e)
{
    hist_set_tick(h, e->tick);
    hist_event *x = hist_add(h, (hist_side)e->side, (hist_kind)e->kind);
    x->session = e->session;
    x->node = e->node;
    x->node2 = e->node2;
    x->txn = e->txn;
    x->key = e->key;
    if (e->key.type == SC_TEXT)
        x->key = scalar_text(e->key.s, e->key.len);
    memcpy(x->n, e->n, sizeof x->n);
    if (e->text)
        hist_set_text(h, x, e->text);
    if (e->table)
        hist_set_table(h, x, e->table);
    if (hist_actor(e))
        hist_set_actor(h, x, hist_actor(e));
    if (hist_txn2(e))
        hist_set_txn2(h, x, hist_txn2(e));
    if (hist_ntxns(e))
        hist_set_txns(h, x, hist_txns(e), hist_ntxns(e));
    if (e->nrows)
        hist_set_rows(h, x, e->rows, e->nrows);
}

static bool same_findings(const base_findings *a, const base_findings *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++) {
        const base_finding *x = &a->v[i], *y = &b->v[i];
        if (strcmp(x->name, y->name) || x->seq != y->seq || x->node != y->node || strcmp(x->key, y->key) ||
            strcmp(x->client, y->client) || strcmp(x->text, y->text) || x->dot != y->dot ||
            x->resolved_seq != y->resolved_seq ||
            x->resolved_tick != y->resolved_tick)
            return false;
    }
    return true;
}

/* A random run of the replica set: writes of every kind by named clients, reads, and the
 * network coming and going, with a short grace so that tombstones are purged. */
static void random_run(uint64_t seed, hist *h, int steps)
{
    static const char *const keys[] = { "a", "b", "c" };
    static const char *const clients[] = { "alice", "bob", "" };
    prng p;
    prng_seed(&p, seed);
    base_cfg cfg;
    base_cfg_default(&cfg);
    cfg.n = 3 + (uint32_t)prng_below(&p, 3);
    cfg.resolve = (base_resolve)(1 + seed % 3);
    cfg.seed = seed;
    cfg.grace = 3 + (uint32_t)prng_below(&p, 10);
    cfg.timeout = 4;
    cfg.hlc = prng_chance(&p, 30);
    cluster *c = cluster_new(&cfg, h);
    for (int step = 0; step < steps; step++) {
        base_req q;
        memset(&q, 0, sizeof q);
        snprintf(q.key, sizeof q.key, "%s", keys[prng_below(&p, 3)]);
        snprintf(q.client, sizeof q.client, "%s", clients[prng_below(&p, 3)]);
        snprintf(q.text, sizeof q.text, "op");
        q.q = (base_q)(1 + prng_below(&p, 3));
        static const base_op ops[] = { BREQ_PUT, BREQ_GET, BREQ_GET, BREQ_DEL, BREQ_ADD, BREQ_REMOVE, BREQ_INCR };
        q.op = ops[prng_below(&p, 7)];
        snprintf(q.value, sizeof q.value, "v%d", (int)prng_below(&p, 4));
        q.delta = 1;
        uint64_t id = cluster_submit(c, 1 + (uint32_t)prng_below(&p, cfg.n), &q);
        base_answer a;
        while (!cluster_answer(c, id, &a))
            cluster_tick(c, NULL);
        switch (prng_below(&p, 8)) {
        case 0: {
            uint32_t group[8] = { 0 };
            for (uint32_t k = 1; k <= cfg.n; k++)
                group[k] = 1 + (uint32_t)prng_below(&p, 2);
            cluster_partition(c, group);
            break;
        }
        case 1: cluster_heal(c, 0, 0); break;
        case 2: cluster_down(c, 1 + (uint32_t)prng_below(&p, cfg.n)); break;
        case 3: cluster_up(c, 1 + (uint32_t)prng_below(&p, cfg.n)); break;
        default:
            for (int t = (int)prng_below(&p, 5); t > 0; t--)
                cluster_tick(c, NULL);
        }
    }
    cluster_heal(c, 0, 0);
    for (uint32_t k = 1; k <= cfg.n; k++)
        cluster_up(c, k);
    uint64_t ticks;
    cluster_settle(c, 500, &ticks);
    cluster_free(c);
}

static void test_incremental_findings_equal_the_full_run_after_every_event(void)
{
    int bad = 0, events = 0, findings = 0;
    for (uint64_t seed = 1; seed <= 18; seed++) {
        hist *src = hist_new(), *h = hist_new();
        random_run(seed, src, 60);
        basecheck *s = basecheck_new();
        CHECK(s != NULL);
        size_t n = hist_count(src);
        for (size_t i = 0; s && i < n; i++) {
            copy_event(h, hist_get(src, i));
            CHECK_EQ_INT(basecheck_update(s, h), 0);
            const base_findings *inc = basecheck_findings(s);
            base_findings full;
            CHECK_EQ_INT(basecheck_run(h, &full), 0);
            if (!inc || !same_findings(inc, &full)) {
                if (bad++ < 3) {
                    fprintf(stderr, "seed %" PRIu64 " event %zu: incremental %d findings, full %d\n", seed, i,
                            inc ? inc->n : -1, full.n);
                    for (int j = 0; inc && j < inc->n && j < full.n; j++)
                        if (strcmp(inc->v[j].text, full.v[j].text) || inc->v[j].seq != full.v[j].seq)
                            fprintf(stderr, "  %" PRIu64 " %s\n  %" PRIu64 " %s\n", inc->v[j].seq, inc->v[j].text,
                                    full.v[j].seq, full.v[j].text);
                }
            }
            if (i + 1 == n)
                findings += full.n;
            basecheck_free(&full);
        }
        events += (int)n;
        basecheck_close(s);
        hist_free(src);
        hist_free(h);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(findings > 20);
    printf("basecheck: incremental = full run after each of %d events of 18 random runs (%d findings)\n", events, findings);
}

/* An update and the findings after a few more events cost what those events cost, not
 * what the history does: checking a long history incrementally, twenty events at a time,
 * takes a few times one full run, where re-reading it at every step would take hundreds. */
static void test_incremental_steps_cost_the_new_events_not_the_history(void)
{
    hist *h = hist_new(), *g = hist_new();
    random_run(7, h, 1500);
    size_t n = hist_count(h);
    base_findings full;
    clock_t t0 = clock();
    CHECK_EQ_INT(basecheck_run(h, &full), 0);
    double t_full = (double)(clock() - t0) / CLOCKS_PER_SEC;
    basecheck *s = basecheck_new();
    double t_inc = 0;
    int steps = 0;
    for (size_t i = 0; i < n; i++) {
        copy_event(g, hist_get(h, i));
        if ((i + 1) % 20 && i + 1 < n)
            continue;
        clock_t t1 = clock();
        CHECK_EQ_INT(basecheck_update(s, g), 0);
        const base_findings *f = basecheck_findings(s);
        t_inc += (double)(clock() - t1) / CLOCKS_PER_SEC;
        CHECK(f != NULL);
        steps++;
    }
    const base_findings *f = basecheck_findings(s);
    CHECK(f && same_findings(f, &full));
    CHECK(t_inc < 10 * t_full + 0.05);
    printf("basecheck: %zu events in %d steps of 20: %.3f s incrementally, %.3f s for one full run\n", n,
           steps, t_inc, t_full);
    basecheck_free(&full);
    basecheck_close(s);
    hist_free(h);
    hist_free(g);
}

int main(void)
{
    RUN(test_stale_read_when_get_misses_acknowledged_write_stored_elsewhere);
    RUN(test_no_stale_read_when_get_invoked_before_the_ack);
    RUN(test_no_stale_read_when_result_descends_from_the_write);
    RUN(test_no_stale_read_when_the_missed_write_is_stored_nowhere);
    RUN(test_stale_read_through_a_version_that_saw_the_write);
    RUN(test_stale_read_counts_one_per_get_and_names_the_newest_missed_write);
    RUN(test_no_stale_read_for_an_unavailable_get);
    RUN(test_keys_are_judged_apart);
    RUN(test_read_your_writes_violated_when_own_write_missed);
    RUN(test_read_your_writes_holds_when_own_write_reflected);
    RUN(test_read_your_writes_not_judged_for_an_own_write_lww_dropped);
    RUN(test_read_your_writes_ignores_other_clients_writes);
    RUN(test_read_your_writes_ignores_unacknowledged_writes);
    RUN(test_monotonic_read_violated_when_second_read_returns_older_dot);
    RUN(test_monotonic_read_holds_when_second_read_descends);
    RUN(test_monotonic_read_is_per_client);
    RUN(test_lost_write_when_lww_discards_concurrent_acknowledged_write_everywhere);
    RUN(test_no_lost_write_while_one_replica_still_stores_it);
    RUN(test_no_lost_write_when_the_replacement_saw_it);
    RUN(test_no_lost_write_for_an_unacknowledged_write);
    RUN(test_no_lost_write_when_a_later_purged_tombstone_saw_it);
    RUN(test_purged_delete_is_lost_when_the_value_comes_back);
    RUN(test_delete_overruled_by_lww_is_lost);
    RUN(test_crdt_state_keeps_the_writes_merged_into_it);
    RUN(test_sibling_reported_once_per_key);
    RUN(test_names_and_aliases);
    RUN(test_empty_history_has_no_findings);
    RUN(test_acid_events_are_ignored);
    RUN(test_overlapping_requests_are_matched_by_id);
    RUN(test_long_history_is_checked_in_linear_time);
    RUN(test_crdt_read_reflects_an_earlier_state_its_contexts_cover);
    RUN(test_lww_dropped_write_stays_lost_when_a_later_context_covers_its_dot);
    RUN(test_reading_the_lww_winner_is_not_stale_reading_the_loser_is);
    RUN(test_read_your_writes_not_judged_for_a_purged_delete);
    RUN(test_sibling_finding_says_when_resolved_and_a_new_stretch_is_a_new_finding);
    RUN(test_incremental_findings_equal_the_full_run_after_every_event);
    RUN(test_incremental_steps_cost_the_new_events_not_the_history);
    return t_done("basecheck");
}
