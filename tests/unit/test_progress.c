/*
 * test_progress.c: the progress store (lab/learn/progress.c). A lesson reopened must get back
 * exactly the lines it saved; two labs writing at once must lose no count; every way the
 * database file can be bad (garbage, a damaged page, a newer schema, another program's
 * file) or out of reach (a path that cannot be created, a read-only file or directory)
 * must leave a working store and a warning, and only a file that is ours (SQLite with our
 * application_id) is ever written or moved: anything else at the path is refused and left
 * byte for byte as it was (issue 16, case 2); a version-1 file, written here by hand with
 * the first schema, must come out at version 2 with its data.
 *
 * Running as root: permission bits do not stop root, so the read-only tests run in a child
 * process that first drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from its
 * effective set (capset). After that the chmod'ed directory really refuses it, as it would
 * refuse a learner. The path-under-a-regular-file test fails for everyone (ENOTDIR).
 */
#include "learn/progress.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmp, name);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool contains(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

/* Runs SQL on a file with plain SQLite (fixtures and inspection). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "raw_exec: %s\n", err ? err : "?");
    CHECK_EQ_INT(rc, SQLITE_OK);
    sqlite3_free(err);
    sqlite3_close(db);
}

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* Drops the capabilities that let root ignore permission bits (this process only). */
static void drop_dac_override(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return;
    uint32_t drop = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER);
    d[0].effective &= ~drop;
    syscall(SYS_capset, &h, d);
}

/* Runs fn in a child that cannot ignore permissions; its CHECK failures come back as the
 * exit status. */
static void in_unprivileged_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        drop_dac_override();
        t_checks_failed = 0;
        fn();
        fflush(NULL);
        _exit(t_checks_failed ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* --- resume ------------------------------------------------------------------------------ */

static void test_saved_lines_read_back_identical_after_reopening(void)
{
    char db[300];
    path_in(db, sizeof db, "resume/progress.db");
    const char *lines[] = {
        "setup: CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)",
        "T1: BEGIN",
        "T1: UPDATE accounts SET balance = balance - 500 WHERE id = 1",
        "",
        "# a comment, with 'quotes', \"double quotes\", a tab\tand Zoë's accents",
        "T2: SELECT * FROM accounts",
    };
    int n = (int)(sizeof lines / sizeof *lines);
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(progress_warning(p) == NULL);
    CHECK(progress_saved(p));
    CHECK_EQ_INT(progress_attempt(p, "ana", "dirty-read"), PROGRESS_OK);
    CHECK_EQ_INT(progress_save_lines(p, "ana", "dirty-read", UINT64_MAX - 7, lines, 3), PROGRESS_OK);
    CHECK_EQ_INT(progress_save_lines(p, "ana", "dirty-read", UINT64_MAX - 7, lines, n), PROGRESS_OK);
    CHECK_EQ_INT(progress_set_page(p, "ana", "dirty-read", 2), PROGRESS_OK);
    progress_close(p);

    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.nlines, n);
    for (int i = 0; i < n && i < r.nlines; i++)
        CHECK_EQ_STR(r.lines[i], lines[i]);
    CHECK(r.seed == UINT64_MAX - 7);
    CHECK_EQ_INT(r.status, PROGRESS_STARTED);
    CHECK_EQ_INT(r.attempts, 1);
    CHECK_EQ_INT(r.page, 2);
    CHECK_EQ_INT(strlen(r.started), 20);      /* 2025-03-01T14:02:11Z */
    CHECK(r.started[19] == 'Z' && r.started[10] == 'T');
    progress_rec_free(&r);
    /* Another learner's record of the same lesson is separate. */
    CHECK_EQ_INT(progress_get(p, "ben", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.status, PROGRESS_NEW);
    CHECK_EQ_INT(r.nlines, 0);
    progress_rec_free(&r);
    progress_close(p);
}

static void test_counters_goals_status_and_attempts(void)
{
    char db[300];
    path_in(db, sizeof db, "counters.db");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    const char *one[] = { "T1: BEGIN" };
    CHECK_EQ_INT(progress_hint(p, "ana", "lost-update"), PROGRESS_OK);
    CHECK_EQ_INT(progress_hint(p, "ana", "lost-update"), PROGRESS_OK);
    CHECK_EQ_INT(progress_add_time(p, "ana", "lost-update", 65), PROGRESS_OK);
    CHECK_EQ_INT(progress_add_time(p, "ana", "lost-update", 5), PROGRESS_OK);
    CHECK_EQ_INT(progress_add_time(p, "ana", "lost-update", -1), PROGRESS_EINVAL);
    bool first = false;
    CHECK_EQ_INT(progress_goal_met(p, "ana", "lost-update", "counter-101", &first), PROGRESS_OK);
    CHECK(first);
    CHECK_EQ_INT(progress_goal_met(p, "ana", "lost-update", "counter-101", &first), PROGRESS_OK);
    CHECK(!first);
    CHECK_EQ_INT(progress_goal_met(p, "ana", "lost-update", "fixed", NULL), PROGRESS_OK);
    CHECK_EQ_INT(progress_save_lines(p, "ana", "lost-update", 1, one, 1), PROGRESS_OK);
    CHECK_EQ_INT(progress_set_status(p, "ana", "lost-update", PROGRESS_DONE), PROGRESS_OK);
    /* A new attempt clears the lines, keeps the goals, and a done lesson stays done. */
    CHECK_EQ_INT(progress_attempt(p, "ana", "lost-update"), PROGRESS_OK);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "lost-update", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 2);
    CHECK_EQ_INT(r.time_spent, 70);
    CHECK_EQ_INT(r.ngoals, 2);
    if (r.ngoals == 2) {
        CHECK_EQ_STR(r.goals[0].name, "counter-101");
        CHECK_EQ_STR(r.goals[1].name, "fixed");
        CHECK_EQ_INT(strlen(r.goals[0].met_at), 20);
    }
    CHECK_EQ_INT(r.status, PROGRESS_DONE);
    CHECK_EQ_INT(r.attempts, 1);
    CHECK_EQ_INT(r.nlines, 0);
    progress_rec_free(&r);
    /* Bad names are refused, never stored. */
    CHECK_EQ_INT(progress_hint(p, "../etc", "lost-update"), PROGRESS_EINVAL);
    CHECK_EQ_INT(progress_hint(p, "ana", "a/b"), PROGRESS_EINVAL);
    CHECK_EQ_INT(progress_hint(p, "", "x"), PROGRESS_EINVAL);
    CHECK(contains(progress_errmsg(p), "not a usable"));
    progress_close(p);
}

