/*
 * read.c: reading the "acidbase-trace" JSON format, strictly. See trace.h for the format
 * and the reading rules, assets/doc/traces.md for every field.
 *
 * The reader parses with cJSON and then walks the tree once, sorting each object's members
 * into slots by name (so an unknown or repeated member is caught in the same pass). Numbers
 * are taken from cJSON's double only when they are exact integers within +-(2^53 - 1);
 * larger integers travel as strings of digits (trace.h).
 */
#include "trace.h"
#include "common/text.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

#define SAFE_INT 9007199254740991.0    /* 2^53 - 1 */
#define SAFE_U64 UINT64_C(9007199254740991)

/* --- reading: paths and types -------------------------------------------------------------- */

typedef struct seg {
    const char *name;    /* NULL: an array index only */
    int index;           /* -1: none */
} seg;

#define KIND_SLOTS 256   /* > 2 * EV__COUNT */

typedef struct rd {
    const char *file;
    trace_err *err;
    seg path[8];
    int depth;
    trace *t;
    uint8_t kinds[KIND_SLOTS];   /* kind names hashed, open addressing; 0 empty */
} rd;

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The kind table by name, hashed once per read (hist_kind_by_name is a linear search). */
static void kinds_index(rd *r)
{
    memset(r->kinds, 0, sizeof r->kinds);
    for (int k = 1; k < EV__COUNT && k < 256; k++) {
        const hist_kind_info *ki = hist_kind_info_of((hist_kind)k);
        if (!ki || !ki->name)
            continue;
        unsigned i = name_hash(ki->name) % KIND_SLOTS;
        while (r->kinds[i])
            i = (i + 1) % KIND_SLOTS;
        r->kinds[i] = (uint8_t)k;
    }
}

static hist_kind kind_named(const rd *r, const char *name)
{
    for (unsigned i = name_hash(name) % KIND_SLOTS; r->kinds[i]; i = (i + 1) % KIND_SLOTS)
        if (strcmp(hist_kind_info_of((hist_kind)r->kinds[i])->name, name) == 0)
            return (hist_kind)r->kinds[i];
    return 0;
}

static void push(rd *r, const char *name, int index)
{
    if (r->depth < 8)
        r->path[r->depth] = (seg){ name, index };
    r->depth++;
}

static void pop(rd *r)
{
    r->depth--;
}

/* "FILE: events[12].tick: msg"; returns TRACE_INVALID. */
static int bad(rd *r, const char *fmt, ...)
{
    char path[256];
    size_t o = 0;
    path[0] = 0;
    for (int i = 0; i < r->depth && i < 8 && o < sizeof path; i++) {
        const seg *s = &r->path[i];
        if (s->name)
            o += (size_t)snprintf(path + o, sizeof path - o, "%s%s", o ? "." : "", s->name);
        if (s->index >= 0 && o < sizeof path)
            o += (size_t)snprintf(path + o, sizeof path - o, "[%d]", s->index);
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path[0])
        return trace_fail(r->err, TRACE_INVALID, "%s: %s: %s", r->file, path, msg);
    return trace_fail(r->err, TRACE_INVALID, "%s: %s", r->file, msg);
}

static const char *type_name(const cJSON *it)
{
    if (cJSON_IsString(it))
        return "a string";
    if (cJSON_IsNumber(it))
        return "a number";
    if (cJSON_IsBool(it))
        return cJSON_IsTrue(it) ? "true" : "false";
    if (cJSON_IsNull(it))
        return "null";
    if (cJSON_IsArray(it))
        return "an array";
    if (cJSON_IsObject(it))
        return "an object";
    return "something else";
}

/* Sorts obj's members into slots by name: slots[i] gets the member called names[i]. An
 * unknown or repeated member is an error; missing ones are left NULL. */
static int members(rd *r, const cJSON *obj, const char *const *names, int nnames, const cJSON **slots)
{
    if (!cJSON_IsObject(obj))
        return bad(r, "expected an object, found %s", type_name(obj));
    for (int i = 0; i < nnames; i++)
        slots[i] = NULL;
    int hint = 0;   /* members usually come in the order the writer puts them */
    for (const cJSON *c = obj->child; c; c = c->next) {
        int k = -1;
        for (int j = 0; j < nnames && k < 0; j++) {
            int i = (hint + j) % nnames;
            if (strcmp(c->string, names[i]) == 0)
                k = i;
        }
        hint = k + 1;
        if (k < 0)
            return bad(r, "unknown field \"%s\"", c->string);
        if (slots[k])
            return bad(r, "the field \"%s\" appears twice", c->string);
        slots[k] = c;
    }
    return TRACE_OK;
}

static int missing(rd *r, const char *name)
{
    push(r, name, -1);
    int rc = bad(r, "missing (a required field)");
    pop(r);
    return rc;
}

