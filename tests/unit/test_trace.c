/*
 * test_trace.c: the trace format (lab/trace/), the checkers' labels (lab/run/findings.c)
 * and the grader's event comparison. A trace written and read back must give the same history, field by
 * field, and the same bytes when written again; every malformation the reader refuses is
 * pinned by its exact message and result code, since that message is all a teacher sees.
 */
#include "run/findings.h"
#include "run/runner.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"
#include "trace/grade.h"
#include "trace/trace.h"
#include "t.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

/* --- a synthetic trace with every kind of field ---------------------------------------------- */

static trace_table tables[] = {
    { "t", "id", "value", SC_INT, NULL },
    { "acc", "id", "balance", SC_TEXT, "balance >= 0" },
};

static hist_event *add(hist *h, hist_side side, hist_kind kind, uint64_t txn)
{
    hist_event *e = hist_add(h, side, kind);
    e->txn = txn;
    return e;
}

static void set_pred(trace *t, hist_event *e, const char *table, const char *text)
{
    char why[200];
    hist_set_table(t->h, e, table);
    pred *p = trace_pred_parse(text, trace_table_named(t, table), why, sizeof why);
    CHECK(p != NULL);
    hist_set_pred(t->h, e, p);
    pred_free(p);
}

/* Fills t with one of everything; free with trace_free (it owns the history). */
static void build(trace *t)
{
    memset(t, 0, sizeof *t);
    t->lab_version = strdup("9.9.9");
    t->created = strdup("2026-01-02T03:04:05Z");
    t->learner = strdup("Zoë \"the tester\"");
    t->seed = UINT64_MAX;
    t->replayable = true;
    t->settings = (trace_settings){ true, false, true, "group", 3, 8, UINT64_MAX - 1 };
    t->tables = calloc(2, sizeof *t->tables);
    for (int i = 0; i < 2; i++) {
        t->tables[i].name = strdup(tables[i].name);
        t->tables[i].key_column = strdup(tables[i].key_column);
        t->tables[i].value_column = strdup(tables[i].value_column);
        t->tables[i].key_type = tables[i].key_type;
        t->tables[i].check = tables[i].check ? strdup(tables[i].check) : NULL;
    }
    t->ntables = 2;
    t->lines = calloc(3, sizeof *t->lines);
    t->lines[0] = (trace_line){ 1, strdup("setup: CREATE TABLE t (id INT PRIMARY KEY, value INT)") };
    t->lines[1] = (trace_line){ 2, strdup("") };
    t->lines[2] = (trace_line){ 5, strdup("say: tab\there, quote \" and backslash \\ and é") };
    t->nlines = 3;
    t->h = hist_new();
    t->own_hist = true;
    hist *h = t->h;

    hist_event *e = add(h, SIDE_ACID, EV_TXN_BEGIN, 1);
    e->session = 1;
    e->n[0] = 2;
    e = add(h, SIDE_ACID, EV_WRITE, 1);
    hist_set_table(h, e, "t");
    e->key = scalar_int(5);
    e->n[0] = 7;
    e->n[1] = -9007199254740993LL;   /* beyond 2^53: a string */
    e->n[2] = 1;
    e = add(h, SIDE_ACID, EV_WRITE, 1);
    e->db = 3;                       /* another database's event carries "db" */
    hist_set_table(h, e, "t");
    e->key = scalar_int(INT64_MIN);  /* a key beyond 2^53: {"int": ...} */
    e->n[1] = INT64_MAX;
    e = add(h, SIDE_ACID, EV_PREAD, 1);
    set_pred(t, e, "acc", "id IN ('A', 'B''s') AND balance >= -5 AND balance % 3 = 1");
    hist_set_text(h, e, "a scan");
    hist_row rows[2] = { { scalar_text("A", 1), 3, 500, 1 }, { scalar_text("B's", 3), UINT64_MAX, -1, 0 } };
    hist_set_rows(h, e, rows, 2);
    e->n[0] = 1;
    e = add(h, SIDE_ACID, EV_PREAD, 1);
    set_pred(t, e, "t", "");
    e = add(h, SIDE_ACID, EV_LOCK_REQUEST, 1);
    hist_set_table(h, e, "t");
    e->n[0] = 3;
    e = add(h, SIDE_ACID, EV_LOCK_WAIT, 2);
    hist_set_txn2(h, e, 1);
    hist_set_table(h, e, "t");
    e->key = scalar_int(0);
    e = add(h, SIDE_ACID, EV_DEADLOCK, 2);
    uint64_t cyc[2] = { 2, UINT64_MAX };
    hist_set_txns(h, e, cyc, 2);
    hist_set_text(h, e, "line one\nline two\x01");
    hist_set_tick(h, 4);
    e = add(h, SIDE_BASE, EV_MSG_DELIVER, 0);
    e->node = 1;
    e->node2 = 65535;
    e->n[2] = 5;                     /* unnamed: written as "n2" */
    e->n[5] = -1;
    e = add(h, SIDE_BASE, EV_REQ_INVOKE, 0);
    e->node = 2;
    hist_set_actor(h, e, "alice");
    e->key = scalar_text("cart", 4);
    hist_set_text(h, e, "PUT cart apple");
    hist_set_tick(h, (uint64_t)1 << 60);
    add(h, SIDE_BASE, EV_SETTLE, 0);

    const char *al[2] = { "read-skew", "lost-update" };
    uint64_t tx[2] = { 1, 2 };
    trace_finding f1 = { .checker = "acid", .name = "G-single", .aliases = (char **)al, .naliases = 2,
                         .txns = tx, .ntxns = 2, .seq = 8, .text = "T1 and T2\nform a cycle" };
    trace_finding f2 = { .checker = "base", .name = "stale-read", .seq = 10, .node = 2, .key = "cart",
                         .client = "alice", .text = "alice read the past" };
    CHECK_EQ_INT(finding_list_add(&t->findings, &f1), 0);
    CHECK_EQ_INT(finding_list_add(&t->findings, &f2), 0);
    t->expects = calloc(2, sizeof *t->expects);
    t->expects[0] = (trace_expect){ 3, strdup("expect T1 active"), true, strdup("") };
    t->expects[1] = (trace_expect){ 4, strdup("expect anomaly G0"), false, strdup("the checker found:\n  G-single") };
    t->nexpects = 2;
}

