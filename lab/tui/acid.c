/*
 * acid.c: the ACID pane. One frame is a picture of the engine as it is now, read from
 * the engine's view (acid/view.h) and the tail of the history, top to bottom:
 *
 *   a header line     the engine's settings (sync mode, frames) and the deadlock count
 *   sessions          one column per session in use: level and state, its statements
 *                     done (with their results), the one it is parked on and what for,
 *                     the ones waiting behind it and the ones still queued in the lab
 *   recovery          after `engine: crash`, until the next statement: the three passes
 *   tables            every row, key = value; a value an open transaction wrote is marked
 *                     with its writer and the committed value it hides
 *   locks             each resource with its holders and its queue, in queue order
 *   waits-for         one edge per waiting transaction; a deadlock's cycle while it is news
 *   log               the last records: LSN, transaction, type, before -> after, fsynced?;
 *                     where a crash cut it, and where a checkpoint cut it and why no further
 *   buffer pool       each frame: page, table, dirty or clean, page LSN, recLSN
 *
 * Small windows drop the buffer pool first, then the log, rather than squeezing every
 * section; wide ones (120 columns and more) put tables beside locks and the log beside the
 * buffer pool.
 *
 * Read-only, strictly. Drawing must not change what the engines do next, or stepping back
 * (a replay without frames in between) would not land where the learner was. The view
 * promises exactly that (view.h, V1): rows come from a cached page without touching the
 * buffer pool's order, or from the data file; which open transaction wrote a row, and the
 * committed value it hides, the engine knows. What the history says (statements and their
 * answers, whether a deadlock or a crash is still news) comes from its last events.
 *
 * Cost: one backward pass over the last SCAN_RECENT ACID events, the lock table once, and
 * the rows that fit.
 */
#include "panes.h"
#include "acid/view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

enum {
    SCAN_RECENT = 4000,    /* ACID events looked at for statements, the crash, the deadlock */
    SCAN_MAX = 100000,     /* events looked at in all (BASE ones are skipped, and counted) */
    DONE_MAX = 24,         /* statements remembered per session */
    QSHOW = 24,            /* queued statements remembered per session */
    APPQ_SCAN = 400,       /* lab queue lines looked at */
    LOG_MAX = 14,          /* log records shown */
    LOCKS_MAX = 128,
    ROWS_LOOK = 300,       /* rows of a table measured for its layout (and every uncommitted one) */
    TABLES_MAX = 64,       /* (the store's limit) */
    COL_MIN = 22,          /* narrowest session column */
    WIDE = 120,            /* from here, sections go side by side */
};

/* --- the model of one frame ------------------------------------------------------------ */

typedef struct done_stmt {
    const char *text, *result, *result2;
    bool failed, skipped, waited;
    int memo_w, memo_h;            /* done_height() at width memo_w, this frame */
} done_stmt;

typedef struct sess {
    bool used;
    acid_state state;
    iso_level level;
    uint64_t txn;
    char label[24];
    done_stmt done[DONE_MAX];      /* newest first */
    int ndone, nearlier;           /* kept, and seen but not kept */
    bool pend;                     /* a result met (scanning backwards) before its statement */
    done_stmt p;
    const char *block_text;        /* the latest STMT_BLOCK's text */
    const char *eq[QSHOW];         /* the engine's queue; eq[0] is parked when blocked */
    int neq, neq_total;
    const char *aq[QSHOW];         /* lines still queued in the lab for this session */
    int naq, naq_total;
    bool next_here;                /* the lab's next step is aq[0] */
    size_t last_ev;                /* 1 + index of its latest event, 0 none seen */
} sess;

/* One table, as the view gives it: its first rows and the uncommitted ones, fetched once. */
typedef struct tab {
    acid_view_table t;
    size_t *unc;                   /* positions of the rows open transactions wrote, ascending */
    size_t nunc;
    acid_view_row *head;           /* rows 0 .. nhead - 1 */
    int nhead;
    acid_view_row *uncr;           /* the rows at unc[] */
} tab;

typedef struct model {
    app *a;
    acid_engine *e;
    hist *h;
    runner_settings set;
    sess s[ACID_SESSIONS + 1];
    int used[ACID_SESSIONS];
    int nused;
    const hist_event *deadlock;    /* the latest, while no statement has started since */
    const hist_event *crash;       /* likewise */
    acid_view_recovery rec;        /* its recovery (when crash is set) */
    tab tabs[TABLES_MAX];
    int ntables;
    acid_view_lock *locks;
    int nlocks, nlocks_total;
    int nwaiting;
    acid_view_rec log[LOG_MAX];    /* newest first */
    int nlog;
    acid_view_log logst;
    acid_view_pool pool;
    acid_view_frame frames[64];
    int nframes;
} model;

/* --- glyphs and text ------------------------------------------------------------------- */

static const char *G_ARROW(const tui_ctx *c) { return tui_glyph(c, "→", "->"); }
static const char *G_ELL(const tui_ctx *c) { return tui_glyph(c, "…", "~"); }

/* Display width; plain ASCII (most of what is drawn) without the multibyte walk. */
static int sw(const char *s)
{
    if (!s)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p >= 0x20 && *p < 0x7f)
        p++;
    return *p ? tui_width(s) : (int)(p - (const unsigned char *)s);
}

/* Copies s into out, cut to at most maxw columns with an ellipsis at the cut. */
static int fit(const tui_ctx *c, char *out, size_t cap, const char *s, int maxw)
{
    out[0] = 0;
    if (maxw <= 0 || !s)
        return 0;
    int full = tui_width(s);
    if (full <= maxw) {
        snprintf(out, cap, "%s", s);
        return full;
    }
    const char *ell = G_ELL(c);
    int room = maxw - tui_width(ell);
    if (room < 0)
        room = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = strlen(s), bytes = 0;
    int cols = 0;
    while (bytes < n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + bytes, n - bytes, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
            break;
        int cw = wcwidth(wc);
        if (cw < 0)
            cw = 0;
        if (cols + cw > room)
            break;
        cols += cw;
        bytes += k;
    }
    if (bytes + strlen(ell) + 1 > cap)
        bytes = cap > strlen(ell) + 1 ? cap - strlen(ell) - 1 : 0;
    memcpy(out, s, bytes);
    snprintf(out + bytes, cap - bytes, "%s", room > 0 || maxw >= tui_width(ell) ? ell : "");
    return tui_width(out);
}

/* Puts s clipped (with an ellipsis) to maxw columns; returns the columns used. */
static int put_fit(const tui_ctx *c, WINDOW *w, int y, int x, int maxw, tui_role r, const char *s)
{
    char buf[1024];
    fit(c, buf, sizeof buf, s, maxw);
    return tui_put(c, w, y, x, maxw, r, "%s", buf);
}

static void vbar(const tui_ctx *c, WINDOW *w, int y, int x, int h)
{
    for (int i = 0; i < h; i++)
        tui_put(c, w, y + i, x, 1, R_BORDER, "%s", tui_glyph(c, "│", "|"));
}

/* A horizontal rule of n columns in one call (tui_hline puts a glyph at a time). */
static void rule(const tui_ctx *c, WINDOW *w, int y, int x, int n)
{
    const char *g = tui_glyph(c, "─", "-");
    char buf[1024];
    size_t gl = strlen(g), o = 0;
    for (int i = 0; i < n && o + gl < sizeof buf; i++, o += gl)
        memcpy(buf + o, g, gl);
    buf[o] = 0;
    if (n > 0)
        tui_put(c, w, y, x, n, R_BORDER, "%s", buf);
}

/* A section heading: name, a dim summary, then a rule to the end of the width. */
static void heading(const tui_ctx *c, WINDOW *w, int y, int x, int wd, const char *name, const char *info)
{
    int u = tui_put(c, w, y, x, wd, R_HEADING, "%s", name);
    if (info && *info && u + 2 < wd)
        u += 2 + put_fit(c, w, y, x + u + 2, wd - u - 2, R_DIM, info);
    if (u + 1 < wd)
        rule(c, w, y, x + u + 1, wd - u - 1);
}

static const char *state_word(acid_state s)
{
    switch (s) {
    case AS_ACTIVE: return "active";
    case AS_BLOCKED: return "blocked";
    case AS_COMMITTED: return "committed";
    case AS_ABORTED: return "aborted";
    default: return "idle";
    }
}

static tui_role state_role(acid_state s)
{
    switch (s) {
    case AS_ACTIVE: return R_NORMAL;
    case AS_BLOCKED: return R_WARN;
    case AS_COMMITTED: return R_OK;
    case AS_ABORTED: return R_BAD;
    default: return R_DIM;
    }
}

static void txn_label(const model *m, uint64_t txn, char *buf, size_t n)
{
    if (!txn)
        snprintf(buf, n, "-");
    else
        acid_txn_label(txn, buf, n, m->e);
}

/* --- statements, shortened to fit ------------------------------------------------------ */

#define TOK_MAX 96

