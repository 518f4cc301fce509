/*
 * test_sql.c: the SQL subset parser and formatter (engines/acid/sql.c): every statement
 * form, every predicate form, error positions and wording, and format round trips.
 */
#include <inttypes.h>
#include <stdint.h>

#include "t.h"
#include "acid/sql.h"

/* Parses text as if it started at line 1, column 1; reports the error if it fails. */
static int parse_ok(const char *text, sql_stmt *s)
{
    sql_error e;
    int rc = sql_parse(text, 1, 1, s, &e);
    if (rc)
        fprintf(stderr, "  parsing \"%s\": %d:%d: %s\n", text, e.line, e.col, e.msg);
    return rc;
}

#define PARSE(text, s) CHECK(parse_ok((text), (s)) == 0)

/* The text (at line 1, column 1) must fail at (eline, ecol) with exactly emsg, leaving the
 * statement empty. */
#define CHECK_ERR(text, eline, ecol, emsg) do { \
    sql_stmt s_; sql_error e_; \
    memset(&s_, 0x5a, sizeof s_); \
    CHECK_EQ_INT(sql_parse((text), 1, 1, &s_, &e_), -1); \
    CHECK_EQ_INT(e_.line, (eline)); \
    CHECK_EQ_INT(e_.col, (ecol)); \
    CHECK_EQ_STR(e_.msg, (emsg)); \
    CHECK(s_.where == NULL && s_.check == NULL && s_.rows == NULL && s_.nrows == 0); \
} while (0)

/* Parses text, formats it, and checks the canonical text; then parses that and checks it
 * formats to itself. */
#define CHECK_FORMAT(text, expected) do { \
    sql_stmt a_, b_; char fa_[512] = "", fb_[512] = ""; \
    if (parse_ok((text), &a_) == 0) { \
        sql_format(&a_, fa_, sizeof fa_); \
        CHECK_EQ_STR(fa_, (expected)); \
        if (parse_ok(fa_, &b_) == 0) { \
            sql_format(&b_, fb_, sizeof fb_); \
            CHECK_EQ_STR(fb_, fa_); \
            sql_free(&b_); \
        } else CHECK(!"canonical text does not parse"); \
        sql_free(&a_); \
    } else CHECK(!"statement does not parse"); \
} while (0)

