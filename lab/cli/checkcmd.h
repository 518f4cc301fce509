/*
 * checkcmd.h: the history checkers in one table, and the `acidbase check` command.
 *
 * Every checker reads a history and reports its findings in one shape (trace_finding).
 * The runner records them in a trace when a run ends, `check` re-runs them over a trace's
 * events, and `grade` over a replay; all three call check_run_all, whose table in
 * checkcmd.c holds the ACID checker (acidcheck.h) and the BASE one (basecheck.h): another
 * checker is one more row there and no change anywhere else.
 *
 * A trace does not store how the learner knows each transaction; check_labels derives it
 * from the TXN_BEGIN events the same way the engine does ("T1", "T1#2" for the session's
 * second transaction), so findings read the same as in the live run.
 *
 * `acidbase check` exit status: 0 the findings were printed and are the ones the trace
 * records; 1 they differ from the recorded ones (an edited trace, or another version's
 * checker); 2 usage error or an invalid trace; 3 an I/O error.
 */
#ifndef AB_CHECKCMD_H
#define AB_CHECKCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace/trace.h"

typedef void (*check_label_fn)(uint64_t txn, char *buf, size_t n, void *arg);

/* Runs every checker over h, appending to *out. Returns 0, or TRACE_NOMEM. */
int check_run_all(const hist *h, check_label_fn label, void *arg, trace_findings *out);

typedef struct check_labels check_labels;
check_labels *check_labels_new(const hist *h);
void check_labels_free(check_labels *l);
/* A check_label_fn over a check_labels. */
void check_label(uint64_t txn, char *buf, size_t n, void *labels);

/* The first difference between two lists of findings (a: recorded, b: recomputed), in
 * words; false when they are the same. */
bool check_findings_differ(const trace_findings *a, const trace_findings *b, char *why, size_t n);

/* `acidbase check ...` (argv without the command name). */
int check_main(int argc, char **argv);

#endif
