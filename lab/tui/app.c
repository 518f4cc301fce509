/*
 * app.c: recorded lines, queued lines, the engines they built, and the transcript.
 * See app.h.
 *
 * The runner prints its transcript to a memory stream; after each line the new text is
 * cut into log lines. The runner refuses an invalid line before it changes anything
 * (parsing and validation come first); such a line is not recorded.
 */
#include "app.h"
#include "trace/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct app {
    app_opts o;
    runner *r;
    FILE *out, *err;
    char *outbuf, *errbuf;
    size_t outlen, errlen, outread;
    char **lines;            /* recorded */
    int *from_queue;         /* the queue index line i came from, or -1 (typed) */
    int nlines, caplines;
    int floor;               /* step back never goes below this many lines (a lesson's setup) */
    char **queue;
    bool *done;              /* queue[i] has run */
    int nqueue;
    char **log;              /* ring of APP_LOG_MAX */
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
        free(a->log[(a->logstart + i) % APP_LOG_MAX]);
    a->nlog = a->logstart = 0;
}

static void log_add(app *a, const char *s, size_t len)
{
    char *line = strndup(s, len);
    if (!line)
        return;
    if (a->nlog == APP_LOG_MAX) {
        free(a->log[a->logstart]);
        a->log[a->logstart] = line;
        a->logstart = (a->logstart + 1) % APP_LOG_MAX;
    } else {
        a->log[(a->logstart + a->nlog++) % APP_LOG_MAX] = line;
    }
    a->last_added++;
    if (strncmp(line, "say: ", 5) == 0)
        snprintf(a->narration, sizeof a->narration, "%s", line + 5);
}

/* Moves what the runner printed since last time into the log. */
static void drain(app *a)
{
    fflush(a->out);
    while (a->outread < a->outlen) {
        const char *p = a->outbuf + a->outread;
        const char *nl = memchr(p, '\n', a->outlen - a->outread);
        size_t len = nl ? (size_t)(nl - p) : a->outlen - a->outread;
        log_add(a, p, len);
        a->outread += len + (nl ? 1 : 0);
    }
}

static void close_streams(app *a)
{
    if (a->out)
        fclose(a->out);
    if (a->err)
        fclose(a->err);
    free(a->outbuf);
    free(a->errbuf);
    a->out = a->err = NULL;
    a->outbuf = a->errbuf = NULL;
    a->outlen = a->errlen = a->outread = 0;
}

static int open_runner(app *a, char *msg, size_t n)
{
    runner_free(a->r);
    a->r = NULL;
    close_streams(a);
    a->out = open_memstream(&a->outbuf, &a->outlen);
    a->err = open_memstream(&a->errbuf, &a->errlen);
    if (!a->out || !a->err) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    runner_opts ro = { .file = "lab", .seed = a->o.seed, .real_sync = false, .out = a->out, .err = a->err };
    a->r = runner_new(&ro);
    if (!a->r) {
        fflush(a->err);
        snprintf(msg, n, "%s", a->errbuf && *a->errbuf ? a->errbuf : "cannot start the engines");
        return -1;
    }
    return 0;
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
    close_streams(a);
    strv_free(a->lines, a->nlines);
    free(a->from_queue);
    strv_free(a->queue, a->nqueue);
    free(a->done);
    log_clear(a);
    free(a->log);
    free(a);
}

runner *app_runner(app *a) { return a->r; }
int app_nlines(const app *a) { return a->nlines; }
const char *app_line(const app *a, int i) { return i >= 0 && i < a->nlines ? a->lines[i] : NULL; }
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
const char *app_log(const app *a, int i) { return i >= 0 && i < a->nlog ? a->log[(a->logstart + i) % APP_LOG_MAX] : NULL; }
int app_last_added(const app *a) { return a->last_added; }
unsigned long app_version(const app *a) { return a->version; }
const char *app_narration(const app *a) { return a->narration; }

