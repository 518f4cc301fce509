/*
 * t.h: the unit-test harness. One file per module, each test a function named for the
 * behaviour it pins, run with RUN(). Prints one line per failure and closes with the
 * plain "N passed, N failed" line; exits 1 if anything failed.
 */
#ifndef AB_T_H
#define AB_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_checks_failed, t_passed, t_failed;
static const char *t_current;

#define CHECK(cond) do { if (!(cond)) { t_checks_failed++; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, t_current, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
    if (t_a_ != t_b_) { t_checks_failed++; fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", \
    __FILE__, __LINE__, t_current, #a, t_a_, #b, t_b_); } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
    if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) { t_checks_failed++; \
    fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, t_current, \
    #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } } while (0)

#define RUN(fn) do { int t_before_ = t_checks_failed; t_current = #fn; fn(); \
    if (t_checks_failed == t_before_) t_passed++; else t_failed++; } while (0)

static inline int t_done(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, t_passed, t_failed);
    return t_failed ? 1 : 0;
}

#endif