static char *render(const trace *t, size_t *len)
{
    char *buf = NULL;
    trace_err err;
    CHECK_EQ_INT(trace_render(t, &buf, len, &err), TRACE_OK);
    return buf;
}

static void test_render_then_parse_gives_the_same_trace(void)
{
    trace a, b;
    build(&a);
    size_t len, len2;
    char *text = render(&a, &len);
    trace_err err;
    int rc = trace_parse("mem.json", text, len, &b, &err);
    CHECK_EQ_INT(rc, TRACE_OK);
    if (rc) {
        fprintf(stderr, "  %s\n", err.msg);
        free(text);
        trace_free(&a);
        return;
    }
    CHECK_EQ_INT(hist_count(b.h), hist_count(a.h));
    for (size_t i = 0; i < hist_count(a.h) && i < hist_count(b.h); i++) {
        char why[300];
        if (grade_event_diff(hist_get(a.h, i), hist_get(b.h, i), why, sizeof why)) {
            fprintf(stderr, "  event %zu: %s\n", i + 1, why);
            t_checks_failed++;
        }
    }
    CHECK(b.seed == UINT64_MAX);
    CHECK_EQ_STR(b.learner, a.learner);
    CHECK(b.lesson == NULL);
    CHECK_EQ_STR(b.settings.sync, "group");
    CHECK_EQ_INT(b.settings.sync_group, 3);
    CHECK(b.settings.base_seed == UINT64_MAX - 1);
    CHECK_EQ_INT(b.ntables, 2);
    CHECK_EQ_STR(b.tables[1].check, "balance >= 0");
    CHECK_EQ_INT(b.tables[1].key_type, SC_TEXT);
    CHECK_EQ_INT(b.nlines, 3);
    CHECK_EQ_STR(b.lines[2].text, a.lines[2].text);
    CHECK_EQ_INT(b.lines[2].line, 5);
    char why[300];
    CHECK(!finding_lists_differ(&a.findings, &b.findings, why, sizeof why));
    CHECK_EQ_INT(b.nexpects, 2);
    CHECK_EQ_STR(b.expects[1].why, a.expects[1].why);
    CHECK(!b.expects[1].ok);
    /* The predicate came back resolved: it evaluates. */
    const hist_event *pr = hist_get(b.h, 3);
    scalar k = scalar_text("B's", 3);
    CHECK(hist_pred(pr) && pred_eval(hist_pred(pr), &k, 4));
    CHECK(!pred_eval(hist_pred(pr), &k, 5));
    /* Written again: the same bytes. */
    char *text2 = render(&b, &len2);
    CHECK_EQ_INT(len2, len);
    CHECK(text2 && memcmp(text, text2, len) == 0);
    free(text);
    free(text2);
    trace_free(&a);
    trace_free(&b);
}

static void test_integers_beyond_2_pow_53_are_strings(void)
{
    trace a;
    build(&a);
    size_t len;
    char *text = render(&a, &len);
    CHECK(strstr(text, "\"seed\": \"18446744073709551615\"") != NULL);
    CHECK(strstr(text, "\"value\":\"-9007199254740993\"") != NULL);
    CHECK(strstr(text, "\"key\":{\"int\":\"-9223372036854775808\"}") != NULL);
    CHECK(strstr(text, "\"n2\":5") != NULL);
    CHECK(strstr(text, "\"n5\":-1") != NULL);
    CHECK(strstr(text, "\"actor\":\"alice\"") != NULL);
    CHECK(strstr(text, "\"text\":\"line one\\nline two\\u0001\"") != NULL);
    free(text);
    trace_free(&a);
}

/* --- the reader's errors -------------------------------------------------------------------- */

