/*
 * grade.c: `acidbase grade`: the options, then grade.h for each trace and report.h for
 * what to print or write.
 *
 * Each trace is graded in a child process (fork), its result sent back through a pipe
 * (grade_result_encode): a trace that crashes the grader, or runs past --timeout, is
 * reported as not gradable and every other trace is graded and written as usual. A class's
 * results.json and CSV never depend on one student's file being well-behaved.
 *
 * Then two checks across the traces, which grading one trace cannot make: the learner each
 * trace names against the one expected (--expect-learner, or taken from the file's name,
 * its directory, or Gradescope's submission metadata), and two submissions that carry the
 * same run (a warning: a copy, or two people who typed the same lines).
 */
#include "cli.h"
#include "trace/grade.h"
#include "trace/report.h"
#include "learn/lesson.h"
#include "common/text.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { GRADE_EXIT_USAGE = 2 };

/* Where the learner each trace must name comes from (--expect-learner...). */
typedef enum { EXPECT_NONE, EXPECT_NAME, EXPECT_FILE, EXPECT_DIR, EXPECT_GRADESCOPE } expect_from;

#define GRADESCOPE_METADATA "/autograder/submission_metadata.json"
#define GRADE_TIMEOUT_DEFAULT 300

static const char *grade_help =
    "usage: acidbase grade TRACE.json... [--format text|json|gradescope] [--out FILE]\n"
    "                      [--csv SUMMARY.csv] [--lesson ID] [--timeout SECONDS]\n"
    "                      [--expect-learner NAME | --expect-learner-from file|dir|gradescope[=PATH]]\n"
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
    "  --timeout SECONDS\n"
    "                  give up on a trace whose grading takes longer (default 300; 0: no\n"
    "                  limit); it is reported as not gradable and the others are graded\n"
    "  --expect-learner NAME\n"
    "                  every trace must name this learner; another learner's trace is not\n"
    "                  graded (status wrong-learner)\n"
    "  --expect-learner-from file|dir|gradescope[=PATH]\n"
    "                  the learner each trace must name: its file's name as `progress\n"
    "                  --export` writes it (LEARNER-LESSON.json, or LEARNER.json), the name\n"
    "                  of the directory it is in (one directory per student), or a user of\n"
    "                  Gradescope's submission metadata (default\n"
    "                  " GRADESCOPE_METADATA "): their email, the part of\n"
    "                  it before the @, or their name\n"
    "  --help, --version\n"
    "\n"
    "What grading proves and does not: a trace that is accepted is exactly what its lines do\n"
    "with its seed. Who ran it, when and with which build are the file's claims (learner,\n"
    "created, lab_version): --expect-learner ties a submission to a learner only as far as\n"
    "the file's own claim goes. Two traces that carry the same run (the same seed and lines,\n"
    "so the same events) are named in a warning: a copy, or two people who typed the same\n"
    "lines. Each trace is graded in a process of its own, so one that crashes the grader or\n"
    "times out is reported as not gradable and every other one is graded and written.\n"
    "\n"
    "status of a trace: accepted; rejected (its replay differs: edited or damaged, or not a\n"
    "readable trace); version-mismatch (a trace of another acidbase version); wrong-learner;\n"
    "not-gradable.\n"
    "\n"
    "exit status (the highest that applies):\n"
    "  0  every trace was accepted and every test passed\n"
    "  1  some trace was rejected, of another version or another learner, or some test failed\n"
    "  2  usage error, or some file is not a valid trace (FILE: field: message)\n"
    "  3  an I/O error: a trace cannot be read, a report cannot be written, or a trace could\n"
    "     not be graded (the grader crashed or timed out on it)\n"
    "\n"
    "The trace format and what it proves: assets/doc/traces.md.\n";

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

/* ---- one trace, in a process of its own ------------------------------------------------ */

