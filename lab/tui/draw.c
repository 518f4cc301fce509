/*
 * draw.c: themes, roles, clipped UTF-8 text and boxes. See draw.h.
 */
#include "draw.h"
#include "common/text.h"

#include <stdarg.h>
#include <stdint.h>
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

/* Colour pairs, one per (role, colours), each defined once and never redefined.
 * Performance: redefining a pair that is on the screen makes curses walk every cell of the
 * screen for it (_nc_change_pair); a theme switch redefined seven of them. The first theme
 * gets pairs 1..12 in role order, as it always did; switching themes gives the roles whose
 * colours differ pairs of their own, and switching back finds the first ones again. What
 * curses repaints is the same either way: the cells whose colours changed. */
enum { PAIRS_MAX = 64 };
static struct { short role, fg, bg; } pairs[PAIRS_MAX];
static int npairs;

/* The pair for a role in these colours, 0 when none is left. */
static short pair_for(int role, short fg, short bg)
{
    for (int i = 0; i < npairs; i++)
        if (pairs[i].role == role && pairs[i].fg == fg && pairs[i].bg == bg)
            return (short)(i + 1);
    if (npairs == PAIRS_MAX || npairs + 1 >= COLOR_PAIRS || init_pair((short)(npairs + 1), fg, bg) == ERR)
        return 0;
    pairs[npairs].role = (short)role;
    pairs[npairs].fg = fg;
    pairs[npairs].bg = bg;
    return (short)++npairs;
}

bool tui_theme_apply(tui_theme *t)
{
    if (getenv("NO_COLOR") || !has_colors() || start_color() == ERR)
        return false;
    use_default_colors();
    bool all = true;
    for (int i = 1; i < R__COUNT && all; i++)
        all = (t->pair[i] = pair_for(i, t->fg[i], t->bg[i])) != 0;
    if (!all) {
        /* Out of pairs: number them from 1 again, redefining (curses repaints them). */
        npairs = 0;
        for (int i = 1; i < R__COUNT; i++)
            if (!(t->pair[i] = pair_for(i, t->fg[i], t->bg[i]))) {
                t->pair[i] = (short)i;
                init_pair((short)i, t->fg[i], t->bg[i]);
            }
    }
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
    if (!r)
        return c->theme ? c->theme->extra[r] : 0;
    if (!c->theme)
        return COLOR_PAIR(r);
    return COLOR_PAIR(c->theme->pair[r] ? c->theme->pair[r] : (int)r) | c->theme->extra[r];
}