/* An integer in [lo, hi] from a JSON number (exact, within 2^53) or a string of digits. */
static int get_int(rd *r, const cJSON *it, const char *name, bool required, int64_t lo, uint64_t hi, bool *present,
                   uint64_t *u, int64_t *s)
{
    if (present)
        *present = it != NULL;
    if (!it)
        return required ? missing(r, name) : TRACE_OK;
    push(r, name, -1);
    int rc = TRACE_OK;
    bool neg = false;
    uint64_t mag = 0;
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (!isfinite(d) || d != floor(d))
            rc = bad(r, "expected an integer, found %.17g", d);
        else if (d > SAFE_INT || d < -SAFE_INT)
            rc = bad(r, "%.17g is beyond the integers JSON numbers hold exactly (+-9007199254740991); "
                        "larger integers are written as strings of digits", d);
        neg = d < 0;
        if (!rc)   /* only a checked value is converted: a huge double would be UB */
            mag = (uint64_t)(neg ? -d : d);
    } else if (cJSON_IsString(it)) {
        const char *p = it->valuestring;
        neg = *p == '-';
        if (neg)
            p++;
        bool digits = *p != 0 && strlen(p) <= 20;
        for (const char *q = p; *q && digits; q++)
            digits = *q >= '0' && *q <= '9';
        errno = 0;
        if (digits)
            mag = strtoull(p, NULL, 10);
        if (!digits)
            rc = bad(r, "expected an integer, found the string \"%.40s\"", it->valuestring);
        else if (errno == ERANGE)
            rc = bad(r, "%s does not fit in 64 bits", it->valuestring);
    } else {
        rc = bad(r, "expected an integer, found %s", type_name(it));
    }
    if (!rc) {
        bool below = neg ? mag && (lo >= 0 || mag > (uint64_t)(-(lo + 1)) + 1) : lo > 0 && mag < (uint64_t)lo;
        bool above = !neg && mag > hi;
        if (below || above) {
            if (lo == 0 && hi == UINT64_MAX)
                rc = bad(r, "expected a non-negative integer, found %s%" PRIu64, neg ? "-" : "", mag);
            else
                rc = bad(r, "expected an integer from %" PRId64 " to %" PRIu64 ", found %s%" PRIu64, lo, hi,
                         neg ? "-" : "", mag);
        }
    }
    if (!rc) {
        if (u)
            *u = mag;
        if (s)
            *s = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    }
    pop(r);
    return rc;
}

static int get_u64(rd *r, const cJSON *it, const char *name, bool required, uint64_t *out)
{
    return get_int(r, it, name, required, 0, UINT64_MAX, NULL, out, NULL);
}

static int get_i64(rd *r, const cJSON *it, const char *name, bool required, int64_t *out)
{
    return get_int(r, it, name, required, INT64_MIN, INT64_MAX, NULL, NULL, out);
}

static int get_small(rd *r, const cJSON *it, const char *name, bool required, int64_t lo, int64_t hi, int *out)
{
    int64_t v = 0;
    int rc = get_int(r, it, name, required, lo, (uint64_t)hi, NULL, NULL, &v);
    if (!rc && it)
        *out = (int)v;
    return rc;
}

static int get_bool(rd *r, const cJSON *it, const char *name, bool *out)
{
    if (!it)
        return missing(r, name);
    if (!cJSON_IsBool(it)) {
        push(r, name, -1);
        int rc = bad(r, "expected true or false, found %s", type_name(it));
        pop(r);
        return rc;
    }
    *out = cJSON_IsTrue(it);
    return TRACE_OK;
}

/* A string (not copied: it lives in the cJSON tree). maxlen 0: any length. */
static int get_str(rd *r, const cJSON *it, const char *name, bool required, size_t maxlen, const char **out)
{
    *out = NULL;
    if (!it)
        return required ? missing(r, name) : TRACE_OK;
    push(r, name, -1);
    int rc = TRACE_OK;
    if (!cJSON_IsString(it))
        rc = bad(r, "expected a string, found %s", type_name(it));
    else if (maxlen && strlen(it->valuestring) > maxlen)
        rc = bad(r, "longer than %zu bytes", maxlen);
    else
        *out = it->valuestring;
    pop(r);
    return rc;
}

static int dup_str(rd *r, const cJSON *it, const char *name, bool required, size_t maxlen, char **out)
{
    const char *s;
    int rc = get_str(r, it, name, required, maxlen, &s);
    if (rc || !s)
        return rc;
    *out = strdup(s);
    return *out ? TRACE_OK : trace_fail(r->err, TRACE_NOMEM, "out of memory");
}

static int get_array(rd *r, const cJSON *it, const char *name, bool required)
{
    if (!it)
        return required ? missing(r, name) : TRACE_OK;
    if (cJSON_IsArray(it))
        return TRACE_OK;
    push(r, name, -1);
    int rc = bad(r, "expected an array, found %s", type_name(it));
    pop(r);
    return rc;
}

