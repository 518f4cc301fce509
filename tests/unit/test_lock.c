/*
 * test_lock.c: the lock manager (engines/acid/lock.c): the mode lattice, FIFO queues with
 * upgrades first, releases that wake waiters, waits-for edges, deadlock cycles and their
 * victims, the events in the history, and a seeded random soak that checks L1-L3 after
 * every step.
 */
#include "t.h"
#include "acid/lock.h"
#include "history/history.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- helpers ------------------------------------------------------------------------ */

static lock_res table_res(const char *t)
{
    lock_res r;
    memset(&r, 0, sizeof r);
    r.table = t;
    return r;
}

static lock_res row_res(const char *t, int64_t k)
{
    lock_res r = table_res(t);
    r.is_row = true;
    r.key = scalar_int(k);
    return r;
}

static lock_res text_row_res(const char *t, const char *k)
{
    lock_res r = table_res(t);
    r.is_row = true;
    r.key = scalar_text(k, strlen(k));
    return r;
}

/* A lock manager with txns 1..n begun in order (txn i has age i: larger = younger). */
static lockmgr *mgr_with(hist *h, int n)
{
    lockmgr *lm = lock_new(h);
    for (int i = 1; i <= n; i++)
        lock_txn_begin(lm, (uint64_t)i, (uint64_t)i);
    return lm;
}

static bool waiting(const lockmgr *lm, uint64_t t)
{
    return lock_waiting(lm, t, NULL, NULL);
}

static size_t count_kind(const hist *h, hist_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < hist_count(h); i++)
        if (hist_get(h, i)->kind == k)
            n++;
    return n;
}

static const hist_event *last_event(const hist *h)
{
    return hist_get(h, hist_count(h) - 1);
}

/* ---- modes -------------------------------------------------------------------------- */

static void test_compatibility_matrix_all_36_pairs(void)
{
    static const int want[6][6] = {
        /*        NL IS IX S SIX X */
        /* NL  */ { 1, 1, 1, 1, 1, 1 },
        /* IS  */ { 1, 1, 1, 1, 1, 0 },
        /* IX  */ { 1, 1, 1, 0, 0, 0 },
        /* S   */ { 1, 1, 0, 1, 0, 0 },
        /* SIX */ { 1, 1, 0, 0, 0, 0 },
        /* X   */ { 1, 0, 0, 0, 0, 0 },
    };
    int pairs = 0;
    for (int a = LM_NL; a <= LM_X; a++)
        for (int b = LM_NL; b <= LM_X; b++) {
            CHECK_EQ_INT(lock_compatible((lock_mode)a, (lock_mode)b), want[a][b]);
            CHECK_EQ_INT(lock_compatible((lock_mode)a, (lock_mode)b),
                         lock_compatible((lock_mode)b, (lock_mode)a));
            pairs++;
        }
    CHECK_EQ_INT(pairs, 36);
}

static void test_supremum_joins_modes(void)
{
    CHECK_EQ_INT(lock_supremum(LM_S, LM_IX), LM_SIX);
    CHECK_EQ_INT(lock_supremum(LM_IX, LM_S), LM_SIX);
    CHECK_EQ_INT(lock_supremum(LM_IS, LM_S), LM_S);
    CHECK_EQ_INT(lock_supremum(LM_IS, LM_IX), LM_IX);
    CHECK_EQ_INT(lock_supremum(LM_SIX, LM_S), LM_SIX);
    CHECK_EQ_INT(lock_supremum(LM_NL, LM_IS), LM_IS);
    for (int a = LM_NL; a <= LM_X; a++) {
        CHECK_EQ_INT(lock_supremum((lock_mode)a, LM_X), LM_X);
        CHECK_EQ_INT(lock_supremum((lock_mode)a, (lock_mode)a), a);
        CHECK_EQ_INT(lock_supremum((lock_mode)a, LM_NL), a);
        for (int b = LM_NL; b <= LM_X; b++) {
            lock_mode s = lock_supremum((lock_mode)a, (lock_mode)b);
            CHECK_EQ_INT(s, lock_supremum((lock_mode)b, (lock_mode)a));
            /* The supremum conflicts with exactly what either part conflicts with. */
            for (int m = LM_NL; m <= LM_X; m++)
                CHECK_EQ_INT(lock_compatible(s, (lock_mode)m),
                             lock_compatible((lock_mode)a, (lock_mode)m) &&
                             lock_compatible((lock_mode)b, (lock_mode)m));
        }
    }
}

static void test_mode_names_and_resource_format(void)
{
    static const char *names[] = { "NL", "IS", "IX", "S", "SIX", "X" };
    for (int m = LM_NL; m <= LM_X; m++)
        CHECK_EQ_STR(lock_mode_name((lock_mode)m), names[m]);
    char buf[64];
    lock_res t = table_res("accounts"), a = text_row_res("accounts", "A"), one = row_res("test", 1);
    CHECK_EQ_INT(lock_res_format(&t, buf, sizeof buf), 8);
    CHECK_EQ_STR(buf, "accounts");
    lock_res_format(&a, buf, sizeof buf);
    CHECK_EQ_STR(buf, "accounts/A");
    lock_res_format(&one, buf, sizeof buf);
    CHECK_EQ_STR(buf, "test/1");
}