static bool text_is(const scalar *v, const char *s)
{
    return v->type == SC_TEXT && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

static bool int_is(const scalar *v, int64_t i)
{
    return v->type == SC_INT && v->i == i;
}

/* ---- CREATE TABLE ---------------------------------------------------------------------- */

static void test_parse_create_table_int_key(void)
{
    sql_stmt s;
    PARSE("CREATE TABLE test (id INT PRIMARY KEY, value INT)", &s);
    CHECK_EQ_INT(s.kind, SQL_CREATE);
    CHECK_EQ_STR(s.table, "test");
    CHECK_EQ_INT(s.table_pos.col, 14);
    CHECK_EQ_STR(s.keycol, "id");
    CHECK_EQ_INT(s.keytype, SC_INT);
    CHECK_EQ_STR(s.valcol, "value");
    CHECK(s.check == NULL);
    CHECK(!s.if_not_exists);
    sql_free(&s);
}

static void test_parse_create_table_text_key_with_column_check(void)
{
    sql_stmt s;
    PARSE("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INT CHECK (balance >= 0))", &s);
    CHECK_EQ_INT(s.keytype, SC_TEXT);
    CHECK_EQ_STR(s.valcol, "balance");
    CHECK(s.check != NULL);
    if (s.check) {
        CHECK_EQ_INT(s.check->nterms, 1);
        CHECK_EQ_INT(s.check->terms[0].kind, PT_CMP);
        CHECK_EQ_INT(s.check->terms[0].op, POP_GE);
        CHECK(int_is(&s.check->terms[0].lit, 0));
        CHECK_EQ_INT(s.check->terms[0].field, PF_UNRESOLVED);
    }
    sql_free(&s);
}

static void test_parse_create_table_if_not_exists(void)
{
    sql_stmt s;
    PARSE("create table if not exists t (k int primary key, v integer)", &s);
    CHECK(s.if_not_exists);
    CHECK_EQ_STR(s.table, "t");
    CHECK_EQ_INT(s.keytype, SC_INT);
    sql_free(&s);
}

static void test_parse_create_table_check_as_table_constraint(void)
{
    sql_stmt s;
    PARSE("CREATE TABLE t (id INT PRIMARY KEY, v INT, CHECK (v >= 0))", &s);
    CHECK(s.check && s.check->nterms == 1);
    sql_free(&s);
}

static void test_parse_create_column_and_table_checks_combine(void)
{
    sql_stmt s;
    char buf[256];
    PARSE("CREATE TABLE t (id INT PRIMARY KEY, v INT CHECK (v >= 0), CHECK (v < 100 AND v % 2 = 0))", &s);
    CHECK(s.check && s.check->nterms == 3);
    sql_format(&s, buf, sizeof buf);
    CHECK_EQ_STR(buf, "CREATE TABLE t (id INT PRIMARY KEY, v INT CHECK (v >= 0 AND v < 100 AND v % 2 = 0))");
    sql_free(&s);
}

/* ---- INSERT ------------------------------------------------------------------------------ */

static void test_parse_insert_single_row(void)
{
    sql_stmt s;
    PARSE("INSERT INTO test VALUES (1, 10)", &s);
    CHECK_EQ_INT(s.kind, SQL_INSERT);
    CHECK_EQ_STR(s.table, "test");
    CHECK_EQ_INT(s.ncols, 0);
    CHECK_EQ_INT(s.nrows, 1);
    if (s.nrows == 1) {
        CHECK(int_is(&s.rows[0].key, 1));
        CHECK_EQ_INT(s.rows[0].value, 10);
    }
    sql_free(&s);
}

static void test_parse_insert_many_rows_with_text_keys_and_negative_values(void)
{
    sql_stmt s;
    PARSE("INSERT INTO accounts VALUES ('A', 500), ('B', -300), (-7, 0)", &s);
    CHECK_EQ_INT(s.nrows, 3);
    if (s.nrows == 3) {
        CHECK(text_is(&s.rows[0].key, "A"));
        CHECK_EQ_INT(s.rows[0].value, 500);
        CHECK(text_is(&s.rows[1].key, "B"));
        CHECK_EQ_INT(s.rows[1].value, -300);
        CHECK(int_is(&s.rows[2].key, -7));
        CHECK_EQ_INT(s.rows[2].value, 0);
    }
    sql_free(&s);
}

static void test_parse_insert_with_column_list(void)
{
    sql_stmt s;
    PARSE("INSERT INTO test (id, value) VALUES (3, 30)", &s);
    CHECK_EQ_INT(s.ncols, 2);
    CHECK_EQ_STR(s.cols[0], "id");
    CHECK_EQ_STR(s.cols[1], "value");
    CHECK_EQ_INT(s.col_pos[0].col, 19);
    CHECK_EQ_INT(s.col_pos[1].col, 23);
    CHECK_EQ_INT(s.nrows, 1);
    sql_free(&s);
}

static void test_parse_insert_accepts_1024_rows(void)
{
    size_t n = 64 + (size_t)SQL_ROWS_MAX * 16;
    char *text = malloc(n);
    size_t o = (size_t)snprintf(text, n, "INSERT INTO t VALUES ");
    for (int i = 0; i < SQL_ROWS_MAX; i++)
        o += (size_t)snprintf(text + o, n - o, "%s(%d, %d)", i ? ", " : "", i, i * 2);
    sql_stmt s;
    PARSE(text, &s);
    CHECK_EQ_INT(s.nrows, SQL_ROWS_MAX);
    if (s.nrows == SQL_ROWS_MAX) {
        CHECK(int_is(&s.rows[1023].key, 1023));
        CHECK_EQ_INT(s.rows[1023].value, 2046);
    }
    sql_free(&s);
    free(text);
}

static void test_error_insert_with_1025_rows_is_refused(void)
{
    size_t n = 64 + (size_t)(SQL_ROWS_MAX + 1) * 16;
    char *text = malloc(n);
    size_t o = (size_t)snprintf(text, n, "INSERT INTO t VALUES ");
    size_t last = 0;
    for (int i = 0; i <= SQL_ROWS_MAX; i++) {
        if (i)
            o += (size_t)snprintf(text + o, n - o, ", ");
        last = o;
        o += (size_t)snprintf(text + o, n - o, "(%d, 1)", i);
    }
    CHECK_ERR(text, 1, (int)last + 1,
              "expected end of statement (at most 1024 rows in one INSERT), found '('");
    free(text);
}

/* ---- SELECT ------------------------------------------------------------------------------ */

static void test_parse_select_star(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM test", &s);
    CHECK_EQ_INT(s.kind, SQL_SELECT);
    CHECK_EQ_INT(s.sel, SEL_ROWS);
    CHECK_EQ_STR(s.table, "test");
    CHECK(s.where == NULL);
    CHECK(!s.for_update);
    sql_free(&s);
}

static void test_parse_select_count_and_sum(void)
{
    sql_stmt s;
    PARSE("SELECT COUNT(*) FROM test WHERE value > 5", &s);
    CHECK_EQ_INT(s.sel, SEL_COUNT);
    CHECK(s.where && s.where->nterms == 1);
    sql_free(&s);
    PARSE("select sum ( balance ) from accounts", &s);
    CHECK_EQ_INT(s.sel, SEL_SUM);
    CHECK_EQ_STR(s.sumcol, "balance");
    CHECK_EQ_INT(s.sumcol_pos.col, 14);
    CHECK_EQ_STR(s.table, "accounts");
    sql_free(&s);
}

static void test_parse_select_for_update_with_where(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM test WHERE value % 3 = 0 FOR UPDATE", &s);
    CHECK(s.for_update);
    CHECK(s.where && s.where->nterms == 1);
    sql_free(&s);
    PARSE("SELECT * FROM test FOR UPDATE", &s);
    CHECK(s.for_update);
    CHECK(s.where == NULL);
    sql_free(&s);
}

/* ---- UPDATE and DELETE ------------------------------------------------------------------- */

static void test_parse_update_set_constant(void)
{
    sql_stmt s;
    PARSE("UPDATE test SET value = -4", &s);
    CHECK_EQ_INT(s.kind, SQL_UPDATE);
    CHECK_EQ_STR(s.setcol, "value");
    CHECK_EQ_INT(s.upd, UPD_SET);
    CHECK_EQ_INT(s.operand, -4);
    CHECK_EQ_STR(s.setsrc, "");
    CHECK(s.where == NULL);
    sql_free(&s);
}

static void test_parse_update_add_with_where(void)
{
    sql_stmt s;
    PARSE("UPDATE test SET value = value + 10 WHERE id = 1", &s);
    CHECK_EQ_INT(s.upd, UPD_ADD);
    CHECK_EQ_STR(s.setcol, "value");
    CHECK_EQ_STR(s.setsrc, "value");
    CHECK_EQ_INT(s.setcol_pos.col, 17);
    CHECK_EQ_INT(s.setsrc_pos.col, 25);
    CHECK_EQ_INT(s.operand, 10);
    CHECK(s.where && s.where->nterms == 1);
    if (s.where && s.where->nterms == 1) {
        CHECK_EQ_STR(s.where->terms[0].col, "id");
        CHECK(int_is(&s.where->terms[0].lit, 1));
    }
    sql_free(&s);
}

static void test_parse_update_sub_and_add_negative(void)
{
    sql_stmt s;
    PARSE("UPDATE accounts SET balance = balance - 100 WHERE id = 'A'", &s);
    CHECK_EQ_INT(s.upd, UPD_SUB);
    CHECK_EQ_INT(s.operand, 100);
    sql_free(&s);
    PARSE("UPDATE test SET value = value + -5", &s);
    CHECK_EQ_INT(s.upd, UPD_ADD);
    CHECK_EQ_INT(s.operand, -5);
    sql_free(&s);
    PARSE("UPDATE test SET value=value-5", &s);
    CHECK_EQ_INT(s.upd, UPD_SUB);
    CHECK_EQ_INT(s.operand, 5);
    sql_free(&s);
}

static void test_parse_delete_with_and_without_where(void)
{
    sql_stmt s;
    PARSE("DELETE FROM test", &s);
    CHECK_EQ_INT(s.kind, SQL_DELETE);
    CHECK_EQ_STR(s.table, "test");
    CHECK(s.where == NULL);
    sql_free(&s);
    PARSE("DELETE FROM test WHERE id IN (1, 2)", &s);
    CHECK(s.where && s.where->nterms == 1 && s.where->terms[0].kind == PT_IN);
    sql_free(&s);
}

/* ---- transactions ------------------------------------------------------------------------ */

static void test_parse_begin_forms(void)
{
    static const char *const forms[] = {
        "BEGIN", "BEGIN TRANSACTION", "BEGIN WORK", "begin;", "START TRANSACTION",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        sql_stmt s;
        PARSE(forms[i], &s);
        CHECK_EQ_INT(s.kind, SQL_BEGIN);
        CHECK_EQ_INT(s.level, ISO_NONE);
        sql_free(&s);
    }
    static const char *const levelled[] = {
        "BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "BEGIN WORK ISOLATION LEVEL SERIALIZABLE", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
    };
    for (size_t i = 0; i < sizeof levelled / sizeof *levelled; i++) {
        sql_stmt s;
        PARSE(levelled[i], &s);
        CHECK_EQ_INT(s.kind, SQL_BEGIN);
        CHECK_EQ_INT(s.level, ISO_SER);
        sql_free(&s);
    }
}

static void test_parse_all_four_isolation_levels(void)
{
    static const struct { const char *text; iso_level l; } cases[] = {
        { "BEGIN ISOLATION LEVEL READ UNCOMMITTED", ISO_RU },
        { "BEGIN ISOLATION LEVEL READ COMMITTED", ISO_RC },
        { "BEGIN ISOLATION LEVEL REPEATABLE READ", ISO_RR },
        { "BEGIN ISOLATION LEVEL SERIALIZABLE", ISO_SER },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sql_stmt s;
        PARSE(cases[i].text, &s);
        CHECK_EQ_INT(s.level, cases[i].l);
        sql_free(&s);
    }
}

static void test_parse_set_transaction_level(void)
{
    sql_stmt s;
    PARSE("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", &s);
    CHECK_EQ_INT(s.kind, SQL_SET_LEVEL);
    CHECK_EQ_INT(s.level, ISO_RR);
    CHECK(!s.session_wide);
    sql_free(&s);
}

static void test_parse_set_session_characteristics_is_session_wide(void)
{
    sql_stmt s;
    PARSE("set session characteristics as transaction isolation level read uncommitted", &s);
    CHECK_EQ_INT(s.kind, SQL_SET_LEVEL);
    CHECK_EQ_INT(s.level, ISO_RU);
    CHECK(s.session_wide);
    sql_free(&s);
}

static void test_parse_commit_rollback_abort(void)
{
    static const struct { const char *text; sql_kind k; } cases[] = {
        { "COMMIT", SQL_COMMIT }, { "commit work", SQL_COMMIT }, { "COMMIT;", SQL_COMMIT },
        { "ROLLBACK", SQL_ROLLBACK }, { "Rollback Work;", SQL_ROLLBACK },
        { "ABORT", SQL_ROLLBACK }, { "abort", SQL_ROLLBACK },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sql_stmt s;
        PARSE(cases[i].text, &s);
        CHECK_EQ_INT(s.kind, cases[i].k);
        CHECK_EQ_INT(s.pos.line, 1);
        CHECK_EQ_INT(s.pos.col, 1);
        sql_free(&s);
    }
}

/* ---- lexical ----------------------------------------------------------------------------- */

static void test_keywords_are_case_insensitive_names_are_kept_as_written(void)
{
    sql_stmt s;
    PARSE("sElEcT * fRoM Test wHeRe Id = 1 aNd VaLuE % 2 = 0 fOr UpDaTe", &s);
    CHECK_EQ_INT(s.kind, SQL_SELECT);
    CHECK_EQ_STR(s.table, "Test");
    CHECK(s.for_update);
    CHECK(s.where && s.where->nterms == 2);
    if (s.where && s.where->nterms == 2) {
        CHECK_EQ_STR(s.where->terms[0].col, "Id");
        CHECK_EQ_STR(s.where->terms[1].col, "VaLuE");
    }
    sql_free(&s);
}

static void test_trailing_semicolon_is_optional(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM test;", &s);
    CHECK_EQ_INT(s.kind, SQL_SELECT);
    sql_free(&s);
    PARSE("  DELETE FROM test WHERE id = 1 ;  ", &s);
    CHECK_EQ_INT(s.kind, SQL_DELETE);
    CHECK_EQ_INT(s.pos.col, 3);
    sql_free(&s);
}

static void test_hash_outside_quotes_ends_the_statement(void)
{
    sql_stmt s;
    PARSE("INSERT INTO t VALUES ('#1', 5) # a comment", &s);
    CHECK_EQ_INT(s.nrows, 1);
    if (s.nrows == 1)
        CHECK(text_is(&s.rows[0].key, "#1"));
    sql_free(&s);
}

static void test_text_literal_with_escaped_quote(void)
{
    sql_stmt s;
    PARSE("INSERT INTO t VALUES ('it''s', 1), ('''', 2), ('', 3)", &s);
    CHECK_EQ_INT(s.nrows, 3);
    if (s.nrows == 3) {
        CHECK(text_is(&s.rows[0].key, "it's"));
        CHECK(text_is(&s.rows[1].key, "'"));
        CHECK(text_is(&s.rows[2].key, ""));
    }
    sql_free(&s);
}

static void test_text_literal_of_exactly_23_bytes_is_accepted(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM t WHERE id = 'abcdefghijklmnopqrstuvw'", &s);
    CHECK(s.where && text_is(&s.where->terms[0].lit, "abcdefghijklmnopqrstuvw"));
    sql_free(&s);
    /* 22 letters and an escaped quote: 23 bytes once unescaped. */
    PARSE("SELECT * FROM t WHERE id = 'abcdefghijklmnopqrstuv'''", &s);
    CHECK(s.where && text_is(&s.where->terms[0].lit, "abcdefghijklmnopqrstuv'"));
    sql_free(&s);
}

static void test_error_text_literal_longer_than_23_bytes(void)
{
    CHECK_ERR("SELECT * FROM t WHERE id = 'abcdefghijklmnopqrstuvwx'", 1, 28,
              "text literal longer than 23 bytes");
    CHECK_ERR("INSERT INTO t VALUES ('abcdefghijklmnopqrstuvw''', 1)", 1, 23,
              "text literal longer than 23 bytes");
}

static void test_int64_bounds_are_accepted(void)
{
    sql_stmt s;
    PARSE("INSERT INTO t VALUES (9223372036854775807, -9223372036854775808)", &s);
    CHECK_EQ_INT(s.nrows, 1);
    if (s.nrows == 1) {
        CHECK(int_is(&s.rows[0].key, INT64_MAX));
        CHECK(s.rows[0].value == INT64_MIN);
    }
    sql_free(&s);
}

static void test_error_int64_overflow(void)
{
    CHECK_ERR("INSERT INTO t VALUES (9223372036854775808, 1)", 1, 23,
              "expected an integer from -9223372036854775808 to 9223372036854775807, "
              "found '9223372036854775808'");
    CHECK_ERR("UPDATE t SET v = -9223372036854775809", 1, 18,
              "expected an integer from -9223372036854775808 to 9223372036854775807, "
              "found '-9223372036854775809'");
    CHECK_ERR("SELECT * FROM t WHERE v > 123456789012345678901234567890", 1, 27,
              "expected an integer from -9223372036854775808 to 9223372036854775807, "
              "found '123456789012345678901234567890'");
}

/* ---- predicates -------------------------------------------------------------------------- */

static void test_predicate_comparison_operators(void)
{
    static const struct { const char *op; pred_op want; } cases[] = {
        { "=", POP_EQ }, { "!=", POP_NE }, { "<>", POP_NE }, { "<", POP_LT },
        { "<=", POP_LE }, { ">", POP_GT }, { ">=", POP_GE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[64];
        snprintf(text, sizeof text, "SELECT * FROM t WHERE value %s -3", cases[i].op);
        sql_stmt s;
        PARSE(text, &s);
        CHECK(s.where && s.where->nterms == 1);
        if (s.where && s.where->nterms == 1) {
            CHECK_EQ_INT(s.where->terms[0].kind, PT_CMP);
            CHECK_EQ_INT(s.where->terms[0].op, cases[i].want);
            CHECK(int_is(&s.where->terms[0].lit, -3));
        }
        sql_free(&s);
    }
}

static void test_predicate_comparison_with_text_and_no_spaces(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM accounts WHERE id<>'A'", &s);
    CHECK(s.where && s.where->terms[0].op == POP_NE && text_is(&s.where->terms[0].lit, "A"));
    sql_free(&s);
}

static void test_predicate_modulo(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM test WHERE value % 3 = 1", &s);
    CHECK(s.where && s.where->nterms == 1);
    if (s.where && s.where->nterms == 1) {
        const pred_term *t = &s.where->terms[0];
        CHECK_EQ_INT(t->kind, PT_MOD);
        CHECK_EQ_INT(t->mod_m, 3);
        CHECK_EQ_INT(t->mod_r, 1);
        CHECK_EQ_INT(t->lit_col, 34);
    }
    sql_free(&s);
    PARSE("SELECT * FROM test WHERE value % -4 = -1", &s);
    CHECK(s.where && s.where->terms[0].mod_m == -4 && s.where->terms[0].mod_r == -1);
    sql_free(&s);
}

static void test_predicate_in_list(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM accounts WHERE id IN ('A', 'B', 'C')", &s);
    CHECK(s.where && s.where->nterms == 1);
    if (s.where && s.where->nterms == 1) {
        const pred_term *t = &s.where->terms[0];
        CHECK_EQ_INT(t->kind, PT_IN);
        CHECK_EQ_INT(t->nin, 3);
        CHECK(text_is(&t->in[0], "A"));
        CHECK(text_is(&t->in[2], "C"));
        CHECK_EQ_INT(t->lit_col, 37);
    }
    sql_free(&s);
    PARSE("SELECT * FROM test WHERE id in (7)", &s);
    CHECK(s.where && s.where->terms[0].nin == 1 && int_is(&s.where->terms[0].in[0], 7));
    sql_free(&s);
}

static void in_list(char *buf, size_t n, int count)
{
    size_t o = (size_t)snprintf(buf, n, "SELECT * FROM t WHERE id IN (");
    for (int i = 0; i < count; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%d", i ? ", " : "", i + 10);
    snprintf(buf + o, n - o, ")");
}

static void test_predicate_in_list_holds_64_values(void)
{
    char text[1024];
    in_list(text, sizeof text, PRED_IN_MAX);
    sql_stmt s;
    PARSE(text, &s);
    CHECK(s.where && s.where->terms[0].nin == PRED_IN_MAX);
    sql_free(&s);
}

static void test_error_in_list_with_65_values(void)
{
    char text[1024];
    in_list(text, sizeof text, PRED_IN_MAX + 1);
    /* "SELECT * FROM t WHERE id IN (" is 29 characters; 64 values of "NN, " follow. */
    CHECK_ERR(text, 1, 30 + 64 * 4, "expected ')' (at most 64 values in IN (...)), found '74'");
}

static void test_predicate_and_chain(void)
{
    sql_stmt s;
    PARSE("DELETE FROM t WHERE id >= 2 AND id <= 9 AND value % 2 = 0 AND id IN (3, 4)", &s);
    CHECK(s.where && s.where->nterms == 4);
    if (s.where && s.where->nterms == 4) {
        CHECK_EQ_INT(s.where->terms[0].op, POP_GE);
        CHECK_EQ_INT(s.where->terms[1].op, POP_LE);
        CHECK_EQ_INT(s.where->terms[2].kind, PT_MOD);
        CHECK_EQ_INT(s.where->terms[3].kind, PT_IN);
        for (int i = 0; i < 4; i++)
            CHECK_EQ_INT(s.where->terms[i].field, PF_UNRESOLVED);
    }
    sql_free(&s);
}

static void test_positions_are_absolute(void)
{
    /* As if the statement followed "T1: " on line 12 of a scenario: text[0] at 12:5. */
    sql_stmt s;
    sql_error e;
    CHECK_EQ_INT(sql_parse("UPDATE test SET value = value + 1 WHERE id = 'A'", 12, 5, &s, &e), 0);
    CHECK_EQ_INT(s.pos.line, 12);
    CHECK_EQ_INT(s.pos.col, 5);
    CHECK_EQ_INT(s.table_pos.line, 12);
    CHECK_EQ_INT(s.table_pos.col, 12);
    CHECK_EQ_INT(s.setcol_pos.col, 21);
    CHECK_EQ_INT(s.setsrc_pos.col, 29);
    CHECK(s.where != NULL);
    if (s.where) {
        CHECK_EQ_INT(s.where->terms[0].col_line, 12);
        CHECK_EQ_INT(s.where->terms[0].col_col, 45);
        CHECK_EQ_INT(s.where->terms[0].lit_line, 12);
        CHECK_EQ_INT(s.where->terms[0].lit_col, 50);
    }
    sql_free(&s);

    CHECK_EQ_INT(sql_parse("INSERT INTO t VALUES (1, -2), ('x', 3)", 3, 10, &s, &e), 0);
    CHECK_EQ_INT(s.table_pos.col, 22);
    if (s.nrows == 2) {
        CHECK_EQ_INT(s.rows[0].key_pos.line, 3);
        CHECK_EQ_INT(s.rows[0].key_pos.col, 32);
        CHECK_EQ_INT(s.rows[0].value_pos.col, 35);      /* at the '-' */
        CHECK_EQ_INT(s.rows[1].key_pos.col, 41);        /* at the opening quote */
        CHECK_EQ_INT(s.rows[1].value_pos.col, 46);
    } else {
        CHECK(!"two rows");
    }
    sql_free(&s);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void test_error_points_at_offending_token(void)
{
    sql_stmt s;
    sql_error e;
    CHECK_EQ_INT(sql_parse("SELECT * test", 4, 7, &s, &e), -1);
    CHECK_EQ_INT(e.line, 4);
    CHECK_EQ_INT(e.col, 16);
    CHECK_EQ_STR(e.msg, "expected FROM, found 'test'");
}

static void test_error_columns_count_characters_not_bytes(void)
{
    /* 'é' is two bytes but one column. */
    CHECK_ERR("INSERT INTO t VALUES ('é', 1) x", 1, 31,
              "expected ',' or end of statement, found 'x'");
}

static void test_error_empty_statement(void)
{
    CHECK_ERR("", 1, 1, "expected a statement (SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, "
              "ROLLBACK, SET or CREATE), found end of line");
    CHECK_ERR("   ;", 1, 4, "expected a statement (SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, "
              "ROLLBACK, SET or CREATE), found ';'");
}

static void test_error_unknown_statement_suggests_near_keyword(void)
{
    CHECK_ERR("SELEC * FROM t", 1, 1, "unknown statement 'SELEC'; expected SELECT, INSERT, UPDATE, "
              "DELETE, BEGIN, COMMIT, ROLLBACK, SET or CREATE (did you mean SELECT?)");
    CHECK_ERR("  udpate t SET v = 1", 1, 3, "unknown statement 'udpate'; expected SELECT, INSERT, "
              "UPDATE, DELETE, BEGIN, COMMIT, ROLLBACK, SET or CREATE (did you mean UPDATE?)");
    CHECK_ERR("EXPLAIN SELECT * FROM t", 1, 1, "unknown statement 'EXPLAIN'; expected SELECT, "
              "INSERT, UPDATE, DELETE, BEGIN, COMMIT, ROLLBACK, SET or CREATE");
}

static void test_error_misspelled_keyword_suggests_it(void)
{
    CHECK_ERR("SELECT * FORM test", 1, 10, "expected FROM, found 'FORM' (did you mean FROM?)");
    CHECK_ERR("SELECT * FROM test WHER id = 1", 1, 20,
              "expected end of statement, found 'WHER' (did you mean WHERE?)");
    CHECK_ERR("BEGIN ISOLATION LEVEL SERIALISABLE", 1, 23,
              "expected READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ or SERIALIZABLE, "
              "found 'SERIALISABLE' (did you mean SERIALIZABLE?)");
    CHECK_ERR("INSERT INTO t VALUE (1, 2)", 1, 15,
              "expected VALUES, found 'VALUE' (did you mean VALUES?)");
}

static void test_error_value_missing_at_end_of_line(void)
{
    CHECK_ERR("SELECT * FROM test WHERE id =", 1, 30,
              "expected a value (integer or 'text'), found end of line");
}

static void test_error_bare_word_as_value_hints_at_quotes(void)
{
    CHECK_ERR("SELECT * FROM accounts WHERE id = A", 1, 35,
              "expected a value (integer or 'text'), found 'A' (text values are quoted: 'A')");
    CHECK_ERR("INSERT INTO t VALUES (\"A\", 1)", 1, 23,
              "expected a value (integer or 'text'), found '\"' (text is written in single "
              "quotes: 'like this')");
}

static void test_error_unterminated_text(void)
{
    CHECK_ERR("SELECT * FROM t WHERE id = 'abc", 1, 28,
              "unterminated text literal: expected a closing quote ('), found end of line");
}

static void test_error_or_is_not_supported(void)
{
    CHECK_ERR("SELECT * FROM t WHERE id = 1 OR id = 2", 1, 30,
              "OR is not supported; use IN (...) or separate statements");
    CHECK_ERR("DELETE FROM t WHERE id = 1 AND v > 3 or v < 0", 1, 38,
              "OR is not supported; use IN (...) or separate statements");
}

static void test_error_modulo_needs_nonzero_divisor_and_equals(void)
{
    CHECK_ERR("SELECT * FROM t WHERE v % 0 = 1", 1, 27, "expected a nonzero divisor, found '0'");
    CHECK_ERR("SELECT * FROM t WHERE v % 3 < 1", 1, 29,
              "expected '=' (a modulo term reads col % m = r), found '<'");
    CHECK_ERR("SELECT * FROM t WHERE v % 'a' = 1", 1, 27,
              "expected an integer divisor, found text 'a'");
}

static void test_error_unknown_operator(void)
{
    CHECK_ERR("SELECT * FROM t WHERE v LIKE 3", 1, 25,
              "expected an operator (=, !=, <>, <, <=, >, >=, % or IN), found 'LIKE'");
    CHECK_ERR("SELECT * FROM t WHERE v BETWEEN 1 AND 3", 1, 25,
              "expected an operator (=, !=, <>, <, <=, >, >=, % or IN), found 'BETWEEN' "
              "(write col >= a AND col <= b)");
    CHECK_ERR("SELECT * FROM t WHERE v ! 3", 1, 25,
              "expected an operator (=, !=, <>, <, <=, >, >=, % or IN), found '!'");
}

static void test_error_in_list_problems(void)
{
    CHECK_ERR("SELECT * FROM t WHERE id IN ()", 1, 30,
              "expected a value (integer or 'text'), found ')'");
    CHECK_ERR("SELECT * FROM t WHERE id IN (1, 2", 1, 34, "expected ',' or ')', found end of line");
    CHECK_ERR("SELECT * FROM t WHERE id IN 1", 1, 29, "expected '(' after IN, found '1'");
}

static void test_error_trailing_text_after_statement(void)
{
    CHECK_ERR("COMMIT now", 1, 8, "expected end of statement, found 'now'");
    CHECK_ERR("SELECT * FROM t; SELECT * FROM u", 1, 18,
              "expected end of statement, found 'SELECT' (one statement per line)");
    CHECK_ERR("DELETE FROM t WHERE id = 1 id = 2", 1, 28,
              "expected AND or end of statement, found 'id'");
    CHECK_ERR("UPDATE t SET v = 1, w = 2", 1, 19, "expected end of statement, found ','");
}

static void test_error_for_update_needs_select_star(void)
{
    CHECK_ERR("SELECT COUNT(*) FROM t FOR UPDATE", 1, 24,
              "expected end of statement, found 'FOR' (FOR UPDATE only goes with SELECT *)");
    CHECK_ERR("SELECT * FROM t FOR SHARE", 1, 21, "expected UPDATE, found 'SHARE'");
}

static void test_error_select_list(void)
{
    CHECK_ERR("SELECT id FROM t", 1, 8, "expected *, COUNT(*) or SUM(column), found 'id'");
    CHECK_ERR("SELECT COUNT(id) FROM t", 1, 14,
              "expected '*' (only COUNT(*) is supported), found 'id'");
    CHECK_ERR("SELECT SUM(*) FROM t", 1, 12, "expected a column name, found '*'");
}

static void test_error_reserved_word_is_not_a_name(void)
{
    CHECK_ERR("SELECT * FROM WHERE id = 1", 1, 15, "expected a table name, found 'WHERE'");
    CHECK_ERR("DELETE FROM", 1, 12, "expected a table name, found end of line");
}

static void test_error_name_longer_than_31_characters(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM abcdefghijklmnopqrstuvwxyz_1234", &s);  /* 31: fine */
    CHECK_EQ_STR(s.table, "abcdefghijklmnopqrstuvwxyz_1234");
    sql_free(&s);
    CHECK_ERR("SELECT * FROM abcdefghijklmnopqrstuvwxyz_12345", 1, 15,
              "expected a table name of at most 31 characters, found "
              "'abcdefghijklmnopqrstuvwxyz_12345'");
    CHECK_ERR("SELECT * FROM t WHERE abcdefghijklmnopqrstuvwxyz_0123456789_abcdefghij = 1", 1, 23,
              "expected a column name of at most 31 characters, found "
              "'abcdefghijklmnopqrstuvwxyz_0123456789_ab...'");
}

static void test_error_insert_value_must_be_integer(void)
{
    CHECK_ERR("INSERT INTO t VALUES ('A', 'B')", 1, 28,
              "expected an integer (the second column is INT), found text 'B'");
    CHECK_ERR("INSERT INTO t VALUES (1, 2a)", 1, 26,
              "expected an integer (the second column is INT), found '2a'");
}

static void test_error_insert_row_shape(void)
{
    CHECK_ERR("INSERT INTO t VALUES (1)", 1, 24,
              "expected ',' and the row's value (a row is (key, value)), found ')'");
    CHECK_ERR("INSERT INTO t VALUES (1, 2, 3)", 1, 27,
              "expected ')', found ',' (a row has exactly two values: (key, value))");
    CHECK_ERR("INSERT INTO t VALUES (1, 2 3)", 1, 28, "expected ')', found '3'");
    CHECK_ERR("INSERT INTO t VALUES 1, 2", 1, 22,
              "expected '(' and a row (key, value), found '1'");
}

static void test_error_insert_column_list_needs_two_names(void)
{
    CHECK_ERR("INSERT INTO t (id) VALUES (1, 2)", 1, 18,
              "expected ',' and the second column (an INSERT names both), found ')'");
    CHECK_ERR("INSERT INTO t (id, v, w) VALUES (1, 2)", 1, 21,
              "expected ')', found ',' (a table has exactly two columns: a primary key and one "
              "INT column)");
    CHECK_ERR("INSERT INTO t (id, v=1) VALUES (1, 2)", 1, 21, "expected ')', found '='");
}

static void test_error_create_key_column_must_be_primary_key(void)
{
    CHECK_ERR("CREATE TABLE t (id INT, v INT)", 1, 23,
              "expected PRIMARY KEY, found ',' (the first column is the primary key)");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY, v INT)", 1, 31, "expected KEY, found ','");
    CHECK_ERR("CREATE TABLE t (id FLOAT PRIMARY KEY, v INT)", 1, 20,
              "expected INT or TEXT, found 'FLOAT'");
}

static void test_error_create_third_column(void)
{
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT, w INT)", 1, 44,
              "a table has exactly two columns: a primary key and one INT column");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY)", 1, 35,
              "expected ',' and the INT column, found ')' (a table has exactly two columns: "
              "a primary key and one INT column)");
}

