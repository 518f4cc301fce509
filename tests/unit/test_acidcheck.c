/*
 * test_acidcheck.c: the ACID history checker on hand-built histories: each anomaly in its
 * Hermitage shape, the cases that must stay silent, the explanation texts, and serial
 * histories (random, and one long one) that must produce nothing.
 *
 * Conventions: table "test"; key k's initial version has id 1000000000 + k and value
 * 10 * k (T0, never written in the history); versions written in a test get small ids.
 */
#include "t.h"
#include "acid/engine.h"
#include "history/acidcheck.h"

#include <inttypes.h>
#include <stdint.h>
#include <time.h>

/* --- building histories ------------------------------------------------------------- */

static uint64_t ev_seq(hist_event *e)
{
    return e ? e->seq : 0;
}

static uint64_t txn_ev(hist *h, hist_kind kind, uint64_t txn)
{
    hist_event *e = hist_add(h, SIDE_ACID, kind);
    e->txn = txn;
    if (kind == EV_TXN_BEGIN)
        e->n[0] = 2;
    return ev_seq(e);
}

static uint64_t begin(hist *h, uint64_t txn) { return txn_ev(h, EV_TXN_BEGIN, txn); }
static uint64_t commit(hist *h, uint64_t txn) { return txn_ev(h, EV_TXN_COMMIT, txn); }
static uint64_t abort_txn(hist *h, uint64_t txn) { return txn_ev(h, EV_TXN_ABORT, txn); }
static uint64_t lose(hist *h, uint64_t txn) { return txn_ev(h, EV_TXN_LOST, txn); }

static hist_event *keyed(hist *h, hist_kind kind, uint64_t txn, int64_t key)
{
    hist_event *e = hist_add(h, SIDE_ACID, kind);
    e->txn = txn;
    hist_set_table(h, e, "test");
    e->key = scalar_int(key);
    return e;
}

/* An update (or, with exists 0, a delete) of key: version ver replaces replaced. */
static uint64_t write_full(hist *h, uint64_t txn, int64_t key, uint64_t ver, int64_t val,
                           uint64_t replaced, int exists, int inserted)
{
    hist_event *e = keyed(h, EV_WRITE, txn, key);
    e->n[0] = (int64_t)ver;
    e->n[1] = val;
    e->n[2] = exists;
    e->n[3] = (int64_t)replaced;
    e->n[4] = inserted;
    return ev_seq(e);
}

static uint64_t write_v(hist *h, uint64_t txn, int64_t key, uint64_t ver, int64_t val,
                      uint64_t replaced)
{
    return write_full(h, txn, key, ver, val, replaced, 1, 0);
}

static uint64_t insert(hist *h, uint64_t txn, int64_t key, uint64_t ver, int64_t val)
{
    return write_full(h, txn, key, ver, val, 0, 1, 1);
}

static uint64_t undo(hist *h, uint64_t txn, int64_t key, uint64_t restored, int64_t val,
                     uint64_t removed)
{
    hist_event *e = keyed(h, EV_UNDO, txn, key);
    e->n[0] = (int64_t)restored;
    e->n[1] = val;
    e->n[2] = restored != 0;
    e->n[3] = (int64_t)removed;
    return ev_seq(e);
}

static uint64_t read_full(hist *h, uint64_t txn, int64_t key, uint64_t ver, int64_t val,
                          int exists, int uncommitted)
{
    hist_event *e = keyed(h, EV_READ, txn, key);
    e->n[0] = (int64_t)ver;
    e->n[1] = val;
    e->n[2] = exists;
    e->n[3] = uncommitted;
    return ev_seq(e);
}

static uint64_t read_v(hist *h, uint64_t txn, int64_t key, uint64_t ver, int64_t val)
{
    return read_full(h, txn, key, ver, val, 1, 0);
}

/* The initial version of key k. */
static uint64_t x0(int64_t k) { return 1000000000 + (uint64_t)k; }
static int64_t v0(int64_t k) { return 10 * k; }

static uint64_t read0(hist *h, uint64_t txn, int64_t key)
{
    return read_v(h, txn, key, x0(key), v0(key));
}

typedef struct row { int64_t key; uint64_t ver; int64_t val; } row;

/* A predicate read over rows (every row that exists); matched as the predicate says. */
static uint64_t pread(hist *h, uint64_t txn, const pred *p, const row *rows, int n)
{
    hist_row hr[64];
    int matched = 0;
    for (int i = 0; i < n; i++) {
        memset(&hr[i], 0, sizeof hr[i]);
        hr[i].key = scalar_int(rows[i].key);
        hr[i].version = rows[i].ver;
        hr[i].value = rows[i].val;
        hr[i].matched = pred_eval(p, &hr[i].key, rows[i].val);
        matched += hr[i].matched;
    }
    hist_event *e = hist_add(h, SIDE_ACID, EV_PREAD);
    e->txn = txn;
    hist_set_table(h, e, "test");
    hist_set_pred(h, e, p);
    hist_set_rows(h, e, hr, n);
    e->n[0] = matched;
    char text[128];
    pred_format(p, text, sizeof text);
    hist_set_text(h, e, text);
    return ev_seq(e);
}

static pred *pred_term1(pred_kind kind, const char *col, pred_op op, int64_t a, int64_t b)
{
    pred *p = pred_new();
    pred_term t;
    memset(&t, 0, sizeof t);
    t.kind = (uint8_t)kind;
    t.op = (uint8_t)op;
    snprintf(t.col, sizeof t.col, "%s", col);
    if (kind == PT_MOD) {
        t.mod_m = a;
        t.mod_r = b;
    } else {
        t.lit = scalar_int(a);
    }
    pred_add(p, &t);
    pred_resolve(p, "id", "value");
    return p;
}

