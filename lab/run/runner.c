/*
 * runner.c: scenario lines in, engine actions and a transcript out. See runner.h.
 *
 * The transcript has one line per statement outcome ("T2: UPDATE ... -> blocked: ..."),
 * resumed statements indented under the line that released them, engine events marked
 * with '*', and one line per expectation. Rows print as {key:value, ...}, the same form
 * `expect ... rows` takes, so a teacher can paste what they saw into an expectation.
 */
#include "runner.h"
#include "acid/view.h"
#include "trace/trace.h"
#include "basectl.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"

#include <ctype.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct runner {
    runner_opts o;
    char tmpdir[1024];     /* the private database directory when no --dir was given */
    hist *h;
    acid_engine *acid;
    int passed, failed;
    bool ioerr;
    bool invalid;          /* some line was invalid input: no trace is written */
    int lineno;
    /* For the trace: the lines, the expectations' results, the settings. */
    runner_rec_line *lines;
    int nlines, caplines;
    runner_rec_expect *expects;
    int nexpects, capexpects;
    bool fresh;
    acid_sync sync;
    int sync_group;
    basectl *base;         /* the BASE side: replicas, network, clients */
    bool checking;         /* inside runner_check: invalid() does not print */
    char check_msg[512];
};

hist *runner_history(runner *r) { return r->h; }
acid_engine *runner_acid(runner *r) { return r->acid; }
struct basectl *runner_base(runner *r) { return r->base; }

void runner_lines(const runner *r, const runner_rec_line **v, int *n)
{
    *v = r->lines;
    *n = r->nlines;
}

void runner_expects(const runner *r, const runner_rec_expect **v, int *n)
{
    *v = r->expects;
    *n = r->nexpects;
}

runner_settings runner_settings_of(runner *r)
{
    acid_view_pool pool;
    acid_view_pool_state(r->acid, &pool);
    return (runner_settings){ .seed = r->o.seed, .fresh = r->fresh, .kept = r->o.dir != NULL,
                              .real_sync = r->o.real_sync, .sync = r->sync, .sync_group = r->sync_group,
                              .frames = pool.nframes, .base_seed = basectl_seed(r->base) };
}

/* Appends to the trace record; false when out of memory. */
static bool record_line(runner *r, const char *text, int lineno)
{
    if (r->nlines == r->caplines) {
        int cap = r->caplines ? r->caplines * 2 : 64;
        runner_rec_line *v = realloc(r->lines, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        r->lines = v;
        r->caplines = cap;
    }
    char *t = strdup(text);
    if (!t)
        return false;
    r->lines[r->nlines++] = (runner_rec_line){ lineno, t };
    return true;
}

static bool record_expect(runner *r, const scn_line *l, bool ok, const char *why)
{
    if (r->nexpects == r->capexpects) {
        int cap = r->capexpects ? r->capexpects * 2 : 16;
        runner_rec_expect *v = realloc(r->expects, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        r->expects = v;
        r->capexpects = cap;
    }
    char *t = strdup(l->text), *w = strdup(why);
    if (!t || !w) {
        free(t);
        free(w);
        return false;
    }
    r->expects[r->nexpects++] = (runner_rec_expect){ l->line, t, ok, w };
    return true;
}

/* Does dir already hold a database (a non-empty log or data file)? */
static bool has_database(const char *dir)
{
    static const char *const names[] = { "acidbase.log", "acidbase.db" };
    char path[1200];
    struct stat sb;
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && sb.st_size > 0)
            return true;
    }
    return false;
}

static const char *shown_name(const runner *r)
{
    return strcmp(r->o.file, "-") == 0 ? "<stdin>" : r->o.file;
}

static int invalid(runner *r, int line, int col, const char *fmt, ...)
{
    va_list ap;
    if (r->checking) {
        /* runner_check: the message is the caller's, not stderr's. */
        va_start(ap, fmt);
        vsnprintf(r->check_msg, sizeof r->check_msg, fmt, ap);
        va_end(ap);
        return RUN_INVALID;
    }
    r->invalid = true;
    fprintf(r->o.err, "%s:%d:%d: ", shown_name(r), line, col);
    va_start(ap, fmt);
    vfprintf(r->o.err, fmt, ap);
    va_end(ap);
    fputc('\n', r->o.err);
    fflush(r->o.err);
    return RUN_INVALID;
}

static void out(runner *r, const char *fmt, ...)
{
    if (r->o.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->o.out, fmt, ap);
    va_end(ap);
}