static void test_error_create_second_column_must_be_int(void)
{
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, name TEXT)", 1, 42,
              "expected INT, found 'TEXT' (the second column holds integers)");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT PRIMARY KEY)", 1, 43,
              "expected CHECK, ',' or ')', found 'PRIMARY' (only the first column is the "
              "primary key)");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, ID INT)", 1, 37,
              "expected a column name other than 'id', found 'ID'");
}

static void test_error_create_check_may_only_mention_value_column(void)
{
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT CHECK (id > 0))", 1, 50,
              "expected the column 'v' (a CHECK may only mention the INT column), found 'id'");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT, CHECK (v > 0 AND w < 3))", 1, 61,
              "expected the column 'v' (a CHECK may only mention the INT column), found 'w'");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT CHECK (v IN (1, 'x')))", 1, 59,
              "expected an integer ('v' is INT), found text 'x'");
    CHECK_ERR("CREATE TABLE t (id INT PRIMARY KEY, v INT CHECK (v >= 0)", 1, 57,
              "expected ',' or ')', found end of line");
}

static void test_error_transaction_statements(void)
{
    CHECK_ERR("BEGIN ISOLATION LEVEL READ", 1, 27,
              "expected UNCOMMITTED or COMMITTED, found end of line");
    CHECK_ERR("BEGIN ISOLATION SERIALIZABLE", 1, 17, "expected LEVEL, found 'SERIALIZABLE'");
    CHECK_ERR("BEGIN SERIALIZABLE", 1, 7,
              "expected ISOLATION LEVEL or end of statement, found 'SERIALIZABLE'");
    CHECK_ERR("SET ISOLATION LEVEL SERIALIZABLE", 1, 5,
              "expected TRANSACTION or SESSION CHARACTERISTICS, found 'ISOLATION'");
    CHECK_ERR("START ISOLATION LEVEL SERIALIZABLE", 1, 7, "expected TRANSACTION, found 'ISOLATION'");
    CHECK_ERR("SET TRANSACTION ISOLATION LEVEL REPEATABLE", 1, 43, "expected READ, found end of line");
    CHECK_ERR("ROLLBACK TO SAVEPOINT a", 1, 10, "expected end of statement, found 'TO'");
}