static void not_gradable(const char *file, int status, unsigned timeout, grade_result *out)
{
    memset(out, 0, sizeof *out);
    out->file = strdup(file);
    out->status = GRADE_UNGRADABLE;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM && timeout)
        snprintf(out->reason, sizeof out->reason, "grading it took longer than %u s (--timeout); it was stopped and "
                 "not graded", timeout);
    else if (WIFSIGNALED(status))
        snprintf(out->reason, sizeof out->reason, "the grader stopped on this trace (signal %d, %s); it was not graded: "
                 "please report it with the file", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out->reason, sizeof out->reason, "the grader failed on this trace (exit %d); it was not graded",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void grade_one(const char *file, const lesson *l, unsigned timeout, grade_result *out)
{
    int fd[2];
    fflush(NULL);
    pid_t pid = pipe(fd) == 0 ? fork() : -1;
    if (pid < 0) {
        /* No process to spare: grade here (nothing is isolated, nothing is lost). */
        grade_file_lesson(file, l, out);
        return;
    }
    if (pid == 0) {
        close(fd[0]);
        if (timeout)
            alarm(timeout);
        grade_result r;
        grade_file_lesson(file, l, &r);
        char *buf = NULL;
        size_t len = 0, off = 0;
        if (grade_result_encode(&r, &buf, &len) != 0)
            _exit(4);
        while (off < len) {
            ssize_t k = write(fd[1], buf + off, len - off);
            if (k < 0 && errno != EINTR)
                _exit(5);
            off += k > 0 ? (size_t)k : 0;
        }
        free(buf);
        grade_result_free(&r);
        close(fd[1]);
        /* exit, not _exit: stdio holds nothing (flushed before the fork), and the exit
         * handlers include the sanitizers' leak check, so a leak in grading one trace
         * still fails the sanitized test suite (the parent then reports not-gradable). */
        exit(0);
    }
    close(fd[1]);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 16);
            if (!nb)
                break;
            buf = nb;
        }
        ssize_t k = read(fd[0], buf + len, cap - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0 && buf && grade_result_decode(buf, len, out) == 0))
        not_gradable(file, status, timeout, out);
    free(buf);
}

/* ---- the learner each trace must name -------------------------------------------------- */

/* The learners Gradescope's metadata names, as "|email|local-part|name|..." in *out. */
static int gradescope_learners(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "acidbase: grade: --expect-learner-from gradescope: cannot open %s: %s\n", path, strerror(errno));
        return 3;
    }
    char *text = malloc(1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text)
        return 3;
    text[n] = 0;
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(root, "users");
    size_t cap = 2, o = 0;
    char *list = malloc(cap);
    if (list)
        list[o++] = '|', list[o] = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, users) {
        const char *fields[2] = { "email", "name" };
        for (int i = 0; i < 2 && list; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, fields[i]);
            if (!cJSON_IsString(v) || !v->valuestring[0])
                continue;
            const char *at = i == 0 ? strchr(v->valuestring, '@') : NULL;
            size_t need = o + 2 * strlen(v->valuestring) + 4;
            if (need > cap) {
                char *nl = realloc(list, cap = need * 2);
                if (!nl) {
                    free(list);
                    list = NULL;
                    break;
                }
                list = nl;
            }
            o += (size_t)sprintf(list + o, "%s|", v->valuestring);
            if (at)
                o += (size_t)sprintf(list + o, "%.*s|", (int)(at - v->valuestring), v->valuestring);
        }
    }
    cJSON_Delete(root);
    if (!list || o <= 1) {
        free(list);
        fprintf(stderr, "acidbase: grade: --expect-learner-from gradescope: %s names no user (expected \"users\": "
                        "[{\"email\", \"name\"}], as Gradescope writes it)\n", path);
        return GRADE_EXIT_USAGE;
    }
    *out = list;
    return 0;
}

/* The learner file should name by its path: "ana" for .../ana-dirty-read.json (lesson
 * dirty-read) or .../ana.json; the directory's name for .../ana/trace.json. */