static void on_note(void *arg, const acid_note *n)
{
    runner *r = arg;
    switch (n->kind) {
    case NOTE_ENGINE:
        if (strncmp(n->msg, "I/O error", 9) == 0)
            r->ioerr = true;
        out(r, "  * %s\n", n->msg);
        break;
    default:
        if (n->resumed)
            out(r, "  T%d resumed: %s  -> %s\n", n->session, n->stmt, n->msg);
        else if (n->queued)
            out(r, "  T%d then: %s  -> %s\n", n->session, n->stmt, n->msg);
        else
            out(r, "T%d: %s  -> %s\n", n->session, n->stmt, n->msg);
    }
}

/* Removes the private database directory (two files, no subdirectories). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char path[1400];
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                unlink(path);
            }
        closedir(d);
    }
    rmdir(dir);
}

runner *runner_new(const runner_opts *o)
{
    runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->o = *o;
    if (!r->o.out)
        r->o.out = stdout;
    if (!r->o.err)
        r->o.err = stderr;
    r->h = hist_new();
    r->sync = SYNC_FULL;
    r->sync_group = 1;
    r->fresh = !o->dir || !has_database(o->dir);
    char err[1600];
    if (!o->dir) {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->tmpdir, sizeof r->tmpdir, "%s/acidbase-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->tmpdir)) {
            fprintf(r->o.err, "acidbase: cannot create a temporary directory in %s: %s\n",
                    tmp && *tmp ? tmp : "/tmp", strerror(errno));
            r->tmpdir[0] = 0;
            runner_free(r);
            return NULL;
        }
    }
    acid_options ao = { .dir = o->dir ? o->dir : r->tmpdir, .frames = 0, .real_sync = o->real_sync };
    r->acid = r->h ? acid_open(&ao, r->h, on_note, r, err, sizeof err) : NULL;
    r->base = r->acid ? basectl_new(r->h, o->seed) : NULL;
    if (!r->acid || !r->base) {
        fprintf(r->o.err, "acidbase: cannot open the database: %s\n", r->h ? err : "out of memory");
        runner_free(r);
        return NULL;
    }
    return r;
}

void runner_free(runner *r)
{
    if (!r)
        return;
    acid_close(r->acid);
    basectl_free(r->base);
    hist_free(r->h);
    if (r->tmpdir[0])
        remove_tree(r->tmpdir);
    for (int i = 0; i < r->nlines; i++)
        free(r->lines[i].text);
    free(r->lines);
    for (int i = 0; i < r->nexpects; i++) {
        free(r->expects[i].text);
        free(r->expects[i].why);
    }
    free(r->expects);
    free(r);
}

/* --- expectations ------------------------------------------------------------------ */

/* Same rows, as sets (expected keys are written as text). */
static bool rows_equal(const acid_row *got, int n, const scn_row *want, int m)
{
    if (n != m)
        return false;
    char k[64];
    for (int i = 0; i < m; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++) {
            scalar_format(&got[j].key, false, k, sizeof k);
            found = strcmp(k, want[i].key) == 0 && got[j].value == want[i].value;
        }
        if (!found)
            return false;
    }
    return true;
}

static const char *state_name(acid_state s)
{
    switch (s) {
    case AS_IDLE: return "idle";
    case AS_ACTIVE: return "active";
    case AS_BLOCKED: return "blocked";
    case AS_COMMITTED: return "committed";
    case AS_ABORTED: return "aborted";
    }
    return "?";
}

static void normalize_word(const char *in, char *outw, size_t n)
{
    size_t k = 0;
    for (; *in && k + 1 < n; in++)
        outw[k++] = *in == ' ' || *in == '_' ? '-' : (char)tolower((unsigned char)*in);
    outw[k] = 0;
}

static void findings_text(runner *r, const acid_findings *f, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < f->n && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "\n      %s", f->v[i].text ? f->v[i].text : f->v[i].name);
    (void)r;
}