static int tokenize(const char *s, char *buf, size_t cap, const char **tok, int max)
{
    size_t o = 0;
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || n == max || o + 2 >= cap)
            break;
        tok[n++] = buf + o;
        bool quoted = false;
        while (*s && (quoted || (*s != ' ' && *s != '\t')) && o + 2 < cap) {
            if (*s == '\'')
                quoted = !quoted;
            buf[o++] = *s++;
        }
        buf[o++] = 0;
    }
    return n;
}

static bool kw(const char *t, const char *k) { return t && strcasecmp(t, k) == 0; }

static bool is_op(const char *t)
{
    if (!strchr("=<>!+-/%", t[0]) || (t[1] && t[2]))
        return false;
    static const char *const ops[] = { "=", "<", ">", "<=", ">=", "<>", "!=", "+", "-", "/", "%" };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(t, ops[i]) == 0)
            return true;
    return false;
}

/* "READ UNCOMMITTED" at tok[i..]: the short name and how many tokens it takes. */
static const char *level_at(const char **tok, int n, int i, int *used)
{
    *used = 0;
    if (i + 1 < n && kw(tok[i], "READ") && kw(tok[i + 1], "UNCOMMITTED")) { *used = 2; return "RU"; }
    if (i + 1 < n && kw(tok[i], "READ") && kw(tok[i + 1], "COMMITTED")) { *used = 2; return "RC"; }
    if (i + 1 < n && kw(tok[i], "REPEATABLE") && kw(tok[i + 1], "READ")) { *used = 2; return "RR"; }
    if (i < n && kw(tok[i], "SERIALIZABLE")) { *used = 1; return "SER"; }
    return NULL;
}

/*
 * Shorter forms of a statement, level by level:
 *   0 as written (spaces normalised)
 *   1 operators and commas without spaces; "SET LEVEL RU", "BEGIN SER"
 *   2 without the table's name (asked for only when there is one table; else the same as 1)
 *   3 and without UPDATE's SET: "UPDATE accounts balance=balance-100 WHERE id='A'"
 *   4 an UPDATE's "c = c - 100" as "c-100": "UPDATE balance-100 WHERE id='A'"
 *   5 an UPDATE without its SET clause: "UPDATE … id='A'"
 */
#define SHORT_LEVELS 6
static void shorten(const tui_ctx *c, char *out, size_t cap, const char *sql, int level, bool one_table)
{
    char buf[1024];
    const char *tok[TOK_MAX];
    int n = tokenize(sql, buf, sizeof buf, tok, TOK_MAX);
    bool skip[TOK_MAX] = { false };
    const char *repl[TOK_MAX] = { NULL };
    size_t o = 0;
    out[0] = 0;
    if (n == 0)
        return;
    if (level >= 1) {
        int i = 0, used = 0;
        const char *lv = NULL;
        if (kw(tok[0], "SET") && n > 4 && kw(tok[1], "TRANSACTION") && kw(tok[2], "ISOLATION") && kw(tok[3], "LEVEL")
            && (lv = level_at(tok, n, 4, &used))) {
            snprintf(out, cap, "SET LEVEL %s", lv);
            return;
        }
        if (kw(tok[0], "BEGIN")) {
            i = 1;
            if (i < n && kw(tok[i], "TRANSACTION"))
                i++;
            if (i + 2 < n && kw(tok[i], "ISOLATION") && kw(tok[i + 1], "LEVEL") && (lv = level_at(tok, n, i + 2, &used))) {
                snprintf(out, cap, "BEGIN %s", lv);
                return;
            }
        }
    }
    if (level >= 2 && one_table) {
        if (kw(tok[0], "SELECT")) {
            for (int i = 1; i + 1 < n; i++)
                if (kw(tok[i], "FROM")) {
                    skip[i] = skip[i + 1] = true;
                    break;
                }
        } else if (kw(tok[0], "UPDATE") && n > 2) {
            skip[1] = true;
            skip[2] = kw(tok[2], "SET");
        } else if (kw(tok[0], "INSERT") && n > 2 && kw(tok[1], "INTO")) {
            skip[1] = skip[2] = true;
            int i = 3;
            if (i < n && tok[i][0] == '(') {
                while (i < n && tok[i][strlen(tok[i]) - 1] != ')')
                    skip[i++] = true;
                if (i < n)
                    skip[i++] = true;
            }
            if (i < n && kw(tok[i], "VALUES"))
                skip[i] = true;
        } else if (kw(tok[0], "DELETE") && n > 2 && kw(tok[1], "FROM")) {
            skip[1] = skip[2] = true;
        }
    }
    if (level >= 3 && kw(tok[0], "UPDATE") && n > 2 && kw(tok[2], "SET"))
        skip[2] = true;
    if (level >= 4 && kw(tok[0], "UPDATE") && n > 7 && kw(tok[2], "SET") && !strcmp(tok[4], "=")
        && !strcmp(tok[3], tok[5]) && (!strcmp(tok[6], "+") || !strcmp(tok[6], "-"))
        && (n == 8 || kw(tok[8], "WHERE")))
        skip[4] = skip[5] = true;           /* c = c - 100  ->  c-100 */
    if (level >= 5 && kw(tok[0], "UPDATE")) {
        int wi = -1;
        for (int i = 1; i < n; i++)
            if (kw(tok[i], "WHERE")) {
                wi = i;
                break;
            }
        if (wi > 2) {
            for (int i = 2; i <= wi; i++)
                skip[i] = true;
            repl[wi] = G_ELL(c);
            skip[wi] = false;
        }
    }
    const char *prev = NULL;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (skip[i])
            continue;
        const char *t = repl[i] ? repl[i] : tok[i];
        bool space = prev != NULL;
        if (space && level >= 1 && !repl[i] && (is_op(t) || is_op(prev) || prev[strlen(prev) - 1] == ','))
            space = false;
        size_t k = strlen(t);
        if (o + k + 2 > cap)
            break;
        if (space)
            out[o++] = ' ';
        memcpy(out + o, t, k);
        o += k;
        out[o] = 0;
        prev = t;
    }
}

/* The first level at which text and its result fit avail columns. */
static int stmt_level(const tui_ctx *c, const char *text, const char *res, int avail, int ntables, int from,
                      char *s, size_t cap)
{
    int resw = res && *res ? sw(G_ARROW(c)) + 2 + sw(res) : 0;
    int level;
    for (level = from; level < SHORT_LEVELS; level++) {
        shorten(c, s, cap, text, level, ntables == 1);
        if (sw(s) + resw <= avail)
            return level;
    }
    return SHORT_LEVELS - 1;
}

/* One statement on one line: mark, text (as short as it must be, and no less short than
 * min_level, so that a column reads alike), " → result", suffix. */
static void draw_stmt(const tui_ctx *c, WINDOW *w, int y, int x, int wd, const char *mark, tui_role mrole,
                      const char *text, tui_role trole, const char *res, tui_role rrole, const char *suffix,
                      int ntables, int min_level)
{
    if (wd <= 0)
        return;
    int u = 0;
    if (mark) {
        tui_put(c, w, y, x, wd, mrole, "%s", mark);
        u = 2;
    }
    int avail = wd - u;
    if (avail <= 0)
        return;
    const char *arrow = G_ARROW(c);
    int resw = res && *res ? sw(arrow) + 2 + sw(res) : 0;
    char s[1024];
    stmt_level(c, text, res, avail, ntables, min_level, s, sizeof s);
    int tw = sw(s);
    if (tw + resw > avail) {
        /* Still too long: the result comes first, the statement keeps at least a third;
         * when that would cut the statement short, the result gives way. */
        int keep = avail - resw;
        if (keep < (tw < 12 ? tw : 12) && tw <= avail) {
            resw = 0;
            keep = tw;
        }
        if (keep < avail / 3)
            keep = avail / 3;
        if (keep > tw)
            keep = tw;
        char t2[1024];
        fit(c, t2, sizeof t2, s, keep);
        snprintf(s, sizeof s, "%s", t2);
        tw = sw(s);
    }
    tui_put(c, w, y, x + u, avail, trole, "%s", s);
    u += tw;
    if (resw && wd - u > sw(arrow) + 2) {
        u += tui_put(c, w, y, x + u, wd - u, R_DIM, " %s ", arrow);
        u += put_fit(c, w, y, x + u, wd - u, rrole, res);
    }
    if (suffix && wd - u > sw(suffix) + 1)
        tui_put(c, w, y, x + u, wd - u, R_DIM, " %s", suffix);
}

/* Word-wraps s into at most max lines of width wd (the last one cut with an ellipsis). */
static int wrap(const tui_ctx *c, const char *s, int wd, char lines[][256], int max)
{
    int n = 0;
    if (wd < 4 || max <= 0)
        return 0;
    while (*s && n < max) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (n == max - 1 || sw(s) <= wd) {
            fit(c, lines[n++], 256, s, wd);
            break;
        }
        /* The longest prefix of whole words that fits. */
        const char *cut = NULL;
        for (const char *p = s; *p; p++)
            if (*p == ' ') {
                char tmp[256];
                size_t k = (size_t)(p - s) < sizeof tmp - 1 ? (size_t)(p - s) : sizeof tmp - 1;
                memcpy(tmp, s, k);
                tmp[k] = 0;
                if (sw(tmp) > wd)
                    break;
                cut = p;
            }
        if (!cut) {
            fit(c, lines[n++], 256, s, wd);
            break;
        }
        size_t k = (size_t)(cut - s) < 255 ? (size_t)(cut - s) : 255;
        memcpy(lines[n], s, k);
        lines[n++][k] = 0;
        s = cut;
    }
    return n;
}

