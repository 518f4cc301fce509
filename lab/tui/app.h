/*
 * app.h: the lab's model, behind the screen. The learner's session is a list of scenario
 * lines; the engines are what running those lines built. Every move on the screen is one
 * line (a key is only a shortcut for a line), so the session can be saved as a scenario,
 * exported as a trace, and stepped back: step back throws the engines away and replays
 * the lines before the last one, which the engines' determinism makes exact.
 *
 * Lines can also wait in a queue (from a scenario file, a trace being replayed, or a
 * lesson's moves): `next` runs the first one.
 *
 * The lines run are the runner's (runner_lines: recorded once, after they validate); this
 * module keeps only where each came from. The event log is the runner's transcript as
 * records (record.h), kept as data: the screen colours an entry by its kind and outcome,
 * never by its words.
 */
#ifndef AB_APP_H
#define AB_APP_H

#include <stdbool.h>
#include <stdint.h>
#include "run/record.h"
#include "run/runner.h"

#define APP_LOG_MAX 4000

typedef struct app app;

typedef struct app_opts {
    uint64_t seed;
} app_opts;

app *app_new(const app_opts *o, char *err, size_t n);
void app_free(app *a);

/* Runs a line (the runner records it). Returns 0, or -1 with msg (invalid input: nothing is
 * recorded, the engines are as before; or an I/O error). */
int app_exec(app *a, const char *line, char *msg, size_t n);
/* Queue lines to step through (replacing what was queued). */
int app_queue_file(app *a, const char *path, char *msg, size_t n);
int app_queue_lines(app *a, char *const *lines, int nlines);
/* Runs the next queued line; 0 ran, 1 nothing queued, -1 error (msg). Blank and comment
 * lines are skipped over (and recorded), so every step does something. */
int app_next(app *a, char *msg, size_t n);
/* Runs the i-th line still queued (0 = the next), out of order: how a learner picks the
 * interleaving. 0 ran, 1 no such line, -1 error. */
int app_take(app *a, int i, char *msg, size_t n);
/* The lines run so far stay: step back stops here (a lesson's setup). */
void app_set_floor(app *a);
/* Undoes the last step (a run line; a line taken from the queue goes back to it). */
int app_back(app *a, char *msg, size_t n);
/* A file under assets/ (examples, themes): $ACIDBASE_ASSETS, ./assets, beside the program,
 * its ../share/acidbase/assets, then the usual prefixes; NULL when none has it. */
const char *app_asset(const char *rel, char *buf, size_t n);
/* A trace's seed, and its scenario lines queued (acidbase replay). */
int app_trace_seed(const char *path, uint64_t *seed, char *msg, size_t n);
int app_queue_trace(app *a, const char *path, char *msg, size_t n);
/* Writes the recorded lines as a scenario file: a new file, or (replace) an existing
 * regular one; never through a symbolic link. */
int app_save(app *a, const char *path, bool replace, char *msg, size_t n);
/* Writes the run as a JSON trace; _as also names the lesson, its content hash and the
 * learner (any may be NULL), so a grader knows which goals to score. */
int app_export(app *a, const char *path, char *msg, size_t n);
int app_export_as(app *a, const char *path, const char *lesson, const char *lesson_hash, const char *learner,
                  char *msg, size_t n);

runner *app_runner(app *a);
int app_nlines(const app *a);
const char *app_line(const app *a, int i);
int app_nqueued(const app *a);
const char *app_queued(const app *a, int i);   /* i-th line still to run */

/* The transcript so far, one entry per line of a record's words (run_record_text; a
 * failed expectation's list of findings takes several), oldest first (the last
 * APP_LOG_MAX are kept). */
typedef struct app_log_entry {
    run_rec_kind kind;
    run_outcome outcome;
    run_side side;
    bool more;               /* a continuation line of the record before */
    char *text;
} app_log_entry;
int app_nlog(const app *a);
const app_log_entry *app_log(const app *a, int i);
/* How many log lines the last step added (to highlight what changed). */
int app_last_added(const app *a);
/* The latest say: text, "" if none. */
const char *app_narration(const app *a);
/* Changes whenever anything above may have changed (a line run, undone, queued; the
 * engines rebuilt), and is never the same for two models: a screen that shows only what
 * is read through this header need not be drawn again while it stays the same. */
unsigned long app_version(const app *a);

#endif
