/*
 * export.h: a finished run as a trace. `acidbase run --trace`, the lab's `e` and :export,
 * and `progress --export` all make their trace here, from the runner's recorded lines,
 * expectations, settings, catalog, history and findings (the runner's, computed once per
 * step: the trace records exactly what the lab showed).
 *
 * The runner does not know about traces: exporting is what its callers do with a run.
 */
#ifndef AB_EXPORT_H
#define AB_EXPORT_H

#include "trace.h"
#include "run/runner.h"

/* The run so far as a trace: everything copied but the history, which is borrowed from r
 * (the trace must not outlive it). lesson and learner may be NULL. */
int trace_export(runner *r, const char *lesson, const char *learner, trace *out, trace_err *err);
/* trace_export + trace_write to path. */
int trace_export_file(runner *r, const char *lesson, const char *learner, const char *path, trace_err *err);
/* The same, naming the lesson's content hash too (lesson.h, lesson_hash; NULL none): a
 * grader can tell a trace made under another version of the lesson. */
int trace_export_lesson_file(runner *r, const char *lesson, const char *lesson_hash, const char *learner,
                             const char *path, trace_err *err);

#endif
