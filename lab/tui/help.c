/*
 * help.c: the help view (the action table's keys, then the scenario language's lines from
 * its table, grammar.h) and the view shown when the terminal is too small for the lab.
 */
#include "ui.h"
#include "run/grammar.h"

#include <stdio.h>
#include <string.h>

/* A line of the scenario language help lists: every area, and every other entry but an
 * alias. */
static bool shown(const gram_entry *e)
{
    return e->cls == G_AREA || e->list != NULL;
}

/* The help's rows: one per action, a heading, one per line of the scenario language. */
static int help_rows(void)
{
    int n = 0;
    while (tui_action((size_t)n))
        n++;
    n += 2;
    for (size_t i = 0; gram_at(i); i++)
        n += shown(gram_at(i));
    return n;
}

static void help_draw(tui *t)
{
    erase();
    tui_ctx *c = &t->c;
    int R = t->rows, C = t->cols, x = 2, y = 1;
    tui_put(c, stdscr, y++, x, C - 4, R_HEADING, "%s", "Keys (every key is a scenario line; : types any line)");
    y++;
    int row = 0;
    for (size_t i = 0; tui_action(i) && y < R - 2; i++, row++) {
        if (row < t->help_scroll)
            continue;
        tui_put(c, stdscr, y, x, 12, R_KEY, "%s", tui_action(i)->keys);
        tui_put(c, stdscr, y, x + 12, C - x - 14, R_NORMAL, "%s", tui_action(i)->what);
        y++;
    }
    if (row++ >= t->help_scroll && y < R - 2)
        y++;
    if (row++ >= t->help_scroll && y < R - 2)
        tui_put(c, stdscr, y++, x, C - 4, R_HEADING, "%s", "Scenario lines (: then the line; Tab completes)");
    for (size_t i = 0; gram_at(i) && y < R - 2; i++) {
        const gram_entry *e = gram_at(i);
        if (!shown(e) || row++ < t->help_scroll)
            continue;
        char usage[200];
        gram_usage(e, usage, sizeof usage);
        int w = C - x - 4 < 44 ? C - x - 4 : 44;
        tui_put(c, stdscr, y, x, w, R_KEY, "%s", usage);
        tui_put(c, stdscr, y, x + w + 1, C - x - w - 3, R_NORMAL, "%s", e->help);
        y++;
    }
    tui_put(c, stdscr, R - 1, x, C - 4, R_DIM, "%s", "up/down, PgUp/PgDn: scroll   any other key: back");
    wnoutrefresh(stdscr);
}

static void help_key(tui *t, int key)
{
    int jump = t->rows > 6 ? t->rows - 5 : 1, max = help_rows() - 1;
    switch (key) {
    case KEY_DOWN: t->help_scroll++; break;
    case KEY_UP: t->help_scroll--; break;
    case KEY_NPAGE: t->help_scroll += jump; break;
    case KEY_PPAGE: t->help_scroll -= jump; break;
    default:
        t->v = t->back_view;
        return;
    }
    if (t->help_scroll > max)
        t->help_scroll = max;
    if (t->help_scroll < 0)
        t->help_scroll = 0;
}

const tui_view tui_help_view = { "help", help_draw, help_key, NULL };

static void small_draw(tui *t)
{
    erase();
    const char *l1 = "Please enlarge the terminal", *l2 = "(the lab needs at least 80x24)";
    char l3[64];
    snprintf(l3, sizeof l3, "now %dx%d", t->cols, t->rows);
    int y = t->rows / 2 - 1;
    tui_put(&t->c, stdscr, y, (t->cols - (int)strlen(l1)) / 2, t->cols, R_BAD, "%s", l1);
    tui_put(&t->c, stdscr, y + 1, (t->cols - (int)strlen(l2)) / 2, t->cols, R_NORMAL, "%s", l2);
    tui_put(&t->c, stdscr, y + 2, (t->cols - (int)strlen(l3)) / 2, t->cols, R_DIM, "%s", l3);
    wnoutrefresh(stdscr);
}

/* Keys wait until the terminal is large enough again. */
static void small_key(tui *t, int key)
{
    (void)t;
    (void)key;
}

const tui_view tui_small_view = { "too small", small_draw, small_key, NULL };
