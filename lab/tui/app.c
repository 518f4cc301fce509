/*
 * app.c: queued lines, where each line run came from, the engines they built, and the
 * transcript. See app.h.
 *
 * The runner hands its transcript to this module's sink as records; each becomes one or
 * more entries of the event log, kept with its kind and outcome. The runner refuses an
 * invalid line before it changes anything (parsing and validation come first) and does not
 * record it; its refusal comes back as runner_error, the message the command line shows.
 */
#include "app.h"
#include "trace/export.h"
#include "trace/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct app {
    app_opts o;
    runner *r;
    int *from_queue;         /* the queue index the runner's line i came from, or -1 (typed) */
    int capfrom;
    int floor;               /* step back never goes below this many lines (a lesson's setup) */
    char **queue;
    bool *done;              /* queue[i] has run */
    int nqueue;
    app_log_entry *log;      /* ring of APP_LOG_MAX */
    int nlog, logstart;
    int last_added;
    char narration[512];
    unsigned long version;   /* see app_version */
};

/* Versions come from one counter, so that a new model never repeats an old one's. Every
 * function here that takes a non-const app counts as a change, saving and exporting too
 * (they only read the engines, but a screen drawn once more is cheap and they are rare). */
static unsigned long versions;

static void changed(app *a)
{
    a->version = ++versions;
}

static void log_clear(app *a)
{
    for (int i = 0; i < a->nlog; i++)
        free(a->log[(a->logstart + i) % APP_LOG_MAX].text);
    a->nlog = a->logstart = 0;
}

static void log_add(app *a, const run_record *r, bool more, const char *s, size_t len)
{
    char *line = strndup(s, len);
    if (!line)
        return;
    app_log_entry e = { r->kind, r->outcome, r->side, more, line };
    if (a->nlog == APP_LOG_MAX) {
        free(a->log[a->logstart].text);
        a->log[a->logstart] = e;
        a->logstart = (a->logstart + 1) % APP_LOG_MAX;
    } else {
        a->log[(a->logstart + a->nlog++) % APP_LOG_MAX] = e;
    }
    a->last_added++;
}

/* The runner's sink: a record becomes log entries, one per line of its words. A refused
 * line is not part of the run and stays out of the log (the command line says why). */
static void on_record(void *arg, const run_record *r)
{
    app *a = arg;
    if (r->kind == REC_INVALID)
        return;
    if (r->kind == REC_SAY)
        snprintf(a->narration, sizeof a->narration, "%s", r->text);
    char small[1024], *buf = small;
    int len = run_record_text(r, small, sizeof small);
    if (len >= (int)sizeof small && (buf = malloc((size_t)len + 1)))
        run_record_text(r, buf, (size_t)len + 1);
    if (!buf)
        buf = small;
    for (const char *p = buf, *nl;; p = nl + 1) {
        nl = strchr(p, '\n');
        log_add(a, r, p != buf, p, nl ? (size_t)(nl - p) : strlen(p));
        if (!nl)
            break;
    }
    if (buf != small)
        free(buf);
}

static int open_runner(app *a, char *msg, size_t n)
{
    runner_free(a->r);
    runner_opts ro = { .seed = a->o.seed, .real_sync = false, .sink = { on_record, a } };
    a->r = runner_new(&ro, msg, n);
    return a->r ? 0 : -1;
}

