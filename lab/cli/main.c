/*
 * main.c: the acidbase command line. One small table of commands, each with its own
 * --help; `--version` works everywhere. The commands themselves live in their modules.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "checkcmd.h"
#include "trace/grade.h"
#include "lessoncmd.h"
#include "progresscmd.h"
#include "learn/progress.h"
#include "run/runner.h"
#include "tui/tui.h"

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

enum { EXIT_USAGE = 2 };

static const char *main_help =
    "acidbase lab %s: see ACID and BASE happen, one step at a time.\n"
    "\n"
    "usage: acidbase [--help] [--version] [--db PATH] [--user NAME] [<command>] [options]\n"
    "\n"
    "  --db PATH       the progress database (default $ACIDBASE_DB, else\n"
    "                  $XDG_DATA_HOME/acidbase/progress.db or ~/.local/share/acidbase/progress.db)\n"
    "  --user NAME     the learner (default: the login name)\n"
    "\n"
    "commands:\n"
    "  (none)          open the lab at its menu (a terminal of 80x24 or larger)\n"
    "  lab [FILE]      the lab's sandbox, with FILE's lines queued to step through\n"
    "  replay TRACE    open a trace in the lab and step through it, forwards and backwards\n"
    "  keys            print the lab's keys\n"
    "  run FILE|-      run a scenario headless and print what happened; --trace OUT.json\n"
    "                  also writes the run as a JSON trace (see `acidbase run --help`)\n"
    "  check TRACE     run the history checkers over a trace again and explain what they find\n"
    "  grade TRACE...  replay traces, reject any that differ, score the rest (text, JSON,\n"
    "                  Gradescope results.json, CSV summary; see `acidbase grade --help`)\n"
    "  bench [NAME...] the benchmark suite: the engines against the disk, SQLite and the\n"
    "                  theory (--json for one JSON object; see `acidbase bench --help`)\n"
    "  progress        a learner's progress; --export DIR writes traces for grading,\n"
    "                  --reset [LESSON] forgets it (see `acidbase progress --help`)\n"
    "  lessons         the lessons and their status; --verify checks each one's reference\n"
    "                  solution (see `acidbase lessons --help`)\n"
    "  lesson ID|N     a lesson, by id or number; --show prints it as text\n"
    "\n"
    "A first look:  acidbase lab assets/tour.scn   (n steps, b steps back, ? shows the keys)\n"
    "\n"
    "The scenario language: assets/doc/scenarios.md; traces: assets/doc/traces.md.\n"
    "Exit codes: each command's --help.\n";

static const char *run_help =
    "usage: acidbase run FILE|- [--dir DIR] [--seed N] [--quiet] [--trace OUT.json]\n"
    "\n"
    "Runs a scenario (FILE, or standard input for -) line by line and prints a transcript:\n"
    "every statement's result, blocked and resumed statements, deadlocks, crashes and\n"
    "recovery, and every expectation. Output is flushed after each line, so a program can\n"
    "drive `acidbase run - --dir DIR` through a pipe.\n"
    "\n"
    "options:\n"
    "  --dir DIR       keep the database (acidbase.log, acidbase.db) in DIR; an existing DIR is\n"
    "                  recovered first. Without it a private temporary directory is used and removed.\n"
    "  --seed N        seed for the BASE side's random choices when the scenario sets none\n"
    "                  (a `cluster: seed` line wins; the seed used is recorded in traces)\n"
    "  --quiet         print only failed expectations and errors\n"
    "  --trace OUT     write the run as a JSON trace to OUT (atomically), whatever the\n"
    "                  expectations say; not written when the run stops at invalid input or\n"
    "                  an I/O error (format: assets/doc/traces.md)\n"
    "  --help, --version\n"
    "\n"
    "exit status:\n"
    "  0  every expectation held\n"
    "  1  an expectation failed (all are reported)\n"
    "  2  invalid input: FILE:LINE:COL: message on stderr, nothing run past the bad line\n"
    "     (also: bad command-line options)\n"
    "  3  an I/O or internal error (also: the trace cannot be written)\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase --help)\n");
    return EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
    runner_opts o = { .real_sync = true };
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(run_help, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o.quiet = true;
        } else if (!strcmp(a, "--dir") || !strcmp(a, "--seed") || !strcmp(a, "--trace")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--dir")) {
                if (!*v)
                    return usage_error("%s needs a directory", a);
                o.dir = v;
            } else if (!strcmp(a, "--seed")) {
                char *end;
                errno = 0;
                uint64_t s = strtoull(v, &end, 10);
                if (!*v || *end || errno || *v == '-')
                    return usage_error("--seed needs a non-negative integer, not '%s'", v);
                o.seed = s;
            } else {
                if (!*v)
                    return usage_error("%s needs a file name", a);
                o.trace_path = v;
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error("run: unknown option '%s'", a);
        } else if (file) {
            return usage_error("run takes one scenario file; '%s' is a second one", a);
        } else {
            file = a;
        }
    }
    if (!file)
        return usage_error("%s", "run needs a scenario FILE (or - for standard input)");
    o.file = file;
    return runner_run_file(&o, file);
}

static const char *lab_help =
    "usage: acidbase [lab [FILE] | replay TRACE] [--seed N] [--theme dark|light] [--present]\n"
    "\n"
    "Opens the lab: the ACID engine on the left, the replica set on the right, the narration,\n"
    "the checkers' findings and the event log below, and a command line (:) that takes any\n"
    "scenario line. With FILE, its lines are queued: n runs the next one, 1..9 the next\n"
    "statement of a session (you choose the interleaving), b steps back. `acidbase keys`\n"
    "lists every key; ? shows them in the lab.\n"
    "\n"
    "options:\n"
    "  --seed N        seed for the replica set when the scenario sets none\n"
    "  --theme T       dark (default) or light (projectors)\n"
    "  --present       classroom mode\n"
    "\n"
    "exit status: 0 after quitting; 2 bad options, no terminal, or a file that cannot be\n"
    "read; 3 the terminal could not be started; 130 interrupted.\n";

static const progress_globals *the_globals;

typedef struct lesson_status_ctx { progress *pg; char learner[80]; } lesson_status_ctx;

/* The learner's status of a lesson, for the `lessons` listing. */
static bool lesson_status(const lesson *l, char *buf, size_t n, void *arg)
{
    lesson_status_ctx *c = arg;
    progress_rec rec;
    memset(&rec, 0, sizeof rec);
    if (progress_get(c->pg, c->learner, l->id, &rec) != PROGRESS_OK)
        return false;
    if (rec.status == PROGRESS_DONE)
        snprintf(buf, n, "done");
    else if (rec.status == PROGRESS_STARTED)
        snprintf(buf, n, "started, %d of %d goals", rec.ngoals, l->ngoals);
    else
        snprintf(buf, n, "new");
    progress_rec_free(&rec);
    return true;
}

