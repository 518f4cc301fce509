/*
 * verify.h: a lesson against the engines. Goals are checked here, the same way for the lab
 * (after every step), `grade --lesson` (after every replayed line) and `lessons --verify`
 * (after every line of the reference solution); their `expect` lines read the runner's
 * findings, computed once per step (findings.h), never the checkers again.
 *
 * A lesson is proved both ways, as rustlings proves its exercises: its reference solution
 * meets every goal, and the moves it queues, played without thought, do not. Verifying
 * runs the lesson in private runners (temporary directories, no fsync):
 *   V1. the setup alone: no goal may be met yet, and every check must be valid there;
 *   V2. the moves in the order written (pressing n alone): each must be valid input, and
 *       they must not meet every goal (else the queue is the solution and the learner only
 *       watches);
 *   V3. the moves in turn (pressing 1, 2, 3, ..., 9, 1, 2, ... as the lab steps a session's
 *       next statement, keys with nothing queued skipped, then n for what is left): they
 *       must not meet every goal either;
 *   V4. no move is a fault (crash, cut, partition, heal, down, up, settle): faults are the
 *       learner's moves, offered by controls:, so that goals can depend on their moment;
 *   V5. setup and solution, line by line, the goals checked after each line as the lab
 *       checks them after each step: every goal must be met at some moment (once met, a
 *       goal stays met), and any expect line of the solution must hold;
 *   V6. every line of the solution is a move the lab offers: the next queued line (n), a
 *       session's or replica's next queued line with only other actors' lines before it
 *       (its key), or a line the lesson's controls allow (lesson_allows).
 * Known limit: V2 and V3 try two orders of the queue, not all of them; a lesson whose goals
 * another thoughtless order meets still passes.
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

/* Checks a lesson (V1-V6 above). Writes one line to out ("ok   05 dirty-read: ..." or
 * "FAIL 05 dirty-read: ..." followed by one indented FILE:LINE:COL: message per problem).
 * Returns 0 when all is well, 1 when it found a problem, -1 when it could not run the
 * engines (an I/O error; said on out). */
int lesson_verify(const lesson *l, FILE *out);

#endif
