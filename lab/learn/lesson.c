/*
 * lesson.c: reads lesson files. The format is in lesson.h; teachers read lessons/README.md.
 * Checking a lesson against the engines is verify.c's.
 *
 * Reading is one pass over the lines with one piece of state, the context: what an
 * indented line (one that starts with a space or a tab) belongs to. It is one of
 *   prose      the text of story: or explain:, blank lines kept;
 *   lines      the scenario lines of setup:, moves: or solution:, blank lines skipped;
 *   checks     the expect lines of a goal, blank lines skipped;
 *   more       the continuation of a hint: or why: (joined with a space);
 *   none       after a header line (id: ...): an indented line here is an error.
 * A line that is not indented closes the context and opens the next one. Comment lines
 * ('#' in column 1) and blank lines never close a context. Inside a section a '#' is text
 * for prose and the scenario language's comment for scenario lines.
 *
 * Prose loses the indentation of its least indented line (deeper indentation stays), and
 * its leading and trailing blank lines; an indented "---" alone separates story pages.
 *
 * Invariants:
 *   1. A lesson that loads without error has an id, a title, a number, a part, at least
 *      one goal with at least one check, and a solution with at least one line; every
 *      setup, moves and solution line parses as a scenario line and every check as an
 *      `expect` line.
 *   2. An error points at the first character of the offending word, with the absolute
 *      column in the file counted as the scenario parser counts (a UTF-8 sequence or a
 *      tab is one column), so FILE:LINE:COL is the same whoever reports it.
 *   3. Stored lines have no indentation; lesson_pos says where they were written, and a
 *      runner fed (col - 1) spaces and the text reports the columns the file has.
 *   4. Reading stops at the first error: a broken lesson keeps what was read before it
 *      (enough to list it) and exactly one message.
 */
#include "lesson.h"
#include "run/scenario.h"
#include "common/text.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ACIDBASE_PREFIX
#define ACIDBASE_PREFIX "/usr/local"
#endif

/* ---- keys --------------------------------------------------------------------------- */

typedef enum {
    K_ID, K_NUMBER, K_TITLE, K_PART, K_CONCEPTS, K_REFS, K_CONTROLS,
    K_STORY, K_SETUP, K_MOVES, K_EXPLAIN, K_SOLUTION, K_HINT, K_WHY, K_GOAL, K_COUNT
} lesson_key;

static const char *const key_names[K_COUNT] = {
    "id", "number", "title", "part", "concepts", "refs", "controls",
    "story", "setup", "moves", "explain", "solution", "hint", "why", "goal",
};

static bool key_is_section(lesson_key k)
{
    return k >= K_STORY && k <= K_SOLUTION;
}

/* The controls a lesson may offer (lesson.h, lesson_control), in that order, then the
 * groups that name several; control_names is what did-you-mean searches. */
static const struct control_info {
    const char *name, *what;
} controls[LC_COUNT] = {
    [LC_SESSIONS] = { "sessions", "statements of your own (T1: ...)" },
    [LC_ISOLATION] = { "isolation", "changing an isolation level" },
    [LC_CRASH] = { "crash", "crashing the engine" },
    [LC_SYNC] = { "sync", "changing when COMMIT syncs (engine: sync, flush)" },
    [LC_CHECKPOINT] = { "checkpoint", "checkpoints" },
    [LC_EVICT] = { "evict", "writing dirty pages early (engine: evict)" },
    [LC_FRAMES] = { "frames", "resizing the buffer pool" },
    [LC_REQUESTS] = { "requests", "requests of your own (n1: GET ...)" },
    [LC_SETTINGS] = { "settings", "changing the replica set's settings (cluster: ...)" },
    [LC_CUT] = { "cut", "cutting links" },
    [LC_PARTITION] = { "partition", "partitions" },
    [LC_HEAL] = { "heal", "healing links" },
    [LC_DOWN] = { "down", "taking replicas down" },
    [LC_UP] = { "up", "bringing replicas back up" },
    [LC_DELAY] = { "delay", "delaying messages" },
    [LC_LOSS] = { "loss", "losing messages" },
    [LC_TICK] = { "tick", "ticks of time" },
    [LC_GOSSIP] = { "gossip", "gossip rounds" },
    [LC_SETTLE] = { "settle", "settling" },
    [LC_TABLES] = { "tables", "changing the tables (setup: ...)" },
};

static const struct control_group {
    const char *name;
    unsigned mask;
} control_groups[] = {
    { "engine", 1u << LC_SYNC | 1u << LC_CHECKPOINT | 1u << LC_EVICT | 1u << LC_FRAMES },
    { "network", 1u << LC_CUT | 1u << LC_PARTITION | 1u << LC_HEAL | 1u << LC_DELAY | 1u << LC_LOSS },
    { "replicas", 1u << LC_REQUESTS | 1u << LC_DOWN | 1u << LC_UP },
    { "time", 1u << LC_TICK | 1u << LC_GOSSIP | 1u << LC_SETTLE },
};
#define NGROUPS (sizeof control_groups / sizeof *control_groups)

/* Every control's and group's name, for did-you-mean. */
static const char *const *control_names(void)
{
    static const char *names[LC_COUNT + NGROUPS + 1];
    if (!names[0]) {
        for (int i = 0; i < LC_COUNT; i++)
            names[i] = controls[i].name;
        for (size_t g = 0; g < NGROUPS; g++)
            names[LC_COUNT + g] = control_groups[g].name;
    }
    return names;
}

typedef enum { CTX_NONE, CTX_PROSE, CTX_LINES, CTX_CHECKS, CTX_MORE } lesson_ctx;

