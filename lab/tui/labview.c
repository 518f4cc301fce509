/*
 * labview.c: the lab's view. Layouts: side by side (ACID left, BASE right) from 150x36 up;
 * stacked (one pane at a time, Tab switches) from 80x24; below that the "too small" view
 * (help.c) takes over, and this one comes back when the terminal grows.
 *
 * A frame draws each window whose picture may have changed (werase, draw; see pane_stale),
 * then wnoutrefresh for all; the loop does the one doupdate. The event log shows the
 * runner's records (app.h), coloured by their kind and outcome.
 */
#include "ui.h"
#include "panes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void del(WINDOW **w)
{
    if (*w)
        delwin(*w);
    *w = NULL;
}

void del_windows(tui *t)
{
    del(&t->title);
    del(&t->left);
    del(&t->right);
    del(&t->bl);
    del(&t->br);
    del(&t->status);
}

/* The lab view's resize: windows for the terminal's size (layout 0 when too small). */
void relayout(tui *t)
{
    t->screen_gen++;
    del_windows(t);
    getmaxyx(stdscr, t->rows, t->cols);
    int R = t->rows, C = t->cols;
    if (C >= 150 && R >= 36) {
        t->layout = 2;
        int bottom = R >= 44 ? 12 : 9;
        int ph = R - 2 - bottom, lw = C / 2;
        t->title = newwin(1, C, 0, 0);
        t->left = newwin(ph, lw, 1, 0);
        t->right = newwin(ph, C - lw, 1, lw);
        t->bl = newwin(bottom, lw, 1 + ph, 0);
        t->br = newwin(bottom, C - lw, 1 + ph, lw);
        t->status = newwin(1, C, R - 1, 0);
    } else if (C >= 80 && R >= 24) {
        t->layout = 1;
        int bottom = R >= 30 ? 8 : 6;
        t->title = newwin(1, C, 0, 0);
        t->left = newwin(R - 2 - bottom, C, 1, 0);
        t->bl = newwin(bottom, C, R - 1 - bottom, 0);
        t->status = newwin(1, C, R - 1, 0);
    } else {
        t->layout = 0;
    }
}

static void draw_title(tui *t, WINDOW *w, const char *where)
{
    werase(w);
    wbkgdset(w, tui_attr(&t->c, R_TITLE));
    werase(w);
    int cols = getmaxx(w);
    int lw = tui_put(&t->c, w, 0, 1, cols - 2, R_TITLE, "acidbase lab  %s", where);
    /* The right side, as much of it as fits beside the left. */
    char right[3][128];
    cluster *cl = the_cluster(t);
    unsigned long long tick = cl ? cluster_now(cl) : 0;
    snprintf(right[0], sizeof right[0], "tick %llu  seed %llu  %s%s  ? help  q quit ", tick,
             (unsigned long long)t->o.seed, t->playing ? "playing" : "paused", t->c.present ? "  classroom" : "");
    snprintf(right[1], sizeof right[1], "tick %llu  %s  ? help ", tick, t->playing ? "playing" : "paused");
    snprintf(right[2], sizeof right[2], "? help ");
    for (int i = 0; i < 3; i++) {
        int rw = tui_width(right[i]);
        if (1 + lw + 2 + rw <= cols) {
            tui_put(&t->c, w, 0, cols - rw, rw, R_TITLE, "%s", right[i]);
            break;
        }
    }
    wbkgdset(w, A_NORMAL);
}

/* Word-wraps text into at most maxl lines from row y; returns the rows used. */
static int wrap(tui *t, WINDOW *w, int y, int x, int wd, int maxl, tui_role r, const char *text)
{
    int used = 0;
    const char *p = text;
    while (*p && used < maxl) {
        int len = (int)strlen(p), cut = len;
        if (tui_width(p) > wd) {
            /* The longest prefix of whole words that fits. */
            cut = 0;
            for (int i = 0; i < len; i++)
                if (p[i] == ' ') {
                    char tmp[1024];
                    snprintf(tmp, sizeof tmp, "%.*s", i, p);
                    if (tui_width(tmp) > wd)
                        break;
                    cut = i;
                }
            if (cut == 0)
                cut = wd < len ? wd : len;
        }
        bool last = used == maxl - 1 && cut < len;
        tui_put(&t->c, w, y + used, x, wd, r, "%.*s%s", cut, p, last ? " …" : "");
        used++;
        p += cut;
        while (*p == ' ')
            p++;
    }
    return used;
}