static void test_error_update_shape(void)
{
    CHECK_ERR("UPDATE t SET v = v", 1, 19, "expected '+' or '-', found end of line");
    CHECK_ERR("UPDATE t SET v = v * 2", 1, 20, "expected '+' or '-', found '*'");
    CHECK_ERR("UPDATE t SET v = 'x'", 1, 18, "expected an integer, or column + integer, or "
              "column - integer, found text 'x'");
    CHECK_ERR("UPDATE t SET v += 1", 1, 16, "expected '=', found '+'");
    CHECK_ERR("UPDATE t SET v = v + 'x'", 1, 22, "expected an integer, found text 'x'");
    CHECK_ERR("UPDATE t v = 1", 1, 10, "expected SET, found 'v'");
}

static void test_error_leaves_statement_empty_and_sql_free_safe(void)
{
    sql_stmt s;
    sql_error e;
    /* Fails after a WHERE and two rows were allocated: nothing may leak (ASan checks). */
    CHECK_EQ_INT(sql_parse("INSERT INTO t VALUES (1, 2), (3, 4), (5, 'x')", 1, 1, &s, &e), -1);
    CHECK(s.rows == NULL && s.nrows == 0);
    sql_free(&s);
    CHECK_EQ_INT(sql_parse("DELETE FROM t WHERE id = 1 AND v = 2 AND", 1, 1, &s, &e), -1);
    CHECK(s.where == NULL);
    CHECK_EQ_INT(sql_parse("CREATE TABLE t (k INT PRIMARY KEY, v INT CHECK (v > 0), CHECK (v < 9), x)",
                           1, 1, &s, &e), -1);
    CHECK(s.check == NULL);
    CHECK_EQ_STR(e.msg, "a table has exactly two columns: a primary key and one INT column");
    /* A NULL error pointer is allowed. */
    CHECK_EQ_INT(sql_parse("SELEC", 1, 1, &s, NULL), -1);
}

