/*
 * base.c: the BASE pane, the right half of the lab's screen. It shows the replica set
 * as the engines hold it right now, top to bottom:
 *
 *   header      tick, conflict policy, gossip, and "converged" or "diverged";
 *   replicas    one box per replica (up to SHOW_MAX; the rest as a summary line), every box
 *               listing the same keys on the same rows so values compare across boxes;
 *               siblings shown with their count, tombstones as "(deleted)", a value that
 *               differs between up replicas in the warning colour;
 *   diverged    the keys that differ between up replicas, with who holds what;
 *   links       a from/to matrix (ok, cut, partition, delay, loss; one-way cuts show as one
 *               cell) beside the same facts in words; then the messages in flight;
 *   space-time  a Lamport diagram of the latest history: one column per replica, time
 *               going down, one row per message (drawn at its send, marked when it arrived
 *               or was dropped), client requests, network changes and siblings appearing
 *               and resolved in between.
 *
 * When the window is short, the diagram goes first, then box rows (keys that differ keep
 * theirs longest), then the link matrix (its facts stay, in words), then list lengths.
 *
 * It only reads: the replica set through its read-only view (base/view.h), never its
 * structs, and the tail of the history (at most SCAN_EVENTS events back, so a frame costs
 * the same after a long session). It
 * allocates nothing and keeps nothing from one frame to the next. Known limit: scenarios
 * have at most 9 replicas; a bigger cluster (benchmarks) shows 9 boxes, the selected
 * replica among them, and compares only the first DIFF_SCAN replicas for divergence.
 */
#include "panes.h"
#include "run/basectl.h"
#include "run/runner.h"
#include "base/view.h"
#include "base/wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define SHOW_MAX 9          /* replica boxes drawn */
#define KEYS_MAX 48         /* keys collected for the boxes (the first, by name) */
#define KEYS_SCAN 4096      /* keys looked at per replica per frame */
#define DIFF_SCAN 64        /* replicas compared for divergence */
#define GROUP_SCAN 4096     /* replicas looked at for partition groups */
#define FLIGHT_MAX 24       /* messages in flight listed */
#define SCAN_EVENTS 3000    /* history events looked at, newest first */
#define DIAG_EVENTS 400     /* BASE events kept for the diagram */
#define BOX_MIN_W 24
#define BOX_MAX_W 48
#define WRAP_MAX 3          /* lines a long value may take in a box */

/* ---- what a frame knows ----------------------------------------------------------- */

typedef struct bview {
    const tui_ctx *c;
    WINDOW *w;
    int W, H;
    const cluster *cl;
    hist *h;
    uint32_t n, first, shown;
    uint32_t id[SHOW_MAX];
    bool up[SHOW_MAX];
    cview_replica_info rep[SHOW_MAX];
    uint32_t nver[SHOW_MAX];          /* versions kept (all keys) */
    bool counted[SHOW_MAX];           /* nver covers every key */
    char keys[KEYS_MAX][BASE_KEY_MAX + 1];
    int nkeys;
    bool keys_more;                   /* some keys did not fit in keys[] */
    int kw, vw;                       /* key column and value widths in a box */
    int kfull[KEYS_MAX];              /* lines each key's longest value would like */
    int kh[KEYS_MAX];                 /* lines each key gets */
    bool odd[KEYS_MAX];               /* the boxes shown (down ones too) differ on it */
    bool differs[KEYS_MAX];           /* up replicas differ on it */
    int ndiff;
    bool converged, parted;
    char side[SHOW_MAX];              /* partition side letter, 0 when not parted */
} bview;

static int put(const bview *v, int y, int x, int maxw, tui_role r, const char *s)
{
    return tui_put(v->c, v->w, y, x, maxw, r, "%s", s);
}

static const char *glyph(const bview *v, const char *utf8, const char *ascii)
{
    return tui_glyph(v->c, utf8, ascii);
}

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

static bool is_gossip(int type)
{
    return type >= MSG_ROOT && type <= MSG_PUSH_BACK;    /* the exchange's six steps */
}

static const char *policy_name(base_resolve r)
{
    return r == RES_SIBLINGS ? "siblings" : r == RES_CRDT ? "crdt" : "lww";
}

/* Index of replica r among the boxes, or -1. */
static int shown_index(const bview *v, uint32_t r)
{
    return r >= v->first && r < v->first + v->shown ? (int)(r - v->first) : -1;
}

/* Key order as people read it: digit runs compare as numbers ("k2" before "k10"). */
static int natcmp(const char *a0, const char *b0)
{
    const char *a = a0, *b = b0;
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *x = a, *y = b;
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t lx = 0, ly = 0;
            while (x[lx] >= '0' && x[lx] <= '9')
                lx++;
            while (y[ly] >= '0' && y[ly] <= '9')
                ly++;
            if (lx != ly)
                return lx < ly ? -1 : 1;
            int d = strncmp(x, y, lx);
            if (d)
                return d;
            a = x + lx;
            b = y + ly;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    if (*a || *b)
        return *a ? 1 : -1;
    return strcmp(a0, b0);   /* "k01" and "k1": still two keys */
}

/* Keeps keys[] sorted and at most KEYS_MAX long (the first names win). */
static void keys_add(bview *v, const char *k)
{
    int lo = 0, hi = v->nkeys;
    while (lo < hi) {
        int mid = (lo + hi) / 2, d = natcmp(v->keys[mid], k);
        if (d == 0)
            return;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= KEYS_MAX) {
        v->keys_more = true;
        return;
    }
    if (v->nkeys == KEYS_MAX) {
        v->keys_more = true;
        v->nkeys--;
    }
    memmove(v->keys[lo + 1], v->keys[lo], (size_t)(v->nkeys - lo) * sizeof v->keys[0]);
    snprintf(v->keys[lo], sizeof v->keys[lo], "%s", k);
    v->nkeys++;
}

static bool up(const bview *v, uint32_t r)
{
    cview_replica_info x;
    return cview_replica(v->cl, r, &x) && x.up;
}

/* The state hash of key at replica r: 0 when it holds nothing. */
static uint64_t state_of(const bview *v, uint32_t r, const char *key)
{
    cview_key_info k;
    return cview_key(v->cl, r, key, &k) && k.versions ? k.state : 0;
}

