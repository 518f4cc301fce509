/*
 * pty.c: the lab on a pseudo-terminal, as a learner runs it: a busy scenario stepped
 * through, frames timed, memory measured. See bench.h.
 */
#include "bench.h"
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


/* --- tui and startup ------------------------------------------------------------------------------ */

/* A screen with something everywhere: nine sessions, most of them blocked, a table of 21
 * rows, five replicas with siblings, messages in flight. */
static const char busy_scn[] =
    "setup: CREATE TABLE accounts (id INT PRIMARY KEY, balance INT CHECK (balance >= 0))\n"
    "setup: INSERT INTO accounts VALUES (1, 100), (2, 200), (3, 300), (4, 400), (5, 500), (6, 600), (7, 700), "
    "(8, 800), (9, 900), (10, 1000)\n"
    "setup: INSERT INTO accounts VALUES (11, 1100), (12, 1200), (13, 1300), (14, 1400), (15, 1500), (16, 1600), "
    "(17, 1700), (18, 1800), (19, 1900), (20, 2000)\n"
    "cluster: replicas 5\n"
    "cluster: resolve siblings\n"
    "T1: BEGIN\n"
    "T1: UPDATE accounts SET balance = balance - 10 WHERE id = 1\n"
    "T2: BEGIN ISOLATION LEVEL SERIALIZABLE\n"
    "T2: SELECT * FROM accounts WHERE balance > 1500\n"
    "T3: BEGIN\n"
    "T3: UPDATE accounts SET balance = balance + 10 WHERE id = 1\n"
    "T4: BEGIN ISOLATION LEVEL READ UNCOMMITTED\n"
    "T4: SELECT * FROM accounts WHERE id IN (1, 2, 3)\n"
    "T5: BEGIN ISOLATION LEVEL REPEATABLE READ\n"
    "T5: SELECT SUM(balance) FROM accounts\n"
    "T6: BEGIN\n"
    "T6: UPDATE accounts SET balance = balance + 1 WHERE id = 17\n"
    "T7: INSERT INTO accounts VALUES (21, 2100)\n"
    "T8: BEGIN\n"
    "T8: DELETE FROM accounts WHERE id = 5\n"
    "T9: BEGIN\n"
    "T9: UPDATE accounts SET balance = 0 WHERE id = 5\n"
    "n1: PUT cart apple W=ALL\n"
    "alice@n2: GET cart R=QUORUM\n"
    "net: partition n1 n2 | n3 n4 n5\n"
    "n1: PUT cart pear W=ONE\n"
    "n4: PUT cart plum W=ONE\n"
    "bob@n5: PUT profile blue W=QUORUM\n"
    "net: heal\n"
    "n3: PUT stock 10 W=ONE\n"
    "run: tick 1\n";

/* Reads what the screen writes until it has been quiet for quiet_ms. Returns the time the
 * last byte arrived (t0 when none did); *eof when the other side closed. */
static char pty_tail[160];   /* the end of what the screen wrote last, for error notes */

static double pty_drain(int fd, int quiet_ms, double t0, size_t *bytes, bool *eof)
{
    static char buf[1 << 16];
    double last = t0;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, quiet_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return last;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            *eof = true;
            return last;
        }
        last = now_s();
        *bytes += (size_t)n;
        size_t keep = (size_t)n < sizeof pty_tail - 1 ? (size_t)n : sizeof pty_tail - 1;
        memcpy(pty_tail, buf + n - (ssize_t)keep, keep);
        pty_tail[keep] = 0;
    }
}

/* The last line of plain text in pty_tail (escape sequences and control bytes dropped). */
static void pty_last_line(char *out, size_t n)
{
    char line[sizeof pty_tail], last[sizeof pty_tail] = "";
    size_t k = 0;
    for (const char *p = pty_tail;; p++) {
        if (*p == '\033') {   /* CSI ... final byte */
            if (p[1] == '[')
                for (p++; p[1] && !(p[1] >= '@' && p[1] <= '~'); p++)
                    ;
            if (p[1])
                p++;
            continue;
        }
        if (*p == '\n' || *p == '\r' || !*p) {
            line[k] = 0;
            if (k)
                memcpy(last, line, k + 1);
            k = 0;
            if (!*p)
                break;
        } else if (*p >= ' ' && *p < 127) {
            line[k++] = *p;
        }
    }
    snprintf(out, n, "%s", last);
}

int self_path(bench *b, char *out, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", out, n - 1);
    if (k <= 0)
        return fail(b, "bench: cannot find this program (/proc/self/exe): %s", strerror(errno));
    out[k] = 0;
    return 0;
}

/* The peak resident memory of a running process (VmHWM, which exec starts afresh: what
 * the program itself used, not the forked copy of this one), in kB; NAN if unknown. */