/* --- gathering ------------------------------------------------------------------------- */

static void push_done(sess *s, const done_stmt *d)
{
    if (s->ndone < DONE_MAX)
        s->done[s->ndone++] = *d;
    else
        s->nearlier++;
}

/* Session statements, the latest deadlock and crash: the recent events. */
static void scan_recent(model *m, const hist_event *ev, bool *invoke_seen)
{
    int k = ev->session;
    sess *s = k >= 1 && k <= ACID_SESSIONS ? &m->s[k] : NULL;
    switch ((hist_kind)ev->kind) {
    case EV_STMT_RETURN:
    case EV_STMT_FAIL:
        if (!s)
            break;
        s->used = true;
        if (s->pend) {           /* an autocommit's second answer (its group commit) */
            s->p.result2 = s->p.result;
            s->p.result = ev->text;
        } else {
            memset(&s->p, 0, sizeof s->p);
            s->pend = true;
            s->p.result = ev->text;
            s->p.failed = ev->kind == EV_STMT_FAIL;
        }
        break;
    case EV_STMT_BLOCK:
        if (!s)
            break;
        if (s->pend)
            s->p.waited = true;
        else if (!s->block_text)
            s->block_text = ev->text;
        break;
    case EV_STMT_INVOKE:
        *invoke_seen = true;
        if (!s)
            break;
        s->used = true;
        if (s->pend) {
            s->p.text = ev->text;
            push_done(s, &s->p);
            s->pend = false;
        }
        break;
    case EV_STMT_SKIP:
        if (!s)
            break;
        s->used = true;
        push_done(s, &(done_stmt){ .text = ev->text, .result = "skipped", .skipped = true });
        break;
    case EV_STMT_QUEUE:
        if (s)
            s->used = true;
        break;
    case EV_DEADLOCK:
        if (!m->deadlock && !*invoke_seen && hist_ntxns(ev) > 0)
            m->deadlock = ev;
        break;
    case EV_CRASH:
        if (!m->crash && !*invoke_seen)
            m->crash = ev;
        break;
    default:
        break;
    }
}

/* A table's first rows and its uncommitted ones. */
static void gather_table(model *m, int i)
{
    tab *t = &m->tabs[i];
    acid_view_table_at(m->e, i, &t->t);
    size_t nunc = acid_view_uncommitted(m->e, i, NULL, 0);
    t->unc = calloc(nunc + 1, sizeof *t->unc);
    t->uncr = calloc(nunc + 1, sizeof *t->uncr);
    size_t nh = t->t.nrows < ROWS_LOOK ? t->t.nrows : ROWS_LOOK;
    t->head = calloc(nh + 1, sizeof *t->head);
    if (!t->unc || !t->uncr || !t->head)
        return;
    t->nunc = acid_view_uncommitted(m->e, i, t->unc, nunc);
    if (t->nunc > nunc)
        t->nunc = nunc;
    int k = acid_view_rows(m->e, i, 0, (int)nh, t->head);
    t->nhead = k > 0 ? k : 0;
    for (size_t j = 0; j < t->nunc; j++)
        if (t->unc[j] < (size_t)t->nhead)
            t->uncr[j] = t->head[t->unc[j]];
        else if (acid_view_rows(m->e, i, t->unc[j], 1, &t->uncr[j]) != 1)
            memset(&t->uncr[j], 0, sizeof t->uncr[j]);
}

static void model_free(model *m)
{
    for (int i = 0; i < m->ntables; i++) {
        free(m->tabs[i].unc);
        free(m->tabs[i].uncr);
        free(m->tabs[i].head);
    }
    free(m->locks);
    free(m);
}

static void gather(model *m, const tui_ctx *c)
{
    m->a = c->a;
    runner *r = app_runner(c->a);
    m->e = runner_acid(r);
    m->h = runner_history(r);
    m->set = runner_settings_of(r);

    for (int k = 1; k <= ACID_SESSIONS; k++) {
        sess *s = &m->s[k];
        s->state = acid_session_state(m->e, k);
        s->txn = acid_session_txn(m->e, k);
        s->level = acid_session_level(m->e, k);
    }

    /* Backwards over the last SCAN_RECENT ACID events (BASE ones skipped). */
    size_t n = hist_count(m->h), acid_seen = 0;
    size_t lo = n > SCAN_MAX ? n - SCAN_MAX : 0;
    bool invoke_seen = false;
    for (size_t i = n; i-- > lo && acid_seen < SCAN_RECENT;) {
        const hist_event *ev = hist_get(m->h, i);
        if (!ev || ev->side != SIDE_ACID)
            continue;
        acid_seen++;
        scan_recent(m, ev, &invoke_seen);
        if (ev->session >= 1 && ev->session <= ACID_SESSIONS && !m->s[ev->session].last_ev)
            m->s[ev->session].last_ev = i + 1;
    }
    if (m->crash && !acid_view_last_recovery(m->e, &m->rec))
        m->crash = NULL;

    /* The engine's queues, and the lab's lines still to run. */
    for (int k = 1; k <= ACID_SESSIONS; k++) {
        sess *s = &m->s[k];
        const char *q[ACID_QUEUE_MAX];
        int nq = acid_session_queue(m->e, k, q, ACID_QUEUE_MAX);
        s->neq_total = nq;
        for (int i = 0; i < nq && i < QSHOW; i++)
            s->eq[s->neq++] = q[i];
        if (s->txn)
            acid_txn_label(s->txn, s->label, sizeof s->label, m->e);
        else
            snprintf(s->label, sizeof s->label, "T%d", k);
    }
    int nq = app_nqueued(c->a);
    bool first_step = true;   /* `next` skips blank and comment lines */
    for (int i = 0; i < nq && i < APPQ_SCAN; i++) {
        const char *line = app_queued(c->a, i);
        if (!line)
            break;
        while (*line == ' ' || *line == '\t')
            line++;
        bool step = *line && *line != '#' && *line != '\n' && *line != '\r';
        bool was_first = first_step && step;
        if (step)
            first_step = false;
        if (line[0] != 'T' || line[1] < '1' || line[1] > '9')
            continue;
        const char *p = line + 2;
        while (*p == ' ')
            p++;
        if (*p != ':')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        sess *s = &m->s[line[1] - '0'];
        if (was_first)
            s->next_here = true;
        if (s->naq < QSHOW)
            s->aq[s->naq++] = p;
        s->naq_total++;
    }

    for (int k = 1; k <= ACID_SESSIONS; k++) {
        sess *s = &m->s[k];
        if (s->used || s->state != AS_IDLE || s->neq || s->naq)
            m->used[m->nused++] = k;
    }

    /* The engine's view: tables and rows, locks, the log, the buffer pool. */
    m->ntables = acid_view_ntables(m->e);
    if (m->ntables > TABLES_MAX)
        m->ntables = TABLES_MAX;
    for (int i = 0; i < m->ntables; i++)
        gather_table(m, i);
    m->locks = malloc(LOCKS_MAX * sizeof *m->locks);
    if (m->locks) {
        m->nlocks_total = acid_view_locks(m->e, m->locks, LOCKS_MAX, &m->nwaiting);
        m->nlocks = m->nlocks_total < LOCKS_MAX ? m->nlocks_total : LOCKS_MAX;
    }
    m->nlog = acid_view_log_tail(m->e, m->log, LOG_MAX);
    acid_view_log_state(m->e, &m->logst);
    acid_view_pool_state(m->e, &m->pool);
    m->nframes = acid_view_frames(m->e, m->frames, 64);
}

/* --- rows ------------------------------------------------------------------------------------ */