static void collect(bview *v, const tui_ctx *c)
{
    v->n = cview_replicas(v->cl);
    v->shown = v->n < SHOW_MAX ? v->n : SHOW_MAX;
    v->first = 1;
    /* Keep the selected replica on screen. */
    if (c->sel_replica > SHOW_MAX && (uint32_t)c->sel_replica <= v->n)
        v->first = (uint32_t)c->sel_replica - SHOW_MAX + 1;
    for (uint32_t i = 0; i < v->shown; i++) {
        uint32_t r = v->first + i;
        v->id[i] = r;
        cview_replica(v->cl, r, &v->rep[i]);
        v->up[i] = v->rep[i].up;
        uint32_t pos = 0, seen = 0, nv = 0;
        cview_key_info k;
        while (seen < KEYS_SCAN && cview_key_next(v->cl, r, &pos, &k)) {
            keys_add(v, k.key);
            nv += k.versions;
            seen++;
        }
        v->nver[i] = nv;
        v->counted[i] = seen == v->rep[i].known;
        if (seen < v->rep[i].known)
            v->keys_more = true;
    }
    v->converged = cview_converged(v->cl);
    /* Divergence: a key differs when up replicas hold different states of it. */
    uint32_t cmp = v->n < DIFF_SCAN ? v->n : DIFF_SCAN;
    for (int i = 0; i < v->nkeys; i++) {
        bool any = false;
        uint64_t h0 = 0;
        for (uint32_t r = 1; r <= cmp && !v->differs[i]; r++) {
            if (!up(v, r))
                continue;
            uint64_t h = state_of(v, r, v->keys[i]);
            if (!any)
                h0 = h;
            else if (h != h0)
                v->differs[i] = true;
            any = true;
        }
        v->ndiff += v->differs[i];
    }
    for (int i = 0; i < v->nkeys; i++) {
        uint64_t h0 = 0;
        for (uint32_t j = 0; j < v->shown && !v->odd[i]; j++) {
            uint64_t h = state_of(v, v->id[j], v->keys[i]);
            if (j == 0)
                h0 = h;
            else
                v->odd[i] = h != h0;
        }
        v->odd[i] |= v->differs[i];
    }
    /* Partition sides, lettered in order of first appearance. */
    uint32_t scan = v->n < GROUP_SCAN ? v->n : GROUP_SCAN;
    cview_replica_info first, x;
    cview_replica(v->cl, 1, &first);
    for (uint32_t r = 2; r <= scan && !v->parted; r++)
        v->parted = cview_replica(v->cl, r, &x) && x.group != first.group;
    if (v->parted) {
        uint32_t seen[26];
        int nseen = 0;
        for (uint32_t i = 0; i < v->shown; i++) {
            uint32_t g = v->rep[i].group;
            int j = 0;
            while (j < nseen && seen[j] != g)
                j++;
            if (j == nseen && nseen < 26)
                seen[nseen++] = g;
            v->side[i] = j < 26 ? (char)('A' + j) : '?';
        }
    }
}

/* ---- header and the placeholder ------------------------------------------------------ */

static void draw_header(bview *v)
{
    const base_cfg *cfg = cview_cfg(v->cl);
    /* The verdict first: it must show however narrow the pane. */
    char st[64];
    uint32_t down = 0, which = 0;
    for (uint32_t i = 0; i < v->shown; i++)
        if (!v->up[i]) {
            down++;
            which = v->id[i];
        }
    /* Converged counts up replicas only: say so when some are down. */
    if (v->converged && down == 1 && v->n == v->shown)
        snprintf(st, sizeof st, "converged (n%" PRIu32 " down)", which);
    else if (v->converged && down)
        snprintf(st, sizeof st, "converged (%" PRIu32 " down)", down);
    else
        snprintf(st, sizeof st, "%s", v->converged ? "converged" : "diverged");
    int sw = (int)strlen(st) + 1, right = v->W - sw - 1;
    put(v, 0, imax(0, v->W - sw), sw, v->converged ? R_OK : R_WARN, st);
    char buf[256];
    const char *sep = glyph(v, " · ", " - ");
    int x = put(v, 0, 0, right, R_TITLE, " BASE ");
    snprintf(buf, sizeof buf, "  tick %" PRIu64 "%s%s%s", cview_now(v->cl), sep, policy_name(cfg->resolve), sep);
    x += put(v, 0, x, right - x, R_NORMAL, buf);
    if (cfg->gossip)
        snprintf(buf, sizeof buf, "gossip every %" PRIu32, cfg->interval);
    else
        snprintf(buf, sizeof buf, "gossip off");
    x += put(v, 0, x, right - x, cfg->gossip ? R_NORMAL : R_WARN, buf);
    if (!cfg->read_repair) {
        x += put(v, 0, x, right - x, R_NORMAL, sep);
        x += put(v, 0, x, right - x, R_WARN, "read repair off");
    }
    if (!cfg->hinted_handoff) {
        x += put(v, 0, x, right - x, R_NORMAL, sep);
        put(v, 0, x, right - x, R_WARN, "hints off");
    }
}

static void draw_placeholder(bview *v)
{
    put(v, 0, 0, v->W, R_TITLE, " BASE ");
    put(v, 0, 7, v->W - 7, R_DIM, " replica set");
    int y = v->H >= 12 ? 2 : 1, x = 2, w = v->W - 4;
    put(v, y++, x, w, R_HEADING, "no replicas yet");
    if (v->H >= 12)
        y++;
    put(v, y++, x, w, R_NORMAL, "The replica set starts at the first BASE line. Try:");
    static const char *const ex[][2] = {
        { "n1: PUT cart apple", "a write at replica n1" },
        { "n2: GET cart", "a read at n2 (stale until the copy arrives)" },
        { "net: partition n1 | n2 n3", "split the network" },
        { "cluster: replicas 5", "before the first write: five replicas" },
    };
    for (size_t i = 0; i < sizeof ex / sizeof *ex && y < v->H; i++, y++) {
        put(v, y, x + 2, 28, R_KEY, ex[i][0]);
        put(v, y, x + 31, w - 31, R_DIM, ex[i][1]);
    }
    if (y + 1 < v->H)
        put(v, y + 1, x, w, R_DIM, "Type : then any scenario line.");
}

/* ---- replica boxes ------------------------------------------------------------------- */

typedef struct grid {
    int cols, rows, bw, x0, krows, bh;
} grid;

static grid grid_for(const bview *v)
{
    grid g;
    g.cols = imin((int)v->shown, imax(1, v->W / BOX_MIN_W));
    g.rows = ((int)v->shown + g.cols - 1) / g.cols;
    g.cols = ((int)v->shown + g.rows - 1) / g.rows;
    g.bw = imin(v->W / g.cols, BOX_MAX_W);
    g.x0 = (v->W - g.cols * g.bw) / 2;
    g.krows = 1;
    g.bh = 3;
    return g;
}

/* A key at replica r, as the view tells it (versions 0 when r holds none). */
static cview_key_info key_at(const bview *v, uint32_t r, const char *key)
{
    cview_key_info k;
    cview_key(v->cl, r, key, &k);
    return k;
}

/* The value of a key at a replica: text and role. */
static tui_role value_of(const bview *v, uint32_t r, const char *key, bool differs, char *buf, size_t n)
{
    cview_key_info k = key_at(v, r, key);
    if (!k.versions) {
        snprintf(buf, n, "%s", glyph(v, "·", "."));
        return R_DIM;
    }
    bool tomb = k.tombstones == k.versions;
    if (tomb && k.versions == 1) {
        snprintf(buf, n, "(deleted)");
        return R_DIM;
    }
    cview_key_text(v->cl, r, key, buf, n);
    if (tomb)   /* several tombstones: every one shows */
        return R_DIM;
    return differs || k.versions > 1 ? R_WARN : R_NORMAL;
}

/* What follows a value: "×2" for siblings (always shown), else the version's dot (shown
 * when there is room). Returns true when it must show. */
static bool value_tail(const bview *v, uint32_t r, const char *key, char *buf, size_t n)
{
    cview_key_info k = key_at(v, r, key);
    buf[0] = 0;
    if (k.versions > 1) {
        snprintf(buf, n, "%s%" PRIu32, glyph(v, "×", "x"), k.versions);
        return true;
    }
    if (k.versions == 1 && !v->c->present && k.only.r >= 1 && k.only.r <= v->n)
        snprintf(buf, n, "n%" PRIu32 ":%" PRIu64, k.only.r, k.only.n);
    return false;
}

