/*
 * menu.c: the menu view: the sandbox, the guided tour, the lessons by part with the
 * learner's progress, and the examples. Built when shown (it reads every lesson's
 * progress), not on every frame.
 */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The menu: the sandbox, the tour, the lessons by part, the examples. */
typedef struct menu_entry {
    char text[160];
    const char *file;        /* an asset to open, or NULL */
    int lesson;              /* index into the lesson set, or -1 */
    bool heading, disabled;
} menu_entry;

/* Each example names the lesson it belongs to by id; the menu shows that lesson's number,
 * whatever it is now. */
static const struct { const char *text, *file, *lesson; } examples[] = {
    { "Example: dirty read", "examples/dirty-read.scn", "dirty-read" },
    { "Example: lost update, three increments", "examples/lost-update.scn", "lost-update" },
    { "Example: deadlock", "examples/deadlock.scn", "deadlock" },
    { "Example: write skew, two doctors on call", "examples/write-skew.scn", "write-skew-and-oversell" },
    { "Example: a partition, C or A", "examples/partition.scn", "partitions-c-or-a" },
    { "Example: the shopping cart from two devices", "examples/cart.scn", "concurrent-writes" },
    { "Example: a delete comes back", "examples/resurrection.scn", "deletes-and-tombstones" },
};

static int menu_build(tui *t, menu_entry *m, int max)
{
    int n = 0;
    bool next_set = false;
#define ADD(...) do { if (n < max) { memset(&m[n], 0, sizeof m[n]); m[n].lesson = -1; __VA_ARGS__; n++; } } while (0)
    ADD(snprintf(m[n].text, sizeof m[n].text, "Sandbox: an empty lab, type any scenario line"));
    ADD(snprintf(m[n].text, sizeof m[n].text, "Guided tour: a dirty read, a deadlock, a crash, a stale read, a lost write");
        m[n].file = "tour.scn");
    static const char *parts[] = { "", "Part I: one machine, ACID", "Part II: many machines, BASE", "Part III: both sides" };
    for (int part = 1; part <= 3; part++) {
        int count = 0, done = 0;
        for (int i = 0; i < t->lessons.n; i++) {
            if (t->lessons.v[i].part != part)
                continue;
            count++;
            progress_rec rec;
            memset(&rec, 0, sizeof rec);
            if (t->pg && progress_get(t->pg, t->learner, t->lessons.v[i].id, &rec) == PROGRESS_OK)
                done += rec.status == PROGRESS_DONE;
            progress_rec_free(&rec);
        }
        if (!count)
            continue;
        /* A bar of ten cells: how much of the part is done. */
        char bar[64] = "";
        int filled = (done * 10 + count - 1) / count, o = 0;
        for (int k = 0; k < 10; k++)
            o += snprintf(bar + o, sizeof bar - (size_t)o, "%s",
                          k < filled ? tui_glyph(&t->c, "█", "#") : tui_glyph(&t->c, "░", "."));
        ADD(m[n].heading = true;
            snprintf(m[n].text, sizeof m[n].text, "%-30s %s %d of %d done", parts[part], bar, done, count));
        for (int i = 0; i < t->lessons.n; i++) {
            lesson *l = &t->lessons.v[i];
            if (l->part != part)
                continue;
            progress_rec rec;
            memset(&rec, 0, sizeof rec);
            if (t->pg && !l->broken)
                progress_get(t->pg, t->learner, l->id, &rec);
            char status[64] = "";
            if (rec.status == PROGRESS_DONE)
                snprintf(status, sizeof status, "%s done", tui_glyph(&t->c, "✓", "[x]"));
            else if (rec.status == PROGRESS_STARTED)
                snprintf(status, sizeof status, "%d of %d goals", rec.ngoals, l->ngoals);
            if (!next_set && rec.status != PROGRESS_DONE && !l->broken) {
                next_set = true;
                snprintf(status + strlen(status), sizeof status - strlen(status), "%s%s next", status[0] ? "  " : "",
                         tui_glyph(&t->c, "←", "<-"));
            }
            progress_rec_free(&rec);
            ADD(m[n].lesson = i; m[n].disabled = l->broken;
                if (l->broken) snprintf(m[n].text, sizeof m[n].text, "%2d. %.40s: broken: %.100s", l->number,
                                        l->id[0] ? l->id : "?", l->error);
                else snprintf(m[n].text, sizeof m[n].text, "%2d. %-40.40s %s", l->number, l->title, status));
        }
    }
    if (!t->lessons.n)
        ADD(m[n].disabled = true; snprintf(m[n].text, sizeof m[n].text, "Lessons: none found (lessons/ is missing)"));
    ADD(m[n].heading = true; snprintf(m[n].text, sizeof m[n].text, "Examples"));
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
        const lesson *l = lesson_find(&t->lessons, examples[i].lesson);
        ADD(if (l && !l->broken) snprintf(m[n].text, sizeof m[n].text, "%s (lesson %d)", examples[i].text, l->number);
            else snprintf(m[n].text, sizeof m[n].text, "%s", examples[i].text);
            m[n].file = examples[i].file);
    }
