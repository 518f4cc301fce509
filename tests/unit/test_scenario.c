/*
 * test_scenario.c: the scenario line parser against the contract (assets/doc/scenarios.md). Every line form of the contract is taken
 * verbatim from the document; errors are pinned by line, column and message, since
 * instructors fix their scripts from those alone. The grammar's table (lab/run/grammar.h)
 * is walked too: every entry parses and completes.
 */
#include "run/grammar.h"
#include "run/scenario.h"
#include "t.h"

#include <string.h>

/* scn_line is large: one heap copy per parse. */
static scn_line *parse_at(const char *text, int lineno)
{
    scn_line *l = calloc(1, sizeof *l);
    scn_error e;
    if (scn_parse_line(text, lineno, l, &e) != 0) {
        fprintf(stderr, "%s: unexpected error %d:%d: %s\n  in: %s\n", t_current, e.line, e.col,
                e.msg, text);
        t_checks_failed++;
        free(l);
        return NULL;
    }
    return l;
}

static scn_line *parse(const char *text)
{
    return parse_at(text, 1);
}

static void done(scn_line *l)
{
    if (!l)
        return;
    scn_line_free(l);
    free(l);
}

/* Parses text as line 7 and checks the error's line, column and message. */
#define CHECK_ERR(text, ecol, emsg) do { scn_line *l_ = calloc(1, sizeof *l_); scn_error e_; \
    int rc_ = scn_parse_line((text), 7, l_, &e_); CHECK_EQ_INT(rc_, -1); \
    if (rc_ == 0) scn_line_free(l_); else { CHECK_EQ_INT(e_.line, 7); CHECK_EQ_INT(e_.col, (ecol)); \
    CHECK_EQ_STR(e_.msg, (emsg)); } free(l_); } while (0)

/* The kind a line parses to, or -1 when it does not parse. */
static int kind_of(const char *text)
{
    scn_line *l = calloc(1, sizeof *l);
    scn_error e;
    int k = -1;
    if (scn_parse_line(text, 1, l, &e) == 0) {
        k = (int)l->kind;
        scn_line_free(l);
    } else {
        fprintf(stderr, "  %s -> %d:%d: %s\n", text, e.line, e.col, e.msg);
    }
    free(l);
    return k;
}

/* ---- lines, comments, whitespace ----------------------------------------------------- */

static void test_blank_and_comment_only_lines_are_blank(void)
{
    const char *lines[] = { "", "   ", "\t", "# a comment; blank lines are ignored",
                            "   # indented comment", "\n", "\r\n", "  # x: T1: BEGIN\n" };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        scn_line *l = parse(lines[i]);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_BLANK);
            CHECK_EQ_STR(l->text, "");
        }
        done(l);
    }
}

static void test_text_is_line_without_comment_and_surrounding_space(void)
{
    scn_line *l = parse_at("   T1: BEGIN   # open it\r\n", 12);
    if (l) {
        CHECK_EQ_INT(l->line, 12);
        CHECK_EQ_INT(l->kind, SL_SQL);
        CHECK_EQ_STR(l->text, "T1: BEGIN");
        CHECK_EQ_INT(l->col, 8);
        CHECK_EQ_INT(l->sql.kind, SQL_BEGIN);
    }
    done(l);
}

static void test_hash_inside_quotes_is_not_a_comment(void)
{
    scn_line *l = parse("T1: INSERT INTO tags VALUES ('#1', 5) # a comment");
    if (l) {
        CHECK_EQ_INT(l->sql.kind, SQL_INSERT);
        CHECK_EQ_STR(l->sql.rows[0].key.s, "#1");
        CHECK_EQ_STR(l->text, "T1: INSERT INTO tags VALUES ('#1', 5)");
    }
    done(l);
    l = parse("say: press \"#\" to open the help # not shown");
    if (l)
        CHECK_EQ_STR(l->text, "press \"#\" to open the help");
    done(l);
    l = parse("n1: PUT tag '#hash' # comment");
    if (l)
        CHECK_EQ_STR(l->base.value, "#hash");
    done(l);
    l = parse("expect T1 rows {'#1':5} # comment");
    if (l) {
        CHECK_EQ_INT(l->ex.nrows, 1);
        CHECK_EQ_STR(l->ex.rows[0].key, "#1");
    }
    done(l);
}

static void test_apostrophes_in_narration_do_not_hide_a_comment(void)
{
    scn_line *l = parse("say: T2's update waits; it won't be lost # teacher note");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_SAY);
        CHECK_EQ_STR(l->text, "T2's update waits; it won't be lost");
    }
    done(l);
}

static void test_say_keeps_text_after_the_colon_trimmed(void)
{
    scn_line *l = parse("say:   Two sessions: watch the locks.   ");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_SAY);
        CHECK_EQ_STR(l->text, "Two sessions: watch the locks.");
    }
    done(l);
    l = parse("SAY: Loud");
    if (l)
        CHECK_EQ_STR(l->text, "Loud");
    done(l);
}

/* ---- ACID side ------------------------------------------------------------------------- */

static void test_setup_lines_from_the_contract_parse(void)
{
    const char *lines[] = {
        "setup: CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INT CHECK (balance >= 0))",
        "setup: CREATE TABLE test (id INT PRIMARY KEY, value INT)",
        "setup: INSERT INTO test VALUES (1, 10), (2, 20)",
        "setup: CREATE TABLE IF NOT EXISTS test (id INT PRIMARY KEY, value INT)",
    };
    sql_kind kinds[] = { SQL_CREATE, SQL_CREATE, SQL_INSERT, SQL_CREATE };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        scn_line *l = parse(lines[i]);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_SETUP);
            CHECK(l->has_sql);
            CHECK_EQ_INT(l->sql.kind, kinds[i]);
            CHECK_EQ_INT(l->col, 8);
        }
        done(l);
    }
}

static void test_session_statements_from_the_contract_parse(void)
{
    const char *lines[] = {
        "T1: BEGIN", "T1: BEGIN ISOLATION LEVEL SERIALIZABLE",
        "T2: START TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "T3: SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
        "T4: SELECT * FROM test WHERE id = 1 FOR UPDATE",
        "T5: SELECT COUNT(*) FROM test WHERE value % 2 = 0",
        "T6: SELECT SUM(value) FROM test",
        "T7: INSERT INTO test (id, value) VALUES (3, 30), (4, 40)",
        "T8: UPDATE test SET value = value + 1 WHERE id IN (1, 2)",
        "T9: DELETE FROM test WHERE value >= 10 AND id != 2",
        "T1: COMMIT;", "T1: ROLLBACK", "T1: ABORT",
        "T1: UPDATE accounts SET balance = balance - 100 WHERE id = 'A'",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        scn_line *l = parse(lines[i]);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_SQL);
            CHECK_EQ_INT(l->session, lines[i][1] - '0');
            CHECK(l->has_sql);
            CHECK_EQ_INT(l->col, 5);
        }
        done(l);
    }
}