/* `acidbase lessons`, with the learner's progress when the database opens. */
static int lessons_with_progress(int argc, char **argv, const progress_globals *g)
{
    lesson_status_ctx c = { 0 };
    char path[1024];
    progress_default_learner(g->user, c.learner, sizeof c.learner);
    if (progress_default_path(g->db, path, sizeof path) == PROGRESS_OK && progress_open(path, &c.pg) == PROGRESS_OK)
        lessoncmd_set_progress(lesson_status, &c);
    int rc = lessons_main(argc, argv);
    lessoncmd_set_progress(NULL, NULL);
    if (c.pg)
        progress_close(c.pg);
    return rc;
}

static int cmd_lab(tui_start start, int argc, char **argv)
{
    tui_opts o = { .start = start };
    if (the_globals) {
        o.db = the_globals->db;
        o.user = the_globals->user;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lab_help, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return 0;
        } else if (!strcmp(a, "--present")) {
            o.present = true;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--theme")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--theme")) {
                if (strcmp(v, "dark") && strcmp(v, "light"))
                    return usage_error("--theme is dark or light, not '%s'", v);
                o.theme = v;
            } else {
                char *end;
                errno = 0;
                o.seed = strtoull(v, &end, 10);
                if (!*v || *end || errno || *v == '-')
                    return usage_error("--seed needs a non-negative integer, not '%s'", v);
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (o.path || start == TUI_MENU) {
            return usage_error("one file at most; '%s' is extra", a);
        } else {
            o.path = a;
        }
    }
    if (start == TUI_REPLAY && !o.path)
        return usage_error("%s", "replay needs a trace file: acidbase replay TRACE.json");
    if (start == TUI_LESSON && !o.path)
        return usage_error("%s", "lesson needs an id or a number: acidbase lesson 5 (acidbase lessons lists them)");
    if (o.path && start == TUI_SANDBOX && access(o.path, R_OK) != 0) {
        fprintf(stderr, "acidbase: cannot open %s: %s\n", o.path, strerror(errno));
        return EXIT_USAGE;
    }
    return tui_main(&o);
}

/* Memory the lab frees stays with it, to be used again (glibc: no mmap'd blocks, no trimming).
 * Performance: the lab runs the checkers again after every step, over a history that only
 * grows, and their tables are tens of megabytes; given back to the system after each run,
 * they were faulted in afresh by the next, which on a virtual machine costs about a quarter
 * of a long history's check (BENCHMARKS.md, checker). The history's own chunks are mapped
 * separately (engines/history/history.c). */
static void keep_freed_memory(void)
{
#ifdef M_MMAP_MAX
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

int main(int argc, char **argv)
{
    keep_freed_memory();
    /* Global options come before the command: acidbase --db P --user ana lesson 5. */
    progress_globals globals = { 0 };
    int nglobal = progress_globals_parse(argc - 1, argv + 1, &globals);
    if (nglobal < 0)
        return EXIT_USAGE;
    argv[nglobal] = argv[0];
    argv += nglobal;
    argc -= nglobal;
    the_globals = &globals;
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") && strcmp(argv[1], "-h") &&
                     strcmp(argv[1], "--version")))
        return cmd_lab(TUI_MENU, argc - 1, argv + 1);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        printf(main_help, ACIDBASE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("acidbase %s\n", ACIDBASE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "check"))
        return check_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return bench_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "grade"))
        return grade_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "lab"))
        return cmd_lab(TUI_SANDBOX, argc - 2, argv + 2);
    if (!strcmp(cmd, "replay"))
        return cmd_lab(TUI_REPLAY, argc - 2, argv + 2);
    if (!strcmp(cmd, "keys")) {
        tui_print_keys(stdout);
        return 0;
    }
    if (!strcmp(cmd, "progress"))
        return progress_main(argc - 2, argv + 2, &globals);
    if (!strcmp(cmd, "lessons"))
        return lessons_with_progress(argc - 2, argv + 2, &globals);
    if (!strcmp(cmd, "lesson")) {
        /* --show prints the lesson; otherwise it opens on the screen. */
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--show") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
                return lesson_main(argc - 2, argv + 2);
        return cmd_lab(TUI_LESSON, argc - 2, argv + 2);
    }
    return usage_error("unknown command '%s'", cmd);
}
