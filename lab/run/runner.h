/*
 * runner.h: runs scenario lines against the engines, one line at a time. `acidbase run`
 * (lab/cli/run.c), the lab (lab/tui/app.c), `grade`'s replay, lesson verification and
 * `progress --export` all drive the same runner.
 *
 * Each line is parsed (scenario.h), validated and run: ACID lines by the ACID controller
 * (acidctl.h), BASE lines by the BASE controller (basectl.h), expectations by whichever
 * side owns them, or here when they ask the checkers (findings.h). Everything the run
 * produces goes to the sink of runner_opts as records (record.h); the runner prints
 * nothing and writes no file.
 *
 * Invariants:
 *   R1. A line is recorded (runner_lines) in one place, after it validated and ran; a line
 *       refused as invalid input is not part of the run: it is not recorded, its refusal
 *       is a REC_INVALID record and runner_error, and the engines are as before it.
 *   R2. Recorded line numbers strictly increase (a trace's scenario section requires it);
 *       runner_line refuses a number not above the last recorded one.
 *   R3. The findings (runner_findings) are those of the history's events at the moment of
 *       asking, computed at most once per step however many ask (findings.h, F1).
 *
 * Predictions (`predict: T2 blocked`, classroom mode's guess written as a line):
 *   P1. A prediction is judged right after the next line that acts (a statement, a
 *       request, an engine:, cluster:, net: or run: line; not say:, expect or another
 *       predict:), by evaluating its assertion as `expect` would. It is never a failure of
 *       the run: its result is a REC_PREDICT record and runner_predictions.
 *   P2. It counts as right only if its assertion did not hold yet when it was made and
 *       holds after that step; `expect predicted CLAIM` holds once a prediction of the same
 *       words (blanks collapsed) was right. A predict: line whose assertion cannot be
 *       evaluated (an unknown table, a replica the cluster lacks) is refused (R1).
 *
 * Status codes (the exit codes of assets/doc/scenarios.md, "Running"): RUN_OK every expectation held; RUN_EXPECT_FAILED
 * some expectation failed (all are reported); RUN_INVALID invalid input; RUN_IOERR an I/O
 * or internal error.
 */
#ifndef AB_RUNNER_H
#define AB_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include "record.h"
#include "scenario.h"
#include "findings.h"
#include "acid/engine.h"
#include "history/history.h"

enum { RUN_OK = 0, RUN_EXPECT_FAILED = 1, RUN_INVALID = 2, RUN_IOERR = 3 };

/* Lines one run takes (every line is kept for its trace). */
#define RUN_LINES_MAX 1000000

typedef struct runner_opts {
    const char *dir;       /* --dir, or NULL: a private temporary database, removed at the end */
    uint64_t seed;
    bool real_sync;
    run_sink sink;         /* every record of the transcript (fn NULL: dropped) */
} runner_opts;

typedef struct runner runner;

/* Opens the engines; NULL with a message in err on failure. */
runner *runner_new(const runner_opts *o, char *err, size_t n);
void runner_free(runner *r);

/* One line of input, numbered lineno. Returns RUN_OK, RUN_INVALID (refused: R1) or
 * RUN_IOERR. Failed expectations are counted, not returned. */
int runner_line(runner *r, const char *text, int lineno);

/* Why the latest runner_line did not return RUN_OK: where (line, col; col 0 for none) and
 * the message ("" when the transcript already said it). */
typedef struct run_error { int line, col; char msg[1024]; } run_error;
const run_error *runner_error(const runner *r);

/* Evaluates an `expect ...` line now, recording and counting nothing (lesson goals).
 * Returns 0 with *held (and why it did not hold), or -1 when the line is invalid (why). */
int runner_check(runner *r, const char *line, bool *held, char *why, size_t n);

/* The exit status for everything run so far, and the expectations' counts. */
int runner_status(const runner *r);
void runner_counts(const runner *r, int *passed, int *failed);

hist *runner_history(runner *r);
acid_engine *runner_acid(runner *r);
struct basectl;
struct basectl *runner_base(runner *r);
/* The checkers' findings over the history so far (R3); NULL when out of memory. */
const finding_list *runner_findings(runner *r);

/* What a trace records of a run (trace.h): every line run, in order, every expectation's
 * result, and the settings in force. */
typedef struct runner_rec_line { int line; char *text; } runner_rec_line;
typedef struct runner_rec_expect { int line; char *text; bool ok; char *why; } runner_rec_expect;
typedef struct runner_settings {
    uint64_t seed;
    bool fresh;          /* the database started empty (no --dir, or a new or empty one) */
    bool kept;           /* --dir: the database outlives the run */
    bool real_sync;
    acid_sync sync;      /* as the scenario's `engine: sync` lines left it */
    int sync_group;
    int frames;          /* buffer pool frames in use */
    uint64_t base_seed;  /* the seed the BASE side uses (a `cluster: seed` line's, or seed) */
} runner_settings;
void runner_lines(const runner *r, const runner_rec_line **v, int *n);

/* The predictions made so far (P1, P2), in order. */
typedef enum { PRED_PENDING = 0, PRED_RIGHT, PRED_WRONG, PRED_ALREADY } runner_pred_outcome;
typedef struct runner_prediction {
    int line;
    char claim[SCN_TEXT_MAX];        /* the assertion's words, blanks collapsed */
    bool held_before;                /* it held already when it was made */
    runner_pred_outcome outcome;
    char why[512];                   /* PRED_WRONG: what was found instead */
} runner_prediction;
void runner_predictions(const runner *r, const runner_prediction **v, int *n);
void runner_expects(const runner *r, const runner_rec_expect **v, int *n);
runner_settings runner_settings_of(runner *r);

#endif