/* ---- granting and waiting ----------------------------------------------------------- */

static void test_shared_locks_are_shared(void)
{
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res r = row_res("test", 1);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_held(lm, 1, &r), LM_S);
    CHECK_EQ_INT(lock_held(lm, 3, &r), LM_IS);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_exclusive_blocks_shared(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    lock_res r = row_res("test", 1);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_S), LOCK_WAIT);
    lock_res wr;
    lock_mode wm;
    CHECK(lock_waiting(lm, 2, &wr, &wm));
    CHECK_EQ_INT(wm, LM_S);
    CHECK(wr.is_row && scalar_eq(&wr.key, &r.key) && strcmp(wr.table, "test") == 0);
    CHECK_EQ_INT(lock_held(lm, 2, &r), LM_NL);
    uint64_t wf[4];
    CHECK_EQ_INT(lock_waits_for(lm, 2, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 1);
    CHECK_EQ_INT(lock_check(lm), 0);
    uint64_t g[4];
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 1);
    CHECK_EQ_INT(g[0], 2);
    CHECK_EQ_INT(lock_held(lm, 2, &r), LM_S);
    CHECK(!waiting(lm, 2));
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_covering_rerequest_is_silent(void)
{
    hist *h = hist_new();
    lockmgr *lm = mgr_with(h, 1);
    lock_res r = row_res("test", 1);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_GRANTED);
    size_t n = hist_count(h);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_NL), LOCK_GRANTED);
    CHECK_EQ_INT(hist_count(h), n);
    CHECK_EQ_INT(lock_held(lm, 1, &r), LM_X);
    lock_free(lm);
    hist_free(h);
}

static void test_table_names_compare_by_text_keys_by_value(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    char a[16], b[16];
    strcpy(a, "accounts");
    strcpy(b, "accounts");
    lock_res r1 = text_row_res(a, "A"), r2 = text_row_res(b, "A");
    CHECK_EQ_INT(lock_acquire(lm, 1, &r1, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r2, LM_S), LOCK_WAIT);
    /* 1 and '1' are different keys; a table and its rows are different resources. */
    lock_res i1 = row_res("t", 1), s1 = text_row_res("t", "1"), tt = table_res("t");
    CHECK_EQ_INT(lock_acquire(lm, 1, &i1, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_cancel_wait(lm, 2, NULL, 0), 0);
    CHECK_EQ_INT(lock_acquire(lm, 2, &s1, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &tt, LM_IX), LOCK_GRANTED);
    CHECK_EQ_INT(lock_held(lm, 2, &i1), LM_NL);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_fifo_no_overtaking(void)
{
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res r = row_res("test", 1);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_X), LOCK_WAIT);
    /* Compatible with the holder, but the X request came first. */
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_check(lm), 0);
    uint64_t wf[4];
    CHECK_EQ_INT(lock_waits_for(lm, 3, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 2);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 1);
    CHECK_EQ_INT(g[0], 2);
    CHECK(waiting(lm, 3));
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 1);
    CHECK_EQ_INT(g[0], 3);
    CHECK_EQ_INT(lock_held(lm, 3, &r), LM_S);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_upgrade_served_before_earlier_waiter(void)
{
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res r = row_res("test", 1);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_WAIT);   /* upgrade: to the front */
    CHECK_EQ_INT(lock_check(lm), 0);
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 1);
    CHECK_EQ_INT(g[0], 1);
    CHECK_EQ_INT(lock_held(lm, 1, &r), LM_X);
    CHECK(waiting(lm, 3));
    uint64_t wf[4];
    CHECK_EQ_INT(lock_waits_for(lm, 3, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 1);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 1);
    CHECK_EQ_INT(g[0], 3);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void queue_of(const lock_entry_view *v, void *arg)
{
    lock_entry_view *out = arg;
    *out = *v;
}

