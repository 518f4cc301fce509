/*
 * scenario.c: parses one line of the scenario language (assets/doc/scenarios.md is the contract)
 * into a scn_line. It is the front door for every input of the lab: scripts, the TUI's
 * recorded actions, lessons and traces all pass through here.
 *
 * A line is read in three steps:
 *   1. Cut: a trailing newline/CR is dropped, the comment is cut off at the first '#'
 *      outside quotes, and surrounding white space is trimmed. A quote opens a quoted
 *      stretch only when it does not follow a letter or digit and has a matching close
 *      quote later on the line, so the apostrophes of narration ("T2's update", "don't")
 *      neither open a quote nor hide the comment that follows them.
 *   2. Head: `expect` starts an assertion; otherwise the first word, followed by ':', is
 *      the actor (T1..T9, n1..n9, name@nK) or the area (setup, engine, cluster, net, run,
 *      say). SQL after `T1:` and `setup:` goes to sql_parse with its absolute column.
 *   3. Body: a small hand-written recursive descent per area, one token of lookahead.
 *
 * Invariants:
 *   1. A line that is accepted is syntactically complete: every number is in range,
 *      every replica is n1..n9, every session T1..T9; nothing trails the last token.
 *   2. A rejected line owns no memory (the SQL parse is always the last step), and its
 *      error is at the 1-based column of the offending token. Columns count characters
 *      (UTF-8 sequences and tabs count as one), as the SQL parser does, so the two agree.
 *   3. Errors read "expected X, found Y", Y being the token quoted ('foo', shortened
 *      when long) or "end of line".
 *
 * The language's words (areas, directives, client operations, expectations) come from the
 * one table in grammar.c: a keyword is recognised by looking it up there, and the lists in
 * "expected X, Y or Z" are the table's. What follows a keyword is read here.
 *
 * Deliberately not done here: anything that needs the runtime (does table t exist, is
 * n5 a replica of a 3-replica cluster, is G3 an anomaly name the checker knows). The
 * parser keeps the column of those parts (scn_expect.word_col, sql positions) so that
 * the runner can point at them. Known limit: a client whose name is a keyword of
 * `expect` (table) cannot be the subject of `expect <client> read`.
 */
#include "scenario.h"
#include "grammar.h"
#include "common/arith.h"
#include "common/text.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCN_STR_(x) #x
#define SCN_STR(x) SCN_STR_(x)

/* Longest token text quoted in an error message, in bytes. */
#define SCN_SHOW_MAX 40

/* Characters that end a bare word (and are tokens of their own), per context. */
enum {
    D_BAR = 1,      /* |              net: partition */
    D_ARROW = 2,    /* ->             net: cut a -> b */
    D_PUNCT = 4,    /* { } , :        rows literals */
    D_CMP = 8,      /* = == >= <= < > expect stale-reads */
    D_EQ = 16,      /* =              expect n2 key = v */
    D_COLON = 32,   /* :              the head of a line */
};

typedef struct scn_tok {
    size_t off, len;            /* text[off, off + len); len 0 at end of line */
} scn_tok;

typedef struct scn_p {
    const char *s;              /* the line cut at its comment and right-trimmed */
    size_t n;                   /* strlen(s) */
    size_t at;                  /* cursor */
    int line;
    scn_error *err;
} scn_p;

/* ---- characters and columns ------------------------------------------------------------ */

static bool scn_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool scn_quote(char c)
{
    return c == '\'' || c == '"';
}

/* Offset of the comment's '#' in s[0, n), or n when there is none. */
static size_t scn_comment_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '#')
            return i;
        if (scn_quote(c) && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            const char *close = memchr(s + i + 1, c, n - i - 1);
            if (close)
                i = (size_t)(close - s);
        }
    }
    return n;
}

