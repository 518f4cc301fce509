/*
 * draw.h: what every part of the lab's screen draws with. Colours are roles (a value
 * someone has not committed, a replica that is down, a finding), mapped to curses
 * attributes by the theme in force: dark or light (assets/themes/), monochrome when the
 * terminal has no colours or NO_COLOR is set. Boxes and arrows are UTF-8 when the locale
 * can show them, ASCII otherwise. Text is always clipped to the width it was given: a
 * drawing function never writes outside its window.
 */
#ifndef AB_TUI_DRAW_H
#define AB_TUI_DRAW_H

#include <stdbool.h>
#include <curses.h>
#include "app.h"

typedef enum {
    R_NORMAL = 0, R_DIM, R_TITLE, R_HEADING, R_BORDER, R_SELECTED, R_KEY,
    R_OK,            /* committed, up, converged, an expectation held */
    R_WARN,          /* blocked, waiting, stale, in flight */
    R_BAD,           /* aborted, deadlock, down, cut, a finding, failed */
    R_UNCOMMITTED,   /* a value an open transaction wrote */
    R_ACCENT,        /* what the last step changed */
    R_NARRATION,
    R__COUNT
} tui_role;

typedef struct tui_theme {
    char name[16];
    short fg[R__COUNT], bg[R__COUNT];
    attr_t extra[R__COUNT];      /* A_BOLD etc. */
    short pair[R__COUNT];        /* the colour pair of each role (set by tui_theme_apply) */
} tui_theme;

typedef struct tui_ctx {
    app *a;
    const tui_theme *theme;
    bool color;                  /* colours are on */
    bool ascii;                  /* no UTF-8 line drawing */
    bool present;                /* classroom mode: large, calm */
    int sel_session;             /* 1..9 */
    int sel_replica;             /* 1..n */
    int sel_peer;                /* the other end of the selected link, 1..n */
    int focus;                   /* 0 ACID, 1 BASE, 2 log (stacked layout) */
} tui_ctx;

/* Loads "dark" or "light" (from assets/themes/NAME.theme when found, else built in). */
void tui_theme_load(tui_theme *t, const char *name);
/* Starts colours for the theme (after initscr) and gives its roles their colour pairs;
 * false when monochrome. */
bool tui_theme_apply(tui_theme *t);

attr_t tui_attr(const tui_ctx *c, tui_role r);
/* Text at (y, x), at most maxw columns (UTF-8 aware), in a role; returns columns used. */
int tui_put(const tui_ctx *c, WINDOW *w, int y, int x, int maxw, tui_role r, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A box with a title in its top border. */
void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title, tui_role r, const tui_ctx *c);
void tui_hline(WINDOW *w, int y, int x, int n, const tui_ctx *c);
/* Glyphs with ASCII fallbacks. */
const char *tui_glyph(const tui_ctx *c, const char *utf8, const char *ascii);
/* Display width of a UTF-8 string (columns). */
int tui_width(const char *s);

#endif
