/*
 * test_crashpoints.c: in-process crash points, SQLite style. A seeded workload of money
 * transfers between eight accounts (the total is always 2,400) runs once to completion;
 * then it runs again and again from an empty database, the power failing at its 1st,
 * 2nd, ... Nth fsync in turn (fio_fault_syncs: that fsync and every later one fail, the
 * engine stops where it is, and acid_crash plays the power loss: unsynced writes dropped,
 * or in the torn variant partly kept). After each crash:
 *
 *   - every COMMIT the engine acknowledged is in the table;
 *   - nothing uncommitted is (the open transactions, including one whose dirty pages the
 *     two-frame buffer pool stole to the data file, are gone);
 *   - the COMMIT in flight when the power went is there entirely or not at all;
 *   - the total is 2,400;
 *   - recovery said what it did (its redo line, and the torn tail when there was one);
 *   - the engine works afterwards (one more transfer commits), and reopening the directory
 *     (recovery once more, over a log that already holds compensation records) gives the
 *     same table.
 *
 * The sweep runs under sync full and under group commit (two sessions, groups of two).
 * A crash in the middle of recovery itself is test_storage.c's.
 */
#include "t.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acid/engine_int.h"   /* white box: the engine's file layer, for its faults */

#define ACCOUNTS 8
#define START 300
#define TOTAL (ACCOUNTS * START)
#define TXNS 60

typedef struct run {
    acid_engine *e;
    char dir[256];
    int io_errors;           /* I/O error notes seen */
    int recovery_notes;      /* "recovery: redo ..." lines */
    int torn_notes;          /* "recovery: torn log tail ..." lines */
    bool stmt_failed;        /* the statement just submitted got an error */
} run;

/* The balances as of the last acknowledged commit, and what the transaction in flight
 * would make them. */
typedef struct model {
    bool setup_done;
    int64_t acked[ACCOUNTS + 1];
    int64_t inflight[ACCOUNTS + 1];
    bool has_inflight;
    int64_t inflight2[ACCOUNTS + 1];  /* group commit: both commits of the group */
    bool has_inflight2;
} model;

static void on_note(void *arg, const acid_note *n)
{
    run *r = arg;
    if (n->kind == NOTE_ERROR)
        r->stmt_failed = true;
    if (n->kind == NOTE_ENGINE && n->msg) {
        if (!strncmp(n->msg, "I/O error", 9)) {
            r->io_errors++;
            r->stmt_failed = true;
        }
        if (!strncmp(n->msg, "recovery: redo", 14))
            r->recovery_notes++;
        if (!strncmp(n->msg, "recovery: torn", 14))
            r->torn_notes++;
    }
}

static int open_run(run *r, bool fresh)
{
    char err[256];
    if (fresh) {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->dir, sizeof r->dir, "%s/ab-crashpt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->dir))
            return -1;
    }
    acid_options o = { .dir = r->dir, .frames = 2, .real_sync = false, .sessions = 2 };
    r->e = acid_open(&o, NULL, on_note, r, err, sizeof err);
    if (!r->e)
        fprintf(stderr, "acid_open: %s\n", err);
    return r->e ? 0 : -1;
}

static void close_run(run *r, bool remove)
{
    acid_close(r->e);
    r->e = NULL;
    if (remove) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", r->dir);
    }
}

/* Runs one statement; 0 if it succeeded (for COMMIT: acknowledged). */
static int sql(run *r, int session, const char *text)
{
    sql_stmt s;
    sql_error err;
    if (sql_parse(text, 1, 1, &s, &err)) {
        fprintf(stderr, "bad SQL in test: %s: %s\n", text, err.msg);
        abort();
    }
    r->stmt_failed = false;
    if (session == 0) {
        char msg[256];
        int line, col;
        int rc = acid_validate(r->e, &s, msg, sizeof msg, &line, &col) || acid_setup(r->e, &s, msg, sizeof msg);
        sql_free(&s);
        return rc ? -1 : 0;
    }
    acid_submit(r->e, session, &s);
    sql_free(&s);
    return r->stmt_failed ? -1 : 0;
}