static int count_rec(const progress_rec *r, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static int count_name(const char *name, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_reset_forgets_one_lesson_or_all(void)
{
    char db[300];
    path_in(db, sizeof db, "reset.db");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    const char *lines[] = { "T1: BEGIN", "T1: COMMIT" };
    const char *lessons[] = { "a-lesson", "b-lesson", "c-lesson" };
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(progress_save_lines(p, "ana", lessons[i], 0, lines, 2), PROGRESS_OK);
        CHECK_EQ_INT(progress_goal_met(p, "ana", lessons[i], "g", NULL), PROGRESS_OK);
        CHECK_EQ_INT(progress_hint(p, "ben", lessons[i]), PROGRESS_OK);
    }
    int n = 0;
    CHECK_EQ_INT(progress_list(p, "ana", count_rec, &n), PROGRESS_OK);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(progress_reset(p, "ana", "b-lesson"), PROGRESS_OK);
    n = 0;
    CHECK_EQ_INT(progress_list(p, "ana", count_rec, &n), PROGRESS_OK);
    CHECK_EQ_INT(n, 2);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "b-lesson", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.status, PROGRESS_NEW);
    CHECK_EQ_INT(r.ngoals + r.nlines, 0);
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_reset(p, "ana", NULL), PROGRESS_OK);
    n = 0;
    CHECK_EQ_INT(progress_list(p, "ana", count_rec, &n), PROGRESS_OK);
    CHECK_EQ_INT(n, 0);
    n = 0;
    CHECK_EQ_INT(progress_list(p, "ben", count_rec, &n), PROGRESS_OK);
    CHECK_EQ_INT(n, 3);                        /* another learner is untouched */
    n = 0;
    CHECK_EQ_INT(progress_learners(p, count_name, &n), PROGRESS_OK);
    CHECK_EQ_INT(n, 2);                        /* the learner stays */
    progress_close(p);
    CHECK_EQ_INT(raw_int(db, "SELECT count(*) FROM goal_met WHERE learner_id = "
                             "(SELECT id FROM learner WHERE name = 'ana')"), 0);
}

/* --- two labs at once ------------------------------------------------------------------ */

enum { WRITER_ROUNDS = 150 };

