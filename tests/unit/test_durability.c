/*
 * test_durability.c: issue 15, "Durability without exceptions", case by case, against the
 * engine's public API and its file seam (fio.h):
 *
 *   - a checkpoint while a commit waits for its group keeps it, also across a clean close
 *     and reopen (item 1); a flush forced by eviction answers the group it makes durable
 *     (item 2);
 *   - a torn crash is the log up to the last fsync plus a part of the first record written
 *     after it: recovery detects and cuts that record whatever its length, at every byte,
 *     for a BEGIN, a change and a COMMIT (item 3);
 *   - a data page the last checkpoint says exists, zeroed or cut off by truncating the
 *     file, is refused with the page named and nothing changed; a page created since the
 *     checkpoint, zeroed, is rebuilt from the log (item 4);
 *   - a transaction that wrote nothing costs no record and no fsync under sync full, and
 *     neither joins nor blocks a group; ids stay unique across crashes (item 5);
 *   - the log is cut at checkpoints, its size stays bounded under a long workload, LSNs keep
 *     growing, and the directory is synced when the log is created and when it is replaced;
 *     a rename is only durable once the directory is synced (fio D1) (item 6);
 *   - `sync group n` above the engine's sessions is refused; a 64-session engine keeps its
 *     groups of 64 (item 7).
 * The scenarios tests/scenarios/crash-*.scn and durability-*.scn show the same cases in
 * the scenario language; tests/unit/test_crashpoints.c sweeps crash points over all of it.
 */
#include "t.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acid/engine_int.h"   /* white box: the engine's file seam, for its faults */
#include "acid/view.h"

typedef struct fx {
    acid_engine *e;
    char dir[256];
    char err[1600];
    int sessions;
    bool failed;             /* the statement just submitted got an error */
    char last[512];          /* the last note's message */
} fx;

static void on_note(void *arg, const acid_note *n)
{
    fx *f = arg;
    if (n->kind == NOTE_ERROR)
        f->failed = true;
    if (n->msg)
        snprintf(f->last, sizeof f->last, "%s", n->msg);
}

static bool fx_open(fx *f, bool fresh)
{
    if (fresh) {
        const char *tmp = getenv("TMPDIR");
        snprintf(f->dir, sizeof f->dir, "%s/ab-durable-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(f->dir))
            return false;
    }
    acid_options o = { .dir = f->dir, .frames = 2, .real_sync = false, .sessions = f->sessions };
    f->err[0] = 0;
    f->e = acid_open(&o, NULL, on_note, f, f->err, sizeof f->err);
    return f->e != NULL;
}

static void fx_close(fx *f)
{
    acid_close(f->e);
    f->e = NULL;
}

static void fx_remove(fx *f)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

/* One statement (session 0: setup); 0 when it did not fail. */
static int sql(fx *f, int session, const char *text)
{
    sql_stmt s;
    sql_error err;
    if (sql_parse(text, 1, 1, &s, &err)) {
        fprintf(stderr, "bad SQL in test: %s: %s\n", text, err.msg);
        abort();
    }
    f->failed = false;
    int rc = 0;
    if (session == 0) {
        char msg[256];
        int line, col;
        rc = acid_validate(f->e, &s, msg, sizeof msg, &line, &col) || acid_setup(f->e, &s, msg, sizeof msg);
    } else {
        acid_submit(f->e, session, &s);
        rc = f->failed;
    }
    sql_free(&s);
    return rc ? -1 : 0;
}

/* The committed rows of t as "{1:10, 2:20}". */
static const char *rows(fx *f, const char *table)
{
    static char buf[512];
    acid_row *r = NULL;
    int n = 0;
    if (acid_committed_rows(f->e, table, &r, &n)) {
        snprintf(buf, sizeof buf, "(no table)");
        return buf;
    }
    acid_format_rows(r, n, buf, sizeof buf);
    free(r);
    return buf;
}

static void setup_table(fx *f, const char *values)
{
    char q[1024];
    CHECK_EQ_INT(sql(f, 0, "CREATE TABLE t (id INT PRIMARY KEY, v INT)"), 0);
    snprintf(q, sizeof q, "INSERT INTO t VALUES %s", values);
    CHECK_EQ_INT(sql(f, 0, q), 0);
}

static uint64_t file_size(const fx *f, const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static size_t read_file(const fx *f, const char *name, uint8_t *buf, size_t cap)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* --- item 1 and 2: the group beside checkpoints and eviction ------------------------------- */

static void test_checkpoint_while_a_commit_waits_for_its_group_keeps_it_across_a_reopen(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10)");
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_GROUP, 2), 0);
    sql(&f, 1, "BEGIN");
    sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1");
    sql(&f, 1, "COMMIT");
    CHECK_EQ_INT(acid_session_state(f.e, 1), AS_BLOCKED);
    CHECK_EQ_INT(acid_checkpoint(f.e), 0);
    CHECK_EQ_INT(acid_session_state(f.e, 1), AS_COMMITTED);   /* the checkpoint's fsync answered it */
    fx_close(&f);   /* a clean close, no crash */
    CHECK(fx_open(&f, false));
    if (f.e) {
        CHECK_EQ_STR(rows(&f, "t"), "{1:11}");
        acid_view_recovery rv;
        CHECK(acid_view_last_recovery(f.e, &rv));
        CHECK_EQ_INT(rv.losers, 0);
        CHECK_EQ_INT(rv.undone, 0);
        fx_close(&f);
    }
    fx_remove(&f);
}