static uint64_t next(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* One transfer in session s from a to b; commits unless told to roll back. Returns 0 when
 * it finished (acknowledged or rolled back), -1 when a statement failed: the power went. */
static int transfer(run *r, model *m, int s, int a, int b, int x, bool commit, bool group_wait)
{
    char q[160];
    if (sql(r, s, "BEGIN"))
        return -1;
    snprintf(q, sizeof q, "UPDATE accounts SET balance = balance - %d WHERE id = %d", x, a);
    if (sql(r, s, q))
        return -1;
    snprintf(q, sizeof q, "UPDATE accounts SET balance = balance + %d WHERE id = %d", x, b);
    if (sql(r, s, q))
        return -1;
    if (!commit)
        return sql(r, s, "ROLLBACK");
    memcpy(m->inflight, m->acked, sizeof m->acked);
    m->inflight[a] -= x;
    m->inflight[b] += x;
    m->has_inflight = true;
    if (sql(r, s, "COMMIT"))
        return -1;
    if (group_wait)
        return 0;       /* parked until its group's fsync: still in flight */
    memcpy(m->acked, m->inflight, sizeof m->acked);
    m->has_inflight = false;
    return 0;
}

/* The workload. group: sync group 2, and each T1 commit waits for T2's to share an fsync.
 * Returns 0 when it ran to the end, -1 when the power went (a statement failed). */
static int workload(run *r, model *m, bool group)
{
    static const char *const setup[] = {
        "CREATE TABLE accounts (id INT PRIMARY KEY, balance INT CHECK (balance >= 0))",
        "INSERT INTO accounts VALUES (1,300),(2,300),(3,300),(4,300),(5,300),(6,300),(7,300),(8,300)",
    };
    for (int i = 0; i < 2; i++)
        if (sql(r, 0, setup[i]))
            return -1;
    for (int i = 1; i <= ACCOUNTS; i++)
        m->acked[i] = START;
    m->setup_done = true;
    if (group && acid_set_sync(r->e, SYNC_GROUP, 2))
        return -1;
    uint64_t rng = 42;
    for (int t = 0; t < TXNS; t++) {
        /* T1 moves money among accounts 1..6; T2 among 7 and 8, so they never wait for
         * each other's locks. */
        int a = 1 + (int)(next(&rng) % 6), b = 1 + (int)(next(&rng) % 6);
        if (a == b)
            b = a % 6 + 1;
        int x = 1 + (int)(next(&rng) % 20);
        bool commit = next(&rng) % 5 != 0;
        if (group) {
            model m2 = *m;
            /* T1 commits and parks; T2's commit completes the group and answers both. */
            if (transfer(r, m, 1, a, b, x, true, true))
                return -1;
            memcpy(m2.acked, m->inflight, sizeof m2.acked);
            if (transfer(r, &m2, 2, 7 + t % 2, 8 - t % 2, 1 + t % 3, true, false)) {
                /* Both were in flight when the group's fsync failed: a torn tail may
                 * keep T1's commit record without T2's, or both. */
                if (m2.has_inflight) {
                    memcpy(m->inflight2, m2.inflight, sizeof m->inflight2);
                    m->has_inflight2 = true;
                }
                return -1;
            }
            if (acid_session_state(r->e, 1) != AS_COMMITTED)
                return -1;
            memcpy(m->acked, m2.acked, sizeof m->acked);
            m->has_inflight = false;
        } else {
            if (transfer(r, m, 1, a, b, x, commit, false))
                return -1;
            /* Every fifth transfer T2 opens a transaction it leaves unfinished for a while:
             * its dirty pages get stolen to the data file, and a crash must undo them. */
            if (t % 5 == 0) {
                if (sql(r, 2, "BEGIN") || sql(r, 2, "UPDATE accounts SET balance = balance - 50 WHERE id = 7") ||
                    sql(r, 2, "UPDATE accounts SET balance = balance + 50 WHERE id = 8"))
                    return -1;
            } else if (t % 5 == 3) {
                if (sql(r, 2, "ROLLBACK"))
                    return -1;
            }
        }
        if (t % 9 == 4 && acid_checkpoint(r->e))
            return -1;
        if (t % 7 == 6 && acid_evict(r->e))
            return -1;
    }
    if (!group && acid_session_state(r->e, 2) == AS_ACTIVE && sql(r, 2, "ROLLBACK"))
        return -1;
    return 0;
}

static bool table_is(run *r, const int64_t *want)
{
    acid_row *rows = NULL;
    int n = 0;
    if (acid_committed_rows(r->e, "accounts", &rows, &n) || n != ACCOUNTS) {
        free(rows);
        return false;
    }
    bool same = true;
    for (int i = 0; i < n; i++)
        same &= rows[i].key.i == i + 1 && rows[i].value == want[i + 1];
    free(rows);
    return same;
}

static int64_t total(run *r)
{
    acid_row *rows = NULL;
    int n = 0;
    int64_t sum = 0;
    if (acid_committed_rows(r->e, "accounts", &rows, &n) == 0)
        for (int i = 0; i < n; i++)
            sum += rows[i].value;
    free(rows);
    return sum;
}

static int points_tried, crashes_survived;

/* The sweep for one mode. Returns how many crash points it tried. */
static int sweep(bool group, bool torn)
{
    int tried = 0;
    for (long k = 1; k < 10000; k++) {
        run r = { 0 };
        model m = { 0 };
        if (open_run(&r, true)) {
            CHECK(!"engine opens");
            return tried;
        }
        /* The setup's own fsyncs come first: crash points cover them too, except that a
         * crash before the table exists leaves nothing to check but an empty database. */
        fio_fault_syncs(r.e->env, k);
        int done = workload(&r, &m, group) == 0;
        if (done) {
            close_run(&r, true);
            CHECK(tried > 10);    /* the workload did sync, many times */
            return tried;
        }
        tried++;
        CHECK(r.io_errors > 0 || acid_error(r.e)[0]);
        int notes_before = r.recovery_notes;
        CHECK_EQ_INT(acid_crash(r.e, torn), 0);
        CHECK_EQ_INT(r.recovery_notes, notes_before + 1);
        if (!m.setup_done) {
            /* The power went during the setup (each statement its own transaction, not
             * acknowledged): no table, an empty one, or all 2,400. */
            int64_t sum = acid_table_exists(r.e, "accounts", NULL) ? total(&r) : 0;
            CHECK(sum == 0 || sum == TOTAL);
            close_run(&r, true);
            continue;
        }
        bool as_acked = table_is(&r, m.acked);
        bool as_inflight = m.has_inflight && table_is(&r, m.inflight);
        bool as_inflight2 = m.has_inflight2 && table_is(&r, m.inflight2);
        if (as_inflight2) {
            memcpy(m.inflight, m.inflight2, sizeof m.inflight);
            as_inflight = true;
        }
        if (!as_acked && !as_inflight) {
            fprintf(stderr, "crash point %ld (%s%s): the table is neither the acknowledged state nor the "
                            "in-flight commit's\n", k, group ? "group" : "full", torn ? ", torn" : "");
            CHECK(as_acked || as_inflight);
        }
        CHECK_EQ_INT(total(&r), TOTAL);
        /* The engine goes on: one more transfer commits (and survives a reopen). */
        int64_t *base = as_acked ? m.acked : m.inflight;
        memcpy(m.acked, base, sizeof m.acked);
        if (group)
            CHECK_EQ_INT(acid_set_sync(r.e, SYNC_FULL, 0), 0);
        CHECK_EQ_INT(transfer(&r, &m, 1, 1, 2, 1, true, false), 0);
        CHECK(table_is(&r, m.acked));
        close_run(&r, false);
        CHECK_EQ_INT(open_run(&r, false), 0);
        if (r.e) {
            CHECK(table_is(&r, m.acked));
            CHECK_EQ_INT(total(&r), TOTAL);
            crashes_survived++;
        }
        close_run(&r, true);
    }
    CHECK(!"the workload ends within 10,000 fsyncs");
    return tried;
}

static int tried_in[4];

static void test_every_fsync_of_a_transfer_workload_is_a_safe_crash_point(void)
{
    points_tried += tried_in[0] = sweep(false, false);
}

static void test_every_fsync_is_safe_when_the_lost_writes_are_torn(void)
{
    points_tried += tried_in[1] = sweep(false, true);
}

static void test_every_fsync_of_group_commit_is_a_safe_crash_point(void)
{
    points_tried += tried_in[2] = sweep(true, false);
    points_tried += tried_in[3] = sweep(true, true);
}

int main(void)
{
    RUN(test_every_fsync_of_a_transfer_workload_is_a_safe_crash_point);
    RUN(test_every_fsync_is_safe_when_the_lost_writes_are_torn);
    RUN(test_every_fsync_of_group_commit_is_a_safe_crash_point);
    printf("crash points: %d tried (sync full %d, torn %d; group %d, torn %d), %d recovered and reopened with "
           "nothing lost (the others fell in the setup)\n", points_tried, tried_in[0], tried_in[1], tried_in[2],
           tried_in[3], crashes_survived);
    return t_done("crashpoints");
}
