/*
 * actions.c: the one table of actions. Each row is a key, how help shows it, what it does
 * and the function that does it; the key dispatch, the help screen (help.c) and `acidbase
 * keys` (tui_print_keys) all read this table, so they cannot disagree (tests/tui/run.sh
 * pins it). An action that changes the run is a scenario line given to the session
 * (session.c: exec_line), so every key can be stepped back, saved and exported.
 */
#include "ui.h"
#include "acid/engine.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static void a_partition(tui *t, int key)
{
    (void)key;
    /* A guess the learner edits: the selected replica alone against the rest. */
    char line[CMD_MAX], why[300];
    int n = replicas(t), o = snprintf(line, sizeof line, "net: partition n%d |", t->c.sel_replica);
    for (int r = 1; r <= n; r++)
        if (r != t->c.sel_replica)
            o += snprintf(line + o, sizeof line - (size_t)o, " n%d", r);
    if (!lesson_allows(cur_lesson(t), line, why, sizeof why)) {
        say(t, true, "%s", why);
        return;
    }
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
    if (app_export_as(t->a, path, l ? l->id : NULL, l ? l->hash : NULL, l ? t->learner : NULL, m, sizeof m))
        say(t, true, "%s", m);
    else if (l)
        say(t, false, "%s (grade it with: acidbase grade %s --lesson %s)", m, path, l->id);
    else
        say(t, false, "%s (grade it with: acidbase grade %s)", m, path);
}
static void a_cmd(tui *t, int key) { (void)key; cmd_open(t, ""); }
void a_help(tui *t, int key)
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
void a_theme(tui *t, int key)
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
    { ':', ":", "type any scenario line (:w FILE saves the session, :w! FILE over a file, :q quits)", a_cmd },
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

const action *tui_action(size_t i)
{
    return i < NACTIONS ? &actions[i] : NULL;
}

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

void dispatch(tui *t, int key)
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