static void test_eviction_flush_answers_the_group_it_made_durable(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60), (7, 70), (8, 80), (9, 90), (10, 100), "
                    "(11, 110), (12, 120), (13, 130), (14, 140), (15, 150)");
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_GROUP, 2), 0);
    sql(&f, 1, "BEGIN");
    sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1");
    sql(&f, 1, "COMMIT");
    CHECK_EQ_INT(acid_session_state(f.e, 1), AS_BLOCKED);
    uint64_t fsyncs = f.e->st.w.fsyncs;
    CHECK_EQ_INT(sql(&f, 2, "SELECT * FROM t WHERE id IN (6, 11)"), 0);   /* evicts page 1 */
    CHECK(f.e->st.w.fsyncs > fsyncs);                                   /* the log rule's fsync */
    CHECK_EQ_INT(acid_session_state(f.e, 1), AS_COMMITTED);
    CHECK_EQ_INT(engine_check(f.e), 0);
    CHECK_EQ_INT(acid_crash(f.e, false), 0);
    acid_row *r;
    int n;
    CHECK_EQ_INT(acid_committed_rows(f.e, "t", &r, &n), 0);
    CHECK(n == 15 && r[0].value == 11);
    free(r);
    fx_close(&f);
    fx_remove(&f);
}

/* --- item 3: the torn tail, at every byte of the first record after the last fsync ---------- */

/* The log's first record after the durable end, its length, and the state of t before
 * it; then the power goes with keep bytes of it on the disk. kind: 0 its BEGIN, 1 a change,
 * 2 its COMMIT. Returns false when the record could not be set up. */
static bool torn_case(int kind, uint32_t keep, uint32_t *len, bool *torn_reported, char *table, size_t tn)
{
    fx f = { 0 };
    if (!fx_open(&f, true))
        return false;
    setup_table(&f, "(1, 10), (2, 20)");
    bool ok = true;
    if (kind == 0) {
        CHECK_EQ_INT(acid_set_sync(f.e, SYNC_OFF, 0), 0);
        sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1");          /* answered, never fsynced */
    } else {
        sql(&f, 1, "BEGIN");
        sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1");
        CHECK_EQ_INT(acid_flush(f.e), 0);                        /* BEGIN and the change durable */
        CHECK_EQ_INT(acid_set_sync(f.e, SYNC_OFF, 0), 0);
        if (kind == 1)
            sql(&f, 1, "UPDATE t SET v = 21 WHERE id = 2");
        sql(&f, 1, "COMMIT");                                    /* answered under sync off */
    }
    wal *w = &f.e->st.w;
    uint32_t size = 0;
    ok = w->written > w->durable && wal_size_at(w, w->durable, &size) == WAL_OK;
    uint8_t want_type = kind == 0 ? WAL_BEGIN : kind == 1 ? WAL_UPDATE : WAL_COMMIT;
    uint8_t buf[1024];
    wal_rec r;
    ok = ok && wal_read(w, w->durable, &r, buf, sizeof buf) == WAL_OK && r.type == want_type;
    *len = size;
    if (ok && keep <= size) {
        uint64_t off = w->durable - w->base;
        fio_keep_on_crash(f.e->st.logf, keep);
        CHECK_EQ_INT(acid_crash(f.e, false), 0);
        acid_view_recovery rv;
        CHECK(acid_view_last_recovery(f.e, &rv));
        *torn_reported = rv.torn;
        if (rv.torn) {
            CHECK_EQ_INT(rv.torn_offset, off);
            CHECK_EQ_INT(rv.torn_bytes, keep);
        }
        snprintf(table, tn, "%s", rows(&f, "t"));
        /* The cut is durable and the log takes new work. */
        CHECK_EQ_INT(sql(&f, 2, "UPDATE t SET v = 99 WHERE id = 2"), 0);
        fx_close(&f);
        CHECK(fx_open(&f, false));
        if (f.e) {
            CHECK(strstr(rows(&f, "t"), "2:99") != NULL);
            acid_view_recovery rv2;
            CHECK(acid_view_last_recovery(f.e, &rv2) && !rv2.torn);
        }
    }
    if (f.e)
        fx_close(&f);
    fx_remove(&f);
    return ok;
}

