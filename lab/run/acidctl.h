/*
 * acidctl.h: the ACID side of a scenario run, as basectl.h is the BASE side. Turns setup:,
 * session (T1..T9) and engine: lines into calls on the engine (engines/acid/engine.h),
 * hands the transcript records of what happened to a sink (record.h: statement outcomes,
 * resumed and queued statements, engine events), and answers the ACID expectations (a
 * session's state, rows, value, error and level; a table's committed contents; deadlock).
 *
 * Validation comes first: a line this module refuses (an unknown table, CREATE TABLE in a
 * session, a statement setup does not take) has changed nothing.
 *
 * Not here: the checkers' expectations (anomalies; the runner asks findings.h), the BASE
 * side, traces.
 */
#ifndef AB_ACIDCTL_H
#define AB_ACIDCTL_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"
#include "scenario.h"
#include "acid/engine.h"
#include "history/history.h"

typedef struct acidctl acidctl;

/* Opens (and recovers) the database in dir; h receives the engine's events, out the
 * records of what opening did (recovery of an existing database; line 0). NULL with a
 * message in err on failure. */
acidctl *acidctl_new(const char *dir, bool real_sync, hist *h, const run_sink *out, char *err, size_t n);
void acidctl_free(acidctl *c);

enum { ACIDCTL_OK = 0, ACIDCTL_INVALID = -1, ACIDCTL_IOERR = -2 };

/* One setup:, T1..T9 or engine: line; its records go to out (NULL drops them). A session
 * statement moves to the engine (l->sql is left empty). Returns
 * ACIDCTL_OK; ACIDCTL_INVALID with msg and (*line, *col) where to point, nothing changed;
 * or ACIDCTL_IOERR with msg (the engine hit an I/O error). */
int acidctl_line(acidctl *c, scn_line *l, const run_sink *out, char *msg, size_t n, int *line, int *col);

/* An ACID expectation (EX_STATE, EX_ROWS, EX_VALUE, EX_ERROR, EX_TABLE, EX_DEADLOCK,
 * EX_LEVEL): 1 held, 0 failed (why says what was found), ACIDCTL_INVALID (why says, at
 * l->ex.word_col), ACIDCTL_IOERR. */
int acidctl_expect(acidctl *c, const scn_line *l, char *why, size_t n);

/* Is this expectation one of the ACID side's? */
bool acidctl_expects(scn_expect_kind k);

acid_engine *acidctl_engine(acidctl *c);
/* The sync mode as the scenario's `engine: sync` lines left it, and its group size. */
acid_sync acidctl_sync(const acidctl *c, int *group);
/* Buffer pool frames in use. */
int acidctl_frames(acidctl *c);

#endif