static void test_upgrades_queue_in_order_among_themselves(void)
{
    lockmgr *lm = mgr_with(NULL, 4);
    lock_res r = row_res("test", 1);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 4, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_entry_view v;
    lock_foreach(lm, queue_of, &v);
    CHECK_EQ_INT(v.nwaiters, 3);
    CHECK_EQ_INT(v.waiters[0], 2);   /* upgrades first, in their own order */
    CHECK_EQ_INT(v.waiters[1], 3);
    CHECK_EQ_INT(v.waiters[2], 4);
    uint64_t wf[8];
    CHECK_EQ_INT(lock_waits_for(lm, 3, wf, 8), 2);   /* the other IS holders, listed once */
    CHECK_EQ_INT(wf[0], 1);
    CHECK_EQ_INT(wf[1], 2);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 0);
    CHECK_EQ_INT(lock_cancel_wait(lm, 3, g, 4), 0);   /* 3 still holds IS */
    CHECK_EQ_INT(lock_release_all(lm, 3, g, 4), 1);
    CHECK_EQ_INT(g[0], 2);
    CHECK_EQ_INT(lock_held(lm, 2, &r), LM_X);
    CHECK(waiting(lm, 4));
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_upgrade_compatible_with_holders_ignores_queue(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    lock_res t = table_res("accounts");
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &t, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_IX), LOCK_GRANTED);
    CHECK_EQ_INT(lock_held(lm, 1, &t), LM_SIX);
    CHECK(waiting(lm, 2));
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_release_grants_several_compatible_waiters(void)
{
    lockmgr *lm = mgr_with(NULL, 6);
    lock_res r = row_res("test", 1);
    uint64_t g[8];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 4, &r, LM_IS), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 5, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 6, &r, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 8), 3);
    CHECK_EQ_INT(g[0], 2);
    CHECK_EQ_INT(g[1], 3);
    CHECK_EQ_INT(g[2], 4);
    CHECK(waiting(lm, 5));
    CHECK(waiting(lm, 6));   /* compatible, but behind the X: no overtaking */
    CHECK_EQ_INT(lock_check(lm), 0);
    /* The granted array is bounded by max; the count says how many were written. */
    lock_release_all(lm, 2, g, 8);
    lock_release_all(lm, 3, g, 8);
    CHECK_EQ_INT(lock_release_all(lm, 4, g, 8), 1);
    CHECK_EQ_INT(g[0], 5);
    CHECK_EQ_INT(lock_release_all(lm, 5, g, 0), 0);
    CHECK_EQ_INT(lock_held(lm, 6, &r), LM_S);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_short_release_of_one_resource(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    lock_res r1 = row_res("test", 1), r2 = row_res("test", 2);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r1, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r2, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r1, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_release(lm, 1, &r1, g, 4), 1);
    CHECK_EQ_INT(g[0], 2);
    CHECK_EQ_INT(lock_held(lm, 1, &r1), LM_NL);
    CHECK_EQ_INT(lock_held(lm, 1, &r2), LM_S);
    CHECK_EQ_INT(lock_held(lm, 2, &r1), LM_X);
    CHECK_EQ_INT(lock_release(lm, 1, &r1, g, 4), 0);   /* not held any more */
    lock_res r9 = row_res("test", 9);
    CHECK_EQ_INT(lock_release(lm, 1, &r9, g, 4), 0);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_cancel_wait_lets_the_next_through(void)
{
    hist *h = hist_new();
    lockmgr *lm = mgr_with(h, 3);
    lock_res r = row_res("test", 1);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &r, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_cancel_wait(lm, 2, g, 4), 1);
    CHECK_EQ_INT(g[0], 3);
    const hist_event *e = last_event(h);
    CHECK_EQ_INT(e->kind, EV_LOCK_GRANT);
    CHECK_EQ_INT(e->txn, 3);
    e = hist_get(h, hist_count(h) - 2);
    CHECK_EQ_INT(e->kind, EV_LOCK_RELEASE);   /* the withdrawn request */
    CHECK_EQ_INT(e->txn, 2);
    CHECK_EQ_INT(e->n[0], LM_X);
    CHECK_EQ_INT(e->n[1], 1);
    CHECK(!waiting(lm, 2));
    CHECK_EQ_INT(lock_held(lm, 3, &r), LM_S);
    CHECK_EQ_INT(lock_cancel_wait(lm, 2, g, 4), 0);   /* nothing parked */
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
    hist_free(h);
}

static void test_release_all_withdraws_parked_request(void)
{
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res a = row_res("test", 1), b = row_res("test", 2);
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &a, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &b, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &a, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &b, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 1);   /* an abort while waiting */
    CHECK_EQ_INT(g[0], 3);
    CHECK(!waiting(lm, 2));
    CHECK_EQ_INT(lock_held(lm, 2, &b), LM_NL);
    CHECK_EQ_INT(lock_check(lm), 0);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 0);
    CHECK_EQ_INT(lock_release_all(lm, 3, g, 4), 0);
    CHECK_EQ_INT(lock_release_all(lm, 3, g, 4), 0);   /* forgotten: a no-op */
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_intention_locks_on_table_and_rows(void)
{
    lockmgr *lm = mgr_with(NULL, 5);
    lock_res t = table_res("accounts");
    lock_res a = text_row_res("accounts", "A"), b = text_row_res("accounts", "B");
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_IX), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &a, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &t, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &b, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &t, LM_S), LOCK_WAIT);   /* a scan vs a writer */
    CHECK_EQ_INT(lock_acquire(lm, 4, &t, LM_IX), LOCK_WAIT);  /* behind the S */
    CHECK_EQ_INT(lock_acquire(lm, 5, &b, LM_S), LOCK_GRANTED);
    uint64_t wf[4];
    CHECK_EQ_INT(lock_waits_for(lm, 3, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 1);
    CHECK_EQ_INT(lock_waits_for(lm, 4, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 3);
    CHECK_EQ_INT(lock_check(lm), 0);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 1);
    CHECK_EQ_INT(g[0], 3);
    CHECK_EQ_INT(lock_held(lm, 3, &t), LM_S);
    CHECK(waiting(lm, 4));
    /* S then IX on the table: SIX. */
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 0);
    CHECK_EQ_INT(lock_acquire(lm, 3, &t, LM_IX), LOCK_GRANTED);
    CHECK_EQ_INT(lock_held(lm, 3, &t), LM_SIX);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