/* Is row i of t one an open transaction wrote? Then *j is its index in unc. */
static bool row_unc(const tab *t, size_t i, size_t *j)
{
    size_t lo = 0, hi = t->nunc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->unc[mid] == i) {
            if (j)
                *j = mid;
            return true;
        }
        if (t->unc[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Row i of t: from what gather fetched, else asked of the view. */
static void row_at(const model *m, int ti, size_t i, acid_view_row *r)
{
    const tab *t = &m->tabs[ti];
    size_t j;
    if (i < (size_t)t->nhead)
        *r = t->head[i];
    else if (row_unc(t, i, &j))
        *r = t->uncr[j];
    else if (acid_view_rows(m->e, ti, i, 1, r) != 1)
        memset(r, 0, sizeof *r);
}

/* --- sections: natural heights ------------------------------------------------------------ */

/* Lines a table takes with all its rows at width wd, and its cell layout. */
typedef struct tab_layout {
    int kw, vw, aw, cellw, ncols;
} tab_layout;

static void row_note(const model *m, const acid_view_row *r, char *buf, size_t n)
{
    char lb[24], v[32];
    buf[0] = 0;
    if (!r->writer)
        return;
    txn_label(m, r->writer, lb, sizeof lb);
    if (r->committed_exists)
        snprintf(v, sizeof v, ", was %" PRId64, r->committed_value);
    else
        v[0] = 0;
    if (r->exists && !r->committed_exists)
        snprintf(buf, n, "new by %s", lb);
    else if (r->exists)
        snprintf(buf, n, "(%s%s)", lb, v);
    else if (!r->committed_exists)
        snprintf(buf, n, "new by %s, deleted", lb);
    else
        snprintf(buf, n, "deleted by %s%s%s", lb, *v ? " (" : "", *v ? v + 2 : "");
    if (*v && !r->exists && strlen(buf) + 1 < n)
        strcat(buf, ")");
}

static void measure(const model *m, const acid_view_row *r, tab_layout *L)
{
    char kb[64], vb[32], nb[96];
    scalar_format(&r->key, false, kb, sizeof kb);
    snprintf(vb, sizeof vb, "%" PRId64, r->value);
    row_note(m, r, nb, sizeof nb);
    if (sw(kb) > L->kw)
        L->kw = sw(kb);
    if (r->exists && sw(vb) > L->vw)
        L->vw = sw(vb);
    if (*nb && sw(nb) + 1 > L->aw)
        L->aw = sw(nb) + 1;
}

static tab_layout table_layout(const model *m, int ti, int wd)
{
    const tab *t = &m->tabs[ti];
    tab_layout L = { 1, 1, 0, 8, 1 };
    for (int i = 0; i < t->nhead; i++)
        measure(m, &t->head[i], &L);
    for (size_t j = 0; j < t->nunc; j++)
        if (t->unc[j] >= (size_t)t->nhead)
            measure(m, &t->uncr[j], &L);
    if (L.kw > 24)
        L.kw = 24;
    L.cellw = L.kw + 3 + L.vw + L.aw;
    if (L.cellw > wd)
        L.cellw = wd;
    L.ncols = (wd + 3) / (L.cellw + 3);
    if (L.ncols < 1)
        L.ncols = 1;
    return L;
}

static int tables_nat(const model *m, int wd)
{
    if (m->ntables == 0)
        return 1;
    int h = 0;
    for (int i = 0; i < m->ntables; i++) {
        tab_layout L = table_layout(m, i, wd);
        size_t nrows = m->tabs[i].t.nrows;
        int rows = (int)((nrows + (size_t)L.ncols - 1) / (size_t)L.ncols);
        h += 1 + (rows ? rows : 1);
    }
    return h;
}

static int bp_per_line(int wd) { int k = (wd - 2 + 3) / (34 + 3); return k < 1 ? 1 : k; }

/* Cells: one per cached page, and one saying how many frames are free. */
static int bp_cells(const model *m)
{
    int used = 0;
    for (int i = 0; i < m->nframes; i++)
        used += m->frames[i].valid;
    return used + (used < m->pool.nframes ? 1 : 0);
}

static int bp_nat(const model *m, int wd)
{
    int k = bp_per_line(wd);
    return 1 + (bp_cells(m) + k - 1) / k;
}

static int waits_nat(const model *m)
{
    int n = 0;
    for (int k = 1; k <= ACID_SESSIONS; k++) {
        acid_view_wait wt;
        if (m->s[k].txn && acid_view_wait_of(m->e, m->s[k].txn, &wt) && wt.n > 0)
            n++;
    }
    return 1 + n + (m->deadlock ? 1 : 0);
}

/* --- sessions ---------------------------------------------------------------------------- */

/* What a blocked session waits for, from the lock table (or the engine's words). */
static void wait_reason(const model *m, const sess *s, char *buf, size_t n)
{
    acid_view_wait wt;
    buf[0] = 0;
    if (s->txn && acid_view_wait_of(m->e, s->txn, &wt)) {
        char lb[24];
        const acid_view_lock *v = NULL;
        for (int i = 0; i < m->nlocks && !v; i++)
            if (strcmp(m->locks[i].res, wt.res) == 0)
                v = &m->locks[i];
        size_t o = (size_t)snprintf(buf, n, "waits for %s on %s", wt.mode, wt.res);
        const char *sep = " held by ";
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < wt.n && o < n; i++) {
                bool holder = false;
                for (int j = 0; v && j < v->nholders; j++)
                    holder = holder || v->holders[j] == wt.waits_for[i];
                if (holder != (pass == 0))
                    continue;
                txn_label(m, wt.waits_for[i], lb, sizeof lb);
                o += (size_t)snprintf(buf + o, n - o, "%s%s", sep, lb);
                sep = ", ";
            }
            sep = o < n && strstr(buf, " held by ") ? ", behind " : " behind ";
        }
        return;
    }
    if (s->block_text)
        snprintf(buf, n, "%s", s->block_text);
}

typedef enum { LN_EARLIER, LN_DONE, LN_RESULT, LN_CUR, LN_WHY, LN_QUEUED, LN_MORE } ln_kind;
typedef struct col_line { ln_kind kind; int i; } col_line;

static int queued_total(const sess *s)
{
    int parked = s->state == AS_BLOCKED && s->neq_total > 0;
    return s->neq_total - parked + s->naq_total;
}

static bool hide_result(const done_stmt *d)
{
    const char *r = d->result;
    if (!r || d->failed || d->skipped)
        return false;
    if (!strcmp(r, "ok"))
        return true;
    if (!strcasecmp(d->text ? d->text : "", "COMMIT") && !strcmp(r, "committed") && !d->result2)
        return true;
    if (!strcasecmp(d->text ? d->text : "", "ROLLBACK") && !strcmp(r, "rolled back"))
        return true;
    return false;
}

/* The result a done statement shows ("" when it says nothing the statement does not). */
static void done_result(const done_stmt *d, char *res, size_t n)
{
    if (d->failed)
        snprintf(res, n, "%s", d->result ? d->result : "error");
    else if (d->result2)
        snprintf(res, n, "%s, %s", d->result ? d->result : "", d->result2);
    else
        snprintf(res, n, "%s", hide_result(d) ? "" : d->result ? d->result : "");
}

/* A done statement takes two lines when even its shortest form leaves no room for its
 * result: the result goes under it. */
static int done_height(const tui_ctx *c, const done_stmt *dc, int wd, int ntables)
{
    done_stmt *d = (done_stmt *)dc;        /* the memo is the frame's own */
    if (d->memo_w == wd)
        return d->memo_h;
    char res[256], tmp[1024];
    done_result(d, res, sizeof res);
    int h = 1;
    if (*res) {
        stmt_level(c, d->text ? d->text : "?", res, wd - 2, ntables, 0, tmp, sizeof tmp);
        h = sw(tmp) + sw(G_ARROW(c)) + 2 + sw(res) <= wd - 2 ? 1 : 2;
    }
    d->memo_w = wd;
    d->memo_h = h;
    return h;
}

static int col_nat(const tui_ctx *c, const model *m, const sess *s, int wd)
{
    int n = s->nearlier ? 1 : 0;
    for (int i = 0; i < s->ndone; i++)
        n += done_height(c, &s->done[i], wd, m->ntables);
    if (s->state == AS_BLOCKED && s->neq) {
        char why[512], lines[3][256];
        wait_reason(m, s, why, sizeof why);
        n += 1 + wrap(c, why, wd - 2, lines, 3);
    }
    int q = queued_total(s);
    n += q < QSHOW ? q : QSHOW + 1;
    return n ? n : 1;
}

/*
 * The lines of one session's column, at most h of them, in drawing order. When they do not
 * all fit: the current statement and why it waits, the latest done one, the next two queued,
 * then older done ones, then more queued; "N earlier" and "+N more" say what is left out.
 */
static int col_plan(const tui_ctx *c, const model *m, const sess *s, int wd, int h, col_line *out, char why[][256],
                    int *nwhy)
{
    int rem = h, nt = m->ntables;
    bool blocked = s->state == AS_BLOCKED && s->neq;
    char reason[512];
    *nwhy = 0;
    if (blocked) {
        wait_reason(m, s, reason, sizeof reason);
        *nwhy = wrap(c, reason, wd - 2, why, 3);
    }
    int cl = blocked ? 1 + *nwhy : 0;
    if (cl > rem)
        cl = rem;
    rem -= cl;
    int D = s->ndone + s->nearlier, Q = queued_total(s);
    int dh[DONE_MAX];
    for (int i = 0; i < s->ndone; i++)
        dh[i] = done_height(c, &s->done[i], wd, nt);
    int d = 0, dlines = 0;
    if (s->ndone && rem > 0) {
        dlines = dh[0] <= rem ? dh[0] : rem;
        dh[0] = dlines;
        d = 1;
        rem -= dlines;
    }
    int q = Q < 2 ? Q : 2;
    if (q > rem)
        q = rem;
    rem -= q;
    /* Older done statements while they fit, keeping a line for "N earlier" if some stay out. */
    while (d < s->ndone) {
        int need = dh[d] + (d + 1 < D ? 1 : 0);
        if (need > rem)
            break;
        rem -= dh[d];
        dlines += dh[d];
        d++;
    }
    bool earlier = d < D && d >= 1 && rem >= 1;
    if (earlier)
        rem--;
    int more = Q - q < rem ? Q - q : rem;
    q += more;
    int n = 0;
    if (earlier)
        out[n++] = (col_line){ LN_EARLIER, D - d };
    for (int i = d - 1; i >= 0; i--) {
        out[n++] = (col_line){ LN_DONE, i };
        if (dh[i] == 2)
            out[n++] = (col_line){ LN_RESULT, i };
    }
    if (cl > 0)
        out[n++] = (col_line){ LN_CUR, 0 };
    for (int i = 0; i < cl - 1; i++)
        out[n++] = (col_line){ LN_WHY, i };
    bool clipped = q < Q && q >= 2;
    int shown = clipped ? q - 1 : q;
    for (int i = 0; i < shown; i++)
        out[n++] = (col_line){ LN_QUEUED, i };
    if (clipped)
        out[n++] = (col_line){ LN_MORE, Q - shown };
    return n;
}