typedef struct lesson_parser {
    lesson *l;
    const char *path;
    int lineno;
    const char *s;              /* the current line, without its newline */
    size_t n;
    lesson_ctx ctx;
    lesson_key ctx_key;         /* the section, goal, hint or why that opened ctx */
    int ctx_line;
    char **more;                /* CTX_MORE: the text being continued */
    int last_goal;              /* the goal why: may attach to, or -1 */
    int seen[K_COUNT];          /* line where each header or section was first given */
    /* prose of the open section: lines as written (right-trimmed) */
    char **prose;
    int *prose_line;
    int nprose, capprose;
    scn_line *sl;               /* scratch for scn_parse_line */
} lesson_parser;

/* ---- small helpers -------------------------------------------------------------------- */

/* 1-based column of s[off]: characters, not bytes (a tab is one). */
static int col_at(const char *s, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
    while (i < n && is_blank(s[i]))
        i++;
    return i;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail_at(lesson_parser *p, int line, int col, const char *fmt, ...)
{
    lesson *l = p->l;
    if (l->broken)
        return -1;
    l->broken = true;
    int k = snprintf(l->error, sizeof l->error, "%s:%d:%d: ", p->path, line, col);
    if (k < 0 || (size_t)k >= sizeof l->error)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->error + k, sizeof l->error - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(lesson_parser *p)
{
    return fail_at(p, p->lineno, 1, "out of memory");
}

/* The word at s[i] as shown in a message: 'word', at most 40 bytes. */
static void show_word(const char *s, size_t i, size_t n, char *buf, size_t bn)
{
    size_t j = i;
    while (j < n && !is_blank(s[j]) && j - i < 40)
        j++;
    if (j == i)
        snprintf(buf, bn, "end of line");
    else
        snprintf(buf, bn, "'%.*s'", (int)(j - i), s + i);
}

/* Edit distance (a swap of two neighbours counts one), case-insensitive: for did-you-mean. */
static int distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > 31 || nb > 31)
        return 99;
    int d[32][32];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

/* The name of names (NULL-terminated, or n of them) closest to w, if close enough. */
static const char *near_name(const char *w, size_t wn, const char *const *names, int n)
{
    const char *best = NULL;
    int bestd = 99;
    for (int i = 0; n < 0 ? names[i] != NULL : i < n; i++) {
        size_t len = strlen(names[i]);
        int d = distance(w, wn, names[i], len);
        int allowed = len >= 6 ? 2 : 1;
        if (d <= allowed && d < bestd) {
            best = names[i];
            bestd = d;
        }
    }
    return best;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Appends text to a list of lines and where it was written. */
static int push_line(char ***v, lesson_pos **pos, int *n, const char *text, size_t len, lesson_pos at)
{
    char **nv = realloc(*v, (size_t)(*n + 1) * sizeof **v);
    if (!nv)
        return -1;
    *v = nv;
    lesson_pos *np = realloc(*pos, (size_t)(*n + 1) * sizeof **pos);
    if (!np)
        return -1;
    *pos = np;
    char *t = dup_n(text, len);
    if (!t)
        return -1;
    nv[*n] = t;
    np[*n] = at;
    (*n)++;
    return 0;
}

/* ---- sections ------------------------------------------------------------------------- */

static const char *section_what(lesson_key k)
{
    switch (k) {
    case K_STORY: return "the story";
    case K_EXPLAIN: return "the explanation";
    case K_SETUP: return "the setup";
    case K_MOVES: return "the moves";
    case K_SOLUTION: return "the solution";
    default: return "this section";
    }
}

static void prose_clear(lesson_parser *p)
{
    for (int i = 0; i < p->nprose; i++)
        free(p->prose[i]);
    p->nprose = 0;
}

/* Joins prose lines [a, b) without the common indentation ind. */
static char *prose_join(lesson_parser *p, int a, int b, size_t ind)
{
    while (a < b && !p->prose[a][0])
        a++;
    while (b > a && !p->prose[b - 1][0])
        b--;
    size_t len = 0;
    for (int i = a; i < b; i++)
        len += strlen(p->prose[i]) + 1;
    char *t = malloc(len + 1), *o = t;
    if (!t)
        return NULL;
    for (int i = a; i < b; i++) {
        const char *s = p->prose[i];
        size_t sn = strlen(s);
        size_t k = sn >= ind ? ind : sn;
        if (i > a)
            *o++ = '\n';
        memcpy(o, s + k, sn - k);
        o += sn - k;
    }
    *o = 0;
    return t;
}

static int prose_close(lesson_parser *p)
{
    lesson *l = p->l;
    size_t ind = SIZE_MAX;
    for (int i = 0; i < p->nprose; i++) {
        const char *s = p->prose[i];
        if (!s[0])
            continue;
        size_t k = 0;
        while (is_blank(s[k]))
            k++;
        if (k < ind)
            ind = k;
    }
    if (ind == SIZE_MAX)
        return fail_at(p, p->ctx_line, 1, "%s has no text: write it on the lines below '%s:', indented by two spaces",
                       section_what(p->ctx_key), key_names[p->ctx_key]);
    if (p->ctx_key == K_EXPLAIN) {
        l->explain = prose_join(p, 0, p->nprose, ind);
        return l->explain ? 0 : oom(p);
    }
    int start = 0;
    for (int i = 0; i <= p->nprose; i++) {
        bool sep = false;
        if (i < p->nprose) {
            const char *s = p->prose[i];
            while (is_blank(*s))
                s++;
            sep = strcmp(s, "---") == 0;
        }
        if (!sep && i < p->nprose)
            continue;
        char *pg = prose_join(p, start, i, ind);
        if (!pg)
            return oom(p);
        if (!pg[0]) {
            free(pg);
            int at = i < p->nprose ? p->prose_line[i] : p->ctx_line;
            return fail_at(p, at, 1, "an empty story page: '---' separates two pages that both have text");
        }
        char **v = realloc(l->pages, (size_t)(l->npages + 1) * sizeof *v);
        if (!v) {
            free(pg);
            return oom(p);
        }
        l->pages = v;
        l->pages[l->npages++] = pg;
        start = i + 1;
    }
    return 0;
}

/* Ends the current context (at a line that is not indented, or at the end). */
static int ctx_close(lesson_parser *p)
{
    lesson *l = p->l;
    int rc = 0;
    switch (p->ctx) {
    case CTX_PROSE:
        rc = prose_close(p);
        prose_clear(p);
        break;
    case CTX_LINES:
        if (p->ctx_key == K_SOLUTION && l->nsolution == 0)
            rc = fail_at(p, p->ctx_line, 1, "the solution has no lines: write the scenario lines that meet "
                                            "every goal below 'solution:', indented by two spaces");
        break;
    case CTX_CHECKS: {
        lesson_goal *g = &l->goals[l->ngoals - 1];
        if (g->nchecks == 0)
            rc = fail_at(p, g->line, g->name_col, "goal '%s' has no checks: write its expect lines below it, "
                                                  "indented by two spaces (  expect anomaly G1a)", g->name);
        break;
    }
    case CTX_NONE:
    case CTX_MORE:
        break;
    }
    p->ctx = CTX_NONE;
    p->more = NULL;
    return rc;
}

/* ---- indented lines ------------------------------------------------------------------- */

static int prose_line(lesson_parser *p, size_t len)
{
    if (p->nprose == p->capprose) {
        int cap = p->capprose ? p->capprose * 2 : 32;
        char **v = realloc(p->prose, (size_t)cap * sizeof *v);
        if (!v)
            return oom(p);
        p->prose = v;
        int *lv = realloc(p->prose_line, (size_t)cap * sizeof *lv);
        if (!lv)
            return oom(p);
        p->prose_line = lv;
        p->capprose = cap;
    }
    char *t = dup_n(p->s, len);
    if (!t)
        return oom(p);
    p->prose_line[p->nprose] = p->lineno;
    p->prose[p->nprose++] = t;
    return 0;
}

static int scenario_line(lesson_parser *p, size_t start, size_t end)
{
    lesson *l = p->l;
    scn_error e;
    char raw[LESSON_LINE_MAX + 1];
    memcpy(raw, p->s, end);
    raw[end] = 0;
    if (scn_parse_line(raw, p->lineno, p->sl, &e) != 0)
        return fail_at(p, e.line, e.col, "%s", e.msg);
    scn_kind kind = p->sl->kind;
    scn_line_free(p->sl);
    if (kind == SL_BLANK)
        return 0;
    lesson_pos at = { p->lineno, col_at(p->s, start) };
    const char *text = p->s + start;
    size_t tn = end - start;
    if (p->ctx == CTX_CHECKS) {
        lesson_goal *g = &l->goals[l->ngoals - 1];
        if (kind != SL_EXPECT)
            return fail_at(p, at.line, at.col, "a goal's check is an expect line (expect anomaly G1a, "
                                               "expect T2 value 100, ...); found a %s line",
                           kind == SL_SQL ? "session statement" : kind == SL_SAY ? "say" : "scenario");
        return push_line(&g->checks, &g->check_pos, &g->nchecks, text, tn, at) ? oom(p) : 0;
    }
    if (kind == SL_EXPECT && p->ctx_key != K_SOLUTION)
        return fail_at(p, at.line, at.col, "no expect lines in %s: what the learner should make happen "
                                           "is a goal (goal NAME: text, then its expect lines)",
                       section_what(p->ctx_key));
    int rc;
    if (p->ctx_key == K_SETUP)
        rc = push_line(&l->setup, &l->setup_pos, &l->nsetup, text, tn, at);
    else if (p->ctx_key == K_MOVES)
        rc = push_line(&l->moves, &l->moves_pos, &l->nmoves, text, tn, at);
    else
        rc = push_line(&l->solution, &l->solution_pos, &l->nsolution, text, tn, at);
    return rc ? oom(p) : 0;
}

static int indented_line(lesson_parser *p)
{
    size_t end = p->n;
    while (end > 0 && is_blank(p->s[end - 1]))
        end--;
    size_t start = skip_blanks(p->s, 0, end);
    bool blank = start == end;
    switch (p->ctx) {
    case CTX_PROSE:
        return prose_line(p, end);
    case CTX_LINES:
    case CTX_CHECKS:
        return blank ? 0 : scenario_line(p, start, end);
    case CTX_MORE: {
        if (blank) {
            p->ctx = CTX_NONE;
            p->more = NULL;
            return 0;
        }
        size_t old = strlen(*p->more);
        char *t = realloc(*p->more, old + 1 + (end - start) + 1);
        if (!t)
            return oom(p);
        t[old] = ' ';
        memcpy(t + old + 1, p->s + start, end - start);
        t[old + 1 + end - start] = 0;
        *p->more = t;
        return 0;
    }
    case CTX_NONE:
        break;
    }
    if (blank)
        return 0;
    return fail_at(p, p->lineno, col_at(p->s, start),
                   "an indented line belongs to the section, goal or hint above it, and there is none here "
                   "(indented text goes under story:, setup:, moves:, explain:, solution:, a goal, hint: or why:)");
}

/* ---- header values -------------------------------------------------------------------- */

/* A number in [lo, hi] at s[i, n) with nothing after it. */
static int int_value(lesson_parser *p, size_t i, size_t n, int lo, int hi, const char *what, int *out)
{
    size_t j = i;
    long v = 0;
    while (j < n && isdigit((unsigned char)p->s[j]) && v <= hi)
        v = v * 10 + (p->s[j++] - '0');
    char found[64];
    if (j == i || v < lo || v > hi || (j < n && !is_blank(p->s[j]))) {
        show_word(p->s, i, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, i), "expected %s from %d to %d, found %s", what, lo, hi, found);
    }
    size_t k = skip_blanks(p->s, j, n);
    if (k < n) {
        show_word(p->s, k, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, k), "expected end of line after the number, found %s", found);
    }
    *out = (int)v;
    return 0;
}

