/*
 * test_version.c: engines/base/version.c and prng.c: version vectors and their order,
 * dotted versions (descends, concurrent), the merge laws of vv, OR-set and PN-counter on
 * seeded random inputs, OR-set add-wins semantics, PN-counter convergence, the LWW order,
 * version digests and deep copies, the formats a learner reads, and the PRNG's contract.
 */
#include "t.h"
#include "base/version.h"
#include "base/prng.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#define TRIALS 3000

/* ---- helpers ------------------------------------------------------------------------ */

static dot mkdot(uint32_t r, uint64_t n)
{
    dot d = { r, n };
    return d;
}

/* A vv from "r:n r:n ..." */
static vv vv_of(const char *spec)
{
    vv v;
    vv_init(&v);
    unsigned r;
    unsigned long long n;
    int used;
    while (sscanf(spec, " %u:%llu%n", &r, &n, &used) == 2) {
        vv_add_dot(&v, mkdot(r, n));
        spec += used;
    }
    return v;
}

static vv random_vv(prng *p)
{
    vv v;
    vv_init(&v);
    int k = (int)prng_below(p, 7);
    for (int i = 0; i < k; i++)
        vv_add_dot(&v, mkdot(1 + (uint32_t)prng_below(p, 8), 1 + prng_below(p, 5)));
    return v;
}

static const char *const ELEMS[] = { "apple", "b", "banana", "cherry", "x" };

/* Random adds with random (often colliding) dots, then random removes. */
static orset random_orset(prng *p)
{
    orset s;
    orset_init(&s);
    int k = (int)prng_below(p, 9);
    for (int i = 0; i < k; i++)
        orset_add(&s, ELEMS[prng_below(p, 5)], mkdot(1 + (uint32_t)prng_below(p, 3), 1 + prng_below(p, 6)));
    int r = (int)prng_below(p, 3);
    for (int i = 0; i < r; i++)
        orset_remove(&s, ELEMS[prng_below(p, 5)]);
    return s;
}

static pncounter random_pnc(prng *p)
{
    pncounter c;
    pnc_init(&c);
    int k = (int)prng_below(p, 7);
    for (int i = 0; i < k; i++)
        pnc_incr(&c, 1 + (uint32_t)prng_below(p, 6), (int64_t)prng_below(p, 21) - 10);
    return c;
}

/* The representation invariants, checked from outside. */
static bool vv_sound(const vv *v)
{
    for (uint32_t i = 0; i < v->len; i++)
        if (v->e[i].n == 0 || (i && v->e[i - 1].r >= v->e[i].r))
            return false;
    return true;
}

static bool orset_sound(const orset *s)
{
    for (uint32_t i = 0; i < s->nadds; i++) {
        if (i) {
            int c = strcmp(s->adds[i - 1].elem, s->adds[i].elem);
            const dot a = s->adds[i - 1].d, b = s->adds[i].d;
            if (c > 0 || (c == 0 && (a.r > b.r || (a.r == b.r && a.n >= b.n))))
                return false;
        }
        for (uint32_t j = 0; j < s->nrem; j++)
            if (dot_eq(s->adds[i].d, s->removed[j]))
                return false;
    }
    for (uint32_t j = 1; j < s->nrem; j++) {
        const dot a = s->removed[j - 1], b = s->removed[j];
        if (a.r > b.r || (a.r == b.r && a.n >= b.n))
            return false;
    }
    return true;
}

static bool pnc_sound(const pncounter *c)
{
    for (uint32_t i = 0; i < c->len; i++)
        if ((c->e[i].p == 0 && c->e[i].n == 0) || (i && c->e[i - 1].r >= c->e[i].r))
            return false;
    return true;
}

static const char *vvs(const vv *v, char *buf, size_t n)
{
    vv_format(v, buf, n);
    return buf;
}

static const char *sets(const orset *s, char *buf, size_t n)
{
    orset_format(s, buf, n);
    return buf;
}

static bversion value_version(const char *val, dot d, int64_t ts)
{
    bversion v;
    bver_init(&v);
    v.kind = BV_VALUE;
    v.d = d;
    v.ts = ts;
    snprintf(v.value, sizeof v.value, "%s", val);
    return v;
}

/* ---- version vectors ---------------------------------------------------------------- */

static void test_vv_keeps_sorted_nonzero_entries_and_max_counters(void)
{
    vv v;
    vv_init(&v);
    CHECK_EQ_INT(vv_add_dot(&v, mkdot(3, 1)), 0);
    CHECK_EQ_INT(vv_add_dot(&v, mkdot(1, 2)), 0);
    CHECK_EQ_INT(vv_add_dot(&v, mkdot(2, 0)), 0);        /* zero counter: no entry */
    CHECK_EQ_INT(vv_add_dot(&v, mkdot(0, 0)), 0);        /* the none dot: no entry */
    CHECK_EQ_INT(vv_add_dot(&v, mkdot(1, 1)), 0);        /* lower: keeps 2 */
    CHECK_EQ_INT(v.len, 2);
    CHECK(vv_sound(&v));
    CHECK_EQ_INT(vv_get(&v, 1), 2);
    CHECK_EQ_INT(vv_get(&v, 2), 0);
    CHECK_EQ_INT(vv_get(&v, 3), 1);
    CHECK_EQ_INT(vv_get(&v, 9), 0);
    CHECK(vv_covers(&v, mkdot(1, 2)));
    CHECK(vv_covers(&v, mkdot(1, 1)));
    CHECK(!vv_covers(&v, mkdot(1, 3)));
    CHECK(!vv_covers(&v, mkdot(2, 1)));
    CHECK(!vv_covers(&v, mkdot(0, 0)));
    vv_add_dot(&v, mkdot(1, 7));
    CHECK_EQ_INT(vv_get(&v, 1), 7);
    vv_free(&v);
    CHECK_EQ_INT(v.len, 0);
    CHECK(v.e == NULL);
}