/* A row key: an integer, a string (a text key), or {"int": "<digits>"}. */
static int get_key(rd *r, const cJSON *it, const char *name, scalar *out)
{
    *out = (scalar){ 0 };
    if (!it)
        return TRACE_OK;
    if (cJSON_IsString(it)) {
        size_t n = strlen(it->valuestring);
        if (n > SCALAR_TEXT_MAX) {
            push(r, name, -1);
            int rc = bad(r, "a text key has at most %d bytes; this one has %zu", SCALAR_TEXT_MAX, n);
            pop(r);
            return rc;
        }
        *out = scalar_text(it->valuestring, n);
        return TRACE_OK;
    }
    if (cJSON_IsObject(it)) {
        static const char *const names[] = { "int" };
        const cJSON *slot[1];
        push(r, name, -1);
        int rc = members(r, it, names, 1, slot);
        int64_t v = 0;
        if (!rc && !slot[0])
            rc = missing(r, "int");
        if (!rc && !cJSON_IsString(slot[0])) {
            push(r, "int", -1);
            rc = bad(r, "expected a string of digits, found %s", type_name(slot[0]));
            pop(r);
        }
        if (!rc)
            rc = get_i64(r, slot[0], "int", true, &v);
        pop(r);
        if (!rc)
            *out = scalar_int(v);
        return rc;
    }
    if (!cJSON_IsNumber(it)) {
        push(r, name, -1);
        int rc = bad(r, "expected an integer or a string (a text key), found %s", type_name(it));
        pop(r);
        return rc;
    }
    int64_t v;
    int rc = get_i64(r, it, name, true, &v);
    if (!rc)
        *out = scalar_int(v);
    return rc;
}

static int nomem(rd *r)
{
    return trace_fail(r->err, TRACE_NOMEM, "%s: out of memory", r->file);
}

/* --- reading: the sections ------------------------------------------------------------------ */

static int read_settings(rd *r, const cJSON *obj)
{
    static const char *const names[] = { "fresh_database", "kept_database", "real_sync", "sync", "sync_group",
                                         "frames", "base_seed" };
    const cJSON *f[7];
    trace_settings *s = &r->t->settings;
    const char *sync;
    push(r, "settings", -1);
    int rc = members(r, obj, names, 7, f);
    if (!rc)
        rc = get_bool(r, f[0], names[0], &s->fresh_database);
    if (!rc)
        rc = get_bool(r, f[1], names[1], &s->kept_database);
    if (!rc)
        rc = get_bool(r, f[2], names[2], &s->real_sync);
    if (!rc)
        rc = get_str(r, f[3], names[3], true, 0, &sync);
    if (!rc && strcmp(sync, "full") && strcmp(sync, "off") && strcmp(sync, "group")) {
        push(r, "sync", -1);
        rc = bad(r, "expected \"full\", \"off\" or \"group\", found \"%.40s\"", sync);
        pop(r);
    }
    if (!rc)
        snprintf(s->sync, sizeof s->sync, "%s", sync);
    if (!rc)
        rc = get_small(r, f[4], names[4], true, 1, INT_MAX, &s->sync_group);
    if (!rc)
        rc = get_small(r, f[5], names[5], true, 0, INT_MAX, &s->frames);
    if (!rc)
        rc = get_u64(r, f[6], names[6], true, &s->base_seed);
    pop(r);
    return rc;
}

static int read_catalog(rd *r, const cJSON *arr)
{
    static const char *const names[] = { "table", "key_column", "key_type", "value_column", "check" };
    int n = cJSON_GetArraySize(arr), i = 0, rc = TRACE_OK;
    trace *t = r->t;
    t->tables = calloc((size_t)n + 1, sizeof *t->tables);
    if (!t->tables)
        return nomem(r);
    push(r, "catalog", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        const cJSON *f[5];
        trace_table *tb = &t->tables[i];
        const char *type;
        push(r, NULL, i);
        rc = members(r, it, names, 5, f);
        if (!rc)
            rc = dup_str(r, f[0], names[0], true, SQL_NAME_MAX, &tb->name);
        if (!rc)
            rc = dup_str(r, f[1], names[1], true, SQL_NAME_MAX, &tb->key_column);
        if (!rc)
            rc = get_str(r, f[2], names[2], true, 0, &type);
        if (!rc && strcmp(type, "int") && strcmp(type, "text")) {
            push(r, names[2], -1);
            rc = bad(r, "expected \"int\" or \"text\", found \"%.40s\"", type);
            pop(r);
        }
        if (!rc)
            tb->key_type = strcmp(type, "int") == 0 ? SC_INT : SC_TEXT;
        if (!rc)
            rc = dup_str(r, f[3], names[3], true, SQL_NAME_MAX, &tb->value_column);
        if (!rc)
            rc = dup_str(r, f[4], names[4], false, 0, &tb->check);
        t->ntables = i + 1;
        if (!rc && (!tb->name[0] || !tb->key_column[0] || !tb->value_column[0]))
            rc = bad(r, "table and column names must not be empty");
        for (int j = 0; j < i && !rc; j++)
            if (strcmp(t->tables[j].name, tb->name) == 0) {
                push(r, "table", -1);
                rc = bad(r, "\"%s\" appears twice in the catalog", tb->name);
                pop(r);
            }
        pop(r);
    }
    pop(r);
    return rc;
}

