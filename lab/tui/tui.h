/*
 * tui.h: the lab's screen. `acidbase` opens it at the menu, `acidbase lab [FILE]` in the
 * sandbox (with FILE's lines queued to step through), `acidbase replay TRACE` on a trace's
 * lines. Everything on screen is engine state; every key is a scenario line (or a step
 * through queued lines, or undoing one).
 */
#ifndef AB_TUI_H
#define AB_TUI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { TUI_MENU = 0, TUI_SANDBOX, TUI_REPLAY, TUI_LESSON } tui_start;

typedef struct tui_opts {
    tui_start start;
    const char *path;        /* scenario to queue (sandbox), trace (replay), lesson id or number */
    uint64_t seed;
    bool present;            /* classroom mode */
    const char *theme;       /* "dark" (default) or "light" */
    const char *db, *user;   /* --db, --user (NULL: the defaults) */
} tui_opts;

/* Runs the screen until the learner quits; returns an exit status. */
int tui_main(const tui_opts *o);

/* The key bindings, one per line, as the help screen shows them (for tests and docs). */
void tui_print_keys(FILE *out);

#endif