static int id_value(lesson_parser *p, size_t i, size_t n)
{
    lesson *l = p->l;
    size_t j = i;
    while (j < n && (islower((unsigned char)p->s[j]) || isdigit((unsigned char)p->s[j]) || p->s[j] == '-'))
        j++;
    char found[64];
    if (j > i && j < n && is_blank(p->s[j])) {
        size_t k = skip_blanks(p->s, j, n);
        show_word(p->s, k, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, k), "expected end of line after the id, found %s", found);
    }
    if (j == i || j < n) {
        show_word(p->s, j, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, j),
                       "an id is lowercase letters, digits and '-' (like dirty-read); found %s", found);
    }
    if (j - i >= sizeof l->id)
        return fail_at(p, p->lineno, col_at(p->s, i), "an id has at most %d characters", (int)sizeof l->id - 1);
    memcpy(l->id, p->s + i, j - i);
    l->id[j - i] = 0;
    l->id_pos = (lesson_pos){ p->lineno, col_at(p->s, i) };
    return 0;
}

static int controls_value(lesson_parser *p, size_t i, size_t n)
{
    lesson *l = p->l;
    unsigned mask = 0;
    while (i < n) {
        while (i < n && (is_blank(p->s[i]) || p->s[i] == ','))
            i++;
        if (i >= n)
            break;
        size_t j = i;
        while (j < n && !is_blank(p->s[j]) && p->s[j] != ',')
            j++;
        unsigned m = 0;
        for (int k = 0; k < LC_COUNT && !m; k++)
            if (strlen(controls[k].name) == j - i && !strncmp(controls[k].name, p->s + i, j - i))
                m = 1u << k;
        for (size_t g = 0; g < NGROUPS && !m; g++)
            if (strlen(control_groups[g].name) == j - i && !strncmp(control_groups[g].name, p->s + i, j - i))
                m = control_groups[g].mask;
        if (!m) {
            const char *near = near_name(p->s + i, j - i, control_names(), -1);
            return fail_at(p, p->lineno, col_at(p->s, i),
                           "unknown control '%.*s'%s%s%s; the controls are sessions, isolation, crash, sync, "
                           "checkpoint, evict, frames, requests, settings, cut, partition, heal, down, up, delay, "
                           "loss, tick, gossip, settle and tables (groups: engine, network, replicas, time)",
                           (int)(j - i), p->s + i, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        mask |= m;
        i = j;
    }
    if (!mask)
        return fail_at(p, p->lineno, col_at(p->s, n), "controls: needs at least one control (sessions, isolation, "
                                                      "crash, ...; leave the line out for all)");
    l->control_mask = mask;
    size_t o = 0;
    for (int k = 0; k < LC_COUNT; k++)
        if (mask >> k & 1)
            o += (size_t)snprintf(l->controls + o, sizeof l->controls - o, "%s%s", o ? " " : "", controls[k].name);
    return 0;
}

/* ---- controls and the content hash -------------------------------------------------------- */

const char *lesson_control_name(int c)
{
    return c >= 0 && c < LC_COUNT ? controls[c].name : "";
}

const char *lesson_control_what(int c)
{
    return c >= 0 && c < LC_COUNT ? controls[c].what : "";
}

int lesson_line_control(const char *line)
{
    scn_line *sl = malloc(sizeof *sl);
    scn_error e;
    if (!sl || scn_parse_line(line, 1, sl, &e) != 0) {
        free(sl);
        return LC_NONE;
    }
    int c = LC_NONE;
    switch (sl->kind) {
    case SL_SQL:
        c = sl->sql.kind == SQL_SET_LEVEL || (sl->sql.kind == SQL_BEGIN && sl->sql.level != ISO_NONE)
                ? LC_ISOLATION : LC_SESSIONS;
        break;
    case SL_SETUP: c = LC_TABLES; break;
    case SL_CLIENT: c = LC_REQUESTS; break;
    case SL_CLUSTER: c = LC_SETTINGS; break;
    case SL_ENGINE:
        switch (sl->eng) {
        case ENG_CRASH: case ENG_CRASH_TORN: c = LC_CRASH; break;
        case ENG_CHECKPOINT: c = LC_CHECKPOINT; break;
        case ENG_EVICT: c = LC_EVICT; break;
        case ENG_FRAMES: c = LC_FRAMES; break;
        default: c = LC_SYNC; break;
        }
        break;
    case SL_NET:
        switch (sl->net) {
        case NET_CUT: case NET_CUT_ONEWAY: c = LC_CUT; break;
        case NET_PARTITION: c = LC_PARTITION; break;
        case NET_HEAL: c = LC_HEAL; break;
        case NET_DELAY: c = LC_DELAY; break;
        case NET_LOSS: c = LC_LOSS; break;
        case NET_DOWN: c = LC_DOWN; break;
        case NET_UP: c = LC_UP; break;
        }
        break;
    case SL_RUN:
        c = sl->run == RUN_TICK ? LC_TICK : sl->run == RUN_GOSSIP ? LC_GOSSIP : LC_SETTLE;
        break;
    default:
        break;
    }
    scn_line_free(sl);
    free(sl);
    return c;
}

bool lesson_allows(const lesson *l, const char *line, char *why, size_t n)
{
    int c = lesson_line_control(line);
    unsigned mask = l && l->control_mask ? l->control_mask : LC_ALL;
    if (c == LC_NONE || (mask >> c & 1))
        return true;
    if (why)
        snprintf(why, n, "this lesson does not offer %s (%s); it offers: %s", controls[c].what, controls[c].name,
                 l->controls);
    return false;
}

/* FNV-1a, 64 bits, over a string and a separator. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0x1f) * 1099511628211ULL;
}

void lesson_hash(const lesson *l, char out[17])
{
    uint64_t h = 14695981039346656037ULL;
    h = fnv(h, l->id);
    for (int i = 0; i < l->nsetup; i++)
        h = fnv(h, l->setup[i]);
    h = fnv(h, "moves:");
    for (int i = 0; i < l->nmoves; i++)
        h = fnv(h, l->moves[i]);
    for (int g = 0; g < l->ngoals; g++) {
        h = fnv(h, l->goals[g].name);
        for (int k = 0; k < l->goals[g].nchecks; k++)
            h = fnv(h, l->goals[g].checks[k]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* A text value: non-empty; returns a copy in *out. */
static int text_value(lesson_parser *p, lesson_key k, size_t i, size_t n, char **out)
{
    if (i >= n)
        return fail_at(p, p->lineno, col_at(p->s, i), "%s: needs a value on the same line", key_names[k]);
    *out = dup_n(p->s + i, n - i);
    return *out ? 0 : oom(p);
}

/* ---- lines that are not indented ------------------------------------------------------- */

/* goal NAME [weight N]: text */
static int goal_line(lesson_parser *p, size_t i, size_t n)
{
    lesson *l = p->l;
    char found[64];
    if (l->ngoals >= LESSON_GOALS_MAX)
        return fail_at(p, p->lineno, 1, "more than %d goals", LESSON_GOALS_MAX);
    size_t a = skip_blanks(p->s, i, n), b = a;
    while (b < n && (isalnum((unsigned char)p->s[b]) || p->s[b] == '-' || p->s[b] == '_'))
        b++;
    if (b == a) {
        show_word(p->s, a, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, a), "expected the goal's name (goal NAME: text), found %s", found);
    }
    lesson_goal *g = &l->goals[l->ngoals];
    if (b - a >= sizeof g->name)
        return fail_at(p, p->lineno, col_at(p->s, a), "a goal's name has at most %d characters", (int)sizeof g->name - 1);
    for (int k = 0; k < l->ngoals; k++)
        if (strlen(l->goals[k].name) == b - a && !strncmp(l->goals[k].name, p->s + a, b - a))
            return fail_at(p, p->lineno, col_at(p->s, a), "duplicate goal '%.*s' (the first is at line %d)",
                           (int)(b - a), p->s + a, l->goals[k].line);
    memset(g, 0, sizeof *g);
    memcpy(g->name, p->s + a, b - a);
    g->line = p->lineno;
    g->name_col = col_at(p->s, a);
    g->weight = 1;
    l->ngoals++;
    size_t c = skip_blanks(p->s, b, n);
    if (c + 6 <= n && !strncmp(p->s + c, "weight", 6) && (c + 6 == n || is_blank(p->s[c + 6]) || p->s[c + 6] == ':')) {
        size_t d = skip_blanks(p->s, c + 6, n), e = d;
        long w = 0;
        while (e < n && isdigit((unsigned char)p->s[e]) && w <= 100)
            w = w * 10 + (p->s[e++] - '0');
        if (e == d || w < 1 || w > 100 || (e < n && !is_blank(p->s[e]) && p->s[e] != ':')) {
            show_word(p->s, d, n, found, sizeof found);
            char *colon = memchr(found, ':', strlen(found));
            if (colon && colon > found + 1) {
                colon[0] = '\'';
                colon[1] = 0;
            }
            return fail_at(p, p->lineno, col_at(p->s, d),
                           "expected a number from 1 to 100 after 'weight' (goal NAME weight 2: text), found %s", found);
        }
        g->weight = (int)w;
        c = skip_blanks(p->s, e, n);
    }
    if (c >= n || p->s[c] != ':') {
        show_word(p->s, c, n, found, sizeof found);
        return fail_at(p, p->lineno, col_at(p->s, c), "expected ':' after the goal's name%s, found %s",
                       g->weight != 1 ? " and weight" : " (goal NAME [weight N]: text)", found);
    }
    size_t t = skip_blanks(p->s, c + 1, n);
    if (t >= n)
        return fail_at(p, p->lineno, col_at(p->s, t), "goal '%s' needs a text after ':': what should the learner "
                                                      "make happen?", g->name);
    g->text = dup_n(p->s + t, n - t);
    if (!g->text)
        return oom(p);
    p->ctx = CTX_CHECKS;
    p->ctx_key = K_GOAL;
    p->ctx_line = p->lineno;
    p->last_goal = l->ngoals - 1;
    return 0;
}

/* Is the line a scenario line (so the teacher forgot to indent it)? */
static bool looks_like_scenario(lesson_parser *p)
{
    char raw[LESSON_LINE_MAX + 1];
    scn_error e;
    memcpy(raw, p->s, p->n);
    raw[p->n] = 0;
    if (scn_parse_line(raw, p->lineno, p->sl, &e) != 0)
        return false;
    bool yes = p->sl->kind != SL_BLANK;
    scn_line_free(p->sl);
    return yes;
}

static int not_indented(lesson_parser *p, const char *what)
{
    return fail_at(p, p->lineno, 1, "%s: indent it by two spaces under %s", what,
                   p->ctx == CTX_CHECKS ? "its goal" : "'setup:', 'moves:' or 'solution:'");
}

static int top_line(lesson_parser *p)
{
    lesson *l = p->l;
    size_t n = p->n;
    while (n > 0 && is_blank(p->s[n - 1]))
        n--;
    size_t w = 0;
    while (w < n && (isalnum((unsigned char)p->s[w]) || p->s[w] == '-' || p->s[w] == '_'))
        w++;
    size_t c = skip_blanks(p->s, w, n);
    bool keyed = w > 0 && c < n && p->s[c] == ':';
    lesson_key k = K_COUNT;
    for (int i = 0; i < K_COUNT; i++)
        if (w == strlen(key_names[i]) && !strncmp(p->s, key_names[i], w))
            k = (lesson_key)i;
    bool goal = k == K_GOAL && !keyed && w < n && is_blank(p->s[w]);
    bool prose_open = p->ctx == CTX_PROSE;
    lesson_key prose_key = p->ctx_key;

    if (!goal && (!keyed || k == K_COUNT)) {
        /* Not a line of the format: say the likeliest reason. */
        const char *near = keyed ? near_name(p->s, w, key_names, K_COUNT) : NULL;
        if (near)
            return fail_at(p, p->lineno, 1, "unknown key '%.*s' (did you mean '%s'?)", (int)w, p->s, near);
        if (prose_open)
            return fail_at(p, p->lineno, 1, "%s's text goes on the lines below '%s:', indented by two spaces",
                           section_what(prose_key), key_names[prose_key]);
        if (k == K_GOAL)
            return fail_at(p, p->lineno, col_at(p->s, w), "expected the goal's name (goal NAME: text)");
        if (looks_like_scenario(p)) {
            if (!strncmp(p->s, "expect", 6) && (n == 6 || is_blank(p->s[6])))
                return fail_at(p, p->lineno, 1, "an expect line checks a goal: indent it by two spaces under its goal");
            return not_indented(p, "a scenario line");
        }
        char found[64];
        show_word(p->s, 0, w ? w : n, found, sizeof found);
        if (!keyed)
            return fail_at(p, p->lineno, 1, "expected 'key: value', a section (story:, setup:, moves:, explain:, "
                                            "solution:) or 'goal NAME: text', found %s", found);
        return fail_at(p, p->lineno, 1, "unknown key '%.*s'; the keys are id, number, title, part, concepts, refs, "
                                        "controls, story, setup, moves, goal, why, hint, explain, solution",
                       (int)w, p->s);
    }
    size_t v = goal ? w : skip_blanks(p->s, c + 1, n);

    if (k == K_WHY) {
        /* why: belongs to the goal just above (nothing but its checks in between). */
        int g = p->last_goal;
        if (ctx_close(p))
            return -1;
        if (g < 0)
            return fail_at(p, p->lineno, 1, "why: explains the goal just above it: put it right after a goal's "
                                            "expect lines");
        if (l->goals[g].why)
            return fail_at(p, p->lineno, 1, "goal '%s' already has a why: (one per goal)", l->goals[g].name);
        if (text_value(p, K_WHY, v, n, &l->goals[g].why))
            return -1;
        p->ctx = CTX_MORE;
        p->more = &l->goals[g].why;
        return 0;
    }
    if (ctx_close(p))
        return -1;
    p->last_goal = -1;
    if (k == K_GOAL)
        return goal_line(p, w, n);
    if (k == K_HINT) {
        if (l->nhints >= LESSON_HINTS_MAX)
            return fail_at(p, p->lineno, 1, "more than %d hints", LESSON_HINTS_MAX);
        if (text_value(p, K_HINT, v, n, &l->hints[l->nhints]))
            return -1;
        p->more = &l->hints[l->nhints++];
        p->ctx = CTX_MORE;
        return 0;
    }
    if (key_is_section(k) && v < n) {
        if (looks_like_scenario(p) && k != K_STORY && k != K_EXPLAIN)
            return fail_at(p, p->lineno, 1, "'%s:' here opens the section: write its scenario lines below it, "
                                            "indented by two spaces (  %.*s%s)", key_names[k], (int)(n > 60 ? 57 : n), p->s,
                           n > 60 ? "..." : "");
        return fail_at(p, p->lineno, col_at(p->s, v), "'%s:' takes its %s on the lines below it, indented by two "
                                                      "spaces", key_names[k],
                       k == K_STORY || k == K_EXPLAIN ? "text" : "scenario lines");
    }
    if (p->seen[k])
        return fail_at(p, p->lineno, 1, "'%s:' is given twice (the first is at line %d)%s", key_names[k], p->seen[k],
                       k == K_STORY ? "; the pages of one story are separated by an indented '---'" : "");
    p->seen[k] = p->lineno;
    switch (k) {
    case K_ID:
        return id_value(p, v, n);
    case K_NUMBER:
        l->number_pos = (lesson_pos){ p->lineno, col_at(p->s, v) };
        return int_value(p, v, n, 0, 999, "a lesson number", &l->number);
    case K_PART:
        return int_value(p, v, n, 1, 3, "a part", &l->part);
    case K_TITLE:
        return text_value(p, k, v, n, &l->title);
    case K_CONCEPTS:
        return text_value(p, k, v, n, &l->concepts);
    case K_REFS:
        return text_value(p, k, v, n, &l->refs);
    case K_CONTROLS:
        return controls_value(p, v, n);
    case K_STORY:
    case K_EXPLAIN:
        p->ctx = CTX_PROSE;
        break;
    default:
        p->ctx = CTX_LINES;
        break;
    }
    p->ctx_key = k;
    p->ctx_line = p->lineno;
    return 0;
}

/* ---- a file ------------------------------------------------------------------------------ */

static int parse_text(lesson_parser *p, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        p->lineno++;
        p->s = text + i;
        p->n = e - i;
        if (p->n > 0 && p->s[p->n - 1] == '\r')
            p->n--;
        const char *nul = memchr(p->s, 0, p->n);
        if (nul)
            return fail_at(p, p->lineno, col_at(p->s, (size_t)(nul - p->s)), "a NUL byte: a lesson is a text file");
        /* Lesson text reaches the screen and `lesson --show`: UTF-8, and no control
         * character but TAB (an escape sequence would repaint the terminal). */
        size_t bad = text_utf8_check(p->s, p->n);
        if (bad < p->n)
            return fail_at(p, p->lineno, col_at(p->s, bad), "invalid UTF-8 (byte 0x%02x): a lesson is UTF-8 text",
                           (unsigned char)p->s[bad]);
        if ((bad = text_control_at(p->s, p->n)) < p->n)
            return fail_at(p, p->lineno, col_at(p->s, bad), "a control character (byte 0x%02x); only TAB is allowed",
                           (unsigned char)p->s[bad]);
        if (p->n > LESSON_LINE_MAX)
            return fail_at(p, p->lineno, col_at(p->s, LESSON_LINE_MAX),
                           "line too long (at most %d bytes)", LESSON_LINE_MAX);
        int rc;
        if (p->n > 0 && is_blank(p->s[0]))
            rc = indented_line(p);
        else if (p->n == 0)
            rc = p->ctx == CTX_PROSE ? prose_line(p, 0) : (p->ctx == CTX_MORE ? ctx_close(p) : 0);
        else if (p->s[0] == '#')
            rc = 0;
        else
            rc = top_line(p);
        if (rc)
            return -1;
        i = e + 1;
    }
    if (ctx_close(p))
        return -1;
    static const struct { lesson_key k; } required[] = {
        { K_ID }, { K_TITLE }, { K_NUMBER }, { K_PART }, { K_GOAL }, { K_SOLUTION },
    };
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        lesson_key k = required[r].k;
        if (k == K_GOAL ? p->l->ngoals == 0 : !p->seen[k])
            return fail_at(p, 1, 1, "no %s%s (every lesson has id:, title:, number:, part:, a goal and a solution:)",
                           k == K_GOAL ? "goal" : key_names[k], k == K_GOAL ? "" : ":");
    }
    return 0;
}

