/*
 * test_sanitizer.c: the sanitized build really checks what RELIABILITY.md says it checks.
 * A child process commits a signed overflow (INT64_MAX + 1), an INT64_MIN % -1 and an
 * out-of-bounds read; each must stop the child with the sanitizer's report, not pass
 * silently. If someone drops -fsanitize=undefined (or its signed-integer-overflow part)
 * or the halting from the Makefile's SANCF, this test fails: every "never wraps, never
 * traps" test in the suite would otherwise prove nothing.
 *
 * Only meaningful in the sanitized build (`make test` builds every unit test so).
 */
#include "t.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int64_t big = INT64_MAX, minus_one = -1, smallest = INT64_MIN;
static volatile int idx = 4;

/* Runs what(k) in a child with stderr captured; returns its exit status (-signal when
 * killed) and what it wrote. */
static int in_child(void (*what)(void), char *out, size_t n)
{
    int fd[2];
    if (pipe(fd))
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        what();
        _exit(0);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < n && (r = read(fd[0], out + got, n - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = 0;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void overflow_add(void)
{
    volatile int64_t r = big + 1;
    (void)r;
}

static void overflow_mod(void)
{
    volatile int64_t r = smallest % minus_one;
    (void)r;
}

static void read_out_of_bounds(void)
{
    volatile int a[4] = { 0 };
    volatile int r = a[idx];
    (void)r;
}

static void test_signed_overflow_halts_with_a_report(void)
{
    char err[8192];
    int rc = in_child(overflow_add, err, sizeof err);
    CHECK(rc != 0);
    CHECK(strstr(err, "signed integer overflow") != NULL);
}

static void test_int64_min_mod_minus_one_halts_with_a_report(void)
{
    char err[8192];
    int rc = in_child(overflow_mod, err, sizeof err);
    CHECK(rc != 0);
    CHECK(strstr(err, "cannot be represented") != NULL);
}

static void test_out_of_bounds_read_halts_with_a_report(void)
{
    char err[16384];
    int rc = in_child(read_out_of_bounds, err, sizeof err);
    CHECK(rc != 0);
    CHECK(strstr(err, "AddressSanitizer") != NULL || strstr(err, "out of bounds") != NULL);
}

int main(void)
{
    RUN(test_signed_overflow_halts_with_a_report);
    RUN(test_int64_min_mod_minus_one_halts_with_a_report);
    RUN(test_out_of_bounds_read_halts_with_a_report);
    return t_done("sanitizer");
}