/* The i-th queued statement: the engine's (behind the parked one) first, then the lab's. */
static const char *queued_at(const sess *s, int i, bool *from_lab, bool *next)
{
    int skip = s->state == AS_BLOCKED && s->neq > 0;
    *from_lab = *next = false;
    if (i < s->neq - skip)
        return s->eq[i + skip];
    i -= s->neq_total - skip;
    if (i < 0 || i >= s->naq)
        return NULL;
    *from_lab = true;
    *next = i == 0 && s->next_here;
    return s->aq[i];
}

static void draw_column(const tui_ctx *c, WINDOW *w, const model *m, int k, int y, int x, int wd, int h)
{
    const sess *s = &m->s[k];
    int nt = m->ntables;
    /* Header: name (reversed when selected), level, state. */
    bool sel = c->sel_session == k;
    int u = tui_put(c, w, y, x, wd, sel ? R_SELECTED : R_HEADING, " %s ", s->label);
    u += tui_put(c, w, y, x + u, wd - u, R_DIM, "%s ", iso_short(s->level));
    tui_put(c, w, y, x + u, wd - u, state_role(s->state), "%s", state_word(s->state));

    col_line lines[64];
    char why[3][256];
    int nwhy = 0;
    int hl = h - 1 < 64 ? h - 1 : 64;
    int n = col_plan(c, m, s, wd, hl, lines, why, &nwhy);
    if (n == 0 && hl > 0 && !s->ndone && !queued_total(s) && !(s->state == AS_BLOCKED))
        tui_put(c, w, y + 1, x + 2, wd - 2, R_DIM, "no statements yet");
    /* The column's statements share a form (up to dropping table names) when they can. */
    int min_level = 0;
    for (int i = 0; i < n; i++) {
        const col_line *L = &lines[i];
        const char *t = NULL;
        char res[256] = "", tmp[1024];
        bool lab, next;
        if (L->kind == LN_DONE) {
            t = s->done[L->i].text;
            if (!(i + 1 < n && lines[i + 1].kind == LN_RESULT))
                done_result(&s->done[L->i], res, sizeof res);
        } else if (L->kind == LN_CUR) {
            t = s->eq[0];
        } else if (L->kind == LN_QUEUED) {
            t = queued_at(s, L->i, &lab, &next);
        }
        if (t) {
            int lv = stmt_level(c, t, res, wd - 2, nt, 0, tmp, sizeof tmp);
            if (lv > 3)
                lv = 3;
            if (lv > min_level)
                min_level = lv;
        }
    }
    const char *arrow_cur = tui_glyph(c, "▶", ">");
    for (int i = 0; i < n; i++) {
        int yy = y + 1 + i;
        const col_line *L = &lines[i];
        switch (L->kind) {
        case LN_EARLIER:
            tui_put(c, w, yy, x, wd, R_DIM, "%s %d earlier", tui_glyph(c, "⋮", ":"), L->i);
            break;
        case LN_RESULT: {
            char res[256];
            done_result(&s->done[L->i], res, sizeof res);
            int ru = tui_put(c, w, yy, x + 2, wd - 2, R_DIM, "%s ", G_ARROW(c));
            put_fit(c, w, yy, x + 2 + ru, wd - 2 - ru, s->done[L->i].failed ? R_BAD : R_NORMAL, res);
            break;
        }
        case LN_DONE: {
            const done_stmt *d = &s->done[L->i];
            char res[256];
            done_result(d, res, sizeof res);
            if (i + 1 < n && lines[i + 1].kind == LN_RESULT)
                res[0] = 0;
            tui_role r = d->failed ? R_BAD : d->skipped ? R_DIM : R_NORMAL;
            const char *mark = d->failed ? tui_glyph(c, "✗", "x") : d->skipped ? "-" : tui_glyph(c, "✓", "*");
            draw_stmt(c, w, yy, x, wd, mark, d->failed ? R_BAD : R_DIM, d->text ? d->text : "?", r, res,
                      d->failed ? R_BAD : d->skipped ? R_DIM : R_NORMAL, d->waited ? "after waiting" : NULL, nt,
                      min_level);
            break;
        }
        case LN_CUR:
            draw_stmt(c, w, yy, x, wd, arrow_cur, R_WARN, s->eq[0], R_WARN, NULL, R_WARN, NULL, nt, min_level);
            break;
        case LN_WHY:
            if (L->i < nwhy)
                tui_put(c, w, yy, x + 2, wd - 2, R_WARN, "%s", why[L->i]);
            break;
        case LN_QUEUED: {
            bool lab, next;
            const char *t = queued_at(s, L->i, &lab, &next);
            if (!t)
                break;
            if (next)
                draw_stmt(c, w, yy, x, wd, tui_glyph(c, "▸", "+"), R_KEY, t, R_NORMAL, NULL, R_NORMAL, "next", nt,
                          min_level);
            else
                draw_stmt(c, w, yy, x, wd, tui_glyph(c, "·", "."), R_DIM, t, R_DIM, NULL, R_DIM,
                          lab ? NULL : "queued", nt, min_level);
            break;
        }
        case LN_MORE:
            tui_put(c, w, yy, x + 2, wd - 2, R_DIM, "+%d more", L->i);
            break;
        }
    }
}

/*
 * Which sessions get a column: all when they fit; else the selected one, then those with
 * something going on (blocked, active, the next step's), then the most recently busy;
 * shown in number order. Returns the count, the sessions in cols[].
 */
static int pick_columns(const tui_ctx *c, const model *m, int wd, int *cols)
{
    int fitn = wd / COL_MIN;
    if (fitn < 1)
        fitn = 1;
    if (m->nused <= fitn) {
        memcpy(cols, m->used, (size_t)m->nused * sizeof *cols);
        return m->nused;
    }
    double score[ACID_SESSIONS];
    bool taken[ACID_SESSIONS] = { false };
    size_t n = hist_count(m->h);
    for (int i = 0; i < m->nused; i++) {
        const sess *s = &m->s[m->used[i]];
        score[i] = m->used[i] == c->sel_session ? 1000 : 0;
        score[i] += s->state == AS_BLOCKED ? 500 : s->state == AS_ACTIVE ? 400 : 0;
        score[i] += s->next_here ? 300 : (s->neq || s->naq) ? 100 : 0;
        score[i] += n ? 99.0 * (double)s->last_ev / (double)n : 0;
    }
    for (int k = 0; k < fitn; k++) {
        int best = -1;
        for (int i = 0; i < m->nused; i++)
            if (!taken[i] && (best < 0 || score[i] > score[best]))
                best = i;
        taken[best] = true;
    }
    int nc = 0;
    for (int i = 0; i < m->nused; i++)
        if (taken[i])
            cols[nc++] = m->used[i];
    return nc;
}

/* Column i of nc across wd: its x and width (a bar ends each column but the last, and a
 * space follows the bar). */
static void col_geom(int wd, int nc, int i, int *x, int *w)
{
    int cw = wd / nc;
    *x = i * cw + (i ? 1 : 0);
    *w = (i == nc - 1 ? wd - i * cw : cw - 1) - (i ? 1 : 0);
}

static int sessions_nat(const tui_ctx *c, const model *m, int wd)
{
    int cols[ACID_SESSIONS], nc = pick_columns(c, m, wd, cols);
    if (nc == 0)
        return 2;
    int best = 1;
    for (int i = 0; i < nc; i++) {
        int cx, cwd;
        col_geom(wd, nc, i, &cx, &cwd);
        int h = col_nat(c, m, &m->s[cols[i]], cwd);
        if (h > best)
            best = h;
    }
    return 1 + best;
}