static void test_two_writers_at_once_lose_no_update(void)
{
    char db[300];
    path_in(db, sizeof db, "two/progress.db");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    progress_close(p);
    pid_t kids[2];
    fflush(NULL);
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        CHECK(kids[k] >= 0);
        if (kids[k] == 0) {
            /* Each child is a lab of its own: its own connection, its own learner's lines,
             * the same shared counters. Any error, busy included, fails the child. */
            progress *q;
            int bad = progress_open(db, &q) != PROGRESS_OK;
            char goal[32], lesson[32];
            const char *line[] = { k ? "T2: BEGIN" : "T1: BEGIN" };
            for (int i = 0; !bad && i < WRITER_ROUNDS; i++) {
                snprintf(goal, sizeof goal, "g%d-%d", k, i);
                snprintf(lesson, sizeof lesson, "own-%d", k);
                int rc = progress_hint(q, "ana", "shared");
                if (!rc)
                    rc = progress_add_time(q, "ana", "shared", 2);
                if (!rc)
                    rc = progress_goal_met(q, "ana", "shared", goal, NULL);
                if (!rc)
                    rc = progress_save_lines(q, "ana", lesson, (uint64_t)i, line, 1);
                if (rc) {
                    fprintf(stderr, "writer %d round %d: %s: %s\n", k, i, progress_strerror(rc),
                            progress_errmsg(q));
                    bad = 1;
                }
            }
            progress_close(q);
            fflush(NULL);
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "shared", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 2 * WRITER_ROUNDS);
    CHECK_EQ_INT(r.time_spent, 4 * WRITER_ROUNDS);
    CHECK_EQ_INT(r.ngoals, 2 * WRITER_ROUNDS);
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_get(p, "ana", "own-1", &r), PROGRESS_OK);
    CHECK(r.seed == WRITER_ROUNDS - 1);
    CHECK_EQ_INT(r.nlines, 1);
    progress_rec_free(&r);
    progress_close(p);
}

/* --- bad files ------------------------------------------------------------------------- */

/* The whole content of a file, for "left untouched" (up to 4 KiB). */
static size_t slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got;
}

/* How many entries of tmp start with name (the file itself, -wal, -shm, .corrupt-N,
 * .new-XXXXXX leftovers). */
static int entries_like(const char *name)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s'", tmp, name);
    FILE *f = popen(cmd, "r");
    int n = -1;
    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = -1;
        pclose(f);
    }
    return n;
}

/* Issue 16, case 2: `--db /etc/passwd` moved the file aside and made a database there.
 * A file that is not ours is refused: not renamed, not written, no -wal or -shm beside
 * it, and the store works in memory with a warning that says why. */
static void check_refused_untouched(const char *name, const char *content, size_t len, const char *why)
{
    char db[300], before[4096], after[4096];
    path_in(db, sizeof db, name);
    FILE *f = fopen(db, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fwrite(content, 1, len, f);
    fclose(f);
    size_t n0 = slurp(db, before, sizeof before);
    for (int ro = 0; ro < 2; ro++) {
        progress *p;
        CHECK_EQ_INT(ro ? progress_open_readonly(db, &p) : progress_open(db, &p), PROGRESS_OK);
        if (!p)
            continue;
        CHECK(progress_refused(p));
        CHECK(!progress_saved(p));
        CHECK(contains(progress_warning(p), why));
        CHECK(contains(progress_warning(p), "refused and left untouched"));
        CHECK_EQ_INT(progress_hint(p, "ana", "x"), PROGRESS_OK);   /* in memory */
        progress_close(p);
    }
    size_t n1 = slurp(db, after, sizeof after);
    CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    CHECK_EQ_INT(entries_like(name), 1);
}

static void test_a_text_file_is_refused_and_left_untouched(void)
{
    static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    check_refused_untouched("passwd", passwd, sizeof passwd - 1, "is not a SQLite database");
    check_refused_untouched("notes.txt", "x", 1, "is not a SQLite database");
    check_refused_untouched("empty", "", 0, "is an empty file");
    /* SQLite's magic but not our application_id, and not a whole header. */
    check_refused_untouched("short", "SQLite format 3", 16, "is not a SQLite database");
}

static void test_a_fifo_is_refused_without_blocking(void)
{
    char db[300];
    path_in(db, sizeof db, "fifo.db");
    CHECK_EQ_INT(mkfifo(db, 0600), 0);
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);   /* would hang on open(2) without O_NONBLOCK */
    CHECK(progress_refused(p));
    CHECK(contains(progress_warning(p), "is not a regular file"));
    progress_close(p);
    CHECK_EQ_INT(progress_open_readonly(db, &p), PROGRESS_OK);
    CHECK(progress_refused(p));
    progress_close(p);
}

static void test_a_symlink_to_a_file_not_ours_is_refused_and_its_target_kept(void)
{
    char target[300], link_[300], dangling[300], nowhere[300], buf[64];
    path_in(target, sizeof target, "target.txt");
    path_in(link_, sizeof link_, "link.db");
    path_in(dangling, sizeof dangling, "dangling.db");
    path_in(nowhere, sizeof nowhere, "nowhere.db");
    write_file(target, "a user's notes\n");
    CHECK_EQ_INT(symlink(target, link_), 0);
    CHECK_EQ_INT(symlink(nowhere, dangling), 0);
    progress *p;
    CHECK_EQ_INT(progress_open(link_, &p), PROGRESS_OK);
    CHECK(progress_refused(p));
    progress_close(p);
    size_t n = slurp(target, buf, sizeof buf);
    CHECK(n == 15 && memcmp(buf, "a user's notes\n", 15) == 0);
    /* A link to nothing: nothing is created where it points. */
    CHECK_EQ_INT(progress_open(dangling, &p), PROGRESS_OK);
    CHECK(progress_refused(p));
    CHECK(contains(progress_warning(p), "symbolic link to a file that does not exist"));
    progress_close(p);
    CHECK(!exists(nowhere));
}

