/*
 * grade.h: what `acidbase grade` does to one trace: replay it, refuse it if the replay
 * differs, score it. The reports (text, JSON, Gradescope, CSV) are report.h's, the command
 * lab/cli/grade.c's.
 *
 * Verification. A trace is a claim: "these scenario lines, run with this seed, produced
 * these events, findings and expectation results". The grader runs the lines again with
 * the seed through a fresh runner (a private temporary database, output discarded) and
 * compares, in this order: every event, field by field (same count, kind, tick and every
 * field the trace format writes); the settings the run ended with; the catalog; the
 * checkers' findings; the expectations' results. The first difference rejects the trace,
 * naming the event (seq, kind, the JSON path) and the field with both values. A rejected
 * trace is never graded. A trace whose run started on an existing database (--dir) cannot
 * be replayed and is refused; so is one whose lines do not run (invalid input on replay).
 *
 * Scoring. Every `expect` line is a test worth one point, passed when its replayed result
 * is ok. With a lesson (`--lesson`), each of its goals is a test too, worth the goal's
 * weight, met when all its checks hold after some step of the replay.
 *
 * Exit status, the highest that applies: 0 every trace accepted and every test passed;
 * 1 some trace rejected or some test failed; 2 usage error, or some file is not a valid
 * trace; 3 an I/O error (a trace cannot be read, a report cannot be written).
 */
#ifndef AB_GRADE_H
#define AB_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include "trace.h"

typedef enum { GRADE_ACCEPTED = 0, GRADE_REJECTED, GRADE_INVALID, GRADE_IOERR } grade_status;

typedef struct grade_test {
    int line;
    char *text;          /* the expect line */
    bool ok;
    char *output;        /* why it failed, "" when it passed */
    int weight;          /* points: 1 for an expect line, the goal's weight for a goal */
} grade_test;

typedef struct grade_result {
    char *file;
    char *learner;       /* NULL when the trace names none */
    grade_status status;
    char reason[1536];   /* why it was rejected or is invalid; "" when accepted */
    size_t events;       /* events verified (accepted traces) */
    int score, max_score;
    grade_test *tests;   /* accepted: the replay's results; rejected: the recorded expects, not graded */
    int ntests;
} grade_result;

/* Reads, verifies and scores a trace file, with a lesson's goals as tests too (l may be
 * NULL). Never fails: problems are in out->status. */
struct lesson;
void grade_file_lesson(const char *path, const struct lesson *l, grade_result *out);
void grade_result_free(grade_result *r);

/* The first difference between a recorded and a replayed event, as
 * "n.value: recorded 12, the replay has 11"; false when they are the same. */
bool grade_event_diff(const hist_event *rec, const hist_event *rep, char *why, size_t n);

#endif