int tui_width(const char *s)
{
    /* Plain ASCII (most of what is measured) needs no decoding: one column per byte. */
    const char *a = s;
    while ((unsigned char)*a >= 0x20 && (unsigned char)*a < 0x7f)
        a++;
    if (!*a)
        return (int)(a - s);
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

/* Longest text tui_put takes (longer is cut, as vsnprintf into this buffer always did). */
#define PUT_BYTES 2048
/* Widest text the direct path below writes in one call; wider goes through waddnstr. */
#define PUT_CELLS 512

/* The character at s (n bytes left) when it is one that takes exactly one column: printable
 * ASCII, or well-formed UTF-8 of width 1 when the locale is UTF-8. Returns its length in
 * bytes, 0 for anything else (controls, wide or combining characters, bad UTF-8). */
static size_t narrow_char(const tui_ctx *c, const unsigned char *s, size_t n, wchar_t *wc)
{
    if (s[0] >= 0x20 && s[0] < 0x7f) {
        *wc = s[0];
        return 1;
    }
    if (c->ascii || s[0] < 0xc2 || s[0] > 0xf4)
        return 0;
    size_t k = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (n < k)
        return 0;
    uint32_t v = s[0] & (k == 2 ? 0x1f : k == 3 ? 0x0f : 0x07);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF: what mbrtowc refuses */
    if ((k == 3 && v < 0x800) || (k == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    if (wcwidth((wchar_t)v) != 1)
        return 0;
    *wc = (wchar_t)v;
    return k;
}

/* Performance: the text goes into the window as ready-made cells (wadd_wchnstr) instead of
 * byte by byte through waddnstr, which runs mbrtowc, wctob and unctrl on every byte. The
 * cells are the same: both paths render a plain character with the window's attributes
 * (_nc_render), and the cursor is left where waddnstr leaves it. Text the direct path does
 * not handle (controls, wide or combining characters) takes the old path, whole. */
static int put_text(const tui_ctx *c, WINDOW *w, int y, int x, int maxw, tui_role r, const char *s)
{
    int wh, ww;
    getmaxyx(w, wh, ww);
    if (y < 0 || y >= wh || x < 0 || x >= ww || maxw <= 0)
        return 0;
    if (x + maxw > ww)
        maxw = ww - x;
    size_t n = strnlen(s, PUT_BYTES - 1), bytes = 0;
    int cols = 0;
    if (maxw <= PUT_CELLS) {
        static cchar_t blank;
        static bool blank_set;
        if (!blank_set) {
            setcchar(&blank, L" ", A_NORMAL, 0, NULL);
            blank_set = true;
        }
        cchar_t cells[PUT_CELLS];
        const unsigned char *u = (const unsigned char *)s;
        while (bytes < n && cols < maxw) {
            wchar_t wc;
            size_t k = narrow_char(c, u + bytes, n - bytes, &wc);
            if (!k)
                break;
            cells[cols] = blank;
            cells[cols].chars[0] = wc;
            cols++;
            bytes += k;
        }
        if (bytes == n || cols == maxw) {
            wattrset(w, tui_attr(c, r));
            wmove(w, y, x);
            wadd_wchnstr(w, cells, cols);
            /* Where waddnstr leaves the cursor: after the text, or wrapped to the next
             * line when the text reached the right edge (on the last line it stays there). */
            if (x + cols < ww)
                wmove(w, y, x + cols);
            else if (y + 1 < wh)
                wmove(w, y + 1, 0);
            else
                wmove(w, y, ww - 1);
            wattrset(w, A_NORMAL);
            return cols;
        }
        bytes = 0;
        cols = 0;
    }
    /* Control characters and bytes that are not UTF-8 (a file name, anything read from a
     * file) are drawn escaped (text.h): waddnstr would move the cursor on a \n or \r and
     * let one text overwrite the screen's other lines. */
    char esc[PUT_BYTES];
    if (text_needs_escape(s, n)) {
        text_escape(s, n, esc, sizeof esc);
        s = esc;
        n = strlen(esc);
    }
    /* Cut at maxw display columns, never inside a character. */
    mbstate_t st;
    memset(&st, 0, sizeof st);
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
    mvwaddnstr(w, y, x, s, (int)bytes);
    wattrset(w, A_NORMAL);
    return cols;
}

int tui_put(const tui_ctx *c, WINDOW *w, int y, int x, int maxw, tui_role r, const char *fmt, ...)
{
    /* Most callers pass "%s" or a plain string: no need to format those. */
    if (!strchr(fmt, '%'))
        return put_text(c, w, y, x, maxw, r, fmt);
    va_list ap;
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
        const char *s = va_arg(ap, const char *);
        va_end(ap);
        return put_text(c, w, y, x, maxw, r, s ? s : "(null)");
    }
    char buf[PUT_BYTES];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return put_text(c, w, y, x, maxw, r, buf);
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

/* a, b and c one after the other, cut to cap - 1 bytes: snprintf's "%s%s%s" without the
 * formatting machinery. */
static void concat3(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
    const char *part[3] = { a, b, c };
    size_t o = 0;
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(part[i]);
        if (k > cap - 1 - o)
            k = cap - 1 - o;
        memcpy(buf + o, part[i], k);
        o += k;
    }
    buf[o] = 0;
}

void tui_hline(WINDOW *w, int y, int x, int n, const tui_ctx *c)
{
    char line[2048];
    repeat(line, sizeof line, tui_glyph(c, "─", "-"), n);
    put_text(c, w, y, x, n, R_BORDER, line);
}

void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title, tui_role r, const tui_ctx *c)
{
    if (h < 2 || wd < 2)
        return;
    const char *tl = tui_glyph(c, "┌", "+"), *tr = tui_glyph(c, "┐", "+"), *bl = tui_glyph(c, "└", "+"),
               *br = tui_glyph(c, "┘", "+"), *hz = tui_glyph(c, "─", "-"), *vt = tui_glyph(c, "│", "|");
    char mid[2048], edge[PUT_BYTES];
    repeat(mid, sizeof mid, hz, wd - 2);
    concat3(edge, sizeof edge, tl, mid, tr);
    put_text(c, w, y, x, wd, r, edge);
    concat3(edge, sizeof edge, bl, mid, br);
    put_text(c, w, y + h - 1, x, wd, r, edge);
    for (int j = 1; j < h - 1; j++) {
        put_text(c, w, y + j, x, 1, r, vt);
        put_text(c, w, y + j, x + wd - 1, 1, r, vt);
    }
    if (title && *title)
        tui_put(c, w, y, x + 2, wd - 4, R_HEADING, " %s ", title);
}