app *app_new(const app_opts *o, char *err, size_t n)
{
    app *a = calloc(1, sizeof *a);
    if (!a || !(a->log = calloc(APP_LOG_MAX, sizeof *a->log))) {
        free(a);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    a->o = *o;
    changed(a);
    if (open_runner(a, err, n)) {
        app_free(a);
        return NULL;
    }
    return a;
}

static void strv_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void app_free(app *a)
{
    if (!a)
        return;
    runner_free(a->r);
    free(a->from_queue);
    strv_free(a->queue, a->nqueue);
    free(a->done);
    log_clear(a);
    free(a->log);
    free(a);
}

runner *app_runner(app *a) { return a->r; }

int app_nlines(const app *a)
{
    const runner_rec_line *v;
    int n;
    runner_lines(a->r, &v, &n);
    return n;
}

const char *app_line(const app *a, int i)
{
    const runner_rec_line *v;
    int n;
    runner_lines(a->r, &v, &n);
    return i >= 0 && i < n ? v[i].text : NULL;
}

int app_nqueued(const app *a)
{
    int n = 0;
    for (int i = 0; i < a->nqueue; i++)
        n += !a->done[i];
    return n;
}

/* The queue index of the i-th line not yet run, or -1. */
static int pending_index(const app *a, int i)
{
    for (int q = 0; q < a->nqueue; q++)
        if (!a->done[q] && i-- == 0)
            return q;
    return -1;
}

const char *app_queued(const app *a, int i)
{
    int q = i >= 0 ? pending_index(a, i) : -1;
    return q >= 0 ? a->queue[q] : NULL;
}
int app_nlog(const app *a) { return a->nlog; }
const app_log_entry *app_log(const app *a, int i)
{
    return i >= 0 && i < a->nlog ? &a->log[(a->logstart + i) % APP_LOG_MAX] : NULL;
}
int app_last_added(const app *a) { return a->last_added; }
unsigned long app_version(const app *a) { return a->version; }
const char *app_narration(const app *a) { return a->narration; }

/* Runs one line on the live runner, numbered after the lines recorded so far; the
 * runner's verdict decides whether it counts (R1). queued: where it came from (-1 typed). */
static int run_line(app *a, const char *line, int queued, char *msg, size_t n)
{
    int before = app_nlines(a);
    if (before == a->capfrom) {
        int cap = a->capfrom ? a->capfrom * 2 : 64;
        int *q = realloc(a->from_queue, (size_t)cap * sizeof *q);
        if (!q) {
            snprintf(msg, n, "out of memory");
            return -1;
        }
        a->from_queue = q;
        a->capfrom = cap;
    }
    int rc = runner_line(a->r, line, before + 1);
    if (app_nlines(a) > before)
        a->from_queue[before] = queued;
    if (rc == RUN_INVALID || rc == RUN_IOERR) {
        const run_error *e = runner_error(a->r);
        snprintf(msg, n, "%s", e->msg[0] ? e->msg : rc == RUN_IOERR ? "an I/O error (see the event log)" : "invalid line");
        return -1;
    }
    return 0;
}

/* Rebuilds the engines from the first `keep` lines run. */
static int replay(app *a, int keep, char *msg, size_t n)
{
    char **lines = calloc((size_t)keep + 1, sizeof *lines);
    int *fq = calloc((size_t)keep + 1, sizeof *fq);
    int rc = lines && fq ? 0 : -1;
    for (int i = 0; !rc && i < keep; i++) {
        lines[i] = strdup(app_line(a, i));
        fq[i] = a->from_queue[i];
        rc = lines[i] ? 0 : -1;
    }
    if (rc)
        snprintf(msg, n, "out of memory");
    log_clear(a);
    a->narration[0] = 0;
    if (!rc)
        rc = open_runner(a, msg, n);
    for (int i = 0; !rc && i < keep; i++) {
        char m[256];
        run_line(a, lines[i], fq[i], m, sizeof m);
    }
    strv_free(lines, keep);
    free(fq);
    return rc;
}

int app_exec(app *a, const char *line, char *msg, size_t n)
{
    changed(a);
    a->last_added = 0;
    return run_line(a, line, -1, msg, n);
}

static bool blank(const char *s)
{
    s += strspn(s, " \t");
    return *s == 0 || *s == '#';
}

/* Runs queue[q]; it counts as done even when it was invalid (so stepping goes on). */
static int run_queued(app *a, int q, char *msg, size_t n)
{
    a->done[q] = true;
    return run_line(a, a->queue[q], q, msg, n);
}

int app_next(app *a, char *msg, size_t n)
{
    changed(a);
    a->last_added = 0;
    for (int q; (q = pending_index(a, 0)) >= 0;) {
        if (run_queued(a, q, msg, n))
            return -1;
        if (!blank(a->queue[q]))
            return 0;
    }
    return 1;
}

int app_take(app *a, int i, char *msg, size_t n)
{
    changed(a);
    a->last_added = 0;
    int q = pending_index(a, i);
    if (q < 0) {
        snprintf(msg, n, "nothing queued there");
        return 1;
    }
    return run_queued(a, q, msg, n);
}

void app_set_floor(app *a)
{
    changed(a);
    a->floor = app_nlines(a);
}

int app_back(app *a, char *msg, size_t n)
{
    changed(a);
    int nlines = app_nlines(a);
    if (nlines <= a->floor) {
        snprintf(msg, n, "nothing to undo");
        return 1;
    }
    /* Undo back to and including the last line that did something; lines that came
     * from the queue go back into it, in their place. */
    int keep = nlines - 1;
    while (keep > a->floor && blank(app_line(a, keep)))
        keep--;
    for (int i = keep; i < nlines; i++)
        if (a->from_queue[i] >= 0 && a->from_queue[i] < a->nqueue)
            a->done[a->from_queue[i]] = false;
    int rc = replay(a, keep, msg, n);
    a->last_added = 0;
    return rc;
}

int app_queue_lines(app *a, char *const *lines, int nlines)
{
    changed(a);
    strv_free(a->queue, a->nqueue);
    free(a->done);
    a->queue = calloc((size_t)(nlines ? nlines : 1), sizeof *a->queue);
    a->done = calloc((size_t)(nlines ? nlines : 1), sizeof *a->done);
    a->nqueue = 0;
    if (!a->queue || !a->done)
        return -1;
    for (int i = 0; i < nlines; i++)
        if ((a->queue[a->nqueue] = strdup(lines[i])))
            a->nqueue++;
    return 0;
}

int app_queue_file(app *a, const char *path, char *msg, size_t n)
{
    changed(a);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, n, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char **v = NULL, *buf = NULL;
    size_t cap = 0;
    int nv = 0, capv = 0, got;
    scn_error e;
    /* scn_read_line: no byte order mark, and a NUL stops the file with its position. */
    while ((got = scn_read_line(f, nv + 1, &buf, &cap, &e)) > 0) {
        if (nv == capv) {
            capv = capv ? capv * 2 : 64;
            char **nvv = realloc(v, (size_t)capv * sizeof *nvv);
            if (!nvv)
                break;
            v = nvv;
        }
        v[nv++] = strdup(buf);
    }
    free(buf);
    fclose(f);
    if (got < 0) {
        snprintf(msg, n, "%s:%d:%d: %s", path, e.line, e.col, e.msg);
        strv_free(v, nv);
        return -1;
    }
    int rc = app_queue_lines(a, v, nv);
    strv_free(v, nv);
    return rc;
}

const char *app_asset(const char *rel, char *buf, size_t n)
{
    char exe[1024] = "";
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
    }
    const char *env = getenv("ACIDBASE_ASSETS");
    const char *fmt[] = { "%s/%s", "assets/%s", "%s/assets/%s", "%s/../share/acidbase/assets/%s",
                          "/usr/local/share/acidbase/assets/%s", "/usr/share/acidbase/assets/%s" };
    for (size_t i = 0; i < sizeof fmt / sizeof *fmt; i++) {
        if (i == 0) {
            if (!env || !*env)
                continue;
            snprintf(buf, n, fmt[0], env, rel);
        } else if (i == 2 || i == 3) {
            if (!exe[0])
                continue;
            snprintf(buf, n, fmt[i], exe, rel);
        } else {
            snprintf(buf, n, fmt[i], rel);
        }
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

int app_trace_seed(const char *path, uint64_t *seed, char *msg, size_t n)
{
    trace tr;
    trace_err te;
    if (trace_read(path, &tr, &te)) {
        snprintf(msg, n, "%s", te.msg);
        return -1;
    }
    *seed = tr.seed;
    trace_free(&tr);
    return 0;
}

int app_queue_trace(app *a, const char *path, char *msg, size_t n)
{
    changed(a);
    trace tr;
    trace_err te;
    if (trace_read(path, &tr, &te)) {
        snprintf(msg, n, "%s", te.msg);
        return -1;
    }
    char **lines = calloc((size_t)tr.nlines + 1, sizeof *lines);
    for (int i = 0; lines && i < tr.nlines; i++)
        lines[i] = tr.lines[i].text;
    int rc = lines ? app_queue_lines(a, lines, tr.nlines) : -1;
    free(lines);
    trace_free(&tr);
    if (rc)
        snprintf(msg, n, "out of memory");
    return rc;
}

int app_save(app *a, const char *path, bool replace, char *msg, size_t n)
{
    changed(a);
    /* Never through a symbolic link, and an existing file only when asked (:w!): then the
     * new content goes to a temporary file beside it and is renamed over it, which
     * replaces the name and never writes into whatever a link would point at. */
    struct stat st;
    bool there = lstat(path, &st) == 0;
    if (there && S_ISLNK(st.st_mode)) {
        snprintf(msg, n, "%s is a symbolic link: not written (give the file itself)", path);
        return -1;
    }
    if (there && !replace) {
        snprintf(msg, n, "%s exists: not written (:w! %s replaces it)", path, path);
        return -1;
    }
    if (there && !S_ISREG(st.st_mode)) {
        snprintf(msg, n, "%s is not a regular file: not written", path);
        return -1;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= sizeof tmp) {
        snprintf(msg, n, "cannot write %s: the name is too long", path);
        return -1;
    }
    const char *target = there ? tmp : path;
    int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(msg, n, "cannot write %s: %s", path, errno == EEXIST ? "it exists (:w! replaces it)" : strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int nlines = app_nlines(a);
    fprintf(f, "# saved from the acidbase lab\n");
    for (int i = 0; i < nlines; i++)
        fprintf(f, "%s\n", app_line(a, i));
    if (fclose(f) || (there && rename(tmp, path) != 0)) {
        snprintf(msg, n, "cannot write %s: %s", path, strerror(errno));
        unlink(target);
        return -1;
    }
    snprintf(msg, n, "saved %d line%s to %s", nlines, nlines == 1 ? "" : "s", path);
    return 0;
}

int app_export_as(app *a, const char *path, const char *lesson, const char *lesson_hash, const char *learner,
                  char *msg, size_t n)
{
    changed(a);
    trace_err te;
    if (trace_export_lesson_file(a->r, lesson, lesson_hash, learner, path, &te) != TRACE_OK) {
        snprintf(msg, n, "%s", te.msg);
        return -1;
    }
    snprintf(msg, n, "trace written to %s", path);
    return 0;
}

int app_export(app *a, const char *path, char *msg, size_t n)
{
    return app_export_as(a, path, NULL, NULL, NULL, msg, n);
}