static void test_torn_tail_is_cut_at_every_byte_of_the_first_unsynced_record(void)
{
    static const char *const names[] = { "BEGIN", "UPDATE", "COMMIT" };
    int tried = 0;
    for (int kind = 0; kind < 3; kind++) {
        uint32_t len = 0;
        bool torn;
        char table[256];
        if (!torn_case(kind, UINT32_MAX, &len, &torn, table, sizeof table)) {
            fprintf(stderr, "the first unsynced record is not a %s\n", names[kind]);
            CHECK(!"the first unsynced record is as set up");
            continue;
        }
        CHECK(len >= WAL_REC_HDR + 4);
        for (uint32_t keep = 0; keep < len; keep++) {
            CHECK(torn_case(kind, keep, &len, &torn, table, sizeof table));
            /* A part of a record is never applied: what its transaction did after the last
             * fsync is gone (kind 0: the answered commit is lost; 1 and 2: T1 is a loser,
             * undone, since its COMMIT never reached the disk whole). */
            CHECK_EQ_INT(torn, keep > 0);
            if (strcmp(table, "{1:10, 2:20}") != 0) {
                fprintf(stderr, "%s cut after %u of %u bytes: table %s\n", names[kind], keep, len, table);
                CHECK(!"the table is as before the record");
            }
            tried++;
        }
    }
    CHECK(tried > 150);
    printf("durability: torn tails: %d cuts of a BEGIN, an UPDATE and a COMMIT record, every byte\n", tried);
}

/* The scenario line: the first record after the fsync, cut in half, nothing after it. */
static void test_crash_torn_keeps_half_of_the_first_unsynced_record_and_nothing_after(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10)");
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_OFF, 0), 0);
    sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1");
    sql(&f, 2, "UPDATE t SET v = 12 WHERE id = 1");
    uint32_t first = 0;
    CHECK_EQ_INT(wal_size_at(&f.e->st.w, f.e->st.w.durable, &first), WAL_OK);
    uint64_t durable_off = f.e->st.w.durable - f.e->st.w.base;
    CHECK_EQ_INT(acid_crash(f.e, true), 0);
    acid_view_recovery rv;
    CHECK(acid_view_last_recovery(f.e, &rv));
    CHECK(rv.torn);
    CHECK_EQ_INT(rv.torn_offset, durable_off);
    CHECK_EQ_INT(rv.torn_bytes, first / 2);
    CHECK_EQ_STR(rows(&f, "t"), "{1:10}");
    fx_close(&f);
    fx_remove(&f);
}

/* --- item 4: missing data pages ------------------------------------------------------------ */

static void damage(fx *f, const char *how, uint64_t pageno)
{
    char path[400];
    snprintf(path, sizeof path, "%s/acidbase.db", f->dir);
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    if (!strcmp(how, "zero")) {
        static const uint8_t z[PAGE_SIZE];
        CHECK_EQ_INT(pwrite(fd, z, PAGE_SIZE, (off_t)(pageno * PAGE_SIZE)), PAGE_SIZE);
    } else {
        CHECK_EQ_INT(ftruncate(fd, (off_t)(pageno * PAGE_SIZE + (!strcmp(how, "cut") ? 100 : 0))), 0);
    }
    close(fd);
}