/* ---- deadlocks ---------------------------------------------------------------------- */

static bool in_waits_for(const lockmgr *lm, uint64_t a, uint64_t b)
{
    uint64_t wf[1024];
    int n = lock_waits_for(lm, a, wf, 1024);
    for (int i = 0; i < n; i++)
        if (wf[i] == b)
            return true;
    return false;
}

/* Every member waits for the next, as lock_waits_for says. */
static bool cycle_is_real(const lockmgr *lm, const lock_cycle *c)
{
    for (int i = 0; i < c->n; i++)
        if (!in_waits_for(lm, c->txns[i], c->txns[(i + 1) % c->n]))
            return false;
    return c->n > 0;
}

static void test_deadlock_two_cycle(void)
{
    hist *h = hist_new();
    lockmgr *lm = mgr_with(h, 2);
    lock_res a = row_res("test", 1), b = row_res("test", 2);
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 1, &a, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &b, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &b, LM_X), LOCK_WAIT);
    CHECK(!lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.n, 0);
    CHECK_EQ_INT(lock_acquire(lm, 2, &a, LM_X), LOCK_WAIT);
    CHECK(lock_find_deadlock(lm, 2, &c));
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(c.txns[0], 2);
    CHECK_EQ_INT(c.txns[1], 1);
    CHECK(scalar_eq(&c.res[0].key, &a.key));
    CHECK(scalar_eq(&c.res[1].key, &b.key));
    CHECK_EQ_INT(c.victim, 2);
    CHECK(cycle_is_real(lm, &c));
    const hist_event *e = last_event(h);
    CHECK_EQ_INT(e->kind, EV_DEADLOCK);
    CHECK_EQ_INT(e->side, SIDE_ACID);
    CHECK_EQ_INT(e->txn, 2);
    CHECK_EQ_INT(hist_ntxns(e), 2);
    CHECK(hist_ntxns(e) == 2 && hist_txns(e)[0] == 2 && hist_txns(e)[1] == 1);
    CHECK_EQ_STR(e->text, "txn 2 waits for txn 1 (X on test/1), txn 1 waits for txn 2 "
                          "(X on test/2); victim txn 2 (youngest)");
    /* From the other side: the same cycle, starting there. */
    CHECK(lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.txns[0], 1);
    CHECK_EQ_INT(c.victim, 2);
    uint64_t g[4];
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 1);   /* abort the victim */
    CHECK_EQ_INT(g[0], 1);
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
    hist_free(h);
}

static void test_deadlock_three_cycle_victim_is_youngest(void)
{
    lockmgr *lm = lock_new(NULL);
    /* Ages: txn 20 began last. */
    lock_txn_begin(lm, 10, 1);
    lock_txn_begin(lm, 20, 3);
    lock_txn_begin(lm, 30, 2);
    lock_res a = row_res("test", 1), b = row_res("test", 2), c3 = row_res("test", 3);
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 10, &a, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 20, &b, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 30, &c3, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 10, &b, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 20, &c3, LM_S), LOCK_WAIT);
    CHECK(!lock_find_deadlock(lm, 10, &c));
    CHECK(!lock_find_deadlock(lm, 20, &c));
    CHECK(!lock_find_deadlock(lm, 99, &c));   /* unknown */
    CHECK_EQ_INT(lock_acquire(lm, 30, &a, LM_X), LOCK_WAIT);
    CHECK(lock_find_deadlock(lm, 30, &c));
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_INT(c.txns[0], 30);
    CHECK_EQ_INT(c.txns[1], 10);
    CHECK_EQ_INT(c.txns[2], 20);
    CHECK_EQ_INT(c.victim, 20);
    CHECK(cycle_is_real(lm, &c));
    uint64_t g[4];
    CHECK_EQ_INT(lock_release_all(lm, c.victim, g, 4), 1);
    CHECK_EQ_INT(g[0], 10);
    CHECK(!lock_find_deadlock(lm, 30, &c));
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_deadlock_through_earlier_queued_request(void)
{
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res r1 = row_res("test", 1), r2 = row_res("test", 2);
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 3, &r2, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r1, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r1, LM_X), LOCK_WAIT);   /* 2 waits for holder 1 */
    CHECK_EQ_INT(lock_acquire(lm, 3, &r1, LM_S), LOCK_WAIT);   /* 3 waits behind 2 */
    CHECK(in_waits_for(lm, 3, 2));
    CHECK(!in_waits_for(lm, 3, 1));   /* the S holder is no obstacle to an S */
    CHECK(!lock_find_deadlock(lm, 3, &c));
    CHECK_EQ_INT(lock_acquire(lm, 1, &r2, LM_S), LOCK_WAIT);   /* 1 waits for holder 3 */
    CHECK(lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_INT(c.txns[0], 1);
    CHECK_EQ_INT(c.txns[1], 3);
    CHECK_EQ_INT(c.txns[2], 2);
    CHECK_EQ_INT(c.victim, 3);
    CHECK(cycle_is_real(lm, &c));
    lock_free(lm);
}