/* Bytes of s that fit in maxw columns, breaking after ',', '|' or ' ' when that keeps at
 * least half the line; *cols gets the width used. */
static size_t seg_fit(const char *s, int maxw, int *cols)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = strlen(s), b = 0, brk = 0;
    int w = 0, brkw = 0;
    while (b < n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + b, n - b, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&st, 0, sizeof st);
            k = 1;
            wc = '?';
        }
        int cw = wcwidth(wc);
        if (cw < 0)
            cw = 0;
        if (w + cw > maxw)
            break;
        w += cw;
        b += k;
        if (wc == ',' || wc == '|' || wc == ' ') {
            brk = b;
            brkw = w;
        }
    }
    if (b < n && brk && brkw * 2 >= maxw) {
        b = brk;
        w = brkw;
    }
    *cols = w;
    return b;
}

/* Lines a value takes at width vw, with a tail of tw columns that must show (0: none). */
static int wrap_count(const char *s, int vw, int tw)
{
    int lines = 0, cols = 0;
    while (*s) {
        size_t b = seg_fit(s, vw, &cols);
        if (!b)
            break;
        s += b;
        if (*s == ' ')
            s++;
        lines++;
    }
    if (!lines)
        lines = 1;
    if (tw && cols + 1 + tw > vw)
        lines++;
    return lines;
}

/* Draws a value in up to `lines` lines from (y, x), the tail right-aligned after it. */
static void draw_value(bview *v, int y, int x, int vw, int lines, tui_role role, const char *s,
                       const char *tail, bool must, tui_role trole)
{
    int tw = tui_width(tail), cols = 0, l = 0;
    const char *ell = glyph(v, "…", "~");
    for (; l < lines && *s; l++) {
        bool last = l == lines - 1;
        int room = last && must ? vw - tw - 1 : vw;
        size_t b = seg_fit(s, room, &cols);
        if (last && s[b]) {
            /* More than fits: cut one column earlier and say so. */
            b = seg_fit(s, room - 1, &cols);
            tui_put(v->c, v->w, y + l, x, cols, role, "%.*s", (int)b, s);
            put(v, y + l, x + cols, 1, role, ell);
            cols++;
            s += strlen(s);
            break;
        }
        tui_put(v->c, v->w, y + l, x, cols, role, "%.*s", (int)b, s);
        s += b;
        if (*s == ' ')
            s++;
        if (!*s)
            break;
    }
    if (!tw)
        return;
    if (l >= lines)
        l = lines - 1;
    if (cols + 1 + tw <= vw)
        put(v, y + l, x + vw - tw, tw, trole, tail);
    else if (must && l + 1 < lines)
        put(v, y + l + 1, x + vw - tw, tw, trole, tail);
    else if (must)
        put(v, y + l, x + vw - tw, tw, trole, tail);
}

/* Key column and value widths in a box of width bw, and the lines each key would like. */
static void measure(bview *v, int bw)
{
    int inner = bw - 4;
    v->kw = 0;
    for (int j = 0; j < v->nkeys; j++)
        v->kw = imax(v->kw, tui_width(v->keys[j]));
    v->kw = imin(v->kw, imax(4, inner / 2));
    v->vw = imax(2, inner - v->kw - 1);
    char buf[640], tail[48];
    for (int j = 0; j < v->nkeys; j++) {
        int most = 1;
        for (uint32_t i = 0; i < v->shown; i++) {
            value_of(v, v->id[i], v->keys[j], false, buf, sizeof buf);
            bool must = value_tail(v, v->id[i], v->keys[j], tail, sizeof tail);
            most = imax(most, wrap_count(buf, v->vw, must ? tui_width(tail) : 0));
        }
        v->kfull[j] = imin(most, WRAP_MAX);
    }
}

/* Content rows the boxes would like. */
static int keys_wanted(const bview *v)
{
    int n = 0;
    for (int j = 0; j < v->nkeys; j++)
        n += v->kfull[j];
    return imax(1, n);
}

/* Which keys get rows, and how many, in krows: when not all fit, keys that differ between
 * the boxes come first; then every chosen key one row, then long values more. Rows stay in
 * key order. */
static void plan_rows(bview *v, int krows)
{
    memset(v->kh, 0, sizeof v->kh);
    int left = krows;
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < v->nkeys && left > 0; j++)
            if (!v->kh[j] && (pass || v->odd[j] || v->nkeys <= krows)) {
                v->kh[j] = 1;
                left--;
            }
    for (int j = 0; j < v->nkeys && left > 0; j++)
        if (v->kh[j]) {
            int add = imin(v->kfull[j] - 1, left);
            v->kh[j] += add;
            left -= add;
        }
}

static void draw_box(bview *v, int i, int y, int x, int bw, int krows)
{
    const tui_ctx *c = v->c;
    uint32_t r = v->id[i];
    const cview_replica_info *rep = &v->rep[i];
    bool sel = c->sel_replica == (int)r, up = v->up[i];
    int bh = krows + 2;
    tui_box(v->w, y, x, bh, bw, NULL, sel ? R_KEY : up ? R_BORDER : R_DIM, c);
    char buf[640];
    snprintf(buf, sizeof buf, " n%" PRIu32 " ", r);
    int tx = x + 2;
    tx += put(v, y, tx, bw - 4, sel ? R_SELECTED : R_HEADING, buf);
    if (!up)
        tx += put(v, y, tx, x + bw - 2 - tx, R_BAD, " DOWN ");
    if (v->side[i]) {
        snprintf(buf, sizeof buf, " side %c ", v->side[i]);
        int sw = (int)strlen(buf);
        if (x + bw - 2 - sw > tx)
            put(v, y, x + bw - 2 - sw, sw, R_DIM, buf);
    }

    int inner = bw - 4, cx = x + 2, row = y + 1, have = 0;
    if (v->nkeys == 0)
        put(v, row, cx, inner, R_DIM, "(empty)");
    for (int j = 0; j < v->nkeys; j++) {
        if (!v->kh[j])
            continue;
        cview_key_info k;
        have += cview_key(v->cl, r, v->keys[j], &k);
        if (put(v, row, cx, v->kw, up ? R_NORMAL : R_DIM, v->keys[j]) < tui_width(v->keys[j]))
            put(v, row, cx + v->kw - 1, 1, R_DIM, glyph(v, "…", "~"));
        tui_role role = value_of(v, r, v->keys[j], v->differs[j], buf, sizeof buf);
        char tail[48];
        bool must = value_tail(v, r, v->keys[j], tail, sizeof tail);
        draw_value(v, row, cx + v->kw + 1, v->vw, v->kh[j], up ? role : R_DIM, buf, tail, must,
                   must && up ? R_WARN : R_DIM);
        row += v->kh[j];
    }
    /* Footer: skew, keys not listed, writes coordinated here, versions kept. */
    uint32_t hidden = rep->known > (uint32_t)have ? rep->known - (uint32_t)have : 0;
    char parts[4][48];
    int np = 0;
    if (rep->skew)
        snprintf(parts[np++], sizeof parts[0], "clock %+" PRId64, rep->skew);
    if (hidden)
        snprintf(parts[np++], sizeof parts[0], "+%" PRIu32 " key%s", hidden, hidden == 1 ? "" : "s");
    snprintf(parts[np++], sizeof parts[0], "%" PRIu64 " write%s", rep->writes, rep->writes == 1 ? "" : "s");
    if (v->counted[i])
        snprintf(parts[np++], sizeof parts[0], "%" PRIu32 " version%s", v->nver[i], v->nver[i] == 1 ? "" : "s");
    while (np > 0) {
        buf[0] = ' ';
        buf[1] = 0;
        for (int p = 0; p < np; p++) {
            strcat(buf, parts[p]);
            strcat(buf, p + 1 < np ? glyph(v, " · ", " - ") : " ");
        }
        if (tui_width(buf) <= bw - 3)
            break;
        /* The skew matters most (it explains LWW surprises): drop from the end. */
        np--;
    }
    if (np)
        put(v, y + bh - 1, x + 2, bw - 3, rep->skew ? R_WARN : R_DIM, buf);
}