static void test_sql_free_is_idempotent(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM t WHERE id = 1", &s);
    sql_free(&s);
    sql_free(&s);
    CHECK(s.where == NULL);
}

/* ---- formatting -------------------------------------------------------------------------- */

static void test_format_canonical_examples(void)
{
    CHECK_FORMAT("update test set value=value+10 where id=1",
                 "UPDATE test SET value = value + 10 WHERE id = 1");
    CHECK_FORMAT("select * from test where value%3=0 for update",
                 "SELECT * FROM test WHERE value % 3 = 0 FOR UPDATE");
    CHECK_FORMAT("insert into test values (1,10),(2,20);", "INSERT INTO test VALUES (1, 10), (2, 20)");
    CHECK_FORMAT("start transaction isolation level serializable", "BEGIN ISOLATION LEVEL SERIALIZABLE");
    CHECK_FORMAT("create table accounts (id text primary key, balance int check (balance >= 0))",
                 "CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INT CHECK (balance >= 0))");
    CHECK_FORMAT("SELECT * FROM t WHERE v <> 3", "SELECT * FROM t WHERE v != 3");
    CHECK_FORMAT("abort", "ROLLBACK");
    CHECK_FORMAT("commit work;", "COMMIT");
}

static void test_format_round_trip_many_statements(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "CREATE TABLE test (id INT PRIMARY KEY, value INT)",
          "CREATE TABLE test (id INT PRIMARY KEY, value INT)" },
        { "CREATE TABLE IF NOT EXISTS t (k integer primary key, v int, check (v % 2 = 0))",
          "CREATE TABLE IF NOT EXISTS t (k INT PRIMARY KEY, v INT CHECK (v % 2 = 0))" },
        { "INSERT INTO accounts (id, balance) VALUES ('A', 500), ('it''s', -1)",
          "INSERT INTO accounts (id, balance) VALUES ('A', 500), ('it''s', -1)" },
        { "INSERT INTO t VALUES (-9223372036854775808, 9223372036854775807)",
          "INSERT INTO t VALUES (-9223372036854775808, 9223372036854775807)" },
        { "SELECT COUNT ( * ) FROM test WHERE value >= 10 AND id != 3",
          "SELECT COUNT(*) FROM test WHERE value >= 10 AND id != 3" },
        { "SELECT SUM(balance) FROM accounts WHERE id IN ('A','B')",
          "SELECT SUM(balance) FROM accounts WHERE id IN ('A', 'B')" },
        { "SELECT * FROM test WHERE id < 5 AND id > -5",
          "SELECT * FROM test WHERE id < 5 AND id > -5" },
        { "SELECT * FROM test WHERE id <= 5 FOR UPDATE;",
          "SELECT * FROM test WHERE id <= 5 FOR UPDATE" },
        { "UPDATE test SET value = 7", "UPDATE test SET value = 7" },
        { "UPDATE test SET value = value - 3 WHERE value % -2 = -1",
          "UPDATE test SET value = value - 3 WHERE value % -2 = -1" },
        { "UPDATE test SET value = value + -5", "UPDATE test SET value = value + -5" },
        { "UPDATE test SET value = value - -5", "UPDATE test SET value = value - -5" },
        { "DELETE FROM test", "DELETE FROM test" },
        { "DELETE FROM test WHERE id IN (1, 2, 3) AND value = 0",
          "DELETE FROM test WHERE id IN (1, 2, 3) AND value = 0" },
        { "BEGIN", "BEGIN" },
        { "BEGIN WORK ISOLATION LEVEL READ UNCOMMITTED", "BEGIN ISOLATION LEVEL READ UNCOMMITTED" },
        { "begin transaction isolation level read committed", "BEGIN ISOLATION LEVEL READ COMMITTED" },
        { "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN ISOLATION LEVEL REPEATABLE READ" },
        { "set transaction isolation level serializable",
          "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE" },
        { "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ",
          "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ" },
        { "ROLLBACK WORK", "ROLLBACK" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_FORMAT(cases[i].in, cases[i].out);
}

