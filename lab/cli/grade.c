/*
 * grade.c: `acidbase grade`: the options, then grade.h for each trace and report.h for
 * what to print or write.
 */
#include "cli.h"
#include "trace/grade.h"
#include "trace/report.h"
#include "learn/lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GRADE_EXIT_USAGE = 2 };

static const char *grade_help =
    "usage: acidbase grade TRACE.json... [--format text|json|gradescope] [--out FILE]\n"
    "                      [--csv SUMMARY.csv] [--lesson ID]\n"
    "\n"
    "Grades traces written by `acidbase run FILE --trace TRACE.json` (or the lab). Each trace\n"
    "is verified first: its scenario lines are run again with its seed on a fresh database,\n"
    "and every event, the findings and every expectation's result must come out exactly as\n"
    "recorded. A trace that differs (edited by hand, or from an incompatible version) is\n"
    "rejected with the first differing event and never graded; so is a trace of a run that\n"
    "started on an existing --dir database, which cannot be replayed.\n"
    "An accepted trace scores one point per `expect` line that holds in the replay.\n"
    "\n"
    "options:\n"
    "  --format text   a report for people (the default)\n"
    "  --format json   {\"traces\": [{file, learner, status, reason, score, max_score, tests}],\n"
    "                  \"summary\": {...}}\n"
    "  --format gradescope\n"
    "                  Gradescope's results.json: score, max_score, tests [{name, score,\n"
    "                  max_score, status, output, visibility}]; each trace adds a 0-point\n"
    "                  \"replay verification\" test\n"
    "  --out FILE      write the report to FILE (atomically) instead of standard output\n"
    "  --csv FILE      also write a CSV summary, one row per trace:\n"
    "                  file,learner,status,score,max_score,reason\n"
    "  --lesson ID|N   grade the lesson's goals too: each goal is a test worth its weight,\n"
    "                  met when its checks all hold after some step of the replay\n"
    "  --help, --version\n"
    "\n"
    "exit status (the highest that applies):\n"
    "  0  every trace was accepted and every test passed\n"
    "  1  some trace was rejected, or some test failed\n"
    "  2  usage error, or some file is not a valid trace (FILE: field: message)\n"
    "  3  an I/O error: a trace cannot be read, or a report cannot be written\n"
    "\n"
    "The trace format: assets/doc/traces.md.\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: grade: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase grade --help)\n");
    return GRADE_EXIT_USAGE;
}

/* Writes a memory stream's text to path, or stdout when path is NULL. */
static int emit(const char *path, const char *text, size_t len)
{
    if (!path) {
        fwrite(text, 1, len, stdout);
        return fflush(stdout) ? 3 : 0;
    }
    trace_err err;
    if (trace_write_file(path, text, len, &err)) {
        fprintf(stderr, "acidbase: grade: %s\n", err.msg);
        return 3;
    }
    return 0;
}

int cmd_grade(int argc, char **argv, const cli_globals *g)
{
    (void)g;
    const char *format = "text", *out = NULL, *csv = NULL, *lesson_id = NULL;
    lesson_set lessons = { 0 };
    const lesson *the_lesson = NULL;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    if (!files)
        return 3;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(grade_help, stdout);
            free(files);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            free(files);
            return 0;
        } else if (!strcmp(a, "--format") || !strcmp(a, "--out") || !strcmp(a, "--csv") || !strcmp(a, "--lesson")) {
            if (i + 1 >= argc) {
                free(files);
                return usage("%s needs a value", a);
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--lesson")) {
                lesson_id = v;
                continue;
            }
            if (!*v) {
                free(files);
                return usage("%s needs a value", a);
            }
            if (!strcmp(a, "--format")) {
                if (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "gradescope")) {
                    free(files);
                    return usage("--format is text, json or gradescope, not '%s'", v);
                }
                format = v;
            } else if (!strcmp(a, "--out")) {
                out = v;
            } else {
                csv = v;
            }
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return usage("unknown option '%s'", a);
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        free(files);
        return usage("%s", "grade needs at least one TRACE.json");
    }
    if (lesson_id) {
        lesson_load_all(NULL, &lessons);
        lesson *l = lesson_find(&lessons, lesson_id);
        if (!l || l->broken) {
            fprintf(stderr, "acidbase: grade: --lesson %s: %s\n", lesson_id,
                    l ? l->error : "no such lesson (acidbase lessons lists them)");
            lesson_set_free(&lessons);
            free(files);
            return GRADE_EXIT_USAGE;
        }
        the_lesson = l;
    }
    grade_result *rs = calloc((size_t)nfiles, sizeof *rs);
    if (!rs) {
        lesson_set_free(&lessons);
        free(files);
        return 3;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        grade_file_lesson(files[i], the_lesson, &rs[i]);
        int k = rs[i].status == GRADE_IOERR ? 3 : rs[i].status == GRADE_INVALID ? 2
              : rs[i].status == GRADE_REJECTED || rs[i].score < rs[i].max_score ? 1 : 0;
        if (k > rc)
            rc = k;
        /* Problems go to stderr as well, so a report in a file does not hide them. */
        if (rs[i].status != GRADE_ACCEPTED && (out || strcmp(format, "text")))
            fprintf(stderr, "acidbase: grade: %s: rejected: %s\n", rs[i].file, rs[i].reason);
    }
    int wrc = 0;
    if (!strcmp(format, "text")) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            grade_report_text(m, rs, nfiles);
            fclose(m);
            wrc = emit(out, buf, len);
        } else {
            wrc = 3;
        }
        free(buf);
    } else {
        char *s = grade_report_json(rs, nfiles, !strcmp(format, "gradescope"));
        if (s) {
            size_t len = strlen(s);
            s[len] = 0;
            char *t = realloc(s, len + 2);
            if (t) {
                t[len] = '\n';
                t[len + 1] = 0;
                s = t;
                len++;
            }
            wrc = emit(out, s, len);
        } else {
            wrc = 3;
        }
        free(s);
    }
    if (csv && !wrc) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            grade_report_csv(m, rs, nfiles);
            fclose(m);
            wrc = emit(csv, buf, len);
        } else {
            wrc = 3;
        }
        free(buf);
    }
    if (wrc > rc)
        rc = wrc;
    for (int i = 0; i < nfiles; i++)
        grade_result_free(&rs[i]);
    free(rs);
    lesson_set_free(&lessons);
    free(files);
    return rc;
}