/* 1-based column of s[off]: characters, not bytes. */
static int scn_col(const scn_p *p, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off && i < p->n; i++)
        if (((unsigned char)p->s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* ---- errors ------------------------------------------------------------------------------ */

static void scn_show(const scn_p *p, scn_tok t, char *buf, size_t n)
{
    if (t.len == 0) {
        snprintf(buf, n, "end of line");
        return;
    }
    const char *s = p->s + t.off;
    size_t len = t.len;
    bool cut = len > SCN_SHOW_MAX;
    if (cut) {
        len = SCN_SHOW_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    snprintf(buf, n, "'%.*s%s'", (int)len, s, cut ? "..." : "");
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int scn_fail(scn_p *p, size_t off, const char *fmt, ...)
{
    p->err->line = p->line;
    p->err->col = scn_col(p, off);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int scn_expected(scn_p *p, scn_tok t, const char *what)
{
    char found[SCN_SHOW_MAX + 16];
    scn_show(p, t, found, sizeof found);
    return scn_fail(p, t.off, "expected %s, found %s", what, found);
}

/* ---- tokens ------------------------------------------------------------------------------ */

/* Whether a delimiter of set d starts at s[i]; *len is its length. */
static bool scn_delim_at(const scn_p *p, size_t i, unsigned d, size_t *len)
{
    char c = p->s[i], c2 = p->s[i + 1];     /* s is NUL-terminated: c2 is safe to read */
    *len = 1;
    if ((d & D_BAR) && c == '|')
        return true;
    if ((d & D_ARROW) && c == '-' && c2 == '>') {
        *len = 2;
        return true;
    }
    if ((d & D_PUNCT) && (c == '{' || c == '}' || c == ',' || c == ':'))
        return true;
    if ((d & D_CMP) && (c == '=' || c == '<' || c == '>')) {
        *len = c2 == '=' ? 2 : 1;
        return true;
    }
    if ((d & D_EQ) && c == '=')
        return true;
    if ((d & D_COLON) && c == ':')
        return true;
    return false;
}

static size_t scn_skip(const scn_p *p, size_t i)
{
    while (i < p->n && scn_space(p->s[i]))
        i++;
    return i;
}

/* The next token without taking it: a delimiter of d, or a run of anything else that
 * is not white space. */
static scn_tok scn_peek(const scn_p *p, unsigned d)
{
    size_t i = scn_skip(p, p->at), dl;
    scn_tok t = { i, 0 };
    if (i >= p->n)
        return t;
    if (scn_delim_at(p, i, d, &dl)) {
        t.len = dl;
        return t;
    }
    size_t j = i;
    while (j < p->n && !scn_space(p->s[j]) && !scn_delim_at(p, j, d, &dl))
        j++;
    t.len = j - i;
    return t;
}

static void scn_take(scn_p *p, scn_tok t)
{
    p->at = t.off + t.len;
}

static scn_tok scn_next(scn_p *p, unsigned d)
{
    scn_tok t = scn_peek(p, d);
    scn_take(p, t);
    return t;
}

/* Case-insensitive keyword match. */
static bool scn_is(const scn_p *p, scn_tok t, const char *kw)
{
    size_t n = strlen(kw);
    return t.len == n && strncasecmp(p->s + t.off, kw, n) == 0;
}

static bool scn_is_char(const scn_p *p, scn_tok t, char c)
{
    return t.len == 1 && p->s[t.off] == c;
}

static int scn_end(scn_p *p)
{
    scn_tok t = scn_peek(p, 0);
    return t.len ? scn_expected(p, t, "end of line") : 0;
}

/* s[0, len) as [-]digits; false when it is not one or does not fit in 64 bits. */
static bool scn_digits(const char *s, size_t len, bool *neg, uint64_t *mag)
{
    size_t i = 0;
    *neg = false;
    if (len > 0 && s[0] == '-') {
        *neg = true;
        i = 1;
    }
    if (i == len)
        return false;
    uint64_t m = 0;
    for (; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (m > (UINT64_MAX - d) / 10)
            return false;
        m = m * 10 + d;
    }
    *mag = m;
    return true;
}

/* An integer in [lo, hi]; anything else is "expected <what>, found <t>". */
static int scn_number(scn_p *p, scn_tok t, int64_t lo, int64_t hi, const char *what, int64_t *v)
{
    bool neg;
    uint64_t m;
    if (!scn_digits(p->s + t.off, t.len, &neg, &m) || (neg && lo >= 0))
        return scn_expected(p, t, what);
    int64_t x;
    if (neg) {
        if (m > (uint64_t)INT64_MAX + 1)
            return scn_expected(p, t, what);
        x = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX)
            return scn_expected(p, t, what);
        x = (int64_t)m;
    }
    if (x < lo || x > hi)
        return scn_expected(p, t, what);
    *v = x;
    return 0;
}

/* [Tt] or [Nn] followed by digits only. */
static bool scn_is_numbered(const scn_p *p, scn_tok t, char letter)
{
    const char *s = p->s + t.off;
    if (t.len < 2 || tolower((unsigned char)s[0]) != letter)
        return false;
    for (size_t i = 1; i < t.len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* The k of a numbered token known to be [TtNn]digits, or 0 when it is not 1..9. */
static int scn_number_of(const scn_p *p, scn_tok t)
{
    char c = p->s[t.off + 1];
    return t.len == 2 && c >= '1' && c <= '9' ? c - '0' : 0;
}

static int scn_replica(scn_p *p, scn_tok t, int *k)
{
    if (!scn_is_numbered(p, t, 'n'))
        return scn_expected(p, t, "a replica (n1..n9)");
    if (!(*k = scn_number_of(p, t)))
        return scn_fail(p, t.off, "replicas are n1 to n9");
    return 0;
}

static int scn_session(scn_p *p, scn_tok t, int *k)
{
    if (!(*k = scn_number_of(p, t)))
        return scn_fail(p, t.off, "sessions are T1 to T9");
    return 0;
}

/* A client name: [A-Za-z_][A-Za-z0-9_-]*, at most 31 bytes. */
static bool scn_client_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > 31 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* s[0, len) is exactly one quoted string: unquote it into dst (a doubled quote stands for
 * itself). *total is the unquoted length, which may exceed cap - 1 (dst is then cut). */
static bool scn_unquote(const char *s, size_t len, char *dst, size_t cap, size_t *total)
{
    if (len < 2 || !scn_quote(s[0]))
        return false;
    char q = s[0];
    size_t k = 0, i = 1;
    for (;;) {
        if (i >= len)
            return false;
        if (s[i] == q) {
            if (i + 1 < len && s[i + 1] == q)
                i++;
            else
                break;
        }
        if (k + 1 < cap)
            dst[k] = s[i];
        k++;
        i++;
    }
    if (i != len - 1)
        return false;
    dst[k + 1 < cap ? k : cap - 1] = '\0';
    *total = k;
    return true;
}

/* "a key" -> "key", "an element" -> "element": the noun of a what, for length errors. */
static const char *scn_noun(const char *what)
{
    const char *sp = strchr(what, ' ');
    return sp ? sp + 1 : what;
}

/* A key or value: a bare word (up to white space or a delimiter of d) or a quoted
 * '...' / "...". Copies the text, unquoted, into dst[cap]; *tok is what was read. */
static int scn_text(scn_p *p, unsigned d, const char *what, char *dst, size_t cap, scn_tok *tok,
                    bool *quoted)
{
    size_t i = scn_skip(p, p->at);
    *quoted = false;
    if (i < p->n && scn_quote(p->s[i])) {
        char q = p->s[i];
        size_t j = i + 1;
        for (;;) {      /* find the closing quote; a doubled quote stands for itself */
            if (j >= p->n)
                return scn_fail(p, i, "unterminated text: expected a closing quote (%c), "
                                "found end of line", q);
            if (p->s[j] == q) {
                if (p->s[j + 1] != q)
                    break;
                j++;
            }
            j++;
        }
        tok->off = i;
        tok->len = j + 1 - i;
        size_t total = 0;
        scn_unquote(p->s + i, tok->len, dst, cap, &total);
        if (total >= cap)
            return scn_fail(p, i, "%s longer than %zu bytes", scn_noun(what),
                            cap - 1);
        *quoted = true;
        scn_take(p, *tok);
        return 0;
    }
    scn_tok t = scn_peek(p, d);
    size_t dl;
    if (t.len == 0 || scn_delim_at(p, t.off, d, &dl))
        return scn_expected(p, t, what);
    if (t.len >= cap)
        return scn_fail(p, t.off, "%s longer than %zu bytes", scn_noun(what),
                        cap - 1);
    memcpy(dst, p->s + t.off, t.len);
    dst[t.len] = '\0';
    *tok = t;
    scn_take(p, t);
    return 0;
}

/* on | off */
static int scn_on_off(scn_p *p, bool *on)
{
    scn_tok t = scn_next(p, 0);
    if (scn_is(p, t, "on"))
        *on = true;
    else if (scn_is(p, t, "off"))
        *on = false;
    else
        return scn_expected(p, t, "on or off");
    return scn_end(p);
}

/* ---- directives (grammar.h) ------------------------------------------------------------------ */

/* The directive of area at the cursor, one word or two (sync full, crash torn), taken from
 * the grammar's table; what (NULL for none) names the kind in the error message. */
static int scn_directive(scn_p *p, scn_kind area, const char *what, const gram_entry **out)
{
    scn_tok t = scn_next(p, 0);
    const gram_entry *g = gram_find(G_DIRECTIVE, area, GS_NONE, p->s + t.off, t.len);
    char list[400], msg[480];
    if (!g) {
        gram_list(G_DIRECTIVE, area, GS_NONE, what ? ", " : " or ", list, sizeof list);
        if (what)
            snprintf(msg, sizeof msg, "%s (%s)", what, list);
        return scn_expected(p, t, what ? msg : list);
    }
    if (!strchr(g->words, ' ')) {
        /* A one-word directive that a two-word one extends (crash, crash torn) takes its
         * second word when it is there. */
        scn_tok m = scn_peek(p, 0);
        const gram_entry *g2 = m.len ? gram_find2(G_DIRECTIVE, area, g->words, strlen(g->words), p->s + m.off, m.len)
                                     : NULL;
        if (g2) {
            scn_take(p, m);
            g = g2;
        } else if (m.len) {
            /* When some entry extends g, say what may follow it. */
            size_t o = 0, k = 0;
            list[0] = 0;
            for (size_t i = 0; gram_at(i); i++) {
                const gram_entry *e = gram_at(i);
                size_t fl = strcspn(e->words, " ");
                if (e->cls == G_DIRECTIVE && e->area == area && fl == strlen(g->words) &&
                    strncasecmp(e->words, g->words, fl) == 0 && e->words[fl] == ' ') {
                    o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", k++ ? ", " : "", e->words + fl + 1);
                }
            }
            if (k) {
                snprintf(msg, sizeof msg, "%s or end of line after %s", list, g->words);
                return scn_expected(p, m, msg);
            }
        }
        *out = g;
        return 0;
    }
    /* The first word is shared (sync full, sync off, sync group <n>): the second picks. */
    scn_tok m = scn_next(p, 0);
    size_t fl = strcspn(g->words, " ");
    const gram_entry *g2 = gram_find2(G_DIRECTIVE, area, g->words, fl, p->s + m.off, m.len);
    if (!g2) {
        size_t o = 0, k = 0, n = 0;
        for (size_t i = 0; gram_at(i); i++) {
            const gram_entry *e = gram_at(i);
            n += e->cls == G_DIRECTIVE && e->area == area && strncasecmp(e->words, g->words, fl) == 0 &&
                 e->words[fl] == ' ';
        }
        list[0] = 0;
        for (size_t i = 0; gram_at(i); i++) {
            const gram_entry *e = gram_at(i);
            if (e->cls == G_DIRECTIVE && e->area == area && strncasecmp(e->words, g->words, fl) == 0 &&
                e->words[fl] == ' ') {
                k++;
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s%s%s", k == 1 ? "" : k == n ? " or " : ", ",
                                      e->words + fl + 1, e->args[0] ? " " : "", e->args);
            }
        }
        return scn_expected(p, m, list);
    }
    *out = g2;
    return 0;
}

/* ---- engine: ------------------------------------------------------------------------------- */

static int scn_engine_line(scn_p *p, scn_line *out)
{
    const gram_entry *g;
    int64_t v;
    if (scn_directive(p, SL_ENGINE, "an engine directive", &g))
        return -1;
    out->eng = (scn_engine)g->code;
    if (out->eng == ENG_SYNC_GROUP) {
        scn_tok t = scn_next(p, 0);
        if (scn_number(p, t, 1, INT_MAX, "a number of commits (1 or more) after group", &v))
            return -1;
        /* Each of the nine sessions has at most one commit waiting: a bigger group never
         * fills, and its commits would wait for ever (engine.h, E5). */
        if (v > 9)
            return scn_fail(p, t.off, "a group of %" PRId64 " commits can never fill: there are 9 sessions (T1 to T9), "
                            "each with at most one commit waiting (give 1 to 9; real engines bound the wait by time "
                            "instead: PostgreSQL's commit_delay, MySQL's binlog_group_commit_sync_delay)", v);
        out->eng_n = (int)v;
        out->n = v;
    } else if (out->eng == ENG_FRAMES) {
        if (scn_number(p, scn_next(p, 0), 2, 64, "a number of buffer frames (2 to 64)", &v))
            return -1;
        out->eng_n = (int)v;
        out->n = v;
    }
    return scn_end(p);
}

/* ---- cluster: ------------------------------------------------------------------------------ */

static int scn_cluster_line(scn_p *p, scn_line *out)
{
    const gram_entry *g;
    if (scn_directive(p, SL_CLUSTER, "a cluster setting", &g))
        return -1;
    out->cluster = (scn_cluster)g->code;
    switch (out->cluster) {
    case CL_REPLICAS: {
        scn_tok v = scn_next(p, 0);
        if (scn_number(p, v, 0, INT64_MAX, "a number of replicas (1 to 9)", &out->n))
            return -1;
        if (out->n < 1 || out->n > 9)
            return scn_fail(p, v.off, "replicas must be 1 to 9");
        break;
    }
    case CL_RESOLVE: {
        scn_tok v = scn_next(p, 0);
        if (scn_is(p, v, "lww"))
            out->resolve = RESOLVE_LWW;
        else if (scn_is(p, v, "siblings"))
            out->resolve = RESOLVE_SIBLINGS;
        else if (scn_is(p, v, "crdt"))
            out->resolve = RESOLVE_CRDT;
        else
            return scn_expected(p, v, "lww, siblings or crdt");
        break;
    }
    case CL_SEED: {
        /* A uint64; n keeps its bits, (uint64_t)n gives it back. */
        scn_tok v = scn_next(p, 0);
        bool neg;
        uint64_t m;
        if (!scn_digits(p->s + v.off, v.len, &neg, &m) || neg)
            return scn_expected(p, v, "a seed (an integer, 0 or more)");
        out->n = (int64_t)m;
        break;
    }
    case CL_GOSSIP:
    case CL_READ_REPAIR:
    case CL_HINTED_HANDOFF:
        return scn_on_off(p, &out->on);
    case CL_GOSSIP_INTERVAL:
        if (scn_number(p, scn_next(p, 0), 1, INT64_MAX, "a number of ticks (1 or more)", &out->n))
            return -1;
        break;
    case CL_TOMBSTONE_GRACE:
    case CL_TIMEOUT:
        if (scn_number(p, scn_next(p, 0), 0, INT64_MAX, "a number of ticks (0 or more)", &out->n))
            return -1;
        break;
    case CL_SKEW:
        if (scn_replica(p, scn_next(p, 0), &out->node))
            return -1;
        if (scn_number(p, scn_next(p, 0), INT64_MIN, INT64_MAX,
                       "a clock skew in ticks (may be negative)", &out->n))
            return -1;
        break;
    case CL_CLOCK: {
        /* LWW timestamps from each replica's clock, or from hybrid logical clocks. */
        scn_tok v = scn_next(p, 0);
        if (scn_is(p, v, "hlc"))
            out->on = true;
        else if (scn_is(p, v, "wall"))
            out->on = false;
        else
            return scn_expected(p, v, "wall or hlc");
        break;
    }
    }
    return scn_end(p);
}

/* ---- net: ----------------------------------------------------------------------------------- */

/* Two different replicas of a link; with oneway, "a -> b" is also accepted. */
static int scn_link(scn_p *p, scn_line *out, bool arrow_ok)
{
    unsigned d = arrow_ok ? D_ARROW : 0;
    if (scn_replica(p, scn_next(p, d), &out->a))
        return -1;
    scn_tok t = scn_next(p, d);
    if (arrow_ok && t.len == 2 && p->s[t.off] == '-' && p->s[t.off + 1] == '>') {
        out->net = NET_CUT_ONEWAY;
        t = scn_next(p, d);
    }
    if (scn_replica(p, t, &out->b))
        return -1;
    if (out->a == out->b) {
        char what[48];
        snprintf(what, sizeof what, "a replica other than n%d", out->a);
        return scn_expected(p, t, what);
    }
    return 0;
}

static int scn_partition(scn_p *p, scn_line *out, scn_tok kw)
{
    uint16_t seen = 0, cur = 0;
    for (;;) {
        scn_tok t = scn_next(p, D_BAR);
        if (t.len == 0 || scn_is_char(p, t, '|')) {
            if (cur == 0)
                return scn_expected(p, t, "a replica (n1..n9)");
            out->groups[out->ngroups++] = cur;
            cur = 0;
            if (t.len == 0)
                break;
            continue;
        }
        int k;
        if (scn_replica(p, t, &k))
            return -1;
        uint16_t bit = (uint16_t)(1u << (k - 1));
        if (cur & bit)
            return scn_fail(p, t.off, "n%d is named twice in the same group", k);
        if (seen & bit)
            return scn_fail(p, t.off, "n%d is already in another group; a replica can be in "
                            "at most one", k);
        seen |= bit;
        cur |= bit;
    }
    if (out->ngroups < 2)
        return scn_fail(p, kw.off, "a partition needs two or more groups separated by '|'");
    return 0;
}

static int scn_net_line(scn_p *p, scn_line *out)
{
    const gram_entry *g;
    scn_tok kw = scn_peek(p, 0);
    if (scn_directive(p, SL_NET, "a net directive", &g))
        return -1;
    out->net = (scn_net)g->code;
    switch (out->net) {
    case NET_CUT:
    case NET_CUT_ONEWAY:
        if (scn_link(p, out, true))
            return -1;
        break;
    case NET_PARTITION:
        return scn_partition(p, out, kw);
    case NET_HEAL:
        if (scn_peek(p, 0).len && scn_link(p, out, false))
            return -1;
        break;
    case NET_DELAY:
    case NET_LOSS: {
        bool loss = out->net == NET_LOSS;
        if (scn_is_numbered(p, scn_peek(p, 0), 'n') && scn_link(p, out, false))
            return -1;
        if (scn_number(p, scn_next(p, 0), 0, loss ? 100 : INT64_MAX,
                       loss ? "a loss percentage (0 to 100)" : "a delay in ticks (0 or more)",
                       &out->n))
            return -1;
        break;
    }
    case NET_DOWN:
    case NET_UP:
        if (scn_replica(p, scn_next(p, 0), &out->a))
            return -1;
        out->node = out->a;
        break;
    }
    return scn_end(p);
}

/* ---- run: ------------------------------------------------------------------------------------ */

static int scn_run_line(scn_p *p, scn_line *out)
{
    const gram_entry *g;
    if (scn_directive(p, SL_RUN, NULL, &g))
        return -1;
    out->run = (scn_run)g->code;
    /* Bounded (SCN_RUN_MAX): one line is at most seconds of work, so a typo or a hostile
     * trace cannot keep `run`, `grade` or the lab busy for hours. */
    const char *what = out->run == RUN_TICK ? "a number of ticks (0 to 1000000) or end of line"
                     : out->run == RUN_GOSSIP ? "a number of rounds (0 to 1000000) or end of line"
                                              : "a maximum number of ticks (0 to 1000000) or end of line";
    scn_tok v = scn_next(p, 0);
    if (v.len && scn_number(p, v, 0, SCN_RUN_MAX, what, &out->n))
        return -1;
    return scn_end(p);
}

/* ---- client statements ------------------------------------------------------------------------ */

/* Whether a bare word starts with W= or R= (a quorum, not a key or value). */
static bool scn_is_quorum(const scn_p *p, scn_tok t)
{
    const char *s = p->s + t.off;
    char c = (char)toupper((unsigned char)s[0]);
    return t.len >= 2 && (c == 'W' || c == 'R') && s[1] == '=';
}

/* Whether a bare word starts with id= (a write's request id). */
static bool scn_is_rid(const scn_p *p, scn_tok t)
{
    return t.len >= 3 && strncasecmp(p->s + t.off, "id=", 3) == 0;
}

/* W=... or R=... in token t (known to be one, scn_is_quorum). */
static int scn_quorum_tok(scn_p *p, scn_tok t, scn_base_stmt *b, bool read)
{
    const char *want = read ? "R=ONE, R=QUORUM, R=ALL or R=<k>" : "W=ONE, W=QUORUM, W=ALL or W=<k>";
    char what[128];
    if ((toupper((unsigned char)p->s[t.off]) == 'W') == read) {
        snprintf(what, sizeof what, "%s (%s)", want,
                 read ? "W= is for writes" : "R= is for GET");
        return scn_expected(p, t, what);
    }
    snprintf(what, sizeof what, "ONE, QUORUM, ALL or a number of replicas (1 or more) after %c=",
             read ? 'R' : 'W');
    scn_tok lv = { t.off + 2, t.len - 2 };
    if (lv.len == 0)
        return scn_expected(p, t, what);
    int64_t k;
    if (scn_is(p, lv, "one")) {
        b->q = Q_ONE;
    } else if (scn_is(p, lv, "quorum")) {
        b->q = Q_QUORUM;
    } else if (scn_is(p, lv, "all")) {
        b->q = Q_ALL;
    } else if (scn_number(p, lv, 1, INT_MAX, what, &k) == 0) {
        b->q = Q_NUM;
        b->qn = (int)k;
    } else {
        return -1;
    }
    return 0;
}

/* id=<request id> in token t (known to start with id=): letters, digits, '_', '-', '.' and
 * ':', 1 to 23 of them. */
static int scn_rid_tok(scn_p *p, scn_tok t, scn_base_stmt *b)
{
    static const char what[] = "a request id after id= (letters, digits, '_', '-', '.' or ':', at most 23)";
    scn_tok v = { t.off + 3, t.len - 3 };
    if (v.len == 0 || v.len >= sizeof b->rid)
        return scn_expected(p, v.len ? v : t, what);
    for (size_t i = 0; i < v.len; i++) {
        char c = p->s[v.off + i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.' && c != ':')
            return scn_expected(p, v, what);
    }
    memcpy(b->rid, p->s + v.off, v.len);
    b->rid[v.len] = '\0';
    return 0;
}

/* What may follow a client statement: W= (writes) or R= (GET), and id= (writes), each at
 * most once, in either order. */
static int scn_quorum_arg(scn_p *p, scn_base_stmt *b, bool read)
{
    bool have_q = false, have_id = false;
    for (;;) {
        scn_tok t = scn_next(p, 0);
        if (t.len == 0)
            return 0;
        char what[160];
        if (scn_is_quorum(p, t) && !have_q) {
            if (scn_quorum_tok(p, t, b, read))
                return -1;
            have_q = true;
            continue;
        }
        if (scn_is_rid(p, t) && !have_id && !read) {
            if (scn_rid_tok(p, t, b))
                return -1;
            have_id = true;
            continue;
        }
        if (read)
            snprintf(what, sizeof what, "%s%s", have_q ? "end of line" : "R=ONE, R=QUORUM, R=ALL or R=<k> or end of line",
                     scn_is_rid(p, t) ? " (id= is for writes)" : "");
        else if (have_q && have_id)
            snprintf(what, sizeof what, "end of line");
        else if (have_q)
            snprintf(what, sizeof what, "id=<request id> or end of line");
        else if (have_id)
            snprintf(what, sizeof what, "W=ONE, W=QUORUM, W=ALL or W=<k> or end of line");
        else
            snprintf(what, sizeof what, "W=ONE, W=QUORUM, W=ALL or W=<k>, id=<request id> or end of line");
        return scn_expected(p, t, what);
    }
}

static int scn_client_line(scn_p *p, scn_line *out)
{
    scn_base_stmt *b = &out->base;
    scn_tok t = scn_next(p, 0);
    const gram_entry *g = gram_find(G_STATEMENT, SL_CLIENT, GS_NONE, p->s + t.off, t.len);
    if (!g) {
        char list[160];
        gram_list(G_STATEMENT, SL_CLIENT, GS_NONE, " or ", list, sizeof list);
        return scn_expected(p, t, list);
    }
    b->op = (scn_base_op)g->code;

    scn_tok k;
    bool quoted;
    if (!scn_peek(p, 0).len || scn_is_quorum(p, scn_peek(p, 0)))
        return scn_expected(p, scn_peek(p, 0), "a key");
    if (scn_text(p, 0, "a key", b->key, sizeof b->key, &k, &quoted))
        return -1;
    if (!b->key[0])
        return scn_expected(p, k, "a key");

    if (b->op == BOP_PUT || b->op == BOP_ADD || b->op == BOP_REMOVE) {
        const char *what = b->op == BOP_PUT ? "a value" : "an element";
        scn_tok v = scn_peek(p, 0);
        if (!v.len || scn_is_quorum(p, v))
            return scn_expected(p, v, what);
        if (scn_text(p, 0, what, b->value, sizeof b->value, &v, &quoted))
            return -1;
    } else if (b->op == BOP_INCR) {
        if (scn_number(p, scn_next(p, 0), INT64_MIN, INT64_MAX, "an integer amount", &b->n))
            return -1;
    }
    return scn_quorum_arg(p, b, b->op == BOP_GET);
}

/* ---- expect ----------------------------------------------------------------------------------- */

/* {k:v, ...} up to the end of the line. */
static int scn_rows(scn_p *p, scn_expect *ex)
{
    scn_tok t = scn_next(p, D_PUNCT);
    if (!scn_is_char(p, t, '{'))
        return scn_expected(p, t, "'{' to open the rows ({1:10, 2:20}, or {} for none)");
    if (scn_is_char(p, scn_peek(p, D_PUNCT), '}')) {
        scn_next(p, D_PUNCT);
        return scn_end(p);
    }
    for (;;) {
        scn_tok k;
        bool quoted;
        if (ex->nrows == SCN_ROWS_MAX)
            return scn_fail(p, scn_skip(p, p->at), "too many rows (at most %d)", SCN_ROWS_MAX);
        scn_row *r = &ex->rows[ex->nrows];
        if (scn_text(p, D_PUNCT, "a key", r->key, sizeof r->key, &k, &quoted))
            return -1;
        if (!r->key[0])
            return scn_expected(p, k, "a key");
        for (int i = 0; i < ex->nrows; i++)
            if (strcmp(ex->rows[i].key, r->key) == 0)
                return scn_fail(p, k.off, "key %s appears twice in the rows", r->key);
        t = scn_next(p, D_PUNCT);
        if (!scn_is_char(p, t, ':'))
            return scn_expected(p, t, "':' after the key");
        if (scn_number(p, scn_next(p, D_PUNCT), INT64_MIN, INT64_MAX, "an integer value",
                       &r->value))
            return -1;
        ex->nrows++;
        t = scn_next(p, D_PUNCT);
        if (scn_is_char(p, t, '}'))
            break;
        if (!scn_is_char(p, t, ','))
            return scn_expected(p, t, "',' or '}'");
    }
    return scn_end(p);
}

/* The rest of the line as an error code: letters, digits, '-' and spaces; lower-cased,
 * each run of spaces becoming one '-' ("no transaction" -> "no-transaction"). */
static int scn_error_word(scn_p *p, scn_expect *ex)
{
    size_t i = scn_skip(p, p->at), k = 0;
    if (i >= p->n)
        return scn_expected(p, scn_peek(p, 0), "an error name (deadlock, check, duplicate, ...)");
    ex->word_col = scn_col(p, i);
    bool gap = false;
    for (; i < p->n; i++) {
        char c = p->s[i];
        if (scn_space(c)) {
            gap = true;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-') {
            size_t b = i, j = i;
            while (b > 0 && !scn_space(p->s[b - 1]))
                b--;
            while (j < p->n && !scn_space(p->s[j]))
                j++;
            scn_tok bad = { b, j - b };
            return scn_expected(p, bad, "an error name (letters, digits and '-')");
        }
        if (k + 2 >= sizeof ex->word)
            return scn_fail(p, i, "error name longer than %zu characters", sizeof ex->word - 1);
        if (gap)
            ex->word[k++] = '-';
        gap = false;
        ex->word[k++] = (char)tolower((unsigned char)c);
    }
    ex->word[k] = '\0';
    /* A SQLSTATE stands for its error's name: `error 22003` is `error out-of-range`. */
    const char *alias = arith_error_alias(ex->word);
    if (alias != ex->word)
        snprintf(ex->word, sizeof ex->word, "%s", alias);
    p->at = p->n;
    return 0;
}

/* An anomaly name, kept as written: letters, digits, '-' and '_'. */
static int scn_anomaly_name(scn_p *p, scn_expect *ex, bool optional)
{
    static const char what[] = "an anomaly name (G0, G1a, G1b, G1c, G-single, G2-item, G2, "
                               "dirty-read, lost-update, ...)";
    scn_tok t = scn_next(p, 0);
    if (t.len == 0 && optional)
        return 0;
    if (t.len == 0 || t.len >= sizeof ex->word)
        return scn_expected(p, t, what);
    for (size_t i = 0; i < t.len; i++) {
        char c = p->s[t.off + i];
        if (!isalnum((unsigned char)c) && c != '-' && c != '_')
            return scn_expected(p, t, what);
    }
    memcpy(ex->word, p->s + t.off, t.len);
    ex->word[t.len] = '\0';
    ex->word_col = scn_col(p, t.off);
    return scn_end(p);
}

/* "= <value>" or "absent" to the end of the line, for EX_STORES and EX_READ. The value is
 * kept as written (trimmed), unquoted when it is a single quoted string. */
static int scn_expect_value(scn_p *p, scn_expect *ex, const char *after)
{
    scn_tok t = scn_peek(p, D_EQ);
    if (scn_is(p, t, "absent")) {
        scn_take(p, t);
        ex->absent = true;
        return scn_end(p);
    }
    if (!scn_is_char(p, t, '=')) {
        char what[96];
        snprintf(what, sizeof what, "'=' <value> or absent after %s", after);
        return scn_expected(p, t, what);
    }
    scn_take(p, t);
    size_t i = scn_skip(p, p->at), len = p->n - i, total;
    if (len == 0)
        return scn_expected(p, scn_peek(p, 0), "a value after '='");
    if (!scn_unquote(p->s + i, len, ex->text, sizeof ex->text, &total)) {
        if (len >= sizeof ex->text)
            return scn_fail(p, i, "value longer than %zu bytes", sizeof ex->text - 1);
        memcpy(ex->text, p->s + i, len);
        ex->text[len] = '\0';
    } else if (total >= sizeof ex->text) {
        return scn_fail(p, i, "value longer than %zu bytes", sizeof ex->text - 1);
    }
    p->at = p->n;
    return 0;
}

/* expect nK read|write|<key> ... */
static int scn_expect_node(scn_p *p, scn_expect *ex, scn_tok w)
{
    if (scn_replica(p, w, &ex->node))
        return -1;
    ex->word_col = scn_col(p, w.off);
    scn_tok t = scn_peek(p, D_EQ);
    const gram_entry *g = gram_find(G_EXPECT, SL_EXPECT, GS_REPLICA, p->s + t.off, t.len);
    if (g && g->code == EX_READ) {
        scn_take(p, t);
        ex->kind = EX_READ;
        return scn_expect_value(p, ex, "read");
    }
    if (g && g->code == EX_WRITE) {
        scn_take(p, t);
        ex->kind = EX_WRITE;
        t = scn_next(p, 0);
        if (scn_is(p, t, "ok"))
            strcpy(ex->word, "ok");
        else if (scn_is(p, t, "unavailable"))
            strcpy(ex->word, "unavailable");
        else if (scn_is(p, t, "refused"))
            strcpy(ex->word, "refused");
        else if (scn_is(p, t, "retried"))
            strcpy(ex->word, "retried");
        else
            return scn_expected(p, t, "ok, unavailable, refused or retried after write");
        return scn_end(p);
    }
    if (g && g->code == EX_REPAIRED) {
        /* "repaired by ...": a key named repaired is still checked as `expect n2 repaired = v` */
        scn_p save = *p;
        scn_take(p, t);
        scn_tok b = scn_next(p, 0);
        if (scn_is(p, b, "by")) {
            ex->kind = EX_REPAIRED;
            scn_tok h = scn_next(p, 0);
            ex->word_col = scn_col(p, h.off);
            if (scn_is(p, h, "hint"))
                strcpy(ex->word, "hint");
            else if (scn_is(p, h, "read-repair"))
                strcpy(ex->word, "read-repair");
            else if (scn_is(p, h, "gossip"))
                strcpy(ex->word, "gossip");
            else
                return scn_expected(p, h, "hint, read-repair or gossip after repaired by");
            return scn_end(p);
        }
        *p = save;
    }
    if (g && g->code == EX_REPLY_FROM) {
        /* "reply from nA ...": a key named reply is still checked as `expect n2 reply = v` */
        scn_p save = *p;
        scn_take(p, t);
        scn_tok f = scn_next(p, 0);
        if (scn_is(p, f, "from")) {
            ex->kind = EX_REPLY_FROM;
            ex->value = 0;
            for (;;) {
                scn_tok r = scn_next(p, 0);
                if (r.len == 0 && ex->value)
                    return 0;
                int k;
                if (r.len == 0)
                    return scn_expected(p, r, "a replica (n1..n9) after from");
                if (scn_replica(p, r, &k))
                    return -1;
                ex->value |= (int64_t)1 << k;
            }
        }
        *p = save;
    }
    ex->kind = EX_STORES;
    scn_tok k;
    bool quoted;
    if (t.len == 0 || scn_is_char(p, t, '='))
        return scn_expected(p, t, "read, write or a key");
    if (scn_text(p, D_EQ, "a key", ex->key, sizeof ex->key, &k, &quoted))
        return -1;
    if (!ex->key[0])
        return scn_expected(p, k, "a key");
    char after[96];
    snprintf(after, sizeof after, "the key %.*s", (int)(k.len > 40 ? 40 : k.len), p->s + k.off);
    return scn_expect_value(p, ex, after);
}

/* expect Tk state|rows|value|error ... */
static int scn_expect_session(scn_p *p, scn_expect *ex, scn_tok w)
{
    if (scn_session(p, w, &ex->session))
        return -1;
    scn_tok t = scn_next(p, D_PUNCT);
    ex->word_col = scn_col(p, t.off);
    const gram_entry *g = gram_find(G_EXPECT, SL_EXPECT, GS_SESSION, p->s + t.off, t.len);
    switch (g ? g->code : 0) {
    case EX_STATE:
        ex->kind = EX_STATE;
        ex->state = (scn_state)g->sub;
        return scn_end(p);
    case EX_ROWS:
        ex->kind = EX_ROWS;
        return scn_rows(p, ex);
    case EX_VALUE:
        ex->kind = EX_VALUE;
        if (scn_number(p, scn_next(p, 0), INT64_MIN, INT64_MAX, "an integer after value",
                       &ex->value))
            return -1;
        return scn_end(p);
    case EX_ERROR:
        ex->kind = EX_ERROR;
        return scn_error_word(p, ex);
    case EX_VICTIM:
    case EX_RETRIED:
    case EX_CRASHED:
        ex->kind = (scn_expect_kind)g->code;
        return scn_end(p);
    case EX_OVERLAPPED: {
        ex->kind = EX_OVERLAPPED;
        scn_tok o = scn_next(p, 0);
        if (!scn_is_numbered(p, o, 't'))
            return scn_expected(p, o, "a session (T1..T9) after overlapped");
        if (scn_session(p, o, &ex->other))
            return -1;
        if (ex->other == ex->session)
            return scn_fail(p, o.off, "a session always overlaps itself: name another one");
        return scn_end(p);
    }
    case EX_WAITED: {
        ex->kind = EX_WAITED;
        scn_tok f = scn_next(p, 0);
        if (f.len == 0)
            return 0;
        if (!scn_is(p, f, "for"))
            return scn_expected(p, f, "for T<k> or end of line after waited");
        scn_tok o = scn_next(p, 0);
        if (!scn_is_numbered(p, o, 't'))
            return scn_expected(p, o, "a session (T1..T9) after waited for");
        if (scn_session(p, o, &ex->other))
            return -1;
        if (ex->other == ex->session)
            return scn_fail(p, o.off, "a session never waits for itself: name another one");
        return scn_end(p);
    }
    case EX_LEVEL: {
        /* The rest of the line names a level: READ COMMITTED, or RC (sql.h's table). */
        ex->kind = EX_LEVEL;
        size_t at = scn_skip(p, p->at), used;
        iso_level lv = iso_parse(p->s + at, true, &used);
        if (lv != ISO_NONE && scn_skip(p, at + used) == p->n) {
            ex->value = lv;
            p->at = p->n;
            return 0;
        }
        char levels[160] = "";
        size_t o = 0;
        for (size_t i = 0; iso_level_at(i); i++)
            o += (size_t)snprintf(levels + o, sizeof levels - o, "%s%s", i ? ", " : "", iso_level_at(i)->name);
        char what[200];
        snprintf(what, sizeof what, "a level (%s) after level", levels);
        return scn_expected(p, scn_peek(p, 0), what);
    }
    default: {
        /* "a state (blocked, ...), rows, value, error or level after T2", from the table. */
        char states[160] = "", what[400];
        const char *others[16];
        size_t o = 0, k = 0;
        for (size_t i = 0; gram_at(i); i++) {
            const gram_entry *e = gram_at(i);
            if (e->cls != G_EXPECT || e->subject != GS_SESSION)
                continue;
            if (e->code == EX_STATE)
                o += (size_t)snprintf(states + o, sizeof states - o, "%s%s", o ? ", " : "", e->words);
            else if (k < 16)
                others[k++] = e->words;
        }
        o = (size_t)snprintf(what, sizeof what, "a state (%s)", states);
        for (size_t i = 0; i < k; i++)
            o += (size_t)snprintf(what + o, sizeof what - o, "%s%s", i + 1 == k ? " or " : ", ", others[i]);
        snprintf(what + o, sizeof what - o, " after T%d", ex->session);
        return scn_expected(p, t, what);
    }
    }
}

static int scn_expect_line(scn_p *p, scn_line *out);

/* The rest of the line is an assertion, as after `expect` (a prediction's, or the one
 * `expect predicted` names): parsed to check it, and kept as its words with blanks
 * collapsed in ex->claim, which is how a prediction and `expect predicted` are matched. */
static int scn_claim(scn_p *p, scn_expect *ex, const char *after)
{
    size_t at = scn_skip(p, p->at);
    if (at >= p->n) {
        char what[96];
        snprintf(what, sizeof what, "an assertion after %s (T2 blocked, n1 read = 5, ...)", after);
        return scn_expected(p, scn_peek(p, 0), what);
    }
    if (p->n - at >= sizeof ex->claim)
        return scn_fail(p, at, "the assertion is longer than %zu bytes", sizeof ex->claim - 1);
    scn_line *inner = calloc(1, sizeof *inner);
    if (!inner)
        return scn_fail(p, at, "out of memory");
    int rc = scn_expect_line(p, inner);
    if (rc == 0 && (inner->ex.kind == EX_PREDICTED))
        rc = scn_fail(p, at, "a prediction is about the run, not about another prediction");
    scn_line_free(inner);
    free(inner);
    if (rc)
        return -1;
    size_t k = 0;
    bool gap = false;
    for (size_t i = at; i < p->n && k + 2 < sizeof ex->claim; i++) {
        if (scn_space(p->s[i])) {
            gap = true;
            continue;
        }
        if (gap && k)
            ex->claim[k++] = ' ';
        gap = false;
        ex->claim[k++] = p->s[i];
    }
    ex->claim[k] = '\0';
    p->at = p->n;
    return 0;
}

static int scn_expect_line(scn_p *p, scn_line *out)
{
    scn_expect *ex = &out->ex;
    scn_tok w = scn_peek(p, D_CMP);
    out->col = scn_col(p, w.off);
    ex->word_col = out->col;
    if (w.len == 0)
        return scn_expected(p, w, "an assertion after expect");
    scn_take(p, w);

    const gram_entry *g = gram_find(G_EXPECT, SL_EXPECT, GS_NONE, p->s + w.off, w.len);
    if (g && g->code == EX_TABLE) {
        ex->kind = EX_TABLE;
        scn_tok t = scn_next(p, D_PUNCT);
        const char *s = p->s + t.off;
        bool ok = t.len > 0 && (isalpha((unsigned char)s[0]) || s[0] == '_');
        for (size_t i = 1; ok && i < t.len; i++)
            ok = isalnum((unsigned char)s[i]) || s[i] == '_';
        if (!ok)
            return scn_expected(p, t, "a table name");
        if (t.len > SQL_NAME_MAX)
            return scn_fail(p, t.off, "table name longer than %d characters", SQL_NAME_MAX);
        memcpy(ex->table, s, t.len);
        ex->table[t.len] = '\0';
        ex->word_col = scn_col(p, t.off);
        return scn_rows(p, ex);
    }

    /* <client> read ...: before the keywords, so a client may be called "no" */
    scn_tok w2 = scn_peek(p, D_EQ);
    const gram_entry *g2 = gram_find(G_EXPECT, SL_EXPECT, GS_CLIENT, p->s + w2.off, w2.len);
    if (g2 && g2->code == EX_READ && !scn_is_numbered(p, w, 'n') &&
        scn_client_name_ok(p->s + w.off, w.len)) {
        ex->kind = EX_READ;
        memcpy(ex->client, p->s + w.off, w.len);
        ex->client[w.len] = '\0';
        scn_take(p, w2);
        return scn_expect_value(p, ex, "read");
    }

    switch (g ? g->code : 0) {
    case EX_DEADLOCK:
    case EX_TORN:
    case EX_CONVERGED:
    case EX_DIVERGED:
    case EX_SETTLED:
        ex->kind = (scn_expect_kind)g->code;
        return scn_end(p);
    case EX_ANOMALY:
        ex->kind = EX_ANOMALY;
        return scn_anomaly_name(p, ex, false);
    case EX_PREDICTED:
        ex->kind = EX_PREDICTED;
        return scn_claim(p, ex, "predicted");
    case EX_NO_ANOMALY: {
        ex->kind = EX_NO_ANOMALY;
        scn_tok t = scn_next(p, 0);
        if (!scn_is(p, t, "anomaly") && !scn_is(p, t, "anomalies"))
            return scn_expected(p, t, "anomaly after no");
        ex->word_col = scn_col(p, t.off);
        return scn_anomaly_name(p, ex, true);
    }
    case EX_STALE_READS: {
        ex->kind = EX_STALE_READS;
        scn_tok t = scn_next(p, D_CMP);
        if (scn_is(p, t, "=") || scn_is(p, t, "=="))
            ex->cmp = CMP_EQ;
        else if (scn_is(p, t, ">="))
            ex->cmp = CMP_GE;
        else if (scn_is(p, t, "<="))
            ex->cmp = CMP_LE;
        else
            return scn_expected(p, t, "=, >= or <= after stale-reads");
        t = scn_next(p, 0);
        ex->word_col = scn_col(p, t.off);
        if (scn_number(p, t, 0, INT64_MAX, "a count (0 or more)", &ex->value))
            return -1;
        return scn_end(p);
    }
    default:
        break;
    }
    if (scn_is_numbered(p, w, 't'))
        return scn_expect_session(p, ex, w);
    if (scn_is_numbered(p, w, 'n'))
        return scn_expect_node(p, ex, w);
    char list[400], what[480];
    gram_list(G_EXPECT, SL_EXPECT, GS_NONE, ", ", list, sizeof list);
    snprintf(what, sizeof what, "an assertion (%s)", list);
    return scn_expected(p, w, what);
}

/* ---- the line --------------------------------------------------------------------------------- */

static int scn_sql(scn_p *p, scn_line *out)
{
    sql_error se;
    if (sql_parse(p->s + p->at, p->line, scn_col(p, p->at), &out->sql, &se) != 0) {
        p->err->line = se.line;
        p->err->col = se.col;
        snprintf(p->err->msg, sizeof p->err->msg, "%s", se.msg);
        return -1;
    }
    out->has_sql = true;
    return 0;
}

static int scn_client_actor(scn_p *p, scn_line *out, scn_tok w, scn_tok colon)
{
    const char *at = memchr(p->s + w.off, '@', w.len);
    scn_tok name = { w.off, (size_t)(at - (p->s + w.off)) };
    scn_tok node = { name.off + name.len + 1, w.len - name.len - 1 };
    if (name.len == 0) {
        scn_tok a = { name.off, 1 };
        return scn_expected(p, a, "a client name before '@'");
    }
    if (!scn_client_name_ok(p->s + name.off, name.len))
        return scn_expected(p, name, "a client name (a letter or '_', then letters, digits, "
                            "'_' or '-'; at most 31) before '@'");
    if (node.len == 0)
        return scn_expected(p, colon, "a replica (n1..n9) after '@'");
    if (scn_replica(p, node, &out->node))
        return -1;
    memcpy(out->client, p->s + name.off, name.len);
    out->client[name.len] = '\0';
    return 0;
}

static int scn_body(scn_p *p, scn_line *out)
{
    scn_tok w = scn_peek(p, D_COLON);
    if (gram_area(p->s + w.off, w.len) == SL_EXPECT) {
        scn_take(p, w);
        scn_tok c = scn_peek(p, D_COLON);
        if (scn_is_char(p, c, ':'))
            scn_take(p, c);
        out->kind = SL_EXPECT;
        return scn_expect_line(p, out);
    }
    scn_take(p, w);
    scn_tok colon = scn_next(p, D_COLON);
    if (scn_is_char(p, w, ':') || !scn_is_char(p, colon, ':')) {
        return scn_expected(p, w, "'<actor>: <statement>' or 'expect ...'");
    }
    out->col = scn_col(p, scn_skip(p, p->at));

    if (memchr(p->s + w.off, '@', w.len)) {
        out->kind = SL_CLIENT;
        if (scn_client_actor(p, out, w, colon))
            return -1;
        return scn_client_line(p, out);
    }
    if (scn_is_numbered(p, w, 't')) {
        out->kind = SL_SQL;
        if (scn_session(p, w, &out->session))
            return -1;
        return scn_sql(p, out);
    }
    if (scn_is_numbered(p, w, 'n')) {
        out->kind = SL_CLIENT;
        if (scn_replica(p, w, &out->node))
            return -1;
        return scn_client_line(p, out);
    }
    switch (gram_area(p->s + w.off, w.len)) {
    case SL_SETUP:
        out->kind = SL_SETUP;
        return scn_sql(p, out);
    case SL_ENGINE:
        out->kind = SL_ENGINE;
        return scn_engine_line(p, out);
    case SL_CLUSTER:
        out->kind = SL_CLUSTER;
        return scn_cluster_line(p, out);
    case SL_NET:
        out->kind = SL_NET;
        return scn_net_line(p, out);
    case SL_RUN:
        out->kind = SL_RUN;
        return scn_run_line(p, out);
    case SL_PREDICT:
        /* What is predicted is judged by the runner after the next step (runner.h). */
        out->kind = SL_PREDICT;
        return scn_claim(p, &out->ex, "predict:");
    case SL_SAY: {
        size_t i = scn_skip(p, p->at);
        out->kind = SL_SAY;
        memmove(out->text, p->s + i, p->n - i + 1);
        return 0;
    }
    default:
        break;
    }
    char shown[SCN_SHOW_MAX + 16], list[200];
    scn_show(p, w, shown, sizeof shown);
    gram_list(G_AREA, 0, GS_NONE, " or ", list, sizeof list);
    return scn_fail(p, w.off, "unknown actor or area %s; expected %s", shown, list);
}

#define SCN_BOM "\xEF\xBB\xBF"

/* The column of byte off in text (characters, as scn_col counts them). */
static int scn_text_col(const char *text, size_t off)
{
    scn_p p = { text, off, 0, 0, NULL };
    return scn_col(&p, off);
}

/* Text no line may hold, wherever it is (even in a comment): bytes that are not UTF-8,
 * and control characters but TAB. They would reach traces as invalid JSON, and screens
 * and reports as escape sequences. */
static int scn_bad_text(const char *text, size_t len, int lineno, scn_error *err)
{
    size_t at = text_utf8_check(text, len);
    if (at < len) {
        err->line = lineno;
        err->col = scn_text_col(text, at);
        snprintf(err->msg, sizeof err->msg, "invalid UTF-8 (byte 0x%02x): a scenario is UTF-8 text",
                 (unsigned char)text[at]);
        return -1;
    }
    at = text_control_at(text, len);
    if (at < len) {
        unsigned cp = (unsigned char)text[at] < 0x80 ? (unsigned char)text[at]
                                                      : (unsigned)((text[at] & 0x1F) << 6 | (text[at + 1] & 0x3F));
        err->line = lineno;
        err->col = scn_text_col(text, at);
        snprintf(err->msg, sizeof err->msg, "a control character (U+%04X) in the line; only TAB is allowed", cp);
        return -1;
    }
    return 0;
}

int scn_read_line(FILE *f, int lineno, char **buf, size_t *cap, scn_error *err)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return 0;
    if (n > 0 && (*buf)[n - 1] == '\n')
        (*buf)[--n] = 0;
    if (n > 0 && (*buf)[n - 1] == '\r')
        (*buf)[--n] = 0;
    if (lineno == 1 && n >= 3 && memcmp(*buf, SCN_BOM, 3) == 0) {
        memmove(*buf, *buf + 3, (size_t)n - 2);
        n -= 3;
    }
    const char *nul = memchr(*buf, 0, (size_t)n);
    if (nul) {
        memset(err, 0, sizeof *err);
        err->line = lineno;
        err->col = scn_text_col(*buf, (size_t)(nul - *buf));
        snprintf(err->msg, sizeof err->msg, "a NUL byte in the line (the text after it would be lost)");
        return -1;
    }
    return 1;
}

int scn_parse_line(const char *text, int lineno, scn_line *out, scn_error *err)
{
    scn_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    memset(out, 0, sizeof *out);
    out->line = lineno;
    out->kind = SL_BLANK;
    out->n = -1;
    out->col = 1;
    if (!text)
        text = "";

    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (lineno == 1 && len >= 3 && memcmp(text, SCN_BOM, 3) == 0) {
        text += 3;                  /* a byte order mark: not part of the text */
        len -= 3;
    }
    if (scn_bad_text(text, len, lineno, err))
        return -1;
    if (len > SCN_LINE_MAX - 1) {
        err->line = lineno;
        err->col = 1;
        snprintf(err->msg, sizeof err->msg, "line too long (at most %d bytes)", SCN_LINE_MAX - 1);
        return -1;
    }
    char buf[SCN_LINE_MAX + 1];     /* one spare NUL: scn_delim_at reads one past a char */
    memcpy(buf, text, len);
    size_t end = scn_comment_at(buf, len);
    while (end > 0 && scn_space(buf[end - 1]))
        end--;
    buf[end] = '\0';
    buf[end + 1] = '\0';

    scn_p p = { buf, end, 0, lineno, err };
    p.at = scn_skip(&p, 0);
    memcpy(out->text, buf + p.at, end - p.at + 1);
    if (p.at == end)
        return 0;
    out->col = scn_col(&p, p.at);
    if (scn_body(&p, out) == 0)
        return 0;
    scn_line_free(out);
    return -1;
}

void scn_line_free(scn_line *l)
{
    if (!l || !l->has_sql)
        return;
    sql_free(&l->sql);
    l->has_sql = false;
}

const char *scn_state_name(scn_state s)
{
    switch (s) {
    case SS_IDLE: return "idle";
    case SS_ACTIVE: return "active";
    case SS_BLOCKED: return "blocked";
    case SS_COMMITTED: return "committed";
    case SS_ABORTED: return "aborted";
    }
    return "?";
}