static const char *valid =
    "{\"format\":\"acidbase-trace\",\"version\":2,\"lab_version\":\"0.1.0\",\"created\":\"2026-01-02T03:04:05Z\","
    "\"seed\":0,\"replayable\":true,"
    "\"settings\":{\"fresh_database\":true,\"kept_database\":false,\"real_sync\":true,\"sync\":\"full\","
    "\"sync_group\":1,\"frames\":4,\"base_seed\":0},"
    "\"catalog\":[{\"table\":\"t\",\"key_column\":\"id\",\"key_type\":\"int\",\"value_column\":\"value\"}],"
    "\"scenario\":[{\"line\":1,\"text\":\"T1: BEGIN\"},{\"line\":2,\"text\":\"T1: SELECT * FROM t WHERE id = 1\"}],"
    "\"events\":[{\"seq\":1,\"tick\":0,\"side\":\"acid\",\"kind\":\"txn_begin\",\"session\":1,\"txn\":1,"
    "\"n\":{\"level\":2,\"autocommit\":0}},"
    "{\"seq\":2,\"tick\":0,\"side\":\"acid\",\"kind\":\"pread\",\"session\":1,\"txn\":1,\"table\":\"t\","
    "\"n\":{\"matched\":1},\"text\":\"id = 1\",\"pred\":\"id = 1\","
    "\"rows\":[{\"key\":1,\"version\":1,\"value\":10,\"matched\":1}]}],"
    "\"findings\":[{\"checker\":\"acid\",\"name\":\"G1a\",\"aliases\":[\"aborted-read\"],\"txns\":[1],\"seq\":2,"
    "\"text\":\"x\"}],"
    "\"expects\":[{\"line\":3,\"text\":\"expect T1 active\",\"ok\":true,\"why\":\"\"}]}";

/* valid with the first occurrence of old replaced by new. */
static char *mutate(const char *old, const char *new)
{
    const char *at = strstr(valid, old);
    if (!at) {
        fprintf(stderr, "%s: the fixture has no \"%s\"\n", t_current, old);
        t_checks_failed++;
        return strdup(valid);
    }
    size_t n = strlen(valid) - strlen(old) + strlen(new);
    char *s = malloc(n + 1);
    size_t pre = (size_t)(at - valid);
    memcpy(s, valid, pre);
    strcpy(s + pre, new);
    strcat(s, at + strlen(old));
    return s;
}

static void expect_ok(const char *text)
{
    trace t;
    trace_err err;
    int rc = trace_parse("t.json", text, strlen(text), &t, &err);
    CHECK_EQ_INT(rc, TRACE_OK);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    else
        trace_free(&t);
}

static void expect_error_len(const char *text, size_t len, const char *msg)
{
    trace t;
    trace_err err;
    int rc = trace_parse("t.json", text, len, &t, &err);
    CHECK_EQ_INT(rc, TRACE_INVALID);
    if (rc == TRACE_OK) {
        trace_free(&t);
        return;
    }
    CHECK_EQ_INT(err.code, TRACE_INVALID);
    CHECK_EQ_STR(err.msg, msg);
}

static void expect_error(const char *text, const char *msg)
{
    expect_error_len(text, strlen(text), msg);
}

/* Mutates valid and checks the exact message. */
#define BAD(old, new, msg) do { char *s_ = mutate(old, new); expect_error(s_, msg); free(s_); } while (0)
#define GOOD(old, new) do { char *s_ = mutate(old, new); expect_ok(s_); free(s_); } while (0)

static void test_the_fixture_is_valid(void)
{
    expect_ok(valid);
}

static void test_reader_refuses_what_is_not_a_trace(void)
{
    expect_error("", "t.json: the file is empty: not an acidbase trace");
    expect_error(" \n", "t.json: the file is empty: not an acidbase trace");
    expect_error("[1, 2]", "t.json: expected a JSON object at the top level, found an array: not an acidbase trace");
    expect_error("{\"a\": 1}", "t.json: format: missing: this is not an acidbase trace (expected \"format\": "
                               "\"acidbase-trace\")");
    BAD("\"format\":\"acidbase-trace\"", "\"format\":\"acidbase-log\"",
        "t.json: format: expected \"acidbase-trace\", found \"acidbase-log\": not an acidbase trace");
    BAD("\"format\":\"acidbase-trace\"", "\"format\":7", "t.json: format: expected a string, found a number");
    BAD("\"version\":2", "\"version\":1",
        "t.json: version: this acidbase (" ACIDBASE_VERSION ") reads trace version 2; the file has version 1");
    BAD("\"version\":2", "\"version\":\"2\"", "t.json: version: expected an integer, found a string");
    BAD("\"version\":2,", "", "t.json: version: missing (a required field)");
}