/* Wraps a multi-line text (story pages keep their line breaks). */
static int wrap_text(tui *t, WINDOW *w, int y, int x, int wd, int maxl, tui_role r, const char *text)
{
    int used = 0;
    char buf[1024];
    const char *p = text;
    while (*p && used < maxl) {
        size_t len = strcspn(p, "\n");
        snprintf(buf, sizeof buf, "%.*s", (int)len, p);
        used += buf[0] ? wrap(t, w, y + used, x, wd, maxl - used, r, buf) : 1;
        p += len;
        if (*p == '\n')
            p++;
    }
    return used;
}

static void draw_goals(tui *t, WINDOW *w, int *y, int h, int wd, const lesson *l)
{
    int done = 0;
    for (int g = 0; g < l->ngoals; g++)
        done += t->met[g];
    tui_put(&t->c, w, (*y)++, 1, wd - 2, R_HEADING, "Goals %d of %d", done, l->ngoals);
    for (int g = 0; g < l->ngoals && *y < h; g++) {
        const lesson_goal *go = &l->goals[g];
        tui_put(&t->c, w, *y, 2, 2, t->met[g] ? R_OK : R_DIM, "%s", t->met[g] ? tui_glyph(&t->c, "✓", "x")
                                                                             : tui_glyph(&t->c, "○", "o"));
        *y += wrap(t, w, *y, 4, wd - 5, 2, t->met[g] ? R_OK : R_NORMAL, go->text);
        if (t->met[g] && go->why && *y < h)
            *y += wrap(t, w, *y, 6, wd - 7, 2, R_DIM, go->why);
    }
}

static void draw_narration(tui *t, WINDOW *w, int h, int wd)
{
    int y = 0;
    lesson *l = cur_lesson(t);
    const char *n = app_narration(t->a);
    if (l) {
        tui_put(&t->c, w, y++, 1, wd - 2, R_HEADING, "%d. %s   %s", l->number, l->title,
                l->npages > 1 ? "([ ] turn the story's pages)" : "");
        bool all = l->ngoals > 0;
        for (int g = 0; g < l->ngoals; g++)
            all &= t->met[g];
        /* The story gets what the goals leave: a goal takes about two rows; once every
         * goal is met they fold into one line and the explanation takes the rest. */
        int room = t->c.present ? h - 2 : all ? h - 3 : h - 2 - 2 * l->ngoals;
        if (room < 3)
            room = 3;
        const char *text = t->hint[0] && !t->c.present ? NULL
                         : all && l->explain && !t->c.present ? l->explain
                         : (l->npages ? l->pages[t->page] : n);
        if (text)
            y += wrap_text(t, w, y, 2, wd - 3, room, R_NARRATION, text);
        else
            y += wrap(t, w, y, 2, wd - 3, room, R_WARN, t->hint);
        if (*n && y < h && !t->c.present)
            y += wrap(t, w, y, 2, wd - 3, 2, R_NARRATION, n);
        if (y < h && all && !t->c.present)
            tui_put(&t->c, w, y++, 1, wd - 2, R_OK, "Goals: all %d met %s   (:menu for the next lesson)", l->ngoals,
                    tui_glyph(&t->c, "✓", "x"));
        else if (y < h)
            draw_goals(t, w, &y, h, wd, l);
        if (t->c.present)
            return;
    } else {
        tui_put(&t->c, w, y++, 1, wd - 2, R_HEADING, "%s", "Narration");
        if (*n)
            y += wrap(t, w, y, 2, wd - 3, t->c.present ? h - 2 : 3, R_NARRATION, n);
        else
            tui_put(&t->c, w, y++, 2, wd - 3, R_DIM, "%s",
                    app_nqueued(t->a) ? "n runs the next line, 1..9 a session's next statement"
                                      : "type : and a line, e.g.  T1: BEGIN   or   n1: PUT cart apple");
    }
    if (y < h && !t->c.present) {
        tui_put(&t->c, w, y++, 1, wd - 2, R_HEADING, "Findings (%d)", t->nfindings);
        for (int i = t->nfindings - 1; i >= 0 && y < h; i--)
            y += wrap(t, w, y, 2, wd - 3, h - y < 3 ? h - y : 3, t->finding_bad[i] ? R_BAD : R_WARN, t->findings[i]);
        if (!t->nfindings && y < h)
            tui_put(&t->c, w, y++, 2, wd - 3, R_DIM, "%s", "none so far: the history is clean");
    }
}