static pred *pred_value_eq(int64_t v) { return pred_term1(PT_CMP, "value", POP_EQ, v, 0); }
static pred *pred_value_mod(int64_t m, int64_t r)
{
    return pred_term1(PT_MOD, "value", POP_EQ, m, r);
}
static pred *pred_value_lt(int64_t v) { return pred_term1(PT_CMP, "value", POP_LT, v, 0); }
static pred *pred_id_eq(int64_t k) { return pred_term1(PT_CMP, "id", POP_EQ, k, 0); }

static void label_t(uint64_t txn, char *buf, size_t n, void *arg)
{
    (void)arg;
    snprintf(buf, n, "T%" PRIu64, txn);
}

static void label_names(uint64_t txn, char *buf, size_t n, void *arg)
{
    (void)arg;
    static const char *names[] = { "nobody", "alice", "bob", "carol" };
    snprintf(buf, n, "%s", txn < 4 ? names[txn] : "someone");
}

static acid_findings check(const hist *h)
{
    acid_findings f;
    int rc = acidcheck_run(h, label_t, NULL, &f);
    CHECK_EQ_INT(rc, 0);
    return f;
}

static const acid_finding *find(const acid_findings *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].name, name) == 0)
            return &f->v[i];
    return NULL;
}

static int count(const acid_findings *f, const char *name)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += strcmp(f->v[i].name, name) == 0;
    return n;
}

static bool has_alias(const acid_finding *x, const char *alias)
{
    for (int i = 0; x && i < x->naliases; i++)
        if (strcmp(x->aliases[i], alias) == 0)
            return true;
    return false;
}

static bool has_txns(const acid_finding *x, int n, const uint64_t *want)
{
    if (!x || x->ntxns != n)
        return false;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < x->ntxns; j++)
            found |= x->txns[j] == want[i];
        if (!found)
            return false;
    }
    return true;
}

static bool text_has(const acid_finding *x, const char *s)
{
    bool ok = x && x->text && strstr(x->text, s);
    if (!ok)
        fprintf(stderr, "  text \"%s\" lacks \"%s\"\n", x && x->text ? x->text : "(none)", s);
    return ok;
}

/* Shows the findings when their number is not the one expected. */
static void dump_unless(const acid_findings *f, int expected)
{
    if (f->n == expected)
        return;
    for (int i = 0; i < f->n; i++)
        fprintf(stderr, "  [%s] %s\n", f->v[i].name, f->v[i].text);
}

/* --- silence ------------------------------------------------------------------------ */