static void test_vv_cmp_equal_before_after_concurrent(void)
{
    vv empty, a, b, c, d;
    vv_init(&empty);
    a = vv_of("1:1");
    b = vv_of("1:2");
    c = vv_of("1:1 2:1");
    d = vv_of("2:1");
    vv a2 = vv_of("1:1");
    CHECK_EQ_INT(vv_cmp(&empty, &empty), VV_EQUAL);
    CHECK_EQ_INT(vv_cmp(&a, &a2), VV_EQUAL);
    CHECK_EQ_INT(vv_cmp(&empty, &a), VV_BEFORE);
    CHECK_EQ_INT(vv_cmp(&a, &empty), VV_AFTER);
    CHECK_EQ_INT(vv_cmp(&a, &b), VV_BEFORE);
    CHECK_EQ_INT(vv_cmp(&b, &a), VV_AFTER);
    CHECK_EQ_INT(vv_cmp(&a, &c), VV_BEFORE);             /* missing replica counts as 0 */
    CHECK_EQ_INT(vv_cmp(&c, &a), VV_AFTER);
    CHECK_EQ_INT(vv_cmp(&a, &d), VV_CONCURRENT);
    CHECK_EQ_INT(vv_cmp(&b, &c), VV_CONCURRENT);         /* n1 ahead in b, n2 ahead in c */
    CHECK_EQ_INT(vv_cmp(&c, &b), VV_CONCURRENT);
    CHECK(vv_equal(&a, &a2));
    CHECK(!vv_equal(&a, &b));
    CHECK(!vv_equal(&a, &c));
    vv_free(&a);
    vv_free(&a2);
    vv_free(&b);
    vv_free(&c);
    vv_free(&d);
}

static void test_vv_merge_is_pointwise_max(void)
{
    vv a = vv_of("1:3 4:1"), b = vv_of("1:1 2:5 7:2");
    char buf[64];
    CHECK_EQ_INT(vv_merge(&a, &b), 0);
    CHECK_EQ_STR(vvs(&a, buf, sizeof buf), "[n1:3, n2:5, n4:1, n7:2]");
    CHECK(vv_sound(&a));
    CHECK_EQ_INT(vv_merge(&a, &a), 0);                   /* with itself: unchanged */
    CHECK_EQ_STR(vvs(&a, buf, sizeof buf), "[n1:3, n2:5, n4:1, n7:2]");
    vv empty;
    vv_init(&empty);
    CHECK_EQ_INT(vv_merge(&empty, &b), 0);
    CHECK(vv_equal(&empty, &b));
    vv_free(&empty);
    vv_free(&a);
    vv_free(&b);
}

static void test_vv_copy_is_independent(void)
{
    vv a = vv_of("1:2 3:4"), c;
    CHECK_EQ_INT(vv_copy(&c, &a), 0);
    CHECK(vv_equal(&a, &c));
    vv_add_dot(&a, mkdot(2, 9));
    CHECK_EQ_INT(vv_get(&c, 2), 0);
    vv_free(&a);
    CHECK_EQ_INT(vv_get(&c, 3), 4);
    vv_free(&c);
    vv empty, e2;
    vv_init(&empty);
    CHECK_EQ_INT(vv_copy(&e2, &empty), 0);
    CHECK_EQ_INT(e2.len, 0);
    vv_free(&e2);
}

static void test_vv_format(void)
{
    char buf[64];
    vv v;
    vv_init(&v);
    CHECK_EQ_STR(vvs(&v, buf, sizeof buf), "[]");
    vv_add_dot(&v, mkdot(3, 1));
    vv_add_dot(&v, mkdot(1, 2));
    CHECK_EQ_STR(vvs(&v, buf, sizeof buf), "[n1:2, n3:1]");
    /* snprintf-like: truncates, stays terminated, returns the full length */
    char small[6];
    CHECK_EQ_INT(vv_format(&v, small, sizeof small), 12);
    CHECK_EQ_STR(small, "[n1:2");
    CHECK_EQ_INT(vv_format(&v, NULL, 0), 12);
    vv_free(&v);
}

static void test_vv_merge_commutative_associative_idempotent_on_random_inputs(void)
{
    prng p;
    prng_seed(&p, 1);
    int bad = 0;
    for (int t = 0; t < TRIALS; t++) {
        vv a = random_vv(&p), b = random_vv(&p), c = random_vv(&p);
        vv ab, ba, ab_c, bc, a_bc, aa;
        vv_copy(&ab, &a);
        vv_merge(&ab, &b);
        vv_copy(&ba, &b);
        vv_merge(&ba, &a);
        vv_copy(&ab_c, &ab);
        vv_merge(&ab_c, &c);
        vv_copy(&bc, &b);
        vv_merge(&bc, &c);
        vv_copy(&a_bc, &a);
        vv_merge(&a_bc, &bc);
        vv_copy(&aa, &a);
        vv_merge(&aa, &a);
        if (!vv_equal(&ab, &ba) || !vv_equal(&ab_c, &a_bc) || !vv_equal(&aa, &a)
            || !vv_sound(&ab) || !vv_sound(&ab_c))
            bad++;
        /* the merge is an upper bound of both, and the least one */
        int ca = vv_cmp(&a, &ab), cb = vv_cmp(&b, &ab);
        if ((ca != VV_BEFORE && ca != VV_EQUAL) || (cb != VV_BEFORE && cb != VV_EQUAL))
            bad++;
        for (uint32_t i = 0; i < ab.len; i++)
            if (ab.e[i].n != (vv_get(&a, ab.e[i].r) > vv_get(&b, ab.e[i].r)
                              ? vv_get(&a, ab.e[i].r) : vv_get(&b, ab.e[i].r)))
                bad++;
        vv_free(&a); vv_free(&b); vv_free(&c);
        vv_free(&ab); vv_free(&ba); vv_free(&ab_c); vv_free(&bc); vv_free(&a_bc); vv_free(&aa);
    }
    CHECK_EQ_INT(bad, 0);
}

/* a <= b pointwise exactly when b covers every entry of a. */
static bool covers_all(const vv *b, const vv *a)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (!vv_covers(b, mkdot(a->e[i].r, a->e[i].n)))
            return false;
    return true;
}

