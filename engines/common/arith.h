/*
 * arith.h: checked 64-bit integer arithmetic, the one place where the engines add,
 * subtract, multiply, divide and take remainders of values that came from a user.
 *
 * Every INT in the lab is a 64-bit signed integer. In C, an int64_t result that does not
 * fit is undefined behaviour: the release build silently wraps (INT64_MAX + 1 stores
 * INT64_MIN) and INT64_MIN % -1 or INT64_MIN / -1 kills the process with SIGFPE on x86.
 * So nothing in engines/ does that arithmetic on user values directly; it calls these,
 * which never wrap and never trap, and report instead:
 *
 *   ARITH_OK      the result is in *r
 *   ARITH_RANGE   the exact result does not fit an int64_t   ("integer out of range")
 *   ARITH_DIVZERO the divisor is zero                         ("division by zero")
 *
 * On an error *r is left unchanged. The caller turns an error into a statement error
 * with SQL's wording and SQLSTATE (arith_strerror, arith_errname, arith_sqlstate): the
 * ACID engine fails the statement (`expect T1 error out-of-range`), the replica set
 * answers the request with an error and writes nothing.
 *
 * What PostgreSQL does (src/backend/utils/adt/int8.c, int8mod and int8div, as in its
 * current source): x % -1 is 0 for every x, INT64_MIN included ("the correct answer is
 * perfectly well-defined, namely zero"); INT64_MIN / -1 is an error; so is a zero divisor.
 * PostgreSQL words the 64-bit error "bigint out of range" (its "integer" is 32 bits); our
 * only integer type is the 64-bit INT, so we say "integer out of range". Both are SQLSTATE
 * 22003 (numeric_value_out_of_range); division by zero is 22012.
 *
 * Not here: arithmetic on counters the engines own (LSNs, ticks, sizes), which are
 * unsigned or bounded by construction, and text-to-integer conversion (sql.c's lexer and
 * the scenario parser refuse literals out of range at the token).
 */
#ifndef AB_ARITH_H
#define AB_ARITH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef enum { ARITH_OK = 0, ARITH_RANGE = -1, ARITH_DIVZERO = -2 } arith_rc;

/* The error's name in `expect Tn error NAME`; its SQLSTATE, accepted as an alias. */
#define ARITH_RANGE_NAME "out-of-range"
#define ARITH_RANGE_SQLSTATE "22003"
#define ARITH_DIVZERO_NAME "division-by-zero"
#define ARITH_DIVZERO_SQLSTATE "22012"

static inline int arith_add(int64_t a, int64_t b, int64_t *r)
{
    int64_t x;
    if (__builtin_add_overflow(a, b, &x))
        return ARITH_RANGE;
    *r = x;
    return ARITH_OK;
}

static inline int arith_sub(int64_t a, int64_t b, int64_t *r)
{
    int64_t x;
    if (__builtin_sub_overflow(a, b, &x))
        return ARITH_RANGE;
    *r = x;
    return ARITH_OK;
}

static inline int arith_mul(int64_t a, int64_t b, int64_t *r)
{
    int64_t x;
    if (__builtin_mul_overflow(a, b, &x))
        return ARITH_RANGE;
    *r = x;
    return ARITH_OK;
}

static inline int arith_neg(int64_t a, int64_t *r)
{
    if (a == INT64_MIN)
        return ARITH_RANGE;
    *r = -a;
    return ARITH_OK;
}

/* Truncating division, as C and SQL define it (-7 / 2 = -3). */
static inline int arith_div(int64_t a, int64_t b, int64_t *r)
{
    if (b == 0)
        return ARITH_DIVZERO;
    if (b == -1)
        return arith_neg(a, r);   /* INT64_MIN / -1 = 2^63: out of range */
    *r = a / b;
    return ARITH_OK;
}

/* The remainder keeps the dividend's sign (-7 % 2 = -1), as in C99 and SQL. */
static inline int arith_mod(int64_t a, int64_t b, int64_t *r)
{
    if (b == 0)
        return ARITH_DIVZERO;
    /* x % -1 is 0 for every x; computing INT64_MIN % -1 traps on x86 (the quotient,
     * 2^63, does not fit), so it is never computed. */
    *r = b == -1 ? 0 : a % b;
    return ARITH_OK;
}

/* A PN-counter over n replicas (the replica set's `INCR` under `resolve crdt`): replica i
 * keeps P_i, the sum of its increments, and N_i, the sum of its decrements (as magnitudes),
 * and the value is sum(P_i) - sum(N_i), whatever merges happened. A replica cannot see
 * the increments made elsewhere that it has not merged yet, so checking the value it
 * holds is not enough: two replicas could each stay in range and their merge would not.
 * Bounding each replica's own totals does it without coordination: if every P_i and
 * N_i stays at most INT64_MAX / n, then both sums are at most INT64_MAX and their
 * difference lies in [-INT64_MAX, INT64_MAX] for every merge of any subset.
 *
 * own is the total (P_i for delta > 0, N_i for delta < 0) that an INCR of delta at
 * replica i would grow; ARITH_RANGE when it would pass INT64_MAX / n. The cost: a replica
 * of a 3-replica set can move the counter by about 3.07e18 in each direction in all. */
static inline int arith_counter_step(uint64_t own, int64_t delta, uint32_t n)
{
    uint64_t mag = delta < 0 ? 0 - (uint64_t)delta : (uint64_t)delta;
    uint64_t cap = (uint64_t)INT64_MAX / (n ? n : 1);
    return mag > cap || own > cap - mag ? ARITH_RANGE : ARITH_OK;
}

/* The message for an error ("integer out of range"), its name for `expect Tn error`
 * ("out-of-range") and its SQLSTATE ("22003"); "" for ARITH_OK. */
static inline const char *arith_strerror(int rc)
{
    return rc == ARITH_RANGE ? "integer out of range" : rc == ARITH_DIVZERO ? "division by zero" : "";
}

static inline const char *arith_errname(int rc)
{
    return rc == ARITH_RANGE ? ARITH_RANGE_NAME : rc == ARITH_DIVZERO ? ARITH_DIVZERO_NAME : "";
}

static inline const char *arith_sqlstate(int rc)
{
    return rc == ARITH_RANGE ? ARITH_RANGE_SQLSTATE : rc == ARITH_DIVZERO ? ARITH_DIVZERO_SQLSTATE : "";
}

/* An error name as `expect Tn error` writes it, with a SQLSTATE replaced by the name it
 * stands for ("22003" -> "out-of-range"); any other word is returned as it is. */
static inline const char *arith_error_alias(const char *word)
{
    if (strcmp(word, ARITH_RANGE_SQLSTATE) == 0)
        return ARITH_RANGE_NAME;
    if (strcmp(word, ARITH_DIVZERO_SQLSTATE) == 0)
        return ARITH_DIVZERO_NAME;
    return word;
}

#endif