static void test_serial_history_has_no_findings(void)
{
    hist *h = hist_new();
    pred *p = pred_value_lt(100);
    begin(h, 1);
    read0(h, 1, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    pread(h, 1, p, (row[]){ { 1, 1, 11 }, { 2, x0(2), 20 } }, 2);
    commit(h, 1);
    begin(h, 2);
    read_v(h, 2, 1, 1, 11);
    read0(h, 2, 2);
    write_v(h, 2, 2, 2, 21, x0(2));
    insert(h, 2, 3, 3, 30);
    commit(h, 2);
    begin(h, 3);
    pread(h, 3, p, (row[]){ { 1, 1, 11 }, { 2, 2, 21 }, { 3, 3, 30 } }, 3);
    write_full(h, 3, 3, 4, 0, 3, 0, 0);
    commit(h, 3);
    begin(h, 4);
    pread(h, 4, p, (row[]){ { 1, 1, 11 }, { 2, 2, 21 } }, 2);
    read_full(h, 4, 3, 0, 0, 0, 0);
    commit(h, 4);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_aborted_transaction_writes_create_no_edges(void)
{
    /* Were T2 committed this would be write skew (T1 -rw-> T2 -rw-> T1). */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 2);
    write_v(h, 2, 1, 1, 11, x0(1));
    write_v(h, 1, 2, 2, 21, x0(2));
    commit(h, 1);
    undo(h, 2, 1, x0(1), 10, 1);
    abort_txn(h, 2);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_lost_commit_counts_as_aborted(void)
{
    /* Write skew between T1 and T2, but the crash took T2's commit. */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 1, 2);
    read0(h, 2, 1);
    read0(h, 2, 2);
    write_v(h, 1, 1, 1, 11, x0(1));
    write_v(h, 2, 2, 2, 21, x0(2));
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    CHECK(acidcheck_has(&f, "G2-item"));
    acidcheck_free(&f);
    lose(h, 2);
    f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_read_of_lost_commit_is_aborted_read(void)
{
    hist *h = hist_new();
    begin(h, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    begin(h, 2);
    read_v(h, 2, 1, 1, 11);
    commit(h, 2);
    uint64_t s = lose(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G1a");
    CHECK(x != NULL);
    CHECK(!acidcheck_has(&f, "dirty-read"));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK_EQ_STR(x->text, "aborted read (G1a): T2 read test/1 = 11 written by T1, whose "
                              "commit was later lost in a crash.");
    }
    acidcheck_free(&f);
    hist_free(h);
}

static void test_undo_then_read_of_restored_version_is_not_dirty(void)
{
    hist *h = hist_new();
    begin(h, 1);
    write_v(h, 1, 1, 1, 101, x0(1));
    undo(h, 1, 1, x0(1), 10, 1);
    begin(h, 2);
    read0(h, 2, 1);          /* after the undo, before the ABORT event */
    abort_txn(h, 1);
    read0(h, 2, 1);
    commit(h, 2);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_read_of_own_write_is_not_dirty(void)
{
    hist *h = hist_new();
    begin(h, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    read_v(h, 1, 1, 1, 11);
    write_v(h, 1, 1, 2, 12, 1);
    pread(h, 1, NULL, (row[]){ { 1, 2, 12 } }, 1);
    commit(h, 1);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    hist_free(h);
}

/* --- reads of uncommitted data ------------------------------------------------------ */

static void test_dirty_read_is_reported_with_writer_and_value(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    uint64_t s = read_full(h, 2, 1, 1, 101, 1, 1);
    read_full(h, 2, 1, 1, 101, 1, 1);   /* once per (reader, version) */
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 1);
    const acid_finding *x = find(&f, "dirty-read");
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_STR(x->text,
                     "dirty read: T2 read test/1 = 101 written by T1 before T1 committed.");
        CHECK_EQ_INT(x->seq, s);
        CHECK_EQ_INT(x->ntxns, 2);
    }
    CHECK(!acidcheck_has(&f, "G1"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_dirty_read_through_a_scan(void)
{
    hist *h = hist_new();
    pred *p = pred_value_eq(101);
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    pread(h, 2, p, (row[]){ { 1, 1, 101 }, { 2, x0(2), 20 } }, 2);
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "dirty-read");
    CHECK(x != NULL);
    CHECK(text_has(x, "T2's scan of test WHERE value = 101 saw test/1 = 101 written by T1"));
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_g1a_aborted_read(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    read_full(h, 2, 1, 1, 101, 1, 1);
    undo(h, 1, 1, x0(1), 10, 1);
    abort_txn(h, 1);
    uint64_t s = commit(h, 2);   /* G1a is about a committed reader: complete at its commit */
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G1a");
    CHECK(x != NULL);
    CHECK(acidcheck_has(&f, "aborted-read"));
    CHECK(acidcheck_has(&f, "G1"));
    CHECK(acidcheck_has(&f, "dirty-read"));
    CHECK(!acidcheck_has(&f, "G1b"));
    CHECK_EQ_INT(f.n, 2);
    if (x) {
        CHECK_EQ_STR(x->text, "aborted read (G1a): T2 read test/1 = 101 written by T1, "
                              "which later aborted.");
        CHECK_EQ_INT(x->seq, s);
    }
    acidcheck_free(&f);
    hist_free(h);
}

static void test_g1a_not_reported_when_reader_aborts_too(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    read_full(h, 2, 1, 1, 101, 1, 1);
    abort_txn(h, 1);
    abort_txn(h, 2);
    acid_findings f = check(h);
    CHECK(!acidcheck_has(&f, "G1a"));
    CHECK(acidcheck_has(&f, "dirty-read"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_g1b_intermediate_read(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    read_full(h, 2, 1, 1, 101, 1, 1);
    write_v(h, 1, 1, 2, 11, 1);
    commit(h, 1);
    uint64_t s = commit(h, 2);   /* complete when both have committed */
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G1b");
    CHECK(x != NULL);
    CHECK(acidcheck_has(&f, "intermediate-read"));
    CHECK(acidcheck_has(&f, "G1"));
    CHECK(acidcheck_has(&f, "dirty-read"));
    CHECK(!acidcheck_has(&f, "G1a"));
    CHECK(!acidcheck_has(&f, "G1c"));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK(text_has(x, "T2 read test/1 = 101 written by T1"));
        CHECK(text_has(x, "replaced it with 11"));
    }
    acidcheck_free(&f);
    hist_free(h);
}

/* --- cycles without anti-dependencies ----------------------------------------------- */

static void test_g0_dirty_write(void)
{
    /* Hermitage G0, as an engine without write locks would interleave it. */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 11, x0(1));
    write_v(h, 2, 1, 2, 12, 1);
    write_v(h, 2, 2, 3, 22, x0(2));
    write_v(h, 1, 2, 4, 21, 3);
    commit(h, 1);
    uint64_t s = commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G0");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "dirty-write"));
    /* Adya: G1c is a cycle of dependency edges (ww and wr), so a ww cycle is one too. */
    CHECK(acidcheck_has(&f, "G1c"));
    CHECK(acidcheck_has(&f, "G1"));
    CHECK(!acidcheck_has(&f, "G2"));
    CHECK(has_txns(x, 2, (uint64_t[]){ 1, 2 }));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK(text_has(x, "T2 -ww(test/2)-> T1 -ww(test/1)-> T2"));
        CHECK(text_has(x, "T2 overwrote T1's test/1 = 11 with 12"));
    }
    dump_unless(&f, 1);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_g1c_circular_information_flow(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 11, x0(1));
    write_v(h, 2, 2, 2, 22, x0(2));
    read_full(h, 1, 2, 2, 22, 1, 1);
    read_full(h, 2, 1, 1, 11, 1, 1);
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G1c");
    CHECK(x != NULL);
    CHECK_EQ_INT(count(&f, "G1c"), 1);
    CHECK(has_alias(x, "G1"));
    CHECK(!acidcheck_has(&f, "G0"));
    CHECK(!acidcheck_has(&f, "G-single"));
    CHECK_EQ_INT(count(&f, "dirty-read"), 2);
    CHECK(text_has(x, "-wr(test/"));
    CHECK(has_txns(x, 2, (uint64_t[]){ 1, 2 }));
    acidcheck_free(&f);
    hist_free(h);
}

/* --- G-single ------------------------------------------------------------------------ */

static void test_otv_observed_transaction_vanishes(void)
{
    /* T3 sees T1's x and T2's y: read skew. */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    begin(h, 3);
    write_v(h, 1, 1, 1, 11, x0(1));
    write_v(h, 1, 2, 2, 19, x0(2));
    commit(h, 1);
    write_v(h, 2, 1, 3, 12, 1);
    write_v(h, 2, 2, 4, 18, 2);
    read_v(h, 3, 1, 1, 11);
    commit(h, 2);
    read_v(h, 3, 2, 4, 18);
    uint64_t s = commit(h, 3);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "read-skew"));
    CHECK(!acidcheck_has(&f, "lost-update"));
    CHECK(!acidcheck_has(&f, "non-repeatable-read"));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK(text_has(x, "T3 -rw(test/1)-> T2 -wr(test/2)-> T3"));
    }
    dump_unless(&f, 1);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_pmp_phantom(void)
{
    hist *h = hist_new();
    pred *p = pred_value_eq(30);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 } }, 2);
    insert(h, 2, 3, 1, 30);
    commit(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 }, { 3, 1, 30 } }, 3);
    commit(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "phantom"));
    CHECK(acidcheck_has(&f, "read-skew"));
    CHECK(!acidcheck_has(&f, "non-repeatable-read"));
    CHECK(!acidcheck_has(&f, "lost-update"));
    CHECK(text_has(x, "T1's scan of test WHERE value = 30 found no row test/3, "
                      "and T2 later inserted test/3 = 30 so that it matches"));
    CHECK(text_has(x, "T1 -rw(test/3)-> T2 -wr(test/3)-> T1"));
    dump_unless(&f, 1);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_phantom_by_update_into_the_predicate(void)
{
    /* T1 scans value < 25 (keys 1, 2 match, 3 = 30 does not); T2 sets key 3 to 5. */
    hist *h = hist_new();
    pred *p = pred_value_lt(25);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 }, { 3, x0(3), 30 } }, 3);
    write_v(h, 2, 3, 1, 5, x0(3));
    commit(h, 2);
    read_v(h, 1, 3, 1, 5);
    commit(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "phantom"));
    CHECK(!acidcheck_has(&f, "non-repeatable-read"));
    CHECK(text_has(x, "saw test/3 = 30 (no match), and T2 later updated test/3 to 5 so that it matches"));
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_scan_then_delete_and_reread_is_g_single(void)
{
    /* T1 counts value < 25 (keys 1, 2); T2 deletes 1 and moves 2 out; T1 reads 1 again. */
    hist *h = hist_new();
    pred *p = pred_value_lt(25);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 } }, 2);
    write_full(h, 2, 1, 1, 0, x0(1), 0, 0);
    write_v(h, 2, 2, 2, 50, x0(2));
    commit(h, 2);
    read_full(h, 1, 1, 1, 0, 0, 0);
    commit(h, 1);
    acid_findings f = check(h);
    CHECK(acidcheck_has(&f, "G-single"));
    CHECK_EQ_INT(count(&f, "G-single"), 1);
    CHECK_EQ_INT(f.n, 1);
    dump_unless(&f, 1);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_p4_lost_update(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    write_v(h, 2, 1, 2, 11, 1);
    uint64_t s = commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "lost-update"));
    CHECK(acidcheck_has(&f, "read-skew"));
    CHECK(acidcheck_has(&f, "LOST-UPDATE"));
    CHECK(!acidcheck_has(&f, "non-repeatable-read"));
    CHECK(!acidcheck_has(&f, "phantom"));
    if (x) {
        CHECK_EQ_STR(x->text, "lost update: T1 and T2 both read test/1 = 10; T2 wrote 11 after "
                              "T1 had written 11, overwriting it without seeing it "
                              "(T2 -rw(test/1)-> T1 -ww(test/1)-> T2).");
        CHECK_EQ_INT(x->seq, s);
        CHECK(has_txns(x, 2, (uint64_t[]){ 1, 2 }));
    }
    acidcheck_free(&f);
    hist_free(h);
}