static int read_scenario(rd *r, const cJSON *arr)
{
    static const char *const names[] = { "line", "text" };
    int n = cJSON_GetArraySize(arr), i = 0, rc = TRACE_OK, prev = 0;
    trace *t = r->t;
    t->lines = calloc((size_t)n + 1, sizeof *t->lines);
    if (!t->lines)
        return nomem(r);
    push(r, "scenario", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        const cJSON *f[2];
        trace_line *l = &t->lines[i];
        push(r, NULL, i);
        rc = members(r, it, names, 2, f);
        if (!rc)
            rc = get_small(r, f[0], names[0], true, 1, INT_MAX, &l->line);
        if (!rc && l->line <= prev) {
            push(r, "line", -1);
            rc = bad(r, "line %d comes after line %d: lines are in increasing order", l->line, prev);
            pop(r);
        }
        prev = l->line;
        if (!rc)
            rc = dup_str(r, f[1], names[1], true, 0, &l->text);
        t->nlines = i + 1;
        if (!rc && strpbrk(l->text, "\r\n")) {
            push(r, "text", -1);
            rc = bad(r, "contains a line break: each entry is one line");
            pop(r);
        }
        pop(r);
    }
    pop(r);
    return rc;
}

/* The event's numbers: the kind's named ones (all required) and "n<i>" for unnamed ones. */
static int read_numbers(rd *r, const cJSON *obj, hist_kind kind, int64_t n[6])
{
    const hist_kind_info *ki = hist_kind_info_of(kind);
    bool seen[6] = { false };
    int rc = TRACE_OK;
    push(r, "n", -1);
    if (obj && !cJSON_IsObject(obj))
        rc = bad(r, "expected an object, found %s", type_name(obj));
    for (const cJSON *c = obj ? obj->child : NULL; c && !rc; c = c->next) {
        int k = -1;
        for (int i = 0; i < 6 && k < 0; i++)
            if (ki->fields[i] && strcmp(c->string, ki->fields[i]) == 0)
                k = i;
        if (k < 0 && c->string[0] == 'n' && c->string[1] >= '0' && c->string[1] <= '5' && !c->string[2] &&
            !ki->fields[c->string[1] - '0'])
            k = c->string[1] - '0';
        if (k < 0) {
            char list[200] = "";
            size_t o = 0;
            for (int i = 0; i < 6; i++)
                if (ki->fields[i] && o < sizeof list)
                    o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", ki->fields[i]);
            rc = bad(r, "unknown number \"%s\" for a %s event (its numbers: %s)", c->string, ki->name,
                     o ? list : "none");
        } else if (seen[k]) {
            rc = bad(r, "the field \"%s\" appears twice", c->string);
        } else {
            seen[k] = true;
            rc = get_i64(r, c, c->string, true, &n[k]);
        }
    }
    for (int i = 0; i < 6 && !rc; i++)
        if (ki->fields[i] && !seen[i])
            rc = obj ? missing(r, ki->fields[i]) : bad(r, "missing: a %s event has numbers", ki->name);
    pop(r);
    return rc;
}

static int read_rows(rd *r, hist *h, hist_event *e, const cJSON *arr)
{
    static const char *const names[] = { "key", "version", "value", "matched" };
    int n = cJSON_GetArraySize(arr), i = 0, rc = TRACE_OK;
    if (n == 0)
        return TRACE_OK;
    hist_row *rows = calloc((size_t)n, sizeof *rows);
    if (!rows)
        return nomem(r);
    push(r, "rows", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        const cJSON *f[4];
        int matched = 0;
        push(r, NULL, i);
        rc = members(r, it, names, 4, f);
        if (!rc)
            rc = get_key(r, f[0], names[0], &rows[i].key);
        if (!rc)
            rc = get_u64(r, f[1], names[1], true, &rows[i].version);
        if (!rc)
            rc = get_i64(r, f[2], names[2], true, &rows[i].value);
        if (!rc)
            rc = get_small(r, f[3], names[3], true, 0, 255, &matched);
        rows[i].matched = (uint8_t)matched;
        pop(r);
    }
    pop(r);
    if (!rc) {
        hist_set_rows(h, e, rows, n);
        if (e->nrows != n)
            rc = nomem(r);
    }
    free(rows);
    return rc;
}

static int read_u64_list(rd *r, const cJSON *arr, const char *name, uint64_t **out, int *nout)
{
    int n = cJSON_GetArraySize(arr), i = 0, rc = TRACE_OK;
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return TRACE_OK;
    uint64_t *v = calloc((size_t)n, sizeof *v);
    if (!v)
        return nomem(r);
    push(r, name, -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        push(r, NULL, i);
        rc = get_u64(r, it, NULL, true, &v[i]);
        pop(r);
    }
    pop(r);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *nout = n;
    return TRACE_OK;
}

enum {
    EF_SEQ, EF_TICK, EF_SIDE, EF_KIND, EF_DB, EF_SESSION, EF_NODE, EF_NODE2, EF_TXN, EF_TXN2, EF_TABLE, EF_ACTOR,
    EF_KEY, EF_N, EF_TEXT, EF_PRED, EF_ROWS, EF_TXNS, EF__COUNT
};
static const char *const event_names[EF__COUNT] = {
    "seq", "tick", "side", "kind", "db", "session", "node", "node2", "txn", "txn2", "table", "actor",
    "key", "n", "text", "pred", "rows", "txns"
};