static void test_a_missing_page_the_checkpoint_wrote_is_refused_with_its_number(void)
{
    static const char *const hows[] = { "zero", "truncate", "cut" };
    for (int h = 0; h < 3; h++) {
        fx f = { 0 };
        CHECK(fx_open(&f, true));
        setup_table(&f, "(1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60), (7, 70), (8, 80)");
        CHECK_EQ_INT(acid_evict(f.e), 0);
        CHECK_EQ_INT(acid_checkpoint(f.e), 0);
        fx_close(&f);
        damage(&f, hows[h], 2);   /* rows 6..8: page 2 of 1..2 */
        uint8_t before_db[4096], before_log[65536];
        size_t ndb = read_file(&f, "acidbase.db", before_db, sizeof before_db);
        size_t nlog = read_file(&f, "acidbase.log", before_log, sizeof before_log);
        CHECK(!fx_open(&f, false));
        if (f.e)
            fx_close(&f);
        if (!strstr(f.err, "data file page 2 is missing")) {
            fprintf(stderr, "%s: %s\n", hows[h], f.err);
            CHECK(!"the refusal names page 2 as missing");
        }
        CHECK(strstr(f.err, "Nothing was changed") != NULL);
        uint8_t after[65536];
        CHECK(read_file(&f, "acidbase.db", after, sizeof after) == ndb && memcmp(after, before_db, ndb) == 0);
        CHECK(read_file(&f, "acidbase.log", after, sizeof after) == nlog && memcmp(after, before_log, nlog) == 0);
        if (h == 0)
            printf("durability: %s\n", f.err);
        fx_remove(&f);
    }
}

static void test_a_zeroed_page_created_after_the_checkpoint_is_rebuilt_from_the_log(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10), (2, 20), (3, 30)");
    CHECK_EQ_INT(acid_checkpoint(f.e), 0);
    CHECK_EQ_INT(sql(&f, 1, "INSERT INTO t VALUES (4, 40), (5, 50), (6, 60), (7, 70)"), 0);   /* onto page 2 */
    CHECK_EQ_INT(acid_evict(f.e), 0);
    fx_close(&f);
    CHECK(file_size(&f, "acidbase.db") >= 3 * PAGE_SIZE);
    damage(&f, "zero", 2);
    CHECK(fx_open(&f, false));
    if (f.e) {
        CHECK_EQ_STR(rows(&f, "t"), "{1:10, 2:20, 3:30, 4:40, 5:50, 6:60, 7:70}");
        fx_close(&f);
    }
    fx_remove(&f);
}

/* --- item 5: reads pay nothing ------------------------------------------------------------- */

static void test_read_only_autocommit_selects_make_no_record_and_no_fsync(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10), (2, 20)");
    fio_stats before = fio_get_stats(f.e->env);
    uint64_t end = f.e->st.w.end, records = f.e->st.w.records;
    for (int i = 0; i < 100; i++)
        CHECK_EQ_INT(sql(&f, 1 + i % 3, i % 2 ? "SELECT * FROM t" : "SELECT SUM(v) FROM t WHERE id = 2"), 0);
    sql(&f, 4, "BEGIN");
    sql(&f, 4, "SELECT * FROM t");
    sql(&f, 4, "COMMIT");
    sql(&f, 5, "BEGIN");
    sql(&f, 5, "DELETE FROM t WHERE id = 99");   /* matches nothing: writes nothing */
    sql(&f, 5, "ROLLBACK");
    fio_stats after = fio_get_stats(f.e->env);
    CHECK_EQ_INT(after.syncs - before.syncs, 0);
    CHECK_EQ_INT(after.writes - before.writes, 0);
    CHECK_EQ_INT(f.e->st.w.end, end);
    CHECK_EQ_INT(f.e->st.w.records, records);
    /* A write still costs its fsync. */
    CHECK_EQ_INT(sql(&f, 1, "UPDATE t SET v = 11 WHERE id = 1"), 0);
    CHECK_EQ_INT(fio_get_stats(f.e->env).syncs - after.syncs, 1);
    fx_close(&f);
    fx_remove(&f);
}