static void test_deadlock_through_fifo_edge_to_compatible_request_ahead(void)
{
    /* 3's IS is compatible with the S holder and with the IX ahead of it, yet it cannot
     * overtake the IX: that is an edge, and the cycle through it is a deadlock. */
    lockmgr *lm = mgr_with(NULL, 3);
    lock_res t = table_res("test"), r2 = row_res("other", 2);
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 3, &r2, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &t, LM_IX), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &t, LM_IS), LOCK_WAIT);
    uint64_t wf[4];
    CHECK_EQ_INT(lock_waits_for(lm, 3, wf, 4), 1);
    CHECK_EQ_INT(wf[0], 2);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r2, LM_S), LOCK_WAIT);
    CHECK(lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_INT(c.txns[0], 1);
    CHECK_EQ_INT(c.txns[1], 3);
    CHECK_EQ_INT(c.txns[2], 2);
    CHECK_EQ_INT(c.victim, 3);
    CHECK(cycle_is_real(lm, &c));
    CHECK_EQ_INT(lock_check(lm), 0);
    lock_free(lm);
}

static void test_conversion_deadlock_two_shared_holders_ask_exclusive(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    lock_res r = text_row_res("accounts", "A");
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_WAIT);
    CHECK(!lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_check(lm), 0);
    CHECK(lock_find_deadlock(lm, 2, &c));
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(c.txns[0], 2);
    CHECK_EQ_INT(c.txns[1], 1);
    CHECK_EQ_INT(c.victim, 2);
    CHECK(cycle_is_real(lm, &c));
    uint64_t g[4];
    CHECK_EQ_INT(lock_release_all(lm, 2, g, 4), 1);
    CHECK_EQ_INT(g[0], 1);
    CHECK_EQ_INT(lock_held(lm, 1, &r), LM_X);
    lock_free(lm);
}

static void test_deadlock_not_reported_for_a_plain_chain(void)
{
    lockmgr *lm = mgr_with(NULL, 4);
    lock_res r[4];
    lock_cycle c;
    for (int i = 0; i < 4; i++) {
        r[i] = row_res("test", i);
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i + 1, &r[i], LM_X), LOCK_GRANTED);
    }
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i + 1, &r[i + 1], LM_X), LOCK_WAIT);
    for (int i = 1; i <= 4; i++)
        CHECK(!lock_find_deadlock(lm, (uint64_t)i, &c));
    lock_free(lm);
}

static void test_long_cycle_found_and_capped(void)
{
    /* 1000 transactions, each holding row i and waiting for row i+1; the last closes it. */
    enum { N = 1000 };
    hist *h = hist_new();
    lockmgr *lm = mgr_with(h, N);
    lock_cycle c;
    for (int i = 0; i < N; i++) {
        lock_res r = row_res("test", i);
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i + 1, &r, LM_X), LOCK_GRANTED);
    }
    for (int i = 0; i < N; i++) {
        lock_res r = row_res("test", (i + 1) % N);
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i + 1, &r, LM_X), LOCK_WAIT);
    }
    CHECK(lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.n, LOCK_CYCLE_MAX);
    CHECK_EQ_INT(c.txns[0], 1);
    CHECK_EQ_INT(c.txns[1], 2);
    CHECK_EQ_INT(c.victim, N);   /* chosen over the whole cycle */
    const hist_event *e = last_event(h);
    CHECK_EQ_INT(e->kind, EV_DEADLOCK);
    CHECK_EQ_INT(hist_ntxns(e), N);
    CHECK(e->text && strstr(e->text, "more") && strstr(e->text, "victim txn 1000"));
    lock_free(lm);
    hist_free(h);
}

static void test_many_waiters_on_one_resource_find_a_short_cycle(void)
{
    /* 500 S holders all asking for X: every pair is a conversion deadlock. */
    enum { N = 500 };
    lockmgr *lm = mgr_with(NULL, N);
    lock_res r = row_res("test", 1);
    lock_cycle c;
    for (int i = 1; i <= N; i++)
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i, &r, LM_S), LOCK_GRANTED);
    for (int i = 1; i <= N; i++)
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i, &r, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_check(lm), 0);
    CHECK(lock_find_deadlock(lm, N, &c));
    CHECK(c.n >= 2 && c.n <= LOCK_CYCLE_MAX);
    CHECK_EQ_INT(c.txns[0], N);
    CHECK(cycle_is_real(lm, &c));
    /* 500 X requests queued behind holder 1, which waits for the last in the queue. */
    lock_free(lm);
    lm = mgr_with(NULL, N + 1);
    lock_res q = row_res("test", 2), own = row_res("test", 3);
    CHECK_EQ_INT(lock_acquire(lm, 1, &q, LM_X), LOCK_GRANTED);
    for (int i = 2; i <= N; i++)
        CHECK_EQ_INT(lock_acquire(lm, (uint64_t)i, &q, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, N + 1, &own, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, N + 1, &q, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 1, &own, LM_X), LOCK_WAIT);
    CHECK(lock_find_deadlock(lm, 1, &c));
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(c.txns[1], N + 1);
    CHECK(cycle_is_real(lm, &c));
    /* 2 waits for holder 1, 1 for 501, and 501's S waits behind 2's X. */
    CHECK(lock_find_deadlock(lm, 2, &c));
    CHECK_EQ_INT(c.n, 3);
    CHECK(cycle_is_real(lm, &c));
    CHECK_EQ_INT(c.txns[0], 2);
    lock_free(lm);
}