static void test_lost_update_as_the_engine_records_it(void)
{
    /* Every read is a scan: SELECT ... WHERE id = 1, then UPDATE's own scan, which at
     * READ COMMITTED waits for T1's lock and then sees T1's row. */
    hist *h = hist_new();
    pred *p = pred_id_eq(1);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 } }, 1);
    pread(h, 2, p, (row[]){ { 1, x0(1), 10 } }, 1);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 } }, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    pread(h, 2, p, (row[]){ { 1, 1, 11 } }, 1);
    write_v(h, 2, 1, 2, 11, 1);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "lost-update"));
    CHECK(text_has(x, "lost update: T1 and T2 both read test/1 = 10; T1 wrote 11, then T2 "
                      "wrote 11 over it, acting on the 10 it had read before, so T1's "
                      "update is lost (T2 -rw(test/1)-> T1 -ww(test/1)-> T2)."));
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_read_of_a_rolled_back_statement_is_intermediate(void)
{
    /* T1's statement fails and is undone; T1 goes on and commits. */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    write_v(h, 1, 1, 1, 101, x0(1));
    read_full(h, 2, 1, 1, 101, 1, 1);
    undo(h, 1, 1, x0(1), 10, 1);
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G1b");
    CHECK(x != NULL);
    CHECK(!acidcheck_has(&f, "G1a"));
    CHECK(text_has(x, "who rolled that write back before committing"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_lost_update_three_increments(void)
{
    /* Lesson 8: three sessions read 100, each writes 101. */
    hist *h = hist_new();
    for (uint64_t t = 1; t <= 3; t++) {
        begin(h, t);
        read0(h, t, 1);
    }
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    write_v(h, 2, 1, 2, 11, 1);
    commit(h, 2);
    write_v(h, 3, 1, 3, 11, 2);
    commit(h, 3);
    acid_findings f = check(h);
    CHECK(acidcheck_has(&f, "lost-update"));
    CHECK(count(&f, "G-single") >= 2);
    for (int i = 0; i < f.n; i++)
        CHECK(has_alias(&f.v[i], "lost-update"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_read_skew_on_two_keys(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    read0(h, 2, 2);
    write_v(h, 2, 1, 1, 12, x0(1));
    write_v(h, 2, 2, 2, 18, x0(2));
    commit(h, 2);
    read_v(h, 1, 2, 2, 18);
    commit(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "read-skew"));
    CHECK(!acidcheck_has(&f, "lost-update"));
    CHECK(!acidcheck_has(&f, "non-repeatable-read"));
    CHECK(!acidcheck_has(&f, "phantom"));
    /* Adya's hierarchy: one item anti-dependency is G-single, G2-item and G2 at once. */
    CHECK(acidcheck_has(&f, "G2"));
    CHECK(acidcheck_has(&f, "G2-item"));
    CHECK(!acidcheck_has(&f, "write-skew"));
    CHECK(text_has(x, "read skew (G-single): T1 read test/1 = 10 before T2 updated it to 12, "
                      "yet T1 read test/2 = 18 written by T2 "
                      "(T1 -rw(test/1)-> T2 -wr(test/2)-> T1)."));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_non_repeatable_read(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    write_v(h, 2, 1, 1, 11, x0(1));
    commit(h, 2);
    read_v(h, 1, 1, 1, 11);
    commit(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "non-repeatable-read"));
    CHECK(acidcheck_has(&f, "read-skew"));
    CHECK(!acidcheck_has(&f, "lost-update"));
    if (x)
        CHECK_EQ_STR(x->text, "non-repeatable read: T1 read test/1 = 10, "
                              "then T2 updated it to 11 "
                              "and committed, and T1 read it again as 11 "
                              "(T1 -rw(test/1)-> T2 -wr(test/1)-> T1).");
    acidcheck_free(&f);
    hist_free(h);
}

/* --- G2 ----------------------------------------------------------------------------- */

static void test_write_skew_g2_item(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 1, 2);
    read0(h, 2, 1);
    read0(h, 2, 2);
    write_v(h, 1, 1, 1, 11, x0(1));
    write_v(h, 2, 2, 2, 21, x0(2));
    commit(h, 1);
    uint64_t s = commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G2-item");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "write-skew"));
    CHECK(acidcheck_has(&f, "G2"));
    CHECK(acidcheck_has(&f, "g2"));
    CHECK(!acidcheck_has(&f, "G-single"));
    CHECK(!acidcheck_has(&f, "read-skew"));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK(text_has(x, "write skew (G2-item): "));
        CHECK(text_has(x, "T1 read test/2 = 20 before T2 updated it to 21"));
        CHECK(text_has(x, "T2 read test/1 = 10 before T1 updated it to 11"));
    }
    acidcheck_free(&f);
    hist_free(h);
}

static void test_g2_with_predicates(void)
{
    /* Both count value % 3 = 0 (none), each inserts a matching row. */
    hist *h = hist_new();
    pred *p = pred_value_mod(3, 0);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 } }, 2);
    pread(h, 2, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 } }, 2);
    insert(h, 1, 3, 1, 30);
    insert(h, 2, 4, 2, 42);
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G2");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(!acidcheck_has(&f, "G2-item"));
    CHECK(!acidcheck_has(&f, "write-skew"));
    CHECK(!acidcheck_has(&f, "G-single"));
    CHECK(has_txns(x, 2, (uint64_t[]){ 1, 2 }));
    CHECK(text_has(x, "T1's scan of test WHERE value % 3 = 0 found no row test/4, "
                      "and T2 later inserted test/4 = 42"));
    CHECK(text_has(x, "T2's scan of test WHERE value % 3 = 0 found no row test/3, "
                      "and T1 later inserted test/3 = 30"));
    dump_unless(&f, 1);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_scan_of_another_key_sees_no_phantom(void)
{
    /* UPDATE ... WHERE id = 1 scans key 1 only; T2's insert of key 2 is no phantom for it. */
    hist *h = hist_new();
    pred *p = pred_id_eq(1);
    begin(h, 1);
    begin(h, 2);
    pread(h, 1, p, (row[]){ { 1, x0(1), 10 } }, 1);
    insert(h, 2, 2, 2, 20);
    read0(h, 2, 1);
    commit(h, 2);
    read_v(h, 1, 2, 2, 20);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_fekete_read_only_anomaly(void)
{
    hist *h = hist_new();
    begin(h, 1);
    read0(h, 1, 1);
    read0(h, 1, 2);
    begin(h, 2);
    read0(h, 2, 2);
    write_v(h, 2, 2, 1, 21, x0(2));
    commit(h, 2);
    begin(h, 3);
    read0(h, 3, 1);
    read_v(h, 3, 2, 1, 21);
    commit(h, 3);
    write_v(h, 1, 1, 2, 11, x0(1));
    uint64_t s = commit(h, 1);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G2-item");
    CHECK(x != NULL);
    CHECK_EQ_INT(f.n, 1);
    CHECK(acidcheck_has(&f, "G2"));
    CHECK(acidcheck_has(&f, "write-skew"));
    CHECK(!acidcheck_has(&f, "G-single"));
    CHECK(has_txns(x, 3, (uint64_t[]){ 1, 2, 3 }));
    if (x) {
        CHECK_EQ_INT(x->seq, s);
        CHECK(text_has(x, "T3 -rw(test/1)-> T1 -rw(test/2)-> T2 -wr(test/2)-> T3"));
    }
    acidcheck_free(&f);
    hist_free(h);
}


/* --- labels, incremental checking, and through the engine ---------------------------- */

static uint64_t begin_in(hist *h, uint64_t txn, int session)
{
    hist_event *e = hist_add(h, SIDE_ACID, EV_TXN_BEGIN);
    e->txn = txn;
    e->session = (uint8_t)session;
    e->n[0] = 2;
    return ev_seq(e);
}

static void test_labels_come_from_the_history_not_the_callback(void)
{
    /* T1's second transaction is "T1#2" because of the TXN_BEGIN events, whatever the
     * callback says (it names only transactions without a session). */
    hist *h = hist_new();
    begin_in(h, 7, 1);
    commit(h, 7);
    begin_in(h, 8, 1);
    begin_in(h, 9, 2);
    read0(h, 8, 1);
    read0(h, 9, 1);
    write_v(h, 8, 1, 1, 11, x0(1));
    commit(h, 8);
    write_v(h, 9, 1, 2, 11, 1);
    commit(h, 9);
    acid_findings f;
    CHECK_EQ_INT(acidcheck_run(h, label_names, NULL, &f), 0);
    CHECK_EQ_INT(f.n, 1);
    if (f.n)
        CHECK(text_has(&f.v[0], "T2 -rw(test/1)-> T1#2 -ww(test/1)-> T2"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_incremental_update_sees_each_step(void)
{
    hist *h = hist_new();
    acid_checker *k = acidcheck_new();
    CHECK(k != NULL);
    if (!k)
        return;
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);
    CHECK_EQ_INT(acidcheck_findings(k)->n, 0);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);
    CHECK_EQ_INT(acidcheck_findings(k)->n, 0);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);   /* nothing new: nothing changes */
    CHECK_EQ_INT(acidcheck_findings(k)->n, 0);
    write_v(h, 2, 1, 2, 11, 1);
    uint64_t s = commit(h, 2);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);
    const acid_findings *f = acidcheck_findings(k);
    CHECK_EQ_INT(f->n, 1);
    CHECK(acidcheck_has(f, "lost-update"));
    CHECK(acidcheck_has(f, "G2-item"));
    if (f->n)
        CHECK_EQ_INT(f->v[0].seq, s);
    acidcheck_close(k);
    hist_free(h);
}