static void draw_sessions(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    int cols[ACID_SESSIONS], nc = pick_columns(c, m, wd, cols);
    if (nc == 0) {
        heading(c, w, y, x, wd, "sessions", "none yet");
        if (h > 1)
            tui_put(c, w, y + 1, x + 2, wd - 2, R_DIM, "a line like  T1: BEGIN  starts one");
        return;
    }
    for (int i = 0; i < nc; i++) {
        int cx, cwd;
        col_geom(wd, nc, i, &cx, &cwd);
        draw_column(c, w, m, cols[i], y, x + cx, cwd, h);
        if (i < nc - 1)
            vbar(c, w, y, x + (i + 1) * (wd / nc) - 1, h);
    }
}

/* --- recovery ---------------------------------------------------------------------------- */

static int recovery_nat(const model *m)
{
    return m->crash ? 2 + 4 + (m->rec.torn ? 1 : 0) : 0;
}

static void draw_recovery(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (!m->crash || h < 3)
        return;
    int bw = wd < 84 ? wd : 84;
    tui_box(w, y, x, h, bw, "power lost: crash and recovery", R_BORDER, c);
    int iw = bw - 4, yy = y + 1, ye = y + h - 1;
    const hist_event *cr = m->crash;
    const acid_view_recovery *rv = &m->rec;
    char b[512];
    const char *arrow = G_ARROW(c);
    const char *dot = tui_glyph(c, "·", "-");
    snprintf(b, sizeof b, "%" PRId64 " unsynced byte%s gone %s %" PRId64 " transaction%s aborted %s %"
             PRId64 " answered commit%s lost", cr->n[0], cr->n[0] == 1 ? "" : "s", dot, cr->n[2], cr->n[2] == 1 ? "" : "s", dot,
             cr->n[3], cr->n[3] == 1 ? "" : "s");
    if (yy < ye)
        put_fit(c, w, yy++, x + 2, iw, cr->n[3] ? R_BAD : R_NORMAL, b);
    if (rv->torn && yy < ye) {
        snprintf(b, sizeof b, "torn log tail: %" PRIu64 " byte%s cut at offset %" PRIu64 " (%s)", rv->torn_bytes,
                 rv->torn_bytes == 1 ? "" : "s", rv->torn_offset, rv->torn_reason);
        put_fit(c, w, yy++, x + 2, iw, R_WARN, b);
    }
    static const char *const names[3] = { "analysis", "redo", "undo" };
    for (int p = 0; p < 3 && yy < ye; p++) {
        if (p == 0) {
            snprintf(b, sizeof b, "LSN %" PRIu64 " %s %" PRIu64 ": %" PRIu64 " record%s read, %d loser%s",
                     rv->analysis_from, arrow, rv->log_end, rv->analysis_scanned, rv->analysis_scanned == 1 ? "" : "s",
                     rv->losers, rv->losers == 1 ? "" : "s");
        } else if (p == 1) {
            if (rv->redo_from)
                snprintf(b, sizeof b, "from LSN %" PRIu64 ": %" PRIu64 " redone, %" PRIu64 " skipped (page already newer)",
                         rv->redo_from, rv->redone, rv->redo_skipped);
            else
                snprintf(b, sizeof b, "nothing to redo: no dirty page");
        } else {
            snprintf(b, sizeof b, "%" PRIu64 " change%s undone, %" PRIu64 " compensation record%s written", rv->undone,
                     rv->undone == 1 ? "" : "s", rv->clrs, rv->clrs == 1 ? "" : "s");
        }
        int u = tui_put(c, w, yy, x + 2, iw, R_KEY, "%d ", p + 1);
        u += tui_put(c, w, yy, x + 2 + u, iw - u, R_HEADING, "%-10s", names[p]);
        put_fit(c, w, yy, x + 2 + u, iw - u, R_NORMAL, b);
        yy++;
    }
}

/* --- tables ------------------------------------------------------------------------------ */

static void draw_cell(const tui_ctx *c, WINDOW *w, const model *m, const acid_view_row *r, const tab_layout *L, int y,
                      int x, int wd)
{
    char kb[64], nb[96];
    scalar_format(&r->key, false, kb, sizeof kb);
    row_note(m, r, nb, sizeof nb);
    put_fit(c, w, y, x, L->kw < wd ? L->kw : wd, R_NORMAL, kb);
    int u = L->kw;
    if (r->exists) {
        u += tui_put(c, w, y, x + u, wd - u, R_DIM, " = ");
        u += tui_put(c, w, y, x + u, wd - u, r->writer ? R_UNCOMMITTED : R_NORMAL, "%*" PRId64, L->vw, r->value);
        if (*nb)
            put_fit(c, w, y, x + u + 1, wd - u - 1, R_UNCOMMITTED, nb);
    } else {
        put_fit(c, w, y, x + u + 3, wd - u - 3, R_UNCOMMITTED, nb);
    }
}

/* Draws the tables in h lines; a table that does not fit shows its uncommitted rows first. */
static void draw_tables(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    if (m->ntables == 0) {
        heading(c, w, y, x, wd, "tables", "none yet");
        return;
    }
    int yy = y, ye = y + h;
    for (int ti = 0; ti < m->ntables && yy < ye; ti++) {
        const tab *t = &m->tabs[ti];
        size_t nrows = t->t.nrows;
        tab_layout L = table_layout(m, ti, wd);
        int left = m->ntables - ti - 1;               /* later tables need a line each */
        int lines = ye - yy - 1 - left;
        if (lines < 1)
            lines = ye - yy - 1;
        int need = (int)((nrows + (size_t)L.ncols - 1) / (size_t)L.ncols);
        if (lines > need)
            lines = need;
        int cap = lines * L.ncols;
        int nunc = (int)t->nunc;
        char info[160];
        int o = snprintf(info, sizeof info, "%s %s %s %s %zu row%s", t->t.keycol, G_ARROW(c), t->t.valcol,
                         tui_glyph(c, "·", "-"), nrows, nrows == 1 ? "" : "s");
        if ((size_t)cap < nrows && o > 0 && (size_t)o < sizeof info)
            snprintf(info + o, sizeof info - (size_t)o, ", %zu not shown", nrows - (size_t)(cap > 0 ? cap : 0));
        heading(c, w, yy++, x, wd, t->t.name, info);
        if (nrows == 0) {
            if (yy < ye)
                tui_put(c, w, yy++, x + 2, wd - 2, R_DIM, "empty");
            continue;
        }
        if (cap <= 0)
            continue;
        /* The rows shown: every uncommitted one (up to cap), then the first ones. */
        int room_plain = cap - (nunc < cap ? nunc : cap);
        int shown = 0, plain = 0;
        for (size_t i = 0; i < nrows && shown < cap; i++) {
            bool unc = row_unc(t, i, NULL);
            if (!unc && plain >= room_plain)
                continue;
            if (!unc)
                plain++;
            acid_view_row r;
            row_at(m, ti, i, &r);
            int col = shown / lines, row = shown % lines;
            int cx = x + 2 + col * (L.cellw + 3);
            if (cx < x + wd)
                draw_cell(c, w, m, &r, &L, yy + row, cx, x + wd - cx);
            shown++;
        }
        yy += lines;
    }
}

/* --- locks and waits-for ------------------------------------------------------------------ */

static int locks_nat(const model *m)
{
    return 1 + (m->nlocks_total > m->nlocks ? m->nlocks + 1 : m->nlocks);
}

static void draw_locks(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    char info[96];
    if (m->nlocks_total == 0)
        snprintf(info, sizeof info, "none held");
    else
        snprintf(info, sizeof info, "%d resource%s%s", m->nlocks_total, m->nlocks_total == 1 ? "" : "s",
                 m->nwaiting ? "" : ", nobody waits");
    if (m->nwaiting) {
        size_t o = strlen(info);
        snprintf(info + o, sizeof info - o, ", %d waiting", m->nwaiting);
    }
    heading(c, w, y, x, wd, "locks", info);
    int avail = h - 1;
    if (avail <= 0 || m->nlocks == 0)
        return;
    /* When they do not all fit: queues first, then rows, then tables; in lock order. */
    bool show[LOCKS_MAX] = { false };
    int nshow = 0, total = m->nlocks;
    int cap = total <= avail ? total : avail - 1;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < total && nshow < cap; i++) {
            const acid_view_lock *v = &m->locks[i];
            int p = v->nwaiters ? 0 : v->is_row ? 1 : 2;
            if (p == pass && !show[i]) {
                show[i] = true;
                nshow++;
            }
        }
    int rw = 4;
    for (int i = 0; i < total; i++)
        if (show[i] && sw(m->locks[i].res) > rw)
            rw = sw(m->locks[i].res);
    if (rw > 24)
        rw = 24;
    int yy = y + 1;
    for (int i = 0; i < total; i++) {
        if (!show[i])
            continue;
        const acid_view_lock *v = &m->locks[i];
        char lb[24];
        put_fit(c, w, yy, x + 2, rw, v->is_row ? R_NORMAL : R_DIM, v->res);
        int u = 2 + rw + 2;
        for (int j = 0; j < v->nholders && u < wd; j++) {
            txn_label(m, v->holders[j], lb, sizeof lb);
            u += tui_put(c, w, yy, x + u, wd - u, R_NORMAL, "%s%s ", j ? ", " : "", lb);
            u += tui_put(c, w, yy, x + u, wd - u, R_NORMAL, "%s", v->holder_modes[j]);
        }
        if (v->nwaiters && u + 2 < wd) {
            u += tui_put(c, w, yy, x + u, wd - u, R_WARN, "   waiting: ");
            for (int j = 0; j < v->nwaiters && u < wd; j++) {
                txn_label(m, v->waiters[j], lb, sizeof lb);
                u += tui_put(c, w, yy, x + u, wd - u, R_WARN, "%s%s %s", j ? ", " : "", lb, v->waiter_modes[j]);
            }
        }
        yy++;
    }
    if (nshow < m->nlocks_total)
        tui_put(c, w, yy, x + 2, wd - 2, R_DIM, "+%d more", m->nlocks_total - nshow);
}