/* Evaluates an expectation: RUN_OK with *okp and why, or RUN_INVALID / RUN_IOERR. */
static int expect_eval(runner *r, const scn_line *l, bool *okp, char *why, size_t whyn)
{
    const scn_expect *x = &l->ex;
    bool ok = false;
    why[0] = 0;
    switch (x->kind) {
    case EX_LEVEL: {
        iso_level lv = acid_session_level(r->acid, x->session);
        ok = (int64_t)lv == x->value;
        if (!ok)
            snprintf(why, whyn, "T%d is at %s", x->session, iso_name(lv));
        break;
    }
    case EX_STATE: {
        acid_state st = acid_session_state(r->acid, x->session);
        ok = (int)st == (int)x->state;
        if (!ok)
            snprintf(why, whyn, "T%d is %s", x->session, state_name(st));
        break;
    }
    case EX_ROWS: {
        const acid_row *rows;
        int n;
        if (!acid_session_rows(r->acid, x->session, &rows, &n)) {
            snprintf(why, whyn, "T%d has not completed a SELECT", x->session);
            break;
        }
        ok = rows_equal(rows, n, x->rows, x->nrows);
        if (!ok) {
            char got[4096];
            acid_format_rows(rows, n, got, sizeof got);
            snprintf(why, whyn, "T%d's latest SELECT returned %s", x->session, got);
        }
        break;
    }
    case EX_VALUE: {
        int64_t v;
        if (!acid_session_number(r->acid, x->session, &v)) {
            snprintf(why, whyn, "T%d has not completed a COUNT or SUM", x->session);
            break;
        }
        ok = v == x->value;
        if (!ok)
            snprintf(why, whyn, "T%d's latest COUNT/SUM was %" PRId64, x->session, v);
        break;
    }
    case EX_ERROR: {
        char want[64], got[64];
        normalize_word(x->word, want, sizeof want);
        normalize_word(acid_session_error(r->acid, x->session), got, sizeof got);
        ok = strcmp(want, got) == 0;
        if (!ok)
            snprintf(why, whyn, got[0] ? "T%d's latest statement failed with %s" :
                                                "T%d's latest statement did not fail%s", x->session, got);
        break;
    }
    case EX_TABLE: {
        acid_row *rows;
        int n;
        if (!acid_table_exists(r->acid, x->table, NULL))
            return invalid(r, l->line, x->word_col, "unknown table '%s'", x->table);
        if (acid_committed_rows(r->acid, x->table, &rows, &n)) {
            r->ioerr = true;
            return RUN_IOERR;
        }
        ok = rows_equal(rows, n, x->rows, x->nrows);
        if (!ok) {
            char got[4096];
            acid_format_rows(rows, n, got, sizeof got);
            snprintf(why, whyn, "table %s is %s (committed)", x->table, got);
        }
        free(rows);
        break;
    }
    case EX_DEADLOCK:
        ok = acid_deadlocks(r->acid) > 0;
        if (!ok)
            snprintf(why, whyn, "no deadlock has been detected");
        break;
    case EX_ANOMALY:
    case EX_NO_ANOMALY: {
        if (x->word[0] && !acidcheck_known_name(x->word) && !basecheck_known_name(x->word))
            return invalid(r, l->line, x->word_col,
                           "unknown anomaly '%s'; expected G0, G1a, G1b, G1c, G-single, G2-item, G2, dirty-read, "
                           "dirty-write, aborted-read, intermediate-read, read-skew, non-repeatable-read, phantom, "
                           "lost-update, write-skew, stale-read, read-your-writes, monotonic-read, lost-write "
                           "or sibling", x->word);
        acid_findings f = { 0 };
        base_findings bf = { 0 };
        if (acidcheck_run(r->h, acid_txn_label, r->acid, &f) || basectl_findings(r->base, &bf)) {
            acidcheck_free(&f);
            r->ioerr = true;
            return RUN_IOERR;
        }
        bool has = x->word[0] ? acidcheck_has(&f, x->word) || basecheck_has(&bf, x->word) : f.n + bf.n > 0;
        ok = x->kind == EX_ANOMALY ? has : !has;
        if (!ok) {
            char list[7000];
            findings_text(r, &f, list, sizeof list);
            size_t o = strlen(list);
            for (int i = 0; i < bf.n && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "\n      %s", bf.v[i].text ? bf.v[i].text : bf.v[i].name);
            if (x->kind == EX_ANOMALY)
                snprintf(why, whyn, "the checker found no %s%s%s", x->word,
                         f.n + bf.n ? "; it found:" : " (no findings at all)", list);
            else
                snprintf(why, whyn, "the checker found:%s", list);
        }
        acidcheck_free(&f);
        basecheck_free(&bf);
        break;
    }
    default: {
        int held = basectl_expect(r->base, l, why, whyn);
        if (held < 0)
            return invalid(r, l->line, x->word_col ? x->word_col : l->col, "%s", why);
        ok = held == 1;
        break;
    }
    }
    *okp = ok;
    return RUN_OK;
}

