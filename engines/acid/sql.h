/*
 * sql.h: the SQL subset of the ACID side (see assets/doc/scenarios.md), parsed into one statement
 * struct.
 *
 * The parser is purely syntactic: it knows nothing of which tables exist. It records the
 * line and column of every name and literal so that the engine can point at the exact
 * token when a table or column is unknown or a key has the wrong type. Errors are
 * "expected X, found Y" at the offending token.
 *
 * Grammar (keywords case-insensitive, a trailing ';' optional):
 *   CREATE TABLE [IF NOT EXISTS] t (k INT|TEXT PRIMARY KEY, c INT [CHECK (pred)])
 *   INSERT INTO t [(k, c)] VALUES (lit, int)[, (lit, int)...]
 *   SELECT * | COUNT(*) | SUM(c) FROM t [WHERE pred] [FOR UPDATE]
 *   UPDATE t SET c = int | c + int | c - int [WHERE pred]
 *   DELETE FROM t [WHERE pred]
 *   BEGIN [TRANSACTION|WORK] [ISOLATION LEVEL lvl] | START TRANSACTION [ISOLATION LEVEL lvl]
 *   SET TRANSACTION ISOLATION LEVEL lvl
 *   SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL lvl   (same effect)
 *   COMMIT [WORK] | ROLLBACK [WORK] | ABORT
 *   pred := term { AND term }
 *   term := col op lit | col % int = int | col IN (lit, ...)      op: = != <> < <= > >=
 *   lvl  := READ UNCOMMITTED | READ COMMITTED | REPEATABLE READ | SERIALIZABLE
 *   lit  := [-]digits | 'text'   (text at most SCALAR_TEXT_MAX bytes, '' escapes a quote)
 */
#ifndef AB_SQL_H
#define AB_SQL_H

#include <stdbool.h>
#include <stdint.h>
#include "common/scalar.h"
#include "common/pred.h"

#define SQL_NAME_MAX 31
#define SQL_ROWS_MAX 1024

typedef enum {
    SQL_CREATE = 1, SQL_INSERT, SQL_SELECT, SQL_UPDATE, SQL_DELETE,
    SQL_BEGIN, SQL_SET_LEVEL, SQL_COMMIT, SQL_ROLLBACK
} sql_kind;

typedef enum { ISO_NONE = 0, ISO_RU = 1, ISO_RC = 2, ISO_RR = 3, ISO_SER = 4 } iso_level;
typedef enum { SEL_ROWS = 0, SEL_COUNT, SEL_SUM } sel_kind;
typedef enum { UPD_SET = 0, UPD_ADD, UPD_SUB } upd_kind;

typedef struct sql_pos { int line, col; } sql_pos;

typedef struct sql_row {
    scalar key;
    int64_t value;
    sql_pos key_pos, value_pos;
} sql_row;

typedef struct sql_stmt {
    sql_kind kind;
    sql_pos pos;                        /* the first token */
    char table[SQL_NAME_MAX + 1];
    sql_pos table_pos;

    /* CREATE TABLE */
    bool if_not_exists;
    char keycol[SQL_NAME_MAX + 1];
    scalar_type keytype;
    char valcol[SQL_NAME_MAX + 1];
    pred *check;                        /* NULL when no CHECK */

    /* INSERT: optional column list, then the rows */
    int ncols;                          /* 0 or 2 */
    char cols[2][SQL_NAME_MAX + 1];
    sql_pos col_pos[2];
    int nrows;
    sql_row *rows;

    /* SELECT */
    sel_kind sel;
    char sumcol[SQL_NAME_MAX + 1];
    sql_pos sumcol_pos;
    bool for_update;

    /* UPDATE */
    char setcol[SQL_NAME_MAX + 1];
    sql_pos setcol_pos;
    char setsrc[SQL_NAME_MAX + 1];      /* the column on the right of c + n, "" for c = n */
    sql_pos setsrc_pos;
    upd_kind upd;
    int64_t operand;

    /* WHERE (SELECT, UPDATE, DELETE); NULL when absent */
    pred *where;

    /* BEGIN / SET TRANSACTION: ISO_NONE when no level given */
    iso_level level;
    bool session_wide;                  /* SET SESSION CHARACTERISTICS ... */
} sql_stmt;

typedef struct sql_error {
    int line, col;
    char msg[256];
} sql_error;

/* Parses one statement from text. line/col give the position of text[0] in the file
 * (1-based) so errors and recorded positions are absolute. Returns 0 and fills *out, or
 * -1 and fills *err (out is then left empty and needs no sql_free). */
int sql_parse(const char *text, int line, int col, sql_stmt *out, sql_error *err);
void sql_free(sql_stmt *s);

/* Canonical one-line text of a statement, as the transcript and the log show it. */
int sql_format(const sql_stmt *s, char *buf, size_t n);

/* The isolation levels, one table (sql.c) that every reader of a level's name uses: the
 * SQL parser (BEGIN ... ISOLATION LEVEL), the scenario parser (expect T1 level RC) and
 * the lab's screen. */
typedef struct iso_level_info {
    iso_level level;
    const char *name;        /* "READ COMMITTED" */
    const char *short_name;  /* "RC" */
} iso_level_info;
const iso_level_info *iso_level_at(size_t i);   /* in order RU, RC, RR, SER; NULL past the last */
const char *iso_name(iso_level l);       /* "READ COMMITTED", ... */
const char *iso_short(iso_level l);      /* "RC", ... */
/* The level whose name (or, with shorts, short name) starts s: words compared without
 * case, separated by any run of spaces and tabs, the last one ending at a non-letter.
 * Returns ISO_NONE when none does; else *used is the bytes it took. */
iso_level iso_parse(const char *s, bool shorts, size_t *used);

#endif
