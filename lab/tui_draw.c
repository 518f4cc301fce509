/*
 * tui_draw.c: themes, roles, clipped UTF-8 text and boxes. See tui_draw.h.
 */
#include "tui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static const char *role_names[R__COUNT] = {
    "normal", "dim", "title", "heading", "border", "selected", "key", "ok", "warn", "bad",
    "uncommitted", "accent", "narration",
};

static short color_by_name(const char *s)
{
    static const char *names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };
    for (short i = 0; i < 8; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -1;   /* default */
}

static void builtin(tui_theme *t, bool light)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", light ? "light" : "dark");
    for (int i = 0; i < R__COUNT; i++)
        t->fg[i] = t->bg[i] = -1;
    t->fg[R_DIM] = light ? COLOR_BLACK : COLOR_WHITE;
    t->extra[R_DIM] = A_DIM;
    t->fg[R_TITLE] = light ? COLOR_WHITE : COLOR_BLACK;
    t->bg[R_TITLE] = light ? COLOR_BLUE : COLOR_CYAN;
    t->extra[R_TITLE] = A_BOLD;
    t->fg[R_HEADING] = light ? COLOR_BLUE : COLOR_CYAN;
    t->extra[R_HEADING] = A_BOLD;
    t->fg[R_BORDER] = COLOR_BLUE;
    t->fg[R_SELECTED] = light ? COLOR_WHITE : COLOR_BLACK;
    t->bg[R_SELECTED] = light ? COLOR_BLACK : COLOR_WHITE;
    t->fg[R_KEY] = light ? COLOR_BLUE : COLOR_YELLOW;
    t->extra[R_KEY] = A_BOLD;
    t->fg[R_OK] = COLOR_GREEN;
    t->fg[R_WARN] = light ? COLOR_MAGENTA : COLOR_YELLOW;
    t->fg[R_BAD] = COLOR_RED;
    t->extra[R_BAD] = A_BOLD;
    t->fg[R_UNCOMMITTED] = COLOR_MAGENTA;
    t->extra[R_UNCOMMITTED] = A_BOLD;
    t->fg[R_ACCENT] = COLOR_BLACK;
    t->bg[R_ACCENT] = COLOR_YELLOW;
    t->extra[R_NARRATION] = A_BOLD;
}

void tui_theme_load(tui_theme *t, const char *name)
{
    bool light = name && strcmp(name, "light") == 0;
    builtin(t, light);
    /* The built-in colours stand unless a theme file says otherwise. */
    char rel[64], path[1024];
    snprintf(rel, sizeof rel, "themes/%s.theme", light ? "light" : "dark");
    FILE *f = app_asset(rel, path, sizeof path) ? fopen(path, "r") : NULL;
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char role[32], fg[32], bg[32], ex[32] = "";
        if (line[0] == '#' || sscanf(line, " %31[a-z] = %31s %31s %31s", role, fg, bg, ex) < 3)
            continue;
        for (int i = 0; i < R__COUNT; i++)
            if (strcmp(role, role_names[i]) == 0) {
                t->fg[i] = color_by_name(fg);
                t->bg[i] = color_by_name(bg);
                t->extra[i] = !strcmp(ex, "bold") ? A_BOLD : !strcmp(ex, "dim") ? A_DIM
                            : !strcmp(ex, "reverse") ? A_REVERSE : !strcmp(ex, "underline") ? A_UNDERLINE : 0;
            }
    }
    fclose(f);
}

bool tui_theme_apply(const tui_theme *t)
{
    if (getenv("NO_COLOR") || !has_colors() || start_color() == ERR)
        return false;
    use_default_colors();
    for (int i = 1; i < R__COUNT; i++)
        init_pair((short)i, t->fg[i], t->bg[i]);
    return true;
}