static void draw_boxes(bview *v, int y, const grid *g)
{
    for (uint32_t i = 0; i < v->shown; i++) {
        int gr = (int)i / g->cols, gc = (int)i % g->cols;
        draw_box(v, (int)i, y + gr * g->bh, g->x0 + gc * g->bw, g->bw, g->krows);
    }
}

static void draw_summary(bview *v, int y)
{
    uint32_t down = 0;
    for (uint32_t r = 1; r <= v->n; r++)
        down += !up(v, r);
    uint32_t rest = v->n - v->shown;
    char buf[160];
    snprintf(buf, sizeof buf, "+%" PRIu32 " more replicas (n%" PRIu32 "..n%" PRIu32 " shown of n1..n%" PRIu32
             "); %" PRIu32 " up, %" PRIu32 " down in all",
             rest, v->first, v->first + v->shown - 1, v->n, v->n - down, down);
    put(v, y, 1, v->W - 2, down ? R_WARN : R_DIM, buf);
}

/* ---- divergence ---------------------------------------------------------------------- */

/* One line per differing key: "≠ key   n1: value   n2 n3: value". */
static int draw_diverged(bview *v, int y, int maxlines)
{
    int lines = 0, kw = 6;
    uint32_t cmp = v->n < DIFF_SCAN ? v->n : DIFF_SCAN;
    for (int i = 0; i < v->nkeys; i++)
        if (v->differs[i])
            kw = imax(kw, tui_width(v->keys[i]));
    kw = imin(kw, imax(6, v->W / 4));
    for (int i = 0; i < v->nkeys && lines < maxlines; i++) {
        if (!v->differs[i])
            continue;
        if (lines >= 1 && lines == maxlines - 1 && v->ndiff > maxlines) {
            char more[64];
            snprintf(more, sizeof more, "  +%d more keys differ", v->ndiff - lines);
            put(v, y + lines, 1, v->W - 2, R_WARN, more);
            return lines + 1;
        }
        int x = 1, row = y + lines;
        x += put(v, row, x, v->W - 1 - x, R_WARN, glyph(v, "≠ ", "!= "));
        put(v, row, x, kw, R_NORMAL, v->keys[i]);
        x += kw + 2;
        /* Group up replicas by state. */
        uint64_t hs[DIFF_SCAN];
        bool done[DIFF_SCAN + 1] = { false }, isup[DIFF_SCAN + 1] = { false };
        for (uint32_t r = 1; r <= cmp; r++) {
            hs[r - 1] = state_of(v, r, v->keys[i]);
            isup[r] = up(v, r);
        }
        for (uint32_t r = 1; r <= cmp && x < v->W - 2; r++) {
            if (done[r] || !isup[r])
                continue;
            char who[128] = "";
            size_t o = 0;
            for (uint32_t s = r; s <= cmp; s++)
                if (!done[s] && isup[s] && hs[s - 1] == hs[r - 1]) {
                    done[s] = true;
                    if (o < sizeof who - 8)
                        o += (size_t)snprintf(who + o, sizeof who - o, "%sn%" PRIu32, o ? " " : "", s);
                }
            char val[512];
            tui_role role = value_of(v, r, v->keys[i], true, val, sizeof val);
            if (!key_at(v, r, v->keys[i]).versions) {
                snprintf(val, sizeof val, "absent");
                role = R_DIM;
            }
            x += put(v, row, x, v->W - 1 - x, R_HEADING, who);
            x += put(v, row, x, v->W - 1 - x, R_NORMAL, ": ");
            x += put(v, row, x, v->W - 1 - x, role, val);
            x += put(v, row, x, v->W - 1 - x, R_NORMAL, "   ");
        }
        lines++;
    }
    if (!lines && !v->converged && maxlines > 0) {
        put(v, y, 1, v->W - 2, R_WARN,
            v->n > v->shown || v->keys_more ? "replicas differ in keys or replicas not shown"
                                            : "replicas differ (down replicas aside)");
        lines = 1;
    }
    return lines;
}

/* ---- links and messages in flight ------------------------------------------------------ */

/* How a message from a to b fares now: a short cell, words, and a role. */
static tui_role link_state(const bview *v, uint32_t a, uint32_t b, char *cell, size_t cn, char *words, size_t wn)
{
    if (a == b) {
        snprintf(cell, cn, "%s", glyph(v, "·", "."));
        snprintf(words, wn, "-");
        return R_DIM;
    }
    cview_link_info k;
    cview_link(v->cl, a, b, &k);
    if (!k.up_from || !k.up_to) {
        snprintf(cell, cn, "down");
        snprintf(words, wn, "n%" PRIu32 " down", k.up_from ? b : a);
        return R_DIM;
    }
    if (k.cut) {
        snprintf(cell, cn, "cut");
        snprintf(words, wn, "cut");
        return R_BAD;
    }
    if (!k.reachable) {
        snprintf(cell, cn, "part");
        snprintf(words, wn, "partitioned");
        return R_BAD;
    }
    uint32_t d = k.delay, l = k.loss;
    if (d == 1 && l == 0) {
        snprintf(cell, cn, "ok");
        snprintf(words, wn, "ok");
        return R_OK;
    }
    if (d != 1 && l)
        snprintf(cell, cn, "d%" PRIu32 " %" PRIu32 "%%", d, l);
    else if (d != 1)
        snprintf(cell, cn, "d%" PRIu32, d);
    else
        snprintf(cell, cn, "%" PRIu32 "%%", l);
    if (d != 1 && l)
        snprintf(words, wn, "delay %" PRIu32 ", loss %" PRIu32 "%%", d, l);
    else if (d != 1)
        snprintf(words, wn, "delay %" PRIu32, d);
    else
        snprintf(words, wn, "loss %" PRIu32 "%%", l);
    return R_WARN;
}

#define CELL_W 7

static int matrix_width(const bview *v) { return 8 + CELL_W * (int)v->shown; }

static bool sel_link(const bview *v, uint32_t a, uint32_t b)
{
    int s = v->c->sel_replica, p = v->c->sel_peer;
    return s != p && (((int)a == s && (int)b == p) || ((int)a == p && (int)b == s));
}