/* A file with our header and application_id whose pages are garbage is ours, damaged:
 * moved aside and a fresh database made; the next free number each time. */
static void test_a_damaged_file_of_ours_is_moved_aside(void)
{
    char db[300], aside[320], aside2[320];
    path_in(db, sizeof db, "garbage.db");
    snprintf(aside, sizeof aside, "%s.corrupt-1", db);
    snprintf(aside2, sizeof aside2, "%s.corrupt-2", db);
    char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    memcpy(junk, "SQLite format 3", 16);
    memcpy(junk + 68, "ACDB", 4);
    for (int round = 0; round < 2; round++) {
        FILE *f = fopen(db, "wb");
        CHECK(f != NULL);
        if (!f)
            return;
        fwrite(junk, 1, sizeof junk, f);
        fclose(f);
        progress *p;
        CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
        CHECK(!progress_refused(p));
        CHECK(contains(progress_warning(p), "was damaged"));
        CHECK(contains(progress_warning(p), round ? aside2 : aside));
        CHECK(progress_saved(p));
        CHECK_EQ_INT(progress_hint(p, "ana", "x"), PROGRESS_OK);
        progress_close(p);
        CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), PROGRESS_SCHEMA_VERSION);
    }
    CHECK(exists(aside) && exists(aside2));
}

/* A new database is whole before it has its name: its first bytes carry our
 * application_id at once, and no temporary file is left beside it. */
static void test_a_new_database_is_ours_from_its_first_byte(void)
{
    char db[300], h[100];
    path_in(db, sizeof db, "fresh.db");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(progress_saved(p));
    CHECK(!progress_refused(p));
    CHECK(progress_warning(p) == NULL);
    CHECK_EQ_INT(slurp(db, h, sizeof h), 100);
    CHECK(memcmp(h, "SQLite format 3", 16) == 0 && memcmp(h + 68, "ACDB", 4) == 0);
    progress_close(p);
    CHECK_EQ_INT(entries_like("fresh.db"), 1);
}

/* A database an older lab left in WAL mode when it was killed: the application_id is
 * in the -wal's copy of page 1 only. It is ours, and opens with its data. */