static void draw_waits(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    int nedges = waits_nat(m) - 1 - (m->deadlock ? 1 : 0);
    char info[64];
    snprintf(info, sizeof info, "%s", nedges ? "" : m->deadlock ? "nobody waits now" : "nobody waits");
    heading(c, w, y, x, wd, "waits-for", info);
    int yy = y + 1, ye = y + h;
    const char *arrow = G_ARROW(c);
    if (m->deadlock && yy < ye) {
        /* The cycle, highlighted: T1 → T2 → T1  victim T2. */
        const hist_event *d = m->deadlock;
        char b[512], lb[24];
        size_t o = 0;
        for (int i = 0; i <= hist_ntxns(d) && o < sizeof b; i++) {
            txn_label(m, hist_txns(d)[i % hist_ntxns(d)], lb, sizeof lb);
            o += (size_t)snprintf(b + o, sizeof b - o, "%s%s", i ? " " : "", lb);
            if (i < hist_ntxns(d) && o < sizeof b)
                o += (size_t)snprintf(b + o, sizeof b - o, " %s", arrow);
        }
        txn_label(m, d->txn, lb, sizeof lb);
        int u = tui_put(c, w, yy, x + 2, wd - 2, R_BAD, "deadlock  ");
        u += put_fit(c, w, yy, x + 2 + u, wd - 2 - u, R_BAD, b);
        if (u + 4 < wd)
            tui_put(c, w, yy, x + 2 + u, wd - 2 - u, R_BAD, "   victim %s (the youngest)", lb);
        yy++;
    }
    for (int k = 1; k <= ACID_SESSIONS && yy < ye; k++) {
        const sess *s = &m->s[k];
        acid_view_wait wt;
        if (!s->txn || !acid_view_wait_of(m->e, s->txn, &wt) || wt.n <= 0)
            continue;
        char b[256], lb[24];
        size_t o = 0;
        txn_label(m, s->txn, lb, sizeof lb);
        o += (size_t)snprintf(b, sizeof b, "%s %s ", lb, arrow);
        for (int i = 0; i < wt.n && o < sizeof b; i++) {
            txn_label(m, wt.waits_for[i], lb, sizeof lb);
            o += (size_t)snprintf(b + o, sizeof b - o, "%s%s", i ? ", " : "", lb);
        }
        int u = put_fit(c, w, yy, x + 2, wd - 2, R_WARN, b);
        snprintf(b, sizeof b, "  (%s on %s)", wt.mode, wt.res);
        put_fit(c, w, yy, x + 2 + u, wd - 2 - u, R_DIM, b);
        yy++;
    }
}

/* --- the log ------------------------------------------------------------------------------ */

static int log_nat(const model *m)
{
    return 1 + m->nlog;
}

static void draw_log(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    char info[128];
    if (m->logst.start > 16)   /* a checkpoint cut it (a log never cut starts at 16): where it starts now */
        snprintf(info, sizeof info, "from LSN %" PRIu64 " %s fsynced to %" PRIu64 " %s end %" PRIu64, m->logst.start,
                 tui_glyph(c, "·", "-"), m->logst.durable, tui_glyph(c, "·", "-"), m->logst.end);
    else
        snprintf(info, sizeof info, "fsynced to LSN %" PRIu64 " %s end %" PRIu64, m->logst.durable, tui_glyph(c, "·", "-"),
                 m->logst.end);
    heading(c, w, y, x, wd, "log", info);
    int k = h - 1 < m->nlog ? h - 1 : m->nlog;
    if (k <= 0)
        return;
    /* Column widths over the records shown. */
    int lw = 3, bw = 2;
    for (int i = 0; i < k; i++) {
        char b[32];
        snprintf(b, sizeof b, "%" PRIu64, m->log[i].lsn);
        if (sw(b) > lw)
            lw = sw(b);
        if (!m->log[i].crash && !m->log[i].cut) {
            txn_label(m, m->log[i].txn, b, sizeof b);
            if (sw(b) > bw)
                bw = sw(b);
        }
    }
    const char *arrow = G_ARROW(c);
    int yy = y + 1;
    for (int i = k - 1; i >= 0; i--, yy++) {
        const acid_view_rec *l = &m->log[i];
        if (l->crash) {
            char b[128];
            snprintf(b, sizeof b, " crash: the log ends at LSN %" PRIu64 " ", l->lsn);
            int u = 0;
            rule(c, w, yy, x + 2, 2);
            u = 4 + tui_put(c, w, yy, x + 4, wd - 4, R_BAD, "%s", b);
            if (u < wd)
                rule(c, w, yy, x + u, wd - u > 8 ? 8 : wd - u);
            continue;
        }
        if (l->cut) {
            /* The checkpoint's cut, and why the log could go no further (store.h S3). */
            char b[160], lb[24];
            const acid_view_log *g = &m->logst;
            if (g->has_cut && g->cut_to == l->lsn && g->keep == ACID_KEEP_TXN) {
                txn_label(m, g->keep_txn, lb, sizeof lb);
                snprintf(b, sizeof b, " cut before LSN %" PRIu64 ": %s is open, its undo starts there ", l->lsn, lb);
            } else if (g->has_cut && g->cut_to == l->lsn && g->keep == ACID_KEEP_PAGE) {
                snprintf(b, sizeof b, " cut before LSN %" PRIu64 ": page %" PRIu32 " needs redo from there ", l->lsn,
                         g->keep_page);
            } else {
                snprintf(b, sizeof b, " cut before LSN %" PRIu64 ": the checkpoint needs nothing older ", l->lsn);
            }
            rule(c, w, yy, x + 2, 2);
            int u = 4 + tui_put(c, w, yy, x + 4, wd - 4, R_DIM, "%s", b);
            if (u < wd)
                rule(c, w, yy, x + u, wd - u > 8 ? 8 : wd - u);
            continue;
        }
        const char *mark = l->lost ? tui_glyph(c, "✗", "x") : l->gone ? tui_glyph(c, "✂", "/")
                         : l->durable ? tui_glyph(c, "✓", "*") : tui_glyph(c, "·", " ");
        tui_role mr = l->lost ? R_BAD : l->gone ? R_DIM : l->durable ? R_OK : R_WARN;
        tui_role tr = l->lost || l->gone ? R_DIM : R_NORMAL;
        tui_put(c, w, yy, x, 1, mr, "%s", mark);
        char lb[24];
        txn_label(m, l->txn, lb, sizeof lb);
        int u = 2;
        u += tui_put(c, w, yy, x + u, wd - u, tr, "%*" PRIu64 "  ", lw, l->lsn);
        u += tui_put(c, w, yy, x + u, wd - u, tr, "%-*s  ", bw, lb);
        u += tui_put(c, w, yy, x + u, wd - u, l->lost || l->gone ? R_DIM : R_HEADING, "%-10s ", l->type);
        char d[160] = "", kb[96];
        if (l->change) {
            char k1[40];
            scalar_format(&l->key, false, k1, sizeof k1);
            if (m->ntables > 1 && l->table)
                snprintf(kb, sizeof kb, "%.*s/%s", SQL_NAME_MAX, l->table, k1);
            else
                snprintf(kb, sizeof kb, "%s", k1);
            if (l->clr)
                snprintf(d, sizeof d, "%s: %s", kb, "undo, ");
            else
                snprintf(d, sizeof d, "%s: ", kb);
            size_t o = strlen(d);
            if (l->clr) {
                if (l->after_exists)
                    snprintf(d + o, sizeof d - o, "back to %" PRId64, l->after);
                else
                    snprintf(d + o, sizeof d - o, "removed");
            } else if (l->before_exists && l->after_exists) {
                snprintf(d + o, sizeof d - o, "%" PRId64 " %s %" PRId64, l->before, arrow, l->after);
            } else if (l->after_exists) {
                snprintf(d + o, sizeof d - o, "new %" PRId64, l->after);
            } else {
                snprintf(d + o, sizeof d - o, "%" PRId64 " deleted", l->before);
            }
        }
        if (l->lost) {
            size_t o = strlen(d);
            snprintf(d + o, sizeof d - o, "%slost in the crash", *d ? "  " : "");
        }
        put_fit(c, w, yy, x + u, wd - u, l->lost ? R_BAD : R_NORMAL, d);
    }
}

