/*
 * record.h: one entry of a run's transcript, as data. The runner and the two controllers
 * (acidctl.h, basectl.h) hand every entry to a sink as a run_record: what kind of entry it
 * is, which scenario line caused it, the session or replica it concerns, its text and its
 * result. Whoever listens decides what to do with it: `acidbase run` prints it
 * (lab/cli/run.c), the lab shows it in its event log and colours it by kind and outcome
 * (lab/tui/app.c), `grade` and lesson verification drop it. Nothing downstream parses
 * text that the runner printed (assets/doc/design.md, "data across the seam").
 *
 * The transcript's wording lives in one function, run_record_text, so the CLI and the lab
 * show the same words:
 *   REC_SAY        say: <text>
 *   REC_DIRECTIVE  <text>                                   (an engine:, cluster:, net: line)
 *   REC_RESULT     <text>  -> <result>                      (setup, run:, a client request)
 *   REC_STATEMENT  T<s>: <text>  -> <result>                (as it ran)
 *                    T<s> resumed: <text>  -> <result>    (after a release; indented)
 *                    T<s> then: <text>  -> <result>       (it waited behind; indented)
 *   REC_EVENT        * <text>                             (what an engine did by itself)
 *   REC_EXPECT     <text>  -> ok | <text>  -> FAILED: <result>
 *   REC_PREDICT    <text>  -> right | <text>  -> wrong: <result>   (a predict: line, judged
 *                  after the next step; never a failure of the run)
 *   REC_INVALID    <text>: the message for a refused line (line and col say where); the
 *                  line is not part of the run
 *   REC_ERROR      <text>: an I/O or internal error; the run cannot go on
 * Rows print as {key:value, ...}, the form `expect ... rows` takes, so a teacher can paste
 * what they saw into an expectation.
 *
 * Records are valid only during the call to the sink: a sink that keeps one copies it.
 */
#ifndef AB_RECORD_H
#define AB_RECORD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    REC_SAY = 1,
    REC_DIRECTIVE,
    REC_RESULT,
    REC_STATEMENT,
    REC_EVENT,
    REC_EXPECT,
    REC_INVALID,
    REC_ERROR,
    REC_PREDICT,
} run_rec_kind;

/* How it went, for the reader's eye (colours): a result, something waiting, a failure. */
typedef enum { RO_NONE = 0, RO_OK, RO_WAIT, RO_FAIL } run_outcome;

/* Which side it concerns: none (say:, expectations), the ACID engine, the replica set. */
typedef enum { RS_NONE = 0, RS_ACID, RS_BASE } run_side;

/* REC_STATEMENT: when the statement's result came. */
typedef enum { RH_NOW = 0, RH_RESUMED, RH_QUEUED } run_how;

typedef struct run_record {
    run_rec_kind kind;
    run_outcome outcome;
    run_side side;
    int line;              /* the scenario line being run (its number in the file or session) */
    int col;               /* REC_INVALID: where on the line; 0 otherwise */
    int session;           /* REC_STATEMENT: T1..T9; 0 none */
    int replica;           /* a client request's coordinator, n1..n9; 0 none */
    run_how how;           /* REC_STATEMENT */
    const char *text;      /* the line, statement or event (never NULL) */
    const char *result;    /* what it gave, or why an expectation failed; NULL when none */
} run_record;

typedef struct run_sink {
    void (*fn)(void *arg, const run_record *r);
    void *arg;
} run_sink;

/* Hands r to the sink; a NULL sink or one without fn drops it. */
void run_emit(const run_sink *s, const run_record *r);

/* The transcript line(s) of r, as `acidbase run` prints them (without the FILE:LINE: that
 * the CLI puts before a failed expectation). Returns the length it needed, as snprintf. */
int run_record_text(const run_record *r, char *buf, size_t n);

#endif