static double peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double kb = NAN;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtod(line + 6, NULL);
    if (f)
        fclose(f);
    return kb;
}

/* One program of ours on a 160x48 pseudo-terminal (TERM=xterm-256color): `acidbase ARGS`,
 * then `steps` presses of n (each runs the next queued line), then nframes frames, each
 * a key and the screen's whole answer: T switches the theme (every cell repainted), an
 * arrow moves the selected session (the usual small change). A frame is the time from the
 * key to the last byte of the answer. Then its peak memory, and q. Returns 0 with why set
 * when it could not be measured (no pty, the program refused or died). */
int pty_session(bench *b, const char *const *args, int steps, int nframes, lab_run *out)
{
    memset(out, 0, sizeof *out);
    out->full_us = out->small_us = out->rss_kb = NAN;
    char self[4096];
    if (self_path(b, self, sizeof self))
        return -1;
    const char *argv[8] = { self };
    int argc = 1;
    for (; args[argc - 1] && argc < 7; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;
    struct winsize ws = { .ws_row = 48, .ws_col = 160 };
    int fd;
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0) {
        snprintf(out->why, sizeof out->why, "no pseudo-terminal (%s)", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        unsetenv("NO_COLOR");
        execv("/proc/self/exe", (char *const *)argv);   /* this very program, even if rebuilt since */
        _exit(127);
    }
    size_t bytes = 0;
    bool eof = false;
    pty_drain(fd, 300, now_s(), &bytes, &eof);   /* keys typed early wait in the terminal */
    char keys_n[128];
    if (steps > (int)sizeof keys_n)
        steps = (int)sizeof keys_n;
    memset(keys_n, 'n', (size_t)steps);
    if (!eof && steps && write(fd, keys_n, (size_t)steps) != steps)
        eof = true;
    pty_drain(fd, 200, now_s(), &bytes, &eof);
    static const char *const keys[2] = { "T", "\033[C" };   /* theme; right arrow */
    double t[2][64];
    int got[2] = { 0, 0 };
    size_t fb[2] = { 0, 0 };
    for (int i = b->quick ? -1 : -3; i < nframes && !eof; i++)
        for (int k = 0; k < 2 && !eof; k++) {
            size_t before = bytes;
            double t0 = now_s();
            if (write(fd, keys[k], strlen(keys[k])) != (ssize_t)strlen(keys[k]))
                break;
            double last = pty_drain(fd, 60, t0, &bytes, &eof);
            if (i >= 0 && bytes > before) {
                t[k][got[k]++] = last - t0;
                fb[k] += bytes - before;
            }
        }
    double rss = eof ? NAN : peak_rss_kb(pid);
    if (!eof && write(fd, "q", 1) == 1)
        pty_drain(fd, 2000, now_s(), &bytes, &eof);
    close(fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got[0] < nframes || got[1] < nframes || isnan(rss)) {
        char cmd[1400] = "acidbase";
        for (int i = 0; args[i]; i++)
            snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", strrchr(args[i], '/') ? strrchr(args[i], '/') + 1 : args[i]);
        char said[sizeof pty_tail];
        pty_last_line(said, sizeof said);
        snprintf(out->why, sizeof out->why, "`%.120s` on a 160x48 pseudo-terminal %s%s%.150s%s", cmd,
                 !WIFEXITED(status) ? "was killed" : WEXITSTATUS(status) ? "exited with an error" : "did not draw",
                 said[0] ? " (\"" : "", said, said[0] ? "\")" : "");
        return 0;
    }
    out->frames = nframes;
    if (nframes) {
        out->full_us = median(t[0], got[0]) * 1e6;
        out->small_us = median(t[1], got[1]) * 1e6;
        out->full_bytes = fb[0] / (size_t)got[0];
        out->small_bytes = fb[1] / (size_t)got[1];
    }
    out->rss_kb = rss;
    return 0;
}

/* The lab's sandbox with the busy scenario: every line run, then the frames. */
static int lab_busy(bench *b, int nframes, lab_run *out)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/busy.scn", b->root);
    FILE *f = fopen(path, "w");
    if (!f || fputs(busy_scn, f) < 0 || fclose(f) != 0)
        return fail(b, "bench: cannot write %s", path);
    int lines = 0;
    for (const char *q = busy_scn; *q; q++)
        lines += *q == '\n';
    const char *args[] = { "lab", path, NULL };
    int rc = pty_session(b, args, lines + 2, nframes, out);
    out->lines = lines;
    return rc;
}

/* One sandbox session serves both benchmarks that need it. */
int lab_measured(bench *b, lab_run **out)
{
    if (!b->lab_done) {
        if (lab_busy(b, b->quick ? 2 : 41, &b->lab))
            return -1;
        b->lab_done = true;
    }
    *out = &b->lab;
    return 0;
}