/* --- the buffer pool ---------------------------------------------------------------------- */

static void draw_bufpool(const tui_ctx *c, WINDOW *w, const model *m, int y, int x, int wd, int h)
{
    if (h <= 0)
        return;
    const acid_view_pool *bp = &m->pool;
    char info[160];
    snprintf(info, sizeof info, "%d frames %s %" PRIu64 " read%s, %" PRIu64 " written, %" PRIu64 " evicted", bp->nframes,
             tui_glyph(c, "·", "-"), bp->reads, bp->reads == 1 ? "" : "s", bp->writes, bp->evictions);
    heading(c, w, y, x, wd, "buffer pool", info);
    int per = bp_per_line(wd), cellw = (wd - 2 - (per - 1) * 3) / per;
    int cell = 0, nfree = 0;
    for (int i = 0; i <= m->nframes; i++) {
        const acid_view_frame *f = i < m->nframes ? &m->frames[i] : NULL;
        if (f && !f->valid) {
            nfree++;
            continue;
        }
        if (!f && !nfree)
            break;
        int row = cell / per, col = cell % per;
        cell++;
        if (1 + row >= h)
            break;
        int yy = y + 1 + row, cx = x + 2 + col * (cellw + 3), cw = cellw;
        if (!f) {
            tui_put(c, w, yy, cx, cw, R_DIM, "%d frame%s free", nfree, nfree == 1 ? "" : "s");
            break;
        }
        int u = tui_put(c, w, yy, cx, cw, R_NORMAL, "p%-3u", (unsigned)f->page);
        u += put_fit(c, w, yy, cx + u, cw - u < 10 ? cw - u : 10, R_DIM, f->table ? f->table : "");
        u = u < 15 ? 15 : u;
        u += tui_put(c, w, yy, cx + u, cw - u, f->dirty ? R_WARN : R_DIM, "%s", f->dirty ? "dirty " : "clean ");
        u += tui_put(c, w, yy, cx + u, cw - u, R_NORMAL, "LSN %" PRIu64, f->lsn);
        if (f->dirty)
            tui_put(c, w, yy, cx + u, cw - u, R_DIM, " rec %" PRIu64, f->rec_lsn);
    }
}

/* --- the frame ---------------------------------------------------------------------------- */

static void draw_header(const tui_ctx *c, WINDOW *w, const model *m, int wd)
{
    char b[256];
    const char *dot = tui_glyph(c, "·", "-");
    int u = tui_put(c, w, 0, 0, wd, R_TITLE, " ACID ");
    if (m->set.sync == SYNC_GROUP)
        snprintf(b, sizeof b, " group commit of %d", m->set.sync_group);
    else
        snprintf(b, sizeof b, " sync %s", m->set.sync == SYNC_OFF ? "off" : "full");
    size_t o = strlen(b);
    int dl = acid_deadlocks(m->e);
    snprintf(b + o, sizeof b - o, " %s %d frame%s %s %d deadlock%s", dot, m->pool.nframes,
             m->pool.nframes == 1 ? "" : "s", dot, dl, dl == 1 ? "" : "s");
    u += put_fit(c, w, 0, u, wd - u, R_DIM, b);
    int cols[ACID_SESSIONS], nc = pick_columns(c, m, wd, cols);
    if (nc < m->nused && u + 4 < wd) {
        size_t o2 = (size_t)snprintf(b, sizeof b, "not shown:");
        for (int i = 0, j = 0; i < m->nused && o2 < sizeof b; i++) {
            while (j < nc && cols[j] < m->used[i])
                j++;
            if (j < nc && cols[j] == m->used[i])
                continue;
            o2 += (size_t)snprintf(b + o2, sizeof b - o2, " T%d", m->used[i]);
        }
        int bw = sw(b);
        if (wd - bw - 1 > u + 2)
            tui_put(c, w, 0, wd - bw - 1, bw, R_DIM, "%s", b);
    }
}

typedef struct plan {
    int sess, rec, mid, waits, log, bp;    /* heights; mid = tables (+ locks when wide) */
    int tables, locks;                     /* stacked: the two parts of mid */
} plan;

static int take(int *left, int want)
{
    int g = want < *left ? want : *left;
    if (g < 0)
        g = 0;
    *left -= g;
    return g;
}

void tui_acid_draw(const tui_ctx *c, WINDOW *w)
{
    werase(w);
    int H, W;
    getmaxyx(w, H, W);
    if (H <= 0 || W <= 0 || !c || !c->a)
        return;
    runner *r = app_runner(c->a);
    if (!r || !runner_acid(r) || !runner_history(r)) {
        tui_put(c, w, 0, 0, W, R_DIM, "no ACID engine");
        return;
    }
    model *m = calloc(1, sizeof *m);
    if (!m) {
        tui_put(c, w, 0, 0, W, R_BAD, "out of memory");
        return;
    }
    gather(m, c);
    if (!m->locks) {
        tui_put(c, w, 0, 0, W, R_BAD, "out of memory");
        model_free(m);
        return;
    }
    draw_header(c, w, m, W);

    bool wide = W >= WIDE;
    int lw = wide ? (W - 3) / 2 : W;            /* left half when wide */
    int rw = wide ? W - lw - 3 : W;
    int n_sess = sessions_nat(c, m, W), n_rec = recovery_nat(m);
    int n_tab = tables_nat(m, lw), n_lock = locks_nat(m), n_wait = waits_nat(m);
    int n_log = log_nat(m), n_bp = bp_nat(m, wide ? rw : W);

    /* Minimums in order of importance (sessions, recovery, tables, locks, waits-for, log,
     * buffer pool), then what is left, in the same order. The log and the buffer pool are
     * left out rather than squeezed. */
    plan p = { 0 };
    int left = H - 1;
    int min_tab = n_tab < 2 + m->ntables ? n_tab : 2 + m->ntables;
    int min_lock = n_lock < 3 ? n_lock : 3, min_wait = n_wait < 2 ? n_wait : 2;
    int min_log = n_log < 4 ? n_log : 4;
    p.sess = take(&left, n_sess < 4 ? n_sess : 4);
    p.rec = left >= n_rec + 3 ? take(&left, n_rec) : 0;
    if (wide) {
        int min_mid = min_tab > min_lock + min_wait ? min_tab : min_lock + min_wait;
        p.mid = take(&left, min_mid);
        p.log = left >= min_log ? take(&left, min_log) : 0;
        p.mid += take(&left, (n_tab > n_lock + n_wait ? n_tab : n_lock + n_wait) - p.mid);
        p.sess += take(&left, (n_sess < 14 ? n_sess : 14) - p.sess);
        if (p.log)
            p.log += take(&left, (n_log > n_bp ? n_log : n_bp) - p.log);
        p.sess += take(&left, n_sess - p.sess);
        /* The right half: waits-for as much as it needs once the locks have their minimum. */
        p.waits = n_wait < p.mid - min_lock ? n_wait : p.mid - min_lock;
        if (p.waits < 1)
            p.waits = p.mid > 1 ? 1 : 0;
        p.locks = p.mid - p.waits;
        p.tables = p.mid;
    } else {
        p.tables = take(&left, min_tab);
        p.locks = take(&left, min_lock);
        p.waits = take(&left, min_wait);
        p.log = left >= min_log ? take(&left, min_log) : 0;
        p.bp = left >= n_bp ? take(&left, n_bp) : 0;
        p.sess += take(&left, (n_sess < 12 ? n_sess : 12) - p.sess);
        p.tables += take(&left, n_tab - p.tables);
        p.locks += take(&left, n_lock - p.locks);
        p.waits += take(&left, n_wait - p.waits);
        if (p.log)
            p.log += take(&left, n_log - p.log);
        if (!p.bp && p.log)
            p.bp = left >= n_bp ? take(&left, n_bp) : 0;
        p.sess += take(&left, n_sess - p.sess);
    }

    int y = 1;
    draw_sessions(c, w, m, y, 0, W, p.sess);
    y += p.sess;
    draw_recovery(c, w, m, y, 0, W, p.rec);
    y += p.rec;
    if (wide) {
        draw_tables(c, w, m, y, 0, lw, p.tables);
        vbar(c, w, y, lw + 1, p.mid);
        draw_locks(c, w, m, y, lw + 3, rw, p.locks);
        draw_waits(c, w, m, y + p.locks, lw + 3, rw, p.waits);
        y += p.mid;
        if (p.log) {
            draw_log(c, w, m, y, 0, lw, p.log);
            vbar(c, w, y, lw + 1, p.log);
            draw_bufpool(c, w, m, y, lw + 3, rw, p.log);
        }
    } else {
        draw_tables(c, w, m, y, 0, W, p.tables);
        y += p.tables;
        draw_locks(c, w, m, y, 0, W, p.locks);
        y += p.locks;
        draw_waits(c, w, m, y, 0, W, p.waits);
        y += p.waits;
        draw_log(c, w, m, y, 0, W, p.log);
        y += p.log;
        draw_bufpool(c, w, m, y, 0, W, p.bp);
    }
    model_free(m);
}