static void test_a_database_killed_in_wal_mode_is_still_ours(void)
{
    char db[300], h[100];
    path_in(db, sizeof db, "killed.db");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* What the first labs did: an empty file, WAL mode, then the schema; killed before
         * any checkpoint copied page 1 into the file. */
        close(open(db, O_WRONLY | O_CREAT | O_EXCL, 0600));
        sqlite3 *c;
        sqlite3_open(db, &c);
        sqlite3_exec(c, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;", NULL, NULL, NULL);
        sqlite3_exec(c, "BEGIN; PRAGMA application_id = 1094927426;"
                        "CREATE TABLE learner (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);"
                        "CREATE TABLE lesson_progress (learner_id INTEGER NOT NULL REFERENCES learner(id),"
                        "  lesson TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new', attempts INTEGER NOT NULL DEFAULT 0,"
                        "  page INTEGER NOT NULL DEFAULT 0, seed INTEGER NOT NULL DEFAULT 0, started TEXT,"
                        "  updated TEXT NOT NULL, hints_used INTEGER NOT NULL DEFAULT 0,"
                        "  time_spent INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (learner_id, lesson));"
                        "CREATE TABLE goal_met (learner_id INTEGER NOT NULL, lesson TEXT NOT NULL, goal TEXT NOT NULL,"
                        "  met_at TEXT NOT NULL, PRIMARY KEY (learner_id, lesson, goal));"
                        "CREATE TABLE scenario_line (learner_id INTEGER NOT NULL, lesson TEXT NOT NULL,"
                        "  n INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (learner_id, lesson, n));"
                        "INSERT INTO learner VALUES (1, 'ana', 'then');"
                        "INSERT INTO lesson_progress (learner_id, lesson, updated, hints_used) VALUES (1, 'kept', 'then', 3);"
                        "PRAGMA user_version = 2; COMMIT;",
                     NULL, NULL, NULL);
        _exit(0);   /* no close: no checkpoint */
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK_EQ_INT(slurp(db, h, sizeof h) >= 72 ? (int)(h[68] | h[69] | h[70] | h[71]) : -1, 0);
    progress *p;
    progress_rec r;
    CHECK_EQ_INT(progress_open_readonly(db, &p), PROGRESS_OK);
    if (!p)
        return;
    CHECK(!progress_refused(p));
    CHECK_EQ_INT(progress_get(p, "ana", "kept", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 3);
    progress_rec_free(&r);
    progress_close(p);
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    if (!p)
        return;
    CHECK(!progress_refused(p));
    CHECK(progress_saved(p));
    CHECK_EQ_INT(progress_hint(p, "ana", "kept"), PROGRESS_OK);
    CHECK_EQ_INT(progress_get(p, "ana", "kept", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 4);
    progress_rec_free(&r);
    progress_close(p);
}

/* Display-only commands (progress, lessons) open read-only: a missing database is not
 * created (nor its directories), a damaged one is not moved aside, nothing is written. */
static void test_read_only_opening_never_writes(void)
{
    char db[340], dir[300];
    path_in(dir, sizeof dir, "ro-nothing");
    snprintf(db, sizeof db, "%s/sub/progress.db", dir);
    progress *p;
    CHECK_EQ_INT(progress_open_readonly(db, &p), PROGRESS_OK);
    CHECK(!progress_refused(p));
    CHECK(progress_warning(p) == NULL);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "x", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.status, PROGRESS_NEW);
    progress_rec_free(&r);
    progress_close(p);
    CHECK(!exists(dir));

    /* Progress saved by a writer is shown; the file is byte for byte the same after. */
    path_in(db, sizeof db, "ro-kept.db");
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_hint(p, "ana", "kept"), PROGRESS_OK);
    progress_close(p);
    char before[4096], after[4096];
    size_t n0 = slurp(db, before, sizeof before);
    CHECK_EQ_INT(progress_open_readonly(db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_get(p, "ana", "kept", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 1);
    progress_rec_free(&r);
    progress_close(p);
    size_t n1 = slurp(db, after, sizeof after);
    CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    CHECK_EQ_INT(entries_like("ro-kept.db"), 1);

    /* A damaged file of ours: shown as nothing, with a warning, and not moved. */
    int fd = open(db, O_WRONLY);
    char junk[512];
    memset(junk, 0x5a, sizeof junk);
    CHECK(pwrite(fd, junk, sizeof junk, raw_int(db, "PRAGMA page_size")) == (ssize_t)sizeof junk);
    close(fd);
    CHECK_EQ_INT(progress_open_readonly(db, &p), PROGRESS_OK);
    CHECK(contains(progress_warning(p), "left as it is"));
    progress_close(p);
    CHECK_EQ_INT(entries_like("ro-kept.db"), 1);
}

static void test_a_damaged_page_is_found_and_moved_aside(void)
{
    char db[300], aside[320];
    path_in(db, sizeof db, "damaged.db");
    snprintf(aside, sizeof aside, "%s.corrupt-1", db);
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    const char *lines[] = { "T1: BEGIN" };
    for (int i = 0; i < 50; i++) {
        char lesson[32];
        snprintf(lesson, sizeof lesson, "lesson-%02d", i);
        CHECK_EQ_INT(progress_save_lines(p, "ana", lesson, 0, lines, 1), PROGRESS_OK);
    }
    progress_close(p);             /* checkpointed: everything is in the file now */
    /* Scribble over the second page (a b-tree page), leaving the header intact. */
    int fd = open(db, O_WRONLY);
    CHECK(fd >= 0);
    char junk[512];
    memset(junk, 0x5a, sizeof junk);
    long page = raw_int(db, "PRAGMA page_size");
    CHECK(pwrite(fd, junk, sizeof junk, page) == (ssize_t)sizeof junk);
    close(fd);
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(contains(progress_warning(p), "was damaged"));
    CHECK(exists(aside));
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "lesson-01", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.status, PROGRESS_NEW);    /* a fresh database */
    progress_rec_free(&r);
    progress_close(p);
}

static void test_a_newer_schema_is_moved_aside(void)
{
    char db[300], aside[320];
    path_in(db, sizeof db, "newer.db");
    snprintf(aside, sizeof aside, "%s.corrupt-1", db);
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    progress_close(p);
    raw_exec(db, "PRAGMA user_version = 99");
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(contains(progress_warning(p), "schema version 99 is newer"));
    progress_close(p);
    CHECK_EQ_INT(raw_int(aside, "PRAGMA user_version"), 99);
    CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), PROGRESS_SCHEMA_VERSION);
}

