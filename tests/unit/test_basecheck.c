/*
 * test_basecheck.c: the BASE history checker on hand-built histories: each finding in its
 * smallest shape, the neighbouring cases that must stay silent, the explanation texts,
 * names and counts, and one long history that must stay fast.
 *
 * Conventions: replicas n1..n3; D(r, n) is the dot (r, n) packed as the history carries
 * it; request ids are small numbers unique within a test; ticks advance with tick().
 */
#include "t.h"
#include "history/basecheck.h"

#include <inttypes.h>
#include <stdint.h>
#include <time.h>

enum { PUT = 1, GET, DEL, ADD, REMOVE, INCR };
enum { VALUE = 1, TOMB, SET, COUNTER };

#define D(r, n) (((uint64_t)(r) << 48) | (uint64_t)(n))

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
                             int64_t req, int ok, uint64_t dot)
{
    hist_event *e = base_ev(h, EV_REQ_ANSWER, node, key);
    hist_set_actor(h, e, client);
    e->n[0] = ok;
    e->n[2] = req;
    e->n[3] = (int64_t)dot;
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

static uint64_t store_text(hist *h, int node, const char *key, uint64_t dot, int kind,
                           const char *text, const uint64_t *ctx, int n)
{
    hist_event *e = base_ev(h, EV_VERSION_STORE, node, key);
    e->n[0] = (int64_t)dot;
    e->n[1] = (int64_t)hist_tick(h);
    e->n[2] = kind;
    if (text)
        hist_set_text(h, e, text);
    hist_set_txns(h, e, ctx, n);
    return e->seq;
}

static uint64_t store(hist *h, int node, const char *key, uint64_t dot, int kind,
                      const uint64_t *ctx, int n)
{
    return store_text(h, node, key, dot, kind, kind == TOMB ? "(deleted)" : NULL, ctx, n);
}

static uint64_t discard(hist *h, int node, const char *key, uint64_t dot, uint64_t by, int seen)
{
    hist_event *e = base_ev(h, EV_VERSION_DISCARD, node, key);
    e->n[0] = (int64_t)dot;
    e->n[1] = (int64_t)by;
    e->n[2] = seen;
    hist_set_text(h, e, seen ? "superseded" : "lww");
    return e->seq;
}

static uint64_t purge(hist *h, int node, const char *key, uint64_t dot)
{
    hist_event *e = base_ev(h, EV_PURGE, node, key);
    e->n[0] = (int64_t)dot;
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
                    uint64_t dot, const char *value, const uint64_t *ctx, int n, int ok)
{
    invoke(h, node, client, PUT, key, req);
    store_text(h, node, key, dot, VALUE, value, ctx, n);
    tick(h);
    return answer_write(h, node, client, key, req, ok, dot);
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

static void test_read_your_writes_violated_even_when_own_write_is_gone(void)
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
    CHECK_EQ_INT(basecheck_count(&f, "read-your-writes"), 1);
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
    RUN(test_read_your_writes_violated_even_when_own_write_is_gone);
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
    return t_done("basecheck");
}