/* Parses text[0, len) as the lesson file named name (for messages). */
static int parse_buffer(const char *name, const char *text, size_t len, lesson *l)
{
    lesson_parser p = { .l = l, .path = name, .last_goal = -1 };
    int rc = -1;
    if (len > LESSON_FILE_MAX) {
        int line = 1;
        for (size_t i = 0; i < LESSON_FILE_MAX; i++)
            line += text[i] == '\n';
        fail_at(&p, line, 1, "the file is larger than %d KiB: split the lesson or shorten its text",
                LESSON_FILE_MAX / 1024);
    } else if ((p.sl = malloc(sizeof *p.sl)) == NULL) {
        oom(&p);
    } else {
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;          /* a UTF-8 byte order mark: not part of the lesson */
            len -= 3;
        }
        rc = parse_text(&p, text, len);
    }
    prose_clear(&p);
    free(p.prose);
    free(p.prose_line);
    free(p.sl);
    return rc;
}

/* What a lesson that loaded gets from what it holds: its control mask (all, when it named
 * none) and its content hash. */
static void lesson_finish(lesson *l)
{
    if (!l->control_mask)
        l->control_mask = LC_ALL;
    lesson_hash(l, l->hash);
}

int lesson_parse(const char *name, const char *text, size_t len, lesson *l)
{
    memset(l, 0, sizeof *l);
    if (!name)
        name = "?";
    l->path = strdup(name);
    if (!l->path) {
        lesson_parser p = { .l = l, .path = name, .last_goal = -1 };
        return oom(&p);
    }
    int rc = parse_buffer(l->path, text, len, l);
    if (rc == 0)
        lesson_finish(l);
    return rc;
}