static void test_session_actor_and_sql_are_case_insensitive(void)
{
    scn_line *l = parse("t3: begin isolation level read committed");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_SQL);
        CHECK_EQ_INT(l->session, 3);
        CHECK_EQ_INT(l->sql.kind, SQL_BEGIN);
        CHECK_EQ_INT(l->sql.level, ISO_RC);
    }
    done(l);
    l = parse("T2 : SELECT * FROM test");    /* space before the colon is tolerated */
    if (l)
        CHECK_EQ_INT(l->session, 2);
    done(l);
}

static void test_sql_positions_are_absolute_in_the_line(void)
{
    scn_line *l = parse_at("  T1:   SELECT * FROM test", 4);
    if (l) {
        CHECK_EQ_INT(l->sql.pos.line, 4);
        CHECK_EQ_INT(l->sql.pos.col, 9);
        CHECK_EQ_INT(l->sql.table_pos.col, 23);
    }
    done(l);
}

static void test_engine_directives_parse(void)
{
    struct { const char *text; scn_engine eng; int n; } cases[] = {
        { "engine: sync full", ENG_SYNC_FULL, 0 },
        { "engine: sync off", ENG_SYNC_OFF, 0 },
        { "engine: sync group 3", ENG_SYNC_GROUP, 3 },
        { "engine: flush", ENG_FLUSH, 0 },
        { "engine: checkpoint", ENG_CHECKPOINT, 0 },
        { "engine: evict", ENG_EVICT, 0 },
        { "engine: crash", ENG_CRASH, 0 },
        { "engine: crash torn", ENG_CRASH_TORN, 0 },
        { "engine: frames 8", ENG_FRAMES, 8 },
        { "ENGINE: Sync GROUP 2", ENG_SYNC_GROUP, 2 },
        { "engine: CRASH Torn", ENG_CRASH_TORN, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn_line *l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_ENGINE);
            CHECK_EQ_INT(l->eng, cases[i].eng);
            CHECK_EQ_INT(l->eng_n, cases[i].n);
        }
        done(l);
    }
}

/* ---- BASE side ------------------------------------------------------------------------- */

static void test_cluster_lines_from_the_contract_parse_with_their_comments(void)
{
    scn_line *l = parse("cluster: replicas 3          # n1 n2 n3 (default 3, at most 9 in the TUI)");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_CLUSTER);
        CHECK_EQ_INT(l->cluster, CL_REPLICAS);
        CHECK_EQ_INT(l->n, 3);
        CHECK_EQ_STR(l->text, "cluster: replicas 3");
    }
    done(l);
    l = parse("cluster: resolve lww         # lww | siblings | crdt   (default lww)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_RESOLVE);
        CHECK_EQ_INT(l->resolve, RESOLVE_LWW);
    }
    done(l);
    l = parse("cluster: seed 42             # every random choice comes from this seed");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_SEED);
        CHECK_EQ_INT(l->n, 42);
    }
    done(l);
    l = parse("cluster: gossip on           # background anti-entropy every interval (default on)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_GOSSIP);
        CHECK(l->on);
    }
    done(l);
    l = parse("cluster: gossip-interval 5   # ticks (default 5)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_GOSSIP_INTERVAL);
        CHECK_EQ_INT(l->n, 5);
    }
    done(l);
    l = parse("cluster: read-repair on      # default on");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_READ_REPAIR);
        CHECK(l->on);
    }
    done(l);
    l = parse("cluster: hinted-handoff on   # default on: a copy that got no ack by the timeout is kept as a");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_HINTED_HANDOFF);
        CHECK(l->on);
    }
    done(l);
    l = parse("cluster: tombstone-grace 50  # ticks a tombstone is kept before it is purged (default 100)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_TOMBSTONE_GRACE);
        CHECK_EQ_INT(l->n, 50);
    }
    done(l);
    l = parse("cluster: timeout 10          # ticks a coordinator waits for acks before giving up (default 10)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_TIMEOUT);
        CHECK_EQ_INT(l->n, 10);
    }
    done(l);
    l = parse("cluster: skew n2 30          # n2's clock runs 30 ticks ahead (LWW timestamps use it)");
    if (l) {
        CHECK_EQ_INT(l->cluster, CL_SKEW);
        CHECK_EQ_INT(l->node, 2);
        CHECK_EQ_INT(l->n, 30);
    }
    done(l);
}

static void test_cluster_setting_values(void)
{
    scn_line *l = parse("cluster: resolve SIBLINGS");
    if (l)
        CHECK_EQ_INT(l->resolve, RESOLVE_SIBLINGS);
    done(l);
    l = parse("Cluster: Resolve crdt");
    if (l)
        CHECK_EQ_INT(l->resolve, RESOLVE_CRDT);
    done(l);
    l = parse("cluster: gossip OFF");
    if (l)
        CHECK(!l->on);
    done(l);
    l = parse("cluster: skew n3 -7");
    if (l) {
        CHECK_EQ_INT(l->node, 3);
        CHECK_EQ_INT(l->n, -7);
    }
    done(l);
    l = parse("cluster: seed 18446744073709551615");
    if (l)
        CHECK(((uint64_t)l->n) == UINT64_MAX);
    done(l);
    l = parse("cluster: replicas 9");
    if (l)
        CHECK_EQ_INT(l->n, 9);
    done(l);
}

static void test_net_cut_both_ways_and_one_way(void)
{
    scn_line *l = parse("net: cut n1 n2");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_NET);
        CHECK_EQ_INT(l->net, NET_CUT);
        CHECK_EQ_INT(l->a, 1);
        CHECK_EQ_INT(l->b, 2);
    }
    done(l);
    const char *oneway[] = { "net: cut n1 -> n2", "net: cut n1->n2", "NET: CUT N1 -> N2" };
    for (size_t i = 0; i < 3; i++) {
        l = parse(oneway[i]);
        if (l) {
            CHECK_EQ_INT(l->net, NET_CUT_ONEWAY);
            CHECK_EQ_INT(l->a, 1);
            CHECK_EQ_INT(l->b, 2);
        }
        done(l);
    }
}

static void test_net_partition_groups_are_bitmasks(void)
{
    scn_line *l = parse("net: partition n1 | n2 n3");
    if (l) {
        CHECK_EQ_INT(l->net, NET_PARTITION);
        CHECK_EQ_INT(l->ngroups, 2);
        CHECK_EQ_INT(l->groups[0], 0x1);
        CHECK_EQ_INT(l->groups[1], 0x6);
    }
    done(l);
    l = parse("net: partition n1 n4 | n2 | n3 n5");
    if (l) {
        CHECK_EQ_INT(l->ngroups, 3);
        CHECK_EQ_INT(l->groups[0], 0x9);
        CHECK_EQ_INT(l->groups[1], 0x2);
        CHECK_EQ_INT(l->groups[2], 0x14);
    }
    done(l);
    l = parse("net: partition n9|n1|n2");
    if (l) {
        CHECK_EQ_INT(l->ngroups, 3);
        CHECK_EQ_INT(l->groups[0], 0x100);
    }
    done(l);
}

