/*
 * tui.c: the tui benchmark: a frame of the lab on a pseudo-terminal (frame_us), and
 * the cost of one step at a long history (step_100k_ms). See bench.h and BENCHMARKS.md.
 */
#include "bench.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/panes.h"
#include "run/runner.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/lock.h"
#include "acid/store.h"
#include "base/cluster.h"
#include "base/crc32c.h"
#include "base/net.h"
#include "base/prng.h"
#include "base/wire.h"
#include "history/history.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>


static int bench_step(bench *b);

int bench_tui(bench *b)
{
    if (bench_step(b))
        return -1;
    lab_run *rp;
    if (lab_measured(b, &rp))
        return -1;
    lab_run r = *rp;
    if (r.why[0]) {
        note(b, "tui: frame_us not measured: %s", r.why);
        return 0;
    }
    b->fig[F_FRAME] = r.full_us;
    note(b, "tui: `acidbase lab busy.scn` on a 160x48 pseudo-terminal (TERM=xterm-256color), the scenario's %d lines "
            "run: 9 sessions (7 blocked), 21 rows, 5 replicas with siblings, messages in flight", r.lines);
    note(b, "tui: frame_us = key T (switch theme: every cell repainted) to the last byte of the screen's answer, "
            "%zu bytes, median of %d; a small frame (right arrow: select the next session) takes %.0f us, %zu bytes",
         r.full_bytes, r.frames, r.small_us, r.small_bytes);
    return 0;
}


/* --- step: one step of the lab at a long history --------------------------------------------- */

/* What the lab does for one step, minus waiting for the terminal: the line run through the
 * model (app_exec: the runner, the engine, the transcript records), the findings the step
 * shows (runner_findings: the checkers, once per step, as session.c's after_step asks for
 * them; goals would read the same result), and the screen's panes drawn into windows of a
 * curses screen that writes to /dev/null (tui_acid_draw, tui_base_draw: what they read of
 * the engines and the history). */
static double one_step(app *a, WINDOW *left, WINDOW *right, const tui_ctx *c, const char *line, bool *ok,
                       double part[3])
{
    char msg[512];
    double t0 = now_s();
    *ok = app_exec(a, line, msg, sizeof msg) == 0;
    double t1 = now_s();
    *ok = *ok && runner_findings(app_runner(a)) != NULL;
    double t2 = now_s();
    werase(left);
    tui_acid_draw(c, left);
    wnoutrefresh(left);
    werase(right);
    tui_base_draw(c, right);
    wnoutrefresh(right);
    doupdate();
    double t3 = now_s();
    part[0] = t1 - t0;
    part[1] = t2 - t1;
    part[2] = t3 - t2;
    return t3 - t0;
}

static int bench_step(bench *b)
{
    size_t want = b->quick ? 2000 : 100000;
    char err[512];
    app_opts ao = { .seed = 3 };
    app *a = app_new(&ao, err, sizeof err);
    if (!a)
        return fail(b, "bench: step: %s", err);
    gen w;
    gen_open_app(&w, a, 3);
    int rc = -1;
    FILE *out = NULL, *in = NULL;
    SCREEN *scr = NULL;
    /* Both sides' events, as in a lab session, then ACID work up to the size. */
    if (gen_base(b, &w, want / 100) || gen_acid(b, &w, want / 40))
        goto out;
    /* Every session's transaction ends (a blocked one once the others commit), so the
     * filler below and the timed steps never wait for a lock. */
    for (int round = 0; round < 16; round++) {
        bool open = false;
        for (int s = 1; s <= ACID_SESSIONS; s++) {
            acid_state st = acid_session_state(runner_acid(app_runner(a)), s);
            if (st == AS_ACTIVE && gen_line(b, &w, "T%d: COMMIT", s))
                goto out;
            open |= st == AS_ACTIVE || st == AS_BLOCKED;
        }
        if (!open)
            break;
    }
    while (hist_count(runner_history(app_runner(a))) < want)
        if (gen_line(b, &w, "T1: UPDATE acc SET balance = balance + 1 WHERE id = %u", 1 + below(&w.g, 200)))
            goto out;
    /* A terminal of the lab's size, writing nowhere. */
    out = fopen("/dev/null", "w");
    in = fopen("/dev/null", "r");
    scr = out && in ? newterm("xterm-256color", out, in) : NULL;
    if (!scr) {
        note(b, "tui: step_100k_ms not measured: no curses screen for xterm-256color");
        rc = 0;
        goto out;
    }
    tui_theme theme;
    tui_theme_load(&theme, "dark");
    tui_ctx c = { .a = a, .theme = &theme, .sel_session = 1, .sel_replica = 1, .sel_peer = 2 };
    c.color = tui_theme_apply(&theme);
    WINDOW *left = newwin(35, 80, 1, 0), *right = newwin(35, 80, 1, 80);
    if (!left || !right) {
        fail(b, "bench: step: cannot make windows");
        goto done;
    }
    size_t events = hist_count(runner_history(app_runner(a)));
    int reps = b->quick ? 1 : 9;
    double t[16], parts[3][16];
    for (int r = -1; r < reps; r++) {
        bool ok;
        char line[128];
        double part[3];
        snprintf(line, sizeof line, "T9: UPDATE acc SET balance = balance + 1 WHERE id = %u", 1 + below(&w.g, 200));
        double dt = one_step(a, left, right, &c, line, &ok, part);
        if (!ok) {
            fail(b, "bench: step: '%s' did not run", line);
            goto done;
        }
        if (r >= 0) {
            t[r] = dt;
            for (int k = 0; k < 3; k++)
                parts[k][r] = part[k];
        }
    }
    b->fig[F_STEP] = median(t, reps) * 1000.0;
    note(b, "tui: step_100k_ms = one step in the lab at %zu events (ACID and BASE): a statement run through the "
            "lab's model, the findings of the history (lab/run/findings.c), both panes drawn; median of %d; "
            "the fastest %.2f ms; medians of the parts: the line %.2f ms, the findings %.2f ms, the panes %.2f ms",
         events, reps, t[0] * 1000.0, median(parts[0], reps) * 1000.0, median(parts[1], reps) * 1000.0,
         median(parts[2], reps) * 1000.0);
    rc = 0;
done:
    if (left)
        delwin(left);
    if (right)
        delwin(right);
    endwin();
out:
    if (scr)
        delscreen(scr);
    if (out)
        fclose(out);
    if (in)
        fclose(in);
    gen_close(&w);
    app_free(a);
    return rc;
}