static int read_event(rd *r, hist *h, const cJSON *obj, size_t i, uint64_t *prev_tick)
{
    const cJSON *f[EF__COUNT];
    int rc = members(r, obj, event_names, EF__COUNT, f);
    if (rc)
        return rc;
    uint64_t seq, tick, txn = 0, txn2 = 0;
    const char *side, *kname, *table = NULL, *actor = NULL, *text = NULL, *ptext = NULL;
    int db = 0, session = 0, node = 0, node2 = 0;
    scalar key;
    int64_t n[6] = { 0 };
    if ((rc = get_u64(r, f[EF_SEQ], "seq", true, &seq)))
        return rc;
    if (seq != i + 1) {
        push(r, "seq", -1);
        rc = bad(r, "expected %zu (events are numbered 1, 2, 3, ... in order), found %" PRIu64, i + 1, seq);
        pop(r);
        return rc;
    }
    if ((rc = get_u64(r, f[EF_TICK], "tick", true, &tick)))
        return rc;
    if (tick < *prev_tick) {
        push(r, "tick", -1);
        rc = bad(r, "%" PRIu64 " is before the previous event's tick %" PRIu64 " (ticks never go back)", tick,
                 *prev_tick);
        pop(r);
        return rc;
    }
    *prev_tick = tick;
    if ((rc = get_str(r, f[EF_SIDE], "side", true, 0, &side)))
        return rc;
    if (strcmp(side, "acid") && strcmp(side, "base")) {
        push(r, "side", -1);
        rc = bad(r, "expected \"acid\" or \"base\", found \"%.40s\"", side);
        pop(r);
        return rc;
    }
    if ((rc = get_str(r, f[EF_KIND], "kind", true, 0, &kname)))
        return rc;
    hist_kind kind = kind_named(r, kname);
    if (!kind) {
        push(r, "kind", -1);
        rc = bad(r, "unknown event kind \"%.40s\"", kname);
        pop(r);
        return rc;
    }
    if ((rc = get_small(r, f[EF_DB], "db", false, 0, HIST_DB_MAX, &db)) ||
        (rc = get_small(r, f[EF_SESSION], "session", false, 0, 255, &session)) ||
        (rc = get_small(r, f[EF_NODE], "node", false, 0, 65535, &node)) ||
        (rc = get_small(r, f[EF_NODE2], "node2", false, 0, 65535, &node2)) ||
        (rc = get_u64(r, f[EF_TXN], "txn", false, &txn)) || (rc = get_u64(r, f[EF_TXN2], "txn2", false, &txn2)) ||
        (rc = get_str(r, f[EF_TABLE], "table", false, 0, &table)) ||
        (rc = get_str(r, f[EF_ACTOR], "actor", false, 0, &actor)) ||
        (rc = get_key(r, f[EF_KEY], "key", &key)) || (rc = read_numbers(r, f[EF_N], kind, n)) ||
        (rc = get_str(r, f[EF_TEXT], "text", false, 0, &text)) ||
        (rc = get_str(r, f[EF_PRED], "pred", false, 0, &ptext)) ||
        (rc = get_array(r, f[EF_ROWS], "rows", false)) || (rc = get_array(r, f[EF_TXNS], "txns", false)))
        return rc;
    pred *p = NULL;
    if (ptext) {
        const trace_table *tb = table ? trace_table_named(r->t, table) : NULL;
        char why[300];
        push(r, "pred", -1);
        if (!table)
            rc = bad(r, "a predicate needs the event's table");
        else if (!tb)
            rc = bad(r, "the table \"%.40s\" is not in the catalog", table);
        else if (!(p = trace_pred_parse(ptext, tb, why, sizeof why)))
            rc = bad(r, "%s", why);
        pop(r);
        if (rc)
            return rc;
    }
    uint64_t *txns = NULL;
    int ntxns = 0;
    if (f[EF_TXNS] && (rc = read_u64_list(r, f[EF_TXNS], "txns", &txns, &ntxns))) {
        pred_free(p);
        return rc;
    }
    hist_set_tick(h, tick);
    hist_event *e = hist_add(h, strcmp(side, "base") == 0 ? SIDE_BASE : SIDE_ACID, kind);
    if (!e) {
        pred_free(p);
        free(txns);
        return nomem(r);
    }
    if (db && strcmp(side, "acid")) {
        push(r, "db", -1);
        rc = bad(r, "only an ACID event belongs to a database");
        pop(r);
        pred_free(p);
        free(txns);
        return rc;
    }
    e->db = (uint8_t)db;
    e->session = (uint8_t)session;
    e->node = (uint16_t)node;
    e->node2 = (uint16_t)node2;
    e->txn = txn;
    if (txn2)
        hist_set_txn2(h, e, txn2);
    e->key = key;
    memcpy(e->n, n, sizeof e->n);
    if (table)
        hist_set_table(h, e, table);
    if (actor)
        hist_set_actor(h, e, actor);
    if (text)
        hist_set_text(h, e, text);
    if (p)
        hist_set_pred(h, e, p);   /* the history keeps its own (shared) copy */
    if (ntxns)
        hist_set_txns(h, e, txns, ntxns);
    bool lost = (p && !hist_pred(e)) || (ntxns && !hist_txns(e)) || (txn2 && hist_txn2(e) != txn2);
    pred_free(p);
    free(txns);
    if (lost || (table && !e->table) || (actor && !hist_actor(e)) || (text && !e->text))
        return nomem(r);
    if (f[EF_ROWS])
        rc = read_rows(r, h, e, f[EF_ROWS]);
    return rc;
}