/* An event log entry's colour, from what it is (record.h), never from its words. */
static tui_role log_role(const app_log_entry *e)
{
    switch (e->kind) {
    case REC_SAY: return R_NARRATION;
    case REC_EVENT: return R_WARN;
    case REC_ERROR: return R_BAD;
    case REC_DIRECTIVE: return R_NORMAL;
    case REC_EXPECT: return e->outcome == RO_OK ? R_OK : R_BAD;
    default:
        break;
    }
    switch (e->outcome) {
    case RO_OK: return e->kind == REC_RESULT ? R_OK : R_NORMAL;
    case RO_WAIT: return R_WARN;
    case RO_FAIL: return R_BAD;
    default: return R_NORMAL;
    }
}

static void draw_log(tui *t, WINDOW *w, int y0, int h, int wd)
{
    int n = app_nlog(t->a), added = app_last_added(t->a);
    tui_put(&t->c, w, y0, 1, wd - 2, R_HEADING, "Event log%s", t->log_scroll ? " (scrolled: PgDn)" : "");
    int rows = h - 1 - y0;
    int last = n - 1 - t->log_scroll;
    int first = last - rows + 1;
    if (first < 0)
        first = 0;
    for (int i = first, y = y0 + 1; i <= last && y < h; i++, y++) {
        const app_log_entry *e = app_log(t->a, i);
        bool fresh = i >= n - added && !t->log_scroll;
        tui_put(&t->c, w, y, 1, wd - 2, fresh ? R_ACCENT : log_role(e), "%s", e->text);
    }
}

static void draw_status(tui *t)
{
    WINDOW *w = t->status;
    werase(w);
    int cols = getmaxx(w);
    if (t->cmd_on) {
        tui_put(&t->c, w, 0, 0, 1, R_KEY, ":");
        int len = tui_width(t->cmd), start = 0;
        const char *shown = t->cmd;
        while (len > cols - 3 && shown[start]) {   /* scroll long lines */
            start++;
            len = tui_width(shown + start);
        }
        tui_put(&t->c, w, 0, 1, cols - 2, R_NORMAL, "%s", shown + start);
        curs_set(1);
        wmove(w, 0, 1 + len);
    } else {
        curs_set(0);
        if (t->msg[0])
            tui_put(&t->c, w, 0, 1, cols - 2, t->msg_bad ? R_BAD : R_DIM, "%s", t->msg);
        else
            tui_put(&t->c, w, 0, 1, cols - 2, R_DIM, "%s",
                    "1..9 step a session   n next   b back   : type a line   ? help   q quit");
    }
}

enum { SHOW_ACID, SHOW_BASE, SHOW_LOG };

/* Performance: a pane is drawn again only when something it shows may have changed, and
 * otherwise keeps its window as it is; wnoutrefresh then copies nothing and doupdate
 * compares nothing there. Returns true, after noting the new key, when the pane must be
 * drawn. A pane shows the model, which says when it changed (app_version), through the
 * attributes of the roles and the glyphs, at its size, and what each reads of the
 * selection: the ACID pane the session, the BASE pane the replica, its peer and classroom
 * mode, the event log its scrolling. A pane that comes to read more must say so here. The
 * title, the narration and the status line are drawn every frame. */