static void test_read_only_commit_neither_joins_nor_blocks_a_group(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10), (2, 20)");
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_GROUP, 2), 0);
    CHECK_EQ_INT(sql(&f, 1, "SELECT * FROM t"), 0);
    CHECK_EQ_INT(acid_session_state(f.e, 1), AS_COMMITTED);
    CHECK_EQ_INT(f.e->ngroup, 0);
    sql(&f, 2, "UPDATE t SET v = 21 WHERE id = 2");
    CHECK_EQ_INT(acid_session_state(f.e, 2), AS_BLOCKED);
    CHECK_EQ_INT(sql(&f, 3, "SELECT * FROM t WHERE id = 1"), 0);
    CHECK_EQ_INT(acid_session_state(f.e, 3), AS_COMMITTED);
    CHECK_EQ_INT(f.e->ngroup, 1);
    CHECK_EQ_INT(acid_session_state(f.e, 2), AS_BLOCKED);
    fx_close(&f);
    fx_remove(&f);
}

/* Ids come from the durable reservation, not from the log: read-only transactions, which
 * leave nothing in the log, never see an id again after a crash or a reopen (S1, S2). */
static void test_read_only_transactions_keep_ids_unique_across_crashes(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 10)");
    uint64_t seen[64];
    int n = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5; i++) {
            sql(&f, 1, "BEGIN");
            seen[n++] = acid_session_txn(f.e, 1);
            sql(&f, 1, "SELECT * FROM t");
            sql(&f, 1, "COMMIT");
        }
        if (round % 2)
            CHECK_EQ_INT(acid_crash(f.e, round == 3), 0);
        else {
            fx_close(&f);
            CHECK(fx_open(&f, false));
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            CHECK(seen[i] != seen[j]);
    fx_close(&f);
    fx_remove(&f);
}

/* --- item 6: the log shrinks --------------------------------------------------------------- */

static void test_log_is_cut_at_checkpoints_and_stays_bounded(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    setup_table(&f, "(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0)");
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_OFF, 0), 0);
    uint64_t most = 0, last_start = 0;
    const int txns = 20000, every = 1000;
    for (int i = 1; i <= txns; i++) {
        char q[96];
        snprintf(q, sizeof q, "UPDATE t SET v = v + 1 WHERE id = %d", 1 + i % 8);
        sql(&f, 1, q);
        if (i % 250 == 0) {   /* a long transaction, open across a checkpoint now and then */
            if (acid_session_state(f.e, 2) == AS_ACTIVE)
                sql(&f, 2, "COMMIT");
            else {
                sql(&f, 2, "BEGIN");
                sql(&f, 2, "UPDATE t SET v = v + 1 WHERE id = 1");
            }
        }
        if (i % every == 0) {
            CHECK_EQ_INT(acid_checkpoint(f.e), 0);
            acid_view_log lg;
            acid_view_log_state(f.e, &lg);
            CHECK(lg.start > last_start);               /* it moved on: LSNs keep growing */
            CHECK(lg.start <= lg.end && lg.file_bytes == lg.end - lg.start + 16);
            last_start = lg.start;
        }
        uint64_t size = f.e->st.logf ? fio_size(f.e->st.logf) : 0;
        if (size > most)
            most = size;
    }
    acid_view_log lg;
    acid_view_log_state(f.e, &lg);
    /* A thousand autocommits between checkpoints, each of three records, plus one long
     * transaction's: far less than the whole history. */
    CHECK(lg.end > 100 * most / 10);
    CHECK(most < 2 * 1024 * 1024);
    printf("durability: %d transactions, a checkpoint every %d: the log reached %" PRIu64 " bytes at most, "
           "of %" PRIu64 " written\n", txns, every, most, lg.end);
    CHECK_EQ_INT(acid_crash(f.e, false), 0);
    acid_row *r;
    int n;
    CHECK_EQ_INT(acid_committed_rows(f.e, "t", &r, &n), 0);
    int64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += r[i].value;
    free(r);
    CHECK_EQ_INT(sum, txns + 40);   /* every autocommit, and the long transactions that committed */
    fx_close(&f);
    fx_remove(&f);
}

static void test_directory_is_synced_when_the_log_is_created_and_replaced(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    CHECK_EQ_INT(fio_get_stats(f.e->env).dir_syncs, 1);   /* the new log's name */
    setup_table(&f, "(1, 10)");
    CHECK_EQ_INT(acid_checkpoint(f.e), 0);                 /* cuts: a rename */
    CHECK_EQ_INT(fio_get_stats(f.e->env).dir_syncs, 2);
    fx_close(&f);
    CHECK(fx_open(&f, false));
    CHECK_EQ_INT(fio_get_stats(f.e->env).dir_syncs, 0);    /* the log existed */
    fx_close(&f);
    fx_remove(&f);
}

