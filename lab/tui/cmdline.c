/*
 * cmdline.c: the command line (:). Editing (UTF-8 aware backspace), history (up, down),
 * completion (Tab) from the scenario language's table (grammar.h), and what Enter does:
 * the command line's own commands (:w FILE, :w! FILE, :export FILE, :theme, :help, :menu, :reset,
 * :q), or any scenario line, run as a step (session.c: exec_line).
 */
#include "ui.h"
#include "run/grammar.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The command line's own commands (not scenario lines), for completion. */
static const char *const lab_commands[] = { "w ", "w! ", "export ", "theme ", "menu", "reset", "help", "q" };

/* Tab: the scenario language's completions (grammar.h) and the command line's own. One
 * candidate is taken; several extend the line as far as they agree. */
static void complete(tui *t)
{
    enum { MAXC = 64 };
    char cand[MAXC][160];
    if (!t->cmd[0])
        return;
    int n = gram_complete(t->cmd, cand, MAXC);
    size_t len = strlen(t->cmd);
    for (size_t i = 0; i < sizeof lab_commands / sizeof *lab_commands; i++)
        if (strlen(lab_commands[i]) > len && strncasecmp(lab_commands[i], t->cmd, len) == 0) {
            if (n < MAXC)
                snprintf(cand[n], sizeof cand[n], "%s", lab_commands[i]);
            n++;
        }
    if (n == 0)
        return;
    int shown = n < MAXC ? n : MAXC;
    size_t common = strlen(cand[0]);
    for (int i = 1; i < shown; i++) {
        size_t k = 0;
        while (k < common && cand[i][k] && tolower((unsigned char)cand[i][k]) == tolower((unsigned char)cand[0][k]))
            k++;
        common = k;
    }
    if (common > len) {
        snprintf(t->cmd, sizeof t->cmd, "%.*s", (int)common, cand[0]);
        t->cmd_len = (int)strlen(t->cmd);
    }
    if (n > 1)
        say(t, false, "%d ways to go on; type more", n);
}

static void cmdhist_add(tui *t, const char *line)
{
    if (t->nhist && strcmp(t->hist[t->nhist - 1], line) == 0)
        return;
    if (t->nhist == HIST_MAX) {
        free(t->hist[0]);
        memmove(t->hist, t->hist + 1, (HIST_MAX - 1) * sizeof *t->hist);
        t->nhist--;
    }
    t->hist[t->nhist++] = strdup(line);
}

static void command(tui *t, const char *line)
{
    char m[512];
    const char *p = line + strspn(line, " ");
    if (!*p)
        return;
    cmdhist_add(t, p);
    if (!strcmp(p, "q") || !strcmp(p, "quit")) {
        t->quit = true;
    } else if (!strncmp(p, "w ", 2) || !strncmp(p, "w! ", 3)) {
        bool replace = p[1] == '!';
        const char *file = p + 2 + replace;
        int rc = app_save(t->a, file + strspn(file, " "), replace, m, sizeof m);
        say(t, rc != 0, "%s", m);
    } else if (!strcmp(p, "w") || !strcmp(p, "w!")) {
        say(t, true, "give a file name: :w my-session.scn (:w! FILE replaces an existing file)");
    } else if (!strncmp(p, "export ", 7)) {
        int rc = app_export(t->a, p + 7 + strspn(p + 7, " "), m, sizeof m);
        say(t, rc != 0, "%s", m);
    } else if (!strncmp(p, "theme", 5)) {
        a_theme(t, 0);
    } else if (!strcmp(p, "help")) {
        a_help(t, '?');
    } else if (!strcmp(p, "menu")) {
        progress_leave(t);
        t->cur = -1;
        t->v = V_MENU;
        t->menu_valid = false;
    } else if (!strcmp(p, "reset")) {
        say(t, false, "type :reset yes to forget your progress in this lesson and start it again");
    } else if (!strcmp(p, "reset yes")) {
        lesson *l = cur_lesson(t);
        if (!l || !t->pg) {
            say(t, true, "no lesson open");
        } else {
            int idx = t->cur;
            progress_leave(t);
            progress_reset(t->pg, t->learner, l->id);
            open_lesson(t, idx);
            say(t, false, "progress in this lesson forgotten: it starts again");
        }
    } else {
        exec_line(t, p);
    }
}

void cmd_key(tui *t, int key)
{
    switch (key) {
    case 27:
        t->cmd_on = false;
        say(t, false, "%s", "");
        return;
    case '\n':
    case KEY_ENTER:
        t->cmd_on = false;
        command(t, t->cmd);
        return;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (t->cmd_len > 0) {
            /* Back over one whole UTF-8 character. */
            do
                t->cmd_len--;
            while (t->cmd_len > 0 && (t->cmd[t->cmd_len] & 0xC0) == 0x80);
            t->cmd[t->cmd_len] = 0;
        } else {
            t->cmd_on = false;
        }
        return;
    case '\t':
        complete(t);
        return;
    case KEY_UP:
    case KEY_DOWN:
        if (!t->nhist)
            return;
        t->hist_pos += key == KEY_UP ? -1 : 1;
        if (t->hist_pos < 0)
            t->hist_pos = 0;
        if (t->hist_pos >= t->nhist) {
            t->hist_pos = t->nhist;
            t->cmd[0] = 0;
        } else {
            snprintf(t->cmd, sizeof t->cmd, "%s", t->hist[t->hist_pos]);
        }
        t->cmd_len = (int)strlen(t->cmd);
        return;
    default:
        if (key >= 32 && key < 256 && t->cmd_len < CMD_MAX - 1) {
            t->cmd[t->cmd_len++] = (char)key;
            t->cmd[t->cmd_len] = 0;
        }
    }
}