attr_t tui_attr(const tui_ctx *c, tui_role r)
{
    if (!c->color) {
        /* Monochrome: bold for what matters, reverse for selection and changes. */
        switch (r) {
        case R_TITLE: case R_SELECTED: case R_ACCENT: return A_REVERSE;
        case R_HEADING: case R_BAD: case R_KEY: case R_UNCOMMITTED: case R_NARRATION: return A_BOLD;
        case R_DIM: return A_DIM;
        case R_WARN: return A_UNDERLINE;
        default: return A_NORMAL;
        }
    }
    attr_t extra = c->theme ? c->theme->extra[r] : 0;
    return (r ? COLOR_PAIR(r) : 0) | extra;
}

int tui_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    size_t n = strlen(s);
    while (n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, &st);
        if (k == (size_t)-1 || k == (size_t)-2) {
            memset(&st, 0, sizeof st);
            k = 1;
            wc = '?';
        }
        if (k == 0)
            break;
        int cw = wcwidth(wc);
        w += cw > 0 ? cw : 0;
        s += k;
        n -= k;
    }
    return w;
}

int tui_put(const tui_ctx *c, WINDOW *w, int y, int x, int maxw, tui_role r, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int wh, ww;
    getmaxyx(w, wh, ww);
    if (y < 0 || y >= wh || x < 0 || x >= ww || maxw <= 0)
        return 0;
    if (x + maxw > ww)
        maxw = ww - x;
    /* Cut at maxw display columns, never inside a character. Plain ASCII (most of
     * the screen) needs no decoding: one column per byte. */
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *s = buf;
    size_t n = strlen(buf), bytes = 0;
    int cols = 0;
    while (bytes < n && (unsigned char)s[bytes] < 0x80 && s[bytes] >= 0x20 && cols < maxw) {
        bytes++;
        cols++;
    }
    while (bytes < n && cols < maxw) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + bytes, n - bytes, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
            break;
        int cw = wcwidth(wc);
        if (cw < 0)
            cw = 0;
        if (cols + cw > maxw)
            break;
        cols += cw;
        bytes += k;
    }
    wattrset(w, tui_attr(c, r));
    mvwaddnstr(w, y, x, buf, (int)bytes);
    wattrset(w, A_NORMAL);
    return cols;
}

const char *tui_glyph(const tui_ctx *c, const char *utf8, const char *ascii)
{
    return c->ascii ? ascii : utf8;
}

/* n copies of a glyph as one string (borders are drawn in one call, not per cell). */
static void repeat(char *buf, size_t cap, const char *g, int n)
{
    size_t k = strlen(g), o = 0;
    for (int i = 0; i < n && o + k < cap; i++, o += k)
        memcpy(buf + o, g, k);
    buf[o < cap ? o : cap - 1] = 0;
}

void tui_hline(WINDOW *w, int y, int x, int n, const tui_ctx *c)
{
    char line[2048];
    repeat(line, sizeof line, tui_glyph(c, "─", "-"), n);
    tui_put(c, w, y, x, n, R_BORDER, "%s", line);
}

void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title, tui_role r, const tui_ctx *c)
{
    if (h < 2 || wd < 2)
        return;
    const char *tl = tui_glyph(c, "┌", "+"), *tr = tui_glyph(c, "┐", "+"), *bl = tui_glyph(c, "└", "+"),
               *br = tui_glyph(c, "┘", "+"), *hz = tui_glyph(c, "─", "-"), *vt = tui_glyph(c, "│", "|");
    char mid[2048];
    repeat(mid, sizeof mid, hz, wd - 2);
    tui_put(c, w, y, x, wd, r, "%s%s%s", tl, mid, tr);
    tui_put(c, w, y + h - 1, x, wd, r, "%s%s%s", bl, mid, br);
    for (int j = 1; j < h - 1; j++) {
        tui_put(c, w, y + j, x, 1, r, "%s", vt);
        tui_put(c, w, y + j, x + wd - 1, 1, r, "%s", vt);
    }
    if (title && *title)
        tui_put(c, w, y, x + 2, wd - 4, R_HEADING, " %s ", title);
}