static void test_reader_reports_json_syntax_with_a_position(void)
{
    expect_error("{\"format\": tru}", "t.json:1:12: invalid JSON at byte 11, near `{\"format\": tru}`");
    expect_error("{\n  \"format\": \"acidbase-trace\",\n  \"version\": 2,,\n}",
                 "t.json:3:17: invalid JSON at byte 48, near `ersion\": 2,,`");
    /* Truncated anywhere: the message says so and points at the end. */
    size_t n = strlen(valid);
    char want[200];
    snprintf(want, sizeof want,
             "t.json:1:%zu: invalid JSON: the text ends at byte %zu before the trace is complete (a truncated file?)",
             n / 2 + 1, n / 2);
    expect_error_len(valid, n / 2, want);
    snprintf(want, sizeof want,
             "t.json:1:%zu: invalid JSON: the text ends at byte %zu before the trace is complete (a truncated file?)",
             n, n - 1);
    expect_error_len(valid, n - 1, want);
    char *s = malloc(n + 8);
    strcpy(s, valid);
    strcat(s, "\n}");
    snprintf(want, sizeof want, "t.json:2:1: invalid JSON at byte %zu, near `}` (text after the end of the trace)",
             n + 1);
    expect_error(s, want);
    s[10] = 0;
    expect_error_len(s, n, "t.json: a NUL byte at byte 10: not a JSON text");
    free(s);
}

static void test_reader_names_the_field_with_the_wrong_type(void)
{
    BAD("\"tick\":0,\"side\":\"acid\",\"kind\":\"pread\"", "\"tick\":\"x\",\"side\":\"acid\",\"kind\":\"pread\"",
        "t.json: events[1].tick: expected an integer, found the string \"x\"");
    BAD("\"tick\":0,\"side\":\"acid\",\"kind\":\"pread\"", "\"tick\":{},\"side\":\"acid\",\"kind\":\"pread\"",
        "t.json: events[1].tick: expected an integer, found an object");
    BAD("\"tick\":0,\"side\":\"acid\",\"kind\":\"pread\"", "\"tick\":1.5,\"side\":\"acid\",\"kind\":\"pread\"",
        "t.json: events[1].tick: expected an integer, found 1.5");
    BAD("\"tick\":0,\"side\":\"acid\",\"kind\":\"pread\"", "\"tick\":-1,\"side\":\"acid\",\"kind\":\"pread\"",
        "t.json: events[1].tick: expected a non-negative integer, found -1");
    BAD("\"txn\":1,\"n\":{\"level\"", "\"txn\":9007199254740993,\"n\":{\"level\"",
        "t.json: events[0].txn: 9007199254740992 is beyond the integers JSON numbers hold exactly "
        "(+-9007199254740991); larger integers are written as strings of digits");
    GOOD("\"txn\":1,\"n\":{\"level\"", "\"txn\":\"1\",\"n\":{\"level\"");
    BAD("\"txn\":1,\"n\":{\"level\"", "\"txn\":\"99999999999999999999\",\"n\":{\"level\"",
        "t.json: events[0].txn: 99999999999999999999 does not fit in 64 bits");
    BAD("\"session\":1", "\"session\":300", "t.json: events[0].session: expected an integer from 0 to 255, found 300");
    BAD("\"session\":1", "\"db\":128,\"session\":1", "t.json: events[0].db: expected an integer from 0 to 127, found 128");
    BAD("\"side\":\"acid\",\"kind\":\"txn_begin\",\"session\":1",
        "\"side\":\"base\",\"kind\":\"txn_begin\",\"db\":2,\"session\":1",
        "t.json: events[0].db: only an ACID event belongs to a database");
    BAD("\"side\":\"acid\"", "\"side\":\"left\"", "t.json: events[0].side: expected \"acid\" or \"base\", found \"left\"");
    BAD("\"ok\":true", "\"ok\":\"yes\"", "t.json: expects[0].ok: expected true or false, found a string");
    BAD("\"txns\":[1]", "\"txns\":[\"a\"]", "t.json: findings[0].txns[0]: expected an integer, found the string \"a\"");
    BAD("\"matched\":1}]", "\"matched\":300}]",
        "t.json: events[1].rows[0].matched: expected an integer from 0 to 255, found 300");
    BAD("\"rows\":[{\"key\":1", "\"rows\":[{\"key\":{\"int\":1}",
        "t.json: events[1].rows[0].key.int: expected a string of digits, found a number");
    GOOD("\"rows\":[{\"key\":1", "\"rows\":[{\"key\":{\"int\":\"1\"}");
    BAD("\"rows\":[{\"key\":1", "\"rows\":[{\"key\":true",
        "t.json: events[1].rows[0].key: expected an integer or a string (a text key), found true");
    BAD("\"rows\":[{\"key\":1", "\"rows\":[{\"key\":\"abcdefghijklmnopqrstuvwxyz\"",
        "t.json: events[1].rows[0].key: a text key has at most 23 bytes; this one has 26");
    BAD("\"rows\":[{\"key\":1,\"version\":1,\"value\":10,\"matched\":1}]", "\"rows\":{}",
        "t.json: events[1].rows: expected an array, found an object");
    BAD("\"findings\":[{\"checker\":\"acid\",\"name\":\"G1a\",\"aliases\":[\"aborted-read\"],\"txns\":[1],\"seq\":2,"
        "\"text\":\"x\"}]", "\"findings\":\"none\"", "t.json: findings: expected an array, found a string");
    BAD("\"sync\":\"full\"", "\"sync\":\"fast\"",
        "t.json: settings.sync: expected \"full\", \"off\" or \"group\", found \"fast\"");
    BAD("\"created\":\"2026-01-02T03:04:05Z\"", "\"created\":\"yesterday\"",
        "t.json: created: expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, found \"yesterday\"");
    BAD("\"key_type\":\"int\"", "\"key_type\":\"float\"",
        "t.json: catalog[0].key_type: expected \"int\" or \"text\", found \"float\"");
}