static void draw_matrix(bview *v, int y, int x, int maxrows)
{
    if (maxrows <= 0)
        return;
    put(v, y, x, 8, R_HEADING, "links");
    char cell[32], words[64], lab[16];
    for (uint32_t j = 0; j < v->shown; j++) {
        snprintf(lab, sizeof lab, "%s n%" PRIu32, glyph(v, "→", ">"), v->id[j]);
        put(v, y, x + 8 + CELL_W * (int)j, CELL_W - 1, R_DIM, lab);
    }
    for (uint32_t i = 0; i < v->shown && (int)i + 1 < maxrows; i++) {
        int row = y + 1 + (int)i;
        snprintf(lab, sizeof lab, "n%" PRIu32 " %s", v->id[i], glyph(v, "→", ">"));
        put(v, row, x + 1, 7, R_DIM, lab);
        for (uint32_t j = 0; j < v->shown; j++) {
            tui_role r = link_state(v, v->id[i], v->id[j], cell, sizeof cell, words, sizeof words);
            int cx = x + 8 + CELL_W * (int)j;
            if (sel_link(v, v->id[i], v->id[j])) {
                char pad[40];
                snprintf(pad, sizeof pad, "%-6s", cell);
                put(v, row, cx - 1, 1, R_SELECTED, " ");
                put(v, row, cx, CELL_W - 1, R_SELECTED, pad);
            } else {
                put(v, row, cx, CELL_W - 1, r, cell);
            }
        }
    }
}

/* The links in words, one fact per line; returns lines drawn (or needed, when draw is false). */
static int draw_link_notes(bview *v, int y, int x, int wd, int maxlines, bool draw)
{
    int lines = 0;
    char buf[256], cell[32], wa[64], wb[64];
#define NOTE(role, ...) do { \
        if (lines < maxlines) { \
            snprintf(buf, sizeof buf, __VA_ARGS__); \
            if (draw) put(v, y + lines, x, wd, role, buf); \
        } \
        lines++; \
    } while (0)

    int s = v->c->sel_replica, p = v->c->sel_peer, sel_lines = 0;
    if (s >= 1 && p >= 1 && s != p && (uint32_t)s <= v->n && (uint32_t)p <= v->n) {
        sel_lines = 1;
        link_state(v, (uint32_t)s, (uint32_t)p, cell, sizeof cell, wa, sizeof wa);
        link_state(v, (uint32_t)p, (uint32_t)s, cell, sizeof cell, wb, sizeof wb);
        if (!strcmp(wa, wb))
            NOTE(R_SELECTED, "%sn%d %s n%d %s", glyph(v, "▸ ", "> "), s, glyph(v, "↔", "<->"), p, wa);
        else
            NOTE(R_SELECTED, "%sn%d %s n%d %s, n%d %s n%d %s", glyph(v, "▸ ", "> "), s, glyph(v, "→", "->"), p, wa,
                 p, glyph(v, "→", "->"), s, wb);
    }
    if (v->parted) {
        /* The sides of the boxes shown, in letter order. */
        size_t o = 0;
        buf[0] = 0;
        char text[200] = "";
        for (char side = 'A'; side <= 'Z'; side++) {
            bool any = false;
            for (uint32_t i = 0; i < v->shown; i++)
                if (v->side[i] == side) {
                    if (o < sizeof text - 8)
                        o += (size_t)snprintf(text + o, sizeof text - o, "%s%sn%" PRIu32,
                                              !any && o ? " | " : "", any ? " " : "", v->id[i]);
                    any = true;
                }
            if (!any)
                break;
        }
        NOTE(R_BAD, "partition  %s%s", text, v->n > v->shown ? " ..." : "");
    }
    /* A delay or loss every link shares is said once. */
    uint32_t d0 = 0, l0 = 0;
    bool same_d = true, same_l = true, first = true;
    for (uint32_t i = 0; i < v->shown; i++)
        for (uint32_t j = 0; j < v->shown; j++) {
            if (i == j)
                continue;
            cview_link_info k;
            cview_link(v->cl, v->id[i], v->id[j], &k);
            uint32_t d = k.delay, l = k.loss;
            if (first) {
                d0 = d;
                l0 = l;
                first = false;
            }
            same_d &= d == d0;
            same_l &= l == l0;
        }
    if (!first && same_d && d0 != 1)
        NOTE(R_WARN, "every link: delay %" PRIu32, d0);
    if (!first && same_l && l0)
        NOTE(R_WARN, "every link: loss %" PRIu32 "%%", l0);
    for (uint32_t i = 0; i < v->shown; i++) {
        uint32_t a = v->id[i];
        if (!v->up[i])
            NOTE(R_BAD, "n%" PRIu32 " is down: it neither sends nor receives", a);
    }
    const char *to = glyph(v, "→", "->"), *both = glyph(v, "↔", "<->");
    for (uint32_t i = 0; i < v->shown; i++)
        for (uint32_t j = i + 1; j < v->shown; j++) {
            uint32_t a = v->id[i], b = v->id[j];
            cview_link_info ab, ba;
            cview_link(v->cl, a, b, &ab);
            cview_link(v->cl, b, a, &ba);
            bool cab = ab.cut, cba = ba.cut;
            if (cab && cba)
                NOTE(R_BAD, "n%" PRIu32 " %s n%" PRIu32 " cut", a, both, b);
            else if (cab)
                NOTE(R_BAD, "n%" PRIu32 " %s n%" PRIu32 " cut (n%" PRIu32 " %s n%" PRIu32 " works)", a, to, b, b, to, a);
            else if (cba)
                NOTE(R_BAD, "n%" PRIu32 " %s n%" PRIu32 " cut (n%" PRIu32 " %s n%" PRIu32 " works)", b, to, a, a, to, b);
            if (v->parted && v->side[i] != v->side[j] && !cab && !cba && v->up[i] && v->up[j]
                && ab.reachable && ba.reachable)
                NOTE(R_OK, "n%" PRIu32 " %s n%" PRIu32 " healed across the partition", a, both, b);
            uint32_t dab = ab.delay, dba = ba.delay;
            if (!same_d || d0 == 1) {
                if (dab == dba && dab != 1)
                    NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " delay %" PRIu32, a, both, b, dab);
                else if (dab != dba) {
                    if (dab != 1)
                        NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " delay %" PRIu32, a, to, b, dab);
                    if (dba != 1)
                        NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " delay %" PRIu32, b, to, a, dba);
                }
            }
            uint32_t lab = ab.loss, lba = ba.loss;
            if (!same_l || l0 == 0) {
                if (lab == lba && lab)
                    NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " loss %" PRIu32 "%%", a, both, b, lab);
                else if (lab != lba) {
                    if (lab)
                        NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " loss %" PRIu32 "%%", a, to, b, lab);
                    if (lba)
                        NOTE(R_WARN, "n%" PRIu32 " %s n%" PRIu32 " loss %" PRIu32 "%%", b, to, a, lba);
                }
            }
        }
    if (lines == sel_lines)
        NOTE(R_OK, "every link ok");
    if (lines > maxlines && maxlines > 0 && draw) {
        snprintf(buf, sizeof buf, "+%d more", lines - maxlines + 1);
        wmove(v->w, y + maxlines - 1, x);
        for (int i = 0; i < wd && x + i < v->W; i++)
            waddch(v->w, ' ');
        put(v, y + maxlines - 1, x, wd, R_DIM, buf);
    }
#undef NOTE
    return imin(lines, maxlines);
}

typedef struct flight {
    cview_msg m[FLIGHT_MAX];
    int n;
} flight;