static void test_net_heal_delay_loss_down_up(void)
{
    scn_line *l = parse("net: heal");
    if (l) {
        CHECK_EQ_INT(l->net, NET_HEAL);
        CHECK_EQ_INT(l->a, 0);
        CHECK_EQ_INT(l->b, 0);
    }
    done(l);
    l = parse("net: heal n1 n2");
    if (l) {
        CHECK_EQ_INT(l->a, 1);
        CHECK_EQ_INT(l->b, 2);
    }
    done(l);
    l = parse("net: delay 4");
    if (l) {
        CHECK_EQ_INT(l->net, NET_DELAY);
        CHECK_EQ_INT(l->a, 0);
        CHECK_EQ_INT(l->n, 4);
    }
    done(l);
    l = parse("net: delay n1 n3 12");
    if (l) {
        CHECK_EQ_INT(l->a, 1);
        CHECK_EQ_INT(l->b, 3);
        CHECK_EQ_INT(l->n, 12);
    }
    done(l);
    l = parse("net: loss 25");
    if (l) {
        CHECK_EQ_INT(l->net, NET_LOSS);
        CHECK_EQ_INT(l->n, 25);
    }
    done(l);
    l = parse("net: loss n2 n1 100");
    if (l) {
        CHECK_EQ_INT(l->a, 2);
        CHECK_EQ_INT(l->b, 1);
        CHECK_EQ_INT(l->n, 100);
    }
    done(l);
    l = parse("net: down n3");
    if (l) {
        CHECK_EQ_INT(l->net, NET_DOWN);
        CHECK_EQ_INT(l->a, 3);
    }
    done(l);
    l = parse("net: up n3");
    if (l) {
        CHECK_EQ_INT(l->net, NET_UP);
        CHECK_EQ_INT(l->a, 3);
    }
    done(l);
}

static void test_run_directives_with_and_without_counts(void)
{
    struct { const char *text; scn_run run; int64_t n; } cases[] = {
        { "run: tick", RUN_TICK, -1 }, { "run: tick 5", RUN_TICK, 5 },
        { "run: gossip", RUN_GOSSIP, -1 }, { "run: gossip 3", RUN_GOSSIP, 3 },
        { "run: settle", RUN_SETTLE, -1 }, { "run: settle 200", RUN_SETTLE, 200 },
        { "RUN: TICK 0", RUN_TICK, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn_line *l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_RUN);
            CHECK_EQ_INT(l->run, cases[i].run);
            CHECK_EQ_INT(l->n, cases[i].n);
        }
        done(l);
    }
}

static void test_client_statements_parse(void)
{
    scn_line *l = parse("alice@n1: GET cart");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_CLIENT);
        CHECK_EQ_STR(l->client, "alice");
        CHECK_EQ_INT(l->node, 1);
        CHECK_EQ_INT(l->base.op, BOP_GET);
        CHECK_EQ_STR(l->base.key, "cart");
        CHECK_EQ_INT(l->base.q, Q_DEFAULT);
        CHECK_EQ_INT(l->col, 11);
    }
    done(l);
    l = parse("n2: PUT cart apple");
    if (l) {
        CHECK_EQ_STR(l->client, "");
        CHECK_EQ_INT(l->node, 2);
        CHECK_EQ_INT(l->base.op, BOP_PUT);
        CHECK_EQ_STR(l->base.key, "cart");
        CHECK_EQ_STR(l->base.value, "apple");
    }
    done(l);
    l = parse("n3: DEL cart");
    if (l)
        CHECK_EQ_INT(l->base.op, BOP_DEL);
    done(l);
    l = parse("bob_2@n4: ADD cart pear");
    if (l) {
        CHECK_EQ_STR(l->client, "bob_2");
        CHECK_EQ_INT(l->base.op, BOP_ADD);
        CHECK_EQ_STR(l->base.value, "pear");
    }
    done(l);
    l = parse("n1: REMOVE cart pear");
    if (l) {
        CHECK_EQ_INT(l->base.op, BOP_REMOVE);
        CHECK_EQ_STR(l->base.value, "pear");
    }
    done(l);
    l = parse("n1: INCR likes -3");
    if (l) {
        CHECK_EQ_INT(l->base.op, BOP_INCR);
        CHECK_EQ_INT(l->base.n, -3);
    }
    done(l);
    l = parse("N1: put Cart Apple");     /* ops case-insensitive; keys and values are not */
    if (l) {
        CHECK_EQ_INT(l->base.op, BOP_PUT);
        CHECK_EQ_STR(l->base.key, "Cart");
        CHECK_EQ_STR(l->base.value, "Apple");
    }
    done(l);
}

static void test_client_keys_and_values_may_be_quoted(void)
{
    scn_line *l = parse("n1: PUT \"my cart\" 'two apples'");
    if (l) {
        CHECK_EQ_STR(l->base.key, "my cart");
        CHECK_EQ_STR(l->base.value, "two apples");
    }
    done(l);
    l = parse("n1: PUT k 'it''s' W=ALL");
    if (l) {
        CHECK_EQ_STR(l->base.value, "it's");
        CHECK_EQ_INT(l->base.q, Q_ALL);
    }
    done(l);
    l = parse("n1: PUT \"W=1\" v");       /* quoted, W=1 is a key */
    if (l)
        CHECK_EQ_STR(l->base.key, "W=1");
    done(l);
    l = parse("n1: PUT k a|b");
    if (l)
        CHECK_EQ_STR(l->base.value, "a|b");
    done(l);
}

static void test_quorum_forms_for_writes_and_reads(void)
{
    struct { const char *text; scn_quorum q; int qn; } cases[] = {
        { "n1: PUT k v W=ONE", Q_ONE, 0 }, { "n1: PUT k v W=QUORUM", Q_QUORUM, 0 },
        { "n1: PUT k v W=ALL", Q_ALL, 0 }, { "n1: PUT k v W=2", Q_NUM, 2 },
        { "n1: PUT k v w=quorum", Q_QUORUM, 0 }, { "n1: DEL k W=ALL", Q_ALL, 0 },
        { "n1: ADD k e W=3", Q_NUM, 3 }, { "n1: REMOVE k e W=ONE", Q_ONE, 0 },
        { "n1: INCR k 5 W=QUORUM", Q_QUORUM, 0 },
        { "n1: GET k R=ONE", Q_ONE, 0 }, { "n1: GET k R=QUORUM", Q_QUORUM, 0 },
        { "n1: GET k R=ALL", Q_ALL, 0 }, { "n1: GET k r=2", Q_NUM, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn_line *l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->base.q, cases[i].q);
            CHECK_EQ_INT(l->base.qn, cases[i].qn);
        }
        done(l);
    }
}

