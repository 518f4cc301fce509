/*
 * session.c: the learner's session on the lab's screen: running a line, stepping through
 * queued lines (the next one, a session's next statement, back), and after every step the
 * findings, the goals and the saved progress; opening the sandbox, a lesson or a replay.
 * See ui.h.
 *
 * Once per step: the runner computes the findings once (runner_findings; findings.h), and
 * the findings pane and every goal's `expect anomaly` read that same result.
 */
#include "ui.h"
#include "learn/verify.h"
#include "run/basectl.h"
#include "run/grammar.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void say(tui *t, bool bad, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    va_end(ap);
    t->msg_bad = bad;
}

void findings_clear(tui *t)
{
    for (int i = 0; i < t->nfindings; i++)
        free(t->findings[i]);
    t->nfindings = 0;
}

/* The runner's findings (computed once per step, findings.h), as the narration pane shows
 * them: ACID findings and BASE anomalies in red, siblings (kept, not lost) in yellow. */
static void findings_refresh(tui *t)
{
    findings_clear(t);
    const finding_list *f = runner_findings(app_runner(t->a));
    for (int i = 0; f && i < f->n && t->nfindings < FINDINGS_MAX; i++) {
        const finding *x = &f->v[i];
        t->finding_bad[t->nfindings] = !(strcmp(x->checker, "base") == 0 && strcmp(x->name, "sibling") == 0);
        t->findings[t->nfindings++] = strdup(x->text[0] ? x->text : x->name);
    }
}

lesson *cur_lesson(tui *t)
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
        bool all = false;
        int failed;
        char why[512];
        if (lesson_goal_check(app_runner(t->a), &l->goals[g], &all, &failed, why, sizeof why) != 0)
            all = false;
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
    progress_set_hash(t->pg, t->learner, l->id, l->hash);
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

void progress_leave(tui *t)
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

bool exec_line(tui *t, const char *line)
{
    char m[512];
    /* A key or a typed line is the learner's own move: the lesson's controls say which
     * are offered (lesson.h, lesson_allows); lines taken from its queue need none. */
    if (!lesson_allows(cur_lesson(t), line, m, sizeof m)) {
        say(t, true, "%s", m);
        return false;
    }
    if (app_exec(t->a, line, m, sizeof m)) {
        say(t, true, "%s", m);
        return false;
    }
    say(t, false, "%s", line);
    after_step(t);
    return true;
}

void exec_fmt(tui *t, const char *fmt, ...)
{
    char line[CMD_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    exec_line(t, line);
}

void step_next(tui *t)
{
    char m[512];
    if (t->c.present && !t->reveal_pending && app_nqueued(t->a)) {
        /* The class guesses first. */
        t->reveal_pending = true;
        say(t, false, "What happens next? %s   (n to see; :predict: records a guess)", app_queued(t->a, 0));
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

/* The next queued statement of session Ts, else (a BASE story) the next request
 * coordinated by replica ns ("n2: ..." or "alice@n2: ..."). */
static int find_session_line(tui *t, int s, bool *by_replica)
{
    gram_head_info h;
    for (int i = 0; i < app_nqueued(t->a); i++) {
        gram_head(app_queued(t->a, i), &h);
        if (h.kind == SL_SQL && h.session == s) {
            *by_replica = false;
            return i;
        }
    }
    for (int i = 0; i < app_nqueued(t->a); i++) {
        gram_head(app_queued(t->a, i), &h);
        if (h.kind == SL_CLIENT && h.node == s) {
            *by_replica = true;
            return i;
        }
    }
    return -1;
}

/* The session's next queued statement, out of order: that is how a learner interleaves.
 * The scene-setting lines queued before it run first (a table must exist before T2 can
 * read it); other sessions' statements stay queued. */
void step_session(tui *t, int s)
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
        if (gram_is_actor_line(app_queued(t->a, j))) {
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

void step_back(tui *t)
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

cluster *the_cluster(tui *t)
{
    return basectl_cluster(runner_base(app_runner(t->a)));
}

int replicas(tui *t)
{
    cluster *cl = the_cluster(t);
    return cl ? (int)cluster_size(cl) : 3;
}

void cmd_open(tui *t, const char *prefill)
{
    t->cmd_on = true;
    snprintf(t->cmd, sizeof t->cmd, "%s", prefill ? prefill : "");
    t->cmd_len = (int)strlen(t->cmd);
    t->hist_pos = t->nhist;
}

int open_lab(tui *t, const char *scenario)
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

int open_lesson(tui *t, int idx)
{
    lesson *l = &t->lessons.v[idx];
    progress_leave(t);
    progress_rec rec;
    memset(&rec, 0, sizeof rec);
    bool resume = t->pg && progress_get(t->pg, t->learner, l->id, &rec) == PROGRESS_OK && rec.nlines > l->nsetup;
    /* Saved under another version of the lesson (or before versions were recorded): its
     * lines may no longer fit, so the lesson starts afresh instead of a broken resume. */
    bool changed = resume && strcmp(rec.hash, l->hash) != 0;
    int saved_steps = rec.nlines - l->nsetup;
    if (changed)
        resume = false;
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
    if (changed)
        say(t, false, "this lesson has changed since you saved %d step%s in it: it starts afresh instead of "
                      "replaying them (goals you met stay met)", saved_steps, saved_steps == 1 ? "" : "s");
    else if (resume)
        say(t, false, "welcome back: %d step%s replayed; b steps back, H a hint", app_nlines(t->a) - l->nsetup,
            app_nlines(t->a) - l->nsetup == 1 ? "" : "s");
    else
        say(t, false, "read the story ([ ] pages), then step: 1..9 a session, n the next line, H a hint");
    return 0;
}

int open_replay(tui *t, const char *path, char *err, size_t n)
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