static void test_reader_refuses_missing_unknown_and_repeated_fields(void)
{
    BAD("\"seq\":1,\"tick\":0,", "\"seq\":1,", "t.json: events[0].tick: missing (a required field)");
    BAD("\"level\":2,", "", "t.json: events[0].n.level: missing (a required field)");
    BAD("\"n\":{\"level\":2,\"autocommit\":0}", "\"x\":1",
        "t.json: events[0]: unknown field \"x\"");
    BAD("\"n\":{\"matched\":1},", "", "t.json: events[1].n: missing: a pread event has numbers");
    BAD("\"autocommit\":0", "\"autocommit\":0,\"bogus\":1",
        "t.json: events[0].n: unknown number \"bogus\" for a txn_begin event (its numbers: level, autocommit)");
    GOOD("\"autocommit\":0", "\"autocommit\":0,\"n2\":1");
    BAD("\"autocommit\":0", "\"autocommit\":0,\"n1\":1",
        "t.json: events[0].n: unknown number \"n1\" for a txn_begin event (its numbers: level, autocommit)");
    BAD("\"session\":1,\"txn\":1,\"n\":{\"level\"", "\"session\":1,\"session\":1,\"txn\":1,\"n\":{\"level\"",
        "t.json: events[0]: the field \"session\" appears twice");
    BAD("\"value_column\":\"value\"", "\"value_column\":\"value\",\"colour\":\"red\"",
        "t.json: catalog[0]: unknown field \"colour\"");
    BAD("\"seed\":0,", "\"seed\":0,\"extra\":1,", "t.json: unknown field \"extra\"");
    BAD("\"settings\":{\"fresh_database\":true,\"kept_database\":false,\"real_sync\":true,\"sync\":\"full\","
        "\"sync_group\":1,\"frames\":4,\"base_seed\":0},", "", "t.json: settings: missing (a required field)");
    BAD(",\"base_seed\":0}", "}", "t.json: settings.base_seed: missing (a required field)");
    BAD("\"replayable\":true", "\"replayable\":false", "t.json: unreplayable_reason: missing (a required field)");
    GOOD("\"replayable\":true", "\"replayable\":false,\"unreplayable_reason\":\"--dir\"");
    BAD("\"replayable\":true", "\"replayable\":true,\"unreplayable_reason\":\"--dir\"",
        "t.json: unreplayable_reason: only a trace with \"replayable\": false has one");
    BAD("\"why\":\"\"", "\"whyy\":\"\"", "t.json: expects[0]: unknown field \"whyy\"");
}

/* A trace of a lesson names the lesson's content hash (lesson.h, lesson_hash), so that a
 * grader knows the lesson changed since; it is written back as read. */
static void test_a_lesson_trace_carries_the_content_hash(void)
{
    GOOD("\"seed\":0,", "\"lesson\":\"dirty-read\",\"lesson_hash\":\"0123456789abcdef\",\"seed\":0,");
    GOOD("\"seed\":0,", "\"lesson\":\"dirty-read\",\"seed\":0,");      /* written before the hash */
    BAD("\"seed\":0,", "\"lesson_hash\":\"0123456789abcdef\",\"seed\":0,",
        "t.json: lesson_hash: only a trace that names its lesson has one");
    BAD("\"seed\":0,", "\"lesson\":\"dirty-read\",\"lesson_hash\":\"0123456789ABCDEF\",\"seed\":0,",
        "t.json: lesson_hash: expected 16 lowercase hex digits (the lesson's content hash), found "
        "\"0123456789ABCDEF\"");
    BAD("\"seed\":0,", "\"lesson\":\"dirty-read\",\"lesson_hash\":7,\"seed\":0,",
        "t.json: lesson_hash: expected a string, found a number");
    trace a, b;
    build(&a);
    a.lesson = strdup("dirty-read");
    a.lesson_hash = strdup("fedcba9876543210");
    size_t len, len2;
    char *text = render(&a, &len);
    trace_err err;
    int rc = trace_parse("mem.json", text, len, &b, &err);
    CHECK_EQ_INT(rc, TRACE_OK);
    if (rc == TRACE_OK) {
        CHECK_EQ_STR(b.lesson, "dirty-read");
        CHECK_EQ_STR(b.lesson_hash, "fedcba9876543210");
        char *text2 = render(&b, &len2);
        CHECK(text2 && len2 == len && memcmp(text, text2, len) == 0);
        free(text2);
        trace_free(&b);
    }
    free(text);
    trace_free(&a);
}

