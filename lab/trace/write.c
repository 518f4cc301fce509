/*
 * write.c: writing the "acidbase-trace" JSON format. See trace.h for the format and
 * assets/doc/traces.md for every field.
 *
 * The writer streams into one growing buffer (no tree, nothing quadratic) with one event
 * per line, so a trace reads well in a pager and diffs line by line. Integers beyond
 * +-(2^53 - 1) travel as strings of digits (trace.h). A trace is written from data: the
 * caller gives the lines, events, findings and results (export.h makes them from a run).
 */
#include "trace.h"
#include "common/text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAFE_INT 9007199254740991.0    /* 2^53 - 1 */
#define SAFE_U64 UINT64_C(9007199254740991)

/* --- writing --------------------------------------------------------------------------- */

typedef struct jbuf {
    char *p;
    size_t n, cap;
    bool oom;
} jbuf;

static bool jb_reserve(jbuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->n + more + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->n + more + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    return true;
}

static void jb_raw(jbuf *b, const char *s, size_t n)
{
    if (!jb_reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void jb_lit(jbuf *b, const char *s)
{
    jb_raw(b, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped; other bytes as they
 * are (scenario text is UTF-8: the parser refuses anything else). Should bytes that are not
 * UTF-8 reach here anyway, each maximal invalid subsequence is written as U+FFFD
 * (text_utf8_repair): what we write is always valid JSON for a strict parser. */
static void jb_strn(jbuf *b, const char *s, size_t n)
{
    if (text_utf8_check(s, n) < n) {
        char *raw = malloc(n + 1), *fixed = NULL;
        if (raw) {
            memcpy(raw, s, n);
            raw[n] = 0;
            fixed = text_utf8_repair(raw);
        }
        if (fixed)
            jb_strn(b, fixed, strlen(fixed));
        else
            b->oom = true;
        free(raw);
        free(fixed);
        return;
    }
    if (!jb_reserve(b, 6 * n + 2))
        return;
    char *o = b->p + b->n;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        default:
            if (c < 0x20) {
                o += sprintf(o, "\\u%04x", c);
            } else {
                *o++ = (char)c;
            }
        }
    }
    *o++ = '"';
    *o = 0;
    b->n = (size_t)(o - b->p);
}

static void jb_str(jbuf *b, const char *s)
{
    jb_strn(b, s ? s : "", s ? strlen(s) : 0);
}

static void jb_u64(jbuf *b, uint64_t v)
{
    char t[32];
    int k = v > SAFE_U64 ? snprintf(t, sizeof t, "\"%" PRIu64 "\"", v) : snprintf(t, sizeof t, "%" PRIu64, v);
    jb_raw(b, t, (size_t)k);
}

static void jb_i64(jbuf *b, int64_t v)
{
    char t[32];
    bool safe = v <= (int64_t)SAFE_U64 && v >= -(int64_t)SAFE_U64;
    int k = safe ? snprintf(t, sizeof t, "%" PRId64, v) : snprintf(t, sizeof t, "\"%" PRId64 "\"", v);
    jb_raw(b, t, (size_t)k);
}

static void jb_bool(jbuf *b, bool v)
{
    jb_lit(b, v ? "true" : "false");
}

/* A typed row key: 42, "A", or {"int": "<digits>"} beyond 2^53. */
static void jb_key(jbuf *b, const scalar *k)
{
    if (k->type == SC_TEXT) {
        jb_strn(b, k->s, k->len);
    } else if (k->i <= (int64_t)SAFE_U64 && k->i >= -(int64_t)SAFE_U64) {
        jb_i64(b, k->i);
    } else {
        char t[48];
        int n = snprintf(t, sizeof t, "{\"int\":\"%" PRId64 "\"}", k->i);
        jb_raw(b, t, (size_t)n);
    }
}

/* ,"name": */
static void jb_name(jbuf *b, const char *name)
{
    jb_lit(b, ",");
    jb_str(b, name);
    jb_lit(b, ":");
}

static void jb_pred(jbuf *b, const pred *p)
{
    char small[1024];
    int n = pred_format(p, small, sizeof small);
    if (n < (int)sizeof small) {
        jb_str(b, small);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    pred_format(p, big, (size_t)n + 1);
    jb_str(b, big);
    free(big);
}

static void put_event(jbuf *b, const hist_event *e)
{
    const hist_kind_info *ki = hist_kind_info_of((hist_kind)e->kind);
    char unknown[32];
    const char *kind = ki && ki->name ? ki->name : (snprintf(unknown, sizeof unknown, "kind_%d", e->kind), unknown);
    jb_lit(b, "{\"seq\":");
    jb_u64(b, e->seq);
    jb_name(b, "tick");
    jb_u64(b, e->tick);
    jb_name(b, "side");
    jb_str(b, e->side == SIDE_BASE ? "base" : "acid");
    jb_name(b, "kind");
    jb_str(b, kind);
    if (e->db) {   /* a run of one database (db 0) writes no db: its traces stay as they were */
        jb_name(b, "db");
        jb_u64(b, e->db);
    }
    if (e->session) {
        jb_name(b, "session");
        jb_u64(b, e->session);
    }
    if (e->node) {
        jb_name(b, "node");
        jb_u64(b, e->node);
    }
    if (e->node2) {
        jb_name(b, "node2");
        jb_u64(b, e->node2);
    }
    if (e->txn) {
        jb_name(b, "txn");
        jb_u64(b, e->txn);
    }
    if (hist_txn2(e)) {
        jb_name(b, "txn2");
        jb_u64(b, hist_txn2(e));
    }
    if (e->table) {
        jb_name(b, "table");
        jb_str(b, e->table);
    }
    if (hist_actor(e)) {
        jb_name(b, "actor");
        jb_str(b, hist_actor(e));
    }
    if (e->key.type != SC_NONE) {
        jb_name(b, "key");
        jb_key(b, &e->key);
    }
    bool any = false;
    for (int i = 0; i < 6; i++) {
        const char *name = ki ? ki->fields[i] : NULL;
        char nn[4] = { 'n', (char)('0' + i), 0, 0 };
        if (!name && !e->n[i])
            continue;
        jb_lit(b, any ? "," : ",\"n\":{");
        any = true;
        jb_str(b, name ? name : nn);
        jb_lit(b, ":");
        jb_i64(b, e->n[i]);
    }
    if (any)
        jb_lit(b, "}");
    if (e->text) {
        jb_name(b, "text");
        jb_str(b, e->text);
    }
    if (hist_pred(e)) {
        jb_name(b, "pred");
        jb_pred(b, hist_pred(e));
    }
    if (e->rows && e->nrows > 0) {
        jb_lit(b, ",\"rows\":[");
        for (int i = 0; i < e->nrows; i++) {
            const hist_row *r = &e->rows[i];
            jb_lit(b, i ? ",{" : "{");
            if (r->key.type != SC_NONE) {
                jb_lit(b, "\"key\":");
                jb_key(b, &r->key);
                jb_lit(b, ",");
            }
            jb_lit(b, "\"version\":");
            jb_u64(b, r->version);
            jb_name(b, "value");
            jb_i64(b, r->value);
            jb_name(b, "matched");
            jb_u64(b, r->matched);
            jb_lit(b, "}");
        }
        jb_lit(b, "]");
    }
    if (hist_txns(e) && hist_ntxns(e) > 0) {
        jb_lit(b, ",\"txns\":[");
        for (int i = 0; i < hist_ntxns(e); i++) {
            if (i)
                jb_lit(b, ",");
            jb_u64(b, hist_txns(e)[i]);
        }
        jb_lit(b, "]");
    }
    jb_lit(b, "}");
}

static void put_finding(jbuf *b, const trace_finding *f)
{
    jb_lit(b, "{\"checker\":");
    jb_str(b, f->checker);
    jb_name(b, "name");
    jb_str(b, f->name);
    jb_lit(b, ",\"aliases\":[");
    for (int i = 0; i < f->naliases; i++) {
        if (i)
            jb_lit(b, ",");
        jb_str(b, f->aliases[i]);
    }
    jb_lit(b, "],\"txns\":[");
    for (int i = 0; i < f->ntxns; i++) {
        if (i)
            jb_lit(b, ",");
        jb_u64(b, f->txns[i]);
    }
    jb_lit(b, "]");
    jb_name(b, "seq");
    jb_u64(b, f->seq);
    if (f->node) {
        jb_name(b, "node");
        jb_u64(b, (uint64_t)f->node);
    }
    if (f->key) {
        jb_name(b, "key");
        jb_str(b, f->key);
    }
    if (f->client) {
        jb_name(b, "client");
        jb_str(b, f->client);
    }
    jb_name(b, "text");
    jb_str(b, f->text);
    jb_lit(b, "}");
}

/* Opens a top-level array member; items follow one per line. */
static void jb_array(jbuf *b, const char *name, int n)
{
    jb_lit(b, ",\n  ");
    jb_str(b, name);
    jb_lit(b, n ? ": [\n    " : ": [");
}

static void jb_item_sep(jbuf *b, int i, int n)
{
    jb_lit(b, i + 1 < n ? ",\n    " : "\n  ");
}

int trace_render(const trace *t, char **out, size_t *len, trace_err *err)
{
    jbuf b = { 0 };
    jb_lit(&b, "{\n  \"format\": ");
    jb_str(&b, TRACE_FORMAT);
    jb_lit(&b, ",\n  \"version\": ");
    jb_u64(&b, TRACE_VERSION);
    jb_lit(&b, ",\n  \"lab_version\": ");
    jb_str(&b, t->lab_version);
    jb_lit(&b, ",\n  \"created\": ");
    jb_str(&b, t->created);
    if (t->lesson) {
        jb_lit(&b, ",\n  \"lesson\": ");
        jb_str(&b, t->lesson);
    }
    if (t->lesson && t->lesson_hash) {
        jb_lit(&b, ",\n  \"lesson_hash\": ");
        jb_str(&b, t->lesson_hash);
    }
    if (t->learner) {
        jb_lit(&b, ",\n  \"learner\": ");
        jb_str(&b, t->learner);
    }
    jb_lit(&b, ",\n  \"seed\": ");
    jb_u64(&b, t->seed);
    jb_lit(&b, ",\n  \"replayable\": ");
    jb_bool(&b, t->replayable);
    if (!t->replayable) {
        jb_lit(&b, ",\n  \"unreplayable_reason\": ");
        jb_str(&b, t->unreplayable_reason);
    }
    const trace_settings *s = &t->settings;
    jb_lit(&b, ",\n  \"settings\": {\"fresh_database\": ");
    jb_bool(&b, s->fresh_database);
    jb_lit(&b, ", \"kept_database\": ");
    jb_bool(&b, s->kept_database);
    jb_lit(&b, ", \"real_sync\": ");
    jb_bool(&b, s->real_sync);
    jb_lit(&b, ", \"sync\": ");
    jb_str(&b, s->sync);
    jb_lit(&b, ", \"sync_group\": ");
    jb_i64(&b, s->sync_group);
    jb_lit(&b, ", \"frames\": ");
    jb_i64(&b, s->frames);
    jb_lit(&b, ", \"base_seed\": ");
    jb_u64(&b, s->base_seed);
    jb_lit(&b, "}");

    jb_array(&b, "catalog", t->ntables);
    for (int i = 0; i < t->ntables; i++) {
        const trace_table *tb = &t->tables[i];
        jb_lit(&b, "{\"table\":");
        jb_str(&b, tb->name);
        jb_name(&b, "key_column");
        jb_str(&b, tb->key_column);
        jb_name(&b, "key_type");
        jb_str(&b, tb->key_type == SC_TEXT ? "text" : "int");
        jb_name(&b, "value_column");
        jb_str(&b, tb->value_column);
        if (tb->check) {
            jb_name(&b, "check");
            jb_str(&b, tb->check);
        }
        jb_lit(&b, "}");
        jb_item_sep(&b, i, t->ntables);
    }
    jb_lit(&b, "]");

    jb_array(&b, "scenario", t->nlines);
    for (int i = 0; i < t->nlines; i++) {
        jb_lit(&b, "{\"line\":");
        jb_i64(&b, t->lines[i].line);
        jb_name(&b, "text");
        jb_str(&b, t->lines[i].text);
        jb_lit(&b, "}");
        jb_item_sep(&b, i, t->nlines);
    }
    jb_lit(&b, "]");

    size_t nev = t->h ? hist_count(t->h) : 0;
    jb_array(&b, "events", nev > 0);
    for (size_t i = 0; i < nev && !b.oom; i++) {
        put_event(&b, hist_get(t->h, i));
        jb_lit(&b, i + 1 < nev ? ",\n    " : "\n  ");
    }
    jb_lit(&b, "]");

    jb_array(&b, "findings", t->findings.n);
    for (int i = 0; i < t->findings.n; i++) {
        put_finding(&b, &t->findings.v[i]);
        jb_item_sep(&b, i, t->findings.n);
    }
    jb_lit(&b, "]");

    jb_array(&b, "expects", t->nexpects);
    for (int i = 0; i < t->nexpects; i++) {
        const trace_expect *x = &t->expects[i];
        jb_lit(&b, "{\"line\":");
        jb_i64(&b, x->line);
        jb_name(&b, "text");
        jb_str(&b, x->text);
        jb_name(&b, "ok");
        jb_bool(&b, x->ok);
        jb_name(&b, "why");
        jb_str(&b, x->why);
        jb_lit(&b, "}");
        jb_item_sep(&b, i, t->nexpects);
    }
    jb_lit(&b, "]\n}\n");
    if (b.oom) {
        free(b.p);
        return trace_fail(err, TRACE_NOMEM, "out of memory writing a trace");
    }
    *out = b.p;
    *len = b.n;
    return TRACE_OK;
}

int trace_write_file(const char *path, const char *data, size_t len, trace_err *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp)
        return trace_fail(err, TRACE_NOMEM, "out of memory");
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, plen + 32, "%s.tmp%ld.%d", path, (long)getpid(), attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return trace_fail(err, TRACE_IOERR, "cannot write %s: %s", path, strerror(e));
    }
    size_t off = 0;
    int e = 0;
    while (off < len && !e) {
        ssize_t k = write(fd, data + off, len - off);
        if (k < 0 && errno != EINTR)
            e = errno;
        else if (k > 0)
            off += (size_t)k;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        return trace_fail(err, TRACE_IOERR, "cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    return TRACE_OK;
}

int trace_write(const trace *t, const char *path, trace_err *err)
{
    char *buf;
    size_t len;
    int rc = trace_render(t, &buf, &len, err);
    if (rc)
        return rc;
    rc = trace_write_file(path, buf, len, err);
    free(buf);
    return rc;
}