/* ---- expect ---------------------------------------------------------------------------- */

static void test_expect_session_states(void)
{
    struct { const char *text; scn_state st; } cases[] = {
        { "expect T2 blocked", SS_BLOCKED }, { "expect T2 active", SS_ACTIVE },
        { "expect T2 committed", SS_COMMITTED }, { "expect T2 aborted", SS_ABORTED },
        { "expect T2 idle", SS_IDLE }, { "EXPECT t2 BLOCKED", SS_BLOCKED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn_line *l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_EXPECT);
            CHECK_EQ_INT(l->ex.kind, EX_STATE);
            CHECK_EQ_INT(l->ex.session, 2);
            CHECK_EQ_INT(l->ex.state, cases[i].st);
            CHECK_EQ_INT(l->ex.word_col, 11);
            CHECK_EQ_INT(l->col, 8);
        }
        done(l);
    }
    CHECK_EQ_STR(scn_state_name(SS_BLOCKED), "blocked");
    CHECK_EQ_STR(scn_state_name(SS_IDLE), "idle");
    CHECK_EQ_STR(scn_state_name(SS_COMMITTED), "committed");
}

static void test_expect_rows_value_and_error(void)
{
    scn_line *l = parse("expect T2 rows {1:10, 2:20}");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_ROWS);
        CHECK_EQ_INT(l->ex.nrows, 2);
        CHECK_EQ_STR(l->ex.rows[0].key, "1");
        CHECK_EQ_INT(l->ex.rows[0].value, 10);
        CHECK_EQ_STR(l->ex.rows[1].key, "2");
        CHECK_EQ_INT(l->ex.rows[1].value, 20);
    }
    done(l);
    l = parse("expect T2 rows {}");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_ROWS);
        CHECK_EQ_INT(l->ex.nrows, 0);
    }
    done(l);
    l = parse("expect T1 rows {A:500, 'B':-300,\"C\" : 0}");
    if (l) {
        CHECK_EQ_INT(l->ex.nrows, 3);
        CHECK_EQ_STR(l->ex.rows[0].key, "A");
        CHECK_EQ_STR(l->ex.rows[1].key, "B");
        CHECK_EQ_INT(l->ex.rows[1].value, -300);
        CHECK_EQ_STR(l->ex.rows[2].key, "C");
    }
    done(l);
    l = parse("expect T2 value 30");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_VALUE);
        CHECK_EQ_INT(l->ex.value, 30);
    }
    done(l);
    l = parse("expect T2 value -5");
    if (l)
        CHECK_EQ_INT(l->ex.value, -5);
    done(l);
    l = parse("expect T2 error deadlock");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_ERROR);
        CHECK_EQ_STR(l->ex.word, "deadlock");
        CHECK_EQ_INT(l->ex.word_col, 17);
    }
    done(l);
    l = parse("expect T1 error no transaction");
    if (l)
        CHECK_EQ_STR(l->ex.word, "no-transaction");
    done(l);
    l = parse("expect T1 error  Check   # wording of the engine");
    if (l)
        CHECK_EQ_STR(l->ex.word, "check");
    done(l);
}

static void test_expect_table_keeps_name_case_and_column(void)
{
    scn_line *l = parse("expect table test {1:12, 2:22}");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_TABLE);
        CHECK_EQ_STR(l->ex.table, "test");
        CHECK_EQ_INT(l->ex.word_col, 14);
        CHECK_EQ_INT(l->ex.nrows, 2);
        CHECK_EQ_INT(l->ex.rows[1].value, 22);
    }
    done(l);
    l = parse("expect TABLE Accounts {A:500, B:300}");
    if (l) {
        CHECK_EQ_STR(l->ex.table, "Accounts");
        CHECK_EQ_STR(l->ex.rows[1].key, "B");
    }
    done(l);
    l = parse("expect table empty {}");
    if (l)
        CHECK_EQ_INT(l->ex.nrows, 0);
    done(l);
}

static void test_expect_checker_findings(void)
{
    scn_line *l = parse("expect deadlock");
    if (l)
        CHECK_EQ_INT(l->ex.kind, EX_DEADLOCK);
    done(l);
    const char *names[] = { "G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "G2", "dirty-read",
                            "lost-update", "stale-read", "read-your-writes", "sibling" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "expect anomaly %s", names[i]);
        l = parse(buf);
        if (l) {
            CHECK_EQ_INT(l->ex.kind, EX_ANOMALY);
            CHECK_EQ_STR(l->ex.word, names[i]);
            CHECK_EQ_INT(l->ex.word_col, 16);
        }
        done(l);
    }
    l = parse("expect no anomaly");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_NO_ANOMALY);
        CHECK_EQ_STR(l->ex.word, "");
    }
    done(l);
    l = parse("expect No Anomaly G2-item");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_NO_ANOMALY);
        CHECK_EQ_STR(l->ex.word, "G2-item");
    }
    done(l);
}

static void test_expect_replica_store_read_and_write(void)
{
    scn_line *l = parse("expect n2 cart = apple");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_STORES);
        CHECK_EQ_INT(l->ex.node, 2);
        CHECK_EQ_STR(l->ex.key, "cart");
        CHECK_EQ_STR(l->ex.text, "apple");
        CHECK(!l->ex.absent);
    }
    done(l);
    l = parse("expect n2 cart absent");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_STORES);
        CHECK(l->ex.absent);
    }
    done(l);
    l = parse("expect n3 cart = apple|pear   # siblings");
    if (l)
        CHECK_EQ_STR(l->ex.text, "apple|pear");
    done(l);
    l = parse("expect n3 cart = {apple,pear}");
    if (l)
        CHECK_EQ_STR(l->ex.text, "{apple,pear}");
    done(l);
    l = parse("expect n1 \"my cart\" = 'two apples'");
    if (l) {
        CHECK_EQ_STR(l->ex.key, "my cart");
        CHECK_EQ_STR(l->ex.text, "two apples");
    }
    done(l);
    l = parse("expect n1 cart=apple");
    if (l) {
        CHECK_EQ_STR(l->ex.key, "cart");
        CHECK_EQ_STR(l->ex.text, "apple");
    }
    done(l);
    l = parse("expect n1 'read' = x");       /* a key called read, quoted */
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_STORES);
        CHECK_EQ_STR(l->ex.key, "read");
    }
    done(l);

    l = parse("expect n2 read = apple");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_READ);
        CHECK_EQ_INT(l->ex.node, 2);
        CHECK_EQ_STR(l->ex.client, "");
        CHECK_EQ_STR(l->ex.text, "apple");
    }
    done(l);
    l = parse("expect alice read = apple");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_READ);
        CHECK_EQ_INT(l->ex.node, 0);
        CHECK_EQ_STR(l->ex.client, "alice");
        CHECK_EQ_STR(l->ex.text, "apple");
        CHECK_EQ_INT(l->ex.word_col, 8);
    }
    done(l);
    l = parse("expect n2 read absent");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_READ);
        CHECK(l->ex.absent);
    }
    done(l);
    l = parse("expect n1 write ok");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_WRITE);
        CHECK_EQ_INT(l->ex.node, 1);
        CHECK_EQ_STR(l->ex.word, "ok");
    }
    done(l);
    l = parse("expect n1 WRITE Unavailable");
    if (l)
        CHECK_EQ_STR(l->ex.word, "unavailable");
    done(l);
}