static void test_reader_checks_order_kinds_and_predicates(void)
{
    BAD("\"seq\":2", "\"seq\":3",
        "t.json: events[1].seq: expected 2 (events are numbered 1, 2, 3, ... in order), found 3");
    BAD("\"seq\":1,\"tick\":0", "\"seq\":1,\"tick\":5",
        "t.json: events[1].tick: 0 is before the previous event's tick 5 (ticks never go back)");
    BAD("\"kind\":\"txn_begin\"", "\"kind\":\"txn_bgin\"", "t.json: events[0].kind: unknown event kind \"txn_bgin\"");
    BAD("\"pred\":\"id = 1\"", "\"pred\":\"foo = 1\"", "t.json: events[1].pred: \"foo\" is not a column of t (id, value)");
    BAD("\"pred\":\"id = 1\"", "\"pred\":\"id = = 1\"",
        "t.json: events[1].pred: not a predicate: expected a value (integer or 'text'), found '=' (at column 6 of "
        "\"id = = 1\")");
    BAD("\"pred\":\"id = 1\"", "\"pred\":\"id = 1; DROP\"", "t.json: events[1].pred: not a predicate: \"id = 1; DROP\"");
    BAD("\"table\":\"t\",\"n\"", "\"table\":\"u\",\"n\"", "t.json: events[1].pred: the table \"u\" is not in the catalog");
    BAD("\"table\":\"t\",\"n\"", "\"n\"", "t.json: events[1].pred: a predicate needs the event's table");
    BAD("{\"line\":2,", "{\"line\":1,", "t.json: scenario[1].line: line 1 comes after line 1: lines are in increasing order");
    BAD("\"text\":\"T1: BEGIN\"", "\"text\":\"T1: BEGIN\\nT2: BEGIN\"",
        "t.json: scenario[0].text: contains a line break: each entry is one line");
    BAD("\"key_column\":\"id\"", "\"key_column\":\"\"", "t.json: catalog[0]: table and column names must not be empty");
}

static void test_reading_a_missing_file_is_an_io_error(void)
{
    trace t;
    trace_err err;
    CHECK_EQ_INT(trace_read("/nonexistent/acidbase/t.json", &t, &err), TRACE_IOERR);
    CHECK_EQ_STR(err.msg, "/nonexistent/acidbase/t.json: cannot open: No such file or directory");
}

/* --- writing ------------------------------------------------------------------------------------ */

static void test_write_is_atomic_and_leaves_only_the_trace(void)
{
    char dir[] = "/tmp/acidbase-test-trace-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.json", dir);
    trace a, b;
    build(&a);
    trace_err err;
    CHECK_EQ_INT(trace_write(&a, path, &err), TRACE_OK);
    CHECK_EQ_INT(trace_write(&a, path, &err), TRACE_OK);    /* over an existing file */
    CHECK_EQ_INT(trace_read(path, &b, &err), TRACE_OK);
    CHECK_EQ_INT(hist_count(b.h), hist_count(a.h));
    int files = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.') {
            files++;
            CHECK_EQ_STR(de->d_name, "out.json");
        }
    if (d)
        closedir(d);
    CHECK_EQ_INT(files, 1);
    snprintf(path, sizeof path, "%s/no/such/dir/out.json", dir);
    CHECK_EQ_INT(trace_write(&a, path, &err), TRACE_IOERR);
    CHECK(strstr(err.msg, "cannot write") != NULL);
    snprintf(path, sizeof path, "%s/out.json", dir);
    unlink(path);
    rmdir(dir);
    trace_free(&a);
    trace_free(&b);
}

static void test_a_long_history_round_trips(void)
{
    trace a, b;
    build(&a);
    for (int i = 0; i < 20000; i++) {
        hist_event *e = add(a.h, SIDE_ACID, EV_READ, (uint64_t)i);
        hist_set_table(a.h, e, "t");
        e->key = scalar_int(i);
        e->n[0] = i;
        e->n[1] = -i;
    }
    size_t len;
    char *text = render(&a, &len);
    trace_err err;
    CHECK_EQ_INT(trace_parse("big.json", text, len, &b, &err), TRACE_OK);
    CHECK_EQ_INT(hist_count(b.h), hist_count(a.h));
    const hist_event *last = hist_get(b.h, hist_count(b.h) - 1);
    CHECK(last && last->n[1] == -19999 && last->key.i == 19999);
    free(text);
    trace_free(&a);
    trace_free(&b);
}

/* --- labels, comparisons ------------------------------------------------------------------------- */

static void test_labels_follow_the_sessions_transactions(void)
{
    hist *h = hist_new();
    hist_event *e = add(h, SIDE_ACID, EV_TXN_BEGIN, 7);
    e->session = 1;
    e = add(h, SIDE_ACID, EV_TXN_BEGIN, 3);
    e->session = 2;
    e = add(h, SIDE_ACID, EV_TXN_BEGIN, 9);
    e->session = 1;
    add(h, SIDE_ACID, EV_TXN_BEGIN, 11);
    check_labels *l = check_labels_new();
    CHECK_EQ_INT(check_labels_update(l, h, 0, hist_count(h)), 0);
    char b[32];
    check_label(7, b, sizeof b, l);
    CHECK_EQ_STR(b, "T1");
    check_label(3, b, sizeof b, l);
    CHECK_EQ_STR(b, "T2");
    check_label(9, b, sizeof b, l);
    CHECK_EQ_STR(b, "T1#2");
    check_label(11, b, sizeof b, l);
    CHECK_EQ_STR(b, "setup");
    check_label(5, b, sizeof b, l);
    CHECK_EQ_STR(b, "txn 5");
    check_labels_free(l);
    hist_free(h);
}