static void test_vv_cmp_consistent_with_covers_on_random_inputs(void)
{
    prng p;
    prng_seed(&p, 2);
    int bad = 0, seen[4] = { 0 };
    for (int t = 0; t < TRIALS; t++) {
        vv a = random_vv(&p), b = random_vv(&p);
        if (prng_chance(&p, 30)) {              /* make ordered and equal pairs common */
            vv_free(&b);
            vv_copy(&b, &a);
            if (prng_chance(&p, 50))
                vv_add_dot(&b, mkdot(1 + (uint32_t)prng_below(&p, 8), 1 + prng_below(&p, 6)));
        }
        bool a_le_b = covers_all(&b, &a), b_le_a = covers_all(&a, &b);
        int want = a_le_b && b_le_a ? VV_EQUAL : a_le_b ? VV_BEFORE : b_le_a ? VV_AFTER : VV_CONCURRENT;
        int got = vv_cmp(&a, &b), back = vv_cmp(&b, &a);
        int mirror = got == VV_BEFORE ? VV_AFTER : got == VV_AFTER ? VV_BEFORE : got;
        if (got != want || back != mirror || (got == VV_EQUAL) != vv_equal(&a, &b))
            bad++;
        seen[got]++;
        vv_free(&a);
        vv_free(&b);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(seen[VV_EQUAL] > 0 && seen[VV_BEFORE] > 0 && seen[VV_AFTER] > 0 && seen[VV_CONCURRENT] > 0);
}

/* ---- dotted versions --------------------------------------------------------------------- */

static void test_version_descends_when_context_covers_the_other_dot(void)
{
    /* n1 writes v1 (dot n1:1); n2 reads it and overwrites (dot n2:1, context [n1:1]). */
    bversion v1 = value_version("a", mkdot(1, 1), 10);
    bversion v2 = value_version("b", mkdot(2, 1), 11);
    vv_add_dot(&v2.ctx, mkdot(1, 1));
    CHECK(bver_descends(&v2, &v1));
    CHECK(!bver_descends(&v1, &v2));
    CHECK(bver_descends(&v1, &v1));                      /* same dot */
    /* a later write whose context saw a later n1 write also covers n1:1 */
    bversion v3 = value_version("c", mkdot(3, 4), 12);
    vv_add_dot(&v3.ctx, mkdot(1, 5));
    CHECK(bver_descends(&v3, &v1));
    bver_free(&v1);
    bver_free(&v2);
    bver_free(&v3);
}

static void test_versions_written_from_the_same_context_are_concurrent(void)
{
    /* Both n1 and n2 read v0 (n1:1) and write without seeing each other. */
    bversion v0 = value_version("0", mkdot(1, 1), 1);
    bversion a = value_version("a", mkdot(1, 2), 2);
    bversion b = value_version("b", mkdot(2, 1), 2);
    vv_add_dot(&a.ctx, mkdot(1, 1));
    vv_add_dot(&b.ctx, mkdot(1, 1));
    CHECK(!bver_descends(&a, &b));
    CHECK(!bver_descends(&b, &a));
    CHECK(bver_descends(&a, &v0));
    CHECK(bver_descends(&b, &v0));
    CHECK_EQ_INT(vv_cmp(&a.ctx, &b.ctx), VV_EQUAL);     /* contexts alone cannot tell */
    /* a none dot is never covered */
    bversion none;
    bver_init(&none);
    CHECK(!bver_descends(&a, &none));
    bver_free(&v0);
    bver_free(&a);
    bver_free(&b);
    bver_free(&none);
}

/* ---- OR-set -------------------------------------------------------------------------------- */

static void test_orset_add_remove_contains_and_format(void)
{
    char buf[64];
    orset s;
    orset_init(&s);
    CHECK_EQ_STR(sets(&s, buf, sizeof buf), "{}");
    CHECK(!orset_contains(&s, "milk"));
    CHECK_EQ_INT(orset_add(&s, "milk", mkdot(1, 1)), 0);
    CHECK_EQ_INT(orset_add(&s, "eggs", mkdot(2, 1)), 0);
    CHECK_EQ_INT(orset_add(&s, "milk", mkdot(2, 2)), 0);
    CHECK_EQ_INT(orset_add(&s, "milk", mkdot(1, 1)), 0);     /* duplicate: ignored */
    CHECK_EQ_INT(s.nadds, 3);
    CHECK(orset_sound(&s));
    CHECK(orset_contains(&s, "milk"));
    CHECK(orset_contains(&s, "eggs"));
    CHECK(!orset_contains(&s, "mil"));
    CHECK_EQ_STR(sets(&s, buf, sizeof buf), "{eggs,milk}");
    CHECK_EQ_INT(orset_remove(&s, "milk"), 2);
    CHECK_EQ_INT(orset_remove(&s, "bread"), 0);
    CHECK(!orset_contains(&s, "milk"));
    CHECK_EQ_INT(s.nrem, 2);
    CHECK(orset_sound(&s));
    CHECK_EQ_STR(sets(&s, buf, sizeof buf), "{eggs}");
    /* an add under a removed dot stays removed; a new dot re-adds */
    CHECK_EQ_INT(orset_add(&s, "milk", mkdot(1, 1)), 0);
    CHECK(!orset_contains(&s, "milk"));
    CHECK_EQ_INT(orset_add(&s, "milk", mkdot(1, 3)), 0);
    CHECK(orset_contains(&s, "milk"));
    CHECK_EQ_STR(sets(&s, buf, sizeof buf), "{eggs,milk}");
    /* bytewise order, uppercase first */
    orset_add(&s, "Zed", mkdot(3, 1));
    CHECK_EQ_STR(sets(&s, buf, sizeof buf), "{Zed,eggs,milk}");
    char small[4];
    CHECK_EQ_INT(orset_format(&s, small, sizeof small), 15);
    CHECK_EQ_STR(small, "{Ze");
    /* too long an element is refused */
    char longel[BASE_VALUE_MAX + 2];
    memset(longel, 'x', sizeof longel - 1);
    longel[sizeof longel - 1] = '\0';
    CHECK_EQ_INT(orset_add(&s, longel, mkdot(3, 2)), -1);
    longel[BASE_VALUE_MAX] = '\0';
    CHECK_EQ_INT(orset_add(&s, longel, mkdot(3, 2)), 0);
    CHECK(orset_contains(&s, longel));
    orset_free(&s);
}

static void test_orset_add_wins_over_concurrent_remove(void)
{
    /* Both replicas hold "x" added at n1. A removes the x it observed; B concurrently adds
     * x again with a new dot. After exchanging both ways, x is present on both. */
    orset a, b;
    orset_init(&a);
    CHECK_EQ_INT(orset_add(&a, "x", mkdot(1, 1)), 0);
    CHECK_EQ_INT(orset_copy(&b, &a), 0);
    CHECK_EQ_INT(orset_remove(&a, "x"), 1);
    CHECK(!orset_contains(&a, "x"));
    CHECK_EQ_INT(orset_add(&b, "x", mkdot(2, 1)), 0);
    orset a2, b2;
    orset_copy(&a2, &a);
    orset_copy(&b2, &b);
    CHECK_EQ_INT(orset_merge(&a2, &b), 0);
    CHECK_EQ_INT(orset_merge(&b2, &a), 0);
    CHECK(orset_contains(&a2, "x"));
    CHECK(orset_contains(&b2, "x"));
    CHECK(orset_equal(&a2, &b2));
    CHECK_EQ_INT(a2.nadds, 1);                        /* only B's new add survives */
    CHECK(dot_eq(a2.adds[0].d, mkdot(2, 1)));
    orset_free(&a); orset_free(&b); orset_free(&a2); orset_free(&b2);
}

static void test_orset_remove_of_an_observed_add_survives_merge(void)
{
    orset a, b;
    orset_init(&a);
    orset_add(&a, "x", mkdot(1, 1));
    orset_add(&a, "y", mkdot(1, 2));
    orset_copy(&b, &a);
    orset_remove(&b, "x");                           /* b observed a's x and removes it */
    CHECK_EQ_INT(orset_merge(&a, &b), 0);
    CHECK(!orset_contains(&a, "x"));
    CHECK(orset_contains(&a, "y"));
    CHECK(orset_equal(&a, &b));
    /* the stale add arriving again (an old copy) does not bring it back */
    orset old;
    orset_init(&old);
    orset_add(&old, "x", mkdot(1, 1));
    CHECK_EQ_INT(orset_merge(&a, &old), 0);
    CHECK(!orset_contains(&a, "x"));
    /* re-adding after remove works */
    CHECK_EQ_INT(orset_add(&a, "x", mkdot(1, 3)), 0);
    CHECK(orset_contains(&a, "x"));
    CHECK_EQ_INT(orset_merge(&b, &a), 0);
    CHECK(orset_contains(&b, "x"));
    CHECK(orset_sound(&a) && orset_sound(&b));
    orset_free(&a); orset_free(&b); orset_free(&old);
}

static void test_orset_merge_commutative_associative_idempotent_on_random_inputs(void)
{
    prng p;
    prng_seed(&p, 3);
    int bad = 0, nonempty = 0;
    for (int t = 0; t < TRIALS; t++) {
        orset a = random_orset(&p), b = random_orset(&p), c = random_orset(&p);
        orset ab, ba, ab_c, bc, a_bc, aa, self;
        orset_copy(&ab, &a);
        orset_merge(&ab, &b);
        orset_copy(&ba, &b);
        orset_merge(&ba, &a);
        orset_copy(&ab_c, &ab);
        orset_merge(&ab_c, &c);
        orset_copy(&bc, &b);
        orset_merge(&bc, &c);
        orset_copy(&a_bc, &a);
        orset_merge(&a_bc, &bc);
        orset_copy(&aa, &a);
        orset_merge(&aa, &a);
        orset_copy(&self, &a);
        orset_merge(&self, &self);
        if (!orset_equal(&ab, &ba) || !orset_equal(&ab_c, &a_bc) || !orset_equal(&aa, &a)
            || !orset_equal(&self, &a))
            bad++;
        if (!orset_sound(&a) || !orset_sound(&ab) || !orset_sound(&ab_c) || !orset_sound(&a_bc))
            bad++;
        /* every element present in the merge was present on one side */
        for (uint32_t i = 0; i < ab.nadds; i++)
            if (!orset_contains(&a, ab.adds[i].elem) && !orset_contains(&b, ab.adds[i].elem))
                bad++;
        nonempty += ab_c.nadds > 0 && ab_c.nrem > 0;
        orset_free(&a); orset_free(&b); orset_free(&c); orset_free(&ab); orset_free(&ba);
        orset_free(&ab_c); orset_free(&bc); orset_free(&a_bc); orset_free(&aa); orset_free(&self);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(nonempty > TRIALS / 4);                    /* the inputs were not trivial */
}

/* ---- PN-counter ---------------------------------------------------------------------------- */

static void test_pncounter_incr_value_and_negative_deltas(void)
{
    pncounter c;
    pnc_init(&c);
    CHECK_EQ_INT(pnc_value(&c), 0);
    CHECK_EQ_INT(pnc_incr(&c, 2, 5), 0);
    CHECK_EQ_INT(pnc_incr(&c, 1, -3), 0);
    CHECK_EQ_INT(pnc_incr(&c, 2, 0), 0);
    CHECK_EQ_INT(pnc_incr(&c, 3, 0), 0);              /* no entry for a zero delta */
    CHECK_EQ_INT(c.len, 2);
    CHECK(pnc_sound(&c));
    CHECK_EQ_INT(pnc_value(&c), 2);
    CHECK_EQ_INT(c.e[0].r, 1);
    CHECK_EQ_INT(c.e[0].n, 3);
    CHECK_EQ_INT(c.e[1].p, 5);
    CHECK_EQ_INT(pnc_incr(&c, 2, INT64_MIN), 0);     /* no overflow in the negation */
    CHECK(c.e[1].n == (uint64_t)1 << 63);
    pnc_free(&c);
}

static void test_pncounter_concurrent_increments_at_three_replicas_all_count(void)
{
    pncounter base;
    pnc_init(&base);
    pnc_incr(&base, 1, 100);
    pncounter r[3];
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(pnc_copy(&r[i], &base), 0);
        CHECK_EQ_INT(pnc_incr(&r[i], (uint32_t)i + 1, 1), 0);
    }
    /* exchange in different orders at each replica */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CHECK_EQ_INT(pnc_merge(&r[i], &r[(i + j) % 3]), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(pnc_value(&r[i]), 103);
        CHECK(pnc_equal(&r[i], &r[0]));
    }
    /* re-merging an old state changes nothing (idempotent, max not sum) */
    CHECK_EQ_INT(pnc_merge(&r[0], &base), 0);
    CHECK_EQ_INT(pnc_value(&r[0]), 103);
    pnc_free(&base);
    for (int i = 0; i < 3; i++)
        pnc_free(&r[i]);
}

static void test_pnc_merge_commutative_associative_idempotent_on_random_inputs(void)
{
    prng p;
    prng_seed(&p, 4);
    int bad = 0;
    for (int t = 0; t < TRIALS; t++) {
        pncounter a = random_pnc(&p), b = random_pnc(&p), c = random_pnc(&p);
        pncounter ab, ba, ab_c, bc, a_bc, aa;
        pnc_copy(&ab, &a);
        pnc_merge(&ab, &b);
        pnc_copy(&ba, &b);
        pnc_merge(&ba, &a);
        pnc_copy(&ab_c, &ab);
        pnc_merge(&ab_c, &c);
        pnc_copy(&bc, &b);
        pnc_merge(&bc, &c);
        pnc_copy(&a_bc, &a);
        pnc_merge(&a_bc, &bc);
        pnc_copy(&aa, &a);
        pnc_merge(&aa, &a);
        pnc_merge(&aa, &aa);
        if (!pnc_equal(&ab, &ba) || !pnc_equal(&ab_c, &a_bc) || !pnc_equal(&aa, &a)
            || pnc_value(&ab) != pnc_value(&ba) || !pnc_sound(&ab_c))
            bad++;
        pnc_free(&a); pnc_free(&b); pnc_free(&c); pnc_free(&ab); pnc_free(&ba);
        pnc_free(&ab_c); pnc_free(&bc); pnc_free(&a_bc); pnc_free(&aa);
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- bversion ---------------------------------------------------------------------------- */

static void test_lww_newer_is_a_total_order_with_higher_replica_breaking_ties(void)
{
    bversion a = value_version("a", mkdot(1, 5), 10);
    bversion b = value_version("b", mkdot(2, 1), 10);
    bversion c = value_version("c", mkdot(1, 1), 11);
    CHECK(bver_lww_newer(&c, &a));                      /* later timestamp wins */
    CHECK(bver_lww_newer(&c, &b));
    CHECK(bver_lww_newer(&b, &a));                      /* tie: higher replica */
    CHECK(!bver_lww_newer(&a, &b));
    CHECK(!bver_lww_newer(&a, &a));                     /* irreflexive */
    bversion a2 = value_version("a2", mkdot(1, 6), 10);
    CHECK(bver_lww_newer(&a2, &a));                     /* same ts and replica: counter */
    bver_free(&a); bver_free(&b); bver_free(&c); bver_free(&a2);

    /* on random triples: trichotomy and transitivity */
    prng p;
    prng_seed(&p, 5);
    int bad = 0;
    for (int t = 0; t < TRIALS; t++) {
        bversion v[3];
        for (int i = 0; i < 3; i++)
            v[i] = value_version("v", mkdot(1 + (uint32_t)prng_below(&p, 3), 1 + prng_below(&p, 3)),
                                 (int64_t)prng_below(&p, 3) - 1);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                bool same = v[i].ts == v[j].ts && dot_eq(v[i].d, v[j].d);
                int n = bver_lww_newer(&v[i], &v[j]) + bver_lww_newer(&v[j], &v[i]);
                if (n != (same ? 0 : 1))
                    bad++;
                for (int k = 0; k < 3; k++)
                    if (bver_lww_newer(&v[i], &v[j]) && bver_lww_newer(&v[j], &v[k])
                        && !bver_lww_newer(&v[i], &v[k]))
                        bad++;
            }
        for (int i = 0; i < 3; i++)
            bver_free(&v[i]);
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_lww_tombstone_beats_value_on_equal_timestamps(void)
{
    bversion v = value_version("v", mkdot(3, 1), 7 * BASE_TS_TICK);
    bversion t = value_version("", mkdot(1, 1), 7 * BASE_TS_TICK);
    t.kind = BV_TOMB;
    CHECK(bver_lww_newer(&t, &v));                      /* Cassandra: the delete wins the tie */
    CHECK(!bver_lww_newer(&v, &t));
    t.ts = 7 * BASE_TS_TICK - 1;                        /* an earlier timestamp still loses */
    CHECK(bver_lww_newer(&v, &t));
    bversion t2 = value_version("", mkdot(2, 4), 7 * BASE_TS_TICK - 1);
    t2.kind = BV_TOMB;
    CHECK(bver_lww_newer(&t2, &t));                     /* two tombstones: the replica number */
    bver_free(&v); bver_free(&t); bver_free(&t2);
}

static void test_timestamp_clock_is_a_floor_and_clock_readings_saturate(void)
{
    CHECK_EQ_INT(base_ts_clock(0), 0);
    CHECK_EQ_INT(base_ts_clock(BASE_TS_TICK - 1), 0);
    CHECK_EQ_INT(base_ts_clock(BASE_TS_TICK), 1);
    CHECK_EQ_INT(base_ts_clock(-1), -1);
    CHECK_EQ_INT(base_ts_clock(-BASE_TS_TICK), -1);
    CHECK_EQ_INT(base_ts_clock(-BASE_TS_TICK - 1), -2);
    CHECK_EQ_INT(base_ts_of_clock(3), 3 * BASE_TS_TICK);
    CHECK_EQ_INT(base_ts_of_clock(-3), -3 * BASE_TS_TICK);
    CHECK(base_ts_of_clock(INT64_MAX) > base_ts_of_clock(INT64_MAX / BASE_TS_TICK - 1));
    CHECK(base_ts_of_clock(INT64_MIN) < base_ts_of_clock(INT64_MIN / BASE_TS_TICK + 1));
    for (int64_t c = -5; c <= 5; c++)                   /* a reading's timestamps keep its clock */
        CHECK_EQ_INT(base_ts_clock(base_ts_of_clock(c) + BASE_TS_TICK - 1), c);
}

/* A replica's CRDT state with its context, for the causal joins. */
typedef struct cstate { orset s; pncounter c; vv ctx; } cstate;

static void cs_init(cstate *x) { orset_init(&x->s); pnc_init(&x->c); vv_init(&x->ctx); }
static void cs_free(cstate *x) { orset_free(&x->s); pnc_free(&x->c); vv_free(&x->ctx); }
static void cs_copy(cstate *d, const cstate *x)
{
    orset_copy(&d->s, &x->s);
    pnc_copy(&d->c, &x->c);
    vv_copy(&d->ctx, &x->ctx);
}
/* d = d joined with x. */
static void cs_join(cstate *d, const cstate *x)
{
    CHECK_EQ_INT(orset_join(&d->s, &d->ctx, &x->s, &x->ctx), 0);
    CHECK_EQ_INT(pnc_join(&d->c, &d->ctx, &x->c, &x->ctx), 0);
    vv_merge(&d->ctx, &x->ctx);
}
static bool cs_equal(const cstate *a, const cstate *b)
{
    return orset_equal(&a->s, &b->s) && pnc_equal(&a->c, &b->c) && vv_equal(&a->ctx, &b->ctx);
}

static void test_orset_join_drops_what_the_other_side_saw_and_keeps_concurrent_adds(void)
{
    char buf[64];
    cstate a, b;
    cs_init(&a);
    cs_init(&b);
    orset_add(&a.s, "apple", mkdot(1, 1));              /* n1 adds apple */
    vv_add_dot(&a.ctx, mkdot(1, 1));
    cs_copy(&b, &a);                                    /* n2 sees it ... */
    orset_free(&b.s);                                   /* ... and a DEL at n2 resets the set */
    vv_add_dot(&b.ctx, mkdot(2, 1));
    orset_add(&a.s, "pear", mkdot(1, 2));               /* concurrently n1 adds pear */
    vv_add_dot(&a.ctx, mkdot(1, 2));
    cstate ab, ba;
    cs_init(&ab);
    cs_init(&ba);
    cs_copy(&ab, &a);
    cs_join(&ab, &b);
    cs_copy(&ba, &b);
    cs_join(&ba, &a);
    CHECK_EQ_STR(sets(&ab.s, buf, sizeof buf), "{pear}"); /* the reset saw apple, not pear */
    CHECK(cs_equal(&ab, &ba));
    /* Without a reset the join is the plain union. */
    orset u;
    orset_copy(&u, &a.s);
    orset_merge(&u, &a.s);
    CHECK(orset_equal(&u, &a.s));
    orset_free(&u);
    cs_free(&a); cs_free(&b); cs_free(&ab); cs_free(&ba);
}

static void test_pnc_join_resets_observed_tallies_and_keeps_concurrent_increments(void)
{
    cstate a, b;
    cs_init(&a);
    cs_init(&b);
    pnc_incr(&a.c, 1, 5);                               /* n1: +5 */
    vv_add_dot(&a.ctx, mkdot(1, 1));
    pnc_incr(&a.c, 2, 3);                               /* n2: +3 (as merged at n1) */
    vv_add_dot(&a.ctx, mkdot(2, 1));
    cs_copy(&b, &a);                                    /* n2 sees both, then DEL resets */
    pnc_free(&b.c);
    vv_add_dot(&b.ctx, mkdot(2, 2));
    pnc_incr(&b.c, 2, 1);                               /* n2: +1 after the reset */
    vv_add_dot(&b.ctx, mkdot(2, 3));
    pnc_incr(&a.c, 3, 4);                               /* concurrently n3: +4 */
    vv_add_dot(&a.ctx, mkdot(3, 1));
    cstate ab, ba;
    cs_init(&ab);
    cs_init(&ba);
    cs_copy(&ab, &a);
    cs_join(&ab, &b);
    cs_copy(&ba, &b);
    cs_join(&ba, &a);
    CHECK_EQ_INT(pnc_value(&ab.c), 5);                  /* n2's +1 and n3's +4; the reset took 8 */
    CHECK(cs_equal(&ab, &ba));
    cs_free(&a); cs_free(&b); cs_free(&ab); cs_free(&ba);
}

/* Three replicas run random adds and removes (or increments), resets and joins, on a set
 * (or a counter: a key holds one kind, so a replica's writes to a counter are increments
 * and resets, which is what names a tally by its replica's latest dot); every pair and
 * triple of the states they pass through joins commutatively, associatively and
 * idempotently, and a state joined with one it descends from is itself. */
static void test_causal_joins_are_a_semilattice_on_random_histories(void)
{
    prng p;
    prng_seed(&p, 77);
    int bad = 0;
    for (int run = 0; run < 60; run++) {
        cstate rep[4], seen[64];
        int nseen = 0;
        uint64_t cnt[4] = { 0 };
        for (int r = 1; r <= 3; r++)
            cs_init(&rep[r]);
        for (int step = 0; step < 60; step++) {
            uint32_t r = 1 + (uint32_t)prng_below(&p, 3);
            cstate *x = &rep[r];
            dot d = mkdot(r, ++cnt[r]);
            bool counter = run % 2;
            switch (prng_below(&p, 5)) {
            case 0:
                if (counter)
                    pnc_incr(&x->c, r, (int64_t)prng_below(&p, 5) - 1);
                else
                    orset_add(&x->s, ELEMS[prng_below(&p, 3)], d);
                vv_add_dot(&x->ctx, d);
                break;
            case 1:
                if (counter)
                    pnc_incr(&x->c, r, 1);
                else {
                    orset_remove(&x->s, ELEMS[prng_below(&p, 3)]);
                    orset_drop_removed(&x->s);
                }
                vv_add_dot(&x->ctx, d);
                break;
            case 2: orset_free(&x->s); pnc_free(&x->c); vv_add_dot(&x->ctx, d); break;   /* a DEL */
            default: {
                uint32_t from = 1 + (uint32_t)prng_below(&p, 3);
                cnt[r]--;
                if (from != r)
                    cs_join(x, &rep[from]);
            }
            }
            if (nseen < 64 && prng_chance(&p, 50)) {
                cs_init(&seen[nseen]);
                cs_copy(&seen[nseen++], x);
            }
        }
        for (int t = 0; t < 40 && nseen >= 3; t++) {
            const cstate *a = &seen[prng_below(&p, (uint64_t)nseen)], *b = &seen[prng_below(&p, (uint64_t)nseen)],
                         *c = &seen[prng_below(&p, (uint64_t)nseen)];
            cstate ab, ba, ab_c, bc, a_bc, aa;
            cs_init(&ab); cs_init(&ba); cs_init(&ab_c); cs_init(&bc); cs_init(&a_bc); cs_init(&aa);
            cs_copy(&ab, a); cs_join(&ab, b);
            cs_copy(&ba, b); cs_join(&ba, a);
            cs_copy(&ab_c, &ab); cs_join(&ab_c, c);
            cs_copy(&bc, b); cs_join(&bc, c);
            cs_copy(&a_bc, a); cs_join(&a_bc, &bc);
            cs_copy(&aa, a); cs_join(&aa, a);
            bad += !cs_equal(&ab, &ba) + !cs_equal(&ab_c, &a_bc) + !cs_equal(&aa, a);
            int cmp = vv_cmp(&a->ctx, &b->ctx);
            if (cmp == VV_AFTER || cmp == VV_EQUAL)
                bad += !cs_equal(&ab, a);
            cs_free(&ab); cs_free(&ba); cs_free(&ab_c); cs_free(&bc); cs_free(&a_bc); cs_free(&aa);
        }
        for (int i = 0; i < nseen; i++)
            cs_free(&seen[i]);
        for (int r = 1; r <= 3; r++)
            cs_free(&rep[r]);
    }
    CHECK_EQ_INT(bad, 0);
}

/* A version of every kind with every replicated field set. */
static bversion full_version(uint8_t kind)
{
    bversion v = value_version("hello", mkdot(2, 7), 42);
    v.kind = kind;
    v.stored = 99;
    vv_add_dot(&v.ctx, mkdot(1, 3));
    vv_add_dot(&v.ctx, mkdot(2, 6));
    orset_add(&v.set, "x", mkdot(1, 1));
    orset_add(&v.set, "y", mkdot(2, 2));
    orset_add(&v.set, "z", mkdot(2, 3));
    orset_remove(&v.set, "z");
    pnc_incr(&v.ctr, 1, 4);
    pnc_incr(&v.ctr, 2, -1);
    return v;
}

static void test_bver_hash_equal_for_equal_versions_and_ignores_stored(void)
{
    for (uint8_t kind = BV_VALUE; kind <= BV_COUNTER; kind++) {
        bversion a = full_version(kind), b = full_version(kind);
        CHECK(bver_hash(&a) == bver_hash(&b));
        b.stored = 12345;
        CHECK(bver_hash(&a) == bver_hash(&b));
        bversion c;
        CHECK_EQ_INT(bver_copy(&c, &a), 0);
        CHECK(bver_hash(&a) == bver_hash(&c));
        bver_free(&a); bver_free(&b); bver_free(&c);
    }
}

static void test_bver_hash_changes_when_any_replicated_field_differs(void)
{
    int same = 0;
    for (uint8_t kind = BV_VALUE; kind <= BV_COUNTER; kind++) {
        bversion base = full_version(kind);
        uint64_t h = bver_hash(&base);
        for (int change = 0; change < 12; change++) {
            bversion v;
            bver_copy(&v, &base);
            switch (change) {
            case 0: v.kind = (uint8_t)(kind == BV_COUNTER ? BV_VALUE : kind + 1); break;
            case 1: v.d.r++; break;
            case 2: v.d.n++; break;
            case 3: v.ts++; break;
            case 4: vv_add_dot(&v.ctx, mkdot(5, 1)); break;
            case 5: vv_add_dot(&v.ctx, mkdot(1, 4)); break;
            case 6: v.ts = -v.ts; break;
            default: break;
            }
            if (kind == BV_VALUE && change == 7) v.value[0] = 'j';
            if (kind == BV_VALUE && change == 8) strcat(v.value, "!");
            if (kind == BV_SET && change == 7) orset_add(&v.set, "w", mkdot(3, 1));
            if (kind == BV_SET && change == 8) orset_remove(&v.set, "x");
            if (kind == BV_SET && change == 9) v.set.adds[0].d.n++;
            if (kind == BV_SET && change == 10) orset_add(&v.set, "x", mkdot(1, 2));
            if (kind == BV_COUNTER && change == 7) pnc_incr(&v.ctr, 1, 1);
            if (kind == BV_COUNTER && change == 8) pnc_incr(&v.ctr, 2, -1);
            if (kind == BV_COUNTER && change == 9) pnc_incr(&v.ctr, 3, 1);
            bool changed = change <= 6 || (change <= 8 && kind != BV_TOMB)
                           || (change <= 9 && (kind == BV_SET || kind == BV_COUNTER))
                           || (change == 10 && kind == BV_SET);
            if (changed && bver_hash(&v) == h) {
                fprintf(stderr, "kind %d change %d: same hash\n", kind, change);
                same++;
            }
            if (!changed && bver_hash(&v) != h) {
                fprintf(stderr, "kind %d change %d: hash moved\n", kind, change);
                same++;
            }
            bver_free(&v);
        }
        bver_free(&base);
    }
    CHECK_EQ_INT(same, 0);
    /* the payload of another kind is not part of a version */
    bversion t1 = full_version(BV_TOMB), t2;
    bver_init(&t2);
    t2.kind = BV_TOMB;
    t2.d = t1.d;
    t2.ts = t1.ts;
    vv_copy(&t2.ctx, &t1.ctx);
    CHECK(bver_hash(&t1) == bver_hash(&t2));
    bver_free(&t1);
    bver_free(&t2);
}

static void test_bver_copy_is_deep(void)
{
    bversion *src = malloc(sizeof *src);
    CHECK(src != NULL);
    if (!src)
        return;
    *src = full_version(BV_SET);
    pnc_incr(&src->ctr, 7, 3);
    bversion c;
    CHECK_EQ_INT(bver_copy(&c, src), 0);
    uint64_t h = bver_hash(src);
    CHECK(c.ctx.e != src->ctx.e && c.set.adds != src->set.adds && c.set.removed != src->set.removed
          && c.ctr.e != src->ctr.e);
    bver_free(src);
    memset(src, 0xa5, sizeof *src);
    free(src);
    CHECK(bver_hash(&c) == h);
    CHECK_EQ_INT(vv_get(&c.ctx, 2), 6);
    CHECK(orset_contains(&c.set, "y"));
    CHECK(!orset_contains(&c.set, "z"));
    CHECK_EQ_INT(pnc_value(&c.ctr), 6);
    CHECK_EQ_INT(c.stored, 99);
    char buf[32];
    bver_format(&c, buf, sizeof buf);
    CHECK_EQ_STR(buf, "{x,y}");
    bver_free(&c);
    CHECK_EQ_INT(c.ctx.len, 0);
    bver_free(&c);                                      /* freeing twice is harmless */
}

static void test_bver_init_zeroes_every_field(void)
{
    bversion v;
    memset(&v, 0x5a, sizeof v);
    bver_init(&v);
    CHECK_EQ_INT(v.kind, 0);
    CHECK(dot_none(v.d));
    CHECK_EQ_INT(v.ts, 0);
    CHECK_EQ_INT(v.stored, 0);
    CHECK_EQ_INT(v.ctx.len, 0);
    CHECK_EQ_INT(v.set.nadds, 0);
    CHECK_EQ_INT(v.set.nrem, 0);
    CHECK_EQ_INT(v.ctr.len, 0);
    CHECK_EQ_STR(v.value, "");
    bver_free(&v);
}

static void test_bver_format_by_kind(void)
{
    char buf[80];
    bversion v = full_version(BV_VALUE);
    CHECK_EQ_INT(bver_format(&v, buf, sizeof buf), 5);
    CHECK_EQ_STR(buf, "hello");
    v.kind = BV_TOMB;
    bver_format(&v, buf, sizeof buf);
    CHECK_EQ_STR(buf, "(deleted)");
    v.kind = BV_SET;
    bver_format(&v, buf, sizeof buf);
    CHECK_EQ_STR(buf, "{x,y}");
    v.kind = BV_COUNTER;
    bver_format(&v, buf, sizeof buf);
    CHECK_EQ_STR(buf, "3");
    pnc_incr(&v.ctr, 3, -10);
    bver_format(&v, buf, sizeof buf);
    CHECK_EQ_STR(buf, "-7");
    v.kind = BV_VALUE;
    memset(v.value, 'v', BASE_VALUE_MAX);
    v.value[BASE_VALUE_MAX] = '\0';
    CHECK_EQ_INT(bver_format(&v, buf, sizeof buf), BASE_VALUE_MAX);
    char small[4];
    CHECK_EQ_INT(bver_format(&v, small, sizeof small), BASE_VALUE_MAX);
    CHECK_EQ_STR(small, "vvv");
    bver_free(&v);
}

static void test_base_hash_depends_on_bytes_and_seed(void)
{
    const char *s = "key1";
    uint64_t h = base_hash(s, 4, 0);
    CHECK(h == base_hash("key1", 4, 0));
    CHECK(h != base_hash("key2", 4, 0));
    CHECK(h != base_hash(s, 4, 1));
    CHECK(h != base_hash(s, 3, 0));
    CHECK(base_hash("", 0, 0) != base_hash("", 0, 1));
    /* the top byte (the Merkle leaf) spreads over sequential keys */
    int buckets[16] = { 0 };
    for (int i = 0; i < 1600; i++) {
        char k[16];
        int l = snprintf(k, sizeof k, "k%d", i);
        buckets[base_hash(k, (size_t)l, 0) >> 60]++;
    }
    int lo = 1600, hi = 0;
    for (int i = 0; i < 16; i++) {
        lo = buckets[i] < lo ? buckets[i] : lo;
        hi = buckets[i] > hi ? buckets[i] : hi;
    }
    CHECK(lo > 50 && hi < 150);
}

/* ---- prng ---------------------------------------------------------------------------------- */

static void test_prng_same_seed_same_sequence_different_seeds_differ(void)
{
    prng a, b, c;
    prng_seed(&a, 42);
    prng_seed(&b, 42);
    prng_seed(&c, 43);
    int same = 0, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = prng_next(&a), y = prng_next(&b), z = prng_next(&c);
        same += x == y;
        differ += x != z;
    }
    CHECK_EQ_INT(same, 1000);
    CHECK(differ > 990);
    prng_seed(&a, 0);
    CHECK(prng_next(&a) != 0 || prng_next(&a) != 0);   /* seed 0 is a fine seed */
}

static void test_prng_below_stays_in_range_and_is_roughly_uniform(void)
{
    prng p;
    prng_seed(&p, 7);
    int counts[10] = { 0 }, out = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t x = prng_below(&p, 10);
        if (x >= 10)
            out++;
        else
            counts[x]++;
    }
    CHECK_EQ_INT(out, 0);
    for (int i = 0; i < 10; i++)
        CHECK(counts[i] > 9500 && counts[i] < 10500);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ_INT(prng_below(&p, 1), 0);
    uint64_t big = (UINT64_C(1) << 63) + 12345;
    int bad = 0;
    for (int i = 0; i < 1000; i++)
        bad += prng_below(&p, big) >= big;
    CHECK_EQ_INT(bad, 0);
    int yes = 0;
    for (int i = 0; i < 10000; i++)
        yes += prng_chance(&p, 30);
    CHECK(yes > 2700 && yes < 3300);
    CHECK_EQ_INT(prng_chance(&p, 0), 0);
    CHECK_EQ_INT(prng_chance(&p, 100), 1);
}

static void test_prng_split_streams_differ_and_are_reproducible(void)
{
    prng a, b;
    prng_seed(&a, 9);
    prng_seed(&b, 9);
    prng s1 = prng_split(&a, 1), s2 = prng_split(&a, 2);
    prng t1 = prng_split(&b, 1);
    int differ = 0, same = 0, parent = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = prng_next(&s1), y = prng_next(&s2), z = prng_next(&t1);
        differ += x != y;
        same += x == z;
        parent += x == prng_next(&a);
    }
    CHECK(differ > 990);
    CHECK_EQ_INT(same, 1000);                            /* same seed, same split */
    CHECK(parent < 10);
    /* the same stream number split at different points also differs */
    prng c;
    prng_seed(&c, 9);
    prng u1 = prng_split(&c, 1), u1b = prng_split(&c, 1);
    CHECK(prng_next(&u1) != prng_next(&u1b));
}

int main(void)
{
    RUN(test_vv_keeps_sorted_nonzero_entries_and_max_counters);
    RUN(test_vv_cmp_equal_before_after_concurrent);
    RUN(test_vv_merge_is_pointwise_max);
    RUN(test_vv_copy_is_independent);
    RUN(test_vv_format);
    RUN(test_vv_merge_commutative_associative_idempotent_on_random_inputs);
    RUN(test_vv_cmp_consistent_with_covers_on_random_inputs);
    RUN(test_version_descends_when_context_covers_the_other_dot);
    RUN(test_versions_written_from_the_same_context_are_concurrent);
    RUN(test_orset_add_remove_contains_and_format);
    RUN(test_orset_add_wins_over_concurrent_remove);
    RUN(test_orset_remove_of_an_observed_add_survives_merge);
    RUN(test_orset_merge_commutative_associative_idempotent_on_random_inputs);
    RUN(test_pncounter_incr_value_and_negative_deltas);
    RUN(test_pncounter_concurrent_increments_at_three_replicas_all_count);
    RUN(test_pnc_merge_commutative_associative_idempotent_on_random_inputs);
    RUN(test_lww_newer_is_a_total_order_with_higher_replica_breaking_ties);
    RUN(test_lww_tombstone_beats_value_on_equal_timestamps);
    RUN(test_timestamp_clock_is_a_floor_and_clock_readings_saturate);
    RUN(test_orset_join_drops_what_the_other_side_saw_and_keeps_concurrent_adds);
    RUN(test_pnc_join_resets_observed_tallies_and_keeps_concurrent_increments);
    RUN(test_causal_joins_are_a_semilattice_on_random_histories);
    RUN(test_bver_hash_equal_for_equal_versions_and_ignores_stored);
    RUN(test_bver_hash_changes_when_any_replicated_field_differs);
    RUN(test_bver_copy_is_deep);
    RUN(test_bver_init_zeroes_every_field);
    RUN(test_bver_format_by_kind);
    RUN(test_base_hash_depends_on_bytes_and_seed);
    RUN(test_prng_same_seed_same_sequence_different_seeds_differ);
    RUN(test_prng_below_stays_in_range_and_is_roughly_uniform);
    RUN(test_prng_split_streams_differ_and_are_reproducible);
    return t_done("version");
}
