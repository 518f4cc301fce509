/*
 * tui.c: the lab's main loop. A view is a set of windows laid out for the terminal's
 * size; a frame draws each window whose picture may have changed (werase, draw; see
 * pane_stale), then wnoutrefresh for all and one doupdate. There is a frame after every
 * key, resize or played step, none when the input timeout passes with nothing to do. Keys
 * go through one action table, which is also what the help screen and `acidbase keys`
 * print, so the two cannot disagree. Every action that changes something is a scenario
 * line handed to the lab's model (app.h), so the learner's session can be stepped back,
 * saved and exported.
 *
 * Layouts: side by side (ACID left, BASE right) from 150x36 up; stacked (one pane at a
 * time, Tab switches) from 80x24; below that a screen asking for a larger terminal, which
 * recovers when the terminal grows. The terminal is restored on every exit path: normal
 * quit, error, SIGINT, SIGTERM (the signal only sets a flag; the loop ends and endwin()
 * runs in one place).
 */
#include "tui.h"
#include "app.h"
#include "draw.h"
#include "panes.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"
#include "acid/engine.h"
#include "run/basectl.h"
#include "learn/lesson.h"
#include "learn/progress.h"

#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CMD_MAX 512
#define HIST_MAX 100
#define FINDINGS_MAX 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef enum { V_MENU, V_LAB, V_HELP } view;

/* Everything a pane's picture is drawn from besides the model (app_version): what the
 * pane shows, its size, the selection, the attributes of every role. */
enum { PANE_KEY_WORDS = 6 + R__COUNT };
typedef struct pane_key {
    uint64_t v[PANE_KEY_WORDS];
} pane_key;

typedef struct tui {
    tui_opts o;
    tui_ctx c;
    tui_theme theme;
    app *a;
    view v, back_view;
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
    /* what the panes were last drawn from (pane_unchanged) */
    unsigned long screen_gen;    /* new windows, or another view drew over them */
    pane_key key_left, key_right, key_log;
} tui;

/* --- messages and findings ------------------------------------------------------------ */

static void say(tui *t, bool bad, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    va_end(ap);
    t->msg_bad = bad;
}

static void findings_clear(tui *t)
{
    for (int i = 0; i < t->nfindings; i++)
        free(t->findings[i]);
    t->nfindings = 0;
}

static void findings_refresh(tui *t)
{
    findings_clear(t);
    runner *r = app_runner(t->a);
    acid_findings f = { 0 };
    base_findings bf = { 0 };
    if (acidcheck_run(runner_history(r), acid_txn_label, runner_acid(r), &f) == 0)
        for (int i = 0; i < f.n && t->nfindings < FINDINGS_MAX; i++) {
            t->finding_bad[t->nfindings] = true;
            t->findings[t->nfindings++] = strdup(f.v[i].text ? f.v[i].text : f.v[i].name);
        }
    acidcheck_free(&f);
    if (basectl_findings(runner_base(r), &bf) == 0)
        for (int i = 0; i < bf.n && t->nfindings < FINDINGS_MAX; i++) {
            t->finding_bad[t->nfindings] = strcmp(bf.v[i].name, "sibling") != 0;
            t->findings[t->nfindings++] = strdup(bf.v[i].text ? bf.v[i].text : bf.v[i].name);
        }
    basecheck_free(&bf);
}

/* --- running lines ---------------------------------------------------------------------- */

static int open_lesson(tui *t, int idx);

static lesson *cur_lesson(tui *t)
{
    return t->cur >= 0 && t->cur < t->lessons.n ? &t->lessons.v[t->cur] : NULL;
}

/* A goal is met when every one of its checks holds in the learner's own history; once
 * met it stays met for this attempt (the checklist is what the learner achieved). */
static void goals_refresh(tui *t)
{
    lesson *l = cur_lesson(t);
    if (!l)
        return;
    for (int g = 0; g < l->ngoals; g++) {
        if (t->met[g])
            continue;
        bool all = l->goals[g].nchecks > 0;
        for (int k = 0; all && k < l->goals[g].nchecks; k++) {
            bool held = false;
            char why[512];
            all = runner_check(app_runner(t->a), l->goals[g].checks[k], &held, why, sizeof why) == 0 && held;
        }
        if (all) {
            t->met[g] = true;
            /* Cite what the checker saw, when it saw something. */
            if (t->nfindings)
                say(t, false, "goal met: %s  The checker: %s", l->goals[g].text, t->findings[t->nfindings - 1]);
            else
                say(t, false, "goal met: %s", l->goals[g].text);
        }
    }
}