/* ---- events and views --------------------------------------------------------------- */

static void test_events_emitted_for_request_grant_wait_release(void)
{
    hist *h = hist_new();
    lockmgr *lm = mgr_with(h, 2);
    lock_res t = table_res("accounts"), a = text_row_res("accounts", "A");
    uint64_t g[4];
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_IX), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &a, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &t, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &a, LM_S), LOCK_WAIT);
    CHECK_EQ_INT(hist_count(h), 8);
    CHECK_EQ_INT(count_kind(h, EV_LOCK_REQUEST), 4);
    CHECK_EQ_INT(count_kind(h, EV_LOCK_GRANT), 3);
    CHECK_EQ_INT(count_kind(h, EV_LOCK_WAIT), 1);
    const hist_event *e = hist_get(h, 0);
    CHECK_EQ_INT(e->kind, EV_LOCK_REQUEST);
    CHECK_EQ_INT(e->side, SIDE_ACID);
    CHECK_EQ_INT(e->txn, 1);
    CHECK_EQ_STR(e->table, "accounts");
    CHECK_EQ_INT(e->key.type, SC_NONE);
    CHECK_EQ_INT(e->n[0], LM_IX);
    e = hist_get(h, 3);
    CHECK_EQ_INT(e->kind, EV_LOCK_GRANT);
    CHECK_EQ_INT(e->key.type, SC_TEXT);
    CHECK_EQ_STR(e->key.s, "A");
    CHECK_EQ_INT(e->n[0], LM_X);
    e = hist_get(h, 7);
    CHECK_EQ_INT(e->kind, EV_LOCK_WAIT);
    CHECK_EQ_INT(e->txn, 2);
    CHECK_EQ_INT(hist_txn2(e), 1);
    CHECK_EQ_INT(e->n[0], LM_S);
    /* An upgrade's grant reports the mode held afterwards. */
    CHECK_EQ_INT(lock_acquire(lm, 1, &t, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(last_event(h)->kind, EV_LOCK_GRANT);
    CHECK_EQ_INT(last_event(h)->n[0], LM_SIX);
    size_t before = hist_count(h);
    CHECK_EQ_INT(lock_release_all(lm, 1, g, 4), 1);
    /* Two releases (table SIX, row X), then the grant to 2. */
    CHECK_EQ_INT(hist_count(h) - before, 3);
    e = hist_get(h, before);
    CHECK_EQ_INT(e->kind, EV_LOCK_RELEASE);
    CHECK_EQ_INT(e->n[0], LM_SIX);
    CHECK_EQ_INT(e->n[1], 0);
    CHECK_EQ_INT(e->key.type, SC_NONE);
    e = hist_get(h, before + 1);
    CHECK_EQ_INT(e->kind, EV_LOCK_RELEASE);
    CHECK_EQ_INT(e->n[0], LM_X);
    e = hist_get(h, before + 2);
    CHECK_EQ_INT(e->kind, EV_LOCK_GRANT);
    CHECK_EQ_INT(e->txn, 2);
    CHECK_EQ_INT(e->n[0], LM_S);
    for (size_t i = 0; i < hist_count(h); i++)
        CHECK_EQ_INT(hist_get(h, i)->side, SIDE_ACID);
    lock_free(lm);
    hist_free(h);
}

static void test_no_history_means_no_events(void)
{
    lockmgr *lm = mgr_with(NULL, 2);
    lock_res r = row_res("test", 1), s = row_res("test", 2);
    lock_cycle c;
    CHECK_EQ_INT(lock_acquire(lm, 1, &r, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &s, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &s, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 2, &r, LM_X), LOCK_WAIT);
    CHECK(lock_find_deadlock(lm, 2, &c));
    CHECK_EQ_INT(lock_release_all(lm, 2, NULL, 0), 0);
    CHECK_EQ_INT(lock_held(lm, 1, &s), LM_X);
    lock_free(lm);
}

typedef struct seen_views {
    int n;
    char res[16][32];
    lock_entry_view v[16];
} seen_views;

static void collect_view(const lock_entry_view *v, void *arg)
{
    seen_views *s = arg;
    if (s->n < 16) {
        lock_res_format(&v->res, s->res[s->n], sizeof s->res[s->n]);
        s->v[s->n++] = *v;
    }
}

static void test_foreach_is_sorted_with_holders_and_queue_in_order(void)
{
    lockmgr *lm = mgr_with(NULL, 4);
    lock_res acc = table_res("accounts"), b = text_row_res("accounts", "B");
    lock_res a = text_row_res("accounts", "A"), t2 = row_res("test", 2), t10 = row_res("test", 10);
    CHECK_EQ_INT(lock_acquire(lm, 1, &t10, LM_X), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 2, &t2, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 1, &b, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &b, LM_S), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 4, &b, LM_X), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 2, &b, LM_IX), LOCK_WAIT);
    CHECK_EQ_INT(lock_acquire(lm, 3, &acc, LM_IS), LOCK_GRANTED);
    CHECK_EQ_INT(lock_acquire(lm, 3, &a, LM_S), LOCK_GRANTED);
    seen_views s = { 0 };
    lock_foreach(lm, collect_view, &s);
    CHECK_EQ_INT(s.n, 5);
    CHECK_EQ_STR(s.res[0], "accounts");
    CHECK_EQ_STR(s.res[1], "accounts/A");
    CHECK_EQ_STR(s.res[2], "accounts/B");
    CHECK_EQ_STR(s.res[3], "test/2");
    CHECK_EQ_STR(s.res[4], "test/10");
    const lock_entry_view *v = &s.v[2];
    CHECK_EQ_INT(v->nholders, 2);
    CHECK_EQ_INT(v->holders[0], 1);
    CHECK_EQ_INT(v->holders[1], 3);
    CHECK_EQ_INT(v->holder_modes[0], LM_S);
    CHECK_EQ_INT(v->nwaiters, 2);
    CHECK_EQ_INT(v->waiters[0], 4);
    CHECK_EQ_INT(v->waiter_modes[0], LM_X);
    CHECK_EQ_INT(v->waiters[1], 2);
    CHECK_EQ_INT(v->waiter_modes[1], LM_IX);
    lock_free(lm);
    /* Views cap at 16 holders. */
    lm = lock_new(NULL);
    for (uint64_t i = 1; i <= 20; i++)
        lock_acquire(lm, i, &acc, LM_IS);
    s.n = 0;
    lock_foreach(lm, collect_view, &s);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EQ_INT(s.v[0].nholders, 16);
    CHECK_EQ_INT(s.v[0].holders[15], 16);
    lock_free(lm);
}