static bool pane_stale(tui *t, pane_key *last, WINDOW *w, int what)
{
    pane_key k;
    memset(&k, 0, sizeof k);
    const tui_ctx *c = &t->c;
    int n = 0;
    k.v[n++] = (uint64_t)what;
    k.v[n++] = t->a ? app_version(t->a) : 0;
    k.v[n++] = t->screen_gen;
    k.v[n++] = (uint64_t)getmaxy(w) << 32 | (uint32_t)getmaxx(w);
    k.v[n++] = (uint64_t)c->color | (uint64_t)c->ascii << 1;
    k.v[n++] = what == SHOW_ACID ? (uint64_t)(uint32_t)c->sel_session
             : what == SHOW_BASE ? (uint64_t)(uint16_t)c->sel_replica | (uint64_t)(uint16_t)c->sel_peer << 16
                                   | (uint64_t)c->present << 32
                                 : (uint64_t)(uint32_t)t->log_scroll;
    for (int r = 0; r < R__COUNT; r++)
        k.v[n++] = tui_attr(c, (tui_role)r);
    if (memcmp(&k, last, sizeof k) == 0)
        return false;
    *last = k;
    return true;
}

/* The lab view's draw: title, the two panes, narration and findings, event log, status. */
static void lab_draw(tui *t)
{
    {
        wnoutrefresh(stdscr);
        lesson *cl = cur_lesson(t);
        char where_buf[96];
        snprintf(where_buf, sizeof where_buf, "lesson %d", cl ? cl->number : 0);
        const char *where = cl ? where_buf : t->o.start == TUI_REPLAY ? "replay" : "sandbox";
        char buf[128];
        snprintf(buf, sizeof buf, "%s   %d line%s run, %d queued", where, app_nlines(t->a),
                 app_nlines(t->a) == 1 ? "" : "s", app_nqueued(t->a));
        draw_title(t, t->title, buf);
        wnoutrefresh(t->title);
        if (t->layout == 2) {
            if (pane_stale(t, &t->key_left, t->left, SHOW_ACID)) {
                werase(t->left);
                tui_acid_draw(&t->c, t->left);
            }
            wnoutrefresh(t->left);
            if (pane_stale(t, &t->key_right, t->right, SHOW_BASE)) {
                werase(t->right);
                tui_base_draw(&t->c, t->right);
            }
            wnoutrefresh(t->right);
            int bh = getmaxy(t->bl), bw = getmaxx(t->bl);
            werase(t->bl);
            tui_hline(t->bl, 0, 0, bw, &t->c);
            WINDOW *sub = derwin(t->bl, bh - 1, bw, 1, 0);
            if (sub) {
                draw_narration(t, sub, bh - 1, bw);
                delwin(sub);
            }
            wnoutrefresh(t->bl);
            if (pane_stale(t, &t->key_log, t->br, SHOW_LOG)) {
                werase(t->br);
                tui_hline(t->br, 0, 0, getmaxx(t->br), &t->c);
                draw_log(t, t->br, 1, getmaxy(t->br), getmaxx(t->br));
            }
            wnoutrefresh(t->br);
        } else {
            int show = t->c.focus == 0 ? SHOW_ACID : t->c.focus == 1 ? SHOW_BASE : SHOW_LOG;
            if (pane_stale(t, &t->key_left, t->left, show)) {
                werase(t->left);
                if (show == SHOW_ACID)
                    tui_acid_draw(&t->c, t->left);
                else if (show == SHOW_BASE)
                    tui_base_draw(&t->c, t->left);
                else
                    draw_log(t, t->left, 0, getmaxy(t->left), getmaxx(t->left));
            }
            wnoutrefresh(t->left);
            werase(t->bl);
            int bh = getmaxy(t->bl), bw = getmaxx(t->bl);
            tui_hline(t->bl, 0, 0, bw, &t->c);
            WINDOW *sub = derwin(t->bl, bh - 1, bw, 1, 0);
            if (sub) {
                draw_narration(t, sub, bh - 1, bw);
                delwin(sub);
            }
            wnoutrefresh(t->bl);
        }
        draw_status(t);
        wnoutrefresh(t->status);
    }
}

/* The lab view's keys: the command line's while it is open, else the action table's. */
static void lab_key(tui *t, int key)
{
    if (t->cmd_on)
        cmd_key(t, key);
    else
        dispatch(t, key);
}

const tui_view tui_lab_view = { "lab", lab_draw, lab_key, relayout };

