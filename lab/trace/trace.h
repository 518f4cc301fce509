/*
 * trace.h: a run of the lab as one JSON file (the "acidbase-trace" format), written by
 * `acidbase run --trace` and the TUI, read by `acidbase check` and `acidbase grade`.
 *
 * assets/trace.schema.json is the schema and assets/doc/traces.md explains every field.
 * In short, one object:
 *   format "acidbase-trace", version 2, lab_version, created (UTC, the only wall-clock value
 *   anywhere, metadata only), lesson and learner (optional), seed, replayable (and
 *   unreplayable_reason when false), settings, catalog (the tables, so predicates can be
 *   rebuilt), scenario (every line given to the runner, with its line number), events (the
 *   history, one object per event), findings (the checkers' results at the end of the run)
 *   and expects (every `expect` line's result).
 *
 * Events are written generically from hist_event's fields and the kind table
 * (hist_kind_info_of): a field appears when it is set (non-zero, non-NULL); the kind's
 * numbers n[0..5] sit in an object "n" under the names the kind table gives them (always
 * written), and an unnamed n[i] that is non-zero appears as "n<i>". Adding a kind to the
 * history needs no change here.
 *
 * Integers: JSON numbers are exact only up to 2^53 in most readers (cJSON included), so an
 * integer outside +-(2^53 - 1) is written as a string of decimal digits ("18446744073709551615");
 * an integer row key outside that range as {"int": "<digits>"}, since a plain string is a
 * text key.
 *
 * Reading is strict: every required field present, no unknown or repeated field, every type
 * and range checked, events numbered 1, 2, 3, ... with ticks that never go back. The first
 * problem found is reported in one message that names the field, as in
 *   "trace.json: events[12].tick: expected an integer, found a string".
 * Errors use one convention: functions return 0 or a TRACE_* code (equal to the exit status
 * the commands use) with the message in a trace_err.
 *
 * A trace is data in, data out: writing takes a filled struct trace (export.h fills one
 * from a finished run, findings included) and reading gives one back. Nothing here runs a
 * scenario or a checker, so the trace modules depend on the findings' shape (findings.h)
 * and on nothing that runs.
 *
 * Files: trace.c (shared), write.c (writing), read.c (reading), export.c (a run as a trace).
 * Not here: replaying and grading (grade.h), running the checkers (findings.h).
 */
#ifndef AB_TRACE_H
#define AB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "run/findings.h"
#include "acid/engine.h"
#include "history/history.h"

#define TRACE_FORMAT "acidbase-trace"
#define TRACE_VERSION 2

/* Result codes; the numbers are the commands' exit statuses. */
enum { TRACE_OK = 0, TRACE_INVALID = 2, TRACE_IOERR = 3, TRACE_NOMEM = 4 };

#define TRACE_FILE_MAX (512u << 20)   /* bytes: a bigger file is refused before parsing */

typedef struct trace_err {
    int code;           /* TRACE_* */
    char msg[1024];     /* "FILE: events[12].tick: expected an integer, found a string" */
    bool version;       /* TRACE_INVALID because the file's format version is not ours: a
                           trace of another acidbase, not a damaged or edited one */
} trace_err;

typedef struct trace_line { int line; char *text; } trace_line;

typedef struct trace_expect {
    int line;
    char *text;         /* "expect T2 rows {1:10}" */
    bool ok;
    char *why;          /* "" when ok */
} trace_expect;

typedef struct trace_table {
    char *name, *key_column, *value_column;
    scalar_type key_type;
    char *check;        /* canonical CHECK predicate, NULL for none */
} trace_table;

/* Findings are stored as the findings module gives them (findings.h). */
typedef finding trace_finding;
typedef finding_list trace_findings;

typedef struct trace_settings {
    bool fresh_database, kept_database, real_sync;
    char sync[8];       /* "full", "off", "group" */
    int sync_group;
    int frames;
    uint64_t base_seed;
} trace_settings;

typedef struct trace {
    char *lab_version, *created;
    char *lesson, *learner;          /* NULL when absent */
    char *lesson_hash;               /* the lesson's content hash (lesson.h), NULL when absent */
    uint64_t seed;
    bool replayable;
    char *unreplayable_reason;       /* NULL when replayable */
    trace_settings settings;
    trace_table *tables;
    int ntables;
    trace_line *lines;
    int nlines;
    hist *h;                         /* the events */
    bool own_hist;                   /* trace_free frees h */
    trace_findings findings;
    trace_expect *expects;
    int nexpects;
} trace;

/* Writes t to path atomically (a temporary file in the same directory, then rename). */
int trace_write(const trace *t, const char *path, trace_err *err);
/* Any file, the same way: len bytes to a temporary file in path's directory, then rename,
 * so a reader never sees half a file. */
int trace_write_file(const char *path, const char *data, size_t len, trace_err *err);
/* The JSON text of t in a malloc'ed buffer. */
int trace_render(const trace *t, char **buf, size_t *len, trace_err *err);

/* Reads and checks a trace; name is used in messages. On failure *out is left empty. */
int trace_read(const char *path, trace *out, trace_err *err);
int trace_parse(const char *name, const char *buf, size_t len, trace *out, trace_err *err);
void trace_free(trace *t);

/* The table of the catalog by name, or NULL. */
const trace_table *trace_table_named(const trace *t, const char *name);
/* Rebuilds a predicate from its canonical text ("" = match all) against a table of the
 * catalog; NULL with a message in why when it does not parse or names unknown columns. */
pred *trace_pred_parse(const char *text, const trace_table *tb, char *why, size_t n);

/* Names of the settings' sync modes. */
const char *trace_sync_name(acid_sync s);

/* For the trace modules: fills err (when not NULL) and returns code. */
int trace_fail(trace_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
