/*
 * sql.c: the ACID side's SQL subset: a lexer, a recursive-descent parser that fills one
 * sql_stmt, and the formatter that writes a statement back as canonical text. The grammar
 * is in sql.h; assets/doc/scenarios.md ("Tables and SQL") is the contract it implements.
 *
 * The parser is purely syntactic and LL(1): one current token, no backtracking. It knows
 * nothing of the tables that exist, so it neither checks that a named column belongs to
 * a table nor that a key literal has the key column's type; it records the position of
 * every name and literal so the engine can point at them when it does. The one semantic
 * check made here is local to the statement: a CHECK may only mention the table's INT
 * column, with integer literals.
 *
 * Errors are the first problem found, at the absolute line and column of the offending
 * token, worded "expected <what>, found <token>" (with a did-you-mean when the token is a
 * near miss of a keyword that fits there). Columns count UTF-8 characters, not bytes, so
 * a caret under the column lands on the token in a terminal.
 *
 * Deliberately not supported: OR, NOT, parentheses in predicates, BETWEEN/LIKE/NULL,
 * column lists other than the two columns, more than one statement per line, SQL "--"
 * comments. A '#' outside quotes ends the statement (the scenario comment rule), so the
 * parser gives the same answer whether or not its caller stripped comments first.
 */
#include "sql.h"
#include "common/putbuf.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SQL_STR_(x) #x
#define SQL_STR(x) SQL_STR_(x)

/* pred_term.col is filled from a name the parser accepted; they must agree in size. */
_Static_assert(PRED_COL_MAX == SQL_NAME_MAX, "pred column names and SQL names differ in length");

/* Longest token text quoted in an error message, in bytes. */
#define SQL_SHOW_MAX 40
#define SQL_FOUND_MAX 96

typedef enum {
    TK_END, TK_IDENT, TK_INT, TK_TEXT, TK_BAD,
    TK_LPAREN, TK_RPAREN, TK_COMMA, TK_SEMI, TK_STAR, TK_PERCENT, TK_PLUS, TK_MINUS,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE
} sql_tk;

typedef struct sql_tok {
    sql_tk kind;
    size_t off, len;                /* as written: text[off, off + len) */
    uint64_t mag;                   /* TK_INT: the digits' value, UINT64_MAX on overflow */
    char s[SCALAR_TEXT_MAX + 1];    /* TK_TEXT: the text with '' unescaped */
    size_t slen;
    const char *why;                /* TK_BAD: what is wrong with it; NULL for a stray char */
} sql_tok;

typedef struct sql_parser {
    const char *text;
    int line, col;                  /* where text[0] sits in the file */
    size_t at;                      /* lexer position, just past tok */
    sql_tok tok;                    /* the current token */
    sql_error *err;
    bool failed;
} sql_parser;

/* ---- lexer ----------------------------------------------------------------------------- */

static void sql_lex(sql_parser *p)
{
    const char *t = p->text;
    size_t i = p->at;
    while (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n' || t[i] == '\v' ||
           t[i] == '\f')
        i++;
    sql_tok *k = &p->tok;
    memset(k, 0, sizeof *k);
    k->off = i;
    unsigned char c = (unsigned char)t[i];
    size_t j = i + 1;

    if (c == '\0' || c == '#') {
        k->kind = TK_END;
        p->at = i;
        return;
    }
    if (isalpha(c) || c == '_') {
        while (isalnum((unsigned char)t[j]) || t[j] == '_')
            j++;
        k->kind = TK_IDENT;
    } else if (isdigit(c)) {
        /* Digits glued to letters ("1a") are one bad token, not an int and a name. */
        bool junk = false;
        uint64_t m = 0;
        for (j = i; isalnum((unsigned char)t[j]) || t[j] == '_'; j++) {
            if (!isdigit((unsigned char)t[j])) {
                junk = true;
                continue;
            }
            unsigned d = (unsigned)(t[j] - '0');
            m = m > (UINT64_MAX - d) / 10 ? UINT64_MAX : m * 10 + d;
        }
        k->kind = junk ? TK_BAD : TK_INT;
        k->mag = m;
    } else if (c == '\'') {
        size_t n = 0;
        k->kind = TK_TEXT;
        for (;;) {
            char ch = t[j];
            if (ch == '\0') {
                k->kind = TK_BAD;
                k->why = "unterminated text literal: expected a closing quote ('), found end of line";
                break;
            }
            if (ch == '\'') {
                if (t[j + 1] != '\'') {
                    j++;
                    break;
                }
                j++;        /* '' is one quote */
            }
            if (n < SCALAR_TEXT_MAX)
                k->s[n] = ch;
            n++;
            j++;
        }
        if (k->kind == TK_TEXT && n > SCALAR_TEXT_MAX) {
            k->kind = TK_BAD;
            k->why = "text literal longer than " SQL_STR(SCALAR_TEXT_MAX) " bytes";
        }
        k->slen = n > SCALAR_TEXT_MAX ? SCALAR_TEXT_MAX : n;
    } else {
        char d = t[i + 1];
        switch (c) {
        case '(': k->kind = TK_LPAREN; break;
        case ')': k->kind = TK_RPAREN; break;
        case ',': k->kind = TK_COMMA; break;
        case ';': k->kind = TK_SEMI; break;
        case '*': k->kind = TK_STAR; break;
        case '%': k->kind = TK_PERCENT; break;
        case '+': k->kind = TK_PLUS; break;
        case '-': k->kind = TK_MINUS; break;
        case '=':               /* "==" is forgiven */
            k->kind = TK_EQ;
            if (d == '=')
                j++;
            break;
        case '!':
            k->kind = d == '=' ? TK_NE : TK_BAD;
            if (d == '=')
                j++;
            break;
        case '<':
            k->kind = d == '=' ? TK_LE : d == '>' ? TK_NE : TK_LT;
            if (d == '=' || d == '>')
                j++;
            break;
        case '>':
            k->kind = d == '=' ? TK_GE : TK_GT;
            if (d == '=')
                j++;
            break;
        default:
            k->kind = TK_BAD;
            if (c >= 0x80)      /* keep a UTF-8 character whole */
                while (((unsigned char)t[j] & 0xC0) == 0x80)
                    j++;
            break;
        }
    }
    k->len = j - i;
    p->at = j;
}