static void test_expect_convergence_and_stale_reads(void)
{
    scn_line *l = parse("expect converged");
    if (l)
        CHECK_EQ_INT(l->ex.kind, EX_CONVERGED);
    done(l);
    l = parse("expect diverged");
    if (l)
        CHECK_EQ_INT(l->ex.kind, EX_DIVERGED);
    done(l);
    l = parse("expect Settled");
    if (l)
        CHECK_EQ_INT(l->ex.kind, EX_SETTLED);
    done(l);
    struct { const char *text; scn_cmp cmp; int64_t v; } cases[] = {
        { "expect stale-reads = 0", CMP_EQ, 0 }, { "expect stale-reads >= 1", CMP_GE, 1 },
        { "expect stale-reads <= 2", CMP_LE, 2 }, { "expect Stale-Reads>=3", CMP_GE, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->ex.kind, EX_STALE_READS);
            CHECK_EQ_INT(l->ex.cmp, cases[i].cmp);
            CHECK_EQ_INT(l->ex.value, cases[i].v);
        }
        done(l);
    }
}

/* Every line of the contract that is a complete example, verbatim. */
/* The history facts, the replica facts and predictions (added with the lessons that
 * needed them): each parses to its kind with its fields. */
static void test_expect_history_facts_and_predictions(void)
{
    struct { const char *text; scn_expect_kind k; int session, other; } cases[] = {
        { "expect T2 victim", EX_VICTIM, 2, 0 },
        { "expect T2 retried", EX_RETRIED, 2, 0 },
        { "expect T1 crashed", EX_CRASHED, 1, 0 },
        { "expect T3 overlapped T4", EX_OVERLAPPED, 3, 4 },
        { "expect T2 waited", EX_WAITED, 2, 0 },
        { "expect T2 waited for T1", EX_WAITED, 2, 1 },
        { "expect torn", EX_TORN, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn_line *l = parse(cases[i].text);
        if (l) {
            CHECK_EQ_INT(l->kind, SL_EXPECT);
            CHECK_EQ_INT(l->ex.kind, cases[i].k);
            if (cases[i].session)
                CHECK_EQ_INT(l->ex.session, cases[i].session);
            CHECK_EQ_INT(l->ex.other, cases[i].other);
        }
        done(l);
    }
    scn_line *l = parse("expect n3 reply from n1 n2");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_REPLY_FROM);
        CHECK_EQ_INT(l->ex.node, 3);
        CHECK_EQ_INT(l->ex.value, 1 << 1 | 1 << 2);
    }
    done(l);
    l = parse("expect n2 repaired by read-repair");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_REPAIRED);
        CHECK_EQ_INT(l->ex.node, 2);
        CHECK_EQ_STR(l->ex.word, "read-repair");
    }
    done(l);
    l = parse("expect n1 write retried");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_WRITE);
        CHECK_EQ_STR(l->ex.word, "retried");
    }
    done(l);
    l = parse("predict:   T3    blocked");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_PREDICT);    /* the claim is checked now, judged by the runner */
        CHECK_EQ_STR(l->ex.claim, "T3 blocked");
    }
    done(l);
    l = parse("expect predicted T3 blocked");
    if (l) {
        CHECK_EQ_INT(l->ex.kind, EX_PREDICTED);
        CHECK_EQ_STR(l->ex.claim, "T3 blocked");
    }
    done(l);
    l = parse("n1: INCR views 1 id=r17");
    if (l) {
        CHECK_EQ_INT(l->kind, SL_CLIENT);
        CHECK_EQ_STR(l->base.rid, "r17");
    }
    done(l);
    l = parse("n1: INCR views 1");
    if (l)
        CHECK_EQ_STR(l->base.rid, "");
    done(l);
}