/* ---- random soak -------------------------------------------------------------------- */

static uint64_t lcg_state;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

enum { SOAK_TXNS = 12, SOAK_TABLES = 2, SOAK_ROWS = 5 };
static const char *const soak_tables[SOAK_TABLES] = { "accounts", "test" };

static lock_res soak_res(void)
{
    const char *t = soak_tables[lcg() % SOAK_TABLES];
    if (lcg() % 4 == 0)
        return table_res(t);
    return row_res(t, (int64_t)(lcg() % SOAK_ROWS));
}

/* Brute force over lock_waits_for: can txn reach itself? */
static bool reaches_itself(const lockmgr *lm, uint64_t txn)
{
    bool seen[SOAK_TXNS + 1] = { false };
    uint64_t stack[SOAK_TXNS * SOAK_TXNS + 1];
    int sp = 0;
    stack[sp++] = txn;
    while (sp) {
        uint64_t u = stack[--sp];
        uint64_t wf[SOAK_TXNS];
        int n = lock_waits_for(lm, u, wf, SOAK_TXNS);
        for (int i = 0; i < n; i++) {
            if (wf[i] == txn)
                return true;
            if (!seen[wf[i]]) {
                seen[wf[i]] = true;
                stack[sp++] = wf[i];
            }
        }
    }
    return false;
}

typedef struct soak {
    lockmgr *lm;
    bool parked[SOAK_TXNS + 1];
    uint64_t next_age;
    int grants, waits, deadlocks;
} soak;

static void soak_granted(soak *s, const uint64_t *g, int n)
{
    for (int i = 0; i < n; i++) {
        CHECK(g[i] >= 1 && g[i] <= SOAK_TXNS && s->parked[g[i]]);
        s->parked[g[i]] = false;
        s->grants++;
    }
}

static void soak_verify(soak *s)
{
    CHECK_EQ_INT(lock_check(s->lm), 0);
    for (uint64_t t = 1; t <= SOAK_TXNS; t++) {
        CHECK_EQ_INT(waiting(s->lm, t), s->parked[t]);
        if (s->parked[t]) {
            uint64_t wf[SOAK_TXNS];
            CHECK(lock_waits_for(s->lm, t, wf, SOAK_TXNS) > 0);   /* nobody waits for nothing */
        }
    }
}

static void soak_end(soak *s, uint64_t t)
{
    uint64_t g[SOAK_TXNS];
    int n = lock_release_all(s->lm, t, g, SOAK_TXNS);
    s->parked[t] = false;
    soak_granted(s, g, n);
    lock_txn_begin(s->lm, t, ++s->next_age);   /* a new transaction under the same id */
}