static void test_another_programs_sqlite_file_is_left_alone(void)
{
    char db[300];
    path_in(db, sizeof db, "foreign.db");
    raw_exec(db, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(contains(progress_warning(p), "not an acidbase progress database"));
    CHECK(contains(progress_warning(p), "SQLite database of another program"));
    CHECK(progress_refused(p));
    CHECK(!progress_saved(p));
    CHECK_EQ_INT(progress_hint(p, "ana", "x"), PROGRESS_OK);
    progress_close(p);
    CHECK_EQ_INT(raw_int(db, "SELECT count(*) FROM recipes"), 1);
    CHECK_EQ_INT(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'learner'"), 0);
}

/* --- places that cannot be written -------------------------------------------------------- */

static void test_a_path_that_cannot_be_created_works_in_memory(void)
{
    char file[300], db[320];
    path_in(file, sizeof file, "plainfile");
    write_file(file, "x\n");
    snprintf(db, sizeof db, "%s/sub/progress.db", file);    /* under a regular file: ENOTDIR */
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(!progress_saved(p));
    CHECK(contains(progress_warning(p), "not being saved"));
    CHECK(contains(progress_warning(p), "Not a directory"));
    const char *lines[] = { "T1: BEGIN" };
    CHECK_EQ_INT(progress_save_lines(p, "ana", "x", 3, lines, 1), PROGRESS_OK);
    CHECK_EQ_INT(progress_goal_met(p, "ana", "x", "g", NULL), PROGRESS_OK);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "x", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.nlines, 1);
    CHECK_EQ_INT(r.ngoals, 1);
    progress_rec_free(&r);
    progress_close(p);
}

static char ro_db[320];
static bool ro_whole_dir;     /* the directory is read-only too, not only the file */

/* In the unprivileged child: the directory is 0500, the file inside 0600. */
static void read_only_directory_body(void)
{
    progress *p;
    CHECK_EQ_INT(progress_open(ro_db, &p), PROGRESS_OK);
    if (!p)
        return;
    CHECK(!progress_saved(p));
    CHECK(contains(progress_warning(p), "progress saved there is shown"));
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "kept", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 1);                       /* what the file held */
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_hint(p, "ana", "kept"), PROGRESS_OK);   /* in memory */
    CHECK_EQ_INT(progress_get(p, "ana", "kept", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.hints_used, 2);
    progress_rec_free(&r);
    progress_close(p);
    if (!ro_whole_dir)
        return;
    /* A new file in the same directory cannot be made at all. */
    char other[340];
    snprintf(other, sizeof other, "%s-other.db", ro_db);
    CHECK_EQ_INT(progress_open(other, &p), PROGRESS_OK);
    CHECK(!progress_saved(p));
    CHECK(contains(progress_warning(p), "Permission denied"));
    progress_close(p);
}

static void test_a_read_only_directory_shows_saved_progress_and_warns(void)
{
    char dir[300];
    path_in(dir, sizeof dir, "ro-dir");
    snprintf(ro_db, sizeof ro_db, "%s/progress.db", dir);
    progress *p;
    CHECK_EQ_INT(progress_open(ro_db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_hint(p, "ana", "kept"), PROGRESS_OK);
    progress_close(p);
    char wal[340];
    snprintf(wal, sizeof wal, "%s-wal", ro_db);
    CHECK(!exists(wal));       /* closed cleanly: a reader would have to create -wal, -shm */
    CHECK_EQ_INT(chmod(dir, 0500), 0);
    ro_whole_dir = true;
    in_unprivileged_child(read_only_directory_body);
    chmod(dir, 0700);
    CHECK_EQ_INT(raw_int(ro_db, "SELECT hints_used FROM lesson_progress"), 1);   /* untouched */
}

static void test_a_read_only_file_shows_saved_progress_and_warns(void)
{
    path_in(ro_db, sizeof ro_db, "ro-file.db");
    progress *p;
    CHECK_EQ_INT(progress_open(ro_db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_hint(p, "ana", "kept"), PROGRESS_OK);
    progress_close(p);
    CHECK_EQ_INT(chmod(ro_db, 0400), 0);
    ro_whole_dir = false;
    in_unprivileged_child(read_only_directory_body);
    chmod(ro_db, 0600);
    char side[340];
    snprintf(side, sizeof side, "%s-wal", ro_db);
    CHECK(!exists(side));          /* reading it left no files nobody could remove */
    snprintf(side, sizeof side, "%s-shm", ro_db);
    CHECK(!exists(side));
    CHECK_EQ_INT(raw_int(ro_db, "SELECT hints_used FROM lesson_progress"), 1);
}

/* --- migration --------------------------------------------------------------------------- */

static void test_a_version_1_file_migrates_to_the_current_version_with_its_data(void)
{
    char db[300];
    path_in(db, sizeof db, "v1.db");
    /* The first schema, written out by hand: what version 1 of the lab left on disk. */
    raw_exec(db,
             "PRAGMA application_id = 1094927426;"
             "CREATE TABLE learner (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
             "  created TEXT NOT NULL);"
             "CREATE TABLE lesson_progress (learner_id INTEGER NOT NULL REFERENCES learner(id),"
             "  lesson TEXT NOT NULL,"
             "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'started', 'done')),"
             "  attempts INTEGER NOT NULL DEFAULT 0, page INTEGER NOT NULL DEFAULT 0,"
             "  seed INTEGER NOT NULL DEFAULT 0, started TEXT, updated TEXT NOT NULL,"
             "  PRIMARY KEY (learner_id, lesson));"
             "CREATE TABLE goal_met (learner_id INTEGER NOT NULL REFERENCES learner(id),"
             "  lesson TEXT NOT NULL, goal TEXT NOT NULL, met_at TEXT NOT NULL,"
             "  PRIMARY KEY (learner_id, lesson, goal));"
             "CREATE TABLE scenario_line (learner_id INTEGER NOT NULL REFERENCES learner(id),"
             "  lesson TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL,"
             "  PRIMARY KEY (learner_id, lesson, n));"
             "INSERT INTO learner VALUES (1, 'ana', '2024-09-01T08:00:00Z');"
             "INSERT INTO lesson_progress VALUES (1, 'dirty-read', 'done', 3, 1, 42,"
             "  '2024-09-01T08:01:00Z', '2024-09-01T09:00:00Z');"
             "INSERT INTO goal_met VALUES (1, 'dirty-read', 'saw-g1a', '2024-09-01T08:30:00Z');"
             "INSERT INTO scenario_line VALUES (1, 'dirty-read', 1, 'T1: BEGIN');"
             "INSERT INTO scenario_line VALUES (1, 'dirty-read', 2, 'T2: BEGIN');"
             "PRAGMA user_version = 1;");
    CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), 1);
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(progress_warning(p) == NULL);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.status, PROGRESS_DONE);
    CHECK_EQ_INT(r.attempts, 3);
    CHECK_EQ_INT(r.page, 1);
    CHECK(r.seed == 42);
    CHECK_EQ_INT(r.hints_used, 0);
    CHECK_EQ_INT(r.time_spent, 0);
    CHECK_EQ_STR(r.started, "2024-09-01T08:01:00Z");
    CHECK_EQ_INT(r.ngoals, 1);
    if (r.ngoals == 1)
        CHECK_EQ_STR(r.goals[0].met_at, "2024-09-01T08:30:00Z");
    CHECK_EQ_INT(r.nlines, 2);
    CHECK_EQ_STR(r.hash, "");                 /* saved before lessons had a content hash */
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_hint(p, "ana", "dirty-read"), PROGRESS_OK);
    CHECK_EQ_INT(progress_add_time(p, "ana", "dirty-read", 30), PROGRESS_OK);
    progress_close(p);
    CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), 3);
    CHECK_EQ_INT(raw_int(db, "SELECT hints_used * 1000 + time_spent FROM lesson_progress"), 1030);
    CHECK_EQ_INT(raw_int(db, "SELECT length(content_hash) FROM lesson_progress"), 0);
}