static int read_events(rd *r, const cJSON *arr)
{
    hist *h = hist_new();
    if (!h)
        return nomem(r);
    r->t->h = h;
    r->t->own_hist = true;
    size_t i = 0;
    uint64_t tick = 0;
    int rc = TRACE_OK;
    push(r, "events", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        push(r, NULL, (int)i);
        rc = read_event(r, h, it, i, &tick);
        pop(r);
    }
    pop(r);
    return rc;
}

static int read_findings(rd *r, const cJSON *arr)
{
    static const char *const names[] = { "checker", "name", "aliases", "txns", "seq", "text", "node", "key",
                                         "client" };
    int i = 0, rc = TRACE_OK;
    push(r, "findings", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        const cJSON *f[9];
        const char *checker = NULL, *name = NULL, *text = NULL, *key = NULL, *client = NULL;
        const char *aliases[16];
        int naliases = 0, ntxns = 0, node = 0;
        uint64_t seq = 0, *txns = NULL;
        push(r, NULL, i);
        rc = members(r, it, names, 9, f);
        if (!rc)
            rc = get_str(r, f[0], names[0], true, 0, &checker);
        if (!rc)
            rc = get_str(r, f[1], names[1], true, 0, &name);
        if (!rc)
            rc = get_array(r, f[2], names[2], true);
        if (!rc && cJSON_GetArraySize(f[2]) > 16) {
            push(r, names[2], -1);
            rc = bad(r, "at most 16 aliases");
            pop(r);
        }
        push(r, names[2], -1);
        for (const cJSON *a = f[2] && !rc ? f[2]->child : NULL; a && !rc; a = a->next, naliases++) {
            push(r, NULL, naliases);
            rc = get_str(r, a, NULL, true, 0, &aliases[naliases]);
            pop(r);
        }
        pop(r);
        if (!rc)
            rc = get_array(r, f[3], names[3], true);
        if (!rc)
            rc = read_u64_list(r, f[3], names[3], &txns, &ntxns);
        if (!rc)
            rc = get_u64(r, f[4], names[4], true, &seq);
        if (!rc)
            rc = get_str(r, f[5], names[5], true, 0, &text);
        if (!rc)
            rc = get_small(r, f[6], names[6], false, 1, 65535, &node);
        if (!rc)
            rc = get_str(r, f[7], names[7], false, 0, &key);
        if (!rc)
            rc = get_str(r, f[8], names[8], false, 0, &client);
        trace_finding x = { .checker = (char *)checker, .name = (char *)name, .aliases = (char **)aliases,
                            .naliases = naliases, .txns = txns, .ntxns = ntxns, .seq = seq, .node = node,
                            .key = (char *)key, .client = (char *)client, .text = (char *)text };
        if (!rc && finding_list_add(&r->t->findings, &x))
            rc = nomem(r);
        free(txns);
        pop(r);
    }
    pop(r);
    return rc;
}

static int read_expects(rd *r, const cJSON *arr)
{
    static const char *const names[] = { "line", "text", "ok", "why" };
    int n = cJSON_GetArraySize(arr), i = 0, rc = TRACE_OK;
    trace *t = r->t;
    t->expects = calloc((size_t)n + 1, sizeof *t->expects);
    if (!t->expects)
        return nomem(r);
    push(r, "expects", -1);
    for (const cJSON *it = arr->child; it && !rc; it = it->next, i++) {
        const cJSON *f[4];
        trace_expect *x = &t->expects[i];
        push(r, NULL, i);
        rc = members(r, it, names, 4, f);
        if (!rc)
            rc = get_small(r, f[0], names[0], true, 1, INT_MAX, &x->line);
        if (!rc)
            rc = dup_str(r, f[1], names[1], true, 0, &x->text);
        if (!rc)
            rc = get_bool(r, f[2], names[2], &x->ok);
        if (!rc)
            rc = dup_str(r, f[3], names[3], true, 0, &x->why);
        t->nexpects = i + 1;
        pop(r);
    }
    pop(r);
    return rc;
}

enum {
    TF_FORMAT, TF_VERSION, TF_LAB_VERSION, TF_CREATED, TF_LESSON, TF_LESSON_HASH, TF_LEARNER, TF_SEED,
    TF_REPLAYABLE, TF_UNREPLAYABLE, TF_SETTINGS, TF_CATALOG, TF_SCENARIO, TF_EVENTS, TF_FINDINGS, TF_EXPECTS,
    TF__COUNT
};
static const char *const top_names[TF__COUNT] = {
    "format", "version", "lab_version", "created", "lesson", "lesson_hash", "learner", "seed", "replayable",
    "unreplayable_reason", "settings", "catalog", "scenario", "events", "findings", "expects"
};

