/*
 * test_crashpoints.c: in-process crash points, SQLite style. A seeded workload runs once to
 * completion; then it runs again and again from an empty database, the power failing at
 * its 1st, 2nd, ... Nth fsync (fio_fault_syncs: that fsync and everything after it fail),
 * and again at its 1st, 2nd, ... Nth write (fio_fault_writes: that write never happens,
 * nor anything after it), every file counted: the log, the data file, the copy a
 * checkpoint's cut of the log writes, the directory. The engine stops where the fault
 * finds it and acid_crash plays the power loss (unsynced writes dropped; in the torn
 * variant half of the first log record written after the last fsync kept).
 *
 * The workload, under sync full, sync off and sync group 2 in turn: three sessions move
 * money between accounts (T1 among 1..3, T3 among 4..6, so they never wait for each
 * other's locks; T2 keeps a long transaction open on account 7, committed or rolled back
 * now and then, whose dirty pages get stolen), each committed transaction also inserting
 * its own number into a ledger; T4 reads the whole ledger at READ UNCOMMITTED, which with
 * two buffer frames evicts dirty pages (so the log rule's flushes happen in the middle of
 * statements, beside waiting groups); checkpoints (which cut the log) and evictions come
 * between them, also while a commit waits for its group.
 *
 * The model is what the client was told, nothing the engine says about itself: a COMMIT
 * submitted joins the commit order; one the engine answered (the session ended
 * `committed`, before the crash or by the crash answering what an fsync had made durable)
 * is acknowledged; an acknowledgement is durable when an fsync certainly covered it (under
 * sync full and group every answer; under sync off only what a later checkpoint or flush
 * that returned covered). After the crash:
 *
 *   - the transactions whose ledger rows are there are a prefix of the commit order (the
 *     log is one sequence): nothing after a lost commit survives;
 *   - they include every durable acknowledgement, and only acknowledged commits;
 *   - under sync full and group they are exactly the acknowledged ones;
 *   - every balance is the opening one plus the transfers of exactly those (nothing of an
 *     open or unacknowledged transaction, all of a surviving one);
 *   - the crash names as lost (TXN_LOST) exactly the acknowledged commits that did not
 *     survive;
 *   - the engine goes on (one more transfer commits), and a reopen of the directory, which
 *     runs recovery once more, shows the same tables.
 *
 * `make test` sweeps a short workload (every crash point of it, tens of seconds under
 * ASan); ACIDBASE_CRASH_SOAK=1 (`make soak`) a longer one over several seeds.
 * A crash in the middle of recovery itself is test_storage.c's.
 */
#include "t.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acid/engine_int.h"   /* white box: the engine's file layer, for its faults */

#define ACCOUNTS 7
#define START 1000
#define TXN_MAX 1024
#define LONG_BASE 100000   /* ledger numbers of T2's long transactions */

typedef struct run {
    acid_engine *e;
    hist *h;
    char dir[256];
    bool stmt_failed;        /* the statement just submitted got an error */
    int recovery_notes;      /* "recovery: redo ..." lines */
} run;

/* One transaction of the workload, as the client saw it. */
typedef struct txrec {
    int no;                  /* its ledger number */
    int session;
    uint64_t id;             /* its transaction id (to match TXN_LOST) */
    int delta[ACCOUNTS + 1];
    bool committing;         /* COMMIT submitted: in the commit order */
    bool answered;           /* ... and answered `committed` */
    bool durable;            /* ... and an fsync certainly covered the answer */
} txrec;

typedef struct model {
    acid_sync mode;
    txrec t[TXN_MAX];
    int n;
    int order[TXN_MAX];      /* indexes into t, in commit order */
    int norder;
    int cur[4];              /* the open transaction of session 1..3 (-1: none) */
    bool setup_done;
} model;

static void on_note(void *arg, const acid_note *n)
{
    run *r = arg;
    if (n->kind == NOTE_ERROR)
        r->stmt_failed = true;
    if (n->kind == NOTE_ENGINE && n->msg && !strncmp(n->msg, "recovery: redo", 14))
        r->recovery_notes++;
}

static int open_run(run *r, bool fresh)
{
    char err[512];
    if (fresh) {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->dir, sizeof r->dir, "%s/ab-crashpt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->dir))
            return -1;
    }
    if (!r->h)
        r->h = hist_new();
    acid_options o = { .dir = r->dir, .frames = 2, .real_sync = false, .sessions = 4 };
    r->e = acid_open(&o, r->h, on_note, r, err, sizeof err);
    if (!r->e)
        fprintf(stderr, "acid_open: %s\n", err);
    return r->e ? 0 : -1;
}