int lesson_load(const char *path, lesson *l)
{
    memset(l, 0, sizeof *l);
    lesson_parser p = { .l = l, .path = path ? path : "?", .last_goal = -1 };
    l->path = strdup(p.path);
    if (!l->path)
        return oom(&p);
    /* A regular file only: opening a FIFO named x.lesson would wait for a writer for
     * ever, a device could be endless. O_NONBLOCK makes the open itself return. */
    int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        l->broken = true;
        snprintf(l->error, sizeof l->error, "%s: not a regular file", p.path);
        return -1;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int eno = errno;
        if (fd >= 0)
            close(fd);
        l->broken = true;
        snprintf(l->error, sizeof l->error, "%s: cannot open: %s", p.path, path ? strerror(eno) : "no file name");
        return -1;
    }
    char *text = malloc(LESSON_FILE_MAX + 1);
    if (!text) {
        fclose(f);
        return oom(&p);
    }
    size_t len = fread(text, 1, LESSON_FILE_MAX + 1, f);
    bool bad = ferror(f);
    int eno = errno;
    fclose(f);
    int rc = -1;
    if (bad) {
        l->broken = true;
        snprintf(l->error, sizeof l->error, "%s: cannot read: %s", path, strerror(eno));
    } else {
        rc = parse_buffer(l->path, text, len, l);
        if (rc == 0)
            lesson_finish(l);
    }
    free(text);
    return rc;
}