/* "2024-05-01T12:00:00Z" */
static bool iso_utc(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return false;
    return true;
}

static int read_top(rd *r, const cJSON *root)
{
    trace *t = r->t;
    if (!cJSON_IsObject(root))
        return bad(r, "expected a JSON object at the top level, found %s: not an acidbase trace", type_name(root));
    /* format and version first, so a stranger's JSON gets the message that matters. */
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const char *s;
    int rc;
    if (!fmt)
        return bad(r, "format: missing: this is not an acidbase trace (expected \"format\": \"%s\")", TRACE_FORMAT);
    if ((rc = get_str(r, fmt, "format", true, 0, &s)))
        return rc;
    if (strcmp(s, TRACE_FORMAT)) {
        push(r, "format", -1);
        rc = bad(r, "expected \"%s\", found \"%.60s\": not an acidbase trace", TRACE_FORMAT, s);
        pop(r);
        return rc;
    }
    int64_t v;
    if (ver && !cJSON_IsNumber(ver)) {
        push(r, "version", -1);
        rc = bad(r, "expected an integer, found %s", type_name(ver));
        pop(r);
        return rc;
    }
    if ((rc = get_int(r, ver, "version", true, INT64_MIN, INT64_MAX, NULL, NULL, &v)))
        return rc;
    if (v != TRACE_VERSION) {
        push(r, "version", -1);
        rc = bad(r, "this acidbase (%s) reads trace version %d; the file has version %" PRId64, ACIDBASE_VERSION,
                 TRACE_VERSION, v);
        r->err->version = true;
        pop(r);
        return rc;
    }
    const cJSON *f[TF__COUNT];
    if ((rc = members(r, root, top_names, TF__COUNT, f)))
        return rc;
    if ((rc = dup_str(r, f[TF_LAB_VERSION], "lab_version", true, 0, &t->lab_version)) ||
        (rc = dup_str(r, f[TF_CREATED], "created", true, 0, &t->created)))
        return rc;
    if (!iso_utc(t->created)) {
        push(r, "created", -1);
        rc = bad(r, "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, found \"%.40s\"", t->created);
        pop(r);
        return rc;
    }
    if ((rc = dup_str(r, f[TF_LESSON], "lesson", false, 0, &t->lesson)) ||
        (rc = dup_str(r, f[TF_LESSON_HASH], "lesson_hash", false, 0, &t->lesson_hash)) ||
        (rc = dup_str(r, f[TF_LEARNER], "learner", false, 0, &t->learner)) ||
        (rc = get_u64(r, f[TF_SEED], "seed", true, &t->seed)) ||
        (rc = get_bool(r, f[TF_REPLAYABLE], "replayable", &t->replayable)) ||
        (rc = dup_str(r, f[TF_UNREPLAYABLE], "unreplayable_reason", false, 0, &t->unreplayable_reason)))
        return rc;
    if (t->lesson_hash && (strlen(t->lesson_hash) != 16 || strspn(t->lesson_hash, "0123456789abcdef") != 16)) {
        push(r, "lesson_hash", -1);
        rc = bad(r, "expected 16 lowercase hex digits (the lesson's content hash), found \"%.40s\"", t->lesson_hash);
        pop(r);
        return rc;
    }
    if (t->lesson_hash && !t->lesson)
        return bad(r, "lesson_hash: only a trace that names its lesson has one");
    if (!t->replayable && !t->unreplayable_reason)
        return missing(r, "unreplayable_reason");
    if (t->replayable && t->unreplayable_reason)
        return bad(r, "unreplayable_reason: only a trace with \"replayable\": false has one");
    if (!f[TF_SETTINGS])
        return missing(r, "settings");
    if ((rc = read_settings(r, f[TF_SETTINGS])))
        return rc;
    static const int arrays[] = { TF_CATALOG, TF_SCENARIO, TF_EVENTS, TF_FINDINGS, TF_EXPECTS };
    for (int i = 0; i < 5; i++)
        if ((rc = get_array(r, f[arrays[i]], top_names[arrays[i]], true)))
            return rc;
    if ((rc = read_catalog(r, f[TF_CATALOG])) || (rc = read_scenario(r, f[TF_SCENARIO])) ||
        (rc = read_events(r, f[TF_EVENTS])) || (rc = read_findings(r, f[TF_FINDINGS])) ||
        (rc = read_expects(r, f[TF_EXPECTS])))
        return rc;
    return TRACE_OK;
}

/* Does the text stop inside a string or an open array or object, with every bracket
 * before that matched? That is a truncated file, whatever cJSON points at. */
static bool json_truncated(const char *buf, size_t len)
{
    char stack[1024];
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth == sizeof stack)
                return false;
            stack[depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (!depth || stack[depth - 1] != c)
                return false;
            depth--;
        }
    }
    return in_str || depth > 0;
}