/* The lesson's content hash is kept with the saved lines, read back, and only a hash is
 * accepted; a reset forgets it with the lines. */
static void test_the_content_hash_is_kept_with_the_lines(void)
{
    char db[300];
    path_in(db, sizeof db, "hash/progress.db");
    const char *lines[] = { "T1: BEGIN" };
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_save_lines(p, "ana", "dirty-read", 1, lines, 1), PROGRESS_OK);
    CHECK_EQ_INT(progress_set_hash(p, "ana", "dirty-read", "0123456789abcdef"), PROGRESS_OK);
    CHECK_EQ_INT(progress_set_hash(p, "ana", "dirty-read", "0123456789ABCDEF"), PROGRESS_EINVAL);
    CHECK_EQ_INT(progress_set_hash(p, "ana", "dirty-read", "0123"), PROGRESS_EINVAL);
    CHECK_EQ_INT(progress_set_hash(p, "ana", "dirty-read", NULL), PROGRESS_EINVAL);
    progress_close(p);
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_STR(r.hash, "0123456789abcdef");
    CHECK_EQ_INT(r.nlines, 1);
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_get(p, "ben", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_STR(r.hash, "");
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_reset(p, "ana", "dirty-read"), PROGRESS_OK);
    CHECK_EQ_INT(progress_get(p, "ana", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_STR(r.hash, "");
    progress_rec_free(&r);
    progress_close(p);
}

/* A version 2 file (before the content hash) gains the column and keeps its rows. */
static void test_a_version_2_file_gains_the_content_hash(void)
{
    char db[300];
    path_in(db, sizeof db, "v2/progress.db");
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    const char *lines[] = { "T1: BEGIN", "T2: BEGIN" };
    CHECK_EQ_INT(progress_save_lines(p, "ana", "dirty-read", 5, lines, 2), PROGRESS_OK);
    progress_close(p);
    /* Make it what version 2 wrote: the same tables without content_hash. */
    raw_exec(db, "ALTER TABLE lesson_progress DROP COLUMN content_hash; PRAGMA user_version = 2;");
    CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), 2);
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK(progress_warning(p) == NULL);
    progress_rec r;
    CHECK_EQ_INT(progress_get(p, "ana", "dirty-read", &r), PROGRESS_OK);
    CHECK_EQ_INT(r.nlines, 2);
    CHECK_EQ_STR(r.hash, "");
    progress_rec_free(&r);
    CHECK_EQ_INT(progress_set_hash(p, "ana", "dirty-read", "fedcba9876543210"), PROGRESS_OK);
    progress_close(p);
    CHECK_EQ_INT(raw_int(db, "PRAGMA user_version"), 3);
}

