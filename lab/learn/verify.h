/*
 * verify.h: a lesson against the engines. Goals are checked here, the same way for the lab
 * (after every step), `grade --lesson` (after every replayed line) and `lessons --verify`
 * (after every line of the reference solution); their `expect` lines read the runner's
 * findings, computed once per step (findings.h), never the checkers again.
 *
 * Verifying runs the lesson in private runners (temporary directories, no fsync):
 * (1) the setup alone: no goal may be met yet, and every check must be valid there;
 * (2) setup and moves in the order written: every move must be valid input;
 * (3) setup and solution, line by line, the goals checked after each line as the lab
 *     checks them after each step: every goal must be met at some moment (once met, a
 *     goal stays met), and any expect line of the solution must hold.
 * Known limit: (2) tries one interleaving, the written one.
 */
#ifndef AB_VERIFY_H
#define AB_VERIFY_H

#include <stdbool.h>
#include <stdio.h>
#include "lesson.h"
#include "run/runner.h"

/* Evaluates a goal's checks now in r's history (runner_check). Returns 0 with *met (all
 * hold); when one does not hold, *failed is its index and why says what was found. -1 when
 * a check is invalid at run time (an unknown table or anomaly): *failed and why say which. */
int lesson_goal_check(runner *r, const lesson_goal *g, bool *met, int *failed, char *why, size_t n);

/* Checks a lesson: it parses; its setup and goals' checks are valid; the goals are not
 * met after the setup alone; its moves are valid input after the setup; the reference
 * solution meets every goal (at some moment: the goals are checked after each of its
 * lines, as the lab checks them after each step, and a goal once met stays met). Writes
 * one line to out ("ok   05 dirty-read: ..." or "FAIL 05 dirty-read: ..." followed by one
 * indented FILE:LINE:COL: message per problem). Returns 0 when all is well, 1 when it
 * found a problem, -1 when it could not run the engines (an I/O error; said on out). */
int lesson_verify(const lesson *l, FILE *out);

#endif