static void flight_visit(const cview_msg *m, void *arg)
{
    flight *f = arg;
    if (f->n < FLIGHT_MAX)
        f->m[f->n++] = *m;
}

static int draw_flight(bview *v, const flight *f, size_t total, int y, int x, int wd, int maxlines)
{
    if (maxlines <= 0)
        return 0;
    char buf[160];
    if (total == 0) {
        put(v, y, x, wd, R_HEADING, "in flight");
        put(v, y, x + 10, wd - 10, R_DIM, "nothing");
        return 1;
    }
    snprintf(buf, sizeof buf, "in flight %zu", total);
    put(v, y, x, wd, R_HEADING, buf);
    int lines = 1;
    for (int i = 0; i < f->n && lines < maxlines; i++, lines++) {
        const cview_msg *m = &f->m[i];
        int row = y + lines;
        if (lines >= 2 && lines == maxlines - 1 && (size_t)i + 1 < total) {
            snprintf(buf, sizeof buf, "  +%zu more", total - (size_t)i);
            put(v, row, x, wd, R_DIM, buf);
            lines++;
            break;
        }
        snprintf(buf, sizeof buf, "  n%" PRIu32 " %s n%" PRIu32, m->from, glyph(v, "→", "->"), m->to);
        int cx = x;
        cx += put(v, row, cx, wd, R_NORMAL, buf);
        cx = imax(cx, x + 14);
        put(v, row, cx, x + wd - cx, is_gossip(m->type) ? R_DIM : R_NORMAL, wire_type_name(m->type));
        cx += 11;
        snprintf(buf, sizeof buf, "due t%" PRIu64, m->due);
        cx += put(v, row, cx, x + wd - cx, R_WARN, buf);
        cview_link_info k;
        cview_link(v->cl, m->from, m->to, &k);
        if (!k.reachable)
            put(v, row, cx, x + wd - cx, R_BAD, "  will be dropped");
    }
    return lines;
}

/* ---- the space-time diagram ------------------------------------------------------------- */

enum { DR_MSG = 1, DR_REQ, DR_ANS, DR_NET, DR_NODE, DR_SIB };
enum { MS_FLIGHT = 0, MS_DELIVERED, MS_DROPPED };

typedef struct drow {
    uint8_t kind, type, state;
    bool nosend;                 /* its send is older than what was scanned */
    uint32_t a, b;
    uint64_t tick, end, seq, due;
    const char *text, *actor;    /* owned by the history */
    scalar key;                  /* DR_SIB */
    int64_t op, ok, counted, reqid;
} drow;

typedef struct diagram {
    drow rows[DIAG_EVENTS];
    int n;
    int slot[1024];              /* seq -> row + 1, open addressing */
    uint64_t slot_seq[1024];
} diagram;

static drow *msg_find(diagram *d, uint64_t seq)
{
    for (size_t i = (size_t)(seq * 0x9e3779b97f4a7c15ULL >> 54) & 1023;; i = (i + 1) & 1023) {
        if (!d->slot[i])
            return NULL;
        if (d->slot_seq[i] == seq)
            return &d->rows[d->slot[i] - 1];
    }
}

static void msg_index(diagram *d, uint64_t seq, int row)
{
    for (size_t i = (size_t)(seq * 0x9e3779b97f4a7c15ULL >> 54) & 1023;; i = (i + 1) & 1023)
        if (!d->slot[i]) {
            d->slot[i] = row + 1;
            d->slot_seq[i] = seq;
            return;
        }
}

static bool diagram_kind(int k)
{
    return k == EV_MSG_SEND || k == EV_MSG_DELIVER || k == EV_MSG_DROP || k == EV_REQ_INVOKE
        || k == EV_REQ_ANSWER || k == EV_NET_CHANGE || k == EV_NODE_DOWN || k == EV_NODE_UP
        || k == EV_SIBLINGS;
}

static void diagram_build(diagram *d, hist *h)
{
    size_t cnt = hist_count(h), lo = cnt > SCAN_EVENTS ? cnt - SCAN_EVENTS : 0, start = cnt;
    int found = 0;
    while (start > lo && found < DIAG_EVENTS) {
        const hist_event *e = hist_get(h, start - 1);
        if (e && e->side == SIDE_BASE && diagram_kind(e->kind))
            found++;
        start--;
    }
    for (size_t i = start; i < cnt && d->n < DIAG_EVENTS; i++) {
        const hist_event *e = hist_get(h, i);
        if (!e || e->side != SIDE_BASE || !diagram_kind(e->kind))
            continue;
        drow *r = &d->rows[d->n], *m;
        memset(r, 0, sizeof *r);
        r->tick = e->tick;
        switch (e->kind) {
        case EV_MSG_SEND:
            r->kind = DR_MSG;
            r->a = e->node;
            r->b = e->node2;
            r->type = (uint8_t)e->n[0];
            r->due = (uint64_t)e->n[2];
            r->seq = (uint64_t)e->n[3];
            r->state = MS_FLIGHT;
            msg_index(d, r->seq, d->n);
            d->n++;
            break;
        case EV_MSG_DELIVER:
        case EV_MSG_DROP:
            m = msg_find(d, (uint64_t)e->n[3]);
            if (m) {
                m->state = e->kind == EV_MSG_DELIVER ? MS_DELIVERED : MS_DROPPED;
                m->end = e->tick;
                m->text = e->text;
                break;
            }
            r->kind = DR_MSG;
            /* A delivery names the receiver first; a drop names the sender first. */
            r->a = e->kind == EV_MSG_DELIVER ? e->node2 : e->node;
            r->b = e->kind == EV_MSG_DELIVER ? e->node : e->node2;
            r->type = (uint8_t)e->n[0];
            r->seq = (uint64_t)e->n[3];
            r->state = e->kind == EV_MSG_DELIVER ? MS_DELIVERED : MS_DROPPED;
            r->end = e->tick;
            r->text = e->text;
            r->nosend = e->kind == EV_MSG_DELIVER;
            d->n++;
            break;
        case EV_REQ_INVOKE:
            r->kind = DR_REQ;
            r->a = e->node;
            r->text = e->text;
            r->actor = hist_actor(e);
            r->op = e->n[0];
            r->reqid = e->n[2];
            d->n++;
            break;
        case EV_REQ_ANSWER:
            r->kind = DR_ANS;
            r->a = e->node;
            r->text = e->text;
            r->actor = hist_actor(e);
            r->ok = e->n[0];
            r->counted = e->n[1];
            r->reqid = e->n[2];
            for (int j = d->n - 1; j >= 0; j--)
                if (d->rows[j].kind == DR_REQ && d->rows[j].reqid == r->reqid) {
                    r->op = d->rows[j].op;
                    break;
                }
            d->n++;
            break;
        case EV_NET_CHANGE:
            r->kind = DR_NET;
            r->text = e->text;
            d->n++;
            break;
        case EV_SIBLINGS:
            /* A replica now keeps several versions of a key, or is back to one. */
            r->kind = DR_SIB;
            r->a = e->node;
            r->key = e->key;
            r->counted = e->n[0];
            d->n++;
            break;
        default:
            r->kind = DR_NODE;
            r->a = e->node;
            r->ok = e->kind == EV_NODE_UP;
            d->n++;
            break;
        }
    }
}

