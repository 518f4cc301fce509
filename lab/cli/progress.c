/*
 * progress.c: `acidbase progress` (show, export for grading, reset) and the global options
 * every command shares (--db PATH, --user NAME; cli.h). The store itself is
 * lab/learn/progress.h; the command knows lessons only by the ids the store holds.
 *
 * The export replays each lesson's saved lines through a fresh runner (no --dir, so the
 * trace is replayable) and writes the run as a trace with the lesson and learner set: the
 * same file `acidbase grade` takes, built the way the lab itself would have built it.
 */
#include "cli.h"
#include "learn/progress.h"
#include "run/runner.h"
#include "trace/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PCMD_OK = 0, PCMD_NOT_DONE = 1, PCMD_USAGE = 2, PCMD_IOERR = 3 };

static const char *progress_help =
    "usage: acidbase [--db PATH] progress [--user NAME] [--export DIR | --reset [LESSON]] [--yes]\n"
    "\n"
    "Shows a learner's progress: for each lesson touched, its status (new, started, done),\n"
    "attempts, hints used, time spent, the lines saved to resume it, and every goal met\n"
    "with when (UTC).\n"
    "\n"
    "options:\n"
    "  --user NAME     whose progress (default: the login name)\n"
    "  --db PATH       the progress database (also before the command, or $ACIDBASE_DB;\n"
    "                  default $XDG_DATA_HOME/acidbase/progress.db, else\n"
    "                  ~/.local/share/acidbase/progress.db)\n"
    "  --export DIR    replay each lesson's saved attempt and write it as a trace for\n"
    "                  grading: DIR/<learner>-<lesson>.json (see `acidbase grade`)\n"
    "  --reset [LESSON]  forget LESSON, or every lesson, of the learner; asks first on a\n"
    "                  terminal\n"
    "  --yes, -y       do not ask (needed for --reset when not on a terminal)\n"
    "  --help, --version\n"
    "\n"
    "Showing and --export only read the database: they never create, move or write it (no\n"
    "database yet is no progress yet). Only a file that is an acidbase progress database\n"
    "(SQLite, with this lab's application_id) is ever used: anything else at PATH is refused\n"
    "and left untouched. A damaged database of ours is moved aside (PATH.corrupt-N) by the\n"
    "next command that writes (--reset, the lab) and a fresh one started.\n"
    "\n"
    "exit status: 0 done; 1 a reset declined, or a lesson whose saved lines no longer run\n"
    "(the others are exported); 2 bad options, --reset without --yes off a terminal, or PATH\n"
    "is not an acidbase progress database (refused, untouched); 3 the database or an export\n"
    "file cannot be used, or a reset could not be written (nothing was forgotten).\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase progress --help)\n");
    return -1;
}

/* ---- show --------------------------------------------------------------------------------- */