static void test_every_contract_example_parses(void)
{
    struct { const char *text; scn_kind kind; } lines[] = {
        { "# a comment; blank lines are ignored", SL_BLANK },
        { "setup: CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INT CHECK (balance >= 0))", SL_SETUP },
        { "setup: CREATE TABLE test (id INT PRIMARY KEY, value INT)", SL_SETUP },
        { "setup: INSERT INTO test VALUES (1, 10), (2, 20)", SL_SETUP },
        { "engine: sync full", SL_ENGINE }, { "engine: sync off", SL_ENGINE },
        { "engine: sync group 4", SL_ENGINE }, { "engine: flush", SL_ENGINE },
        { "engine: checkpoint", SL_ENGINE }, { "engine: evict", SL_ENGINE },
        { "engine: crash", SL_ENGINE },
        { "cluster: replicas 3          # n1 n2 n3 (default 3, at most 9 in the TUI)", SL_CLUSTER },
        { "cluster: resolve lww         # lww | siblings | crdt   (default lww)", SL_CLUSTER },
        { "cluster: seed 42             # every random choice comes from this seed", SL_CLUSTER },
        { "cluster: skew n2 30          # n2's clock runs 30 ticks ahead (LWW timestamps use it)", SL_CLUSTER },
        { "alice@n1: GET cart", SL_CLIENT },
        { "net: cut n1 n2", SL_NET }, { "net: cut n1 -> n2", SL_NET },
        { "net: partition n1 | n2 n3", SL_NET }, { "net: heal", SL_NET },
        { "net: heal n1 n2", SL_NET }, { "net: delay 2", SL_NET }, { "net: delay n1 n2 2", SL_NET },
        { "net: loss 10", SL_NET }, { "net: loss n1 n2 10", SL_NET },
        { "net: down n3", SL_NET }, { "net: up n3", SL_NET },
        { "run: tick", SL_RUN }, { "run: tick 3", SL_RUN }, { "run: gossip 2", SL_RUN },
        { "run: settle", SL_RUN }, { "run: settle 100", SL_RUN },
        { "say: hello", SL_SAY },
        { "expect T2 blocked", SL_EXPECT }, { "expect T2 active", SL_EXPECT },
        { "expect T2 rows {1:10, 2:20}", SL_EXPECT }, { "expect T2 rows {A:500, B:300}", SL_EXPECT },
        { "expect T2 value 30", SL_EXPECT }, { "expect T2 error deadlock", SL_EXPECT },
        { "expect T2 error check", SL_EXPECT }, { "expect T2 error duplicate", SL_EXPECT },
        { "expect table test {1:12, 2:22}", SL_EXPECT }, { "expect deadlock", SL_EXPECT },
        { "expect anomaly G2-item", SL_EXPECT }, { "expect no anomaly", SL_EXPECT },
        { "expect no anomaly G0", SL_EXPECT },
        { "expect n2 cart = apple", SL_EXPECT }, { "expect n2 cart absent", SL_EXPECT },
        { "expect n2 read = apple", SL_EXPECT }, { "expect alice read = apple", SL_EXPECT },
        { "expect n2 read absent", SL_EXPECT }, { "expect n1 write ok", SL_EXPECT },
        { "expect n1 write unavailable", SL_EXPECT }, { "expect converged", SL_EXPECT },
        { "expect diverged", SL_EXPECT }, { "expect stale-reads = 0", SL_EXPECT },
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        int k = kind_of(lines[i].text);
        CHECK_EQ_INT(k, lines[i].kind);
    }
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_error_unknown_state_names_the_choices(void)
{
    CHECK_ERR("expect T2 blockd", 11, "expected a state (blocked, active, committed, aborted, "
              "idle), rows, value, error, level, victim, retried, crashed, overlapped or waited after T2, "
              "found 'blockd'");
    CHECK_ERR("expect T2 level sometimes", 17, "expected a level (READ UNCOMMITTED, READ COMMITTED, "
              "REPEATABLE READ, SERIALIZABLE) after level, found 'sometimes'");
}

static void test_error_bad_sync_mode(void)
{
    CHECK_ERR("engine: sync sometimes", 14, "expected full, off or group <n>, found 'sometimes'");
    CHECK_ERR("engine: sync group 0", 20, "expected a number of commits (1 or more) after group, "
              "found '0'");
    CHECK_ERR("engine: sync", 13, "expected full, off or group <n>, found end of line");
}

static void test_error_partition_needs_two_groups(void)
{
    CHECK_ERR("net: partition n1 n2", 6, "a partition needs two or more groups separated by '|'");
    CHECK_ERR("net: partition n1 | n2 n1", 24,
              "n1 is already in another group; a replica can be in at most one");
    CHECK_ERR("net: partition n1 | | n2", 21, "expected a replica (n1..n9), found '|'");
    CHECK_ERR("net: partition n1 |", 20, "expected a replica (n1..n9), found end of line");
}

static void test_error_rows_missing_value(void)
{
    CHECK_ERR("expect T2 rows {1:10, 2:}", 25, "expected an integer value, found '}'");
    CHECK_ERR("expect T2 rows {1:10", 21, "expected ',' or '}', found end of line");
    CHECK_ERR("expect T2 rows 1:10", 16, "expected '{' to open the rows ({1:10, 2:20}, or {} "
              "for none), found '1'");
    CHECK_ERR("expect T2 rows {1:10, 1:20}", 23, "key 1 appears twice in the rows");
}

static void test_error_session_out_of_range(void)
{
    CHECK_ERR("T10: BEGIN", 1, "sessions are T1 to T9");
    CHECK_ERR("T0: BEGIN", 1, "sessions are T1 to T9");
    CHECK_ERR("  t99: COMMIT", 3, "sessions are T1 to T9");
    CHECK_ERR("expect T0 idle", 8, "sessions are T1 to T9");
}

static void test_error_replica_out_of_range(void)
{
    CHECK_ERR("n0: GET x", 1, "replicas are n1 to n9");
    CHECK_ERR("n10: GET x", 1, "replicas are n1 to n9");
    CHECK_ERR("alice@n12: GET x", 7, "replicas are n1 to n9");
    CHECK_ERR("net: down n0", 11, "replicas are n1 to n9");
    CHECK_ERR("net: cut n1 x2", 13, "expected a replica (n1..n9), found 'x2'");
}

static void test_error_sql_column_is_absolute_in_the_line(void)
{
    CHECK_ERR("T1: SELECT * FORM test", 14, "expected FROM, found 'FORM' (did you mean FROM?)");
    CHECK_ERR("    setup: INSERT INTO test VALUES (1, 'x')", 40,
              "expected an integer (the second column is INT), found text 'x'");
}

static void test_error_unknown_actor_and_missing_colon(void)
{
    CHECK_ERR("x1: BEGIN", 1, "unknown actor or area 'x1'; expected T1..T9, n1..n9, client@nK, "
              "setup, engine, cluster, net, run, say or predict");
    CHECK_ERR("T1 BEGIN", 1, "expected '<actor>: <statement>' or 'expect ...', found 'T1'");
    CHECK_ERR("  : BEGIN", 3, "expected '<actor>: <statement>' or 'expect ...', found ':'");
}

static void test_error_cluster_values(void)
{
    CHECK_ERR("cluster: replicas 12", 19, "replicas must be 1 to 9");
    CHECK_ERR("cluster: replicas 0", 19, "replicas must be 1 to 9");
    CHECK_ERR("cluster: resolve newest", 18, "expected lww, siblings or crdt, found 'newest'");
    CHECK_ERR("cluster: gossip maybe", 17, "expected on or off, found 'maybe'");
    CHECK_ERR("cluster: timeout -1", 18, "expected a number of ticks (0 or more), found '-1'");
    CHECK_ERR("cluster: skew n2 soon", 18, "expected a clock skew in ticks (may be negative), "
              "found 'soon'");
}

static void test_error_link_needs_two_different_replicas(void)
{
    CHECK_ERR("net: cut n1 n1", 13, "expected a replica other than n1, found 'n1'");
    CHECK_ERR("net: cut n2 -> n2", 16, "expected a replica other than n2, found 'n2'");
    CHECK_ERR("net: loss 101", 11, "expected a loss percentage (0 to 100), found '101'");
}

static void test_error_quorum_names_the_right_letter(void)
{
    CHECK_ERR("n1: GET cart W=ALL", 14, "expected R=ONE, R=QUORUM, R=ALL or R=<k> (W= is for "
              "writes), found 'W=ALL'");
    CHECK_ERR("n1: PUT cart apple R=2", 20, "expected W=ONE, W=QUORUM, W=ALL or W=<k> (R= is for "
              "GET), found 'R=2'");
    CHECK_ERR("n1: PUT cart apple W=SOME", 22, "expected ONE, QUORUM, ALL or a number of replicas "
              "(1 or more) after W=, found 'SOME'");
    CHECK_ERR("n1: PUT cart apple W=0", 22, "expected ONE, QUORUM, ALL or a number of replicas "
              "(1 or more) after W=, found '0'");
    CHECK_ERR("n1: PUT cart W=ALL", 14, "expected a value, found 'W=ALL'");
    CHECK_ERR("n1: GET cart apple", 14, "expected R=ONE, R=QUORUM, R=ALL or R=<k> or end of "
              "line, found 'apple'");
}

static void test_error_client_statement_mistakes(void)
{
    CHECK_ERR("n1: FETCH cart", 5, "expected PUT, GET, DEL, ADD, REMOVE or INCR, found 'FETCH'");
    CHECK_ERR("n1: GET", 8, "expected a key, found end of line");
    CHECK_ERR("n1: INCR hits many", 15, "expected an integer amount, found 'many'");
    CHECK_ERR("n1: PUT 'cart apple", 9, "unterminated text: expected a closing quote ('), found "
              "end of line");
    CHECK_ERR("1alice@n1: GET x", 1, "expected a client name (a letter or '_', then letters, "
              "digits, '_' or '-'; at most 31) before '@', found '1alice'");
}

static void test_error_engine_and_run_mistakes(void)
{
    CHECK_ERR("engine: frames 1", 16, "expected a number of buffer frames (2 to 64), found '1'");
    CHECK_ERR("engine: crash hard", 15, "expected torn or end of line after crash, found 'hard'");
    CHECK_ERR("engine: flush now", 15, "expected end of line, found 'now'");
    CHECK_ERR("engine: vacuum", 9, "expected an engine directive (sync, flush, checkpoint, evict, "
              "crash, frames), found 'vacuum'");
    CHECK_ERR("run: tick -1", 11, "expected a number of ticks (0 to 1000000) or end of line, found '-1'");
    CHECK_ERR("run: wait", 6, "expected tick, gossip or settle, found 'wait'");
}

static void test_error_expect_mistakes(void)
{
    CHECK_ERR("expect n1 write maybe", 17, "expected ok, unavailable, refused or retried after write, found 'maybe'");
    CHECK_ERR("expect stale-reads ~ 1", 20, "expected =, >= or <= after stale-reads, found '~'");
    CHECK_ERR("expect anomaly", 15, "expected an anomaly name (G0, G1a, G1b, G1c, G-single, "
              "G2-item, G2, dirty-read, lost-update, ...), found end of line");
    CHECK_ERR("expect no anomalie", 11, "expected anomaly after no, found 'anomalie'");
    CHECK_ERR("expect T1 error dead_lock", 17, "expected an error name (letters, digits and '-'), "
              "found 'dead_lock'");
    CHECK_ERR("expect frobnicate", 8, "expected an assertion (T1..T9, table, deadlock, torn, anomaly, "
              "no anomaly, n1..n9, <client> read, converged, diverged, settled, stale-reads, predicted), found "
              "'frobnicate'");
    CHECK_ERR("expect n2 cart apple", 16, "expected '=' <value> or absent after the key cart, "
              "found 'apple'");
    CHECK_ERR("expect n2 read =", 17, "expected a value after '=', found end of line");
    CHECK_ERR("expect", 7, "expected an assertion after expect, found end of line");
    CHECK_ERR("expect deadlock now", 17, "expected end of line, found 'now'");
    CHECK_ERR("expect table 9lives {}", 14, "expected a table name, found '9lives'");
}

static void test_error_columns_count_tabs_and_characters_as_one(void)
{
    CHECK_ERR("\tT0: BEGIN", 2, "sessions are T1 to T9");
    CHECK_ERR("say\xc3\xa9 x: y", 1, "expected '<actor>: <statement>' or 'expect ...', found "
              "'say\xc3\xa9'");
    CHECK_ERR("n1: PUT \xc3\xa9t\xc3\xa9 v W=Z", 17, "expected ONE, QUORUM, ALL or a number of "
              "replicas (1 or more) after W=, found 'Z'");
}

static void test_error_reports_the_given_line_number(void)
{
    scn_line *l = calloc(1, sizeof *l);
    scn_error e;
    CHECK_EQ_INT(scn_parse_line("net: partition n1", 42, l, &e), -1);
    CHECK_EQ_INT(e.line, 42);
    CHECK_EQ_INT(e.col, 6);
    free(l);
}

static void test_error_line_too_long(void)
{
    char *big = malloc(SCN_LINE_MAX + 2);
    memset(big, 'x', SCN_LINE_MAX);
    big[SCN_LINE_MAX] = '\0';
    CHECK_ERR(big, 1, "line too long (at most 4095 bytes)");
    /* exactly 4095 bytes plus a newline is fine */
    memcpy(big, "say: ", 5);
    big[SCN_LINE_MAX - 1] = '\n';
    scn_line *l = parse(big);
    if (l) {
        CHECK_EQ_INT(l->kind, SL_SAY);
        CHECK_EQ_INT(strlen(l->text), SCN_LINE_MAX - 1 - 5);
    }
    done(l);
    free(big);
}

/* --- the grammar's table (grammar.h) -------------------------------------------------------------- */

/* The value an entry's code stands for in a parsed line. */
static int parsed_code(const gram_entry *e, const scn_line *l)
{
    switch (e->cls) {
    case G_AREA: return (int)l->kind;
    case G_DIRECTIVE:
        return e->area == SL_ENGINE ? (int)l->eng : e->area == SL_CLUSTER ? (int)l->cluster
             : e->area == SL_NET ? (int)l->net : (int)l->run;
    case G_STATEMENT: return e->area == SL_CLIENT ? (int)l->base.op : 0;
    case G_EXPECT: return (int)l->ex.kind;
    }
    return -1;
}

/* Every entry's example parses, in the entry's area, to the entry's code (an expected state
 * too); so the table and the parser agree on every word. */
static void test_every_grammar_entry_parses_to_itself(void)
{
    size_t n = 0;
    for (size_t i = 0; gram_at(i); i++, n++) {
        const gram_entry *e = gram_at(i);
        scn_line *l = parse(e->example);
        if (!l)
            continue;
        CHECK_EQ_INT((int)l->kind, e->cls == G_AREA ? e->code : (int)e->area);
        CHECK_EQ_INT(parsed_code(e, l), e->code);
        if (e->cls == G_EXPECT && e->code == EX_STATE)
            CHECK_EQ_INT((int)l->ex.state, e->sub);
        CHECK(e->help && e->help[0]);
        done(l);
    }
    CHECK(n > 60);
}

/* Tab offers every entry: its template is among the completions of any shorter prefix of
 * it (a statement after its actor's head). A client's name is the learner's (not offered). */
static void test_every_grammar_entry_completes(void)
{
    char out[128][160];
    for (size_t i = 0; gram_at(i); i++) {
        const gram_entry *e = gram_at(i);
        if ((e->cls == G_AREA && strchr(e->words, '@')) || (!e->list && e->cls != G_AREA))
            continue;
        char t[160], full[200];
        gram_template(e, t, sizeof t);
        if (e->cls == G_STATEMENT)
            snprintf(full, sizeof full, "%s%s", e->area == SL_SQL ? "T1: " : e->area == SL_SETUP ? "setup: " : "n1: ", t);
        else
            snprintf(full, sizeof full, "%s", t);
        size_t head = e->cls == G_STATEMENT ? strlen(full) - strlen(t) : 0;
        for (size_t len = head + 1; len < strlen(full); len++) {
            char prefix[200];
            snprintf(prefix, sizeof prefix, "%.*s", (int)len, full);
            int k = gram_complete(prefix, out, 128), found = 0;
            for (int j = 0; j < k && j < 128; j++)
                found |= strcmp(out[j], full) == 0;
            if (!found) {
                fprintf(stderr, "%s: '%s' does not offer '%s'\n", t_current, prefix, full);
                t_checks_failed++;
                break;
            }
        }
    }
}

/* What the lab's completion lacked when it was a list of its own. */
static void test_completion_knows_the_newer_lines(void)
{
    static const struct { const char *typed, *offered; } want[] = {
        { "engine: fr", "engine: frames " }, { "expect set", "expect settled" }, { "n2: DE", "n2: DEL " },
        { "alice@n3: IN", "alice@n3: INCR " }, { "expect T4 ro", "expect T4 rows " }, { "T7: ROLL", "T7: ROLLBACK" },
        { "cluster: hinted", "cluster: hinted-handoff " }, { "net: pa", "net: partition " },
    };
    char out[16][160];
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int k = gram_complete(want[i].typed, out, 16);
        CHECK_EQ_INT(k, 1);
        if (k == 1)
            CHECK_EQ_STR(out[0], want[i].offered);
    }
}