typedef struct dgeo {
    int lm, sp, colx[SHOW_MAX], notex;
} dgeo;

static void draw_msg_row(bview *v, const dgeo *g, const drow *r, int row)
{
    int ia = shown_index(v, r->a), ib = shown_index(v, r->b);
    int xa = g->colx[ia], xb = g->colx[ib], dir = xb > xa ? 1 : -1;
    int lo = imin(xa, xb), hi = imax(xa, xb);
    tui_role role = r->state == MS_DROPPED ? R_BAD : r->state == MS_FLIGHT ? R_WARN
                  : is_gossip(r->type) ? R_DIM : R_NORMAL;
    const char *line = r->state == MS_FLIGHT ? glyph(v, "┄", ".") : glyph(v, "─", "-");
    char bar[1024];
    size_t bo = 0, gl = strlen(line);
    for (int x = lo + 1; x < hi && bo + gl < sizeof bar; x++, bo += gl)
        memcpy(bar + bo, line, gl);
    bar[bo] = 0;
    put(v, row, lo + 1, hi - lo - 1, role, bar);
    if (!r->nosend)
        put(v, row, xa, 1, role, glyph(v, "●", "o"));
    if (r->state == MS_DROPPED) {
        put(v, row, xb - dir, 1, R_BAD, glyph(v, "✗", "x"));
    } else if (r->state == MS_FLIGHT) {
        put(v, row, xb, 1, role, dir > 0 ? glyph(v, "▷", ">") : glyph(v, "◁", "<"));
    } else {
        put(v, row, xb, 1, role, dir > 0 ? glyph(v, "▶", ">") : glyph(v, "◀", "<"));
    }
    const char *name = wire_type_name(r->type);
    int nl = (int)strlen(name), space = hi - lo - 1 - (r->state == MS_DROPPED ? 1 : 0);
    bool inline_label = nl + 2 <= space;
    if (inline_label) {
        int lx = lo + 1 + (space - nl - 2) / 2 + (dir < 0 && r->state == MS_DROPPED ? 1 : 0);
        char lab[32];
        snprintf(lab, sizeof lab, " %s ", name);
        put(v, row, lx, nl + 2, role, lab);
    }
    /* The note, right of the last column: what the arrow could not say. */
    char note[128] = "";
    size_t o = 0;
    if (!inline_label)
        o += (size_t)snprintf(note + o, sizeof note - o, "%s ", name);
    tui_role nrole = R_DIM;
    if (r->state == MS_DROPPED) {
        const char *why = r->text ? r->text : "dropped";
        if (r->end != r->tick && !r->nosend)
            snprintf(note + o, sizeof note - o, "%s %s at t%" PRIu64, glyph(v, "✗", "x"), why, r->end);
        else
            snprintf(note + o, sizeof note - o, "%s %s", glyph(v, "✗", "x"), why);
        nrole = R_BAD;
    } else if (r->state == MS_FLIGHT) {
        snprintf(note + o, sizeof note - o, "due t%" PRIu64, r->due);
        nrole = R_WARN;
    } else if (r->nosend) {
        snprintf(note + o, sizeof note - o, "arrived");
    } else if (r->end > r->tick + 1) {
        snprintf(note + o, sizeof note - o, "took %" PRIu64 " ticks", r->end - r->tick);
        nrole = R_WARN;
    }
    if (note[0] && g->notex < v->W)
        put(v, row, g->notex, v->W - g->notex, nrole, note);
}

/* Text next to a replica's column, to its right, or to its left when it would not fit. */
static void put_beside(bview *v, const dgeo *g, int row, int col, tui_role role, const char *text)
{
    int tw = tui_width(text), x = g->colx[col] + 2;
    if (x + tw > v->W && g->colx[col] - 2 - tw >= g->lm)
        x = g->colx[col] - 1 - tw;
    put(v, row, x, v->W - x, role, text);
}

static void draw_diagram(bview *v, int y, int h)
{
    if (h < 3 || v->shown == 0)
        return;
    static diagram d;   /* 40 KB: kept off the stack; rebuilt every frame */
    memset(&d, 0, sizeof d);
    diagram_build(&d, v->h);

    dgeo g;
    g.lm = 5;
    int ncol = (int)v->shown;
    g.sp = (v->W - g.lm - 18) / ncol;
    g.sp = imax(4, imin(g.sp, v->W >= 120 ? 20 : 16));
    for (int i = 0; i < ncol; i++)
        g.colx[i] = g.lm + g.sp / 2 + i * g.sp;
    g.notex = g.colx[ncol - 1] + 3;

    /* Title rule, then the column labels. */
    char buf[256];
    int x = 1 + put(v, y, 1, v->W - 1, R_HEADING, "space-time ");
    snprintf(buf, sizeof buf, "%s send  %s arrive  %s dropped  %s in flight ", glyph(v, "●", "o"),
             glyph(v, "▶", ">"), glyph(v, "✗", "x"), glyph(v, "┄", "..."));
    if (x + tui_width(buf) + 2 <= v->W) {
        x += put(v, y, x, v->W - x, R_DIM, buf);
    }
    tui_hline(v->w, y, x, v->W - x, v->c);
    put(v, y + 1, 0, g.lm, R_DIM, "tick");
    for (int i = 0; i < ncol; i++) {
        snprintf(buf, sizeof buf, "n%" PRIu32, v->id[i]);
        int lw = (int)strlen(buf);
        tui_role r = v->c->sel_replica == (int)v->id[i] ? R_SELECTED : !v->up[i] ? R_BAD : R_HEADING;
        put(v, y + 1, g.colx[i] - lw / 2, lw, r, buf);
    }

    /* The rows that can be drawn: both ends shown, or no ends at all. */
    int body = h - 2, idx[DIAG_EVENTS], nidx = 0;
    for (int i = d.n - 1; i >= 0 && nidx < body; i--) {
        const drow *r = &d.rows[i];
        if (r->kind == DR_MSG && (shown_index(v, r->a) < 0 || shown_index(v, r->b) < 0 || r->a == r->b))
            continue;
        if ((r->kind == DR_REQ || r->kind == DR_ANS || r->kind == DR_NODE || r->kind == DR_SIB) &&
            shown_index(v, r->a) < 0)
            continue;
        idx[nidx++] = i;
    }
    if (nidx == 0) {
        put(v, y + 2, g.lm, v->W - g.lm, R_DIM, "no messages yet");
        return;
    }
    uint64_t last_tick = UINT64_MAX;
    const char *vt = glyph(v, "│", "|");
    for (int k = 0; k < nidx; k++) {
        const drow *r = &d.rows[idx[nidx - 1 - k]];
        int row = y + 2 + k;
        if (r->tick != last_tick) {
            snprintf(buf, sizeof buf, "%4" PRIu64, r->tick);
            put(v, row, 0, g.lm - 1, R_DIM, buf);
            last_tick = r->tick;
        }
        if (r->kind == DR_NET) {
            snprintf(buf, sizeof buf, "%s net: %s %s", glyph(v, "┈┈", "--"), r->text ? r->text : "change",
                     glyph(v, "┈┈", "--"));
            put(v, row, g.lm, v->W - g.lm, R_WARN, buf);
            continue;
        }
        for (int i = 0; i < ncol; i++)
            put(v, row, g.colx[i], 1, v->up[i] ? R_BORDER : R_DIM, vt);
        switch (r->kind) {
        case DR_MSG:
            draw_msg_row(v, &g, r, row);
            break;
        case DR_REQ: {
            int col = shown_index(v, r->a);
            put(v, row, g.colx[col], 1, R_KEY, glyph(v, "◆", "*"));
            snprintf(buf, sizeof buf, "%s%s%s", r->actor ? r->actor : "", r->actor ? ": " : "",
                     r->text ? r->text : "request");
            put_beside(v, &g, row, col, R_KEY, buf);
            break;
        }
        case DR_ANS: {
            int col = shown_index(v, r->a);
            bool read = r->op == BREQ_GET;
            const char *t = r->text ? r->text : "";
            tui_role role = !r->ok ? R_BAD : R_OK;
            put(v, row, g.colx[col], 1, role, glyph(v, "◇", "+"));
            if (!r->ok)
                snprintf(buf, sizeof buf, "%s", t);
            else if (read)
                snprintf(buf, sizeof buf, "read %s (%" PRId64 " repl%s)", t, r->counted, r->counted == 1 ? "y" : "ies");
            else
                snprintf(buf, sizeof buf, "%s (%" PRId64 " ack%s)", t, r->counted, r->counted == 1 ? "" : "s");
            put_beside(v, &g, row, col, role, buf);
            break;
        }
        case DR_SIB: {
            int col = shown_index(v, r->a);
            char key[BASE_KEY_MAX + 1];
            scalar_format(&r->key, false, key, sizeof key);
            bool sib = r->counted >= 2;
            put(v, row, g.colx[col], 1, sib ? R_WARN : R_OK, glyph(v, "◈", "%"));
            if (sib)
                snprintf(buf, sizeof buf, "%s: %" PRId64 " siblings", key, r->counted);
            else
                snprintf(buf, sizeof buf, "%s: siblings resolved", key);
            put_beside(v, &g, row, col, sib ? R_WARN : R_OK, buf);
            break;
        }
        case DR_NODE: {
            int col = shown_index(v, r->a);
            put(v, row, g.colx[col], 1, r->ok ? R_OK : R_BAD, r->ok ? glyph(v, "▲", "^") : glyph(v, "▼", "v"));
            snprintf(buf, sizeof buf, "n%" PRIu32 " %s", r->a, r->ok ? "up" : "down");
            put_beside(v, &g, row, col, r->ok ? R_OK : R_BAD, buf);
            break;
        }
        }
    }
}