static int expect(runner *r, const scn_line *l)
{
    char why[8192];
    bool ok = false;
    int rc = expect_eval(r, l, &ok, why, sizeof why);
    if (rc != RUN_OK)
        return rc;
    if (!record_expect(r, l, ok, ok ? "" : why)) {
        r->ioerr = true;
        return RUN_IOERR;
    }
    if (ok) {
        r->passed++;
        out(r, "%s  -> ok\n", l->text);
    } else {
        r->failed++;
        /* Failures print even with --quiet: they are what the reader came for. */
        fprintf(r->o.out, "%s:%d: %s  -> FAILED: %s\n", shown_name(r), l->line, l->text, why);
    }
    return RUN_OK;
}

int runner_check(runner *r, const char *line, bool *held, char *why, size_t n)
{
    scn_line *l = calloc(1, sizeof *l);
    scn_error err;
    int rc = -1;
    *held = false;
    if (!l) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    if (scn_parse_line(line, 1, l, &err) != 0) {
        snprintf(why, n, "%d: %s", err.col, err.msg);
        free(l);
        return -1;
    }
    if (l->kind != SL_EXPECT) {
        snprintf(why, n, "not an expectation: %s", line);
    } else {
        r->checking = true;
        r->check_msg[0] = 0;
        char w[8192];
        int e = expect_eval(r, l, held, w, sizeof w);
        r->checking = false;
        if (e == RUN_OK) {
            snprintf(why, n, "%s", w);
            rc = 0;
        } else {
            snprintf(why, n, "%s", r->check_msg[0] ? r->check_msg : "cannot evaluate");
        }
    }
    scn_line_free(l);
    free(l);
    return rc;
}

/* --- one line ------------------------------------------------------------------------ */

static int engine_directive(runner *r, const scn_line *l)
{
    int rc = 0;
    out(r, "%s\n", l->text);
    switch (l->eng) {
    case ENG_SYNC_FULL: rc = acid_set_sync(r->acid, r->sync = SYNC_FULL, r->sync_group = 1); break;
    case ENG_SYNC_OFF: rc = acid_set_sync(r->acid, r->sync = SYNC_OFF, r->sync_group = 1); break;
    case ENG_SYNC_GROUP: rc = acid_set_sync(r->acid, r->sync = SYNC_GROUP, r->sync_group = l->eng_n); break;
    case ENG_FLUSH: rc = acid_flush(r->acid); break;
    case ENG_CHECKPOINT: rc = acid_checkpoint(r->acid); break;
    case ENG_EVICT: rc = acid_evict(r->acid); break;
    case ENG_CRASH: rc = acid_crash(r->acid, false); break;
    case ENG_CRASH_TORN: rc = acid_crash(r->acid, true); break;
    case ENG_FRAMES: rc = acid_set_frames(r->acid, l->eng_n); break;
    }
    if (rc) {
        fprintf(r->o.err, "%s:%d: engine: %s\n", shown_name(r), l->line, acid_error(r->acid));
        r->ioerr = true;
        return RUN_IOERR;
    }
    return RUN_OK;
}

int runner_line(runner *r, const char *text, int lineno)
{
    scn_line *l = calloc(1, sizeof *l);
    if (!l)
        return RUN_IOERR;
    scn_error err;
    r->lineno = lineno;
    if (r->nlines >= RUN_LINES_MAX) {
        free(l);
        return invalid(r, lineno, 1, "too many lines: one run takes at most %d (split the scenario)", RUN_LINES_MAX);
    }
    if (!record_line(r, text, lineno)) {
        free(l);
        r->ioerr = true;
        return RUN_IOERR;
    }
    if (scn_parse_line(text, lineno, l, &err) != 0) {
        free(l);
        return invalid(r, err.line, err.col, "%s", err.msg);
    }
    int rc = RUN_OK;
    char msg[512];
    int eline = lineno, ecol = l->col;
    switch (l->kind) {
    case SL_BLANK:
        break;
    case SL_SAY:
        out(r, "say: %s\n", l->text);
        break;
    case SL_SETUP:
        msg[0] = 0;
        if (acid_validate(r->acid, &l->sql, msg, sizeof msg, &eline, &ecol)) {
            rc = invalid(r, eline, ecol, "%s", msg);
            break;
        }
        if (l->sql.kind != SQL_CREATE && l->sql.kind != SQL_INSERT && l->sql.kind != SQL_UPDATE &&
            l->sql.kind != SQL_DELETE) {
            rc = invalid(r, l->sql.pos.line, l->sql.pos.col,
                         "setup takes CREATE TABLE, INSERT, UPDATE and DELETE; give other statements to a session (T1: ...)");
            break;
        }
        if (acid_setup(r->acid, &l->sql, msg, sizeof msg)) {
            rc = invalid(r, l->sql.pos.line, l->sql.pos.col, "setup failed: %s", msg);
            break;
        }
        out(r, "%s  -> ok\n", l->text);
        break;
    case SL_SQL:
        if (l->sql.kind == SQL_CREATE) {
            rc = invalid(r, l->sql.pos.line, l->sql.pos.col,
                         "CREATE TABLE belongs in setup: (setup: CREATE TABLE ...), not in a session");
            break;
        }
        if (acid_validate(r->acid, &l->sql, msg, sizeof msg, &eline, &ecol)) {
            rc = invalid(r, eline, ecol, "%s", msg);
            break;
        }
        acid_submit(r->acid, l->session, &l->sql);
        break;
    case SL_ENGINE:
        rc = engine_directive(r, l);
        break;
    case SL_EXPECT:
        rc = expect(r, l);
        break;
    case SL_CLUSTER:
    case SL_NET:
    case SL_RUN:
    case SL_CLIENT:
        if (basectl_line(r->base, l, r->o.quiet ? NULL : r->o.out, msg, sizeof msg, &ecol))
            rc = invalid(r, lineno, ecol, "%s", msg);
        break;
    }
    scn_line_free(l);
    free(l);
    fflush(r->o.out);
    if (rc == RUN_OK && r->ioerr)
        rc = RUN_IOERR;
    return rc;
}