#undef ADD
    return n;
}

/* The menu's entries, rebuilt only after something invalidated them. */
static int menu_get(tui *t, menu_entry **m)
{
    if (!t->menu)
        t->menu = calloc(MENU_MAX, sizeof *t->menu);
    if (!t->menu) {
        *m = NULL;
        return 0;
    }
    if (!t->menu_valid) {
        t->nmenu = menu_build(t, t->menu, MENU_MAX);
        t->menu_valid = true;
    }
    *m = t->menu;
    return t->nmenu;
}

static void menu_draw(tui *t)
{
    erase();
    tui_ctx *c = &t->c;
    menu_entry *m;
    int n = menu_get(t, &m);
    int R = t->rows, C = t->cols;
    int w = C < 100 ? C - 4 : 96, x = (C - w) / 2, y = R > 40 ? 2 : 1;
    tui_put(c, stdscr, y++, x, w, R_HEADING, "%s", "acidbase lab");
    tui_put(c, stdscr, y++, x, w, R_DIM, "%s", "See ACID and BASE happen, one step at a time.");
    y++;
    /* Scroll so the selection stays on screen. */
    int rows = R - y - 2, first = 0;
    if (t->menu_sel >= rows)
        first = t->menu_sel - rows + 1;
    for (int i = first; i < n && y < R - 2; i++) {
        bool sel = i == t->menu_sel;
        if (m[i].heading)
            tui_put(c, stdscr, y++, x, w, R_HEADING, " %s", m[i].text);
        else
            tui_put(c, stdscr, y++, x, w, sel ? R_SELECTED : m[i].disabled ? R_DIM : R_NORMAL, " %s %s ",
                    sel ? tui_glyph(c, "▶", ">") : " ", m[i].text);
    }
    tui_put(c, stdscr, R - 1, x, w, t->msg_bad ? R_BAD : R_DIM, "%s",
            t->msg[0] ? t->msg : "up/down choose   Enter open   ? keys   q quit");
    wnoutrefresh(stdscr);
}

static void menu_key(tui *t, int key)
{
    if (key == '?') {
        a_help(t, key);
        return;
    }
    menu_entry *m;
    int n = menu_get(t, &m);
    if (!n)
        return;
    switch (key) {
    case KEY_UP: case 'k':
        do
            t->menu_sel = (t->menu_sel + n - 1) % n;
        while (m[t->menu_sel].heading);
        break;
    case KEY_DOWN: case 'j':
        do
            t->menu_sel = (t->menu_sel + 1) % n;
        while (m[t->menu_sel].heading);
        break;
    case '\n': case KEY_ENTER: case ' ': {
        menu_entry *e = &m[t->menu_sel];
        if (e->disabled || e->heading)
            break;
        if (e->lesson >= 0) {
            open_lesson(t, e->lesson);
            break;
        }
        char buf[512];
        const char *p = e->file ? app_asset(e->file, buf, sizeof buf) : NULL;
        if (e->file && !p) {
            say(t, true, "cannot find assets/%s", e->file);
            break;
        }
        t->cur = -1;
        open_lab(t, p);
        break;
    }
    case 'q': case 'Q':
        t->quit = true;
        break;
    default:
        break;
    }
}

const tui_view tui_menu_view = { "menu", menu_draw, menu_key, NULL };