/* The learner's scenario so far, saved after every step so a lesson resumes exactly. */
static void progress_save(tui *t)
{
    lesson *l = cur_lesson(t);
    if (!l || !t->pg)
        return;
    int n = app_nlines(t->a);
    const char **lines = calloc((size_t)(n ? n : 1), sizeof *lines);
    if (!lines)
        return;
    for (int i = 0; i < n; i++)
        lines[i] = app_line(t->a, i);
    progress_save_lines(t->pg, t->learner, l->id, t->o.seed, lines, n);
    free(lines);
    int met = 0;
    for (int g = 0; g < l->ngoals; g++)
        if (t->met[g]) {
            progress_goal_met(t->pg, t->learner, l->id, l->goals[g].name, NULL);
            met++;
        }
    if (met == l->ngoals && l->ngoals) {
        progress_set_status(t->pg, t->learner, l->id, PROGRESS_DONE);
        if (!t->done_said) {
            t->done_said = true;
            say(t, false, "lesson complete: every goal met; the narration explains why. :menu goes back to the lessons");
        }
    }
}

static void progress_leave(tui *t)
{
    lesson *l = cur_lesson(t);
    if (l && t->pg && t->opened) {
        time_t now = time(NULL);
        if (now > t->opened)
            progress_add_time(t->pg, t->learner, l->id, (int64_t)(now - t->opened));
    }
    t->opened = 0;
}

static void after_step(tui *t)
{
    findings_refresh(t);
    goals_refresh(t);
    progress_save(t);
    t->log_scroll = 0;
}

static bool exec_line(tui *t, const char *line)
{
    char m[512];
    if (app_exec(t->a, line, m, sizeof m)) {
        say(t, true, "%s", m);
        return false;
    }
    say(t, false, "%s", line);
    after_step(t);
    return true;
}