int runner_finish(runner *r)
{
    int total = r->passed + r->failed;
    if (total && (!r->o.quiet || r->failed))
        fprintf(r->o.out, "expectations: %d passed, %d failed\n", r->passed, r->failed);
    fflush(r->o.out);
    if (r->o.trace_path) {
        /* Written whatever the expectations said; not for a run cut short by bad input. */
        trace_err te;
        if (r->invalid || r->ioerr)
            fprintf(r->o.err, "acidbase: no trace written to %s: the run stopped at an error\n", r->o.trace_path);
        else if (trace_write_run(r, r->o.trace_path, &te)) {
            fprintf(r->o.err, "acidbase: %s\n", te.msg);
            r->ioerr = true;
        }
    }
    if (r->ioerr)
        return RUN_IOERR;
    return r->failed ? RUN_EXPECT_FAILED : RUN_OK;
}

/* --- a whole file ---------------------------------------------------------------------- */

/* Reads one line of any length into *buf; 0 at EOF. Lines longer than SCN_LINE_MAX are
 * returned whole (the parser refuses them with a position). */
static int read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return 0;
    if (n > 0 && (*buf)[n - 1] == '\n')
        (*buf)[--n] = 0;
    if (n > 0 && (*buf)[n - 1] == '\r')
        (*buf)[--n] = 0;
    return 1;
}

int runner_run_file(const runner_opts *o, const char *path)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    FILE *err = o->err ? o->err : stderr;
    if (!f) {
        fprintf(err, "acidbase: cannot open %s: %s\n", path, strerror(errno));
        return RUN_IOERR;
    }
    char *buf = NULL;
    size_t cap = 0;
    if (!from_stdin) {
        /* A file is checked whole first: a typo on line 40 stops the run before line 1. */
        int lineno = 0, bad = 0;
        scn_line *l = calloc(1, sizeof *l);
        while (l && read_line(f, &buf, &cap)) {
            scn_error e;
            lineno++;
            if (scn_parse_line(buf, lineno, l, &e) == 0) {
                scn_line_free(l);
            } else if (bad++ < 20) {
                fprintf(err, "%s:%d:%d: %s\n", path, e.line, e.col, e.msg);
            }
            memset(l, 0, sizeof *l);
        }
        free(l);
        if (ferror(f)) {
            fprintf(err, "acidbase: reading %s: %s\n", path, strerror(errno));
            fclose(f);
            free(buf);
            return RUN_IOERR;
        }
        if (bad) {
            if (bad > 20)
                fprintf(err, "%s: %d more errors not shown\n", path, bad - 20);
            fclose(f);
            free(buf);
            return RUN_INVALID;
        }
        rewind(f);
    }
    runner_opts ro = *o;
    ro.file = path;
    runner *r = runner_new(&ro);
    if (!r) {
        if (!from_stdin)
            fclose(f);
        free(buf);
        return RUN_IOERR;
    }
    int lineno = 0, rc = RUN_OK;
    while (read_line(f, &buf, &cap)) {
        rc = runner_line(r, buf, ++lineno);
        if (rc != RUN_OK)
            break;
    }
    int fin = runner_finish(r);
    if (rc == RUN_OK)
        rc = fin;
    runner_free(r);
    if (!from_stdin)
        fclose(f);
    free(buf);
    return rc;
}