/* ---- layout ------------------------------------------------------------------------------ */

#define DIAG_MIN 7          /* rows the diagram needs to be worth drawing */

/* Shares r rows between the link notes and the messages in flight. */
static void split_rows(int r, int notes_need, int fl_need, int *nr, int *fr)
{
    int f = imin(fl_need, imax(imin(fl_need, 2), r - notes_need));
    int n = imax(0, imin(notes_need, r - f));
    *nr = n;
    *fr = imax(0, r - n);
}

void tui_base_draw(const tui_ctx *c, WINDOW *w)
{
    werase(w);
    bview *v = &(bview){ 0 };
    v->c = c;
    v->w = w;
    getmaxyx(w, v->H, v->W);
    if (v->H < 1 || v->W < 8 || !c->a)
        return;
    runner *run = app_runner(c->a);
    basectl *b = run ? runner_base(run) : NULL;
    v->cl = b ? basectl_cluster(b) : NULL;
    if (!v->cl) {
        draw_placeholder(v);
        return;
    }
    v->h = runner_history(run);
    collect(v, c);
    draw_header(v);

    /* Heights, in the order they give way: the diagram, then box rows (down to two), then
     * the link matrix (its words stay), then the last box rows. */
    int gap = v->H >= 30 ? 1 : 0;
    grid g = grid_for(v);
    measure(v, g.bw);
    int sumline = v->shown < v->n ? 1 : 0;
    int dl = v->converged ? 0 : imin(v->H >= 30 ? 5 : 2, imax(1, v->ndiff));

    flight fl = { .n = 0 };
    size_t total = cview_in_flight(v->cl);
    if (total)
        cview_flight(v->cl, flight_visit, &fl);

    int mw = matrix_width(v);
    bool links = v->shown >= 2, matrix = links;
    bool beside = links && v->W - mw - 3 >= 30;
    int mrows = links ? (int)v->shown + 1 : 0;
    int notes_need = links ? draw_link_notes(v, 0, 0, 0, 64, false) : 0;
    int fl_need = total ? 1 + imin((int)total, FLIGHT_MAX) : 1;
    int notes_want = imin(notes_need, 8), fl_want = imin(fl_need, v->H >= 30 ? 8 : 4);
    int mid_full = beside ? imax(mrows, notes_want + fl_want) : mrows + notes_want + fl_want;
    int mid_words = imin(notes_need, 3) + imin(fl_need, 2);

    int want = keys_wanted(v), avail = v->H - 1;
    int krows = imin(want, v->H >= 30 ? 10 : 6);
    int other = sumline + (dl ? dl + gap : 0) + gap + mid_full;
#define BOXES(k) (g.rows * ((k) + 2))
    while (BOXES(krows) + other + gap + DIAG_MIN > avail && krows > imin(want, 3))
        krows--;
    bool with_diagram = BOXES(krows) + other + gap + DIAG_MIN <= avail;
    if (!with_diagram) {
        while (BOXES(krows) + other > avail && krows > imin(want, 2))
            krows--;
        if (BOXES(krows) + other > avail && matrix) {
            matrix = false;
            other = sumline + (dl ? dl + gap : 0) + gap + mid_words;
        }
        while (BOXES(krows) + other > avail && krows > 1)
            krows--;
        if (BOXES(krows) + other > avail)
            dl = imin(dl, 1);
    }
#undef BOXES
    g.krows = krows;
    g.bh = krows + 2;
    plan_rows(v, krows);

    int y = 1;
    draw_boxes(v, y, &g);
    y += g.rows * g.bh;
    if (sumline && y < v->H)
        draw_summary(v, y++);
    if (dl && y < v->H) {
        y += gap;
        y += draw_diverged(v, y, imin(dl, v->H - y));
    }
    if (y + gap < v->H) {
        y += gap;
        int room = v->H - y;
        if (with_diagram)
            room = imin(room, mid_full);
        int used = 0, nr, fr;
        if (matrix && mrows <= room && beside) {
            draw_matrix(v, y, 1, mrows);
            int nx = mw + 3, nw = v->W - nx;
            split_rows(room, notes_need, fl_need, &nr, &fr);
            int n1 = draw_link_notes(v, y, nx, nw, nr, true);
            int f1 = draw_flight(v, &fl, total, y + n1, nx, nw, room - n1);
            used = imax(mrows, n1 + f1);
        } else {
            if (matrix && mrows <= room) {
                draw_matrix(v, y, 1, mrows);
                used = mrows;
            }
            split_rows(room - used, links ? notes_need : 0, fl_need, &nr, &fr);
            if (links)
                used += draw_link_notes(v, y + used, 1, v->W - 1, nr, true);
            used += draw_flight(v, &fl, total, y + used, 1, v->W - 1, room - used);
        }
        y += used;
    }
    if (with_diagram && v->H - y - gap >= 4)
        draw_diagram(v, y + gap, v->H - y - gap);
}
