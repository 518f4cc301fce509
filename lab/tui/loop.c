/*
 * loop.c: the lab's screen from start to end: open (the model, lessons, progress, the
 * terminal), the loop, close. A frame draws the current view (ui.h: a struct of draw, key
 * and resize callbacks) and ends in one doupdate; there is a frame after every key, resize
 * or played step, none when the input timeout passes with nothing to do.
 *
 * The terminal is restored on every exit path: normal quit, error, SIGINT, SIGTERM, SIGHUP
 * (the signal only sets a flag; the loop ends and endwin() runs in one place, tui_close).
 *
 * The path of a key: getch() here, the view's key callback (labview.c: lab_key), the action
 * table (actions.c: dispatch), a scenario line for the session (session.c: exec_line ->
 * app.c: app_exec -> runner.c: runner_line -> the engine), the step's findings and goals
 * (session.c: after_step), and the next frame draws what changed (labview.c: lab_draw).
 * assets/doc/design.md follows one key through all of it.
 */
#include "ui.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const tui_view *const views[V__COUNT] = {
    [V_MENU] = &tui_menu_view,
    [V_LAB] = &tui_lab_view,
    [V_HELP] = &tui_help_view,
    [V_SMALL] = &tui_small_view,
};

/* The view on screen: the "too small" one whenever the terminal is. */
static const tui_view *current(const tui *t)
{
    return t->layout == 0 ? views[V_SMALL] : views[t->v];
}

static void frame(tui *t)
{
    if (t->layout == 0 || t->v != V_LAB)
        t->screen_gen++;   /* stdscr is drawn over the panes: all of them again next time */
    current(t)->draw(t);
    doupdate();
}

/* Frees what tui_open made, whatever it got to (t may be half built). Ends curses mode if
 * it was started. */
static void tui_close(tui *t, bool curses)
{
    if (curses)
        endwin();
    progress_leave(t);
    if (t->pg)
        progress_close(t->pg);
    findings_clear(t);
    for (int i = 0; i < t->nhist; i++)
        free(t->hist[i]);
    del_windows(t);
    app_free(t->a);
    lesson_set_free(&t->lessons);
    free(t->menu);
    free(t);
}

/* Everything before the first frame. Returns 0 with *out, or an exit status (the message
 * printed) with nothing left open. */
static int tui_open(const tui_opts *o, tui **out)
{
    *out = NULL;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "acidbase: the lab needs a terminal; to run a scenario from a script or a pipe, "
                        "use: acidbase run FILE\n");
        return 2;
    }
    const char *term = getenv("TERM");
    if (!term || !*term || !strcmp(term, "dumb")) {
        fprintf(stderr, "acidbase: the lab needs a terminal that can move the cursor (TERM is %s); "
                        "use acidbase run FILE instead\n", term && *term ? term : "unset");
        return 2;
    }
    setlocale(LC_ALL, "");
    tui *t = calloc(1, sizeof *t);
    if (!t)
        return 3;
    t->o = *o;
    t->speed_ms = 800;
    t->c.sel_session = 1;
    t->c.sel_replica = 1;
    t->c.sel_peer = 2;
    t->c.present = o->present;
    t->c.ascii = strcasecmp(nl_langinfo(CODESET), "UTF-8") != 0;
    tui_theme_load(&t->theme, o->theme ? o->theme : "dark");
    t->c.theme = &t->theme;
    t->cur = -1;
    lesson_load_all(NULL, &t->lessons);   /* none found: the menu says so */
    progress_default_learner(o->user, t->learner, sizeof t->learner);
    char dbpath[1024];
    const char *pgwarn = NULL;
    if (progress_default_path(o->db, dbpath, sizeof dbpath) == PROGRESS_OK && progress_open(dbpath, &t->pg) == PROGRESS_OK)
        pgwarn = progress_warning(t->pg);
    else
        pgwarn = "progress cannot be saved this session (no place for the database)";

    char err[1024] = "";
    int rc = 0;
    if (o->start == TUI_LESSON) {
        lesson *l = lesson_find(&t->lessons, o->path);
        if (!l)
            snprintf(err, sizeof err, "no lesson '%s' (acidbase lessons lists them)", o->path);
        else if (l->broken)
            snprintf(err, sizeof err, "lesson %s is broken: %s", o->path, l->error);
        else if (open_lesson(t, (int)(l - t->lessons.v)))
            snprintf(err, sizeof err, "%s", t->msg);
        if (err[0])
            rc = 2;
    } else if (o->start == TUI_SANDBOX) {
        if (open_lab(t, o->path)) {
            snprintf(err, sizeof err, "%s", t->msg);
            rc = 2;
        }
    } else if (o->start == TUI_REPLAY) {
        if (open_replay(t, o->path, err, sizeof err))
            rc = 2;
    } else {
        app_opts ao = { .seed = o->seed };
        t->a = app_new(&ao, err, sizeof err);
        t->c.a = t->a;
        t->v = V_MENU;
        if (!t->a)
            rc = 3;
    }
    if (rc) {
        fprintf(stderr, "acidbase: %s\n", err);
        tui_close(t, false);
        return rc;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (!initscr()) {
        fprintf(stderr, "acidbase: cannot start the terminal\n");
        tui_close(t, false);
        return 3;
    }
    /* Performance: ncurses 6.4 writes its output to the terminal after every cursor
     * movement (one write(2) per jump, over a hundred for a full frame) until the program
     * has once left curses mode and come back: _nc_mvcur flushes while the screen is still
     * in its initial state, and only endwin() followed by a refresh ends that state. One
     * round trip here, before anything is drawn, and each frame leaves in one write
     * (tests/tui/run.sh counts them). */
    endwin();
    doupdate();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    t->c.color = tui_theme_apply(&t->theme);
    relayout(t);
    if (pgwarn)
        say(t, true, "%s", pgwarn);
    *out = t;
    return 0;
}

/* Keys until the learner quits or a signal asks to stop. */
static void tui_loop(tui *t)
{
    bool stale = true;   /* something may have changed since the last frame */
    while (!t->quit && !stop_requested) {
        if (stale)
            frame(t);
        stale = true;
        /* The timeout only lets the loop see a stop request (and play the next line);
         * when it passes with nothing done, the screen stands as it is. */
        timeout(t->playing ? t->speed_ms : 250);
        int key = getch();
        if (key == '\r')
            key = '\n';
        if (key == KEY_RESIZE) {
            /* The layout is the lab view's; every view reads its size. */
            for (int v = 0; v < V__COUNT; v++)
                if (views[v]->resize)
                    views[v]->resize(t);
            continue;
        }
        if (key == ERR) {
            if (t->playing && t->v == V_LAB)
                step_next(t);
            else
                stale = false;
            continue;
        }
        current(t)->key(t, key);
    }
}

int tui_main(const tui_opts *o)
{
    tui *t;
    int rc = tui_open(o, &t);
    if (rc)
        return rc;
    tui_loop(t);
    tui_close(t, true);
    return stop_requested ? 130 : 0;
}