/* The lab takes the events in step by step; check takes them all at once: same labels. And
 * a transaction id begun a second time (an engine that reuses ids after a crash) keeps the
 * name of its first begin, whoever asks. */
static void test_labels_are_the_same_step_by_step_and_at_once(void)
{
    hist *h = hist_new();
    hist_event *e = add(h, SIDE_ACID, EV_TXN_BEGIN, 2);
    e->session = 1;
    e = add(h, SIDE_ACID, EV_TXN_BEGIN, 2);
    e->session = 2;
    e = add(h, SIDE_ACID, EV_TXN_BEGIN, 4);
    e->session = 2;
    e = add(h, SIDE_ACID, EV_TXN_BEGIN, 3);
    e->session = 3;
    check_labels *step = check_labels_new(), *once = check_labels_new();
    for (size_t i = 0; i < hist_count(h); i++)
        CHECK_EQ_INT(check_labels_update(step, h, i, i + 1), 0);
    CHECK_EQ_INT(check_labels_update(once, h, 0, hist_count(h)), 0);
    static const struct { uint64_t txn; const char *label; } want[] = {
        { 2, "T1" }, { 3, "T3" }, { 4, "T2#2" }, { 5, "txn 5" },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char a[32], b[32];
        check_label(want[i].txn, a, sizeof a, step);
        check_label(want[i].txn, b, sizeof b, once);
        CHECK_EQ_STR(a, want[i].label);
        CHECK_EQ_STR(b, want[i].label);
    }
    check_labels_free(step);
    check_labels_free(once);
    hist_free(h);
}

static void test_event_diff_names_the_first_differing_field(void)
{
    hist *h = hist_new();
    hist_event *a = add(h, SIDE_ACID, EV_WRITE, 1);
    a->n[1] = 10;
    hist_event *b = add(h, SIDE_ACID, EV_WRITE, 1);
    b->n[1] = 11;
    b = (hist_event *)hist_get(h, 1);   /* the recorded copy: seq is its position, 2 */
    b->seq = 1;
    char why[200];
    CHECK(grade_event_diff(hist_get(h, 0), hist_get(h, 1), why, sizeof why));
    CHECK_EQ_STR(why, "n.value: recorded 10, the replay has 11");
    b = (hist_event *)hist_get(h, 1);
    b->n[1] = 10;
    CHECK(!grade_event_diff(hist_get(h, 0), hist_get(h, 1), why, sizeof why));
    b->kind = EV_UNDO;
    CHECK(grade_event_diff(hist_get(h, 0), hist_get(h, 1), why, sizeof why));
    CHECK_EQ_STR(why, "kind: recorded write, the replay has undo");
    b->kind = EV_WRITE;
    b->key = scalar_text("A", 1);
    CHECK(grade_event_diff(hist_get(h, 0), hist_get(h, 1), why, sizeof why));
    CHECK_EQ_STR(why, "key: recorded none, the replay has 'A'");
    b->key = a->key;
    b->db = 2;
    CHECK(grade_event_diff(hist_get(h, 0), hist_get(h, 1), why, sizeof why));
    CHECK_EQ_STR(why, "db: recorded 0, the replay has 2");
    hist_free(h);
}

static void test_findings_differ_names_the_field(void)
{
    trace a, b;
    build(&a);
    build(&b);
    char why[300];
    CHECK(!finding_lists_differ(&a.findings, &b.findings, why, sizeof why));
    free(b.findings.v[1].client);
    b.findings.v[1].client = strdup("bob");
    CHECK(finding_lists_differ(&a.findings, &b.findings, why, sizeof why));
    CHECK_EQ_STR(why, "findings[1].client: the recorded stale-read finding differs from the recomputed stale-read");
    b.findings.n = 1;
    CHECK(finding_lists_differ(&a.findings, &b.findings, why, sizeof why));
    CHECK_EQ_STR(why, "findings[1]: stale-read (base) is recorded but not found");
    b.findings.n = 2;
    trace_free(&a);
    trace_free(&b);
}

/* --- findings once per step (lab/run/findings.h) ------------------------------------------------ */

/* A run with ACID and BASE findings: a dirty read that becomes G1a, a lost update, a stale
 * read under a partition, siblings. */