/* A line someone in the story says, and whose: the same head the parser reads. */
static void test_heads_tell_actors_from_the_scene(void)
{
    const char *stmt = NULL;
    CHECK(gram_is_actor_line("T3: UPDATE t SET v = 1"));
    CHECK(gram_is_actor_line("  bob@n2: GET cart"));
    CHECK(gram_is_actor_line("n1: PUT cart apple"));
    CHECK(!gram_is_actor_line("setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)"));
    CHECK(!gram_is_actor_line("expect T1 committed"));
    CHECK(!gram_is_actor_line("engine: crash"));
    CHECK(!gram_is_actor_line("say: T1: is not an actor here"));
    CHECK(!gram_is_actor_line("# T1: BEGIN"));
    CHECK_EQ_INT(gram_session_line("T3:   UPDATE t SET v = 1", &stmt), 3);
    CHECK_EQ_STR(stmt, "UPDATE t SET v = 1");
    CHECK_EQ_INT(gram_session_line("T10: BEGIN", &stmt), 0);
    CHECK_EQ_INT(gram_session_line("n3: GET x", &stmt), 0);
    gram_head_info h;
    gram_head("carol@n4: PUT x 1", &h);
    CHECK_EQ_INT((int)h.kind, SL_CLIENT);
    CHECK_EQ_INT(h.node, 4);
    CHECK_EQ_STR(h.client, "carol");
}