/* --- where and how the file is made --------------------------------------------------------- */

static void test_directories_are_0700_and_the_file_0600(void)
{
    char top[300], db[340];
    path_in(top, sizeof top, "perm");
    snprintf(db, sizeof db, "%s/share/acidbase/progress.db", top);
    mode_t old = umask(0);       /* even a permissive umask gives private files */
    progress *p;
    CHECK_EQ_INT(progress_open(db, &p), PROGRESS_OK);
    CHECK_EQ_INT(progress_hint(p, "ana", "x"), PROGRESS_OK);
    char wal[360], share[320], ab[340];
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(share, sizeof share, "%s/share", top);
    snprintf(ab, sizeof ab, "%s/share/acidbase", top);
    CHECK_EQ_INT(mode_of(top), 0700);
    CHECK_EQ_INT(mode_of(share), 0700);
    CHECK_EQ_INT(mode_of(ab), 0700);
    CHECK_EQ_INT(mode_of(db), 0600);
    CHECK_EQ_INT(mode_of(wal), 0600);
    CHECK_EQ_INT(raw_int(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
    progress_close(p);
    umask(old);
}

static void test_the_path_comes_from_db_then_env_then_xdg_then_home(void)
{
    char buf[512];
    setenv("ACIDBASE_DB", "/env/progress.db", 1);
    setenv("XDG_DATA_HOME", "/xdg", 1);
    setenv("HOME", "/home/ana", 1);
    CHECK_EQ_INT(progress_default_path("/opt/p.db", buf, sizeof buf), PROGRESS_OK);
    CHECK_EQ_STR(buf, "/opt/p.db");
    CHECK_EQ_INT(progress_default_path(NULL, buf, sizeof buf), PROGRESS_OK);
    CHECK_EQ_STR(buf, "/env/progress.db");
    unsetenv("ACIDBASE_DB");
    CHECK_EQ_INT(progress_default_path(NULL, buf, sizeof buf), PROGRESS_OK);
    CHECK_EQ_STR(buf, "/xdg/acidbase/progress.db");
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    CHECK_EQ_INT(progress_default_path(NULL, buf, sizeof buf), PROGRESS_OK);
    CHECK_EQ_STR(buf, "/home/ana/.local/share/acidbase/progress.db");
    unsetenv("XDG_DATA_HOME");
    CHECK_EQ_INT(progress_default_learner("zoë", buf, sizeof buf), PROGRESS_OK);
    CHECK_EQ_STR(buf, "zoë");
    CHECK_EQ_INT(progress_default_learner(NULL, buf, sizeof buf), PROGRESS_OK);
    CHECK(progress_name_ok(buf));
    CHECK_EQ_INT(progress_default_learner("a/b", buf, sizeof buf), PROGRESS_EINVAL);
    CHECK(!progress_name_ok(".hidden"));
    CHECK(!progress_name_ok("tab\there"));
    CHECK(progress_name_ok("Ana María"));
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s/acidbase-progress-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_saved_lines_read_back_identical_after_reopening);
    RUN(test_counters_goals_status_and_attempts);
    RUN(test_reset_forgets_one_lesson_or_all);
    RUN(test_two_writers_at_once_lose_no_update);
    RUN(test_a_text_file_is_refused_and_left_untouched);
    RUN(test_a_fifo_is_refused_without_blocking);
    RUN(test_a_symlink_to_a_file_not_ours_is_refused_and_its_target_kept);
    RUN(test_a_damaged_file_of_ours_is_moved_aside);
    RUN(test_a_new_database_is_ours_from_its_first_byte);
    RUN(test_a_database_killed_in_wal_mode_is_still_ours);
    RUN(test_read_only_opening_never_writes);
    RUN(test_a_damaged_page_is_found_and_moved_aside);
    RUN(test_a_newer_schema_is_moved_aside);
    RUN(test_another_programs_sqlite_file_is_left_alone);
    RUN(test_a_path_that_cannot_be_created_works_in_memory);
    RUN(test_a_read_only_directory_shows_saved_progress_and_warns);
    RUN(test_a_read_only_file_shows_saved_progress_and_warns);
    RUN(test_a_version_1_file_migrates_to_the_current_version_with_its_data);
    RUN(test_the_content_hash_is_kept_with_the_lines);
    RUN(test_a_version_2_file_gains_the_content_hash);
    RUN(test_directories_are_0700_and_the_file_0600);
    RUN(test_the_path_comes_from_db_then_env_then_xdg_then_home);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return t_done("progress");
}
