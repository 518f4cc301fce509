/*
 * test_arith.c: engines/common/arith.h and its users in engines/common/pred.c. The
 * reference is exact arithmetic in 128 bits, written here: a result is in range when the
 * 128-bit value lies in [INT64_MIN, INT64_MAX], and then it must equal that value; out of
 * range must be reported, never wrapped. Division and remainder follow C99 and SQL
 * (truncation toward zero, the remainder takes the dividend's sign), with PostgreSQL's
 * two special cases (int8.c: int8mod, int8div): x % -1 is 0, INT64_MIN / -1 is out of
 * range; a zero divisor is an error. The PN-counter bound is checked the way it is meant:
 * every merge of replicas that each stayed within it has a value in range.
 *
 * Run under UBSan with signed-integer-overflow halting (the Makefile's SANCF): any
 * wrapping inside arith.h would end the test with a report instead of passing.
 */
#include "t.h"
#include "common/arith.h"
#include "common/pred.h"
#include "base/prng.h"

#include <stdint.h>

typedef __int128 i128;

static const int64_t edge[] = {
    INT64_MIN, INT64_MIN + 1, INT64_MIN / 2, -4611686018427387905LL, -3037000500LL, -3037000499LL,
    -65536, -7, -3, -2, -1, 0, 1, 2, 3, 7, 65536, 3037000499LL, 3037000500LL,
    4611686018427387904LL, INT64_MAX / 2, INT64_MAX - 1, INT64_MAX,
};
#define NEDGE (sizeof edge / sizeof edge[0])

static bool fits(i128 v)
{
    return v >= (i128)INT64_MIN && v <= (i128)INT64_MAX;
}

/* One operation against the reference: ok and the exact value, or ARITH_RANGE. */
static void check_op(char op, int64_t a, int64_t b)
{
    int64_t r = 12345;
    int rc;
    i128 want = 0;
    bool divzero = false;
    switch (op) {
    case '+': rc = arith_add(a, b, &r); want = (i128)a + b; break;
    case '-': rc = arith_sub(a, b, &r); want = (i128)a - b; break;
    case '*': rc = arith_mul(a, b, &r); want = (i128)a * b; break;
    case '/':
        rc = arith_div(a, b, &r);
        divzero = b == 0;
        want = divzero ? 0 : (i128)a / b;
        break;
    default:
        rc = arith_mod(a, b, &r);
        divzero = b == 0;
        want = divzero ? 0 : (i128)a % b;   /* 128 bits: INT64_MIN % -1 is 0, no trap */
        break;
    }
    if (divzero) {
        if (rc != ARITH_DIVZERO || r != 12345) {
            t_checks_failed++;
            fprintf(stderr, "%s: %lld %c %lld: rc %d, expected division by zero and no result\n", t_current,
                    (long long)a, op, (long long)b, rc);
        }
        return;
    }
    if (fits(want) ? rc != ARITH_OK || r != (int64_t)want : rc != ARITH_RANGE || r != 12345) {
        t_checks_failed++;
        fprintf(stderr, "%s: %lld %c %lld: rc %d, result %lld\n", t_current, (long long)a, op, (long long)b, rc,
                (long long)r);
    }
}

static void test_every_pair_of_edges_matches_exact_arithmetic(void)
{
    for (size_t i = 0; i < NEDGE; i++)
        for (size_t j = 0; j < NEDGE; j++)
            for (const char *op = "+-*/%"; *op; op++)
                check_op(*op, edge[i], edge[j]);
}

static void test_random_pairs_match_exact_arithmetic(void)
{
    prng g;
    prng_seed(&g, 16);
    for (int n = 0; n < 200000; n++) {
        /* Mix full-width values with small ones and edges, so both outcomes are common. */
        int64_t v[2];
        for (int k = 0; k < 2; k++) {
            uint64_t x = prng_next(&g);
            switch (x & 3) {
            case 0: v[k] = (int64_t)(x >> 2) * ((x & 4) ? -1 : 1); break;
            case 1: v[k] = (int64_t)((x >> 8) & 0xFFFFFFFF) - 0x80000000LL; break;
            case 2: v[k] = edge[(x >> 8) % NEDGE]; break;
            default: v[k] = (int64_t)(x >> 40) - (1 << 23); break;
            }
        }
        for (const char *op = "+-*/%"; *op; op++)
            check_op(*op, v[0], v[1]);
    }
}

static void test_postgresql_special_cases(void)
{
    int64_t r = 0;
    CHECK_EQ_INT(arith_mod(INT64_MIN, -1, &r), ARITH_OK);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(arith_mod(-7, 2, &r), ARITH_OK);
    CHECK_EQ_INT(r, -1);
    CHECK_EQ_INT(arith_mod(7, -2, &r), ARITH_OK);
    CHECK_EQ_INT(r, 1);
    CHECK_EQ_INT(arith_div(INT64_MIN, -1, &r), ARITH_RANGE);
    CHECK_EQ_INT(arith_div(-7, 2, &r), ARITH_OK);
    CHECK_EQ_INT(r, -3);
    CHECK_EQ_INT(arith_neg(INT64_MIN, &r), ARITH_RANGE);
    CHECK_EQ_INT(arith_mod(5, 0, &r), ARITH_DIVZERO);
    CHECK_EQ_INT(arith_div(5, 0, &r), ARITH_DIVZERO);
}