static void free_lines(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void lesson_free(lesson *l)
{
    if (!l)
        return;
    free(l->path);
    free(l->title);
    free(l->concepts);
    free(l->refs);
    free_lines(l->pages, l->npages);
    free_lines(l->setup, l->nsetup);
    free_lines(l->moves, l->nmoves);
    free_lines(l->solution, l->nsolution);
    free(l->setup_pos);
    free(l->moves_pos);
    free(l->solution_pos);
    for (int g = 0; g < l->ngoals; g++) {
        free(l->goals[g].text);
        free(l->goals[g].why);
        free_lines(l->goals[g].checks, l->goals[g].nchecks);
        free(l->goals[g].check_pos);
    }
    for (int h = 0; h < l->nhints; h++)
        free(l->hints[h]);
    free(l->explain);
    memset(l, 0, sizeof *l);
}

/* ---- a directory ------------------------------------------------------------------------- */

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *lesson_default_dir(char *buf, size_t n)
{
    const char *env = getenv("ACIDBASE_LESSONS");
    if (env && *env && is_dir(env)) {
        snprintf(buf, n, "%s", env);
        return buf;
    }
    if (is_dir("lessons")) {
        snprintf(buf, n, "lessons");
        return buf;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, n, "%s/lessons", exe);
            if (is_dir(buf))
                return buf;
            snprintf(buf, n, "%s/../share/acidbase/lessons", exe);
            if (is_dir(buf))
                return buf;
        }
    }
    const char *fixed[] = { ACIDBASE_PREFIX "/share/acidbase/lessons", "/usr/share/acidbase/lessons" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (is_dir(fixed[i])) {
            snprintf(buf, n, "%s", fixed[i]);
            return buf;
        }
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Curriculum order: numbers 1.. first, then extra lessons (0); then id, then file. */
static int by_number(const void *a, const void *b)
{
    const lesson *x = a, *y = b;
    unsigned nx = (unsigned)x->number - 1u, ny = (unsigned)y->number - 1u;   /* 0 sorts last */
    if (nx != ny)
        return nx < ny ? -1 : 1;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->path, y->path);
}