static void line_col(const char *buf, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* Where a JSON syntax error is, in words. */
static int json_error(const char *name, const char *buf, size_t len, const char *at, trace_err *err)
{
    size_t off = at && at >= buf && at <= buf + len ? (size_t)(at - buf) : len;
    int line, col;
    if (json_truncated(buf, len)) {
        line_col(buf, len, &line, &col);
        return trace_fail(err, TRACE_INVALID,
                    "%s:%d:%d: invalid JSON: the text ends at byte %zu before the trace is complete (a truncated file?)",
                    name, line, col, len);
    }
    line_col(buf, off, &line, &col);
    /* A little of the line on both sides of the spot (cJSON points at or just past it). */
    char near[32];
    size_t m = 0, from = off;
    while (from > 0 && off - from < 12 && buf[from - 1] != '\n')
        from--;
    for (size_t i = from; i < len && m < 28 && (i < off || i - off < 12) && buf[i] != '\n' && buf[i] != '\r'; i++)
        near[m++] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
    near[m] = 0;
    return trace_fail(err, TRACE_INVALID, "%s:%d:%d: invalid JSON at byte %zu, near `%s`", name, line, col, off, near);
}

/* cJSON's nodes for one parse come from an arena: a 100,000-event trace is over a million
 * small allocations, and malloc and free were the largest part of reading one. The hooks
 * are cJSON's global ones, set for the parse and reset right after (the lab is single
 * threaded); the tree is then read and dropped with the arena, never cJSON_Delete'd. */
typedef struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    max_align_t data[];
} arena_blk;

static arena_blk *arena;

static void *arena_alloc(size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!arena || arena->used + n > arena->cap) {
        size_t cap = n > ((size_t)1 << 20) ? n : (size_t)1 << 20;
        arena_blk *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = arena;
        b->used = 0;
        b->cap = cap;
        arena = b;
    }
    void *p = (char *)arena->data + arena->used;
    arena->used += n;
    return p;
}

static void arena_nofree(void *p)
{
    (void)p;
}

static void arena_release(void)
{
    while (arena) {
        arena_blk *next = arena->next;
        free(arena);
        arena = next;
    }
}

int trace_parse(const char *name, const char *buf, size_t len, trace *out, trace_err *err)
{
    memset(out, 0, sizeof *out);
    size_t k = 0;
    while (k < len && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\n' || buf[k] == '\r'))
        k++;
    if (k == len)
        return trace_fail(err, TRACE_INVALID, "%s: the file is empty: not an acidbase trace", name);
    const char *nul = memchr(buf, 0, len);
    if (nul)
        return trace_fail(err, TRACE_INVALID, "%s: a NUL byte at byte %zu: not a JSON text", name, (size_t)(nul - buf));
    /* JSON is UTF-8 (RFC 8259, section 8.1), and cJSON does not check it: every string
     * read here reaches reports, results.json and screens. */
    size_t bad = text_utf8_check(buf, len);
    if (bad < len)
        return trace_fail(err, TRACE_INVALID, "%s: invalid UTF-8 at byte %zu (0x%02x): a trace is UTF-8 JSON", name, bad,
                          (unsigned char)buf[bad]);
    const char *end = NULL;
    cJSON_Hooks hooks = { arena_alloc, arena_nofree };
    cJSON_InitHooks(&hooks);
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
    cJSON_InitHooks(NULL);
    if (!root) {
        arena_release();
        return json_error(name, buf, len, end ? end : cJSON_GetErrorPtr(), err);
    }
    size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len;
    while (off < len && (buf[off] == ' ' || buf[off] == '\t' || buf[off] == '\n' || buf[off] == '\r'))
        off++;
    if (off < len) {
        arena_release();
        int rc = json_error(name, buf, len, buf + off, err);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (text after the end of the trace)");
        return rc;
    }
    rd r = { .file = name, .err = err, .t = out };
    kinds_index(&r);
    int rc = read_top(&r, root);
    arena_release();
    if (rc)
        trace_free(out);
    return rc;
}

int trace_read(const char *path, trace *out, trace_err *err)
{
    memset(out, 0, sizeof *out);
    /* A regular file only: a FIFO named x.json would block the open (and grading) for
     * ever, a device could be endless. O_NONBLOCK makes the open itself return. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        return trace_fail(err, TRACE_INVALID, "%s: not a regular file: not a trace", path);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return trace_fail(err, TRACE_IOERR, "%s: cannot open: %s", path, strerror(e));
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = TRACE_OK;
    if ((uint64_t)st.st_size > TRACE_FILE_MAX) {
        fclose(f);
        return trace_fail(err, TRACE_INVALID, "%s: larger than %d MiB: refused unread (a lesson's trace is well under 1 MiB)",
                    path, TRACE_FILE_MAX >> 20);
    }
    for (;;) {
        if (len + 65536 > cap) {
            size_t ncap = cap ? cap * 2 : 1 << 20;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = trace_fail(err, TRACE_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (len > TRACE_FILE_MAX) {
            rc = trace_fail(err, TRACE_INVALID, "%s: larger than %d MiB: refused unread (a lesson's trace is well under 1 MiB)",
                      path, TRACE_FILE_MAX >> 20);
            break;
        }
        if (k == 0) {
            if (ferror(f))
                rc = trace_fail(err, TRACE_IOERR, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!rc)
        rc = trace_parse(path, buf, len, out, err);
    free(buf);
    return rc;
}