static void test_a_lost_commit_takes_its_cycle_away(void)
{
    /* A lost update, then the crash takes T2's commit: T2 counts as aborted from the
     * start, so there is no cycle any more, and T3's read of T2's version is G1a. */
    hist *h = hist_new();
    acid_checker *k = acidcheck_new();
    CHECK(k != NULL);
    if (!k)
        return;
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    write_v(h, 2, 1, 2, 12, 1);
    commit(h, 2);
    begin(h, 3);
    read_v(h, 3, 1, 2, 12);
    commit(h, 3);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);
    CHECK(acidcheck_has(acidcheck_findings(k), "G-single"));
    lose(h, 2);
    CHECK_EQ_INT(acidcheck_update(k, h), 0);
    const acid_findings *f = acidcheck_findings(k);
    CHECK(!acidcheck_has(f, "G-single"));
    CHECK(!acidcheck_has(f, "G2"));
    CHECK(acidcheck_has(f, "G1a"));
    const acid_finding *x = find(f, "G1a");
    if (x)
        CHECK(text_has(x, "whose commit was later lost in a crash"));
    acid_findings full;
    CHECK_EQ_INT(acidcheck_run(h, NULL, NULL, &full), 0);
    CHECK_EQ_INT(full.n, f->n);
    acidcheck_free(&full);
    acidcheck_close(k);
    hist_free(h);
}