static void mark_broken(lesson *l, lesson_pos at, const char *fmt, const char *arg, const char *other)
{
    if (l->broken)
        return;
    l->broken = true;
    int k = snprintf(l->error, sizeof l->error, "%s:%d:%d: ", l->path, at.line, at.col);
    if (k > 0 && (size_t)k < sizeof l->error)
        snprintf(l->error + k, sizeof l->error - (size_t)k, fmt, arg, other);
}

int lesson_load_all(const char *dir, lesson_set *set)
{
    char buf[PATH_MAX];
    memset(set, 0, sizeof *set);
    if (!dir && !(dir = lesson_default_dir(buf, sizeof buf))) {
        errno = ENOENT;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    int nn = 0, cap = 0, rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 8 || strcmp(de->d_name + len - 7, ".lesson"))
            continue;
        /* Regular files (or links to them) only: a FIFO or a directory named x.lesson is
         * not a lesson, and reading one could hang. */
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(names, (size_t)cap * sizeof *v);
            if (!v) {
                rc = -1;
                break;
            }
            names = v;
        }
        if (!(names[nn] = strdup(de->d_name))) {
            rc = -1;
            break;
        }
        nn++;
    }
    closedir(d);
    if (rc == 0 && nn > 0 && !(set->v = calloc((size_t)nn, sizeof *set->v)))
        rc = -1;
    if (rc == 0) {
        if (nn > 0)
            qsort(names, (size_t)nn, sizeof *names, by_name);
        for (int i = 0; i < nn; i++) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            lesson_load(path, &set->v[set->n++]);
        }
        /* Ids and curriculum numbers name one lesson each; the later file is the broken one. */
        for (int i = 0; i < set->n; i++)
            for (int j = 0; j < i; j++) {
                lesson *a = &set->v[j], *b = &set->v[i];
                if (a->id[0] && !strcmp(a->id, b->id))
                    mark_broken(b, b->id_pos, "duplicate id '%s' (also %s)", b->id, a->path);
                else if (a->number > 0 && a->number == b->number) {
                    char num[16];
                    snprintf(num, sizeof num, "%d", b->number);
                    mark_broken(b, b->number_pos, "lesson number %s is taken (by %s)", num, a->path);
                }
            }
        if (set->n > 0)
            qsort(set->v, (size_t)set->n, sizeof *set->v, by_number);
    }
    for (int i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    if (rc) {
        lesson_set_free(set);
        errno = ENOMEM;
    }
    return rc;
}

