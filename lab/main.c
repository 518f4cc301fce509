/*
 * main.c: the acidbase command line. One small table of commands, each with its own
 * --help; `--version` works everywhere. The commands themselves live in their modules.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkcmd.h"
#include "grade.h"
#include "runner.h"

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

enum { EXIT_USAGE = 2 };

static const char *main_help =
    "acidbase lab %s: see ACID and BASE happen, one step at a time.\n"
    "\n"
    "usage: acidbase [--help] [--version] <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE|-      run a scenario headless and print what happened; --trace OUT.json\n"
    "                  also writes the run as a JSON trace (see `acidbase run --help`)\n"
    "  check TRACE     run the history checkers over a trace again and explain what they find\n"
    "  grade TRACE...  replay traces, reject any that differ, score the rest (text, JSON,\n"
    "                  Gradescope results.json, CSV summary; see `acidbase grade --help`)\n"
    "\n"
    "Not built yet: the full-screen lab (`acidbase` alone, `acidbase lab`), lessons, progress\n"
    "and benchmarks (`bench`).\n"
    "Until the lab screen exists, try:  acidbase run assets/tour.scn\n"
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf(main_help, ACIDBASE_VERSION);
        return 0;
    }
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
    if (!strcmp(cmd, "grade"))
        return grade_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "lab") || !strcmp(cmd, "replay") || !strcmp(cmd, "lessons") || !strcmp(cmd, "lesson") || !strcmp(cmd, "progress") || !strcmp(cmd, "bench")) {
        fprintf(stderr, "acidbase: '%s' is not built yet; `acidbase run FILE` is what works today\n", cmd);
        return EXIT_USAGE;
    }
    return usage_error("unknown command '%s'", cmd);
}