/* fio D1: until the directory is synced, a crash puts the replaced content back. */
static void test_a_replacement_is_durable_only_once_the_directory_is_synced(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    fx_close(&f);
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/a", f.dir);
    snprintf(b, sizeof b, "%s/b", f.dir);
    for (int sync_dir = 0; sync_dir < 2; sync_dir++) {
        fio_env *env = fio_env_new();
        fio_set_real_sync(env, 0);
        fio_file *fa, *fb;
        CHECK_EQ_INT(fio_open(env, a, &fa), FIO_OK);
        CHECK_EQ_INT(fio_write(fa, 0, "old content", 11), FIO_OK);
        CHECK_EQ_INT(fio_sync(fa), FIO_OK);
        CHECK_EQ_INT(fio_sync_dir(env, f.dir), FIO_OK);
        CHECK_EQ_INT(fio_open(env, b, &fb), FIO_OK);
        CHECK_EQ_INT(fio_write(fb, 0, "new", 3), FIO_OK);
        CHECK_EQ_INT(fio_sync(fb), FIO_OK);
        CHECK_EQ_INT(fio_replace(fa, a, fb, b), FIO_OK);
        CHECK_EQ_INT(fio_size(fa), 3);
        if (sync_dir)
            CHECK_EQ_INT(fio_sync_dir(env, f.dir), FIO_OK);
        CHECK_EQ_INT(fio_crash(env, NULL), FIO_OK);
        char got[32] = "";
        size_t n = 0;
        CHECK_EQ_INT(fio_read(fa, 0, got, sizeof got - 1, &n), FIO_OK);
        CHECK_EQ_STR(got, sync_dir ? "new" : "old content");
        CHECK_EQ_INT(fio_size(fa), sync_dir ? 3 : 11);
        CHECK(access(b, F_OK) != 0);
        fio_env_free(env);
        unlink(a);
    }
    fx_remove(&f);
}

/* --- item 7: groups that can fill ------------------------------------------------------------ */

static void test_a_group_bigger_than_the_sessions_is_refused(void)
{
    fx f = { 0 };
    CHECK(fx_open(&f, true));
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_GROUP, 9), 0);
    CHECK_EQ_INT(acid_set_sync(f.e, SYNC_GROUP, 10), -1);
    CHECK(strstr(acid_error(f.e), "a group of 10 commits can never fill: the engine has 9 sessions") != NULL);
    CHECK_EQ_INT(f.e->group_n, 9);   /* nothing changed */
    fx_close(&f);
    fx_remove(&f);
    fx g = { .sessions = 64 };
    CHECK(fx_open(&g, true));
    CHECK_EQ_INT(acid_set_sync(g.e, SYNC_GROUP, 64), 0);
    CHECK_EQ_INT(acid_set_sync(g.e, SYNC_GROUP, 65), -1);
    fx_close(&g);
    fx_remove(&g);
}

int main(void)
{
    RUN(test_checkpoint_while_a_commit_waits_for_its_group_keeps_it_across_a_reopen);
    RUN(test_eviction_flush_answers_the_group_it_made_durable);
    RUN(test_torn_tail_is_cut_at_every_byte_of_the_first_unsynced_record);
    RUN(test_crash_torn_keeps_half_of_the_first_unsynced_record_and_nothing_after);
    RUN(test_a_missing_page_the_checkpoint_wrote_is_refused_with_its_number);
    RUN(test_a_zeroed_page_created_after_the_checkpoint_is_rebuilt_from_the_log);
    RUN(test_read_only_autocommit_selects_make_no_record_and_no_fsync);
    RUN(test_read_only_commit_neither_joins_nor_blocks_a_group);
    RUN(test_read_only_transactions_keep_ids_unique_across_crashes);
    RUN(test_log_is_cut_at_checkpoints_and_stays_bounded);
    RUN(test_directory_is_synced_when_the_log_is_created_and_replaced);
    RUN(test_a_replacement_is_durable_only_once_the_directory_is_synced);
    RUN(test_a_group_bigger_than_the_sessions_is_refused);
    return t_done("durability");
}