static void close_run(run *r, bool remove)
{
    acid_close(r->e);
    r->e = NULL;
    if (remove) {
        hist_free(r->h);
        r->h = NULL;
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", r->dir);
    }
}

static bool faulted(run *r)
{
    return fio_faulted(r->e->env) != 0;
}

/* Runs one statement; 0 if it did not fail and no fault fired. */
static int sql(run *r, int session, const char *text)
{
    sql_stmt s;
    sql_error err;
    if (sql_parse(text, 1, 1, &s, &err)) {
        fprintf(stderr, "bad SQL in test: %s: %s\n", text, err.msg);
        abort();
    }
    r->stmt_failed = false;
    int rc = 0;
    if (session == 0) {
        char msg[256];
        int line, col;
        rc = acid_validate(r->e, &s, msg, sizeof msg, &line, &col) || acid_setup(r->e, &s, msg, sizeof msg);
    } else {
        acid_submit(r->e, session, &s);
        rc = r->stmt_failed;
    }
    sql_free(&s);
    return rc || faulted(r) ? -1 : 0;
}

static uint64_t next(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* After every step: commits the engine has answered since (a group completed, any fsync
 * that made one durable). Under group and full an answer is durable by the rules. */
static void collect_answers(run *r, model *m)
{
    for (int k = 1; k <= 3; k++) {
        int i = m->cur[k];
        if (i < 0 || !m->t[i].committing)
            continue;
        if (acid_session_state(r->e, k) == AS_COMMITTED) {
            m->t[i].answered = true;
            m->t[i].durable = m->mode != SYNC_OFF;
            m->cur[k] = -1;
        }
    }
}

/* A checkpoint or a flush returned: every answer so far is durable. */
static void all_durable(model *m)
{
    for (int i = 0; i < m->n; i++)
        if (m->t[i].answered)
            m->t[i].durable = true;
}

static int begin_txn(run *r, model *m, int session)
{
    if (m->n == TXN_MAX)
        return -1;
    int i = m->n++;
    txrec *t = &m->t[i];
    memset(t, 0, sizeof *t);
    t->no = session == 2 ? LONG_BASE + i : i + 1;
    t->session = session;
    m->cur[session] = i;
    if (sql(r, session, "BEGIN"))
        return -1;
    t->id = acid_session_txn(r->e, session);
    char q[96];
    snprintf(q, sizeof q, "INSERT INTO ledger VALUES (%d, %d)", t->no, session);
    return sql(r, session, q);
}

static int move(run *r, model *m, int session, int acct, int x)
{
    char q[96];
    snprintf(q, sizeof q, "UPDATE accounts SET balance = balance + %d WHERE id = %d", x, acct);
    if (sql(r, session, q))
        return -1;
    m->t[m->cur[session]].delta[acct] += x;
    return 0;
}

/* COMMIT (or ROLLBACK) of session's open transaction. */
static int end_txn(run *r, model *m, int session, bool commit)
{
    int i = m->cur[session];
    if (!commit) {
        m->cur[session] = -1;
        return sql(r, session, "ROLLBACK");
    }
    m->t[i].committing = true;
    m->order[m->norder++] = i;
    int rc = sql(r, session, "COMMIT");
    collect_answers(r, m);
    return rc;
}

/* A transfer by T1 (accounts 1..3) or T3 (4..6), ending in COMMIT (one in seven ROLLBACK). */
static int transfer(run *r, model *m, int session, uint64_t *rng)
{
    int lo = session == 1 ? 1 : 4;
    int a = lo + (int)(next(rng) % 3), b = lo + (int)(next(rng) % 3);
    if (a == b)
        b = lo + (b - lo + 1) % 3;
    int x = 1 + (int)(next(rng) % 9);
    bool commit = next(rng) % 7 != 0;
    if (begin_txn(r, m, session) || move(r, m, session, a, -x) || move(r, m, session, b, x))
        return -1;
    return end_txn(r, m, session, commit);
}

/* The workload. Returns 0 when it ran to the end, -1 when the power went. */
static int workload(run *r, model *m, int txns, uint64_t seed)
{
    static const char *const setup[] = {
        "CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)",
        "CREATE TABLE ledger (id INT PRIMARY KEY, session INT)",
        "INSERT INTO accounts VALUES (1,1000),(2,1000),(3,1000),(4,1000),(5,1000),(6,1000),(7,1000)",
    };
    for (int i = 0; i < 3; i++)
        if (sql(r, 0, setup[i]))
            return -1;
    m->setup_done = true;
    if (m->mode != SYNC_FULL && acid_set_sync(r->e, m->mode, m->mode == SYNC_GROUP ? 2 : 0))
        return -1;
    uint64_t rng = seed;
    int done = 0;
    while (done < txns) {
        int pick = (int)(next(&rng) % 20);
        int rc = 0;
        if (pick < 12) {
            /* A transfer by whichever of T1 and T3 is not waiting for its group. */
            int s = next(&rng) % 2 ? 1 : 3;
            if (m->cur[s] >= 0)
                s = 4 - s;
            if (m->cur[s] < 0) {
                rc = transfer(r, m, s, &rng);
                done++;
            }
        } else if (pick < 14) {
            /* T2's long transaction: begin it, add to it, or end it. */
            if (m->cur[2] < 0)
                rc = begin_txn(r, m, 2) || move(r, m, 2, 7, 5);
            else if (!m->t[m->cur[2]].committing)
                rc = next(&rng) % 2 ? move(r, m, 2, 7, 1) : end_txn(r, m, 2, next(&rng) % 3 != 0);
        } else if (pick < 16) {
            rc = sql(r, 4, "BEGIN ISOLATION LEVEL READ UNCOMMITTED") || sql(r, 4, "SELECT * FROM ledger") ||
                 sql(r, 4, "COMMIT");
        } else if (pick < 18) {
            rc = acid_checkpoint(r->e);
            if (!rc)
                all_durable(m);
        } else if (pick < 19) {
            rc = acid_evict(r->e);
        } else {
            rc = acid_flush(r->e);
            if (!rc)
                all_durable(m);
        }
        collect_answers(r, m);
        if (rc || faulted(r))
            return -1;
    }
    /* The end: a flush answers a group still waiting; T2's transaction stays open. */
    if (acid_flush(r->e))
        return -1;
    all_durable(m);
    collect_answers(r, m);
    return faulted(r) ? -1 : 0;
}

static bool read_table(run *r, const char *name, acid_row **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    return acid_committed_rows(r->e, name, rows, n) == 0;
}

static bool has_key(const acid_row *rows, int n, int64_t k)
{
    for (int i = 0; i < n; i++)
        if (rows[i].key.i == k)
            return true;
    return false;
}

typedef struct outcome {
    bool ok;
    char why[512];
} outcome;

#define FAIL_IF(cond, ...) do { if (cond) { o->ok = false; snprintf(o->why, sizeof o->why, __VA_ARGS__); return; } } while (0)

/* Checks the tables against the model; survived[i] says which of m->t made it. */
static void check_tables(run *r, const model *m, bool *survived, outcome *o)
{
    acid_row *led, *acc;
    int nl, na;
    o->ok = true;
    FAIL_IF(!read_table(r, "ledger", &led, &nl) || !read_table(r, "accounts", &acc, &na), "the tables are gone");
    for (int i = 0; i < m->n; i++)
        survived[i] = has_key(led, nl, m->t[i].no);
    int64_t want[ACCOUNTS + 1];
    for (int k = 1; k <= ACCOUNTS; k++)
        want[k] = START;
    for (int i = 0; i < m->n; i++)
        if (survived[i])
            for (int k = 1; k <= ACCOUNTS; k++)
                want[k] += m->t[i].delta[k];
    bool rows_known = true;
    for (int j = 0; j < nl; j++) {
        bool known = false;
        for (int i = 0; i < m->n && !known; i++)
            known = led[j].key.i == m->t[i].no;
        rows_known &= known;
    }
    bool balances = na == ACCOUNTS;
    for (int k = 0; balances && k < na; k++)
        balances = acc[k].key.i == k + 1 && acc[k].value == want[k + 1];
    free(led);
    free(acc);
    FAIL_IF(!rows_known, "a ledger row no transaction of the workload wrote");
    FAIL_IF(!balances, "the balances are not the opening ones plus the surviving transactions' transfers");
}

static void check_model(const model *m, const bool *survived, const hist *h, outcome *o)
{
    o->ok = true;
    /* Survivors: committed ones only, a prefix of the commit order. */
    for (int i = 0; i < m->n; i++)
        FAIL_IF(survived[i] && !m->t[i].committing, "ledger %d survived, but its transaction never committed",
                m->t[i].no);
    bool gap = false;
    for (int k = 0; k < m->norder; k++) {
        const txrec *t = &m->t[m->order[k]];
        bool s = survived[m->order[k]];
        FAIL_IF(s && gap, "ledger %d survived after a commit that did not: not a prefix of the log", t->no);
        gap |= !s;
        FAIL_IF(s && !t->answered, "ledger %d survived, but its COMMIT was never answered", t->no);
        FAIL_IF(!s && t->durable, "ledger %d: an acknowledged commit an fsync had covered is lost", t->no);
        FAIL_IF(!s && t->answered && m->mode != SYNC_OFF, "ledger %d: an acknowledged commit is lost under sync %s",
                t->no, m->mode == SYNC_FULL ? "full" : "group");
    }
    /* The crash names exactly the acknowledged commits it took. */
    for (int k = 0; k < m->norder; k++) {
        const txrec *t = &m->t[m->order[k]];
        bool named = false;
        for (size_t i = 0; i < hist_count(h) && !named; i++) {
            const hist_event *e = hist_get(h, i);
            named = e->kind == EV_TXN_LOST && e->txn == t->id;
        }
        bool lost = t->answered && !survived[m->order[k]];
        FAIL_IF(named != lost, "ledger %d (txn %" PRIu64 "): %s", t->no, t->id,
                lost ? "an acknowledged commit lost without the crash naming it" : "named lost, but it survived");
    }
}

typedef struct sweep_stats {
    int points, survived, lost_named, torn;
} sweep_stats;

static const char *mode_name(acid_sync m)
{
    return m == SYNC_FULL ? "full" : m == SYNC_OFF ? "off" : "group";
}

/* One crash point: the workload with the fault armed at the k-th sync or write. Returns 1
 * when the fault fired (a crash point checked), 0 when the workload ran to its end. */
static int crash_point(acid_sync mode, bool writes, long k, bool torn, int txns, uint64_t seed, sweep_stats *st)
{
    run r = { 0 };
    static model m;
    memset(&m, 0, sizeof m);
    m.mode = mode;
    for (int s = 0; s < 4; s++)
        m.cur[s] = -1;
    if (open_run(&r, true)) {
        CHECK(!"engine opens");
        return 0;
    }
    if (writes)
        fio_fault_writes(r.e->env, k);
    else
        fio_fault_syncs(r.e->env, k);
    if (workload(&r, &m, txns, seed) == 0 && !faulted(&r)) {
        close_run(&r, true);
        return 0;
    }
    char where[128];
    snprintf(where, sizeof where, "sync %s, seed %" PRIu64 ", crash at %s %ld%s", mode_name(mode), seed,
             writes ? "write" : "fsync", k, torn ? ", torn" : "");
    int notes = r.recovery_notes;
    if (acid_crash(r.e, torn) != 0) {
        fprintf(stderr, "%s: recovery failed: %s\n", where, acid_error(r.e));
        CHECK(!"recovery succeeds");
        close_run(&r, true);
        return 1;
    }
    CHECK_EQ_INT(r.recovery_notes, notes + 1);
    CHECK_EQ_INT(engine_check(r.e), 0);
    st->points++;
    acid_view_recovery rv;
    if (acid_view_last_recovery(r.e, &rv) && rv.torn)
        st->torn++;
    if (!m.setup_done) {
        /* The power went during the setup (nothing acknowledged to a session): whatever
         * tables exist hold the opening balances. */
        acid_row *acc;
        int na;
        if (read_table(&r, "accounts", &acc, &na)) {
            int64_t sum = 0;
            for (int i = 0; i < na; i++)
                sum += acc[i].value;
            CHECK(na == 0 || sum == START * ACCOUNTS);
            free(acc);
        }
        close_run(&r, true);
        return 1;
    }
    /* What the crash answered (a group an fsync had covered) counts as answered. */
    collect_answers(&r, &m);
    static bool survived[TXN_MAX];
    outcome o;
    check_tables(&r, &m, survived, &o);
    if (o.ok)
        check_model(&m, survived, r.h, &o);
    if (!o.ok) {
        fprintf(stderr, "%s: %s\n", where, o.why);
        CHECK(!"the tables after recovery are what the client was told");
        close_run(&r, true);
        return 1;
    }
    for (int i = 0; i < m.n; i++) {
        st->survived += survived[i];
        st->lost_named += m.t[i].answered && !survived[i];
    }
    /* The engine goes on: one more transfer commits, durably. */
    if (mode != SYNC_FULL)
        CHECK_EQ_INT(acid_set_sync(r.e, SYNC_FULL, 0), 0);
    m.mode = SYNC_FULL;
    for (int s = 0; s < 4; s++)
        m.cur[s] = -1;
    int i = m.n;
    CHECK_EQ_INT(begin_txn(&r, &m, 1) || move(&r, &m, 1, 1, -1) || move(&r, &m, 1, 2, 1) || end_txn(&r, &m, 1, true), 0);
    CHECK(m.t[i].answered);
    survived[i] = true;
    check_tables(&r, &m, survived, &o);
    CHECK(o.ok);
    bool after[TXN_MAX];
    memcpy(after, survived, sizeof after);
    close_run(&r, false);
    /* Reopened: recovery once more, the same tables. */
    CHECK_EQ_INT(open_run(&r, false), 0);
    if (r.e) {
        check_tables(&r, &m, survived, &o);
        bool same = o.ok;
        for (int j = 0; j < m.n; j++)
            same &= survived[j] == after[j];
        if (!same)
            fprintf(stderr, "%s: after reopening: %s\n", where, o.ok ? "other transactions survived" : o.why);
        CHECK(same);
    }
    close_run(&r, true);
    return 1;
}

static sweep_stats totals[3][2];   /* [mode][writes] */

/* Every crash point of the workload under mode: each fsync, then each write, each plain
 * and torn. */
static void sweep(acid_sync mode, int txns, uint64_t seed)
{
    for (int writes = 0; writes < 2; writes++) {
        sweep_stats *st = &totals[mode == SYNC_FULL ? 0 : mode == SYNC_OFF ? 1 : 2][writes];
        long k;
        for (k = 1; k < 1000000; k++) {
            int fired = 0;
            for (int torn = 0; torn < 2; torn++)
                fired += crash_point(mode, writes, k, torn, txns, seed, st);
            if (!fired)
                break;
        }
        CHECK(k > 10);   /* the workload did sync and write, many times */
    }
}

static bool soak(void)
{
    const char *s = getenv("ACIDBASE_CRASH_SOAK");
    return s && *s && strcmp(s, "0") != 0;
}

static int seeds(void) { return soak() ? 5 : 1; }
static int txns(void) { return soak() ? 80 : 24; }

static void test_every_crash_point_under_sync_full(void)
{
    for (int s = 0; s < seeds(); s++)
        sweep(SYNC_FULL, txns(), 42 + (uint64_t)s);
}

static void test_every_crash_point_under_sync_off(void)
{
    for (int s = 0; s < seeds(); s++)
        sweep(SYNC_OFF, txns(), 42 + (uint64_t)s);
}

static void test_every_crash_point_under_group_commit(void)
{
    for (int s = 0; s < seeds(); s++)
        sweep(SYNC_GROUP, txns(), 42 + (uint64_t)s);
}

int main(void)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    RUN(test_every_crash_point_under_sync_full);
    RUN(test_every_crash_point_under_sync_off);
    RUN(test_every_crash_point_under_group_commit);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int all = 0, survived = 0, lost = 0, torn = 0;
    for (int mo = 0; mo < 3; mo++)
        for (int w = 0; w < 2; w++) {
            all += totals[mo][w].points;
            survived += totals[mo][w].survived;
            lost += totals[mo][w].lost_named;
            torn += totals[mo][w].torn;
        }
    printf("crash points: %d (%d transactions a workload, %d seed%s): sync full %d at fsyncs + %d at writes, "
           "off %d + %d, group %d + %d, each plain and torn (%d torn tails cut); %d transactions found committed, "
           "%d acknowledged commits lost under sync off and each named lost; %.1f s\n",
           all, txns(), seeds(), seeds() == 1 ? "" : "s", totals[0][0].points, totals[0][1].points,
           totals[1][0].points, totals[1][1].points, totals[2][0].points, totals[2][1].points, torn, survived, lost,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return t_done("crashpoints");
}