static const char *const findings_run[] = {
    "setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)",
    "setup: INSERT INTO t VALUES (1, 10), (2, 20)",
    "T1: BEGIN",
    "T1: UPDATE t SET v = 11 WHERE id = 1",
    "T2: BEGIN ISOLATION LEVEL READ UNCOMMITTED",
    "T2: SELECT * FROM t WHERE id = 1",
    "T2: COMMIT",
    "T1: ROLLBACK",
    "T3: BEGIN ISOLATION LEVEL READ UNCOMMITTED",
    "T4: BEGIN ISOLATION LEVEL READ UNCOMMITTED",
    "T3: SELECT * FROM t WHERE id = 2",
    "T4: SELECT * FROM t WHERE id = 2",
    "T3: UPDATE t SET v = 21 WHERE id = 2",
    "T3: COMMIT",
    "T4: UPDATE t SET v = 22 WHERE id = 2",
    "T4: COMMIT",
    "cluster: replicas 3",
    "cluster: resolve siblings",
    "n1: PUT cart apple W=ALL",
    "net: partition n1 | n2 n3",
    "n1: PUT cart pear W=ONE",
    "n2: PUT cart plum W=ONE",
    "alice@n2: GET cart R=ONE",
    "net: heal",
    "run: settle",
};

/* The findings kept up to date step by step (as the lab and the runner keep them) are the
 * findings of the whole history computed at once (as check computes them from a trace):
 * the contract every checker's update must keep, incremental or not. */
static void test_findings_step_by_step_are_the_findings_at_once(void)
{
    char err[256];
    runner_opts o = { .seed = 5 };
    runner *r = runner_new(&o, err, sizeof err);
    CHECK(r != NULL);
    if (!r)
        return;
    findings *step = findings_new(runner_history(r));
    int n = (int)(sizeof findings_run / sizeof *findings_run);
    for (int i = 0; i < n; i++) {
        CHECK_EQ_INT(runner_line(r, findings_run[i], i + 1), RUN_OK);
        CHECK(findings_get(step) != NULL);
    }
    findings *once = findings_new(runner_history(r));
    const finding_list *a = findings_get(step), *b = findings_get(once), *c = runner_findings(r);
    char why[512] = "";
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(!finding_lists_differ(a, b, why, sizeof why));
        CHECK(!finding_lists_differ(c, b, why, sizeof why));
        bool acid = false, base = false;
        for (int i = 0; i < b->n; i++) {
            acid |= !strcmp(b->v[i].checker, "acid");
            base |= !strcmp(b->v[i].checker, "base");
        }
        CHECK(acid && base);
        CHECK_EQ_INT(findings_has(once, "G1a"), 1);
        CHECK_EQ_INT(findings_has(once, "lost-update"), 1);
        CHECK_EQ_INT(findings_has(once, "sibling"), 1);
        CHECK_EQ_INT(findings_has(once, "write-skew"), 0);
    }
    /* Asking again with no new event gives the same list, not a new one (F1). */
    CHECK(findings_get(once) == b);
    findings_free(step);
    findings_free(once);
    runner_free(r);
}

/* The names error messages list are names the checkers accept, and the table lists the
 * ACID and BASE checkers' names in order. */
static void test_findings_names_are_the_checkers(void)
{
    size_t total = 0;
    for (size_t c = 0; findings_checker(c); c++) {
        const checker_ops *ck = findings_checker(c);
        for (size_t i = 0; ck->name_at(i); i++, total++) {
            CHECK(ck->known(ck->name_at(i)));
            CHECK(findings_known_name(ck->name_at(i)));
        }
    }
    CHECK(total >= 21);
    CHECK(findings_known_name("G-single") && acidcheck_known_name("G-single"));
    CHECK(findings_known_name("stale-reads") && basecheck_known_name("stale-reads"));
    CHECK(!findings_known_name("G3"));
    char names[1024];
    findings_names(names, sizeof names);
    CHECK_EQ_STR(names, "G0, G1a, G1b, G1c, G-single, G2-item, G2, dirty-read, dirty-write, aborted-read, "
                        "intermediate-read, read-skew, non-repeatable-read, phantom, lost-update, write-skew, "
                        "stale-read, read-your-writes, monotonic-read, lost-write or sibling");
}

int main(void)
{
    RUN(test_render_then_parse_gives_the_same_trace);
    RUN(test_integers_beyond_2_pow_53_are_strings);
    RUN(test_the_fixture_is_valid);
    RUN(test_reader_refuses_what_is_not_a_trace);
    RUN(test_reader_reports_json_syntax_with_a_position);
    RUN(test_reader_names_the_field_with_the_wrong_type);
    RUN(test_reader_refuses_missing_unknown_and_repeated_fields);
    RUN(test_a_lesson_trace_carries_the_content_hash);
    RUN(test_reader_checks_order_kinds_and_predicates);
    RUN(test_reading_a_missing_file_is_an_io_error);
    RUN(test_write_is_atomic_and_leaves_only_the_trace);
    RUN(test_a_long_history_round_trips);
    RUN(test_labels_follow_the_sessions_transactions);
    RUN(test_labels_are_the_same_step_by_step_and_at_once);
    RUN(test_event_diff_names_the_first_differing_field);
    RUN(test_findings_differ_names_the_field);
    RUN(test_findings_step_by_step_are_the_findings_at_once);
    RUN(test_findings_names_are_the_checkers);
    return t_done("trace");
}
