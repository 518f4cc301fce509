/*
 * acid.c: the ACID engine driven directly through its public header, as the wal,
 * group and recovery benchmarks need it. See bench.h.
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


/* --- driving the ACID engine ------------------------------------------------------------------ */

static void on_engine_note(void *arg, const acid_note *n)
{
    note_sink *s = arg;
    if (n->kind == NOTE_ERROR || (n->kind == NOTE_ENGINE && strncmp(n->msg, "I/O error", 9) == 0)) {
        if (!s->errors++)
            snprintf(s->first, sizeof s->first, "%s%s%s", n->stmt ? n->stmt : "", n->stmt ? ": " : "", n->msg);
    }
}

int parse(bench *b, const char *text, sql_stmt *out)
{
    sql_error e;
    if (sql_parse(text, 1, 1, out, &e))
        return fail(b, "bench: cannot parse '%s'", text);
    return 0;
}

static int engine_setup(bench *b, acid_engine *e, const char *text)
{
    sql_stmt s;
    if (parse(b, text, &s))
        return -1;
    char msg[256] = "";
    int line, col;
    int rc = acid_validate(e, &s, msg, sizeof msg, &line, &col);
    if (!rc)
        rc = acid_setup(e, &s, msg, sizeof msg);
    sql_free(&s);
    if (rc)
        return fail(b, "bench: setup '%s': %s", text, msg);
    return 0;
}

/* An engine in dir with a table bench(id, v) holding rows 1..rows (v = 0). real_sync false
 * measures the engine's own work: the bookkeeping of durability stays, the platter goes. */
acid_engine *engine_new(bench *b, const char *dir, hist *h, int sessions, int frames, int rows,
                               bool real_sync, note_sink *ns)
{
    acid_options o = { .dir = dir, .frames = frames, .real_sync = real_sync, .sessions = sessions };
    char err[600];
    acid_engine *e = acid_open(&o, h, on_engine_note, ns, err, sizeof err);
    if (!e) {
        fail(b, "bench: cannot open the engine in %s: %s", dir, err);
        return NULL;
    }
    if (engine_setup(b, e, "CREATE TABLE bench (id INT PRIMARY KEY, v INT)")) {
        acid_close(e);
        return NULL;
    }
    for (int k = 1; k <= rows; k++) {
        char text[128];
        snprintf(text, sizeof text, "INSERT INTO bench VALUES (%d, 0)", k);
        if (engine_setup(b, e, text)) {
            acid_close(e);
            return NULL;
        }
    }
    return e;
}

/* Sum of v over the committed rows: every commit added one. */
int64_t engine_total(acid_engine *e)
{
    acid_row *rows = NULL;
    int n = 0;
    int64_t sum = 0;
    if (acid_committed_rows(e, "bench", &rows, &n))
        return -1;
    for (int i = 0; i < n; i++)
        sum += rows[i].value;
    free(rows);
    return sum;
}

