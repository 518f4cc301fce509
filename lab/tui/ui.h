/*
 * ui.h: the parts of the lab's screen, and the state they share. Not for use outside
 * lab/tui/ (tui.h is the screen's public face).
 *
 *   loop.c     tui_main: open, the loop, close; the table of views
 *   session.c  the learner's session: running a line (exec_line), stepping (next, a
 *              session's next statement, back), after every step the findings and goals,
 *              saving progress; opening the sandbox, a lesson or a replay
 *   actions.c  the one table of actions: keys, the help screen and `acidbase keys`
 *   cmdline.c  the command line (:): editing, history, completion, its commands
 *   labview.c  the lab's view: layout, title, panes, narration, findings, event log, status
 *   menu.c     the menu view
 *   help.c     the help view, and the "terminal too small" view
 *   app.c      the model: the runner, queued lines, the event log (app.h)
 *   draw.c     roles, themes, clipped text (draw.h); acid.c, base.c the two panes (panes.h)
 *
 * A view is a struct of callbacks, as in htop and tig: draw the whole screen, handle a key,
 * take a new terminal size. The loop only picks the view and calls them.
 *
 * The modules depend on each other in one direction (tests/layout/run.sh checks there is
 * no cycle): loop -> views -> cmdline -> actions -> session -> app, draw.
 */
#ifndef AB_TUI_UI_H
#define AB_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "tui.h"
#include "app.h"
#include "draw.h"
#include "learn/lesson.h"
#include "learn/progress.h"
#include "base/cluster.h"

#define CMD_MAX 512
#define HIST_MAX 100
#define FINDINGS_MAX 64
#define MENU_MAX 64

typedef enum { V_MENU, V_LAB, V_HELP, V_SMALL, V__COUNT } view_id;

/* Everything a pane's picture is drawn from besides the model (app_version): what the
 * pane shows, its size, the selection, the attributes of every role. */
enum { PANE_KEY_WORDS = 6 + R__COUNT };
typedef struct pane_key {
    uint64_t v[PANE_KEY_WORDS];
} pane_key;

struct menu_entry;

typedef struct tui {
    tui_opts o;
    tui_ctx c;
    tui_theme theme;
    app *a;
    view_id v, back_view;
    bool quit;
    /* windows of the current layout */
    int rows, cols;
    int layout;              /* 0 too small, 1 stacked, 2 side by side */
    WINDOW *title, *left, *right, *bl, *br, *status;
    /* command line */
    bool cmd_on;
    char cmd[CMD_MAX];
    int cmd_len;
    char *hist[HIST_MAX];
    int nhist, hist_pos;
    char msg[512];
    bool msg_bad;
    /* play */
    bool playing;
    int speed_ms;
    /* the checkers' findings after the last step */
    char *findings[FINDINGS_MAX];
    bool finding_bad[FINDINGS_MAX];
    int nfindings;
    /* progress (SQLite) */
    progress *pg;
    char learner[80];
    time_t opened;               /* when the open lesson was opened (time spent) */
    bool done_said;              /* the lesson's completion was announced */
    /* lessons */
    lesson_set lessons;
    int cur;                     /* the lesson open, index into lessons.v, or -1 */
    bool met[LESSON_GOALS_MAX];
    int page;                    /* story page shown */
    int hints_shown;
    char hint[1024];             /* the latest hint asked for */
    bool reveal_pending;         /* classroom: "what happens next?" before the step */
    /* menu: built when shown (it reads every lesson's progress), not on every frame */
    int menu_sel;
    bool menu_valid;
    struct menu_entry *menu;
    int nmenu;
    int help_scroll;
    int log_scroll;
    unsigned long export_n;
    /* what the panes were last drawn from (labview.c: pane_stale) */
    unsigned long screen_gen;    /* new windows, or another view drew over them */
    pane_key key_left, key_right, key_log;
} tui;

/* A view: what the loop calls. draw paints the whole screen (wnoutrefresh; the loop does
 * the one doupdate); key handles one key; resize takes the terminal's new size (NULL:
 * nothing to do). */
typedef struct tui_view {
    const char *name;
    void (*draw)(tui *t);
    void (*key)(tui *t, int key);
    void (*resize)(tui *t);
} tui_view;

extern const tui_view tui_menu_view;    /* menu.c */
extern const tui_view tui_lab_view;     /* labview.c */
extern const tui_view tui_help_view;    /* help.c */
extern const tui_view tui_small_view;   /* help.c */

/* --- session.c --------------------------------------------------------------------------- */

void say(tui *t, bool bad, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
lesson *cur_lesson(tui *t);
cluster *the_cluster(tui *t);
int replicas(tui *t);
void findings_clear(tui *t);
void progress_leave(tui *t);
bool exec_line(tui *t, const char *line);
void exec_fmt(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_next(tui *t);
void step_session(tui *t, int s);
void step_back(tui *t);
void cmd_open(tui *t, const char *prefill);
int open_lab(tui *t, const char *scenario);
int open_lesson(tui *t, int idx);
int open_replay(tui *t, const char *path, char *err, size_t n);

/* --- actions.c --------------------------------------------------------------------------- */

typedef struct action {
    int key;
    const char *keys;        /* as shown in help */
    const char *what;
    void (*fn)(tui *t, int key);
} action;

/* The i-th action of the table, NULL past the last. */
const action *tui_action(size_t i);
/* Runs the action bound to key (or says which keys there are). */
void dispatch(tui *t, int key);
void a_help(tui *t, int key);
void a_theme(tui *t, int key);

/* --- cmdline.c --------------------------------------------------------------------------- */

void cmd_key(tui *t, int key);

/* --- labview.c --------------------------------------------------------------------------- */

void relayout(tui *t);
void del_windows(tui *t);

#endif