static int record(app *a, const char *line, int queued)
{
    if (a->nlines == a->caplines) {
        int cap = a->caplines ? a->caplines * 2 : 64;
        char **l = realloc(a->lines, (size_t)cap * sizeof *l);
        int *q = l ? realloc(a->from_queue, (size_t)cap * sizeof *q) : NULL;
        if (l)
            a->lines = l;
        if (!l || !q)
            return -1;
        a->from_queue = q;
        a->caplines = cap;
    }
    a->lines[a->nlines] = strdup(line);
    if (!a->lines[a->nlines])
        return -1;
    a->from_queue[a->nlines++] = queued;
    return 0;
}

/* Runs one line on the live runner; the runner's verdict decides whether it counts. */
static int run_line(app *a, const char *line, char *msg, size_t n)
{
    size_t errmark = (fflush(a->err), a->errlen);
    int rc = runner_line(a->r, line, a->nlines + 1);
    drain(a);
    fflush(a->err);
    if (rc == RUN_INVALID || rc == RUN_IOERR) {
        /* Drop the "lab:LINE:COL: " prefix: the command line knows where it is. */
        const char *m = a->errlen > errmark ? a->errbuf + errmark : "invalid line";
        const char *p = strstr(m, ": ");
        if (strncmp(m, "lab:", 4) == 0 && p)
            m = p + 2;
        snprintf(msg, n, "%.*s", (int)strcspn(m, "\n"), m);
        return -1;
    }
    return 0;
}

/* Rebuilds the engines from the first `keep` recorded lines. */
static int replay(app *a, int keep, char *msg, size_t n)
{
    char **lines = a->lines;
    int *fq = a->from_queue;
    int total = a->nlines;
    a->lines = NULL;
    a->from_queue = NULL;
    a->nlines = a->caplines = 0;
    log_clear(a);
    a->narration[0] = 0;
    int rc = open_runner(a, msg, n);
    for (int i = 0; !rc && i < keep; i++) {
        char m[256];
        if (run_line(a, lines[i], m, sizeof m) == 0)
            rc = record(a, lines[i], fq[i]);
    }
    strv_free(lines, total);
    free(fq);
    return rc;
}

int app_exec(app *a, const char *line, char *msg, size_t n)
{
    changed(a);
    a->last_added = 0;
    if (run_line(a, line, msg, n))
        return -1;
    if (record(a, line, -1)) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    return 0;
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
    if (run_line(a, a->queue[q], msg, n))
        return -1;
    if (record(a, a->queue[q], q)) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    return 0;
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
    a->floor = a->nlines;
}

int app_back(app *a, char *msg, size_t n)
{
    changed(a);
    if (a->nlines <= a->floor) {
        snprintf(msg, n, "nothing to undo");
        return 1;
    }
    /* Undo back to and including the last line that did something; lines that came
     * from the queue go back into it, in their place. */
    int keep = a->nlines - 1;
    while (keep > a->floor && blank(a->lines[keep]))
        keep--;
    for (int i = keep; i < a->nlines; i++)
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
    int nv = 0, capv = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = 0;
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

int app_save(app *a, const char *path, char *msg, size_t n)
{
    changed(a);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(msg, n, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# saved from the acidbase lab\n");
    for (int i = 0; i < a->nlines; i++)
        fprintf(f, "%s\n", a->lines[i]);
    if (fclose(f)) {
        snprintf(msg, n, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(msg, n, "saved %d line%s to %s", a->nlines, a->nlines == 1 ? "" : "s", path);
    return 0;
}

int app_export_as(app *a, const char *path, const char *lesson, const char *learner, char *msg, size_t n)
{
    changed(a);
    trace t;
    trace_err te;
    int rc = trace_from_runner(a->r, &t, &te);
    if (rc == TRACE_OK) {
        if (lesson)
            t.lesson = strdup(lesson);
        if (learner)
            t.learner = strdup(learner);
        rc = (lesson && !t.lesson) || (learner && !t.learner) ? TRACE_NOMEM : trace_write(&t, path, &te);
        if (rc == TRACE_NOMEM)
            snprintf(te.msg, sizeof te.msg, "out of memory");
        trace_free(&t);
    }
    if (rc != TRACE_OK) {
        snprintf(msg, n, "%s", te.msg);
        return -1;
    }
    snprintf(msg, n, "trace written to %s", path);
    return 0;
}

int app_export(app *a, const char *path, char *msg, size_t n)
{
    return app_export_as(a, path, NULL, NULL, msg, n);
}