static void test_format_into_small_buffer_truncates_and_returns_full_length(void)
{
    sql_stmt s;
    PARSE("SELECT * FROM test WHERE id IN (1, 2, 3)", &s);
    char full[128], small[12];
    int n = sql_format(&s, full, sizeof full);
    CHECK_EQ_INT(n, (int)strlen("SELECT * FROM test WHERE id IN (1, 2, 3)"));
    CHECK_EQ_INT(sql_format(&s, small, sizeof small), n);
    CHECK_EQ_STR(small, "SELECT * FR");
    CHECK_EQ_INT(sql_format(&s, NULL, 0), n);
    sql_free(&s);
}

static void test_iso_names(void)
{
    CHECK_EQ_STR(iso_name(ISO_RU), "READ UNCOMMITTED");
    CHECK_EQ_STR(iso_name(ISO_RC), "READ COMMITTED");
    CHECK_EQ_STR(iso_name(ISO_RR), "REPEATABLE READ");
    CHECK_EQ_STR(iso_name(ISO_SER), "SERIALIZABLE");
    CHECK_EQ_STR(iso_name(ISO_NONE), "");
    CHECK_EQ_STR(iso_short(ISO_RU), "RU");
    CHECK_EQ_STR(iso_short(ISO_RC), "RC");
    CHECK_EQ_STR(iso_short(ISO_RR), "RR");
    CHECK_EQ_STR(iso_short(ISO_SER), "SER");
    CHECK_EQ_STR(iso_short(ISO_NONE), "");
}