/* Absolute position of text[off]: columns count characters, not UTF-8 bytes. */
static sql_pos sql_pos_at(const sql_parser *p, size_t off)
{
    int col = p->col;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)p->text[i] & 0xC0) != 0x80)
            col++;
    sql_pos pos = { p->line, col };
    return pos;
}

static sql_pos sql_here(const sql_parser *p)
{
    return sql_pos_at(p, p->tok.off);
}

/* ---- errors ---------------------------------------------------------------------------- */

/* Quotes text[off, off + len) as an error shows it, shortened with "..." when long. */
static void sql_show(const sql_parser *p, size_t off, size_t len, char *buf, size_t n)
{
    const char *s = p->text + off;
    bool cut = len > SQL_SHOW_MAX;
    if (cut) {
        len = SQL_SHOW_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    snprintf(buf, n, "'%.*s%s'", (int)len, s, cut ? "..." : "");
}

static void sql_show_tok(const sql_parser *p, char *buf, size_t n)
{
    const sql_tok *k = &p->tok;
    if (k->kind == TK_END)
        snprintf(buf, n, "end of line");
    else if (k->kind == TK_TEXT)
        snprintf(buf, n, "text %.*s", (int)k->len, p->text + k->off);
    else
        sql_show(p, k->off, k->len, buf, n);
}

static int sql_fail_at(sql_parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = true;
    sql_pos pos = sql_pos_at(p, off);
    p->err->line = pos.line;
    p->err->col = pos.col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int sql_oom(sql_parser *p)
{
    return sql_fail_at(p, p->tok.off, "out of memory");
}

/* Optimal string alignment distance, case-insensitive; large for long words. */
static int sql_distance(const char *a, size_t na, const char *b, size_t nb)
{
    enum { W = 24 };
    if (na >= W || nb >= W)
        return 99;
    int d[W + 1][W + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            int cost = toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 &&
                toupper((unsigned char)a[i - 1]) == toupper((unsigned char)b[j - 2]) &&
                toupper((unsigned char)a[i - 2]) == toupper((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[na][nb];
}

/* The keyword of kws (NULL-terminated) that the current word is a near miss of, or NULL. */
static const char *sql_near_keyword(const sql_parser *p, const char *const *kws)
{
    const sql_tok *k = &p->tok;
    if (!kws || k->kind != TK_IDENT || k->len < 2)
        return NULL;
    const char *w = p->text + k->off;
    const char *best = NULL;
    int bestd = 99;
    for (; *kws; kws++) {
        size_t n = strlen(*kws);
        if (n < 3)
            continue;
        int d = sql_distance(w, k->len, *kws, n);
        int allowed = n >= 6 ? 2 : 1;
        if (d > 0 && d <= allowed && d < bestd) {
            best = *kws;
            bestd = d;
        }
    }
    return best;
}

/* "expected <what>, found <token>", at the current token, with an optional hint. A token
 * that is malformed in itself (an unterminated or too long text) reports that instead. */
static int sql_expected_hint(sql_parser *p, const char *what, const char *const *kws,
                             const char *hint)
{
    const sql_tok *k = &p->tok;
    if (k->kind == TK_BAD && k->why)
        return sql_fail_at(p, k->off, "%s", k->why);
    char found[SQL_FOUND_MAX];
    sql_show_tok(p, found, sizeof found);
    const char *near = sql_near_keyword(p, kws);
    if (near)
        return sql_fail_at(p, k->off, "expected %s, found %s (did you mean %s?)", what, found, near);
    if (!hint && k->kind == TK_BAD && p->text[k->off] == '"')
        hint = "text is written in single quotes: 'like this'";
    if (hint)
        return sql_fail_at(p, k->off, "expected %s, found %s (%s)", what, found, hint);
    return sql_fail_at(p, k->off, "expected %s, found %s", what, found);
}

static int sql_expected(sql_parser *p, const char *what, const char *const *kws)
{
    return sql_expected_hint(p, what, kws, NULL);
}

/* ---- token helpers ----------------------------------------------------------------------- */

static bool sql_is_kw(const sql_parser *p, const char *kw)
{
    return p->tok.kind == TK_IDENT && strlen(kw) == p->tok.len &&
           strncasecmp(p->text + p->tok.off, kw, p->tok.len) == 0;
}

static bool sql_accept_kw(sql_parser *p, const char *kw)
{
    if (!sql_is_kw(p, kw))
        return false;
    sql_lex(p);
    return true;
}

static int sql_expect_kw(sql_parser *p, const char *kw)
{
    if (sql_accept_kw(p, kw))
        return 0;
    const char *kws[] = { kw, NULL };
    return sql_expected(p, kw, kws);
}

static bool sql_accept(sql_parser *p, sql_tk kind)
{
    if (p->tok.kind != kind)
        return false;
    sql_lex(p);
    return true;
}

static int sql_expect(sql_parser *p, sql_tk kind, const char *what)
{
    return sql_accept(p, kind) ? 0 : sql_expected(p, what, NULL);
}

/* Words that cannot be names: a name there is almost surely a missing name. */
static bool sql_is_reserved(const sql_parser *p)
{
    static const char *const words[] = {
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "FROM", "WHERE", "AND", "OR",
        "NOT", "IN", "SET", "VALUES", "INTO", "TABLE", "PRIMARY", "CHECK", "FOR", NULL
    };
    for (const char *const *w = words; *w; w++)
        if (sql_is_kw(p, *w))
            return true;
    return false;
}

/* A table or column name. what is e.g. "a table name". */
static int sql_name(sql_parser *p, const char *what, char out[SQL_NAME_MAX + 1], sql_pos *pos)
{
    const sql_tok *k = &p->tok;
    if (k->kind != TK_IDENT || sql_is_reserved(p))
        return sql_expected(p, what, NULL);
    if (k->len > SQL_NAME_MAX) {
        char found[SQL_FOUND_MAX];
        sql_show_tok(p, found, sizeof found);
        return sql_fail_at(p, k->off, "expected %s of at most %d characters, found %s", what,
                           SQL_NAME_MAX, found);
    }
    memcpy(out, p->text + k->off, k->len);
    out[k->len] = '\0';
    if (pos)
        *pos = sql_here(p);
    sql_lex(p);
    return 0;
}

/* [-]digits fitting int64. what names the expectation for the error. */
static int sql_int(sql_parser *p, const char *what, int64_t *v, sql_pos *pos)
{
    size_t start = p->tok.off;
    sql_pos at = sql_here(p);
    bool neg = false;
    if (p->tok.kind == TK_MINUS) {
        neg = true;
        sql_lex(p);
    }
    if (p->tok.kind != TK_INT)
        return sql_expected(p, what, NULL);
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (p->tok.mag > lim) {
        char found[SQL_FOUND_MAX];
        sql_show(p, start, p->tok.off + p->tok.len - start, found, sizeof found);
        return sql_fail_at(p, start, "expected an integer from %" PRId64 " to %" PRId64
                           ", found %s", INT64_MIN, INT64_MAX, found);
    }
    if (!neg)
        *v = (int64_t)p->tok.mag;
    else if (p->tok.mag == (uint64_t)INT64_MAX + 1)
        *v = INT64_MIN;
    else
        *v = -(int64_t)p->tok.mag;
    if (pos)
        *pos = at;
    sql_lex(p);
    return 0;
}

#define SQL_WANT_VALUE "a value (integer or 'text')"

/* An integer or a text literal. */
static int sql_lit(sql_parser *p, scalar *out, sql_pos *pos)
{
    if (p->tok.kind == TK_TEXT) {
        *out = scalar_text(p->tok.s, p->tok.slen);
        if (pos)
            *pos = sql_here(p);
        sql_lex(p);
        return 0;
    }
    if (p->tok.kind == TK_INT || p->tok.kind == TK_MINUS) {
        int64_t v;
        if (sql_int(p, "an integer", &v, pos))
            return -1;
        *out = scalar_int(v);
        return 0;
    }
    if (p->tok.kind == TK_IDENT && !sql_is_reserved(p))
        return sql_expected_hint(p, SQL_WANT_VALUE, NULL, "text values are quoted: 'A'");
    return sql_expected(p, SQL_WANT_VALUE, NULL);
}

/* ---- predicates -------------------------------------------------------------------------- */

/* A literal in a term; only integers when the term is in a CHECK (only_col set). */
static int sql_term_lit(sql_parser *p, const char *only_col, scalar *out, sql_pos *pos)
{
    if (!only_col)
        return sql_lit(p, out, pos);
    char what[SQL_NAME_MAX + 40];
    snprintf(what, sizeof what, "an integer ('%s' is INT)", only_col);
    int64_t v;
    if (sql_int(p, what, &v, pos))
        return -1;
    *out = scalar_int(v);
    return 0;
}

static int sql_term(sql_parser *p, pred_term *t, const char *only_col)
{
    memset(t, 0, sizeof *t);
    size_t coloff = p->tok.off;
    sql_pos cp, lp = { 0, 0 };
    if (sql_name(p, "a column name", t->col, &cp))
        return -1;
    t->col_line = cp.line;
    t->col_col = cp.col;
    if (only_col && strcasecmp(t->col, only_col) != 0)
        return sql_fail_at(p, coloff, "expected the column '%s' (a CHECK may only mention the "
                           "INT column), found '%s'", only_col, t->col);

    switch (p->tok.kind) {
    case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE: {
        static const pred_op ops[] = {
            [TK_EQ] = POP_EQ, [TK_NE] = POP_NE, [TK_LT] = POP_LT,
            [TK_LE] = POP_LE, [TK_GT] = POP_GT, [TK_GE] = POP_GE,
        };
        t->kind = PT_CMP;
        t->op = (uint8_t)ops[p->tok.kind];
        sql_lex(p);
        if (sql_term_lit(p, only_col, &t->lit, &lp))
            return -1;
        break;
    }
    case TK_PERCENT: {
        t->kind = PT_MOD;
        sql_lex(p);
        size_t moff = p->tok.off;
        if (sql_int(p, "an integer divisor", &t->mod_m, &lp))
            return -1;
        if (t->mod_m == 0)
            return sql_fail_at(p, moff, "expected a nonzero divisor, found '0'");
        if (sql_expect(p, TK_EQ, "'=' (a modulo term reads col % m = r)") ||
            sql_int(p, "an integer remainder", &t->mod_r, NULL))
            return -1;
        break;
    }
    case TK_IDENT:
        if (sql_is_kw(p, "IN")) {
            t->kind = PT_IN;
            sql_lex(p);
            if (sql_expect(p, TK_LPAREN, "'(' after IN"))
                return -1;
            do {
                if (t->nin == PRED_IN_MAX)
                    return sql_expected(p, "')' (at most " SQL_STR(PRED_IN_MAX)
                                        " values in IN (...))", NULL);
                if (sql_term_lit(p, only_col, &t->in[t->nin], t->nin ? NULL : &lp))
                    return -1;
                t->nin++;
            } while (sql_accept(p, TK_COMMA));
            if (sql_expect(p, TK_RPAREN, "',' or ')'"))
                return -1;
            break;
        }
        if (sql_is_kw(p, "BETWEEN"))
            return sql_expected_hint(p, "an operator (=, !=, <>, <, <=, >, >=, % or IN)", NULL,
                                     "write col >= a AND col <= b");
        /* fall through */
    default:
        return sql_expected(p, "an operator (=, !=, <>, <, <=, >, >=, % or IN)", NULL);
    }
    t->lit_line = lp.line;
    t->lit_col = lp.col;
    return 0;
}

/* term { AND term }. only_col: the one column a CHECK may name, NULL in a WHERE. */
static int sql_pred(sql_parser *p, pred **out, const char *only_col)
{
    pred *pr = pred_new();
    pred_term t;
    if (!pr)
        return sql_oom(p);
    for (;;) {
        if (sql_term(p, &t, only_col))
            goto fail;
        if (pred_add(pr, &t)) {
            sql_oom(p);
            goto fail;
        }
        if (sql_accept_kw(p, "AND"))
            continue;
        if (sql_is_kw(p, "OR")) {
            sql_fail_at(p, p->tok.off, "OR is not supported; use IN (...) or separate statements");
            goto fail;
        }
        break;
    }
    *out = pr;
    return 0;
fail:
    pred_free(pr);
    return -1;
}

/* [WHERE pred] */
static int sql_where(sql_parser *p, sql_stmt *s)
{
    if (!sql_accept_kw(p, "WHERE"))
        return 0;
    return sql_pred(p, &s->where, NULL);
}

/* [;] end of line. */
static int sql_end(sql_parser *p, const char *what, const char *const *kws)
{
    if (sql_accept(p, TK_SEMI)) {
        if (p->tok.kind == TK_END)
            return 0;
        return sql_expected_hint(p, "end of statement", NULL, "one statement per line");
    }
    if (p->tok.kind == TK_END)
        return 0;
    return sql_expected(p, what, kws);
}

static int sql_end_after_where(sql_parser *p, const sql_stmt *s)
{
    static const char *const kws[] = { "WHERE", "AND", NULL };
    return sql_end(p, s->where ? "AND or end of statement" : "end of statement", kws);
}

/* ---- statements -------------------------------------------------------------------------- */

/* A level's name, word by word against iso_levels[] (sql.h): at each word the candidates
 * still possible say what was expected ("UNCOMMITTED or COMMITTED" after READ). */
static int sql_level(sql_parser *p, iso_level *l)
{
    const iso_level_info *cand[8];
    size_t nc = 0;
    for (size_t i = 0; iso_level_at(i) && nc < 8; i++)
        cand[nc++] = iso_level_at(i);
    for (size_t depth = 0;; depth++) {
        /* The word each candidate has at this depth. */
        char words[8][24], what[160] = "";
        const char *kws[9] = { NULL };
        size_t nw = 0, o = 0;
        for (size_t c = 0; c < nc; c++) {
            const char *w = cand[c]->name;
            for (size_t d = 0; d < depth && w; d++)
                w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL;
            if (!w) {   /* a whole name matched */
                *l = cand[c]->level;
                return 0;
            }
            snprintf(words[c], sizeof words[c], "%.*s", (int)strcspn(w, " "), w);
            bool seen = false;
            for (size_t k = 0; k < nw && !seen; k++)
                seen = strcmp(kws[k], words[c]) == 0;
            if (!seen)
                kws[nw++] = words[c];
        }
        if (depth == 0) {
            for (size_t c = 0; c < nc; c++)
                o += (size_t)snprintf(what + o, sizeof what - o, "%s%s", c == 0 ? "" : c + 1 == nc ? " or " : ", ",
                                      cand[c]->name);
        } else {
            for (size_t k = 0; k < nw; k++)
                o += (size_t)snprintf(what + o, sizeof what - o, "%s%s", k == 0 ? "" : k + 1 == nw ? " or " : ", ",
                                      kws[k]);
        }
        size_t keep = 0;
        for (size_t c = 0; c < nc; c++)
            if (sql_is_kw(p, words[c]))
                cand[keep++] = cand[c];
        if (keep == 0)
            return sql_expected(p, what, kws);
        nc = keep;
        sql_lex(p);
    }
}

/* [ISOLATION LEVEL lvl] end, after BEGIN [TRANSACTION|WORK] or START TRANSACTION. */
static int sql_begin_rest(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_BEGIN;
    if (sql_accept_kw(p, "ISOLATION")) {
        if (sql_expect_kw(p, "LEVEL") || sql_level(p, &s->level))
            return -1;
        return sql_end(p, "end of statement", NULL);
    }
    static const char *const kws[] = { "ISOLATION", "TRANSACTION", NULL };
    return sql_end(p, "ISOLATION LEVEL or end of statement", kws);
}

static int sql_set(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_SET_LEVEL;
    if (sql_accept_kw(p, "SESSION")) {
        s->session_wide = true;
        if (sql_expect_kw(p, "CHARACTERISTICS") || sql_expect_kw(p, "AS") ||
            sql_expect_kw(p, "TRANSACTION"))
            return -1;
    } else if (!sql_accept_kw(p, "TRANSACTION")) {
        static const char *const kws[] = { "TRANSACTION", "SESSION", NULL };
        return sql_expected(p, "TRANSACTION or SESSION CHARACTERISTICS", kws);
    }
    if (sql_expect_kw(p, "ISOLATION") || sql_expect_kw(p, "LEVEL") || sql_level(p, &s->level))
        return -1;
    return sql_end(p, "end of statement", NULL);
}

static int sql_commit_or_rollback(sql_parser *p, sql_stmt *s, sql_kind kind)
{
    s->kind = kind;
    if (!sql_accept_kw(p, "WORK"))
        sql_accept_kw(p, "TRANSACTION");
    return sql_end(p, "end of statement", NULL);
}

/* CHECK's "(pred)", folded into s->check (a column CHECK and a table CHECK both hold). */
static int sql_check(sql_parser *p, sql_stmt *s)
{
    pred *c = NULL;
    if (sql_expect(p, TK_LPAREN, "'(' after CHECK") || sql_pred(p, &c, s->valcol))
        return -1;
    if (sql_expect(p, TK_RPAREN, "AND or ')'")) {
        pred_free(c);
        return -1;
    }
    if (!s->check) {
        s->check = c;
        return 0;
    }
    for (int i = 0; i < c->nterms; i++) {
        if (pred_add(s->check, &c->terms[i])) {
            pred_free(c);
            return sql_oom(p);
        }
    }
    pred_free(c);
    return 0;
}

static const char *const sql_two_columns =
    "a table has exactly two columns: a primary key and one INT column";

static int sql_create(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_CREATE;
    if (sql_expect_kw(p, "TABLE"))
        return -1;
    if (sql_accept_kw(p, "IF")) {
        if (sql_expect_kw(p, "NOT") || sql_expect_kw(p, "EXISTS"))
            return -1;
        s->if_not_exists = true;
    }
    if (sql_name(p, "a table name", s->table, &s->table_pos) ||
        sql_expect(p, TK_LPAREN, "'(' and the column definitions") ||
        sql_name(p, "a column name", s->keycol, NULL))
        return -1;

    static const char *const types[] = { "INT", "TEXT", "INTEGER", NULL };
    if (sql_accept_kw(p, "INT") || sql_accept_kw(p, "INTEGER"))
        s->keytype = SC_INT;
    else if (sql_accept_kw(p, "TEXT"))
        s->keytype = SC_TEXT;
    else
        return sql_expected(p, "INT or TEXT", types);
    if (!sql_is_kw(p, "PRIMARY")) {
        static const char *const kws[] = { "PRIMARY", NULL };
        return sql_expected_hint(p, "PRIMARY KEY", kws, "the first column is the primary key");
    }
    sql_lex(p);
    if (sql_expect_kw(p, "KEY"))
        return -1;
    if (p->tok.kind == TK_RPAREN)
        return sql_expected_hint(p, "',' and the INT column", NULL, sql_two_columns);
    if (sql_expect(p, TK_COMMA, "','"))
        return -1;

    size_t valoff = p->tok.off;
    if (sql_name(p, "a column name", s->valcol, NULL))
        return -1;
    if (strcasecmp(s->valcol, s->keycol) == 0)
        return sql_fail_at(p, valoff, "expected a column name other than '%s', found '%s'",
                           s->keycol, s->valcol);
    if (!sql_accept_kw(p, "INT") && !sql_accept_kw(p, "INTEGER")) {
        static const char *const kws[] = { "INT", "INTEGER", NULL };
        return sql_expected_hint(p, "INT", kws, "the second column holds integers");
    }
    if (sql_accept_kw(p, "CHECK") && sql_check(p, s))
        return -1;
    while (sql_accept(p, TK_COMMA)) {
        if (sql_accept_kw(p, "CHECK")) {
            if (sql_check(p, s))
                return -1;
        } else if (p->tok.kind == TK_IDENT && !sql_is_kw(p, "CONSTRAINT")) {
            return sql_fail_at(p, p->tok.off, "%s", sql_two_columns);
        } else {
            static const char *const kws[] = { "CHECK", NULL };
            return sql_expected(p, "CHECK", kws);
        }
    }
    if (!sql_accept(p, TK_RPAREN)) {
        static const char *const kws[] = { "CHECK", NULL };
        if (sql_is_kw(p, "PRIMARY"))
            return sql_expected_hint(p, "CHECK, ',' or ')'", NULL,
                                     "only the first column is the primary key");
        return sql_expected(p, s->check ? "',' or ')'" : "CHECK, ',' or ')'", kws);
    }
    return sql_end(p, "end of statement", NULL);
}

static int sql_insert(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_INSERT;
    if (sql_expect_kw(p, "INTO") || sql_name(p, "a table name", s->table, &s->table_pos))
        return -1;
    if (sql_accept(p, TK_LPAREN)) {
        if (sql_name(p, "a column name", s->cols[0], &s->col_pos[0]) ||
            sql_expect(p, TK_COMMA, "',' and the second column (an INSERT names both)") ||
            sql_name(p, "a column name", s->cols[1], &s->col_pos[1]))
            return -1;
        if (!sql_accept(p, TK_RPAREN))
            return sql_expected_hint(p, "')'", NULL,
                                     p->tok.kind == TK_COMMA ? sql_two_columns : NULL);
        s->ncols = 2;
    }
    if (sql_expect_kw(p, "VALUES"))
        return -1;
    int cap = 0;
    do {
        if (s->nrows == SQL_ROWS_MAX)
            return sql_expected(p, "end of statement (at most " SQL_STR(SQL_ROWS_MAX)
                                " rows in one INSERT)", NULL);
        if (s->nrows == cap) {
            int ncap = cap ? cap * 2 : 4;
            if (ncap > SQL_ROWS_MAX)
                ncap = SQL_ROWS_MAX;
            sql_row *r = realloc(s->rows, (size_t)ncap * sizeof *r);
            if (!r)
                return sql_oom(p);
            s->rows = r;
            cap = ncap;
        }
        sql_row *row = &s->rows[s->nrows];
        memset(row, 0, sizeof *row);
        if (sql_expect(p, TK_LPAREN, "'(' and a row (key, value)") ||
            sql_lit(p, &row->key, &row->key_pos) ||
            sql_expect(p, TK_COMMA, "',' and the row's value (a row is (key, value))") ||
            sql_int(p, "an integer (the second column is INT)", &row->value, &row->value_pos))
            return -1;
        if (!sql_accept(p, TK_RPAREN))
            return sql_expected_hint(p, "')'", NULL, p->tok.kind == TK_COMMA ?
                                     "a row has exactly two values: (key, value)" : NULL);
        s->nrows++;
    } while (sql_accept(p, TK_COMMA));
    return sql_end(p, "',' or end of statement", NULL);
}

static int sql_select(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_SELECT;
    if (sql_accept(p, TK_STAR)) {
        s->sel = SEL_ROWS;
    } else if (sql_accept_kw(p, "COUNT")) {
        s->sel = SEL_COUNT;
        if (sql_expect(p, TK_LPAREN, "'('") ||
            sql_expect(p, TK_STAR, "'*' (only COUNT(*) is supported)") ||
            sql_expect(p, TK_RPAREN, "')'"))
            return -1;
    } else if (sql_accept_kw(p, "SUM")) {
        s->sel = SEL_SUM;
        if (sql_expect(p, TK_LPAREN, "'('") ||
            sql_name(p, "a column name", s->sumcol, &s->sumcol_pos) ||
            sql_expect(p, TK_RPAREN, "')'"))
            return -1;
    } else {
        static const char *const kws[] = { "COUNT", "SUM", NULL };
        return sql_expected(p, "*, COUNT(*) or SUM(column)", kws);
    }
    if (sql_expect_kw(p, "FROM") || sql_name(p, "a table name", s->table, &s->table_pos) ||
        sql_where(p, s))
        return -1;
    if (sql_is_kw(p, "FOR")) {
        if (s->sel != SEL_ROWS)
            return sql_expected_hint(p, "end of statement", NULL,
                                     "FOR UPDATE only goes with SELECT *");
        sql_lex(p);
        if (sql_expect_kw(p, "UPDATE"))
            return -1;
        s->for_update = true;
        return sql_end(p, "end of statement", NULL);
    }
    static const char *const kws[] = { "WHERE", "AND", "FOR", NULL };
    return sql_end(p, s->where ? "AND or end of statement" : "end of statement", kws);
}

static int sql_update(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_UPDATE;
    if (sql_name(p, "a table name", s->table, &s->table_pos) || sql_expect_kw(p, "SET") ||
        sql_name(p, "a column name", s->setcol, &s->setcol_pos) ||
        sql_expect(p, TK_EQ, "'='"))
        return -1;
    static const char *const want = "an integer, or column + integer, or column - integer";
    if (p->tok.kind == TK_INT || p->tok.kind == TK_MINUS) {
        s->upd = UPD_SET;
        if (sql_int(p, "an integer", &s->operand, NULL))
            return -1;
    } else if (p->tok.kind == TK_IDENT && !sql_is_reserved(p)) {
        if (sql_name(p, "a column name", s->setsrc, &s->setsrc_pos))
            return -1;
        if (sql_accept(p, TK_PLUS))
            s->upd = UPD_ADD;
        else if (sql_accept(p, TK_MINUS))
            s->upd = UPD_SUB;
        else
            return sql_expected(p, "'+' or '-'", NULL);
        if (sql_int(p, "an integer", &s->operand, NULL))
            return -1;
    } else {
        return sql_expected(p, want, NULL);
    }
    if (sql_where(p, s))
        return -1;
    return sql_end_after_where(p, s);
}

static int sql_delete(sql_parser *p, sql_stmt *s)
{
    s->kind = SQL_DELETE;
    if (sql_expect_kw(p, "FROM") || sql_name(p, "a table name", s->table, &s->table_pos) ||
        sql_where(p, s))
        return -1;
    return sql_end_after_where(p, s);
}

#define SQL_STATEMENTS "SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, ROLLBACK, SET or CREATE"

static int sql_statement(sql_parser *p, sql_stmt *s)
{
    static const char *const starts[] = {
        "SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "START", "COMMIT", "ROLLBACK",
        "ABORT", "SET", "CREATE", NULL
    };
    s->pos = sql_here(p);
    if (sql_accept_kw(p, "SELECT"))
        return sql_select(p, s);
    if (sql_accept_kw(p, "INSERT"))
        return sql_insert(p, s);
    if (sql_accept_kw(p, "UPDATE"))
        return sql_update(p, s);
    if (sql_accept_kw(p, "DELETE"))
        return sql_delete(p, s);
    if (sql_accept_kw(p, "CREATE"))
        return sql_create(p, s);
    if (sql_accept_kw(p, "BEGIN")) {
        if (!sql_accept_kw(p, "TRANSACTION"))
            sql_accept_kw(p, "WORK");
        return sql_begin_rest(p, s);
    }
    if (sql_accept_kw(p, "START")) {
        if (sql_expect_kw(p, "TRANSACTION"))
            return -1;
        return sql_begin_rest(p, s);
    }
    if (sql_accept_kw(p, "SET"))
        return sql_set(p, s);
    if (sql_accept_kw(p, "COMMIT"))
        return sql_commit_or_rollback(p, s, SQL_COMMIT);
    if (sql_accept_kw(p, "ROLLBACK") || sql_accept_kw(p, "ABORT"))
        return sql_commit_or_rollback(p, s, SQL_ROLLBACK);

    if (p->tok.kind == TK_IDENT) {
        char found[SQL_FOUND_MAX];
        sql_show_tok(p, found, sizeof found);
        const char *near = sql_near_keyword(p, starts);
        if (near)
            return sql_fail_at(p, p->tok.off, "unknown statement %s; expected " SQL_STATEMENTS
                               " (did you mean %s?)", found, near);
        return sql_fail_at(p, p->tok.off, "unknown statement %s; expected " SQL_STATEMENTS, found);
    }
    return sql_expected(p, "a statement (" SQL_STATEMENTS ")", NULL);
}

/* ---- public ------------------------------------------------------------------------------ */

int sql_parse(const char *text, int line, int col, sql_stmt *out, sql_error *err)
{
    sql_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    memset(out, 0, sizeof *out);
    sql_parser p;
    memset(&p, 0, sizeof p);
    p.text = text ? text : "";
    p.line = line;
    p.col = col;
    p.err = err;
    sql_lex(&p);
    if (sql_statement(&p, out) == 0)
        return 0;
    sql_free(out);
    memset(out, 0, sizeof *out);
    return -1;
}

void sql_free(sql_stmt *s)
{
    if (!s)
        return;
    pred_free(s->where);
    pred_free(s->check);
    free(s->rows);
    s->where = NULL;
    s->check = NULL;
    s->rows = NULL;
    s->nrows = 0;
}

/* Performance: by hand rather than with snprintf (putbuf.h); acid_submit formats every
 * statement it is given. */
static void sql_put_where(putbuf *w, const pred *p)
{
    if (!p || p->nterms == 0)
        return;
    pb_mem(w, " WHERE ", 7);
    pred_put(w, p);
}

int sql_format(const sql_stmt *s, char *buf, size_t n)
{
    putbuf w = pb_make(buf, n);
    switch (s->kind) {
    case SQL_CREATE:
        pb_str(&w, "CREATE TABLE ");
        if (s->if_not_exists)
            pb_str(&w, "IF NOT EXISTS ");
        pb_str(&w, s->table);
        pb_str(&w, " (");
        pb_str(&w, s->keycol);
        pb_char(&w, ' ');
        pb_str(&w, s->keytype == SC_TEXT ? "TEXT" : "INT");
        pb_str(&w, " PRIMARY KEY, ");
        pb_str(&w, s->valcol);
        pb_str(&w, " INT");
        if (s->check && s->check->nterms) {
            pb_str(&w, " CHECK (");
            pred_put(&w, s->check);
            pb_char(&w, ')');
        }
        pb_char(&w, ')');
        break;
    case SQL_INSERT:
        pb_str(&w, "INSERT INTO ");
        pb_str(&w, s->table);
        if (s->ncols == 2) {
            pb_str(&w, " (");
            pb_str(&w, s->cols[0]);
            pb_str(&w, ", ");
            pb_str(&w, s->cols[1]);
            pb_char(&w, ')');
        }
        pb_str(&w, " VALUES");
        for (int i = 0; i < s->nrows; i++) {
            pb_str(&w, i ? ", (" : " (");
            scalar_put(&w, &s->rows[i].key, true);
            pb_str(&w, ", ");
            pb_i64(&w, s->rows[i].value);
            pb_char(&w, ')');
        }
        break;
    case SQL_SELECT:
        if (s->sel == SEL_COUNT) {
            pb_str(&w, "SELECT COUNT(*) FROM ");
        } else if (s->sel == SEL_SUM) {
            pb_str(&w, "SELECT SUM(");
            pb_str(&w, s->sumcol);
            pb_str(&w, ") FROM ");
        } else {
            pb_str(&w, "SELECT * FROM ");
        }
        pb_str(&w, s->table);
        sql_put_where(&w, s->where);
        if (s->for_update)
            pb_str(&w, " FOR UPDATE");
        break;
    case SQL_UPDATE:
        pb_str(&w, "UPDATE ");
        pb_str(&w, s->table);
        pb_str(&w, " SET ");
        pb_str(&w, s->setcol);
        pb_str(&w, " = ");
        if (s->upd == UPD_SET) {
            pb_i64(&w, s->operand);
        } else {
            pb_str(&w, s->setsrc[0] ? s->setsrc : s->setcol);
            pb_str(&w, s->upd == UPD_ADD ? " + " : " - ");
            pb_i64(&w, s->operand);
        }
        sql_put_where(&w, s->where);
        break;
    case SQL_DELETE:
        pb_str(&w, "DELETE FROM ");
        pb_str(&w, s->table);
        sql_put_where(&w, s->where);
        break;
    case SQL_BEGIN:
        pb_str(&w, "BEGIN");
        if (s->level != ISO_NONE) {
            pb_str(&w, " ISOLATION LEVEL ");
            pb_str(&w, iso_name(s->level));
        }
        break;
    case SQL_SET_LEVEL:
        pb_str(&w, s->session_wide ? "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                                   : "SET TRANSACTION ISOLATION LEVEL ");
        pb_str(&w, iso_name(s->level));
        break;
    case SQL_COMMIT:
        pb_str(&w, "COMMIT");
        break;
    case SQL_ROLLBACK:
        pb_str(&w, "ROLLBACK");
        break;
    default:
        pb_char(&w, '?');
        break;
    }
    return pb_end(&w);
}

static const iso_level_info iso_levels[] = {
    { ISO_RU, "READ UNCOMMITTED", "RU" },
    { ISO_RC, "READ COMMITTED", "RC" },
    { ISO_RR, "REPEATABLE READ", "RR" },
    { ISO_SER, "SERIALIZABLE", "SER" },
};

const iso_level_info *iso_level_at(size_t i)
{
    return i < sizeof iso_levels / sizeof *iso_levels ? &iso_levels[i] : NULL;
}

/* ISO_NONE (no level given) has no name: both return "" for it. */
const char *iso_name(iso_level l)
{
    for (size_t i = 0; iso_level_at(i); i++)
        if (iso_levels[i].level == l)
            return iso_levels[i].name;
    return "";
}

const char *iso_short(iso_level l)
{
    for (size_t i = 0; iso_level_at(i); i++)
        if (iso_levels[i].level == l)
            return iso_levels[i].short_name;
    return "";
}

/* Does s start with name, word for word (any run of blanks between words)? *used: bytes. */
static bool iso_match(const char *s, const char *name, size_t *used)
{
    size_t i = 0;
    for (const char *w = name; *w;) {
        size_t len = strcspn(w, " ");
        if (strncasecmp(s + i, w, len) != 0)
            return false;
        i += len;
        w += len;
        if (*w == ' ') {
            if (s[i] != ' ' && s[i] != '\t')
                return false;
            while (s[i] == ' ' || s[i] == '\t')
                i++;
            w++;
        }
    }
    if (isalnum((unsigned char)s[i]) || s[i] == '_')
        return false;
    *used = i;
    return true;
}

iso_level iso_parse(const char *s, bool shorts, size_t *used)
{
    for (size_t i = 0; iso_level_at(i); i++)
        if (iso_match(s, iso_levels[i].name, used) || (shorts && iso_match(s, iso_levels[i].short_name, used)))
            return iso_levels[i].level;
    *used = 0;
    return ISO_NONE;
}