static void exec_fmt(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void exec_fmt(tui *t, const char *fmt, ...)
{
    char line[CMD_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    exec_line(t, line);
}

static void step_next(tui *t)
{
    char m[512];
    if (t->c.present && !t->reveal_pending && app_nqueued(t->a)) {
        /* The class guesses first. */
        t->reveal_pending = true;
        say(t, false, "What happens next? %s   (n to see)", app_queued(t->a, 0));
        return;
    }
    t->reveal_pending = false;
    int before = app_nlines(t->a);
    int rc = app_next(t->a, m, sizeof m);
    if (rc < 0)
        say(t, true, "%s", m);
    else if (rc > 0) {
        say(t, false, "nothing queued: type : and a scenario line (? for help)");
        t->playing = false;
    } else {
        say(t, false, "%s", app_line(t->a, app_nlines(t->a) - 1));
        (void)before;
        after_step(t);
    }
}

/* A line someone in the story says (a session or a client), as opposed to setting the
 * scene (setup:, say:, engine:, net:, expect ...). */
static bool is_actor_line(const char *q)
{
    const char *p = q + strspn(q, " \t");
    const char *colon = strchr(p, ':');
    if (!colon || !strncasecmp(p, "setup", 5) || !strncasecmp(p, "say", 3) || !strncasecmp(p, "engine", 6) ||
        !strncasecmp(p, "cluster", 7) || !strncasecmp(p, "net", 3) || !strncasecmp(p, "run", 3) ||
        !strncasecmp(p, "expect", 6))
        return false;
    return true;
}

/* The next queued statement of session Ts, else (a BASE story) the next request
 * coordinated by replica ns ("n2: ..." or "alice@n2: ..."). */
static int find_session_line(tui *t, int s, bool *by_replica)
{
    char prefix[8];
    snprintf(prefix, sizeof prefix, "T%d:", s);
    for (int i = 0; i < app_nqueued(t->a); i++) {
        const char *q = app_queued(t->a, i);
        if (strncasecmp(q + strspn(q, " \t"), prefix, strlen(prefix)) == 0) {
            *by_replica = false;
            return i;
        }
    }
    snprintf(prefix, sizeof prefix, "n%d:", s);
    for (int i = 0; i < app_nqueued(t->a); i++) {
        const char *q = app_queued(t->a, i);
        const char *p = q + strspn(q, " \t");
        const char *at = strchr(p, '@'), *colon = strchr(p, ':');
        if (at && colon && at < colon)
            p = at + 1;
        if (strncasecmp(p, prefix, strlen(prefix)) == 0) {
            *by_replica = true;
            return i;
        }
    }
    return -1;
}

/* The session's next queued statement, out of order: that is how a learner interleaves.
 * The scene-setting lines queued before it run first (a table must exist before T2 can
 * read it); other sessions' statements stay queued. */
static void step_session(tui *t, int s)
{
    char m[512];
    bool by_replica = false;
    int i = find_session_line(t, s, &by_replica);
    if (i < 0) {
        say(t, false, "T%d has nothing queued (nor has replica n%d): type :T%d: <SQL> to give it a statement",
            s, s, s);
        return;
    }
    (void)by_replica;
    for (int j = 0; j < i;) {
        if (is_actor_line(app_queued(t->a, j))) {
            j++;
            continue;
        }
        if (app_take(t->a, j, m, sizeof m) < 0) {
            say(t, true, "%s", m);
            after_step(t);
            return;
        }
        i--;
    }
    const char *line = app_queued(t->a, i);
    char shown[CMD_MAX];
    snprintf(shown, sizeof shown, "%s", line + strspn(line, " \t"));
    if (app_take(t->a, i, m, sizeof m))
        say(t, true, "%s", m);
    else
        say(t, false, "%s", shown);
    after_step(t);
}

static void step_back(tui *t)
{
    char m[512];
    int rc = app_back(t->a, m, sizeof m);
    if (rc < 0)
        say(t, true, "%s", m);
    else if (rc > 0)
        say(t, false, "%s", m);
    else {
        say(t, false, "stepped back: %d line%s replayed", app_nlines(t->a), app_nlines(t->a) == 1 ? "" : "s");
        after_step(t);
    }
}

/* --- actions ------------------------------------------------------------------------------ */

typedef struct action {
    int key;
    const char *keys;        /* as shown in help */
    const char *what;
    void (*fn)(tui *t, int key);
} action;

static cluster *the_cluster(tui *t)
{
    return basectl_cluster(runner_base(app_runner(t->a)));
}

static int replicas(tui *t)
{
    cluster *cl = the_cluster(t);
    return cl ? (int)cluster_size(cl) : 3;
}

static void a_session(tui *t, int key) { step_session(t, key - '0'); }
static void a_next(tui *t, int key) { (void)key; step_next(t); }
static void a_back(tui *t, int key) { (void)key; step_back(t); }
static void a_sel_session(tui *t, int key)
{
    t->c.sel_session += key == KEY_RIGHT ? 1 : -1;
    if (t->c.sel_session < 1)
        t->c.sel_session = 9;
    if (t->c.sel_session > 9)
        t->c.sel_session = 1;
    say(t, false, "T%d selected", t->c.sel_session);
}
static void a_level(tui *t, int key)
{
    (void)key;
    iso_level l = acid_session_level(runner_acid(app_runner(t->a)), t->c.sel_session);
    iso_level next = l >= ISO_SER ? ISO_RU : (iso_level)(l + 1);
    exec_fmt(t, "T%d: SET TRANSACTION ISOLATION LEVEL %s", t->c.sel_session, iso_name(next));
}
static void a_crash(tui *t, int key) { (void)key; exec_line(t, "engine: crash"); }
static void a_sel_replica(tui *t, int key)
{
    int n = replicas(t);
    t->c.sel_replica += key == KEY_DOWN ? 1 : -1;
    if (t->c.sel_replica < 1)
        t->c.sel_replica = n;
    if (t->c.sel_replica > n)
        t->c.sel_replica = 1;
    if (t->c.sel_peer == t->c.sel_replica)
        t->c.sel_peer = t->c.sel_replica % n + 1;
    say(t, false, "n%d selected; link n%d - n%d", t->c.sel_replica, t->c.sel_replica, t->c.sel_peer);
}
static void a_sel_peer(tui *t, int key)
{
    int n = replicas(t);
    do {
        t->c.sel_peer += key == '.' ? 1 : -1;
        if (t->c.sel_peer < 1)
            t->c.sel_peer = n;
        if (t->c.sel_peer > n)
            t->c.sel_peer = 1;
    } while (t->c.sel_peer == t->c.sel_replica && n > 1);
    say(t, false, "link n%d - n%d selected", t->c.sel_replica, t->c.sel_peer);
}
static void a_cut(tui *t, int key) { (void)key; exec_fmt(t, "net: cut n%d n%d", t->c.sel_replica, t->c.sel_peer); }
static void a_heal(tui *t, int key) { (void)key; exec_fmt(t, "net: heal n%d n%d", t->c.sel_replica, t->c.sel_peer); }
static void a_down(tui *t, int key)
{
    (void)key;
    cluster *cl = the_cluster(t);
    bool up = !cl || cluster_is_up(cl, (uint32_t)t->c.sel_replica);
    exec_fmt(t, "net: %s n%d", up ? "down" : "up", t->c.sel_replica);
}
static void a_gossip(tui *t, int key) { (void)key; exec_line(t, "run: gossip"); }
static void a_tick(tui *t, int key) { (void)key; exec_line(t, "run: tick"); }
static void a_settle(tui *t, int key) { (void)key; exec_line(t, "run: settle"); }

static void cmd_open(tui *t, const char *prefill)
{
    t->cmd_on = true;
    snprintf(t->cmd, sizeof t->cmd, "%s", prefill ? prefill : "");
    t->cmd_len = (int)strlen(t->cmd);
    t->hist_pos = t->nhist;
}
static void a_partition(tui *t, int key)
{
    (void)key;
    /* A guess the learner edits: the selected replica alone against the rest. */
    char line[CMD_MAX];
    int n = replicas(t), o = snprintf(line, sizeof line, "net: partition n%d |", t->c.sel_replica);
    for (int r = 1; r <= n; r++)
        if (r != t->c.sel_replica)
            o += snprintf(line + o, sizeof line - (size_t)o, " n%d", r);
    cmd_open(t, line);
    say(t, false, "edit the groups, then Enter");
}
static void a_play(tui *t, int key)
{
    (void)key;
    t->playing = !t->playing;
    say(t, false, t->playing ? "playing (space pauses, + and - change the speed)" : "paused");
}
static void a_speed(tui *t, int key)
{
    t->speed_ms = key == '+' ? t->speed_ms / 2 : t->speed_ms * 2;
    if (t->speed_ms < 100)
        t->speed_ms = 100;
    if (t->speed_ms > 4000)
        t->speed_ms = 4000;
    say(t, false, "one step every %.1f s", t->speed_ms / 1000.0);
}
static void a_export(tui *t, int key)
{
    (void)key;
    char path[64], m[512];
    do
        snprintf(path, sizeof path, "acidbase-trace-%lu.json", ++t->export_n);
    while (access(path, F_OK) == 0 && t->export_n < 100000);
    lesson *l = cur_lesson(t);
    if (app_export_as(t->a, path, l ? l->id : NULL, l ? t->learner : NULL, m, sizeof m))
        say(t, true, "%s", m);
    else if (l)
        say(t, false, "%s (grade it with: acidbase grade %s --lesson %s)", m, path, l->id);
    else
        say(t, false, "%s (grade it with: acidbase grade %s)", m, path);
}
static void a_cmd(tui *t, int key) { (void)key; cmd_open(t, ""); }
static void a_help(tui *t, int key)
{
    (void)key;
    t->back_view = t->v;
    t->v = V_HELP;
    t->help_scroll = 0;
}
static void a_focus(tui *t, int key)
{
    (void)key;
    t->c.focus = (t->c.focus + 1) % 3;
    say(t, false, "showing the %s", t->c.focus == 0 ? "ACID side" : t->c.focus == 1 ? "BASE side" : "event log");
}
static void a_theme(tui *t, int key)
{
    (void)key;
    tui_theme_load(&t->theme, strcmp(t->theme.name, "dark") == 0 ? "light" : "dark");
    t->c.color = tui_theme_apply(&t->theme);
    say(t, false, "%s theme%s", t->theme.name, t->c.color ? "" : " (this terminal shows no colours)");
}
static void a_log(tui *t, int key)
{
    t->log_scroll += key == KEY_PPAGE ? 5 : -5;
    if (t->log_scroll < 0)
        t->log_scroll = 0;
}
static void a_page(tui *t, int key)
{
    lesson *l = cur_lesson(t);
    if (!l || l->npages == 0) {
        say(t, false, "no story here: open a lesson from the menu");
        return;
    }
    if (t->hint[0])
        t->hint[0] = 0;   /* back from the hint to the story */
    else
        t->page += key == ']' ? 1 : -1;
    if (t->page < 0)
        t->page = 0;
    if (t->page >= l->npages)
        t->page = l->npages - 1;
    if (t->pg)
        progress_set_page(t->pg, t->learner, l->id, t->page);
    say(t, false, "story page %d of %d", t->page + 1, l->npages);
}
static void a_hint(tui *t, int key)
{
    (void)key;
    lesson *l = cur_lesson(t);
    if (!l)
        say(t, false, "hints come with lessons: open one from the menu");
    else if (t->c.present)
        say(t, false, "no hints in classroom mode");
    else if (!l->nhints)
        say(t, false, "this lesson has no hints");
    else {
        int i = t->hints_shown < l->nhints ? t->hints_shown++ : l->nhints - 1;
        snprintf(t->hint, sizeof t->hint, "%s", l->hints[i]);
        say(t, false, "hint %d of %d", i + 1, l->nhints);
    }
}
static void a_present(tui *t, int key)
{
    (void)key;
    t->c.present = !t->c.present;
    t->reveal_pending = false;
    say(t, false, t->c.present ? "classroom mode: n asks what happens next, then shows it" : "self-paced mode");
}
static void a_quit(tui *t, int key) { (void)key; t->quit = true; }

static const action actions[] = {
    { '1', "1..9", "run the next queued statement of session T1..T9, or else of replica n1..n9", a_session },
    { 'n', "n", "run the next queued line, whoever it belongs to", a_next },
    { 'b', "b", "step back: undo the last step (the lines before it are replayed)", a_back },
    { KEY_LEFT, "left right", "select a session", a_sel_session },
    { 'i', "i", "change the selected session's isolation level (for its next transaction)", a_level },
    { '!', "!", "crash the engine: power loss, then recovery", a_crash },
    { KEY_UP, "up down", "select a replica", a_sel_replica },
    { ',', ", .", "select the other end of the link", a_sel_peer },
    { 'c', "c", "cut the selected link", a_cut },
    { 'h', "h", "heal the selected link", a_heal },
    { 'p', "p", "partition: the selected replica against the rest (edit before Enter)", a_partition },
    { 'd', "d", "take the selected replica down, or bring it up", a_down },
    { 'g', "g", "one round of anti-entropy gossip", a_gossip },
    { 't', "t", "one tick of time: messages arrive, timers fire", a_tick },
    { 's', "s", "settle: tick until the replicas agree", a_settle },
    { ' ', "space", "play or pause the queued lines", a_play },
    { '+', "+ -", "play faster or slower", a_speed },
    { 'e', "e", "export the run as a trace (JSON) in the current directory", a_export },
    { ':', ":", "type any scenario line (:w FILE saves the session, :q quits)", a_cmd },
    { '\t', "Tab", "switch pane on a small screen", a_focus },
    { KEY_PPAGE, "PgUp PgDn", "scroll the event log", a_log },
    { '[', "[ ]", "the lesson's story: previous and next page", a_page },
    { 'H', "H", "a hint (each press a more direct one; hints are counted)", a_hint },
    { 'P', "P", "classroom mode on or off: a pause for guessing before each step", a_present },
    { 'T', "T", "switch between the dark and the light theme", a_theme },
    { '?', "?", "this help", a_help },
    { 'q', "q", "quit", a_quit },
};
#define NACTIONS (sizeof actions / sizeof *actions)

/* Keys that share an action with the one the table names. */
static int key_alias(int key)
{
    if (key >= '2' && key <= '9')
        return '1';
    switch (key) {
    case KEY_RIGHT: return KEY_LEFT;
    case KEY_DOWN: return KEY_UP;
    case '.': return ',';
    case '-': return '+';
    case KEY_NPAGE: return KEY_PPAGE;
    case ']': return '[';
    case 'Q': return 'q';
    default: return key;
    }
}

void tui_print_keys(FILE *out)
{
    for (size_t i = 0; i < NACTIONS; i++)
        fprintf(out, "%-10s %s\n", actions[i].keys, actions[i].what);
}

static void dispatch(tui *t, int key)
{
    int k = key_alias(key);
    for (size_t i = 0; i < NACTIONS; i++)
        if (actions[i].key == k) {
            actions[i].fn(t, key);
            return;
        }
    if (key != ERR && key != KEY_RESIZE)
        say(t, false, "press ? for the keys, : to type a line");
}

/* --- the command line ----------------------------------------------------------------------- */

static const char *completions[] = {
    "T1: ", "T2: ", "T3: ", "setup: CREATE TABLE ", "setup: INSERT INTO ", "engine: sync full",
    "engine: sync off", "engine: sync group ", "engine: flush", "engine: checkpoint", "engine: evict",
    "engine: crash", "engine: crash torn", "cluster: replicas ", "cluster: resolve ", "cluster: seed ",
    "cluster: gossip ", "cluster: tombstone-grace ", "cluster: skew ", "net: cut ", "net: partition ",
    "net: heal", "net: delay ", "net: loss ", "net: down ", "net: up ", "run: tick", "run: gossip",
    "run: settle", "expect ", "expect anomaly ", "expect no anomaly", "expect converged", "say: ",
    "n1: PUT ", "n1: GET ", "w ", "export ", "theme ", "q",
    "BEGIN", "COMMIT", "ROLLBACK", "SELECT * FROM ", "UPDATE ", "INSERT INTO ", "DELETE FROM ",
    "SET TRANSACTION ISOLATION LEVEL ",
};

static void complete(tui *t)
{
    /* Complete the whole line, or the SQL after "Tn: ". */
    const char *start = t->cmd;
    const char *colon = strchr(t->cmd, ':');
    if (colon && t->cmd[0] == 'T' && isdigit((unsigned char)t->cmd[1]))
        start = colon + 1 + strspn(colon + 1, " ");
    size_t len = strlen(start);
    const char *found = NULL;
    int nfound = 0;
    for (size_t i = 0; i < sizeof completions / sizeof *completions; i++)
        if (len && strncasecmp(completions[i], start, len) == 0 && strlen(completions[i]) > len) {
            found = completions[i];
            nfound++;
        }
    if (nfound == 1) {
        size_t off = (size_t)(start - t->cmd);
        snprintf(t->cmd + off, sizeof t->cmd - off, "%s", found);
        t->cmd_len = (int)strlen(t->cmd);
    } else if (nfound > 1) {
        say(t, false, "%d ways to go on; type more", nfound);
    }
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
    } else if (!strncmp(p, "w ", 2)) {
        int rc = app_save(t->a, p + 2 + strspn(p + 2, " "), m, sizeof m);
        say(t, rc != 0, "%s", m);
    } else if (!strcmp(p, "w")) {
        say(t, true, "give a file name: :w my-session.scn");
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

static void cmd_key(tui *t, int key)
{
    switch (key) {
    case 27:
        t->cmd_on = false;
        say(t, false, "");
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

/* --- layout --------------------------------------------------------------------------------- */

static void del(WINDOW **w)
{
    if (*w)
        delwin(*w);
    *w = NULL;
}

static void relayout(tui *t)
{
    t->screen_gen++;
    del(&t->title);
    del(&t->left);
    del(&t->right);
    del(&t->bl);
    del(&t->br);
    del(&t->status);
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

/* --- drawing ----------------------------------------------------------------------------------- */

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

static tui_role log_role(const char *s)
{
    if (strstr(s, "FAILED") || strstr(s, "error ") || strstr(s, "deadlock") || strstr(s, "crash"))
        return R_BAD;
    if (strstr(s, "blocked") || strstr(s, "unavailable") || strstr(s, "queued"))
        return R_WARN;
    if (strstr(s, "-> ok") || strstr(s, "committed"))
        return R_OK;
    if (strncmp(s, "say:", 4) == 0)
        return R_NARRATION;
    return R_NORMAL;
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
        const char *s = app_log(t->a, i);
        bool fresh = i >= n - added && !t->log_scroll;
        tui_put(&t->c, w, y, 1, wd - 2, fresh ? R_ACCENT : log_role(s), "%s", s);
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

/* The menu: the sandbox, the tour, the lessons by part, the examples. */
typedef struct menu_entry {
    char text[160];
    const char *file;        /* an asset to open, or NULL */
    int lesson;              /* index into the lesson set, or -1 */
    bool heading, disabled;
} menu_entry;

static const struct { const char *text, *file; } examples[] = {
    { "Example: dirty read (lesson 5)", "examples/dirty-read.scn" },
    { "Example: lost update, three increments (lesson 8)", "examples/lost-update.scn" },
    { "Example: deadlock (lesson 9)", "examples/deadlock.scn" },
    { "Example: write skew, two doctors on call (lesson 10)", "examples/write-skew.scn" },
    { "Example: a partition, C or A (lesson 14)", "examples/partition.scn" },
    { "Example: the shopping cart from two devices (lesson 15)", "examples/cart.scn" },
    { "Example: a delete comes back (lesson 17)", "examples/resurrection.scn" },
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
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++)
        ADD(snprintf(m[n].text, sizeof m[n].text, "%s", examples[i].text); m[n].file = examples[i].file);
#undef ADD
    return n;
}

#define MENU_MAX 64

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

static void draw_menu(tui *t)
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

static void draw_help(tui *t)
{
    erase();
    tui_ctx *c = &t->c;
    int R = t->rows, C = t->cols, x = 2, y = 1;
    tui_put(c, stdscr, y++, x, C - 4, R_HEADING, "%s", "Keys (every key is a scenario line; : types any line)");
    y++;
    for (size_t i = (size_t)t->help_scroll; i < NACTIONS && y < R - 2; i++, y++) {
        tui_put(c, stdscr, y, x, 12, R_KEY, "%s", actions[i].keys);
        tui_put(c, stdscr, y, x + 12, C - x - 14, R_NORMAL, "%s", actions[i].what);
    }
    tui_put(c, stdscr, R - 1, x, C - 4, R_DIM, "%s", "any key: back to the lab");
    wnoutrefresh(stdscr);
}

static void draw_small(tui *t)
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

static void draw(tui *t)
{
    if (t->layout == 0 || t->v != V_LAB)
        t->screen_gen++;   /* stdscr is drawn over the panes: all of them again next time */
    if (t->layout == 0) {
        draw_small(t);
    } else if (t->v == V_MENU) {
        draw_menu(t);
    } else if (t->v == V_HELP) {
        draw_help(t);
    } else {
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
    doupdate();
}

/* --- starting points ------------------------------------------------------------------------- */

static int open_lab(tui *t, const char *scenario)
{
    char m[512];
    app_free(t->a);
    app_opts ao = { .seed = t->o.seed };
    t->a = app_new(&ao, m, sizeof m);
    t->c.a = t->a;
    if (!t->a) {
        say(t, true, "%s", m);
        return -1;
    }
    if (scenario && app_queue_file(t->a, scenario, m, sizeof m)) {
        say(t, true, "%s", m);
        return -1;
    }
    t->v = V_LAB;
    findings_refresh(t);
    say(t, false, scenario ? "n runs the next line, 1..9 a session's next statement, ? for help"
                           : "an empty lab: type : and a scenario line, ? for help");
    return 0;
}

/* The i-th queued line equal to line, or -1. */
static int queued_index(tui *t, const char *line)
{
    for (int i = 0; i < app_nqueued(t->a); i++)
        if (strcmp(app_queued(t->a, i), line) == 0)
            return i;
    return -1;
}

static int open_lesson(tui *t, int idx)
{
    lesson *l = &t->lessons.v[idx];
    progress_leave(t);
    progress_rec rec;
    memset(&rec, 0, sizeof rec);
    bool resume = t->pg && progress_get(t->pg, t->learner, l->id, &rec) == PROGRESS_OK && rec.nlines > l->nsetup;
    if (resume)
        t->o.seed = rec.seed;
    if (open_lab(t, NULL)) {
        progress_rec_free(&rec);
        return -1;
    }
    t->cur = idx;
    memset(t->met, 0, sizeof t->met);
    t->page = resume && rec.page < l->npages ? rec.page : 0;
    t->hints_shown = resume ? rec.hints_used : 0;
    t->hint[0] = 0;
    t->done_said = rec.status == PROGRESS_DONE;
    t->opened = time(NULL);
    /* Goals met in an earlier sitting stay met on the checklist. */
    for (int g = 0; g < l->ngoals; g++)
        for (int k = 0; k < rec.ngoals; k++)
            if (strcmp(rec.goals[k].name, l->goals[g].name) == 0)
                t->met[g] = true;
    char m[512];
    for (int i = 0; i < l->nsetup; i++)
        if (app_exec(t->a, l->setup[i], m, sizeof m)) {
            say(t, true, "lesson %s: setup line %d: %s", l->id, i + 1, m);
            progress_rec_free(&rec);
            return -1;
        }
    app_set_floor(t->a);
    app_queue_lines(t->a, l->moves, l->nmoves);
    if (resume) {
        /* Replay what the learner did, taking queued moves off the queue as they come. */
        for (int i = l->nsetup; i < rec.nlines; i++) {
            int q = queued_index(t, rec.lines[i]);
            if (q >= 0 ? app_take(t->a, q, m, sizeof m) < 0 : app_exec(t->a, rec.lines[i], m, sizeof m) < 0)
                break;   /* the lesson changed since: keep what still runs */
        }
    } else if (t->pg) {
        progress_attempt(t->pg, t->learner, l->id);
    }
    progress_rec_free(&rec);
    after_step(t);
    if (resume)
        say(t, false, "welcome back: %d step%s replayed; b steps back, H a hint", app_nlines(t->a) - l->nsetup,
            app_nlines(t->a) - l->nsetup == 1 ? "" : "s");
    else
        say(t, false, "read the story ([ ] pages), then step: 1..9 a session, n the next line, H a hint");
    return 0;
}

static void menu_key(tui *t, int key)
{
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

/* Replay: the trace's lines, queued, with its seed. */
static int open_replay(tui *t, const char *path, char *err, size_t n)
{
    uint64_t seed = 0;
    if (app_trace_seed(path, &seed, err, n))
        return -1;
    t->o.seed = seed;
    if (open_lab(t, NULL) || app_queue_trace(t->a, path, err, n)) {
        if (!err[0])
            snprintf(err, n, "%s", t->msg);
        return -1;
    }
    say(t, false, "replaying %s: n steps forward, b steps back", path);
    return 0;
}

/* --- main ------------------------------------------------------------------------------------ */

int tui_main(const tui_opts *o)
{
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
        app_free(t->a);
        if (t->pg)
            progress_close(t->pg);
        lesson_set_free(&t->lessons);
        free(t);
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
        app_free(t->a);
        free(t);
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

    bool stale = true;   /* something may have changed since the last frame */
    while (!t->quit && !stop_requested) {
        if (stale)
            draw(t);
        stale = true;
        /* The timeout only lets the loop see a stop request (and play the next line);
         * when it passes with nothing done, the screen stands as it is. */
        timeout(t->playing ? t->speed_ms : 250);
        int key = getch();
        if (key == '\r')
            key = '\n';
        if (key == KEY_RESIZE) {
            relayout(t);
            continue;
        }
        if (key == ERR) {
            if (t->playing && t->v == V_LAB)
                step_next(t);
            else
                stale = false;
            continue;
        }
        if (t->layout == 0)
            continue;
        if (t->v == V_HELP) {
            t->v = t->back_view;
            continue;
        }
        if (t->v == V_MENU) {
            if (key == '?')
                a_help(t, key);
            else
                menu_key(t, key);
            continue;
        }
        if (t->cmd_on)
            cmd_key(t, key);
        else
            dispatch(t, key);
    }
    endwin();

    progress_leave(t);
    if (t->pg)
        progress_close(t->pg);
    findings_clear(t);
    for (int i = 0; i < t->nhist; i++)
        free(t->hist[i]);
    del(&t->title);
    del(&t->left);
    del(&t->right);
    del(&t->bl);
    del(&t->br);
    del(&t->status);
    app_free(t->a);
    lesson_set_free(&t->lessons);
    free(t->menu);
    free(t);
    return stop_requested ? 130 : 0;
}