static void format_time(int64_t s, char *buf, size_t n)
{
    if (s <= 0)
        snprintf(buf, n, "-");
    else if (s < 60)
        snprintf(buf, n, "%" PRId64 "s", s);
    else if (s < 3600)
        snprintf(buf, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    else
        snprintf(buf, n, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
}

typedef struct show_ctx {
    int nlessons;
} show_ctx;

static int show_one(const progress_rec *r, void *ctx)
{
    show_ctx *c = ctx;
    char t[32];
    format_time(r->time_spent, t, sizeof t);
    if (c->nlessons++ == 0)
        printf("%-24s %-8s %8s %6s %8s %6s %6s\n", "lesson", "status", "attempts", "hints",
               "time", "goals", "lines");
    printf("%-24s %-8s %8d %6d %8s %6d %6d\n", r->lesson, progress_status_name(r->status),
           r->attempts, r->hints_used, t, r->ngoals, r->nlines);
    for (int i = 0; i < r->ngoals; i++)
        printf("    goal %-32s met %s\n", r->goals[i].name, r->goals[i].met_at);
    return 0;
}

static int show(progress *p, const char *learner)
{
    struct stat st;
    printf("progress of %s in %s%s\n\n", learner, progress_path(p),
           stat(progress_path(p), &st) == 0 ? "" : " (no database there yet)");
    show_ctx c = { 0 };
    int rc = progress_list(p, learner, show_one, &c);
    if (rc) {
        fprintf(stderr, "acidbase: %s\n", progress_errmsg(p));
        return PCMD_IOERR;
    }
    if (progress_list_skipped(p))
        fprintf(stderr, "acidbase: %d saved lesson record%s with a name this lab does not write (a '/' or a "
                        "leading '.') not shown\n", progress_list_skipped(p), progress_list_skipped(p) == 1 ? "" : "s");
    if (c.nlessons == 0)
        printf("No lesson started yet: `acidbase lessons` lists them.\n");
    return PCMD_OK;
}

/* ---- export ------------------------------------------------------------------------------- */

typedef struct export_ctx {
    const char *dir, *learner;
    int written, skipped, broken, ioerr;
} export_ctx;

/* Replays one lesson's lines and writes its trace; the message for a failure goes to stderr. */
static int export_one(const progress_rec *rec, void *ctx)
{
    export_ctx *c = ctx;
    if (rec->nlines == 0) {
        c->skipped++;
        return 0;
    }
    char path[4096], name[160];
    snprintf(name, sizeof name, "%s-%s", c->learner, rec->lesson);
    if ((size_t)snprintf(path, sizeof path, "%s/%s.json", c->dir, name) >= sizeof path) {
        fprintf(stderr, "acidbase: %s: the export path is too long\n", name);
        c->ioerr++;
        return 0;
    }
    char err[1024];
    runner_opts o = { .seed = rec->seed };
    runner *r = runner_new(&o, err, sizeof err);
    int bad = 0;
    for (int i = 0; r && i < rec->nlines && !bad; i++) {
        int rc = runner_line(r, rec->lines[i], i + 1);
        if (rc != RUN_OK)
            bad = rc;
    }
    const run_error *e = r ? runner_error(r) : NULL;
    if (!r || bad == RUN_IOERR) {
        fprintf(stderr, "acidbase: %s: cannot replay: %s\n", name, !r ? err : e->msg[0] ? e->msg : "an I/O error");
        c->ioerr++;
    } else if (bad) {
        fprintf(stderr, "acidbase: %s: the saved lines no longer run in this lab:\n%s:%d:%d: %s\n", name, name,
                e->line, e->col, e->msg);
        c->broken++;
    } else {
        trace_err te;
        if (trace_export_lesson_file(r, rec->lesson, rec->hash[0] ? rec->hash : NULL, c->learner, path, &te) ==
            TRACE_OK) {
            printf("%s: %d lines -> %s\n", rec->lesson, rec->nlines, path);
            c->written++;
        } else {
            fprintf(stderr, "acidbase: %s: %s\n", name, te.msg);
            c->ioerr++;
        }
    }
    runner_free(r);
    return 0;
}

/* mkdir -p, the ordinary way (exports are meant to be handed in). */
static int make_dirs(const char *dir)
{
    char buf[4096];
    if ((size_t)snprintf(buf, sizeof buf, "%s", dir) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = buf + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char ch = *s;
        *s = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        if (!ch)
            break;
        *s = ch;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int export_all(progress *p, const char *learner, const char *dir)
{
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "acidbase: cannot create %s: %s\n", dir, strerror(errno));
        return PCMD_IOERR;
    }
    export_ctx c = { .dir = dir, .learner = learner };
    if (progress_list(p, learner, export_one, &c)) {
        fprintf(stderr, "acidbase: %s\n", progress_errmsg(p));
        return PCMD_IOERR;
    }
    int odd = progress_list_skipped(p);
    if (odd)
        fprintf(stderr, "acidbase: %d saved lesson record%s name%s a lesson that cannot be used as a file name "
                        "(a '/' or a leading '.'): not exported\n", odd, odd == 1 ? "" : "s", odd == 1 ? "s" : "");
    printf("%d trace%s written to %s", c.written, c.written == 1 ? "" : "s", dir);
    if (c.skipped)
        printf("; %d lesson%s with nothing run yet skipped", c.skipped, c.skipped == 1 ? "" : "s");
    printf("\n");
    return c.ioerr || odd ? PCMD_IOERR : c.broken ? PCMD_NOT_DONE : PCMD_OK;
}

/* ---- reset -------------------------------------------------------------------------------- */

static int count_one(const progress_rec *r, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

/* How many records a reset would forget (n), or -1 after printing why it cannot tell. */
static int reset_count(progress *p, const char *learner, const char *lesson)
{
    int n = 0;
    if (lesson) {
        progress_rec rec;
        if (progress_get(p, learner, lesson, &rec)) {
            fprintf(stderr, "acidbase: %s\n", progress_errmsg(p));
            return -1;
        }
        n = rec.updated[0] != '\0';
        progress_rec_free(&rec);
    } else if (progress_list(p, learner, count_one, &n)) {
        fprintf(stderr, "acidbase: %s\n", progress_errmsg(p));
        return -1;
    }
    return n;
}

static int reset_write(progress *p, const char *learner, const char *lesson, const char *what);

/* Forgets what the read-only store ro says there is, through a store opened for
 * writing (db); ro is closed first. */
static int reset(progress *ro, const char *db, const char *learner, const char *lesson, bool yes)
{
    int n = reset_count(ro, learner, lesson);
    progress_close(ro);
    if (n < 0)
        return PCMD_IOERR;
    if (n == 0) {
        printf("%s has no progress %s%s: nothing to reset.\n", learner, lesson ? "in " : "yet",
               lesson ? lesson : "");
        return PCMD_OK;
    }
    char what[256];
    if (lesson)
        snprintf(what, sizeof what, "%s's progress in %s", learner, lesson);
    else
        snprintf(what, sizeof what, "all of %s's progress (%d lesson%s)", learner, n, n == 1 ? "" : "s");
    if (!yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "acidbase: progress --reset would forget %s; not on a terminal, so "
                            "nothing was asked and nothing reset: add --yes\n", what);
            return PCMD_USAGE;
        }
        fprintf(stderr, "Forget %s? This cannot be undone. [y/N] ", what);
        fflush(stderr);
        char answer[16] = "";
        if (!fgets(answer, sizeof answer, stdin) || (strcmp(answer, "y\n") && strcmp(answer, "yes\n") &&
                                                     strcmp(answer, "Y\n"))) {
            printf("Nothing was reset.\n");
            return PCMD_NOT_DONE;
        }
    }
    progress *p;
    int orc = progress_open(db, &p);
    if (orc) {
        fprintf(stderr, "acidbase: cannot open the progress database: %s\n", progress_strerror(orc));
        return PCMD_IOERR;
    }
    int rc = reset_write(p, learner, lesson, what);
    progress_close(p);
    return rc;
}

/* A store in memory (a read-only file, a full disk) would forget only its copy: the file
 * keeps everything, so that is a failure, not "Forgot ..."; so is a reset that did not
 * take, counted again afterwards. */
static int reset_write(progress *p, const char *learner, const char *lesson, const char *what)
{
    if (progress_warning(p))
        fprintf(stderr, "acidbase: %s\n", progress_warning(p));
    if (progress_refused(p))
        return PCMD_USAGE;
    if (!progress_saved(p)) {
        fprintf(stderr, "acidbase: cannot reset: %s cannot be written; nothing was forgotten\n", progress_path(p));
        return PCMD_IOERR;
    }
    if (progress_reset(p, learner, lesson)) {
        fprintf(stderr, "acidbase: cannot reset: %s; nothing was forgotten\n", progress_errmsg(p));
        return PCMD_IOERR;
    }
    int left = reset_count(p, learner, lesson);
    if (left != 0) {
        if (left > 0)
            fprintf(stderr, "acidbase: the reset did not take: %s still holds %s\n", progress_path(p), what);
        return PCMD_IOERR;
    }
    printf("Forgot %s.\n", what);
    return PCMD_OK;
}

/* ---- the command -------------------------------------------------------------------------- */

int cmd_progress(int argc, char **argv, const cli_globals *gin)
{
    cli_globals g = gin ? *gin : (cli_globals){ 0 };
    const char *export_dir = NULL, *reset_lesson = NULL;
    bool do_reset = false, yes = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool missing;
        int grc = cli_global_option(argc, argv, &i, &g);
        if (grc < 0)
            return PCMD_USAGE;
        if (grc > 0)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(progress_help, stdout);
            return PCMD_OK;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return PCMD_OK;
        } else if (!strcmp(a, "--yes") || !strcmp(a, "-y")) {
            yes = true;
        } else if (!strcmp(a, "--reset")) {
            do_reset = true;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                reset_lesson = argv[++i];
        } else if (!strncmp(a, "--reset=", 8)) {
            do_reset = true;
            reset_lesson = a + 8;
        } else if ((export_dir = cli_option_value(argc, argv, &i, "--export", &missing)) || missing) {
            if (!export_dir || !*export_dir)
                return usage("%s needs a directory", "--export"), PCMD_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return usage("progress: unknown option '%s'", a), PCMD_USAGE;
        } else {
            return usage("progress takes no argument '%s' (a lesson to reset follows --reset)", a),
                   PCMD_USAGE;
        }
    }
    if (do_reset && export_dir)
        return usage("%s", "--export and --reset: one at a time"), PCMD_USAGE;
    if (reset_lesson && !progress_name_ok(reset_lesson))
        return usage("'%s' is not a lesson id", reset_lesson), PCMD_USAGE;

    char learner[PROGRESS_NAME_MAX + 1];
    if (progress_default_learner(g.user, learner, sizeof learner)) {
        fprintf(stderr, "acidbase: no usable learner name: give one with --user NAME\n");
        return PCMD_USAGE;
    }
    /* Showing and exporting never create or change the database; a reset looks first
     * (read-only) and opens it for writing only when there is something to forget. */
    progress *p;
    int rc = progress_open_readonly(g.db, &p);
    if (rc) {
        fprintf(stderr, "acidbase: cannot open the progress database: %s\n", progress_strerror(rc));
        return PCMD_IOERR;
    }
    if (progress_warning(p))
        fprintf(stderr, "acidbase: %s\n", progress_warning(p));
    if (progress_refused(p)) {
        progress_close(p);
        return PCMD_USAGE;
    }
    if (do_reset)
        return reset(p, g.db, learner, reset_lesson, yes);
    rc = export_dir ? export_all(p, learner, export_dir) : show(p, learner);
    progress_close(p);
    return rc;
}