static void learner_from_path(const char *file, const char *lesson_id, bool dir, char *buf, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", file);
    char *slash = strrchr(path, '/');
    if (dir) {
        if (!slash) {
            char cwd[4096];
            snprintf(buf, n, "%s", getcwd(cwd, sizeof cwd) && strrchr(cwd, '/') ? strrchr(cwd, '/') + 1 : "");
            return;
        }
        *slash = 0;
        slash = strrchr(path, '/');
        snprintf(buf, n, "%.*s", (int)(n - 1), slash ? slash + 1 : path);
        return;
    }
    char *base = slash ? slash + 1 : path;
    size_t len = strlen(base);
    if (len > 5 && !strcmp(base + len - 5, ".json"))
        base[len -= 5] = 0;
    size_t ll = lesson_id ? strlen(lesson_id) : 0;
    if (ll && len > ll + 1 && base[len - ll - 1] == '-' && !strcmp(base + len - ll, lesson_id))
        base[len - ll - 1] = 0;
    snprintf(buf, n, "%.*s", (int)(n - 1), base);
}

/* A trace that names another learner than the one expected is not graded. */
static void check_learner(grade_result *r, expect_from how, const char *name, const char *gradescope)
{
    if (how == EXPECT_NONE || (r->status != GRADE_ACCEPTED && r->status != GRADE_REJECTED))
        return;
    char want[4096];
    bool ok;
    const char *has = r->learner ? r->learner : "";
    if (how == EXPECT_GRADESCOPE) {
        char bar[600];
        snprintf(bar, sizeof bar, "|%s|", has);
        ok = has[0] && strstr(gradescope, bar) != NULL;
    } else {
        if (how == EXPECT_NAME)
            snprintf(want, sizeof want, "%s", name);
        else
            learner_from_path(r->file, r->lesson, how == EXPECT_DIR, want, sizeof want);
        ok = strcmp(want, has) == 0;
    }
    if (ok)
        return;
    char was[sizeof r->reason];
    snprintf(was, sizeof was, "%s", r->status == GRADE_REJECTED ? r->reason : "");
    static const char *const from[] = { "", "--expect-learner", "the file's name", "the file's directory",
                                        "Gradescope's submission metadata" };
    if (how == EXPECT_GRADESCOPE)
        snprintf(r->reason, sizeof r->reason, "the trace names %s%.200s%s, who is not a user of this submission (%s)%s%.600s",
                 r->learner ? "learner '" : "no learner", has, r->learner ? "'" : "", from[how], was[0] ? "; besides, " : "",
                 was);
    else
        snprintf(r->reason, sizeof r->reason, "the trace names %s%.200s%s, and this submission's learner is '%.200s' "
                 "(%s)%s%.600s", r->learner ? "learner '" : "no learner", has, r->learner ? "'" : "", want, from[how],
                 was[0] ? "; besides, " : "", was);
    r->status = GRADE_LEARNER;
    r->score = 0;
    for (int i = 0; i < r->ntests; i++) {
        r->tests[i].ok = false;
        free(r->tests[i].output);
        r->tests[i].output = strdup("not graded: the trace names another learner");
    }
    r->has_run = false;
}

/* ---- the same run in two submissions ---------------------------------------------------- */

static void same_runs(grade_result *rs, int n)
{
    for (int i = 0; i < n; i++) {
        if (!rs[i].has_run)
            continue;
        size_t o = 0, cap = 0;
        char *list = NULL;
        for (int j = 0; j < n; j++) {
            if (j == i || !rs[j].has_run || rs[j].run != rs[i].run)
                continue;
            size_t need = o + strlen(rs[j].file) + 3;
            if (need > cap) {
                char *nl = realloc(list, cap = need * 2);
                if (!nl)
                    break;
                list = nl;
            }
            o += (size_t)sprintf(list + o, "%s%s", o ? ", " : "", rs[j].file);
        }
        rs[i].same_run = list;
    }
    /* Each pair once on stderr, with the creation times: equal to the second, the file was
     * most likely copied (a claim too, but one a copy keeps). */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; rs[i].has_run && j < n; j++) {
            if (!rs[j].has_run || rs[j].run != rs[i].run)
                continue;
            char *a = text_escape_dup(rs[i].file), *b = text_escape_dup(rs[j].file);
            fprintf(stderr, "acidbase: grade: warning: %s and %s carry the same run (the same seed and lines, so the "
                            "same %zu events)%s\n", a ? a : "?", b ? b : "?", rs[i].events,
                    strcmp(rs[i].created, rs[j].created) ? "" : ", and the same creation time: one is likely a copy");
            free(a);
            free(b);
        }
}

