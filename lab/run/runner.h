/*
 * runner.h: runs scenario lines against the engines and prints the transcript. This is
 * `acidbase run`, and the TUI will drive the same runner one line at a time.
 *
 * Exit codes (SCENARIO.md): 0 every expectation held; 1 some expectation failed (all are
 * reported); 2 invalid input (FILE:LINE:COL: message on stderr, nothing executed past the
 * bad line); 3 an I/O or internal error.
 */
#ifndef AB_RUNNER_H
#define AB_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "scenario.h"
#include "acid/engine.h"
#include "history/history.h"

enum { RUN_OK = 0, RUN_EXPECT_FAILED = 1, RUN_INVALID = 2, RUN_IOERR = 3 };

/* Lines one run takes (every line is kept for its trace). */
#define RUN_LINES_MAX 1000000

typedef struct runner_opts {
    const char *file;      /* name used in messages ("-" shows as "<stdin>") */
    const char *dir;       /* --dir, or NULL */
    uint64_t seed;
    bool quiet;
    bool real_sync;
    FILE *out, *err;
    const char *trace_path; /* --trace: runner_finish writes the run there (trace.h) */
} runner_opts;

typedef struct runner runner;

/* Opens the engines; returns NULL with a message on err. */
runner *runner_new(const runner_opts *o);
void runner_free(runner *r);

/* One line of input. Returns RUN_OK, RUN_INVALID (message printed) or RUN_IOERR. Failed
 * expectations are counted, not returned. */
int runner_line(runner *r, const char *text, int lineno);
/* Evaluates an `expect ...` line now, printing and counting nothing (lesson goals).
 * Returns 0 with *held (and why it did not hold), or -1 when the line is invalid (why). */
int runner_check(runner *r, const char *line, bool *held, char *why, size_t n);
/* Prints the closing summary; returns the exit status for everything run so far. */
int runner_finish(runner *r);

hist *runner_history(runner *r);
acid_engine *runner_acid(runner *r);
struct basectl;
struct basectl *runner_base(runner *r);

/* What a trace records of a run (trace.h): every line given to runner_line, in order,
 * every expectation's result, and the settings in force. */
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
void runner_expects(const runner *r, const runner_rec_expect **v, int *n);
runner_settings runner_settings_of(runner *r);

/* `acidbase run`: the whole command, reading path ("-" for stdin). */
int runner_run_file(const runner_opts *o, const char *path);

#endif