static void soak_step(soak *s)
{
    uint64_t t = 1 + lcg() % SOAK_TXNS;
    uint64_t g[SOAK_TXNS];
    if (s->parked[t]) {
        lock_cycle c;
        bool dl = lock_find_deadlock(s->lm, t, &c);
        CHECK_EQ_INT(dl, reaches_itself(s->lm, t));
        if (dl) {
            s->deadlocks++;
            CHECK(cycle_is_real(s->lm, &c));
            CHECK_EQ_INT(c.txns[0], t);
            if (lcg() % 2)
                soak_end(s, c.victim);
            else {
                int n = lock_cancel_wait(s->lm, c.victim, g, SOAK_TXNS);
                s->parked[c.victim] = false;
                soak_granted(s, g, n);
            }
        }
        return;
    }
    uint32_t op = lcg() % 10;
    if (op < 6) {
        lock_res r = soak_res();
        lock_mode m = (lock_mode)(1 + lcg() % 5);
        lock_mode before = lock_held(s->lm, t, &r);
        if (lock_acquire(s->lm, t, &r, m) == LOCK_WAIT) {
            s->parked[t] = true;
            s->waits++;
            CHECK_EQ_INT(lock_held(s->lm, t, &r), before);
        } else {
            CHECK_EQ_INT(lock_held(s->lm, t, &r), lock_supremum(before, m));
        }
    } else if (op < 8) {
        lock_res r = soak_res();
        int n = lock_release(s->lm, t, &r, g, SOAK_TXNS);
        soak_granted(s, g, n);
        CHECK_EQ_INT(lock_held(s->lm, t, &r), LM_NL);
    } else {
        soak_end(s, t);
    }
}

static void test_random_soak_keeps_invariants_and_serves_every_waiter(void)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        lcg_state = seed;
        soak s;
        memset(&s, 0, sizeof s);
        hist *h = hist_new();
        s.lm = lock_new(seed % 2 ? h : NULL);
        for (uint64_t t = 1; t <= SOAK_TXNS; t++)
            lock_txn_begin(s.lm, t, ++s.next_age);
        for (int step = 0; step < 3000; step++) {
            soak_step(&s);
            soak_verify(&s);
        }
        /* Wind down: end whoever is not parked until that wakes nobody; then every
         * holder is parked, so a cycle must exist (else a wake-up was lost): abort its
         * victim. Every waiter must end up served or a victim. */
        for (int round = 0; round < 1000; round++) {
            int before;
            do {
                before = s.grants;
                for (uint64_t t = 1; t <= SOAK_TXNS; t++)
                    if (!s.parked[t])
                        soak_end(&s, t);
            } while (s.grants != before);
            soak_verify(&s);
            bool any = false, found = false;
            for (uint64_t t = 1; t <= SOAK_TXNS; t++)
                any = any || s.parked[t];
            if (!any)
                break;
            for (uint64_t t = 1; t <= SOAK_TXNS && !found; t++) {
                lock_cycle c;
                if (s.parked[t] && lock_find_deadlock(s.lm, t, &c)) {
                    soak_end(&s, c.victim);
                    found = true;
                }
            }
            CHECK(found);
            if (!found)
                break;
        }
        for (uint64_t t = 1; t <= SOAK_TXNS; t++) {
            CHECK(!s.parked[t]);
            soak_end(&s, t);
        }
        seen_views left = { 0 };
        lock_foreach(s.lm, collect_view, &left);
        CHECK_EQ_INT(left.n, 0);
        CHECK(s.grants > 0 && s.waits > 0 && s.deadlocks > 0);
        CHECK_EQ_INT(lock_check(s.lm), 0);
        lock_free(s.lm);
        hist_free(h);
    }
}

int main(void)
{
    RUN(test_compatibility_matrix_all_36_pairs);
    RUN(test_supremum_joins_modes);
    RUN(test_mode_names_and_resource_format);
    RUN(test_shared_locks_are_shared);
    RUN(test_exclusive_blocks_shared);
    RUN(test_covering_rerequest_is_silent);
    RUN(test_table_names_compare_by_text_keys_by_value);
    RUN(test_fifo_no_overtaking);
    RUN(test_upgrade_served_before_earlier_waiter);
    RUN(test_upgrades_queue_in_order_among_themselves);
    RUN(test_upgrade_compatible_with_holders_ignores_queue);
    RUN(test_release_grants_several_compatible_waiters);
    RUN(test_short_release_of_one_resource);
    RUN(test_cancel_wait_lets_the_next_through);
    RUN(test_release_all_withdraws_parked_request);
    RUN(test_intention_locks_on_table_and_rows);
    RUN(test_deadlock_two_cycle);
    RUN(test_deadlock_three_cycle_victim_is_youngest);
    RUN(test_deadlock_through_earlier_queued_request);
    RUN(test_deadlock_through_fifo_edge_to_compatible_request_ahead);
    RUN(test_conversion_deadlock_two_shared_holders_ask_exclusive);
    RUN(test_deadlock_not_reported_for_a_plain_chain);
    RUN(test_long_cycle_found_and_capped);
    RUN(test_many_waiters_on_one_resource_find_a_short_cycle);
    RUN(test_events_emitted_for_request_grant_wait_release);
    RUN(test_no_history_means_no_events);
    RUN(test_foreach_is_sorted_with_holders_and_queue_in_order);
    RUN(test_random_soak_keeps_invariants_and_serves_every_waiter);
    return t_done("lock");
}