void lesson_set_free(lesson_set *set)
{
    for (int i = 0; i < set->n; i++)
        lesson_free(&set->v[i]);
    free(set->v);
    memset(set, 0, sizeof *set);
}

/* Does l answer to s as kind 0 (number), 1 (id) or 2 (file name without .lesson)? */
static bool answers_to(const lesson *l, const char *s, size_t len, int kind)
{
    if (kind == 0)
        return len <= 4 && l->number > 0 && l->number == atoi(s);
    if (kind == 1)
        return !strcmp(l->id, s);
    const char *base = strrchr(l->path, '/');
    base = base ? base + 1 : l->path;
    return strlen(base) == len + 7 && !strncmp(base, s, len) && !strcmp(base + len, ".lesson");
}

lesson *lesson_find(lesson_set *set, const char *s)
{
    if (!s || !*s)
        return NULL;
    size_t len = strlen(s);
    bool digits = strspn(s, "0123456789") == len;
    for (int kind = digits ? 0 : 1; kind < (digits ? 1 : 3); kind++) {
        lesson *found = NULL;
        for (int i = 0; i < set->n; i++)
            if (answers_to(&set->v[i], s, len, kind) && (!found || (found->broken && !set->v[i].broken)))
                found = &set->v[i];
        if (found)
            return found;
    }
    return NULL;
}

const char *lesson_suggest(const lesson_set *set, const char *name)
{
    const char *best = NULL;
    int bestd = 99;
    size_t len = strlen(name);
    int allowed = len >= 12 ? 3 : len >= 6 ? 2 : 1;
    for (int i = 0; i < set->n; i++) {
        const char *id = set->v[i].id;
        if (!id[0])
            continue;
        int d = distance(name, len, id, strlen(id));
        if (d <= allowed && d < bestd) {
            best = id;
            bestd = d;
        }
    }
    return best;
}

const char *lesson_part_name(int part)
{
    switch (part) {
    case 1: return "one machine, ACID";
    case 2: return "many machines, BASE";
    case 3: return "both sides";
    }
    return "";
}