/* One table of level names (sql.h): full names and short names, any case and spacing. */
static void test_expect_level_reads_the_levels_table(void)
{
    static const struct { const char *line; int level; } want[] = {
        { "expect T1 level RU", 1 }, { "expect T1 level read   committed", 2 }, { "expect T2 level Repeatable Read", 3 },
        { "expect T3 level ser", 4 }, { "expect T3 level SERIALIZABLE", 4 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        scn_line *l = parse(want[i].line);
        if (l)
            CHECK_EQ_INT((int)l->ex.value, want[i].level);
        done(l);
    }
    CHECK_ERR("expect T1 level READ", 17, "expected a level (READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, "
                                          "SERIALIZABLE) after level, found 'READ'");
    CHECK_ERR("expect T1 level RC now", 17, "expected a level (READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, "
                                            "SERIALIZABLE) after level, found 'RC'");
}

int main(void)
{
    RUN(test_blank_and_comment_only_lines_are_blank);
    RUN(test_text_is_line_without_comment_and_surrounding_space);
    RUN(test_hash_inside_quotes_is_not_a_comment);
    RUN(test_apostrophes_in_narration_do_not_hide_a_comment);
    RUN(test_say_keeps_text_after_the_colon_trimmed);
    RUN(test_setup_lines_from_the_contract_parse);
    RUN(test_session_statements_from_the_contract_parse);
    RUN(test_session_actor_and_sql_are_case_insensitive);
    RUN(test_sql_positions_are_absolute_in_the_line);
    RUN(test_engine_directives_parse);
    RUN(test_cluster_lines_from_the_contract_parse_with_their_comments);
    RUN(test_cluster_setting_values);
    RUN(test_net_cut_both_ways_and_one_way);
    RUN(test_net_partition_groups_are_bitmasks);
    RUN(test_net_heal_delay_loss_down_up);
    RUN(test_run_directives_with_and_without_counts);
    RUN(test_client_statements_parse);
    RUN(test_client_keys_and_values_may_be_quoted);
    RUN(test_quorum_forms_for_writes_and_reads);
    RUN(test_expect_session_states);
    RUN(test_expect_history_facts_and_predictions);
    RUN(test_expect_rows_value_and_error);
    RUN(test_expect_table_keeps_name_case_and_column);
    RUN(test_expect_checker_findings);
    RUN(test_expect_replica_store_read_and_write);
    RUN(test_expect_convergence_and_stale_reads);
    RUN(test_every_contract_example_parses);
    RUN(test_error_unknown_state_names_the_choices);
    RUN(test_error_bad_sync_mode);
    RUN(test_error_partition_needs_two_groups);
    RUN(test_error_rows_missing_value);
    RUN(test_error_session_out_of_range);
    RUN(test_error_replica_out_of_range);
    RUN(test_error_sql_column_is_absolute_in_the_line);
    RUN(test_error_unknown_actor_and_missing_colon);
    RUN(test_error_cluster_values);
    RUN(test_error_link_needs_two_different_replicas);
    RUN(test_error_quorum_names_the_right_letter);
    RUN(test_error_client_statement_mistakes);
    RUN(test_error_engine_and_run_mistakes);
    RUN(test_error_expect_mistakes);
    RUN(test_error_columns_count_tabs_and_characters_as_one);
    RUN(test_error_reports_the_given_line_number);
    RUN(test_error_line_too_long);
    RUN(test_every_grammar_entry_parses_to_itself);
    RUN(test_every_grammar_entry_completes);
    RUN(test_completion_knows_the_newer_lines);
    RUN(test_heads_tell_actors_from_the_scene);
    RUN(test_expect_level_reads_the_levels_table);
    return t_done("scenario");
}
