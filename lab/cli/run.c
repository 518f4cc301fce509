/*
 * run.c: `acidbase run FILE|-`: a scenario run headless, its transcript printed, and with
 * --trace the run written as a trace.
 *
 * The runner hands each transcript entry to this file's sink as a record (record.h); the
 * sink prints it in the words run_record_text gives, on stdout, and a refused line or an
 * error on stderr as FILE:LINE:COL: message. --quiet prints only failed expectations and
 * errors. Output is flushed after each line, so a program can drive `acidbase run -
 * --dir DIR` through a pipe.
 *
 * Exit codes (assets/doc/scenarios.md, "Running"): 0 every expectation held; 1 some expectation failed (all are
 * reported); 2 invalid input (FILE:LINE:COL: message on stderr, nothing executed past the
 * bad line); 3 an I/O or internal error.
 */
#include "cli.h"
#include "run/runner.h"
#include "trace/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

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

typedef struct printer {
    const char *name;      /* as messages show the file ("-" shows as "<stdin>") */
    bool quiet;
} printer;

static void print_record(void *arg, const run_record *r)
{
    const printer *p = arg;
    char small[1024], *buf = small;
    int len = run_record_text(r, small, sizeof small);
    if (len >= (int)sizeof small && (buf = malloc((size_t)len + 1)))
        run_record_text(r, buf, (size_t)len + 1);
    if (!buf)
        buf = small;
    switch (r->kind) {
    case REC_INVALID:
        fprintf(stderr, "%s:%d:%d: %s\n", p->name, r->line, r->col, buf);
        break;
    case REC_ERROR:
        fprintf(stderr, "%s:%d: %s\n", p->name, r->line, buf);
        break;
    case REC_EXPECT:
        /* Failures print even with --quiet: they are what the reader came for. */
        if (r->outcome != RO_OK)
            printf("%s:%d: %s\n", p->name, r->line, buf);
        else if (!p->quiet)
            printf("%s\n", buf);
        break;
    default:
        if (!p->quiet)
            printf("%s\n", buf);
    }
    if (buf != small)
        free(buf);
}

/* Reads line lineno of any length into *buf (scn_read_line: no BOM, no NUL); 0 at EOF.
 * Lines longer than SCN_LINE_MAX are returned whole (the parser refuses them with a
 * position); a line with a NUL is an error printed at its position (*bad set). */
static int read_line(FILE *f, const char *path, int lineno, char **buf, size_t *cap, bool *bad)
{
    scn_error e;
    int rc = scn_read_line(f, lineno, buf, cap, &e);
    if (rc < 0) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, e.line, e.col, e.msg);
        *bad = true;
        return 0;
    }
    return rc;
}

/* A file is checked whole first: a typo on line 40 stops the run before line 1. Returns
 * RUN_OK, RUN_INVALID (messages printed) or RUN_IOERR. */
static int check_file(FILE *f, const char *path, char **buf, size_t *cap)
{
    int lineno = 0, bad = 0;
    bool nul = false;
    scn_line *l = calloc(1, sizeof *l);
    while (l && read_line(f, path, lineno + 1, buf, cap, &nul)) {
        scn_error e;
        lineno++;
        if (scn_parse_line(*buf, lineno, l, &e) == 0)
            scn_line_free(l);
        else if (bad++ < 20)
            fprintf(stderr, "%s:%d:%d: %s\n", path, e.line, e.col, e.msg);
        memset(l, 0, sizeof *l);
    }
    free(l);
    if (ferror(f)) {
        fprintf(stderr, "acidbase: reading %s: %s\n", path, strerror(errno));
        return RUN_IOERR;
    }
    if (bad || nul) {
        if (bad > 20)
            fprintf(stderr, "%s: %d more errors not shown\n", path, bad - 20);
        return RUN_INVALID;
    }
    rewind(f);
    return RUN_OK;
}

/* The whole run of path ("-" for stdin). */
static int run_file(runner_opts *o, const char *path, bool quiet, const char *trace_path)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "acidbase: cannot open %s: %s\n", path, strerror(errno));
        return RUN_IOERR;
    }
    char *buf = NULL;
    size_t cap = 0;
    int rc = from_stdin ? RUN_OK : check_file(f, path, &buf, &cap);
    printer pr = { from_stdin ? "<stdin>" : path, quiet };
    o->sink = (run_sink){ print_record, &pr };
    char err[1024];
    runner *r = rc == RUN_OK ? runner_new(o, err, sizeof err) : NULL;
    if (rc == RUN_OK && !r) {
        fprintf(stderr, "acidbase: %s\n", err);
        rc = RUN_IOERR;
    }
    int lineno = 0;
    bool nul = false;
    while (r && rc == RUN_OK && read_line(f, pr.name, lineno + 1, &buf, &cap, &nul)) {
        rc = runner_line(r, buf, ++lineno);
        fflush(stdout);
    }
    if (nul && rc == RUN_OK)
        rc = RUN_INVALID;
    if (r) {
        int passed, failed;
        runner_counts(r, &passed, &failed);
        if (passed + failed && (!quiet || failed))
            printf("expectations: %d passed, %d failed\n", passed, failed);
        fflush(stdout);
        int fin = runner_status(r);
        if (trace_path) {
            /* Written whatever the expectations said; not for a run cut short by an error. */
            trace_err te;
            if (rc != RUN_OK || fin == RUN_IOERR) {
                fprintf(stderr, "acidbase: no trace written to %s: the run stopped at an error\n", trace_path);
            } else if (trace_export_file(r, NULL, NULL, trace_path, &te)) {
                fprintf(stderr, "acidbase: %s\n", te.msg);
                fin = RUN_IOERR;
            }
        }
        if (rc == RUN_OK)
            rc = fin;
    }
    runner_free(r);
    if (!from_stdin)
        fclose(f);
    free(buf);
    return rc;
}

int cmd_run(int argc, char **argv, const cli_globals *g)
{
    (void)g;
    runner_opts o = { .real_sync = true };
    const char *file = NULL, *trace_path = NULL;
    bool quiet = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(run_help, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (!strcmp(a, "--dir") || !strcmp(a, "--seed") || !strcmp(a, "--trace")) {
            if (i + 1 >= argc)
                return cli_usage("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--dir")) {
                if (!*v)
                    return cli_usage("%s needs a directory", a);
                o.dir = v;
            } else if (!strcmp(a, "--seed")) {
                char *end;
                errno = 0;
                uint64_t s = strtoull(v, &end, 10);
                if (!*v || *end || errno || *v == '-')
                    return cli_usage("--seed needs a non-negative integer, not '%s'", v);
                o.seed = s;
            } else {
                if (!*v)
                    return cli_usage("%s needs a file name", a);
                trace_path = v;
            }
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("run: unknown option '%s'", a);
        } else if (file) {
            return cli_usage("run takes one scenario file; '%s' is a second one", a);
        } else {
            file = a;
        }
    }
    if (!file)
        return cli_usage("%s", "run needs a scenario FILE (or - for standard input)");
    return run_file(&o, file, quiet, trace_path);
}
