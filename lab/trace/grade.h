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
 * What grading proves: that the trace's events are exactly what its scenario lines
 * produce with its seed, so its scores are earned by those lines. What it cannot prove:
 * who ran them, when, or with which build (learner, created, lab_version, real_sync and
 * kept_database are claims the file makes; assets/doc/traces.md). So the statuses tell
 * apart what can be told apart:
 *   GRADE_ACCEPTED    the replay matches; scored
 *   GRADE_REJECTED    the replay differs and the trace claims this lab's version: an
 *                     edited (or damaged) trace; not graded
 *   GRADE_VERSION     a trace of another acidbase: its format version is not ours, or it
 *                     names another lab_version and its replay differs; not graded, and
 *                     the message says which version to regrade (or re-export) with
 *   GRADE_LEARNER     it names a learner other than the one expected (--expect-learner);
 *                     not graded
 *   GRADE_INVALID     not a readable trace
 *   GRADE_IOERR       it cannot be read, or the replay cannot run
 *   GRADE_UNGRADABLE  grading this trace crashed or ran out of time (lab/cli/grade.c
 *                     grades each trace in a child process): not graded, and every other
 *                     trace is graded and reported as usual
 *
 * Exit status, the highest that applies: 0 every trace accepted and every test passed;
 * 1 some trace rejected (edited, another version, another learner) or some test failed;
 * 2 usage error, or some file is not a valid trace; 3 an I/O error (a trace cannot be
 * read, a report cannot be written) or a trace that could not be graded.
 */
#ifndef AB_GRADE_H
#define AB_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include "trace.h"

typedef enum {
    GRADE_ACCEPTED = 0, GRADE_REJECTED, GRADE_INVALID, GRADE_IOERR, GRADE_VERSION, GRADE_LEARNER, GRADE_UNGRADABLE
} grade_status;

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
    char *lesson;        /* NULL when the trace names none */
    grade_status status;
    char reason[1536];   /* why it was rejected or is invalid; "" when accepted */
    size_t events;       /* events verified (accepted traces) */
    int score, max_score;
    grade_test *tests;   /* accepted: the replay's results; rejected: the recorded expects, not graded */
    int ntests;
    /* Which run this is, for telling two submissions of the same run apart from two
     * runs (accepted traces only): a hash of the seed and the scenario lines, which
     * determine every event (the replay proved it); and the trace's creation time. */
    bool has_run;
    uint64_t run;
    char created[24];
    char *same_run;      /* the other files carrying the same run, ", "-separated; NULL for none */
} grade_result;

/* Reads, verifies and scores a trace file, with a lesson's goals as tests too (l may be
 * NULL). Never fails: problems are in out->status. */
struct lesson;
void grade_file_lesson(const char *path, const struct lesson *l, grade_result *out);
void grade_result_free(grade_result *r);

/* The word a report uses for a status ("accepted", "rejected", "version-mismatch",
 * "wrong-learner", "not-gradable"). */
const char *grade_status_word(grade_status s);

/* A result as bytes and back, so a trace can be graded in a child process (lab/cli/grade.c)
 * and its result carried to the parent through a pipe. grade_result_decode checks every
 * length against the buffer; -1 for bytes that are not a whole result. */
int grade_result_encode(const grade_result *r, char **buf, size_t *len);
int grade_result_decode(const char *buf, size_t len, grade_result *out);

/* The first difference between a recorded and a replayed event, as
 * "n.value: recorded 12, the replay has 11"; false when they are the same. */
bool grade_event_diff(const hist_event *rec, const hist_event *rep, char *why, size_t n);

#endif
