/*
 * test_property.c: random schedules through the real engine, judged by the checker.
 *
 * Hundreds of seeded schedules of 2 to 4 transactions over a few rows, interleaved
 * statement by statement in a random order (blocking and deadlocks as they come). At
 * SERIALIZABLE the checker must never report anything: strict two-phase locking with
 * predicate protection produces only serializable histories. At READ UNCOMMITTED and
 * READ COMMITTED it must find anomalies in some of them. Both halves are asserted; if the
 * engine stopped blocking, the first half fails; if the checker stopped seeing cycles,
 * the second.
 */
#include "t.h"

#include <inttypes.h>
#include <stdlib.h>

#include "acid/engine.h"
#include "history/acidcheck.h"

static uint64_t rng;
static uint32_t next_rand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}
static int pick(int n) { return (int)(next_rand() % (uint32_t)n); }

static void quiet(void *arg, const acid_note *n) { (void)arg; (void)n; }

static void submit(acid_engine *e, int session, const char *text)
{
    sql_stmt s;
    sql_error err;
    if (sql_parse(text, 1, 1, &s, &err) != 0) {
        fprintf(stderr, "bad generated SQL: %s: %s\n", text, err.msg);
        abort();
    }
    acid_submit(e, session, &s);
    sql_free(&s);
}

static void random_op(char *buf, size_t n, int nextkey)
{
    int k = 1 + pick(3);
    switch (pick(8)) {
    case 0: snprintf(buf, n, "SELECT * FROM test WHERE id = %d", k); break;
    case 1: snprintf(buf, n, "SELECT * FROM test"); break;
    case 2: snprintf(buf, n, "SELECT COUNT(*) FROM test WHERE value %% 2 = 0"); break;
    case 3: snprintf(buf, n, "UPDATE test SET value = value + %d WHERE id = %d", 1 + pick(5), k); break;
    case 4: snprintf(buf, n, "UPDATE test SET value = %d WHERE id = %d", pick(50), k); break;
    case 5: snprintf(buf, n, "INSERT INTO test VALUES (%d, %d)", nextkey, pick(50)); break;
    case 6: snprintf(buf, n, "SELECT SUM(value) FROM test WHERE value > 10"); break;
    default: snprintf(buf, n, "UPDATE test SET value = value + 1 WHERE value %% 3 = 0"); break;
    }
}

/* Runs one random schedule at level; returns the number of checker findings. */
static int run_schedule(uint64_t seed, iso_level level, int *deadlocks)
{
    rng = seed * 2654435761u + 17;
    char err[256], dir[256], cmd[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ab-prop-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    acid_options o = { .dir = dir, .frames = 0, .real_sync = false };
    hist *h = hist_new();
    acid_engine *e = acid_open(&o, h, quiet, NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "acid_open: %s\n", err);
        abort();
    }
    sql_stmt s;
    sql_error se;
    char msg[256];
    const char *setup[] = { "CREATE TABLE test (id INT PRIMARY KEY, value INT)",
                            "INSERT INTO test VALUES (1, 10), (2, 20), (3, 30)" };
    for (int i = 0; i < 2; i++) {
        int line, col;
        sql_parse(setup[i], 1, 1, &s, &se);
        acid_validate(e, &s, msg, sizeof msg, &line, &col);
        acid_setup(e, &s, msg, sizeof msg);
        sql_free(&s);
    }
    int ntx = 2 + pick(3);
    char prog[4][8][128];
    int len[4], pos[4] = { 0 };
    int nextkey = 10;
    for (int t = 0; t < ntx; t++) {
        snprintf(prog[t][0], 128, "BEGIN ISOLATION LEVEL %s", iso_name(level));
        int nops = 1 + pick(4);
        for (int i = 1; i <= nops; i++)
            random_op(prog[t][i], 128, nextkey++);
        snprintf(prog[t][nops + 1], 128, pick(8) ? "COMMIT" : "ROLLBACK");
        len[t] = nops + 2;
    }
    for (;;) {
        int live[4], nl = 0;
        for (int t = 0; t < ntx; t++)
            if (pos[t] < len[t])
                live[nl++] = t;
        if (!nl)
            break;
        int t = live[pick(nl)];
        submit(e, t + 1, prog[t][pos[t]++]);
    }
    for (int t = 1; t <= ntx; t++)
        CHECK(acid_session_state(e, t) != AS_BLOCKED && acid_session_state(e, t) != AS_ACTIVE);
    acid_findings f = { 0 };
    CHECK_EQ_INT(acidcheck_run(h, acid_txn_label, e, &f), 0);
    int n = f.n;
    if (level == ISO_SER && n) {
        fprintf(stderr, "seed %" PRIu64 " at SERIALIZABLE: %s\n", seed, f.v[0].text ? f.v[0].text : f.v[0].name);
    }
    *deadlocks += acid_deadlocks(e);
    acidcheck_free(&f);
    acid_close(e);
    hist_free(h);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return n;
}

static void test_serializable_schedules_never_show_an_anomaly(void)
{
    int bad = 0, deadlocks = 0;
    for (uint64_t seed = 1; seed <= 300; seed++)
        bad += run_schedule(seed, ISO_SER, &deadlocks) > 0;
    CHECK_EQ_INT(bad, 0);
    CHECK(deadlocks > 0);   /* the schedules do contend */
}

static void test_weak_levels_show_anomalies_in_some_schedules(void)
{
    int deadlocks = 0;
    int ru = 0, rc = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        ru += run_schedule(seed, ISO_RU, &deadlocks) > 0;
        rc += run_schedule(seed, ISO_RC, &deadlocks) > 0;
    }
    printf("property: anomalies in %d/300 READ UNCOMMITTED and %d/300 READ COMMITTED schedules\n", ru, rc);
    CHECK(ru > 0);
    CHECK(rc > 0);
    CHECK(ru >= rc);
}

int main(void)
{
    RUN(test_serializable_schedules_never_show_an_anomaly);
    RUN(test_weak_levels_show_anomalies_in_some_schedules);
    return t_done("property");
}