static void quiet_note(void *arg, const acid_note *n) { (void)arg; (void)n; }

static void run_sql(acid_engine *e, int session, const char *text)
{
    sql_stmt s;
    sql_error err;
    CHECK_EQ_INT(sql_parse(text, 1, 1, &s, &err), 0);
    acid_submit(e, session, &s);
    sql_free(&s);
}

static void test_text_says_updated_through_the_engine(void)
{
    /* tests/scenarios/checker-explanation-says-updated.scn, through the engine: an update
     * into the predicate is explained as one, and the scan that saw a deleted row as
     * having found no row (issue 14, case 7). */
    char dir[200], err[256], msg[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%.150s/ab-chk-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(dir) != NULL);
    acid_options o = { .dir = dir, .frames = 0, .real_sync = false };
    hist *h = hist_new();
    acid_engine *e = acid_open(&o, h, quiet_note, NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e)
        return;
    const char *setup[] = { "CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 10), (2, 20)" };
    for (int i = 0; i < 2; i++) {
        sql_stmt s;
        sql_error se;
        int line, col;
        CHECK_EQ_INT(sql_parse(setup[i], 1, 1, &s, &se), 0);
        acid_validate(e, &s, msg, sizeof msg, &line, &col);
        CHECK_EQ_INT(acid_setup(e, &s, msg, sizeof msg), 0);
        sql_free(&s);
    }
    run_sql(e, 1, "BEGIN ISOLATION LEVEL READ COMMITTED");
    run_sql(e, 1, "SELECT * FROM t WHERE v < 15");
    run_sql(e, 2, "UPDATE t SET v = 5 WHERE id = 2");
    run_sql(e, 1, "SELECT * FROM t WHERE id = 2");
    run_sql(e, 1, "COMMIT");
    acid_findings f;
    CHECK_EQ_INT(acidcheck_run(h, NULL, NULL, &f), 0);
    const acid_finding *x = find(&f, "G-single");
    CHECK(x != NULL);
    CHECK(text_has(x, "phantom: T1's scan of t WHERE v < 15 saw t/2 = 20 (no match), and T2 later "
                      "updated t/2 to 5 so that it matches"));
    CHECK(x == NULL || strstr(x->text, "inserted") == NULL);
    acidcheck_free(&f);
    acid_close(e);
    hist_free(h);
    snprintf(msg, sizeof msg, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(msg), 0);
}

/* --- names, labels, reporting ------------------------------------------------------- */