int main(void)
{
    RUN(test_parse_create_table_int_key);
    RUN(test_parse_create_table_text_key_with_column_check);
    RUN(test_parse_create_table_if_not_exists);
    RUN(test_parse_create_table_check_as_table_constraint);
    RUN(test_parse_create_column_and_table_checks_combine);
    RUN(test_parse_insert_single_row);
    RUN(test_parse_insert_many_rows_with_text_keys_and_negative_values);
    RUN(test_parse_insert_with_column_list);
    RUN(test_parse_insert_accepts_1024_rows);
    RUN(test_error_insert_with_1025_rows_is_refused);
    RUN(test_parse_select_star);
    RUN(test_parse_select_count_and_sum);
    RUN(test_parse_select_for_update_with_where);
    RUN(test_parse_update_set_constant);
    RUN(test_parse_update_add_with_where);
    RUN(test_parse_update_sub_and_add_negative);
    RUN(test_parse_delete_with_and_without_where);
    RUN(test_parse_begin_forms);
    RUN(test_parse_all_four_isolation_levels);
    RUN(test_parse_set_transaction_level);
    RUN(test_parse_set_session_characteristics_is_session_wide);
    RUN(test_parse_commit_rollback_abort);
    RUN(test_keywords_are_case_insensitive_names_are_kept_as_written);
    RUN(test_trailing_semicolon_is_optional);
    RUN(test_hash_outside_quotes_ends_the_statement);
    RUN(test_text_literal_with_escaped_quote);
    RUN(test_text_literal_of_exactly_23_bytes_is_accepted);
    RUN(test_error_text_literal_longer_than_23_bytes);
    RUN(test_int64_bounds_are_accepted);
    RUN(test_error_int64_overflow);
    RUN(test_predicate_comparison_operators);
    RUN(test_predicate_comparison_with_text_and_no_spaces);
    RUN(test_predicate_modulo);
    RUN(test_predicate_in_list);
    RUN(test_predicate_in_list_holds_64_values);
    RUN(test_error_in_list_with_65_values);
    RUN(test_predicate_and_chain);
    RUN(test_positions_are_absolute);
    RUN(test_error_points_at_offending_token);
    RUN(test_error_columns_count_characters_not_bytes);
    RUN(test_error_empty_statement);
    RUN(test_error_unknown_statement_suggests_near_keyword);
    RUN(test_error_misspelled_keyword_suggests_it);
    RUN(test_error_value_missing_at_end_of_line);
    RUN(test_error_bare_word_as_value_hints_at_quotes);
    RUN(test_error_unterminated_text);
    RUN(test_error_or_is_not_supported);
    RUN(test_error_modulo_needs_nonzero_divisor_and_equals);
    RUN(test_error_unknown_operator);
    RUN(test_error_in_list_problems);
    RUN(test_error_trailing_text_after_statement);
    RUN(test_error_for_update_needs_select_star);
    RUN(test_error_select_list);
    RUN(test_error_reserved_word_is_not_a_name);
    RUN(test_error_name_longer_than_31_characters);
    RUN(test_error_insert_value_must_be_integer);
    RUN(test_error_insert_row_shape);
    RUN(test_error_insert_column_list_needs_two_names);
    RUN(test_error_create_key_column_must_be_primary_key);
    RUN(test_error_create_third_column);
    RUN(test_error_create_second_column_must_be_int);
    RUN(test_error_create_check_may_only_mention_value_column);
    RUN(test_error_transaction_statements);
    RUN(test_error_update_shape);
    RUN(test_error_leaves_statement_empty_and_sql_free_safe);
    RUN(test_sql_free_is_idempotent);
    RUN(test_format_canonical_examples);
    RUN(test_format_round_trip_many_statements);
    RUN(test_format_into_small_buffer_truncates_and_returns_full_length);
    RUN(test_iso_names);
    return t_done("sql");
}