int cmd_grade(int argc, char **argv, const cli_globals *g)
{
    (void)g;
    const char *format = "text", *out = NULL, *csv = NULL, *lesson_id = NULL, *expect_name = NULL;
    const char *gradescope_path = GRADESCOPE_METADATA;
    expect_from expect = EXPECT_NONE;
    unsigned timeout = GRADE_TIMEOUT_DEFAULT;
    char *gradescope = NULL;
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
        } else if (!strcmp(a, "--format") || !strcmp(a, "--out") || !strcmp(a, "--csv") || !strcmp(a, "--lesson") ||
                   !strcmp(a, "--timeout") || !strcmp(a, "--expect-learner") || !strcmp(a, "--expect-learner-from")) {
            if (i + 1 >= argc) {
                free(files);
                return usage("%s needs a value", a);
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--timeout")) {
                char *end;
                errno = 0;
                unsigned long t = strtoul(v, &end, 10);
                if (!*v || *end || errno || t > 86400 || v[0] == '-') {
                    free(files);
                    return usage("--timeout needs a number of seconds (0 to 86400), not '%s'", v);
                }
                timeout = (unsigned)t;
                continue;
            }
            if (!strcmp(a, "--expect-learner") || !strcmp(a, "--expect-learner-from")) {
                if (expect != EXPECT_NONE) {
                    free(files);
                    return usage("%s", "--expect-learner and --expect-learner-from: one at a time");
                }
                if (!strcmp(a, "--expect-learner")) {
                    if (!*v) {
                        free(files);
                        return usage("%s needs a value", a);
                    }
                    expect = EXPECT_NAME;
                    expect_name = v;
                } else if (!strcmp(v, "file")) {
                    expect = EXPECT_FILE;
                } else if (!strcmp(v, "dir")) {
                    expect = EXPECT_DIR;
                } else if (!strcmp(v, "gradescope") || !strncmp(v, "gradescope=", 11)) {
                    expect = EXPECT_GRADESCOPE;
                    if (v[10] == '=')
                        gradescope_path = v + 11;
                } else {
                    free(files);
                    return usage("--expect-learner-from is file, dir or gradescope[=PATH], not '%s'", v);
                }
                continue;
            }
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
    if (expect == EXPECT_GRADESCOPE) {
        int grc = gradescope_learners(gradescope_path, &gradescope);
        if (grc) {
            lesson_set_free(&lessons);
            free(files);
            return grc;
        }
    }
    grade_result *rs = calloc((size_t)nfiles, sizeof *rs);
    if (!rs) {
        lesson_set_free(&lessons);
        free(files);
        free(gradescope);
        return 3;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        grade_one(files[i], the_lesson, timeout, &rs[i]);
        check_learner(&rs[i], expect, expect_name, gradescope);
        grade_status st = rs[i].status;
        int k = st == GRADE_IOERR || st == GRADE_UNGRADABLE ? 3 : st == GRADE_INVALID ? 2
              : st != GRADE_ACCEPTED || rs[i].score < rs[i].max_score ? 1 : 0;
        if (k > rc)
            rc = k;
        /* Problems go to stderr as well, so a report in a file does not hide them. */
        if (st != GRADE_ACCEPTED && (out || strcmp(format, "text"))) {
            char *f = text_escape_dup(rs[i].file), *why = text_escape_dup(rs[i].reason);
            fprintf(stderr, "acidbase: grade: %s: %s: %s\n", f ? f : "?", grade_status_word(st), why ? why : "?");
            free(f);
            free(why);
        }
    }
    free(gradescope);
    same_runs(rs, nfiles);
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