static void test_error_words_are_sqls(void)
{
    CHECK_EQ_STR(arith_strerror(ARITH_RANGE), "integer out of range");
    CHECK_EQ_STR(arith_errname(ARITH_RANGE), "out-of-range");
    CHECK_EQ_STR(arith_sqlstate(ARITH_RANGE), "22003");
    CHECK_EQ_STR(arith_strerror(ARITH_DIVZERO), "division by zero");
    CHECK_EQ_STR(arith_sqlstate(ARITH_DIVZERO), "22012");
    CHECK_EQ_STR(arith_error_alias("22003"), "out-of-range");
    CHECK_EQ_STR(arith_error_alias("22012"), "division-by-zero");
    CHECK_EQ_STR(arith_error_alias("2200"), "2200");
    CHECK_EQ_STR(arith_error_alias("deadlock"), "deadlock");
}

/* The modulo term of a predicate: INT64_MIN % -1 = 0 holds (it used to raise SIGFPE), on
 * the value column and on an INT key; a remainder keeps the dividend's sign. */
static void test_predicate_modulo_at_the_extremes(void)
{
    pred_term t = { .kind = PT_MOD, .field = PF_VALUE, .mod_m = -1, .mod_r = 0 };
    pred p = { 1, &t };
    scalar k = scalar_int(1);
    CHECK(pred_eval(&p, &k, INT64_MIN));
    CHECK(pred_eval(&p, &k, INT64_MAX));
    t.field = PF_KEY;
    k = scalar_int(INT64_MIN);
    CHECK(pred_eval(&p, &k, 0));
    t.field = PF_VALUE;
    t.mod_m = INT64_MIN;
    CHECK(pred_eval(&p, &k, INT64_MIN));          /* INT64_MIN % INT64_MIN = 0 */
    t.mod_r = INT64_MAX;
    CHECK(pred_eval(&p, &k, INT64_MAX));          /* INT64_MAX % INT64_MIN = INT64_MAX */
    t.mod_m = 2;
    t.mod_r = -1;
    CHECK(pred_eval(&p, &k, -7));
    CHECK(!pred_eval(&p, &k, 7));
    t.mod_m = 0;                                   /* refused by the parser; never divides */
    t.mod_r = 0;
    CHECK(!pred_eval(&p, &k, 0));
}

/* The PN-counter bound: replicas that each keep their own totals of increments and of
 * decrements within arith_counter_step's limit have a merged value in range, whatever
 * subset is merged; a step past the limit is refused. Checked with a model of n replicas
 * doing random INCRs, in 128 bits. */
static void test_counter_bound_keeps_every_merge_in_range(void)
{
    prng g;
    prng_seed(&g, 1616);
    for (uint32_t n = 1; n <= 9; n++) {
        uint64_t p[10] = { 0 }, m[10] = { 0 };
        uint64_t cap = (uint64_t)INT64_MAX / n;
        int refused = 0;
        for (int step = 0; step < 4000; step++) {
            uint32_t r = (uint32_t)(prng_next(&g) % n);
            uint64_t x = prng_next(&g);
            int64_t d = (x & 1) ? (int64_t)(x >> 2) : -(int64_t)(x >> 2);
            if (x & 2)
                d = (d >> 20) | 1;
            uint64_t *own = d > 0 ? &p[r] : &m[r];
            uint64_t mag = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
            if (arith_counter_step(*own, d, n) == ARITH_OK) {
                CHECK(*own + mag <= cap);
                *own += mag;
            } else {
                CHECK((i128)*own + mag > cap);
                refused++;
            }
            i128 v = 0;
            for (uint32_t i = 0; i < n; i++)
                if ((step >> (i % 8)) & 1 || i == r)   /* some subset of replicas merged */
                    v += (i128)p[i] - (i128)m[i];
            CHECK(fits(v));
        }
        CHECK(refused > 0);
    }
    CHECK_EQ_INT(arith_counter_step(0, INT64_MIN, 1), ARITH_RANGE);   /* |INT64_MIN| > INT64_MAX */
    CHECK_EQ_INT(arith_counter_step(0, INT64_MAX, 1), ARITH_OK);
    CHECK_EQ_INT(arith_counter_step(1, INT64_MAX, 1), ARITH_RANGE);
    CHECK_EQ_INT(arith_counter_step(0, INT64_MAX / 3, 3), ARITH_OK);
    CHECK_EQ_INT(arith_counter_step(INT64_MAX / 3, 1, 3), ARITH_RANGE);
}

int main(void)
{
    RUN(test_every_pair_of_edges_matches_exact_arithmetic);
    RUN(test_random_pairs_match_exact_arithmetic);
    RUN(test_postgresql_special_cases);
    RUN(test_error_words_are_sqls);
    RUN(test_predicate_modulo_at_the_extremes);
    RUN(test_counter_bound_keeps_every_merge_in_range);
    return t_done("arith");
}