static void test_known_names_and_aliases(void)
{
    static const char *good[] = { "G0", "g1a", "G1B", "G1c", "G1", "G-single", "g-SINGLE",
                                  "G2-item", "G2", "dirty-read", "Dirty-Write", "aborted-read",
                                  "intermediate-read", "read-skew", "lost-update",
                                  "non-repeatable-read", "phantom", "write-skew" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(acidcheck_known_name(good[i]));
    CHECK(!acidcheck_known_name("stale-read"));
    CHECK(!acidcheck_known_name("G3"));
    CHECK(!acidcheck_known_name(""));
    CHECK(!acidcheck_known_name(NULL));
}

static void test_text_uses_labels_from_callback(void)
{
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    write_v(h, 1, 1, 1, 11, x0(1));
    commit(h, 1);
    write_v(h, 2, 1, 2, 11, 1);
    commit(h, 2);
    acid_findings f;
    CHECK_EQ_INT(acidcheck_run(h, label_names, NULL, &f), 0);
    CHECK_EQ_INT(f.n, 1);
    if (f.n) {
        CHECK(text_has(&f.v[0], "alice and bob both read test/1 = 10"));
        CHECK(text_has(&f.v[0], "bob -rw(test/1)-> alice -ww(test/1)-> bob"));
    }
    acidcheck_free(&f);
    CHECK_EQ_INT(acidcheck_run(h, NULL, NULL, &f), 0);
    if (f.n)
        CHECK(text_has(&f.v[0], "txn 2 -rw(test/1)-> txn 1 -ww(test/1)-> txn 2"));
    acidcheck_free(&f);
    hist_free(h);
}

static void test_each_cycle_reported_once(void)
{
    /* Two txns overwrite each other on four keys: many ww edges, one G0 set. */
    hist *h = hist_new();
    begin(h, 1);
    begin(h, 2);
    uint64_t v = 1;
    for (int64_t k = 1; k <= 4; k++) {
        uint64_t first = k % 2 ? 1 : 2, second = 3 - first;
        write_v(h, first, k, v, 100 + k, x0(k));
        write_v(h, second, k, v + 1, 200 + k, v);
        v += 2;
    }
    commit(h, 1);
    commit(h, 2);
    acid_findings f = check(h);
    CHECK_EQ_INT(count(&f, "G0"), 1);
    CHECK_EQ_INT(f.n, 1);
    acidcheck_free(&f);
    hist_free(h);

    /* Write skew on three pairs of keys between the same two txns: one finding. */
    h = hist_new();
    begin(h, 1);
    begin(h, 2);
    for (int64_t k = 1; k <= 6; k++) {
        read0(h, 1, k);
        read0(h, 2, k);
    }
    for (int64_t k = 1; k <= 6; k++)
        write_v(h, k % 2 ? 1 : 2, k, (uint64_t)k, 100 + k, x0(k));
    commit(h, 1);
    commit(h, 2);
    f = check(h);
    CHECK_EQ_INT(count(&f, "G2-item"), 1);
    CHECK_EQ_INT(f.n, 1);
    acidcheck_free(&f);
    hist_free(h);
}

static void test_second_cycle_on_the_same_set_adds_its_aliases(void)
{
    /* T1 and T2 lose an update on key 1 and T2's scan misses T1's insert of key 3, which
     * T2 then reads: two G-single cycles over {T1, T2}, one finding with both forms. */
    hist *h = hist_new();
    pred *p = pred_value_mod(3, 0);
    begin(h, 1);
    begin(h, 2);
    read0(h, 1, 1);
    read0(h, 2, 1);
    pread(h, 2, p, (row[]){ { 1, x0(1), 10 }, { 2, x0(2), 20 } }, 2);
    insert(h, 1, 3, 1, 30);
    write_v(h, 1, 1, 2, 11, x0(1));
    commit(h, 1);
    write_v(h, 2, 1, 3, 11, 2);
    read_v(h, 2, 3, 1, 30);
    commit(h, 2);
    acid_findings f = check(h);
    const acid_finding *x = find(&f, "G-single");
    CHECK_EQ_INT(count(&f, "G-single"), 1);
    CHECK(has_alias(x, "lost-update"));
    CHECK(has_alias(x, "phantom"));
    CHECK(has_alias(x, "read-skew"));
    dump_unless(&f, 1);
    acidcheck_free(&f);
    pred_free(p);
    hist_free(h);
}

static void test_other_side_and_other_kinds_are_ignored(void)
{
    hist *h = hist_new();
    hist_event *e = hist_add(h, SIDE_BASE, EV_WRITE);
    e->txn = 1;
    e = hist_add(h, SIDE_ACID, EV_LOCK_REQUEST);
    e->txn = 1;
    begin(h, 1);
    read0(h, 1, 1);
    commit(h, 1);
    acid_findings f = check(h);
    CHECK_EQ_INT(f.n, 0);
    acidcheck_free(&f);
    hist_free(h);
}

/* --- serial histories --------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

typedef struct kstate { uint64_t ver; int64_t val; int exists; } kstate;

#define SK_MAX 8

/* One transaction run alone over the committed state st (keys 1..nk). Reads see the latest
 * versions, their own writes included; an aborting transaction undoes its writes. */
static void serial_txn(hist *h, uint64_t txn, kstate *st, int nk, uint64_t *nextver,
                       pred **preds, int npreds, int aborts)
{
    kstate mine[SK_MAX + 1];
    memcpy(mine, st, sizeof mine);
    struct { int64_t key; uint64_t removed; } undo_log[32];
    int nundo = 0;
    begin(h, txn);
    int nops = 1 + (int)rnd(6);
    for (int o = 0; o < nops; o++) {
        int64_t k = 1 + (int64_t)rnd((uint64_t)nk);
        kstate *s = &mine[k];
        switch (rnd(4)) {
        case 0:
            if (s->exists)
                read_v(h, txn, k, s->ver, s->val);
            else if (s->ver && rnd(2))
                read_full(h, txn, k, s->ver, 0, 0, 0);
            else
                read_full(h, txn, k, 0, 0, 0, 0);
            break;
        case 1: {
            row rows[SK_MAX];
            int n = 0;
            for (int64_t j = 1; j <= nk; j++)
                if (mine[j].exists)
                    rows[n++] = (row){ j, mine[j].ver, mine[j].val };
            pread(h, txn, preds[rnd((uint64_t)npreds)], rows, n);
            break;
        }
        default: {
            if (nundo == 32)
                break;
            uint64_t v = (*nextver)++;
            int del = s->exists && rnd(4) == 0;
            int64_t val = (int64_t)rnd(40);
            write_full(h, txn, k, v, val, s->ver, !del, !s->exists);
            undo_log[nundo].key = k;
            undo_log[nundo++].removed = v;
            s->ver = v;
            s->val = val;
            s->exists = !del;
            break;
        }
        }
    }
    if (aborts) {
        /* Undo newest first, each restoring what the write replaced. */
        for (int i = nundo - 1; i >= 0; i--) {
            int64_t k = undo_log[i].key;
            uint64_t restored = st[k].ver;
            int64_t rval = st[k].val;
            for (int j = i - 1; j >= 0; j--)
                if (undo_log[j].key == k) {
                    restored = undo_log[j].removed;
                    rval = 0;
                    break;
                }
            undo(h, txn, k, restored, rval, undo_log[i].removed);
        }
        abort_txn(h, txn);
    } else {
        memcpy(st, mine, sizeof mine);
        commit(h, txn);
    }
}

static void test_random_serial_histories_have_no_findings(void)
{
    rng_state = 0x9e3779b97f4a7c15ULL;
    pred *preds[] = { pred_value_mod(3, 0), pred_value_lt(20), NULL, pred_id_eq(2),
                      pred_value_eq(7) };
    int npreds = (int)(sizeof preds / sizeof preds[0]);
    int bad = 0;
    for (int run = 0; run < 400; run++) {
        hist *h = hist_new();
        int nk = 1 + (int)rnd(SK_MAX);
        kstate st[SK_MAX + 1];
        memset(st, 0, sizeof st);
        for (int k = 1; k <= nk; k++)
            if (rnd(4)) {
                st[k].ver = x0(k);
                st[k].val = v0(k);
                st[k].exists = 1;
            }
        uint64_t nextver = 1;
        int ntx = 1 + (int)rnd(25);
        for (int t = 1; t <= ntx; t++)
            serial_txn(h, (uint64_t)t, st, nk, &nextver, preds, npreds, rnd(5) == 0);
        acid_findings f = check(h);
        if (f.n && bad++ < 3) {
            fprintf(stderr, "  run %d:\n", run);
            dump_unless(&f, 0);
        }
        acidcheck_free(&f);
        hist_free(h);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < npreds; i++)
        pred_free(preds[i]);
}

/* Appends a scan of all NK rows of st under p. */
static void scan_all(hist *h, uint64_t txn, const pred *p, const kstate *st, int nk)
{
    hist_row hr[128];
    for (int k = 1; k <= nk; k++) {
        hist_row *r = &hr[k - 1];
        memset(r, 0, sizeof *r);
        r->key = scalar_int(k);
        r->version = st[k].ver;
        r->value = st[k].val;
        r->matched = pred_eval(p, &r->key, st[k].val);
    }
    hist_event *e = hist_add(h, SIDE_ACID, EV_PREAD);
    e->txn = txn;
    hist_set_table(h, e, "test");
    hist_set_pred(h, e, p);
    hist_set_rows(h, e, hr, nk);
}

static void test_20000_serial_transactions_finish_quickly(void)
{
    /* Each transaction reads two of 100 keys and updates one; every tenth scans the
     * table under a predicate whose match flips often, every tenth + 5 under one that
     * never flips (the case a naive walk over later versions makes quadratic). */
    enum { NK = 100, NTX = 20000 };
    hist *h = hist_new();
    kstate st[NK + 1];
    pred *flips = pred_value_mod(3, 0), *steady = pred_value_lt(1000000);
    for (int k = 1; k <= NK; k++)
        st[k] = (kstate){ x0(k), v0(k), 1 };
    uint64_t nextver = 1;
    rng_state = 12345;
    for (uint64_t t = 1; t <= NTX; t++) {
        begin(h, t);
        int64_t a = 1 + (int64_t)rnd(NK), b = 1 + (int64_t)rnd(NK);
        read_v(h, t, a, st[a].ver, st[a].val);
        read_v(h, t, b, st[b].ver, st[b].val);
        if (t % 10 == 0)
            scan_all(h, t, flips, st, NK);
        if (t % 10 == 5)
            scan_all(h, t, steady, st, NK);
        uint64_t v = nextver++;
        write_v(h, t, a, v, st[a].val + 1, st[a].ver);
        st[a].ver = v;
        st[a].val++;
        commit(h, t);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    acid_findings f = check(h);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("acidcheck: %d serial transactions (%zu events) checked in %.0f ms\n", NTX,
           hist_count(h), ms);
    CHECK_EQ_INT(f.n, 0);
    dump_unless(&f, 0);
    CHECK(ms < 10000);
    acidcheck_free(&f);
    pred_free(flips);
    pred_free(steady);
    hist_free(h);
}

int main(void)
{
    RUN(test_serial_history_has_no_findings);
    RUN(test_aborted_transaction_writes_create_no_edges);
    RUN(test_lost_commit_counts_as_aborted);
    RUN(test_read_of_lost_commit_is_aborted_read);
    RUN(test_undo_then_read_of_restored_version_is_not_dirty);
    RUN(test_read_of_own_write_is_not_dirty);
    RUN(test_dirty_read_is_reported_with_writer_and_value);
    RUN(test_dirty_read_through_a_scan);
    RUN(test_g1a_aborted_read);
    RUN(test_g1a_not_reported_when_reader_aborts_too);
    RUN(test_g1b_intermediate_read);
    RUN(test_read_of_a_rolled_back_statement_is_intermediate);
    RUN(test_g0_dirty_write);
    RUN(test_g1c_circular_information_flow);
    RUN(test_otv_observed_transaction_vanishes);
    RUN(test_pmp_phantom);
    RUN(test_phantom_by_update_into_the_predicate);
    RUN(test_scan_then_delete_and_reread_is_g_single);
    RUN(test_p4_lost_update);
    RUN(test_lost_update_as_the_engine_records_it);
    RUN(test_lost_update_three_increments);
    RUN(test_read_skew_on_two_keys);
    RUN(test_non_repeatable_read);
    RUN(test_write_skew_g2_item);
    RUN(test_g2_with_predicates);
    RUN(test_scan_of_another_key_sees_no_phantom);
    RUN(test_fekete_read_only_anomaly);
    RUN(test_known_names_and_aliases);
    RUN(test_text_uses_labels_from_callback);
    RUN(test_labels_come_from_the_history_not_the_callback);
    RUN(test_incremental_update_sees_each_step);
    RUN(test_a_lost_commit_takes_its_cycle_away);
    RUN(test_text_says_updated_through_the_engine);
    RUN(test_each_cycle_reported_once);
    RUN(test_second_cycle_on_the_same_set_adds_its_aliases);
    RUN(test_other_side_and_other_kinds_are_ignored);
    RUN(test_random_serial_histories_have_no_findings);
    RUN(test_20000_serial_transactions_finish_quickly);
    return t_done("acidcheck");
}
